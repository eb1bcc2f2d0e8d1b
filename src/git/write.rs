//! The writing commands' work: `add`, `touch`, `set`, `close`, `commit`,
//! `init`. Each is one transaction: take the lock, read the file afresh,
//! edit it (changing only what it means to), check the result as `lint`
//! would, write it atomically, and commit exactly what was written. Anything
//! refused or failed leaves every file and the repository as they were.

use std::cell::Cell;
use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::format::date::{self, Date};
use crate::format::diagnostic::Diagnostic;
use crate::format::edit;
use crate::format::entry::{Entry, Parts};
use crate::format::front_matter::Dnc;
use crate::format::prospect::{id_of, Prospect};
use crate::format::text::{self, MAX_FILE_BYTES};
use crate::format::yaml;
use crate::git::transaction::{self, Progress, Quiet};
use crate::git::{Ahead, Commit, Repo};
use crate::ledger::report::{Filter, Keep, Query, Report};
use crate::ledger::store::{self, Lock};
use crate::ledger::{self, read, Ledger};
use crate::rules::check::{self, duplicate_key, Context};
use crate::rules::due::Status;
use crate::rules::settings::{self, NOTE};

/// What became of a write in git.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// Committed.
    Committed(Commit),
    /// Written, and nothing differed from HEAD.
    Unchanged,
    /// Written; `--no-commit` was asked for.
    NotAsked,
    /// Written; the ledger is not in a git work tree.
    OutsideGit,
}

/// The result of a write to one prospect.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The prospect's id.
    pub id: String,
    /// Its path, relative to the root.
    pub path: String,
    /// Its status after the write (`None` if it cannot be worked out).
    pub status: Option<Status>,
    /// What git made of it.
    pub recorded: Recorded,
}

/// What `--next` asks of a touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Clear `next` if it falls on or before the touch, else keep it.
    Keep,
    /// Set `next` to this date.
    Set(Date),
    /// Remove `next`.
    Clear,
}

/// A touch to log.
#[derive(Debug, Clone)]
pub struct Touch {
    /// The channel, lower-case.
    pub channel: String,
    /// What happened.
    pub text: String,
    /// The prospect reached out or replied.
    pub inbound: bool,
    /// When.
    pub date: Date,
    /// What to do with `next`.
    pub next: Next,
}

/// A new prospect for `add`.
#[derive(Debug, Clone, Default)]
pub struct NewProspect {
    /// Display name.
    pub name: String,
    /// Other front-matter keys, in the order to write them, as typed on the command line.
    pub fields: Vec<(String, String)>,
    /// Tags.
    pub tags: Vec<String>,
}

/// Writes to one ledger, on one day.
pub struct Writer<'a> {
    /// The ledger.
    pub ledger: &'a Ledger,
    /// Today.
    pub today: Date,
    /// Whether to commit what is written.
    pub commit: bool,
    /// The repository being found ahead, for the next write's commit.
    ahead: Cell<Option<Ahead>>,
}

impl<'a> Writer<'a> {
    /// A writer to `ledger` on `today`; it commits what it writes when `commit`.
    pub fn new(ledger: &'a Ledger, today: Date, commit: bool) -> Writer<'a> {
        Writer {
            ledger,
            today,
            commit,
            ahead: Cell::new(None),
        }
    }

    /// Start finding the repository and reading its index at once, on
    /// another thread, while the caller finds what it will change: the
    /// next write's commit then has them at hand.
    pub fn read_ahead(self) -> Writer<'a> {
        if self.commit {
            self.ahead.set(Repo::discover_ahead(&self.ledger.root));
        }
        self
    }
}

/// The ledger held by a writer (see [`Writer::hold`]), until dropped.
pub(crate) struct Held {
    repo: Option<Repo>,
    _lock: Lock,
}

