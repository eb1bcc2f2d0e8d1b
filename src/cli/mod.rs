//! The command line: arguments in, a checked request to the library, results
//! rendered for a person or as JSON. The exit status is decided here: 0
//! success, 1 failure or lint errors, 2 usage errors.

mod completion;
mod draft;
mod exchange;
mod export;
mod import;
mod read;
mod stats;
mod style;
mod sync;
mod write;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use ledger::format::date::{self, Date, Span};
use ledger::ledger::Ledger;
use ledger::{Error, Result};

use style::{ColorChoice, Look};

const EXAMPLES: &str = "\
Examples:
  ledger init my-ledger            start a ledger (a git repository)
  ledger add 'Acme Corp' --value 12000 --contact 'Jane Doe'
  ledger touch acme call 'Left a voicemail.'
  ledger touch acme email --in 'Call me in two weeks' --next 2w
  ledger due                       who to follow up with today
  ledger due --within 7d           ... and over the coming week
  ledger show acme                 one prospect: fields, status and log
  ledger list --all --json         every prospect's status, for scripts
  ledger lint                      check every file, like a compiler
  ledger stats                     where follow-up stops, when replies come
  ledger draft acme                the next message: history, why now, one ask
  ledger sync                      commit, pull, merge and push with git
  ledger export ics > due.ics      a calendar of follow-ups (also csv, json)
  source <(ledger completions bash)  tab completion in bash

The ledger is the folder given by -C, else $LEDGER_DIR, else the nearest
folder above holding ledger.yaml, else the current folder.";

