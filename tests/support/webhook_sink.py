#!/usr/bin/python3
"""A webhook receiver for the notification transport tests.

Serves HTTP, or HTTPS with --tls-cert/--tls-key, on 127.0.0.1:PORT, answers
every POST with --status after waiting --delay seconds, and writes each
request (path, headers, body) to --out as JSON. Prints "ready PORT" as its
first stdout line once listening.
"""
import argparse
import json
import os
import ssl
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--status", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--out")
    args = parser.parse_args()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if args.out:
                record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                          "body": body.decode("utf-8", errors="replace")}
                with open(args.out + ".tmp", "w", encoding="utf-8") as out:
                    json.dump(record, out)
                os.rename(args.out + ".tmp", args.out)
            time.sleep(args.delay)
            self.send_response(args.status)
            if 300 <= args.status < 400:
                self.send_header("Location", "https://127.0.0.1:1/elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"ready {args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
