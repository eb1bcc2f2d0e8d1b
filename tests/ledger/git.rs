//! The writing commands on real git repositories, checked with `git`.

use crate::support::{prospect, Sandbox};

const ACME: &str = "---\nname: Acme Corp\nstage: proposal   # moved 11-05\nvalue: 12000\nnext: 2026-11-20 # Jane's request\n---\n\n## Log\n\n- 2026-11-02 meeting: Intro\n";

fn repo() -> Sandbox {
    let s = Sandbox::new();
    s.file("prospects/acme.md", ACME)
        .file("prospects/globex.md", prospect("name: Globex\n", &[]))
        .file("notes.txt", "unrelated\n")
        .git_init();
    s
}

#[test]
fn touch_commits_only_its_file_and_leaves_the_rest_alone() {
    let s = repo();
    s.file("notes.txt", "unrelated, edited\n");
    s.file(
        "prospects/globex.md",
        prospect("name: Globex\nowner: sam\n", &[]),
    );
    s.command("git", &["add", "prospects/globex.md"]).ok();
    let run = s
        .ledger(&["touch", "acme", "call", "Left a voicemail."])
        .ok();
    run.shows("Acme Corp: due in 3 days (2026-11-26) by cadence, step 2: call");
    run.shows("committed ");
    // The written file is clean; the unrelated edit is still unstaged; the
    // staged edit is still staged and not in the commit.
    assert_eq!(
        s.git(&["status", "--porcelain"]),
        " M notes.txt\nM  prospects/globex.md\n"
    );
    assert_eq!(
        s.git(&["show", "--name-only", "--format=", "HEAD"]),
        "prospects/acme.md\n"
    );
    assert_eq!(
        s.git(&["log", "-1", "--format=%an <%ae>|%s"]),
        "Test Person <test@example.invalid>|touch prospects/acme: call\n"
    );
    s.command("git", &["fsck", "--strict"]).ok();
    assert!(s
        .read("prospects/acme.md")
        .contains("- 2026-11-23 call: Left a voicemail.\n"));
}

#[test]
fn every_writing_command_is_one_commit() {
    let s = repo();
    s.ledger(&["add", "Initech", "--value", "3000", "--tag", "saas"])
        .ok();
    s.ledger(&["set", "initech", "stage=contacted", "owner=sam"])
        .ok();
    s.ledger(&["touch", "initech", "email", "--in", "Replied"])
        .ok();
    s.ledger(&["close", "initech", "won", "--reason", "signed"])
        .ok();
    let log = s.git(&["log", "--format=%s"]);
    assert_eq!(
        log,
        "close prospects/initech: won\ntouch prospects/initech: email (in)\nset prospects/initech: stage, owner\nadd prospects/initech: Initech\nstart\n"
    );
    assert_eq!(s.git(&["status", "--porcelain"]), "");
    let text = s.read("prospects/initech.md");
    assert!(
        text.contains("stage: won\n") && text.contains("reason: signed\n"),
        "{text}"
    );
    assert!(
        text.contains("- 2026-11-23 note: Closed as won (signed), from contacted.\n"),
        "{text}"
    );
    s.command("git", &["fsck", "--strict"]).ok();
}

#[test]
fn the_first_commit_of_an_unborn_branch() {
    let s = Sandbox::new();
    s.file("prospects/acme.md", ACME);
    s.command("git", &["init", "-q", "-b", "main"]).ok();
    s.ledger(&["touch", "acme", "email"]).ok();
    assert_eq!(
        s.git(&["log", "--format=%s"]),
        "touch prospects/acme: email\n"
    );
    assert_eq!(s.git(&["ls-files"]), "prospects/acme.md\n");
}