/// A plain-text, git-friendly prospect ledger: who to follow up with, and how persistently.
#[derive(Debug, Parser)]
#[command(name = "ledger", version, about, after_help = EXAMPLES, max_term_width = 100)]
pub struct Cli {
    /// The ledger folder.
    #[arg(
        short = 'C',
        long = "ledger",
        global = true,
        env = "LEDGER_DIR",
        value_name = "DIR"
    )]
    pub ledger: Option<PathBuf>,

    /// Take this date as today (YYYY-MM-DD, or tomorrow, 3d, monday…).
    #[arg(long, global = true, env = "LEDGER_TODAY", value_name = "DATE", value_parser = parse_today)]
    pub today: Option<Date>,

    /// When to colour the output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Read every file afresh, without the cache `due`, `list` and `stats` keep in .git/.
    #[arg(long, global = true, env = "LEDGER_NO_CACHE", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_cache: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Who is due for a follow-up, latest first.
    #[command(
        after_help = "Examples:\n  ledger due\n  ledger due --within 1w --owner sam\n  ledger due --json | jq -r '.[].name'"
    )]
    Due(DueArgs),

    /// Open prospects with their status (all of them with --all).
    #[command(
        after_help = "Examples:\n  ledger list\n  ledger list --all --stage won\n  ledger list --tag saas --json"
    )]
    List(ListArgs),

    /// One prospect: its fields, its status in words, and its log.
    #[command(
        after_help = "Examples:\n  ledger show acme-corp\n  ledger show 'Acme Corp' --json\n  ledger show prospects/acme-corp.md"
    )]
    Show(ShowArgs),

    /// Check every file; silent when all is well.
    #[command(
        after_help = "Examples:\n  ledger lint\n  ledger lint --strict      warnings fail too\n  ledger lint --json"
    )]
    Lint(LintArgs),

    /// Where follow-up stops: the pipeline, deals by touches, when replies come.
    #[command(
        after_help = "Examples:\n  ledger stats\n  ledger stats --owner sam\n  ledger stats --json | jq .replies_after"
    )]
    Stats(StatsArgs),

    /// Draft the next message to a prospect: your history, why now, one clear ask.
    #[command(
        after_help = "Examples:\n  ledger draft acme\n  ledger draft acme --why 'Our pilot slots for January open this week.'\n  ledger draft acme --template my-draft.md\n  ledger draft acme --json\n\nBuilt from the prospect's file alone; it writes nothing. An email starts\nwith Subject:, a call is talking points. A template (--template, else\ntemplates/draft.md in the ledger) uses Jinja syntax.\n\nTemplate variables: the front matter by key (name, company, contact, email,\nphone, stage, value, currency, owner, tags, and your own keys), first_name,\nme, channel, touches, touch_number, budget, history (entries with date,\nchannel, inbound, text), first_touch, last_inbound, last_outbound, subject,\nand the three parts: history_line, why, ask."
    )]
    Draft(DraftArgs),

    /// Start a ledger: ledger.yaml with every default, prospects/, a git repository, a first commit.
    #[command(
        after_help = "Examples:\n  ledger init\n  ledger init ~/sales\n\nRun in an existing ledger (say a fresh clone) it changes no settings and\nregisters the prospect merge for git: `*.md merge=ledger` in .gitattributes\nand merge.ledger.driver in the repository's git config."
    )]
    Init(InitArgs),

    /// Add a prospect as prospects/<name>.md (never overwrites).
    #[command(
        after_help = "Examples:\n  ledger add 'Globex Corp' --value 5000 --contact 'Hank Scorpio' --tag energy\n  ledger add 'Initech' --next monday"
    )]
    Add(AddArgs),

    /// Log a touch (a call, an email, …) and say when the next one is due.
    #[command(
        after_help = "Examples:\n  ledger touch acme call 'Left a voicemail.'\n  ledger touch acme email --in Jane replied, wants a demo\n  ledger touch acme meeting Demo --date yesterday --next +2w\n  ledger touch acme note 'Budget moves to Q2' --next none"
    )]
    Touch(TouchArgs),

    /// Set front-matter keys (KEY=VALUE), or remove them (KEY=).
    #[command(
        after_help = "Examples:\n  ledger set acme stage=negotiation value=15000\n  ledger set acme next=friday owner=sam\n  ledger set acme next="
    )]
    Set(SetArgs),

    /// Close a prospect as won or lost, with a reason.
    #[command(
        after_help = "Examples:\n  ledger close acme won\n  ledger close globex lost --reason competitor"
    )]
    Close(CloseArgs),

    /// Bring a closed prospect back to the stage it was closed from.
    #[command(
        after_help = "Examples:\n  ledger reopen globex\n  ledger reopen globex --next monday\n\nThe stage is the one `ledger close` noted in the log, else contacted; the\nreason is removed and a note logged."
    )]
    Reopen(ReopenArgs),

    /// Add prospects from a CSV export: HubSpot, Pipedrive, or ledger's own.
    #[command(
        after_help = "Examples:\n  ledger import csv contacts.csv\n  ledger import csv deals.csv --dry-run\n\n`ledger import csv --help` says what each preset reads."
    )]
    Import(import::ImportArgs),

    /// Commit hand edits of prospects and ledger.yaml.
    #[command(
        after_help = "Examples:\n  ledger commit\n  ledger commit -m 'Notes from the trade show'"
    )]
    Commit(CommitArgs),

    /// Commit hand edits, pull and merge the git remote's changes, and push.
    #[command(
        after_help = "Examples:\n  ledger sync\n  ledger sync --remote backup\n  ledger sync --no-push      fetch and merge only\n\nProspects changed on both sides merge entry by entry: touches logged in two\nplaces are all kept, in date order. A key set to different values on both\nsides is a clash: sync names it and changes nothing.\n\nCredentials come from ssh-agent, ~/.ssh/id_ed25519 (or id_ecdsa, id_rsa)\nwithout a passphrase, and git's credential helpers; sync never asks for a\npassword."
    )]
    Sync(SyncArgs),

    /// The prospect merge, as a git merge driver (`ledger init` registers it).
    #[command(
        after_help = "git runs it as `ledger merge-driver %O %A %B %P` for files marked\n`merge=ledger` in .gitattributes. The result replaces OURS; the exit status\nis 0 when it merged cleanly, 1 when something clashed (OURS then holds\nconflict markers)."
    )]
    MergeDriver(MergeDriverArgs),

    /// Write the ledger for other tools: a calendar of follow-ups, a spreadsheet, JSON.
    #[command(subcommand, after_help = EXPORT_HELP)]
    Export(ExportFormat),

    /// A shell's completion script: commands, options and the ledger's prospects.
    #[command(after_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),

    /// The man pages: ledger.1 on standard output, or one page a command into DIR.
    #[command(
        after_help = "Examples:\n  ledger man | man -l -\n  ledger man ~/.local/share/man/man1\n\nGiven DIR (made when missing), it writes ledger.1 and ledger-COMMAND.1\nfor each command there."
    )]
    Man(ManArgs),

    /// The JSON Schema (draft 2020-12) of a prospect's front matter.
    #[command(
        after_help = "Examples:\n  ledger schema > prospect.schema.json\n\nThe known keys and their types; `name` is required and every other key is\nallowed. README.md shows how to check files with it in an editor."
    )]
    Schema,
}

