//! Every input the fuzz targets in `fuzz/` (docs/fuzzing.md) or the
//! property tests found to break an invariant, kept here so that CI (which
//! runs no fuzzer) holds the fix.

use ledger::format::{date, edit, front_matter, yaml};
use ledger::git::merge;

/// merge: a file merged with itself comes back unchanged and clean, also
/// one with a NUL (which libgit2 takes for binary) or with a fence ended
/// by CRLF and the rest by LF.
#[test]
fn a_file_merged_with_itself_is_unchanged() {
    for (base, same) in [
        (Some("\0\n"), "\0\n"),
        (Some("\0---\r\n[---\r"), "---\r\n\n---"),
        (None, "---\r\n\n---"),
    ] {
        for base in [base, Some(same)] {
            let merged = merge::merge(base, same, same).unwrap();
            assert!(merged.is_clean(), "{same:?}: {:?}", merged.clashes);
            assert_eq!(merged.text, same);
        }
    }
    // One side changed, the other as the base: that side, as it is.
    let merged = merge::merge(Some("\0\n"), "\0\n", "\0x\n").unwrap();
    assert_eq!((merged.is_clean(), merged.text.as_str()), (true, "\0x\n"));
}

/// edits: `touch` on a file that is not a prospect, whose last line ends
/// in a lone carriage return, keeps every line.
#[test]
fn an_entry_added_to_a_file_with_a_lone_carriage_return_keeps_every_line() {
    let text = "--\n--\n\u{84}\0\0\n---\r";
    let day = date::parse_iso("2026-11-23").unwrap();
    if let Ok(new) = edit::add_entry(text, "2026-11-23 call: x", day) {
        let mut new_lines = new.lines().map(|l| l.trim_end_matches('\r'));
        for old in text.lines().map(|l| l.trim_end_matches('\r')) {
            assert!(new_lines.any(|l| l == old), "{old:?} is gone from {new:?}");
        }
    }
}

/// front matter: a C1 control in a value is refused by YAML, so the fast
/// reader must leave it to serde_yaml rather than read it.
#[test]
fn a_c1_control_in_front_matter_is_what_yaml_says() {
    for yaml_text in ["name:  a\u{80}\n", "name: a\u{9b}b\n", "name: [a\u{85}]\n"] {
        let fast = front_matter::read(yaml_text, 2);
        let full = front_matter::read_any(yaml_text, 2);
        assert_eq!(format!("{fast:?}"), format!("{full:?}"), "{yaml_text:?}");
    }
    // Written by `ledger`, the same text reads back.
    let written = format!("name: {}\n", yaml::scalar("a\u{80}"));
    let read = front_matter::read(&written, 2);
    assert_eq!(read.fields.map(|f| f.name), Some("a\u{80}".to_owned()));
}
