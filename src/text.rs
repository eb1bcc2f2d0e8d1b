//! Positions in a file's text: byte offsets become the 1-based lines and
//! columns that every message shows, in this one place.

/// The start offset of every line of a text, for offset → line look-ups.
#[derive(Debug, Clone)]
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    /// Index the lines of `text`. A line ends after `\n`; a lone `\r` does not end one.
    pub fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Lines { starts }
    }

    /// The 1-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// The byte offset where 1-based `line` starts (the text's end past the last line).
    pub fn start_of(&self, line: usize) -> usize {
        self.starts[(line - 1).min(self.starts.len() - 1)]
    }

    /// How many lines start in the text (a final newline starts an empty last one).
    pub fn count(&self) -> usize {
        self.starts.len()
    }
}

/// Split `text` into lines that keep their endings (`\n` or `\r\n`).
pub fn lines_with_endings(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive('\n')
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_offsets() {
        let text = "ab\ncd\r\n\nef";
        let lines = Lines::new(text);
        let cases = [(0, 1), (1, 1), (2, 1), (3, 2), (7, 3), (8, 4), (9, 4)];
        for (offset, line) in cases {
            assert_eq!(lines.line_of(offset), line, "offset {offset}");
        }
        assert_eq!(lines.start_of(2), 3);
        assert_eq!(lines.count(), 4);
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