const COMPLETIONS_HELP: &str = "\
Examples:
  source <(ledger completions bash)                 in ~/.bashrc
  source <(ledger completions zsh)                  in ~/.zshrc
  ledger completions fish | source                  in ~/.config/fish/config.fish
  eval (ledger completions elvish | slurp)          in ~/.config/elvish/rc.elv
  ledger completions powershell | Out-String | Invoke-Expression    in $PROFILE

The script calls ledger back as you press Tab (PROSPECT arguments complete to
the stems of the ledger's files), so load it anew in each shell rather than
saving it: a script from another version of ledger may not complete.";

const EXPORT_HELP: &str = "\
Examples:
  ledger export ics > ~/Sync/follow-ups.ics        a calendar to subscribe to
  ledger export ics --todo --within 2w             to-dos for the coming two weeks
  ledger export csv --stage proposal > deals.csv
  ledger export json --owner sam | jq '.[].fields.email'

Every usable prospect the filters keep, in the order `list --all` shows
them (ics: the open ones with a due date).";

/// What `ledger export` writes.
#[derive(Debug, Subcommand)]
pub enum ExportFormat {
    /// A calendar (RFC 5545): an all-day event a follow-up, on its due date or today when late.
    #[command(
        after_help = "Examples:\n  ledger export ics > follow-ups.ics\n  ledger export ics --todo --within 1w --owner sam\n\nEach event keeps its UID from one export to the next (it is made of the\nledger's folder name and the prospect's id), so a calendar subscribed to\nthe file moves an event when its follow-up moves. README.md shows how to\npublish the file for a phone."
    )]
    Ics(IcsArgs),
    /// A spreadsheet (RFC 4180): a row a prospect, the columns of `list --json` and the front matter.
    #[command(
        after_help = "Examples:\n  ledger export csv > prospects.csv\n  ledger export csv --tag saas\n\nColumns: id, name, company, contact, email, phone, stage, value, currency,\nowner, source, tags (joined with ;), added, next, dnc, reason, touches,\nunanswered, budget, last_touch, due, overdue_days, due_reason, channel.\nText that starts with =, +, -, @, a tab or a carriage return gets a\nleading ' so that a spreadsheet shows it rather than running it.\n`ledger import csv` reads the file back."
    )]
    Csv(ExportArgs),
    /// JSON: an array of what `show --json` prints of each prospect.
    #[command(
        after_help = "Examples:\n  ledger export json > ledger.json\n  ledger export json --stage won | jq 'map(.fields.value) | add'"
    )]
    Json(ExportArgs),
}

/// `ledger export csv` and `ledger export json`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub filters: Filters,
}

/// `ledger export ics`.
#[derive(Debug, Args)]
pub struct IcsArgs {
    /// To-dos (VTODO) with a due date, rather than events.
    #[arg(long)]
    pub todo: bool,
    /// Only what falls due within this span (3d, 2w, 1m), the late included.
    #[arg(long, value_name = "SPAN", value_parser = parse_span)]
    pub within: Option<Span>,
    #[command(flatten)]
    pub filters: Filters,
}

/// `ledger completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_parser = exchange::SHELLS)]
    pub shell: String,
}

/// `ledger man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The folder to write the pages into (default: ledger.1 on standard output).
    #[arg(value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
}

/// `ledger sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The git remote (default: the branch's upstream, else origin).
    #[arg(long, value_name = "NAME")]
    pub remote: Option<String>,
    /// Fetch and merge, but do not push.
    #[arg(long)]
    pub no_push: bool,
    /// Merge a remote branch that shares no commit with this one (refused
    /// without it, as git refuses it).
    #[arg(long)]
    pub allow_unrelated_histories: bool,
    /// Print what happened as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `ledger merge-driver`.
#[derive(Debug, Args)]
pub struct MergeDriverArgs {
    /// The common ancestor's version (git's %O).
    pub base: PathBuf,
    /// Our version, replaced by the result (git's %A).
    pub ours: PathBuf,
    /// Their version (git's %B).
    pub theirs: PathBuf,
    /// The file's path in the repository, for messages (git's %P).
    pub path: Option<String>,
}

