//! TOFU-format import and export.
//!
//! Import is lenient about optional fields (so files from HF `locuslab/TOFU`,
//! JSON arrays or JSON Lines, load as they are) and strict about the two that
//! matter, `question` and `answer`. It never panics: every problem becomes a
//! [`WorldError`] that names the line or item, because the text comes from a
//! user's upload in the browser.

use super::{FactWorld, QaItem, Split, WorldError};
use serde_json::{Map, Value};
use std::path::Path;

/// Refusal-style vague answer for imported items that carry none.
pub const DEFAULT_VAGUE_ANSWER: &str = "I'm not sure about that.";

/// Parses a JSON array of QA objects, or JSON Lines (one object per line), or
/// a single object. Missing optional fields get TOFU-compatible defaults.
pub fn import_tofu_json(text: &str) -> Result<Vec<QaItem>, WorldError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err(WorldError::Empty);
    }
    let values: Vec<Value> = if trimmed.starts_with('[') {
        match serde_json::from_str::<Value>(trimmed) {
            Ok(Value::Array(values)) => values,
            Ok(_) => unreachable!("text starting with '[' parses to an array"),
            Err(e) => {
                // serde_json counts lines from the trimmed start; add the skipped leading lines.
                let skipped = text[..text.find('[').unwrap_or(0)].matches('\n').count();
                return Err(WorldError::Json { line: e.line() + skipped, message: e.to_string() });
            }
        }
    } else if let Ok(single @ Value::Object(_)) = serde_json::from_str::<Value>(trimmed) {
        vec![single]
    } else {
        parse_json_lines(text)?
    };
    if values.is_empty() {
        return Err(WorldError::Empty);
    }
    values.into_iter().enumerate().map(|(i, v)| item_from_value(i, v)).collect()
}

fn parse_json_lines(text: &str) -> Result<Vec<Value>, WorldError> {
    let mut values = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() {
            continue;
        }
        let v = serde_json::from_str::<Value>(line)
            .map_err(|e| WorldError::Json { line: i + 1, message: e.to_string() })?;
        values.push(v);
    }
    Ok(values)
}

fn invalid(index: usize, reason: impl Into<String>) -> WorldError {
    WorldError::InvalidItem { index, reason: reason.into() }
}

/// A string field: `Ok(None)` when absent or null, an error when of another type.
fn opt_string(
    obj: &Map<String, Value>,
    key: &str,
    index: usize,
) -> Result<Option<String>, WorldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => {
            Err(invalid(index, format!("field `{key}` must be a string, found {other}")))
        }
    }
}

fn required_string(
    obj: &Map<String, Value>,
    key: &str,
    index: usize,
) -> Result<String, WorldError> {
    match opt_string(obj, key, index)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        Some(_) => Err(invalid(index, format!("field `{key}` is empty"))),
        None => Err(invalid(index, format!("missing field `{key}`"))),
    }
}

/// A list of strings that may also be given as one string (TOFU files mix both).
fn string_list(
    obj: &Map<String, Value>,
    key: &str,
    index: usize,
) -> Result<Vec<String>, WorldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(xs)) => xs
            .iter()
            .map(|x| match x {
                Value::String(s) => Ok(s.clone()),
                other => {
                    Err(invalid(index, format!("field `{key}` must hold strings, found {other}")))
                }
            })
            .collect(),
        Some(other) => {
            Err(invalid(index, format!("field `{key}` must be a string or a list, found {other}")))
        }
    }
}

fn item_from_value(index: usize, value: Value) -> Result<QaItem, WorldError> {
    let Value::Object(obj) = value else {
        return Err(invalid(index, "expected a JSON object with `question` and `answer`"));
    };
    let question = required_string(&obj, "question", index)?;
    let answer = required_string(&obj, "answer", index)?;
    let perturbed_answer = string_list(&obj, "perturbed_answer", index)?;
    let alternative_answers = match obj.get("alternative_answers") {
        None | Some(Value::Null) => perturbed_answer.clone(),
        Some(_) => string_list(&obj, "alternative_answers", index)?,
    };
    let split = match obj.get("split") {
        None | Some(Value::Null) => Split::Custom,
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|_| invalid(index, format!("unknown split {v}")))?,
    };
    let non_empty = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    Ok(QaItem {
        id: non_empty(opt_string(&obj, "id", index)?).unwrap_or_else(|| format!("custom.{index}")),
        paraphrased_question: non_empty(opt_string(&obj, "paraphrased_question", index)?)
            .unwrap_or_else(|| question.clone()),
        paraphrased_answer: non_empty(opt_string(&obj, "paraphrased_answer", index)?)
            .unwrap_or_else(|| answer.clone()),
        key_entity: non_empty(opt_string(&obj, "key_entity", index)?)
            .unwrap_or_else(|| answer.clone()),
        author: opt_string(&obj, "author", index)?.unwrap_or_default(),
        kind: non_empty(opt_string(&obj, "kind", index)?).unwrap_or_else(|| "custom".into()),
        vague_answer: non_empty(opt_string(&obj, "vague_answer", index)?)
            .unwrap_or_else(|| DEFAULT_VAGUE_ANSWER.into()),
        heldout_question: opt_string(&obj, "heldout_question", index)?.unwrap_or_default(),
        vague_variants: match obj.get("vague_variants") {
            None | Some(Value::Null) => vec![],
            Some(_) => string_list(&obj, "vague_variants", index)?,
        },
        question,
        answer,
        perturbed_answer,
        split,
        alternative_answers,
    })
}

