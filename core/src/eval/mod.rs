//! One evaluation pass: every metric of a [`Snapshot`] from as few forward passes as possible.
//!
//! Per split, each item's answers — the true one (per-token statistics: probability,
//! memorization, membership inference, hidden states, logit lens) and the paraphrased and
//! perturbed ones (NLL: truth ratio) — go through one forward pass as a single row, the question
//! once and the answers' shared prefixes once ([`answer_tree`]); greedy answers are generated
//! once and reused by ROUGE, KFR/KRR and the Linguistic Score. Only small per-row reductions are
//! read back, and only asynchronously.
//!
//! This file holds the [`Evaluator`] and the pass that turns scores into a snapshot
//! ([`Evaluator::evaluate`]); scoring.rs scores every split's items, probe_fit.rs fits the linear
//! probe once per run.

pub mod answer_tree;
pub mod by_kind;
pub mod greedy;
mod metric_row;
mod metric_rows_inside;
mod metric_rows_wording;
pub mod metric_table;
mod nll_cache;
mod parity;
mod probe_fit;
pub mod quality_bar;
pub mod representation;
pub mod retain_reference;
mod scoring;
pub mod snapshot;
pub mod token_stats;
mod vocab;

use burn::tensor::Device;

pub use by_kind::KindMetrics;
pub use metric_row::{Better, Chart, Format, MetricRow, Role};
pub use metric_table::{METRICS, metric};
pub use nll_cache::NllCache;
pub use retain_reference::{RetainReference, RetainReferences};
pub use snapshot::{
    GeneratedAnswer, HeldoutWording, LinguisticParts, MiaAucs, Paraphrase, Representation,
    Snapshot, SplitMetrics,
};
pub use token_stats::{StatsRequest, TokenStats};

use crate::batch::Example;
use crate::error::ForgetError;
use crate::metrics::probe::{self, LinearProbe};
use crate::metrics::{
    entity_similarity, forget_quality, knowledge, memorization, mia, model_utility, privleak,
    rouge, truth_ratio,
};
use crate::model::{Gpt, GptConfig, LogitDifference};
use crate::tokenizer::Tokenizer;
use crate::world::{QaItem, format_prompt};
use probe_fit::probe_items;
use scoring::{ItemScores, SetScores};
pub use scoring::{heldout_worded, paraphrased};

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
    /// Retain items that are not evaluated: the linear probe is fitted on them (metrics::probe).
    pub probe_fit: Vec<QaItem>,
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
    /// that departs from the fact it memorised — a hedge as much as gibberish.
    pub fluency: Option<&'a Gpt>,
    /// The fluency scorer's values remembered from earlier evaluations of the same run (None:
    /// score every answer).
    pub fluency_cache: Option<&'a NllCache>,
    pub config: &'a GptConfig,
    pub tokenizer: &'a Tokenizer,
    pub device: &'a Device,
    pub max_new_tokens: usize,
    /// The retain model's per-item values for this forget selection: forget quality and
    /// PrivLeak's reference (None: forget quality is NaN, PrivLeak uses open-unlearning's
    /// default reference AUC 0.5).
    pub retain_reference: Option<&'a RetainReference>,
    /// The original model's hidden states on the forget items ([`Evaluator::hidden_states`];
    /// None: no CKA to the original).
    pub original_states: Option<&'a [Vec<Vec<f32>>]>,
    /// The linear probe fitted on the original model ([`Evaluator::fit_probe`]; None: no probe
    /// numbers).
    pub probe: Option<&'a LinearProbe>,
    /// Also fit the probe again on `model`'s own states at each evaluation (the refitted probe).
    pub refit_probe: bool,
    /// Text placed before every evaluated question, such as IKE's demonstrations (None: plain
    /// prompts).
    pub in_context: Option<&'a dyn PromptContext>,
    /// ULD: the evaluated model's logits go through this assistant's rule (None: its own).
    /// Applies to `model` only, never to the reference or the fluency scorer.
    pub contrast: Option<&'a LogitDifference>,
}

/// What an evaluated prompt is prefixed with, question by question (in-context methods).
pub trait PromptContext: Sync {
    fn prefix(&self, question: &str) -> String;
}

impl<'a> Evaluator<'a> {
    /// An evaluator with no fluency scorer, no retain model, no probe and plain prompts (set
    /// those fields with struct update syntax).
    pub fn new(
        model: &'a Gpt,
        reference: &'a Gpt,
        config: &'a GptConfig,
        tokenizer: &'a Tokenizer,
        device: &'a Device,
        max_new_tokens: usize,
    ) -> Self {
        Self {
            model,
            reference,
            fluency: None,
            fluency_cache: None,
            config,
            tokenizer,
            device,
            max_new_tokens,
            retain_reference: None,
            original_states: None,
            probe: None,
            refit_probe: false,
            in_context: None,
            contrast: None,
        }
    }
}

