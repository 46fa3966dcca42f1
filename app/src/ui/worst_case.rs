//! "Worst case" beside the preset splits: the authors of forget10 that are hardest to unlearn, by
//! the engine's stated proxy (`forgetlab_core::run::worst_case_authors`: the authors whose
//! answers' log-probability falls least in a short gradient-ascent run on the whole pool). The
//! worker finds them; the page selects their facts and says how they were chosen.

use leptos::prelude::*;

use super::actions;
use super::state::AppState;
use crate::protocol::Phase;

/// The pool the worst case is chosen from, and its author count's upper bound for the input.
const POOL: &str = "forget10";

#[component]
pub fn WorstCase() -> impl IntoView {
    let state = expect_context::<AppState>();
    let authors = RwSignal::new(5usize);
    let idle = move || !matches!(state.phase.get(), Phase::Busy | Phase::Learning | Phase::Running);
    let found = move || {
        state.worst_case.get().map(|row| {
            let chosen = row
                .ranking
                .iter()
                .take(row.authors)
                .map(|(a, r)| format!("{a} ({r:+.3})"))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "Selected the {} of {}'s {} authors whose answers' log-probability fell least in \
                    5 gradient-ascent steps on all of them (a one-shot proxy of Fan et al. 2024's \
                    worst-case forget sets): {chosen}. Compare with a preset split of the same size.",
                row.authors,
                row.pool,
                row.ranking.len()
            )
        })
    };
    view! {
        <div class="row" data-control="worst-case">
            <label>
                "Worst case: the "
                <input
                    type="number"
                    min="1"
                    max="19"
                    data-testid="worst-case-authors"
                    aria-label="authors in the worst-case set"
                    prop:value={move || authors.get().to_string()}
                    on:change={move |ev| {
                        if let Ok(n) = event_target_value(&ev).trim().parse::<usize>() {
                            authors.set(n.clamp(1, 19));
                        }
                    }}
                /> " hardest authors of " {POOL}
            </label>
            <button
                data-testid="worst-case"
                disabled={move || !idle()}
                on:click={move |_| actions::find_worst_case(state, POOL, authors.get_untracked())}
            >
                "find them"
            </button>
        </div>
        {move || {
            found()
                .map(|text| {
                    view! {
                        <p class="hint" data-testid="worst-case-note">
                            {text}
                        </p>
                    }
                })
        }}
    }
}
