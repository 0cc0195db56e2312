#!/usr/bin/env bash
# The demo: installs what is missing, builds, starts the demo federation (the
# partners municipality, labour inspectorate, SNF and RIEC, and three
# pseudonymisation authority share holders, any two of which evaluate) as
# separate processes, feeds the municipality example signals from
# the domain, prints where to look, and stops everything on Ctrl-C.
# Options: --base-port N (default 18443), --dir D (default ./demo-data),
# --no-wait (start, seed, print, stop: for scripted checks).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
base_port=18443
demo="$root/demo-data"
wait_for_ctrl_c=1
while [ $# -gt 0 ]; do
  case "$1" in
    --base-port|--port) base_port=$2; shift 2 ;;
    --dir) demo=$(realpath -m "$2"); shift 2 ;;
    --no-wait) wait_for_ctrl_c=0; shift ;;
    *) echo "usage: node/demo.sh [--base-port N] [--dir D] [--no-wait]" >&2; exit 2 ;;
  esac
done

./tests/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target signalnode
bin="$root/build/signalnode"

# A fresh federation each run: stop one left running, then start anew.
if [ -f "$demo/demo.json" ]; then "$bin" demo down --dir "$demo" >/dev/null 2>&1 || true; fi
rm -rf "$demo"
"$bin" demo up --dir "$demo" --base-port "$base_port"
stop() { "$bin" demo down --dir "$demo" || true; }
trap stop EXIT
trap 'exit 0' INT TERM

field() {  # field ORG KEY [SUBKEY]: a value from demo.json
  python3 -c "import json,sys; n=[n for n in json.load(open('$demo/demo.json'))['nodes'] if n['org']==sys.argv[1]][0]; v=n[sys.argv[2]]; print(v[sys.argv[3]] if len(sys.argv)>3 else v)" "$@"
}
ca="$demo/ca/ca.crt"
api=$(field gemeente-aalsmeer api)
officer=$(field gemeente-aalsmeer tokens officer)

echo "Submitting example signals at gemeente-aalsmeer:"
for f in node/demo/signals/*.json; do
  printf '  %-32s ' "$(basename "$f")"
  SIGNALNODE_TOKEN="$officer" "$bin" submit --api "$api" --ca "$ca" --file "$f"
done

# The scenario of the domain: the inspectorate and SNF report the same agency
# and location, so the RIEC sees their pieces fit together.
echo "Submitting partner findings about the same agency and location:"
for pair in "nla:nla-underpayment.json" "snf:snf-below-norm.json"; do
  org=${pair%%:*}; f=node/demo/partners/${pair#*:}
  printf '  %-32s ' "$org $(basename "$f")"
  SIGNALNODE_TOKEN="$(field "$org" tokens officer)" "$bin" submit --api "$(field "$org" api)" --ca "$ca" --file "$f"
done

# The reporter is told what happens with the report: the RIEC analyst sets
# feedback on the municipality's overcrowding record; the officer sees it.
echo "Feedback from the RIEC to gemeente-aalsmeer:"
python3 node/demo/feedback.py "$demo/demo.json"

# From a match to action: the RIEC opens the bundle as a case, asks the
# inspectorate which company it is (approved by its officer), and asks the
# municipality for contact (accepted by its officer).
echo "From a match to action at the RIEC:"
python3 node/demo/follow_up.py "$demo/demo.json"

echo
echo "signalnode demo federation is running (details: $demo/demo.json):"
for org in gemeente-aalsmeer nla snf riec-amsterdam pa-een pa-twee pa-drie; do
  printf '  %-18s API %s   federation %s\n' "$org" "$(field $org api)" "$(field $org federation)"
done
echo
echo "Web interface (the browser will warn about the demo CA; import $demo/ca/ca.crt or accept it):"
python3 - "$demo/demo.json" <<'PY'
import json, sys
demo = json.load(open(sys.argv[1]))
for n in demo["nodes"]:
    print("  %-18s %s/" % (n["org"], n["api"]))
    for role, u in n.get("users", {}).items():
        print("      %-16s user %-16s password %s" % (role, u["username"], u["password"]))
PY
echo "  The officer submits at gemeente-aalsmeer; the analyst and privacy officer of riec-amsterdam"
echo "  see the bundle, set feedback and check the log; the admin creates accounts. The RIEC analyst"
echo "  finds the case under Zaken and the answers under Verzoeken; officers decide under Verzoeken."
echo "  Admins and privacy officers set up a second factor at their first log-in (an authenticator app"
echo "  takes the key shown; passkeys work at https://localhost:<port>/, not at 127.0.0.1)."
cat <<INFO

  CA certificate   $ca
  Officer token    $officer   (gemeente-aalsmeer)
  Logs             $demo/<org>/logs/node.log

Try:
  curl --cacert $ca -H "Authorization: Bearer $officer" $api/api/v1/signals
  curl --cacert $ca -H "Authorization: Bearer $(field gemeente-aalsmeer tokens admin)" $api/metrics | grep pseudonym_queue   # through 2 of the 3 share holders
  grep oprf.evaluated $demo/pa-*/logs/node.log             # the share holders record counts, never identifiers
  curl --cacert $ca -H "Authorization: Bearer $(field riec-amsterdam tokens analyst)" \
       $(field riec-amsterdam api)/api/v1/alerts                # bundles: municipality, NLA and SNF meet on one agency and address
  curl --cacert $ca -H "Authorization: Bearer $officer" "$api/api/v1/signals?category=housing.overcrowding"   # then /api/v1/signals/<id>: sharing per partner and the RIEC's feedback
  build/signalnode audit verify --dir $demo/riec-amsterdam     # the RIEC's processing record verifies
INFO

if [ $wait_for_ctrl_c = 1 ]; then
  echo "Press Ctrl-C to stop the federation."
  while true; do sleep 3600; done
fi
