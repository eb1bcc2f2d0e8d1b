//! Writing files so that no write is ever half done, and a lock so that two
//! `ledger` processes never interleave their read–modify–write–commit.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Replace (or create) `path` with `contents` atomically: a temporary file
/// beside it is written, flushed to disk, given the original's permissions,
/// and renamed over it. `create_new` refuses to replace an existing file.
pub fn write_atomic(path: &Path, contents: &[u8], create_new: bool) -> Result<()> {
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
                    io::ErrorKind::PermissionDenied => Error::Message(format!(
                        "{} is read-only; nothing was changed",
                        path.display()
                    )),
                    _ => Error::io(path, err),
                });
            }
        }
    }
    let mut temp = tempfile::Builder::new()
        .prefix(".ledger-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    temp.write_all(contents).map_err(|e| Error::io(path, e))?;
    temp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
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
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// How long a command waits for another to finish, unless
/// `LEDGER_LOCK_TIMEOUT` (seconds) says otherwise.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(30);

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
                    return Err(Error::Message(format!(
                        "another ledger command held {} for over {}s; gave up, nothing was changed",
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
