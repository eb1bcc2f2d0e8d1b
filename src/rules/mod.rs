//! The rules, above the text formats: the ledger's settings, who is due
//! and why, the checks of a prospect, the figures of `stats`, the
//! messages of `draft`, and the columns of `export csv`.

pub mod check;
pub mod draft;
pub mod due;
pub mod export;
pub mod settings;
pub mod stats;
