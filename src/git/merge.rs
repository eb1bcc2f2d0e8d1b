//! The prospect merge (SPEC section 7): three versions of one prospect file,
//! base, ours and theirs, made into one.
//!
//! - The log is the union of both sides' entries, in date order: an entry on
//!   both sides appears once, and one deleted on one side and untouched on
//!   the other stays deleted.
//! - Each front-matter key merges on its own: a key changed on one side takes
//!   that side's lines; changed on both to the same value is fine; `next`
//!   changed on both takes the earlier date (a date beats a removal); any
//!   other key changed on both to different values is a clash.
//! - The rest of the text merges line by line as git does.
//!
//! It works by agreement: the merged front matter and the merged log are put
//! into both sides, so that what is left differing between them is the other
//! text, which git's line merge then settles. Lines nobody changed keep their
//! comments and formatting.

use std::collections::HashMap;
use std::fmt;

use crate::error::Result;
use crate::format::date::{self, Date};
use crate::format::edit;
use crate::format::entry;
use crate::format::front_matter;
use crate::format::keys::{self, KeyLines};
use crate::format::log;
use crate::format::text::{self, line_ending, trim_ending, MAX_FILE_BYTES, MAX_FILE_MIB};
use crate::git;

/// Three versions of a file made into one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// The merged text. Where something clashed it holds git-style conflict
    /// markers (`<<<<<<< ours`, `=======`, `>>>>>>> theirs`).
    pub text: String,
    /// What clashed, in file order. Empty when clean.
    pub clashes: Vec<Clash>,
}

impl Merged {
    /// Whether the merge needs no one's help.
    pub fn is_clean(&self) -> bool {
        self.clashes.is_empty()
    }
}

/// What clashed in a file: a part both sides changed differently.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Clash {
    /// A front-matter key, by name.
    Key(String),
    /// Lines outside the front-matter keys and the log.
    Text,
    /// The file is too large to merge on a side: it is not merged.
    TooLarge,
    /// A file git's line merge could not join: changed on both sides in
    /// the same lines (a file that is not a prospect), or not text.
    WholeFile,
    /// A file deleted on one side and changed on the other.
    Deleted,
}

impl fmt::Display for Clash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Clash::Key(key) => write!(f, "key `{key}`"),
            Clash::Text => f.write_str("lines outside the front matter and log"),
            Clash::TooLarge => write!(
                f,
                "the file, over {MAX_FILE_MIB} MiB on a side, which is not merged"
            ),
            Clash::WholeFile => {
                f.write_str("lines both sides changed differently (or a file that is not text)")
            }
            Clash::Deleted => {
                f.write_str("the whole file, deleted on one side and changed on the other")
            }
        }
    }
}

/// The markers of a clash, as git writes them.
const OURS: &str = "ours";
const THEIRS: &str = "theirs";

