//! Finding a ledger's prospect files: every `*.md` file under the root,
//! but in hidden folders and what `ignore:` names, handed on as it is
//! found to the threads that read them.
//!
//! The walk is walkdir's, unsorted: the files come in the order the
//! system lists them, and whoever gathers what they hold sorts it once
//! at the end (statuses by due date, diagnostics by path). Symbolic links
//! are not followed, so a link cannot lead the walk out of the ledger or
//! round in a circle.
//!
//! On Unix the folder being listed is also held open, and its files
//! are statted and opened by their names alone (`fstatat`, `openat`):
//! the system then looks up one name a file rather than its whole path
//! (docs/benchmarks.md).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rayon::iter::{ParallelBridge, ParallelIterator};
use walkdir::{DirEntry, WalkDir};

use crate::format::diagnostic::{Code, Diagnostic};
use crate::format::prospect::Prospect;
use crate::ledger::read::read_prospect;
use crate::rules::settings::Settings;

/// A `*.md` file found by [`walk`].
#[derive(Debug)]
pub struct Found {
    /// Its path relative to the root, `/`-separated.
    pub relative: String,
    /// Its path.
    pub path: PathBuf,
    /// What changes when it changes, when asked for and known.
    pub key: Option<Key>,
    /// The folder it is in, held open (when it could be opened).
    folder: Option<Folder>,
}

impl Found {
    /// Read it; `None` when it is not a prospect (no front-matter fence).
    pub fn read(&self) -> Option<Prospect> {
        read_prospect(&self.relative, || match &self.folder {
            Some(folder) => folder.open(&self.path),
            None => fs::File::open(&self.path),
        })
    }
}

/// A folder held open, shared by the files in it.
#[cfg(unix)]
#[derive(Debug, Clone)]
struct Folder(std::sync::Arc<rustix::fd::OwnedFd>);

#[cfg(unix)]
impl Folder {
    fn at(path: &Path) -> Option<Folder> {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let fd = rustix::fs::open(path, flags, Mode::empty()).ok()?;
        Some(Folder(std::sync::Arc::new(fd)))
    }

    /// Open the file at `path` (in this folder) by its name.
    fn open(&self, path: &Path) -> std::io::Result<fs::File> {
        use rustix::fs::{Mode, OFlags};
        let name = path.file_name().unwrap_or_default();
        let flags = OFlags::RDONLY | OFlags::CLOEXEC;
        Ok(rustix::fs::openat(&*self.0, name, flags, Mode::empty())?.into())
    }

    /// The key of the file at `path` (in this folder), by its name.
    fn key(&self, path: &Path) -> Option<Key> {
        let name = path.file_name()?;
        let stat =
            rustix::fs::statat(&*self.0, name, rustix::fs::AtFlags::SYMLINK_NOFOLLOW).ok()?;
        // The fields' types differ between platforms.
        #[allow(clippy::useless_conversion, clippy::unnecessary_fallible_conversions)]
        let (size, seconds, nanos, inode) = (
            u64::try_from(stat.st_size).ok()?,
            i64::try_from(stat.st_mtime).ok()?,
            i64::try_from(stat.st_mtime_nsec).ok()?,
            u64::try_from(stat.st_ino).ok()?,
        );
        let mtime = seconds.checked_mul(1_000_000_000)?.checked_add(nanos)?;
        Some(Key { size, mtime, inode })
    }
}

/// Elsewhere, a file is opened and statted by its whole path.
#[cfg(not(unix))]
#[derive(Debug, Clone)]
struct Folder;

#[cfg(not(unix))]
impl Folder {
    fn at(_: &Path) -> Option<Folder> {
        None
    }

    fn open(&self, path: &Path) -> std::io::Result<fs::File> {
        fs::File::open(path)
    }

    fn key(&self, path: &Path) -> Option<Key> {
        Key::of(&fs::symlink_metadata(path).ok()?)
    }
}

