//! What is mixed into a stage's data. With |D| the stage's items and r the mix ratio, a stage
//! trains on D plus ⌊r·|D|⌋ mixing items, shuffled together:
//!
//! - **Replay**: items of earlier stages, drawn uniformly (rehearsal, Robins 1995).
//! - **REMIX generic** (Chen et al. 2024, "Continual Memorization of Factoids in Language
//!   Models"): passages of a generic corpus framed as completions, "Complete the following
//!   partial passage:" + the first half → the second half. REMIX never shows the earlier facts
//!   again, and still protects them.
//! - **REMIX random**: the same frame around sequences of random words from the corpus's
//!   vocabulary (the paper does not publish how its random words are drawn; ours are uniform
//!   over the generic corpus's distinct words).

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use serde::{Deserialize, Serialize};

use super::datasets::completions;
use crate::world::QaItem;

const FRAME: &str = "Complete the following partial passage:";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mixing {
    #[default]
    None,
    Replay,
    RemixGeneric,
    RemixRandom,
}

impl Mixing {
    pub const ALL: [Mixing; 4] =
        [Mixing::None, Mixing::Replay, Mixing::RemixGeneric, Mixing::RemixRandom];

    pub fn name(self) -> &'static str {
        match self {
            Mixing::None => "none",
            Mixing::Replay => "replay",
            Mixing::RemixGeneric => "remix_generic",
            Mixing::RemixRandom => "remix_random",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The ⌊ratio·n_stage⌋ items mixed into a stage of `n_stage` items, from `earlier` stages'
    /// items (replay) or the `generic` corpus (REMIX).
    pub fn items(
        self,
        ratio: f64,
        n_stage: usize,
        earlier: &[QaItem],
        generic: &[String],
        rng: &mut StdRng,
    ) -> Vec<QaItem> {
        let n = (ratio.max(0.0) * n_stage as f64).floor() as usize;
        match self {
            Mixing::None => vec![],
            Mixing::Replay => (0..n).filter_map(|_| earlier.choose(rng).cloned()).collect(),
            Mixing::RemixGeneric => {
                let picked: Vec<String> =
                    (0..n).filter_map(|_| generic.choose(rng).cloned()).collect();
                completions(&picked, FRAME)
            }
            Mixing::RemixRandom => {
                let mut words: Vec<&str> =
                    generic.iter().flat_map(|s| s.split_whitespace()).collect();
                words.sort_unstable();
                words.dedup();
                let sentences: Vec<String> = (0..n)
                    .map(|_| {
                        let len = rng.random_range(6..=12);
                        (0..len)
                            .filter_map(|_| words.choose(rng).copied())
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .collect();
                completions(&sentences, FRAME)
            }
        }
        .into_iter()
        .enumerate()
        .map(|(i, it)| QaItem { id: format!("mix-{}-{i}", self.name()), ..it })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn mixing_adds_ratio_times_the_stage_and_replay_only_replays() {
        let generic: Vec<String> =
            (0..50).map(|i| format!("the cat number {i} sat on the warm mat today")).collect();
        let earlier: Vec<QaItem> = (0..5)
            .map(|i| QaItem {
                question: format!("q{i}"),
                answer: format!("a{i}"),
                ..Default::default()
            })
            .collect();
        let mut rng = StdRng::seed_from_u64(1);
        assert!(Mixing::None.items(2.0, 10, &earlier, &generic, &mut rng).is_empty());
        let replay = Mixing::Replay.items(1.5, 10, &earlier, &generic, &mut rng);
        assert_eq!(replay.len(), 15);
        assert!(replay.iter().all(|r| earlier.iter().any(|e| e.question == r.question)));
        for m in [Mixing::RemixGeneric, Mixing::RemixRandom] {
            let mixed = m.items(1.0, 10, &earlier, &generic, &mut rng);
            assert_eq!(mixed.len(), 10, "{}", m.name());
            assert!(mixed.iter().all(|it| it.question.starts_with(FRAME) && !it.answer.is_empty()));
        }
        assert_eq!(Mixing::parse("remix_random"), Some(Mixing::RemixRandom));
    }
}
