//! Linear probe per layer: can a linear read-out of the hidden state still pick an item's key
//! entity among its candidates, after the model has stopped saying it?
//!
//! Kim, Cha & Kim, "Are We Truly Forgetting? A Critical Re-examination of Machine Unlearning
//! Evaluation Protocols" (2025) find that methods which look forgotten at the logits leave the
//! representation nearly as it was: a linear probe on the features still recovers what was
//! forgotten. ForgetLab's analogue for facts:
//!
//! - features h: the hidden state after each block at the position that predicts the first token
//!   of the item's key entity in its true answer (the logit lens' position: "… was born in" → ?),
//!   standardised with the fitting set's mean and standard deviation;
//! - entities e: each candidate's embedding in the original model — the row of the token-embedding
//!   matrix of its first token as it appears in an answer (" Bright…"): the token the model must
//!   predict at that position (the LM head is tied to these rows);
//! - candidates: the key entity and the perturbed answers' entities (TOFU's wrong same-template
//!   answers), so chance is about 1 / 6;
//! - the probe, per layer: a linear map W fitted by ridge regression from h to the key entity's
//!   embedding,   W = (HᵀH + λ·N·I)⁻¹ HᵀE,   and its pick  argmax_c (Wᵀh) · e_c   (the LM
//!   head's dot product, through a map learned for that layer);
//! - fitted once, on the **original** model's states of retain items that are *not* evaluated,
//!   then frozen; reported after each evaluation: its accuracy on the forget items and on the
//!   evaluated retain items (the control), layer by layer.
//!
//! One map for all entities (no weights per entity) and a fitting set disjoint from the reported
//! items: the probe cannot have memorised an item's answer, so it also reads entities it never
//! saw, and on a model that never learned an item it falls towards chance (tested on the retain
//! model in cli/tests). What it shows over a run is whether the fact is still linearly there when
//! the output no longer says it.

use std::collections::HashMap;

use crate::world::QaItem;

/// Ridge strength (times N): keeps W stable with ~1000 items in 64–256 dims.
const LAMBDA: f64 = 1e-3;

/// One item for the probe: its hidden state after each block and its candidate entities, the
/// first being the true one.
#[derive(Clone, Debug)]
pub struct ProbeItem {
    /// `[n_layer][n_embd]`.
    pub hidden: Vec<Vec<f32>>,
    pub candidates: Vec<String>,
}

/// The entities an item's probe chooses among: its key entity first, then the entity of each
/// perturbed answer, found as the part between the true answer's text before and after its key
/// entity (the perturbed answers share the template). None without a usable key entity or at
/// least one perturbed entity.
pub fn candidates(item: &QaItem) -> Option<Vec<String>> {
    let at = item.answer.find(&item.key_entity).filter(|_| !item.key_entity.is_empty())?;
    let (before, after) = (&item.answer[..at], &item.answer[at + item.key_entity.len()..]);
    let mut out = vec![item.key_entity.clone()];
    for p in &item.perturbed_answer {
        if let Some(e) = p.strip_prefix(before).and_then(|r| r.strip_suffix(after))
            && !e.is_empty()
            && !out.iter().any(|c| c == e)
        {
            out.push(e.to_string());
        }
    }
    (out.len() > 1).then_some(out)
}

/// One layer's fitted map.
#[derive(Clone, Debug, PartialEq)]
struct LayerProbe {
    mean: Vec<f64>,
    scale: Vec<f64>,
    /// `[n_embd (features)][dim (embedding)]`.
    w: Vec<Vec<f64>>,
}

impl LayerProbe {
    fn features(&self, h: &[f32]) -> Vec<f64> {
        h.iter().zip(&self.mean).zip(&self.scale).map(|((&x, m), s)| (x as f64 - m) / s).collect()
    }

