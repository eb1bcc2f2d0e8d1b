//! `ledger export ics|csv|json`: read back by an independent iCalendar
//! parser, the csv crate and serde_json.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use crate::support::{prospect, Sandbox};

/// A ledger of five prospects: two late, one ahead, one closed, one with
/// a name full of what calendars and spreadsheets treat specially.
fn ledger() -> Sandbox {
    let s = Sandbox::new();
    s.file("ledger.yaml", "currency: USD\n")
        .file(
            "prospects/acme.md",
            prospect(
                "name: Acme Corp\nstage: proposal\nvalue: 12000\ncontact: Jane Doe\nemail: jane@acme.example\nphone: \"+1 555 0100\"\ntags: [saas, 'a,b']\n",
                &["2026-11-02 meeting", "2026-11-05 email"],
            ),
        )
        .file(
            "prospects/mueller.md",
            prospect(
                "name: \"Müller, Schmidt; Söhne \\e 株式会社 🚀 שלום\"\nstage: lead\nadded: 2026-11-01\n",
                &[],
            ),
        )
        .file(
            "prospects/ivan.md",
            prospect(
                "name: Иван Петров\nstage: qualified\nnext: 2026-12-15\n",
                &["2026-11-20 call (in): Call me in December"],
            ),
        )
        .file(
            "prospects/won.md",
            prospect("name: Won\nstage: won\n", &["2026-10-01 email"]),
        )
        .file("prospects/broken.md", "---\nname: [\n---\n");
    s
}

/// Every event (or to-do) of a calendar: UID → its properties, by name.
fn calendar(ics: &str, todo: bool) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut parser = ical::IcalParser::new(ics.as_bytes());
    let calendar = parser.next().expect("a calendar").expect("RFC 5545");
    assert!(parser.next().is_none(), "one calendar");
    let items: Vec<Vec<ical::property::Property>> = if todo {
        assert!(calendar.events.is_empty());
        calendar.todos.into_iter().map(|t| t.properties).collect()
    } else {
        assert!(calendar.todos.is_empty());
        calendar.events.into_iter().map(|e| e.properties).collect()
    };
    items
        .into_iter()
        .map(|properties| {
            let named: BTreeMap<String, String> = properties
                .into_iter()
                .map(|p| (p.name, p.value.unwrap_or_default()))
                .collect();
            (named["UID"].clone(), named)
        })
        .collect()
}

/// The event whose summary holds `name`.
fn event<'c>(
    calendar: &'c BTreeMap<String, BTreeMap<String, String>>,
    name: &str,
) -> (&'c String, &'c BTreeMap<String, String>) {
    calendar
        .iter()
        .find(|(_, e)| e["SUMMARY"].contains(name))
        .unwrap_or_else(|| panic!("no event for {name}: {calendar:#?}"))
}

#[test]
fn the_calendar_moves_an_event_when_its_follow_up_moves() {
    let s = ledger();
    s.git_init();
    let before = s.ledger(&["export", "ics"]).ok().stdout;
    assert!(before.contains("\r\n"), "lines end in CRLF");
    assert!(
        before.lines().all(|line| line.len() <= 76),
        "lines folded at 75 octets:\n{before}"
    );
    let before = calendar(&before, false);
    // Open prospects with a due date; not the closed one, not the broken one.
    assert_eq!(before.len(), 3, "{before:#?}");
    let (acme_uid, acme) = event(&before, "Acme Corp");
    // Late: today, saying how late.
    assert_eq!(acme["DTSTART"], "20261123");
    assert_eq!(
        acme["SUMMARY"],
        "Follow up: Acme Corp: call (touch 3 of 12)\\, 15 days late"
    );
    for line in [
        "Stage: proposal",
        "Contact: Jane Doe",
        "Email: jane@acme.example",
    ] {
        assert!(acme["DESCRIPTION"].contains(line), "{acme:#?}");
    }
    assert_eq!(acme["CATEGORIES"], "proposal,saas,a\\,b");
    let (_, ivan) = event(&before, "Иван Петров");
    assert_eq!(ivan["DTSTART"], "20261215");

    s.ledger(&["touch", "acme", "call", "Left a voicemail."])
        .ok();
    let after = calendar(&s.ledger(&["export", "ics"]).ok().stdout, false);
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "the same UIDs"
    );
    let moved = &after[acme_uid];
    assert!(
        moved["DTSTART"].as_str() > "20261123",
        "moved to a later day: {moved:#?}"
    );
    assert!(moved["SUMMARY"].contains("(touch 4 of 12)"), "{moved:#?}");
}

