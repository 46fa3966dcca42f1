#!/usr/bin/env bash
# Installs, when missing, the tools ForgetLab needs. Everything comes from registries (crates.io,
# Debian, npm); nothing downloads its own binaries. Sourced by scripts/run.sh and scripts/test.sh;
# it exports PATH and the build environment below, and defines two steps:
#   build_tools  what building and serving the page need: clippy (the build runs it, below),
#                the wasm32 target, Node.js (the static server), and in the background
#                wasm-bindgen-cli (the exact version in Cargo.lock) and trunk (wait_build_tools)
#   test_tools   what the tests add: rustfmt, leptosfmt (crates.io), Chromium + ChromeDriver
#                (Debian), playwright-core (npm)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$ROOT/tests/e2e/node_modules/.bin:$PATH"

# One build environment for every cargo command of run.sh and test.sh, so they share one
# compilation of each dependency:
# - the target directories live outside the clone, so a new clone or a rerun is incremental;
# - clippy lints our own crates while they are built (clippy-driver wraps rustc for workspace
#   members only, every warning an error). A separate `cargo clippy` would compile every
#   dependency again in check mode: burn and cubecl twice more, about 17 minutes cold here.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/forgetlab/target}"
# The browser build in a directory of its own: the native and the wasm32 builds share no
# artifact (other profiles, other targets), and in one directory cargo runs them one at a time
# (one waits on the other's lock).
WASM_TARGET_DIR="${WASM_TARGET_DIR:-$HOME/.cache/forgetlab/target-wasm}"
export CARGO_TERM_COLOR=never
export RUSTC_WORKSPACE_WRAPPER="$HOME/.cargo/bin/clippy-driver"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"

note() { printf '\n==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}
rust_component() {
  if ! rustup component list --installed 2>/dev/null | grep -q "^$1"; then
    note "installing $1"
    rustup component add "$1"
  fi
}

# The two tools compiled from crates.io are programs we run, not code we ship: built at
# opt-level 0 except the crates that parse and rewrite the 17 MB worker wasm (walrus, wasmparser,
# wasm-bindgen's own), without trunk's fat LTO and single codegen unit, with no TLS stack (trunk
# runs offline; the test runner talks to a local ChromeDriver), into one target directory.
cargo_install_tool() {
  env -u RUSTC_WORKSPACE_WRAPPER -u CLIPPY_ARGS CARGO_TARGET_DIR="$HOME/.cache/forgetlab/tools-target" \
    cargo install --no-default-features \
      --config 'profile.release.lto=false' --config 'profile.release.codegen-units=256' \
      --config 'profile.release.opt-level=0' --config 'profile.release.debug=false' \
      --config 'profile.release.package.walrus.opt-level=2' \
      --config 'profile.release.package.wasmparser.opt-level=2' \
      --config 'profile.release.package.wasm-bindgen-cli-support.opt-level=2' \
      --config 'profile.release.package.wasm-bindgen-wasm-interpreter.opt-level=2' \
      "$@"
}

# What building the page needs. The quick part happens at once; wasm-bindgen-cli and trunk, when
# missing, compile in the background (CLI_TOOLS_PID; wait_build_tools waits for them) while the
# caller compiles the page, which needs them only at the end: on two cores the two builds fill
# each other's single-threaded stretches.
WB_VERSION="$(grep -A1 '^name = "wasm-bindgen"$' "$ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')"
CLI_TOOLS_PID=""
CLI_TOOLS_LOG="$HOME/.cache/forgetlab/cli-tools.log"
build_tools() {
  rust_component clippy
  if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
    note "installing the wasm32 target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! command -v node >/dev/null; then
    note "installing Node.js and npm (Debian)"
    apt_install nodejs npm
  fi
  # wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock, or trunk (offline) refuses.
  # Installed without --locked: with it, 0.2.130 fails on a webpki-roots version.
  local need_wb="" need_trunk=""
  [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ] && need_wb=1
  trunk --version 2>/dev/null | grep -q '0.21.14' || need_trunk=1
  if [ -n "$need_wb$need_trunk" ]; then
    note "compiling ${need_wb:+wasm-bindgen-cli $WB_VERSION }${need_trunk:+trunk 0.21.14 }in the background (log: $CLI_TOOLS_LOG)"
    mkdir -p "$(dirname "$CLI_TOOLS_LOG")"
    {
      if [ -n "$need_wb" ]; then cargo_install_tool wasm-bindgen-cli --version "$WB_VERSION"; fi
      if [ -n "$need_trunk" ]; then cargo_install_tool trunk --version 0.21.14 --locked; fi
    } > "$CLI_TOOLS_LOG" 2>&1 &
    CLI_TOOLS_PID=$!
  fi
}
wait_build_tools() {
  [ -z "$CLI_TOOLS_PID" ] && return
  if ! wait "$CLI_TOOLS_PID"; then
    tail -40 "$CLI_TOOLS_LOG"
    echo "compiling wasm-bindgen-cli or trunk failed (log: $CLI_TOOLS_LOG)" >&2
    return 1
  fi
  CLI_TOOLS_PID=""
  note "wasm-bindgen-cli and trunk are installed"
}

# leptosfmt formats the view! markup that rustfmt leaves alone (a test step checks both).
leptosfmt_tool() {
  if ! leptosfmt --version 2>/dev/null | grep -q '0.1.33'; then
    note "compiling leptosfmt 0.1.33"
    cargo_install_tool leptosfmt --version 0.1.33 --locked
  fi
}

test_tools() {
  rust_component rustfmt
  leptosfmt_tool
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    note "installing Chromium and ChromeDriver (Debian)"
    apt_install chromium chromium-driver
  fi
  if ! command -v npm >/dev/null; then
    note "installing npm (Debian)"
    apt_install npm
  fi
  if [ ! -d "$ROOT/tests/e2e/node_modules/playwright-core" ]; then
    note "installing playwright-core (npm)"
    (cd "$ROOT/tests/e2e" && { npm ci --no-audit --no-fund --silent 2>/dev/null || npm install --no-audit --no-fund --silent; })
  fi
}
