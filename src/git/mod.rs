//! The git repository a ledger lives in. This is the only module that uses
//! git2: it commits exactly the files a command wrote, without scanning the
//! work tree and without touching anything else that is staged or not.

use std::path::{Path, PathBuf};

use git2::{ErrorCode, Repository, RepositoryState, Status, StatusOptions};

use crate::error::{Error, Result};
use crate::format::text::printable;
use crate::ledger::cache::OUTSIDE_GIT;
use crate::ledger::read;

mod commit;
pub mod import;
pub mod merge;
mod remote;
pub mod sync;
pub mod transaction;
pub mod write;

pub use commit::{blob_id, Prepared};
pub use remote::{Branch, FileMerge, Id, Interrupted, Move, Saved, Sides, TreeMerge};

/// A git work tree holding a ledger.
pub struct Repo {
    repo: Repository,
    workdir: PathBuf,
}

/// A commit made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// The commit's id, abbreviated.
    pub short_id: String,
    /// Its one-line message.
    pub summary: String,
}

/// A repository being found, and its index read, on another thread: a
/// large ledger's index (11 MB at 100,000 files, checksummed as it is
/// read) takes tens of milliseconds, which the caller spends finding the
/// file it will change.
pub struct Ahead(std::thread::JoinHandle<Result<Option<Repo>>>, PathBuf);

impl Ahead {
    /// The repository found, its index read; as [`Repo::discover`] says.
    pub fn join(self) -> Result<Option<Repo>> {
        // Should the thread have failed, the search is made again here.
        self.0.join().unwrap_or_else(|_| Repo::discover(&self.1))
    }
}

impl Repo {
    /// Start [`Repo::discover`] on another thread, and read the index of
    /// what it finds, which the repository then keeps (a commit reads it
    /// again only if it changed on disk meanwhile); `None` when no thread
    /// can be started, and the caller discovers it itself.
    pub fn discover_ahead(dir: &Path) -> Option<Ahead> {
        let dir = dir.to_path_buf();
        let theirs = dir.clone();
        let thread = std::thread::Builder::new().spawn(move || {
            let repo = Repo::discover(&theirs)?;
            if let Some(repo) = &repo {
                // A failure here is met again, and reported, by the commit.
                let _ = repo.repo.index();
            }
            Ok(repo)
        });
        thread.ok().map(|thread| Ahead(thread, dir))
    }

    /// The work tree holding `dir`, if it is in one.
    pub fn discover(dir: &Path) -> Result<Option<Repo>> {
        match find_repository(dir) {
            Ok(repo) => {
                let Some(workdir) = repo.workdir() else {
                    // Taken for no repository, `init` would make one inside
                    // it, which git would then find first from that path.
                    return Err(Error::Refused(format!(
                        "{} is in the bare git repository {}, which has no work tree for a ledger's files: clone it (`git clone`) and use the clone",
                        dir.display(),
                        repo.path().display()
                    )));
                };
                let workdir = workdir.canonicalize().map_err(|e| Error::io(workdir, e))?;
                Ok(Some(Repo { repo, workdir }))
            }
            Err(err) if err.code() == ErrorCode::NotFound => Ok(None),
            Err(err) => Err(Error::git(
                format!("cannot open the git repository at {}", dir.display()),
                err,
            )),
        }
    }

    /// Make `dir` a git repository (its branch as git's `init.defaultBranch` says).
    pub fn init(dir: &Path) -> Result<Repo> {
        let repo =
            Repository::init(dir).map_err(|e| Error::git("cannot create a git repository", e))?;
        let workdir = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
        Ok(Repo { repo, workdir })
    }

    /// The repository's own folder (`.git`).
    pub fn git_dir(&self) -> &Path {
        self.repo.path()
    }

    /// The work tree's top folder.
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// Where ledger commands of this repository take turns.
    pub fn lock_path(&self) -> PathBuf {
        self.repo.path().join("ledger.lock")
    }

    /// Check, before anything is written, that a commit can be made: no
    /// merge or rebase in progress, and an identity to commit as.
    pub fn check_ready(&self) -> Result<()> {
        let busy = match self.repo.state() {
            RepositoryState::Clean => None,
            RepositoryState::Merge => Some("a merge"),
            RepositoryState::Rebase
            | RepositoryState::RebaseInteractive
            | RepositoryState::RebaseMerge => Some("a rebase"),
            RepositoryState::CherryPick | RepositoryState::CherryPickSequence => {
                Some("a cherry-pick")
            }
            RepositoryState::Revert | RepositoryState::RevertSequence => Some("a revert"),
            RepositoryState::Bisect => None,
            _ => Some("a git operation"),
        };
        if let Some(what) = busy {
            return Err(Error::Refused(format!(
                "{what} is in progress in {}: finish or abort it first",
                self.workdir.display()
            )));
        }
        self.repo
            .author_from_env()
            .and_then(|_| self.repo.committer_from_env())
            .map_err(|_| Error::NoIdentity)?;
        Ok(())
    }

