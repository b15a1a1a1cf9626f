#!/usr/bin/env python3
"""tamper.py BASE - send the simulator one correctly signed request and the
same request spoiled in each way a signature check must catch; print
"VARIANT STATUS ERRORTYPE" per line. Signed with tests/lib/sigv4.py."""
import hashlib
import http.client
import os
import sys
import time
from urllib.parse import urlparse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import sigv4  # noqa: E402

base = urlparse(sys.argv[1])
host = "%s:%d" % (base.hostname, base.port)
KEY, SECRET = "AKIDSIMACCOUNTA00001", "simsecretA"


def send(variant, method="POST", path="/memories/", body=b'{"maxResults":5}', region="us-east-1",
         service="bedrock-agentcore", secret=SECRET, when=None, tamper_body=None, tamper_date=False):
    amz = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(when if when else time.time()))
    headers = [("Host", host), ("X-Amz-Date", amz), ("Content-Type", "application/json"),
               ("x-amz-content-sha256", hashlib.sha256(body).hexdigest())]
    names = [k.lower() for k, _ in headers]
    _, _, sig = sigv4.sign(method, path, "", headers, names, hashlib.sha256(body).hexdigest(),
                           secret, amz, region, service)
    auth = "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, Signature=%s" % (
        KEY, amz[:8], region, service, ";".join(sorted(names)), sig)
    if tamper_body is not None:
        body = tamper_body
        headers = [(k, v) for k, v in headers if k != "x-amz-content-sha256"]
        headers.append(("x-amz-content-sha256", hashlib.sha256(body).hexdigest()))
    if tamper_date:
        headers = [(k, v if k != "X-Amz-Date" else amz[:-3] + "59Z") for k, v in headers]
    c = http.client.HTTPConnection(base.hostname, base.port, timeout=10)
    c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for k, v in headers:
        c.putheader(k, v)
    c.putheader("Authorization", auth)
    c.putheader("Content-Length", str(len(body)))
    c.endheaders(body)
    r = c.getresponse()
    r.read()
    print(variant, r.status, (r.getheader("x-amzn-ErrorType") or "-").rstrip(":"))


send("correct")
send("tampered-body", tamper_body=b'{"maxResults":6}')
send("tampered-date", tamper_date=True)
send("wrong-secret", secret="not-the-secret")
send("wrong-region-scope", region="eu-west-1")
send("wrong-service-scope", service="bedrock")
send("stale", when=time.time() - 3600)
