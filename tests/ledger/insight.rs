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
    for line in run.stdout.lines() {
        assert!(line.chars().count() <= 80, "too wide: {line}");
    }
    insta::assert_snapshot!(run.stdout, @r"
    Pipeline: 6 prospects
      lead                                   0
      contacted                        $900  ████████████ 1
      qualified                              0
      proposal                      $12,000  ████████████ 1
      negotiation                            0
      nurture                                0
      won          closed  €20,000 · $5,000  ████████████████████████ 2
      lost         closed            $3,000  ████████████████████████ 2

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

/// A warm `stats` reads no prospect file: the cache a `due` made serves
/// it, so a file changed behind the cache's back (same size, time and
/// inode) is not seen, and `--no-cache` sees it.
#[test]
fn a_warm_stats_reads_no_prospect_file() {
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
    let edited = s
        .read("prospects/lost-a.md")
        .replace("reason: no-response", "reason: no-budget__");
    fs::write(&path, edited).unwrap();
    set_time();
    assert_eq!(s.ledger(&["stats", "--json"]).ok().json(), before);
    let fresh = s.ledger(&["stats", "--json", "--no-cache"]).ok().json();
    assert_eq!(fresh["gave_up_early"]["prospects"], serde_json::json!([]));
}
