//! The report on a whole ledger: one walk that reads (or takes from the
//! cache) the status of every prospect, for `due`, `list`, `stats` and
//! whatever else shows the ledger; and `lint`'s walk, which reads every
//! file.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::format::date::Date;
use crate::format::diagnostic::Diagnostic;
use crate::format::text::{decomposed, same_in_any_case};
use crate::ledger::cache::{Cache, Learned, Parts};
use crate::ledger::walk::{walk, Found, Key, Unwalked};
use crate::ledger::Ledger;
use crate::rules::check::{self, Context, Summary, Who};
use crate::rules::due::{self, Reason, Status};
use crate::rules::stats::{Stats, Tally};

/// Which prospects a report keeps (`--stage`, `--tag`, `--owner`).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// In one of these stages (any, when empty).
    pub stages: Vec<String>,
    /// With every one of these tags, in any case.
    pub tags: Vec<String>,
    /// Owned by this person, in any case.
    pub owner: Option<String>,
    /// Of this name, in any case, spaces around it aside (`add` asks
    /// whether a prospect has its name).
    pub name: Option<String>,
}

impl Filter {
    /// The same filter, its tags, owner and name in Unicode's canonical
    /// decomposition ([`decomposed`]), as [`Filter::keeps`] compares them
    /// quickest.
    fn decomposed(&self) -> Filter {
        let each = |text: &String| decomposed(text).into_owned();
        Filter {
            stages: self.stages.clone(),
            tags: self.tags.iter().map(each).collect(),
            owner: self.owner.as_ref().map(each),
            name: self.name.as_ref().map(each),
        }
    }

    /// Whether a prospect of this status is kept.
    pub fn keeps(&self, s: &Status) -> bool {
        let same = |a: &String, b: &String| same_in_any_case(a, b);
        (self.stages.is_empty() || self.stages.contains(&s.stage))
            && self
                .tags
                .iter()
                .all(|t| s.tags.iter().any(|have| same(have, t)))
            && self
                .owner
                .as_ref()
                .is_none_or(|o| s.owner.as_ref().is_some_and(|have| same(have, o)))
            && self
                .name
                .as_ref()
                .is_none_or(|n| same_in_any_case(s.name.trim(), n.trim()))
    }
}

/// Which statuses a report keeps (it counts the rest).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Keep {
    /// Every one, closed ones too (`list --all`, `export`).
    #[default]
    All,
    /// Those not closed (`list`).
    Open,
    /// Those due by this day, noting the next to come due after it
    /// (`due`, `export ics`).
    DueBy(Date),
    /// None: the report only counts (`stats`).
    Nothing,
}

/// What a report is asked for.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Which prospects count at all.
    pub filter: Filter,
    /// Which of the filter's statuses the report keeps.
    pub keep: Keep,
    /// Also work out the figures of `stats` over the filter's prospects.
    pub stats: bool,
    /// Read the cache without teaching it what changed: for a command
    /// that may yet be refused, and must then leave every file as it was.
    pub cache_unchanged: bool,
    /// Write each kept prospect as this says, with its card (the front
    /// matter's other values), on the thread that has just read it: the
    /// status then holds the bytes (`written`) and no card. An export
    /// puts out its prospects in the order of the sort, not the order
    /// they were read in, and reaching each one's values again there
    /// costs more than writing them (docs/benchmarks.md).
    pub write: Option<Writer>,
}

/// How an export writes one prospect (see [`Query::write`]).
#[derive(Clone)]
pub struct Writer(pub Arc<WriteOne>);

/// Write one prospect's status into bytes: into memory, which does not
/// fail.
pub type WriteOne = dyn Fn(&Status) -> Vec<u8> + Send + Sync;

impl fmt::Debug for Writer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Writer")
    }
}

/// What one walk found of the ledger's prospects.
#[derive(Debug, Default)]
pub struct Report {
    /// The statuses the query keeps, in the order of SPEC section 3
    /// ([`due::order`]): the soonest due first, then the larger deal, then
    /// by id; those never due last.
    pub statuses: Vec<Status>,
    /// When the query asks for those due by a day: the first of the
    /// filter's prospects to come due after it.
    pub next: Option<Status>,
    /// How many of the filter's prospects spent their follow-up budget.
    pub exhausted: usize,
    /// The prospect files held back because their front matter is broken,
    /// or their name is not UTF-8 (`lint` tells why): counted, never shown.
    pub held_back: Vec<String>,
    /// Folders the walk could not list.
    pub problems: Vec<Diagnostic>,
    /// The figures of `stats`, when the query asks for them.
    pub stats: Option<Stats>,
}

