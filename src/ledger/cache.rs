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
//! - **Checked where it is read**: a disk, a copy or an editor can change a
//!   byte, and postcard reads most changed bytes as other names, dates or
//!   counts. So the header and every record carry a hash of their bytes,
//!   and one that does not match is a miss: a damaged header costs the
//!   whole file, a damaged record only its own file, read again. A record
//!   is checked when it is looked up, so a warm `due` hashes each record
//!   once, on the thread that uses it, instead of the whole file before
//!   the walk can start.
//!
//! Two files are kept, each a check, a header, the place of each record,
//! and one record a file sorted by path, each with its own check:
//!
//! - `<place>.day`: each prospect's [`Summary`] for one day and one set of
//!   settings. A repeated `due` or `list` on the same day decodes these and
//!   reads, parses and assesses nothing.
//! - `<place>.parsed`: each file's parse for any day, without what `due`
//!   and `list` never look at (the front matter's raw values and contact
//!   details, the entries' texts, times and columns). It is read only when
//!   the day or the settings changed, to assess the parses again.
//!
//! Commands that show what is not kept (`show`, `lint`) read the files.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use chrono::Datelike;

use crate::format::date::Date;
use crate::format::diagnostic::{Code, Diagnostic};
use crate::format::entry::Entry;
use crate::format::front_matter::Fields;
use crate::format::prospect::Prospect;
use crate::format::yaml::Yaml;
use crate::git;
use crate::ledger::store;
use crate::ledger::{Glance, Summary};
use crate::rules::due::{Reason, Status};

/// Files modified less than this long before the cache's timestamp are
/// read again: wider than any file system's timestamp granularity (FAT's
/// is two seconds).
pub const RACY: Duration = Duration::from_secs(3);

/// What changes when a file changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    size: u64,
    /// Modification time, nanoseconds since the epoch (which lasts until 2262).
    mtime: i64,
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

impl Key {
    /// A key from its parts: modification time in nanoseconds since the epoch.
    pub fn new(size: u64, mtime: i64, inode: u64) -> Key {
        Key { size, mtime, inode }
    }

    /// Bytes a key takes in a cache file.
    const SIZE: usize = 24;

    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.size.to_le_bytes());
        out.extend_from_slice(&self.mtime.to_le_bytes());
        out.extend_from_slice(&self.inode.to_le_bytes());
    }

    fn decode(bytes: &[u8]) -> Option<Key> {
        Some(Key {
            size: u64::from_le_bytes(bytes.get(0..8)?.try_into().ok()?),
            mtime: i64::from_le_bytes(bytes.get(8..16)?.try_into().ok()?),
            inode: u64::from_le_bytes(bytes.get(16..24)?.try_into().ok()?),
        })
    }
}

fn nanos(time: SystemTime) -> i64 {
    let saturate = |d: Duration| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX);
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => saturate(d),
        Err(e) => -saturate(e.duration()),
    }
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
    pub fn prospect(&self, relative: &str) -> Prospect {
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

/// The cache's format: the crate's version and a revision of the layout.
const FORMAT: &str = concat!("ledger-cache 5 ", env!("CARGO_PKG_VERSION"));

/// Bytes a check takes in a cache file.
const CHECK: usize = 8;

/// The check of a piece of a cache file: a fast hash, to catch damage
/// (it guards against no one who means harm, who could rewrite the hash
/// as easily as the bytes).
fn check(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Write into the first [`CHECK`] bytes of `piece` the check of the rest.
fn seal(piece: &mut [u8]) {
    if let Some((sum, covered)) = piece.split_first_chunk_mut::<CHECK>() {
        *sum = check(covered).to_le_bytes();
    }
}

/// The rest of `piece` after its first [`CHECK`] bytes, when they are
/// the check of it.
fn unseal(piece: &[u8]) -> Option<&[u8]> {
    let (sum, covered) = piece.split_first_chunk::<CHECK>()?;
    (u64::from_le_bytes(*sum) == check(covered)).then_some(covered)
}

/// The head of a cache file.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    /// [`FORMAT`]: anything else is a cache of another version.
    format: String,
    /// When reading began, for the racy rule.
    stamp: i64,
    /// For the day file: the day and the settings its summaries are for.
    day: Option<(i32, u64)>,
    /// How many records follow.
    count: u32,
}

/// One cache file, read whole: a check, a header, the place of each record
/// (a `u32` each), then one record a file, sorted by path. The check (see
/// [`seal`]) covers the header and the places. A record is its own check,
/// `u16` path length, the path, the [`Key`] ([`Key::SIZE`] bytes), and a
/// body encoded with postcard, which ends where the next record begins.
///
/// Only the header is decoded when the file is read: a record is checked
/// and taken apart when it is looked up, and one that does not fit is a
/// miss.
#[derive(Debug, Default)]
struct Table {
    bytes: Vec<u8>,
    /// Where the places of the records begin in `bytes`.
    places: usize,
    /// How many records there are.
    count: usize,
    /// Records made before this may be trusted.
    trusted_before: i64,
}

/// One record of a [`Table`], taken apart.
#[derive(Debug, Clone, Copy)]
struct Slot<'t> {
    path: &'t [u8],
    key: Key,
    body: &'t [u8],
}