#[test]
fn refusals_change_nothing() {
    let s = repo();
    s.file(
        "prospects/dnc.md",
        prospect(
            "name: Dnc Co\ndnc: 2026-11-10\n",
            &["2026-11-01 call: Intro"],
        ),
    );
    s.command("git", &["add", "-A"]).ok();
    s.command("git", &["commit", "-q", "-m", "dnc"]).ok();
    let head = s.git(&["rev-parse", "HEAD"]);
    let before = s.snapshot();
    let cases: [(&[&str], i32, &str); 12] = [
        (
            &["touch", "nobody", "call"],
            1,
            "no prospect matches `nobody`",
        ),
        (&["touch", "o", "call"], 1, "matches 3 prospects"),
        (
            &["touch", "acme", "call", "--date", "2026-02-30"],
            2,
            "2026-02-30",
        ),
        (
            &["touch", "acme", "call", "--date", "2026-12-01"],
            2,
            "after today",
        ),
        (&["touch", "acme", "fax"], 2, "unknown channel `fax`"),
        (
            &[
                "touch",
                "acme",
                "call",
                "--date",
                "2026-11-20",
                "--next",
                "2026-11-20",
            ],
            2,
            "--next 2026-11-20 is not after the last touch (2026-11-20)",
        ),
        // Backdated, before a touch logged later.
        (
            &[
                "touch",
                "acme",
                "call",
                "--date",
                "2026-10-01",
                "--next",
                "2026-10-15",
            ],
            2,
            "--next 2026-10-15 is not after the last touch (2026-11-02)",
        ),
        (
            &["touch", "acme", "note", "--in", "hi"],
            2,
            "a note is a remark",
        ),
        (
            &["set", "acme", "stage=maybe"],
            1,
            "stage `maybe` is not one of",
        ),
        (&["set", "acme", "value=12k"], 1, "12k"),
        (&["set", "acme", "name="], 1, "no `name`"),
        (&["touch", "dnc", "call"], 1, "asked not to be contacted"),
    ];
    for (args, code, message) in cases {
        let run = s.ledger(args).fails(code);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
    }
    s.ledger(&["close", "acme", "proposal"]).fails(2);
    s.ledger(&["set", "acme", "stage"]).fails(2);
    s.ledger(&["add", "Acme\n## Log\n- 2026-11-01 call (in): injected"])
        .fails(1);
    assert_eq!(s.snapshot(), before);
    assert_eq!(s.git(&["rev-parse", "HEAD"]), head);
    assert_eq!(s.git(&["status", "--porcelain"]), "");
    // An inbound message and a note are still welcome.
    s.ledger(&["touch", "dnc", "email", "--in", "Still no"])
        .ok();
    s.ledger(&["touch", "dnc", "note", "Respecting it"]).ok();
}

