//! The reading commands: `due`, `list`, `show`, `lint`.

use std::io::{self, Write};
use std::process::ExitCode;

use ledger::format::date::Date;
use ledger::format::diagnostic::{Diagnostic, Severity};
use ledger::format::text::{is_unsafe_char, printable};
use ledger::format::yaml::Yaml;
use ledger::rules::check::{self, Context};
use ledger::rules::due::{self, Reason, Status};
use ledger::{Error, Result};
use rayon::prelude::*;
use serde::Serialize;

use super::style::{self, Align, Cells, Table};
use super::{DueArgs, Env, Filters, LintArgs, ListArgs, ShowArgs};

/// `ledger due`.
pub fn due(env: &Env, args: &DueArgs, out: &mut impl Write) -> Result<ExitCode> {
    env.ledger.require_settings()?;
    // What is due by today, or within the span asked for; `--json` lists
    // exactly what the table shows.
    let horizon = args.within.map_or(env.today, |span| span.after(env.today));
    // A prospect whose front matter is broken has no status and is only
    // counted; one with bad entries is shown, computed without them.
    let shown = |due: Option<Date>| due.is_some_and(|d| d <= horizon);
    let filtered = !args.filters.is_empty();
    let (tally, _) = env.ledger.summaries(
        env.today,
        env.cache,
        DueTally::default,
        // What is neither shown nor the next to come due is only counted,
        // unless the filters need the whole status.
        |tally, glance, path| {
            let id = path.strip_suffix(".md").unwrap_or(path);
            if filtered
                || shown(glance.due)
                || glance
                    .due
                    .is_some_and(|_| tally.before_next(glance.due, glance.value, id))
            {
                return true;
            }
            tally.exhausted += usize::from(glance.due_reason == Reason::Exhausted);
            false
        },
        |tally, summary| {
            let Some(status) = summary.status else {
                tally.held_back += 1;
                return;
            };
            if !matches(&status, &args.filters) {
                return;
            }
            tally.exhausted += usize::from(status.due_reason == Reason::Exhausted);
            match status.due {
                Some(_) if shown(status.due) => tally.due.push(status),
                Some(_) => tally.later(status),
                None => {}
            }
        },
        |mut a, b| {
            a.held_back += b.held_back;
            a.exhausted += b.exhausted;
            a.due = a.due.append(b.due);
            if let Some(next) = b.next {
                a.later(next);
            }
            a
        },
    );
    report_skipped(tally.held_back);
    let mut due = tally.due.sorted();
    due.truncate(args.limit.unwrap_or(usize::MAX));
    if args.json {
        write_json(out, &due)?;
    } else {
        due_text(out, env, &due, &tally)?;
    }
    drop(due);
    tally.due.leave();
    Ok(ExitCode::SUCCESS)
}

/// `due` for a person: the table (or when the next is due), and how many
/// spent their budget.
fn due_text(out: &mut impl Write, env: &Env, due: &[&Status], tally: &DueTally) -> Result<()> {
    if due.is_empty() {
        match &tally.next {
            Some(s) => writeln!(
                out,
                "Nothing due. Next: {} {} ({}).",
                printable(&s.name),
                style::relative(s.due.unwrap_or(env.today), env.today),
                s.due.map(|d| d.to_string()).unwrap_or_default()
            )?,
            None => writeln!(out, "Nothing due.")?,
        }
    } else {
        status_table(out, due, env, false)?;
    }
    let exhausted = tally.exhausted;
    if exhausted > 0 {
        writeln!(
            out,
            "\n{} spent {} follow-up budget: `ledger lint` lists {}.",
            style::count(exhausted, "prospect"),
            if exhausted == 1 { "its" } else { "their" },
            if exhausted == 1 { "it" } else { "them" }
        )?;
    }
    Ok(())
}

/// What `due` keeps while the prospects are read.
#[derive(Default)]
struct DueTally {
    /// Prospects whose front matter is broken.
    held_back: usize,
    /// Prospects (of the filters) whose follow-up budget is spent.
    exhausted: usize,
    /// Those due within the horizon.
    due: Pile,
    /// The first to come due after the horizon (or held back).
    next: Option<Status>,
}

impl DueTally {
    fn later(&mut self, status: Status) {
        if self.before_next(status.due, status.value, &status.id) {
            self.next = Some(status);
        }
    }

    /// Whether a prospect due then, of that value and id, comes before
    /// the next to come due so far.
    fn before_next(&self, due: Option<Date>, value: Option<f64>, id: &str) -> bool {
        self.next.as_ref().is_none_or(|next| {
            due::rank(due, value, id) < due::rank(next.due, next.value, &next.id)
        })
    }
}

