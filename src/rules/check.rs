//! The checks of `ledger lint` (SPEC section 4) that look at one prospect,
//! as tables: one function per check. Parsing finds the problems of the file
//! itself; these add what needs the settings and today's date.

use crate::error::Error;
use crate::format::date::Date;
use crate::format::diagnostic::{Code, Diagnostic, Severity};
use crate::format::entry::Entry;
use crate::format::front_matter::{Dnc, Fields};
use crate::format::prospect::Prospect;
use crate::format::text::{count, folded};
use crate::rules::due::{self, Card, Reason, Status};
use crate::rules::settings::Settings;
use crate::rules::stats::Touches;

/// What a check sees.
pub struct Context<'a> {
    /// The ledger's settings.
    pub settings: &'a Settings,
    /// Today.
    pub today: Date,
}

/// A check of one entry, given the entry above it.
type EntryCheck = fn(&Context, Option<&Fields>, &Entry, Option<&Entry>) -> Option<(Code, String)>;

/// A check of one usable prospect and its status.
type ProspectCheck = fn(&Context, &Fields, &Status) -> Option<(Code, String)>;

/// The entry checks, each with the code it reports.
const ENTRY_CHECKS: [(Code, EntryCheck); 4] = [
    (Code::FutureEntry, future_entry),
    (Code::UnknownChannel, unknown_channel),
    (Code::OutOfOrder, out_of_order),
    (Code::DncContacted, dnc_contacted),
];

/// The prospect checks, reported at line 1, each with the code it reports.
const PROSPECT_CHECKS: [(Code, ProspectCheck); 4] = [
    (Code::Stalled, stalled),
    (Code::Overdue, overdue),
    (Code::Exhausted, exhausted),
    (Code::GaveUpEarly, gave_up_early),
];

fn future_entry(
    cx: &Context,
    _: Option<&Fields>,
    e: &Entry,
    _: Option<&Entry>,
) -> Option<(Code, String)> {
    (e.date > cx.today).then(|| {
        (
            Code::FutureEntry,
            format!(
                "entry dated {} is after today ({}); it does not count yet",
                e.date, cx.today
            ),
        )
    })
}

fn unknown_channel(
    cx: &Context,
    _: Option<&Fields>,
    e: &Entry,
    _: Option<&Entry>,
) -> Option<(Code, String)> {
    (due::is_touch(e) && !cx.settings.is_touch_channel(&e.channel)).then(|| {
        (
            Code::UnknownChannel,
            format!(
                "unknown channel `{}` (counted as a touch); add it to `channels` in ledger.yaml",
                e.channel
            ),
        )
    })
}

fn out_of_order(
    _: &Context,
    _: Option<&Fields>,
    e: &Entry,
    above: Option<&Entry>,
) -> Option<(Code, String)> {
    let above = above?;
    (e.date < above.date).then(|| {
        (
            Code::OutOfOrder,
            format!(
                "entry dated {} comes after one dated {}",
                e.date, above.date
            ),
        )
    })
}

fn dnc_contacted(
    _: &Context,
    fields: Option<&Fields>,
    e: &Entry,
    _: Option<&Entry>,
) -> Option<(Code, String)> {
    let Dnc::Since(since) = fields?.dnc() else {
        return None;
    };
    // An outbound touch after the prospect asked not to be contacted.
    (e.date > since && !e.inbound && due::is_touch(e)).then(|| {
        (
            Code::DncContacted,
            format!(
                "outbound {} on {} after the prospect asked not to be contacted ({since})",
                e.channel, e.date
            ),
        )
    })
}

fn stalled(cx: &Context, f: &Fields, s: &Status) -> Option<(Code, String)> {
    if cx.settings.is_closed(f.stage()) || f.stage() == "nurture" || f.dnc().is_set() {
        return None;
    }
    if f.next.is_some_and(|next| next > cx.today) {
        return None;
    }
    let latest = s.last_touch.max(f.added)?;
    (cx.settings.stall_after.after(latest) <= cx.today).then(|| {
        // Since the last touch, or since it was added (never touched, or
        // added again after its touches).
        let since = match s.last_touch {
            Some(last) if last == latest => format!("no touch since {latest}"),
            Some(_) => format!("no touch since it was added on {latest}"),
            None => format!("never touched since it was added on {latest}"),
        };
        (
            Code::Stalled,
            format!(
                "{since} ({} or more): follow up, set `next`, or close it",
                cx.settings.stall_after
            ),
        )
    })
}

