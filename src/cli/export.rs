//! `ledger export ics|csv|json` (SPEC section 9): the ledger for a
//! calendar, a spreadsheet or a script, from the same report `list` shows.

use std::fs::File;
use std::io::Write;
use std::process::ExitCode;

use icalendar::{Calendar, Component, EventLike};
use ledger::format::date::{self, Date};
use ledger::format::text::printable;
use ledger::ledger::read::read_prospect;
use ledger::ledger::report::Query;
use ledger::rules::due::{Card, Reason, Status};
use ledger::rules::export;
use ledger::{Error, Result};
use rayon::prelude::*;

use super::read::{report_for, show_json, write_json};
use super::style;
use super::{Env, ExportFormat, Filters, IcsArgs};

/// `ledger export`.
pub fn export(env: &Env, format: &ExportFormat, out: &mut impl Write) -> Result<ExitCode> {
    env.ledger.require_settings()?;
    match format {
        ExportFormat::Ics(args) => ics(env, args, out)?,
        ExportFormat::Csv(args) => csv(env, &args.filters, out)?,
        ExportFormat::Json(args) => json(env, &args.filters, out)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Every usable prospect the filters keep, in the order of `list --all`,
/// each with its card when `cards`.
fn statuses(env: &Env, filters: &Filters, due_by: Option<Date>, cards: bool) -> Vec<Status> {
    let query = Query {
        filter: filters.filter(),
        due_by,
        cards,
        ..Query::default()
    };
    report_for(env, &query).statuses
}

/// `export csv`: a header and a row a prospect, as RFC 4180 says.
fn csv(env: &Env, filters: &Filters, out: &mut impl Write) -> Result<()> {
    let mut csv = ::csv::Writer::from_writer(out);
    let failed = |e: ::csv::Error| Error::Output(e.into());
    csv.write_record(export::COLUMNS.iter().map(|(name, ..)| name))
        .map_err(failed)?;
    let none = Card::default();
    for status in statuses(env, filters, None, true) {
        let card = status.card.as_deref().unwrap_or(&none);
        // Not JSON: a control character is shown escaped (SPEC section 10).
        let row = export::row(&status, card).map(|cell| printable(&cell).into_owned());
        csv.write_record(row).map_err(failed)?;
    }
    csv.flush()?;
    Ok(())
}

/// `export json`: what `show --json` prints of each prospect, in an array.
fn json(env: &Env, filters: &Filters, out: &mut impl Write) -> Result<()> {
    let statuses = statuses(env, filters, None, false);
    let root = &env.ledger.root;
    let shown: Vec<serde_json::Value> = statuses
        .par_iter()
        .filter_map(|status| {
            // Read again for its fields and log; a file that changed into
            // something else since the walk is left out.
            let open = || File::open(root.join(&status.path));
            let prospect = read_prospect(&status.path, open)?;
            prospect.fields()?;
            show_json(status, &prospect).ok()
        })
        .collect();
    write_json(out, &shown)
}

/// `export ics`: an all-day event (or with `--todo` a to-do) for each
/// open prospect with a due date, on that date or today when it is past.
fn ics(env: &Env, args: &IcsArgs, out: &mut impl Write) -> Result<()> {
    let today = env.today;
    let horizon = args.within.map(|span| span.after(today));
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", PRODID))
        .append_property(("CALSCALE", "GREGORIAN"))
        .append_property(("X-WR-CALNAME", calendar_name(env).as_str()));
    let ledger = ledger_name(env);
    for status in statuses(env, &args.filters, horizon, true) {
        let Some(due) = status.due else { continue };
        let day = due.max(today);
        let uid = uid(&ledger, &status.id);
        if args.todo {
            let mut todo = icalendar::Todo::new();
            todo.due(day);
            calendar.push(describe(todo, &uid, &status, today));
        } else {
            let mut event = icalendar::Event::new();
            event.starts(day);
            calendar.push(describe(event, &uid, &status, today));
        }
    }
    write!(out, "{calendar}")?;
    Ok(())
}

/// An event or a to-do with the prospect's UID, summary, description and
/// categories.
fn describe<C: Component>(mut item: C, uid: &str, s: &Status, today: Date) -> C {
    item.uid(uid)
        .summary(&summary(s, today))
        .description(&description(s))
        .add_property("CATEGORIES", categories(s));
    item
}

/// Who made the calendar (RFC 5545's PRODID).
const PRODID: &str = concat!("-//ledger//ledger ", env!("CARGO_PKG_VERSION"), "//EN");

/// The name of the ledger: its folder's name.
fn ledger_name(env: &Env) -> String {
    let root = env
        .ledger
        .root
        .canonicalize()
        .unwrap_or(env.ledger.root.clone());
    root.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The calendar's name, as a calendar app shows it.
fn calendar_name(env: &Env) -> String {
    match ledger_name(env) {
        name if name.is_empty() => "Follow-ups".to_owned(),
        name => format!("Follow-ups: {}", printable(&name)),
    }
}

/// The UID of a prospect's event: the same at every export of the same
/// ledger, so that a subscribed calendar moves the event when the due
/// date moves, rather than adding one. Made of the ledger's folder name
/// and the prospect's id (its path), hashed: ids may hold any character.
fn uid(ledger: &str, id: &str) -> String {
    let hash = xxhash_rust::xxh3::xxh3_128(format!("{ledger}\n{id}").as_bytes());
    format!("{hash:032x}@ledger")
}

/// `Follow up: Acme Corp: call (touch 3 of 12)`, and how late it is.
fn summary(s: &Status, today: Date) -> String {
    let what = s.channel.as_deref().unwrap_or(match s.due_reason {
        Reason::Scheduled => "agreed follow-up",
        Reason::New => "first contact",
        Reason::Reply => "reply",
        Reason::Nurture => "check-in",
        _ => "follow-up",
    });
    let mut summary = format!(
        "Follow up: {}: {what} (touch {} of {})",
        printable(&s.name),
        s.unanswered + 1,
        s.budget
    );
    if let Some(due) = s.due.filter(|&due| due < today) {
        let late = date::days_between(due, today);
        summary.push_str(&format!(", {}", style::lateness(late)));
    }
    summary
}

/// Stage, value, contact, email, phone and last touch, a line each.
fn description(s: &Status) -> String {
    let card = s.card.as_deref();
    let mut lines = vec![format!("Stage: {}", printable(&s.stage))];
    if let Some(value) = s.value {
        lines.push(format!(
            "Value: {}",
            style::money(value, &printable(&s.currency))
        ));
    }
    let known = [
        ("Contact", card.and_then(|c| c.contact.as_deref())),
        ("Email", card.and_then(|c| c.email.as_deref())),
        ("Phone", card.and_then(|c| c.phone.as_deref())),
    ];
    for (label, value) in known {
        if let Some(value) = value {
            lines.push(format!("{label}: {}", printable(value)));
        }
    }
    if let Some(last) = s.last_touch {
        lines.push(format!("Last touch: {last}"));
    }
    lines.push(format!("Ledger: {}", printable(&s.id)));
    lines.join("\n")
}

/// The stage and the tags, as one CATEGORIES value: a list whose items
/// are escaped here, as icalendar writes a list as it is given.
fn categories(s: &Status) -> String {
    let escape = |text: &str| {
        printable(text)
            .replace('\\', "\\\\")
            .replace(',', "\\,")
            .replace(';', "\\;")
    };
    std::iter::once(&s.stage)
        .chain(&s.tags)
        .map(|item| escape(item))
        .collect::<Vec<_>>()
        .join(",")
}
