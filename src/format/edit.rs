//! Byte-preserving edits of a prospect file (SPEC section 7): only the lines
//! an edit means to change are changed. Comments, key order, quoting, blank
//! lines, the byte-order mark, line endings and a missing final newline all
//! stay as they were. Pure functions of text: the disk is elsewhere.

use crate::format::date::Date;
use crate::format::entry;
use crate::format::front_matter::{self, Split};
use crate::format::keys::{self, KeyLines};
use crate::format::log;
use crate::format::text::{self, line_ending};

/// Why an edit cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// The file has no closed front matter to edit.
    #[error("the front matter is not closed: end it with a line `---`")]
    Unclosed,
    /// The log's layout could not be followed to where the entry goes.
    #[error("the log could not be read where the entry goes")]
    Log,
    /// The entry would not be read back as one: a Markdown block left open
    /// above the log (an HTML comment or a code fence) swallows it.
    #[error(
        "the new entry would not be read as part of the log: something above it \
         (an HTML comment `<!--` or a code fence never closed) hides it. Close it, then try again"
    )]
    Hidden,
}

/// The front matter cut into lines, with the text around it.
struct FrontLines<'a> {
    /// The file cut at its fences.
    split: Split<'a>,
    /// The YAML's lines, endings kept.
    lines: Vec<&'a str>,
    /// The top-level keys.
    keys: Vec<KeyLines>,
}

fn front_lines(text: &str) -> Result<FrontLines<'_>, EditError> {
    let split = front_matter::split(text).ok_or(EditError::Unclosed)?;
    let lines: Vec<&str> = text::lines_with_endings(split.yaml).collect();
    let keys = keys::scan(lines.iter().copied());
    Ok(FrontLines { split, lines, keys })
}

/// Set a front-matter key to `value` (already rendered as YAML), or remove
/// it with `None`. A changed key keeps its own line, its spacing and its
/// trailing `# comment`; a new key goes just before the closing fence.
pub fn set_key(text: &str, key: &str, value: Option<&str>) -> Result<String, EditError> {
    let front = front_lines(text)?;
    let eol = line_ending(text);
    let mut out = String::with_capacity(text.len() + key.len() + value.map_or(0, str::len) + 4);
    out.push_str(front.split.head);
    match front.keys.iter().find(|k| k.key == key) {
        None => {
            out.push_str(front.split.yaml);
            if let Some(value) = value {
                // The line above the fence may lack an ending only if the fence
                // is glued to it, which `split` does not allow: it always has one.
                out.push_str(&format!("{key}: {value}{eol}"));
            }
        }
        Some(found) => {
            for (i, line) in front.lines.iter().enumerate() {
                if i == found.first {
                    if let Some(value) = value {
                        let alone = found.end == found.first + 1;
                        out.push_str(&key_line(line, key, value, alone, eol));
                    }
                } else if !(found.first..found.end).contains(&i) {
                    out.push_str(line);
                }
            }
        }
    }
    out.push_str(front.split.close);
    out.push_str(front.split.body);
    Ok(out)
}

/// The line that sets `key` to `value` in place of `line`, the first of the
/// key's lines: its spacing and comment kept when the value was `alone` on
/// it, and its ending.
fn key_line(line: &str, key: &str, value: &str, alone: bool, eol: &str) -> String {
    let ending = line.strip_prefix(text::trim_ending(line)).unwrap_or("");
    let mut out = match keys::value_and_comment(line) {
        Some((prefix, _, comment)) if alone => {
            let mut out = prefix.to_owned();
            if !prefix.ends_with([' ', '\t']) {
                out.push(' ');
            }
            out.push_str(value);
            out.push_str(comment);
            out
        }
        _ => format!("{key}: {value}"),
    };
    out.push_str(if ending.is_empty() { eol } else { ending });
    out
}

/// Add a log entry (`DATE CHANNEL[ (in)][: TEXT]`, without the bullet) dated
/// `date`: after the last entry dated on or before it, else before the first;
/// under an empty log heading after the heading and one blank line; in a file
/// without a log, under a new `## Log` at the end.
pub fn add_entry(text: &str, line: &str, date: Date) -> Result<String, EditError> {
    let new = insert(text, Some(date), &|bullet, eol| {
        format!("{bullet}{line}{eol}")
    })?;
    // Written where the log is not read (below a block left open), the
    // entry would be lost: refused instead.
    let items = |text: &str| front_matter::split(text).map(|s| log::scan(s.body).items.len());
    match (items(text), items(&new)) {
        (Some(before), Some(after)) if after == before + 1 => Ok(new),
        _ => Err(EditError::Hidden),
    }
}

