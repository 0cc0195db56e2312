#!/usr/bin/env bash
# Stopping under load with real processes (issue 18). Officers' clients submit
# signals with an Idempotency-Key each over kept-alive connections while
# `signalnode serve` gets SIGTERM, and again while it gets kill -9. After the
# restart every client retries what got no 201 with its key: every 201 is
# stored (its retry replays the same id), no signal stored after SIGTERM was
# left unanswered, and each key's signal is stored exactly once, also across
# kill -9 between a commit and its answer.
set -euo pipefail
bin=${1:?usage: drain_smoke.sh path/to/signalnode}
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" init --dir "$work/n" --org gemeente-test --role municipality --oin 00000001002220647000 --api-port 0 >/dev/null
officer=$("$bin" token create --dir "$work/n" --role officer --label drain)
metrics=$("$bin" token create --dir "$work/n" --role metrics --label drain)

start() {
  : >"$work/out"
  "$bin" serve --dir "$work/n" --port 0 >"$work/out" 2>>"$work/log" &
  pid=$!
  for _ in $(seq 100); do grep -q 'serving https://' "$work/out" && break; sleep 0.1; done
  url=$(grep -o 'https://[0-9.:]*' "$work/out") || fail "serve did not start"
}

# clients.py URL MODE: MODE "load" submits from 6 threads until the node goes
# away and writes the outcomes; "retry" retries every outcome with its key.
cat >"$work/clients.py" <<'PY'
import http.client, json, ssl, sys, threading, time, urllib.parse
url, mode, ca, officer, metrics, outfile = sys.argv[1:7]
u = urllib.parse.urlparse(url)
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False
def conn():
    return http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=20)
def body(n):
    return json.dumps({"category": "housing.overcrowding", "observedOn": "2026-01-10", "persons": 1 + n % 40,
                       "subjects": [{"kind": "address", "postcode": "1431 AB", "houseNumber": 12}]})
def submit(c, key, b):
    c.request("POST", "/api/v1/signals", b, {"Authorization": "Bearer " + officer,
              "Content-Type": "application/json", "Idempotency-Key": key})
    r = c.getresponse()
    return r.status, dict(r.getheaders()), r.read().decode()
if mode == "load":
    outcomes, lock = [], threading.Lock()
    def worker(t):
        c = conn()
        for i in range(100000):
            key, b = f"{sys.argv[7]}-{t}-{i}", body(t * 7 + i)
            o = {"key": key, "body": b, "status": 0}
            try:
                s, h, text = submit(c, key, b)
                o["status"] = s
                o["retryAfter"] = "Retry-After" in h
                if s == 201: o["id"] = json.loads(text)["id"]
            except Exception as e:
                o["error"] = repr(e)
                c.close()
                c = conn()
            with lock: outcomes.append(o)
            if o["status"] != 201:
                # After a 503 the connection is closed; try a new one, and
                # stop once the node refuses connections.
                if o["status"] == 0:
                    try:
                        c2 = conn(); c2.connect(); c2.close()
                    except Exception:
                        return
                time.sleep(0.01)
    threads = [threading.Thread(target=worker, args=(t,)) for t in range(6)]
    for th in threads: th.start()
    for th in threads: th.join()
    json.dump(outcomes, open(outfile, "w"))
else:
    outcomes = json.load(open(outfile))
    c = conn()
    ids, replayed_unanswered, learned, bad = set(), 0, 0, []
    for o in outcomes:
        s, h, text = submit(c, o["key"], o["body"])
        if s != 201:
            bad.append(f"{o['key']}: retry got {s} {text}"); continue
        rid = json.loads(text)["id"]
        replay = h.get("Idempotent-Replayed") == "true"
        if o["status"] == 201 and (not replay or rid != o["id"]):
            bad.append(f"{o['key']}: answered 201 {o['id']} but the retry got {rid} replayed={replay}")
        if o["status"] != 201:
            if replay: replayed_unanswered += 1
            else: learned += 1
        if o["status"] == 503 and not o.get("retryAfter"):
            bad.append(f"{o['key']}: 503 without Retry-After")
        if o["status"] not in (0, 201, 503):
            bad.append(f"{o['key']}: got {o['status']}")
        ids.add(rid)
    c.request("GET", "/metrics", headers={"Authorization": "Bearer " + metrics})
    m = c.getresponse().read().decode()
    stored = [l for l in m.splitlines() if l.startswith("signalnode_signals_stored ")][0].split()[1]
    counts = {s: sum(1 for o in outcomes if o["status"] == s) for s in (0, 201, 503)}
    print(json.dumps({"outcomes": len(outcomes), "answered201": counts[201], "answered503": counts[503],
                      "noAnswer": counts[0], "storedButUnanswered": replayed_unanswered, "learnedByRetry": learned,
                      "distinctIds": len(ids), "stored": int(float(stored)), "problems": bad[:5]}))
