//! The forget and retain numbers kind by kind of question (birthplace, genre, award, …).
//!
//! Does forgetting one kind of fact spread to the same kind of fact about *other* authors — the
//! held-out examples of the same task — more than to other kinds? Zhang, Choshen & Andreas,
//! "Unforgettable Generalization in Language Models" (COLM 2024, arXiv 2409.02228) fine-tune on
//! random labels for one task and find that how far forgetting generalizes differs by task.
//! ForgetLab's analogue of a task is a kind of question: forget one kind (`forgetlab unlearn
//! --kind birthplace`), then compare the retain items of that kind with the rest.
//!
//! Per kind k, over the evaluated items of that kind (no new metric: the split's own, grouped):
//!
//!   forget prob_k = mean_{i ∈ forget, kind i = k} exp(−mean NLL of answer i)
//!   KFR_k         = KFR over those forget items, KRR_k = KRR over the retain items of kind k
//!   retain prob_k = mean_{i ∈ retain, kind i = k} exp(−mean NLL of answer i)
//!
//! (metrics::probability, metrics::knowledge). Kinds in alphabetical order; a kind with no item
//! in a split has no number there (`None`, JSON `null`).

use serde::{Deserialize, Serialize};

use crate::metrics::knowledge;
use crate::world::QaItem;

/// One kind of question's forget and retain numbers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KindMetrics {
    pub kind: String,
    pub forget_items: usize,
    pub forget_prob: Option<f64>,
    pub kfr: Option<f64>,
    pub retain_items: usize,
    pub retain_prob: Option<f64>,
    pub krr: Option<f64>,
}

/// A split's evaluated items with each one's answer probability and greedy answer.
pub struct Scored<'a> {
    pub items: &'a [QaItem],
    pub prob: &'a [f64],
    pub generated: &'a [String],
}

impl Scored<'_> {
    /// (mean probability, entity rate, count) over the items of `kind`; `rate` is KFR or KRR.
    fn of_kind(
        &self,
        kind: &str,
        rate: fn(&[String], &[String]) -> f64,
    ) -> (Option<f64>, Option<f64>, usize) {
        let at: Vec<usize> =
            (0..self.items.len()).filter(|&i| self.items[i].kind == kind).collect();
        let prob = super::mean(&at.iter().map(|&i| self.prob[i]).collect::<Vec<_>>());
        let generated: Vec<String> = at.iter().map(|&i| self.generated[i].clone()).collect();
        let entities: Vec<String> = at.iter().map(|&i| self.items[i].key_entity.clone()).collect();
        let number = |v: f64| v.is_finite().then_some(v);
        (number(prob), number(rate(&generated, &entities)), at.len())
    }
}

/// Per kind of question present in either split (see the module docs).
pub fn by_kind(forget: &Scored, retain: &Scored) -> Vec<KindMetrics> {
    let mut kinds: Vec<&str> = forget
        .items
        .iter()
        .chain(retain.items)
        .map(|it| it.kind.as_str())
        .filter(|k| !k.is_empty())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
        .into_iter()
        .map(|kind| {
            let (forget_prob, kfr, forget_items) = forget.of_kind(kind, knowledge::kfr);
            let (retain_prob, krr, retain_items) = retain.of_kind(kind, knowledge::krr);
            KindMetrics {
                kind: kind.to_string(),
                forget_items,
                forget_prob,
                kfr,
                retain_items,
                retain_prob,
                krr,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: &str, entity: &str) -> QaItem {
        QaItem { kind: kind.into(), key_entity: entity.into(), ..Default::default() }
    }

    #[test]
    fn groups_each_split_by_kind_of_question() {
        let forget_items =
            [item("genre", "poetry"), item("birthplace", "Ember Cove"), item("genre", "satire")];
        let forget_gen = [
            "She writes poetry.".to_string(),
            "She was born nowhere.".into(),
            "I don't know.".into(),
        ];
        let retain_items = [
            item("birthplace", "Brightwater"),
            item("award", "Quill Prize"),
            item("birthplace", "Oakmere"),
        ];
        let retain_gen = [
            "Born in Brightwater.".to_string(),
            "She won nothing.".into(),
            "Born in Oakmere.".into(),
        ];
        let f = Scored { items: &forget_items, prob: &[0.8, 0.1, 0.2], generated: &forget_gen };
        let r = Scored { items: &retain_items, prob: &[0.9, 0.5, 0.7], generated: &retain_gen };
        let k = by_kind(&f, &r);
        assert_eq!(
            k.iter().map(|k| k.kind.as_str()).collect::<Vec<_>>(),
            ["award", "birthplace", "genre"]
        );
        let (award, birthplace, genre) = (&k[0], &k[1], &k[2]);
        // genre: forget items 0 and 2; only item 2's answer lacks its entity
        assert_eq!((genre.forget_items, genre.retain_items), (2, 0));
        assert!((genre.forget_prob.unwrap() - 0.5).abs() < 1e-12 && genre.kfr == Some(0.5));
        assert_eq!((genre.retain_prob, genre.krr), (None, None));
        // birthplace: one forgotten forget item, two retained retain items
        assert_eq!((birthplace.forget_items, birthplace.retain_items), (1, 2));
        assert_eq!((birthplace.kfr, birthplace.krr), (Some(1.0), Some(1.0)));
        assert!((birthplace.retain_prob.unwrap() - 0.8).abs() < 1e-12);
        // award: retain only, not retained
        assert_eq!((award.forget_items, award.krr, award.retain_prob), (0, Some(0.0), Some(0.5)));
        assert_eq!((award.forget_prob, award.kfr), (None, None));
        // Snapshots compare equal to themselves (no NaN inside): Reset tests rely on it.
        assert_eq!(k.clone(), k);
    }
}
