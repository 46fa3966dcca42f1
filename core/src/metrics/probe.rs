//! Linear probe per layer: can a linear read-out of the hidden state still pick an item's key
//! entity among its candidates, after the model has stopped saying it?
//!
//! Kim, Cha & Kim, "Are We Truly Forgetting? A Critical Re-examination of Machine Unlearning
//! Evaluation Protocols" (2025) find that methods which look forgotten at the logits leave the
//! representation nearly as it was: a linear probe on the features still recovers the forgotten
//! classes. ForgetLab's analogue for facts:
//!
//! - features: the hidden state after each block at the position that predicts the first token of
//!   the item's key entity in its true answer (the logit lens' position: "… was born in" → ?),
//!   standardised per dimension with the fitting set's mean and standard deviation;
//! - candidates: the true answer's key entity and the perturbed answers' entities (TOFU's five
//!   wrong same-template answers), so chance is 1 / (1 + 5);
//! - the probe, per layer: a score s_e(h) = w_e · h + b_e per entity e, and for an item
//!   p(e | h) = softmax over its candidates of s_e(h) (a conditional logit);
//! - fitted once on the **original** model's states of the evaluated forget and retain items by
//!   full-batch gradient descent on  −Σ_i log p(e_i | h_i) / N + λ/2 Σ_e ‖w_e‖²  (fixed steps, so
//!   it is deterministic), then frozen;
//! - reported after each evaluation: its accuracy (argmax over the candidates = the key entity)
//!   on the forget items and on the retain items, layer by layer.
//!
//! At step 0 the forget accuracy is the probe's fit on the items it was fitted on (high by
//! construction). What it shows is the *change*: a method that only moves the output leaves it
//! high while the answer probability falls; one that removes the fact from the states brings it
//! towards chance, as it does on a model that never learned the item (`a probe cannot read what
//! the states do not hold` in the tests).

use std::collections::HashMap;

use crate::world::QaItem;

/// Gradient-descent steps and the L2 weight of the fit (fixed: the probe is part of the metric).
const STEPS: usize = 300;
const LEARNING_RATE: f64 = 0.5;
const L2: f64 = 1e-3;

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

/// One layer's fitted probe.
#[derive(Clone, Debug, PartialEq)]
struct LayerProbe {
    mean: Vec<f64>,
    scale: Vec<f64>,
    /// Per entity: weights (n_embd) then bias.
    weights: HashMap<String, Vec<f64>>,
}

impl LayerProbe {
    fn features(&self, h: &[f32]) -> Vec<f64> {
        h.iter().zip(&self.mean).zip(&self.scale).map(|((&x, m), s)| (x as f64 - m) / s).collect()
    }

    fn score(&self, x: &[f64], entity: &str) -> f64 {
        match self.weights.get(entity) {
            Some(w) => x.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() + w[x.len()],
            None => 0.0, // an entity the fit never saw scores like an untrained one
        }
    }

    /// Whether the key entity (candidate 0) has the highest score; ties go against it.
    fn correct(&self, item: &ProbeItem, layer: usize) -> bool {
        let x = self.features(&item.hidden[layer]);
        let truth = self.score(&x, &item.candidates[0]);
        item.candidates[1..].iter().all(|c| self.score(&x, c) < truth)
    }
}

/// A probe per layer, fitted on the original model (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct LinearProbe {
    layers: Vec<LayerProbe>,
}

impl LinearProbe {
    /// Fit on `items` (None when there is nothing to fit on).
    pub fn fit(items: &[ProbeItem]) -> Option<Self> {
        let n_layer = items.first()?.hidden.len();
        Some(Self { layers: (0..n_layer).map(|l| fit_layer(items, l)).collect() })
    }

    /// Accuracy per layer on `items` (NaN per layer when there are none).
    pub fn accuracy(&self, items: &[ProbeItem]) -> Vec<f64> {
        (0..self.layers.len())
            .map(|l| {
                let hits = items.iter().filter(|it| self.layers[l].correct(it, l)).count();
                if items.is_empty() { f64::NAN } else { hits as f64 / items.len() as f64 }
            })
            .collect()
    }
}

/// The mean chance level of `items`: mean over items of 1 / (number of candidates).
pub fn chance(items: &[ProbeItem]) -> f64 {
    super::mean(items.iter().map(|it| 1.0 / it.candidates.len() as f64))
}

