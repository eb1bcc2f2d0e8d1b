//! The writing commands: `init`, `add`, `touch`, `set`, `close`, `reopen`,
//! `commit`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use ledger::format::date;
use ledger::format::text::{printable, printable_lines};
use ledger::git::write::{self, NewProspect, Next, Outcome, Recorded, Touch, Writer};
use ledger::{Error, Result};

use super::read::status_words;
use super::style::{self, Look};
use super::{
    AddArgs, CloseArgs, CommitArgs, Env, InitArgs, ReopenArgs, SetArgs, TouchArgs, WriteOptions,
};

fn writer<'a>(env: &'a Env, options: &WriteOptions) -> Result<Writer<'a>> {
    env.ledger.require_settings()?;
    Ok(Writer::new(&env.ledger, env.today, !options.no_commit).read_ahead())
}

fn date_arg(env: &Env, text: &str) -> Result<date::Date> {
    date::parse_relative(text, env.today).map_err(Error::Usage)
}

/// Say what git made of a write.
pub(super) fn report(out: &mut impl Write, env: &Env, recorded: &Recorded) -> Result<()> {
    match recorded {
        Recorded::Committed(commit) => writeln!(
            out,
            "{}",
            env.look.paint(
                style::DIM,
                &format!("committed {} {}", commit.short_id, commit.summary)
            )
        )?,
        Recorded::Unchanged => writeln!(
            out,
            "{}",
            env.look
                .paint(style::DIM, "nothing changed, nothing committed")
        )?,
        Recorded::NotAsked => {}
        Recorded::OutsideGit => {
            eprintln!(
                "not committed: {} is not in a git work tree",
                printable(&env.ledger.root.display().to_string())
            )
        }
    }
    Ok(())
}

fn report_status(out: &mut impl Write, env: &Env, outcome: &Outcome) -> Result<()> {
    if let Some(status) = &outcome.status {
        writeln!(
            out,
            "{}: {}",
            env.look.paint(style::STRONG, &status.name),
            printable(&status_words(status, env))
        )?;
    }
    report(out, env, &outcome.recorded)
}

/// `ledger init`.
pub fn init(dir: &Path, args: &InitArgs, look: &Look) -> Result<ExitCode> {
    let done = write::init(dir, !args.write.no_commit)?;
    let mut out = std::io::stdout().lock();
    let say =
        |out: &mut std::io::StdoutLock, text: String| writeln!(out, "{}", printable_lines(&text));
    if done.wrote_settings {
        say(
            &mut out,
            format!("Started a ledger in {}", done.root.display()),
        )?;
    } else {
        say(
            &mut out,
            format!(
                "{} is already a ledger; its ledger.yaml is unchanged",
                done.root.display()
            ),
        )?;
    }
    if done.created_repo {
        say(&mut out, "Created a git repository for it".into())?;
    }
    if done.wrote_attributes || done.merge_driver {
        say(
            &mut out,
            "Registered the prospect merge for git (.gitattributes, merge.ledger.driver)".into(),
        )?;
    }
    if done.attributes_lack_merge {
        eprintln!(
            "note: .gitattributes is a link, left alone; for a plain `git pull` to merge prospects, add to it: {}",
            write::MERGE_ATTRIBUTE
        );
    }
    match &done.recorded {
        Recorded::Committed(c) => say(
            &mut out,
            look.paint(
                style::DIM,
                &format!("committed {} {}", c.short_id, c.summary),
            ),
        )?,
        Recorded::OutsideGit => eprintln!(
            "not committed: {} is not in a git work tree",
            printable(&done.root.display().to_string())
        ),
        _ => {}
    }
    say(
        &mut out,
        "Next: ledger add 'Acme Corp' --value 12000".into(),
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `ledger add`.
pub fn add(env: &Env, args: &AddArgs, out: &mut impl Write) -> Result<ExitCode> {
    let writer = writer(env, &args.write)?;
    let optional = [
        ("company", &args.company),
        ("contact", &args.contact),
        ("email", &args.email),
        ("phone", &args.phone),
        ("stage", &args.stage),
        ("value", &args.value),
        ("currency", &args.currency),
        ("owner", &args.owner),
        ("source", &args.source),
        ("next", &args.next),
    ];
    if let Some(next) = &args.next {
        date_arg(env, next)?;
    }
    let new = NewProspect {
        name: args.name.clone(),
        fields: optional
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k.to_string(), v.clone())))
            .collect(),
        tags: args.tags.clone(),
    };
    if new.name.trim().is_empty() {
        return Err(Error::Usage("a prospect needs a name".into()));
    }
    // The cache that `due` keeps makes finding a prospect of that name
    // cheap.
    let cache = env
        .cache
        .then(|| ledger::git::for_reading(&env.ledger.root).cache);
    let outcome = writer.add(&new, cache.as_deref())?;
    writeln!(
        out,
        "Added {} as {}",
        printable(new.name.trim()),
        printable(&outcome.path)
    )?;
    report_status(out, env, &outcome)?;
    Ok(ExitCode::SUCCESS)
}

