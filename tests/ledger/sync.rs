//! `ledger sync` and the prospect merge between two clones, A and B, of a
//! bare repository on the local disk, checked with the `git` command line.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

use crate::support::{files_under, identity, seal, Run, TODAY};

/// A bare repository and two clones of it, A and B, each a ledger set up
/// by `ledger init`, sharing one prospect.
pub(crate) struct Team {
    pub(crate) dir: tempfile::TempDir,
}

pub(crate) const ACME: &str = "---\nname: Acme Corp\nstage: proposal   # since the demo\nvalue: 12000\nnext: 2026-11-28 # Jane's request\n---\n\n# Acme Corp\n\nMet Jane at the Boston meetup.\n\n## Log\n\n- 2026-11-02 meeting: Intro call.\n- 2026-11-05 email: Sent the proposal.\n";

impl Team {
    pub(crate) fn new() -> Team {
        let team = Team {
            dir: tempfile::tempdir().unwrap(),
        };
        identity(&team.home());
        team.run_in(
            team.dir.path(),
            "git",
            &["init", "-q", "--bare", "remote.git"],
        )
        .ok();
        team.run_in(team.dir.path(), "git", &["clone", "-q", "remote.git", "A"])
            .ok();
        team.ledger("A", &["init"]).ok();
        fs::write(team.path("A", "prospects/acme-corp.md"), ACME).unwrap();
        team.ledger("A", &["commit"]).ok();
        team.ledger("A", &["sync"]).ok();
        team.run_in(team.dir.path(), "git", &["clone", "-q", "remote.git", "B"])
            .ok();
        team.ledger("B", &["init"]).ok();
        team
    }

    pub(crate) fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub(crate) fn path(&self, who: &str, relative: &str) -> PathBuf {
        self.dir.path().join(who).join(relative)
    }

    pub(crate) fn read(&self, who: &str, relative: &str) -> String {
        fs::read_to_string(self.path(who, relative)).unwrap()
    }

    pub(crate) fn run_in(&self, cwd: &Path, program: &str, args: &[&str]) -> Run {
        let mut cmd = Command::new(program);
        seal(&mut cmd, &self.home());
        // `ledger` on the PATH, for git to run the merge driver.
        let bin = assert_cmd::cargo::cargo_bin("ledger");
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![bin.parent().unwrap().to_path_buf()];
        dirs.extend(std::env::split_paths(&path));
        cmd.env("PATH", std::env::join_paths(dirs).unwrap());
        cmd.args(args).current_dir(cwd);
        Run::from(cmd.output().unwrap())
    }

    /// `ledger ARGS --today TODAY` in a clone.
    pub(crate) fn ledger(&self, who: &str, args: &[&str]) -> Run {
        let mut cmd = Command::cargo_bin("ledger").unwrap();
        seal(&mut cmd, &self.home());
        cmd.args(args)
            .args(["--today", TODAY])
            .current_dir(self.dir.path().join(who));
        Run::from(cmd.output().unwrap())
    }

    /// `git ARGS` in a clone; its standard output.
    pub(crate) fn git(&self, who: &str, args: &[&str]) -> String {
        self.run_in(&self.dir.path().join(who), "git", args)
            .ok()
            .stdout
    }

    /// Edit the prospect by hand in a clone, leaving the edit uncommitted.
    pub(crate) fn hand_edit(&self, who: &str) {
        let text = self
            .read(who, "prospects/acme-corp.md")
            .replace("Met Jane", "Met Jane Doe");
        fs::write(self.path(who, "prospects/acme-corp.md"), text).unwrap();
    }

    /// `git pull` in a clone, which the merge driver must settle with no
    /// conflict; the merged prospect.
    pub(crate) fn git_pull(&self, who: &str) -> String {
        let pull = self
            .run_in(
                &self.dir.path().join(who),
                "git",
                &["pull", "--no-rebase", "--no-edit", "-q"],
            )
            .ok();
        assert!(!pull.stderr.contains("CONFLICT"), "{pull:#?}");
        let merged = self.read(who, "prospects/acme-corp.md");
        assert!(!merged.contains("<<<<<<<"), "{merged}");
        merged
    }

    pub(crate) fn head(&self, who: &str) -> String {
        self.git(who, &["rev-parse", "HEAD"])
    }

    /// Another clone of the remote, `who`, set up by `ledger init`.
    pub(crate) fn join(&self, who: &str) {
        self.run_in(self.dir.path(), "git", &["clone", "-q", "remote.git", who])
            .ok();
        self.ledger(who, &["init"]).ok();
    }

    /// `git ARGS` in the bare remote; its standard output.
    pub(crate) fn remote_git(&self, args: &[&str]) -> String {
        self.run_in(&self.dir.path().join("remote.git"), "git", args)
            .ok()
            .stdout
    }

