//! Dates and spans as the command line reads them (`2026-12-01`, `3d`,
//! `-2w`, `monday`), against every day chrono can hold.
#![no_main]

use ledger::format::date::{self, Span};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (i32, &str)| {
    let (days, text) = input;
    let Some(today) = chrono::NaiveDate::from_num_days_from_ce_opt(days) else {
        return;
    };
    let _ = date::parse_iso(text);
    let _ = date::parse_relative(text, today);
    if let Ok(span) = text.parse::<Span>() {
        let _ = span.after(today);
        let _ = span.before(today);
        let _ = span.to_string();
    }
});
