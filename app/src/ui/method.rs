//! The method panel: every method the engine offers, its one-line explanation with the paper,
//! and the hyper-parameters it uses.

use forgetlab::methods::{Hyper, MethodKind};
use leptos::prelude::*;

use super::state::{AppState, EvalSize};

/// A labelled number input bound to one field of the settings. Invalid text is kept out of the
/// settings (the field shows it, the run refuses NaN through `Hyper::validate`).
#[component]
fn NumberField(
    label: &'static str,
    testid: &'static str,
    #[prop(into)] hint: Signal<&'static str>,
    get: Signal<f64>,
    set: Callback<f64>,
    #[prop(optional)] step: Option<&'static str>,
) -> impl IntoView {
    view! {
        <label class="field" title=move || hint.get() data-control=testid>
            <span>{label}</span>
            <input type="number" class="num" data-testid=testid step=step.unwrap_or("any") prop:value=move || get.get().to_string()
                on:change=move |ev| {
                    let text = event_target_value(&ev);
                    set.run(text.trim().parse::<f64>().unwrap_or(f64::NAN));
                } />
        </label>
    }
}

#[component]
pub fn MethodPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let method = Memo::new(move |_| state.settings.with(|s| s.method));
    let hyper_field = move |read: fn(&Hyper) -> f64, write: fn(&mut Hyper, f64)| {
        (
            Signal::derive(move || state.settings.with(|s| read(&s.hyper))),
            Callback::new(move |v: f64| state.settings.update(|s| write(&mut s.hyper, v))),
        )
    };
    let (lr, set_lr) = hyper_field(|h| h.lr, |h, v| h.lr = v);
    let (bs, set_bs) = hyper_field(
        |h| h.batch_size as f64,
        |h, v| h.batch_size = if v.is_finite() && v >= 1.0 { v as usize } else { 0 },
    );
    let (beta, set_beta) = hyper_field(|h| h.beta, |h, v| h.beta = v);
    let (rw, set_rw) = hyper_field(|h| h.retain_weight, |h, v| h.retain_weight = v);
    let (fw, set_fw) = hyper_field(|h| h.forget_weight, |h, v| h.forget_weight = v);
    let (delta, set_delta) = hyper_field(|h| h.delta, |h, v| h.delta = v);
    let (klw, set_klw) = hyper_field(|h| h.kl_weight, |h, v| h.kl_weight = v);
    let (layer, set_layer) = hyper_field(
        |h| h.layer as f64,
        |h, v| h.layer = if v.is_finite() && v >= 0.0 { v as usize } else { 0 },
    );
    let (steering, set_steering) = hyper_field(|h| h.steering, |h, v| h.steering = v);
    let (demos, set_demos) = hyper_field(
        |h| h.demos as f64,
        |h, v| h.demos = if v.is_finite() && v >= 0.0 { v as usize } else { 0 },
    );
    let (assistant_layers, set_assistant_layers) = hyper_field(
        |h| h.assistant_layers as f64,
        |h, v| h.assistant_layers = if v.is_finite() && v >= 0.0 { v as usize } else { 0 },
    );
    let (logit_weight, set_logit_weight) =
        hyper_field(|h| h.logit_weight, |h, v| h.logit_weight = v);
    let (top_filter, set_top_filter) = hyper_field(|h| h.top_filter, |h, v| h.top_filter = v);
    let (lora_rank, set_lora_rank) = hyper_field(
        |h| h.lora_rank as f64,
        |h, v| h.lora_rank = if v.is_finite() && v >= 0.0 { v as usize } else { 0 },
    );
    let seed = Signal::derive(move || state.settings.with(|s| s.seed as f64));
    let set_seed = Callback::new(move |v: f64| {
        state.settings.update(|s| s.seed = if v.is_finite() && v >= 0.0 { v as u64 } else { 0 })
    });
    let steps = Signal::derive(move || state.settings.with(|s| s.steps as f64));
    let set_steps = Callback::new(move |v: f64| {
        state.settings.update(|s| s.steps = if v.is_finite() && v >= 1.0 { v as usize } else { 0 })
    });
    let every = Signal::derive(move || state.settings.with(|s| s.eval_every as f64));
    let set_every = Callback::new(move |v: f64| {
        state
            .settings
            .update(|s| s.eval_every = if v.is_finite() && v >= 1.0 { v as usize } else { 1 })
    });
    let on_method = move |ev: leptos::ev::Event| {
        if let Ok(m) = MethodKind::parse(&event_target_value(&ev)) {
            // A new method brings its own defaults (its learning rate differs).
            state.settings.update(|s| {
                s.method = m;
                s.hyper = m.default_hyper();
            });
        }
    };
    view! {
        <section class="panel method" aria-label="Method" data-panel="method-panel">
            <h2>"2. Unlearning method"</h2>
            <select data-testid="method" aria-label="Method" prop:value=move || method.get().name().to_string() on:change=on_method>
                {MethodKind::ALL.into_iter().map(|m| view! { <option value=m.name()>{m.name()}</option> }).collect_view()}
            </select>
            <p class="hint" data-testid="method-description">{move || method.get().description()}</p>
            <div class="fields">
                <NumberField label="learning rate" testid="lr" hint="AdamW step size; can change during a run" get=lr set=set_lr />
                <NumberField label="batch size" testid="batch-size" hint="forget examples per step" get=bs set=set_bs step="1" />
                <Show when=move || method.get().beta_meaning().is_some()>
                    <NumberField label="β" testid="beta" hint=Signal::derive(move || method.get().beta_meaning().unwrap_or_default()) get=beta set=set_beta />
                </Show>
                <Show when=move || method.get().uses_delta()>
                    <NumberField label="δ (margin)" testid="delta" hint="SimNPO's margin on the length-normalised loss" get=delta set=set_delta />
                </Show>
                <Show when=move || method.get().uses_forget_weight()>
                    <NumberField label="forget weight γ" testid="forget-weight" hint="weight of the forget loss" get=fw set=set_fw />
                </Show>
                <Show when=move || method.get().uses_retain()>
                    <NumberField label="retain weight" testid="retain-weight" hint="weight of the retain loss" get=rw set=set_rw />
                </Show>
                <Show when=move || method.get() == MethodKind::Relearn>
                    <NumberField label="KL weight" testid="kl-weight" hint="ReLearn's KL to the original model on retain" get=klw set=set_klw />
                </Show>
                <Show when=move || method.get().uses_steering()>
                    <NumberField label="layer" testid="layer" hint="RMU: the block (0-based) whose output is steered" get=layer set=set_layer step="1" />
                    <NumberField label="steering c" testid="steering" hint="RMU: forget activations are pushed toward c·u, u a random unit vector" get=steering set=set_steering />
                </Show>
                <Show when=move || method.get() == MethodKind::Ike>
                    <NumberField label="demonstrations" testid="demos" hint="IKE: examples shown before each question (the context holds 64 tokens)" get=demos set=set_demos step="1" />
                </Show>
                <Show when=move || method.get().uses_assistant()>
                    <NumberField label="assistant blocks" testid="assistant-layers" hint="ULD: the assistant is the model's first K blocks, trained to know only the forget set" get=assistant_layers set=set_assistant_layers step="1" />
                    <NumberField label="logit weight w" testid="logit-weight" hint="ULD: answers use z_model + w·z_assistant; negative subtracts" get=logit_weight set=set_logit_weight />
                    <NumberField label="top filter f" testid="top-filter" hint="ULD: only tokens the model itself finds plausible (within a factor f of its best) are re-ranked" get=top_filter set=set_top_filter />
                </Show>
                <Show when=move || method.get().trains() && method.get() != MethodKind::Retrain>
                    <NumberField label="LoRA rank" testid="lora-rank" hint="0 trains every weight; r > 0 freezes them and trains rank-r adapters on each block's projections (LoRA)" get=lora_rank set=set_lora_rank step="1" />
                </Show>
                <NumberField label="seed" testid="seed" hint="data order; same seed, same run" get=seed set=set_seed step="1" />
                <NumberField label="steps" testid="steps" hint="Run stops here" get=steps set=set_steps step="1" />
                <NumberField label="evaluate every" testid="eval-every" hint="steps between evaluations" get=every set=set_every step="1" />
            </div>
            <label class="field" data-control="eval-size">
                <span>"evaluation size"</span>
                <select data-testid="eval-size" prop:value=move || state.settings.with(|s| s.eval_size.name())
                    on:change=move |ev| if let Some(e) = EvalSize::parse(&event_target_value(&ev)) { state.settings.update(|s| s.eval_size = e) }>
                    {EvalSize::ALL.into_iter().map(|e| view! { <option value=e.name()>{e.label()}</option> }).collect_view()}
                </select>
            </label>
        </section>
    }
}
