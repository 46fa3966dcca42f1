//! The latest evaluation as numbers. Each cell carries its full-precision value in `data-value`
//! (the end-to-end tests compare step-0 metrics exactly through it). Every metric's name links
//! its one-line definition and direction, listed under the table.

use forgetlab::eval::Snapshot;
use leptos::prelude::*;

use super::state::AppState;

/// One row of the table: its key (for tests and links), its label, its one-line definition with
/// the direction that is better, and how to read it from a snapshot.
struct Row {
    key: &'static str,
    label: &'static str,
    definition: &'static str,
    read: fn(&Snapshot) -> f64,
}

const fn row(
    key: &'static str,
    label: &'static str,
    definition: &'static str,
    read: fn(&Snapshot) -> f64,
) -> Row {
    Row { key, label, definition, read }
}

const ROWS: &[Row] = &[
    row(
        "forget.prob",
        "forget probability",
        "Mean probability of the true answer given the question, forget items (TOFU). Lower = forgotten; closer to the retain model is better.",
        |s| s.forget.prob,
    ),
    row(
        "retain.prob",
        "retain probability",
        "The same on authors that were not forgotten. Higher is better (↑).",
        |s| s.retain.prob,
    ),
    row(
        "world.prob",
        "world probability",
        "The same on general world facts. Higher is better (↑).",
        |s| s.world.prob,
    ),
    row(
        "forget.rouge_l",
        "forget ROUGE-L",
        "ROUGE-L recall of the greedy answer against the true answer, forget items (TOFU). Lower = forgotten.",
        |s| s.forget.rouge_l,
    ),
    row(
        "retain.rouge_l",
        "retain ROUGE-L",
        "ROUGE-L recall on retained authors. Higher is better (↑).",
        |s| s.retain.rouge_l,
    ),
    row(
        "world.rouge_l",
        "world ROUGE-L",
        "ROUGE-L recall on world facts. Higher is better (↑).",
        |s| s.world.rouge_l,
    ),
    row(
        "forget.truth_ratio",
        "forget truth ratio",
        "Mean of min(R, 1/R), R = P(wrong answers) / P(paraphrased true answer) (open-unlearning). Closer to the retain model is better.",
        |s| s.forget.truth_ratio,
    ),
    row(
        "retain.truth_ratio",
        "retain truth ratio",
        "Mean of max(0, 1 − R) on retained authors: prefers the truth. Higher is better (↑).",
        |s| s.retain.truth_ratio,
    ),
    row(
        "world.truth_ratio",
        "world truth ratio",
        "Mean of max(0, 1 − R) on world facts. Higher is better (↑).",
        |s| s.world.truth_ratio,
    ),
    row(
        "real_entities.prob",
        "real entities probability",
        "Answer probability on well-known named entities (TOFU's real authors). Higher is better (↑).",
        |s| s.real_entities.prob,
    ),
    row(
        "forget.truth_ratio_paper",
        "forget truth ratio (paper form)",
        "Mean P_true / (P_true + P_false), the OpenUnlearning paper's form. Closer to the retain model is better.",
        |s| s.forget.truth_ratio_paper,
    ),
    row(
        "forget.exact_memorization",
        "forget exact memorization",
        "Fraction of answer tokens that are the model's top prediction (teacher forcing). Lower = forgotten (↓).",
        |s| s.forget.exact_memorization,
    ),
    row(
        "forget.extraction_strength",
        "forget extraction strength",
        "1 − (shortest answer prefix after which every token is the top prediction) / length. Lower = forgotten (↓).",
        |s| s.forget.extraction_strength,
    ),
    row(
        "kfr",
        "KFR (forgotten)",
        "Knowledge Forgetting Rate: forget answers that no longer contain the key entity (ReLearn). Higher = forgotten (↑).",
        |s| s.kfr,
    ),
    row(
        "krr",
        "KRR (retained)",
        "Knowledge Retention Rate: retained answers that still contain the key entity (ReLearn). Higher is better (↑).",
        |s| s.krr,
    ),
    row(
        "ls",
        "LS forget",
        "Linguistic Score of the forget answers: harmonic mean of fluency (perplexity), Brunet and Honoré (ReLearn). Higher = more fluent (↑).",
        |s| s.ls,
    ),
    row(
        "ls_retain",
        "LS retain",
        "Linguistic Score of the retained answers. Higher is better (↑).",
        |s| s.ls_retain,
    ),
    row(
        "forget_quality",
        "forget quality",
        "KS-test p-value between the forget items' truth ratios and the retain model's on the same items (TOFU). Higher = indistinguishable from never having learned them (↑); needs a retain model.",
        |s| s.forget_quality,
    ),
    row(
        "ks_vs_holdout",
        "KS vs. holdout",
        "KS-test p-value of the forget truth ratios against this model's own on never-seen authors. Not forget quality: a broken model can score well.",
        |s| s.ks_vs_holdout,
    ),
    row(
        "model_utility",
        "model utility",
        "Harmonic mean of nine retain, real-entity and world numbers (TOFU). Higher is better (↑).",
        |s| s.model_utility,
    ),
    row(
        "paraphrase.forget_prob",
        "forget probability, paraphrased question",
        "Answer probability when the forget question is reworded (C-BOD). Close to the forget probability = forgotten under any wording.",
        |s| s.paraphrase.forget_prob,
    ),
    row(
        "paraphrase.kfr",
        "KFR, paraphrased question",
        "KFR of the answers to the reworded forget questions. Higher = forgotten (↑).",
        |s| s.paraphrase.kfr,
    ),
    row(
        "paraphrase.krr",
        "KRR, paraphrased question",
        "KRR of the answers to the reworded retained questions. Higher is better (↑).",
        |s| s.paraphrase.krr,
    ),
    row(
        "kfr_similarity",
        "KFR (entity similarity)",
        "KFR judged by entity similarity (partial names, near-spellings). Higher = forgotten (↑).",
        |s| s.kfr_similarity,
    ),
    row(
        "krr_similarity",
        "KRR (entity similarity)",
        "KRR judged by entity similarity. Higher is better (↑).",
        |s| s.krr_similarity,
    ),
    row(
        "mia.loss",
        "MIA AUC, LOSS",
        "Membership-inference AUC of the loss attack, forget vs never-seen authors. 0.5 = like unseen; closer to the retain model is better.",
        |s| s.mia.loss,
    ),
    row(
        "mia.zlib",
        "MIA AUC, ZLib",
        "The same with the loss divided by the zlib length. Closer to the retain model is better.",
        |s| s.mia.zlib,
    ),
    row(
        "mia.min_k",
        "MIA AUC, Min-K%",
        "The same with the mean of the 40 % lowest token log-probs. Closer to the retain model is better.",
        |s| s.mia.min_k,
    ),
    row(
        "mia.min_k_plus_plus",
        "MIA AUC, Min-K%++",
        "The same with Min-K%++'s normalised scores. Closer to the retain model is better.",
        |s| s.mia.min_k_plus_plus,
    ),
    row(
        "privleak",
        "PrivLeak",
        "Min-K% AUC relative to the retain model's, in % (MUSE). 0 = like the retain model; negative = still remembered, positive = over-unlearned.",
        |s| s.privleak,
    ),
    row(
        "ls_parts.ppl",
        "LS forget: perplexity",
        "Mean perplexity of the forget answers under the fluency scorer. Lower = more fluent (↓).",
        |s| s.ls_parts.ppl,
    ),
    row(
        "ls_parts.brunet",
        "LS forget: Brunet's index",
        "Brunet's index of the forget answers. Lower = richer vocabulary (↓).",
        |s| s.ls_parts.brunet,
    ),
    row(
        "ls_parts.honore",
        "LS forget: Honoré's statistic",
        "Honoré's statistic of the forget answers. Higher = richer vocabulary (↑).",
        |s| s.ls_parts.honore,
    ),
    row(
        "logit_lens.first",
        "logit lens, first layer",
        "Probability of the key entity's first token read out after block 0, forget items. See the per-layer table.",
        |s| s.representation.logit_lens_forget.first().copied().unwrap_or(f64::NAN),
    ),
    row(
        "hidden_variance.last",
        "forget hidden-state variance, last layer",
        "Total variance of the mean answer hidden state after the last block, forget items.",
        |s| s.representation.hidden_variance_forget.last().copied().unwrap_or(f64::NAN),
    ),
];

