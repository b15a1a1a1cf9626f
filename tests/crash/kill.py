#!/usr/bin/env python3
"""kill.py - SIGKILL `ferry export` or `ferry import` at random moments.

    kill.py BIN export|import|journal|backup|live RUNS [SEED]

FERRY_KILL_THREADS sets the source's size (threads of 8 messages; 1500).

Builds a source big enough that a run takes a while (threads, messages,
memory and blobs), measures an uninterrupted run, then RUNS times: starts
the run, kills it with SIGKILL after a random delay between 0 and 1.3 times
that duration, and checks what is left:

  export (over an existing archive): the final name holds the previous
  archive or the complete new one, byte for byte - never anything else;
  import (into dir:out): out is absent or the complete tree, file for file.

  journal (tests/journal_drive.c importing 30,000 objects, or
  FERRY_KILL_OBJECTS, into a fake
  provider through the import journal): the journal opens again.

  backup (ferry backup of the same source into one repository, a new
  archive per run, --prune --keep-last 5): every archive under a final
  name verifies, the ones already there are unchanged;
  live (ferry import into agentcore:, the AWS simulator tests/lib/awssim.py
  answering slowly, killed twice, then run to the end): every event and
  memory record exists exactly once in the target account.

Then a recovery run (no kill) must complete, remove the killed run's
temporary files and give exactly the uninterrupted result (an archive is
deterministic, so "not corrupt" is "the same bytes"; a tree, the same files:
no record lost or written twice). Prints counts; exits 1 on any fault.
"""
import filecmp
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time


