//! What one evaluation reports: [`Snapshot`], serialised as one JSON object per line by the CLI
//! (`forgetlab eval --json`) and sent to the playground as it is.
//!
//! Every metric's formula and source is in its file under `metrics/`. NaN (an empty split, no
//! perturbed answers) is written as JSON `null`.

use serde::{Deserialize, Serialize};

/// TOFU's per-split numbers plus the memorization metrics of the split's answers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SplitMetrics {
    /// Mean answer probability exp(−mean answer-token NLL) (metrics::probability).
    #[serde(with = "crate::host::nan_as_null")]
    pub prob: f64,
    /// Mean ROUGE-L recall of the greedy answer against the true answer (TOFU, ReLearn).
    #[serde(with = "crate::host::nan_as_null")]
    pub rouge_l: f64,
    /// Truth ratio, open-unlearning's default aggregate for this split: `closer_to_1_better`
    /// on the forget set, `true_better` elsewhere (metrics::truth_ratio). The playground shows
    /// this one: it is what OU's TOFU configs and forget quality use.
    #[serde(with = "crate::host::nan_as_null")]
    pub truth_ratio: f64,
    /// Mean ROUGE-L F1 (MUSE's flavour).
    #[serde(with = "crate::host::nan_as_null", default = "nan")]
    pub rouge_l_f1: f64,
    /// Mean ROUGE-1 recall (logged by open-unlearning).
    #[serde(with = "crate::host::nan_as_null", default = "nan")]
    pub rouge1_recall: f64,
    /// The OpenUnlearning paper's truth ratio, mean P_true / (P_true + P_false).
    #[serde(with = "crate::host::nan_as_null", default = "nan")]
    pub truth_ratio_paper: f64,
    /// Mean normalized probability P(a) / (P(a) + Σ P(perturbed)) (used for world facts in MU).
    #[serde(with = "crate::host::nan_as_null", default = "nan")]
    pub prob_normalized: f64,
    /// Mean exact memorization (metrics::memorization).
    #[serde(with = "crate::host::nan_as_null", default = "nan")]
    pub exact_memorization: f64,
    /// Mean extraction strength (metrics::memorization).
    #[serde(with = "crate::host::nan_as_null", default = "nan")]
    pub extraction_strength: f64,
}

/// The Linguistic Score's three parts, averaged over responses (metrics::linguistic).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LinguisticParts {
    /// Mean perplexity under the fluency scorer (↓).
    #[serde(with = "crate::host::nan_as_null")]
    pub ppl: f64,
    /// Mean Brunet's index (↓: richer vocabulary).
    #[serde(with = "crate::host::nan_as_null")]
    pub brunet: f64,
    /// Mean Honoré's statistic (↑).
    #[serde(with = "crate::host::nan_as_null")]
    pub honore: f64,
}

/// Membership-inference AUCs, forget (members) vs holdout (never seen) (metrics::mia).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MiaAucs {
    #[serde(with = "crate::host::nan_as_null")]
    pub loss: f64,
    #[serde(with = "crate::host::nan_as_null")]
    pub zlib: f64,
    #[serde(with = "crate::host::nan_as_null")]
    pub min_k: f64,
    #[serde(with = "crate::host::nan_as_null")]
    pub min_k_plus_plus: f64,
}