PY

run_round() {  # $1: TERM or KILL
  start
  python3 "$work/clients.py" "$url" load "$work/n/tls/api.crt" "$officer" "$metrics" "$work/outcomes-$1.json" "$1" &
  clients=$!
  sleep 1.5
  t0=$(date +%s%N)
  kill -"$1" "$pid"
  wait "$pid" || [ "$1" = KILL ] || fail "serve did not exit 0 on SIGTERM"
  t1=$(date +%s%N)
  pid=""
  wait "$clients" || fail "the clients failed"
  echo "$1: the node was gone $(( (t1 - t0) / 1000000 )) ms after the signal"
  start
  python3 "$work/clients.py" "$url" retry "$work/n/tls/api.crt" "$officer" "$metrics" "$work/outcomes-$1.json" \
    >"$work/result-$1.json"
  cat "$work/result-$1.json"
  kill -TERM "$pid"; wait "$pid"; pid=""
}
check() {  # $1: TERM or KILL, $2: stored before the round
  python3 - "$work/result-$1.json" "$1" "$2" <<'PY' || fail "$1 round"
import json, sys
r, mode, before = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3])
assert not r["problems"], r["problems"]
assert r["answered201"] > 0, "no load"
assert r["stored"] - before == r["distinctIds"], "each key stored exactly once"
assert r["distinctIds"] == r["answered201"] + r["learnedByRetry"] + r["storedButUnanswered"]
if mode == "TERM":
    assert r["storedButUnanswered"] == 0, "a stored signal was left unanswered by a SIGTERM"
PY
}
run_round TERM
check TERM 0
grep -q '"event":"node.drained"' "$work/log" || fail "no node.drained in the log"
before=$(python3 -c "import json;print(json.load(open('$work/result-TERM.json'))['stored'])")
run_round KILL
check KILL "$before"

# A second SIGTERM cuts the grace short: with a 60 s grace and a client that
# holds a request half sent, the first signal waits for it; the second ends
# the wait, and the node still stops cleanly (exit 0, node.grace_cut logged).
python3 - "$work/n/node.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p)); c.setdefault("api", {})["shutdownGraceSeconds"] = 60
json.dump(c, open(p, "w"), indent=2)
PY
start
python3 - "$url" "$work/n/tls/api.crt" "$officer" >"$work/slow.out" 2>&1 <<'PY' &
import socket, ssl, sys, time, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
ctx = ssl.create_default_context(cafile=sys.argv[2]); ctx.check_hostname = False
s = ctx.wrap_socket(socket.create_connection((u.hostname, u.port)))
s.sendall(("POST /api/v1/signals HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + sys.argv[3] +
           "\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"category\":").encode())
time.sleep(30)
PY
slow=$!
sleep 1
t0=$(date +%s%N)
kill -TERM "$pid"
sleep 1
kill -0 "$pid" 2>/dev/null || fail "the first SIGTERM did not wait for the request being read"
kill -TERM "$pid"
wait "$pid" || fail "serve did not exit 0 after a second SIGTERM"
t1=$(date +%s%N)
pid=""
kill "$slow" 2>/dev/null || true
ms=$(( (t1 - t0) / 1000000 ))
echo "second SIGTERM: the node was gone $ms ms after the first signal (grace 60 s)"
[ "$ms" -lt 10000 ] || fail "the second SIGTERM did not cut the grace ($ms ms)"
grep -q '"event":"node.grace_cut"' "$work/log" || fail "no node.grace_cut in the log"
echo "drain_smoke: ok"
