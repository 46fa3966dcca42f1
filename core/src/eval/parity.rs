//! The reference-parity fixture: the inputs of every metric as one real evaluation saw them
//! (per-token log-probs, generated answers, references, hidden states), with the values the
//! Rust code computed from them. `tests/parity/check_metrics.py` recomputes each value with the
//! reference libraries (rouge-score, scipy, scikit-learn, zlib, numpy) and fails on any
//! difference beyond 1e-6 (1e-4 where the input itself is float32).
//!
//! Written by `forgetlab eval --parity-fixture FILE`.

use serde_json::{Value, json};

use super::{Evaluator, ItemScores, SetScores, mean};
use crate::error::ForgetError;
use crate::eval::EvalSets;
use crate::metrics::{
    forget_quality, linguistic, memorization, mia, model_utility, privleak, representation, rouge,
    truth_ratio,
};
use crate::world::{QaItem, format_answer};

fn tokens(s: &ItemScores) -> Value {
    s.stats.iter().map(|st| json!({ "logp": st.logp, "mu": st.mu, "second_moment": st.second_moment, "argmax_hit": st.argmax_hit })).collect()
}

/// Per-item inputs and Rust outputs of one split.
fn split(items: &[QaItem], s: &ItemScores) -> Value {
    let rouge: Vec<Value> = items
        .iter()
        .zip(&s.generated)
        .map(|(it, g)| {
            let (l, one) = (rouge::rouge_l(&it.answer, g), rouge::rouge_1(&it.answer, g));
            json!({ "reference": it.answer, "candidate": g, "rouge_l": [l.precision, l.recall, l.f1], "rouge1": [one.precision, one.recall, one.f1] })
        })
        .collect();
    let hits = |h: &[bool]| h[..h.len().saturating_sub(1)].to_vec();
    json!({
        "tokens": tokens(s),
        "answer_text": items.iter().map(|it| format_answer(&it.answer)).collect::<Vec<_>>(),
        "truth": s.true_false.iter().zip(&s.tr).map(|((t, f), tr)| json!({ "p_true": t, "p_false": f, "tr": tr })).collect::<Vec<_>>(),
        "p_norm": s.p_norm,
        "rouge": rouge,
        "em": s.stats.iter().map(|st| memorization::exact_memorization(&hits(&st.argmax_hit))).collect::<Vec<_>>(),
        "es": s.stats.iter().map(|st| memorization::extraction_strength(&hits(&st.argmax_hit))).collect::<Vec<_>>(),
        "mia": items.iter().zip(&s.stats).map(|(it, st)| {
            let m = mia::scores(&st.logp, &st.z, &format_answer(&it.answer));
            json!({ "loss": m.loss, "zlib": m.zlib, "min_k": m.min_k, "min_k_plus_plus": m.min_k_plus_plus, "zlib_len": mia::zlib_len(&format_answer(&it.answer)) })
        }).collect::<Vec<_>>(),
    })
}

