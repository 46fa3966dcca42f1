//! What a method trains on. Each method's row in the method table names two functions:
//! `prepare` (once per run: the pool of forget-side pairs, plus retraining's data or IKE's
//! demonstrations) and `draw` (each step: the forget, retain and preferred batches). Most
//! methods use the plain ones here; ReLearn, random labels, IdkPO, IdkDPO, FLAT, ULD, IKE and
//! Retrain define their own in their files. The run ([`crate::run::Run`]) only loops: it picks
//! which pool entries a step sees (an epoch-wise seeded shuffle) and tokenizes what `draw` gives.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};

use super::Hyper;
use super::in_context::InContext;
use crate::batch::Example;
use crate::error::ForgetError;
use crate::tokenizer::Tokenizer;
use crate::world::{FactWorld, QaItem};

/// One training pair before tokenization.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    pub prompt: String,
    pub answer: String,
    /// Whether `prompt` and `answer` are already formatted text (ReLearn's prefix completions,
    /// IKE's demonstrations) rather than a question and an answer for the QA template.
    pub formatted: bool,
}

impl Pair {
    /// A question and its answer, put into the QA template at tokenization.
    pub fn qa(question: impl Into<String>, answer: impl Into<String>) -> Self {
        Self { prompt: question.into(), answer: answer.into(), formatted: false }
    }

    /// A prompt and continuation used as they are.
    pub fn formatted(prompt: impl Into<String>, continuation: impl Into<String>) -> Self {
        Self { prompt: prompt.into(), answer: continuation.into(), formatted: true }
    }

    /// The item's question and true answer.
    pub fn of(item: &QaItem) -> Self {
        Self::qa(item.question.clone(), item.answer.clone())
    }

    pub fn tokenize(&self, tok: &Tokenizer, max_len: usize) -> Result<Example, ForgetError> {
        if self.formatted {
            Example::raw(tok, &self.prompt, &self.answer, max_len)
        } else {
            Example::qa(tok, &self.prompt, &self.answer, max_len)
        }
    }
}

/// What `prepare` sees: the run's items and what retraining needs.
pub struct Sources<'a> {
    pub forget: &'a [QaItem],
    /// The retain split without any forget item (filtered once, by the run).
    pub retain: &'a [QaItem],
    pub world: &'a FactWorld,
    pub tokenizer: &'a Tokenizer,
    pub n_positions: usize,
    pub hyper: &'a Hyper,
}

/// What a method trains on over a whole run, built once by its `prepare`.
#[derive(Clone, Debug, Default)]
pub struct Prepared {
    /// The forget-side pool a step's entries are picked from (epoch-wise, seeded). For most
    /// methods entry `i` is forget item `i`'s question and answer.
    pub pool: Vec<Pair>,
    /// Retraining's data: the original training set without the forget items.
    pub retrain: Vec<Example>,
    /// IKE's demonstrations (also used at evaluation).
    pub in_context: Option<InContext>,
}

/// The plain preparation: the forget items' own questions and answers.
pub fn prepare_items(s: &Sources) -> Result<Prepared, ForgetError> {
    Ok(Prepared { pool: s.forget.iter().map(Pair::of).collect(), ..Prepared::default() })
}

/// One step's batches, before tokenization.
#[derive(Clone, Debug, Default)]
pub struct StepData {
    pub forget: Vec<Pair>,
    pub retain: Vec<Pair>,
    /// Retain examples that are already tokenized (retraining's training set).
    pub retain_examples: Vec<Example>,
    /// Answers preferred for the same forget questions, row for row (refusals).
    pub preferred: Option<Vec<Pair>>,
}

/// What `draw` sees in one step.
pub struct Draw<'a> {
    /// The pool entries this step trains on (indices into `prepared.pool`, and for most methods
    /// into `forget`).
    pub picked: &'a [usize],
    pub forget: &'a [QaItem],
    pub retain: &'a [QaItem],
    pub prepared: &'a Prepared,
    pub batch_size: usize,
    pub rng: &'a mut StdRng,
}

impl Draw<'_> {
    /// The picked pool pairs, as they are.
    pub fn pool_pairs(&self) -> Vec<Pair> {
        self.picked.iter().map(|&i| self.prepared.pool[i].clone()).collect()
    }

    /// The picked forget items (for methods whose pool is the forget items).
    pub fn picked_items(&self) -> Vec<QaItem> {
        self.picked.iter().map(|&i| self.forget[i].clone()).collect()
    }

    /// `batch_size` retain items drawn with replacement. Every method draws them, even one that
    /// ignores the retain term, so the data order of a seed is the same whatever a method reads.
    pub fn retain_sample(&mut self) -> Vec<Pair> {
        (0..self.batch_size).filter_map(|_| self.retain.choose(self.rng)).map(Pair::of).collect()
    }
}

/// The plain step: the picked forget pairs and a sample of retain items.
pub fn draw_plain(d: &mut Draw) -> StepData {
    let forget = d.pool_pairs();
    let retain = d.retain_sample();
    StepData { forget, retain, ..StepData::default() }
}

/// At most `n` of `items`, a seeded sample kept in their original order.
pub fn seeded_subset(items: Vec<QaItem>, n: usize, seed: u64) -> Vec<QaItem> {
    if items.len() <= n {
        return items;
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut idx: Vec<usize> = (0..items.len()).collect();
    idx.shuffle(&mut rng);
    let mut idx: Vec<usize> = idx.into_iter().take(n).collect();
    idx.sort_unstable();
    idx.into_iter().map(|i| items[i].clone()).collect()
}
