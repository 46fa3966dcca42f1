//! The quality bar a target model must pass before unlearning means anything: it knows the
//! trained authors and the world facts, and does not know the holdout authors it never saw
//! (TOFU's premise: unlearning starts from a model fine-tuned on every author; Maini et al.,
//! 2024, §3). Each rate is the share of greedy answers that contain the item's key entity
//! ([`crate::metrics::knowledge::contains_entity`]):
//!
//! ```text
//! rate(S) = |{ i ∈ S : key_entityᵢ ∈ greedy(questionᵢ) }| / |S|
//! pass    = rate(trained) ≥ 0.9  ∧  rate(world) ≥ 0.9  ∧  rate(holdout) ≤ 0.1
//! ```

use serde::{Deserialize, Serialize};

use super::Evaluator;
use crate::error::ForgetError;
use crate::metrics::knowledge::contains_entity;
use crate::world::{FactWorld, QaItem};

/// The three rates and the verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QualityBar {
    pub trained: f64,
    pub world: f64,
    pub holdout: f64,
    pub pass: bool,
}

impl Evaluator<'_> {
    /// Share of `items` whose greedy answer contains the key entity.
    pub async fn key_entity_rate(&self, items: &[QaItem]) -> Result<f64, ForgetError> {
        let qs: Vec<&str> = items.iter().map(|it| it.question.as_str()).collect();
        let answers = self.greedy_answers(&qs).await?;
        let hits = answers
            .iter()
            .zip(items)
            .filter(|(answer, it)| contains_entity(&answer.text, &it.key_entity))
            .count();
        Ok(hits as f64 / items.len().max(1) as f64)
    }

    /// The quality bar on the trained, world and holdout items of `world`: all of them, or at
    /// most `per_set` of each, evenly spaced through the set (the page's quick look).
    pub async fn quality_bar(
        &self,
        world: &FactWorld,
        per_set: usize,
    ) -> Result<QualityBar, ForgetError> {
        let pick = |split: &str| -> Result<Vec<QaItem>, ForgetError> {
            let all = world.select(split)?;
            let n = all.len();
            Ok(if n <= per_set {
                all
            } else {
                (0..per_set).map(|i| all[i * n / per_set].clone()).collect()
            })
        };
        let trained = self.key_entity_rate(&pick("trained")?).await?;
        let facts = self.key_entity_rate(&pick("world")?).await?;
        let holdout = self.key_entity_rate(&pick("holdout")?).await?;
        Ok(QualityBar {
            trained,
            world: facts,
            holdout,
            pass: trained >= 0.9 && facts >= 0.9 && holdout <= 0.1,
        })
    }
}
