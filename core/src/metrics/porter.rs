//! The Porter stemmer exactly as NLTK implements it in its default `NLTK_EXTENSIONS` mode —
//! the stemmer `rouge_score` calls (`rouge_score/tokenizers.py`: `porter.PorterStemmer()`).
//!
//! A line-by-line port of `nltk/stem/porter.py` (NLTK 3.x): Porter (1980) steps 1a–5b plus
//! Martin Porter's extensions and NLTK's (irregular-form pool, `ies`/`ied` on 4-letter words,
//! the `y → i` condition, `alli`, `fulli`, `logi`, the 2-letter `*o` case). Used only by
//! [`super::rouge`]; verified against `nltk.stem.porter.PorterStemmer().stem` on ~200 words.

/// Irregular forms mapped before any step (NLTK_EXTENSIONS `pool`).
const POOL: &[(&str, &str)] = &[
    ("sky", "sky"),
    ("skies", "sky"),
    ("dying", "die"),
    ("lying", "lie"),
    ("tying", "tie"),
    ("news", "news"),
    ("innings", "inning"),
    ("inning", "inning"),
    ("outings", "outing"),
    ("outing", "outing"),
    ("cannings", "canning"),
    ("canning", "canning"),
    ("howe", "howe"),
    ("proceed", "proceed"),
    ("exceed", "exceed"),
    ("succeed", "succeed"),
];

type W = Vec<char>;

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

/// `_consonant_flags`: y is a consonant iff it starts the word or follows a vowel.
fn consonant_flags(w: &[char]) -> Vec<bool> {
    let mut flags: Vec<bool> = Vec::with_capacity(w.len());
    for (i, &c) in w.iter().enumerate() {
        let f = if is_vowel(c) {
            false
        } else if c == 'y' {
            i == 0 || !flags[i - 1]
        } else {
            true
        };
        flags.push(f);
    }
    flags
}

fn is_consonant(w: &[char], i: usize) -> bool {
    consonant_flags(&w[..=i])[i]
}

/// m in [C](VC)^m[V]: the number of "vc" pairs in the c/v sequence.
fn measure(stem: &[char]) -> usize {
    let f = consonant_flags(stem);
    f.windows(2).filter(|p| !p[0] && p[1]).count()
}

fn contains_vowel(stem: &[char]) -> bool {
    consonant_flags(stem).iter().any(|c| !c)
}

fn ends_double_consonant(w: &[char]) -> bool {
    let n = w.len();
    n >= 2 && w[n - 1] == w[n - 2] && is_consonant(w, n - 1)
}

/// *o: ends consonant-vowel-consonant, last not w/x/y; NLTK adds the 2-letter vowel-consonant case.
fn ends_cvc(w: &[char]) -> bool {
    let n = w.len();
    (n >= 3
        && is_consonant(w, n - 3)
        && !is_consonant(w, n - 2)
        && is_consonant(w, n - 1)
        && !matches!(w[n - 1], 'w' | 'x' | 'y'))
        || (n == 2 && !is_consonant(w, 0) && is_consonant(w, 1))
}

fn ends_with(w: &[char], suffix: &str) -> bool {
    let s: W = suffix.chars().collect();
    w.len() >= s.len() && w[w.len() - s.len()..] == s[..]
}

fn strip(w: &[char], suffix: &str) -> W {
    w[..w.len() - suffix.chars().count()].to_vec()
}

fn join(stem: &[char], tail: &str) -> W {
    let mut out = stem.to_vec();
    out.extend(tail.chars());
    out
}

/// `_apply_rule_list`: the first rule whose suffix matches decides; if its condition fails the
/// word is returned unchanged (later rules are not tried).
fn apply_rules(w: &[char], rules: &[(&str, &str)], cond: impl Fn(&[char], &str) -> bool) -> W {
    for &(suffix, repl) in rules {
        if ends_with(w, suffix) {
            let stem = strip(w, suffix);
            return if cond(&stem, suffix) { join(&stem, repl) } else { w.to_vec() };
        }
    }
    w.to_vec()
}

fn step1a(w: &[char]) -> W {
    if ends_with(w, "ies") && w.len() == 4 {
        return join(&strip(w, "ies"), "ie");
    }
    let rules = [("sses", "ss"), ("ies", "i"), ("ss", "ss"), ("s", "")];
    apply_rules(w, &rules, |_, _| true)
}

fn step1b(w: &[char]) -> W {
    if ends_with(w, "ied") {
        return join(&strip(w, "ied"), if w.len() == 4 { "ie" } else { "i" });
    }
    if ends_with(w, "eed") {
        let stem = strip(w, "eed");
        return if measure(&stem) > 0 { join(&stem, "ee") } else { w.to_vec() };
    }
    let mut inter = None;
    for suffix in ["ed", "ing"] {
        if ends_with(w, suffix) {
            let s = strip(w, suffix);
            if contains_vowel(&s) {
                inter = Some(s);
                break;
            }
        }
    }
    let Some(s) = inter else { return w.to_vec() };
    for (suffix, repl) in [("at", "ate"), ("bl", "ble"), ("iz", "ize")] {
        if ends_with(&s, suffix) {
            return join(&strip(&s, suffix), repl);
        }
    }
    if ends_double_consonant(&s) {
        let last = s[s.len() - 1];
        return if matches!(last, 'l' | 's' | 'z') { s } else { s[..s.len() - 1].to_vec() };
    }
    if measure(&s) == 1 && ends_cvc(&s) { join(&s, "e") } else { s }
}

