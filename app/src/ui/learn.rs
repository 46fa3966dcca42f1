//! Learn mode's set-up: the Forget / Learn switch, the stage timeline you build with a few
//! clicks, the learning-rate schedule, and its plot, drawn from the settings before the run
//! starts (core's `Schedule::curve`).

use forgetlab_core::continual::{Mixing, Schedule, StageConfig, StageData};
use leptos::prelude::*;

use super::actions;
use super::charts::{LineChart, Series};
use super::state::AppState;
use crate::settings::{MAX_STAGES, Mode};

/// The stage data the timeline offers: (link name, label).
const DATA: [(&str, &str); 6] = [
    ("factoids1", "new factoids (set 1)"),
    ("factoids2", "new factoids (set 2)"),
    ("key_value", "key-value pairs"),
    ("world", "world-fact QA"),
    ("generic", "generic text"),
    ("own", "your own facts"),
];

const MIXING: [(&str, &str); 4] = [
    ("none", "no mixing"),
    ("replay", "replay earlier stages"),
    ("remix_generic", "REMIX: generic text"),
    ("remix_random", "REMIX: random words"),
];

const SCHEDULES: [(&str, &str); 4] = [
    ("constant", "constant"),
    ("cosine", "repeated cosine (rewarm every stage)"),
    ("infinite", "infinite (constant, anneal before each check)"),
    ("wsd", "warmup-stable-decay"),
];

/// The Forget / Learn switch in the header.
#[component]
pub fn ModeSwitch() -> impl IntoView {
    let state = expect_context::<AppState>();
    let mode = move || state.settings.with(|s| s.mode);
    view! {
        <div class="mode-switch" role="group" aria-label="Mode" data-control="mode">
            <button
                data-testid="mode-forget"
                aria-pressed={move || (mode() == Mode::Forget).to_string()}
                on:click={move |_| actions::set_mode(state, Mode::Forget)}
                title="Unlearning: make the model forget facts on purpose"
            >
                "Forget"
            </button>
            <button
                data-testid="mode-learn"
                aria-pressed={move || (mode() == Mode::Learn).to_string()}
                on:click={move |_| actions::set_mode(state, Mode::Learn)}
                title="Continual learning: teach facts in stages and watch older ones fade; edit \
                facts"
            >
                "Learn"
            </button>
        </div>
    }
}

/// Change stage `k` of the timeline.
fn edit_stage(state: AppState, k: usize, edit: impl FnOnce(&mut StageConfig)) {
    actions::edit_settings(state, |s| {
        if let Some(stage) = s.learn.stages.get_mut(k) {
            edit(stage);
        }
    });
}

