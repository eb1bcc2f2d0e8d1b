//! `ledger.yaml`: the team's stages, channels, cadence and persistence.
//! Every key is optional; a key that cannot be read is reported with its
//! line and replaced by its default, so one typo never hides the rest.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::format::cadence::{Cadence, Step};
use crate::format::date::Span;
use crate::format::keys;
use crate::format::yaml::{self, Yaml};

/// The settings file's name, at the ledger's root.
pub const FILE_NAME: &str = "ledger.yaml";

/// Channels that are touches whatever the settings say.
pub const BUILTIN_CHANNELS: [&str; 7] = [
    "call", "email", "meeting", "letter", "text", "social", "visit",
];

/// The channel of a remark: logged, but not a touch.
pub const NOTE: &str = "note";

/// The ledger's settings, defaults filled in.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Currency of values that name none.
    pub currency: String,
    /// Every stage a prospect may be in, in pipeline order.
    pub stages: Vec<String>,
    /// Stages that end the follow-up.
    pub closed: Vec<String>,
    /// Extra touch channels.
    pub channels: Vec<String>,
    /// The default cadence.
    pub cadence: Cadence,
    /// Persistence tiers: (value at or above, unanswered follow-ups), ascending.
    pub persistence: Vec<(f64, u32)>,
    /// Follow-ups for a prospect with no value.
    pub unknown_value_touches: u32,
    /// How often a nurtured prospect is due.
    pub nurture_every: Span,
    /// How long without a touch makes a prospect stalled.
    pub stall_after: Span,
    /// How late a follow-up must be for `lint` to warn.
    pub overdue_after: Span,
    /// Globs of paths (relative to the root) that are not prospects.
    pub ignore: Vec<String>,
    ignore_set: GlobSet,
    /// Your name in drafts; `None`: git's `user.name`.
    pub me: Option<String>,
    /// The one clear ask that ends a draft, by stage (`default` for the
    /// stages without one of their own).
    pub asks: Vec<(String, String)>,
    /// `stages`, `closed` and `channels` as sets, looked up for every
    /// prospect and entry: a long list (a hostile file's) stays cheap.
    sets: Sets,
}

/// The names of [`Settings`]' lists, to look up.
#[derive(Debug, Clone, Default)]
struct Sets {
    stages: HashSet<String>,
    closed: HashSet<String>,
    channels: HashSet<String>,
}

impl Sets {
    fn of(stages: &[String], closed: &[String], channels: &[String]) -> Sets {
        let set = |names: &[String]| names.iter().cloned().collect();
        Sets {
            stages: set(stages),
            closed: set(closed),
            channels: set(channels),
        }
    }
}

/// A key of `ledger.yaml` that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// 1-based line in `ledger.yaml`.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// The defaults, written out and commented, as `ledger init` writes them.
pub const DEFAULT_FILE: &str = r#"# ledger settings. Every key is optional; these are the defaults.

# Currency of values that name none.
currency: USD

# The stages a prospect moves through, and those that end the follow-up.
stages: [lead, contacted, qualified, proposal, negotiation, nurture, won, lost]
closed: [won, lost]

# Touch channels beyond call, email, meeting, letter, text, social and visit.
channels: []          # e.g. [whatsapp]

# One step per unanswered follow-up: "DURATION [CHANNEL]". The last step repeats.
cadence: [2d email, 3d call, 5d email, 7d call, 14d email, 14d call, 21d letter, 30d call, 30d email, 45d call, 60d email]

# Unanswered follow-ups a deal is worth: value at or above the key -> touches.
persistence: {0: 3, 2500: 6, 10000: 12}
unknown_value_touches: 5

# A nurtured prospect is due this long after its last touch.
nurture_every: 60d
# `ledger lint` warns of an open prospect untouched this long...
stall_after: 30d
# ...and of a follow-up more than this late.
overdue_after: 7d

# Globs of paths, relative to this folder, that are not prospects.
ignore: []            # e.g. ['templates/**']