    /// Everything a clone holds that a failed sync must leave as it was:
    /// HEAD, the index, the status and every file's bytes.
    pub(crate) fn state(&self, who: &str) -> (String, String, String, Vec<(String, Vec<u8>)>) {
        (
            self.head(who),
            self.git(who, &["ls-files", "--stage"]),
            self.git(who, &["status", "--porcelain"]),
            files_under(&self.dir.path().join(who)),
        )
    }
}

/// The driver as `ledger init` registers it: the binary by its path.
fn driver_command() -> String {
    let bin = assert_cmd::cargo::cargo_bin("ledger")
        .canonicalize()
        .unwrap();
    format!("{} merge-driver %O %A %B %P\n", bin.display())
}

fn log_of(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with("- 20")).collect()
}

#[test]
fn touches_on_both_sides_are_all_kept_in_date_order() {
    let team = Team::new();
    team.ledger(
        "A",
        &[
            "touch",
            "acme",
            "call",
            "Left a voicemail.",
            "--date",
            "2026-11-20",
        ],
    )
    .ok();
    team.ledger(
        "B",
        &[
            "touch",
            "acme",
            "email",
            "Sent the case study.",
            "--date",
            "2026-11-12",
        ],
    )
    .ok();
    let a = team.ledger("A", &["sync"]).ok();
    assert_eq!(a.stdout, "pushed 1 commit (origin/main)\n");
    let b = team.ledger("B", &["sync"]).ok();
    assert_eq!(
        b.stdout,
        "pulled 1 commit, merged, pushed 2 commits (origin/main)\n  merged prospects/acme-corp.md (changed on both sides)\n"
    );
    let a = team.ledger("A", &["sync"]).ok();
    assert_eq!(a.stdout, "pulled 2 commits (origin/main)\n");

    let merged = team.read("A", "prospects/acme-corp.md");
    assert_eq!(merged, team.read("B", "prospects/acme-corp.md"));
    assert_eq!(
        log_of(&merged),
        [
            "- 2026-11-02 meeting: Intro call.",
            "- 2026-11-05 email: Sent the proposal.",
            "- 2026-11-12 email: Sent the case study.",
            "- 2026-11-20 call: Left a voicemail.",
        ]
    );
    assert!(!merged.contains("<<<<<<<") && !merged.contains(">>>>>>>"));
    // The front matter's comments survive the merge.
    assert!(merged.contains("stage: proposal   # since the demo\n"));
    assert_eq!(team.head("A"), team.head("B"));
    assert_eq!(
        team.git("A", &["log", "--merges", "--format=%s"]),
        "sync: merge origin/main\n"
    );
    assert_eq!(
        team.git("A", &["rev-parse", "HEAD"]),
        team.run_in(
            &team.dir.path().join("remote.git"),
            "git",
            &["rev-parse", "main"]
        )
        .ok()
        .stdout
    );
    for who in ["A", "B"] {
        assert_eq!(team.git(who, &["status", "--porcelain"]), "", "{who}");
        team.git(who, &["fsck", "--strict"]);
        // The remote-tracking branch is where the sync left the remote,
        // as after git push: git status says the two are level.
        assert_eq!(
            team.git(who, &["rev-parse", "origin/main"]),
            team.git(who, &["rev-parse", "HEAD"]),
            "{who}"
        );
        let status = team.git(who, &["status", "-sb"]);
        assert_eq!(status, "## main...origin/main\n", "{who}");
    }
    // A second sync has nothing to do.
    let again = team.ledger("B", &["sync"]).ok();
    assert_eq!(again.stdout, "already up to date (origin/main)\n");
}

#[test]
fn a_key_set_differently_on_both_sides_changes_nothing() {
    let team = Team::new();
    team.ledger("A", &["set", "acme", "stage=won"]).ok();
    team.ledger("A", &["sync"]).ok();
    team.ledger("B", &["set", "acme", "stage=lost"]).ok();
    team.ledger("B", &["touch", "acme", "call", "Asked again."])
        .ok();
    // A hand edit waiting to be committed, and an unrelated staged file.
    team.hand_edit("B");
    fs::write(team.path("B", "notes.txt"), "staged\n").unwrap();
    team.git("B", &["add", "notes.txt"]);
    let before = team.state("B");

    let run = team.ledger("B", &["sync"]).fails(1);
    // The files are listed a line each.
    run.says("differently\n  prospects/acme-corp.md: key `stage`\nNothing was changed\n");
    assert_eq!(team.state("B"), before);
    assert!(
        before.2.contains(" M prospects/acme-corp.md"),
        "{}",
        before.2
    );
    assert!(before.2.contains("A  notes.txt"), "{}", before.2);
    team.git("B", &["fsck", "--strict"]);

    // Once the two sides agree, sync goes through and keeps every touch.
    team.ledger("B", &["set", "acme", "stage=won"]).ok();
    team.ledger("B", &["sync"]).ok();
    let merged = team.read("B", "prospects/acme-corp.md");
    assert!(merged.contains("stage: won"), "{merged}");
    assert!(
        merged.contains("- 2026-11-23 call: Asked again."),
        "{merged}"
    );
    assert!(!merged.contains("<<<<<<<"), "{merged}");
    assert_eq!(team.git("B", &["status", "--porcelain"]), "A  notes.txt\n");
}

