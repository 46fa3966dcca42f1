//! Byte-level BPE tokenizer, trained by ForgetLab on its own corpus and saved as `tokenizer.json`.
//!
//! The same `tokenizers` crate reads the file natively and on wasm (built there with
//! `default-features = false, features = ["unstable_wasm"]`; we use that feature set everywhere so
//! the regex engine — fancy-regex — and therefore every token id is identical on both targets).
//! The layout is GPT-2's: ByteLevel pre-tokenizer without a prefix space, ByteLevel decoder, and
//! `<|endoftext|>` as the one special token, used as EOS and as padding.

use tokenizers::models::TrainerWrapper;
use tokenizers::models::bpe::{BPE, BpeTrainerBuilder};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::{
    AddedToken, DecoderWrapper, ModelWrapper, PostProcessorWrapper, PreTokenizerWrapper,
};

use crate::error::ForgetError;

/// GPT-2's end-of-text token: ends every answer and pads batches.
pub const EOS_TOKEN: &str = "<|endoftext|>";

/// A trained byte-level BPE tokenizer plus the id of its EOS token.
#[derive(Clone)]
pub struct Tokenizer {
    inner: tokenizers::Tokenizer,
    eos_id: u32,
    /// Texts already encoded. Every evaluation encodes the same few thousand questions and
    /// answers, and BPE with its regex pre-tokenizer costs about a tenth of an evaluation pass.
    /// Shared by clones; emptied when it reaches [`ENCODE_CACHE_ENTRIES`].
    encoded: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, Vec<u32>>>>,
}

/// Bound on the encode cache (each entry is a short text and its ids: a few MB at most).
const ENCODE_CACHE_ENTRIES: usize = 50_000;

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokenizer {{ vocab_size: {}, eos_id: {} }}", self.vocab_size(), self.eos_id)
    }
}

impl Tokenizer {
    /// Train a byte-level BPE with `vocab_size` entries (EOS included) on `texts`.
    /// Deterministic: the BPE trainer breaks ties by byte order, not by hash order.
    pub fn train(texts: &[String], vocab_size: usize) -> Result<Self, ForgetError> {
        let mut inner = tokenizers::Tokenizer::new(ModelWrapper::BPE(BPE::default()));
        inner.with_pre_tokenizer(Some(PreTokenizerWrapper::ByteLevel(
            ByteLevel::default().add_prefix_space(false),
        )));
        inner.with_decoder(Some(DecoderWrapper::ByteLevel(ByteLevel::default())));
        inner.with_post_processor(Some(PostProcessorWrapper::ByteLevel(
            ByteLevel::default().trim_offsets(false),
        )));
        let trainer = BpeTrainerBuilder::new()
            .vocab_size(vocab_size)
            .min_frequency(2)
            .show_progress(false)
            .special_tokens(vec![AddedToken::from(EOS_TOKEN, true)])
            .initial_alphabet(ByteLevel::alphabet().into_iter().collect())
            .build();
        let mut trainer = TrainerWrapper::BpeTrainer(trainer);
        inner
            .train(&mut trainer, texts.iter())
            .map_err(|e| ForgetError::Tokenizer(e.to_string()))?;
        Self::from_inner(inner)
    }

    /// Read a `tokenizer.json` (ours, or any GPT-2-style one that has `<|endoftext|>`).
    pub fn from_json(bytes: &[u8]) -> Result<Self, ForgetError> {
        // The tokenizers crate panics (`expect("Helper")`, decoders/mod.rs) on a syntax error or
        // an invalid escape inside "decoder"; reading the JSON (strings decoded) first turns that
        // into an error (found by the fuzz test, app/tests/fuzz).
        serde_json::from_slice::<serde_json::Value>(bytes)
            .map_err(|e| ForgetError::Tokenizer(format!("tokenizer.json is not JSON: {e}")))?;
        let inner = tokenizers::Tokenizer::from_bytes(bytes)
            .map_err(|e| ForgetError::Tokenizer(format!("cannot read tokenizer.json: {e}")))?;
        Self::from_inner(inner)
    }

    fn from_inner(inner: tokenizers::Tokenizer) -> Result<Self, ForgetError> {
        let eos_id = inner
            .token_to_id(EOS_TOKEN)
            .ok_or_else(|| ForgetError::Tokenizer(format!("tokenizer has no {EOS_TOKEN} token")))?;
        Ok(Self { inner, eos_id, encoded: Default::default() })
    }

    /// The tokenizer as `tokenizer.json` text.
    pub fn to_json(&self) -> Result<String, ForgetError> {
        self.inner.to_string(false).map_err(|e| ForgetError::Tokenizer(e.to_string()))
    }

    pub fn eos_id(&self) -> u32 {
        self.eos_id
    }

    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    pub fn encode(&self, text: &str) -> Result<Vec<u32>, ForgetError> {
        // A poisoned lock only means another thread panicked mid-insert; the map is still valid.
        if let Some(ids) = self.encoded.lock().unwrap_or_else(|e| e.into_inner()).get(text) {
            return Ok(ids.clone());
        }
        let enc =
            self.inner.encode(text, false).map_err(|e| ForgetError::Tokenizer(e.to_string()))?;
        let ids = enc.get_ids().to_vec();
        let mut cache = self.encoded.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= ENCODE_CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(text.to_string(), ids.clone());
        Ok(ids)
    }

    /// Decode ids to text, dropping EOS.
    pub fn decode(&self, ids: &[u32]) -> Result<String, ForgetError> {
        self.inner.decode(ids, true).map_err(|e| ForgetError::Tokenizer(e.to_string()))
    }

    /// Each token's text on its own (for colouring tokens by probability).
    pub fn token_texts(&self, ids: &[u32]) -> Result<Vec<String>, ForgetError> {
        ids.iter().map(|&id| self.decode(&[id])).collect()
    }
}