impl Writer<'_> {
    fn context(&self) -> Context<'_> {
        Context {
            settings: &self.ledger.settings,
            today: self.today,
        }
    }

    /// Run one transaction over `files` (relative to the root): `edit` gets
    /// their current texts (`None`: missing) and returns the new ones;
    /// `progress` hears how the writing goes.
    pub(crate) fn transact(
        &self,
        files: &[&str],
        message: &str,
        progress: &dyn Progress,
        edit: impl FnOnce(Vec<Option<String>>) -> Result<Vec<Option<String>>>,
    ) -> Result<Recorded> {
        let held = self.hold()?;
        self.transact_held(held, files, message, progress, edit)
    }

    /// The ledger held for a write: its repository (when it is in one),
    /// found ready to commit, and the ledger's lock taken, what a stopped
    /// process left finished or cleared. Another `ledger` waits until it
    /// is let go.
    pub(crate) fn hold(&self) -> Result<Held> {
        let root = &self.ledger.root;
        let repo = match self.ahead.take() {
            Some(ahead) => ahead.join()?,
            None => Repo::discover(root)?,
        };
        if let (true, Some(repo)) = (self.commit, &repo) {
            repo.check_ready()?;
        }
        let lock_path = repo
            .as_ref()
            .map_or_else(|| store::plain_lock_path(root), Repo::lock_path);
        let lock = Lock::acquire(&lock_path)?;
        // What a stopped process left (a write under way, its temporary
        // files) is finished or cleared first, under the lock.
        if let (true, Some(repo)) = (self.commit, &repo) {
            transaction::finish_interrupted(repo)?;
            // A sync killed while moving the files is finished (or put
            // back) before an edit commits on top of its half-moved tree.
            repo.finish_interrupted_sync()?;
        }
        Ok(Held { repo, _lock: lock })
    }

    /// [`Writer::transact`] with the ledger held already.
    pub(crate) fn transact_held(
        &self,
        held: Held,
        files: &[&str],
        message: &str,
        progress: &dyn Progress,
        edit: impl FnOnce(Vec<Option<String>>) -> Result<Vec<Option<String>>>,
    ) -> Result<Recorded> {
        let root = &self.ledger.root;
        let Held { repo, _lock } = held;
        let paths: Vec<PathBuf> = files.iter().map(|f| root.join(f)).collect();
        store::clean_temporaries_beside(&paths);
        let before: Vec<Option<String>> =
            paths.iter().map(|p| read_text(p)).collect::<Result<_>>()?;
        let after = edit(before.clone())?;
        let changes: Vec<(PathBuf, Option<&str>)> = paths
            .iter()
            .zip(&before)
            .zip(&after)
            .filter(|((_, old), new)| old != new)
            .map(|((path, _), new)| (path.clone(), new.as_deref()))
            .collect();
        let repo = match (self.commit, repo) {
            (true, Some(repo)) => repo,
            (commit, _) => {
                // Not committed: each file written whole, the ones before
                // put back should a later one fail.
                transaction::write_uncommitted(&changes, progress)?;
                return Ok(if commit {
                    Recorded::OutsideGit
                } else {
                    Recorded::NotAsked
                });
            }
        };
        // `git log` shows a message raw, and its first line is the subject:
        // ids from file names may hold anything, a line break included.
        let message = text::printable(message);
        match transaction::commit_files(&repo, &changes, &message, progress)? {
            Some(commit) => Ok(Recorded::Committed(commit)),
            None => Ok(Recorded::Unchanged),
        }
    }

    /// Work out a prospect's status from a text, as `due` would, with its
    /// errors (every problem that breaks a prospect is one; no warning is
    /// worded).
    pub(crate) fn status_of(&self, path: &str, text: &str) -> (Option<Status>, Vec<Diagnostic>) {
        let assessed = check::assess_errors(&Prospect::parse(path, text), &self.context());
        (assessed.status, assessed.diagnostics)
    }

    /// The status of a new prospect file's text; refused when the text is
    /// not a usable prospect.
    pub(crate) fn check_new(&self, path: &str, text: &str) -> Result<Option<Status>> {
        let (status, problems) = self.status_of(path, text);
        match problems.into_iter().find(|d| d.code.breaks_prospect()) {
            Some(d) => Err(Error::Refused(d.message)),
            None => Ok(status),
        }
    }

    /// Refuse an edit that breaks a prospect that was not broken that way.
    fn check_edit(&self, path: &str, old: &str, new: &str) -> Result<Option<Status>> {
        let (_, before) = self.status_of(path, old);
        let (status, after) = self.status_of(path, new);
        let broke = after.iter().find(|d| {
            d.code.breaks_prospect()
                && !before
                    .iter()
                    .any(|b| b.code == d.code && b.message == d.message)
        });
        match broke {
            Some(d) => Err(Error::Refused(format!(
                "{}: after this edit, {}",
                d.path, d.message
            ))),
            None => Ok(status),
        }
    }

    /// Log a touch (SPEC section 5, `touch`).
    pub fn touch(&self, prospect: &Prospect, touch: &Touch) -> Result<Outcome> {
        if touch.date > self.today {
            return Err(Error::Usage(format!(
                "a touch dated {} is after today ({}); log it when it happens, or schedule it with --next",
                touch.date, self.today
            )));
        }
        if touch.inbound && touch.channel == NOTE {
            return Err(Error::Usage(
                "a note is a remark of yours, not a message from the prospect: \
                 --in goes with the channel they used"
                    .into(),
            ));
        }
        let known = self.ledger.settings.is_touch_channel(&touch.channel) || touch.channel == NOTE;
        if !known {
            let mut channels: Vec<&str> = settings::BUILTIN_CHANNELS.to_vec();
            channels.extend(self.ledger.settings.channels.iter().map(String::as_str));
            return Err(Error::Usage(format!(
                "unknown channel `{}`: use one of {}, or note; or add it to `channels` in ledger.yaml",
                touch.channel,
                channels.join(", ")
            )));
        }
        if let Some(c) = touch
            .text
            .chars()
            .find(|c| c.is_control() && !c.is_whitespace())
        {
            return Err(Error::Refused(format!(
                "the text holds the control character {}: write it without",
                c.escape_unicode()
            )));
        }
        let line = Parts {
            date: touch.date,
            time: None,
            channel: touch.channel.clone(),
            inbound: touch.inbound,
            text: touch.text.split_whitespace().collect::<Vec<_>>().join(" "),
        }
        .to_string();
        let mut message = format!("touch {}: {}", prospect.id, touch.channel);
        if touch.inbound {
            message.push_str(" (in)");
        }
        self.edit_one(prospect, &message, |path, old| {
            let current = Prospect::parse(path, old);
            let fields = self.usable(&current)?;
            if let Next::Set(next) = touch.next {
                self.check_next(&current, touch, next)?;
            }
            let outbound = !touch.inbound && touch.channel != NOTE;
            match fields.dnc() {
                Dnc::Yes if outbound => return Err(dnc_refusal(&current, &fields.name, None)),
                Dnc::Since(since) if outbound && touch.date > since => {
                    return Err(dnc_refusal(&current, &fields.name, Some(since)))
                }
                _ => {}
            }
            let mut new = edit::add_entry(old, &line, touch.date).map_err(|e| broken(path, e))?;
            // The follow-up a `next` asked for is made by a touch on or
            // after its day; a note is no touch, and leaves it in force.
            let made = touch.channel != NOTE && fields.next.is_some_and(|n| n <= touch.date);
            let next = match touch.next {
                Next::Set(day) => Some(Some(day.to_string())),
                Next::Clear => Some(None),
                Next::Keep if made => Some(None),
                Next::Keep => None,
            };
            if let Some(value) = next {
                new = edit::set_key(&new, "next", value.as_deref()).map_err(|e| broken(path, e))?;
            }
            let status = self.check_edit(path, old, &new)?;
            Ok((new, status))
        })
    }

    /// Refuse a `--next` that is not after the last touch, this one
    /// counted (a note is no touch): rule 2 of SPEC section 3 would never
    /// use it.
    fn check_next(&self, prospect: &Prospect, touch: &Touch, next: Date) -> Result<()> {
        // The last touch as the due rules count it.
        let logged = check::assess_errors(prospect, &self.context())
            .status
            .and_then(|status| status.last_touch);
        let this = (touch.channel != NOTE).then_some(touch.date);
        match logged.max(this) {
            Some(last) if next <= last => Err(Error::Usage(format!(
                "--next {next} is not after the last touch ({last}): give a day to come"
            ))),
            _ => Ok(()),
        }
    }

    /// Set (`KEY=VALUE`) or remove (`KEY=`) front-matter keys, validated like `lint`.
    pub fn set(&self, prospect: &Prospect, pairs: &[(String, String)]) -> Result<Outcome> {
        for (key, value) in pairs {
            check_key(key)?;
            one_line(key, value)?;
        }
        let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        let message = format!("set {}: {}", prospect.id, keys.join(", "));
        self.edit_one(prospect, &message, |path, old| {
            let mut new = old.to_owned();
            for (key, raw) in pairs {
                let value = render_value(key, raw, self.today);
                new = edit::set_key(&new, key, value.as_deref()).map_err(|e| broken(path, e))?;
            }
            let status = self.check_edit(path, old, &new)?;
            Ok((new, status))
        })
    }

    /// Close a prospect: set `stage` (a closed stage) and `reason`, clear
    /// `next`, and log a note.
    pub fn close(&self, prospect: &Prospect, stage: &str, reason: Option<&str>) -> Result<Outcome> {
        if let Some(reason) = reason {
            one_line("reason", reason)?;
            // An empty reason is none, and would hide `gave-up-early`.
            if reason.trim().is_empty() {
                return Err(Error::Usage(
                    "--reason is empty: say why it closed, or leave --reason out".into(),
                ));
            }
        }
        if !self.ledger.settings.is_closed(stage) {
            return Err(Error::Usage(format!(
                "`{stage}` is not a closed stage: use one of {}",
                self.ledger.settings.closed.join(", ")
            )));
        }
        let message = format!("close {}: {stage}", prospect.id);
        self.edit_one(prospect, &message, |path, old| {
            let current = Prospect::parse(path, old);
            let was = self.usable(&current)?.stage();
            // The stage it leaves, when open, is written in the note for
            // `reopen` to go back to.
            let from = (!self.ledger.settings.is_closed(was)).then_some(was);
            let note = self.note(&close_note(stage, reason, from));
            let mut new = edit::set_key(old, "stage", Some(&yaml::scalar(stage)))
                .map_err(|e| broken(path, e))?;
            // A closed prospect closed again without a reason loses the
            // reason of the close this one replaces (no `won` for
            // `no-budget`); an open one keeps a reason written by hand.
            let reason = match (reason, from) {
                (Some(reason), _) => Some(Some(yaml::scalar(reason))),
                (None, None) => Some(None),
                (None, Some(_)) => None,
            };
            if let Some(value) = reason {
                new =
                    edit::set_key(&new, "reason", value.as_deref()).map_err(|e| broken(path, e))?;
            }
            new = edit::set_key(&new, "next", None).map_err(|e| broken(path, e))?;
            new = edit::add_entry(&new, &note, self.today).map_err(|e| broken(path, e))?;
            let status = self.check_edit(path, old, &new)?;
            Ok((new, status))
        })
    }

    /// Reopen a closed prospect: back to the stage its close note says it
    /// was closed from, else [`REOPENED`]; `reason` removed, `next` set
    /// when given, and a note logged.
    pub fn reopen(&self, prospect: &Prospect, next: Option<Date>) -> Result<Outcome> {
        let settings = &self.ledger.settings;
        let stage_now = self.usable(prospect)?.stage();
        if !settings.is_closed(stage_now) {
            return Err(Error::Refused(format!(
                "{} is not closed (its stage is {stage_now}): there is nothing to reopen",
                prospect.id
            )));
        }
        let stage = reopened_stage(&prospect.entries, settings).ok_or_else(|| {
            Error::Refused("the settings have no open stage to reopen it in".into())
        })?;
        let message = format!("reopen {}: {stage}", prospect.id);
        let note = self.note(&format!("Reopened as {stage}."));
        self.edit_one(prospect, &message, |path, old| {
            let current = Prospect::parse(path, old);
            if !settings.is_closed(self.usable(&current)?.stage()) {
                return Err(Error::Refused(format!("{path} was reopened meanwhile")));
            }
            let mut new = edit::set_key(old, "stage", Some(&yaml::scalar(&stage)))
                .map_err(|e| broken(path, e))?;
            new = edit::set_key(&new, "reason", None).map_err(|e| broken(path, e))?;
            if let Some(next) = next {
                new = edit::set_key(&new, "next", Some(&next.to_string()))
                    .map_err(|e| broken(path, e))?;
            }
            new = edit::add_entry(&new, &note, self.today).map_err(|e| broken(path, e))?;
            let status = self.check_edit(path, old, &new)?;
            Ok((new, status))
        })
    }

    /// A `note` entry dated today, as a log line.
    fn note(&self, text: &str) -> String {
        note_line(self.today, text)
    }

    /// Edit one existing prospect in a transaction: `change` gets its path
    /// and current text, and returns the new text and the status to report.
    fn edit_one(
        &self,
        prospect: &Prospect,
        message: &str,
        change: impl FnOnce(&str, &str) -> Result<(String, Option<Status>)>,
    ) -> Result<Outcome> {
        let path = prospect.path.clone();
        let mut status = None;
        let recorded = self.transact(&[&path], message, &Quiet, |texts| {
            let old = texts.into_iter().next().flatten();
            let old = existing(&path, &old)?;
            // What no reading command reads is not edited either (SPEC
            // section 10).
            if old.len() as u64 > MAX_FILE_BYTES {
                return Err(Error::BrokenProspect {
                    path: path.clone(),
                    line: 1,
                    column: 1,
                    message: format!(
                        "{}; fix the file first (nothing was changed)",
                        text::too_large(old.len() as u64)
                    ),
                });
            }
            let (new, after) = change(&path, old)?;
            // Nor is an edit written that no reading command would read.
            if new.len() as u64 > MAX_FILE_BYTES {
                return Err(Error::Refused(format!(
                    "{path}: after this edit, {}",
                    text::too_large(new.len() as u64)
                )));
            }
            status = after;
            Ok(vec![Some(new)])
        })?;
        Ok(Outcome {
            id: prospect.id.clone(),
            path,
            status,
            recorded,
        })
    }

    /// Write a new prospect file at `prospects/<slug>.md`; never overwrites,
    /// and refuses a name a prospect anywhere in the ledger has already (in
    /// any case), found through the cache at `cache` when there is one.
    pub fn add(&self, new: &NewProspect, cache: Option<&Path>) -> Result<Outcome> {
        let text = self.new_text(new, self.today)?;
        self.no_prospect_named(&new.name, cache)?;
        let (path, _) = self.free_path(&new.name, 1, &HashSet::new())?;
        let id = id_of(&path).to_owned();
        let full = self.ledger.root.join(&path);
        let status = self.check_new(&path, &text)?;
        if let Some(dir) = full.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let message = format!("add {id}: {}", new.name.trim());
        let recorded = self.transact(&[&path], &message, &Quiet, |texts| {
            if texts.iter().any(Option::is_some) {
                return Err(Error::AlreadyExists { path: path.clone() });
            }
            Ok(vec![Some(text.clone())])
        })?;
        Ok(Outcome {
            id,
            path,
            status,
            recorded,
        })
    }

    /// The text of a new prospect file, as `add` writes it, `added` on
    /// the day given; a value that would change the file's structure is
    /// refused.
    pub(crate) fn new_text(&self, new: &NewProspect, added: Date) -> Result<String> {
        one_line("name", &new.name)?;
        for (key, value) in &new.fields {
            one_line(key, value)?;
        }
        for tag in &new.tags {
            one_line("tag", tag)?;
            if tag.trim().is_empty() {
                return Err(Error::Refused(
                    "an empty tag: give each tag some text".into(),
                ));
            }
        }
        let eol = "\n";
        let mut text = format!("---{eol}name: {}{eol}", yaml::scalar(new.name.trim()));
        for (key, raw) in &new.fields {
            check_key(key)?;
            if let Some(value) = render_value(key, raw, self.today) {
                text.push_str(&format!("{key}: {value}{eol}"));
            }
        }
        if !new.tags.is_empty() {
            let tags: Vec<String> = new
                .tags
                .iter()
                .map(|t| yaml::flow_scalar(t.trim()))
                .collect();
            text.push_str(&format!("tags: [{}]{eol}", tags.join(", ")));
        }
        text.push_str(&format!(
            "added: {added}{eol}---{eol}{eol}# {}{eol}{eol}## Log{eol}",
            new.name.trim()
        ));
        Ok(text)
    }

    /// Where a new prospect of this name goes: the name's slug, or
    /// `slug-2`, `slug-3`, … when a prospect of another name has taken it
    /// or it is in `taken` (the paths an import has given out), trying
    /// from `slug-{from}` on; the path and the number it took. A prospect
    /// of the same name (case-insensitive) is refused as a duplicate.
    pub(crate) fn free_path(
        &self,
        name: &str,
        from: u32,
        taken: &HashSet<String>,
    ) -> Result<(String, u32)> {
        let base = slug(name);
        let folder = shelf(&self.ledger.root, &base);
        self.no_link_on_the_way(&folder)?;
        let key = duplicate_key(name);
        for n in from.max(1)..=MAX_SAME_SLUG {
            let stem = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            let path = format!("{folder}/{stem}.md");
            if taken.contains(&path) {
                continue;
            }
            let full = self.ledger.root.join(&path);
            if fs::symlink_metadata(&full).is_err() {
                return Ok((path, n));
            }
            // Taken, by a prospect of this name or by anything else: a
            // folder, a link, a FIFO (never waited on) or another file.
            if let Some(name) = self.name_alike(&path, &key) {
                return Err(Error::SameName { path, name });
            }
        }
        Err(Error::Refused(format!(
            "{folder}/ already holds {MAX_SAME_SLUG} files named after `{base}`"
        )))
    }

    /// Refuse `name` when a prospect of the ledger has it already, in any
    /// case ([`duplicate_key`]): the report that `list --all` makes, which
    /// the day's cache makes cheap.
    fn no_prospect_named(&self, name: &str, cache: Option<&Path>) -> Result<()> {
        let query = Query {
            filter: Filter {
                name: Some(name.to_owned()),
                ..Filter::default()
            },
            keep: Keep::All,
            cache_unchanged: true,
            ..Query::default()
        };
        let report = Report::gather(self.ledger, self.today, cache, &query);
        // The first by id, whatever order the report keeps.
        let same = report.statuses.into_iter().min_by(|a, b| a.id.cmp(&b.id));
        if let Some(theirs) = same {
            return Err(Error::SameName {
                path: theirs.path,
                name: theirs.name,
            });
        }
        // A prospect held back for a broken key is still someone: its
        // name, where it can be read, is taken too.
        let key = duplicate_key(name);
        for path in report.held_back {
            if let Some(name) = self.name_alike(&path, &key) {
                return Err(Error::SameName { path, name });
            }
        }
        Ok(())
    }

    /// The name of the prospect at `path` (below the root), when it is the
    /// name whose [`duplicate_key`] is `key`: read from its front matter
    /// even when another key is broken ([`Prospect::who`]). `None` for a
    /// file of another name, or one that is no regular prospect file.
    fn name_alike(&self, path: &str, key: &str) -> Option<String> {
        let theirs = read::read_regular_prospect(&self.ledger.root, path)?;
        let (name, _) = theirs.who()?;
        (duplicate_key(name) == key).then(|| name.to_owned())
    }

    /// Refuse a folder (relative to the root) that is, or lies under, a
    /// symbolic link: a new file there could land outside the ledger.
    fn no_link_on_the_way(&self, folder: &str) -> Result<()> {
        let mut path = self.ledger.root.clone();
        for part in folder.split('/') {
            path.push(part);
            match fs::symlink_metadata(&path) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(Error::Refused(format!(
                        "{} is a symbolic link: a new prospect is written only inside the ledger",
                        path.display()
                    )));
                }
                Ok(_) => {}
                // What does not exist yet is made inside.
                Err(_) => return Ok(()),
            }
        }
        Ok(())
    }

    /// Commit hand edits of prospects and `ledger.yaml`; the ids committed.
    pub fn commit_hand_edits(&self, message: Option<&str>) -> Result<(Vec<String>, Recorded)> {
        let (repo, _lock) = self.locked_repo("there is nothing to commit to")?;
        // A sync a stopped process left is finished first: its files are
        // the remote's, not hand edits.
        repo.finish_interrupted_sync()?;
        self.commit_hand_edits_in(&repo, message)
    }

    /// The repository the ledger is in, ready to commit, with its lock
    /// held; outside git, an error that ends with `why_needed`.
    pub(crate) fn locked_repo(&self, why_needed: &str) -> Result<(Repo, Lock)> {
        let root = &self.ledger.root;
        let repo = Repo::discover(root)?.ok_or_else(|| {
            Error::Refused(format!(
                "{} is not in a git work tree: {why_needed}",
                root.display()
            ))
        })?;
        repo.check_ready()?;
        let lock = Lock::acquire(&repo.lock_path())?;
        // A write a stopped process left is finished or undone before
        // anything is committed, never taken for hand edits.
        transaction::finish_interrupted(&repo)?;
        Ok((repo, lock))
    }

    /// [`Writer::commit_hand_edits`] in `repo`, whose lock the caller holds.
    pub(crate) fn commit_hand_edits_in(
        &self,
        repo: &Repo,
        message: Option<&str>,
    ) -> Result<(Vec<String>, Recorded)> {
        let root = &self.ledger.root;
        let root_canon = root.canonicalize().map_err(|e| Error::io(root, e))?;
        let mut ids = Vec::new();
        let mut paths = Vec::new();
        for path in repo.changed_under(root)? {
            let Some(rel) = ledger::relative(&root_canon, &path) else {
                continue;
            };
            // A symbolic link, a FIFO or a folder is left alone, whatever
            // it is called: it is not a prospect (SPEC section 1), a link's
            // target may lie outside the ledger, and a FIFO would be waited
            // on. `git add` commits a link, if one is wanted.
            if is_there_but_no_file(&path) {
                continue;
            }
            let id = if rel == settings::FILE_NAME {
                rel.clone()
            } else if rel.ends_with(".md") && !self.ledger.skips(&rel) {
                // Unreadable: deleted (it was tracked, and is gone now).
                let is_prospect = read::opens_with_fence(&path).unwrap_or(true);
                if !is_prospect {
                    continue;
                }
                id_of(&rel).to_owned()
            } else {
                continue;
            };
            ids.push(id);
            paths.push(path);
        }
        if paths.is_empty() {
            return Ok((ids, Recorded::Unchanged));
        }
        // `git log` shows a message raw: each id (from a file name, which
        // may hold anything) is escaped; the message given keeps its lines.
        let shown: Vec<String> = ids
            .iter()
            .map(|id| text::printable(id).into_owned())
            .collect();
        let subject = match (message, shown.as_slice()) {
            (Some(message), _) => {
                format!("{}\n\n{}", text::printable_lines(message), shown.join("\n"))
            }
            (None, [id]) => format!("commit {id}: hand edit"),
            (None, _) if shown.len() <= SUBJECT_IDS => {
                format!("commit {}: hand edits", shown.join(", "))
            }
            // A subject of every id of a large edit would run to pages
            // (`git log --oneline` shows it whole): the first few, and
            // every one in the body.
            (None, _) => format!(
                "commit {} and {} more: hand edits\n\n{}",
                shown.get(..SUBJECT_IDS).unwrap_or_default().join(", "),
                shown.len() - SUBJECT_IDS,
                shown.join("\n")
            ),
        };
        let recorded = match transaction::commit_paths(repo, &paths, &subject)? {
            Some(commit) => Recorded::Committed(commit),
            None => Recorded::Unchanged,
        };
        Ok((ids, recorded))
    }

    /// The fields of a prospect that is usable, or why it is not.
    fn usable<'p>(
        &self,
        prospect: &'p Prospect,
    ) -> Result<&'p crate::format::front_matter::Fields> {
        let assessed = check::assess_errors(prospect, &self.context());
        let breaks = assessed
            .diagnostics
            .iter()
            .any(|d| d.code.breaks_prospect());
        match prospect.fields() {
            Some(fields) if !breaks => Ok(fields),
            _ => Err(assessed.broken(&prospect.path, "; fix the file first (nothing was changed)")),
        }
    }
}