/// Options of every writing command.
#[derive(Debug, Args)]
pub struct WriteOptions {
    /// Write the file but do not commit it.
    #[arg(long)]
    pub no_commit: bool,
}

/// `ledger init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder (default: -C, else the current folder).
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub write: WriteOptions,
}

/// `ledger add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The prospect's name.
    pub name: String,
    /// Company.
    #[arg(long)]
    pub company: Option<String>,
    /// Contact person.
    #[arg(long)]
    pub contact: Option<String>,
    /// Email address.
    #[arg(long)]
    pub email: Option<String>,
    /// Phone number.
    #[arg(long)]
    pub phone: Option<String>,
    /// Stage (default: lead).
    #[arg(long)]
    pub stage: Option<String>,
    /// Expected deal value.
    #[arg(long)]
    pub value: Option<String>,
    /// Currency of the value.
    #[arg(long)]
    pub currency: Option<String>,
    /// Who owns it.
    #[arg(long)]
    pub owner: Option<String>,
    /// Where the lead came from.
    #[arg(long)]
    pub source: Option<String>,
    /// A tag (repeat for several).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// First follow-up (a date, 3d, monday, …).
    #[arg(long, value_name = "DATE")]
    pub next: Option<String>,
    #[command(flatten)]
    pub write: WriteOptions,
}

/// `ledger touch`.
#[derive(Debug, Args)]
pub struct TouchArgs {
    /// The prospect: id, path, file stem, name, or a unique part of one.
    #[arg(add = prospects())]
    pub prospect: String,
    /// call, email, meeting, letter, text, social, visit, note, or one from settings.
    pub channel: String,
    /// What happened.
    pub text: Vec<String>,
    /// The prospect reached out or replied.
    #[arg(long = "in")]
    pub inbound: bool,
    /// When it happened (default today): a date, yesterday, -2d, …
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub date: Option<String>,
    /// Set the next follow-up (a date, 3d, monday, …), or `none` to clear it.
    #[arg(long, value_name = "DATE|none")]
    pub next: Option<String>,
    #[command(flatten)]
    pub write: WriteOptions,
}

/// `ledger set`.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// The prospect.
    #[arg(add = prospects())]
    pub prospect: String,
    /// KEY=VALUE to set, KEY= to remove.
    #[arg(required = true, value_name = "KEY=VALUE")]
    pub pairs: Vec<String>,
    #[command(flatten)]
    pub write: WriteOptions,
}

/// `ledger close`.
#[derive(Debug, Args)]
pub struct CloseArgs {
    /// The prospect.
    #[arg(add = prospects())]
    pub prospect: String,
    /// won, lost, or another closed stage from the settings.
    pub stage: String,
    /// Why (declined, no-budget, competitor, no-response, …).
    #[arg(long)]
    pub reason: Option<String>,
    #[command(flatten)]
    pub write: WriteOptions,
}

/// `ledger reopen`.
#[derive(Debug, Args)]
pub struct ReopenArgs {
    /// The prospect.
    #[arg(add = prospects())]
    pub prospect: String,
    /// The next follow-up (a date, 3d, monday, …).
    #[arg(long, value_name = "DATE")]
    pub next: Option<String>,
    #[command(flatten)]
    pub write: WriteOptions,
}

/// `ledger commit`.
#[derive(Debug, Args)]
pub struct CommitArgs {
    /// The commit message (the ids changed are listed below it).
    #[arg(short, long)]
    pub message: Option<String>,
}

/// Filters shared by `due`, `list`, `stats` and `export`.
#[derive(Debug, Args, Default)]
pub struct Filters {
    /// Only prospects in this stage (repeat for several).
    #[arg(long, value_name = "STAGE")]
    pub stage: Vec<String>,
    /// Only prospects with this tag (repeat: all of them).
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
    /// Only prospects owned by this person.
    #[arg(long, value_name = "OWNER")]
    pub owner: Option<String>,
}

impl Filters {
    /// The filter of the library's report; a usage error for a stage the
    /// settings do not have, which would keep nothing without a word.
    pub fn filter(
        &self,
        settings: &ledger::rules::settings::Settings,
    ) -> Result<ledger::ledger::report::Filter> {
        if let Some(unknown) = self.stage.iter().find(|s| !settings.is_stage(s)) {
            return Err(Error::Usage(format!(
                "`{unknown}` is not a stage: use one of {}",
                settings.stages.join(", ")
            )));
        }
        Ok(ledger::ledger::report::Filter {
            stages: self.stage.clone(),
            tags: self.tag.clone(),
            owner: self.owner.clone(),
            name: None,
        })
    }
}

