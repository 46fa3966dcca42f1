//! The first screen's four numbers, in plain words: forgotten? kept? still fluent? as if never
//! seen? Each is one row of the engine's metric table (its field name, definition and paper in
//! a tip), with its step-0 value and a sparkline of every evaluation so far. Between two full
//! evaluations the numbers the live estimate covers (core's `run::estimate`) show it, marked ≈.

use forgetlab_core::eval::{Format, MetricRow, Snapshot, metric};
use forgetlab_core::run::Estimate;
use leptos::prelude::*;

use super::metric_tip::MetricTip;
use super::state::AppState;

/// The four questions and the metric that answers each (TOFU's forget probability and retain
/// probability, model utility, forget quality).
const HEADLINE: [(&str, &str); 4] = [
    ("Forgotten?", "forget.prob"),
    ("Kept?", "retain.prob"),
    ("Still fluent?", "model_utility"),
    ("As if never seen?", "forget_quality"),
];

/// The live estimate of a headline metric, where the estimate has one.
fn estimated(key: &str, e: &Estimate) -> Option<f64> {
    match key {
        "forget.prob" => Some(e.forget_prob),
        "retain.prob" => Some(e.retain_prob),
        _ => None,
    }
}

/// A value as the headline prints it (a p-value in scientific notation).
fn text(row: &MetricRow, v: f64) -> String {
    match (row.format, v.is_finite()) {
        (_, false) => "–".into(),
        (Format::PValue, true) => format!("{v:.1e}"),
        (Format::Fixed, true) => format!("{v:.2}"),
    }
}

const SPARK_W: f64 = 120.0;
const SPARK_H: f64 = 28.0;

/// A sparkline of `(step, value)` points; p-values on a log axis down to their lowest decade.
#[component]
pub(super) fn Sparkline(
    #[prop(into)] points: Signal<Vec<(f64, f64)>>,
    log: bool,
    label: &'static str,
) -> impl IntoView {
    let path = move || {
        let pts: Vec<(f64, f64)> = points
            .get()
            .into_iter()
            .map(|(x, y)| (x, if log { y.max(1e-300).log10() } else { y }))
            .filter(|p| p.1.is_finite())
            .collect();
        let x_max = pts.iter().map(|p| p.0).fold(1.0, f64::max);
        let (lo, hi) = if log {
            (pts.iter().map(|p| p.1).fold(-1.0, f64::min).floor(), 0.0)
        } else {
            (0.0, 1.0)
        };
        pts.iter()
            .map(|&(x, y)| {
                let px = 2.0 + (SPARK_W - 4.0) * x / x_max;
                let py = 2.0 + (SPARK_H - 4.0) * (1.0 - (y.clamp(lo, hi) - lo) / (hi - lo));
                format!("{px:.1},{py:.1}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let alt = move || {
        let pts = points.get();
        match pts.last() {
            Some((x, y)) => {
                format!("{label} over {} evaluations; latest {y:.3} at step {x}", pts.len())
            }
            None => format!("{label}: no evaluation yet"),
        }
    };
    view! {
        <svg class="spark" viewBox={format!("0 0 {SPARK_W} {SPARK_H}")} role="img" aria-label={alt}>
            <polyline points={path} fill="none" stroke="currentColor" stroke-width="1.5"></polyline>
        </svg>
    }
}

/// One headline number.
#[component]
fn Card(question: &'static str, row: &'static MetricRow) -> impl IntoView {
    let state = expect_context::<AppState>();
    let first = move || state.history.with(|h| h.first().map(|s| (row.read)(s)));
    let last = move || state.history.with(|h| h.last().cloned());
    let live = move || {
        let at = state.history.with(|h| h.last().map_or(0, |s| s.step));
        state.estimate.with(|e| {
            e.as_ref()
                .filter(|e| e.step > at)
                .and_then(|e| estimated(row.key, e).map(|v| (e.step, v)))
        })
    };
    let no_retain_model = move |s: &Snapshot| row.needs_retain_model && s.retain_model.is_none();
    let shown = move || match (live(), last()) {
        (Some((_, v)), _) => format!("≈ {}", text(row, v)),
        (None, Some(s)) if no_retain_model(&s) => "no retain model".into(),
        (None, Some(s)) => text(row, (row.read)(&s)),
        (None, None) => "–".into(),
    };
    let value = move || match (live(), last()) {
        (Some((_, v)), _) => v.to_string(),
        (None, Some(s)) => (row.read)(&s).to_string(),
        (None, None) => String::new(),
    };
    let step = move || live().map(|(s, _)| s).or_else(|| last().map(|s| s.step)).unwrap_or(0);
    let points = Signal::derive(move || {
        state.history.with(|h| h.iter().map(|s| (s.step as f64, (row.read)(s))).collect::<Vec<_>>())
    });
    view! {
        <div
            class="card"
            data-metric={row.key}
            data-value={value}
            data-step={move || step().to_string()}
            data-estimate={move || live().is_some().to_string()}
            data-start={move || first().map(|v| v.to_string()).unwrap_or_default()}
        >
            <div class="question">{question}</div>
            <div class="value" class:estimate={move || live().is_some()}>
                {shown}
            </div>
            <Sparkline points={points} log={row.format == Format::PValue} label={row.label} />
            <div class="field">{row.label}" "{row.better.arrow()}" "<MetricTip row={row} /></div>
            <div class="start">
                {move || {
                    format!("step 0: {}", first().map(|v| text(row, v)).unwrap_or("–".into()))
                }}
            </div>
        </div>
    }
}

/// The four headline numbers (`data-testid=headline`; each card's `data-metric` is its key).
#[component]
pub fn Headline() -> impl IntoView {
    let state = expect_context::<AppState>();
    let newest = move || {
        let at = state.history.with(|h| h.last().map_or(0, |s| s.step));
        state.estimate.with(|e| e.as_ref().map_or(at, |e| e.step.max(at)))
    };
    let note = move || match state.estimate.get() {
        Some(e) => format!(
            "≈ live estimate at step {} on {} forget and {} retain items; the full evaluation \
                replaces it",
            e.step, e.sample[0], e.sample[1]
        ),
        None => state
            .history
            .with(|h| h.last().map(|s| format!("full evaluation at step {}", s.step)))
            .unwrap_or_else(|| "evaluating…".into()),
    };
    view! {
        <section
            class="headline"
            data-testid="headline"
            aria-label="Headline numbers"
            data-step={move || newest().to_string()}
        >
            <div class="cards">
                {HEADLINE
                    .iter()
                    .filter_map(|&(q, key)| {
                        metric(key).map(|row| view! { <Card question={q} row={row} /> })
                    })
                    .collect_view()}
            </div>
            <p class="hint" data-testid="headline-note">
                {note}
            </p>
        </section>
    }
}
