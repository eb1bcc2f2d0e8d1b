//! A ledger folder: where its root is, which files are prospects, reading
//! them all (in parallel), and finding the one a person names.

pub mod cache;
pub mod store;
pub mod walk;

use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::format::date::Date;
use crate::format::diagnostic::{Code, Diagnostic};
use crate::format::front_matter;
use crate::format::prospect::Prospect;
use crate::ledger::cache::{Cache, Hit, Key, Learned};
use crate::ledger::walk::{Entry, Folder, Kind};
use crate::rules::check::{self, Context};
use crate::rules::settings::{self, Settings};

pub use crate::format::text::MAX_FILE_BYTES;

/// An open ledger: its root and settings.
#[derive(Debug)]
pub struct Ledger {
    /// The root folder.
    pub root: PathBuf,
    /// The settings, defaults where `ledger.yaml` is silent or unreadable.
    pub settings: Settings,
    /// Problems in `ledger.yaml`.
    pub settings_problems: Vec<Diagnostic>,
}

/// What `lint` found in a whole ledger.
#[derive(Debug)]
pub struct Lint {
    /// Every diagnostic, the ledger-wide `duplicate` check included, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// How many prospect files were read.
    pub prospects: usize,
}

impl Ledger {
    /// The root: `explicit` (from `-C` or `LEDGER_DIR`), else the nearest
    /// ancestor of `cwd` holding `ledger.yaml`, else `cwd`.
    pub fn find_root(explicit: Option<&Path>, cwd: &Path) -> PathBuf {
        if let Some(dir) = explicit {
            return cwd.join(dir);
        }
        cwd.ancestors()
            .find(|dir| dir.join(settings::FILE_NAME).is_file())
            .unwrap_or(cwd)
            .to_path_buf()
    }

