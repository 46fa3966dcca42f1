//! Answers side by side: the original model's (step 0), the current model's, each token coloured
//! by the probability the model gave it, and for forget items of a preset split the retain
//! model's (never trained on them): what successful unlearning should look like.

use leptos::prelude::*;

use super::state::AppState;

/// Red (unsure) → green (sure).
fn token_style(p: f32) -> String {
    let hue = (p.clamp(0.0, 1.0) * 120.0).round();
    format!("background: hsla({hue}, 70%, 50%, 0.28)")
}

#[component]
fn Tokens(tokens: Vec<(String, f32)>) -> impl IntoView {
    tokens
        .into_iter()
        .map(|(t, p)| {
            view! {
                <span class="tok" style={token_style(p)} title={format!("p = {p:.3}")}>
                    {t}
                </span>
            }
        })
        .collect_view()
}

#[component]
pub fn GenerationPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let samples =
        move || state.history.with(|h| h.last().map(|s| s.samples.clone()).unwrap_or_default());
    // The live estimate's probability of the true answer, after the last evaluation's answer.
    let live = move |id: &str| {
        let id = id.to_string();
        move || {
            state.estimate.with(|e| {
                e.as_ref().and_then(|e| e.watched.iter().find(|(w, _)| *w == id)).map(|(_, p)| {
                    view! {
                        <span
                            class="live"
                            data-testid="live-probability"
                            data-value={p.to_string()}
                        >
                            {format!(" ≈ p {p:.2}")}
                        </span>
                    }
                })
            })
        }
    };
    view! {
        <section
            class="panel generation"
            aria-label="What the model answers"
            data-panel="generation-panel"
            data-testid="answers"
        >
            <h2>"What the model answers"</h2>
            <p class="hint">
                "Greedy answers at each evaluation, each token coloured by its probability (red \
                    low, green high); between evaluations, ≈ the true answer's probability. Watch \
                    other questions with ◉ in the facts table."
            </p>
            <table data-testid="generations">
                <thead>
                    <tr>
                        <th>"question"</th>
                        <th>"true answer"</th>
                        <th>"original model"</th>
                        <th>"now"</th>
                        <th title="A model trained the same way without the forget set (TOFU's \
                        retain model): what successful unlearning should look like">
                            "retain model"
                        </th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        samples()
                            .into_iter()
                            .map(|s| {
                                let original = state.original.with(|o| o.get(&s.id).cloned());
                                view! {
                                    <tr
                                        data-id={s.id.clone()}
                                        class:forgotten={!s.contains_key_entity}
                                    >
                                        <td>{s.question.clone()}</td>
                                        <td class="truth">{s.answer.clone()}</td>
                                        <td data-testid="original-answer">
                                            {match original {
                                                Some(o) => view! { <Tokens tokens={o.tokens} /> }.into_any(),
                                                None => {
                                                    view! { <em>"(watch from step 0 to see it)"</em> }
                                                        .into_any()
                                                }
                                            }}
                                        </td>
                                        <td
                                            data-testid="current-answer"
                                            data-text={s.generated.clone()}
                                        >
                                            <Tokens tokens={s.tokens.clone()} />
                                            {live(&s.id)}
                                        </td>
                                        <td data-testid="retain-answer">
                                            {match s.retain_model_answer.clone() {
                                                Some(a) => view! { <span>{a}</span> }.into_any(),
                                                None => view! { <em class="hint">"–"</em> }.into_any(),
                                            }}
                                        </td>
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
