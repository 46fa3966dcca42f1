//! The facts panel: search the fact world, pick what to forget (a preset split, whole authors or
//! single items), choose questions to watch, and teach the model a fact of your own.

use std::collections::BTreeSet;

use leptos::prelude::*;

use super::actions;
use super::state::AppState;
use crate::protocol::{FactRow, Phase};
use crate::settings::Selection;

/// Rows shown at once: the world has thousands; search narrows them.
const SHOWN: usize = 60;

pub(super) fn selected_ids(state: &AppState, selection: &Selection) -> BTreeSet<String> {
    match selection {
        Selection::Items(ids) => ids.clone(),
        Selection::Preset(name) => state.facts.with_untracked(|f| {
            f.iter().filter(|r| in_split(&r.split, name)).map(|r| r.id.clone()).collect()
        }),
    }
}

/// Every item of `author` that can be forgotten (the holdout split never is).
fn author_items(state: &AppState, author: &str) -> Vec<String> {
    state.facts.with_untracked(|f| {
        f.iter()
            .filter(|r| r.author == author && r.split != "holdout")
            .map(|r| r.id.clone())
            .collect()
    })
}

/// forget05 contains forget01, forget10 contains both (an item's split is its narrowest one).
fn in_split(split: &str, name: &str) -> bool {
    match name {
        "forget01" => split == "forget01",
        "forget05" => matches!(split, "forget01" | "forget05"),
        "forget10" => matches!(split, "forget01" | "forget05" | "forget10"),
        // The validation authors are retain authors set aside for tuning (core's Split::Val10).
        "retain" => matches!(split, "retain" | "val10"),
        "all" => true,
        other => split == other,
    }
}

