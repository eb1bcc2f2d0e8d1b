//! How output looks to a person: colour (only on a terminal, never with
//! `NO_COLOR`), aligned columns that fit the terminal, money and dates in words.

use std::fmt::{self, Write as _};
use std::io::{self, IsTerminal, Write};

use std::borrow::Cow;

use anstyle::{AnsiColor, Style};
use ledger::format::date::{self, Date};
pub use ledger::format::text::count;
use ledger::format::text::printable;
use ledger::rules::due;
use rayon::prelude::*;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Write a piece of text for each item, in order, the pieces made on every
/// core: `render` writes those of a slice of items to a buffer, told where
/// the slice begins in `items`. A window of slices is made at a time, so
/// that what is held at once stays small however many items there are
/// (the lines of a `lint` of 100,000 prospects are 19 MB).
pub fn write_in_order<T: Sync, E: From<io::Error> + Send>(
    out: &mut impl Write,
    items: &[T],
    render: impl Fn(usize, &[T], &mut Vec<u8>) -> Result<(), E> + Sync,
) -> Result<(), E> {
    const SLICE: usize = 2048;
    const WINDOW: usize = 4 * SLICE;
    for (w, window) in items.chunks(WINDOW).enumerate() {
        let pieces: Vec<Result<Vec<u8>, E>> = window
            .par_chunks(SLICE)
            .enumerate()
            .map(|(s, slice)| {
                let mut piece = Vec::with_capacity(slice.len() * 128);
                render(w * WINDOW + s * SLICE, slice, &mut piece).map(|()| piece)
            })
            .collect();
        for piece in pieces {
            out.write_all(&piece?)?;
        }
    }
    Ok(())
}

/// Whether to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The look of one run's output.
#[derive(Debug, Clone, Copy)]
pub struct Look {
    /// Whether to use colour.
    pub color: bool,
    /// The width to fit tables in, when writing to a terminal.
    pub width: Option<usize>,
}

impl Look {
    /// Decide colour and width for standard output.
    pub fn for_stdout(choice: ColorChoice) -> Look {
        let terminal = io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color,
        };
        // The terminal's own width, unless COLUMNS says otherwise.
        let width = terminal.then(|| {
            std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.parse().ok())
                .or_else(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
                .filter(|w: &usize| *w >= 40)
                .unwrap_or(80)
        });
        Look { color, width }
    }

    /// `text` in `style`, when colouring; its control characters are
    /// always shown escaped ([`printable`]).
    pub fn paint(&self, style: Style, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        self.paint_printable_onto(&mut out, style, &printable(text));
        out
    }

    /// Text already made [`printable`] (a table's cells are, as they are
    /// made), in `style` when colouring, at the end of `out`.
    fn paint_printable_onto(&self, out: &mut String, style: Style, text: &str) {
        if self.color && style != Style::new() {
            let _ = write!(out, "{}{text}{}", style.render(), style.render_reset());
        } else {
            out.push_str(text);
        }
    }
}

/// Late: red.
pub const LATE: Style = AnsiColor::Red.on_default().bold();
/// Due today: yellow.
pub const TODAY: Style = AnsiColor::Yellow.on_default().bold();
/// Ahead of time: green.
pub const AHEAD: Style = AnsiColor::Green.on_default();
/// Names and headings.
pub const STRONG: Style = Style::new().bold();
/// Secondary text.
pub const DIM: Style = Style::new().dimmed();
/// The suggested action.
pub const ACTION: Style = AnsiColor::Cyan.on_default();
/// Errors.
pub const ERROR: Style = AnsiColor::Red.on_default().bold();
/// Warnings.
pub const WARNING: Style = AnsiColor::Yellow.on_default().bold();

/// Text-align of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Left.
    Left,
    /// Right.
    Right,
}

/// A table of cells, printed with aligned columns. The `flex` column is
/// shortened (with `…`) so that a row fits the terminal's width.
pub struct Table {
    /// Column titles, printed dim above the rows (none: no header).
    pub header: Vec<&'static str>,
    /// Alignment of each column.
    pub align: Vec<Align>,
    /// The column that gives way when the table is too wide.
    pub flex: usize,
}

