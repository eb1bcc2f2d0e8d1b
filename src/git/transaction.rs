//! Writing files and committing them as one step that is done whole or not
//! at all (SPEC section 7, "Failures change nothing"), whatever stops it: a
//! locked index or branch, a full disk, a `kill -9`.
//!
//! The order is in [`crate::git`]'s `commit` module: the commit's objects,
//! then a journal, the files, the index, and last the branch. Each step
//! until the branch moves can be undone: the files and the index keep their
//! old versions under second names, and putting them back is a rename,
//! which needs no room on a full disk. The journal (`.git/ledger-write.json`)
//! says what was under way, so that the next `ledger` command that takes
//! the lock finishes a write whose files all reached the disk, and undoes
//! one that stopped before.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::git::{blob_id, committed_bytes, Commit, Prepared, Repo};
use crate::ledger::store::{self, Replaced};

/// What a write under way has done, kept in `.git/` until it ends.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Journal {
    /// The commit it makes, prepared before any file was written.
    commit: Prepared,
    /// Each file it writes.
    files: Vec<Planned>,
}

/// One file of a [`Journal`].
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Planned {
    /// The path relative to the work tree, `/`-separated.
    path: String,
    /// The git id of the new contents; `None` when the file is removed.
    blob: Option<String>,
    /// Whether a file was there before.
    existed: bool,
}

/// What a long write says as it goes, for a progress bar that the library
/// does not draw (the command line does, on a terminal).
pub trait Progress {
    /// A step of `total` items begins (`writing files`).
    fn begin(&self, step: &str, total: usize);
    /// One more item of the step is done.
    fn advance(&self);
}

/// A write that says nothing as it goes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Progress for Quiet {
    fn begin(&self, _: &str, _: usize) {}
    fn advance(&self) {}
}

/// The journal's name in the git directory.
const JOURNAL: &str = "ledger-write.json";

/// Whether a write that was stopped (killed, the machine off) waits in the
/// git directory `git_dir` for the next writing command to finish or undo
/// it: until then the files may hold what was never committed.
pub fn is_unfinished(git_dir: &Path) -> bool {
    git_dir.join(JOURNAL).exists()
}

fn journal_path(repo: &Repo) -> PathBuf {
    repo.git_dir().join(JOURNAL)
}

/// Write `changes` (each path with its new contents, `None` to remove it)
/// and commit exactly them with `message`, all or nothing. The ledger's
/// lock must be held, and a write a stopped process left finished first
/// ([`finish_interrupted`], before the caller read the files). `None` when
/// the commit would change nothing (the files are still written).
pub fn commit_files(
    repo: &Repo,
    changes: &[(PathBuf, Option<&str>)],
    message: &str,
    progress: &dyn Progress,
) -> Result<Option<Commit>> {
    repo.check_unlocked()?;
    let rels = repo.relatives(changes.iter().map(|(path, _)| path.as_path()))?;
    repo.check_merged(&rels)?;
    let in_tree: Vec<(String, Option<&[u8]>)> = rels
        .iter()
        .zip(changes)
        .map(|(rel, (_, text))| (rel.clone(), text.map(str::as_bytes)))
        .collect();
    let Some(commit) = repo.prepare(&in_tree, message)? else {
        // The files come back to what HEAD holds: nothing to commit.
        write_uncommitted(changes, progress)?;
        repo.stage(&rels)?;
        repo.drop_index_backup();
        return Ok(None);
    };
    let journal = Journal {
        commit,
        files: rels
            .iter()
            .zip(changes)
            .map(|(rel, (path, text))| Planned {
                path: rel.clone(),
                blob: text.map(|t| blob_id(t.as_bytes())),
                existed: fs::symlink_metadata(path).is_ok(),
            })
            .collect(),
    };
    stop_point("prepare");
    begin(repo, &journal)?;
    let undo = |written: &[Replaced], staged: bool| {
        if staged {
            repo.put_index_back();
        }
        // Where a file cannot be put back, the journal stays, and the
        // next command puts it back.
        if written.iter().all(|file| file.undo().is_ok()) {
            let _ = fs::remove_file(journal_path(repo));
        }
    };
    let written = match write_files(changes, progress) {
        Ok(written) => written,
        Err(err) => {
            let _ = fs::remove_file(journal_path(repo));
            return Err(err);
        }
    };
    stop_point("files");
    if let Err(err) = repo.stage(&rels) {
        undo(&written, false);
        return Err(err);
    }
    stop_point("index");
    match repo.move_branch(&journal.commit) {
        Ok(commit) => {
            stop_point("branch");
            for file in &written {
                file.finish();
            }
            repo.drop_index_backup();
            let _ = fs::remove_file(journal_path(repo));
            Ok(Some(commit))
        }
        Err(err) => {
            undo(&written, true);
            Err(err)
        }
    }
}

