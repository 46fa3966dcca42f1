#!/usr/bin/env bash
# Runs every ForgetLab test. Installs what it needs when missing (Rust's wasm32 target).
# Cargo's target directory lives outside the clone so repeated runs are incremental.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/forgetlab/target}"
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  step "installing the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

# One profile (release) for building and testing: the engine trains models in its tests, and a
# single profile means burn is compiled once, not twice.
step "native tests (engine, CLI)"
cargo test --release --workspace --exclude forgetlab-app

step "the engine builds for wasm32"
cargo build --release -p forgetlab-core --target wasm32-unknown-unknown

step "CLI smoke: the default model passes its quality bar"
cargo run --release -q -p forgetlab -- eval | tee /tmp/forgetlab-eval.txt
grep -q PASS /tmp/forgetlab-eval.txt

step "all tests passed"
