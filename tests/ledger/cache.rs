//! The cache `due` and `list` keep: it never changes a result, sees every
//! change to a file, and `--no-cache` turns it off.

use std::fs;
use std::time::{Duration, SystemTime};

use crate::support::{prospect, Sandbox, TODAY};

const ENTRY: &str = "2026-11-20 call: Left a voicemail.";
/// The same length as ENTRY, so that an edit keeps the file's size.
const INBOUND: &str = "2026-11-20 call (in): Replied yes.";

fn ledger() -> Sandbox {
    let s = Sandbox::new();
    s.file("ledger.yaml", "currency: USD\n")
        .file("prospects/acme.md", prospect("name: Acme\n", &[ENTRY]))
        .file("prospects/globex.md", prospect("name: Globex\n", &[]));
    assert_eq!(ENTRY.len(), INBOUND.len());
    s
}

fn set_mtime(s: &Sandbox, relative: &str, time: SystemTime) {
    let file = fs::File::options()
        .write(true)
        .open(s.root().join(relative))
        .unwrap();
    file.set_modified(time).unwrap();
}

/// Which cache file is there, and when it was written: a run that reads
/// no file anew leaves it as it was.
fn written(s: &Sandbox) -> (u64, SystemTime) {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::metadata(s.root().join(".ledger-cache/cache.day")).unwrap();
    (meta.ino(), meta.modified().unwrap())
}

fn due_of(s: &Sandbox, args: &[&str]) -> serde_json::Value {
    due_on(s, TODAY, args)
}

/// Acme's line of `due --json` on `day`.
fn due_on(s: &Sandbox, day: &str, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["due", "--json", "--today", day];
    all.extend(args);
    let run = s.ledger_raw(&all, &s.root()).ok();
    let json = run.json();
    json.as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Acme")
        .cloned()
        .unwrap()
}

#[test]
fn a_same_second_edit_of_the_same_size_is_seen() {
    let s = ledger();
    // A file system with one-second timestamps: the file's time is a whole
    // second, and stays that second after the edit.
    let second = SystemTime::UNIX_EPOCH
        + Duration::from_secs(
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_secs(),
        );
    set_mtime(&s, "prospects/acme.md", second);
    let before = due_of(&s, &[]);
    assert_eq!(before["unanswered"], 1);
    assert!(s.root().join(".ledger-cache/cache.day").is_file());

    let edited = s.read("prospects/acme.md").replace(ENTRY, INBOUND);
    fs::write(s.root().join("prospects/acme.md"), edited).unwrap();
    set_mtime(&s, "prospects/acme.md", second);
    let after = due_of(&s, &[]);
    assert_eq!(after["unanswered"], 0, "{after}");
    assert_eq!(after["due_reason"], "reply");
}

#[test]
fn the_cache_is_used_only_for_unchanged_files_and_never_committed() {
    let s = ledger();
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    set_mtime(&s, "prospects/acme.md", hour_ago);
    set_mtime(&s, "prospects/globex.md", hour_ago);
    let cold = due_of(&s, &["--no-cache"]);
    let built = due_of(&s, &[]);
    let made = written(&s);
    let warm = due_of(&s, &[]);
    assert_eq!(cold, built);
    assert_eq!(cold, warm);
    // The warm run read no file anew: it had nothing to add to the cache,
    // which is written again (a new file) only then.
    assert_eq!(written(&s), made, "the warm run read a file");

    // An edit that keeps the size and the inode, with the old modification
    // time put back (as `cp -p`, `touch -r` and `rsync -t` put it back), is
    // seen by the file's change time, which no tool sets. The cache's unit
    // tests show a warm run answering from it, as nothing outside can.
    let edited = s.read("prospects/acme.md").replace(ENTRY, INBOUND);
    fs::write(s.root().join("prospects/acme.md"), edited).unwrap();
    set_mtime(&s, "prospects/acme.md", hour_ago);
    let after = due_of(&s, &[]);
    assert_eq!(after["unanswered"], 0, "{after}");
    assert_eq!(after["due_reason"], "reply");
    assert_eq!(after, due_of(&s, &["--no-cache"]));
    assert_ne!(written(&s), made, "the edited file was read anew");

    // Any ordinary edit is seen.
    let edited = s
        .read("prospects/acme.md")
        .replace("name: Acme\n", "name: Acme\nvalue: 9000\n");
    fs::write(s.root().join("prospects/acme.md"), edited).unwrap();
    assert_eq!(due_of(&s, &[])["value"], 9000.0);
    // A removed file is forgotten; a broken cache is rebuilt.
    fs::remove_file(s.root().join("prospects/globex.md")).unwrap();
    fs::write(s.root().join(".ledger-cache/cache.day"), "not a cache").unwrap();
    fs::write(s.root().join(".ledger-cache/cache.parsed"), [0xff; 40]).unwrap();
    let run = s.ledger(&["due", "--json"]).ok();
    assert_eq!(run.json().as_array().unwrap().len(), 1);
    assert_eq!(
        fs::read_to_string(s.root().join(".ledger-cache/.gitignore")).unwrap(),
        "# ledger's cache: never committed\n*\n"
    );
}