impl Evaluator<'_> {
    pub(crate) fn example(&self, q: &str, a: &str) -> Result<Example, ForgetError> {
        Example::raw(
            self.tokenizer,
            &self.prompt(q),
            &crate::world::format_answer(a),
            self.config.n_positions,
        )
    }

    /// The prompt the model sees for question `q` (with IKE's demonstrations first, if any).
    fn prompt(&self, q: &str) -> String {
        match self.in_context {
            Some(ctx) => format!("{}{}", ctx.prefix(q), format_prompt(q)),
            None => format_prompt(q),
        }
    }

    /// The full evaluation pass.
    pub async fn evaluate(&self, sets: &EvalSets, step: usize) -> Result<Snapshot, ForgetError> {
        let SetScores {
            forget,
            retain,
            real,
            world,
            holdout,
            forget_paraphrased,
            retain_paraphrased,
            forget_heldout,
            retain_heldout,
        } = self.score_sets(sets).await?;

        let forget_m = split_metrics(&sets.forget, &forget, truth_ratio::tr_closer_to_1_better);
        let retain_m = split_metrics(&sets.retain, &retain, truth_ratio::tr_true_better);
        let real_m = split_metrics(&sets.real_entities, &real, truth_ratio::tr_true_better);
        let world_m = split_metrics(&sets.world, &world, truth_ratio::tr_true_better);
        let entities =
            |items: &[QaItem]| items.iter().map(|it| it.key_entity.clone()).collect::<Vec<_>>();
        // Forget quality: against the retain model's truth ratios on the same items, or nothing.
        let retain_tr = self.retain_reference.and_then(|r| r.truth_ratios(&sets.forget));
        let fq = match &retain_tr {
            Some(tr) => forget_quality::ks_2samp(&finite(&forget.tr), &finite(tr)),
            None => forget_quality::KsResult { statistic: f64::NAN, pvalue: f64::NAN },
        };
        let ks_vs_holdout =
            forget_quality::ks_2samp_pvalue(&finite(&forget.tr), &finite(&holdout.tr));
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
        let [(ls, ls_parts, _), (ls_retain, ls_retain_parts, _)]: [_; 2] =
            ls_both.try_into().map_err(|_| ForgetError::Readback("one score per split".into()))?;

        // Membership inference: forget (members) vs holdout (never trained on).
        let scores_of = |items: &[QaItem], s: &ItemScores| -> Vec<mia::MiaScores> {
            items.iter().zip(&s.stats).map(|(it, st)| mia_scores(it, st)).collect()
        };
        let (mf, mh) = (scores_of(&sets.forget, &forget), scores_of(&sets.holdout, &holdout));
        let auc_of = |pick: fn(&mia::MiaScores) -> f64| {
            mia::auc(
                &mf.iter().map(pick).collect::<Vec<_>>(),
                &mh.iter().map(pick).collect::<Vec<_>>(),
            )
        };
        let mia_aucs = MiaAucs {
            loss: auc_of(|m| m.loss),
            zlib: auc_of(|m| m.zlib),
            min_k: auc_of(|m| m.min_k),
            min_k_plus_plus: auc_of(|m| m.min_k_plus_plus),
        };
        let reference_auc = self
            .retain_reference
            .and_then(|r| r.min_k_auc(&sets.forget, &sets.holdout))
            .filter(|a| a.is_finite())
            .unwrap_or(privleak::DEFAULT_REFERENCE_AUC);

        let (f, r) = (
            probe_items(&sets.forget.iter().collect::<Vec<_>>(), forget.stats.iter()),
            probe_items(&sets.retain.iter().collect::<Vec<_>>(), retain.stats.iter()),
        );
        let refit =
            if self.refit_probe { self.fit_probe_on(self.model, sets).await? } else { None };
        let on = |p: Option<&LinearProbe>| p.map(|p| (p.accuracy(&f), p.accuracy(&r)));
        let (probe_forget, probe_retain) = on(self.probe).unwrap_or_default();
        let (probe_refit_forget, probe_refit_retain) = on(refit.as_ref()).unwrap_or_default();
        let probe_chance = if f.is_empty() { f64::NAN } else { probe::chance(&f) };
        let now_states: Vec<Vec<Vec<f32>>> =
            forget.stats.iter().map(|st| st.pooled_hidden.clone()).collect();
        let representation = Representation {
            hidden_variance_forget: representation::hidden_variance(&forget.stats),
            hidden_variance_retain: representation::hidden_variance(&retain.stats),
            param_change: representation::param_change(self.model, self.reference).await?,
            logit_lens_forget: representation::mean_lens(&forget.stats),
            probe_forget,
            probe_retain,
            probe_refit_forget,
            probe_refit_retain,
            probe_chance,
            cka_original: self
                .original_states
                .map(|o| representation::cka_per_layer(&now_states, o))
                .unwrap_or_default(),
            cka_retain: self
                .retain_reference
                .and_then(|r| r.hidden_states(&sets.forget))
                .map(|r| representation::cka_per_layer(&now_states, &r))
                .unwrap_or_default(),
        };

        let (forget_p, retain_p) = (forget.p_answer(), retain.p_answer());
        let by_kind = by_kind::by_kind(
            &by_kind::Scored { items: &sets.forget, prob: &forget_p, generated: &forget.generated },
            &by_kind::Scored { items: &sets.retain, prob: &retain_p, generated: &retain.generated },
        );
        let (fp_items, rp_items) = (paraphrased(&sets.forget), paraphrased(&sets.retain));
        let paraphrase = Paraphrase {
            forget_prob: mean(&forget_paraphrased.p_answer()),
            retain_prob: mean(&retain_paraphrased.p_answer()),
            kfr: knowledge::kfr(&forget_paraphrased.generated, &entities(&fp_items)),
            krr: knowledge::krr(&retain_paraphrased.generated, &entities(&rp_items)),
        };
        let heldout_wording = HeldoutWording {
            forget_prob: mean(&forget_heldout.p_answer()),
            retain_prob: mean(&retain_heldout.p_answer()),
        };

        let mut samples = Vec::new();
        for id in &sets.sample_ids {
            for (items, s) in [
                (&sets.forget, &forget),
                (&sets.retain, &retain),
                (&sets.real_entities, &real),
                (&sets.world, &world),
            ] {
                if let Some(i) = items.iter().position(|it| &it.id == id) {
                    samples.push(GeneratedAnswer {
                        id: id.clone(),
                        question: items[i].question.clone(),
                        answer: items[i].answer.clone(),
                        generated: s.generated[i].clone(),
                        tokens: s.gen_tokens[i].clone(),
                        contains_key_entity: knowledge::contains_entity(
                            &s.generated[i],
                            &items[i].key_entity,
                        ),
                        retain_model_answer: self
                            .retain_reference
                            .and_then(|r| r.forget.get(id))
                            .map(|r| r.answer.clone()),
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
            forget_quality: fq.pvalue,
            forget_quality_ks: fq.statistic,
            retain_model: retain_tr.and(self.retain_reference.map(|r| r.label.clone())),
            ks_vs_holdout,
            model_utility: mu,
            privleak: privleak::privleak(mia_aucs.min_k, reference_auc),
            privleak_reference_auc: reference_auc,
            mia: mia_aucs,
            representation,
            paraphrase,
            heldout_wording,
            by_kind,
            loss: None,
            samples,
        })
    }
}

/// An item's four membership-inference scores from its true answer's token statistics.
fn mia_scores(it: &QaItem, st: &TokenStats) -> mia::MiaScores {
    mia::scores(&st.logp, &st.z, &crate::world::format_answer(&it.answer))
}

/// (question, generated answer, key entity) per item, for the entity-similarity judges.
fn judged<'a>(items: &'a [QaItem], s: &'a ItemScores) -> Vec<entity_similarity::Judged<'a>> {
    items
        .iter()
        .zip(&s.generated)
        .map(|(it, g)| (it.question.as_str(), g.as_str(), it.key_entity.as_str()))
        .collect()
}

/// A split's TOFU numbers and memorization metrics from its per-item scores.
fn split_metrics(items: &[QaItem], s: &ItemScores, tr_agg: fn(&[f64]) -> f64) -> SplitMetrics {
    // Each answer and generation is tokenized once for the three ROUGE numbers.
    let pairs: Vec<(Vec<String>, Vec<String>)> = items
        .iter()
        .zip(&s.generated)
        .map(|(it, g)| (rouge::tokenize(&it.answer), rouge::tokenize(g)))
        .collect();
    let over_gens = |f: &dyn Fn(&[String], &[String]) -> f64| {
        mean(&pairs.iter().map(|(a, g)| f(a, g)).collect::<Vec<_>>())
    };
    // EM and ES exclude the EOS target (the last labeled token).
    let hits = |st: &TokenStats| st.argmax_hit[..st.argmax_hit.len().saturating_sub(1)].to_vec();
    SplitMetrics {
        prob: mean(&s.p_answer()),
        rouge_l: over_gens(&|a, g| rouge::rouge_l_tokens(a, g).recall),
        truth_ratio: tr_agg(&finite(&s.tr)),
        rouge_l_f1: over_gens(&|a, g| rouge::rouge_l_tokens(a, g).f1),
        rouge1_recall: over_gens(&|a, g| rouge::rouge_1_tokens(a, g).recall),
        truth_ratio_paper: truth_ratio::tr_prob_mean_aggregate(
            &s.true_false
                .iter()
                .copied()
                .filter(|(t, f)| t.is_finite() && f.is_finite())
                .collect::<Vec<_>>(),
        ),
        prob_normalized: mean(&s.p_norm),
        exact_memorization: mean(
            &s.stats
                .iter()
                .map(|st| memorization::exact_memorization(&hits(st)))
                .collect::<Vec<_>>(),
        ),
        extraction_strength: mean(
            &s.stats
                .iter()
                .map(|st| memorization::extraction_strength(&hits(st)))
                .collect::<Vec<_>>(),
        ),
    }
}

pub(crate) use crate::metrics::mean_of_finite as mean;

fn finite(v: &[f64]) -> Vec<f64> {
    v.iter().copied().filter(|x| x.is_finite()).collect()
}
