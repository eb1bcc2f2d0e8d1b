//! The git side of `ledger sync`: the current branch and its remote, fetch
//! and push with credentials that never wait for a password and a remote
//! that is given up on when it falls silent, the merge of two commits with
//! a say for the caller on each file both sides changed, and the way back
//! to where the repository stood, even after a sync was killed.
//!
//! A sync that moves the work tree writes down first what it is doing
//! (`.git/ledger-sync.json`, as git keeps `MERGE_HEAD`): moving the files
//! from one commit to another, or putting them back. The next `ledger
//! sync` finishes the move, or the putting back, before anything else, so
//! the files a killed sync had written are never taken for hand edits.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use git2::{
    Cred, CredentialType, DiffOptions, Direction, ErrorClass, ErrorCode, FetchOptions, IndexEntry,
    IndexTime, ObjectType, Oid, PushOptions, RemoteCallbacks, RemoteConnection, Repository, Tree,
};

use super::merge::Clash;
use super::Repo;
use crate::error::{listing, Error, Result};
use crate::format::text::printable;
use crate::ledger::store::{self, read_if_there, remove_if_there};

/// What a sync found left by an earlier one that was killed while it
/// changed the files, and finished first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Interrupted {
    /// It had pulled or merged and was writing the files: they were
    /// written and the branch moved, as it would have done.
    Finished,
    /// It had failed and was putting things back: the files, the branch
    /// and the index were put back as they were before it began.
    PutBack,
}

/// A commit's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Id(Oid);

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Seven hex digits, as git shows an id (the precision cuts the text).
        write!(f, "{:.7}", self.0)
    }
}

/// The branch checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    /// Its short name (`main`).
    pub name: String,
    /// Its commit, `None` before the first.
    pub tip: Option<Id>,
}

/// What the caller makes of a file both sides changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileMerge {
    /// Leave it to git's own merge.
    Git,
    /// This is the merged content.
    Merged(Vec<u8>),
    /// It cannot be merged: these parts clash.
    Clash(Vec<Clash>),
}

/// The three versions of a file both sides changed.
#[derive(Debug, Clone, Copy)]
pub struct Sides<'a> {
    /// The common ancestor's, if it had the file.
    pub base: Option<&'a [u8]>,
    /// Ours.
    pub ours: &'a [u8],
    /// Theirs.
    pub theirs: &'a [u8],
}

/// A move of the work tree between two commits: their trees, and the paths
/// that differ between them.
struct Moving<'r> {
    from: Option<Id>,
    to: Id,
    /// `from`'s tree (`None` before the first commit).
    from_tree: Option<Tree<'r>>,
    to_tree: Tree<'r>,
    /// The paths whose content differs between the two, sorted.
    changed: BTreeSet<String>,
}

/// The outcome of merging two commits' trees.
#[derive(Debug)]
pub enum TreeMerge {
    /// Merged: the tree to commit.
    Clean(Oid),
    /// Files that clash, each with what clashes in it.
    Clashes(Vec<(String, Vec<Clash>)>),
}

/// Where the repository stood, to go back to: the branch's commit and the
/// index file as it was.
#[derive(Debug)]
pub struct Saved {
    branch: Branch,
    index: Option<Vec<u8>>,
}

/// A move of the work tree and the branch from one commit (`None`: no
/// commit yet) to another.
pub type Move = (Option<Id>, Id);

/// The outcome of a push.
#[derive(Debug)]
enum Pushed {
    /// The remote took it.
    Done,
    /// The remote's branch moved, or was being moved, since the fetch
    /// (another clone pushed at the same moment): why, in a few words.
    Raced(String),
}

/// The record of a sync moving the work tree, kept in `.git/` while it
/// does, so that the next sync can finish what a killed one began.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Underway {
    /// What it was doing.
    step: Step,
    /// The branch checked out.
    branch: String,
    /// The commit the files and the branch move from (`None`: no commit yet).
    from: Option<String>,
    /// The commit they move to.
    to: String,
    /// For `put-back`: where the branch stood before the sync began.
    #[serde(default)]
    before: Option<String>,
    /// For `put-back`: whether there was an index, kept beside the record.
    #[serde(default)]
    index: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Step {
    /// Writing the files, the index, then moving the branch, from `from` to `to`.
    CheckOut,
    /// Putting back the files `to` wrote as they are in `from`, then the
    /// branch to `before` and the index as it was.
    PutBack,
}

/// The files of one commit's tree, looked up by path. Each folder's tree
/// is read once: `Tree::get_path` reads every folder on the way again for
/// each file (libgit2 keeps no large tree), so that moving thousands of
/// files of one folder took time growing with their square.
struct TreeFiles<'r> {
    repo: &'r Repository,
    root: &'r Tree<'r>,
    folders: RefCell<HashMap<String, Option<Tree<'r>>>>,
}

/// A path's entry in a tree.
#[derive(Debug, Clone, Copy)]
struct TreeFile {
    id: Oid,
    mode: i32,
    kind: Option<ObjectType>,
}

impl<'r> TreeFiles<'r> {
    fn new(repo: &'r Repository, root: &'r Tree<'r>) -> TreeFiles<'r> {
        TreeFiles {
            repo,
            root,
            folders: RefCell::new(HashMap::new()),
        }
    }

    /// The entry at `path` (`/`-separated), if the tree has one.
    fn get(&self, path: &str) -> Option<TreeFile> {
        let of = |entry: git2::TreeEntry| TreeFile {
            id: entry.id(),
            mode: entry.filemode(),
            kind: entry.kind(),
        };
        let Some((folder, name)) = path.rsplit_once('/') else {
            return self.root.get_name(path).map(of);
        };
        let mut folders = self.folders.borrow_mut();
        let tree = folders.entry(folder.to_owned()).or_insert_with(|| {
            let entry = self.root.get_path(Path::new(folder)).ok()?;
            self.repo.find_tree(entry.id()).ok()
        });
        tree.as_ref()?.get_name(name).map(of)
    }
}

/// The record of a sync moving the work tree, in the git directory.
const SYNC_RECORD: &str = "ledger-sync.json";

/// Whether a sync stopped while it moved the work tree waits in the git
/// directory `git_dir` for the next command that writes to finish it:
/// until then the files are part the old commit's, part the new one's.
pub fn is_unfinished(git_dir: &Path) -> bool {
    git_dir.join(SYNC_RECORD).exists()
}

impl Repo {
    fn record_path(&self) -> PathBuf {
        self.repo.path().join(SYNC_RECORD)
    }

    /// The index as it was before the sync, beside the record.
    fn saved_index_path(&self) -> PathBuf {
        self.repo.path().join("ledger-sync.index")
    }

    fn refname(branch: &str) -> String {
        format!("refs/heads/{branch}")
    }

    /// The branch HEAD is on; an error on a detached HEAD.
    pub fn branch(&self) -> Result<Branch> {
        let head = self
            .repo
            .find_reference("HEAD")
            .map_err(|e| Error::git("cannot read HEAD", e))?;
        let Ok(Some(target)) = head.symbolic_target() else {
            return Err(Error::Refused(format!(
                "HEAD is detached in {}: check out a branch to sync (git switch main)",
                self.workdir.display()
            )));
        };
        let name = target
            .strip_prefix("refs/heads/")
            .unwrap_or(target)
            .to_owned();
        let tip = match self.repo.refname_to_id(target) {
            Ok(id) => Some(Id(id)),
            Err(err) if err.code() == ErrorCode::NotFound => None,
            Err(err) => return Err(Error::git("cannot read HEAD", err)),
        };
        Ok(Branch { name, tip })
    }

    /// Remember where the repository stands now.
    pub fn save(&self) -> Result<Saved> {
        Ok(Saved {
            branch: self.branch()?,
            index: read_if_there(&self.index_file())?,
        })
    }

    /// Go back to `saved`. When the work tree was moved (`from` → `to`),
    /// the files the move wrote are put back as they are in `from` first.
    pub fn restore(&self, saved: &Saved, moved: Option<Move>) -> Result<()> {
        let Some((from, to)) = moved else {
            return self.put_back_branch_and_index(
                &saved.branch.name,
                saved.branch.tip,
                saved.index.as_deref(),
            );
        };
        let underway = Underway {
            step: Step::PutBack,
            branch: saved.branch.name.clone(),
            from: from.map(|id| id.0.to_string()),
            to: to.0.to_string(),
            before: saved.branch.tip.map(|id| id.0.to_string()),
            index: saved.index.is_some(),
        };
        // Without a record (a full disk, say) it is still worth putting
        // everything back; with one, what cannot be done now is done by the
        // next sync.
        let recorded = self.write_record(&underway, saved.index.as_deref());
        let put_back = self
            .move_between(from, to, "cannot put the repository back as it was")
            .and_then(|moving| self.put_back_files(&moving))
            .and_then(|()| {
                self.put_back_branch_and_index(
                    &saved.branch.name,
                    saved.branch.tip,
                    saved.index.as_deref(),
                )
            });
        match (put_back, recorded) {
            (Ok(()), _) => self.clear_record(),
            (Err(err), Ok(())) => Err(Error::PutBackNextSync(Box::new(err))),
            (Err(err), Err(_)) => Err(err),
        }
    }

