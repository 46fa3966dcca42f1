//! What a stage trains on. Every dataset is a list of [`QaItem`]s, trained and scored the same way
//! (question as the prompt, answer as the continuation), so one set of metrics covers them all.
//!
//! - **New factoids** (REMIX's long-tail facts, Chen et al. 2024, "Continual Memorization of
//!   Factoids in Language Models"): authors the fact world generates with another seed. The
//!   default model has never seen them. Two disjoint sets (different seeds) make "factoids after
//!   factoids".
//! - **Key-value recall** (REMIX's synthetic task): "What is the value of key amber-17?" → "The
//!   value of key amber-17 is lantern."; the value is the key entity.
//! - **World facts**: the world's QA items (capitals, elements, …), which the model already knows:
//!   training on known facts, a non-factoid stage.
//! - **Generic text**: sentences of the generic corpus as completions ("Complete the passage: the
//!   first half" → the second half); the key entity is the last word.
//! - **Your own facts**: the user's items, as given.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::world::{FactWorld, QaItem, Split, WorldConfig};

/// Seeds of the two new-factoid worlds: far from the default world's 42 and from test seeds.
const FACTOID_SEEDS: [u64; 2] = [0x5EED_0001, 0x5EED_0002];

/// One stage's dataset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum StageData {
    /// New factoids, set 1 or 2.
    Factoids {
        set: u8,
    },
    KeyValue,
    WorldFacts,
    Generic,
    /// The user's own items.
    Own {
        items: Vec<QaItem>,
    },
}

impl StageData {
    /// CLI and URL names (the user's own facts come from a file instead).
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "factoids1" => StageData::Factoids { set: 1 },
            "factoids2" => StageData::Factoids { set: 2 },
            "key_value" => StageData::KeyValue,
            "world" => StageData::WorldFacts,
            "generic" => StageData::Generic,
            _ => return None,
        })
    }

    pub fn name(&self) -> String {
        match self {
            StageData::Factoids { set } => format!("factoids{set}"),
            StageData::KeyValue => "key_value".into(),
            StageData::WorldFacts => "world".into(),
            StageData::Generic => "generic".into(),
            StageData::Own { .. } => "own".into(),
        }
    }

    /// Whether its items are facts the model has to memorise (REMIX's "factoid" stages), as
    /// opposed to text it already knows or fluency data.
    pub fn is_factoid(&self) -> bool {
        matches!(self, StageData::Factoids { .. } | StageData::KeyValue | StageData::Own { .. })
    }

    /// `n` items (fewer if the source has fewer), the same for the same world and seed. Ids are
    /// prefixed with the dataset's name, so two stages never share an id.
    pub fn items(&self, world: &FactWorld, n: usize, seed: u64) -> Vec<QaItem> {
        let name = self.name();
        let mut items = match self {
            StageData::Factoids { set } => new_factoids(FACTOID_SEEDS[usize::from(*set != 1)], n),
            StageData::KeyValue => key_values(n, seed),
            StageData::WorldFacts => {
                let mut w: Vec<QaItem> =
                    world.items.iter().filter(|it| it.split == Split::World).cloned().collect();
                w.shuffle(&mut StdRng::seed_from_u64(seed));
                w
            }
            StageData::Generic => completions(&world.generic, "Complete the passage:"),
            StageData::Own { items } => items.clone(),
        };
        items.truncate(n);
        for (i, it) in items.iter_mut().enumerate() {
            it.id = format!("{name}-{i}");
            if !matches!(self, StageData::WorldFacts) {
                it.split = Split::Custom;
            }
        }
        items
    }
}

/// Items of authors generated with `seed`: whole authors, in order, until there are `n`.
fn new_factoids(seed: u64, n: usize) -> Vec<QaItem> {
    let authors = n.div_ceil(8).max(1) + 2;
    let world = FactWorld::generate(&WorldConfig {
        seed,
        n_trained_authors: authors,
        n_holdout_authors: 0,
        n_generic_sentences: 0,
    });
    world.items.into_iter().filter(|it| !it.author.is_empty()).take(n).collect()
}