/// A `note` entry dated `date`, as a log line.
pub(crate) fn note_line(date: Date, text: &str) -> String {
    Parts {
        date,
        time: None,
        channel: NOTE.into(),
        inbound: false,
        text: text.to_owned(),
    }
    .to_string()
}

/// The most ids a commit's subject names: the rest are in its body.
const SUBJECT_IDS: usize = 5;

/// The most files named after one slug (`acme`, `acme-2`, …) a folder takes.
const MAX_SAME_SLUG: u32 = 10_000;

/// The stage `reopen` brings a prospect back to when its log does not
/// say which stage it was closed from.
const REOPENED: &str = "contacted";

/// The words that begin the note `close` logs, and that `reopen` looks for.
const CLOSED_AS: &str = "Closed as ";

/// What follows the reason in a close note, before the stage it was
/// closed from.
const FROM: &str = ", from ";

/// The note `close` logs: `Closed as lost (competitor), from proposal.`
fn close_note(stage: &str, reason: Option<&str>, from: Option<&str>) -> String {
    let mut note = format!("{CLOSED_AS}{stage}");
    if let Some(reason) = reason {
        note.push_str(&format!(" ({reason})"));
    }
    if let Some(from) = from {
        note.push_str(&format!("{FROM}{from}"));
    }
    note.push('.');
    note
}