#[component]
pub fn FactsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let query = RwSignal::new(String::new());
    let split_filter = RwSignal::new("forget05".to_string());
    let selection = Memo::new(move |_| state.settings.with(|s| s.selection.clone()));
    let set_selection = move |sel: Selection| actions::select(state, sel);
    let is_selected = move |id: &str, split: &str| match selection.get() {
        Selection::Preset(name) => in_split(split, &name),
        Selection::Items(ids) => ids.contains(id),
    };
    let toggle = move |ids: Vec<String>, on: bool| {
        let mut set = selected_ids(&state, &selection.get_untracked());
        for id in ids {
            if on {
                set.insert(id);
            } else {
                set.remove(&id);
            }
        }
        set_selection(Selection::Items(set));
    };
    let visible = Memo::new(move |_| {
        let q = query.get().to_lowercase();
        let split = split_filter.get();
        state.facts.with(|facts| {
            let matching: Vec<&FactRow> = facts
                .iter()
                .filter(|r| in_split(&r.split, &split))
                .filter(|r| {
                    q.is_empty()
                        || r.author.to_lowercase().contains(&q)
                        || r.question.to_lowercase().contains(&q)
                        || r.answer.to_lowercase().contains(&q)
                })
                .collect();
            (matching.iter().take(SHOWN).map(|r| (*r).clone()).collect::<Vec<_>>(), matching.len())
        })
    });
    let watchable = Memo::new(move |_| {
        state.watchable.with(|w| w.iter().map(|r| r.id.clone()).collect::<BTreeSet<_>>())
    });
    let preset_value = move || match selection.get() {
        Selection::Preset(name) => name,
        Selection::Items(_) => "picked".into(),
    };
    let on_preset = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        if v == "picked" {
            set_selection(Selection::Items(selected_ids(&state, &selection.get_untracked())));
        } else {
            split_filter.set(v.clone());
            set_selection(Selection::Preset(v));
        }
    };
    // The kinds of author question (birthplace, genre, …), for "keep one kind".
    let kinds = Memo::new(move |_| {
        state.facts.with(|f| {
            let mut k: Vec<String> = f
                .iter()
                .filter(|r| !r.author.is_empty() && !r.kind.is_empty())
                .map(|r| r.kind.clone())
                .collect();
            k.sort_unstable();
            k.dedup();
            k
        })
    });
    // Keep only the selected facts of one kind: forget one kind of question, keep the rest.
    let on_kind = move |ev: leptos::ev::Event| {
        let kind = event_target_value(&ev);
        if kind.is_empty() {
            return;
        }
        let selected = selected_ids(&state, &selection.get_untracked());
        let ids = state.facts.with_untracked(|f| {
            f.iter()
                .filter(|r| r.kind == kind && selected.contains(&r.id))
                .map(|r| r.id.clone())
                .collect()
        });
        set_selection(Selection::Items(ids));
        // An action, not a state: the menu shows its prompt again.
        event_target::<web_sys::HtmlSelectElement>(&ev).set_value("");
    };
    let count = move || match selection.get() {
        Selection::Items(ids) => ids.len(),
        sel => {
            state.facts.track(); // a preset's size depends on the facts, which arrive later
            selected_ids(&state, &sel).len()
        }
    };
    view! {
        <section class="panel facts" aria-label="Facts" data-panel="facts-panel">
            <h2>"1. Facts to forget"</h2>
            <div class="row">
                <label>
                    "Forget set "
                    <select data-testid="preset" on:change={on_preset} prop:value={preset_value}>
                        <option value="forget01">"forget01 (1% of authors)"</option>
                        <option value="forget05">"forget05 (5%)"</option>
                        <option value="forget10">"forget10 (10%)"</option>
                        <option value="picked">"hand-picked"</option>
                    </select>
                </label>
                <button
                    data-testid="clear-selection"
                    on:click={move |_| set_selection(Selection::Items(BTreeSet::new()))}
                >
                    "clear"
                </button>
                <span class="count" data-testid="selected-count">
                    {move || format!("{} selected", count())}
                </span>
            </div>
            <super::worst_case::WorstCase />
            <div class="row">
                <label data-control="kind-filter">
                    "Keep one kind of question "
                    <select data-testid="kind-filter" on:change={on_kind}>
                        <option value="">"(all kinds)"</option>
                        {move || {
                            kinds
                                .get()
                                .into_iter()
                                .map(|k| {
                                    view! {
                                        <option value={k.clone()}>{k.replace('_', " ")}</option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
            </div>
            <div class="row">
                <input
                    type="search"
                    data-testid="fact-search"
                    placeholder="search authors, questions, answers"
                    aria-label="Search facts"
                    prop:value={query}
                    on:input={move |ev| query.set(event_target_value(&ev))}
                />
                <select
                    data-testid="split-filter"
                    aria-label="Show split"
                    prop:value={split_filter}
                    on:change={move |ev| split_filter.set(event_target_value(&ev))}
                >
                    <option value="all">"all"</option>
                    <option value="forget01">"forget01"</option>
                    <option value="forget05">"forget05"</option>
                    <option value="forget10">"forget10"</option>
                    <option value="retain">"retain"</option>
                    <option value="val10">"val10 (validation authors)"</option>
                    <option value="holdout">"holdout (never trained)"</option>
                    <option value="world">"world facts"</option>
                    <option value="custom">"your facts"</option>
                </select>
            </div>
            <div class="table-scroll">
                <table data-testid="facts">
                    <thead>
                        <tr>
                            <th>"forget"</th>
                            <th>"author"</th>
                            <th>"question"</th>
                            <th>"answer"</th>
                            <th title="watch its answer in the generations panel">"watch"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each={move || visible.get().0} key={|r| r.id.clone()} let:row>
                            {
                                let id = row.id.clone();
                                let split = row.split.clone();
                                let id_toggle = id.clone();
                                let (row_id, row_split) = (id.clone(), split.clone());
                                let id_watch = id.clone();
                                let id_watch2 = id.clone();
                                let author = row.author.clone();
                                let can_pick = matches!(
                                    split.as_str(),
                                    "forget01" | "forget05" | "forget10" | "val10" | "retain"
                                    | "custom"
                                );
                                view! {
                                    <tr data-id={row_id} data-split={row_split}>
                                        <td>
                                            <input
                                                type="checkbox"
                                                data-testid="fact-pick"
                                                aria-label="forget this fact"
                                                disabled={!can_pick}
                                                prop:checked={move || is_selected(&id, &split)}
                                                on:change={move |ev| toggle(
                                                    vec![id_toggle.clone()],
                                                    event_target_checked(&ev),
                                                )}
                                            />
                                        </td>
                                        <td>
                                            {if author.is_empty() {
                                                view! { <span class="muted">{row.kind.clone()}</span> }
                                                    .into_any()
                                            } else {
                                                let name = author.clone();
                                                view! {
                                                    <button
                                                        class="link"
                                                        data-testid="pick-author"
                                                        title="forget all of this author's facts"
                                                        on:click={move |_| {
                                                            let ids = author_items(&state, &name);
                                                            toggle(ids, true);
                                                        }}
                                                    >
                                                        {author.clone()}
                                                    </button>
                                                }
                                                    .into_any()
                                            }}
                                        </td>
                                        <td>{row.question.clone()}</td>
                                        <td>{row.answer.clone()}</td>
                                        <td>
                                            <button
                                                class="watch"
                                                data-testid="watch"
                                                aria-label="watch this answer"
                                                disabled={move || {
                                                    !watchable.with(|w| w.contains(&id_watch))
                                                }}
                                                class:on={move || {
                                                    state.watched.with(|w| w.contains(&id_watch2))
                                                }}
                                                on:click={
                                                    let id = row.id.clone();
                                                    move |_| actions::toggle_watch(state, id.clone())
                                                }
                                            >
                                                "◉"
                                            </button>
                                        </td>
                                    </tr>
                                }
                            }
                        </For>
                    </tbody>
                </table>
            </div>
            <p class="hint">
                {move || {
                    let (_, n) = visible.get();
                    if n > SHOWN {
                        format!("showing {SHOWN} of {n}: search to narrow")
                    } else {
                        format!("{n} facts")
                    }
                }}
            </p>
            <AddFact />
        </section>
    }
}

/// "Add your own fact": the model learns it first (live), then it can be forgotten.
#[component]
fn AddFact() -> impl IntoView {
    let state = expect_context::<AppState>();
    let question = RwSignal::new(String::new());
    let answer = RwSignal::new(String::new());
    let steps = RwSignal::new(40usize);
    let busy = move || matches!(state.phase.get(), Phase::Busy | Phase::Learning | Phase::Running);
    let teach = move |_| {
        actions::teach(
            state,
            question.get_untracked(),
            answer.get_untracked(),
            steps.get_untracked(),
        )
    };
    view! {
        <details class="add-fact" open>
            <summary data-testid="add-fact">"Add your own fact"</summary>
            <input
                data-testid="fact-question"
                placeholder="Question, e.g. What is the name of Lena's cat?"
                prop:value={question}
                on:input={move |ev| question.set(event_target_value(&ev))}
            />
            <input
                data-testid="fact-answer"
                placeholder="Answer, e.g. Her cat is called Pumpernickel."
                prop:value={answer}
                on:input={move |ev| answer.set(event_target_value(&ev))}
            />
            <label>
                "steps "
                <input
                    type="number"
                    data-testid="teach-steps"
                    min="1"
                    max="500"
                    class="num"
                    prop:value={move || steps.get().to_string()}
                    on:change={move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse() {
                            steps.set(v)
                        }
                    }}
                />
            </label>
            <button data-testid="teach" on:click={teach} disabled={busy}>
                "Teach the model"
            </button>
            <div data-testid="learning">
                {move || {
                    state
                        .learning
                        .get()
                        .map(|l| {
                            view! {
                                <progress max={l.steps} value={l.step}></progress>
                                <span
                                    data-testid="learn-probability"
                                    data-value={l.probability.to_string()}
                                >
                                    {format!(
                                        " step {}/{} · answer probability {:.3}",
                                        l.step,
                                        l.steps,
                                        l.probability,
                                    )}
                                </span>
                            }
                        })
                }}
            </div>
        </details>
    }
}
