//! The rules, above the text formats: the ledger's settings, who is due
//! and why, the checks of a prospect, and the figures of `stats`.

pub mod check;
pub mod due;
pub mod settings;
pub mod stats;
