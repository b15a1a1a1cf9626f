#!/usr/bin/env python3
"""mkarchive.py - write a ferry archive without ferry, from a folder tree.

An independent implementation of formats/SPEC.md (tar with pax headers,
zstd with the end digest frame, manifest and SHA256SUMS computed here), so
tests can build archives that ferry's own writer refuses to produce - a
dangling reference, a wrong version - and check that the reader catches
them for the right reason.

    mkarchive.py OUT DIR [--version V] [--no-digest] [--skip-manifest]

Members are written in the order: ferry.json, then the rest sorted.
Needs the zstd command.
"""
import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import tarfile


def main():
    args = sys.argv[1:]
    out, root = args[0], args[1]
    version = args[args.index("--version") + 1] if "--version" in args else None
    names = []
    for dirpath, _, files in os.walk(root):
        for f in files:
            rel = os.path.relpath(os.path.join(dirpath, f), root)
            if rel not in ("manifest.json", "SHA256SUMS"):
                names.append(rel)
    names.sort(key=lambda n: (n != "ferry.json", n))
    buf = io.BytesIO()
    members = []
    records = {}
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        def add(name, data):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1700000000
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(data))
        for name in names:
            data = open(os.path.join(root, name), "rb").read()
            if name == "ferry.json" and version:
                head = json.loads(data)
                head["version"] = version
                data = (json.dumps(head) + "\n").encode()
            entry = {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            if (name.endswith(".json") or name.endswith(".jsonl")) and not name.startswith("ledger/"):
                count = 0
                for line in data.decode().splitlines() if name.endswith(".jsonl") else [data.decode()]:
                    if line.strip() and name != "ferry.json":
                        kind = json.loads(line)["kind"]
                        records[kind] = records.get(kind, 0) + 1
                        count += 1
                entry["records"] = count
            members.append(entry)
            add(name, data)
        if "--skip-manifest" not in args:
            manifest = {"format": "ferry", "version": version or "1.0", "members": members,
                        "records": records, "secrets": []}
            mdata = (json.dumps(manifest, indent=1) + "\n").encode()
            add("manifest.json", mdata)
            sums = "".join("%s  %s\n" % (m["sha256"], m["name"]) for m in members)
            sums += "%s  manifest.json\n" % hashlib.sha256(mdata).hexdigest()
            add("SHA256SUMS", sums.encode())
    z = subprocess.run(["zstd", "-q", "-c", "--check"], input=buf.getvalue(),
                       capture_output=True, check=True).stdout
    if "--no-digest" not in args:
        z += struct.pack("<II", 0x184D2A5E, 40) + b"FYSHA256" + hashlib.sha256(z).digest()
    open(out, "wb").write(z)


if __name__ == "__main__":
    main()