#[test]
fn next_takes_the_earlier_date_and_a_deleted_entry_stays_deleted() {
    let team = Team::new();
    // A deletes an entry by hand and moves `next` later; B moves `next`
    // earlier and logs a touch.
    let edited = team
        .read("A", "prospects/acme-corp.md")
        .replace("- 2026-11-05 email: Sent the proposal.\n", "")
        .replace("next: 2026-11-28", "next: 2026-12-05");
    fs::write(team.path("A", "prospects/acme-corp.md"), edited).unwrap();
    let a = team.ledger("A", &["sync"]).ok();
    assert_eq!(
        a.stdout,
        "committed 1 hand edit, pushed 1 commit (origin/main)\n"
    );
    team.ledger("B", &["set", "acme", "next=2026-12-01"]).ok();
    team.ledger(
        "B",
        &[
            "touch",
            "acme",
            "email",
            "--in",
            "Jane wrote back.",
            "--date",
            "2026-11-21",
        ],
    )
    .ok();
    team.ledger("B", &["sync"]).ok();
    team.ledger("A", &["sync"]).ok();

    let merged = team.read("A", "prospects/acme-corp.md");
    assert_eq!(merged, team.read("B", "prospects/acme-corp.md"));
    assert!(
        merged.contains("next: 2026-12-01 # Jane's request\n"),
        "{merged}"
    );
    assert_eq!(
        log_of(&merged),
        [
            "- 2026-11-02 meeting: Intro call.",
            "- 2026-11-21 email (in): Jane wrote back.",
        ]
    );
    let show = team.ledger("A", &["show", "acme", "--json"]).ok().json();
    assert_eq!(show["due"], "2026-12-01");
}

#[test]
fn plain_git_pull_uses_the_merge_driver() {
    let team = Team::new();
    assert_eq!(team.read("B", ".gitattributes"), "*.md merge=ledger\n");
    assert_eq!(
        team.git("B", &["config", "merge.ledger.driver"]),
        driver_command()
    );
    assert_eq!(
        team.git("B", &["check-attr", "merge", "prospects/acme-corp.md"]),
        "prospects/acme-corp.md: merge: ledger\n"
    );
    team.ledger("A", &["touch", "acme", "call", "From A."]).ok();
    team.ledger("A", &["sync"]).ok();
    team.ledger("B", &["touch", "acme", "email", "From B."])
        .ok();
    // Both appended after the same line: git's own line merge would clash.
    let merged = team.git_pull("B");
    assert!(
        merged.ends_with("- 2026-11-23 email: From B.\n- 2026-11-23 call: From A.\n")
            || merged.ends_with("- 2026-11-23 call: From A.\n- 2026-11-23 email: From B.\n"),
        "{merged}"
    );
    assert_eq!(team.git("B", &["status", "--porcelain"]), "");
    assert_eq!(
        team.git("B", &["rev-list", "--merges", "--count", "HEAD"]),
        "1\n"
    );
}

#[test]
fn init_in_an_existing_ledger_registers_the_merge_once() {
    let team = Team::new();
    fs::write(team.path("A", ".gitattributes"), "*.pdf binary").unwrap();
    team.git("A", &["config", "--unset", "merge.ledger.driver"]);
    team.ledger("A", &["init"]).ok();
    team.ledger("A", &["init"]).ok();
    assert_eq!(
        team.read("A", ".gitattributes"),
        "*.pdf binary\n*.md merge=ledger\n"
    );
    assert_eq!(
        team.git("A", &["config", "merge.ledger.driver"]),
        driver_command()
    );
    assert_eq!(team.git("A", &["status", "--porcelain"]), "");
}

/// A fresh clone, before `ledger init`, does not register the prospect
/// merge for plain git: `sync` (which merges prospects itself) says so.
#[test]
fn sync_in_a_clone_without_the_merge_says_to_run_init() {
    let team = Team::new();
    team.run_in(team.dir.path(), "git", &["clone", "-q", "remote.git", "C"])
        .ok();
    let hint = "does not register the prospect merge for plain git";
    let synced = team.ledger("C", &["sync"]).ok();
    synced.says(hint).says("run `ledger init` here once");
    team.ledger("C", &["sync", "--json"]).ok().says(hint);
    team.ledger("C", &["init"]).ok();
    let synced = team.ledger("C", &["sync"]).ok();
    assert!(!synced.stderr.contains(hint), "{synced:#?}");
    // A ledger that never asked for it (no `merge=ledger`) hears nothing.
    team.git("A", &["config", "--unset", "merge.ledger.driver"]);
    fs::remove_file(team.path("A", ".gitattributes")).unwrap();
    team.ledger("A", &["commit"]).ok();
    let synced = team.ledger("A", &["sync"]).ok();
    assert!(!synced.stderr.contains(hint), "{synced:#?}");
}

