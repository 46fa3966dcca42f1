//! What a continual run is: its stages and its training settings.

use serde::{Deserialize, Serialize};

use super::{Mixing, Schedule, StageData};
use crate::error::ForgetError;
use crate::train::TrainSettings;

/// One stage: what it trains on, for how long, and what is mixed in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageConfig {
    pub data: StageData,
    pub steps: usize,
    #[serde(default)]
    pub mixing: Mixing,
    /// Mixing items per stage item (REMIX's scripts use 1–2).
    #[serde(default = "one")]
    pub mix_ratio: f64,
}

fn one() -> f64 {
    1.0
}

/// What an `own` stage without facts says.
pub const OWN_NEEDS_ITEMS: &str = "an `own` stage needs your own facts (the CLI's --own FILE, the \
    page's “Add your own fact”), and there are none";

impl StageConfig {
    /// A stage from its text, `DATA:STEPS[:MIXING[:RATIO]]` (the CLI's `--stage` and the page's
    /// link): `factoids2:100:remix_generic:1`. DATA `own` takes the items `own` (the user's
    /// facts; None is an error, and an empty list is left for the caller to fill).
    pub fn parse_spec(
        spec: &str,
        own: Option<&[crate::world::QaItem]>,
    ) -> Result<Self, ForgetError> {
        let bad = |m: String| ForgetError::InvalidConfig(m);
        let usage = || bad(format!("stage “{spec}”: expected DATA:STEPS[:MIXING[:RATIO]]"));
        let parts: Vec<&str> = spec.trim().split(':').collect();
        if !(2..=4).contains(&parts.len()) {
            return Err(usage());
        }
        let data = match parts[0] {
            "own" => match own {
                Some(items) => StageData::Own { items: items.to_vec() },
                None => return Err(bad(OWN_NEEDS_ITEMS.into())),
            },
            name => StageData::parse(name).ok_or_else(|| {
                bad(format!(
                    "stage “{spec}”: unknown data “{name}” (factoids1, factoids2, key_value, \
                        world, generic, own)"
                ))
            })?,
        };
        let steps = parts[1].parse().ok().filter(|&n| n >= 1).ok_or_else(usage)?;
        let mixing = match parts.get(2) {
            None => Mixing::None,
            Some(m) => Mixing::parse(m).ok_or_else(|| {
                bad(format!(
                    "stage “{spec}”: unknown mixing “{m}” (none, replay, remix_generic, \
                        remix_random)"
                ))
            })?,
        };
        let mix_ratio = match parts.get(3) {
            None => 1.0,
            Some(r) => {
                r.parse().ok().filter(|r: &f64| r.is_finite() && *r >= 0.0).ok_or_else(usage)?
            }
        };
        Ok(StageConfig { data, steps, mixing, mix_ratio })
    }

    /// The stage as text [`StageConfig::parse_spec`] reads back (every part written out).
    pub fn spec(&self) -> String {
        format!("{}:{}:{}:{}", self.data.name(), self.steps, self.mixing.name(), self.mix_ratio)
    }
}

/// A whole continual run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContinualConfig {
    pub stages: Vec<StageConfig>,
    pub schedule: Schedule,
    /// The peak learning rate.
    pub lr: f64,
    pub batch_size: usize,
    /// Items in each stage's dataset.
    pub items_per_stage: usize,
    /// At most this many items are scored per set.
    pub eval_items: usize,
    pub max_new_tokens: usize,
    pub seed: u64,
}

impl Default for ContinualConfig {
    /// Factoids after factoids, 100 steps each, no mixing: the forgetting REMIX starts from.
    fn default() -> Self {
        let stage = |set| StageConfig {
            data: StageData::Factoids { set },
            steps: 100,
            mixing: Mixing::None,
            mix_ratio: 1.0,
        };
        Self {
            stages: vec![stage(1), stage(2)],
            schedule: Schedule::Constant,
            lr: 2e-3,
            batch_size: 16,
            items_per_stage: 40,
            eval_items: 40,
            max_new_tokens: 24,
            seed: 0,
        }
    }
}

impl ContinualConfig {
    pub fn validate(&self) -> Result<(), ForgetError> {
        let bad = |m: &str| Err(ForgetError::InvalidConfig(m.into()));
        if self.stages.is_empty() {
            return bad("a continual run needs at least one stage");
        }
        if self.stages.iter().any(|s| s.steps == 0) {
            return bad("every stage needs at least one step");
        }
        if self.stages.iter().any(|s| !(s.mix_ratio.is_finite() && s.mix_ratio >= 0.0)) {
            return bad("mix ratios must be finite and ≥ 0");
        }
        if self.batch_size == 0 || self.items_per_stage == 0 || self.max_new_tokens == 0 {
            return bad("batch size, items per stage and max new tokens must be at least 1");
        }
        self.train_settings().validate()
    }

    /// How the stages train: the peak rate under the schedule over all stages, no weight decay.
    pub fn train_settings(&self) -> TrainSettings {
        TrainSettings {
            schedule: self.schedule,
            stage_steps: self.stage_steps(),
            ..TrainSettings::new("the continual run", self.lr, self.seed)
        }
    }

    pub fn stage_steps(&self) -> Vec<usize> {
        self.stages.iter().map(|s| s.steps).collect()
    }
}