/// Statuses gathered on many threads, in pieces, so that joining them
/// never moves a status.
#[derive(Default)]
struct Pile {
    pieces: Vec<Vec<((u64, u64), Status)>>,
    /// Whether some status came before one with a smaller id.
    disordered: bool,
}

impl Pile {
    /// Statuses a piece holds: a full piece is followed by a new one,
    /// never moved to a larger one.
    const PIECE: usize = 1024;

    /// Pile up a status, and beside it the words that mostly decide its
    /// order ([`due::order_words`]), taken while it is at hand.
    fn push(&mut self, status: Status) {
        let words = due::order_words(&status);
        self.disordered |= self.last().is_some_and(|last| last.id >= status.id);
        match self.pieces.last_mut() {
            Some(last) if last.len() < last.capacity() => last.push((words, status)),
            _ => {
                let mut piece = Vec::with_capacity(Pile::PIECE);
                piece.push((words, status));
                self.pieces.push(piece);
            }
        }
    }

    fn append(mut self, more: Pile) -> Pile {
        let first = more.pieces.first().and_then(|piece| piece.first());
        self.disordered |= more.disordered
            || self
                .last()
                .zip(first)
                .is_some_and(|(last, (_, first))| last.id >= first.id);
        self.pieces.extend(more.pieces);
        self
    }

    fn last(&self) -> Option<&Status> {
        self.pieces.last()?.last().map(|(_, status)| status)
    }

    /// Leave the statuses to the process's exit, which frees them all at
    /// once: freeing tens of thousands one by one takes longer.
    fn leave(self) {
        std::mem::forget(self);
    }

    /// Every status, in [`due::order`]: sorted by the words beside them,
    /// so that most comparisons never leave the array.
    fn sorted(&self) -> Vec<&Status> {
        let mut keyed: Vec<_> = self
            .pieces
            .iter()
            .flatten()
            .map(|(words, status)| (*words, status))
            .collect();
        // The walk meets the prospects in the order of their ids, and then
        // sorting by the words alone, keeping ties in place, is the order.
        if !self.disordered {
            keyed.par_sort_by_key(|(words, _)| *words);
        } else {
            keyed
                .par_sort_unstable_by(|(a, sa), (b, sb)| a.cmp(b).then_with(|| due::order(sa, sb)));
        }
        keyed.into_iter().map(|(_, s)| s).collect()
    }
}

/// `ledger list`.
pub fn list(env: &Env, args: &ListArgs, out: &mut impl Write) -> Result<ExitCode> {
    env.ledger.require_settings()?;
    let ((broken, pile), _) = env.ledger.summaries(
        env.today,
        env.cache,
        || (0, Pile::default()),
        |_, _, _| true,
        |(broken, shown): &mut (usize, Pile), summary| match summary.status {
            None => *broken += 1,
            Some(s)
                if (args.all || s.due_reason != Reason::Closed) && matches(&s, &args.filters) =>
            {
                shown.push(s)
            }
            Some(_) => {}
        },
        |(a, shown), (b, more)| (a + b, shown.append(more)),
    );
    report_skipped(broken);
    let shown = pile.sorted();
    if args.json {
        write_json(out, &shown)?;
    } else if shown.is_empty() {
        writeln!(out, "No prospects{}.", if args.all { "" } else { " open" })?;
    } else {
        status_table(out, &shown, env, true)?;
    }
    drop(shown);
    pile.leave();
    Ok(ExitCode::SUCCESS)
}

