#!/usr/bin/env bash
# Runs ForgetLab. Today that is the engine on the command line: the default model's quality bar,
# then gradient ascent on forget05 with metrics printed every 5 steps (the browser playground is
# the next milestone; see ARCHITECTURE.md). Builds what it needs; the cargo target directory
# lives outside the clone so reruns are incremental.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/forgetlab/target}"
cargo build --release -q -p forgetlab
bin="$CARGO_TARGET_DIR/release/forgetlab"
"$bin" eval
echo
echo "Gradient ascent on forget05 (f.* = forget set, r.* = retain, w.* = world facts):"
"$bin" unlearn --method ga --forget forget05 --steps 30 --eval-every 5
echo
echo "ReLearn on forget05 (forgets without breaking fluency):"
"$bin" unlearn --method relearn --forget forget05 --steps 120 --eval-every 20
