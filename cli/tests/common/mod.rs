//! Running the `forgetlab` binary from the repository root, and reading its JSON lines.

#![allow(dead_code)]

use std::process::{Command, Output};

pub fn forgetlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_forgetlab"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("the binary runs")
}

/// Each stdout line as JSON, after checking the command succeeded.
pub fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}
