//! Property test of the prospect merge: for generated base, ours and theirs
//! logs, the merged log is exactly the union rule, in date order.

use std::collections::BTreeMap;

use ledger::git::merge;
use proptest::prelude::*;

use crate::support::any_line;

/// An entry: day of November, channel, text.
type Entry = (u32, &'static str, String);

fn line((day, channel, text): &Entry) -> String {
    format!("- 2026-11-{day:02} {channel}: {text}")
}

/// A prospect file with these entries, sorted by date as files are.
fn file(entries: &[Entry], eol: &str) -> String {
    let mut sorted = entries.to_vec();
    sorted.sort_by_key(|e| e.0);
    let mut text = format!("---{eol}name: Gen Co{eol}stage: lead  # kept{eol}---{eol}{eol}# Gen Co{eol}{eol}Notes.{eol}{eol}## Log{eol}{eol}");
    for entry in &sorted {
        text.push_str(&line(entry));
        text.push_str(eol);
    }
    text
}

fn entry() -> impl Strategy<Value = Entry> {
    // A small alphabet, so that the same entry often turns up more than
    // once; and text from all of Unicode.
    let text = prop_oneof![
        3 => prop::sample::select(vec!["Hello.", "Left a voicemail.", "Sent the deck.", "€500 “offer”", "東京 🚀"])
            .prop_map(str::to_owned),
        1 => any_line(12).prop_map(|t| format!("x {t} y")),
    ];
    (
        1u32..29,
        prop::sample::select(vec!["call", "email", "note"]),
        text,
    )
}

/// A side: the base with some entries deleted, and some added.
fn side(base: Vec<Entry>) -> impl Strategy<Value = Vec<Entry>> {
    let n = base.len();
    (
        prop::collection::vec(any::<bool>(), n),
        prop::collection::vec(entry(), 0..5),
    )
        .prop_map(move |(keep, added)| {
            let mut out: Vec<Entry> = base
                .iter()
                .zip(keep)
                .filter(|(_, keep)| *keep)
                .map(|(e, _)| e.clone())
                .collect();
            out.extend(added);
            out
        })
}

fn three() -> impl Strategy<Value = (Vec<Entry>, Vec<Entry>, Vec<Entry>)> {
    prop::collection::vec(entry(), 0..8)
        .prop_flat_map(|base| (Just(base.clone()), side(base.clone()), side(base)))
}

fn counts(entries: &[Entry]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for e in entries {
        *counts.entry(line(e)).or_default() += 1;
    }
    counts
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn the_merged_log_is_the_union_in_date_order(
        (base, ours, theirs) in three(),
        crlf in any::<bool>(),
    ) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let merged = merge::merge(
            Some(&file(&base, eol)),
            &file(&ours, eol),
            &file(&theirs, eol),
        ).unwrap();
        prop_assert!(merged.is_clean(), "{:#?}", merged);

        // Exactly the union rule, entry by entry.
        let (b, o, t) = (counts(&base), counts(&ours), counts(&theirs));
        let mut want: BTreeMap<String, usize> = BTreeMap::new();
        for id in o.keys().chain(t.keys()) {
            let get = |c: &BTreeMap<String, usize>| c.get(id).copied().unwrap_or(0);
            // The rule, written out here rather than taken from the library:
            // a side that left the count as it was in the base takes the
            // other side's; when both changed it, the larger wins, so an
            // entry added on both sides is there once and nothing is lost.
            let (b, o, t) = (get(&b), get(&o), get(&t));
            let n = if o == b { t } else if t == b { o } else { o.max(t) };
            if n > 0 {
                want.insert(id.clone(), n);
            }
        }
        let got_lines: Vec<&str> = merged
            .text
            .split(eol)
            .filter(|l| l.starts_with("- 2026"))
            .collect();
        let mut got: BTreeMap<String, usize> = BTreeMap::new();
        for l in &got_lines {
            *got.entry((*l).to_owned()).or_default() += 1;
        }
        prop_assert_eq!(&got, &want);

        // In date order.
        let dates: Vec<&str> = got_lines.iter().map(|l| &l[2..12]).collect();
        let mut sorted = dates.clone();
        sorted.sort();
        prop_assert_eq!(dates, sorted);

        // Everything else as it was, line endings included.
        let rest = |text: &str| -> String {
            text.split(eol).filter(|l| !l.starts_with("- 2026")).collect::<Vec<_>>().join("|")
        };
        prop_assert_eq!(rest(&merged.text), rest(&file(&[], eol)));
        prop_assert!(!merged.text.replace("\r\n", "").contains('\r'));
    }
}

#[test]
fn union_rule_by_hand() {
    // Added on both sides: once. Deleted on one side, untouched on the
    // other: gone. Added twice on one side: twice.
    let cases = [
        ((0, 1, 1), 1),
        ((1, 0, 1), 0),
        ((1, 1, 0), 0),
        ((1, 1, 1), 1),
        ((0, 2, 0), 2),
        ((0, 0, 0), 0),
    ];
    for ((b, o, t), want) in cases {
        assert_eq!(merge::union(b, o, t), want, "{b} {o} {t}");
    }
}