#[test]
fn in_a_repository_the_cache_lives_in_dot_git() {
    let s = ledger();
    s.git_init();
    s.ledger(&["due"]).ok();
    assert!(s.root().join(".git/ledger-cache/root.day").is_file());
    assert!(!s.root().join(".ledger-cache").exists());
    assert_eq!(s.git(&["status", "--porcelain"]), "");
    // A touch is seen at once.
    s.ledger(&["touch", "globex", "call", "Hello."]).ok();
    let run = s.ledger(&["list", "--json"]).ok();
    let globex = run.json().as_array().unwrap()[1].clone();
    assert_eq!(globex["touches"], 1, "{globex}");
}

#[test]
fn the_days_summaries_hold_for_one_day_and_one_set_of_settings() {
    let s = ledger();
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    set_mtime(&s, "prospects/acme.md", hour_ago);
    let later = "2026-12-09";
    let expected_later = due_on(&s, later, &["--no-cache"]);
    let today = due_of(&s, &[]);
    assert_eq!(today, due_of(&s, &[]));
    assert_eq!(today, due_of(&s, &["--no-cache"]));

    // Another day: what the cache learned today does not hold.
    assert_eq!(due_on(&s, later, &[]), expected_later);
    assert_eq!(due_on(&s, later, &[]), expected_later, "warm");
    assert_ne!(today["overdue_days"], expected_later["overdue_days"]);

    // Other settings: read again under them.
    s.file("ledger.yaml", "currency: EUR\n");
    let euros = due_on(&s, later, &[]);
    assert_eq!(euros["currency"], "EUR");
    assert_eq!(euros, due_on(&s, later, &["--no-cache"]));
}

#[test]
fn a_ledger_in_a_sub_folder_or_a_linked_work_tree_keeps_its_cache_in_git() {
    let s = Sandbox::new();
    s.file("crm/ledger.yaml", "currency: USD\n")
        .file("crm/prospects/acme.md", prospect("name: Acme\n", &[ENTRY]))
        .git_init();
    let crm = s.root().join("crm");
    s.ledger_raw(&["due", "--today", TODAY], &crm).ok();
    assert!(s.root().join(".git/ledger-cache/crm.day").is_file());
    assert_eq!(s.git(&["status", "--porcelain"]), "");

    // A linked work tree's `.git` is a file; its cache is in the work
    // tree's own git folder, and it too reads the same.
    s.git(&["worktree", "add", "-q", "../linked"]);
    let linked = s.root().join("../linked/crm");
    let run = s
        .ledger_raw(&["due", "--json", "--today", TODAY], &linked)
        .ok();
    assert_eq!(run.json().as_array().unwrap().len(), 1);
    assert!(s
        .root()
        .join(".git/worktrees/linked/ledger-cache/crm.day")
        .is_file());
    let run = s
        .ledger_raw(&["due", "--json", "--today", TODAY], &linked)
        .ok();
    assert_eq!(run.json().as_array().unwrap().len(), 1);
}

