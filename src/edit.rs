//! Byte-preserving edits of a prospect file (SPEC section 7): only the lines
//! an edit means to change are changed. Comments, key order, quoting, blank
//! lines, the byte-order mark, line endings and a missing final newline all
//! stay as they were. Pure functions of text: the disk is elsewhere.

use crate::date::Date;
use crate::entry;
use crate::front_matter;
use crate::keys::{self, KeyLines};
use crate::log;
use crate::text::{self, line_ending};

/// Why an edit cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// The file has no closed front matter to edit.
    #[error("the front matter is not closed: end it with a line `---`")]
    Unclosed,
}

/// The lines of the front matter, with where they start in the file.
struct FrontLines<'a> {
    /// Offset of the YAML's first line.
    start: usize,
    /// Offset of the closing fence's line.
    close: usize,
    /// The YAML's lines, endings kept.
    lines: Vec<&'a str>,
    /// The top-level keys.
    keys: Vec<KeyLines>,
}

fn front_lines(text: &str) -> Result<FrontLines<'_>, EditError> {
    let split = front_matter::split(text).ok_or(EditError::Unclosed)?;
    let yaml = &text[split.yaml_start..split.close_start];
    let lines: Vec<&str> = text::lines_with_endings(yaml).collect();
    let keys = keys::scan(lines.iter().copied());
    Ok(FrontLines {
        start: split.yaml_start,
        close: split.close_start,
        lines,
        keys,
    })
}

impl FrontLines<'_> {
    /// The byte offset of line `i` of the YAML (or of the closing fence past the end).
    fn offset(&self, i: usize) -> usize {
        self.start + self.lines[..i].iter().map(|l| l.len()).sum::<usize>()
    }
}

/// Set a front-matter key to `value` (already rendered as YAML), or remove
/// it with `None`. A changed key keeps its own line, its spacing and its
/// trailing `# comment`; a new key goes just before the closing fence.
pub fn set_key(text: &str, key: &str, value: Option<&str>) -> Result<String, EditError> {
    let front = front_lines(text)?;
    let eol = line_ending(text);
    let Some(found) = front.keys.iter().find(|k| k.key == key) else {
        return Ok(match value {
            None => text.to_owned(),
            Some(value) => {
                let mut out = String::with_capacity(text.len() + key.len() + value.len() + 4);
                out.push_str(&text[..front.close]);
                // The line above the fence may lack an ending only if the fence
                // is glued to it, which `split` does not allow: it always has one.
                out.push_str(&format!("{key}: {value}{eol}"));
                out.push_str(&text[front.close..]);
                out
            }
        });
    };
    let from = front.offset(found.first);
    let to = front.offset(found.end);
    let mut out = String::with_capacity(text.len() + 32);
    out.push_str(&text[..from]);
    if let Some(value) = value {
        let line = front.lines[found.first];
        let ending = &line[text::trim_ending(line).len()..];
        let single = found.end == found.first + 1;
        match keys::value_and_comment(line) {
            Some((prefix, _, comment)) if single => {
                let mut prefix = prefix.to_owned();
                if !prefix.ends_with([' ', '\t']) {
                    prefix.push(' ');
                }
                out.push_str(&prefix);
                out.push_str(value);
                out.push_str(comment);
            }
            _ => out.push_str(&format!("{key}: {value}")),
        }
        out.push_str(if ending.is_empty() { eol } else { ending });
    }
    out.push_str(&text[to..]);
    Ok(out)
}

/// Add a log entry (`DATE CHANNEL[ (in)][: TEXT]`, without the bullet) dated
/// `date`: after the last entry dated on or before it, else before the first;
/// under an empty log heading after the heading and one blank line; in a file
/// without a log, under a new `## Log` at the end.
pub fn add_entry(text: &str, line: &str, date: Date) -> Result<String, EditError> {
    insert(text, Some(date), &|bullet, eol| {
        format!("{bullet}{line}{eol}")
    })
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
    let body_start = split.body_start;
    let body = &text[body_start..];
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

    let dated: Vec<(usize, Option<Date>)> = section
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| (i, entry::parse(item.text).ok().map(|p| p.date)))
        .collect();
    if section.items.is_empty() {
        // After the heading's line and one blank line.
        let heading_end = line_end(body, heading.end.saturating_sub(1).max(heading.start));
        let mut out = String::with_capacity(text.len() + 64);
        out.push_str(&text[..body_start + heading_end]);
        if !out.ends_with('\n') {
            out.push_str(eol);
        }
        let rest = &body[heading_end..];
        let (blank, after_blank) = match first_line(rest) {
            Some(l) if l.trim().is_empty() => (l, &rest[l.len()..]),
            _ => ("", rest),
        };
        out.push_str(if blank.is_empty() { eol } else { blank });
        out.push_str(&render("- ", eol));
        if first_line(after_blank).is_some_and(|l| !l.trim().is_empty()) {
            out.push_str(eol);
        }
        out.push_str(after_blank);
        return Ok(out);
    }

    let after = dated
        .iter()
        .rev()
        .find(|(_, d)| d.is_some_and(|d| date.is_some_and(|date| d <= date)))
        .map(|(i, _)| *i);
    let (at, neighbour) = match after {
        Some(i) => (section.items[i].end, &section.items[i]),
        None => (section.items[0].start, &section.items[0]),
    };
    let bullet = bullet_of(&body[neighbour.start..]);
    let mut out = String::with_capacity(text.len() + 64);
    out.push_str(&text[..body_start + at]);
    if after.is_some() && !out.ends_with('\n') {
        out.push_str(eol);
    }
    out.push_str(&render(bullet, eol));
    out.push_str(&text[body_start + at..]);
    Ok(out)
}

/// The end (after the ending) of the line holding `offset`.
fn line_end(text: &str, offset: usize) -> usize {
    text[offset..]
        .find('\n')
        .map_or(text.len(), |i| offset + i + 1)
}

fn first_line(text: &str) -> Option<&str> {
    text::lines_with_endings(text).next()
}

/// A list item's indentation, marker and spacing: `- `, `* `, `  + `.
fn bullet_of(item: &str) -> &str {
    let indent = item.len() - item.trim_start_matches(' ').len();
    let rest = &item[indent..];
    let marker = rest.chars().next().map_or(0, char::len_utf8);
    let spaces = rest[marker..].len() - rest[marker..].trim_start_matches(' ').len();
    let len = indent + marker + spaces.clamp(1, 4);
    if rest[marker..].starts_with(' ') {
        &item[..len]
    } else {
        "- "
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::parse_iso;

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
        let date = parse_iso(&line[..10]).unwrap();
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

    #[test]
    fn entries_copy_the_bullet_and_keep_crlf() {
        let text = "---\r\nname: A\r\n---\r\n\r\n## Log\r\n\r\n* 2026-11-02 email: Intro\r\n";
        assert_eq!(
            add(text, "2026-11-23 email"),
            format!("{text}* 2026-11-23 email\r\n")
        );
        let no_newline = "---\nname: A\n---\n## Log\n- 2026-11-02 email: Intro";
        assert_eq!(
            add(no_newline, "2026-11-23 call"),
            format!("{no_newline}\n- 2026-11-23 call\n")
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
            (
                "---\nname: A\n---\n## Log",
                "---\nname: A\n---\n## Log\n\n- 2026-11-23 letter: Brochure\n",
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
}
