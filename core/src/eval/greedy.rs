//! Greedy answers for ROUGE, KFR/KRR and the Linguistic Score — drafted by the true answer.
//!
//! Speculative decoding with the true answer as the draft: the answer-tree pass
//! ([`super::answer_tree`]) has already run the model on question + true answer and read back
//! the argmax at every position. Greedy decoding reproduces the true answer's tokens for as long
//! as each one is the argmax given the ones before it, so that prefix is known without decoding
//! anything; at the first position where the argmax differs, the argmax *is* the next greedy
//! token, and decoding resumes after it:
//!
//! ```text
//! true answer   Brisa Tolliver was born in Bright water .  <eos>
//! argmax        Brisa Tolliver was born in Ember  …
//!               └──────── accepted ───────┘└ taken ┘└ decoded from here (KV cache) ┘
//! ```
//!
//! A model that still knows an answer (every retain item; the forget items before unlearning)
//! needs no decode step for it at all; one that forgot it is decoded from its first differing
//! token. The result is greedy decoding's, up to float rounding between the two passes (which
//! could only matter at an exact tie between two tokens). Budget and context limit are those of
//! [`generate`]: at most `max_new_tokens` tokens, and none after question + answer fill the
//! context.

use super::Evaluator;
use crate::error::ForgetError;
use crate::model::generate::{Generation, SamplingConfig, generate};

/// One greedy answer.
#[derive(Clone, Debug, PartialEq)]
pub struct GreedyAnswer {
    /// The decoded text, trimmed.
    pub text: String,
    /// The generated token ids (EOS excluded).
    pub ids: Vec<u32>,
    /// Each token's text with the probability the model gave it.
    pub tokens: Vec<(String, f32)>,
}

/// A question to answer greedily, with the true answer as the draft when there is one.
pub struct Draft<'a> {
    /// The question's prompt tokens, exactly as generation would see them.
    pub prompt: Vec<u32>,
    /// Greedy decoding's first tokens with their probabilities, as far as the answer tree knew
    /// them ([`super::answer_tree::GroupScores::greedy`]): ending with EOS (the answer is
    /// complete) or with the token after which decoding continues.
    pub known: &'a [(u32, f32)],
}

impl Evaluator<'_> {
    /// Greedy answers (text, token ids, token texts with probabilities) for questions.
    pub async fn greedy_answers(
        &self,
        questions: &[&str],
    ) -> Result<Vec<GreedyAnswer>, ForgetError> {
        let prompts = questions
            .iter()
            .map(|q| self.tokenizer.encode(&self.prompt(q)))
            .collect::<Result<Vec<_>, _>>()?;
        let gens = generate(
            self.model,
            self.contrast,
            self.config,
            &prompts,
            &SamplingConfig::greedy(self.max_new_tokens),
            self.device,
        )
        .await?;
        gens.into_iter().map(|g| self.answer_texts(g)).collect()
    }

    /// Greedy answers, taking from each draft the tokens it already determines and decoding only
    /// the rest (see the module docs).
    pub async fn greedy_answers_drafted(
        &self,
        drafts: &[Draft<'_>],
    ) -> Result<Vec<GreedyAnswer>, ForgetError> {
        let (eos, budget, context) =
            (self.tokenizer.eos_id(), self.max_new_tokens, self.config.n_positions);
        let mut gens = Vec::with_capacity(drafts.len());
        // Rows still to decode: (draft, prompt + tokens so far).
        let mut resume: Vec<(usize, Vec<u32>)> = Vec::new();
        for (i, d) in drafts.iter().enumerate() {
            let mut g = Generation { tokens: vec![], probs: vec![] };
            let mut finished = false;
            for &(tok, p) in d.known {
                // Token k comes from position P + k − 1: past the context, decoding stops.
                if g.tokens.len() >= budget
                    || d.prompt.len() + g.tokens.len() > context
                    || tok == eos
                {
                    finished = true;
                    break;
                }
                g.tokens.push(tok);
                g.probs.push(p);
            }
            if !finished && g.tokens.len() < budget && d.prompt.len() + g.tokens.len() <= context {
                resume.push((i, d.prompt.iter().chain(&g.tokens).copied().collect()));
            }
            gens.push(g);
        }
        if !resume.is_empty() {
            // One greedy call for every row left; rows are independent, so each row's own budget
            // is applied by cutting its continuation.
            let most =
                resume.iter().map(|(i, _)| budget - gens[*i].tokens.len()).max().unwrap_or(0);
            let prompts: Vec<Vec<u32>> = resume.iter().map(|(_, p)| p.clone()).collect();
            let rest = generate(
                self.model,
                self.contrast,
                self.config,
                &prompts,
                &SamplingConfig::greedy(most),
                self.device,
            )
            .await?;
            for ((i, _), r) in resume.iter().zip(rest) {
                let g = &mut gens[*i];
                let room = budget - g.tokens.len();
                g.tokens.extend(r.tokens.into_iter().take(room));
                g.probs.extend(r.probs.into_iter().take(room));
            }
        }
        gens.into_iter().map(|g| self.answer_texts(g)).collect()
    }

    fn answer_texts(&self, g: Generation) -> Result<GreedyAnswer, ForgetError> {
        let text = self.tokenizer.decode(&g.tokens)?.trim().to_string();
        let tokens = self.tokenizer.token_texts(&g.tokens)?.into_iter().zip(g.probs).collect();
        Ok(GreedyAnswer { text, ids: g.tokens, tokens })
    }
}