impl Table {
    /// Write a row for each item: `row` gives each of its cells, in order,
    /// to the [`Cells`] it is passed (as many cells as the table has
    /// columns). The rows are made and laid out in parallel, a piece of
    /// them on each thread, and kept packed (each piece's text in one
    /// string) until the columns are measured.
    pub fn write<T: Sync>(
        &self,
        out: &mut impl Write,
        look: &Look,
        items: &[T],
        row: impl Fn(&T, &mut Cells) + Sync,
    ) -> io::Result<()> {
        const PIECE: usize = 4096;
        let columns = self.align.len();
        let pieces: Vec<Packed> = items
            .par_chunks(PIECE)
            .map(|chunk| {
                let mut packed = Packed {
                    text: String::with_capacity(chunk.len() * 64),
                    cells: Vec::with_capacity(chunk.len() * columns),
                    widths: vec![0; columns],
                    filled: vec![false; columns],
                };
                for item in chunk {
                    let mut cells = Cells {
                        packed: &mut packed,
                        columns,
                        filled: 0,
                    };
                    row(item, &mut cells);
                    // A short row is padded with empty cells.
                    while cells.filled < columns {
                        cells.text("", Style::new());
                    }
                }
                packed
            })
            .collect();
        let header: Vec<(&str, usize, Style)> =
            self.header.iter().map(|h| (*h, width_of(h), DIM)).collect();
        let mut widths: Vec<usize> = header.iter().map(|h| h.1).collect();
        widths.resize(columns, 0);
        let mut filled = vec![false; columns];
        for piece in &pieces {
            for i in 0..columns {
                widths[i] = widths[i].max(piece.widths[i]);
                filled[i] |= piece.filled[i];
            }
        }
        // Drop columns that are empty in every row.
        let shown: Vec<usize> = (0..columns).filter(|&i| filled[i]).collect();
        if let Some(width) = look.width {
            let total: usize =
                shown.iter().map(|&i| widths[i]).sum::<usize>() + 2 * shown.len().saturating_sub(1);
            if total > width {
                let over = total - width;
                let header_width = header.get(self.flex).map_or(0, |h| h.1);
                widths[self.flex] = widths[self.flex]
                    .saturating_sub(over)
                    .max(header_width)
                    .max(8);
            }
        }
        if !header.is_empty() {
            let mut line = String::new();
            self.line(&mut line, &header, &widths, &shown, look);
            out.write_all(line.as_bytes())?;
        }
        // Each piece laid out on its own thread, then written in order.
        let laid_out: Vec<String> = pieces
            .par_iter()
            .map(|piece| {
                let rows = piece.cells.len() / columns.max(1);
                let mut text = String::with_capacity(piece.text.len() + rows * 3 * columns);
                let mut cells: Vec<(&str, usize, Style)> = Vec::with_capacity(columns);
                let mut start = 0;
                for row in piece.cells.chunks(columns.max(1)) {
                    cells.clear();
                    for cell in row {
                        cells.push((&piece.text[start..cell.end], cell.width, cell.style));
                        start = cell.end;
                    }
                    self.line(&mut text, &cells, &widths, &shown, look);
                }
                text
            })
            .collect();
        for text in laid_out {
            out.write_all(text.as_bytes())?;
        }
        Ok(())
    }

    /// Lay out one row at the end of `out`, each cell given with its
    /// width; trailing spaces trimmed, and a line end.
    fn line(
        &self,
        out: &mut String,
        row: &[(&str, usize, Style)],
        widths: &[usize],
        shown: &[usize],
        look: &Look,
    ) {
        let start = out.len();
        for (n, &i) in shown.iter().enumerate() {
            let (text, width, style) = row[i];
            let (text, width) = if width > widths[i] {
                let short = truncate(text, widths[i]);
                let width = width_of(&short);
                (short, width)
            } else {
                (text.into(), width)
            };
            let pad = widths[i] - width;
            let last = n + 1 == shown.len();
            if n > 0 {
                out.push_str("  ");
            }
            if self.align[i] == Align::Right {
                spaces(out, pad);
            }
            look.paint_printable_onto(out, style, &text);
            if self.align[i] == Align::Left && !last {
                spaces(out, pad);
            }
        }
        let kept = out[start..].trim_end().len();
        out.truncate(start + kept);
        out.push('\n');
    }
}

