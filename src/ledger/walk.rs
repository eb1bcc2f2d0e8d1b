//! An open folder of the ledger: its entries, and its files' keys and
//! contents, found relative to it. On Unix the folder is held open and
//! each file is looked up by its name alone (`openat`, `fstatat`), so the
//! system does not walk the file's whole path again for every file.

use std::fs::File;
use std::io;
use std::path::Path;
#[cfg(not(unix))]
use std::path::PathBuf;

use crate::ledger::cache::Key;

/// What a folder's entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A folder.
    Folder,
    /// A regular file.
    File,
    /// Anything else (a link, a device…), which the walk passes over.
    Other,
}

/// One entry of a folder: its name (`Err` with the name as the system
/// gave it when that is not UTF-8) and what it is.
#[derive(Debug)]
pub struct Entry {
    /// The name.
    pub name: Result<String, std::ffi::OsString>,
    /// What it is.
    pub kind: Kind,
    /// The first eight bytes of what its ids begin with (a folder's with
    /// its `/`), as a number that sorts as they do: most entries are
    /// ordered by it alone.
    prefix: u64,
}

impl Entry {
    /// The entry `name`, a `kind`.
    pub fn new(name: Result<String, std::ffi::OsString>, kind: Kind) -> Entry {
        let mut entry = Entry {
            name,
            kind,
            prefix: u64::MAX,
        };
        if let Some((stem, end)) = entry.id_start() {
            let mut bytes = [0; 8];
            for (to, from) in bytes.iter_mut().zip(stem.iter().chain(end)) {
                *to = *from;
            }
            entry.prefix = u64::from_be_bytes(bytes);
        }
        entry
    }

    /// What its ids begin with, in two parts: its name (a Markdown file's
    /// less `.md`), and what follows it (a `/` for a folder); `None` when
    /// the name is not UTF-8.
    fn id_start(&self) -> Option<(&[u8], &'static [u8])> {
        let name = self.name.as_deref().ok()?;
        Some(match self.kind {
            Kind::Folder => (name.as_bytes(), b"/"),
            Kind::File => (name.strip_suffix(".md").unwrap_or(name).as_bytes(), b""),
            Kind::Other => (name.as_bytes(), b""),
        })
    }

    /// The order of a folder's entries in a walk: that of the ids beneath
    /// them (a file's id is its path less `.md`, and a folder's ids begin
    /// with its name and a `/`), so that a walk meets the prospects in the
    /// order of their ids. Names that are not UTF-8 come last.
    pub fn id_order(&self, other: &Entry) -> std::cmp::Ordering {
        // Names hold no NUL, so a shorter start padded with NULs sorts
        // first, as it should; a name that is not UTF-8 has the largest.
        self.prefix
            .cmp(&other.prefix)
            .then_with(|| match (self.id_start(), other.id_start()) {
                // Each start is compared followed by its end (`/` for a
                // folder). Where neither start begins the other, they
                // differ before either ends, and the slices alone decide.
                (Some((a, a_end)), Some((b, b_end))) => {
                    match (b.strip_prefix(a), a.strip_prefix(b)) {
                        (Some(b_rest), _) => a_end.iter().cmp(b_rest.iter().chain(b_end)),
                        (None, Some(a_rest)) => a_rest.iter().chain(a_end).cmp(b_end.iter()),
                        (None, None) => a.cmp(b),
                    }
                }
                _ => self.name.cmp(&other.name),
            })
    }
}

/// An open folder.
#[derive(Debug)]
pub struct Folder {
    #[cfg(unix)]
    fd: rustix::fd::OwnedFd,
    #[cfg(not(unix))]
    path: PathBuf,
}

impl Folder {
    /// Open the folder at `path`.
    pub fn open(path: &Path) -> io::Result<Folder> {
        #[cfg(unix)]
        {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            Ok(Folder {
                fd: rustix::fs::open(path, flags, Mode::empty())?,
            })
        }
        #[cfg(not(unix))]
        {
            if !std::fs::metadata(path)?.is_dir() {
                return Err(io::Error::other("not a folder"));
            }
            Ok(Folder {
                path: path.to_path_buf(),
            })
        }
    }

