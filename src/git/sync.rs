//! `ledger sync` and `ledger merge-driver` (SPEC section 7): share a ledger
//! through an ordinary git remote, merging prospects so that touches logged
//! in two places never conflict and never get lost.
//!
//! `sync` commits hand edits, fetches, fast-forwards or merges, and pushes,
//! all under the ledger's lock. Whatever fails — no remote, the network, a
//! clash, a refused push — the branch, the index and the work tree are put
//! back as they were before it began. A push that loses the race with
//! another clone's is tried again, from the fetch; a sync that was killed
//! is finished by the next one before anything else.

use std::fs;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::format::text::printable;
use crate::git::merge::{self, Clash};
use crate::git::write::{self, Recorded, Writer};
use crate::git::{FileMerge, Interrupted, Move, Repo, Saved, Sides, TreeMerge};
use crate::ledger;
use crate::ledger::store;

/// What `sync` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The remote to sync with (default: the branch's upstream, else `origin`).
    pub remote: Option<String>,
    /// Fetch and merge only.
    pub no_push: bool,
    /// Join the remote's branch when it shares no commit with the local
    /// one, as `git pull --allow-unrelated-histories` does. Without it such
    /// a sync is refused, as git refuses it: the remote is most likely
    /// another ledger, and this one would be pushed into it.
    pub allow_unrelated: bool,
}

/// How the local branch came to include the remote's commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pull {
    /// The remote had nothing new.
    UpToDate,
    /// Only the remote had moved: the branch moved to it.
    FastForward,
    /// Both had moved: a merge commit joins them.
    Merged,
}

/// What `sync` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Synced {
    /// The remote.
    pub remote: String,
    /// The remote's branch it synced with: the local branch's upstream,
    /// else one of the same name.
    pub branch: String,
    /// An interrupted sync finished first, if there was one.
    pub interrupted: Option<Interrupted>,
    /// Prospects (and `ledger.yaml`) whose hand edits were committed first.
    pub committed: Vec<String>,
    /// Commits taken from the remote.
    pub pulled: usize,
    /// How they were taken.
    pub pull: Pull,
    /// Files that both sides changed and the prospect merge joined.
    pub merged: Vec<String>,
    /// Commits sent to the remote (0 with `--no-push`).
    pub pushed: usize,
    /// Commits the remote lacks that were not pushed (`--no-push`).
    pub unpushed: usize,
    /// How many times the push was tried (another clone pushing at the
    /// same moment makes it fetch, merge and push again); 0 without a push.
    pub tries: usize,
    /// The branch's commit afterwards.
    pub head: Option<String>,
    /// The ledger asks git for the prospect merge, but this repository
    /// does not register it (a fresh clone, before `ledger init`): a plain
    /// `git pull` would merge prospects as text. Said as a hint, not in
    /// the JSON.
    #[serde(skip)]
    pub merge_unregistered: bool,
}

/// How many times a sync pushes when other clones keep pushing first.
const PUSH_TRIES: usize = 5;

/// Sync the ledger's repository with its remote.
pub fn sync(writer: &Writer, options: &Options) -> Result<Synced> {
    let (repo, _lock) = writer.locked_repo(
        "there is nothing to sync (`git init` and `git remote add origin URL` first)",
    )?;
    let interrupted = repo.finish_interrupted_sync()?;
    let branch = repo.branch()?.name;
    let remote = repo.remote_name(&branch, options.remote.as_deref())?;
    let mut tries = 1;
    loop {
        let saved = repo.save()?;
        let mut moved = None;
        let raced = match run(writer, &repo, &remote, &branch, options, &mut moved) {
            Ok(Attempt::Synced(mut synced)) => {
                synced.interrupted = interrupted;
                synced.tries = if synced.pushed > 0 { tries } else { 0 };
                synced.merge_unregistered = write::merge_unregistered(&repo, &writer.ledger.root);
                return Ok(synced);
            }
            Ok(Attempt::Raced(why)) => why,
            Err(err) => return Err(put_back(&repo, &saved, moved, err)),
        };
        let gave_up = || {
            Error::Raced(format!(
                "{}\nTried {tries} times (others may be pushing at the same moment). Nothing was changed",
                printable(&raced)
            ))
        };
        if let Err(also) = repo.restore(&saved, moved) {
            return Err(not_put_back(gave_up(), also));
        }
        if tries == PUSH_TRIES {
            return Err(gave_up());
        }
        tries += 1;
        std::thread::sleep(pause());
    }
}

