#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh), then builds the app in RELEASE mode
# and serves it on http://127.0.0.1:8080 with live reload. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh
echo "[serve] http://127.0.0.1:8080/"
exec trunk serve --release
