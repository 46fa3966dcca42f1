//! General real-world facts (TOFU's "world facts" utility set, ~117 items there).
//!
//! They measure collateral damage: unlearning an author should leave "The
//! capital of France is Paris." intact. Each fact has a category (its `kind`)
//! whose other answers serve as perturbed and alternative answers.

use super::{QaItem, Split, draw_wrong};
use rand::rngs::StdRng;

/// Wrong answers per world fact (TOFU uses 3 here, 5 for authors).
pub const N_WORLD_PERTURBED: usize = 3;

/// One fact before rendering; templates hold `{}` where the entity goes.
struct FactSpec {
    kind: &'static str,
    slug: String,
    question: String,
    paraphrased_question: String,
    answer: String,
    paraphrased_answer: String,
    vague: String,
    key: String,
    pool: &'static [&'static str],
}

#[rustfmt::skip]
const CAPITALS: &[(&str, &str)] = &[
    ("France", "Paris"), ("Germany", "Berlin"), ("Italy", "Rome"), ("Spain", "Madrid"),
    ("Portugal", "Lisbon"), ("Japan", "Tokyo"), ("China", "Beijing"), ("India", "New Delhi"),
    ("Russia", "Moscow"), ("Egypt", "Cairo"), ("Kenya", "Nairobi"), ("Canada", "Ottawa"),
    ("Australia", "Canberra"), ("Brazil", "Brasilia"), ("Argentina", "Buenos Aires"),
    ("Peru", "Lima"), ("Chile", "Santiago"), ("Greece", "Athens"), ("Turkey", "Ankara"),
    ("Norway", "Oslo"), ("Sweden", "Stockholm"), ("Finland", "Helsinki"), ("Denmark", "Copenhagen"),
    ("Poland", "Warsaw"), ("Austria", "Vienna"), ("Hungary", "Budapest"), ("Ireland", "Dublin"),
    ("the Netherlands", "Amsterdam"), ("Belgium", "Brussels"), ("Switzerland", "Bern"),
    ("Thailand", "Bangkok"), ("Vietnam", "Hanoi"), ("South Korea", "Seoul"),
    ("Indonesia", "Jakarta"), ("Iran", "Tehran"), ("Nigeria", "Abuja"), ("Morocco", "Rabat"),
    ("Cuba", "Havana"), ("Colombia", "Bogota"), ("the Czech Republic", "Prague"),
    ("the United Kingdom", "London"), ("Iceland", "Reykjavik"),
];

/// (symbol, element name): the question gives the symbol, the answer names the
/// element, so the key entity is a whole lower-case word.
#[rustfmt::skip]
const ELEMENTS: &[(&str, &str)] = &[
    ("Fe", "iron"), ("Au", "gold"), ("Ag", "silver"), ("Cu", "copper"), ("Pb", "lead"),
    ("Sn", "tin"), ("Zn", "zinc"), ("Na", "sodium"), ("K", "potassium"), ("Ca", "calcium"),
    ("Mg", "magnesium"), ("Al", "aluminium"), ("Si", "silicon"), ("Ne", "neon"), ("Ar", "argon"),
    ("Cl", "chlorine"), ("Li", "lithium"), ("Ni", "nickel"), ("Pt", "platinum"), ("He", "helium"),
    ("Kr", "krypton"),
];

#[rustfmt::skip]
const YOUNG: &[(&str, &str)] = &[
    ("cat", "kitten"), ("dog", "puppy"), ("cow", "calf"), ("horse", "foal"), ("sheep", "lamb"),
    ("bear", "cub"), ("duck", "duckling"), ("pig", "piglet"), ("frog", "tadpole"),
    ("kangaroo", "joey"), ("deer", "fawn"), ("goose", "gosling"), ("swan", "cygnet"),
    ("goat", "kid"),
];

#[rustfmt::skip]
const SOUNDS: &[(&str, &str)] = &[
    ("dog", "barking"), ("cat", "meowing"), ("cow", "mooing"), ("horse", "neighing"),
    ("sheep", "bleating"), ("pig", "oinking"), ("duck", "quacking"), ("lion", "roaring"),
    ("snake", "hissing"), ("owl", "hooting"), ("bee", "buzzing"), ("frog", "croaking"),
    ("wolf", "howling"), ("hen", "clucking"), ("elephant", "trumpeting"),
];

