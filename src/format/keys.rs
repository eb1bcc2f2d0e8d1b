//! Where each top-level key of a YAML block mapping sits, line by line.
//!
//! YAML parsers give values, not the lines they came from; messages need a
//! key's line and edits must replace exactly its lines, so this reads the
//! layout of the text itself.

use std::collections::HashMap;

use crate::format::text::trim_ending;

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
    let mut keys: Vec<KeyLines> = Vec::new();
    // Whether the last key's value may go on: no other line came since.
    let mut open = false;
    for (i, line) in lines.into_iter().map(trim_ending).enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if let Some(last) = keys.last_mut().filter(|_| open && continues_value(line)) {
            last.end = i + 1;
            continue;
        }
        open = match key_of(line) {
            Some(key) => {
                keys.push(KeyLines {
                    key,
                    first: i,
                    end: i + 1,
                });
                true
            }
            None => false,
        };
    }
    keys
}

/// The line of each key (0-based, as [`KeyLines::first`]): for a key
/// written twice, its first. Looked up once per key, for the messages that
/// name a key's line.
pub fn first_lines(keys: &[KeyLines]) -> HashMap<&str, usize> {
    let mut first_lines = HashMap::with_capacity(keys.len());
    for k in keys.iter().rev() {
        first_lines.insert(k.key.as_str(), k.first);
    }
    first_lines
}

/// A line that belongs to the value above it: indented, or a block-sequence item.
fn continues_value(line: &str) -> bool {
    line.starts_with([' ', '\t']) || line == "-" || line.starts_with("- ")
}

/// Whether `key` may be written as a plain `key:` by `set`, `add` and
/// `import`: ASCII letters, digits, `_`, `-` and `.`, starting with a
/// letter or `_`, and not a word YAML reads as something other than text
/// (`null:` is a key that is no name).
pub fn is_writable(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !NOT_TEXT.contains(&key)
}

/// The plain words of those [`is_writable`] allows that YAML reads as
/// null or a boolean (its core schema).
const NOT_TEXT: [&str; 9] = [
    "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE",
];

/// The key a column-0 `key: value` line starts, if it is one.
fn key_of(line: &str) -> Option<String> {
    let first = line.chars().next()?;
    if matches!(first, ' ' | '\t' | '#' | '-' | '[' | '{' | '}' | ']' | '.') {
        return None;
    }
    if let quote @ ('"' | '\'') = first {
        let (key, rest) = line.strip_prefix(quote)?.split_once(quote)?;
        return rest.trim_start().starts_with(':').then(|| key.to_owned());
    }
    // The key ends at the first `:` followed by a space, a tab or nothing.
    let key = line
        .match_indices(':')
        .filter_map(|(colon, _)| line.split_at_checked(colon))
        .find(|(_, value)| matches!(value.as_bytes(), [b':'] | [b':', b' ' | b'\t', ..]))
        .map(|(key, _)| key)?;
    Some(key.trim_end().to_owned())
}

/// Split a `key: value   # comment` line (ending removed) into what comes
/// before the value, the value's text, and what follows it (spaces and the
/// comment), when the value is a plain or quoted scalar on that one line.
pub fn value_and_comment(line: &str) -> Option<(&str, &str, &str)> {
    let line = trim_ending(line);
    let (_, after_colon) = line.split_once(':')?;
    let from_value = after_colon.trim_start();
    if from_value.starts_with('#') {
        // Nothing but a comment after the colon: the value is empty.
        let key_and_colon = line.strip_suffix(after_colon)?;
        return Some((key_and_colon, "", after_colon));
    }
    let prefix = line.strip_suffix(from_value)?;
    let (value, comment) = split_scalar(from_value);
    Some((prefix, value, comment))
}

/// The scalar at the start of `text` and what follows it: the spaces
/// before a `#` comment and the comment, or nothing.
fn split_scalar(text: &str) -> (&str, &str) {
    let len = match text.chars().next() {
        Some(quote @ ('"' | '\'')) => quoted_len(text, quote),
        _ => {
            let comment = text
                .as_bytes()
                .windows(2)
                .position(|pair| matches!(pair, [b' ' | b'\t', b'#']));
            comment
                .and_then(|at| text.get(..at))
                .unwrap_or(text)
                .trim_end()
                .len()
        }
    };
    text.split_at_checked(len).unwrap_or((text, ""))
}

/// The length of the quoted scalar at the start of `text`, its closing
/// quote included (the whole text when it is never closed): `\"` escapes a
/// double quote, `''` stands for a single one.
fn quoted_len(text: &str, quote: char) -> usize {
    let mut chars = text.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\\' && quote == '"' {
            chars.next();
        } else if c == quote {
            if quote == '\'' && chars.next_if(|&(_, next)| next == '\'').is_some() {
                continue;
            }
            return i + c.len_utf8();
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key `set` and `import` write plain is read back by the YAML
    /// parser as that text; the words it would read otherwise are refused.
    #[test]
    fn a_writable_key_reads_back_as_itself() {
        use crate::format::yaml::{parse, Yaml};
        let key_read = |key: &str| match parse(&format!("{key}: x\n")) {
            Ok(Yaml::Map(pairs)) => pairs.into_iter().next().map(|(k, _)| k),
            _ => None,
        };
        for key in NOT_TEXT {
            assert!(!is_writable(key), "{key}");
            assert_ne!(key_read(key), Some(Yaml::Str(key.to_owned())), "{key}");
        }
        for key in [
            "region", "nullable", "yes", "no", "on", "off", "y", "n", "_null", "True_", "e1", "x.y",
        ] {
            assert!(is_writable(key), "{key}");
            assert_eq!(key_read(key), Some(Yaml::Str(key.to_owned())), "{key}");
        }
    }

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
    fn a_key_written_twice_is_on_its_first_line() {
        let keys = scan("a: 1\nb: 2\na: 3\n".lines());
        let first = first_lines(&keys);
        assert_eq!((first.get("a"), first.get("b")), (Some(&0), Some(&1)));
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
        assert_eq!(key_of("städte:\tMünchen"), Some("städte".into()));
        assert_eq!(key_of("\"東京\" : 🚀"), Some("東京".into()));
        assert_eq!(key_of("'€"), None);
        assert_eq!(key_of("é:€"), None);
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
            ("name: Café 東京 # 🚀", "Café 東京", " # 🚀"),
            ("name: '€''s' # é", "'€''s'", " # é"),
            ("name: \"é\\\"", "\"é\\\"", ""),
            ("name: é#€", "é#€", ""),
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
