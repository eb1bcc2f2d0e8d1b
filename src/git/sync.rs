//! The git side of `ledger sync`: the current branch and its remote, fetch
//! and push with credentials that never wait for a password, the merge of
//! two commits with a say for the caller on each file both sides changed,
//! and the way back to where the repository stood.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use git2::build::CheckoutBuilder;
use git2::{
    Cred, CredentialType, ErrorClass, ErrorCode, FetchOptions, IndexEntry, IndexTime, Oid,
    PushOptions, RemoteCallbacks, Tree,
};

use super::{git_error, Repo};
use crate::error::{Error, Result};
use crate::store;

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
    Clash(Vec<String>),
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

/// The outcome of merging two commits' trees.
#[derive(Debug)]
pub enum TreeMerge {
    /// Merged: the tree to commit.
    Clean(Oid),
    /// Files that clash, each with what clashes in it.
    Clashes(Vec<(String, Vec<String>)>),
}

/// Where the repository stood, to go back to: the branch's commit and the
/// index file as it was.
#[derive(Debug)]
pub struct Saved {
    branch: Branch,
    index: Option<Vec<u8>>,
}

impl Repo {
    fn index_path(&self) -> PathBuf {
        self.repo.path().join("index")
    }

    fn refname(branch: &str) -> String {
        format!("refs/heads/{branch}")
    }

