#!/usr/bin/env python3
"""measure.py - run a command, print its wall time and peak memory as JSON.

    measure.py [--stdout FILE] CMD ARG...

Peak RSS comes from wait4() on the command, which covers the process and
the children it waited for (tar's zstd, say). Prints
{"seconds": S, "rss_kb": K, "exit": E}.
"""
import json
import os
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    out = subprocess.DEVNULL
    if args[:1] == ["--stdout"]:
        out = open(args[1], "wb")
        args = args[2:]
    t0 = time.monotonic()
    p = subprocess.Popen(args, stdout=out)
    _, status, ru = os.wait4(p.pid, 0)
    secs = time.monotonic() - t0
    print(json.dumps({"seconds": round(secs, 3), "rss_kb": ru.ru_maxrss,
                      "exit": os.waitstatus_to_exitcode(status)}))


if __name__ == "__main__":
    main()
