#!/usr/bin/env python3
"""leaksrv.py - an HTTP server whose error bodies echo credentials back.

    leaksrv.py PORTFILE     listens on 127.0.0.1, a free port written to PORTFILE

GET /leak/I/FORMAT answers 400 + (I % 4) with a body holding canary I of
canaries.txt as a provider would: FORMAT is json (error.message), message,
description (OAuth error_description), xml (<Message>) or text.
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from secrets import canaries  # noqa: E402  (this folder's secrets.py)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        i, fmt = int(parts[1]), parts[2]
        text = "invalid credential: " + canaries()[i][1]
        body = {
            "json": json.dumps({"error": {"message": text, "type": "invalid_request_error"}}),
            "message": json.dumps({"message": text}),
            "description": json.dumps({"error": "invalid_client", "error_description": text}),
            "xml": "<Error><Code>InvalidAccessKeyId</Code><Message>%s</Message></Error>" % text,
            "text": text,
        }[fmt].encode()
        self.send_response(400 + i % 4)
        self.send_header("Content-Type", "text/xml" if fmt == "xml" else "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    srv.serve_forever()


if __name__ == "__main__":
    main()
