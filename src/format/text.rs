//! Positions in a file's text: byte offsets become the 1-based lines and
//! columns that every message shows, in this one place.

use std::borrow::Cow;

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
        // An offset past the end of the text is on no further line.
        let passed = self
            .text
            .as_bytes()
            .get(self.at..offset)
            .unwrap_or_default();
        for newline in memchr::memchr_iter(b'\n', passed) {
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
        let line = text.get(start..end)?;
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
    match text.split_once('\n') {
        Some((first, _)) if first.ends_with('\r') => "\r\n",
        _ => "\n",
    }
}

/// A text as it is compared in any case (names, emails, tags, owners):
/// Unicode's full case folding, so that `Straße` and `STRASSE`, or `ΟΔΟΣ`
/// and `οδος`, are one, as lower case alone does not make them; and its
/// canonical caseless match (its decomposition before and after the
/// folding), so that `Café` written with one `é` and with `e` and a
/// combining accent (as macOS and some exports write it) are one too.
pub fn folded(text: &str) -> String {
    let folded = unicase::UniCase::new(decomposed(text)).to_folded_case();
    match decomposed(&folded) {
        Cow::Borrowed(_) => folded,
        Cow::Owned(again) => again,
    }
}

/// Whether two texts are one in any case ([`folded`]); without making
/// either where neither needs decomposing (every ASCII text).
pub fn same_in_any_case(a: &str, b: &str) -> bool {
    // Folding keeps a decomposed text decomposed but for U+0345 (Greek
    // ypogegrammeni, which folds to a letter), the case Unicode's
    // canonical caseless match decomposes again for: two such texts are
    // compared as they are folded.
    let plain = |text: &str| text.is_ascii() || (is_decomposed(text) && !text.contains('\u{345}'));
    if plain(a) && plain(b) {
        return unicase::UniCase::new(a) == unicase::UniCase::new(b);
    }
    folded(a) == folded(b)
}

/// Whether `text` is in Unicode's canonical decomposition already, by the
/// quick check (a maybe counts as no).
fn is_decomposed(text: &str) -> bool {
    text.is_ascii()
        || unicode_normalization::is_nfd_quick(text.chars())
            == unicode_normalization::IsNormalized::Yes
}

/// `text` in Unicode's canonical decomposition (NFD): as a filter's
/// values are kept, so that [`same_in_any_case`] compares them with the
/// usual (decomposed, most often ASCII) values without making a string.
pub fn decomposed(text: &str) -> Cow<'_, str> {
    use unicode_normalization::UnicodeNormalization;
    match is_decomposed(text) {
        true => Cow::Borrowed(text),
        false => Cow::Owned(text.nfd().collect()),
    }
}

/// Files larger than this are reported, not read, nor merged: a prospect
/// is a page of text (SPEC section 10).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// [`MAX_FILE_BYTES`] in MiB, as messages say it.
pub const MAX_FILE_MIB: u64 = MAX_FILE_BYTES >> 20;

/// Why a prospect file of `size` bytes is not read (nor edited).
pub fn too_large(size: u64) -> String {
    format!("the file is {size} bytes, over the {MAX_FILE_MIB} MiB a prospect file may be")
}

/// The UTF-8 byte-order mark some editors put at the start of a file.
pub const BOM: &str = "\u{feff}";

