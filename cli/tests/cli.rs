//! The `forgetlab` binary end to end on the committed default model: the JSON line format the
//! issue fixes, and bad input that must be a clear error (exit code 1), never a panic.

use std::process::Command;

fn forgetlab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_forgetlab"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("the binary runs")
}

#[test]
fn unlearn_json_prints_one_object_per_evaluation_then_the_cost() {
    let out = forgetlab(&["unlearn", "--method", "ga", "--forget", "forget01", "--steps", "2", "--eval-every", "1", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect();
    // The last line is the run's cost: training steps and seconds (evaluations excluded).
    let cost = lines.pop().expect("a cost line");
    assert_eq!(cost["cost"]["steps"], 2, "{cost}");
    assert!(cost["cost"]["training_seconds"].as_f64().is_some_and(|s| s > 0.0), "{cost}");
    assert_eq!(lines.len(), 3, "evaluations at steps 0, 1, 2");
    for (i, v) in lines.iter().enumerate() {
        assert_eq!(v["step"], i);
        for split in ["forget", "retain", "world"] {
            for key in ["prob", "rouge_l", "truth_ratio"] {
                assert!(v[split][key].is_number(), "{split}.{key} missing in {v}");
            }
        }
        for key in ["kfr", "krr", "ls", "forget_quality", "model_utility"] {
            assert!(v[key].is_number(), "{key} missing in {v}");
        }
    }
    assert!(lines[2]["forget"]["prob"].as_f64() < lines[0]["forget"]["prob"].as_f64());
}

#[test]
fn bad_input_is_a_clear_error() {
    let cases: [(&[&str], &str); 4] = [
        (&["unlearn", "--method", "forget_everything"], "unknown method"),
        (&["unlearn", "--method", "ga", "--lr", "NaN"], "lr must be a finite number"),
        (&["unlearn", "--method", "ga", "--forget", "forget42"], "forget42"),
        (&["eval", "--model", "/nonexistent/model"], "config.json"),
    ];
    for (args, needle) in cases {
        let out = forgetlab(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    let bad = std::env::temp_dir().join(format!("forgetlab-bad-{}.json", std::process::id()));
    std::fs::write(&bad, "[{\"question\": \"q\"}").unwrap();
    let out = forgetlab(&["unlearn", "--method", "ga", "--forget", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    std::fs::remove_file(&bad).ok();
}