/// Commit exactly `paths` as they are on disk now (a missing one is
/// removed) on the current branch: hand edits (`ledger commit`, the first
/// step of `sync`) and `init`'s files. The commit's tree is HEAD's with
/// those paths replaced, so other staged changes stay staged and out of
/// it; the index is updated for those paths alone. `None` when nothing
/// changed.
///
/// No file is written, but the index and the branch are, one after the
/// other: a journal says so meanwhile, so that the next command finishes
/// a commit a stopped process left between the two ([`finish_interrupted`]),
/// never leaving the paths staged and not committed.
pub fn commit_paths(repo: &Repo, paths: &[PathBuf], message: &str) -> Result<Option<Commit>> {
    repo.check_unlocked()?;
    let rels = repo.relatives(paths.iter().map(PathBuf::as_path))?;
    let contents = paths
        .iter()
        .map(|path| committed_bytes(path))
        .collect::<Result<Vec<_>>>()?;
    repo.check_merged(&rels)?;
    let changes: Vec<(String, Option<&[u8]>)> = rels
        .iter()
        .zip(&contents)
        .map(|(rel, bytes)| (rel.clone(), bytes.as_deref()))
        .collect();
    let Some(commit) = repo.prepare(&changes, message)? else {
        repo.stage(&rels)?;
        repo.drop_index_backup();
        return Ok(None);
    };
    let journal = Journal {
        commit,
        // Each file as it is: the one a stopped commit finds changed since
        // was edited by hand, and stays so (see `finish_interrupted`).
        files: changes
            .iter()
            .map(|(rel, bytes)| Planned {
                path: rel.clone(),
                blob: bytes.map(blob_id),
                existed: true,
            })
            .collect(),
    };
    begin(repo, &journal)?;
    if let Err(err) = repo.stage(&rels) {
        let _ = fs::remove_file(journal_path(repo));
        return Err(err);
    }
    stop_point("index");
    let moved = repo.move_branch(&journal.commit);
    match &moved {
        Ok(_) => repo.drop_index_backup(),
        Err(_) => repo.put_index_back(),
    }
    let _ = fs::remove_file(journal_path(repo));
    moved.map(Some)
}

/// Begin a write: keep `journal` in the git directory, whole or not at
/// all, before anything else is written.
fn begin(repo: &Repo, journal: &Journal) -> Result<()> {
    // The index kept by a write that failed before is not this write's
    // to put back: only one that `stage` makes after the journal is.
    repo.drop_index_backup();
    let saved = serde_json::to_vec(journal).map_err(|e| Error::io(journal_path(repo), e.into()))?;
    store::write_atomic(&journal_path(repo), &saved, false)?;
    stop_point("journal");
    Ok(())
}

/// Where the kill tests stop a write, as a `kill -9` would, to check that
/// the next command finishes or undoes it: the process ends at once after
/// the step that `LEDGER_STOP_AFTER` names (`prepare`, `journal`, `files`,
/// `index`, `branch`, or `file:N` after the Nth file).
fn stop_point(step: &str) {
    if std::env::var_os("LEDGER_STOP_AFTER").is_some_and(|at| at == step) {
        std::process::abort();
    }
}

/// Write each file whole, all of them or (putting back those written
/// before a failure) none; nothing is committed.
pub fn write_uncommitted(
    changes: &[(PathBuf, Option<&str>)],
    progress: &dyn Progress,
) -> Result<()> {
    for file in write_files(changes, progress)? {
        file.finish();
    }
    Ok(())
}