    fn put_back_branch_and_index(
        &self,
        branch: &str,
        tip: Option<Id>,
        index: Option<&[u8]>,
    ) -> Result<()> {
        let fail = |e| Error::git("cannot put the repository back as it was", e);
        let refname = Repo::refname(branch);
        match tip {
            Some(id) => {
                self.repo
                    .reference(&refname, id.0, true, "ledger sync: put back")
                    .map_err(fail)?;
            }
            None => {
                if let Ok(mut reference) = self.repo.find_reference(&refname) {
                    reference.delete().map_err(fail)?;
                }
            }
        }
        let path = self.index_file();
        match index {
            Some(bytes) => store::write_atomic(&path, bytes, false)?,
            None => remove_if_there(&path)?,
        }
        Ok(())
    }

    /// Put back, as they are in `from`, the files that the move to `to`
    /// wrote: those that hold `to`'s version. A file the move did not reach,
    /// or one changed since by someone else, is left as it is.
    fn put_back_files(&self, moving: &Moving) -> Result<()> {
        let not_theirs = self.differing_from(Some(&moving.to_tree), &moving.changed)?;
        let from = moving
            .from_tree
            .as_ref()
            .map(|tree| TreeFiles::new(&self.repo, tree));
        let back: Vec<&String> = moving.changed.difference(&not_theirs).collect();
        for path in &back {
            self.write_version(from.as_ref(), path)?;
        }
        self.flush_files(back)
    }

    /// Flush to disk the files [`Repo::write_version`] wrote, together, before
    /// anything (the index, the branch) refers to them: a flush a file
    /// costs a commit of the file system's journal each.
    fn flush_files<'p>(&self, paths: impl IntoIterator<Item = &'p String>) -> Result<()> {
        let paths: Vec<PathBuf> = paths.into_iter().map(|p| self.workdir.join(p)).collect();
        store::flush_written(&paths)
    }

    /// Make the work tree's `path` as it is in `tree` (removed when `tree`
    /// has no such file), whole: a file is written beside it and renamed
    /// over it, so that a process killed meanwhile leaves one version or
    /// the other, never part of one; [`Repo::flush_files`] then flushes it.
    /// A submodule is left alone.
    fn write_version(&self, files: Option<&TreeFiles>, path: &str) -> Result<()> {
        let fail = |e| Error::git("cannot write the files", e);
        let full = self.workdir.join(path);
        let Some(entry) = files.and_then(|files| files.get(path)) else {
            return remove_if_there(&full);
        };
        if entry.kind != Some(ObjectType::Blob) {
            return Ok(());
        }
        let blob = self.repo.find_blob(entry.id).map_err(fail)?;
        if let Some(dir) = full.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        if entry.mode == i32::from(git2::FileMode::Link) {
            // A link is made in one step, or not at all.
            return write_link(&full, blob.content());
        }
        store::write_in_batch(&full, blob.content())?;
        set_executable(
            &full,
            entry.mode == i32::from(git2::FileMode::BlobExecutable),
        )
    }

    /// Move the work tree, the index and the branch from `from` to `to`:
    /// each file that differs between them is written whole, then staged,
    /// and the branch moves last. Each file must hold one version or the
    /// other (see [`Repo::in_the_way`]).
    fn move_files(&self, branch: &str, moving: &Moving) -> Result<()> {
        let fail = |e| Error::git("cannot update the work tree", e);
        let Moving {
            from,
            to,
            to_tree,
            changed,
            ..
        } = moving;
        let files = TreeFiles::new(&self.repo, to_tree);
        for path in changed {
            self.write_version(Some(&files), path)?;
        }
        self.flush_files(changed)?;
        let mut index = self.repo.index().map_err(fail)?;
        // Read it again if it changed on disk since it was opened.
        index.read(false).map_err(fail)?;
        for path in changed {
            match files.get(path) {
                Some(entry) if entry.kind == Some(ObjectType::Blob) => {
                    index.add_path(Path::new(path)).map_err(fail)?;
                }
                Some(_) => {}
                None => index.remove_path(Path::new(path)).map_err(fail)?,
            }
        }
        index.write().map_err(fail)?;
        self.move_branch_if_at(branch, *from, *to)
    }

    /// The files that differ between `from` and `to` and hold neither
    /// version in the work tree: changes of someone's that moving the work
    /// tree would lose.
    fn in_the_way(&self, moving: &Moving) -> Result<Vec<String>> {
        let not_theirs = self.differing_from(Some(&moving.to_tree), &moving.changed)?;
        let not_ours = self.differing_from(moving.from_tree.as_ref(), &moving.changed)?;
        Ok(not_theirs.intersection(&not_ours).cloned().collect())
    }

    /// Of `paths`, those whose file in the work tree is not `tree`'s
    /// version (a file there that `tree` lacks, or the other way round,
    /// included), compared as git compares them, through its filters.
    fn differing_from(
        &self,
        tree: Option<&Tree>,
        paths: &BTreeSet<String>,
    ) -> Result<BTreeSet<String>> {
        if paths.is_empty() {
            return Ok(BTreeSet::new());
        }
        let mut options = DiffOptions::new();
        options
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_typechange(true)
            .disable_pathspec_match(true);
        for path in paths {
            options.pathspec(path.as_str());
        }
        let diff = self
            .repo
            .diff_tree_to_workdir(tree, Some(&mut options))
            .map_err(|e| Error::git("cannot compare the files with a commit", e))?;
        let mut differing = BTreeSet::new();
        for delta in diff.deltas() {
            for file in [delta.old_file(), delta.new_file()] {
                if let Some(path) = file.path().and_then(Path::to_str) {
                    if paths.contains(path) {
                        differing.insert(path.to_owned());
                    }
                }
            }
        }
        Ok(differing)
    }

    /// Write down what the sync is about to do to the work tree (and, to
    /// put it back, the index as it was), before doing it.
    fn write_record(&self, underway: &Underway, index: Option<&[u8]>) -> Result<()> {
        if let Some(bytes) = index {
            store::write_atomic(&self.saved_index_path(), bytes, false)?;
        }
        let json = serde_json::to_vec_pretty(underway)
            .map_err(|e| Error::io(self.record_path(), e.into()))?;
        store::write_atomic(&self.record_path(), &json, false)
    }

    /// The sync is done with the work tree: forget the record.
    fn clear_record(&self) -> Result<()> {
        remove_if_there(&self.record_path())?;
        remove_if_there(&self.saved_index_path())
    }

    /// Finish what an interrupted sync was doing to the work tree, if it
    /// was doing anything: the move to the merged or pulled commit is
    /// completed, the putting back after a failure too. Run with the
    /// ledger's lock held, before anything looks at the work tree (whose
    /// files would otherwise look like hand edits).
    pub fn finish_interrupted_sync(&self) -> Result<Option<Interrupted>> {
        let path = self.record_path();
        let Some(bytes) = read_if_there(&path)? else {
            remove_if_there(&self.saved_index_path())?;
            return Ok(None);
        };
        let unreadable = |why: String| {
            Error::Unfinished(format!(
                "{} was left by a sync that was interrupted, and cannot be read ({}).\n\
                 Look at `git status` and `git log` to see where the branch and the files stand, \
                 then delete that file",
                printable(&path.display().to_string()),
                printable(&why)
            ))
        };
        let underway: Underway =
            serde_json::from_slice(&bytes).map_err(|e| unreadable(e.to_string()))?;
        let id = |text: &str| {
            Oid::from_str(text)
                .map(Id)
                .map_err(|_| unreadable(format!("`{text}` is not a commit id")))
        };
        let from = underway.from.as_deref().map(id).transpose()?;
        let to = id(&underway.to)?;
        let before = underway.before.as_deref().map(id).transpose()?;
        // Git's locks the killed sync held: those no process holds any more
        // are its leftovers.
        self.clear_stale_locks()?;
        let branch = self.branch()?;
        if branch.name != underway.branch {
            return Err(Error::Unfinished(format!(
                "a sync of the branch `{}` was interrupted: switch back to it (`git switch {}`)",
                underway.branch, underway.branch
            )));
        }
        let moved_elsewhere = || {
            Error::Unfinished(format!(
                "a sync was interrupted, and the branch `{}` has moved since (to {}).\n\
                 Look at `git status` to see whether the files are as you want them, then delete {}",
                printable(&branch.name),
                branch.tip.map_or("no commit".to_owned(), |id| id.to_string()),
                printable(&path.display().to_string())
            ))
        };
        let moving = self.move_between(from, to, "cannot finish the interrupted sync")?;
        self.clean_temporaries(&moving);
        let done = match underway.step {
            Step::CheckOut => {
                if branch.tip == from {
                    self.finish_check_out(&branch.name, &moving)?;
                } else if branch.tip != Some(to) {
                    return Err(moved_elsewhere());
                }
                Interrupted::Finished
            }
            Step::PutBack => {
                if ![Some(to), from, before].contains(&branch.tip) {
                    return Err(moved_elsewhere());
                }
                let index = if underway.index {
                    let saved = self.saved_index_path();
                    let bytes = read_if_there(&saved)?
                        .ok_or_else(|| unreadable(format!("{} is missing", saved.display())))?;
                    Some(bytes)
                } else {
                    None
                };
                self.put_back_files(&moving)?;
                self.put_back_branch_and_index(&branch.name, before, index.as_deref())?;
                Interrupted::PutBack
            }
        };
        self.clear_record()?;
        Ok(Some(done))
    }

