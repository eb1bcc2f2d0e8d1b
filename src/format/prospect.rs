//! A prospect file read whole: front matter, log entries, and the problems
//! that can be seen without the settings or the date.

use crate::format::diagnostic::{Code, Diagnostic};
use crate::format::entry::{self, Entry};
use crate::format::front_matter::{self, Fields, FrontMatter};
use crate::format::log;
use crate::format::text::{lines_with_endings, trim_ending, Cursor};
use crate::format::yaml::Yaml;

/// One prospect, as its file says.
#[derive(Debug, Clone)]
pub struct Prospect {
    /// The path relative to the root without `.md`: `prospects/acme-corp`.
    pub id: String,
    /// The path relative to the root: `prospects/acme-corp.md`.
    pub path: String,
    /// The front matter: fields when usable, every key, problems.
    pub front: FrontMatter,
    /// The well-formed log entries, in file order.
    pub entries: Vec<Entry>,
    /// Problems in the file itself: front matter and entry grammar.
    pub problems: Vec<Diagnostic>,
}

impl Prospect {
    /// Read a prospect from its text. `path` is relative to the ledger's root,
    /// `/`-separated; the text must open with a front-matter fence.
    pub fn parse(path: &str, text: &str) -> Prospect {
        let mut prospect = Prospect::empty(path);
        let Some(split) = front_matter::split(text) else {
            prospect.problem(
                1,
                1,
                Code::FrontMatter,
                "the front matter is never closed: end it with a line `---`",
            );
            return prospect;
        };
        if let Some(line) = conflict_at(text) {
            prospect.problem(
                line,
                1,
                Code::Conflict,
                "git's conflict markers (`<<<<<<<`, `=======`, `>>>>>>>`): the file holds both sides \
                 of a merge; keep what is right, delete the markers",
            );
        }
        let mut cursor = Cursor::new(text);
        let (first_yaml_line, _) = cursor.locate(split.yaml_start);
        prospect.front = front_matter::read(split.yaml, first_yaml_line);
        for (code, line, column, message) in std::mem::take(&mut prospect.front.problems) {
            prospect.problem(line, column, code, message);
        }

        let items = log::scan(split.body).items;
        prospect.entries.reserve_exact(items.len());
        for item in items {
            let (line, column) = cursor.locate(split.body_start + item.start);
            match entry::parse(item.text) {
                Ok(parts) => prospect.entries.push(Entry {
                    line,
                    column,
                    parts,
                }),
                Err(message) => prospect.problem(line, column, Code::BadEntry, message),
            }
        }
        prospect
    }

    /// A prospect that could not be read at all.
    pub fn unreadable(path: &str, message: impl Into<String>) -> Prospect {
        let mut prospect = Prospect::empty(path);
        prospect.problem(1, 1, Code::Unreadable, message);
        prospect
    }

    /// A prospect with nothing read yet.
    pub(crate) fn empty(path: &str) -> Prospect {
        Prospect {
            id: id_of(path).to_owned(),
            path: path.to_owned(),
            front: FrontMatter::default(),
            entries: Vec::new(),
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, line: usize, column: usize, code: Code, message: impl Into<String>) {
        self.problems
            .push(Diagnostic::new(&self.path, line, column, code, message));
    }

    /// The fields, when the front matter is usable.
    pub fn fields(&self) -> Option<&Fields> {
        self.front.fields.as_ref()
    }

    /// Whom the prospect is about, its name and email, read even when
    /// another key makes the fields unusable (`value: 12k`): enough for
    /// `add` and `import` to know a prospect they must not add again.
    /// `None` when the front matter holds no name as text.
    pub fn who(&self) -> Option<(&str, Option<&str>)> {
        if let Some(fields) = self.fields() {
            return Some((&fields.name, fields.email.as_deref()));
        }
        let text = |key: &str| {
            self.front
                .pairs
                .iter()
                .find_map(|(k, value, _)| match value {
                    Yaml::Str(text) if k == key && !text.trim().is_empty() => Some(text.as_str()),
                    _ => None,
                })
        };
        Some((text("name")?, text("email")))
    }

    /// The line of a front-matter key, if the file has it.
    pub fn key_line(&self, key: &str) -> Option<usize> {
        self.front
            .pairs
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|p| p.2)
    }

