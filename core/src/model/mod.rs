//! The language model: configuration, host weights and files, the burn module, generation.

pub mod activation;
pub mod attention;
pub mod config;
pub mod generate;
pub mod gpt;
pub mod hf;
pub mod kv_cache;
pub mod llama;
pub mod logit_difference;
pub mod lora;
pub mod memory;
pub mod norm;
pub mod projection;
pub mod rope;
pub mod weights;

pub use activation::Activation;
pub use config::GptConfig;
pub use gpt::Gpt;
pub use hf::LoadedModel;
pub use logit_difference::LogitDifference;
pub use weights::GptWeights;