    /// Open the ledger at `root`.
    pub fn open(root: PathBuf) -> Result<Ledger> {
        match fs::metadata(&root) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(Error::Message(format!(
                    "{} is not a folder",
                    root.display()
                )))
            }
            Err(err) => return Err(Error::io(root, err)),
        }
        let (settings, problems) = Settings::load(&root);
        let settings_problems = problems
            .into_iter()
            .map(|p| {
                Diagnostic::new(
                    settings::FILE_NAME,
                    p.line,
                    p.column,
                    Code::BadConfig,
                    p.message,
                )
            })
            .collect();
        Ok(Ledger {
            root,
            settings,
            settings_problems,
        })
    }

    /// Fail on the first problem of `ledger.yaml`: commands other than `lint`
    /// do not guess at settings.
    pub fn require_settings(&self) -> Result<()> {
        match self.settings_problems.first() {
            Some(d) => Err(Error::BadConfig {
                path: d.path.clone(),
                line: d.line,
                column: d.column,
                message: d.message.clone(),
            }),
            None => Ok(()),
        }
    }

    /// The `*.md` files that may be prospects, relative to the root and
    /// `/`-separated, in the order of their ids (see [`Entry::id_order`]); plus
    /// problems met on the way.
    pub fn markdown_files(&self) -> (Vec<String>, Vec<Diagnostic>) {
        self.walk(
            false,
            &Vec::new,
            &|files, found| files.push(found.relative),
            &append,
        )
    }

    /// Walk the ledger for its `*.md` files, passing over hidden and
    /// ignored folders, and fold each into an accumulator as it is found:
    /// folders and files are taken in parallel, each piece of work starting
    /// from `empty()`, `visit`ing its files in order and `join`ing what
    /// came before with what came after, so that an order-keeping `join`
    /// sees the files in the order of their ids. With each file's
    /// [`Key`] when `stat` (taken relative to its open folder, which is
    /// cheap).
    pub fn walk<A: Send>(
        &self,
        stat: bool,
        empty: &(impl Fn() -> A + Sync),
        visit: &(impl Fn(&mut A, Found) + Sync),
        join: &(impl Fn(A, A) -> A + Sync),
    ) -> (A, Vec<Diagnostic>) {
        let walker = Walker {
            ledger: self,
            stat,
            empty,
            visit,
            join,
        };
        walker.folder(&self.root, "")
    }

    /// Find the prospect a person names (see [`Ledger::resolve`]). A query
    /// that is exactly one file's id or stem reads that file alone, which
    /// is the answer `resolve` would give; anything else reads every file
    /// (none is checked).
    pub fn find(&self, query: &str, cwd: &Path) -> Result<Prospect> {
        let (files, _) = self.markdown_files();
        let wanted = query.trim().trim_end_matches(".md");
        let mut matching = files.iter().filter(|rel| {
            let id = rel.trim_end_matches(".md");
            !wanted.is_empty() && (id == wanted || id.rsplit('/').next() == Some(wanted))
        });
        if let (Some(rel), None) = (matching.next(), matching.next()) {
            if let Some(prospect) = self.read(rel) {
                return Ok(prospect);
            }
        }
        let mut prospects: Vec<Prospect> =
            files.par_iter().filter_map(|rel| self.read(rel)).collect();
        let i = self.resolve(&prospects, query, cwd)?;
        Ok(prospects.swap_remove(i))
    }

    /// Read one file; `None` when it is not a prospect (no front-matter fence).
    pub fn read(&self, relative: &str) -> Option<Prospect> {
        read_prospect(relative, || fs::File::open(self.root.join(relative)))
    }

    /// What `due` and `list` need of every prospect, gathered as the files
    /// are found and read (in parallel): each piece of work starts from
    /// `empty()`, `add`s each [`Summary`], and the pieces' tallies are
    /// `join`ed; so nothing is held but what the tally keeps. Through the
    /// [`Cache`] when `cached`, which then learns what changed.
    ///
    /// A summary the cache holds is first shown to `glance` with its file's
    /// path, which tallies what it needs of it and says `false`, or says
    /// `true` to have the whole summary decoded and `add`ed: most of what
    /// a warm run spends above the walk is in decoding.
    pub fn summaries<T: Send>(
        &self,
        today: Date,
        cached: bool,
        empty: impl Fn() -> T + Sync,
        glance: impl Fn(&mut T, &Glance, &str) -> bool + Sync,
        add: impl Fn(&mut T, Summary) + Sync,
        join: impl Fn(T, T) -> T + Sync,
    ) -> (T, Vec<Diagnostic>) {
        let cx = Context {
            settings: &self.settings,
            today,
        };
        let cache = cached.then(|| Cache::open(&self.root, today, self.fingerprint()));
        let summarize = |prospect: &Prospect| {
            let assessed = check::assess_errors(prospect, &cx);
            Summary {
                errors: !assessed.diagnostics.is_empty(),
                status: assessed.status,
            }
        };
        let (walked, walk_problems) = self.walk(
            cached,
            &|| (empty(), Learning::default()),
            &|(tally, learning): &mut (T, Learning), found| {
                let summary = match (&cache, found.key) {
                    (Some(cache), Some(key)) => {
                        let wanted = |g: &Glance, relative: &str| glance(tally, g, relative);
                        Ledger::through(cache, found, key, summarize, wanted, learning)
                    }
                    _ => found.read().as_ref().map(summarize),
                };
                if let Some(summary) = summary {
                    add(tally, summary);
                }
            },
            &|(a, mut learned), (b, more)| {
                learned.kept.extend(more.kept);
                learned.news.extend(more.news);
                (join(a, b), learned)
            },
        );
        let (tally, learning) = walked;
        if let Some(cache) = cache {
            cache.save(learning.kept, learning.news);
        }
        (tally, walk_problems)
    }

    /// The summary of one file through the cache, which holds it when the
    /// file is as it was (`None` also when `wanted` passed over it);
    /// noting in `learning` what the cache should keep.
    fn through(
        cache: &Cache,
        mut found: Found,
        key: Key,
        summarize: impl Fn(&Prospect) -> Summary,
        wanted: impl FnOnce(&Glance, &str) -> bool,
        learning: &mut Learning,
    ) -> Option<Summary> {
        let (summary, news) = match cache.get(&found.relative, key, learning.kept.last().copied()) {
            Some(Hit::Summary(day, slot)) => {
                if day.glance().is_some_and(|g| !wanted(&g, &found.relative)) {
                    learning.kept.push(slot);
                    return None;
                }
                match day.summary(found.relative) {
                    Ok(summary) => {
                        learning.kept.push(slot);
                        return summary;
                    }
                    // Damaged past its leading fields: read the file.
                    Err(relative) => found.relative = relative,
                }
                Ledger::read_anew(&found, &summarize)
            }
            Some(Hit::Parsed(prospect)) => {
                let summary = prospect.as_deref().map(summarize);
                let news = Learned::assessed(summary.as_ref());
                (summary, news)
            }
            None => Ledger::read_anew(&found, &summarize),
        };
        learning.news.push((found.relative, key, news));
        summary
    }

    /// Read and summarize a file the cache does not hold; with what the
    /// cache should learn of it.
    fn read_anew(
        found: &Found,
        summarize: impl Fn(&Prospect) -> Summary,
    ) -> (Option<Summary>, Learned) {
        let prospect = found.read();
        let summary = prospect.as_ref().map(summarize);
        let news = Learned::read(prospect.as_ref(), summary.as_ref());
        (summary, news)
    }

    /// A fingerprint of the settings: the cached summaries hold for one.
    fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        format!("{:?}", self.settings).hash(&mut hasher);
        hasher.finish()
    }

    /// Read and check every prospect for `today`, in one parallel pass that
    /// keeps of each prospect only its problems and what the ledger-wide
    /// `duplicate` check needs; plus the problems of `ledger.yaml`.
    pub fn lint(&self, today: Date) -> Lint {
        let cx = Context {
            settings: &self.settings,
            today,
        };
        type Who = (String, String, String, Option<String>);
        type Seen = (Vec<Diagnostic>, Vec<Who>, usize);
        let ((mut diagnostics, usable, prospects), walk_problems) = self.walk(
            false,
            &Seen::default,
            &|(diagnostics, usable, count): &mut Seen, found| {
                let Some(prospect) = found.read() else {
                    return;
                };
                *count += 1;
                let assessed = check::assess(&prospect, &cx);
                diagnostics.extend(assessed.diagnostics);
                if let (Some(_), Some(f)) = (assessed.status, prospect.fields()) {
                    let (name, email) = (f.name.clone(), f.email.clone());
                    usable.push((prospect.id, prospect.path, name, email));
                }
            },
            &|(mut d, mut u, n), (more_d, more_u, more_n)| {
                d.extend(more_d);
                u.extend(more_u);
                (d, u, n + more_n)
            },
        );
        diagnostics.extend(self.settings_problems.iter().cloned());
        diagnostics.extend(walk_problems);
        let usable = usable.iter().map(|(id, path, name, email)| {
            (id.as_str(), path.as_str(), name.as_str(), email.as_deref())
        });
        diagnostics.extend(check::duplicates(usable));
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        Lint {
            diagnostics,
            prospects,
        }
    }

    /// Whether a path (relative to the root, `/`-separated) is passed over:
    /// inside a folder whose name starts with `.`, or matched by `ignore:`.
    pub fn skips(&self, relative: &str) -> bool {
        let mut folders = relative.split('/').rev().skip(1);
        folders.any(|name| name.starts_with('.')) || self.settings.is_ignored(relative)
    }

    /// Find the prospect a person names (SPEC section 1): exact id, a path to
    /// the file, exact file stem, case-insensitive exact name, then a
    /// case-insensitive substring of stem or name matching just one.
    pub fn resolve(&self, prospects: &[Prospect], query: &str, cwd: &Path) -> Result<usize> {
        fn name(p: &Prospect) -> Option<&str> {
            p.fields().map(|f| f.name.as_str())
        }
        let as_path = self.path_query(query, cwd);
        let lower = query.to_lowercase();
        type Test<'t> = Box<dyn Fn(&Prospect) -> bool + 't>;
        let tests: [Test; 5] = [
            Box::new(|p| p.id == query),
            Box::new(|p| as_path.as_deref() == Some(p.path.as_str())),
            Box::new(|p| p.stem() == query),
            Box::new(|p| name(p).is_some_and(|n| n.to_lowercase() == lower)),
            Box::new(|p| {
                p.stem().to_lowercase().contains(&lower)
                    || name(p).is_some_and(|n| n.to_lowercase().contains(&lower))
            }),
        ];
        for test in tests {
            let found: Vec<(usize, &Prospect)> = prospects
                .iter()
                .enumerate()
                .filter(|(_, p)| test(p))
                .collect();
            match found.as_slice() {
                [] => continue,
                [(i, _)] => return Ok(*i),
                _ => {
                    return Err(Error::Ambiguous {
                        query: query.to_owned(),
                        candidates: found
                            .iter()
                            .map(|(_, p)| match name(p) {
                                Some(n) => format!("{}  ({n})", p.id),
                                None => p.id.clone(),
                            })
                            .collect(),
                    })
                }
            }
        }
        Err(Error::NoMatch {
            query: query.to_owned(),
            candidates: Vec::new(),
        })
    }

    /// A query read as a path to a file: relative to the root, `/`-separated.
    fn path_query(&self, query: &str, cwd: &Path) -> Option<String> {
        if !query.ends_with(".md") {
            return None;
        }
        let direct = relative(&self.root, &normalize(&cwd.join(query)));
        let from_root = Some(query.trim_start_matches("./").to_owned());
        direct
            .filter(|rel| self.root.join(rel).is_file())
            .or(from_root)
    }
}

