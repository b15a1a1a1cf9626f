#!/usr/bin/env python3
"""cdp.py - load a page in headless Chromium and report what it shows.

    python3 cdp.py PAGE.html SHOT.png > seen.json

Starts Debian's chromium with the flags this machine needs (no sandbox as
root, no background networking, a fresh profile) and talks to it over the
DevTools protocol on a pipe (--remote-debugging-pipe: JSON messages ended
by NUL on fds 3 and 4), so nothing but the standard library is needed.
Prints, for every element with a data-field attribute, its text and
whether it is visible (laid out with a size, not hidden by CSS, inside the
page), grouped by the summary card (data-target) it belongs to; saves a
full-page screenshot.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-pipe", "--window-size=1200,900", "about:blank"]

PROBE = r"""
(() => {
  const seen = (el) => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' &&
           parseFloat(s.opacity) > 0 && r.left >= 0 && r.top + window.scrollY >= 0;
  };
  const out = {cards: [], page: {}};
  for (const card of document.querySelectorAll('.card')) {
    const c = {target: card.dataset.target || null, visible: seen(card), fields: {}};
    for (const f of card.querySelectorAll('[data-field]'))
      c.fields[f.dataset.field] = {text: f.innerText.trim(), visible: seen(f)};
    if (card.dataset.field) c.fields[card.dataset.field] = {text: card.innerText.trim(), visible: seen(card)};
    out.cards.push(c);
  }
  for (const f of document.querySelectorAll('.card > [data-field]'))
    out.page[f.dataset.field] = {text: f.innerText.trim(), visible: seen(f)};
  const svg = document.querySelector('svg#chart');
  out.chart = svg ? {visible: seen(svg), bars: svg.querySelectorAll('rect').length} : null;
  out.tables = document.querySelectorAll('table').length;
  out.height = document.documentElement.scrollHeight;
  return JSON.stringify(out);
})()
"""


class Pipe:
    def __init__(self, proc, wfd, rfd):
        self.proc, self.w, self.r, self.buf, self.next_id = proc, wfd, rfd, b"", 0

    def send(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while time.time() < deadline:
            reply = self.read(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})
        raise TimeoutError(method)

    def read(self, deadline):
        while b"\0" not in self.buf:
            if time.time() > deadline:
                raise TimeoutError("no reply from chromium")
            chunk = os.read(self.r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)


def main():
    page, shot = os.path.abspath(sys.argv[1]), sys.argv[2]
    profile = tempfile.mkdtemp(prefix="ferry-chromium-")
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()

    def fds():
        # copy both ends above 4 first, so that neither dup2 clobbers the other
        a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
        os.dup2(a, 3)
        os.dup2(b, 4)

    proc = subprocess.Popen([CHROMIUM, "--user-data-dir=" + profile] + FLAGS, preexec_fn=fds,
                            close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(to_chrome_r)
    os.close(from_chrome_w)
    cdp = Pipe(proc, to_chrome_w, from_chrome_r)
    try:
        target = cdp.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = cdp.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        cdp.send("Page.enable", session=session)
        cdp.send("Emulation.setDeviceMetricsOverride",
                 {"width": 1200, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session=session)
        cdp.send("Page.navigate", {"url": "file://" + page}, session=session)
        for _ in range(100):
            state = cdp.send("Runtime.evaluate", {"expression": "document.readyState", "returnByValue": True},
                             session=session)["result"].get("value")
            if state == "complete":
                break
            time.sleep(0.1)
        seen = json.loads(cdp.send("Runtime.evaluate", {"expression": PROBE, "returnByValue": True},
                                   session=session)["result"]["value"])
        png = cdp.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                       session=session)["data"]
        with open(shot, "wb") as f:
            f.write(base64.b64decode(png))
        seen["screenshot_bytes"] = os.path.getsize(shot)
        print(json.dumps(seen, indent=1))
        try:
            cdp.send("Browser.close", timeout=5)
        except Exception:
            pass
    finally:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