# Your name in drafts; null: git's user.name.
me: null

# The one clear ask that ends a draft, by stage; a stage without one uses `default`.
asks:
  default: "Would a 15-minute call this week suit you?"
  proposal: "Could we take 15 minutes this week to go over the proposal together?"
  negotiation: "What would you need from me to make a decision this month?"
  nurture: "Would it be worth catching up for a few minutes this month?"
"#;

impl Default for Settings {
    /// The settings [`DEFAULT_FILE`] writes out: the one table of the
    /// defaults, read once.
    fn default() -> Settings {
        static DEFAULT: OnceLock<Settings> = OnceLock::new();
        DEFAULT
            .get_or_init(|| Settings::unset().read(DEFAULT_FILE).0)
            .clone()
    }
}

impl Settings {
    /// Settings from what reading `ledger.yaml` gave: the file's bytes, or why
    /// it could not be read. An unreadable file is a problem on line 1, and
    /// a missing one none; the defaults stand in.
    pub fn load(read: &std::io::Result<Vec<u8>>) -> (Settings, Vec<Problem>) {
        match read {
            Ok(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => Settings::parse(text),
                Err(_) => (
                    Settings::default(),
                    vec![problem(1, 1, "the file is not UTF-8 text".into())],
                ),
            },
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                (Settings::default(), Vec::new())
            }
            Err(err) => (
                Settings::default(),
                vec![problem(1, 1, format!("cannot read it: {err}"))],
            ),
        }
    }

    /// Read settings from the text of a `ledger.yaml`.
    pub fn parse(text: &str) -> (Settings, Vec<Problem>) {
        Settings::default().read(text)
    }

    /// Settings with nothing set, for [`DEFAULT_FILE`] to set every key of
    /// (a cadence is never empty: its one step here is replaced too).
    fn unset() -> Settings {
        Settings {
            currency: String::new(),
            stages: Vec::new(),
            closed: Vec::new(),
            channels: Vec::new(),
            cadence: Cadence::new(
                Step {
                    wait: Span::days(0),
                    channel: None,
                },
                Vec::new(),
            ),
            persistence: Vec::new(),
            unknown_value_touches: 0,
            nurture_every: Span::days(0),
            stall_after: Span::days(0),
            overdue_after: Span::days(0),
            ignore: Vec::new(),
            ignore_set: GlobSet::empty(),
            me: None,
            asks: Vec::new(),
            sets: Sets::default(),
        }
    }

    /// These settings with the keys of the `ledger.yaml` text `text` read
    /// over them; a key that cannot be read keeps its value here.
    fn read(self, text: &str) -> (Settings, Vec<Problem>) {
        let text = text.strip_prefix(crate::format::text::BOM).unwrap_or(text);
        let mut settings = self;
        let mut problems = Vec::new();
        let pairs = match yaml::parse(text) {
            Ok(Yaml::Map(pairs)) => pairs,
            Ok(Yaml::Null) => Vec::new(),
            Ok(other) => {
                problems.push(problem(
                    1,
                    1,
                    format!("settings must be a mapping of keys, found {}", other.kind()),
                ));
                Vec::new()
            }
            Err(err) => {
                problems.push(problem(
                    err.line,
                    err.column,
                    format!("not valid YAML: {}", err.message),
                ));
                Vec::new()
            }
        };
        let lines = keys::scan(text.lines());
        let first_lines = keys::first_lines(&lines);
        let line_of = |key: &str| first_lines.get(key).map_or(1, |first| first + 1);
        for (key, value) in &pairs {
            let key = key.scalar_text().unwrap_or_default();
            if let Err(message) = settings.apply(&key, value) {
                problems.push(problem(line_of(&key), 1, message));
            }
        }
        settings.sets = Sets::of(&settings.stages, &settings.closed, &settings.channels);
        for closed in &settings.closed {
            if !settings.is_stage(closed) {
                problems.push(problem(
                    line_of("closed"),
                    1,
                    format!("closed stage `{closed}` is not one of the stages"),
                ));
            }
        }
        (settings, problems)
    }

    fn apply(&mut self, key: &str, value: &Yaml) -> Result<(), String> {
        match key {
            "currency" => self.currency = string(key, value)?,
            "stages" => {
                let stages = value.texts(key)?;
                if stages.is_empty() {
                    return Err("`stages` needs at least one stage".into());
                }
                self.stages = stages;
            }
            "closed" => self.closed = value.texts(key)?,
            "channels" => {
                self.channels = value
                    .texts(key)?
                    .into_iter()
                    .map(|c| c.to_ascii_lowercase())
                    .collect()
            }
            "cadence" => self.cadence = Cadence::read(value)?,
            "persistence" => self.persistence = persistence(value)?,
            "unknown_value_touches" => self.unknown_value_touches = count(key, value)?,
            "nurture_every" => self.nurture_every = span(key, value)?,
            "stall_after" => self.stall_after = span(key, value)?,
            "overdue_after" => self.overdue_after = span(key, value)?,
            "ignore" => {
                let globs = value.texts(key)?;
                self.ignore_set = glob_set(&globs)?;
                self.ignore = globs;
            }
            "me" => {
                self.me = match value {
                    Yaml::Null => None,
                    other => Some(string(key, other)?),
                }
            }
            "asks" => self.asks = asks(&self.asks, value)?,
            _ => return Err(format!("unknown setting `{key}`")),
        }
        Ok(())
    }

    /// Whether `stage` ends the follow-up.
    pub fn is_closed(&self, stage: &str) -> bool {
        self.sets.closed.contains(stage)
    }

    /// Whether `stage` is one of the settings' stages.
    pub fn is_stage(&self, stage: &str) -> bool {
        self.sets.stages.contains(stage)
    }

    /// Whether a (lower-case) channel counts as a touch channel by name.
    pub fn is_touch_channel(&self, channel: &str) -> bool {
        BUILTIN_CHANNELS.contains(&channel) || self.sets.channels.contains(channel)
    }

    /// How many unanswered follow-ups a deal of `value` is worth.
    pub fn budget(&self, value: Option<f64>) -> u32 {
        let Some(value) = value else {
            return self.unknown_value_touches;
        };
        self.persistence
            .iter()
            .rev()
            .find(|(at, _)| value >= *at)
            .or(self.persistence.first())
            .map_or(self.unknown_value_touches, |(_, n)| *n)
    }

    /// Whether a path relative to the root (`/`-separated) is ignored.
    pub fn is_ignored(&self, relative: &str) -> bool {
        !self.ignore.is_empty() && self.ignore_set.is_match(relative)
    }
}

