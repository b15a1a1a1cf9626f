#!/usr/bin/env python3
"""fycheck.py - content checks for the live-provider tests.

    fycheck.py state STATE.json REFERENCE.json ACCOUNT REFACCOUNT
        Compare what an import left in ACCOUNT of the simulator (STATE, from
        /__sim/state) with a clean import into REFACCOUNT (REFERENCE), by
        content: every conversation (keyed by metadata.ferry_src) exactly
        once with the same items in the same order, the same files (name and
        bytes), the same vector stores with the same files. Conversations
        without ferry_src are counted as orphans: empty ones are what a kill
        inside OpenAI's create call can leave (the API cannot list
        conversations to find them again); any with items is a failure.
        Prints a JSON summary; exit 1 on a duplicate, a missing object or a
        difference.

    fycheck.py roundtrip A_DIR B_DIR LEDGER.jsonl ADAPTER
        Compare two unpacked archives: A exported from one account, B
        exported from another after importing A into it. Every thread of A
        must be in B (B's metadata.ferry_id names it), with the same items
        in the same order (ids aside, file references compared by the bytes
        they name), except items the import ledger lists as dropped; the
        same files and knowledge sets; thread metadata kept, the original
        creation time in ferry_created. Items with an "encrypted-reasoning"
        line come without encrypted_content (or not at all when nothing else
        was left). Exit 1 on any unexplained difference.
"""
import json
import os
import sys


def load_jsonl_dir(d):
    recs = []
    for sub in ("files", "threads", "memory"):
        p = os.path.join(d, sub)
        if not os.path.isdir(p):
            continue
        for name in sorted(os.listdir(p)):
            with open(os.path.join(p, name)) as f:
                recs += [json.loads(l) for l in f if l.strip()]
    for sub in ("agents", "tools", "knowledge", "workflows"):
        p = os.path.join(d, sub)
        if os.path.isdir(p):
            for name in sorted(os.listdir(p)):
                with open(os.path.join(p, name)) as f:
                    recs.append(json.load(f))
    return recs


def norm(v, fmap):
    """An item without ids, with file ids replaced by the bytes they name."""
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if k == "id":
                continue
            if k == "file_id" and isinstance(x, str):
                out[k] = "blob:" + fmap.get(x, "?" + x)
                continue
            out[k] = norm(x, fmap)
        return out
    if isinstance(v, list):
        return [norm(x, fmap) for x in v]
    return v


def drop_unknown_files(v):
    """Leave out what refers to a file the archive does not have (the import's ledger says so)."""
    if isinstance(v, dict):
        return {k: drop_unknown_files(x) for k, x in v.items()}
    if isinstance(v, list):
        return [drop_unknown_files(x) for x in v
                if not (isinstance(x, dict) and str(x.get("file_id", "")).startswith("blob:?"))]
    return v


