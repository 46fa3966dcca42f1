//! Run / Pause / Step / Stop / Reset, and the backend switch.

use leptos::prelude::*;

use super::actions;
use super::state::AppState;
use crate::protocol::{Backend, Phase};

#[component]
pub fn Controls() -> impl IntoView {
    let state = expect_context::<AppState>();
    let running = move || state.phase.get() == Phase::Running;
    let busy = move || {
        matches!(state.phase.get(), Phase::Busy | Phase::Learning) || state.applied.get().is_none()
    };
    let play_label = move || match (state.pending.get(), running()) {
        (Some(p), _) => p,
        (None, true) => "Pause",
        (None, false) => "Run",
    };
    let on_play = move |_| actions::play_pause(state);
    let on_step = move |_| actions::step(state);
    let on_stop = move |_| actions::stop(state);
    let on_reset = move |_| actions::reset(state);
    let on_backend = move |ev: leptos::ev::Event| {
        if let Some(b) = Backend::parse(&event_target_value(&ev)) {
            actions::switch_backend(state, b);
        }
    };
    view! {
        <section
            class="panel controls"
            aria-label="Controls (keys: Space run/pause, S step, R reset)"
        >
            <button
                id="play-pause"
                data-testid="play"
                class="primary"
                on:click={on_play}
                disabled={busy}
                aria-label={play_label}
            >
                {play_label}
            </button>
            <button data-testid="step" on:click={on_step} disabled={move || busy() || running()}>
                "Step"
            </button>
            <button data-testid="stop" on:click={on_stop} disabled={busy}>
                "Stop"
            </button>
            <button data-testid="reset" on:click={on_reset} disabled={move || busy() || running()}>
                "Reset"
            </button>
            <label class="backend" data-control="backend">
                "Backend "
                <select
                    data-testid="backend"
                    aria-label="Backend"
                    prop:value={move || match state.wanted_backend.get() {
                        Backend::Cpu => "cpu",
                        Backend::Webgpu => "webgpu",
                    }}
                    on:change={on_backend}
                    disabled={move || busy() || running()}
                >
                    <option value="cpu">"CPU (wasm)"</option>
                    <option value="webgpu">"WebGPU"</option>
                </select>
            </label>
            <span
                class="phase"
                data-testid="phase"
                data-phase={move || format!("{:?}", state.phase.get())}
            >
                {move || format!("{:?}", state.phase.get())}
            </span>
        </section>
    }
}
