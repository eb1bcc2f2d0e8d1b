//! A commit made in steps that can each be undone, so that a write that
//! fails at any step, or is killed, leaves the branch, the index and the
//! files as they were, or finished (SPEC section 7, "Failures change
//! nothing").
//!
//! The order, for a command that writes files and commits them:
//!
//! 1. [`Repo::prepare`]: the blobs, the tree and the commit object, from
//!    the new texts in memory. Nothing refers to them yet: a failure here
//!    (a full disk) leaves only objects git will prune.
//! 2. The caller writes its journal (`.git/ledger-write.json`, see
//!    `crate::git::write`), then the files, each renamed over the old one, the
//!    old one kept under a backup name until the end.
//! 3. [`Repo::stage`]: the index, with those paths as they are on disk; the
//!    index as it was kept beside it ([`Repo::put_index_back`]).
//! 4. [`Repo::move_branch`]: the branch moves to the commit, only if it still
//!    points where it did in step 1 (git's own compare-and-swap of a ref).
//!
//! The branch moves last: before it, undoing is putting back the files and
//! the index; after it, the write is done. A process killed between two
//! steps leaves the journal, from which the next command finishes or
//! undoes it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use git2::build::TreeUpdateBuilder;
use git2::{AttrCheckFlags, AttrValue, ErrorCode, FileMode, ObjectType, Oid};

use super::{Commit, Repo};
use crate::error::{Error, Result};

/// A commit whose objects are written and which no branch points to yet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Prepared {
    /// The commit's id.
    pub id: String,
    /// Where the branch pointed when it was made (`None`: an unborn branch).
    pub parent: Option<String>,
    /// The branch's full name (`refs/heads/main`), or `HEAD` when detached.
    pub branch: String,
    /// The first line of its message.
    pub summary: String,
}

impl Prepared {
    /// What a person is told of the commit once the branch points to it.
    pub fn commit(&self) -> Commit {
        Commit {
            short_id: self.id.chars().take(7).collect(),
            summary: self.summary.clone(),
        }
    }
}

/// The settings of git's that change what `git add` makes of a file,
/// read once for a commit.
struct Adding {
    config: Option<git2::Config>,
    /// `core.autocrlf` is `true` or `input`: text is stored with LF.
    autocrlf: bool,
    /// `core.fileMode` (true unless set): the execute bit is kept.
    file_mode: bool,
    /// Whether an attributes file outside the work tree (the repository's
    /// `info/attributes`, the user's) may set what changes a file's bytes.
    outside: bool,
    /// The same for each folder of the work tree asked about: its own
    /// `.gitattributes`, or one above it.
    folders: RefCell<HashMap<PathBuf, bool>>,
}

/// The attributes that change the bytes `git add` stores, found in an
/// attributes file's text (as words, generously: `context` counts too,
/// which only costs a lookup).
fn may_change_bytes(text: &[u8]) -> bool {
    let text = String::from_utf8_lossy(text);
    ["text", "eol", "crlf", "ident", "filter"]
        .iter()
        .any(|word| text.contains(word))
}

impl Adding {
    /// Whether any attributes file that applies to `rel` (below
    /// `workdir`) may set an attribute that changes its bytes: when none
    /// does, asking libgit2 for each attribute of each file (five lookups
    /// a file, a tenth of an import's time) can be skipped.
    fn attributes_may_apply(&self, workdir: &Path, rel: &str) -> bool {
        if self.outside {
            return true;
        }
        let folder = Path::new(rel).parent().unwrap_or(Path::new(""));
        self.folder_may_apply(workdir, folder)
    }

    fn folder_may_apply(&self, workdir: &Path, folder: &Path) -> bool {
        if let Some(known) = self.folders.borrow().get(folder) {
            return *known;
        }
        // An in-tree `.gitattributes` that is a link git does not read;
        // one that is not a file is not waited on.
        let own = crate::ledger::read::read_regular(&workdir.join(folder).join(".gitattributes"))
            .ok()
            .flatten()
            .is_some_and(|text| may_change_bytes(&text));
        let above = match folder.parent() {
            Some(parent) if !folder.as_os_str().is_empty() => {
                self.folder_may_apply(workdir, parent)
            }
            _ => false,
        };
        self.folders
            .borrow_mut()
            .insert(folder.to_path_buf(), own || above);
        own || above
    }

    /// Whether git would run the filter driver `name` when it stores a
    /// file: one with a `clean` or `process` command, or `required`.
    fn runs_filter(&self, name: &str) -> bool {
        let Some(config) = &self.config else {
            return true;
        };
        let set = |key: &str| config.get_string(&format!("filter.{name}.{key}")).is_ok();
        let required = config
            .get_bool(&format!("filter.{name}.required"))
            .unwrap_or(false);
        set("clean") || set("process") || required
    }

