#!/usr/bin/env python3
"""The last step of the demo scenario: the RIEC analyst reports back on the
municipality's overcrowding signal, and the municipality's officer sees it.

usage: feedback.py DEMO_JSON   (prints what the officer sees; exit 1 on timeout)
"""
import json
import ssl
import sys
import time
import urllib.request

demo = json.load(open(sys.argv[1]))
nodes = {n["org"]: n for n in demo["nodes"]}
tls = ssl.create_default_context(cafile=demo["caCert"])


def call(node, role, method, path, body=None):
    req = urllib.request.Request(node["api"] + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": "Bearer " + node["tokens"][role],
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, context=tls, timeout=10) as r:
        return json.load(r)


def wait(what, probe, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.3)
    sys.exit("timed out waiting for " + what)


riec, municipality = nodes["riec-amsterdam"], nodes["gemeente-aalsmeer"]
record = wait("the municipality's overcrowding record at the RIEC", lambda: next(
    (r for r in call(riec, "analyst", "GET", "/api/v1/inbox?source=gemeente-aalsmeer&category=housing.overcrowding")["items"]),
    None))
call(riec, "analyst", "POST", "/api/v1/inbox/%s/feedback" % record["id"],
     {"status": "investigation_started", "reason": "already_known"})
signals = call(municipality, "officer", "GET", "/api/v1/signals?category=housing.overcrowding")["items"]
signal_id = signals[0]["id"]
feedback = wait("the feedback at the municipality", lambda: call(
    municipality, "officer", "GET", "/api/v1/signals/" + signal_id)["feedback"])
for f in feedback:
    print("  signal %s: %s says %s (%s)" % (signal_id, f["partner"], f["status"], f.get("reason", "-")))
