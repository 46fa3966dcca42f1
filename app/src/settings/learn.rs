//! Learn mode's settings — learning in stages (core's `continual`) and editing facts (core's
//! `edit`) — and their keys in the link:
//!
//! ```text
//! ?mode=learn&stages=factoids1:60,factoids2:60:remix_generic:1&schedule=infinite&learn_lr=0.002
//! ```
//!
//! A stage is written as the CLI's `--stage` is (`DATA:STEPS[:MIXING[:RATIO]]`, parsed by core's
//! `StageConfig::parse_spec`); stages are separated by commas. Pure Rust: tested natively.

use forgetlab_core::continual::{ContinualConfig, Mixing, Schedule, StageConfig, StageData};
use forgetlab_core::edit::EditConfig;

use super::EvalSize;

/// Which half of forgetting the page shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Unlearning: pick facts, pick a method, watch them go.
    #[default]
    Forget,
    /// Continual learning and editing: teach facts in stages, watch older ones fade.
    Learn,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Forget => "forget",
            Mode::Learn => "learn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Mode::Forget, Mode::Learn].into_iter().find(|m| m.name() == s)
    }
}

/// The most stages the timeline holds (each is scored at every evaluation).
pub const MAX_STAGES: usize = 6;
/// The most steps a stage may have in the page.
pub const MAX_STAGE_STEPS: usize = 5000;

/// Every setting of a continual run and of the editing comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct LearnSettings {
    /// The stages in order. An `own` stage holds no items here: the worker gives it the facts
    /// the user taught the model in this tab.
    pub stages: Vec<StageConfig>,
    pub schedule: Schedule,
    /// The peak learning rate.
    pub lr: f64,
    pub batch_size: usize,
    /// Items in each stage's dataset.
    pub stage_items: usize,
    pub eval_every: usize,
    /// Counterfactual edits the editing panel makes, and the fine-tuning steps it gives them.
    pub edits: usize,
    pub edit_steps: usize,
}

impl Default for LearnSettings {
    /// Factoids after factoids, 60 steps each: the forgetting REMIX starts from, in a minute.
    fn default() -> Self {
        let core = ContinualConfig::default();
        let edit = EditConfig::default();
        Self {
            stages: vec![stage("factoids1", 60), stage("factoids2", 60)],
            schedule: Schedule::Constant,
            lr: core.lr,
            batch_size: core.batch_size,
            stage_items: 24,
            eval_every: 10,
            edits: 10,
            edit_steps: edit.steps,
        }
    }
}

fn stage(data: &str, steps: usize) -> StageConfig {
    StageConfig {
        data: StageData::parse(data).expect("a stage data name"),
        steps,
        mixing: Mixing::None,
        mix_ratio: 1.0,
    }
}

/// The stages of a link's `stages=` value.
pub fn parse_stages(value: &str) -> Result<Vec<StageConfig>, String> {
    let stages: Vec<StageConfig> = value
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|spec| StageConfig::parse_spec(spec, Some(&[])).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    if stages.is_empty() || stages.len() > MAX_STAGES {
        return Err(format!("a run has 1 to {MAX_STAGES} stages"));
    }
    if stages.iter().any(|s| s.steps > MAX_STAGE_STEPS) {
        return Err(format!("a stage has at most {MAX_STAGE_STEPS} steps"));
    }
    Ok(stages)
}

/// The `stages=` value of `stages`.
pub fn stages_text(stages: &[StageConfig]) -> String {
    stages.iter().map(StageConfig::spec).collect::<Vec<_>>().join(",")
}

impl LearnSettings {
    /// The continual run these settings describe, scored at `eval_size`.
    pub fn continual_config(
        &self,
        seed: u64,
        eval_size: EvalSize,
    ) -> Result<ContinualConfig, String> {
        let eval = eval_size.config();
        let config = ContinualConfig {
            stages: self.stages.clone(),
            schedule: self.schedule,
            lr: self.lr,
            batch_size: self.batch_size,
            items_per_stage: self.stage_items,
            // Every stage and both general sets are scored at each evaluation, with generation:
            // fewer items per set than Forget mode's, as many tokens.
            eval_items: (eval.max_forget / 2).max(4),
            max_new_tokens: eval.max_new_tokens,
            seed,
        };
        config.validate().map_err(|e| e.to_string())?;
        Ok(config)
    }