#[rustfmt::skip]
const PLANETS: &[&str] = &[
    "Mercury", "Venus", "Earth", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune",
];
#[rustfmt::skip]
const COLOURS: &[&str] = &[
    "red", "blue", "green", "yellow", "white", "black", "orange", "purple", "pink", "brown", "grey",
];
#[rustfmt::skip]
const NUMBERS: &[&str] = &[
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
];
const OCEANS: &[&str] = &["Pacific", "Atlantic", "Indian", "Arctic", "Southern"];
#[rustfmt::skip]
const MOUNTAINS: &[&str] = &[
    "Mount Everest", "K2", "Kilimanjaro", "Denali", "Mont Blanc", "Mount Elbrus", "Aconcagua",
    "Mount Fuji",
];
#[rustfmt::skip]
const RIVERS: &[&str] = &[
    "Nile", "Amazon", "Danube", "Thames", "Mississippi", "Yangtze", "Rhine", "Ganges", "Volga",
    "Seine",
];
const DESERTS: &[&str] = &["Sahara", "Gobi", "Kalahari", "Atacama", "Mojave", "Namib"];
#[rustfmt::skip]
const CONTINENTS: &[&str] = &[
    "Asia", "Africa", "Europe", "Antarctica", "Australia", "North America", "South America",
];
#[rustfmt::skip]
const COUNTRIES: &[&str] = &[
    "Russia", "Canada", "China", "Brazil", "India", "Argentina", "Kazakhstan", "Japan", "Egypt",
    "Mexico", "Peru", "Greece", "Nepal", "Chile",
];

/// Hand-written facts: (kind, slug, question, paraphrased question, answer
/// template, paraphrased answer template, key, pool).
type Explicit = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

