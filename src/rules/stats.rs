//! The figures of `ledger stats` (SPEC section 8). What one prospect's log
//! says of its follow-up is worked out once, as [`Touches`], and kept in
//! the cache beside its status; a [`Tally`] sums prospects (each piece of
//! the walk its own, then joined) and gives the [`Stats`] a person sees.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Days};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::format::date::{self, Date};
use crate::format::entry::Entry;
use crate::rules::check::Context;
use crate::rules::due::{self, Reason, Status};
use crate::rules::settings::Settings;

/// The buckets that touches and follow-ups are counted in, by label: one
/// each up to four, then five to twelve, then thirteen and more.
const BUCKETS: [&str; 7] = ["0", "1", "2", "3", "4", "5-12", "13+"];

/// The bucket of `n`: its place in [`BUCKETS`].
fn bucket(n: u32) -> usize {
    match n {
        0..=4 => n as usize,
        5..=12 => 5,
        _ => 6,
    }
}

/// The shares of sales commonly said to be made on the first, second,
/// third, fourth, and fifth to twelfth contact: figures repeated in sales
/// writing, not measurements, shown beside a person's own.
pub const CITED_SALES_BY_CONTACT: [(&str, f64); 5] = [
    ("1", 0.02),
    ("2", 0.03),
    ("3", 0.05),
    ("4", 0.10),
    ("5-12", 0.80),
];

/// The stage whose prospects count as won; every other closed stage is lost.
pub const WON: &str = "won";

/// How many weeks `activity` covers, ending with today's.
const WEEKS: usize = 12;

/// What `stats` needs of one prospect's touches, beyond its status: a
/// few counts, kept in the cache beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touches {
    /// Its replies (inbound touches), in the [`BUCKETS`] of how many
    /// outbound touches came since the reply before, or since the start:
    /// `0` when they reached out first.
    pub replies_after: [u32; 7],
    /// Touches of ours and of theirs in each of the last [`WEEKS`] weeks,
    /// this week first.
    pub recent: [(u32, u32); WEEKS],
    /// Whether it was given up early (`lint`'s `gave-up-early`).
    pub gave_up_early: bool,
}

impl Touches {
    /// What a prospect's counted touches say ([`crate::rules::due::counted`]:
    /// dated on or before `today`, in date order).
    pub fn of(counted: &[&Entry], gave_up_early: bool, today: Date) -> Touches {
        let mut touches = Touches {
            gave_up_early,
            ..Touches::default()
        };
        let mut since_reply = 0u32;
        let this_week = monday(today);
        for entry in counted {
            if entry.inbound {
                if let Some(count) = touches.replies_after.get_mut(bucket(since_reply)) {
                    *count = count.saturating_add(1);
                }
                since_reply = 0;
            } else {
                since_reply = since_reply.saturating_add(1);
            }
            let ago = date::days_between(monday(entry.date), this_week) / 7;
            let week = usize::try_from(ago)
                .ok()
                .and_then(|ago| touches.recent.get_mut(ago));
            if let Some((outbound, inbound)) = week {
                let count = if entry.inbound { inbound } else { outbound };
                *count = count.saturating_add(1);
            }
        }
        touches
    }
}

/// The Monday of `day`'s ISO week.
fn monday(day: Date) -> Date {
    let back = Days::new(u64::from(day.weekday().num_days_from_monday()));
    day.checked_sub_days(back).unwrap_or(day)
}

/// Sums of money by currency (see [`Sum`]).
type Sums = BTreeMap<String, Sum>;

/// A sum of money, which adds up the same in whatever order the walk's
/// pieces come: an exact count of billionths of a unit (a value finer
/// than that, which no money is, counts to the nearest), while it fits
/// (some 1.7e29 units); past that, the sum of the values as they are,
/// never a number capped. Whole cents (most values) and 0.125 BTC alike
/// come out as written.
#[derive(Debug, Clone, Copy)]
struct Sum {
    nanos: Option<i128>,
    float: f64,
}

/// Billionths in a unit.
const NANOS: f64 = 1e9;

impl Default for Sum {
    fn default() -> Sum {
        Sum {
            nanos: Some(0),
            float: 0.0,
        }
    }
}

impl Sum {
    fn add(&mut self, value: f64) {
        self.float += value;
        let scaled = (value * NANOS).round();
        // 2^127: the first f64 past what an i128 holds.
        let nanos = (scaled.abs() < 2f64.powi(127)).then_some(scaled as i128);
        self.nanos = self
            .nanos
            .zip(nanos)
            .and_then(|(sum, n)| sum.checked_add(n));
    }