/// Merge three versions of a prospect file. `base` is `None` when both
/// sides added the file. A side without a closed front matter is not a
/// prospect: the texts then merge line by line only.
pub fn merge(base: Option<&str>, ours: &str, theirs: &str) -> Result<Merged> {
    if let Some(refused) = too_large(&[base.unwrap_or(""), ours, theirs], ours) {
        return Ok(refused);
    }
    // What changed on one side only (or the same on both) is taken as it
    // is, byte for byte, as git takes it.
    let clean = |text: &str| Merged {
        text: text.to_owned(),
        clashes: Vec::new(),
    };
    if ours == theirs || base == Some(theirs) {
        return Ok(clean(ours));
    }
    if base == Some(ours) {
        return Ok(clean(theirs));
    }
    let (Some(o), Some(t)) = (Version::read(ours), Version::read(theirs)) else {
        return merge_text(base.unwrap_or(""), ours, theirs);
    };
    let read_base = base.and_then(Version::read);
    let base_is_prospect = read_base.is_some();
    let b = read_base.unwrap_or_default();
    // A side that changed the file's line endings (an editor set to CRLF)
    // changed every line: that change is taken whole, as any change made
    // on one side is, rather than leaving the other side's lines as they
    // were beside it.
    let converted = base.and_then(|base| converted_ending(base, ours, theirs));
    let eol = converted.unwrap_or_else(|| line_ending(ours));

    let (front, mut clashes) = merge_front(&b, &o, &t, eol);
    let wanted = merge_log(&b.items, &o.items, &t.items);
    let log = render_log(&wanted, &o.items, &o, eol);

    let ours = o.with(&front, &log);
    let theirs = t.with(&front, &log);
    // The base takes them too, when it is a prospect: then the line merge
    // sees no change in the front matter and the log on either side, and
    // a section one side added next to the log is not taken for a clash
    // with the entries the other logged.
    let base = match base_is_prospect {
        true => b.with(&front, &log),
        false => base.unwrap_or("").to_owned(),
    };
    let (text, clean) = match converted {
        // The line merge then sees every side with one ending, and so
        // only the lines each side changed besides.
        Some(eol) => {
            let [base, ours, theirs] = [&base, &ours, &theirs].map(|t| with_endings(t, "\n"));
            let (text, clean) = git::merge_lines(&base, &ours, &theirs, [OURS, THEIRS])?;
            (with_endings(&text, eol), clean)
        }
        None => git::merge_lines(&base, &ours, &theirs, [OURS, THEIRS])?,
    };
    let key_clashes = clashes
        .iter()
        .filter(|c| matches!(c, Clash::Key(_)))
        .count();
    if !clean && conflicts_in(&text) != key_clashes && !clashes.contains(&Clash::Text) {
        clashes.push(Clash::Text);
    }
    // The line merge keeps what both sides agree on; make sure it did.
    if clean && clashes.is_empty() {
        let got: Vec<String> = Version::read(&text)
            .map(|v| v.items.into_iter().map(|i| i.id).collect())
            .unwrap_or_default();
        let want: Vec<String> = wanted.iter().map(|i| i.id.clone()).collect();
        if got != want {
            clashes.push(Clash::Text);
        }
    }
    Ok(Merged { text, clashes })
}

/// Merge texts line by line, as git does.
fn merge_text(base: &str, ours: &str, theirs: &str) -> Result<Merged> {
    if let Some(refused) = too_large(&[base, ours, theirs], ours) {
        return Ok(refused);
    }
    let (text, clean) = git::merge_lines(base, ours, theirs, [OURS, THEIRS])?;
    let clashes = if clean { vec![] } else { vec![Clash::Text] };
    Ok(Merged { text, clashes })
}

/// A file over [`MAX_FILE_BYTES`] on any side is not merged: it clashes,
/// and our side stays as it is.
fn too_large(sides: &[&str], ours: &str) -> Option<Merged> {
    sides
        .iter()
        .any(|side| side.len() as u64 > MAX_FILE_BYTES)
        .then(|| Merged {
            text: ours.to_owned(),
            clashes: vec![Clash::TooLarge],
        })
}

/// How many conflicts the line merge left in `text`: if no more than the
/// key clashes, it found nothing else.
fn conflicts_in(text: &str) -> usize {
    text.lines()
        .filter(|l| l.starts_with(&format!("<<<<<<< {OURS}")))
        .count()
}

/// One version of a prospect file, cut into its parts.
#[derive(Debug, Default)]
struct Version<'a> {
    /// What comes before the YAML: a byte-order mark and the opening fence.
    head: &'a str,
    /// The YAML's lines, endings kept.
    lines: Vec<&'a str>,
    keys: Vec<KeyLines>,
    /// The closing fence and the body up to the first log entry (the
    /// whole body when the log has none).
    above_log: &'a str,
    /// The log's entries, from the first one's bullet to the end of the last.
    log: &'a str,
    /// The rest of the body, after the last entry.
    below_log: &'a str,
    items: Vec<LogItem<'a>>,
    /// Whether entries are separated by blank lines.
    loose: bool,
}

