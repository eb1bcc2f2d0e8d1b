//! An open folder of the ledger: its entries, and its files' keys and
//! contents, found relative to it. On Unix the folder is held open and
//! each file is looked up by its name alone (`openat`, `fstatat`), so the
//! system does not walk the file's whole path again for every file.

use std::fs::File;
use std::io;
use std::path::Path;
#[cfg(not(unix))]
use std::path::PathBuf;

use crate::cache::Key;

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
        #[cfg(unix)]
        {
            use rustix::fs::FileType;
            for entry in rustix::fs::Dir::read_from(&self.fd)? {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(err) => {
                        problems.push(err.into());
                        continue;
                    }
                };
                let bytes = entry.file_name().to_bytes();
                if bytes == b"." || bytes == b".." {
                    continue;
                }
                let name = match std::str::from_utf8(bytes) {
                    Ok(name) => Ok(name.to_owned()),
                    Err(_) => Err(
                        <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(bytes)
                            .to_owned(),
                    ),
                };
                let file_type = match entry.file_type() {
                    // Some file systems do not say in the listing.
                    FileType::Unknown => {
                        match rustix::fs::statat(&self.fd, entry.file_name(), no_follow()) {
                            Ok(stat) => FileType::from_raw_mode(stat.st_mode),
                            Err(err) => {
                                problems.push(err.into());
                                continue;
                            }
                        }
                    }
                    known => known,
                };
                let kind = match file_type {
                    FileType::Directory => Kind::Folder,
                    FileType::RegularFile => Kind::File,
                    _ => Kind::Other,
                };
                entries.push(Entry { name, kind });
            }
        }
        #[cfg(not(unix))]
        {
            for entry in std::fs::read_dir(&self.path)? {
                match entry.and_then(|e| Ok((e.file_type()?, e))) {
                    Ok((file_type, entry)) => entries.push(Entry {
                        name: entry.file_name().into_string(),
                        kind: if file_type.is_dir() {
                            Kind::Folder
                        } else if file_type.is_file() {
                            Kind::File
                        } else {
                            Kind::Other
                        },
                    }),
                    Err(err) => problems.push(err),
                }
            }
        }
        Ok((entries, problems))
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

#[cfg(unix)]
fn no_follow() -> rustix::fs::AtFlags {
    rustix::fs::AtFlags::SYMLINK_NOFOLLOW
}
