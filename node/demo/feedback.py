#!/usr/bin/env python3
"""The last step of the demo scenario: the RIEC analyst reports back on the
municipality's overcrowding signal, and the municipality's officer sees it.

usage: feedback.py DEMO_JSON   (prints what the officer sees; exit 1 on timeout)
"""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demo_api import Demo, wait  # noqa: E402

demo = Demo(sys.argv[1])
call = demo.call


riec, municipality = "riec-amsterdam", "gemeente-aalsmeer"
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