    fn of(repo: &git2::Repository) -> Adding {
        let config = repo.config().and_then(|mut c| c.snapshot()).ok();
        let settings = config.as_ref();
        // The attributes files outside the work tree, as git reads them.
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let user_file = settings
            .and_then(|c| c.get_path("core.attributesFile").ok())
            .or_else(|| {
                let config_home = std::env::var_os("XDG_CONFIG_HOME")
                    .map(PathBuf::from)
                    .or_else(|| home.map(|home| home.join(".config")))?;
                Some(config_home.join("git/attributes"))
            });
        let outside = [Some(repo.path().join("info/attributes")), user_file]
            .into_iter()
            .flatten()
            .any(|file| {
                crate::ledger::read::read_file(&file, "an attributes file")
                    .is_ok_and(|text| may_change_bytes(&text))
            });
        Adding {
            outside,
            folders: RefCell::new(HashMap::new()),
            autocrlf: settings
                .and_then(|c| c.get_string("core.autocrlf").ok())
                .is_some_and(|v| !v.eq_ignore_ascii_case("false")),
            file_mode: settings
                .and_then(|c| c.get_bool("core.filemode").ok())
                .unwrap_or(true),
            config,
        }
    }
}

/// The id git gives a file of these bytes (`git hash-object`).
pub fn blob_id(bytes: &[u8]) -> String {
    Oid::hash_object(ObjectType::Blob, bytes).map_or_else(|_| String::new(), |id| id.to_string())
}

fn oid(text: &str) -> Result<Oid> {
    Oid::from_str(text).map_err(|e| Error::git("a damaged journal", e))
}

impl Repo {
    /// The branch HEAD names (`refs/heads/main`, or `HEAD` when detached)
    /// and the commit it points to (`None` while it is unborn).
    pub fn branch_tip(&self) -> Result<(String, Option<String>)> {
        let fail = |e| Error::git("cannot read HEAD", e);
        let head = self.repo.find_reference("HEAD").map_err(fail)?;
        let branch = head
            .symbolic_target()
            .map_err(fail)?
            .unwrap_or("HEAD")
            .to_owned();
        let tip = match self.repo.refname_to_id(&branch) {
            Ok(id) => Some(id.to_string()),
            Err(err) if err.code() == ErrorCode::NotFound => None,
            Err(err) => return Err(fail(err)),
        };
        Ok((branch, tip))
    }

    /// The lock files git holds while it writes the index and the branch:
    /// one left by a process that was stopped blocks every write.
    fn git_locks(&self) -> Vec<PathBuf> {
        let git = self.repo.path();
        let mut index_lock = self.index_file().into_os_string();
        index_lock.push(".lock");
        let mut locks = vec![PathBuf::from(index_lock), git.join("HEAD.lock")];
        if let Ok((branch, _)) = self.branch_tip() {
            if branch != "HEAD" {
                // Branches live in the common folder, which a linked work
                // tree shares with the main one.
                let common = self.repo.commondir();
                locks.push(common.join(format!("{branch}.lock")));
            }
        }
        locks
    }

    /// Refuse to write while git's lock files are there: someone else's,
    /// since a stopped `ledger`'s are cleared first ([`Repo::clear_stale_locks`]).
    pub fn check_unlocked(&self) -> Result<()> {
        match self.git_locks().into_iter().find(|lock| lock.exists()) {
            Some(lock) => Err(crate::ledger::store::locked_error(&lock)),
            None => Ok(()),
        }
    }

    /// Remove the lock files of [`Repo::git_locks`] that a stopped process
    /// left; a live process's is reported.
    pub fn clear_stale_locks(&self) -> Result<()> {
        self.git_locks()
            .iter()
            .try_for_each(|lock| crate::ledger::store::clear_stale(lock))
    }

    /// Refuse to commit a path that git holds unmerged (a conflict left by
    /// `git stash pop`, `git checkout -m` or `git apply --3way`, which
    /// leave no merge in progress): staging it would mark the conflict
    /// resolved, with its markers in the file, where `git commit` refuses.
    pub fn check_merged(&self, rels: &[String]) -> Result<()> {
        let fail = |e| Error::git("cannot read the git index", e);
        let mut index = self.repo.index().map_err(fail)?;
        index.read(false).map_err(fail)?;
        if !index.has_conflicts() {
            return Ok(());
        }
        for conflict in index.conflicts().map_err(fail)? {
            let conflict = conflict.map_err(fail)?;
            let sides = [conflict.our, conflict.their, conflict.ancestor];
            let Some(entry) = sides.iter().flatten().next() else {
                continue;
            };
            let path = String::from_utf8_lossy(&entry.path);
            if rels.iter().any(|rel| *rel == path) {
                return Err(Error::Refused(format!(
                    "{} has a conflict git has not seen resolved: resolve it and `git add` it first",
                    crate::format::text::printable(&path)
                )));
            }
        }
        Ok(())
    }