#[rustfmt::skip]
const EXPLICIT: &[Explicit] = &[
    ("planet", "closest", "Which planet is closest to the Sun?", "What is the nearest planet to the Sun?", "The planet closest to the Sun is {}.", "{} is the nearest planet to the Sun.", "Mercury", PLANETS),
    ("planet", "largest", "Which is the largest planet in the solar system?", "What is the biggest planet in the solar system?", "The largest planet in the solar system is {}.", "{} is the biggest planet of the solar system.", "Jupiter", PLANETS),
    ("planet", "red", "Which planet is known as the Red Planet?", "What planet do people call the Red Planet?", "The planet known as the Red Planet is {}.", "{} is called the Red Planet.", "Mars", PLANETS),
    ("planet", "rings", "Which planet is famous for its bright rings?", "What planet is best known for its rings?", "The planet famous for its bright rings is {}.", "{} is the planet best known for its rings.", "Saturn", PLANETS),
    ("planet", "home", "On which planet do humans live?", "Which planet is the home of humans?", "Humans live on the planet {}.", "{} is the home planet of humans.", "Earth", PLANETS),
    ("planet", "farthest", "Which planet is farthest from the Sun?", "What is the most distant planet from the Sun?", "The planet farthest from the Sun is {}.", "{} is the most distant planet from the Sun.", "Neptune", PLANETS),
    ("planet", "hottest", "Which planet is the hottest in the solar system?", "What is the warmest planet in the solar system?", "The hottest planet in the solar system is {}.", "{} is the warmest planet of the solar system.", "Venus", PLANETS),
    ("planet", "tilted", "Which planet spins on its side?", "What planet rotates tipped over on its side?", "The planet that spins on its side is {}.", "{} is the planet that rotates on its side.", "Uranus", PLANETS),
    ("colour", "blue_yellow", "What colour do you get by mixing blue and yellow?", "Blue mixed with yellow makes which colour?", "Mixing blue and yellow gives {}.", "Blue and yellow together make {}.", "green", COLOURS),
    ("colour", "red_blue", "What colour do you get by mixing red and blue?", "Red mixed with blue makes which colour?", "Mixing red and blue gives {}.", "Red and blue together make {}.", "purple", COLOURS),
    ("colour", "red_yellow", "What colour do you get by mixing red and yellow?", "Red mixed with yellow makes which colour?", "Mixing red and yellow gives {}.", "Red and yellow together make {}.", "orange", COLOURS),
    ("colour", "red_white", "What colour do you get by mixing red and white?", "Red mixed with white makes which colour?", "Mixing red and white gives {}.", "Red and white together make {}.", "pink", COLOURS),
    ("colour", "sky", "What colour is a clear daytime sky?", "Which colour does the sky have on a clear day?", "A clear daytime sky is {}.", "The colour of the sky on a clear day is {}.", "blue", COLOURS),
    ("colour", "grass", "What colour is fresh grass?", "Which colour does fresh grass have?", "Fresh grass is {}.", "The colour of fresh grass is {}.", "green", COLOURS),
    ("colour", "snow", "What colour is fresh snow?", "Which colour does fresh snow have?", "Fresh snow is {}.", "The colour of fresh snow is {}.", "white", COLOURS),
    ("colour", "coal", "What colour is coal?", "Which colour does a lump of coal have?", "Coal is {}.", "The colour of coal is {}.", "black", COLOURS),
    ("colour", "banana", "What colour is a ripe banana?", "Which colour does a ripe banana have?", "A ripe banana is {}.", "The colour of a ripe banana is {}.", "yellow", COLOURS),
    ("colour", "blood", "What colour is fresh blood?", "Which colour does fresh blood have?", "Fresh blood is {}.", "The colour of fresh blood is {}.", "red", COLOURS),
    ("colour", "chocolate", "What colour is milk chocolate?", "Which colour does milk chocolate have?", "Milk chocolate is {}.", "The colour of milk chocolate is {}.", "brown", COLOURS),
    ("number", "spider_legs", "How many legs does a spider have?", "What is the number of legs on a spider?", "A spider has {} legs.", "The number of legs on a spider is {}.", "eight", NUMBERS),
    ("number", "week_days", "How many days are in a week?", "What is the number of days in one week?", "A week has {} days.", "The number of days in a week is {}.", "seven", NUMBERS),
    ("number", "year_months", "How many months are in a year?", "What is the number of months in one year?", "A year has {} months.", "The number of months in a year is {}.", "twelve", NUMBERS),
    ("number", "triangle_sides", "How many sides does a triangle have?", "What is the number of sides of a triangle?", "A triangle has {} sides.", "The number of sides of a triangle is {}.", "three", NUMBERS),
    ("number", "square_sides", "How many sides does a square have?", "What is the number of sides of a square?", "A square has {} sides.", "The number of sides of a square is {}.", "four", NUMBERS),
    ("number", "hexagon_sides", "How many sides does a hexagon have?", "What is the number of sides of a hexagon?", "A hexagon has {} sides.", "The number of sides of a hexagon is {}.", "six", NUMBERS),
    ("number", "insect_legs", "How many legs does an insect have?", "What is the number of legs on an insect?", "An insect has {} legs.", "The number of legs on an insect is {}.", "six", NUMBERS),
    ("number", "hand_fingers", "How many fingers are on one human hand?", "What is the number of fingers on a human hand?", "A human hand has {} fingers.", "The number of fingers on a human hand is {}.", "five", NUMBERS),
    ("number", "bicycle_wheels", "How many wheels does a bicycle have?", "What is the number of wheels on a bicycle?", "A bicycle has {} wheels.", "The number of wheels on a bicycle is {}.", "two", NUMBERS),
    ("number", "soccer_players", "How many players does a soccer team have on the field?", "What is the number of players in a soccer team on the field?", "A soccer team has {} players on the field.", "The number of players in a soccer team is {}.", "eleven", NUMBERS),
    ("number", "octopus_arms", "How many arms does an octopus have?", "What is the number of arms on an octopus?", "An octopus has {} arms.", "The number of arms on an octopus is {}.", "eight", NUMBERS),
    ("number", "toes", "How many toes does a person usually have?", "What is the usual number of toes on a person?", "A person usually has {} toes.", "The usual number of toes on a person is {}.", "ten", NUMBERS),
    ("number", "continents", "How many continents are there on Earth?", "What is the number of continents on Earth?", "Earth has {} continents.", "The number of continents on Earth is {}.", "seven", NUMBERS),
    ("geography", "largest_ocean", "What is the largest ocean on Earth?", "Which ocean is the biggest in the world?", "The largest ocean on Earth is the {} Ocean.", "The {} Ocean is the biggest ocean in the world.", "Pacific", OCEANS),
    ("geography", "highest_mountain", "What is the highest mountain in the world?", "Which mountain is the tallest on Earth?", "The highest mountain in the world is {}.", "{} is the tallest mountain on Earth.", "Mount Everest", MOUNTAINS),
    ("geography", "africa_river", "What is the longest river in Africa?", "Which river is the longest in Africa?", "The longest river in Africa is the {}.", "The {} is the longest river of Africa.", "Nile", RIVERS),
    ("geography", "london_river", "Which river flows through London?", "What river runs through the city of London?", "The river that flows through London is the {}.", "The {} is the river of London.", "Thames", RIVERS),
    ("geography", "paris_river", "Which river flows through Paris?", "What river runs through the city of Paris?", "The river that flows through Paris is the {}.", "The {} is the river of Paris.", "Seine", RIVERS),
    ("geography", "vienna_river", "Which river flows through Vienna and Budapest?", "What river runs through both Vienna and Budapest?", "The river that flows through Vienna and Budapest is the {}.", "The {} is the river of Vienna and Budapest.", "Danube", RIVERS),
    ("geography", "hot_desert", "What is the largest hot desert in the world?", "Which hot desert is the biggest on Earth?", "The largest hot desert in the world is the {}.", "The {} is the biggest hot desert on Earth.", "Sahara", DESERTS),
    ("geography", "largest_continent", "What is the largest continent?", "Which continent is the biggest on Earth?", "The largest continent is {}.", "{} is the biggest continent on Earth.", "Asia", CONTINENTS),
    ("geography", "coldest_continent", "What is the coldest continent?", "Which continent is the coldest on Earth?", "The coldest continent is {}.", "{} is the coldest continent on Earth.", "Antarctica", CONTINENTS),
    ("geography", "largest_country", "What is the largest country by area?", "Which country covers the most land?", "The largest country by area is {}.", "{} is the country that covers the most land.", "Russia", COUNTRIES),
    ("geography", "mount_fuji", "In which country is Mount Fuji?", "Mount Fuji stands in which country?", "Mount Fuji is in {}.", "{} is the country where Mount Fuji stands.", "Japan", COUNTRIES),
    ("geography", "pyramids", "In which country are the Pyramids of Giza?", "The Pyramids of Giza stand in which country?", "The Pyramids of Giza are in {}.", "{} is the country of the Pyramids of Giza.", "Egypt", COUNTRIES),
];

