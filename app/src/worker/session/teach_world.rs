//! "Teach it the authors": a model the user loaded does not know the fictitious authors, so
//! unlearning them means nothing until it is fine-tuned on them (core's `finetune`, TOFU's
//! first step). Live progress, then the model runs start from, then its quality bar.

use forgetlab_core::eval::Evaluator;
use forgetlab_core::finetune::{FinetuneConfig, finetune};
use forgetlab_core::model::Gpt;

use super::Session;
use super::resume::ModelEvent;
use crate::protocol::{Event, Phase};
use crate::worker::post;

/// Items per set the page's quality bar looks at (the CLI looks at all of them).
const QUALITY_BAR_ITEMS: usize = 40;

impl Session {
    /// `keep`: note it in the model's log for the next visit (false when it is the last visit's,
    /// done again).
    pub(super) async fn teach_world(
        &mut self,
        steps: usize,
        lr: f64,
        lora_rank: usize,
        keep: bool,
    ) -> Result<(), String> {
        self.playing = false;
        let device = self.device.clone().ok_or("no backend yet")?;
        let loaded = self.loaded.as_mut().ok_or("the model is still loading")?;
        let cfg = FinetuneConfig { steps, lr, lora_rank, ..FinetuneConfig::default() };
        post(Event::Phase(Phase::Learning));
        let every = (steps / 50).max(1);
        let taught = finetune(&loaded.model, &loaded.world, &cfg, &device, |step, loss| {
            if (step + 1) % every == 0 || step + 1 == steps {
                post(Event::TeachingWorld { step: step + 1, steps, loss: loss as f64 });
            }
        })
        .await
        .map_err(|e| format!("teaching the authors failed: {e}; the model is unchanged"))?;
        loaded.model = taught;
        // Answers and quality bar of the taught model.
        let m = &loaded.model;
        let gpt = Gpt::from_weights(&m.config, &m.weights, &device).map_err(|e| e.to_string())?;
        let ev = Evaluator::new(&gpt, &gpt, &m.config, &m.tokenizer, &device, 24);
        let bar =
            ev.quality_bar(&loaded.world, QUALITY_BAR_ITEMS).await.map_err(|e| e.to_string())?;
        post(Event::QualityBar(bar));
        if keep {
            self.remember(ModelEvent::TaughtWorld { steps, lr, lora_rank }).await;
        }
        self.reconfigure().await
    }
}