/// Rows of a table, packed: every cell's text in one string, and where
/// each cell ends, with its style.
struct Packed {
    text: String,
    cells: Vec<Cell>,
    widths: Vec<usize>,
    filled: Vec<bool>,
}

/// The cells of the row being made (see [`Table::write`]); cells beyond
/// the table's columns are dropped.
pub struct Cells<'p> {
    packed: &'p mut Packed,
    columns: usize,
    filled: usize,
}

impl Cells<'_> {
    /// The next cell: text as it is, its control characters escaped.
    pub fn text(&mut self, text: &str, style: Style) {
        let start = self.packed.text.len();
        self.packed.text.push_str(&printable(text));
        self.end(start, style);
    }

    /// The next cell: a value as it displays, its control characters escaped.
    pub fn shown(&mut self, value: &dyn fmt::Display, style: Style) {
        let start = self.packed.text.len();
        let _ = write!(self.packed.text, "{value}");
        if let Cow::Owned(escaped) = printable(&self.packed.text[start..]) {
            self.packed.text.truncate(start);
            self.packed.text.push_str(&escaped);
        }
        self.end(start, style);
    }

    /// End the cell that began at `start` of the packed text.
    fn end(&mut self, start: usize, style: Style) {
        let packed = &mut *self.packed;
        if self.filled == self.columns {
            packed.text.truncate(start);
            return;
        }
        let i = self.filled;
        let width = width_of(&packed.text[start..]);
        packed.widths[i] = packed.widths[i].max(width);
        packed.filled[i] |= packed.text.len() > start;
        packed.cells.push(Cell {
            end: packed.text.len(),
            width,
            style,
        });
        self.filled += 1;
    }
}

/// Where a packed cell's text ends, how wide it is, and its style.
struct Cell {
    end: usize,
    width: usize,
    style: Style,
}

/// Append `n` spaces.
fn spaces(out: &mut String, n: usize) {
    const SPACES: &str = "                                ";
    let mut left = n;
    while left > 0 {
        let run = left.min(SPACES.len());
        out.push_str(&SPACES[..run]);
        left -= run;
    }
}

/// How many columns `text` takes on a terminal: two for a wide (East
/// Asian) character or an emoji, none for a combining mark.
pub fn width_of(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        UnicodeWidthStr::width(text)
    }
}

/// `text` cut to at most `width` columns, ending in `…` when it was cut.
pub fn truncate(text: &str, width: usize) -> Cow<'_, str> {
    if width_of(text) <= width {
        return text.into();
    }
    let room = width.saturating_sub(1);
    let mut used = 0;
    let mut short = String::new();
    for c in text.chars() {
        let w = UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > room {
            break;
        }
        used += w;
        short.push(c);
    }
    short.push('…');
    short.into()
}

/// A value with its currency: `$12,000`, `€40,000`, `CHF 1,500`, `12,000.50 USD`.
pub fn money(value: f64, currency: &str) -> Money<'_> {
    Money { value, currency }
}

/// What [`money`] writes.
pub struct Money<'a> {
    value: f64,
    currency: &'a str,
}

impl fmt::Display for Money<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let symbol = [("USD", "$"), ("EUR", "€"), ("GBP", "£"), ("JPY", "¥")]
            .into_iter()
            .find(|(code, _)| self.currency.eq_ignore_ascii_case(code));
        if let Some((_, symbol)) = symbol {
            f.write_str(symbol)?;
        }
        // Rounded to the cent first (999.999 is $1,000, not $999.100), by
        // the formatter, which writes every digit of a value of any size.
        // A whole value (most are) is written as the integer it is, which
        // is what that gives less its `.00`, without the exact float
        // formatting, a tenth of a `due` table's making (docs/benchmarks.md).
        let value = self.value.max(0.0);
        let rounded = match due::whole(value).filter(|_| value.is_sign_positive()) {
            Some(whole) => whole.to_string(),
            None => format!("{value:.2}"),
        };
        let (units, cents) = rounded.split_once('.').unwrap_or((&rounded, "00"));
        // The whole units, in groups of three.
        let first = match units.len() % 3 {
            0 => 3,
            n => n,
        };
        let (mut lead, mut rest) = units.split_at(first.min(units.len()));
        f.write_str(lead)?;
        while let (Some(group), Some(after)) = (rest.get(..3), rest.get(3..)) {
            (lead, rest) = (group, after);
            f.write_char(',')?;
            f.write_str(lead)?;
        }
        if cents != "00" {
            write!(f, ".{cents}")?;
        }
        match symbol {
            Some(_) => Ok(()),
            None => write!(f, " {}", self.currency),
        }
    }
}

