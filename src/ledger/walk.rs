//! Finding a ledger's prospect files: every `*.md` file under the root,
//! but in hidden folders and what `ignore:` names.
//!
//! Each folder is listed by walkdir, one level deep, in a task of its
//! own, so that the folders are listed on every core at once; its files
//! are handed on in the order of their names (the cache's order), the
//! folders in no particular order, and whoever gathers what the files
//! hold sorts it once at the end (statuses by due date, diagnostics by
//! path). Symbolic links are not
//! followed, so a link cannot lead the walk out of the ledger or round
//! in a circle.
//!
//! On Unix a listed folder is also held open, and its files are statted
//! and opened by their names alone (`fstatat`, `openat`): the system then
//! looks up one name a file rather than its whole path
//! (docs/benchmarks.md).

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rayon::iter::{IntoParallelIterator, ParallelIterator};
use rayon::Scope;
use walkdir::WalkDir;

use crate::format::diagnostic::{Code, Diagnostic};
use crate::format::prospect::Prospect;
use crate::ledger::read::read_prospect;
use crate::rules::settings::Settings;

/// What [`walk`] could not take, and why.
#[derive(Debug)]
pub enum Unwalked {
    /// A folder (or the root) it could not list.
    Folder(Diagnostic),
    /// A `*.md` file whose name is not UTF-8, which no report can name:
    /// a prospect file held back.
    Unnamed(Diagnostic),
}

impl Unwalked {
    /// The diagnostic, as `lint` reports it.
    pub fn diagnostic(self) -> Diagnostic {
        match self {
            Unwalked::Folder(d) | Unwalked::Unnamed(d) => d,
        }
    }
}

/// A `*.md` file found by [`walk`].
#[derive(Debug)]
pub struct Found {
    /// Its path relative to the root, `/`-separated.
    pub relative: String,
    /// The folder it is in, shared by the files in it.
    folder: Arc<Folder>,
}

impl Found {
    /// Its file name: the end of its relative path.
    fn name(&self) -> &str {
        self.relative
            .get(self.folder.names_at..)
            .unwrap_or_default()
    }

    /// Its path.
    pub fn path(&self) -> PathBuf {
        self.folder.path.join(self.name())
    }

    /// What changes when it changes, from a `stat` of it; `None` when
    /// that fails or the system gives no modification time.
    pub fn key(&self) -> Option<Key> {
        self.folder.key(self.name())
    }

    /// Read it; `None` when it is not a prospect (no front-matter fence).
    pub fn read(&self) -> Option<Prospect> {
        read_prospect(&self.relative, || self.folder.open(self.name()))
    }
}

/// A folder of the ledger, held open on Unix when it could be opened (see
/// [`HELD`]): its files are then statted and opened by their names alone
/// (`fstatat`, `openat`), else by their whole paths.
#[derive(Debug)]
struct Folder {
    path: PathBuf,
    /// Where its files' names begin in their relative paths: after the
    /// folder's own and a `/`.
    names_at: usize,
    #[cfg(unix)]
    open: Option<rustix::fd::OwnedFd>,
}