    /// Its entries, but `.` and `..`, in no particular order; with the
    /// problem of each that could not be read.
    pub fn entries(&self) -> io::Result<(Vec<Entry>, Vec<io::Error>)> {
        let (mut entries, mut problems) = (Vec::new(), Vec::new());
        // Linux lists into one large buffer and lends each name from it;
        // elsewhere each name comes in an allocation of its own.
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            let mut buffer = Vec::with_capacity(LISTING_BUFFER);
            let mut listing = rustix::fs::RawDir::new(&self.fd, buffer.spare_capacity_mut());
            while let Some(entry) = listing.next() {
                let entry = entry.as_ref().map(|e| (e.file_name(), e.file_type()));
                if !self.take(entry.map_err(|err| *err), &mut entries, &mut problems) {
                    break;
                }
            }
        }
        #[cfg(all(unix, not(any(target_os = "linux", target_os = "android"))))]
        {
            for entry in rustix::fs::Dir::read_from(&self.fd)? {
                let entry = entry.as_ref().map(|e| (e.file_name(), e.file_type()));
                if !self.take(entry.map_err(|err| *err), &mut entries, &mut problems) {
                    break;
                }
            }
        }
        #[cfg(not(unix))]
        {
            for entry in std::fs::read_dir(&self.path)? {
                match entry.and_then(|e| Ok((e.file_type()?, e))) {
                    Ok((file_type, entry)) => entries.push(Entry::new(
                        entry.file_name().into_string(),
                        if file_type.is_dir() {
                            Kind::Folder
                        } else if file_type.is_file() {
                            Kind::File
                        } else {
                            Kind::Other
                        },
                    )),
                    Err(err) => problems.push(err),
                }
            }
        }
        Ok((entries, problems))
    }

    /// Take one entry of a listing, its name and its type as the listing
    /// gave them, into `entries` (but `.` and `..`), or its problem into
    /// `problems`; whether the listing goes on (an error ends it, and
    /// what came before it stands).
    #[cfg(unix)]
    fn take(
        &self,
        listed: rustix::io::Result<(&std::ffi::CStr, rustix::fs::FileType)>,
        entries: &mut Vec<Entry>,
        problems: &mut Vec<io::Error>,
    ) -> bool {
        use rustix::fs::FileType;
        let (name, file_type) = match listed {
            Ok(listed) => listed,
            Err(err) => {
                problems.push(err.into());
                return false;
            }
        };
        let bytes = name.to_bytes();
        if bytes == b"." || bytes == b".." {
            return true;
        }
        let file_type = match file_type {
            // Some file systems do not say in the listing.
            FileType::Unknown => match rustix::fs::statat(&self.fd, name, no_follow()) {
                Ok(stat) => FileType::from_raw_mode(stat.st_mode),
                Err(err) => {
                    problems.push(err.into());
                    return true;
                }
            },
            known => known,
        };
        let kind = match file_type {
            FileType::Directory => Kind::Folder,
            FileType::RegularFile => Kind::File,
            _ => Kind::Other,
        };
        let name = match std::str::from_utf8(bytes) {
            Ok(name) => Ok(name.to_owned()),
            Err(_) => {
                Err(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(bytes).to_owned())
            }
        };
        entries.push(Entry::new(name, kind));
        true
    }

    /// The key of the file `name` in this folder; `None` when it cannot be
    /// had (the file is then read, not cached).
    pub fn key(&self, name: &str) -> Option<Key> {
        #[cfg(unix)]
        {
            let stat = rustix::fs::statat(&self.fd, name, no_follow()).ok()?;
            // The fields' types differ between platforms.
            #[allow(clippy::useless_conversion, clippy::unnecessary_fallible_conversions)]
            let (size, seconds, nanos, inode) = (
                u64::try_from(stat.st_size).ok()?,
                i64::try_from(stat.st_mtime).ok()?,
                i64::try_from(stat.st_mtime_nsec).ok()?,
                u64::try_from(stat.st_ino).ok()?,
            );
            Some(Key::new(
                size,
                seconds.checked_mul(1_000_000_000)?.checked_add(nanos)?,
                inode,
            ))
        }
        #[cfg(not(unix))]
        {
            Key::of(&std::fs::symlink_metadata(self.path.join(name)).ok()?)
        }
    }

    /// Open the file `name` in this folder for reading.
    pub fn open_file(&self, name: &str) -> io::Result<File> {
        #[cfg(unix)]
        {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::CLOEXEC;
            Ok(File::from(rustix::fs::openat(
                &self.fd,
                name,
                flags,
                Mode::empty(),
            )?))
        }
        #[cfg(not(unix))]
        {
            File::open(self.path.join(name))
        }
    }
}

