//! The one place that speaks YAML. Front matter and `ledger.yaml` are parsed
//! here into [`Yaml`], the crate's own tree, so that the YAML library can be
//! swapped without touching anything else.

use serde_yaml::Value;

/// A parsed YAML value, in the crate's own terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Yaml {
    /// `~`, `null`, or nothing at all.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// Any other number.
    Float(f64),
    /// A string, quoted or plain.
    Str(String),
    /// A sequence.
    List(Vec<Yaml>),
    /// A mapping, in the file's key order.
    Map(Vec<(Yaml, Yaml)>),
}

/// Why a YAML text could not be read, at a 1-based line and column of that text.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    /// 1-based line within the parsed text.
    pub line: usize,
    /// 1-based column within the parsed text.
    pub column: usize,
    /// What went wrong, without any position (the caller adds the file's own).
    pub message: String,
}

/// Parse one YAML document.
pub fn parse(text: &str) -> Result<Yaml, YamlError> {
    // The library's time on deep nesting grows faster than the text: what
    // nests deeper than anyone writes is refused first, in one pass.
    let (line, depth) = deepest(text);
    if depth > MAX_DEPTH {
        return Err(YamlError {
            line: line + 1,
            column: 1,
            message: format!("it nests {depth} levels deep, more than {MAX_DEPTH}"),
        });
    }
    match serde_yaml::from_str::<Yaml>(text) {
        Ok(value) => Ok(value),
        Err(err) => {
            let message = strip_positions(&err.to_string());
            // Some errors come placed at the document's start, whatever
            // line they are about.
            // A repeated key comes placed at the start of its mapping: the
            // line of the repetition is the one to fix.
            let at = err.location().map(|at| (at.line(), at.column()));
            let (line, column) = match (place_of_repeated(text, &message, at), err.location()) {
                (Some(place), _) => place,
                (None, Some(at)) if (at.line(), at.column()) != (1, 1) => (at.line(), at.column()),
                _ => place_of_unplaced(text, &message),
            };
            Err(YamlError {
                line,
                column,
                message: message
                    .split_once(" at position ")
                    .map_or(message.as_str(), |(what, _)| what)
                    .to_owned(),
            })
        }
    }
}

/// The deepest nesting of collections read (SPEC section 10).
pub const MAX_DEPTH: usize = 64;

/// How deep `yaml`'s collections nest at most, and on which line (0-based),
/// counted generously in one pass: each level of indentation, each `- `
/// or `? ` that opens a collection on its line, and each `[` or `{` not
/// yet closed (quoted or not: a bracket in a string counts too, which can
/// only make the count larger).
fn deepest(yaml: &str) -> (usize, usize) {
    let mut indents: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    let (mut at, mut deepest) = (0, 0);
    for (i, line) in yaml.lines().enumerate() {
        let content = line.trim_start_matches(' ');
        let blank = content.is_empty() || content.starts_with('#');
        if flow == 0 && !blank {
            let indent = line.len() - content.len();
            while indents.last().is_some_and(|&open| open >= indent) {
                indents.pop();
            }
            indents.push(indent);
        }
        let mut rest = content;
        let mut markers = 0;
        while let Some(after) = rest.strip_prefix("- ").or_else(|| rest.strip_prefix("? ")) {
            markers += 1;
            rest = after.trim_start_matches(' ');
        }
        let mut line_flow = flow;
        for b in rest.bytes() {
            match b {
                b'[' | b'{' => {
                    flow += 1;
                    line_flow = line_flow.max(flow);
                }
                b']' | b'}' => flow = flow.saturating_sub(1),
                _ => {}
            }
        }
        let depth = indents.len() + markers + line_flow;
        if depth > deepest {
            (at, deepest) = (i, depth);
        }
    }
    (at, deepest)
}

/// The value of a scalar written alone (`+15551234`, `0x1F`), as YAML
/// reads it; `None` for text that is not one scalar.
pub fn read_scalar(text: &str) -> Option<Yaml> {
    let value = match plain_scalar(text) {
        Some(value) => value,
        None => parse(text).ok()?,
    };
    (!matches!(value, Yaml::List(_) | Yaml::Map(_))).then_some(value)
}

