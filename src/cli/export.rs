//! `ledger export ics|csv|json` (SPEC section 9): the ledger for a
//! calendar, a spreadsheet or a script, from the same report `list` shows.

use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use icalendar::{Calendar, Component, EventLike};
use ledger::format::date::{self, Date};
use ledger::format::text::printable;
use ledger::ledger::read::read_regular_prospect;
use ledger::ledger::report::{Keep, Query, Writer};
use ledger::rules::due::{Card, Status};
use ledger::rules::export;
use ledger::{Error, Result};
use rayon::prelude::*;

use super::read::{action, json_item, report_for, show_json, write_json};
use super::style;
use super::{let_go, Env, ExportFormat, Filters, IcsArgs};

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

/// The usable prospects the filters keep, in the order of `list --all`,
/// each written by `write` when it is given.
fn statuses(
    env: &Env,
    filters: &Filters,
    keep: Keep,
    write: Option<Writer>,
) -> Result<Vec<Status>> {
    let query = Query {
        filter: filters.filter(&env.ledger.settings)?,
        keep,
        write,
        ..Query::default()
    };
    Ok(report_for(env, &query).statuses)
}

/// Put out what the report wrote of each prospect, in its order.
fn put_out(statuses: &[Status], out: &mut impl Write) -> Result<()> {
    for status in statuses {
        out.write_all(status.written.as_deref().unwrap_or_default())?;
    }
    Ok(())
}

/// `export csv`: a header and a row a prospect, as RFC 4180 says.
fn csv(env: &Env, filters: &Filters, out: &mut impl Write) -> Result<()> {
    let failed = |e: ::csv::Error| Error::Output(e.into());
    let mut header = rfc_4180().from_writer(&mut *out);
    header
        .write_record(export::COLUMNS.iter().map(|(name, ..)| name))
        .map_err(failed)?;
    header.flush()?;
    drop(header);
    // Each row written where its prospect was read.
    let statuses = statuses(env, filters, Keep::All, Some(Writer(Arc::new(csv_row))))?;
    put_out(&statuses, out)?;
    let_go(statuses);
    Ok(())
}

/// One prospect's row of `export csv`.
fn csv_row(status: &Status) -> Vec<u8> {
    let none = Card::default();
    let card = status.card.as_deref().unwrap_or(&none);
    // A row that fits the writer's buffer (most do) reaches the vector
    // in one piece when the writer lets go of it: an allocation of its
    // own size, with no spare room to carry to the end of the export.
    let mut csv = rfc_4180()
        .has_headers(false)
        .buffer_capacity(ROW_BYTES)
        .from_writer(Vec::new());
    // Into memory, which takes every byte, one record a writer: the
    // csv crate fails only when its writer does or a record has another
    // number of fields, so there is no error to lose.
    for cell in export::row(status, card) {
        // Not JSON: a control character is shown escaped (SPEC section 10).
        let _ = csv.write_field(printable(&cell).as_bytes());
    }
    let _ = csv.write_record(None::<&[u8]>);
    csv.into_inner().unwrap_or_default()
}

/// The writer's buffer for one row of `export csv`: more than most rows
/// take (some 220 bytes); a longer one is handed on in pieces.
const ROW_BYTES: usize = 1024;

/// A writer of RFC 4180's CSV: records end in CRLF.
fn rfc_4180() -> ::csv::WriterBuilder {
    let mut builder = ::csv::WriterBuilder::new();
    builder.terminator(::csv::Terminator::CRLF);
    builder
}

/// `export json`: what `show --json` prints of each prospect, in an array.
/// Each prospect's file is read again for its fields and log, a window of
/// them at a time on every core, and written as it is made: the whole
/// array of a large ledger (some 6 KB a prospect as values) is never held.
fn json(env: &Env, filters: &Filters, out: &mut impl Write) -> Result<()> {
    const WINDOW: usize = 4096;
    let statuses = statuses(env, filters, Keep::All, None)?;
    let root = &env.ledger.root;
    let mut written = 0usize;
    for window in statuses.chunks(WINDOW) {
        let items: Vec<Vec<u8>> = window
            .par_iter()
            .filter_map(|status| {
                // A file that changed into something else since the walk (a
                // link, a FIFO) is left out.
                let prospect = read_regular_prospect(root, &status.path)?;
                prospect.fields()?;
                let value = show_json(status, &prospect).ok()?;
                let mut item = Vec::new();
                Some(json_item(&value, &mut item).map(|()| item))
            })
            .collect::<Result<_>>()?;
        for item in &items {
            out.write_all(if written == 0 { b"[\n" } else { b",\n" })?;
            out.write_all(item)?;
            written += 1;
        }
    }
    match written {
        0 => write_json(out, &Vec::<()>::new())?,
        _ => out.write_all(b"\n]\n")?,
    }
    let_go(statuses);
    Ok(())
}

