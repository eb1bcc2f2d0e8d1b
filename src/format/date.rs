//! Dates and spans of time as people write them: `2026-11-28` in files,
//! `3d`, `+2w`, `tomorrow` or `monday` on the command line.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

/// A calendar date: the only kind of time the ledger knows.
pub type Date = NaiveDate;

/// An optional date in serde: `YYYY-MM-DD` for people and JSON, a day
/// count in a binary form (the cache's), which is smaller and quicker to
/// read back. For `#[serde(with = "...")]`.
pub mod serde_day {
    use super::Date;
    use chrono::Datelike;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Write an optional date.
    pub fn serialize<S: Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            date.serialize(s)
        } else {
            date.map(|d| d.num_days_from_ce()).serialize(s)
        }
    }

    /// Read an optional date.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        if d.is_human_readable() {
            return Option::<Date>::deserialize(d);
        }
        match Option::<i32>::deserialize(d)? {
            Some(days) => Date::from_num_days_from_ce_opt(days)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom("a day out of range")),
            None => Ok(None),
        }
    }
}

/// The first and last days a file can hold: those written `YYYY-MM-DD`.
/// Every date the ledger works out stays between them, so that whatever
/// it writes or shows reads back (chrono writes `+10000-01-01` past them).
pub fn calendar() -> std::ops::RangeInclusive<Date> {
    let first = NaiveDate::from_ymd_opt(0, 1, 1).unwrap_or(NaiveDate::MIN);
    let last = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX);
    first..=last
}

/// `date` moved into the [`calendar`].
fn clamp(date: Option<Date>) -> Date {
    let calendar = calendar();
    match date {
        Some(date) => date.clamp(*calendar.start(), *calendar.end()),
        None => *calendar.end(),
    }
}

/// Parse a strict `YYYY-MM-DD` date, as the file format requires.
pub fn parse_iso(text: &str) -> Option<Date> {
    if !looks_like_iso(text) {
        return None;
    }
    let (year, month_day) = text.split_once('-')?;
    let (month, day) = month_day.split_once('-')?;
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

/// Whether `text` looks like a `YYYY-MM-DD` date, possible or not.
pub fn looks_like_iso(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// A length of time: `Nd` days, `Nw` weeks or `Nm` calendar months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    /// How many units.
    pub count: u32,
    /// Which unit.
    pub unit: Unit,
}

/// The unit of a [`Span`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Unit {
    /// `d`
    Day,
    /// `w`
    Week,
    /// `m`: calendar months (Jan 31 + 1m is the last day of February).
    Month,
}

impl Span {
    /// A span of `n` days.
    pub const fn days(count: u32) -> Span {
        Span {
            count,
            unit: Unit::Day,
        }
    }

    /// The date this span after `date`, at most the [`calendar`]'s last day.
    pub fn after(self, date: Date) -> Date {
        clamp(self.forward(date))
    }

    /// The date this span after `date`, `None` past the [`calendar`].
    fn checked_after(self, date: Date) -> Option<Date> {
        self.forward(date).filter(|d| calendar().contains(d))
    }

    /// The date this span before `date`, `None` before the [`calendar`].
    fn checked_before(self, date: Date) -> Option<Date> {
        self.back(date).filter(|d| calendar().contains(d))
    }

    fn forward(self, date: Date) -> Option<Date> {
        match self.unit {
            Unit::Day => date.checked_add_days(Days::new(u64::from(self.count))),
            Unit::Week => date.checked_add_days(Days::new(7 * u64::from(self.count))),
            Unit::Month => date.checked_add_months(Months::new(self.count)),
        }
    }

    fn back(self, date: Date) -> Option<Date> {
        match self.unit {
            Unit::Day => date.checked_sub_days(Days::new(u64::from(self.count))),
            Unit::Week => date.checked_sub_days(Days::new(7 * u64::from(self.count))),
            Unit::Month => date.checked_sub_months(Months::new(self.count)),
        }
    }

    /// The date this span before `date`, at least the [`calendar`]'s first day.
    pub fn before(self, date: Date) -> Date {
        clamp(self.back(date).or(Some(*calendar().start())))
    }
}

impl FromStr for Span {
    type Err = String;

    fn from_str(text: &str) -> Result<Span, String> {
        let text = text.trim();
        let bad = || {
            format!("`{text}` is not a span of time: write `Nd` days, `Nw` weeks or `Nm` months, e.g. `3d`")
        };
        // The unit is the last character, whatever its width (`3日` is
        // refused, not cut in the middle of a character).
        let mut chars = text.chars();
        let unit = match chars.next_back() {
            Some('d' | 'D') => Unit::Day,
            Some('w' | 'W') => Unit::Week,
            Some('m' | 'M') => Unit::Month,
            _ => return Err(bad()),
        };
        let digits = chars.as_str();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let count = digits.parse().map_err(|_| bad())?;
        Ok(Span { count, unit })
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            Unit::Day => 'd',
            Unit::Week => 'w',
            Unit::Month => 'm',
        };
        write!(f, "{}{}", self.count, unit)
    }
}

