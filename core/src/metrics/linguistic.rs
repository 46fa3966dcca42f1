//! ReLearn's Linguistic Score (LS): fluency and lexical richness of generated answers.
//!
//! Per response r (tokens: `word_tokenize(r.lower())`, N tokens, V distinct, V₁ seen once):
//!
//!   PPL(r) = exp(mean NLL of r's tokens | query)                         ↓
//!   BI(r)  = N^(V^−0.165)        (Brunet's index; 1000 when N = 0)       ↓ (richer)
//!   HS(r)  = 100·ln N / (1 − V₁/V + 0.1)  (Honoré; 0 if N ≤ 1; ≤ 1e6)   ↑
//!
//! Then, on the **averages** over responses (PPL̄ skips non-finite values and ReLearn's −1
//! failure marker; BĪ skips zeros as ReLearn does, which never occur):
//!
//!   s₁ = σ(−ln PPL̄) = 1/(1 + PPL̄),  s₂ = σ(−ln BĪ) = 1/(1 + BĪ),  s₃ = σ(ln HS̄) = HS̄/(1 + HS̄)
//!   LS = 3 / (1/s₁ + 1/s₂ + 1/s₃)                                          direction: ↑
//!
//! (σ(x) = 1/(1 + e^−x), evaluated literally as ReLearn's numpy code; HS̄ = 0 gives s₃ = 0 and
//! LS = 0; no finite PPL or no text gives NaN.) Reported separately for forget and retain answers.
//!
//! Source: Xu et al., "ReLearn: Unlearning via Learning for Large Language Models" (2025),
//! `zjunlp:evals/evaluate.py::calculate_BI`, `::calculate_honores_statistic`, `::compute_ppl`,
//! `::compute_as`, `::as_mean` ("Harmonic_AS"). ReLearn measures PPL with
//! Llama-2-7b-chat; ForgetLab computes PPL under its frozen original model —
//! callers pass those values in `ppls`. Tokenization follows `nltk.word_tokenize`; see
//! [`super::treebank`] for the port and its deviations (Punkt sentence splitting is approximated).

use super::mean;

use super::treebank;
use std::collections::HashMap;

/// `nltk.word_tokenize(s.lower())`: lower-cased Treebank tokens, with Punkt's sentence-final
/// period split approximated ([`treebank::split_sentence_periods`]).
pub fn word_tokenize(s: &str) -> Vec<String> {
    treebank::split_sentence_periods(treebank::treebank_tokenize(&s.to_lowercase()))
}

/// Brunet's index N^(V^−0.165) (computed as ReLearn: `N ** (1 / (V ** 0.165))`); 1000 if N = 0.
pub fn brunet_index(tokens: &[String]) -> f64 {
    if tokens.is_empty() {
        return 1000.0;
    }
    let v = tokens.iter().collect::<std::collections::HashSet<_>>().len() as f64;
    (tokens.len() as f64).powf(1.0 / v.powf(0.165))
}

/// Honoré's statistic 100·ln N / (1 − V₁/V + 0.1), 0 if N ≤ 1, capped at 1e6.
pub fn honore_statistic(tokens: &[String]) -> f64 {
    let n = tokens.len();
    if n <= 1 {
        return 0.0;
    }
    let mut freq: HashMap<&str, usize> = HashMap::new();
    for t in tokens {
        *freq.entry(t.as_str()).or_default() += 1;
    }
    let v = freq.len() as f64;
    let v1 = freq.values().filter(|&&f| f == 1).count() as f64;
    (100.0 * (n as f64).ln() / (1.0 - v1 / v + 0.1)).min(1e6)
}

