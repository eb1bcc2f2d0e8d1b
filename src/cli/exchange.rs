//! What other tools read of `ledger` (SPEC section 9): shell completions,
//! man pages and the JSON Schema of the front matter. None of them needs a
//! ledger, except a completion of a prospect's name.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::engine::CompletionCandidate;
use ledger::format::prospect::{id_of, stem_of};
use ledger::format::text::is_unsafe_char;
use ledger::ledger::read::opens_with_fence;
use ledger::ledger::walk::walk;
use ledger::ledger::Ledger;
use ledger::rules::settings;
use ledger::{Error, Result};
use rayon::iter::ParallelIterator;

use super::completion;
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
        .shells(completion::SHELLS)
        .complete();
}

/// `ledger completions SHELL`: the script that registers `ledger`'s
/// completion with the shell. The script calls `ledger` back for each
/// completion, so that PROSPECT arguments complete to the ledger's files.
pub fn completions(args: &CompletionsArgs, out: &mut impl Write) -> Result<ExitCode> {
    // clap has checked the name against SHELLS already.
    let shell = completion::SHELLS.completer(&args.shell).ok_or_else(|| {
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
/// argument (each as [`argument_for`] names it). The ledger is the one
/// given by `-C` on the line being completed, else `LEDGER_DIR`, else the
/// nearest folder above holding ledger.yaml; with none of them there is
/// nothing to complete (a Tab in a home folder must not walk all of it). A
/// completion never fails loudly: any problem gives no candidates.
pub fn prospect_candidates() -> Vec<CompletionCandidate> {
    let Ok(cwd) = std::env::current_dir() else {
        return Vec::new();
    };
    let explicit = ledger_typed(line_typed(std::env::args_os()))
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
    let files: Vec<String> = walk(&ledger.root, &ledger.settings)
        .filter_map(|found| {
            let relative = found.ok()?.relative;
            // A prospect opens with its front matter; a README does not.
            opens_with_fence(&ledger.root.join(&relative))
                .ok()?
                .then_some(())?;
            Some(relative)
        })
        .collect();
    // A stem two files share names neither of them (`show acme` would be
    // ambiguous): such files are offered by their ids.
    let mut stems: HashMap<&str, usize> = HashMap::new();
    for relative in &files {
        *stems.entry(stem_of(relative)).or_default() += 1;
    }
    let mut names: Vec<String> = files
        .iter()
        .filter_map(|relative| argument_for(relative, stems.get(stem_of(relative)) == Some(&1)))
        .collect();
    names.sort_unstable();
    names.into_iter().map(CompletionCandidate::new).collect()
}

/// How a completed PROSPECT argument names the file at `relative`: by its
/// stem, as a person types it, when it is the only file of that stem
/// (`unique`), else by its id (`prospects/eu/acme`); unless `ledger`
/// would not read that one word back as this file (SPEC section 1): a
/// word that starts with `-` reads as an option, and one with spaces
/// around it is trimmed. Such a file is named by its path,
/// `./prospects/-x.md`, which the lookup reads as that file. A name with
/// a control or bidirectional character is left out (SPEC section 10):
/// every shell would show it raw in its menu, and reads its candidates
/// one a line. The shell's own quoting is the shell
/// adapter's (`completion`), for every candidate.
fn argument_for(relative: &str, unique: bool) -> Option<String> {
    let one_word = |name: &str| {
        !name.is_empty()
            && !name.starts_with('-')
            && name.trim() == name
            && !name.chars().any(is_unsafe_char)
    };
    let word = match unique {
        true => stem_of(relative),
        false => id_of(relative),
    };
    if one_word(word) {
        return Some(word.to_owned());
    }
    let path = format!("./{relative}");
    one_word(&path).then_some(path)
}

/// The words of the line being completed: as the shell's answer read them
/// (without their quotes, see `completion`), else the words after `--` in
/// the completion request (`ledger -- ledger -C ~/sales touch ac`).
fn line_typed(request: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    match completion::typed_words() {
        Some(words) => words.to_vec(),
        None => request
            .into_iter()
            .skip_while(|arg| arg != "--")
            .skip(1)
            .collect(),
    }
}

/// The folder given by `-C DIR`, `--ledger DIR` or `--ledger=DIR` on the
/// command line being completed (`ledger -C ~/sales touch ac`).
fn ledger_typed(words: impl IntoIterator<Item = OsString>) -> Option<OsString> {
    let mut words = words.into_iter();
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
            page_of(command).render(&mut page)?;
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
            let mut command = command.disable_help_subcommand(true);
            command.build();
            write_pages(command, dir).map_err(|e| Error::io(dir, e))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The man page of `command`, each from the same source: `ledger` and its
/// version (clap_mangen would name a command's own, `csv`, and no version).
fn page_of(command: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(command).source(concat!("ledger ", env!("CARGO_PKG_VERSION")))
}

/// Write the page of `command` and of each command below it into `dir`,
/// as `clap_mangen::generate_to` does.
fn write_pages(command: clap::Command, dir: &std::path::Path) -> std::io::Result<()> {
    for below in command.get_subcommands().filter(|c| !c.is_hide_set()) {
        write_pages(below.clone(), dir)?;
    }
    page_of(command).generate_to(dir)?;
    Ok(())
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
        ledger_typed(line_typed(words.split(' ').map(OsString::from)))
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

    #[test]
    fn a_prospect_is_completed_to_a_word_that_names_it() {
        let cases = [
            ("prospects/acme-corp.md", Some("acme-corp")),
            ("acme.md", Some("acme")),
            ("prospects/acme corp.md", Some("acme corp")),
            ("prospects/zz$(touch PWNED).md", Some("zz$(touch PWNED)")),
            ("prospects/東京.md", Some("東京")),
            // An option, or trimmed: named by the path.
            ("prospects/-rf.md", Some("./prospects/-rf.md")),
            ("--help.md", Some("./--help.md")),
            ("prospects/sp .md", Some("./prospects/sp .md")),
            ("prospects/ sp.md", Some("./prospects/ sp.md")),
            // Not shown raw, nor in another form that holds the same.
            ("prospects/esc\u{1b}[31m.md", None),
            ("prospects/nl\nx.md", None),
            ("prospects/bidi\u{202e}.md", None),
            ("prospects/-\u{1b}.md", None),
        ];
        for (relative, name) in cases {
            assert_eq!(
                argument_for(relative, true).as_deref(),
                name,
                "{relative:?}"
            );
        }
        // A stem another file shares: by the id, which names one file.
        let shared = [
            ("prospects/eu/acme.md", Some("prospects/eu/acme")),
            ("acme.md", Some("acme")),
            ("-x/acme.md", Some("./-x/acme.md")),
        ];
        for (relative, name) in shared {
            assert_eq!(
                argument_for(relative, false).as_deref(),
                name,
                "{relative:?}"
            );
        }
    }
}
