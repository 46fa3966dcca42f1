//! The live estimate: a few numbers after every training step, cheap enough that the playground
//! shows them within a step of pressing Run, between the full evaluations.
//!
//! The answer probability P(a | q) = exp(−(1/|a|) Σ_t log p(a_t | q, a_<t)) (TOFU, Maini et al.
//! 2024, "Probability") on a small fixed sample: the first [`ESTIMATE_ITEMS`] forget, retain and
//! world items of the evaluation sets (the ones the full evaluation starts with) and the watched
//! facts (each item scored once: by default the watched facts are among those). One forward pass, no generation, nothing else: it is an *estimate* of the full
//! evaluation's forget, retain and world probabilities (the mean over every item), and the page
//! marks it so until the next full evaluation replaces it.

use serde::{Deserialize, Serialize};

use super::Run;
use crate::batch::Example;
use crate::error::ForgetError;
use crate::world::QaItem;

/// Items per set in the estimate's sample.
pub const ESTIMATE_ITEMS: usize = 6;

/// Answer probabilities on the estimate's sample, after `step` steps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub step: usize,
    /// Mean answer probability over the first forget items (NaN: the set is empty).
    pub forget_prob: f64,
    pub retain_prob: f64,
    pub world_prob: f64,
    /// Each watched fact's answer probability, by id.
    pub watched: Vec<(String, f64)>,
    /// How many items of each set (forget, retain, world) the means are over.
    pub sample: [usize; 3],
}

impl Run {
    /// The live estimate of the current weights (see the module docs).
    pub async fn estimate(&self) -> Result<Estimate, ForgetError> {
        let (model, contrast) = self.answering_model();
        let ev = self.evaluator(&model, contrast.as_ref());
        let sets = &self.eval_sets;
        let first = |items: &[QaItem]| -> Vec<QaItem> {
            items.iter().take(ESTIMATE_ITEMS).cloned().collect()
        };
        let (forget, retain, world) =
            (first(&sets.forget), first(&sets.retain), first(&sets.world));
        let watched: Vec<&QaItem> = sets
            .sample_ids
            .iter()
            .filter_map(|id| {
                [&sets.forget, &sets.retain, &sets.real_entities, &sets.world]
                    .into_iter()
                    .find_map(|items| items.iter().find(|it| &it.id == id))
            })
            .collect();
        // Each item once: the watched facts are usually among the first items already.
        let mut scored: Vec<&QaItem> = forget.iter().chain(&retain).chain(&world).collect();
        for it in &watched {
            if !scored.iter().any(|s| s.id == it.id) {
                scored.push(it);
            }
        }
        let examples = scored
            .iter()
            .map(|it| ev.example(&it.question, &it.answer))
            .collect::<Result<Vec<Example>, _>>()?;
        let prob: Vec<f64> = if examples.is_empty() {
            vec![]
        } else {
            let nll = ev.avg_nll(&model, contrast.as_ref(), &examples).await?;
            nll.iter().map(|n| (-n).exp()).collect()
        };
        let of = |id: &str| scored.iter().position(|s| s.id == id).map_or(f64::NAN, |i| prob[i]);
        let mean = |p: &[f64]| crate::eval::mean(p);
        let (nf, nr, nw) = (forget.len(), retain.len(), world.len());
        Ok(Estimate {
            step: self.step_count(),
            forget_prob: mean(&prob[..nf]),
            retain_prob: mean(&prob[nf..nf + nr]),
            world_prob: mean(&prob[nf + nr..nf + nr + nw]),
            watched: watched.iter().map(|it| (it.id.clone(), of(&it.id))).collect(),
            sample: [nf, nr, nw],
        })
    }
}