#[test]
fn without_a_remote_or_a_network_sync_changes_nothing() {
    let team = Team::new();
    team.hand_edit("B");
    let before = team.state("B");

    let run = team.ledger("B", &["sync", "--remote", "backup"]).fails(1);
    run.says("no git remote `backup`");
    assert_eq!(team.state("B"), before);

    team.git(
        "B",
        &["remote", "set-url", "origin", "/nonexistent/remote.git"],
    );
    let run = team.ledger("B", &["sync"]).fails(1);
    run.says("cannot fetch from /nonexistent/remote.git");
    assert_eq!(team.state("B"), before);
}

#[test]
fn a_refused_push_puts_everything_back() {
    let team = Team::new();
    team.ledger("A", &["touch", "acme", "call", "From A."]).ok();
    team.ledger("A", &["sync"]).ok();
    team.ledger("B", &["touch", "acme", "email", "From B."])
        .ok();
    team.hand_edit("B");
    let before = team.state("B");
    // The remote cannot take the push: its branch is locked, as while
    // another push is being received.
    fs::write(team.path("remote.git", "refs/heads/main.lock"), "").unwrap();

    let run = team.ledger("B", &["sync"]).fails(1);
    run.says("refused the push: failed to lock");
    assert_eq!(team.state("B"), before);
    team.git("B", &["fsck", "--strict"]);
}

#[test]
fn the_merge_driver_merges_three_files() {
    let team = Team::new();
    let dir = team.dir.path();
    let base = ACME.to_owned();
    let ours = base.replace("stage: proposal", "stage: negotiation") + "- 2026-11-20 call: Ours.\n";
    let theirs = base.replace("value: 12000", "value: 15000") + "- 2026-11-21 call: Theirs.\n";
    for (name, text) in [("O", &base), ("A", &ours), ("B", &theirs)] {
        fs::write(dir.join(format!("{name}.md")), text).unwrap();
    }
    // As git runs it: base, ours (merged in place), theirs, the path.
    let merge_driver = || {
        let args = [
            "merge-driver",
            "O.md",
            "A.md",
            "B.md",
            "prospects/acme-corp.md",
        ];
        team.run_in(dir, "ledger", &args)
    };
    let run = merge_driver();
    run.ok();
    let merged = fs::read_to_string(dir.join("A.md")).unwrap();
    assert_eq!(
        merged,
        base.replace("stage: proposal", "stage: negotiation")
            .replace("value: 12000", "value: 15000")
            + "- 2026-11-20 call: Ours.\n- 2026-11-21 call: Theirs.\n"
    );

    // A clash: exit 1, conflict markers in OURS, the key named.
    fs::write(
        dir.join("A.md"),
        base.replace("stage: proposal", "stage: won"),
    )
    .unwrap();
    fs::write(
        dir.join("B.md"),
        base.replace("stage: proposal", "stage: lost"),
    )
    .unwrap();
    let run = merge_driver();
    let run = run.fails(1);
    run.says("prospects/acme-corp.md: both sides changed key `stage` differently");
    let merged = fs::read_to_string(dir.join("A.md")).unwrap();
    assert!(merged.contains("<<<<<<< ours\nstage: won"), "{merged}");
}

/// Touches in other scripts, and a multi-byte character right after the
/// `:` (which once panicked every command that read it), merge entry by
/// entry through `sync` and through plain `git pull`'s driver.
#[test]
fn touches_in_any_script_merge_through_sync_and_the_driver() {
    let team = Team::new();
    team.ledger("A", &["touch", "acme", "call", "€500 offer"])
        .ok();
    team.ledger("A", &["sync"]).ok();
    team.ledger("B", &["touch", "acme", "email", "東京 🚀 “done”"])
        .ok();
    let b = team.ledger("B", &["sync"]).ok();
    assert!(b.stdout.contains("merged"), "{b:#?}");
    let merged = team.read("B", "prospects/acme-corp.md");
    assert!(
        merged.contains("- 2026-11-23 call: €500 offer\n"),
        "{merged}"
    );
    assert!(
        merged.contains("- 2026-11-23 email: 東京 🚀 “done”\n"),
        "{merged}"
    );
    // A file whose entries start right after the colon, merged by git.
    team.ledger("A", &["sync"]).ok();
    let edit = |who: &str, entry: &str| {
        let path = team.path(who, "prospects/acme-corp.md");
        let text = fs::read_to_string(&path).unwrap() + entry;
        fs::write(path, text).unwrap();
        team.ledger(who, &["commit"]).ok();
    };
    edit("A", "- 2026-11-22 call:“quoted”\n");
    team.ledger("A", &["sync"]).ok();
    edit("B", "- 2026-11-22 email:東京\n");
    let merged = team.git_pull("B");
    assert!(merged.contains("- 2026-11-22 call:“quoted”\n"), "{merged}");
    assert!(merged.contains("- 2026-11-22 email:東京\n"), "{merged}");
    team.ledger("B", &["lint"]).ok();
    assert_eq!(team.git("B", &["status", "--porcelain"]), "");
}

