//! `ledger import csv FILE` (SPEC section 9): prospects from ledger's own
//! `export csv`, HubSpot's or Pipedrive's exports, or any CSV file whose
//! columns `--map` names; what was added and skipped, for a person or as
//! JSON; a progress bar while thousands of files are written.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use ledger::error::{CellProblem, Problem};
use ledger::format::csv;
use ledger::format::text::{count, printable, quoted_list};
use ledger::git::import::{Imported, Same};
use ledger::git::transaction::Progress;
use ledger::git::write::{Recorded, Writer};
use ledger::rules::import::{self, Plan, EXTRA_USES};
use ledger::{Error, Result};

use super::read::write_json;
use super::style;
use super::write::report;
use super::{Env, WriteOptions};

/// The help below `ledger import csv --help`'s options.
pub const CSV_HELP: &str = "\
Examples:
  ledger import csv contacts.csv                  HubSpot, Pipedrive or ledger, told by the header
  ledger import csv deals.csv --dry-run           what would be added and skipped
  ledger import csv leads.csv --map 'Full name=name' --map 'E-mail=email'
  ledger import csv export.csv --preset ledger --json

One prospect file per row, written as `ledger add` writes it, all in one
commit (`import contacts.csv: 120 added, 3 skipped`). Every row is checked
first: a bad row is named by its row and column, and nothing is written.
Two columns of one header that give a key are refused: rename one.

A row is skipped when its email (else its name) is a prospect's already, or
an earlier row's; a row whose name is a prospect's is skipped too, as `add`
refuses a second prospect of one name. Importing a file twice adds nothing.

Presets (--preset, auto by default: the one that knows most columns):
  ledger     ledger's own `export csv`: the columns are the keys; `id` and the
             columns from `touches` on are worked out, and left out. Files are
             named from `name`, as `add` names them, not from `id`.
  hubspot    contacts and deals: Deal Name (name), First Name + Last Name or
             Associated Contact (contact), Email, Phone Number, Mobile Phone
             Number (phone), Associated Company, Company Name (company), Deal
             owner, Contact owner (owner), Deal Stage, Lifecycle Stage (stage),
             Amount (value), Currency, Original Source (source), Closed Lost
             Reason (reason), Create Date (added), Next Activity Date (next),
             Last Contacted, Number of times contacted (a note).
  pipedrive  `Entity - Field` headers: Deal - Title, Lead - Title (name),
             Person - Name, Deal - Contact person (contact), Person - Email,
             Person - Phone, Organization - Name, Deal - Organization, Deal -
             Owner, Person - Owner, Deal - Status (won and lost set the stage;
             a deal deleted in Pipedrive is a bad row: remove it, or make its
             status lost), Deal - Stage, Deal - Value, Deal - Currency, Deal -
             Lost reason, Deal - Deal created (added), Activity - Due date,
             Deal - Next activity date, Person - Next activity date (next),
             Deal - Last activity date, Person - Last activity date, Deal -
             Done activities (a note).
Where two columns give one key, the first in that order with a value wins.

Stages: a stage of ledger.yaml is taken as it is (case, spaces and
punctuation aside); else HubSpot's lifecycle stages subscriber, lead,
marketingqualifiedlead and other become lead, salesqualifiedlead and
opportunity qualified, customer and evangelist won; its deal stages
appointmentscheduled becomes contacted, qualifiedtobuy and
presentationscheduled qualified, decisionmakerboughtin proposal,
contractsent negotiation, closedwon won, closedlost lost. Pipedrive's
Lead In becomes lead, Contact Made contacted, Qualified and Demo Scheduled
qualified, Proposal Made proposal, Negotiations Started negotiation.

--map COLUMN=KEY (repeat it; it wins over the preset): KEY is a front-matter
key (name, company, contact, email, phone, stage, value, currency, owner,
source, tags, added, next, dnc, reason, or one of your own), first_name,
last_name, status, last_contacted, contacts, or nothing (COLUMN=) to leave the
column out. Other columns are named in the report and left out.

Cells: UTF-8 with or without a byte-order mark, `,` or `;` between cells;
a `'` before =, +, -, @ is removed. Dates are YYYY-MM-DD, a time after it
allowed; a creation date becomes `added` (else today), a next activity date
`next`. A last-contacted date becomes one `note` on that day saying so (and
how many contacts the file counts): never touches. Tags are separated by `;`,
as `export csv` joins them; `\\;` and `\\\\` are a `;` and a `\\` inside a tag.";

/// `ledger import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What to import from.
    #[command(subcommand)]
    pub from: ImportFrom,
}

/// What `ledger import` reads.
#[derive(Debug, Subcommand)]
pub enum ImportFrom {
    /// Prospects from a CSV file: ledger's own export, HubSpot's, Pipedrive's, or any with --map.
    #[command(after_help = CSV_HELP)]
    Csv(ImportCsvArgs),
}

