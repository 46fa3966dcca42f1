//! Guided labs as data: `public/labs/<name>.toml`, listed in `labs/index.json` (the build writes
//! it from the directory), so a teacher adds one without touching Rust. Format (documented in
//! public/labs/README.md):
//!
//! ```toml
//! title = "Why gradient ascent breaks the model"
//! summary = "One paragraph: what the lab is about."
//! [[step]]
//! text = "What to do or watch."
//! set = "method=ga&forget=forget05&steps=30"   # optional: the link's keys (settings.rs)
//! action = "run"                               # optional: run | step | reset | attack | edit
//! [[question]]
//! text = "A question for the student."
//! ```
//!
//! The panel that shows a lab is `ui/labs.rs`. Pure Rust: its tests run natively.

use serde::Deserialize;

/// What a step's button does after applying the step's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LabAction {
    Run,
    Step,
    Reset,
    Attack,
    /// Learn mode's editing comparison (IKE vs fine-tuning).
    Edit,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct LabStep {
    pub text: String,
    #[serde(default)]
    pub set: Option<String>,
    #[serde(default)]
    pub action: Option<LabAction>,
}

impl LabStep {
    /// The step's button.
    pub fn button(&self) -> &'static str {
        match (&self.set, self.action) {
            (_, Some(LabAction::Run)) => "Set up and run",
            (_, Some(LabAction::Attack)) => "Attack",
            (_, Some(LabAction::Edit)) => "Edit the facts",
            (_, Some(LabAction::Step)) => "Step",
            (_, Some(LabAction::Reset)) => "Reset",
            (Some(_), None) => "Set up",
            (None, None) => "Done",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct LabQuestion {
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Lab {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default, rename = "step")]
    pub steps: Vec<LabStep>,
    #[serde(default, rename = "question")]
    pub questions: Vec<LabQuestion>,
}

/// A lab file's text as a [`Lab`], or what is wrong with it (an unknown action among them).
pub fn parse_lab(text: &str) -> Result<Lab, String> {
    toml::from_str(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::settings::{Settings, UrlState, apply_query};

    #[test]
    fn the_shipped_labs_parse_and_their_settings_are_valid() {
        let labs = [
            include_str!("../../public/labs/ga-breaks.toml"),
            include_str!("../../public/labs/relearn-vs-ga.toml"),
            include_str!("../../public/labs/does-it-generalize.toml"),
            include_str!("../../public/labs/is-it-gone.toml"),
            include_str!("../../public/labs/new-facts-push-out-old.toml"),
            include_str!("../../public/labs/rewarming-hurts.toml"),
            include_str!("../../public/labs/edit-without-training.toml"),
        ];
        for text in labs {
            let lab = parse_lab(text).unwrap();
            assert!(!lab.steps.is_empty() && !lab.questions.is_empty(), "{}", lab.title);
            for step in lab.steps.iter().filter_map(|s| s.set.as_deref()) {
                let (_, problems) = apply_query(&UrlState::of(Settings::default()), step);
                assert!(problems.is_empty(), "{}: {step}: {problems:?}", lab.title);
            }
        }
    }

    #[test]
    fn an_unknown_action_is_an_error() {
        assert!(
            parse_lab("title = \"x\"\n[[step]]\ntext = \"t\"\naction = \"explode\"\n")
                .unwrap_err()
                .contains("explode")
        );
        assert!(parse_lab("title = ").is_err());
    }
}
