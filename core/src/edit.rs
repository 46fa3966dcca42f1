//! Editing a fact: give it a new object (a counterfactual, "Ilsa Marrowen was born in
//! Copperton" where the world says Brightwater), then compare three ways of making the model say
//! it, on the same edits:
//!
//! - **IKE** (Zheng et al., EMNLP 2023, "Can We Edit Factual Knowledge by In-Context
//!   Learning?"): no weight change; the new fact is shown in the prompt before every question
//!   about it. The paper's prompt is k demonstrations of other facts (32: 4 copy, 12 update,
//!   16 retain) and then the new fact with the query. The default model's context is 64 tokens
//!   and one question with its answer takes 20–40 (median 27, over the retain items), so the
//!   largest count it allows is k = 0: the context is the new fact alone, the edit's own
//!   question answered with the new object, then the query.
//! - **Fine-tuning** (FT, as the paper's gradient baseline): train on the edits' new answers,
//!   mean answer-token NLL, every weight.
//! - **Fine-tuning with REMIX** (Chen et al. 2024): the same, with generic passages mixed in
//!   (continual::mixing), which in REMIX protects what the model knew.
//!
//! Metrics, per edit, with P(a | q) = exp(−mean NLL of a's tokens), IKE's 1/PPL:
//! - **efficacy**: P(new answer | question) > P(old answer | question);
//! - **generalization**: the same with the paraphrased question;
//! - **specificity**: on neighbourhood questions — the same author's other facts, and the same
//!   kind of fact about other authors — the true answer stays more likely than the answer with
//!   its key entity replaced by the new object;
//! - and the side effect in probability: the neighbours' mean P(true answer), before and after.
//!
//! Each is the mean over edits (over neighbours for specificity).

use burn::tensor::Device;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::continual::{
    ContinualConfig, ContinualRun, Mixing, Schedule, Scorer, StageConfig, StageData,
};
use crate::error::ForgetError;
use crate::metrics::mean;
use crate::model::{Gpt, LoadedModel};
use crate::world::{FactWorld, QaItem, format_answer, format_prompt};

/// Neighbours of each kind per edit.
const NEIGHBOURS: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EditMethod {
    Ike,
    #[serde(rename = "ft")]
    FineTune,
    #[serde(rename = "ft_remix")]
    FineTuneRemix,
}

impl EditMethod {
    pub const ALL: [EditMethod; 3] =
        [EditMethod::Ike, EditMethod::FineTune, EditMethod::FineTuneRemix];

    pub fn name(self) -> &'static str {
        match self {
            EditMethod::Ike => "ike",
            EditMethod::FineTune => "ft",
            EditMethod::FineTuneRemix => "ft_remix",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditConfig {
    pub edits: usize,
    /// Fine-tuning steps (the two FT methods).
    pub steps: usize,
    pub lr: f64,
    /// REMIX passages per edit (FT + REMIX).
    pub mix_ratio: f64,
    pub seed: u64,
}

impl Default for EditConfig {
    fn default() -> Self {
        Self { edits: 20, steps: 40, lr: 1e-3, mix_ratio: 1.0, seed: 0 }
    }
}

/// One counterfactual: a trained fact, its new object and the answer that says it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Edit {
    pub item: QaItem,
    pub new_object: String,
    pub new_answer: String,
    /// The same author's other facts, then the same kind of fact about other authors.
    pub same_subject: Vec<QaItem>,
    pub same_relation: Vec<QaItem>,
}

/// What one method did to the edits (NaN, written as null: nothing to measure, e.g. no
/// neighbours).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditReport {
    pub method: EditMethod,
    pub edits: usize,
    #[serde(with = "crate::host::nan_as_null")]
    pub efficacy: f64,
    #[serde(with = "crate::host::nan_as_null")]
    pub generalization: f64,
    #[serde(with = "crate::host::nan_as_null")]
    pub specificity: f64,
    #[serde(with = "crate::host::nan_as_null")]
    pub specificity_same_subject: f64,
    #[serde(with = "crate::host::nan_as_null")]
    pub specificity_same_relation: f64,
    #[serde(with = "crate::host::nan_as_null")]
    pub neighbour_prob_before: f64,
    #[serde(with = "crate::host::nan_as_null")]
    pub neighbour_prob_after: f64,
}

/// The new object of a perturbed answer: what stands where the key entity stood.
fn new_object(item: &QaItem, perturbed: &str) -> Option<String> {
    let (pre, post) = item.answer.split_once(&item.key_entity)?;
    let object = perturbed.strip_prefix(pre)?.strip_suffix(post)?;
    (!object.is_empty() && object != item.key_entity).then(|| object.to_string())
}

/// `n` counterfactual edits of trained authors' facts, seeded: each takes its new object from
/// one of the fact's perturbed answers (same template, another entity of the same kind).
pub fn counterfactuals(world: &FactWorld, n: usize, seed: u64) -> Result<Vec<Edit>, ForgetError> {
    let trained = world.select("retain")?;
    let mut candidates: Vec<&QaItem> =
        trained.iter().filter(|it| !it.key_entity.is_empty()).collect();
    candidates.shuffle(&mut StdRng::seed_from_u64(seed ^ 0xED17));
    let mut edits = Vec::new();
    let mut used_authors = std::collections::BTreeSet::new();
    for it in candidates {
        if edits.len() == n {
            break;
        }
        // One edit per author, so no edit is another's same-subject neighbour.
        if !used_authors.insert(it.author.clone()) {
            continue;
        }
        let Some((new_answer, new_object)) =
            it.perturbed_answer.iter().find_map(|p| new_object(it, p).map(|o| (p.clone(), o)))
        else {
            continue;
        };
        let same_subject = trained
            .iter()
            .filter(|o| o.author == it.author && o.id != it.id)
            .take(NEIGHBOURS)
            .cloned()
            .collect();
        let same_relation = trained
            .iter()
            .filter(|o| o.kind == it.kind && o.author != it.author)
            .take(NEIGHBOURS)
            .cloned()
            .collect();
        edits.push(Edit { item: it.clone(), new_object, new_answer, same_subject, same_relation });
    }
    if edits.is_empty() {
        return Err(ForgetError::InvalidConfig("no fact could be given a counterfactual".into()));
    }
    Ok(edits)
}

