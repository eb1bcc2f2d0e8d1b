//! Property tests: for generated prospect files, `touch` and `set` edits
//! change only the lines they mean to.

use ledger::format::date::parse_iso;
use ledger::format::edit;
use ledger::format::prospect::Prospect;
use ledger::format::yaml;
use proptest::prelude::*;

use crate::support::any_line;

/// A generated prospect file and what is known of it.
#[derive(Debug, Clone)]
struct File {
    text: String,
    eol: &'static str,
    stage_comment: String,
}

fn file() -> impl Strategy<Value = File> {
    let eol = prop_oneof![Just("\n"), Just("\r\n")];
    let bom = any::<bool>();
    let spaces = "[ ]{0,3}";
    let comment = prop_oneof![
        Just(String::new()),
        // A comment holds what YAML allows in a stream: no controls.
        any_line(12).prop_map(|c| format!("   # {}", yaml_printable(&c)))
    ];
    // Text from all of Unicode in the name, a key of the user's own, the
    // notes and each entry.
    let texts = (any_line(16), any_line(16), any_line(24));
    let entry_texts = prop::collection::vec(any_line(16), 6);
    // Distinct blocks (a key appears once), in a shuffled order.
    let blocks = vec![
        "x_key: some value".to_owned(),
        "# a comment line".to_owned(),
        String::new(),
        "notes: |\n  first line\n\n  second line".to_owned(),
        "list:\n  - a\n  - b".to_owned(),
        "quoted: \"a # not a comment\"  # a comment".to_owned(),
        "spaced:    value   ".to_owned(),
    ];
    let extra = prop::sample::subsequence(blocks, 0..=7).prop_shuffle();
    let entries = prop::collection::vec((1u32..28, prop::bool::ANY, prop::bool::ANY), 0..6);
    let log = prop_oneof![Just(0u8), Just(1u8), Just(2u8)]; // none, heading only, with entries
    let final_newline = any::<bool>();
    (
        (eol, bom, spaces, comment),
        extra,
        entries,
        log,
        final_newline,
        texts,
        entry_texts,
    )
        .prop_map(
            |(
                (eol, bom, spaces, comment),
                extra,
                entries,
                log,
                final_newline,
                (name, own, notes),
                entry_texts,
            )| {
                let mut lines: Vec<String> = vec![
                    "---".into(),
                    format!("name: {}", yaml::scalar(&format!("Gen {name}"))),
                    format!("stage:{spaces} lead{comment}"),
                ];
                for e in extra {
                    let e = e.replace("some value", &yaml::scalar(&own));
                    lines.extend(e.split('\n').map(str::to_owned));
                }
                lines.extend([
                    "---".into(),
                    String::new(),
                    "# Gen Co".into(),
                    String::new(),
                    format!("Notes --- with dashes: {notes}"),
                ]);
                if log > 0 {
                    lines.extend([String::new(), "## Log".into(), String::new()]);
                }
                if log == 2 {
                    for ((day, inbound, more), text) in entries.into_iter().zip(entry_texts) {
                        lines.push(format!(
                            "- 2026-11-{day:02} call{}: entry {day} {text}",
                            if inbound { " (in)" } else { "" }
                        ));
                        if more {
                            lines.push("  continued here".into());
                        }
                    }
                }
                let mut text = if bom {
                    "\u{feff}".to_owned()
                } else {
                    String::new()
                };
                text.push_str(&lines.join(eol));
                if final_newline {
                    text.push_str(eol);
                }
                File {
                    text,
                    eol,
                    stage_comment: comment,
                }
            },
        )
}

/// `text` without the characters YAML refuses in a stream (controls but
/// tab, the surrogates' neighbours, a byte-order mark) or reads as a line
/// break (NEL, U+2028, U+2029).
fn yaml_printable(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | ' '..='~' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
                && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
        })
        .collect()
}

fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// `new` is `old` with lines inserted at one place (and at most the old last
/// line gaining a line ending): every old line kept, in order.
fn only_inserted(old: &str, new: &str) -> Option<Vec<String>> {
    let (old, new) = (lines(old), lines(new));
    let same = |a: &str, b: &str| {
        a == b || (!a.ends_with('\n') && b.strip_suffix("\r\n").or(b.strip_suffix('\n')) == Some(a))
    };
    let prefix = old.iter().zip(&new).take_while(|(a, b)| same(a, b)).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    (prefix + suffix == old.len()).then(|| {
        new[prefix..new.len() - suffix]
            .iter()
            .map(|s| s.to_string())
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn touch_inserts_one_entry_and_nothing_else(f in file(), day in 1u32..29) {
        let date = parse_iso(&format!("2026-11-{day:02}")).unwrap();
        let line = format!("{} email: generated", date);
        let new = edit::add_entry(&f.text, &line, date).unwrap();
        let inserted = only_inserted(&f.text, &new).expect("every old line kept, in order");
        let entry = format!("- {line}{}", f.eol);
        prop_assert!(inserted.iter().filter(|l| l.trim_end() == entry.trim_end()).count() == 1, "{inserted:?}");
        // Line endings follow the file, and a missing final newline stays
        // missing, but in a file without a log (SPEC section 7): the entry
        // put last then ends without one.
        let ends_bare = |l: &String| !l.ends_with('\n') && new.ends_with(l.as_str());
        prop_assert!(inserted.iter().all(|l| l.ends_with(f.eol) || ends_bare(l)), "line endings follow the file: {inserted:?}");
        if f.text.contains("## Log") && !f.text.ends_with('\n') {
            prop_assert!(!new.ends_with('\n'), "{new:?}");
        }
        prop_assert!(inserted.iter().all(|l| l.trim_end() == entry.trim_end() || l == "## Log\n" || l == "## Log\r\n" || l.trim().is_empty()), "{inserted:?}");
        // The new entry is read back after the last entry dated on or before
        // it (logs may be out of order), or first when none is.
        let p = Prospect::parse("gen.md", &new);
        prop_assert!(p.problems.is_empty(), "{:?}", p.problems);
        let at = p.entries.iter().position(|e| e.text == "generated").expect("the entry is in the log");
        prop_assert!(p.entries[at + 1..].iter().all(|e| e.date > date));
        prop_assert!(at == 0 || p.entries[at - 1].date <= date);
    }

    #[test]
    fn set_changes_only_its_key(f in file(), value in "[a-z]{1,10}") {
        // An existing key: the one line changes, its comment kept.
        let new = edit::set_key(&f.text, "stage", Some(&value)).unwrap();
        let (old_lines, new_lines) = (lines(&f.text), lines(&new));
        prop_assert_eq!(old_lines.len(), new_lines.len());
        let changed: Vec<usize> = (0..old_lines.len()).filter(|&i| old_lines[i] != new_lines[i]).collect();
        prop_assert!(changed.len() <= 1);
        let stage_line = new_lines.iter().find(|l| l.starts_with("stage:")).unwrap();
        let bare = stage_line.strip_suffix(f.eol).unwrap_or(stage_line);
        prop_assert!(bare.ends_with(&format!(" {value}{}", f.stage_comment)), "{stage_line:?}");
        prop_assert!(stage_line.ends_with(f.eol));
        // A new key: one line inserted before the closing fence.
        let added = edit::set_key(&f.text, "owner", Some(&value)).unwrap();
        let inserted = only_inserted(&f.text, &added).unwrap();
        prop_assert_eq!(inserted, vec![format!("owner: {value}{}", f.eol)]);
        // Removing it again gives back the file byte for byte.
        prop_assert_eq!(edit::set_key(&added, "owner", None).unwrap(), f.text.clone());
    }
}