/// A short wait of its own before trying again, so that clones racing each
/// other to the remote do not meet there again: 50 to 500 ms.
fn pause() -> Duration {
    // Each `RandomState` starts from keys the system drew at random.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    Duration::from_millis(50 + hasher.finish() % 451)
}

/// Put the repository back as it was after `err`; the error to report.
fn put_back(repo: &Repo, saved: &Saved, moved: Option<Move>, err: Error) -> Error {
    match repo.restore(saved, moved) {
        Ok(()) => err,
        Err(also) => not_put_back(err, also),
    }
}

fn not_put_back(error: Error, also: Error) -> Error {
    Error::NotPutBack {
        error: Box::new(error),
        also: Box::new(also),
    }
}

/// One try at a sync: done, or the push lost a race to another clone's.
enum Attempt {
    Synced(Synced),
    Raced(String),
}

/// The steps of `sync`; `moved` records a move of the work tree (before
/// it starts), so that it can be undone.
fn run(
    writer: &Writer,
    repo: &Repo,
    remote: &str,
    branch: &str,
    options: &Options,
    moved: &mut Option<Move>,
) -> Result<Attempt> {
    let (committed, recorded) = writer.commit_hand_edits_in(repo, None)?;
    let committed = match recorded {
        Recorded::Committed(_) => committed,
        _ => Vec::new(),
    };
    let local = repo.branch()?.tip;
    // What the remote's branch is called: fetched, pushed, said and
    // recorded.
    let upstream = repo.upstream_branch(remote, branch);
    let theirs = repo.fetch(remote, &upstream)?;
    let mut synced = Synced {
        remote: remote.to_owned(),
        branch: upstream.clone(),
        interrupted: None,
        committed,
        pulled: 0,
        pull: Pull::UpToDate,
        merged: Vec::new(),
        pushed: 0,
        unpushed: 0,
        tries: 0,
        head: local.map(|id| id.to_string()),
        merge_unregistered: false,
    };
    let (head, ahead) = match (local, theirs) {
        (None, None) => {
            return Err(Error::Refused(format!(
            "nothing to sync: neither this repository nor {remote} has a commit on `{branch}` yet"
        )))
        }
        (Some(local), None) => (local, repo.history_len(local)?),
        (None, Some(theirs)) => {
            *moved = Some((None, theirs));
            repo.check_out(branch, None, theirs)?;
            synced.pulled = repo.history_len(theirs)?;
            synced.pull = Pull::FastForward;
            (theirs, 0)
        }
        (Some(local), Some(theirs)) => match repo.ahead_behind(local, theirs)? {
            (ahead, 0) => (local, ahead),
            (0, behind) => {
                *moved = Some((Some(local), theirs));
                repo.check_out(branch, Some(local), theirs)?;
                synced.pulled = behind;
                synced.pull = Pull::FastForward;
                (theirs, 0)
            }
            (ahead, behind) => {
                if !options.allow_unrelated && !repo.share_history(local, theirs)? {
                    return Err(Error::Unrelated {
                        remote: remote.to_owned(),
                        branch: upstream,
                    });
                }
                let mut merged = Vec::new();
                let place = ledger_place(writer, repo);
                let tree = match repo.merge_commits(local, theirs, &mut |path, sides| {
                    let outcome = resolve(writer, place.as_deref(), path, sides)?;
                    if let FileMerge::Merged(_) = outcome {
                        merged.push(path.to_owned());
                    }
                    Ok(outcome)
                })? {
                    TreeMerge::Clean(tree) => tree,
                    TreeMerge::Clashes(clashes) => {
                        return Err(clash_error(remote, &upstream, &clashes))
                    }
                };
                let message = format!("sync: merge {remote}/{upstream}");
                let merge = repo.commit_merge(tree, local, theirs, &message)?;
                *moved = Some((Some(local), merge));
                repo.check_out(branch, Some(local), merge)?;
                synced.pulled = behind;
                synced.pull = Pull::Merged;
                synced.merged = merged;
                (merge, ahead + 1)
            }
        },
    };
    synced.head = Some(head.to_string());
    if ahead > 0 {
        if options.no_push {
            synced.unpushed = ahead;
        } else {
            if let Some(why) = repo.push(remote, branch, &upstream, theirs)? {
                return Ok(Attempt::Raced(why));
            }
            synced.pushed = ahead;
        }
    }
    Ok(Attempt::Synced(synced))
}

