//! Writing files so that no write is ever half done, and a lock so that two
//! `ledger` processes never interleave their read–modify–write–commit.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Replace (or create) `path` with `contents` atomically: a temporary file
/// beside it is written, flushed to disk, given the original's permissions,
/// and renamed over it. `create_new` refuses to replace an existing file.
pub fn write_atomic(path: &Path, contents: &[u8], create_new: bool) -> Result<()> {
    write_whole(path, contents, create_new, Flush::Now)
}

/// [`write_atomic`] of one of a batch of files, which [`flush_written`]
/// then flushes to disk together.
pub fn write_in_batch(path: &Path, contents: &[u8]) -> Result<()> {
    write_whole(path, contents, false, Flush::Later)
}

/// Whether a write waits for the disk before it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flush {
    /// The file and its folder flushed to disk before the write returns.
    Now,
    /// Left to [`flush_written`], once a batch of files is written: a flush
    /// costs a commit of the file system's journal, and one a file made a
    /// batch of 10,000 files some fifty times slower (docs/benchmarks.md).
    Later,
}

/// [`write_atomic`], flushing now or [`Flush::Later`].
fn write_whole(path: &Path, contents: &[u8], create_new: bool, flush: Flush) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let original = fs::metadata(path).ok();
    if let Some(meta) = &original {
        if create_new {
            return Err(Error::io(
                path,
                io::Error::from(io::ErrorKind::AlreadyExists),
            ));
        }
        // The question is whether this user may write the file (as `test -w`
        // asks), not what its mode bits say: the rename below would replace
        // even a file the user may not write.
        if meta.is_file() {
            if let Err(err) = OpenOptions::new().write(true).open(path) {
                return Err(match err.kind() {
                    io::ErrorKind::PermissionDenied => {
                        Error::Refused(format!("{} is read-only", path.display()))
                    }
                    _ => Error::io(path, err),
                });
            }
        }
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".ledger-").suffix(".tmp");
    // A new file gets the mode any other program's would (0666 less the
    // umask), not a temporary file's 0600, which teammates could not read.
    #[cfg(unix)]
    if original.is_none() {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, without_temporary_name(e)))?;
    // Through the file itself: the temporary file's own writer adds its
    // name to an error, which would then name two files.
    temp.as_file_mut()
        .write_all(contents)
        .map_err(|e| Error::io(path, e))?;
    if flush == Flush::Now {
        temp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    }
    if let Some(meta) = &original {
        temp.as_file()
            .set_permissions(meta.permissions())
            .map_err(|e| Error::io(path, e))?;
    }
    if create_new {
        temp.persist_noclobber(path)
            .map_err(|e| Error::io(path, e.error))?;
    } else {
        temp.persist(path).map_err(|e| Error::io(path, e.error))?;
    }
    // Make the rename itself durable.
    if flush == Flush::Now {
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

/// An error of tempfile's without the temporary file's name it adds ("…
/// at path …/.ledger-x1Y2.tmp"): the message names the file being
/// written, once. tempfile keeps the system's error private, so its words
/// are cut where tempfile's own begin; any other error is left whole.
fn without_temporary_name(err: io::Error) -> io::Error {
    if err.raw_os_error().is_some() {
        return err;
    }
    let text = err.to_string();
    match text.rsplit_once(" at path ") {
        Some((system, _)) => io::Error::new(err.kind(), system.to_owned()),
        None => err,
    }
}

/// Flush to disk the files a batch wrote ([`replace_in_batch`]) and the
/// folders that hold them. On Linux that is one `syncfs` of the file
/// system they are on; elsewhere each file and folder in turn.
pub fn flush_written(paths: &[PathBuf]) -> Result<()> {
    // (A batch may have removed files, and a folder with them: any folder
    // still there names the file system.)
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if !paths.is_empty() {
        let folders = paths.iter().map(|p| p.parent().unwrap_or(Path::new(".")));
        return match folders
            .filter_map(|dir| Some((dir, File::open(dir).ok()?)))
            .next()
        {
            Some((dir, folder)) => {
                rustix::fs::syncfs(&folder).map_err(|e| Error::io(dir, e.into()))
            }
            None => Ok(()),
        };
    }
    let mut folders: Vec<&Path> = paths.iter().filter_map(|p| p.parent()).collect();
    folders.sort_unstable();
    folders.dedup();
    for path in paths {
        if let Ok(file) = File::open(path) {
            file.sync_all().map_err(|e| Error::io(path, e))?;
        }
    }
    for dir in folders {
        if let Ok(folder) = File::open(dir) {
            let _ = folder.sync_all();
        }
    }
    Ok(())
}

/// A file replaced by [`replace`]: the old one is kept under a second name
/// until the write is done ([`Replaced::finish`]) or undone
/// ([`Replaced::undo`], a rename, which a full disk does not stop).
#[derive(Debug)]
pub struct Replaced {
    path: PathBuf,
    /// The old file's second name; `None` when there was no file.
    backup: Option<PathBuf>,
}

/// Where [`replace`] keeps the file at `path` while a write is under way:
/// beside it, hidden, and not named `.md` (so no walk takes it for a
/// prospect).
pub fn backup_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.ledger-bak"))
}

