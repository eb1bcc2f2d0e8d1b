//! Who is due, and why (SPEC section 3). The rules are a table: the first
//! rule that applies decides the due date, its reason and the channel.

use serde::{Serialize, Serializer};

use crate::format::cadence::Cadence;
use crate::format::date::{self, Date};
use crate::format::entry::Entry;
use crate::format::front_matter::{Dnc, Fields};
use crate::rules::settings::{Settings, NOTE};

/// Why a prospect is due when it is, or why it is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reason {
    /// The stage is closed.
    Closed,
    /// Do not contact.
    Dnc,
    /// `next` says when.
    Scheduled,
    /// No touches yet.
    New,
    /// The prospect spoke last: answer them.
    Reply,
    /// A nurtured prospect's periodic check-in.
    Nurture,
    /// The follow-up budget is spent.
    Exhausted,
    /// The cadence step for the unanswered follow-ups.
    Cadence,
}

impl Reason {
    /// The reason as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Closed => "closed",
            Reason::Dnc => "dnc",
            Reason::Scheduled => "scheduled",
            Reason::New => "new",
            Reason::Reply => "reply",
            Reason::Nurture => "nurture",
            Reason::Exhausted => "exhausted",
            Reason::Cadence => "cadence",
        }
    }
}

/// What the rules see of one prospect.
#[derive(Debug)]
pub struct Facts<'a> {
    /// Today.
    pub today: Date,
    /// The prospect's fields.
    pub fields: &'a Fields,
    /// The ledger's settings.
    pub settings: &'a Settings,
    /// The cadence that applies: the prospect's own, else the settings'.
    pub cadence: &'a Cadence,
    /// Touches, inbound or outbound.
    pub touches: u32,
    /// The date of the latest touch.
    pub last: Option<Date>,
    /// Outbound touches after the latest inbound one.
    pub unanswered: u32,
    /// Unanswered follow-ups the deal is worth.
    pub budget: u32,
}

/// What the first applicable rule decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Why.
    pub reason: Reason,
    /// When, if ever.
    pub due: Option<Date>,
    /// The suggested channel.
    pub channel: Option<String>,
    /// The cadence step number that applied (rule 7).
    pub step: Option<u32>,
}

impl Decision {
    fn new(reason: Reason, due: Option<Date>) -> Decision {
        Decision {
            reason,
            due,
            channel: None,
            step: None,
        }
    }
}

/// A rule: the decision when it applies.
type Rule = fn(&Facts) -> Option<Decision>;

/// The rules of SPEC section 3, in order; the first that applies decides,
/// and when none does, the [`cadence`] (rule 7, "otherwise").
const RULES: [Rule; 7] = [closed, dnc, scheduled, new, reply, nurture, exhausted];

fn closed(f: &Facts) -> Option<Decision> {
    f.settings
        .is_closed(f.fields.stage())
        .then(|| Decision::new(Reason::Closed, None))
}

fn dnc(f: &Facts) -> Option<Decision> {
    f.fields
        .dnc()
        .is_set()
        .then(|| Decision::new(Reason::Dnc, None))
}

fn scheduled(f: &Facts) -> Option<Decision> {
    let next = f.fields.next?;
    (f.touches == 0 || f.last.is_some_and(|last| next > last))
        .then(|| Decision::new(Reason::Scheduled, Some(next)))
}

fn new(f: &Facts) -> Option<Decision> {
    (f.touches == 0).then(|| Decision::new(Reason::New, Some(f.fields.added.unwrap_or(f.today))))
}

fn reply(f: &Facts) -> Option<Decision> {
    (f.unanswered == 0).then(|| Decision::new(Reason::Reply, f.last))
}

fn nurture(f: &Facts) -> Option<Decision> {
    (f.fields.stage() == "nurture").then(|| {
        Decision::new(
            Reason::Nurture,
            f.last.map(|last| f.settings.nurture_every.after(last)),
        )
    })
}

fn exhausted(f: &Facts) -> Option<Decision> {
    (f.unanswered >= f.budget).then(|| Decision::new(Reason::Exhausted, None))
}

/// The decision when no rule of [`RULES`] applies: the cadence's step.
pub fn cadence(f: &Facts) -> Decision {
    let step = f.cadence.step(f.unanswered as usize);
    Decision {
        reason: Reason::Cadence,
        due: f.last.map(|last| step.wait.after(last)),
        channel: step.channel.clone(),
        step: Some(f.unanswered),
    }
}

/// Whether an entry is a touch (a contact), as opposed to a `note`.
pub fn is_touch(entry: &Entry) -> bool {
    entry.channel != NOTE
}