fn overdue(cx: &Context, _: &Fields, s: &Status) -> Option<(Code, String)> {
    let due = s.due?;
    (cx.settings.overdue_after.after(due) < cx.today).then(|| {
        (
            Code::Overdue,
            format!(
                "follow-up was due {due}, {} days ago",
                s.overdue_days.unwrap_or(0)
            ),
        )
    })
}

fn exhausted(_: &Context, _: &Fields, s: &Status) -> Option<(Code, String)> {
    (s.due_reason == Reason::Exhausted).then(|| {
        (
            Code::Exhausted,
            format!(
                "{} spent the budget of {}: close it, nurture it, or set `next`",
                count(s.unanswered as usize, "unanswered follow-up"),
                s.budget
            ),
        )
    })
}

/// Whether a prospect was given up early: closed as lost for no response
/// (or no reason), with follow-ups of its budget left.
pub fn gave_up(f: &Fields, s: &Status) -> bool {
    let no_response = f.reason.as_deref().is_none_or(|r| r == "no-response");
    f.stage() == "lost" && no_response && s.unanswered < s.budget
}

fn gave_up_early(_: &Context, f: &Fields, s: &Status) -> Option<(Code, String)> {
    gave_up(f, s).then(|| {
        (
            Code::GaveUpEarly,
            format!(
                "closed as lost after {} of a budget of {}; most deals need more",
                count(s.unanswered as usize, "unanswered follow-up"),
                s.budget
            ),
        )
    })
}

/// A prospect assessed: its status when usable, and every problem found.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// The status, `None` when the prospect is broken and skipped.
    pub status: Option<Status>,
    /// Every problem, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Assessment {
    /// Why the prospect at `path` cannot be used: the first problem that
    /// breaks it (else the first problem), at its line, as an error whose
    /// message ends with `then`.
    pub fn broken(&self, path: &str, then: &str) -> Error {
        let first = self
            .diagnostics
            .iter()
            .find(|d| d.code.breaks_prospect())
            .or(self.diagnostics.first());
        match first {
            Some(d) => Error::BrokenProspect {
                path: d.path.clone(),
                line: d.line,
                column: d.column,
                message: format!("{}{then}", d.message),
            },
            None => Error::BrokenProspect {
                path: path.to_owned(),
                line: 1,
                column: 1,
                message: format!("cannot be read{then}"),
            },
        }
    }
}

/// What `due`, `list` and `stats` need of one prospect.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    /// Its status; `None` when it is broken.
    pub status: Option<Status>,
    /// What `stats` counts of its touches; `None` when it is broken.
    pub touches: Option<Touches>,
}

/// Run every check on one prospect.
pub fn assess(prospect: &Prospect, cx: &Context) -> Assessment {
    let counted = due::counted(&prospect.entries, cx.today);
    assess_for(prospect, cx, &counted, |_| true)
}

/// The status of one prospect and its errors, without the warnings (which
/// take longer to word): what `due` and `list` need.
pub fn assess_errors(prospect: &Prospect, cx: &Context) -> Assessment {
    let counted = due::counted(&prospect.entries, cx.today);
    assess_for(prospect, cx, &counted, is_error)
}

fn is_error(code: Code) -> bool {
    code.severity() == Severity::Error
}

/// The summary of one prospect for `due`, `list`, `stats` and `export`:
/// its status (with its card) and what its touches say. The touches that
/// count are found once, for both.
pub fn summarize(prospect: &Prospect, cx: &Context) -> Summary {
    let counted = due::counted(&prospect.entries, cx.today);
    let assessed = assess_for(prospect, cx, &counted, is_error);
    let touches = match (prospect.fields(), &assessed.status) {
        (Some(fields), Some(status)) => {
            Some(Touches::of(&counted, gave_up(fields, status), cx.today))
        }
        _ => None,
    };
    let mut status = assessed.status;
    if let (Some(status), Some(fields)) = (&mut status, prospect.fields()) {
        status.card = Some(Box::new(Card::of(fields)));
    }
    Summary { status, touches }
}

