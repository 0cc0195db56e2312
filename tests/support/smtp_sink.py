#!/usr/bin/python3
"""A real SMTP server for the notification transport tests (aiosmtpd).

Listens on 127.0.0.1:PORT and prints "ready PORT" as its first stdout line
once it accepts connections, so the test waits for that line, not a sleep.
Each accepted message is written to --maildir as one JSON file: envelope
sender, recipients, the raw data, and subject and body as Python's email
package decodes them (an independent reading of what send_mail encoded).

Run with Debian's /usr/bin/python3 (python3-aiosmtpd), not a pyenv python.
"""
import argparse
import email
import email.policy
import json
import os
import signal
import ssl
import threading
import uuid

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, maildir, refuse):
        self.maildir = maildir
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            text = "Try again later" if self.refuse.startswith("4") else "Mailbox unavailable"
            return f"{self.refuse} {text}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "authenticated": bool(getattr(session, "authenticated", False)),
            "tls": session.ssl is not None,
            "data": raw.decode("utf-8", errors="replace"),
            "subject": str(parsed["subject"]),
            "body": parsed.get_content(),
        }
        if self.maildir:
            name = os.path.join(self.maildir, uuid.uuid4().hex)
            with open(name + ".tmp", "w", encoding="utf-8") as out:
                json.dump(record, out)
            os.rename(name + ".tmp", name + ".json")  # readers never see half a file
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--require-starttls", action="store_true")
    parser.add_argument("--auth", help="USER:PASS; AUTH PLAIN/LOGIN required, only after STARTTLS")
    parser.add_argument("--refuse", help="answer every RCPT with this code, e.g. 451 or 550")
    parser.add_argument("--maildir")
    args = parser.parse_args()

    kwargs = {}
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        kwargs["tls_context"] = context
        kwargs["require_starttls"] = args.require_starttls
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
                  and auth_data.password == password.encode())
            return AuthResult(success=ok, handled=False)

        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=True)

    controller = Controller(Handler(args.maildir, args.refuse), hostname="127.0.0.1", port=args.port,
                            decode_data=False, **kwargs)
    controller.start()  # returns once the server answers a connection
    print(f"ready {args.port}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
