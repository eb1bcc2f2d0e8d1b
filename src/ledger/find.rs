//! Finding the prospect a person names (SPEC section 1): exact id, a path
//! to the file, exact file stem, case-insensitive exact name, then a
//! case-insensitive substring of stem or name matching just one. The
//! first test that matches anything decides.

use std::path::Path;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::format::prospect::{id_of, stem_of, Prospect};
use crate::format::text::folded;
use crate::ledger::read::read_prospect;
use crate::ledger::walk::walk;
use crate::ledger::{normalize, relative, Ledger};

/// A name as a person gave it, with the readings each test needs.
struct Query<'q> {
    /// The name, without the spaces around it.
    text: &'q str,
    /// The name read as a path to a file: relative to the root.
    as_path: Option<String>,
    /// The name in any case ([`folded`]).
    folded: String,
}

impl<'q> Query<'q> {
    fn new(ledger: &Ledger, text: &'q str, cwd: &Path) -> Query<'q> {
        let text = text.trim();
        let as_path = text.ends_with(".md").then(|| {
            let direct = relative(&ledger.root, &normalize(&cwd.join(text)));
            direct
                .filter(|rel| ledger.root.join(rel).is_file())
                .unwrap_or_else(|| text.trim_start_matches("./").to_owned())
        });
        Query {
            text,
            as_path,
            folded: folded(text),
        }
    }

    /// Whether a file at `path` (`prospects/acme.md`) passes one of the
    /// tests that need only its path.
    fn by_path(&self, path: &str, test: Test) -> bool {
        match test {
            Test::Id => id_of(path) == self.text,
            Test::Path => self.as_path.as_deref() == Some(path),
            Test::Stem => stem_of(path) == self.text,
            Test::Name | Test::Part => false,
        }
    }

    /// Whether a prospect passes a test.
    fn passes(&self, p: &Prospect, test: Test) -> bool {
        let name = || p.fields().map(|f| folded(&f.name));
        match test {
            Test::Id | Test::Path | Test::Stem => self.by_path(&p.path, test),
            Test::Name => name().is_some_and(|n| n == self.folded),
            Test::Part => {
                folded(p.stem()).contains(&self.folded)
                    || name().is_some_and(|n| n.contains(&self.folded))
            }
        }
    }
}

/// The tests of SPEC section 1.
#[derive(Debug, Clone, Copy)]
enum Test {
    /// The exact id.
    Id,
    /// The path to the file, from the working folder or the root.
    Path,
    /// The exact file stem.
    Stem,
    /// The exact name, in any case.
    Name,
    /// A part of the stem or the name, in any case.
    Part,
}

/// The tests in order: the first that any prospect passes decides.
const TESTS: [Test; 5] = [Test::Id, Test::Path, Test::Stem, Test::Name, Test::Part];

/// The tests that look at the path alone, which come first.
const BY_PATH: [Test; 3] = [Test::Id, Test::Path, Test::Stem];

impl Ledger {
    /// Find the prospect a person names, as [`Ledger::resolve`] would
    /// among every prospect, reading as little as it can: the first tests
    /// look at paths alone, and when one of them matches a single file
    /// that is a prospect, it is the answer and the only file read.
    pub fn find(&self, query: &str, cwd: &Path) -> Result<Prospect> {
        let files: Vec<String> = walk(&self.root, &self.settings)
            .filter_map(|found| found.ok().map(|found| found.relative))
            .collect();
        let q = Query::new(self, query, cwd);
        for test in BY_PATH {
            let mut matching = files.iter().filter(|path| q.by_path(path, test));
            match (matching.next(), matching.next()) {
                (None, _) => continue,
                // The one file is the answer if it is a prospect; if it
                // is not, this test matches no prospect, and the next
                // one decides.
                (Some(path), None) => match self.read(path) {
                    Some(prospect) => return Ok(prospect),
                    None => continue,
                },
                // Several files: which of them are prospects decides.
                (Some(_), Some(_)) => break,
            }
        }
        // Only those that pass a test are kept: among them, each test
        // finds what it would among all (and a ledger's worth of parsed
        // files is not held at once). A name that passes `Name` passes
        // `Part` too, so each name is folded once here.
        let mut prospects: Vec<Prospect> = files
            .par_iter()
            .filter_map(|rel| self.read(rel))
            .filter(|p| {
                BY_PATH.iter().any(|&test| q.by_path(&p.path, test)) || q.passes(p, Test::Part)
            })
            .collect();
        let i = self.resolve(&prospects, query, cwd)?;
        Ok(prospects.swap_remove(i))
    }

