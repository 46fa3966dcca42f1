//! The status line — one line: backend, speed, step; the rest (timings, memory, model size) on
//! tap — and the messages below it.

use leptos::prelude::*;

use super::state::{AppState, Level};

#[component]
pub fn StatusLine() -> impl IntoView {
    let state = expect_context::<AppState>();
    let backend = move || {
        state
            .backend
            .get()
            .map(|(b, detail)| format!("{} — {detail}", b.label()))
            .unwrap_or_else(|| "starting…".into())
    };
    let speed = move || {
        state.step_millis.with(|m| {
            if m.is_empty() {
                "– steps/s".into()
            } else {
                format!("{:.1} steps/s", 1000.0 * m.len() as f64 / m.iter().sum::<f64>())
            }
        })
    };
    // A method's cost; for retraining also what the full recipe would take at this pace.
    let cost = move || {
        let ms = state.train_millis.get();
        let steps = state.losses.with(|l| l.last().map(|(s, _)| *s).unwrap_or(0));
        let mut text = format!("training {:.1} s", ms / 1000.0);
        if state.settings.with(|s| s.method) == forgetlab_core::methods::MethodKind::Retrain
            && steps > 0
        {
            let full = forgetlab_core::methods::retrain::recipe_steps();
            text += &format!(
                " (a full retrain: {full} steps ≈ {:.0} min at this pace)",
                ms / steps as f64 * full as f64 / 60_000.0
            );
        }
        text
    };
    let eval = move || {
        state
            .eval_millis
            .get()
            .map(|ms| format!("evaluation {:.1} s", ms / 1000.0))
            .unwrap_or_default()
    };
    let model = move || {
        state
            .model
            .get()
            .map(|m| {
                format!(
                    "{}: {} layers × {} wide, {:.0}k parameters, {:.1} MB",
                    m.name,
                    m.layers,
                    m.width,
                    m.parameters as f64 / 1e3,
                    m.bytes as f64 / 1e6
                )
            })
            .unwrap_or_default()
    };
    let step = move || {
        state.losses.with(|l| {
            l.last()
                .map(|(s, loss)| format!("step {s} · loss {loss:.4}"))
                .unwrap_or_else(|| "step 0".into())
        })
    };
    // Start-up phases as seconds since the page was opened (performance.timeOrigin).
    let since_open = move || {
        let origin = web_sys::window()
            .and_then(|w| w.performance())
            .map(|p| p.time_origin())
            .unwrap_or_default();
        state
            .startup
            .get()
            .into_iter()
            .map(|(what, at)| (what, (at - origin) / 1000.0))
            .collect::<Vec<_>>()
    };
    let startup = move || match since_open().last() {
        Some((_, ready)) => format!("ready {ready:.1} s after opening"),
        None => String::new(),
    };
    let startup_json = move || serde_json::to_string(&since_open()).unwrap_or_default();
    let open = RwSignal::new(false);
    view! {
        <footer class="status" class:open={move || open.get()} aria-live="polite">
            <button
                type="button"
                class="status-more"
                data-testid="status-details"
                aria-expanded={move || open.get().to_string()}
                aria-label="Status details"
                on:click={move |_| open.update(|o| *o = !*o)}
            >
                {move || if open.get() { "▾" } else { "▸" }}
            </button>
            <span
                data-testid="backend-label"
                data-backend={move || state.backend.get().map(|(b, _)| b.label()).unwrap_or("")}
            >
                {backend}
            </span>
            <span
                data-testid="speed"
                data-step-ms={move || {
                    state
                        .step_millis
                        .with(|m| {
                            if m.is_empty() {
                                String::new()
                            } else {
                                (m.iter().sum::<f64>() / m.len() as f64).to_string()
                            }
                        })
                }}
            >
                {speed}
            </span>
            <span class="detail" data-testid="train-time">
                {cost}
            </span>
            <span class="detail">{eval}</span>
            <span class="detail" data-testid="startup" data-phases={startup_json}>
                {startup}
            </span>
            <span
                class="detail"
                data-testid="engine-memory"
                data-bytes={move || state.engine_memory.get().to_string()}
                data-live={move || state.engine_live.get().to_string()}
            >
                {move || match state.engine_memory.get() {
                    0 => String::new(),
                    b => format!("engine memory {:.0} MB", b as f64 / 1e6),
                }}
            </span>
            <span data-testid="step-label">{step}</span>
            <span class="detail">
                {move || format!("forgetting {} facts", state.forget_count.get())}
            </span>
            <span class="detail" data-testid="trainable">
                {move || format!("training {} parameters", state.trainable.get())}
            </span>
            <span class="detail">{model}</span>
        </footer>
        <ul class="messages" data-testid="messages">
            {move || {
                state
                    .messages
                    .get()
                    .into_iter()
                    .rev()
                    .map(|(level, text)| {
                        let class = if level == Level::Error { "error" } else { "notice" };
                        view! { <li class={class}>{text}</li> }
                    })
                    .collect_view()
            }}
        </ul>
    }
}

/// The loading bar while the model and the fact world arrive.
#[component]
pub fn LoadingBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        {move || {
            state
                .progress
                .get()
                .map(|(file, index, count, loaded, total)| {
                    let frac = if total > 0 { loaded as f64 / total as f64 } else { 0.0 };
                    let overall = (index as f64 + frac) / count.max(1) as f64;
                    view! {
                        <div class="loading" data-testid="loading">
                            <progress max="1" value={overall}></progress>
                            <span>
                                {format!(
                                    " loading {file} ({:.0} of {} kB)",
                                    loaded as f64 / 1e3,
                                    if total > 0 {
                                        format!("{:.0}", total as f64 / 1e3)
                                    } else {
                                        "?".into()
                                    },
                                )}
                            </span>
                        </div>
                    }
                })
        }}
    }
}
