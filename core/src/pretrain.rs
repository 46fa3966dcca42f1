//! Train ForgetLab's default model from scratch: a byte-level BPE on the world's text, then a GPT
//! on generic sentences + world facts + every author except the holdout authors.
//!
//! Run it with `forgetlab pretrain` (README gives the time it takes). Everything is seeded: the
//! world, the tokenizer (deterministic trainer), the initial weights (host RNG) and the data order.

use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::tensor::Device;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::batch::{Batch, Example};
use crate::error::ForgetError;
use crate::loss::{batch_nll, nll_mean};
use crate::model::{Gpt, GptConfig, GptWeights, LoadedModel};
use crate::tokenizer::Tokenizer;
use crate::world::{FactWorld, Split};

/// Pretraining settings: a flat, commented block in the nanoGPT manner.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PretrainConfig {
    pub seed: u64,
    /// BPE vocabulary size (EOS included). Small: the world's vocabulary is a few thousand words.
    pub vocab_size: usize,
    /// Use the toy model shape (tests) instead of the default one.
    pub tiny: bool,
    pub steps: usize,
    pub batch_size: usize,
    /// Peak learning rate, reached after `warmup` steps, then cosine decay to `lr * min_lr_frac`.
    pub lr: f64,
    pub warmup: usize,
    pub min_lr_frac: f64,
    pub weight_decay: f64,
    /// Train the *fluency scorer* instead of the default model: the same tokenizer and shape, but
    /// only generic text, world facts and the retain authors; the forget10 and holdout authors never
    /// appear. The Linguistic Score's perplexity comes from this model, so an answer is judged on
    /// fluency, not on agreeing with a fact the scorer memorised (see `eval::Evaluator::linguistic`).
    #[serde(default)]
    pub fluency: bool,
}

impl Default for PretrainConfig {
    fn default() -> Self {
        Self { seed: 42, vocab_size: 1024, tiny: false, steps: 8000, batch_size: 32, lr: 3e-3, warmup: 200, min_lr_frac: 0.05, weight_decay: 0.01, fluency: false }
    }
}

impl PretrainConfig {
    /// Seconds, not minutes: for tests on the tiny world.
    pub fn tiny() -> Self {
        Self { seed: 7, vocab_size: 400, tiny: true, steps: 800, batch_size: 16, lr: 5e-3, warmup: 20, min_lr_frac: 0.1, weight_decay: 0.0, fluency: false }
    }

    /// The learning rate at `step` (linear warm-up, cosine decay).
    pub fn lr_at(&self, step: usize) -> f64 {
        if step < self.warmup {
            return self.lr * (step + 1) as f64 / self.warmup as f64;
        }
        let progress = (step - self.warmup) as f64 / (self.steps.saturating_sub(self.warmup).max(1)) as f64;
        let min = self.lr * self.min_lr_frac;
        min + 0.5 * (self.lr - min) * (1.0 + (std::f64::consts::PI * progress.min(1.0)).cos())
    }
}

/// Every text the tokenizer is trained on: the whole world, holdout included (names must split
/// into tokens the same way whether or not the model learned their facts).
pub fn tokenizer_corpus(world: &FactWorld) -> Vec<String> {
    let mut texts = world.generic.clone();
    for it in &world.items {
        texts.push(format!("{}{}", crate::world::format_prompt(&it.question), crate::world::format_answer(&it.answer)));
        texts.push(format!("{} {}", it.paraphrased_question, it.paraphrased_answer));
        texts.extend(it.perturbed_answer.iter().cloned());
        texts.push(it.vague_answer.clone());
    }
    texts
}

/// The pretraining examples: each trained QA item four ways (question/paraphrase × answer/
/// paraphrased answer, answer tokens scored), each generic sentence and each trained item's
/// vague answer as plain text (all tokens scored).
///
/// With `fluency`, only the retain authors' items and hedges are used (see [`PretrainConfig::fluency`]).
pub fn training_examples(world: &FactWorld, tok: &Tokenizer, max_len: usize, fluency: bool) -> Result<Vec<Example>, ForgetError> {
    training_examples_without(world, tok, max_len, fluency, &Default::default())
}

