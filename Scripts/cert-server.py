#!/usr/bin/env python3
"""cert-server: tiny HTTPS server for SNS tests (serves signing certs, answers SubscribeURL, injects faults).

Python 3.11 stdlib only. Listens on 127.0.0.1; `--port 0` picks a free port. When ready it prints
`PORT=<n>` (one line, flushed) on stdout. Every request is logged as one line
`REQ <METHOD> <path?query>` on stdout and, with --log FILE, appended (flushed) to FILE, so tests can
assert exactly what was fetched.

Routes (first match wins):
  GET /?Action=ConfirmSubscription&TopicArn=..&Token=..  -> 200 SNS XML ConfirmSubscriptionResponse
                                                           (SubscriptionArn = TopicArn:<uuid>)
  GET /?Action=Unsubscribe&SubscriptionArn=..            -> 200 SNS XML UnsubscribeResponse
  /status/<code>/...                                     -> that status, small text body
  /slow/<ms>/<rest>                                      -> waits <ms> then serves /<rest>
  /hang/...                                              -> never answers (until --hang-seconds)
  /garbage/...                                           -> 200 with random non-PEM bytes
  /big/<bytes>                                           -> 200 with <bytes> bytes of 'A' (max 64 MiB)
  /redirect?to=<url>                                     -> 302 Location: <url>
  /<file>                                                -> file from --dir (no subfolders, no dotfiles)
Global fault flags (--delay, --hang, --garbage, --status) apply to every request, or only to paths
starting with one of the --fault-path prefixes when any is given.

Examples:
  Scripts/cert-server.py --dir /tmp/pki/www --cert /tmp/pki/server.pem --key /tmp/pki/server.key.pem
  Scripts/cert-server.py --pki /tmp/pki --port 0 --log /tmp/fetches.log --delay 0.5
"""

from __future__ import annotations

import argparse
import os
import secrets
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

MAX_BIG = 64 * 1024 * 1024
_log_lock = threading.Lock()


def confirm_xml(topic_arn: str) -> str:
    return ('<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">\n'
            "  <ConfirmSubscriptionResult>\n"
            f"    <SubscriptionArn>{escape(topic_arn)}:{uuid.uuid4()}</SubscriptionArn>\n"
            "  </ConfirmSubscriptionResult>\n"
            "  <ResponseMetadata>\n"
            f"    <RequestId>{uuid.uuid4()}</RequestId>\n"
            "  </ResponseMetadata>\n"
            "</ConfirmSubscriptionResponse>\n")


def unsubscribe_xml() -> str:
    return ('<UnsubscribeResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">\n'
            f"  <ResponseMetadata>\n    <RequestId>{uuid.uuid4()}</RequestId>\n  </ResponseMetadata>\n"
            "</UnsubscribeResponse>\n")