impl Table {
    /// Read a cache file; `None` when it is missing, foreign or damaged.
    fn read(path: &Path, day: Option<(i32, u64)>) -> Option<Table> {
        Table::parse(read_whole(path).ok()?, day)
    }

    /// A cache file's bytes; `None` when they are foreign, for another
    /// day or settings, or their header or places are damaged.
    fn parse(bytes: Vec<u8>, day: Option<(i32, u64)>) -> Option<Table> {
        let after_check = bytes.get(CHECK..)?;
        // Decoded before it is checked, for the length of what the check
        // covers: postcard turns down what does not fit, without panicking.
        let (header, rest) = postcard::take_from_bytes::<Header>(after_check).ok()?;
        if header.format != FORMAT || header.day != day {
            return None;
        }
        let places = bytes.len() - rest.len();
        let count = header.count as usize;
        let records = places.checked_add(count.checked_mul(4)?)?;
        unseal(bytes.get(..records)?)?;
        Some(Table {
            places,
            count,
            trusted_before: header.stamp.saturating_sub(RACY.as_nanos() as i64),
            bytes,
        })
    }

    /// How many records there are.
    fn len(&self) -> usize {
        self.count
    }

    /// Where record `i` begins (or, for `i` = the count, where the file ends).
    fn place(&self, i: usize) -> Option<usize> {
        if i == self.count {
            return Some(self.bytes.len());
        }
        let at = self.places + 4 * i;
        let place = self.bytes.get(at..at + 4)?;
        Some(u32::from_le_bytes(place.try_into().ok()?) as usize)
    }

    /// Record `i`'s bytes, its check first.
    fn record(&self, i: usize) -> Option<&[u8]> {
        self.bytes.get(self.place(i)?..self.place(i + 1)?)
    }

