#!/usr/bin/env python3
"""secrets.py - build inputs with canary credentials, and count leaks.

    secrets.py trees OUT          write source trees (dir adapter) into OUT:
                                  content/ (canaries in conversation text and
                                  memory) and one tree per configuration place
    secrets.py providers OUT      provider inputs with canaries: chatgpt.json,
                                  claude/ (an export), flow.json (Bedrock Flows)
    secrets.py scan PATH...       count canaries in files, folders and ferry
                                  archives (decompressed, every member, JSON
                                  strings decoded as well as raw bytes); prints
                                  "N canaries" and one line per find
    secrets.py kinds              the kinds in canaries.txt, one a line

The canaries are in canaries.txt beside this script.
"""
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def canaries():
    out = []
    for line in open(os.path.join(HERE, "canaries.txt")):
        if line.startswith("#") or not line.strip():
            continue
        kind, text, secret = line.rstrip("\n").split("\t")
        out.append((kind, text.replace("\\n", "\n"), secret))
    return out


SRC = {"adapter": "dir"}


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)


def trees(out):
    neutral = os.path.join(TOP, "samples", "neutral")
    cs = canaries()
    # content: every canary in every kind of conversation text and in memory.
    t = os.path.join(out, "content")
    shutil.copytree(neutral, t)
    lines = [json.dumps({"kind": "thread", "id": "t-leaky", "title": "keys pasted by users",
                         "active_leaf": "k%d" % (len(cs) - 1), "source": SRC})]
    parent = None
    for i, (kind, text, _) in enumerate(cs):
        where = i % 5
        if where == 0:
            parts = [{"type": "text", "text": "my key is " + text + " please keep it"}]
        elif where == 1:
            parts = [{"type": "tool_call", "id": "c%d" % i, "name": "deploy",
                      "arguments": json.dumps({"token": text})}]
        elif where == 2:
            parts = [{"type": "tool_result", "call_id": "c%d" % i, "output": "error: invalid credential " + text}]
        elif where == 3:
            parts = [{"type": "reasoning", "format": "plain", "text": "the user shared " + text}]
        else:
            parts = [{"type": "code", "language": "python", "code": "client = Client(%r)" % text}]
        lines.append(json.dumps({"kind": "message", "id": "k%d" % i, "thread": "t-leaky", "parent": parent,
                                 "role": "user", "parts": parts, "source": SRC}))
        parent = "k%d" % i
    # The same text with JSON escapes that hide the shape from a byte scan.
    hidden = cs[0][1]
    esc = json.dumps("escaped: " + hidden).replace("sk-", "\\u0073k-", 1)
    lines.append('{"kind":"message","id":"k-esc","thread":"t-leaky","parent":"k0","role":"user",'
                 '"parts":[{"type":"text","text":%s}],"source":{"adapter":"dir"}}' % esc)
    aws = [c for c in cs if c[0] == "aws-secret-key"][0][1]
    esc = json.dumps("slash: " + aws).replace("/", "\\/")
    lines.append('{"kind":"message","id":"k-slash","thread":"t-leaky","parent":"k0","role":"user",'
                 '"parts":[{"type":"text","text":%s}],"source":{"adapter":"dir"}}' % esc)
    with open(os.path.join(t, "threads", "000002.jsonl"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(t, "memory", "000002.jsonl"), "w") as f:
        for i, (kind, text, _) in enumerate(cs):
            f.write(json.dumps({"kind": "memory", "id": "leak-%d" % i, "scope": {"type": "user"},
                                "type": "fact", "label": "credential",
                                "text": "The user's %s is %s" % (kind, text), "source": SRC}) + "\n")
    # Configuration: one tree per place a credential must never be literal.
    bearer = [c for c in cs if c[0] == "bearer-token"][0][1].split(": ", 1)[1]
    openai = cs[0][1]
    places = {
        "mcp-header": ("tools/crm-mcp.json", lambda r: r["mcp"]["headers"].update({"Authorization": bearer})),
        "mcp-env": ("tools/crm-mcp.json", lambda r: r["mcp"].update({"env": {"OPENAI_API_KEY": openai}})),
        "tool-config-key": ("tools/lookup-order.json", lambda r: r.update({"config": {"api_key": "c4n4ry-l1ter4l-v4lue"}})),
        "tool-config-shape": ("tools/lookup-order.json", lambda r: r.update({"config": {"notes": "uses " + openai}})),
        "tool-openapi-auth": ("tools/lookup-order.json", lambda r: r.update({"openapi": {"url": "https://x.example/openapi.json",
                                                                                       "headers": {"X-Api-Key": "c4n4ry-l1ter4l-v4lue"}}})),
        "agent-instructions": ("agents/support-bot.json", lambda r: r.update({"instructions": r["instructions"] + " AWS: AKIACANARY0123456789"})),
        "agent-metadata": ("agents/support-bot.json", lambda r: r["metadata"].update({"client_secret": "c4n4ry-l1ter4l-v4lue"})),
        "workflow-node": ("workflows/returns-triage.json",
                          lambda r: r["nodes"][1]["config"].update({"headers": {"Authorization": "Bearer " + bearer.split(" ", 1)[1]}})),
    }
    for name, (rel, change) in places.items():
        t = os.path.join(out, name)
        shutil.copytree(neutral, t)
        rec = json.load(open(os.path.join(t, rel)))
        change(rec)
        write_json(os.path.join(t, rel), rec)


def providers(out):
    """Provider inputs with canaries: a ChatGPT export (conversation text), a
    Claude export (a project's instructions: configuration), a Bedrock flow
    (a node's configuration)."""
    cs = canaries()
    os.makedirs(out, exist_ok=True)
    conv = json.load(open(os.path.join(TOP, "samples", "chatgpt", "branches", "conversations.json")))
    n = 0
    for c in conv:
        for node in c["mapping"].values():
            msg = node.get("message")
            if msg and msg["content"].get("content_type") == "text" and n < len(cs):
                msg["content"]["parts"] = ["here is my key: " + cs[n][1]]
                n += 1
    with open(os.path.join(out, "chatgpt.json"), "w") as f:
        json.dump(conv, f)
    with open(os.path.join(out, "chatgpt.count"), "w") as f:
        f.write("%d\n" % n)
    shutil.copytree(os.path.join(TOP, "samples", "claude", "export-folder", "export"), os.path.join(out, "claude"))
    projects = json.load(open(os.path.join(out, "claude", "projects.json")))
    projects[0]["prompt_template"] = "Use the key " + cs[0][1] + " for the API."
    with open(os.path.join(out, "claude", "projects.json"), "w") as f:
        json.dump(projects, f)
    flow = json.load(open(os.path.join(TOP, "samples", "bedrock-flow", "flow", "flow.json"))
                     if os.path.exists(os.path.join(TOP, "samples", "bedrock-flow", "flow", "flow.json"))
                     else open([os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(TOP, "samples", "bedrock-flow"))
                                for f in fs if f == "flow.json"][0]))
    flow["definition"]["nodes"][0]["configuration"]["input"] = {"headers": {"Authorization": "Bearer " + cs[9][2]}}
    with open(os.path.join(out, "flow.json"), "w") as f:
        json.dump(flow, f)


