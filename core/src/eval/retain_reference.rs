//! The retain model's side of forget quality and PrivLeak, kept per item.
//!
//! TOFU and open-unlearning judge an unlearned model against a *retain model*: the same recipe
//! trained without the forget set (TOFU's retain90/95/99; `forgetlab pretrain --retain forget10`).
//!
//!   forget quality = ks_2samp(TR_unlearned(forget items), TR_retain(the same items)).pvalue
//!   PrivLeak       = privleak(AUC_unlearned, AUC_retain)   (Min-K% AUC, forget vs holdout)
//!
//! (`OU:src/evals/metrics/privacy.py::ks_test` and `::privleak`, whose reference values come from
//! the retain model's evaluation logs, `retain_model_logs`; Maini et al., "TOFU", 2024; Shi et
//! al., "MUSE", 2024.) What the engine needs of a retain model is therefore a handful of numbers
//! per item: its truth ratio on each forget item, its four membership-inference scores on each
//! forget and holdout item, and, for the answers panel, its greedy answer (what successful
//! unlearning should look like). Keyed by item id, so any evaluated subset finds its values, and
//! the browser downloads these values (`retain_reference.json` beside the default model) instead
//! of three retain models.
//!
//! Without a reference for exactly the forget selection (hand-picked items, one kind of question,
//! the user's own facts), forget quality is `null`: there is nothing it could honestly compare
//! with. A model retrained from scratch on that selection in the same session is its retain model.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{EvalSets, mia_scores};
use crate::error::ForgetError;
use crate::metrics::mia::MiaScores;
use crate::world::QaItem;

/// The four membership-inference scores of one item (metrics::mia).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MiaItem {
    pub loss: f64,
    pub zlib: f64,
    pub min_k: f64,
    pub min_k_plus_plus: f64,
}

impl From<MiaScores> for MiaItem {
    fn from(m: MiaScores) -> Self {
        Self { loss: m.loss, zlib: m.zlib, min_k: m.min_k, min_k_plus_plus: m.min_k_plus_plus }
    }
}

/// The retain model's values on one forget item.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ForgetItemReference {
    /// Per-item truth ratio P_false / P_true (`None` when the item has no perturbed answers).
    pub truth_ratio: Option<f64>,
    pub mia: MiaItem,
    /// The retain model's greedy answer.
    pub answer: String,
    /// Its mean answer hidden state after each block (`[layer][n_embd]`), for CKA; kept in
    /// memory only (not written to the reference files the page downloads).
    #[serde(skip)]
    pub pooled_hidden: Vec<Vec<f32>>,
}

/// One retain model's per-item values for one forget selection.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RetainReference {
    /// What the retain model is, as the page and the CLI name it ("retain model of forget10",
    /// "retrained in this session").
    pub label: String,
    /// Every forget item of the selection, by id.
    pub forget: BTreeMap<String, ForgetItemReference>,
    /// Holdout items (members of no model's training data), by id.
    pub holdout: BTreeMap<String, MiaItem>,
}

impl RetainReference {
    /// Whether this is the retain model of exactly this forget selection.
    pub fn is_for(&self, forget: &[QaItem]) -> bool {
        forget.len() == self.forget.len()
            && forget.iter().all(|it| self.forget.contains_key(&it.id))
    }

    /// The retain model's truth ratios on `items` (None if one is missing).
    pub fn truth_ratios(&self, items: &[QaItem]) -> Option<Vec<f64>> {
        items
            .iter()
            .map(|it| self.forget.get(&it.id).map(|r| r.truth_ratio.unwrap_or(f64::NAN)))
            .collect()
    }

    /// The retain model's hidden states on `items`, for CKA (None if one is missing or unknown).
    pub fn hidden_states(&self, items: &[QaItem]) -> Option<Vec<Vec<Vec<f32>>>> {
        items
            .iter()
            .map(|it| {
                self.forget.get(&it.id).map(|r| r.pooled_hidden.clone()).filter(|h| !h.is_empty())
            })
            .collect()
    }