/// A prospect's follow-up status: the `--json` shape of `due`, `list` and `show`.
///
/// The same shape is what the cache keeps (a compact binary form, which
/// writes every field in order); JSON adds `step` and `dnc_since` to what
/// SPEC section 5 shows.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Status {
    /// `prospects/acme-corp`.
    pub id: String,
    /// `prospects/acme-corp.md`.
    pub path: String,
    /// Display name.
    pub name: String,
    /// Stage.
    pub stage: String,
    /// Deal value.
    #[serde(serialize_with = "whole_if_whole")]
    pub value: Option<f64>,
    /// Currency of the value.
    pub currency: String,
    /// Who owns it.
    pub owner: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Touches so far.
    pub touches: u32,
    /// Outbound touches since the prospect last spoke.
    pub unanswered: u32,
    /// Unanswered follow-ups the deal is worth.
    pub budget: u32,
    /// The latest touch.
    #[serde(with = "date::serde_day")]
    pub last_touch: Option<Date>,
    /// When the next follow-up is due.
    #[serde(with = "date::serde_day")]
    pub due: Option<Date>,
    /// Days late (positive), 0 today, negative ahead.
    pub overdue_days: Option<i64>,
    /// Why it is due then, or not at all.
    pub due_reason: Reason,
    /// The suggested channel.
    pub channel: Option<String>,
    /// The cadence step that applied.
    pub step: Option<u32>,
    /// Since when the prospect asked not to be contacted (`dnc: DATE`).
    #[serde(with = "date::serde_day")]
    pub dnc_since: Option<Date>,
    /// The rest of the front matter's known values, which an export's
    /// writer reads (`ledger::report::Query::write`); made when a file is
    /// read, let go of unless a writer asks for them. Never in `--json`
    /// (`show` prints the fields themselves), and kept apart in the
    /// cache, so that `due` does not pay for what it does not show.
    #[serde(skip)]
    pub card: Option<Box<Card>>,
    /// What an export writes of the prospect, when the report was asked
    /// to write it where the prospect was read (see
    /// `ledger::report::Query::write`); the card is then let go.
    #[serde(skip)]
    pub written: Option<Box<[u8]>>,
}

/// The front matter's known values that a [`Status`] does not carry:
/// with it, every column of `export csv`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, serde::Deserialize)]
pub struct Card {
    /// Company.
    pub company: Option<String>,
    /// Contact person.
    pub contact: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Where the lead came from.
    pub source: Option<String>,
    /// When the prospect entered the ledger.
    #[serde(with = "date::serde_day")]
    pub added: Option<Date>,
    /// The explicit next follow-up.
    #[serde(with = "date::serde_day")]
    pub next: Option<Date>,
    /// Do not contact, when the file says anything of it.
    pub dnc: Option<Dnc>,
    /// Why it was closed.
    pub reason: Option<String>,
}

impl Card {
    /// The card of a prospect's fields.
    pub fn of(fields: &Fields) -> Card {
        Card {
            company: fields.company.clone(),
            contact: fields.contact.clone(),
            email: fields.email.clone(),
            phone: fields.phone.clone(),
            source: fields.source.clone(),
            added: fields.added,
            next: fields.next,
            dnc: fields.dnc,
            reason: fields.reason.clone(),
        }
    }
}

/// A whole value as an integer (`12000`, not `12000.0`) for people and
/// JSON; as it is for a binary form, which reads back what it wrote.
fn whole_if_whole<S: Serializer>(value: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    if !s.is_human_readable() {
        return value.serialize(s);
    }
    match value {
        Some(v) => match whole(*v) {
            Some(whole) => s.serialize_i64(whole),
            None => s.serialize_f64(*v),
        },
        None => s.serialize_none(),
    }
}

/// `value` as a whole number, when it is one that an `f64` holds exactly.
pub fn whole(value: f64) -> Option<i64> {
    (value.fract() == 0.0 && value.abs() < 9.0e15).then_some(value as i64)
}

/// The well-formed entries dated on or before `today`, notes too, in date
/// order (a stable sort: the log's order within a day).
pub fn history(entries: &[Entry], today: Date) -> Vec<&Entry> {
    let mut history: Vec<&Entry> = Vec::with_capacity(entries.len());
    history.extend(entries.iter().filter(|e| e.date <= today));
    history.sort_by_key(|e| e.date);
    history
}

