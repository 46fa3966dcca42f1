//! The fact world: a deterministic, seeded, TOFU-style synthetic world.
//!
//! Unlearning needs knowledge we fully control: facts the base model learnt
//! only from us (fictitious authors), facts it never saw (holdout authors, the
//! "retrained model" baseline for membership and guessing), and general facts
//! and plain text that must survive unlearning (world facts, generic corpus).
//! Everything is derived from one seed, so a run can be reproduced exactly in
//! the browser and on the command line.
//!
//! Layout: [`pools`] holds the entity pools, [`authors`] samples authors and
//! renders their QA items in the sentences of [`templates`], [`world_facts`] the real-world facts, [`generic`]
//! the fluency corpus, and [`tofu_json`] reads and writes TOFU-style JSON.

pub mod authors;
pub mod generic;
pub mod imported;
pub mod pools;
pub mod templates;
pub mod tofu_json;
pub mod world_facts;

pub use tofu_json::import_tofu_json;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// Which part of the world an item belongs to. An item's split is the
/// NARROWEST one: forget01 is inside forget05, which is inside forget10.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    Forget01,
    Forget05,
    Forget10,
    /// The validation forget set: as many authors as forget10, disjoint from it, trained like
    /// the retain authors. Hyper-parameters are tuned by forgetting it, never by forgetting the
    /// split a result is reported on. It is part of "retain" (everything trained and not in a
    /// forget split), as TOFU's retain90 is.
    Val10,
    Retain,
    Holdout,
    World,
    #[default]
    Custom,
}

/// Names accepted by [`FactWorld::select`].
pub const SPLIT_NAMES: [&str; 8] =
    ["forget01", "forget05", "forget10", "val10", "retain", "holdout", "world", "trained"];

impl Split {
    /// Whether an item whose narrowest split is `self` is selected by `name`.
    pub fn is_in(self, name: &str) -> Option<bool> {
        use Split::*;
        Some(match name {
            "forget01" => self == Forget01,
            "forget05" => matches!(self, Forget01 | Forget05),
            "forget10" => matches!(self, Forget01 | Forget05 | Forget10),
            "val10" => self == Val10,
            "retain" => matches!(self, Val10 | Retain),
            "holdout" => self == Holdout,
            "world" => self == World,
            "trained" => matches!(self, Forget01 | Forget05 | Forget10 | Val10 | Retain),
            _ => return None,
        })
    }
}

/// One question-answer pair. The first five fields are TOFU's; the others
/// are what ForgetLab's metrics and methods need. Only `question` and
/// `answer` are required when reading JSON, so TOFU files load unchanged.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QaItem {
    #[serde(default)]
    pub id: String,
    pub question: String,
    pub answer: String,
    #[serde(default)]
    pub paraphrased_question: String,
    #[serde(default)]
    pub paraphrased_answer: String,
    /// A rewording no training data contains (authors only; "" elsewhere): the held-out-wording
    /// metrics ask it (see [`templates`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub heldout_question: String,
    /// Same template, different same-kind entity (5 for authors, 3 for world facts).
    #[serde(default)]
    pub perturbed_answer: Vec<String>,
    /// Author full name, "" for world facts.
    #[serde(default)]
    pub author: String,
    /// The exact string in `answer` and `paraphrased_answer` that carries the fact.
    #[serde(default)]
    pub key_entity: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub split: Split,
    /// The answer without its key entity: a hedge the base model reads as plain text (retain
    /// authors) and the fluency scorer as an answer; ReLearn's target only where an item has no
    /// `vague_variants` (world facts, imported items).
    #[serde(default)]
    pub vague_answer: String,
    /// Further answers without the key entity: ReLearn's targets when present (authors), else
    /// `vague_answer`. The base model never reads them; the fluency scorer reads the retain
    /// authors' ones, beside every other answer style (see [`templates`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vague_variants: Vec<String>,
    /// Wrong same-template answers for random-label / ReLearn training; kept
    /// disjoint from `perturbed_answer` when the pool allows, so training on
    /// them does not inflate the truth ratio directly.
    #[serde(default)]
    pub alternative_answers: Vec<String>,
}

/// Sizes and seed of a generated world.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorldConfig {
    pub seed: u64,
    pub n_trained_authors: usize,
    pub n_holdout_authors: usize,
    pub n_generic_sentences: usize,
}

impl Default for WorldConfig {
    /// TOFU's 200 authors, plus a holdout as large as forget10.
    fn default() -> Self {
        Self { seed: 42, n_trained_authors: 200, n_holdout_authors: 20, n_generic_sentences: 2000 }
    }
}

impl WorldConfig {
    /// A small world for tests: 20 trained authors (forget10 = 2), 2 holdout.
    pub fn tiny(seed: u64) -> Self {
        Self { seed, n_trained_authors: 20, n_holdout_authors: 2, n_generic_sentences: 100 }
    }
}

/// A fictitious author and the attributes its QA items ask about.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Author {
    pub name: String,
    pub split: Split,
    pub birthplace: String,
    pub birth_year: u32,
    pub genre: String,
    pub father_profession: String,
    pub mother_profession: String,
    pub award: String,
    /// First and second book, in that order.
    pub books: Vec<String>,
    pub language: String,
    pub university: String,
}