/// A file whose name and contents hold terminal escapes, changed on both
/// sides: what `sync` reports of it is escaped.
#[cfg(unix)]
#[test]
fn what_sync_reports_is_escaped() {
    let team = Team::new();
    let evil = "prospects/x\u{1b}]0;owned\u{7}.md";
    fs::write(
        team.path("A", evil),
        "---\nname: \"Evil\\e[2J\"\n---\n\n## Log\n\n- 2026-11-01 call: \u{1b}[2J\n",
    )
    .unwrap();
    team.ledger("A", &["sync"]).ok();
    team.ledger("B", &["sync"]).ok();
    team.ledger("A", &["touch", "owned", "call", "From A."])
        .ok();
    team.ledger("A", &["sync"]).ok();
    team.ledger("B", &["touch", "owned", "email", "From B."])
        .ok();
    let b = team.ledger("B", &["sync"]).ok();
    assert!(
        b.stdout
            .contains("merged prospects/x\\u{1b}]0;owned\\u{7}.md"),
        "{b:#?}"
    );
    for text in [&b.stdout, &b.stderr] {
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{b:#?}"
        );
    }
}

/// A plain `git pull` merges prospects with the driver `ledger init`
/// registered, though `ledger` is not on `PATH` and another program of
/// that name is (ledger-cli, say).
#[cfg(unix)]
#[test]
fn git_pull_finds_the_driver_without_ledger_on_the_path() {
    use std::os::unix::fs::PermissionsExt;
    let team = Team::new();
    team.ledger("A", &["touch", "acme", "call", "From A."]).ok();
    team.ledger("A", &["sync"]).ok();
    team.ledger("B", &["touch", "acme", "email", "From B."])
        .ok();
    let other = team.dir.path().join("other-bin");
    fs::create_dir_all(&other).unwrap();
    let impostor = other.join("ledger");
    fs::write(&impostor, "#!/bin/sh\necho 'not this ledger' >&2\nexit 3\n").unwrap();
    fs::set_permissions(&impostor, fs::Permissions::from_mode(0o755)).unwrap();
    let mut cmd = Command::new("git");
    seal(&mut cmd, &team.home());
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", other.display());
    cmd.env("PATH", path)
        .args(["pull", "--no-rebase", "--no-edit", "-q"])
        .current_dir(team.dir.path().join("B"));
    let pull = Run::from(cmd.output().unwrap()).ok();
    assert!(!pull.stderr.contains("not this ledger"), "{pull:#?}");
    let merged = team.read("B", "prospects/acme-corp.md");
    assert!(
        merged.contains("call: From A.") && merged.contains("email: From B."),
        "{merged}"
    );
    assert!(!merged.contains("<<<<<<<"), "{merged}");
    assert_eq!(team.git("B", &["status", "--porcelain"]), "");
}

/// A fetch killed part way leaves git's locks (`shallow.lock`, the
/// remote-tracking branch's): no process holds them, so the next sync
/// removes them and goes on, where every fetch after them used to fail.
#[cfg(target_os = "linux")]
#[test]
fn locks_a_killed_fetch_left_do_not_stop_the_next_sync() {
    let team = Team::new();
    team.ledger("A", &["touch", "acme", "call", "From A."]).ok();
    team.ledger("A", &["sync"]).ok();
    for lock in [".git/shallow.lock", ".git/refs/remotes/origin/main.lock"] {
        fs::write(team.path("B", lock), "").unwrap();
    }
    team.ledger("B", &["sync"]).ok();
    assert!(team
        .read("B", "prospects/acme-corp.md")
        .contains("call: From A."));
    assert!(!team.path("B", ".git/shallow.lock").exists());
    assert_eq!(team.git("B", &["status", "--porcelain"]), "");
}

/// A prospect deleted on one side and touched on the other is a clash of
/// the whole file, said in those words, and changes nothing.
#[test]
fn deleted_on_one_side_and_changed_on_the_other() {
    let team = Team::new();
    fs::remove_file(team.path("A", "prospects/acme-corp.md")).unwrap();
    team.ledger("A", &["commit"]).ok();
    team.ledger("A", &["sync"]).ok();
    team.ledger("B", &["touch", "acme", "call", "Still here."])
        .ok();
    let before = team.state("B");
    let run = team.ledger("B", &["sync"]).fails(1);
    run.says(
        "prospects/acme-corp.md: the whole file, deleted on one side and changed on the other",
    );
    assert_eq!(team.state("B"), before);
}

