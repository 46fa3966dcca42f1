//! The method panel: every method the engine offers, its one-line explanation with the paper,
//! and the hyper-parameters it reads — one field per row of the method's table
//! (`MethodKind::spec`), labelled and explained by the settings table.

use forgetlab_core::methods::{MethodKind, SettingType};
use leptos::prelude::*;

use super::actions;
use super::panel::Panel;
use super::state::AppState;
use crate::settings::{EvalSize, Settings};

/// A labelled number input bound to one field of the settings. Invalid text is kept out of the
/// settings (the field shows it, the run refuses NaN through `Hyper::validate`).
///
/// `set` is a plain closure over the app's state, not a `Callback`: choosing another method
/// replaces the fields, and Chromium fires `change` on a focused field as it is removed, after
/// the reactive values made with it are gone.
#[component]
fn NumberField(
    label: &'static str,
    #[prop(into)] testid: String,
    #[prop(into)] hint: Signal<&'static str>,
    get: Signal<f64>,
    set: impl Fn(f64) + 'static,
    #[prop(default = "any")] step: &'static str,
) -> impl IntoView {
    let control = testid.clone();
    view! {
        <label class="field" title={move || hint.get()} data-control={control}>
            <span>{label}</span>
            <input
                type="number"
                class="num"
                data-testid={testid}
                step={step}
                prop:value={move || get.try_get().unwrap_or_default().to_string()}
                on:change={move |ev| {
                    let text = event_target_value(&ev);
                    set(text.trim().parse::<f64>().unwrap_or(f64::NAN));
                }}
            />
        </label>
    }
}

#[component]
pub fn MethodPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let method = Memo::new(move |_| state.settings.with(|s| s.method));
    // A field of the schedule: how to read it, how to write a typed number into it.
    let schedule_field = move |read: fn(&Settings) -> f64, write: fn(&mut Settings, f64)| {
        (Signal::derive(move || state.settings.with(read)), move |v: f64| {
            actions::edit_settings(state, |s| write(s, v))
        })
    };
    let (seed, set_seed) = schedule_field(
        |s| s.seed as f64,
        |s, v| s.seed = if v.is_finite() && v >= 0.0 { v as u64 } else { 0 },
    );
    let (steps, set_steps) = schedule_field(
        |s| s.steps as f64,
        |s, v| s.steps = if v.is_finite() && v >= 1.0 { v as usize } else { 0 },
    );
    let (every, set_every) = schedule_field(
        |s| s.eval_every as f64,
        |s, v| s.eval_every = if v.is_finite() && v >= 1.0 { v as usize } else { 1 },
    );
    let on_method = move |ev: leptos::ev::Event| {
        if let Ok(m) = MethodKind::parse(&event_target_value(&ev)) {
            actions::choose_method(state, m);
        }
    };
    // One field per setting the method reads, in the settings table's order, with what it means
    // for this method. An integer setting takes whole numbers (anything else becomes 0, which
    // the run refuses where 0 is out of range).
    // The learning rate is on the first screen; the method's other settings under "More
    // settings".
    let hyper_fields = move |main: bool| {
        let for_method = method.get();
        for_method
            .spec()
            .settings()
            .filter(move |(setting, _)| (setting.key == "lr") == main)
            .map(|(setting, meaning)| {
                let integer = setting.kind == SettingType::Integer;
                let get = Signal::derive(move || state.settings.with(|s| (setting.get)(&s.hyper)));
                // A change that arrives after another method was chosen (the field's last
                // `change`, fired as it is removed) belongs to the method it was typed for.
                let set = move |v: f64| {
                    let v = if integer && !v.is_finite() { 0.0 } else { v };
                    if state.settings.with_untracked(|s| s.method) == for_method {
                        actions::edit_settings(state, |s| (setting.set)(&mut s.hyper, v));
                    }
                };
                let step = if integer { "1" } else { "any" };
                view! {
                    <NumberField
                        label={setting.label}
                        testid={setting.dashed()}
                        hint={meaning}
                        get={get}
                        set={set}
                        step={step}
                    />
                }
            })
            .collect_view()
    };
    view! {
        <section class="panel method" aria-label="Method" data-panel="method-panel">
            <h2>"2. Unlearning method"</h2>
            <select
                data-testid="method"
                aria-label="Method"
                prop:value={move || method.get().name().to_string()}
                on:change={on_method}
            >
                {MethodKind::all()
                    .map(|m| view! { <option value={m.name()}>{m.name()}</option> })
                    .collect_view()}
            </select>
            <p class="hint" data-testid="method-description">
                {move || method.get().spec().summary}
            </p>
            <div class="fields">
                {move || hyper_fields(true)}
                <NumberField
                    label="steps"
                    testid="steps"
                    hint="Run stops here"
                    get={steps}
                    set={set_steps}
                    step="1"
                />
            </div>
            <Panel name="method-settings" title="More settings" testid="open-method-settings">
                <div class="fields">
                    {move || hyper_fields(false)}
                    <NumberField
                        label="seed"
                        testid="seed"
                        hint="data order; same seed, same run"
                        get={seed}
                        set={set_seed}
                        step="1"
                    />
                    <NumberField
                        label="evaluate every"
                        testid="eval-every"
                        hint="steps between evaluations"
                        get={every}
                        set={set_every}
                        step="1"
                    />
                </div>
                <label class="field" data-control="eval-size">
                    <span>"evaluation size"</span>
                    <select
                        data-testid="eval-size"
                        prop:value={move || state.settings.with(|s| s.eval_size.name())}
                        on:change={move |ev| {
                            if let Some(e) = EvalSize::parse(&event_target_value(&ev)) {
                                actions::edit_settings(state, |s| s.eval_size = e)
                            }
                        }}
                    >
                        {EvalSize::ALL
                            .into_iter()
                            .map(|e| view! { <option value={e.name()}>{e.label()}</option> })
                            .collect_view()}
                    </select>
                </label>
            </Panel>
        </section>
    }
}