/// `ledger due`.
#[derive(Debug, Args)]
pub struct DueArgs {
    /// Also list what falls due within this span (3d, 2w, 1m).
    #[arg(long, value_name = "SPAN", value_parser = parse_span)]
    pub within: Option<Span>,
    #[command(flatten)]
    pub filters: Filters,
    /// Show at most this many (1 or more).
    #[arg(long, value_name = "N", value_parser = parse_limit)]
    pub limit: Option<usize>,
    /// Print JSON for scripts.
    #[arg(long)]
    pub json: bool,
}

/// `ledger list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Closed prospects too.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub filters: Filters,
    /// Print JSON for scripts.
    #[arg(long)]
    pub json: bool,
}

/// `ledger stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub filters: Filters,
    /// Print JSON for scripts.
    #[arg(long)]
    pub json: bool,
}

/// `ledger draft`.
#[derive(Debug, Args)]
pub struct DraftArgs {
    /// The prospect: id, path, file stem, name, or a unique part of one.
    #[arg(add = prospects())]
    pub prospect: String,
    /// Why now, in your words (else what they asked for, or a line to fill).
    #[arg(long, value_name = "TEXT")]
    pub why: Option<String>,
    /// A template to render the message with (default: templates/draft.md in the ledger, if any).
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Print {"to", "subject", "body", "channel"} as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `ledger show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The prospect: id, path, file stem, name, or a unique part of one.
    #[arg(add = prospects())]
    pub prospect: String,
    /// Print JSON for scripts.
    #[arg(long)]
    pub json: bool,
}

/// `ledger lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Warnings count as errors.
    #[arg(long)]
    pub strict: bool,
    /// Print JSON for scripts.
    #[arg(long)]
    pub json: bool,
}

/// Complete a PROSPECT argument to the stems of the ledger's files.
fn prospects() -> clap_complete::ArgValueCandidates {
    clap_complete::ArgValueCandidates::new(exchange::prospect_candidates)
}

/// The day to take for today: any date the command line takes (SPEC
/// section 5), from the system's date (`--today tomorrow`).
fn parse_today(text: &str) -> std::result::Result<Date, String> {
    date::parse_relative(text, chrono::Local::now().date_naive())
}

/// A span as `--within` takes it: `3d`, `2w`, `1m`, with a `+` before it
/// as a date from today may have, or `0` (today alone).
fn parse_span(text: &str) -> std::result::Result<Span, String> {
    let text = text.trim();
    match text.strip_prefix('+').unwrap_or(text) {
        "0" => Ok(Span::days(0)),
        span => span.parse(),
    }
}

/// How many to show: 1 or more (none shown would read as none due).
fn parse_limit(text: &str) -> std::result::Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(0) => Err("show at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err("a whole number is needed".into()),
    }
}

/// What every command gets: the ledger, today, the working folder, the look.
pub struct Env {
    /// The open ledger.
    pub ledger: Ledger,
    /// Today.
    pub today: Date,
    /// The working folder.
    pub cwd: PathBuf,
    /// How to render for a person.
    pub look: Look,
    /// Whether `due` and `list` may use the cache.
    pub cache: bool,
}

impl Env {
    fn new(cli: &Cli) -> Result<Env> {
        let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
        let root = Ledger::find_root(cli.ledger.as_deref().filter(|p| p != &Path::new("")), &cwd);
        let ledger = Ledger::open(root)?;
        let today = cli
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        Ok(Env {
            ledger,
            today,
            cwd,
            look: Look::for_stdout(cli.color),
            cache: !cli.no_cache,
        })
    }
}

/// Run the command line; the exit code.
pub fn main() -> ExitCode {
    // Before anything is written: the completion script's call back.
    exchange::complete_if_asked();
    // A variable set empty is as good as unset, as `NO_COLOR`'s is: clap
    // would take it for a value, and refuse it. This runs before any
    // thread is started.
    for name in ["LEDGER_DIR", "LEDGER_TODAY", "LEDGER_NO_CACHE"] {
        if std::env::var_os(name).is_some_and(|value| value.is_empty()) {
            std::env::remove_var(name);
        }
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err),
    };
    match run(&cli) {
        Ok(code) => code,
        Err(err) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(err) => {
            let look = Look {
                color: style::Look::for_stdout(cli.color).color
                    && io::IsTerminal::is_terminal(&io::stderr()),
                width: None,
            };
            let _ = io::stderr().write_all(report(&err, &cli.command, &look).as_bytes());
            ExitCode::from(if err.is_usage() { 2 } else { 1 })
        }
    }
}

