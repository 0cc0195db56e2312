#!/usr/bin/env bash
# A frozen partner with real processes (the review's reproduction): SNF is
# stopped with SIGSTOP, so its listener accepts TCP and never answers. The
# municipality's housing signals must still reach the RIEC, and SIGTERM must
# still stop the municipality's node within its grace period.
set -euo pipefail
bin=${1:?usage: stall_smoke.sh path/to/signalnode}
work=$(mktemp -d)
snf_pid=
cleanup() {
  [ -n "$snf_pid" ] && kill -CONT "$snf_pid" 2>/dev/null || true
  "$bin" demo down --dir "$work/demo" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

base=$((20000 + RANDOM % 12000))  # below the ephemeral range, above the in-process tests' ports
"$bin" demo up --dir "$work/demo" --base-port "$base" >/dev/null || fail "demo up"
ca="$work/demo/ca/ca.crt"
get() { python3 -c "import json,sys; n=[n for n in json.load(open('$work/demo/demo.json'))['nodes'] if n['org']==sys.argv[1]][0]; v=n[sys.argv[2]]; print(v[sys.argv[3]] if len(sys.argv)>3 else v)" "$@"; }
pid_of() { cat "$work/demo/$1/signalnode.pid"; }
count_inbox() {
  python3 - "$ca" "$(get "$1" api)" "$(get "$1" tokens analyst)" <<'PY'
import json, ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[1])
req = urllib.request.Request(sys.argv[2] + "/api/v1/inbox?limit=500", headers={"Authorization": "Bearer " + sys.argv[3]})
print(len(json.load(urllib.request.urlopen(req, context=ctx, timeout=5))["items"]))
PY
}

snf_pid=$(pid_of snf)
kill -STOP "$snf_pid"
signals=3
# housing.overcrowding: the covenant sends it to SNF (frozen) and the RIEC.
"$bin" load --api "$(get gemeente-aalsmeer api)" --ca "$ca" --token "$(get gemeente-aalsmeer tokens officer)" \
  --connections 1 --signals $signals --subjects 4 >"$work/load.out" || { cat "$work/load.out"; fail "load"; }
grep -q "failures: 0" "$work/load.out" || fail "not every signal was accepted"
start=$(date +%s)
riec=0
for _ in $(seq 100); do
  riec=$(count_inbox riec-amsterdam)
  [ "$riec" -ge $signals ] && break
  sleep 0.2
done
[ "$riec" = $signals ] || fail "the RIEC holds $riec of $signals records while SNF is frozen"
echo "the RIEC received $signals records in $(( $(date +%s) - start )) s with SNF frozen"

# SIGTERM while the call to SNF hangs: the node must be gone within 5 s.
muni_pid=$(pid_of gemeente-aalsmeer)
t0=$(date +%s%N)
kill -TERM "$muni_pid"
for _ in $(seq 100); do kill -0 "$muni_pid" 2>/dev/null || break; sleep 0.05; done
kill -0 "$muni_pid" 2>/dev/null && fail "the municipality's node still runs 5 s after SIGTERM"
echo "stall smoke: ok (SIGTERM to exit: $(( ($(date +%s%N) - t0) / 1000000 )) ms with SNF frozen)"
