//! Pure metric formulas (no model, no burn): one file per metric; each file's top comment gives
//! the formula, its direction and its source (the paper, and the file of the reference code).

pub mod cka;
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

/// Arithmetic mean of an iterator, for values that are always finite (a formula's terms): NaN
/// when empty, and a NaN among the values propagates. For per-item metrics, where an item may
/// have no value, use [`mean_of_finite`].
pub(crate) fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for v in values {
        sum += v;
        n += 1;
    }
    if n == 0 { f64::NAN } else { sum / n as f64 }
}

/// Arithmetic mean of the finite values, skipping NaN and ±∞ (an item without a value, such as
/// an entity-less item's probe score); NaN when no value is finite. Every split-level average of
/// per-item numbers in a snapshot uses this one.
pub(crate) fn mean_of_finite(values: &[f64]) -> f64 {
    mean(values.iter().copied().filter(|x| x.is_finite()))
}
