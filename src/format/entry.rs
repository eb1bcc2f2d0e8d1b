//! One log entry: `YYYY-MM-DD [HH:MM] CHANNEL [(in)] [: TEXT]`.

use std::fmt;
use std::ops::Deref;

use crate::format::date::{self, Date};

/// A well-formed entry of a prospect's log: what it says ([`Parts`], whose
/// fields it gives as its own) at its place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line of the entry's bullet.
    pub line: usize,
    /// 1-based column of the entry's bullet.
    pub column: usize,
    /// What the entry says.
    pub parts: Parts,
}

impl Deref for Entry {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.parts
    }
}

/// What an entry line says, wherever it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    /// The day of the contact or remark.
    pub date: Date,
    /// The time of day, as written (`14:30`), if given.
    pub time: Option<String>,
    /// The channel, lower-case: `call`, `email`, `note`, …
    pub channel: String,
    /// `(in)`: the prospect reached out or replied.
    pub inbound: bool,
    /// What happened: the text after `:`, continuation lines joined by
    /// spaces.
    pub text: String,
}

/// Read an entry from an item's text (bullet removed, continuation lines
/// included); the error says what does not follow the grammar.
pub fn parse(item: &str) -> Result<Parts, String> {
    let (first, more) = item.split_once('\n').unwrap_or((item, ""));
    let first = first.trim();
    let rest = || more.lines().map(str::trim).filter(|l| !l.is_empty());

    // The date runs to the first whitespace, which in the usual entry is
    // the ASCII space after ten ASCII bytes.
    let (day, after) = match first.split_at_checked(10) {
        Some((day, after))
            if after.starts_with(' ') && day.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            (day, after)
        }
        _ => first.split_once(char::is_whitespace).unwrap_or((first, "")),
    };
    let date = match date::parse_iso(day) {
        Some(date) => date,
        None if date::looks_like_iso(day) => {
            return Err(format!("`{day}` is not a date in the calendar"))
        }
        None => {
            return Err("a log entry starts with a date: `- YYYY-MM-DD CHANNEL: text`".into());
        }
    };
    let mut after = after.trim_start();

    let mut time = None;
    if let Some((hh_mm, tail)) = split_word(after) {
        if is_time_shaped(hh_mm) {
            if !is_time(hh_mm) {
                return Err(format!("`{hh_mm}` is not a time of day"));
            }
            time = Some(hh_mm.to_owned());
            after = tail;
        }
    }

    let after_channel =
        after.trim_start_matches(|c: char| c.is_alphanumeric() || c == '-' || c == '_');
    let channel = after.strip_suffix(after_channel).unwrap_or_default();
    if channel.is_empty() || !channel.starts_with(char::is_alphabetic) {
        return Err("a channel (call, email, meeting, note, …) must follow the date".into());
    }
    let channel = if channel
        .bytes()
        .all(|b| !b.is_ascii_uppercase() && b.is_ascii())
    {
        channel.to_owned()
    } else {
        channel.to_lowercase()
    };
    let mut after = after_channel.trim_start();

    let mut inbound = false;
    if let Some(tail) = strip_prefix_ignore_ascii_case(after, "(in)") {
        inbound = true;
        after = tail.trim_start();
    }

    // The text is what follows the `:`, then every indented line below;
    // an entry whose first line ends at the channel may still have text
    // below it, as Markdown lets a list item's paragraph go on.
    let first_text = if after.is_empty() {
        Some("")
    } else {
        after.strip_prefix(':')
    };
    let text = if let Some(text) = first_text {
        let mut joined = text.trim().to_owned();
        for line in rest() {
            if !joined.is_empty() {
                joined.push(' ');
            }
            joined.push_str(line);
        }
        joined
    } else {
        return Err(format!(
            "expected `: text` after the channel `{channel}`, found `{after}`"
        ));
    };
    Ok(Parts {
        date,
        time,
        channel,
        inbound,
        text,
    })
}

/// `text` without a leading `prefix` in any ASCII case; `None` when it
/// does not start with it (also when `text` is shorter, or a character
/// straddles the prefix's length).
fn strip_prefix_ignore_ascii_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let (head, rest) = text.split_at_checked(prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then_some(rest)
}

