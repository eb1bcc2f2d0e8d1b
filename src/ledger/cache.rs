//! A cache of each prospect's status, so that a repeated `due` or `list`
//! on the same day costs little more than a `stat` of each file.
//!
//! - **Keyed so that any change is seen**: a record is used only when the
//!   file's size, modification time (to the nanosecond), inode and change
//!   time are those it was read with, and the file was last modified well
//!   before the cache was made. The change time, which the system sets on
//!   every write, sees an edit that keeps the size and sets the
//!   modification time back (`cp -p`, `touch -r`), as git's index does.
//!   A file modified within [`RACY`] of the moment reading began is always
//!   read again, as git treats racily clean index entries: on a file system
//!   with coarse timestamps, an edit in the same tick as the read leaves
//!   size and time as they were. The whole cache holds for one day,
//!   one `ledger.yaml` (its bytes) and one version of the format.
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
//!   is checked when it is looked up, on the thread that uses it.
//!
//! One file is kept: a check, a header, the place of each record, and one
//! record a file sorted by path, each with its own check. A record's body
//! is the file's [`Summary`] (`None`: not a prospect), serialized with
//! serde as postcard, followed by its status's [`Card`], which is decoded
//! only for `export`.
//!
//! Commands that show what is not kept (`show`, `lint`) read the files.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use chrono::Datelike;

use crate::format::date::Date;
use crate::ledger::walk::{nanos, Key};
use crate::ledger::{read, store};
use crate::rules::check::Summary;
use crate::rules::due::{Card, Status};
use crate::rules::stats::Touches;

/// Files modified less than this long before the cache's timestamp are
/// read again: wider than any file system's timestamp granularity (FAT's
/// is two seconds).
pub const RACY: Duration = Duration::from_secs(3);

/// Bytes a key takes in a cache file.
const KEY_SIZE: usize = 32;

fn encode_key(key: Key, out: &mut Vec<u8>) {
    out.extend_from_slice(&key.size.to_le_bytes());
    out.extend_from_slice(&key.mtime.to_le_bytes());
    out.extend_from_slice(&key.inode.to_le_bytes());
    out.extend_from_slice(&key.ctime.to_le_bytes());
}

fn decode_key(bytes: &[u8]) -> Option<Key> {
    Some(Key {
        size: u64::from_le_bytes(bytes.get(0..8)?.try_into().ok()?),
        mtime: i64::from_le_bytes(bytes.get(8..16)?.try_into().ok()?),
        inode: u64::from_le_bytes(bytes.get(16..24)?.try_into().ok()?),
        ctime: i64::from_le_bytes(bytes.get(24..32)?.try_into().ok()?),
    })
}

/// The cache's format: the crate's version and a revision of the layout.
const FORMAT: &str = concat!("ledger-cache 11 ", env!("CARGO_PKG_VERSION"));

/// What of a record [`Cache::get`] decodes beside the status.
#[derive(Debug, Clone, Copy)]
pub struct Parts {
    /// The summary's touches, which `stats` counts.
    pub touches: bool,
    /// The status's card, which `export` writes.
    pub cards: bool,
}

/// The leading field of a [`Summary`] as serialized: its status (its
/// touches follow).
#[derive(Deserialize)]
struct Lead {
    status: Option<Status>,
}

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
    /// The day the summaries are for, and the hash of the `ledger.yaml`
    /// they were made with.
    day: (i32, u64),
    /// How many records follow.
    count: u32,
}