/// `ledger touch`.
pub fn touch(env: &Env, args: &TouchArgs, out: &mut impl Write) -> Result<ExitCode> {
    let writer = writer(env, &args.write)?;
    let date = match &args.date {
        Some(text) => date_arg(env, text)?,
        None => env.today,
    };
    let next = match args.next.as_deref() {
        None => Next::Keep,
        Some(text) if text.eq_ignore_ascii_case("none") => Next::Clear,
        Some(text) => Next::Set(date_arg(env, text)?),
    };
    let channel = args.channel.to_lowercase();
    if channel.is_empty()
        || !channel
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::Usage(format!(
            "`{}` is not a channel name",
            args.channel
        )));
    }
    let prospect = env.ledger.find(&args.prospect, &env.cwd)?;
    let touch = Touch {
        channel,
        text: args.text.join(" "),
        inbound: args.inbound,
        date,
        next,
    };
    let outcome = writer.touch(&prospect, &touch)?;
    report_status(out, env, &outcome)?;
    Ok(ExitCode::SUCCESS)
}

/// `ledger set`.
pub fn set(env: &Env, args: &SetArgs, out: &mut impl Write) -> Result<ExitCode> {
    let writer = writer(env, &args.write)?;
    let pairs = args
        .pairs
        .iter()
        .map(|pair| {
            pair.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
                .ok_or_else(|| {
                    Error::Usage(format!("`{pair}` is not KEY=VALUE (KEY= removes a key)"))
                })
        })
        .collect::<Result<Vec<_>>>()?;
    let prospect = env.ledger.find(&args.prospect, &env.cwd)?;
    let outcome = writer.set(&prospect, &pairs)?;
    report_status(out, env, &outcome)?;
    Ok(ExitCode::SUCCESS)
}

/// `ledger close`.
pub fn close(env: &Env, args: &CloseArgs, out: &mut impl Write) -> Result<ExitCode> {
    let writer = writer(env, &args.write)?;
    let prospect = env.ledger.find(&args.prospect, &env.cwd)?;
    let outcome = writer.close(&prospect, &args.stage, args.reason.as_deref())?;
    report_status(out, env, &outcome)?;
    Ok(ExitCode::SUCCESS)
}

/// `ledger reopen`.
pub fn reopen(env: &Env, args: &ReopenArgs, out: &mut impl Write) -> Result<ExitCode> {
    let writer = writer(env, &args.write)?;
    let next = args
        .next
        .as_deref()
        .map(|text| date_arg(env, text))
        .transpose()?;
    let prospect = env.ledger.find(&args.prospect, &env.cwd)?;
    let outcome = writer.reopen(&prospect, next)?;
    report_status(out, env, &outcome)?;
    Ok(ExitCode::SUCCESS)
}

/// `ledger commit`.
pub fn commit(env: &Env, args: &CommitArgs, out: &mut impl Write) -> Result<ExitCode> {
    let writer = Writer::new(&env.ledger, env.today, true);
    let (ids, recorded) = writer.commit_hand_edits(args.message.as_deref())?;
    if ids.is_empty() {
        writeln!(out, "No hand edits to commit.")?;
        return Ok(ExitCode::SUCCESS);
    }
    report(out, env, &recorded)?;
    Ok(ExitCode::SUCCESS)
}