impl Report {
    /// Walk the ledger for `today`, through the cache kept at `cache` (see
    /// [`Cache`]), which then learns what changed; keeping what `query`
    /// asks for.
    pub fn gather(ledger: &Ledger, today: Date, cache: Option<&Path>, query: &Query) -> Report {
        let query = &Query {
            filter: query.filter.decomposed(),
            ..query.clone()
        };
        let cx = Context {
            settings: &ledger.settings,
            today,
        };
        // The walk lists the files while the cache (if any) is read.
        let (cache, found) = rayon::join(
            || cache.map(|at| Cache::open(at, today, &ledger.settings_bytes)),
            || walk(&ledger.root, &ledger.settings),
        );
        let gathered = found
            .fold(Gathered::default, |mut gathered, found| {
                match found {
                    Ok(found) => gathered.add(found, cache.as_ref(), &cx, query),
                    Err(Unwalked::Folder(problem)) => gathered.report.problems.push(problem),
                    Err(Unwalked::Unnamed(problem)) => gathered.report.held_back.push(problem.path),
                }
                gathered
            })
            .collect::<Vec<Gathered>>();
        let Gathered {
            mut report,
            kept,
            news,
            tally,
            ..
        } = Gathered::join(gathered);
        report.stats = query.stats.then(|| tally.finish(&ledger.settings, today));
        if let Some(cache) = cache.filter(|_| !query.cache_unchanged) {
            cache.save(kept, news);
        }
        report.statuses.par_sort_unstable_by(due::order);
        report.held_back.sort_unstable();
        report
    }
}

/// What a piece of the walk gathered, and what the cache should learn.
#[derive(Default)]
struct Gathered {
    report: Report,
    /// The places of the cache's records that still hold.
    kept: Vec<u32>,
    /// What was read anew.
    news: Vec<(String, Key, Learned)>,
    /// The sums of `stats` (empty unless the query asks for them).
    tally: Tally,
    /// Where in the cache the last file looked up was (see [`Cache::get`]).
    cursor: usize,
}

impl Gathered {
    /// Take in one file: its summary from the cache when the cache holds
    /// it as it is, else read and assessed.
    fn add(&mut self, found: Found, cache: Option<&Cache>, cx: &Context, query: &Query) {
        let cached = cache.and_then(|cache| Some((cache, found.key()?)));
        let got = cached.and_then(|(cache, key)| {
            let parts = Parts {
                touches: query.stats,
                cards: query.write.is_some(),
            };
            cache.get(&found.relative, key, parts, &mut self.cursor)
        });
        let summary = match got {
            Some((place, summary)) => {
                self.kept.push(place);
                summary
            }
            None => {
                let summary = found.read().map(|p| check::summarize(&p, cx));
                if let Some((_, key)) = cached {
                    let learned = Learned::of(summary.as_ref());
                    self.news.push((found.relative.clone(), key, learned));
                }
                summary
            }
        };
        match summary {
            Some(Summary {
                status: Some(mut status),
                touches,
                ..
            }) if query.filter.keeps(&status) => {
                if query.write.is_none() {
                    status.card = None;
                }
                if let (true, Some(touches)) = (query.stats, &touches) {
                    self.tally.add(cx, &status, touches);
                }
                self.keep(status, query)
            }
            Some(Summary { status: None, .. }) => self.report.held_back.push(found.relative),
            _ => {}
        }
    }

    /// Take in the status of one of the filter's prospects.
    fn keep(&mut self, mut status: Status, query: &Query) {
        let report = &mut self.report;
        report.exhausted += usize::from(status.due_reason == Reason::Exhausted);
        let kept = match (query.keep, status.due) {
            (Keep::All, _) => true,
            (Keep::Open, _) => status.due_reason != Reason::Closed,
            (Keep::DueBy(horizon), Some(due)) if due <= horizon => true,
            (Keep::DueBy(_), Some(_)) => {
                report.next = sooner(report.next.take(), status);
                return;
            }
            _ => false,
        };
        if !kept {
            return;
        }
        if let Some(Writer(write)) = &query.write {
            status.written = Some(write(&status).into_boxed_slice());
            status.card = None;
        }
        report.statuses.push(status);
    }

