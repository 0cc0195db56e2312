#!/usr/bin/env bash
# The monitoring an operator drops in (packaging/monitoring, issue 23): the
# alert rules pass promtool (or, where Prometheus is not installed, a YAML and
# structure check, said so), the dashboard is valid Grafana JSON, and every
# metric either names is served on /metrics by a real node: a partner node and
# a PA node, each scraped with a metrics token.
set -euo pipefail
bin=${1:?usage: monitoring_test.sh path/to/signalnode SOURCE_DIR}
src=$(cd "${2:?source dir}" && pwd)
rules="$src/packaging/monitoring/signalnode.rules.yml"
dashboard="$src/packaging/monitoring/signalnode-dashboard.json"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

if command -v promtool >/dev/null; then
  promtool check rules "$rules" || fail "promtool rejects the rules"
else
  echo "note: promtool missing (apt-get install prometheus); rules checked as YAML only"
fi
python3 - "$rules" "$dashboard" <<'PY' || fail "the rules or the dashboard are malformed"
import json, sys, yaml
rules = yaml.safe_load(open(sys.argv[1]))
names = set()
for g in rules["groups"]:
    for r in g["rules"]:
        assert r["alert"] not in names, r["alert"]
        names.add(r["alert"])
        assert r["expr"].strip() and r["labels"]["severity"] in ("critical", "warning", "info"), r
        assert r["annotations"]["summary"] and " / " in r["annotations"]["summary"], r["alert"] + ": Dutch / English"
d = json.load(open(sys.argv[2]))
assert d["uid"] == "signalnode" and d["__inputs"][0]["pluginId"] == "prometheus"
ids = [p["id"] for p in d["panels"]]
assert len(ids) == len(set(ids))
for p in d["panels"]:
    if p["type"] != "row":
        assert p["targets"] and all(t["expr"] for t in p["targets"]), p["title"]
print(f"{len(names)} alert rules, {len(ids)} dashboard panels")
PY

start() {  # start NAME ROLE [--pa]: a node, its metrics token, its /metrics
  local dir="$work/$1"
  "$bin" init --dir "$dir" --org "$1" --role "$2" --oin 00000001002220647000 --api-port 0 ${3:-} >/dev/null
  local token
  token=$("$bin" token create --dir "$dir" --role metrics --label prometheus)
  "$bin" serve --dir "$dir" --port 0 >"$dir.out" 2>"$dir.log" &
  pids+=($!)
  for _ in $(seq 100); do grep -q 'serving https://' "$dir.out" && break; sleep 0.1; done
  local url
  url=$(grep -o 'https://[0-9.:]*' "$dir.out") || fail "$1 did not start: $(cat "$dir.log")"
  # The first notifier pass (within seconds of the start) checks the node's own log.
  for _ in $(seq 60); do
    curl -fsS --cacert "$dir/tls/api.crt" -H "Authorization: Bearer $token" "$url/metrics" >"$work/$1.metrics" ||
      fail "$1: /metrics did not answer"
    grep -q '^signalnode_audit_log_verified ' "$work/$1.metrics" && break
    sleep 0.5
  done
}
start gemeente-monitor municipality
start pa-monitor pseudonymisation_authority --pa
cat "$work"/*.metrics >"$work/all.metrics"
python3 - "$work/all.metrics" "$rules" "$dashboard" "$work/gemeente-monitor.metrics" <<'PY' || fail "the monitoring names what the node does not serve"
import re, sys, time
served = set(re.findall(r"^# TYPE (\S+) ", open(sys.argv[1]).read(), re.M))
wanted = set()
for f in sys.argv[2:4]:
    wanted |= set(re.findall(r"\b(signalnode_[a-z_]+)", open(f).read()))
missing = sorted(m for m in wanted if m not in served and re.sub(r"_(bucket|sum|count)$", "", m) not in served)
assert not missing, "not served: " + ", ".join(missing)
node = open(sys.argv[4]).read()
end = float(re.search(r'^signalnode_certificate_not_after_seconds\{certificate="api"\} (\S+)$', node, re.M).group(1))
days = (end - time.time()) / 86400
assert 820 < days < 826, f"the API certificate has {days:.0f} days left, not about 825"
assert re.search(r"^signalnode_audit_log_verified 1$", node, re.M), "the node's own log check is not 1"
print(f"{len(wanted)} metrics named by rules and dashboard, all served; api certificate {days:.0f} days left")
PY
