#!/usr/bin/env python3
"""run.py - run the malicious-archive corpus (tests/hostile/mkhostile.py).

    run.py BIN CASEDIR... [--limits] [--table FILE]

For every case in CASEDIR/cases.tsv, from inside a canary tree:
  - `ferry import CASE dir:out` and `ferry verify CASE` both exit with the
    case's status, print nothing on standard output and exactly one line on
    standard error, which contains the expected text and no control,
    bidirectional or invisible characters (a hostile name must not reach a
    terminal raw);
  - nothing is written anywhere: the canary tree (files, modes, contents,
    links) is unchanged, the working folder is still empty, and no path a
    case names outside it (/tmp/ferry-hostile-*) exists;
  - each run's wall time and peak RSS are measured; with --limits, a case
    over 2 seconds or 256 MiB fails (measure on the plain build: sanitizers
    and valgrind inflate both).
Prints TAP lines and, at the end, a table of results per category.
"""
import hashlib
import os
import re
import selectors
import shutil
import stat
import subprocess
import sys
import tempfile
import time

TIME_LIMIT = 2.0
RSS_LIMIT_KB = 256 * 1024
OUTSIDE = ["/tmp/ferry-hostile-abs", "/tmp/ferry-hostile-dotdot", "/tmp/ferry-hostile-abs/x"]

# Bytes that must not reach a terminal: C0 (but \n), DEL, C1, bidi and invisible.
BAD_OUTPUT = re.compile(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8b-\x8f\xaa-\xae]"
                        rb"|\xe2\x81[\xa0-\xa9]|\xef\xbb\xbf")


def snapshot(root):
    snap = {}
    for dirpath, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode):
                data = hashlib.sha256(open(p, "rb").read()).hexdigest()
            elif stat.S_ISLNK(st.st_mode):
                data = os.readlink(p)
            else:
                data = ""
            snap[os.path.relpath(p, root)] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_size, data)
    return snap


def make_canary(root):
    os.makedirs(os.path.join(root, "inner"))
    os.makedirs(os.path.join(root, "a", "b"))
    os.makedirs(os.path.join(root, "raw", "a"))
    for rel, text in (("keep.txt", "canary\n"), ("a/b/x", "deep\n"), ("raw/a/x", "same name as a member\n"),
                      ("ferry.json", "{}\n"), ("etc-passwd", "root:x:0:0\n")):
        with open(os.path.join(root, rel), "w") as f:
            f.write(text)
    os.symlink("keep.txt", os.path.join(root, "link"))