/// The averaged components, their squashed scores and LS (ReLearn's "Harmonic_AS").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinguisticScore {
    pub ppl: f64,
    pub brunet: f64,
    pub honore: f64,
    pub s_ppl: f64,
    pub s_brunet: f64,
    pub s_honore: f64,
    pub ls: f64,
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// LS over a set of responses: `ppls[i]` is response i's perplexity (non-finite values and the
/// −1 marker are skipped), `texts` the responses themselves (the two lists are averaged
/// independently, as in ReLearn's `compute_as`).
pub fn linguistic_score(ppls: &[f64], texts: &[String]) -> LinguisticScore {
    let ppl = mean(ppls.iter().copied().filter(|p| p.is_finite() && *p != -1.0));
    let tokens: Vec<Vec<String>> = texts.iter().map(|t| word_tokenize(t)).collect();
    let brunet = mean(tokens.iter().map(|t| brunet_index(t)).filter(|&b| b != 0.0));
    let honore = mean(tokens.iter().map(|t| honore_statistic(t)));
    let (s_ppl, s_brunet, s_honore) =
        (sigmoid(-ppl.ln()), sigmoid(-brunet.ln()), sigmoid(honore.ln()));
    let ls = 3.0 / (1.0 / s_ppl + 1.0 / s_brunet + 1.0 / s_honore);
    LinguisticScore { ppl, brunet, honore, s_ppl, s_brunet, s_honore, ls }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn hand_values() {
        // N = 4, V = 3 ("a" twice), V₁ = 2: BI = 4^(3^-0.165), HS = 100 ln 4 / (1 - 2/3 + 0.1)
        let t = toks(&["a", "b", "a", "c"]);
        assert!((brunet_index(&t) - 4f64.powf(3f64.powf(-0.165))).abs() < 1e-12);
        assert!((honore_statistic(&t) - 100.0 * 4f64.ln() / (1.0 - 2.0 / 3.0 + 0.1)).abs() < 1e-9);
        assert_eq!(brunet_index(&[]), 1000.0);
        assert_eq!(honore_statistic(&toks(&["x"])), 0.0);
        // all distinct: HS = 100 ln N / 0.1 = 1000 ln N
        assert!((honore_statistic(&toks(&["a", "b", "c"])) - 1000.0 * 3f64.ln()).abs() < 1e-9);
        // s = 1/(1+x) for PPL and BI, HS/(1+HS) for HS; LS = harmonic mean of the three
        let s = linguistic_score(&[3.0, f64::INFINITY, f64::NAN, -1.0], &["a b a c".to_string()]);
        assert_eq!(s.ppl, 3.0);
        assert!((s.s_ppl - 0.25).abs() < 1e-15);
        assert!((s.s_brunet - 1.0 / (1.0 + s.brunet)).abs() < 1e-15);
        assert!((s.s_honore - s.honore / (1.0 + s.honore)).abs() < 1e-12);
        let h = 3.0 / (1.0 / s.s_ppl + 1.0 / s.s_brunet + 1.0 / s.s_honore);
        assert_eq!(s.ls, h);
        // a single one-token answer: HS̄ = 0 → s₃ = 0 → LS = 0
        assert_eq!(linguistic_score(&[2.0], &["word".to_string()]).ls, 0.0);
        assert!(linguistic_score(&[f64::NAN], &["a b".to_string()]).ls.is_nan());
    }

    #[test]
    fn punkt_approximation() {
        // not checkable without Punkt's model: expected from its rules on lower-cased text
        let t = word_tokenize("She wrote it in 1999. Then Dr. Smith left. It was J. Doe.");
        let want = "she wrote it in 1999. then dr. smith left . it was j. doe .";
        assert_eq!(t.join(" "), want);
    }

    #[test]
    fn matches_nltk_word_tokenize() {
        // NLTK 3.10.4: " ".join(t for s in sentences for t in word_tokenize(s.lower(), preserve_line=True))
        // where `sentences` is the text split as Punkt splits it (the splits are at ". " below).
        #[rustfmt::skip]
        let rows: &[(&str, &str)] = &[
            ("Good muffins cost $3.88 (roughly 3,36 euros)\nin New York. Please buy me\ntwo of them. Thanks.", "good muffins cost $ 3.88 ( roughly 3,36 euros ) in new york . please buy me two of them . thanks ."),
            ("They'll save and invest more.", "they 'll save and invest more ."),
            ("hi, my name can't hello,", "hi , my name ca n't hello ,"),
            ("I don't know; she won't say, and we couldn't ask.", "i do n't know ; she wo n't say , and we could n't ask ."),
            ("\"Hello,\" she said. \"It's a 'test' of quotes.\"", "`` hello , '' she said . `` it 's a ' test ' of quotes . ''"),
            ("The author's novels -- e.g. 'The Sea' -- were well-known...", "the author 's novels -- e.g. ' the sea ' -- were well-known ..."),
            ("Wait... what?! No way!!", "wait ... what ? ! no way ! !"),
            ("He was born on 12/05/1975 in São Paulo, Brazil.", "he was born on 12/05/1975 in são paulo , brazil ."),
            ("Email me at john@example.com or call #123 & ask for 50% off.", "email me at john @ example.com or call # 123 & ask for 50 % off ."),
            ("I'm sure you'd like it; we've seen it & they're happy.", "i 'm sure you 'd like it ; we 've seen it & they 're happy ."),
            ("Gonna wanna gotta gimme lemme cannot more'n d'ye", "gon na wan na got ta gim me lem me can not more 'n d 'ye"),
            ("'Tis the season, 'twas the night.", "' tis the season , ' twas the night ."),
            ("The price rose 3.5% in 2020, (see [1]) {braces} <angle>.", "the price rose 3.5 % in 2020 , ( see [ 1 ] ) { braces } < angle > ."),
            ("She said “hello” and «bonjour» — then left…", "she said “ hello ” and « bonjour » — then left…"),
            ("Is it 'quoted'? Yes' it is.", "is it ' quoted ' ? yes ' it is ."),
            ("Numbers: 1,000,000 and 3:45 pm, ratio 1:2.", "numbers : 1,000,000 and 3:45 pm , ratio 1:2 ."),
            ("Her books (e.g., 'The Dawn') sold 2 million copies.", "her books ( e.g. , ' the dawn ' ) sold 2 million copies ."),
            ("A--B and C---D.", "a -- b and c -- -d ."),
            ("*Bold* claims are made.", "* bold * claims are made ."),
            ("He paid $5, she paid $10.", "he paid $ 5 , she paid $ 10 ."),
            ("Y'all can't've done that.", "y'all can't 've done that ."),
            ("The end.\"", "the end . ''"),
            ("It rained. Then it stopped. We left (quickly).", "it rained . then it stopped . we left ( quickly ) ."),
            ("The author, born in 1975, writes mystery novels about the sea, the sea, and the sky.", "the author , born in 1975 , writes mystery novels about the sea , the sea , and the sky ."),
        ];
        for &(text, want) in rows {
            assert_eq!(word_tokenize(text).join(" "), want, "word_tokenize({text:?})");
        }
    }

    #[test]
    fn matches_relearn_formulas() {
        // ReLearn's calculate_BI / calculate_honores_statistic / as_mean (zjunlp:evals/evaluate.py)
        // run with word_tokenize(text.lower(), preserve_line=True) (single-sentence texts), and
        // PPLS = [12.5, nan, 3.25, -1, 48.0, 7.75, 2.0] (nan and -1 skipped → mean 14.7).
        #[rustfmt::skip]
        let rows: &[(&str, f64, f64)] = &[
            ("The author was born in Paris in 1975.", 4.75438028443485, 976.5442565938753),
            ("She writes mystery novels, and mystery novels sell well.", 5.305305839313843, 744.174395006391),
            ("I don't know the answer.", 4.1021136011601484, 1945.9101490553132),
            ("", 1000.0, 0.0),
            ("word", 1.0, 0.0),
            ("the the the the the the", 6.0, 162.88722447527772),
            ("A quick brown fox jumps over the lazy dog.", 4.829605387205156, 2302.5850929940457),
        ];
        for &(text, bi, hs) in rows {
            let t = word_tokenize(text);
            assert!((brunet_index(&t) - bi).abs() <= 1e-12 * bi, "BI({text:?})");
            assert!((honore_statistic(&t) - hs).abs() <= 1e-12 * hs.max(1.0), "HS({text:?})");
        }
        let texts: Vec<String> = rows.iter().map(|r| r.0.to_string()).collect();
        let s = linguistic_score(&[12.5, f64::NAN, 3.25, -1.0, 48.0, 7.75, 2.0], &texts);
        let want = [
            14.7,
            146.57020073030202,
            876.0144454464147,
            0.06369426751592357,
            0.00677643585934799,
            0.9988597679260677,
            0.018262467200023873,
        ];
        let got = [s.ppl, s.brunet, s.honore, s.s_ppl, s.s_brunet, s.s_honore, s.ls];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() <= 1e-12 * w, "{got:?} vs {want:?}");
        }
    }
}
