#!/usr/bin/env python3
"""sigv4.py - AWS Signature Version 4 in Python, written from the AWS rules
independently of adapters/sigv4.c, so the simulator (awssim.py) can verify
what the C code signs without trusting it.

    sigv4.py suite DIR     this module against the AWS test suite
                           (aws-c-auth tests/aws-signing-test-suite/v4)
    sigv4.py curl DIR      libcurl's signer (curl --aws-sigv4, the same
                           libcurl ferry links) against the same suite: each
                           case is sent to a local capture server and the
                           Authorization header it carried is compared

Both print one line per case and mode, like tests/sigv4-suite:
    CASE MODE canonical=ok|FAIL|n/a sts=ok|FAIL|n/a signature=ok|FAIL|n/a

Rules (IAM User Guide, "Create a signed AWS API request"): the canonical URI
is the path URI-encoded once more for every service but S3 (after removing
dot segments); the canonical query has every name and value decoded and
re-encoded (only A-Z a-z 0-9 - _ . ~ bare) and the pairs sorted; header
names are lower-cased and sorted, values trimmed with inner whitespace
runs collapsed, repeated headers joined with ','.
"""
import hashlib
import hmac
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import quote, unquote_to_bytes

UNRESERVED = "-_.~"


def uri_encode(data, keep_slash):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return quote(data, safe=UNRESERVED + ("/" if keep_slash else ""))


def remove_dot_segments(path):
    out = []
    trailing = path.endswith("/")
    for seg in path.split("/"):
        if seg in ("", "."):
            trailing = trailing or seg == "."
            continue
        if seg == "..":
            if out:
                out.pop()
            trailing = True
            continue
        out.append(seg)
        trailing = False
    if path.endswith("/"):
        trailing = True
    res = "/" + "/".join(out)
    if out and trailing:
        res += "/"
    return res


def canonical_uri(path, s3=False, normalize=True):
    if not path:
        path = "/"
    if s3:
        return path
    if normalize:
        path = remove_dot_segments(path)
    return uri_encode(path, keep_slash=True)


def canonical_query(query):
    if not query:
        return ""
    pairs = []
    for piece in query.split("&"):
        if not piece:
            continue
        k, _, v = piece.partition("=")
        pairs.append((uri_encode(unquote_to_bytes(k), False), uri_encode(unquote_to_bytes(v), False)))
    pairs.sort()
    return "&".join(k + "=" + v for k, v in pairs)


def canonical_headers(headers, names):
    """headers: list of (name, value); names: the lower-case names to sign."""
    joined = {}
    for k, v in headers:
        lk = k.strip().lower()
        if lk not in names:
            continue
        val = " ".join(v.split())
        joined.setdefault(lk, []).append(val)
    out = ""
    for k in sorted(joined):
        out += k + ":" + ",".join(joined[k]) + "\n"
    return out


def signing_key(secret, date8, region, service):
    k = hmac.new(("AWS4" + secret).encode(), date8.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return k


def sign(method, path, query, headers, signed_names, payload_hash, secret, amz_date, region,
         service, s3=False, normalize=True):
    """Returns (canonical_request, string_to_sign, signature)."""
    names = sorted(set(signed_names))
    creq = "\n".join([
        method,
        canonical_uri(path, s3, normalize),
        canonical_query(query),
        canonical_headers(headers, set(names)),
        ";".join(names),
        payload_hash,
    ])
    scope = "%s/%s/%s/aws4_request" % (amz_date[:8], region, service)
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                     hashlib.sha256(creq.encode()).hexdigest()])
    sig = hmac.new(signing_key(secret, amz_date[:8], region, service), sts.encode(),
                   hashlib.sha256).hexdigest()
    return creq, sts, sig


AUTH_RE = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request,\s*"
                     r"SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$")


