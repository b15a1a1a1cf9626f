#!/usr/bin/env python3
"""normalize.py - the account-independent content of an agentcore export
(ferry cat output on stdin), one JSON line per thing, sorted, so exports
of two accounts can be compared with diff:

  thread  actor, session, and every message in archive order with its
          time, role, text, branch name, and its parent by position
  memory  text, namespace (strategy ids written as strategy names),
          strategy, type, time
  agent   name, instructions, model, tool names and types

Ids and ARNs differ between accounts and are left out; order is kept
where it means something (messages of a thread)."""
import json
import sys

threads, order, mems, agents, tools = {}, [], [], [], {}
for line in sys.stdin:
    r = json.loads(line)
    k = r.get("kind")
    if k == "thread":
        ext = r.get("ext", {}).get("agentcore", {})
        key = (ext.get("actorId"), ext.get("sessionId"))
        threads[r["id"]] = {"actor": key[0], "session": key[1], "created": r.get("created"),
                            "messages": [], "pos": {}}
    elif k == "message":
        t = threads[r["thread"]]
        ext = r.get("ext", {}).get("agentcore", {})
        t["pos"][r["id"]] = len(t["messages"])
        t["messages"].append({
            "created": r.get("created"), "role": r["role"],
            "parts": [p.get("text", p) for p in r["parts"]],
            "branch": (ext.get("branch") or {}).get("name"),
            "parent": t["pos"].get(r.get("parent")) if r.get("parent") else None,
            "metadata": ext.get("metadata")})
    elif k == "memory":
        ext = r.get("ext", {}).get("agentcore", {})
        ns = r.get("scope", {}).get("namespace")
        if ns and ext.get("memoryStrategyId"):
            ns = ns.replace(ext["memoryStrategyId"], "{" + (ext.get("strategyName") or "") + "}")
        mems.append({"text": r["text"], "namespace": ns, "strategy": r.get("strategy"),
                     "type": r["type"], "created": r.get("created"),
                     "user": r.get("scope", {}).get("user")})
    elif k == "tool":
        tools[r["id"]] = {"name": r["name"], "type": r["type"], "parameters": r.get("parameters"),
                          "mcp": r.get("mcp")}
    elif k == "agent":
        agents.append(r)

out = []
for t in threads.values():
    t.pop("pos")
    out.append({"thread": t})
for m in mems:
    out.append({"memory": m})
for a in agents:
    out.append({"agent": {"name": a["name"], "instructions": a.get("instructions"),
                          "model": a.get("model"),
                          "tools": sorted([tools.get(t, {"missing": t}) for t in a.get("tools", [])],
                                          key=lambda x: json.dumps(x, sort_keys=True))}})
for o in sorted(json.dumps(x, sort_keys=True) for x in out):
    print(o)
