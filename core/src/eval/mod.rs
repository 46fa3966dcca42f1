//! One evaluation pass: every metric of a [`Snapshot`] from as few forward passes as possible.
//!
//! Per split, each item's answers — the true one (per-token statistics: probability,
//! memorization, membership inference, hidden states, logit lens) and the paraphrased and
//! perturbed ones (NLL: truth ratio) — go through one forward pass as a single row, the question
//! once and the answers' shared prefixes once ([`answer_tree`]); greedy answers are generated
//! once and reused by ROUGE, KFR/KRR and the Linguistic Score. Only small per-row reductions are
//! read back, and only asynchronously.

pub mod answer_tree;
pub mod by_kind;
pub mod greedy;
mod parity;
pub mod representation;
pub mod snapshot;
pub mod token_stats;
mod vocab;

use burn::tensor::Device;

pub use by_kind::KindMetrics;
pub use snapshot::{GeneratedAnswer, LinguisticParts, MiaAucs, Representation, Snapshot, SplitMetrics};
pub use token_stats::{StatsRequest, TokenStats};

use crate::batch::Example;
use crate::error::ForgetError;
use crate::metrics::{entity_similarity, forget_quality, knowledge, linguistic, memorization, mia, model_utility, privleak, probability, rouge, truth_ratio};
use crate::model::{Gpt, GptConfig, LogitDifference};
use crate::tokenizer::Tokenizer;
use crate::world::{QaItem, Split, format_prompt};

/// The item sets one evaluation looks at.
#[derive(Clone, Debug, Default)]
pub struct EvalSets {
    pub forget: Vec<QaItem>,
    pub retain: Vec<QaItem>,
    /// Named entities the base model learned (TOFU's "real authors" stand-in).
    pub real_entities: Vec<QaItem>,
    pub world: Vec<QaItem>,
    pub holdout: Vec<QaItem>,
    /// Ids whose generations are returned in `Snapshot::samples`.
    pub sample_ids: Vec<String>,
}

/// World-fact kinds about named, well-known entities: the "real authors"-like utility set.
pub const REAL_ENTITY_KINDS: [&str; 4] = ["capital", "geography", "element_symbol", "planet"];

/// What is needed to run the model in evaluation mode.
pub struct Evaluator<'a> {
    pub model: &'a Gpt,
    /// The frozen original model (parameter change is measured against it).
    pub reference: &'a Gpt,
    /// The fluency scorer for LS's perplexity (`public/models/fluency`: it never saw the forget10
    /// or holdout authors). Without one, the reference model scores, which penalises any answer
    /// that departs from the fact it memorised — a hedge as much as gibberish. It is also
    /// PrivLeak's reference model (see [`Evaluator::reference_auc`]).
    pub fluency: Option<&'a Gpt>,
    pub config: &'a GptConfig,
    pub tokenizer: &'a Tokenizer,
    pub device: &'a Device,
    pub max_new_tokens: usize,
    /// PrivLeak's reference AUC, computed once per run by [`Evaluator::reference_auc`]
    /// (None: open-unlearning's default 0.5).
    pub privleak_reference_auc: Option<f64>,
    /// IKE: demonstrations placed before every evaluated question (None: plain prompts).
    pub in_context: Option<&'a crate::methods::ike::InContext>,
    /// ULD: the evaluated model's logits go through this assistant's rule (None: its own).
    /// Applies to `model` only, never to the reference or the fluency scorer.
    pub contrast: Option<&'a LogitDifference>,
}

/// Per-item results of one split, shared by several metrics.
struct ItemScores {
    /// Per-token statistics of the true answers.
    stats: Vec<TokenStats>,
    /// Per-item truth ratio P_false / P_true.
    tr: Vec<f64>,
    /// Per-item (P_true, P_false).
    true_false: Vec<(f64, f64)>,
    p_norm: Vec<f64>,
    generated: Vec<String>,
    gen_tokens: Vec<Vec<(String, f32)>>,
    gen_ids: Vec<Vec<u32>>,
}

