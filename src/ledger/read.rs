//! Reading one prospect file: at most [`MAX_FILE_BYTES`], UTF-8, with a
//! front-matter fence; anything else is a prospect that cannot be read,
//! or (no fence) not a prospect at all.

use std::fs;
use std::io::Read;
use std::path::Path;

use crate::format::front_matter;
use crate::format::prospect::Prospect;
use crate::format::text::{MAX_FILE_BYTES, MAX_FILE_MIB};

/// Open the file at `path` for reading when it is a regular file, itself:
/// `None` for a symbolic link (SPEC section 1: links are not followed), a
/// folder, a FIFO or a device. It is opened without waiting, so that a
/// FIFO is seen for what it is rather than waited on for a writer.
pub fn open_regular(path: &Path) -> std::io::Result<Option<fs::File>> {
    open_without_waiting(path, false)
}

/// The bytes of `ledger.yaml` at `path` ([`read_file`]).
pub fn read_settings(path: &Path) -> std::io::Result<Vec<u8>> {
    read_file(path, "a settings file")
}

/// The bytes of a file a person names or keeps beside the prospects
/// (`ledger.yaml`, a draft's template): a regular file, or a link to one
/// (it may be kept elsewhere and linked in), of at most
/// [`MAX_FILE_BYTES`]; `what` it is, for the error. A FIFO, a device or a
/// folder is an error, never waited on or read without end.
pub fn read_file(path: &Path, what: &str) -> std::io::Result<Vec<u8>> {
    let Some(file) = open_without_waiting(path, true)? else {
        return Err(std::io::Error::other(
            "it is not a file (a folder, a FIFO or a device)",
        ));
    };
    read_capped(file, what)
}

/// What `source` holds, when it is at most [`MAX_FILE_BYTES`]: no more is
/// read, so that a stream without end (`/dev/zero`) ends. `what` it is,
/// for the error.
pub fn read_capped(source: impl Read, what: &str) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    source.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "it is over the {MAX_FILE_MIB} MiB {what} may be"
        )));
    }
    Ok(bytes)
}

/// The bytes of the file at `path` when it is a regular file, itself
/// ([`open_regular`]); `None` for anything else.
pub fn read_regular(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    let Some(mut file) = open_regular(path)? else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}

/// How the ledger opens a file to read it: without waiting (a FIFO then
/// reads as nothing) and, unless `follow`, not through a link.
#[cfg(unix)]
pub(crate) fn reading_flags(follow: bool) -> rustix::fs::OFlags {
    use rustix::fs::OFlags;
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC;
    match follow {
        true => flags,
        false => flags | OFlags::NOFOLLOW,
    }
}

/// Open `path` for reading, without waiting, when it is a regular file
/// (through a link only when `follow` is set).
fn open_without_waiting(path: &Path, follow: bool) -> std::io::Result<Option<fs::File>> {
    #[cfg(unix)]
    let file: fs::File = {
        match rustix::fs::open(path, reading_flags(follow), rustix::fs::Mode::empty()) {
            Ok(file) => file.into(),
            // What `O_NOFOLLOW` gives for a link.
            Err(rustix::io::Errno::LOOP) => return Ok(None),
            Err(err) => return Err(err.into()),
        }
    };
    #[cfg(not(unix))]
    let file = match !follow && fs::symlink_metadata(path)?.is_symlink() {
        true => return Ok(None),
        false => fs::File::open(path)?,
    };
    Ok(file.metadata()?.is_file().then_some(file))
}

/// Whether the file at `path` is a regular file that opens with a
/// front-matter fence, as a prospect does, reading only the few bytes that
/// takes (a byte-order mark, `---` and a CRLF).
pub fn opens_with_fence(path: &Path) -> std::io::Result<bool> {
    let Some(file) = open_regular(path)? else {
        return Ok(false);
    };
    let mut head = Vec::with_capacity(8);
    file.take(8).read_to_end(&mut head)?;
    Ok(front_matter::has_fence(&head))
}

/// The prospect in the file at `relative` below `root`, when that is a
/// regular file, itself ([`open_regular`]); `None` for anything else, for
/// a file that cannot be opened, or one without a front-matter fence.
pub fn read_regular_prospect(root: &Path, relative: &str) -> Option<Prospect> {
    let file = open_regular(&root.join(relative)).ok()??;
    read_prospect(relative, || Ok(file))
}

/// Read one file as a prospect; `None` when it has no front-matter fence.
pub fn read_prospect(
    relative: &str,
    open: impl FnOnce() -> std::io::Result<fs::File>,
) -> Option<Prospect> {
    // Room for a whole prospect file of the usual size, so that it is
    // read in one call (and one more that finds the end): from nothing,
    // the buffer would grow in small steps, a call each
    // (docs/benchmarks.md).
    let bytes = &mut Vec::with_capacity(16 * 1024);
    let cannot = |err: std::io::Error| {
        Some(Prospect::unreadable(
            relative,
            format!("cannot read the file: {err}"),
        ))
    };
    let file = match open() {
        Ok(file) => file,
        Err(err) => return cannot(err),
    };
    if let Err(err) = (&file).take(MAX_FILE_BYTES + 1).read_to_end(bytes) {
        return cannot(err);
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        let size = file.metadata().map_or(MAX_FILE_BYTES + 1, |m| m.len());
        return front_matter::has_fence(bytes)
            .then(|| Prospect::unreadable(relative, crate::format::text::too_large(size)));
    }
    if !front_matter::has_fence(bytes) {
        return None;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(Prospect::parse(relative, text)),
        Err(err) => Some(Prospect::unreadable(
            relative,
            format!(
                "the file is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
                err.valid_up_to()
            ),
        )),
    }
}
