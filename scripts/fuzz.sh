#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ one after the other, single job.
#
#   ./scripts/fuzz.sh                 # every target, 10 minutes each
#   FUZZ_SECONDS=60 ./scripts/fuzz.sh usage trace
#   ./scripts/fuzz.sh minimize        # shrink fuzz/corpus/ to the inputs that add coverage
#
# Needs nightly Rust and cargo-fuzz (`cargo install cargo-fuzz --locked`).
# The corpus is fuzz/corpus/<target>/, unpacked from the committed
# fuzz/corpus.tar.gz when missing; `minimize` merges it down to the inputs
# that add coverage and packs it again. The hand-written seeds are
# fuzz/seeds/<target>/ (also replayed by `cargo test`); crashes land in
# fuzz/artifacts/<target>/.
# libFuzzer's final statistics (number of executed units, peak RSS) are
# printed at the end of each run and kept in fuzz/logs/<target>.log.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../fuzz"

seconds=${FUZZ_SECONDS:-600}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(scenario usage trace url)

[ -d corpus ] || tar xzf corpus.tar.gz
cargo +nightly fuzz build --sanitizer none
bin="${CARGO_TARGET_DIR:-target}/x86_64-unknown-linux-gnu/release"

if [ "${targets[0]}" = minimize ]; then
  for t in scenario usage trace url; do
    rm -rf "corpus/$t.min" && mkdir -p "corpus/$t.min" "corpus/$t"
    "$bin/$t" -merge=1 -timeout=10 -rss_limit_mb=2048 "corpus/$t.min" "corpus/$t" "seeds/$t" 2>&1 | grep -E "MERGE-OUTER: [0-9]+ new files" || true
    rm -rf "corpus/$t" && mv "corpus/$t.min" "corpus/$t"
    echo "[fuzz] $t: $(ls "corpus/$t" | wc -l) files, $(du -sb "corpus/$t" | cut -f1) bytes"
  done
  tar czf corpus.tar.gz --sort=name --owner=0 --group=0 --mtime=@0 corpus
  echo "[fuzz] packed fuzz/corpus.tar.gz: $(stat -c %s corpus.tar.gz) bytes"
  exit 0
fi
mkdir -p logs
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  extra=()
  case "$t" in
    scenario|usage) extra=(-dict=json.dict) ;;
    # Links carry deflated payloads hundreds of bytes long: let inputs grow
    # to the full length at once (libFuzzer otherwise creeps up from a few
    # bytes and never reaches them).
    url) extra=(-dict=url.dict -len_control=0) ;;
  esac
  echo "[fuzz] $t for ${seconds}s"
  # -timeout: any single input slower than 10 s is a hang (a bug);
  # -rss_limit_mb: more than 2 GB is unbounded allocation (a bug).
  "$bin/$t" "corpus/$t" "seeds/$t" "${extra[@]}" \
    -artifact_prefix="artifacts/$t/" -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 2>&1 | tee "logs/$t.log" | grep -E "^#[0-9]+ +(INITED|DONE|pulse)|stat::|panicked|ERROR|SUMMARY" || true
  grep -q "^stat::number_of_executed_units" "logs/$t.log" || { echo "[fuzz] $t stopped early: see fuzz/logs/$t.log and fuzz/artifacts/$t/"; exit 1; }
done
