#!/usr/bin/env bash
# The CLI contract through the real binary: --version, init (files and modes),
# token create/list/revoke, serve until SIGTERM, submit, and a clean stop.
set -euo pipefail
bin=${1:?usage: cli_smoke.sh path/to/signalnode}
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" --version | grep -q '^signalnode [0-9]' || fail "--version"
"$bin" init --dir "$work/n" --org gemeente-test --role municipality --oin 00000001002220647000 --api-port 0 >/dev/null
for f in keys/data.key keys/signing.key tls/api.key node.json signalnode.db; do
  [ "$(stat -c %a "$work/n/$f")" = 600 ] || fail "$f is not 0600"
done
[ "$(stat -c %a "$work/n/keys")" = 700 ] || fail "keys/ is not 0700"
if "$bin" init --dir "$work/n" --org x --role municipality --oin 00000001002220647000 2>/dev/null; then
  fail "init overwrote an existing node"
fi
if "$bin" init --dir "$work/bad" --org x --role mayor --oin 1 2>/dev/null; then fail "bad role accepted"; fi

token=$("$bin" token create --dir "$work/n" --role officer --label smoke)
[[ "$token" =~ ^snt_[0-9a-f]{16}_[0-9a-f]{64}$ ]] || fail "token format"
"$bin" token list --dir "$work/n" | grep -q officer || fail "token list"
# A lifetime that is not 1 to 3650 days is refused with a clear message, and no token is made.
for days in -1 0 3651; do
  if "$bin" token create --dir "$work/n" --role officer --label bad --expires-days "$days" >"$work/bad" 2>"$work/err"; then
    fail "--expires-days $days accepted"
  fi
  grep -q -- "--expires-days must be a whole number of days from 1 to 3650" "$work/err" || fail "--expires-days $days: $(cat "$work/err")"
  [ -s "$work/bad" ] && fail "--expires-days $days printed a token"
done
"$bin" token list --dir "$work/n" | grep -q " bad" && fail "a refused token was stored"
"$bin" token create --dir "$work/n" --role analyst --label year --expires-days 365 | grep -q '^snt_' || fail "--expires-days 365"
"$bin" token list --dir "$work/n" | grep -q "${token:21}" && fail "token list shows the secret"

# Web accounts: a random password printed once, or one from stdin; rules enforced.
generated=$("$bin" user create --dir "$work/n" --username first.admin --role admin)
[[ "$generated" =~ ^password:\ [0-9a-f]{24}$ ]] || fail "user create prints a random password once: $generated"
echo "a long enough password" | "$bin" user create --dir "$work/n" --username ria.officer --role officer --password-stdin \
  | grep -q . && fail "a password from stdin is not printed"
if echo "short" | "$bin" user create --dir "$work/n" --username x.y.z --role officer --password-stdin 2>/dev/null; then
  fail "short password accepted"
fi
if echo "a long enough password" | "$bin" user create --dir "$work/n" --username ria.officer --role officer \
    --password-stdin 2>/dev/null; then fail "duplicate user accepted"; fi
"$bin" user list --dir "$work/n" | grep -q "^ria.officer  officer" || fail "user list"
"$bin" user list --dir "$work/n" | grep -q argon2 && fail "user list shows a hash"
# An admin lets someone in again, or sets a new password for them; both audited.
"$bin" user unlock --dir "$work/n" --username ria.officer | grep -q "ria.officer can log in again at once" \
  || fail "user unlock"
if "$bin" user unlock --dir "$work/n" --username no.such.user 2>/dev/null; then fail "unlocking an unknown user succeeded"; fi
if "$bin" user unlock --dir "$work/n" 2>/dev/null; then fail "unlock without --username or --address succeeded"; fi
"$bin" user unlock --dir "$work/n" --address 203.0.113.5 | grep -q "203.0.113.5 had no wait" || fail "user unlock --address"
reset=$("$bin" user reset-password --dir "$work/n" --username ria.officer)
[[ "$reset" =~ ^password:\ [0-9a-f]{24}$'\n'"new password set for ria.officer" ]] || fail "reset-password prints a random password once: $reset"
echo "another long password" | "$bin" user reset-password --dir "$work/n" --username ria.officer --password-stdin \
  | grep -q "^password:" && fail "a reset password from stdin is printed"
if echo "short" | "$bin" user reset-password --dir "$work/n" --username ria.officer --password-stdin 2>/dev/null; then
  fail "reset to a short password accepted"
