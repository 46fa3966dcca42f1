#!/usr/bin/env bash
# Installs, when missing, the tools the browser build and its tests need:
#   rustfmt and clippy, the wasm32 Rust target, wasm-bindgen-cli (the exact version in Cargo.lock), trunk,
#   Chromium + ChromeDriver (Debian), and the npm packages playwright-core and binaryen (wasm-opt).
# Everything is taken from registries (crates.io, Debian, npm); nothing downloads its own binaries.
# Sourced by scripts/run.sh and scripts/test.sh; it exports PATH so the tools are found.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$ROOT/tests/e2e/node_modules/.bin:$PATH"

note() { printf '\n==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# rustfmt and clippy: the test command checks style with them.
for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    note "installing $component"
    rustup component add "$component"
  fi
done

if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  note "installing the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock, or trunk (offline) refuses.
# Installed without --locked: with it, 0.2.130 fails on a webpki-roots version.
WB_VERSION="$(grep -A1 '^name = "wasm-bindgen"$' "$ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
  note "installing wasm-bindgen-cli $WB_VERSION"
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi

if ! trunk --version 2>/dev/null | grep -q '0.21.14'; then
  note "installing trunk 0.21.14"
  cargo install trunk --version 0.21.14 --locked
fi

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  note "installing Chromium and ChromeDriver (Debian)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
fi

if [ ! -x "$ROOT/tests/e2e/node_modules/.bin/wasm-opt" ] || [ ! -d "$ROOT/tests/e2e/node_modules/playwright-core" ]; then
  if ! command -v npm >/dev/null; then
    note "installing Node.js and npm (Debian)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
  fi
  note "installing playwright-core and binaryen (npm)"
  (cd "$ROOT/tests/e2e" && npm ci --no-audit --no-fund --silent 2>/dev/null || npm install --no-audit --no-fund --silent)
fi
