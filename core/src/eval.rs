//! One evaluation pass: every metric of a [`Snapshot`] from as few forward passes as possible.
//!
//! Per split, all sequences that need scoring — (question, answer) for the probability,
//! (question, paraphrased/true answer) and (question, perturbed_j) for the truth ratio — are
//! scored in shared batches; greedy answers are generated once and reused by ROUGE-L, KFR/KRR and
//! the Linguistic Score. Only per-row NLL sums are read back (asynchronously).

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::batch::{Batch, Example};
use crate::error::ForgetError;
use crate::loss::{batch_nll, nll_sum_per_row};
use crate::metrics::{forget_quality, knowledge, linguistic, model_utility, probability, rouge, truth_ratio};
use crate::model::generate::{SamplingConfig, generate};
use crate::model::{Gpt, GptConfig};
use crate::tokenizer::Tokenizer;
use crate::world::{QaItem, format_prompt};

/// Rows per forward pass when scoring: large enough to amortise dispatch, small enough for
/// a browser tab's memory.
const SCORE_CHUNK: usize = 128;

/// The three numbers TOFU reports per split.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SplitMetrics {
    /// Mean answer probability exp(−mean answer-token NLL).
    #[serde(with = "nan_as_null")]
    pub prob: f64,
    /// Mean ROUGE-L recall of the greedy answer against the true answer.
    #[serde(with = "nan_as_null")]
    pub rouge_l: f64,
    /// Truth ratio, aggregated as open-unlearning does for this split (see metrics::truth_ratio).
    #[serde(with = "nan_as_null")]
    pub truth_ratio: f64,
}

/// A question, the true answer and what the model answered now (for the generation panel).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeneratedAnswer {
    pub id: String,
    pub question: String,
    pub answer: String,
    pub generated: String,
    /// Each generated token's text and probability.
    pub tokens: Vec<(String, f32)>,
    pub contains_key_entity: bool,
}

/// Everything one evaluation reports. The CLI's `--json` prints this, one object per line.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub step: usize,
    pub forget: SplitMetrics,
    pub retain: SplitMetrics,
    pub world: SplitMetrics,
    /// Knowledge Forgetting Rate: forget answers without the key entity.
    #[serde(with = "nan_as_null")]
    pub kfr: f64,
    /// Knowledge Retention Rate: retain answers with the key entity.
    #[serde(with = "nan_as_null")]
    pub krr: f64,
    /// Linguistic Score of the greedy forget-set answers (ReLearn).
    #[serde(with = "nan_as_null")]
    pub ls: f64,
    /// Linguistic Score of the greedy retain-set answers.
    #[serde(with = "nan_as_null")]
    pub ls_retain: f64,
    /// KS-test p-value of forget truth ratios against holdout truth ratios.
    #[serde(with = "nan_as_null")]
    pub forget_quality: f64,
    /// Harmonic mean of retain and world prob / ROUGE-L / truth ratio.
    #[serde(with = "nan_as_null")]
    pub model_utility: f64,
    /// Training loss of the last step (None at step 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub samples: Vec<GeneratedAnswer>,
}

/// The item sets one evaluation looks at.
#[derive(Clone, Debug, Default)]
pub struct EvalSets {
    pub forget: Vec<QaItem>,
    pub retain: Vec<QaItem>,
    pub world: Vec<QaItem>,
    pub holdout: Vec<QaItem>,
    /// Ids whose generations are returned in `Snapshot::samples`.
    pub sample_ids: Vec<String>,
}

/// What is needed to run the model in evaluation mode.
pub struct Evaluator<'a> {
    pub model: &'a Gpt,
    /// The frozen original model.
    pub reference: &'a Gpt,
    /// The fluency scorer for LS's perplexity (`public/models/fluency`: it never saw the forget10
    /// or holdout authors). Without one, the reference model scores, which penalises any answer
    /// that departs from the fact it memorised — a hedge as much as gibberish.
    pub fluency: Option<&'a Gpt>,
    pub config: &'a GptConfig,
    pub tokenizer: &'a Tokenizer,
    pub device: &'a Device,
    pub max_new_tokens: usize,
}