/// How many bytes of a folder's listing one call takes in (what glibc's
/// `readdir` takes): some 500 names.
#[cfg(any(target_os = "linux", target_os = "android"))]
const LISTING_BUFFER: usize = 32 * 1024;

#[cfg(unix)]
fn no_follow() -> rustix::fs::AtFlags {
    rustix::fs::AtFlags::SYMLINK_NOFOLLOW
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_lists_every_entry_of_many_listing_calls() {
        // 3,000 names of some 60 bytes: several calls' worth of listing.
        let dir = tempfile::tempdir().unwrap();
        let stem = "a-prospect-with-a-rather-long-name-to-fill-the-listing";
        for i in 0..3000 {
            std::fs::write(dir.path().join(format!("{stem}-{i}.md")), "").unwrap();
        }
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let (entries, problems) = Folder::open(dir.path()).unwrap().entries().unwrap();
        assert!(problems.is_empty());
        let mut names: Vec<&str> = entries.iter().map(|e| e.name.as_deref().unwrap()).collect();
        names.sort_unstable();
        let mut expected: Vec<String> = (0..3000).map(|i| format!("{stem}-{i}.md")).collect();
        expected.push("sub".to_owned());
        expected.sort_unstable();
        assert_eq!(names, expected);
        let folders: Vec<&Entry> = entries.iter().filter(|e| e.kind == Kind::Folder).collect();
        assert_eq!(folders.len(), 1);
        assert_eq!(folders[0].name.as_deref(), Ok("sub"));
        assert!(entries
            .iter()
            .all(|e| e.kind == Kind::File || e.name.as_deref() == Ok("sub")));
    }

    #[test]
    fn a_walk_takes_a_folders_entries_in_the_order_of_their_ids() {
        let entry = |name: &str, kind| Entry::new(Ok(name.to_owned()), kind);
        let mut entries = [
            entry("a", Kind::Folder),
            entry("a-b.md", Kind::File),
            entry("a.md", Kind::File),
            entry("a!.md", Kind::File),
            entry("a0.md", Kind::File),
            entry("a-b", Kind::Folder),
            entry("longname-b.md", Kind::File),
            entry("longname-a-b.md", Kind::File),
            entry("longname-a", Kind::Folder),
            entry("longname-a.md", Kind::File),
            entry("notes.txt", Kind::File),
        ];
        entries.sort_by(Entry::id_order);
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_deref().unwrap()).collect();
        // Ids: a, a!, a-b, a-b/…, a/…, a0, longname-a, longname-a-b,
        // longname-a/…, longname-b; and notes.txt, which no walk visits.
        assert_eq!(
            names,
            [
                "a.md",
                "a!.md",
                "a-b.md",
                "a-b",
                "a",
                "a0.md",
                "longname-a.md",
                "longname-a-b.md",
                "longname-a",
                "longname-b.md",
                "notes.txt",
            ]
        );
        // A name that is not UTF-8 comes last.
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let raw = std::ffi::OsStr::from_bytes(b"\xff.md").to_owned();
            let mut entries = [Entry::new(Err(raw), Kind::File), entry("zz.md", Kind::File)];
            entries.sort_by(Entry::id_order);
            assert!(entries[0].name.is_ok() && entries[1].name.is_err());
        }
    }
}