/// The open stage `reopen` brings a prospect back to: the one the latest
/// close note that names an open stage names (a close of a prospect
/// closed already names none: the close before it decides), else
/// [`REOPENED`], else the first open stage of the settings (`None`: they
/// have none).
fn reopened_stage(entries: &[Entry], settings: &settings::Settings) -> Option<String> {
    let open = |stage: &str| settings.is_stage(stage) && !settings.is_closed(stage);
    let mut notes: Vec<&Entry> = entries.iter().filter(|e| e.channel == NOTE).collect();
    notes.sort_by_key(|e| e.date);
    let from_note = notes
        .iter()
        .rev()
        .filter(|e| e.text.starts_with(CLOSED_AS))
        .filter_map(|e| e.text.rsplit_once(FROM))
        .map(|(_, from)| from.trim_end_matches('.').trim())
        .find(|from| open(from));
    from_note
        .or(open(REOPENED).then_some(REOPENED))
        .or(settings.stages.iter().map(String::as_str).find(|s| open(s)))
        .map(str::to_owned)
}

/// What `init` did.
#[derive(Debug, Clone)]
pub struct Initialized {
    /// The ledger's folder.
    pub root: PathBuf,
    /// Whether `ledger.yaml` was written (it is never overwritten).
    pub wrote_settings: bool,
    /// Whether `.gitattributes` was given the prospect merge.
    pub wrote_attributes: bool,
    /// Whether the merge driver was registered in the repository's git config.
    pub merge_driver: bool,
    /// Whether `.gitattributes` is a link, left alone, to a file without
    /// the prospect merge.
    pub attributes_lack_merge: bool,
    /// Whether a git repository was created.
    pub created_repo: bool,
    /// The first commit, if one was made.
    pub recorded: Recorded,
}

