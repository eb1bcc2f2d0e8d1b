//! A cadence: how long to wait before each unanswered follow-up, and by which
//! channel. Step N applies after N unanswered touches; the last step repeats.

use std::fmt;
use std::str::FromStr;

use crate::date::Span;

/// One step of a cadence: `DURATION [CHANNEL]`, e.g. `3d call`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Step {
    /// How long after the last touch the follow-up is due.
    pub wait: Span,
    /// The channel to use, if the step names one.
    pub channel: Option<String>,
}

/// The steps of a cadence, never empty.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cadence {
    steps: Vec<Step>,
}

impl Cadence {
    /// A cadence from its steps; `None` when there are none.
    pub fn new(steps: Vec<Step>) -> Option<Cadence> {
        (!steps.is_empty()).then_some(Cadence { steps })
    }

    /// The step that applies after `unanswered` unanswered touches (1-based;
    /// past the end the last step repeats).
    pub fn step(&self, unanswered: usize) -> &Step {
        let i = unanswered.saturating_sub(1).min(self.steps.len() - 1);
        &self.steps[i]
    }

    /// The steps in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Parse the steps of a cadence, naming the first bad one.
    pub fn parse<'a>(steps: impl IntoIterator<Item = &'a str>) -> Result<Cadence, String> {
        let steps = steps
            .into_iter()
            .map(str::parse)
            .collect::<Result<Vec<Step>, String>>()?;
        Cadence::new(steps).ok_or_else(|| "a cadence needs at least one step".to_owned())
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
