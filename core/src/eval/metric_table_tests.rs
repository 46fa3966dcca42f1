//! The metric table's rows: unique names, and each one's source.

use super::{METRICS, metric};

#[test]
fn keys_columns_kept_names_and_chart_lines_are_unique() {
    let keys: std::collections::HashSet<&str> = METRICS.iter().map(|m| m.key).collect();
    assert_eq!(keys.len(), METRICS.len());
    let unique =
        |v: Vec<String>| v.iter().collect::<std::collections::HashSet<_>>().len() == v.len();
    assert!(unique(METRICS.iter().filter_map(|m| m.column.map(String::from)).collect()));
    assert!(unique(METRICS.iter().filter_map(|m| m.kept.map(String::from)).collect()));
    assert!(unique(
        METRICS
            .iter()
            .filter_map(|m| m.chart.map(|(c, line, _)| format!("{c:?} {line}")))
            .collect()
    ));
    assert_eq!(metric("forget_quality").and_then(|m| m.column), Some("fq"));
}

/// The page's explanations show each metric's source: every row names a paper (a year).
#[test]
fn every_metric_cites_where_it_comes_from() {
    for m in METRICS {
        assert!(
            m.source.chars().filter(char::is_ascii_digit).count() >= 4,
            "{} cites no paper",
            m.key
        );
    }
}