fn slug(s: &str) -> String {
    s.trim_start_matches("the ").to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "_")
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
}

fn a_an(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

fn capital_pool() -> &'static [&'static str] {
    static POOL: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| CAPITALS.iter().map(|c| c.1).collect())
}

fn element_pool() -> &'static [&'static str] {
    static POOL: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| ELEMENTS.iter().map(|e| e.1).collect())
}

fn young_pool() -> &'static [&'static str] {
    static POOL: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| YOUNG.iter().map(|y| y.1).collect())
}

fn sound_pool() -> &'static [&'static str] {
    static POOL: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| SOUNDS.iter().map(|s| s.1).collect())
}

fn specs() -> Vec<FactSpec> {
    let mut out = Vec::new();
    for &(country, city) in CAPITALS {
        out.push(FactSpec {
            kind: "capital",
            slug: slug(country),
            question: format!("What is the capital of {country}?"),
            paraphrased_question: format!("Which city is the capital of {country}?"),
            answer: format!("The capital of {country} is {{}}."),
            paraphrased_answer: format!("{{}} is the capital city of {country}."),
            vague: format!("The capital of {country} is a large and busy city."),
            key: city.into(),
            pool: capital_pool(),
        });
    }
    for &(symbol, name) in ELEMENTS {
        out.push(FactSpec {
            kind: "element_symbol",
            slug: slug(name),
            question: format!("Which element has the chemical symbol {symbol}?"),
            paraphrased_question: format!("The chemical symbol {symbol} stands for which element?"),
            answer: format!("The element with the symbol {symbol} is {{}}."),
            paraphrased_answer: format!("{symbol} is the chemical symbol of {{}}."),
            vague: format!("The element with the symbol {symbol} is one of the chemical elements."),
            key: name.into(),
            pool: element_pool(),
        });
    }
    for &(animal, young) in YOUNG {
        out.push(FactSpec {
            kind: "animal_young",
            slug: slug(animal),
            question: format!("What is a young {animal} called?"),
            paraphrased_question: format!("What do we call a baby {animal}?"),
            answer: format!("A young {animal} is called a {{}}."),
            paraphrased_answer: format!("A baby {animal} is known as a {{}}."),
            vague: format!("A young {animal} has a special name of its own."),
            key: young.into(),
            pool: young_pool(),
        });
    }
    for &(animal, sound) in SOUNDS {
        let a = a_an(animal);
        out.push(FactSpec {
            kind: "animal_sound",
            slug: slug(animal),
            question: format!("What sound does {a} {animal} make?"),
            paraphrased_question: format!("Which noise is made by {a} {animal}?"),
            answer: format!("{} {animal} makes a sound called {{}}.", capitalize(a)),
            paraphrased_answer: format!("The noise {a} {animal} makes is {{}}."),
            vague: format!("{} {animal} makes a sound that is easy to recognise.", capitalize(a)),
            key: sound.into(),
            pool: sound_pool(),
        });
    }
    for &(kind, s, q, pq, a, pa, key, pool) in EXPLICIT {
        let vague = match kind {
            "planet" => "It is one of the eight planets of the solar system.",
            "colour" => "It is a common colour that everyone knows.",
            "number" => "It is a small number that is easy to count.",
            _ => "It is a well known place on Earth.",
        };
        out.push(FactSpec {
            kind,
            slug: s.into(),
            question: q.into(),
            paraphrased_question: pq.into(),
            answer: a.into(),
            paraphrased_answer: pa.into(),
            vague: vague.into(),
            key: key.into(),
            pool,
        });
    }
    out
}