/// `err` for a person: `error: ` and what happened, then a `hint: ` line
/// for each thing they can do about it.
fn report(err: &Error, command: &Command, look: &Look) -> String {
    let mut report = format!("{} {}\n", look.paint(style::ERROR, "error:"), err.shown());
    for hint in hints(err, command) {
        // A hint's values are put in shown escaped; its lines are its own.
        let hint = ledger::format::text::printable_lines(&hint);
        report.push_str(&format!("{} {hint}\n", look.paint(style::ACTION, "hint:")));
    }
    report
}

/// What a person can do about `err`, given the command they ran: the
/// library says what happened, and knows nothing of the command line.
fn hints(err: &Error, command: &Command) -> Vec<String> {
    let texts: &[&str] = match err {
        Error::BadRows { .. } | Error::UnknownColumns { .. } => return import::hints(err),
        Error::NoMatch { candidates, .. } if candidates.is_empty() => {
            &["`ledger list --all` shows every prospect"]
        }
        Error::BadConfig { .. } | Error::BrokenProspect { .. } => {
            &["`ledger lint` lists every problem"]
        }
        Error::AlreadyExists { path } => {
            let stem = ledger::format::prospect::stem_of(path);
            return vec![format!("`ledger show {}` shows it", shell_word(stem))];
        }
        // Anywhere in the ledger: by its id, which no other prospect has.
        Error::SameName { path, .. } => {
            let id = ledger::format::prospect::id_of(path);
            return vec![format!("`ledger show {}` shows it", shell_word(id))];
        }
        Error::DoNotContact { .. } => &["log their own message with --in, or a remark with `note`"],
        Error::NoDraft {
            closed: Some(_), ..
        } => match command {
            Command::Draft(args) => {
                // A name that starts with `-` is no option after `--`.
                let end_of_options = if args.prospect.starts_with('-') {
                    "-- "
                } else {
                    ""
                };
                return vec![format!(
                    "`ledger reopen {end_of_options}{}` brings it back",
                    shell_word(&args.prospect)
                )];
            }
            _ => &[],
        },
        // Only the commands that write a prospect can leave the commit to later.
        Error::NoIdentity => match command {
            Command::Init(_)
            | Command::Add(_)
            | Command::Touch(_)
            | Command::Set(_)
            | Command::Close(_)
            | Command::Reopen(_)
            | Command::Import(_) => &[SET_IDENTITY, "or use --no-commit"],
            _ => &[SET_IDENTITY],
        },
        Error::NoCredentials { .. } => &[
            "for ssh, load your key into ssh-agent (`ssh-add`), \
             or keep it in ~/.ssh/id_ed25519 without a passphrase",
            "for https, set up a git credential helper: \
             `git config --global credential.helper store` (or your system's helper), \
             and let `git fetch` save the password once",
        ],
        Error::Clash(_) => &[
            "make the two sides agree in the files named (a key: set the same \
             value here, say with `ledger set`; other lines: edit them and \
             `ledger commit`), then sync again",
        ],
        Error::Unrelated { remote, .. } => {
            // The same sync, with the same remote and push, joining them.
            let mut again = "ledger sync".to_owned();
            if let Command::Sync(args) = command {
                if let Some(remote) = &args.remote {
                    again.push_str(&format!(" --remote {}", shell_word(remote)));
                }
                if args.no_push {
                    again.push_str(" --no-push");
                }
            }
            return vec![
                format!("check that {remote} is this ledger's remote: `git remote -v`"),
                format!(
                    "to join the two histories, and both ledgers' files, run \
                     `{again} --allow-unrelated-histories`"
                ),
            ];
        }
        Error::Raced(_) => &["run `ledger sync` again in a moment"],
        Error::Unfinished(_) => &["then run `ledger sync` again"],
        Error::NotPutBack { error, also } => {
            // Each hint once, should both failures call for the same.
            let mut texts: Vec<String> = Vec::new();
            for text in [error, also]
                .into_iter()
                .flat_map(|err| hints(err, command))
            {
                if !texts.contains(&text) {
                    texts.push(text);
                }
            }
            return texts;
        }
        Error::PutBackNextSync(error) => {
            let mut texts = hints(error, command);
            texts.push("then run `ledger sync` again to finish putting it back".to_owned());
            return texts;
        }
        err if is_disk_full(err) => &["free some space on the disk, then run it again"],
        _ => &[],
    };
    texts.iter().map(|&text| text.to_owned()).collect()
}

