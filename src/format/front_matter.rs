//! The front matter of a prospect: finding its fences, and reading its YAML
//! into typed [`Fields`] with every problem at the file's real line.

use crate::format::cadence::Cadence;
use crate::format::date::{self, Date};
use crate::format::diagnostic::Code;
use crate::format::keys;
use crate::format::schema;
use crate::format::text::{self, BOM};
use crate::format::yaml::{self, Yaml};

/// Whether a file's text opens with a front-matter fence: its first line is
/// exactly `---` (after an optional byte-order mark).
pub fn has_fence(text: &[u8]) -> bool {
    let text = text.strip_prefix(BOM.as_bytes()).unwrap_or(text);
    text == b"---" || text.starts_with(b"---\n") || text.starts_with(b"---\r\n")
}

/// A prospect file cut at its fences: the pieces, and where each starts as
/// a byte offset into the whole text (for line numbers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'t> {
    /// Where the YAML starts (the line after the opening fence).
    pub yaml_start: usize,
    /// Where the closing fence's line starts (the YAML ends there).
    pub close_start: usize,
    /// Where the body starts (the line after the closing fence).
    pub body_start: usize,
    /// What comes before the YAML: a byte-order mark, if any, and the
    /// opening fence's line.
    pub head: &'t str,
    /// The YAML between the fences.
    pub yaml: &'t str,
    /// The closing fence's line, ending included.
    pub close: &'t str,
    /// The body: everything after the closing fence's line.
    pub body: &'t str,
}

/// Cut `text` (which has a fence) at its fences; `None` when the front
/// matter is never closed by a line that is `---` or `...`.
pub fn split(text: &str) -> Option<Split<'_>> {
    let after_bom = text.strip_prefix(BOM).unwrap_or(text);
    let mut lines = text::lines_with_endings(after_bom);
    let yaml_start = text.len() - after_bom.len() + lines.next()?.len();
    let mut close_start = yaml_start;
    for line in lines {
        let bare = text::trim_ending(line).trim_end();
        if bare == "---" || bare == "..." {
            let (head_and_yaml, close_and_body) = text.split_at_checked(close_start)?;
            let (head, yaml) = head_and_yaml.split_at_checked(yaml_start)?;
            let (close, body) = close_and_body.split_at_checked(line.len())?;
            return Some(Split {
                yaml_start,
                close_start,
                body_start: close_start + line.len(),
                head,
                yaml,
                close,
                body,
            });
        }
        close_start += line.len();
    }
    None
}

/// Do not contact: absent, set, or set since a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Dnc {
    /// Contact away.
    No,
    /// `dnc: true`.
    Yes,
    /// `dnc: DATE`: since that date.
    Since(Date),
}

impl Dnc {
    /// Whether the prospect must not be contacted.
    pub fn is_set(self) -> bool {
        self != Dnc::No
    }
}

/// The known keys of a prospect's front matter, typed.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Fields {
    /// Display name (required).
    pub name: String,
    /// Stage; `None` when the file names none (the default `lead` applies).
    pub stage: Option<String>,
    /// Expected deal value.
    pub value: Option<f64>,
    /// Currency of the value.
    pub currency: Option<String>,
    /// Explicit next follow-up.
    pub next: Option<Date>,
    /// When the prospect entered the ledger.
    pub added: Option<Date>,
    /// Do not contact.
    pub dnc: Option<Dnc>,
    /// Why it was closed.
    pub reason: Option<String>,
    /// The prospect's own cadence.
    pub cadence: Option<Cadence>,
    /// Company.
    pub company: Option<String>,
    /// Contact person.
    pub contact: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Who on the team owns it.
    pub owner: Option<String>,
    /// Where the lead came from.
    pub source: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
}

impl Fields {
    /// The stage, or the default `lead`.
    pub fn stage(&self) -> &str {
        self.stage.as_deref().unwrap_or("lead")
    }

    /// Do not contact, absent meaning no.
    pub fn dnc(&self) -> Dnc {
        self.dnc.unwrap_or(Dnc::No)
    }
}

/// A problem found in the front matter: code, 1-based line and column of the file, message.
type FieldProblem = (Code, usize, usize, String);

/// The front matter read: the typed fields (when usable), every key with its
/// value and line, and the problems found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    /// The fields, `None` when a problem makes them unusable.
    pub fields: Option<Fields>,
    /// Every key in file order, with its value and 1-based line.
    pub pairs: Vec<(String, Yaml, usize)>,
    /// Problems, at the file's lines.
    pub problems: Vec<FieldProblem>,
}

