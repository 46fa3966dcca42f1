//! Worst-case forget sets: of a pool of candidate authors, the ones whose facts are hardest to
//! unlearn. A method that looks good on a preset split may only have met easy facts.
//!
//! Fan et al., "Challenging Forgets: Unveiling the Worst-Case Forget Sets in Machine Unlearning"
//! (ECCV 2024), pose it as a bi-level problem: the upper level picks the forget set that
//! maximises the unlearning error the lower level (unlearning that set) leaves. ForgetLab solves
//! a one-shot greedy proxy of it, cheap enough for a page:
//!
//! 1. the lower level once, on every candidate together: `proxy_steps` steps of gradient ascent on
//!    the whole pool at GA's default rate, from the model the selection is for;
//! 2. each item's resistance, the change of its answer's mean token log-probability,
//!    `r_i = log p_after(y_i | x_i) − log p_before(y_i | x_i)` (≤ 0; closest to 0: fell least);
//! 3. an author's resistance is the mean over its items; the `authors` most resistant authors,
//!    ties in pool order, are the worst-case set.
//!
//! Whole authors, as TOFU's splits are: an author's other facts never stay behind in the retain
//! set. The proxy is stated wherever the selection is offered (`forgetlab unlearn --help`, the
//! page), and its control is a random set of as many authors of the same pool.

use burn::tensor::Device;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::{ForgetSelection, Run, RunConfig};
use crate::error::ForgetError;
use crate::methods::MethodKind;
use crate::model::LoadedModel;
use crate::world::{FactWorld, QaItem};

/// The search's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorstCaseConfig {
    /// Authors in the selected set.
    pub authors: usize,
    /// Gradient-ascent steps of the proxy unlearning run on the whole pool.
    pub proxy_steps: usize,
    pub seed: u64,
}

impl Default for WorstCaseConfig {
    fn default() -> Self {
        Self { authors: 5, proxy_steps: 5, seed: 0 }
    }
}

/// The selection and what it was chosen by.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorstCase {
    /// Every candidate author and its resistance, most resistant first.
    pub ranking: Vec<(String, f64)>,
    /// The chosen authors' items, in pool order.
    pub items: Vec<QaItem>,
}

/// The pool's authors in order of first appearance, each with its items.
fn by_author(pool: &[QaItem]) -> Vec<(String, Vec<QaItem>)> {
    let mut out: Vec<(String, Vec<QaItem>)> = Vec::new();
    for it in pool {
        match out.iter_mut().find(|(a, _)| *a == it.author) {
            Some((_, items)) => items.push(it.clone()),
            None => out.push((it.author.clone(), vec![it.clone()])),
        }
    }
    out
}

fn check_pool(pool: &[QaItem], n: usize) -> Result<usize, ForgetError> {
    if pool.iter().any(|it| it.author.is_empty()) {
        return Err(ForgetError::InvalidConfig(
            "a forget set of authors is chosen from authors' facts; the pool has world facts"
                .into(),
        ));
    }
    let authors = by_author(pool).len();
    if n == 0 || n >= authors {
        return Err(ForgetError::InvalidConfig(format!(
            "choose between 1 and {} of the pool's {authors} authors, got {n}",
            authors.saturating_sub(1)
        )));
    }
    Ok(authors)
}

/// The worst-case set of `cfg.authors` authors of `pool` for `model` (see the module docs).
pub async fn worst_case_authors(
    model: &LoadedModel,
    world: &FactWorld,
    pool: &[QaItem],
    cfg: &WorstCaseConfig,
    device: &Device,
) -> Result<WorstCase, ForgetError> {
    check_pool(pool, cfg.authors)?;
    if cfg.proxy_steps == 0 {
        return Err(ForgetError::InvalidConfig("the proxy run needs at least one step".into()));
    }
    let mut proxy = RunConfig::new(MethodKind::Ga, ForgetSelection::Items(pool.to_vec()));
    proxy.seed = cfg.seed;
    let mut run = Run::new(model, world, proxy, device)?;
    let before = run.answer_nll(pool).await?;
    for _ in 0..cfg.proxy_steps {
        run.step().await?;
    }
    let after = run.answer_nll(pool).await?;
    // log p is −NLL: r_i = NLL_before − NLL_after.
    let resistance: std::collections::HashMap<&str, f64> = pool
        .iter()
        .zip(before.iter().zip(&after))
        .map(|(it, (b, a))| (it.id.as_str(), b - a))
        .collect();
    let mut ranking: Vec<(String, f64)> = by_author(pool)
        .into_iter()
        .map(|(author, items)| {
            let r =
                items.iter().map(|it| resistance[it.id.as_str()]).sum::<f64>() / items.len() as f64;
            (author, r)
        })
        .collect();
    // Most resistant first; stable, so ties keep pool order; NaN (a diverged proxy) sorts last.
    let key = |r: f64| if r.is_nan() { f64::NEG_INFINITY } else { r };
    ranking.sort_by(|a, b| key(b.1).total_cmp(&key(a.1)));
    let chosen: std::collections::HashSet<&str> =
        ranking[..cfg.authors].iter().map(|(a, _)| a.as_str()).collect();
    let items = pool.iter().filter(|it| chosen.contains(it.author.as_str())).cloned().collect();
    Ok(WorstCase { ranking, items })
}

/// The control: `n` authors of `pool` drawn with `seed`, their items in pool order.
pub fn random_authors(pool: &[QaItem], n: usize, seed: u64) -> Result<Vec<QaItem>, ForgetError> {
    check_pool(pool, n)?;
    let mut authors: Vec<String> = by_author(pool).into_iter().map(|(a, _)| a).collect();
    authors.shuffle(&mut StdRng::seed_from_u64(seed));
    authors.truncate(n);
    Ok(pool.iter().filter(|it| authors.contains(&it.author)).cloned().collect())
}
