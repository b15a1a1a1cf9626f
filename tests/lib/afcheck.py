#!/usr/bin/env python3
"""afcheck.py - check that agent files match Letta's published current schema.

An independent checker (it shares no code with ferry) for the .af files
ferry writes. It follows the schema and the import checks Letta publishes:
  letta-ai/letta letta/schemas/agent_file.py      AgentFileSchema and its entities
  letta-ai/letta letta/services/agent_serialization_manager.py
                                                  _validate_schema (id formats,
                                                  duplicates, file references) and
                                                  import_file (what must resolve)
  letta-ai/letta letta/schemas/agent.py           CreateAgent (name pattern)
  letta-ai/letta letta/schemas/block.py           CreateBlock (label, value, limit)
  letta-ai/letta letta/schemas/llm_config.py      LLMConfig required fields
  letta-ai/letta letta/schemas/embedding_config.py EmbeddingConfig required fields
  letta-ai/letta letta/schemas/letta_message_content.py  content item types

Usage: afcheck.py FILE.af... ; prints "ok FILE" or one line per fault, and
exits 1 when any file has a fault. Secrets: no tool environment value, MCP
token, header or environment may be written.
"""
import json
import re
import sys

ENTITIES = [("agents", "agent"), ("groups", "group"), ("blocks", "block"), ("files", "file"),
            ("sources", "source"), ("tools", "tool"), ("mcp_servers", "mcp_server")]
ROLES = {"assistant", "user", "tool", "function", "system", "approval"}
CONTENT = {"text": ["text"], "image": ["source"], "tool_call": ["id", "name", "input"],
           "tool_return": ["tool_call_id", "content", "is_error"], "reasoning": ["is_native", "reasoning"],
           "redacted_reasoning": ["data"], "omitted_reasoning": []}
LLM_ENDPOINTS = {"openai", "anthropic", "google_ai", "google_vertex", "azure", "groq", "ollama", "webui",
                 "webui-legacy", "lmstudio", "lmstudio-legacy", "lmstudio-chatcompletions", "llamacpp",
                 "koboldcpp", "vllm", "hugging-face", "minimax", "mistral", "together", "bedrock",
                 "deepseek", "xai", "zai", "fireworks", "openrouter", "chatgpt_oauth"}
EMB_ENDPOINTS = {"openai", "anthropic", "bedrock", "cohere", "google_ai", "google_vertex", "azure", "groq",
                 "ollama", "webui", "webui-legacy", "lmstudio", "lmstudio-legacy", "llamacpp", "koboldcpp",
                 "vllm", "hugging-face", "mistral", "together", "voyageai"}
NAME = re.compile(r"^[A-Za-z0-9 _-]+$")


