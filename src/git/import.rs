//! `import csv`'s writing (SPEC section 9): the rows of a checked
//! [`Plan`] less those the ledger (or an earlier row) has already, each
//! written as `add` writes a prospect, all in one commit. Nothing is
//! written until every row has passed `add`'s checks, so a bad row leaves
//! the ledger and the repository as they were.

use std::collections::{HashMap, HashSet};
use std::fs;

use rayon::iter::ParallelIterator;

use crate::error::{CellProblem, Error, Problem, Result};
use crate::format::diagnostic::{Code, Diagnostic};
use crate::format::edit;
use crate::format::prospect::id_of;
use crate::git::transaction::Progress;
use crate::git::write::{note_line, slug, NewProspect, Recorded, Writer};
use crate::ledger::walk::walk;
use crate::rules::check::duplicate_key;
use crate::rules::import::{Incoming, Plan};

/// A row written as a prospect (or that would be, in a dry run).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Added {
    /// The row (the header is row 1).
    pub row: usize,
    /// The new prospect's id.
    pub id: String,
    /// Its file, relative to the root.
    pub path: String,
    /// Its name.
    pub name: String,
}

/// A row left out because the ledger has its prospect already.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// The row (the header is row 1).
    pub row: usize,
    /// The name the row gives.
    pub name: String,
    /// What it shares with the prospect there.
    pub same: Same,
    /// The prospect's id, or `row N` for an earlier row of the file.
    pub as_of: String,
}

/// What a skipped row shares with a prospect already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Same {
    /// The same email (case-insensitive).
    Email,
    /// No email, or none matched, and the same name (case-insensitive):
    /// `add` refuses a second prospect of one name.
    Name,
}

/// What an import did, or would do.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The rows written (to be written), in file order.
    pub added: Vec<Added>,
    /// The rows left out, in file order.
    pub skipped: Vec<Skipped>,
    /// What git made of it; `None` in a dry run.
    pub recorded: Option<Recorded>,
    /// How many prospect files are held back for a broken front matter
    /// (`ledger lint` tells why): a row is still matched against the name
    /// and email they hold, where those can be read.
    pub held_back: usize,
}

/// The prospects already there, by email and by name, each as the
/// `duplicate` check compares it ([`duplicate_key`]).
#[derive(Debug, Default)]
struct Known {
    by_email: HashMap<String, String>,
    by_name: HashMap<String, String>,
}

impl Known {
    fn learn(&mut self, email: Option<&str>, name: &str, as_of: &str) {
        if let Some(email) = email.map(duplicate_key).filter(|e| !e.is_empty()) {
            self.by_email
                .entry(email)
                .or_insert_with(|| as_of.to_owned());
        }
        self.by_name
            .entry(duplicate_key(name))
            .or_insert_with(|| as_of.to_owned());
    }

    /// What `row` shares with a prospect known, and which: its email
    /// first, else its name.
    fn matching(&self, row: &Incoming) -> Option<(Same, String)> {
        let by_email = row.email.as_ref().and_then(|e| self.by_email.get(e));
        match by_email {
            Some(as_of) => Some((Same::Email, as_of.clone())),
            None => self
                .by_name
                .get(&duplicate_key(&row.name))
                .map(|as_of| (Same::Name, as_of.clone())),
        }
    }
}

