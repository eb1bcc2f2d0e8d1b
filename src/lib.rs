//! `ledger`: a plain-text, git-friendly prospect ledger.
//!
//! Each prospect is a Markdown file with YAML front matter and a dated log of
//! touches. This library reads a ledger folder, works out who is due for a
//! follow-up and why ([`due`]), and checks the files ([`check`]). It knows
//! nothing of the command line: the `ledger` binary renders what it returns.

pub mod cache;
pub mod cadence;
pub mod check;
pub mod date;
pub mod diagnostic;
pub mod due;
pub mod edit;
pub mod entry;
pub mod error;
pub mod folder;
pub mod front_matter;
pub mod git;
pub mod keys;
pub mod ledger;
pub mod log;
pub mod merge;
pub mod prospect;
pub mod settings;
pub mod store;
pub mod sync;
pub mod text;
pub mod write;
pub mod yaml;

pub use error::{Error, Result};
