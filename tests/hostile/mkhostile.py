#!/usr/bin/env python3
"""mkhostile.py - generate the malicious-archive corpus.

    mkhostile.py OUTDIR            the fast cases (about 200, a few MB)
    mkhostile.py --big OUTDIR      the slow-to-generate ones (a million members)

Writes OUTDIR/<category>-<name>.bin and OUTDIR/cases.tsv, one line a case:

    file <TAB> category <TAB> expected exit status <TAB> text the error must contain

Every input must be refused by `ferry import FILE dir:out` and `ferry verify
FILE` with that exit status and a one-line error containing that text
(tests/hostile/run.py checks it, and that nothing is written anywhere).

Nothing here uses ferry: tar headers are written byte by byte (so any field
can be wrong), zstd frames by hand where the attack is in the frame itself
(windows, bombs) and by the zstd command elsewhere, other formats with
Python's own modules. No case depends on the machine.
"""
import bz2
import gzip
import hashlib
import io
import json
import lzma
import os
import struct
import subprocess
import sys
import zipfile

BLOCK = 512
MTIME = 1700000000
HEAD = (b'{"format":"ferry","version":"1.0","producer":"mkhostile","created":"2024-01-01T00:00:00Z",'
        b'"source":{"adapter":"dir"}}\n')
SRC = ',"source":{"adapter":"dir"}'


# --- tar, byte by byte ----------------------------------------------------

def octal(n, width):
    return ("%0*o" % (width - 1, n)).encode() + b"\0"


def header(name, size=0, typeflag=b"0", linkname=b"", mode=0o600, prefix=b"",
           size_field=None, magic=b"ustar\x0000", bad_checksum=False):
    if isinstance(name, str):
        name = name.encode("utf-8", "surrogateescape")
    if isinstance(linkname, str):
        linkname = linkname.encode()
    h = bytearray(BLOCK)
    h[0:100] = name[:100].ljust(100, b"\0")
    h[100:108] = octal(mode, 8)
    h[108:116] = octal(0, 8)
    h[116:124] = octal(0, 8)
    h[124:136] = size_field if size_field is not None else octal(size, 12)
    h[136:148] = octal(MTIME, 12)
    h[148:156] = b" " * 8
    h[156:157] = typeflag
    h[157:257] = linkname[:100].ljust(100, b"\0")
    h[257:265] = magic
    h[329:337] = octal(0, 8)
    h[337:345] = octal(0, 8)
    h[345:500] = prefix[:155].ljust(155, b"\0")
    chk = sum(h) + (1 if bad_checksum else 0)
    h[148:156] = ("%06o" % chk).encode() + b"\0 "
    return bytes(h)


def pad(data):
    return data + b"\0" * (-len(data) % BLOCK)


def member(name, data=b"", **kw):
    return header(name, len(data), **kw) + pad(data)


def pax_record(key, value):
    if isinstance(key, str):
        key = key.encode()
    if isinstance(value, str):
        value = value.encode("utf-8", "surrogateescape")
    body = b" " + key + b"=" + value + b"\n"
    digits = len(str(len(body)))
    while len(str(len(body) + digits)) != digits:
        digits += 1
    return str(len(body) + digits).encode() + body


def pax(records, typeflag=b"x"):
    data = b"".join(pax_record(k, v) for k, v in records)
    return member("PaxHeaders/x", data, typeflag=typeflag)


def gnu_long(name, typeflag=b"L"):
    if isinstance(name, str):
        name = name.encode("utf-8", "surrogateescape")
    return member("././@LongLink", name + b"\0", typeflag=typeflag)


END = b"\0" * (2 * BLOCK)


# --- zstd -------------------------------------------------------------------

def zstd(data, *args):
    return subprocess.run(["zstd", "-q", "-c", "--check"] + list(args), input=data,
                          capture_output=True, check=True).stdout


def digest(z):
    return z + struct.pack("<II", 0x184D2A5E, 40) + b"FYSHA256" + hashlib.sha256(z).digest()


def ferry(tar, *zargs):
    """tar bytes -> a ferry stream (zstd frame with checksum, then the end digest)."""
    return digest(zstd(tar, *zargs))


def frame_header(window_log=17, single_segment=False, content_size=None, checksum=False):
    fhd = 0
    if checksum:
        fhd |= 0x04
    out = bytearray()
    if single_segment:
        fhd |= 0x20 | 0xC0   # 8-byte content size
        out += struct.pack("<I", 0xFD2FB528) + bytes([fhd]) + struct.pack("<Q", content_size)
    else:
        out += struct.pack("<I", 0xFD2FB528) + bytes([fhd, (window_log - 10) << 3])
    return bytes(out)


def block(kind, size, payload, last=False):
    h = (size << 3) | (kind << 1) | (1 if last else 0)
    return struct.pack("<I", h)[:3] + payload


def raw_blocks(data, last=False):
    out = b""
    for i in range(0, len(data), 1 << 17):
        chunk = data[i:i + (1 << 17)]
        out += block(0, len(chunk), chunk, last and i + (1 << 17) >= len(data))
    return out