/// A file over 8 MiB, which no reading command reads, is not edited
/// either: each writing command refuses it and changes nothing.
#[test]
fn a_file_over_8_mib_is_refused_by_every_edit() {
    let s = repo();
    let mut big = ACME.replace("Acme Corp", "Big Co").into_bytes();
    big.resize(9 * 1024 * 1024, b'x');
    s.file("prospects/big.md", big);
    s.command("git", &["add", "-A"]).ok();
    s.command("git", &["commit", "-q", "-m", "big"]).ok();
    let head = s.git(&["rev-parse", "HEAD"]);
    let before = s.snapshot();
    let edits: [&[&str]; 3] = [
        &["touch", "prospects/big", "call", "hello"],
        &["set", "prospects/big", "value=5"],
        &["close", "prospects/big", "lost"],
    ];
    for args in edits {
        let run = s.ledger(args).fails(1);
        assert!(
            run.stderr.contains("over the 8 MiB a prospect file may be"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("nothing was changed"), "{}", run.stderr);
    }
    assert_eq!(s.snapshot(), before);
    assert_eq!(s.git(&["rev-parse", "HEAD"]), head);
    assert_eq!(s.git(&["status", "--porcelain"]), "");
}

/// A touch whose `--next` the file's own style cannot take (front matter
/// written as one flow mapping) is refused, not written broken; a close
/// over a close drops the old reason; an empty reason is refused.
#[test]
fn edits_never_leave_a_prospect_broken_or_stale() {
    let s = repo();
    s.file("prospects/flow.md", "---\n{name: Flow, value: 5}\n---\n");
    s.command("git", &["add", "-A"]).ok();
    s.command("git", &["commit", "-q", "-m", "flow"]).ok();
    let head = s.git(&["rev-parse", "HEAD"]);
    let before = s.snapshot();
    s.ledger(&["touch", "flow", "email", "hi", "--next", "2026-12-20"])
        .fails(1)
        .says("nothing was changed");
    s.ledger(&["close", "acme", "lost", "--reason", " "])
        .fails(2)
        .says("--reason is empty");
    assert_eq!(s.snapshot(), before);
    assert_eq!(s.git(&["rev-parse", "HEAD"]), head);
    // The flow mapping takes a touch that sets no key.
    s.ledger(&["touch", "flow", "email", "hi"]).ok();
    s.ledger(&["lint"]).ok();

    s.ledger(&["close", "acme", "lost", "--reason", "no-budget"])
        .ok();
    assert!(s.read("prospects/acme.md").contains("reason: no-budget\n"));
    s.ledger(&["close", "acme", "won"]).ok();
    let acme = s.read("prospects/acme.md");
    assert!(acme.contains("stage: won"), "{acme}");
    assert!(!acme.contains("reason:"), "{acme}");
    // A reason written by hand on an open prospect stays.
    s.file(
        "prospects/hand.md",
        prospect(
            "name: Hand\nreason: they went quiet\n",
            &["2026-11-01 call"],
        ),
    );
    s.ledger(&["close", "hand", "lost"]).ok();
    assert!(s
        .read("prospects/hand.md")
        .contains("reason: they went quiet\n"));
}

/// Nor is an edit written that would take a file past 8 MiB.
#[test]
fn an_edit_that_would_pass_8_mib_is_refused() {
    let s = repo();
    let mut near = prospect("name: Near Co\n", &["2026-11-01 call: Hi."]).into_bytes();
    near.resize(8 * 1024 * 1024 - 10, b'x');
    near.push(b'\n');
    s.file("prospects/near.md", near);
    s.command("git", &["add", "-A"]).ok();
    s.command("git", &["commit", "-q", "-m", "near"]).ok();
    let head = s.git(&["rev-parse", "HEAD"]);
    let before = s.snapshot();
    s.ledger(&[
        "touch",
        "prospects/near",
        "call",
        "a text that does not fit",
    ])
    .fails(1)
    .says("over the 8 MiB a prospect file may be; nothing was changed");
    assert_eq!(s.snapshot(), before);
    assert_eq!(s.git(&["rev-parse", "HEAD"]), head);
}

/// `reopen` undoes `close` as one commit: the stage it was closed from,
/// no reason, a note, and `next` when asked; a comment on the stage's
/// line stays.
#[test]
fn reopen_brings_a_closed_prospect_back_as_one_commit() {
    let s = repo();
    s.ledger(&["close", "acme", "lost", "--reason", "no-response"])
        .ok();
    let closed = s.read("prospects/acme.md");
    assert!(
        closed.contains("- 2026-11-23 note: Closed as lost (no-response), from proposal.\n"),
        "{closed}"
    );
    let run = s.ledger(&["reopen", "acme", "--next", "monday"]).ok();
    run.shows("Acme Corp: due in 7 days (2026-11-30): scheduled by `next`");
    assert_eq!(
        s.git(&["log", "-2", "--format=%s"]),
        "reopen prospects/acme: proposal\nclose prospects/acme: lost\n"
    );
    assert_eq!(
        s.git(&["show", "--name-only", "--format=", "HEAD"]),
        "prospects/acme.md\n"
    );
    assert_eq!(s.git(&["status", "--porcelain"]), "");
    s.command("git", &["fsck", "--strict"]).ok();
    let text = s.read("prospects/acme.md");
    assert!(text.contains("stage: proposal   # moved 11-05\n"), "{text}");
    assert!(!text.contains("reason:"), "{text}");
    assert!(text.contains("next: 2026-11-30\n"), "{text}");
    assert!(
        text.ends_with("- 2026-11-23 note: Reopened as proposal.\n"),
        "{text}"
    );
    assert_eq!(
        s.ledger(&["show", "acme", "--json"]).json()["stage"],
        "proposal"
    );
}

/// A prospect closed by hand, with no close note, goes back to
/// `contacted`; an open one is refused, and nothing changes.
#[test]
fn reopen_without_a_note_and_of_an_open_prospect() {
    let s = repo();
    s.file(
        "prospects/won.md",
        prospect(
            "name: Won By Hand\nstage: won\nreason: signed\n",
            &["2026-10-01 call (in): Yes"],
        ),
    );
    s.command("git", &["add", "-A"]).ok();
    s.command("git", &["commit", "-q", "-m", "hand"]).ok();
    s.ledger(&["reopen", "won"]).ok();
    let text = s.read("prospects/won.md");
    assert!(
        text.contains("stage: contacted\n") && !text.contains("reason"),
        "{text}"
    );
    assert_eq!(
        s.git(&["log", "-1", "--format=%s"]),
        "reopen prospects/won: contacted\n"
    );

    let head = s.git(&["rev-parse", "HEAD"]);
    let before = s.snapshot();
    s.ledger(&["reopen", "acme"])
        .fails(1)
        .says("prospects/acme is not closed (its stage is proposal)");
    s.ledger(&["reopen", "nobody"])
        .fails(1)
        .says("no prospect matches");
    s.ledger(&["reopen", "acme", "--next", "someday"]).fails(2);
    assert_eq!(s.snapshot(), before);
    assert_eq!(s.git(&["rev-parse", "HEAD"]), head);
}

#[test]
fn no_identity_or_a_merge_in_progress_refuse_before_writing() {
    let s = repo();
    std::fs::write(s.home().join(".gitconfig"), "").unwrap();
    let run = s.ledger(&["touch", "acme", "call"]).fails(1);
    run.says("no git identity");
    assert_eq!(s.read("prospects/acme.md"), ACME);
    // --no-commit needs no identity.
    s.ledger(&["touch", "acme", "call", "--no-commit"]).ok();
    assert_ne!(s.read("prospects/acme.md"), ACME);

    let s = repo();
    let head = s.git(&["rev-parse", "HEAD"]);
    std::fs::write(s.root().join(".git/MERGE_HEAD"), &head).unwrap();
    let run = s.ledger(&["touch", "acme", "call"]).fails(1);
    run.says("a merge is in progress");
    assert_eq!(s.read("prospects/acme.md"), ACME);
}

#[test]
fn outside_git_the_write_happens_and_says_so() {
    let s = Sandbox::new();
    s.file("prospects/acme.md", ACME);
    let run = s.ledger(&["touch", "acme", "call"]).ok();
    run.says("not committed:");
    assert!(s.read("prospects/acme.md").contains("- 2026-11-23 call\n"));
}

#[test]
fn commit_records_hand_edits_by_id() {
    let s = repo();
    s.file("prospects/acme.md", ACME.replace("Intro", "Intro call"));
    s.file("prospects/new.md", prospect("name: New\n", &[]));
    s.file("ledger.yaml", "currency: EUR\n");
    let run = s.ledger(&["commit"]).ok();
    run.shows("committed");
    assert_eq!(
        s.git(&["log", "-1", "--format=%s"]),
        "commit ledger.yaml, prospects/acme, prospects/new: hand edits\n"
    );
    assert_eq!(s.git(&["status", "--porcelain"]), "");
    assert_eq!(
        s.ledger(&["commit"]).ok().stdout,
        "No hand edits to commit.\n"
    );
    // Many edits: the subject names the first few, the body every one.
    for i in 0..8 {
        s.file(
            &format!("prospects/p{i}.md"),
            prospect(&format!("name: P{i}\n"), &[]),
        );
    }
    s.ledger(&["commit"]).ok();
    assert_eq!(
        s.git(&["log", "-1", "--format=%s"]),
        "commit prospects/p0, prospects/p1, prospects/p2, prospects/p3, prospects/p4 \
         and 3 more: hand edits\n"
    );
    let body = s.git(&["log", "-1", "--format=%b"]);
    let ids: Vec<String> = (0..8).map(|i| format!("prospects/p{i}")).collect();
    assert_eq!(body.trim_end().lines().collect::<Vec<_>>(), ids);
}

#[test]
fn init_makes_a_ledger_and_its_first_commit() {
    let s = Sandbox::new();
    let run = s.ledger_raw(&["init", "sales"], &s.root()).ok();
    run.shows("Started a ledger");
    let dir = s.root().join("sales");
    assert!(dir.join("prospects").is_dir());
    let settings = std::fs::read_to_string(dir.join("ledger.yaml")).unwrap();
    assert!(
        settings.contains("cadence: [2d email") && settings.contains("# "),
        "{settings}"
    );
    let log = std::process::Command::new("git")
        .args(["log", "--format=%s"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&log.stdout), "init: ledger\n");
    let again = s.ledger_raw(&["init", "sales"], &s.root()).ok();
    again.shows("already a ledger");
    s.ledger_raw(
        &["-C", "sales", "add", "Acme", "--today", "2026-11-23"],
        &s.root(),
    )
    .ok();
}

/// `init` refuses a bare repository (git would then find a repository
/// made inside it first, hiding the team's), git's own folder, and a
/// repository that cannot take a commit, before it writes anything; and
/// one it made for a folder whose commit it cannot make, it takes back.
#[test]
fn init_refuses_before_it_writes() {
    let s = Sandbox::new();
    s.command("git", &["init", "-q", "--bare", "team.git"]).ok();
    let bare = s.root().join("team.git");
    let before = crate::support::files_under(&bare);
    s.ledger_raw(&["init", "team.git"], &s.root())
        .fails(1)
        .says("bare git repository")
        .says("clone it");
    assert_eq!(crate::support::files_under(&bare), before);

    s.command("git", &["init", "-q", "-b", "main", "work"]).ok();
    let work = s.root().join("work");
    s.ledger_raw(&["init", ".git"], &work)
        .fails(1)
        .says("inside git's own folder");
    assert!(!work.join(".git/ledger.yaml").exists());
    std::fs::write(work.join(".git/index.lock"), "").unwrap();
    s.ledger_raw(&["init", "."], &work)
        .fails(1)
        .says("index.lock");
    std::fs::remove_file(work.join(".git/index.lock")).unwrap();
    assert_eq!(crate::support::files_under(&work), []);

    let nobody = s.root().join("nobody");
    std::fs::create_dir_all(&nobody).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ledger"));
    crate::support::seal(&mut cmd, &nobody);
    let run = cmd
        .args(["init", "fresh"])
        .current_dir(s.root())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    assert!(String::from_utf8_lossy(&run.stderr).contains("no git identity"));
    assert!(!s.root().join("fresh").exists());
}

/// What `ledger` commits is what `git add` would make of the file: with
/// `core.autocrlf` a CRLF prospect is stored with LF, an executable file
/// keeps its mode, and the work tree is clean after; a file behind a
/// filter driver, which libgit2 cannot run, is refused.
#[test]
fn commits_agree_with_what_git_add_makes() {
    let s = repo();
    s.git(&["config", "core.autocrlf", "true"]);
    s.file(
        "prospects/beta.md",
        "---\r\nname: Beta\r\nadded: 2026-11-01\r\n---\r\n\r\n## Log\r\n",
    );
    s.git(&["add", "prospects/beta.md"]);
    s.git(&["commit", "-q", "-m", "beta"]);
    s.ledger(&["touch", "beta", "call", "hi"]).ok();
    assert_eq!(s.git(&["status", "--porcelain"]), "");
    let stored = s.git(&["show", "HEAD:prospects/beta.md"]);
    assert!(
        stored.contains("call: hi\n") && !stored.contains('\r'),
        "{stored:?}"
    );
    assert!(s.read("prospects/beta.md").contains("call: hi\r\n"));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let acme = s.root().join("prospects/acme.md");
        std::fs::set_permissions(&acme, std::fs::Permissions::from_mode(0o755)).unwrap();
        s.ledger(&["touch", "acme", "email", "x"]).ok();
        assert_eq!(s.git(&["status", "--porcelain"]), "");
        let tree = s.git(&["ls-tree", "HEAD", "prospects/acme.md"]);
        assert!(tree.starts_with("100755"), "{tree}");
    }

    // A driver named but not set up: git stores the bytes as they are.
    s.file(".gitattributes", "*.md filter=redact\n");
    s.git(&["add", ".gitattributes"]);
    s.git(&["commit", "-q", "-m", "attrs"]);
    s.ledger(&["set", "acme", "owner=sam"]).ok();
    assert_eq!(s.git(&["status", "--porcelain"]), "");
    s.git(&["config", "filter.redact.clean", "sed s/SECRET/XXXX/"]);
    s.git(&["config", "filter.redact.smudge", "cat"]);
    let head = s.git(&["rev-parse", "HEAD"]);
    let before = s.snapshot();
    s.ledger(&["set", "acme", "phone=SECRET-555"])
        .fails(1)
        .says("prospects/acme.md goes through the git filter `redact`");
    assert_eq!(s.git(&["rev-parse", "HEAD"]), head);
    assert_eq!(s.snapshot(), before);
}

