//! The device-side half of the representation metrics (formulas in `metrics::representation`):
//! per-layer parameter change against the original model, and the per-layer aggregates of the
//! hidden states and logit-lens readouts that [`super::token_stats`] collected.

use burn::tensor::{Tensor, Transaction};

use super::Evaluator;
use super::answer_tree::PromptGroup;
use super::token_stats::{StatsRequest, TokenStats};
use crate::batch::Example;
use crate::error::ForgetError;
use crate::metrics::cka::linear_cka;
use crate::metrics::representation::{relative_change, total_variance};
use crate::model::Gpt;
use crate::world::{QaItem, format_answer, format_prompt};

/// The layer a GPT-2 parameter belongs to: "embeddings", "h.<i>" or "ln_f".
fn layer_of(name: &str) -> String {
    if name.starts_with("wte") || name.starts_with("wpe") {
        "embeddings".into()
    } else if let Some(rest) = name.strip_prefix("h.") {
        format!("h.{}", rest.split('.').next().unwrap_or(""))
    } else {
        name.split('.').next().unwrap_or(name).to_string()
    }
}

/// ‖θ⁽ˡ⁾ − θ₀⁽ˡ⁾‖ / ‖θ₀⁽ˡ⁾‖ per layer, in model order; one async readback.
pub async fn param_change(model: &Gpt, original: &Gpt) -> Result<Vec<(String, f64)>, ForgetError> {
    let now = model.named_params();
    let then = original.named_params();
    let mut sums: Vec<Tensor<1>> = Vec::with_capacity(2 * now.len());
    for ((_, a), (_, b)) in now.iter().zip(&then) {
        let b = b.clone().to_device(&a.device());
        sums.push((a.clone() - b.clone()).powf_scalar(2.0).sum());
        sums.push(b.powf_scalar(2.0).sum());
    }
    let data = Transaction::default()
        .register(Tensor::cat(sums, 0))
        .execute_async()
        .await
        .map_err(|e| ForgetError::Readback(format!("{e:?}")))?;
    let values = data
        .into_iter()
        .next()
        .ok_or_else(|| ForgetError::Readback("missing readback".into()))?
        .try_into_vec_as::<f32>()
        .map_err(|e| ForgetError::Readback(format!("{e:?}")))?;
    let mut layers: Vec<(String, f64, f64)> = Vec::new();
    for (i, (name, _)) in now.iter().enumerate() {
        let layer = layer_of(name);
        match layers.last_mut() {
            Some((l, d, o)) if *l == layer => {
                *d += values[2 * i] as f64;
                *o += values[2 * i + 1] as f64;
            }
            _ => layers.push((layer, values[2 * i] as f64, values[2 * i + 1] as f64)),
        }
    }
    Ok(layers.into_iter().map(|(l, d, o)| (l, relative_change(d, o))).collect())
}

/// Total variance of the pooled hidden states, per layer (empty when none were collected).
pub fn hidden_variance(stats: &[TokenStats]) -> Vec<f64> {
    let with: Vec<&TokenStats> = stats.iter().filter(|s| !s.pooled_hidden.is_empty()).collect();
    let Some(first) = with.first() else { return vec![] };
    (0..first.pooled_hidden.len())
        .map(|l| {
            total_variance(&with.iter().map(|s| s.pooled_hidden[l].clone()).collect::<Vec<_>>())
        })
        .collect()
}

/// Mean logit-lens probability per layer over the items that have one.
pub fn mean_lens(stats: &[TokenStats]) -> Vec<f64> {
    let with: Vec<&TokenStats> = stats.iter().filter(|s| !s.lens.is_empty()).collect();
    let Some(first) = with.first() else { return vec![] };
    (0..first.lens.len())
        .map(|l| with.iter().map(|s| s.lens[l]).sum::<f64>() / with.len() as f64)
        .collect()
}

/// Linear CKA after each block between two sets of per-item hidden states of the same items
/// (`[item][layer][n_embd]` each); empty when they do not match.
pub fn cka_per_layer(a: &[Vec<Vec<f32>>], b: &[Vec<Vec<f32>>]) -> Vec<f64> {
    let layers = a.first().map_or(0, Vec::len);
    if a.len() != b.len() || layers == 0 || a.iter().chain(b).any(|x| x.len() != layers) {
        return vec![];
    }
    let layer = |s: &[Vec<Vec<f32>>], l: usize| s.iter().map(|x| x[l].clone()).collect::<Vec<_>>();
    (0..layers).map(|l| linear_cka(&layer(a, l), &layer(b, l))).collect()
}

impl Evaluator<'_> {
    /// Each item's mean answer hidden state after every block under `model`, with plain prompts
    /// (`[item][layer][n_embd]`): the original model's side of CKA, computed once per run.
    pub async fn hidden_states(
        &self,
        model: &Gpt,
        items: &[QaItem],
    ) -> Result<Vec<Vec<Vec<f32>>>, ForgetError> {
        let mut groups = Vec::with_capacity(items.len());
        for it in items {
            let ex = Example::raw(
                self.tokenizer,
                &format_prompt(&it.question),
                &format_answer(&it.answer),
                self.config.n_positions,
            )?;
            groups.push(PromptGroup { prompt: ex.prompt, answers: vec![ex.answer] });
        }
        if groups.is_empty() {
            return Ok(vec![]);
        }
        let req = StatsRequest {
            pooled_hidden: true,
            lens_token: vec![None; items.len()],
            lens_hidden: false,
        };
        let scores = self.score_groups(model, None, &groups, &req).await?;
        Ok(scores.into_iter().map(|g| g.detail.pooled_hidden).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::layer_of;

    #[test]
    fn parameters_group_by_layer() {
        assert_eq!(layer_of("wte.weight"), "embeddings");
        assert_eq!(layer_of("h.3.mlp.c_fc.bias"), "h.3");
        assert_eq!(layer_of("ln_f.weight"), "ln_f");
    }
}
