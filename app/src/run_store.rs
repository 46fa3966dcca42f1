//! The run history, without the page: every finished (or stopped) run is kept — its settings as
//! a link and its evaluated metrics per step — so runs can be overlaid on one chart, placed on
//! the forget-quality / model-utility plane and exported as CSV or JSON. Bounded: the newest
//! [`MAX_RUNS`] runs within [`MAX_BYTES`]. Where they are kept is a [`Storage`]: the browser's
//! localStorage on the page, memory in the tests. Pure Rust: its tests run natively.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use forgetlab_core::eval::{METRICS, Snapshot};
use serde::{Deserialize, Serialize};

const STORAGE_KEY: &str = "forgetlab.runs.v1";

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}
pub const MAX_RUNS: usize = 30;
/// localStorage holds about 5 MB per origin; the history stays well inside it.
pub const MAX_BYTES: usize = 1_000_000;

/// Where the runs are kept: a text per key.
pub trait Storage {
    fn load(&self, key: &str) -> Option<String>;
    fn save(&self, key: &str, text: &str);
}

/// A storage that forgets on reload (tests; a browser without localStorage).
#[derive(Default)]
pub struct MemoryStorage(RefCell<HashMap<String, String>>);

impl Storage for MemoryStorage {
    fn load(&self, key: &str) -> Option<String> {
        self.0.borrow().get(key).cloned()
    }

    fn save(&self, key: &str, text: &str) {
        self.0.borrow_mut().insert(key.to_string(), text.to_string());
    }
}

/// The browser's localStorage of the page's origin (nothing is kept where it is unavailable).
#[cfg(target_arch = "wasm32")]
pub struct LocalStorage;

#[cfg(target_arch = "wasm32")]
impl LocalStorage {
    fn get() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok().flatten()
    }
}

#[cfg(target_arch = "wasm32")]
impl Storage for LocalStorage {
    fn load(&self, key: &str) -> Option<String> {
        Self::get()?.get_item(key).ok().flatten()
    }

    fn save(&self, key: &str, text: &str) {
        if let Some(s) = Self::get() {
            let _ = s.set_item(key, text);
        }
    }
}

/// The metrics of one evaluation, as kept in the history: every row of the engine's metric
/// table that has a `kept` name, by that name (None where the evaluation has no finite value,
/// such as forget quality without a retain model). In JSON the values sit beside `step` and
/// `loss`: `{"step": 5, "loss": 1.5, "forget_prob": 0.25, …}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunPoint {
    pub step: usize,
    pub loss: Option<f64>,
    #[serde(flatten)]
    pub values: BTreeMap<String, Option<f64>>,
}

impl RunPoint {
    pub fn from_snapshot(s: &Snapshot) -> Self {
        let values = METRICS
            .iter()
            .filter_map(|m| Some((m.kept?.to_string(), finite((m.read)(s)))))
            .collect();
        Self { step: s.step, loss: s.loss, values }
    }

    /// The value kept as `name` (a `kept` name of the metric table).
    pub fn get(&self, name: &str) -> Option<f64> {
        debug_assert!(METRICS.iter().any(|m| m.kept == Some(name)), "{name} is not kept");
        self.values.get(name).copied().flatten()
    }

    /// The CSV's metric columns, in the metric table's order.
    pub fn columns() -> impl Iterator<Item = &'static str> {
        METRICS.iter().filter_map(|m| m.kept)
    }
}

/// One finished run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// When it was kept (ms since 1970): unique within a browser.
    pub id: u64,
    /// "npo · lr 0.001 · seed 0 · forget05".
    pub label: String,
    /// The link's query that reproduces it (see `settings::to_query`).
    pub query: String,
    pub backend: String,
    /// An unlearning run's evaluations (empty for a Learn-mode run).
    pub points: Vec<RunPoint>,
    /// A Learn-mode run's evaluations (empty for an unlearning run; absent in older histories).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub learn: Vec<LearnPoint>,
}

impl RunRecord {
    pub fn last(&self) -> Option<&RunPoint> {
        self.points.last()
    }

    /// Whether it is a Learn-mode (continual) run.
    pub fn is_learn(&self) -> bool {
        !self.learn.is_empty()
    }
}

/// One evaluation of a continual run, as kept in the history. Scores that are NaN (a stage
/// without items) are kept as None: JSON has no NaN.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnPoint {
    pub step: usize,
    /// The stage the last step belonged to (0-based).
    pub stage: usize,
    /// Each stage's exact-match accuracy and answer probability, in stage order.
    pub stage_accuracy: Vec<Option<f64>>,
    pub stage_prob: Vec<Option<f64>>,
    /// General knowledge kept: world facts and trained authors, answer probability.
    pub world_prob: Option<f64>,
    pub trained_prob: Option<f64>,
}

impl LearnPoint {
    pub fn from_snapshot(s: &forgetlab_core::continual::ContinualSnapshot) -> Self {
        Self {
            step: s.step,
            stage: s.stage,
            stage_accuracy: s.stages.iter().map(|st| finite(st.scores.accuracy)).collect(),
            stage_prob: s.stages.iter().map(|st| finite(st.scores.prob)).collect(),
            world_prob: finite(s.world.prob),
            trained_prob: finite(s.trained.prob),
        }
    }
}