    /// Remove the temporary files a sync killed while it wrote the files
    /// of a move between `from` and `to` left beside them.
    fn clean_temporaries(&self, moving: &Moving) {
        let dirs: BTreeSet<PathBuf> = moving
            .changed
            .iter()
            .filter_map(|path| self.workdir.join(path).parent().map(Path::to_path_buf))
            .collect();
        for dir in dirs.iter().map(PathBuf::as_path).chain([self.repo.path()]) {
            store::clean_temporaries(dir);
        }
    }

    /// Complete a move of the work tree from `from` to `to` that stopped
    /// part way: every file the move concerns holds one version or the
    /// other, unless someone changed it since; those still on `from`'s are
    /// written, the index follows, and the branch moves last.
    fn finish_check_out(&self, branch: &str, moving: &Moving) -> Result<()> {
        let changed_since = self.in_the_way(moving)?;
        if !changed_since.is_empty() {
            return Err(Error::Unfinished(format!(
                "a sync was interrupted while it updated the files, and these have been changed since:{}\n\
                 Save your changes elsewhere, and put those files back (`git checkout -- FILE`)",
                listing(&changed_since)
            )));
        }
        self.move_files(branch, moving)
    }

    /// Move the branch from `from` to `to`, only if it is still at `from`.
    fn move_branch_if_at(&self, branch: &str, from: Option<Id>, to: Id) -> Result<()> {
        let refname = Repo::refname(branch);
        let moved = match from {
            Some(from) => self
                .repo
                .reference_matching(&refname, to.0, true, from.0, "ledger sync"),
            None => self.repo.reference(&refname, to.0, false, "ledger sync"),
        };
        moved.map(|_| ()).map_err(|err| {
            if matches!(err.code(), ErrorCode::Modified | ErrorCode::Exists) {
                Error::Raced(format!(
                    "the branch `{branch}` was moved by another program during the sync"
                ))
            } else {
                Error::git("cannot move the branch", err)
            }
        })
    }

