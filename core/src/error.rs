//! The engine's one error type. Every failure a user can cause (bad files, bad settings, a
//! diverging run) ends up here with a message that says what to do; the engine never panics on
//! user input.

use crate::world::WorldError;

#[derive(Debug, thiserror::Error)]
pub enum ForgetError {
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error("model file: {0}")]
    ModelFile(String),
    #[error("invalid setting: {0}")]
    InvalidConfig(String),
    #[error("unknown method '{0}' (known: {1})")]
    UnknownMethod(String, String),
    #[error("the forget selection is empty: pick at least one item")]
    EmptyForgetSet,
    #[error(
        "training diverged at step {step}: the loss became {loss}. The run stopped; the weights \
            from step {last_good} are kept."
    )]
    Diverged { step: usize, loss: f32, last_good: usize },
    #[error(
        "training blew up at step {step}: the loss reached {loss}, past {method}'s limit of \
            ±{limit} (core/src/methods/spec.rs says why). The run stopped; the weights from step \
            {last_good} are kept."
    )]
    LossExploded { step: usize, loss: f32, method: &'static str, limit: f64, last_good: usize },
    #[error("the run has stopped; reset it before stepping again")]
    RunStopped,
    #[error("reading a tensor back from the device failed: {0}")]
    Readback(String),
    #[error(transparent)]
    World(#[from] WorldError),
    #[error("file {path}: {message}")]
    Io { path: String, message: String },
}

pub type Result<T> = std::result::Result<T, ForgetError>;