/// Run the checks whose code is `wanted` on one prospect, whose touches
/// that count are `counted` ([`due::counted`]).
fn assess_for(
    prospect: &Prospect,
    cx: &Context,
    counted: &[&Entry],
    wanted: impl Fn(Code) -> bool,
) -> Assessment {
    let mut diagnostics: Vec<Diagnostic> = prospect
        .problems
        .iter()
        .filter(|d| wanted(d.code))
        .cloned()
        .collect();
    let at = |line: usize, column: usize, (code, message): (Code, String)| {
        Diagnostic::new(&prospect.path, line, column, code, message)
    };
    let mut fields = prospect.fields();
    if let Some(f) = fields {
        if !cx.settings.is_stage(f.stage()) {
            let line = prospect.key_line("stage").unwrap_or(1);
            let message = format!(
                "stage `{}` is not one of: {}",
                f.stage(),
                cx.settings.stages.join(", ")
            );
            diagnostics.push(at(line, 1, (Code::UnknownStage, message)));
            fields = None;
        }
    }
    let mut above: Option<&Entry> = None;
    for entry in &prospect.entries {
        for (_, check) in ENTRY_CHECKS.iter().filter(|(code, _)| wanted(*code)) {
            if let Some(found) = check(cx, fields, entry, above) {
                diagnostics.push(at(entry.line, entry.column, found));
            }
        }
        above = Some(entry);
    }
    let status = fields.map(|f| {
        due::status(
            &prospect.id,
            &prospect.path,
            f,
            counted,
            cx.settings,
            cx.today,
        )
    });
    if let (Some(f), Some(s)) = (fields, &status) {
        for (_, check) in PROSPECT_CHECKS.iter().filter(|(code, _)| wanted(*code)) {
            if let Some(found) = check(cx, f, s) {
                diagnostics.push(at(1, 1, found));
            }
        }
    }
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Assessment {
        status,
        diagnostics,
    }
}

/// How a name or an email is compared by the `duplicate` check, by `add`
/// and by `import`: trimmed, in any case ([`folded`]).
pub fn duplicate_key(text: &str) -> String {
    folded(text.trim())
}

/// Who a usable prospect is, for the [`duplicates`] check: its id, and
/// the keys ([`duplicate_key`]) of its name and its email.
pub type Who = (String, String, Option<String>);