/// How late or early a due date is, in words: `3 days late`, `today`, `in 2 days`.
pub fn lateness(overdue_days: i64) -> Lateness {
    Lateness(overdue_days)
}

/// What [`lateness`] writes.
pub struct Lateness(i64);

impl fmt::Display for Lateness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 => f.write_str("today"),
            1 => f.write_str("1 day late"),
            n if n > 0 => {
                f.write_str(itoa::Buffer::new().format(n))?;
                f.write_str(" days late")
            }
            -1 => f.write_str("tomorrow"),
            n => {
                f.write_str("in ")?;
                f.write_str(itoa::Buffer::new().format(n.unsigned_abs()))?;
                f.write_str(" days")
            }
        }
    }
}

/// A due date relative to today, for sentences: `15 days ago`, `today`, `in 2 days`.
pub fn relative(due: Date, today: Date) -> String {
    match date::days_between(today, due) {
        0 => "today".into(),
        1 => "tomorrow".into(),
        -1 => "yesterday".into(),
        n if n > 0 => format!("in {n} days"),
        n => format!("{} days ago", -n),
    }
}

/// The style for a lateness.
pub fn lateness_style(overdue_days: i64) -> Style {
    match overdue_days {
        n if n > 0 => LATE,
        0 => TODAY,
        _ => AHEAD,
    }
}

/// A short date: `Nov 05` this year, `Nov 2025` in another.
pub fn short_date(day: Date, today: Date) -> ShortDate {
    ShortDate { day, today }
}

/// What [`short_date`] writes.
pub struct ShortDate {
    day: Date,
    today: Date,
}