/// `ledger import csv`.
#[derive(Debug, Args)]
pub struct ImportCsvArgs {
    /// The CSV file.
    #[arg(value_hint = clap::ValueHint::FilePath)]
    pub file: PathBuf,
    /// Which export the file is; auto tells them apart by the header.
    #[arg(long, value_name = "PRESET", default_value = "auto",
          value_parser = ["auto", "ledger", "hubspot", "pipedrive"])]
    pub preset: String,
    /// The column gives this key (repeat for several); COLUMN= leaves it out.
    #[arg(long = "map", value_name = "COLUMN=KEY")]
    pub maps: Vec<String>,
    /// Say what would be added and skipped; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print what was added and skipped as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub write: WriteOptions,
}

/// The most rows of each kind a person is shown, unless `--dry-run`
/// asked to see them all.
const SHOWN: usize = 20;

/// `ledger import`.
pub fn import(env: &Env, args: &ImportArgs, out: &mut impl Write) -> Result<ExitCode> {
    match &args.from {
        ImportFrom::Csv(args) => import_csv(env, args, out),
    }
}

fn import_csv(env: &Env, args: &ImportCsvArgs, out: &mut impl Write) -> Result<ExitCode> {
    env.ledger.require_settings()?;
    let maps = args
        .maps
        .iter()
        .map(|pair| {
            // At the last `=`: a key holds none, a column's name may.
            pair.rsplit_once('=')
                .map(|(column, key)| (column.to_owned(), key.to_owned()))
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "--map `{pair}` is not COLUMN=KEY (COLUMN= leaves a column out)"
                    ))
                })
        })
        .collect::<Result<Vec<_>>>()?;
    let path = env.cwd.join(&args.file);
    let shown = args.file.display().to_string();
    let name = args
        .file
        .file_name()
        .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
    let bytes = read_bounded(&path).map_err(|e| Error::io(&args.file, e))?;
    if bytes.len() as u64 > csv::MAX_FILE_BYTES {
        return Err(Error::Refused(format!(
            "{} is over the {} MiB an imported file may be: split it, and import each part",
            printable(&shown),
            csv::MAX_FILE_BYTES >> 20
        )));
    }
    let table = csv::read(&shown, &bytes)?;
    let preset = import::preset(&args.preset);
    let plan = import::plan(
        &table,
        &shown,
        preset,
        &maps,
        &env.ledger.settings,
        env.today,
    )?;
    let writer = Writer::new(&env.ledger, env.today, !args.write.no_commit);
    let bar = Bar::on_terminal();
    let imported = writer.import(&plan, &name, args.dry_run, &bar);
    bar.done();
    let imported = imported?;
    super::read::say_held_back(imported.held_back);
    if args.json {
        json(out, &shown, &plan, &imported)?;
    } else {
        human(out, env, &shown, &plan, &imported, args.dry_run)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The result as `--json` prints it.
#[derive(serde::Serialize)]
struct Report<'a> {
    file: &'a str,
    preset: &'static str,
    dry_run: bool,
    added: &'a [ledger::git::import::Added],
    skipped: &'a [ledger::git::import::Skipped],
    left_out: &'a [String],
    commit: Option<Commit<'a>>,
}

#[derive(serde::Serialize)]
struct Commit<'a> {
    id: &'a str,
    summary: &'a str,
}

fn json(out: &mut impl Write, file: &str, plan: &Plan, imported: &Imported) -> Result<()> {
    let commit = match &imported.recorded {
        Some(Recorded::Committed(c)) => Some(Commit {
            id: &c.short_id,
            summary: &c.summary,
        }),
        _ => None,
    };
    let report = Report {
        file,
        preset: plan.preset.name,
        dry_run: imported.recorded.is_none(),
        added: &imported.added,
        skipped: &imported.skipped,
        left_out: &plan.left_out,
        commit,
    };
    write_json(out, &report)
}