def verify(method, raw_target, headers, body, secrets, region=None, service=None,
           s3=False, max_skew=900, now=None):
    """Check a signed request as AWS does. headers: list of (name, value).
    secrets: {access_key: secret}. region/service: what the endpoint expects.
    Returns (True, access_key) or (False, (error_code, message))."""
    auth = None
    for k, v in headers:
        if k.lower() == "authorization":
            auth = v.strip()
    if not auth:
        return False, ("MissingAuthenticationTokenException", "Missing Authentication Token")
    m = AUTH_RE.match(auth)
    if not m:
        return False, ("IncompleteSignatureException", "Authorization header is malformed")
    akid, date8, creg, csvc, signed, sig = m.groups()
    if akid not in secrets:
        return False, ("UnrecognizedClientException", "The security token included in the request is invalid.")
    hmap = {}
    for k, v in headers:
        hmap.setdefault(k.lower(), v)
    amz_date = hmap.get("x-amz-date", "")
    if not re.match(r"^\d{8}T\d{6}Z$", amz_date) or amz_date[:8] != date8:
        return False, ("InvalidSignatureException", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s'" % (date8, amz_date[:8]))
    if region and creg != region:
        return False, ("InvalidSignatureException", "Credential should be scoped to a valid region. (%s)" % creg)
    if service and csvc != service:
        return False, ("InvalidSignatureException", "Credential should be scoped to correct service: '%s'." % service)
    names = signed.split(";")
    if "host" not in names:
        return False, ("InvalidSignatureException", "'Host' must be a signed header")
    for n in names:
        if n not in hmap:
            return False, ("InvalidSignatureException", "Signed header '%s' is missing" % n)
    for n in hmap:
        if n.startswith("x-amz-") and n not in names and n != "x-amz-content-sha256-unsigned":
            return False, ("InvalidSignatureException", "Header '%s' is not signed" % n)
    t = time.mktime(time.strptime(amz_date, "%Y%m%dT%H%M%SZ")) - time.timezone
    if now is None:
        now = time.time()
    if abs(now - t) > max_skew:
        return False, ("InvalidSignatureException", "Signature expired: %s is now earlier than ..." % amz_date)
    payload = hashlib.sha256(body or b"").hexdigest()
    declared = hmap.get("x-amz-content-sha256")
    if declared is not None and declared != "UNSIGNED-PAYLOAD" and declared != payload:
        return False, ("InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed.")
    path, _, query = raw_target.partition("?")
    _, _, want = sign(method, path, query, headers, names,
                      declared if declared == "UNSIGNED-PAYLOAD" else payload,
                      secrets[akid], amz_date, creg, csvc, s3)
    if not hmac.compare_digest(want, sig):
        return False, ("InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
    return True, akid


# --- the test suite ---------------------------------------------------------

def parse_request(text):
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    first = lines[0]
    method, _, rest = first.partition(" ")
    target = rest[:rest.rindex(" HTTP/")]
    headers = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:
            k, v = headers[-1]
            headers[-1] = (k, v + "\n" + line)
        elif ":" in line:
            k, _, v = line.partition(":")
            headers.append((k, v))
    return method, target, headers, body.encode()


def read(case, name):
    try:
        with open(os.path.join(case, name), encoding="utf-8") as f:
            return f.read().rstrip("\n")
    except FileNotFoundError:
        return None


def mark(got, want):
    if want is None or got is None:
        return "n/a"
    return "ok" if got == want else "FAIL"


def cases(suite):
    for name in sorted(os.listdir(suite)):
        case = os.path.join(suite, name)
        if os.path.isfile(os.path.join(case, "request.txt")):
            yield name, case


def run_suite(suite):
    bad = 0
    for name, case in cases(suite):
        ctx = json.loads(read(case, "context.json"))
        with open(os.path.join(case, "request.txt"), "rb") as f:
            raw = f.read()
        method, target, headers, _ = parse_request(raw.decode("utf-8"))
        body = raw.partition(b"\n\n")[2]
        cred = ctx["credentials"]
        amz_date = ctx["timestamp"].replace("-", "").replace(":", "")
        headers = list(headers)
        headers.append(("X-Amz-Date", amz_date))
        token = cred.get("token")
        if token and not ctx.get("omit_session_token"):
            headers.append(("X-Amz-Security-Token", token))
        phash = hashlib.sha256(body).hexdigest()
        if ctx.get("sign_body"):
            headers.append(("x-amz-content-sha256", phash))
        path, _, query = target.partition("?")
        names = [k.strip().lower() for k, _ in headers]
        creq, sts, sig = sign(method, path, query, headers, names, phash, cred["secret_access_key"],
                              amz_date, ctx["region"], ctx["service"], normalize=ctx.get("normalize", True))
        line = "%s header canonical=%s sts=%s signature=%s" % (
            name, mark(creq, read(case, "header-canonical-request.txt")),
            mark(sts, read(case, "header-string-to-sign.txt")),
            mark(sig, read(case, "header-signature.txt")))
        bad |= "FAIL" in line
        print(line)
    return 1 if bad else 0


class Capture(BaseHTTPRequestHandler):
    seen = []

    def log_message(self, *a):
        pass

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        Capture.seen.append(self.headers.get("Authorization", ""))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = handle_any


def run_curl(suite):
    """libcurl's signer: send each case with curl --aws-sigv4 and compare."""
    srv = HTTPServer(("127.0.0.1", 0), Capture)
    port = srv.server_address[1]
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    bad = 0
    for name, case in cases(suite):
        ctx = json.loads(read(case, "context.json"))
        with open(os.path.join(case, "request.txt"), "rb") as f:
            raw = f.read()
        method, target, headers, _ = parse_request(raw.decode("utf-8"))
        body = raw.partition(b"\n\n")[2]
        cred = ctx["credentials"]
        amz_date = ctx["timestamp"].replace("-", "").replace(":", "")
        # The request as it goes on the wire: the path and query percent-
        # encoded where a request line must be (spaces, non-ASCII), nothing
        # else changed; --path-as-is so curl does not rewrite dot segments.
        wire = quote(target.encode("utf-8"), safe="/?&=%:@!$'()*+,;-_.~")
        args = ["curl", "-s", "-o", "/dev/null", "--path-as-is", "-X", method,
                "--aws-sigv4", "aws:amz:%s:%s" % (ctx["region"], ctx["service"]),
                "--user", "%s:%s" % (cred["access_key_id"], cred["secret_access_key"]),
                "-H", "X-Amz-Date: " + amz_date]
        for k, v in headers:
            args += ["-H", "%s: %s" % (k, " ".join(v.split()))]
        token = cred.get("token")
        if token and not ctx.get("omit_session_token"):
            args += ["-H", "X-Amz-Security-Token: " + token]
        if ctx.get("sign_body"):
            args += ["-H", "x-amz-content-sha256: " + hashlib.sha256(body).hexdigest()]
        if body:
            args += ["--data-binary", body.decode("utf-8")]
        args.append("http://127.0.0.1:%d%s" % (port, wire))
        Capture.seen.clear()
        rc = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        sig = None
        if rc == 0 and Capture.seen:
            m = re.search(r"Signature=([0-9a-f]{64})", Capture.seen[-1])
            sig = m.group(1) if m else None
        want = read(case, "header-signature.txt")
        if rc != 0:
            line = "%s header canonical=n/a sts=n/a signature=FAIL (curl exit %d)" % (name, rc)
        else:
            line = "%s header canonical=n/a sts=n/a signature=%s" % (name, mark(sig, want) if sig else "FAIL")
        bad |= "FAIL" in line
        print(line)
        if read(case, "query-signature.txt") is not None:
            print("%s query canonical=n/a sts=n/a signature=n/a (libcurl cannot presign)" % name)
    srv.shutdown()
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("suite", "curl"):
        sys.stderr.write("usage: sigv4.py suite|curl DIR\n")
        sys.exit(2)
    sys.exit(run_suite(sys.argv[2]) if sys.argv[1] == "suite" else run_curl(sys.argv[2]))
