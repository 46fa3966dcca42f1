//! NLTK's word tokenizer, for ReLearn's Linguistic Score ([`super::linguistic::word_tokenize`]).
//!
//! ReLearn calls `nltk.word_tokenize(text.lower())` = Punkt sentence splitting, then NLTK's
//! improved Treebank tokenizer (`nltk/tokenize/destructive.py::NLTKWordTokenizer`) per sentence.
//! [`treebank_tokenize`] ports `NLTKWordTokenizer.tokenize` rule by rule (starting quotes → ``,
//! punctuation, brackets, `--`, ending quotes → '', clitics 's 'm 'd 'll 're 've n't,
//! cannot/gonna/gotta/wanna/gimme/lemme/d'ye/more'n, 'tis/'twas), each regex substitution as a
//! left-to-right non-overlapping scan like `re.sub`. Words, numbers and punctuation marks become
//! separate tokens, but — as in NLTK — "3.88", "3,36", "well-known", "e.g." and "..." stay whole.
//! It agrees with NLTK 3.10.4 on 24 hand-picked sentences (`linguistic.rs` tests) and on 6,000
//! random strings of letters, digits, quotes, brackets and punctuation.
//!
//! Deviations from `nltk.word_tokenize`:
//! - Punkt is a trained model (not shipped here). Its only effect on tokens — splitting the period
//!   off a sentence-final word inside the text ("it. then" → "it", ".", "then") — is approximated
//!   by [`split_sentence_periods`]: a non-final token ending in a single "." loses its period
//!   unless it looks like an abbreviation (a short built-in list: mr, dr, etc, jan, …, or internal
//!   periods as in "e.g.", "u.s."), or is a single letter or a number followed by a lower-case
//!   word or one of `;:,.!?` (Punkt's orthographic heuristic on lower-cased text). Punkt's learned
//!   abbreviation and collocation lists are not reproduced.
//! - `\d` is `char::is_numeric` (Python: Unicode Nd only); `\w`/`\s` use Rust's Unicode classes
//!   (plus U+001C–U+001F as whitespace); they differ only on rare code points.

type S = Vec<char>;