def state(args):
    st, ref, acct, racct = args
    with open(st) as f:
        s = json.load(f)[acct]
    with open(ref) as f:
        r = json.load(f)[racct]
    out = {"duplicates": 0, "missing": 0, "mismatched": 0, "orphans_empty": 0, "orphans_with_items": 0,
           "conversations": 0, "items": 0, "files": 0, "vector_stores": 0}

    def fmap(a):
        return {f["id"]: f["sha256"] for f in a["files"]}

    sf, rf = fmap(s), fmap(r)
    by = {}
    for c in s["conversations"]:
        k = c["metadata"].get("ferry_src")
        if k is None:
            if c["items"]:
                out["orphans_with_items"] += 1
            else:
                out["orphans_empty"] += 1
            continue
        by.setdefault(k, []).append(c)
    for c in r["conversations"]:
        k = c["metadata"]["ferry_src"]
        got = by.get(k, [])
        out["conversations"] += 1
        out["items"] += len(c["items"])
        if not got:
            out["missing"] += 1
            continue
        out["duplicates"] += len(got) - 1
        want = norm(c["items"], rf)
        for g in got:
            if norm(g["items"], sf) != want:
                out["mismatched"] += 1
                print("# conversation %s differs: %d items, %d expected" % (k, len(g["items"]), len(c["items"])), file=sys.stderr)
        md = {x: y for x, y in c["metadata"].items()}
        for g in got:
            if g["metadata"] != md:
                out["mismatched"] += 1
                print("# conversation %s: metadata differs" % k, file=sys.stderr)
    for k in by:
        if k not in {c["metadata"]["ferry_src"] for c in r["conversations"]}:
            out["duplicates"] += len(by[k])
    have = sorted((f["filename"], f["sha256"]) for f in s["files"])
    want = sorted((f["filename"], f["sha256"]) for f in r["files"])
    out["files"] = len(want)
    for x in set(want + have):
        d = have.count(x) - want.count(x)
        if d > 0:
            out["duplicates"] += d
        elif d < 0:
            out["missing"] -= d
    vs = {}
    for v in s["vector_stores"]:
        vs.setdefault(v["metadata"].get("ferry_src"), []).append(v)
    for v in r["vector_stores"]:
        k = v["metadata"]["ferry_src"]
        out["vector_stores"] += 1
        got = vs.get(k, [])
        if not got:
            out["missing"] += 1
            continue
        out["duplicates"] += len(got) - 1
        want = sorted(rf[x["id"]] for x in v["files"])
        for g in got:
            if sorted(sf[x["id"]] for x in g["files"]) != want or g["name"] != v["name"]:
                out["mismatched"] += 1
    print(json.dumps(out))
    bad = out["duplicates"] or out["missing"] or out["mismatched"] or out["orphans_with_items"]
    return 1 if bad else 0