fn fit_layer(items: &[ProbeItem], layer: usize) -> LayerProbe {
    let d = items[0].hidden[layer].len();
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
    let mut probe = LayerProbe { mean, scale, weights: HashMap::new() };
    let xs: Vec<Vec<f64>> = items.iter().map(|it| probe.features(&it.hidden[layer])).collect();
    // Entities in first-seen order, so the fit is the same on every run.
    for it in items {
        for c in &it.candidates {
            probe.weights.entry(c.clone()).or_insert_with(|| vec![0.0; d + 1]);
        }
    }
    for _ in 0..STEPS {
        let mut grads: HashMap<&str, Vec<f64>> = HashMap::new();
        for (it, x) in items.iter().zip(&xs) {
            let scores: Vec<f64> = it.candidates.iter().map(|c| probe.score(x, c)).collect();
            let max = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let z: f64 = scores.iter().map(|s| (s - max).exp()).sum();
            for (k, c) in it.candidates.iter().enumerate() {
                // d(−log p_truth)/d s_c = p_c − [c is the truth]
                let g = (scores[k] - max).exp() / z - if k == 0 { 1.0 } else { 0.0 };
                let acc = grads.entry(c.as_str()).or_insert_with(|| vec![0.0; d + 1]);
                for (a, xi) in acc.iter_mut().zip(x) {
                    *a += g * xi / n;
                }
                acc[d] += g / n;
            }
        }
        for (e, w) in probe.weights.iter_mut() {
            let g = grads.get(e.as_str());
            for j in 0..=d {
                let reg = if j < d { L2 * w[j] } else { 0.0 };
                w[j] -= LEARNING_RATE * (g.map_or(0.0, |g| g[j]) + reg);
            }
        }
    }
    probe
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// Items whose state after "layer 1" encodes the entity (a fixed direction per entity plus
    /// noise) and after "layer 0" is noise only.
    fn items(n: usize, seed: u64) -> Vec<ProbeItem> {
        let entities = ["Paris", "Lyon", "Nice", "Metz", "Caen", "Pau"];
        let dir = |e: usize, j: usize| if j % entities.len() == e { 1.0 } else { 0.0 };
        let mut rng = StdRng::seed_from_u64(seed);
        (0..n)
            .map(|i| {
                let truth = i % entities.len();
                let noise = |rng: &mut StdRng| (0..12).map(|_| rng.random_range(-0.3..0.3f32)).collect::<Vec<_>>();
                let l0 = noise(&mut rng);
                let l1 = noise(&mut rng).into_iter().enumerate().map(|(j, x)| x + dir(truth, j)).collect();
                let mut candidates = vec![entities[truth].to_string()];
                candidates.extend(entities.iter().enumerate().filter(|(k, _)| *k != truth).map(|(_, e)| e.to_string()));
                ProbeItem { hidden: vec![l0, l1], candidates }
            })
            .collect()
    }

    #[test]
    fn a_probe_reads_what_the_states_hold_and_not_what_they_do_not() {
        let probe = LinearProbe::fit(&items(120, 1)).unwrap();
        let acc = probe.accuracy(&items(60, 2)); // fresh items: the fit generalises
        assert!(acc[1] > 0.95, "the entity is linearly in layer 1: {acc:?}");
        assert!(acc[0] < 0.45, "layer 0 is noise, chance is 1/6: {acc:?}");
        assert!((chance(&items(6, 3)) - 1.0 / 6.0).abs() < 1e-12);
        assert_eq!(LinearProbe::fit(&[]), None);
        assert!(probe.accuracy(&[]).iter().all(|a| a.is_nan()));
    }

    #[test]
    fn candidates_are_the_key_entity_then_the_perturbed_entities() {
        let it = QaItem {
            answer: "Ann Lee was born in Paris.".into(),
            key_entity: "Paris".into(),
            perturbed_answer: vec!["Ann Lee was born in Lyon.".into(), "Ann Lee was born in Nice.".into(), "Something else.".into()],
            ..Default::default()
        };
        assert_eq!(candidates(&it), Some(vec!["Paris".to_string(), "Lyon".to_string(), "Nice".to_string()]));
        assert_eq!(candidates(&QaItem { perturbed_answer: vec![], ..it.clone() }), None);
        assert_eq!(candidates(&QaItem { key_entity: "Rome".into(), ..it }), None);
    }
}
