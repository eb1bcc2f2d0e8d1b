//! `import csv`: any bytes as a CSV file are read and planned into
//! prospects, or refused with the rows and columns at fault; never a
//! panic. What is planned reads back: a guarded cell unguards to itself.
#![no_main]

use ledger::format::csv::{self, guard};
use ledger::rules::import;
use ledger::rules::settings::Settings;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let settings = Settings::default();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    if let Ok(table) = csv::read("fuzz.csv", data) {
        for preset in [None, import::preset("ledger"), import::preset("hubspot")] {
            if let Ok(plan) = import::plan(&table, "fuzz.csv", preset, &[], &settings, today) {
                assert_eq!(plan.rows.len(), table.rows.len());
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let guarded = guard(text);
        let back = csv::read("g.csv", format!("x\n\"{}\"\n", guarded.replace('"', "\"\"")).as_bytes());
        if let Ok(table) = back {
            if let Some(row) = table.rows.first() {
                if !text.trim().is_empty() && !text.contains(['\n', '\r']) {
                    assert_eq!(row.cells[0], text);
                }
            }
        }
    }
});