impl Folder {
    /// The folder at `path`, `below` the root, held open when `hold`.
    fn at(path: PathBuf, below: Option<&str>, hold: bool) -> Folder {
        let names_at = match below {
            None | Some("") => 0,
            Some(below) => below.len() + 1,
        };
        #[cfg(unix)]
        {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            let open = hold
                .then(|| rustix::fs::open(&path, flags, Mode::empty()).ok())
                .flatten();
            Folder {
                path,
                names_at,
                open,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = hold;
            Folder { path, names_at }
        }
    }

    /// Open the file named `name` in this folder: without waiting and not
    /// through a link, should a FIFO or a link have taken the place of the
    /// file the listing found (it then reads as nothing, or fails).
    fn open(&self, name: &str) -> std::io::Result<fs::File> {
        #[cfg(unix)]
        {
            use rustix::fs::Mode;
            let flags = crate::ledger::read::reading_flags(false);
            let file = match &self.open {
                Some(open) => rustix::fs::openat(open, name, flags, Mode::empty())?,
                None => rustix::fs::open(self.path.join(name), flags, Mode::empty())?,
            };
            Ok(file.into())
        }
        #[cfg(not(unix))]
        fs::File::open(self.path.join(name))
    }

    /// The key of the file named `name` in this folder.
    fn key(&self, name: &str) -> Option<Key> {
        #[cfg(unix)]
        if let Some(open) = &self.open {
            let no_follow = rustix::fs::AtFlags::SYMLINK_NOFOLLOW;
            let stat = rustix::fs::statat(open, name, no_follow).ok()?;
            // The fields' types differ between platforms.
            #[allow(clippy::useless_conversion, clippy::unnecessary_fallible_conversions)]
            let (size, inode, mtime, ctime) = (
                u64::try_from(stat.st_size).ok()?,
                u64::try_from(stat.st_ino).ok()?,
                epoch_nanos(
                    stat.st_mtime.try_into().ok()?,
                    stat.st_mtime_nsec.try_into().ok()?,
                )?,
                epoch_nanos(
                    stat.st_ctime.try_into().ok()?,
                    stat.st_ctime_nsec.try_into().ok()?,
                )?,
            );
            return Some(Key {
                size,
                mtime,
                inode,
                ctime,
            });
        }
        Key::of(&fs::symlink_metadata(self.path.join(name)).ok()?)
    }
}

/// Every prospect file under `root` that `settings` do not ignore, or the
/// problem that kept a folder or file from being walked: the folders in no
/// particular order, the files of each in the order of their names.
///
/// Each folder is listed by walkdir, one level deep, as a task of its
/// own: the folders of a ledger are listed on every core at once, and no
/// thread waits on another for the next file (docs/benchmarks.md). A
/// folder's sub-folders are listed by tasks spawned from it, so a deep
/// ledger grows a queue, never the stack. The listing is done when this
/// returns; the files are then handed out to every core.
pub fn walk<'w>(
    root: &'w Path,
    settings: &'w Settings,
) -> impl ParallelIterator<Item = Result<Found, Unwalked>> + 'w {
    let listings = Mutex::new(Vec::new());
    let held = AtomicUsize::new(0);
    let walk = Walk {
        root,
        settings,
        held: &held,
    };
    let top = (root.to_path_buf(), Some(String::new()));
    rayon::scope(|scope| walk.list(scope, top, &listings));
    let listings = listings.into_inner().unwrap_or_else(|e| e.into_inner());
    listings.into_par_iter().flat_map(|listing| {
        let problems = listing.problems.into_par_iter().map(Err);
        problems.chain(listing.found.into_par_iter().map(Ok))
    })
}

/// What a walk is of.
#[derive(Clone, Copy)]
struct Walk<'w> {
    root: &'w Path,
    settings: &'w Settings,
    /// How many folders are held open (see [`HELD`]).
    held: &'w AtomicUsize,
}

/// The most folders a walk holds open: its files are then opened by name
/// in them, and those of further folders by their whole paths, so that a
/// ledger of many folders leaves the process enough of the files it may
/// have open (often 1,024) to open them.
const HELD: usize = 256;

/// What the listing of one folder found.
#[derive(Default)]
struct Listing {
    /// Its prospect files, in the order of their names.
    found: Vec<Found>,
    /// What could not be listed or named.
    problems: Vec<Unwalked>,
}

/// A folder to list: its path, and its path below the root, `/`-separated
/// (empty for the root; `None` when not UTF-8).
type Dir = (PathBuf, Option<String>);

impl<'w> Walk<'w> {
    /// List the folder `dir`: keep its prospect files and problems in
    /// `listings`, and list each of its sub-folders the walk enters in a
    /// task of its own.
    fn list<'s>(self, scope: &Scope<'s>, (dir, below): Dir, listings: &'s Mutex<Vec<Listing>>)
    where
        'w: 's,
    {
        let hold = self.held.fetch_add(1, Ordering::Relaxed) < HELD;
        let folder = Arc::new(Folder::at(dir.clone(), below.as_deref(), hold));
        let mut listing = Listing::default();
        let entries = WalkDir::new(&dir)
            .follow_links(false)
            .min_depth(1)
            .max_depth(1)
            .into_iter();
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    let problem = unwalkable(self.root, &err);
                    listing.problems.push(Unwalked::Folder(problem));
                    continue;
                }
            };
            let name = file_name(entry.path());
            let bytes = name.as_encoded_bytes();
            let kind = entry.file_type();
            // Hidden folders are not entered, and only `*.md` files kept.
            let folder_in = kind.is_dir() && !bytes.starts_with(b".");
            let markdown = kind.is_file() && bytes.len() > 3 && bytes.ends_with(b".md");
            if !(folder_in || markdown) {
                continue;
            }
            // The entry's path below the root, when it is UTF-8.
            let relative = below
                .as_deref()
                .zip(name.to_str())
                .map(|(below, name)| match below {
                    "" => name.to_owned(),
                    below => [below, "/", name].concat(),
                });
            // What `ignore:` names is neither entered nor kept.
            if relative
                .as_deref()
                .is_some_and(|rel| self.settings.is_ignored(rel))
            {
                continue;
            }
            if folder_in {
                let dir = (entry.into_path(), relative);
                scope.spawn(move |scope| self.list(scope, dir, listings));
                continue;
            }
            let Some(relative) = relative else {
                // Below the root, as every other diagnostic's path is.
                let path = entry.path();
                let at = path
                    .strip_prefix(self.root)
                    .unwrap_or(path)
                    .to_string_lossy();
                let message = "the file's name is not UTF-8; rename it";
                listing.problems.push(Unwalked::Unnamed(Diagnostic::new(
                    &at,
                    1,
                    1,
                    Code::Unreadable,
                    message,
                )));
                continue;
            };
            listing.found.push(Found {
                relative,
                folder: Arc::clone(&folder),
            });
        }
        if !(listing.found.is_empty() && listing.problems.is_empty()) {
            // In the order of the names, which is the order the cache
            // keeps its records in: each file is looked up near the one
            // before (docs/benchmarks.md).
            listing
                .found
                .sort_unstable_by(|a, b| a.relative.cmp(&b.relative));
            listings
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(listing);
        }
    }
}

