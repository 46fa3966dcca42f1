//! Sequential requests in the playground: the current run's forget set cut into requests of whole
//! authors, unlearned one after another with the current method and settings, each from the
//! weights the last one left (on copies: the run is not changed). Does an earlier request's set
//! come back while later ones are forgotten, and does utility keep falling? The engine's
//! `run::SequentialRun` does the work; this panel only asks and shows.

use leptos::prelude::*;

use super::actions;
use super::state::AppState;
use crate::protocol::Phase;

fn number(
    value: RwSignal<usize>,
    testid: &'static str,
    label: &'static str,
    max: usize,
) -> impl IntoView {
    view! {
        <label>
            {label}
            <input
                type="number"
                min="1"
                max={max.to_string()}
                data-testid={testid}
                prop:value={move || value.get().to_string()}
                on:change={move |ev| {
                    if let Ok(n) = event_target_value(&ev).trim().parse::<usize>() {
                        value.set(n.clamp(1, max));
                    }
                }}
            />
        </label>
    }
}

#[component]
pub fn RequestsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let requests = RwSignal::new(3usize);
    let steps = RwSignal::new(10usize);
    let idle = move || !matches!(state.phase.get(), Phase::Busy | Phase::Learning | Phase::Running);
    let table = move || {
        let rows = state.requests.get();
        let last = rows.last()?.clone();
        let header = rows
            .iter()
            .map(|r| {
                let name =
                    if r.after == 0 { "before".to_string() } else { format!("after {}", r.after) };
                view! { <th>{name}</th> }
            })
            .collect_view();
        let sets = (0..last.sizes.len())
            .map(|j| {
                let cells = rows
                    .iter()
                    .map(|r| {
                        let c = &r.recall[j];
                        view! {
                            <td data-after={r
                                .after}>
                                {format!("{:.3} · {:.0} %", c.prob, 100.0 * c.key_entity_rate)}
                            </td>
                        }
                    })
                    .collect_view();
                view! {
                    <tr data-set={j + 1}>
                        <td>{format!("set {} ({} facts)", j + 1, last.sizes[j])}</td>
                        {cells}
                    </tr>
                }
            })
            .collect_view();
        let utility = rows
            .iter()
            .map(|r| {
                let u = r.utility.map(|u| format!("{u:.3}")).unwrap_or_else(|| "–".into());
                view! { <td data-after={r.after}>{u}</td> }
            })
            .collect_view();
        Some(view! {
            <table class="metrics" data-testid="requests-report">
                <thead>
                    <tr>
                        <th>"answer probability · key entity named"</th>
                        {header}
                    </tr>
                </thead>
                <tbody>
                    {sets} <tr data-set="utility">
                        <td>"model utility"</td>
                        {utility}
                    </tr>
                </tbody>
            </table>
        })
    };
    view! {
        <p class="hint">
            "The facts being forgotten, cut into requests of whole authors and unlearned one after \
                another with the current method and settings, each from the weights the last one \
                left (MUSE's sustainability test). Your run is not changed."
        </p>
        <div class="row">
            {number(requests, "requests-count", "requests ", 10)}
            {number(steps, "requests-steps", " steps each ", 200)}
            <button
                data-testid="run-requests"
                disabled={move || !idle()}
                on:click={move |_| actions::run_requests(
                    state,
                    requests.get_untracked(),
                    steps.get_untracked(),
                )}
            >
                "Forget them in turn"
            </button>
        </div>
        {table}
    }
}