/// Read one file as a prospect; `None` when it has no front-matter fence.
pub fn read_prospect(
    relative: &str,
    open: impl FnOnce() -> std::io::Result<fs::File>,
) -> Option<Prospect> {
    thread_local! {
        /// Each reading thread's buffer, kept from file to file.
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with_borrow_mut(|bytes| {
        bytes.clear();
        let prospect = read_into(open, relative, bytes);
        if bytes.capacity() > 1 << 20 {
            *bytes = Vec::new();
        }
        prospect
    })
}

fn read_into(
    open: impl FnOnce() -> std::io::Result<fs::File>,
    relative: &str,
    bytes: &mut Vec<u8>,
) -> Option<Prospect> {
    let cannot = |err: std::io::Error| {
        Some(Prospect::unreadable(
            relative,
            format!("cannot read the file: {err}"),
        ))
    };
    let file = match open() {
        Ok(file) => file,
        Err(err) => return cannot(err),
    };
    if let Err(err) = (&file).take(MAX_FILE_BYTES + 1).read_to_end(bytes) {
        return cannot(err);
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        let size = file.metadata().map_or(MAX_FILE_BYTES + 1, |m| m.len());
        return front_matter::has_fence(bytes).then(|| {
            Prospect::unreadable(
                relative,
                format!(
                    "the file is {} bytes, over the {} MiB a prospect file may be",
                    size,
                    MAX_FILE_BYTES >> 20
                ),
            )
        });
    }
    if !front_matter::has_fence(bytes) {
        return None;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(Prospect::parse(relative, text)),
        Err(err) => Some(Prospect::unreadable(
            relative,
            format!(
                "the file is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
                err.valid_up_to()
            ),
        )),
    }
}

/// `path` relative to `root`, `/`-separated; `None` outside the root or not UTF-8.
pub fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// Remove `.` and `..` from a path without touching the disk.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A `*.md` file found by [`Ledger::walk`].
#[derive(Debug)]
pub struct Found<'w> {
    /// Its path relative to the root, `/`-separated.
    pub relative: String,
    /// What changes when it changes, when asked for and known.
    pub key: Option<Key>,
    /// The open folder it is in, and its name there.
    folder: &'w Folder,
    name: &'w str,
}