fn human(
    out: &mut impl Write,
    env: &Env,
    file: &str,
    plan: &Plan,
    imported: &Imported,
    dry_run: bool,
) -> Result<()> {
    let rows = plan.rows.len();
    writeln!(
        out,
        "Read {}{}: {}.",
        printable(file),
        match (plan.known, plan.preset.name) {
            (false, _) => String::new(),
            (true, "ledger") => " as ledger's own export".to_owned(),
            (true, _) => format!(" as a {} export", plan.preset.label),
        },
        count(rows, "row")
    )?;
    if !plan.left_out.is_empty() {
        let what = if plan.left_out.len() == 1 {
            "column"
        } else {
            "columns"
        };
        writeln!(
            out,
            "Left out the {what} {} (--map COLUMN=KEY takes one in).",
            quoted_list(&plan.left_out, SHOWN)
        )?;
    }
    let limit = if dry_run { usize::MAX } else { SHOWN };
    let added = &imported.added;
    if !added.is_empty() {
        let verb = if dry_run { "Would add" } else { "Added" };
        writeln!(out, "{verb} {}:", count(added.len(), "prospect"))?;
        for a in added.iter().take(limit) {
            writeln!(
                out,
                "  {}  {}  {}",
                env.look.paint(style::DIM, &format!("row {}", a.row)),
                env.look.paint(style::STRONG, &a.name),
                printable(&a.path)
            )?;
        }
        more(out, added.len(), limit)?;
    }
    let skipped = &imported.skipped;
    if !skipped.is_empty() {
        let verb = if dry_run { "Would skip" } else { "Skipped" };
        writeln!(
            out,
            "{verb} {} already in the ledger:",
            count(skipped.len(), "row")
        )?;
        for s in skipped.iter().take(limit) {
            let same = match s.same {
                Same::Email => "same email as",
                Same::Name => "same name as",
            };
            writeln!(
                out,
                "  {}  {}: {same} {}",
                env.look.paint(style::DIM, &format!("row {}", s.row)),
                printable(&s.name),
                printable(&s.as_of)
            )?;
        }
        more(out, skipped.len(), limit)?;
    }
    if added.is_empty() && !dry_run {
        writeln!(out, "Nothing to add.")?;
    }
    match &imported.recorded {
        Some(Recorded::Unchanged) | None => {}
        Some(recorded) => report(out, env, recorded)?,
    }
    Ok(())
}

fn more(out: &mut impl Write, total: usize, shown: usize) -> Result<()> {
    if total > shown {
        writeln!(
            out,
            "  … and {} more (--dry-run or --json lists them all)",
            total - shown
        )?;
    }
    Ok(())
}

/// What a person can do about an import's error.
pub fn hints(err: &Error) -> Vec<String> {
    match err {
        Error::UnknownColumns { columns, .. } => {
            let example: Vec<String> = columns
                .iter()
                .take(2)
                .zip(["name", "email"])
                .map(|(column, key)| {
                    format!("--map {}", super::shell_word(&format!("{column}={key}")))
                })
                .collect();
            let mut hints = vec![format!(
                "name the columns with --map COLUMN=KEY{}",
                if example.is_empty() {
                    String::new()
                } else {
                    format!(", e.g. {}", example.join(" "))
                }
            )];
            hints.push(format!(
                "a KEY is a front-matter key (name, email, company, …) or one of {}",
                EXTRA_USES.map(|(name, _)| name).join(", ")
            ));
            hints
        }
        Error::BadRows { problems, .. } => {
            let mut hints: Vec<String> = Vec::new();
            let mut add = |hint: String| {
                if !hints.contains(&hint) {
                    hints.push(hint);
                }
            };
            for CellProblem { problem, .. } in problems {
                match problem {
                    Problem::UnknownStage { stages, .. } => {
                        add(format!(
                            "the stages of ledger.yaml are {}; --map names columns, not values: \
                             add the stage to `stages` in ledger.yaml, or change it in the file",
                            ledger::format::text::quoted_list(stages, usize::MAX)
                        ));
                    }
                    Problem::NotANumber(_) => add(
                        "write numbers without units or thousands separators: 12000 or 12000.50"
                            .into(),
                    ),
                    Problem::BadDate(_) => {
                        add("write dates as YYYY-MM-DD (a time may follow)".into())
                    }
                    Problem::NotUtf8 => add(
                        "save the file as UTF-8 (in a spreadsheet: CSV UTF-8) and import it again"
                            .into(),
                    ),
                    Problem::CellCount { .. } => add(
                        "a cell that holds the delimiter or a line break must be in double quotes"
                            .into(),
                    ),
                    Problem::NoName => add(
                        "give each row a name, or --map a column to name (`ledger import csv --help`)"
                            .into(),
                    ),
                    _ => {}
                }
            }
            hints
        }
        _ => Vec::new(),
    }
}

/// A progress bar on standard error, drawn only when that is a terminal.
struct Bar(ProgressBar);

impl Bar {
    fn on_terminal() -> Bar {
        if !std::io::stderr().is_terminal() {
            return Bar(ProgressBar::hidden());
        }
        let bar = ProgressBar::new(0);
        let style = ProgressStyle::with_template("{msg:>14} [{bar:40}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        Bar(bar)
    }

    fn done(&self) {
        self.0.finish_and_clear();
    }
}

impl Progress for Bar {
    fn begin(&self, step: &str, total: usize) {
        self.0.set_length(total as u64);
        self.0.set_position(0);
        self.0.set_message(step.to_owned());
    }

    fn advance(&self) {
        self.0.inc(1);
    }
}

/// The bytes of `path`, one more than [`csv::MAX_FILE_BYTES`] at the most:
/// a file that never ends (a device, a pipe) is not read on and on.
fn read_bounded(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(csv::MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}
