#!/usr/bin/env bash
# Upgrades of the database (issue 23): every released database kept in
# tests/fixtures (release-<version>.snbackup, made by that release's binary
# with tests/fixtures/make_release_fixture.sh) is restored by this binary,
# which migrates it; the node then serves the release's signals with their
# sealed summaries, and `audit verify` passes. A database newer than the
# binary is refused with a clear message and left as it was.
set -euo pipefail
bin=${1:?usage: upgrade_fixture_test.sh path/to/signalnode FIXTURES_DIR}
fixtures=$(cd "${2:?fixtures dir}" && pwd)
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval("d"+sys.argv[2]))' "$1" "$2"; }
user_version() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA user_version").fetchone()[0])' "$1"; }

count=0
for backup in "$fixtures"/release-*.snbackup; do
  [ -f "$backup" ] || fail "no release fixture in $fixtures"
  meta="${backup%.snbackup}.json"
  release=$(field "$meta" '["release"]')
  node="$work/node-$release"
  SIGNALNODE_BACKUP_PASSPHRASE=$(field "$meta" '["passphrase"]') "$bin" restore --in "$backup" --dir "$node" \
    >"$work/restore.out" 2>&1 || fail "release $release: restore failed: $(cat "$work/restore.out")"
  was=$(field "$meta" '["schemaVersion"]')
  now=$(user_version "$node/signalnode.db")
  [ "$now" -ge "$was" ] || fail "release $release: schema $now after the upgrade, was $was"
  "$bin" serve --dir "$node" --port 0 >"$work/out" 2>"$work/log" &
  pid=$!
  for _ in $(seq 100); do grep -q 'serving https://' "$work/out" && break; sleep 0.1; done
  url=$(grep -o 'https://[0-9.:]*' "$work/out") || fail "release $release: the migrated node does not start: $(cat "$work/log")"
  token=$(field "$meta" '["officerToken"]')
  n=$(field "$meta" '["signals"].__len__()')
  for i in $(seq 0 $((n - 1))); do
    id=$(field "$meta" "[\"signals\"][$i][\"id\"]")
    summary=$(field "$meta" "[\"signals\"][$i][\"summary\"]")
    curl -fsS --cacert "$node/tls/api.crt" -H "Authorization: Bearer $token" "$url/api/v1/signals/$id" >"$work/signal.json" ||
      fail "release $release: signal $id is not served"
    grep -qF "$summary" "$work/signal.json" || fail "release $release: signal $id lost its summary: $(cat "$work/signal.json")"
  done
  kill -TERM "$pid"
  wait "$pid" || fail "release $release: the node did not stop cleanly"
  pid=""
  "$bin" audit verify --dir "$node" >"$work/verify" 2>&1 || fail "release $release: audit verify: $(cat "$work/verify")"
  echo "release $release: schema $was -> $now, $n signals served with their summaries, audit verify ok"
  count=$((count + 1))

  # A database newer than this binary: refused at start and by the CLI, unchanged.
  python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA user_version = %d" % (int(sys.argv[2]) + 5)); c.commit()' \
    "$node/signalnode.db" "$now"
  before=$(sha256sum <"$node/signalnode.db")
  if "$bin" serve --dir "$node" --port 0 >/dev/null 2>"$work/newer"; then fail "a newer database was served"; fi
  grep -q "de database heeft schemaversie $((now + 5)), nieuwer dan deze signalnode kent ($now)" "$work/newer" ||
    fail "the refusal of a newer database is unclear: $(cat "$work/newer")"
  grep -q "newer than this signalnode knows" "$work/newer" || fail "the refusal has no English: $(cat "$work/newer")"
  # Commands that open the store refuse it too (audit verify only reads, and may).
  if "$bin" token list --dir "$node" >/dev/null 2>"$work/newer-cli"; then fail "token list opened a newer database"; fi
  grep -q "nieuwer dan deze signalnode kent" "$work/newer-cli" || fail "token list: $(cat "$work/newer-cli")"
  [ "$(sha256sum <"$node/signalnode.db")" = "$before" ] || fail "the refused newer database was changed"
  [ "$(user_version "$node/signalnode.db")" = $((now + 5)) ] || fail "the newer database's version changed"
done
[ "$count" -ge 1 ] || fail "no release fixture"
