//! Per-item scores of every split from one pass: the answer trees (probabilities, truth-ratio
//! NLLs, token statistics), the drafted greedy answers, and the Linguistic Score's perplexities.
//! [`super::Evaluator::evaluate`] turns them into a snapshot's metrics.

use super::answer_tree;
use super::greedy;
use super::token_stats::{StatsRequest, TokenStats};
use super::{EvalSets, Evaluator, LinguisticParts};
use crate::error::ForgetError;
use crate::metrics::{linguistic, probability, truth_ratio};
use crate::world::QaItem;

/// Per-item results of one split, shared by several metrics.
pub(super) struct ItemScores {
    /// Per-token statistics of the true answers.
    pub(super) stats: Vec<TokenStats>,
    /// Per-item truth ratio P_false / P_true.
    pub(super) tr: Vec<f64>,
    /// Per-item (P_true, P_false).
    pub(super) true_false: Vec<(f64, f64)>,
    pub(super) p_norm: Vec<f64>,
    pub(super) generated: Vec<String>,
    pub(super) gen_tokens: Vec<Vec<(String, f32)>>,
    pub(super) gen_ids: Vec<Vec<u32>>,
}

impl ItemScores {
    pub(super) fn p_answer(&self) -> Vec<f64> {
        self.stats.iter().map(|s| (-s.avg_nll()).exp()).collect()
    }
}

/// Which splits a scoring pass serves.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Role {
    Forget,
    Retain,
    Facts,
    Holdout,
    /// Forget or retain items asked with their paraphrased question (only the true answer).
    Paraphrase,
    /// Forget or retain items asked in the held-out wording: the true answer's probability
    /// only, no greedy answer. The base model rarely answers a new wording with the fact (KFR
    /// 0.87 before any unlearning), so a KFR there says little, and decoding those answers from
    /// scratch made the whole pass 40 % slower.
    HeldoutWording,
}

impl Role {
    /// Whether the split's items get greedy answers.
    fn answers(self) -> bool {
        !matches!(self, Role::Holdout | Role::HeldoutWording)
    }
}

/// Every split's per-item scores from one pass (the layout [`Evaluator::score_sets`] scores).
pub(super) struct SetScores {
    pub(super) forget: ItemScores,
    pub(super) retain: ItemScores,
    pub(super) real: ItemScores,
    pub(super) world: ItemScores,
    pub(super) holdout: ItemScores,
    pub(super) forget_paraphrased: ItemScores,
    pub(super) retain_paraphrased: ItemScores,
    pub(super) forget_heldout: ItemScores,
    pub(super) retain_heldout: ItemScores,
}

/// `items` asked with their paraphrased question instead, scored on their true answer only.
/// Items without a paraphrased question are left out.
pub fn paraphrased(items: &[QaItem]) -> Vec<QaItem> {
    reworded(items, |it| &it.paraphrased_question)
}

/// `items` asked with their held-out question (a wording no training data holds), scored on
/// their true answer only. Items without one (world facts, imported items) are left out.
pub fn heldout_worded(items: &[QaItem]) -> Vec<QaItem> {
    reworded(items, |it| &it.heldout_question)
}

fn reworded(items: &[QaItem], wording: fn(&QaItem) -> &String) -> Vec<QaItem> {
    items
        .iter()
        .filter(|it| !wording(it).is_empty())
        .map(|it| QaItem {
            question: wording(it).clone(),
            paraphrased_answer: String::new(),
            perturbed_answer: vec![],
            ..it.clone()
        })
        .collect()
}

