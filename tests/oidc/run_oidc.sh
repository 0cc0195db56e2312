#!/usr/bin/env bash
# Sign-in through a real OpenID provider (issue 21): starts the certified
# oidc-provider (provider.mjs) over HTTPS with a certificate of a CA made
# here, a node configured for it (auth.oidc, that CA as caFile), and drives
# the flow (oidc_flow.mjs). Dependencies: node and npm (tests/install-deps.sh);
# oidc-provider is installed from package-lock.json on first use.
set -euo pipefail
bin=${1:?usage: run_oidc.sh path/to/signalnode}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=provider_env.sh
. "$here/provider_env.sh"
work=$(mktemp -d)
oidc_pid=""
node_pid=""
cleanup() {
  [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null || true
  [ -n "$oidc_pid" ] && kill "$oidc_pid" 2>/dev/null && wait "$oidc_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/log" ] && tail -20 "$work/log" >&2; exit 1; }
oidc_install

base=$((20000 + RANDOM % 12000))
idp="https://127.0.0.1:$base"
node_url="https://127.0.0.1:$((base + 1))"
mkdir "$work/tls"
oidc_tls "$work/tls"
"$bin" init --dir "$work/n" --org gemeente-test --role municipality --oin 00000001002220647000 \
  --api-port "$((base + 1))" >/dev/null
oidc_configure "$work/n" "$work/tls" "$idp" "$node_url"
# The test starts some twenty sign-ins from one address within a minute.
python3 -c 'import json,sys; p=sys.argv[1]; c=json.load(open(p)); c["api"]["loginAttemptsPerMinute"]=120; json.dump(c,open(p,"w"))' "$work/n/node.json"
audit_token=$("$bin" token create --dir "$work/n" --role privacy_officer --label oidc-test)
local_password="een lang genoeg wachtwoord"
echo "$local_password" | "$bin" user create --dir "$work/n" --username lokale.beheerder --role officer --password-stdin >/dev/null

oidc_start "$base" "$work/tls" "$work/n" "$node_url" "$work/idp.log" || fail "the provider did not start"
"$bin" serve --dir "$work/n" >"$work/out" 2>"$work/log" &
node_pid=$!
for _ in $(seq 100); do grep -q 'serving https://' "$work/out" && break; sleep 0.1; done
grep -q 'serving https://' "$work/out" || fail "the node did not start"

cat "$work/tls/ca.crt" "$work/n/tls/api.crt" >"$work/trust.pem"
NODE_EXTRA_CA_CERTS="$work/trust.pem" node "$here/oidc_flow.mjs" "$node_url" "$idp" "$audit_token" lokale.beheerder \
  "$local_password" || fail "the sign-in flow"
