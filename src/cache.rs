//! A cache of what each prospect file parsed to, so that a repeated `due`
//! or `list` costs little more than a `stat` of each file.
//!
//! - **Keyed so that any change is seen**: a record is used only when the
//!   file's size, modification time (to the nanosecond) and inode are those
//!   it was read with, and the file was last modified well before the cache
//!   was made. A file modified within [`RACY`] of the moment reading began is
//!   always read again, as git treats racily clean index entries: on a file
//!   system with coarse timestamps, an edit in the same tick as the read
//!   leaves size and time as they were.
//! - **Never committed**: it lives inside `.git/` when the ledger is in a
//!   repository, else in `.ledger-cache/`, which ignores itself.
//! - **Never trusted blindly**: a missing, stale, foreign or unreadable cache
//!   is rebuilt silently; it never changes a result, and `--no-cache` turns
//!   it off.
//!
//! What is kept is the parse without what `due` and `list` never look at:
//! the front matter's raw values and contact details, the entries' texts,
//! times and columns.
//! Commands that show those (`show`, `lint`) read the files.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use chrono::Datelike;

use crate::date::Date;
use crate::diagnostic::{Code, Diagnostic};
use crate::entry::Entry;
use crate::front_matter::Fields;
use crate::git;
use crate::prospect::Prospect;
use crate::store;
use crate::yaml::Yaml;

/// Files modified less than this long before the cache's timestamp are
/// read again: wider than any file system's timestamp granularity (FAT's
/// is two seconds).
pub const RACY: Duration = Duration::from_secs(3);

/// What changes when a file changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    size: u64,
    /// Modification time, nanoseconds since the epoch.
    mtime: i128,
    inode: u64,
}

impl Key {
    /// The key of a file, from its metadata (`None` when the system gives
    /// no modification time, and the file cannot be cached).
    pub fn of(meta: &fs::Metadata) -> Option<Key> {
        let mtime = nanos(meta.modified().ok()?);
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Key {
            size: meta.len(),
            mtime,
            inode,
        })
    }
}

fn nanos(time: SystemTime) -> i128 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Record {
    key: Key,
    /// `None`: a Markdown file that is not a prospect.
    parsed: Option<Parsed>,
}

/// What a prospect file parsed to, as far as `due` and `list` look.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Parsed {
    fields: Option<Fields>,
    /// Each entry: days since the common era, line, channel, inbound.
    entries: Vec<(i32, u32, String, bool)>,
    /// The problems of the file itself (rare), at their lines.
    problems: Vec<(Code, u32, u32, String)>,
    /// The line of the `stage` key, for the check that the stage is known.
    stage_line: Option<u32>,
}

impl Parsed {
    /// What the cache keeps of a prospect.
    pub fn of(prospect: &Prospect) -> Parsed {
        Parsed {
            // Contact details are for people and for `lint`'s duplicate
            // check; `due` and `list` never look at them.
            fields: prospect.fields().map(|f| Fields {
                company: None,
                contact: None,
                email: None,
                phone: None,
                source: None,
                ..f.clone()
            }),
            entries: prospect
                .entries
                .iter()
                .map(|e| {
                    (
                        e.date.num_days_from_ce(),
                        e.line as u32,
                        e.channel.clone(),
                        e.inbound,
                    )
                })
                .collect(),
            problems: prospect
                .problems
                .iter()
                .map(|d| (d.code, d.line as u32, d.column as u32, d.message.clone()))
                .collect(),
            stage_line: prospect.key_line("stage").map(|l| l as u32),
        }
    }

    /// The prospect again, without what was not kept.
    fn prospect(&self, relative: &str) -> Prospect {
        let mut prospect = Prospect::empty(relative);
        prospect.front.fields = self.fields.clone();
        prospect.front.pairs = self
            .stage_line
            .map(|line| ("stage".to_owned(), Yaml::Null, line as usize))
            .into_iter()
            .collect();
        prospect.entries = self
            .entries
            .iter()
            .filter_map(|(days, line, channel, inbound)| {
                Some(Entry {
                    line: *line as usize,
                    column: 1,
                    date: Date::from_num_days_from_ce_opt(*days)?,
                    time: None,
                    channel: channel.clone(),
                    inbound: *inbound,
                    text: String::new(),
                })
            })
            .collect();
        prospect.problems = self
            .problems
            .iter()
            .map(|(code, line, column, message)| {
                Diagnostic::new(
                    relative,
                    *line as usize,
                    *column as usize,
                    *code,
                    message.clone(),
                )
            })
            .collect();
        prospect
    }
}

/// The file as stored.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    /// [`FORMAT`]: anything else is a cache of another version.
    format: String,
    /// When reading began, for the racy rule.
    stamp: i128,
    records: Vec<(String, Record)>,
}

/// The cache's format: the crate's version and a revision of the layout.
const FORMAT: &str = concat!("ledger-cache 1 ", env!("CARGO_PKG_VERSION"));