    fn tree_of(&self, commit: Oid) -> std::result::Result<Tree<'_>, git2::Error> {
        self.repo.find_commit(commit)?.tree()
    }

    /// A move of the work tree from `from` to `to`, its trees and the paths
    /// it changes worked out once; `doing` names the step in an error.
    fn move_between(&self, from: Option<Id>, to: Id, doing: &str) -> Result<Moving<'_>> {
        let fail = |e| Error::git(doing, e);
        let from_tree = from
            .map(|id| self.tree_of(id.0))
            .transpose()
            .map_err(fail)?;
        let to_tree = self.tree_of(to.0).map_err(fail)?;
        let changed = self.changed_between(from_tree.as_ref(), &to_tree)?;
        Ok(Moving {
            from,
            to,
            from_tree,
            to_tree,
            changed,
        })
    }

    /// The merge of two sides that changed no file in common, and neither
    /// a file where the other changed a folder of that name: their changes
    /// laid on our tree. Only the trees on their paths are read and
    /// written, where libgit2's merge reads and writes every tree of the
    /// ledger (docs/benchmarks.md). `our_changes` and `their_changes` are
    /// what each side changed since the merge base. `None` when the sides
    /// are not so far apart, for the whole merge to settle.
    fn merge_apart(
        &self,
        ours: &Tree,
        our_changes: &[Change],
        their_changes: &[Change],
    ) -> Result<Option<Oid>> {
        let our_files: BTreeSet<&[u8]> = our_changes.iter().map(|c| c.path.as_slice()).collect();
        let mut their_files: BTreeSet<&[u8]> = BTreeSet::new();
        let mut update = git2::build::TreeUpdateBuilder::new();
        for change in their_changes {
            let path = change.path.as_slice();
            let near_ours = std::iter::once(path)
                .chain(folders_of(path))
                .any(|p| our_files.contains(p));
            if near_ours {
                return Ok(None);
            }
            their_files.insert(path);
            match change.now {
                None => update.remove(path),
                Some((id, mode)) => update.upsert(path, id, file_mode(mode)),
            };
        }
        let theirs_above_ours = our_files
            .iter()
            .any(|path| folders_of(path).any(|p| their_files.contains(p)));
        if theirs_above_ours {
            return Ok(None);
        }
        let tree = update
            .create_updated(&self.repo, ours)
            .map_err(|e| Error::git("cannot merge", e))?;
        Ok(Some(tree))
    }

    /// The paths whose content differs between two trees, sorted.
    fn changed_between(&self, old: Option<&Tree>, new: &Tree) -> Result<BTreeSet<String>> {
        let changes = self
            .changes(old, new)
            .map_err(|e| Error::git("cannot compare commits", e))?;
        Ok(paths_of(&changes))
    }

    /// Every file that differs from tree `old` to tree `new`, with what it
    /// is in `new` (`None`: gone). Only the trees whose ids differ are
    /// read, so a change of a few files in a large ledger reads the trees
    /// on their paths alone; libgit2's tree diff reads every tree of both
    /// (docs/benchmarks.md). A work list, not recursion, so a deep tree
    /// cannot overflow the stack.
    fn changes(
        &self,
        old: Option<&Tree>,
        new: &Tree,
    ) -> std::result::Result<Vec<Change>, git2::Error> {
        let mut changes = Vec::new();
        let mut work: Vec<(Vec<u8>, Option<Tree>, Option<Tree>)> =
            vec![(Vec::new(), old.cloned(), Some(new.clone()))];
        while let Some((folder, old, new)) = work.pop() {
            let entries = |tree: &Option<Tree>| {
                let mut named = std::collections::BTreeMap::new();
                for entry in tree.iter().flat_map(Tree::iter) {
                    named.insert(entry.name_bytes().to_vec(), (entry.id(), entry.filemode()));
                }
                named
            };
            let (before, after) = (entries(&old), entries(&new));
            let names: BTreeSet<&Vec<u8>> = before.keys().chain(after.keys()).collect();
            for name in names {
                let was = before.get(name).copied();
                let is = after.get(name).copied();
                if was == is {
                    continue;
                }
                let path = match folder.is_empty() {
                    true => name.clone(),
                    false => [&folder[..], b"/", name].concat(),
                };
                let as_tree =
                    |side: Option<(Oid, i32)>| -> std::result::Result<Option<Tree>, git2::Error> {
                        match side {
                            Some((id, mode)) if mode == i32::from(git2::FileMode::Tree) => {
                                self.repo.find_tree(id).map(Some)
                            }
                            _ => Ok(None),
                        }
                    };
                let (was_tree, is_tree) = (as_tree(was)?, as_tree(is)?);
                // A file on either side is a change of that path; a tree on
                // either side is looked into.
                let was_file = was.filter(|_| was_tree.is_none());
                let is_file = is.filter(|_| is_tree.is_none());
                if was_file.is_some() || is_file.is_some() {
                    changes.push(Change {
                        path: path.clone(),
                        now: is_file,
                    });
                }
                if was_tree.is_some() || is_tree.is_some() {
                    work.push((path, was_tree, is_tree));
                }
            }
        }
        changes.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(changes)
    }

    /// The remote to sync with: the one asked for, else the branch's
    /// upstream remote, else `origin`. An error naming what to do when
    /// there is none.
    pub fn remote_name(&self, branch: &str, asked: Option<&str>) -> Result<String> {
        let name = match asked {
            Some(name) => name.to_owned(),
            None => self
                .repo
                .branch_upstream_remote(&Repo::refname(branch))
                .ok()
                .and_then(|buf| buf.as_str().ok().map(str::to_owned))
                .unwrap_or_else(|| "origin".to_owned()),
        };
        match self.repo.find_remote(&name) {
            Ok(_) => Ok(name),
            Err(_) => Err(Error::Refused(format!(
                "there is no git remote `{name}` to sync with (add one: `git remote add {name} URL`)"
            ))),
        }
    }

    /// The branch of the remote that `branch` syncs with: its configured
    /// upstream branch, else one of the same name.
    pub fn upstream_branch(&self, remote: &str, branch: &str) -> String {
        // The configured upstream is `branch.NAME.remote`'s: on another
        // remote (`--remote backup`), the branch of the same name.
        let config = self.repo.config().ok();
        let setting = |key: String| config.as_ref()?.get_string(&key).ok();
        let tracked = setting(format!("branch.{branch}.remote")).is_some_and(|r| r == remote);
        setting(format!("branch.{branch}.merge"))
            .filter(|_| tracked)
            .and_then(|m| m.strip_prefix("refs/heads/").map(str::to_owned))
            .unwrap_or_else(|| branch.to_owned())
    }

    /// A remote's URL for `direction`, as libgit2 will use it.
    fn remote_url(&self, name: &str, direction: Direction) -> Result<String> {
        let remote = self
            .repo
            .find_remote(name)
            .map_err(|e| Error::git("cannot find the remote", e))?;
        let push_url = match direction {
            Direction::Push => remote.pushurl().ok().flatten(),
            Direction::Fetch => None,
        };
        let url = push_url.or_else(|| remote.url().ok()).unwrap_or(name);
        // A relative path is taken from the work tree's top, as git takes
        // it, wherever `ledger` runs (`-C`, a sub-folder).
        Ok(match is_path(url) && Path::new(url).is_relative() {
            true => self.workdir.join(url).to_string_lossy().into_owned(),
            false => url.to_owned(),
        })
    }

    /// Fetch the remote's branch `upstream` (see [`Repo::upstream_branch`]);
    /// its commit, `None` if it has no such branch yet.
    pub fn fetch(&self, remote: &str, upstream: &str) -> Result<Option<Id>> {
        let tracking = format!("refs/remotes/{remote}/{upstream}");
        let refspec = format!("+refs/heads/{upstream}:{tracking}");
        // A fetch stopped part way leaves its locks, which would stop every
        // fetch after it: those no process holds are removed (no other
        // sync can be fetching: the ledger's lock is held), the others
        // reported.
        let git = self.repo.path();
        for lock in [
            git.join(format!("{tracking}.lock")),
            git.join("shallow.lock"),
            git.join("FETCH_HEAD.lock"),
            git.join("packed-refs.lock"),
        ] {
            store::clear_stale(&lock)?;
        }
        let url = self.remote_url(remote, Direction::Fetch)?;
        let wanted = Repo::refname(upstream);
        let there = self.over_network(remote, &url, Direction::Fetch, move |talking| {
            let listed = match talking.connection.remote().list() {
                Ok(heads) => heads.iter().any(|head| head.name() == wanted),
                Err(err) => return Err(talking.explain(err)),
            };
            if !listed {
                // Not there yet (the first push makes it), or gone.
                return Ok(false);
            }
            let mut options = FetchOptions::new();
            options.remote_callbacks(talking.credentials.callbacks());
            let remote = talking.connection.remote();
            match remote.fetch(&[refspec.as_str()], Some(&mut options), None) {
                Ok(()) => Ok(true),
                Err(err) => Err(talking.explain(err)),
            }
        })?;
        if !there {
            // A remote-tracking branch an earlier fetch left says nothing
            // of the remote now: taken for its branch, it would make this
            // sync push nothing, and every later one fail.
            if let Ok(mut stale) = self.repo.find_reference(&tracking) {
                stale
                    .delete()
                    .map_err(|e| Error::git("cannot remove a stale remote-tracking branch", e))?;
            }
            return Ok(None);
        }
        match self.repo.refname_to_id(&tracking) {
            Ok(id) => Ok(Some(Id(id))),
            Err(err) if err.code() == ErrorCode::NotFound => Ok(None),
            Err(err) => Err(Error::git("cannot read what was fetched", err)),
        }
    }

    /// Whether two commits have a commit in common (a merge base).
    pub fn share_history(&self, one: Id, other: Id) -> Result<bool> {
        match self.repo.merge_base(one.0, other.0) {
            Ok(_) => Ok(true),
            Err(err) if err.code() == ErrorCode::NotFound => Ok(false),
            Err(err) => Err(Error::git("cannot compare the branches", err)),
        }
    }

    /// How many commits `local` has that `remote` lacks, and the other way round.
    pub fn ahead_behind(&self, local: Id, remote: Id) -> Result<(usize, usize)> {
        self.repo
            .graph_ahead_behind(local.0, remote.0)
            .map_err(|e| Error::git("cannot compare the branches", e))
    }

    /// How many commits `id` has in its history, itself included.
    pub fn history_len(&self, id: Id) -> Result<usize> {
        let fail = |e| Error::git("cannot walk the history", e);
        let mut walk = self.repo.revwalk().map_err(fail)?;
        walk.push(id.0).map_err(fail)?;
        Ok(walk.count())
    }

    /// Merge commit `theirs` into `ours` in memory. For each file both sides
    /// changed (and still have, or one side renamed as git finds renames),
    /// `resolve` gets its path (the new name) and its three versions, and
    /// says what to do; files it leaves to git
    /// and git cannot merge clash.
    pub fn merge_commits(
        &self,
        ours: Id,
        theirs: Id,
        resolve: &mut dyn FnMut(&str, Sides) -> Result<FileMerge>,
    ) -> Result<TreeMerge> {
        let fail = |e| Error::git("cannot merge", e);
        let our_commit = self.repo.find_commit(ours.0).map_err(fail)?;
        let their_commit = self.repo.find_commit(theirs.0).map_err(fail)?;
        let base = self.repo.merge_base(ours.0, theirs.0).ok();
        let base_tree = match base {
            Some(base) => Some(self.tree_of(base).map_err(fail)?),
            None => None,
        };
        let our_tree = our_commit.tree().map_err(fail)?;
        let their_tree = their_commit.tree().map_err(fail)?;
        let our_changes = self.changes(base_tree.as_ref(), &our_tree).map_err(fail)?;
        let their_changes = self
            .changes(base_tree.as_ref(), &their_tree)
            .map_err(fail)?;
        if base_tree.is_some() {
            if let Some(tree) = self.merge_apart(&our_tree, &our_changes, &their_changes)? {
                return Ok(TreeMerge::Clean(tree));
            }
        }
        let mut index = self
            .repo
            .merge_commits(&our_commit, &their_commit, None)
            .map_err(fail)?;

        let ours_changed = paths_of(&our_changes);
        let theirs_changed = paths_of(&their_changes);
        let mut clashes = Vec::new();
        let mut settled = BTreeSet::new();
        let base_files = base_tree
            .as_ref()
            .map(|tree| TreeFiles::new(&self.repo, tree));
        let our_files = TreeFiles::new(&self.repo, &our_tree);
        let their_files = TreeFiles::new(&self.repo, &their_tree);
        for path in ours_changed.intersection(&theirs_changed) {
            let content = |files: &TreeFiles| -> Result<Option<(Vec<u8>, i32)>> {
                match files.get(path) {
                    Some(entry) => {
                        let blob = self.repo.find_blob(entry.id).map_err(fail)?;
                        Ok(Some((blob.content().to_vec(), entry.mode)))
                    }
                    None => Ok(None),
                }
            };
            let base = match &base_files {
                Some(files) => content(files)?,
                None => None,
            };
            let (Some((ours, mode)), Some((theirs, _))) =
                (content(&our_files)?, content(&their_files)?)
            else {
                continue;
            };
            if ours == theirs {
                continue;
            }
            let base = base.map(|(bytes, _)| bytes);
            let sides = Sides {
                base: base.as_deref(),
                ours: &ours,
                theirs: &theirs,
            };
            match resolve(path, sides)? {
                FileMerge::Git => {}
                FileMerge::Clash(what) => {
                    clashes.push((path.clone(), what));
                    settled.insert(path.clone());
                }
                FileMerge::Merged(bytes) => {
                    let _ = index.conflict_remove(Path::new(path));
                    self.put_merged(&mut index, path, mode as u32, &bytes)?;
                    settled.insert(path.clone());
                }
            }
        }
        if index.has_conflicts() {
            let conflicts: Vec<git2::IndexConflict> = index
                .conflicts()
                .map_err(fail)?
                .collect::<std::result::Result<_, _>>()
                .map_err(fail)?;
            // A file renamed (or moved to another folder) on one side and
            // changed on the other: git lists the old name's versions and
            // the new name's apart. Its three versions merge as any file
            // both sides changed, under its new name.
            // Renames are looked for (over the whole trees) only when a
            // conflict is of that shape: the old name kept on one side
            // alone.
            let one_side_kept = |c: &git2::IndexConflict| {
                c.ancestor.is_some() && c.our.is_some() != c.their.is_some()
            };
            let (their_renames, our_renames) = match &base_tree {
                Some(base) if conflicts.iter().any(one_side_kept) => (
                    self.renames(base, &their_tree).map_err(fail)?,
                    self.renames(base, &our_tree).map_err(fail)?,
                ),
                _ => Default::default(),
            };
            for conflict in &conflicts {
                let kept = conflict.our.as_ref().xor(conflict.their.as_ref());
                let (Some(base), Some(kept)) = (&conflict.ancestor, kept) else {
                    continue;
                };
                let was = String::from_utf8_lossy(&base.path).into_owned();
                // The side that kept the old name, and the other's new one.
                let ours_kept = conflict.our.is_some();
                let renames = if ours_kept {
                    &their_renames
                } else {
                    &our_renames
                };
                let Some(path) = renames.get(&was) else {
                    continue;
                };
                let renamed = conflicts.iter().find_map(|c| {
                    let side = if ours_kept { &c.their } else { &c.our };
                    side.as_ref().filter(|e| e.path == path.as_bytes())
                });
                let Some(renamed) = renamed else { continue };
                let blob = |e: &IndexEntry| -> Result<Vec<u8>> {
                    Ok(self.repo.find_blob(e.id).map_err(fail)?.content().to_vec())
                };
                let (b, k, r) = (blob(base)?, blob(kept)?, blob(renamed)?);
                let (ours, theirs) = if ours_kept { (&k, &r) } else { (&r, &k) };
                let sides = Sides {
                    base: Some(&b),
                    ours,
                    theirs,
                };
                match resolve(path, sides)? {
                    FileMerge::Merged(bytes) => {
                        let _ = index.conflict_remove(Path::new(&was));
                        let _ = index.conflict_remove(Path::new(path));
                        self.put_merged(&mut index, path, renamed.mode, &bytes)?;
                    }
                    FileMerge::Clash(what) => clashes.push((path.clone(), what)),
                    FileMerge::Git => continue,
                }
                settled.extend([was, path.clone()]);
            }
            for conflict in conflicts {
                let what = match (&conflict.our, &conflict.their) {
                    (Some(_), Some(_)) => Clash::WholeFile,
                    _ => Clash::Deleted,
                };
                let side = conflict.our.or(conflict.their).or(conflict.ancestor);
                let Some(entry) = side else { continue };
                let path = String::from_utf8_lossy(&entry.path).into_owned();
                if settled.insert(path.clone()) {
                    clashes.push((path, vec![what]));
                }
            }
        }
        if !clashes.is_empty() {
            clashes.sort();
            return Ok(TreeMerge::Clashes(clashes));
        }
        let tree = index.write_tree_to(&self.repo).map_err(fail)?;
        Ok(TreeMerge::Clean(tree))
    }

    /// The files renamed (or moved) from `base` to `side`, by their old
    /// paths, as git finds renames.
    fn renames(
        &self,
        base: &Tree,
        side: &Tree,
    ) -> std::result::Result<HashMap<String, String>, git2::Error> {
        let mut diff = self.repo.diff_tree_to_tree(Some(base), Some(side), None)?;
        diff.find_similar(Some(git2::DiffFindOptions::new().renames(true)))?;
        let mut renames = HashMap::new();
        for delta in diff.deltas() {
            if delta.status() != git2::Delta::Renamed {
                continue;
            }
            let path = |file: git2::DiffFile| file.path().and_then(Path::to_str).map(str::to_owned);
            if let (Some(old), Some(new)) = (path(delta.old_file()), path(delta.new_file())) {
                renames.insert(old, new);
            }
        }
        Ok(renames)
    }

    /// Put `bytes` in `index` as the file at `path`, with `mode`.
    fn put_merged(
        &self,
        index: &mut git2::Index,
        path: &str,
        mode: u32,
        bytes: &[u8],
    ) -> Result<()> {
        let fail = |e| Error::git("cannot merge", e);
        let id = self.repo.blob(bytes).map_err(fail)?;
        index
            .add(&blob_entry(path, mode, id, bytes.len()))
            .map_err(fail)
    }

    /// Commit a merged tree with two parents, without moving any branch.
    pub fn commit_merge(&self, tree: Oid, ours: Id, theirs: Id, message: &str) -> Result<Id> {
        let fail = |e| Error::git("cannot commit the merge", e);
        let tree = self.repo.find_tree(tree).map_err(fail)?;
        let parents = [
            self.repo.find_commit(ours.0).map_err(fail)?,
            self.repo.find_commit(theirs.0).map_err(fail)?,
        ];
        let author = self.repo.author_from_env().map_err(fail)?;
        let committer = self.repo.committer_from_env().map_err(fail)?;
        let id = self
            .repo
            .commit(
                None,
                &author,
                &committer,
                message,
                &tree,
                &[&parents[0], &parents[1]],
            )
            .map_err(fail)?;
        Ok(Id(id))
    }

    /// Move the work tree, the index and the branch from commit `from` to
    /// commit `to`. Refuses, changing nothing, when a file it would write has
    /// changes of its own in the work tree. The move is written down first:
    /// if it is interrupted, the next sync finishes it.
    pub fn check_out(&self, branch: &str, from: Option<Id>, to: Id) -> Result<()> {
        self.check_unlocked()?;
        let moving = self.move_between(from, to, "cannot update the work tree")?;
        let in_the_way = self.in_the_way(&moving)?;
        if !in_the_way.is_empty() {
            return Err(Error::InTheWay {
                workdir: self.workdir.clone(),
                files: in_the_way,
            });
        }
        let underway = Underway {
            step: Step::CheckOut,
            branch: branch.to_owned(),
            from: from.map(|id| id.0.to_string()),
            to: to.0.to_string(),
            before: None,
            index: false,
        };
        self.write_record(&underway, None)?;
        self.move_files(branch, &moving)?;
        self.clear_record()
    }

    /// Push the branch to the remote's branch `upstream`, only over
    /// `expected` (the remote's commit as fetched, `None` if it had none),
    /// and make that the branch's upstream. `Some(why)` when the remote's branch moved, or
    /// was being moved, since the fetch (another clone pushed at the same
    /// moment): fetching, merging and pushing again will do.
    pub fn push(
        &self,
        remote: &str,
        branch: &str,
        upstream: &str,
        expected: Option<Id>,
    ) -> Result<Option<String>> {
        let url = self.remote_url(remote, Direction::Push)?;
        let pushed = match local_folder(&url) {
            Some(folder) => self.push_to_folder(&folder, &url, branch, upstream, expected)?,
            None => self.push_over_network(remote, &url, branch, upstream)?,
        };
        match pushed {
            Pushed::Done => {
                self.set_upstream(remote, branch, upstream)?;
                self.track_push(remote, branch, upstream)?;
                Ok(None)
            }
            Pushed::Raced(why) => Ok(Some(why)),
        }
    }

    fn push_over_network(
        &self,
        remote: &str,
        url: &str,
        branch: &str,
        upstream: &str,
    ) -> Result<Pushed> {
        let refspec = format!("refs/heads/{branch}:refs/heads/{upstream}");
        self.over_network(remote, url, Direction::Push, move |talking| {
            let (heard, url) = (talking.heard, talking.url);
            let rejected: RefCell<Option<String>> = RefCell::new(None);
            let said: RefCell<Vec<u8>> = RefCell::new(Vec::new());
            let mut callbacks = talking.credentials.callbacks();
            callbacks.push_update_reference(|_, status| {
                heard.alive();
                if let Some(why) = status {
                    *rejected.borrow_mut() = Some(why.to_owned());
                }
                Ok(())
            });
            callbacks.sideband_progress(|text| {
                let mut said = said.borrow_mut();
                let room = REMOTE_SAYS_AT_MOST.saturating_sub(said.len());
                said.extend(text.iter().take(room));
                heard.alive()
            });
            let mut options = PushOptions::new();
            options.remote_callbacks(callbacks);
            let pushed = talking
                .connection
                .remote()
                .push(&[refspec.as_str()], Some(&mut options));
            drop(options);
            let shown = without_credentials(url);
            if let Err(err) = pushed {
                let moved = err.code() == ErrorCode::NotFastForward
                    || err.message().contains("non-fastforward")
                    || err.message().contains("not fast-forward");
                if moved {
                    return Ok(Pushed::Raced(moved_on(&shown)));
                }
                return Err(talking.explain(err));
            }
            let Some(why) = rejected.into_inner() else {
                return Ok(Pushed::Done);
            };
            let why = scrub(why.trim_end_matches([':', ' ']), url);
            let said = String::from_utf8_lossy(&said.into_inner()).into_owned();
            let complaints: Vec<&str> = said
                .lines()
                .map(str::trim)
                .filter(|line| line.starts_with("error:") || line.starts_with("fatal:"))
                .collect();
            let refused = format!("{shown} refused the push: {why}");
            let said_lines: Vec<String> = complaints
                .iter()
                .map(|line| format!("remote: {}", scrub(line, url)))
                .collect();
            // git's receive-pack says "fetch first" or "non-fast-forward"
            // when the branch had moved before it looked; when another push
            // lands while it looks, it cannot lock the branch, or finds it
            // "is at" another commit "but expected" the one it saw, and
            // says it "failed to update ref".
            if why.contains("fast") || why.contains("fetch first") || said.contains("but expected")
            {
                return Ok(Pushed::Raced(moved_on(&shown)));
            }
            if why.contains("lock") || why.contains("failed to update ref") {
                return Ok(Pushed::Raced(refused));
            }
            // What the remote said, a line each, as git shows it.
            Err(Error::PushRefused(format!(
                "{}{}",
                printable(&refused),
                listing(&said_lines)
            )))
        })
    }

    /// Fetch from or push to (`direction`) the remote `name`, whose URL is
    /// `url`: `work` runs on a thread of its own (see [`talk`]), with the
    /// repository opened again there and connected with the usual
    /// credentials.
    fn over_network<T: Send + 'static>(
        &self,
        name: &str,
        url: &str,
        direction: Direction,
        work: impl FnOnce(Talking<'_, '_, '_, '_>) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let doing = match direction {
            Direction::Fetch => "fetch from",
            Direction::Push => "push to",
        };
        let git_dir = self.repo.path().to_path_buf();
        let name = name.to_owned();
        let theirs = url.to_owned();
        talk(doing, url, move |heard| {
            let url = theirs.as_str();
            let repo = open_again(&git_dir)?;
            // A folder is reached by the path worked out for it (see
            // `remote_url`), which libgit2 would take from where the
            // process runs.
            let handle = match is_path(url) {
                true => repo.remote_anonymous(url),
                false => repo.find_remote(&name),
            };
            let mut handle = handle.map_err(|e| Error::git("cannot find the remote", e))?;
            let credentials = Credentials::new(&repo, heard);
            let mut connection = handle
                .connect_auth(direction, Some(credentials.callbacks()), None)
                .map_err(|err| credentials.explain(doing, url, err))?;
            heard.connected();
            work(Talking {
                connection: &mut connection,
                credentials: &credentials,
                heard,
                doing,
                url,
            })
        })
    }

    /// Push to a repository in a folder, as libgit2 would, but moving its
    /// branch only if it is still at `expected`: libgit2 itself moves it
    /// whatever it points to, so two clones pushing at the same moment
    /// would lose one's commits.
    fn push_to_folder(
        &self,
        folder: &Path,
        url: &str,
        branch: &str,
        upstream: &str,
        expected: Option<Id>,
    ) -> Result<Pushed> {
        let shown = without_credentials(url);
        let fail = |err: git2::Error| Error::Remote {
            doing: format!("cannot push to {shown}"),
            source: scrubbed(&err, url),
        };
        let there = Repository::open(folder).map_err(fail)?;
        if let Some(why) = refused_on_receipt(&there, &Repo::refname(upstream)) {
            return Err(Error::Refused(format!("cannot push to {shown}: {why}")));
        }
        let tip = self
            .repo
            .refname_to_id(&Repo::refname(branch))
            .map_err(fail)?;
        // The commits, trees and files it lacks, as one pack.
        let mut walk = self.repo.revwalk().map_err(fail)?;
        walk.push(tip).map_err(fail)?;
        if let Some(old) = expected {
            walk.hide(old.0).map_err(fail)?;
        }
        let mut builder = self.repo.packbuilder().map_err(fail)?;
        builder.insert_walk(&mut walk).map_err(fail)?;
        if builder.object_count() > 0 {
            let mut pack = git2::Buf::new();
            builder.write_buf(&mut pack).map_err(fail)?;
            let odb = there.odb().map_err(fail)?;
            let mut writer = odb.packwriter().map_err(fail)?;
            writer.write_all(&pack).map_err(|e| Error::io(folder, e))?;
            writer.commit().map_err(fail)?;
        }
        let refname = Repo::refname(upstream);
        let message = "push (ledger sync)";
        let updated = match expected {
            Some(old) => there.reference_matching(&refname, tip, true, old.0, message),
            None => there.reference(&refname, tip, false, message),
        };
        match updated {
            Ok(_) => Ok(Pushed::Done),
            Err(err) if matches!(err.code(), ErrorCode::Modified | ErrorCode::Exists) => {
                Ok(Pushed::Raced(moved_on(&shown)))
            }
            Err(err) if err.code() == ErrorCode::Locked => Ok(Pushed::Raced(format!(
                "{shown} refused the push: {}",
                scrub(err.message(), url)
            ))),
            Err(err) => Err(fail(err)),
        }
    }

    /// Move the remote-tracking branch of `remote`'s `upstream` (say
    /// `origin/main`) to `branch`, where the push left the remote, as `git
    /// push` does: else `git status` says the branch is ahead of the
    /// remote, or that its upstream is gone. libgit2 does so itself over
    /// the network, but not for a push into a folder.
    fn track_push(&self, remote: &str, branch: &str, upstream: &str) -> Result<()> {
        let fail = |e| Error::git("cannot move the remote-tracking branch", e);
        let tip = self
            .repo
            .refname_to_id(&Repo::refname(branch))
            .map_err(fail)?;
        let handle = self.repo.find_remote(remote).map_err(fail)?;
        let pushed = Repo::refname(upstream);
        for spec in handle.refspecs() {
            let tracks = spec.direction() == git2::Direction::Fetch && spec.src_matches(&pushed);
            if let (true, Ok(tracking)) = (tracks, spec.transform(&pushed)) {
                if let Ok(tracking) = tracking.as_str() {
                    let message = "update by push (ledger sync)";
                    self.repo
                        .reference(tracking, tip, true, message)
                        .map_err(fail)?;
                }
            }
        }
        Ok(())
    }

    /// Make `remote`'s `upstream` branch the upstream of `branch`, unless it has one.
    fn set_upstream(&self, remote: &str, branch: &str, upstream: &str) -> Result<()> {
        let key = format!("branch.{branch}.remote");
        let has_one = self.repo.config().is_ok_and(|c| c.get_string(&key).is_ok());
        if !has_one {
            self.set_config(&key, remote)?;
            self.set_config(&format!("branch.{branch}.merge"), &Repo::refname(upstream))?;
        }
        Ok(())
    }

    /// Whether git's config (this repository's, the user's or the
    /// system's) sets `key`.
    pub fn has_config(&self, key: &str) -> bool {
        self.repo
            .config()
            .and_then(|config| config.get_string(key))
            .is_ok()
    }

    /// Set a key in the repository's own git config.
    pub fn set_config(&self, key: &str, value: &str) -> Result<()> {
        let fail = |e| Error::git("cannot write the repository's git config", e);
        let config = self.repo.config().map_err(fail)?;
        let mut local = config.open_level(git2::ConfigLevel::Local).map_err(fail)?;
        local.set_str(key, value).map_err(fail)
    }
}

