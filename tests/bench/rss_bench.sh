#!/usr/bin/env bash
# Resident memory of `signalnode serve` by what it stores (issue 19): a fresh
# node; the same node holding 60,000 own signals (4 subjects each, submitted
# through the API); a node holding 1,000,000 received records (one subject
# pseudonym each, written into the database while the node is stopped, as
# partners' batches would have left them). Each is measured 20 s after start
# (the start's maintenance pass, retention included, has run) and, for the
# stores, once more after 2,000 further signals through the API.
# Usage: tests/bench/rss_bench.sh [build/signalnode]
set -euo pipefail
bin=$(realpath "${1:-build/signalnode}")
work=$(mktemp -d)
pid=""
stop() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; fi; }
trap 'stop; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 12000))
"$bin" init --dir "$work/n" --org gemeente-load --role municipality --oin 00000001002220647000 --api-port "$port" >/dev/null
token=$("$bin" token create --dir "$work/n" --role officer --label load | tail -1)

start() { "$bin" serve --dir "$work/n" --log-file "$work/log" >/dev/null & pid=$!; sleep 20; }
rss() { echo "$1: RSS $(( $(awk '/VmRSS/ {print $2}' "/proc/$pid/status") / 1024 )) MiB," \
             "database $(( $(du -k "$work/n/signalnode.db" | cut -f1) / 1024 )) MiB; load $(cut -d' ' -f1-3 /proc/loadavg)"; }
load() { "$bin" load --api "https://127.0.0.1:$port" --ca "$work/n/tls/api.crt" --token "$token" --connections 8 \
           --signals "$1" --subjects 4 | grep throughput | sed 's/^/  /'; }

start
rss "empty node, idle"
load 60000
rss "after 60,000 signals submitted"
sleep 10
rss "60,000 signals stored, 10 s later"
stop
start
rss "60,000 signals stored, restarted, idle"
load 2000
rss "60,000 signals stored, after 2,000 more"
sleep 10
rss "60,000 signals stored, 10 s later"
stop

python3 - "$work/n/signalnode.db" <<'PY'
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
now = int(time.time() * 1000)
senders = ["nla", "snf", "riec-amsterdam"]
cur = db.cursor()
cur.execute("BEGIN")
for i in range(1_000_000):
    rid = os.urandom(16).hex()
    at = now - 86_400_000 + i * 80
    cur.execute("INSERT INTO inbox (id, sender, sender_role, record_id, category, rule_id, policy_sha256, "
                "received_at_ms, expires_at_ms) VALUES (?, ?, 'labour_inspectorate', ?, 'housing.overcrowding', "
                "'r', '', ?, ?)", (rid, senders[i % 3], rid, at, now + 365 * 86_400_000))
    cur.execute("INSERT INTO inbox_subjects (inbox_id, position, kind, id_kind, pseudonym, sender, received_at_ms) "
                "VALUES (?, 0, 'organisation', 'kvk', ?, ?, ?)", (rid, os.urandom(64), senders[i % 3], at))
db.commit()
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
PY
start
rss "1,000,000 received records stored, idle"
load 2000
rss "1,000,000 received records stored, after 2,000 signals"
sleep 10
rss "1,000,000 received records stored, 10 s later"
