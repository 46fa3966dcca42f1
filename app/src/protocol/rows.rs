//! The rows and reports the messages carry: what a panel shows of a fact, a stage, an edit, the
//! model, a benchmark; the files a user picked.

use serde::{Deserialize, Serialize};

use super::Backend;

/// What the in-page benchmark measured (never asserted: speed is not a test).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchReport {
    pub backend: Backend,
    pub method: String,
    pub batch_size: usize,
    pub steps: usize,
    pub ms_per_step: f64,
    /// Input tokens the steps' losses read (padding excluded) per second of training.
    pub tokens_per_s: f64,
    pub eval_s: f64,
}

/// A file the user picked or dropped: its name in the folder, a `blob:` URL of this tab, its size.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalFile {
    pub name: String,
    pub url: String,
    pub size: u64,
}

/// A row of the facts panel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FactRow {
    pub id: String,
    /// Author name, "" for world facts and the user's own facts.
    pub author: String,
    pub question: String,
    pub answer: String,
    /// forget01 … holdout, world, custom.
    pub split: String,
    pub kind: String,
}

/// A stage of a continual run, as the timeline shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageInfo {
    pub name: String,
    pub steps: usize,
    /// Its own items, and everything it trains on (with the mixing items).
    pub items: usize,
    pub pool: usize,
    pub mixing: String,
}

/// One counterfactual edit: the question, the answer the model was trained on, the new one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditRow {
    pub question: String,
    pub old_answer: String,
    pub new_answer: String,
}

/// What the page shows about the loaded model.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub name: String,
    pub parameters: usize,
    pub layers: usize,
    pub width: usize,
    pub bytes: u64,
    /// "gpt2", "llama", "qwen2".
    #[serde(default)]
    pub family: String,
    /// The memory training needs, estimated (model::memory), with and without LoRA.
    #[serde(default)]
    pub memory: String,
    /// The model the page shipped with (false: the user's files).
    #[serde(default)]
    pub built_in: bool,
}

/// A worst-case forget set the worker found (core's `run::worst_case_authors`): every candidate
/// author of the pool with its resistance in the proxy run, most resistant first, and the chosen
/// authors' item ids.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorstCaseRow {
    pub pool: String,
    pub authors: usize,
    pub ranking: Vec<(String, f64)>,
    pub ids: Vec<String>,
}

/// Sequential requests (core's `run::SequentialRun`): after request `after` (0: before the
/// first), each request's set (of `sizes[j]` facts) measured on the current weights, and the model
/// utility of that request's evaluation (None when it is not a number).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestRow {
    pub after: usize,
    pub sizes: Vec<usize>,
    pub recall: Vec<forgetlab_core::run::Recall>,
    pub utility: Option<f64>,
}