    /// The pieces' findings as one, each moved once.
    fn join(pieces: Vec<Gathered>) -> Gathered {
        let count = |of: fn(&Gathered) -> usize| pieces.iter().map(of).sum::<usize>();
        let mut all = Gathered::default();
        let report = &mut all.report;
        report
            .statuses
            .reserve_exact(count(|g| g.report.statuses.len()));
        all.kept.reserve_exact(count(|g| g.kept.len()));
        for piece in pieces {
            let more = piece.report;
            report.statuses.extend(more.statuses);
            report.held_back.extend(more.held_back);
            report.problems.extend(more.problems);
            report.exhausted += more.exhausted;
            if let Some(next) = more.next {
                report.next = sooner(report.next.take(), next);
            }
            all.kept.extend(piece.kept);
            all.news.extend(piece.news);
            all.tally.join(piece.tally);
        }
        all
    }
}

/// Whichever of two statuses comes first in [`due::order`].
fn sooner(a: Option<Status>, b: Status) -> Option<Status> {
    match a {
        Some(a) if due::order(&a, &b).is_le() => Some(a),
        _ => Some(b),
    }
}

/// What `lint` found in a whole ledger.
#[derive(Debug, Default)]
pub struct Lint {
    /// Every diagnostic, the ledger-wide `duplicate` check included,
    /// sorted by path, line, column and code.
    pub diagnostics: Vec<Diagnostic>,
    /// How many prospect files were read, broken ones included.
    pub prospects: usize,
}

/// What a piece of `lint`'s walk found.
#[derive(Default)]
struct Linted {
    lint: Lint,
    who: Vec<Who>,
}

impl Lint {
    /// Read and check every prospect for `today`, keeping of each only
    /// its problems and what the `duplicate` check needs; with the
    /// problems of `ledger.yaml`.
    pub fn gather(ledger: &Ledger, today: Date) -> Lint {
        let cx = Context {
            settings: &ledger.settings,
            today,
        };
        let take = |mut piece: Linted, found: Result<Found, Unwalked>| {
            let prospect = match found {
                Ok(found) => found.read(),
                Err(problem) => {
                    piece.lint.diagnostics.push(problem.diagnostic());
                    None
                }
            };
            if let Some(prospect) = prospect {
                piece.lint.prospects += 1;
                let assessed = check::assess(&prospect, &cx);
                piece.lint.diagnostics.extend(assessed.diagnostics);
                if let (Some(_), Some(f)) = (assessed.status, prospect.fields()) {
                    let name = check::duplicate_key(&f.name);
                    let email = f.email.as_deref().map(check::duplicate_key);
                    piece.who.push((prospect.id, name, email));
                }
            }
            piece
        };
        let pieces: Vec<Linted> = walk(&ledger.root, &ledger.settings)
            .fold(Linted::default, take)
            .collect();
        // The `duplicate` check first, and what it needs let go of before
        // the diagnostics are joined: a lint holds the two one after the
        // other, not both (peak memory, docs/benchmarks.md).
        let mut lint = Lint::default();
        let mut diagnostics = Vec::with_capacity(pieces.len());
        let mut who = Vec::with_capacity(pieces.len());
        for piece in pieces {
            lint.prospects += piece.lint.prospects;
            diagnostics.push(piece.lint.diagnostics);
            who.push(piece.who);
        }
        let duplicates = check::duplicates(who.iter().flatten());
        drop(who);
        // The pieces joined once, each diagnostic moved once.
        let count = diagnostics.iter().map(Vec::len).sum::<usize>();
        lint.diagnostics
            .reserve_exact(count + ledger.settings_problems.len() + duplicates.len());
        for piece in diagnostics {
            lint.diagnostics.extend(piece);
        }
        lint.diagnostics
            .extend(ledger.settings_problems.iter().cloned());
        lint.diagnostics.extend(duplicates);
        lint.diagnostics
            .par_sort_unstable_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        lint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: &str = "2026-11-23";

    /// A ledger of `files` (path, text) read for [`TODAY`].
    fn report(files: &[(&str, &str)], query: &Query) -> Report {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let ledger = Ledger::open(dir.path().to_path_buf()).unwrap();
        let today = crate::format::date::parse_iso(TODAY).unwrap();
        Report::gather(&ledger, today, None, query)
    }

    /// A cache, as it is made and when it is warm, gives the report the
    /// files give, whatever the query.
    #[test]
    fn a_warm_cache_reports_what_the_files_say() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for i in 0..40 {
            let next = format!("next: 2026-11-{:02}\n", 10 + i % 20);
            let front = format!(
                "---\nname: P{i}\nstage: {}\n{}{}---\n\n## Log\n\n",
                ["lead", "proposal", "won", "nurture"][i % 4],
                if i % 3 == 0 { next.as_str() } else { "" },
                if i % 5 == 0 { "value: 500\n" } else { "" },
            );
            let log: String = (0..i % 15)
                .map(|k| format!("- 2026-10-{:02} email: Note {k}.\n", 1 + k))
                .collect();
            files.push((format!("p{i:02}.md"), front + &log));
        }
        files.push(("broken.md".to_owned(), "---\nname: [\n---\n".to_owned()));
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for (path, text) in &files {
            std::fs::write(dir.path().join(path), text).unwrap();
            let file = std::fs::File::options()
                .write(true)
                .open(dir.path().join(path));
            file.unwrap().set_modified(hour_ago).unwrap();
        }
        let ledger = Ledger::open(dir.path().to_path_buf()).unwrap();
        let today = crate::format::date::parse_iso(TODAY).unwrap();
        let cache = dir.path().join(".ledger-cache/cache");
        let queries = [
            Query::default(),
            Query {
                keep: Keep::DueBy(today),
                ..Query::default()
            },
            Query {
                filter: Filter {
                    stages: vec!["lead".into()],
                    ..Filter::default()
                },
                keep: Keep::DueBy(today),
                ..Query::default()
            },
            Query {
                keep: Keep::Open,
                ..Query::default()
            },
            // What `stats` asks.
            Query {
                keep: Keep::Nothing,
                stats: true,
                ..Query::default()
            },
            // What `export` asks: every status written with its card.
            Query {
                write: Some(Writer(Arc::new(|s: &Status| {
                    format!("{:?}", s.card).into_bytes()
                }))),
                ..Query::default()
            },
        ];
        for query in &queries {
            let fresh = Report::gather(&ledger, today, None, query);
            let made = Report::gather(&ledger, today, Some(&cache), query);
            let warm = Report::gather(&ledger, today, Some(&cache), query);
            for report in [made, warm] {
                assert_eq!(report.statuses, fresh.statuses, "{query:?}");
                assert_eq!(report.next, fresh.next, "{query:?}");
                assert_eq!(report.exhausted, fresh.exhausted, "{query:?}");
                assert_eq!(report.held_back, fresh.held_back, "{query:?}");
                assert_eq!(report.stats, fresh.stats, "{query:?}");
            }
        }
        assert!(
            queries[4].stats
                && Report::gather(&ledger, today, None, &queries[4])
                    .stats
                    .is_some()
        );
        assert!(Report::gather(&ledger, today, None, &queries[1]).exhausted > 0);
        // Written from the card, which is then let go, from the cache too.
        let written = Report::gather(&ledger, today, Some(&cache), &queries[5]).statuses;
        assert_eq!(written.len(), 40);
        for status in written {
            assert!(status.card.is_none());
            let text = String::from_utf8(status.written.unwrap().into_vec()).unwrap();
            assert!(text.starts_with("Some(Card {"), "{text}");
        }
    }