impl Found<'_> {
    /// Read it (through its open folder); `None` when it is not a prospect.
    pub fn read(&self) -> Option<Prospect> {
        read_prospect(self.relative.as_str(), || self.folder.open_file(self.name))
    }
}

/// What a run of [`Ledger::summaries`] learned for the [`Cache`]: which of
/// its day records still hold, and what is new.
#[derive(Default)]
struct Learning {
    kept: Vec<u32>,
    news: Vec<(String, Key, Learned)>,
}

/// Append `more` to `all`: the order-keeping join of a walk.
fn append<T>(mut all: Vec<T>, more: Vec<T>) -> Vec<T> {
    all.extend(more);
    all
}

/// The most entries of a folder one piece of parallel work takes (64
/// made a warm `due` at 100,000 prospects 4 % slower).
const PIECE: usize = 256;

/// One walk of a ledger (see [`Ledger::walk`]).
struct Walker<'w, E, V, J> {
    ledger: &'w Ledger,
    stat: bool,
    empty: &'w E,
    visit: &'w V,
    join: &'w J,
}

impl<A, E, V, J> Walker<'_, E, V, J>
where
    A: Send,
    E: Fn() -> A + Sync,
    V: Fn(&mut A, Found) + Sync,
    J: Fn(A, A) -> A + Sync,
{
    fn folder(&self, dir: &Path, relative: &str) -> (A, Vec<Diagnostic>) {
        let unreadable = |err: &dyn std::fmt::Display| {
            let at = if relative.is_empty() {
                self.ledger.root.display().to_string()
            } else {
                relative.to_owned()
            };
            Diagnostic::new(&at, 1, 1, Code::Unreadable, format!("cannot read: {err}"))
        };
        let listed = Folder::open(dir).and_then(|folder| Ok((folder.entries()?, folder)));
        let ((mut listed, errors), folder) = match listed {
            Ok(listed) => listed,
            Err(err) => return ((self.empty)(), vec![unreadable(&err)]),
        };
        let mut problems: Vec<Diagnostic> = errors.iter().map(|e| unreadable(e)).collect();
        listed.sort_unstable_by(Entry::id_order);
        // Made to measure: `format!` would grow the string twice.
        let child = |name: &str| {
            if relative.is_empty() {
                return name.to_owned();
            }
            let mut path = String::with_capacity(relative.len() + 1 + name.len());
            path.push_str(relative);
            path.push('/');
            path.push_str(name);
            path
        };
        let none = || ((self.empty)(), Vec::new());
        let (found, more) = listed
            .par_iter()
            .with_max_len(PIECE)
            .fold(none, |(mut acc, mut problems), entry| {
                let name = entry.name.as_deref();
                match (entry.kind, name) {
                    (Kind::Folder, Ok(name)) => {
                        let rel = Some(child(name))
                            .filter(|_| !name.starts_with('.'))
                            .filter(|rel| !self.ledger.settings.is_ignored(rel));
                        if let Some(rel) = rel {
                            let (inner, more) = self.folder(&dir.join(name), &rel);
                            acc = (self.join)(acc, inner);
                            problems.extend(more);
                        }
                    }
                    (Kind::File, Ok(name)) if name.ends_with(".md") && name.len() > 3 => {
                        self.file(&mut acc, child(name), &folder, name);
                    }
                    (Kind::File, Err(raw))
                        if Path::new(raw).extension().is_some_and(|e| e == "md") =>
                    {
                        problems.push(Diagnostic::new(
                            &dir.join(raw).to_string_lossy(),
                            1,
                            1,
                            Code::Unreadable,
                            "the file's name is not UTF-8; rename it",
                        ))
                    }
                    _ => {}
                }
                (acc, problems)
            })
            .reduce(none, |(a, pa), (b, pb)| ((self.join)(a, b), append(pa, pb)));
        problems.extend(more);
        (found, problems)
    }

    /// Visit one `*.md` file, unless `ignore:` passes over it.
    fn file(&self, acc: &mut A, relative: String, folder: &Folder, name: &str) {
        if self.ledger.settings.is_ignored(&relative) {
            return;
        }
        let key = if self.stat { folder.key(name) } else { None };
        (self.visit)(
            acc,
            Found {
                relative,
                key,
                folder,
                name,
            },
        );
    }
}

/// What a command may see of a cached [`Summary`] before it asks for the
/// whole: enough for `due` to tell whether it shows the prospect.
#[derive(Debug, Clone, Copy)]
pub struct Glance {
    /// Whether any check found an error.
    pub errors: bool,
    /// When the next follow-up is due.
    pub due: Option<Date>,
    /// Why it is due then, or not at all.
    pub due_reason: crate::rules::due::Reason,
    /// The deal's value.
    pub value: Option<f64>,
}

pub use crate::rules::check::Summary;