/// Write `contents` to `path` as [`write_atomic`] does, keeping the file it
/// replaces under [`backup_path`] until the caller finishes or undoes the
/// write.
pub fn replace(path: &Path, contents: &[u8]) -> Result<Replaced> {
    replace_with(path, contents, Flush::Now)
}

/// [`replace`], one file of a batch: flushed to disk with the others by
/// [`flush_written`], once they are all written.
pub fn replace_in_batch(path: &Path, contents: &[u8]) -> Result<Replaced> {
    replace_with(path, contents, Flush::Later)
}

fn replace_with(path: &Path, contents: &[u8], flush: Flush) -> Result<Replaced> {
    let backup = backup_path(path);
    let _ = fs::remove_file(&backup);
    let existed = fs::symlink_metadata(path).is_ok();
    if existed {
        // A second name costs no room; where the file system has none to
        // give (FAT, some network shares), a copy.
        fs::hard_link(path, &backup)
            .or_else(|_| fs::copy(path, &backup).map(|_| ()))
            .map_err(|e| Error::io(&backup, e))?;
    }
    let replaced = Replaced {
        path: path.to_path_buf(),
        backup: existed.then_some(backup),
    };
    match write_whole(path, contents, !existed, flush) {
        Ok(()) => Ok(replaced),
        Err(err) => {
            replaced.finish();
            Err(err)
        }
    }
}

/// Remove the file at `path`, keeping it under [`backup_path`] until the
/// caller finishes or undoes the write.
pub fn remove(path: &Path) -> Result<Replaced> {
    let backup = backup_path(path);
    fs::rename(path, &backup).map_err(|e| Error::io(path, e))?;
    Ok(Replaced {
        path: path.to_path_buf(),
        backup: Some(backup),
    })
}

impl Replaced {
    /// Put the old file back (or remove the new one, where there was none).
    pub fn undo(&self) -> Result<()> {
        match &self.backup {
            Some(backup) => fs::rename(backup, &self.path).map_err(|e| Error::io(&self.path, e)),
            None => fs::remove_file(&self.path).map_err(|e| Error::io(&self.path, e)),
        }
    }

    /// The write is done: forget the old file.
    pub fn finish(&self) {
        if let Some(backup) = &self.backup {
            let _ = fs::remove_file(backup);
        }
    }
}

/// Remove what a `ledger` process stopped while writing in `dir` left there:
/// temporary files of [`write_atomic`]. Only to be called with the ledger's
/// lock held, when no other `ledger` process can be writing.
pub fn clean_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(".ledger-") && name.ends_with(".tmp") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// [`clean_temporaries`] in the folder of each of `paths`, each folder
/// once: an import writes (or leaves) thousands of files in one, and a
/// listing a file takes the square of their number.
pub fn clean_temporaries_beside<P: AsRef<Path>>(paths: &[P]) {
    let folders: BTreeSet<&Path> = paths.iter().filter_map(|p| p.as_ref().parent()).collect();
    for dir in folders {
        clean_temporaries(dir);
    }
}

/// The process that has the file at `path` open, if any can be seen
/// (Linux: from `/proc`); `None` also where that cannot be told.
pub fn holder(path: &Path) -> Option<u32> {
    let path = path.canonicalize().ok()?;
    for process in fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = process
            .file_name()
            .to_str()
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(fds) = fs::read_dir(process.path().join("fd")) else {
            continue;
        };
        if fds
            .flatten()
            .any(|fd| fs::read_link(fd.path()).is_ok_and(|target| target == path))
        {
            return Some(pid);
        }
    }
    None
}

