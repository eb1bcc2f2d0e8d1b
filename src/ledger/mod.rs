//! The ledger on disk, above the rules: its root and settings, walking it
//! for its prospect files ([`walk`]), reading them ([`read`]), the cache
//! of what they said ([`cache`]), the report on them all ([`report`]),
//! finding the one a person names ([`find`]), and writing files safely
//! ([`store`]).

pub mod cache;
pub mod find;
pub mod read;
pub mod report;
pub mod store;
pub mod walk;

use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::format::diagnostic::{Code, Diagnostic};
use crate::rules::settings::{self, Settings};

/// An open ledger: its root and settings.
#[derive(Debug)]
pub struct Ledger {
    /// The root folder.
    pub root: PathBuf,
    /// The settings, defaults where `ledger.yaml` is silent or unreadable.
    pub settings: Settings,
    /// Problems in `ledger.yaml`.
    pub settings_problems: Vec<Diagnostic>,
    /// The bytes of `ledger.yaml` the settings were read from (none when
    /// there is no such file): the cache holds for these alone.
    pub settings_bytes: Vec<u8>,
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
                let why = std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder");
                return Err(Error::io(root, why));
            }
            Err(err) => return Err(Error::io(root, err)),
        }
        let read = read::read_settings(&root.join(settings::FILE_NAME));
        let (settings, problems) = Settings::load(&read);
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
            settings_bytes: read.unwrap_or_default(),
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

    /// Whether a path (relative to the root, `/`-separated) is passed over:
    /// inside a folder whose name starts with `.`, or matched by `ignore:`.
    /// The walk ([`walk::walk`]) applies the same rule a folder at a time,
    /// as it enters each; this is the rule for a path git names.
    pub fn skips(&self, relative: &str) -> bool {
        let mut folders = relative.split('/').rev().skip(1);
        folders.any(|name| name.starts_with('.')) || self.settings.is_ignored(relative)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The look at the bytes answers as taking the paths apart does.
    #[test]
    fn a_path_below_the_root_is_its_names_joined_by_slashes() {
        let cases = [
            ("/a/b", "/a/b/c/d.md", Some("c/d.md")),
            ("/a/b/", "/a/b/c.md", Some("c.md")),
            ("/a/b", "/a/bc/x.md", None),
            ("/a/b", "/elsewhere/x.md", None),
            (".", "./p/x.md", Some("p/x.md")),
            ("/a/b", "/a/b/./c.md", Some("c.md")),
            ("/a/b", "/a/b//c.md", Some("c.md")),
            ("/a/b", "/a/b", Some("")),
            (
                "/a/b",
                "/a/b/Иван Петров/株式会社.md",
                Some("Иван Петров/株式会社.md"),
            ),
        ];
        for (root, path, want) in cases {
            let got = relative(Path::new(root), Path::new(path));
            assert_eq!(got.as_deref(), want, "{path} below {root}");
        }
    }
}
