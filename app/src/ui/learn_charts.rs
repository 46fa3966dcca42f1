//! Learn mode's live charts, with the stages shaded: each stage's facts (accuracy, key entity,
//! probability), the general knowledge kept, the loss, where the first stage's facts live (logit
//! lens and linear probe per layer, at the end of stage 1 and later), and a table of the latest
//! scores.

use forgetlab_core::continual::{ContinualSnapshot, Scores};
use leptos::prelude::*;

use super::charts::{LineChart, PALETTE, Series};
use super::state::AppState;

/// One series per stage of a score of its items.
pub(super) fn per_stage(state: AppState, pick: fn(&Scores) -> f64) -> Signal<Vec<Series>> {
    Signal::derive(move || {
        let names: Vec<String> =
            state.stages.with(|s| s.iter().map(|st| st.name.clone()).collect());
        state.learn_history.with(|h| {
            names
                .iter()
                .enumerate()
                .map(|(k, name)| Series {
                    name: format!("stage {}: {name}", k + 1),
                    color: PALETTE[k % PALETTE.len()],
                    points: h
                        .iter()
                        .filter_map(|s| Some((s.step as f64, pick(&s.stages.get(k)?.scores))))
                        .collect(),
                })
                .collect()
        })
    })
}

/// The evaluation at the end of stage 1, if the run got there.
fn end_of_stage_one(state: AppState) -> Option<ContinualSnapshot> {
    let end = state.stages.with(|s| s.first().map(|st| st.steps))?;
    state.learn_history.with(|h| h.iter().find(|s| s.step == end).cloned())
}

/// Each stage's step count, for the charts' stage bands.
fn stage_bands(state: AppState) -> Signal<Vec<usize>> {
    Signal::derive(move || state.stages.with(|s| s.iter().map(|st| st.steps).collect::<Vec<_>>()))
}

/// The first screen's chart: accuracy on each stage's facts.
#[component]
pub fn LearnMainChart() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <LineChart
            id="learn-accuracy"
            title="Accuracy on each stage's facts (exact match)"
            series={per_stage(state, |s| s.accuracy)}
            y_range={Some((0.0, 1.0))}
            bands={stage_bands(state)}
        />
    }
}