/// The most bytes of front matter read (SPEC section 10).
const MAX_BYTES: usize = 256 * 1024;

/// Read the YAML between the fences; `first_line` is the file line the YAML starts on.
pub fn read(yaml_text: &str, first_line: usize) -> FrontMatter {
    // What the fast reader takes is at most a list in a mapping, two levels
    // deep: only its size needs a look here, and the full reader looks at
    // the nesting of the rest.
    if yaml_text.len() > MAX_BYTES {
        return read_any(yaml_text, first_line);
    }
    match yaml::parse_flat(yaml_text) {
        Some(pairs) => typed(
            pairs
                .into_iter()
                .map(|(key, value, index)| {
                    let value = as_written(&key, value, || yaml_text.lines().nth(index));
                    (key, value, first_line + index)
                })
                .collect(),
        ),
        None => read_any(yaml_text, first_line),
    }
}

/// The value of `key` as a text key keeps it: a number or a boolean that
/// YAML read from a plain scalar is the text it was written as, taken
/// from the key's line (`phone: +15551234` is `+15551234`, not the number
/// 15551234; `source: 0x1F` is not 31). Only when that text, read alone,
/// is the value YAML read: a value on a line of its own, or inside a flow
/// mapping, is as YAML read it, as is the value of any other key.
fn as_written<'t>(key: &str, value: Yaml, line: impl FnOnce() -> Option<&'t str>) -> Yaml {
    // Most values are strings: the table is looked at for the others.
    let text_key = || {
        schema::KEYS
            .iter()
            .any(|k| k.name == key && matches!(k.kind, schema::Kind::Text | schema::Kind::Name))
    };
    if !matches!(value, Yaml::Int(_) | Yaml::Float(_) | Yaml::Bool(_)) || !text_key() {
        return value;
    }
    let written = line()
        .and_then(keys::value_and_comment)
        .map(|(_, written, _)| written);
    match written {
        Some(text) if yaml::read_scalar(text).is_some_and(|alone| alone == value) => {
            Yaml::Str(text.to_owned())
        }
        _ => value,
    }
}

/// [`read`] through the YAML library alone, whatever the shape.
pub fn read_any(yaml_text: &str, first_line: usize) -> FrontMatter {
    if let Some(refused) = out_of_bounds(yaml_text, first_line) {
        return refused;
    }
    let pairs = match yaml::parse(yaml_text) {
        Ok(Yaml::Map(pairs)) => pairs,
        Ok(Yaml::Null) => Vec::new(),
        Ok(other) => {
            return problem(
                Code::FrontMatter,
                first_line,
                1,
                format!(
                    "front matter must be `key: value` lines, found {}",
                    other.kind()
                ),
            );
        }
        Err(err) => {
            return problem(
                Code::FrontMatter,
                first_line + err.line - 1,
                err.column,
                format!("front matter is not valid YAML: {}", err.message),
            );
        }
    };
    let lines = keys::scan(text::lines_with_endings(yaml_text));
    let first_lines = keys::first_lines(&lines);
    typed(
        pairs
            .into_iter()
            .map(|(key, value)| {
                let key = key.scalar_text().unwrap_or_default();
                let index = first_lines.get(key.as_str()).copied();
                let value = as_written(&key, value, || yaml_text.lines().nth(index?));
                (
                    key,
                    value,
                    index.map_or(first_line, |index| first_line + index),
                )
            })
            .collect(),
    )
}

/// A `front-matter` problem for YAML larger than [`MAX_BYTES`], found
/// before the YAML library sees it. (Nesting deeper than
/// [`yaml::MAX_DEPTH`] is refused by [`yaml::parse`] itself, for every
/// caller.)
fn out_of_bounds(yaml_text: &str, first_line: usize) -> Option<FrontMatter> {
    (yaml_text.len() > MAX_BYTES).then(|| {
        problem(
            Code::FrontMatter,
            first_line,
            1,
            format!(
                "the front matter is {} KiB, more than the {} KiB a prospect's may be",
                yaml_text.len().div_ceil(1024),
                MAX_BYTES / 1024
            ),
        )
    })
}

fn problem(code: Code, line: usize, column: usize, message: String) -> FrontMatter {
    FrontMatter {
        problems: vec![(code, line, column, message)],
        ..FrontMatter::default()
    }
}