    /// Of two prospects alike, the one with the larger id is the
    /// duplicate, in whatever order the walk met them.
    #[test]
    fn lint_reports_the_later_of_two_alike_whatever_the_walk_order() {
        let dir = tempfile::tempdir().unwrap();
        let names = ["m", "b", "z", "a", "q", "c", "y", "d"];
        for (i, stem) in names.iter().enumerate() {
            let folder = dir.path().join(format!("f{}", i % 3));
            std::fs::create_dir_all(&folder).unwrap();
            let text = "---\nname: Same Name\n---\n";
            std::fs::write(folder.join(format!("{stem}.md")), text).unwrap();
        }
        let ledger = Ledger::open(dir.path().to_path_buf()).unwrap();
        let today = crate::format::date::parse_iso(TODAY).unwrap();
        let lint = Lint::gather(&ledger, today);
        let duplicates: Vec<(&str, &str)> = lint
            .diagnostics
            .iter()
            .filter(|d| d.code == crate::format::diagnostic::Code::Duplicate)
            .map(|d| (d.path.as_str(), d.message.as_str()))
            .collect();
        assert_eq!(duplicates.len(), names.len() - 1, "{duplicates:?}");
        assert!(!duplicates.iter().any(|(path, _)| *path == "f0/a.md"));
        assert!(duplicates
            .iter()
            .all(|(_, message)| message.contains("as f0/a ")));
    }

    fn ids(statuses: &[Status]) -> Vec<&str> {
        statuses.iter().map(|s| s.id.as_str()).collect()
    }

