//! Guided labs: a side panel with a short text, steps that set the controls, and questions for
//! the student. Labs are data, not code — `public/labs/<name>.toml`, listed in
//! `labs/index.json` (the build writes it from the directory), so a teacher adds one without
//! touching Rust. Format (documented in public/labs/README.md):
//!
//! ```toml
//! title = "Why gradient ascent breaks the model"
//! summary = "One paragraph: what the lab is about."
//! [[step]]
//! text = "What to do or watch."
//! set = "method=ga&forget=forget05&steps=30"   # optional: the link's keys (url_state.rs)
//! action = "run"                               # optional: run | step | reset | attack
//! [[question]]
//! text = "A question for the student."
//! ```

use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::state::{AppState, Level};

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct LabStep {
    pub text: String,
    #[serde(default)]
    pub set: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct LabQuestion {
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Lab {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default, rename = "step")]
    pub steps: Vec<LabStep>,
    #[serde(default, rename = "question")]
    pub questions: Vec<LabQuestion>,
}

/// A lab file's text as a [`Lab`], or what is wrong with it.
pub fn parse_lab(text: &str) -> Result<Lab, String> {
    let lab: Lab = toml::from_str(text).map_err(|e| e.to_string())?;
    for step in &lab.steps {
        if let Some(a) = &step.action
            && !matches!(a.as_str(), "run" | "step" | "reset" | "attack")
        {
            return Err(format!("unknown action “{a}” (run, step, reset or attack)"));
        }
    }
    Ok(lab)
}

/// GET a file of the page's own origin as text.
async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response =
        JsFuture::from(window.fetch_with_str(url)).await.map_err(|e| format!("{url}: {e:?}"))?;
    let response: web_sys::Response =
        response.dyn_into().map_err(|_| format!("{url}: not a response"))?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(|e| format!("{e:?}"))?)
        .await
        .map_err(|e| format!("{e:?}"))?;
    text.as_string().ok_or_else(|| format!("{url}: not text"))
}

/// Carry out one step: its settings, then its action.
fn do_step(state: AppState, step: &LabStep) {
    if let Some(set) = &step.set {
        state.follow_link(set);
    }
    match step.action.as_deref() {
        Some("run") => {
            if state.phase.get_untracked() != crate::protocol::Phase::Running {
                state.play_pause();
            }
        }
        Some("step") => state.step(),
        Some("reset") => state.reset(),
        Some("attack") => super::attack::start_attack(state),
        _ => {}
    }
}

#[component]
pub fn LabPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    // (name, lab) of every lab in the index, in its order.
    let labs = RwSignal::new(Vec::<(String, Lab)>::new());
    leptos::task::spawn_local(async move {
        let index = match fetch_text("labs/index.json")
            .await
            .and_then(|t| serde_json::from_str::<Vec<String>>(&t).map_err(|e| e.to_string()))
        {
            Ok(i) => i,
            Err(e) => {
                return state
                    .say(Level::Error, format!("The guided labs could not be listed: {e}"));
            }
        };
        let mut out = Vec::new();
        for name in index {
            match fetch_text(&format!("labs/{name}.toml")).await.and_then(|t| parse_lab(&t)) {
                Ok(lab) => out.push((name, lab)),
                Err(e) => state.say(Level::Error, format!("Lab “{name}” could not be read: {e}")),
            }
        }
        labs.set(out);
    });
    let current = Memo::new(move |_| {
        let name = state.lab.get()?;
        labs.with(|l| l.iter().find(|(n, _)| *n == name).cloned())
    });
    let done = RwSignal::new(std::collections::BTreeSet::<usize>::new());
    view! {
        <section class="panel lab" aria-label="Guided lab" data-panel="lab-panel">
            <h2>"Guided labs"</h2>
            <select data-testid="lab-select" aria-label="Guided lab" prop:value=move || state.lab.get().unwrap_or_default()
                on:change=move |ev| { let v = event_target_value(&ev); done.set(Default::default()); state.lab.set(Some(v).filter(|v| !v.is_empty())); }>
                <option value="">"— pick a lab —"</option>
                {move || labs.get().into_iter().map(|(name, lab)| view! { <option value=name>{lab.title}</option> }).collect_view()}
            </select>
            {move || current.get().map(|(_, lab)| view! {
                <div data-testid="lab">
                    <h3 data-testid="lab-title">{lab.title.clone()}</h3>
                    <p>{lab.summary.clone()}</p>
                    <ol class="lab-steps">
                        {lab.steps.iter().cloned().enumerate().map(|(i, step)| {
                            let label = match (&step.set, step.action.as_deref()) {
                                (_, Some("run")) => "Set up and run",
                                (_, Some("attack")) => "Attack",
                                (_, Some("step")) => "Step",
                                (_, Some("reset")) => "Reset",
                                (Some(_), None) => "Set up",
                                (None, None) => "Done",
                                (_, Some(_)) => "Do it",
                            };
                            let s2 = step.clone();
                            view! {
                                <li class:done=move || done.with(|d| d.contains(&i))>
                                    {step.text.clone()} " "
                                    <button data-testid=format!("lab-step-{}", i + 1) on:click=move |_| { do_step(state, &s2); done.update(|d| { d.insert(i); }); }>{label}</button>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                    <h4>"Questions"</h4>
                    <ol class="lab-questions" data-testid="lab-questions">
                        {lab.questions.iter().map(|q| view! { <li>{q.text.clone()}</li> }).collect_view()}
                    </ol>
                </div>
            })}
        </section>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn the_shipped_labs_parse_and_their_settings_are_valid() {
        let labs = [
            include_str!("../../../public/labs/ga-breaks.toml"),
            include_str!("../../../public/labs/relearn-vs-ga.toml"),
            include_str!("../../../public/labs/does-it-generalize.toml"),
            include_str!("../../../public/labs/is-it-gone.toml"),
        ];
        for text in labs {
            let lab = parse_lab(text).unwrap();
            assert!(!lab.steps.is_empty() && !lab.questions.is_empty(), "{}", lab.title);
            for step in lab.steps.iter().filter_map(|s| s.set.as_deref()) {
                let base = super::super::url_state::UrlState {
                    settings: Default::default(),
                    backend: None,
                    hidden: Default::default(),
                    lab: None,
                };
                let (_, problems) = super::super::url_state::apply_query(&base, step);
                assert!(problems.is_empty(), "{}: {step}: {problems:?}", lab.title);
            }
        }
    }

    #[test]
    fn an_unknown_action_is_an_error() {
        assert!(
            parse_lab("title = \"x\"\n[[step]]\ntext = \"t\"\naction = \"explode\"\n")
                .unwrap_err()
                .contains("explode")
        );
        assert!(parse_lab("title = ").is_err());
    }
}
