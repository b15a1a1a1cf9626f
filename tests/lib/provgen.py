#!/usr/bin/env python3
"""provgen.py - deterministic fixtures for provsim.py: conversations with
every item type the OpenAI Conversations API returns (messages with text,
images, files, citations, logprobs and refusals; function and custom tool
calls with outputs; reasoning with summaries and encrypted content; web
search, file search, code interpreter, image generation, computer use and
MCP calls), stored responses, files, vector stores, ChatKit threads, Azure
AI Foundry agents with versions, memory stores, and the classic
Assistants-compatible surface (assistants, threads, messages, runs, run
steps). Shapes follow openai/openai-openapi openapi.json and the Azure AI
Projects 2025-11-15-preview description (see provsim.py).

    provgen.py OUT.json [--account A] [--convs N] [--items M] [--files F]
               [--stores S] [--responses R] [--chatkit C] [--agents G]
               [--memory K] [--classic T] [--seed X] [--dump DIR]

--dump DIR also writes the classic data as an Assistants-era dump folder
(the layout ferry's openai adapter reads: see ferry-openai(7)).
"""
import base64
import hashlib
import json
import os
import sys

PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201"
    "e221bc330000000049454e44ae426082")).decode()

TEXTS = [
    "Where is order 1421? It was due on Tuesday.",
    "Bonjour ! Pouvez-vous vérifier la commande n° 1421 ? Merci 🙏",
    "Line one\nline two with \"quotes\" and a tab\there.",
    "日本語のメッセージ: 注文の状況を教えてください。",
    "Can you summarise the returns policy in three bullet points?",
]


def hid(prefix, *parts, sep="_"):
    return "%s%s%s" % (prefix, sep, hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:24])


def item(kind, seed, c, k, files):
    """Item k of conversation c: cycles through every item type."""
    t = TEXTS[(c + k) % len(TEXTS)]
    # Only downloadable files (not purpose "assistants", the third) are referenced.
    usable = [f for f in files if f["purpose"] != "assistants"]
    fid = usable[k % len(usable)]["id"] if usable else None
    call = hid("call", seed, c, k)
    if kind == 0:
        content = [{"type": "input_text", "text": t}]
        if fid and k % 3 == 0:
            content.append({"type": "input_file", "file_id": fid, "filename": usable[k % len(usable)]["filename"]})
        if k % 4 == 0:
            content.append({"type": "input_image", "image_url": "data:image/png;base64," + PNG, "detail": "auto"})
        return {"id": hid("msg", seed, c, k), "type": "message", "status": "completed", "role": "user", "content": content}
    if kind == 1:
        return {"id": hid("rs", seed, c, k), "type": "reasoning", "summary": [{"type": "summary_text", "text": "Checking the order system for %d." % (1400 + k)}],
                "encrypted_content": "@"}
    if kind == 2:
        return {"id": hid("fc", seed, c, k), "type": "function_call", "status": "completed", "call_id": call,
                "name": "lookup_order", "arguments": json.dumps({"order_id": str(1400 + k), "fields": ["status", "eta"]})}
    if kind == 3:
        return {"id": hid("fco", seed, c, k), "type": "function_call_output", "status": "completed",
                "call_id": hid("call", seed, c, k - 1), "output": json.dumps({"status": "shipped", "eta": "2026-11-28", "price": 12.5})}
    if kind == 4:
        return {"id": hid("ws", seed, c, k), "type": "web_search_call", "status": "completed",
                "action": {"type": "search", "query": "carrier tracking 1421",
                           "sources": [{"type": "url", "url": "https://example.com/track/1421"}]}}
    if kind == 5:
        return {"id": hid("fs", seed, c, k), "type": "file_search_call", "status": "completed", "queries": ["returns policy"],
                "results": [{"file_id": fid, "filename": "policy.md", "score": 0.87, "text": "Returns within 30 days.", "attributes": {}}] if fid else []}
    if kind == 6:
        return {"id": hid("ci", seed, c, k), "type": "code_interpreter_call", "status": "completed",
                "code": "import math\nprint(math.sqrt(%d))" % (k * k), "container_id": hid("cntr", seed, c),
                "outputs": [{"type": "logs", "logs": "%d.0\n" % k}, {"type": "image", "url": "https://example.com/plot/%d.png" % k}]}
    if kind == 7:
        return {"id": hid("mcpl", seed, c, k), "type": "mcp_list_tools", "server_label": "crm",
                "tools": [{"name": "get_customer", "description": "Look a customer up", "input_schema": {"type": "object", "properties": {"id": {"type": "string"}}}, "annotations": None}]}
    if kind == 8:
        return {"id": hid("mcp", seed, c, k), "type": "mcp_call", "status": "completed", "server_label": "crm",
                "name": "get_customer", "arguments": "{\"id\":\"cus_42\"}", "output": "{\"name\":\"Ada\"}", "error": None}
    if kind == 9:
        return {"id": hid("ig", seed, c, k), "type": "image_generation_call", "status": "completed", "result": PNG}
    if kind == 10:
        return {"id": hid("msg", seed, c, k), "type": "message", "status": "completed", "role": "assistant",
                "content": [{"type": "output_text", "text": "Your order shipped; see the carrier page. ✓",
                             "annotations": [{"type": "url_citation", "url": "https://example.com/track/1421", "title": "Tracking", "start_index": 0, "end_index": 10}]
                             + ([{"type": "file_citation", "file_id": fid, "filename": "policy.md", "index": 3}] if fid else []),
                             "logprobs": [{"token": "Your", "logprob": -0.0123, "bytes": [89, 111, 117, 114], "top_logprobs": []}]}]}
    if kind == 11:
        return {"id": hid("cu", seed, c, k), "type": "computer_call", "status": "completed", "call_id": call,
                "action": {"type": "click", "x": 10 + k, "y": 20, "button": "left"}, "pending_safety_checks": []}
    if kind == 12:
        return {"id": hid("cuo", seed, c, k), "type": "computer_call_output", "status": "completed", "call_id": hid("call", seed, c, k - 1),
                "output": {"type": "computer_screenshot", "image_url": "data:image/png;base64," + PNG}, "acknowledged_safety_checks": []}
    if kind == 13:
        return {"id": hid("msg", seed, c, k), "type": "message", "status": "completed", "role": "assistant",
                "content": [{"type": "refusal", "refusal": "I can't share another customer's address."}]}
    if kind == 14:
        return {"id": hid("ctc", seed, c, k), "type": "custom_tool_call", "status": "completed", "call_id": call, "name": "sql", "input": "SELECT 1;"}
    if kind == 15:
        return {"id": hid("ctco", seed, c, k), "type": "custom_tool_call_output", "call_id": hid("call", seed, c, k - 1), "output": "1"}
    return {"id": hid("msg", seed, c, k), "type": "message", "status": "completed", "role": "developer",
            "content": [{"type": "input_text", "text": "Be brief."}]}