    #[test]
    fn a_report_orders_by_due_date_then_value_and_holds_back_broken_files() {
        let files = [
            ("later.md", "---\nname: Later\nnext: 2026-12-10\n---\n"),
            ("small.md", "---\nname: Small\nnext: 2026-11-20\nvalue: 10\n---\n"),
            ("big.md", "---\nname: Big\nnext: 2026-11-20\nvalue: 900\n---\n"),
            ("won.md", "---\nname: Won\nstage: won\n---\n"),
            ("broken.md", "---\nname: [\n---\n"),
            ("notes.md", "No front matter: not a prospect.\n"),
            (
                "bad-entry.md",
                "---\nname: Bad entry\nnext: 2026-11-22\n---\n\n## Log\n\n- 2026-13-45 call: No such day.\n",
            ),
        ];
        let every = report(&files, &Query::default());
        assert_eq!(
            ids(&every.statuses),
            ["big", "small", "bad-entry", "later", "won"]
        );
        assert_eq!(every.held_back, ["broken.md"]);
        assert!(every.next.is_none());
        let by = |day: &str| Query {
            filter: Filter::default(),
            keep: Keep::DueBy(crate::format::date::parse_iso(day).unwrap()),
            ..Query::default()
        };
        let due = report(&files, &by(TODAY));
        assert_eq!(ids(&due.statuses), ["big", "small", "bad-entry"]);
        assert_eq!(due.next.map(|s| s.id), Some("later".to_owned()));
        assert_eq!(due.held_back, ["broken.md"]);
        let due = report(&files, &by("2026-12-31"));
        assert_eq!(ids(&due.statuses), ["big", "small", "bad-entry", "later"]);
        assert!(due.next.is_none(), "the won deal is never due");
    }

    #[test]
    fn a_filter_keeps_stages_tags_and_owner_in_any_case() {
        let files = [
            (
                "a.md",
                "---\nname: A\nstage: lead\ntags: [SaaS, eu]\nowner: Kim\n---\n",
            ),
            (
                "b.md",
                "---\nname: B\nstage: proposal\ntags: [saas]\nowner: sam\n---\n",
            ),
            ("c.md", "---\nname: C\nstage: lead\n---\n"),
            (
                "d.md",
                "---\nname: Café Ünal\nstage: lead\ntags: [Größe]\nowner: Élodie\n---\n",
            ),
        ];
        let filter = |stages: &[&str], tags: &[&str], owner: Option<&str>| Filter {
            stages: stages.iter().map(|s| s.to_string()).collect(),
            tags: tags.iter().map(|s| s.to_string()).collect(),
            owner: owner.map(str::to_owned),
            name: None,
        };
        let kept = |f: Filter| {
            let query = Query {
                filter: f,
                ..Query::default()
            };
            let mut kept: Vec<String> = report(&files, &query)
                .statuses
                .into_iter()
                .map(|s| s.id)
                .collect();
            kept.sort();
            kept
        };
        assert_eq!(kept(filter(&[], &[], None)), ["a", "b", "c", "d"]);
        assert_eq!(kept(filter(&["lead"], &[], None)), ["a", "c", "d"]);
        // Accents typed as combining marks, in another case.
        let decomposed = filter(&[], &["GRO\u{308}SSE"], Some("E\u{301}LODIE"));
        assert_eq!(kept(decomposed), ["d"]);
        let mut named = filter(&[], &[], None);
        named.name = Some("cafe\u{301} u\u{308}nal".into());
        assert_eq!(kept(named), ["d"]);
        assert_eq!(kept(filter(&[], &["saas"], None)), ["a", "b"]);
        assert_eq!(kept(filter(&[], &["saas", "EU"], None)), ["a"]);
        assert_eq!(kept(filter(&[], &[], Some("kim"))), ["a"]);
        assert_eq!(
            kept(filter(&["proposal"], &[], Some("kim"))),
            Vec::<String>::new()
        );
        let named = |name: &str| Filter {
            name: Some(name.to_owned()),
            ..Filter::default()
        };
        assert_eq!(kept(named(" b ")), ["b"]);
        assert_eq!(kept(named("Ｂ")), Vec::<String>::new());
        assert_eq!(kept(named("")), Vec::<String>::new());
    }

    #[test]
    fn exhausted_counts_the_spent_budgets_of_the_kept_prospects() {
        // More unanswered emails than any deal's budget (SPEC section 6).
        let mut spent = String::from("---\nname: S\nstage: lead\n---\n\n## Log\n\n");
        for day in 1..=20 {
            spent.push_str(&format!("- 2026-10-{day:02} email: Another.\n"));
        }
        let files = [
            ("spent.md", spent.as_str()),
            ("fresh.md", "---\nname: F\nstage: lead\n---\n"),
        ];
        let report = report(&files, &Query::default());
        let reasons: Vec<Reason> = report.statuses.iter().map(|s| s.due_reason).collect();
        assert!(reasons.contains(&Reason::Exhausted), "{reasons:?}");
        assert_eq!(report.exhausted, 1);
    }
}
