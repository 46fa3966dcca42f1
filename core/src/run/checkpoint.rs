//! Moving a run to another device mid-way: the playground's answer to a WebGPU device that is
//! lost (a driver reset, a tab in the background too long) or fails a shader. The worker keeps a
//! [`Checkpoint`] on the host after each evaluation, because a lost device can no longer be read;
//! when the device goes, it configures the same run on the CPU and [`Run::resume`]s it there.
//!
//! What carries over: the trained weights (with LoRA, merged into W: the fresh adapters start at
//! B = 0, so the model is the same function), the step count, the data order and the random
//! state, the last loss. What does not: AdamW's moment estimates, which start afresh, as after a
//! warm restart; the worker says so.

use super::{Run, RunState};
use crate::error::ForgetError;
use crate::model::GptWeights;
use crate::train::Batches;

/// A run's state on the host, enough to continue it on another device.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    pub step: usize,
    pub weights: GptWeights,
    batches: Batches,
    last_loss: Option<f64>,
}

impl Run {
    /// The current state, read back to the host (async: the only readback WebGPU allows).
    pub async fn checkpoint(&self) -> Result<Checkpoint, ForgetError> {
        Ok(Checkpoint {
            step: self.step_count(),
            weights: self.weights().await?,
            batches: self.batches.clone(),
            last_loss: self.last_loss,
        })
    }

    /// Continue from `checkpoint` (taken from a run with the same configuration, on any device):
    /// its weights, step, data order and random state; a fresh optimizer. The run is Ready.
    pub fn resume(&mut self, checkpoint: Checkpoint) -> Result<(), ForgetError> {
        if checkpoint.batches.len() != self.batches.len() {
            return Err(ForgetError::InvalidConfig(
                "the checkpoint belongs to a run with other training data".into(),
            ));
        }
        self.trainer.resume(&checkpoint.weights, checkpoint.step)?;
        self.batches = checkpoint.batches;
        self.last_loss = checkpoint.last_loss;
        self.state = RunState::Ready;
        Ok(())
    }
}