/// Read the common shape of front matter without the YAML library: one
/// `key: value` line per key, where each value is a plain or simply quoted
/// scalar or a flow list of plain scalars, with comments and blank lines
/// between. Each key comes with the 0-based index of its line.
///
/// `None` for anything else, and for any scalar whose type is not plain to
/// see; the caller then asks [`parse`], which reads all of YAML. Where this
/// answers, it answers what [`parse`] would (a property test holds it to that).
pub fn parse_flat(text: &str) -> Option<Vec<(String, Yaml, usize)>> {
    let mut pairs: Vec<(String, Yaml, usize)> = Vec::with_capacity(16);
    // The keys past the first few, to find a repeated one without looking
    // through all of them each time (thousands of keys stay linear).
    let mut many: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (index, line) in crate::format::text::lines_with_endings(text).enumerate() {
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.bytes().any(|b| b < 0x20 || b == 0x7f)
            || (!line.is_ascii() && line.chars().any(outside_flat_yaml))
        {
            return None;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, rest) = line.split_once(':')?;
        const FEW: usize = 16;
        let repeated = match pairs.get(..FEW) {
            Some(first) => first.iter().any(|(k, _, _)| k == key) || !many.insert(key),
            None => pairs.iter().any(|(k, _, _)| k == key),
        };
        if !is_plain_key(key) || repeated {
            return None;
        }
        let value = match rest {
            "" => Yaml::Null,
            rest => flat_value(rest.strip_prefix(' ')?.trim_start_matches(' '))?,
        };
        pairs.push((key.to_owned(), value, index));
    }
    Some(pairs)
}

/// A character beyond ASCII that the fast path leaves to the YAML library:
/// a C1 control or U+FFFE/U+FFFF (which YAML refuses in a stream), a line
/// break of YAML 1.1's own (NEL, U+2028, U+2029), or a byte-order mark.
fn outside_flat_yaml(c: char) -> bool {
    matches!(
        c,
        '\u{80}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
    )
}

fn is_plain_key(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !["null", "true", "false"]
            .iter()
            .any(|word| key.eq_ignore_ascii_case(word))
}

/// One value of [`parse_flat`], from just after `key: `.
fn flat_value(rest: &str) -> Option<Yaml> {
    let quoted = |quote: char| -> Option<(Yaml, &str)> {
        let (content, after) = rest.strip_prefix(quote)?.split_once(quote)?;
        let escaped = quote == '"' && content.contains('\\');
        let doubled = after.starts_with(quote);
        (!escaped && !doubled).then(|| (Yaml::Str(content.to_owned()), after))
    };
    let (value, after) = match rest.chars().next() {
        None | Some('#') => return Some(Yaml::Null),
        Some('"') => quoted('"')?,
        Some('\'') => quoted('\'')?,
        Some('[') => {
            let (inner, after) = rest.strip_prefix('[')?.split_once(']')?;
            let items = if inner.trim().is_empty() {
                Vec::new()
            } else {
                inner
                    .split(',')
                    .map(|item| {
                        let item = item.trim_matches(' ');
                        let plain = !item.is_empty()
                            && !item.contains(['[', ']', '{', '}', ':', '#', '"', '\'']);
                        plain.then(|| plain_scalar(item)).flatten()
                    })
                    .collect::<Option<Vec<Yaml>>>()?
            };
            (Yaml::List(items), after)
        }
        _ => {
            let before_comment = find_pair(rest, b' ', b'#').and_then(|end| rest.get(..end));
            let plain = before_comment.unwrap_or(rest).trim_end_matches(' ');
            if plain.is_empty() {
                return Some(Yaml::Null);
            }
            if find_pair(plain, b':', b' ').is_some() || plain.ends_with(':') {
                return None;
            }
            return plain_scalar(plain);
        }
    };
    let after_trimmed = after.trim_start_matches(' ');
    let ends = after_trimmed.is_empty()
        || (after_trimmed.starts_with('#') && after_trimmed.len() < after.len());
    ends.then_some(value)
}

/// Where the two bytes `a` `b` first stand side by side in `text` (a
/// value is a few dozen bytes: a plain loop beats a substring search).
fn find_pair(text: &str, a: u8, b: u8) -> Option<usize> {
    text.as_bytes().windows(2).position(|pair| pair == [a, b])
}

