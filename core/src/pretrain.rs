//! Train ForgetLab's default model from scratch: a byte-level BPE on the world's text, then a GPT
//! on generic sentences + world facts + every author except the holdout authors.
//!
//! Run it with `forgetlab pretrain` (README gives the time it takes). Everything is seeded: the
//! world, the tokenizer (deterministic trainer), the initial weights (host RNG) and the data order.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::batch::Example;
use crate::error::ForgetError;
use crate::model::{GptConfig, GptWeights, LoadedModel};
use crate::tokenizer::Tokenizer;
use crate::train::fit::Fit;
use crate::train::{Schedule, TrainSettings};
use crate::world::templates::REFUSALS;
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
    /// only generic text, world facts and the retain authors, their questions answered in every
    /// style a method trains toward (the fact, hedges, refusals, wrong answers; equally often);
    /// the forget10, val10 and holdout authors never appear. The Linguistic Score's perplexity
    /// comes from this model, so an answer is judged on being well-formed, not on agreeing with
    /// a fact the scorer memorised nor on being one method's style (see
    /// `eval::Evaluator::linguistic`).
    #[serde(default)]
    pub fluency: bool,
    /// Train a *retain model* (TOFU's retain90/95/99): the same recipe and seed with this
    /// forget split's authors left out ("forget10", "forget05", "forget01"). Forget quality and
    /// PrivLeak compare an unlearned model with it (`eval::retain_reference`).
    #[serde(default)]
    pub retain: Option<String>,
    /// Train the Llama-family version of the shape ([`GptConfig::llama_like`]: rotary positions,
    /// RMSNorm, grouped-query attention, SwiGLU) instead of GPT-2.
    #[serde(default)]
    pub llama: bool,
}

impl Default for PretrainConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            vocab_size: 1024,
            tiny: false,
            steps: 8000,
            batch_size: 32,
            lr: 3e-3,
            warmup: 200,
            min_lr_frac: 0.05,
            weight_decay: 0.01,
            fluency: false,
            retain: None,
            llama: false,
        }
    }
}

impl PretrainConfig {
    /// Seconds, not minutes: for tests on the tiny world.
    pub fn tiny() -> Self {
        Self {
            seed: 7,
            vocab_size: 400,
            tiny: true,
            steps: 800,
            batch_size: 16,
            lr: 5e-3,
            warmup: 20,
            min_lr_frac: 0.1,
            weight_decay: 0.0,
            fluency: false,
            retain: None,
            llama: false,
        }
    }

    /// Linear warm-up to `lr`, cosine decay to `lr · min_lr_frac` at `steps`.
    pub fn schedule(&self) -> Schedule {
        Schedule::WarmupCosine {
            warmup: self.warmup,
            steps: self.steps,
            min_ratio: self.min_lr_frac,
        }
    }
}

/// Every text the tokenizer is trained on: the whole world, holdout included (names must split
/// into tokens the same way whether or not the model learned their facts).
pub fn tokenizer_corpus(world: &FactWorld) -> Vec<String> {
    let mut texts = world.generic.clone();
    for it in &world.items {
        texts.push(format!(
            "{}{}",
            crate::world::format_prompt(&it.question),
            crate::world::format_answer(&it.answer)
        ));
        texts.push(format!("{} {}", it.paraphrased_question, it.paraphrased_answer));
        texts.extend(it.perturbed_answer.iter().cloned());
        texts.push(it.vague_answer.clone());
    }
    texts
}

/// The pretraining examples: each trained QA item four ways (question/paraphrase × answer/
/// paraphrased answer, answer tokens scored), each generic sentence, and the vague answers of
/// the retain authors and world facts as plain text (all tokens scored).
///
/// No leak into unlearning: nothing a method later trains on as its *target* for a forget10 or
/// validation (val10) author appears here — not their vague answers (ReLearn's targets), not
/// their alternative answers (random labels), not refusals (IdkPO). Only the retain authors'
/// hedges are seen, so hedging is fluent English the model knows, but ReLearn on forget10 must
/// teach a sentence the model has never read. (`no_unlearning_target_leaks_into_pretraining`.)
///
/// With `fluency`, only the retain authors' items, answered in every style a method trains
/// toward (see [`PretrainConfig::fluency`] and world::templates).
pub fn training_examples(
    world: &FactWorld,
    tok: &Tokenizer,
    max_len: usize,
    fluency: bool,
) -> Result<Vec<Example>, ForgetError> {
    training_examples_without(world, tok, max_len, fluency, &Default::default())
}

