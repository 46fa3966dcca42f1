//! The run history's panels: the kept runs (see `run_store.rs`), their overlaid curves, the
//! forget-quality / model-utility plane (the Pareto view of unlearning papers), Learn-mode runs'
//! stage accuracies side by side (e.g. no mixing vs replay vs REMIX), and export as CSV or JSON.

use leptos::prelude::*;

use super::actions;
use super::charts::{LineChart, Series, run_color};
use super::state::AppState;
use crate::run_store::{MAX_RUNS, RunRecord};

/// The forget-quality / model-utility scatter: one point per run (its last evaluation). Forget
/// quality is a p-value spanning many decades, so its axis is log10. Runs without a retain model
/// have no forget quality and no point.
#[component]
fn Scatter(#[prop(into)] runs: Signal<Vec<RunRecord>>) -> impl IntoView {
    const W: f64 = 300.0;
    const H: f64 = 170.0;
    const L: f64 = 36.0;
    const B: f64 = 22.0;
    let lo_decade = -40.0;
    let sx = move |mu: f64| L + (W - L - 8.0) * mu.clamp(0.0, 1.0);
    let sy = move |fq: f64| {
        6.0 + (H - 6.0 - B) * (fq.max(1e-300).log10().clamp(lo_decade, 0.0) / lo_decade)
    };
    view! {
        <figure class="chart" data-chart="pareto">
            <figcaption>
                "Forget quality vs model utility (one point per run) "
                <button
                    class="link png"
                    data-testid="png-pareto"
                    on:click={move |_| actions::chart_png("pareto")}
                >
                    "PNG"
                </button>
            </figcaption>
            <svg
                viewBox={format!("0 0 {W} {H}")}
                role="img"
                aria-label="Forget quality against model utility, one point per run"
                data-testid="scatter"
            >
                {[0.0, -10.0, -20.0, -30.0, -40.0]
                    .into_iter()
                    .map(|d: f64| {
                        let y = sy(10f64.powf(d));
                        view! {
                            <line x1={L} x2={W - 8.0} y1={y} y2={y} class="grid"></line>
                            <text x={L - 3.0} y={y + 3.0} class="tick" text-anchor="end">
                                {format!("1e{d}")}
                            </text>
                        }
                    })
                    .collect_view()}
                {[0.0, 0.5, 1.0]
                    .into_iter()
                    .map(|m| {
                        view! {
                            <text x={sx(m)} y={H - 8.0} class="tick" text-anchor="middle">
                                {format!("{m}")}
                            </text>
                        }
                    })
                    .collect_view()}
                <text x={W - 8.0} y={H - 1.0} class="tick" text-anchor="end">
                    "model utility →"
                </text>
                {move || {
                    runs.get()
                        .into_iter()
                        .enumerate()
                        .filter_map(|(i, r)| {
                            let p = r.last()?.clone();
                            let (fq, mu) = (p.get("forget_quality")?, p.get("model_utility")?);
                            Some(
                                view! {
                                    <circle
                                        data-run={r.id}
                                        cx={sx(mu)}
                                        cy={sy(fq)}
                                        r="4"
                                        fill={run_color(i)}
                                    >
                                        <title>
                                            {format!(
                                                "{}: forget quality {:.3e}, model utility {:.3}",
                                                r.label,
                                                fq,
                                                mu,
                                            )}
                                        </title>
                                    </circle>
                                },
                            )
                        })
                        .collect_view()
                }}
            </svg>
        </figure>
    }
}