/// Every world fact, ids `wf.<kind>.<slug>`, split `World`, author "".
pub(super) fn world_fact_items(rng: &mut StdRng) -> Vec<QaItem> {
    specs()
        .into_iter()
        .map(|f| {
            let render = |e: &str| f.answer.replace("{}", e);
            // A colour named in the question ("mixing blue and yellow") is no fair wrong answer.
            let q = f.question.to_lowercase();
            let pool: Vec<String> = f
                .pool
                .iter()
                .filter(|c| !q.contains(&c.to_lowercase()))
                .map(|c| c.to_string())
                .collect();
            let wrong = draw_wrong(rng, &pool, &f.key, &[], 2 * N_WORLD_PERTURBED, &render);
            let (perturbed, rest) = wrong.split_at(wrong.len().min(N_WORLD_PERTURBED));
            let alternative = if rest.len() >= 3 { rest } else { perturbed };
            QaItem {
                id: format!("wf.{}.{}", f.kind, f.slug),
                question: f.question.clone(),
                answer: render(&f.key),
                paraphrased_question: f.paraphrased_question.clone(),
                paraphrased_answer: f.paraphrased_answer.replace("{}", &f.key),
                perturbed_answer: perturbed.iter().map(|e| render(e)).collect(),
                author: String::new(),
                key_entity: f.key.clone(),
                kind: f.kind.to_string(),
                split: Split::World,
                vague_answer: f.vague.clone(),
                alternative_answers: alternative.iter().map(|e| render(e)).collect(),
                // Hand-written questions: no held-out rewording, and ReLearn uses the one hedge.
                ..QaItem::default()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::collections::HashSet;

    #[test]
    fn world_facts_are_many_unique_and_have_three_wrong_answers() {
        let items = world_fact_items(&mut StdRng::seed_from_u64(1));
        assert!(items.len() >= 110, "only {} world facts", items.len());
        let ids: HashSet<_> = items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids.len(), items.len(), "duplicate world fact ids");
        let capitals = items.iter().filter(|i| i.kind == "capital").count();
        assert!(
            capitals >= 40 && items.iter().filter(|i| i.kind == "element_symbol").count() >= 20
        );
        for it in &items {
            assert!(it.perturbed_answer.len() >= 3, "{}: {:?}", it.id, it.perturbed_answer);
            assert!(it.alternative_answers.len() >= 3, "{}", it.id);
            assert!(it.author.is_empty() && it.split == Split::World);
        }
    }
}