#[test]
fn a_warm_due_counts_what_it_passes_over_as_a_cold_one_does() {
    let s = Sandbox::new();
    s.file("ledger.yaml", "currency: USD\n");
    let calls: Vec<String> = (1..=9)
        .map(|d| format!("2026-10-0{d} call: No answer."))
        .collect();
    let calls: Vec<&str> = calls.iter().map(String::as_str).collect();
    for (name, front, log) in [
        // Due today, and not: the next to come due, and one after it.
        ("today", "owner: kim\nnext: 2026-11-23\n", &[][..]),
        ("soon", "owner: kim\nnext: 2026-11-30\nvalue: 100\n", &[]),
        ("sooner", "owner: sam\nnext: 2026-11-27\n", &[]),
        ("later", "owner: sam\nnext: 2026-12-20\nvalue: 9000\n", &[]),
        // A bad entry is left out, and the prospect still shown: the
        // next to come due when nothing is.
        (
            "broken",
            "next: 2026-11-20\n",
            &["2026-13-45 call: No such day."],
        ),
        // Held back: a front matter with an error.
        ("worse", "next: 2026-12-24\nvalue: 12k\n", &[]),
        ("worst", "next: someday\n", &[]),
        // Its budget spent.
        ("spent", "owner: kim\n", &calls[..]),
        // Closed: no due date.
        (
            "closed",
            "stage: lost\nclosed: 2026-11-01\nreason: Went elsewhere.\n",
            &[],
        ),
    ] {
        let path = format!("prospects/{name}.md");
        s.file(&path, prospect(&format!("name: {name}\n{front}"), log));
        set_mtime(&s, &path, SystemTime::now() - Duration::from_secs(3600));
    }
    // Each way of asking, on a day with something due and on one without;
    // on one thread too, where the files come in the order of their ids
    // and those after the next to come due are passed over.
    for (day, threads) in [
        (TODAY, "1"),
        (TODAY, "2"),
        ("2026-11-22", "1"),
        ("2026-11-19", "1"),
    ] {
        for args in [
            &["due"][..],
            &["due", "--json"],
            &["due", "--within", "5d"],
            &["due", "--owner", "sam"],
        ] {
            let run = |more: &[&str]| {
                let mut all = args.to_vec();
                all.extend(["--today", day]);
                all.extend(more);
                let run = s.ledger_env(&all, &s.root(), &[("RAYON_NUM_THREADS", threads)]);
                let run = run.ok();
                (run.stdout, run.stderr)
            };
            let cold = run(&["--no-cache"]);
            let (built, warm) = (run(&[]), run(&[]));
            assert_eq!(built, cold, "{args:?} on {day}");
            assert_eq!(warm, cold, "{args:?} on {day}");
        }
    }
    // What the warm runs said.
    let run = s.ledger(&["due"]).ok();
    run.shows("today")
        .shows("broken")
        .shows("1 prospect spent its follow-up budget");
    run.says("2 prospect files with errors");
    let run = s
        .ledger_raw(&["due", "--today", "2026-11-22"], &s.root())
        .ok();
    run.shows("2 days late  broken");
    let run = s
        .ledger_raw(&["due", "--today", "2026-11-19"], &s.root())
        .ok();
    run.shows("Nothing due. Next: broken tomorrow (2026-11-20).");
}

/// A small generator of numbers (xorshift64*) with a fixed seed: the same
/// damage on every run, so that a failure can be run again.
struct Dice(u64);

impl Dice {
    fn roll(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.roll() % n as u64) as usize
    }
}