/// Whether the lock file at `path` was left by a process that is gone: no
/// live process has it open (git's writers hold their lock files open
/// until they rename them). `false` where that cannot be told.
fn is_stale(path: &Path) -> bool {
    Path::new("/proc/self/fd").is_dir() && holder(path).is_none()
}

/// Remove the lock file at `path` if a stopped process left it ([`is_stale`]);
/// report it if a live one holds it (or that cannot be told).
pub fn clear_stale(path: &Path) -> Result<()> {
    if !path.exists() {
        return Ok(());
    }
    if !is_stale(path) {
        return Err(locked_error(path));
    }
    remove_if_there(path)
}

/// A file's bytes, `None` when it is not there.
pub fn read_if_there(path: &Path) -> Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(Error::io(path, err)),
    }
}

/// Remove a file; one that is not there is already removed.
pub fn remove_if_there(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => Err(Error::io(path, err)),
        _ => Ok(()),
    }
}

/// The error for a lock file git (or a stopped process) left: which file,
/// whether a process holds it, and what to do.
pub fn locked_error(lock: &Path) -> Error {
    let shown = lock.display();
    Error::Refused(match holder(lock) {
        Some(pid) => format!(
            "{shown} is held by process {pid}, a git command still running: wait for it to finish and try again"
        ),
        None => format!(
            "{shown} exists, but no process holds it: a git command (or an editor's git plugin) was stopped while writing. \
             Remove it (rm '{shown}') and try again"
        ),
    })
}

/// How long a command waits for another to finish, unless
/// `LEDGER_LOCK_TIMEOUT` (seconds) says otherwise.
const LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// An exclusive lock, held until dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Wait for the lock at `path` (created if missing; never deleted, so
    /// that no two processes can each hold a different file).
    pub fn acquire(path: &Path) -> Result<Lock> {
        let timeout = std::env::var("LEDGER_LOCK_TIMEOUT")
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            // `inf`, `nan` and a negative number are not a time to wait.
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .unwrap_or(LOCK_TIMEOUT);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        let start = Instant::now();
        let mut pause = Duration::from_millis(2);
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Lock { _file: file }),
                Err(TryLockError::WouldBlock) if start.elapsed() < timeout => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(Error::Refused(format!(
                        "another ledger command held {} for over {}s, and this one gave up waiting",
                        path.display(),
                        timeout.as_secs_f64()
                    )))
                }
                Err(TryLockError::Error(e)) => return Err(Error::io(path, e)),
            }
        }
    }
}

/// Where a ledger outside git keeps its lock: a hidden file at its root.
pub fn plain_lock_path(root: &Path) -> PathBuf {
    root.join(".ledger.lock")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The system's error, without the name of a temporary file that
    /// was never made.
    #[test]
    fn a_temporary_file_that_cannot_be_made_is_not_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let err = tempfile::Builder::new()
            .prefix(".ledger-")
            .tempfile_in(&missing)
            .unwrap_err();
        assert!(err.to_string().contains(".ledger-"), "{err}");
        let plain = without_temporary_name(err);
        assert_eq!(plain.kind(), io::ErrorKind::NotFound);
        assert!(!plain.to_string().contains(".ledger-"), "{plain}");
        // An error of its own is left as it is.
        let own = io::Error::other("nothing to strip");
        assert_eq!(without_temporary_name(own).to_string(), "nothing to strip");
    }

    #[test]
    fn atomic_writes_keep_permissions_and_refuse_read_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, b"new", false).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
        assert!(write_atomic(&path, b"x", true).is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary files are left behind");
    }

    #[cfg(unix)]
    #[test]
    fn new_files_get_the_usual_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.md");
        write_atomic(&path, b"new", true).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        // 0666 less whatever umask the tests run under: readable by others
        // unless the umask says otherwise, never the 0600 of a temporary file.
        let plain = dir.path().join("plain");
        fs::write(&plain, "x").unwrap();
        assert_eq!(
            mode,
            fs::metadata(&plain).unwrap().permissions().mode() & 0o777
        );
    }

    #[test]
    fn a_held_lock_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        let held = Lock::acquire(&path).unwrap();
        let other = File::open(&path).unwrap();
        assert!(matches!(other.try_lock(), Err(TryLockError::WouldBlock)));
        drop(held);
        assert!(other.try_lock().is_ok());
    }
}
