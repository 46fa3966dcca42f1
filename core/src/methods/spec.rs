//! The method table: every method the engine offers, in one list. A row says what the method is
//! (name, paper, one line for the page), which settings it reads and its defaults for them, and
//! how a run treats it. The CLI (`--method`, its help), the page's method panel, the URL codec and
//! the run all read this table; nothing keeps a second list. What a method trains on (`prepare`,
//! `draw`) and its loss are [`MethodKind::ops`], below the rows: code, kept out of the rows so
//! the page's wasm does not link the training code.
//!
//! Defaults are scaled to ForgetLab's default model. The papers' learning rates (1e-5 for 7B
//! models over 5–10 epochs) are far too small for a 0.27 M-parameter model that runs 30–100
//! steps; these were chosen so a run shows its effect within about 30 steps.

use burn::tensor::Tensor;

use super::data::{self, Draw, Prepared, Sources, StepData};
use super::settings::{SETTINGS, Setting};
use super::{
    Hyper, LossInputs, MethodKind, flat, ga_kl, grad_ascent, grad_diff, idk_dpo, idk_po, ike, npo,
    random_label, relearn, retrain, rmu, simnpo, uld, undial, wga,
};
use crate::error::ForgetError;
use crate::train::Schedule;

/// Where a run's trained weights start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// The original model's weights (every approximate method).
    Original,
    /// A fresh seeded initialisation (retraining from scratch).
    Scratch,
    /// The original model's first `assistant_layers` blocks, trained as an assistant whose logits
    /// are subtracted from the untouched original's at answer time (ULD).
    Assistant,
}

/// One row of the method table.
pub struct MethodSpec {
    pub kind: MethodKind,
    /// The CLI's `--method` value and the URL's `method=`.
    pub name: &'static str,
    /// The paper (authors, year) the objective comes from.
    pub paper: &'static str,
    /// One line for the method panel and the CLI's help.
    pub summary: &'static str,
    /// The settings it reads (keys of [`SETTINGS`]), each with what it means for this method
    /// when that differs from the setting's own meaning.
    pub reads: &'static [(&'static str, Option<&'static str>)],
    /// Its defaults where they differ from the settings table's.
    pub defaults: &'static [(&'static str, f64)],
    /// Whether the loss reads the frozen original model.
    pub needs_reference: bool,
    /// Whether the loss reads the retain batch.
    pub uses_retain: bool,
    /// Whether a step changes weights (IKE only edits the prompt).
    pub trains: bool,
    pub start: Start,
    /// The run stops when |loss| passes this, even while finite, keeping the last good weights:
    /// [`ASCENT_LOSS_LIMIT`] for objectives that gradient ascent drives without bound,
    /// [`LOSS_LIMIT`] for the others (bounded below, near 0–10 in a sane run), RMU's own.
    pub loss_limit: f64,
}

/// Gradient ascent's objective, −NLL of the forget answers in nats per token (−γ·NLL + …), has
/// no minimum: it falls for as long as the run lasts. At 100 nats per token each answer token has
/// probability below e⁻¹⁰⁰ ≈ 4·10⁻⁴⁴, where guessing over the whole vocabulary gives
/// 1/2,048 (7.6 nats): the model no longer forgets, it is destroyed, and the next steps head for
/// overflow. (The default GA run is near −52 after 150 steps at its default learning rate.)
pub const ASCENT_LOSS_LIMIT: f64 = 100.0;

/// Every other objective is bounded below (NLL, KL, preference losses with a log-sigmoid, the
/// MSE of activations) and starts near 0–10; ±1,000 is only reached by a run that has blown up.
pub const LOSS_LIMIT: f64 = 1_000.0;

/// RMU's loss is the squared distance of activations to c·u, so it scales with the steering
/// coefficient c²: 10⁴ leaves room for c up to about 100 on the default model.
pub const RMU_LOSS_LIMIT: f64 = 10_000.0;

/// What a method does: what it trains on and its loss ([`MethodKind::ops`]). Apart from the rows
/// so that a program that only describes methods (the page) does not link every loss: the rows
/// are data, and function pointers in them would pull the training code into its wasm.
#[derive(Clone, Copy)]
pub struct MethodOps {
    /// What the method trains on: built once per run, then drawn each step.
    pub prepare: fn(&Sources) -> Result<Prepared, ForgetError>,
    pub draw: fn(&mut Draw) -> StepData,
    /// The learning-rate schedule (constant, except retraining's warm-up and cosine).
    pub schedule: fn(&Hyper) -> Schedule,
    pub loss: fn(&LossInputs) -> Tensor<1>,
}

