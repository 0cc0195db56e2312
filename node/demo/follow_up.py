#!/usr/bin/env python3
"""The next step of the demo scenario (issue 16): the RIEC opens the bundle on
Flex Uitzend BV as a case, asks the labour inspectorate which company is behind
its record (the inspectorate's officer approves, and the RIEC analyst sees the
KvK number), and asks the municipality for contact (its officer accepts, and
the analyst sees whom to call).

usage: follow_up.py DEMO_JSON   (prints each step; exit 1 on a failure or timeout)
"""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demo_api import Demo, wait  # noqa: E402

demo = Demo(sys.argv[1])
call = demo.call


riec, nla, municipality = "riec-amsterdam", "nla", "gemeente-aalsmeer"
# The fictitious RIEC analyst of the demo (demo users carry the same details).
analyst = {"name": "Ahmed El Amrani", "phone": "020 555 0101", "email": "analyst@riec-amsterdam.demo.invalid"}


def inbox_record(source, category):
    items = call(riec, "analyst", "GET", "/api/v1/inbox?limit=500&source=%s&category=%s" % (source, category))["items"]
    return next((r for r in items if any(s["idKind"] == "kvk" for s in r["subjects"])), None)


# 1. The bundle on the agency (a KvK pseudonym reported by several partners) becomes a case.
alert = wait("the RIEC's bundle on the agency", lambda: next(
    (a for a in call(riec, "analyst", "GET", "/api/v1/alerts?kind=bundle")["items"]
     if a["subject"]["idKind"] == "kvk" and "nla" in a["organisations"]), None))
case = call(riec, "analyst", "POST", "/api/v1/cases", {"alertId": alert["id"]})
print("  RIEC opened case %s from the bundle of %s" % (case.get("reference", case["id"]), ", ".join(alert["organisations"])))

# 2. Which company is it? Asked of the inspectorate, under all-to-riec's disclosure.
record = wait("the inspectorate's record at the RIEC", lambda: inbox_record("nla", "labour.underpaid_or_unpaid"))
ask = call(riec, "analyst", "POST", "/api/v1/requests",
           {"type": "details", "recordId": record["id"], "kinds": ["kvk"], "caseId": case["id"],
            "purpose": "Vaststellen welk uitzendbureau achter de gebundelde signalen zit, voor het casusoverleg",
            "reference": case.get("reference", "RIEC-DEMO-1")})
incoming = wait("the request at the inspectorate", lambda: next(
    (r for r in call(nla, "officer", "GET", "/api/v1/requests?direction=incoming")["items"] if r["id"] == ask["id"]), None))
print("  NLA officer sees: %s asks for %s, purpose: %s" % (incoming["requester"]["organisation"],
                                                           ", ".join(incoming["kinds"]), incoming["purpose"]))
call(nla, "officer", "POST", "/api/v1/requests/%s/decision" % ask["id"], {"decision": "approve"})
answer = wait("the answer at the RIEC", lambda: (lambda r: r if r["state"] == "approved" else None)(
    call(riec, "analyst", "GET", "/api/v1/requests/" + ask["id"])))
for d in answer["disclosed"]:
    print("  RIEC analyst sees: %s %s (from nla, signed, sealed at rest)" % (d["idKind"], d["value"]))

# 3. Who at the municipality knows this address? A contact request, accepted by its officer.
record = wait("the municipality's record at the RIEC", lambda: inbox_record("gemeente-aalsmeer", "housing.overcrowding"))
ask = call(riec, "analyst", "POST", "/api/v1/requests",
           {"type": "contact", "recordId": record["id"], "caseId": case["id"], "contact": analyst,
            "purpose": "Afstemmen wie het onderzoek naar de huisvesting op dit adres leidt",
            "reference": case.get("reference", "RIEC-DEMO-1")})
wait("the contact request at the municipality", lambda: any(
    r["id"] == ask["id"] for r in call(municipality, "officer", "GET", "/api/v1/requests?direction=incoming")["items"]))
call(municipality, "officer", "POST", "/api/v1/requests/%s/decision" % ask["id"],
     {"decision": "approve", "contact": {"name": "Sanne de Vries", "phone": "0297 387 575",
                                         "email": "officer@gemeente-aalsmeer.demo.invalid"}})
answer = wait("the contact card at the RIEC", lambda: (lambda r: r if r["state"] == "approved" else None)(
    call(riec, "analyst", "GET", "/api/v1/requests/" + ask["id"])))
c = answer["contact"]
print("  RIEC analyst sees: call %s (%s), %s, %s" % (c["name"], c["organisation"], c["phone"], c["email"]))
