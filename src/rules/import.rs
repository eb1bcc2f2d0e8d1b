//! Which column of a CSV file fills which key of a prospect (SPEC section
//! 9, `import csv`), and each row checked and turned into the prospect
//! `add` would write. The presets are tables: a CRM's column headers and
//! what each gives, and the CRM's stage names with the ledger stage each
//! becomes. Another export is one more table.
//!
//! What a column gives is named in the words `--map COLUMN=USE` takes:
//! a front-matter key (`name`, `email`, `value`, … or a key of the user's
//! own), or one of [`EXTRA_USES`], or nothing (the column is left out).

use std::collections::{HashMap, HashSet};

use crate::error::{CellProblem, Error, Problem, Result};
use crate::format::csv::{self, Row, Table};
use crate::format::date::{self, Date};
use crate::format::keys;
use crate::format::text::{self, count, quoted_list};
use crate::rules::check;
use crate::rules::settings::Settings;

impl Preset {
    /// The column `header` (compared without case) among those the preset
    /// knows: its place in [`Preset::columns`] and what it gives.
    fn column(&self, header: &str) -> Option<(usize, &'static str)> {
        self.columns
            .iter()
            .enumerate()
            .find_map(|(at, (known, gives))| {
                known.eq_ignore_ascii_case(header).then_some((at, *gives))
            })
    }

    /// How many of `header`'s columns the preset knows.
    fn knows(&self, header: &[String]) -> usize {
        header.iter().filter(|h| self.column(h).is_some()).count()
    }
}

/// A kind of CSV export `import` knows.
#[derive(Debug, PartialEq, Eq)]
pub struct Preset {
    /// Its name on the command line (`--preset hubspot`).
    pub name: &'static str,
    /// Its name in messages and notes (`HubSpot`).
    pub label: &'static str,
    /// Each column it knows (compared without case) and what it gives;
    /// `""`: left out without a word. When two columns give the same
    /// thing, the first of them in this table with a value wins.
    pub columns: &'static [(&'static str, &'static str)],
    /// Its stage names (compared without case, spaces or punctuation) and
    /// the ledger stage each becomes.
    pub stages: &'static [(&'static str, &'static str)],
}

/// What a column may give beyond the front-matter keys.
pub const EXTRA_USES: [(&str, &str); 5] = [
    (
        FIRST_NAME,
        "the person's first name (with last_name: contact)",
    ),
    (LAST_NAME, "the person's last name"),
    (
        STATUS,
        "a deal's status: open, won, lost or deleted (won and lost set the stage; \
         a deleted deal's row is refused)",
    ),
    (
        LAST_CONTACTED,
        "the date of the last contact: one note on that day",
    ),
    (CONTACTS, "how many contacts there were: said in that note"),
];

const FIRST_NAME: &str = "first_name";
const LAST_NAME: &str = "last_name";
const STATUS: &str = "status";
const LAST_CONTACTED: &str = "last_contacted";
const CONTACTS: &str = "contacts";

/// `ledger export csv`: its columns are the keys themselves; those from
/// `touches` on are worked out from the log, not front matter, and `id`
/// is not used (files are named from `name`, as `add` names them).
pub const LEDGER: Preset = Preset {
    name: "ledger",
    label: "ledger",
    columns: &[
        ("id", ""),
        ("name", "name"),
        ("company", "company"),
        ("contact", "contact"),
        ("email", "email"),
        ("phone", "phone"),
        ("stage", "stage"),
        ("value", "value"),
        ("currency", "currency"),
        ("owner", "owner"),
        ("source", "source"),
        ("tags", "tags"),
        ("added", "added"),
        ("next", "next"),
        ("dnc", "dnc"),
        ("reason", "reason"),
        ("touches", ""),
        ("unanswered", ""),
        ("budget", ""),
        ("last_touch", ""),
        ("due", ""),
        ("overdue_days", ""),
        ("due_reason", ""),
        ("channel", ""),
    ],
    stages: &[],
};

/// HubSpot's contact and deal exports.
pub const HUBSPOT: Preset = Preset {
    name: "hubspot",
    label: "HubSpot",
    columns: &[
        ("Deal Name", "name"),
        ("First Name", FIRST_NAME),
        ("Last Name", LAST_NAME),
        ("Associated Contact", "contact"),
        ("Email", "email"),
        ("Phone Number", "phone"),
        ("Mobile Phone Number", "phone"),
        ("Associated Company", "company"),
        ("Company Name", "company"),
        ("Deal owner", "owner"),
        ("Contact owner", "owner"),
        ("Deal Stage", "stage"),
        ("Lifecycle Stage", "stage"),
        ("Amount", "value"),
        ("Currency", "currency"),
        ("Original Source", "source"),
        ("Closed Lost Reason", "reason"),
        ("Create Date", "added"),
        ("Next Activity Date", "next"),
        ("Last Contacted", LAST_CONTACTED),
        ("Number of times contacted", CONTACTS),
    ],
    // Lifecycle stages, then the default sales pipeline's deal stages, by
    // their internal names (their labels, `Closed Won`, compare the same).
    stages: &[
        ("subscriber", "lead"),
        ("lead", "lead"),
        ("marketingqualifiedlead", "lead"),
        ("salesqualifiedlead", "qualified"),
        ("opportunity", "qualified"),
        ("customer", "won"),
        ("evangelist", "won"),
        ("other", "lead"),
        ("appointmentscheduled", "contacted"),
        ("qualifiedtobuy", "qualified"),
        ("presentationscheduled", "qualified"),
        ("decisionmakerboughtin", "proposal"),
        ("contractsent", "negotiation"),
        ("closedwon", "won"),
        ("closedlost", "lost"),
    ],
};

