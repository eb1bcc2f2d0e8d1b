//! A whole prospect file: it reads, and is checked, without a panic or a
//! hang; and wherever a fast path (line-by-line front matter, line-by-line
//! log) answers, it answers what the full parser (serde_yaml,
//! pulldown-cmark) answers.
#![no_main]

use ledger::rules::check::{self, Context};
use ledger::fuzzing::{
    read_front_matter, read_front_matter_fully, scan_log_fully, scan_log_plainly,
};
use ledger::format::prospect::Prospect;
use ledger::rules::settings::Settings;
use ledger::format::{date, front_matter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let prospect = Prospect::parse("prospects/fuzz.md", text);
    let (settings, _) = Settings::parse("");
    let today = date::parse_iso("2026-11-23").expect("a date");
    let cx = Context {
        settings: &settings,
        today,
    };
    let _ = check::assess(&prospect, &cx);

    let Some(split) = front_matter::split(text) else {
        return;
    };
    let yaml = &text[split.yaml_start..split.close_start];
    let fast = read_front_matter(yaml, 2);
    let full = read_front_matter_fully(yaml, 2);
    // Compared as text: NaN is not equal to itself.
    assert_eq!(format!("{fast:?}"), format!("{full:?}"), "front matter {yaml:?}");
    let body = &text[split.body_start..];
    if let Some(plain) = scan_log_plainly(body) {
        assert_eq!(plain, scan_log_fully(body), "log {body:?}");
    }
});
