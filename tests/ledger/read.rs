//! `due`, `list`, `show` and `lint` on small ledgers.

use crate::support::{prospect, Sandbox};

/// A small pipeline: one of each due reason and a broken file.
fn pipeline() -> Sandbox {
    let s = Sandbox::new();
    s.file(
        "prospects/acme.md",
        prospect(
            "name: Acme Corp\nstage: proposal\nvalue: 12000\n",
            &["2026-11-02 meeting: Intro", "2026-11-05 email: Proposal"],
        ),
    )
    .file(
        "prospects/globex.md",
        prospect(
            "name: Globex\nvalue: 40000\nnext: 2026-11-28\n",
            &["2026-11-20 call (in): after Thanksgiving"],
        ),
    )
    .file(
        "prospects/hooli.md",
        prospect(
            "name: Hooli\nvalue: 9000\n",
            &[
                "2026-11-03 email: Intro",
                "2026-11-21 email (in): wants a demo",
            ],
        ),
    )
    .file(
        "prospects/new/initech.md",
        prospect("name: Initech\nvalue: 3000\nadded: 2026-11-20\n", &[]),
    )
    .file(
        "prospects/wonka.md",
        prospect(
            "name: Wonka\nstage: won\n",
            &["2026-10-01 email (in): Signed"],
        ),
    )
    .file(
        "prospects/stark.md",
        prospect(
            "name: Stark\nvalue: 800\n",
            &[
                "2026-10-01 call: a",
                "2026-10-04 email: b",
                "2026-10-09 call: c",
            ],
        ),
    )
    .file(
        "prospects/broken.md",
        "---\nname: Broken\nvalue: 12k\n---\n",
    )
    .file("README.md", "# Not a prospect\n");
    s
}