impl Evaluator<'_> {
    /// Evaluate `sets` and return the fixture (see the module docs).
    pub async fn parity_fixture(&self, sets: &EvalSets) -> Result<Value, ForgetError> {
        let SetScores { forget, retain, world, holdout, .. } = self.score_sets(sets).await?;
        let snapshot = self.evaluate(sets, 0).await?;

        let tr_f: Vec<f64> = forget.tr.iter().copied().filter(|x| x.is_finite()).collect();
        let tr_h: Vec<f64> = holdout.tr.iter().copied().filter(|x| x.is_finite()).collect();
        // The retain model's side (eval::retain_reference), when there is one.
        let retain_tr: Option<Vec<f64>> = self
            .retain_reference
            .and_then(|r| r.truth_ratios(&sets.forget))
            .map(|v| v.into_iter().filter(|x| x.is_finite()).collect());
        let reference_min_k = self.retain_reference.map(|r| {
            let f: Vec<Option<f64>> =
                sets.forget.iter().map(|it| r.forget.get(&it.id).map(|x| x.mia.min_k)).collect();
            let h: Vec<Option<f64>> =
                sets.holdout.iter().map(|it| r.holdout.get(&it.id).map(|x| x.min_k)).collect();
            json!({ "forget": f, "holdout": h })
        });
        let pick = |s: &ItemScores, items: &[QaItem], f: fn(&mia::MiaScores) -> f64| -> Vec<f64> {
            items
                .iter()
                .zip(&s.stats)
                .map(|(it, st)| f(&mia::scores(&st.logp, &st.z, &format_answer(&it.answer))))
                .collect()
        };
        let aucs: Vec<Value> = [("loss", (|m| m.loss) as fn(&mia::MiaScores) -> f64), ("zlib", |m| m.zlib), ("min_k", |m| m.min_k), ("min_k_plus_plus", |m| m.min_k_plus_plus)]
            .iter()
            .map(|(name, f)| json!({ "attack": name, "auc": mia::auc(&pick(&forget, &sets.forget, *f), &pick(&holdout, &sets.holdout, *f)) }))
            .collect();
        let auc_min_k = mia::auc(
            &pick(&forget, &sets.forget, |m| m.min_k),
            &pick(&holdout, &sets.holdout, |m| m.min_k),
        );
        let mu_values = [
            snapshot.retain.prob,
            snapshot.retain.rouge_l,
            snapshot.retain.truth_ratio,
            snapshot.real_entities.prob_normalized,
            snapshot.real_entities.rouge_l,
            snapshot.real_entities.truth_ratio,
            snapshot.world.prob_normalized,
            snapshot.world.rouge_l,
            snapshot.world.truth_ratio,
        ];
        let word_tokens: Vec<Vec<String>> =
            forget.generated.iter().map(|g| linguistic::word_tokenize(g)).collect();
        let ppl = self
            .linguistic(&[(&sets.forget, &forget)])
            .await?
            .pop()
            .map(|l| l.2)
            .unwrap_or_default();
        let ls = linguistic::linguistic_score(&ppl, &forget.generated);
        let layer0: Vec<Vec<f32>> =
            forget.stats.iter().map(|s| s.pooled_hidden[0].clone()).collect();
        Ok(json!({
            "forget": split(&sets.forget, &forget),
            "retain": split(&sets.retain, &retain),
            "world": split(&sets.world, &world),
            "holdout": split(&sets.holdout, &holdout),
            "truth_ratio": {
                "forget_closer_to_1_better": truth_ratio::tr_closer_to_1_better(&tr_f),
                "retain_true_better": truth_ratio::tr_true_better(&retain.tr.iter().copied().filter(|x| x.is_finite()).collect::<Vec<_>>()),
                "forget_prob_mean": snapshot.forget.truth_ratio_paper,
            },
            "forget_quality": {
                "forget_tr": tr_f,
                "retain_model_tr": retain_tr,
                "pvalue": retain_tr.as_ref().map(|r| forget_quality::ks_2samp_pvalue(&tr_f, r)),
                "holdout_tr": tr_h,
                "ks_vs_holdout": forget_quality::ks_2samp_pvalue(&tr_f, &tr_h),
            },
            "retain_model_min_k": reference_min_k,
            "mia_auc": aucs,
            "privleak": { "auc": auc_min_k, "auc_ref": snapshot.privleak_reference_auc, "privleak": privleak::privleak(auc_min_k, snapshot.privleak_reference_auc) },
            "model_utility": { "values": mu_values, "hmean": model_utility::harmonic_mean(&mu_values) },
            "linguistic": { "ppl": ppl, "tokens": word_tokens, "mean_ppl": ls.ppl, "brunet": ls.brunet, "honore": ls.honore, "ls": ls.ls },
            "hidden_variance": { "pooled_layer0": layer0, "total_variance": representation::total_variance(&forget.stats.iter().map(|s| s.pooled_hidden[0].clone()).collect::<Vec<_>>()) },
            "snapshot": snapshot,
            "means": { "forget_prob": mean(&forget.p_answer()), "forget_rouge_l": snapshot.forget.rouge_l },
        }))
    }
}
