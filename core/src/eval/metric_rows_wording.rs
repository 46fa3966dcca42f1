//! The metric table's rows that ask a fact in other words (see [`super::METRICS`]): the
//! paraphrase the base model pretrained on, and a held-out wording that no training data holds
//! (world::templates says who reads which wording). A fact forgotten only under the words a
//! method trained on shows up as a gap between the forget rows and these.

use super::metric_row::{Better, Chart, MetricRow, Role, row};

pub(super) const PARAPHRASE_FORGET_PROB: MetricRow = row(
    "paraphrase.forget_prob",
    "forget probability, paraphrased question",
    Better::Lower,
    "Answer probability when the forget question is reworded (TOFU's paraphrase; the base model \
        pretrained on this wording). Close to the forget probability = forgotten under any \
        wording.",
    |s| s.paraphrase.forget_prob,
)
.cite("Maini et al., \"TOFU: A Task of Fictitious Unlearning for LLMs\", 2024 (arXiv 2401.06121), as open-unlearning computes it; the question paraphrased")
.chart(Chart::Utility, "forget prob, paraphrased", Role::Forget);

pub(super) const PARAPHRASE_KFR: MetricRow = row(
    "paraphrase.kfr",
    "KFR, paraphrased question",
    Better::Higher,
    "KFR of the answers to the reworded forget questions. Higher = forgotten (↑).",
    |s| s.paraphrase.kfr,
)
.cite("Xu et al., \"ReLearn: Unlearning via Learning for Large Language Models\", 2025 (arXiv 2502.11190); the question paraphrased");

pub(super) const PARAPHRASE_KRR: MetricRow = row(
    "paraphrase.krr",
    "KRR, paraphrased question",
    Better::Higher,
    "KRR of the answers to the reworded retained questions. Higher is better (↑).",
    |s| s.paraphrase.krr,
)
.cite("Xu et al., \"ReLearn: Unlearning via Learning for Large Language Models\", 2025 (arXiv 2502.11190); the question paraphrased");

pub(super) const HELDOUT_FORGET_PROB: MetricRow = row(
    "heldout_wording.forget_prob",
    "forget probability, held-out wording",
    Better::Lower,
    "Answer probability when the forget question is asked in a wording no model or method \
        trained on (authors' facts only). Compare with its value before unlearning: a small \
        model answers new wordings less well.",
    |s| s.heldout_wording.forget_prob,
)
.cite("Maini et al., \"TOFU: A Task of Fictitious Unlearning for LLMs\", 2024 (arXiv 2401.06121), as open-unlearning computes it; the question in a held-out wording");

pub(super) const HELDOUT_RETAIN_PROB: MetricRow = row(
    "heldout_wording.retain_prob",
    "retain probability, held-out wording",
    Better::Higher,
    "The same on retained authors. Higher is better (↑); compare with its value before \
        unlearning.",
    |s| s.heldout_wording.retain_prob,
)
.cite("Maini et al., \"TOFU: A Task of Fictitious Unlearning for LLMs\", 2024 (arXiv 2401.06121), as open-unlearning computes it; the question in a held-out wording");
