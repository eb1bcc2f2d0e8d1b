//! Finding the log in a prospect's Markdown body: the section under the
//! first heading whose text is `Log`, and its top-level list items. This is
//! the only module that walks pulldown-cmark events.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

/// The log section of a body. Offsets are bytes into the body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogSection<'a> {
    /// The `Log` heading, if the body has one.
    pub heading: Option<Heading>,
    /// The top-level list items of the section, in file order.
    pub items: Vec<Item<'a>>,
}

/// The heading that opens the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// Where the heading starts.
    pub start: usize,
    /// Where the heading ends.
    pub end: usize,
    /// 1 for `#`, 2 for `##`, …
    pub level: u8,
    /// Where the section ends: the next heading of the same or a higher level, or the end.
    pub section_end: usize,
}

/// One top-level list item of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item<'a> {
    /// Where the item's bullet starts.
    pub start: usize,
    /// Where the item's last non-blank line ends (after its line ending).
    pub end: usize,
    /// The item's text: bullet removed, continuation lines kept.
    pub text: &'a str,
}

/// Where the scan stands relative to the log section.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Before,
    Inside,
    After,
}

/// Find the log section of `body`.
pub fn scan(body: &str) -> LogSection<'_> {
    scan_plain(body).unwrap_or_else(|| scan_any(body))
}

/// [`scan`] for the common shape of a body, line by line without the
/// Markdown parser: paragraphs of plain text, `#` headings of plain words,
/// one-line `- ` items, and in the log nothing but headings, items and
/// blank lines. `None` for anything else (a quote, code, a continued item,
/// a setext heading, a tab…), which [`scan_any`] then reads. Where this
/// answers, it answers what [`scan_any`] would (a property test holds it to
/// that).
pub fn scan_plain(body: &str) -> Option<LogSection<'_>> {
    let mut section = LogSection {
        heading: None,
        items: Vec::with_capacity(16),
    };
    let mut offset = 0;
    for line in crate::format::text::lines_with_endings(body) {
        let start = offset;
        offset += line.len();
        let bare = line.strip_suffix('\n').unwrap_or(line);
        let bare = bare.strip_suffix('\r').unwrap_or(bare);
        if bare.bytes().any(|b| b < 0x20) {
            return None;
        }
        if bare.bytes().all(|b| b == b' ') {
            continue;
        }
        let inside = section.heading.is_some();
        if let Some((level, text)) = plain_heading(bare) {
            if let Some(open) = &mut section.heading {
                if level <= open.level {
                    open.section_end = start;
                    return Some(section);
                }
            } else if text.eq_ignore_ascii_case("log") {
                section.heading = Some(Heading {
                    start,
                    end: offset,
                    level,
                    section_end: body.len(),
                });
            }
            continue;
        }
        let item = bare.strip_prefix("- ").filter(|rest| {
            !rest.trim().is_empty()
                && !rest.starts_with([
                    ' ', '-', '*', '+', '#', '>', '`', '~', '<', '=', '_', '|', '[',
                ])
                && !ordered(rest)
        });
        match item {
            Some(text) if inside => section.items.push(Item {
                start,
                end: offset,
                text: text.trim_end(),
            }),
            Some(_) => {}
            None if inside => return None,
            None => {
                let block = bare.starts_with([
                    ' ', '-', '*', '+', '>', '`', '~', '<', '=', '_', '|', '[', '#',
                ]);
                if block || ordered(bare) {
                    return None;
                }
            }
        }
    }
    Some(section)
}

/// An ATX heading of plain words: its level and text.
fn plain_heading(line: &str) -> Option<(u8, &str)> {
    let rest = line.trim_start_matches('#');
    let hashes = line.len() - rest.len();
    if !(1..=6).contains(&hashes) || !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    let text = rest.trim_matches(' ');
    let plain =
        !text.ends_with('#') && !text.contains(['\\', '`', '*', '_', '[', ']', '<', '>', '&', '!']);
    plain.then_some((hashes as u8, text))
}