/// Pipedrive's exports, whose headers are `Entity - Field`.
pub const PIPEDRIVE: Preset = Preset {
    name: "pipedrive",
    label: "Pipedrive",
    columns: &[
        ("Deal - Title", "name"),
        ("Lead - Title", "name"),
        ("Person - Name", "contact"),
        ("Deal - Contact person", "contact"),
        ("Person - Email", "email"),
        ("Person - Phone", "phone"),
        ("Organization - Name", "company"),
        ("Deal - Organization", "company"),
        ("Deal - Owner", "owner"),
        ("Person - Owner", "owner"),
        ("Deal - Status", STATUS),
        ("Deal - Stage", "stage"),
        ("Deal - Value", "value"),
        ("Deal - Currency", "currency"),
        ("Deal - Lost reason", "reason"),
        ("Deal - Deal created", "added"),
        ("Activity - Due date", "next"),
        ("Deal - Next activity date", "next"),
        ("Person - Next activity date", "next"),
        ("Deal - Last activity date", LAST_CONTACTED),
        ("Person - Last activity date", LAST_CONTACTED),
        ("Deal - Done activities", CONTACTS),
    ],
    // The stages of Pipedrive's default pipeline.
    stages: &[
        ("Lead In", "lead"),
        ("Contact Made", "contacted"),
        ("Qualified", "qualified"),
        ("Demo Scheduled", "qualified"),
        ("Proposal Made", "proposal"),
        ("Negotiations Started", "negotiation"),
    ],
};

/// Every preset; `auto` picks the one that knows most of a header's
/// columns, the first of them on a tie.
pub const PRESETS: [&Preset; 3] = [&LEDGER, &HUBSPOT, &PIPEDRIVE];

/// What a deal's status says of the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DealStatus {
    /// An open deal: its stage column gives the stage.
    Open,
    /// A closed deal: this stage, whatever its stage column says.
    Closed(&'static str),
    /// A deal deleted in the CRM: the row is refused, not made a prospect
    /// to follow up, until its status is made `lost` or it is removed.
    Deleted,
}

/// A deal's status, as Pipedrive's `Deal - Status` writes it (`open`,
/// `won`, `lost`, `deleted`), and what it says of the row.
const STATUSES: [(&str, DealStatus); 4] = [
    ("open", DealStatus::Open),
    ("won", DealStatus::Closed("won")),
    ("lost", DealStatus::Closed("lost")),
    ("deleted", DealStatus::Deleted),
];

/// The order `add` writes keys in; a key of the user's own follows them.
const KEY_ORDER: [&str; 12] = [
    "company", "contact", "email", "phone", "stage", "value", "currency", "owner", "source",
    "next", "reason", "dnc",
];

/// The preset of this name (`ledger`, `hubspot`, `pipedrive`).
pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.into_iter().find(|p| p.name == name)
}

/// A note logged for a last-contacted date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The day of the last contact.
    pub date: Date,
    /// What the note says.
    pub text: String,
}

/// A row made into a prospect to add.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    /// The row's number (the header is row 1).
    pub row: usize,
    /// The display name.
    pub name: String,
    /// The other keys, in the order `add` writes them, each value as it
    /// would be typed on the command line.
    pub fields: Vec<(String, String)>,
    /// Tags.
    pub tags: Vec<String>,
    /// When the prospect entered the CRM; `None`: today.
    pub added: Option<Date>,
    /// The note of the last contact, if the file gives one.
    pub note: Option<Note>,
    /// The email, as the `duplicate` check compares it
    /// ([`check::duplicate_key`]), that tells a prospect already there.
    pub email: Option<String>,
    /// The column each key of the prospect's front matter comes from
    /// (`name`, `tags`, `added`, each key of `fields`, and
    /// `last_contacted` for the note), so that a problem found in the file
    /// the row makes is named at its column.
    pub columns: Vec<(String, String)>,
}

impl Incoming {
    /// The column (its header) that gives `key` of the prospect.
    pub fn column_of(&self, key: &str) -> Option<&str> {
        self.columns
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, column)| column.as_str())
    }
}

/// What a file's columns give, and its rows made into prospects.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The file, as it was named (on the command line): every problem
    /// found in its rows later names it so.
    pub file: String,
    /// The preset used.
    pub preset: &'static Preset,
    /// The columns left out that the preset does not leave out silently.
    pub left_out: Vec<String>,
    /// Whether the preset knows any of the file's columns (else `--map`
    /// alone took them in).
    pub known: bool,
    /// Every row, in file order.
    pub rows: Vec<Incoming>,
}

/// One column and what it gives, with its rank: the first ranked with a
/// value in a row wins.
#[derive(Debug, Clone)]
struct Column {
    index: usize,
    header: String,
    gives: String,
    rank: usize,
}