/// Write each file, keeping the old ones; on a failure, those already
/// written are put back and the error returned. Several files (an
/// import's) are flushed to disk together once all are written, before
/// anything refers to them.
fn write_files(
    changes: &[(PathBuf, Option<&str>)],
    progress: &dyn Progress,
) -> Result<Vec<Replaced>> {
    let batch = changes.len() > 1;
    progress.begin("writing files", changes.len());
    let mut written: Vec<Replaced> = Vec::with_capacity(changes.len());
    let undo = |written: &[Replaced]| {
        for file in written {
            let _ = file.undo();
        }
    };
    for (path, text) in changes {
        let result = match text {
            Some(text) if batch => store::replace_in_batch(path, text.as_bytes()),
            Some(text) => store::replace(path, text.as_bytes()),
            None => store::remove(path),
        };
        match result {
            Ok(file) => {
                written.push(file);
                progress.advance();
                stop_point(&format!("file:{}", written.len()));
            }
            Err(err) => {
                undo(&written);
                return Err(err);
            }
        }
    }
    if batch {
        let paths: Vec<PathBuf> = changes.iter().map(|(path, _)| path.clone()).collect();
        if let Err(err) = store::flush_written(&paths) {
            undo(&written);
            return Err(err);
        }
    }
    Ok(written)
}

/// Finish or undo a write that a stopped `ledger` process left, as its
/// journal says: finished when every file reached the disk and the branch
/// is where the write found it (or already at the new commit); undone
/// otherwise. The lock files git left in that process's name are removed
/// first, unless a live process holds them. Nothing when no write was
/// under way, but for the temporary files a stopped process left in the
/// git directory.
pub fn finish_interrupted(repo: &Repo) -> Result<()> {
    // A process stopped while writing its journal (or a sync's record)
    // leaves a temporary file and no journal to name it.
    store::clean_temporaries(repo.git_dir());
    let path = journal_path(repo);
    let Ok(saved) = fs::read(&path) else {
        return Ok(());
    };
    let Ok(journal) = serde_json::from_slice::<Journal>(&saved) else {
        // Cut short as it was written: no file had been touched yet.
        let _ = fs::remove_file(&path);
        return Ok(());
    };
    repo.clear_stale_locks()?;
    let workdir = repo.workdir();
    let files: Vec<PathBuf> = journal
        .files
        .iter()
        .map(|f| workdir.join(&f.path))
        .collect();
    store::clean_temporaries_beside(&files);
    let (_, tip) = repo.branch_tip()?;
    let commit = &journal.commit;
    let landed = tip.as_deref() == Some(commit.id.as_str());
    let on_disk = |planned: &Planned| match fs::read(workdir.join(&planned.path)) {
        Ok(bytes) => planned.blob.as_deref() == Some(blob_id(&bytes).as_str()),
        Err(_) => planned.blob.is_none(),
    };
    // Each file read once: whether it holds what the write planned.
    let held: Vec<(&Planned, bool)> = journal.files.iter().map(|f| (f, on_disk(f))).collect();
    if landed || (tip == commit.parent && held.iter().all(|(_, ours)| *ours)) {
        if !landed {
            repo.move_branch(commit)?;
        }
        // A file edited by hand since (the write had landed) keeps the
        // edit unstaged, as any edit after a commit is.
        let rels = |want: bool| -> Vec<String> {
            let files = held.iter().filter(|(_, ours)| *ours == want);
            files.map(|(f, _)| f.path.clone()).collect()
        };
        repo.stage(&rels(true))?;
        repo.unstage(&rels(false))?;
    } else if tip == commit.parent {
        // Stopped before every file was written: put back the old ones.
        // Only a file that holds what the write put there goes back: one
        // that holds anything else was never written, or was edited by
        // hand since, and that edit is the newest word on it.
        for (planned, ours) in &held {
            let file = workdir.join(&planned.path);
            if !ours {
                continue;
            }
            let backup = store::backup_path(&file);
            if backup.exists() {
                fs::rename(&backup, &file).map_err(|e| Error::io(&file, e))?;
            } else if !planned.existed {
                fs::remove_file(&file).map_err(|e| Error::io(&file, e))?;
            }
        }
        repo.put_index_back();
    }
    // (A branch moved elsewhere since, by hand: the files stay as they are.)
    for planned in &journal.files {
        let _ = fs::remove_file(store::backup_path(&workdir.join(&planned.path)));
    }
    repo.drop_index_backup();
    fs::remove_file(&path).map_err(|e| Error::io(&path, e))
}
