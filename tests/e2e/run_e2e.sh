#!/usr/bin/env bash
# Starts a demo federation with the built binary, runs the browser tests
# against it, stops it. Screenshots go to SCREENSHOT_DIR (default
# build/e2e-screenshots). Dependencies: tests/install-deps.sh (chromium, node).
set -euo pipefail
bin=${1:?usage: run_e2e.sh path/to/signalnode [SCREENSHOT_DIR]}
here=$(cd "$(dirname "$0")" && pwd)
shots=${2:-$here/../../build/e2e-screenshots}
work=$(mktemp -d)
oidc_pid=""
cleanup() {
  "$bin" demo down --dir "$work/demo" >/dev/null 2>&1 || true
  [ -n "$oidc_pid" ] && kill "$oidc_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
[ -d "$here/node_modules/playwright-core" ] && [ -d "$here/node_modules/axe-core" ] || (cd "$here" && npm ci --no-audit --no-fund >/dev/null)
base=$((20000 + RANDOM % 12000))  # below the ephemeral range (32768+), above the in-process tests' 10000-19999
"$bin" demo up --dir "$work/demo" --base-port "$base" >/dev/null
# The inspectorate and SNF have reported the agency the officer will report in
# the browser, so that the RIEC shows a bundle of three organisations.
demo_field() { python3 -c "import json,sys; n=[n for n in json.load(open(sys.argv[1]))['nodes'] if n['org']==sys.argv[2]][0]; print(n[sys.argv[3]] if len(sys.argv)<5 else n[sys.argv[3]][sys.argv[4]])" "$work/demo/demo.json" "$@"; }
for pair in "nla:nla-underpayment.json" "snf:snf-below-norm.json"; do
  org=${pair%%:*}
  SIGNALNODE_TOKEN="$(demo_field "$org" tokens officer)" "$bin" submit --api "$(demo_field "$org" api)" \
    --ca "$work/demo/ca/ca.crt" --file "$here/../../node/demo/partners/${pair#*:}" >/dev/null
done
# Step-up (issue 21): the municipality's node asks again for a proof older
# than 60 s (not 5 minutes), so that the officer, logged in long before the
# withdrawal, meets it. A restart of that one node with the setting.
mdir=$(demo_field gemeente-aalsmeer dir)
kill -TERM "$(cat "$mdir/signalnode.pid")"
while kill -0 "$(cat "$mdir/signalnode.pid")" 2>/dev/null; do sleep 0.2; done
python3 - "$mdir/node.json" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c.setdefault("auth", {})["stepUpSeconds"] = 60
json.dump(c, open(p, "w"), indent=2)
PY
# Sign-in through the organisation (issue 21): the municipality's node gets a
# real OpenID provider (tests/oidc/provider_env.sh).
. "$here/../oidc/provider_env.sh"
oidc_install
mkdir "$work/idp"
oidc_tls "$work/idp"
idp="https://127.0.0.1:$((base + 99))"
oidc_configure "$mdir" "$work/idp" "$idp" "$(demo_field gemeente-aalsmeer api)"
oidc_start "$((base + 99))" "$work/idp" "$mdir" "$(demo_field gemeente-aalsmeer api)" "$work/idp.log"
export SN_E2E_OIDC_PROVIDER="$idp"
"$bin" demo up --dir "$work/demo" >/dev/null
rm -rf "$shots"
node "$here/web_e2e.mjs" "$work/demo/demo.json" "$shots"
