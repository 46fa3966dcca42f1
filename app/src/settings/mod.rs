//! The page's settings and their link, without the page: what a run is (method, facts to forget,
//! hyper-parameters, seed, schedule, evaluation size) and the query string that carries it, so a
//! pasted link reproduces a run. `?method=npo&forget=forget05&lr=0.001&seed=3&hide=facts,backend`
//! — read and written with `serde_urlencoded`. Pure Rust: its tests run natively.
//!
//! Every hyper-parameter key, its type and its allowed range come from the engine's settings
//! table (`forgetlab_core::methods::SETTINGS`); nothing here lists them again.
//!
//! Reading is forgiving: each key is parsed on its own, and a key that is unknown or whose value
//! does not parse keeps its default and is listed in a notice — a hand-edited link never gives a
//! blank page. Labs (`public/labs/*.toml`) set controls with the same keys.

use std::collections::BTreeSet;

use forgetlab_core::methods::{Hyper, MethodKind, SETTINGS};
use forgetlab_core::run::{EvalConfig, ForgetSelection, RunConfig};

use crate::protocol::{Backend, Fault};

mod learn;

pub use learn::{LearnSettings, MAX_STAGE_STEPS, MAX_STAGES, Mode, parse_stages, stages_text};

/// Which facts to forget.
#[derive(Clone, Debug, PartialEq)]
pub enum Selection {
    /// A named split: forget01, forget05, forget10.
    Preset(String),
    /// Hand-picked item ids.
    Items(BTreeSet<String>),
}

/// How much an evaluation looks at: a trade of precision for speed (WebGPU on a software adapter
/// or a slow laptop wants Quick; a lecture demo on a fast machine can afford Thorough).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvalSize {
    Quick,
    Standard,
    Thorough,
}

impl EvalSize {
    pub const ALL: [EvalSize; 3] = [EvalSize::Quick, EvalSize::Standard, EvalSize::Thorough];

    pub fn name(self) -> &'static str {
        match self {
            EvalSize::Quick => "quick",
            EvalSize::Standard => "standard",
            EvalSize::Thorough => "thorough",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EvalSize::Quick => "quick (8 items per split, 12 tokens)",
            EvalSize::Standard => "standard (32 per split, 16 tokens)",
            EvalSize::Thorough => "thorough (100 per split, 24 tokens)",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.name() == s)
    }

    /// Evaluation sizes. Standard is small enough that an evaluation takes about as long as a few
    /// training steps in a browser tab, large enough for the forget-quality KS test to mean
    /// something.
    pub fn config(self) -> EvalConfig {
        let (n, world, tokens) = match self {
            EvalSize::Quick => (8, 8, 12),
            EvalSize::Standard => (32, 24, 16),
            EvalSize::Thorough => (100, 100, 24),
        };
        EvalConfig {
            max_forget: n,
            max_retain: n,
            max_world: world,
            max_holdout: n,
            max_new_tokens: tokens,
            sample_ids: vec![],
        }
    }
}

/// Every setting that defines a run (what Configure sends).
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub method: MethodKind,
    pub hyper: Hyper,
    pub seed: u64,
    /// Play stops here.
    pub steps: usize,
    pub eval_every: usize,
    pub selection: Selection,
    pub eval_size: EvalSize,
    /// Forget (unlearning) or Learn (stages, editing): which run the controls drive.
    pub mode: Mode,
    /// Learn mode's run and edits.
    pub learn: LearnSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            method: MethodKind::Ga,
            hyper: MethodKind::Ga.default_hyper(),
            seed: 0,
            steps: 30,
            eval_every: 5,
            selection: Selection::Preset("forget05".into()),
            eval_size: EvalSize::Standard,
            mode: Mode::Forget,
            learn: LearnSettings::default(),
        }
    }
}

impl Settings {
    pub fn run_config(&self) -> Result<RunConfig, String> {
        let forget = match &self.selection {
            Selection::Preset(name) => ForgetSelection::Split(name.clone()),
            Selection::Items(ids) if ids.is_empty() => {
                return Err("Select at least one fact to forget (or pick a preset split).".into());
            }
            Selection::Items(ids) => ForgetSelection::Ids(ids.iter().cloned().collect()),
        };
        if self.steps == 0 {
            return Err("Steps must be at least 1.".into());
        }
        self.hyper.validate().map_err(|e| e.to_string())?;
        Ok(RunConfig {
            method: self.method,
            forget,
            hyper: self.hyper.clone(),
            seed: self.seed,
            eval: self.eval_size.config(),
        })
    }