/// A repository kept apart from its work tree (`GIT_DIR`, `GIT_WORK_TREE`,
/// as vcsh and yadm keep them) is the one `ledger` writes to, as every git
/// command does: no second repository is made in the work tree.
#[test]
fn git_dir_and_work_tree_from_the_environment() {
    let s = Sandbox::new();
    let git_dir = s.root().join("kept.git");
    let work = s.root().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let git_dir_text = git_dir.to_str().unwrap();
    let work_text = work.to_str().unwrap();
    let env = [("GIT_DIR", git_dir_text), ("GIT_WORK_TREE", work_text)];
    s.command("git", &["init", "-q", "--bare", "-b", "main", git_dir_text])
        .ok();
    s.command(
        "git",
        &["--git-dir", git_dir_text, "config", "core.bare", "false"],
    )
    .ok();
    s.ledger_env(&["init", "."], &work, &env).ok();
    // A relative GIT_WORK_TREE is taken from where the command runs.
    let relative = [("GIT_DIR", git_dir_text), ("GIT_WORK_TREE", ".")];
    s.ledger_env(&["add", "Acme", "--today", "2026-11-23"], &work, &relative)
        .ok();
    assert!(!work.join(".git").exists());
    // A GIT_DIR that names no repository is an error, never a reason to
    // make one.
    let nowhere = s.root().join("nowhere");
    let nowhere = [("GIT_DIR", nowhere.to_str().unwrap())];
    s.ledger_env(&["init", "other"], &work, &nowhere)
        .fails(1)
        .says("GIT_DIR names");
    assert!(!work.join("other").exists());
    let git = |args: &[&str]| {
        let mut all = vec!["--git-dir", git_dir_text, "--work-tree", work_text];
        all.extend(args);
        s.command("git", &all).ok().stdout
    };
    assert_eq!(
        git(&["log", "--format=%s"]),
        "add prospects/acme: Acme\ninit: ledger\n"
    );
    assert_eq!(git(&["status", "--porcelain"]), "");
}

