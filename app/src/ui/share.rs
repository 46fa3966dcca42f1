//! Teacher mode: hide panels and controls through the link (`hide=facts-panel,backend,lr`), and
//! the Share dialog that builds such a link with a checkbox per hideable thing.
//!
//! Hiding is one generated style rule: anything whose `data-panel`, `data-control` or
//! `data-testid` equals a hidden name is not displayed. A name the page does not know hides
//! nothing.

use leptos::prelude::*;

use super::state::AppState;
use crate::settings::to_query;

/// What the Share dialog offers to hide: (name in the link, what it is).
pub const HIDEABLE: [(&str, &str); 19] = [
    ("facts-panel", "Facts panel (what to forget)"),
    ("method-panel", "Method panel"),
    ("method", "Method choice"),
    ("lr", "Learning rate"),
    ("batch-size", "Batch size"),
    ("seed", "Seed"),
    ("steps", "Steps"),
    ("eval-every", "Evaluation interval"),
    ("eval-size", "Evaluation size"),
    ("backend", "Backend switch"),
    ("step", "Step button"),
    ("stop", "Stop button"),
    ("reset", "Reset button"),
    ("charts-panel", "Charts"),
    ("generation-panel", "Model answers"),
    ("attack-panel", "Relearning attack"),
    ("history-panel", "Run history"),
    ("export-panel", "Export"),
    ("lab-panel", "Lab panel"),
];

/// A name safe to put in a CSS attribute selector.
fn safe(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The style rule that hides what the link says.
#[component]
pub fn HideStyle() -> impl IntoView {
    let state = expect_context::<AppState>();
    let css = move || {
        state.hidden.with(|h| {
            h.iter()
                .filter(|n| safe(n))
                .map(|n| format!("[data-panel=\"{n}\"],[data-control=\"{n}\"],[data-testid=\"{n}\"]{{display:none!important}}"))
                .collect::<Vec<_>>()
                .join("\n")
        })
    };
    view! { <style data-testid="hide-style">{css}</style> }
}

/// The Share button and its dialog.
#[component]
pub fn ShareDialog() -> impl IntoView {
    let state = expect_context::<AppState>();
    let open = RwSignal::new(false);
    let to_hide = RwSignal::new(std::collections::BTreeSet::<String>::new());
    let link = move || {
        let mut url = state.url_state();
        // Tracked: the link follows the settings and the checkboxes while the dialog is open.
        url.settings = state.settings.get();
        url.hidden = to_hide.get();
        let page = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
        let page = page.split(['?', '#']).next().unwrap_or_default().to_string();
        format!("{page}?{}", to_query(&url))
    };
    let copy = move |_| super::actions::copy(&link());
    view! {
        <button
            data-testid="share"
            on:click={move |_| {
                to_hide.set(state.hidden.get_untracked());
                open.update(|o| *o = !*o)
            }}
            aria-expanded={move || open.get().to_string()}
        >
            "Share…"
        </button>
        <Show when={move || open.get()}>
            <div
                class="share-dialog panel"
                role="dialog"
                aria-label="Share this experiment"
                data-testid="share-dialog"
            >
                <h2>"Share this experiment"</h2>
                <p class="hint">
                    "The link opens these settings (method, facts, every hyper-parameter, seed, \
                        backend); a run from it gives the same numbers on the same backend. Tick \
                        what students should not see."
                </p>
                <div class="hide-list">
                    {HIDEABLE
                        .into_iter()
                        .map(|(name, label)| {
                            view! {
                                <label>
                                    <input
                                        type="checkbox"
                                        data-testid={format!("hide-{name}")}
                                        prop:checked={move || to_hide.with(|h| h.contains(name))}
                                        on:change={move |ev| {
                                            let on = event_target_checked(&ev);
                                            to_hide
                                                .update(|h| {
                                                    if on {
                                                        h.insert(name.to_string());
                                                    } else {
                                                        h.remove(name);
                                                    }
                                                });
                                        }}
                                    />
                                    " "
                                    {label}
                                </label>
                            }
                        })
                        .collect_view()}
                </div>
                <label class="field">
                    <span>"Link"</span>
                    <input
                        type="text"
                        readonly
                        data-testid="share-link"
                        prop:value={link}
                        aria-label="Link to share"
                    />
                </label>
                <div class="row">
                    <button data-testid="copy-link" on:click={copy}>
                        "Copy link"
                    </button>
                    <button data-testid="share-close" on:click={move |_| open.set(false)}>
                        "Close"
                    </button>
                </div>
            </div>
        </Show>
    }
}