#[test]
fn text_is_escaped_for_the_calendar_and_for_a_terminal() {
    let s = ledger();
    let ics = s.ledger(&["export", "ics"]).ok().stdout;
    assert!(!ics.contains('\u{1b}'), "no raw escape character");
    let events = calendar(&ics, false);
    let (_, mueller) = event(&events, "Müller");
    assert_eq!(
        mueller["SUMMARY"],
        "Follow up: Müller\\, Schmidt\\; Söhne \\\\u{1b} 株式会社 🚀 שלום: intro (touch 1 of 5)\\, 22 days late"
    );
}

/// RFC 5545's 75 octets a line, whatever the length of what is folded:
/// names of every length around the multiples of the fold, in ASCII and
/// in two-byte characters.
#[test]
fn every_line_is_folded_within_75_octets() {
    let s = Sandbox::new();
    for n in 60..240 {
        let name = "a".repeat(n);
        s.file(
            &format!("prospects/a{n}.md"),
            prospect(&format!("name: {name}\n"), &[]),
        );
        let name = "é".repeat(n / 2);
        s.file(
            &format!("prospects/e{n}.md"),
            prospect(&format!("name: {name}\n"), &[]),
        );
    }
    for args in [&["export", "ics"][..], &["export", "ics", "--todo"]] {
        let ics = s.ledger(args).ok().stdout;
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        }
        let items = calendar(&ics, args.len() == 3);
        assert_eq!(items.len(), 360);
        // Unfolded, each summary is whole again.
        assert!(items
            .values()
            .any(|e| e["SUMMARY"].contains(&"a".repeat(239))));
    }
}

/// The calendar's name, made of the ledger folder's name, is folded as
/// the events are: a long name in a script of three-octet characters
/// once made a line of 76.
#[test]
fn a_long_calendar_name_is_folded_within_75_octets() {
    let s = Sandbox::new();
    let name = "東".repeat(41);
    s.file(&format!("{name}/ledger.yaml"), "currency: EUR\n")
        .file(&format!("{name}/a.md"), prospect("name: A\n", &[]));
    let folder = s.root().join(&name);
    let ics = s
        .ledger(&["-C", folder.to_str().unwrap(), "export", "ics"])
        .ok()
        .stdout;
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    let mut parser = ical::IcalParser::new(ics.as_bytes());
    let calendar = parser.next().unwrap().unwrap();
    let named = calendar
        .properties
        .iter()
        .find(|p| p.name == "X-WR-CALNAME")
        .and_then(|p| p.value.clone());
    assert_eq!(named, Some(format!("Follow-ups: {name}")));
    assert_eq!(calendar.events.len(), 1);
}

#[test]
fn todo_and_within_choose_what_is_written() {
    let s = ledger();
    let todos = calendar(
        &s.ledger(&["export", "ics", "--todo", "--within", "1w"])
            .ok()
            .stdout,
        true,
    );
    // Ivan falls due in three weeks: not within one.
    assert_eq!(todos.len(), 2, "{todos:#?}");
    let (_, acme) = event(&todos, "Acme Corp");
    assert_eq!(acme["DUE"], "20261123");
    let owned = s.ledger(&["export", "ics", "--stage", "qualified"]).ok();
    assert_eq!(calendar(&owned.stdout, false).len(), 1);
}