/// One cache file, read whole: a check, a header, the place of each record
/// (a `u32` each), then one record a file, sorted by path. The check (see
/// [`seal`]) covers the header and the places. A record is its own check,
/// `u16` path length, the path, the [`Key`] ([`KEY_SIZE`] bytes), and a
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
    fn read(path: &Path, day: (i32, u64)) -> Option<Table> {
        // A FIFO or a link put in its place is a missing cache, never
        // waited on.
        Table::parse(read::read_regular(path).ok()??, day)
    }

    /// A cache file's bytes; `None` when they are foreign, for another
    /// day or settings, or their header or places are damaged.
    fn parse(bytes: Vec<u8>, day: (i32, u64)) -> Option<Table> {
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

    /// The place of the record of `relative`, looked for from `cursor` on
    /// (from the start, when it lies before `cursor`), which is then moved
    /// past it: when the paths looked up come in order, each is found near
    /// the one before, in memory just read.
    fn find(&self, relative: &str, cursor: &mut usize) -> Option<usize> {
        let target = relative.as_bytes();
        let mut low = (*cursor).min(self.count);
        if low > 0 && self.path(low - 1)? >= target {
            low = 0;
        }
        // Galloping: windows of 1, 2, 4… places until one ends past it.
        let mut step = 1;
        let mut high = low;
        while high < self.count {
            high = low.saturating_add(step).min(self.count);
            if self.path(high - 1)? >= target {
                break;
            }
            low = high;
            step *= 2;
        }
        while low < high {
            let mid = low + (high - low) / 2;
            match self.path(mid)?.cmp(target) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => {
                    *cursor = mid + 1;
                    return Some(mid);
                }
            }
        }
        *cursor = low;
        None
    }

    /// The body kept for `relative` (and its place), if it was kept for a
    /// file with `key` that had not changed for a while when it was read.
    fn get(&self, relative: &str, key: Key, cursor: &mut usize) -> Option<(u32, &[u8])> {
        let i = self.find(relative, cursor)?;
        let slot = self.slot(i)?;
        (slot.key == key && key.mtime < self.trusted_before).then_some((i as u32, slot.body))
    }

    /// Write `records` (sorted by path) under a header; nothing when they
    /// would not fit the format.
    fn write(path: &Path, stamp: i64, day: (i32, u64), records: &[(&str, Key, &[u8])]) {
        if let Some(bytes) = Table::encode(stamp, day, records) {
            let _ = store::write_atomic(path, &bytes, false);
        }
    }

    /// The bytes of a cache file of `records` (sorted by path); `None`
    /// when they would not fit the format's `u32` places or `u16` path
    /// lengths.
    fn encode(stamp: i64, day: (i32, u64), records: &[(&str, Key, &[u8])]) -> Option<Vec<u8>> {
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
            |relative: &str, body: &[u8]| CHECK + 2 + relative.len() + KEY_SIZE + body.len();
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
            encode_key(*key, &mut bytes);
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
        let (key, body) = rest.split_at_checked(KEY_SIZE)?;
        let key = decode_key(key)?;
        Some(Slot { path, key, body })
    }
}

/// What a run learned of a file read anew, for the cache to keep: its
/// summary, encoded.
#[derive(Debug)]
pub struct Learned(Vec<u8>);

impl Learned {
    /// What to keep of a file whose summary is `summary` (`None`: not a
    /// prospect): the summary, then its status's card, which only
    /// `export` reads.
    pub fn of(summary: Option<&Summary>) -> Learned {
        let card = summary
            .and_then(|s| s.status.as_ref())
            .and_then(|s| s.card.as_deref());
        let mut body = postcard::to_stdvec(&summary).unwrap_or_default();
        // Written after the summary and never read unless asked for:
        // `due` decodes the summary and stops.
        if let Ok(card) = postcard::to_stdvec(&card) {
            body.extend(card);
        }
        Learned(body)
    }
}

/// The cache of one ledger: the summary of each file for one day, one
/// `ledger.yaml` and one version of the format.
#[derive(Debug)]
pub struct Cache {
    base: PathBuf,
    /// What the records hold for: the day, and a hash of `ledger.yaml`.
    day: (i32, u64),
    table: Option<Table>,
    /// When this run began reading.
    started: i64,
}

impl Cache {
    /// The cache kept at `base` for `today` and the settings read from
    /// `settings` (the bytes of `ledger.yaml`); empty where there is none
    /// or it cannot be used.
    pub fn open(base: &Path, today: Date, settings: &[u8]) -> Cache {
        let started = nanos(SystemTime::now());
        let day = (today.num_days_from_ce(), check(settings));
        Cache {
            table: Table::read(&file(base), day),
            base: base.to_path_buf(),
            day,
            started,
        }
    }

