#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh), then builds the app in RELEASE mode
# and serves it on http://127.0.0.1:8080 with live reload. Ctrl-C stops it.
# Extra arguments go to `trunk serve` (e.g. `--port 9000`).
#
# It builds into target/serve-dist/, never dist/: a serve build carries
# Trunk's live-reload client, which has no place on a static host, so dist/
# holds only what `trunk build --release` wrote (docs/publishing.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh
echo "[serve] http://127.0.0.1:8080/ (built into target/serve-dist/)"
exec trunk serve --release --dist target/serve-dist "$@"
