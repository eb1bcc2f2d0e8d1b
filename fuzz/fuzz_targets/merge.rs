//! The three-way merge of one prospect: no panic, no hang; a file merged
//! with itself comes back unchanged and clean.
#![no_main]

use ledger::git::merge;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (Option<&str>, &str, &str)| {
    let (base, ours, theirs) = input;
    let _ = merge::merge(base, ours, theirs);
    if let Ok(same) = merge::merge(Some(ours), ours, ours) {
        assert!(same.is_clean(), "{ours:?} clashes with itself: {:?}", same.clashes);
        assert_eq!(same.text, ours);
    }
});