/// Make `dir` a ledger: the folder, `ledger.yaml` with every default written
/// out, `prospects/`, a git repository if there is none, and a first commit.
pub fn init(dir: &Path, commit: bool) -> Result<Initialized> {
    // What could refuse the commit is checked before anything is written:
    // the repository the folder is (or will be) in, a bare one refused;
    // git's own folder; a merge under way, git's locks, an identity (for
    // a repository this run makes, just after it is made, and then taken
    // back with the folders it made).
    let nearest = dir
        .ancestors()
        .map(|a| match a.as_os_str().is_empty() {
            true => Path::new("."),
            false => a,
        })
        .find(|a| a.exists())
        .unwrap_or(dir);
    let existing = Repo::discover(nearest)?;
    if let Some(repo) = &existing {
        let git_dir = repo.git_dir().canonicalize();
        let inside = nearest.canonicalize();
        if let (Ok(git_dir), Ok(inside)) = (git_dir, inside) {
            if inside.starts_with(&git_dir) {
                return Err(Error::Refused(format!(
                    "{} is inside git's own folder {}",
                    dir.display(),
                    git_dir.display()
                )));
            }
        }
        if commit {
            repo.check_ready()?;
            repo.check_unlocked()?;
        }
    }
    // The folders this run makes, the deepest first.
    let prospects = dir.join("prospects");
    let made: Vec<&Path> = prospects
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
        .collect();
    fs::create_dir_all(&prospects).map_err(|e| Error::io(dir, e))?;
    let root = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
    let created_repo = existing.is_none() && commit;
    let repo = match existing {
        Some(repo) => Some(repo),
        None if commit => {
            let dot_git = root.join(".git");
            let made_git = fs::symlink_metadata(&dot_git).is_err();
            let repo = Repo::init(&root)?;
            if let Err(err) = repo.check_ready() {
                // Taken back: only what this run made.
                if made_git {
                    let _ = fs::remove_dir_all(&dot_git);
                }
                for made in &made {
                    let _ = fs::remove_dir(made);
                }
                return Err(err);
            }
            Some(repo)
        }
        None => None,
    };
    let settings_path = root.join(settings::FILE_NAME);
    let wrote_settings = !settings_path.exists();
    if wrote_settings {
        store::write_atomic(&settings_path, settings::DEFAULT_FILE.as_bytes(), true)?;
    }
    let attributes_path = root.join(ATTRIBUTES_FILE);
    // A `.gitattributes` that is a link (kept elsewhere, shared) is left
    // alone, as `ledger.yaml` is: writing would replace the link by a file.
    let attributes_link = is_there_but_no_file(&attributes_path);
    let wrote_attributes = !attributes_link && add_merge_attribute(&attributes_path)?;
    // (Read as a file a person keeps: a FIFO is not waited on.)
    let attributes_lack_merge = attributes_link
        && !crate::ledger::read::read_file(&attributes_path, "`.gitattributes`")
            .is_ok_and(|bytes| has_merge_attribute(&String::from_utf8_lossy(&bytes)));
    if let Some(repo) = &repo {
        repo.set_config("merge.ledger.name", MERGE_DRIVER_NAME)?;
        repo.set_config("merge.ledger.driver", &merge_driver_command())?;
    }
    let recorded = match (commit, &repo) {
        (false, _) => Recorded::NotAsked,
        (true, None) => Recorded::OutsideGit,
        (true, Some(repo)) => {
            let _lock = Lock::acquire(&repo.lock_path())?;
            // A ledger.yaml that is a link (settings kept elsewhere) is
            // left alone, as `ledger commit` leaves it: `git add` commits
            // a link, when one is wanted.
            let paths: Vec<PathBuf> = [settings_path, attributes_path]
                .into_iter()
                .filter(|path| !is_there_but_no_file(path))
                .collect();
            match transaction::commit_paths(repo, &paths, "init: ledger")? {
                Some(commit) => Recorded::Committed(commit),
                None => Recorded::Unchanged,
            }
        }
    };
    Ok(Initialized {
        root,
        wrote_settings,
        wrote_attributes,
        merge_driver: repo.is_some(),
        attributes_lack_merge,
        created_repo,
        recorded,
    })
}

