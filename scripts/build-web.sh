#!/usr/bin/env bash
# Builds the playground (trunk, release) into dist/ and prints what a visitor downloads:
# each wasm module raw and gzipped, and the size of public/ (model, fluency scorer, fact world).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
export CARGO_TARGET_DIR="$WASM_TARGET_DIR"
build_tools
# The page and the worker, compiled as trunk compiles them (the same cargo command, so trunk
# finds them fresh), while wasm-bindgen-cli and trunk may still be compiling beside them.
echo "==> compiling the page and the worker (wasm32, profile wasm-release; clippy on our crates)"
cargo build --target=wasm32-unknown-unknown --manifest-path app/Cargo.toml --profile wasm-release --bins
wait_build_tools
echo "==> building the playground (trunk build --release)"
trunk build --release --offline
# The guided labs' index: every public/labs/*.toml, by file name (a teacher only adds a file).
names=$(cd public/labs && ls -1 -- *.toml | sed 's/\.toml$//' | LC_ALL=C sort)
printf '[%s]\n' "$(printf '"%s",' $names | sed 's/,$//')" > dist/labs/index.json
# The service worker: a version (hash of every built file) and the list of files to cache.
body="$(cat dist/sw.js)"
files=$(cd dist && find . -type f ! -name sw.js | sed 's|^\./||' | LC_ALL=C sort)
version=$(cd dist && find . -type f ! -name sw.js -print0 | LC_ALL=C sort -z | xargs -0 cat | sha256sum | cut -c1-16)
{
  printf 'const VERSION = "%s";\n' "$version"
  printf 'const FILES = [%s];\n' "$(printf '"%s",' $files | sed 's/,$//')"
  printf '%s\n' "$body"
} > dist/sw.js
echo "==> offline cache: version $version, $(echo "$files" | wc -l) files"
echo "==> sizes"
for f in dist/*.wasm; do
  awk -v n="$(basename "$f")" -v raw="$(stat -c %s "$f")" -v gz="$(gzip -9c "$f" | wc -c)" \
    'BEGIN { printf "  %-34s %7.2f MB raw  %6.2f MB gzip -9\n", n, raw / 1e6, gz / 1e6 }'
done
printf '  %-40s %7s\n' "public/ (models + fact world)" "$(du -sh public | cut -f1)"
