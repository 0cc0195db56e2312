#!/usr/bin/env bash
# Sign-in through a real OpenID provider (issue 21): starts the certified
# oidc-provider (provider.mjs) over HTTPS with a certificate of a CA made
# here, a node configured for it (auth.oidc, that CA as caFile), and drives
# the flow (oidc_flow.mjs). Dependencies: node and npm (tests/install-deps.sh);
# oidc-provider is installed from package-lock.json on first use.
set -euo pipefail
bin=${1:?usage: run_oidc.sh path/to/signalnode}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
idp_pid=""
node_pid=""
cleanup() {
  [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null || true
  [ -n "$idp_pid" ] && kill "$idp_pid" 2>/dev/null && wait "$idp_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/log" ] && tail -20 "$work/log" >&2; exit 1; }
[ -d "$here/node_modules/oidc-provider" ] || (cd "$here" && npm ci --no-audit --no-fund >/dev/null)

base=$((20000 + RANDOM % 12000))
idp_port=$base
node_port=$((base + 1))
idp="https://127.0.0.1:$idp_port"
node_url="https://127.0.0.1:$node_port"

# The provider's TLS: a test CA (that the node trusts for this provider only)
# and a certificate for 127.0.0.1.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/ca.key" -out "$work/ca.crt" \
  -days 1 -subj "/CN=signalnode test identity provider CA" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/idp.key" -out "$work/idp.csr" \
  -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$work/ext"
openssl x509 -req -in "$work/idp.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -out "$work/idp.crt" \
  -days 1 -extfile "$work/ext" 2>/dev/null

"$bin" init --dir "$work/n" --org gemeente-test --role municipality --oin 00000001002220647000 \
  --api-port "$node_port" >/dev/null
(umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/n/keys/oidc-client-secret")
cp "$work/ca.crt" "$work/n/tls/oidc-ca.crt"
python3 - "$work/n/node.json" "$idp" "$node_url" <<'PY'
import json, sys
path, idp, node = sys.argv[1:]
c = json.load(open(path))
c.setdefault("auth", {})["oidc"] = {
    "issuer": idp,
    "clientId": "signalnode",
    "clientSecretFile": "keys/oidc-client-secret",
    "redirectUri": node + "/api/v1/session/oidc/callback",
    "postLogoutRedirectUri": node + "/",
    "scopes": ["openid", "profile", "groups"],
    "groupsClaim": "groups",
    "mappings": [
        {"group": "signalnode-beheer", "role": "admin"},
        {"group": "signalnode-handhaving", "role": "officer", "team": "handhaving"},
        {"group": "signalnode-sociaal", "role": "officer", "team": "sociaal"},
    ],
    "algorithms": ["RS256", "PS256", "ES256"],
    "caFile": "tls/oidc-ca.crt",
}
json.dump(c, open(path, "w"), indent=2)
PY
audit_token=$("$bin" token create --dir "$work/n" --role privacy_officer --label oidc-test)
local_password="een lang genoeg wachtwoord"
echo "$local_password" | "$bin" user create --dir "$work/n" --username lokale.beheerder --role officer --password-stdin >/dev/null

node "$here/provider.mjs" "$idp_port" "$work/idp.crt" "$work/idp.key" "$work/n/keys/oidc-client-secret" \
  "$node_url/api/v1/session/oidc/callback" "$node_url/" >"$work/idp.log" 2>&1 &
idp_pid=$!
"$bin" serve --dir "$work/n" >"$work/out" 2>"$work/log" &
node_pid=$!
for _ in $(seq 100); do grep -q 'serving https://' "$work/out" && grep -q "provider $idp" "$work/idp.log" && break; sleep 0.1; done
grep -q 'serving https://' "$work/out" || fail "the node did not start"
grep -q "provider $idp" "$work/idp.log" || fail "the provider did not start: $(cat "$work/idp.log")"

cat "$work/ca.crt" "$work/n/tls/api.crt" >"$work/trust.pem"
NODE_EXTRA_CA_CERTS="$work/trust.pem" node "$here/oidc_flow.mjs" "$node_url" "$idp" "$audit_token" lokale.beheerder \
  "$local_password" || fail "the sign-in flow"
