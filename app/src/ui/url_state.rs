//! The page's settings in its URL, so a pasted link reproduces a run: the method, the facts to
//! forget, every hyper-parameter, seed, schedule, evaluation size, backend, and what a teacher
//! hid. `?method=npo&forget=forget05&lr=0.001&seed=3&hide=facts,backend` — the query string is
//! read and written with `serde_urlencoded`.
//!
//! Reading is forgiving: each key is parsed on its own, and a key that is unknown or whose value
//! does not parse keeps its default and is listed in a notice — a hand-edited link never gives a
//! blank page. Labs (`public/labs/*.toml`) set controls with the same keys.

use std::collections::BTreeSet;

use forgetlab::methods::{Hyper, MethodKind};

use super::state::{EvalSize, Selection, Settings};
use crate::protocol::Backend;

/// Everything a link carries.
#[derive(Clone, Debug, PartialEq)]
pub struct UrlState {
    pub settings: Settings,
    pub backend: Option<Backend>,
    /// Panels and controls hidden (teacher mode), by their `data-control` / `data-panel` name.
    pub hidden: BTreeSet<String>,
    /// A guided lab to open, by file name without `.toml`.
    pub lab: Option<String>,
}

/// The hyper-parameters a link can set: (key, read, write). Integers go through f64.
type Field = (&'static str, fn(&Hyper) -> f64, fn(&mut Hyper, f64));
const HYPER_FIELDS: [Field; 15] = [
    ("lr", |h| h.lr, |h, v| h.lr = v),
    ("batch_size", |h| h.batch_size as f64, |h, v| h.batch_size = v as usize),
    ("beta", |h| h.beta, |h, v| h.beta = v),
    ("delta", |h| h.delta, |h, v| h.delta = v),
    ("forget_weight", |h| h.forget_weight, |h, v| h.forget_weight = v),
    ("retain_weight", |h| h.retain_weight, |h, v| h.retain_weight = v),
    ("kl_weight", |h| h.kl_weight, |h, v| h.kl_weight = v),
    ("weight_decay", |h| h.weight_decay, |h, v| h.weight_decay = v),
    ("layer", |h| h.layer as f64, |h, v| h.layer = v as usize),
    ("steering", |h| h.steering, |h, v| h.steering = v),
    ("demos", |h| h.demos as f64, |h, v| h.demos = v as usize),
    ("assistant_layers", |h| h.assistant_layers as f64, |h, v| h.assistant_layers = v as usize),
    ("logit_weight", |h| h.logit_weight, |h, v| h.logit_weight = v),
    ("top_filter", |h| h.top_filter, |h, v| h.top_filter = v),
    ("lora_rank", |h| h.lora_rank as f64, |h, v| h.lora_rank = v as usize),
];

/// Whether `key` names an integer-valued field (rejects "1.5" and negatives there).
fn integer_field(key: &str) -> bool {
    matches!(key, "batch_size" | "layer" | "demos" | "assistant_layers" | "lora_rank")
}

/// Settings changed by `query` on top of `base`, and one line per key that was ignored.
pub fn apply_query(base: &UrlState, query: &str) -> (UrlState, Vec<String>) {
    let mut state = base.clone();
    let mut problems = Vec::new();
    let pairs: Vec<(String, String)> =
        match serde_urlencoded::from_str(query.trim_start_matches('?')) {
            Ok(p) => p,
            Err(e) => return (state, vec![format!("the link's settings could not be read ({e})")]),
        };
    // The method first: it brings its own default hyper-parameters, which the other keys refine.
    if let Some((_, name)) = pairs.iter().find(|(k, _)| k == "method") {
        match MethodKind::parse(name) {
            Ok(m) => {
                state.settings.method = m;
                state.settings.hyper = m.default_hyper();
            }
            Err(_) => problems.push(format!("method “{name}” is unknown")),
        }
    }
    for (key, value) in &pairs {
        let mut bad = || problems.push(format!("{key} = “{value}” is not valid"));
        match key.as_str() {
            "method" => {}
            "forget" => match value.as_str() {
                "forget01" | "forget05" | "forget10" => {
                    state.settings.selection = Selection::Preset(value.clone())
                }
                _ => bad(),
            },
            "items" => {
                let ids: BTreeSet<String> = value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect();
                if ids.is_empty() {
                    bad()
                } else {
                    state.settings.selection = Selection::Items(ids)
                }
            }
            "seed" => match value.parse::<u64>() {
                Ok(v) => state.settings.seed = v,
                Err(_) => bad(),
            },
            "steps" => match value.parse::<usize>() {
                Ok(v) if v >= 1 => state.settings.steps = v,
                _ => bad(),
            },
            "eval_every" => match value.parse::<usize>() {
                Ok(v) if v >= 1 => state.settings.eval_every = v,
                _ => bad(),
            },
            "eval" => match EvalSize::parse(value) {
                Some(e) => state.settings.eval_size = e,
                None => bad(),
            },
            "backend" => match Backend::parse(value) {
                Some(b) => state.backend = Some(b),
                None => bad(),
            },
            "hide" => {
                state.hidden = value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            }
            "lab" => state.lab = Some(value.clone()).filter(|v| !v.is_empty()),
            other => match HYPER_FIELDS.iter().find(|(k, _, _)| *k == other) {
                Some((_, _, write)) => match value.parse::<f64>() {
                    Ok(v)
                        if v.is_finite()
                            && (!integer_field(other) || (v >= 0.0 && v.fract() == 0.0)) =>
                    {
                        let mut h = state.settings.hyper.clone();
                        write(&mut h, v);
                        // Keep the field's default when the value is out of its range (lr ≤ 0, …).
                        if h.validate().is_ok() { state.settings.hyper = h } else { bad() }
                    }
                    _ => bad(),
                },
                None => problems.push(format!("“{other}” is not a setting")),
            },
        }
    }
    (state, problems)
}

/// The query string of `state` (without the leading `?`): every setting, so a link does not
/// depend on this version's defaults.
pub fn to_query(state: &UrlState) -> String {
    let s = &state.settings;
    let mut pairs: Vec<(&str, String)> = vec![("method", s.method.name().to_string())];
    match &s.selection {
        Selection::Preset(name) => pairs.push(("forget", name.clone())),
        Selection::Items(ids) => {
            pairs.push(("items", ids.iter().cloned().collect::<Vec<_>>().join(",")))
        }
    }
    for (key, read, _) in HYPER_FIELDS {
        pairs.push((key, format_number(read(&s.hyper))));
    }
    pairs.push(("seed", s.seed.to_string()));
    pairs.push(("steps", s.steps.to_string()));
    pairs.push(("eval_every", s.eval_every.to_string()));
    pairs.push(("eval", s.eval_size.name().to_string()));
    if let Some(b) = state.backend {
        pairs.push(("backend", b.name().to_string()));
    }
    if !state.hidden.is_empty() {
        pairs.push(("hide", state.hidden.iter().cloned().collect::<Vec<_>>().join(",")));
    }
    if let Some(lab) = &state.lab {
        pairs.push(("lab", lab.clone()));
    }
    serde_urlencoded::to_string(&pairs).unwrap_or_default()
}

/// Shortest text that parses back to the same f64 (Rust's `Display` round-trips).
fn format_number(v: f64) -> String {
    format!("{v}")
}

// Run in the browser build's test binary (scripts/test.sh: `--lib`), like the engine tests.
#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn base() -> UrlState {
        UrlState {
            settings: Settings::default(),
            backend: None,
            hidden: BTreeSet::new(),
            lab: None,
        }
    }

    #[test]
    fn a_link_round_trips_every_setting() {
        let mut s = base();
        s.settings.method = MethodKind::Uld;
        s.settings.hyper = Hyper {
            lr: 0.0023,
            logit_weight: -1.25,
            top_filter: 0.05,
            batch_size: 7,
            lora_rank: 4,
            ..MethodKind::Uld.default_hyper()
        };
        s.settings.seed = 42;
        s.settings.steps = 17;
        s.settings.selection = Selection::Items(["a1".to_string(), "b2".to_string()].into());
        s.backend = Some(Backend::Cpu);
        s.hidden = ["facts".to_string(), "backend".to_string()].into();
        s.lab = Some("ga-breaks".into());
        let (back, problems) = apply_query(&base(), &to_query(&s));
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(back, s);
    }

    #[test]
    fn bad_values_keep_their_defaults_and_are_reported() {
        let (s, problems) = apply_query(
            &base(),
            "?method=npo&lr=abc&batch_size=2.5&seed=-1&steps=0&nonsense=1&forget=forget99&top_filter=2&beta=NaN",
        );
        assert_eq!(s.settings.method, MethodKind::Npo);
        assert_eq!(s.settings.hyper, MethodKind::Npo.default_hyper());
        assert_eq!((s.settings.seed, s.settings.steps), (0, 30));
        assert_eq!(problems.len(), 8, "{problems:?}");
        let (s, problems) = apply_query(&base(), "method=nope&lr=0.01");
        assert_eq!(s.settings.method, MethodKind::Ga);
        assert_eq!(s.settings.hyper.lr, 0.01);
        assert_eq!(problems.len(), 1);
    }
}