/// A path's file name, by its bytes: the walk asks this of every file,
/// where taking the path apart into components cost a few percent of a
/// warm `due` (docs/benchmarks.md). Elsewhere than on Unix, by
/// components.
fn file_name(path: &Path) -> &OsStr {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        // Names are short: a plain loop from the end beats a vector search.
        let after = bytes
            .iter()
            .rposition(|&b| b == b'/')
            .map_or(0, |slash| slash + 1);
        if let Some(name) = bytes.get(after..) {
            return OsStr::from_bytes(name);
        }
    }
    path.file_name().unwrap_or(path.as_os_str())
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
    /// When the file's inode last changed, nanoseconds since the epoch (0
    /// where the system has none). The system sets it on every write, and
    /// no tool sets it back as `touch -r`, `cp -p` or `rsync -t` set the
    /// modification time: an edit that keeps the size and the modification
    /// time is still seen, as git's index sees it.
    pub ctime: i64,
}

impl Key {
    /// The key of a file, from its metadata (`None` when the system gives
    /// no modification time, and the file cannot be cached).
    pub fn of(meta: &fs::Metadata) -> Option<Key> {
        #[cfg(unix)]
        let (inode, ctime) = {
            use std::os::unix::fs::MetadataExt;
            (meta.ino(), epoch_nanos(meta.ctime(), meta.ctime_nsec())?)
        };
        #[cfg(not(unix))]
        let (inode, ctime) = (0, 0);
        Some(Key {
            size: meta.len(),
            mtime: nanos(meta.modified().ok()?),
            inode,
            ctime,
        })
    }
}

/// Seconds and nanoseconds since the epoch as nanoseconds; `None` past
/// 2262.
#[cfg(unix)]
fn epoch_nanos(seconds: i64, nanos: i64) -> Option<i64> {
    seconds.checked_mul(1_000_000_000)?.checked_add(nanos)
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
            walk(root, settings).partition_map(|item| match item {
                Ok(found) => rayon::iter::Either::Left(found.relative),
                Err(problem) => rayon::iter::Either::Right(problem.diagnostic()),
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

    /// Past the folders a walk holds open, files are statted and read by
    /// their whole paths, with the same answers.
    #[cfg(unix)]
    #[test]
    fn a_ledger_of_more_folders_than_are_held_open_is_walked_whole() {
        let dir = tempfile::tempdir().unwrap();
        let count = HELD + 44;
        for i in 0..count {
            let folder = dir.path().join(format!("f{i:03}"));
            fs::create_dir_all(&folder).unwrap();
            fs::write(folder.join("p.md"), format!("---\nname: P{i:03}\n---\n")).unwrap();
        }
        let settings = Settings::default();
        let found: Vec<Found> = walk(dir.path(), &settings).map(Result::unwrap).collect();
        assert_eq!(found.len(), count);
        let held = found.iter().filter(|f| f.folder.open.is_some()).count();
        // The root, which holds no file, is one of those held.
        assert_eq!(held, HELD - 1);
        for found in &found {
            let meta = fs::symlink_metadata(found.path()).unwrap();
            assert_eq!(found.key(), Key::of(&meta), "{}", found.relative);
            let prospect = found.read().unwrap();
            let name = format!("P{}", found.relative.get(1..4).unwrap());
            assert_eq!(prospect.fields().unwrap().name, name);
        }
    }
}
