#!/usr/bin/env bash
# docs/operations.md "Backup and restore", literally, through the binary: a
# backup while the node serves (0600, no secret without --with-keys), one with
# keys, a wrong passphrase that writes nothing, a restore into a new folder
# with keys/ put back from the keys backup, audit verify, and the restored
# node serving every signal submitted before the backup.
set -euo pipefail
bin=${1:?usage: backup_smoke.sh path/to/signalnode}
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
serve() {  # serve DIR OUT: starts the node, sets pid and url
  "$bin" serve --dir "$1" --port 0 >"$2" 2>"$2.log" &
  pid=$!
  for _ in $(seq 100); do grep -q 'serving https://' "$2" && break; sleep 0.1; done
  url=$(grep -o 'https://[0-9.:]*' "$2") || fail "serve $1 did not start: $(cat "$2.log")"
}
stop() { kill -TERM "$pid"; wait "$pid" || fail "serve did not exit 0"; pid=""; }

mkdir -p "$work/srv" "$work/backup" "$work/offline"
node="$work/srv/signalnode"
"$bin" init --dir "$node" --org gemeente-test --role municipality --oin 00000001002220647000 --api-port 0 >/dev/null
token=$("$bin" token create --dir "$node" --role officer --label smoke)
serve "$node" "$work/out"
cat >"$work/signal.json" <<'JSON'
{"category":"labour.debt_bondage","observedOn":"2026-01-10","subjects":[{"kind":"organisation","kvk":"12345678"}]}
JSON
ids=()
for _ in 1 2 3 4 5; do
  ids+=("$("$bin" submit --api "$url" --ca "$node/tls/api.crt" --token "$token" --file "$work/signal.json" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')")
done
"$bin" load --api "$url" --ca "$node/tls/api.crt" --token "$token" --signals 1000 --connections 4 >/dev/null

# Daily, while the node runs; then the keys, once.
daily="$work/backup/signalnode-$(date +%F).snbackup"
"$bin" backup --dir "$node" --out "$daily" >"$work/backup.out"
grep -q "keys NOT included" "$work/backup.out" || fail "the backup does not say keys are not in it"
echo "measured: $(grep '^backup written' "$work/backup.out")"
[ "$(stat -c %a "$daily")" = 600 ] || fail "the backup is not 0600"
python3 - "$daily" "$node" <<'PY' || fail "a secret is in the backup without --with-keys"
import sys, pathlib
data = pathlib.Path(sys.argv[1]).read_bytes()
node = pathlib.Path(sys.argv[2])
for f in ["keys/data.key", "keys/signing.key"]:
    key = (node / f).read_bytes()
    assert key[:16] not in data, f
pem = (node / "tls/api.key").read_text()
assert pem.splitlines()[1].encode() not in data, "tls/api.key"
assert b'"withKeys":false' in data and b'"secrets":"none' in data
PY
if "$bin" backup --dir "$node" --out "$daily" 2>/dev/null; then fail "a backup wrote over an existing file"; fi
keys="$work/offline/signalnode-keys-$(date +%F).snbackup"
SIGNALNODE_BACKUP_PASSPHRASE='correct horse battery staple' "$bin" backup --dir "$node" --with-keys \
  --out "$keys" >/dev/null
[ "$(stat -c %a "$keys")" = 600 ] || fail "the keys backup is not 0600"
stop

# A wrong passphrase: a clear error, exit 3, nothing written.
if SIGNALNODE_BACKUP_PASSPHRASE='wrong passphrase here' "$bin" restore --in "$keys" --dir "$work/wrong" 2>"$work/err"; then
  fail "a wrong passphrase restored"
fi
grep -q "passphrase does not open" "$work/err" || fail "wrong passphrase message: $(cat "$work/err")"
[ -e "$work/wrong" ] && fail "a wrong passphrase wrote something"
# A damaged file: refused, nothing written.
cp "$daily" "$work/damaged.snbackup"
printf '\xff' | dd of="$work/damaged.snbackup" bs=1 seek=2000 conv=notrunc 2>/dev/null
if "$bin" restore --in "$work/damaged.snbackup" --dir "$work/damaged" 2>/dev/null; then fail "a damaged backup restored"; fi
[ -e "$work/damaged" ] && fail "a damaged backup wrote something"

# The restore, as operations.md writes it (paths under $work).
"$bin" restore --in "$daily" --dir "$node.new" >"$work/restore.out"
grep -q "keys NOT in this backup" "$work/restore.out" || fail "restore does not say keys must come back"
[ "$(stat -c %a "$node.new")" = 700 ] || fail "the restored folder is not 0700"
[ "$(stat -c %a "$node.new/signalnode.db")" = 600 ] || fail "the restored database is not 0600"
for f in node.json tls/api.crt restored.json; do [ -f "$node.new/$f" ] || fail "$f not restored"; done
SIGNALNODE_BACKUP_PASSPHRASE='correct horse battery staple' "$bin" restore --in "$keys" --dir "$work/keys-restore" >/dev/null
cp -a "$work/keys-restore/keys" "$node.new/keys"
cp -a "$work/keys-restore"/tls/*.key "$node.new/tls/"
rm -rf "$work/keys-restore"
[ "$(stat -c %a "$node.new/keys/data.key")" = 600 ] || fail "keys/data.key is not 0600"
[ "$(stat -c %a "$node.new/keys")" = 700 ] || fail "keys/ is not 0700"
"$bin" audit verify --dir "$node.new" >/dev/null || fail "audit verify on the restored node"
mv "$node" "$node.old" && mv "$node.new" "$node"
serve "$node" "$work/out2"
for id in "${ids[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$node/tls/api.crt" -H "Authorization: Bearer $token" \
    "$url/api/v1/signals/$id")
  [ "$code" = 200 ] || fail "signal $id not readable after the restore ($code)"
done
stop
echo "backup smoke ok"
