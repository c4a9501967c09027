#!/usr/bin/env bash
# Prints the optimised wasm size of the app (fanout-web) and of its size
# floor (fanout-size-floor: the engine plus a minimal Yew component, no app
# interface), each built the way Trunk builds the app: the `wasm-release`
# cargo profile, wasm-bindgen, then `wasm-opt -Oz` (npm binaryen 132), and
# gzip -9. A measurement, not a test: run it after `scripts/setup.sh`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
target="${CARGO_TARGET_DIR:-target}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for bin in fanout-web fanout-size-floor; do
  cargo build --profile wasm-release --target wasm32-unknown-unknown \
    --bin "$bin" --locked --quiet
  wasm-bindgen --target web --out-dir "$work/$bin" \
    "$target/wasm32-unknown-unknown/wasm-release/$bin.wasm"
  wasm-opt -Oz --strip-debug --enable-bulk-memory \
    --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$work/$bin/${bin}_bg.wasm" -o "$work/$bin/opt.wasm"
  raw=$(stat -c %s "$work/$bin/opt.wasm")
  gz=$(gzip -9 -c "$work/$bin/opt.wasm" | wc -c)
  printf '%-18s wasm %8d bytes raw, %7d bytes gzip (-9)\n' "$bin" "$raw" "$gz"
done
