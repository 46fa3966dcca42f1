//! `forgetlab unlearn`'s ways of choosing and ordering what is forgotten, end to end on the
//! committed default model: worst-case sets (and their random control) and sequential requests.

mod common;

use common::{forgetlab, json_lines};

const SHORT: [&str; 9] =
    ["unlearn", "--method", "ga", "--forget", "forget01", "--steps", "1", "--eval-every", "1"];

#[test]
fn help_offers_the_selections_and_states_the_proxy() {
    let help = String::from_utf8(forgetlab(&["unlearn", "--help"]).stdout).unwrap();
    for flag in ["--worst-case", "--random-authors", "--requests", "--refit-probe"] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
    assert!(help.contains("gradient-ascent steps"), "the proxy is stated:\n{help}");
}

/// forget01 has two authors: the worst case of one ranks both and forgets one author's facts.
#[test]
fn worst_case_ranks_the_pool_and_forgets_the_top_author() {
    let lines = json_lines(&forgetlab(&[&SHORT[..], &["--worst-case", "1", "--json"]].concat()));
    let found = &lines[0]["worst_case"];
    let ranking = found["ranking"].as_array().expect("a ranking");
    assert_eq!(ranking.len(), 2, "{found}");
    let top = ranking[0][0].as_str().unwrap();
    let items = found["items"].as_array().unwrap();
    assert!(!items.is_empty() && items.iter().all(|it| it["author"] == top), "{found}");
    assert!(ranking[0][1].as_f64() >= ranking[1][1].as_f64(), "most resistant first");
    let snapshots = lines.iter().filter(|l| l.get("step").is_some()).count();
    assert_eq!(snapshots, 2, "steps 0 and 1 of the run on the chosen set");

    let control =
        json_lines(&forgetlab(&[&SHORT[..], &["--random-authors", "1", "--json"]].concat()));
    assert_eq!(control[0]["random_authors"].as_array().map(Vec::len), Some(1), "{}", control[0]);
    let both = forgetlab(&[&SHORT[..], &["--worst-case", "1", "--random-authors", "1"]].concat());
    assert_eq!(both.status.code(), Some(1), "the two selections conflict");
    assert!(String::from_utf8_lossy(&both.stderr).contains("cannot be used with"));
    let too_many = forgetlab(&[&SHORT[..], &["--worst-case", "2"]].concat());
    assert_eq!(too_many.status.code(), Some(1), "all of the pool is no selection");
    assert!(String::from_utf8_lossy(&too_many.stderr).contains("between 1 and 1"));
}

/// Two requests of one author each: the sets measured before and after each request, each
/// request a run of its own (steps 0 and 1, then its cost).
#[test]
fn requests_report_every_set_after_each_request() {
    let lines = json_lines(&forgetlab(&[&SHORT[..], &["--requests", "2", "--json"]].concat()));
    let after: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l.get("recall").is_some()).collect();
    assert_eq!(
        after.iter().map(|l| l["after_request"].as_u64().unwrap()).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    for l in &after {
        assert_eq!(l["recall"].as_array().map(Vec::len), Some(2), "{l}");
    }
    let requests: Vec<u64> =
        lines.iter().filter_map(|l| l.get("request")).map(|r| r.as_u64().unwrap()).collect();
    assert_eq!(requests, [1, 2]);
    assert_eq!(lines.iter().filter(|l| l.get("cost").is_some()).count(), 2);
    // Gradient ascent on request 1's set lowers its probability.
    let p = |l: &serde_json::Value| l["recall"][0]["prob"].as_f64().unwrap();
    assert!(p(after[1]) < p(after[0]), "{} → {}", p(after[0]), p(after[1]));
    let three = forgetlab(&[&SHORT[..], &["--requests", "3"]].concat());
    assert_eq!(three.status.code(), Some(1), "forget01 has two authors");
}