/// The cache of one ledger.
#[derive(Debug)]
pub struct Cache {
    path: PathBuf,
    /// Records made before this may be trusted.
    trusted_before: i128,
    records: HashMap<String, Record>,
    /// When this run began reading.
    started: i128,
    changed: bool,
}

impl Cache {
    /// The cache of the ledger at `root` (canonical), empty when there is
    /// none or it cannot be used.
    pub fn open(root: &Path) -> Cache {
        let started = nanos(SystemTime::now());
        let path = location(root);
        let stored = fs::read(&path)
            .ok()
            .and_then(|bytes| postcard::from_bytes::<Stored>(&bytes).ok())
            .filter(|s| s.format == FORMAT);
        let (trusted_before, records) = match stored {
            Some(s) => (
                s.stamp - RACY.as_nanos() as i128,
                s.records.into_iter().collect(),
            ),
            None => (i128::MIN, HashMap::new()),
        };
        Cache {
            path,
            trusted_before,
            records,
            started,
            changed: false,
        }
    }

    /// The parse of `relative` if the cache holds it for a file with `key`:
    /// `Some(None)` for a file known not to be a prospect.
    pub fn get(&self, relative: &str, key: Key) -> Option<Option<Prospect>> {
        let record = self.records.get(relative)?;
        (record.key == key && key.mtime < self.trusted_before)
            .then(|| record.parsed.as_ref().map(|p| p.prospect(relative)))
    }

    /// Remember what `relative`, a file with `key`, parsed to.
    pub fn put(&mut self, relative: &str, key: Key, parsed: Option<Parsed>) {
        self.records
            .insert(relative.to_owned(), Record { key, parsed });
        self.changed = true;
    }

    /// Forget every file but these.
    pub fn keep_only(&mut self, seen: &HashSet<&str>) {
        let before = self.records.len();
        self.records.retain(|path, _| seen.contains(path.as_str()));
        self.changed |= self.records.len() != before;
    }

    /// Write the cache if anything changed. Failing to is not an error: the
    /// next run reads the files again.
    pub fn save(self) {
        if !self.changed {
            return;
        }
        let stored = Stored {
            format: FORMAT.to_owned(),
            stamp: self.started,
            records: self.records.into_iter().collect(),
        };
        let Ok(bytes) = postcard::to_stdvec(&stored) else {
            return;
        };
        if let Some(dir) = self.path.parent() {
            if fs::create_dir_all(dir).is_err() {
                return;
            }
            if dir.file_name().is_some_and(|n| n == OUTSIDE_GIT) {
                let ignore = dir.join(".gitignore");
                if !ignore.exists() {
                    let _ = fs::write(ignore, "# ledger's cache: never committed\n*\n");
                }
            }
        }
        let _ = store::write_atomic(&self.path, &bytes, false);
    }
}

/// The cache's folder in a ledger that is not in a git repository.
pub const OUTSIDE_GIT: &str = ".ledger-cache";

/// Where the cache of the ledger at `root` lives: in the repository's
/// `.git/ledger-cache/`, named for the ledger's place in the work tree, or
/// else in the ledger's `.ledger-cache/`.
pub fn location(root: &Path) -> PathBuf {
    match git::cache_dir(root) {
        Some((dir, place)) => {
            let name = if place.is_empty() {
                "root".to_owned()
            } else {
                place.replace(['/', '\\'], "%")
            };
            dir.join("ledger-cache").join(name)
        }
        None => root.join(OUTSIDE_GIT).join("cache"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_kept_comes_back() {
        let text = "---\nname: Acme\nstage: won\nvalue: 12000\nemail: a@b.example\nnext: 2026-12-01\ntags: [saas]\n---\n\n## Log\n\n- 2026-11-02 call (in): Hello.\n- not an entry\n- 2026-11-05 email: Sent.\n";
        let prospect = Prospect::parse("prospects/acme.md", text);
        assert_eq!(prospect.problems.len(), 1);
        let bytes = postcard::to_stdvec(&Parsed::of(&prospect)).unwrap();
        let back = postcard::from_bytes::<Parsed>(&bytes)
            .unwrap()
            .prospect("prospects/acme.md");
        assert_eq!(back.id, prospect.id);
        assert_eq!(back.problems, prospect.problems);
        assert_eq!(back.key_line("stage"), Some(3));
        let kept = |p: &Prospect| -> Vec<(Date, usize, String, bool)> {
            p.entries
                .iter()
                .map(|e| (e.date, e.line, e.channel.clone(), e.inbound))
                .collect()
        };
        assert_eq!(kept(&back), kept(&prospect));
        let (f, b) = (prospect.fields().unwrap(), back.fields().unwrap());
        assert_eq!(
            (&b.name, &b.stage, b.value, b.next, &b.tags),
            (&f.name, &f.stage, f.value, f.next, &f.tags)
        );
        assert_eq!(b.email, None);
    }
}
