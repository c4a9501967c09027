#!/usr/bin/env bash
# The engine benchmark inside headless Chromium (a benchmark, not a test):
# builds the app in release mode (the wasm bundle users download) and runs
# scripts/engine-bench-browser.mjs, which times the wasm export `fanout_bench` on
# the SimFaaS workload at 0.9 and 1,000 req/s (~10^6 invocations each) and
# a simulated day at 1,000 req/s. The native counterpart is
# `cargo bench --bench engine --no-default-features`.
#   scripts/engine-bench-browser.sh             (3 rounds; BENCH_ROUNDS=n for more)
#   BENCH_NO_BUILD=1 scripts/engine-bench-browser.sh   (measure dist/ as it is)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh >/dev/null
if [ -z "${BENCH_NO_BUILD:-}" ]; then
  trunk build --release
fi
exec node scripts/engine-bench-browser.mjs
