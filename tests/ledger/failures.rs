//! Writes that fail, or are stopped, at any step change nothing, or are
//! finished by the next command (SPEC section 7, "Failures change
//! nothing"), checked on real repositories with the `git` command line.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::support::{prospect, Run, Sandbox};

/// A ledger in a git repository: one prospect, committed.
fn repo() -> Sandbox {
    let s = Sandbox::new();
    s.file(
        "prospects/acme.md",
        prospect(
            "name: Acme Corp\nvalue: 12000\nnext: 2026-11-20\n",
            &["2026-11-02 meeting: Intro"],
        ),
    );
    s.git_init();
    s
}

/// `touch acme call TEXT`, stopped at once (as by `kill -9`) after the
/// write's step `step` (see `LEDGER_STOP_AFTER`).
#[track_caller]
fn stopped_touch(s: &Sandbox, text: &str, step: &str) {
    let args = ["touch", "acme", "call", text, "--today", "2026-11-23"];
    let stopped = s.ledger_env(&args, &s.root(), &[("LEDGER_STOP_AFTER", step)]);
    assert_ne!(stopped.code, 0, "{step}: {stopped:#?}");
}

/// HEAD, every branch, the index, the status and every file's bytes.
type State = (String, String, String, String, Vec<(String, Vec<u8>)>);

/// Everything a failed command must leave as it was.
fn state(s: &Sandbox) -> State {
    (
        s.git(&["rev-parse", "HEAD"]),
        s.git(&["for-each-ref"]),
        s.git(&["ls-files", "--stage"]),
        s.git(&["status", "--porcelain"]),
        s.snapshot(),
    )
}

/// The repository is whole and nothing is left staged or changed.
#[track_caller]
fn clean(s: &Sandbox) {
    s.command("git", &["fsck", "--strict", "--no-dangling"])
        .ok();
    assert_eq!(s.git(&["status", "--porcelain"]), "");
    s.ledger(&["lint"]).ok();
}

