//! The text formats, bottom layer: what a prospect file, its front matter,
//! its log and the command line's dates and spans look like, read and
//! edited as text, the message templates of `draft`, and the CSV files
//! `import` reads. Nothing here
//! knows of folders, settings or git.

pub mod cadence;
pub mod csv;
pub mod date;
pub mod diagnostic;
pub mod edit;
pub mod entry;
pub mod front_matter;
pub mod keys;
pub mod log;
pub mod prospect;
pub mod schema;
pub mod template;
pub mod text;
pub mod yaml;
