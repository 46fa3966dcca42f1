//! Learn mode's first-screen numbers: is stage 1 still known, is the current stage learned, is
//! general knowledge kept — each the latest evaluation's value with its step-0 value and a
//! sparkline, like Forget mode's headline (headline.rs).

use forgetlab_core::continual::ContinualSnapshot;
use leptos::prelude::*;

use super::headline::Sparkline;
use super::state::AppState;

/// (question, key, what it is, how to read it from a snapshot).
type LearnNumber = (&'static str, &'static str, &'static str, fn(&ContinualSnapshot) -> f64);

const NUMBERS: [LearnNumber; 3] = [
    (
        "Stage 1 still known?",
        "stage1.accuracy",
        "Exact-match accuracy on the first stage's facts (↑): what later stages make the model \
            forget.",
        |s| s.stages.first().map_or(f64::NAN, |st| st.scores.accuracy),
    ),
    (
        "This stage learned?",
        "current.accuracy",
        "Exact-match accuracy on the facts of the stage being trained (↑).",
        |s| s.stages.get(s.stage.saturating_sub(1)).map_or(f64::NAN, |st| st.scores.accuracy),
    ),
    (
        "General knowledge kept?",
        "world.prob",
        "Answer probability on world facts the model started with (↑; TOFU's probability).",
        |s| s.world.prob,
    ),
];

#[component]
pub fn LearnHeadline() -> impl IntoView {
    let state = expect_context::<AppState>();
    let cards = NUMBERS.map(|(question, key, about, read)| {
        let first = move || state.learn_history.with(|h| h.first().map(read));
        let last = move || state.learn_history.with(|h| h.last().map(|s| (s.step, read(s))));
        let points = Signal::derive(move || {
            state
                .learn_history
                .with(|h| h.iter().map(|s| (s.step as f64, read(s))).collect::<Vec<_>>())
        });
        let fmt = |v: Option<f64>| {
            v.filter(|v| v.is_finite()).map_or("–".into(), |v| format!("{v:.2}"))
        };
        view! {
            <div
                class="card"
                data-metric={key}
                data-value={move || last().map(|(_, v)| v.to_string()).unwrap_or_default()}
                data-step={move || last().map_or(0, |(s, _)| s).to_string()}
                title={about}
            >
                <div class="question">{question}</div>
                <div class="value">{move || fmt(last().map(|(_, v)| v))}</div>
                <Sparkline points={points} log=false label={question} />
                <div class="field">{about}</div>
                <div class="start">{move || format!("step 0: {}", fmt(first()))}</div>
            </div>
        }
    });
    view! {
        <section class="headline" data-testid="learn-headline" aria-label="Headline numbers">
            <div class="cards">{cards.into_iter().collect_view()}</div>
        </section>
    }
}
