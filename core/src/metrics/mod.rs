//! Pure metric formulas (no model, no burn): one file per metric; each file's top comment gives
//! the formula, its direction and its source. See /work/shared/reference/unlearning-spec.md §4.

pub mod entity_similarity;
pub mod forget_quality;
pub mod knowledge;
pub mod ks_dist;
pub mod linguistic;
pub mod memorization;
pub mod mia;
pub mod model_utility;
pub mod porter;
pub mod privleak;
pub mod probability;
pub mod probe;
pub mod representation;
pub mod rouge;
pub mod smirnov;
pub mod treebank;
pub mod truth_ratio;

/// Arithmetic mean of an iterator (NaN when empty), shared by the aggregating metrics.
pub(crate) fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for v in values {
        sum += v;
        n += 1;
    }
    if n == 0 { f64::NAN } else { sum / n as f64 }
}