const LR: (&str, Option<&str>) = ("lr", None);
const BATCH: (&str, Option<&str>) = ("batch_size", None);
const GAMMA: (&str, Option<&str>) = ("forget_weight", None);
const ALPHA: (&str, Option<&str>) = ("retain_weight", None);
const DECAY: (&str, Option<&str>) = ("weight_decay", None);
const LORA: (&str, Option<&str>) = ("lora_rank", None);

fn constant_lr(_: &Hyper) -> Schedule {
    Schedule::Constant
}

/// A row with the common parts: starts from the original model, trains.
const fn row(kind: MethodKind, name: &'static str) -> MethodSpec {
    MethodSpec {
        kind,
        name,
        paper: "",
        summary: "",
        reads: &[],
        defaults: &[],
        needs_reference: false,
        uses_retain: true,
        trains: true,
        start: Start::Original,
        loss_limit: LOSS_LIMIT,
    }
}

/// A method's ops with the common parts: plain forget/retain pairs, a constant learning rate.
const fn ops(loss: fn(&LossInputs) -> Tensor<1>) -> MethodOps {
    MethodOps { prepare: data::prepare_items, draw: data::draw_plain, schedule: constant_lr, loss }
}

impl MethodKind {
    /// What the method trains on and its loss. Exhaustive: a new method does not compile
    /// without its entry.
    pub fn ops(self) -> MethodOps {
        use MethodKind::*;
        match self {
            Ga => ops(grad_ascent::loss),
            GradDiff => ops(grad_diff::loss),
            GaKl => ops(ga_kl::loss),
            Npo => ops(npo::loss),
            SimNpo => ops(simnpo::loss),
            Wga => ops(wga::loss),
            Undial => ops(undial::loss),
            IdkPo => MethodOps { draw: idk_po::draw, ..ops(idk_po::loss) },
            IdkDpo => MethodOps { draw: idk_po::draw_with_refusals, ..ops(idk_dpo::loss) },
            Rmu => ops(rmu::loss),
            Flat => MethodOps { draw: idk_po::draw_with_refusals, ..ops(flat::loss) },
            RandomLabel => MethodOps { draw: random_label::draw, ..ops(random_label::loss) },
            Relearn => MethodOps { prepare: relearn::prepare, ..ops(relearn::loss) },
            Ike => MethodOps { prepare: ike::prepare, ..ops(ike::loss) },
            Uld => MethodOps { draw: uld::draw, ..ops(uld::loss) },
            Retrain => MethodOps {
                prepare: retrain::prepare,
                draw: retrain::draw,
                schedule: retrain::schedule,
                loss: retrain::loss,
            },
        }
    }
}

