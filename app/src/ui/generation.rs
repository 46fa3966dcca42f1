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
    view! {
        <section class="panel generation" aria-label="Generations" data-panel="generation-panel">
            <h2>"What the model answers"</h2>
            <p class="hint">
                "Greedy answers, regenerated at each evaluation. Token colour: the model's \
                    probability for it (red low, green high). Pick questions to watch in the facts \
                    panel (◉)."
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