/// Per-item results shared by several metrics.
struct ItemScores {
    p_answer: Vec<f64>,
    /// Per-item truth ratio P_false / P_true.
    tr: Vec<f64>,
    p_norm: Vec<f64>,
    generated: Vec<String>,
    gen_tokens: Vec<Vec<(String, f32)>>,
    gen_ids: Vec<Vec<u32>>,
}

impl Evaluator<'_> {
    /// Mean answer-token NLL of `model` for each (prompt, continuation) example.
    pub async fn avg_nll(&self, model: &Gpt, examples: &[Example]) -> Result<Vec<f64>, ForgetError> {
        let mut out = Vec::with_capacity(examples.len());
        for chunk in examples.chunks(SCORE_CHUNK) {
            let batch = Batch::new(chunk, self.tokenizer.eos_id(), self.device);
            let sums = nll_sum_per_row(batch_nll(model, &batch, self.config.n_head), batch.mask.clone());
            let sums = read_f32(sums).await?;
            out.extend(sums.iter().zip(&batch.answer_lens).map(|(s, n)| *s as f64 / (*n).max(1) as f64));
        }
        Ok(out)
    }

    fn example(&self, q: &str, a: &str) -> Result<Example, ForgetError> {
        Example::qa(self.tokenizer, q, a, self.config.n_positions)
    }

    /// Greedy answers (text, token ids, token texts with probabilities) for questions.
    pub async fn greedy_answers(&self, questions: &[&str]) -> Result<Vec<(String, Vec<u32>, Vec<(String, f32)>)>, ForgetError> {
        let prompts = questions.iter().map(|q| self.tokenizer.encode(&format_prompt(q))).collect::<Result<Vec<_>, _>>()?;
        let gens = generate(self.model, self.config, &prompts, &SamplingConfig::greedy(self.max_new_tokens), self.device).await?;
        gens.into_iter()
            .map(|g| {
                let text = self.tokenizer.decode(&g.tokens)?.trim().to_string();
                let toks = self.tokenizer.token_texts(&g.tokens)?.into_iter().zip(g.probs).collect();
                Ok((text, g.tokens, toks))
            })
            .collect()
    }

    /// Score one split. `true_for_tr` picks the "correct" answer of the truth ratio
    /// (paraphrased answer for author splits, answer for world facts, as open-unlearning does).
    async fn score(&self, items: &[QaItem], paraphrased_is_true: bool, with_generation: bool) -> Result<ItemScores, ForgetError> {
        let mut examples = Vec::new();
        let mut layout = Vec::with_capacity(items.len());
        for it in items {
            let start = examples.len();
            examples.push(self.example(&it.question, &it.answer)?);
            let truth = if paraphrased_is_true && !it.paraphrased_answer.is_empty() { &it.paraphrased_answer } else { &it.answer };
            examples.push(self.example(&it.question, truth)?);
            for p in &it.perturbed_answer {
                examples.push(self.example(&it.question, p)?);
            }
            layout.push((start, 2 + it.perturbed_answer.len()));
        }
        let nll = self.avg_nll(self.model, &examples).await?;
        let mut s = ItemScores { p_answer: vec![], tr: vec![], p_norm: vec![], generated: vec![], gen_tokens: vec![], gen_ids: vec![] };
        for &(start, n) in &layout {
            s.p_answer.push((-nll[start]).exp());
            let perturbed = &nll[start + 2..start + n];
            s.tr.push(if perturbed.is_empty() { f64::NAN } else { truth_ratio::truth_ratio(nll[start + 1], perturbed) });
            let p_pert: Vec<f64> = perturbed.iter().map(|x| (-x).exp()).collect();
            s.p_norm.push(probability::normalized_probability((-nll[start]).exp(), &p_pert));
        }
        if with_generation {
            let qs: Vec<&str> = items.iter().map(|it| it.question.as_str()).collect();
            for (text, ids, toks) in self.greedy_answers(&qs).await? {
                s.generated.push(text);
                s.gen_ids.push(ids);
                s.gen_tokens.push(toks);
            }
        }
        Ok(s)
    }

    /// Linguistic Score of generated answers; perplexity under the fluency scorer, conditioned on
    /// the question (the reference model when no scorer is loaded).
    async fn linguistic(&self, items: &[QaItem], s: &ItemScores) -> Result<f64, ForgetError> {
        let mut examples = Vec::new();
        let mut which = Vec::new();
        for (i, it) in items.iter().enumerate() {
            if !s.gen_ids[i].is_empty() {
                let mut ex = self.example(&it.question, "")?;
                ex.answer = s.gen_ids[i].clone(); // score the generated tokens themselves (no EOS)
                ex.answer.truncate(self.config.n_positions.saturating_sub(ex.prompt.len() + 1).max(1));
                examples.push(ex);
                which.push(i);
            }
        }
        let ppl: Vec<f64> = if examples.is_empty() { vec![] } else { self.avg_nll(self.fluency.unwrap_or(self.reference), &examples).await?.into_iter().map(f64::exp).collect() };
        if ppl.is_empty() {
            // Every answer was empty: no fluent text at all, the worst score (ReLearn's LS is NaN here).
            return Ok(0.0);
        }
        Ok(linguistic::linguistic_score(&ppl, &s.generated).ls)
    }

    /// The full evaluation pass.
    pub async fn evaluate(&self, sets: &EvalSets, step: usize) -> Result<Snapshot, ForgetError> {
        let forget = self.score(&sets.forget, true, true).await?;
        let retain = self.score(&sets.retain, true, true).await?;
        let world = self.score(&sets.world, false, true).await?;
        let holdout = self.score(&sets.holdout, true, false).await?;

        let split = |items: &[QaItem], s: &ItemScores, tr_agg: fn(&[f64]) -> f64| SplitMetrics {
            prob: mean(&s.p_answer),
            rouge_l: mean(&items.iter().zip(&s.generated).map(|(it, g)| rouge::rouge_l(&it.answer, g).recall).collect::<Vec<_>>()),
            truth_ratio: tr_agg(&finite(&s.tr)),
        };
        let forget_m = split(&sets.forget, &forget, truth_ratio::tr_closer_to_1_better);
        let retain_m = split(&sets.retain, &retain, truth_ratio::tr_true_better);
        let world_m = split(&sets.world, &world, truth_ratio::tr_true_better);
        let entities = |items: &[QaItem]| items.iter().map(|it| it.key_entity.clone()).collect::<Vec<_>>();
        let kfr = knowledge::kfr(&forget.generated, &entities(&sets.forget));
        let krr = knowledge::krr(&retain.generated, &entities(&sets.retain));
        let fq = forget_quality::ks_2samp_pvalue(&finite(&forget.tr), &finite(&holdout.tr));
        let mu = model_utility::harmonic_mean(&[
            retain_m.prob,
            retain_m.rouge_l,
            retain_m.truth_ratio,
            mean(&world.p_norm),
            world_m.rouge_l,
            world_m.truth_ratio,
        ]);
        let ls = self.linguistic(&sets.forget, &forget).await?;
        let ls_retain = self.linguistic(&sets.retain, &retain).await?;

        let mut samples = Vec::new();
        for id in &sets.sample_ids {
            for (items, s) in [(&sets.forget, &forget), (&sets.retain, &retain), (&sets.world, &world)] {
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
            world: world_m,
            kfr,
            krr,
            ls,
            ls_retain,
            forget_quality: fq,
            model_utility: mu,
            loss: None,
            samples,
        })
    }
}

/// Serde for metrics that may be NaN (an empty split, a truth ratio without perturbed answers):
/// JSON has no NaN, so it is written as `null` and read back as NaN.
mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_nan() { s.serialize_none() } else { s.serialize_f64(*v) }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
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
