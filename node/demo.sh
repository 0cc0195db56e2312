#!/usr/bin/env bash
# The demo: installs what is missing, builds, starts a municipal node with
# example signals from the domain, prints where to look, and stops cleanly on
# Ctrl-C. Options: --port N (default 18443), --dir D (default ./demo-data),
# --no-wait (seed, print, stop: for scripted checks).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
port=18443
demo="$root/demo-data"
wait_for_ctrl_c=1
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --dir) demo=$(realpath -m "$2"); shift 2 ;;
    --no-wait) wait_for_ctrl_c=0; shift ;;
    *) echo "usage: node/demo.sh [--port N] [--dir D] [--no-wait]" >&2; exit 2 ;;
  esac
done

./tests/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target signalnode
bin="$root/build/signalnode"

node_dir="$demo/gemeente-aalsmeer"
rm -rf "$node_dir"
mkdir -p "$demo"
"$bin" init --dir "$node_dir" --org gemeente-aalsmeer --role municipality \
  --oin 00000001002220647000 --api-port "$port" >/dev/null
officer=$("$bin" token create --dir "$node_dir" --role officer --label "demo liaison officer")
analyst=$("$bin" token create --dir "$node_dir" --role analyst --label "demo analyst")
admin=$("$bin" token create --dir "$node_dir" --role admin --label "demo admin")

"$bin" serve --dir "$node_dir" --log-file "$node_dir/logs/node.log" >"$demo/serve.out" 2>&1 &
pid=$!
stop() {
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    wait "$pid" || true
    echo "Node stopped."
  fi
}
trap stop EXIT
trap 'exit 0' INT TERM

for _ in $(seq 100); do
  grep -q 'serving https://' "$demo/serve.out" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$demo/serve.out"; exit 1; }
  sleep 0.1
done
api="https://127.0.0.1:$port"
ca="$node_dir/tls/api.crt"

echo "Submitting example signals:"
for f in node/demo/signals/*.json; do
  printf '  %-32s ' "$(basename "$f")"
  "$bin" submit --api "$api" --ca "$ca" --token "$officer" --file "$f"
done

cat <<INFO

signalnode demo: municipality gemeente-aalsmeer is running.
  API          $api   (certificate: $ca)
  OpenAPI      $api/openapi.json
  Health       $api/healthz      Metrics: $api/metrics
  Log          $node_dir/logs/node.log
  Tokens       officer:  $officer
               analyst:  $analyst
               admin:    $admin

Try:
  curl --cacert $ca -H "Authorization: Bearer $officer" $api/api/v1/signals
  build/signalnode submit --api $api --ca $ca --token $officer --file node/demo/signals/01-overcrowding.json
INFO

if [ $wait_for_ctrl_c = 1 ]; then
  echo "Press Ctrl-C to stop."
  wait "$pid"
fi