/// The git attributes file of the ledger's folder.
const ATTRIBUTES_FILE: &str = ".gitattributes";

/// The line that gives prospects the prospect merge.
pub const MERGE_ATTRIBUTE: &str = "*.md merge=ledger";

/// The merge driver's arguments: `%O %A %B %P` are the base, ours (where
/// the result goes), theirs, and the file's path.
const MERGE_DRIVER_ARGS: &str = "merge-driver %O %A %B %P";

/// The command git runs to merge prospects: this very program, by its
/// absolute path, so that a plain `git pull` finds it where `ledger` is
/// not on `PATH` (a GUI client, a cron job) or names another program
/// (ledger-cli). Running `ledger init` again records a moved binary.
fn merge_driver_command() -> String {
    let program = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.canonicalize().ok())
        .and_then(|exe| exe.to_str().map(shell_quote));
    format!(
        "{} {MERGE_DRIVER_ARGS}",
        program.as_deref().unwrap_or("ledger")
    )
}

/// `word` as one word for the shell git runs a merge driver with.
fn shell_quote(word: &str) -> String {
    let plain = word
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/._-+,:@".contains(&b));
    if plain && !word.is_empty() {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The driver's description in git's config.
const MERGE_DRIVER_NAME: &str = "ledger: prospect merge (log union, keys one by one)";

/// Add [`MERGE_ATTRIBUTE`] to a `.gitattributes` file unless it is there;
/// whether the file was written. Its other lines stay as they are.
fn add_merge_attribute(path: &Path) -> Result<bool> {
    let existing = read_text(path)?;
    let old = existing.as_deref().unwrap_or_default();
    if has_merge_attribute(old) {
        return Ok(false);
    }
    let eol = crate::format::text::line_ending(old);
    let mut new = old.to_owned();
    if !new.is_empty() && !new.ends_with('\n') {
        new.push_str(eol);
    }
    new.push_str(MERGE_ATTRIBUTE);
    new.push_str(eol);
    store::write_atomic(path, new.as_bytes(), existing.is_none())?;
    Ok(true)
}

/// Whether the ledger at `root` asks git for the prospect merge (its
/// `.gitattributes`) where `repo`'s config does not register it: a fresh
/// clone before `ledger init`, in which a plain `git pull` merges
/// prospects as text and leaves conflict markers.
pub fn merge_unregistered(repo: &Repo, root: &Path) -> bool {
    let asked = read_text(&root.join(ATTRIBUTES_FILE))
        .ok()
        .flatten()
        .is_some_and(|text| has_merge_attribute(&text));
    asked && !repo.has_config("merge.ledger.driver")
}

/// Whether the text of a `.gitattributes` gives prospects the merge.
fn has_merge_attribute(text: &str) -> bool {
    text.lines().any(|line| {
        let mut words = line.split_whitespace();
        words.next() == Some("*.md") && words.any(|w| w == "merge=ledger")
    })
}

fn read_text(path: &Path) -> Result<Option<String>> {
    store::read_if_there(path)?
        .map(|bytes| Error::text_of(path, bytes))
        .transpose()
}

fn existing<'t>(path: &str, text: &'t Option<String>) -> Result<&'t str> {
    text.as_deref()
        .ok_or_else(|| Error::Refused(format!("{path} disappeared before it could be changed")))
}