impl Evaluator<'_> {
    /// Index of the answer token where `key_entity` starts (for the logit lens).
    pub(crate) fn entity_token(
        &self,
        answer: &[u32],
        key_entity: &str,
    ) -> Result<Option<usize>, ForgetError> {
        let texts = self.tokenizer.token_texts(&answer[..answer.len().saturating_sub(1)])?;
        let Some(offset) = texts.concat().find(key_entity) else { return Ok(None) };
        let mut end = 0;
        for (k, t) in texts.iter().enumerate() {
            end += t.len();
            if end > offset {
                return Ok(Some(k));
            }
        }
        Ok(None)
    }

    /// Score every split at once: one answer-tree pass over all their items, then one drafted
    /// greedy pass over the items that need answers (all but the holdout) — one parallel pass
    /// each, so the cores stay busy to the end instead of idling at each split's last chunk.
    /// The truth ratio's "correct" answer is the paraphrased answer for author splits and the
    /// answer for world facts, as open-unlearning does.
    async fn score(&self, splits: &[(&[QaItem], Role)]) -> Result<Vec<ItemScores>, ForgetError> {
        // One group per item: the true answer (detailed), the truth ratio's "correct" answer,
        // then its perturbed answers — all continuing the same question.
        let mut groups = Vec::new();
        let mut lens_token = Vec::new();
        for &(items, role) in splits {
            for it in items {
                let answer = self.example(&it.question, &it.answer)?;
                lens_token.push(if matches!(role, Role::Forget | Role::Retain) {
                    self.entity_token(&answer.answer, &it.key_entity)?
                } else {
                    None
                });
                let truth = if role != Role::Facts && !it.paraphrased_answer.is_empty() {
                    &it.paraphrased_answer
                } else {
                    &it.answer
                };
                let mut answers = vec![answer.answer, self.example(&it.question, truth)?.answer];
                for p in &it.perturbed_answer {
                    answers.push(self.example(&it.question, p)?.answer);
                }
                groups.push(answer_tree::PromptGroup { prompt: answer.prompt, answers });
            }
        }
        // Pooled hidden states for every split (only forget and retain are reported; the
        // averaging is a small matmul per layer, cheaper than a second kind of chunk).
        let req = StatsRequest {
            pooled_hidden: true,
            lens_token,
            lens_hidden: self.probe.is_some() || self.refit_probe,
        };
        let scores = if groups.is_empty() {
            vec![]
        } else {
            self.score_groups(self.model, self.contrast, &groups, &req).await?
        };

        // The answer trees draft the greedy answers, where the question's prompt is the one
        // generation sees (IKE's long prompts may have been cut to fit an answer).
        let mut drafts = Vec::new();
        let mut at = 0;
        for &(items, role) in splits {
            if role.answers() {
                for (k, it) in items.iter().enumerate() {
                    let prompt = self.tokenizer.encode(&self.prompt(&it.question))?;
                    let known = if prompt == groups[at + k].prompt {
                        scores[at + k].greedy.as_slice()
                    } else {
                        &[]
                    };
                    drafts.push(greedy::Draft { prompt, known });
                }
            }
            at += items.len();
        }
        let mut answers = self.greedy_answers_drafted(&drafts).await?.into_iter();

        let mut scores = scores.into_iter();
        let mut out = Vec::with_capacity(splits.len());
        for &(items, role) in splits {
            let mut s = ItemScores {
                stats: vec![],
                tr: vec![],
                true_false: vec![],
                p_norm: vec![],
                generated: vec![],
                gen_tokens: vec![],
                gen_ids: vec![],
            };
            for it in items {
                let g = scores.next().expect("one score per item");
                let (truth_nll, perturbed) = (g.nll[1], &g.nll[2..2 + it.perturbed_answer.len()]);
                let (p_true, p_false) = truth_ratio::truth_probs(truth_nll, perturbed);
                s.true_false.push((p_true, p_false));
                s.tr.push(if perturbed.is_empty() {
                    f64::NAN
                } else {
                    truth_ratio::truth_ratio(truth_nll, perturbed)
                });
                let p_pert: Vec<f64> = perturbed.iter().map(|x| (-x).exp()).collect();
                s.p_norm.push(probability::normalized_probability(
                    (-g.detail.avg_nll()).exp(),
                    &p_pert,
                ));
                s.stats.push(g.detail);
                if role.answers() {
                    let answer = answers.next().expect("one answer per item");
                    s.generated.push(answer.text);
                    s.gen_ids.push(answer.ids);
                    s.gen_tokens.push(answer.tokens);
                }
            }
            out.push(s);
        }
        Ok(out)
    }

    /// Linguistic Score of each split's generated answers; perplexity under the fluency scorer,
    /// conditioned on the question (the reference model when no scorer is loaded). One scoring
    /// pass for all splits.
    /// Per split: LS, its parts, and each answer's perplexity.
    pub(super) async fn linguistic(
        &self,
        splits: &[(&[QaItem], &ItemScores)],
    ) -> Result<Vec<(f64, LinguisticParts, Vec<f64>)>, ForgetError> {
        let mut examples = Vec::new();
        let mut counts = Vec::with_capacity(splits.len());
        for (items, s) in splits {
            let before = examples.len();
            for (i, it) in items.iter().enumerate() {
                if !s.gen_ids[i].is_empty() {
                    let mut ex = self.example(&it.question, "")?;
                    ex.answer = s.gen_ids[i].clone(); // score the generated tokens themselves (no EOS)
                    ex.answer.truncate(
                        self.config.n_positions.saturating_sub(ex.prompt.len() + 1).max(1),
                    );
                    examples.push(ex);
                }
            }
            counts.push(examples.len() - before);
        }
        let nll = self.fluency_nll(&examples).await?;
        let mut nll = nll.into_iter();
        let mut out = Vec::with_capacity(splits.len());
        for ((_, s), n) in splits.iter().zip(counts) {
            let ppl: Vec<f64> = nll.by_ref().take(n).map(f64::exp).collect();
            let l = linguistic::linguistic_score(&ppl, &s.generated);
            let parts = LinguisticParts { ppl: l.ppl, brunet: l.brunet, honore: l.honore };
            // Every answer empty: no fluent text at all, the worst score (ReLearn's LS is NaN
            // here).
            out.push((if ppl.is_empty() { 0.0 } else { l.ls }, parts, ppl));
        }
        Ok(out)
    }

    /// Each example's mean NLL under the fluency scorer (the reference model when none is
    /// loaded); only the examples the run's cache has not seen are scored.
    async fn fluency_nll(
        &self,
        examples: &[crate::batch::Example],
    ) -> Result<Vec<f64>, ForgetError> {
        let scorer = self.fluency.unwrap_or(self.reference);
        let Some(cache) = self.fluency_cache else {
            return self.avg_nll(scorer, None, examples).await;
        };
        let mut nll = cache.get(examples);
        let missing: Vec<usize> = (0..examples.len()).filter(|&i| nll[i].is_none()).collect();
        if !missing.is_empty() {
            let fresh: Vec<_> = missing.iter().map(|&i| examples[i].clone()).collect();
            let values = self.avg_nll(scorer, None, &fresh).await?;
            cache.put(&fresh, &values);
            for (&i, v) in missing.iter().zip(values) {
                nll[i] = Some(v);
            }
        }
        Ok(nll.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect())
    }

    /// Score the evaluation sets in the one layout every pass uses (so a retain model's
    /// reference values and its own evaluation come from identical computations).
    pub(super) async fn score_sets(&self, sets: &EvalSets) -> Result<SetScores, ForgetError> {
        let (forget_p, retain_p) = (paraphrased(&sets.forget), paraphrased(&sets.retain));
        let (forget_h, retain_h) = (heldout_worded(&sets.forget), heldout_worded(&sets.retain));
        let splits = [
            (&sets.forget[..], Role::Forget),
            (&sets.retain[..], Role::Retain),
            (&sets.real_entities[..], Role::Facts),
            (&sets.world[..], Role::Facts),
            (&sets.holdout[..], Role::Holdout),
            (&forget_p[..], Role::Paraphrase),
            (&retain_p[..], Role::Paraphrase),
            (&forget_h[..], Role::HeldoutWording),
            (&retain_h[..], Role::HeldoutWording),
        ];
        // One score per split, in the order above (a struct expression evaluates its fields in
        // the order written).
        let mut scores = self.score(&splits).await?.into_iter();
        let mut next =
            || scores.next().ok_or_else(|| ForgetError::Readback("one score per split".into()));
        Ok(SetScores {
            forget: next()?,
            retain: next()?,
            real: next()?,
            world: next()?,
            holdout: next()?,
            forget_paraphrased: next()?,
            retain_paraphrased: next()?,
            forget_heldout: next()?,
            retain_heldout: next()?,
        })
    }
}