    /// Whether the key entity (candidate 0) scores highest against the read-out; ties go against
    /// it.
    fn correct(
        &self,
        item: &ProbeItem,
        layer: usize,
        embeddings: &HashMap<String, Vec<f64>>,
    ) -> bool {
        let x = self.features(&item.hidden[layer]);
        let dim = self.w.first().map_or(0, Vec::len);
        let mut read = vec![0.0; dim];
        for (xi, row) in x.iter().zip(&self.w) {
            for (r, wij) in read.iter_mut().zip(row) {
                *r += xi * wij;
            }
        }
        let score = |e: &str| {
            embeddings
                .get(e)
                .map_or(f64::NEG_INFINITY, |v| v.iter().zip(&read).map(|(a, b)| a * b).sum::<f64>())
        };
        let truth = score(&item.candidates[0]);
        item.candidates[1..].iter().all(|c| score(c) < truth)
    }
}

/// A probe per layer (see the module docs), with the entity embeddings it compares against.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearProbe {
    layers: Vec<LayerProbe>,
    embeddings: HashMap<String, Vec<f64>>,
}

impl LinearProbe {
    /// Fit on `items` with `embeddings` of every entity it may be asked about (None when there is
    /// nothing to fit on or an item's key entity has no embedding).
    pub fn fit(items: &[ProbeItem], embeddings: HashMap<String, Vec<f64>>) -> Option<Self> {
        let n_layer = items.first()?.hidden.len();
        let targets: Vec<&Vec<f64>> =
            items.iter().map(|it| embeddings.get(&it.candidates[0])).collect::<Option<_>>()?;
        let layers = (0..n_layer).map(|l| fit_layer(items, &targets, l)).collect();
        Some(Self { layers, embeddings })
    }

    /// Accuracy per layer on `items` (NaN per layer when there are none).
    pub fn accuracy(&self, items: &[ProbeItem]) -> Vec<f64> {
        (0..self.layers.len())
            .map(|l| {
                let hits = items
                    .iter()
                    .filter(|it| self.layers[l].correct(it, l, &self.embeddings))
                    .count();
                if items.is_empty() { f64::NAN } else { hits as f64 / items.len() as f64 }
            })
            .collect()
    }
}

/// The mean chance level of `items`: mean over items of 1 / (number of candidates).
pub fn chance(items: &[ProbeItem]) -> f64 {
    super::mean(items.iter().map(|it| 1.0 / it.candidates.len() as f64))
}

fn fit_layer(items: &[ProbeItem], targets: &[&Vec<f64>], layer: usize) -> LayerProbe {
    let d = items[0].hidden[layer].len();
    let k = targets[0].len();
    let n = items.len() as f64;
    let mut mean = vec![0.0; d];
    for it in items {
        for (m, &x) in mean.iter_mut().zip(&it.hidden[layer]) {
            *m += x as f64 / n;
        }
    }
    let mut scale = vec![0.0; d];
    for it in items {
        for ((s, &x), m) in scale.iter_mut().zip(&it.hidden[layer]).zip(&mean) {
            *s += (x as f64 - m).powi(2) / n;
        }
    }
    let scale: Vec<f64> = scale.into_iter().map(|v| v.sqrt().max(1e-6)).collect();
    let mut probe = LayerProbe { mean, scale, w: vec![] };
    // Normal equations: (HᵀH + λN·I) W = HᵀE.
    let mut a = vec![vec![0.0; d]; d];
    let mut b = vec![vec![0.0; k]; d];
    for (it, e) in items.iter().zip(targets) {
        let x = probe.features(&it.hidden[layer]);
        for i in 0..d {
            for j in 0..d {
                a[i][j] += x[i] * x[j];
            }
            for j in 0..k {
                b[i][j] += x[i] * e[j];
            }
        }
    }
    for (i, row) in a.iter_mut().enumerate() {
        row[i] += LAMBDA * n;
    }
    probe.w = solve(a, b);
    probe
}