/// Both sides change the same line of a file that is not a prospect
/// (`ledger.yaml`): the clash says so, not that the file was deleted.
#[test]
fn a_line_both_sides_changed_in_ledger_yaml_is_named_as_such() {
    let team = Team::new();
    for (who, currency) in [("A", "EUR"), ("B", "GBP")] {
        let path = team.path(who, "ledger.yaml");
        let text = fs::read_to_string(&path).unwrap();
        let text = text.replace("currency: USD", &format!("currency: {currency}"));
        fs::write(&path, text).unwrap();
    }
    team.ledger("A", &["sync"]).ok();
    let before = team.state("B");
    let run = team.ledger("B", &["sync"]).fails(1);
    run.says("ledger.yaml: lines both sides changed differently");
    assert!(!run.stderr.contains("deleted"), "{run:#?}");
    assert_eq!(team.state("B"), before);
}

/// A prospect moved to another folder on one side and touched on the
/// other, both ways round: sync merges the two logs under the new name,
/// as `git pull` does with the merge driver, and leaves the old name gone.
#[test]
fn moved_on_one_side_and_touched_on_the_other() {
    // The mover is A; who syncs first pushes, and the other merges: the
    // side that merges kept the old name, or made the new one.
    for first in ["A", "B"] {
        let team = Team::new();
        fs::create_dir_all(team.path("A", "prospects/a")).unwrap();
        team.git(
            "A",
            &["mv", "prospects/acme-corp.md", "prospects/a/acme-corp.md"],
        );
        team.git("A", &["commit", "-q", "-m", "file Acme under a/"]);
        team.ledger("A", &["touch", "acme", "call", "From the mover."])
            .ok();
        team.ledger("B", &["touch", "acme", "email", "--in", "From the other."])
            .ok();
        let second = if first == "A" { "B" } else { "A" };
        team.ledger(first, &["sync"]).ok();
        team.ledger(second, &["sync"])
            .ok()
            .shows("merged prospects/a/acme-corp.md");
        team.ledger(first, &["sync"]).ok();
        for who in ["A", "B"] {
            assert!(!team.path(who, "prospects/acme-corp.md").exists(), "{who}");
            let merged = team.read(who, "prospects/a/acme-corp.md");
            let log = log_of(&merged);
            assert!(
                log.contains(&"- 2026-11-23 call: From the mover."),
                "{who}: {log:?}"
            );
            assert!(
                log.contains(&"- 2026-11-23 email (in): From the other."),
                "{who}: {log:?}"
            );
            assert!(
                log.contains(&"- 2026-11-02 meeting: Intro call."),
                "{who}: {log:?}"
            );
            assert_eq!(team.git(who, &["status", "--porcelain"]), "", "{who}");
            team.ledger(who, &["lint"]).ok();
        }
        assert_eq!(team.head("A"), team.head("B"));
    }
}

/// Two sides that changed different files, in the same folders and in new
/// ones, with a file deleted and a script made executable: the merge is
/// the tree git's own merge makes of the same two commits, every file of
/// both sides is there, and the work tree is clean.
#[test]
fn changes_to_different_files_merge_as_git_merges_them() {
    let team = Team::new();
    let prospect =
        |name: &str| format!("---\nname: {name}\n---\n\n## Log\n\n- 2026-11-02 call: Hello.\n");
    fs::write(team.path("A", "prospects/zeta.md"), prospect("Zeta")).unwrap();
    fs::write(team.path("A", "prospects/old.md"), prospect("Old")).unwrap();
    fs::write(team.path("A", "tool.sh"), "echo hi\n").unwrap();
    team.git("A", &["add", "-A"]);
    team.git("A", &["commit", "-q", "-m", "base"]);
    team.ledger("A", &["sync"]).ok();
    team.ledger("B", &["sync"]).ok();

    team.ledger("A", &["touch", "acme", "call", "Left a voicemail."])
        .ok();
    fs::remove_file(team.path("A", "prospects/old.md")).unwrap();
    fs::create_dir_all(team.path("A", "prospects/deep/a")).unwrap();
    fs::write(
        team.path("A", "prospects/deep/a/ünïcode-名前.md"),
        prospect("Ünïcode 名前"),
    )
    .unwrap();
    team.ledger("A", &["commit"]).ok();
    team.ledger("A", &["sync"]).ok();

    team.ledger("B", &["touch", "zeta", "email", "Sent the quote."])
        .ok();
    fs::create_dir_all(team.path("B", "prospects/deep/b")).unwrap();
    fs::write(team.path("B", "prospects/deep/b/new.md"), prospect("New")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let executable = fs::Permissions::from_mode(0o755);
        fs::set_permissions(team.path("B", "tool.sh"), executable).unwrap();
    }
    #[cfg(not(unix))]
    team.git("B", &["update-index", "--chmod=+x", "tool.sh"]);
    team.git("B", &["add", "tool.sh"]);
    team.git("B", &["commit", "-q", "-m", "tool.sh runs"]);
    team.ledger("B", &["commit"]).ok();
    let ours = team.git("B", &["rev-parse", "HEAD"]);
    team.ledger("B", &["sync"]).ok();

    let parents = team.git("B", &["rev-list", "--parents", "-n", "1", "HEAD"]);
    let parents: Vec<&str> = parents.split_whitespace().skip(1).collect();
    assert_eq!(parents.len(), 2, "a merge: {parents:?}");
    assert_eq!(parents[0], ours.trim());
    let by_git = team.git("B", &["merge-tree", "--write-tree", parents[0], parents[1]]);
    assert_eq!(by_git, team.git("B", &["rev-parse", "HEAD^{tree}"]));
    let files = team.git("B", &["ls-tree", "-r", "--name-only", "HEAD"]);
    assert!(!files.contains("prospects/old.md"), "{files}");
    for file in [
        "deep/a/ünïcode-名前.md",
        "deep/b/new.md",
        "zeta.md",
        "acme-corp.md",
    ] {
        assert!(
            team.path("B", &format!("prospects/{file}")).exists(),
            "{file}"
        );
    }
    assert!(!team.path("B", "prospects/old.md").exists());
    assert!(team
        .read("B", "prospects/acme-corp.md")
        .contains("Left a voicemail."));
    assert!(team
        .read("B", "prospects/zeta.md")
        .contains("Sent the quote."));
    let mode = team.git("B", &["ls-tree", "HEAD", "tool.sh"]);
    assert!(mode.starts_with("100755"), "{mode}");
    assert_eq!(team.git("B", &["status", "--porcelain"]), "");
    team.git("B", &["fsck", "--strict"]);
}

