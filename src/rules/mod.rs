//! The rules, above the text formats: the ledger's settings, who is due
//! and why, and the checks of a prospect.

pub mod check;
pub mod due;
pub mod settings;
