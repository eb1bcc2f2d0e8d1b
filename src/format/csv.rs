//! Reading a CSV file as spreadsheets and CRMs write them (SPEC section 9,
//! `import csv`): UTF-8 with or without a byte-order mark, `,` or `;`
//! between cells, quoted cells that may hold the delimiter and line breaks,
//! and the `'` that `export csv` (and careful spreadsheets) put before a
//! cell that would otherwise run as a formula, which [`guard`] puts
//! there; and a prospect's tags in one cell ([`join_tags`], [`split_tags`]).
//! The csv crate reads here; `export csv` writes with it.

use std::borrow::Cow;

use crate::error::{CellProblem, Error, Problem, Result};
use crate::format::text::{unescape_printable, BOM};

/// A CSV file read: its header and its rows, every cell UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The header's columns, trimmed.
    pub header: Vec<String>,
    /// The rows below it, blank ones left out.
    pub rows: Vec<Row>,
    /// The rows that could not be read (not UTF-8, another number of
    /// cells than the header has columns), each at its row: the file is
    /// refused, once the other rows are checked too.
    pub problems: Vec<CellProblem>,
    /// The delimiter found: `,` or `;`.
    pub delimiter: char,
}

/// One row of a [`Table`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Its number as a spreadsheet shows it: the header is row 1.
    pub number: usize,
    /// Its cells, one per column of the header, the formula guard removed.
    pub cells: Vec<String>,
}

/// The characters a spreadsheet would start a formula with (and the tab
/// and carriage return `export csv` guards as well): a cell that starts
/// with `'` and one of them had the `'` put there to stop that.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The most bytes `import csv` reads of a file: ten times a large CRM
/// export (some 100,000 rows), and a read that ends.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Read `bytes` (the file named `file`, for messages) as a table. Every
/// row that is not UTF-8 or has another number of cells than the header
/// is in [`Table::problems`], each at its row, for the file to be refused
/// with the problems of the other rows; a header that is not UTF-8 is
/// refused at once.
pub fn read(file: &str, bytes: &[u8]) -> Result<Table> {
    let bytes = bytes.strip_prefix(BOM.as_bytes()).unwrap_or(bytes);
    let delimiter = delimiter(bytes);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut record = ::csv::ByteRecord::new();
    // Line breaks inside the quoted cells read so far: a spreadsheet shows
    // such a record as one row, and a blank line (which the reader skips)
    // as an empty one, so a row's number is its line less these.
    let mut folded: usize = 0;
    // How many lines begin before `seen` (a byte offset), counted as the
    // reader goes.
    let (mut seen, mut lines) = (0, 0);
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            // Only reading the input can fail here, and a slice does not.
            Err(err) => {
                return Err(Error::Message(format!("{file}: {err}")));
            }
        }
        // Where the record begins: its position is where the reader began,
        // before the blank lines it skipped.
        let start = record.position().map_or(seen, |p| p.byte() as usize);
        let blank = bytes.get(start..).unwrap_or_default();
        let start = start
            + blank
                .iter()
                .take_while(|&&b| b == b'\n' || b == b'\r')
                .count();
        lines += line_breaks(bytes.get(seen..start).unwrap_or_default());
        seen = start.max(seen);
        let number = (lines + 1).saturating_sub(folded);
        folded += record.iter().map(line_breaks).sum::<usize>();
        let cells: Option<Vec<String>> = record
            .iter()
            // What `export csv` escaped (SPEC section 10) and guarded,
            // read back as it was.
            .map(|cell| {
                let cell = std::str::from_utf8(cell).ok()?;
                Some(unguard(&unescape_printable(cell)))
            })
            .collect();
        let Some(cells) = cells else {
            let column = record
                .iter()
                .position(|cell| std::str::from_utf8(cell).is_err())
                .and_then(|i| header.as_ref().and_then(|h| h.get(i)).cloned());
            let problem = CellProblem {
                row: number,
                column,
                problem: Problem::NotUtf8,
            };
            // A header that cannot be read leaves no columns to read the
            // rest by: it is the file's one problem.
            if header.is_none() {
                return Err(Error::BadRows {
                    file: file.to_owned(),
                    problems: vec![problem],
                });
            }
            problems.push(problem);
            continue;
        };
        let Some(columns) = &header else {
            header = Some(cells.iter().map(|c| c.trim().to_owned()).collect());
            continue;
        };
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if cells.len() != columns.len() {
            problems.push(CellProblem {
                row: number,
                column: None,
                problem: Problem::CellCount {
                    expected: columns.len(),
                    found: cells.len(),
                },
            });
            continue;
        }
        rows.push(Row { number, cells });
    }
    Ok(Table {
        header: header.unwrap_or_default(),
        rows,
        problems,
        delimiter: char::from(delimiter),
    })
}

