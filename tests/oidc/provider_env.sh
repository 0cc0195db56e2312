# Sourced by run_oidc.sh and tests/e2e/run_e2e.sh: a real OpenID provider
# (provider.mjs, the certified oidc-provider) for a node, over HTTPS with a
# certificate of a CA made here. The node trusts that CA for its provider
# only (auth.oidc.caFile): no http:// issuer, not even on loopback.
oidc_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# oidc_install: oidc-provider from package-lock.json, once.
oidc_install() {
  [ -d "$oidc_here/node_modules/oidc-provider" ] || (cd "$oidc_here" && npm ci --no-audit --no-fund >/dev/null)
}

# oidc_tls DIR: DIR/ca.crt, and DIR/idp.crt + DIR/idp.key for 127.0.0.1.
oidc_tls() {
  local d=$1
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/ca.key" -out "$d/ca.crt" \
    -days 1 -subj "/CN=signalnode test identity provider CA" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/idp.key" -out "$d/idp.csr" \
    -subj "/CN=127.0.0.1" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$d/idp.ext"
  openssl x509 -req -in "$d/idp.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -out "$d/idp.crt" \
    -days 1 -extfile "$d/idp.ext" 2>/dev/null
}

# oidc_configure NODE_DIR TLS_DIR PROVIDER_URL NODE_URL: the client secret
# (0600), the CA, and auth.oidc in node.json with the test's group mapping.
oidc_configure() {
  local n=$1 d=$2 idp=$3 node_url=$4
  (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$n/keys/oidc-client-secret")
  cp "$d/ca.crt" "$n/tls/oidc-ca.crt"
  python3 - "$n/node.json" "$idp" "$node_url" <<'PY'
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
}

# oidc_start PORT TLS_DIR NODE_DIR NODE_URL LOG: the provider in the
# background (its pid in oidc_pid), once it listens.
oidc_start() {
  local port=$1 d=$2 n=$3 node_url=$4 log=$5
  node "$oidc_here/provider.mjs" "$port" "$d/idp.crt" "$d/idp.key" "$n/keys/oidc-client-secret" \
    "$node_url/api/v1/session/oidc/callback" "$node_url/" >"$log" 2>&1 &
  oidc_pid=$!
  for _ in $(seq 100); do grep -q "^provider https://" "$log" && return 0; sleep 0.1; done
  echo "the identity provider did not start: $(cat "$log")" >&2
  return 1
}
