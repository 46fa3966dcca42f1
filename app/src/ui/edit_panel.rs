//! Learn mode's editing panel: give trained facts new objects (counterfactuals), then compare
//! editing in context (IKE), fine-tuning, and fine-tuning with REMIX on the same edits —
//! efficacy, generalization and specificity (core's `edit`).

use leptos::prelude::*;

use super::actions;
use super::state::AppState;

#[component]
pub fn EditPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let edits = move || state.settings.with(|s| s.learn.edits);
    let steps = move || state.settings.with(|s| s.learn.edit_steps);
    let fmt = |v: f64| if v.is_finite() { format!("{v:.2}") } else { "–".into() };
    view! {
        <section class="panel edit" aria-label="Edit facts" data-panel="edit-panel">
            <h2>"Edit a fact"</h2>
            <p class="hint">
                "Each edit gives a fact the model knows a new object. IKE states the new fact in \
                    the prompt and changes no weight; fine-tuning trains on it, alone or with \
                    REMIX's generic text mixed in. Efficacy: the new answer beats the old. \
                    Generalization: the same on the paraphrased question. Specificity: the \
                    author's other facts, and the same kind of fact about other authors, stay as \
                    they were."
            </p>
            <div class="row">
                <label>
                    "Edits "
                    <input
                        type="number"
                        min="1"
                        max="100"
                        data-testid="edit-count"
                        prop:value={edits}
                        on:change={move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<usize>() {
                                actions::edit_settings(state, |s| s.learn.edits = v.clamp(1, 100))
                            }
                        }}
                    />
                </label>
                <label>
                    "Fine-tuning steps "
                    <input
                        type="number"
                        min="1"
                        data-testid="edit-steps"
                        prop:value={steps}
                        on:change={move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<usize>() {
                                actions::edit_settings(
                                    state,
                                    |s| s.learn.edit_steps = v.clamp(1, 1000),
                                )
                            }
                        }}
                    />
                </label>
                <button data-testid="run-edits" on:click={move |_| actions::run_edits(state)}>
                    "Edit the facts three ways"
                </button>
            </div>
            <ol class="edits" data-testid="edits">
                {move || {
                    state
                        .edit_rows
                        .get()
                        .into_iter()
                        .take(5)
                        .map(|r| {
                            view! {
                                <li>
                                    {r.question}" "<s>{r.old_answer}</s>" → "<b>{r.new_answer}</b>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
            <table class="edit-table" data-testid="edit-results">
                <thead>
                    <tr>
                        <th>"way"</th>
                        <th>"efficacy"</th>
                        <th>"generalization"</th>
                        <th>"specificity"</th>
                        <th>"same author"</th>
                        <th>"same relation"</th>
                        <th>"neighbours' P before → after"</th>
                        <th>"seconds"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        state
                            .edit_reports
                            .get()
                            .into_iter()
                            .map(|(r, millis)| {
                                view! {
                                    <tr data-method={r.method.name()}>
                                        <td>
                                            {match r.method.name() {
                                                "ike" => "IKE (in context)",
                                                "ft" => "fine-tuning",
                                                _ => "fine-tuning + REMIX",
                                            }}
                                        </td>
                                        <td>{fmt(r.efficacy)}</td>
                                        <td>{fmt(r.generalization)}</td>
                                        <td>{fmt(r.specificity)}</td>
                                        <td>{fmt(r.specificity_same_subject)}</td>
                                        <td>{fmt(r.specificity_same_relation)}</td>
                                        <td>
                                            {format!(
                                                "{} → {}",
                                                fmt(r.neighbour_prob_before),
                                                fmt(r.neighbour_prob_after),
                                            )}
                                        </td>
                                        <td>{format!("{:.1}", millis / 1000.0)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </section>
    }
}
