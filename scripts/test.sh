#!/usr/bin/env bash
# Runs every ForgetLab test. Installs what it needs when missing (scripts/tools.sh: wasm32 target,
# wasm-bindgen-cli, trunk, Chromium + ChromeDriver, playwright-core, binaryen; here: a Python
# virtualenv with the reference metric libraries of tests/parity/requirements.txt).
# Cargo's target directory lives outside the clone so repeated runs are incremental.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/forgetlab/target}"
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

step "tools"
source scripts/tools.sh

# Style first: it fails in seconds. Clippy checks the whole workspace natively (the playground's
# pure parts) and the playground again for the browser, every warning an error.
step "style: rustfmt and clippy (native and wasm32)"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p forgetlab-app --target wasm32-unknown-unknown --all-targets -- -D warnings

# One profile (release) for building and testing: the engine trains models in its tests, and a
# single profile means burn is compiled once per target, not twice.
step "native tests (engine, CLI, the playground's pure parts: settings and link, run history, labs)"
cargo test --release --workspace

step "CLI smoke: the default model passes its quality bar"
FIXTURE="${CARGO_TARGET_DIR}/parity-fixture.json"
cargo run --release -q -p forgetlab -- eval --parity-fixture "$FIXTURE" | tee /tmp/forgetlab-eval.txt
grep -q PASS /tmp/forgetlab-eval.txt

step "the benchmark runs (its figures are printed, never asserted: speed is not a test)"
cargo run --release -q -p forgetlab -- bench --steps 2
cargo run --release -q -p forgetlab -- bench --train-only --steps 2

step "metrics equal the reference implementations (rouge-score, scipy, scikit-learn, zlib, numpy)"
VENV="$HOME/.cache/forgetlab/venv"
if ! "$VENV/bin/python" -c 'import rouge_score, scipy, sklearn, numpy' 2>/dev/null \
   || ! cmp -s tests/parity/requirements.txt "$VENV/requirements.txt"; then
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    echo "installing python3-venv (Debian)"
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq python3-venv; \
    else sudo apt-get update -qq && sudo apt-get install -y -qq python3-venv; fi
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/pip" install -q -r tests/parity/requirements.txt
  cp tests/parity/requirements.txt "$VENV/requirements.txt"
fi
"$VENV/bin/python" tests/parity/check_metrics.py "$FIXTURE"

step "docs/REPRODUCE.md's commands still run (2 steps, one seed; the table itself is not asserted)"
python3 scripts/reproduce.py --quick
python3 scripts/reproduce_continual.py --quick

step "the playground builds for the browser (trunk, release; wasm32)"
bash scripts/build-web.sh

step "the engine in headless Chromium: CPU (wasm) and WebGPU; the page's pure parts again as wasm (wasm-bindgen-test)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
CHROMEDRIVER="$(command -v chromedriver)" WASM_BINDGEN_TEST_TIMEOUT=600 \
  cargo test --profile wasm-release -p forgetlab-app --target wasm32-unknown-unknown --lib --test engine_in_browser

step "the playground end to end in headless Chromium (Playwright)"
node --test --test-concurrency=1 tests/e2e/

step "all tests passed"