impl fmt::Display for ShortDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use chrono::Datelike;
        let month = chrono::Month::try_from(self.day.month() as u8).map_or("", |m| &m.name()[..3]);
        if self.day.year() == self.today.year() {
            write!(f, "{month} {:02}", self.day.day())
        } else {
            write!(f, "{month} {}", self.day.year())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_dates() {
        let day = |s: &str| date::parse_iso(s).unwrap();
        let today = day("2026-11-23");
        assert_eq!(short_date(day("2026-11-05"), today).to_string(), "Nov 05");
        assert_eq!(short_date(day("2026-01-31"), today).to_string(), "Jan 31");
        assert_eq!(short_date(day("2025-12-01"), today).to_string(), "Dec 2025");
    }

    #[test]
    fn money_reads_well() {
        let cases = [
            (12000.0, "USD", "$12,000"),
            (100000.0, "EUR", "€100,000"),
            (999.0, "GBP", "£999"),
            (1500.5, "CHF", "1,500.50 CHF"),
            (0.0, "USD", "$0"),
            (1234567.0, "usd", "$1,234,567"),
            (123456.0, "USD", "$123,456"),
            (1000.05, "USD", "$1,000.05"),
            (12.0, "JPY", "¥12"),
            (999.999, "USD", "$1,000"),
            (1500.996, "CHF", "1,501 CHF"),
            (0.994, "EUR", "€0.99"),
            // Past what an integer of cents holds, every digit still shown.
            (1e20, "USD", "$100,000,000,000,000,000,000"),
            (
                1e308,
                "USD",
                &format!("${}", group_by_three(&format!("{:.0}", 1e308))),
            ),
        ];
        for (value, currency, want) in cases {
            assert_eq!(money(value, currency).to_string(), want);
        }
    }

    #[test]
    fn a_whole_value_reads_as_the_exact_formatting_writes_it() {
        let mut values = vec![
            0.0,
            1.0,
            999.0,
            1000.0,
            123_456_789.0,
            8_999_999_999_999_999.0,
        ];
        values.extend((0..64).map(|shift| 2f64.powi(shift)));
        values.extend((0..64).map(|shift| 2f64.powi(shift) - 1.0));
        for value in values {
            let exact = format!("{value:.2}");
            let want = format!("${}", group_by_three(exact.trim_end_matches(".00")));
            assert_eq!(money(value, "USD").to_string(), want, "{value}");
        }
    }

    fn group_by_three(digits: &str) -> String {
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    }

    #[test]
    fn lateness_in_words() {
        let cases = [
            (3, "3 days late"),
            (1, "1 day late"),
            (0, "today"),
            (-1, "tomorrow"),
            (-2, "in 2 days"),
        ];
        for (days, want) in cases {
            assert_eq!(lateness(days).to_string(), want);
        }
    }

    /// `rows` as `table` lays them out, without colour, in `width` columns.
    fn laid_out<const N: usize>(table: &Table, width: usize, rows: &[[&str; N]]) -> String {
        let look = Look {
            color: false,
            width: Some(width),
        };
        let mut out = Vec::new();
        table
            .write(&mut out, &look, rows, |r, cells| {
                r.iter().for_each(|c| cells.text(c, Style::new()))
            })
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn tables_align_and_fit() {
        let table = Table {
            header: Vec::new(),
            align: vec![Align::Left, Align::Left, Align::Right],
            flex: 1,
        };
        let rows = [
            ["today", "A very long prospect name", "$1"],
            ["3 days late", "Short", "$12,000"],
        ];
        let text = laid_out(&table, 40, &rows);
        assert_eq!(
            text,
            "today        A very long prosp…       $1\n3 days late  Short               $12,000\n"
        );
        assert!(text.lines().all(|l| l.chars().count() <= 40));
    }

    /// Wide characters (CJK, emoji) take two columns and combining marks
    /// none: the columns after them still line up, on a terminal's grid.
    #[test]
    fn tables_align_with_wide_characters() {
        let table = Table {
            header: vec!["NAME", "STAGE"],
            align: vec![Align::Left, Align::Left],
            flex: 0,
        };
        let rows = [
            ["東京デザイン株式会社", "lead"],
            ["Rocket 🚀 Labs", "proposal"],
            ["Cafe\u{301} Ole\u{301}", "won"],
            ["Иван Петров", "lost"],
        ];
        let text = laid_out(&table, 24, &rows);
        assert!(
            text.starts_with("NAME            STAGE\n東京デザイン…   lead\n"),
            "{text}"
        );
        // The second column starts at the same terminal column on every
        // line, and no line is wider than the terminal.
        for line in text.lines() {
            let (name, _) = line.rsplit_once(' ').unwrap();
            assert_eq!(width_of(name) + 1, 16, "{line}");
            assert!(width_of(line) <= 24, "{line}");
        }
    }

    /// Rows made in another order than they are laid out in (and more of
    /// them than one piece holds) come out in the items' order; a short
    /// row is padded and cells beyond the columns are dropped.
    #[test]
    fn rows_made_out_of_order_come_out_in_order() {
        let table = Table {
            header: vec!["N", "WORD"],
            align: vec![Align::Right, Align::Left],
            flex: 1,
        };
        let items: Vec<usize> = (0..10_000).collect();
        let look = Look {
            color: false,
            width: None,
        };
        let mut out = Vec::new();
        table
            .write(&mut out, &look, &items, |&i, cells| {
                cells.shown(&i, Style::new());
                if i % 3 != 0 {
                    cells.text(if i % 2 == 0 { "even" } else { "odd" }, Style::new());
                }
                cells.text("beyond the columns", Style::new());
            })
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut want = String::from("   N  WORD\n");
        for i in items {
            let word = match i {
                _ if i % 3 == 0 => "beyond the columns",
                _ if i % 2 == 0 => "even",
                _ => "odd",
            };
            want.push_str(&format!("{i:>4}  {word}\n"));
        }
        let first_difference = text.lines().zip(want.lines()).find(|(a, b)| a != b);
        assert_eq!(first_difference, None);
        assert_eq!(text.len(), want.len());
    }
}