/// Whether something other than a regular file is at `path`: a link, a
/// folder, a FIFO, which commits leave alone (a file that is gone is a
/// deletion to commit).
fn is_there_but_no_file(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| !m.is_file())
}

fn broken(path: &str, err: edit::EditError) -> Error {
    Error::BrokenProspect {
        path: path.to_owned(),
        line: 1,
        column: 1,
        message: format!("{err}; nothing was changed"),
    }
}

fn dnc_refusal(prospect: &Prospect, name: &str, since: Option<Date>) -> Error {
    Error::DoNotContact {
        name: name.to_owned(),
        path: prospect.path.clone(),
        since,
    }
}

/// Refuse a value that would change the file's structure: a line break or
/// another control character (SPEC section 10).
fn one_line(what: &str, value: &str) -> Result<()> {
    match value.chars().find(|&c| text::breaks_a_value(c)) {
        Some(c) => Err(Error::Refused(format!(
            "the {what} holds {}",
            text::not_one_line(c)
        ))),
        None => Ok(()),
    }
}

fn check_key(key: &str) -> Result<()> {
    if crate::format::keys::is_writable(key) {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "`{key}` is not a key: use letters, digits, `_`, `-` and `.` (not null, true or false)"
        )))
    }
}

/// Render a value typed on the command line as YAML for `key`; `None`
/// (for an empty value) removes the key. Dates may be relative (`monday`,
/// `3d`); values that do not fit the key are written as given, for the
/// check that follows to refuse with `lint`'s own message.
fn render_value(key: &str, raw: &str, today: Date) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let list = |items: Vec<String>| format!("[{}]", items.join(", "));
    Some(match key {
        "value" if raw.parse::<f64>().is_ok_and(|v| v.is_finite()) => raw.to_owned(),
        "next" | "added" => {
            date::parse_relative(raw, today).map_or_else(|_| yaml::scalar(raw), |d| d.to_string())
        }
        "dnc" => match raw.to_ascii_lowercase().as_str() {
            "true" | "yes" => "true".into(),
            "false" | "no" => "false".into(),
            _ => date::parse_relative(raw, today)
                .map_or_else(|_| yaml::scalar(raw), |d| d.to_string()),
        },
        "tags" | "cadence" => list(
            raw.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(yaml::flow_scalar)
                .collect(),
        ),
        _ => yaml::scalar(raw),
    })
}

