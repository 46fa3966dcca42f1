#!/usr/bin/env bash
# Runs every ForgetLab test. Installs what it needs when missing (scripts/tools.sh: wasm32 target,
# wasm-bindgen-cli, trunk, Chromium + ChromeDriver, playwright-core, binaryen).
# Cargo's target directory lives outside the clone so repeated runs are incremental.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/forgetlab/target}"
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

step "tools"
source scripts/tools.sh

# One profile (release) for building and testing: the engine trains models in its tests, and a
# single profile means burn is compiled once per target, not twice.
step "native tests (engine, CLI)"
cargo test --release --workspace --exclude forgetlab-app

step "CLI smoke: the default model passes its quality bar"
cargo run --release -q -p forgetlab -- eval | tee /tmp/forgetlab-eval.txt
grep -q PASS /tmp/forgetlab-eval.txt

step "the playground builds for the browser (trunk, release; wasm32)"
bash scripts/build-web.sh

step "the engine in headless Chromium: CPU (wasm) and WebGPU (wasm-bindgen-test)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
CHROMEDRIVER="$(command -v chromedriver)" WASM_BINDGEN_TEST_TIMEOUT=600 \
  cargo test --release -p forgetlab-core --target wasm32-unknown-unknown --test web

step "the playground end to end in headless Chromium (Playwright)"
node --test --test-concurrency=1 tests/e2e/

step "all tests passed"
