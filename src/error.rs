//! Errors a person can act on. The library says what happened, keeping the
//! error it met (git's, the system's) as the source; the CLI decides the
//! hints shown beside it and the exit status: usage errors exit 2,
//! everything else 1.

use std::io;
use std::path::PathBuf;

use crate::format::date::Date;
use crate::format::text::{self, count, printable, printable_lines, quoted_list};

/// Everything that can go wrong in `ledger`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A command-line value that makes no sense (exit status 2).
    #[error("{0}")]
    Usage(String),

    /// No prospect matches the name given.
    #[error("no prospect matches `{}`{}", printable(.query), did_you_mean(.candidates))]
    NoMatch {
        /// What was asked for.
        query: String,
        /// Close names, if any.
        candidates: Vec<String>,
    },

    /// Several prospects match the name given.
    #[error("`{}` matches {} prospects; name one of them:{}", printable(.query), .candidates.len(), listing(.candidates))]
    Ambiguous {
        /// What was asked for.
        query: String,
        /// The ids that match.
        candidates: Vec<String>,
    },

    /// `ledger.yaml` cannot be read.
    #[error("{path}:{line}:{column}: {message}")]
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

    /// A message template that cannot be rendered: a syntax error, or a
    /// variable it names that does not exist.
    #[error("{path}:{line}:{column}: {message}")]
    BadTemplate {
        /// The template, as it was named.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },

    /// A prospect that gets no draft: it is closed, or asked not to be
    /// contacted.
    #[error("no draft for {name}: {}", no_draft(.closed, .dnc_since))]
    NoDraft {
        /// The prospect's name.
        name: String,
        /// The closed stage it is in, if it is closed.
        closed: Option<String>,
        /// Since when it asked not to be contacted, if it said when.
        dnc_since: Option<Date>,
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

    /// git failed at something in the repository.
    #[error("{doing}: {}", .source.message())]
    Git {
        /// What was being done (`cannot read HEAD`).
        doing: String,
        /// git's error.
        source: git2::Error,
    },

    /// Fetching from or pushing to a remote failed; nothing was changed.
    #[error("{doing}: {}; nothing was changed", .source.message())]
    Remote {
        /// What was being done, the remote's URL without credentials
        /// (`cannot fetch from https://host/sales.git`).
        doing: String,
        /// git's error, its message without credentials either.
        source: git2::Error,
    },

    /// The remote took none of the credentials offered; nothing was changed.
    #[error("{doing}: no credentials were accepted ({}); nothing was changed", .source.message())]
    NoCredentials {
        /// What was being done, as in [`Error::Remote`].
        doing: String,
        /// git's error, its message without credentials.
        source: git2::Error,
    },

    /// git has no name and email to commit as; nothing was changed.
    #[error("no git identity to commit as; nothing was changed")]
    NoIdentity,

    /// A change refused (by ledger, git or the remote) before anything was
    /// changed: the message says why.
    #[error("{0}; nothing was changed")]
    Refused(String),

    /// A push the remote refused, with what it said, a line each (each
    /// value in it shown escaped where it was put in); nothing was changed.
    #[error("{0}\nNothing was changed")]
    PushRefused(String),

    /// A prospect file of that name is there already; nothing was changed.
    #[error("{path} already exists; nothing was changed")]
    AlreadyExists {
        /// The file, relative to the root.
        path: String,
    },

    /// A prospect of the same name (in any case) is in the ledger already
    /// (SPEC section 10); nothing was changed.
    #[error("{path} has that name already ({name}); nothing was changed")]
    SameName {
        /// Its file, relative to the root.
        path: String,
        /// Its name, as written there.
        name: String,
    },

    /// An outbound touch for a prospect who asked not to be contacted.
    #[error("{name} asked not to be contacted{} (dnc in {path}): no outbound touch was logged", since_date(.since))]
    DoNotContact {
        /// The prospect's name.
        name: String,
        /// The file, relative to the root.
        path: String,
        /// Since when, if known.
        since: Option<Date>,
    },

    /// The remote's branch has no commit in common with the local one: most
    /// likely another ledger (a wrong URL), which a merge would join to
    /// this one and a push would then fill; nothing was changed.
    #[error("{remote}/{branch} shares no history with this branch; nothing was changed")]
    Unrelated {
        /// The remote.
        remote: String,
        /// The remote's branch.
        branch: String,
    },

    /// Both sides of a sync changed the same things differently: the
    /// message lists them; nothing was changed.
    #[error("{0}")]
    Clash(String),

    /// Someone else moved a branch while the sync was under way.
    #[error("{0}")]
    Raced(String),

    /// A sync that was interrupted cannot be finished as things stand now.
    #[error("{0}")]
    Unfinished(String),

    /// Files changed in the work tree that a sync would overwrite.
    #[error("local changes in {} would be overwritten:{}\nCommit or stash them, then sync again; nothing was changed", printable(&.workdir.display().to_string()), listing(.files))]
    InTheWay {
        /// The work tree.
        workdir: PathBuf,
        /// The files, relative to it.
        files: Vec<String>,
    },

    /// A failed sync could not put the repository back as it was.
    #[error("{}\nand the repository could not be put back as it was: {}", .error.shown(), .also.shown())]
    NotPutBack {
        /// Why the sync failed.
        #[source]
        error: Box<Error>,
        /// Why putting it back failed.
        also: Box<Error>,
    },

    /// Putting the repository back failed, and was written down: the next
    /// sync finishes it.
    #[error("{}\nThe next sync finishes putting it back", .0.shown())]
    PutBackNextSync(#[source] Box<Error>),

    /// A CSV file that `import` cannot take as it is: every bad row found,
    /// each at its row and column; nothing was written.
    #[error("{}: {}; nothing was written:{}", printable(.file), rows_phrase(.problems), cell_listing(.problems))]
    BadRows {
        /// The file, as it was named.
        file: String,
        /// Every problem, in row order.
        problems: Vec<CellProblem>,
    },

    /// A CSV file whose header no preset knows, and which no `--map`
    /// gives a name: the columns found are listed.
    #[error("{file}: no column gives a prospect's name; the columns are {}; nothing was written", quoted_list(.columns, LISTED))]
    UnknownColumns {
        /// The file, as it was named.
        file: String,
        /// The header's columns, in order.
        columns: Vec<String>,
    },

    /// A failure that none of the others describes.
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

    /// `bytes`, the contents of `path`, as text; refused when they are not
    /// UTF-8. (The message is one line, shown escaped: [`Error::shown`].)
    pub fn text_of(path: &std::path::Path, bytes: Vec<u8>) -> Result<String> {
        String::from_utf8(bytes)
            .map_err(|_| Error::Refused(format!("{} is not UTF-8 text", path.display())))
    }

    /// git's error met `doing` something (`cannot read HEAD`).
    pub fn git(doing: impl Into<String>, source: git2::Error) -> Error {
        Error::Git {
            doing: doing.into(),
            source,
        }
    }

    /// Whether this is a usage error (exit status 2).
    pub fn is_usage(&self) -> bool {
        matches!(self, Error::Usage(_))
    }

    /// Whether the message runs over several lines of its own making: a
    /// list of candidates, of bad rows or of files both sides of a sync
    /// changed or that it would overwrite, what to do after a sync raced
    /// or was interrupted, or what a failed sync left. Every
    /// value in such a message is shown escaped ([`printable`]) where it is
    /// put in; any other message is one line, and a line break in it came
    /// from a value (a file's, an argument's, a remote's), to be shown
    /// escaped with the rest of it ([`Error::shown`]).
    pub fn has_lines(&self) -> bool {
        match self {
            Error::NoMatch { candidates, .. } => !candidates.is_empty(),
            Error::Ambiguous { .. }
            | Error::Clash(_)
            | Error::Raced(_)
            | Error::Unfinished(_)
            | Error::InTheWay { .. }
            | Error::BadRows { .. }
            | Error::NotPutBack { .. }
            | Error::PushRefused(_)
            | Error::PutBackNextSync(_) => true,
            _ => false,
        }
    }

    /// The message for a terminal: nothing in it raw but the line breaks
    /// of [`Error::has_lines`].
    pub fn shown(&self) -> String {
        let message = self.to_string();
        match self.has_lines() {
            true => printable_lines(&message).into_owned(),
            false => printable(&message).into_owned(),
        }
    }

    /// Whether the output's reader went away (`ledger due | head`): not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// Each of `items` on a line of its own, indented and shown escaped
/// ([`printable`]): the list in a message of several lines.
pub(crate) fn listing(items: &[String]) -> String {
    items
        .iter()
        .map(|item| format!("\n  {}", printable(item)))
        .collect()
}

fn did_you_mean(candidates: &[String]) -> String {
    match candidates.is_empty() {
        true => String::new(),
        false => format!("; did you mean:{}", listing(candidates)),
    }
}

fn no_draft(closed: &Option<String>, dnc_since: &Option<Date>) -> String {
    match closed {
        Some(stage) => format!("it is closed ({stage})"),
        None => format!("they asked not to be contacted{}", since_date(dnc_since)),
    }
}

fn since_date(date: &Option<Date>) -> String {
    date.map(|d| format!(" since {d}")).unwrap_or_default()
}

/// One bad cell (or row) of an imported CSV file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    /// The row as a spreadsheet numbers it: the header is row 1.
    pub row: usize,
    /// The column's header, when one column is at fault.
    pub column: Option<String>,
    /// What is wrong.
    pub problem: Problem,
}

/// What is wrong with a cell or a row of an imported CSV file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Bytes that are not UTF-8.
    NotUtf8,
    /// More or fewer cells than the header has columns.
    CellCount {
        /// The header's columns.
        expected: usize,
        /// The row's cells.
        found: usize,
    },
    /// No cell gives the prospect a name.
    NoName,
    /// A value or a count that is not a number (≥ 0).
    NotANumber(String),
    /// A stage the ledger's settings do not have, and no preset maps.
    UnknownStage {
        /// The stage as the file has it.
        stage: String,
        /// The stages of `ledger.yaml`.
        stages: Vec<String>,
    },
    /// A date that is not `YYYY-MM-DD` (a time may follow), or not in the calendar.
    BadDate(String),
    /// A date of something that happened, after today.
    FutureDate(String),
    /// `dnc` that is neither true, false nor a date.
    NotDnc(String),
    /// What may not stand in a one-line value
    /// ([`text::breaks_a_value`]): a line break, a line separator or
    /// another control character.
    NotOneLine(char),
    /// A deal the CRM's export marks deleted (Pipedrive's `deleted`): made
    /// a prospect, a deal thrown away would be followed up again.
    DeletedDeal {
        /// The CRM, as a person calls it.
        crm: String,
    },
    /// Columns of one name, one of which is taken in: which of them gives
    /// the key cannot be told.
    SameHeader {
        /// Their positions, 1-based, in order.
        positions: Vec<usize>,
        /// The name they share.
        header: String,
        /// The key one of them gives.
        gives: String,
    },
    /// What `lint` says of the prospect the row would make.
    Refused(String),
}

/// The most problems an error lists; the rest are counted.
const LISTED: usize = 20;

fn rows_phrase(problems: &[CellProblem]) -> String {
    let mut rows: Vec<usize> = problems.iter().map(|p| p.row).collect();
    rows.dedup();
    format!("{} cannot be imported", count(rows.len(), "row"))
}

fn cell_listing(problems: &[CellProblem]) -> String {
    let mut out: String = problems
        .iter()
        .take(LISTED)
        .map(|p| format!("\n  {p}"))
        .collect();
    if problems.len() > LISTED {
        out.push_str(&format!("\n  … and {} more", problems.len() - LISTED));
    }
    out
}

impl std::fmt::Display for CellProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}", self.row)?;
        if let Some(column) = &self.column {
            write!(f, ", column `{}`", printable(column))?;
        }
        write!(f, ": {}", self.problem)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::NotUtf8 => write!(f, "not UTF-8 text"),
            Problem::CellCount { expected, found } => {
                let cells = count(*found, "cell");
                let columns = count(*expected, "column");
                write!(f, "{cells} where the header has {columns}")
            }
            Problem::NoName => write!(f, "no name: the row has no deal, person or company name"),
            Problem::NotANumber(value) => {
                write!(f, "`{}` is not a number of 0 or more", printable(value))
            }
            Problem::UnknownStage { stage, .. } => {
                write!(f, "unknown stage `{}`", printable(stage))
            }
            Problem::BadDate(value) => write!(
                f,
                "`{}` is not a date YYYY-MM-DD in the calendar",
                printable(value)
            ),
            Problem::FutureDate(value) => write!(f, "`{}` is after today", printable(value)),
            Problem::NotDnc(value) => write!(
                f,
                "`{}` is not true, false or a date YYYY-MM-DD",
                printable(value)
            ),
            Problem::NotOneLine(c) => f.write_str(&text::not_one_line(*c)),
            Problem::DeletedDeal { crm } => write!(
                f,
                "the deal was deleted in {}: remove the row to leave it out, \
                 or make its status `lost` to keep it as a lost deal",
                printable(crm)
            ),
            Problem::SameHeader {
                positions,
                header,
                gives,
            } => {
                let (last, others) = positions.split_last().unwrap_or((&0, &[]));
                let others: Vec<String> = others.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "columns {} and {last} are {} `{}`: which of them gives `{}` cannot be \
                     told; rename or remove all but one",
                    others.join(", "),
                    if others.len() == 1 { "both" } else { "all" },
                    printable(header),
                    printable(gives)
                )
            }
            Problem::Refused(message) => write!(f, "{}", printable(message)),
        }
    }
}