/// Make every row of `table` (the file named `file`) into a prospect, by
/// `preset` (`None`: the one that knows the header best) and `maps`
/// (`COLUMN`, `USE`; an empty use leaves the column out), which win over
/// the preset. Every bad cell of every row is reported, each at its row
/// and column.
pub fn plan(
    table: &Table,
    file: &str,
    preset: Option<&'static Preset>,
    maps: &[(String, String)],
    settings: &Settings,
    today: Date,
) -> Result<Plan> {
    // Without a header there are no columns to name, nor to map.
    if table.header.iter().all(String::is_empty) {
        let what = match table.header.is_empty() {
            true => "the file is empty",
            false => "the file has no header: its first row names no column",
        };
        return Err(Error::Message(format!(
            "{file}: {what}; a file to import starts with a header row naming its columns \
             (name, email, …); nothing was written"
        )));
    }
    let preset = preset.unwrap_or_else(|| best_preset(&table.header));
    let columns = columns(table, preset, maps)?;
    let gives = |what: &str| columns.iter().any(|c| c.gives == what);
    let named = ["name", "contact", FIRST_NAME, LAST_NAME, "company"];
    if !named.iter().any(|what| gives(what)) {
        return Err(Error::UnknownColumns {
            file: file.to_owned(),
            columns: table.header.clone(),
        });
    }
    let silent = |header: &str| {
        preset
            .column(header)
            .is_some_and(|(_, gives)| gives.is_empty())
    };
    // A column without a header is named by its place, when any row
    // holds something in it (a trailing `,` makes an empty one).
    let holds_values = |i: usize| {
        table
            .rows
            .iter()
            .any(|row| row.cells.get(i).is_some_and(|cell| !cell.trim().is_empty()))
    };
    let left_out = table
        .header
        .iter()
        .enumerate()
        .filter(|(i, header)| !columns.iter().any(|c| c.index == *i) && !silent(header))
        .filter_map(|(i, header)| match header.is_empty() {
            false => Some(header.clone()),
            true => holds_values(i).then(|| format!("(column {}, no header)", i + 1)),
        })
        .collect();
    let reader = RowReader {
        preset,
        columns: &columns,
        settings,
        today,
    };
    let mut rows = Vec::with_capacity(table.rows.len());
    // The header's columns taken in twice, the rows that could not be
    // read, and those that read wrong: every row's problems, in row order.
    let mut problems = twins(&table.header, &columns);
    problems.extend_from_slice(&table.problems);
    for row in &table.rows {
        match reader.read(row) {
            Ok(incoming) => rows.push(incoming),
            Err(mut found) => problems.append(&mut found),
        }
    }
    problems.sort_by_key(|p| p.row);
    if !problems.is_empty() {
        return Err(Error::BadRows {
            file: file.to_owned(),
            problems,
        });
    }
    Ok(Plan {
        file: file.to_owned(),
        preset,
        left_out,
        known: preset.knows(&table.header) > 0,
        rows,
    })
}

/// A problem of the header (row 1) for each column taken in whose header
/// another column has too (compared without case, as `--map` and the
/// presets compare them): which of them gives the key cannot be told, and
/// `--map` names a column by its header, so it cannot tell them apart
/// either. Twins that are left out are only named in the report.
fn twins(header: &[String], columns: &[Column]) -> Vec<CellProblem> {
    let positions = positions(header);
    let mut named: HashSet<String> = HashSet::new();
    let mut problems: Vec<CellProblem> = Vec::new();
    for column in columns {
        let key = column.header.to_ascii_lowercase();
        let same: Vec<usize> = positions
            .get(&key)
            .map(|at| at.iter().map(|i| i + 1).collect())
            .unwrap_or_default();
        if same.len() < 2 || !named.insert(key) {
            continue;
        }
        problems.push(CellProblem {
            row: 1,
            column: Some(column.header.clone()),
            problem: Problem::SameHeader {
                positions: same,
                header: column.header.clone(),
                gives: column.gives.to_string(),
            },
        });
    }
    problems
}

/// Where each of `header`'s names is (0-based), by the name in lower case
/// (columns are named in any case), found in one pass: a header of
/// thousands of columns stays linear.
fn positions(header: &[String]) -> HashMap<String, Vec<usize>> {
    let mut positions: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        positions
            .entry(name.to_ascii_lowercase())
            .or_default()
            .push(i);
    }
    positions
}

/// The preset that knows most of `header`'s columns.
fn best_preset(header: &[String]) -> &'static Preset {
    let mut best = &LEDGER;
    for preset in PRESETS {
        if preset.knows(header) > best.knows(header) {
            best = preset;
        }
    }
    best
}