class Handler(BaseHTTPRequestHandler):
    server_version = "cert-server/1"
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        # TLS handshake here (in the per-connection thread), so one stalled client cannot block accept().
        ctx = self.server.tls_context
        self.request.settimeout(self.server.opts.io_timeout)
        if ctx is not None:
            try:
                self.request = ctx.wrap_socket(self.request, server_side=True)
            except (ssl.SSLError, OSError) as exc:
                self.server.record(f"TLS-ERROR {type(exc).__name__}: {exc}")
                raise
        super().setup()

    def log_message(self, fmt, *args) -> None:  # quiet default access log; we log our own line
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/plain; charset=utf-8",
              extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _hang(self) -> None:
        deadline = time.monotonic() + self.server.opts.hang_seconds
        while time.monotonic() < deadline and not self.server.stopping.is_set():
            time.sleep(0.05)
        self.close_connection = True

    def _faults_apply(self, path: str) -> bool:
        prefixes = self.server.opts.fault_path
        return not prefixes or any(path.startswith(p) for p in prefixes)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if 0 < length <= 1024 * 1024:
            self.rfile.read(length)
        self.do_GET()

    def do_GET(self) -> None:
        o = self.server.opts
        self.server.record(f"REQ {self.command} {self.path}")
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)

        if self._faults_apply(path):
            if o.delay > 0:
                time.sleep(o.delay)
            if o.hang:
                return self._hang()
            if o.status:
                return self._send(o.status, f"forced status {o.status}\n".encode())
            if o.garbage:
                return self._send(200, secrets.token_bytes(512), "application/x-pem-file")

        action = (query.get("Action") or [""])[0]
        if path == "/" and action == "ConfirmSubscription":
            topic = (query.get("TopicArn") or [""])[0]
            token = (query.get("Token") or [""])[0]
            if not topic or not token:
                return self._send(400, b"<ErrorResponse><Error><Code>InvalidParameter</Code></Error></ErrorResponse>\n",
                                  "text/xml")
            return self._send(200, confirm_xml(topic).encode(), "text/xml")
        if path == "/" and action == "Unsubscribe":
            return self._send(200, unsubscribe_xml().encode(), "text/xml")

        segs = [s for s in path.split("/") if s]
        if segs[:1] == ["status"] and len(segs) >= 2 and segs[1].isdigit():
            code = int(segs[1])
            return self._send(code if 200 <= code <= 599 else 500, f"status {code}\n".encode())
        if segs[:1] == ["slow"] and len(segs) >= 3 and segs[1].isdigit():
            time.sleep(min(int(segs[1]), 600_000) / 1000)
            segs = segs[2:]
        elif segs[:1] == ["hang"]:
            return self._hang()
        elif segs[:1] == ["garbage"]:
            return self._send(200, secrets.token_bytes(512), "application/x-pem-file")
        elif segs[:1] == ["big"] and len(segs) == 2 and segs[1].isdigit():
            return self._send(200, b"A" * min(int(segs[1]), MAX_BIG), "application/octet-stream")
        elif path == "/redirect":
            return self._send(302, b"", extra={"Location": (query.get("to") or ["/"])[0]})

        if len(segs) != 1 or segs[0].startswith("."):
            return self._send(404, b"not found\n")
        f = Path(o.dir) / segs[0]
        if not f.is_file():
            return self._send(404, b"not found\n")
        data = f.read_bytes()
        ctype = "application/x-pem-file" if f.suffix == ".pem" else "application/octet-stream"
        self._send(200, data, ctype)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, opts, tls_context):
        self.opts = opts
        self.tls_context = tls_context
        self.stopping = threading.Event()
        self.log_file = open(opts.log, "a", buffering=1) if opts.log else None
        super().__init__(addr, Handler)

    def handle_error(self, request, client_address) -> None:
        # One line instead of a traceback: clients that drop mid-request are normal in fault tests.
        exc = sys.exc_info()[1]
        self.record(f"CONN-ERROR {type(exc).__name__}: {exc}")

    def record(self, line: str) -> None:
        with _log_lock:
            if not self.opts.quiet:
                print(line, flush=True)
            if self.log_file:
                self.log_file.write(line + "\n")
                self.log_file.flush()


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="cert-server.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pki", help="folder from `snsgen.py pki`: defaults --dir PKI/www, --cert/--key PKI/server*.pem")
    p.add_argument("--dir", help="folder whose files are served at /<name>")
    p.add_argument("--cert", help="TLS server certificate PEM")
    p.add_argument("--key", help="TLS server private key PEM")
    p.add_argument("--plain", action="store_true", help="plain HTTP instead of HTTPS")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 = pick a free port (printed as PORT=<n>)")
    p.add_argument("--log", help="append one line per request to this file")
    p.add_argument("--quiet", action="store_true", help="do not echo requests on stdout")
    p.add_argument("--delay", type=float, default=0.0, help="seconds to wait before every answer")
    p.add_argument("--hang", action="store_true", help="never answer (holds the connection --hang-seconds)")
    p.add_argument("--hang-seconds", type=float, default=60.0)
    p.add_argument("--garbage", action="store_true", help="answer 200 with random bytes")
    p.add_argument("--status", type=int, help="answer every request with this status")
    p.add_argument("--fault-path", action="append", help="apply the fault flags only to this path prefix (repeatable)")
    p.add_argument("--io-timeout", type=float, default=30.0, help="socket timeout per connection (seconds)")
    p.add_argument("--exit-after", type=float, help="stop after this many seconds")
    p.add_argument("--watch-stdin", action="store_true", help="exit when stdin reaches EOF (parent died)")
    o = p.parse_args(argv)

    if o.pki:
        o.dir = o.dir or os.path.join(o.pki, "www")
        o.cert = o.cert or os.path.join(o.pki, "server.pem")
        o.key = o.key or os.path.join(o.pki, "server.key.pem")
    if not o.dir or not os.path.isdir(o.dir):
        p.error("--dir (or --pki) must name an existing folder")
    ctx = None
    if not o.plain:
        if not (o.cert and o.key):
            p.error("HTTPS needs --cert and --key (or --pki); use --plain for HTTP")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(o.cert, o.key)

    srv = Server((o.host, o.port), o, ctx)
    print(f"PORT={srv.server_address[1]}", flush=True)

    def stop_later(reason_wait) -> None:
        reason_wait()
        srv.stopping.set()
        srv.shutdown()

    if o.exit_after:
        threading.Thread(target=stop_later, args=(lambda: time.sleep(o.exit_after),), daemon=True).start()
    if o.watch_stdin:
        threading.Thread(target=stop_later, args=(lambda: sys.stdin.buffer.read(),), daemon=True).start()
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stopping.set()
        srv.server_close()


if __name__ == "__main__":
    main()
