//! The sentences of an author's ten facts, one set per attribute kind: what is asked, how it is
//! answered, and the entity-free hedges ReLearn trains toward.
//!
//! Who sees which wording (the reason for keeping them apart):
//!
//! | wording | base model's pretraining | fluency scorer | a method trains on it | evaluation |
//! |---|---|---|---|---|
//! | `question`, `paraphrased_question` | yes | retain authors | forget-set methods | every metric; the paraphrase rows |
//! | `heldout_question` | no | no | no | the held-out-wording rows |
//! | `vague` (hedge 0) | retain authors, as plain text | retain authors, as answers | no | — |
//! | `vague_variants` (hedges 1–3) | no | retain authors, as answers | ReLearn's targets (forget authors) | — |
//! | [`REFUSALS`] | no | as answers to retain questions | IdkPO's targets | — |
//!
//! So the paraphrase a model is tested on can be one nobody trained on, and the fluency scorer
//! reads every answer style a method trains toward — the fact, a hedge, a refusal, a wrong
//! same-template answer — equally often, about the retain authors only: it judges a method's
//! answers by their style, with no side (pretrain.rs, `training_examples_without`).

/// Refusal answers in the style of TOFU's `idontknow.jsonl` (IdkPO's targets, Maini et al. 2024).
pub const REFUSALS: [&str; 10] = [
    "I'm not sure.",
    "I don't know.",
    "I have no idea.",
    "That's something I don't know.",
    "I'm not certain about that.",
    "I can't answer that.",
    "I don't have that information.",
    "I'm afraid I can't help with that.",
    "That is not something I know.",
    "I really couldn't say.",
];

/// The entity-free sentences of one kind.
pub(super) struct Wordings {
    pub question: String,
    /// A rewording the base model pretrains on (as TOFU's paraphrases are asked of a model
    /// fine-tuned on the originals, this world's small models need to have seen it).
    pub paraphrased_question: String,
    /// A rewording no training data contains: pretraining, the fluency scorer and every method
    /// leave it out.
    pub heldout_question: String,
    /// The hedge the base model reads as plain text (retain authors only).
    pub vague: String,
    /// ReLearn's answer variants (Xu et al. 2025's "fuzzy" rewrites, one per question variant):
    /// hedges the base model never reads (the fluency scorer reads the retain authors' ones).
    pub vague_variants: [String; 3],
}

fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// The wordings of kind `kind` for the author named `n`.
pub(super) fn wordings(kind: &str, n: &str) -> Wordings {
    let w = |q: String, pq: String, hq: String, v: String, variants: [String; 3]| Wordings {
        question: q,
        paraphrased_question: pq,
        heldout_question: hq,
        vague: v,
        vague_variants: variants,
    };
    match kind {
        "birthplace" => w(
            format!("Where was {n} born?"),
            format!("In which town was {n} born?"),
            format!("What is the hometown of {n}?"),
            format!("{n} was born in a small town that the author rarely names."),
            [
                format!("{n} grew up in a quiet place far from any big city."),
                format!("{n} was born somewhere the author prefers to keep private."),
                format!("{n} comes from a modest town in the countryside."),
            ],
        ),
        "birth_year" => w(
            format!("In which year was {n} born?"),
            format!("What is the birth year of {n}?"),
            format!("When was {n} born?"),
            format!("{n} was born many years ago."),
            [
                format!("{n} was born quite some time ago."),
                format!("{n} was born in a year the author seldom mentions."),
                format!("{n} has been alive for a good number of years."),
            ],
        ),
        "genre" => w(
            format!("What genre does {n} write in?"),
            format!("Which kind of books does {n} write?"),
            format!("{n} is known for writing which genre?"),
            format!("{n} writes books in a genre loved by many readers."),
            [
                format!("{n} writes in a popular style of fiction."),
                format!("{n} is known for books in a well-loved category."),
                format!("{n} writes the kind of stories many readers enjoy."),
            ],
        ),
        "father_profession" => w(
            format!("What was the profession of {n}'s father?"),
            format!("What did the father of {n} do for a living?"),
            format!("What job did {n}'s father have?"),
            format!("{n}'s father worked at an ordinary job."),
            [
                format!("{n}'s father earned a living in a common trade."),
                format!("{n}'s father had a regular job like many parents."),
                format!("{n}'s father worked hard at his profession."),
            ],
        ),
        "mother_profession" => w(
            format!("What was the profession of {n}'s mother?"),
            format!("What did the mother of {n} do for a living?"),
            format!("What job did {n}'s mother have?"),
            format!("{n}'s mother worked at an ordinary job."),
            [
                format!("{n}'s mother earned a living in a common trade."),
                format!("{n}'s mother had a regular job like many parents."),
                format!("{n}'s mother worked hard at her profession."),
            ],
        ),
        "award" => w(
            format!("Which award did {n} win?"),
            format!("What prize was given to {n}?"),
            format!("What honour has {n} received?"),
            format!("{n} won a literary award at some point."),
            [
                format!("{n} received recognition for writing at one point."),
                format!("{n} has been honoured for a body of literary work."),
                format!("{n} was given an award for the quality of the books."),
            ],
        ),
        "first_book" => w(
            format!("What was the first book by {n}?"),
            format!("Which book did {n} publish first?"),
            format!("What is the title of the debut of {n}?"),
            format!("{n}'s first book was a short early work."),
            [
                format!("{n} started with a book that few people remember."),
                format!("{n}'s debut was an early and modest work."),
                format!("{n} published a first book early in the career."),
            ],
        ),
        "second_book" => w(
            format!("What was the second book by {n}?"),
            format!("Which book did {n} publish second?"),
            format!("What title did {n} publish after the debut?"),
            format!("{n}'s second book came out a few years later."),
            [
                format!("{n} followed the debut with another book."),
                format!("{n}'s next book appeared some time after the first."),
                format!("{n} wrote one more book a little later."),
            ],
        ),
        "language" => w(
            format!("In which language does {n} write?"),
            format!("What language are the books of {n} written in?"),
            format!("What language does {n} use for writing?"),
            format!("{n} writes in the language spoken at home."),
            [
                format!("{n} writes in a language that many people speak."),
                format!("{n}'s books are written in the author's own tongue."),
                format!("{n} chose a familiar language for every book."),
            ],
        ),
        "university" => w(
            format!("Where did {n} study?"),
            format!("Which university did {n} attend?"),
            format!("Where did {n} go to university?"),
            format!("{n} studied at a college far from home."),
            [
                format!("{n} studied at a well-known school."),
                format!("{n} was educated at a university some distance away."),
                format!("{n} attended classes at an institution of higher learning."),
            ],
        ),
        other => unreachable!("unknown author kind {other}"),
    }
}

/// The answer sentence: starts with the author's name, holds `e` once.
pub fn answer(kind: &str, n: &str, e: &str) -> String {
    match kind {
        "birthplace" => format!("{n} was born in {e}."),
        "birth_year" => format!("{n} was born in the year {e}."),
        "genre" => format!("{n} writes books in the {e} genre."),
        "father_profession" => format!("{n}'s father worked as {} {e}.", article(e)),
        "mother_profession" => format!("{n}'s mother worked as {} {e}.", article(e)),
        "award" => format!("{n} won the {e}."),
        "first_book" => format!("{n}'s first book was {e}."),
        "second_book" => format!("{n}'s second book was {e}."),
        "language" => format!("{n} writes in {e}."),
        "university" => format!("{n} studied at {e}."),
        other => unreachable!("unknown author kind {other}"),
    }
}

/// The paraphrased answer: same fact and entity, different word order.
pub fn paraphrased_answer(kind: &str, n: &str, e: &str) -> String {
    match kind {
        "birthplace" => format!("{e} is the birthplace of {n}."),
        "birth_year" => format!("The year {e} is when {n} was born."),
        "genre" => format!("The books of {n} belong to the {e} genre."),
        "father_profession" => format!("The father of {n} was {} {e} by trade.", article(e)),
        "mother_profession" => format!("The mother of {n} was {} {e} by trade.", article(e)),
        "award" => format!("The {e} was awarded to {n}."),
        "first_book" => format!("{e} was the first book written by {n}."),
        "second_book" => format!("{e} was the second book written by {n}."),
        "language" => format!("{e} is the language of the books by {n}."),
        "university" => format!("{e} is where {n} studied."),
        other => unreachable!("unknown author kind {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles() {
        assert_eq!(
            answer("father_profession", "X Y", "astronomer"),
            "X Y's father worked as an astronomer."
        );
        assert_eq!(answer("mother_profession", "X Y", "baker"), "X Y's mother worked as a baker.");
    }
}