fn problem(line: usize, column: usize, message: String) -> Problem {
    Problem {
        line,
        column,
        message,
    }
}

/// `asks:`, a map of stage to one sentence, over the asks `before` (the
/// defaults, which stand for the stages it leaves out).
fn asks(before: &[(String, String)], value: &Yaml) -> Result<Vec<(String, String)>, String> {
    let Yaml::Map(pairs) = value else {
        return Err(format!(
            "`asks` must be a map of stage to a sentence, found {}",
            value.kind()
        ));
    };
    let mut asks = before.to_vec();
    // Where each stage's ask is, so that a long map stays linear.
    let mut places: HashMap<String, usize> = asks
        .iter()
        .enumerate()
        .map(|(i, (stage, _))| (stage.clone(), i))
        .collect();
    for (stage, ask) in pairs {
        let stage = stage.scalar_text().unwrap_or_default();
        let Yaml::Str(ask) = ask else {
            return Err(format!(
                "`asks`: the ask for `{stage}` must be a string, found {}",
                ask.kind()
            ));
        };
        match places.get(&stage).and_then(|&i| asks.get_mut(i)) {
            Some((_, old)) => *old = ask.clone(),
            None => {
                places.insert(stage.clone(), asks.len());
                asks.push((stage, ask.clone()));
            }
        }
    }
    Ok(asks)
}

