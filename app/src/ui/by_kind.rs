//! The forget and retain numbers kind by kind of question (`Snapshot::by_kind`, computed by the
//! engine): forget one kind of fact and see whether the same kind about other authors goes too.

use forgetlab_core::eval::KindMetrics;
use leptos::prelude::*;

use super::state::AppState;

/// "0.94 → 0.68", or "–" where the kind has no item in that split.
fn change(start: Option<f64>, now: Option<f64>) -> String {
    match (start, now) {
        (Some(a), Some(b)) => format!("{a:.2} → {b:.2}"),
        _ => "–".into(),
    }
}

#[component]
pub fn KindTable() -> impl IntoView {
    let state = expect_context::<AppState>();
    // (step 0, latest) per kind; the engine lists the same kinds in the same order every pass.
    let rows = move || {
        state.history.with(|h| match (h.first(), h.last()) {
            (Some(a), Some(b)) => a
                .by_kind
                .iter()
                .cloned()
                .zip(b.by_kind.iter().cloned())
                .collect::<Vec<(KindMetrics, KindMetrics)>>(),
            _ => vec![],
        })
    };
    view! {
        <details class="by-kind" data-panel="by-kind" open>
            <summary data-testid="by-kind-open">"Per kind of question (step 0 → now)"</summary>
            <table class="metrics" data-testid="by-kind">
                <thead>
                    <tr>
                        <th>"kind"</th>
                        <th>"forget items"</th>
                        <th>"forget prob"</th>
                        <th>"retain items"</th>
                        <th>"retain prob"</th>
                        <th>"KRR"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        rows()
                            .into_iter()
                            .map(|(a, b)| {
                                view! {
                                    <tr data-kind={a.kind.clone()}>
                                        <td>{a.kind.replace('_', " ")}</td>
                                        <td>{a.forget_items}</td>
                                        <td>{change(a.forget_prob, b.forget_prob)}</td>
                                        <td>{a.retain_items}</td>
                                        <td>{change(a.retain_prob, b.retain_prob)}</td>
                                        <td data-value={b
                                            .krr
                                            .map(|v| v.to_string())
                                            .unwrap_or_default()}>{change(a.krr, b.krr)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </details>
    }
}