/// A file on one side where the other side made a folder of that name is
/// not two changes apart: the whole merge finds the clash, and the
/// folder's prospect is never lost.
#[test]
fn a_file_where_the_other_side_made_a_folder_loses_nothing() {
    let team = Team::new();
    fs::write(team.path("A", "prospects/deep"), "a plain file\n").unwrap();
    team.git("A", &["add", "-A"]);
    team.git("A", &["commit", "-q", "-m", "a file named deep"]);
    team.ledger("A", &["sync"]).ok();

    fs::create_dir_all(team.path("B", "prospects/deep")).unwrap();
    let prospect = "---\nname: Deep\n---\n\n## Log\n\n- 2026-11-02 call: Hello.\n";
    fs::write(team.path("B", "prospects/deep/x.md"), prospect).unwrap();
    team.ledger("B", &["commit"]).ok();
    let before = team.state("B");
    // A clash, named, and nothing changed.
    let run = team.ledger("B", &["sync"]).fails(1);
    run.says("prospects/deep: the whole file");
    assert_eq!(team.state("B"), before);
    assert_eq!(team.read("B", "prospects/deep/x.md"), prospect);
}

/// The same, the other way round: their folder where we made a file of
/// that name, and our file is never lost.
#[test]
fn a_folder_where_the_other_side_made_a_file_loses_nothing() {
    let team = Team::new();
    fs::create_dir_all(team.path("A", "prospects/deep")).unwrap();
    let prospect = "---\nname: Deep\n---\n\n## Log\n\n- 2026-11-02 call: Hello.\n";
    fs::write(team.path("A", "prospects/deep/x.md"), prospect).unwrap();
    team.ledger("A", &["commit"]).ok();
    team.ledger("A", &["sync"]).ok();

    fs::write(team.path("B", "prospects/deep"), "a plain file\n").unwrap();
    team.git("B", &["add", "-A"]);
    team.git("B", &["commit", "-q", "-m", "a file named deep"]);
    let before = team.state("B");
    // A clash, named, and nothing changed.
    let run = team.ledger("B", &["sync"]).fails(1);
    run.says("prospects/deep: the whole file");
    assert_eq!(team.state("B"), before);
    assert_eq!(team.read("B", "prospects/deep"), "a plain file\n");
}

/// A push into a folder is made as `git push` would be taken there, or
/// not at all: a remote that runs a hook on a push (its policy), or whose
/// work tree has the branch checked out, is refused, and nothing changes.
#[cfg(unix)]
#[test]
fn a_push_the_remote_would_refuse_or_hook_is_not_made() {
    use std::os::unix::fs::PermissionsExt;
    let team = Team::new();
    let hook = team.path("remote.git", "hooks/pre-receive");
    fs::write(&hook, "#!/bin/sh\necho REJECTED >&2\nexit 1\n").unwrap();
    fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).unwrap();
    team.ledger("A", &["touch", "acme", "call", "From A."]).ok();
    let before = team.state("A");
    let remote = team.remote_git(&["rev-parse", "main"]);
    team.ledger("A", &["sync"])
        .fails(1)
        .says("`pre-receive` hook")
        .says("git push");
    assert_eq!(team.state("A"), before);
    assert_eq!(team.remote_git(&["rev-parse", "main"]), remote);
    fs::remove_file(&hook).unwrap();

    // B's own clone as A's remote: its checked-out branch.
    team.git("A", &["remote", "set-url", "origin", "../B"]);
    let b_before = team.state("B");
    team.ledger("A", &["sync"])
        .fails(1)
        .says("checked out")
        .says("bare repository");
    assert_eq!(team.state("B"), b_before);
}

