#!/usr/bin/env bash
# Builds the playground (trunk, release) into dist/ and prints what a visitor downloads:
# each wasm module raw and gzipped, and the size of public/ (model, fluency scorer, fact world).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/forgetlab/target}"
echo "==> building the playground (trunk build --release)"
trunk build --release --offline
echo "==> sizes"
for f in dist/*.wasm; do
  awk -v n="$(basename "$f")" -v raw="$(stat -c %s "$f")" -v gz="$(gzip -9c "$f" | wc -c)" \
    'BEGIN { printf "  %-34s %7.2f MB raw  %6.2f MB gzip -9\n", n, raw / 1e6, gz / 1e6 }'
done
printf '  %-40s %7s\n' "public/ (models + fact world)" "$(du -sh public | cut -f1)"
