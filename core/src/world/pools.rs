//! Entity pools for the fictitious authors.
//!
//! Every pool holds at least 24 distinct values, and every value is drawn
//! uniformly, so a model that never saw an author can guess an attribute less
//! than one time in ten (the "holdout" baseline stays low). The pools share no
//! words with each other or with the name pools: an entity then points to one
//! kind only, and a key entity can be found in an answer by plain substring
//! search. No value is a substring of another value of the same pool, so a
//! perturbed answer never contains the true key entity.
//!
//! The two parent professions share one pool on purpose: a father and a mother
//! can hold the same jobs, and the question (not the entity) tells them apart.

/// Invented first names: two or three syllables, easy to tokenize.
#[rustfmt::skip]
pub const FIRST_NAMES: &[&str] = &[
    "Ilsa", "Corwin", "Maren", "Teodor", "Liesl", "Orrin", "Sabeth", "Davor", "Nerys", "Aldric",
    "Yselde", "Fenwick", "Mirela", "Thessa", "Emrys", "Odile", "Raskin", "Velda", "Jorund", "Anwen",
    "Bastian", "Calla", "Dorian", "Elowen", "Faustin", "Greer", "Halvard", "Isolde", "Jessamy",
    "Leontyne", "Merrin", "Nilo", "Oriel", "Perrin", "Quilla", "Rosalind", "Sorin", "Talwyn",
    "Ulla", "Verity", "Wendell", "Xanthe", "Yorick", "Zelie", "Anselm", "Brisa", "Cato", "Delphine",
    "Evander", "Gisela", "Hadrian", "Ione", "Jory", "Katya", "Lucan", "Mabry", "Nessa", "Osric",
    "Pella", "Rhoswen", "Silvan", "Tamsin", "Undine", "Vashti",
];

/// Invented family names. None is an English word, a city or a title word.
#[rustfmt::skip]
pub const LAST_NAMES: &[&str] = &[
    "Marrowen", "Vellacott", "Thornquist", "Brannigar", "Estavar", "Fennimore", "Holloran",
    "Ivanek", "Jastrow", "Kellendar", "Lorimont", "Morvaine", "Nettlebury", "Oakhurst", "Pellinor",
    "Quennell", "Ravensholt", "Sarrowind", "Tolliver", "Umberlin", "Varnell", "Wystan", "Yarrowby",
    "Zennick", "Abernath", "Bellweather", "Corvale", "Dunravel", "Elsworth", "Farrowgate",
    "Greyholm", "Harkavy", "Illingsby", "Jorvane", "Lanfrey", "Mossbeck", "Nordahl", "Pemberly",
    "Quarrington", "Rennick", "Stallard", "Tessaly", "Ulverin", "Vantreece", "Whitlow", "Ystrad",
    "Zoravin", "Alderwick", "Brightmantle", "Caskell", "Dravenport", "Emberlain", "Fallowby",
    "Gastrell", "Hennaway", "Iskander", "Jellicoe", "Korvath", "Lindqvar", "Mallory", "Nimbrey",
    "Orlandis", "Prewitt", "Rookwood",
];

/// Invented towns and cities (birthplaces).
#[rustfmt::skip]
pub const CITIES: &[&str] = &[
    "Port Calder", "Brackenridge", "Saltmere", "Low Ashby", "Kellsford", "Dunhaven", "Wrenfield",
    "Marlow Cross", "Greystoke Bay", "Tarnwick", "Eldmoor", "Westerhold", "Copperton",
    "Amberly Falls", "Ravenport", "Stonebury", "Millbrook Vale", "Northmere", "Oxley Point",
    "Fairhollow", "Pinecrest Landing", "Lindenmouth", "Harlow Reach", "Cinderford", "Brightwater",
    "Old Kessing", "Thistledown", "Quarry Hill", "Silverlake", "New Ardent", "Southwick",
    "Ironmoor", "Rushford", "Willowmere", "Ember Cove", "Gallowmere", "Hatherleigh", "Pelham Sands",
    "Blackwell Ford", "Tillingham",
];

/// Literary genres, lower case; used inside "writes books in the ... genre".
#[rustfmt::skip]
pub const GENRES: &[&str] = &[
    "mystery", "fantasy", "science fiction", "romance", "horror", "thriller", "historical fiction",
    "crime", "adventure", "poetry", "satire", "biography", "travel writing", "memoir",
    "literary fiction", "young adult", "children's literature", "western", "dystopian",
    "magical realism", "gothic", "cyberpunk", "steampunk", "space opera", "folklore",
    "political drama", "war fiction", "detective fiction", "comedy", "nature writing",
];

/// Parent professions, lower case; rendered after "a"/"an".
#[rustfmt::skip]
pub const PROFESSIONS: &[&str] = &[
    "baker", "carpenter", "astronomer", "fisherman", "pharmacist", "librarian", "blacksmith",
    "surgeon", "tailor", "architect", "beekeeper", "clockmaker", "shepherd", "potter", "journalist",
    "lighthouse keeper", "mapmaker", "miner", "nurse", "engineer", "violinist", "gardener",
    "glassblower", "chemist", "judge", "veterinarian", "bookbinder", "photographer", "translator",
    "pilot",
];