    /// A path's place in the work tree, `/`-separated.
    pub fn in_tree(&self, path: &Path) -> Result<String> {
        let parent = path.parent().unwrap_or(Path::new("."));
        let parent = parent.canonicalize().map_err(|e| Error::io(parent, e))?;
        self.in_tree_of(&parent, path)
    }

    /// Each path's place in the work tree, as [`Repo::in_tree`] says it,
    /// each folder's real path looked up once: an import writes thousands
    /// of files into one folder.
    pub fn relatives<'p>(&self, paths: impl IntoIterator<Item = &'p Path>) -> Result<Vec<String>> {
        let mut folders: std::collections::HashMap<&Path, PathBuf> = Default::default();
        let mut rels = Vec::new();
        for path in paths {
            let parent = path.parent().unwrap_or(Path::new("."));
            let real = match folders.get(parent) {
                Some(real) => real,
                None => {
                    let real = parent.canonicalize().map_err(|e| Error::io(parent, e))?;
                    folders.entry(parent).or_insert(real)
                }
            };
            rels.push(self.in_tree_of(real, path)?);
        }
        Ok(rels)
    }

    /// `path`'s place in the work tree, its folder's real path being `parent`.
    fn in_tree_of(&self, parent: &Path, path: &Path) -> Result<String> {
        let full = parent.join(path.file_name().unwrap_or_default());
        let rel = full.strip_prefix(&self.workdir).map_err(|_| {
            Error::Message(format!(
                "{} is outside the git work tree {}",
                path.display(),
                self.workdir.display()
            ))
        })?;
        rel.to_str()
            .map(|s| s.replace(std::path::MAIN_SEPARATOR, "/"))
            .ok_or_else(|| Error::Message(format!("{} is not a UTF-8 path", rel.display())))
    }

    /// Files below `dir` that differ from HEAD in the work tree (changed,
    /// new or deleted), as absolute paths, sorted. This scans `dir`: it is
    /// for `ledger commit`, which is asked to look.
    pub fn changed_under(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        let rel = if dir.canonicalize().ok().as_deref() == Some(self.workdir.as_path()) {
            String::new()
        } else {
            self.in_tree(dir)?
        };
        let mut options = StatusOptions::new();
        options
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false);
        if !rel.is_empty() {
            options.pathspec(&rel);
        }
        let statuses = self
            .repo
            .statuses(Some(&mut options))
            .map_err(|e| Error::git("cannot read git status", e))?;
        let interesting = Status::WT_NEW
            | Status::WT_MODIFIED
            | Status::WT_DELETED
            | Status::WT_TYPECHANGE
            | Status::WT_RENAMED
            | Status::INDEX_NEW
            | Status::INDEX_MODIFIED
            | Status::INDEX_DELETED
            | Status::CONFLICTED;
        let mut paths: Vec<PathBuf> = statuses
            .iter()
            .filter(|s| s.status().intersects(interesting))
            .filter_map(|s| s.path().ok().map(|p| self.workdir.join(p)))
            .collect();
        paths.sort();
        paths.dedup();
        Ok(paths)
    }
}

/// What a reading command learns of the repository of a ledger, from one
/// look for it.
#[derive(Debug, Clone)]
pub struct ForReading {
    /// Where the ledger's cache lives (see [`crate::ledger::cache`]): in
    /// the repository's `.git/ledger-cache/`, named for the ledger's place
    /// in the work tree, or else in the ledger's `.ledger-cache/`.
    pub cache: PathBuf,
    /// Whether a write or a sync stopped before it finished (see
    /// [`transaction::is_unfinished`], [`remote::is_unfinished`]) waits in
    /// the repository.
    pub unfinished: bool,
}

/// What a reading command learns of the repository of the ledger at `root`.
pub fn for_reading(root: &Path) -> ForReading {
    match cache_dir(root) {
        Some((dir, place)) => {
            let name = if place.is_empty() {
                "root".to_owned()
            } else {
                place.replace(['/', '\\'], "%")
            };
            ForReading {
                unfinished: transaction::is_unfinished(&dir) || remote::is_unfinished(&dir),
                cache: dir.join("ledger-cache").join(name),
            }
        }
        None => ForReading {
            cache: root.join(OUTSIDE_GIT).join("cache"),
            unfinished: false,
        },
    }
}