    fn join(&mut self, more: Sum) {
        self.float += more.float;
        self.nanos = self
            .nanos
            .zip(more.nanos)
            .and_then(|(a, b)| a.checked_add(b));
    }

    /// The sum in the currency's units.
    fn units(self) -> f64 {
        self.nanos.map_or(self.float, |nanos| nanos as f64 / NANOS)
    }
}

/// Add `value` (in `currency`) to `sums`.
fn add_value(sums: &mut Sums, currency: &str, value: Option<f64>) {
    let Some(value) = value else { return };
    match sums.get_mut(currency) {
        Some(sum) => sum.add(value),
        None => {
            let mut sum = Sum::default();
            sum.add(value);
            sums.insert(currency.to_owned(), sum);
        }
    }
}

fn join_values(sums: &mut Sums, more: Sums) {
    for (currency, sum) in more {
        sums.entry(currency).or_default().join(sum);
    }
}

/// Add one to the bucket of `n`.
fn count_in(buckets: &mut [u64; 7], n: u32) {
    if let Some(count) = buckets.get_mut(bucket(n)) {
        *count += 1;
    }
}

fn join_buckets(buckets: &mut [u64; 7], more: [u64; 7]) {
    for (count, more) in buckets.iter_mut().zip(more) {
        *count += more;
    }
}

/// The running sums of `stats` over the prospects it has been given.
#[derive(Debug, Default)]
pub struct Tally {
    /// By stage: how many prospects, and their value.
    stages: HashMap<String, (u64, Sums)>,
    won: [u64; 7],
    lost: [u64; 7],
    replies_after: [u64; 7],
    gave_up_early: Vec<String>,
    left_on_the_table: Sums,
    exhausted: u64,
    due: u64,
    /// Outbound and inbound touches by weeks ago.
    activity: [(u64, u64); WEEKS],
}

impl Tally {
    /// Count one prospect: its status and what its touches say.
    pub fn add(&mut self, cx: &Context, status: &Status, touches: &Touches) {
        // The stage's name is copied once, for its first prospect.
        match self.stages.get_mut(&status.stage) {
            Some((prospects, value)) => {
                *prospects += 1;
                add_value(value, &status.currency, status.value);
            }
            None => {
                let mut value = Sums::new();
                add_value(&mut value, &status.currency, status.value);
                self.stages.insert(status.stage.clone(), (1, value));
            }
        }
        // Closed is the first of the due rules: a closed stage's reason.
        if status.due_reason == Reason::Closed {
            let deals = match status.stage == WON {
                true => &mut self.won,
                false => &mut self.lost,
            };
            count_in(deals, status.touches);
        }
        for (count, more) in self.replies_after.iter_mut().zip(touches.replies_after) {
            *count += u64::from(more);
        }
        if touches.gave_up_early {
            self.gave_up_early.push(status.id.clone());
            add_value(&mut self.left_on_the_table, &status.currency, status.value);
        }
        self.exhausted += u64::from(status.due_reason == Reason::Exhausted);
        self.due += u64::from(status.due.is_some_and(|due| due <= cx.today));
        for (week, (outbound, inbound)) in self.activity.iter_mut().zip(touches.recent) {
            week.0 += u64::from(outbound);
            week.1 += u64::from(inbound);
        }
    }

    /// Take in what another piece of the walk counted.
    pub fn join(&mut self, more: Tally) {
        for (name, (prospects, value)) in more.stages {
            let stage = self.stages.entry(name).or_default();
            stage.0 += prospects;
            join_values(&mut stage.1, value);
        }
        join_buckets(&mut self.won, more.won);
        join_buckets(&mut self.lost, more.lost);
        join_buckets(&mut self.replies_after, more.replies_after);
        self.gave_up_early.extend(more.gave_up_early);
        join_values(&mut self.left_on_the_table, more.left_on_the_table);
        self.exhausted += more.exhausted;
        self.due += more.due;
        for ((outbound, inbound), more) in self.activity.iter_mut().zip(more.activity) {
            *outbound += more.0;
            *inbound += more.1;
        }
    }

