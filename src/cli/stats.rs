//! `ledger stats`: the figures the library works out in the report's walk
//! (`rules::stats`), as a report a person takes in at a glance in 80
//! columns, counts drawn as bars; or as JSON.

use std::io::Write;
use std::process::ExitCode;

use anstyle::Style;
use ledger::format::text::printable;
use ledger::ledger::report::{Keep, Query};
use ledger::rules::stats::{Buckets, Stage, Stats, Values, CITED_SALES_BY_CONTACT};
use ledger::Result;

use super::read::{report_for, write_json};
use super::style::{self, Align, Look, Table};
use super::{Env, StatsArgs};

/// The widest a bar is drawn, in columns, in a table of one bar a row...
const BAR: usize = 24;

/// ...and of two, side by side.
const HALF_BAR: usize = 14;

/// How many of the prospects given up early are named.
const NAMED: usize = 10;

/// `ledger stats`.
pub fn stats(env: &Env, args: &StatsArgs, out: &mut impl Write) -> Result<ExitCode> {
    env.ledger.require_settings()?;
    // No status is kept: the walk counts.
    let query = Query {
        filter: args.filters.filter(&env.ledger.settings)?,
        keep: Keep::Nothing,
        stats: true,
        ..Query::default()
    };
    let stats = report_for(env, &query).stats.unwrap_or_else(|| {
        ledger::rules::stats::Tally::default().finish(&env.ledger.settings, env.today)
    });
    if args.json {
        write_json(out, &stats)?;
    } else {
        render(out, &stats, &env.look)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The most columns the human report takes, on a terminal or not (SPEC
/// section 8): a long name gives way, cut short with `…`.
const COLUMNS: usize = 80;

/// The human report.
fn render(out: &mut impl Write, stats: &Stats, look: &Look) -> Result<()> {
    let look = &Look {
        width: Some(look.width.map_or(COLUMNS, |width| width.min(COLUMNS))),
        ..*look
    };
    pipeline(out, stats, look)?;
    closed_deals(out, stats, look)?;
    replies(out, stats, look)?;
    given_up(out, stats, look)?;
    activity(out, stats, look)?;
    Ok(())
}

fn heading(out: &mut impl Write, look: &Look, text: &str) -> Result<()> {
    writeln!(out, "{}", look.paint(style::STRONG, text))?;
    Ok(())
}

/// The pipeline: a row per stage, with a bar of its prospects and its
/// value per currency.
fn pipeline(out: &mut impl Write, stats: &Stats, look: &Look) -> Result<()> {
    let total: u64 = stats.pipeline.iter().map(|row| row.prospects).sum();
    heading(
        out,
        look,
        &format!("Pipeline: {}", count(total, "prospect")),
    )?;
    let most = stats.pipeline.iter().map(|row| row.prospects).max();
    // A stage's value in each currency on a line of its own, the first
    // beside the stage: any number of currencies fits in 80 columns.
    let lines: Vec<(Option<&Stage>, String)> = stats
        .pipeline
        .iter()
        .flat_map(|row| {
            let mut sums = row
                .value
                .0
                .iter()
                .map(|(c, v)| style::money(*v, c).to_string());
            let first = (Some(row), sums.next().unwrap_or_default());
            std::iter::once(first).chain(sums.map(|sum| (None, sum)))
        })
        .collect();
    Table {
        header: Vec::new(),
        align: vec![Align::Left, Align::Left, Align::Right, Align::Left],
        flex: 0,
    }
    .write(out, look, &lines, |(row, sum), cells| {
        let Some(row) = row else {
            for text in ["", "", sum, ""] {
                cells.text(text, Style::new());
            }
            return;
        };
        cells.text(&format!("  {}", row.stage), Style::new());
        cells.text(if row.closed { "closed" } else { "" }, style::DIM);
        cells.text(sum, Style::new());
        let paint = if row.closed {
            style::DIM
        } else {
            style::ACTION
        };
        cells.text(&counted_bar(row.prospects, most.unwrap_or(0), BAR), paint);
    })?;
    writeln!(out)?;
    Ok(())
}

/// Won and lost deals by their touches, with the share of won deals
/// beside the commonly cited figures.
fn closed_deals(out: &mut impl Write, stats: &Stats, look: &Look) -> Result<()> {
    let (won, lost) = (&stats.won_by_touches, &stats.lost_by_touches);
    heading(
        out,
        look,
        &format!(
            "Closed deals by touches: {} won, {} lost",
            won.total(),
            lost.total()
        ),
    )?;
    let most = won.0.iter().chain(&lost.0).copied().max().unwrap_or(0);
    let rows: Vec<(&str, u64, u64)> = won
        .labelled()
        .zip(lost.0)
        .map(|((label, won), lost)| (label, won, lost))
        .collect();
    Table {
        header: vec!["  TOUCHES", "WON", "LOST", "WON SHARE", "COMMONLY CITED*"],
        align: vec![
            Align::Left,
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Right,
        ],
        flex: 1,
    }
    .write(out, look, &rows, |&(label, won_here, lost_here), cells| {
        cells.text(&format!("  {label}"), Style::new());
        cells.text(&counted_bar(won_here, most, HALF_BAR), style::AHEAD);
        cells.text(&counted_bar(lost_here, most, HALF_BAR), style::LATE);
        match won.total() {
            0 => cells.text("", Style::new()),
            all => cells.text(&percent(won_here as f64 / all as f64), Style::new()),
        }
        let cited = CITED_SALES_BY_CONTACT.iter().find(|(l, _)| *l == label);
        match cited {
            Some((_, share)) => cells.text(&percent(*share), style::DIM),
            None => cells.text("", Style::new()),
        }
    })?;
    for line in [
        "  * commonly cited figures for the share of sales made on each contact,",
        "    repeated in sales writing: not measurements, and not yours.",
    ] {
        writeln!(out, "{}", look.paint(style::DIM, line))?;
    }
    writeln!(out)?;
    Ok(())
}

/// On which follow-up replies come.
fn replies(out: &mut impl Write, stats: &Stats, look: &Look) -> Result<()> {
    let replies = &stats.replies_after;
    heading(out, look, "Replies, by the follow-ups they came after")?;
    let most = replies.0.iter().copied().max().unwrap_or(0);
    let rows: Vec<(&str, u64)> = replies.labelled().collect();
    Table {
        header: Vec::new(),
        align: vec![Align::Left, Align::Left],
        flex: 0,
    }
    .write(out, look, &rows, |&(label, n), cells| {
        match label {
            "0" => cells.text("  0 (they wrote first)", Style::new()),
            _ => cells.text(&format!("  {label}"), Style::new()),
        }
        cells.text(&counted_bar(n, most, BAR), style::ACTION);
    })?;
    let late = late_replies(replies);
    match replies.total() {
        0 => {}
        1 => writeln!(
            out,
            "  {late} of 1 reply came after three or more follow-ups."
        )?,
        all => writeln!(
            out,
            "  {late} of {all} replies came after three or more follow-ups."
        )?,
    }
    writeln!(out)?;
    Ok(())
}

/// The replies that came after three follow-ups or more: those that a
/// person who stops after two never gets.
fn late_replies(replies: &Buckets) -> u64 {
    replies.0.iter().skip(3).sum()
}

/// The prospects given up early, the budgets spent and who is due.
fn given_up(out: &mut impl Write, stats: &Stats, look: &Look) -> Result<()> {
    let gave_up = &stats.gave_up_early;
    let prospects = count(gave_up.prospects.len() as u64, "prospect");
    let sums = money_each(&gave_up.value);
    let line = match sums.is_empty() {
        true => format!("Given up early: {prospects}"),
        false => format!(
            "Given up early: {prospects}, {} left on the table",
            sums.join(SUMS)
        ),
    };
    if style::width_of(&line) <= COLUMNS {
        heading(out, look, &line)?;
    } else {
        // Many currencies: their sums on lines of their own.
        heading(
            out,
            look,
            &format!("Given up early: {prospects}, left on the table:"),
        )?;
        for line in lines_of(&sums, COLUMNS - 2) {
            writeln!(out, "  {line}")?;
        }
    }
    for id in gave_up.prospects.iter().take(NAMED) {
        writeln!(out, "  {}", printable(id))?;
    }
    if gave_up.prospects.len() > NAMED {
        writeln!(out, "  … and {} more", gave_up.prospects.len() - NAMED)?;
    }
    if !gave_up.prospects.is_empty() {
        writeln!(
            out,
            "{}",
            look.paint(
                style::DIM,
                "  lost without an answer, with follow-ups left: `ledger reopen` brings one back"
            )
        )?;
    }
    writeln!(
        out,
        "Follow-up budget spent: {} · Due now: {}",
        count(stats.exhausted, "open prospect"),
        count(stats.due, "prospect")
    )?;
    writeln!(out)?;
    Ok(())
}

/// Touches per week, ours and theirs apart.
fn activity(out: &mut impl Write, stats: &Stats, look: &Look) -> Result<()> {
    let (outbound, inbound) = stats
        .activity
        .iter()
        .fold((0, 0), |(o, i), w| (o + w.outbound, i + w.inbound));
    heading(
        out,
        look,
        &format!(
            "Touches per week: {outbound} out, {inbound} in over {} weeks",
            stats.activity.len()
        ),
    )?;
    let most = stats
        .activity
        .iter()
        .flat_map(|w| [w.outbound, w.inbound])
        .max()
        .unwrap_or(0);
    Table {
        header: vec!["  WEEK", "", "OUT", "IN"],
        align: vec![Align::Left, Align::Left, Align::Left, Align::Left],
        flex: 2,
    }
    .write(out, look, &stats.activity, |week, cells| {
        cells.text(&format!("  {}", week.week), Style::new());
        cells.text(&week.monday.format("%b %d").to_string(), style::DIM);
        cells.text(&counted_bar(week.outbound, most, HALF_BAR), style::ACTION);
        cells.text(&counted_bar(week.inbound, most, HALF_BAR), style::AHEAD);
    })?;
    Ok(())
}

/// A count drawn as a bar of block characters, scaled so that `most`
/// fills `width` columns, followed by the count.
fn counted_bar(n: u64, most: u64, width: usize) -> String {
    format!("{}{n}", bar(n, most, width))
}

/// The bar of [`counted_bar`], with a space after it; none for nothing,
/// and a sliver for a count too small to fill an eighth of a column.
fn bar(n: u64, most: u64, width: usize) -> String {
    const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    if n == 0 || most == 0 {
        return String::new();
    }
    let eighths = (u128::from(n) * width as u128 * 8 / u128::from(most)).max(1);
    let whole = (eighths / 8) as usize;
    let mut bar = "█".repeat(whole);
    match EIGHTHS.get((eighths % 8) as usize) {
        Some(' ') | None => {}
        Some(part) => bar.push(*part),
    }
    bar.push(' ');
    bar
}

/// A share as a whole percentage: `63 %`.
fn percent(share: f64) -> String {
    format!("{:.0} %", share * 100.0)
}

/// What separates the sums of two currencies.
const SUMS: &str = " · ";

/// Each currency's value: `$5,000`, `€20,000`.
fn money_each(values: &Values) -> Vec<String> {
    values
        .0
        .iter()
        .map(|(currency, value)| style::money(*value, currency).to_string())
        .collect()
}

/// `items` joined by [`SUMS`] in lines of at most `width` columns; an
/// item wider than that alone on a line, cut short.
fn lines_of(items: &[String], width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for item in items {
        let item = style::truncate(item, width);
        match lines.last_mut() {
            Some(line)
                if style::width_of(line) + SUMS.chars().count() + style::width_of(&item)
                    <= width =>
            {
                line.push_str(SUMS);
                line.push_str(&item);
            }
            _ => lines.push(item.into_owned()),
        }
    }
    lines
}

fn count(n: u64, thing: &str) -> String {
    style::count(usize::try_from(n).unwrap_or(usize::MAX), thing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_count() {
        let cases = [
            (0, 10, ""),
            (10, 10, "████████████████████████ "),
            (5, 10, "████████████ "),
            (1, 10, "██▍ "),
            (1, 1000, "▏ "),
            (3, 0, ""),
        ];
        for (n, most, want) in cases {
            assert_eq!(bar(n, most, BAR), want, "{n} of {most}");
        }
    }

    #[test]
    fn shares_and_money() {
        assert_eq!(percent(0.625), "62 %");
        assert_eq!(percent(0.1), "10 %");
        let values = Values(
            [("USD".to_owned(), 5000.0), ("EUR".to_owned(), 20000.0)]
                .into_iter()
                .collect(),
        );
        assert_eq!(money_each(&values).join(SUMS), "€20,000 · $5,000");
    }

    #[test]
    fn sums_in_lines_of_a_width() {
        let items: Vec<String> = ["$1", "€22", "£333", "¥4444"].map(str::to_owned).to_vec();
        assert_eq!(lines_of(&items, 80), ["$1 · €22 · £333 · ¥4444"]);
        assert_eq!(lines_of(&items, 12), ["$1 · €22", "£333 · ¥4444"]);
        assert_eq!(lines_of(&items, 4), ["$1", "€22", "£333", "¥44…"]);
        assert_eq!(lines_of(&[], 80), Vec::<String>::new());
    }
}