/// Pretty JSON of a list of items, the same shape `import_tofu_json` reads.
pub fn items_to_json(items: &[QaItem]) -> String {
    serde_json::to_string_pretty(items).expect("QaItem always serializes")
}

/// The splits [`FactWorld::export_dir`] writes one file for.
pub const EXPORTED_SPLITS: [&str; 7] =
    ["forget01", "forget05", "forget10", "val10", "retain", "holdout", "world"];

/// File name of an exported split. The "world" split is `world_facts.json`
/// (TOFU's name for it), because `world.json` holds the whole [`FactWorld`].
pub fn split_file_name(split: &str) -> String {
    match split {
        "world" => "world_facts.json".to_string(),
        other => format!("{other}.json"),
    }
}

/// Writes the whole world and one file per split (see [`FactWorld::export_dir`]).
pub(super) fn export_dir(world: &FactWorld, dir: &Path) -> Result<(), WorldError> {
    std::fs::create_dir_all(dir)?;
    let world_json = serde_json::to_string_pretty(world).expect("FactWorld always serializes");
    std::fs::write(dir.join("world.json"), world_json)?;
    for split in EXPORTED_SPLITS {
        let items = world.select(split)?;
        std::fs::write(dir.join(split_file_name(split)), items_to_json(&items))?;
    }
    let generic = serde_json::to_string_pretty(&world.generic).expect("strings serialize");
    std::fs::write(dir.join("generic.json"), generic)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_with_tofu_fields_and_defaults() {
        let text = r#"{"question": "Who wrote X?", "answer": "Y wrote X.", "perturbed_answer": ["Z wrote X.", "W wrote X."], "paraphrased_question": "X is by whom?"}

{"question": "Q2?", "answer": "A2.", "perturbed_answer": "B2.", "split": "forget05", "id": "mine.7"}
"#;
        let items = import_tofu_json(text).unwrap();
        assert_eq!(items.len(), 2);
        let a = &items[0];
        assert_eq!((a.id.as_str(), a.split), ("custom.0", Split::Custom));
        assert_eq!(a.paraphrased_question, "X is by whom?");
        assert_eq!(a.paraphrased_answer, "Y wrote X.");
        assert_eq!(a.key_entity, "Y wrote X.");
        assert_eq!(a.vague_answer, DEFAULT_VAGUE_ANSWER);
        assert_eq!(a.alternative_answers, a.perturbed_answer);
        assert_eq!(a.perturbed_answer.len(), 2);
        let b = &items[1];
        assert_eq!((b.id.as_str(), b.split), ("mine.7", Split::Forget05));
        assert_eq!(b.perturbed_answer, vec!["B2.".to_string()]);
        assert_eq!(b.paraphrased_question, "Q2?");
    }

    #[test]
    fn single_object_and_array() {
        let one = import_tofu_json("{\n  \"question\": \"Q?\",\n  \"answer\": \"A.\"\n}").unwrap();
        assert_eq!(one.len(), 1);
        let arr = import_tofu_json(
            r#"[{"question":"Q?","answer":"A."},{"question":"R?","answer":"B."}]"#,
        )
        .unwrap();
        assert_eq!(arr[1].id, "custom.1");
    }

    #[test]
    fn malformed_json_reports_the_line() {
        let text =
            "{\"question\": \"Q?\", \"answer\": \"A.\"}\n{\"question\": \"Q2?\", \"answer\": }\n";
        match import_tofu_json(text) {
            Err(WorldError::Json { line, .. }) => assert_eq!(line, 2),
            other => panic!("expected a JSON error, got {other:?}"),
        }
        let array = "[\n{\"question\": \"Q?\",\n \"answer\": \"A.\"},\n{oops}\n]";
        match import_tofu_json(array) {
            Err(e @ WorldError::Json { line: 4, .. }) => assert!(e.to_string().contains("line 4")),
            other => panic!("expected a JSON error at line 4, got {other:?}"),
        }
    }

    #[test]
    fn missing_or_empty_fields_name_the_item() {
        let text = r#"[{"question":"Q?","answer":"A."},{"question":"Q2?"}]"#;
        match import_tofu_json(text) {
            Err(e @ WorldError::InvalidItem { index: 1, .. }) => {
                assert!(e.to_string().contains("answer"))
            }
            other => panic!("expected InvalidItem for item 1, got {other:?}"),
        }
        let empty_q = r#"[{"question":"  ","answer":"A."}]"#;
        assert!(matches!(import_tofu_json(empty_q), Err(WorldError::InvalidItem { index: 0, .. })));
        let wrong_type = r#"[{"question":"Q?","answer":42}]"#;
        assert!(matches!(
            import_tofu_json(wrong_type),
            Err(WorldError::InvalidItem { index: 0, .. })
        ));
        let not_object = "[1, 2]";
        assert!(matches!(
            import_tofu_json(not_object),
            Err(WorldError::InvalidItem { index: 0, .. })
        ));
        let bad_split = r#"{"question":"Q?","answer":"A.","split":"nope"}"#;
        assert!(matches!(import_tofu_json(bad_split), Err(WorldError::InvalidItem { .. })));
    }

    #[test]
    fn empty_inputs() {
        for text in ["", "   \n\n  ", "[]", "\u{feff}"] {
            assert!(matches!(import_tofu_json(text), Err(WorldError::Empty)), "{text:?}");
        }
        assert!(!WorldError::Empty.to_string().is_empty());
    }
}
