#!/usr/bin/env bash
# Submit throughput and latency through the real API (issue 19), with what the
# server process spent per signal: CPU (utime+stime from /proc/PID/stat),
# bytes through write calls (wchar) and bytes sent towards the disk
# (write_bytes) from /proc/PID/io, and its resident set. A fresh node, the
# load tool (HTTPS keep-alive, TLS 1.3, token, parse, seal, durable commit,
# 201), 4 subjects per signal:
#   1. 8 connections, as fast as the server answers;
#   2. 16 connections at a fixed 2,000 signals/s (latency counted from the
#      scheduled send time).
# The load tool shares the machine's cores with the server.
# Usage: tests/bench/submit_bench.sh [build/signalnode] [signals per run]
set -euo pipefail
bin=$(realpath "${1:-build/signalnode}")
n=${2:-20000}
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$((20000 + RANDOM % 12000))
"$bin" init --dir "$work/n" --org gemeente-load --role municipality --oin 00000001002220647000 --api-port "$port" >/dev/null
token=$("$bin" token create --dir "$work/n" --role officer --label load | tail -1)
"$bin" serve --dir "$work/n" --log-file "$work/log" &
pid=$!
for _ in $(seq 100); do grep -q '"api.listening"\|listening' "$work/log" 2>/dev/null && break; sleep 0.1; done
sleep 2

io() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$pid/io"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
hz=$(getconf CLK_TCK)

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); server RSS idle: $(( $(rss_kb) / 1024 )) MiB"
run() {  # run LABEL ARGS...
  local label=$1; shift
  local w0 d0 c0 w1 d1 c1
  w0=$(io wchar); d0=$(io write_bytes); c0=$(cpu_ticks)
  "$bin" load --api "https://127.0.0.1:$port" --ca "$work/n/tls/api.crt" --token "$token" --signals "$n" --subjects 4 "$@" |
    sed 's/^/  /'
  sleep 1  # the checkpointer's last pass
  w1=$(io wchar); d1=$(io write_bytes); c1=$(cpu_ticks)
  echo "$label: server per signal: CPU $(( (c1 - c0) * 1000000 / hz / n )) us, wchar $(( (w1 - w0) / n )) B," \
       "write_bytes $(( (d1 - d0) / n )) B; RSS $(( $(rss_kb) / 1024 )) MiB; load $(cut -d' ' -f1-3 /proc/loadavg)"
}
run "8 connections, unlimited" --connections 8
run "16 connections, 2,000/s" --connections 16 --rate 2000
echo "database: $(du -k "$work/n/signalnode.db" | cut -f1) KiB for $((2 * n)) signals"