fn share(v: &[bool]) -> f64 {
    mean(v.iter().map(|&b| f64::from(u8::from(b))))
}

/// What a scored pair checks.
#[derive(Clone, Copy, PartialEq)]
enum Check {
    Efficacy,
    Generalization,
    SameSubject,
    SameRelation,
}

/// The neighbour's answer with its key entity replaced by the edit's new object.
fn with_new_object(n: &QaItem, object: &str) -> String {
    if n.key_entity.is_empty() {
        object.to_string()
    } else {
        n.answer.replacen(&n.key_entity, object, 1)
    }
}

/// Apply `method` to `edits` (all at once) and measure them.
pub async fn apply(
    method: EditMethod,
    edits: &[Edit],
    model: &LoadedModel,
    world: &FactWorld,
    config: &EditConfig,
    device: &Device,
) -> Result<EditReport, ForgetError> {
    // Fine-tuning's settings are checked where it trains (a continual run of one stage).
    let original = Gpt::from_weights(&model.config, &model.weights, device)?;
    let edited = match method {
        EditMethod::Ike => original.clone(),
        EditMethod::FineTune | EditMethod::FineTuneRemix => {
            let items: Vec<QaItem> = edits
                .iter()
                .map(|e| QaItem {
                    answer: e.new_answer.clone(),
                    key_entity: e.new_object.clone(),
                    ..e.item.clone()
                })
                .collect();
            let mixing =
                if method == EditMethod::FineTune { Mixing::None } else { Mixing::RemixGeneric };
            let stage = StageConfig {
                data: StageData::Own { items },
                steps: config.steps.max(1),
                mixing,
                mix_ratio: config.mix_ratio,
            };
            let cfg = ContinualConfig {
                stages: vec![stage],
                schedule: Schedule::Constant,
                lr: config.lr,
                items_per_stage: edits.len(),
                seed: config.seed,
                ..ContinualConfig::default()
            };
            let mut run = ContinualRun::new(model, world, cfg, device)?;
            while run.step_count() < run.total_steps() {
                run.step().await?;
            }
            run.current_model()
        }
    };
    let scorer = |m| Scorer::new(m, &model.config, &model.tokenizer, device, 1);
    // IKE's context: the edit stated once, before every question about it.
    let context = |e: &Edit| match method {
        EditMethod::Ike => {
            format!("{}{}\n", format_prompt(&e.item.question), format_answer(&e.new_answer))
        }
        _ => String::new(),
    };
    let ask = |e: &Edit, q: &str, a: &str| {
        (format!("{}{}", context(e), format_prompt(q)), format_answer(a))
    };
    // Every comparison is a pair (the answer that should win, the one that should lose): all
    // pairs are scored in one pass, then compared.
    let (mut pairs, mut kinds) = (vec![], vec![]);
    let mut plain = vec![]; // the neighbours' true answers, without any context
    for e in edits {
        let q = &e.item.question;
        let para =
            if e.item.paraphrased_question.is_empty() { q } else { &e.item.paraphrased_question };
        for (kind, q) in [(Check::Efficacy, q), (Check::Generalization, para)] {
            pairs.extend([ask(e, q, &e.new_answer), ask(e, q, &e.item.answer)]);
            kinds.push(kind);
        }
        for (kind, neighbours) in
            [(Check::SameSubject, &e.same_subject), (Check::SameRelation, &e.same_relation)]
        {
            for n in neighbours {
                let wrong = with_new_object(n, &e.new_object);
                pairs.extend([ask(e, &n.question, &n.answer), ask(e, &n.question, &wrong)]);
                kinds.push(kind);
                plain.push((format_prompt(&n.question), format_answer(&n.answer)));
            }
        }
    }
    let p = scorer(&edited).probabilities(&pairs).await?;
    let prob_before = scorer(&original).probabilities(&plain).await?;
    let (mut efficacy, mut generalization, mut subject, mut relation, mut prob_after) =
        (vec![], vec![], vec![], vec![], vec![]);
    for (kind, pair) in kinds.iter().zip(p.chunks(2)) {
        let wins = pair[0] > pair[1];
        match kind {
            Check::Efficacy => efficacy.push(wins),
            Check::Generalization => generalization.push(wins),
            Check::SameSubject | Check::SameRelation => {
                prob_after.push(pair[0]);
                if *kind == Check::SameSubject { subject.push(wins) } else { relation.push(wins) }
            }
        }
    }
    let all: Vec<bool> = subject.iter().chain(&relation).copied().collect();
    Ok(EditReport {
        method,
        edits: edits.len(),
        efficacy: share(&efficacy),
        generalization: share(&generalization),
        specificity: share(&all),
        specificity_same_subject: share(&subject),
        specificity_same_relation: share(&relation),
        neighbour_prob_before: mean(prob_before.into_iter()),
        neighbour_prob_after: mean(prob_after.into_iter()),
    })
}