/// Put a whole block of entries (each line already ended) where a first
/// entry would go in a file whose log has none: under an empty log heading,
/// or under a new `## Log` at the end.
pub fn add_entries(text: &str, block: &str) -> Result<String, EditError> {
    insert(text, None, &|_, _| block.to_owned())
}

/// Insert what `render` makes of the bullet and the file's line ending where
/// an entry dated `date` goes (before the first entry when `date` is `None`).
fn insert(
    text: &str,
    date: Option<Date>,
    render: &dyn Fn(&str, &str) -> String,
) -> Result<String, EditError> {
    let split = front_matter::split(text).ok_or(EditError::Unclosed)?;
    let eol = line_ending(text);
    let body = split.body;
    let section = log::scan(body);
    let Some(heading) = section.heading else {
        let mut out = text.to_owned();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(eol);
        }
        if !out.ends_with(&format!("{eol}{eol}")) && !out.ends_with("\n\n") {
            out.push_str(eol);
        }
        out.push_str(&format!("## Log{eol}{eol}"));
        out.push_str(&render("- ", eol));
        return Ok(out);
    };
    // The text cut at an offset of the body that the log scan found.
    let cut = |at: usize| {
        text.split_at_checked(split.body_start + at)
            .ok_or(EditError::Log)
    };

    let Some(first) = section.items.first() else {
        // After the heading's line and one blank line.
        let heading_ends_its_line = body
            .get(..heading.end)
            .is_some_and(|upto| upto.ends_with('\n'));
        let heading_line_end = if heading_ends_its_line {
            heading.end
        } else {
            line_end(body, heading.end)
        };
        let (above, rest) = cut(heading_line_end)?;
        let mut out = String::with_capacity(text.len() + 64);
        out.push_str(above);
        if !out.ends_with('\n') {
            out.push_str(eol);
        }
        let (blank, after_blank) = first_line(rest)
            .filter(|l| l.trim().is_empty())
            .and_then(|l| rest.split_at_checked(l.len()))
            .unwrap_or(("", rest));
        out.push_str(if blank.is_empty() { eol } else { blank });
        let entry = render("- ", eol);
        out.push_str(last_line(&entry, eol, after_blank, text));
        if first_line(after_blank).is_some_and(|l| !l.trim().is_empty()) {
            out.push_str(eol);
        }
        out.push_str(after_blank);
        return Ok(out);
    };

    let dated_before = |item: &&log::Item| {
        entry::parse(item.text).is_ok_and(|parts| date.is_some_and(|date| parts.date <= date))
    };
    let after = section.items.iter().rev().find(dated_before);
    let (at, neighbour) = match after {
        Some(item) => (item.end, item),
        None => (first.start, first),
    };
    let bullet = body.get(neighbour.start..).map_or("- ", bullet_of);
    let (before, rest) = cut(at)?;
    let mut out = String::with_capacity(text.len() + 64);
    out.push_str(before);
    if after.is_some() && !out.ends_with('\n') {
        out.push_str(eol);
    }
    let entry = render(bullet, eol);
    out.push_str(last_line(&entry, eol, rest, text));
    out.push_str(rest);
    Ok(out)
}

/// `entry` as it is written before `rest` of `text`: put last in a file
/// that ends without a line break, it ends without one too, as a missing
/// final newline stays (SPEC section 7).
fn last_line<'e>(entry: &'e str, eol: &str, rest: &str, text: &str) -> &'e str {
    match rest.is_empty() && !text.ends_with('\n') {
        true => entry.strip_suffix(eol).unwrap_or(entry),
        false => entry,
    }
}

/// The end (after the ending) of the line holding `offset`; the end of the
/// text when the offset is not a place in it.
fn line_end(text: &str, offset: usize) -> usize {
    text.get(offset..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |i| offset + i + 1)
}

fn first_line(text: &str) -> Option<&str> {
    text::lines_with_endings(text).next()
}