fn string(key: &str, value: &Yaml) -> Result<String, String> {
    match value {
        Yaml::Str(s) => Ok(s.clone()),
        other => Err(format!("`{key}` must be a string, found {}", other.kind())),
    }
}

fn count(key: &str, value: &Yaml) -> Result<u32, String> {
    match value {
        Yaml::Int(n) if *n >= 0 => u32::try_from(*n).map_err(|_| format!("`{key}` is too large")),
        other => Err(format!(
            "`{key}` must be a whole number ≥ 0, found {}",
            other.kind()
        )),
    }
}

fn span(key: &str, value: &Yaml) -> Result<Span, String> {
    match value {
        Yaml::Str(s) => s.parse().map_err(|e| format!("`{key}`: {e}")),
        other => Err(format!(
            "`{key}` must be a span such as `30d`, found {}",
            other.kind()
        )),
    }
}

fn persistence(value: &Yaml) -> Result<Vec<(f64, u32)>, String> {
    let Yaml::Map(pairs) = value else {
        return Err(format!(
            "`persistence` must map values to touches, e.g. {{0: 3, 2500: 6}}, found {}",
            value.kind()
        ));
    };
    let mut tiers = pairs
        .iter()
        .map(|(at, n)| {
            let at = match at {
                Yaml::Int(i) if *i >= 0 => *i as f64,
                Yaml::Float(f) if *f >= 0.0 => *f,
                _ => {
                    return Err(format!(
                        "`persistence` keys must be values ≥ 0, found {}",
                        at.kind()
                    ))
                }
            };
            Ok((at, count("persistence", n)?))
        })
        .collect::<Result<Vec<_>, String>>()?;
    if tiers.is_empty() {
        return Err("`persistence` needs at least one tier".into());
    }
    tiers.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(tiers)
}

