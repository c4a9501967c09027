#!/usr/bin/env bash
# Installs everything Fanout needs to build, serve and test, and skips what
# is already there. Only package registries are used (crates.io, Debian, npm).
# Safe to run again: every step checks first and says what it does.
#
# Source it (`. scripts/setup.sh`) to also get the tools on PATH in your shell;
# scripts/serve.sh and scripts/test.sh do that themselves.
set -euo pipefail

FANOUT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$FANOUT_ROOT/node_modules/.bin:$PATH"

TRUNK_VERSION="0.22.1"
# wasm-bindgen-cli must be exactly the wasm-bindgen version Cargo.lock pins.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, "", $0); print; exit }' "$FANOUT_ROOT/Cargo.lock")"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
need_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# 1. Rust and the wasm32 target.
command -v cargo >/dev/null || { echo "cargo not found: install rustup first (https://rustup.rs)"; exit 1; }
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "wasm32-unknown-unknown target: present"
else
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for comp in rustfmt clippy; do
  if rustup component list --installed | grep -q "^$comp"; then
    say "$comp: present"
  else
    say "adding $comp"; rustup component add "$comp"
  fi
done

# 2. Trunk (the first build takes ~11 minutes on 2 cores). 0.22 declares a
#    newer rust-version than it needs, hence --ignore-rust-version.
if command -v trunk >/dev/null && trunk --version | grep -q " $TRUNK_VERSION"; then
  say "trunk $TRUNK_VERSION: present"
else
  say "installing trunk $TRUNK_VERSION (cargo install, ~11 min the first time)"
  cargo install trunk --version "$TRUNK_VERSION" --locked --ignore-rust-version
fi

# 3. wasm-bindgen-cli at the pinned version. Its own lock file names a crate
#    the registry no longer has, so no --locked here.
if command -v wasm-bindgen >/dev/null && wasm-bindgen --version | grep -q " $WASM_BINDGEN_VERSION"; then
  say "wasm-bindgen-cli $WASM_BINDGEN_VERSION: present"
else
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (~2.5 min)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# 4. Chromium and its driver from Debian (browser tests and screenshots).
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  say "chromium + chromium-driver: present"
else
  say "installing chromium and chromium-driver from Debian"
  need_root apt-get update -qq
  need_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
fi

# 5. npm tools, pinned in package-lock.json: binaryen (its wasm-opt; Debian's
#    is too old to read today's wasm) and playwright-core (drives Debian's
#    Chromium; it never downloads a browser of its own).
command -v npm >/dev/null || {
  say "installing nodejs and npm from Debian"
  need_root apt-get update -qq
  need_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
}
if [ -x "$FANOUT_ROOT/node_modules/.bin/wasm-opt" ] && [ -d "$FANOUT_ROOT/node_modules/playwright-core" ] \
   && [ "$FANOUT_ROOT/node_modules/.package-lock.json" -nt "$FANOUT_ROOT/package-lock.json" ]; then
  say "npm tools (binaryen, playwright-core): present"
else
  say "installing npm tools (npm ci)"
  (cd "$FANOUT_ROOT" && npm ci --no-audit --no-fund --loglevel=error)
fi

# 6. Crates, so Trunk's offline cargo build finds them.
say "fetching crates (cargo fetch)"
(cd "$FANOUT_ROOT" && cargo fetch --locked -q)

say "ready: $(trunk --version), $(wasm-bindgen --version), wasm-opt $(wasm-opt --version | awk '{print $3}'), $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
