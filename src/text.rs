//! Positions in a file's text: byte offsets become the 1-based lines and
//! columns that every message shows, in this one place.

/// The 1-based line and column of offsets into one text, counted forward
/// from the last offset asked about (an earlier one counts from the start).
#[derive(Debug, Clone)]
pub struct Cursor<'t> {
    text: &'t str,
    at: usize,
    line: usize,
    line_start: usize,
}

impl<'t> Cursor<'t> {
    /// A cursor at the start of `text`.
    pub fn new(text: &'t str) -> Cursor<'t> {
        Cursor {
            text,
            at: 0,
            line: 1,
            line_start: 0,
        }
    }

    /// The line and column (in bytes) of byte `offset`.
    pub fn locate(&mut self, offset: usize) -> (usize, usize) {
        if offset < self.at {
            *self = Cursor::new(self.text);
        }
        for newline in memchr::memchr_iter(b'\n', &self.text.as_bytes()[self.at..offset]) {
            self.line += 1;
            self.line_start = self.at + newline + 1;
        }
        self.at = offset;
        (self.line, offset - self.line_start + 1)
    }
}

/// Split `text` into lines that keep their endings (`\n` or `\r\n`).
/// (As `str::split_inclusive('\n')` does, with a vectorised search for the
/// line ends: lines are short, and a search per line costs more.)
pub fn lines_with_endings(text: &str) -> impl Iterator<Item = &str> {
    let mut ends = memchr::memchr_iter(b'\n', text.as_bytes());
    let mut start = 0;
    std::iter::from_fn(move || {
        let end = match ends.next() {
            Some(newline) => newline + 1,
            None if start < text.len() => text.len(),
            None => return None,
        };
        let line = &text[start..end];
        start = end;
        Some(line)
    })
}

/// A line without its ending.
pub fn trim_ending(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

/// The line ending a file uses: that of its first line, else `\n`.
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// The UTF-8 byte-order mark some editors put at the start of a file.
pub const BOM: &str = "\u{feff}";

/// Lines joined by `\n` or `\r\n`, with or without a last ending: the
/// texts the property tests try.
#[cfg(test)]
pub(crate) fn joined<S: std::borrow::Borrow<str>>(
    lines: &[S],
    crlf: bool,
    final_newline: bool,
) -> String {
    let ending = if crlf { "\r\n" } else { "\n" };
    let mut text = lines.join(ending);
    if final_newline {
        text.push_str(ending);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_of_offsets() {
        let text = "ab\ncd\r\n\nef";
        let mut cursor = Cursor::new(text);
        // Forward, then back (which counts again from the start).
        let cases = [
            (0, (1, 1)),
            (1, (1, 2)),
            (2, (1, 3)),
            (3, (2, 1)),
            (5, (2, 3)),
            (7, (3, 1)),
            (8, (4, 1)),
            (9, (4, 2)),
            (10, (4, 3)),
            (1, (1, 2)),
            (7, (3, 1)),
        ];
        for (offset, want) in cases {
            assert_eq!(cursor.locate(offset), want, "offset {offset}");
        }
    }

    proptest::proptest! {
        #[test]
        fn lines_split_as_the_standard_library_splits(text in "[a\r\n\u{e9}]{0,12}") {
            let ours: Vec<&str> = lines_with_endings(&text).collect();
            let std: Vec<&str> = text.split_inclusive('\n').collect();
            proptest::prop_assert_eq!(ours, std);
        }
    }

    #[test]
    fn endings() {
        assert_eq!(line_ending("a\r\nb\n"), "\r\n");
        assert_eq!(line_ending("a\nb\r\n"), "\n");
        assert_eq!(line_ending("no newline"), "\n");
        assert_eq!(trim_ending("x\r\n"), "x");
        assert_eq!(trim_ending("x\n"), "x");
        assert_eq!(trim_ending("x"), "x");
    }
}