/// Whether `err` is a full disk, whichever step met it. libgit2 tells it
/// only in words: the system's own (`strerror`, the same on Linux and
/// macOS).
fn is_disk_full(err: &Error) -> bool {
    match err {
        Error::Io { source, .. } | Error::Output(source) => {
            source.kind() == std::io::ErrorKind::StorageFull
        }
        Error::Git { source, .. } | Error::Remote { source, .. } => {
            source.message().contains("No space left on device")
        }
        _ => false,
    }
}

/// `word` as a shell reads it back as one argument, for a command in a
/// hint to run as shown: as it is when it holds nothing a shell treats
/// specially, else in single quotes; and shown escaped ([`printable`]).
///
/// [`printable`]: ledger::format::text::printable
pub(crate) fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_alphanumeric() || "-_./,:@%+=".contains(c);
    let word = ledger::format::text::printable(word);
    match !word.is_empty() && word.chars().all(plain) {
        true => word.into_owned(),
        false => completion::bash_single_quote(&word),
    }
}

/// How to give git a name and an email to commit as.
const SET_IDENTITY: &str = "set one with
  git config --global user.name \"Your Name\"
  git config --global user.email you@example.com";

/// Help and version as clap writes them; an error in the arguments with
/// what was typed shown escaped, since it may hold anything (clap writes
/// it as it is when standard error is a terminal).
fn usage_error(err: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) || err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    {
        let _ = err.print();
    } else {
        // clap quotes what was typed as it is, line breaks too, under
        // lines of its own making: the error is made again from the
        // arguments shown escaped, so that no value can start a line.
        use ledger::format::text::{printable, printable_lines};
        let shown: Vec<String> = std::env::args_os()
            .map(|arg| printable(&arg.to_string_lossy()).into_owned())
            .collect();
        let message = match Cli::try_parse_from(&shown) {
            Err(again) if again.kind() == err.kind() => {
                printable_lines(&values_escaped(&again)).into_owned()
            }
            // Its own lines kept, each value it quotes escaped.
            _ => format!("{}\n", printable_lines(values_escaped(err).trim_end())),
        };
        let _ = write!(io::stderr(), "{message}");
    }
    ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2))
}

/// clap's message for `err`, each value it quotes shown escaped: a value
/// from the environment (`LEDGER_TODAY`) is quoted as it is, as the
/// arguments were before they were escaped.
fn values_escaped(err: &clap::Error) -> String {
    use clap::error::ContextValue;
    let mut message = err.render().to_string();
    for (_, value) in err.context() {
        let values = match value {
            ContextValue::String(value) => std::slice::from_ref(value),
            ContextValue::Strings(values) => values.as_slice(),
            _ => &[],
        };
        for value in values {
            let shown = ledger::format::text::printable(value);
            if shown != value.as_str() {
                message = message.replace(value.as_str(), &shown);
            }
        }
    }
    message
}

/// Let go of what a command read without freeing it, when all that is
/// left to do is to write it out and end: the system takes the process's
/// memory back at once, where freeing 100,000 statuses one at a time held
/// up the end of `due` by some 5 % (docs/benchmarks.md). Only for what
/// holds memory alone (no file, lock or pending write).
pub(crate) fn let_go<T>(read: T) {
    std::mem::forget(read);
}

