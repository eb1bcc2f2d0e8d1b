//! `ledger`: a plain-text, git-friendly prospect ledger.
//!
//! Each prospect is a Markdown file with YAML front matter and a dated log of
//! touches. This library reads a ledger folder, works out who is due for a
//! follow-up and why ([`due`]), and checks the files ([`check`]). It knows
//! nothing of the command line: the `ledger` binary renders what it returns.

// No file, setting, argument or environment variable may make the library
// panic (SPEC section 10): text is cut with `get`, `split_once` and the
// like, never at a byte index that may fall inside a character or past the
// end. Tests may unwrap and index (clippy.toml).
#![warn(
    clippy::string_slice,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

pub mod error;
pub mod format;
pub mod git;
pub mod ledger;
pub mod rules;

pub use error::{Error, Result};

/// What the fuzz targets in `fuzz/` reach beyond the public API (built with
/// `--cfg fuzzing`, as `cargo fuzz` builds): each fast path beside the full
/// parser it must agree with.
#[cfg(fuzzing)]
pub mod fuzzing {
    pub use crate::format::front_matter::{
        read as read_front_matter, read_any as read_front_matter_fully,
    };
    pub use crate::format::log::{scan_any as scan_log_fully, scan_plain as scan_log_plainly};
}