/// Whether a line starts like an ordered list item: digits, then `.` or `)`.
fn ordered(line: &str) -> bool {
    let rest = line.trim_start_matches(|c: char| c.is_ascii_digit());
    rest.len() < line.len() && rest.starts_with(['.', ')'])
}

/// [`scan`] through the Markdown parser, whatever the shape.
pub fn scan_any(body: &str) -> LogSection<'_> {
    let mut section = LogSection::default();
    let mut place = Place::Before;
    // How many tags are open: 0 means a list starting now is top-level.
    let mut depth: usize = 0;
    let mut in_top_list = false;
    let mut heading: Option<(usize, u8, String)> = None;
    for (event, range) in Parser::new(body).into_offset_iter() {
        match event {
            Event::Start(tag) => {
                match tag {
                    Tag::Heading { level, .. } => {
                        let level = level_number(level);
                        if let (Place::Inside, Some(open)) = (place, &mut section.heading) {
                            if level <= open.level {
                                open.section_end = range.start;
                                place = Place::After;
                            }
                        }
                        heading = Some((range.start, level, String::new()));
                    }
                    Tag::List(_) if depth == 0 => in_top_list = true,
                    Tag::Item if depth == 1 && in_top_list && place == Place::Inside => {
                        section.items.extend(item(body, range));
                    }
                    _ => {}
                }
                depth += 1;
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                match end {
                    TagEnd::Heading(_) => {
                        let Some((start, level, text)) = heading.take() else {
                            continue;
                        };
                        if place == Place::Before && text.trim().eq_ignore_ascii_case("log") {
                            section.heading = Some(Heading {
                                start,
                                end: range.end,
                                level,
                                section_end: body.len(),
                            });
                            place = Place::Inside;
                        }
                    }
                    TagEnd::List(_) if depth == 0 => in_top_list = false,
                    _ => {}
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some((_, _, words)) = &mut heading {
                    words.push_str(&text);
                }
            }
            _ => {}
        }
    }
    section
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// The item the parser found at `range` of `body`; `None` if that is not
/// a place in it.
fn item(body: &str, range: std::ops::Range<usize>) -> Option<Item<'_>> {
    let start = range.start;
    let from_start = body.get(start..)?;
    let content = from_start.get(..range.len())?.trim_end();
    // Extend to the end of the last non-blank line, its ending included.
    let after_content = from_start.strip_prefix(content)?;
    let end = match after_content.find('\n') {
        Some(i) => start + content.len() + i + 1,
        None => body.len(),
    };
    Some(Item {
        start,
        end,
        text: strip_bullet(content),
    })
}