def check(path):
    faults = []

    def bad(where, what):
        faults.append("%s: %s: %s" % (path, where, what))

    with open(path, "rb") as f:
        raw = f.read()
    dups = []

    def pairs(kv):
        seen = {}
        for k, v in kv:
            if k in seen:
                dups.append(k)
            seen[k] = v
        return seen

    try:
        doc = json.loads(raw, object_pairs_hook=pairs)
    except ValueError as e:
        return ["%s: not JSON: %s" % (path, e)]
    for k in dups:
        bad("document", "key %r appears twice in one object" % k)
    if not isinstance(doc, dict):
        return ["%s: the document is not an object" % path]
    ids = {}
    for key, prefix in ENTITIES:
        if not isinstance(doc.get(key), list):
            bad(key, "required list missing")
            continue
        for i, e in enumerate(doc[key]):
            where = "%s[%d]" % (key, i)
            if not isinstance(e, dict):
                bad(where, "not an object")
                continue
            eid = e.get("id")
            if not isinstance(eid, str) or not re.match(r"^%s-\d+$" % re.escape(prefix), eid):
                bad(where, "id %r is not '%s-<integer>'" % (eid, prefix))
            elif eid in ids:
                bad(where, "id %s appears twice" % eid)
            else:
                ids[eid] = key
    md = doc.get("metadata", {})
    if md is not None and (not isinstance(md, dict) or not all(isinstance(v, str) for v in md.values())):
        bad("metadata", "not a dict of strings")

    def have(kind, i):
        return isinstance(i, str) and ids.get(i) == kind

    def llm(where, c):
        if not isinstance(c, dict):
            return bad(where, "not an object")
        if not isinstance(c.get("model"), str):
            bad(where, "model missing")
        if c.get("model_endpoint_type") not in LLM_ENDPOINTS:
            bad(where, "model_endpoint_type %r is not a Letta endpoint type" % c.get("model_endpoint_type"))
        if not isinstance(c.get("context_window"), int):
            bad(where, "context_window missing")

    def emb(where, c):
        if not isinstance(c, dict):
            return bad(where, "not an object")
        if c.get("embedding_endpoint_type") not in EMB_ENDPOINTS:
            bad(where, "embedding_endpoint_type %r is not a Letta endpoint type" % c.get("embedding_endpoint_type"))
        if not isinstance(c.get("embedding_model"), str):
            bad(where, "embedding_model missing")
        if not isinstance(c.get("embedding_dim"), int):
            bad(where, "embedding_dim missing")

    for i, a in enumerate(doc.get("agents") or []):
        where = "agents[%d]" % i
        if not isinstance(a, dict):
            continue
        if "name" in a and (not isinstance(a["name"], str) or not NAME.match(a["name"])):
            bad(where, "name %r does not match ^[A-Za-z0-9 _-]+$" % a.get("name"))
        for key, kind in (("tool_ids", "tools"), ("block_ids", "blocks"), ("source_ids", "sources"),
                          ("group_ids", "groups")):
            for r in a.get(key) or []:
                if not have(kind, r):
                    bad(where, "%s: %r does not resolve" % (key, r))
        if a.get("llm_config") is not None:
            llm(where + ".llm_config", a["llm_config"])
        if a.get("embedding_config") is not None:
            emb(where + ".embedding_config", a["embedding_config"])
        for key in ("tool_exec_environment_variables", "secrets"):
            v = a.get(key)
            if v and any(x not in ("", None) for x in v.values()):
                bad(where, "%s carries values (secrets must never be written)" % key)
        msgs = {}
        for j, m in enumerate(a.get("messages") or []):
            mw = "%s.messages[%d]" % (where, j)
            if not isinstance(m, dict):
                bad(mw, "not an object")
                continue
            mid = m.get("id")
            if not isinstance(mid, str) or not re.match(r"^message-\d+$", mid):
                bad(mw, "id %r is not 'message-<integer>'" % mid)
            elif mid in ids or mid in msgs:
                bad(mw, "id %s appears twice" % mid)
            else:
                msgs[mid] = m
                ids[mid] = "messages"
            if m.get("role") not in ROLES:
                bad(mw, "role %r" % m.get("role"))
            c = m.get("content")
            if not isinstance(c, (str, list)):
                bad(mw, "content is neither a string nor a list")
            for k, it in enumerate(c if isinstance(c, list) else []):
                t = it.get("type") if isinstance(it, dict) else None
                if t not in CONTENT:
                    bad(mw, "content[%d]: type %r" % (k, t))
                    continue
                for req in CONTENT[t]:
                    if req not in it:
                        bad(mw, "content[%d]: %s missing" % (k, req))
                if t == "image":
                    s = it["source"] if isinstance(it.get("source"), dict) else {}
                    if s.get("type") == "base64" and not (isinstance(s.get("data"), str) and s.get("media_type")):
                        bad(mw, "content[%d]: base64 image without data or media_type" % k)
                    if s.get("type") not in ("base64", "url", "letta"):
                        bad(mw, "content[%d]: image source type %r" % (k, s.get("type")))
            for k, tc in enumerate(m.get("tool_calls") or []):
                fn = tc.get("function") if isinstance(tc, dict) else None
                if (not isinstance(tc, dict) or not isinstance(tc.get("id"), str) or tc.get("type") != "function"
                        or not isinstance(fn, dict) or not isinstance(fn.get("name"), str)
                        or not isinstance(fn.get("arguments"), str)):
                    bad(mw, "tool_calls[%d] is not an OpenAI function call" % k)
            if m.get("agent_id") not in (None, a.get("id")):
                bad(mw, "agent_id %r is not its agent" % m.get("agent_id"))
        for r in a.get("in_context_message_ids") or []:
            if r not in msgs:
                bad(where, "in_context_message_ids: %r is not a message of the agent" % r)
        for k, fa in enumerate(a.get("files_agents") or []):
            if not have("files", fa.get("file_id")) or not have("sources", fa.get("source_id")) \
                    or fa.get("agent_id") != a.get("id"):
                bad(where, "files_agents[%d] does not resolve" % k)
    for i, b in enumerate(doc.get("blocks") or []):
        where = "blocks[%d]" % i
        if not isinstance(b.get("label"), str) or not isinstance(b.get("value"), str):
            bad(where, "label and value are required strings")
        elif isinstance(b.get("limit"), int) and len(b["value"]) > b["limit"]:
            bad(where, "value longer than limit (%d > %d)" % (len(b["value"]), b["limit"]))
    for i, t in enumerate(doc.get("tools") or []):
        where = "tools[%d]" % i
        if not isinstance(t.get("name"), str):
            bad(where, "name missing")
        js = t.get("json_schema")
        if js is not None and (not isinstance(js, dict) or js.get("name") != t.get("name")):
            bad(where, "json_schema.name is not the tool's name")
    for i, g in enumerate(doc.get("groups") or []):
        where = "groups[%d]" % i
        if not isinstance(g.get("description"), str):
            bad(where, "description missing")
        if not g.get("agent_ids") or not all(have("agents", x) for x in g["agent_ids"]):
            bad(where, "agent_ids missing or not resolving")
        mc = g.get("manager_config") or {}
        if "manager_agent_id" in mc and not have("agents", mc["manager_agent_id"]):
            bad(where, "manager_agent_id does not resolve")
        for x in g.get("shared_block_ids") or []:
            if not have("blocks", x):
                bad(where, "shared_block_ids: %r does not resolve" % x)
    for i, f in enumerate(doc.get("files") or []):
        where = "files[%d]" % i
        if not have("sources", f.get("source_id")):
            bad(where, "source_id %r does not resolve" % f.get("source_id"))
        if not isinstance(f.get("file_name"), str):
            bad(where, "file_name missing")
    for i, s in enumerate(doc.get("sources") or []):
        where = "sources[%d]" % i
        if not isinstance(s.get("name"), str):
            bad(where, "name missing")
        if s.get("embedding_config") is not None:
            emb(where + ".embedding_config", s["embedding_config"])
    for i, m in enumerate(doc.get("mcp_servers") or []):
        where = "mcp_servers[%d]" % i
        if m.get("server_type") not in ("sse", "stdio", "streamable_http"):
            bad(where, "server_type %r" % m.get("server_type"))
        if not isinstance(m.get("server_name"), str):
            bad(where, "server_name missing")
        creds = [m.get("token")] + list((m.get("custom_headers") or {}).values()) + \
            list(((m.get("stdio_config") or {}).get("env") or {}).values())
        if any(c not in (None, "") for c in creds):
            bad(where, "carries credentials")
    if b'"$secret"' in raw:
        bad("document", "a {\"$secret\": ...} reference was written")
    return faults


def main():
    if len(sys.argv) < 2:
        print(__doc__.split("\n")[0], file=sys.stderr)
        return 2
    rc = 0
    for p in sys.argv[1:]:
        faults = check(p)
        for x in faults:
            print(x)
        if faults:
            rc = 1
        else:
            print("ok %s" % p)
    return rc


if __name__ == "__main__":
    sys.exit(main())
