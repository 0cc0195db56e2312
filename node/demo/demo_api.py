"""What the demo scripts share: the federation from demo.json, calls to a
node's API with a demo token over the demo CA, and waiting for something to
arrive (exit 1 with what timed out)."""
import json
import ssl
import sys
import time
import urllib.error
import urllib.request


class Demo:
    def __init__(self, demo_json):
        demo = json.load(open(demo_json))
        self.nodes = {n["org"]: n for n in demo["nodes"]}
        self.tls = ssl.create_default_context(cafile=demo["caCert"])

    def call(self, org, role, method, path, body=None):
        node = self.nodes[org]
        req = urllib.request.Request(node["api"] + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": "Bearer " + node["tokens"][role],
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, context=self.tls, timeout=10) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:
            sys.exit("%s %s at %s answered %d: %s" % (method, path, org, e.code, e.read().decode()[:400]))


def wait(what, probe, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.3)
    sys.exit("timed out waiting for " + what)