#[component]
fn StageRow(k: usize, stage: StageConfig) -> impl IntoView {
    let state = expect_context::<AppState>();
    let data = stage.data.name();
    let mixing = stage.mixing.name();
    view! {
        <li data-testid={format!("stage-{}", k + 1)}>
            <b>{format!("{}.", k + 1)}</b>
            <select
                aria-label="Stage data"
                data-testid="stage-data"
                prop:value={data.clone()}
                on:change={move |ev| {
                    let v = event_target_value(&ev);
                    let data = if v == "own" {
                        Some(StageData::Own { items: vec![] })
                    } else {
                        StageData::parse(&v)
                    };
                    if let Some(data) = data {
                        edit_stage(state, k, |s| s.data = data)
                    }
                }}
            >
                {DATA
                    .iter()
                    .map(|(v, l)| {
                        view! {
                            <option value={*v} selected={*v == data}>
                                {*l}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <input
                type="number"
                min="1"
                aria-label="Steps"
                data-testid="stage-steps"
                prop:value={stage.steps}
                on:change={move |ev| {
                    if let Ok(n) = event_target_value(&ev).parse::<usize>() {
                        edit_stage(
                            state,
                            k,
                            |s| s.steps = n.clamp(1, crate::settings::MAX_STAGE_STEPS),
                        )
                    }
                }}
            />
            "steps"
            <select
                aria-label="Mixing"
                data-testid="stage-mixing"
                prop:value={mixing}
                on:change={move |ev| {
                    if let Some(m) = Mixing::parse(&event_target_value(&ev)) {
                        edit_stage(state, k, |s| s.mixing = m)
                    }
                }}
            >
                {MIXING
                    .iter()
                    .map(|(v, l)| {
                        view! {
                            <option value={*v} selected={*v == mixing}>
                                {*l}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <label title="Mixing items per stage item">
                "ratio "
                <input
                    type="number"
                    min="0"
                    step="0.5"
                    aria-label="Mix ratio"
                    data-testid="stage-ratio"
                    prop:value={stage.mix_ratio}
                    on:change={move |ev| {
                        if let Ok(r) = event_target_value(&ev).parse::<f64>() && r.is_finite()
                            && r >= 0.0
                        {
                            edit_stage(state, k, |s| s.mix_ratio = r)
                        }
                    }}
                />
            </label>
            <button
                class="link"
                data-testid="stage-remove"
                title="Remove this stage"
                on:click={move |_| actions::edit_settings(
                    state,
                    |s| {
                        if s.learn.stages.len() > 1 {
                            s.learn.stages.remove(k);
                        }
                    },
                )}
            >
                "✕"
            </button>
        </li>
    }
}

/// The stage timeline, the schedule and its plot.
#[component]
pub fn LearnPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let learn = move || state.settings.with(|s| s.learn.clone());
    let stage_steps = Signal::derive(move || {
        state.settings.with(|s| s.learn.stages.iter().map(|st| st.steps).collect::<Vec<_>>())
    });
    // The schedule as it will run (at most ~150 points drawn), and where the run is.
    let curve = Signal::derive(move || {
        let l = learn();
        let lr = l.schedule.curve(l.lr, &l.stages.iter().map(|s| s.steps).collect::<Vec<_>>());
        let every = (lr.len() / 150).max(1);
        let mut series = vec![Series {
            name: "learning rate".into(),
            color: super::charts::PALETTE[3],
            points: lr.iter().enumerate().step_by(every).map(|(n, v)| (n as f64, *v)).collect(),
        }];
        let at = state.losses.with(|l| l.last().map(|(s, _)| *s));
        if let Some(step) = at.filter(|s| *s > 0 && *s <= lr.len()) {
            series.push(Series {
                name: "now".into(),
                color: super::charts::PALETTE[0],
                points: vec![(step as f64, lr[step - 1])],
            });
        }
        series
    });
    let add_stage = move |_| {
        actions::edit_settings(state, |s| {
            if s.learn.stages.len() < MAX_STAGES {
                let next = if s.learn.stages.len() % 2 == 0 { "factoids1" } else { "factoids2" };
                let steps = s.learn.stages.last().map_or(60, |st| st.steps);
                s.learn.stages.push(StageConfig {
                    data: StageData::parse(next).expect("a data name"),
                    steps,
                    mixing: Mixing::None,
                    mix_ratio: 1.0,
                });
            }
        })
    };
    view! {
        <section class="panel learn" aria-label="Stages" data-panel="learn-panel">
            <h2>"Learn in stages"</h2>
            <p class="hint">
                "The model learns each stage's data in turn. Watch what happens to the earlier \
                    stages' facts — and what mixing and the schedule change."
            </p>
            <ol class="stages" data-testid="stages">
                {move || {
                    learn()
                        .stages
                        .into_iter()
                        .enumerate()
                        .map(|(k, stage)| view! { <StageRow k={k} stage={stage} /> })
                        .collect_view()
                }}
            </ol>
            <button
                data-testid="add-stage"
                on:click={add_stage}
                disabled={move || learn().stages.len() >= MAX_STAGES}
            >
                "+ stage"
            </button>
            <div class="row">
                <label>
                    "Schedule "
                    <select
                        data-testid="schedule"
                        aria-label="Learning-rate schedule"
                        prop:value={move || learn().schedule.name()}
                        on:change={move |ev| {
                            if let Some(s) = Schedule::parse(&event_target_value(&ev)) {
                                actions::edit_settings(state, |x| x.learn.schedule = s)
                            }
                        }}
                    >
                        {SCHEDULES
                            .iter()
                            .map(|(v, l)| view! { <option value={*v}>{*l}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    "Peak lr "
                    <input
                        type="number"
                        step="0.0005"
                        min="0"
                        data-testid="learn-lr"
                        prop:value={move || learn().lr}
                        on:change={move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<f64>() && v.is_finite()
                                && v > 0.0
                            {
                                actions::edit_settings(state, |s| s.learn.lr = v)
                            }
                        }}
                    />
                </label>
                <label>
                    "Evaluate every "
                    <input
                        type="number"
                        min="1"
                        data-testid="learn-eval-every"
                        prop:value={move || learn().eval_every}
                        on:change={move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<usize>() {
                                actions::edit_settings(state, |s| s.learn.eval_every = v.max(1))
                            }
                        }}
                    />
                </label>
                <label>
                    "Seed "
                    <input
                        type="number"
                        min="0"
                        data-testid="learn-seed"
                        prop:value={move || state.settings.with(|s| s.seed)}
                        on:change={move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<u64>() {
                                actions::edit_settings(state, |s| s.seed = v)
                            }
                        }}
                    />
                </label>
            </div>
            <LineChart
                id="schedule"
                title="Learning-rate schedule (drawn before the run)"
                series={curve}
                y_range={None}
                bands={stage_steps}
            />
        </section>
    }
}
