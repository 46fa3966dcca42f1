//! Keyboard shortcuts for demos on a projector: Space = Run/Pause, S = Step, R = Reset — the
//! same actions as the buttons (`actions::play_pause`, `step`, `reset`). Keys typed into a
//! text field, number field or list are left alone.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::actions;
use super::state::AppState;

pub fn install(state: AppState) {
    let Some(window) = web_sys::window() else { return };
    let on_key =
        Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |ev: web_sys::KeyboardEvent| {
            if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
                return;
            }
            let in_field =
                ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| {
                    matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON")
                });
            if in_field {
                return;
            }
            let handled = match ev.key().as_str() {
                " " => {
                    actions::play_pause(state);
                    true
                }
                "s" | "S" => {
                    actions::step(state);
                    true
                }
                "r" | "R" => {
                    actions::reset(state);
                    true
                }
                _ => false,
            };
            if handled {
                ev.prevent_default();
            }
        });
    let _ = window.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
    on_key.forget();
}
