//! What a run is: its configuration ([`RunConfig`]: method, forget selection, hyper-parameters,
//! seed, evaluation size), and how a selection becomes items and evaluation sets.

use serde::{Deserialize, Serialize};

use crate::error::ForgetError;
use crate::eval::{EvalSets, REAL_ENTITY_KINDS};
use crate::methods::data::seeded_subset;
use crate::methods::{Hyper, MethodKind};
use crate::world::{FactWorld, QaItem};

/// Which items to forget: a named split, item ids from the world, or user-supplied items.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForgetSelection {
    Split(String),
    Ids(Vec<String>),
    Items(Vec<QaItem>),
}

/// Evaluation sizes. Fixed, seeded subsets keep an evaluation pass fast and comparable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EvalConfig {
    /// At most this many items of the forget set are evaluated.
    pub max_forget: usize,
    pub max_retain: usize,
    pub max_world: usize,
    pub max_holdout: usize,
    pub max_new_tokens: usize,
    /// Items whose generations each snapshot carries.
    pub sample_ids: Vec<String>,
}

impl Default for EvalConfig {
    fn default() -> Self {
        Self {
            max_forget: 200,
            max_retain: 100,
            max_world: 100,
            max_holdout: 100,
            max_new_tokens: 24,
            sample_ids: vec![],
        }
    }
}

/// Everything that defines a run. Serializable: the playground keeps it in its URL.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    pub method: MethodKind,
    pub forget: ForgetSelection,
    pub hyper: Hyper,
    pub seed: u64,
    #[serde(default)]
    pub eval: EvalConfig,
}

impl RunConfig {
    pub fn new(method: MethodKind, forget: ForgetSelection) -> Self {
        Self { method, forget, hyper: method.default_hyper(), seed: 0, eval: EvalConfig::default() }
    }
}

/// Resolve a forget selection against the world.
pub fn resolve_forget(
    world: &FactWorld,
    sel: &ForgetSelection,
) -> Result<Vec<QaItem>, ForgetError> {
    let items = match sel {
        ForgetSelection::Split(name) => world.select(name)?,
        ForgetSelection::Ids(ids) => {
            let mut out = Vec::new();
            for id in ids {
                let it = world.items.iter().find(|it| &it.id == id).ok_or_else(|| {
                    ForgetError::InvalidConfig(format!("no item with id '{id}' in the fact world"))
                })?;
                out.push(it.clone());
            }
            out
        }
        ForgetSelection::Items(items) => items.clone(),
    };
    if items.is_empty() {
        return Err(ForgetError::EmptyForgetSet);
    }
    Ok(items)
}

/// Retain items the linear probe is fitted on (never the evaluated ones): ten per evaluated retain
/// item, at most 1000 (the CLI's default evaluation). The fit is one extra pass at a run's first
/// evaluation, so it scales with the evaluation size the user chose (the browser's quick one fits
/// on 80 items).
pub const PROBE_FIT_PER_RETAIN: usize = 10;
pub const PROBE_FIT_MAX: usize = 1000;

/// The retain split without anything being forgotten: what methods train on as retain data and
/// what the retain metrics are measured on.
pub fn retain_without(world: &FactWorld, forget: &[QaItem]) -> Result<Vec<QaItem>, ForgetError> {
    let forget_ids: std::collections::HashSet<&str> =
        forget.iter().map(|it| it.id.as_str()).collect();
    Ok(world
        .select("retain")?
        .into_iter()
        .filter(|it| !forget_ids.contains(it.id.as_str()))
        .collect())
}

/// The evaluation sets for a forget selection. Retain excludes anything being forgotten.
pub fn eval_sets(
    world: &FactWorld,
    forget: &[QaItem],
    cfg: &EvalConfig,
) -> Result<EvalSets, ForgetError> {
    eval_sets_with(world, forget, retain_without(world, forget)?, cfg)
}

pub(super) fn eval_sets_with(
    world: &FactWorld,
    forget: &[QaItem],
    retain: Vec<QaItem>,
    cfg: &EvalConfig,
) -> Result<EvalSets, ForgetError> {
    // World facts split in two utility sets, as TOFU has "real authors" and "world facts".
    let (real_entities, facts): (Vec<QaItem>, Vec<QaItem>) = world
        .select("world")?
        .into_iter()
        .partition(|it| REAL_ENTITY_KINDS.contains(&it.kind.as_str()));
    let evaluated_retain = seeded_subset(retain.clone(), cfg.max_retain, 2);
    let not_evaluated: Vec<QaItem> =
        retain.into_iter().filter(|it| !evaluated_retain.iter().any(|e| e.id == it.id)).collect();
    Ok(EvalSets {
        forget: seeded_subset(forget.to_vec(), cfg.max_forget, 1),
        retain: evaluated_retain,
        probe_fit: seeded_subset(
            not_evaluated,
            (PROBE_FIT_PER_RETAIN * cfg.max_retain).min(PROBE_FIT_MAX),
            7,
        ),
        real_entities: seeded_subset(real_entities, cfg.max_world, 5),
        world: seeded_subset(facts, cfg.max_world, 3),
        holdout: seeded_subset(world.select("holdout")?, cfg.max_holdout, 4),
        sample_ids: cfg.sample_ids.clone(),
    })
}