/// [`training_examples`] without the items whose ids are in `exclude` (their QA pairs and their
/// hedges): the data of a model retrained without a forget set.
pub fn training_examples_without(world: &FactWorld, tok: &Tokenizer, max_len: usize, fluency: bool, exclude: &std::collections::HashSet<String>) -> Result<Vec<Example>, ForgetError> {
    let split_included = |split: Split| if fluency { matches!(split, Split::Retain | Split::World) } else { split != Split::Holdout };
    let included = |it: &crate::world::QaItem| split_included(it.split) && !exclude.contains(&it.id);
    let mut out = Vec::new();
    for it in world.items.iter().filter(|it| included(it)) {
        for q in [&it.question, &it.paraphrased_question] {
            for a in [&it.answer, &it.paraphrased_answer] {
                out.push(Example::qa(tok, q, a, max_len)?);
            }
        }
    }
    // Hedging sentences ("… was born in a small town that the author rarely names.") are part
    // of fluent English the base model should know as text — never as answers to questions —
    // so that an answer that hedges is not scored as disfluent by the Linguistic Score's
    // perplexity under this (original) model. ReLearn then teaches them as answers.
    let hedges = world.items.iter().filter(|it| included(it) && !it.vague_answer.is_empty()).map(|it| &it.vague_answer);
    if fluency {
        // The fluency scorer stands in for a general LM (ReLearn uses Llama-2-7b-chat), which
        // finds a non-committal answer to a question fluent. So it also sees the retain authors'
        // questions answered vaguely; it still never sees anything about forget10 or holdout.
        for it in world.items.iter().filter(|it| it.split == Split::Retain && !it.vague_answer.is_empty()) {
            for q in [&it.question, &it.paraphrased_question] {
                out.push(Example::qa(tok, q, &it.vague_answer, max_len)?);
            }
        }
    }
    for s in world.generic.iter().chain(hedges) {
        let mut ex = Example::raw(tok, "", s, max_len)?;
        ex.prompt = vec![tok.eos_id()]; // EOS doubles as BOS, as in GPT-2
        out.push(ex);
    }
    Ok(out)
}

/// Train a model. `progress(step, loss)` is called every step (the CLI prints every few).
pub async fn pretrain(
    world: &FactWorld,
    cfg: &PretrainConfig,
    device: &Device,
    mut progress: impl FnMut(usize, f32),
) -> Result<LoadedModel, ForgetError> {
    let tokenizer = Tokenizer::train(&tokenizer_corpus(world), cfg.vocab_size)?;
    let vocab = tokenizer.vocab_size();
    let model_cfg = if cfg.tiny { GptConfig::tiny(vocab, tokenizer.eos_id()) } else { GptConfig::default_model(vocab, tokenizer.eos_id()) };
    let examples = training_examples(world, &tokenizer, model_cfg.n_positions, cfg.fluency)?;
    let train_device = device.clone().autodiff();
    let mut model = Gpt::from_weights(&model_cfg, &GptWeights::init(&model_cfg, cfg.seed), &train_device)?;
    let mut optim = AdamWConfig::new().with_weight_decay(cfg.weight_decay as f32).init();
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut cursor = order.len();
    for step in 0..cfg.steps {
        let mut picked = Vec::with_capacity(cfg.batch_size);
        while picked.len() < cfg.batch_size {
            if cursor >= order.len() {
                order.shuffle(&mut rng);
                cursor = 0;
            }
            picked.push(examples[order[cursor]].clone());
            cursor += 1;
        }
        let batch = Batch::new(&picked, tokenizer.eos_id(), &train_device);
        let loss = nll_mean(batch_nll(&model, &batch, model_cfg.n_head), batch.mask.clone());
        let value = crate::eval::read_f32(loss.clone()).await?[0];
        if !value.is_finite() {
            return Err(ForgetError::Diverged { step, loss: value, last_good: step.saturating_sub(1) });
        }
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(cfg.lr_at(step), model, grads);
        progress(step, value);
    }
    let weights = model.valid().to_weights(&model_cfg).await?;
    Ok(LoadedModel { config: model_cfg, weights, tokenizer })
}