/// The history panel: the kept runs, their overlaid forget-probability curves, the scatter,
/// export and clear.
#[component]
pub fn HistoryPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    // One series per kept unlearning run, of one kept metric over steps.
    let per_run = move |metric: &'static str| {
        Signal::derive(move || {
            state.runs.with(|runs| {
                runs.iter()
                    .enumerate()
                    .filter(|(_, r)| !r.is_learn())
                    .map(|(i, r)| Series {
                        name: format!("{} #{}", r.label, i + 1),
                        color: run_color(i),
                        points: r
                            .points
                            .iter()
                            .map(|p| (p.step as f64, p.get(metric).unwrap_or(f64::NAN)))
                            .collect(),
                    })
                    .collect::<Vec<_>>()
            })
        })
    };
    let overlay = per_run("forget_prob");
    let model_utility = per_run("model_utility");
    // One series per kept Learn-mode run: stage 1's accuracy over steps (what later stages cost
    // it), and the last stage's (what the run learned last).
    let per_learn_run = move |last: bool| {
        Signal::derive(move || {
            state.runs.with(|runs| {
                runs.iter()
                    .enumerate()
                    .filter(|(_, r)| r.is_learn())
                    .map(|(i, r)| Series {
                        name: format!("{} #{}", r.label, i + 1),
                        color: run_color(i),
                        points: r
                            .learn
                            .iter()
                            .filter_map(|p| {
                                let k =
                                    if last { p.stage_accuracy.len().checked_sub(1)? } else { 0 };
                                Some((p.step as f64, (*p.stage_accuracy.get(k)?)?))
                            })
                            .collect(),
                    })
                    .collect::<Vec<_>>()
            })
        })
    };
    let learn_first = per_learn_run(false);
    let learn_last = per_learn_run(true);
    let has_learn = move || state.runs.with(|r| r.iter().any(|r| r.is_learn()));
    let has_forget = move || state.runs.with(|r| r.iter().any(|r| !r.is_learn()));
    let runs = Signal::derive(move || state.runs.get());
    let export_csv = move |_| actions::download_history(state, true);
    let export_json = move |_| actions::download_history(state, false);
    let clear = move |_| actions::clear_history(state);
    view! {
        <section class="panel history" aria-label="Run history" data-panel="history-panel">
            <h2>"Run history and comparison"</h2>
            <p class="hint">
                "Every finished or stopped run is kept in this browser (the newest " {MAX_RUNS}
                "). Click a run to load its settings."
            </p>
            <ol class="runs" data-testid="runs">
                {move || {
                    state
                        .runs
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, r)| {
                            let query = r.query.clone();
                            let last = r.last().cloned();
                            let fmt = |v: Option<f64>| {
                                v.map_or("–".into(), |v| format!("{v:.2}"))
                            };
                            let three = |v: Option<f64>| {
                                v.map_or("–".into(), |v| format!("{v:.3}"))
                            };
                            let learned = r
                                .learn
                                .last()
                                .map(|p| {
                                    format!(
                                        " — step {}: stage accuracy {}, world facts P {}",
                                        p.step,
                                        p
                                            .stage_accuracy
                                            .iter()
                                            .map(|a| fmt(*a))
                                            .collect::<Vec<_>>()
                                            .join(" / "),
                                        fmt(p.world_prob),
                                    )
                                });
                            view! {
                                <li
                                    data-run={r.id}
                                    data-kind={if r.is_learn() { "learn" } else { "forget" }}
                                >
                                    <i
                                        class="swatch"
                                        style={format!("background:{}", run_color(i))}
                                    ></i>
                                    <button
                                        class="link"
                                        data-testid="run-link"
                                        on:click={move |_| actions::follow_link(state, &query)}
                                        title="Load this run's settings"
                                    >
                                        {r.label.clone()}
                                    </button>
                                    {last
                                        .map(|p| {
                                            format!(
                                                " — step {}: forget prob {}, MU {}, FQ {}",
                                                p.step,
                                                three(p.get("forget_prob")),
                                                three(p.get("model_utility")),
                                                p
                                                    .get("forget_quality")
                                                    .map_or(
                                                        "needs a retain model".into(),
                                                        |q| format!("{q:.2e}"),
                                                    ),
                                            )
                                        })}
                                    {learned}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
            <div class="chart-grid" style:display={move || if has_forget() { "" } else { "none" }}>
                <LineChart
                    id="history-forget"
                    title="Forget probability, every kept run"
                    series={overlay}
                    y_range={Some((0.0, 1.0))}
                />
                <LineChart
                    id="history-utility"
                    title="Model utility, every kept run"
                    series={model_utility}
                    y_range={Some((0.0, 1.0))}
                />
                <Scatter runs={runs} />
            </div>
            <div class="chart-grid" style:display={move || if has_learn() { "" } else { "none" }}>
                <LineChart
                    id="history-learn"
                    title="Stage 1's accuracy, every kept Learn run"
                    series={learn_first}
                    y_range={Some((0.0, 1.0))}
                />
                <LineChart
                    id="history-learn-last"
                    title="Last stage's accuracy, every kept Learn run"
                    series={learn_last}
                    y_range={Some((0.0, 1.0))}
                />
            </div>
            <div class="row">
                <button data-testid="export-history-csv" on:click={export_csv}>
                    "History as CSV"
                </button>
                <button data-testid="export-history-json" on:click={export_json}>
                    "History as JSON"
                </button>
                <button data-testid="clear-history" on:click={clear}>
                    "Clear history"
                </button>
            </div>
        </section>
    }
}

/// Export the current run: its metrics (CSV, JSON — every snapshot in full) and its model.
#[component]
pub fn ExportPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let csv = move |_| actions::download_run(state, true);
    let json = move |_| actions::download_run(state, false);
    let model = move |_| actions::export_model();
    view! {
        <section class="panel export" aria-label="Export" data-panel="export-panel">
            <h2>"Export"</h2>
            <div class="row">
                <button data-testid="export-csv" on:click={csv}>
                    "This run's metrics (CSV)"
                </button>
                <button data-testid="export-json" on:click={json}>
                    "This run's metrics (JSON)"
                </button>
                <button
                    data-testid="export-model"
                    on:click={model}
                    title="config.json, model.safetensors and tokenizer.json: loadable by the CLI \
                    and by transformers (for ULD: the assistant)"
                >
                    "Current model (HF files)"
                </button>
            </div>
        </section>
    }
}