    /// The retain model's Min-K% AUC on these forget and holdout items (None if one is missing).
    pub fn min_k_auc(&self, forget: &[QaItem], holdout: &[QaItem]) -> Option<f64> {
        let f: Option<Vec<f64>> =
            forget.iter().map(|it| self.forget.get(&it.id).map(|r| r.mia.min_k)).collect();
        let h: Option<Vec<f64>> =
            holdout.iter().map(|it| self.holdout.get(&it.id).map(|m| m.min_k)).collect();
        Some(crate::metrics::mia::auc(&f?, &h?))
    }
}

/// The file the default model ships: one reference per preset split.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RetainReferences {
    /// How the values were made (command, recipe), for a reader of the file.
    pub source: String,
    /// Split name ("forget01", "forget05", "forget10") → its retain model's values.
    pub splits: BTreeMap<String, RetainReference>,
}

impl RetainReferences {
    /// The reference whose forget set is exactly `forget`, if one is shipped.
    pub fn for_selection(&self, forget: &[QaItem]) -> Option<&RetainReference> {
        self.splits.values().find(|r| r.is_for(forget))
    }

    pub fn from_json(text: &str) -> Result<Self, crate::ForgetError> {
        serde_json::from_str(text)
            .map_err(|e| crate::ForgetError::InvalidConfig(format!("retain_reference.json: {e}")))
    }
}

impl super::Evaluator<'_> {
    /// This model's per-item values as a *retain model* of `sets.forget` (see
    /// [`retain_reference`]): its truth ratios and membership scores on the forget items, its
    /// membership scores on the holdout items, its greedy answers.
    pub async fn retain_reference(
        &self,
        sets: &EvalSets,
        label: &str,
    ) -> Result<RetainReference, ForgetError> {
        let s = self.score_sets(sets).await?;
        let forget = sets
            .forget
            .iter()
            .enumerate()
            .map(|(i, it)| {
                let item = ForgetItemReference {
                    truth_ratio: Some(s.forget.tr[i]).filter(|x| x.is_finite()),
                    mia: mia_scores(it, &s.forget.stats[i]).into(),
                    answer: s.forget.generated[i].clone(),
                    pooled_hidden: s.forget.stats[i].pooled_hidden.clone(),
                };
                (it.id.clone(), item)
            })
            .collect();
        let holdout = sets
            .holdout
            .iter()
            .zip(&s.holdout.stats)
            .map(|(it, st)| (it.id.clone(), mia_scores(it, st).into()))
            .collect();
        Ok(RetainReference { label: label.to_string(), forget, holdout })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str) -> QaItem {
        QaItem { id: id.into(), ..Default::default() }
    }

    fn reference(ids: &[&str]) -> RetainReference {
        let forget = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                (
                    id.to_string(),
                    ForgetItemReference { truth_ratio: Some(i as f64), ..Default::default() },
                )
            })
            .collect();
        RetainReference { label: "r".into(), forget, holdout: BTreeMap::new() }
    }

    #[test]
    fn a_reference_serves_exactly_its_selection() {
        let r = reference(&["a", "b"]);
        assert!(r.is_for(&[item("b"), item("a")]));
        assert!(!r.is_for(&[item("a")]), "a subset is another selection");
        assert!(!r.is_for(&[item("a"), item("c")]));
        let refs =
            RetainReferences { source: String::new(), splits: [("s".to_string(), r)].into() };
        assert!(refs.for_selection(&[item("a"), item("b")]).is_some());
        assert!(refs.for_selection(&[item("a")]).is_none());
    }

    #[test]
    fn values_are_looked_up_by_id_and_missing_ones_say_so() {
        let r = reference(&["a", "b"]);
        assert_eq!(r.truth_ratios(&[item("b"), item("a")]), Some(vec![1.0, 0.0]));
        assert_eq!(r.truth_ratios(&[item("z")]), None);
        assert_eq!(r.min_k_auc(&[item("a")], &[item("h")]), None, "no holdout value");
    }
}
