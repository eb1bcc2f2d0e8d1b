//! Where each top-level key of a YAML block mapping sits, line by line.
//!
//! YAML parsers give values, not the lines they came from; messages need a
//! key's line and edits must replace exactly its lines, so this reads the
//! layout of the text itself.

use crate::text::trim_ending;

/// One top-level key and the lines its value takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLines {
    /// The key, without quotes.
    pub key: String,
    /// 0-based index of the key's line in the scanned lines.
    pub first: usize,
    /// 0-based index one past the value's last line (indented continuation
    /// lines and block-sequence items belong to the key; trailing blank lines
    /// and column-0 comments do not).
    pub end: usize,
}

/// The top-level keys of the block mapping in `lines` (each without or with
/// its ending), in order.
pub fn scan<'a>(lines: impl IntoIterator<Item = &'a str>) -> Vec<KeyLines> {
    let lines: Vec<&str> = lines.into_iter().map(trim_ending).collect();
    let mut keys: Vec<KeyLines> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(key) = key_of(lines[i]) else {
            i += 1;
            continue;
        };
        let first = i;
        let mut end = i + 1;
        let mut j = i + 1;
        while j < lines.len() {
            let line = lines[j];
            if line.trim().is_empty() {
                j += 1;
                continue;
            }
            if continues_value(line) {
                j += 1;
                end = j;
            } else {
                break;
            }
        }
        keys.push(KeyLines { key, first, end });
        i = end;
    }
    keys
}

/// A line that belongs to the value above it: indented, or a block-sequence item.
fn continues_value(line: &str) -> bool {
    line.starts_with([' ', '\t']) || line == "-" || line.starts_with("- ")
}

/// The key a column-0 `key: value` line starts, if it is one.
pub fn key_of(line: &str) -> Option<String> {
    let first = line.chars().next()?;
    if matches!(first, ' ' | '\t' | '#' | '-' | '[' | '{' | '}' | ']' | '.') {
        return None;
    }
    if let Some(quote @ ('"' | '\'')) = line.chars().next() {
        let close = line[1..].find(quote)? + 1;
        let rest = &line[close + 1..];
        return rest
            .trim_start()
            .starts_with(':')
            .then(|| line[1..close].to_owned());
    }
    let bytes = line.as_bytes();
    let colon = (0..bytes.len()).find(|&i| {
        bytes[i] == b':' && bytes.get(i + 1).is_none_or(|b| *b == b' ' || *b == b'\t')
    })?;
    Some(line[..colon].trim_end().to_owned())
}

/// Split a `key: value   # comment` line (ending removed) into what comes
/// before the value, the value's text, and what follows it (spaces and the
/// comment), when the value is a plain or quoted scalar on that one line.
pub fn value_and_comment(line: &str) -> Option<(&str, &str, &str)> {
    let line = trim_ending(line);
    let colon = line.find(':')?;
    let after = &line[colon + 1..];
    let value_start = colon + 1 + (after.len() - after.trim_start().len());
    let rest = &line[value_start..];
    if rest.starts_with('#') {
        // Nothing but a comment after the colon: the value is empty.
        return Some((&line[..colon + 1], "", &line[colon + 1..]));
    }
    let value_end = value_start + scalar_len(rest);
    Some((
        &line[..value_start],
        &line[value_start..value_end],
        &line[value_end..],
    ))
}

/// The length of the scalar at the start of `text`, up to the spaces before a
/// `#` comment (or the end).
fn scalar_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    if let Some(quote @ (b'"' | b'\'')) = bytes.first().copied() {
        let mut i = 1;
        while i < bytes.len() {
            if bytes[i] == b'\\' && quote == b'"' {
                i += 2;
                continue;
            }
            if bytes[i] == quote {
                if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i += 1;
        }
        return text.len();
    }
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'#' && i > 0 && (bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') {
            return text[..i].trim_end().len();
        }
        i += 1;
    }
    text.trim_end().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_and_their_lines() {
        let text = "name: Acme\ntags:\n  - a\n  - b\n\n# note\nnotes: |\n  one\n\n  two\n\nlist:\n- x\n- y\n\"quoted key\": 1\nurl: http://x.example\n";
        let got: Vec<(String, usize, usize)> = scan(text.lines())
            .into_iter()
            .map(|k| (k.key, k.first, k.end))
            .collect();
        assert_eq!(
            got,
            [
                ("name".into(), 0, 1),
                ("tags".into(), 1, 4),
                ("notes".into(), 6, 10),
                ("list".into(), 11, 14),
                ("quoted key".into(), 14, 15),
                ("url".into(), 15, 16),
            ]
        );
    }

    #[test]
    fn not_keys() {
        for line in [
            "# comment",
            "  indented: x",
            "- item",
            "plain text",
            "http://x",
            "",
        ] {
            assert_eq!(key_of(line), None, "{line}");
        }
        assert_eq!(key_of("empty:"), Some("empty".into()));
        assert_eq!(key_of("time: 10:30"), Some("time".into()));
    }

    #[test]
    fn values_and_comments() {
        let cases = [
            (
                "next: 2026-11-20 # Jane's request",
                "2026-11-20",
                " # Jane's request",
            ),
            (
                "stage: proposal   # moved 11-05",
                "proposal",
                "   # moved 11-05",
            ),
            ("name: Acme#1", "Acme#1", ""),
            (
                "name: 'It''s # not a comment'  # but this is",
                "'It''s # not a comment'",
                "  # but this is",
            ),
            ("name: \"a \\\" # b\" # c", "\"a \\\" # b\"", " # c"),
            ("empty:", "", ""),
            ("empty:   # why", "", "   # why"),
            ("value: 12000\r\n", "12000", ""),
        ];
        for (line, value, rest) in cases {
            let (_, got_value, got_rest) = value_and_comment(line).unwrap();
            assert_eq!((got_value, got_rest), (value, rest), "{line}");
        }
        assert_eq!(
            value_and_comment("stage:   lead # x"),
            Some(("stage:   ", "lead", " # x"))
        );
    }
}