/// Every method, in the order the page lists them.
pub const METHODS: [MethodSpec; 16] = [
    MethodSpec {
        paper: "Maini et al. 2024 (TOFU)",
        summary: "Gradient ascent: make the forget answers less likely (TOFU baseline, Maini et \
            al. 2024).",
        reads: &[LR, BATCH, DECAY, LORA],
        uses_retain: false,
        loss_limit: ASCENT_LOSS_LIMIT,
        ..row(MethodKind::Ga, "ga")
    },
    MethodSpec {
        paper: "Liu et al. 2022; Maini et al. 2024 (TOFU)",
        summary: "GradDiff: ascend on forget, descend on retain (Liu et al. 2022; TOFU).",
        reads: &[LR, BATCH, GAMMA, ALPHA, DECAY, LORA],
        loss_limit: ASCENT_LOSS_LIMIT,
        ..row(MethodKind::GradDiff, "graddiff")
    },
    MethodSpec {
        paper: "Maini et al. 2024 (TOFU)",
        summary: "GA + KL: ascend on forget, keep retain outputs close to the original model \
            (TOFU).",
        reads: &[
            LR,
            BATCH,
            GAMMA,
            ("retain_weight", Some("weight of the KL to the original model on retain")),
            DECAY,
            LORA,
        ],
        needs_reference: true,
        loss_limit: ASCENT_LOSS_LIMIT,
        ..row(MethodKind::GaKl, "ga_kl")
    },
    MethodSpec {
        paper: "Zhang et al. 2024",
        summary: "NPO: a bounded, preference-style forget loss plus retain NLL (Zhang et al. 2024).",
        reads: &[LR, BATCH, ("beta", Some("NPO's inverse temperature")), GAMMA, ALPHA, DECAY, LORA],
        defaults: &[("lr", 1e-3)],
        needs_reference: true,
        ..row(MethodKind::Npo, "npo")
    },
    MethodSpec {
        paper: "Fan et al. 2024",
        summary: "SimNPO: NPO without a reference model, on length-normalised loss with margin δ \
            (Fan et al. 2024).",
        reads: &[
            LR,
            BATCH,
            ("beta", Some("SimNPO's inverse temperature")),
            ("delta", None),
            GAMMA,
            ALPHA,
            DECAY,
            LORA,
        ],
        // The paper's β and γ (open-unlearning's SimNPO config); the learning rate scaled like
        // NPO's.
        defaults: &[("lr", 1e-3), ("beta", 4.5), ("forget_weight", 0.125)],
        ..row(MethodKind::SimNpo, "simnpo")
    },
    MethodSpec {
        paper: "Wang et al. 2025",
        summary: "WGA: gradient ascent weighted by each token's probability^β, so forgotten tokens \
            stop pulling (Wang et al. 2025).",
        reads: &[
            LR,
            BATCH,
            ("beta", Some("token weight p^β: larger β, less push on forgotten tokens")),
            GAMMA,
            ALPHA,
            DECAY,
            LORA,
        ],
        defaults: &[("lr", 1e-3), ("beta", 1.0)],
        ..row(MethodKind::Wga, "wga")
    },
    MethodSpec {
        paper: "Dong et al. 2025",
        summary: "UNDIAL: distil the original model with the true token's logit lowered by β (Dong \
            et al. 2025).",
        reads: &[
            LR,
            BATCH,
            ("beta", Some("how far the true token's logit is lowered")),
            GAMMA,
            ALPHA,
            DECAY,
            LORA,
        ],
        defaults: &[("lr", 1e-3), ("beta", 10.0), ("retain_weight", 0.0)],
        needs_reference: true,
        ..row(MethodKind::Undial, "undial")
    },
    MethodSpec {
        paper: "Maini et al. 2024 (TOFU)",
        summary: "IdkPO: fine-tune forget questions to \"I don't know\" answers, keep retain \
            (TOFU, Maini et al. 2024).",
        reads: &[LR, BATCH, GAMMA, ALPHA, DECAY, LORA],
        defaults: &[("lr", 5e-4)],
        ..row(MethodKind::IdkPo, "idk_po")
    },
    MethodSpec {
        paper: "Rafailov et al. 2023; Maini et al. 2024 (TOFU)",
        summary: "IdkDPO: DPO preferring \"I don't know\" over the true answer (Rafailov et al. \
            2023; TOFU).",
        reads: &[LR, BATCH, ("beta", Some("DPO's inverse temperature")), GAMMA, ALPHA, DECAY, LORA],
        defaults: &[("lr", 1e-3)],
        needs_reference: true,
        ..row(MethodKind::IdkDpo, "idk_dpo")
    },
    MethodSpec {
        paper: "Li et al. 2024 (WMDP)",
        summary: "RMU: push one layer's activations on forget answers toward a random direction, \
            hold retain activations (Li et al. 2024, WMDP).",
        reads: &[LR, BATCH, GAMMA, ALPHA, DECAY, ("layer", None), ("steering", None), LORA],
        defaults: &[("lr", 1e-3)],
        loss_limit: RMU_LOSS_LIMIT,
        ..row(MethodKind::Rmu, "rmu")
    },
    MethodSpec {
        paper: "Wang et al. 2025",
        summary: "FLAT: raise a refusal's probability and lower the forget answer's, forget data \
            only (Wang et al. 2025).",
        reads: &[LR, BATCH, DECAY, LORA],
        // No retain term: at 1e-3 it takes retain answers down with the forget ones within 20
        // steps.
        defaults: &[("lr", 2e-4)],
        uses_retain: false,
        ..row(MethodKind::Flat, "flat")
    },
    MethodSpec {
        paper: "Zhang, Choshen, Andreas 2024",
        summary: "Random-label fine-tuning: train on wrong same-kind answers (Zhang, Choshen, \
            Andreas 2024).",
        reads: &[LR, BATCH, DECAY, LORA],
        defaults: &[("lr", 1e-3)],
        uses_retain: false,
        ..row(MethodKind::RandomLabel, "random_label")
    },
    MethodSpec {
        paper: "Xu et al. 2025",
        summary: "ReLearn: learn vague answers instead, keep retain with NLL + KL (Xu et al. 2025).",
        reads: &[LR, BATCH, ALPHA, ("kl_weight", None), DECAY, LORA],
        // At 1e-3 it forgets faster but the vague answers leak into retain authors (KRR 0.77 at
        // 60 steps); 5e-4 over about 120 steps gives KFR 0.80 with KRR 0.91.
        defaults: &[("lr", 5e-4)],
        needs_reference: true,
        ..row(MethodKind::Relearn, "relearn")
    },
    MethodSpec {
        paper: "Zheng et al. 2023",
        summary: "IKE: change no weights; show the model refusal demonstrations in its prompt at \
            evaluation (Zheng et al. 2023).",
        reads: &[BATCH, ("demos", None)],
        uses_retain: false,
        trains: false,
        ..row(MethodKind::Ike, "ike")
    },
    MethodSpec {
        paper: "Ji et al. 2024",
        summary: "ULD: train a small assistant to know only the forget set, then subtract its \
            logits from the untouched model's (Ji et al. 2024).",
        reads: &[
            LR,
            BATCH,
            GAMMA,
            ALPHA,
            DECAY,
            ("assistant_layers", None),
            ("logit_weight", None),
            ("top_filter", None),
            LORA,
        ],
        // The paper's w_r (α here) is 5, but on this model it makes the assistant uniform on the
        // forget answers too (forget05, 100 steps: KFR 0.08); α = 0.5 with lr 3e-3 gives KFR
        // 0.75, KRR 0.94 (uld.rs).
        defaults: &[("lr", 3e-3), ("retain_weight", 0.5)],
        start: Start::Assistant,
        ..row(MethodKind::Uld, "uld")
    },
    MethodSpec {
        paper: "Bourtoule et al. 2021; Maini et al. 2024 (TOFU)",
        summary: "Retrain from scratch without the forget set: exact unlearning, the gold standard \
            — at the full training cost (≈ 8000 steps).",
        reads: &[LR, BATCH, DECAY],
        // The original model's recipe (pretrain.rs): peak lr 3e-3, batch 32, warm-up and cosine
        // decay over 8000 steps.
        defaults: &[("lr", 3e-3), ("batch_size", 32.0)],
        start: Start::Scratch,
        ..row(MethodKind::Retrain, "retrain")
    },
];

