//! Errors a person can act on. The CLI decides the exit status: usage
//! errors exit 2, everything else 1.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong in `ledger`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A command-line value that makes no sense (exit status 2).
    #[error("{0}")]
    Usage(String),

    /// No prospect matches the name given.
    #[error("no prospect matches `{query}`{}", hint(.candidates))]
    NoMatch {
        /// What was asked for.
        query: String,
        /// Close names, if any.
        candidates: Vec<String>,
    },

    /// Several prospects match the name given.
    #[error("`{query}` matches {} prospects; name one of them:{}", .candidates.len(), listing(.candidates))]
    Ambiguous {
        /// What was asked for.
        query: String,
        /// The ids that match.
        candidates: Vec<String>,
    },

    /// `ledger.yaml` cannot be read.
    #[error("{path}:{line}:{column}: {message} (`ledger lint` lists every problem)")]
    BadConfig {
        /// The settings file, relative to the root.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },

    /// A prospect that cannot be used as it is.
    #[error("{path}:{line}:{column}: {message}")]
    BrokenProspect {
        /// The file, relative to the root.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },

    /// A file or folder that cannot be read or written.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },

    /// Writing the output failed (a closed pipe is not an error: see [`Error::is_broken_pipe`]).
    #[error("cannot write the output: {0}")]
    Output(#[from] io::Error),

    /// A refusal or failure with a full explanation.
    #[error("{0}")]
    Message(String),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Whether this is a usage error (exit status 2).
    pub fn is_usage(&self) -> bool {
        matches!(self, Error::Usage(_))
    }

    /// Whether the output's reader went away (`ledger due | head`): not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

fn listing(candidates: &[String]) -> String {
    candidates.iter().map(|c| format!("\n  {c}")).collect()
}

fn hint(candidates: &[String]) -> String {
    if candidates.is_empty() {
        " (`ledger list --all` shows every prospect)".to_owned()
    } else {
        format!("; did you mean:{}", listing(candidates))
    }
}
