//! The fluency scorer's answers, remembered between evaluations of a run.
//!
//! The Linguistic Score's perplexity is the mean NLL of each generated answer under a *frozen*
//! scorer (the fluency model, or the original model when none is loaded), conditioned on its
//! question. A given (question, answer) pair therefore always scores the same, and between two
//! evaluations most greedy answers do not change (every retained fact's; the forget facts' until
//! they are forgotten), so the scorer only runs on answers it has not seen. The key is the
//! scored example's token ids, exactly what the scorer reads: a different prompt (IKE's
//! demonstrations) or a different answer is a different key.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::batch::Example;

/// The most pairs kept; past it the cache starts over (a long run's answers keep changing).
const CAPACITY: usize = 20_000;

/// Mean NLL per scored example under one frozen scorer.
#[derive(Debug, Default)]
pub struct NllCache {
    values: Mutex<HashMap<Vec<u32>, f64>>,
}

impl NllCache {
    fn key(ex: &Example) -> Vec<u32> {
        // u32::MAX is never a token id: it separates the prompt from the answer.
        let mut key = Vec::with_capacity(ex.prompt.len() + ex.answer.len() + 1);
        key.extend_from_slice(&ex.prompt);
        key.push(u32::MAX);
        key.extend_from_slice(&ex.answer);
        key
    }

    /// The cached value of each example (None: not scored yet).
    pub fn get(&self, examples: &[Example]) -> Vec<Option<f64>> {
        let values = self.values.lock().unwrap_or_else(|e| e.into_inner());
        examples.iter().map(|ex| values.get(&Self::key(ex)).copied()).collect()
    }

    /// Remember the values of freshly scored examples.
    pub fn put(&self, examples: &[Example], nll: &[f64]) {
        let mut values = self.values.lock().unwrap_or_else(|e| e.into_inner());
        if values.len() + examples.len() > CAPACITY {
            values.clear();
        }
        for (ex, &v) in examples.iter().zip(nll) {
            values.insert(Self::key(ex), v);
        }
    }

    /// How many pairs are remembered.
    pub fn len(&self) -> usize {
        self.values.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