/// A plain scalar's value, when its type is plain to see: words are
/// strings (but for `null`, `true`, `false` and their spellings), whole
/// numbers without leading zeros are numbers, dates are strings.
fn plain_scalar(text: &str) -> Option<Yaml> {
    match text {
        "~" | "null" | "Null" | "NULL" => return Some(Yaml::Null),
        "true" | "True" | "TRUE" => return Some(Yaml::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Yaml::Bool(false)),
        _ => {}
    }
    let first = text.chars().next()?;
    if first.is_alphabetic() {
        return Some(Yaml::Str(text.to_owned()));
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    let whole = !digits.is_empty()
        && digits.len() <= 18
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if whole {
        return text.parse().ok().map(Yaml::Int);
    }
    let b = text.as_bytes();
    let date = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    date.then(|| Yaml::Str(text.to_owned()))
}

/// Read straight into [`Yaml`] rather than through the library's own
/// `Value`, which refuses a whole number past 64 bits (an account number
/// of 20 digits): such a number is a [`Yaml::Float`], as one past 128
/// bits already is. A tag (`!x value`) is read as its value; a repeated
/// key is the library's error, in its words.
impl<'de> serde::Deserialize<'de> for Yaml {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Yaml, D::Error> {
        deserializer.deserialize_any(Visitor)
    }
}

struct Visitor;

impl<'de> serde::de::Visitor<'de> for Visitor {
    type Value = Yaml;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E>(self) -> Result<Yaml, E> {
        Ok(Yaml::Null)
    }

    fn visit_none<E>(self) -> Result<Yaml, E> {
        Ok(Yaml::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Yaml, D::Error> {
        serde::Deserialize::deserialize(d)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Yaml, E> {
        Ok(Yaml::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Yaml, E> {
        Ok(Yaml::Int(n))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Yaml, E> {
        Ok(i64::try_from(n).map_or(Yaml::Float(n as f64), Yaml::Int))
    }

    fn visit_i128<E>(self, n: i128) -> Result<Yaml, E> {
        Ok(i64::try_from(n).map_or(Yaml::Float(n as f64), Yaml::Int))
    }

    fn visit_u128<E>(self, n: u128) -> Result<Yaml, E> {
        Ok(i64::try_from(n).map_or(Yaml::Float(n as f64), Yaml::Int))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Yaml, E> {
        Ok(Yaml::Float(n))
    }

    fn visit_str<E>(self, s: &str) -> Result<Yaml, E> {
        Ok(Yaml::Str(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Yaml, E> {
        Ok(Yaml::Str(s))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Yaml, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Yaml::List(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Yaml, A::Error> {
        let mut pairs: Vec<(Yaml, Yaml)> = Vec::new();
        // Each key as written out, to find a repeated one in one look.
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<Yaml>()? {
            if !seen.insert(format!("{key:?}")) {
                return Err(serde::de::Error::custom(duplicate(&key)));
            }
            let value = map.next_value()?;
            pairs.push((key, value));
        }
        Ok(Yaml::Map(pairs))
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, tagged: A) -> Result<Yaml, A::Error> {
        use serde::de::VariantAccess;
        let (_tag, value): (String, _) = tagged.variant()?;
        value.newtype_variant()
    }
}

/// What the YAML library says of a repeated key (which
/// [`place_of_unplaced`] finds the line of).
fn duplicate(key: &Yaml) -> String {
    match key {
        Yaml::Null => "duplicate entry with null key".to_owned(),
        Yaml::Bool(b) => format!("duplicate entry with key `{b}`"),
        Yaml::Int(n) => format!("duplicate entry with key {n}"),
        Yaml::Float(n) => format!("duplicate entry with key {n}"),
        Yaml::Str(s) => format!("duplicate entry with key {s:?}"),
        Yaml::List(_) | Yaml::Map(_) => "duplicate entry in YAML map".to_owned(),
    }
}

/// The library's messages embed positions relative to the snippet it was given
/// ("… at line 2 column 8"); the caller reports the file's real position instead.
/// Where in `text` an error the YAML library gave no line and column for
/// stands: a byte position it names (`… at position 35`); else the first
/// line.
fn place_of_unplaced(text: &str, message: &str) -> (usize, usize) {
    if let Some((_, position)) = message.rsplit_once(" at position ") {
        if let Ok(offset) = position.trim().parse::<usize>() {
            if text.is_char_boundary(offset.min(text.len())) {
                return crate::format::text::Cursor::new(text).locate(offset.min(text.len()));
            }
        }
    }
    (1, 1)
}

/// The second line of a repeated key that `message` names (`duplicate
/// entry with key "email"`, `… with key 7`, `` … `true` ``), in the block
/// mapping that starts at `mapping` (its first key's line and column, as
/// the library places the error; the top level when `None`): the first
/// line after that start where the key is written again at the mapping's
/// indentation. `None` when the message names no key, or it is not found
/// so (a flow mapping).
fn place_of_repeated(
    text: &str,
    message: &str,
    mapping: Option<(usize, usize)>,
) -> Option<(usize, usize)> {
    let (first_line, column) = mapping.unwrap_or((1, 1));
    // (Nested, the message starts with the mapping's path: `asks: …`.)
    let (_, named) = message.split_once("duplicate entry with key ")?;
    let key = named
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .or_else(|| {
            named
                .strip_prefix('`')
                .and_then(|rest| rest.strip_suffix('`'))
        })
        .unwrap_or(named);
    // The key as written: plain, or in double or single quotes, at the
    // mapping's indentation.
    let indent = " ".repeat(column.saturating_sub(1));
    let written = [key.to_owned(), format!("\"{key}\""), format!("'{key}'")];
    let at_key = |line: &&str| {
        let Some(rest) = line.strip_prefix(indent.as_str()) else {
            return false;
        };
        written.iter().any(|form| {
            rest.strip_prefix(form.as_str())
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
    };
    let skipped = first_line.saturating_sub(1);
    let lines = text.lines().enumerate().skip(skipped);
    let (i, _) = lines.filter(|(_, l)| at_key(l)).nth(1)?;
    Some((i + 1, column))
}

fn strip_positions(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some((before, after)) = rest.split_once(" at line ") {
        out.push_str(before);
        let digits = after.trim_start_matches(|c: char| c.is_ascii_digit());
        match digits.strip_prefix(" column ") {
            Some(col) if digits.len() < after.len() => {
                rest = col.trim_start_matches(|c: char| c.is_ascii_digit());
            }
            _ => {
                out.push_str(" at line ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

impl Yaml {
    /// The text of a scalar (string, number or bool), as a person wrote it.
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Yaml::Str(s) => Some(s.clone()),
            Yaml::Int(i) => Some(i.to_string()),
            Yaml::Float(f) => Some(f.to_string()),
            Yaml::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The texts of a list, as a prospect's front matter and `ledger.yaml`
    /// alike read every list (`key` names it in an error): each item a
    /// scalar, as written; one scalar alone is a list of that one
    /// (`tags: vip`); nothing is an empty list.
    pub fn texts(&self, key: &str) -> Result<Vec<String>, String> {
        match self {
            Yaml::List(items) => items
                .iter()
                .map(|item| {
                    item.scalar_text().ok_or_else(|| {
                        format!(
                            "`{key}` must be a list of strings, found {} in it",
                            item.kind()
                        )
                    })
                })
                .collect(),
            Yaml::Null => Ok(Vec::new()),
            other => other
                .scalar_text()
                .map(|text| vec![text])
                .ok_or_else(|| format!("`{key}` must be a list, found {}", other.kind())),
        }
    }

    /// A short name of the value's kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Yaml::Null => "nothing",
            Yaml::Bool(_) => "a boolean",
            Yaml::Int(_) | Yaml::Float(_) => "a number",
            Yaml::Str(_) => "a string",
            Yaml::List(_) => "a list",
            Yaml::Map(_) => "a mapping",
        }
    }

    /// The value as JSON, for `--json` output of the front matter.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Yaml::Null => J::Null,
            Yaml::Bool(b) => J::Bool(*b),
            Yaml::Int(i) => J::from(*i),
            Yaml::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Yaml::Str(s) => J::String(s.clone()),
            Yaml::List(items) => J::Array(items.iter().map(Yaml::to_json).collect()),
            Yaml::Map(pairs) => J::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (k.scalar_text().unwrap_or_default(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Render `text` as a YAML scalar for a `key: value` line, quoting only when
/// a plain scalar would be read back as something else.
pub fn scalar(text: &str) -> String {
    let rendered = serde_yaml::to_string(&Value::String(text.to_owned())).unwrap_or_default();
    let rendered = rendered.strip_suffix('\n').unwrap_or(&rendered);
    // Block scalars (multi-line strings) cannot sit on one line: use a JSON
    // string, which YAML reads as a double-quoted scalar.
    if rendered.contains('\n') {
        serde_json::to_string(text).unwrap_or_default()
    } else {
        rendered.to_owned()
    }
}

/// `text` as one item of a flow list (`[a, b]`): plain when that reads
/// back as the same one string, else a double-quoted string, so that an
/// item holding `,`, `]` or `#` stays one item.
pub fn flow_scalar(text: &str) -> String {
    let plain = scalar(text);
    let flow_safe = !plain.contains([',', '[', ']', '{', '}', '#', '"', '\'', ':']);
    if flow_safe && plain == text {
        plain
    } else {
        serde_json::to_string(text).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A whole number of any size is a number: past 64 bits a float, as
    /// serde_yaml's own `Value` refuses it ("invalid type: integer as u128").
    #[test]
    fn whole_numbers_of_any_size_are_numbers() {
        let cases = [
            ("9223372036854775807", Yaml::Int(i64::MAX)),
            ("-9223372036854775808", Yaml::Int(i64::MIN)),
            ("9223372036854775808", Yaml::Float(9223372036854775808.0)),
            ("18446744073709551616", Yaml::Float(18446744073709551616.0)),
            ("-9223372036854775809", Yaml::Float(-9223372036854775809.0)),
            (
                "12345678901234567890123",
                Yaml::Float(1.2345678901234568e22),
            ),
            (
                "1234567890123456789012345678901234567890123",
                Yaml::Float(1.2345678901234568e42),
            ),
            ("0x10", Yaml::Int(16)),
            (
                "!account 12345678901234567890123",
                Yaml::Float(1.2345678901234568e22),
            ),
        ];
        for (number, expected) in cases {
            let parsed = parse(&format!("account_no: {number}\n"));
            let pair = (Yaml::Str("account_no".into()), expected);
            assert_eq!(parsed, Ok(Yaml::Map(vec![pair])), "{number}");
        }
    }

    /// Read without the library's `Value`, a repeated key is still refused
    /// in its words, at the line it repeats on, whatever the key's kind.
    #[test]
    fn a_repeated_key_is_refused_at_its_second_line() {
        let cases = [
            (
                "name: a\nemail: x\nemail: y\n",
                3,
                "duplicate entry with key \"email\"",
            ),
            ("Имя: a\nИмя: b\n", 2, "duplicate entry with key \"Имя\""),
            (
                "owner: a\n\"owner\": b\n",
                2,
                "duplicate entry with key \"owner\"",
            ),
            (
                "'owner': a\nx: 1\nowner: b\n",
                3,
                "duplicate entry with key \"owner\"",
            ),
            ("1: a\n1: b\n", 2, "duplicate entry with key 1"),
            (
                "a: 1\ntrue: x\nb: 1\ntrue: y\n",
                4,
                "duplicate entry with key `true`",
            ),
            // The library places this one at the mapping's first key.
            (
                "# settings\n\ncurrency: USD\nstages: [a]\nx: 1\nstages: [b]\n",
                6,
                "duplicate entry with key \"stages\"",
            ),
            // In a nested mapping, where it repeats there, not in another.
            (
                "default: x\nasks:\n  proposal: a\n  default: b\n  proposal: c\n",
                5,
                "asks: duplicate entry with key \"proposal\"",
            ),
            ("~: a\nnull: b\n", 1, "duplicate entry with null key"),
        ];
        for (text, line, message) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!(
                (err.line, err.message.as_str()),
                (line, message),
                "{text:?}"
            );
        }
        assert!(parse("a: 1\nb: {a: 1}\n").is_ok());
    }

    #[test]
    fn parses_mappings_in_order() {
        let y = parse("b: 1\na: [x, 'y']\nc: 2.5\nd:\ne: true\n").unwrap();
        let Yaml::Map(pairs) = y else {
            panic!("not a map")
        };
        let keys: Vec<_> = pairs
            .iter()
            .map(|(k, _)| k.scalar_text().unwrap())
            .collect();
        assert_eq!(keys, ["b", "a", "c", "d", "e"]);
        assert_eq!(pairs[0].1, Yaml::Int(1));
        assert_eq!(
            pairs[1].1,
            Yaml::List(vec![Yaml::Str("x".into()), Yaml::Str("y".into())])
        );
        assert_eq!(pairs[2].1, Yaml::Float(2.5));
        assert_eq!(pairs[3].1, Yaml::Null);
        assert_eq!(pairs[4].1, Yaml::Bool(true));
    }

    #[test]
    fn dates_stay_strings() {
        let y = parse("next: 2026-11-28\n").unwrap();
        assert_eq!(
            y,
            Yaml::Map(vec![(
                Yaml::Str("next".into()),
                Yaml::Str("2026-11-28".into())
            )])
        );
    }

    /// Nesting deeper than anyone writes is refused before the library
    /// sees it (its time grows faster than the text), in `ledger.yaml`
    /// as in front matter; 64 levels are read.
    #[test]
    fn deep_nesting_is_refused_first() {
        let deep = format!(
            "a: 1\nstages: {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let err = parse(&deep).unwrap_err();
        assert_eq!(err.line, 2, "{err:?}");
        assert!(err.message.contains("levels deep, more than 64"), "{err:?}");
        let fine = format!("a: {}{}\n", "[".repeat(63), "]".repeat(63));
        assert!(parse(&fine).is_ok());
    }

    #[test]
    fn errors_have_positions_but_messages_do_not() {
        let err = parse("name: Broken\nstage: [lead\n").unwrap_err();
        assert!(err.line >= 2, "{err:?}");
        assert!(!err.message.contains("at line"), "{}", err.message);
        let err = parse("a: 1\na: 2\n").unwrap_err();
        assert!(err.message.contains("duplicate"), "{}", err.message);
    }

    #[test]
    fn strips_only_positions() {
        let cases = [
            (
                "bad at line 3 column 4, while x at line 1 column 2",
                "bad, while x",
            ),
            ("nothing to strip", "nothing to strip"),
            ("look at line endings", "look at line endings"),
        ];
        for (input, want) in cases {
            assert_eq!(strip_positions(input), want);
        }
    }

    /// A repeated key is found wherever it stands, among a few keys or
    /// thousands (which the fast reader leaves to serde_yaml to report).
    /// The errors serde_yaml gives without a line and column still name
    /// the line they are about.
    #[test]
    fn unplaced_errors_find_their_line() {
        let err = parse("name: A\nemail: a@x\nstage: lead\nemail: b@x\n").unwrap_err();
        assert_eq!(
            (err.line, err.message.as_str()),
            (4, "duplicate entry with key \"email\"")
        );
        let err = parse("name: A\nstage: lead\nx: \"\u{1}\"\n").unwrap_err();
        assert_eq!(err.line, 3, "{err:?}");
        assert!(!err.message.contains("position"), "{err:?}");
    }

    #[test]
    fn repeated_keys_among_many() {
        let keys = |n: usize| (0..n).map(|i| format!("k{i}: v\n")).collect::<String>();
        for n in [3, 16, 17, 40, 5000] {
            assert_eq!(parse_flat(&keys(n)).map(|p| p.len()), Some(n), "{n}");
            for repeated in [0, n / 2, n - 1] {
                let text = format!("{}k{repeated}: again\n", keys(n));
                assert_eq!(parse_flat(&text), None, "{n} keys, k{repeated} again");
            }
        }
    }

    #[test]
    fn flow_items_stay_one_string() {
        for item in [
            "saas",
            "a]",
            "b, c",
            "x # y",
            "{z}",
            "'q'",
            "\"d\"",
            "été 東京",
            "12",
            "yes",
            "k: v",
        ] {
            let list = format!("k: [{}, last]", flow_scalar(item));
            let back = parse(&list).unwrap();
            assert_eq!(
                back,
                Yaml::Map(vec![(
                    Yaml::Str("k".into()),
                    Yaml::List(vec![Yaml::Str(item.into()), Yaml::Str("last".into())])
                )]),
                "{item} as {list}"
            );
        }
    }

    #[test]
    fn scalars_quote_when_needed() {
        let cases = [
            ("Acme Corp", "Acme Corp"),
            ("sam", "sam"),
            ("12000", "'12000'"),
            ("yes: no", "'yes: no'"),
            ("", "''"),
        ];
        for (input, want) in cases {
            assert_eq!(scalar(input), want, "{input}");
            let back = parse(&format!("k: {}", scalar(input))).unwrap();
            assert_eq!(
                back,
                Yaml::Map(vec![(Yaml::Str("k".into()), Yaml::Str(input.into()))])
            );
        }
        let multi = scalar("two\nlines");
        assert!(!multi.contains('\n'));
        let back = parse(&format!("k: {multi}")).unwrap();
        assert_eq!(
            back,
            Yaml::Map(vec![(
                Yaml::Str("k".into()),
                Yaml::Str("two\nlines".into())
            )])
        );
    }
}