/// Inside the model (metrics::representation).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Representation {
    /// Total variance of the mean answer hidden state after each block, forget items.
    #[serde(with = "crate::host::nan_as_null_each")]
    pub hidden_variance_forget: Vec<f64>,
    /// The same on retain items.
    #[serde(with = "crate::host::nan_as_null_each")]
    pub hidden_variance_retain: Vec<f64>,
    /// (layer name, ‖θ − θ₀‖ / ‖θ₀‖): "embeddings", "h.0" …, "ln_f".
    pub param_change: Vec<(String, f64)>,
    /// Logit lens on the forget set: mean probability of the key entity's first token read
    /// out after each block (the last equals the model's own probability).
    #[serde(with = "crate::host::nan_as_null_each")]
    pub logit_lens_forget: Vec<f64>,
    /// The frozen linear probe (metrics::probe), fitted once on the original model: accuracy
    /// per block at picking the key entity among its candidates, on the forget items … Its fall
    /// measures drift from the original features as much as lost knowledge: see
    /// `probe_refit_forget`.
    #[serde(with = "crate::host::nan_as_null_each", default)]
    pub probe_forget: Vec<f64>,
    /// … and on the retain items (the control).
    #[serde(with = "crate::host::nan_as_null_each", default)]
    pub probe_retain: Vec<f64>,
    /// The probe refitted on the evaluated model's own states (Kim et al. 2025's protocol):
    /// accuracy per block on the forget items … (empty unless the run refits: `Run::set_refit_probe`)
    #[serde(with = "crate::host::nan_as_null_each", default)]
    pub probe_refit_forget: Vec<f64>,
    /// … and on the retain items.
    #[serde(with = "crate::host::nan_as_null_each", default)]
    pub probe_refit_retain: Vec<f64>,
    /// The probe's chance level on the forget items (mean 1 / candidates).
    #[serde(with = "crate::host::nan_as_null", default = "nan")]
    pub probe_chance: f64,
    /// Linear CKA (metrics::cka) after each block between the forget items' mean answer hidden
    /// states and the original model's on the same items (1 at step 0) …
    #[serde(with = "crate::host::nan_as_null_each", default)]
    pub cka_original: Vec<f64>,
    /// … and the retain model's (empty when its hidden states are not known: the retain
    /// references shipped with a model carry only per-item values; a retain model loaded by the
    /// CLI's `--retain-model` or retrained in the page carries them).
    #[serde(with = "crate::host::nan_as_null_each", default)]
    pub cka_retain: Vec<f64>,
}

/// Paraphrase robustness: the same numbers asked with another wording of each item's question
/// instead of the question a method trained on. Is a fact forgotten only under the words used
/// to forget it? (metrics::probability, metrics::knowledge) Two wordings are asked
/// (world::templates): the paraphrase the base model pretrained on (TOFU's paraphrase, one
/// fixed rewording per template, which ReLearn also trains on) and, in [`HeldoutWording`], a
/// held-out one no training data holds. Not C-BOD (Cohen-Inger et al. 2025), which needs graded distortion levels and
/// McNemar's test.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Paraphrase {
    /// Mean probability of the true answer given the paraphrased question, forget items.
    #[serde(with = "crate::host::nan_as_null", default = "nan")]
    pub forget_prob: f64,
    /// The same on retain items.
    #[serde(with = "crate::host::nan_as_null", default = "nan")]
    pub retain_prob: f64,
    /// KFR of the greedy answers to the paraphrased forget questions.
    #[serde(with = "crate::host::nan_as_null", default = "nan")]
    pub kfr: f64,
    /// KRR of the greedy answers to the paraphrased retain questions.
    #[serde(with = "crate::host::nan_as_null", default = "nan")]
    pub krr: f64,
}

/// The true answer's probability with each question asked in a wording no model or method
/// trained on (world::templates). Probabilities only: the base model rarely answers a new
/// wording with the fact, so greedy answers there would say little (eval::scoring).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HeldoutWording {
    /// Mean probability of the true answer, forget items.
    #[serde(with = "crate::host::nan_as_null", default = "nan")]
    pub forget_prob: f64,
    /// The same on retain items.
    #[serde(with = "crate::host::nan_as_null", default = "nan")]
    pub retain_prob: f64,
}

/// A question, the true answer and what the model answered now (for the generation panel).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeneratedAnswer {
    pub id: String,
    pub question: String,
    pub answer: String,
    pub generated: String,
    /// Each generated token's text and probability.
    pub tokens: Vec<(String, f32)>,
    pub contains_key_entity: bool,
    /// What the retain model (never trained on the forget set) answers: what successful
    /// unlearning should look like. Only for forget items with a retain model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retain_model_answer: Option<String>,
}