/// The fields of the front matter's keys, each with its value and file line.
fn typed(pairs: Vec<(String, Yaml, usize)>) -> FrontMatter {
    let mut out = FrontMatter {
        pairs: Vec::with_capacity(pairs.len()),
        ..FrontMatter::default()
    };
    let mut fields = Fields::default();
    let mut has_name = false;
    for (key, value, line) in pairs {
        // A name of the wrong kind (`name: ""`, `name: [a]`) is a bad
        // field, not a missing name as well.
        has_name |= key == "name" && value != Yaml::Null;
        if let Err(message) = read_field(&mut fields, &key, &value) {
            out.problems.push((Code::BadField, line, 1, message));
        }
        out.pairs.push((key, value, line));
    }
    if !has_name {
        out.problems.push((
            Code::MissingName,
            1,
            1,
            "no `name` in the front matter".into(),
        ));
    }
    if out.problems.is_empty() {
        out.fields = Some(fields);
    }
    out
}

/// Store one key's value in `fields`; a null value (as if absent) and a
/// key of the user's own store nothing.
fn read_field(fields: &mut Fields, key: &str, value: &Yaml) -> Result<(), String> {
    if *value == Yaml::Null {
        return Ok(());
    }
    match key {
        "name" => {
            let name = text_of(key, value)?;
            if name.trim().is_empty() {
                return Err("`name` is empty".into());
            }
            fields.name = name;
        }
        "stage" => match value {
            Yaml::Str(s) => fields.stage = Some(s.clone()),
            other => {
                return Err(format!(
                    "`stage` must be a stage name, found {}",
                    other.kind()
                ))
            }
        },
        "value" => fields.value = Some(number(value)?),
        "currency" => fields.currency = Some(text_of(key, value)?),
        "next" => fields.next = Some(date_of(key, value)?),
        "added" => fields.added = Some(date_of(key, value)?),
        "dnc" => {
            fields.dnc = Some(match value {
                Yaml::Bool(true) => Dnc::Yes,
                Yaml::Bool(false) => Dnc::No,
                Yaml::Str(s) => Dnc::Since(date::parse_iso(s).ok_or_else(|| {
                    format!("`dnc` must be true, false or a date YYYY-MM-DD, found `{s}`")
                })?),
                other => {
                    return Err(format!(
                        "`dnc` must be true, false or a date, found {}",
                        other.kind()
                    ))
                }
            })
        }
        "reason" => fields.reason = Some(text_of(key, value)?),
        "cadence" => fields.cadence = Some(Cadence::read(value)?),
        "company" => fields.company = Some(text_of(key, value)?),
        "contact" => fields.contact = Some(text_of(key, value)?),
        "email" => fields.email = Some(text_of(key, value)?),
        "phone" => fields.phone = Some(text_of(key, value)?),
        "owner" => fields.owner = Some(text_of(key, value)?),
        "source" => fields.source = Some(text_of(key, value)?),
        "tags" => fields.tags = value.texts(key)?,
        _ => {}
    }
    Ok(())
}

/// A text field: any scalar, as written (`phone: 5550100` is text too).
fn text_of(key: &str, value: &Yaml) -> Result<String, String> {
    value
        .scalar_text()
        .ok_or_else(|| format!("`{key}` must be text, found {}", value.kind()))
}

fn number(value: &Yaml) -> Result<f64, String> {
    let n = match value {
        Yaml::Int(i) => *i as f64,
        Yaml::Float(f) => *f,
        Yaml::Str(s) => return Err(format!("`value` must be a number ≥ 0, found `{s}`")),
        other => {
            return Err(format!(
                "`value` must be a number ≥ 0, found {}",
                other.kind()
            ))
        }
    };
    if n.is_finite() && n >= 0.0 {
        Ok(n)
    } else {
        Err(format!("`value` must be a number ≥ 0, found {n}"))
    }
}