/// The rows of `export csv`, each a map of column to cell.
fn rows(csv: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    reader
        .records()
        .map(|row| {
            header
                .iter()
                .cloned()
                .zip(row.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

#[test]
fn the_spreadsheet_has_a_row_a_usable_prospect() {
    let s = ledger();
    let run = s.ledger(&["export", "csv"]).ok();
    // RFC 4180: records end in CRLF.
    assert!(run.stdout.starts_with(
        "id,name,company,contact,email,phone,stage,value,currency,owner,source,tags,added,next,dnc,reason,touches,unanswered,budget,last_touch,due,overdue_days,due_reason,channel\r\n"
    ));
    assert_eq!(run.stdout.matches("\r\n").count(), 5);
    run.says("skipped 1 prospect file with errors");
    assert!(!run.stdout.contains('\u{1b}'));
    let rows = rows(&run.stdout);
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str()).collect();
    // In the order of `list --all`.
    assert_eq!(
        ids,
        [
            "prospects/mueller",
            "prospects/acme",
            "prospects/ivan",
            "prospects/won"
        ]
    );
    let acme = &rows[1];
    assert_eq!(acme["phone"], "'+1 555 0100", "a formula's start is quoted");
    assert_eq!(acme["tags"], "saas;a,b");
    assert_eq!(acme["value"], "12000");
    assert_eq!(acme["overdue_days"], "15");
    assert_eq!(acme["due_reason"], "cadence");
    assert_eq!(
        rows[0]["name"],
        "Müller, Schmidt; Söhne \\u{1b} 株式会社 🚀 שלום"
    );
    assert_eq!(rows[0]["added"], "2026-11-01");
    assert_eq!(rows[2]["next"], "2026-12-15");
    assert_eq!(rows[3]["stage"], "won");
    let won = s.ledger(&["export", "csv", "--stage", "won"]).ok();
    assert_eq!(self::rows(&won.stdout).len(), 1);
}

/// A warm cache gives the export the files give: the cards come back.
#[test]
fn a_warm_cache_exports_what_the_files_say() {
    let s = ledger();
    s.git_init();
    // Files older than the cache's racy margin, so that it trusts them.
    let old = SystemTime::now() - Duration::from_secs(60);
    for file in ["acme", "mueller", "ivan", "won", "broken"] {
        let path = s.root().join(format!("prospects/{file}.md"));
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(old).unwrap();
    }
    let fresh = s.ledger(&["--no-cache", "export", "csv"]).ok().stdout;
    // The first run makes the cache (through `due`, which keeps cards
    // too), the next ones read it.
    s.ledger(&["due"]).ok();
    let cache = s.root().join(".git/ledger-cache/root.day");
    assert!(cache.exists(), "a cache in .git");
    for _ in 0..2 {
        assert_eq!(s.ledger(&["export", "csv"]).ok().stdout, fresh);
    }
}

#[test]
fn the_json_export_is_what_show_prints_of_each() {
    let s = ledger();
    let all = s.ledger(&["export", "json"]).ok().json();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 4);
    for exported in all {
        let id = exported["id"].as_str().unwrap();
        let stem = id.rsplit('/').next().unwrap();
        let shown = s.ledger(&["show", stem, "--json"]).ok().json();
        assert_eq!(exported, &shown, "{id}");
    }
    assert_eq!(all[1]["fields"]["phone"], "+1 555 0100");
    assert_eq!(all[1]["log"][1]["channel"], "email");
}

/// `ledger export … | head -c 1`: the export ends quietly, as git and
/// ripgrep do, whatever it writes.
#[test]
fn a_closed_pipe_ends_every_export_quietly() {
    let s = Sandbox::new();
    for i in 0..1500 {
        let front = format!("name: Prospect {i}\nemail: p{i}@example.invalid\n");
        s.file(
            &format!("prospects/p{i}.md"),
            prospect(&front, &["2026-11-02 call: Hello."]),
        );
    }
    let ledger = env!("CARGO_BIN_EXE_ledger");
    for kind in ["json", "csv", "ics"] {
        let script = format!(
            "{{ '{ledger}' export {kind} --today 2026-11-23; echo \"exit $?\" >&2; }} | head -c 1 >/dev/null"
        );
        let run = s.command("sh", &["-c", &script]).ok();
        assert_eq!(run.stderr, "exit 0\n", "export {kind}");
    }
}

/// `export csv` read back by `import csv` into an empty ledger: every
/// front-matter value of every prospect comes back (the import may add
/// what the export filled in, such as the currency).
#[test]
fn export_then_import_gives_back_every_front_matter_value() {
    let s = Sandbox::new();
    s.file("ledger.yaml", "currency: EUR\n")
        .file(
            "prospects/acme.md",
            prospect(
                "name: Acme Corp\ncompany: Acme, Inc.\ncontact: \"Jane \\\"JD\\\" Doe\"\nemail: jane@acme.example\nphone: \"+1 555 0100\"\nstage: proposal\nvalue: 1250.5\ncurrency: USD\nowner: sam\nsource: '=HYPERLINK(\"x\")'\ntags: [saas, eu-west]\nadded: 2026-10-28\nnext: 2026-12-01\n",
                &["2026-11-02 meeting: Intro."],
            ),
        )
        .file(
            "prospects/ivan.md",
            prospect(
                "name: Иван Петров\ncompany: 株式会社 🚀\nstage: lost\nreason: no-response\ndnc: 2026-11-01\nadded: 2026-09-01\ntags: [\"Müller; Söhne\", 'C:\\temp', vip]\n",
                &[],
            ),
        )
        .file(
            "prospects/shalom.md",
            // A right-to-left mark, which the export shows escaped (SPEC
            // section 10) and the import reads back.
            prospect(
                "name: שלום עליכם\ncompany: \"שלום\u{200f} Ltd\"\nstage: won\nvalue: 0\ndnc: true\n",
                &[],
            ),
        );
    let csv = s.ledger(&["export", "csv"]).ok().stdout;
    let before = s.ledger(&["export", "json"]).ok().json();
    // Tags are joined with a plain `;` for other tools; a `;` or a `\`
    // inside a tag is escaped, for the import to give the tag back whole.
    assert!(csv.contains("שלום\\u{200f} Ltd"), "{csv}");
    let tags: Vec<String> = rows(&csv).iter().map(|r| r["tags"].clone()).collect();
    assert!(tags.contains(&"saas;eu-west".to_owned()), "{tags:?}");
    assert!(
        tags.contains(&"Müller\\; Söhne;C:\\\\temp;vip".to_owned()),
        "{tags:?}"
    );

    let t = Sandbox::new();
    t.file("ledger.yaml", "currency: EUR\n");
    t.file("exported.csv", &csv);
    t.ledger(&["import", "csv", "exported.csv", "--no-commit"])
        .ok();
    let after = t.ledger(&["export", "json"]).ok().json();
    let by_name = |all: &serde_json::Value| -> BTreeMap<String, serde_json::Value> {
        all.as_array()
            .unwrap()
            .iter()
            .map(|p| (p["name"].as_str().unwrap().to_owned(), p["fields"].clone()))
            .collect()
    };
    let (before, after) = (by_name(&before), by_name(&after));
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (name, fields) in &before {
        for (key, value) in fields.as_object().unwrap() {
            assert_eq!(&after[name][key], value, "{name}: {key}");
        }
    }
    // Importing the same file again adds nothing.
    t.ledger(&["import", "csv", "exported.csv", "--no-commit"])
        .ok();
    assert_eq!(by_name(&t.ledger(&["export", "json"]).ok().json()), after);
}
