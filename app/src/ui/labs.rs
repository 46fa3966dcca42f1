//! The guided labs' panel: a short text, steps that set the controls, and questions for the
//! student. A lab is a TOML file; its format is `lab_file.rs`.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::actions;
use super::state::{AppState, Level};
use crate::lab_file::{Lab, parse_lab};

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
            <select
                data-testid="lab-select"
                aria-label="Guided lab"
                prop:value={move || state.lab.get().unwrap_or_default()}
                on:change={move |ev| {
                    let v = event_target_value(&ev);
                    done.set(Default::default());
                    actions::open_lab(state, Some(v).filter(|v| !v.is_empty()));
                }}
            >
                <option value="">"— pick a lab —"</option>
                {move || {
                    labs.get()
                        .into_iter()
                        .map(|(name, lab)| view! { <option value={name}>{lab.title}</option> })
                        .collect_view()
                }}
            </select>
            {move || {
                current
                    .get()
                    .map(|(_, lab)| {
                        view! {
                            <div data-testid="lab">
                                <h3 data-testid="lab-title">{lab.title.clone()}</h3>
                                <p>{lab.summary.clone()}</p>
                                <ol class="lab-steps">
                                    {lab
                                        .steps
                                        .iter()
                                        .cloned()
                                        .enumerate()
                                        .map(|(i, step)| {
                                            let label = step.button();
                                            let s2 = step.clone();
                                            view! {
                                                <li class:done={move || {
                                                    done.with(|d| d.contains(&i))
                                                }}>
                                                    {step.text.clone()} " "
                                                    <button
                                                        data-testid={format!("lab-step-{}", i + 1)}
                                                        on:click={move |_| {
                                                            actions::lab_step(state, &s2);
                                                            done.update(|d| {
                                                                d.insert(i);
                                                            });
                                                        }}
                                                    >
                                                        {label}
                                                    </button>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ol>
                                <h4>"Questions"</h4>
                                <ol class="lab-questions" data-testid="lab-questions">
                                    {lab
                                        .questions
                                        .iter()
                                        .map(|q| view! { <li>{q.text.clone()}</li> })
                                        .collect_view()}
                                </ol>
                            </div>
                        }
                    })
            }}
        </section>
    }
}
