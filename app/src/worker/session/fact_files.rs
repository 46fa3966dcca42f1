//! The user's facts as files: TOFU files imported (kept in the tab, worker/store.rs, and brought
//! back when the page loads) and exported; "Start over".
//!
//! Links: an imported item's id depends only on its file's name and its place in the file
//! (world::imported), and facts taught are taught again in the same order (resume.rs), so a link
//! that names them keeps working in the browser that keeps them. A link opened elsewhere names
//! facts that browser lacks: its run is refused with the unknown ids, and nothing else changes.

use forgetlab_core::world::QaItem;
use forgetlab_core::world::imported::{ImportedFile, export_items, id_prefix};

use super::{Session, fact_row};
use crate::protocol::{Event, Phase};
use crate::worker::post;
use crate::worker::store::{self, IMPORTS};

impl Session {
    /// Import `file`: its items join the facts; a file of the same name replaces the earlier one.
    pub(super) async fn import_facts(&mut self, file: ImportedFile) -> Result<(), String> {
        let loaded = self.loaded.as_mut().ok_or("the model is still loading")?;
        let parsed =
            file.parse().map_err(|e| format!("{}: {e}; nothing was imported", file.name))?;
        let count = parsed.len();
        let prefix = format!("{}.", id_prefix(&file.name));
        loaded.world.items.retain(|it| !it.id.starts_with(&prefix));
        loaded.imports.retain(|f| id_prefix(&f.name) != id_prefix(&file.name));
        loaded.world.items.extend(parsed.into_iter().map(|(item, _)| item));
        let name = file.name.clone();
        loaded.imports.push(file);
        post(Event::Facts(loaded.world.items.iter().map(fact_row).collect()));
        let kept = match store::put(IMPORTS, &loaded.imports).await {
            Ok(()) => "kept in this browser for your next visit".to_string(),
            Err(e) => format!("for this visit only: {e}"),
        };
        post(Event::Notice(format!(
            "Imported {count} facts from {name} ({kept}). They are listed as your own facts: \
                select them to forget them."
        )));
        post(Event::Phase(self.idle_phase()));
        Ok(())
    }

    /// The facts `ids` names, in the fact list's order, as a TOFU file.
    pub(super) fn export_facts(&self, ids: &[String], file_name: &str) -> Result<(), String> {
        let loaded = self.loaded.as_ref().ok_or("the model is still loading")?;
        let wanted: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
        let items: Vec<QaItem> = loaded
            .world
            .items
            .iter()
            .filter(|it| wanted.contains(it.id.as_str()))
            .cloned()
            .collect();
        if items.is_empty() {
            return Err("no facts to export: select some first".into());
        }
        let text = export_items(&items, &loaded.imports).map_err(|e| e.to_string())?;
        post(Event::FactsFile { name: file_name.into(), text });
        Ok(())
    }

    /// After the world is read: the files imported on earlier visits join it again (a file that no
    /// longer reads is left out, with a notice).
    pub(super) async fn restore_imports(&mut self) {
        let kept: Vec<ImportedFile> = match store::get(IMPORTS).await {
            Ok(files) => files.unwrap_or_default(),
            Err(e) => {
                post(Event::Notice(e));
                return;
            }
        };
        let Some(loaded) = self.loaded.as_mut() else { return };
        for file in kept {
            match file.parse() {
                Ok(parsed) => {
                    loaded.world.items.extend(parsed.into_iter().map(|(item, _)| item));
                    loaded.imports.push(file);
                }
                Err(e) => post(Event::Notice(format!("{}: {e}; left out", file.name))),
            }
        }
    }

    /// "Start over": forget what the tab keeps.
    pub(super) async fn start_over(&mut self) -> Result<(), String> {
        store::clear().await?;
        post(Event::StoreCleared);
        post(Event::Phase(Phase::Busy));
        Ok(())
    }
}