/// The repository holding `dir`, as git finds it: from `GIT_DIR` (and
/// `GIT_WORK_TREE`) when they are set, as every git command does (a
/// repository kept apart from its work tree), else by looking up from
/// `dir`.
pub(crate) fn find_repository(dir: &Path) -> std::result::Result<Repository, git2::Error> {
    let Some(git_dir) = std::env::var_os("GIT_DIR") else {
        return Repository::discover(dir);
    };
    // Any failure here is an error, never "no repository": `init` would
    // then make one that git does not use.
    let failed = |why: String| {
        let message = format!("GIT_DIR names {}, {why}", Path::new(&git_dir).display());
        git2::Error::new(
            ErrorCode::GenericError,
            git2::ErrorClass::Repository,
            message,
        )
    };
    let repo = Repository::open_from_env()
        .map_err(|e| failed(format!("which git cannot open ({})", e.message())))?;
    // The work tree as git takes it: GIT_WORK_TREE, from where the command
    // runs; else `core.worktree`; else, for a repository that is not bare,
    // where the command runs (libgit2 would take the git folder's parent).
    let here = std::env::current_dir().map_err(|e| failed(e.to_string()))?;
    let configured = repo
        .config()
        .and_then(|mut c| c.snapshot())
        .is_ok_and(|c| c.get_str("core.worktree").is_ok());
    match std::env::var_os("GIT_WORK_TREE") {
        Some(tree) => repo.set_workdir(&here.join(tree), false)?,
        None if !configured && !repo.is_bare() => repo.set_workdir(&here, false)?,
        None => {}
    }
    Ok(repo)
}

/// git's `user.name` for the ledger at `root`, as a commit there would
/// take it: the repository's configuration when it is in one, else the
/// user's own. `None` when it is not set.
pub fn user_name(root: &Path) -> Option<String> {
    let config = match find_repository(root) {
        Ok(repo) => repo.config(),
        Err(_) => git2::Config::open_default(),
    };
    let name = config.ok()?.get_string("user.name").ok()?;
    Some(name.trim().to_owned()).filter(|name| !name.is_empty())
}

/// Where a ledger at `root` keeps what must never be committed: the git
/// directory of the repository it is in, and the ledger's place in the work
/// tree (`""` at its top). `None` outside a repository.
fn cache_dir(root: &Path) -> Option<(PathBuf, String)> {
    let root = root.canonicalize().ok()?;
    // Starting libgit2 loads the system's certificates for https, some
    // 10 ms, which is most of a `due` on a ledger of a thousand prospects
    // (docs/benchmarks.md). A ledger in no repository, or at or below the
    // top of an ordinary work tree (a `.git` folder holding what libgit2
    // looks for), is told without it; any other `.git` (a file, for a
    // linked work tree or a submodule) is left to libgit2.
    let (top, dot_git) = root.ancestors().find_map(|dir| {
        let dot_git = dir.join(".git");
        std::fs::symlink_metadata(&dot_git).ok()?;
        Some((dir, dot_git))
    })?;
    let repository = std::env::var_os("GIT_DIR").is_none()
        && dot_git.join("HEAD").is_file()
        && dot_git.join("objects").is_dir()
        && dot_git.join("refs").is_dir();
    if repository {
        return Some((dot_git, crate::ledger::relative(top, &root)?));
    }
    let repo = Repo::discover(&root).ok()??;
    let place = crate::ledger::relative(&repo.workdir, &root)?;
    Some((repo.repo.path().to_path_buf(), place))
}

/// A line-by-line three-way merge of texts, as `git merge-file` does it:
/// the merged text (with conflict markers labelled `ours` and `theirs`
/// where both sides changed the same lines) and whether it merged cleanly.
pub fn merge_lines(
    base: &str,
    ours: &str,
    theirs: &str,
    labels: [&str; 2],
) -> Result<(String, bool)> {
    // The merges git settles without reading the lines (and a text with a
    // NUL, which libgit2 takes for binary and will not merge, merged with
    // itself).
    if ours == theirs || base == theirs {
        return Ok((ours.to_owned(), true));
    }
    if base == ours {
        return Ok((theirs.to_owned(), true));
    }
    let fail = |e| Error::git("cannot merge text", e);
    // `merge_file`, unlike the rest of git2, does not set libgit2 up
    // first; making a buffer does.
    drop(git2::Buf::new());
    let mut options = git2::MergeFileOptions::new();
    options.our_label(labels[0]).their_label(labels[1]);
    let merged = git2::merge_file(
        &file_input(base),
        &file_input(ours),
        &file_input(theirs),
        Some(&mut options),
    )
    .map_err(fail)?;
    let text = String::from_utf8_lossy(merged.content()).into_owned();
    Ok((text, merged.is_automergeable()))
}

fn file_input(text: &str) -> git2::MergeFileInput<'_> {
    let mut input = git2::MergeFileInput::new();
    input.content(text.as_bytes());
    input
}

/// The bytes of a file to commit, `None` when it is gone. It is opened
/// without waiting and not through a link ([`read::open_regular`]): a
/// link's bytes would be its target's while the index staged the link,
/// and a FIFO would be waited on. The callers leave such files out; one
/// that becomes such a file meanwhile is refused, and nothing is changed.
pub(crate) fn committed_bytes(path: &Path) -> Result<Option<Vec<u8>>> {
    let not_a_file = || {
        let path = printable(&path.display().to_string()).into_owned();
        let what = "a link, a folder, a FIFO or a device";
        Error::Refused(format!(
            "{path} is not a file ({what}); ledger commits files only"
        ))
    };
    match read::read_regular(path) {
        Ok(Some(bytes)) => Ok(Some(bytes)),
        Ok(None) => Err(not_a_file()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(Error::io(path, err)),
    }
}