    /// The summary kept for `relative`, a file with `key`, and the place of
    /// its record (to keep it); `None` when the cache does not hold the
    /// file as it is. The summary is `None` for a file that is not a
    /// prospect.
    ///
    /// Only the `parts` asked for are decoded: without `touches` the
    /// summary's are `None`, and without `cards` the status has none.
    ///
    /// `cursor` is where the last lookup ended: files looked up in path
    /// order are found quickest (any order finds them).
    pub fn get(
        &self,
        relative: &str,
        key: Key,
        parts: Parts,
        cursor: &mut usize,
    ) -> Option<(u32, Option<Summary>)> {
        let (place, body) = self.table.as_ref()?.get(relative, key, cursor)?;
        // A record is read in the order it was written, as far as the
        // parts asked for: the summary's status, its touches, the card.
        let (lead, rest) = postcard::take_from_bytes::<Option<Lead>>(body).ok()?;
        let Some(Lead { mut status }) = lead else {
            return Some((place, None));
        };
        let (touches, rest) = match parts.touches || parts.cards {
            true => postcard::take_from_bytes::<Option<Touches>>(rest).ok()?,
            false => (None, rest),
        };
        if let (true, Some(status)) = (parts.cards, &mut status) {
            let card: Option<Card> = postcard::from_bytes(rest).ok()?;
            status.card = card.map(Box::new);
        }
        let touches = touches.filter(|_| parts.touches);
        Some((place, Some(Summary { status, touches })))
    }

    /// Keep what this run learned: `kept`, the places of the records that
    /// still hold, and `news`, what was read anew. Every other record is of
    /// a file that is gone, and forgotten. Failing to write is not an
    /// error: the next run reads the files again.
    pub fn save(self, kept: Vec<u32>, news: Vec<(String, Key, Learned)>) {
        let old = self.table.as_ref();
        if news.is_empty() && old.is_some_and(|t| t.len() == kept.len()) {
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
        let mut records: Vec<(&str, Key, &[u8])> = Vec::with_capacity(kept.len() + news.len());
        if let Some(table) = old {
            records.extend(kept.iter().filter_map(|&i| {
                let slot = table.slot(i as usize)?;
                Some((std::str::from_utf8(slot.path).ok()?, slot.key, slot.body))
            }));
        }
        records.extend(
            news.iter()
                .map(|(rel, key, Learned(body))| (rel.as_str(), *key, body.as_slice())),
        );
        records.sort_unstable_by(|a, b| a.0.cmp(b.0));
        Table::write(&file(&self.base), self.started, self.day, &records);
        // Builds before the cache's format 6 kept a second file beside it,
        // as large: gone with the first new cache.
        let mut old = self.base.into_os_string();
        old.push(".parsed");
        let _ = fs::remove_file(old);
    }
}

/// The file of the cache at `base`: `base.day`.
fn file(base: &Path) -> PathBuf {
    let mut name = base.as_os_str().to_owned();
    name.push(".day");
    PathBuf::from(name)
}

/// The cache's folder in a ledger that is not in a git repository.
pub const OUTSIDE_GIT: &str = ".ledger-cache";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::prospect::Prospect;
    use crate::rules::check::{summarize, Context};
    use crate::rules::settings::Settings;

    fn key(size: u64, mtime: i64, inode: u64) -> Key {
        Key {
            size,
            mtime,
            inode,
            ctime: mtime,
        }
    }

    fn today() -> Date {
        Date::from_ymd_opt(2026, 11, 23).unwrap()
    }

    const ALL: Parts = Parts {
        touches: true,
        cards: true,
    };

    fn summary(relative: &str, text: &str) -> Option<Summary> {
        let settings = Settings::default();
        let cx = Context {
            settings: &settings,
            today: today(),
        };
        let prospect = text
            .starts_with("---")
            .then(|| Prospect::parse(relative, text));
        prospect.map(|p| summarize(&p, &cx))
    }

