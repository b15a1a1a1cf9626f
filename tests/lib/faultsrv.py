#!/usr/bin/env python3
"""faultsrv.py - a small HTTP server that misbehaves on request, for testing
adapters/http.c: it answers with chosen statuses, Retry-After headers,
connection resets, truncated bodies, stalls and rate-limit headers, and
records every request so tests can count attempts and check spacing.

    faultsrv.py PORTFILE        listens on 127.0.0.1, a free port written to PORTFILE

Paths (N = how many of the first requests to that path misbehave):
    /ok                         200 {"ok":true}
    /status/CODE                always CODE
    /flaky/N/CODE[?ra=SECS|?ra_ms=MS|?ra_date=1]
                                CODE (with Retry-After) N times, then 200
    /reset/N                    close the connection without answering, N times
    /truncate/N                 promise 1000 bytes, send 10, close; N times
    /stall/N?secs=S             send headers, then nothing for S seconds; N times
    /sleep?ms=MS                answer after MS milliseconds
    /big?bytes=B                a body of B bytes
    /quota                      x-ratelimit-remaining-requests: 0, reset 1s (first), then normal
    /echo-headers               the request headers as JSON
    /close-quietly              200, then the connection is closed without saying so
                                (no "Connection: close"): the client's next request on
                                it meets a reset
    /echo-body[/N]              {"len", "sha256"} of the request body; with N, the
                                first N requests are cut off after the body is read
    /__log                      every request so far: [{"path","t"}]
"""
import json
import socket
import sys
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

LOCK = threading.Lock()
HITS = {}
LOG = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, code, body=b'{"ok":true}', headers=()):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        u = urlparse(self.path)
        q = parse_qs(u.query)
        parts = u.path.strip("/").split("/")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with LOCK:
            key = u.path
            HITS[key] = HITS.get(key, 0) + 1
            hit = HITS[key]
            if parts[0] != "__log":
                LOG.append({"path": u.path, "t": time.time()})
        p0 = parts[0]
        if p0 == "__log":
            with LOCK:
                return self.reply(200, json.dumps(LOG).encode())
        if p0 == "ok":
            return self.reply(200)
        if p0 == "status":
            return self.reply(int(parts[1]), b'{"error":{"message":"status %s, key sk-canaryABCDEFGHIJKLMNOP"}}' % parts[1].encode())
        if p0 == "flaky":
            n, code = int(parts[1]), int(parts[2])
            if hit <= n:
                hdrs = []
                if "ra" in q:
                    hdrs.append(("Retry-After", q["ra"][0]))
                if "ra_ms" in q:
                    hdrs.append(("retry-after-ms", q["ra_ms"][0]))
                if "ra_date" in q:
                    hdrs.append(("Retry-After", formatdate(time.time() + 2, usegmt=True)))
                return self.reply(code, b'{"error":{"message":"try later"}}', hdrs)
            return self.reply(200)
        if p0 == "reset":
            if hit <= int(parts[1]):
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                self.connection.close()
                self.close_connection = True
                return
            return self.reply(200)
        if p0 == "truncate":
            if hit <= int(parts[1]):
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.write(b"0123456789")
                self.wfile.flush()
                self.close_connection = True
                return
            return self.reply(200)
        if p0 == "stall":
            if hit <= int(parts[1]):
                self.send_response(200)
                self.send_header("Content-Length", "100")
                self.end_headers()
                self.wfile.flush()
                time.sleep(float(q.get("secs", ["5"])[0]))
                self.close_connection = True
                return
            return self.reply(200)
        if p0 == "sleep":
            time.sleep(int(q.get("ms", ["100"])[0]) / 1000.0)
            return self.reply(200)
        if p0 == "big":
            return self.reply(200, b"x" * int(q.get("bytes", ["1000"])[0]))
        if p0 == "quota":
            if hit == 1:
                return self.reply(200, headers=[("x-ratelimit-remaining-requests", "0"),
                                                ("x-ratelimit-reset-requests", "1s")])
            return self.reply(200)
        if p0 == "close-quietly":
            self.reply(200)
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if p0 == "echo-body":
            if len(parts) > 1 and hit <= int(parts[1]):
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                self.connection.close()
                self.close_connection = True
                return
            import hashlib
            return self.reply(200, json.dumps({"len": len(body), "sha256": hashlib.sha256(body).hexdigest()}).encode())
        if p0 == "echo-headers":
            return self.reply(200, json.dumps(dict(self.headers)).encode())
        return self.reply(404, b'{"error":{"message":"no such path"}}')

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    srv.serve_forever()


if __name__ == "__main__":
    main()
