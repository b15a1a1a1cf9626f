#!/usr/bin/env python3
"""mkseeds.py - (re)generate the committed seed corpus, tests/fuzz/corpus/<target>/.

    python3 tests/fuzz/mkseeds.py BIN     (BIN: a build's bin folder, for ferry)

Seeds come from samples/ (the neutral tree, exported and unpacked in the
forms each target reads) and from hand-picked edge cases written here.
For an adapter's mapping target (tests/fuzz/fuzz_<adapter>.c) the
provider objects of its samples/<adapter>/ cases are seeds too. Files this
script writes are named seed-* (delete them first to drop stale ones:
find tests/fuzz/corpus -name 'seed-*' -delete); crash regressions found by
`make fuzz` are committed beside them as crash-* and never touched here.
"""
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.path.join(TOP, "tests", "fuzz", "corpus")
NEUTRAL = os.path.join(TOP, "samples", "neutral")



def canaries():
    """kind -> text as planted, from tests/secrets/canaries.txt (made-up credentials)."""
    out = {}
    for line in open(os.path.join(TOP, "tests", "secrets", "canaries.txt")):
        if line.startswith("#") or not line.strip():
            continue
        kind, text, _ = line.rstrip("\n").split("\t")
        key = kind
        n = 2
        while key in out:
            key = "%s-%d" % (kind, n)
            n += 1
        out[key] = text.replace("\\n", "\n")
    return out


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def neutral_files():
    out = []
    for dirpath, _, files in os.walk(NEUTRAL):
        for fn in sorted(files):
            p = os.path.join(dirpath, fn)
            out.append((os.path.relpath(p, NEUTRAL), open(p, "rb").read()))
    out.sort()
    return out


def records():
    recs = []
    for rel, data in neutral_files():
        if rel.endswith(".jsonl"):
            recs += [l for l in data.decode().splitlines() if l.strip()]
        elif rel.endswith(".json") and rel != "ferry.json":
            recs.append(json.dumps(json.loads(data), separators=(",", ":")))
    return recs


def export(bin_dir, args, tree=NEUTRAL):
    """Export tree; run from its parent with a relative name, so no machine path is recorded."""
    bin_dir = os.path.abspath(bin_dir)
    with tempfile.TemporaryDirectory() as t:
        out = os.path.join(t, "a")
        subprocess.run([os.path.join(bin_dir, "ferry"), "export", "-q", "--time",
                        "2026-01-01T00:00:00Z"] + args + ["dir:" + os.path.basename(tree), "-o", out],
                       check=True, cwd=os.path.dirname(tree))
        return open(out, "rb").read()


def untar(z):
    # The end digest frame is a zstd skippable frame: zstd -d skips it.
    return subprocess.run(["zstd", "-q", "-d", "-c"], input=z, capture_output=True,
                          check=True).stdout


def small_tree(t):
    """A tree with one of everything small, raw and ledger members included."""
    os.makedirs(os.path.join(t, "threads"))
    os.makedirs(os.path.join(t, "raw", "dir"))
    os.makedirs(os.path.join(t, "ledger"))
    src = ',"source":{"adapter":"dir"}'
    open(os.path.join(t, "threads", "000001.jsonl"), "w").write(
        '{"kind":"thread","id":"t1","active_leaf":"m2"%s}\n' % src +
        '{"kind":"message","id":"m1","thread":"t1","parent":null,"role":"user","parts":[{"type":"text","text":"hi"}]%s}\n' % src +
        '{"kind":"message","id":"m2","thread":"t1","parent":"m1","role":"assistant","parts":[{"type":"text","text":"hello"}]%s}\n' % src)
    open(os.path.join(t, "raw", "dir", "orig.json"), "w").write('{"x":1}\n')
    open(os.path.join(t, "ledger", "000001.jsonl"), "w").write(
        '{"item":{"kind":"tool","id":"x"},"outcome":"dropped","reason":"r","adapter":"dir","phase":"export"}\n')