/// The touches that count (SPEC section 3) among well-formed entries:
/// the [`history`] without its notes.
pub fn counted(entries: &[Entry], today: Date) -> Vec<&Entry> {
    let mut counted = history(entries, today);
    // A touch after `dnc` counts: it happened (`lint` reports it).
    counted.retain(|e| is_touch(e));
    counted
}

/// Work out a prospect's status from its fields and the touches that
/// count ([`counted`]).
pub fn status(
    id: &str,
    path: &str,
    fields: &Fields,
    counted: &[&Entry],
    settings: &Settings,
    today: Date,
) -> Status {
    let touches = counted.len() as u32;
    let last = counted.last().map(|e| e.date);
    let unanswered = counted.iter().rev().take_while(|e| !e.inbound).count() as u32;
    let budget = settings.budget(fields.value);
    let facts = Facts {
        today,
        fields,
        settings,
        cadence: fields.cadence.as_ref().unwrap_or(&settings.cadence),
        touches,
        last,
        unanswered,
        budget,
    };
    let decision = RULES
        .iter()
        .find_map(|rule| rule(&facts))
        .unwrap_or_else(|| cadence(&facts));
    Status {
        id: id.to_owned(),
        path: path.to_owned(),
        name: fields.name.clone(),
        stage: fields.stage().to_owned(),
        value: fields.value,
        currency: fields
            .currency
            .clone()
            .unwrap_or_else(|| settings.currency.clone()),
        owner: fields.owner.clone(),
        tags: fields.tags.clone(),
        touches,
        unanswered,
        budget,
        last_touch: last,
        due: decision.due,
        overdue_days: decision.due.map(|due| date::days_between(due, today)),
        due_reason: decision.reason,
        channel: decision.channel,
        step: decision.step,
        dnc_since: match fields.dnc() {
            Dnc::Since(since) => Some(since),
            _ => None,
        },
        card: None,
        written: None,
    }
}

/// The order of `due` and `list`: by due date, then value (largest first,
/// none last), then id; prospects without a due date last, by id.
pub fn order(a: &Status, b: &Status) -> std::cmp::Ordering {
    rank(a.due, a.value, &a.id).cmp(&rank(b.due, b.value, &b.id))
}

/// What [`order`] sorts by: whether the status is undated, its due date,
/// its value (in cents, the larger first) and its id.
type Rank<'s> = (bool, Option<Date>, std::cmp::Reverse<Option<i128>>, &'s str);

/// The [`Rank`] of a status due then, of that value and id.
fn rank(due: Option<Date>, value: Option<f64>, id: &str) -> Rank<'_> {
    let value = due.and(value).map(cents);
    (due.is_none(), due, std::cmp::Reverse(value), id)
}