impl<'a> Version<'a> {
    fn read(text: &'a str) -> Option<Version<'a>> {
        if !front_matter::has_fence(text.as_bytes()) {
            return None;
        }
        let split = front_matter::split(text)?;
        let lines: Vec<&str> = text::lines_with_endings(split.yaml).collect();
        let keys = keys::scan(lines.iter().copied());
        let body = split.body;
        let items = log::scan(body).items;
        let (above_log, log, below_log) = match (items.first(), items.last()) {
            (Some(first), Some(last)) => (
                text.get(split.close_start..split.body_start + first.start)?,
                body.get(first.start..last.end)?,
                body.get(last.end..)?,
            ),
            _ => (text.get(split.close_start..)?, "", ""),
        };
        Some(Version {
            head: split.head,
            lines,
            keys,
            above_log,
            log,
            below_log,
            items: log_items(body, &items)?,
            loose: items
                .iter()
                .zip(items.iter().skip(1))
                .any(|(item, next)| item.end < next.start),
        })
    }

    /// A key's lines, as written.
    fn block(&self, key: &str) -> Option<String> {
        let found = self.keys.iter().find(|k| k.key == key)?;
        Some(self.lines.get(found.first..found.end)?.concat())
    }

    /// The lines that belong to no key (comments, blank lines), normalized.
    fn skeleton(&self) -> Vec<&str> {
        let mut inside = vec![false; self.lines.len()];
        for k in &self.keys {
            let key_lines = inside.iter_mut().take(k.end).skip(k.first);
            key_lines.for_each(|b| *b = true);
        }
        self.lines
            .iter()
            .zip(inside)
            .filter(|(_, inside)| !inside)
            .map(|(line, _)| trim_ending(line).trim_end())
            .collect()
    }

    /// This version with its front matter's YAML replaced by `front` and its
    /// log entries by `log`.
    fn with(&self, front: &str, log: &str) -> String {
        let mut out = String::with_capacity(
            self.head.len() + front.len() + self.above_log.len() + log.len() + self.below_log.len(),
        );
        out.push_str(self.head);
        out.push_str(front);
        out.push_str(self.above_log);
        if self.items.is_empty() {
            if !log.is_empty() {
                // The front matter was just written closed: this cannot fail.
                out = edit::add_entries(&out, log).unwrap_or(out);
            }
        } else {
            out.push_str(log);
            out.push_str(self.below_log);
        }
        out
    }
}

/// The log's entries with the text each takes in `body`; `None` if an
/// item is not a place in it.
fn log_items<'a>(body: &'a str, items: &[log::Item<'a>]) -> Option<Vec<LogItem<'a>>> {
    let mut last_date = None;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            // An item runs to the next one, so that anything between
            // two entries stays with the one above it.
            let end = items.get(i + 1).map_or(item.end, |next| next.start);
            let date = entry::parse(item.text).ok().map(|p| p.date).or(last_date);
            last_date = date;
            Some(LogItem {
                id: identity_of_lines(item.text),
                date,
                chunk: body.get(item.start..end)?,
            })
        })
        .collect()
}

/// A value as a key holds it, for comparing: a one-line scalar without its
/// quotes, spacing or comment; anything else as its lines.
fn identity(block: &str) -> String {
    let lines: Vec<&str> = text::lines_with_endings(block)
        .map(|l| trim_ending(l).trim_end())
        .collect();
    if let [line] = lines.as_slice() {
        if let Some((_, value, _)) = keys::value_and_comment(line) {
            return unquote(value).to_owned();
        }
    }
    lines.join("\n")
}

fn identity_of_lines(text: &str) -> String {
    text.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

/// The line ending every line of `text` ends with, when all end alike (a
/// last line without one aside).
fn uniform_ending(text: &str) -> Option<&'static str> {
    let mut ending = None;
    for line in text::lines_with_endings(text) {
        let this = match line.strip_suffix('\n') {
            Some(bare) if bare.ends_with('\r') => "\r\n",
            Some(_) => "\n",
            None => continue,
        };
        if ending.is_some_and(|seen| seen != this) {
            return None;
        }
        ending = Some(this);
    }
    ending
}

/// The line ending one side changed the whole file to, when the other
/// side kept the base's.
fn converted_ending(base: &str, ours: &str, theirs: &str) -> Option<&'static str> {
    let before = uniform_ending(base)?;
    match (uniform_ending(ours)?, uniform_ending(theirs)?) {
        (o, t) if o == before && t != before => Some(t),
        (o, t) if t == before && o != before => Some(o),
        _ => None,
    }
}

/// `chunk` without the line break and the blank lines that end it. The
/// spaces that end its last line stay: they are the file's (two of them
/// are a Markdown line break), and a merge changes no byte it need not.
fn without_blank_end(chunk: &str) -> &str {
    let is_break = |c: char| c == '\n' || c == '\r';
    let mut rest = chunk;
    loop {
        let text = rest.trim_end_matches(is_break);
        let last = text.rfind(is_break).map_or(0, |at| at + 1);
        match (text.get(..last), text.get(last..)) {
            (Some(before), Some(line)) if line.trim().is_empty() && last > 0 => rest = before,
            (_, Some(line)) if line.trim().is_empty() => return "",
            _ => return text,
        }
    }
}

