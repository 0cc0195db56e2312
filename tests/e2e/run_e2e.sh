#!/usr/bin/env bash
# Starts a demo federation with the built binary, runs the browser tests
# against it, stops it. Screenshots go to SCREENSHOT_DIR (default
# build/e2e-screenshots). Dependencies: tests/install-deps.sh (chromium, node).
set -euo pipefail
bin=${1:?usage: run_e2e.sh path/to/signalnode [SCREENSHOT_DIR]}
here=$(cd "$(dirname "$0")" && pwd)
shots=${2:-$here/../../build/e2e-screenshots}
work=$(mktemp -d)
cleanup() { "$bin" demo down --dir "$work/demo" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm ci --no-audit --no-fund >/dev/null)
base=$((20000 + RANDOM % 12000))  # below the ephemeral range, as the other demo tests
"$bin" demo up --dir "$work/demo" --base-port "$base" >/dev/null
rm -rf "$shots"
node "$here/web_e2e.mjs" "$work/demo/demo.json" "$shots"