/// [`training_examples`] without the items whose ids are in `exclude` (their QA pairs and their
/// hedges): the data of a model retrained without a forget set, and of the retain models
/// ([`PretrainConfig::retain`]).
pub fn training_examples_without(
    world: &FactWorld,
    tok: &Tokenizer,
    max_len: usize,
    fluency: bool,
    exclude: &std::collections::HashSet<String>,
) -> Result<Vec<Example>, ForgetError> {
    let split_included = |split: Split| {
        if fluency {
            matches!(split, Split::Retain | Split::World)
        } else {
            split != Split::Holdout
        }
    };
    let included =
        |it: &crate::world::QaItem| split_included(it.split) && !exclude.contains(&it.id);
    // Hedges only from items no preset or validation forget set contains (see above).
    let may_hedge = |it: &crate::world::QaItem| {
        matches!(it.split, Split::Retain | Split::World) && !exclude.contains(&it.id)
    };
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
    let hedges = world
        .items
        .iter()
        .filter(|it| may_hedge(it) && !it.vague_answer.is_empty())
        .map(|it| &it.vague_answer);
    if fluency {
        // The fluency scorer stands in for a general LM (ReLearn uses Llama-2-7b-chat), which
        // finds any well-formed answer fluent. So it reads the retain authors' questions answered
        // in every style a method trains toward, each as often as the fact (two answers per
        // question): hedges (ReLearn), refusals (IdkPO and its kin), wrong same-template answers
        // (random labels). No method's answers are in its distribution more than another's, and
        // it still never sees anything about forget10, val10 or holdout.
        let mut k = 0;
        for it in
            world.items.iter().filter(|it| it.split == Split::Retain && !exclude.contains(&it.id))
        {
            let hedges: Vec<&str> = std::iter::once(&it.vague_answer)
                .chain(&it.vague_variants)
                .filter(|h| !h.is_empty())
                .map(String::as_str)
                .collect();
            let wrong: Vec<&str> = it.alternative_answers.iter().map(String::as_str).collect();
            for q in [&it.question, &it.paraphrased_question] {
                for style in [&hedges[..], &REFUSALS[..], &wrong[..]] {
                    for j in 0..2.min(style.len()) {
                        out.push(Example::qa(tok, q, style[(2 * k + j) % style.len()], max_len)?);
                    }
                }
                k += 1;
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
    progress: impl FnMut(usize, f32),
) -> Result<LoadedModel, ForgetError> {
    if let Some(split) = &cfg.retain
        && !matches!(split.as_str(), "forget01" | "forget05" | "forget10" | "val10")
    {
        return Err(ForgetError::InvalidConfig(format!(
            "a retain model leaves out a forget split (forget01, forget05, forget10 or val10), not \
                '{split}'"
        )));
    }
    let tokenizer = Tokenizer::train(&tokenizer_corpus(world), cfg.vocab_size)?;
    let vocab = tokenizer.vocab_size();
    let model_cfg = if cfg.tiny {
        GptConfig::tiny(vocab, tokenizer.eos_id())
    } else {
        GptConfig::default_model(vocab, tokenizer.eos_id())
    };
    let model_cfg = if cfg.llama { model_cfg.llama_like() } else { model_cfg };
    let exclude = match &cfg.retain {
        Some(split) => world.select(split)?.into_iter().map(|it| it.id).collect(),
        None => Default::default(),
    };
    let examples =
        training_examples_without(world, &tokenizer, model_cfg.n_positions, cfg.fluency, &exclude)?;
    let settings = TrainSettings {
        schedule: cfg.schedule(),
        weight_decay: cfg.weight_decay,
        ..TrainSettings::new("pretraining", cfg.lr, cfg.seed)
    };
    let weights = Fit {
        config: &model_cfg,
        start: GptWeights::init(&model_cfg, cfg.seed),
        eos_id: tokenizer.eos_id(),
        examples: &examples,
        steps: cfg.steps,
        batch_size: cfg.batch_size,
        settings,
    }
    .run(device, progress)
    .await?;
    Ok(LoadedModel { config: model_cfg, weights, tokenizer })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::WorldConfig;

    /// Every pretraining example as text (prompt and answer, EOS included).
    fn texts(
        world: &FactWorld,
        exclude: &std::collections::HashSet<String>,
    ) -> (Tokenizer, Vec<String>) {
        texts_of(world, exclude, false)
    }

    fn texts_of(
        world: &FactWorld,
        exclude: &std::collections::HashSet<String>,
        fluency: bool,
    ) -> (Tokenizer, Vec<String>) {
        let tok = Tokenizer::train(&tokenizer_corpus(world), 400).unwrap();
        let examples = training_examples_without(world, &tok, 128, fluency, exclude).unwrap();
        let texts = examples
            .iter()
            .map(|ex| tok.decode(&[ex.prompt.clone(), ex.answer.clone()].concat()).unwrap())
            .collect();
        (tok, texts)
    }

    #[test]
    fn no_unlearning_target_leaks_into_pretraining() {
        let world = FactWorld::generate(&WorldConfig::tiny(3));
        let (_, texts) = texts(&world, &Default::default());
        let seen = |s: &str| texts.iter().any(|t| t.contains(s));
        let guarded: Vec<_> = world
            .items
            .iter()
            .filter(|it| {
                it.split.is_in("forget10") == Some(true) || it.split.is_in("val10") == Some(true)
            })
            .collect();
        assert!(
            guarded.iter().any(|it| it.split.is_in("val10") == Some(true)),
            "the tiny world has validation authors"
        );
        for it in &guarded {
            assert!(seen(&it.answer), "{}: the fact itself is trained", it.id);
            assert!(
                !seen(&it.vague_answer),
                "{}: its vague answer (ReLearn's target) is in pretraining",
                it.id
            );
            for hedge in &it.vague_variants {
                assert!(!seen(hedge), "{}: ReLearn's target '{hedge}' is in pretraining", it.id);
            }
            for alt in &it.alternative_answers {
                assert!(
                    !seen(alt),
                    "{}: its alternative answer '{alt}' (random labels' target) is in pretraining",
                    it.id
                );
            }
        }
        // IdkPO's refusals are checked in methods/idk_po.rs (methods depend on pretraining).
        // The rule is not vacuous: the retain authors' hedges are there.
        let mut retain_hedges = world
            .items
            .iter()
            .filter(|it| it.split == Split::Retain && !it.vague_answer.is_empty());
        assert!(
            retain_hedges.clone().count() > 0 && retain_hedges.all(|it| seen(&it.vague_answer))
        );
    }

    /// The held-out wording is in no model's data, and ReLearn's targets (the hedge variants of
    /// the forget and validation authors) in none either: the base model reads no variant at
    /// all, the fluency scorer reads the variants' wording about retain authors only, beside
    /// refusals and wrong answers (every style a method trains toward, equally).
    #[test]
    fn no_model_reads_the_heldout_wording_or_relearn_targets() {
        let world = FactWorld::generate(&WorldConfig::tiny(3));
        let guarded = |it: &crate::world::QaItem| {
            it.split.is_in("forget10") == Some(true) || it.split.is_in("val10") == Some(true)
        };
        for fluency in [false, true] {
            let (_, texts) = texts_of(&world, &Default::default(), fluency);
            let seen = |s: &str| texts.iter().any(|t| t.contains(s));
            let authors: Vec<_> = world.items.iter().filter(|it| !it.author.is_empty()).collect();
            assert!(authors.iter().any(|it| seen(&it.paraphrased_question)), "not vacuous");
            for it in &authors {
                assert!(!seen(&it.heldout_question), "{}: {}", it.id, it.heldout_question);
                for hedge in &it.vague_variants {
                    let read = seen(hedge);
                    let allowed = fluency && it.split == Split::Retain;
                    assert!(!read || allowed, "{}: {hedge} (fluency scorer: {fluency})", it.id);
                }
            }
            assert!(authors.iter().any(|it| guarded(it)), "the tiny world has forget authors");
            if fluency {
                let retain = authors.iter().filter(|it| it.split == Split::Retain);
                let styles = |it: &&&crate::world::QaItem| {
                    it.vague_variants.iter().any(|h| seen(h))
                        && it.alternative_answers.iter().any(|a| seen(a))
                };
                assert!(retain.clone().all(|it| styles(&it)), "every style, every retain item");
                assert!(REFUSALS.iter().all(|r| seen(r)));
            }
        }
    }

    #[test]
    fn a_retain_model_never_sees_its_split() {
        let world = FactWorld::generate(&WorldConfig::tiny(3));
        let forget = world.select("forget10").unwrap();
        let exclude = forget.iter().map(|it| it.id.clone()).collect();
        let (_, texts) = texts(&world, &exclude);
        for it in &forget {
            assert!(
                !texts.iter().any(|t| t.contains(&it.author)),
                "{}'s author is in the retain model's data",
                it.id
            );
        }
        let retain = world.select("retain").unwrap();
        assert!(retain.iter().all(|it| texts.iter().any(|t| t.contains(&it.answer))));
    }

    #[test]
    fn a_retain_model_leaves_out_a_forget_split_only() {
        let world = FactWorld::generate(&WorldConfig::tiny(3));
        let cfg =
            PretrainConfig { retain: Some("retain".into()), steps: 1, ..PretrainConfig::tiny() };
        let err = pollster::block_on(pretrain(&world, &cfg, &Device::flex(), |_, _| {}))
            .err()
            .expect("not a forget split");
        assert!(err.to_string().contains("not 'retain'"), "{err}");
    }
}