    /// The branch HEAD is on; an error on a detached HEAD.
    pub fn branch(&self) -> Result<Branch> {
        let head = self
            .repo
            .find_reference("HEAD")
            .map_err(|e| git_error("cannot read HEAD", e))?;
        let Ok(Some(target)) = head.symbolic_target() else {
            return Err(Error::Message(format!(
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
            Err(err) => return Err(git_error("cannot read HEAD", err)),
        };
        Ok(Branch { name, tip })
    }

    /// Remember where the repository stands now.
    pub fn save(&self) -> Result<Saved> {
        let path = self.index_path();
        let index = match fs::read(&path) {
            Ok(bytes) => Some(bytes),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(err) => return Err(Error::io(&path, err)),
        };
        Ok(Saved {
            branch: self.branch()?,
            index,
        })
    }

    /// Go back to `saved`. When the work tree was moved from commit `from`
    /// to commit `to`, the files that differ between them are put back as
    /// they are in `from` (which holds everything the work tree had).
    pub fn restore(&self, saved: &Saved, moved: Option<(Id, Id)>) -> Result<()> {
        let fail = |e| git_error("cannot put the repository back as it was", e);
        if let Some((from, to)) = moved {
            let from_tree = self.tree_of(from.0).map_err(fail)?;
            let to_tree = self.tree_of(to.0).map_err(fail)?;
            for path in self.changed_between(Some(&from_tree), &to_tree)? {
                let full = self.workdir.join(&path);
                match from_tree.get_path(Path::new(&path)) {
                    Ok(entry) => {
                        let blob = self.repo.find_blob(entry.id()).map_err(fail)?;
                        if let Some(dir) = full.parent() {
                            fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
                        }
                        store::write_atomic(&full, blob.content(), false)?;
                    }
                    Err(_) => {
                        let _ = fs::remove_file(&full);
                    }
                }
            }
        }
        let refname = Repo::refname(&saved.branch.name);
        match saved.branch.tip {
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
        let path = self.index_path();
        match &saved.index {
            Some(bytes) => store::write_atomic(&path, bytes, false)?,
            None => {
                let _ = fs::remove_file(&path);
            }
        }
        Ok(())
    }

    fn tree_of(&self, commit: Oid) -> std::result::Result<Tree<'_>, git2::Error> {
        self.repo.find_commit(commit)?.tree()
    }

    /// The paths whose content differs between two trees, sorted.
    fn changed_between(&self, old: Option<&Tree>, new: &Tree) -> Result<BTreeSet<String>> {
        let diff = self
            .repo
            .diff_tree_to_tree(old, Some(new), None)
            .map_err(|e| git_error("cannot compare commits", e))?;
        let mut paths = BTreeSet::new();
        for delta in diff.deltas() {
            for file in [delta.old_file(), delta.new_file()] {
                if let Some(path) = file.path().and_then(Path::to_str) {
                    paths.insert(path.to_owned());
                }
            }
        }
        Ok(paths)
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
            Err(_) => Err(Error::Message(format!(
                "there is no git remote `{name}` to sync with; add one with\n  git remote add {name} URL\nnothing was changed"
            ))),
        }
    }

    /// The branch of the remote that `branch` syncs with: its configured
    /// upstream branch, else one of the same name.
    fn upstream_branch(&self, branch: &str) -> String {
        self.repo
            .config()
            .ok()
            .and_then(|c| c.get_string(&format!("branch.{branch}.merge")).ok())
            .and_then(|m| m.strip_prefix("refs/heads/").map(str::to_owned))
            .unwrap_or_else(|| branch.to_owned())
    }

    /// Fetch the remote's branch; its commit, `None` if it has no such branch yet.
    pub fn fetch(&self, remote: &str, branch: &str) -> Result<Option<Id>> {
        let upstream = self.upstream_branch(branch);
        let tracking = format!("refs/remotes/{remote}/{upstream}");
        let (mut handle, url, credentials) = self.open_remote(remote)?;
        let mut options = FetchOptions::new();
        options.remote_callbacks(credentials.callbacks());
        let refspec = format!("+refs/heads/{upstream}:{tracking}");
        let fetched = handle.fetch(&[refspec.as_str()], Some(&mut options), None);
        drop(options);
        if let Err(err) = fetched {
            // A remote branch that is not there yet is fine: the first push makes it.
            let missing = err.code() == ErrorCode::NotFound
                || err.message().contains("couldn't find remote ref");
            if !missing {
                return Err(credentials.explain("fetch from", &url, err));
            }
        }
        match self.repo.refname_to_id(&tracking) {
            Ok(id) => Ok(Some(Id(id))),
            Err(err) if err.code() == ErrorCode::NotFound => Ok(None),
            Err(err) => Err(git_error("cannot read what was fetched", err)),
        }
    }

    /// How many commits `local` has that `remote` lacks, and the other way round.
    pub fn ahead_behind(&self, local: Id, remote: Id) -> Result<(usize, usize)> {
        self.repo
            .graph_ahead_behind(local.0, remote.0)
            .map_err(|e| git_error("cannot compare the branches", e))
    }

    /// How many commits `id` has in its history, itself included.
    pub fn history_len(&self, id: Id) -> Result<usize> {
        let fail = |e| git_error("cannot walk the history", e);
        let mut walk = self.repo.revwalk().map_err(fail)?;
        walk.push(id.0).map_err(fail)?;
        Ok(walk.count())
    }

    /// Merge commit `theirs` into `ours` in memory. For each file both sides
    /// changed (and still have), `resolve` gets its path and its three
    /// versions, and says what to do; files it leaves to git
    /// and git cannot merge clash.
    pub fn merge_commits(
        &self,
        ours: Id,
        theirs: Id,
        resolve: &mut dyn FnMut(&str, Sides) -> Result<FileMerge>,
    ) -> Result<TreeMerge> {
        let fail = |e| git_error("cannot merge", e);
        let our_commit = self.repo.find_commit(ours.0).map_err(fail)?;
        let their_commit = self.repo.find_commit(theirs.0).map_err(fail)?;
        let base = self.repo.merge_base(ours.0, theirs.0).ok();
        let base_tree = match base {
            Some(base) => Some(self.tree_of(base).map_err(fail)?),
            None => None,
        };
        let our_tree = our_commit.tree().map_err(fail)?;
        let their_tree = their_commit.tree().map_err(fail)?;
        let mut index = self
            .repo
            .merge_commits(&our_commit, &their_commit, None)
            .map_err(fail)?;

        let ours_changed = self.changed_between(base_tree.as_ref(), &our_tree)?;
        let theirs_changed = self.changed_between(base_tree.as_ref(), &their_tree)?;
        let mut clashes = Vec::new();
        let mut settled = BTreeSet::new();
        for path in ours_changed.intersection(&theirs_changed) {
            let content = |tree: &Tree| -> Result<Option<(Vec<u8>, i32)>> {
                match tree.get_path(Path::new(path)) {
                    Ok(entry) => {
                        let blob = self.repo.find_blob(entry.id()).map_err(fail)?;
                        Ok(Some((blob.content().to_vec(), entry.filemode())))
                    }
                    Err(_) => Ok(None),
                }
            };
            let base = match &base_tree {
                Some(tree) => content(tree)?,
                None => None,
            };
            let (Some((ours, mode)), Some((theirs, _))) =
                (content(&our_tree)?, content(&their_tree)?)
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
                    let id = self.repo.blob(&bytes).map_err(fail)?;
                    let _ = index.conflict_remove(Path::new(path));
                    index
                        .add(&IndexEntry {
                            ctime: IndexTime::new(0, 0),
                            mtime: IndexTime::new(0, 0),
                            dev: 0,
                            ino: 0,
                            mode: mode as u32,
                            uid: 0,
                            gid: 0,
                            file_size: bytes.len() as u32,
                            id,
                            flags: 0,
                            flags_extended: 0,
                            path: path.as_bytes().to_vec(),
                        })
                        .map_err(fail)?;
                    settled.insert(path.clone());
                }
            }
        }
        if index.has_conflicts() {
            for conflict in index.conflicts().map_err(fail)? {
                let conflict = conflict.map_err(fail)?;
                let side = conflict.our.or(conflict.their).or(conflict.ancestor);
                let Some(entry) = side else { continue };
                let path = String::from_utf8_lossy(&entry.path).into_owned();
                if settled.insert(path.clone()) {
                    clashes.push((path, vec!["changed on both sides".to_owned()]));
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

    /// Commit a merged tree with two parents, without moving any branch.
    pub fn commit_merge(&self, tree: Oid, ours: Id, theirs: Id, message: &str) -> Result<Id> {
        let fail = |e| git_error("cannot commit the merge", e);
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
    /// changes of its own in the work tree.
    pub fn advance(&self, branch: &str, from: Option<Id>, to: Id) -> Result<()> {
        let fail = |e| git_error("cannot update the work tree", e);
        let target = self.repo.find_commit(to.0).map_err(fail)?;
        let mut checkout = CheckoutBuilder::new();
        checkout.safe();
        if from.is_none() {
            // Nothing checked out yet: every file is new.
            checkout.recreate_missing(true);
        }
        self.repo
            .checkout_tree(target.as_object(), Some(&mut checkout))
            .map_err(|err| {
                if err.code() == ErrorCode::Conflict || err.class() == ErrorClass::Checkout {
                    Error::Message(format!(
                        "local changes in {} would be overwritten: commit or stash them, then sync again; nothing was changed\n({})",
                        self.workdir.display(),
                        err.message()
                    ))
                } else {
                    fail(err)
                }
            })?;
        self.repo
            .reference(&Repo::refname(branch), to.0, true, "ledger sync")
            .map_err(fail)?;
        Ok(())
    }

    /// Push the branch to the remote and make the remote's branch its upstream.
    pub fn push(&self, remote: &str, branch: &str) -> Result<()> {
        let upstream = self.upstream_branch(branch);
        let (mut handle, url, credentials) = self.open_remote(remote)?;
        let rejected: RefCell<Option<String>> = RefCell::new(None);
        let mut callbacks = credentials.callbacks();
        callbacks.push_update_reference(|_, status| {
            if let Some(why) = status {
                *rejected.borrow_mut() = Some(why.to_owned());
            }
            Ok(())
        });
        let mut options = PushOptions::new();
        options.remote_callbacks(callbacks);
        let refspec = format!("refs/heads/{branch}:refs/heads/{upstream}");
        let pushed = handle.push(&[refspec.as_str()], Some(&mut options));
        drop(options);
        if let Err(err) = pushed {
            let moved = err.code() == ErrorCode::NotFastForward
                || err.message().contains("non-fastforward")
                || err.message().contains("not fast-forward");
            if moved {
                return Err(moved_on(&url));
            }
            return Err(credentials.explain("push to", &url, err));
        }
        if let Some(why) = rejected.into_inner() {
            if why.contains("fast") || why.contains("fetch first") {
                return Err(moved_on(&url));
            }
            let why = why.trim_end_matches([':', ' ']);
            return Err(Error::Message(format!(
                "{url} refused the push: {why}; nothing was changed"
            )));
        }
        self.set_upstream(remote, branch, &upstream)
    }

    /// A remote by name, its URL (for messages), and the credentials to
    /// offer it.
    fn open_remote(&self, name: &str) -> Result<(git2::Remote<'_>, String, Credentials)> {
        let remote = self
            .repo
            .find_remote(name)
            .map_err(|e| git_error("cannot find the remote", e))?;
        let url = remote.url().unwrap_or(name).to_owned();
        Ok((remote, url, Credentials::new(&self.repo)))
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

    /// Set a key in the repository's own git config.
    pub fn set_config(&self, key: &str, value: &str) -> Result<()> {
        let fail = |e| git_error("cannot write the repository's git config", e);
        let config = self.repo.config().map_err(fail)?;
        let mut local = config.open_level(git2::ConfigLevel::Local).map_err(fail)?;
        local.set_str(key, value).map_err(fail)
    }
}

fn moved_on(url: &str) -> Error {
    Error::Message(format!(
        "{url} moved on while syncing (someone pushed just now); run `ledger sync` again; nothing was changed"
    ))
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

struct Credentials {
    config: Option<git2::Config>,
    tried: RefCell<Tried>,
}

impl Credentials {
    fn new(repo: &git2::Repository) -> Credentials {
        Credentials {
            config: repo.config().ok(),
            tried: RefCell::new(Tried::default()),
        }
    }

    fn callbacks(&self) -> RemoteCallbacks<'_> {
        let mut callbacks = RemoteCallbacks::new();
        callbacks.credentials(move |url, username, allowed| self.offer(url, username, allowed));
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
    /// that was the trouble.
    fn explain(&self, doing: &str, url: &str, err: git2::Error) -> Error {
        let auth = self.tried.borrow().exhausted
            || err.code() == ErrorCode::Auth
            || err.class() == ErrorClass::Ssh && err.message().contains("auth");
        if auth {
            return Error::Message(format!(
                "cannot {doing} {url}: no credentials were accepted ({}).\n\
                 For ssh, load your key into ssh-agent (`ssh-add`), or keep it in ~/.ssh/id_ed25519 without a passphrase.\n\
                 For https, set up a git credential helper: `git config --global credential.helper store` (or your system's helper), and let `git fetch` save the password once.\n\
                 Nothing was changed",
                err.message()
            ));
        }
        Error::Message(format!(
            "cannot {doing} {url}: {}; nothing was changed",
            err.message()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_show_seven_hex_digits() {
        let oid = Oid::from_str("0123456789abcdef0123456789abcdef01234567").unwrap();
        assert_eq!(Id(oid).to_string(), "0123456");
        // As a commit's short id is made.
        assert_eq!(format!("{oid:.7}"), "0123456");
    }
}
