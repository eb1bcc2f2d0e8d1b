//! A cadence: how long to wait before each unanswered follow-up, and by which
//! channel. Step N applies after N unanswered touches; the last step repeats.

use std::fmt;
use std::str::FromStr;

use crate::format::date::Span;
use crate::format::yaml::Yaml;

/// One step of a cadence: `DURATION [CHANNEL]`, e.g. `3d call`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Step {
    /// How long after the last touch the follow-up is due.
    pub wait: Span,
    /// The channel to use, if the step names one.
    pub channel: Option<String>,
}

/// The steps of a cadence, never empty. A cadence kept in a cache file is
/// kept as its list of steps and read back through `TryFrom<Vec<Step>>`,
/// which refuses an empty list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(into = "Vec<Step>", try_from = "Vec<Step>")]
pub struct Cadence {
    /// The step after one unanswered touch (or none).
    first: Step,
    /// The steps after two, three, … unanswered touches.
    then: Vec<Step>,
}

impl Cadence {
    /// A cadence of a `first` step and those that follow it.
    pub fn new(first: Step, then: Vec<Step>) -> Cadence {
        Cadence { first, then }
    }

    /// The step that applies after `unanswered` unanswered touches (1-based;
    /// past the end the last step repeats).
    pub fn step(&self, unanswered: usize) -> &Step {
        match unanswered.checked_sub(2) {
            None => &self.first,
            Some(i) => self.then.get(i).or(self.then.last()).unwrap_or(&self.first),
        }
    }

    /// The steps in order.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        std::iter::once(&self.first).chain(&self.then)
    }

    /// A cadence as a prospect's `cadence:` and `ledger.yaml`'s hold it: a
    /// list of steps (`[2d email, 3d call]`), or one step alone
    /// (`2d email`), as every list is read ([`Yaml::texts`]).
    pub fn read(value: &Yaml) -> Result<Cadence, String> {
        let steps = value.texts("cadence")?;
        Cadence::parse(steps.iter().map(String::as_str)).map_err(|e| format!("`cadence`: {e}"))
    }

    /// Parse the steps of a cadence, naming the first bad one.
    pub fn parse<'a>(steps: impl IntoIterator<Item = &'a str>) -> Result<Cadence, String> {
        let steps = steps
            .into_iter()
            .map(str::parse)
            .collect::<Result<Vec<Step>, String>>()?;
        Cadence::try_from(steps).map_err(str::to_owned)
    }
}

impl TryFrom<Vec<Step>> for Cadence {
    type Error = &'static str;

    fn try_from(steps: Vec<Step>) -> Result<Cadence, &'static str> {
        let mut steps = steps.into_iter();
        let first = steps.next().ok_or("a cadence needs at least one step")?;
        Ok(Cadence::new(first, steps.collect()))
    }
}

impl From<Cadence> for Vec<Step> {
    fn from(cadence: Cadence) -> Vec<Step> {
        let mut steps = vec![cadence.first];
        steps.extend(cadence.then);
        steps
    }
}

impl FromStr for Step {
    type Err = String;

    fn from_str(text: &str) -> Result<Step, String> {
        let mut words = text.split_whitespace();
        let wait = words
            .next()
            .ok_or_else(|| {
                "an empty cadence step: write `DURATION [CHANNEL]`, e.g. `3d call`".to_owned()
            })?
            .parse::<Span>()
            .map_err(|e| format!("cadence step `{text}`: {e}"))?;
        let channel = words.next().map(str::to_ascii_lowercase);
        if words.next().is_some() {
            return Err(format!(
                "cadence step `{text}` has more than a duration and a channel"
            ));
        }
        Ok(Step { wait, channel })
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.channel {
            Some(channel) => write!(f, "{} {}", self.wait, channel),
            None => write!(f, "{}", self.wait),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_repeat_the_last() {
        let cadence = Cadence::parse(["2d email", "3d CALL", "5d"]).unwrap();
        let got: Vec<String> = (0..6).map(|n| cadence.step(n).to_string()).collect();
        assert_eq!(got, ["2d email", "2d email", "3d call", "5d", "5d", "5d"]);
    }

    /// A cadence is kept in the cache as its list of steps; a list of
    /// none, from a damaged cache, is refused rather than read.
    #[test]
    fn cached_cadences_are_never_empty() {
        let cadence = Cadence::parse(["2d email", "3d"]).unwrap();
        let bytes = postcard::to_stdvec(&cadence).unwrap();
        assert_eq!(postcard::from_bytes::<Cadence>(&bytes), Ok(cadence));
        let none = postcard::to_stdvec(&Vec::<Step>::new()).unwrap();
        assert!(postcard::from_bytes::<Cadence>(&none).is_err());
    }

    #[test]
    fn bad_steps() {
        for bad in [
            vec![],
            vec![""],
            vec!["email 2d"],
            vec!["2d email now"],
            vec!["2x"],
        ] {
            assert!(Cadence::parse(bad.clone()).is_err(), "{bad:?}");
        }
    }
}
