//! A first look: the evaluation on a few items of each set, without the linear probe, so the
//! playground shows numbers about a second after it opens while the full evaluation runs.
//! The probe's fit on the original model is the slowest part of a run's first evaluation; the
//! full evaluation that follows fits it and replaces the first look's numbers.

use super::Run;
use crate::error::ForgetError;
use crate::eval::{EvalSets, Evaluator, Snapshot};

impl Run {
    /// The current weights evaluated on at most `n` items of each evaluation set (the first `n`:
    /// the same items the full evaluation starts with), with every metric but the probe's.
    pub async fn evaluate_first_look(&self, n: usize) -> Result<Snapshot, ForgetError> {
        let (model, contrast) = self.answering_model();
        let ev = Evaluator {
            fluency: self.fluency.as_ref(),
            fluency_cache: Some(&self.fluency_cache),
            retain_reference: self.retain_reference.as_ref(),
            ..self.evaluator(&model, contrast.as_ref())
        };
        let all = &self.eval_sets;
        let first = |items: &[crate::world::QaItem]| items.iter().take(n).cloned().collect();
        let sets = EvalSets {
            forget: first(&all.forget),
            retain: first(&all.retain),
            real_entities: first(&all.real_entities),
            world: first(&all.world),
            holdout: first(&all.holdout),
            sample_ids: all.sample_ids.clone(),
            probe_fit: vec![],
        };
        let mut snap = ev.evaluate(&sets, self.step_count()).await?;
        snap.loss = self.last_loss;
        Ok(snap)
    }
}
