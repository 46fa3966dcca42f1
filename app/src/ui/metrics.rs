//! The latest evaluation as numbers. Each cell carries its full-precision value in `data-value`
//! (the end-to-end tests compare step-0 metrics exactly through it).

use forgetlab::eval::Snapshot;
use leptos::prelude::*;

use super::state::AppState;

/// (key, label, read) for every number a snapshot has.
fn rows() -> Vec<(&'static str, &'static str, fn(&Snapshot) -> f64)> {
    vec![
        ("forget.prob", "forget probability", |s| s.forget.prob),
        ("retain.prob", "retain probability", |s| s.retain.prob),
        ("world.prob", "world probability", |s| s.world.prob),
        ("forget.rouge_l", "forget ROUGE-L", |s| s.forget.rouge_l),
        ("retain.rouge_l", "retain ROUGE-L", |s| s.retain.rouge_l),
        ("world.rouge_l", "world ROUGE-L", |s| s.world.rouge_l),
        ("forget.truth_ratio", "forget truth ratio", |s| s.forget.truth_ratio),
        ("retain.truth_ratio", "retain truth ratio", |s| s.retain.truth_ratio),
        ("world.truth_ratio", "world truth ratio", |s| s.world.truth_ratio),
        ("real_entities.prob", "real entities probability", |s| s.real_entities.prob),
        ("forget.truth_ratio_paper", "forget truth ratio (paper form)", |s| s.forget.truth_ratio_paper),
        ("forget.exact_memorization", "forget exact memorization", |s| s.forget.exact_memorization),
        ("forget.extraction_strength", "forget extraction strength", |s| s.forget.extraction_strength),
        ("kfr", "KFR (forgotten)", |s| s.kfr),
        ("krr", "KRR (retained)", |s| s.krr),
        ("ls", "LS forget", |s| s.ls),
        ("ls_retain", "LS retain", |s| s.ls_retain),
        ("forget_quality", "forget quality", |s| s.forget_quality),
        ("model_utility", "model utility", |s| s.model_utility),
        ("kfr_similarity", "KFR (entity similarity)", |s| s.kfr_similarity),
        ("krr_similarity", "KRR (entity similarity)", |s| s.krr_similarity),
        ("mia.loss", "MIA AUC, LOSS", |s| s.mia.loss),
        ("mia.zlib", "MIA AUC, ZLib", |s| s.mia.zlib),
        ("mia.min_k", "MIA AUC, Min-K%", |s| s.mia.min_k),
        ("mia.min_k_plus_plus", "MIA AUC, Min-K%++", |s| s.mia.min_k_plus_plus),
        ("privleak", "PrivLeak (0 = like unseen)", |s| s.privleak),
        ("ls_parts.ppl", "LS forget: perplexity", |s| s.ls_parts.ppl),
        ("ls_parts.brunet", "LS forget: Brunet's index", |s| s.ls_parts.brunet),
        ("ls_parts.honore", "LS forget: Honoré's statistic", |s| s.ls_parts.honore),
        ("logit_lens.first", "logit lens, first layer", |s| s.representation.logit_lens_forget.first().copied().unwrap_or(f64::NAN)),
        ("hidden_variance.last", "forget hidden-state variance, last layer", |s| s.representation.hidden_variance_forget.last().copied().unwrap_or(f64::NAN)),
    ]
}

#[component]
pub fn MetricsTable() -> impl IntoView {
    let state = expect_context::<AppState>();
    let first = move || state.history.with(|h| h.first().cloned());
    let last = move || state.history.with(|h| h.last().cloned());
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
                {rows()
                    .into_iter()
                    .map(|(key, label, read)| {
                        let cell = move |s: Option<Snapshot>| s.map(|s| read(&s));
                        view! {
                            <tr>
                                <td>{label}</td>
                                <td data-metric=format!("start.{key}") data-value=move || cell(first()).map(|v| v.to_string()).unwrap_or_default()>
                                    {move || cell(first()).map(|v| format!("{v:.3}")).unwrap_or_default()}
                                </td>
                                <td data-metric=key data-value=move || cell(last()).map(|v| v.to_string()).unwrap_or_default()>
                                    {move || cell(last()).map(|v| format!("{v:.3}")).unwrap_or_default()}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