/// What each column of the header gives: `--map` first, then the preset.
fn columns(table: &Table, preset: &Preset, maps: &[(String, String)]) -> Result<Vec<Column>> {
    let mut columns: Vec<Column> = Vec::new();
    // Where each header is, and what each key is given from so far: many
    // maps over a wide header stay linear.
    let positions = positions(&table.header);
    let mut given_from: HashMap<String, String> = HashMap::new();
    for (rank, (column, gives)) in maps.iter().enumerate() {
        let found = positions
            .get(&column.trim().to_ascii_lowercase())
            .and_then(|at| at.first().copied());
        let Some(index) = found else {
            return Err(Error::Usage(format!(
                "--map {column}={gives}: the file has no column `{column}`; its columns are {}",
                quoted_list(&table.header, usize::MAX)
            )));
        };
        let gives = gives.trim();
        let known = EXTRA_USES.iter().any(|(name, _)| *name == gives);
        if !gives.is_empty() && !known && !keys::is_writable(gives) {
            return Err(Error::Usage(format!(
                "--map {column}={gives}: `{gives}` is not a key: use a front-matter key \
                 (letters, digits, `_`, `-` and `.`; not null, true or false), one of {}, \
                 or nothing to leave the column out",
                EXTRA_USES.map(|(name, _)| name).join(", ")
            )));
        }
        // Two columns of one key: which would win is not for --map to hide.
        let header = table.header.get(index).cloned().unwrap_or_default();
        if !gives.is_empty() {
            if let Some(other) = given_from.insert(gives.to_owned(), header.clone()) {
                return Err(Error::Usage(format!(
                    "--map gives `{gives}` twice, from `{other}` and `{column}`: map one column to a key"
                )));
            }
        }
        columns.push(Column {
            index,
            header,
            gives: gives.to_owned(),
            rank,
        });
    }
    let mapped: HashSet<usize> = columns.iter().map(|c| c.index).collect();
    for (index, header) in table.header.iter().enumerate() {
        if mapped.contains(&index) {
            continue;
        }
        if let Some((position, gives)) = preset.column(header) {
            columns.push(Column {
                index,
                header: header.clone(),
                gives: gives.to_owned(),
                rank: maps.len() + position,
            });
        }
    }
    columns.retain(|c| !c.gives.is_empty());
    columns.sort_by_key(|c| c.rank);
    Ok(columns)
}

/// What reads one row.
struct RowReader<'r> {
    preset: &'static Preset,
    columns: &'r [Column],
    settings: &'r Settings,
    today: Date,
}

/// A cell's value and the column it came from.
type Cell<'c> = (&'c str, &'c str);

