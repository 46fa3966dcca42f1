//! The latest evaluation as numbers. Each cell carries its full-precision value in `data-value`
//! (the end-to-end tests compare step-0 metrics exactly through it). Every metric's name shows
//! which way is better and has a tip with its definition and paper. The rows, their text and
//! their direction are the engine's metric table (`forgetlab_core::eval::METRICS`).

use forgetlab_core::eval::{METRICS, Snapshot};
use leptos::prelude::*;

use super::metric_tip::MetricTip;
use super::state::AppState;

#[component]
pub fn MetricsTable() -> impl IntoView {
    let state = expect_context::<AppState>();
    let first = move || state.history.with(|h| h.first().cloned());
    let last = move || state.history.with(|h| h.last().cloned());
    let retain_model = move || {
        last().and_then(|s| s.retain_model).map(|r| format!("Forget quality and PrivLeak compare \
            with the \
            {r}.")).unwrap_or_else(|| "No retain model for this selection: forget quality needs one (a preset split, or Retrain this selection first).".into())
    };
    view! {
        <table class="metrics" data-testid="metrics">
            <thead>
                <tr>
                    <th>"metric"</th>
                    <th>"step 0"</th>
                    <th data-testid="metrics-step">
                        {move || {
                            last()
                                .map(|s| format!("step {}", s.step))
                                .unwrap_or_else(|| "now".into())
                        }}
                    </th>
                </tr>
            </thead>
            <tbody>
                {METRICS
                    .iter()
                    .map(|r| {
                        let key = r.key;
                        let value = move |s: Option<Snapshot>| {
                            s.map(|s| (r.read)(&s).to_string()).unwrap_or_default()
                        };
                        let text = move |s: Option<Snapshot>| {
                            s.map(|s| r.text(&s, 3)).unwrap_or_default()
                        };
                        view! {
                            <tr>
                                <td>
                                    <span class="metric-name">{r.label}</span>
                                    " "
                                    <span class="better">{r.better.arrow()}</span>
                                    <MetricTip row={r} />
                                </td>
                                <td
                                    data-metric={format!("start.{key}")}
                                    data-value={move || value(first())}
                                >
                                    {move || text(first())}
                                </td>
                                <td data-metric={key} data-value={move || value(last())}>
                                    {move || text(last())}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <p class="hint" data-testid="retain-model">
            {retain_model}
        </p>
        <super::layers::LayersTable />
    }
}
