//! Every setting a method can read, in one table: key, type, default, allowed range, label and
//! meaning. The struct [`Hyper`], its defaults, its validation and the table [`SETTINGS`] are all
//! generated from the one list below, so they cannot drift apart.
//!
//! Everything that shows or parses settings reads [`SETTINGS`]: the CLI's flags
//! (`forgetlab unlearn --beta 0.2`), the page's URL codec (`?beta=0.2`), its method panel and the
//! guided labs' validator. Which settings a method reads, and its own defaults, are in the method
//! table ([`super::spec::METHODS`]).
//!
//! Adding a setting: one line here, its key in the `reads` of the methods that use it, and the
//! code that uses it (`x.hp.my_setting` in the method's file).

use std::ops::Bound::{self, Excluded, Included, Unbounded};

use serde::{Deserialize, Serialize};

use crate::error::ForgetError;

/// Whether a setting takes any real number or only whole numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingType {
    Real,
    Integer,
}

/// One row of the settings table.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    /// The name everywhere: `Hyper`'s field, the URL key, the labs' key; the CLI flag is
    /// `--key-with-dashes`.
    pub key: &'static str,
    pub kind: SettingType,
    /// The default of a method that does not set its own (see the method table).
    pub default: f64,
    /// Allowed values: lower and upper bound.
    pub range: (Bound<f64>, Bound<f64>),
    /// A short label for the page.
    pub label: &'static str,
    /// What it does, in one line (the CLI's help, the page's hint).
    pub meaning: &'static str,
    /// Reads the setting from a `Hyper` (integers widened to f64).
    pub get: fn(&Hyper) -> f64,
    /// Writes it (integers truncated; call [`Setting::check`] first).
    pub set: fn(&mut Hyper, f64),
}

/// A setting's value type: f64 or usize.
trait SettingValue {
    const KIND: SettingType;
}
impl SettingValue for f64 {
    const KIND: SettingType = SettingType::Real;
}
impl SettingValue for usize {
    const KIND: SettingType = SettingType::Integer;
}