#[test]
fn due_for_a_person() {
    let s = pipeline();
    let run = s.ledger(&["due"]).ok();
    insta::assert_snapshot!(run.stdout, @r"
    WHEN          PROSPECT   STAGE       VALUE  TOUCH    LAST    ACTION
    15 days late  Acme Corp  proposal  $12,000  3 of 12  Nov 05  call
    3 days late   Initech    lead       $3,000  1 of 6   -       intro
    2 days late   Hooli      lead       $9,000  1 of 6   Nov 21  reply

    1 prospect spent its follow-up budget: `ledger lint` lists it.
    ");
    assert!(
        run.stderr
            .contains("skipped 1 prospect file with errors; `ledger lint` tells why"),
        "{}",
        run.stderr
    );
}

#[test]
fn due_within_and_filters() {
    let s = pipeline();
    let ids = |args: &[&str]| -> Vec<String> {
        let run = s.ledger(args).ok();
        run.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        ids(&["due", "--json", "--within", "5d"]),
        [
            "prospects/acme",
            "prospects/new/initech",
            "prospects/hooli",
            "prospects/globex"
        ]
    );
    assert_eq!(
        ids(&["due", "--json", "--within", "0d", "--limit", "1"]),
        ["prospects/acme"]
    );
    // None shown would read as none due.
    s.ledger(&["due", "--limit", "0"])
        .fails(2)
        .says("show at least 1");
    // A stage the settings do not have would keep nothing without a word.
    for command in [&["due"][..], &["list"], &["stats"], &["export", "csv"]] {
        let mut args = command.to_vec();
        args.extend(["--stage", "Proposal"]);
        s.ledger(&args)
            .fails(2)
            .says("`Proposal` is not a stage: use one of lead, contacted");
    }
    assert_eq!(
        ids(&["due", "--json", "--stage", "proposal"]),
        ["prospects/acme"]
    );
    assert_eq!(ids(&["list", "--all", "--json"]).len(), 6);
    assert_eq!(ids(&["list", "--json"]).len(), 5, "won is closed");
}

#[test]
fn nothing_due_says_what_is_next() {
    let s = Sandbox::new();
    s.file("a.md", prospect("name: Later\nnext: 2026-12-01\n", &[]));
    let run = s.ledger(&["due"]).ok();
    assert_eq!(
        run.stdout,
        "Nothing due. Next: Later in 8 days (2026-12-01).\n"
    );
}

#[test]
fn show_in_words() {
    let s = pipeline();
    let run = s.ledger(&["show", "acme"]).ok();
    insta::assert_snapshot!(run.stdout, @r"
    Acme Corp  prospects/acme.md
      stage  proposal
      value  $12,000

      due 15 days ago (2026-11-08) by cadence, step 2: call
      2 touches, 2 unanswered of a budget of 12, last 2026-11-05

    Log
      2026-11-02  meeting  Intro
      2026-11-05  email    Proposal
    ");
    let json = s.ledger(&["show", "Acme Corp", "--json"]).ok().json();
    assert_eq!(json["fields"]["value"], 12000);
    assert_eq!(json["log"][1]["channel"], "email");
    assert_eq!(json["log"][1]["line"], 10);
    assert_eq!(json["due_reason"], "cadence");
}

#[test]
fn show_names_the_candidates_or_the_problem() {
    let s = pipeline();
    let run = s.ledger(&["show", "o"]).fails(1);
    for id in ["prospects/globex", "prospects/hooli", "prospects/wonka"] {
        run.says(id);
    }
    let run = s.ledger(&["show", "nobody"]).fails(1);
    run.says("no prospect matches `nobody`");
    let run = s.ledger(&["show", "broken"]).fails(1);
    run.says("prospects/broken.md:3:1");
    // A path works relative to the working folder or to the root.
    s.ledger_raw(
        &[
            "-C",
            "..",
            "show",
            "prospects/acme.md",
            "--today",
            "2026-11-23",
        ],
        &s.root().join("prospects"),
    )
    .ok();
    s.ledger_raw(
        &["show", "acme.md", "--today", "2026-11-23"],
        &s.root().join("prospects"),
    )
    .ok();
}

#[test]
fn lint_like_a_compiler() {
    let s = pipeline();
    let run = s.ledger(&["lint"]).fails(1);
    insta::assert_snapshot!(run.stdout, @r"
    prospects/acme.md:1:1: warning[overdue]: follow-up was due 2026-11-08, 15 days ago
    prospects/broken.md:3:1: error[bad-field]: `value` must be a number ≥ 0, found `12k`
    prospects/stark.md:1:1: warning[exhausted]: 3 unanswered follow-ups spent the budget of 3: close it, nurture it, or set `next`
    prospects/stark.md:1:1: warning[stalled]: no touch since 2026-10-09 (30d or more): follow up, set `next`, or close it
    ");
    assert_eq!(run.stderr, "1 error, 3 warnings in 7 prospects\n");
    s.file(
        "prospects/broken.md",
        "---\nname: Fixed\nnext: 2026-12-01\n---\n",
    );
    s.ledger(&["lint"]).ok();
    s.ledger(&["lint", "--strict"]).fails(1);
}

#[test]
fn lint_is_silent_when_all_is_well() {
    let s = Sandbox::new();
    s.file(
        "a.md",
        prospect("name: Fine\nnext: 2026-12-01\n", &["2026-11-20 call: ok"]),
    );
    let run = s.ledger(&["lint"]).ok();
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
}

#[test]
fn unreadable_files_are_named_and_never_panic() {
    let s = Sandbox::new();
    s.file("latin1.md", b"---\nname: Caf\xe9\n---\n")
        .file("ok.md", prospect("name: Ok\n", &[]))
        .file("empty.md", "")
        .file("fence-only.md", "---")
        .file("binary.md", [0u8, 159, 146, 150]);
    let run = s.ledger(&["lint", "--json"]).fails(1);
    let json = run.json();
    let codes: Vec<(&str, &str)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            ("fence-only.md", "front-matter"),
            ("latin1.md", "unreadable")
        ]
    );
    let due = s.ledger(&["due", "--json"]).ok();
    assert_eq!(due.json().as_array().unwrap().len(), 1);
    due.says("skipped 2 prospect files");
}

/// A file whose name is not UTF-8 (from a Latin-1 system) cannot be
/// named in a report, yet is not left out without a word: the reading
/// commands count it as skipped, and `lint` names it below the root.
#[cfg(unix)]
#[test]
fn a_file_whose_name_is_not_utf8_is_counted_as_skipped() {
    use std::os::unix::ffi::OsStrExt;
    let s = Sandbox::new();
    s.file("prospects/ok.md", prospect("name: Ok\n", &[]));
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
    std::fs::write(
        s.root().join("prospects").join(name),
        "---\nname: Cafe\n---\n",
    )
    .unwrap();
    for args in [&["due"][..], &["list", "--all"], &["stats"]] {
        s.ledger(args)
            .ok()
            .says("skipped 1 prospect file with errors");
    }
    let run = s.ledger(&["lint", "--json"]).fails(1);
    let json = run.json();
    let paths: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["prospects/caf\u{fffd}.md"]);
}

#[test]
fn huge_files_are_refused_by_name() {
    let s = Sandbox::new();
    let mut big = b"---\nname: Big\n---\n".to_vec();
    big.resize(9 * 1024 * 1024, b'x');
    s.file("big.md", big);
    let run = s.ledger(&["lint"]).fails(1);
    run.shows("big.md:1:1: error[unreadable]: the file is 9437184 bytes, over the 8 MiB");
}

