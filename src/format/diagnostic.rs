//! The problems `ledger lint` reports, each with a stable code (SPEC section 4).

use serde::Serialize;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something to look at.
    Warning,
    /// Something broken: `lint` fails.
    Error,
}

/// The stable code of a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// Front matter not closed, not YAML, or not a mapping.
    FrontMatter,
    /// No `name`.
    MissingName,
    /// A known key of the wrong type.
    BadField,
    /// A stage not in the settings.
    UnknownStage,
    /// A log item that does not follow the entry grammar.
    BadEntry,
    /// An entry dated after today.
    FutureEntry,
    /// A channel that is neither a touch channel nor `note`.
    UnknownChannel,
    /// An entry dated before the one above it.
    OutOfOrder,
    /// Two prospects share an email or a name.
    Duplicate,
    /// An open prospect untouched too long.
    Stalled,
    /// A follow-up long overdue.
    Overdue,
    /// The follow-up budget is spent.
    Exhausted,
    /// Closed as lost without using the follow-up budget.
    GaveUpEarly,
    /// An outbound touch after the prospect asked not to be contacted.
    DncContacted,
    /// `ledger.yaml` cannot be read.
    BadConfig,
    /// A prospect file that cannot be read at all (not UTF-8, unreadable, too large).
    Unreadable,
    /// git's conflict markers left in a file: both sides of a merge.
    Conflict,
}

impl Code {
    /// Every code, in the order of SPEC section 4, then the two it does
    /// not list (README, "Choices the format leaves open").
    const ALL: [Code; 17] = [
        Code::FrontMatter,
        Code::MissingName,
        Code::BadField,
        Code::UnknownStage,
        Code::BadEntry,
        Code::FutureEntry,
        Code::UnknownChannel,
        Code::OutOfOrder,
        Code::Duplicate,
        Code::Stalled,
        Code::Overdue,
        Code::Exhausted,
        Code::GaveUpEarly,
        Code::DncContacted,
        Code::BadConfig,
        Code::Unreadable,
        Code::Conflict,
    ];

    /// The code as printed: `front-matter`, `bad-entry`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Code::FrontMatter => "front-matter",
            Code::MissingName => "missing-name",
            Code::BadField => "bad-field",
            Code::UnknownStage => "unknown-stage",
            Code::BadEntry => "bad-entry",
            Code::FutureEntry => "future-entry",
            Code::UnknownChannel => "unknown-channel",
            Code::OutOfOrder => "out-of-order",
            Code::Duplicate => "duplicate",
            Code::Stalled => "stalled",
            Code::Overdue => "overdue",
            Code::Exhausted => "exhausted",
            Code::GaveUpEarly => "gave-up-early",
            Code::DncContacted => "dnc-contacted",
            Code::BadConfig => "bad-config",
            Code::Unreadable => "unreadable",
            Code::Conflict => "conflict",
        }
    }

    /// How bad a problem of this code is.
    pub fn severity(self) -> Severity {
        match self {
            Code::UnknownChannel
            | Code::OutOfOrder
            | Code::Duplicate
            | Code::Stalled
            | Code::Overdue
            | Code::Exhausted
            | Code::GaveUpEarly => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// Whether a problem of this code makes the whole prospect unusable.
    pub fn breaks_prospect(self) -> bool {
        matches!(
            self,
            Code::FrontMatter
                | Code::MissingName
                | Code::BadField
                | Code::UnknownStage
                | Code::Unreadable
        )
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Code::ALL
            .into_iter()
            .find(|c| c.as_str() == name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown code `{name}`")))
    }
}

/// One problem at one place in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file, relative to the ledger's root, `/`-separated.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Error or warning.
    pub severity: Severity,
    /// The stable code.
    pub code: Code,
    /// What is wrong, and where it helps, what to do.
    pub message: String,
}

impl Diagnostic {
    /// A problem of `code` at `line:column` of `path`.
    pub fn new(
        path: &str,
        line: usize,
        column: usize,
        code: Code,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            path: path.to_owned(),
            line,
            column,
            severity: code.severity(),
            code,
            message: message.into(),
        }
    }

    /// The order `lint` prints in: path, line, column, code.
    pub fn sort_key(&self) -> (&str, usize, usize, &'static str) {
        (&self.path, self.line, self.column, self.code.as_str())
    }
}