/// A `.gitattributes` that is a link is left a link (the commit changes
/// no file's type), and `init` says what line it lacks.
#[cfg(unix)]
#[test]
fn init_leaves_a_linked_gitattributes_alone() {
    let s = Sandbox::new();
    s.file("shared-attrs", "*.png binary\n");
    std::os::unix::fs::symlink("shared-attrs", s.root().join(".gitattributes")).unwrap();
    s.git_init();
    s.ledger_raw(&["init", "."], &s.root())
        .ok()
        .says("add to it: *.md merge=ledger");
    assert!(std::fs::symlink_metadata(s.root().join(".gitattributes"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(s.read("shared-attrs"), "*.png binary\n");
    assert_eq!(
        s.git(&["diff", "HEAD~1", "HEAD", "--summary"]),
        " create mode 100644 ledger.yaml\n"
    );
}

#[test]
fn twenty_touches_at_once_lose_nothing() {
    let s = Sandbox::new();
    s.file("prospects/busy.md", prospect("name: Busy\n", &[]));
    for i in 0..10 {
        s.file(
            &format!("prospects/p{i}.md"),
            prospect(&format!("name: P{i}\n"), &[]),
        );
    }
    s.git_init();
    let bin = assert_cmd::cargo::cargo_bin("ledger");
    let children: Vec<_> = (0..20)
        .map(|i| {
            let target = if i < 10 {
                "prospects/busy".to_owned()
            } else {
                format!("prospects/p{}", i - 10)
            };
            std::process::Command::new(&bin)
                .args([
                    "touch",
                    &target,
                    "call",
                    &format!("call number {i}"),
                    "--today",
                    "2026-11-23",
                ])
                .current_dir(s.root())
                .env("HOME", s.home())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env_remove("GIT_DIR")
                .env_remove("LEDGER_DIR")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let busy = s.read("prospects/busy.md");
    for i in 0..10 {
        assert!(busy.contains(&format!("call: call number {i}\n")), "{busy}");
        assert!(s
            .read(&format!("prospects/p{i}.md"))
            .contains(&format!("call number {}", i + 10)));
    }
    assert_eq!(busy.matches("- 2026-11-23 call").count(), 10);
    assert_eq!(s.git(&["rev-list", "--count", "HEAD"]), "21\n");
    assert_eq!(s.git(&["status", "--porcelain"]), "");
    s.command("git", &["fsck", "--strict"]).ok();
}

#[test]
fn add_follows_a_layout_by_initials() {
    let s = repo();
    std::fs::create_dir_all(s.root().join("prospects/i/in")).unwrap();
    std::fs::create_dir_all(s.root().join("prospects/h")).unwrap();
    let adds_as = |name: &str, path: &str| {
        let run = s.ledger(&["add", name]).ok();
        run.shows(&format!("as {path}"));
    };
    adds_as("Initech", "prospects/i/in/initech.md");
    adds_as("Hooli", "prospects/h/hooli.md");
    adds_as("Umbrella", "prospects/umbrella.md");
    s.ledger(&["touch", "initech", "call"]).ok();
    assert_eq!(
        s.git(&["log", "-1", "--format=%s"]),
        "touch prospects/i/in/initech: call\n"
    );

    // A folder split by a third letter is followed too.
    std::fs::create_dir_all(s.root().join("prospects/i/in/ini")).unwrap();
    adds_as("Initrode", "prospects/i/in/ini/initrode.md");
    adds_as("Intertrode", "prospects/i/in/intertrode.md");
}

/// A touch on or after the day `next` asked for is that follow-up, and
/// clears it; a note is no touch, and leaves the follow-up in force.
#[test]
fn a_note_leaves_the_follow_up_next_asked_for() {
    let s = repo();
    let run = s
        .ledger(&["touch", "acme", "note", "Read their annual report."])
        .ok();
    run.shows("Acme Corp: due 3 days ago (2026-11-20): scheduled by `next`");
    let text = s.read("prospects/acme.md");
    assert!(
        text.contains("next: 2026-11-20 # Jane's request\n"),
        "{text}"
    );
    assert_eq!(s.git(&["status", "--porcelain"]), "");
    let shown = s.ledger(&["show", "acme", "--json"]).ok().json();
    assert_eq!(shown["due_reason"], "scheduled", "{shown}");
    s.ledger(&["touch", "acme", "call", "Spoke to Jane."]).ok();
    let text = s.read("prospects/acme.md");
    assert!(!text.contains("next:"), "{text}");
}

/// `add` refuses a name a prospect has already, in any case, wherever its
/// file is and whatever it is called (SPEC section 10), with the cache
/// and without; nothing is written or committed.
#[test]
fn add_refuses_a_name_already_in_the_ledger_under_any_file_name() {
    let s = repo();
    s.file(
        "clients/zz.md",
        prospect("name: Ōsaka Trading\nstage: lead\n", &[]),
    );
    s.git(&["add", "-A"]);
    s.git(&["commit", "-q", "-m", "filed by hand"]);
    s.ledger(&["due"]).ok();
    let head = s.git(&["rev-parse", "HEAD"]);
    let before = s.snapshot();
    for cache in [&[][..], &["--no-cache"]] {
        let mut args = vec!["add", "ŌSAKA TRADING"];
        args.extend(cache);
        s.ledger(&args)
            .fails(1)
            .says("clients/zz.md has that name already (Ōsaka Trading); nothing was changed")
            .says("hint: `ledger show clients/zz` shows it");
        assert_eq!(s.snapshot(), before);
        assert_eq!(s.git(&["rev-parse", "HEAD"]), head);
    }
    // Another name is added as ever.
    s.ledger(&["add", "Ōsaka Trading Two"]).ok();
    assert_eq!(s.git(&["status", "--porcelain"]), "");
}

/// A plain `git merge` where the prospect merge is not registered (a
/// fresh clone before `ledger init`) leaves git's conflict markers; once
/// committed blindly, `lint` names them as an error at their first line,
/// and the prospect still counts.
#[test]
fn conflict_markers_a_plain_git_merge_leaves_are_an_error() {
    let s = repo();
    let git = |args: &[&str]| s.command("git", args).ok();
    git(&["checkout", "-q", "-b", "other"]);
    s.file(
        "prospects/acme.md",
        format!("{ACME}- 2026-11-10 call: Ольга called back.\n"),
    );
    git(&["commit", "-qam", "other side"]);
    git(&["checkout", "-q", "main"]);
    s.file(
        "prospects/acme.md",
        format!("{ACME}- 2026-11-12 email: Sent the deck.\n"),
    );
    git(&["commit", "-qam", "this side"]);
    let merge = s.command("git", &["merge", "-q", "other"]);
    assert_ne!(merge.code, 0, "{merge:#?}");
    git(&["commit", "-qam", "merged without a look"]);
    let text = s.read("prospects/acme.md");
    let line = 1 + text
        .lines()
        .position(|l| l.starts_with("<<<<<<< "))
        .unwrap();
    let lint = s.ledger(&["lint"]).fails(1);
    lint.shows(&format!(
        "prospects/acme.md:{line}:1: error[conflict]: git's conflict markers"
    ));
    s.ledger(&["lint", "--json"])
        .fails(1)
        .shows("\"code\": \"conflict\"");
    s.ledger(&["list"]).ok().shows("Acme Corp");
    // The text alone, without a closing marker, is not taken for one.
    s.file(
        "prospects/acme.md",
        format!("{ACME}- 2026-11-12 note: <<<<<<< not a marker\n"),
    );
    s.ledger(&["lint"]).ok();
}