    /// Step 1: write the objects of a commit of HEAD's tree with `changes`
    /// (each path relative to the work tree, with its new bytes, or `None`
    /// for a removed file), and nothing else. `None` when the tree would
    /// not change.
    pub fn prepare(
        &self,
        changes: &[(String, Option<&[u8]>)],
        message: &str,
    ) -> Result<Option<Prepared>> {
        let fail = |e| Error::git("cannot write git objects", e);
        let (branch, tip) = self.branch_tip()?;
        let parent = match &tip {
            Some(id) => Some(self.repo.find_commit(oid(id)?).map_err(fail)?),
            None => None,
        };
        let base = match &parent {
            Some(commit) => commit.tree().map_err(fail)?,
            None => {
                let empty = self
                    .repo
                    .treebuilder(None)
                    .and_then(|b| b.write())
                    .map_err(fail)?;
                self.repo.find_tree(empty).map_err(fail)?
            }
        };
        let adding = Adding::of(&self.repo);
        let mut updates = TreeUpdateBuilder::new();
        for (rel, bytes) in changes {
            match bytes {
                Some(bytes) => {
                    let id = self.blob_of(rel, bytes, &adding)?;
                    let executable = match self.executable_on_disk(rel, &adding) {
                        Some(executable) => executable,
                        None => base
                            .get_path(Path::new(rel))
                            .is_ok_and(|e| e.filemode() == i32::from(FileMode::BlobExecutable)),
                    };
                    let mode = if executable {
                        FileMode::BlobExecutable
                    } else {
                        FileMode::Blob
                    };
                    updates.upsert(rel.as_str(), id, mode);
                }
                None => {
                    updates.remove(rel.as_str());
                }
            }
        }
        let tree_id = updates.create_updated(&self.repo, &base).map_err(fail)?;
        if parent.is_some() && tree_id == base.id() {
            return Ok(None);
        }
        let tree = self.repo.find_tree(tree_id).map_err(fail)?;
        let author = self.repo.author_from_env().map_err(fail)?;
        let committer = self.repo.committer_from_env().map_err(fail)?;
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        let id = self
            .repo
            .commit(None, &author, &committer, message, &tree, &parents)
            .map_err(fail)?;
        Ok(Some(Prepared {
            id: id.to_string(),
            parent: tip,
            branch,
            summary: message.lines().next().unwrap_or("").to_owned(),
        }))
    }

    /// The blob of `bytes` for the file at `rel`, as `git add` makes it:
    /// through the end-of-line conversion that git's settings and
    /// attributes ask for, as libgit2 stages the file, so that the commit
    /// and the index agree. A file with a filter driver (`filter=` in
    /// `.gitattributes`: git-lfs, a clean script) is refused: libgit2 runs
    /// none, and its bytes would go into history unfiltered.
    fn blob_of(&self, rel: &str, bytes: &[u8], adding: &Adding) -> Result<Oid> {
        let fail = |e| Error::git("cannot write git objects", e);
        if !adding.autocrlf && !adding.attributes_may_apply(&self.workdir, rel) {
            return self.repo.blob(bytes).map_err(fail);
        }
        let path = Path::new(rel);
        let attribute = |name: &str| {
            self.repo
                .get_attr_bytes(path, name, AttrCheckFlags::FILE_THEN_INDEX)
                .map(AttrValue::from_bytes)
                .map_err(fail)
        };
        // A driver git would run (one with a command, or required): git
        // passes the bytes through one that is named but not set up.
        let driver = match attribute("filter")? {
            AttrValue::String(name) => Some(name.to_owned()),
            AttrValue::Bytes(name) => Some(String::from_utf8_lossy(name).into_owned()),
            _ => None,
        };
        if let Some(name) = driver.filter(|name| adding.runs_filter(name)) {
            return Err(Error::Refused(format!(
                "{} goes through the git filter `{}` (`filter=` in .gitattributes), which ledger cannot run; commit it with git",
                crate::format::text::printable(rel),
                crate::format::text::printable(&name)
            )));
        }
        let mut converts = adding.autocrlf;
        for name in ["text", "eol", "crlf", "ident"] {
            converts = converts || !matches!(attribute(name)?, AttrValue::Unspecified);
        }
        if !converts {
            return self.repo.blob(bytes).map_err(fail);
        }
        let mut writer = self.repo.blob_writer(Some(path)).map_err(fail)?;
        std::io::Write::write_all(&mut writer, bytes)
            .map_err(|e| Error::io(self.repo.path().join("objects"), e))?;
        writer.commit().map_err(fail)
    }

