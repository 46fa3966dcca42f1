//! The linear probe's fit (metrics::probe): on the original model's hidden states of retain items
//! that are not evaluated, once per run.

use super::answer_tree;
use super::token_stats::{StatsRequest, TokenStats};
use super::{EvalSets, Evaluator};
use crate::batch::Example;
use crate::error::ForgetError;
use crate::host::read_f32;
use crate::metrics::probe::{self, LinearProbe, ProbeItem};
use crate::world::{QaItem, format_prompt};

impl Evaluator<'_> {
    /// Fit the linear probe (metrics::probe) on the **reference** (original) model's hidden
    /// states of `sets.probe_fit` (retain items that are not evaluated), with plain prompts.
    /// Constant over a run: fit once.
    pub async fn fit_probe(&self, sets: &EvalSets) -> Result<Option<LinearProbe>, ForgetError> {
        self.fit_probe_on(self.reference, sets).await
    }

    /// [`Evaluator::fit_probe`] on `model`'s states: the evaluated model's, for the refitted probe.
    pub(super) async fn fit_probe_on(
        &self,
        model: &crate::model::Gpt,
        sets: &EvalSets,
    ) -> Result<Option<LinearProbe>, ForgetError> {
        let items: Vec<&QaItem> =
            sets.probe_fit.iter().filter(|it| probe::candidates(it).is_some()).collect();
        let fit = self.probe_states(model, &items).await?;
        if fit.is_empty() {
            return Ok(None);
        }
        // Every entity the probe may be asked about: the fitting set's and the evaluated items'.
        let entities: std::collections::BTreeSet<String> = sets
            .probe_fit
            .iter()
            .chain(&sets.forget)
            .chain(&sets.retain)
            .filter_map(probe::candidates)
            .flatten()
            .collect();
        Ok(LinearProbe::fit(&fit, self.entity_embeddings(&entities).await?))
    }

    /// Where in the model `items`' facts can be read: a probe fitted on **this** model's own
    /// states of `fit` items (disjoint from `items`), and its accuracy per block on `items`
    /// (empty when either set has no item with candidates). Unlike [`Evaluator::fit_probe`], which
    /// keeps the original model's probe over an unlearning run, this asks the trained model
    /// itself — continual learning moves where facts sit (REMIX, Chen et al. 2024, §5).
    pub async fn probe_accuracy(
        &self,
        fit: &[QaItem],
        items: &[QaItem],
    ) -> Result<Vec<f64>, ForgetError> {
        fn with_candidates(s: &[QaItem]) -> Vec<&QaItem> {
            s.iter().filter(|it| probe::candidates(it).is_some()).collect()
        }
        let (fit, items) = (with_candidates(fit), with_candidates(items));
        let fit_states = self.probe_states(self.model, &fit).await?;
        let item_states = self.probe_states(self.model, &items).await?;
        if fit_states.is_empty() || item_states.is_empty() {
            return Ok(vec![]);
        }
        let entities: std::collections::BTreeSet<String> =
            fit.iter().chain(&items).filter_map(|it| probe::candidates(it)).flatten().collect();
        Ok(match LinearProbe::fit(&fit_states, self.entity_embeddings(&entities).await?) {
            Some(p) => p.accuracy(&item_states),
            None => vec![],
        })
    }

    /// The probe's inputs for `items` under `model`: each one's hidden state after every block at
    /// the position that predicts its key entity's first token, with plain prompts.
    async fn probe_states(
        &self,
        model: &crate::model::Gpt,
        items: &[&QaItem],
    ) -> Result<Vec<ProbeItem>, ForgetError> {
        let mut groups = Vec::with_capacity(items.len());
        let mut lens_token = Vec::with_capacity(items.len());
        for it in items {
            let ex = Example::raw(
                self.tokenizer,
                &format_prompt(&it.question),
                &crate::world::format_answer(&it.answer),
                self.config.n_positions,
            )?;
            lens_token.push(self.entity_token(&ex.answer, &it.key_entity)?);
            groups.push(answer_tree::PromptGroup { prompt: ex.prompt, answers: vec![ex.answer] });
        }
        if groups.is_empty() {
            return Ok(vec![]);
        }
        let req = StatsRequest { pooled_hidden: false, lens_token, lens_hidden: true };
        let scores = self.score_groups(model, None, &groups, &req).await?;
        Ok(probe_items(items, scores.iter().map(|g| &g.detail)))
    }

    /// The original model's embedding of each entity: the token-embedding row of its first token,
    /// tokenized as the entity appears in an answer (" Brightwater" → " Bright").
    async fn entity_embeddings(
        &self,
        entities: &std::collections::BTreeSet<String>,
    ) -> Result<std::collections::HashMap<String, Vec<f64>>, ForgetError> {
        let mut ids: Vec<i64> = Vec::new();
        let mut spans = Vec::with_capacity(entities.len());
        for e in entities {
            let first = self.tokenizer.encode(&format!(" {e}"))?.first().copied();
            if let Some(t) = first {
                spans.push((e.clone(), ids.len()));
                ids.push(t as i64);
            }
        }
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let n = ids.len();
        let at = burn::tensor::Tensor::<1, burn::tensor::Int>::from_data(
            burn::tensor::TensorData::new(ids, [n]),
            self.device,
        );
        let rows = self.reference.wte.val().select(0, at).reshape([n * self.config.n_embd]);
        let rows = read_f32(rows).await?;
        let c = self.config.n_embd;
        Ok(spans
            .into_iter()
            .map(|(e, at)| (e, rows[at * c..(at + 1) * c].iter().map(|&x| x as f64).collect()))
            .collect())
    }
}

/// The probe's inputs: each item with candidates and a lens-position state.
pub(super) fn probe_items<'s>(
    items: &[&QaItem],
    stats: impl Iterator<Item = &'s TokenStats>,
) -> Vec<ProbeItem> {
    items
        .iter()
        .zip(stats)
        .filter_map(|(it, st)| {
            Some(ProbeItem {
                hidden: Some(st.lens_hidden.clone()).filter(|h| !h.is_empty())?,
                candidates: probe::candidates(it)?,
            })
        })
        .collect()
}
