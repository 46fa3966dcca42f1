//! Fetching and reading the default model, its fluency scorer, the fact world and the retain
//! models' values: the worker's first command.

use forgetlab_core::eval::RetainReferences;
use forgetlab_core::model::LoadedModel;
use forgetlab_core::world::FactWorld;

use super::{Loaded, Session, fact_row};
use crate::protocol::{Backend, Event, Phase};
use crate::worker::{files, post};

/// Where the files live, relative to the page.
const MODEL_DIR: &str = "models/forgetlab-small";
const FLUENCY_DIR: &str = "models/fluency";
const WORLD_FILE: &str = "data/world.json";
/// The preset splits' retain-model values (eval::retain_reference), beside the default model.
const RETAIN_FILE: &str = "models/forgetlab-small/retain_reference.json";

impl Session {
    pub(super) async fn load(&mut self, base: &str, backend: Backend) -> Result<(), String> {
        post(Event::Phase(Phase::Busy));
        self.startup = vec![("engine started".into(), crate::worker::started_at())];
        let base = base.trim_end_matches('/');
        let wanted = [
            (format!("{MODEL_DIR}/config.json"), true),
            (format!("{MODEL_DIR}/tokenizer.json"), true),
            (format!("{MODEL_DIR}/model.safetensors"), true),
            (format!("{FLUENCY_DIR}/config.json"), false),
            (format!("{FLUENCY_DIR}/model.safetensors"), false),
            (WORLD_FILE.to_string(), true),
            (RETAIN_FILE.to_string(), false),
        ];
        // All at once: one after another, the requests' round trips added up to a third of a
        // second of the page's start-up.
        let fetches = wanted.iter().enumerate().map(|(i, (path, _))| {
            files::fetch_bytes(format!("{base}/{path}"), path, i, wanted.len(), &post)
        });
        let results = futures_util::future::join_all(fetches).await;
        let mut got: Vec<Option<Vec<u8>>> = Vec::new();
        for ((path, required), result) in wanted.iter().zip(results) {
            match result {
                Ok(b) => got.push(Some(b)),
                Err(e) if *required => return Err(e),
                Err(e) => {
                    let lost = if path.as_str() == RETAIN_FILE {
                        "forget quality needs a retain model: it stays empty"
                    } else {
                        "the Linguistic Score will use the original model"
                    };
                    post(Event::Notice(format!("{e}; {lost}")));
                    got.push(None);
                }
            }
        }
        self.startup.push(("files fetched".into(), js_sys::Date::now()));
        let bytes = |i: usize| got[i].as_deref().unwrap_or_default();
        let model = LoadedModel::from_bytes(bytes(0), bytes(2), bytes(1))
            .map_err(|e| format!("the default model could not be read: {e}"))?;
        let fluency = match (&got[3], &got[4]) {
            (Some(c), Some(w)) => match LoadedModel::from_bytes(c, w, bytes(1)) {
                Ok(m) => Some(m),
                Err(e) => {
                    post(Event::Notice(format!(
                        "the fluency model could not be read ({e}); LS uses the original model"
                    )));
                    None
                }
            },
            _ => None,
        };
        let world: FactWorld = serde_json::from_slice(bytes(5))
            .map_err(|e| format!("{WORLD_FILE} is not a fact world: {e}"))?;
        let retain = match &got[6] {
            Some(b) => {
                RetainReferences::from_json(&String::from_utf8_lossy(b)).unwrap_or_else(|e| {
                    post(Event::Notice(format!("{e}; forget quality stays empty")));
                    RetainReferences::default()
                })
            }
            None => RetainReferences::default(),
        };
        let file_bytes = (bytes(0).len() + bytes(1).len() + bytes(2).len()) as u64;
        let info = super::user_model::model_info("forgetlab-small", &model, file_bytes, true);
        self.startup.push(("models and world read".into(), js_sys::Date::now()));
        self.loaded =
            Some(Loaded { model, fluency, world, retain, retrained: None, imports: Vec::new() });
        self.custom_count = 0;
        // What the last visit kept: imported files join the facts before the page sees them; the
        // model's log is done again once a device is ready (resume.rs), then the run follows (the
        // page's first one may be the last visit's, resumed).
        self.restore_imports().await;
        let facts = self.loaded.as_ref().map(|l| l.world.items.iter().map(fact_row).collect());
        post(Event::Loaded { model: info, facts: facts.unwrap_or_default() });
        // The run (after a crash or Start over, the page's) is set up once, after all of it.
        let active = self.active.take();
        self.switch_backend(backend).await?;
        self.replay_model_log().await?;
        self.resume_pending = true;
        self.active = active;
        self.reconfigure().await
    }
}
