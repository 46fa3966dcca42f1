//! What a continual run measures on a set of items, with the model as it is (no gradients):
//!
//! - **accuracy**: REMIX's exact match (Chen et al. 2024): the greedy answer, stripped and
//!   lower-cased, equals the reference answer stripped and lower-cased;
//! - **key accuracy**: the greedy answer contains the item's key entity (ReLearn's KFR/KRR
//!   criterion; 1 − KFR on facts being forgotten);
//! - **prob**: mean over items of exp(−mean answer-token NLL), TOFU's answer probability;
//! - **rouge_l**: mean ROUGE-L F1 of the greedy answer against the reference (rouge-score's
//!   tokenizer with stemming, as in metrics::rouge).
//!
//! And where facts live: the **logit lens** (nostalgebraist 2020) per block: the probability of
//! the key entity's first token read out of the residual stream after block l through the final
//! LayerNorm and the LM head, at the position that predicts it; averaged over items.

use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::batch::{Batch, Example};
use crate::error::ForgetError;
use crate::eval::Evaluator;
use crate::host::read_f32;
use crate::loss::token_nll;
use crate::metrics::mean;
use crate::metrics::rouge::rouge_l;
use crate::model::{Gpt, GptConfig};
use crate::tokenizer::Tokenizer;
use crate::world::{QaItem, format_answer, format_prompt};

/// The four numbers of a set of items (NaN for an empty set).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub items: usize,
    #[serde(with = "crate::host::nan_as_null")]
    pub accuracy: f64,
    #[serde(with = "crate::host::nan_as_null")]
    pub key_accuracy: f64,
    #[serde(with = "crate::host::nan_as_null")]
    pub prob: f64,
    #[serde(with = "crate::host::nan_as_null")]
    pub rouge_l: f64,
}

/// A model to score with: the engine's [`Evaluator`] (its chunked answer scoring and greedy
/// decoding), reading only the model.
pub struct Scorer<'a> {
    ev: Evaluator<'a>,
}

fn normalized(s: &str) -> String {
    s.trim().to_lowercase()
}

impl<'a> Scorer<'a> {
    pub fn new(
        model: &'a Gpt,
        config: &'a GptConfig,
        tokenizer: &'a Tokenizer,
        device: &'a Device,
        max_new_tokens: usize,
    ) -> Self {
        Self { ev: Evaluator::new(model, model, config, tokenizer, device, max_new_tokens) }
    }

    pub async fn scores(&self, items: &[QaItem]) -> Result<Scores, ForgetError> {
        if items.is_empty() {
            return Ok(Scores {
                items: 0,
                accuracy: f64::NAN,
                key_accuracy: f64::NAN,
                prob: f64::NAN,
                rouge_l: f64::NAN,
            });
        }
        let questions: Vec<&str> = items.iter().map(|it| it.question.as_str()).collect();
        let answers: Vec<String> =
            self.ev.greedy_answers(&questions).await?.into_iter().map(|a| a.text).collect();
        let pairs: Vec<(String, String)> = items
            .iter()
            .map(|it| (format_prompt(&it.question), format_answer(&it.answer)))
            .collect();
        let probs = self.probabilities(&pairs).await?;
        Ok(Scores {
            items: items.len(),
            accuracy: mean(
                items
                    .iter()
                    .zip(&answers)
                    .map(|(it, a)| f64::from(u8::from(normalized(a) == normalized(&it.answer)))),
            ),
            key_accuracy: mean(items.iter().zip(&answers).map(|(it, a)| {
                let key = it.key_entity.to_lowercase();
                f64::from(u8::from(!key.is_empty() && a.to_lowercase().contains(&key)))
            })),
            prob: mean(probs.into_iter()),
            rouge_l: mean(items.iter().zip(&answers).map(|(it, a)| rouge_l(&it.answer, a).f1)),
        })
    }

    /// exp(−mean continuation-token NLL) of each (prompt, continuation), prompts as given (a
    /// prompt longer than the context keeps its end).
    pub async fn probabilities(&self, pairs: &[(String, String)]) -> Result<Vec<f64>, ForgetError> {
        let max = self.ev.config.n_positions;
        let examples = pairs
            .iter()
            .map(|(p, c)| Example::raw(self.ev.tokenizer, p, c, max))
            .collect::<Result<Vec<_>, _>>()?;
        let nll = self.ev.avg_nll(self.ev.model, None, &examples).await?;
        Ok(nll.into_iter().map(|x| (-x).exp()).collect())
    }

    /// Where `items`' key entities can be read, block by block: a linear probe fitted on this
    /// model's states of `fit` (see [`Evaluator::probe_accuracy`]).
    pub async fn probe_accuracy(
        &self,
        fit: &[QaItem],
        items: &[QaItem],
    ) -> Result<Vec<f64>, ForgetError> {
        self.ev.probe_accuracy(fit, items).await
    }

    /// The logit lens of the items' key entities, one mean probability per block (items whose
    /// answer does not contain their key entity are skipped; empty if none is left).
    pub async fn logit_lens(&self, items: &[QaItem]) -> Result<Vec<f64>, ForgetError> {
        let (model, config, tokenizer) = (self.ev.model, self.ev.config, self.ev.tokenizer);
        let max = config.n_positions;
        let mut examples = Vec::new();
        for it in items {
            let Some(at) = it.answer.find(&it.key_entity).filter(|_| !it.key_entity.is_empty())
            else {
                continue;
            };
            // The prompt and the answer up to the key entity; the entity's first token is the
            // target (byte-level BPE keeps the leading space with the word).
            let mut prefix = format_prompt(&it.question);
            if at > 0 {
                prefix += &format_answer(it.answer[..at].trim_end());
            }
            examples.push(Example::raw(tokenizer, &prefix, &format!(" {}", it.key_entity), max)?);
        }
        if examples.is_empty() {
            return Ok(vec![]);
        }
        let b = Batch::new(&examples, tokenizer.eos_id(), self.ev.device);
        let [rows, seq] = b.inputs.dims();
        // 1 where a row predicts its entity's first token: the last prompt position.
        let mut first = vec![0f32; rows * seq];
        for (r, e) in examples.iter().enumerate() {
            first[r * seq + e.prompt.len() - 1] = 1.0;
        }
        let first = Tensor::<2>::from_data(TensorData::new(first, [rows, seq]), self.ev.device);
        let (_, per_block) = model.forward_hidden(b.inputs.clone(), config.n_head);
        let mut lens = Vec::with_capacity(per_block.len());
        for h in per_block {
            let logits = model.lm_head(model.ln_f.forward(h));
            let nll = token_nll(logits, b.targets.clone());
            let p = (nll.neg().exp() * first.clone()).sum_dim(1).reshape([rows]);
            let p = read_f32(p).await?;
            lens.push(mean(p.iter().map(|x| *x as f64)));
        }
        Ok(lens)
    }
}