/// Every prospect file under `root` that `settings` do not ignore, with
/// its [`Key`] when `stat`, or the problem that kept a folder or file from
/// being walked; in parallel, in no particular order.
pub fn walk<'w>(
    root: &'w Path,
    settings: &'w Settings,
    stat: bool,
) -> impl ParallelIterator<Item = Result<Found, Diagnostic>> + 'w {
    // The path below the root, `/`-separated; `None` when not UTF-8.
    let relative = move |entry: &DirEntry| super::relative(root, entry.path());
    // A hidden or ignored folder is not entered at all.
    let entered = move |entry: &DirEntry| {
        entry.depth() == 0
            || !entry.file_type().is_dir()
            || !(entry.file_name().to_string_lossy().starts_with('.')
                || relative(entry).is_some_and(|rel| settings.is_ignored(&rel)))
    };
    // The folder of the files being listed, held open: walkdir lists a
    // folder's files together, but for its sub-folders, so it is opened
    // again only when the listing comes back from one. One folder at a
    // time, so that a deep ledger holds no more open than a shallow one.
    let mut open: Option<(PathBuf, Option<Folder>)> = None;
    let in_folder = move |entry: walkdir::Result<DirEntry>| {
        let entry = entry?;
        if entry.file_type().is_dir() {
            return Ok((entry, None));
        }
        let parent = entry.path().parent().unwrap_or(root);
        if open.as_ref().is_none_or(|(path, _)| path != parent) {
            open = Some((parent.to_path_buf(), Folder::at(parent)));
        }
        Ok((entry, open.as_ref().and_then(|(_, folder)| folder.clone())))
    };
    WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(entered)
        .map(in_folder)
        .par_bridge()
        .filter_map(move |entry| {
            let (entry, folder) = match entry {
                Ok(entry) => entry,
                Err(err) => return Some(Err(unwalkable(root, &err))),
            };
            let is_markdown = entry.file_type().is_file()
                && Path::new(entry.file_name()).extension() == Some("md".as_ref())
                && entry.file_name().len() > 3;
            if !is_markdown {
                return None;
            }
            let Some(rel) = relative(&entry) else {
                let at = entry.path().to_string_lossy();
                let message = "the file's name is not UTF-8; rename it";
                return Some(Err(Diagnostic::new(&at, 1, 1, Code::Unreadable, message)));
            };
            if settings.is_ignored(&rel) {
                return None;
            }
            let key = match (stat, &folder) {
                (false, _) => None,
                (true, Some(folder)) => folder.key(entry.path()),
                (true, None) => entry.metadata().ok().and_then(|meta| Key::of(&meta)),
            };
            Some(Ok(Found {
                relative: rel,
                path: entry.into_path(),
                key,
                folder,
            }))
        })
}

/// The problem of a folder (or the root) that could not be listed.
fn unwalkable(root: &Path, err: &walkdir::Error) -> Diagnostic {
    let at = match err.path().and_then(|path| path.strip_prefix(root).ok()) {
        Some(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy().into_owned(),
        _ => root.display().to_string(),
    };
    let why = match err.io_error() {
        Some(io) => io.to_string(),
        None => err.to_string(),
    };
    Diagnostic::new(&at, 1, 1, Code::Unreadable, format!("cannot read: {why}"))
}

/// What changes when a file changes: the cache uses a summary only for a
/// file whose key is the one it was made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The size in bytes.
    pub size: u64,
    /// The modification time, nanoseconds since the epoch (which lasts
    /// until 2262).
    pub mtime: i64,
    /// The inode (0 where the system has none): a file replaced by
    /// another of the same size and time is still seen.
    pub inode: u64,
}

impl Key {
    /// The key of a file, from its metadata (`None` when the system gives
    /// no modification time, and the file cannot be cached).
    pub fn of(meta: &fs::Metadata) -> Option<Key> {
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Key {
            size: meta.len(),
            mtime: nanos(meta.modified().ok()?),
            inode,
        })
    }
}

/// Nanoseconds since the epoch, negative before it, saturating.
pub fn nanos(time: SystemTime) -> i64 {
    let saturate = |d: Duration| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX);
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => saturate(d),
        Err(e) => -saturate(e.duration()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walked(root: &Path, settings: &Settings) -> (Vec<String>, Vec<Diagnostic>) {
        let (found, problems): (Vec<_>, Vec<_>) =
            walk(root, settings, true).partition_map(|item| match item {
                Ok(found) => rayon::iter::Either::Left(found.relative),
                Err(problem) => rayon::iter::Either::Right(problem),
            });
        let mut found: Vec<String> = found;
        found.sort();
        (found, problems)
    }

    #[test]
    fn the_walk_finds_markdown_files_but_in_hidden_and_ignored_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for path in [
            "a.md",
            "notes.txt",
            ".hidden.md",
            "sub/b.md",
            "sub/deeper/c.md",
            ".git/x.md",
            ".obsidian/y.md",
            "archive/old.md",
            "sub/archive/also.md",
            "sub/archived/kept.md",
            "ignored.md",
            ".md",
        ] {
            let path = root.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "").unwrap();
        }
        // A name without a `/` is ignored at any depth, as in `.gitignore`.
        let (settings, problems) = Settings::parse("ignore: [archive, ignored.md]\n");
        assert!(problems.is_empty());
        let (found, problems) = walked(root, &settings);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            found,
            [
                ".hidden.md",
                "a.md",
                "sub/archived/kept.md",
                "sub/b.md",
                "sub/deeper/c.md"
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_walk_follows_no_link_and_reports_a_name_that_is_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ledger");
        fs::create_dir_all(root.join("sub")).unwrap();
        fs::write(root.join("sub/a.md"), "").unwrap();
        // A link back to the root, and a link to a file: neither is walked.
        std::os::unix::fs::symlink(&root, root.join("sub/loop")).unwrap();
        std::os::unix::fs::symlink(root.join("sub/a.md"), root.join("link.md")).unwrap();
        fs::write(root.join(std::ffi::OsStr::from_bytes(b"\xff.md")), "").unwrap();
        let (found, problems) = walked(&root, &Settings::default());
        assert_eq!(found, ["sub/a.md"]);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("not UTF-8"));
    }
}