/// The folder a new prospect goes in, relative to the root: in a ledger
/// laid out by initials, the deepest of `prospects/a/`, `prospects/a/ac/`,
/// `prospects/a/ac/acm/`, … (for `acme-corp`) that exists; else
/// `prospects/`.
fn shelf(root: &Path, slug: &str) -> String {
    let mut folder = "prospects".to_owned();
    let mut prefix = String::new();
    for c in slug.chars() {
        prefix.push(c);
        let deeper = format!("{folder}/{prefix}");
        if !root.join(&deeper).is_dir() {
            break;
        }
        folder = deeper;
    }
    folder
}

/// A safe file stem from a name: lower-case ASCII letters and digits joined
/// by single dashes, never empty, never a path. Letters of every script are
/// transliterated (`Иван Петров` → `ivan-petrov`, `Café` → `cafe`).
pub fn slug(name: &str) -> String {
    let ascii = deunicode::deunicode(&name.replace('&', " and "));
    let mut out = String::new();
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    let out: String = out.chars().take(80).collect();
    let out = out.trim_end_matches('-');
    // Names Windows keeps for devices: a teammate there could not check
    // the file out.
    let reserved = matches!(out, "con" | "prn" | "aux" | "nul")
        || (out.len() == 4
            && (out.starts_with("com") || out.starts_with("lpt"))
            && out.ends_with(|c: char| c.is_ascii_digit()));
    if out.is_empty() {
        "prospect".to_owned()
    } else if reserved {
        format!("{out}-prospect")
    } else {
        out.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_for_the_shell() {
        let cases = [
            ("/usr/local/bin/ledger", "/usr/local/bin/ledger"),
            ("/home/jo smith/bin/ledger", "'/home/jo smith/bin/ledger'"),
            ("/it's/ledger", "'/it'\\''s/ledger'"),
            ("/a/$HOME/`x`", "'/a/$HOME/`x`'"),
        ];
        for (word, quoted) in cases {
            assert_eq!(shell_quote(word), quoted);
            let echoed = std::process::Command::new("sh")
                .args(["-c", &format!("printf %s {quoted}")])
                .output()
                .unwrap();
            assert_eq!(String::from_utf8_lossy(&echoed.stdout), word);
        }
        assert!(merge_driver_command().ends_with(" merge-driver %O %A %B %P"));
    }

    #[test]
    fn slugs_are_safe() {
        let cases = [
            ("Globex Corp", "globex-corp"),
            ("  Acme, Inc.  ", "acme-inc"),
            ("Café Olé & Søn", "cafe-ole-and-son"),
            ("../../etc/passwd", "etc-passwd"),
            ("東京", "dong-jing"),
            ("Иван Петров", "ivan-petrov"),
            ("🚀", "rocket"),
            ("\u{202e}", "prospect"),
            ("CON", "con-prospect"),
            ("Nul", "nul-prospect"),
            ("COM1", "com1-prospect"),
            ("Console", "console"),
            ("", "prospect"),
            ("A--B", "a-b"),
        ];
        for (name, want) in cases {
            assert_eq!(slug(name), want, "{name}");
        }
    }

    /// `reopen` finds in the latest close note the stage that `close`
    /// wrote there, if it is still an open stage.
    #[test]
    fn reopen_goes_back_to_the_stage_the_close_note_names() {
        let settings = settings::Settings::default();
        let note = |day: &str, text: &str| Entry {
            line: 1,
            column: 1,
            parts: Parts {
                date: date::parse_iso(day).unwrap(),
                time: None,
                channel: NOTE.into(),
                inbound: false,
                text: text.to_owned(),
            },
        };
        let proposal = close_note(
            "lost",
            Some("went quiet, from what I hear"),
            Some("proposal"),
        );
        assert_eq!(
            proposal,
            "Closed as lost (went quiet, from what I hear), from proposal."
        );
        let cases: [(Vec<Entry>, &str); 6] = [
            (vec![], "contacted"),
            // Closed again while closed (lost, then won): the first close
            // names the stage.
            (
                vec![
                    note("2026-11-01", &proposal),
                    note("2026-11-09", &close_note("won", None, None)),
                ],
                "proposal",
            ),
            (vec![note("2026-11-01", &proposal)], "proposal"),
            (
                vec![note("2026-11-01", &close_note("won", None, None))],
                "contacted",
            ),
            // The latest by date decides, wherever it stands in the log.
            (
                vec![
                    note("2026-11-09", &close_note("won", None, Some("negotiation"))),
                    note("2026-11-01", &proposal),
                ],
                "negotiation",
            ),
            // A stage the settings do not know, or a closed one, is not gone back to.
            (
                vec![note("2026-11-01", &close_note("lost", None, Some("won")))],
                "contacted",
            ),
        ];
        for (entries, want) in cases {
            assert_eq!(
                reopened_stage(&entries, &settings).as_deref(),
                Some(want),
                "{entries:?}"
            );
        }
        let (custom, _) = settings::Settings::parse(
            "stages: [new, talking, won, lost]
",
        );
        assert_eq!(reopened_stage(&[], &custom).as_deref(), Some("new"));
        let (none_open, _) = settings::Settings::parse(
            "stages: [won, lost]
",
        );
        assert_eq!(reopened_stage(&[], &none_open), None);
    }

    #[test]
    fn values_render_by_key() {
        let today = date::parse_iso("2026-11-23").unwrap();
        let cases = [
            ("value", "12000", Some("12000")),
            ("value", "12k", Some("12k")),
            ("next", "monday", Some("2026-11-30")),
            ("next", "soon", Some("soon")),
            ("dnc", "yes", Some("true")),
            ("tags", "saas, referral", Some("[saas, referral]")),
            ("cadence", "1w call, 2w email", Some("[1w call, 2w email]")),
            ("owner", "sam", Some("sam")),
            ("phone", "+1 555 0100", Some("+1 555 0100")),
            ("company", "Yes: No", Some("'Yes: No'")),
            ("owner", "", None),
        ];
        for (key, raw, want) in cases {
            assert_eq!(
                render_value(key, raw, today).as_deref(),
                want,
                "{key}={raw}"
            );
        }
    }
}