const KEY_WORDS: &[&str] = &[
    "amber", "birch", "cobalt", "delta", "ember", "fable", "granite", "harbor", "indigo",
    "juniper", "kestrel", "lumen", "marble", "nectar", "onyx", "pepper", "quartz", "raven",
    "saffron", "thistle",
];
const VALUE_WORDS: &[&str] = &[
    "lantern", "anchor", "compass", "violin", "teapot", "feather", "pebble", "mirror", "ribbon",
    "saddle", "thimble", "whistle", "goblet", "kettle", "locket", "parcel", "quill", "satchel",
    "trumpet", "wagon",
];

/// REMIX's key-value recall pairs: distinct keys, values drawn with replacement.
fn key_values(n: usize, seed: u64) -> Vec<QaItem> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x4B56);
    let mut keys: Vec<String> =
        KEY_WORDS.iter().flat_map(|w| (10..100).map(move |k| format!("{w}-{k}"))).collect();
    keys.shuffle(&mut rng);
    keys.into_iter()
        .take(n)
        .map(|key| {
            let value = VALUE_WORDS[rng.random_range(0..VALUE_WORDS.len())];
            QaItem {
                question: format!("What is the value of key {key}?"),
                answer: format!("The value of key {key} is {value}."),
                paraphrased_question: format!("Which value does the key {key} hold?"),
                key_entity: value.into(),
                kind: "key_value".into(),
                ..QaItem::default()
            }
        })
        .collect()
}

/// Sentences as completions: the first half of the words as the prompt, the rest as the answer.
pub fn completions(sentences: &[String], frame: &str) -> Vec<QaItem> {
    sentences
        .iter()
        .filter_map(|s| {
            let words: Vec<&str> = s.split_whitespace().collect();
            if words.len() < 4 {
                return None;
            }
            let (head, tail) = words.split_at(words.len() / 2);
            let answer = tail.join(" ");
            let last = tail.last()?.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
            Some(QaItem {
                question: format!("{frame} {}", head.join(" ")),
                answer,
                key_entity: last,
                kind: "completion".into(),
                ..QaItem::default()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_factoid_sets_are_new_and_disjoint() {
        let world = FactWorld::generate(&WorldConfig::tiny(7));
        let a = StageData::Factoids { set: 1 }.items(&world, 24, 0);
        let b = StageData::Factoids { set: 2 }.items(&world, 24, 0);
        assert_eq!((a.len(), b.len()), (24, 24));
        let known: Vec<&str> = world.authors.iter().map(|x| x.name.as_str()).collect();
        for it in a.iter().chain(&b) {
            assert!(!known.contains(&it.author.as_str()), "{} is in the world", it.author);
            assert!(it.answer.contains(&it.key_entity));
        }
        assert!(a.iter().all(|x| b.iter().all(|y| x.question != y.question)));
        assert_eq!(a, StageData::Factoids { set: 1 }.items(&world, 24, 9), "seeded by set");
    }

    #[test]
    fn key_values_generic_and_world_items_have_their_key_entity() {
        let world = FactWorld::generate(&WorldConfig::tiny(7));
        for data in [StageData::KeyValue, StageData::Generic, StageData::WorldFacts] {
            let items = data.items(&world, 10, 3);
            assert_eq!(items.len(), 10, "{}", data.name());
            for it in &items {
                assert!(!it.key_entity.is_empty() && it.answer.contains(&it.key_entity), "{it:?}");
                assert!(it.id.starts_with(&data.name()));
            }
        }
        assert_eq!(
            StageData::KeyValue.items(&world, 5, 3),
            StageData::KeyValue.items(&world, 5, 3)
        );
        assert!(StageData::parse("factoids3").is_none());
    }
}