impl RowReader<'_> {
    /// The row made into a prospect, or every problem in it.
    fn read(&self, row: &Row) -> std::result::Result<Incoming, Vec<CellProblem>> {
        // The first column (by rank) with a value, for each thing a
        // column gives; then in the file's order, which problems follow.
        let mut cells: Vec<(&str, Cell, usize)> = Vec::new();
        let mut given: HashSet<&str> = HashSet::new();
        for column in self.columns {
            let value = row.cells.get(column.index).map_or("", |c| c.trim());
            let gives = column.gives.as_str();
            if !value.is_empty() && given.insert(gives) {
                cells.push((gives, (value, column.header.as_str()), column.index));
            }
        }
        cells.sort_by_key(|(_, _, index)| *index);
        let get = |what: &str| {
            cells
                .iter()
                .find(|(g, _, _)| *g == what)
                .map(|(_, c, _)| *c)
        };
        let mut problems = Vec::new();
        let mut problem = |column: Option<&str>, problem: Problem| {
            problems.push(CellProblem {
                row: row.number,
                column: column.map(str::to_owned),
                problem,
            });
        };
        for (_, (value, column), _) in &cells {
            if let Some(c) = value.chars().find(|&c| text::breaks_a_value(c)) {
                problem(Some(column), Problem::NotOneLine(c));
            }
        }
        let person = match (get(FIRST_NAME), get(LAST_NAME)) {
            (Some((first, _)), Some((last, _))) => Some(format!("{first} {last}")),
            (Some((one, _)), None) | (None, Some((one, _))) => Some((*one).to_owned()),
            (None, None) => None,
        };
        let contact = get("contact").map(|(v, _)| v.to_owned()).or(person);
        let name = get("name")
            .map(|(v, _)| v.to_owned())
            .or_else(|| contact.clone())
            .or_else(|| get("company").map(|(v, _)| v.to_owned()));
        if name.is_none() {
            // At the file's name column, when it has one.
            let column = self.columns.iter().find(|c| c.gives == "name");
            problem(column.map(|c| c.header.as_str()), Problem::NoName);
        }
        let mut fields: Vec<(String, String)> = Vec::new();
        if let Some(contact) = &contact {
            fields.push(("contact".into(), contact.clone()));
        }
        let mut tags = Vec::new();
        let mut added = None;
        let (mut last_contacted, mut contacts) = (None, None);
        let mut status_stage = None;
        for &(gives, (value, column), _) in &cells {
            match gives {
                "name" | "contact" | FIRST_NAME | LAST_NAME => {}
                "value" => match number(value) {
                    Some(_) => fields.push((gives.into(), value.to_owned())),
                    None => problem(Some(column), Problem::NotANumber(value.into())),
                },
                CONTACTS => match value.parse::<u64>() {
                    Ok(n) => contacts = Some(n),
                    Err(_) => problem(Some(column), Problem::NotANumber(value.into())),
                },
                "stage" => match self.stage(value) {
                    Ok(stage) => fields.push((gives.into(), stage)),
                    Err(p) => problem(Some(column), p),
                },
                STATUS => match self.status(value) {
                    Ok(stage) => status_stage = stage,
                    Err(p) => problem(Some(column), p),
                },
                "added" | "next" | LAST_CONTACTED => match day(value) {
                    None => problem(Some(column), Problem::BadDate(value.into())),
                    Some(d) if gives == LAST_CONTACTED && d > self.today => {
                        problem(Some(column), Problem::FutureDate(value.into()))
                    }
                    Some(d) if gives == "added" => added = Some(d),
                    Some(d) if gives == "next" => fields.push((gives.into(), d.to_string())),
                    Some(d) => last_contacted = Some(d),
                },
                "dnc" => match dnc(value) {
                    Some(Some(dnc)) => fields.push((gives.into(), dnc)),
                    Some(None) => {}
                    None => problem(Some(column), Problem::NotDnc(value.into())),
                },
                // As `export csv` joins them: `;` between tags, `\;` inside one.
                "tags" => tags.extend(csv::split_tags(value)),
                _ => fields.push((gives.into(), value.to_owned())),
            }
        }
        let status_set = status_stage.is_some();
        if let Some(stage) = status_stage {
            fields.retain(|(key, _)| key != "stage");
            fields.push(("stage".into(), stage));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let order = |key: &str| KEY_ORDER.iter().position(|k| *k == key);
        // Keys of the user's own keep the order of their columns.
        let column_of = |key: &str| self.columns.iter().position(|c| c.gives == key);
        fields.sort_by_key(|(key, _)| (order(key).unwrap_or(KEY_ORDER.len()), column_of(key)));
        let note = last_contacted.map(|date| Note {
            date,
            text: self.note_text(contacts),
        });
        let email = get("email").map(|(v, _)| check::duplicate_key(v));
        // Where each key came from: a name from the deal, else the person
        // (whose first and last names may make the contact), else the company.
        let column = |what: &str| get(what).map(|(_, header)| header.to_owned());
        let contact_from = column("contact")
            .or_else(|| column(FIRST_NAME))
            .or_else(|| column(LAST_NAME));
        let mut columns = vec![(
            "name".to_owned(),
            column("name")
                .or_else(|| contact_from.clone())
                .or_else(|| column("company")),
        )];
        for (key, _) in &fields {
            let from = match key.as_str() {
                "contact" => contact_from.clone(),
                "stage" if status_set => column(STATUS),
                key => column(key),
            };
            columns.push((key.clone(), from));
        }
        for key in ["tags", "added", LAST_CONTACTED] {
            columns.push((key.to_owned(), column(key)));
        }
        Ok(Incoming {
            row: row.number,
            name: name.unwrap_or_default(),
            fields,
            tags,
            added,
            note,
            email,
            columns: columns
                .into_iter()
                .filter_map(|(key, column)| Some((key, column?)))
                .collect(),
        })
    }

    /// The ledger stage for a stage in the file: a stage of the settings
    /// as it is, else the preset's name for one.
    fn stage(&self, value: &str) -> std::result::Result<String, Problem> {
        let wanted = squash(value);
        let own = self.settings.stages.iter().find(|s| squash(s) == wanted);
        let mapped = || {
            self.preset
                .stages
                .iter()
                .find(|(from, _)| squash(from) == wanted)
                .map(|(_, to)| (*to).to_owned())
        };
        match own.cloned().or_else(mapped) {
            Some(stage) if self.settings.is_stage(&stage) => Ok(stage),
            _ => Err(self.unknown_stage(value)),
        }
    }

    /// The stage a deal's status sets (`None`: an open deal keeps its
    /// stage). A deleted deal is a problem of its own: it was thrown away
    /// in the CRM, and made a prospect it would be followed up again.
    fn status(&self, value: &str) -> std::result::Result<Option<String>, Problem> {
        let found = STATUSES.iter().find(|(s, _)| s.eq_ignore_ascii_case(value));
        match found {
            Some((_, DealStatus::Open)) => Ok(None),
            Some((_, DealStatus::Closed(stage))) if self.settings.is_stage(stage) => {
                Ok(Some((*stage).into()))
            }
            Some((_, DealStatus::Deleted)) => Err(Problem::DeletedDeal {
                crm: match self.preset.name {
                    "ledger" => "the CRM".to_owned(),
                    _ => self.preset.label.to_owned(),
                },
            }),
            _ => Err(self.unknown_stage(value)),
        }
    }

    fn unknown_stage(&self, value: &str) -> Problem {
        Problem::UnknownStage {
            stage: value.to_owned(),
            stages: self.settings.stages.clone(),
        }
    }

    /// The note of the last contact: where it comes from, never a touch.
    fn note_text(&self, contacts: Option<u64>) -> String {
        let source = match self.preset.name {
            "ledger" => "the imported file".to_owned(),
            _ => format!("the {} export", self.preset.label),
        };
        match contacts {
            Some(n) => format!(
                "Last contacted on this day, says {source} ({} in all).",
                count(n as usize, "contact")
            ),
            None => format!("Last contacted on this day, says {source}."),
        }
    }
}

/// A name compared without case, spaces or punctuation: `Closed Won`,
/// `closedwon` and `closed_won` are one.
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A deal value: a number of at least 0, as the front matter takes it.
fn number(text: &str) -> Option<f64> {
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
}