#[test]
fn a_stale_index_or_branch_lock_changes_nothing_and_says_what_to_do() {
    for lock in [".git/index.lock", ".git/refs/heads/main.lock"] {
        let s = repo();
        let before = state(&s);
        fs::write(s.root().join(lock), "").unwrap();
        let run = s.ledger(&["touch", "acme", "call", "x"]).fails(1);
        run.says(lock).says("no process holds it").says("rm '");
        s.ledger(&["set", "acme", "value=5"]).fails(1).says(lock);
        s.ledger(&["add", "Globex"]).fails(1).says(lock);
        assert_eq!(state(&s), before, "{lock}");
        fs::remove_file(s.root().join(lock)).unwrap();
        s.ledger(&["touch", "acme", "call", "x"]).ok();
        clean(&s);
        assert_eq!(
            s.git(&["log", "-1", "--format=%s"]),
            "touch prospects/acme: call\n"
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_lock_a_live_git_process_holds_is_named_with_its_process() {
    let s = repo();
    let before = state(&s);
    let lock = s.root().join(".git/index.lock");
    let mut holder = Command::new("sh")
        .arg("-c")
        .arg(format!("exec 3>'{}'; sleep 30", lock.display()))
        .spawn()
        .unwrap();
    while !lock.exists() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let run = s.ledger(&["touch", "acme", "call", "x"]);
    holder.kill().unwrap();
    holder.wait().unwrap();
    run.fails(1).says("is held by process");
    fs::remove_file(&lock).unwrap();
    assert_eq!(state(&s), before);
}

/// `touch`, stopped at once (as by `kill -9`) after each step of its
/// write: the next command finds the repository whole, with the touch
/// either done (committed, its entry in the file) or not done at all.
#[test]
fn a_write_stopped_after_any_step_is_finished_or_undone() {
    // Before the journal: nothing was written; after the files reached the
    // disk, the write is finished.
    let cases = [
        ("prepare", false),
        ("journal", false),
        ("file:1", true),
        ("files", true),
        ("index", true),
        ("branch", true),
    ];
    for (step, done) in cases {
        for (command, message) in [
            (
                &["touch", "acme", "call", "Stopped touch."][..],
                "touch prospects/acme: call",
            ),
            (&["set", "acme", "owner=sam"], "set prospects/acme: owner"),
            (
                &["add", "Globex Corp", "--value", "40000"],
                "add prospects/globex-corp: Globex Corp",
            ),
        ] {
            let s = repo();
            let mut args = command.to_vec();
            args.extend(["--today", "2026-11-23"]);
            let stopped = s.ledger_env(&args, &s.root(), &[("LEDGER_STOP_AFTER", step)]);
            assert_ne!(stopped.code, 0, "{step} {command:?}: {stopped:#?}");
            // The next command, of another kind, finishes or undoes it.
            s.ledger(&["touch", "acme", "email", "Next command."]).ok();
            clean(&s);
            let log = s.git(&["log", "--format=%s"]);
            let committed = log.lines().any(|l| l == message);
            assert_eq!(committed, done, "{step} {command:?}: {log}");
            let acme = s.read("prospects/acme.md");
            let changed = match command[0] {
                "touch" => acme.contains("call: Stopped touch."),
                "set" => acme.contains("owner: sam"),
                _ => s.root().join("prospects/globex-corp.md").exists(),
            };
            assert_eq!(changed, done, "{step} {command:?}: {acme}");
            assert!(acme.contains("email: Next command."));
            // Nothing of the stopped write is left about.
            let leftovers: Vec<String> = s
                .snapshot()
                .into_iter()
                .map(|(path, _)| path)
                .filter(|p| p.contains(".ledger-"))
                .collect();
            assert!(leftovers.is_empty(), "{step} {command:?}: {leftovers:?}");
            for name in ["ledger-write.json", "ledger-index.bak", "index.lock"] {
                assert!(!s.root().join(".git").join(name).exists(), "{step}: {name}");
            }
        }
    }
}

/// A `ledger` stopped inside git's own write leaves git's lock file; the
/// next `ledger` command knows it for its own (the journal says a write was
/// under way and no process holds the lock) and finishes the write.
#[test]
fn a_lock_left_by_a_stopped_ledger_is_cleared_by_the_next() {
    let s = repo();
    stopped_touch(&s, "Stopped.", "files");
    fs::write(s.root().join(".git/refs/heads/main.lock"), "").unwrap();
    fs::write(s.root().join(".git/index.lock"), "").unwrap();
    s.ledger(&["touch", "acme", "email", "Next."]).ok();
    clean(&s);
    assert_eq!(
        s.git(&["log", "-2", "--format=%s"]),
        "touch prospects/acme: email\ntouch prospects/acme: call\n"
    );
}

/// The same on a disk that is full at every step of the write: a small
/// file system (tmpfs, where the machine lets a test mount one) filled
/// to leave less and less room. Each touch either succeeds whole or
/// fails and changes nothing; retries never log an entry twice.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_at_any_step_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mount = dir.path().join("disk");
    fs::create_dir_all(&mount).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&mount)
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        eprintln!("skipped: this machine does not let a test mount a tmpfs");
        return;
    }
    let result = std::panic::catch_unwind(|| full_disk_rounds(&mount));
    let _ = Command::new("umount").arg(&mount).status();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

fn full_disk_rounds(mount: &Path) {
    let mut outcomes = (0, 0);
    for free_kb in [0u64, 4, 8, 12, 16, 20, 24, 32, 48, 64, 96, 128] {
        let s = repo();
        let ledger = mount.join("ledger");
        let _ = fs::remove_dir_all(&ledger);
        let copied = Command::new("cp")
            .arg("-a")
            .arg(s.root())
            .arg(&ledger)
            .status()
            .unwrap();
        assert!(copied.success());
        // Fill the disk, then free what the round allows.
        let filler = mount.join("filler");
        let _ = fs::remove_file(&filler);
        let _ = Command::new("dd")
            .args(["if=/dev/zero", "bs=4096", "status=none"])
            .arg(format!("of={}", filler.display()))
            .stderr(std::process::Stdio::null())
            .status();
        let filled = fs::metadata(&filler).map(|m| m.len()).unwrap_or(0);
        let _ = Command::new("truncate")
            .args(["-s", &(filled.saturating_sub(free_kb * 1024)).to_string()])
            .arg(&filler)
            .status();
        let on = |args: &[&str]| -> Run {
            let mut all = args.to_vec();
            all.extend(["--today", "2026-11-23"]);
            s.ledger_raw(&all, &ledger)
        };
        let git = |args: &[&str]| -> String {
            let mut cmd = Command::new("git");
            cmd.args(args).current_dir(&ledger).env("HOME", s.home());
            String::from_utf8_lossy(&cmd.output().unwrap().stdout).into_owned()
        };
        let look = || {
            (
                git(&["rev-parse", "HEAD"]),
                git(&["ls-files", "--stage"]),
                git(&["status", "--porcelain"]),
                fs::read(ledger.join("prospects/acme.md")).unwrap(),
            )
        };
        for _ in 0..3 {
            let before = look();
            let run = on(&["touch", "acme", "call", "Full disk."]);
            assert!(!run.stderr.contains("panicked"), "{run:#?}");
            if run.code == 0 {
                outcomes.0 += 1;
                assert_eq!(git(&["status", "--porcelain"]), "", "{free_kb} KB free");
            } else {
                outcomes.1 += 1;
                assert_eq!(look(), before, "{free_kb} KB free: {run:#?}");
                // One file named, and what to do.
                assert!(!run.stderr.contains("at path"), "{run:#?}");
                assert!(
                    run.stderr.contains("hint: free some space on the disk"),
                    "{run:#?}"
                );
            }
        }
        let text = fs::read_to_string(ledger.join("prospects/acme.md")).unwrap();
        let logged = text.matches("call: Full disk.").count();
        let committed = git(&["log", "--format=%s"])
            .lines()
            .filter(|l| l.starts_with("touch "))
            .count();
        assert_eq!(logged, committed, "{free_kb} KB free: {text}");
        let _ = fs::remove_file(&filler);
        let fsck = Command::new("git")
            .args(["fsck", "--strict", "--no-dangling"])
            .current_dir(&ledger)
            .output()
            .unwrap();
        assert!(fsck.status.success(), "{free_kb} KB free: {fsck:?}");
        assert_eq!(git(&["status", "--porcelain"]), "", "{free_kb} KB free");
    }
    // The rounds reached both ends: some touches had room, some had none.
    assert!(outcomes.0 > 0 && outcomes.1 > 0, "{outcomes:?}");
}

/// A write stopped before it finished (here a journal cut short) is named
/// by the reading commands, which cannot finish it, with what to do; the
/// next writing command clears it.
#[test]
fn reading_commands_name_a_stopped_write() {
    let s = crate::support::Sandbox::new();
    s.file("ledger.yaml", "currency: USD\n")
        .file(
            "prospects/acme.md",
            crate::support::prospect("name: Acme\n", &[]),
        )
        .git_init();
    std::fs::write(s.root().join(".git/ledger-write.json"), "{").unwrap();
    for args in [
        &["due"][..],
        &["list"],
        &["lint"],
        &["stats"],
        &["export", "csv"],
    ] {
        let run = s.ledger(args).ok();
        run.says("warning: a write or a sync was stopped before it finished");
    }
    s.ledger(&["commit"]).ok();
    assert!(!s.root().join(".git/ledger-write.json").exists());
    let run = s.ledger(&["due"]).ok();
    assert!(!run.stderr.contains("warning"), "{run:#?}");
}

/// A write stopped before or after its files, then a hand edit of the
/// same file: the next command keeps the edit (the newest word on the
/// file) rather than putting back the old file over it.
#[test]
fn a_hand_edit_after_a_stopped_write_is_kept() {
    for step in ["journal", "files"] {
        let s = repo();
        stopped_touch(&s, "Stopped.", step);
        // An editor saves the file whole, under a new inode.
        let edited = format!(
            "{}- 2026-11-23 email (in): Jane replied: send the contract.\n",
            s.read("prospects/acme.md")
        );
        let tmp = s.root().join("edit.tmp");
        fs::write(&tmp, &edited).unwrap();
        fs::rename(&tmp, s.root().join("prospects/acme.md")).unwrap();
        s.ledger(&["commit"]).ok();
        clean(&s);
        assert_eq!(s.read("prospects/acme.md"), edited, "{step}");
        let committed = s.git(&["show", "HEAD:prospects/acme.md"]);
        assert!(committed.contains("Jane replied"), "{step}: {committed}");
        assert!(!s.root().join(".git/ledger-index.bak").exists());
    }
}

/// A write whose staging fails leaves no copy of the index behind, and a
/// write stopped later never puts an older index back over the user's.
#[test]
fn a_failed_stage_leaves_no_index_to_put_back_later() {
    let s = repo();
    s.file("team.txt", "v1\n");
    s.git(&["add", "team.txt"]);
    s.git(&["commit", "-q", "-m", "v1"]);
    // libgit2 cannot write a split index: staging fails.
    s.git(&["update-index", "--split-index"]);
    s.ledger(&["touch", "acme", "call", "one"])
        .fails(1)
        .says("index");
    assert!(!s.root().join(".git/ledger-index.bak").exists());
    s.git(&["update-index", "--no-split-index"]);
    s.file("team.txt", "v2\n");
    s.git(&["commit", "-q", "-a", "-m", "v2"]);
    stopped_touch(&s, "two", "journal");
    s.ledger(&["commit"]).ok();
    clean(&s);
    assert_eq!(s.git(&["show", ":team.txt"]), "v2\n");
}

/// A conflict left in the index without a merge under way (`git stash
/// pop`) is not committed as resolved, markers and all: the write is
/// refused and changes nothing, and `ledger commit` says so too.
#[test]
fn a_conflicted_prospect_is_not_written_or_committed() {
    let s = repo();
    fs::OpenOptions::new()
        .append(true)
        .open(s.root().join("prospects/acme.md"))
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"\nMet at the fair.\n"))
        .unwrap();
    s.git(&["commit", "-q", "-a", "-m", "desc"]);
    let acme = s.read("prospects/acme.md");
    s.file(
        "prospects/acme.md",
        acme.replace("the fair", "the Boston fair"),
    );
    s.git(&["stash", "-q"]);
    s.file(
        "prospects/acme.md",
        acme.replace("the fair", "the Paris fair"),
    );
    s.git(&["commit", "-q", "-a", "-m", "paris"]);
    s.command("git", &["stash", "pop"]).fails(1);
    let before = state(&s);
    assert!(before.3.contains("UU prospects/acme.md"), "{}", before.3);
    s.ledger(&["touch", "acme", "call", "hi"])
        .fails(1)
        .says("prospects/acme.md has a conflict");
    s.ledger(&["commit"])
        .fails(1)
        .says("prospects/acme.md has a conflict");
    assert_eq!(state(&s), before);
}

