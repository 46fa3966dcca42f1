//! Which examples each step trains on: epoch-wise draws from a seeded shuffle.
//!
//! The pool's indices are shuffled (Fisher–Yates, with the seed's generator) and drawn in order;
//! when they run out, the order is shuffled again and drawing goes on, so every example is seen
//! once per epoch and a batch may span two epochs. The same generator serves the method's own
//! random choices ([`Batches::rng`]), so one seed fixes the whole data order.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

#[derive(Clone, Debug)]
pub struct Batches {
    seed: u64,
    rng: StdRng,
    order: Vec<usize>,
    cursor: usize,
}

impl Batches {
    /// Draws from a pool of `len` examples; the first draw shuffles.
    pub fn new(len: usize, seed: u64) -> Self {
        Self { seed, rng: StdRng::seed_from_u64(seed), order: (0..len).collect(), cursor: len }
    }

    /// The next `n` pool indices (none from an empty pool).
    pub fn next(&mut self, n: usize) -> Vec<usize> {
        if self.order.is_empty() {
            return vec![];
        }
        (0..n)
            .map(|_| {
                if self.cursor >= self.order.len() {
                    self.order.shuffle(&mut self.rng);
                    self.cursor = 0;
                }
                self.cursor += 1;
                self.order[self.cursor - 1]
            })
            .collect()
    }

    /// Draw from a new pool of `len` examples (a new stage), shuffled before its first draw; the
    /// generator goes on.
    pub fn restart(&mut self, len: usize) {
        self.order = (0..len).collect();
        self.cursor = len;
    }

    /// The size of the pool drawn from.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The generator, for the method's own random choices between draws.
    pub fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }

    /// Back to the seed's order (what a reset run draws again).
    pub fn reset(&mut self) {
        *self = Self::new(self.order.len(), self.seed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_once_per_epoch_and_the_same_order_after_a_reset() {
        let mut b = Batches::new(10, 3);
        let mut first: Vec<usize> = b.next(4);
        first.extend(b.next(6));
        let mut sorted = first.clone();
        sorted.sort();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
        let second = b.next(10);
        assert_ne!(first, second, "each epoch is shuffled again");
        b.reset();
        assert_eq!(b.next(10), first);
        assert!(Batches::new(0, 1).next(3).is_empty());
    }
}