def measure(argv, cwd, env):
    """Run argv; return (code, stdout, stderr, seconds, peak RSS in KB of that process)."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_chunks, err_chunks = [], []
    # Read both pipes without communicate() so that wait4() can collect the usage.
    sel = selectors.DefaultSelector()
    sel.register(p.stdout, selectors.EVENT_READ, out_chunks)
    sel.register(p.stderr, selectors.EVENT_READ, err_chunks)
    deadline = t0 + 120
    while sel.get_map():
        for key, _ in sel.select(timeout=max(0.1, deadline - time.monotonic())):
            chunk = os.read(key.fileobj.fileno(), 65536)
            if chunk:
                key.data.append(chunk)
            else:
                sel.unregister(key.fileobj)
        if time.monotonic() > deadline:
            p.kill()
            break
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    p.stdout.close()
    p.stderr.close()
    return p.returncode, b"".join(out_chunks), b"".join(err_chunks), time.monotonic() - t0, ru.ru_maxrss


def main():
    args = sys.argv[1:]
    limits = "--limits" in args
    table_file = None
    if "--table" in args:
        table_file = args[args.index("--table") + 1]
        args.remove(table_file)
    args = [a for a in args if not a.startswith("--")]
    bin_dir, case_dirs = args[0], args[1:]
    ferry = os.path.join(bin_dir, "ferry")
    vg = os.environ.get("FERRY_VALGRIND") == "1"
    prefix = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full", "--errors-for-leak-kinds=definite",
              "--trace-children=yes"] if vg else []
    env = dict(os.environ)
    cases = []
    for d in case_dirs:
        with open(os.path.join(d, "cases.tsv")) as f:
            for line in f:
                if line.strip():
                    fn, cat, code, text = line.rstrip("\n").split("\t")
                    cases.append((os.path.join(d, fn), fn, cat, int(code), text))
    n = failed = 0
    per_cat = {}
    worst_t, worst_rss = (0.0, ""), (0, "")
    work = tempfile.mkdtemp(prefix="ferry-hostile.")
    try:
        canary = os.path.join(work, "canary")
        make_canary(canary)
        inner = os.path.join(canary, "inner")
        before = snapshot(canary)
        outside_before = {p for p in OUTSIDE if os.path.lexists(p)}
        for path, fn, cat, want, text in cases:
            problems = []
            codes = []
            t_max, rss_max = 0.0, 0
            for argv in (prefix + [ferry, "import", path, "dir:out"], prefix + [ferry, "verify", path]):
                code, out, err, secs, rss = measure(argv, inner, env)
                codes.append(code)
                t_max, rss_max = max(t_max, secs), max(rss_max, rss)
                verb = argv[len(prefix) + 1]
                if code != want:
                    problems.append("%s exit %d, wanted %d" % (verb, code, want))
                if out:
                    problems.append("%s wrote to standard output" % verb)
                lines = err.split(b"\n")
                if len(lines) != 2 or lines[1] != b"":
                    problems.append("%s: %d lines on standard error" % (verb, len(lines) - 1))
                if text.encode() not in err:
                    problems.append("%s: error lacks '%s'" % (verb, text))
                if BAD_OUTPUT.search(err.rstrip(b"\n")):
                    problems.append("%s: raw control/bidi characters in the error" % verb)
                if limits and secs > TIME_LIMIT:
                    problems.append("%s took %.2f s" % (verb, secs))
                if limits and rss > RSS_LIMIT_KB:
                    problems.append("%s peak RSS %d MiB" % (verb, rss // 1024))
                last_err = err
            if os.listdir(inner):
                problems.append("wrote %s in the working folder" % os.listdir(inner))
                for e in os.listdir(inner):
                    p = os.path.join(inner, e)
                    shutil.rmtree(p) if os.path.isdir(p) and not os.path.islink(p) else os.unlink(p)
            after = snapshot(canary)
            if after != before:
                changed = sorted(set(after.items()) ^ set(before.items()))
                problems.append("canary tree changed: %s" % changed[:3])
            for p in OUTSIDE:
                if os.path.lexists(p) and p not in outside_before:
                    problems.append("created %s" % p)
            if t_max > worst_t[0]:
                worst_t = (t_max, fn)
            if rss_max > worst_rss[0]:
                worst_rss = (rss_max, fn)
            n += 1
            c = per_cat.setdefault(cat, {"cases": 0, "refused": 0, "codes": {}, "t": 0.0, "rss": 0})
            c["cases"] += 1
            c["t"] = max(c["t"], t_max)
            c["rss"] = max(c["rss"], rss_max)
            if all(x not in (0,) and x < 128 for x in codes):
                c["refused"] += 1
            c["codes"][codes[0]] = c["codes"].get(codes[0], 0) + 1
            msg = last_err.decode("utf-8", "replace").strip()
            if problems:
                failed += 1
                print("not ok %d - hostile: %s: %s" % (n, fn, "; ".join(problems)))
                print("#   %s" % msg[:300].encode("unicode_escape").decode())
            else:
                print("ok %d - hostile: %s: exit %d (%.2f s, %d MiB)" % (n, fn, want, t_max, rss_max // 1024))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = ["| category | cases | refused | exit codes | slowest | peak RSS |",
            "|---|---|---|---|---|---|"]
    tot_cases = tot_ref = 0
    for cat in sorted(per_cat):
        c = per_cat[cat]
        tot_cases += c["cases"]
        tot_ref += c["refused"]
        codes = ", ".join("%d x%d" % (k, v) for k, v in sorted(c["codes"].items()))
        rows.append("| %s | %d | %d | %s | %.2f s | %d MiB |" % (cat, c["cases"], c["refused"], codes, c["t"],
                                                                 c["rss"] // 1024))
    rows.append("| all | %d | %d | | %.2f s (%s) | %d MiB (%s) |" % (tot_cases, tot_ref, worst_t[0], worst_t[1],
                                                                    worst_rss[0] // 1024, worst_rss[1]))
    for r in rows:
        print("# " + r)
    if table_file:
        with open(table_file, "w") as f:
            f.write("\n".join(rows) + "\n")
    print("# hostile: %d cases, %d refused, %d failed%s" % (n, tot_ref, failed,
                                                          "" if limits else " (limits measured, not enforced)"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