/// Every other chart and the score table (a panel that opens on demand).
#[component]
pub fn LearnCharts() -> impl IntoView {
    let state = expect_context::<AppState>();
    let bands = stage_bands(state);
    let general = Signal::derive(move || {
        state.learn_history.with(|h| {
            let line = |name: &str, color, f: fn(&ContinualSnapshot) -> f64| Series {
                name: name.into(),
                color,
                points: h.iter().map(|s| (s.step as f64, f(s))).collect(),
            };
            vec![
                line("world facts", PALETTE[2], |s| s.world.prob),
                line("trained authors", PALETTE[1], |s| s.trained.prob),
            ]
        })
    });
    let loss = Signal::derive(move || {
        state.losses.with(|l| {
            vec![Series {
                name: "loss".into(),
                color: PALETTE[3],
                points: l.iter().map(|&(s, v)| (s as f64, v)).collect(),
            }]
        })
    });
    // Stage 1's key entities per layer: the logit lens at its end and now, and the probe at its
    // end and at the latest stage end.
    let lens = Signal::derive(move || {
        let layer_points =
            |v: &[f64]| v.iter().enumerate().map(|(l, p)| ((l + 1) as f64, *p)).collect();
        let mut out = Vec::new();
        let first = end_of_stage_one(state);
        let last = state.learn_history.with(|h| h.last().cloned());
        if let Some(s) = &first {
            out.push(Series {
                name: format!("lens: end of stage 1 (step {})", s.step),
                color: PALETTE[0],
                points: layer_points(&s.first_stage_lens),
            });
        }
        if let Some(s) = &last {
            out.push(Series {
                name: format!("lens: now (step {})", s.step),
                color: PALETTE[1],
                points: layer_points(&s.first_stage_lens),
            });
        }
        let probed = state
            .learn_history
            .with(|h| h.iter().rev().find(|s| !s.first_stage_probe.is_empty()).cloned());
        if let Some(s) = &first {
            out.push(Series {
                name: format!("probe: end of stage 1 (chance {:.2})", s.first_stage_probe_chance),
                color: PALETTE[4],
                points: layer_points(&s.first_stage_probe),
            });
        }
        if let Some(s) = probed.filter(|p| first.as_ref().is_none_or(|f| f.step != p.step)) {
            out.push(Series {
                name: format!("probe: end of stage {} (step {})", s.stage + 1, s.step),
                color: PALETTE[5],
                points: layer_points(&s.first_stage_probe),
            });
        }
        out
    });
    view! {
        <section class="panel charts" aria-label="Learn charts" data-panel="learn-charts">
            <h2>"What the model knows, stage by stage"</h2>
            <div class="chart-grid">
                <LineChart
                    id="learn-key"
                    title="Key entity in the answer"
                    series={per_stage(state, |s| s.key_accuracy)}
                    y_range={Some((0.0, 1.0))}
                    bands={bands}
                />
                <LineChart
                    id="learn-prob"
                    title="Answer probability on each stage's facts"
                    series={per_stage(state, |s| s.prob)}
                    y_range={Some((0.0, 1.0))}
                    bands={bands}
                />
                <LineChart
                    id="learn-general"
                    title="General knowledge kept (answer probability)"
                    series={general}
                    y_range={Some((0.0, 1.0))}
                    bands={bands}
                />
                <LineChart
                    id="learn-loss"
                    title="Training loss"
                    series={loss}
                    y_range={None}
                    bands={bands}
                />
                <LineChart
                    id="learn-lens"
                    title="Where stage 1's facts live: logit lens and linear probe per layer"
                    series={lens}
                    y_range={Some((0.0, 1.0))}
                    x_label="layer"
                />
            </div>
            <ScoreTable />
        </section>
    }
}

/// The latest evaluation's four scores of every stage and of the general knowledge.
#[component]
fn ScoreTable() -> impl IntoView {
    let state = expect_context::<AppState>();
    let fmt = |v: f64| if v.is_finite() { format!("{v:.3}") } else { "–".into() };
    view! {
        <table class="learn-table" data-testid="learn-table">
            <thead>
                <tr>
                    <th>"items"</th>
                    <th>"n"</th>
                    <th>"accuracy"</th>
                    <th>"key entity"</th>
                    <th>"probability"</th>
                    <th>"ROUGE-L"</th>
                </tr>
            </thead>
            <tbody>
                {move || {
                    state
                        .learn_history
                        .with(|h| h.last().cloned())
                        .map(|s| {
                            let mut rows: Vec<(String, Scores)> = s
                                .stages
                                .iter()
                                .enumerate()
                                .map(|(k, st)| (
                                    format!("stage {}: {}", k + 1, st.name),
                                    st.scores.clone(),
                                ))
                                .collect();
                            rows.push(("world facts".into(), s.world.clone()));
                            rows.push(("trained authors".into(), s.trained.clone()));
                            rows.into_iter()
                                .map(|(name, sc)| {
                                    view! {
                                        <tr>
                                            <td>{name}</td>
                                            <td>{sc.items}</td>
                                            <td>{fmt(sc.accuracy)}</td>
                                            <td>{fmt(sc.key_accuracy)}</td>
                                            <td>{fmt(sc.prob)}</td>
                                            <td>{fmt(sc.rouge_l)}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        })
                }}
            </tbody>
        </table>
        <p class="hint">
            {move || {
                state
                    .learn_history
                    .with(|h| {
                        h.last()
                            .map(|s| {
                                format!(
                                    "Step {}{}.",
                                    s.step,
                                    if s.annealed {
                                        ", scored on the anneal branch (infinite schedule)"
                                    } else {
                                        ""
                                    },
                                )
                            })
                    })
                    .unwrap_or_default()
            }}
        </p>
    }
}
