//! Unlearning methods. One file per method, each with its objective in the doc comment and the
//! paper cited. The method table is `spec.rs`, the settings table `settings.rs`, what methods
//! train on `data.rs`; this file holds the method's name type and the inputs a loss sees.
//!
//! Every loss is computed on answer tokens only (prompt masked), as open-unlearning does.
//! γ weights the forget term and α the retain term (open-unlearning's convention).

pub mod data;
pub mod flat;
pub mod ga_kl;
pub mod grad_ascent;
pub mod grad_diff;
pub mod idk_dpo;
pub mod idk_po;
pub mod ike;
pub mod in_context;
pub mod npo;
pub mod random_label;
pub mod relearn;
pub mod retrain;
pub mod rmu;
pub mod settings;
pub mod simnpo;
pub mod spec;
pub mod uld;
pub mod undial;
pub mod wga;

use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

use crate::batch::Batch;
use crate::error::ForgetError;
use crate::loss::{batch_nll, kl_ref_theta, nll_mean};
use crate::model::Gpt;
pub use settings::{Hyper, SETTINGS, Setting, SettingType};
pub use spec::{METHODS, MethodOps, MethodSpec, Start};

/// Every method the engine offers, in the method table's order (`METHODS[kind as usize]` is its
/// row). Serialized as its table name (`"graddiff"`), the CLI's `--method` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MethodKind {
    Ga,
    GradDiff,
    GaKl,
    Npo,
    SimNpo,
    Wga,
    Undial,
    IdkPo,
    IdkDpo,
    Rmu,
    Flat,
    RandomLabel,
    Relearn,
    Ike,
    Uld,
    Retrain,
}

impl MethodKind {
    /// Every method, in the table's order.
    pub fn all() -> impl Iterator<Item = MethodKind> {
        METHODS.iter().map(|m| m.kind)
    }

    /// The method's row of the table.
    pub fn spec(self) -> &'static MethodSpec {
        &METHODS[self as usize]
    }

    /// The CLI / URL name.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn parse(name: &str) -> Result<Self, ForgetError> {
        Self::all().find(|m| m.name() == name).ok_or_else(|| {
            let known: Vec<&str> = METHODS.iter().map(|m| m.name).collect();
            ForgetError::UnknownMethod(name.to_string(), known.join(", "))
        })
    }

    /// A one-line explanation with the paper, for the playground's method panel.
    pub fn description(self) -> &'static str {
        self.spec().summary
    }

    pub fn default_hyper(self) -> Hyper {
        self.spec().default_hyper()
    }

    /// The method's loss for one step.
    pub fn loss(self, x: &LossInputs) -> Tensor<1> {
        (self.ops().loss)(x)
    }
}

impl Serialize for MethodKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for MethodKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        MethodKind::parse(&name).map_err(serde::de::Error::custom)
    }
}

/// What a method's loss sees in one step.
pub struct LossInputs<'a> {
    pub model: &'a Gpt,
    /// The frozen original model (no autodiff).
    pub reference: &'a Gpt,
    pub forget: &'a Batch,
    /// Answers the method prefers for the same forget questions, row for row (IdkDPO's refusals).
    pub preferred: Option<&'a Batch>,
    pub retain: &'a Batch,
    pub hp: &'a Hyper,
    pub n_head: usize,
    /// The run's seed (RMU draws its random direction from it).
    pub seed: u64,
}

/// NLL_mean(D_r), the usual retain term.
pub(crate) fn retain_nll(x: &LossInputs) -> Tensor<1> {
    nll_mean(batch_nll(x.model, x.retain, x.n_head), x.retain.mask.clone())
}

/// KL(p_ref ‖ p_θ) on the retain batch.
pub(crate) fn retain_kl(x: &LossInputs) -> Tensor<1> {
    let theta = x.model.forward(x.retain.inputs.clone(), x.n_head);
    let reference = x.reference.forward(x.retain.inputs.clone(), x.n_head);
    kl_ref_theta(theta, reference)
}
