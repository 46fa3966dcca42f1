//! Knowledge Forgetting Rate (KFR) and Knowledge Retention Rate (KRR), judged by key-entity
//! presence.
//!
//!   KFR = (1/N_f) · Σ_{i ∈ forget} 1[ key entity eᵢ ∉ answerᵢ ]      direction: ↑
//!   KRR = (1/N_r) · Σ_{i ∈ retain} 1[ key entity eᵢ ∈ answerᵢ ]      direction: ↑
//!
//! where answerᵢ is the model's greedy answer and "∈" is [`contains_entity`]: a match of the
//! normalized entity (lower-cased, non-alphanumerics → spaces, spaces collapsed) on token
//! boundaries inside the normalized answer.
//!
//! Source: Xu et al., "ReLearn: Unlearning via Learning for Large Language Models" (2025),
//! `zjunlp:evals/evaluate.py::compute_kfr`, `::compute_krr`. ReLearn judges an item
//! with an LLM entity extractor (deepseek-chat), MiniLM embedding similarity (≥ 0.8) and a DeBERTa
//! NLI model (KFR: contradiction OR entity similarity ≤ 0.3/0.5; KRR: not contradiction AND
//! similarity ≥ 0.3). ForgetLab's fact world knows each fact's key entity, so both are replaced
//! by exact presence of that entity. This is stricter than NLI about
//! paraphrases of the entity and ignores contradictions that keep the entity.

/// Lower-case, replace every non-alphanumeric character with a space, collapse runs of spaces
/// and trim. Unicode-aware (`char::is_alphanumeric`, `str::to_lowercase`).
pub fn normalize_text(s: &str) -> String {
    let lowered = s.to_lowercase();
    let mut out = String::with_capacity(lowered.len());
    for word in lowered.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// True when the normalized `key_entity` occurs in the normalized `generated` text as a whole
/// run of tokens ("paris" matches "in paris ." but not "parisian"). An entity that normalizes to
/// nothing never matches.
pub fn contains_entity(generated: &str, key_entity: &str) -> bool {
    let key = normalize_text(key_entity);
    if key.is_empty() {
        return false;
    }
    let text = format!(" {} ", normalize_text(generated));
    text.contains(&format!(" {key} "))
}

fn rate(answers: &[String], entities: &[String], want_present: bool) -> f64 {
    if answers.is_empty() || answers.len() != entities.len() {
        return f64::NAN;
    }
    let hits =
        answers.iter().zip(entities).filter(|(a, e)| contains_entity(a, e) == want_present).count();
    hits as f64 / answers.len() as f64
}

/// Fraction of forget items whose answer does NOT contain the item's key entity.
/// `generated_forget[i]` pairs with `entities[i]`; empty input or a length mismatch → NaN.
pub fn kfr(generated_forget: &[String], entities: &[String]) -> f64 {
    rate(generated_forget, entities, false)
}

/// Fraction of retain items whose answer DOES contain the item's key entity.
/// `generated_retain[i]` pairs with `entities[i]`; empty input or a length mismatch → NaN.
pub fn krr(generated_retain: &[String], entities: &[String]) -> f64 {
    rate(generated_retain, entities, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn normalize_hand_values() {
        assert_eq!(normalize_text("  Hello,   World!! "), "hello world");
        assert_eq!(normalize_text("Jean-Luc O'Neil"), "jean luc o neil");
        assert_eq!(normalize_text("Zoë  Ångström 42"), "zoë ångström 42");
        assert_eq!(normalize_text("...!"), "");
    }

    #[test]
    fn entity_match_is_on_token_boundaries() {
        assert!(contains_entity("She was born in Paris.", "paris"));
        assert!(contains_entity("Born in New-York City", "New York"));
        assert!(!contains_entity("A Parisian author", "Paris"));
        assert!(!contains_entity("new yorker", "new york city"));
        assert!(contains_entity("It was 1987!", "1987"));
        assert!(!contains_entity("It was 19870", "1987"));
        assert!(!contains_entity("anything", "  -- "));
    }

    #[test]
    fn kfr_krr_hand_values() {
        let ents = v(&["Paris", "Tolstoy", "1987", "blue"]);
        let ans = v(&["I think Paris", "I don't know", "in 1987", "Red."]);
        // entity present in items 0 and 2
        assert_eq!(kfr(&ans, &ents), 0.5);
        assert_eq!(krr(&ans, &ents), 0.5);
        let all = v(&["paris!", "tolstoy", "1987", "blue sky"]);
        assert_eq!(kfr(&all, &ents), 0.0);
        assert_eq!(krr(&all, &ents), 1.0);
        assert_eq!(kfr(&ans[..3], &ents[..3]), 1.0 / 3.0);
        assert!(kfr(&[], &[]).is_nan());
        assert!(krr(&ans[..2], &ents).is_nan());
    }
}
