//! "Add your own fact": teach the original model a fact of the user's, live.

use forgetlab_core::teach::{TeachConfig, Teacher, custom_item};

use super::{Session, fact_row};
use crate::protocol::{Event, Phase};
use crate::worker::post;
use crate::worker::store::OwnFact;

impl Session {
    /// "Add your own fact": fine-tune the original model on it (with replay), live, then make the
    /// result the new original model and reconfigure the current run on it. `keep`: remember it
    /// for the next visit (false when it is one of the last visit's, taught again).
    pub(super) async fn teach_fact(&mut self, fact: &OwnFact, keep: bool) -> Result<(), String> {
        let OwnFact { question, answer, steps } = fact;
        let steps = *steps;
        self.playing = false;
        let device = self.device.clone().ok_or("no backend yet")?;
        let loaded = self.loaded.as_mut().ok_or("the model is still loading")?;
        self.custom_count += 1;
        let item = custom_item(&format!("custom-{}", self.custom_count), question, answer);
        let replay = loaded.world.select("retain").map_err(|e| e.to_string())?;
        let steps = steps.clamp(1, 500);
        let mut teacher = Teacher::new(
            &loaded.model,
            std::slice::from_ref(&item),
            &replay,
            TeachConfig { steps, ..TeachConfig::default() },
            &device,
        )
        .map_err(|e| e.to_string())?;
        post(Event::Phase(Phase::Learning));
        let mut probability = teacher.new_fact_probability().await.map_err(|e| e.to_string())?;
        post(Event::Learning { step: 0, steps, loss: None, probability });
        while !teacher.finished() {
            let loss = teacher
                .step()
                .await
                .map_err(|e| format!("learning the fact failed: {e}; the model is unchanged"))?;
            probability = teacher.new_fact_probability().await.map_err(|e| e.to_string())?;
            post(Event::Learning {
                step: teacher.steps_done(),
                steps,
                loss: Some(loss),
                probability,
            });
            gloo_timers::future::TimeoutFuture::new(0).await;
        }
        loaded.model = teacher.finish().await.map_err(|e| e.to_string())?;
        loaded.world.items.push(item.clone());
        post(Event::FactLearned { fact: fact_row(&item), probability });
        if keep {
            self.remember(super::resume::ModelEvent::Fact(fact.clone())).await;
        }
        self.reconfigure().await
    }
}