/// Parse a date as given on the command line, relative to `today`:
/// `2026-12-01`, `today`, `tomorrow`, `yesterday`, a span from today (`3d`,
/// `+2w`, `1m`; `-3d` is in the past), or a weekday (`monday`, `mon`: the
/// next one after today).
pub fn parse_relative(text: &str, today: Date) -> Result<Date, String> {
    let word = text.trim().to_ascii_lowercase();
    if looks_like_iso(&word) {
        return parse_iso(&word).ok_or_else(|| format!("`{text}` is not a date in the calendar"));
    }
    match word.as_str() {
        "today" => return Ok(today),
        "tomorrow" => return Ok(Span::days(1).after(today)),
        "yesterday" => return Ok(Span::days(1).before(today)),
        _ => {}
    }
    // A span that leaves the calendar a file can hold is a mistake, not a
    // date to round.
    let beyond =
        || format!("`{text}` is beyond the dates a file can hold (0000-01-01 to 9999-12-31)");
    if let Some(past) = word.strip_prefix('-') {
        if let Ok(span) = past.parse::<Span>() {
            return span.checked_before(today).ok_or_else(beyond);
        }
    }
    if let Ok(span) = word.strip_prefix('+').unwrap_or(&word).parse::<Span>() {
        return span.checked_after(today).ok_or_else(beyond);
    }
    if let Some(weekday) = parse_weekday(&word) {
        let ahead =
            (7 + weekday.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
        let ahead = if ahead == 0 { 7 } else { ahead };
        return Ok(Span::days(ahead).after(today));
    }
    Err(format!(
        "`{text}` is not a date: write YYYY-MM-DD, today, tomorrow, a span such as 3d, +2w or 1m, or a weekday"
    ))
}

fn parse_weekday(word: &str) -> Option<Weekday> {
    const NAMES: [(&str, Weekday); 7] = [
        ("monday", Weekday::Mon),
        ("tuesday", Weekday::Tue),
        ("wednesday", Weekday::Wed),
        ("thursday", Weekday::Thu),
        ("friday", Weekday::Fri),
        ("saturday", Weekday::Sat),
        ("sunday", Weekday::Sun),
    ];
    NAMES
        .iter()
        .find(|(name, _)| word.len() >= 3 && name.starts_with(word))
        .map(|(_, day)| *day)
}

/// Days from `from` to `to` (positive when `to` is later).
pub fn days_between(from: Date, to: Date) -> i64 {
    (to - from).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spans stop at the ends of the calendar a file can hold, so a date
    /// worked out from `--today 9999-12-31` never reads back as `+10000-…`.
    #[test]
    fn spans_stay_in_the_calendar() {
        let last = d("9999-12-31");
        assert_eq!(Span::days(10).after(d("9999-12-25")), last);
        assert_eq!("99999w".parse::<Span>().unwrap().after(last), last);
        let far = Span {
            count: u32::MAX,
            unit: Unit::Month,
        };
        assert_eq!(far.after(d("2026-11-23")), last);
        assert_eq!(far.before(d("2026-11-23")).to_string(), "0000-01-01");
        // Typed on the command line, a date beyond them is refused.
        for (text, today) in [
            ("-99999d", "0003-01-01"),
            ("4294967295d", "2026-11-23"),
            ("1d", "9999-12-31"),
        ] {
            let err = parse_relative(text, d(today)).unwrap_err();
            assert!(
                err.contains("beyond the dates a file can hold"),
                "{text}: {err}"
            );
        }
    }

    fn d(text: &str) -> Date {
        parse_iso(text).unwrap()
    }

    #[test]
    fn iso_dates() {
        let cases = [
            ("2026-11-28", true),
            ("2026-02-30", false),
            ("2026-13-01", false),
            ("2026-1-05", false),
            ("26-11-28", false),
            ("2026-11-28 ", false),
            ("soon", false),
        ];
        for (text, ok) in cases {
            assert_eq!(parse_iso(text).is_some(), ok, "{text}");
        }
        assert!(looks_like_iso("2026-02-30"));
        assert!(!looks_like_iso("2026/02/03"));
    }

    /// Every day of three centuries, and the ends of what four digits
    /// hold, reads as chrono's own reading of the same text.
    #[test]
    fn iso_dates_read_as_chrono_reads_them() {
        let mut day = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
        while day.year() < 2200 {
            let text = day.format("%Y-%m-%d").to_string();
            assert_eq!(parse_iso(&text), Some(day), "{text}");
            day = day.succ_opt().unwrap();
        }
        for text in [
            "0000-01-01",
            "9999-12-31",
            "2024-02-29",
            "2023-02-29",
            "2026-00-10",
            "2026-04-31",
        ] {
            let chrono = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
            assert_eq!(parse_iso(text), chrono, "{text}");
        }
    }

    #[test]
    fn spans() {
        let today = d("2026-01-31");
        let cases = [
            ("2d", "2026-02-02"),
            ("1w", "2026-02-07"),
            ("1m", "2026-02-28"),
            ("0d", "2026-01-31"),
        ];
        for (span, want) in cases {
            assert_eq!(
                span.parse::<Span>().unwrap().after(today),
                d(want),
                "{span}"
            );
        }
        for bad in ["", "d", "3", "3x", "-3d", "3.5d", "three days"] {
            assert!(bad.parse::<Span>().is_err(), "{bad}");
        }
        assert_eq!("14d".parse::<Span>().unwrap().to_string(), "14d");
    }

    #[test]
    fn command_line_dates() {
        // 2026-11-23 is a Monday.
        let today = d("2026-11-23");
        let cases = [
            ("2026-12-01", "2026-12-01"),
            ("today", "2026-11-23"),
            ("Tomorrow", "2026-11-24"),
            ("yesterday", "2026-11-22"),
            ("3d", "2026-11-26"),
            ("+2w", "2026-12-07"),
            ("1m", "2026-12-23"),
            ("-3d", "2026-11-20"),
            ("monday", "2026-11-30"),
            ("tue", "2026-11-24"),
            ("sunday", "2026-11-29"),
        ];
        for (text, want) in cases {
            assert_eq!(parse_relative(text, today), Ok(d(want)), "{text}");
        }
        for bad in ["2026-02-30", "soon", "mo", "", "3x"] {
            assert!(parse_relative(bad, today).is_err(), "{bad}");
        }
        assert!(parse_relative("2026-02-30", today)
            .unwrap_err()
            .contains("2026-02-30"));
    }
}