/// A text with its line endings made `eol`.
fn with_endings(text: &str, eol: &str) -> String {
    let lf = text.replace("\r\n", "\n");
    if eol == "\n" {
        lf
    } else {
        lf.replace('\n', eol)
    }
}

/// Merge the front matter key by key; the YAML text (with conflict markers
/// around clashing keys) and the clashing keys.
fn merge_front(b: &Version, o: &Version, t: &Version, eol: &str) -> (String, Vec<Clash>) {
    let mut names: Vec<&str> = o.keys.iter().map(|k| k.key.as_str()).collect();
    for k in &t.keys {
        if !names.contains(&k.key.as_str()) {
            names.push(&k.key);
        }
    }
    // Keys removed on both sides, or on one side and untouched on the
    // other, are simply not there: only keys still on a side can survive.
    let mut merged: HashMap<&str, Option<String>> = HashMap::new();
    let mut clashes = Vec::new();
    for name in &names {
        let (base, ours, theirs) = (b.block(name), o.block(name), t.block(name));
        let value = |block: &Option<String>| block.as_deref().map(identity);
        let (bv, ov, tv) = (value(&base), value(&ours), value(&theirs));
        let pick = if ov == tv {
            // The same value: take a side whose lines changed, ours first.
            if ours != base || theirs == base {
                ours
            } else {
                theirs
            }
        } else if ov == bv {
            theirs
        } else if tv == bv {
            ours
        } else if *name == "next" {
            match earlier(ov.as_deref(), tv.as_deref()) {
                Some(Side::Ours) => ours,
                Some(Side::Theirs) => theirs,
                None => {
                    clashes.push(Clash::Key((*name).to_owned()));
                    Some(conflict(ours.as_deref(), theirs.as_deref(), eol))
                }
            }
        } else {
            clashes.push(Clash::Key((*name).to_owned()));
            Some(conflict(ours.as_deref(), theirs.as_deref(), eol))
        };
        merged.insert(name, pick.map(|p| with_endings(&p, eol)));
    }

    // Lay the keys out as the side whose other lines (comments, blank
    // lines) changed, or ours; both changing them differently is a clash.
    let (bs, os, ts) = (b.skeleton(), o.skeleton(), t.skeleton());
    let layout = if ts == bs || os == ts {
        o
    } else if os == bs {
        t
    } else {
        clashes.push(Clash::Text);
        o
    };
    let mut out = String::new();
    let mut keys = layout.keys.iter().peekable();
    // The end of the last key's lines: those up to it are the key's.
    let mut key_end = 0;
    for (i, line) in layout.lines.iter().enumerate() {
        if let Some(k) = keys.next_if(|k| k.first == i) {
            if let Some(Some(block)) = merged.remove(k.key.as_str()) {
                out.push_str(&block);
            }
            key_end = k.end;
        } else if i >= key_end {
            out.push_str(&with_endings(line, eol));
        }
    }
    // Keys the layout does not have go last, as a new key does.
    for name in &names {
        if let Some(Some(block)) = merged.remove(name) {
            out.push_str(&block);
        }
    }
    (out, clashes)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Ours,
    Theirs,
}

/// Which `next` wins when both sides changed it: the earlier date; a date
/// over a removal. `None` when a value is not a date.
fn earlier(ours: Option<&str>, theirs: Option<&str>) -> Option<Side> {
    let day = |v: Option<&str>| -> Option<Option<Date>> {
        match v {
            None => Some(None),
            Some(v) => date::parse_iso(v).map(Some),
        }
    };
    match (day(ours)?, day(theirs)?) {
        (Some(o), Some(t)) if t < o => Some(Side::Theirs),
        (Some(_), _) => Some(Side::Ours),
        (None, Some(_)) => Some(Side::Theirs),
        (None, None) => Some(Side::Ours),
    }
}