def main():
    bin_dir = sys.argv[1]
    recs = records()
    full = export(bin_dir, [])
    with tempfile.TemporaryDirectory() as t:
        t = os.path.join(t, "small")
        os.makedirs(t)
        small_tree(t)
        small = export(bin_dir, [], t)
        small_files = []
        for dirpath, _, files in os.walk(t):
            for fn in sorted(files):
                p = os.path.join(dirpath, fn)
                small_files.append((os.path.relpath(p, t), open(p, "rb").read()))
        small_files.sort()
    scoped = export(bin_dir, ["--only", "thread,message", "--since", "2026-10-01"])
    chunked = export(bin_dir, ["--agent", "support-bot"])

    # archive: whole archives.
    for name, z in (("neutral", full), ("small", small), ("scoped", scoped), ("agent", chunked)):
        put("archive", name, z)
        put("tar", name, untar(z))
    put("archive", "empty", b"")
    put("archive", "not-zstd", b"PK\x03\x04not a ferry archive")

    # json: a flags byte, then the text.
    for i, r in enumerate(recs):
        put("json", "record-%02d" % i, b"\x00" + r.encode())
    edge = [
        b"\x00[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]",
        b"\x00{\"a\":\"\\ud83d\\ude00\\u00e9\\n\\t\\\"\",\"b\":[1,-0.5e+10,true,false,null]}",
        b"\x04\"\\ud800 lone\"",
        b"\x02{\"a\":1,\"a\":2}",
        b"\x01{\"a\":1} trailing",
        b"\x20[123456789012345678901234567890]",
        b"\x08[[[[1]]]]",
        b"\x10[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18]",
        b"\x00  {  \"sp\" :  [ 1 , 2 ]  }  ",
        b"\x00\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
        b"\x00\"\xc0\xaf\"",
    ]
    for i, e in enumerate(edge):
        put("json", "edge-%02d" % i, e)

    # schema: a selector byte (see fuzz_schema.c), then one document.
    names = ["header", "manifest", "ledger", "agent", "tool", "knowledge", "workflow", "file",
             "thread", "message", "memory"]
    for r in recs:
        kind = json.loads(r)["kind"]
        put("schema", "%s-%s" % (kind, hashlib.sha256(r.encode()).hexdigest()[:8]),
            bytes([names.index(kind)]) + r.encode())
    put("schema", "header", b"\x00" + open(os.path.join(NEUTRAL, "ferry.json"), "rb").read())
    with tempfile.TemporaryDirectory() as t:
        subprocess.run(["tar", "--zstd", "-xf", "-", "-C", t], input=full, check=True)
        put("schema", "manifest", b"\x01" + open(os.path.join(t, "manifest.json"), "rb").read())
    put("schema", "ledger", b'\x02{"item":{"kind":"tool","id":"x"},"outcome":"dropped","reason":"r"}')

    # records: a scoped-mode byte, then JSON Lines.
    put("records", "neutral", b"\x00" + "\n".join(recs).encode())
    put("records", "neutral-scoped", b"\x01" + "\n".join(recs).encode())
    for rel, data in neutral_files():
        if rel.endswith(".jsonl"):
            put("records", rel.replace("/", "-"), b"\x00" + data)

    # names: member names.
    for i, (rel, _) in enumerate(neutral_files() + small_files):
        put("names", "name-%02d" % i, rel)
    for i, n in enumerate(["../x", "a/../b", "/abs", "a//b", "a\\b", "a\x1bb", "a\u202eb",
                           "A/B.JSON", "blobs/" + "0" * 64, "raw/x/y", "ledger/000001.jsonl",
                           "x" * 256, "\xc0\xaf"]):
        put("names", "edge-%02d" % i, n.encode("utf-8", "surrogateescape"))

    # record: times, ids, kind lists.
    for i, v in enumerate(["2026-10-29T08:01:00Z", "2024-02-29T23:59:59.123456789Z",
                           "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2024-01-01",
                           "2024-01-01T01:00:00+01:00", "conv-1.a_b~c", "tenant-a:user/42",
                           "agent,thread,message", "x" * 210]):
        put("record", "v-%02d" % i, v)

    # pump: an options byte (see fuzz_pump.c), then items.
    blobs = [(rel, d) for rel, d in neutral_files() if rel.startswith("blobs/")]
    items = ["R" + r for r in recs] + ["B" + d.hex() for _, d in blobs]
    base = "\n".join(items).encode()
    for opt in (0x00, 0x01, 0x04, 0x08, 0x10, 0x40, 0x80):
        put("pump", "neutral-%02x" % opt, bytes([opt]) + base)
    leaky = []
    for i, (k, v) in enumerate(sorted(canaries().items())):
        text = json.dumps("see " + v + " here")
        leaky.append('R{"kind":"memory","id":"mem-%d","scope":{"type":"user"},"type":"fact",'
                     '"text":%s,"source":{"adapter":"dir"}}' % (i, text))
    leaky.append('R{"kind":"tool","id":"t","type":"function","name":"f","config":{"api_key":"abcd1234efgh"},'
                 '"source":{"adapter":"dir"}}')
    leaky.append('L{"item":{"kind":"tool","id":"x"},"outcome":"dropped","reason":"r"}')
    leaky.append("Wdir/orig.json {\"x\":1}")
    for opt in (0x00, 0x10, 0x20):
        put("pump", "secrets-%02x" % opt, bytes([opt]) + "\n".join(leaky).encode())

    # dir: NUL-separated "T NAME\nCONTENT" entries.
    def tree(files):
        return b"\0".join((b"h " + rel.encode() + b"\n" + d.hex().encode()) if b"\0" in d
                          else (b"f " + rel.encode() + b"\n" + d) for rel, d in files)
    put("dir", "neutral", tree(neutral_files()))
    put("dir", "small", tree(small_files))
    put("dir", "symlink", tree(small_files) + b"\0l raw/dir/link\n")
    put("dir", "stray", tree(small_files) + b"\0f notes.txt\nhello\0d empty")

    # secrets: text with one canary of each shape, and all together.
    for k, v in canaries().items():
        put("secrets", k, "before " + v + " after")
    put("secrets", "all", "\n".join(canaries().values()))
    put("secrets", "near-misses", "desk-lamp-adjustable-height-model sk-short AKIA123 eyJhbGc "
        "Bearer short bearer of news -----BEGIN PUBLIC KEY-----")

    # http: two status bytes, header lines, an empty line, the body.
    def resp(status, headers, body):
        return bytes([(status - 100) >> 8, (status - 100) & 255]) + "".join(
            h + "\r\n" for h in headers).encode() + b"\n\n" + body.encode()
    put("http", "ok-page", resp(200, ["Content-Type: application/json", "x-request-id: req_1"],
                                '{"object":"list","data":[{"id":"conv_1"}],"has_more":true,"last_id":"conv_1"}'))
    put("http", "link-page", resp(200, ['Link: <https://api.example/items?page=2>; rel="next"'], "[]"))
    put("http", "429-seconds", resp(429, ["Retry-After: 7"], '{"error":{"message":"Rate limit reached"}}'))
    put("http", "429-ms", resp(429, ["retry-after-ms: 1500", "x-ratelimit-remaining-requests: 0",
                                     "x-ratelimit-reset-requests: 6m0s"], "{}"))
    put("http", "503-date", resp(503, ["Retry-After: Wed, 21 Oct 2026 07:28:00 GMT"], "unavailable"))
    put("http", "529-overloaded", resp(529, [], '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'))
    for i, (k, v) in enumerate(sorted(canaries().items())):
        body = [json.dumps({"error": {"message": "bad key " + v}}), json.dumps({"message": v}),
                json.dumps({"error": "invalid_client", "error_description": v}),
                "<Error><Code>InvalidAccessKeyId</Code><Message>%s</Message></Error>" % v][i % 4]
        put("http", "leak-" + k, resp(400 + i % 4, ["Content-Type: application/json"], body))

    # Adapter mapping targets: the provider objects of their sample cases.
    def elements(path):
        """The elements of a JSON array file (or the object itself), as text."""
        try:
            v = json.load(open(path))
        except ValueError:
            return [open(path, "rb").read()]     # a bad-json case: a seed as it is
        return [json.dumps(e).encode() for e in (v if isinstance(v, list) else [v])]

    def files_of(case, names):
        out = []
        for dirpath, _, files in os.walk(case):
            for f in sorted(files):
                if f in names or (f.endswith(".json") and os.path.basename(dirpath) in names):
                    out.append(os.path.join(dirpath, f))
        return sorted(out)

    for case in sorted(os.listdir(os.path.join(TOP, "samples", "chatgpt"))):
        d = os.path.join(TOP, "samples", "chatgpt", case)
        for i, f in enumerate(files_of(d, {"conversations.json", "conversation.json"})):
            for j, e in enumerate(elements(f)):
                put("chatgpt", "%s-%d-%d" % (case, i, j), e)
    for case in sorted(os.listdir(os.path.join(TOP, "samples", "claude"))):
        d = os.path.join(TOP, "samples", "claude", case)
        for i, f in enumerate(files_of(d, {"conversations.json", "projects.json", "memories.json",
                                            "projects", "memories"})):
            sel = 1 if "project" in f else 2 if "memor" in f else 0
            for j, e in enumerate(elements(f) if sel != 2 else [open(f, "rb").read()]):
                put("claude", "%s-%d-%d" % (case, i, j), bytes([sel]) + e)
    # jarray: a read-size byte, then a file.
    for i, f in enumerate(files_of(os.path.join(TOP, "samples", "chatgpt"), {"conversations.json"})[:4]):
        put("jarray", "chatgpt-%d" % i, bytes([7 + i * 40]) + open(f, "rb").read())
    for i, t in enumerate([b"[]", b" [ 1 , {\"a\":[2]} , \"x\" ] ", b"[1,2,", b"[1 2]", b"{\"one\":1}",
                           b"[\"]\\\"[\"]", b"\xef\xbb\xbf[1]"]):
        put("jarray", "edge-%d" % i, bytes([i * 37 % 256 | (0x80 if t.startswith(b"{") else 0)]) + t)

    # agentcore: 0 + an Event array, or 1 + {"record", "strategies"}.
    seed = json.load(open(os.path.join(TOP, "tests", "aws", "seed-agentcore.json")))
    for mi, mem in enumerate(seed["memories"]):
        sessions = {}
        for e in mem.get("events", []):
            ev = dict(e)
            ev["eventId"] = ev.pop("ref", "e")
            ev["memoryId"] = "mem-1"
            sessions.setdefault((ev.get("actorId"), ev.get("sessionId")), []).append(ev)
        for si, evs in enumerate(sessions.values()):
            put("agentcore", "session-%d-%d" % (mi, si), b"\x00" + json.dumps(evs).encode())
        strategies = []
        for k, st in enumerate(mem.get("memoryStrategies", [])):
            (kind, body), = st.items()
            strategies.append({"strategyId": "s%d" % k, "name": body.get("name"),
                               "type": kind.replace("MemoryStrategy", "").upper(),
                               "namespaces": body.get("namespaces", [])})
        for ri, r in enumerate(mem.get("records", [])):
            rec = dict(r)
            rec["memoryRecordId"] = "mr-%d" % ri
            names = [x["name"] for x in strategies]
            if rec.get("strategy") in names:
                rec["memoryStrategyId"] = "s%d" % names.index(rec.pop("strategy"))
            put("agentcore", "record-%d-%d" % (mi, ri),
                b"\x01" + json.dumps({"record": rec, "strategies": strategies}).encode())

    # bedrock_flow: flow documents.
    for case in sorted(os.listdir(os.path.join(TOP, "samples", "bedrock-flow"))):
        d = os.path.join(TOP, "samples", "bedrock-flow", case)
        for f in files_of(d, {"flow.json"}):
            put("bedrock_flow", case, open(f, "rb").read())

    # Mapping targets added with the openai, azure, letta-af, n8n, agentspec and
    # bedrock-agents adapters: compact JSON (a seed stays a few KB).
    def compact(v):
        return json.dumps(v, separators=(",", ":"), ensure_ascii=False).encode()

    # openai: a selector byte (see fuzz_openai.c; 0x80: azure), then JSON.
    with tempfile.TemporaryDirectory() as t:
        fx = os.path.join(t, "fx.json")
        subprocess.run([sys.executable, os.path.join(TOP, "tests", "lib", "provgen.py"), fx,
                        "--convs", "1", "--items", "17", "--files", "2", "--agents", "1"], check=True)
        acct = json.load(open(fx))["accounts"]["A"]
    conv = acct["conversations"][0]
    for k, it in enumerate(conv["items"]):
        one = dict(conv, items=[it])
        put("openai", "item-%02d-%s" % (k, it["type"]), b"\x00" + compact(one))
    put("openai", "conversation", b"\x80" + compact(dict(conv, items=conv["items"][:4])))
    for i, r in enumerate(acct["responses"]):
        put("openai", "response-%d" % i, b"\x01" + compact(r))
    for i, c in enumerate(acct["chatkit"]):
        put("openai", "chatkit-%d" % i, b"\x02" + compact(c))
    for i, f in enumerate(acct["files"]):
        f = {k: v for k, v in f.items() if k != "content_b64"}     # the simulator's, not the API's
        put("openai", "file-%d" % i, bytes([0x03 | (0x80 * (i & 1))]) + compact(f))
    for i, vs in enumerate(acct["vector_stores"]):
        put("openai", "vector-store-%d" % i, b"\x04" + compact(vs))
    dump = os.path.join(TOP, "samples", "openai", "assistants-dump", "dump")
    lines = []
    for f in files_of(dump, {"assistants.json", "thread.json", "messages.json", "runs.jsonl"}):
        for l in open(f).read().splitlines() if f.endswith(".jsonl") else [open(f).read()]:
            if l.strip():
                lines.append(compact(json.loads(l)))
    put("openai", "assistants-dump", b"\x05" + b"\n".join(lines))
    for i, th in enumerate(acct["threads"]):
        objs = acct["assistants"] + [th["thread"]] + th["messages"] + th["runs"] + \
            [{"object": "list", "data": v, "has_more": False} for v in th["steps"].values()]
        put("openai", "classic-%d" % i, b"\x85" + b"\n".join(compact(o) for o in objs))
    for name, vers in sorted(acct["agents"].items()):
        put("openai", "azure-agent-" + name, b"\x86" + compact(vers))
    for i, m in enumerate(acct["memory_stores"]):
        put("openai", "azure-memory-%d" % i, b"\x87" + compact({"store": m["obj"], "items": m["items"]}))
    msgs = [l for l in open(os.path.join(TOP, "samples", "openai", "assistants-dump", "expected.jsonl"))
            if '"kind":"message"' in l.replace(" ", "")]
    msgs += [r for r in recs if json.loads(r)["kind"] == "message"][:4]
    for i, m in enumerate(msgs):
        put("openai", "import-%02d" % i, bytes([(0x08, 0x11, 0x1a, 0xa3)[i % 4]]) + compact(json.loads(m)))

    # letta: agent files, the larger ones with each agent's messages cut to three
    # (an error case only where its error survives the cut: see the .af file's stderr).
    for case in sorted(os.listdir(os.path.join(TOP, "samples", "letta-af"))):
        d = os.path.join(TOP, "samples", "letta-af", case)
        for dirpath, _, fs in os.walk(d):
            for fn in sorted(fs):
                if not fn.endswith(".af"):
                    continue
                raw = open(os.path.join(dirpath, fn), "rb").read()
                name = "%s-%s" % (case, fn[:-3])
                try:
                    v = json.loads(raw)
                except ValueError:
                    put("letta", name, raw[:3000])      # truncated: a shorter cut is one too
                    continue
                wrapped = isinstance(v, str)
                if wrapped:
                    v = json.loads(v)
                if case not in ("error-in-context",) and len(compact(v)) > 6000:
                    for a in v.get("agents", []) if isinstance(v, dict) else []:
                        keep = a.get("messages", [])[:3]
                        ids = {m.get("id") for m in keep}
                        a["messages"] = keep
                        if isinstance(a.get("in_context_message_ids"), list):
                            a["in_context_message_ids"] = [x for x in a["in_context_message_ids"] if x in ids]
                out = compact(v)
                put("letta", name, json.dumps(out.decode(), ensure_ascii=False).encode() if wrapped else out)

    # n8n: 0 + a workflow file (its elements one by one), 1 + a workflow with executions.
    for case in sorted(os.listdir(os.path.join(TOP, "samples", "n8n"))):
        d = os.path.join(TOP, "samples", "n8n", case)
        for dirpath, _, fs in os.walk(d):
            for fn in sorted(fs):
                if not fn.endswith(".json") or fn == "expected.jsonl":
                    continue
                v = json.load(open(os.path.join(dirpath, fn)))
                for j, e in enumerate(v if isinstance(v, list) else [v]):
                    put("n8n", "%s-%s-%d" % (case, fn[:-5], j), b"\x00" + compact(e))
    node = lambda i, n, t, p=None, **kw: dict({"id": i, "name": n, "type": t, "typeVersion": 1,
                                                "position": [0, 0], "parameters": p or {}}, **kw)
    chat = {"id": "w1", "name": "Chat", "active": False, "nodes": [
        node("t", "When chat message received", "@n8n/n8n-nodes-langchain.chatTrigger"),
        node("a", "AI Agent", "@n8n/n8n-nodes-langchain.agent", {"options": {"systemMessage": "Be brief"}}),
        node("m", "Model", "@n8n/n8n-nodes-langchain.lmChatOpenAi", {"model": {"__rl": True, "value": "gpt-4o-mini"}},
             credentials={"openAiApi": {"id": "c1", "name": "Key"}}),
        node("s", "Simple Memory", "@n8n/n8n-nodes-langchain.memoryBufferWindow"),
        node("c", "Calculator", "@n8n/n8n-nodes-langchain.toolCalculator")],
        "connections": {"When chat message received": {"main": [[{"node": "AI Agent", "type": "main", "index": 0}]]},
                        "Model": {"ai_languageModel": [[{"node": "AI Agent", "type": "ai_languageModel", "index": 0}]]},
                        "Simple Memory": {"ai_memory": [[{"node": "AI Agent", "type": "ai_memory", "index": 0}]]},
                        "Calculator": {"ai_tool": [[{"node": "AI Agent", "type": "ai_tool", "index": 0}]]}}}
    lc = lambda cls, text: {"lc": 1, "type": "constructor", "id": ["langchain_core", "messages", cls],
                            "kwargs": {"content": text}}
    def execution(n, session, ask, answer, history):
        return {"id": str(n), "status": "success", "startedAt": "2026-11-26T14:3%d:59.262Z" % n,
                "stoppedAt": "2026-11-26T14:3%d:59.397Z" % n, "data": {"resultData": {"runData": {
                    "When chat message received": [{"data": {"main": [[{"json": {
                        "action": "sendMessage", "sessionId": session, "chatInput": ask}}]]}}],
                    "Simple Memory": [{"data": {"ai_memory": [[{"json": {
                        "action": "loadMemoryVariables", "chatHistory": history}}]]}}],
                    "Calculator": [{"startTime": 1795703639367, "data": {"ai_tool": [[{"json": {"response": "5"}}]]}}],
                    "AI Agent": [{"metadata": {"subNodeExecutionData": {"actions": [{"action": {
                        "nodeName": "Calculator", "input": {"input": "2+3"}, "type": "ai_tool", "id": "call_8"},
                        "nodeName": "Calculator", "runIndex": 0}]}},
                        "data": {"main": [[{"json": {"output": answer}}]]}}]}}}}
    ex = [execution(2, "s-1", "what is 2+3?", "The calculator says 5.", [lc("HumanMessage", "hello"), lc("AIMessage", "Hi")]),
          execution(3, "s-1", "and 2+4?", "6.", [lc("HumanMessage", "what is 2+3?"), lc("AIMessage", "The calculator says 5.")]),
          execution(4, "s-2", "hi", "Hello!", [])]
    put("n8n", "chat-executions", b"\x01" + compact({"workflow": chat, "executions": ex}))
    put("n8n", "chat-no-executions", b"\x01" + compact({"workflow": chat, "executions": []}))

    # agentspec: documents (the folder case holds the other cases' documents again).
    for case in sorted(set(os.listdir(os.path.join(TOP, "samples", "agentspec"))) - {"folder"}):
        d = os.path.join(TOP, "samples", "agentspec", case)
        for dirpath, _, fs in os.walk(d):
            for fn in sorted(fs):
                if fn.endswith(".json"):
                    put("agentspec", "%s-%s" % (case, fn[:-5]), compact(json.load(open(os.path.join(dirpath, fn)))))

    # bedrock_agents: 0 + {"agentActionGroup": ...}, 1 + {"session": ..., "steps": [...]}.
    seed = json.load(open(os.path.join(TOP, "tests", "aws", "seed-bedrock.json")))
    uid = lambda *p: str(__import__("uuid").UUID(hashlib.sha256("|".join(p).encode()).hexdigest()[:32]))
    for si, sess in enumerate(seed["sessions"]):
        sid = uid("s", str(si))
        steps = []
        for ii, inv in enumerate(sess["invocations"]):
            for ki, st in enumerate(inv["steps"]):
                steps.append(dict(st, sessionId=sid, invocationId=uid("i", str(si), str(ii)),
                                  invocationStepId=uid("st", str(si), str(ii), str(ki))))
        s = {"sessionId": sid, "sessionArn": "arn:aws:bedrock:us-east-1:111111111111:session/" + sid,
             "sessionStatus": "ACTIVE", "createdAt": "2026-03-02T10:14:00Z", "lastUpdatedAt": "2026-03-02T10:16:12Z",
             "sessionMetadata": sess.get("sessionMetadata", {})}
        put("bedrock_agents", "session-%d" % si, b"\x01" + compact({"session": s, "steps": steps}))
        # as ferry writes one: roles, the tree of branches and the leaf in the metadata
        ids = [x["invocationStepId"] for x in steps]
        meta = dict(s["sessionMetadata"], ferry_roles="uaua"[:len(steps)], ferry_title="Order 1421",
                    ferry_tree=",".join("%s>%s" % (ids[k][:8], ids[k - 1][:8]) for k in range(1, len(ids))),
                    ferry_leaf=ids[-1][:8])
        steps[1]["payload"]["contentBlocks"].append({"text": json.dumps({"ferry_part": {
            "type": "tool_call", "id": "call_1", "name": "lookup", "arguments": "{}"}})})
        put("bedrock_agents", "session-%d-ferry" % si, b"\x01" + compact({"session": dict(s, sessionMetadata=meta),
                                                                          "steps": steps}))
    base = {"agentId": "AGENT12345", "agentVersion": "DRAFT", "actionGroupId": "AG1", "actionGroupName": "orders",
            "actionGroupState": "ENABLED", "description": "Order lookups", "createdAt": "2026-03-01T09:00:00Z",
            "updatedAt": "2026-03-01T09:00:00.5Z",
            "actionGroupExecutor": {"lambda": "arn:aws:lambda:us-east-1:111111111111:function:orders"}}
    groups = {
        "functions": {"functionSchema": {"functions": [
            {"name": "get_order", "description": "Find an order", "requireConfirmation": "DISABLED",
             "parameters": {"order_id": {"type": "string", "description": "Order number", "required": True},
                            "fields": {"type": "array", "required": False}}},
            {"name": "cancel_order", "parameters": {}, "requireConfirmation": "ENABLED"}]}},
        "openapi-json": {"apiSchema": {"payload": json.dumps({"openapi": "3.0.0", "info": {"title": "Orders", "version": "1"},
                                                             "paths": {"/orders/{id}": {"get": {"operationId": "getOrder"}}}})}},
        "openapi-yaml": {"apiSchema": {"payload": "openapi: 3.0.0\ninfo:\n  title: Orders\n  version: '1'\npaths: {}\n"}},
        "openapi-s3": {"apiSchema": {"s3": {"s3BucketName": "acme-schemas", "s3ObjectKey": "orders/openapi.json"}}},
        "code-interpreter": {"parentActionSignature": "AMAZON.CodeInterpreter", "actionGroupExecutor": None},
        "user-input": {"parentActionGroupSignature": "AMAZON.UserInput", "actionGroupExecutor": None},
    }
    for name, extra in groups.items():
        g = {k: v for k, v in dict(base, **extra).items() if v is not None}
        put("bedrock_agents", "action-group-" + name, b"\x00" + compact({"agentActionGroup": g}))

    # bundle: account export zips (and hostile ones: names, sizes, truncation).
    import zipfile
    for adapter in ("chatgpt", "claude"):
        root = os.path.join(TOP, "samples", adapter, "export-folder", "export")
        zb = io.BytesIO()
        with zipfile.ZipFile(zb, "w", zipfile.ZIP_DEFLATED) as zf:
            for dirpath, _, files in os.walk(root):
                for f in sorted(files):
                    full = os.path.join(dirpath, f)
                    zi = zipfile.ZipInfo(os.path.relpath(full, root), (2026, 1, 1, 0, 0, 0))
                    zi.compress_type = zipfile.ZIP_DEFLATED
                    zf.writestr(zi, open(full, "rb").read())
        put("bundle", adapter, zb.getvalue())
        put("bundle", adapter + "-truncated", zb.getvalue()[:len(zb.getvalue()) * 2 // 3])
    zb = io.BytesIO()
    with zipfile.ZipFile(zb, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ("../../etc/evil.json", "/abs/conversations.json", "a/./b/../conversations.json",
                     "dir/", "x" * 300 + ".json"):
            zf.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), "[]")
        zi = zipfile.ZipInfo("zeros.bin", (2026, 1, 1, 0, 0, 0))
        zi.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(zi, b"\0" * (4 << 20))
    put("bundle", "hostile", zb.getvalue())
    put("bundle", "single-file", b'[{"title":"t","mapping":{}}]')

    # repo: 0 archive names, 1 lock files, 2 durations, 3 S3 XML.
    for i, k in enumerate(["dir-neutral-20260101T000000Z.ferry", "openai-20261231T235959Z.ferry",
                           "x-19700101T000000Z.ferry", "bad-2026.ferry", "../x-20260101T000000Z.ferry"]):
        put("repo", "key-%d" % i, b"\x00" + k.encode())
    put("repo", "lock", b"\x01" + json.dumps({"host": "h", "machine_id": "m", "boot_id": "b", "pid": 42,
                                              "start_ticks": 7, "started": "2026-01-01T00:00:00Z",
                                              "command": "backup", "token": "0" * 32}).encode())
    for i, dur in enumerate(["1y2m3d4h", "0h", "unlimited", "7", "99999y", "4h"]):
        put("repo", "duration-%d" % i, b"\x02" + dur.encode() + bytes(range(1, 40)))
    put("repo", "xml-list", b"\x03<?xml version=\"1.0\"?><ListBucketResult><IsTruncated>true</IsTruncated>"
        b"<Contents><Key>a-20260101T000000Z.ferry</Key><Size>12</Size></Contents>"
        b"<NextContinuationToken>t&amp;k&#65;&#x42;</NextContinuationToken></ListBucketResult>")
    put("repo", "xml-error", b"\x03<Error><Code>AccessDenied</Code><Message>no &lt;way&gt;</Message></Error>")


if __name__ == "__main__":
    main()