    /// Record `i`, checked and taken apart; `None` when it is damaged.
    fn slot(&self, i: usize) -> Option<Slot<'_>> {
        Slot::of(unseal(self.record(i)?)?)
    }

    /// The path of record `i`, not checked: enough to find a record, which
    /// is checked when it is used (a damaged path is a miss, or leads to a
    /// record whose check fails).
    fn path(&self, i: usize) -> Option<&[u8]> {
        Some(Slot::of(self.record(i)?.get(CHECK..)?)?.path)
    }

    /// The place of the record of `relative`.
    fn find(&self, relative: &str) -> Option<usize> {
        let (mut low, mut high) = (0, self.count);
        while low < high {
            let mid = low + (high - low) / 2;
            match self.path(mid)?.cmp(relative.as_bytes()) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// The body kept for `relative` (and its place), if it was kept for a
    /// file with `key` that had not changed for a while when it was read.
    /// `after`: the place of the record looked up last, whose successor
    /// is tried first (files come in the order of their paths within a
    /// folder).
    fn get(&self, relative: &str, key: Key, after: Option<u32>) -> Option<(u32, &[u8])> {
        let next = after
            .map(|i| i as usize + 1)
            .filter(|&i| self.path(i) == Some(relative.as_bytes()));
        let i = next.or_else(|| self.find(relative))?;
        let slot = self.slot(i)?;
        (slot.key == key && key.mtime < self.trusted_before).then_some((i as u32, slot.body))
    }

    /// The body kept for `relative` if it was kept for a file with `key`.
    fn body_for(&self, relative: &str, key: Key) -> Option<&[u8]> {
        let slot = self.slot(self.find(relative)?)?;
        (slot.key == key).then_some(slot.body)
    }

    /// Write `records` (sorted by path) under a header; nothing when they
    /// would not fit the format.
    fn write(path: &Path, stamp: i64, day: Option<(i32, u64)>, records: &[(&str, Key, &[u8])]) {
        if let Some(bytes) = Table::encode(stamp, day, records) {
            let _ = store::write_atomic(path, &bytes, false);
        }
    }

    /// The bytes of a cache file of `records` (sorted by path); `None`
    /// when they would not fit the format's `u32` places or `u16` path
    /// lengths.
    fn encode(
        stamp: i64,
        day: Option<(i32, u64)>,
        records: &[(&str, Key, &[u8])],
    ) -> Option<Vec<u8>> {
        let header = Header {
            format: FORMAT.to_owned(),
            stamp,
            day,
            count: u32::try_from(records.len()).ok()?,
        };
        let mut bytes = vec![0; CHECK];
        bytes.extend(postcard::to_stdvec(&header).ok()?);
        let places = bytes.len();
        let record_len =
            |relative: &str, body: &[u8]| CHECK + 2 + relative.len() + Key::SIZE + body.len();
        let size: usize = records
            .iter()
            .map(|(relative, _, body)| 4 + record_len(relative, body))
            .sum();
        bytes.reserve_exact(size);
        // The places first: each record begins where the one before ends.
        let mut place = places + 4 * records.len();
        for (relative, _, body) in records {
            bytes.extend_from_slice(&u32::try_from(place).ok()?.to_le_bytes());
            place += record_len(relative, body);
        }
        seal(&mut bytes);
        for (relative, key, body) in records {
            let start = bytes.len();
            bytes.extend_from_slice(&[0; CHECK]);
            bytes.extend_from_slice(&u16::try_from(relative.len()).ok()?.to_le_bytes());
            bytes.extend_from_slice(relative.as_bytes());
            key.encode(&mut bytes);
            bytes.extend_from_slice(body);
            seal(bytes.get_mut(start..)?);
        }
        u32::try_from(bytes.len()).is_ok().then_some(bytes)
    }
}

impl<'t> Slot<'t> {
    /// A record's bytes after its check, taken apart.
    fn of(record: &'t [u8]) -> Option<Slot<'t>> {
        let (path_len, rest) = record.split_first_chunk::<2>()?;
        let (path, rest) = rest.split_at_checked(usize::from(u16::from_le_bytes(*path_len)))?;
        let (key, body) = rest.split_at_checked(Key::SIZE)?;
        let key = Key::decode(key)?;
        Some(Slot { path, key, body })
    }
}

/// What the cache gives for one file.
// The large variant is the one nearly every file takes: boxing it would
// cost an allocation a file; the rare parse is boxed instead.
#[allow(clippy::large_enum_variant)]
pub enum Hit<'c> {
    /// The day's summary: nothing to read or assess; and the record's
    /// place in the day file, to keep it.
    Summary(Day<'c>, u32),
    /// The parse (`None`: not a prospect): assess it again (the day or
    /// the settings changed).
    Parsed(Option<Box<Prospect>>),
}

/// The day's summary of one file, as the cache keeps it: its leading
/// fields taken apart, the rest when it is asked for.
pub struct Day<'c> {
    /// `None`: the file is not a prospect.
    head: Option<KeptHead>,
    body: &'c [u8],
}

impl<'c> Day<'c> {
    /// A day record's body, its leading fields taken apart; `None` when
    /// even those are damaged.
    fn new(body: &'c [u8]) -> Option<Day<'c>> {
        let (head, _) = postcard::take_from_bytes::<Option<KeptHead>>(body).ok()?;
        Some(Day { head, body })
    }

    /// What a command may look at before it asks for the whole summary
    /// (`None`: not a prospect, or a broken one; their summaries say all).
    pub fn glance(&self) -> Option<Glance> {
        let head = self.head.as_ref()?;
        let lead = head.status.as_ref()?;
        Some(Glance {
            errors: head.errors,
            due: lead.due.and_then(Date::from_num_days_from_ce_opt),
            due_reason: lead.due_reason,
            value: lead.value,
        })
    }

    /// The summary of the file at `relative` (`None`: not a prospect),
    /// which keeps the path it is given; the path back when the record
    /// is damaged past its leading fields (the file must then be read).
    pub fn summary(self, relative: String) -> Result<Option<Summary>, String> {
        match postcard::from_bytes::<Option<Kept>>(self.body) {
            Ok(kept) => Ok(kept.map(|kept| kept.summary(relative))),
            Err(_) => Err(relative),
        }
    }
}

/// What a run learned about one file, for the cache to keep.
#[derive(Debug)]
pub enum Learned {
    /// The day's summary of a file whose parse the cache holds.
    Summary(Vec<u8>),
    /// The parse and the day's summary of a file read anew.
    Both(Vec<u8>, Vec<u8>),
}

impl Learned {
    /// A file read anew: `None` when it is not a prospect.
    pub fn read(prospect: Option<&Prospect>, summary: Option<&Summary>) -> Learned {
        let parsed = postcard::to_stdvec(&prospect.map(Parsed::of)).unwrap_or_default();
        Learned::Both(parsed, Learned::day(summary))
    }

    /// A file assessed again from its cached parse.
    pub fn assessed(summary: Option<&Summary>) -> Learned {
        Learned::Summary(Learned::day(summary))
    }

    fn day(summary: Option<&Summary>) -> Vec<u8> {
        postcard::to_stdvec(&summary.map(Kept::of)).unwrap_or_default()
    }
}

/// The cache of one ledger: the parse of each file (for any day), and the
/// summary of each for one day and one set of settings (so that a repeated
/// `due` reads nothing but the cache).
#[derive(Debug)]
pub struct Cache {
    base: PathBuf,
    day: (i32, u64),
    summaries: Option<Table>,
    parsed: OnceLock<Option<Table>>,
    /// When this run began reading.
    started: i64,
}

impl Cache {
    /// The cache of the ledger at `root` for `today` and settings of
    /// `fingerprint`; empty where there is none or it cannot be used.
    pub fn open(root: &Path, today: Date, fingerprint: u64) -> Cache {
        let started = nanos(SystemTime::now());
        let base = location(root);
        let day = (today.num_days_from_ce(), fingerprint);
        Cache {
            summaries: Table::read(&file(&base, "day"), Some(day)),
            parsed: OnceLock::new(),
            base,
            day,
            started,
        }
    }

    fn parsed(&self) -> Option<&Table> {
        self.parsed
            .get_or_init(|| Table::read(&file(&self.base, "parsed"), None))
            .as_ref()
    }

    /// What the cache holds for `relative`, a file with `key`.
    /// `after`: the day record of the file looked up just before, if any.
    pub fn get(&self, relative: &str, key: Key, after: Option<u32>) -> Option<Hit<'_>> {
        let day = self.summaries.as_ref();
        if let Some((slot, body)) = day.and_then(|t| t.get(relative, key, after)) {
            if let Some(day) = Day::new(body) {
                return Some(Hit::Summary(day, slot));
            }
        }
        let (_, body) = self.parsed()?.get(relative, key, None)?;
        let parsed = postcard::from_bytes::<Option<Parsed>>(body).ok()?;
        Some(Hit::Parsed(parsed.map(|p| Box::new(p.prospect(relative)))))
    }

    /// Keep what this run learned: `kept`, the places of the day records
    /// that still hold, and `news`, what was read or assessed anew. Every
    /// other record is of a file that is gone, and forgotten. Failing to
    /// write is not an error: the next run reads the files again.
    pub fn save(self, kept: Vec<u32>, news: Vec<(String, Key, Learned)>) {
        let old_day = self.summaries.as_ref();
        let all_kept = old_day.is_some_and(|t| t.len() == kept.len());
        if news.is_empty() && all_kept {
            return;
        }
        if let Some(dir) = self.base.parent() {
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
        // Every file, with its day record and, when read anew, its parse.
        type Record<'r> = (&'r str, Key, &'r [u8], Option<&'r [u8]>);
        let mut files: Vec<Record> = Vec::new();
        if let Some(table) = old_day {
            files.extend(kept.iter().filter_map(|&i| {
                let slot = table.slot(i as usize)?;
                let path = std::str::from_utf8(slot.path).ok()?;
                Some((path, slot.key, slot.body, None))
            }));
        }
        files.extend(news.iter().map(|(rel, key, learned)| match learned {
            Learned::Summary(day) => (rel.as_str(), *key, day.as_slice(), None),
            Learned::Both(parse, day) => {
                (rel.as_str(), *key, day.as_slice(), Some(parse.as_slice()))
            }
        }));
        files.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let day: Vec<_> = files.iter().map(|f| (f.0, f.1, f.2)).collect();
        Table::write(&file(&self.base, "day"), self.started, Some(self.day), &day);
        let read_anew = news.iter().any(|n| matches!(n.2, Learned::Both(..)));
        let old_parsed = self.parsed();
        if read_anew || old_parsed.is_none_or(|t| t.len() != files.len()) {
            let parsed: Vec<_> = files
                .iter()
                .filter_map(|&(rel, key, _, parse)| {
                    let parse = parse.or_else(|| old_parsed?.body_for(rel, key))?;
                    Some((rel, key, parse))
                })
                .collect();
            Table::write(&file(&self.base, "parsed"), self.started, None, &parsed);
        }
    }
}

/// What the day file keeps of a summary: the status without the id and
/// path (the record's path gives them).
#[derive(Debug, Serialize, Deserialize)]
struct Kept {
    errors: bool,
    status: Option<KeptStatus>,
}

/// [`Status`] as the cache keeps it, every field in a fixed order: the
/// JSON form of a status writes a whole value as an integer and leaves out
/// `step` and `dnc_since`, which postcard (a format that does not describe
/// itself) could not read back. What decides whether `due` shows a
/// prospect comes first, so that [`KeptHead`] can be read alone.
#[derive(Debug, Serialize, Deserialize)]
struct KeptStatus {
    due: Option<i32>,
    due_reason: Reason,
    value: Option<f64>,
    name: String,
    stage: String,
    currency: String,
    owner: Option<String>,
    tags: Vec<String>,
    touches: u32,
    unanswered: u32,
    budget: u32,
    last_touch: Option<i32>,
    overdue_days: Option<i64>,
    channel: Option<String>,
    step: Option<u32>,
    dnc_since: Option<i32>,
}

/// The leading fields of a [`Kept`], read alone: the same encoding cut
/// short (postcard writes fields in order, each after the one before).
#[derive(Debug, Deserialize)]
struct KeptHead {
    errors: bool,
    status: Option<KeptLead>,
}

/// The leading fields of a [`KeptStatus`].
#[derive(Debug, Deserialize)]
struct KeptLead {
    due: Option<i32>,
    due_reason: Reason,
    value: Option<f64>,
}

impl Kept {
    fn of(summary: &Summary) -> Kept {
        let day = |d: Option<Date>| d.map(|d| d.num_days_from_ce());
        Kept {
            errors: summary.errors,
            status: summary.status.as_ref().map(|s| KeptStatus {
                name: s.name.clone(),
                stage: s.stage.clone(),
                value: s.value,
                currency: s.currency.clone(),
                owner: s.owner.clone(),
                tags: s.tags.clone(),
                touches: s.touches,
                unanswered: s.unanswered,
                budget: s.budget,
                last_touch: day(s.last_touch),
                due: day(s.due),
                overdue_days: s.overdue_days,
                due_reason: s.due_reason,
                channel: s.channel.clone(),
                step: s.step,
                dnc_since: day(s.dnc_since),
            }),
        }
    }

    fn summary(self, relative: String) -> Summary {
        let day = |d: Option<i32>| d.and_then(Date::from_num_days_from_ce_opt);
        Summary {
            errors: self.errors,
            status: self.status.map(|s| Status {
                id: relative.strip_suffix(".md").unwrap_or(&relative).to_owned(),
                path: relative,
                name: s.name,
                stage: s.stage,
                value: s.value,
                currency: s.currency,
                owner: s.owner,
                tags: s.tags,
                touches: s.touches,
                unanswered: s.unanswered,
                budget: s.budget,
                last_touch: day(s.last_touch),
                due: day(s.due),
                overdue_days: s.overdue_days,
                due_reason: s.due_reason,
                channel: s.channel,
                step: s.step,
                dnc_since: day(s.dnc_since),
            }),
        }
    }
}

/// The whole of the file at `path`: on Unix its two halves are read at
/// once, on two threads (a large cache takes milliseconds to copy).
fn read_whole(path: &Path) -> std::io::Result<Vec<u8>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        let file = fs::File::open(path)?;
        let len = usize::try_from(file.metadata()?.len()).map_err(std::io::Error::other)?;
        let mut bytes = vec![0; len];
        let (first, second) = bytes.split_at_mut(len / 2);
        let (a, b) = rayon::join(
            || file.read_exact_at(first, 0),
            || file.read_exact_at(second, (len / 2) as u64),
        );
        a.and(b).map(|()| bytes)
    }
    #[cfg(not(unix))]
    {
        fs::read(path)
    }
}

