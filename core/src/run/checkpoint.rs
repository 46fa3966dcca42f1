//! Moving a run to another device mid-way: the playground's answer to a WebGPU device that is
//! lost (a driver reset, a tab in the background too long) or fails a shader. The worker keeps a
//! [`Checkpoint`] on the host after each evaluation, because a lost device can no longer be read;
//! when the device goes, it configures the same run on the CPU and [`Run::resume`]s it there.
//!
//! What carries over: the trained weights (with LoRA, merged into W: the fresh adapters start at
//! B = 0, so the model is the same function), the step count, the data order and the random
//! state, the last loss. What does not: AdamW's moment estimates, which start afresh, as after a
//! warm restart; the worker says so.

use rand::rngs::StdRng;

use super::{Run, RunState, trainable};
use crate::error::ForgetError;
use crate::model::GptWeights;

/// A run's state on the host, enough to continue it on another device.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    pub step: usize,
    pub weights: GptWeights,
    order: Vec<usize>,
    cursor: usize,
    rng: StdRng,
    last_loss: Option<f64>,
}

impl Run {
    /// The current state, read back to the host (async: the only readback WebGPU allows).
    pub async fn checkpoint(&self) -> Result<Checkpoint, ForgetError> {
        Ok(Checkpoint {
            step: self.step,
            weights: self.weights().await?,
            order: self.order.clone(),
            cursor: self.cursor,
            rng: self.rng.clone(),
            last_loss: self.last_loss,
        })
    }

    /// Continue from `checkpoint` (taken from a run with the same configuration, on any device):
    /// its weights, step, data order and random state; a fresh optimizer. The run is Ready.
    pub fn resume(&mut self, checkpoint: Checkpoint) -> Result<(), ForgetError> {
        if checkpoint.order.len() != self.order.len() {
            return Err(ForgetError::InvalidConfig(
                "the checkpoint belongs to a run with other training data".into(),
            ));
        }
        checkpoint.weights.validate(&self.train_config)?;
        self.model = trainable(
            &self.train_config,
            &checkpoint.weights,
            &self.config,
            &self.train_device,
            &|_| {},
        )?;
        self.previous = None;
        self.optim = Self::optimizer(&self.config.hyper);
        self.order = checkpoint.order;
        self.cursor = checkpoint.cursor;
        self.rng = checkpoint.rng;
        self.step = checkpoint.step;
        self.last_loss = checkpoint.last_loss;
        self.state = RunState::Ready;
        Ok(())
    }
}
