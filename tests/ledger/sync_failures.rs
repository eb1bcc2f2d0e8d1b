//! `ledger sync` when things go wrong (SPEC section 7, "Failures change
//! nothing"): ten clones pushing at the same moment, and a sync killed part
//! way. `git daemon` listens on 127.0.0.1 only and stops by itself.

use std::fs;
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use crate::network::{closed_port, SERVER_LIFETIME};
use crate::support::{seal, Run};
use crate::sync::Team;

/// `git daemon` serving a folder on 127.0.0.1, pushes allowed; it stops
/// when dropped, or by itself.
struct Daemon {
    child: Child,
    port: u16,
}

impl Daemon {
    fn start(team: &Team) -> Daemon {
        let port = closed_port();
        let base = team.dir.path();
        let mut cmd = Command::new("timeout");
        seal(&mut cmd, &team.home());
        cmd.arg(SERVER_LIFETIME.as_secs().to_string())
            .args(["git", "daemon", "--reuseaddr", "--listen=127.0.0.1"])
            .arg(format!("--port={port}"))
            .arg(format!("--base-path={}", base.display()))
            .args([
                "--export-all",
                "--enable=receive-pack",
                "--informative-errors",
            ])
            .arg(base);
        // What it says of each connection is not the test's business.
        cmd.stderr(Stdio::null());
        let child = cmd.spawn().unwrap();
        let daemon = Daemon { child, port };
        let until = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < until, "git daemon did not start");
            thread::sleep(Duration::from_millis(50));
        }
        daemon
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // `timeout` hands a TERM on to the daemon (a KILL would not reach it).
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// Ten clones each log a touch on the same prospect and add one of their
/// own, then all sync at the same moment, half through `git daemon` and
/// half straight to the folder, and again until none has anything to do:
/// the remote has every entry and every prospect, all ten stand on the
/// same commit, and nothing clashed or was lost on the way.
#[test]
fn ten_teammates_syncing_at_once_lose_nothing() {
    let team = Team::new();
    let daemon = Daemon::start(&team);
    let clones: Vec<String> = (0..10).map(|n| format!("T{n}")).collect();
    for (n, who) in clones.iter().enumerate() {
        team.join(who);
        if n % 2 == 0 {
            let url = format!("git://127.0.0.1:{}/remote.git", daemon.port);
            team.git(who, &["remote", "set-url", "origin", &url]);
        }
        team.ledger(who, &["add", &format!("Client {n}")]).ok();
        team.ledger(who, &["touch", "acme", "call", &format!("From {who}.")])
            .ok();
    }

    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds <= 10, "still syncing after 10 rounds");
        let barrier = Barrier::new(clones.len());
        let runs: Vec<Run> = thread::scope(|scope| {
            let handles: Vec<_> = clones
                .iter()
                .map(|who| {
                    let (team, barrier) = (&team, &barrier);
                    scope.spawn(move || {
                        barrier.wait();
                        team.ledger(who, &["sync"])
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for run in &runs {
            // Ten at once may wear out the tries: that is said, and
            // changes nothing; the next round takes it up.
            if run.code != 0 {
                run.says("Tried 5 times (others may be pushing at the same moment)");
            }
            assert!(!run.stderr.contains("clash"), "{run:#?}");
            assert!(!run.stdout.contains("committed"), "{run:#?}");
        }
        let idle = runs
            .iter()
            .all(|run| run.stdout == "already up to date (origin/main)\n");
        if idle {
            break;
        }
    }

    let tip = team.remote_git(&["rev-parse", "main"]);
    let acme = team.remote_git(&["show", "main:prospects/acme-corp.md"]);
    let files = team.remote_git(&["ls-tree", "--name-only", "main", "prospects/"]);
    for (n, who) in clones.iter().enumerate() {
        assert!(
            acme.contains(&format!("- 2026-11-23 call: From {who}.\n")),
            "{who}:\n{acme}"
        );
        assert!(
            files.contains(&format!("prospects/client-{n}.md\n")),
            "{files}"
        );
        assert_eq!(team.head(who), tip, "{who}");
        assert_eq!(team.git(who, &["status", "--porcelain"]), "", "{who}");
        team.git(who, &["fsck", "--strict"]);
    }
    assert!(!acme.contains("<<<<<<<"), "{acme}");
    team.remote_git(&["fsck", "--strict"]);
}

/// Write the record a sync keeps while it moves the work tree, as it is
/// when the sync is killed.
fn record(team: &Team, who: &str, json: &str) {
    fs::write(team.path(who, ".git/ledger-sync.json"), json).unwrap();
}

/// The record of a sync killed while moving the files from one commit to
/// another.
fn check_out_record(team: &Team, who: &str, from: &str, to: &str) {
    let json = format!(
        "{{\"step\":\"check-out\",\"branch\":\"main\",\"from\":\"{}\",\"to\":\"{}\"}}",
        from.trim(),
        to.trim()
    );
    record(team, who, &json);
}

fn no_record_left(team: &Team, who: &str) {
    for name in ["ledger-sync.json", "ledger-sync.index"] {
        assert!(!team.path(who, &format!(".git/{name}")).exists(), "{name}");
    }
}

/// Killed while writing the files of a fast-forward: some files are the
/// remote's, the index and the branch are not. The next sync finishes the
/// move, and commits none of it as hand edits.
#[test]
fn a_sync_killed_while_fast_forwarding_is_finished() {
    let team = Team::new();
    team.ledger("A", &["touch", "acme", "call", "From A."]).ok();
    team.ledger("A", &["add", "Globex"]).ok();
    team.ledger("A", &["sync"]).ok();
    team.git("B", &["fetch", "-q"]);
    let from = team.head("B");
    let to = team.git("B", &["rev-parse", "origin/main"]);
    check_out_record(&team, "B", &from, &to);
    // One file of two written.
    let theirs = team.git("B", &["show", "origin/main:prospects/acme-corp.md"]);
    fs::write(team.path("B", "prospects/acme-corp.md"), &theirs).unwrap();
    // Until a writing command finishes it, what reads the files says so.
    for args in [&["due"][..], &["list"], &["lint"], &["show", "acme"]] {
        let run = team.ledger("B", args);
        run.says("warning: a write or a sync was stopped before it finished");
    }

    let run = team.ledger("B", &["sync"]).ok();
    assert_eq!(
        run.stdout, "finished an interrupted sync (origin/main)\n",
        "{run:#?}"
    );
    assert_eq!(team.head("B"), to);
    assert_eq!(team.git("B", &["status", "--porcelain"]), "");
    assert_eq!(team.read("B", "prospects/acme-corp.md"), theirs);
    assert!(team.path("B", "prospects/globex.md").exists());
    no_record_left(&team, "B");
    team.git("B", &["fsck", "--strict"]);
}

/// Killed after the merge was written to the files and the index, before
/// the branch moved. The next sync moves the branch and pushes the merge.
#[test]
fn a_sync_killed_while_merging_is_finished_and_pushed() {
    let team = Team::new();
    team.ledger("A", &["add", "Globex"]).ok();
    team.ledger("A", &["sync"]).ok();
    team.ledger("B", &["touch", "acme", "call", "From B."]).ok();
    team.git("B", &["fetch", "-q"]);
    let from = team.head("B");
    // The merge the sync had made: a commit nothing points to yet.
    let merge = unreferenced_merge(&team);
    team.git("B", &["read-tree", "-m", "-u", "HEAD", merge.trim()]);
    check_out_record(&team, "B", &from, &merge);

    let run = team.ledger("B", &["sync"]).ok();
    assert_eq!(
        run.stdout, "finished an interrupted sync, pushed 2 commits (origin/main)\n",
        "{run:#?}"
    );
    assert_eq!(team.head("B"), merge);
    assert_eq!(team.remote_git(&["rev-parse", "main"]), merge);
    assert_eq!(team.git("B", &["status", "--porcelain"]), "");
    no_record_left(&team, "B");
    team.git("B", &["fsck", "--strict"]);
}

/// Killed while putting things back after a failed push: the branch is on
/// the merge, one file is back, one still holds the merge's version. The
/// next sync finishes putting back (the hand edit is a hand edit again, and
/// nothing the merge wrote is taken for one), then syncs as usual.
#[test]
fn a_sync_killed_while_putting_back_is_finished_then_synced() {
    let team = Team::new();
    team.ledger("A", &["set", "acme", "value=15000"]).ok();
    team.ledger("A", &["add", "Globex"]).ok();
    team.ledger("A", &["sync"]).ok();
    team.ledger("B", &["touch", "acme", "call", "From B."]).ok();
    team.hand_edit("B");
    let hand_edited = team.read("B", "prospects/acme-corp.md");
    let index = fs::read(team.path("B", ".git/index")).unwrap();
    let before = team.head("B");
    // As the sync did: commit the hand edit, merge, check the merge out.
    team.git(
        "B",
        &[
            "commit",
            "-q",
            "-am",
            "hand edits, as the killed sync committed them",
        ],
    );
    team.git("B", &["fetch", "-q"]);
    let from = team.head("B");
    let merge = unreferenced_merge(&team);
    team.git("B", &["reset", "-q", "--hard", merge.trim()]);
    assert!(team
        .read("B", "prospects/acme-corp.md")
        .contains("value: 15000"));
    fs::write(team.path("B", ".git/ledger-sync.index"), &index).unwrap();
    record(
        &team,
        "B",
        &format!(
            "{{\"step\":\"put-back\",\"branch\":\"main\",\"from\":\"{}\",\"to\":\"{}\",\"before\":\"{}\",\"index\":true}}",
            from.trim(),
            merge.trim(),
            before.trim()
        ),
    );
    // One file of the merge's put back already.
    fs::remove_file(team.path("B", "prospects/globex.md")).unwrap();

    let run = team.ledger("B", &["sync"]).ok();
    assert_eq!(
        run.stdout,
        "undid an interrupted sync, committed 1 hand edit, pulled 2 commits, merged, pushed 3 commits (origin/main)\n  merged prospects/acme-corp.md (changed on both sides)\n",
        "{run:#?}"
    );
    no_record_left(&team, "B");
    let head = team.head("B");
    assert_eq!(team.remote_git(&["rev-parse", "main"]), head);
    assert_eq!(team.git("B", &["status", "--porcelain"]), "");
    // The hand edit, committed on its own; A's change came by the merge.
    let hand_edit = team.git("B", &["diff", "HEAD^1~1", "HEAD^1"]);
    assert!(hand_edit.contains("+Met Jane Doe"), "{hand_edit}");
    assert!(!hand_edit.contains("value"), "{hand_edit}");
    let merged = team.read("B", "prospects/acme-corp.md");
    assert!(
        merged.contains("value: 15000") && merged.contains("Met Jane Doe"),
        "{merged}"
    );
    assert_ne!(merged, hand_edited);
    assert!(team.path("B", "prospects/globex.md").exists());
    // The merge the killed sync made was dropped, not built upon.
    let log = team.git("B", &["log", "--format=%H"]);
    assert!(!log.contains(merge.trim()), "{log}");
    team.git("B", &["fsck", "--strict"]);
}

/// Every `*.lock` file under `dir`, as a person told of one removes it.
fn remove_locks(dir: &std::path::Path) {
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "lock") {
            fs::remove_file(entry.path()).unwrap();
        }
    }
}

/// A sync killed at moments spread over its whole run, while it merges
/// the remote's commits with a touch of its own: the next sync always
/// ends with everything pushed and nothing committed as hand edits, at
/// most after a lock file it names is removed.
#[cfg(unix)]
#[test]
fn a_sync_killed_at_any_moment_is_finished_by_the_next() {
    use assert_cmd::cargo::CommandCargoExt;
    let team = Team::new();
    for n in 0..20u64 {
        team.ledger("A", &["touch", "acme", "call", &format!("A{n}.")])
            .ok();
        team.ledger("A", &["add", &format!("From A {n}")]).ok();
        team.ledger("A", &["sync"]).ok();
        team.ledger("B", &["touch", "acme", "email", &format!("B{n}.")])
            .ok();
        let mut cmd = Command::cargo_bin("ledger").unwrap();
        seal(&mut cmd, &team.home());
        cmd.args(["sync", "--today", crate::support::TODAY])
            .current_dir(team.path("B", ""))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().unwrap();
        thread::sleep(Duration::from_millis(n * 6));
        let _ = child.kill();
        child.wait().unwrap();

        let mut run = team.ledger("B", &["sync"]);
        if run.code != 0 {
            run.says(".lock");
            remove_locks(&team.path("B", ".git"));
            remove_locks(&team.path("remote.git", ""));
            run = team.ledger("B", &["sync"]);
        }
        let run = run.ok();
        assert!(!run.stdout.contains("committed"), "{n}: {run:#?}");
        assert_eq!(team.git("B", &["status", "--porcelain"]), "", "{n}");
        assert_eq!(team.head("B"), team.remote_git(&["rev-parse", "main"]));
        let acme = team.read("B", "prospects/acme-corp.md");
        for k in 0..=n {
            assert!(
                acme.contains(&format!("call: A{k}.")) && acme.contains(&format!("email: B{k}.")),
                "{n}: {acme}"
            );
        }
        no_record_left(&team, "B");
        team.ledger("A", &["sync"]).ok();
    }
    team.git("B", &["fsck", "--strict"]);
    team.remote_git(&["fsck", "--strict"]);
}

/// The merge of B's HEAD and origin/main that a sync makes: a commit
/// nothing points to yet, as a sync killed after making it leaves it.
fn unreferenced_merge(team: &Team) -> String {
    let tree = team.git("B", &["merge-tree", "--write-tree", "HEAD", "origin/main"]);
    team.git(
        "B",
        &[
            "commit-tree",
            tree.trim(),
            "-p",
            "HEAD",
            "-p",
            "origin/main",
            "-m",
            "sync: merge origin/main",
        ],
    )
}