/// A ledger of a few dozen prospects with varied names, stages, values,
/// owners, tags and logs, and one broken file; every file an hour old, so
/// that a warm cache answers for all of them.
fn a_few_dozen() -> Sandbox {
    let s = Sandbox::new();
    s.file("ledger.yaml", "currency: USD\n");
    let names = [
        "Atlas Logistics",
        "Proposal Partners",
        "Bluebird Bakery",
        "Copper Kettle",
        "Greenleaf Coffee",
        "Harbor Dental",
        "Lumen Architects",
        "Maple Yoga",
        "Northstar Bank",
        "Orbit Fitness",
        "Pinecrest Realty",
        "Quarry Studios",
        "Riverside Clinic",
        "Summit Legal",
        "Tidewater Hotel",
        "Umbra Films",
        "Vesper & Sons",
        "Willow Creek Farm",
        "Xenon Labs",
        "Yellowtail Sushi",
        "Zephyr Air",
        "Ångström Optics",
        "Café Müller",
        "東京 Trading",
        "O'Brien Plumbing",
        "Acme \"Quoted\" Corp",
        "Delta",
        "Echo Echo Echo Echo Echo Echo Echo Echo",
        "Foxtrot 42",
        "Gamma Rays Ltd",
        "Hotel Kilo",
        "India Ink",
    ];
    let stages = ledger::rules::settings::Settings::default().stages;
    let channels = ["call", "email", "meeting", "text", "visit"];
    for (i, name) in names.iter().enumerate() {
        let stage = &stages[i % stages.len()];
        let mut front = format!("name: {name:?}\nstage: {stage}\n");
        if i % 3 != 0 {
            front.push_str(&format!("value: {}\n", (i * 1375) % 20_000));
        }
        if i % 4 == 1 {
            front.push_str(&format!("owner: {}\n", ["kim", "sam"][i % 2]));
        }
        if i % 5 == 2 {
            front.push_str("tags: [saas, referral]\n");
        }
        if i % 6 == 3 {
            front.push_str(&format!("next: 2026-11-{:02}\n", 10 + i % 20));
        }
        if stage == "won" || stage == "lost" {
            front.push_str("closed: 2026-11-01\nreason: Decided.\n");
        }
        let log: Vec<String> = (0..i % 7)
            .map(|k| {
                let channel = channels[(i + k) % channels.len()];
                let inbound = if (i + k) % 4 == 0 { " (in)" } else { "" };
                format!(
                    "2026-10-{:02} {channel}{inbound}: Note {k}.",
                    1 + (i + 3 * k) % 28
                )
            })
            .collect();
        let log: Vec<&str> = log.iter().map(String::as_str).collect();
        s.file(&format!("prospects/p{i:02}.md"), prospect(&front, &log));
    }
    s.file(
        "prospects/broken.md",
        prospect("name: Broken\nvalue: 12k\n", &[]),
    );
    for entry in fs::read_dir(s.root().join("prospects")).unwrap() {
        let relative = format!("prospects/{}", entry.unwrap().file_name().to_string_lossy());
        set_mtime(&s, &relative, SystemTime::now() - Duration::from_secs(3600));
    }
    s
}

/// Bytes of a warm cache changed at random, as a failing disk or a careless
/// copy would change them: every answer is still the one `--no-cache` gives.
#[test]
fn a_damaged_cache_is_never_believed() {
    let s = a_few_dozen();
    let commands = [&["due", "--json"][..], &["list", "--all", "--json"]];
    // The cache answers on the day it was made.
    let made = TODAY;
    let run = |command: &[&str], day: &str, more: &[&str]| {
        let mut all = command.to_vec();
        all.extend(["--today", day]);
        all.extend(more);
        let run = s.ledger_raw(&all, &s.root());
        (run.code, run.stdout, run.stderr)
    };
    let fresh: Vec<_> = commands
        .iter()
        .map(|c| run(c, made, &["--no-cache"]))
        .collect();
    assert_eq!(fresh[0].0, 0, "{:?}", fresh[0]);
    assert!(fresh[1].1.contains("Atlas Logistics"));

    // Warm: the cache of the day it was made, answering for every file.
    for command in commands {
        run(command, made, &[]);
    }
    let cache = s.root().join(".ledger-cache");
    let path = cache.join("cache.day");
    let warm = fs::read(&path).unwrap();
    for (c, command) in commands.iter().enumerate() {
        assert_eq!(run(command, made, &[]), fresh[c], "warm {command:?}");
    }

    let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
    for round in 0..300 {
        let mut damaged = warm.clone();
        let mut flips = Vec::new();
        for _ in 0..1 + dice.below(3) {
            let at = dice.below(damaged.len());
            let with = 1 + dice.below(255) as u8;
            damaged[at] ^= with;
            flips.push((at, with));
        }
        for (c, command) in commands.iter().enumerate() {
            // Each command meets the same damage: the one before it may
            // have mended the cache.
            fs::write(&path, &damaged).unwrap();
            assert_eq!(
                run(command, made, &[]),
                fresh[c],
                "round {round}: {command:?}, xor {flips:?}"
            );
        }
    }
}
