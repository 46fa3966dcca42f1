//! Sequential unlearning requests in the worker: the current run's method and settings applied to
//! its forget set cut into requests of whole authors, one after another (core's
//! `run::SequentialRun`), on copies of the model: the current run is untouched. Every request's
//! set is measured before the first request and after each one, with the model utility of the
//! request's own evaluation.

use forgetlab_core::run::{SequentialRun, split_requests};

use super::Session;
use crate::protocol::{Event, Phase, RequestRow};
use crate::worker::post;

impl Session {
    /// `requests` requests of `steps` steps each ([`Event::Request`] after each).
    pub(super) async fn requests(&mut self, requests: usize, steps: usize) -> Result<(), String> {
        self.playing = false;
        let loaded = self.loaded.as_ref().ok_or("the model is still loading")?;
        let device = self.device.as_ref().ok_or("no backend yet")?;
        let run = self.forget_run().ok_or("configure a run first")?;
        if steps == 0 {
            return Err("each request needs at least one step".into());
        }
        let sets = split_requests(run.forget_items(), requests).map_err(|e| e.to_string())?;
        post(Event::Phase(Phase::Busy));
        let failed = |e: forgetlab_core::ForgetError| {
            format!("the sequential requests stopped: {e}; your run is unchanged")
        };
        let mut seq = SequentialRun::new(
            &loaded.model,
            &loaded.world,
            run.config.clone(),
            sets,
            loaded.fluency.clone(),
            device,
        )
        .map_err(failed)?;
        let sizes: Vec<usize> = seq.sets().iter().map(Vec::len).collect();
        let utility = seq.run().evaluate().await.map_err(failed)?.model_utility;
        let utility = Some(utility).filter(|u| u.is_finite());
        let recall = seq.recall().await.map_err(failed)?;
        post(Event::Request(RequestRow { after: 0, sizes: sizes.clone(), recall, utility }));
        loop {
            for _ in 0..steps {
                seq.run().step().await.map_err(failed)?;
            }
            let (after, _) = seq.request();
            let utility = seq.run().evaluate().await.map_err(failed)?.model_utility;
            let utility = Some(utility).filter(|u| u.is_finite());
            let recall = seq.recall().await.map_err(failed)?;
            post(Event::Request(RequestRow { after, sizes: sizes.clone(), recall, utility }));
            if !seq.next_request(&loaded.world).await.map_err(failed)? {
                break;
            }
        }
        post(Event::Phase(self.idle_phase()));
        Ok(())
    }
}