def make_source(root, threads=1500, per_thread=8, blobs=60):
    rnd = random.Random(7)
    os.makedirs(os.path.join(root, "threads"))
    os.makedirs(os.path.join(root, "memory"))
    os.makedirs(os.path.join(root, "blobs"))
    os.makedirs(os.path.join(root, "files"))
    os.makedirs(os.path.join(root, "agents"))
    src = {"adapter": "dir"}
    with open(os.path.join(root, "ferry.json"), "w") as f:
        json.dump({"format": "ferry", "version": "1.0", "producer": "kill.py",
                   "created": "2026-01-01T00:00:00Z", "source": {"adapter": "dir"}}, f)
    with open(os.path.join(root, "agents", "bot.json"), "w") as f:
        json.dump({"kind": "agent", "id": "bot", "name": "Bot", "source": src}, f)
    with open(os.path.join(root, "files", "000001.jsonl"), "w") as files:
        for b in range(blobs):
            data = bytes(rnd.getrandbits(8) for _ in range(8192))
            hx = hashlib.sha256(data).hexdigest()
            with open(os.path.join(root, "blobs", hx), "wb") as f:
                f.write(data)
            files.write(json.dumps({"kind": "file", "id": "f%d" % b, "name": "f%d.bin" % b, "blob": hx,
                                    "source": src}, separators=(",", ":")) + "\n")
    words = "the order shipped on tuesday and the customer asked about returns refunds and tracking".split()
    # Two thread members, so that export writes several stream chunks.
    for part in (1, 2):
        with open(os.path.join(root, "threads", "%06d.jsonl" % part), "w") as f:
            for t in range(threads // 2):
                tid = "t%d-%d" % (part, t)
                f.write(json.dumps({"kind": "thread", "id": tid, "agent": "bot", "title": "Thread %s" % tid,
                                    "active_leaf": "m%d" % (per_thread - 1), "source": src},
                                   separators=(",", ":")) + "\n")
                for m in range(per_thread):
                    text = " ".join(rnd.choice(words) for _ in range(40))
                    f.write(json.dumps({"kind": "message", "id": "m%d" % m, "thread": tid,
                                        "parent": None if m == 0 else "m%d" % (m - 1),
                                        "role": "user" if m % 2 == 0 else "assistant",
                                        "parts": [{"type": "text", "text": text}],
                                        "created": "2026-02-%02dT10:%02d:00Z" % (1 + t % 28, m),
                                        "source": src}, separators=(",", ":")) + "\n")
    with open(os.path.join(root, "memory", "000001.jsonl"), "w") as f:
        for i in range(2000):
            f.write(json.dumps({"kind": "memory", "id": "mem%d" % i, "scope": {"type": "agent", "agent": "bot"},
                                "type": "fact", "text": "fact %d: %s" % (i, " ".join(rnd.choice(words) for _ in range(12))),
                                "source": src}, separators=(",", ":")) + "\n")


def temporaries(folder, name):
    return [e for e in os.listdir(folder) if e.startswith("." + name + ".tmp-")]


def run(argv, cwd):
    return subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def same_tree(a, b):
    cmp = filecmp.dircmp(a, b)
    if cmp.left_only or cmp.right_only or cmp.diff_files or cmp.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(same_tree(os.path.join(a, d), os.path.join(b, d)) for d in cmp.common_dirs)


def report(what, counts, faults):
    """Print the faults (the first 20) and one summary line; 1 if any fault."""
    for f in faults[:20]:
        print("# " + f)
    detail = ", ".join("%s %d" % (k, v) for k, v in counts.items())
    print("random SIGKILL of %s: %s; %d faults" % (what, detail, len(faults)))
    return 1 if faults else 0


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def backup(bin_dir, runs, seed):
    """Kill ferry backup at random: the repository stays sound, the next run completes."""
    rnd = random.Random(seed)
    ferry = os.path.join(bin_dir, "ferry")
    work = tempfile.mkdtemp(prefix="ferry-kill.")
    faults = []
    counts = {"killed before the end": 0, "finished before the kill": 0, "archives verified": 0,
              "bad archives": 0, "stale locks taken over": 0}
    try:
        src, repo = os.path.join(work, "src"), os.path.join(work, "repo")
        make_source(src, threads=int(os.environ.get("FERRY_KILL_THREADS", "1500")))
        t0 = time.monotonic()
        run([ferry, "backup", "-q", "dir:" + src, "--repo", repo, "--time", "2026-01-01T00:00:00Z"], work)
        duration = time.monotonic() - t0
        known = {}
        for i in range(runs):
            when = "2026-02-%02dT%02d:%02d:00Z" % (1 + i // 1440 % 28, i // 60 % 24, i % 60)
            argv = [ferry, "backup", "-q", "dir:" + src, "--repo", repo, "--time", when,
                    "--prune", "--keep-last", "5"]
            before = {f: known.get(f) or sha(os.path.join(repo, f))
                      for f in os.listdir(repo) if f.endswith(".ferry")}
            p = subprocess.Popen(argv, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rnd.uniform(0, duration * 1.3))
            p.send_signal(signal.SIGKILL)
            rc = p.wait()
            counts["killed before the end" if rc == -signal.SIGKILL else "finished before the kill"] += 1
            for f in sorted(os.listdir(repo)):
                path = os.path.join(repo, f)
                if f in ("ferry.lock", ".ferry-staging"):
                    continue
                if not f.endswith(".ferry"):
                    faults.append("run %d: unexpected %s in the repository" % (i, f))
                elif f in before:
                    if sha(path) != before[f]:
                        counts["bad archives"] += 1
                        faults.append("run %d: %s changed" % (i, f))
                elif run([ferry, "verify", "-q", path], work).returncode != 0:
                    counts["bad archives"] += 1
                    faults.append("run %d: %s does not verify" % (i, f))
                else:
                    counts["archives verified"] += 1
                    known[f] = sha(path)
            had_lock = os.path.exists(os.path.join(repo, "ferry.lock"))
            r = run(argv[:7] + [when.replace("2026-", "2027-")] + argv[8:], work)
            if r.returncode != 0:
                faults.append("run %d: the next backup failed (exit %d: %s)"
                              % (i, r.returncode, r.stderr.decode(errors="replace").strip()))
            elif had_lock:
                counts["stale locks taken over"] += 1
            staging = os.path.join(repo, ".ferry-staging")
            if os.path.exists(os.path.join(repo, "ferry.lock")) or (os.path.isdir(staging) and os.listdir(staging)):
                faults.append("run %d: a lock or staged file left after the next backup" % i)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report("ferry backup: %d runs (a run takes %.2f s; seed %d)" % (runs, duration, seed), counts, faults)


def source_ids(v):
    """The ferry_source_id of every object below v (the simulator nests them by memory, actor, ...)."""
    if isinstance(v, dict):
        if "metadata" in v and isinstance(v["metadata"], dict) and "ferry_source_id" in v["metadata"]:
            return [v["metadata"]["ferry_source_id"]["stringValue"]]
        return [x for k in sorted(v) for x in source_ids(v[k])]
    if isinstance(v, list):
        return [x for e in v for x in source_ids(e)]
    return []


def live(bin_dir, runs, seed):
    """Kill ferry import into agentcore: (the AWS simulator) twice, then finish: nothing twice."""
    rnd = random.Random(seed)
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ferry = os.path.join(bin_dir, "ferry")
    work = tempfile.mkdtemp(prefix="ferry-kill.")
    faults = []
    counts = {"killed mid-import": 0, "finished before the kill": 0, "events": 0, "records": 0,
              "duplicates": 0, "missing": 0}
    sessions, events, records = 6, 8, 60
    env = dict(os.environ)
    for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE",
              "AWS_SHARED_CREDENTIALS_FILE"):
        env.pop(k, None)
    env.update({"AWS_REGION": "us-east-1", "HOME": work})
    opts = ["--option", "retry_base_ms=5", "--option", "retries=40",
            "--option", "role_arn=arn:aws:iam::222222222222:role/H"]

    def start():
        port = os.path.join(work, "sim.port")
        if os.path.exists(port):
            os.unlink(port)
        p = subprocess.Popen([sys.executable, os.path.join(top, "tests", "lib", "awssim.py"), port,
                              "--delay", "3"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if os.path.exists(port) and open(port).read().strip():
                break
            time.sleep(0.05)
        env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:" + open(port).read().strip()
        return p

    def admin(path, body=None):
        import urllib.request
        req = urllib.request.Request(env["AWS_ENDPOINT_URL"] + path, data=body,
                                     method="POST" if body is not None else "GET")
        return urllib.request.urlopen(req).read()

    def account(name):
        env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = {
            "A": ("AKIDSIMACCOUNTA00001", "simsecretA"), "B": ("AKIDSIMACCOUNTB00002", "simsecretB")}[name]

    sim = None
    try:
        sim = start()
        seedjson = subprocess.run([sys.executable, os.path.join(top, "tests", "aws", "gen_seed.py"),
                                   str(sessions), str(events), str(records)], capture_output=True).stdout
        admin("/__seed?account=A", seedjson)
        account("A")
        big = os.path.join(work, "big.ferry")
        r = subprocess.run([ferry, "export", "-q", "agentcore:us-east-1", "-o", big], cwd=work, env=env,
                           capture_output=True)
        if r.returncode != 0:
            print("cannot export the simulated source: %s" % r.stderr.decode(errors="replace"))
            return 1
        account("B")
        t0 = time.monotonic()
        argv = [ferry, "import", "-q", "--state-dir", os.path.join(work, "st-timing")] + opts + \
            [big, "agentcore:us-east-1"]
        subprocess.run(argv, cwd=work, env=env, capture_output=True)
        duration = time.monotonic() - t0
        for i in range(runs):
            sim.kill()
            sim.wait()
            sim = start()
            account("B")
            st = os.path.join(work, "st-%d" % i)
            argv = [ferry, "import", "-q", "--state-dir", st] + opts + [big, "agentcore:us-east-1"]
            for _ in range(2):
                p = subprocess.Popen(argv, cwd=work, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
                time.sleep(rnd.uniform(0, duration * 1.1))
                p.send_signal(signal.SIGKILL)
                rc = p.wait()
                counts["killed mid-import" if rc == -signal.SIGKILL else "finished before the kill"] += 1
            r = subprocess.run(argv, cwd=work, env=env, capture_output=True)
            if r.returncode != 0:
                faults.append("run %d: the last import failed (exit %d: %s)"
                              % (i, r.returncode, r.stderr.decode(errors="replace").strip()))
                continue
            state = json.loads(admin("/__state?account=B"))
            evs = source_ids(state["events"])
            recs = source_ids(state["records"])
            counts["events"] += len(evs)
            counts["records"] += len(recs)
            dup = len(evs) - len(set(evs)) + len(recs) - len(set(recs))
            missing = sessions * events - len(set(evs)) + records - len(set(recs))
            counts["duplicates"] += dup
            counts["missing"] += missing
            if dup or missing or len(state["memories"]) != 1 or len(state["harnesses"]) != 1:
                faults.append("run %d: %d duplicates, %d missing, %d memories, %d harnesses"
                              % (i, dup, missing, len(state["memories"]), len(state["harnesses"])))
    finally:
        if sim:
            sim.kill()
            sim.wait()
        shutil.rmtree(work, ignore_errors=True)
    return report("ferry import into agentcore: (simulator): %d runs of 2 kills and a last run "
                  "(%d events, %d memory records; a run takes %.2f s; seed %d)"
                  % (runs, sessions * events, records, duration, seed), counts, faults)


def journal(bin_dir, runs, seed):
    """Kill the journal driver at random; the rerun completes with no duplicate."""
    rnd = random.Random(seed)
    drive = os.path.join(os.path.dirname(bin_dir.rstrip("/")), "tests", "journal-drive")
    work = tempfile.mkdtemp(prefix="ferry-kill.")
    faults = []
    counts = {"killed before the end": 0, "finished before the kill": 0, "planned-only recovered": 0,
              "duplicates": 0, "missing": 0}
    n = int(os.environ.get("FERRY_KILL_OBJECTS", "30000"))
    try:
        jpath, prov = os.path.join(work, "journal"), os.path.join(work, "provider")
        t0 = time.monotonic()
        subprocess.run([drive, jpath, prov, str(n)], check=True, stdout=subprocess.DEVNULL)
        duration = time.monotonic() - t0
        for i in range(runs):
            for f in (jpath, prov):
                if os.path.exists(f):
                    os.unlink(f)
            # Kill twice in a row, then finish: kills land in fresh and resumed runs.
            for _ in range(2):
                p = subprocess.Popen([drive, jpath, prov, str(n)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
                time.sleep(rnd.uniform(0, duration * 1.3))
                p.send_signal(signal.SIGKILL)
                rc = p.wait()
                counts["killed before the end" if rc == -signal.SIGKILL else "finished before the kill"] += 1
                if rc not in (0, -signal.SIGKILL):
                    faults.append("run %d: exit %d: %s" % (i, rc, p.stderr.read().decode(errors="replace")))
                p.stderr.close()
            r = subprocess.run([drive, jpath, prov, str(n)], capture_output=True)
            if r.returncode != 0:
                faults.append("run %d: the rerun failed: %s" % (i, r.stderr.decode(errors="replace").strip()))
                continue
            out = r.stdout.decode()
            counts["planned-only recovered"] += int(out.split("recovered ")[1])
            ids = [l.split(" ")[0] for l in open(prov).read().splitlines()]
            dup = len(ids) - len(set(ids))
            missing = n - len(set(ids))
            counts["duplicates"] += dup
            counts["missing"] += missing
            if dup or missing:
                faults.append("run %d: %d duplicates, %d missing at the provider" % (i, dup, missing))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report("the import journal: %d runs of 2 kills and a rerun (%d objects, a run takes %.2f s; seed %d)"
                  % (runs, n, duration, seed), counts, faults)


def main():
    bin_dir, what, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else int(os.environ.get("FERRY_KILL_SEED", "1"))
    if what in ("journal", "backup", "live"):
        return {"journal": journal, "backup": backup, "live": live}[what](bin_dir, runs, seed)
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else int(os.environ.get("FERRY_KILL_SEED", "1"))
    rnd = random.Random(seed)
    ferry = os.path.join(bin_dir, "ferry")
    work = tempfile.mkdtemp(prefix="ferry-kill.")
    faults = []
    counts = {"killed before the end": 0, "finished before the kill": 0, "temporaries left by kills": 0,
              "temporaries cleaned": 0, "corrupt": 0, "duplicates or losses": 0}
    try:
        src = os.path.join(work, "src")
        make_source(src, threads=int(os.environ.get("FERRY_KILL_THREADS", "1500")))
        ref = os.path.join(work, "ref.ferry")
        old = os.path.join(work, "old.ferry")
        t0 = time.monotonic()
        if run([ferry, "export", "-q", "dir:" + src, "-o", ref], work).returncode != 0:
            print("cannot export the source")
            return 1
        export_time = time.monotonic() - t0
        run([ferry, "export", "-q", "--only", "agent,memory", "dir:" + src, "-o", old], work)
        ref_tree = os.path.join(work, "ref-tree")
        t0 = time.monotonic()
        run([ferry, "import", "-q", ref, "dir:" + ref_tree], work)
        import_time = time.monotonic() - t0
        ref_bytes = open(ref, "rb").read()
        old_bytes = open(old, "rb").read()
        out = os.path.join(work, "out.ferry")
        tree = os.path.join(work, "out")
        duration = export_time if what == "export" else import_time
        for i in range(runs):
            if what == "export":
                shutil.copyfile(old, out)
                argv = [ferry, "export", "-q", "dir:" + src, "-o", out]
            else:
                shutil.rmtree(tree, ignore_errors=True)
                argv = [ferry, "import", "-q", ref, "dir:" + tree]
            delay = rnd.uniform(0, duration * 1.3)
            p = subprocess.Popen(argv, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            p.send_signal(signal.SIGKILL)
            rc = p.wait()
            counts["killed before the end" if rc == -signal.SIGKILL else "finished before the kill"] += 1
            if rc not in (0, -signal.SIGKILL):
                faults.append("run %d: exit %d" % (i, rc))
            if what == "export":
                now = open(out, "rb").read() if os.path.exists(out) else None
                if now not in (old_bytes, ref_bytes):
                    counts["corrupt"] += 1
                    faults.append("run %d: out.ferry is neither the old nor the new archive" % i)
                left = temporaries(work, "out.ferry")
            else:
                if os.path.exists(tree) and not same_tree(tree, ref_tree):
                    counts["corrupt"] += 1
                    faults.append("run %d: out exists but differs from the complete tree" % i)
                left = temporaries(work, "out")
            counts["temporaries left by kills"] += len(left)
            # Recovery: the next run cleans up and completes.
            if what == "export":
                r = run([ferry, "export", "-q", "dir:" + src, "-o", out], work)
                ok = r.returncode == 0 and open(out, "rb").read() == ref_bytes
                after = temporaries(work, "out.ferry")
            else:
                existed = os.path.exists(tree)
                r = run([ferry, "import", "-q", ref, "dir:" + tree], work)
                ok = (r.returncode == 13 if existed else r.returncode == 0) and same_tree(tree, ref_tree)
                if not same_tree(tree, ref_tree):
                    counts["duplicates or losses"] += 1
                after = temporaries(work, "out")
            if not ok:
                faults.append("run %d: the next run did not complete (exit %d: %s)"
                              % (i, r.returncode, r.stderr.decode(errors="replace").strip()))
            counts["temporaries cleaned"] += len(left) - len([a for a in after if a in left])
            if after:
                faults.append("run %d: temporaries left after the next run: %s" % (i, after))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report("ferry %s: %d runs (a run takes %.2f s; seed %d)" % (what, runs, duration, seed),
                  counts, faults)


if __name__ == "__main__":
    sys.exit(main())