    /// The figures, for the settings' stages and the weeks up to `today`'s.
    pub fn finish(mut self, settings: &Settings, today: Date) -> Stats {
        let pipeline = settings
            .stages
            .iter()
            .map(|stage| {
                let (prospects, value) = self.stages.remove(stage).unwrap_or_default();
                Stage {
                    stage: stage.clone(),
                    closed: settings.is_closed(stage),
                    prospects,
                    value: Values::of(value),
                }
            })
            .collect();
        self.gave_up_early.sort_unstable();
        let this_week = monday(today);
        let activity = (0..WEEKS)
            .rev()
            .zip(self.activity.iter().rev())
            .map(|(ago, &(outbound, inbound))| {
                let monday = this_week
                    .checked_sub_days(Days::new(7 * ago as u64))
                    .unwrap_or(this_week);
                let week = monday.iso_week();
                Activity {
                    week: format!("{:04}-W{:02}", week.year(), week.week()),
                    monday,
                    outbound,
                    inbound,
                }
            })
            .collect();
        Stats {
            pipeline,
            won_by_touches: Buckets(self.won),
            lost_by_touches: Buckets(self.lost),
            replies_after: Buckets(self.replies_after),
            gave_up_early: GaveUp {
                prospects: self.gave_up_early,
                value: Values::of(self.left_on_the_table),
            },
            exhausted: self.exhausted,
            due: self.due,
            activity,
            cited_sales_by_contact: Cited,
        }
    }
}

/// The figures of `ledger stats`, in the shape of its `--json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// One row per stage of the settings, in their order.
    pub pipeline: Vec<Stage>,
    /// Won deals by their number of touches.
    pub won_by_touches: Buckets,
    /// Deals of the other closed stages by their number of touches.
    pub lost_by_touches: Buckets,
    /// Replies by the number of follow-ups they came after.
    pub replies_after: Buckets,
    /// The prospects given up early, and what they were worth.
    pub gave_up_early: GaveUp,
    /// Open prospects whose follow-up budget is spent.
    pub exhausted: u64,
    /// Prospects due today or earlier.
    pub due: u64,
    /// Touches per week, oldest first, ending with today's week.
    pub activity: Vec<Activity>,
    /// [`CITED_SALES_BY_CONTACT`].
    pub cited_sales_by_contact: Cited,
}

/// One stage of the pipeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    /// Its name.
    pub stage: String,
    /// Whether it ends the follow-up.
    pub closed: bool,
    /// How many prospects are in it.
    pub prospects: u64,
    /// What they are worth, by currency.
    pub value: Values,
}

/// The prospects given up early.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GaveUp {
    /// Their ids, sorted.
    pub prospects: Vec<String>,
    /// What they were worth, by currency.
    pub value: Values,
}

/// The touches of one week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
    /// The ISO week: `2026-W48`.
    pub week: String,
    /// Its Monday.
    #[serde(skip)]
    pub monday: Date,
    /// Touches of ours.
    pub outbound: u64,
    /// Touches of theirs.
    pub inbound: u64,
}

/// Counts by [`BUCKETS`], in their order; in JSON a map from each label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Buckets(pub [u64; 7]);

impl Buckets {
    /// Each label with its count.
    pub fn labelled(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        BUCKETS.into_iter().zip(self.0)
    }

    /// All the counts together.
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }
}

impl Serialize for Buckets {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.labelled())
    }
}

/// Sums of value by currency, in currency order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values(pub BTreeMap<String, f64>);

impl Values {
    fn of(sums: Sums) -> Values {
        let units = sums.into_iter().map(|(c, sum)| (c, sum.units()));
        Values(units.collect())
    }
}

impl Serialize for Values {
    /// A whole sum as an integer (`12000`, not `12000.0`), as `due --json`
    /// writes values.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (currency, &value) in &self.0 {
            match due::whole(value) {
                Some(whole) => map.serialize_entry(currency, &whole)?,
                None => map.serialize_entry(currency, &value)?,
            }
        }
        map.end()
    }
}

/// [`CITED_SALES_BY_CONTACT`], in JSON a map from each bucket's label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cited;