/// `ledger show`.
pub fn show(env: &Env, args: &ShowArgs, out: &mut impl Write) -> Result<ExitCode> {
    env.ledger.require_settings()?;
    let prospect = &env.ledger.find(&args.prospect, &env.cwd)?;
    let cx = Context {
        settings: &env.ledger.settings,
        today: env.today,
    };
    let assessment = &check::assess(prospect, &cx);
    let Some(status) = &assessment.status else {
        let first = assessment
            .diagnostics
            .iter()
            .find(|d| d.code.breaks_prospect())
            .or(assessment.diagnostics.first());
        return Err(match first {
            Some(d) => Error::BrokenProspect {
                path: d.path.clone(),
                line: d.line,
                column: d.column,
                message: format!("{} (`ledger lint` lists every problem)", d.message),
            },
            None => Error::Message(format!("{} cannot be read", prospect.path)),
        });
    };
    if args.json {
        let mut value = serde_json::to_value(status).map_err(|e| Error::Message(e.to_string()))?;
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
        write_json(out, &value)?;
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

/// `ledger lint`.
pub fn lint(env: &Env, args: &LintArgs, out: &mut impl Write) -> Result<ExitCode> {
    let lint = env.ledger.lint(env.today);
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
        for d in &diagnostics {
            let (word, paint) = match d.severity {
                Severity::Error => ("error", style::ERROR),
                Severity::Warning => ("warning", style::WARNING),
            };
            writeln!(
                out,
                "{}:{}:{}: {}: {}",
                printable(&d.path),
                d.line,
                d.column,
                look.paint(paint, &format!("{word}[{}]", d.code.as_str())),
                printable(&d.message)
            )?;
        }
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
    let failed = errors > 0 || (args.strict && warnings > 0);
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Say once on standard error how many prospects were skipped as broken.
fn report_skipped(skipped: usize) {
    if skipped > 0 {
        eprintln!(
            "skipped {} with errors; `ledger lint` tells why",
            style::count(skipped, "prospect file")
        );
    }
}

fn matches(s: &Status, filters: &Filters) -> bool {
    (filters.stage.is_empty() || filters.stage.iter().any(|st| st == &s.stage))
        && filters
            .tag
            .iter()
            .all(|t| s.tags.iter().any(|have| have.eq_ignore_ascii_case(t)))
        && filters.owner.as_ref().is_none_or(|o| {
            s.owner
                .as_ref()
                .is_some_and(|have| have.eq_ignore_ascii_case(o))
        })
}

/// `value` as pretty JSON, with every character [`is_unsafe_char`] says
/// may not reach a terminal written as a `\uXXXX` escape: serde_json
/// escapes only U+0000 to U+001F, and a script's output is often read on
/// a terminal too.
pub fn write_json(out: &mut impl Write, value: &impl Serialize) -> Result<()> {
    let mut json = serde_json::Serializer::with_formatter(&mut *out, SafeJson::default());
    value
        .serialize(&mut json)
        .map_err(|e| Error::Output(io::Error::other(e)))?;
    writeln!(out)?;
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
    statuses: &[&Status],
    env: &Env,
    with_undue: bool,
) -> io::Result<()> {
    let row = |s: &&Status, cells: &mut Cells| {
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
    // The statuses lie in memory in the order they were read.
    .write_placed(
        out,
        &env.look,
        statuses,
        |s| std::ptr::from_ref::<Status>(s) as usize,
        row,
    )
}

/// What to do next, in a word: the cadence's channel, or why it is due.
fn action(s: &Status) -> &str {
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
    use ledger::format::date;

    fn status(id: &str, due: Option<&str>, value: Option<f64>) -> Status {
        Status {
            id: id.into(),
            path: format!("{id}.md"),
            name: id.into(),
            stage: "lead".into(),
            value,
            currency: "USD".into(),
            owner: None,
            tags: Vec::new(),
            touches: 0,
            unanswered: 0,
            budget: 3,
            last_touch: None,
            due: due.map(|d| date::parse_iso(d).unwrap()),
            overdue_days: None,
            due_reason: Reason::Cadence,
            channel: None,
            step: None,
            dnc_since: None,
        }
    }

    /// Statuses with many ties in date and value, in the order of their
    /// ids (as a walk gives them) or not: the pile sorts both as
    /// `due::order` does.
    #[test]
    fn a_pile_sorts_as_the_order_does() {
        let days = [None, Some("2026-11-20"), Some("2026-11-23")];
        let values = [None, Some(0.0), Some(500.0), Some(500.004), Some(1e30)];
        let mut all = Vec::new();
        for i in 0..90 {
            all.push(status(
                &format!("prospects/p{i:02}"),
                days[i % days.len()],
                values[i / 3 % values.len()],
            ));
        }
        let mut expected = all.clone();
        expected.sort_by(due::order);
        let expected: Vec<&str> = expected.iter().map(|s| s.id.as_str()).collect();
        // In the order of the ids; reversed; and in two piles joined the
        // wrong way round, each in order.
        let pile = |statuses: &[Status]| {
            let mut pile = Pile::default();
            for s in statuses.iter().cloned() {
                pile.push(s);
            }
            pile
        };
        let (first, second) = all.split_at(40);
        let mut reversed = all.clone();
        reversed.reverse();
        let piles = [
            pile(&all),
            pile(&reversed),
            pile(second).append(pile(first)),
            pile(first).append(pile(second)),
        ];
        for (round, pile) in piles.iter().enumerate() {
            let sorted: Vec<&str> = pile.sorted().iter().map(|s| s.id.as_str()).collect();
            assert_eq!(sorted, expected, "round {round}");
        }
    }
}