/// A cell's text: the number, or why there is none.
fn shown(key: &str, s: &Snapshot, v: f64) -> String {
    if key == "forget_quality" && s.retain_model.is_none() {
        "needs a retain model".into()
    } else if key == "forget_quality" || key == "ks_vs_holdout" {
        format!("{v:.3e}")
    } else {
        format!("{v:.3}")
    }
}

#[component]
pub fn MetricsTable() -> impl IntoView {
    let state = expect_context::<AppState>();
    let first = move || state.history.with(|h| h.first().cloned());
    let last = move || state.history.with(|h| h.last().cloned());
    let retain_model = move || {
        last().and_then(|s| s.retain_model).map(|r| format!("Forget quality and PrivLeak compare with the {r}.")).unwrap_or_else(|| "No retain model for this selection: forget quality needs one (a preset split, or Retrain this selection first).".into())
    };
    view! {
        <table class="metrics" data-testid="metrics">
            <thead>
                <tr>
                    <th>"metric"</th>
                    <th>"step 0"</th>
                    <th data-testid="metrics-step">{move || last().map(|s| format!("step {}", s.step)).unwrap_or_else(|| "now".into())}</th>
                </tr>
            </thead>
            <tbody>
                {ROWS
                    .iter()
                    .map(|r| {
                        let (key, read) = (r.key, r.read);
                        let cell = move |s: Option<Snapshot>| s.map(|s| (read(&s), s));
                        let value = move |s: Option<Snapshot>| cell(s).map(|(v, _)| v.to_string()).unwrap_or_default();
                        let text = move |s: Option<Snapshot>| cell(s).map(|(v, s)| shown(key, &s, v)).unwrap_or_default();
                        view! {
                            <tr>
                                <td><a class="metric-name" href=format!("#def-{key}") title=r.definition>{r.label}</a></td>
                                <td data-metric=format!("start.{key}") data-value=move || value(first())>{move || text(first())}</td>
                                <td data-metric=key data-value=move || value(last())>{move || text(last())}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <p class="hint" data-testid="retain-model">{retain_model}</p>
        <super::layers::LayersTable />
        <div class="definitions">
            <h3>"What each metric means"</h3>
            <dl data-testid="metric-definitions">
                {ROWS.iter().map(|r| view! { <dt id=format!("def-{}", r.key)>{r.label}</dt><dd>{r.definition}</dd> }).collect_view()}
            </dl>
        </div>
    }
}
