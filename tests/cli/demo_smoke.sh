#!/usr/bin/env bash
# `signalnode demo up/down` through the real binary: four partner processes and
# three PA share holders, healthy, demo.json as BRIEF 3.3 and 3.8 fix it, every
# listener chaining to caCert, and the municipality's identifiers pseudonymised
# by two of the three share holders over mTLS.
set -euo pipefail
bin=${1:?usage: demo_smoke.sh path/to/signalnode}
work=$(mktemp -d)
cleanup() { "$bin" demo down --dir "$work/demo" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

base=$((20000 + RANDOM % 12000))  # below the ephemeral range (32768+), above the in-process tests' 10000-19999
# BRIEF 3.10: the demo mails its users through a relay; a real SMTP server
# (aiosmtpd, tests/support/smtp_sink.py) on the port after the demo's.
root=$(cd "$(dirname "$0")/../.." && pwd)
smtp_port=$((base + 40))
mkdir -p "$work/mail"
/usr/bin/python3 "$root/tests/support/smtp_sink.py" --port "$smtp_port" --maildir "$work/mail" >"$work/smtp.out" 2>"$work/smtp.err" &
smtp_pid=$!
cleanup() { "$bin" demo down --dir "$work/demo" >/dev/null 2>&1 || true; kill "$smtp_pid" 2>/dev/null || true; rm -rf "$work"; }
for _ in $(seq 100); do grep -q ready "$work/smtp.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$work/smtp.out" || fail "the SMTP server did not start: $(cat "$work/smtp.err")"
"$bin" demo up --dir "$work/demo" --base-port "$base" --smtp "127.0.0.1:$smtp_port" >/dev/null || fail "demo up"
[ "$(pgrep -fc "serve --dir $work/demo/")" = 9 ] || fail "expected 9 node processes (BRIEF 3.11)"

python3 - "$work/demo/demo.json" <<'PY' || fail "demo.json does not follow BRIEF 3.3"
import json, os, sys
d = json.load(open(sys.argv[1]))
assert os.path.isabs(d["caCert"]) and os.path.exists(d["caCert"])
roles = sorted(n["role"] for n in d["nodes"])
assert roles == ["housing_certifier", "labour_inspectorate"] + ["municipality"] * 2 + ["pseudonymisation_authority"] * 3 + ["riec"] * 2, roles
# BRIEF 3.11: two municipalities in two RIEC regions, both RIECs; every node with its areas.
areas = {n["org"]: n["areas"] for n in d["nodes"]}
assert areas["gemeente-aalsmeer"] == ["GM0358"] and areas["gemeente-westland"] == ["GM1783"], areas
assert "GM0358" in areas["riec-amsterdam"] and len(areas["riec-amsterdam"]) == 6, areas["riec-amsterdam"]
assert "GM1783" in areas["riec-den-haag"] and len(areas["riec-den-haag"]) == 27, areas["riec-den-haag"]
assert areas["nla"] == [] and areas["snf"] == [] and all(n["sendOnly"] is False for n in d["nodes"]), areas
ps = d["pseudonymisation"]
assert ps["epoch"] == 1 and ps["threshold"] == 2 and len(ps["groupPublicKey"]) == 64, ps
pa_orgs = [n["org"] for n in d["nodes"] if n["pseudonymisationAuthority"]]
assert [s["org"] for s in ps["shares"]] == pa_orgs and [s["index"] for s in ps["shares"]] == [1, 2, 3], ps
for s in ps["shares"]:
    assert len(s["publicKey"]) == 64 and s["federation"].startswith("https://127.0.0.1:"), s
for n in d["nodes"]:
    for k in ("org", "role", "oin", "dir", "api", "federation", "tlsCert", "tlsKey", "pseudonymisationAuthority", "tokens"):
        assert k in n, k
    assert len(n["oin"]) == 20 and n["oin"].isdigit()
    assert n["api"].startswith("https://127.0.0.1:") and n["federation"].startswith("https://127.0.0.1:")
    assert os.path.exists(n["tlsCert"]) and os.path.exists(n["tlsKey"])
    assert oct(os.stat(n["tlsKey"]).st_mode & 0o777) == "0o600"
    assert sorted(n["tokens"]) == ["admin", "analyst", "officer", "privacy_officer"]
    assert n["pseudonymisationAuthority"] == (n["role"] == "pseudonymisation_authority")
    for u in n.get("users", {}).values():  # BRIEF 3.10
        assert u["email"] == u["username"] + "@" + n["org"] + ".demo.invalid", u
    assert n["pseudonymisationAuthority"] or len(n["users"]) == 4, n["org"]
PY

ca="$work/demo/ca/ca.crt"
get() { python3 -c "import json,sys; n=[n for n in json.load(open('$work/demo/demo.json'))['nodes'] if n['role']==sys.argv[1]][0]; v=n[sys.argv[2]]; print(v[sys.argv[3]] if len(sys.argv)>3 else v)" "$@"; }
for role in municipality labour_inspectorate housing_certifier riec pseudonymisation_authority; do
  for listener in api federation; do
    url=$(get $role $listener)
    hostport=${url#https://}
    # The federation listener wants a manifest partner's certificate: the node's own.
    echo | openssl s_client -connect "$hostport" -CAfile "$ca" -verify_return_error -brief \
        -cert "$(get $role tlsCert)" -key "$(get $role tlsKey)" 2>&1 \
      | grep -q "Verification: OK" || fail "$role $listener does not chain to caCert"
  done
done

api=$(get municipality api)
cat >"$work/signal.json" <<'JSON'
{"category":"labour.underpaid_or_unpaid","observedOn":"2026-01-10","subjects":[{"kind":"organisation","kvk":"12345678"}]}
JSON
SIGNALNODE_TOKEN=$(get municipality tokens officer) "$bin" submit --api "$api" --ca "$ca" --file "$work/signal.json" >/dev/null \
  || fail "submit at the municipality"
riec_dir=$(get riec dir)
evaluated() { cat "$work"/demo/pa-*/logs/node.log | grep -c '"event":"oprf.evaluated","partner":"gemeente-aalsmeer"' || true; }
for _ in $(seq 100); do [ "$(evaluated)" -ge 2 ] && break; sleep 0.1; done
[ "$(evaluated)" -ge 2 ] || fail "two share holders never evaluated"
! grep -q '"event":"oprf.evaluated"' "$riec_dir/logs/node.log" || fail "the RIEC evaluates: it must not hold a key"

# policy explain: the inspectorate would get the KvK but not the BSN; SNF nothing.
cat >"$work/labour.json" <<'JSON'
{"category":"labour.underpaid_or_unpaid","observedOn":"2026-01-10","subjects":[{"kind":"person","bsn":"123456782"},{"kind":"organisation","kvk":"12345678"}]}
JSON
"$bin" policy explain --dir "$(get municipality dir)" --signal "$work/labour.json" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
p = {x["org"]: x for x in d["partners"]}
assert p["nla"]["shared"] and [s["idKind"] for s in p["nla"]["pseudonyms"]] == ["kvk"], p["nla"]
assert [s["idKind"] for s in p["nla"]["withheld"]] == ["bsn"]
assert not p["snf"]["shared"]
assert p["riec-amsterdam"]["shared"] and p["riec-amsterdam"]["area"]["decision"] == "in-area", p["riec-amsterdam"]
assert not p["riec-den-haag"]["shared"] and p["riec-den-haag"]["area"]["decision"] == "outside-area", p["riec-den-haag"]
' || fail "policy explain"
"$bin" policy check --dir "$(get municipality dir)" | grep -q '^valid: ' || fail "policy check"

# Subject access: each node's pseudonym comes from the share holders over
# mTLS, in its own domain (BRIEF 3.8): the same for the same identifier however
# written, another at another node.
p_nla=$("$bin" pseudonym --dir "$(get labour_inspectorate dir)" --id-kind bsn --value 1234.56.782 2>/dev/null) \
  || fail "pseudonym through the PA"
p_nla2=$("$bin" pseudonym --dir "$(get labour_inspectorate dir)" --id-kind bsn --value 123456782 2>/dev/null)
p_riec=$("$bin" pseudonym --dir "$riec_dir" --id-kind bsn --value 123456782 2>/dev/null)
[[ "$p_nla" =~ ^[0-9a-f]{128}$ ]] && [ "$p_nla" = "$p_nla2" ] || fail "same identifier, different pseudonym at one node"
[[ "$p_riec" =~ ^[0-9a-f]{128}$ ]] && [ "$p_nla" != "$p_riec" ] || fail "two nodes share a pseudonym"
# Subject access in the CLI: the municipality's signal named this KvK; the RIEC received it.
for _ in $(seq 50); do
  "$bin" pseudonym --dir "$riec_dir" --id-kind kvk --value 12345678 --exchanges 2>/dev/null | grep -q '"name":"record.received"' && break
  sleep 0.2
done
"$bin" pseudonym --dir "$riec_dir" --id-kind kvk --value 12345678 --exchanges 2>/dev/null | grep -q '"name":"record.received"' \
  || fail "subject access in the CLI finds no exchange"

# The demo scenario's last step: the RIEC reports back, the municipality sees it.
SIGNALNODE_TOKEN=$(get municipality tokens officer) "$bin" submit --api "$api" --ca "$ca" \
  --file "$root/node/demo/signals/01-overcrowding.json" >/dev/null || fail "submit the overcrowding signal"
python3 "$root/node/demo/feedback.py" "$work/demo/demo.json" | grep -q "riec-amsterdam says investigation_started" \
  || fail "feedback did not reach the municipality"

# The scenario's next step (issue 16): a case at the RIEC, the company's KvK
# number disclosed by the inspectorate's officer, contact from the municipality.
for pair in "labour_inspectorate:nla-underpayment.json" "housing_certifier:snf-below-norm.json"; do
  role=${pair%%:*}
  SIGNALNODE_TOKEN=$(get "$role" tokens officer) "$bin" submit --api "$(get "$role" api)" --ca "$ca" \
    --file "$root/node/demo/partners/${pair#*:}" >/dev/null || fail "submit at $role"
done
python3 "$root/node/demo/follow_up.py" "$work/demo/demo.json" >"$work/follow_up.txt" || { cat "$work/follow_up.txt"; fail "the follow-up step"; }
grep -q "RIEC opened case ZAAK-" "$work/follow_up.txt" || fail "no case opened"
grep -q "RIEC analyst sees: kvk 12345678" "$work/follow_up.txt" || fail "the KvK number was not disclosed"
grep -q "RIEC analyst sees: call Sanne de Vries" "$work/follow_up.txt" || fail "no contact card"
# Canary: after the disclosure the number is nowhere in plain on any node's disk.
if grep -rl --binary-files=text "12345678" "$work/demo" >/dev/null; then
  grep -rl --binary-files=text "12345678" "$work/demo" >&2
  fail "a plain KvK number on disk"
fi

# BRIEF 3.10: the officers heard of the feedback and of the requests to decide,
# the RIEC's analysts of the alerts, at once, through the relay; no mail names
# what it is about.
mailed() { python3 - "$work/mail" "$1" "$2" <<'PY3'
import glob, json, sys
hits = [m for m in map(lambda f: json.load(open(f)), glob.glob(sys.argv[1] + "/*.json"))
        if sys.argv[2] in m["rcpt_tos"] and sys.argv[3] in m["subject"]]
sys.exit(0 if hits else 1)
PY3
}
for _ in $(seq 60); do mailed officer@gemeente-aalsmeer.demo.invalid "terugkoppeling" && break; sleep 0.5; done
mailed officer@gemeente-aalsmeer.demo.invalid "terugkoppeling" || fail "no mail about feedback to the municipality's officer"
for _ in $(seq 60); do mailed analyst@riec-amsterdam.demo.invalid "alert" && break; sleep 0.5; done
mailed analyst@riec-amsterdam.demo.invalid "alert" || fail "no mail about alerts to the RIEC's analyst"
for _ in $(seq 60); do mailed officer@nla.demo.invalid "verzoek" && break; sleep 0.5; done
mailed officer@nla.demo.invalid "verzoek" || fail "no mail about the request to the inspectorate's officer"
if grep -l -e 12345678 -e GM0358 -e labour -e "Flex Uitzend" "$work"/mail/*.json >/dev/null 2>&1; then
  fail "a mail names what it is about"
fi

# The processing record of every node verifies and exports (BRIEF 3.7).
for role in municipality labour_inspectorate housing_certifier riec pseudonymisation_authority; do
  "$bin" audit verify --dir "$(get $role dir)" >/dev/null || fail "audit verify at $role"
done
"$bin" audit export --dir "$riec_dir" --out "$work/riec-audit.jsonl" >/dev/null || fail "audit export"
grep -q '"type":"sth"' "$work/riec-audit.jsonl" || fail "export has no signed tree head"
for pa in pa-een pa-twee pa-drie; do
  "$bin" audit export --dir "$work/demo/$pa" --out "$work/$pa-audit.jsonl" >/dev/null || fail "audit export at $pa"
done
grep -q '"name":"oprf.evaluated"' "$work"/pa-*-audit.jsonl || fail "PA batches are not in the audit log"
"$bin" audit prove --dir "$riec_dir" --index 0 >"$work/inclusion.json" || fail "audit prove"
"$bin" audit check --proof "$work/inclusion.json" >/dev/null || fail "inclusion proof does not check"
"$bin" audit prove --dir "$riec_dir" --from 1 >"$work/consistency.json" || fail "audit prove --from"
"$bin" audit check --proof "$work/consistency.json" >/dev/null || fail "consistency proof does not check"
python3 - "$work/inclusion.json" <<'PY2' || fail "a forged proof passed"
import json, sys
p = json.load(open(sys.argv[1])); p["leafHash"] = "00" * 32; json.dump(p, open(sys.argv[1], "w"))
PY2
if "$bin" audit check --proof "$work/inclusion.json" >/dev/null 2>&1; then fail "a forged proof checked"; fi
"$bin" audit export --dir "$riec_dir" --out "$work/range.jsonl" --from 2000-01-01 --to 2100-01-01 >/dev/null \
  || fail "audit export of a range"
grep -q '"inclusionProof"' "$work/range.jsonl" || fail "range export without inclusion proofs"
"$bin" audit report --dir "$riec_dir" --out "$work/report.csv" >/dev/null || fail "audit report"
head -1 "$work/report.csv" | grep -q '^index,time_utc,event,status,partner,category,rule,legal_basis,purpose,count$' \
  || fail "report header"
grep -q 'record.received' "$work/report.csv" || fail "report rows"

# The demo runs on a signed federation configuration (issue 22): version 1
# in force everywhere; version 2, drafted, signed by a majority of the
# partners' signers and published at the municipality, reaches the other
# nodes over mTLS by itself; a rollback and an outsider's signature are refused.
demo="$work/demo"
"$bin" federation config status --dir "$demo/riec-den-haag" | grep -q "^geldt / in force: versie / version 1," \
  || fail "the demo does not start from a signed configuration"
sed 's/^name = .*/name = "Convenant demo, versie 2"/' "$demo/gemeente-aalsmeer/policy.toml" >"$work/policy-2.toml"
"$bin" federation config draft --previous "$demo/federation-configuration-1.json" --manifest "$demo/gemeente-aalsmeer/manifest.toml" \
  --covenant "$work/policy-2.toml" --out "$work/config-2.json" >/dev/null || fail "config draft"
if "$bin" federation config verify --in "$work/config-2.json" --dir "$demo/nla" >"$work/verify.out" 2>&1; then
  fail "an unsigned draft verified"
fi
grep -q "too_few_signatures" "$work/verify.out" || fail "the unsigned draft was not refused for its signatures: $(cat "$work/verify.out")"
for org in gemeente-aalsmeer nla snf riec-amsterdam; do
  "$bin" federation config sign --in "$work/config-2.json" --key "$demo/signers/$org.key" >/dev/null || fail "config sign by $org"
done
"$bin" federation config verify --in "$work/config-2.json" --dir "$demo/nla" >/dev/null || fail "config verify"
"$bin" federation config keygen --key "$work/outsider.key" >/dev/null 2>&1 || fail "config keygen"
if "$bin" federation config sign --in "$work/config-2.json" --key "$work/outsider.key" --out "$work/x.json" 2>"$work/sign.err"; then
  fail "an outsider signed"
fi
grep -q "unknown_signer" "$work/sign.err" || fail "the outsider was not refused as an unknown signer"
"$bin" federation config publish --in "$work/config-2.json" --dir "$demo/gemeente-aalsmeer" >/dev/null || fail "config publish"
rolled_out() {
  for node_dir in "$demo"/*/; do
    [ -f "$node_dir/node.json" ] || continue
    "$bin" federation config status --dir "$node_dir" | grep -q "^geldt / in force: versie / version 2," || return 1
  done
}
published=$(date +%s)
for _ in $(seq 150); do rolled_out && break; sleep 0.5; done
rolled_out || fail "version 2 did not reach every node within 75 s"
echo "signed configuration version 2 in force at all 9 nodes after $(( $(date +%s) - published )) s"
grep -q 'Convenant demo, versie 2' "$demo/riec-den-haag/policy.toml" || fail "version 2's covenant is not in force"
if "$bin" federation config publish --in "$demo/federation-configuration-1.json" --dir "$demo/riec-den-haag" 2>"$work/rollback.err"; then
  fail "a rollback was published"
fi
grep -q "not_newer" "$work/rollback.err" || fail "the rollback was not refused as not newer"
curl -sf --cacert "$ca" -H "Authorization: Bearer $(get riec tokens admin)" "$(get riec api)/api/v1/federation/configuration" \
  | python3 -c "import json,sys; d=json.load(sys.stdin); assert d['inForce']['version']==2, d" \
  || fail "the admin API does not show version 2 in force"

"$bin" demo down --dir "$work/demo" >/dev/null || fail "demo down"
[ "$(pgrep -fc "serve --dir $work/demo/" || true)" = 0 ] || fail "processes left after demo down"
echo "demo smoke: ok"
