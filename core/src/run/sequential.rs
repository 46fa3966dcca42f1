//! Sequential unlearning requests: forget one set, then the next, each request starting from the
//! weights the previous one left. Does an earlier set come back while a later one is forgotten,
//! and does the damage to utility add up?
//!
//! The forget selection is cut into R requests F₁ … F_R of whole authors, in the split's order
//! (as even as the authors allow). With θ₀ the original model,
//!
//! ```text
//! θ_r = Unlearn(method, θ_{r−1}, F_r)      r = 1 … R
//! ```
//!
//! each request a fresh run of the method (its optimizer, data order and step budget) on F_r
//! alone, whose reference model (NPO's, the KL terms', the evaluation's) is θ_{r−1}, the model the
//! request was made to. After each request, every set F_j is measured on θ_r — answer probability
//! and the share of greedy answers with the key entity ([`Recall`]): j < r shows whether an earlier
//! request's facts come back, j > r what a request did to facts not yet asked for — and the
//! request's own evaluation gives model utility's path.
//!
//! Source: Shi et al., "MUSE: Machine Unlearning Six-Way Evaluation for Language Models" (2024),
//! §3 "sustainability": the forget set in folds, unlearned one after another; Gao et al., "On
//! Large Language Model Continual Unlearning" (2024).

use burn::tensor::Device;

use super::{Recall, Run, RunConfig, resolve_forget};
use crate::error::ForgetError;
use crate::methods::Start;
use crate::model::LoadedModel;
use crate::world::{FactWorld, QaItem};

/// Cut `items` into `n` requests of whole authors, in order of first appearance, the first ones
/// one author larger when the authors do not divide evenly. Items without an author (world facts)
/// count as their own author each.
pub fn split_requests(items: &[QaItem], n: usize) -> Result<Vec<Vec<QaItem>>, ForgetError> {
    let mut authors: Vec<(&str, Vec<QaItem>)> = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let key = if it.author.is_empty() { items[i].id.as_str() } else { it.author.as_str() };
        match authors.iter_mut().find(|(a, _)| *a == key) {
            Some((_, group)) => group.push(it.clone()),
            None => authors.push((key, vec![it.clone()])),
        }
    }
    if authors.len() < 2 {
        return Err(ForgetError::InvalidConfig(format!(
            "sequential requests need at least two authors in the forget set; it has {}",
            authors.len()
        )));
    }
    if n < 2 || n > authors.len() {
        return Err(ForgetError::InvalidConfig(format!(
            "sequential requests: between 2 and {} requests (one author each at least), got {n}",
            authors.len()
        )));
    }
    let (per, extra) = (authors.len() / n, authors.len() % n);
    let mut groups = authors.into_iter();
    Ok((0..n)
        .map(|r| {
            let take = per + usize::from(r < extra);
            groups.by_ref().take(take).flat_map(|(_, g)| g).collect()
        })
        .collect())
}

/// R unlearning requests, one [`Run`] at a time (see the module docs).
pub struct SequentialRun {
    template: RunConfig,
    sets: Vec<Vec<QaItem>>,
    fluency: Option<LoadedModel>,
    device: Device,
    /// The request the current run serves (0-based).
    at: usize,
    run: Run,
}

impl SequentialRun {
    /// The first request's run, on `model`. `template` is every request's configuration but its
    /// forget selection; `fluency` is the Linguistic Score's scorer, if any.
    pub fn new(
        model: &LoadedModel,
        world: &FactWorld,
        template: RunConfig,
        sets: Vec<Vec<QaItem>>,
        fluency: Option<LoadedModel>,
        device: &Device,
    ) -> Result<Self, ForgetError> {
        let spec = template.method.spec();
        if spec.start != Start::Original || !spec.trains {
            return Err(ForgetError::InvalidConfig(format!(
                "sequential requests chain trained weights: {} does not train the original model's",
                spec.name
            )));
        }
        if sets.len() < 2 || sets.iter().any(Vec::is_empty) {
            return Err(ForgetError::InvalidConfig(
                "sequential requests need at least two non-empty forget sets".into(),
            ));
        }
        // An earlier request's facts must not be trained on as retain data by a later one.
        let retain: std::collections::HashSet<String> =
            resolve_forget(world, &super::ForgetSelection::Split("retain".into()))?
                .into_iter()
                .map(|it| it.id)
                .collect();
        if let Some(it) = sets.iter().flatten().find(|it| retain.contains(&it.id)) {
            return Err(ForgetError::InvalidConfig(format!(
                "sequential requests come from a forget split (forget01, forget05, forget10): \
                '{}' is a retain item",
                it.id
            )));
        }
        let run = Self::request_run(model, world, &template, &sets[0], fluency.as_ref(), device)?;
        Ok(Self { template, sets, fluency, device: device.clone(), at: 0, run })
    }

    fn request_run(
        model: &LoadedModel,
        world: &FactWorld,
        template: &RunConfig,
        set: &[QaItem],
        fluency: Option<&LoadedModel>,
        device: &Device,
    ) -> Result<Run, ForgetError> {
        let config =
            RunConfig { forget: super::ForgetSelection::Items(set.to_vec()), ..template.clone() };
        let mut run = Run::new(model, world, config, device)?;
        if let Some(scorer) = fluency {
            run.set_fluency_model(scorer)?;
        }
        Ok(run)
    }

    /// The current request's run: step and evaluate it as any run.
    pub fn run(&mut self) -> &mut Run {
        &mut self.run
    }

    /// Which request the current run serves (1-based) and how many there are.
    pub fn request(&self) -> (usize, usize) {
        (self.at + 1, self.sets.len())
    }

    pub fn sets(&self) -> &[Vec<QaItem>] {
        &self.sets
    }

    /// Move to the next request, from the current weights; false after the last one.
    pub async fn next_request(&mut self, world: &FactWorld) -> Result<bool, ForgetError> {
        if self.at + 1 >= self.sets.len() {
            return Ok(false);
        }
        let model = self.run.export().await?;
        self.at += 1;
        self.run = Self::request_run(
            &model,
            world,
            &self.template,
            &self.sets[self.at],
            self.fluency.as_ref(),
            &self.device,
        )?;
        Ok(true)
    }

    /// Every request's set measured on the current weights, in request order.
    pub async fn recall(&self) -> Result<Vec<Recall>, ForgetError> {
        let mut out = Vec::with_capacity(self.sets.len());
        for set in &self.sets {
            out.push(self.run.recall_of(set).await?);
        }
        Ok(out)
    }
}
