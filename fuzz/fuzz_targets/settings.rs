//! `ledger.yaml`: any text reads to settings and problems, never a panic.
#![no_main]

use ledger::rules::settings::Settings;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let (settings, _) = Settings::parse(text);
        let _ = settings.budget(Some(12_000.0));
        let _ = settings.is_ignored("prospects/a.md");
    }
});
