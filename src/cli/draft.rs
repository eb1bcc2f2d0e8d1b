//! `ledger draft`: the next message to a prospect, as the library writes
//! it (`rules::draft`), printed for a person or as JSON. It writes nothing.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use ledger::format::text::printable_lines;
use ledger::git;
use ledger::rules::draft::{self, Request, Template};
use ledger::{Error, Result};
use unicode_width::UnicodeWidthStr;

use super::read::{status_of, write_json};
use super::{DraftArgs, Env};

/// The ledger's own template, used when `--template` names none.
const LEDGER_TEMPLATE: &str = "templates/draft.md";

/// Who writes when neither the settings nor git say.
const ME_TO_FILL: &str = "[your name]";

/// `ledger draft`.
pub fn draft(env: &Env, args: &DraftArgs, out: &mut impl Write) -> Result<ExitCode> {
    let ledger = &env.ledger;
    ledger.require_settings()?;
    let template = match &args.template {
        Some(path) => {
            let named = read_named(&env.cwd.join(path));
            Some((path.display().to_string(), text(path, named)?))
        }
        None => {
            // The ledger's own, which may come from anyone: a regular file
            // only, never a FIFO waited on.
            let own = ledger.root.join(LEDGER_TEMPLATE);
            match own.is_file() {
                true => {
                    let read = ledger::ledger::read::read_file(&own, "a template");
                    Some((LEDGER_TEMPLATE.to_owned(), text(&own, read)?))
                }
                false => None,
            }
        }
    };
    let prospect = ledger.find(&args.prospect, &env.cwd)?;
    let status = status_of(env, &prospect)?;
    let me = ledger
        .settings
        .me
        .clone()
        .or_else(|| git::user_name(&ledger.root))
        .unwrap_or_else(|| ME_TO_FILL.to_owned());
    let request = Request {
        prospect: &prospect,
        status: &status,
        settings: &ledger.settings,
        today: env.today,
        me: &me,
        why: args.why.as_deref(),
    };
    let template = template
        .as_ref()
        .map(|(path, source)| Template { path, source });
    let drafted = draft::draft(&request, template.as_ref())?;
    if args.json {
        write_json(out, &drafted)?;
    } else {
        let text = printable_lines(&drafted.text);
        // On a terminal, long lines are folded at its width for reading;
        // piped (to the clipboard, say), each paragraph stays one line.
        let text = match env.look.width {
            Some(width) => wrap(&text, width.min(80)),
            None => text.into_owned(),
        };
        out.write_all(text.as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `text` with every line wider than `width` folded at its spaces; the
/// lines a talking point (`- …`) folds into are indented under its text.
fn wrap(text: &str, width: usize) -> String {
    let mut wrapped = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (line, end) = match line.strip_suffix('\n') {
            Some(line) => (line, "\n"),
            None => (line, ""),
        };
        if line.width() <= width {
            wrapped.push_str(line);
            wrapped.push_str(end);
            continue;
        }
        let indent = if line.starts_with("- ") { "  " } else { "" };
        let mut used = 0;
        for word in line.split(' ') {
            let w = word.width();
            if used > 0 && used + 1 + w > width {
                wrapped.push('\n');
                wrapped.push_str(indent);
                used = indent.len();
            } else if used > 0 {
                wrapped.push(' ');
                used += 1;
            }
            wrapped.push_str(word);
            used += w;
        }
        wrapped.push_str(end);
    }
    wrapped
}

/// A template named on the command line, as `cat` reads it: a pipe
/// (`--template <(...)`) waits for its writer, and no more than
/// 8 MiB is read of anything (`read::read_capped`).
fn read_named(path: &Path) -> std::io::Result<Vec<u8>> {
    ledger::ledger::read::read_capped(std::fs::File::open(path)?, "a template")
}

/// A template's text, or the error of reading it.
fn text(path: &Path, read: std::io::Result<Vec<u8>>) -> Result<String> {
    Error::text_of(path, read.map_err(|e| Error::io(path, e))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_spaces() {
        let text = "Subject: Hi\n\nOne two three four five six.\n- Ask: seven eight nine ten.\n";
        assert_eq!(
            wrap(text, 14),
            "Subject: Hi\n\nOne two three\nfour five six.\n- Ask: seven\n  eight nine\n  ten.\n"
        );
        // A word wider than the line stays whole.
        assert_eq!(wrap("a Überlänge b", 4), "a\nÜberlänge\nb");
    }
}