#[test]
fn bad_settings_stop_due_with_a_line_but_not_lint() {
    let s = Sandbox::new();
    s.file("ledger.yaml", "currency: EUR\ncadence: [2x email]\n")
        .file("a.md", prospect("name: A\n", &[]));
    let run = s.ledger(&["due"]).fails(1);
    run.says("ledger.yaml:2:1: `cadence`");
    let run = s.ledger(&["lint"]).fails(1);
    run.shows("ledger.yaml:2:1: error[bad-config]");
}

#[test]
fn the_root_is_found_from_flag_variable_or_ancestors() {
    let s = pipeline();
    s.file("ledger.yaml", "currency: EUR\n");
    let deep = s.root().join("prospects/new");
    let run = s
        .ledger_raw(&["due", "--json", "--today", "2026-11-23"], &deep)
        .ok();
    assert_eq!(run.json()[0]["currency"], "EUR");
    let run = s
        .ledger_raw(
            &["-C", "../..", "due", "--json", "--today", "2026-11-23"],
            &deep,
        )
        .ok();
    assert_eq!(run.json().as_array().unwrap().len(), 3);
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("ledger"));
    let out = cmd
        .args(["due", "--json"])
        .env("LEDGER_DIR", s.root())
        .env("LEDGER_TODAY", "2026-11-23")
        .current_dir(s.home())
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 3);
    // A variable set empty is as good as unset: the ledger above, today.
    let run = s.ledger_env(
        &["due", "--json", "--today", "2026-11-23"],
        &deep,
        &[("LEDGER_DIR", ""), ("LEDGER_NO_CACHE", "")],
    );
    assert_eq!(run.ok().json()[0]["currency"], "EUR");
    s.ledger_env(&["due"], &deep, &[("LEDGER_TODAY", "")]).ok();
}

/// `--today` takes any date the command line takes (SPEC section 5),
/// counted from the system's date; `--within` takes a span with a `+`,
/// and `0`.
#[test]
fn today_and_within_take_the_command_line_s_dates() {
    let s = pipeline();
    let due = |args: &[&str]| -> Vec<serde_json::Value> {
        let mut all = vec!["due", "--json"];
        all.extend(args);
        let run = s.ledger_raw(&all, &s.root()).ok();
        run.json().as_array().unwrap().clone()
    };
    let system = chrono::Local::now().date_naive();
    let tomorrow = system.succ_opt().unwrap().to_string();
    assert_eq!(due(&["--today", "tomorrow"]), due(&["--today", &tomorrow]));
    assert_eq!(due(&["--today", "+1d"]), due(&["--today", &tomorrow]));
    assert_eq!(
        due(&["--today", "2026-11-23", "--within", "+2w"]),
        due(&["--today", "2026-11-23", "--within", "14d"])
    );
    assert_eq!(
        due(&["--today", "2026-11-23", "--within", "0"]),
        due(&["--today", "2026-11-23"])
    );
    s.ledger_raw(&["due", "--today", "someday"], &s.root())
        .fails(2)
        .says("`someday` is not a date");
}

#[test]
fn usage_errors_exit_2() {
    let s = pipeline();
    let run = s
        .ledger_raw(&["due", "--today", "2026-02-30"], &s.root())
        .fails(2);
    run.says("2026-02-30");
    s.ledger(&["due", "--within", "soon"]).fails(2);
    s.ledger(&["frobnicate"]).fails(2);
    s.ledger_raw(&["-C", "/nonexistent/ledger", "due"], &s.root())
        .fails(1);
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let s = pipeline();
    assert!(!s.ledger(&["due"]).ok().stdout.contains('\u{1b}'));
    assert!(s
        .ledger(&["due", "--color", "always"])
        .ok()
        .stdout
        .contains("\u{1b}[31"));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let s = Sandbox::new();
    for i in 0..3000 {
        s.file(
            &format!("p/{i:04}.md"),
            prospect(&format!("name: P{i}\n"), &[]),
        );
    }
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("ledger"))
        .args(["list", "--all", "--today", "2026-11-23", "-C"])
        .arg(s.root())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn reading_never_changes_a_file() {
    let s = pipeline();
    let before = s.read("prospects/acme.md");
    for args in [
        &["due"][..],
        &["list", "--all"],
        &["show", "acme"],
        &["lint"],
        &["due", "--json"],
    ] {
        s.ledger(args);
    }
    assert_eq!(s.read("prospects/acme.md"), before);
}

#[test]
fn hidden_folders_and_git_are_skipped() {
    let s = pipeline();
    s.command("git", &["init", "-q"]).ok();
    s.file(
        ".archive/old.md",
        prospect("name: Hidden\n", &["2026-01-01 call: x"]),
    );
    let run = s.ledger(&["lint", "--json"]).fails(1);
    assert_eq!(run.json()["prospects"], 7);
}
