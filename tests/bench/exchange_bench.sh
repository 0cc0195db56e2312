#!/usr/bin/env bash
# Node-to-node exchange on the demo federation (real processes, loopback):
#  1. latency: signals at a fixed 100/s; submit-to-delivered per record
#     (the sender's commit of the signal to the receiver's signed receipt);
#  2. throughput: a burst of signals; durable records/s from the sender's
#     outbox into receivers' inboxes.
# Usage: tests/bench/exchange_bench.sh [build/signalnode]. Prints a summary.
set -euo pipefail
bin=${1:-build/signalnode}
work=$(mktemp -d)
cleanup() { "$bin" demo down --dir "$work/demo" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
base=$((20000 + RANDOM % 12000))  # below the ephemeral range (32768+) that free ports come from
"$bin" demo up --dir "$work/demo" --base-port "$base" >/dev/null
ca="$work/demo/ca/ca.crt"
get() { python3 -c "import json,sys; n=[n for n in json.load(open('$work/demo/demo.json'))['nodes'] if n['org']==sys.argv[1]][0]; print(n[sys.argv[2]] if len(sys.argv)<4 else n[sys.argv[2]][sys.argv[3]])" "$@"; }
api=$(get gemeente-aalsmeer api)
token=$(get gemeente-aalsmeer tokens officer)
db="$work/demo/gemeente-aalsmeer/signalnode.db"

wait_drained() {
  python3 - "$db" <<'PY'
import sqlite3, sys, time
for _ in range(1200):
    c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
    pending = c.execute("SELECT (SELECT count(*) FROM signals WHERE share_state='pending') + "
                        "(SELECT count(*) FROM outbox WHERE state='queued')").fetchone()[0]
    c.close()
    if pending == 0:
        break
    time.sleep(0.1)
PY
}

report() {  # report SINCE_MS LABEL
  python3 - "$db" "$1" "$2" <<'PY'
import sqlite3, sys
c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
rows = c.execute("SELECT o.delivered_at_ms - s.created_at_ms, o.delivered_at_ms, s.created_at_ms FROM outbox o "
                 "JOIN signals s ON s.id = o.signal_id WHERE o.state='delivered' AND s.created_at_ms >= ?",
                 (int(sys.argv[2]),)).fetchall()
lat = sorted(r[0] for r in rows)
span = (max(r[1] for r in rows) - min(r[2] for r in rows)) / 1000
pick = lambda p: lat[min(len(lat) - 1, int(p * (len(lat) - 1)))]
print(f"{sys.argv[3]}: {len(lat)} records delivered in {span:.2f} s = {len(lat)/span:.0f} records/s; "
      f"submit-to-delivered ms p50 {pick(0.5)} p90 {pick(0.9)} p99 {pick(0.99)} max {lat[-1]}")
PY
}

now_ms() { python3 -c "import time; print(int(time.time()*1000))"; }

t0=$(now_ms)
"$bin" load --api "$api" --ca "$ca" --token "$token" --connections 4 --signals 2000 --subjects 4 --rate 100 | sed 's/^/  load: /'
wait_drained
report "$t0" "latency run (100 signals/s, 4 subjects, to SNF and the RIEC)"

t1=$(now_ms)
"$bin" load --api "$api" --ca "$ca" --token "$token" --connections 8 --signals 10000 --subjects 0 | sed 's/^/  load: /'
wait_drained
report "$t1" "throughput run (10,000 signals, burst)"
