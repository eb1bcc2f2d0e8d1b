//! The edits `touch` and `set` make, on any file: each changes only its own
//! lines, or refuses.
#![no_main]

use ledger::format::{edit, front_matter, yaml};
use libfuzzer_sys::fuzz_target;

const KEYS: [&str; 6] = ["next", "stage", "name", "tags", "x-y", "value"];

fuzz_target!(|input: (&str, u8, &str, i32, &str)| {
    let (text, key, value, days, entry_text) = input;
    let key = KEYS[usize::from(key) % KEYS.len()];
    let before = front_matter::split(text);

    // `set`: every line outside the front matter stays as it was.
    let rendered = yaml::scalar(value);
    for value in [Some(rendered.as_str()), None] {
        if let Ok(new) = edit::set_key(text, key, value) {
            let after = front_matter::split(&new).expect("an edit keeps the fences");
            let before = before.as_ref().expect("an edited file had fences");
            assert_eq!(&text[before.body_start..], &new[after.body_start..]);
            assert_eq!(&text[..before.yaml_start], &new[..after.yaml_start]);
        }
    }

    // `touch`: every line of the file is still there, in order.
    let Some(day) = chrono::NaiveDate::from_num_days_from_ce_opt(days) else {
        return;
    };
    let line = format!("{day} call: {}", entry_text.split_whitespace().collect::<Vec<_>>().join(" "));
    if let Ok(new) = edit::add_entry(text, &line, day) {
        // (A last line without an ending gains one: compare without `\r`.)
        let mut new_lines = new.lines().map(|l| l.trim_end_matches('\r'));
        for old in text.lines().map(|l| l.trim_end_matches('\r')) {
            assert!(
                new_lines.any(|l| l == old),
                "the line {old:?} of {text:?} is gone from {new:?}"
            );
        }
        assert!(new.contains(&line));
    }
});
