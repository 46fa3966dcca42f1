//! Evaluating a run: the model as it answers (for ULD, the original with the assistant's logits
//! subtracted), the evaluator with the run's reference, fluency scorer, retain model and probe,
//! and the run's model as a retain model of its selection.

use super::Run;
use crate::error::ForgetError;
use crate::eval::{EvalSets, Evaluator, PromptContext, RetainReference, Snapshot};
use crate::methods::Start;
use crate::model::{Gpt, LogitDifference};
use crate::world::QaItem;

impl Run {
    /// An evaluator of `model` (from [`Run::answering_model`]) with this run's reference,
    /// tokenizer, device and IKE demonstrations.
    pub(super) fn evaluator<'a>(
        &'a self,
        model: &'a Gpt,
        contrast: Option<&'a LogitDifference>,
    ) -> Evaluator<'a> {
        Evaluator {
            contrast,
            in_context: self.prepared.in_context.as_ref().map(|c| c as &dyn PromptContext),
            ..Evaluator::new(
                model,
                &self.reference,
                &self.model_config,
                &self.tokenizer,
                &self.eval_device,
                self.config.eval.max_new_tokens,
            )
        }
    }

    /// The model as it answers: the trained weights, or for ULD the untouched original together
    /// with the trained assistant (no gradient tracking).
    pub(super) fn answering_model(&self) -> (Gpt, Option<LogitDifference>) {
        if self.config.method.spec().start == Start::Assistant {
            let hp = &self.config.hyper;
            (
                self.reference.clone(),
                Some(LogitDifference {
                    assistant: self.trainer.valid(),
                    weight: hp.logit_weight,
                    top_filter: hp.top_filter,
                }),
            )
        } else {
            (self.trainer.valid(), None)
        }
    }

    /// Evaluate the current weights (no gradient tracking).
    pub async fn evaluate(&self) -> Result<Snapshot, ForgetError> {
        let (model, contrast) = self.answering_model();
        let ev = Evaluator {
            fluency: self.fluency.as_ref(),
            fluency_cache: Some(&self.fluency_cache),
            ..self.evaluator(&model, contrast.as_ref())
        };
        if self.probe.get().is_none() {
            let probe = ev.fit_probe(&self.eval_sets).await?;
            let _ = self.probe.set(probe);
        }
        if self.original_states.get().is_none() {
            let states = ev.hidden_states(&self.reference, &self.eval_sets.forget).await?;
            let _ = self.original_states.set(states);
        }
        let ev = Evaluator {
            retain_reference: self.retain_reference.as_ref(),
            original_states: self.original_states.get().map(Vec::as_slice),
            probe: self.probe.get().and_then(Option::as_ref),
            refit_probe: self.refit_probe,
            ..ev
        };
        let mut snap = ev.evaluate(&self.eval_sets, self.step_count()).await?;
        snap.loss = self.last_loss;
        Ok(snap)
    }

    /// The current model's values as a retain model of this run's forget selection: after
    /// Retrain, the exact-unlearning model other methods on this selection are judged against.
    /// All forget items are scored, whatever the evaluation's cap.
    pub async fn as_retain_reference(&self, label: &str) -> Result<RetainReference, ForgetError> {
        let (model, contrast) = self.answering_model();
        let ev = self.evaluator(&model, contrast.as_ref());
        let sets = EvalSets { forget: self.forget_items.clone(), ..self.eval_sets.clone() };
        ev.retain_reference(&sets, label).await
    }

    /// Each item's mean answer-token NLL under the model as it answers now.
    pub async fn answer_nll(&self, items: &[QaItem]) -> Result<Vec<f64>, ForgetError> {
        let (model, contrast) = self.answering_model();
        let ev = self.evaluator(&model, contrast.as_ref());
        let examples = items
            .iter()
            .map(|it| ev.example(&it.question, &it.answer))
            .collect::<Result<Vec<_>, _>>()?;
        ev.avg_nll(&model, contrast.as_ref(), &examples).await
    }
}