/// A remote given as a relative path is taken from the top of the work
/// tree, as git takes it, wherever `ledger` runs from.
#[test]
fn a_relative_remote_path_is_taken_from_the_work_tree() {
    let team = Team::new();
    team.git("A", &["remote", "set-url", "origin", "../remote.git"]);
    team.ledger("A", &["touch", "acme", "call", "From A."]).ok();
    let mut cmd = Command::cargo_bin("ledger").unwrap();
    seal(&mut cmd, &team.home());
    let run = Run::from(
        cmd.args(["-C", "A", "sync", "--today", TODAY])
            .current_dir(team.dir.path())
            .output()
            .unwrap(),
    );
    run.ok().shows("pushed 1 commit");
    let pushed = team.remote_git(&["log", "-1", "--format=%s", "main"]);
    assert_eq!(pushed, "touch prospects/acme-corp: call\n");
}

/// A remote-tracking branch that an earlier fetch left, for a branch the
/// remote no longer has (a new, empty remote), is not taken for the
/// remote's: sync pushes everything, and the sync after it works.
#[test]
fn a_stale_remote_tracking_branch_is_not_the_remote() {
    let team = Team::new();
    team.run_in(team.dir.path(), "git", &["init", "-q", "--bare", "new.git"])
        .ok();
    team.git("A", &["remote", "set-url", "origin", "../new.git"]);
    team.ledger("A", &["sync"]).ok().shows("pushed");
    let new_git = team.dir.path().join("new.git");
    let pushed = team.run_in(&new_git, "git", &["rev-parse", "main"]).ok();
    assert_eq!(pushed.stdout, team.head("A"));
    team.ledger("A", &["touch", "acme", "call", "Again."]).ok();
    team.ledger("A", &["sync"]).ok().shows("pushed 1 commit");
}

/// A local branch named otherwise than the remote's it tracks: sync
/// reads and pushes the remote's, and says that one's name.
#[test]
fn sync_names_the_remote_branch_it_pushed() {
    let team = Team::new();
    team.git("A", &["branch", "-m", "main", "trunk"]);
    team.ledger("A", &["touch", "acme", "call", "From trunk."])
        .ok();
    let run = team.ledger("A", &["sync"]).ok();
    assert_eq!(run.stdout, "pushed 1 commit (origin/main)\n", "{run:#?}");
    let pushed = team.remote_git(&["log", "-1", "--format=%s", "main"]);
    assert_eq!(pushed, "touch prospects/acme-corp: call\n");
    let json = team.ledger("A", &["sync", "--json"]).ok().json();
    assert_eq!(json["branch"], "main", "{json}");
}

/// A remote whose branch shares no commit with this one is most likely
/// another ledger (a wrong URL): sync refuses, as `git pull` does, and
/// changes nothing on either side; `--allow-unrelated-histories` joins
/// the two.
#[test]
fn a_remote_of_unrelated_history_is_joined_only_when_asked() {
    let team = Team::new();
    let other = team.dir.path().join("C");
    fs::create_dir_all(&other).unwrap();
    team.run_in(&other, "git", &["init", "-q", "-b", "main"])
        .ok();
    // A first commit of its own: `ledger init` alone would make the very
    // commit A's made (same files, same identity, same time).
    team.git("C", &["commit", "-q", "--allow-empty", "-m", "Our ledger"]);
    team.ledger("C", &["init"]).ok();
    let globex =
        "---\nname: Globex\nstage: lead\n---\n\n## Log\n\n- 2026-11-10 call: Первый звонок.\n";
    fs::write(team.path("C", "globex.md"), globex).unwrap();
    team.ledger("C", &["commit"]).ok();
    team.git("C", &["remote", "add", "origin", "../remote.git"]);
    let before = team.state("C");
    let remote_before = team.remote_git(&["rev-parse", "main"]);

    let refused = team.ledger("C", &["sync"]).fails(1);
    refused
        .says("origin/main shares no history with this branch; nothing was changed")
        .says("--allow-unrelated-histories");
    assert_eq!(team.state("C"), before);
    assert_eq!(team.remote_git(&["rev-parse", "main"]), remote_before);
    // The hint repeats the sync as it was asked for.
    team.ledger("C", &["sync", "--remote", "origin", "--no-push"])
        .fails(1)
        .says("`ledger sync --remote origin --no-push --allow-unrelated-histories`");
    assert_eq!(team.state("C"), before);

    team.ledger("C", &["sync", "--allow-unrelated-histories"])
        .ok()
        .shows("merged");
    assert_eq!(team.read("C", "globex.md"), globex);
    assert_eq!(team.read("C", "prospects/acme-corp.md"), ACME);
    let parents = team.git("C", &["rev-list", "--parents", "-n", "1", "HEAD"]);
    assert_eq!(parents.split_whitespace().count(), 3, "{parents}");
    assert_eq!(team.remote_git(&["rev-parse", "main"]), team.head("C"));
    assert_eq!(team.git("C", &["status", "--porcelain"]), "");
}
