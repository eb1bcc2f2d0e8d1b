//! A temporary ledger and a sealed environment to run `ledger` in: no
//! `LEDGER_*` or `GIT_*` variables from outside, a temporary HOME with a git
//! identity, no colour, and a fixed `--today`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;

/// The date every test takes as today.
pub const TODAY: &str = "2026-11-23";

/// A temporary ledger folder with its own HOME beside it.
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    /// An empty ledger.
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("a temporary folder");
        identity(&dir.path().join("home"));
        fs::create_dir_all(dir.path().join("ledger")).unwrap();
        Sandbox { dir }
    }

    /// The ledger's root.
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("ledger")
    }

    /// The temporary HOME.
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// Write a file under the root (folders made as needed).
    pub fn file(&self, relative: &str, text: impl AsRef<[u8]>) -> &Sandbox {
        let path = self.root().join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }

    /// A file's text.
    pub fn read(&self, relative: &str) -> String {
        fs::read_to_string(self.root().join(relative)).unwrap()
    }

    /// `ledger ARGS --today TODAY` in the root.
    pub fn ledger(&self, args: &[&str]) -> Run {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--today", TODAY]);
        self.ledger_raw(&all, &self.root())
    }

    /// `ledger ARGS` exactly as given, in `cwd`.
    pub fn ledger_raw(&self, args: &[&str], cwd: &Path) -> Run {
        self.ledger_env(args, cwd, &[])
    }

    /// [`Sandbox::ledger_raw`], with these variables set too.
    pub fn ledger_env(&self, args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::cargo_bin("ledger").expect("the ledger binary");
        self.seal(&mut cmd);
        cmd.args(args).current_dir(cwd).envs(env.iter().copied());
        Run::from(output_within(cmd, HANG))
    }

    /// A plain command (such as `git`) in the sealed environment, in the root.
    pub fn command(&self, program: &str, args: &[&str]) -> Run {
        let mut cmd = Command::new(program);
        self.seal(&mut cmd);
        cmd.args(args).current_dir(self.root());
        Run::from(cmd.output().expect("the command runs"))
    }

    fn seal(&self, cmd: &mut Command) {
        seal(cmd, &self.home());
    }
}

/// Longer than any command takes in a test: one that runs longer hangs.
const HANG: Duration = Duration::from_secs(120);

/// Run `cmd` to its end, or kill it and fail the test when it is still
/// running after `limit`: a hang fails, and does not stop the test run.
fn output_within(mut cmd: Command, limit: Duration) -> Output {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ledger runs");
    let pid = child.id();
    let (done, output) = mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    match output.recv_timeout(limit) {
        Ok(output) => output.expect("ledger runs"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("`{cmd:?}` still ran after {limit:?}: it hangs");
        }
    }
}

/// Write a git config with a test identity into `home`.
pub fn identity(home: &Path) {
    fs::create_dir_all(home).unwrap();
    fs::write(
        home.join(".gitconfig"),
        "[user]\n\tname = Test Person\n\temail = test@example.invalid\n[init]\n\tdefaultBranch = main\n",
    )
    .unwrap();
}

/// Run `cmd` with `home` as HOME and nothing from outside that could change
/// what `ledger` or `git` do.
pub fn seal(cmd: &mut Command, home: &Path) {
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().to_string();
        if key.starts_with("LEDGER_") || key.starts_with("GIT_") || key == "COLUMNS" {
            cmd.env_remove(key);
        }
    }
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("NO_COLOR", "1")
        .env("TZ", "UTC");
}

/// What a command did.
#[derive(Debug)]
pub struct Run {
    /// Exit status code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Assert success; the run.
    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "expected success:\n{self:#?}");
        self
    }

    /// Assert this exit code; the run.
    #[track_caller]
    pub fn fails(self, code: i32) -> Run {
        assert_eq!(self.code, code, "expected exit {code}:\n{self:#?}");
        assert!(!self.stderr.contains("panicked"), "{self:#?}");
        self
    }

    /// Assert standard error says `text`; the run.
    #[track_caller]
    pub fn says(&self, text: &str) -> &Run {
        assert!(
            self.stderr.contains(text),
            "no {text:?} in stderr:\n{}",
            self.stderr
        );
        self
    }

    /// Assert standard output shows `text`; the run.
    #[track_caller]
    pub fn shows(&self, text: &str) -> &Run {
        assert!(
            self.stdout.contains(text),
            "no {text:?} in stdout:\n{}",
            self.stdout
        );
        self
    }

    /// Standard output as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.stdout))
    }
}

/// A prospect file with this front matter (lines) and log entries.
pub fn prospect(front: &str, log: &[&str]) -> String {
    let mut text = format!("---\n{front}---\n\n## Log\n\n");
    for entry in log {
        text.push_str(&format!("- {entry}\n"));
    }
    text
}

impl Sandbox {
    /// Make the root a git repository with everything committed.
    pub fn git_init(&self) -> &Sandbox {
        self.command("git", &["init", "-q", "-b", "main"]).ok();
        self.command("git", &["add", "-A"]).ok();
        self.command("git", &["commit", "-q", "-m", "start"]).ok();
        self
    }

    /// `git ARGS` in the root; its standard output.
    pub fn git(&self, args: &[&str]) -> String {
        self.command("git", args).ok().stdout
    }

    /// Every file under the root but `.git`, with its bytes.
    pub fn snapshot(&self) -> Vec<(String, Vec<u8>)> {
        files_under(&self.root())
    }
}

/// Every file under `root` but `.git`, relative to it, with its bytes, sorted.
pub fn files_under(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .to_string();
        if rel == ".git" || rel.starts_with(".git/") || !entry.file_type().is_file() {
            continue;
        }
        files.push((rel, fs::read(entry.path()).unwrap()));
    }
    files
}

/// One line of text drawn from all of Unicode: every plane, with the C0
/// and C1 controls (but line breaks), DEL, the bidirectional controls,
/// combining marks, wide characters and ASCII punctuation turning up far
/// more often than a uniform draw would make them.
pub fn any_line(max_chars: usize) -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let c = prop_oneof![
        3 => "[a-zA-Z0-9 ]",
        2 => "[!-/:-@\\[-`{-~]",
        2 => "[\\x00-\\x09\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]",
        1 => "[\\u{61c}\\u{200e}\\u{200f}\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}\\u{feff}]",
        1 => "[éÉßøœ€“”–—…\\u{301}\\u{308}]",
        1 => "[東京語ИванПетровمحمدעברית]",
        1 => "[\\u{1f600}-\\u{1f64f}\\u{1f680}\\u{10000}-\\u{10ffff}]",
        2 => "[^\\r\\n\\u{85}\\u{2028}\\u{2029}]",
    ];
    proptest::collection::vec(c, 0..=max_chars).prop_map(|chars| chars.concat())
}

/// Assert nothing raw (a control or bidirectional character, SPEC section
/// 10; a line break is the output's own) reached standard output or
/// error, and no panic; the run.
#[track_caller]
pub fn clean(run: Run) -> Run {
    for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        let raw = text
            .chars()
            .find(|&c| c != '\n' && ledger::format::text::is_unsafe_char(c));
        if let Some(c) = raw {
            panic!("a raw {c:?} on {name}:\n{run:#?}");
        }
    }
    assert!(!run.stderr.contains("panicked"), "{run:#?}");
    run
}