def conversation(seed, c, m, files, t0):
    items = [item(k % 17, seed, c, k, files) for k in range(m)]
    return {"id": hid("conv", seed, c), "created_at": t0 + c * 60,
            "metadata": {"topic": "order %d" % (1400 + c), "channel": "web"}, "items": items}


def main():
    a = sys.argv[1:]
    out = a.pop(0)
    o = {"account": "A", "convs": 4, "items": 20, "files": 3, "stores": 1, "responses": 1,
         "chatkit": 1, "agents": 2, "memory": 1, "classic": 1, "seed": 7, "dump": None}
    while a:
        k = a.pop(0).lstrip("-")
        v = a.pop(0)
        o[k] = v if k in ("account", "dump") else int(v)
    seed, t0 = o["seed"], 1761000000
    files = []
    for i in range(o["files"]):
        data = ("# Document %d\n\nReturns are accepted within 30 days. é ü ß\n" % i).encode() * (3 + i)
        purpose = "assistants" if i == 2 else ("vision" if i == 1 else "user_data")
        files.append({"id": hid("file", seed, i, sep="-"), "object": "file", "bytes": len(data), "created_at": t0 + i,
                      "expires_at": None, "filename": "doc-%d.md" % i, "purpose": purpose, "status": "processed",
                      "content_b64": base64.b64encode(data).decode()})
    stores = []
    for s in range(o["stores"]):
        vid = hid("vs", seed, s)
        vfiles = [{"id": f["id"], "object": "vector_store.file", "usage_bytes": f["bytes"], "created_at": t0 + 100 + j,
                   "vector_store_id": vid, "status": "completed", "last_error": None,
                   "chunking_strategy": {"type": "static", "static": {"max_chunk_size_tokens": 1200, "chunk_overlap_tokens": 200}},
                   "attributes": {"category": "policy"}} for j, f in enumerate(files[:2])]
        stores.append({"id": vid, "object": "vector_store", "created_at": t0 + 90, "name": "Returns KB %d" % s,
                       "description": "Policies and FAQs", "usage_bytes": sum(f["usage_bytes"] for f in vfiles),
                       "file_counts": {"in_progress": 0, "completed": len(vfiles), "failed": 0, "cancelled": 0, "total": len(vfiles)},
                       "status": "completed", "expires_after": None, "expires_at": None, "last_active_at": t0 + 200,
                       "metadata": {"team": "support"}, "files": vfiles})
    convs = [conversation(seed, c, o["items"], files, t0 + 1000) for c in range(o["convs"])]
    responses = []
    for r in range(o["responses"]):
        rid = hid("resp", seed, r)
        responses.append({"response": {"id": rid, "object": "response", "created_at": t0 + 5000 + r, "status": "completed",
                                       "model": "gpt-5", "instructions": "You are a support agent.", "previous_response_id": None,
                                       "output": [item(1, seed, 900 + r, 0, files), item(10, seed, 900 + r, 1, files)],
                                       "metadata": {"ticket": "T-%d" % r}, "store": True,
                                       "usage": {"input_tokens": 32, "output_tokens": 18, "total_tokens": 50}},
                          "input_items": [item(0, seed, 900 + r, 2, files)]})
    chatkit = []
    for c in range(o["chatkit"]):
        tid = hid("cthr", seed, c)
        items = [
            {"id": hid("cthi", seed, c, 0), "object": "chatkit.thread_item", "created_at": t0 + 7000, "thread_id": tid,
             "type": "chatkit.user_message", "content": [{"type": "input_text", "text": "Reset my password"}],
             "attachments": [], "inference_options": {"model": "gpt-5", "tool_choice": None}},
            {"id": hid("cthi", seed, c, 1), "object": "chatkit.thread_item", "created_at": t0 + 7001, "thread_id": tid,
             "type": "chatkit.client_tool_call", "call_id": hid("call", seed, "ck", c), "name": "send_reset", "arguments": "{}",
             "output": "{\"sent\":true}", "status": "completed"},
            {"id": hid("cthi", seed, c, 2), "object": "chatkit.thread_item", "created_at": t0 + 7002, "thread_id": tid,
             "type": "chatkit.task", "task_type": "thought", "heading": "Checking", "summary": "Looked up the account"},
            {"id": hid("cthi", seed, c, 3), "object": "chatkit.thread_item", "created_at": t0 + 7003, "thread_id": tid,
             "type": "chatkit.assistant_message", "content": [{"type": "output_text", "text": "Done: check your inbox.", "annotations": []}]},
            {"id": hid("cthi", seed, c, 4), "object": "chatkit.thread_item", "created_at": t0 + 7004, "thread_id": tid,
             "type": "chatkit.widget", "widget": "{\"type\":\"Card\",\"children\":[]}"},
        ]
        chatkit.append({"thread": {"id": tid, "object": "chatkit.thread", "created_at": t0 + 7000, "title": "Password reset",
                                   "status": {"type": "active"}, "user": "user_123"}, "items": items})
    agents = {}
    for g in range(o["agents"]):
        name = "support-%d" % g
        versions = []
        for v in range(2):
            versions.append({"object": "agent.version", "id": "%s:%d" % (name, v + 1), "name": name, "version": str(v + 1),
                             "description": "Support agent %d" % g, "created_at": t0 + 8000 + v, "metadata": {"owner": "ops"},
                             "definition": {"kind": "prompt", "model": "gpt-4.1", "instructions": "You help customers (v%d)." % (v + 1),
                                            "temperature": 0.3,
                                            "tools": [{"type": "function", "name": "lookup_order", "description": "Find an order",
                                                       "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}},
                                                      {"type": "code_interpreter"}]}})
        agents[name] = versions
    memory = []
    for k in range(o["memory"]):
        memory.append({"obj": {"object": "memory_store", "id": "mem-store-%d" % k, "name": "mem-store-%d" % k,
                               "description": "Customer memories", "created_at": t0 + 9000, "updated_at": t0 + 9000,
                               "definition": {"kind": "default", "chat_model": "gpt-4.1", "embedding_model": "text-embedding-3-small"},
                               "metadata": {}},
                       "items": [{"memory_id": hid("mem", seed, k, j), "scope": "user-%d" % (j % 2), "content": "Prefers email (%d)" % j,
                                  "kind": "user_profile" if j % 2 == 0 else "chat_summary", "updated_at": t0 + 9001 + j} for j in range(4)]})
    assistants, threads = [], []
    for c in range(o["classic"]):
        aid = hid("asst", seed, c)
        assistants.append({"id": aid, "object": "assistant", "created_at": t0 + 10000, "name": "HR Helper %d" % c,
                           "description": None, "model": "gpt-4o", "instructions": "You answer HR questions.",
                           "tools": [{"type": "file_search"}, {"type": "code_interpreter"},
                                     {"type": "function", "function": {"name": "get_leave", "description": "Leave balance",
                                                                       "parameters": {"type": "object", "properties": {"emp": {"type": "string"}}}}}],
                           "tool_resources": {}, "metadata": {}, "top_p": 1.0, "temperature": 1.0, "response_format": "auto"})
        tid = hid("thread", seed, c)
        rid = hid("run", seed, c)
        m1, m2 = hid("msg", seed, "cl", c, 1), hid("msg", seed, "cl", c, 2)
        msgs = [{"id": m1, "object": "thread.message", "created_at": t0 + 10010, "assistant_id": None, "thread_id": tid, "run_id": None,
                 "role": "user", "content": [{"type": "text", "text": {"value": "How many leave days do I have?", "annotations": []}}],
                 "attachments": [], "metadata": {}},
                {"id": m2, "object": "thread.message", "created_at": t0 + 10013, "assistant_id": aid, "thread_id": tid, "run_id": rid,
                 "role": "assistant", "content": [{"type": "text", "text": {"value": "You have 12 days left.", "annotations": []}}],
                 "attachments": [], "metadata": {}}]
        runs = [{"id": rid, "object": "thread.run", "created_at": t0 + 10011, "assistant_id": aid, "thread_id": tid, "status": "completed",
                 "model": "gpt-4o", "instructions": "You answer HR questions.", "tools": [], "metadata": {}}]
        steps = [{"id": hid("step", seed, c, 1), "object": "thread.run.step", "created_at": t0 + 10012, "run_id": rid, "assistant_id": aid,
                  "thread_id": tid, "type": "tool_calls", "status": "completed",
                  "step_details": {"type": "tool_calls", "tool_calls": [
                      {"id": hid("call", seed, "cl", c), "type": "function", "function": {"name": "get_leave", "arguments": "{\"emp\":\"e7\"}", "output": "{\"days\":12}"}},
                      {"id": hid("call", seed, "ci", c), "type": "code_interpreter", "code_interpreter": {"input": "print(30-18)", "outputs": [{"type": "logs", "logs": "12"}]}}]}},
                 {"id": hid("step", seed, c, 2), "object": "thread.run.step", "created_at": t0 + 10013, "run_id": rid, "assistant_id": aid,
                  "thread_id": tid, "type": "message_creation", "status": "completed",
                  "step_details": {"type": "message_creation", "message_creation": {"message_id": m2}}}]
        threads.append({"thread": {"id": tid, "object": "thread", "created_at": t0 + 10009, "metadata": {"dept": "hr"}, "tool_resources": {}},
                        "messages": msgs, "runs": runs, "steps": {rid: steps}})
    acct = {"conversations": convs, "responses": responses, "files": files, "vector_stores": stores, "chatkit": chatkit,
            "agents": agents, "memory_stores": memory, "assistants": assistants, "threads": threads}
    with open(out, "w") as f:
        json.dump({"accounts": {o["account"]: acct}}, f, indent=1, ensure_ascii=False)
    if o["dump"]:
        d = o["dump"]
        os.makedirs(os.path.join(d, "threads"), exist_ok=True)
        with open(os.path.join(d, "assistants.json"), "w") as f:
            json.dump({"object": "list", "data": assistants, "first_id": None, "last_id": None, "has_more": False}, f, indent=1)
        for t in threads:
            tdir = os.path.join(d, "threads", t["thread"]["id"])
            os.makedirs(tdir, exist_ok=True)
            with open(os.path.join(tdir, "thread.json"), "w") as f:
                json.dump(t["thread"], f, indent=1)
            with open(os.path.join(tdir, "messages.json"), "w") as f:
                json.dump({"object": "list", "data": list(reversed(t["messages"])), "has_more": False}, f, indent=1, ensure_ascii=False)
            with open(os.path.join(tdir, "runs.jsonl"), "w") as f:
                for r in t["runs"]:
                    f.write(json.dumps(r) + "\n")
                    f.write(json.dumps({"object": "list", "data": t["steps"][r["id"]], "has_more": False}) + "\n")


if __name__ == "__main__":
    main()