fn is_w(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_s(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

fn starts_with_at(s: &[char], i: usize, lit: &str) -> bool {
    lit.chars().enumerate().all(|(d, c)| s.get(i + d) == Some(&c))
}

/// Pads every char for which `f` holds with spaces (`re.sub("[…]", r" \g<0> ", s)`).
fn pad(s: &[char], f: impl Fn(char) -> bool) -> S {
    let mut out = Vec::with_capacity(s.len() + 8);
    for &c in s {
        if f(c) {
            out.extend([' ', c, ' ']);
        } else {
            out.push(c);
        }
    }
    out
}

/// Pads each run of chars satisfying `f` (of at least `min` chars) with spaces.
fn pad_runs(s: &[char], f: impl Fn(char) -> bool, min: usize) -> S {
    let mut out = Vec::with_capacity(s.len() + 8);
    let mut i = 0;
    while i < s.len() {
        let mut j = i;
        while j < s.len() && f(s[j]) {
            j += 1;
        }
        if j - i >= min {
            out.push(' ');
            out.extend_from_slice(&s[i..j]);
            out.push(' ');
            i = j;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

/// Replaces each non-overlapping occurrence of `lit` by `rep`.
fn replace(s: &[char], lit: &str, rep: &str) -> S {
    let n = lit.chars().count();
    let mut out = Vec::with_capacity(s.len() + 8);
    let mut i = 0;
    while i < s.len() {
        if starts_with_at(s, i, lit) {
            out.extend(rep.chars());
            i += n;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

/// `([^\.])(\.)([closers]*)\s*$` → `\1 \2{sep}\3 `: the leftmost period that is followed only by
/// closing brackets/quotes (`closers`) and then whitespace up to the end.
fn final_period(s: &[char], closers: &str, sep: &str) -> S {
    for i in 0..s.len().saturating_sub(1) {
        if s[i] == '.' || s[i + 1] != '.' {
            continue;
        }
        let mut j = i + 2;
        while j < s.len() && closers.contains(s[j]) {
            j += 1;
        }
        if s[j..].iter().all(|&c| is_s(c)) {
            let mut out = s[..=i].to_vec();
            out.extend(" .".chars());
            out.extend(sep.chars());
            out.extend_from_slice(&s[i + 2..j]);
            out.push(' ');
            return out;
        }
    }
    s.to_vec()
}

/// One `(?i)\b(a)(b)\b` contraction (MacIntyre): `ab` → ` a b `; `ws_after` uses `(?=\s)`.
fn contraction(s: &[char], a: &str, b: &str, ws_after: bool) -> S {
    let word: S = format!("{a}{b}").chars().collect();
    let n = word.len();
    let mut out = Vec::with_capacity(s.len() + 8);
    let mut i = 0;
    while i < s.len() {
        let hit = i + n <= s.len()
            && s[i..i + n].iter().zip(&word).all(|(x, y)| x.to_lowercase().eq(y.to_lowercase()))
            && (i == 0 || !is_w(s[i - 1]))
            && if ws_after {
                i + n < s.len() && is_s(s[i + n])
            } else {
                i + n == s.len() || !is_w(s[i + n])
            };
        if hit {
            let k = a.chars().count();
            out.push(' ');
            out.extend_from_slice(&s[i..i + k]);
            out.push(' ');
            out.extend_from_slice(&s[i + k..i + n]);
            out.push(' ');
            i += n;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

/// `NLTKWordTokenizer().tokenize(text)` (no sentence splitting, no case change).
pub fn treebank_tokenize(text: &str) -> Vec<String> {
    let mut s: S = text.chars().collect();
    // STARTING_QUOTES
    s = pad(&s, |c| matches!(c, '«' | '“' | '‘' | '„'));
    s = pad_runs(&s, |c| c == '`', 1);
    if s.first() == Some(&'"') {
        s.splice(0..1, "``".chars());
    }
    s = replace(&s, "``", " `` ");
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let opener = " ([{<".contains(s[i]);
        let q = if !opener {
            0
        } else if starts_with_at(&s, i + 1, "\"") {
            1
        } else if starts_with_at(&s, i + 1, "''") {
            2
        } else {
            0
        };
        out.push(s[i]);
        if q > 0 {
            out.extend(" `` ".chars());
        }
        i += 1 + q;
    }
    s = out;
    let mut out = Vec::with_capacity(s.len());
    for (i, &c) in s.iter().enumerate() {
        out.push(c);
        if c == '\'' && (i == 0 || !is_w(s[i - 1])) && s.get(i + 1).is_some_and(|&n| is_w(n)) {
            let clitic = ["re", "ve", "ll", "m", "t", "s", "d", "n"].iter().any(|alt| {
                let end = i + 1 + alt.len();
                let lower: String =
                    s[i + 1..end.min(s.len())].iter().flat_map(|c| c.to_lowercase()).collect();
                lower == *alt && (end >= s.len() || !is_w(s[end]))
            });
            if !clitic {
                out.push(' ');
            }
        }
    }
    s = out;
    // PUNCTUATION
    s = final_period(&s, "])}>\"'»”’ ", " ");
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if (s[i] == ':' || s[i] == ',') && i + 1 < s.len() && !s[i + 1].is_numeric() {
            out.extend([' ', s[i], ' ', s[i + 1]]);
            i += 2;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    s = out;
    let n = s.len();
    let at = if n >= 1 && matches!(s[n - 1], ':' | ',') {
        Some(n - 1)
    } else if n >= 2 && s[n - 1] == '\n' && matches!(s[n - 2], ':' | ',') {
        Some(n - 2)
    } else {
        None
    };
    if let Some(k) = at {
        let c = s[k];
        s.splice(k..=k, [' ', c, ' ']);
    }
    s = pad_runs(&s, |c| c == '.', 2);
    s = pad(&s, |c| matches!(c, ';' | '@' | '#' | '$' | '%' | '&'));
    s = pad(&s, |c| ('\u{2012}'..='\u{2015}').contains(&c));
    s = final_period(&s, "])}>\"'", "");
    s = pad(&s, |c| c == '?' || c == '!');
    s = replace_quote_space(&s);
    s = pad(&s, |c| c == '*');
    s = pad(&s, |c| "[](){}<>".contains(c));
    s = replace(&s, "--", " -- ");
    s.insert(0, ' ');
    s.push(' ');
    // ENDING_QUOTES
    s = pad(&s, |c| matches!(c, '»' | '”' | '’'));
    s = replace(&s, "''", " '' ");
    s = replace(&s, "\"", " '' ");
    let mut out: S = Vec::with_capacity(s.len());
    for &c in &s {
        if !is_s(c) {
            out.push(c);
        } else if out.last() != Some(&' ') || out.is_empty() {
            out.push(' ');
        }
    }
    s = out;
    s = clitics(&s, &["'s", "'S", "'m", "'M", "'d", "'D", "'"]);
    s = clitics(&s, &["'ll", "'LL", "'re", "'RE", "'ve", "'VE", "n't", "N'T"]);
    // CONTRACTIONS2, CONTRACTIONS3
    for (a, b, ws) in [
        ("can", "not", false),
        ("d", "'ye", false),
        ("gim", "me", false),
        ("gon", "na", false),
        ("got", "ta", false),
        ("lem", "me", false),
        ("more", "'n", false),
        ("wan", "na", true),
    ] {
        s = contraction(&s, a, b, ws);
    }
    for w in ["is", "was"] {
        s = contraction_t(&s, w);
    }
    let joined: String = s.into_iter().collect();
    joined.split(is_s).filter(|t| !t.is_empty()).map(str::to_string).collect()
}

/// `([^'])' ` → `\1 ' `.
fn replace_quote_space(s: &[char]) -> S {
    let mut out = Vec::with_capacity(s.len() + 8);
    let mut i = 0;
    while i < s.len() {
        if s[i] != '\'' && s.get(i + 1) == Some(&'\'') && s.get(i + 2) == Some(&' ') {
            out.extend([s[i], ' ', '\'', ' ']);
            i += 3;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

/// `([^' ])(alt1|alt2|…) ` → `\1 \2 ` (alternatives tried in order, each followed by a space).
fn clitics(s: &[char], alts: &[&str]) -> S {
    let mut out = Vec::with_capacity(s.len() + 8);
    let mut i = 0;
    while i < s.len() {
        let alt = (s[i] != '\'' && s[i] != ' ')
            .then(|| {
                alts.iter().find(|a| {
                    starts_with_at(s, i + 1, a) && s.get(i + 1 + a.chars().count()) == Some(&' ')
                })
            })
            .flatten();
        if let Some(a) = alt {
            out.extend([s[i], ' ']);
            out.extend(a.chars());
            out.push(' ');
            i += 2 + a.chars().count();
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

/// `(?i) ('t)(is|was)\b` → ` \1 \2 `.
fn contraction_t(s: &[char], w: &str) -> S {
    let lit: S = format!(" 't{w}").chars().collect();
    let n = lit.len();
    let mut out = Vec::with_capacity(s.len() + 8);
    let mut i = 0;
    while i < s.len() {
        let hit = i + n <= s.len()
            && s[i..i + n].iter().zip(&lit).all(|(x, y)| x.to_lowercase().eq(y.to_lowercase()))
            && (i + n == s.len() || !is_w(s[i + n]));
        if hit {
            out.extend([' ', s[i + 1], s[i + 2], ' ']);
            out.extend_from_slice(&s[i + 3..i + n]);
            out.push(' ');
            i += n;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

/// Abbreviations whose trailing period never ends a sentence here (Punkt approximation).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "inc", "ltd", "co", "corp",
    "no", "vol", "fig", "gen", "gov", "sen", "rep", "mt", "ft", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec",
];

fn is_number_token(core: &str) -> bool {
    let t = core.strip_prefix('-').unwrap_or(core);
    let t = t.strip_prefix(['.', ',']).unwrap_or(t);
    t.starts_with(|c: char| c.is_ascii_digit())
        && t.chars().all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '-'))
}

/// Approximates Punkt's effect on Treebank tokens: splits the period off a non-final token that
/// ends a sentence ("it." → "it", "."), keeping abbreviations, initials and numbers whole when
/// the next token does not start a new sentence (see the module doc).
pub fn split_sentence_periods(tokens: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(tokens.len() + 4);
    for (k, tok) in tokens.iter().enumerate() {
        let Some(core) = tok.strip_suffix('.') else {
            out.push(tok.clone());
            continue;
        };
        let next = tokens.get(k + 1);
        if next.is_none() || core.is_empty() || core.ends_with('.') {
            out.push(tok.clone());
            continue;
        }
        let next = next.map(String::as_str).unwrap_or("");
        let next_not_starter = next.starts_with(|c: char| c.is_lowercase())
            || [";", ":", ",", ".", "!", "?"].contains(&next);
        let last_part = core.rsplit('-').next().unwrap_or(core);
        let abbreviation = ABBREVIATIONS.contains(&core)
            || ABBREVIATIONS.contains(&last_part)
            || core.contains('.');
        let mut chars = core.chars();
        let initial = matches!((chars.next(), chars.next()), (Some(c), None) if c.is_alphabetic());
        if abbreviation || ((initial || is_number_token(core)) && next_not_starter) {
            out.push(tok.clone());
        } else {
            out.push(core.to_string());
            out.push(".".to_string());
        }
    }
    out
}
