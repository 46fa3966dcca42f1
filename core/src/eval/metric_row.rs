//! What one row of the metric table ([`METRICS`](super::METRICS)) says about a metric: which
//! way is better, how its number is printed, whether it needs a retain model, and where each
//! view shows it (the CLI's columns, the page's run history and charts).

use super::Snapshot;

/// Which way a metric is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
    /// Neither: the closer to the retain model's value, the better (a model that never learned
    /// the facts is the target, not zero).
    CloserToRetain,
    /// A diagnostic without a better direction.
    Neither,
}

impl Better {
    /// The arrow the page and the CLI print after a label.
    pub fn arrow(self) -> &'static str {
        match self {
            Better::Higher => "↑",
            Better::Lower => "↓",
            Better::CloserToRetain => "≈ retain",
            Better::Neither => "",
        }
    }
}

/// How a value is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Fixed decimals (the caller's precision).
    Fixed,
    /// A p-value: spans many orders of magnitude, printed in scientific notation.
    PValue,
}

/// The page's charts of scalar metrics (the per-split charts draw forget, retain and world).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chart {
    /// Answer probability per split.
    Prob,
    /// ROUGE-L recall per split.
    Rouge,
    /// Truth ratio per split.
    Truth,
    /// KFR, KRR, Linguistic Score.
    Knowledge,
    /// Forget quality and the KS test against the holdout (log axis).
    Quality,
    /// Model utility and paraphrased-question probability.
    Utility,
}

/// Which line of its chart a metric is: its legend name and its colour's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Forget,
    Retain,
    World,
    Other,
}

/// One row of the metric table.
pub struct MetricRow {
    /// Stable name (the page's `data-metric`, links `#def-…`).
    pub key: &'static str,
    pub label: &'static str,
    pub definition: &'static str,
    /// Where it comes from: the paper (and the code it follows) that defines it.
    pub source: &'static str,
    pub read: fn(&Snapshot) -> f64,
    pub better: Better,
    pub format: Format,
    /// Without a retain model for the selection there is no value ("needs a retain model").
    pub needs_retain_model: bool,
    /// Its short column heading in the CLI's table, if it is one of the headline numbers there.
    pub column: Option<&'static str>,
    /// Its column in the page's run history (kept per evaluation, exported as CSV).
    pub kept: Option<&'static str>,
    /// The chart that draws it, as which line (legend name, colour role).
    pub chart: Option<(Chart, &'static str, Role)>,
}

impl MetricRow {
    /// The value of `s` as text: `digits` decimals, a p-value in scientific notation, or why
    /// there is none.
    pub fn text(&self, s: &Snapshot, digits: usize) -> String {
        if self.needs_retain_model && s.retain_model.is_none() {
            return "needs a retain model".into();
        }
        let v = (self.read)(s);
        match self.format {
            Format::Fixed => format!("{v:.digits$}"),
            Format::PValue => format!("{v:.3e}"),
        }
    }

    pub(super) const fn cite(self, source: &'static str) -> Self {
        Self { source, ..self }
    }
    pub(super) const fn column(self, heading: &'static str) -> Self {
        Self { column: Some(heading), ..self }
    }
    pub(super) const fn kept(self, name: &'static str) -> Self {
        Self { kept: Some(name), ..self }
    }
    pub(super) const fn chart(self, chart: Chart, line: &'static str, role: Role) -> Self {
        Self { chart: Some((chart, line, role)), ..self }
    }
    pub(super) const fn p_value(self) -> Self {
        Self { format: Format::PValue, ..self }
    }
    pub(super) const fn needs_retain_model(self) -> Self {
        Self { needs_retain_model: true, ..self }
    }
}

/// A row with no view beyond the metrics table (the methods above add them).
pub(super) const fn row(
    key: &'static str,
    label: &'static str,
    better: Better,
    definition: &'static str,
    read: fn(&Snapshot) -> f64,
) -> MetricRow {
    MetricRow {
        key,
        label,
        definition,
        source: "",
        read,
        better,
        format: Format::Fixed,
        needs_retain_model: false,
        column: None,
        kept: None,
        chart: None,
    }
}
