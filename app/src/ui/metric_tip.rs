//! What a number means, where it stands: hovering, focusing or tapping "?" shows the metric's
//! definition, which way is better, and the paper it comes from — all from the engine's metric
//! table (`forgetlab_core::eval::METRICS`), the one source of the CLI's and the docs' text too.

use forgetlab_core::eval::{Better, MetricRow};
use leptos::prelude::*;

/// Which way is better, in words.
fn direction(b: Better) -> &'static str {
    match b {
        Better::Higher => "↑ higher is better",
        Better::Lower => "↓ lower is better",
        Better::CloserToRetain => "≈ closer to the retain model is better",
        Better::Neither => "a diagnostic: no better direction",
    }
}

/// "?" after a metric's name; its explanation shows on hover, focus or tap.
#[component]
pub fn MetricTip(row: &'static MetricRow) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <span class="tip-wrap" class:open={move || open.get()}>
            <button
                type="button"
                class="tip"
                data-testid="metric-tip"
                data-key={row.key}
                aria-label={format!("What is {}?", row.label)}
                aria-expanded={move || open.get().to_string()}
                on:click={move |_| open.update(|o| *o = !*o)}
            >
                "?"
            </button>
            <span class="tip-body" role="tooltip">
                <b>{row.label}</b>
                " — "
                {row.definition}
                <br />
                <span class="better">{direction(row.better)}</span>
                <br />
                <span class="source">"Source: "{row.source}</span>
            </span>
        </span>
    }
}
