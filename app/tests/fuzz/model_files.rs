//! The model files' parsers: safetensors, config.json, tokenizer.json, and the three together.

use forgetlab_core::model::{GptConfig, GptWeights, LoadedModel};
use forgetlab_core::tokenizer::Tokenizer;

use super::{JSON_TOKENS, fuzz, read, text};
use crate::mutate::Mutator;

/// A model small enough that parsing its file costs microseconds.
fn micro_config() -> GptConfig {
    GptConfig { vocab_size: 8, n_positions: 4, n_embd: 4, n_layer: 1, ..GptConfig::tiny(8, 0) }
}

/// A safetensors file split into its JSON header and its data.
fn split_safetensors(bytes: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    (bytes[8..8 + n].to_vec(), bytes[8 + n..].to_vec())
}

fn frame_safetensors(header: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header);
    out.extend_from_slice(data);
    out
}

#[test]
fn fuzz_safetensors() {
    let micro = GptWeights::init(&micro_config(), 1).to_safetensors().unwrap();
    let real = read("public/models/forgetlab-small/model.safetensors");
    let (micro_header, micro_data) = split_safetensors(&micro);
    let (real_header, _) = split_safetensors(&real);
    let tokens = [
        JSON_TOKENS,
        &[
            "\"dtype\":",
            "\"F32\"",
            "\"F16\"",
            "\"BF16\"",
            "\"I64\"",
            "\"shape\":",
            "\"data_offsets\":",
            "\"__metadata__\":",
        ],
    ]
    .concat();
    let tokens: &'static [&'static str] = Box::leak(tokens.into_boxed_slice());
    // Raw bytes, and (structure-aware) a mutated header framed with its true length.
    let mut raw =
        Mutator::new(1, vec![micro.clone(), frame_safetensors(&real_header, &micro_data)], tokens);
    let mut headers = Mutator::new(2, vec![micro_header, real_header], tokens);
    let config = micro_config();
    fuzz(
        "safetensors",
        || {
            if raw.coin() {
                raw.next_input()
            } else {
                frame_safetensors(&headers.next_input(), &micro_data)
            }
        },
        |bytes| {
            let weights = GptWeights::from_safetensors(bytes).map_err(|e| e.to_string())?;
            weights.validate(&config).map_err(|e| e.to_string())
        },
    );
}

#[test]
fn fuzz_config_json() {
    let real = read("public/models/forgetlab-small/config.json");
    let ours = micro_config().to_hf_json().into_bytes();
    let tokens = [
        JSON_TOKENS,
        &[
            "\"n_embd\":",
            "\"n_head\":",
            "\"vocab_size\":",
            "\"n_layer\":",
            "\"n_positions\":",
            "\"layer_norm_epsilon\":",
            "\"eos_token_id\":",
        ],
    ]
    .concat();
    let mut m = Mutator::new(3, vec![real, ours], Box::leak(tokens.into_boxed_slice()));
    fuzz(
        "config.json",
        || m.next_input(),
        |bytes| {
            let cfg = GptConfig::from_hf_json(text(bytes)?).map_err(|e| e.to_string())?;
            let _ = (cfg.num_params(), cfg.head_dim());
            Ok(())
        },
    );
}

#[test]
fn fuzz_tokenizer_json() {
    let real = read("public/models/forgetlab-small/tokenizer.json");
    let tokens = [
        JSON_TOKENS,
        &[
            "\"model\":",
            "\"type\":",
            "\"BPE\"",
            "\"vocab\":",
            "\"merges\":",
            "\"added_tokens\":",
            "\"<|endoftext|>\"",
            "\"pre_tokenizer\":",
            "\"ByteLevel\"",
            "\"decoder\":",
        ],
    ]
    .concat();
    let mut m = Mutator::new(4, vec![real], Box::leak(tokens.into_boxed_slice()));
    fuzz(
        "tokenizer.json",
        || m.next_input(),
        |bytes| {
            let tok = Tokenizer::from_json(bytes).map_err(|e| e.to_string())?;
            // A tokenizer that loads must also encode and decode without panicking.
            let ids = tok
                .encode("Who wrote \"The Silent Tide\"? ünïcödé 42")
                .map_err(|e| e.to_string())?;
            tok.decode(&ids).map_err(|e| e.to_string())?;
            Ok(())
        },
    );
}

/// The model directory as a whole: the three files must agree with each other.
#[test]
fn fuzz_model_directory() {
    let config = read("public/models/forgetlab-small/config.json");
    let tokenizer = read("public/models/forgetlab-small/tokenizer.json");
    let vocab = Tokenizer::from_json(&tokenizer).unwrap().vocab_size();
    let micro_cfg = GptConfig { vocab_size: vocab, ..micro_config() };
    let micro = GptWeights::init(&micro_cfg, 1).to_safetensors().unwrap();
    let seeds = vec![config, micro_cfg.to_hf_json().into_bytes()];
    let mut m = Mutator::new(5, seeds, JSON_TOKENS);
    fuzz(
        "model directory",
        || m.next_input(),
        |bytes| {
            LoadedModel::from_bytes(bytes, &micro, &tokenizer)
                .map(|_| ())
                .map_err(|e| e.to_string())
        },
    );
}
