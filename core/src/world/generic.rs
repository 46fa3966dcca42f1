//! A seeded toy grammar of plain English sentences.
//!
//! The base model needs some general fluency besides the QA facts, otherwise
//! "model utility" metrics and generated text are meaningless. The grammar has
//! a few hundred words of everyday vocabulary, uses no author names or author
//! entities, and keeps sentences short so a tiny model can learn their shape.

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use std::collections::HashSet;

#[rustfmt::skip]
const PEOPLE: &[&str] = &[
    "farmer", "teacher", "child", "sailor", "doctor", "student", "old man", "young woman", "girl",
    "boy", "neighbor", "driver", "cook", "painter", "singer", "soldier", "king", "queen", "friend",
    "fisher", "merchant", "traveler", "musician", "grandmother", "grandfather", "mother", "father",
    "shopkeeper", "hunter", "poet",
];
#[rustfmt::skip]
const RELATIVES: &[&str] = &[
    "friend", "mother", "father", "sister", "brother", "grandmother", "grandfather", "cousin",
    "uncle", "aunt", "neighbor", "teacher",
];
#[rustfmt::skip]
const ANIMALS: &[&str] = &[
    "cat", "dog", "horse", "bird", "fox", "rabbit", "cow", "goat", "duck", "mouse", "owl", "bear",
    "squirrel", "donkey", "sheep", "hen",
];
#[rustfmt::skip]
const OBJECTS: &[&str] = &[
    "book", "basket", "letter", "box", "cup", "lamp", "ball", "coat", "key", "bottle", "chair",
    "table", "bag", "hat", "kite", "drum", "loaf of bread", "bowl of soup", "pair of shoes",
    "bicycle", "boat", "picture", "umbrella", "apple", "blanket", "candle", "ladder", "rope",
    "jar of honey", "wooden spoon", "flower", "newspaper",
];
/// Adjectives for people and animals.
#[rustfmt::skip]
const LIVING_ADJECTIVES: &[&str] = &[
    "old", "young", "happy", "tired", "quiet", "busy", "kind", "brave", "clever", "gentle",
    "hungry", "friendly", "careful", "lazy", "tall", "noisy", "sleepy", "proud", "shy", "cheerful",
];
/// Adjectives for things.
#[rustfmt::skip]
const THING_ADJECTIVES: &[&str] = &[
    "small", "big", "red", "blue", "green", "heavy", "warm", "cold", "new", "bright", "dark",
    "round", "broken", "clean", "dirty", "wet", "empty", "soft", "strange", "old",
];
/// Transitive verbs: (past, present third person, base).
#[rustfmt::skip]
const TRANSITIVE: &[(&str, &str, &str)] = &[
    ("carried", "carries", "carry"), ("found", "finds", "find"), ("opened", "opens", "open"),
    ("painted", "paints", "paint"), ("cleaned", "cleans", "clean"), ("watched", "watches", "watch"),
    ("bought", "buys", "buy"), ("sold", "sells", "sell"), ("fixed", "fixes", "fix"),
    ("dropped", "drops", "drop"), ("washed", "washes", "wash"), ("lifted", "lifts", "lift"),
    ("hid", "hides", "hide"), ("brought", "brings", "bring"), ("took", "takes", "take"),
    ("made", "makes", "make"), ("shared", "shares", "share"), ("borrowed", "borrows", "borrow"),
    ("wanted", "wants", "want"), ("moved", "moves", "move"),
];
/// Intransitive verbs: (past, present third person, base).
#[rustfmt::skip]
const INTRANSITIVE: &[(&str, &str, &str)] = &[
    ("slept", "sleeps", "sleep"), ("walked", "walks", "walk"), ("sang", "sings", "sing"),
    ("laughed", "laughs", "laugh"), ("waited", "waits", "wait"), ("danced", "dances", "dance"),
    ("rested", "rests", "rest"), ("ran", "runs", "run"), ("smiled", "smiles", "smile"),
    ("worked", "works", "work"), ("played", "plays", "play"), ("sat", "sits", "sit"),
    ("read", "reads", "read"), ("cried", "cries", "cry"),
];
#[rustfmt::skip]
const PLACES: &[&str] = &[
    "the park", "the river", "the market", "the kitchen", "the library", "the garden",
    "the station", "the village", "the school", "the beach", "the forest", "the farm", "the city",
    "the hill", "the bakery", "the bridge", "the field", "the shop", "the lake", "the old house",
    "the church", "the road", "the barn", "the square",
];
const PREPOSITIONS: &[&str] = &["in", "near", "behind", "beside", "at", "by"];
#[rustfmt::skip]
const TIMES: &[&str] = &[
    "in the morning", "at night", "after lunch", "on Sunday", "yesterday", "last winter",
    "every day", "in the evening", "before dinner", "during the storm", "in the summer", "at noon",
    "on Monday", "last week", "at dawn", "after school",
];
#[rustfmt::skip]
const WEATHER: &[&str] = &[
    "cold", "warm", "rainy", "windy", "sunny", "dark", "foggy", "quiet",
];
#[rustfmt::skip]
const REASONS: &[&str] = &[
    "it was late", "the sun was shining", "the road was long", "the door was open",
    "everyone was hungry", "the rain had stopped",
];