/// Conflict markers around two sides' lines, as git writes them.
fn conflict(ours: Option<&str>, theirs: Option<&str>, eol: &str) -> String {
    let ended = |s: Option<&str>| {
        let s = s.unwrap_or("");
        if s.is_empty() || s.ends_with('\n') {
            s.to_owned()
        } else {
            format!("{s}{eol}")
        }
    };
    format!(
        "<<<<<<< {OURS}{eol}{}======={eol}{}>>>>>>> {THEIRS}{eol}",
        ended(ours),
        ended(theirs)
    )
}

/// A log entry in one version.
#[derive(Debug, Clone)]
struct LogItem<'a> {
    /// What makes two entries the same: the entry's text, trailing spaces
    /// and line endings aside.
    id: String,
    /// Its date (an entry that has none takes the one above it).
    date: Option<Date>,
    /// Its lines in the file, with whatever follows it up to the next entry.
    chunk: &'a str,
}

/// The merged log: each entry as many times as the union rule says, in date
/// order; on the same day ours come first, then theirs.
fn merge_log<'a>(bi: &[LogItem<'a>], oi: &[LogItem<'a>], ti: &[LogItem<'a>]) -> Vec<LogItem<'a>> {
    let count = |items: &[LogItem]| {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for item in items {
            *counts.entry(item.id.clone()).or_default() += 1;
        }
        counts
    };
    let (bc, oc, tc) = (count(bi), count(oi), count(ti));
    let get = |counts: &HashMap<String, usize>, id: &str| counts.get(id).copied().unwrap_or(0);
    let mut left: HashMap<String, usize> = HashMap::new();
    for id in oc.keys().chain(tc.keys()) {
        let (b, o, t) = (get(&bc, id), get(&oc, id), get(&tc, id));
        left.insert(id.clone(), union(b, o, t));
    }
    let mut out: Vec<LogItem> = Vec::new();
    for item in oi.iter().chain(ti) {
        if let Some(n) = left.get_mut(&item.id).filter(|n| **n > 0) {
            *n -= 1;
            out.push(item.clone());
        }
    }
    out.sort_by_key(|i| i.date);
    out
}

/// How many times an entry is in the merged log, given how many times it is
/// in the base, ours and theirs: a side that changed the count wins; both
/// changing it keeps the larger, so that nothing logged is lost.
pub fn union(base: usize, ours: usize, theirs: usize) -> usize {
    if ours == base {
        theirs
    } else if theirs == base {
        ours
    } else {
        ours.max(theirs)
    }
}