    /// Whether going from `self` to `other` needs a fresh run: in Forget mode anything but lr
    /// and the schedule, in Learn mode anything but how often it evaluates (the edits' settings
    /// are not the run's).
    pub fn needs_reset(&self, other: &Settings) -> bool {
        let strip = |s: &Settings| match s.mode {
            Mode::Forget => Settings {
                hyper: Hyper { lr: 0.0, ..s.hyper.clone() },
                steps: 0,
                eval_every: 0,
                learn: LearnSettings::default(),
                ..s.clone()
            },
            Mode::Learn => Settings {
                learn: LearnSettings { eval_every: 0, edits: 0, edit_steps: 0, ..s.learn.clone() },
                ..Settings {
                    seed: s.seed,
                    eval_size: s.eval_size,
                    mode: s.mode,
                    ..Settings::default()
                }
            },
        };
        strip(self) != strip(other)
    }

    /// Where Play stops and how often it evaluates, in the current mode.
    pub fn play_schedule(&self) -> (usize, usize) {
        match self.mode {
            Mode::Forget => (self.steps, self.eval_every),
            Mode::Learn => (self.learn.total_steps(), self.learn.eval_every),
        }
    }

    /// A new method, with its own defaults (its learning rate differs).
    pub fn choose_method(&mut self, method: MethodKind) {
        self.method = method;
        self.hyper = method.default_hyper();
    }

    /// A short name for a kept run: "npo · lr 0.001 · seed 0 · forget05" (Learn mode:
    /// [`LearnSettings::label`]).
    pub fn label(&self) -> String {
        if self.mode == Mode::Learn {
            return self.learn.label(self.seed);
        }
        let forget = match &self.selection {
            Selection::Preset(name) => name.clone(),
            Selection::Items(ids) => format!("{} facts", ids.len()),
        };
        format!("{} · lr {} · seed {} · {forget}", self.method.name(), self.hyper.lr, self.seed)
    }
}

/// Everything a link carries.
#[derive(Clone, Debug, PartialEq)]
pub struct UrlState {
    pub settings: Settings,
    pub backend: Option<Backend>,
    /// Panels and controls hidden (teacher mode), by their `data-control` / `data-panel` name.
    pub hidden: BTreeSet<String>,
    /// A guided lab to open, by file name without `.toml`.
    pub lab: Option<String>,
    /// The panels opened on demand (all metrics, history, …), by their `data-panel` name.
    pub open: BTreeSet<String>,
}

impl UrlState {
    /// A link to `settings` alone: no backend, nothing hidden, no lab.
    pub fn of(settings: Settings) -> Self {
        Self { settings, backend: None, hidden: BTreeSet::new(), lab: None, open: BTreeSet::new() }
    }
}

