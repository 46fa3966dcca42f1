//! `--method` and one flag per setting, generated from the engine's tables
//! (`forgetlab_core::methods::{METHODS, SETTINGS}`): a new method or setting appears here, in the
//! help and in the parser, without an edit to this file.
//!
//! `forgetlab unlearn --method npo --beta 0.2 --retain-weight 0.5`; the same with
//! `--set beta=0.2 --set retain_weight=0.5`. A setting not given keeps the method's default.

use clap::builder::PossibleValue;
use clap::{Arg, ArgAction, ArgMatches, Args, FromArgMatches, ValueEnum};
use forgetlab_core::ForgetError;
use forgetlab_core::methods::{Hyper, METHODS, MethodKind, SETTINGS, SettingType};

/// A method as a clap value: its table name, with the table's one-line summary as help.
#[derive(Clone, Copy, Debug)]
pub struct MethodArg(pub MethodKind);

impl ValueEnum for MethodArg {
    fn value_variants<'a>() -> &'a [Self] {
        static ALL: std::sync::LazyLock<Vec<MethodArg>> =
            std::sync::LazyLock::new(|| METHODS.iter().map(|m| MethodArg(m.kind)).collect());
        &ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let spec = self.0.spec();
        Some(PossibleValue::new(spec.name).help(spec.summary))
    }
}

/// `--method`'s parser: the table's names as possible values (help, completion), and for an
/// unknown name the engine's own error, which lists the known ones.
#[derive(Clone, Copy, Debug)]
pub struct MethodParser;

impl clap::builder::TypedValueParser for MethodParser {
    type Value = MethodKind;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<MethodKind, clap::Error> {
        MethodKind::parse(&value.to_string_lossy())
            .map_err(|e| clap::Error::raw(clap::error::ErrorKind::InvalidValue, format!("{e}\n")))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(MethodArg::value_variants().iter().filter_map(|m| m.to_possible_value())))
    }
}

/// The settings given on the command line, as (key, text) in the order given.
#[derive(Clone, Debug, Default)]
pub struct SettingFlags {
    given: Vec<(&'static str, String)>,
}

/// `retain_weight` → `retain-weight`, as a `'static` name for clap (built once per process).
fn flag_name(key: &str) -> &'static str {
    Box::leak(key.replace('_', "-").into_boxed_str())
}

impl Args for SettingFlags {
    fn augment_args(mut cmd: clap::Command) -> clap::Command {
        for s in SETTINGS {
            let kind = match s.kind {
                SettingType::Real => "number",
                SettingType::Integer => "whole number",
            };
            cmd = cmd.arg(
                Arg::new(s.key)
                    .long(flag_name(s.key))
                    .value_name(flag_name(&s.key.to_uppercase()))
                    .allow_negative_numbers(true)
                    .help_heading(
                        "Settings (default: the method's own; see forgetlab_core::methods)",
                    )
                    .help(format!("{} — {kind} in {}", s.meaning, s.range_text())),
            );
        }
        cmd.arg(
            Arg::new("set")
                .long("set")
                .value_name("KEY=VALUE")
                .action(ArgAction::Append)
                .help_heading("Settings (default: the method's own; see forgetlab_core::methods)")
                .help("Any setting by its key, as in the page's links (repeatable)"),
        )
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for SettingFlags {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let mut given = Vec::new();
        for s in SETTINGS {
            if let Some(v) = m.get_one::<String>(s.key) {
                given.push((s.key, v.clone()));
            }
        }
        for kv in m.get_many::<String>("set").into_iter().flatten() {
            let (key, value) = kv.split_once('=').ok_or_else(|| {
                clap::Error::raw(
                    clap::error::ErrorKind::InvalidValue,
                    format!("--set takes KEY=VALUE, got “{kv}”\n"),
                )
            })?;
            let key = SETTINGS.iter().find(|s| s.key == key.trim()).map_or_else(
                || flag_name(key.trim()), // unknown: reported by `apply` with the known keys
                |s| s.key,
            );
            given.push((key, value.to_string()));
        }
        Ok(Self { given })
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl SettingFlags {
    /// The method's defaults with the given settings applied, each checked against its row.
    pub fn apply(&self, method: MethodKind) -> Result<Hyper, ForgetError> {
        let mut hyper = method.default_hyper();
        for (key, text) in &self.given {
            hyper.set_text(key, text)?;
        }
        Ok(hyper)
    }
}