/// The day of a cell: `YYYY-MM-DD`, alone or followed by a time (`2026-10-01
/// 09:30`, `2026-10-01T09:30:00Z`, `2026-10-01 09:30:00.000+02:00`), as
/// CRMs export them. Anything else after the date is refused, not guessed.
fn day(text: &str) -> Option<Date> {
    let (day, rest) = (text.get(..10)?, text.get(10..)?);
    if let Some(time) = rest.strip_prefix([' ', 'T']) {
        // The zone (`Z`, `+02:00`, `-0500`) after the time, then the time.
        let time = time.strip_suffix('Z').unwrap_or(time);
        let time = match time.get(5..).and_then(|t| t.rfind(['+', '-'])) {
            Some(at) => time.get(..at + 5)?,
            None => time,
        };
        let parsed = |format| chrono::NaiveTime::parse_from_str(time, format).is_ok();
        if !(parsed("%H:%M") || parsed("%H:%M:%S%.f")) {
            return None;
        }
    } else if !rest.is_empty() {
        return None;
    }
    date::parse_iso(day)
}

/// `dnc`: `Some(Some(value))` to write, `Some(None)` for no, `None` when
/// it is none of true, false or a date.
fn dnc(text: &str) -> Option<Option<String>> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" => Some(Some("true".into())),
        "false" | "no" => Some(None),
        _ => day(text).map(|d| Some(d.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `ledger` preset reads the columns `export csv` writes, in order.
    #[test]
    fn the_ledger_preset_knows_the_columns_of_export() {
        let preset: Vec<&str> = LEDGER.columns.iter().map(|(column, _)| *column).collect();
        let export: Vec<&str> = crate::rules::export::COLUMNS
            .iter()
            .map(|(column, ..)| *column)
            .collect();
        assert_eq!(preset, export);
    }
    use crate::format::csv;
    use crate::format::text::BOM;

    fn today() -> Date {
        date::parse_iso("2026-11-23").unwrap()
    }

    fn planned(text: &str, maps: &[(&str, &str)]) -> Result<Plan> {
        let table = csv::read("t.csv", text.as_bytes())?;
        let maps: Vec<(String, String)> = maps
            .iter()
            .map(|(c, k)| ((*c).to_owned(), (*k).to_owned()))
            .collect();
        plan(&table, "t.csv", None, &maps, &Settings::default(), today())
    }

    fn problems(text: &str) -> Vec<String> {
        match planned(text, &[]) {
            Err(Error::BadRows { problems, .. }) => {
                problems.iter().map(ToString::to_string).collect()
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn auto_tells_the_presets_apart() {
        let cases = [
            ("id,name,company,email,touches\n", "ledger"),
            ("First Name,Last Name,Email\n", "hubspot"),
            ("Deal Name,Amount,Deal Stage\n", "hubspot"),
            ("Deal - Title;Person - Name;Deal - Value\n", "pipedrive"),
            ("name,email\n", "ledger"),
        ];
        for (header, want) in cases {
            let table = csv::read("t.csv", header.as_bytes()).unwrap();
            assert_eq!(best_preset(&table.header).name, want, "{header}");
        }
    }

    #[test]
    fn a_hubspot_contact_row() {
        let plan = planned(
            "Record ID,First Name,Last Name,Email,Lifecycle Stage,Create Date,Last Contacted,Number of times contacted,Associated Company\n\
             101,Jane,Doe,Jane@Acme.example,salesqualifiedlead,2026-10-01 09:30,2026-11-10T14:00:00Z,3,Acme Corp\n",
            &[],
        )
        .unwrap();
        assert_eq!(plan.preset.name, "hubspot");
        assert_eq!(plan.left_out, ["Record ID"]);
        let row = &plan.rows[0];
        assert_eq!(row.row, 2);
        assert_eq!(row.name, "Jane Doe");
        let fields: Vec<(&str, &str)> = row
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("company", "Acme Corp"),
                ("contact", "Jane Doe"),
                ("email", "Jane@Acme.example"),
                ("stage", "qualified")
            ]
        );
        assert_eq!(row.added, date::parse_iso("2026-10-01"));
        assert_eq!(row.email.as_deref(), Some("jane@acme.example"));
        assert_eq!(
            row.note,
            Some(Note {
                date: date::parse_iso("2026-11-10").unwrap(),
                text: "Last contacted on this day, says the HubSpot export (3 contacts in all)."
                    .into()
            })
        );
    }

    #[test]
    fn a_deal_s_title_is_the_name_and_its_status_the_stage() {
        let plan = planned(
            "Deal - Title;Deal - Status;Deal - Stage;Person - Name;Organization - Name\n\
             Pilot;won;Proposal Made;Jane Doe;Acme\n\
             Renewal;open;Proposal Made;;Acme\n\
             ;open;Qualified;;Globex\n",
            &[],
        )
        .unwrap();
        let summary: Vec<(&str, Vec<String>)> = plan
            .rows
            .iter()
            .map(|r| {
                let fields = r.fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
                (r.name.as_str(), fields)
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "Pilot",
                    vec![
                        "company=Acme".into(),
                        "contact=Jane Doe".into(),
                        "stage=won".into()
                    ]
                ),
                (
                    "Renewal",
                    vec!["company=Acme".into(), "stage=proposal".into()]
                ),
                (
                    "Globex",
                    vec!["company=Globex".into(), "stage=qualified".into()]
                ),
            ]
        );
    }

    #[test]
    fn bad_cells_are_named_by_row_and_column() {
        let found = problems(
            "name,value,stage,next,dnc\n\
             Acme,12k,lead,,\n\
             ,1,lead,,\n\
             Globex,1,prospecting,2026-02-30,maybe\n",
        );
        assert_eq!(
            found,
            [
                "row 2, column `value`: `12k` is not a number of 0 or more",
                "row 3, column `name`: no name: the row has no deal, person or company name",
                "row 4, column `stage`: unknown stage `prospecting`",
                "row 4, column `next`: `2026-02-30` is not a date YYYY-MM-DD in the calendar",
                "row 4, column `dnc`: `maybe` is not true, false or a date YYYY-MM-DD",
            ]
        );
    }

    /// Pipedrive's fourth status: a deleted deal is a problem of its own
    /// at its status column, not an unknown stage, and not made a prospect.
    #[test]
    fn a_deleted_deal_is_refused_at_its_status() {
        let found = problems(
            "Deal - Title;Deal - Status;Deal - Stage\n\
             Alte Firma GmbH;deleted;Proposal Made\n\
             Новая сделка;open;Proposal Made\n\
             Starý obchod;Deleted;Lead In\n",
        );
        let deleted = "the deal was deleted in Pipedrive: remove the row to leave it out, \
                       or make its status `lost` to keep it as a lost deal";
        assert_eq!(
            found,
            [
                format!("row 2, column `Deal - Status`: {deleted}"),
                format!("row 4, column `Deal - Status`: {deleted}"),
            ]
        );
    }

    #[test]
    fn map_names_columns_and_wins_over_the_preset() {
        let plan = planned(
            "Full name,E-mail,Email,Stage\nJane,jane@a.example,other@b.example,lead\n",
            &[("full name", "name"), ("E-mail", "email"), ("Stage", "")],
        )
        .unwrap();
        let row = &plan.rows[0];
        assert_eq!(row.name, "Jane");
        assert_eq!(row.email.as_deref(), Some("jane@a.example"));
        assert!(!row.fields.iter().any(|(k, _)| k == "stage"));

        let unknown = planned("Foo,Bar\n1,2\n", &[]).unwrap_err();
        assert!(
            matches!(&unknown, Error::UnknownColumns { columns, .. } if columns == &["Foo", "Bar"]),
            "{unknown:?}"
        );
        let missing = planned("Foo\n1\n", &[("Baz", "name")]).unwrap_err();
        assert!(missing.is_usage(), "{missing:?}");
        let bad_key = planned("Foo\n1\n", &[("Foo", "na me")]).unwrap_err();
        assert!(bad_key.is_usage(), "{bad_key:?}");
    }

    /// A column taken in whose header another column has too is refused
    /// at row 1, naming both places; twins left out are only reported.
    #[test]
    fn a_column_named_twice_is_refused_when_it_is_taken_in() {
        // A file, its --map pairs, and the problems named.
        type Case<'c> = (&'c str, &'c [(&'c str, &'c str)], &'c [&'c str]);
        let cases: [Case; 3] = [
            (
                "name,email,email\nA,a@x.example,b@x.example\n",
                &[],
                &["row 1, column `email`: columns 2 and 3 are both `email`: \
                   which of them gives `email` cannot be told; rename or remove all but one"],
            ),
            (
                "Имя,Почта,Имя\nАнна,anna@x.example,Ирина\n",
                &[("Имя", "name"), ("Почта", "email")],
                &["row 1, column `Имя`: columns 1 and 3 are both `Имя`: \
                   which of them gives `name` cannot be told; rename or remove all but one"],
            ),
            (
                "Deal - Title;Person - Email;x;PERSON - EMAIL;Person - Email\nA;a@x;;b@x;c@x\n",
                &[],
                &[
                    "row 1, column `Person - Email`: columns 2, 4 and 5 are all `Person - Email`: \
                   which of them gives `email` cannot be told; rename or remove all but one",
                ],
            ),
        ];
        for (text, maps, want) in cases {
            let found: Vec<String> = match planned(text, maps) {
                Err(Error::BadRows { problems, .. }) => {
                    problems.iter().map(ToString::to_string).collect()
                }
                other => panic!("{text}: {other:?}"),
            };
            assert_eq!(found, want, "{text}");
        }
        let plan = planned("name,Notiz,Notiz\nMüller,a,b\n", &[]).unwrap();
        assert_eq!(plan.left_out, ["Notiz", "Notiz"]);
        // Without a header: named by its place when it holds anything.
        let plan = planned("name,,email,\nAcme,important,a@x.example,\n", &[]).unwrap();
        assert_eq!(plan.left_out, ["(column 2, no header)"]);
    }

    /// A file without a header says so, rather than that none of its
    /// (no) columns gives a name.
    #[test]
    fn a_file_without_a_header_says_so() {
        let cases = [
            ("", "t.csv: the file is empty; "),
            ("\u{feff}\n\n", "t.csv: the file is empty; "),
            (
                ",\nÄrger GmbH,1\n",
                "t.csv: the file has no header: its first row names no column; ",
            ),
        ];
        for (text, want) in cases {
            for maps in [&[][..], &[("name", "name")][..]] {
                let err = planned(text, maps).unwrap_err();
                assert!(matches!(err, Error::Message(_)), "{text:?}: {err:?}");
                let message = err.to_string();
                assert!(message.starts_with(want), "{text:?}: {message}");
                assert!(message.ends_with("nothing was written"), "{message}");
            }
        }
    }

    /// Every key of a row's prospect knows the column it came from.
    #[test]
    fn each_key_knows_its_column() {
        let plan = planned(
            "Deal - Title;Person - Name;Deal - Status;Deal - Stage;Häufigkeit\n\
             Pilot;Jürgen;won;Proposal Made;2w\n",
            &[("Häufigkeit", "cadence")],
        )
        .unwrap();
        let row = &plan.rows[0];
        let column = |key| row.column_of(key);
        assert_eq!(column("name"), Some("Deal - Title"));
        assert_eq!(column("contact"), Some("Person - Name"));
        assert_eq!(column("stage"), Some("Deal - Status"));
        assert_eq!(column("cadence"), Some("Häufigkeit"));
        assert_eq!(column("tags"), None);
        let plan = planned("First Name,Last Name,Company Name\nJürgen,Groß,Acme\n", &[]).unwrap();
        assert_eq!(plan.rows[0].column_of("name"), Some("First Name"));
        assert_eq!(plan.rows[0].column_of("company"), Some("Company Name"));
    }

    #[test]
    fn stages_compare_without_case_or_spaces() {
        let plan = planned(
            "Deal Name,Deal Stage\nA,Closed Won\nB,closedlost\nC,Negotiation\nD,contractsent\n",
            &[],
        )
        .unwrap();
        let stages: Vec<&str> = plan
            .rows
            .iter()
            .map(|r| {
                r.fields
                    .iter()
                    .find(|(k, _)| k == "stage")
                    .map(|(_, v)| v.as_str())
                    .unwrap()
            })
            .collect();
        assert_eq!(stages, ["won", "lost", "negotiation", "negotiation"]);
    }

    /// Any bytes, built mostly from what CSV files and the presets' headers
    /// are made of: reading and planning never panic, a plan has a
    /// prospect for every row, and a refusal names at least one problem.
    #[test]
    fn any_file_is_read_or_refused_without_panicking() {
        use proptest::prelude::*;
        let piece = prop_oneof![
            Just(b",".to_vec()),
            Just(b";".to_vec()),
            Just(b"\"".to_vec()),
            Just(b"'".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(BOM.as_bytes().to_vec()),
            Just(b"name".to_vec()),
            Just(b"Deal Stage".to_vec()),
            Just(b"Deal - Status".to_vec()),
            Just(b"Amount".to_vec()),
            Just(b"Last Contacted".to_vec()),
            Just(b"2026-02-30".to_vec()),
            Just(b"2026-11-10 09:30".to_vec()),
            Just(b"closedwon".to_vec()),
            Just("Иван \u{202e}東京".as_bytes().to_vec()),
            proptest::collection::vec(any::<u8>(), 0..6),
        ];
        let file = proptest::collection::vec(piece, 0..40).prop_map(|p| p.concat());
        proptest!(ProptestConfig::with_cases(512), |(bytes in file)| {
            let Ok(table) = csv::read("t.csv", &bytes) else {
                return Ok(());
            };
            match plan(&table, "t.csv", None, &[], &Settings::default(), today()) {
                Ok(plan) => prop_assert_eq!(plan.rows.len(), table.rows.len()),
                Err(Error::BadRows { problems, .. }) => prop_assert!(!problems.is_empty()),
                Err(Error::UnknownColumns { .. }) => {}
                Err(Error::Message(_)) => prop_assert!(table.header.iter().all(String::is_empty)),
                Err(other) => prop_assert!(false, "{other:?}"),
            }
        });
    }

    #[test]
    fn days_as_crms_write_them() {
        let cases = [
            ("2026-10-01", Some("2026-10-01")),
            ("2026-10-01 09:30", Some("2026-10-01")),
            ("2026-10-01T09:30:00.000Z", Some("2026-10-01")),
            ("2026-10-01 09:30:15", Some("2026-10-01")),
            ("2026-10-01T09:30:00.123+02:00", Some("2026-10-01")),
            ("2026-10-01 09:30:00-0500", Some("2026-10-01")),
            // Anything after the date but a time is refused, not cut off.
            ("2026-10-01 garbage", None),
            ("2026-10-01Tx", None),
            ("2026-10-01T25:99", None),
            ("2026-10-01 ", None),
            ("", None),
            ("2026-02-30", None),
            ("10/01/2026", None),
            ("2026-10-01x", None),
            ("2026-10-0", None),
            ("2026-10-ü1", None),
        ];
        for (text, want) in cases {
            assert_eq!(day(text).map(|d| d.to_string()).as_deref(), want, "{text}");
        }
    }
}
