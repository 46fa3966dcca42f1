//! Where the fact lives, block by block: the logit lens and the linear probe on the forget items
//! (and the probe on retained items, the control), at step 0 and now, and how similar the forget
//! items' representations still are to the original model's and the retain model's (CKA).

use forgetlab_core::eval::Snapshot;
use leptos::prelude::*;

use super::state::AppState;

fn at(v: &[f64], layer: usize) -> String {
    v.get(layer).map(|x| format!("{x:.3}")).unwrap_or_else(|| "–".into())
}

#[component]
pub fn LayersTable() -> impl IntoView {
    let state = expect_context::<AppState>();
    let pair = move || state.history.with(|h| Some((h.first()?.clone(), h.last()?.clone())));
    let rows = move || {
        let Some((first, last)) = pair() else { return vec![] };
        let n = first
            .representation
            .logit_lens_forget
            .len()
            .max(first.representation.probe_forget.len());
        let cols = |s: &Snapshot, l: usize| {
            (
                at(&s.representation.logit_lens_forget, l),
                at(&s.representation.probe_forget, l),
                at(&s.representation.probe_retain, l),
                at(&s.representation.cka_original, l),
                at(&s.representation.cka_retain, l),
            )
        };
        (0..n).map(|l| (l, cols(&first, l), cols(&last, l))).collect::<Vec<_>>()
    };
    let chance = move || {
        pair().map(|(_, s)| format!("{:.3}", s.representation.probe_chance)).unwrap_or_default()
    };
    view! {
        <table class="metrics layers" data-testid="layers">
            <caption>
                "Inside the model, after each block (step 0 → now). Logit lens: probability of the \
                    key entity's first token read out there. "
                "Linear probe: fitted on the original model, how often a linear read-out still \
                    picks the key entity among its candidates (chance " {chance}
                ", Kim et al. 2025). CKA: linear CKA of the forget items' hidden states with \
                    the original model's and the retain model's (Kornblith et al. 2019; – where \
                    the retain model's states are not known)."
            </caption>
            <thead>
                <tr>
                    <th>"block"</th>
                    <th>"logit lens, forget"</th>
                    <th>"probe, forget"</th>
                    <th>"probe, retain"</th>
                    <th>"CKA to original"</th>
                    <th>"CKA to retain model"</th>
                </tr>
            </thead>
            <tbody>
                {move || {
                    rows()
                        .into_iter()
                        .map(|(l, a, b)| {
                            view! {
                                <tr data-layer={l}>
                                    <td>{l}</td>
                                    <td data-metric={format!(
                                        "lens.{l}",
                                    )}>{format!("{} → {}", a.0, b.0)}</td>
                                    <td data-metric={format!(
                                        "probe_forget.{l}",
                                    )}>{format!("{} → {}", a.1, b.1)}</td>
                                    <td data-metric={format!(
                                        "probe_retain.{l}",
                                    )}>{format!("{} → {}", a.2, b.2)}</td>
                                    <td data-metric={format!(
                                        "cka_original.{l}",
                                    )}>{format!("{} → {}", a.3, b.3)}</td>
                                    <td data-metric={format!(
                                        "cka_retain.{l}",
                                    )}>{format!("{} → {}", a.4, b.4)}</td>
                                </tr>
                            }
                        })
                        .collect_view()
                }}
            </tbody>
        </table>
    }
}