impl MethodSpec {
    /// The method's defaults: the settings table's, then the row's own.
    pub fn default_hyper(&self) -> Hyper {
        let mut h = Hyper::default();
        for &(key, v) in self.defaults {
            let s = SETTINGS.iter().find(|s| s.key == key).expect("method defaults name settings");
            (s.set)(&mut h, v);
        }
        h
    }

    /// The settings this method reads, in the settings table's order, each with its meaning
    /// for this method.
    pub fn settings(&self) -> impl Iterator<Item = (&'static Setting, &'static str)> + '_ {
        SETTINGS.iter().filter_map(|s| {
            let (_, meaning) = self.reads.iter().find(|(k, _)| *k == s.key)?;
            Some((s, meaning.unwrap_or(s.meaning)))
        })
    }

    pub fn reads(&self, key: &str) -> bool {
        self.reads.iter().any(|(k, _)| *k == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_complete_and_consistent() {
        for (i, m) in METHODS.iter().enumerate() {
            assert_eq!(
                m.kind as usize, i,
                "row {i} is the enum's variant {i}: METHODS[kind as usize] is its row"
            );
            assert!(!m.summary.is_empty() && !m.paper.is_empty(), "{}", m.name);
            for (key, _) in m.reads {
                assert!(SETTINGS.iter().any(|s| s.key == *key), "{}: {key} is no setting", m.name);
            }
            for (key, _) in m.defaults {
                assert!(
                    m.reads(key),
                    "{} sets a default for {key}, which it does not read",
                    m.name
                );
            }
            m.default_hyper().validate().unwrap();
        }
    }
}
