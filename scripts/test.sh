#!/usr/bin/env bash
# Runs every ForgetLab test; installs what it needs when missing (scripts/tools.sh, and a Python
# virtualenv with the reference metric libraries of tests/parity/requirements.txt).
#
#   bash scripts/test.sh           every test (what .ci/run calls)
#   bash scripts/test.sh --quick   the inner loop: rustfmt, module cycles, invariants, leptosfmt,
#                                  clippy and the native unit tests
#   bash scripts/test.sh --full    every test at its long size: the page's memory over 100
#                                  run/stop/reset cycles and 20 backend switches, 10^6 fuzz
#                                  inputs per parser (the scheduled GitHub workflow runs it)
#
# Every cargo command shares one build environment (scripts/tools.sh): each dependency is compiled
# once per target, and clippy lints our crates while they are built. After the browser build, two
# lanes share the two cores: the page end to end in the foreground, and the native lane (build,
# engine and CLI tests) in the background at a lower priority, so the page's timing checks get the
# CPU first. The remaining jobs (CLI smoke and metric parity, benchmark, reproductions, the engine
# in Chromium) go to whichever lane is free first.
# Each step's duration is printed at the end, pass or fail.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-}"
case "$MODE" in
  "" | --quick | --full) ;;
  *) echo "usage: bash scripts/test.sh [--quick | --full]" >&2; exit 2 ;;
esac
[ "$MODE" = --full ] && export FORGETLAB_FULL=1
source scripts/tools.sh

STATE="$HOME/.cache/forgetlab/test-run"
rm -rf "$STATE" && mkdir -p "$STATE"
STARTED=$(date +%s)
CURRENT=""
CURRENT_AT=$STARTED
STEPS_FILE="$STATE/steps"
finish_step() {
  if [ -n "$CURRENT" ]; then printf '%6d s  %s\n' $(( $(date +%s) - CURRENT_AT )) "$CURRENT" >> "$STEPS_FILE"; fi
  CURRENT=""
}
step() { finish_step; CURRENT="${LANE_TAG:-}$*"; CURRENT_AT=$(date +%s); printf '\n==> %s\n' "$*"; }
LANE_PID=""
summary() {
  local rc=$?
  finish_step
  if [ -n "$LANE_PID" ]; then pkill -P "$LANE_PID" 2>/dev/null; kill "$LANE_PID" 2>/dev/null; fi
  printf '\n==> step durations\n'
  cat "$STEPS_FILE" 2>/dev/null || true
  # A run that stopped before the native lane was waited for: the lane's finished steps too.
  if [ -n "$LANE_PID" ]; then cat "$STATE/native-steps" 2>/dev/null || true; fi
  printf '%6d s  in all: %s\n' $(( $(date +%s) - STARTED )) "$([ $rc = 0 ] && echo passed || echo FAILED)"
}
trap summary EXIT

step "style and layers: rustfmt, no module cycle in any folder, ARCHITECTURE.md's invariants"
rust_component rustfmt
cargo fmt --all --check
python3 scripts/module_cycles.py --self-test > /dev/null  # it prints the cycles it plants
python3 scripts/module_cycles.py
python3 scripts/invariants.py --self-test
python3 scripts/invariants.py

if [ "$MODE" = --quick ]; then
  rust_component clippy
  step "style: leptosfmt on the page's view! markup"
  leptosfmt_tool
  leptosfmt --check -q app/src
  step "native build, clippy on every target (release)"
  cargo test --release --workspace --all-targets --no-run -q
  step "native unit tests"
  cargo test --release --workspace --lib --bins -q
  exit 0
fi

# What only the tests need is downloaded while the code compiles: Chromium, playwright-core and
# the Python reference libraries are network and disk work, the compiler is CPU work.
VENV="$HOME/.cache/forgetlab/venv"
python_venv() {
  if "$VENV/bin/python" -c 'import rouge_score, scipy, sklearn, numpy' 2>/dev/null \
     && cmp -s tests/parity/requirements.txt "$VENV/requirements.txt"; then return; fi
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    echo "installing python3-venv (Debian)"
    apt_install python3-venv
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/pip" install -q -r tests/parity/requirements.txt
  cp tests/parity/requirements.txt "$VENV/requirements.txt"
}
{ test_tools && python_venv; } > "$STATE/test-tools.log" 2>&1 &
TOOLS_PID=$!

# The browser build comes first: it is what `bash scripts/run.sh` builds (with the build tools),
# so this step's time is how long the run command takes to serve on the same machine.
step "the playground for the browser (build tools, trunk, wasm32; clippy on the page and the worker)"
bash scripts/build-web.sh