/// `export ics`: an all-day event (or with `--todo` a to-do) for each
/// open prospect with a due date, on that date or today when it is past.
fn ics(env: &Env, args: &IcsArgs, out: &mut impl Write) -> Result<()> {
    let today = env.today;
    // Without --within, every follow-up to come.
    let horizon = args.within.map_or(Date::MAX, |span| span.after(today));
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", PRODID))
        .append_property(("CALSCALE", "GREGORIAN"))
        .append_property(("X-WR-CALNAME", calendar_name(env).as_str()));
    // A ledger with nothing due gives a calendar of no event: RFC 5545's
    // grammar asks for one, but calendar apps read an empty calendar as
    // what it is, and a subscription keeps working.
    // The calendar without its events, written as icalendar writes it,
    // and the events (made on every core) put in before its end.
    let shell = calendar.to_string();
    let (head, tail) = shell.split_at(shell.rfind("END:VCALENDAR").unwrap_or(shell.len()));
    let ledger = ledger_name(env);
    // When the calendar was made (RFC 5545's DTSTAMP), the same for
    // every item, written once rather than by icalendar for each.
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    // Each item written where its prospect was read.
    let todo = args.todo;
    let item = move |status: &Status| {
        let mut item = String::new();
        let mut folded = Vec::new();
        let Some(due) = status.due else {
            return folded;
        };
        let day = due.max(today);
        let uid = uid(&ledger, &status.id);
        // Into a string: icalendar fails only when what it writes into
        // does, which a string never does.
        let _ = if todo {
            let mut todo = icalendar::Todo::new();
            todo.due(day);
            describe(todo, &uid, &stamp, status, today).fmt_write(&mut item)
        } else {
            let mut event = icalendar::Event::new();
            event.starts(day);
            describe(event, &uid, &stamp, status, today).fmt_write(&mut item)
        };
        fold_into(&item, &mut folded);
        folded
    };
    let statuses = statuses(
        env,
        &args.filters,
        Keep::DueBy(horizon),
        Some(Writer(Arc::new(item))),
    )?;
    // The calendar's name may be long too.
    let mut folded_head = Vec::with_capacity(head.len());
    fold_into(head, &mut folded_head);
    out.write_all(&folded_head)?;
    put_out(&statuses, out)?;
    out.write_all(tail.as_bytes())?;
    let_go(statuses);
    Ok(())
}

/// The most octets a line of a calendar may hold (RFC 5545 section 3.1),
/// its line break not counted.
const LINE_OCTETS: usize = 75;

/// Append `text` (CRLF-ended lines, as icalendar writes them) to `out`,
/// each line folded as RFC 5545 section 3.1 says: at most
/// [`LINE_OCTETS`], each continuation beginning with a space, never
/// inside a UTF-8 character. icalendar folds too, but lets a continuation
/// reach 76 octets when a line ends just past a multiple of its step:
/// such text is unfolded and folded again.
fn fold_into(text: &str, out: &mut Vec<u8>) {
    if text.split("\r\n").all(|line| line.len() <= LINE_OCTETS) {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    for line in text.replace("\r\n ", "").split_terminator("\r\n") {
        let (mut rest, mut room) = (line, LINE_OCTETS);
        while rest.len() > room {
            let mut cut = room;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            let (head, tail) = rest.split_at(cut);
            out.extend_from_slice(head.as_bytes());
            out.extend_from_slice(b"\r\n ");
            (rest, room) = (tail, LINE_OCTETS - 1);
        }
        out.extend_from_slice(rest.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
}

/// An event or a to-do with the prospect's UID, the calendar's `stamp`,
/// summary, description and categories.
fn describe<C: Component>(mut item: C, uid: &str, stamp: &str, s: &Status, today: Date) -> C {
    item.uid(uid)
        .add_property("DTSTAMP", stamp)
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
    // In the words of `due`'s ACTION column.
    let what = action(s);
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
    let mut text = format!("Stage: {}", printable(&s.stage));
    if let Some(value) = s.value {
        let currency = printable(&s.currency);
        let _ = write!(text, "\nValue: {}", style::money(value, &currency));
    }
    let known = [
        ("Contact", card.and_then(|c| c.contact.as_deref())),
        ("Email", card.and_then(|c| c.email.as_deref())),
        ("Phone", card.and_then(|c| c.phone.as_deref())),
    ];
    for (label, value) in known {
        if let Some(value) = value {
            let _ = write!(text, "\n{label}: {}", printable(value));
        }
    }
    if let Some(last) = s.last_touch {
        let _ = write!(text, "\nLast touch: {last}");
    }
    let _ = write!(text, "\nLedger: {}", printable(&s.id));
    text
}

/// The stage and the tags, as one CATEGORIES value: a list whose items
/// are escaped here, as icalendar writes a list as it is given.
fn categories(s: &Status) -> String {
    let mut list = String::new();
    for (i, item) in std::iter::once(&s.stage).chain(&s.tags).enumerate() {
        if i > 0 {
            list.push(',');
        }
        for c in printable(item).chars() {
            if matches!(c, '\\' | ',' | ';') {
                list.push('\\');
            }
            list.push(c);
        }
    }
    list
}