/// A list item's indentation, marker and spacing: `- `, `* `, `  + `.
fn bullet_of(item: &str) -> &str {
    let mut from_marker = item.trim_start_matches(' ').chars();
    if from_marker.next().is_none() {
        return "- ";
    }
    let after_marker = from_marker.as_str();
    let spaces = after_marker.len() - after_marker.trim_start_matches(' ').len();
    if spaces == 0 {
        return "- ";
    }
    // One to four spaces: more would make the entry's text code.
    let len = item.len() - after_marker.len() + spaces.min(4);
    item.get(..len).unwrap_or("- ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An entry below an HTML comment or a code fence never closed would
    /// not be read back: refused.
    #[test]
    fn an_entry_that_would_be_hidden_is_refused() {
        let day = crate::format::date::parse_iso("2026-11-23").unwrap();
        for notes in ["<!-- TODO", "```\ncode"] {
            let text = format!("---\nname: A\n---\n\nNotes\n\n{notes}\n");
            assert_eq!(
                add_entry(&text, "2026-11-23 call: x", day),
                Err(EditError::Hidden)
            );
        }
        let fine = "---\nname: A\n---\n\n<!-- closed -->\n";
        assert!(add_entry(fine, "2026-11-23 call: x", day).is_ok());
    }
    use crate::format::date::parse_iso;

    const ACME: &str = "---\nname: Acme Corp\nstage: proposal   # moved 11-05\nvalue: 12000\nnext: 2026-11-20 # Jane's request\ncustom_field: keep me\n---\n\n# Acme\n\nNotes.\n\n## Log\n\n- 2026-11-02 meeting: Intro\n- 2026-11-15 email: Proposal\n  with a second line\n\n## After\n\nMore notes.\n";

    #[test]
    fn set_keeps_comments_and_spacing() {
        let cases = [
            (
                "stage",
                Some("negotiation"),
                "stage: negotiation   # moved 11-05\n",
            ),
            (
                "next",
                Some("2026-12-01"),
                "next: 2026-12-01 # Jane's request\n",
            ),
            ("value", Some("15000"), "value: 15000\n"),
            (
                "owner",
                Some("sam"),
                "custom_field: keep me\nowner: sam\n---\n",
            ),
        ];
        for (key, value, want) in cases {
            let out = set_key(ACME, key, value).unwrap();
            assert!(out.contains(want), "{key}: {out}");
            assert_eq!(
                out.lines().count(),
                ACME.lines().count() + usize::from(key == "owner")
            );
        }
        let removed = set_key(ACME, "value", None).unwrap();
        assert_eq!(removed, ACME.replace("value: 12000\n", ""));
        assert_eq!(set_key(ACME, "absent", None).unwrap(), ACME);
    }

    #[test]
    fn set_replaces_multi_line_values_whole() {
        let text = "---\nname: A\ntags:\n  - a\n  - b\nnotes: |\n  x\n---\nbody\n";
        assert_eq!(
            set_key(text, "tags", Some("[c]")).unwrap(),
            "---\nname: A\ntags: [c]\nnotes: |\n  x\n---\nbody\n"
        );
        assert_eq!(
            set_key(text, "tags", None).unwrap(),
            "---\nname: A\nnotes: |\n  x\n---\nbody\n"
        );
    }

    #[test]
    fn set_keeps_crlf_bom_and_empty_values() {
        let text = "\u{feff}---\r\nname: A\r\nnext:   # later\r\n---\r\n";
        assert_eq!(
            set_key(text, "next", Some("2026-12-01")).unwrap(),
            "\u{feff}---\r\nname: A\r\nnext: 2026-12-01   # later\r\n---\r\n"
        );
        assert_eq!(
            set_key(text, "owner", Some("sam")).unwrap(),
            "\u{feff}---\r\nname: A\r\nnext:   # later\r\nowner: sam\r\n---\r\n"
        );
        assert_eq!(
            set_key("---\nname: A\n", "x", Some("1")),
            Err(EditError::Unclosed)
        );
    }

    fn add(text: &str, line: &str) -> String {
        let date = parse_iso(line.split(' ').next().unwrap()).unwrap();
        add_entry(text, line, date).unwrap()
    }

    #[test]
    fn entries_go_in_date_order() {
        let appended = add(ACME, "2026-11-23 call: Left a voicemail.");
        assert!(
            appended
                .contains("  with a second line\n- 2026-11-23 call: Left a voicemail.\n\n## After"),
            "{appended}"
        );
        let backdated = add(ACME, "2026-11-10 call (in): Jane called");
        assert!(
            backdated.contains(
                "- 2026-11-02 meeting: Intro\n- 2026-11-10 call (in): Jane called\n- 2026-11-15"
            ),
            "{backdated}"
        );
        let first = add(ACME, "2026-10-01 email: Earliest");
        assert!(
            first.contains("## Log\n\n- 2026-10-01 email: Earliest\n- 2026-11-02"),
            "{first}"
        );
        let same_day = add(ACME, "2026-11-02 note: Same day");
        assert!(
            same_day.contains("- 2026-11-02 meeting: Intro\n- 2026-11-02 note: Same day\n"),
            "{same_day}"
        );
    }

    /// An entry put last in a file without a final line break ends
    /// without one too, LF or CRLF; one put before the last keeps its own.
    #[test]
    fn a_missing_final_newline_stays_missing() {
        for eol in ["\n", "\r\n"] {
            let text =
                format!("---{eol}name: A{eol}---{eol}## Log{eol}- 2026-11-01 call: x{eol}  more");
            let last = add(&text, "2026-11-20 email: hi");
            assert_eq!(
                last,
                format!("{text}{eol}- 2026-11-20 email: hi"),
                "{eol:?}"
            );
            let first = add(&text, "2026-10-01 email: early");
            assert!(first.ends_with("  more"), "{first:?}");
            // Under a log heading with no entry, last in the file.
            let empty = format!("---{eol}name: A{eol}---{eol}## Log");
            let added = add(&empty, "2026-11-20 email: hi");
            assert_eq!(
                added,
                format!("{empty}{eol}{eol}- 2026-11-20 email: hi"),
                "{eol:?}"
            );
            assert!(
                first.contains(&format!("- 2026-10-01 email: early{eol}- 2026-11-01")),
                "{first:?}"
            );
        }
    }

    #[test]
    fn entries_copy_the_bullet_and_keep_crlf() {
        let text = "---\r\nname: A\r\n---\r\n\r\n## Log\r\n\r\n* 2026-11-02 email: Intro\r\n";
        assert_eq!(
            add(text, "2026-11-23 email"),
            format!("{text}* 2026-11-23 email\r\n")
        );
        // Last in a file without a final newline: still none (SPEC 7).
        let no_newline = "---\nname: A\n---\n## Log\n- 2026-11-02 email: Intro";
        assert_eq!(
            add(no_newline, "2026-11-23 call"),
            format!("{no_newline}\n- 2026-11-23 call")
        );
    }

    #[test]
    fn empty_logs_and_missing_logs() {
        let cases = [
            (
                "---\nname: A\n---\n\n## Log\n",
                "---\nname: A\n---\n\n## Log\n\n- 2026-11-23 letter: Brochure\n",
            ),
            (
                "---\nname: A\n---\n\n## Log\n\n",
                "---\nname: A\n---\n\n## Log\n\n- 2026-11-23 letter: Brochure\n",
            ),
            // A missing final newline stays missing (SPEC section 7).
            (
                "---\nname: A\n---\n## Log",
                "---\nname: A\n---\n## Log\n\n- 2026-11-23 letter: Brochure",
            ),
            (
                "---\nname: A\n---\n\n## Log\n\n## Next\n",
                "---\nname: A\n---\n\n## Log\n\n- 2026-11-23 letter: Brochure\n\n## Next\n",
            ),
            (
                "---\nname: A\n---\n\n## Log\nText.\n",
                "---\nname: A\n---\n\n## Log\n\n- 2026-11-23 letter: Brochure\n\nText.\n",
            ),
            (
                "---\nname: A\n---\n\nJust notes.",
                "---\nname: A\n---\n\nJust notes.\n\n## Log\n\n- 2026-11-23 letter: Brochure\n",
            ),
            (
                "---\nname: A\n---\n",
                "---\nname: A\n---\n\n## Log\n\n- 2026-11-23 letter: Brochure\n",
            ),
            (
                "---\nname: A\n---\n\nNotes.\n\n",
                "---\nname: A\n---\n\nNotes.\n\n## Log\n\n- 2026-11-23 letter: Brochure\n",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(add(text, "2026-11-23 letter: Brochure"), want, "{text:?}");
        }
    }

    #[test]
    fn wide_characters_where_offsets_fall() {
        // A log heading that ends the file with a character of several
        // bytes (the tab above it leaves the body to the Markdown parser):
        // the entry goes on a line of its own below it.
        for end in ["\u{3000}", "\u{85}", "\u{a0}"] {
            let text = format!("---\nname: A\n---\n\t\n## Log{end}");
            assert_eq!(
                add(&text, "2026-11-23 call"),
                format!("{text}\n\n- 2026-11-23 call"),
                "{end:?}"
            );
        }
        let text =
            "---\nnäme: é\n\"東\": 🚀  # €\nnext: 2026-11-20 # 東京\n---\n\n## Log\n\n* 🚀 x\n";
        assert_eq!(
            set_key(text, "東", Some("€")).unwrap(),
            text.replace("🚀  # €", "€  # €")
        );
        assert_eq!(
            set_key(text, "next", Some("2026-12-01")).unwrap(),
            text.replace("2026-11-20", "2026-12-01")
        );
        // An entry without a date: the new one goes before it, bulleted alike.
        assert_eq!(
            add(text, "2026-11-23 call"),
            text.replace("* 🚀", "* 2026-11-23 call\n* 🚀")
        );
    }
}
