//! The metrics a snapshot reports, in one table: key, label, one-line definition, which way is
//! better, how to print the number, and where each view shows it. The page's metrics table, its
//! charts and its run history (and CSV), the CLI's tables and the tests all read this table; a
//! new metric is its formula's file under `metrics/`, its field in
//! [`Snapshot`](super::Snapshot), and one row here.

use super::metric_row::{Better, Chart, MetricRow, Role, row};
use super::metric_rows_inside as inside;
use super::metric_rows_wording as wording;

/// The sources most rows cite.
const TOFU: &str = "Maini et al., \"TOFU: A Task of Fictitious Unlearning for LLMs\", 2024 (arXiv 2401.06121), as open-unlearning computes it";
const RELEARN: &str = "Xu et al., \"ReLearn: Unlearning via Learning for Large Language Models\", 2025 (arXiv 2502.11190)";

use Better::*;
use Chart::*;

/// Every metric, in the order the page shows them.
pub const METRICS: &[MetricRow] = &[
    row(
        "forget.prob",
        "forget probability",
        CloserToRetain,
        "Mean probability of the true answer given the question, forget items (TOFU). Lower = \
            forgotten; closer to the retain model is better.",
        |s| s.forget.prob,
    )
    .cite(TOFU)
    .column("f.prob")
    .kept("forget_prob")
    .chart(Prob, "forget", Role::Forget),
    row(
        "retain.prob",
        "retain probability",
        Higher,
        "The same on authors that were not forgotten. Higher is better (↑).",
        |s| s.retain.prob,
    )
    .cite(TOFU)
    .column("r.prob")
    .kept("retain_prob")
    .chart(Prob, "retain", Role::Retain),
    row(
        "world.prob",
        "world probability",
        Higher,
        "The same on general world facts. Higher is better (↑).",
        |s| s.world.prob,
    )
    .cite(TOFU)
    .column("w.prob")
    .kept("world_prob")
    .chart(Prob, "world", Role::World),
    row(
        "forget.rouge_l",
        "forget ROUGE-L",
        Lower,
        "ROUGE-L recall of the greedy answer against the true answer, forget items (TOFU). Lower = \
            forgotten.",
        |s| s.forget.rouge_l,
    )
    .cite(TOFU)
    .column("f.rouge")
    .kept("forget_rouge_l")
    .chart(Rouge, "forget", Role::Forget),
    row(
        "retain.rouge_l",
        "retain ROUGE-L",
        Higher,
        "ROUGE-L recall on retained authors. Higher is better (↑).",
        |s| s.retain.rouge_l,
    )
    .cite(TOFU)
    .column("r.rouge")
    .kept("retain_rouge_l")
    .chart(Rouge, "retain", Role::Retain),
    row(
        "world.rouge_l",
        "world ROUGE-L",
        Higher,
        "ROUGE-L recall on world facts. Higher is better (↑).",
        |s| s.world.rouge_l,
    )
    .cite(TOFU)
    .column("w.rouge")
    .chart(Rouge, "world", Role::World),
    row(
        "forget.truth_ratio",
        "forget truth ratio",
        CloserToRetain,
        "Mean of min(R, 1/R), R = P(wrong answers) / P(paraphrased true answer) (open-unlearning). \
            Closer to the retain model is better.",
        |s| s.forget.truth_ratio,
    )
    .cite(TOFU)
    .column("f.tr")
    .kept("forget_truth_ratio")
    .chart(Truth, "forget", Role::Forget),
    row(
        "retain.truth_ratio",
        "retain truth ratio",
        Higher,
        "Mean of max(0, 1 − R) on retained authors: prefers the truth. Higher is better (↑).",
        |s| s.retain.truth_ratio,
    )
    .cite(TOFU)
    .column("r.tr")
    .chart(Truth, "retain", Role::Retain),
    row(
        "world.truth_ratio",
        "world truth ratio",
        Higher,
        "Mean of max(0, 1 − R) on world facts. Higher is better (↑).",
        |s| s.world.truth_ratio,
    )
    .cite(TOFU)
    .column("w.tr")
    .chart(Truth, "world", Role::World),
    row(
        "real_entities.prob",
        "real entities probability",
        Higher,
        "Answer probability on well-known named entities (TOFU's real authors). Higher is better \
            (↑).",
        |s| s.real_entities.prob,
    )
    .cite(TOFU),
    row(
        "forget.truth_ratio_paper",
        "forget truth ratio (paper form)",
        CloserToRetain,
        "Mean P_true / (P_true + P_false), the OpenUnlearning paper's form. Closer to the retain \
            model is better.",
        |s| s.forget.truth_ratio_paper,
    )
    .cite("Dorna et al., \"OpenUnlearning\", 2025 (arXiv 2506.12618)"),
    row(
        "forget.exact_memorization",
        "forget exact memorization",
        Lower,
        "Fraction of answer tokens that are the model's top prediction (teacher forcing). Lower = \
            forgotten (↓).",
        |s| s.forget.exact_memorization,
    )
    .cite("Tirumala et al., \"Memorization Without Overfitting\", 2022 (arXiv 2205.10770); open-unlearning's exact_memorization"),
    row(
        "forget.extraction_strength",
        "forget extraction strength",
        Lower,
        "1 − (shortest answer prefix after which every token is the top prediction) / length. \
            Lower = forgotten (↓).",
        |s| s.forget.extraction_strength,
    )
    .cite("Carlini et al., \"Extracting Training Data from Large Language Models\", 2021 (arXiv 2012.07805); open-unlearning's extraction_strength"),
    row(
        "kfr",
        "KFR (forgotten)",
        Higher,
        "Knowledge Forgetting Rate: forget answers that no longer contain the key entity \
            (ReLearn). Higher = forgotten (↑).",
        |s| s.kfr,
    )
    .cite(RELEARN)
    .column("kfr")
    .kept("kfr")
    .chart(Knowledge, "KFR", Role::Forget),
    row(
        "krr",
        "KRR (retained)",
        Higher,
        "Knowledge Retention Rate: retained answers that still contain the key entity (ReLearn). \
            Higher is better (↑).",
        |s| s.krr,
    )
    .cite(RELEARN)
    .column("krr")
    .kept("krr")
    .chart(Knowledge, "KRR", Role::Retain),
    row(
        "ls",
        "LS forget",
        Higher,
        "Linguistic Score of the forget answers: harmonic mean of fluency (perplexity), Brunet and \
            Honoré (ReLearn). Higher = more fluent (↑).",
        |s| s.ls,
    )
    .cite(RELEARN)
    .column("ls")
    .kept("ls")
    .chart(Knowledge, "LS forget", Role::Other),
    row(
        "ls_retain",
        "LS retain",
        Higher,
        "Linguistic Score of the retained answers. Higher is better (↑).",
        |s| s.ls_retain,
    )
    .cite(RELEARN)
    .chart(Knowledge, "LS retain", Role::World),
    row(
        "forget_quality",
        "forget quality",
        Higher,
        "KS-test p-value between the forget items' truth ratios and the retain model's on the same \
            items (TOFU). Higher = indistinguishable from never having learned them (↑); needs a \
            retain model.",
        |s| s.forget_quality,
    )
    .cite(TOFU)
    .column("fq")
    .kept("forget_quality")
    .chart(Quality, "forget quality", Role::Forget)
    .p_value()
    .needs_retain_model(),
    row(
        "forget_quality_ks",
        "forget quality's KS statistic",
        Lower,
        "The same test's statistic D: the largest gap between the two truth-ratio distributions \
            (0 = the same, 1 = disjoint). Lower = closer to the retain model (↓).",
        |s| s.forget_quality_ks,
    )
    .cite(TOFU)
    .needs_retain_model(),
    row(
        "ks_vs_holdout",
        "KS vs. holdout",
        Neither,
        "KS-test p-value of the forget truth ratios against this model's own on never-seen \
            authors. Not forget quality: a broken model can score well.",
        |s| s.ks_vs_holdout,
    )
    .cite("a diagnostic of ours: TOFU's KS test (Maini et al., 2024) against the holdout authors instead of a retain model")
    .chart(Quality, "KS vs. holdout", Role::Other)
    .p_value(),
    row(
        "model_utility",
        "model utility",
        Higher,
        "Harmonic mean of nine retain, real-entity and world numbers (TOFU). Higher is better (↑).",
        |s| s.model_utility,
    )
    .cite(TOFU)
    .column("mu")
    .kept("model_utility")
    .chart(Utility, "model utility", Role::Retain),
    wording::PARAPHRASE_FORGET_PROB,
    wording::PARAPHRASE_KFR,
    wording::PARAPHRASE_KRR,
    wording::HELDOUT_FORGET_PROB,
    wording::HELDOUT_RETAIN_PROB,
    row(
        "kfr_similarity",
        "KFR (entity similarity)",
        Higher,
        "KFR judged by entity similarity (partial names, near-spellings). Higher = forgotten (↑).",
        |s| s.kfr_similarity,
    )
    .cite("Xu et al., \"ReLearn: Unlearning via Learning for Large Language Models\", 2025 (arXiv 2502.11190) (its entity-similarity judge)"),
    row(
        "krr_similarity",
        "KRR (entity similarity)",
        Higher,
        "KRR judged by entity similarity. Higher is better (↑).",
        |s| s.krr_similarity,
    )
    .cite("Xu et al., \"ReLearn: Unlearning via Learning for Large Language Models\", 2025 (arXiv 2502.11190) (its entity-similarity judge)"),
    row(
        "mia.loss",
        "MIA AUC, LOSS",
        CloserToRetain,
        "Membership-inference AUC of the loss attack, forget vs never-seen authors. 0.5 = like \
            unseen; closer to the retain model is better.",
        |s| s.mia.loss,
    )
    .cite("Yeom et al., \"Privacy Risk in Machine Learning\", 2018 (arXiv 1709.01604); MUSE's forget-vs-holdout AUC (Shi et al., 2024)"),
    row(
        "mia.zlib",
        "MIA AUC, ZLib",
        CloserToRetain,
        "The same with the loss divided by the zlib length. Closer to the retain model is better.",
        |s| s.mia.zlib,
    )
    .cite("Carlini et al., \"Extracting Training Data from Large Language Models\", 2021 (arXiv 2012.07805); MUSE's AUC"),
    row(
        "mia.min_k",
        "MIA AUC, Min-K%",
        CloserToRetain,
        "The same with the mean of the 40 % lowest token log-probs. Closer to the retain model is \
            better.",
        |s| s.mia.min_k,
    )
    .cite("Shi et al., \"Detecting Pretraining Data from Large Language Models\" (Min-K% Prob), 2023 (arXiv 2310.16789); MUSE's AUC"),
    row(
        "mia.min_k_plus_plus",
        "MIA AUC, Min-K%++",
        CloserToRetain,
        "The same with Min-K%++'s normalised scores. Closer to the retain model is better.",
        |s| s.mia.min_k_plus_plus,
    )
    .cite("Zhang et al., \"Min-K%++\", 2024 (arXiv 2404.02936); open-unlearning's AUC"),
    row(
        "privleak",
        "PrivLeak",
        CloserToRetain,
        "Min-K% AUC relative to the retain model's, in % (MUSE). 0 = like the retain model; \
            negative = still remembered, positive = over-unlearned.",
        |s| s.privleak,
    )
    .cite("Shi et al., \"MUSE: Machine Unlearning Six-Way Evaluation\", 2024 (arXiv 2407.06460)"),
    row(
        "ls_parts.ppl",
        "LS forget: perplexity",
        Lower,
        "Mean perplexity of the forget answers under the fluency scorer. Lower = more fluent (↓).",
        |s| s.ls_parts.ppl,
    )
    .cite(RELEARN),
    row(
        "ls_parts.brunet",
        "LS forget: Brunet's index",
        Lower,
        "Brunet's index of the forget answers. Lower = richer vocabulary (↓).",
        |s| s.ls_parts.brunet,
    )
    .cite("Xu et al., \"ReLearn: Unlearning via Learning for Large Language Models\", 2025 (arXiv 2502.11190); Brunet, 1978"),
    row(
        "ls_parts.honore",
        "LS forget: Honoré's statistic",
        Higher,
        "Honoré's statistic of the forget answers. Higher = richer vocabulary (↑).",
        |s| s.ls_parts.honore,
    )
    .cite("Xu et al., \"ReLearn: Unlearning via Learning for Large Language Models\", 2025 (arXiv 2502.11190); Honoré, 1979"),
    row(
        "ls_retain_parts.ppl",
        "LS retain: perplexity",
        Lower,
        "Mean perplexity of the retained answers under the fluency scorer. Lower = more fluent (↓).",
        |s| s.ls_retain_parts.ppl,
    )
    .cite(RELEARN),
    row(
        "ls_retain_parts.brunet",
        "LS retain: Brunet's index",
        Lower,
        "Brunet's index of the retained answers. Lower = richer vocabulary (↓).",
        |s| s.ls_retain_parts.brunet,
    )
    .cite("Xu et al., \"ReLearn: Unlearning via Learning for Large Language Models\", 2025 (arXiv 2502.11190); Brunet, 1978"),
    row(
        "ls_retain_parts.honore",
        "LS retain: Honoré's statistic",
        Higher,
        "Honoré's statistic of the retained answers. Higher = richer vocabulary (↑).",
        |s| s.ls_retain_parts.honore,
    )
    .cite("Xu et al., \"ReLearn: Unlearning via Learning for Large Language Models\", 2025 (arXiv 2502.11190); Honoré, 1979"),
    inside::ENTITY_PROB,
    inside::LOGIT_LENS_FIRST,
    inside::CKA_ORIGINAL,
    inside::CKA_RETAIN,
    inside::HIDDEN_VARIANCE_LAST,
];

/// The row called `key`.
pub fn metric(key: &str) -> Option<&'static MetricRow> {
    METRICS.iter().find(|m| m.key == key)
}

#[cfg(test)]
#[path = "metric_table_tests.rs"]
mod tests;