/// A deal value in cents: a whole number, which sorts the same in any
/// order (values are finite and ≥ 0; a huge one saturates, as `as` does,
/// and sorts with the largest).
fn cents(v: f64) -> i128 {
    (v * 100.0).round() as i128
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::prospect::Prospect;

    const T: &str = "2026-11-23";

    fn run(settings: &str, file: &str) -> Status {
        let (settings, problems) = Settings::parse(settings);
        assert_eq!(problems, []);
        let p = Prospect::parse("p.md", file);
        assert_eq!(p.problems, [], "{file}");
        let today = date::parse_iso(T).unwrap();
        status(
            &p.id,
            &p.path,
            p.fields().unwrap(),
            &counted(&p.entries, today),
            &settings,
            today,
        )
    }

    fn check(file: &str, reason: Reason, due: Option<&str>, channel: Option<&str>) {
        let s = run("", file);
        assert_eq!(
            (s.due_reason, s.due, s.channel.as_deref()),
            (reason, due.map(|d| date::parse_iso(d).unwrap()), channel),
            "{file}"
        );
    }

    /// One test per rule, in the table's order.
    #[test]
    fn rule_1_closed() {
        check(
            "---\nname: W\nstage: won\nnext: 2026-11-01\n---\n",
            Reason::Closed,
            None,
            None,
        );
    }

    #[test]
    fn rule_1_dnc() {
        check(
            "---\nname: D\ndnc: true\nnext: 2026-11-01\n---\n",
            Reason::Dnc,
            None,
            None,
        );
        check(
            "---\nname: D\ndnc: 2026-11-10\n---\n",
            Reason::Dnc,
            None,
            None,
        );
        check(
            "---\nname: D\ndnc: false\n---\n",
            Reason::New,
            Some(T),
            None,
        );
    }

    #[test]
    fn rule_2_scheduled() {
        check(
            "---\nname: S\nnext: 2026-11-10\n---\n",
            Reason::Scheduled,
            Some("2026-11-10"),
            None,
        );
        let later = "---\nname: S\nnext: 2026-11-28\n---\n## Log\n- 2026-11-20 call (in): later\n";
        check(later, Reason::Scheduled, Some("2026-11-28"), None);
        // A `next` on or before the last touch is spent.
        let spent =
            "---\nname: S\nvalue: 3000\nnext: 2026-11-10\n---\n## Log\n- 2026-11-12 call: spoke\n";
        check(spent, Reason::Cadence, Some("2026-11-14"), Some("email"));
    }

    #[test]
    fn rule_3_new() {
        check(
            "---\nname: N\nadded: 2026-11-20\n---\n",
            Reason::New,
            Some("2026-11-20"),
            None,
        );
        check(
            "---\nname: N\n---\n## Log\n- 2026-11-22 note: met\n",
            Reason::New,
            Some(T),
            None,
        );
    }

    #[test]
    fn rule_4_reply() {
        let file = "---\nname: R\n---\n## Log\n- 2026-11-03 email: a\n- 2026-11-21 email (in): b\n";
        check(file, Reason::Reply, Some("2026-11-21"), None);
    }

    #[test]
    fn rule_5_nurture() {
        let file = "---\nname: W\nstage: nurture\n---\n## Log\n- 2026-09-15 meeting: x\n- 2026-10-01 email: y\n";
        check(file, Reason::Nurture, Some("2026-11-30"), None);
    }

    #[test]
    fn rule_6_exhausted() {
        let file = "---\nname: X\nvalue: 800\n---\n## Log\n- 2026-10-01 call: a\n- 2026-10-04 email: b\n- 2026-10-09 call: c\n";
        check(file, Reason::Exhausted, None, None);
    }

    #[test]
    fn rule_7_cadence() {
        // The SPEC's worked example.
        let file = "---\nname: Acme\nvalue: 12000\n---\n## Log\n- 2026-11-02 meeting: a\n- 2026-11-05 email: b\n";
        let s = run("", file);
        assert_eq!((s.touches, s.unanswered, s.budget), (2, 2, 12));
        assert_eq!(s.due, date::parse_iso("2026-11-08"));
        assert_eq!(
            (s.overdue_days, s.channel.as_deref(), s.step),
            (Some(15), Some("call"), Some(2))
        );
        // Past its end the last step repeats; a prospect's own cadence wins.
        let own = "---\nname: P\nvalue: 10000\ncadence: [1w call, 2w email]\n---\n## Log\n* 2026-11-18 call: a\n+ 2026-11-01 email: b\n- 2026-11-19 email: c\n";
        check(own, Reason::Cadence, Some("2026-12-03"), Some("email"));
    }

    #[test]
    fn future_entries_do_not_count_and_touches_after_dnc_do() {
        let file = "---\nname: F\nvalue: 100\n---\n## Log\n- 2026-11-20 call: a\n- 2026-12-01 call: future\n";
        let s = run("", file);
        assert_eq!(
            (s.touches, s.last_touch),
            (1, date::parse_iso("2026-11-20"))
        );
        let file = "---\nname: D\ndnc: 2026-11-10\n---\n## Log\n- 2026-11-01 call: a\n- 2026-11-10 email (in): stop\n- 2026-11-15 call: oops\n";
        let s = run("", file);
        assert_eq!(
            (s.touches, s.unanswered, s.last_touch, s.due_reason),
            (3, 1, date::parse_iso("2026-11-15"), Reason::Dnc)
        );
    }

    #[test]
    fn budgets_from_settings() {
        let s = run(
            "persistence: {0: 2, 100000: 20}\nunknown_value_touches: 4\n",
            "---\nname: U\n---\n",
        );
        assert_eq!(s.budget, 4);
    }

    #[test]
    fn ordering() {
        let mk = |id: &str, due: Option<&str>, value: Option<f64>| {
            let mut s = run("", "---\nname: X\n---\n");
            s.id = id.into();
            s.due = due.map(|d| date::parse_iso(d).unwrap());
            s.value = value;
            s
        };
        let mut all = [
            mk("e", None, Some(1.0)),
            mk("d", Some("2026-11-23"), None),
            mk("c", Some("2026-11-23"), Some(5.0)),
            mk("b", Some("2026-11-23"), Some(500.0)),
            mk("a", Some("2026-11-24"), Some(1e6)),
            mk("a0", None, None),
        ];
        all.sort_by(order);
        let ids: Vec<&str> = all.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["b", "c", "d", "a", "a0", "e"]);
    }
}
