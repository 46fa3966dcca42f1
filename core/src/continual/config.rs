//! What a continual run is: its stages and its training settings.

use serde::{Deserialize, Serialize};

use super::{Mixing, Schedule, StageData};
use crate::error::ForgetError;

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
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return bad("the learning rate must be a positive number");
        }
        if self.batch_size == 0 || self.items_per_stage == 0 || self.max_new_tokens == 0 {
            return bad("batch size, items per stage and max new tokens must be at least 1");
        }
        Ok(())
    }

    pub fn stage_steps(&self) -> Vec<usize> {
        self.stages.iter().map(|s| s.steps).collect()
    }
}
