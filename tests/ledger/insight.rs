//! `ledger stats` and `ledger draft`: what a person's own ledger says of
//! their follow-up, and the next message written from a prospect's file.

use std::fs;
use std::time::{Duration, SystemTime};

use crate::support::{prospect, Sandbox};

/// A small pipeline: open, won and lost deals, one of them given up early.
fn pipeline() -> Sandbox {
    let s = Sandbox::new();
    s.file(
        "prospects/open-a.md",
        prospect(
            "name: Open A\nstage: proposal\nvalue: 12000\nowner: sam\ntags: [saas]\n",
            &["2026-11-02 meeting", "2026-11-05 email"],
        ),
    )
    .file(
        "prospects/open-c.md",
        prospect(
            "name: Open C\nstage: contacted\nvalue: 900\n",
            &["2026-10-01 email", "2026-10-03 call", "2026-10-06 email"],
        ),
    )
    .file(
        "prospects/won-a.md",
        prospect(
            "name: Won A\nstage: won\nvalue: 5000\nowner: sam\n",
            &[
                "2026-10-01 email: Intro",
                "2026-10-05 call: Follow-up",
                "2026-10-10 meeting (in): Signed",
                "2026-10-11 note: Closed as won",
            ],
        ),
    )
    .file(
        "prospects/won-b.md",
        prospect(
            "name: Won B\nstage: won\nvalue: 20000\ncurrency: EUR\n",
            &[
                "2026-09-01 email",
                "2026-09-04 call",
                "2026-09-09 email",
                "2026-09-16 call (in): Interested",
                "2026-09-20 email",
                "2026-09-25 meeting (in): Agreed",
            ],
        ),
    )
    .file(
        "prospects/lost-a.md",
        prospect(
            "name: Lost A\nstage: lost\nreason: no-response\nvalue: 3000\n",
            &["2026-10-01 email: One try"],
        ),
    )
    .file(
        "prospects/lost-b.md",
        prospect(
            "name: Lost B\nstage: lost\nreason: declined\n",
            &["2026-10-01 call", "2026-10-03 email (in): No thanks"],
        ),
    )
    .file("prospects/broken.md", "---\nname: [unclosed\n---\n");
    s
}