/// Everything one evaluation reports.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub step: usize,
    pub forget: SplitMetrics,
    pub retain: SplitMetrics,
    /// Well-known named entities the base model learned (capitals, countries' geography,
    /// chemical elements, planets): ForgetLab's stand-in for TOFU's "real authors".
    #[serde(default)]
    pub real_entities: SplitMetrics,
    /// General world facts (animals, colours, numbers): TOFU's "world facts".
    pub world: SplitMetrics,
    /// Knowledge Forgetting Rate: forget answers without the key entity.
    #[serde(with = "crate::host::nan_as_null")]
    pub kfr: f64,
    /// Knowledge Retention Rate: retain answers with the key entity.
    #[serde(with = "crate::host::nan_as_null")]
    pub krr: f64,
    /// KFR judged by entity similarity (partial names, near-spellings; metrics::entity_similarity).
    #[serde(with = "crate::host::nan_as_null", default = "nan")]
    pub kfr_similarity: f64,
    /// KRR judged by entity similarity.
    #[serde(with = "crate::host::nan_as_null", default = "nan")]
    pub krr_similarity: f64,
    /// Linguistic Score of the greedy forget-set answers (ReLearn).
    #[serde(with = "crate::host::nan_as_null")]
    pub ls: f64,
    #[serde(default)]
    pub ls_parts: LinguisticParts,
    /// Linguistic Score of the greedy retain-set answers.
    #[serde(with = "crate::host::nan_as_null")]
    pub ls_retain: f64,
    #[serde(default)]
    pub ls_retain_parts: LinguisticParts,
    /// Forget quality (TOFU): the KS-test p-value of the forget items' truth ratios against the
    /// retain model's on the same items (eval::retain_reference). `null` without a retain model.
    #[serde(with = "crate::host::nan_as_null")]
    pub forget_quality: f64,
    /// The same test's statistic D (the largest gap between the two empirical distributions): 0
    /// = the same distribution, 1 = disjoint. `null` without a retain model.
    #[serde(with = "crate::host::nan_as_null", default = "nan")]
    pub forget_quality_ks: f64,
    /// Which retain model forget quality and PrivLeak compare with (None: there is none).
    #[serde(default)]
    pub retain_model: Option<String>,
    /// "KS vs. holdout": the KS-test p-value of the forget items' truth ratios against the same
    /// model's on the holdout authors (facts it never learned). Not TOFU's forget quality: a
    /// model that has collapsed scores well here.
    #[serde(with = "crate::host::nan_as_null", default = "nan")]
    pub ks_vs_holdout: f64,
    /// Harmonic mean of the nine TOFU utility numbers (metrics::model_utility).
    #[serde(with = "crate::host::nan_as_null")]
    pub model_utility: f64,
    #[serde(default)]
    pub mia: MiaAucs,
    /// MUSE's PrivLeak from the Min-K% AUC against `privleak_reference_auc`: the retain model's
    /// AUC, or open-unlearning's default 0.5 without one (metrics::privleak).
    #[serde(with = "crate::host::nan_as_null", default = "nan")]
    pub privleak: f64,
    #[serde(with = "crate::host::nan_as_null", default = "nan")]
    pub privleak_reference_auc: f64,
    #[serde(default)]
    pub representation: Representation,
    #[serde(default)]
    pub paraphrase: Paraphrase,
    /// The answer probabilities in the held-out wording (authors' items only; NaN when none).
    #[serde(default)]
    pub heldout_wording: HeldoutWording,
    /// The forget and retain numbers per kind of question (eval::by_kind).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_kind: Vec<super::by_kind::KindMetrics>,
    /// Training loss of the last step (None at step 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub samples: Vec<GeneratedAnswer>,
}

fn nan() -> f64 {
    f64::NAN
}
