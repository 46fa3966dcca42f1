//! ForgetLab's engine: a small GPT that learns a fact world and unlearns parts of it.
//!
//! Layers, bottom up (see ARCHITECTURE.md):
//! - [`world`]: the seeded fact world (authors, QA items, splits, world facts, generic text);
//! - [`tokenizer`], [`model`]: byte-level BPE and GPT-2 in burn, read/written in HF layout;
//! - [`batch`], [`loss`]: tokenized examples with prompt masks, and the token losses;
//! - [`methods`]: one file per unlearning method; [`metrics`]: one file per metric;
//! - [`eval`]: one evaluation pass → [`eval::Snapshot`]; [`run`]: a step-wise unlearning run;
//! - [`train`]: the one training loop (AdamW, schedules, batches, the divergence guard) that
//!   every kind of training below goes through;
//! - [`pretrain`]: trains the default model from scratch; [`teach`]: teaches it a user's fact.
//!
//! No backend is named in this crate: callers pass a runtime `burn::tensor::Device`.

pub mod batch;
pub mod continual;
pub mod edit;
pub mod error;
pub mod eval;
pub mod finetune;
pub mod host;
pub mod loss;
pub mod methods;
pub mod metrics;
pub mod model;
pub mod pretrain;
pub mod run;
pub mod teach;
pub mod tokenizer;
pub mod train;
pub mod world;

pub use error::ForgetError;