def rle_blocks(total, byte=b"\0", last=True):
    """total bytes of byte, as RLE blocks of 128 KiB: 4 bytes each."""
    out = bytearray()
    full, rest = divmod(total, 1 << 17)
    one = block(1, 1 << 17, byte)
    for i in range(full):
        out += one if (rest or i < full - 1 or not last) else block(1, 1 << 17, byte, True)
    if rest:
        out += block(1, rest, byte, last)
    return bytes(out)


# --- ferry content ------------------------------------------------------------

def with_manifest(members, leave_out=()):
    """A complete tar (header first) from (name, data) members; leave_out: listed, not stored."""
    recs, listed, counts = b"", [], {}
    for name, data in members:
        entry = {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        if name.endswith(".json") or name.endswith(".jsonl"):
            n = 0
            if name != "ferry.json" and not name.startswith("ledger/"):
                for line in (data.decode().splitlines() if name.endswith(".jsonl") else [data.decode()]):
                    if line.strip():
                        k = json.loads(line)["kind"]
                        counts[k] = counts.get(k, 0) + 1
                        n += 1
            entry["records"] = n
        listed.append(entry)
        if name not in leave_out:
            recs += member(name, data)
    manifest = (json.dumps({"format": "ferry", "version": "1.0", "members": listed,
                            "records": counts, "secrets": []}, indent=1) + "\n").encode()
    sums = "".join("%s  %s\n" % (m["sha256"], m["name"]) for m in listed)
    sums += "%s  manifest.json\n" % hashlib.sha256(manifest).hexdigest()
    return recs + member("manifest.json", manifest) + member("SHA256SUMS", sums.encode()) + END


def one(name, data=b"{}\n", **kw):
    """The header, then one hostile member, then the end: refused at that member."""
    return ferry(member("ferry.json", HEAD) + member(name, data, **kw) + END)


THREAD = ('{"kind":"thread","id":"t1","active_leaf":"m1"%s}\n'
          '{"kind":"message","id":"m1","thread":"t1","parent":null,"role":"user",'
          '"parts":[{"type":"text","text":"hi"}]%s}\n' % (SRC, SRC)).encode()


def record_line(body):
    return ('{"kind":"memory","id":"mem1","scope":{"type":"user"},"type":"fact","text":%s%s}\n'
            % (body, SRC)).encode()


# --- the cases ------------------------------------------------------------------

cases = []


def case(cat, name, data, code, text):
    cases.append((cat, name, data, code, text))


def traversal():
    dot = "'.' or '..' component"
    names = ["..", "../x", "../../x", "x/..", "raw/..", "raw/a/..", "raw/../x", "raw/a/../b",
             "raw/a/../../x", "raw/a/b/../../../x", "./x", "raw/./a", "raw/a/.", ".",
             "raw/a/" + "../" * 12 + "tmp/ferry-hostile-dotdot"]
    for i, n in enumerate(names):
        case("dotdot", "ustar-%02d" % i, one(n), 5, dot)
    for i, n in enumerate(["../x", "raw/a/../../x", "raw/..", "raw/a/./b", "../" * 40 + "x"]):
        case("dotdot", "pax-%02d" % i, ferry(member("ferry.json", HEAD) + pax([("path", n)]) +
                                            member("raw/a/ok", b"{}\n") + END), 5, dot)
    for i, n in enumerate(["../" * 50 + "x", "raw/a/" + "b/" * 40 + "../" * 41 + "x",
                           "raw/" + "a" * 120 + "/../../x"]):
        case("dotdot", "gnulong-%02d" % i, ferry(member("ferry.json", HEAD) + gnu_long(n) +
                                                member("raw/a/ok", b"{}\n") + END), 5, dot)
    case("dotdot", "prefix-dotdot", one("x", prefix=b".."), 5, dot)
    case("dotdot", "prefix-raw-dotdot", one("x", prefix=b"raw/a/../.."), 5, dot)
    case("dotdot", "first-member", ferry(member("../ferry.json", HEAD) + END), 5, dot)


def absolute():
    text = "absolute path"
    for i, n in enumerate(["/x", "/tmp/ferry-hostile-abs", "/etc/passwd", "//x", "///", "/",
                           "/raw/a/x"]):
        case("absolute", "ustar-%02d" % i, one(n), 5, text)
    case("absolute", "pax", ferry(member("ferry.json", HEAD) + pax([("path", "/tmp/ferry-hostile-abs")]) +
                                 member("raw/a/ok", b"{}\n") + END), 5, text)
    case("absolute", "gnulong", ferry(member("ferry.json", HEAD) + gnu_long("/" + "a/" * 60 + "x") +
                                     member("raw/a/ok", b"{}\n") + END), 5, text)
    case("absolute", "prefix", one("ferry-hostile-abs", prefix=b"/tmp"), 5, text)


def slashes():
    for i, n in enumerate(["raw//x", "raw/a//b", "a//", "raw/a/x//"]):
        case("slashes", "empty-%02d" % i, one(n), 5, "empty path component")
    # A trailing slash makes tar readers see a folder.
    for i, n in enumerate(["raw/a/", "raw/a/b/"]):
        case("slashes", "trailing-%02d" % i, one(n), 5, "member")
    case("slashes", "pax-double", ferry(member("ferry.json", HEAD) + pax([("path", "raw//a")]) +
                                       member("raw/a/ok", b"{}\n") + END), 5, "empty path component")


def reserved():
    names = ["raw\\a\\x", "..\\..\\x", "raw/a\\..\\..\\x", "C:\\x", "C:x", "\\\\server\\share\\x",
             "raw/a/x:stream", "raw/a/*", "raw/a/?", 'raw/a/"', "raw/a/<", "raw/a/>", "raw/a/|"]
    for i, n in enumerate(names):
        case("reserved", "char-%02d" % i, one(n), 5, "reserved character")


def links():
    case("links", "symlink-etc", one("raw/a/l", b"", typeflag=b"2", linkname="/etc/passwd"), 5,
         "symbolic link")
    case("links", "symlink-dotdot", one("raw/a/l", b"", typeflag=b"2", linkname="../../x"), 5,
         "symbolic link")
    case("links", "symlink-dot", one("raw/a/l", b"", typeflag=b"2", linkname="."), 5, "symbolic link")
    case("links", "symlink-with-data", one("raw/a/l", b"{}\n", typeflag=b"2", linkname="x"), 5,
         "symbolic link")
    case("links", "hardlink-header", one("raw/a/h", b"", typeflag=b"1", linkname="ferry.json"), 5,
         "hard link")
    case("links", "hardlink-etc", one("raw/a/h", b"", typeflag=b"1", linkname="/etc/passwd"), 5,
         "hard link")
    case("links", "hardlink-dotdot", one("raw/a/h", b"", typeflag=b"1", linkname="../x"), 5,
         "hard link")
    case("links", "pax-linkpath", ferry(member("ferry.json", HEAD) + pax([("linkpath", "/etc/passwd")]) +
                                       member("raw/a/l", b"", typeflag=b"2") + END), 5, "symbolic link")
    case("links", "gnu-longlink", ferry(member("ferry.json", HEAD) + gnu_long("/" + "x/" * 70 + "y", b"K") +
                                       member("raw/a/l", b"", typeflag=b"2") + END), 5, "symbolic link")


def specials():
    text = "not a regular file"
    for tf, nm in ((b"3", "chardev"), (b"4", "blockdev"), (b"6", "fifo"), (b"5", "folder")):
        case("special", nm, one("raw/a/" + nm, b"", typeflag=tf), 5, text)
    case("special", "folder-slash", one("raw/a/", b"", typeflag=b"5"), 5, "member")
    case("special", "chardev-null", one("raw/a/null", b"", typeflag=b"3"), 5, text)
    case("special", "gnu-dumpdir", one("raw/a/d", b"x\0", typeflag=b"D"), 5, text)


def duplicates():
    text = "duplicate member name"
    case("duplicate", "header-twice", ferry(member("ferry.json", HEAD) + member("ferry.json", HEAD) + END),
         5, text)
    case("duplicate", "header-case", ferry(member("ferry.json", HEAD) + member("FERRY.JSON", HEAD) + END),
         5, text)
    case("duplicate", "raw-twice", ferry(member("ferry.json", HEAD) + member("raw/a/x", b"1") +
                                        member("raw/a/x", b"2") + END), 5, text)
    case("duplicate", "raw-case", ferry(member("ferry.json", HEAD) + member("raw/a/x", b"1") +
                                       member("raw/A/X", b"2") + END), 5, text)
    agent = ('{"kind":"agent","id":"a","name":"A"%s}\n' % SRC).encode()
    case("duplicate", "object-twice", ferry(member("ferry.json", HEAD) + member("agents/a.json", agent) +
                                           member("agents/a.json", agent) + END), 5, text)
    agent_b = ('{"kind":"agent","id":"A","name":"A"%s}\n' % SRC).encode()
    case("duplicate", "object-case", ferry(member("ferry.json", HEAD) + member("agents/a.json", agent) +
                                          member("agents/A.json", agent_b) + END), 5, text)
    blob = b"hello"
    hx = hashlib.sha256(blob).hexdigest()
    case("duplicate", "blob-twice", ferry(member("ferry.json", HEAD) + member("blobs/" + hx, blob) +
                                         member("blobs/" + hx, blob) + END), 5, text)
    case("duplicate", "stream-twice", ferry(member("ferry.json", HEAD) + member("threads/000001.jsonl", THREAD) +
                                           member("threads/000001.jsonl", THREAD) + END), 5, text)
    case("duplicate", "sums-case", ferry(member("ferry.json", HEAD) + member("raw/a/SHA256SUMS", b"x") +
                                        member("raw/a/sha256sums", b"y") + END), 5, text)
    case("duplicate", "pax-vs-ustar", ferry(member("ferry.json", HEAD) + member("raw/a/x", b"1") +
                                           pax([("path", "raw/a/X")]) + member("raw/a/other", b"2") + END),
         5, text)


def sizes():
    limit = "more than the limit"
    case("size", "octal-8g", one("raw/a/big", b"", size_field=octal(0o77777777777, 12)), 5, limit)
    case("size", "base256-2e60", one("raw/a/big", b"", size_field=b"\x80" + (1 << 60).to_bytes(11, "big")), 5,
         limit)
    case("size", "just-over-4g", one("raw/a/big", b"", size_field=b"\x80" + ((4 << 30) + 1).to_bytes(11, "big")),
         5, limit)
    case("size", "pax-1e15", ferry(member("ferry.json", HEAD) + pax([("size", "1000000000000000")]) +
                                  member("raw/a/big", b"") + END), 5, limit)
    case("size", "pax-overflow", ferry(member("ferry.json", HEAD) + pax([("size", "9" * 30)]) +
                                      member("raw/a/big", b"") + END), 4, "corrupt archive")
    # Read as size 0, so the data block is taken for the next header.
    case("size", "garbage-field", ferry(member("ferry.json", HEAD) + header("raw/a/x", size_field=b"zzzzzzzzzzz\0") +
                                       pad(b"not a header") + END), 4, "corrupt archive")
    case("size", "negative-base256", one("raw/a/x", b"", size_field=b"\xff" * 12), 4, "negative size")
    case("size", "header-2m", ferry(header("ferry.json", 2 << 20) + b"{" * 4096), 5, "limit")
    case("size", "object-17m", ferry(member("ferry.json", HEAD) + header("agents/a.json", 17 << 20) +
                                    b"{" * 4096), 5, "limit")
    case("size", "manifest-300m", ferry(member("ferry.json", HEAD) + header("manifest.json", 300 << 20) +
                                       b"{" * 4096), 5, "limit")
    # GNU sparse members, every dialect, declaring a petabyte.
    gs = bytearray(header("raw/a/sparse", 3, typeflag=b"S", magic=b"ustar  \0"))
    gs[483:495] = octal(1 << 50, 12)          # realsize
    gs[386:398] = octal((1 << 50) - 512, 12)  # sp[0].offset
    gs[398:410] = octal(3, 12)                # sp[0].numbytes
    chk = sum(gs[:148]) + 8 * 32 + sum(gs[156:])
    gs[148:156] = ("%06o" % chk).encode() + b"\0 "
    case("size", "gnu-sparse-old", ferry(member("ferry.json", HEAD) + bytes(gs) + pad(b"{}\n") + END), 5, "sparse")
    case("size", "gnu-sparse-0.0", ferry(member("ferry.json", HEAD) + pax([
        ("GNU.sparse.size", str(1 << 50)), ("GNU.sparse.numblocks", "1"),
        ("GNU.sparse.offset", str((1 << 50) - 512)), ("GNU.sparse.numbytes", "3")]) +
        member("raw/a/sparse", b"{}\n") + END), 5, "sparse")
    case("size", "gnu-sparse-0.1", ferry(member("ferry.json", HEAD) + pax([
        ("GNU.sparse.size", str(1 << 50)), ("GNU.sparse.numblocks", "1"),
        ("GNU.sparse.map", "%d,3" % ((1 << 50) - 512))]) + member("raw/a/sparse", b"{}\n") + END), 5, "sparse")
    case("size", "gnu-sparse-1.0", ferry(member("ferry.json", HEAD) + pax([
        ("GNU.sparse.major", "1"), ("GNU.sparse.minor", "0"), ("GNU.sparse.name", "raw/a/sparse"),
        ("GNU.sparse.realsize", str(1 << 50))]) +
        member("raw/a/GNUSparseFile.0/sparse", pad(b"1\n%d\n3\n" % ((1 << 50) - 512)) + b"{}\n") + END),
        5, "sparse")


def zstd_attacks():
    tar = member("ferry.json", HEAD) + member("raw/a/x", b"{}\n") + END
    window = "window larger than the limit"
    for wl in (28, 29, 30, 31):
        case("zstd", "window-%d" % wl, digest(frame_header(wl) + raw_blocks(tar, last=True)), 5, window)
    case("zstd", "cli-long-28", digest(zstd(tar + b"\0" * (1 << 20), "--long=28", "--zstd=wlog=28")), 5, window)
    case("zstd", "cli-long-30", digest(zstd(tar, "--long=30", "--zstd=wlog=30")), 5, window)
    case("zstd", "single-segment-1t", digest(frame_header(single_segment=True, content_size=1 << 40) +
                                             raw_blocks(tar, last=True)), 5, window)
    bomb = "decompression bomb"
    # 4 GiB - 1 of zeros inside a member the size limit allows (128 KiB of input).
    big = (4 << 30) - 1
    h = member("ferry.json", HEAD) + header("raw/a/bomb", big)
    case("zstd", "bomb-member", digest(frame_header() + raw_blocks(h) + rle_blocks(big)), 5, bomb)
    hx = "0" * 64
    h = member("ferry.json", HEAD) + header("blobs/" + hx, big)
    case("zstd", "bomb-blob", digest(frame_header() + raw_blocks(h) + rle_blocks(big)), 5, bomb)
    # 64 GiB of zeros after the end-of-archive marker (2 MiB of input).
    case("zstd", "bomb-tail", digest(frame_header() + raw_blocks(tar) + rle_blocks(64 << 30)), 5, bomb)
    # A JSON Lines member of spaces: a 16 MiB line the record limit stops.
    h = member("ferry.json", HEAD) + header("memory/000001.jsonl", 1 << 30)
    case("zstd", "bomb-line", digest(frame_header() + raw_blocks(h) + rle_blocks(1 << 30, b" ")), 5, "limit")
    # Many small frames: work per frame, not per byte.
    frames = b"".join(frame_header() + block(1, 512, b"\0", True) for _ in range(100000))
    case("zstd", "frame-flood", digest(zstd(member("ferry.json", HEAD)) + frames), 4, "no manifest.json")
    # A skippable frame that claims 4 GiB swallows the rest of the stream.
    case("zstd", "skippable-4g", digest(zstd(tar) + struct.pack("<II", 0x184D2A50, 0xFFFFFFF0) + b"x" * 64),
         4, "truncated")
    case("zstd", "dictionary-frame", digest(struct.pack("<I", 0xFD2FB528) + bytes([0x01, 7 << 3, 0x2A]) +
                                            raw_blocks(tar, last=True)), 4, "corrupt archive")
    case("zstd", "reserved-bit", digest(struct.pack("<I", 0xFD2FB528) + bytes([0x08, 7 << 3]) +
                                        raw_blocks(tar, last=True)), 4, "corrupt archive")
    case("zstd", "bad-checksum", digest(bytearray(zstd(tar))[:-4] + b"\0\0\0\0"), 4, "corrupt archive")
    case("zstd", "reserved-block", digest(frame_header() + block(3, 10, b"x" * 10, True)), 4, "corrupt archive")


def many_members(out_path):
    """A million empty members (raw/m/NNNNNNN) after a valid header, then the end."""
    with open(out_path + ".tmp", "wb") as f:
        p = subprocess.Popen(["zstd", "-q", "-c", "--check", "-1"], stdin=subprocess.PIPE, stdout=f)
        w = p.stdin
        w.write(member("ferry.json", HEAD))
        base = bytearray(header("raw/m/0000000", 0))
        for i in range(1000000):
            name = b"raw/m/%07d" % i
            h = bytearray(base)
            h[0:len(name)] = name
            h[148:156] = b" " * 8
            h[148:156] = ("%06o" % sum(h)).encode() + b"\0 "
            w.write(h)
        w.write(END)
        w.close()
        p.wait()
    z = open(out_path + ".tmp", "rb").read()
    open(out_path, "wb").write(digest(z))
    os.unlink(out_path + ".tmp")


def long_names():
    text = "longer than 255 bytes"
    for n in (256, 4096, 65536):
        case("longname", "pax-%d" % n, ferry(member("ferry.json", HEAD) + pax([("path", "raw/a/" + "x" * (n - 6))]) +
                                            member("raw/a/ok", b"{}\n") + END), 5, text)
    case("longname", "gnu-1m", ferry(member("ferry.json", HEAD) + gnu_long("raw/a/" + "y" * (1 << 20)) +
                                    member("raw/a/ok", b"{}\n") + END), 4, "header too large")
    case("longname", "pax-record-2m", ferry(member("ferry.json", HEAD) + pax([("comment", "z" * (2 << 20))]) +
                                           member("raw/a/ok", b"{}\n") + END), 4, "header too large")
    recs = [("ferry.k%d" % i, "v") for i in range(100000)]
    case("longname", "pax-100k-records", ferry(member("ferry.json", HEAD) + pax(recs) +
                                              member("raw/a/ok", b"{}\n") + END), 4, "header too large")
    bad = member("PaxHeaders/x", b"99999999999 path=raw/a/x\n", typeflag=b"x")
    case("longname", "pax-bad-length", ferry(member("ferry.json", HEAD) + bad + member("raw/a/ok", b"{}\n") + END),
         4, "corrupt archive")
    bad = member("PaxHeaders/x", b"0 path=x\n", typeflag=b"x")
    case("longname", "pax-zero-length", ferry(member("ferry.json", HEAD) + bad + member("raw/a/ok", b"{}\n") + END),
         4, "corrupt archive")
    case("longname", "ustar-prefix-long", one("x" * 100, prefix=b"raw/" + b"p" * 151), 5, text)


def truncated():
    full = with_manifest([("ferry.json", HEAD), ("threads/000001.jsonl", THREAD)])
    z = zstd(full)
    whole = digest(z)
    for frac in (10, 50, 90):
        case("truncated", "zstd-%d%%" % frac, whole[:len(z) * frac // 100], 4, "truncated")
    case("truncated", "no-digest", z, 4, "truncated")
    case("truncated", "half-digest", whole[:len(z) + 20], 4, "truncated")
    case("truncated", "digest-only-magic", z + struct.pack("<I", 0x184D2A5E), 4, "truncated")
    case("truncated", "tar-mid-header", ferry(full[:BLOCK + 100]), 4, "Truncated tar archive")
    case("truncated", "tar-mid-data", ferry(member("ferry.json", HEAD) + header("raw/a/x", 5000) + b"x" * 100),
         4, "truncated")
    case("truncated", "tar-no-end", ferry(full[:-2 * BLOCK - 3 * BLOCK]), 4, "Truncated tar archive")
    case("truncated", "header-only", ferry(member("ferry.json", HEAD)), 4, "no manifest.json")
    case("truncated", "bad-header-checksum", ferry(member("ferry.json", HEAD) +
                                                  member("raw/a/x", b"1", bad_checksum=True) + END), 4,
         "Damaged tar archive")
    case("truncated", "empty-zstd-frame", digest(zstd(b"")), 9, "not a tar stream")


def trailing():
    full = with_manifest([("ferry.json", HEAD), ("threads/000001.jsonl", THREAD)])
    good = ferry(full)
    case("trailing", "after-digest", good + b"GARBAGE", 4, "trailing")
    case("trailing", "zeros-after-digest", good + b"\0" * 4096, 4, "trailing")
    case("trailing", "second-digest", good + good[-48:], 4, "trailing")
    z = zstd(full)
    case("trailing", "between-frame-and-digest", digest(z + b"junk"), 4, "trailing")
    case("trailing", "after-tar-end", ferry(full + b"\1" * 10), 4, "trailing")
    case("trailing", "second-tar", ferry(full + member("ferry.json", HEAD) + END), 4, "trailing")
    case("trailing", "second-frame-garbage", digest(z + zstd(b"\1" * 100)), 4, "trailing")


def other_formats():
    text = "not a ferry archive"
    tar = member("ferry.json", HEAD) + END
    zb = io.BytesIO()
    with zipfile.ZipFile(zb, "w") as zf:
        zf.writestr("ferry.json", HEAD)
    cpio = (b"070701" + b"%08X" % 1 + b"%08X" % 0o100644 + b"0" * 8 * 4 + b"%08X" % len(HEAD) +
            b"0" * 8 * 4 + b"%08X" % 11 + b"0" * 8 + b"ferry.json\0")
    cpio = cpio + b"\0" * (-len(cpio) % 4) + HEAD
    fmts = {
        "zip": zb.getvalue(),
        "tar-gz": gzip.compress(tar),
        "tar-xz": lzma.compress(tar),
        "tar-bz2": bz2.compress(tar),
        "plain-tar": tar,
        "7z": b"7z\xbc\xaf\x27\x1c\0\x04" + b"\0" * 24,
        "rar": b"Rar!\x1a\x07\x01\0" + b"\0" * 24,
        "cpio": cpio,
        "empty": b"",
        "one-byte": b"\x28",
        "json": HEAD,
        "elf": open("/bin/true", "rb").read()[:4096] if os.path.exists("/bin/true") else b"\x7fELF" + b"\0" * 60,
        "png": b"\x89PNG\r\n\x1a\n" + b"\0" * 32,
        "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        "lz4": b"\x04\x22\x4d\x18\x64\x40\xa7" + b"\0" * 16,
        "zstd-dictionary": struct.pack("<I", 0xEC30A437) + b"\0" * 64,
        "ar": b"!<arch>\n" + b"ferry.json/     0           0     0     644     10        `\n0123456789",
        "sqlite": b"SQLite format 3\0" + b"\0" * 84,
        "shell": b"#!/bin/sh\nrm -rf /\n",
    }
    for name, data in sorted(fmts.items()):
        code = 9
        case("format", name, data, code, text)
    inner = {
        "zstd-zip": zb.getvalue(),
        "zstd-cpio": cpio,
        "zstd-gzip": gzip.compress(tar),
        "zstd-xz": lzma.compress(tar),
        "zstd-json": HEAD * 10,
        "zstd-text": b"hello world\n" * 100,
    }
    for name, data in sorted(inner.items()):
        case("format", name, ferry(data), 9, text)
    case("format", "major-2", ferry(with_manifest([("ferry.json", HEAD.replace(b'"1.0"', b'"2.0"'))])), 9,
         "version 2.0 is not supported")
    case("format", "major-99", ferry(with_manifest([("ferry.json", HEAD.replace(b'"1.0"', b'"99.1"'))])), 9,
         "version 99.1 is not supported")
    case("format", "not-ferry-format", ferry(with_manifest([("ferry.json", HEAD.replace(b'"ferry"', b'"fairy"'))])),
         9, text)


def names_encoding():
    ctrl = "control or invisible character"
    chars = {"esc": "\x1b", "esc-csi": "\x1b[2J\x1b[31m", "bel": "\x07", "del": "\x7f", "cr": "\r",
             "lf": "\n", "tab": "\t", "backspace": "\x08", "c1-nel": "\u0085", "c1-csi": "\u009b",
             "rlo": "\u202e", "lre": "\u202a", "lri": "\u2066", "pdi": "\u2069", "zwsp": "\u200b",
             "rlm": "\u200f", "bom": "\ufeff", "alm": "\u061c", "word-joiner": "\u2060"}
    for nm, ch in sorted(chars.items()):
        case("names", nm, one("raw/a/x" + ch + "txt"), 5, ctrl)
    # Control characters after another fault: the message must not carry them raw.
    case("names", "esc-after-backslash", one("raw/a\\b\x1b]0;pwned\x07"), 5, "reserved character")
    case("names", "esc-after-slash", one("/\x1b[2Jabs"), 5, "absolute path")
    utf8 = "not valid UTF-8"
    for nm, raw in (("ff", b"raw/a/\xff"), ("overlong-slash", b"raw/a/..\xc0\xafx"),
                    ("overlong-dots", b"raw/a/\xc0\xae\xc0\xae/x"), ("surrogate", b"raw/a/\xed\xa0\x80"),
                    ("cut-sequence", b"raw/a/\xe2\x82"), ("latin1", b"raw/a/caf\xe9")):
        case("names", "utf8-" + nm, one(raw.decode("utf-8", "surrogateescape")), 5, utf8)
    case("names", "pax-esc", ferry(member("ferry.json", HEAD) + pax([("path", "raw/a/\x1b[1mbold")]) +
                                  member("raw/a/ok", b"{}\n") + END), 5, ctrl)
    case("names", "pax-rlo", ferry(member("ferry.json", HEAD) + pax([("path", "raw/a/evil\u202etxt.exe")]) +
                                  member("raw/a/ok", b"{}\n") + END), 5, ctrl)
    # A NUL inside a pax path: tar readers stop at it, so the manifest that
    # names the whole path cannot match.
    nul_name = "raw/a/x\x00../../y"
    body = pax([("path", nul_name)]) + member("raw/a/ok", b"{}\n")
    listed = [{"name": "ferry.json", "size": len(HEAD), "sha256": hashlib.sha256(HEAD).hexdigest(), "records": 0},
              {"name": nul_name, "size": 3, "sha256": hashlib.sha256(b"{}\n").hexdigest()}]
    mani = (json.dumps({"format": "ferry", "version": "1.0", "members": listed, "records": {},
                        "secrets": []}) + "\n").encode()
    sums = "".join("%s  %s\n" % (m["sha256"], m["name"].replace("\0", "")) for m in listed)
    sums += "%s  manifest.json\n" % hashlib.sha256(mani).hexdigest()
    case("names", "pax-nul", ferry(member("ferry.json", HEAD) + body + member("manifest.json", mani) +
                                  member("SHA256SUMS", sums.encode()) + END), 4, "manifest lists")
    case("names", "empty-name", one(""), 5, "empty member name")


def json_bombs():
    def stream(line):
        return ferry(member("ferry.json", HEAD) + member("memory/000001.jsonl", line) + END)
    case("json", "depth-65", stream(record_line("[" * 65 + "]" * 65)), 5, "nesting deeper than the limit")
    case("json", "depth-100k", stream(record_line("[" * 100000 + "]" * 100000)), 5, "nesting deeper")
    case("json", "depth-header", ferry(member("ferry.json", b'{"a":' + b"[" * 1000 + b"]" * 1000 + b"}")), 5,
         "nesting deeper")
    case("json", "string-17m", stream(record_line('"' + "a" * (17 << 20) + '"')), 5, "limit")
    case("json", "header-2m", ferry(member("ferry.json", b'{"x":"' + b"a" * (2 << 20) + b'"}')), 5, "limit")
    case("json", "number-100-digits", stream(record_line('"x","limit":' + "9" * 100)), 5, "number longer")
    case("json", "number-exp-long", stream(record_line('"x","limit":1e' + "9" * 70)), 5, "number longer")
    case("json", "nodes-5m", stream(record_line('"x","metadata":{"v":[' + "0," * 5000000 + "0]}")), 5,
         "more values than the limit")
    case("json", "dup-key-record", stream(b'{"kind":"memory","kind":"memory","id":"m","scope":{"type":"user"},'
                                          b'"type":"fact","text":"x"' + SRC.encode() + b"}\n"), 3, "duplicate object key")
    case("json", "dup-key-header", ferry(member("ferry.json", HEAD[:-2] + b',"format":"ferry"}\n')), 3,
         "duplicate object key")
    case("json", "invalid-utf8", stream(record_line('"x"').replace(b'"x"', b'"caf\xe9"')), 3, "UTF-8")
    case("json", "overlong-utf8", stream(record_line('"x"').replace(b'"x"', b'"\xc0\xaf"')), 3, "UTF-8")
    case("json", "lone-surrogate", stream(record_line('"\\ud800"')), 3, "surrogate")
    case("json", "raw-control", stream(record_line('"x"').replace(b'"x"', b'"a\x01b"')), 3, "invalid JSON")
    case("json", "bom", ferry(member("ferry.json", b"\xef\xbb\xbf" + HEAD)), 3, "invalid JSON")
    case("json", "nan", stream(record_line('"x","limit":NaN')), 3, "invalid JSON")
    case("json", "trailing-comma", stream(record_line('"x",')), 3, "invalid JSON")
    case("json", "comment", ferry(member("ferry.json", b"/* c */" + HEAD)), 3, "invalid JSON")
    case("json", "single-quotes", stream(record_line("'x'")), 3, "invalid JSON")
    case("json", "empty-line", stream(b"\n"), 3, "empty line")
    case("json", "no-newline", stream(record_line('"x"')[:-1]), 3, "no newline")


def structure():
    agent = ('{"kind":"agent","id":"a","name":"A"%s}\n' % SRC).encode()
    case("structure", "no-header", ferry(member("agents/a.json", agent) + END), 3, "first member")
    case("structure", "header-second", ferry(member("raw/a/x", b"1") + member("ferry.json", HEAD) + END), 3,
         "first member")
    case("structure", "header-not-json", ferry(member("ferry.json", b"ferry 1.0\n") + END), 3, "invalid JSON")
    case("structure", "version-no-dot", ferry(member("ferry.json", HEAD.replace(b'"1.0"', b'"1"')) + END), 3,
         "version")
    case("structure", "unknown-member", ferry(member("ferry.json", HEAD) + member("evil.sh", b"rm -rf /\n") + END),
         3, "not part of the ferry")
    case("structure", "name-id-mismatch", ferry(member("ferry.json", HEAD) + member("agents/b.json", agent) + END),
         3, "another id")
    case("structure", "wrong-kind-in-member", ferry(member("ferry.json", HEAD) + member("tools/a.json", agent) + END),
         3, "does not belong")
    hx = "0" * 64
    case("structure", "blob-mismatch", ferry(member("ferry.json", HEAD) + member("blobs/" + hx, b"x") + END), 4,
         "does not match its name")
    case("structure", "message-before-thread", ferry(member("ferry.json", HEAD) + member(
        "threads/000001.jsonl", b"\n".join(THREAD.split(b"\n")[::-1][1:]) + b"\n") + END), 3, "thread")
    dangling = ('{"kind":"thread","id":"t1","agent":"nobody"%s}\n' % SRC).encode()
    case("structure", "dangling-agent", ferry(with_manifest([("ferry.json", HEAD), ("threads/000001.jsonl", dangling)])),
         3, "nobody")
    two = THREAD + THREAD.split(b"\n")[1] + b"\n"
    case("structure", "duplicate-id", ferry(member("ferry.json", HEAD) + member("threads/000001.jsonl", two) + END),
         3, "m1")
    full = with_manifest([("ferry.json", HEAD), ("threads/000001.jsonl", THREAD)])
    i = full.index(b"manifest.json")
    tampered = bytearray(full)
    j = full.index(b'"sha256": "', i + 600) + 11
    tampered[j] = ord("f") if tampered[j] != ord("f") else ord("e")
    case("structure", "manifest-hash", ferry(bytes(tampered)), 4, "does not match the manifest")
    k = full.index(b"  threads/000001.jsonl")
    tampered = bytearray(full)
    tampered[k - 1] = ord("0") if tampered[k - 1] != ord("0") else ord("1")
    case("structure", "sums-hash", ferry(bytes(tampered)), 4, "SHA256SUMS")
    case("structure", "member-after-sums", ferry(full[:-2 * BLOCK] + member("raw/a/late", b"x") + END), 3,
         "SHA256SUMS must be last")
    counts = full.replace(b'"message": 1', b'"message": 7')
    case("structure", "record-count", ferry(counts), 4, "manifest counts 7 message records")
    case("structure", "manifest-missing-member",
         ferry(with_manifest([("ferry.json", HEAD), ("raw/a/gone", b"x")], leave_out={"raw/a/gone"})), 4,
         "manifest lists 'raw/a/gone', which is not in the archive")


def main():
    args = sys.argv[1:]
    big = "--big" in args
    out = [a for a in args if not a.startswith("--")][0]
    os.makedirs(out, exist_ok=True)
    lines = []
    if big:
        path = os.path.join(out, "members-million.bin")
        if not os.path.exists(path):
            many_members(path)
        lines.append("members-million.bin\tmembers\t5\tmore than 200000 members")
    else:
        for gen in (traversal, absolute, slashes, reserved, links, specials, duplicates, sizes,
                    zstd_attacks, long_names, truncated, trailing, other_formats, names_encoding,
                    json_bombs, structure):
            gen()
        seen = set()
        for cat, name, data, code, text in cases:
            fn = "%s-%s.bin" % (cat, name)
            assert fn not in seen, fn
            seen.add(fn)
            with open(os.path.join(out, fn), "wb") as f:
                f.write(data)
            lines.append("%s\t%s\t%d\t%s" % (fn, cat, code, text))
    with open(os.path.join(out, "cases.tsv"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