/// Whether a character may not reach a terminal as itself (SPEC section
/// 10): the C0 and C1 controls and DEL, and the bidirectional controls
/// that reorder what a reader sees (`Bidi …` shown as `…idiB`).
pub fn is_unsafe_char(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{61c}' | '\u{200e}' | '\u{200f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` may not stand in a one-line value (a name, a company, a
/// reason, a tag; SPEC section 10): a control character, or Unicode's
/// line and paragraph separators, which YAML 1.1 readers and some
/// editors take for line breaks.
pub fn breaks_a_value(c: char) -> bool {
    c.is_control() || is_line_separator(c)
}

/// Why a value holding `c` (one that [`breaks_a_value`]) is refused, in
/// the words every such refusal uses: "a line break: a value must be one
/// line of text".
pub fn not_one_line(c: char) -> String {
    let what = match c {
        '\n' | '\r' => "a line break".to_owned(),
        c if is_line_separator(c) => format!("a line separator {}", c.escape_unicode()),
        c => format!("the control character {}", c.escape_unicode()),
    };
    format!("{what}: a value must be one line of text")
}

/// Unicode's line and paragraph separators (U+2028, U+2029).
pub fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// `text` as it may be written for a person to read: every character that
/// [`is_unsafe_char`] shown as its escape (`\u{1b}`), line breaks and tabs
/// included, so that one value stays on its one line. Every human output
/// writes what it got from a file, a setting, an argument or a remote
/// through this (or [`printable_lines`]).
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    escape_where(text, is_unsafe_char)
}

/// [`printable`] for a message of several lines: its line breaks stay.
pub fn printable_lines(text: &str) -> std::borrow::Cow<'_, str> {
    escape_where(text, |c| c != '\n' && is_unsafe_char(c))
}

fn escape_where(text: &str, unsafe_char: impl Fn(char) -> bool) -> std::borrow::Cow<'_, str> {
    let plain_ascii = text.bytes().all(|b| (0x20..0x7f).contains(&b));
    if plain_ascii || !text.chars().any(&unsafe_char) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&printable_char(c));
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// `text` with each escape [`printable`] writes of a bidirectional
/// control (`\u{200f}`, a right-to-left mark) turned back into the
/// character: what a spreadsheet kept of `export csv` reads back as it
/// was. Those are the escaped characters a value may hold; the escape of
/// a control character (`\u{9}`), which no value may hold (SPEC section
/// 10), stays text, as does any other `\u{…}` (`\u{41}`).
pub fn unescape_printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("\\u{") {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\\u{") {
        let (before, escape) = rest.split_at(at);
        out.push_str(before);
        // The `}` within the longest escape (`\u{10ffff}`): a text of many
        // `\u{` and no `}` is read once, not to its end at each.
        let close = escape.bytes().take(MAX_ESCAPE).position(|b| b == b'}');
        let unsafe_char = close.and_then(|close| {
            let c = char::from_u32(u32::from_str_radix(escape.get(3..close)?, 16).ok()?)?;
            let bidi = is_unsafe_char(c) && !c.is_control();
            (bidi && printable_char(c) == escape.get(..=close)?)
                .then_some((c, escape.get(close + 1..)?))
        });
        match unsafe_char {
            Some((c, after)) => {
                out.push(c);
                rest = after;
            }
            None => {
                out.push('\\');
                rest = escape.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out.into()
}

/// The most bytes an escape [`printable`] writes takes: `\u{10ffff}`.
const MAX_ESCAPE: usize = 10;

/// How [`printable`] writes one character it escapes.
fn printable_char(c: char) -> String {
    format!("\\u{{{:x}}}", u32::from(c))
}

/// `items` each in backticks and shown escaped ([`printable`]), joined
/// with commas; past the first `most`, how many more there are.
pub fn quoted_list(items: &[String], most: usize) -> String {
    let mut listed: Vec<String> = items
        .iter()
        .take(most)
        .map(|item| format!("`{}`", printable(item)))
        .collect();
    if items.len() > most {
        listed.push(format!("and {} more", items.len() - most));
    }
    listed.join(", ")
}

/// `n thing` / `n things` (`n touches` for words ending in a hissing sound).
pub fn count(n: usize, thing: &str) -> String {
    match n {
        1 => format!("1 {thing}"),
        _ if thing.ends_with("ch") || thing.ends_with('s') || thing.ends_with('x') => {
            format!("{n} {thing}es")
        }
        _ => format!("{n} {thing}s"),
    }
}

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
    fn any_case_is_unicode_case_folding() {
        for (a, b) in [
            ("Straße", "STRASSE"),
            ("ΟΔΟΣ", "οδος"),
            ("οδός", "ΟΔΌΣ"),
            ("Иван Петров", "иван петров"),
            ("ǅemal", "ǆEMAL"),
            ("東京", "東京"),
            // One `é`, and `e` with a combining accent; the same in Hangul
            // syllables and their letters; and both with a change of case.
            ("Café", "Cafe\u{301}"),
            ("CAFE\u{301}", "café"),
            ("한국", "\u{1112}\u{1161}\u{11ab}\u{1100}\u{116e}\u{11a8}"),
            ("Ǻ", "a\u{30a}\u{301}"),
        ] {
            assert_eq!(folded(a), folded(b), "{a} {b}");
            assert!(same_in_any_case(a, b), "{a} {b}");
        }
        for (a, b) in [
            ("Straße", "Strase"),
            ("Иван", "Иванн"),
            ("é", "e"),
            ("e\u{301}", "e"),
            ("Ǻ", "a\u{301}\u{30a}"),
        ] {
            assert_ne!(folded(a), folded(b), "{a} {b}");
            assert!(!same_in_any_case(a, b), "{a} {b}");
        }
    }

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
        /// Whatever text holds, its escaped form reads back as it was.
        #[test]
        fn an_escaped_text_reads_back_as_it_was(text in "[a\\\\u{}{}0-9\u{61c}\u{200f}\u{202e}\u{2066} 東]{0,16}") {
            // A text that already holds an escape's spelling is ambiguous
            // once escaped; the test is of the others.
            proptest::prop_assume!(unescape_printable(&text) == text);
            let shown = printable(&text);
            let read = unescape_printable(&shown).into_owned();
            proptest::prop_assert_eq!(read, text);
        }

        #[test]
        fn lines_split_as_the_standard_library_splits(text in "[a\r\n\u{e9}]{0,12}") {
            let ours: Vec<&str> = lines_with_endings(&text).collect();
            let std: Vec<&str> = text.split_inclusive('\n').collect();
            proptest::prop_assert_eq!(ours, std);
        }
    }

    #[test]
    fn escapes_of_unsafe_characters_alone_are_read_back() {
        let cases = [
            ("Acme\\u{200f} Ltd", "Acme\u{200f} Ltd"),
            ("\\u{202e}\\u{61c}", "\u{202e}\u{61c}"),
            // A control character's escape: no value holds one.
            ("a\\u{1b}b\\u{9}", "a\\u{1b}b\\u{9}"),
            // Not an escape printable writes: kept as it is.
            ("\\u{41}", "\\u{41}"),
            ("\\u{0009}", "\\u{0009}"),
            ("\\u{1B}", "\\u{1B}"),
            ("\\u{zz}", "\\u{zz}"),
            ("\\u{", "\\u{"),
            ("C:\\temp\\u", "C:\\temp\\u"),
            ("\\\\u{200e}", "\\\u{200e}"),
            ("\\u{200f}東", "\u{200f}東"),
            ("\\u{2066東}", "\\u{2066東}"),
        ];
        for (text, read) in cases {
            assert_eq!(unescape_printable(text), read, "{text:?}");
        }
        // Many escapes begun and none ended: each is looked at once.
        let open = "\\u{".repeat(300_000);
        assert_eq!(unescape_printable(&open), open);
    }

    #[test]
    fn controls_are_shown_escaped() {
        let cases = [
            ("plain, café, 東京, 🚀", "plain, café, 東京, 🚀"),
            ("\u{1b}]0;pwned\u{7}", "\\u{1b}]0;pwned\\u{7}"),
            ("a\r\nb\tc", "a\\u{d}\\u{a}b\\u{9}c"),
            ("Bidi \u{202e}exe", "Bidi \\u{202e}exe"),
            ("\u{85}\u{9f}\u{7f}\u{0}", "\\u{85}\\u{9f}\\u{7f}\\u{0}"),
            (
                "\u{2066}x\u{2069}\u{61c}\u{200e}",
                "\\u{2066}x\\u{2069}\\u{61c}\\u{200e}",
            ),
        ];
        for (raw, shown) in cases {
            assert_eq!(printable(raw), shown, "{raw:?}");
        }
        assert_eq!(printable_lines("a\nb\t\u{1b}[2J"), "a\nb\\u{9}\\u{1b}[2J");
    }

    proptest::proptest! {
        /// Whatever the text, what is shown holds no unsafe character and
        /// reads back to the text (a backslash never followed by `u{`
        /// in the input is left alone).
        #[test]
        fn nothing_unsafe_is_shown(text in "\\PC*|[\u{0}-\u{a0}\u{200e}\u{202a}-\u{202e}\u{2066}-\u{2069}a-z]*") {
            let shown = printable(&text);
            proptest::prop_assert!(!shown.chars().any(is_unsafe_char));
            proptest::prop_assert!(!printable_lines(&text).chars().any(|c| c != '\n' && is_unsafe_char(c)));
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