impl Serialize for Cited {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(CITED_SALES_BY_CONTACT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sums are exact billionths while they fit, the same in any order of
    /// pieces; past some 1.7e29 they are the values' own sum, never a
    /// capped number.
    #[test]
    fn sums_of_money_are_exact_and_never_capped() {
        let sum = |values: &[f64], pieces: usize| {
            let mut sums = vec![Sum::default(); pieces];
            for (i, v) in values.iter().enumerate() {
                sums[i % pieces].add(*v);
            }
            let mut all = Sum::default();
            for piece in sums.into_iter().rev() {
                all.join(piece);
            }
            all.units()
        };
        for pieces in [1, 2, 7] {
            assert_eq!(sum(&[0.1, 0.2, 0.3], pieces), 0.6);
            assert_eq!(sum(&[1200.0, 99.5, 0.5], pieces), 1300.0);
            assert_eq!(sum(&[1e40], pieces), 1e40);
            assert_eq!(sum(&[1e308, 1.0], pieces), 1e308);
            assert_eq!(sum(&[1e36, 1e36], pieces), 2e36);
            assert_eq!(sum(&[], pieces), 0.0);
            // Finer than cents: the values' own sum, never rounded.
            assert_eq!(sum(&[0.125], pieces), 0.125);
            assert_eq!(sum(&[0.001], pieces), 0.001);
            assert_eq!(sum(&[0.125, 0.5], pieces), 0.625);
            assert_eq!(sum(&[0.07; 3], pieces), 0.21);
            assert_eq!(sum(&[123456789.51, 0.49], pieces), 123456790.0);
        }
        // The same sum however the values are split and ordered.
        let values: Vec<f64> = (0..400).map(|i| f64::from(i) * 1.117 + 0.0005).collect();
        let one = sum(&values, 1);
        for pieces in [2, 3, 40] {
            assert_eq!(sum(&values, pieces), one);
        }
    }
    use crate::format::prospect::Prospect;
    use crate::rules::check::summarize;

    const TODAY: &str = "2026-11-23";

    /// The stats of prospect files, read with `settings` on [`TODAY`];
    /// every other file counted in a second tally, joined to the first.
    fn stats_with(settings: &str, files: &[&str]) -> Stats {
        let (settings, problems) = Settings::parse(settings);
        assert_eq!(problems, []);
        let cx = Context {
            settings: &settings,
            today: date::parse_iso(TODAY).unwrap(),
        };
        let (mut one, mut other) = (Tally::default(), Tally::default());
        for (i, text) in files.iter().enumerate() {
            let summary = summarize(&Prospect::parse(&format!("p/{i}.md"), text), &cx);
            let (Some(status), Some(touches)) = (summary.status, summary.touches) else {
                continue;
            };
            let tally = if i % 2 == 0 { &mut one } else { &mut other };
            tally.add(&cx, &status, &touches);
        }
        one.join(other);
        one.finish(&settings, cx.today)
    }

    fn stats(files: &[&str]) -> Stats {
        stats_with("", files)
    }

    /// A prospect of this front matter and these log entries.
    fn file(front: &str, log: &[&str]) -> String {
        let mut text = format!("---\n{front}---\n\n## Log\n\n");
        for entry in log {
            text.push_str(&format!("- {entry}\n"));
        }
        text
    }

    #[test]
    fn buckets_of_touches() {
        let cases = [
            (0, 0),
            (1, 1),
            (4, 4),
            (5, 5),
            (12, 5),
            (13, 6),
            (u32::MAX, 6),
        ];
        for (n, want) in cases {
            assert_eq!(BUCKETS[bucket(n)], BUCKETS[want], "{n}");
        }
    }

    /// Every stage of the settings, in order, empty ones too; values by
    /// currency, a prospect without one adding nothing; broken files left out.
    #[test]
    fn the_pipeline_by_stage_with_value_per_currency() {
        let files = [
            file("name: A\nstage: lead\nvalue: 1000\n", &[]),
            file("name: B\nstage: lead\nvalue: 250.5\n", &[]),
            file("name: C\nstage: lead\n", &[]),
            file("name: D\nstage: won\nvalue: 900\ncurrency: EUR\n", &[]),
            file("name: E\nstage: won\nvalue: 100\n", &[]),
            "---\nname: [broken\n---\n".to_owned(),
            file("name: F\nstage: nowhere\n", &[]),
        ];
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let s = stats_with("stages: [lead, quiet, won, lost]\n", &files);
        type Row<'s> = (&'s str, bool, u64, Vec<(&'s str, f64)>);
        let rows: Vec<Row> = s
            .pipeline
            .iter()
            .map(|row| {
                let value = row.value.0.iter().map(|(c, v)| (c.as_str(), *v)).collect();
                (row.stage.as_str(), row.closed, row.prospects, value)
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("lead", false, 3, vec![("USD", 1250.5)]),
                ("quiet", false, 0, vec![]),
                ("won", true, 2, vec![("EUR", 900.0), ("USD", 100.0)]),
                ("lost", true, 0, vec![]),
            ]
        );
        let json = serde_json::to_value(&s.pipeline[2]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"stage": "won", "closed": true, "prospects": 2,
                               "value": {"EUR": 900, "USD": 100}})
        );
    }