impl ItemScores {
    fn p_answer(&self) -> Vec<f64> {
        self.stats.iter().map(|s| (-s.avg_nll()).exp()).collect()
    }
}

/// Which splits a scoring pass serves.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    Forget,
    Retain,
    Facts,
    Holdout,
}

impl<'a> Evaluator<'a> {
    /// An evaluator with no fluency scorer, PrivLeak's default reference AUC and plain prompts
    /// (set those fields with struct update syntax).
    pub fn new(model: &'a Gpt, reference: &'a Gpt, config: &'a GptConfig, tokenizer: &'a Tokenizer, device: &'a Device, max_new_tokens: usize) -> Self {
        Self { model, reference, fluency: None, config, tokenizer, device, max_new_tokens, privleak_reference_auc: None, in_context: None, contrast: None }
    }
}

impl Evaluator<'_> {
    pub(crate) fn example(&self, q: &str, a: &str) -> Result<Example, ForgetError> {
        Example::raw(self.tokenizer, &self.prompt(q), &crate::world::format_answer(a), self.config.n_positions)
    }

    /// The prompt the model sees for question `q` (with IKE's demonstrations first, if any).
    fn prompt(&self, q: &str) -> String {
        match self.in_context {
            Some(ctx) => format!("{}{}", ctx.prefix(q), format_prompt(q)),
            None => format_prompt(q),
        }
    }

    /// Index of the answer token where `key_entity` starts (for the logit lens).
    fn entity_token(&self, answer: &[u32], key_entity: &str) -> Result<Option<usize>, ForgetError> {
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
                lens_token.push(if role == Role::Forget { self.entity_token(&answer.answer, &it.key_entity)? } else { None });
                let truth = if role != Role::Facts && !it.paraphrased_answer.is_empty() { &it.paraphrased_answer } else { &it.answer };
                let mut answers = vec![answer.answer, self.example(&it.question, truth)?.answer];
                for p in &it.perturbed_answer {
                    answers.push(self.example(&it.question, p)?.answer);
                }
                groups.push(answer_tree::PromptGroup { prompt: answer.prompt, answers });
            }
        }
        // Pooled hidden states for every split (only forget and retain are reported; the
        // averaging is a small matmul per layer, cheaper than a second kind of chunk).
        let req = StatsRequest { pooled_hidden: true, lens_token };
        let scores = if groups.is_empty() { vec![] } else { self.score_groups(self.model, self.contrast, &groups, &req).await? };

        // The answer trees draft the greedy answers, where the question's prompt is the one
        // generation sees (IKE's long prompts may have been cut to fit an answer).
        let mut drafts = Vec::new();
        let mut at = 0;
        for &(items, role) in splits {
            if role != Role::Holdout {
                for (k, it) in items.iter().enumerate() {
                    let prompt = self.tokenizer.encode(&self.prompt(&it.question))?;
                    let known = if prompt == groups[at + k].prompt { scores[at + k].greedy.as_slice() } else { &[] };
                    drafts.push(greedy::Draft { prompt, known });
                }
            }
            at += items.len();
        }
        let mut answers = self.greedy_answers_drafted(&drafts).await?.into_iter();

        let mut scores = scores.into_iter();
        let mut out = Vec::with_capacity(splits.len());
        for &(items, role) in splits {
            let mut s = ItemScores { stats: vec![], tr: vec![], true_false: vec![], p_norm: vec![], generated: vec![], gen_tokens: vec![], gen_ids: vec![] };
            for it in items {
                let g = scores.next().expect("one score per item");
                let (truth_nll, perturbed) = (g.nll[1], &g.nll[2..2 + it.perturbed_answer.len()]);
                let (p_true, p_false) = truth_ratio::truth_probs(truth_nll, perturbed);
                s.true_false.push((p_true, p_false));
                s.tr.push(if perturbed.is_empty() { f64::NAN } else { truth_ratio::truth_ratio(truth_nll, perturbed) });
                let p_pert: Vec<f64> = perturbed.iter().map(|x| (-x).exp()).collect();
                s.p_norm.push(probability::normalized_probability((-g.detail.avg_nll()).exp(), &p_pert));
                s.stats.push(g.detail);
                if role != Role::Holdout {
                    let (text, ids, toks) = answers.next().expect("one answer per item");
                    s.generated.push(text);
                    s.gen_ids.push(ids);
                    s.gen_tokens.push(toks);
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
    async fn linguistic(&self, splits: &[(&[QaItem], &ItemScores)]) -> Result<Vec<(f64, LinguisticParts, Vec<f64>)>, ForgetError> {
        let mut examples = Vec::new();
        let mut counts = Vec::with_capacity(splits.len());
        for (items, s) in splits {
            let before = examples.len();
            for (i, it) in items.iter().enumerate() {
                if !s.gen_ids[i].is_empty() {
                    let mut ex = self.example(&it.question, "")?;
                    ex.answer = s.gen_ids[i].clone(); // score the generated tokens themselves (no EOS)
                    ex.answer.truncate(self.config.n_positions.saturating_sub(ex.prompt.len() + 1).max(1));
                    examples.push(ex);
                }
            }
            counts.push(examples.len() - before);
        }
        let nll = if examples.is_empty() { vec![] } else { self.avg_nll(self.fluency.unwrap_or(self.reference), None, &examples).await? };
        let mut nll = nll.into_iter();
        let mut out = Vec::with_capacity(splits.len());
        for ((_, s), n) in splits.iter().zip(counts) {
            let ppl: Vec<f64> = nll.by_ref().take(n).map(f64::exp).collect();
            let l = linguistic::linguistic_score(&ppl, &s.generated);
            let parts = LinguisticParts { ppl: l.ppl, brunet: l.brunet, honore: l.honore };
            // Every answer empty: no fluent text at all, the worst score (ReLearn's LS is NaN here).
            out.push((if ppl.is_empty() { 0.0 } else { l.ls }, parts, ppl));
        }
        Ok(out)
    }

    /// PrivLeak's reference AUC: the Min-K% AUC of the fluency scorer on the same forget and
    /// holdout answers. Only when the scorer never saw the forget items (the preset splits);
    /// otherwise None (the caller falls back to 0.5). Constant over a run: compute it once.
    pub async fn reference_auc(&self, sets: &EvalSets) -> Result<Option<f64>, ForgetError> {
        let unseen = |it: &QaItem| matches!(it.split, Split::Forget01 | Split::Forget05 | Split::Forget10 | Split::Holdout);
        let Some(scorer) = self.fluency else { return Ok(None) };
        if sets.forget.is_empty() || sets.holdout.is_empty() || !sets.forget.iter().all(unseen) {
            return Ok(None);
        }
        Ok(Some(mia::auc(&self.min_k_scores(scorer, &sets.forget).await?, &self.min_k_scores(scorer, &sets.holdout).await?)))
    }

    /// Min-K% attack scores of `model` on the items' true answers.
    async fn min_k_scores(&self, model: &Gpt, items: &[QaItem]) -> Result<Vec<f64>, ForgetError> {
        let ex = items.iter().map(|it| self.example(&it.question, &it.answer)).collect::<Result<Vec<_>, _>>()?;
        let stats = self.token_stats(model, None, &ex, &StatsRequest::default()).await?;
        Ok(stats.iter().zip(items).map(|(s, it)| mia::scores(&s.logp, &s.z, &crate::world::format_answer(&it.answer)).min_k).collect())
    }

    /// The full evaluation pass.
    pub async fn evaluate(&self, sets: &EvalSets, step: usize) -> Result<Snapshot, ForgetError> {
        let splits = [(&sets.forget[..], Role::Forget), (&sets.retain[..], Role::Retain), (&sets.real_entities[..], Role::Facts), (&sets.world[..], Role::Facts), (&sets.holdout[..], Role::Holdout)];
        let [forget, retain, real, world, holdout]: [ItemScores; 5] = self.score(&splits).await?.try_into().map_err(|_| ForgetError::Readback("one score per split".into()))?;

        let forget_m = split_metrics(&sets.forget, &forget, truth_ratio::tr_closer_to_1_better);
        let retain_m = split_metrics(&sets.retain, &retain, truth_ratio::tr_true_better);
        let real_m = split_metrics(&sets.real_entities, &real, truth_ratio::tr_true_better);
        let world_m = split_metrics(&sets.world, &world, truth_ratio::tr_true_better);
        let entities = |items: &[QaItem]| items.iter().map(|it| it.key_entity.clone()).collect::<Vec<_>>();
        let fq = forget_quality::ks_2samp_pvalue(&finite(&forget.tr), &finite(&holdout.tr));
        let mu = model_utility::harmonic_mean(&[
            retain_m.prob,
            retain_m.rouge_l,
            retain_m.truth_ratio,
            real_m.prob_normalized,
            real_m.rouge_l,
            real_m.truth_ratio,
            world_m.prob_normalized,
            world_m.rouge_l,
            world_m.truth_ratio,
        ]);
        let ls_both = self.linguistic(&[(&sets.forget, &forget), (&sets.retain, &retain)]).await?;
        let [(ls, ls_parts, _), (ls_retain, ls_retain_parts, _)]: [_; 2] = ls_both.try_into().map_err(|_| ForgetError::Readback("one score per split".into()))?;

        // Membership inference: forget (members) vs holdout (never trained on).
        let mia_scores = |items: &[QaItem], s: &ItemScores| -> Vec<mia::MiaScores> {
            items.iter().zip(&s.stats).map(|(it, st)| mia::scores(&st.logp, &st.z, &crate::world::format_answer(&it.answer))).collect()
        };
        let (mf, mh) = (mia_scores(&sets.forget, &forget), mia_scores(&sets.holdout, &holdout));
        let auc_of = |pick: fn(&mia::MiaScores) -> f64| mia::auc(&mf.iter().map(pick).collect::<Vec<_>>(), &mh.iter().map(pick).collect::<Vec<_>>());
        let mia_aucs = MiaAucs { loss: auc_of(|m| m.loss), zlib: auc_of(|m| m.zlib), min_k: auc_of(|m| m.min_k), min_k_plus_plus: auc_of(|m| m.min_k_plus_plus) };
        let reference_auc = self.privleak_reference_auc.unwrap_or(privleak::DEFAULT_REFERENCE_AUC);

        let representation = Representation {
            hidden_variance_forget: representation::hidden_variance(&forget.stats),
            hidden_variance_retain: representation::hidden_variance(&retain.stats),
            param_change: representation::param_change(self.model, self.reference).await?,
            logit_lens_forget: representation::mean_lens(&forget.stats),
        };

        let (forget_p, retain_p) = (forget.p_answer(), retain.p_answer());
        let by_kind = by_kind::by_kind(
            &by_kind::Scored { items: &sets.forget, prob: &forget_p, generated: &forget.generated },
            &by_kind::Scored { items: &sets.retain, prob: &retain_p, generated: &retain.generated },
        );

        let mut samples = Vec::new();
        for id in &sets.sample_ids {
            for (items, s) in [(&sets.forget, &forget), (&sets.retain, &retain), (&sets.real_entities, &real), (&sets.world, &world)] {
                if let Some(i) = items.iter().position(|it| &it.id == id) {
                    samples.push(GeneratedAnswer {
                        id: id.clone(),
                        question: items[i].question.clone(),
                        answer: items[i].answer.clone(),
                        generated: s.generated[i].clone(),
                        tokens: s.gen_tokens[i].clone(),
                        contains_key_entity: knowledge::contains_entity(&s.generated[i], &items[i].key_entity),
                    });
                    break;
                }
            }
        }
        Ok(Snapshot {
            step,
            forget: forget_m,
            retain: retain_m,
            real_entities: real_m,
            world: world_m,
            kfr: knowledge::kfr(&forget.generated, &entities(&sets.forget)),
            krr: knowledge::krr(&retain.generated, &entities(&sets.retain)),
            kfr_similarity: entity_similarity::kfr_similarity(&judged(&sets.forget, &forget)),
            krr_similarity: entity_similarity::krr_similarity(&judged(&sets.retain, &retain)),
            ls,
            ls_parts,
            ls_retain,
            ls_retain_parts,
            forget_quality: fq,
            model_utility: mu,
            privleak: privleak::privleak(mia_aucs.min_k, reference_auc),
            privleak_reference_auc: reference_auc,
            mia: mia_aucs,
            representation,
            by_kind,
            loss: None,
            samples,
        })
    }
}

/// (question, generated answer, key entity) per item, for the entity-similarity judges.
fn judged<'a>(items: &'a [QaItem], s: &'a ItemScores) -> Vec<entity_similarity::Judged<'a>> {
    items.iter().zip(&s.generated).map(|(it, g)| (it.question.as_str(), g.as_str(), it.key_entity.as_str())).collect()
}

/// A split's TOFU numbers and memorization metrics from its per-item scores.
fn split_metrics(items: &[QaItem], s: &ItemScores, tr_agg: fn(&[f64]) -> f64) -> SplitMetrics {
    // Each answer and generation is tokenized once for the three ROUGE numbers.
    let pairs: Vec<(Vec<String>, Vec<String>)> = items.iter().zip(&s.generated).map(|(it, g)| (rouge::tokenize(&it.answer), rouge::tokenize(g))).collect();
    let over_gens = |f: &dyn Fn(&[String], &[String]) -> f64| mean(&pairs.iter().map(|(a, g)| f(a, g)).collect::<Vec<_>>());
    // EM and ES exclude the EOS target (the last labeled token).
    let hits = |st: &TokenStats| st.argmax_hit[..st.argmax_hit.len().saturating_sub(1)].to_vec();
    SplitMetrics {
        prob: mean(&s.p_answer()),
        rouge_l: over_gens(&|a, g| rouge::rouge_l_tokens(a, g).recall),
        truth_ratio: tr_agg(&finite(&s.tr)),
        rouge_l_f1: over_gens(&|a, g| rouge::rouge_l_tokens(a, g).f1),
        rouge1_recall: over_gens(&|a, g| rouge::rouge_1_tokens(a, g).recall),
        truth_ratio_paper: truth_ratio::tr_prob_mean_aggregate(&s.true_false.iter().copied().filter(|(t, f)| t.is_finite() && f.is_finite()).collect::<Vec<_>>()),
        prob_normalized: mean(&s.p_norm),
        exact_memorization: mean(&s.stats.iter().map(|st| memorization::exact_memorization(&hits(st))).collect::<Vec<_>>()),
        extraction_strength: mean(&s.stats.iter().map(|st| memorization::extraction_strength(&hits(st))).collect::<Vec<_>>()),
    }
}

/// Read a 1-D tensor back to the host without blocking (the WebGPU-safe path).
pub async fn read_f32(t: burn::tensor::Tensor<1>) -> Result<Vec<f32>, ForgetError> {
    t.into_data_async()
        .await
        .map_err(|e| ForgetError::Readback(format!("{e:?}")))?
        .try_into_vec_as::<f32>()
        .map_err(|e| ForgetError::Readback(format!("{e:?}")))
}

pub(crate) fn mean(v: &[f64]) -> f64 {
    let v = finite(v);
    if v.is_empty() { f64::NAN } else { v.iter().sum::<f64>() / v.len() as f64 }
}

fn finite(v: &[f64]) -> Vec<f64> {
    v.iter().copied().filter(|x| x.is_finite()).collect()
}