def roundtrip(args):
    a_dir, b_dir, ledger_path, adapter = args
    a, b = load_jsonl_dir(a_dir), load_jsonl_dir(b_dir)
    ledger = []
    if os.path.exists(ledger_path):
        with open(ledger_path) as f:
            ledger = [json.loads(l) for l in f if l.strip()]
    dropped = {(l["item"]["kind"], l["item"].get("id")) for l in ledger
               if l["outcome"] == "dropped" and not l["item"].get("field")}
    nofile = {l["item"].get("id") for l in ledger if l.get("rule") in ("file-not-imported", "no-file-upload")}
    listed = {(l["item"]["kind"], l["item"].get("id")) for l in ledger if l["outcome"] in ("degraded", "dropped")}
    encrypted = {(l["item"].get("thread"), l["item"]["id"]) for l in ledger if l.get("rule") == "encrypted-reasoning"}
    problems = []

    def fmap(recs):
        return {r["source"]["id"]: r.get("blob", "none") for r in recs if r["kind"] == "file"}

    fa, fb = fmap(a), fmap(b)
    threads = {}
    cur = None
    for r in a + b:
        pass
    for name, recs in (("a", a), ("b", b)):
        for r in recs:
            if r["kind"] == "thread":
                cur = (name, r["id"])
                threads[cur] = {"thread": r, "msgs": []}
            elif r["kind"] == "message":
                threads[(name, r["thread"])]["msgs"].append(r)
    bthreads = {t["thread"].get("metadata", {}).get("ferry_id"): t for (n, _), t in threads.items() if n == "b"}
    stats = {"threads": 0, "items": 0, "dropped_items": 0, "files": 0, "knowledge": 0}
    for (n, tid), t in sorted(threads.items()):
        if n != "a":
            continue
        stats["threads"] += 1
        src = t["thread"]["source"]["id"]
        bt = bthreads.get(src)
        if bt is None:
            problems.append("thread %s is missing" % src)
            continue
        ext = t["thread"].get("ext", {}).get(adapter, {})
        md = dict(t["thread"].get("metadata") or {})
        bmd = {k: v for k, v in (bt["thread"].get("metadata") or {}).items() if not k.startswith("ferry_")}
        if t["thread"].get("title") and "title" not in md:
            md["title"] = t["thread"]["title"]
        if md != bmd:
            problems.append("thread %s: metadata %s, expected %s" % (src, bmd, md))
        if t["thread"].get("created") and bt["thread"]["metadata"].get("ferry_created") != t["thread"]["created"]:
            problems.append("thread %s: ferry_created is not the original time" % src)
        if "conversation" not in ext and "response" not in ext:
            # ChatKit and classic threads were rebuilt as items: their text must be there.
            btext = json.dumps([m.get("ext", {}).get(adapter, {}).get("item") for m in bt["msgs"]], ensure_ascii=False)
            for m in t["msgs"]:
                texts = [p.get("text") for p in m["parts"] if p.get("type") == "text"]
                if ("message", m["id"]) in listed:
                    continue
                if texts and all(json.dumps(x, ensure_ascii=False)[1:-1] in btext for x in texts):
                    continue
                if any(p.get("type") in ("tool_call", "tool_result", "code_output") for p in m["parts"]):
                    continue
                problems.append("thread %s: ChatKit item %s neither carried nor in the ledger" % (src, m["id"]))
            continue
        want = []
        for m in t["msgs"]:
            item = m.get("ext", {}).get(adapter, {}).get("item")
            if ("message", m["id"]) in dropped:
                stats["dropped_items"] += 1
                continue
            if (m["thread"], m["id"]) in encrypted and isinstance(item, dict):
                # Encrypted reasoning crosses without its encrypted content, or not at all.
                item = {k: x for k, x in item.items() if k != "encrypted_content"}
                if not item.get("summary") and not item.get("content"):
                    stats["dropped_items"] += 1
                    continue
            want.append(drop_unknown_files(norm(item, fa)) if m["id"] in nofile else norm(item, fa))
        got = [norm(m.get("ext", {}).get(adapter, {}).get("item"), fb) for m in bt["msgs"]]
        stats["items"] += len(want)
        if want != got:
            problems.append("thread %s: %d items, %d expected" % (src, len(got), len(want)))
            for i, (x, y) in enumerate(zip(want, got)):
                if x != y:
                    problems.append("  first difference at item %d: %s / %s" % (i, json.dumps(x)[:200], json.dumps(y)[:200]))
                    break
    ba = {(r["name"], r.get("blob")) for r in b if r["kind"] == "file"}
    for r in a:
        if r["kind"] == "file":
            stats["files"] += 1
            if "blob" not in r:
                if ("file", r["id"]) not in dropped:
                    problems.append("file %s has no bytes and no ledger line" % r["id"])
            elif (r["name"], r["blob"]) not in ba:
                problems.append("file %s (%s) is missing" % (r["id"], r["name"]))
        if r["kind"] == "knowledge":
            stats["knowledge"] += 1
            m = [k for k in b if k["kind"] == "knowledge" and k["name"] == r["name"]]
            if len(m) != 1:
                problems.append("knowledge %s: %d at the target" % (r["id"], len(m)))
                continue
            if sorted(fa.get(x, "?") for x in r["files"]) != sorted(fb.get(x, "?") for x in m[0]["files"]):
                problems.append("knowledge %s: files differ" % r["id"])
            if r.get("chunking") != m[0].get("chunking"):
                problems.append("knowledge %s: chunking differs" % r["id"])
            bmd = {k: v for k, v in (m[0].get("metadata") or {}).items() if not k.startswith("ferry_")}
            if bmd != (r.get("metadata") or {}):
                problems.append("knowledge %s: metadata differs" % r["id"])
    stats["problems"] = len(problems)
    for p in problems:
        print("# " + p, file=sys.stderr)
    print(json.dumps(stats))
    return 1 if problems else 0


if __name__ == "__main__":
    cmd = sys.argv[1]
    sys.exit({"state": state, "roundtrip": roundtrip}[cmd](sys.argv[2:]))