/// The comma-separated names of a list value (`items=a1,b2`, `hide=facts,backend`).
fn names(value: &str) -> BTreeSet<String> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
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
    // A link without `mode=` is a Forget link (links made before Learn mode, Forget labs' steps).
    if !pairs.iter().any(|(k, _)| k == "mode") {
        state.settings.mode = Mode::Forget;
    }
    // The method first: it brings its own default hyper-parameters, which the other keys refine.
    if let Some((_, name)) = pairs.iter().find(|(k, _)| k == "method") {
        match MethodKind::parse(name) {
            Ok(m) => state.settings.choose_method(m),
            Err(_) => problems.push(format!("method “{name}” is unknown")),
        }
    }
    for (key, value) in &pairs {
        let mut bad = || problems.push(format!("{key} = “{value}” is not valid"));
        let settings = &mut state.settings;
        match key.as_str() {
            "method" => {}
            "forget" => match value.as_str() {
                "forget01" | "forget05" | "forget10" => {
                    settings.selection = Selection::Preset(value.clone())
                }
                _ => bad(),
            },
            "items" => match names(value) {
                ids if ids.is_empty() => bad(),
                ids => settings.selection = Selection::Items(ids),
            },
            "seed" => match value.parse::<u64>() {
                Ok(v) => settings.seed = v,
                Err(_) => bad(),
            },
            "steps" => match value.parse::<usize>() {
                Ok(v) if v >= 1 => settings.steps = v,
                _ => bad(),
            },
            "eval_every" => match value.parse::<usize>() {
                Ok(v) if v >= 1 => settings.eval_every = v,
                _ => bad(),
            },
            "eval" => match EvalSize::parse(value) {
                Some(e) => settings.eval_size = e,
                None => bad(),
            },
            "backend" => match Backend::parse(value) {
                Some(b) => state.backend = Some(b),
                None => bad(),
            },
            "mode" => match Mode::parse(value) {
                Some(m) => settings.mode = m,
                None => bad(),
            },
            "hide" => state.hidden = names(value),
            "open" => state.open = names(value),
            "lab" => state.lab = Some(value.clone()).filter(|v| !v.is_empty()),
            // The tests' fault switch (protocol::Fault), read by the page at start: not a setting.
            "fault" => {}
            // Learn mode's keys (learn.rs), then a hyper-parameter: its row of the engine's
            // table parses and checks it (finite, whole for an integer, within its range); a bad
            // value keeps the current one.
            other => match settings.learn.apply_pair(other, value) {
                Some(Ok(())) => {}
                Some(Err(())) => bad(),
                None => match SETTINGS.iter().find(|s| s.key == other) {
                    Some(setting) => match setting.parse(value) {
                        Ok(v) => (setting.set)(&mut settings.hyper, v),
                        Err(_) => bad(),
                    },
                    None => problems.push(format!("“{other}” is not a setting")),
                },
            },
        }
    }
    (state, problems)
}

/// The tests' `fault=` switch in a link (protocol::Fault), if it names one.
pub fn fault_switch(query: &str) -> Option<Fault> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.trim_start_matches('?')).ok()?;
    pairs.iter().find(|(k, _)| k == "fault").and_then(|(_, v)| Fault::parse(v))
}

/// The query string of `state` (without the leading `?`): every setting of its mode, so a link
/// does not depend on this version's defaults.
pub fn to_query(state: &UrlState) -> String {
    let s = &state.settings;
    let mut pairs: Vec<(&str, String)> = match s.mode {
        Mode::Forget => forget_pairs(s),
        Mode::Learn => {
            let mut pairs = vec![("mode", "learn".to_string())];
            pairs.extend(s.learn.pairs());
            pairs.push(("seed", s.seed.to_string()));
            pairs.push(("eval", s.eval_size.name().to_string()));
            pairs
        }
    };
    if let Some(b) = state.backend {
        pairs.push(("backend", b.name().to_string()));
    }
    if !state.hidden.is_empty() {
        pairs.push(("hide", state.hidden.iter().cloned().collect::<Vec<_>>().join(",")));
    }
    if let Some(lab) = &state.lab {
        pairs.push(("lab", lab.clone()));
    }
    if !state.open.is_empty() {
        pairs.push(("open", state.open.iter().cloned().collect::<Vec<_>>().join(",")));
    }
    serde_urlencoded::to_string(&pairs).unwrap_or_default()
}

/// Forget mode's keys: the method, the facts, every hyper-parameter, seed, schedule, evaluation.
fn forget_pairs(s: &Settings) -> Vec<(&'static str, String)> {
    let mut pairs: Vec<(&str, String)> = vec![("method", s.method.name().to_string())];
    match &s.selection {
        Selection::Preset(name) => pairs.push(("forget", name.clone())),
        Selection::Items(ids) => {
            pairs.push(("items", ids.iter().cloned().collect::<Vec<_>>().join(",")))
        }
    }
    // Rust's `Display` of an f64 is the shortest text that parses back to it.
    pairs.extend(SETTINGS.iter().map(|setting| (setting.key, (setting.get)(&s.hyper).to_string())));
    pairs.push(("seed", s.seed.to_string()));
    pairs.push(("steps", s.steps.to_string()));
    pairs.push(("eval_every", s.eval_every.to_string()));
    pairs.push(("eval", s.eval_size.name().to_string()));
    pairs
}

// Natively with `cargo test -p forgetlab-app --lib`, and in the browser build's test binary.
#[cfg(test)]
mod tests;