fn date_of(key: &str, value: &Yaml) -> Result<Date, String> {
    match value {
        Yaml::Str(s) => date::parse_iso(s)
            .ok_or_else(|| format!("`{key}` must be a date YYYY-MM-DD, found `{s}`")),
        other => Err(format!(
            "`{key}` must be a date YYYY-MM-DD, found {}",
            other.kind()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_problem(yaml: &str) -> Option<(Code, usize, String)> {
        let read = read(yaml, 2);
        read.problems
            .first()
            .map(|(code, line, _, m)| (*code, *line, m.clone()))
    }

    /// Deep or large front matter is refused before the YAML library reads
    /// it (200,000 `[` took it 89 s); 64 levels are still read.
    #[test]
    fn nesting_and_size_are_bounded() {
        let flow = |n: usize| format!("name: A\nx: {}{}\n", "[".repeat(n), "]".repeat(n));
        let block = |n: usize| {
            let mut text = String::from("name: A\n");
            for level in 0..n {
                text.push_str(&format!("{}k{level}:\n", " ".repeat(level)));
            }
            text
        };
        assert_eq!(first_problem(&flow(63)), None);
        assert_eq!(first_problem(&block(63)), None);
        for deep in [
            flow(64),
            block(65),
            format!("x: {}", "[".repeat(200_000)),
            "- ".repeat(65),
        ] {
            let (code, _, message) = first_problem(&deep).expect("refused");
            assert_eq!(code, Code::FrontMatter);
            assert!(message.contains("levels deep"), "{message}");
        }
        let (code, line, message) = first_problem(&flow(100).replace("x:", "\n\ny:")).unwrap();
        assert_eq!((code, line), (Code::FrontMatter, 5));
        assert!(message.contains("101 levels"), "{message}");
        let big = format!("name: A\nnotes: '{}'\n", "é".repeat(MAX_BYTES / 2));
        let (code, _, message) = first_problem(&big).expect("refused");
        assert_eq!(code, Code::FrontMatter);
        assert!(message.contains("more than the 256 KiB"), "{message}");
    }

    #[test]
    fn fences() {
        // (text, has a fence, closed: (yaml, body))
        type Case<'a> = (&'a str, bool, Option<(&'a str, &'a str)>);
        let cases: [Case; 9] = [
            (
                "---\nname: A\n---\nbody\n",
                true,
                Some(("name: A\n", "body\n")),
            ),
            (
                "\u{feff}---\r\nname: A\r\n---\r\nbody",
                true,
                Some(("name: A\r\n", "body")),
            ),
            ("---\nname: A\n...\n", true, Some(("name: A\n", ""))),
            (
                "---\nname: A\n---   \nx\n---\ny\n",
                true,
                Some(("name: A\n", "x\n---\ny\n")),
            ),
            ("---\n---\n", true, Some(("", ""))),
            ("---\nname: A\n\n# never closed\n", true, None),
            ("--- \nname: A\n---\n", false, None),
            ("# Title\n---\n", false, None),
            ("", false, None),
        ];
        for (text, fenced, closed) in cases {
            assert_eq!(has_fence(text.as_bytes()), fenced, "{text:?}");
            if !fenced {
                continue;
            }
            let got = split(text);
            assert_eq!(got.as_ref().map(|s| (s.yaml, s.body)), closed, "{text:?}");
            if let Some(s) = got {
                // The offsets point at the pieces.
                assert_eq!(text.get(..s.yaml_start), Some(s.head), "{text:?}");
                assert_eq!(text.get(s.yaml_start..s.close_start), Some(s.yaml));
                assert_eq!(text.get(s.close_start..s.body_start), Some(s.close));
                assert_eq!(text.get(s.body_start..), Some(s.body));
            }
        }
    }

    fn codes(yaml: &str) -> Vec<(Code, usize)> {
        read(yaml, 2)
            .problems
            .into_iter()
            .map(|(c, l, _, _)| (c, l))
            .collect()
    }

    #[test]
    fn field_problems_and_their_lines() {
        let cases: [(&str, Vec<(Code, usize)>); 13] = [
            ("name: A\nvalue: 12000\n", vec![]),
            ("name: A\nvalue: 12k\n", vec![(Code::BadField, 3)]),
            ("name: A\nvalue: -5\n", vec![(Code::BadField, 3)]),
            ("name: A\nnext: soon\n", vec![(Code::BadField, 3)]),
            ("name: A\nnext: 2026-02-30\n", vec![(Code::BadField, 3)]),
            ("stage: lead\n", vec![(Code::MissingName, 1)]),
            ("name:\n", vec![(Code::MissingName, 1)]),
            ("name: \"\"\n", vec![(Code::BadField, 2)]),
            ("name: [a, b]\n", vec![(Code::BadField, 2)]),
            ("name: A\nstage: [lead\n", vec![(Code::FrontMatter, 3)]),
            ("- a\n- b\n", vec![(Code::FrontMatter, 2)]),
            (
                "name: A\ncadence: [2d email, soon]\ndnc: maybe\n",
                vec![(Code::BadField, 3), (Code::BadField, 4)],
            ),
            (
                "name: A\n# a comment\nmine: {any: thing}\ntags: solo\n",
                vec![],
            ),
        ];
        for (yaml, want) in cases {
            let got = codes(yaml);
            let got_no_col: Vec<(Code, usize)> = got.clone();
            if want.first().is_some_and(|w| w.0 == Code::FrontMatter) {
                assert_eq!(
                    got_no_col.iter().map(|g| g.0).collect::<Vec<_>>(),
                    vec![Code::FrontMatter],
                    "{yaml}"
                );
                assert!(got_no_col[0].1 >= want[0].1, "{yaml}: {got:?}");
            } else {
                assert_eq!(got_no_col, want, "{yaml}");
            }
        }
    }

    /// A cadence of one step and a single tag may be written alone, as
    /// in ledger.yaml.
    #[test]
    fn a_list_of_one_may_be_written_alone() {
        let f = read("name: A\ncadence: \"2d email\"\ntags: vip\n", 2)
            .fields
            .unwrap();
        assert_eq!(f.cadence, Some(Cadence::parse(["2d email"]).unwrap()));
        assert_eq!(f.tags, ["vip"]);
    }

    #[test]
    fn fields_are_typed() {
        let fm = read(
            "name: Acme\nstage: proposal\nvalue: 12000.5\nnext: '2026-11-28'\ndnc: 2026-11-10\ntags: [a, b]\nphone: 5550100\ncadence: [1w call, 2w]\n",
            2,
        );
        assert_eq!(fm.problems, []);
        let f = fm.fields.unwrap();
        assert_eq!(f.name, "Acme");
        assert_eq!(f.stage(), "proposal");
        assert_eq!(f.value, Some(12000.5));
        assert_eq!(f.next, date::parse_iso("2026-11-28"));
        assert_eq!(f.dnc(), Dnc::Since(date::parse_iso("2026-11-10").unwrap()));
        assert_eq!(f.tags, ["a", "b"]);
        assert_eq!(f.phone.as_deref(), Some("5550100"));
        assert_eq!(f.cadence.unwrap().steps().count(), 2);
        assert_eq!(
            fm.pairs.iter().map(|p| p.2).collect::<Vec<_>>(),
            [2, 3, 4, 5, 6, 7, 8, 9]
        );
    }

    /// A text key keeps what was written, where YAML would read a number
    /// or a boolean: a phone's `+`, a hex-looking code, `True`. Through
    /// the fast path and the YAML library alike.
    #[test]
    fn a_text_key_keeps_its_value_as_written() {
        let text = "name: 1984\nphone: +15551234   # mobile\nemail: 1e3\nowner: True\n\
                    source: 0x1F\ncontact: 007\ncompany: 12.50\nvalue: 0x10\nmine: +1\n";
        let deep = format!("{text}deep: {{a: [1, {{b: 2}}]}}\n");
        let tabbed = text.replace("   # mobile", "\t# mobile # old");
        for read in [
            read(text, 2),
            read_any(text, 2),
            read(&deep, 2),
            read_any(&tabbed, 2),
        ] {
            assert_eq!(read.problems, []);
            let f = read.fields.unwrap();
            assert_eq!(f.name, "1984");
            assert_eq!(f.phone.as_deref(), Some("+15551234"));
            assert_eq!(f.email.as_deref(), Some("1e3"));
            assert_eq!(f.owner.as_deref(), Some("True"));
            assert_eq!(f.source.as_deref(), Some("0x1F"));
            assert_eq!(f.contact.as_deref(), Some("007"));
            assert_eq!(f.company.as_deref(), Some("12.50"));
            // A number key and a key of the user's own: as YAML reads them.
            assert_eq!(f.value, Some(16.0));
            let mine = read.pairs.iter().find(|p| p.0 == "mine").map(|p| &p.1);
            assert_eq!(mine, Some(&Yaml::Int(1)));
        }
        // Where the line holds more than the value (JSON, a flow mapping,
        // a value on the next line), the value is as YAML read it.
        let cases = [
            (
                "{\"name\": \"A\",\n\"phone\": 15551234,\n\"owner\": 5}\n",
                "15551234",
            ),
            ("{name: A, phone:\n +15551234}\n", "15551234"),
            ("name: A\nphone:\n  +15551234\n", "15551234"),
            ("name: A\nphone: 1\rowner: 2\n", "1"),
        ];
        for (text, phone) in cases {
            let read = read_any(text, 2);
            assert_eq!(read.problems, [], "{text:?}");
            assert_eq!(
                read.fields.unwrap().phone.as_deref(),
                Some(phone),
                "{text:?}"
            );
        }
    }

    /// The usual front matter is read without the YAML library.
    #[test]
    fn the_usual_shape_takes_the_fast_path() {
        let text = "name: Acme Corp\ncontact: Jane Doe\nphone: \"+1 555 0100\"\nstage: proposal\nvalue: 12000\ntags: [saas, referral]\nnext: 2026-12-01  # they asked\nowner: 'sam'\n\n# a comment\nadded:\n";
        let pairs = yaml::parse_flat(text).expect("flat");
        assert_eq!(pairs.len(), 9);
        assert_eq!(read(text, 2), read_any(text, 2));
    }

    mod agree {
        use super::super::*;
        use proptest::prelude::*;

        const KEYS: &[&str] = &[
            "name", "stage", "value", "next", "tags", "dnc", "cadence", "phone", "x-y", "_k",
            "true", "Null", "a b", " name", "name", "Name", "k1",
        ];
        const SEPARATORS: &[&str] = &[": ", ":", ":  ", ": \t", " : ", ":\t"];
        const VALUES: &[&str] = &[
            "Acme",
            "Acme Corp",
            "Acme, Inc.",
            "12000",
            "012",
            "-5",
            "-0",
            "0",
            "1e3",
            "12.5",
            ".inf",
            "-.inf",
            ".nan",
            "~",
            "null",
            "NULL",
            "nULL",
            "True",
            "TRUE",
            "tRUE",
            "yes",
            "no",
            "on",
            "off",
            "y",
            "n",
            "2026-11-28",
            "2026-13-45",
            "2026-1-2",
            "'quoted'",
            "'it''s'",
            "''",
            "\"dq\"",
            "\"a\\nb\"",
            "\"\"",
            "[a, b]",
            "[]",
            "[ ]",
            "[a, [b]]",
            "[1, 2]",
            "[a,b ,c]",
            "[a, ]",
            "[, a]",
            "[a, 'b']",
            "[true, null, ~]",
            "[a] # c",
            "Foo # c",
            "Foo#c",
            "Foo  #c",
            "a: b",
            "a:b",
            "Note:",
            "C#",
            "&anchor x",
            "*alias",
            "!tag x",
            "|",
            ">",
            "- x",
            "-x",
            "@x",
            "`x`",
            "%x",
            "Ørsted",
            "\u{85}x",
            "x\u{2028}y",
            "\u{feff}x",
            "\"a\" # c",
            "'a'b",
            "\"a\" x",
            "[a] b",
            "{a: 1}",
            "",
            "# only comment",
            "+5",
            "0x1F",
            "0o7",
            "1_000",
            "inf",
            "nan",
            "NaN",
            "infinity",
            ".5",
            "5.",
            "1.5e3",
            "999999999999999999",
            "9999999999999999999",
            "-",
            "?",
            ":x",
            "?x",
            "x ",
            "a,b",
            "2d email",
            "1w call",
            "12k",
            "5550100",
            "a \"b\"",
            "a 'b'",
            "[a,",
            "]",
            "a]",
            "[\"x\"]",
            "[a:b]",
            "[a b]",
            "[-1, +1]",
            "[2026-11-28]",
            "[2026-11-28, x]",
            "tab\there",
        ];
        const OTHER_LINES: &[&str] = &[
            "",
            "# comment",
            "  indented: x",
            "- item",
            "  - a",
            "   ",
            "---",
            "...",
            "%YAML 1.2",
            "? key",
            "key",
            ":",
            "name: a\rb",
        ];

        fn line() -> impl Strategy<Value = String> {
            prop_oneof![
                4 => (
                    prop::sample::select(KEYS),
                    prop::sample::select(SEPARATORS),
                    prop::sample::select(VALUES),
                )
                    .prop_map(|(k, s, v)| format!("{k}{s}{v}")),
                1 => prop::sample::select(OTHER_LINES).prop_map(str::to_owned),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]
            /// Wherever the fast path answers, it answers what the YAML
            /// library would: the same keys, values, lines and problems.
            #[test]
            fn fast_and_full_readers_agree(
                lines in prop::collection::vec(line(), 0..7),
                crlf in any::<bool>(),
                final_newline in any::<bool>(),
            ) {
                let text = crate::format::text::joined(&lines, crlf, final_newline);
                // Compared as text: NaN is not equal to itself.
                prop_assert_eq!(
                    format!("{:?}", read(&text, 2)),
                    format!("{:?}", read_any(&text, 2)),
                    "{:?}",
                    text
                );
            }
        }
    }
}
