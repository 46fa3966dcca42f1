//! From question/answer text to training tensors, with the prompt masked out of the loss.
//!
//! As in open-unlearning, a sequence is `prompt ids ++ answer ids ++ EOS`, and only the answer
//! tokens and the EOS are scored: logits at position `j` predict token `j+1`, so the target mask
//! is 1 where `j + 1 ≥ len(prompt)`. Batches are right-padded with EOS; with causal attention the
//! padding never influences the real positions, and the mask keeps it out of every loss.

use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::error::ForgetError;
use crate::tokenizer::Tokenizer;
use crate::world::{format_answer, format_prompt};

/// One tokenized (prompt, answer) pair.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    pub prompt: Vec<u32>,
    /// Answer tokens followed by EOS.
    pub answer: Vec<u32>,
}

impl Example {
    /// Tokenize `question` as a prompt and `answer` as its continuation, truncating the answer
    /// so the whole sequence fits `max_len` tokens.
    pub fn qa(
        tok: &Tokenizer,
        question: &str,
        answer: &str,
        max_len: usize,
    ) -> Result<Self, ForgetError> {
        Self::raw(tok, &format_prompt(question), &format_answer(answer), max_len)
    }

    /// [`Example::qa`] for a fact someone typed: when question, answer and end-of-text do not fit
    /// the model's context, an error that says so, never a silently shortened fact.
    pub fn qa_whole(
        tok: &Tokenizer,
        question: &str,
        answer: &str,
        max_len: usize,
    ) -> Result<Self, ForgetError> {
        let whole = tok.encode(&format_prompt(question))?.len()
            + tok.encode(&format_answer(answer))?.len()
            + 1;
        if whole > max_len {
            return Err(ForgetError::InvalidConfig(format!(
                "the fact “{question}” → “{answer}” is {whole} tokens long, but the model reads at \
                    most {max_len}: shorten it"
            )));
        }
        Self::qa(tok, question, answer, max_len)
    }

    /// Tokenize an arbitrary prompt / continuation pair (e.g. ReLearn's prefix-completion samples).
    pub fn raw(
        tok: &Tokenizer,
        prompt: &str,
        continuation: &str,
        max_len: usize,
    ) -> Result<Self, ForgetError> {
        let mut prompt = tok.encode(prompt)?;
        let mut answer = tok.encode(continuation)?;
        // Keep at least 8 answer slots: a prompt that fills the context would leave nothing to
        // learn.
        let keep_prompt = max_len.saturating_sub(8).max(1);
        if prompt.len() > keep_prompt {
            prompt.drain(..prompt.len() - keep_prompt);
        }
        answer.truncate(max_len.saturating_sub(prompt.len() + 1));
        answer.push(tok.eos_id());
        Ok(Self { prompt, answer })
    }

    pub fn len(&self) -> usize {
        self.prompt.len() + self.answer.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A padded batch on a device.
///
/// # Shapes
/// - `inputs`, `targets`: `[batch, seq]` (Int); `targets[b, j] = tokens[b, j + 1]`
/// - `mask`: `[batch, seq]` (Float, 1 on answer targets, 0 on prompt and padding)
#[derive(Clone, Debug)]
pub struct Batch {
    pub inputs: Tensor<2, Int>,
    pub targets: Tensor<2, Int>,
    pub mask: Tensor<2>,
    /// Answer-token count per row (host copy, so no readback is needed to normalise).
    pub answer_lens: Vec<usize>,
    /// Input tokens of all rows, padding excluded (what "training tokens per second" counts).
    pub tokens: usize,
}

impl Batch {
    pub fn new(examples: &[Example], pad_id: u32, device: &Device) -> Self {
        assert!(!examples.is_empty(), "callers check for empty selections before batching");
        let seq = examples.iter().map(|e| e.len() - 1).max().unwrap_or(1).max(1);
        let b = examples.len();
        let mut inputs = vec![pad_id as i64; b * seq];
        let mut targets = vec![pad_id as i64; b * seq];
        let mut mask = vec![0f32; b * seq];
        let mut answer_lens = Vec::with_capacity(b);
        for (r, e) in examples.iter().enumerate() {
            let tokens: Vec<u32> = e.prompt.iter().chain(&e.answer).copied().collect();
            for j in 0..tokens.len() - 1 {
                inputs[r * seq + j] = tokens[j] as i64;
                targets[r * seq + j] = tokens[j + 1] as i64;
                if j + 1 >= e.prompt.len() {
                    mask[r * seq + j] = 1.0;
                }
            }
            answer_lens.push(e.answer.len());
        }
        Self {
            inputs: Tensor::from_data(TensorData::new(inputs, [b, seq]), device),
            targets: Tensor::from_data(TensorData::new(targets, [b, seq]), device),
            mask: Tensor::from_data(TensorData::new(mask, [b, seq]), device),
            answer_lens,
            tokens: examples.iter().map(|e| e.len() - 1).sum(),
        }
    }

    pub fn rows(&self) -> usize {
        self.answer_lens.len()
    }
}
