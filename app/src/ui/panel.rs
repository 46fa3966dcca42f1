//! Panels that open on demand: everything past the first screen (all metrics, per kind and per
//! layer, history, export, the relearning attack, model loading, …) is a `<details>` whose
//! summary names it. Which ones are open is page state (`state.open`), so it is kept in the URL
//! (`open=`) and with the last visit's settings, and a shared link opens the same panels.

use leptos::prelude::*;

use super::actions;
use super::state::AppState;

/// A panel that opens on demand. `name` is its `data-panel` (teacher mode hides it by that
/// name) and its key in the URL; `testid` names its summary, the control that opens it.
#[component]
pub fn Panel(
    name: &'static str,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] testid: String,
    children: Children,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let on_toggle = move |ev: leptos::ev::Event| {
        let open = ev
            .target()
            .and_then(|t| js_sys::Reflect::get(&t, &"open".into()).ok())
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        actions::open_panel(state, name, open);
    };
    view! {
        <details
            class="panel on-demand"
            data-panel={name}
            prop:open={move || state.open.with(|o| o.contains(name))}
            on:toggle={on_toggle}
        >
            <summary data-testid={testid}>{move || title.get()}</summary>
            {children()}
        </details>
    }
}