/// Generates `Hyper` (one field per line), its `Default` and `SETTINGS` from one list.
macro_rules! settings {
    ($( $(#[doc = $doc:literal])* $key:ident : $ty:ty = $default:expr, $range:expr,
        $label:literal, $meaning:literal; )*) => {
        /// Hyper-parameters of a run; each method reads the ones its table row names.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(default)]
        pub struct Hyper {
            $( $(#[doc = $doc])* pub $key: $ty, )*
        }

        impl Default for Hyper {
            fn default() -> Self {
                Self { $( $key: $default, )* }
            }
        }

        /// The settings table, in the order the page and the CLI's help show them.
        pub const SETTINGS: &[Setting] = &[ $(
            Setting {
                key: stringify!($key),
                kind: <$ty as SettingValue>::KIND,
                default: $default as f64,
                range: $range,
                label: $label,
                meaning: $meaning,
                get: |h| h.$key as f64,
                set: |h, v| h.$key = v as $ty,
            },
        )* ];
    };
}

const POSITIVE: (Bound<f64>, Bound<f64>) = (Excluded(0.0), Unbounded);
const NON_NEGATIVE: (Bound<f64>, Bound<f64>) = (Included(0.0), Unbounded);
const ANY: (Bound<f64>, Bound<f64>) = (Unbounded, Unbounded);
const AT_LEAST_ONE: (Bound<f64>, Bound<f64>) = (Included(1.0), Unbounded);

settings! {
    /// AdamW learning rate.
    lr: f64 = 5e-4, POSITIVE,
        "learning rate", "AdamW step size; can change during a run";
    /// Forget examples per step (and as many retain examples).
    batch_size: usize = 16, AT_LEAST_ONE,
        "batch size", "forget examples per step (and as many retain examples)";
    /// β: NPO's, SimNPO's and IdkDPO's inverse temperature, WGA's weight exponent, UNDIAL's logit
    /// adjustment (each method's row says which).
    beta: f64 = 0.1, POSITIVE,
        "β", "inverse temperature (NPO, SimNPO, IdkDPO), weight exponent (WGA), logit shift \
            (UNDIAL)";
    /// SimNPO's margin δ.
    delta: f64 = 0.0, ANY,
        "δ (margin)", "SimNPO's margin on the length-normalised loss";
    /// γ: weight of the forget term.
    forget_weight: f64 = 1.0, NON_NEGATIVE,
        "forget weight γ", "weight of the forget loss";
    /// α: weight of the retain NLL (or KL for GA+KL).
    retain_weight: f64 = 1.0, NON_NEGATIVE,
        "retain weight", "weight of the retain loss (α)";
    /// ReLearn's weight on KL(p_ref ‖ p_θ) over the retain set.
    kl_weight: f64 = 1.0, NON_NEGATIVE,
        "KL weight", "ReLearn's KL to the original model on retain";
    /// AdamW's decoupled weight decay (TOFU uses 0.01).
    weight_decay: f64 = 0.01, NON_NEGATIVE,
        "weight decay", "AdamW's decoupled weight decay (TOFU uses 0.01)";
    /// RMU: the block whose output (residual stream) is steered, 0-based.
    layer: usize = 2, NON_NEGATIVE,
        "layer", "RMU: the block (0-based) whose output is steered";
    /// RMU: the steering coefficient c (target activation c·u).
    steering: f64 = 8.0, NON_NEGATIVE,
        "steering c", "RMU: forget activations are pushed toward c·u, u a random unit vector";
    /// IKE: demonstrations shown before each evaluated question.
    demos: usize = 2, NON_NEGATIVE,
        "demonstrations", "IKE: examples shown before each question (the context holds 64 tokens)";
    /// ULD: blocks of the target the assistant starts from (K).
    assistant_layers: usize = 2, AT_LEAST_ONE,
        "assistant blocks",
        "ULD: the assistant is the model's first K blocks, trained to know only the forget set";
    /// ULD: w, the assistant's logit weight at inference (negative subtracts).
    logit_weight: f64 = -0.8, ANY,
        "logit weight w", "ULD: answers use z_model + w·z_assistant; negative subtracts";
    /// ULD: f, the relative top filter at inference, in [0, 1) (0 = off).
    top_filter: f64 = 0.01, (Included(0.0), Excluded(1.0)),
        "top filter f",
        "ULD: only tokens the model finds plausible (within a factor f of its best) are re-ranked";
    /// LoRA: the adapters' rank r; 0 trains every weight. With r > 0 the weights stay frozen and
    /// only rank-r adapters on the projections train (model::lora).
    lora_rank: usize = 0, NON_NEGATIVE,
        "LoRA rank",
        "0 trains every weight; r > 0 freezes them and trains rank-r adapters on each block's \
            projections (LoRA)";
}

/// The setting called `key`.
pub fn setting(key: &str) -> Result<&'static Setting, ForgetError> {
    SETTINGS.iter().find(|s| s.key == key).ok_or_else(|| {
        let known: Vec<&str> = SETTINGS.iter().map(|s| s.key).collect();
        ForgetError::InvalidConfig(format!(
            "“{key}” is not a setting (known: {})",
            known.join(", ")
        ))
    })
}

impl Setting {
    /// The CLI flag's name: the key with dashes (`retain_weight` → `retain-weight`), which is
    /// also the page's `data-testid` of the field.
    pub fn dashed(&self) -> String {
        self.key.replace('_', "-")
    }

    /// Whether `v` is a valid value: finite, whole for an integer setting, within the range.
    pub fn check(&self, v: f64) -> Result<(), ForgetError> {
        let bad = |why: String| ForgetError::InvalidConfig(format!("{} {why}, got {v}", self.key));
        if !v.is_finite() {
            return Err(bad("must be a finite number".into()));
        }
        if self.kind == SettingType::Integer && v.fract() != 0.0 {
            return Err(bad("must be a whole number".into()));
        }
        if !std::ops::RangeBounds::contains(&self.range, &v) {
            return Err(bad(format!("must be in {}", self.range_text())));
        }
        Ok(())
    }

    /// The range in interval notation: `(0, ∞)`, `[0, 1)`.
    pub fn range_text(&self) -> String {
        let (lo, hi) = self.range;
        let lo = match lo {
            Included(x) => format!("[{x}"),
            Excluded(x) => format!("({x}"),
            Unbounded => "(−∞".into(),
        };
        let hi = match hi {
            Included(x) => format!("{x}]"),
            Excluded(x) => format!("{x})"),
            Unbounded => "∞)".into(),
        };
        format!("{lo}, {hi}")
    }

    /// Parse a value from text (a flag, a URL, a lab) and check it.
    pub fn parse(&self, text: &str) -> Result<f64, ForgetError> {
        let v: f64 = text.trim().parse().map_err(|_| {
            ForgetError::InvalidConfig(format!("{} must be a number, got “{text}”", self.key))
        })?;
        self.check(v)?;
        Ok(v)
    }
}

impl Hyper {
    /// Reject settings that would silently produce garbage (NaN, negative or zero sizes): each
    /// value against its row of [`SETTINGS`].
    pub fn validate(&self) -> Result<(), ForgetError> {
        SETTINGS.iter().try_for_each(|s| s.check((s.get)(self)))
    }

    /// Set `key` from text, checked against its row (the CLI's `--set key=value`, URLs, labs).
    pub fn set_text(&mut self, key: &str, text: &str) -> Result<(), ForgetError> {
        let s = setting(key)?;
        (s.set)(self, s.parse(text)?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_round_trips_through_its_row() {
        let mut h = Hyper::default();
        for s in SETTINGS {
            assert_eq!((s.get)(&h), s.default, "{}", s.key);
            s.check(s.default).unwrap_or_else(|e| panic!("{}'s default is invalid: {e}", s.key));
            let v = if s.kind == SettingType::Integer { s.default + 3.0 } else { s.default + 0.25 };
            if s.check(v).is_ok() {
                (s.set)(&mut h, v);
                assert_eq!((s.get)(&h), v, "{}", s.key);
            }
        }
        let keys: std::collections::HashSet<&str> = SETTINGS.iter().map(|s| s.key).collect();
        assert_eq!(keys.len(), SETTINGS.len(), "keys are unique");
    }

    #[test]
    fn values_outside_a_range_are_refused_with_the_key() {
        let err = |key: &str, text: &str| Hyper::default().set_text(key, text).unwrap_err();
        assert!(err("lr", "NaN").to_string().contains("lr must be a finite number"));
        assert!(err("lr", "0").to_string().contains("lr must be in (0, ∞)"));
        assert!(err("batch_size", "2.5").to_string().contains("whole number"));
        assert!(err("batch_size", "0").to_string().contains("[1, ∞)"));
        assert!(err("top_filter", "1").to_string().contains("[0, 1)"));
        assert!(err("beta", "x").to_string().contains("must be a number"));
        assert!(err("nonsense", "1").to_string().contains("not a setting"));
        let mut h = Hyper::default();
        h.set_text("logit_weight", "-1.5").unwrap();
        h.set_text("lora_rank", "4").unwrap();
        assert_eq!((h.logit_weight, h.lora_rank), (-1.5, 4));
        assert!(h.validate().is_ok());
        assert!(Hyper { retain_weight: -1.0, ..h }.validate().is_err());
    }
}