    /// Whether the file at `rel` is executable on disk, where git heeds
    /// that (`core.fileMode`, true unless set): `git add` stages the mode
    /// the file has, and the commit must agree. `None` when the file is
    /// not there yet, or its mode is not heeded.
    fn executable_on_disk(&self, rel: &str, adding: &Adding) -> Option<bool> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let meta = fs::symlink_metadata(self.workdir.join(rel)).ok()?;
            // As git: the owner's execute bit.
            (adding.file_mode && meta.is_file()).then(|| meta.permissions().mode() & 0o100 != 0)
        }
        #[cfg(not(unix))]
        {
            let _ = (rel, adding);
            None
        }
    }

    /// The index file: `.git/index`, or where `GIT_INDEX_FILE` puts it.
    pub(crate) fn index_file(&self) -> PathBuf {
        let named = self
            .repo
            .index()
            .ok()
            .and_then(|i| i.path().map(Path::to_path_buf));
        named.unwrap_or_else(|| self.repo.path().join("index"))
    }

    /// Where [`Repo::stage`] keeps the index as it was until the write ends.
    fn index_backup(&self) -> PathBuf {
        self.repo.path().join("ledger-index.bak")
    }

    /// Step 3: stage `rels` (relative to the work tree) as they are on
    /// disk, a missing one removed, and nothing else; the index as it was
    /// is kept (a second name for the same file, which git's rename of the
    /// new index leaves alone) until [`Repo::drop_index_backup`] or
    /// [`Repo::put_index_back`].
    pub fn stage(&self, rels: &[String]) -> Result<()> {
        let fail = |e| Error::git("cannot write the git index", e);
        let index_path = self.index_file();
        let backup = self.index_backup();
        let _ = fs::remove_file(&backup);
        if index_path.exists() {
            fs::hard_link(&index_path, &backup).map_err(|e| Error::io(&backup, e))?;
        }
        let result = (|| {
            let mut index = self.repo.index().map_err(fail)?;
            // The index may have been read before this command took its
            // turn (see `discover_ahead`): read it again if it changed since.
            index.read(false).map_err(fail)?;
            for rel in rels {
                if self.workdir.join(rel).exists() {
                    index.add_path(Path::new(rel)).map_err(fail)?;
                } else {
                    let _ = index.remove_path(Path::new(rel));
                }
            }
            index.write().map_err(fail)
        })();
        if result.is_err() {
            self.put_index_back();
        }
        result
    }

    /// The index entries of `rels` as HEAD holds them (`git reset --
    /// PATHS`), the files left as they are.
    pub fn unstage(&self, rels: &[String]) -> Result<()> {
        if rels.is_empty() {
            return Ok(());
        }
        let fail = |e| Error::git("cannot write the git index", e);
        let head = self
            .repo
            .head()
            .and_then(|head| head.peel(ObjectType::Commit))
            .map_err(fail)?;
        self.repo
            .reset_default(Some(&head), rels.iter().map(String::as_str))
            .map_err(fail)
    }

    /// Undo [`Repo::stage`]: the index as it was, by a rename, which needs
    /// no room on a full disk.
    pub fn put_index_back(&self) {
        let backup = self.index_backup();
        if backup.exists() {
            let _ = fs::rename(&backup, self.index_file());
            // When the index was never replaced, the backup is a second
            // name of the same file, and a rename between two names of one
            // file does nothing: the backup must not outlive this write.
            let _ = fs::remove_file(&backup);
        }
    }

    /// The write is done: the index as it was is no longer needed.
    pub fn drop_index_backup(&self) {
        let _ = fs::remove_file(self.index_backup());
    }

    /// Step 4: move the branch to the prepared commit, if it still points
    /// where it did when the commit was prepared.
    pub fn move_branch(&self, prepared: &Prepared) -> Result<Commit> {
        let id = oid(&prepared.id)?;
        let message = format!("commit: {}", prepared.summary);
        let moved = match &prepared.parent {
            Some(parent) => self
                .repo
                .reference_matching(&prepared.branch, id, true, oid(parent)?, &message)
                .map(|_| ()),
            None => self
                .repo
                .reference(&prepared.branch, id, false, &message)
                .map(|_| ()),
        };
        match moved {
            Ok(()) => Ok(prepared.commit()),
            // The branch may have moved before the step failed (its log,
            // written after, may not have been): then the write is done.
            Err(_) if self.branch_tip()?.1.as_deref() == Some(prepared.id.as_str()) => {
                Ok(prepared.commit())
            }
            Err(err) => Err(Error::git(
                format!("cannot move {} to the new commit", prepared.branch),
                err,
            )),
        }
    }
}