/// Remove a list marker (`-`, `*`, `+`, `1.`, `1)`) and the spaces after it.
fn strip_bullet(item: &str) -> &str {
    let item = item.trim_start();
    let rest = if let Some(rest) = item.strip_prefix(['-', '*', '+']) {
        rest
    } else {
        item.trim_start_matches(|c: char| c.is_ascii_digit())
            .strip_prefix(['.', ')'])
            .unwrap_or(item)
    };
    rest.trim_start_matches([' ', '\t'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(body: &str) -> Vec<&str> {
        scan(body).items.into_iter().map(|i| i.text).collect()
    }

    #[test]
    fn finds_the_log_and_its_items() {
        let cases: [(&str, &[&str]); 9] = [
            (
                "## Log\n\n- 2026-11-02 call: a\n- 2026-11-05 email: b\n",
                &["2026-11-02 call: a", "2026-11-05 email: b"],
            ),
            ("# A\n\n- notes list\n\n## Log\n\n- x\n", &["x"]),
            (
                "### log\n\n* a\n  more\n+ b\n\n## Contacts\n\n- not log\n",
                &["a\n  more", "b"],
            ),
            ("## Log\n- a\n  - nested\n- b\n", &["a\n  - nested", "b"]),
            (
                "## Log\n\n- a\n\n### Details\n\n- still log\n\n# Top\n\n- not\n",
                &["a", "still log"],
            ),
            ("Log\n---\n\n- setext\n", &["setext"]),
            ("## Logbook\n\n- no\n", &[]),
            ("## Log\n", &[]),
            (
                "## Log\n\n```\n- in code\n```\n\n> - quoted\n\n1. numbered\n",
                &["numbered"],
            ),
        ];
        for (body, want) in cases {
            assert_eq!(entries(body), want, "{body:?}");
        }
    }

    #[test]
    fn second_log_heading_does_not_restart() {
        assert_eq!(entries("## Log\n\n- a\n\n## Log\n\n- b\n"), ["a"]);
    }

    #[test]
    fn item_ranges_end_after_their_last_line() {
        let body = "## Log\n\n- a\n  b\n\n- c\n## After\n";
        let log = scan(body);
        let ends: Vec<&str> = log
            .items
            .iter()
            .map(|i| body.get(i.start..i.end).unwrap())
            .collect();
        assert_eq!(ends, ["- a\n  b\n", "- c\n"]);
        let heading = log.heading.unwrap();
        assert_eq!(body.get(heading.section_end..), Some("## After\n"));
    }

    #[test]
    fn the_usual_shape_takes_the_fast_path() {
        let body = "\n# Acme\n\nMet Jane through a referral.\n\n## Log\n\n- 2026-11-02 call: Intro.\n- 2026-11-05 email (in): Yes.\n";
        let section = scan_plain(body).expect("plain");
        assert_eq!(section, scan_any(body));
        assert_eq!(section.items.len(), 2);
    }

    mod agree {
        use super::super::*;
        use proptest::prelude::*;

        const LINES: &[&str] = &[
            "## Log",
            "# Log",
            "### log",
            "## LOG",
            "## Logbook",
            "Log",
            "---",
            "===",
            "# Title",
            "## Contacts",
            "### Details",
            "#### Deep",
            "# Log #",
            "## *Log*",
            "## Log \\",
            "#hashtag",
            "####### seven",
            "",
            "   ",
            "Some text.",
            "More text here",
            "- 2026-11-02 call: a",
            "- 2026-11-03 email (in): b  ",
            "- b",
            "-  two spaces",
            "- - nested",
            "* star",
            "+ plus",
            "1. one",
            "2) two",
            "  - indented",
            "    code",
            " continued",
            "> quote",
            "```",
            "~~~",
            "<div>",
            "<!-- c",
            "-->",
            "[ref]: /url",
            "| a | b |",
            "***",
            "___",
            "text `code` x",
            "2026-11-02 not an item",
            "-",
            "- ",
            "Ørsted notes",
            "\u{feff}x",
            "- \u{a0}x",
            "a\tb",
            "a\rb",
            "## Log ##",
            "#",
            "## ",
            "  ## Log",
            "- # heading in item",
            "- > quote in item",
            "- ```",
            "- 1. x",
            "- [ ] task",
            "Term",
            ": def",
            "- <b>x</b>",
            "&amp; more",
            "## Log&amp;",
            "- x\u{2028}y",
            "\u{85}",
            "> ## Log",
            "> - 2026-11-02 call: q",
        ];

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]
            /// Wherever the line-by-line scan answers, it answers what the
            /// Markdown parser would: the same heading, items and ranges.
            #[test]
            fn fast_and_full_scans_agree(
                lines in prop::collection::vec(prop::sample::select(LINES), 0..12),
                crlf in any::<bool>(),
                final_newline in any::<bool>(),
            ) {
                let body = crate::format::text::joined(&lines, crlf, final_newline);
                if let Some(plain) = scan_plain(&body) {
                    prop_assert_eq!(plain, scan_any(&body), "{:?}", body);
                }
            }
        }
    }
}