fn run(cli: &Cli) -> Result<ExitCode> {
    if let Command::Init(args) = &cli.command {
        let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
        let dir = args
            .dir
            .as_ref()
            .or(cli.ledger.as_ref())
            .map_or(cwd.clone(), |d| cwd.join(d));
        return write::init(&dir, args, &Look::for_stdout(cli.color));
    }
    if let Command::MergeDriver(args) = &cli.command {
        return sync::merge_driver(args);
    }
    // What other tools read of ledger needs no ledger.
    if let Command::Completions(_) | Command::Man(_) | Command::Schema = &cli.command {
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        let code = match &cli.command {
            Command::Completions(args) => exchange::completions(args, &mut out)?,
            Command::Man(args) => exchange::man(args, &mut out)?,
            _ => exchange::schema(&mut out)?,
        };
        out.flush()?;
        return Ok(code);
    }
    // The thread pool starts with this thread as one of its workers: a
    // walk then reads files here too, where this thread would otherwise
    // wait for the others and a two-core machine would start a third.
    // (Should no thread start, the first parallel step fails as it would
    // have without this.)
    let _ = rayon::ThreadPoolBuilder::new()
        .use_current_thread()
        .build_global();
    let env = Env::new(cli)?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let code = match &cli.command {
        Command::Due(args) => read::due(&env, args, &mut out)?,
        Command::List(args) => read::list(&env, args, &mut out)?,
        Command::Show(args) => read::show(&env, args, &mut out)?,
        Command::Lint(args) => read::lint(&env, args, &mut out)?,
        Command::Stats(args) => stats::stats(&env, args, &mut out)?,
        Command::Draft(args) => draft::draft(&env, args, &mut out)?,
        Command::Add(args) => write::add(&env, args, &mut out)?,
        Command::Touch(args) => write::touch(&env, args, &mut out)?,
        Command::Set(args) => write::set(&env, args, &mut out)?,
        Command::Close(args) => write::close(&env, args, &mut out)?,
        Command::Reopen(args) => write::reopen(&env, args, &mut out)?,
        Command::Commit(args) => write::commit(&env, args, &mut out)?,
        Command::Import(args) => import::import(&env, args, &mut out)?,
        Command::Sync(args) => sync::sync(&env, args, &mut out)?,
        Command::Export(format) => export::export(&env, format, &mut out)?,
        Command::Init(_)
        | Command::MergeDriver(_)
        | Command::Completions(_)
        | Command::Man(_)
        | Command::Schema => {
            unreachable!("these run before a ledger is opened")
        }
    };
    out.flush()?;
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report_for(err: &Error, args: &[&str]) -> String {
        let cli = Cli::try_parse_from([&["ledger"], args].concat()).unwrap();
        let plain = Look {
            color: false,
            width: None,
        };
        report(err, &cli.command, &plain)
    }

    #[test]
    fn a_git_error_keeps_git_s_own_as_its_source() {
        let git = git2::Repository::open("/nonexistent/ledger").err().unwrap();
        let message = git.message().to_owned();
        let err = Error::git("cannot open the git repository", git);
        let source = std::error::Error::source(&err).unwrap();
        assert_eq!(
            source.downcast_ref::<git2::Error>().unwrap().message(),
            message
        );
        assert_eq!(
            err.to_string(),
            format!("cannot open the git repository: {message}")
        );
    }

    #[test]
    fn the_command_line_gives_the_hints() {
        let identity = "hint: set one with\n  git config --global user.name";
        let touch = report_for(&Error::NoIdentity, &["touch", "acme", "call"]);
        assert!(
            touch.starts_with("error: no git identity to commit as; nothing was changed\n"),
            "{touch}"
        );
        assert!(touch.contains(identity), "{touch}");
        assert!(touch.ends_with("\nhint: or use --no-commit\n"), "{touch}");
        // `sync` has no --no-commit to offer.
        let sync = report_for(&Error::NoIdentity, &["sync"]);
        assert!(
            sync.contains(identity) && !sync.contains("--no-commit"),
            "{sync}"
        );

        let config = Error::BadConfig {
            path: "ledger.yaml".to_owned(),
            line: 2,
            column: 1,
            message: "`cadence` must be a list".to_owned(),
        };
        assert_eq!(
            report_for(&config, &["due"]),
            "error: ledger.yaml:2:1: `cadence` must be a list\nhint: `ledger lint` lists every problem\n"
        );
    }

    #[test]
    fn a_sync_left_to_put_back_says_how_to_finish() {
        let left = Error::NotPutBack {
            error: Box::new(Error::Raced("origin moved on".to_owned())),
            also: Box::new(Error::PutBackNextSync(Box::new(Error::NoIdentity))),
        };
        let report = report_for(&left, &["sync"]);
        assert!(
            report.ends_with(
                "hint: run `ledger sync` again in a moment\n\
                 hint: set one with\n  git config --global user.name \"Your Name\"\n  \
                 git config --global user.email you@example.com\n\
                 hint: then run `ledger sync` again to finish putting it back\n"
            ),
            "{report}"
        );
    }
}