/// The delimiter of a file: `;` when its first line (outside quotes) has
/// more of them than commas, as spreadsheets write CSV where the comma is
/// the decimal separator; else `,`.
fn delimiter(bytes: &[u8]) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for &b in bytes {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas {
        b';'
    } else {
        b','
    }
}

/// How many line breaks `bytes` hold: a `\n`, a `\r\n` and a lone `\r`
/// (the line end of "CSV (Macintosh)" files) are one each, as the
/// reader reads them.
fn line_breaks(bytes: &[u8]) -> usize {
    let returns_alone = memchr::memchr_iter(b'\r', bytes)
        .filter(|&at| bytes.get(at + 1) != Some(&b'\n'))
        .count();
    memchr::memchr_iter(b'\n', bytes).count() + returns_alone
}

/// A cell without the `'` that guards a formula (`'=SUM(A1)` → `=SUM(A1)`).
fn unguard(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if is_guarded(rest) => rest.to_owned(),
        _ => cell.to_owned(),
    }
}

/// Whether text after a `'` is what a `'` was put before: a formula's
/// start, or another guarded text.
fn is_guarded(rest: &str) -> bool {
    rest.starts_with(FORMULA_STARTS)
        || rest
            .strip_prefix('\'')
            .is_some_and(|r| r.starts_with(FORMULA_STARTS) || r.starts_with('\''))
}

/// `text` as a spreadsheet may take it (SPEC section 9): with a leading
/// `'` when it starts the way a formula does, so that it is shown, never
/// run. Text that starts with such a `'` already gets one more, so that
/// reading it back ([`read`]) gives what was written.
pub fn guard(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) || text.strip_prefix('\'').is_some_and(is_guarded) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// What separates the tags in one cell (SPEC section 9: `export csv`
/// joins them with `;`).
pub const TAG_SEPARATOR: char = ';';

/// What a `;` or a `\` inside a tag is written after, in a cell of tags.
const TAG_ESCAPE: char = '\\';

/// `tags` as one cell: joined with `;`, as SPEC section 9 says, so that a
/// spreadsheet or another CRM reads the usual tags as they are
/// (`saas;eu-west`). A `;` or a `\` inside a tag is written `\;` or `\\`
/// (`R&D\; EMEA;saas`), so that [`split_tags`] gives back every tag, the
/// one holding a `;` too, and `export csv` then `import csv` loses none.
pub fn join_tags(tags: &[String]) -> String {
    let mut cell = String::new();
    for (i, tag) in tags.iter().enumerate() {
        if i > 0 {
            cell.push(TAG_SEPARATOR);
        }
        for c in tag.chars() {
            if c == TAG_SEPARATOR || c == TAG_ESCAPE {
                cell.push(TAG_ESCAPE);
            }
            cell.push(c);
        }
    }
    cell
}