fn step1c(w: &[char]) -> W {
    apply_rules(w, &[("y", "i")], |stem, _| stem.len() > 1 && is_consonant(stem, stem.len() - 1))
}

fn step2(w: &[char]) -> W {
    if ends_with(w, "alli") && measure(&strip(w, "alli")) > 0 {
        return step2(&join(&strip(w, "alli"), "al"));
    }
    let rules = [
        ("ational", "ate"),
        ("tional", "tion"),
        ("enci", "ence"),
        ("anci", "ance"),
        ("izer", "ize"),
        ("bli", "ble"),
        ("alli", "al"),
        ("entli", "ent"),
        ("eli", "e"),
        ("ousli", "ous"),
        ("ization", "ize"),
        ("ation", "ate"),
        ("ator", "ate"),
        ("alism", "al"),
        ("iveness", "ive"),
        ("fulness", "ful"),
        ("ousness", "ous"),
        ("aliti", "al"),
        ("iviti", "ive"),
        ("biliti", "ble"),
        ("fulli", "ful"),
        ("logi", "log"),
    ];
    apply_rules(w, &rules, |stem, suffix| {
        if suffix == "logi" {
            // NLTK: `self._has_positive_measure(word[:-3])`, i.e. the stem plus its "l"
            measure(&w[..w.len() - 3]) > 0
        } else {
            measure(stem) > 0
        }
    })
}

fn step3(w: &[char]) -> W {
    let rules = [
        ("icate", "ic"),
        ("ative", ""),
        ("alize", "al"),
        ("iciti", "ic"),
        ("ical", "ic"),
        ("ful", ""),
        ("ness", ""),
    ];
    apply_rules(w, &rules, |stem, _| measure(stem) > 0)
}

fn step4(w: &[char]) -> W {
    let rules = [
        ("al", ""),
        ("ance", ""),
        ("ence", ""),
        ("er", ""),
        ("ic", ""),
        ("able", ""),
        ("ible", ""),
        ("ant", ""),
        ("ement", ""),
        ("ment", ""),
        ("ent", ""),
        ("ion", ""),
        ("ou", ""),
        ("ism", ""),
        ("ate", ""),
        ("iti", ""),
        ("ous", ""),
        ("ive", ""),
        ("ize", ""),
    ];
    apply_rules(w, &rules, |stem, suffix| {
        measure(stem) > 1 && (suffix != "ion" || matches!(stem.last(), Some('s' | 't')))
    })
}

fn step5a(w: &[char]) -> W {
    if ends_with(w, "e") {
        let stem = strip(w, "e");
        let m = measure(&stem);
        if m > 1 || (m == 1 && !ends_cvc(&stem)) {
            return stem;
        }
    }
    w.to_vec()
}

fn step5b(w: &[char]) -> W {
    apply_rules(w, &[("ll", "l")], |_, _| measure(&w[..w.len() - 1]) > 1)
}

/// `PorterStemmer(mode=NLTK_EXTENSIONS).stem(word)` (lower-cases first, as NLTK does).
pub fn stem(word: &str) -> String {
    let lower = word.to_lowercase();
    if let Some(&(_, s)) = POOL.iter().find(|(k, _)| *k == lower) {
        return s.to_string();
    }
    if word.chars().count() <= 2 {
        return lower;
    }
    let w: W = lower.chars().collect();
    let w = step1a(&w);
    let w = step1b(&w);
    let w = step1c(&w);
    let w = step2(&w);
    let w = step3(&w);
    let w = step4(&w);
    let w = step5a(&w);
    let w = step5b(&w);
    w.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::stem;

    #[test]
    fn porter_paper_examples() {
        // Examples from the step docstrings of Porter (1980) / nltk's porter.py.
        let cases = [
            ("caresses", "caress"),
            ("ponies", "poni"),
            ("ties", "tie"), // NLTK: 4-letter "ies" → "ie"
            ("cats", "cat"),
            ("feed", "feed"),
            ("agreed", "agre"),
            ("plastered", "plaster"),
            ("motoring", "motor"),
            ("sing", "sing"),
            ("hopping", "hop"),
            ("falling", "fall"),
            ("filing", "file"),
            ("happy", "happi"),
            ("sky", "sky"),
            ("relational", "relat"),
            ("conditional", "condit"),
            ("rational", "ration"),
            ("generously", "gener"),
            ("running", "run"),
            ("dying", "die"),
            ("controll", "control"),
            ("roll", "roll"),
            ("by", "by"),
        ];
        for (w, want) in cases {
            assert_eq!(stem(w), want, "stem({w})");
        }
    }
}

#[cfg(test)]
#[path = "porter_tests.rs"]
mod nltk_reference;