# The engine's numbers on both backends against each other and transformers' golden logits (the
# page's pure parts run natively, and inside the page in the end-to-end suite). Built here with
# the browser build's artifacts, run by the native lane.
step "the engine's browser tests, built (wasm32; clippy on them)"
ENGINE_TEST=$(CARGO_TARGET_DIR="$WASM_TARGET_DIR" cargo test --profile wasm-release -p forgetlab-app \
  --target wasm32-unknown-unknown --test engine_in_browser --no-run --message-format=json \
  | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
[ -n "$ENGINE_TEST" ] || { echo "the engine's browser tests did not build" >&2; exit 1; }

step "tools for testing (Chromium, ChromeDriver, playwright-core, the Python reference libraries)"
if ! wait "$TOOLS_PID"; then cat "$STATE/test-tools.log"; echo "installing the test tools failed" >&2; exit 1; fi
cat "$STATE/test-tools.log"

step "style: leptosfmt on the page's view! markup (rustfmt leaves macros alone)"
leptosfmt --check -q app/src

# The jobs after the two lanes' main work: each is taken by whichever lane is free first (a
# `mkdir` claims it), so neither lane idles while the other still has a queue. Cold, the native
# build is the long pole and the foreground lane takes the browser engine tests; warm, the
# end-to-end suite is, and the native lane takes them all.
NATIVE_BUILT="$STATE/native-built"
job_engine_in_chromium() {
  step "the engine in headless Chromium: CPU (wasm) and WebGPU (wasm-bindgen-test)"
  (cd app && CHROMEDRIVER="$(command -v chromedriver)" WASM_BINDGEN_TEST_TIMEOUT=600 wasm-bindgen-test-runner "$ENGINE_TEST")
}
job_cli_smoke() {
  step "CLI smoke: the default model passes its quality bar"
  FIXTURE="${CARGO_TARGET_DIR}/parity-fixture.json"
  cargo run --release -q -p forgetlab -- eval --parity-fixture "$FIXTURE" | tee "$STATE/eval.txt"
  grep -q PASS "$STATE/eval.txt"
  step "metrics equal the reference implementations (rouge-score, scipy, scikit-learn, zlib, numpy)"
  "$VENV/bin/python" tests/parity/check_metrics.py "$FIXTURE"
}
job_bench() {
  step "the benchmark runs (its figures are printed, never asserted: speed is not a test)"
  cargo run --release -q -p forgetlab -- bench --steps 2
  cargo run --release -q -p forgetlab -- bench --train-only --steps 2
}
job_reproductions() {
  step "docs/REPRODUCE.md's commands still run (2 steps, one seed; the table itself is not asserted)"
  python3 scripts/reproduce.py --quick
  python3 scripts/reproduce_continual.py --quick
  python3 scripts/reproduce_experiments.py --quick
}
# drain JOB...: runs every job not yet claimed by the other lane, in the order given. A job that
# needs the native build (all but the browser one) waits for it; if the native lane has died
# without building, the foreground stops waiting (the lane's own failure is reported below).
drain() {
  local pending=("$@") left job
  while [ ${#pending[@]} -gt 0 ]; do
    left=()
    for job in "${pending[@]}"; do
      if [ "$job" != engine_in_chromium ] && [ ! -e "$NATIVE_BUILT" ]; then
        left+=("$job")
      elif mkdir "$STATE/claimed-$job" 2> /dev/null; then
        "job_$job"
      fi
    done
    pending=("${left[@]+"${left[@]}"}")
    if [ ${#pending[@]} -gt 0 ]; then
      if [ -n "$LANE_PID" ] && ! kill -0 "$LANE_PID" 2> /dev/null; then return; fi
      sleep 2
    fi
  done
  finish_step
}

# The native lane: its steps and their durations go to its own log, printed when it is done.
native_lane() {
  renice -n 10 -p "$BASHPID" > /dev/null
  CURRENT=""
  STEPS_FILE="$STATE/native-steps"
  LANE_TAG="[native] "
  step "build, clippy on every target (release)"
  cargo test --release --workspace --all-targets --no-run -q
  touch "$NATIVE_BUILT"
  step "tests (engine, CLI, the playground's pure parts: settings and link, run history, labs; fuzzed parsers)"
  cargo test --release --workspace -q
  drain cli_smoke bench reproductions engine_in_chromium
}
( native_lane ) > "$STATE/native.log" 2>&1 &
LANE_PID=$!

step "the playground end to end in headless Chromium (Playwright)"
rm -rf tests/e2e/artifacts/gestures
node --test tests/e2e/suite.mjs

step "every control of the page was used by a gesture"
node tests/e2e/controls.mjs

drain engine_in_chromium cli_smoke bench reproductions

step "the native lane (its steps are listed below)"
LANE_RC=0
wait "$LANE_PID" || LANE_RC=$?
LANE_PID=""
cat "$STATE/native.log"
cat "$STATE/native-steps" >> "$STEPS_FILE" 2>/dev/null || true
[ "$LANE_RC" = 0 ] || { echo "the native lane failed (its log is above)" >&2; exit 1; }