/// A write stopped once its branch had moved, then a hand edit of its
/// file: the next command finishes the write and leaves the edit as any
/// edit after a commit is, unstaged.
#[test]
fn a_hand_edit_after_a_landed_write_stays_unstaged() {
    let s = repo();
    stopped_touch(&s, "Landed.", "branch");
    let edited = format!(
        "{}- 2026-11-23 note: By hand.\n",
        s.read("prospects/acme.md")
    );
    s.file("prospects/acme.md", &edited);
    s.ledger(&["add", "Globex"]).ok();
    assert_eq!(s.git(&["status", "--porcelain"]), " M prospects/acme.md\n");
    assert_eq!(s.read("prospects/acme.md"), edited);
    let committed = s.git(&["show", "HEAD~1:prospects/acme.md"]);
    assert!(committed.contains("call: Landed.") && !committed.contains("By hand"));
}

/// `ledger commit` of a hand edit (as `sync` commits them first), stopped
/// after each step, with git's branch lock and a temporary file left as a
/// process stopped inside them leaves them: the next command finishes the
/// commit and clears what was left, never leaving the edit staged and not
/// committed.
#[test]
fn a_commit_of_hand_edits_stopped_after_any_step_is_finished() {
    for step in ["journal", "index"] {
        let s = repo();
        let edited = s
            .read("prospects/acme.md")
            .replace("value: 12000", "value: 15000");
        s.file("prospects/acme.md", edited.clone());
        let stopped = s.ledger_env(&["commit"], &s.root(), &[("LEDGER_STOP_AFTER", step)]);
        assert_ne!(stopped.code, 0, "{step}: {stopped:#?}");
        assert!(s.root().join(".git/ledger-write.json").exists(), "{step}");
        fs::write(s.root().join(".git/refs/heads/main.lock"), "").unwrap();
        fs::write(s.root().join(".git/.ledger-Ab12.tmp"), "").unwrap();
        s.ledger(&["touch", "acme", "email", "Next."]).ok();
        clean(&s);
        assert_eq!(
            s.git(&["log", "-3", "--format=%s"]),
            "touch prospects/acme: email\ncommit prospects/acme: hand edit\nstart\n",
            "{step}"
        );
        assert_eq!(
            s.git(&["show", "HEAD~1:prospects/acme.md"]),
            edited,
            "{step}"
        );
        for name in [
            "ledger-write.json",
            "ledger-index.bak",
            "refs/heads/main.lock",
            ".ledger-Ab12.tmp",
        ] {
            assert!(!s.root().join(".git").join(name).exists(), "{step}: {name}");
        }
    }
}
