//! The reading commands: `due`, `list`, `show`, `lint`.

use std::io::{self, Write};
use std::process::ExitCode;

use ledger::format::diagnostic::{Diagnostic, Severity};
use ledger::format::prospect::Prospect;
use ledger::format::text::{is_unsafe_char, printable};
use ledger::format::yaml::Yaml;
use ledger::git;
use ledger::ledger::report::{Keep, Lint, Query, Report};
use ledger::rules::check::{self, Context};
use ledger::rules::due::{Reason, Status};
use ledger::{Error, Result};
use serde::Serialize;

use super::style::{self, Align, Cells, Table};
use super::{let_go, DueArgs, Env, Filters, LintArgs, ListArgs, ShowArgs};

/// `ledger due`.
pub fn due(env: &Env, args: &DueArgs, out: &mut impl Write) -> Result<ExitCode> {
    env.ledger.require_settings()?;
    // What is due by today, or within the span asked for; `--json` lists
    // exactly what the table shows.
    let horizon = args.within.map_or(env.today, |span| span.after(env.today));
    let report = gather(env, &args.filters, Keep::DueBy(horizon))?;
    let shown = show_due(env, args, &report, out);
    let_go(report);
    shown
}

/// What `due` shows of `report`.
fn show_due(env: &Env, args: &DueArgs, report: &Report, out: &mut impl Write) -> Result<ExitCode> {
    let due = &report.statuses;
    let due = due.get(..args.limit.unwrap_or(usize::MAX)).unwrap_or(due);
    if args.json {
        return write_json_array(out, due).map(|()| ExitCode::SUCCESS);
    }
    match &report.next {
        _ if !due.is_empty() => status_table(out, due, env, false)?,
        Some(s) => writeln!(
            out,
            "Nothing due. Next: {} {} ({}).",
            printable(&s.name),
            style::relative(s.due.unwrap_or(env.today), env.today),
            s.due.map(|d| d.to_string()).unwrap_or_default()
        )?,
        None => writeln!(out, "Nothing due.")?,
    }
    let exhausted = report.exhausted;
    if exhausted > 0 {
        writeln!(
            out,
            "\n{} spent {} follow-up budget: `ledger lint` lists {}.",
            style::count(exhausted, "prospect"),
            if exhausted == 1 { "its" } else { "their" },
            if exhausted == 1 { "it" } else { "them" }
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The report of the ledger (through the cache unless `--no-cache`), after
/// saying on standard error how many prospects were held back as broken.
pub(super) fn gather(env: &Env, filters: &Filters, keep: Keep) -> Result<Report> {
    let query = Query {
        filter: filters.filter(&env.ledger.settings)?,
        keep,
        ..Query::default()
    };
    Ok(report_for(env, &query))
}

/// The report `query` asks for, as [`gather`] gives it.
pub(super) fn report_for(env: &Env, query: &Query) -> Report {
    let git = git::for_reading(&env.ledger.root);
    warn_if_unfinished(&git);
    let cache = env.cache.then_some(git.cache);
    let report = Report::gather(&env.ledger, env.today, cache.as_deref(), query);
    say_held_back(report.held_back.len());
    report
}

/// Say on standard error how many prospect files were held back for a
/// broken front matter (SPEC section 4), if any.
pub(super) fn say_held_back(held_back: usize) {
    if held_back > 0 {
        eprintln!(
            "skipped {} with errors; `ledger lint` tells why",
            style::count(held_back, "prospect file")
        );
    }
}

/// `ledger list`.
pub fn list(env: &Env, args: &ListArgs, out: &mut impl Write) -> Result<ExitCode> {
    env.ledger.require_settings()?;
    let keep = if args.all { Keep::All } else { Keep::Open };
    let shown = gather(env, &args.filters, keep)?.statuses;
    if args.json {
        write_json_array(out, &shown)?;
    } else if shown.is_empty() {
        writeln!(out, "No prospects{}.", if args.all { "" } else { " open" })?;
    } else {
        status_table(out, &shown, env, true)?;
    }
    let_go(shown);
    Ok(ExitCode::SUCCESS)
}

/// `ledger show`.
pub fn show(env: &Env, args: &ShowArgs, out: &mut impl Write) -> Result<ExitCode> {
    env.ledger.require_settings()?;
    warn_if_unfinished(&git::for_reading(&env.ledger.root));
    let prospect = &env.ledger.find(&args.prospect, &env.cwd)?;
    let status = &status_of(env, prospect)?;
    if args.json {
        write_json(out, &show_json(status, prospect)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let look = &env.look;
    writeln!(
        out,
        "{}  {}",
        look.paint(style::STRONG, &status.name),
        look.paint(style::DIM, &prospect.path)
    )?;
    let width = prospect
        .front
        .pairs
        .iter()
        .map(|(k, _, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    for (key, value, _) in &prospect.front.pairs {
        if key == "name" {
            continue;
        }
        let text = match (key.as_str(), value) {
            ("value", Yaml::Int(_) | Yaml::Float(_)) => {
                style::money(status.value.unwrap_or(0.0), &status.currency).to_string()
            }
            _ => yaml_text(value),
        };
        writeln!(
            out,
            "  {}  {}",
            look.paint(style::DIM, &format!("{key:width$}")),
            printable(&text)
        )?;
    }
    writeln!(out)?;
    writeln!(out, "  {}", printable(&status_words(status, env)))?;
    writeln!(
        out,
        "  {}, {} unanswered of a budget of {}{}",
        style::count(status.touches as usize, "touch"),
        status.unanswered,
        status.budget,
        status
            .last_touch
            .map(|d| format!(", last {d}"))
            .unwrap_or_default()
    )?;
    writeln!(out)?;
    if prospect.entries.is_empty() {
        writeln!(out, "{}", look.paint(style::STRONG, "Log: no entries yet"))?;
    } else {
        writeln!(out, "{}", look.paint(style::STRONG, "Log"))?;
        let row = |e: &ledger::format::entry::Entry, cells: &mut Cells| {
            match &e.time {
                Some(t) => cells.shown(&format_args!("  {} {t}", e.date), anstyle::Style::new()),
                None => cells.shown(&format_args!("  {}", e.date), anstyle::Style::new()),
            }
            if e.inbound {
                cells.shown(&format_args!("{} (in)", e.channel), style::ACTION);
            } else {
                cells.text(&e.channel, style::ACTION);
            }
            cells.text(&e.text, anstyle::Style::new());
        };
        Table {
            header: Vec::new(),
            align: vec![Align::Left; 3],
            flex: 2,
        }
        .write(out, look, &prospect.entries, row)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// What `show --json` prints of a prospect: its status, with its `fields`
/// (the front matter, every key) and its `log`.
pub(super) fn show_json(status: &Status, prospect: &Prospect) -> Result<serde_json::Value> {
    let mut value = serde_json::to_value(status).map_err(|e| Error::Output(e.into()))?;
    let fields: serde_json::Map<String, serde_json::Value> = prospect
        .front
        .pairs
        .iter()
        .map(|(k, v, _)| (k.clone(), v.to_json()))
        .collect();
    let log: Vec<serde_json::Value> = prospect
        .entries
        .iter()
        .map(|e| {
            serde_json::json!({
                "line": e.line, "date": e.date, "time": e.time, "channel": e.channel,
                "inbound": e.inbound, "text": e.text,
            })
        })
        .collect();
    if let Some(object) = value.as_object_mut() {
        object.insert("fields".into(), fields.into());
        object.insert("log".into(), log.into());
    }
    Ok(value)
}

/// A prospect's status today; for a broken prospect, the error of the
/// problem that breaks it.
pub(super) fn status_of(env: &Env, prospect: &Prospect) -> Result<Status> {
    let cx = Context {
        settings: &env.ledger.settings,
        today: env.today,
    };
    // The errors alone: a status needs no warning worded.
    let assessed = check::assess_errors(prospect, &cx);
    match assessed.status {
        Some(status) => Ok(status),
        None => Err(assessed.broken(&prospect.path, "")),
    }
}

/// Say on standard error when a write was stopped before it finished:
/// until the next writing command finishes or undoes it, the files may
/// show what was never committed (SPEC section 7: named, with what to do).
fn warn_if_unfinished(git: &git::ForReading) {
    if git.unfinished {
        eprintln!(
            "warning: a write or a sync was stopped before it finished, and the files may \
             show what was never committed; `ledger commit` finishes it or puts them back"
        );
    }
}

/// `ledger lint`.
pub fn lint(env: &Env, args: &LintArgs, out: &mut impl Write) -> Result<ExitCode> {
    warn_if_unfinished(&git::for_reading(&env.ledger.root));
    let lint = Lint::gather(&env.ledger, env.today);
    let diagnostics = lint.diagnostics;
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    if args.json {
        #[derive(Serialize)]
        struct Report<'a> {
            diagnostics: &'a [Diagnostic],
            errors: usize,
            warnings: usize,
            prospects: usize,
        }
        write_json(
            out,
            &Report {
                diagnostics: &diagnostics,
                errors,
                warnings,
                prospects: lint.prospects,
            },
        )?;
    } else {
        let look = &env.look;
        style::write_in_order(out, &diagnostics, |_, slice, piece| {
            for d in slice {
                let (word, paint) = match d.severity {
                    Severity::Error => ("error", style::ERROR),
                    Severity::Warning => ("warning", style::WARNING),
                };
                writeln!(
                    piece,
                    "{}:{}:{}: {}: {}",
                    printable(&d.path),
                    d.line,
                    d.column,
                    look.paint(paint, &format!("{word}[{}]", d.code.as_str())),
                    printable(&d.message)
                )?;
            }
            io::Result::Ok(())
        })?;
        if !diagnostics.is_empty() {
            out.flush()?;
            eprintln!(
                "{}, {} in {}",
                style::count(errors, "error"),
                style::count(warnings, "warning"),
                style::count(lint.prospects, "prospect")
            );
        }
    }
    let_go(diagnostics);
    let failed = errors > 0 || (args.strict && warnings > 0);
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `value` as pretty JSON, with every character [`is_unsafe_char`] says
/// may not reach a terminal written as a `\uXXXX` escape: serde_json
/// escapes only U+0000 to U+001F, and a script's output is often read on
/// a terminal too.
pub fn write_json(out: &mut impl Write, value: &impl Serialize) -> Result<()> {
    let mut json = serde_json::Serializer::with_formatter(&mut *out, SafeJson::default());
    // serde_json's error of a failed write keeps the write's kind: a
    // closed pipe stays one, which ends the command quietly.
    value
        .serialize(&mut json)
        .map_err(|e| Error::Output(e.into()))?;
    writeln!(out)?;
    Ok(())
}

/// `items` as [`write_json`] writes a list of them, each item made on any
/// core (the JSON of 100,000 statuses is 47 MB).
pub fn write_json_array<T: Serialize + Sync>(out: &mut impl Write, items: &[T]) -> Result<()> {
    if items.is_empty() {
        return write_json(out, &items);
    }
    out.write_all(b"[\n")?;
    style::write_in_order(out, items, |start, slice, piece| {
        for (at, value) in (start..).zip(slice) {
            json_item(value, piece)?;
            piece.extend_from_slice(if at + 1 < items.len() { b",\n" } else { b"\n" });
        }
        Ok::<(), Error>(())
    })?;
    out.write_all(b"]\n")?;
    Ok(())
}

/// One item of a list as [`write_json`] writes it, into `piece`: indented
/// once, without the `,` or line break that follows it.
pub fn json_item(value: &impl Serialize, piece: &mut Vec<u8>) -> Result<()> {
    let mut item = Vec::new();
    let mut json = serde_json::Serializer::with_formatter(&mut item, SafeJson::default());
    value
        .serialize(&mut json)
        .map_err(|e| Error::Output(e.into()))?;
    // Each line indented once more, as in the list: a line break within a
    // string is always written `\n` (no value here is serde_json's
    // `RawValue`, which could hold one raw).
    piece.extend_from_slice(b"  ");
    for line in item.split_inclusive(|&b| b == b'\n') {
        piece.extend_from_slice(line);
        if line.ends_with(b"\n") {
            piece.extend_from_slice(b"  ");
        }
    }
    Ok(())
}

/// serde_json's pretty layout, escaping what it would write raw of the
/// characters SPEC section 10 lists (DEL, U+0080 to U+009F, the
/// bidirectional controls).
#[derive(Default)]
struct SafeJson(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for SafeJson {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        out: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some((at, c)) = rest.char_indices().find(|&(_, c)| is_unsafe_char(c)) {
            let (before, after) = rest.split_at(at);
            out.write_all(before.as_bytes())?;
            write!(out, "\\u{:04x}", u32::from(c))?;
            rest = after.get(c.len_utf8()..).unwrap_or_default();
        }
        out.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// The table of `due` and `list`: when, name, stage, value, touch N of B,
/// last touch, and what to do.
fn status_table(
    out: &mut impl Write,
    statuses: &[Status],
    env: &Env,
    with_undue: bool,
) -> io::Result<()> {
    let row = |s: &Status, cells: &mut Cells| {
        match s.overdue_days {
            Some(days) => cells.shown(&style::lateness(days), style::lateness_style(days)),
            None if with_undue => cells.text(s.due_reason.as_str(), style::DIM),
            None => cells.text("", anstyle::Style::new()),
        }
        cells.text(&s.name, style::STRONG);
        cells.text(&s.stage, style::DIM);
        match s.value {
            Some(v) => cells.shown(&style::money(v, &s.currency), anstyle::Style::new()),
            None => cells.text("", anstyle::Style::new()),
        }
        match s.due_reason {
            Reason::Closed | Reason::Dnc | Reason::Exhausted => {
                cells.shown(&format_args!("{} done", s.touches), anstyle::Style::new())
            }
            _ => cells.shown(
                &format_args!("{} of {}", s.unanswered + 1, s.budget),
                anstyle::Style::new(),
            ),
        }
        match s.last_touch {
            Some(d) => cells.shown(&style::short_date(d, env.today), style::DIM),
            None => cells.text("-", style::DIM),
        }
        cells.text(action(s), style::ACTION);
    };
    Table {
        header: vec![
            "WHEN", "PROSPECT", "STAGE", "VALUE", "TOUCH", "LAST", "ACTION",
        ],
        align: vec![
            Align::Left,
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Left,
            Align::Left,
            Align::Left,
        ],
        flex: 1,
    }
    .write(out, &env.look, statuses, row)
}

/// What to do next, in a word: the cadence's channel, or why it is due.
pub(super) fn action(s: &Status) -> &str {
    match (&s.channel, s.due_reason) {
        (Some(channel), _) => channel,
        (None, Reason::Cadence) => "follow-up",
        (None, Reason::Scheduled) => "agreed",
        (None, Reason::New) => "intro",
        (None, Reason::Reply) => "reply",
        (None, Reason::Nurture) => "check-in",
        (None, _) => "",
    }
}

/// The status in words: "due in 2 days (2026-11-25) by cadence, step 3: email".
pub(super) fn status_words(s: &Status, env: &Env) -> String {
    let when =
        |d: ledger::format::date::Date| format!("due {} ({d})", style::relative(d, env.today));
    let due = s.due;
    match (s.due_reason, due) {
        (Reason::Cadence, Some(d)) => format!(
            "{} by cadence, step {}{}",
            when(d),
            s.step.unwrap_or(s.unanswered),
            s.channel.as_ref().map(|c| format!(": {c}")).unwrap_or_default()
        ),
        (Reason::Scheduled, Some(d)) => format!("{}: scheduled by `next`", when(d)),
        (Reason::New, Some(d)) => format!("{}: new, not contacted yet", when(d)),
        (Reason::Reply, Some(d)) => format!("{}: they spoke last, answer them", when(d)),
        (Reason::Nurture, Some(d)) => {
            format!("{}: nurture check-in, every {}", when(d), env.ledger.settings.nurture_every)
        }
        (Reason::Exhausted, _) => format!(
            "not due: {} unanswered follow-ups spent the budget of {}; close it, nurture it, or set `next`",
            s.unanswered, s.budget
        ),
        (Reason::Dnc, _) => match s.dnc_since {
            Some(since) => format!("not due: do not contact (since {since})"),
            None => "not due: do not contact".into(),
        },
        (Reason::Closed, _) => format!("not due: closed ({})", s.stage),
        (reason, None) => format!("not due ({})", reason.as_str()),
    }
}

fn yaml_text(value: &Yaml) -> String {
    match value {
        Yaml::List(items) => items.iter().map(yaml_text).collect::<Vec<_>>().join(", "),
        Yaml::Map(_) => serde_json::to_string(&value.to_json()).unwrap_or_default(),
        Yaml::Null => String::new(),
        other => other.scalar_text().unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A list written an item a core at a time reads byte for byte as
    /// the whole list written at once: empty, one item, and more items
    /// than one slice and one window of `style::write_in_order`, with
    /// line breaks, quotes and characters that must be escaped.
    #[test]
    fn a_list_in_pieces_is_the_list_written_whole() {
        #[derive(Serialize)]
        struct Item {
            n: usize,
            text: String,
            tags: Vec<&'static str>,
            none: Option<u8>,
        }
        let item = |n: usize| Item {
            n,
            text: format!("line\nbreak \"{n}\" \u{202e}rtl\u{7f} Иван 名前 🎉"),
            tags: if n.is_multiple_of(3) {
                vec![]
            } else {
                vec!["a", "b"]
            },
            none: None,
        };
        for count in [0, 1, 2, 2048, 2049, 20_000] {
            let items: Vec<Item> = (0..count).map(item).collect();
            let (mut whole, mut pieces) = (Vec::new(), Vec::new());
            write_json(&mut whole, &items).unwrap();
            write_json_array(&mut pieces, &items).unwrap();
            assert!(whole == pieces, "{count} items");
        }
    }
}
