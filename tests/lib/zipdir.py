#!/usr/bin/env python3
"""zipdir.py DIR ZIP - zip DIR's files the way an export zip holds them.

Names relative to DIR, deflated, every entry with the same fixed time, in
name order: the same folder always gives the same bytes. The tests build
provider export zips from checked-in sample folders with this, so no
binary zip lives in the repository.
"""
import os
import sys
import zipfile

src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(root, f)
            zi = zipfile.ZipInfo(os.path.relpath(p, src), (2025, 1, 2, 3, 4, 6))
            zi.compress_type = zipfile.ZIP_DEFLATED
            with open(p, "rb") as fh:
                z.writestr(zi, fh.read())