/// Globs match paths relative to the root, as in `.gitignore`: `*` stays
/// within a folder, and a glob without `/` matches at any depth.
fn glob_set(globs: &[String]) -> Result<GlobSet, String> {
    let mut set = GlobSetBuilder::new();
    for glob in globs {
        let trimmed = glob.trim_start_matches('/').trim_end_matches('/');
        let mut patterns = vec![trimmed.to_owned(), format!("{trimmed}/**")];
        if !glob.contains('/') {
            patterns.push(format!("**/{trimmed}"));
            patterns.push(format!("**/{trimmed}/**"));
        }
        for pattern in patterns {
            let compiled = GlobBuilder::new(&pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("`ignore`: bad glob `{glob}`: {e}"))?;
            set.add(compiled);
        }
    }
    set.build().map_err(|e| format!("`ignore`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The defaults are DEFAULT_FILE's: it reads without a problem and
    /// sets every key, as SPEC section 6 gives them.
    #[test]
    fn the_default_file_is_the_defaults() {
        let (parsed, problems) = Settings::unset().read(DEFAULT_FILE);
        assert_eq!(problems, []);
        let unset = Settings::unset();
        assert_ne!(parsed.currency, unset.currency);
        assert_ne!(parsed.stages, unset.stages);
        assert_ne!(parsed.closed, unset.closed);
        assert_ne!(parsed.cadence, unset.cadence);
        assert_ne!(parsed.persistence, unset.persistence);
        assert_ne!(parsed.unknown_value_touches, unset.unknown_value_touches);
        assert_ne!(parsed.nurture_every, unset.nurture_every);
        assert_ne!(parsed.stall_after, unset.stall_after);
        assert_ne!(parsed.overdue_after, unset.overdue_after);
        assert_ne!(parsed.asks, unset.asks);
        let default = Settings::default();
        assert_eq!(default.currency, "USD");
        assert_eq!(default.stages.len(), 8);
        assert_eq!(default.closed, ["won", "lost"]);
        assert_eq!(default.cadence.steps().count(), 11);
        assert_eq!(default.persistence, [(0.0, 3), (2500.0, 6), (10000.0, 12)]);
        assert_eq!(default.nurture_every, Span::days(60));
        assert_eq!(default.asks.len(), 4);
    }

    /// `me` and `asks` as SPEC section 6 shows them; an ask given for one
    /// stage leaves the others' defaults, and what is not a string is a
    /// problem on its line.
    #[test]
    fn drafts_settings() {
        let (s, problems) = Settings::parse(
            "me: Sam Lee\nasks:\n  lead: Coffee next week?\n  proposal: Shall we sign?\n",
        );
        assert_eq!(problems, []);
        assert_eq!(s.me.as_deref(), Some("Sam Lee"));
        let ask = |stage: &str| {
            s.asks
                .iter()
                .find(|(k, _)| k == stage)
                .map(|(_, a)| a.as_str())
        };
        assert_eq!(ask("lead"), Some("Coffee next week?"));
        assert_eq!(ask("proposal"), Some("Shall we sign?"));
        assert_eq!(
            ask("default"),
            Some("Would a 15-minute call this week suit you?")
        );
        for bad in ["me: [a]\n", "asks: [a, b]\n", "asks:\n  lead: [x]\n"] {
            let (_, problems) = Settings::parse(bad);
            assert_eq!(problems.len(), 1, "{bad}");
            assert_eq!(problems[0].line, 1, "{bad}");
        }
    }

    #[test]
    fn budgets_follow_the_tiers() {
        let settings = Settings::default();
        let cases = [
            (None, 5),
            (Some(0.0), 3),
            (Some(2499.0), 3),
            (Some(2500.0), 6),
            (Some(12000.0), 12),
        ];
        for (value, want) in cases {
            assert_eq!(settings.budget(value), want, "{value:?}");
        }
        let (raised, _) = Settings::parse("persistence: {1000: 4, 5000: 8}\n");
        assert_eq!(
            raised.budget(Some(10.0)),
            4,
            "below the lowest tier, the lowest tier applies"
        );
    }

    #[test]
    fn problems_name_their_lines_and_keep_defaults() {
        let text = "# team rules\ncurrency: EUR\ncadence: [2x email]\nstall_after: soon\nbogus: 1\nclosed: [won, gone]\n";
        let (settings, problems) = Settings::parse(text);
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [3, 4, 5, 6], "{problems:#?}");
        assert_eq!(settings.currency, "EUR");
        assert_eq!(settings.cadence, Settings::default().cadence);
        assert!(problems[2].message.contains("bogus"));
    }

    /// Lists are read as in a prospect's front matter: one value alone is
    /// a list of one, a cadence of one step too.
    #[test]
    fn a_list_of_one_may_be_written_alone() {
        let (settings, problems) = Settings::parse(
            "cadence: 2d email
channels: WhatsApp
ignore: archive/
",
        );
        assert_eq!(problems, []);
        assert_eq!(settings.cadence, Cadence::parse(["2d email"]).unwrap());
        assert_eq!(settings.channels, ["whatsapp"]);
        assert_eq!(settings.ignore, ["archive/"]);
        let (_, problems) = Settings::parse(
            "cadence: {2d: email}
",
        );
        assert_eq!(
            problems[0].message,
            "`cadence` must be a list, found a mapping"
        );
    }

    #[test]
    fn broken_yaml_is_one_problem_with_its_line() {
        let (_, problems) = Settings::parse("currency: EUR\nstages: [lead\n");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].line >= 2);
    }

    #[test]
    fn ignore_globs() {
        let (settings, problems) =
            Settings::parse("ignore: ['templates/**', '*.draft.md', archive/]\n");
        assert_eq!(problems, []);
        let cases = [
            ("templates/blank.md", true),
            ("x.draft.md", true),
            ("deep/x.draft.md", true),
            ("archive/old.md", true),
            ("archive", true),
            ("prospects/acme.md", false),
            ("prospects/templates/x.md", false),
        ];
        for (path, want) in cases {
            assert_eq!(settings.is_ignored(path), want, "{path}");
        }
    }
}
