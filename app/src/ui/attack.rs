//! The relearning attack in the playground: is what the run "forgot" gone, or only hidden?
//! Fine-tune k forgotten facts for a few steps (on a copy: the run is not changed) and show how
//! much of the forget set comes back — on those k facts and on the others. The engine's
//! `Run::relearning_attack` does the work; this panel only asks and shows.

use forgetlab_core::run::Recall;
use leptos::prelude::*;

use super::actions;
use super::state::AppState;
use crate::protocol::Phase;

fn row(name: &'static str, before: Recall, after: Recall) -> impl IntoView {
    view! {
        <tr data-group={name}>
            <td>{name} " (" {before.items} ")"</td>
            <td>{format!("{:.3} → {:.3}", before.prob, after.prob)}</td>
            <td>{format!("{:.3} → {:.3}", before.key_entity_prob, after.key_entity_prob)}</td>
            <td>
                {format!(
                    "{:.0} % → {:.0} %",
                    100.0 * before.key_entity_rate,
                    100.0 * after.key_entity_rate,
                )}
            </td>
        </tr>
    }
}

#[component]
pub fn AttackPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let idle = move || !matches!(state.phase.get(), Phase::Busy | Phase::Learning | Phase::Running);
    view! {
        <section class="panel attack" aria-label="Relearning attack" data-panel="attack-panel">
            <h2>"Is it really gone? The relearning attack"</h2>
            <p class="hint">
                "Fine-tunes a copy of the current model on 4 of the forgotten facts for 10 steps, \
                    then measures all of them. If the other facts come back too, the knowledge was \
                    hidden, not removed."
            </p>
            <button
                data-testid="attack"
                on:click={move |_| actions::attack(state)}
                disabled={move || !idle()}
            >
                "Run the relearning attack"
            </button>
            {move || {
                state
                    .attack
                    .get()
                    .map(|r| {
                        view! {
                            <table class="metrics" data-testid="attack-report">
                                <thead>
                                    <tr>
                                        <th>"facts"</th>
                                        <th>"answer probability"</th>
                                        <th>"key-entity probability"</th>
                                        <th>"answers naming the fact"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {row(
                                        "relearned",
                                        r.relearned_before.clone(),
                                        r.relearned_after.clone(),
                                    )}
                                    {row(
                                        "held out",
                                        r.held_out_before.clone(),
                                        r.held_out_after.clone(),
                                    )}
                                </tbody>
                            </table>
                        }
                    })
            }}
        </section>
    }
}
