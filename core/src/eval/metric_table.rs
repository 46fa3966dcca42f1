//! The metrics a snapshot reports, in one list: key, label, one-line definition with the better
//! direction, and how to read the number. The page's metrics table and its definitions, the
//! CLI's table (the rows with a `column`) and the tests all read this list; a new metric is one
//! row here plus the code that computes it. Each metric's formula and source are in its file
//! under `metrics/`.

use super::Snapshot;

/// One row of the metric list.
pub struct MetricRow {
    /// Stable name (the page's `data-metric`, links `#def-…`).
    pub key: &'static str,
    /// Its short column heading in the CLI's table, if it is one of the headline numbers there.
    pub column: Option<&'static str>,
    pub label: &'static str,
    pub definition: &'static str,
    pub read: fn(&Snapshot) -> f64,
}

const fn row(
    key: &'static str,
    column: Option<&'static str>,
    label: &'static str,
    definition: &'static str,
    read: fn(&Snapshot) -> f64,
) -> MetricRow {
    MetricRow { key, column, label, definition, read }
}

/// Every metric, in the order the page shows them.
pub const METRICS: &[MetricRow] = &[
    row(
        "forget.prob",
        Some("f.prob"),
        "forget probability",
        "Mean probability of the true answer given the question, forget items (TOFU). Lower = forgotten; closer to the retain model is better.",
        |s| s.forget.prob,
    ),
    row(
        "retain.prob",
        Some("r.prob"),
        "retain probability",
        "The same on authors that were not forgotten. Higher is better (↑).",
        |s| s.retain.prob,
    ),
    row(
        "world.prob",
        Some("w.prob"),
        "world probability",
        "The same on general world facts. Higher is better (↑).",
        |s| s.world.prob,
    ),
    row(
        "forget.rouge_l",
        Some("f.rouge"),
        "forget ROUGE-L",
        "ROUGE-L recall of the greedy answer against the true answer, forget items (TOFU). Lower = forgotten.",
        |s| s.forget.rouge_l,
    ),
    row(
        "retain.rouge_l",
        Some("r.rouge"),
        "retain ROUGE-L",
        "ROUGE-L recall on retained authors. Higher is better (↑).",
        |s| s.retain.rouge_l,
    ),
    row(
        "world.rouge_l",
        Some("w.rouge"),
        "world ROUGE-L",
        "ROUGE-L recall on world facts. Higher is better (↑).",
        |s| s.world.rouge_l,
    ),
    row(
        "forget.truth_ratio",
        Some("f.tr"),
        "forget truth ratio",
        "Mean of min(R, 1/R), R = P(wrong answers) / P(paraphrased true answer) (open-unlearning). Closer to the retain model is better.",
        |s| s.forget.truth_ratio,
    ),
    row(
        "retain.truth_ratio",
        Some("r.tr"),
        "retain truth ratio",
        "Mean of max(0, 1 − R) on retained authors: prefers the truth. Higher is better (↑).",
        |s| s.retain.truth_ratio,
    ),
    row(
        "world.truth_ratio",
        Some("w.tr"),
        "world truth ratio",
        "Mean of max(0, 1 − R) on world facts. Higher is better (↑).",
        |s| s.world.truth_ratio,
    ),
    row(
        "real_entities.prob",
        None,
        "real entities probability",
        "Answer probability on well-known named entities (TOFU's real authors). Higher is better (↑).",
        |s| s.real_entities.prob,
    ),
    row(
        "forget.truth_ratio_paper",
        None,
        "forget truth ratio (paper form)",
        "Mean P_true / (P_true + P_false), the OpenUnlearning paper's form. Closer to the retain model is better.",
        |s| s.forget.truth_ratio_paper,
    ),
    row(
        "forget.exact_memorization",
        None,
        "forget exact memorization",
        "Fraction of answer tokens that are the model's top prediction (teacher forcing). Lower = forgotten (↓).",
        |s| s.forget.exact_memorization,
    ),
    row(
        "forget.extraction_strength",
        None,
        "forget extraction strength",
        "1 − (shortest answer prefix after which every token is the top prediction) / length. Lower = forgotten (↓).",
        |s| s.forget.extraction_strength,
    ),
    row(
        "kfr",
        Some("kfr"),
        "KFR (forgotten)",
        "Knowledge Forgetting Rate: forget answers that no longer contain the key entity (ReLearn). Higher = forgotten (↑).",
        |s| s.kfr,
    ),
    row(
        "krr",
        Some("krr"),
        "KRR (retained)",
        "Knowledge Retention Rate: retained answers that still contain the key entity (ReLearn). Higher is better (↑).",
        |s| s.krr,
    ),
    row(
        "ls",
        Some("ls"),
        "LS forget",
        "Linguistic Score of the forget answers: harmonic mean of fluency (perplexity), Brunet and Honoré (ReLearn). Higher = more fluent (↑).",
        |s| s.ls,
    ),
    row(
        "ls_retain",
        None,
        "LS retain",
        "Linguistic Score of the retained answers. Higher is better (↑).",
        |s| s.ls_retain,
    ),
    row(
        "forget_quality",
        Some("fq"),
        "forget quality",
        "KS-test p-value between the forget items' truth ratios and the retain model's on the same items (TOFU). Higher = indistinguishable from never having learned them (↑); needs a retain model.",
        |s| s.forget_quality,
    ),
    row(
        "ks_vs_holdout",
        None,
        "KS vs. holdout",
        "KS-test p-value of the forget truth ratios against this model's own on never-seen authors. Not forget quality: a broken model can score well.",
        |s| s.ks_vs_holdout,
    ),
    row(
        "model_utility",
        Some("mu"),
        "model utility",
        "Harmonic mean of nine retain, real-entity and world numbers (TOFU). Higher is better (↑).",
        |s| s.model_utility,
    ),
    row(
        "paraphrase.forget_prob",
        None,
        "forget probability, paraphrased question",
        "Answer probability when the forget question is reworded (C-BOD). Close to the forget probability = forgotten under any wording.",
        |s| s.paraphrase.forget_prob,
    ),
    row(
        "paraphrase.kfr",
        None,
        "KFR, paraphrased question",
        "KFR of the answers to the reworded forget questions. Higher = forgotten (↑).",
        |s| s.paraphrase.kfr,
    ),
    row(
        "paraphrase.krr",
        None,
        "KRR, paraphrased question",
        "KRR of the answers to the reworded retained questions. Higher is better (↑).",
        |s| s.paraphrase.krr,
    ),
    row(
        "kfr_similarity",
        None,
        "KFR (entity similarity)",
        "KFR judged by entity similarity (partial names, near-spellings). Higher = forgotten (↑).",
        |s| s.kfr_similarity,
    ),
    row(
        "krr_similarity",
        None,
        "KRR (entity similarity)",
        "KRR judged by entity similarity. Higher is better (↑).",
        |s| s.krr_similarity,
    ),
    row(
        "mia.loss",
        None,
        "MIA AUC, LOSS",
        "Membership-inference AUC of the loss attack, forget vs never-seen authors. 0.5 = like unseen; closer to the retain model is better.",
        |s| s.mia.loss,
    ),
    row(
        "mia.zlib",
        None,
        "MIA AUC, ZLib",
        "The same with the loss divided by the zlib length. Closer to the retain model is better.",
        |s| s.mia.zlib,
    ),
    row(
        "mia.min_k",
        None,
        "MIA AUC, Min-K%",
        "The same with the mean of the 40 % lowest token log-probs. Closer to the retain model is better.",
        |s| s.mia.min_k,
    ),
    row(
        "mia.min_k_plus_plus",
        None,
        "MIA AUC, Min-K%++",
        "The same with Min-K%++'s normalised scores. Closer to the retain model is better.",
        |s| s.mia.min_k_plus_plus,
    ),
    row(
        "privleak",
        None,
        "PrivLeak",
        "Min-K% AUC relative to the retain model's, in % (MUSE). 0 = like the retain model; negative = still remembered, positive = over-unlearned.",
        |s| s.privleak,
    ),
    row(
        "ls_parts.ppl",
        None,
        "LS forget: perplexity",
        "Mean perplexity of the forget answers under the fluency scorer. Lower = more fluent (↓).",
        |s| s.ls_parts.ppl,
    ),
    row(
        "ls_parts.brunet",
        None,
        "LS forget: Brunet's index",
        "Brunet's index of the forget answers. Lower = richer vocabulary (↓).",
        |s| s.ls_parts.brunet,
    ),
    row(
        "ls_parts.honore",
        None,
        "LS forget: Honoré's statistic",
        "Honoré's statistic of the forget answers. Higher = richer vocabulary (↑).",
        |s| s.ls_parts.honore,
    ),
    row(
        "logit_lens.first",
        None,
        "logit lens, first layer",
        "Probability of the key entity's first token read out after block 0, forget items. See the per-layer table.",
        |s| s.representation.logit_lens_forget.first().copied().unwrap_or(f64::NAN),
    ),
    row(
        "hidden_variance.last",
        None,
        "forget hidden-state variance, last layer",
        "Total variance of the mean answer hidden state after the last block, forget items.",
        |s| s.representation.hidden_variance_forget.last().copied().unwrap_or(f64::NAN),
    ),
];

/// The row called `key`.
pub fn metric(key: &str) -> Option<&'static MetricRow> {
    METRICS.iter().find(|m| m.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_columns_are_unique() {
        let keys: std::collections::HashSet<&str> = METRICS.iter().map(|m| m.key).collect();
        assert_eq!(keys.len(), METRICS.len());
        let columns: Vec<&str> = METRICS.iter().filter_map(|m| m.column).collect();
        let unique: std::collections::HashSet<&&str> = columns.iter().collect();
        assert_eq!(unique.len(), columns.len());
        assert_eq!(metric("forget_quality").and_then(|m| m.column), Some("fq"));
    }
}