fn split_word(text: &str) -> Option<(&str, &str)> {
    let (word, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    (!word.is_empty()).then(|| (word, rest.trim_start()))
}

fn is_time_shaped(word: &str) -> bool {
    let b = word.as_bytes();
    (b.len() == 5 || b.len() == 4)
        && b.iter().filter(|c| **c == b':').count() == 1
        && b.iter().all(|c| c.is_ascii_digit() || *c == b':')
        && b.len() - word.find(':').unwrap_or(0) == 3
}

fn is_time(word: &str) -> bool {
    let (h, m) = word.split_once(':').unwrap_or(("", ""));
    matches!((h.parse::<u32>(), m.parse::<u32>()), (Ok(h), Ok(m)) if h < 24 && m < 60)
}

impl fmt::Display for Parts {
    /// The entry as `ledger touch` writes it: `DATE CHANNEL[ (in)][: TEXT]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.date.format("%Y-%m-%d"))?;
        if let Some(time) = &self.time {
            write!(f, " {time}")?;
        }
        write!(f, " {}", self.channel)?;
        if self.inbound {
            f.write_str(" (in)")?;
        }
        if !self.text.is_empty() {
            write!(f, ": {}", self.text)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The date ends at the first whitespace of any kind, and a channel
    /// takes letters of any script (the ASCII shortcuts must agree).
    #[test]
    fn whitespace_and_letters_beyond_ascii() {
        let channel = |item: &str| parse(item).map(|p| p.channel);
        assert_eq!(channel("2026-11-02 Café: x"), Ok("café".into()));
        assert_eq!(channel("2026-11-02\u{a0}call: x"), Ok("call".into()));
        assert_eq!(channel("2026-11-02\u{b}call: x"), Ok("call".into()));
        assert_eq!(channel("2026-11-02\tcall: x"), Ok("call".into()));
        assert_eq!(
            channel("2026-11-02 call—x"),
            parse("2026-11-02 call —x").map(|p| p.channel)
        );
        assert!(channel("2026-11-02 call—x").is_err());
        assert!(channel("2026-11-0\u{a0} call: x").is_err());
        assert_eq!(
            channel("2026-11-02 ünïcode-1_x: y"),
            Ok("ünïcode-1_x".into())
        );
        assert_eq!(channel("2026-11-02\u{3000}東京: 🚀"), Ok("東京".into()));
        assert!(channel("2026-11-02é call: x").is_err());
        // `€` straddles the length of `(in)`: not the mark.
        assert!(parse("2026-11-02 call (i€): x").is_err());
    }

    fn ok(
        date: &str,
        time: Option<&str>,
        channel: &str,
        inbound: bool,
        text: &str,
    ) -> Result<Parts, String> {
        Ok(Parts {
            date: date::parse_iso(date).unwrap(),
            time: time.map(str::to_owned),
            channel: channel.into(),
            inbound,
            text: text.into(),
        })
    }

    #[test]
    fn the_grammar() {
        let cases = [
            (
                "2026-11-12 call: Left a voicemail.",
                ok("2026-11-12", None, "call", false, "Left a voicemail."),
            ),
            (
                "2026-11-20 call (in): Jane called back",
                ok("2026-11-20", None, "call", true, "Jane called back"),
            ),
            (
                "2026-11-18 14:30 call: Spoke;\n  they need a review.",
                ok(
                    "2026-11-18",
                    Some("14:30"),
                    "call",
                    false,
                    "Spoke; they need a review.",
                ),
            ),
            (
                "2026-11-18 9:05 Email",
                ok("2026-11-18", Some("9:05"), "email", false, ""),
            ),
            (
                "2026-11-23 email",
                ok("2026-11-23", None, "email", false, ""),
            ),
            (
                "2026-11-23 whatsapp:Hi",
                ok("2026-11-23", None, "whatsapp", false, "Hi"),
            ),
            (
                "2026-11-23 note (IN): they wrote: yes",
                ok("2026-11-23", None, "note", true, "they wrote: yes"),
            ),
            (
                "2026-11-23 call:",
                ok("2026-11-23", None, "call", false, ""),
            ),
        ];
        for (item, want) in cases {
            assert_eq!(parse(item), want, "{item}");
        }
    }

    #[test]
    fn not_the_grammar() {
        let cases = [
            ("called Jane yesterday", "starts with a date"),
            (
                "2026-13-45 call: impossible date",
                "not a date in the calendar",
            ),
            ("2026-11-02", "channel"),
            ("2026-11-02 : text", "channel"),
            ("2026-11-02 25:00 call", "time of day"),
            ("2026-11-02 call Left a voicemail", "expected `: text`"),
            ("", "starts with a date"),
        ];
        for (item, want) in cases {
            let err = parse(item).unwrap_err();
            assert!(err.contains(want), "{item}: {err}");
        }
    }

    #[test]
    fn written_form_reads_back() {
        for item in [
            "2026-11-23 call (in): Jane called",
            "2026-11-23 email",
            "2026-11-23 10:15 visit: On site",
        ] {
            assert_eq!(parse(item).unwrap().to_string(), item);
        }
    }
}
