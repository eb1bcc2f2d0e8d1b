//! Property tests of the readers over all of Unicode: wherever a fast path
//! (the line-by-line front matter and log) answers, it answers what the
//! full parser (serde_yaml, pulldown-cmark) answers; and no text makes a
//! reader panic. The unit tests beside each reader try the shapes of
//! YAML and Markdown that matter; these draw the text itself from every
//! plane, control characters and bidirectional marks included.

use ledger::format::date::parse_iso;
use ledger::format::prospect::Prospect;
use ledger::format::{entry, front_matter, log, yaml};
use ledger::rules::check::{self, Context};
use ledger::rules::settings::Settings;
use proptest::prelude::*;

use crate::support::any_line;

/// One line of front matter: a key, a separator, and a value that is
/// plain text, the same text quoted as YAML, a flow list, or a line of
/// any shape.
fn front_line() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "name", "stage", "value", "next", "tags", "dnc", "phone", "owner", "x-y", "Name",
    ]);
    let separator = prop::sample::select(vec![": ", ":", ":  ", " : ", ":\t"]);
    let value = prop_oneof![
        any_line(10),
        any_line(10).prop_map(|t| yaml::scalar(&t)),
        any_line(6).prop_map(|t| format!("[{}, b]", yaml::flow_scalar(&t))),
        any_line(6).prop_map(|t| format!("{t} # {t}")),
    ];
    prop_oneof![
        6 => (key, separator, value).prop_map(|(k, s, v)| format!("{k}{s}{v}")),
        1 => any_line(12),
    ]
}

/// One line of a body: an entry, a heading, a paragraph, or anything.
fn body_line() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec![
        "- 2026-11-02 call: ",
        "- 2026-11-03 email (in):",
        "- ",
        "* ",
        "  ",
        "## Log",
        "## ",
        "# ",
        "",
        "> ",
        "1. ",
    ]);
    prop_oneof![
        5 => (prefix, any_line(12)).prop_map(|(p, t)| format!("{p}{t}")),
        1 => Just("## Log".to_owned()),
        1 => Just(String::new()),
    ]
}

fn joined(lines: &[String], crlf: bool) -> String {
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut text = lines.join(eol);
    text.push_str(eol);
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn fast_and_full_front_matter_agree(
        lines in prop::collection::vec(front_line(), 0..6),
        crlf in any::<bool>(),
    ) {
        let text = joined(&lines, crlf);
        // Compared as text: NaN is not equal to itself.
        prop_assert_eq!(
            format!("{:?}", front_matter::read(&text, 2)),
            format!("{:?}", front_matter::read_any(&text, 2)),
            "{:?}", text
        );
    }

    #[test]
    fn fast_and_full_log_scans_agree(
        lines in prop::collection::vec(body_line(), 0..10),
        crlf in any::<bool>(),
    ) {
        let body = joined(&lines, crlf);
        if let Some(plain) = log::scan_plain(&body) {
            prop_assert_eq!(plain, log::scan_any(&body), "{:?}", body);
        }
    }

    /// Any file with a fence reads and is checked without a panic; every
    /// entry read keeps its text.
    #[test]
    fn any_prospect_reads(
        front in prop::collection::vec(front_line(), 0..5),
        body in prop::collection::vec(body_line(), 0..8),
        crlf in any::<bool>(),
    ) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let text = format!("---{eol}{}---{eol}{}", joined(&front, crlf), joined(&body, crlf));
        let prospect = Prospect::parse("prospects/p.md", &text);
        let (settings, _) = Settings::parse("");
        let cx = Context { settings: &settings, today: parse_iso("2026-11-23").unwrap() };
        let assessed = check::assess(&prospect, &cx);
        for d in &assessed.diagnostics {
            prop_assert!(d.line >= 1 && d.column >= 1, "{d:?}");
        }
    }

    /// An entry line of any text parses or is refused, never panics; the
    /// written form of what parses reads back the same.
    #[test]
    fn any_entry_parses_or_is_refused(text in any_line(24), time in any::<bool>(), inbound in any::<bool>()) {
        let line = format!(
            "2026-11-02{} call{}:{text}",
            if time { " 09:30" } else { "" },
            if inbound { " (in)" } else { "" }
        );
        let parts = entry::parse(&line).expect("a well-formed entry");
        prop_assert_eq!(parts.inbound, inbound);
        prop_assert_eq!(entry::parse(&parts.to_string()), Ok(parts));
        let _ = entry::parse(&text);
    }
}
