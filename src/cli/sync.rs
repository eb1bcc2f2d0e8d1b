//! `ledger sync` and `ledger merge-driver`.

use std::io::Write;
use std::process::ExitCode;

use ledger::format::text::{printable, MAX_FILE_MIB};
use ledger::git::merge::Clash;
use ledger::git::sync::{self, Options, Pull, Synced};
use ledger::git::write::Writer;
use ledger::git::Interrupted;
use ledger::Result;

use super::read::write_json;
use super::style;
use super::{Env, MergeDriverArgs, SyncArgs};

/// `ledger sync`.
pub fn sync(env: &Env, args: &SyncArgs, out: &mut impl Write) -> Result<ExitCode> {
    env.ledger.require_settings()?;
    let writer = Writer::new(&env.ledger, env.today, true);
    let options = Options {
        remote: args.remote.clone(),
        no_push: args.no_push,
        allow_unrelated: args.allow_unrelated_histories,
    };
    let synced = sync::sync(&writer, &options)?;
    if synced.merge_unregistered {
        eprintln!(
            "hint: this clone does not register the prospect merge for plain git \
             (`git pull` would merge prospects as text): run `ledger init` here once"
        );
    }
    if args.json {
        write_json(out, &synced)?;
    } else {
        writeln!(out, "{}", printable(&summary(&synced)))?;
        for path in &synced.merged {
            writeln!(
                out,
                "{}",
                env.look.paint(
                    style::DIM,
                    &format!("  merged {path} (changed on both sides)")
                )
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One line saying what `sync` did, e.g. "pulled 3 commits, merged, pushed 2 commits".
fn summary(synced: &Synced) -> String {
    let mut parts = Vec::new();
    match synced.interrupted {
        None => {}
        Some(Interrupted::Finished) => parts.push("finished an interrupted sync".to_owned()),
        Some(Interrupted::PutBack) => parts.push("undid an interrupted sync".to_owned()),
    }
    if !synced.committed.is_empty() {
        parts.push(format!(
            "committed {}",
            style::count(synced.committed.len(), "hand edit")
        ));
    }
    match synced.pull {
        Pull::UpToDate => {}
        Pull::FastForward => {
            parts.push(format!("pulled {}", style::count(synced.pulled, "commit")))
        }
        Pull::Merged => {
            parts.push(format!("pulled {}", style::count(synced.pulled, "commit")));
            parts.push("merged".to_owned());
        }
    }
    if synced.pushed > 0 {
        let mut pushed = format!("pushed {}", style::count(synced.pushed, "commit"));
        if synced.tries > 1 {
            // Others pushed first: it fetched and merged their commits too.
            pushed.push_str(&format!(" (on try {})", synced.tries));
        }
        parts.push(pushed);
    }
    if synced.unpushed > 0 {
        parts.push(format!(
            "{} left to push",
            style::count(synced.unpushed, "commit")
        ));
    }
    let what = if parts.is_empty() {
        "already up to date".to_owned()
    } else {
        parts.join(", ")
    };
    format!("{what} ({}/{})", synced.remote, synced.branch)
}

/// `ledger merge-driver`.
pub fn merge_driver(args: &MergeDriverArgs) -> Result<ExitCode> {
    let driven = sync::merge_driver(&args.base, &args.ours, &args.theirs)?;
    if driven.clashes.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let path = args
        .path
        .clone()
        .unwrap_or_else(|| args.ours.display().to_string());
    if driven.clashes.contains(&Clash::TooLarge) {
        eprintln!(
            "ledger: {}: a side is over {MAX_FILE_MIB} MiB and was not merged: the file is ours \
             as it was, with no conflict markers; bring in their changes by hand",
            printable(&path)
        );
    } else {
        let clashes: Vec<String> = driven.clashes.iter().map(Clash::to_string).collect();
        let clashes = clashes.join(", ");
        eprintln!(
            "ledger: {}: both sides changed {} differently; the file has conflict markers",
            printable(&path),
            printable(&clashes)
        );
    }
    Ok(ExitCode::from(1))
}
