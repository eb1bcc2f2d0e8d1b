//! What other tools read of `ledger` (SPEC section 9): shell completions,
//! man pages and the JSON Schema of the front matter. None of them needs a
//! ledger, except a completion of a prospect's name.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::engine::CompletionCandidate;
use clap_complete::env::Shells;
use ledger::ledger::read::opens_with_fence;
use ledger::ledger::walk::walk;
use ledger::ledger::Ledger;
use ledger::rules::settings;
use ledger::{Error, Result};
use rayon::iter::ParallelIterator;

use super::{Cli, CompletionsArgs, ManArgs};

/// The environment variable that makes `ledger` answer a completion
/// request instead of running (clap_complete's dynamic completion); named
/// for ledger, as a plain `COMPLETE` set for some other tool would turn
/// every command into a completion.
const COMPLETE_VAR: &str = "LEDGER_COMPLETE";

/// The shells `ledger completions` writes a script for.
pub const SHELLS: [&str; 5] = ["bash", "zsh", "fish", "elvish", "powershell"];

/// Answer a completion request and exit, when the shell's script asked
/// for one (`LEDGER_COMPLETE=bash ledger -- ledger touch ac`); else return.
pub fn complete_if_asked() {
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(COMPLETE_VAR)
        .complete();
}

/// `ledger completions SHELL`: the script that registers `ledger`'s
/// completion with the shell. The script calls `ledger` back for each
/// completion, so that PROSPECT arguments complete to the ledger's files.
pub fn completions(args: &CompletionsArgs, out: &mut impl Write) -> Result<ExitCode> {
    let shells = Shells::builtins();
    // clap has checked the name against SHELLS already.
    let shell = shells.completer(&args.shell).ok_or_else(|| {
        Error::Usage(format!(
            "unknown shell `{}`, expected one of {}",
            args.shell,
            SHELLS.join(", ")
        ))
    })?;
    let mut script = Vec::new();
    shell.write_registration(COMPLETE_VAR, "ledger", "ledger", &callback(), &mut script)?;
    out.write_all(&script)?;
    Ok(ExitCode::SUCCESS)
}

/// How the script calls `ledger` back: as it was called now, made absolute
/// when it was a relative path (as clap_complete does itself), so that a
/// `ledger` that is not on the PATH completes too.
fn callback() -> String {
    let called = std::env::args_os()
        .next()
        .unwrap_or_else(|| OsString::from("ledger"));
    let mut path = PathBuf::from(called);
    if path.components().count() > 1 {
        if let Ok(cwd) = std::env::current_dir() {
            path = cwd.join(path);
        }
    }
    path.to_string_lossy().into_owned()
}

/// The stems of the ledger's prospect files, for completing a PROSPECT
/// argument. The ledger is the one given by `-C` on the line being
/// completed, else `LEDGER_DIR`, else the nearest folder above holding
/// ledger.yaml; with none of them there is nothing to complete (a Tab in a
/// home folder must not walk all of it). A completion never fails loudly:
/// any problem gives no candidates.
pub fn prospect_candidates() -> Vec<CompletionCandidate> {
    let Ok(cwd) = std::env::current_dir() else {
        return Vec::new();
    };
    let explicit = ledger_typed(std::env::args_os())
        .or_else(|| std::env::var_os("LEDGER_DIR"))
        .map(PathBuf::from)
        .map(expand_home)
        .filter(|dir| !dir.as_os_str().is_empty());
    let root = Ledger::find_root(explicit.as_deref(), &cwd);
    if explicit.is_none() && !root.join(settings::FILE_NAME).is_file() {
        return Vec::new();
    }
    let Ok(ledger) = Ledger::open(root) else {
        return Vec::new();
    };
    let mut stems: Vec<String> = walk(&ledger.root, &ledger.settings)
        .filter_map(|found| {
            let relative = found.ok()?.relative;
            // A prospect opens with its front matter; a README does not.
            opens_with_fence(&ledger.root.join(&relative))
                .ok()?
                .then_some(())?;
            let file = relative.rsplit('/').next()?;
            Some(file.strip_suffix(".md").unwrap_or(file).to_owned())
        })
        .collect();
    stems.sort_unstable();
    stems.dedup();
    stems.into_iter().map(CompletionCandidate::new).collect()
}

/// The folder given by `-C DIR`, `--ledger DIR` or `--ledger=DIR` on the
/// command line being completed: the words after `--` in the completion
/// request (`ledger -- ledger -C ~/sales touch ac`).
fn ledger_typed(args: impl IntoIterator<Item = OsString>) -> Option<OsString> {
    let mut words = args.into_iter().skip_while(|arg| arg != "--").skip(1);
    let mut given = None;
    while let Some(word) = words.next() {
        if word == "-C" || word == "--ledger" {
            given = words.next();
        } else if let Some(dir) = word.to_str().and_then(|w| w.strip_prefix("--ledger=")) {
            given = Some(OsString::from(dir));
        }
    }
    given
}

/// `~/sales` as the shell would read it: the words of a completion
/// request are as typed, before the shell expands them.
fn expand_home(dir: PathBuf) -> PathBuf {
    match (dir.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => dir,
    }
}

/// `ledger man [DIR]`: `ledger.1` on standard output, or `ledger.1` and
/// `ledger-COMMAND.1` for each command into DIR (made when missing).
pub fn man(args: &ManArgs, out: &mut impl Write) -> Result<ExitCode> {
    let command = Cli::command();
    match &args.dir {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command).render(&mut page)?;
            out.write_all(&page)?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|err| {
                // A file where the folder should be fails as "File exists",
                // which reads as if the folder were the trouble.
                let err = match dir.exists() && !dir.is_dir() {
                    true => std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
                    false => err,
                };
                Error::io(dir, err)
            })?;
            clap_mangen::generate_to(command, dir).map_err(|e| Error::io(dir, e))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `ledger schema`: the JSON Schema of a prospect's front matter.
pub fn schema(out: &mut impl Write) -> Result<ExitCode> {
    super::read::write_json(out, &ledger::format::schema::front_matter())?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(words: &str) -> Option<OsString> {
        ledger_typed(words.split(' ').map(OsString::from))
    }

    #[test]
    fn the_ledger_given_on_the_line_being_completed() {
        assert_eq!(
            typed("ledger -- ledger -C sales touch ac"),
            Some("sales".into())
        );
        assert_eq!(
            typed("ledger -- ledger touch --ledger=b ac"),
            Some("b".into())
        );
        assert_eq!(typed("ledger -- ledger --ledger c show"), Some("c".into()));
        assert_eq!(typed("ledger -- ledger touch ac"), None);
        // Before `--` are ledger's own arguments, not the typed line.
        assert_eq!(typed("ledger -C x -- ledger touch ac"), None);
    }
}
