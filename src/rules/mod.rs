//! The rules, above the text formats: the ledger's settings, who is due
//! and why, the checks of a prospect, the figures of `stats`, the
//! messages of `draft`, the columns of `export csv`, and what each column
//! of an imported file gives.

pub mod check;
pub mod draft;
pub mod due;
pub mod export;
pub mod import;
pub mod settings;
pub mod stats;