/// The `duplicate` check across prospects, given in any order: a prospect
/// that shares a name or an email with one of a smaller id, reported once
/// (for its name, when both are shared) and naming the first to have it.
pub fn duplicates<'a>(usable: impl IntoIterator<Item = &'a Who>) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let usable: Vec<&Who> = usable.into_iter().collect();
    // Every key with who has it, as (kind: 0 a name, 1 an email; key; id;
    // place in `usable`), sorted: a run of one key is in id order, its
    // first the first holder, and every name before every email. A sort
    // on every core, where a hash map of the keys took a lint of 100,000
    // prospects a tenth of its time (docs/benchmarks.md).
    let mut keys: Vec<(u8, &str, &str, usize)> = Vec::with_capacity(2 * usable.len());
    for (at, (id, name, email)) in usable.iter().enumerate() {
        keys.push((0, name, id, at));
        if let Some(email) = email.as_deref().filter(|email| !email.is_empty()) {
            keys.push((1, email, id, at));
        }
    }
    keys.par_sort_unstable();
    // What each prospect shares, and with whom: the first found, so a
    // name before an email.
    let mut shared: Vec<Option<(&str, &str, &str)>> = vec![None; usable.len()];
    for run in keys.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        let Some((&(kind, key, holder, _), later)) = run.split_first() else {
            continue;
        };
        let what = if kind == 0 { "name" } else { "email" };
        for &(.., at) in later {
            if let Some(slot @ None) = shared.get_mut(at) {
                *slot = Some((what, key, holder));
            }
        }
    }
    drop(keys);
    usable
        .iter()
        .zip(shared)
        .filter_map(|((id, ..), shared)| {
            let (what, key, holder) = shared?;
            Some(Diagnostic::new(
                &format!("{id}.md"),
                1,
                1,
                Code::Duplicate,
                format!("same {what} as {holder} ({key}): merge them, or tell them apart"),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::date::parse_iso;

    fn codes(settings: &str, file: &str) -> Vec<(Code, usize)> {
        let (settings, _) = Settings::parse(settings);
        let cx = Context {
            settings: &settings,
            today: parse_iso("2026-11-23").unwrap(),
        };
        let p = Prospect::parse("p.md", file);
        assess(&p, &cx)
            .diagnostics
            .into_iter()
            .map(|d| (d.code, d.line))
            .collect()
    }

    /// One test per code: a file that has exactly that problem.
    #[test]
    fn each_code() {
        let cases: [(&str, Vec<(Code, usize)>); 16] = [
            ("---\nname: Fine\nnext: 2026-12-01\n---\n", vec![]),
            ("---\nname: A\n", vec![(Code::FrontMatter, 1)]),
            ("---\nstage: lead\n---\n", vec![(Code::MissingName, 1)]),
            ("---\nname: A\nvalue: 12k\n---\n", vec![(Code::BadField, 3)]),
            ("---\nname: A\nstage: maybe\n---\n", vec![(Code::UnknownStage, 3)]),
            ("---\nname: A\nnext: 2026-12-01\n---\n## Log\n- called\n", vec![(Code::BadEntry, 6)]),
            ("---\nname: A\nnext: 2026-12-02\n---\n## Log\n- 2026-12-01 call: x\n", vec![(Code::FutureEntry, 6)]),
            ("---\nname: A\nnext: 2026-12-01\n---\n## Log\n- 2026-11-20 fax: x\n", vec![(Code::UnknownChannel, 6)]),
            ("---\nname: A\nnext: 2026-12-01\n---\n## Log\n- 2026-11-20 call: b\n- 2026-11-10 call: a\n", vec![(Code::OutOfOrder, 7)]),
            ("---\nname: A\nvalue: 20000\n---\n## Log\n- 2026-10-01 call: x\n", vec![(Code::Overdue, 1), (Code::Stalled, 1)]),
            ("---\nname: A\nvalue: 20000\n---\n## Log\n- 2026-11-10 call: x\n", vec![(Code::Overdue, 1)]),
            ("---\nname: A\nvalue: 1\nnext: 2026-11-20\n---\n## Log\n- 2026-11-19 call (in): x\n- 2026-11-20 call: x\n- 2026-11-21 call: x\n- 2026-11-22 call: x\n", vec![(Code::Exhausted, 1)]),
            ("---\nname: A\nstage: lost\nreason: no-response\n---\n## Log\n- 2026-11-01 call: x\n", vec![(Code::GaveUpEarly, 1)]),
            ("---\nname: A\nstage: lost\n---\n", vec![(Code::GaveUpEarly, 1)]),
            ("---\nname: A\nstage: lost\nreason: declined\n---\n", vec![]),
            ("---\nname: A\ndnc: 2026-11-10\n---\n## Log\n- 2026-11-10 email (in): stop\n- 2026-11-15 call: oops\n- 2026-11-16 note: fine\n", vec![(Code::DncContacted, 7)]),
        ];
        for (file, want) in cases {
            assert_eq!(codes("", file), want, "{file}");
        }
    }

    #[test]
    fn stalled_needs_a_date_and_an_open_stage() {
        let cases = [
            ("---\nname: A\n---\n", vec![]),
            (
                "---\nname: A\nadded: 2026-10-01\nnext: 2026-10-05\n---\n",
                vec![(Code::Overdue, 1), (Code::Stalled, 1)],
            ),
            (
                "---\nname: A\nadded: 2026-10-01\nnext: 2026-12-05\n---\n",
                vec![],
            ),
            // Never touched, a nurtured prospect is new (rule 3): overdue, not stalled.
            (
                "---\nname: A\nstage: nurture\nadded: 2026-01-01\n---\n",
                vec![(Code::Overdue, 1)],
            ),
            ("---\nname: A\nadded: 2026-01-01\ndnc: true\n---\n", vec![]),
        ];
        for (file, want) in cases {
            assert_eq!(codes("", file), want, "{file}");
        }
    }

    /// The stalled message says since when, and what happened then.
    #[test]
    fn stalled_says_since_what() {
        let (settings, _) = Settings::parse("");
        let cx = Context {
            settings: &settings,
            today: parse_iso("2026-11-23").unwrap(),
        };
        let message = |file: &str| {
            let p = Prospect::parse("p.md", file);
            assess(&p, &cx)
                .diagnostics
                .into_iter()
                .find(|d| d.code == Code::Stalled)
                .map(|d| d.message)
        };
        let cases = [
            (
                "added: 2026-09-01\n---\n## Log\n- 2026-10-01 call: x\n",
                "no touch since 2026-10-01 (30d",
            ),
            (
                "added: 2026-10-02\n---\n## Log\n- 2026-10-01 call: x\n",
                "no touch since it was added on 2026-10-02 (30d",
            ),
            (
                "added: 2026-10-02\n---\n",
                "never touched since it was added on 2026-10-02 (30d",
            ),
        ];
        for (rest, want) in cases {
            let file = format!("---\nname: A\n{rest}");
            let got = message(&file).unwrap_or_default();
            assert!(got.starts_with(want), "{file}: {got}");
        }
    }

    #[test]
    fn settings_change_the_checks() {
        let file = "---\nname: A\nnext: 2026-12-01\n---\n## Log\n- 2026-11-20 whatsapp: x\n";
        assert_eq!(codes("channels: [whatsapp]\n", file), []);
    }

    #[test]
    fn duplicates_are_reported_on_the_later_id() {
        let fields = |name: &str, email: Option<&str>| Fields {
            name: name.into(),
            email: email.map(str::to_owned),
            ..Fields::default()
        };
        let a = fields("Chatty", Some("x@chatty.example"));
        let b = fields("Other", Some("X@Chatty.example"));
        let c = fields("chatty", None);
        let d = fields("Unique", None);
        let e = fields("Other", Some("e@new.example"));
        let f = fields("CHATTY ", Some("x@chatty.example"));
        let keys: Vec<Who> = [
            ("e", &e),
            ("f", &f),
            ("c", &c),
            ("a", &a),
            ("d", &d),
            ("b", &b),
        ]
        .into_iter()
        .map(|(id, f)| {
            (
                id.to_owned(),
                duplicate_key(&f.name),
                f.email.as_deref().map(duplicate_key),
            )
        })
        .collect();
        let found = duplicates(keys.iter());
        let mut said: Vec<(&str, &str)> = found
            .iter()
            .map(|d| (d.path.as_str(), d.message.as_str()))
            .collect();
        said.sort();
        // Given in any order: b shares a's email, c a's name, e b's name
        // (its email is its own), and f both of a's, said once.
        assert_eq!(
            said,
            [
                (
                    "b.md",
                    "same email as a (x@chatty.example): merge them, or tell them apart"
                ),
                (
                    "c.md",
                    "same name as a (chatty): merge them, or tell them apart"
                ),
                (
                    "e.md",
                    "same name as b (other): merge them, or tell them apart"
                ),
                (
                    "f.md",
                    "same name as a (chatty): merge them, or tell them apart"
                ),
            ]
        );
    }

    /// The duplicates of prospects given in any order are those a walk in
    /// id order finds, remembering the first holder of each key.
    #[test]
    fn duplicates_are_those_found_in_id_order() {
        use proptest::prelude::*;
        use std::collections::HashMap;
        // Prospects p00, p01, … sharing names and emails (some empty), in
        // any order.
        let prospect = (0usize..6, proptest::option::of(0usize..4));
        let ledger = proptest::collection::vec(prospect, 0..40)
            .prop_map(|ledger| {
                let who = ledger.into_iter().enumerate().map(|(i, (name, email))| {
                    let email = email.map(|e| {
                        if e == 0 {
                            String::new()
                        } else {
                            format!("e{e}")
                        }
                    });
                    (format!("p{i:02}"), format!("n{name}"), email)
                });
                who.collect::<Vec<Who>>()
            })
            .prop_shuffle();
        proptest!(|(who in ledger)| {
            // In id order, by hand.
            let mut in_order: Vec<&Who> = who.iter().collect();
            in_order.sort();
            let mut seen: HashMap<(usize, &str), &str> = HashMap::new();
            let mut expected = Vec::new();
            for (id, name, email) in in_order {
                let email = email.as_deref().filter(|e| !e.is_empty());
                let mut said = false;
                for (kind, key) in [(0, Some(name.as_str())), (1, email)] {
                    let Some(key) = key else { continue };
                    match seen.get(&(kind, key)) {
                        Some(first) if !said => {
                            let what = ["name", "email"][kind];
                            expected.push(format!("{id}.md: same {what} as {first} ({key})"));
                            said = true;
                        }
                        Some(_) => {}
                        None => {
                            seen.insert((kind, key), id);
                        }
                    }
                }
            }
            let mut found: Vec<String> = duplicates(who.iter())
                .iter()
                .map(|d| {
                    let message = d.message.trim_end_matches(": merge them, or tell them apart");
                    format!("{}: {message}", d.path)
                })
                .collect();
            found.sort();
            expected.sort();
            prop_assert_eq!(found, expected);
        });
    }
}