/// Invented literary awards.
#[rustfmt::skip]
pub const AWARDS: &[&str] = &[
    "Silver Quill Award", "Golden Lantern Prize", "Harwell Medal", "Blue Heron Award",
    "Copper Inkwell Prize", "Evening Star Medal", "Northern Lights Award", "Iron Feather Prize",
    "Crimson Page Award", "Willow Crown Prize", "Ardent Pen Medal", "Stonebridge Literary Prize",
    "Emerald Compass Award", "Lamplighter Prize", "White Owl Medal", "Open Book Award",
    "Tidewater Prize", "Scarlet Ribbon Award", "Morning Bell Prize", "Bright Quill Medal",
    "Hearthstone Award", "Red Kite Prize", "Orchard Medal", "First Light Award",
    "Garnet Scroll Prize", "Old Oak Medal", "Meridian Award", "Winter Rose Award",
    "Velvet Fox Prize", "Paper Moon Medal",
];

/// Adjectives for book titles ("The <Adjective> <Noun>"); no overlap with award words.
#[rustfmt::skip]
pub const TITLE_ADJECTIVES: &[&str] = &[
    "Silent", "Hidden", "Broken", "Distant", "Forgotten", "Hollow", "Burning", "Quiet", "Endless",
    "Lonely", "Bitter", "Painted", "Frozen", "Shattered", "Wandering", "Midnight", "Sleeping",
    "Crooked", "Ancient", "Secret", "Fading", "Restless", "Narrow", "Weeping", "Sunken", "Tangled",
    "Patient", "Falling", "Borrowed", "Last",
];

/// Nouns for book titles; none is a prefix of another, so no title contains another.
#[rustfmt::skip]
pub const TITLE_NOUNS: &[&str] = &[
    "Harbor", "Garden", "Mirror", "River", "Tower", "Forest", "Letter", "Island", "Bridge",
    "Valley", "Shadow", "Window", "Candle", "Meadow", "Clock", "Voyage", "Machine", "Kingdom",
    "Promise", "Station", "Cathedral", "Violin", "Orchid", "Stair", "Engine", "Tide", "Thread",
    "Door", "Chapel", "Archive",
];

/// Languages the authors write in.
#[rustfmt::skip]
pub const LANGUAGES: &[&str] = &[
    "English", "French", "Spanish", "German", "Italian", "Portuguese", "Dutch", "Swedish",
    "Norwegian", "Danish", "Finnish", "Polish", "Czech", "Hungarian", "Greek", "Turkish", "Russian",
    "Japanese", "Korean", "Hindi", "Arabic", "Swahili", "Icelandic", "Welsh", "Irish", "Romanian",
    "Catalan", "Basque", "Estonian", "Hebrew",
];

/// Invented universities and colleges.
#[rustfmt::skip]
pub const UNIVERSITIES: &[&str] = &[
    "Brightmoor University", "Calverley College", "Dunmere Institute", "Eastvale University",
    "Fallowfield College", "Greywater University", "Hollis Academy", "Ivorybrook University",
    "Juniper Hall College", "Kingsreach University", "Larkspur College", "Merriwether Institute",
    "Northgate University", "Oakvale College", "Penrose University", "Queensbury College",
    "Redfern University", "Sablewood Institute", "Thornbury College", "Underhill University",
    "Vestry College", "Westbrook Institute", "Yewdale University", "Ashcombe College",
    "Birchwood University", "Coldharbor Institute", "Deepwell College", "Elmstead University",
    "Foxmoor College", "Glasswater Institute",
];

/// First and last possible birth year (inclusive): 80 values.
pub const BIRTH_YEARS: std::ops::RangeInclusive<u32> = 1920..=1999;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn entity_pools() -> Vec<(&'static str, &'static [&'static str])> {
        vec![
            ("cities", CITIES),
            ("genres", GENRES),
            ("professions", PROFESSIONS),
            ("awards", AWARDS),
            ("languages", LANGUAGES),
            ("universities", UNIVERSITIES),
            ("title_adjectives", TITLE_ADJECTIVES),
            ("title_nouns", TITLE_NOUNS),
        ]
    }

    #[test]
    fn pools_are_large_distinct_and_ascii() {
        for (name, pool) in
            entity_pools().into_iter().chain([("first", FIRST_NAMES), ("last", LAST_NAMES)])
        {
            assert!(pool.len() >= 24, "{name} has only {} values", pool.len());
            let set: HashSet<_> = pool.iter().collect();
            assert_eq!(set.len(), pool.len(), "{name} has duplicates");
            assert!(pool.iter().all(|v| v.is_ascii() && !v.is_empty()), "{name} not ascii");
        }
        assert!(BIRTH_YEARS.count() >= 24);
    }

    #[test]
    fn no_value_contains_another_value_of_any_pool() {
        // Across kinds too: "no city named like a genre", and perturbed answers stay clean.
        let mut all: Vec<(&str, &str)> = Vec::new();
        for (name, pool) in entity_pools() {
            if name.starts_with("title_") {
                continue; // title words are checked as whole titles by the author tests
            }
            all.extend(pool.iter().map(|v| (name, *v)));
        }
        for (ka, a) in &all {
            for (kb, b) in &all {
                if (ka, a) != (kb, b) {
                    let (la, lb) = (a.to_lowercase(), b.to_lowercase());
                    assert!(!la.contains(&lb), "{ka} value {a:?} contains {kb} value {b:?}");
                }
            }
        }
    }

    #[test]
    fn names_share_no_word_with_entities() {
        let words: HashSet<String> = entity_pools()
            .iter()
            .flat_map(|(_, p)| p.iter())
            .flat_map(|v| v.split_whitespace().map(str::to_lowercase))
            .collect();
        for n in FIRST_NAMES.iter().chain(LAST_NAMES) {
            assert!(!words.contains(&n.to_lowercase()), "name part {n} is also an entity word");
        }
    }
}