def blobs_of(path):
    """(name, bytes) of every file in a folder, or every member of a ferry archive, or the file."""
    if os.path.isdir(path):
        for dirpath, _, files in os.walk(path):
            for f in files:
                p = os.path.join(dirpath, f)
                yield p, open(p, "rb").read()
        return
    data = open(path, "rb").read()
    if data[:4] == b"\x28\xb5\x2f\xfd":
        tar = subprocess.run(["zstd", "-q", "-d", "-c"], input=data, capture_output=True).stdout
        yield path + " (decompressed)", tar
        with tarfile.open(fileobj=io.BytesIO(tar)) as t:
            for m in t:
                if m.isfile():
                    yield path + ":" + m.name, t.extractfile(m).read()
        return
    yield path, data


def decoded(data):
    """Every JSON string of data (JSON or JSON Lines), decoded, joined."""
    out = []

    def walk(v):
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, dict):
            for k, x in v.items():
                out.append(k)
                walk(x)
    text = data.decode("utf-8", "replace")
    try:
        walk(json.loads(text))
    except ValueError:
        for line in text.splitlines():
            try:
                walk(json.loads(line))
            except ValueError:
                pass
    return "\n".join(out)


def scan(paths):
    finds = []
    for p in paths:
        for name, data in blobs_of(p):
            text = data.decode("utf-8", "replace")
            dec = decoded(data)
            for kind, _, secret in canaries():
                n = max(text.count(secret), dec.count(secret))
                if n:
                    finds.append("%s: %d x %s" % (name, n, kind))
    print("%d canaries" % len(finds))
    for f in finds:
        print(f)
    return len(finds)


def main():
    cmd = sys.argv[1]
    if cmd == "trees":
        trees(sys.argv[2])
    elif cmd == "providers":
        providers(sys.argv[2])
    elif cmd == "scan":
        scan(sys.argv[2:])
    elif cmd == "kinds":
        for k in sorted({c[0] for c in canaries()}):
            print(k)


if __name__ == "__main__":
    main()