/// CSV of `runs`: one row per evaluation, the run's label and link first.
pub fn to_csv(runs: &[RunRecord]) -> String {
    let names: Vec<&str> = RunPoint::columns().collect();
    let mut out = format!("run,label,backend,query,step,loss,{}\n", names.join(","));
    let cell = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for r in runs {
        for p in &r.points {
            let values: Vec<String> = names.iter().map(|n| cell(p.get(n))).collect();
            out += &format!(
                "{},{},{},{},{},{},{}\n",
                r.id,
                csv_field(&r.label),
                r.backend,
                csv_field(&r.query),
                p.step,
                cell(p.loss),
                values.join(",")
            );
        }
    }
    out
}

/// JSON of `runs`, as kept (and as the history's JSON export).
pub fn to_json(runs: &[RunRecord]) -> String {
    serde_json::to_string_pretty(runs).unwrap_or_default()
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The kept runs (none if the storage holds nothing or something unreadable).
pub fn load(storage: &impl Storage) -> Vec<RunRecord> {
    storage.load(STORAGE_KEY).and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default()
}

/// Keep `runs`, dropping the oldest until they fit the bounds. Returns what was kept.
pub fn save(storage: &impl Storage, mut runs: Vec<RunRecord>) -> Vec<RunRecord> {
    if runs.len() > MAX_RUNS {
        runs.drain(..runs.len() - MAX_RUNS);
    }
    let mut text = serde_json::to_string(&runs).unwrap_or_default();
    while text.len() > MAX_BYTES && !runs.is_empty() {
        runs.remove(0);
        text = serde_json::to_string(&runs).unwrap_or_default();
    }
    storage.save(STORAGE_KEY, &text);
    runs
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn point(step: usize, forget_quality: Option<f64>) -> RunPoint {
        let values = [
            ("forget_prob", Some(0.25)),
            ("retain_prob", Some(0.5)),
            ("world_prob", Some(0.75)),
            ("forget_rouge_l", Some(0.125)),
            ("retain_rouge_l", Some(1.0)),
            ("forget_truth_ratio", Some(0.5)),
            ("kfr", Some(0.0)),
            ("krr", Some(1.0)),
            ("ls", Some(0.5)),
            ("forget_quality", forget_quality),
            ("model_utility", Some(0.625)),
        ];
        let values = values.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        RunPoint { step, loss: (step > 0).then_some(1.5), values }
    }

    fn run(id: u64, label: &str) -> RunRecord {
        RunRecord {
            id,
            label: label.into(),
            query: "method=ga&lr=0.001".into(),
            backend: "cpu".into(),
            points: vec![point(0, None), point(5, Some(1e-5))],
            learn: vec![],
        }
    }

    #[test]
    fn the_csv_has_a_header_and_one_row_per_evaluation() {
        let csv = to_csv(&[run(7, "ga · lr 0.001, \"quoted\"")]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "run,label,backend,query,step,loss,forget_prob,retain_prob,world_prob,forget_rouge_l,\
             retain_rouge_l,forget_truth_ratio,kfr,krr,ls,forget_quality,model_utility"
        );
        assert_eq!(
            lines[1],
            "7,\"ga · lr 0.001, \
                \"\"quoted\"\"\",cpu,method=ga&lr=0.001,0,,0.25,0.5,0.75,0.125,1,0.5,0,1,0.5,,0.625"
        );
        assert!(lines[2].ends_with(",5,1.5,0.25,0.5,0.75,0.125,1,0.5,0,1,0.5,0.00001,0.625"));
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn kept_runs_come_back_from_the_storage_as_json() {
        let storage = MemoryStorage::default();
        assert_eq!(load(&storage), vec![]);
        let runs = vec![run(1, "a"), run(2, "b")];
        assert_eq!(save(&storage, runs.clone()), runs);
        assert_eq!(load(&storage), runs);
        let json: Vec<RunRecord> = serde_json::from_str(&to_json(&runs)).unwrap();
        assert_eq!(json, runs);
        // A point without forget quality is kept as null, and read back as None.
        assert!(to_json(&runs).contains("\"forget_quality\": null"));
        storage.save(STORAGE_KEY, "not json");
        assert_eq!(load(&storage), vec![]);
    }

    #[test]
    fn learn_runs_keep_their_points_and_older_histories_still_load() {
        let storage = MemoryStorage::default();
        let mut learn = run(3, "factoids1 → factoids2 · constant · seed 0");
        learn.points.clear();
        learn.learn = vec![LearnPoint {
            step: 10,
            stage: 1,
            stage_accuracy: vec![Some(0.5), None],
            stage_prob: vec![Some(0.25), Some(0.75)],
            world_prob: Some(0.5),
            trained_prob: None,
        }];
        let runs = vec![run(1, "a"), learn];
        save(&storage, runs.clone());
        assert_eq!(load(&storage), runs);
        assert!(runs[1].is_learn() && !runs[0].is_learn());
        // A history written before Learn mode has no `learn` field.
        let old = to_json(&[run(1, "a")]);
        assert!(!old.contains("learn"));
        assert_eq!(serde_json::from_str::<Vec<RunRecord>>(&old).unwrap(), vec![run(1, "a")]);
    }

    #[test]
    fn the_oldest_runs_go_first() {
        let storage = MemoryStorage::default();
        let runs: Vec<RunRecord> = (0..MAX_RUNS as u64 + 5).map(|i| run(i, "r")).collect();
        let kept = save(&storage, runs);
        assert_eq!(kept.len(), MAX_RUNS);
        assert_eq!(kept[0].id, 5);
        assert_eq!(load(&storage), kept);
    }
}
