#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh), then runs every check and test.
# Any failure stops it with a non-zero exit code.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh

step() { printf '\n\033[1m[test] %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --check

step "clippy, native, all targets"
cargo clippy --all-targets --locked -- -D warnings

step "clippy, wasm32 (library and binaries)"
cargo clippy --target wasm32-unknown-unknown --lib --bins --locked -- -D warnings

step "the engine is pure: cargo check --no-default-features"
cargo check --no-default-features --lib --bins --locked

step "native tests: cargo test"
cargo test --locked

step "release build: trunk build --release"
trunk build --release

wasm=$(ls dist/*.wasm | head -n1)
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
bundle=$(cat dist/*.wasm dist/*.js dist/*.css | gzip -9 -c | wc -c)
echo "release wasm size: ${raw} bytes raw, ${gz} bytes gzip (-9); bundle wasm+js+css ${bundle} bytes gzip"

step "browser tests: the built app in headless Chromium"
# A test that hangs fails after 5 minutes (the longest takes about 70 s),
# and a file's process ends once its tests are done, so a stuck browser
# can never hold CI until its own limit.
node --test --test-concurrency=1 --test-timeout=300000 --test-force-exit tests/browser/*.test.mjs