/// The file `which` of the cache at `base`: `base.day`, `base.parsed`.
fn file(base: &Path, which: &str) -> PathBuf {
    let mut name = base.as_os_str().to_owned();
    name.push(".");
    name.push(which);
    PathBuf::from(name)
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

    #[test]
    fn a_day_record_glances_at_its_leading_fields_and_reads_the_rest_when_asked() {
        let text = "---\nname: Acme\nvalue: 1250.5\nnext: 2026-12-01\ntags: [saas]\n---\n";
        let prospect = Prospect::parse("prospects/acme.md", text);
        let settings = crate::rules::settings::Settings::default();
        let today = Date::from_ymd_opt(2026, 11, 23).unwrap();
        let fields = prospect.fields().unwrap();
        let status = crate::rules::due::status(
            &prospect.id,
            &prospect.path,
            fields,
            &prospect.entries,
            &settings,
            today,
        );
        let summary = Summary {
            errors: true,
            status: Some(status.clone()),
        };
        let body = Learned::day(Some(&summary));
        let day = |body| Day::new(body).unwrap();

        let glance = day(&body).glance().unwrap();
        assert!(glance.errors);
        assert_eq!(glance.due, status.due);
        assert_eq!(glance.due_reason, status.due_reason);
        assert_eq!(glance.value, Some(1250.5));
        let whole = day(&body).summary("prospects/acme.md".to_owned()).unwrap();
        let back = whole.unwrap().status.unwrap();
        assert_eq!(
            serde_json::to_value(&back).unwrap(),
            serde_json::to_value(&status).unwrap()
        );
        assert_eq!((back.step, back.dnc_since), (status.step, status.dnc_since));

        // Damaged past the leading fields: the glance holds, the whole
        // gives the path back, for the file to be read.
        let cut = &body[..body.len() - 8];
        assert!(day(cut).glance().is_some());
        let whole = day(cut).summary("prospects/acme.md".to_owned());
        assert_eq!(whole.err().as_deref(), Some("prospects/acme.md"));
        // Not a prospect: nothing to glance at.
        assert!(day(&Learned::day(None)).glance().is_none());
    }

    /// A cache stamped at the very start of time trusts none of its
    /// records: the racy margin before the stamp stops there.
    #[test]
    fn a_stamp_at_the_start_of_time_trusts_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.parsed");
        let key = Key::new(10, 0, 1);
        let just_after_racy = RACY.as_nanos() as i64 + 1;
        for (stamp, trusted) in [(i64::MIN, false), (just_after_racy, true)] {
            Table::write(&path, stamp, None, &[("a.md", key, b"body")]);
            let table = Table::read(&path, None).unwrap();
            assert_eq!(table.get("a.md", key, None).is_some(), trusted, "{stamp}");
        }
    }

    /// Every bit of a small day file and parse file flipped, one at a
    /// time: the reader turns away the file or the records the bit is in,
    /// and gives every other record as it was written; never a record
    /// that says something else.
    #[test]
    fn no_flipped_bit_is_believed() {
        let today = Date::from_ymd_opt(2026, 11, 23).unwrap();
        let settings = crate::rules::settings::Settings::default();
        let files = [
            ("notes.md", "Not a prospect: no front matter.\n"),
            (
                "prospects/acme.md",
                "---\nname: Acme\nstage: proposal\nvalue: 1250.5\nowner: kim\ntags: [saas]\n---\n\n## Log\n\n- 2026-11-02 call (in): Hello.\n- 2026-11-05 email: Sent.\n",
            ),
            (
                "prospects/atlas-logistics.md",
                "---\nname: Atlas Logistics\nstage: lost\nclosed: 2026-11-01\nreason: Went elsewhere.\n---\n",
            ),
            ("prospects/broken.md", "---\nname: [\n---\n"),
            (
                "prospects/zeta.md",
                "---\nname: Zeta\nnext: 2026-11-20\n---\n\n## Log\n\n- 2026-13-45 call: No such day.\n",
            ),
        ];
        // The cache is made an hour after the files last changed, but for
        // the last file, changed a moment before: that one is never trusted.
        let stamp = 1_800_000_000_000_000_000_i64;
        let hour = 3_600_000_000_000_i64;
        let mut day_records = Vec::new();
        let mut parse_records = Vec::new();
        for (i, (relative, text)) in files.iter().enumerate() {
            let prospect = text
                .starts_with("---")
                .then(|| Prospect::parse(relative, text));
            let summary = prospect.as_ref().map(|p| Summary {
                errors: !p.problems.is_empty(),
                status: p.fields().map(|f| {
                    crate::rules::due::status(&p.id, &p.path, f, &p.entries, &settings, today)
                }),
            });
            let changed = if i + 1 == files.len() {
                stamp - 1
            } else {
                stamp - hour
            };
            let key = Key::new(text.len() as u64, changed, i as u64 + 1);
            day_records.push((*relative, key, Learned::day(summary.as_ref())));
            let parse = postcard::to_stdvec(&prospect.as_ref().map(Parsed::of)).unwrap();
            parse_records.push((*relative, key, parse));
        }
        let racy = files.len() - 1;

        let settings_of_today = Some((today.num_days_from_ce(), 7));
        for (name, day, records) in [
            ("cache.day", settings_of_today, &day_records),
            ("cache.parsed", None, &parse_records),
        ] {
            let kept: Vec<(&str, Key, &[u8])> = records
                .iter()
                .map(|(relative, key, body)| (*relative, *key, body.as_slice()))
                .collect();
            let written = Table::encode(stamp, day, &kept).unwrap();
            let table = Table::parse(written.clone(), day).unwrap();
            for (i, (relative, key, body)) in kept.iter().enumerate() {
                let got = table.get(relative, *key, None).map(|(_, b)| b);
                assert_eq!(got, (i != racy).then_some(*body), "{relative}");
            }

            for at in 0..written.len() {
                for bit in 0..8 {
                    let mut bytes = written.clone();
                    bytes[at] ^= 1 << bit;
                    let flip = format!("{name}: bit {bit} of byte {at}");
                    let Some(table) = Table::parse(bytes, day) else {
                        continue;
                    };
                    // A body given back is the one written, byte for byte, so
                    // it decodes to the same summary or parse.
                    let mut whole = true;
                    for (i, (relative, key, body)) in kept.iter().enumerate() {
                        let after = i.checked_sub(1).map(|a| a as u32);
                        for after in [None, after] {
                            let got = table.get(relative, *key, after).map(|(_, b)| b);
                            assert!(got.is_none() || i != racy, "{flip}: {relative} trusted");
                            assert!(got.is_none() || got == Some(body), "{flip}: {relative}");
                        }
                        let got = table.body_for(relative, *key);
                        assert!(got.is_none() || got == Some(body), "{flip}: {relative}");
                        whole &= got.is_some();
                    }
                    assert!(!whole, "{flip}: nothing turned away");
                }
            }
        }
    }
}
