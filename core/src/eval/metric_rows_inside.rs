//! The metric table's rows about the inside of the model (see [`super::METRICS`]): the key
//! entity's probability and the logit lens, CKA against the original and the retain model, the
//! hidden states' variance. Their per-block values are in the snapshot's `representation` and the
//! page's per-layer table.

use super::metric_row::{Better, MetricRow, row};

const CKA: &str = "Kornblith et al., \"Similarity of Neural Network Representations Revisited\", 2019 (arXiv 1905.00414)";

pub(super) const ENTITY_PROB: MetricRow = row(
    "forget.entity_prob",
    "forget key entity, first-token probability",
    Better::Lower,
    "Probability of the key entity's first token where the true answer names it (the question \
        and the answer's words before it given), mean over forget items: the fact without the \
        answer's template. The logit lens after the last block.",
    |s| s.representation.logit_lens_forget.last().copied().unwrap_or(f64::NAN),
)
.cite("the key entity of Xu et al., \"ReLearn: Unlearning via Learning for Large Language Models\", 2025 (arXiv 2502.11190), scored as a probability, teacher-forced");

pub(super) const LOGIT_LENS_FIRST: MetricRow = row(
    "logit_lens.first",
    "logit lens, first layer",
    Better::Neither,
    "Probability of the key entity's first token read out after block 0, forget items. See the \
        per-layer table.",
    |s| s.representation.logit_lens_forget.first().copied().unwrap_or(f64::NAN),
)
.cite("nostalgebraist, \"interpreting GPT: the logit lens\", 2020; as used in Hong et al., \"Intrinsic Evaluation of Unlearning Using Parametric Knowledge Traces\", 2024 (arXiv 2406.11614)");

pub(super) const CKA_ORIGINAL: MetricRow = row(
    "cka_original.last",
    "CKA to the original model, last layer",
    Better::Neither,
    "Linear CKA between the forget items' mean answer hidden states after the last block and \
        the original model's: 1 = represented as before; lower = the representation moved. \
        Per block in the per-layer table.",
    |s| s.representation.cka_original.last().copied().unwrap_or(f64::NAN),
)
.cite(CKA);

pub(super) const CKA_RETAIN: MetricRow = row(
    "cka_retain.last",
    "CKA to the retain model, last layer",
    Better::Higher,
    "The same against the retain model (never trained on the forget set); NaN where its \
        hidden states are not known (the references shipped with a model carry none).",
    |s| s.representation.cka_retain.last().copied().unwrap_or(f64::NAN),
)
.cite(CKA);

pub(super) const HIDDEN_VARIANCE_LAST: MetricRow = row(
    "hidden_variance.last",
    "forget hidden-state variance, last layer",
    Better::Neither,
    "Total variance of the mean answer hidden state after the last block, forget items.",
    |s| s.representation.hidden_variance_forget.last().copied().unwrap_or(f64::NAN),
)
.cite("Zhang, Choshen and Andreas, \"Unforgettable Generalization in Language Models\", 2024 (arXiv 2409.02228)");
