//! Pure metric formulas (no model, no burn): one file per metric; each file's top comment gives
//! the formula, its direction and its source. See /work/shared/reference/unlearning-spec.md §4.

pub mod forget_quality;
pub mod knowledge;
pub mod ks_dist;
pub mod linguistic;
pub mod model_utility;
pub mod porter;
pub mod probability;
pub mod rouge;
pub mod smirnov;
pub mod treebank;
pub mod truth_ratio;