/// The ledger's folder relative to the work tree (`""` at its top);
/// `None` if it cannot be placed there, and then no file is a prospect.
fn ledger_place(writer: &Writer, repo: &Repo) -> Option<String> {
    let root = writer.ledger.root.canonicalize().ok()?;
    ledger::relative(repo.workdir(), &root)
}

/// Decide how a file both sides changed merges: a prospect (a Markdown
/// file the ledger at `place` reads) by the prospect merge, anything else
/// by git.
fn resolve(writer: &Writer, place: Option<&str>, path: &str, sides: Sides) -> Result<FileMerge> {
    let inside = match place {
        Some("") => Some(path),
        Some(place) => path.strip_prefix(place).and_then(|p| p.strip_prefix('/')),
        None => None,
    };
    let is_prospect = path.ends_with(".md") && inside.is_some_and(|rel| !writer.ledger.skips(rel));
    if !is_prospect {
        return Ok(FileMerge::Git);
    }
    let text = |bytes: &[u8]| std::str::from_utf8(bytes).ok().map(str::to_owned);
    let base = match sides.base {
        Some(bytes) => match text(bytes) {
            Some(text) => Some(text),
            None => return Ok(FileMerge::Git),
        },
        None => None,
    };
    let (Some(ours), Some(theirs)) = (text(sides.ours), text(sides.theirs)) else {
        return Ok(FileMerge::Git);
    };
    let merged = merge::merge(base.as_deref(), &ours, &theirs)?;
    Ok(if merged.is_clean() {
        FileMerge::Merged(merged.text.into_bytes())
    } else {
        FileMerge::Clash(merged.clashes)
    })
}

/// A message of several lines ([`Error::has_lines`]): each value in it is
/// shown escaped, so that only its own line breaks are raw.
fn clash_error(remote: &str, branch: &str, clashes: &[(String, Vec<Clash>)]) -> Error {
    let shown = |text: &str| printable(text).into_owned();
    let mut message = format!(
        "cannot merge {}/{}: both sides changed these differently\n",
        shown(remote),
        shown(branch)
    );
    for (path, what) in clashes {
        let what: Vec<String> = what.iter().map(|c| shown(&c.to_string())).collect();
        message.push_str(&format!("  {}: {}\n", shown(path), what.join(", ")));
    }
    message.push_str("Nothing was changed");
    Error::Clash(message)
}

/// What `merge-driver` did.
#[derive(Debug, Clone)]
pub struct Driven {
    /// What clashed (empty: merged cleanly).
    pub clashes: Vec<Clash>,
}

/// The prospect merge as a git merge driver (`%O %A %B`): merge `base`,
/// `ours` and `theirs`, and write the result over `ours`, conflict markers
/// and all when something clashes.
pub fn merge_driver(base: &Path, ours: &Path, theirs: &Path) -> Result<Driven> {
    let read = |path: &Path| -> Result<String> {
        let bytes = fs::read(path).map_err(|e| Error::io(path, e))?;
        Error::text_of(path, bytes)
    };
    let (base, our_text, their_text) = (read(base)?, read(ours)?, read(theirs)?);
    // git gives an empty base when both sides added the file.
    let base = (!base.is_empty()).then_some(base.as_str());
    let merged = merge::merge(base, &our_text, &their_text)?;
    store::write_atomic(ours, merged.text.as_bytes(), false)?;
    Ok(Driven {
        clashes: merged.clashes,
    })
}