    /// The file stem: `acme-corp` for `prospects/acme-corp`.
    pub fn stem(&self) -> &str {
        stem_of(&self.id)
    }
}

/// The 1-based line where git's conflict markers begin in `text`: a line
/// `<<<<<<<` (or `<<<<<<< ` and a name) with a line `>>>>>>>` after it,
/// as a merge without `ledger`'s merge driver leaves them. Looked for
/// line by line only where the bytes occur at all.
fn conflict_at(text: &str) -> Option<usize> {
    const START: &str = "<<<<<<<";
    const END: &str = ">>>>>>>";
    memchr::memmem::find(text.as_bytes(), START.as_bytes())?;
    let is_marker = |line: &str, marker: &str| {
        trim_ending(line)
            .strip_prefix(marker)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
    };
    let mut start = None;
    for (i, line) in lines_with_endings(text).enumerate() {
        match start {
            None if is_marker(line, START) => start = Some(i + 1),
            Some(at) if is_marker(line, END) => return Some(at),
            _ => {}
        }
    }
    None
}

/// The id of the prospect file at `path` (below the root): the path
/// without `.md` (`prospects/acme-corp`).
pub fn id_of(path: &str) -> &str {
    path.strip_suffix(".md").unwrap_or(path)
}

/// The last part of an id or a path, what a person types for it:
/// `acme-corp` for `prospects/acme-corp` or `prospects/acme-corp.md`.
pub fn stem_of(id_or_path: &str) -> &str {
    let id = id_of(id_or_path);
    id.rsplit('/').next().unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(p: &Prospect) -> Vec<(Code, usize)> {
        p.problems.iter().map(|d| (d.code, d.line)).collect()
    }

    #[test]
    fn reads_a_whole_file() {
        let text = "---\nname: Acme Corp\nstage: proposal\n---\n\n# Acme\n\n- not the log\n\n## Log\n\n- 2026-11-02 meeting: Intro\n- 2026-11-05 email: Sent\n  the proposal.\n- oops\n";
        let p = Prospect::parse("prospects/acme-corp.md", text);
        assert_eq!(p.id, "prospects/acme-corp");
        assert_eq!(p.stem(), "acme-corp");
        assert_eq!(p.fields().unwrap().name, "Acme Corp");
        let got: Vec<(usize, &str, &str)> = p
            .entries
            .iter()
            .map(|e| (e.line, e.channel.as_str(), e.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (12, "meeting", "Intro"),
                (13, "email", "Sent the proposal.")
            ]
        );
        assert_eq!(codes(&p), [(Code::BadEntry, 15)]);
        assert_eq!(p.key_line("stage"), Some(3));
    }

    #[test]
    fn crlf_bom_and_dashes_in_the_body() {
        let text = "\u{feff}---\r\nname: Crlf\r\nvalue: 12k\r\n---\r\n\r\nA rule:\r\n\r\n---\r\n\r\n## Log\r\n\r\n- 2026-11-02 email: Intro\r\n";
        let p = Prospect::parse("crlf.md", text);
        assert_eq!(codes(&p), [(Code::BadField, 3)]);
        assert!(p.fields().is_none());
        assert_eq!(p.entries.len(), 1);
        assert_eq!(p.entries[0].line, 12);
        assert_eq!(p.entries[0].text, "Intro");
    }

    #[test]
    fn unclosed_front_matter() {
        let p = Prospect::parse("a.md", "---\nname: Unclosed\n\n# no closing fence\n");
        assert_eq!(codes(&p), [(Code::FrontMatter, 1)]);
    }

    #[test]
    fn yaml_errors_are_at_file_lines() {
        let p = Prospect::parse("b.md", "---\nname: Broken\nstage: [lead\n---\n");
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].code, Code::FrontMatter);
        assert!((3..=4).contains(&p.problems[0].line), "{:?}", p.problems);
    }
}