/// The tags of a cell that [`join_tags`] wrote, or that a person or
/// another tool wrote with `;` between tags: `\;` and `\\` are a `;` and a
/// `\` inside a tag; any other `\` is kept as it is, as another tool
/// means it (`C:\temp`). Each tag is trimmed; empty ones are left out.
pub fn split_tags(cell: &str) -> Vec<String> {
    let mut tags = Vec::new();
    let mut tag = String::new();
    let mut chars = cell.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            TAG_ESCAPE => match chars.next_if(|&n| n == TAG_SEPARATOR || n == TAG_ESCAPE) {
                Some(escaped) => tag.push(escaped),
                None => tag.push(c),
            },
            TAG_SEPARATOR => tags.push(std::mem::take(&mut tag)),
            _ => tag.push(c),
        }
    }
    tags.push(tag);
    tags.into_iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever a cell holds, guarding it and reading the guard off gives
    /// it back; only what a spreadsheet could run is guarded.
    #[test]
    fn a_guarded_cell_reads_back_as_it_was() {
        let cells = [
            "=1+1",
            "+1 555 0100",
            "-5",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "'=already",
            "''=twice",
            "'plain quote",
            "'",
            "''",
            "Acme",
            " =spaced",
            "",
            "Иван",
            "'+",
        ];
        for cell in cells {
            assert_eq!(unguard(&guard(cell)), cell, "{cell:?}");
        }
        for runs in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "'=a", "''=a"] {
            assert!(guard(runs).starts_with('\''), "{runs:?}");
        }
        for shown in ["Acme", "'plain quote", " =spaced", "", "'"] {
            assert_eq!(guard(shown), shown);
        }
    }

    fn cells(table: &Table) -> Vec<Vec<&str>> {
        table
            .rows
            .iter()
            .map(|r| r.cells.iter().map(String::as_str).collect())
            .collect()
    }

    /// A file, and the delimiter, header and rows read from it.
    type Case<'c> = (&'c [u8], char, &'c [&'c str], &'c [&'c [&'c str]]);

    #[test]
    fn files_as_spreadsheets_write_them() {
        let cases: [Case; 6] = [
            (b"a,b\n1,2\n", ',', &["a", "b"], &[&["1", "2"]]),
            (
                b"\xef\xbb\xbfa;b\r\n1;2,5\r\n",
                ';',
                &["a", "b"],
                &[&["1", "2,5"]],
            ),
            // Quoted cells keep the delimiter, quotes and line breaks.
            (
                b"name,note\n\"Acme, Inc.\",\"two\nlines \"\"quoted\"\"\"\n",
                ',',
                &["name", "note"],
                &[&["Acme, Inc.", "two\nlines \"quoted\""]],
            ),
            // The formula guard goes; a quote before anything else stays.
            (
                b"a,b,c,d\n'=1+1,'+1 555,'@x,'hello\n",
                ',',
                &["a", "b", "c", "d"],
                &[&["=1+1", "+1 555", "@x", "'hello"]],
            ),
            // Blank rows, and rows of empty cells, are left out.
            (b"a,b\n\n,\n1,2\n", ',', &["a", "b"], &[&["1", "2"]]),
            (b" Name ;\"E;mail\"\n", ';', &["Name", "E;mail"], &[]),
        ];
        for (bytes, delimiter, header, rows) in cases {
            let table = read("t.csv", bytes).unwrap();
            assert_eq!(table.delimiter, delimiter, "{bytes:?}");
            assert_eq!(table.header, header, "{bytes:?}");
            assert_eq!(cells(&table), rows, "{bytes:?}");
        }
    }

    /// Rows are numbered as a spreadsheet shows them: a quoted cell over
    /// several lines is one row, a blank line is a row.
    #[test]
    fn rows_are_numbered_as_a_spreadsheet_numbers_them() {
        let table = read("t.csv", b"a,b\n1,2\n\"x\ny\",3\n4,5\n").unwrap();
        let numbers: Vec<usize> = table.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [2, 3, 4]);
        let table = read("t.csv", b"name,value\n\n\nA Co,1\n\"B\nCo\",2\r\nC Co,3\n").unwrap();
        let numbers: Vec<usize> = table.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [4, 5, 6]);
        let table = read("t.csv", b"a,b\n\n\n1\n").unwrap();
        assert!(table.rows.is_empty(), "a row of one cell is not read");
        assert_eq!(table.problems[0].row, 4);
        // Lines ended by a lone `\r` ("CSV (Macintosh)"), `;` between cells.
        let table = read(
            "t.csv",
            b"name;company\rAcme;Acme, Inc\r\"B\rCo\";x\r\rC;y\r",
        )
        .unwrap();
        assert_eq!(table.delimiter, ';');
        assert_eq!(
            cells(&table),
            [["Acme", "Acme, Inc"], ["B\rCo", "x"], ["C", "y"]]
        );
        let numbers: Vec<usize> = table.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [2, 3, 5]);
    }

    /// A header that is not UTF-8 is refused as such, not passed over for
    /// the next row to be taken as the header.
    #[test]
    fn a_header_that_is_not_utf8_is_the_file_s_problem() {
        let Err(Error::BadRows { problems, .. }) = read("t.csv", b"\xff,b\n1,2\n") else {
            panic!("refused");
        };
        assert_eq!(
            (problems[0].row, &problems[0].problem),
            (1, &Problem::NotUtf8)
        );
    }

    #[test]
    fn every_bad_row_is_reported() {
        let table = read("t.csv", b"a,b\n1,2,3\n\xff,2\n4\n5,6\n").unwrap();
        assert_eq!(table.rows.len(), 1, "the one good row is read");
        let problems = &table.problems;
        let found: Vec<(usize, Option<&str>, &Problem)> = problems
            .iter()
            .map(|p| (p.row, p.column.as_deref(), &p.problem))
            .collect();
        assert_eq!(
            found,
            [
                (
                    2,
                    None,
                    &Problem::CellCount {
                        expected: 2,
                        found: 3
                    }
                ),
                (3, Some("a"), &Problem::NotUtf8),
                (
                    4,
                    None,
                    &Problem::CellCount {
                        expected: 2,
                        found: 1
                    }
                ),
            ]
        );
    }

    /// The usual tags are joined with a plain `;`, as other tools read
    /// them; a tag that holds a `;` or a `\` is escaped, and every tag
    /// reads back.
    #[test]
    fn tags_in_one_cell() {
        let cases: [(&[&str], &str); 7] = [
            (&["saas", "eu-west"], "saas;eu-west"),
            (
                &["big deal", "Müller & Söhne", "東京"],
                "big deal;Müller & Söhne;東京",
            ),
            (&["R&D; EMEA", "saas"], "R&D\\; EMEA;saas"),
            (
                &["Forschung;Entwicklung", "Köln"],
                "Forschung\\;Entwicklung;Köln",
            ),
            (&["C:\\temp", "a\\"], "C:\\\\temp;a\\\\"),
            (&["\\;", ";"], "\\\\\\;;\\;"),
            (&[], ""),
        ];
        for (tags, cell) in cases {
            let tags: Vec<String> = tags.iter().map(|t| (*t).to_owned()).collect();
            assert_eq!(join_tags(&tags), cell, "{tags:?}");
            assert_eq!(split_tags(cell), tags, "{cell:?}");
        }
        // Cells another tool wrote: a `\` before anything but `;` or `\`
        // is kept, spaces around a tag and empty tags go.
        let read: [(&str, &[&str]); 3] = [
            ("C:\\temp; a ;;", &["C:\\temp", "a"]),
            ("Иван;  ", &["Иван"]),
            ("trailing\\", &["trailing\\"]),
        ];
        for (cell, tags) in read {
            assert_eq!(split_tags(cell), tags, "{cell:?}");
        }
    }

    /// Any list of tags (each trimmed and not empty, as a prospect's are)
    /// reads back from its cell as it was.
    #[test]
    fn any_tags_read_back_from_their_cell() {
        use proptest::prelude::*;
        let tag = "[a-z;\\\\ ÄöЖ東 ]{1,8}".prop_filter_map("a tag", |t: String| {
            let t = t.trim().to_owned();
            (!t.is_empty()).then_some(t)
        });
        proptest!(|(tags in proptest::collection::vec(tag, 0..6))| {
            prop_assert_eq!(split_tags(&join_tags(&tags)), tags);
        });
    }

    #[test]
    fn nothing_is_a_table_of_nothing() {
        let table = read("t.csv", b"").unwrap();
        assert!(table.header.is_empty() && table.rows.is_empty());
    }
}