    /// Which of `prospects` a person names (see the module's comment).
    pub fn resolve(&self, prospects: &[Prospect], query: &str, cwd: &Path) -> Result<usize> {
        let q = Query::new(self, query, cwd);
        for test in TESTS {
            let found: Vec<usize> = (0..prospects.len())
                .filter(|&i| prospects.get(i).is_some_and(|p| q.passes(p, test)))
                .collect();
            match found.as_slice() {
                [] => continue,
                [i] => return Ok(*i),
                _ => {
                    let candidates = found.iter().filter_map(|&i| prospects.get(i));
                    return Err(Error::Ambiguous {
                        query: q.text.to_owned(),
                        candidates: candidates
                            .map(|p| match p.fields() {
                                Some(f) => format!("{}  ({})", p.id, f.name),
                                None => p.id.clone(),
                            })
                            .collect(),
                    });
                }
            }
        }
        Err(Error::NoMatch {
            query: q.text.to_owned(),
            candidates: Vec::new(),
        })
    }

    /// Read one file of the ledger; `None` when it is not a prospect.
    pub fn read(&self, relative: &str) -> Option<Prospect> {
        read_prospect(relative, || std::fs::File::open(self.root.join(relative)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Files named from a few stems in a few folders, some prospects
    /// named like other files' stems, some not prospects at all; and
    /// queries from the same pieces: `find` answers as `resolve` does
    /// among every prospect read.
    #[test]
    fn find_gives_the_answer_resolve_gives() {
        let stem = prop::sample::select(vec!["acme", "acme-2", "Acme", "harbor", "harbor-dental"]);
        let folder = prop::sample::select(vec!["", "prospects/", "prospects/a/"]);
        let kind = prop::sample::select(vec!["prospect", "named", "no-fence", "broken"]);
        let file = (folder, stem.clone(), kind.clone(), stem.clone());
        let query = (
            prop::sample::select(vec!["", " ", "prospects/", "./", "../"]),
            stem,
            prop::sample::select(vec!["", ".md", " ", "-d"]),
        );
        let config = ProptestConfig::with_cases(64);
        proptest!(config, |(files in prop::collection::vec(file, 1..8), query in query, in_folder: bool)| {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path();
            for (folder, stem, kind, name) in &files {
                let path = root.join(format!("{folder}{stem}.md"));
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                let text = match *kind {
                    "prospect" => format!("---\nname: {stem}\n---\n"),
                    "named" => format!("---\nname: {name} Dental\n---\n"),
                    "no-fence" => "Notes.\n".to_owned(),
                    _ => "---\nname: [\n---\n".to_owned(),
                };
                std::fs::write(path, text).unwrap();
            }
            std::fs::create_dir_all(root.join("prospects")).unwrap();
            let ledger = Ledger::open(root.to_path_buf()).unwrap();
            let cwd = if in_folder { root.join("prospects") } else { root.to_path_buf() };
            let query = format!("{}{}{}", query.0, query.1, query.2);

            let found = ledger.find(&query, &cwd).map(|p| p.id);
            let mut all: Vec<Prospect> = files.iter().filter_map(|(folder, stem, _, _)| {
                ledger.read(&format!("{folder}{stem}.md"))
            }).collect();
            all.sort_by(|a, b| a.id.cmp(&b.id));
            all.dedup_by(|a, b| a.id == b.id);
            let resolved = ledger.resolve(&all, &query, &cwd).map(|i| all[i].id.clone());
            match (&found, &resolved) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
                (Err(Error::NoMatch { .. }), Err(Error::NoMatch { .. })) => {}
                (Err(Error::Ambiguous { candidates: a, .. }), Err(Error::Ambiguous { candidates: b, .. })) => {
                    let (mut a, mut b) = (a.clone(), b.clone());
                    a.sort();
                    b.sort();
                    prop_assert_eq!(a, b);
                }
                _ => prop_assert!(false, "{query:?}: find {found:?}, resolve {resolved:?}"),
            }
        });
    }
}