impl Writer<'_> {
    /// Import the rows of `plan`: each row the ledger has no prospect for
    /// becomes one, written as `add` writes it, and all of them one
    /// commit, `import NAME: N added, M skipped`, `name` being the file's
    /// name (a bad row is named with the file as the plan has it, the
    /// path as it was given). A `dry_run` writes nothing. `progress`
    /// hears how it goes.
    pub fn import(
        &self,
        plan: &Plan,
        name: &str,
        dry_run: bool,
        progress: &dyn Progress,
    ) -> Result<Imported> {
        // Held from the reading of the prospects there to the commit: an
        // import (or an `add`) running at the same moment waits, and then
        // finds these rows in the ledger, rather than adding them twice.
        let held = match dry_run {
            true => None,
            false => Some(self.hold()?),
        };
        // Every file the walk found is taken: `free_path` passes over it
        // without reading it again (a prospect of a row's name was matched
        // here already, and the row skipped).
        let (mut known, mut taken, held_back) = self.known_prospects();
        let mut added = Vec::new();
        let mut skipped = Vec::new();
        let mut texts = Vec::new();
        let mut problems = Vec::new();
        // The number each slug was last given, so that rows of one slug
        // do not try every number before theirs.
        let mut numbers: HashMap<String, u32> = HashMap::new();
        progress.begin("checking rows", plan.rows.len());
        for row in &plan.rows {
            progress.advance();
            if let Some((same, as_of)) = known.matching(row) {
                skipped.push(Skipped {
                    row: row.row,
                    name: row.name.clone(),
                    same,
                    as_of,
                });
                continue;
            }
            let base = slug(&row.name);
            let from = numbers.get(&base).map_or(1, |n| n + 1);
            let (path, n) = self.free_path(&row.name, from, &taken)?;
            let text = match self.row_text(row, &path) {
                Ok(text) => text,
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            };
            numbers.insert(base, n);
            let id = id_of(&path).to_owned();
            known.learn(row.email.as_deref(), &row.name, &format!("row {}", row.row));
            taken.insert(path.clone());
            added.push(Added {
                row: row.row,
                id,
                path,
                name: row.name.trim().to_owned(),
            });
            texts.push(text);
        }
        if !problems.is_empty() {
            return Err(Error::BadRows {
                file: plan.file.clone(),
                problems,
            });
        }
        let Some(held) = held else {
            return Ok(Imported {
                added,
                skipped,
                recorded: None,
                held_back,
            });
        };
        if added.is_empty() {
            return Ok(Imported {
                added,
                skipped,
                recorded: Some(Recorded::Unchanged),
                held_back,
            });
        }
        let folders: HashSet<&str> = added
            .iter()
            .filter_map(|a| a.path.rsplit_once('/').map(|(dir, _)| dir))
            .collect();
        for folder in folders {
            let dir = self.ledger.root.join(folder);
            fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        let message = format!(
            "import {name}: {} added, {} skipped",
            added.len(),
            skipped.len()
        );
        let paths: Vec<&str> = added.iter().map(|a| a.path.as_str()).collect();
        let recorded = self.transact_held(held, &paths, &message, progress, |before| {
            // A file that appeared since its path was chosen: another
            // process wrote it meanwhile.
            if let Some(i) = before.iter().position(Option::is_some) {
                let path = paths.get(i).map_or_else(String::new, |p| (*p).to_owned());
                return Err(Error::AlreadyExists { path });
            }
            Ok(texts.into_iter().map(Some).collect())
        })?;
        Ok(Imported {
            added,
            skipped,
            recorded: Some(recorded),
            held_back,
        })
    }

    /// The prospects of the ledger, by email and name (broken files are
    /// passed over: `lint` names them), and the path of every file the
    /// walk found.
    fn known_prospects(&self) -> (Known, HashSet<String>, usize) {
        type Who = (Option<String>, String, String);
        let found: Vec<(String, Option<Who>, bool)> =
            walk(&self.ledger.root, &self.ledger.settings)
                .filter_map(|found| {
                    let found = found.ok()?;
                    let prospect = found.read();
                    let broken = prospect.as_ref().is_some_and(|p| p.fields().is_none());
                    let who = prospect.as_ref().and_then(|prospect| {
                        let (name, email) = prospect.who()?;
                        Some((
                            email.map(str::to_owned),
                            name.to_owned(),
                            prospect.id.clone(),
                        ))
                    });
                    Some((found.relative, who, broken))
                })
                .collect();
        let mut paths = HashSet::with_capacity(found.len());
        let mut whos: Vec<Who> = Vec::with_capacity(found.len());
        let mut held_back = 0;
        for (path, who, broken) in found {
            paths.insert(path);
            whos.extend(who);
            held_back += usize::from(broken);
        }
        // The walk's order is the system's: the first of two matches
        // named should not depend on it.
        whos.sort_by(|a, b| a.2.cmp(&b.2));
        let mut known = Known::default();
        for (email, name, id) in &whos {
            known.learn(email.as_deref(), name, id);
        }
        (known, paths, held_back)
    }

    /// The file a row makes at `path`: `add`'s text, its note of the last
    /// contact logged; or why `add` would refuse it, at the column at fault.
    fn row_text(&self, row: &Incoming, path: &str) -> std::result::Result<String, CellProblem> {
        let refused = |column: Option<&str>, message: String| CellProblem {
            row: row.row,
            column: column.map(str::to_owned),
            problem: Problem::Refused(message),
        };
        let new = NewProspect {
            name: row.name.clone(),
            fields: row.fields.clone(),
            tags: row.tags.clone(),
        };
        let why = |err: Error| match err {
            Error::Refused(why) => why,
            other => other.to_string(),
        };
        // The plan checked each cell as `add` checks a value: what is left
        // to refuse here is the file as a whole.
        let mut text = self
            .new_text(&new, row.added.unwrap_or(self.today))
            .map_err(|err| refused(None, why(err)))?;
        if let Some(note) = &row.note {
            let line = note_line(note.date, &note.text);
            text = edit::add_entry(&text, &line, note.date)
                .map_err(|err| refused(row.column_of("last_contacted"), err.to_string()))?;
        }
        // `check_new`'s check, with the problem's line kept to find its column.
        let (_, found) = self.status_of(path, &text);
        match found.into_iter().find(|d| d.code.breaks_prospect()) {
            Some(problem) => Err(refused(column_at(row, &text, &problem), problem.message)),
            None => Ok(text),
        }
    }
}

/// The column of `row` that a problem of the file it makes (`text`) comes
/// from: the column of the key on the problem's line; for a problem of the
/// front matter as a whole, which in a file `add` writes can only be its
/// size, the column of its longest line, the cell that made it so large.
fn column_at<'r>(row: &'r Incoming, text: &str, problem: &Diagnostic) -> Option<&'r str> {
    // The front matter's lines; the file's line 2 is the first of them.
    let front: Vec<&str> = text
        .lines()
        .skip(1)
        .take_while(|line| *line != "---")
        .collect();
    let line = match problem.code {
        Code::FrontMatter => front.iter().max_by_key(|line| line.len()),
        _ => problem.line.checked_sub(2).and_then(|i| front.get(i)),
    }?;
    let (key, _) = line.split_once(':')?;
    row.column_of(key)
}
