//! `ledger draft`: the next message to a prospect, as the library writes
//! it (`rules::draft`), printed for a person or as JSON. It writes nothing.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use ledger::format::text::printable_lines;
use ledger::git;
use ledger::rules::draft::{self, Request, Template};
use ledger::{Error, Result};

use super::read::{status_of, write_json};
use super::{DraftArgs, Env};

/// The ledger's own template, used when `--template` names none.
pub const LEDGER_TEMPLATE: &str = "templates/draft.md";

/// Who writes when neither the settings nor git say.
const ME_TO_FILL: &str = "[your name]";

/// `ledger draft`.
pub fn draft(env: &Env, args: &DraftArgs, out: &mut impl Write) -> Result<ExitCode> {
    let ledger = &env.ledger;
    ledger.require_settings()?;
    let template = match &args.template {
        Some(path) => Some((path.display().to_string(), read(&env.cwd.join(path))?)),
        None => {
            let own = ledger.root.join(LEDGER_TEMPLATE);
            match own.is_file() {
                true => Some((LEDGER_TEMPLATE.to_owned(), read(&own)?)),
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
        out.write_all(printable_lines(&drafted.text).as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}