fn pick<'a>(rng: &mut StdRng, pool: &[&'a str]) -> &'a str {
    pool.choose(rng).expect("grammar pools are never empty")
}

fn a_an(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
}

/// One sentence from one of ten patterns.
fn sentence(rng: &mut StdRng) -> String {
    let person = pick(rng, PEOPLE);
    let relative = pick(rng, RELATIVES);
    let animal = pick(rng, ANIMALS);
    let animal2 = pick(rng, ANIMALS);
    let object = pick(rng, OBJECTS);
    let adj = pick(rng, LIVING_ADJECTIVES);
    let adj2 = pick(rng, THING_ADJECTIVES);
    let &(tv_past, tv_now, tv_base) = TRANSITIVE.choose(rng).unwrap();
    let &(iv_past, iv_now, iv_base) = INTRANSITIVE.choose(rng).unwrap();
    let place = pick(rng, PLACES);
    let prep = pick(rng, PREPOSITIONS);
    let time = pick(rng, TIMES);
    match rng.random_range(0..10) {
        0 => format!(
            "The {adj} {person} {tv_past} {} {adj2} {object} {prep} {place} {time}.",
            a_an(adj2)
        ),
        1 => format!("{} {adj} {animal} {iv_past} {prep} {place}.", capitalize(a_an(adj))),
        2 => format!("{}, the {person} {tv_past} the {object}.", capitalize(time)),
        3 => format!("The {person} {tv_now} {} {object} every day.", a_an(object)),
        4 => format!("The {person} was {adj} because the {object} was {adj2}."),
        5 => format!("My {relative} likes to {iv_base} {prep} {place} {time}."),
        6 => format!("The {animal} and the {animal2} {iv_past} together {prep} {place}."),
        7 => format!("It was {} {time}, so the {person} stayed home.", pick(rng, WEATHER)),
        8 => format!(
            "The {person} {iv_now} {prep} {place} while the {animal} {iv_now2}.",
            iv_now2 = INTRANSITIVE.choose(rng).unwrap().1
        ),
        _ => {
            format!("The {person} wanted to {tv_base} the {object} because {}.", pick(rng, REASONS))
        }
    }
}

/// `n` distinct sentences (fewer only if the grammar cannot produce that many).
pub(super) fn generic_sentences(rng: &mut StdRng, n: usize) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(n);
    let mut misses = 0;
    while out.len() < n && misses < 10 * n + 100 {
        let s = sentence(rng);
        if seen.insert(s.clone()) {
            out.push(s);
        } else {
            misses += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn sentences_are_distinct_ascii_and_varied() {
        let s = generic_sentences(&mut StdRng::seed_from_u64(3), 2000);
        assert_eq!(s.len(), 2000);
        assert!(s.iter().all(|x| x.is_ascii() && x.ends_with('.') && x.split(' ').count() <= 20));
        let vocab: HashSet<&str> =
            s.iter().flat_map(|x| x.split(|c: char| !c.is_ascii_alphabetic())).collect();
        assert!(vocab.len() >= 200, "vocabulary too small: {}", vocab.len());
        let starts: HashSet<&str> = s.iter().map(|x| x.split(' ').next().unwrap()).collect();
        assert!(starts.len() >= 10, "sentence openings are not varied");
    }
}