    /// The editing comparison's settings.
    pub fn edit_config(&self, seed: u64) -> EditConfig {
        EditConfig { edits: self.edits, steps: self.edit_steps, seed, ..EditConfig::default() }
    }

    pub fn total_steps(&self) -> usize {
        self.stages.iter().map(|s| s.steps).sum()
    }

    /// A short name for a kept run: "factoids1 → factoids2 + remix_generic · constant · seed 0".
    pub fn label(&self, seed: u64) -> String {
        let stages: Vec<String> = self
            .stages
            .iter()
            .map(|s| match s.mixing {
                Mixing::None => s.data.name(),
                m => format!("{} + {}", s.data.name(), m.name()),
            })
            .collect();
        format!("{} · {} · seed {seed}", stages.join(" → "), self.schedule.name())
    }

    /// Apply one key of a link; None when the key is not one of Learn mode's.
    pub fn apply_pair(&mut self, key: &str, value: &str) -> Option<Result<(), ()>> {
        let positive = |v: &str| v.parse::<usize>().ok().filter(|&n| n >= 1).ok_or(());
        Some(match key {
            "stages" => parse_stages(value).map(|s| self.stages = s).map_err(|_| ()),
            "schedule" => Schedule::parse(value).map(|s| self.schedule = s).ok_or(()),
            "learn_lr" => value
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v > 0.0 && *v <= 1.0)
                .map(|v| self.lr = v)
                .ok_or(()),
            "learn_batch_size" => positive(value).map(|v| self.batch_size = v.min(256)),
            "stage_items" => positive(value).map(|v| self.stage_items = v.min(500)),
            "learn_eval_every" => positive(value).map(|v| self.eval_every = v),
            "edits" => positive(value).map(|v| self.edits = v.min(100)),
            "edit_steps" => positive(value).map(|v| self.edit_steps = v.min(1000)),
            _ => return None,
        })
    }

    /// The link's keys of these settings, in order.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("stages", stages_text(&self.stages)),
            ("schedule", self.schedule.name().to_string()),
            ("learn_lr", self.lr.to_string()),
            ("learn_batch_size", self.batch_size.to_string()),
            ("stage_items", self.stage_items.to_string()),
            ("learn_eval_every", self.eval_every.to_string()),
            ("edits", self.edits.to_string()),
            ("edit_steps", self.edit_steps.to_string()),
        ]
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn stages_round_trip_and_bad_ones_are_refused() {
        let stages = parse_stages("factoids1:30, factoids2:40:remix_generic:2,own:5").unwrap();
        assert_eq!(stages.len(), 3);
        assert_eq!(stages[1].mixing, Mixing::RemixGeneric);
        assert_eq!(stages[2].data, StageData::Own { items: vec![] });
        assert_eq!(parse_stages(&stages_text(&stages)).unwrap(), stages);
        for bad in ["", "factoids9:3", "generic:0", "generic:9999999", "a,b,c,d,e,f,g"] {
            assert!(parse_stages(bad).is_err(), "{bad}");
        }
        let seven = ["generic:1"; MAX_STAGES + 1].join(",");
        assert!(parse_stages(&seven).is_err());
    }

    #[test]
    fn the_default_settings_make_a_valid_run() {
        let s = LearnSettings::default();
        let config = s.continual_config(3, EvalSize::Quick).unwrap();
        assert_eq!((config.seed, config.stages.len()), (3, 2));
        assert_eq!(s.total_steps(), 120);
        assert!(s.label(3).contains("factoids1 → factoids2 · constant · seed 3"));
    }
}