    /// Won deals and those of every other closed stage, by their touches
    /// (notes and future entries are not touches).
    #[test]
    fn won_and_lost_by_touches() {
        let touches = |n: usize| -> Vec<String> {
            (0..n)
                .map(|i| format!("2026-10-{:02} email", i + 1))
                .collect()
        };
        let closed = |stage: &str, n: usize| {
            let log = touches(n);
            let mut log: Vec<&str> = log.iter().map(String::as_str).collect();
            log.extend(["2026-10-30 note: Closed.", "2026-12-01 call: Future."]);
            file(&format!("name: X\nstage: {stage}\n"), &log)
        };
        let files = [
            closed("won", 3),
            closed("won", 7),
            closed("won", 13),
            closed("lost", 0),
            closed("lost", 1),
            closed("gone", 12),
            closed("proposal", 2),
        ];
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let s = stats_with(
            "stages: [proposal, won, lost, gone]\nclosed: [won, lost, gone]\n",
            &files,
        );
        assert_eq!(s.won_by_touches.0, [0, 0, 0, 1, 0, 1, 1]);
        assert_eq!(s.lost_by_touches.0, [1, 1, 0, 0, 0, 1, 0]);
        assert_eq!(
            serde_json::to_value(s.won_by_touches).unwrap(),
            serde_json::json!({"0": 0, "1": 0, "2": 0, "3": 1, "4": 0, "5-12": 1, "13+": 1})
        );
    }