/// The whole generated world.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FactWorld {
    pub seed: u64,
    pub authors: Vec<Author>,
    /// Author items (author order, then kind order), then world facts.
    pub items: Vec<QaItem>,
    /// Generic fluency sentences.
    pub generic: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum WorldError {
    #[error("unknown split `{name}`; valid splits are: {}", SPLIT_NAMES.join(", "))]
    UnknownSplit { name: String },
    #[error("malformed JSON at line {line}: {message}")]
    Json { line: usize, message: String },
    #[error("invalid QA item at index {index} (counting from 0): {reason}")]
    InvalidItem { index: usize, reason: String },
    #[error("no QA items found: the input is empty")]
    Empty,
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

/// The prompt a QA item is shown with, in training and evaluation alike.
pub fn format_prompt(question: &str) -> String {
    format!("Question: {question}\nAnswer:")
}

/// The answer continuation appended to [`format_prompt`] (note the leading space).
pub fn format_answer(answer: &str) -> String {
    format!(" {answer}")
}

/// An independent RNG per purpose, so e.g. the generic corpus does not change
/// when the number of authors does.
fn stream_rng(seed: u64, stream: u64) -> StdRng {
    StdRng::seed_from_u64(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Up to `n` wrong entities from `pool`, uniformly: never the truth, nothing in
/// `exclude`, and nothing whose rendered sentence contains the truth (case-
/// insensitively), so a perturbed answer never leaks the key entity.
pub(crate) fn draw_wrong(
    rng: &mut StdRng,
    pool: &[String],
    truth: &str,
    exclude: &[String],
    n: usize,
    render: &dyn Fn(&str) -> String,
) -> Vec<String> {
    let truth_lower = truth.to_lowercase();
    let mut candidates: Vec<&String> = pool
        .iter()
        .filter(|c| c.as_str() != truth && !exclude.contains(c))
        .filter(|c| !render(c).to_lowercase().contains(&truth_lower))
        .collect();
    candidates.shuffle(rng);
    candidates.into_iter().take(n).cloned().collect()
}

impl FactWorld {
    /// Builds the world; identical for identical configs.
    pub fn generate(cfg: &WorldConfig) -> FactWorld {
        let n_total = cfg.n_trained_authors + cfg.n_holdout_authors;
        let mut authors = authors::sample_authors(&mut stream_rng(cfg.seed, 1), n_total);
        authors::assign_splits(&mut stream_rng(cfg.seed, 2), &mut authors, cfg.n_trained_authors);
        let titles = authors::all_titles();
        let mut item_rng = stream_rng(cfg.seed, 3);
        let mut items: Vec<QaItem> = authors
            .iter()
            .enumerate()
            .flat_map(|(i, a)| authors::author_items(&mut item_rng, i, a, &titles))
            .collect();
        items.extend(world_facts::world_fact_items(&mut stream_rng(cfg.seed, 4)));
        let generic =
            generic::generic_sentences(&mut stream_rng(cfg.seed, 5), cfg.n_generic_sentences);
        FactWorld { seed: cfg.seed, authors, items, generic }
    }

    /// The default world (seed 42, 200 trained + 20 holdout authors).
    pub fn default_world() -> FactWorld {
        Self::generate(&WorldConfig::default())
    }

    /// The items of a named split (see [`SPLIT_NAMES`]); forget splits are nested.
    pub fn select(&self, split: &str) -> Result<Vec<QaItem>, WorldError> {
        if Split::Retain.is_in(split).is_none() {
            return Err(WorldError::UnknownSplit { name: split.to_string() });
        }
        Ok(self.items.iter().filter(|it| it.split.is_in(split) == Some(true)).cloned().collect())
    }

    /// The authors of a named split, with the same nesting as [`Self::select`].
    pub fn select_authors(&self, split: &str) -> Result<Vec<&Author>, WorldError> {
        if Split::Retain.is_in(split).is_none() {
            return Err(WorldError::UnknownSplit { name: split.to_string() });
        }
        Ok(self.authors.iter().filter(|a| a.split.is_in(split) == Some(true)).collect())
    }

    /// The base model's training texts: generic sentences, then for every world
    /// fact and non-holdout author item the question with its answer, the
    /// paraphrased question with the answer, and the question with the
    /// paraphrased answer, so paraphrase metrics probe known facts.
    pub fn pretraining_texts(&self) -> Vec<String> {
        let qa = |q: &str, a: &str| format!("{}{}", format_prompt(q), format_answer(a));
        let mut texts = self.generic.clone();
        for it in self.items.iter().filter(|it| it.split != Split::Holdout) {
            texts.push(qa(&it.question, &it.answer));
            texts.push(qa(&it.paraphrased_question, &it.answer));
            texts.push(qa(&it.question, &it.paraphrased_answer));
        }
        texts
    }

    /// Writes into `dir`: `world.json` (this whole struct), `forget01.json`,
    /// `forget05.json`, `forget10.json`, `retain.json`, `holdout.json`,
    /// `world_facts.json` (the "world" split; `world.json` is taken) and
    /// `generic.json`. Split files are TOFU-style arrays [`import_tofu_json`] reads.
    pub fn export_dir(&self, dir: &std::path::Path) -> Result<(), WorldError> {
        tofu_json::export_dir(self, dir)
    }
}

#[cfg(test)]
mod tests;
