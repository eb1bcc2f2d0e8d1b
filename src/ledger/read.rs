//! Reading one prospect file: at most [`MAX_FILE_BYTES`], UTF-8, with a
//! front-matter fence; anything else is a prospect that cannot be read,
//! or (no fence) not a prospect at all.

use std::fs;
use std::io::Read;
use std::path::Path;

use crate::format::front_matter;
use crate::format::prospect::Prospect;
use crate::format::text::{MAX_FILE_BYTES, MAX_FILE_MIB};

/// Whether the file at `path` opens with a front-matter fence, as a
/// prospect does, reading only the few bytes that takes (a byte-order
/// mark, `---` and a CRLF).
pub fn opens_with_fence(path: &Path) -> std::io::Result<bool> {
    let mut head = Vec::with_capacity(8);
    fs::File::open(path)?.take(8).read_to_end(&mut head)?;
    Ok(front_matter::has_fence(&head))
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
        return front_matter::has_fence(bytes).then(|| {
            Prospect::unreadable(
                relative,
                format!(
                    "the file is {} bytes, over the {} MiB a prospect file may be",
                    size, MAX_FILE_MIB
                ),
            )
        });
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