    /// Each reply counts in the bucket of the follow-ups since the reply
    /// before it; by date, whatever the order of the log.
    #[test]
    fn replies_after_the_follow_ups_since_the_last_reply() {
        let files = [
            file(
                "name: A\n",
                &[
                    "2026-11-01 call (in): They called first",
                    "2026-11-02 email",
                    "2026-11-04 email",
                    "2026-11-03 call",
                    "2026-11-05 email (in): Yes",
                    "2026-11-06 meeting",
                    "2026-11-06 note: Not a touch",
                    "2026-11-07 email (in): Thanks",
                ],
            ),
            file("name: B\n", &["2026-10-01 email", "2026-10-02 email"]),
        ];
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        assert_eq!(stats(&files).replies_after.0, [1, 1, 0, 1, 0, 0, 0]);
        let many: Vec<String> = (1..=20)
            .map(|d| format!("2026-09-{d:02} email"))
            .chain(["2026-09-21 call (in): At last".to_owned()])
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            stats(&[&file("name: C\n", &many)]).replies_after.0,
            [0, 0, 0, 0, 0, 0, 1]
        );
    }

    /// Lost for no response (or no reason) with budget left: the ids
    /// sorted, the value per currency.
    #[test]
    fn given_up_early() {
        let files = [
            file("name: Z\nstage: lost\nvalue: 3000\n", &["2026-10-01 email"]),
            file(
                "name: A\nstage: lost\nreason: no-response\nvalue: 500\ncurrency: EUR\n",
                &[],
            ),
            file(
                "name: Declined\nstage: lost\nreason: declined\nvalue: 9\n",
                &[],
            ),
            // Three unanswered follow-ups spend a small deal's budget.
            file(
                "name: Spent\nstage: lost\nvalue: 100\n",
                &["2026-10-01 email", "2026-10-02 call", "2026-10-03 email"],
            ),
            file("name: Won\nstage: won\n", &[]),
        ];
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let s = stats(&files);
        assert_eq!(s.gave_up_early.prospects, ["p/0", "p/1"]);
        assert_eq!(
            serde_json::to_value(&s.gave_up_early.value).unwrap(),
            serde_json::json!({"EUR": 500, "USD": 3000})
        );
    }

    /// Spent budgets (rule 6) and what `due` lists today.
    #[test]
    fn exhausted_and_due() {
        let files = [
            file(
                "name: Spent\nvalue: 100\n",
                &["2026-10-01 email", "2026-10-02 call", "2026-10-03 email"],
            ),
            file("name: Late\nnext: 2026-11-01\n", &[]),
            file("name: Today\nadded: 2026-11-23\n", &[]),
            file("name: Later\nnext: 2026-11-24\n", &[]),
            file("name: Closed\nstage: won\nnext: 2026-11-01\n", &[]),
        ];
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let s = stats(&files);
        assert_eq!((s.exhausted, s.due), (1, 2));
    }

    /// Twelve ISO weeks ending with today's, oldest first, outbound and
    /// inbound apart; older and future touches, and notes, left out.
    #[test]
    fn activity_over_twelve_weeks() {
        let files = [
            file(
                "name: A\n",
                &[
                    "2026-09-06 email: A Sunday: week 36, too old",
                    "2026-09-07 email: A Monday: week 37, the first",
                    "2026-11-16 call",
                    "2026-11-22 call (in)",
                    "2026-11-23 email",
                    "2026-11-23 note: Not a touch",
                    "2026-11-24 email: Tomorrow",
                ],
            ),
            file("name: B\n", &["2026-11-23 email (in)", "2026-10-01 call"]),
        ];
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let s = stats(&files);
        let weeks: Vec<(&str, u64, u64)> = s
            .activity
            .iter()
            .map(|w| (w.week.as_str(), w.outbound, w.inbound))
            .collect();
        assert_eq!(weeks.len(), WEEKS);
        assert_eq!(weeks[0], ("2026-W37", 1, 0));
        assert_eq!(s.activity[0].monday, date::parse_iso("2026-09-07").unwrap());
        assert_eq!(weeks[3], ("2026-W40", 1, 0));
        assert_eq!(weeks[10], ("2026-W47", 1, 1));
        assert_eq!(weeks[11], ("2026-W48", 1, 1));
        let total: u64 = weeks.iter().map(|w| w.1 + w.2).sum();
        assert_eq!(total, 6);
    }

    /// Across a year's end, weeks take their ISO year.
    #[test]
    fn weeks_across_a_year() {
        let settings = Settings::default();
        let today = date::parse_iso("2027-01-02").unwrap();
        let s = Tally::default().finish(&settings, today);
        let weeks: Vec<&str> = s.activity.iter().map(|w| w.week.as_str()).collect();
        assert_eq!(weeks.first(), Some(&"2026-W42"));
        assert_eq!(weeks.last(), Some(&"2026-W53"));
    }

    #[test]
    fn the_cited_figures_are_the_commonly_cited_ones() {
        let s = stats(&[]);
        assert_eq!(
            serde_json::to_value(s.cited_sales_by_contact).unwrap(),
            serde_json::json!({"1": 0.02, "2": 0.03, "3": 0.05, "4": 0.10, "5-12": 0.80})
        );
    }

    proptest::proptest! {
        /// Whatever the ledger, the won and lost buckets hold every closed
        /// prospect once, and the replies every counted inbound touch.
        #[test]
        fn the_buckets_add_up(
            prospects in proptest::collection::vec(
                (0..8usize, proptest::collection::vec((0..150u32, 0..3u8, proptest::bool::ANY), 0..30)),
                0..25,
            )
        ) {
            let stages = Settings::default().stages;
            let today = date::parse_iso(TODAY).unwrap();
            let (mut closed, mut inbound) = (0u64, 0u64);
            let mut files = Vec::new();
            for (stage, entries) in &prospects {
                let stage = &stages[*stage];
                closed += u64::from(stage == "won" || stage == "lost");
                let log: Vec<String> = entries
                    .iter()
                    .map(|(days_ago, channel, is_in)| {
                        // Some entries fall after today, and do not count.
                        let day = today - chrono::Days::new(u64::from(*days_ago)) + chrono::Days::new(10);
                        let channel = ["email", "call", "note"][usize::from(*channel)];
                        let counts = day <= today && channel != "note";
                        inbound += u64::from(counts && *is_in);
                        format!("{day} {channel}{}", if *is_in { " (in)" } else { "" })
                    })
                    .collect();
                let log: Vec<&str> = log.iter().map(String::as_str).collect();
                files.push(file(&format!("name: P\nstage: {stage}\nvalue: 3000\n"), &log));
            }
            let files: Vec<&str> = files.iter().map(String::as_str).collect();
            let s = stats(&files);
            proptest::prop_assert_eq!(s.won_by_touches.total() + s.lost_by_touches.total(), closed);
            proptest::prop_assert_eq!(s.replies_after.total(), inbound);
            let prospects_in_stages: u64 = s.pipeline.iter().map(|row| row.prospects).sum();
            proptest::prop_assert_eq!(prospects_in_stages, files.len() as u64);
        }
    }
}
