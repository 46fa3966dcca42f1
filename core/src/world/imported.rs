//! Fact files a user brings (TOFU's schema, as a JSON array or JSON Lines): their items join the
//! world as the user's own facts, with ids that are the same every time the same file is
//! imported (so a link that names them keeps working where the file is kept), and exporting
//! them gives the file back.
//!
//! Ids: `<stem>.<n>` for the n-th record (from 0) of a file whose name's stem is `<stem>`
//! (lowercase ASCII letters, digits, `-` and `_`; anything else becomes `_`), prefixed `file-` so
//! they never meet the world's ids. Whatever `id` and `split` a record carries stay in the record
//! (and come back on export), but inside the page every imported item is a custom fact: a file
//! cannot change the preset splits, whose retain models describe the built-in world only.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{QaItem, Split, WorldError, import_tofu_json};

/// A fact file as the user gave it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedFile {
    pub name: String,
    pub text: String,
}

/// The id prefix of a file's items (see the module's doc).
pub fn id_prefix(file_name: &str) -> String {
    let stem = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = stem.split('.').next().filter(|s| !s.is_empty()).unwrap_or("facts");
    let clean: String = stem
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }
        })
        .collect();
    format!("file-{clean}")
}

impl ImportedFile {
    /// Its items (TOFU's parser: a malformed file is refused with its line or item and field),
    /// each with the record it came from, as JSON text: a JSON Lines file's own line, an array's
    /// element written compactly.
    pub fn parse(&self) -> Result<Vec<(QaItem, String)>, WorldError> {
        let items = import_tofu_json(&self.text)?;
        let records = records(&self.text);
        if records.len() != items.len() {
            return Err(WorldError::InvalidItem {
                index: records.len().min(items.len()),
                reason: "the records could not be told apart".into(),
            });
        }
        let prefix = id_prefix(&self.name);
        Ok(items
            .into_iter()
            .zip(records)
            .enumerate()
            .map(|(i, (item, record))| {
                (QaItem { id: format!("{prefix}.{i}"), split: Split::Custom, ..item }, record)
            })
            .collect())
    }
}

/// Each record's JSON text, in the order `import_tofu_json` reads them.
fn records(text: &str) -> Vec<String> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.starts_with('[') {
        return match serde_json::from_str::<Vec<Value>>(trimmed) {
            Ok(values) => values.iter().map(Value::to_string).collect(),
            Err(_) => Vec::new(),
        };
    }
    if serde_json::from_str::<Value>(trimmed).is_ok_and(|v| v.is_object()) {
        return vec![trimmed.to_string()];
    }
    text.lines()
        .map(|l| l.trim().trim_start_matches('\u{feff}'))
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// The TOFU file of `items` (in their order). Exactly the items of one imported file, in the
/// file's order, give that file's text unchanged; anything else is JSON Lines, one record per
/// line: an imported item's record as its file had it, any other item in ForgetLab's TOFU
/// schema (what `import_tofu_json` reads back).
pub fn export_items(items: &[QaItem], files: &[ImportedFile]) -> Result<String, WorldError> {
    let mut record_of = std::collections::HashMap::new();
    for file in files {
        let parsed = file.parse()?;
        let ids: Vec<&str> = parsed.iter().map(|(it, _)| it.id.as_str()).collect();
        if ids.len() == items.len() && ids.iter().zip(items).all(|(a, b)| *a == b.id) {
            return Ok(file.text.clone());
        }
        record_of.extend(parsed.into_iter().map(|(it, record)| (it.id, record)));
    }
    let mut out = String::new();
    for item in items {
        match record_of.get(&item.id) {
            Some(record) => out.push_str(record),
            None => out.push_str(&serde_json::to_string(item).expect("QaItem always serializes")),
        }
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSONL: &str = "{\"question\": \"Who wrote Q?\", \"answer\": \"R wrote Q.\", \"split\": \
        \"forget01\", \"id\": \"x\"}\n\n{\"question\": \"Where is S?\", \"answer\": \"In T.\", \
        \"perturbed_answer\": [\"In U.\"]}\n";

    #[test]
    fn items_get_stable_ids_and_stay_custom() {
        let file = ImportedFile { name: "My Facts.v2.jsonl".into(), text: JSONL.into() };
        let parsed = file.parse().unwrap();
        let ids: Vec<&str> = parsed.iter().map(|(it, _)| it.id.as_str()).collect();
        assert_eq!(ids, ["file-my_facts.0", "file-my_facts.1"]);
        assert!(parsed.iter().all(|(it, _)| it.split == Split::Custom));
        assert_eq!(parsed[1].0.perturbed_answer, ["In U."]);
        assert_eq!(parsed, file.parse().unwrap(), "the same file gives the same ids");
    }

    #[test]
    fn a_whole_file_exports_back_unchanged_and_a_mix_as_json_lines() {
        let file = ImportedFile { name: "a.jsonl".into(), text: JSONL.into() };
        let items: Vec<QaItem> = file.parse().unwrap().into_iter().map(|(it, _)| it).collect();
        assert_eq!(export_items(&items, std::slice::from_ref(&file)).unwrap(), JSONL);
        let array = ImportedFile {
            name: "b.json".into(),
            text: "[\n  {\"question\": \"Q?\", \"answer\": \"A.\"},\n  {\"question\": \"R?\", \
                \"answer\": \"B.\"}\n]"
                .into(),
        };
        let b: Vec<QaItem> = array.parse().unwrap().into_iter().map(|(it, _)| it).collect();
        let files = [file.clone(), array.clone()];
        assert_eq!(export_items(&b, &files).unwrap(), array.text);
        // The second record of each, and a world item: JSON Lines that import reads back.
        let own = QaItem {
            id: "custom-1".into(),
            question: "V?".into(),
            answer: "W.".into(),
            ..QaItem::default()
        };
        let mixed = export_items(&[items[1].clone(), b[1].clone(), own], &files).unwrap();
        let lines: Vec<&str> = mixed.lines().collect();
        assert_eq!(lines[0], JSONL.lines().nth(2).unwrap());
        assert_eq!(lines[1], r#"{"answer":"B.","question":"R?"}"#);
        let back = import_tofu_json(&mixed).unwrap();
        assert_eq!(
            back.iter().map(|it| it.answer.as_str()).collect::<Vec<_>>(),
            ["In T.", "B.", "W."]
        );
    }

    #[test]
    fn a_malformed_file_names_its_line() {
        let file = ImportedFile {
            name: "bad.jsonl".into(),
            text: "{\"question\": \"Q?\", \"answer\": \"A.\"}\n{\"question\": \n".into(),
        };
        assert!(file.parse().unwrap_err().to_string().contains("line 2"));
        let file =
            ImportedFile { name: "bad.json".into(), text: "[{\"question\": \"Q?\"}]".into() };
        assert!(file.parse().unwrap_err().to_string().contains("missing field `answer`"));
    }
}