/// Solve A·X = B for a symmetric positive definite A (Gauss–Jordan with partial pivoting; small d).
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    let d = a.len();
    for col in 0..d {
        let pivot =
            (col..d).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs())).unwrap_or(col);
        a.swap(col, pivot);
        b.swap(col, pivot);
        let p = a[col][col];
        for v in a[col].iter_mut() {
            *v /= p;
        }
        for v in b[col].iter_mut() {
            *v /= p;
        }
        for row in 0..d {
            if row != col && a[row][col] != 0.0 {
                let f = a[row][col];
                let (pa, pb) = (a[col].clone(), b[col].clone());
                for (v, p) in a[row].iter_mut().zip(&pa) {
                    *v -= f * p;
                }
                for (v, p) in b[row].iter_mut().zip(&pb) {
                    *v -= f * p;
                }
            }
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    const ENTITIES: usize = 40;
    const DIM: usize = 8;

    /// Random entity embeddings; items whose state after "layer 1" is a fixed linear mix of their
    /// key entity's embedding plus noise, and after "layer 0" is noise only.
    fn world(seed: u64) -> (HashMap<String, Vec<f64>>, Vec<Vec<f64>>) {
        let mut rng = StdRng::seed_from_u64(seed);
        let emb = (0..ENTITIES)
            .map(|e| (format!("e{e}"), (0..DIM).map(|_| rng.random_range(-1.0..1.0)).collect()))
            .collect();
        let mix =
            (0..12).map(|_| (0..DIM).map(|_| rng.random_range(-1.0..1.0)).collect()).collect();
        (emb, mix)
    }

    fn items(
        emb: &HashMap<String, Vec<f64>>,
        mix: &[Vec<f64>],
        entities: std::ops::Range<usize>,
        n: usize,
        seed: u64,
    ) -> Vec<ProbeItem> {
        let mut rng = StdRng::seed_from_u64(seed);
        (0..n)
            .map(|i| {
                let truth = entities.start + i % entities.len();
                let e = &emb[&format!("e{truth}")];
                let l0: Vec<f32> = (0..12).map(|_| rng.random_range(-1.0..1.0f32)).collect();
                let l1: Vec<f32> = mix
                    .iter()
                    .map(|m| {
                        (m.iter().zip(e).map(|(a, b)| a * b).sum::<f64>()
                            + rng.random_range(-0.05..0.05)) as f32
                    })
                    .collect();
                let mut candidates = vec![format!("e{truth}")];
                while candidates.len() < 6 {
                    let c = format!("e{}", rng.random_range(0..ENTITIES));
                    if !candidates.contains(&c) {
                        candidates.push(c);
                    }
                }
                ProbeItem { hidden: vec![l0, l1], candidates }
            })
            .collect()
    }

    #[test]
    fn a_probe_reads_what_the_states_hold_even_for_entities_it_was_not_fitted_on() {
        let (emb, mix) = world(1);
        let probe = LinearProbe::fit(&items(&emb, &mix, 0..20, 200, 2), emb.clone()).unwrap();
        // Fresh items whose key entities the fit never saw: one map for all entities generalises.
        let acc = probe.accuracy(&items(&emb, &mix, 20..40, 100, 3));
        assert!(acc[1] > 0.95, "the entity is linearly in layer 1: {acc:?}");
        assert!(acc[0] < 0.4, "layer 0 is noise, chance is 1/6: {acc:?}");
        assert!((chance(&items(&emb, &mix, 0..5, 6, 4)) - 1.0 / 6.0).abs() < 1e-12);
        assert_eq!(LinearProbe::fit(&[], emb), None);
        assert!(probe.accuracy(&[]).iter().all(|a| a.is_nan()));
    }

    #[test]
    fn solve_inverts_a_small_system() {
        let a = vec![vec![4.0, 1.0], vec![1.0, 3.0]];
        let x = solve(a, vec![vec![1.0], vec![2.0]]);
        assert!(
            (x[0][0] - 1.0 / 11.0).abs() < 1e-12 && (x[1][0] - 7.0 / 11.0).abs() < 1e-12,
            "{x:?}"
        );
    }

    #[test]
    fn candidates_are_the_key_entity_then_the_perturbed_entities() {
        let it = QaItem {
            answer: "Ann Lee was born in Paris.".into(),
            key_entity: "Paris".into(),
            perturbed_answer: vec![
                "Ann Lee was born in Lyon.".into(),
                "Ann Lee was born in Nice.".into(),
                "Something else.".into(),
            ],
            ..Default::default()
        };
        assert_eq!(
            candidates(&it),
            Some(vec!["Paris".to_string(), "Lyon".to_string(), "Nice".to_string()])
        );
        assert_eq!(candidates(&QaItem { perturbed_answer: vec![], ..it.clone() }), None);
        assert_eq!(candidates(&QaItem { key_entity: "Rome".into(), ..it }), None);
    }
}