/// The merged entries as text: ours as it is when nothing else changed it,
/// else each entry's own lines, spaced as ours spaces them.
fn render_log(items: &[LogItem], ours: &[LogItem], o: &Version, eol: &str) -> String {
    let same_as_ours = ours.len() == items.len()
        && ours
            .iter()
            .zip(items)
            .all(|(a, b)| a.id == b.id && a.chunk == b.chunk);
    if same_as_ours && !items.is_empty() {
        return o.log.to_owned();
    }
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 && o.loose {
            out.push_str(eol);
        }
        let mut lines = with_endings(without_blank_end(item.chunk), eol);
        lines.push_str(eol);
        out.push_str(&lines);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(front: &str, log: &[&str]) -> String {
        let mut text = format!("---\n{front}---\n\n# Acme\n\nNotes.\n\n## Log\n\n");
        for entry in log {
            text.push_str(&format!("- {entry}\n"));
        }
        text
    }

    const FRONT: &str =
        "name: Acme\nstage: proposal  # since the call\nvalue: 12000\nnext: 2026-11-28\n";

    fn clean(base: &str, ours: &str, theirs: &str) -> String {
        let merged = merge(Some(base), ours, theirs).unwrap();
        assert!(merged.is_clean(), "{merged:#?}");
        merged.text
    }

    #[test]
    fn touches_on_both_sides_are_kept_in_date_order() {
        let base = file(FRONT, &["2026-11-02 call: a"]);
        let ours = file(FRONT, &["2026-11-02 call: a", "2026-11-20 email: ours"]);
        let theirs = file(FRONT, &["2026-11-02 call: a", "2026-11-10 call: theirs"]);
        let want = file(
            FRONT,
            &[
                "2026-11-02 call: a",
                "2026-11-10 call: theirs",
                "2026-11-20 email: ours",
            ],
        );
        assert_eq!(clean(&base, &ours, &theirs), want);
        assert_eq!(clean(&base, &theirs, &ours), want);
    }

    /// A section one side adds after the log, while the other logs a
    /// touch: only one side changed that text, so it merges.
    #[test]
    fn a_section_added_after_the_log_merges_with_a_touch() {
        let base = file(FRONT, &["2026-11-02 call: a"]);
        let ours = file(FRONT, &["2026-11-02 call: a", "2026-11-20 email: ours"]);
        let theirs = format!("{base}\n## Notes\n\nParking is at the back.\n");
        let want = format!("{ours}\n## Notes\n\nParking is at the back.\n");
        assert_eq!(clean(&base, &ours, &theirs), want);
        assert_eq!(clean(&base, &theirs, &ours), want);
    }

    #[test]
    fn the_same_entry_on_both_sides_is_there_once() {
        let base = file(FRONT, &["2026-11-02 call: a"]);
        let both = file(FRONT, &["2026-11-02 call: a", "2026-11-20 email: b"]);
        assert_eq!(clean(&base, &both, &both), both);
    }

    #[test]
    fn an_entry_deleted_on_one_side_stays_deleted() {
        let base = file(FRONT, &["2026-11-02 call: a", "2026-11-05 call: wrong"]);
        let ours = file(FRONT, &["2026-11-02 call: a"]);
        let theirs = file(
            FRONT,
            &[
                "2026-11-02 call: a",
                "2026-11-05 call: wrong",
                "2026-11-20 email: b",
            ],
        );
        let want = file(FRONT, &["2026-11-02 call: a", "2026-11-20 email: b"]);
        assert_eq!(clean(&base, &ours, &theirs), want);
    }

    #[test]
    fn keys_merge_one_by_one() {
        let base = file(FRONT, &[]);
        let ours = file(&FRONT.replace("value: 12000", "value: 15000"), &[]);
        let theirs = file(
            &FRONT
                .replace("proposal", "negotiation")
                .replace("next: 2026-11-28\n", ""),
            &[],
        );
        let want = file(
            "name: Acme\nstage: negotiation  # since the call\nvalue: 15000\n",
            &[],
        );
        assert_eq!(clean(&base, &ours, &theirs), want);
    }

    #[test]
    fn new_keys_from_both_sides_are_added() {
        let base = file(FRONT, &[]);
        let ours = file(&format!("{FRONT}owner: sam\n"), &[]);
        let theirs = file(&format!("{FRONT}phone: \"+1 555\"\n"), &[]);
        let want = file(&format!("{FRONT}owner: sam\nphone: \"+1 555\"\n"), &[]);
        assert_eq!(clean(&base, &ours, &theirs), want);
    }

    #[test]
    fn next_on_both_sides_takes_the_earlier_date() {
        let base = file(FRONT, &[]);
        let ours = file(&FRONT.replace("2026-11-28", "2026-12-05"), &[]);
        let theirs = file(&FRONT.replace("2026-11-28", "\"2026-12-01\""), &[]);
        assert_eq!(clean(&base, &ours, &theirs), theirs);
        assert_eq!(clean(&base, &theirs, &ours), theirs);
        let removed = file(&FRONT.replace("next: 2026-11-28\n", ""), &[]);
        assert_eq!(clean(&base, &removed, &ours), ours);
    }

    #[test]
    fn other_keys_changed_on_both_sides_clash() {
        let base = file(FRONT, &["2026-11-02 call: a"]);
        let ours = file(
            &FRONT.replace("proposal", "won"),
            &["2026-11-02 call: a", "2026-11-20 note: won"],
        );
        let theirs = file(
            &FRONT.replace("proposal", "lost"),
            &["2026-11-02 call: a", "2026-11-21 call: c"],
        );
        let merged = merge(Some(&base), &ours, &theirs).unwrap();
        assert_eq!(merged.clashes, [Clash::Key("stage".to_owned())]);
        assert!(merged.text.contains(
            "<<<<<<< ours\nstage: won  # since the call\n=======\nstage: lost  # since the call\n>>>>>>> theirs\n"
        ));
        assert!(merged
            .text
            .contains("- 2026-11-20 note: won\n- 2026-11-21 call: c\n"));
    }

    #[test]
    fn other_text_merges_by_line() {
        let base = file(FRONT, &["2026-11-02 call: a"]);
        let ours = base.replace("# Acme\n", "# Acme Corp\n");
        let theirs = file(FRONT, &["2026-11-02 call: a", "2026-11-20 call: b"])
            .replace("Notes.", "Notes, longer.");
        let want = file(FRONT, &["2026-11-02 call: a", "2026-11-20 call: b"])
            .replace("# Acme\n", "# Acme Corp\n")
            .replace("Notes.", "Notes, longer.");
        assert_eq!(clean(&base, &ours, &theirs), want);

        let clash = base.replace("Notes.", "Ours.");
        let other = base.replace("Notes.", "Theirs.");
        let merged = merge(Some(&base), &clash, &other).unwrap();
        assert_eq!(merged.clashes, [Clash::Text]);
    }

    #[test]
    fn keys_named_like_other_clashes_are_keys() {
        // A key named `text` clashing does not hide the other lines that
        // clash, nor is it reported as them.
        for key in ["text", "file"] {
            let front = format!("{FRONT}{key}: base\n");
            let base = file(&front, &[]);
            let ours = file(&front.replace(": base", ": ours"), &[]).replace("Notes.", "Ours.");
            let theirs =
                file(&front.replace(": base", ": theirs"), &[]).replace("Notes.", "Theirs.");
            let merged = merge(Some(&base), &ours, &theirs).unwrap();
            assert_eq!(
                merged.clashes,
                [Clash::Key(key.to_owned()), Clash::Text],
                "{key}"
            );
            assert_eq!(merged.clashes[0].to_string(), format!("key `{key}`"));
        }
    }

    #[test]
    fn a_log_started_on_both_sides() {
        let base = "---\nname: Acme\n---\n\n# Acme\n".to_owned();
        let ours = format!("{base}\n## Log\n\n- 2026-11-20 call: a\n");
        let theirs = format!("{base}\n## Log\n\n- 2026-11-21 email: b\n");
        assert_eq!(
            clean(&base, &ours, &theirs),
            format!("{base}\n## Log\n\n- 2026-11-20 call: a\n- 2026-11-21 email: b\n")
        );
    }

    #[test]
    fn added_on_both_sides() {
        let ours = file("name: Acme\nadded: 2026-11-20\n", &["2026-11-20 call: a"]);
        let theirs = file("name: Acme\nadded: 2026-11-20\n", &["2026-11-21 call: b"]);
        let merged = merge(None, &ours, &theirs).unwrap();
        assert!(merged.is_clean(), "{merged:#?}");
        assert_eq!(
            merged.text,
            file(
                "name: Acme\nadded: 2026-11-20\n",
                &["2026-11-20 call: a", "2026-11-21 call: b"]
            )
        );
    }

    #[test]
    fn continuation_lines_survive_and_a_conversion_of_line_endings_is_taken() {
        let crlf = |s: String| s.replace('\n', "\r\n");
        let base = crlf(file(FRONT, &["2026-11-02 call: a\n  more about a"]));
        let ours = crlf(file(
            FRONT,
            &["2026-11-02 call: a\n  more about a", "2026-11-22 call: c"],
        ));
        let theirs = file(
            FRONT,
            &["2026-11-02 call: a\n  more about a", "2026-11-10 email: b"],
        );
        let merged = merge(Some(&base), &ours, &theirs).unwrap();
        // Both kept CRLF: every line of the merge ends so.
        let theirs_crlf = crlf(theirs.clone());
        let kept = merge(Some(&base), &ours, &theirs_crlf).unwrap();
        assert!(kept.is_clean(), "{kept:#?}");
        assert!(kept.text.contains(
            "- 2026-11-02 call: a\r\n  more about a\r\n- 2026-11-10 email: b\r\n- 2026-11-22 call: c\r\n"
        ), "{kept:#?}");
        assert_eq!(
            kept.text.matches('\n').count(),
            kept.text.matches("\r\n").count()
        );
        // Theirs changed every line to LF, ours kept CRLF: the change is
        // taken, the continuation line with it.
        assert!(merged.is_clean(), "{merged:#?}");
        assert!(!merged.text.contains('\r'), "{merged:#?}");
        assert!(merged.text.contains(
            "- 2026-11-02 call: a\n  more about a\n- 2026-11-10 email: b\n- 2026-11-22 call: c\n"
        ), "{merged:#?}");
    }

    #[test]
    fn spaces_that_end_a_line_stay_as_they_were() {
        // Two spaces end a Markdown line with a break: neither side
        // touched these lines, and the merge keeps them, on their last
        // line too, and the blank line after an entry goes as before.
        let base = file(FRONT, &["2026-11-02 call: a  \n  more  "]);
        let ours = file(
            FRONT,
            &["2026-11-02 call: a  \n  more  ", "2026-11-22 call: c  "],
        );
        let theirs = file(
            FRONT,
            &["2026-11-02 call: a  \n  more  \n \t", "2026-11-10 email: b"],
        );
        let merged = clean(&base, &ours, &theirs);
        assert!(
            merged.ends_with(
                "- 2026-11-02 call: a  \n  more  \n- 2026-11-10 email: b\n- 2026-11-22 call: c  \n"
            ),
            "{merged:?}"
        );
        assert_eq!(without_blank_end("x  \r\n \r\n\r\n"), "x  ");
        assert_eq!(without_blank_end("x\r  \r"), "x");
        assert_eq!(without_blank_end(" \n\t\n"), "");
    }

    #[test]
    fn a_side_that_changed_every_line_ending_is_taken_whole() {
        let base = file(FRONT, &["2026-11-02 call: a"]);
        // Ours logs a touch and moves the stage; theirs logs another, in an
        // editor that wrote the file with CRLF.
        let ours = file(
            &FRONT.replace("stage: proposal", "stage: won"),
            &["2026-11-02 call: a", "2026-11-05 email: ours"],
        );
        let theirs =
            file(FRONT, &["2026-11-02 call: a", "2026-11-04 call: théirs ✓"]).replace('\n', "\r\n");
        let want = file(
            &FRONT.replace("stage: proposal", "stage: won"),
            &[
                "2026-11-02 call: a",
                "2026-11-04 call: théirs ✓",
                "2026-11-05 email: ours",
            ],
        )
        .replace('\n', "\r\n");
        assert_eq!(clean(&base, &ours, &theirs), want);
        assert_eq!(clean(&base, &theirs, &ours), want);
        // Ours edited a line of the notes too: that edit and the conversion
        // both come through, without a clash.
        let ours_notes = ours.replace("Notes.", "Notes, edited.");
        let want_notes = want.replace("Notes.", "Notes, edited.");
        assert_eq!(clean(&base, &ours_notes, &theirs), want_notes);
        assert_eq!(clean(&base, &theirs, &ours_notes), want_notes);
        // Mixed endings on one side are no conversion: ours' ending is used
        // for what the merge writes, as before.
        let mixed = theirs.replacen("\r\n", "\n", 1);
        let merged = clean(&base, &ours, &mixed);
        assert!(merged.contains("- 2026-11-05 email: ours\n"), "{merged:?}");
    }

    #[test]
    fn not_a_prospect_merges_as_text() {
        let merged = merge(Some("a\nb\nc\nd\n"), "a\nB\nc\nd\n", "a\nb\nc\nD\n").unwrap();
        assert_eq!(merged.text, "a\nB\nc\nD\n");
        assert!(merged.is_clean());
    }

    #[test]
    fn union_counts() {
        assert_eq!(union(0, 1, 1), 1);
        assert_eq!(union(1, 0, 1), 0);
        assert_eq!(union(1, 1, 0), 0);
        assert_eq!(union(0, 1, 0), 1);
        assert_eq!(union(0, 2, 1), 2);
        assert_eq!(union(1, 0, 2), 2);
    }

    #[test]
    fn entries_on_lines_ended_by_a_lone_carriage_return() {
        // Markdown ends a line at a lone `\r`, so the first entry's lines
        // run past the start of the second: the merge still keeps both.
        let base = file(FRONT, &["2026-11-02 call: é\r- 2026-11-03 call: 東"]);
        let ours = file(
            FRONT,
            &[
                "2026-11-02 call: é\r- 2026-11-03 call: 東",
                "2026-11-20 email: 🚀",
            ],
        );
        let theirs = file(
            FRONT,
            &[
                "2026-11-02 call: é\r- 2026-11-03 call: 東",
                "2026-11-21 call: €",
            ],
        );
        let merged = merge(Some(&base), &ours, &theirs).unwrap();
        assert!(
            merged
                .text
                .contains("- 2026-11-20 email: 🚀\n- 2026-11-21 call: €\n"),
            "{merged:#?}"
        );
    }
}