fi
if "$bin" user reset-password --dir "$work/n" --username no.such.user 2>/dev/null >/dev/null; then fail "reset of an unknown user succeeded"; fi
# Break-glass (issue 21): clear an account's second factors on the node itself.
"$bin" user reset-factors --dir "$work/n" --username ria.officer | grep -q "every second factor of ria.officer is cleared" \
  || fail "user reset-factors"
if "$bin" user reset-factors --dir "$work/n" --username no.such.user 2>/dev/null >/dev/null; then fail "reset-factors of an unknown user succeeded"; fi
"$bin" user delete --dir "$work/n" --username ria.officer | grep -q "deleted ria.officer" || fail "user delete"
"$bin" user list --dir "$work/n" | grep -q "^ria.officer" && fail "a deleted user is still listed"
if "$bin" user delete --dir "$work/n" --username ria.officer 2>/dev/null; then fail "deleting twice succeeded"; fi

# The PA's threshold key ceremony: shares only their holders can read, a public key set, no whole key.
"$bin" pa ceremony --out "$work/ceremony" --threshold 2 --holders 3 | grep -q "any 2 evaluate" || fail "pa ceremony"
for i in 1 2 3; do
  [ "$(stat -c %a "$work/ceremony/holder-$i/epoch-0001.share")" = 600 ] || fail "share $i is not 0600"
done
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['threshold']==2 and len(d['shares'])==3" \
  "$work/ceremony/pseudonymisation-epoch-0001.json" || fail "public key set"
[ "$(find "$work/ceremony" -type f | wc -l)" = 4 ] || fail "the ceremony wrote more than three shares and the public set"
if "$bin" pa ceremony --out "$work/ceremony" 2>/dev/null; then fail "an epoch dealt twice"; fi
if "$bin" pa ceremony --out "$work/ceremony2" --threshold 4 --holders 3 2>/dev/null; then fail "t > n accepted"; fi

"$bin" serve --dir "$work/n" --port 0 >"$work/out" 2>"$work/log" &
pid=$!
for _ in $(seq 50); do grep -q 'serving https://' "$work/out" && break; sleep 0.1; done
url=$(grep -o 'https://[0-9.:]*' "$work/out") || fail "serve did not start"
cat >"$work/signal.json" <<'JSON'
{"category":"labour.debt_bondage","observedOn":"2026-01-10","subjects":[{"kind":"organisation","kvk":"12345678"}]}
JSON
"$bin" submit --api "$url" --ca "$work/n/tls/api.crt" --token "$token" --file "$work/signal.json" | grep -q '"id"' \
  || fail "submit"
id=${token:4:16}
"$bin" token revoke --dir "$work/n" --id "$id" >/dev/null
if "$bin" submit --api "$url" --ca "$work/n/tls/api.crt" --token "$token" --file "$work/signal.json" >/dev/null; then
  fail "revoked token still works"
fi
kill -TERM "$pid"
wait "$pid" || fail "serve did not exit 0 on SIGTERM"
pid=""
grep -q '"event":"node.stopped"' "$work/log" || fail "no clean stop in the log"
# A pseudonymisation authority is a node of its own role (issue 15): init makes
# its key 0600; it holds no records, so it answers no subject access; a
# partner role cannot be the PA.
"$bin" init --dir "$work/pa" --org pa-test --role pseudonymisation_authority --oin 00000009000000000001 \
  --api-port 0 --pa >/dev/null
[ "$(stat -c %a "$work/pa/keys/oprf/epoch-0001.key")" = 600 ] || fail "OPRF key is not 0600"
set +e
"$bin" pseudonym --dir "$work/pa" --id-kind bsn --value 123456782 >/dev/null 2>"$work/pa.err"; [ $? = 1 ] || fail "a PA answered subject access"
grep -q "holds no records" "$work/pa.err" || fail "the PA's refusal does not say why"
"$bin" init --dir "$work/riec-pa" --org riec-test --role riec --oin 00000001002220647001 --api-port 0 --pa >/dev/null 2>&1
[ $? != 0 ] || fail "a RIEC was made the PA"
"$bin" pseudonym --dir "$work/n" --id-kind bsn --value 123456782 >/dev/null 2>&1; [ $? = 1 ] || fail "a node outside a federation answered"
set -e
echo "cli smoke: ok"