#[test]
fn stats_as_json() {
    let s = pipeline();
    let run = s.ledger(&["stats", "--json"]).ok();
    run.says("skipped 1 prospect file with errors; `ledger lint` tells why");
    let json = run.json();
    let stage = |name: &str| {
        json["pipeline"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["stage"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(json["pipeline"].as_array().unwrap().len(), 8);
    assert_eq!(
        stage("won"),
        serde_json::json!({"stage": "won", "closed": true, "prospects": 2,
                           "value": {"USD": 5000, "EUR": 20000}})
    );
    assert_eq!(stage("lead")["prospects"], 0);
    assert_eq!(
        json["won_by_touches"],
        serde_json::json!({"0": 0, "1": 0, "2": 0, "3": 1, "4": 0, "5-12": 1, "13+": 0})
    );
    assert_eq!(
        json["lost_by_touches"],
        serde_json::json!({"0": 0, "1": 1, "2": 1, "3": 0, "4": 0, "5-12": 0, "13+": 0})
    );
    assert_eq!(
        json["replies_after"],
        serde_json::json!({"0": 0, "1": 2, "2": 1, "3": 1, "4": 0, "5-12": 0, "13+": 0})
    );
    assert_eq!(
        json["gave_up_early"],
        serde_json::json!({"prospects": ["prospects/lost-a"], "value": {"USD": 3000}})
    );
    assert_eq!((&json["exhausted"], &json["due"]), (&1.into(), &1.into()));
    let weeks = json["activity"].as_array().unwrap();
    assert_eq!(weeks.len(), 12);
    assert_eq!(
        weeks[11],
        serde_json::json!({"week": "2026-W48", "outbound": 0, "inbound": 0})
    );
    assert_eq!(json["cited_sales_by_contact"]["5-12"], 0.8);
}

/// `--stage`, `--tag` and `--owner` keep the prospects `due` would.
#[test]
fn stats_filters_like_due() {
    let s = pipeline();
    let closed = |args: &[&str]| {
        let mut all = vec!["stats", "--json"];
        all.extend(args);
        let json = s.ledger(&all).ok().json();
        let total = |key: &str| -> u64 {
            json[key]
                .as_object()
                .unwrap()
                .values()
                .map(|n| n.as_u64().unwrap())
                .sum()
        };
        (total("won_by_touches"), total("lost_by_touches"))
    };
    assert_eq!(closed(&[]), (2, 2));
    assert_eq!(closed(&["--stage", "won"]), (2, 0));
    assert_eq!(closed(&["--owner", "SAM"]), (1, 0));
    assert_eq!(closed(&["--tag", "saas"]), (0, 0));
    let json = s.ledger(&["stats", "--json", "--tag", "saas"]).ok().json();
    assert_eq!(json["due"], 1);
}

/// The human report, in 80 columns, labels the cited figures as such.
#[test]
fn stats_for_a_person() {
    let s = pipeline();
    let run = s.ledger(&["stats"]).ok();
    fits_80_columns(&run.stdout);
    insta::assert_snapshot!(run.stdout, @r"
    Pipeline: 6 prospects
      lead                          0
      contacted               $900  ████████████ 1
      qualified                     0
      proposal             $12,000  ████████████ 1
      negotiation                   0
      nurture                       0
      won          closed  €20,000  ████████████████████████ 2
                            $5,000
      lost         closed   $3,000  ████████████████████████ 2

    Closed deals by touches: 2 won, 2 lost
      TOUCHES  WON               LOST              WON SHARE  COMMONLY CITED*
      0        0                 0                       0 %
      1        0                 ██████████████ 1        0 %              2 %
      2        0                 ██████████████ 1        0 %              3 %
      3        ██████████████ 1  0                      50 %              5 %
      4        0                 0                       0 %             10 %
      5-12     ██████████████ 1  0                      50 %             80 %
      13+      0                 0                       0 %
      * commonly cited figures for the share of sales made on each contact,
        repeated in sales writing: not measurements, and not yours.

    Replies, by the follow-ups they came after
      0 (they wrote first)  0
      1                     ████████████████████████ 2
      2                     ████████████ 1
      3                     ████████████ 1
      4                     0
      5-12                  0
      13+                   0
      1 of 4 replies came after three or more follow-ups.

    Given up early: 1 prospect, $3,000 left on the table
      prospects/lost-a
      lost without an answer, with follow-ups left: `ledger reopen` brings one back
    Follow-up budget spent: 1 open prospect · Due now: 1 prospect

    Touches per week: 11 out, 4 in over 12 weeks
      WEEK              OUT               IN
      2026-W37  Sep 07  ██▊ 1             0
      2026-W38  Sep 14  ██▊ 1             ██▊ 1
      2026-W39  Sep 21  0                 ██▊ 1
      2026-W40  Sep 28  ██████████████ 5  ██▊ 1
      2026-W41  Oct 05  █████▌ 2          ██▊ 1
      2026-W42  Oct 12  0                 0
      2026-W43  Oct 19  0                 0
      2026-W44  Oct 26  0                 0
      2026-W45  Nov 02  █████▌ 2          0
      2026-W46  Nov 09  0                 0
      2026-W47  Nov 16  0                 0
      2026-W48  Nov 23  0                 0
    ");
}

/// A warm `stats` answers from the cache a `due` made, and answers what a
/// cold one does: an edit that keeps the file's size and sets its time
/// back (`cp -p`) is seen by the file's change time. (Nothing outside can
/// change a file behind the cache's back now; the cache's unit tests show
/// its records serving a warm run.)
#[test]
fn a_warm_stats_answers_as_a_cold_one() {
    let s = pipeline();
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let path = s.root().join("prospects/lost-a.md");
    let set_time = || {
        let file = fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(hour_ago).unwrap();
    };
    set_time();
    s.ledger(&["due"]).ok();
    let before = s.ledger(&["stats", "--json"]).ok().json();
    assert_eq!(
        before,
        s.ledger(&["stats", "--json", "--no-cache"]).ok().json()
    );
    assert_ne!(before["gave_up_early"]["prospects"], serde_json::json!([]));
    let edited = s
        .read("prospects/lost-a.md")
        .replace("reason: no-response", "reason: no-budget__");
    fs::write(&path, edited).unwrap();
    set_time();
    let warm = s.ledger(&["stats", "--json"]).ok().json();
    assert_eq!(warm["gave_up_early"]["prospects"], serde_json::json!([]));
    assert_eq!(
        warm,
        s.ledger(&["stats", "--json", "--no-cache"]).ok().json()
    );
}

const ACME: &str = "---\nname: Acme Corp\ncompany: Acme Corporation\ncontact: Jane Doe\nemail: jane@acme.example\nphone: \"+1 555 0100\"\nstage: proposal\nvalue: 12000\n---\n\n# Acme Corp\n\n## Log\n\n- 2026-11-02 meeting: Intro call, interested in a pilot.\n- 2026-11-05 email: Sent the proposal.\n- 2026-11-20 call (in): Jane called back, asked to talk after Thanksgiving.\n- 2026-11-21 email: Sent the revised proposal.\n";

/// A ledger in git with Acme, a won deal and one who asked not to be
/// contacted.
fn drafts() -> Sandbox {
    let s = Sandbox::new();
    s.file("prospects/acme.md", ACME)
        .file(
            "prospects/won.md",
            prospect("name: Globex\nstage: won\n", &["2026-10-01 call (in): Yes"]),
        )
        .file(
            "prospects/dnc.md",
            prospect("name: Initech\ndnc: 2026-11-01\n", &[]),
        )
        .git_init();
    s
}

/// An email in three parts, signed with git's user.name; `draft` writes
/// nothing.
#[test]
fn draft_an_email() {
    let s = drafts();
    let before = s.snapshot();
    let run = s.ledger(&["draft", "acme"]).ok();
    insta::assert_snapshot!(run.stdout, @r"
    Subject: Following up

    Hi Jane,

    It's Test Person: we first met on November 2, and we last spoke on November 20 (“Jane called back, asked to talk after Thanksgiving”).

    [why now: what is new for them, or what they asked for]

    Could we take 15 minutes this week to go over the proposal together?

    Best,
    Test Person
    ");
    let json = s
        .ledger(&["draft", "acme", "--json", "--why", "Pilot slots open."])
        .ok()
        .json();
    assert_eq!(json["to"], "jane@acme.example");
    assert_eq!(json["subject"], "Following up");
    assert_eq!(json["channel"], "email");
    let body = json["body"].as_str().unwrap();
    assert!(
        body.starts_with("Hi Jane,\n\n") && body.contains("\n\nPilot slots open.\n\n"),
        "{body}"
    );
    assert_eq!(s.snapshot(), before);
    assert_eq!(s.git(&["status", "--porcelain"]), "");
    assert_eq!(s.git(&["rev-list", "--count", "HEAD"]), "1\n");
}

/// A call is talking points; `me:` and `asks:` in the settings are used.
#[test]
fn draft_a_call_with_the_settings_words() {
    let s = drafts();
    s.file(
        "ledger.yaml",
        "me: Sam Lee\nasks:\n  negotiation: Can we sign this week?\n",
    );
    s.file(
        "prospects/acme.md",
        ACME.replace("stage: proposal", "stage: negotiation")
            .replace("2026-11-21 email", "2026-11-18 email")
            .replace("2026-11-20 call (in)", "2026-11-17 call (in)")
            + "- 2026-11-19 email: Nudge.\n",
    );
    let run = s.ledger(&["draft", "acme"]).ok();
    insta::assert_snapshot!(run.stdout, @r"
    Call: Jane Doe (Acme Corporation), +1 555 0100

    - Who I am, what happened: It's Sam Lee: we first met on November 2, and we last spoke on November 17 (“Jane called back, asked to talk after Thanksgiving”).
    - Why now: [why now: what is new for them, or what they asked for]
    - Ask: Can we sign this week?
    ");
    let json = s.ledger(&["draft", "acme", "--json"]).ok().json();
    assert_eq!(json["to"], "+1 555 0100");
    assert_eq!(json["subject"], serde_json::Value::Null);
}

/// The ledger's own template, and one named on the command line; a
/// misspelt variable or a syntax error names the template's line and
/// column.
#[test]
fn draft_with_a_template() {
    let s = drafts();
    s.file(
        "templates/draft.md",
        "Subject: {{ name }}: touch {{ touch_number }} of {{ budget }}\n\nDear {{ first_name }},\n{{ ask }}\n",
    );
    let run = s.ledger(&["draft", "acme"]).ok();
    assert_eq!(
        run.stdout,
        "Subject: Acme Corp: touch 2 of 12\n\nDear Jane,\nCould we take 15 minutes this week to go over the proposal together?\n"
    );
    let json = s.ledger(&["draft", "acme", "--json"]).ok().json();
    assert_eq!(json["subject"], "Acme Corp: touch 2 of 12");
    assert!(json["body"].as_str().unwrap().starts_with("Dear Jane,\n"));

    s.file(
        "mine.txt",
        "{% for e in history %}{{ e.channel }} {% endfor %}",
    );
    let run = s.ledger(&["draft", "acme", "--template", "mine.txt"]).ok();
    assert_eq!(run.stdout, "meeting email call email ");

    s.file(
        "templates/draft.md",
        "Hi {{ first_name }},\n\n{{ histroy_line }}\n",
    );
    s.ledger(&["draft", "acme"])
        .fails(1)
        .says("error: templates/draft.md:3:4: undefined value: `histroy_line` is undefined");
    s.file("broken.txt", "{% if name %}\nno end\n");
    s.ledger(&["draft", "acme", "--template", "broken.txt"])
        .fails(1)
        .says("error: broken.txt:1:");
    s.ledger(&["draft", "acme", "--template", "missing.txt"])
        .fails(1)
        .says("missing.txt");
}

/// Closed and do-not-contact prospects get no draft; bad names and bad
/// settings are errors; nothing is written by any of them.
#[test]
fn draft_refuses() {
    let s = drafts();
    let before = s.snapshot();
    s.ledger(&["draft", "globex"])
        .fails(1)
        .says("error: no draft for Globex: it is closed (won)")
        .says("hint: `ledger reopen globex` brings it back");
    s.ledger(&["draft", "initech"])
        .fails(1)
        .says("no draft for Initech: they asked not to be contacted since 2026-11-01");
    s.ledger(&["draft", "nobody"])
        .fails(1)
        .says("no prospect matches `nobody`");
    s.ledger(&["draft", "c"])
        .fails(1)
        .says("matches 2 prospects");
    assert_eq!(s.snapshot(), before);
    for bad in ["asks: [one, two]\n", "asks:\n  lead: [x]\n", "me: {a: b}\n"] {
        s.file("ledger.yaml", bad);
        s.ledger(&["draft", "acme"])
            .fails(1)
            .says("error: ledger.yaml:");
    }
}

/// `ledger init` writes `me:` and `asks:` out with their defaults, each
/// commented, and a draft in the new ledger uses them.
#[test]
fn init_writes_the_draft_settings() {
    let s = Sandbox::new();
    s.ledger_raw(&["init", "sales"], &s.root()).ok();
    let settings = fs::read_to_string(s.root().join("sales/ledger.yaml")).unwrap();
    for line in [
        "# Your name in drafts; null: git's user.name.\nme: null\n",
        "# The one clear ask that ends a draft, by stage; a stage without one uses `default`.\nasks:\n  default: ",
        "  proposal: \"Could we take 15 minutes this week to go over the proposal together?\"\n",
    ] {
        assert!(settings.contains(line), "{settings}");
    }
    let sales = s.root().join("sales");
    fs::write(sales.join("prospects/new.md"), "---\nname: New Co\n---\n").unwrap();
    let run = s
        .ledger_raw(&["draft", "new", "--today", "2026-11-23"], &sales)
        .ok();
    run.shows("Subject: Hello from Test Person\n");
    run.shows("Would a 15-minute call this week suit you?");
}

/// The pipeline fits 80 columns whatever the currencies: each stage's
/// value in each currency on a line of its own, no stage name cut.
#[test]
fn the_pipeline_fits_80_columns_in_any_number_of_currencies() {
    let s = Sandbox::new();
    for (i, currency) in ["USD", "EUR", "GBP", "JPY", "CHF", "SEK", "RUB"]
        .iter()
        .enumerate()
    {
        s.file(
            &format!("prospects/p{i}.md"),
            prospect(
                &format!(
                    "name: P{i}\nstage: negotiation\nvalue: 123456789.5\ncurrency: {currency}\n"
                ),
                &[],
            ),
        );
    }
    let run = s.ledger(&["stats"]).ok();
    fits_80_columns(&run.stdout);
    let rows: Vec<&str> = run
        .stdout
        .lines()
        .skip_while(|l| !l.contains("negotiation"))
        .take(7)
        .collect();
    assert!(
        rows[0].contains("negotiation") && rows[0].ends_with(" 7"),
        "{rows:#?}"
    );
    assert!(
        rows[1..].iter().all(|l| l.trim_start().len() < 20),
        "{rows:#?}"
    );
}

/// Deals given up early in many currencies: their sums on lines of their
/// own when one line would not fit 80 columns.
#[test]
fn what_was_given_up_early_fits_80_columns_in_any_number_of_currencies() {
    let s = Sandbox::new();
    let currencies = ["USD", "EUR", "GBP", "JPY", "CHF", "SEK", "RUB"];
    for (i, currency) in currencies.iter().enumerate() {
        s.file(
            &format!("prospects/p{i}.md"),
            prospect(
                &format!("name: P{i}\nstage: lost\nvalue: 21800\ncurrency: {currency}\n"),
                &[],
            ),
        );
    }
    let run = s.ledger(&["stats"]).ok();
    fits_80_columns(&run.stdout);
    let at = run
        .stdout
        .find("Given up early: 7 prospects, left on the table:\n");
    let sums = &run.stdout[at.expect(&run.stdout)..];
    for sum in [
        "$21,800",
        "€21,800",
        "£21,800",
        "¥21,800",
        "21,800 CHF",
        "21,800 RUB",
    ] {
        assert!(sums.contains(sum), "{sum}: {sums}");
    }
    // One currency fits on the heading's line.
    s.file("prospects/p0.md", prospect("name: P0\nstage: won\n", &[]));
    for i in 2..currencies.len() {
        s.file(
            &format!("prospects/p{i}.md"),
            prospect("name: W\nstage: won\n", &[]),
        );
    }
    s.ledger(&["stats"])
        .ok()
        .shows("Given up early: 1 prospect, €21,800 left on the table\n");
}

/// A stage name too long for 80 columns gives way, cut short with `…`,
/// on a terminal or not.
#[test]
fn a_long_stage_name_gives_way_to_80_columns() {
    let s = Sandbox::new();
    let stage = "waiting-for-legal-review-and-procurement-signoff";
    s.file(
        "ledger.yaml",
        format!("stages: [lead, {stage}, won, lost]\n"),
    )
    .file(
        "prospects/a.md",
        prospect(
            &format!("name: A\nvalue: 250000000000\nstage: {stage}\n"),
            &[],
        ),
    );
    let run = s.ledger(&["stats"]).ok();
    fits_80_columns(&run.stdout);
    assert!(run.stdout.contains("waiting-for-legal"), "{}", run.stdout);
    assert!(run.stdout.contains('…'), "{}", run.stdout);
    assert!(run.stdout.contains("$250,000,000,000"), "{}", run.stdout);
}

/// Every line of `stdout` fits 80 columns (SPEC section 8).
#[track_caller]
fn fits_80_columns(stdout: &str) {
    for line in stdout.lines() {
        assert!(line.chars().count() <= 80, "too wide: {line}\n{stdout}");
    }
}