    /// A summary kept comes back whole, every field of its status; only
    /// for the same day, the same `ledger.yaml` and the same key.
    #[test]
    fn what_is_kept_comes_back_for_the_same_day_settings_and_file() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("cache");
        let text = "---\nname: Acme\nstage: proposal\nvalue: 1250.5\nnext: 2026-12-01\ntags: [saas]\ndnc: 2026-01-01\n---\n\n## Log\n\n- 2026-11-02 call (in): Hello.\n";
        let kept = summary("prospects/acme.md", text);
        let (acme, settings) = (key(10, 0, 1), b"cadence: [3d]\n");
        let cache = Cache::open(&base, today(), settings);
        assert!(cache.get("prospects/acme.md", acme, ALL, &mut 0).is_none());
        let news = vec![(
            "prospects/acme.md".to_owned(),
            acme,
            Learned::of(kept.as_ref()),
        )];
        cache.save(Vec::new(), news);

        let cache = Cache::open(&base, today(), settings);
        let (_, back) = cache.get("prospects/acme.md", acme, ALL, &mut 0).unwrap();
        assert_eq!(back, kept);
        assert!(back.unwrap().status.unwrap().dnc_since.is_some());
        // Asked for the status alone, the same status, without touches
        // or card.
        let alone = Parts {
            touches: false,
            cards: false,
        };
        let (_, lead) = cache.get("prospects/acme.md", acme, alone, &mut 0).unwrap();
        let lead = lead.unwrap();
        assert_eq!(lead.touches, None);
        let mut status = kept.as_ref().unwrap().status.clone().unwrap();
        assert!(status.card.take().is_some());
        assert_eq!(lead.status, Some(status));
        let other_key = key(11, 0, 1);
        assert!(cache
            .get("prospects/acme.md", other_key, ALL, &mut 0)
            .is_none());
        let tomorrow = today().succ_opt().unwrap();
        assert!(Cache::open(&base, tomorrow, settings).table.is_none());
        assert!(Cache::open(&base, today(), b"").table.is_none());
    }

    /// The bytes of a record depend on the layout of [`Summary`]: a change
    /// to it must come with a new [`FORMAT`], or a cache written before
    /// would be read as if nothing had changed (its checks hold, as they
    /// cover bytes, not meaning). When this fails, bump FORMAT's number
    /// and write down the new check. A change to what a record means
    /// with the same layout (format 11: a text key keeps a number as it
    /// was written) bumps the number too.
    #[test]
    fn the_format_names_the_layout_of_a_record() {
        let text = "---\nname: Acme\nstage: proposal\nvalue: 1250.5\nowner: kim\ntags: [saas]\nnext: 2026-12-01\ndnc: 2026-01-01\n---\n\n## Log\n\n- 2026-11-02 call (in): Hello.\n- 2026-11-05 email: Sent.\n";
        let Learned(body) = Learned::of(summary("prospects/acme.md", text).as_ref());
        let layout = (FORMAT.split(' ').nth(1), check(&body));
        assert_eq!(
            layout,
            (Some("11"), 16933921446937302703),
            "the record's layout changed: bump FORMAT"
        );
    }

    /// The second file of an older build's cache goes when a new cache is
    /// written.
    #[test]
    fn an_older_build_s_second_file_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("cache");
        let parsed = dir.path().join("cache.parsed");
        fs::write(&parsed, "an older build's parses").unwrap();
        let news = vec![("a.md".to_owned(), key(1, 0, 1), Learned::of(None))];
        Cache::open(&base, today(), b"").save(Vec::new(), news);
        assert!(file(&base).exists());
        assert!(!parsed.exists());
    }

    /// A cache stamped at the very start of time trusts none of its
    /// records: the racy margin before the stamp stops there.
    #[test]
    fn a_stamp_at_the_start_of_time_trusts_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.day");
        let key = key(10, 0, 1);
        let just_after_racy = RACY.as_nanos() as i64 + 1;
        for (stamp, trusted) in [(i64::MIN, false), (just_after_racy, true)] {
            Table::write(&path, stamp, (1, 2), &[("a.md", key, b"body")]);
            let table = Table::read(&path, (1, 2)).unwrap();
            assert_eq!(table.get("a.md", key, &mut 0).is_some(), trusted, "{stamp}");
        }
    }

    /// Every bit of a small cache file flipped, one at a time: the reader
    /// turns away the file or the records the bit is in, and gives every
    /// other record as it was written; never a record that says something
    /// else.
    #[test]
    fn no_flipped_bit_is_believed() {
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
        let mut records = Vec::new();
        for (i, (relative, text)) in files.iter().enumerate() {
            let changed = if i + 1 == files.len() {
                stamp - 1
            } else {
                stamp - hour
            };
            let key = key(text.len() as u64, changed, i as u64 + 1);
            let Learned(body) = Learned::of(summary(relative, text).as_ref());
            records.push((*relative, key, body));
        }
        let racy = files.len() - 1;

        let day = (today().num_days_from_ce(), 7);
        let kept: Vec<(&str, Key, &[u8])> = records
            .iter()
            .map(|(relative, key, body)| (*relative, *key, body.as_slice()))
            .collect();
        let written = Table::encode(stamp, day, &kept).unwrap();
        let table = Table::parse(written.clone(), day).unwrap();
        for (i, (relative, key, body)) in kept.iter().enumerate() {
            let got = table.get(relative, *key, &mut 0).map(|(_, b)| b);
            assert_eq!(got, (i != racy).then_some(*body), "{relative}");
        }

        for at in 0..written.len() {
            for bit in 0..8 {
                let mut bytes = written.clone();
                bytes[at] ^= 1 << bit;
                let flip = format!("bit {bit} of byte {at}");
                let Some(table) = Table::parse(bytes, day) else {
                    continue;
                };
                // A body given back is the one written, byte for byte, so
                // it decodes to the same summary.
                let mut whole = true;
                for (i, (relative, key, body)) in kept.iter().enumerate() {
                    let got = table.get(relative, *key, &mut 0).map(|(_, b)| b);
                    assert!(got.is_none() || i != racy, "{flip}: {relative} trusted");
                    assert!(got.is_none() || got == Some(body), "{flip}: {relative}");
                    let slot = table.find(relative, &mut 0).and_then(|i| table.slot(i));
                    whole &= slot.is_some_and(|s| s.key == *key && s.body == *body);
                }
                assert!(!whole, "{flip}: nothing turned away");
            }
        }
    }

    /// A record is found from wherever the last lookup ended, whatever
    /// order the paths come in, and a path not kept is not found.
    #[test]
    fn a_record_is_found_from_any_cursor() {
        let paths: Vec<String> = (0..300).map(|i| format!("p/{:04}.md", i * 2)).collect();
        let records: Vec<(&str, Key, &[u8])> = paths
            .iter()
            .map(|p| (p.as_str(), key(1, 0, 1), &b""[..]))
            .collect();
        let day = (today().num_days_from_ce(), 7);
        let table = Table::parse(Table::encode(1, day, &records).unwrap(), day).unwrap();
        let orders: [Box<dyn Fn(usize) -> usize>; 3] = [
            Box::new(|i| i),
            Box::new(|i| 299 - i),
            Box::new(|i| (i * 7919) % 300),
        ];
        for order in &orders {
            let mut cursor = 0;
            for i in (0..300).map(order) {
                assert_eq!(table.find(&paths[i], &mut cursor), Some(i));
                let absent = format!("p/{:04}.md", i * 2 + 1);
                assert_eq!(table.find(&absent, &mut cursor), None, "{absent}");
            }
        }
        for start in [0, 1, 150, 299, 300, 5000] {
            for (i, path) in paths.iter().enumerate() {
                assert_eq!(table.find(path, &mut start.clone()), Some(i));
            }
        }
    }
}