/// A file that differs between two trees: its path, and what it is in the
/// newer (its blob and mode), `None` when it is gone.
struct Change {
    path: Vec<u8>,
    now: Option<(Oid, i32)>,
}

/// The paths of `changes` that are UTF-8.
fn paths_of(changes: &[Change]) -> BTreeSet<String> {
    let paths = changes.iter().map(|c| std::str::from_utf8(&c.path));
    paths
        .filter_map(|path| Some(path.ok()?.to_owned()))
        .collect()
}

/// The index entry of a blob `id` of `size` bytes at `path`, with `mode`:
/// what a merge in memory stages (no time, device or owner).
fn blob_entry(path: &str, mode: u32, id: Oid, size: usize) -> IndexEntry {
    IndexEntry {
        ctime: IndexTime::new(0, 0),
        mtime: IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode,
        uid: 0,
        gid: 0,
        file_size: u32::try_from(size).unwrap_or(u32::MAX),
        id,
        flags: 0,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

/// A tree entry's mode as git2 names it.
fn file_mode(mode: i32) -> git2::FileMode {
    use git2::FileMode;
    [
        FileMode::BlobExecutable,
        FileMode::Link,
        FileMode::Commit,
        FileMode::BlobGroupWritable,
        FileMode::Tree,
    ]
    .into_iter()
    .find(|kind| i32::from(*kind) == mode)
    .unwrap_or(FileMode::Blob)
}

/// The folders above a `/`-separated path, as paths.
fn folders_of(path: &[u8]) -> impl Iterator<Item = &[u8]> {
    let slashes = path.iter().enumerate().filter(|(_, &b)| b == b'/');
    slashes.filter_map(|(at, _)| path.get(..at))
}

/// Make `path` a symbolic link to `target` (a link's content in git).
#[cfg(unix)]
fn write_link(path: &Path, target: &[u8]) -> Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let target = Path::new(std::ffi::OsStr::from_bytes(target));
    // Named as the temporary files the next command cleans up.
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = path.with_file_name(format!(".ledger-{name}.tmp"));
    remove_if_there(&temporary)?;
    std::os::unix::fs::symlink(target, &temporary).map_err(|e| Error::io(&temporary, e))?;
    fs::rename(&temporary, path).map_err(|e| Error::io(path, e))
}

/// Where there are no symbolic links, git writes a link as a file holding
/// its target.
#[cfg(not(unix))]
fn write_link(path: &Path, target: &[u8]) -> Result<()> {
    store::write_atomic(path, target, false)
}

/// Give a file, or take from it, the right to run, as git records it.
#[cfg(unix)]
fn set_executable(path: &Path, executable: bool) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut permissions = fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .permissions();
    let mode = permissions.mode();
    let wanted = match executable {
        // Whoever may read it may run it, as git does.
        true => mode | ((mode & 0o444) >> 2),
        false => mode & !0o111,
    };
    if wanted != mode {
        permissions.set_mode(wanted);
        fs::set_permissions(path, permissions).map_err(|e| Error::io(path, e))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn set_executable(_: &Path, _: bool) -> Result<()> {
    Ok(())
}

/// The repository at `git_dir`, opened again for another thread, as
/// [`super::find_repository`] opens it (from `GIT_DIR` when that is set).
fn open_again(git_dir: &Path) -> Result<Repository> {
    super::find_repository(git_dir).map_err(|e| Error::git("cannot open the git repository", e))
}

/// Why a push into the repository `there`, moving its branch `refname`,
/// must not be made as ledger makes it (objects and branch written
/// straight in): where `git push` would be refused by the other side
/// (its checked-out branch, `receive.denyCurrentBranch`), or runs hooks
/// there that ledger cannot run (a policy, a notice to the team).
fn refused_on_receipt(there: &Repository, refname: &str) -> Option<String> {
    let config = there.config().ok();
    let setting = |key: &str| config.as_ref()?.get_string(key).ok();
    let checked_out = !there.is_bare()
        && there
            .find_reference("HEAD")
            .ok()
            .and_then(|head| head.symbolic_target().ok().flatten().map(str::to_owned))
            .is_some_and(|target| target == refname);
    let allowed = setting("receive.denyCurrentBranch").is_some_and(|v| {
        ["ignore", "warn", "false", "no", "off", "0"].contains(&v.to_lowercase().as_str())
    });
    if checked_out && !allowed {
        let branch = refname.strip_prefix("refs/heads/").unwrap_or(refname);
        return Some(format!(
            "its work tree has `{}` checked out, which git refuses to move under it (receive.denyCurrentBranch); push to a bare repository",
            printable(branch)
        ));
    }
    let hooks = match setting("core.hooksPath") {
        Some(dir) => there.workdir().unwrap_or(there.path()).join(dir),
        None => there.path().join("hooks"),
    };
    const ON_RECEIPT: [&str; 6] = [
        "pre-receive",
        "update",
        "proc-receive",
        "reference-transaction",
        "post-receive",
        "post-update",
    ];
    let runs = |name: &&str| is_executable(&hooks.join(name));
    ON_RECEIPT.into_iter().find(runs).map(|hook| {
        format!(
            "it runs git's `{hook}` hook on a push, which ledger cannot run; push with `git push`"
        )
    })
}

/// Whether `path` is a file git would run as a hook.
fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

fn moved_on(url: &str) -> String {
    format!("{url} moved on while syncing (someone pushed just now)")
}

/// The folder a remote URL names, when libgit2 reaches it without a
/// network: a `file://` URL, or the path of a folder.
fn local_folder(url: &str) -> Option<PathBuf> {
    if let Some(rest) = url.strip_prefix("file://") {
        let path = rest.strip_prefix("localhost").unwrap_or(rest);
        return Some(PathBuf::from(percent_decoded(path)?));
    }
    let path = Path::new(url);
    (!url.contains("://") && path.is_dir()).then(|| path.to_path_buf())
}

/// `%XX` escapes decoded, as in a `file://` URL; `None` if that is not text.
fn percent_decoded(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        let escaped = match tail {
            [high, low, after @ ..] if byte == b'%' => {
                let hex = |b: u8| char::from(b).to_digit(16);
                hex(*high).zip(hex(*low)).map(|(h, l)| (h * 16 + l, after))
            }
            _ => None,
        };
        match escaped {
            Some((value, after)) => {
                bytes.push(u8::try_from(value).ok()?);
                rest = after;
            }
            None => {
                bytes.push(byte);
                rest = tail;
            }
        }
    }
    String::from_utf8(bytes).ok()
}

/// `url` without the user name and password it may hold, to be shown
/// (`https://me:secret@host/x` → `https://host/x`, `me@host:x` → `host:x`).
fn without_credentials(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at_checked(end).unwrap_or((rest, ""));
        let host = authority
            .rsplit_once('@')
            .map_or(authority, |(_, host)| host);
        return format!("{scheme}://{host}{path}");
    }
    // The short form ssh takes, `user@host:path`; a path (with a `/`
    // before any `:`) is left as it is.
    match url.split_once(':') {
        Some((before, after)) if !before.contains(['/', '\\']) => match before.rsplit_once('@') {
            Some((_, host)) => format!("{host}:{after}"),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}

/// Whether `url` names a folder on this machine (a path, or a `file://`
/// URL) that is not there. A URL with a scheme, or `host:path` as ssh
/// takes it, is not a folder.
fn missing_folder(url: &str) -> bool {
    let path = match url.strip_prefix("file://") {
        Some(path) => path,
        None if !is_path(url) => return false,
        None => url,
    };
    !path.is_empty() && !Path::new(path).exists()
}

/// Whether a remote's URL is a path (`../team.git`, `/srv/team.git`): not
/// a URL with a scheme, nor `host:path` as ssh takes it (unless the `:`
/// comes after a `/`, as in `./a:b`).
fn is_path(url: &str) -> bool {
    let host_and_path = url
        .find(':')
        .and_then(|colon| url.get(..colon))
        .is_some_and(|host| !host.contains('/'));
    !url.contains("://") && !host_and_path
}

/// `err` with its message scrubbed as [`scrub`] does: what is kept of it
/// may be shown, or logged, by anyone.
fn scrubbed(err: &git2::Error, url: &str) -> git2::Error {
    git2::Error::new(err.code(), err.class(), scrub(err.message(), url))
}

/// A message from libgit2 or a remote with `url`, and any other URL in
/// it, shown without user names and passwords.
fn scrub(message: &str, url: &str) -> String {
    let message = if url.is_empty() {
        message.to_owned()
    } else {
        message.replace(url, &without_credentials(url))
    };
    let mut shown = String::with_capacity(message.len());
    let mut rest = message.as_str();
    while let Some((head, tail)) = rest.split_once("://") {
        shown.push_str(head);
        shown.push_str("://");
        let end = tail
            .find(|c: char| c.is_whitespace() || "/?#'\"<>()".contains(c))
            .unwrap_or(tail.len());
        let (authority, after) = tail.split_at_checked(end).unwrap_or((tail, ""));
        shown.push_str(
            authority
                .rsplit_once('@')
                .map_or(authority, |(_, host)| host),
        );
        rest = after;
    }
    shown.push_str(rest);
    shown
}

/// How much of what a remote says while it takes a push is kept, to
/// explain a refusal.
const REMOTE_SAYS_AT_MOST: usize = 4096;

/// How long a remote may take to answer at all (SPEC section 7, "Networks").
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a transfer may go on without a sign of life from the remote.
const SILENCE_TIMEOUT: Duration = Duration::from_secs(60);

/// How often the waiting thread looks at what has been heard.
const LOOK_EVERY: Duration = Duration::from_millis(50);

/// What the thread talking to a remote has heard from it, for the thread
/// waiting on it; and whether the waiting thread has given up.
#[derive(Debug)]
struct Heard {
    start: Instant,
    /// When the remote last gave a sign of life, in milliseconds after `start`.
    last: AtomicU64,
    connected: AtomicBool,
    given_up: AtomicBool,
}

impl Heard {
    fn new() -> Heard {
        Heard {
            start: Instant::now(),
            last: AtomicU64::new(0),
            connected: AtomicBool::new(false),
            given_up: AtomicBool::new(false),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The remote said something; whether to carry on (not once the
    /// waiting thread has given up).
    fn alive(&self) -> bool {
        self.last.store(self.now(), Ordering::Relaxed);
        !self.given_up.load(Ordering::Relaxed)
    }

    /// The remote answered the connection.
    fn connected(&self) {
        self.alive();
        self.connected.store(true, Ordering::Relaxed);
    }

    /// Why to give up now, if it is time to.
    fn overdue(&self) -> Option<String> {
        if !self.connected.load(Ordering::Relaxed) {
            return (self.start.elapsed() >= CONNECT_TIMEOUT).then(|| {
                format!(
                    "no answer while connecting (gave up after {} seconds)",
                    CONNECT_TIMEOUT.as_secs()
                )
            });
        }
        let silent = self.now().saturating_sub(self.last.load(Ordering::Relaxed));
        (u128::from(silent) >= SILENCE_TIMEOUT.as_millis()).then(|| {
            format!(
                "the connection was made, then nothing came for {} seconds (gave up)",
                SILENCE_TIMEOUT.as_secs()
            )
        })
    }
}

/// A connection to a remote, for the work done over it.
struct Talking<'t, 'repo, 'conn, 'cb> {
    connection: &'t mut RemoteConnection<'repo, 'conn, 'cb>,
    credentials: &'t Credentials<'t>,
    heard: &'t Heard,
    /// What is being done ("fetch from", "push to"), for errors.
    doing: &'static str,
    url: &'t str,
}

impl Talking<'_, '_, '_, '_> {
    /// An error of the exchange, explained.
    fn explain(&self, err: git2::Error) -> Error {
        self.credentials.explain(self.doing, self.url, err)
    }
}

/// Run `work`, an exchange with the remote at `url`, on a thread of its
/// own, and give up on it when the remote does not answer the connection
/// in time, or falls silent too long. libgit2 has no safe way to bound its
/// waits (its timeouts are process-wide settings that git2 offers only as
/// `unsafe`, and its ssh handshake waits on regardless), so the thread is
/// left behind, blocked, to end with the process: everything it would do
/// after a sign of life is refused, and whatever it fetched is only
/// objects and a remote-tracking branch.
fn talk<T: Send + 'static>(
    doing: &str,
    url: &str,
    work: impl FnOnce(&Heard) -> Result<T> + Send + 'static,
) -> Result<T> {
    let heard = Arc::new(Heard::new());
    let (sender, receiver) = mpsc::channel();
    let theirs = Arc::clone(&heard);
    // No git error says why here: the reason becomes one, as a remote's
    // own refusal would be.
    let failed = |why: &str| Error::Remote {
        doing: format!("cannot {doing} {}", without_credentials(url)),
        source: git2::Error::from_str(why),
    };
    std::thread::Builder::new()
        .name("ledger sync".to_owned())
        .spawn(move || {
            // The waiting thread may have gone: then nobody needs the outcome.
            let _ = sender.send(work(&theirs));
        })
        .map_err(|e| failed(&e.to_string()))?;
    loop {
        match receiver.recv_timeout(LOOK_EVERY) {
            Ok(outcome) => return outcome,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(failed("it stopped unexpectedly"))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Some(why) = heard.overdue() {
                    heard.given_up.store(true, Ordering::Relaxed);
                    return Err(failed(&why));
                }
            }
        }
    }
}

/// The usual private key files, tried in this order after ssh-agent.
const KEY_FILES: [&str; 3] = ["id_ed25519", "id_ecdsa", "id_rsa"];

/// What has been offered to the remote so far. libgit2 asks again after
/// each refusal: every way is tried once, then it gives up, so nothing
/// ever loops or waits for a person.
#[derive(Debug, Default)]
struct Tried {
    agent: bool,
    key_files: usize,
    helper: bool,
    username: bool,
    default: bool,
    exhausted: bool,
}

/// The credentials offered to a remote, and the signs of life heard from
/// it on the way.
struct Credentials<'a> {
    config: Option<git2::Config>,
    tried: RefCell<Tried>,
    heard: &'a Heard,
}

impl<'a> Credentials<'a> {
    fn new(repo: &git2::Repository, heard: &'a Heard) -> Credentials<'a> {
        Credentials {
            config: repo.config().ok(),
            tried: RefCell::new(Tried::default()),
            heard,
        }
    }

    /// Callbacks that offer the credentials, and take every call from
    /// libgit2 as a sign of life (refused once the wait was given up on).
    fn callbacks(&self) -> RemoteCallbacks<'_> {
        let heard = self.heard;
        let mut callbacks = RemoteCallbacks::new();
        callbacks.credentials(move |url, username, allowed| {
            if !heard.alive() {
                return Err(git2::Error::from_str("given up"));
            }
            self.offer(url, username, allowed)
        });
        // libgit2 checks the certificate or host key itself (with
        // ~/.ssh/known_hosts): this only hears that the remote answered.
        callbacks.certificate_check(move |_, _| {
            heard.connected();
            match heard.alive() {
                true => Ok(git2::CertificateCheckStatus::CertificatePassthrough),
                false => Err(git2::Error::from_str("given up")),
            }
        });
        callbacks.sideband_progress(move |_| heard.alive());
        callbacks.transfer_progress(move |_| heard.alive());
        callbacks.update_tips(move |_, _, _| heard.alive());
        callbacks.push_transfer_progress(move |_, _, _| {
            heard.alive();
        });
        callbacks.push_negotiation(move |_| match heard.alive() {
            true => Ok(()),
            false => Err(git2::Error::from_str("given up")),
        });
        callbacks
    }

    fn offer(
        &self,
        url: &str,
        username: Option<&str>,
        allowed: CredentialType,
    ) -> std::result::Result<Cred, git2::Error> {
        let mut tried = self.tried.borrow_mut();
        let user = username.unwrap_or("git");
        if allowed.contains(CredentialType::SSH_KEY) {
            if !tried.agent {
                tried.agent = true;
                if let Ok(cred) = Cred::ssh_key_from_agent(user) {
                    return Ok(cred);
                }
            }
            let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"));
            while let (Some(home), Some(name)) = (&home, KEY_FILES.get(tried.key_files)) {
                tried.key_files += 1;
                let key = Path::new(home).join(".ssh").join(name);
                if key.is_file() {
                    if let Ok(cred) = Cred::ssh_key(user, None, &key, None) {
                        return Ok(cred);
                    }
                }
            }
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) && !tried.helper {
            tried.helper = true;
            if let Some(config) = &self.config {
                if let Ok(cred) = Cred::credential_helper(config, url, username) {
                    return Ok(cred);
                }
            }
        }
        if allowed.contains(CredentialType::USERNAME) && !tried.username {
            tried.username = true;
            return Cred::username(user);
        }
        if allowed.contains(CredentialType::DEFAULT) && !tried.default {
            tried.default = true;
            return Cred::default();
        }
        tried.exhausted = true;
        Err(git2::Error::from_str("no credentials left to try"))
    }

    /// The error for a failed fetch or push: how to set credentials up when
    /// that was the trouble. `url` is shown without a user name or password.
    fn explain(&self, doing: &str, url: &str, err: git2::Error) -> Error {
        let doing = format!("cannot {doing} {}", without_credentials(url));
        // libgit2 calls a folder that is not there an "unsupported URL
        // protocol"; that error alone is told as what it is.
        let unsupported = err.message().contains("unsupported URL protocol");
        let source = match unsupported && missing_folder(url) {
            true => git2::Error::from_str("there is no such folder"),
            false => scrubbed(&err, url),
        };
        let auth = self.tried.borrow().exhausted
            || err.code() == ErrorCode::Auth
            || err.class() == ErrorClass::Ssh && err.message().contains("auth");
        match auth {
            true => Error::NoCredentials { doing, source },
            false => Error::Remote { doing, source },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_folder_is_told_from_a_url() {
        let dir = tempfile::tempdir().unwrap();
        let there = dir.path().to_str().unwrap().to_owned();
        let gone = format!("{there}/nope.git");
        let cases = [
            (gone.as_str(), true),
            (&format!("file://{gone}"), true),
            ("./no/such/folder.git", true),
            (there.as_str(), false),
            (&format!("file://{there}"), false),
            ("https://example.com/sales.git", false),
            ("ssh://git@example.com/sales.git", false),
            ("git@example.com:sales.git", false),
            ("", false),
        ];
        for (url, missing) in cases {
            assert_eq!(missing_folder(url), missing, "{url}");
        }
    }

    /// A tree of `files` (path, content; `None` content: a symbolic link
    /// to `x`), the paths ending in `.sh` executable.
    fn tree_of(repo: &Repository, files: &[(&str, Option<&str>)]) -> Oid {
        let mut index = repo.index().unwrap();
        index.clear().unwrap();
        for (path, content) in files {
            let (bytes, mode) = match content {
                Some(text) if path.ends_with(".sh") => (text.as_bytes(), 0o100755),
                Some(text) => (text.as_bytes(), 0o100644),
                None => (&b"x"[..], 0o120000),
            };
            let id = repo.blob(bytes).unwrap();
            index.add(&blob_entry(path, mode, id, bytes.len())).unwrap();
        }
        index.write_tree_to(repo).unwrap()
    }

    /// Files that differ, with the blob and mode each has after.
    type Seen = Vec<(Vec<u8>, Option<(Oid, i32)>)>;

    /// The files that differ between two trees are the ones libgit2's
    /// whole diff finds, with the blob and mode each has after.
    #[test]
    fn changes_are_the_files_the_whole_diff_finds() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo {
            repo: Repository::init(dir.path()).unwrap(),
            workdir: dir.path().to_path_buf(),
        };
        let base = [
            ("a.md", Some("a")),
            ("same/deep/kept.md", Some("kept")),
            ("p/changed.md", Some("one")),
            ("p/gone.md", Some("gone")),
            ("p/becomes-folder", Some("file")),
            ("q/becomes-file/x.md", Some("x")),
            ("run.sh", Some("echo")),
            ("link", None),
            ("ä/名前.md", Some("unicode")),
        ];
        let after = [
            ("a.md", Some("a")),
            ("same/deep/kept.md", Some("kept")),
            ("p/changed.md", Some("two")),
            ("p/becomes-folder/inside.md", Some("in")),
            ("q/becomes-file", Some("file now")),
            ("run.sh.md", Some("echo")),
            ("new/folder/added.md", Some("added")),
            ("link", Some("a file now")),
            ("ä/名前.md", Some("changed")),
        ];
        let (old, new) = (tree_of(&repo.repo, &base), tree_of(&repo.repo, &after));
        let (old, new) = (
            repo.repo.find_tree(old).unwrap(),
            repo.repo.find_tree(new).unwrap(),
        );
        for (from, to) in [(Some(&old), &new), (Some(&new), &old), (None, &new)] {
            let ours: Seen = repo
                .changes(from, to)
                .unwrap()
                .into_iter()
                .map(|c| (c.path, c.now))
                .collect();
            let diff = repo.repo.diff_tree_to_tree(from, Some(to), None).unwrap();
            let mut whole: Seen = Vec::new();
            for delta in diff.deltas() {
                let new = delta.new_file();
                let path = new.path_bytes().or(delta.old_file().path_bytes()).unwrap();
                let now = (delta.status() != git2::Delta::Deleted)
                    .then(|| (new.id(), i32::from(new.mode())));
                // libgit2 names a file that became a link twice (gone, then
                // new); what it is after is what counts.
                whole.retain(|(p, _)| p != path);
                whole.push((path.to_vec(), now));
            }
            whole.sort();
            let mut ours = ours;
            ours.sort();
            assert_eq!(ours, whole);
        }
    }

    #[test]
    fn ids_show_seven_hex_digits() {
        let oid = Oid::from_str("0123456789abcdef0123456789abcdef01234567").unwrap();
        assert_eq!(Id(oid).to_string(), "0123456");
        // As a commit's short id is made.
        assert_eq!(format!("{oid:.7}"), "0123456");
    }

    #[test]
    fn urls_are_shown_without_user_names_and_passwords() {
        for (url, shown) in [
            ("https://u:secretpw@host/x.git", "https://host/x.git"),
            ("https://u@host:8443/x.git", "https://host:8443/x.git"),
            ("https://p%40ss:w@rd@host", "https://host"),
            ("ssh://git@host:22/me/x.git", "ssh://host:22/me/x.git"),
            ("git@example.com:me/sales.git", "example.com:me/sales.git"),
            ("example.com:me/sales.git", "example.com:me/sales.git"),
            ("/srv/me@home:x/sales.git", "/srv/me@home:x/sales.git"),
            ("https://host/a@b", "https://host/a@b"),
            ("", ""),
        ] {
            assert_eq!(without_credentials(url), shown, "{url}");
        }
    }

    #[test]
    fn messages_lose_the_credentials_of_every_url_in_them() {
        let url = "https://u:secretpw@host/x.git";
        assert_eq!(
            scrub(
                "failed to reach https://u:secretpw@host/x.git, redirected to http://me:pw@other/y (é)",
                url
            ),
            "failed to reach https://host/x.git, redirected to http://other/y (é)"
        );
        assert_eq!(scrub("no URL here: ://", ""), "no URL here: ://");
    }

    #[test]
    fn file_urls_name_their_folder() {
        assert_eq!(
            local_folder("file:///srv/my%20ledger.git"),
            Some(PathBuf::from("/srv/my ledger.git"))
        );
        assert_eq!(
            local_folder("file://localhost/srv/x"),
            Some(PathBuf::from("/srv/x"))
        );
        assert_eq!(local_folder("file:///srv/%ff%"), None);
        assert_eq!(local_folder("https://host/x"), None);
        assert_eq!(percent_decoded("100%"), Some("100%".to_owned()));
        assert_eq!(percent_decoded("%4"), Some("%4".to_owned()));
    }
}
