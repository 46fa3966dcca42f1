//! Shared fixture: a tiny world and a toy model pretrained on it in about a second, built once
//! per test binary.

#![allow(dead_code)]

use std::sync::OnceLock;

use burn::tensor::Device;
use forgetlab::eval::Evaluator;
use forgetlab::model::{Gpt, GptWeights, LoadedModel};
use forgetlab::pretrain::{PretrainConfig, pretrain};
use forgetlab::world::{FactWorld, WorldConfig};

pub fn device() -> Device {
    Device::flex()
}

pub struct Fixture {
    pub world: FactWorld,
    pub model: LoadedModel,
}

pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let world = FactWorld::generate(&WorldConfig::tiny(3));
        let model =
            pollster::block_on(pretrain(&world, &PretrainConfig::tiny(), &device(), |_, _| {}))
                .expect("tiny pretraining works");
        Fixture { world, model }
    })
}

/// Mean answer NLL of `weights` on (question, answer) pairs.
pub fn avg_nll(f: &Fixture, weights: &GptWeights, pairs: &[(String, String)]) -> f64 {
    let d = device();
    let gpt = Gpt::from_weights(&f.model.config, weights, &d).unwrap();
    let ev = Evaluator::new(&gpt, &gpt, &f.model.config, &f.model.tokenizer, &d, 8);
    let examples: Vec<_> = pairs
        .iter()
        .map(|(q, a)| {
            forgetlab::batch::Example::qa(&f.model.tokenizer, q, a, f.model.config.n_positions)
                .unwrap()
        })
        .collect();
    let v = pollster::block_on(ev.avg_nll(&gpt, None, &examples)).unwrap();
    v.iter().sum::<f64>() / v.len() as f64
}
