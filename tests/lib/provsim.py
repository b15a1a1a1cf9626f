#!/usr/bin/env python3
"""provsim.py - a simulator of the OpenAI and Azure AI Foundry APIs, for
ferry's tests. Python 3 standard library only.

It follows the published API descriptions:
  - OpenAI: openai/openai-openapi, openapi.json (version 2.3.0, commit
    f85dbe223d40e1a31cba812ab2d755c7e98a92a3): Conversations
    (createConversation, getConversation, updateConversation,
    listConversationItems with limit 1-100 default 20, order default desc,
    after, include[] IncludeEnum; createConversationItems maxItems 20),
    Responses (getResponse, listInputItems), Files (listFiles limit up to
    10,000, createFile multipart/form-data, retrieveFile, downloadFile),
    Vector stores (list, create, retrieve, listVectorStoreFiles,
    createVectorStoreFile), ChatKit threads (OpenAI-Beta: chatkit_beta=v1,
    as the openai-python client sends it), metadata (16 keys, keys up to
    64 and values up to 512 characters), error bodies
    {"error": {"message", "type", "param", "code"}}, x-ratelimit-* headers.
  - Azure AI Foundry: Azure/azure-rest-api-specs,
    specification/ai/data-plane/Azure.AI.Projects/openapi3/2025-11-15-preview
    (agents and /agents/{agent_name}/versions, /openai/conversations with a
    list call, /openai/responses, /memory_stores with the
    "Foundry-Features: MemoryStores=V1Preview" header and items:list), and
    specification/ai/data-plane/AIAgents (the classic Assistants-compatible
    surface: assistants, threads - which it can list -, messages, runs, run
    steps); api-version is required on every call; errors
    {"error": {"code", "message"}}; Entra ID tokens from
    /{tenant}/oauth2/v2.0/token (client credentials).

    provsim.py PORTFILE [--accounts FILE] [--fixture FILE] [--seed N]
               [--fault-rate R] [--faults KINDS] [--latency-ms MS]
               [--stall-s S] [--quota N]

Accounts: FILE holds {"A": {"keys": [...], "tokens": [...], "clients":
{"id": "secret"}}, "B": {...}}; a request's credential picks the account
(each has its own state). Keys never appear on the command line.

Faults, driven by the seed: a request (other than /__sim/...) fails with
probability R, as one of 429 (Retry-After and retry-after-ms), 500, 502,
503, 504, a connection reset, a truncated body, a stall, or a slow drip
(which completes). The decision is a function of the seed, the request and
how often that same request was seen, so it does not depend on timing; a
request never fails more than 4 times in a row. Creates (POST) may fail
after taking effect (reset, truncation, 500/502/504, stall: half of them),
as a real service may.

Control (never faulted, never logged):
    GET  /__sim/log        every request: method, path, query, headers, status, fault, t0, t1
    GET  /__sim/state      the state of every account (?account=B: of that one)
    POST /__sim/config     {"fault_rate", "seed", "latency_ms", "faults", "stall_s"}
    POST /__sim/reset-log
    POST /__sim/reset-account  {"account": "B"}: forget everything that account holds
"""
import base64
import hashlib
import json
import random
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

LOCK = threading.RLock()
LOG = []
SEEN = {}          # request key -> times seen
STREAK = {}        # request key -> consecutive faults
CFG = {"fault_rate": 0.0, "seed": 1, "latency_ms": 0, "faults": None, "stall_s": 3.0, "quota": 0}
ACCOUNTS = {}      # name -> Account
CRED = {}          # credential -> account name
CLIENTS = {}       # client id -> (secret, account)
WINDOW = []        # request start times, for x-ratelimit-*

FAULT_WEIGHTS = [("429", 2), ("500", 1), ("502", 1), ("503", 1), ("504", 1), ("reset", 1),
                 ("truncate", 1), ("stall", 0.5), ("drip", 1)]
AFTER_OK = {"500", "502", "504", "reset", "truncate", "stall"}

INCLUDE_VALUES = {"web_search_call.action.sources", "code_interpreter_call.outputs",
                  "computer_call_output.output.image_url", "file_search_call.results",
                  "message.input_image.image_url", "message.output_text.logprobs",
                  "reasoning.encrypted_content"}

ID_PREFIX = {"message": "msg", "function_call": "fc", "function_call_output": "fco",
             "reasoning": "rs", "web_search_call": "ws", "file_search_call": "fs",
             "code_interpreter_call": "ci", "image_generation_call": "ig", "mcp_call": "mcp",
             "mcp_list_tools": "mcpl", "mcp_approval_request": "mcpr",
             "mcp_approval_response": "mcpa", "computer_call": "cu",
             "computer_call_output": "cuo", "custom_tool_call": "ctc",
             "custom_tool_call_output": "ctco", "local_shell_call": "lsh",
             "local_shell_call_output": "lsho"}


class ApiError(Exception):
    def __init__(self, status, message, code=None, param=None, etype="invalid_request_error"):
        super().__init__(message)
        self.status, self.message, self.code, self.param, self.etype = status, message, code, param, etype


class Account:
    def __init__(self, name):
        self.name = name
        self.counter = 0
        self.clock = 1767000000
        self.conversations = {}
        self.responses = {}
        self.files = {}
        self.vector_stores = {}
        self.chatkit = {}
        self.agents = {}          # name -> [version objects]
        self.memory_stores = {}   # name -> {"obj":..., "items": [...]}
        self.assistants = {}
        self.threads = {}         # classic: id -> {"thread", "messages", "runs", "steps"}

    def new_id(self, prefix, sep="_"):
        self.counter += 1
        h = hashlib.sha256(("%s:%d" % (self.name, self.counter)).encode()).hexdigest()[:24]
        return "%s%s%s" % (prefix, sep, h)

    def now(self):
        self.clock += 1
        return self.clock

    def encrypt(self, text):
        return "gAAAAA" + base64.b64encode(("acct:%s:%s" % (self.name, text)).encode()).decode()

    def verifies(self, blob):
        try:
            return base64.b64decode(blob[6:]).decode().startswith("acct:%s:" % self.name)
        except Exception:
            return False


# --- helpers ------------------------------------------------------------------

def rnd(*parts):
    h = hashlib.sha256(("|".join(str(p) for p in parts)).encode()).digest()
    return int.from_bytes(h[:8], "big") / 2.0 ** 64


def page(objs, q, idkey="id", default_order="desc", max_limit=100, default_limit=20):
    """Cursor pagination: limit, order, after, before; first_id, last_id, has_more."""
    limit = q.get("limit", [str(default_limit)])[0]
    try:
        limit = int(limit)
    except ValueError:
        raise ApiError(400, "Invalid 'limit': expected an integer.", "invalid_type", "limit")
    if limit < 1 or limit > max_limit:
        raise ApiError(400, "Invalid 'limit': integer must be between 1 and %d." % max_limit,
                       "integer_out_of_range", "limit")
    order = q.get("order", [default_order])[0]
    if order not in ("asc", "desc"):
        raise ApiError(400, "Invalid 'order': expected 'asc' or 'desc'.", "invalid_value", "order")
    seq = list(objs) if order == "asc" else list(reversed(objs))
    if "after" in q:
        ids = [o[idkey] for o in seq]
        a = q["after"][0]
        if a not in ids:
            raise ApiError(400, "Invalid 'after': no object with id '%s'." % a, "invalid_value", "after")
        seq = seq[ids.index(a) + 1:]
    if "before" in q:
        ids = [o[idkey] for o in seq]
        b = q["before"][0]
        seq = seq[:ids.index(b)] if b in ids else seq
    data = seq[:limit]
    return {"object": "list", "data": data,
            "first_id": data[0][idkey] if data else None,
            "last_id": data[-1][idkey] if data else None,
            "has_more": len(seq) > limit}


def check_metadata(md):
    if md is None:
        return {}
    if not isinstance(md, dict):
        raise ApiError(400, "Invalid 'metadata': expected an object.", "invalid_type", "metadata")
    if len(md) > 16:
        raise ApiError(400, "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with %d properties instead." % len(md), "object_above_max_properties", "metadata")
    for k, v in md.items():
        if len(k) > 64:
            raise ApiError(400, "Invalid 'metadata': key too long (maximum 64 characters).", "string_above_max_length", "metadata")
        if not isinstance(v, str) or len(v) > 512:
            raise ApiError(400, "Invalid 'metadata.%s': expected a string of at most 512 characters." % k, "string_above_max_length", "metadata")
    return dict(md)


def view_item(item, include):
    """An item as a listing returns it: fields that need include[] are left out without it.
    Only what changes is copied (the stored item stays whole)."""
    it = dict(item)
    t = it.get("type")
    if t == "reasoning" and "reasoning.encrypted_content" not in include:
        it.pop("encrypted_content", None)
    if t == "code_interpreter_call" and "code_interpreter_call.outputs" not in include:
        it["outputs"] = None
    if t == "file_search_call" and "file_search_call.results" not in include:
        it["results"] = None
    if t == "web_search_call" and "web_search_call.action.sources" not in include:
        if isinstance(it.get("action"), dict):
            it["action"] = dict(it["action"])
            it["action"].pop("sources", None)
    if t == "computer_call_output" and "computer_call_output.output.image_url" not in include:
        if isinstance(it.get("output"), dict):
            it["output"] = dict(it["output"])
            it["output"].pop("image_url", None)
    if t == "message" and isinstance(it.get("content"), list):
        content = []
        for c in it["content"]:
            if c.get("type") == "input_image" and "message.input_image.image_url" not in include and c.get("image_url") is not None:
                c = dict(c, image_url=None)
            if c.get("type") == "output_text" and "message.output_text.logprobs" not in include and "logprobs" in c:
                c = dict(c)
                c.pop("logprobs")
            content.append(c)
        it["content"] = content
    return it


def includes(q):
    vals = q.get("include[]", []) + q.get("include", [])
    out = set()
    for v in vals:
        for x in v.split(","):
            if x and x not in INCLUDE_VALUES:
                raise ApiError(400, "Invalid value: '%s'. Supported values are: %s." % (x, ", ".join(sorted(INCLUDE_VALUES))), "invalid_value", "include")
            out.add(x)
    return out


def parse_multipart(ctype, body):
    if "boundary=" not in ctype:
        raise ApiError(400, "Expected multipart/form-data with a boundary.", "invalid_request")
    boundary = ctype.split("boundary=", 1)[1].strip().strip('"').encode()
    fields, files = {}, {}
    for part in body.split(b"--" + boundary):
        if part in (b"", b"--", b"--\r\n", b"\r\n"):
            continue
        if part.startswith(b"\r\n"):
            part = part[2:]
        if part.endswith(b"\r\n"):
            part = part[:-2]
        if b"\r\n\r\n" not in part:
            continue
        head, data = part.split(b"\r\n\r\n", 1)
        disp = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            if line.lower().startswith("content-disposition:"):
                for kv in line.split(";")[1:]:
                    if "=" in kv:
                        k, v = kv.strip().split("=", 1)
                        disp[k] = v.strip('"')
        name = disp.get("name")
        if "filename" in disp:
            files[name] = (disp["filename"], data)
        elif name:
            fields[name] = data.decode("utf-8", "replace")
    return fields, files


# --- the OpenAI API ---------------------------------------------------------------

def oa_conv_obj(c):
    return {"id": c["id"], "object": "conversation", "created_at": c["created_at"],
            "metadata": c["metadata"]}


def make_items(acct, items, where="items"):
    if not isinstance(items, list):
        raise ApiError(400, "Invalid '%s': expected an array." % where, "invalid_type", where)
    if len(items) > 20:
        raise ApiError(400, "Invalid '%s': array too long. Expected an array with maximum length 20, but got an array with length %d instead." % (where, len(items)), "array_above_max_length", where)
    out = []
    for i, it in enumerate(items):
        if not isinstance(it, dict):
            raise ApiError(400, "Invalid '%s[%d]': expected an object." % (where, i), "invalid_type", where)
        it = json.loads(json.dumps(it))
        t = it.get("type") or ("message" if "role" in it else None)
        if t is None:
            raise ApiError(400, "Missing required parameter: '%s[%d].type'." % (where, i), "missing_required_parameter", where)
        it["type"] = t
        if t == "reasoning" and "encrypted_content" in it and not acct.verifies(it["encrypted_content"]):
            raise ApiError(400, "The encrypted content for item %s could not be verified." % it.get("id", "%s[%d]" % (where, i)), "invalid_encrypted_content", where)
        if t == "message":
            if isinstance(it.get("content"), str):
                it["content"] = [{"type": "input_text" if it.get("role") != "assistant" else "output_text", "text": it["content"]}]
            for c in it.get("content") or []:
                fid = c.get("file_id")
                if fid and fid not in acct.files:
                    raise ApiError(404, "No such File object: %s" % fid, None, where)
            it.setdefault("status", "completed")
        it["id"] = acct.new_id(ID_PREFIX.get(t, "item"))
        out.append(it)
    return out


def openai_route(h, acct, method, parts, q, body):
    """parts: the path after /v1, split."""
    n = len(parts)
    if parts[0] == "conversations":
        if n == 1 and method == "POST":
            b = body or {}
            md = check_metadata(b.get("metadata"))
            items = make_items(acct, b.get("items") or [])
            c = {"id": acct.new_id("conv"), "created_at": acct.now(), "metadata": md, "items": items}
            acct.conversations[c["id"]] = c
            return 200, oa_conv_obj(c)
        c = acct.conversations.get(parts[1]) if n > 1 else None
        if n >= 2 and c is None:
            raise ApiError(404, "Conversation with id '%s' not found." % parts[1], None, None)
        if n == 2 and method == "GET":
            return 200, oa_conv_obj(c)
        if n == 2 and method == "POST":
            c["metadata"] = check_metadata((body or {}).get("metadata"))
            return 200, oa_conv_obj(c)
        if n == 3 and parts[2] == "items" and method == "GET":
            inc = includes(q)
            p = page(c["items"], q)
            p["data"] = [view_item(i, inc) for i in p["data"]]
            return 200, p
        if n == 3 and parts[2] == "items" and method == "POST":
            inc = includes(q)
            items = make_items(acct, (body or {}).get("items"))
            c["items"].extend(items)
            return 200, {"object": "list", "data": [view_item(i, inc) for i in items],
                         "first_id": items[0]["id"] if items else None,
                         "last_id": items[-1]["id"] if items else None, "has_more": False}
        if n == 4 and parts[2] == "items" and method == "GET":
            for i in c["items"]:
                if i["id"] == parts[3]:
                    return 200, view_item(i, includes(q))
            raise ApiError(404, "Item with id '%s' not found." % parts[3])
    if parts[0] == "responses" and n >= 2:
        r = acct.responses.get(parts[1])
        if r is None:
            raise ApiError(404, "Response with id '%s' not found." % parts[1])
        inc = includes(q)
        if n == 2 and method == "GET":
            obj = json.loads(json.dumps(r["response"]))
            obj["output"] = [view_item(i, inc) for i in obj.get("output", [])]
            return 200, obj
        if n == 3 and parts[2] == "input_items" and method == "GET":
            p = page(r["input_items"], q)
            p["data"] = [view_item(i, inc) for i in p["data"]]
            return 200, p
    if parts[0] == "files":
        if n == 1 and method == "GET":
            objs = [f["obj"] for f in acct.files.values()]
            if "purpose" in q:
                objs = [o for o in objs if o["purpose"] == q["purpose"][0]]
            return 200, page(objs, q, max_limit=10000, default_limit=10000)
        if n == 1 and method == "POST":
            fields, files = h.multipart
            if "file" not in files or "purpose" not in fields:
                raise ApiError(400, "Missing required parameter: '%s'." % ("file" if "file" not in files else "purpose"), "missing_required_parameter")
            purpose = fields["purpose"]
            if purpose not in ("assistants", "batch", "fine-tune", "vision", "user_data", "evals"):
                raise ApiError(400, "Invalid value for 'purpose'.", "invalid_value", "purpose")
            name, data = files["file"]
            fid = acct.new_id("file", "-")
            obj = {"id": fid, "object": "file", "bytes": len(data), "created_at": acct.now(),
                   "expires_at": None, "filename": name, "purpose": purpose, "status": "processed"}
            acct.files[fid] = {"obj": obj, "content": data}
            return 200, obj
        f = acct.files.get(parts[1]) if n > 1 else None
        if n >= 2 and f is None:
            raise ApiError(404, "No such File object: %s" % parts[1], None, "id")
        if n == 2 and method == "GET":
            return 200, f["obj"]
        if n == 3 and parts[2] == "content" and method == "GET":
            if f["obj"]["purpose"] == "assistants":
                raise ApiError(400, "Not allowed to download files of purpose: assistants")
            return 200, ("application/octet-stream", f["content"])
    if parts[0] == "vector_stores":
        if n == 1 and method == "GET":
            return 200, page([v["obj"] for v in acct.vector_stores.values()], q)
        if n == 1 and method == "POST":
            b = body or {}
            vid = acct.new_id("vs")
            md = check_metadata(b.get("metadata"))
            cs = b.get("chunking_strategy") or {"type": "auto"}
            obj = {"id": vid, "object": "vector_store", "created_at": acct.now(),
                   "name": b.get("name"), "description": b.get("description"), "usage_bytes": 0,
                   "file_counts": {"in_progress": 0, "completed": 0, "failed": 0, "cancelled": 0, "total": 0},
                   "status": "completed", "expires_after": b.get("expires_after"),
                   "expires_at": None, "last_active_at": acct.clock, "metadata": md}
            v = {"obj": obj, "files": []}
            acct.vector_stores[vid] = v
            for fid in b.get("file_ids") or []:
                vs_attach(acct, v, fid, cs, {})
            return 200, obj
        v = acct.vector_stores.get(parts[1]) if n > 1 else None
        if n >= 2 and v is None:
            raise ApiError(404, "No vector store found with id '%s'." % parts[1])
        if n == 2 and method == "GET":
            return 200, v["obj"]
        if n == 3 and parts[2] == "files" and method == "GET":
            objs = v["files"]
            if "filter" in q:
                objs = [o for o in objs if o["status"] == q["filter"][0]]
            return 200, page(objs, q)
        if n == 3 and parts[2] == "files" and method == "POST":
            b = body or {}
            if "file_id" not in b:
                raise ApiError(400, "Missing required parameter: 'file_id'.", "missing_required_parameter", "file_id")
            return 200, vs_attach(acct, v, b["file_id"], b.get("chunking_strategy") or {"type": "auto"}, b.get("attributes") or {})
    if parts[0] == "chatkit":
        if h.headers.get("OpenAI-Beta", "") != "chatkit_beta=v1":
            raise ApiError(400, "ChatKit is in beta: send the header 'OpenAI-Beta: chatkit_beta=v1'.", "beta_header_required")
        if n == 2 and parts[1] == "threads" and method == "GET":
            return 200, page([t["thread"] for t in acct.chatkit.values()], q)
        t = acct.chatkit.get(parts[2]) if n > 2 else None
        if n >= 3 and t is None:
            raise ApiError(404, "Thread '%s' not found." % parts[2])
        if n == 3 and method == "GET":
            return 200, t["thread"]
        if n == 4 and parts[3] == "items" and method == "GET":
            return 200, page(t["items"], q)
    raise ApiError(404, "Invalid URL (%s /v1/%s)" % (method, "/".join(parts)), None, None)


def vs_attach(acct, v, fid, cs, attributes):
    if fid not in acct.files:
        raise ApiError(404, "No such File object: %s" % fid, None, "file_id")
    for o in v["files"]:
        if o["id"] == fid:
            return o
    if cs.get("type") == "auto":
        cs = {"type": "static", "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}}
    o = {"id": fid, "object": "vector_store.file", "usage_bytes": acct.files[fid]["obj"]["bytes"],
         "created_at": acct.now(), "vector_store_id": v["obj"]["id"], "status": "completed",
         "last_error": None, "chunking_strategy": cs, "attributes": attributes}
    v["files"].append(o)
    fc = v["obj"]["file_counts"]
    fc["completed"] += 1
    fc["total"] += 1
    v["obj"]["usage_bytes"] += o["usage_bytes"]
    return o


# --- Azure AI Foundry ---------------------------------------------------------------

def az_agent_obj(name, versions):
    return {"object": "agent", "id": name, "name": name, "versions": {"latest": versions[-1]}}


def az_new_version(acct, name, b):
    versions = acct.agents.setdefault(name, [])
    if not isinstance(b.get("definition"), dict) or "kind" not in b["definition"]:
        raise ApiError(400, "Invalid 'definition': an object with 'kind' is required.", "invalid_value", "definition")
    v = {"object": "agent.version", "id": "%s:%d" % (name, len(versions) + 1), "name": name,
         "version": str(len(versions) + 1), "description": b.get("description"),
         "created_at": acct.now(), "metadata": check_metadata(b.get("metadata")),
         "definition": b["definition"]}
    versions.append(v)
    return v


def azure_route(h, acct, method, parts, q, body):
    """parts: the path after /api/projects/{project}, split."""
    if "api-version" not in q:
        raise ApiError(400, "Missing required query parameter 'api-version'.", "BadRequest")
    n = len(parts)
    p0 = parts[0]
    if p0 == "agents":
        if n == 1 and method == "GET":
            return 200, page([az_agent_obj(k, v) for k, v in acct.agents.items()], q)
        if n == 1 and method == "POST":
            b = body or {}
            name = b.get("name")
            if not name:
                raise ApiError(400, "Missing required parameter: 'name'.", "missing_required_parameter")
            if name in acct.agents:
                raise ApiError(409, "Agent '%s' already exists." % name, "conflict")
            az_new_version(acct, name, b)
            return 200, az_agent_obj(name, acct.agents[name])
        if n >= 2 and parts[1] not in acct.agents and not (n == 3 and method == "POST"):
            raise ApiError(404, "Agent '%s' not found." % parts[1], "not_found")
        if n == 2 and method == "GET":
            return 200, az_agent_obj(parts[1], acct.agents[parts[1]])
        if n == 3 and parts[2] == "versions" and method == "GET":
            return 200, page(acct.agents[parts[1]], q)
        if n == 3 and parts[2] == "versions" and method == "POST":
            return 200, az_new_version(acct, parts[1], body or {})
        if n == 4 and parts[2] == "versions" and method == "GET":
            for v in acct.agents[parts[1]]:
                if v["version"] == parts[3]:
                    return 200, v
            raise ApiError(404, "Version '%s' not found." % parts[3], "not_found")
    if p0 == "openai" and n >= 2 and parts[1] == "conversations":
        if n == 2 and method == "GET":
            objs = [oa_conv_obj(c) for c in acct.conversations.values()]
            return 200, page(objs, q)
        return openai_route(h, acct, method, parts[1:], q, body)
    if p0 == "openai" and n >= 2 and parts[1] == "responses":
        return openai_route(h, acct, method, parts[1:], q, body)
    if p0.startswith("memory_stores"):
        if h.headers.get("Foundry-Features", "").find("MemoryStores=V1Preview") < 0:
            raise ApiError(403, "This operation requires the preview feature header 'Foundry-Features: MemoryStores=V1Preview'.", "preview_feature_required")
        if n == 1 and method == "GET":
            return 200, page([m["obj"] for m in acct.memory_stores.values()], q, idkey="id")
        if n == 1 and method == "POST":
            b = body or {}
            name = b.get("name")
            if not name or name in acct.memory_stores:
                raise ApiError(409 if name else 400, "Memory store '%s' %s." % (name, "already exists" if name else "needs a name"), "conflict" if name else "BadRequest")
            obj = {"object": "memory_store", "id": name, "name": name, "description": b.get("description"),
                   "created_at": acct.now(), "updated_at": acct.clock,
                   "definition": b.get("definition") or {"kind": "default"},
                   "metadata": check_metadata(b.get("metadata"))}
            acct.memory_stores[name] = {"obj": obj, "items": []}
            return 200, obj
        name = parts[1]
        verb = None
        if ":" in name:
            name, verb = name.split(":", 1)
        m = acct.memory_stores.get(name)
        if m is None:
            raise ApiError(404, "Memory store '%s' not found." % name, "not_found")
        if n == 2 and verb is None and method == "GET":
            return 200, m["obj"]
        if n == 3 and parts[2] == "items:list" and method == "POST":
            scope = (body or {}).get("scope")
            if not scope:
                raise ApiError(400, "Missing required parameter: 'scope'.", "BadRequest")
            objs = [i for i in m["items"] if i["scope"] == scope]
            if "kind" in q:
                objs = [i for i in objs if i["kind"] == q["kind"][0]]
            return 200, page(objs, q, idkey="memory_id")
        if n == 3 and parts[2] == "items" and method == "POST":
            b = body or {}
            for k in ("scope", "content", "kind"):
                if not b.get(k):
                    raise ApiError(400, "Missing required parameter: '%s'." % k, "BadRequest")
            item = {"memory_id": acct.new_id("mem"), "scope": b["scope"], "content": b["content"],
                    "kind": b["kind"], "updated_at": acct.now()}
            m["items"].append(item)
            return 200, item
    # The classic Assistants-compatible surface (Azure AI Agents).
    if p0 == "assistants" and n == 1 and method == "GET":
        return 200, page(list(acct.assistants.values()), q)
    if p0 == "threads":
        if n == 1 and method == "GET":
            return 200, page([t["thread"] for t in acct.threads.values()], q)
        t = acct.threads.get(parts[1]) if n > 1 else None
        if n >= 2 and t is None:
            raise ApiError(404, "No thread found with id '%s'." % parts[1], "not_found")
        if n == 2 and method == "GET":
            return 200, t["thread"]
        if n == 3 and parts[2] == "messages" and method == "GET":
            return 200, page(t["messages"], q)
        if n == 3 and parts[2] == "runs" and method == "GET":
            return 200, page(t["runs"], q)
        if n == 5 and parts[2] == "runs" and parts[4] == "steps" and method == "GET":
            return 200, page(t["steps"].get(parts[3], []), q)
    raise ApiError(404, "Resource not found: %s %s" % (method, "/".join(parts)), "not_found")


# --- the server ---------------------------------------------------------------------

def ratelimit_headers():
    now = time.time()
    with LOCK:
        cut = 0
        while cut < len(WINDOW) and WINDOW[cut] < now - 60:
            cut += 1
        if cut:
            del WINDOW[:cut]
        WINDOW.append(now)
        used = len(WINDOW)
    limit = CFG["quota"] or 10000
    remaining = max(limit - used, 0)
    reset = "%dms" % int((WINDOW[0] + 60 - now) * 1000) if remaining == 0 else "6ms"
    return [("x-ratelimit-limit-requests", str(limit)), ("x-ratelimit-remaining-requests", str(remaining)),
            ("x-ratelimit-reset-requests", reset), ("x-ratelimit-limit-tokens", "2000000"),
            ("x-ratelimit-remaining-tokens", "1999000"), ("x-ratelimit-reset-tokens", "0s")]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's
        # algorithm and the client's delayed ACK add ~40 ms to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *a):
        pass

    def send(self, status, body, ctype="application/json", extra=(), fault=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("x-request-id", "req_%08x" % (len(LOG) + 1))
        for k, v in extra:
            self.send_header(k, v)
        if fault == "truncate":
            self.send_header("Content-Length", str(len(body) + 1000))
            self.end_headers()
            self.wfile.write(body[: max(len(body) // 2, 1)])
            self.wfile.flush()
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        if fault == "stall":
            self.end_headers()
            self.wfile.flush()
            time.sleep(CFG["stall_s"])
            self.close_connection = True
            return
        self.end_headers()
        if fault == "drip":
            step = max(len(body) // 8, 1)
            for i in range(0, len(body), step):
                self.wfile.write(body[i:i + step])
                self.wfile.flush()
                time.sleep(0.02)
            return
        self.wfile.write(body)

    def reset(self):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        self.connection.close()
        self.close_connection = True

    def account(self, azure):
        auth = self.headers.get("Authorization", "")
        key = auth[7:] if auth.startswith("Bearer ") else None
        if azure and not key:
            key = self.headers.get("api-key")
        if not key:
            raise ApiError(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", "missing_api_key")
        name = CRED.get(key)
        if name is None:
            # As the real service does, the error repeats the key it refused.
            raise ApiError(401, "Incorrect API key provided: %s. You can find your API key at https://platform.openai.com/account/api-keys." % key, "invalid_api_key")
        return ACCOUNTS[name]

    def control(self, method, path, body, q=None):
        if path == "/__sim/log":
            with LOCK:
                return self.send(200, LOG)
        if path == "/__sim/state":
            with LOCK:
                st = dump_state()
                if q and "account" in q:
                    st = {k: v for k, v in st.items() if k in q["account"]}
                return self.send(200, st)
        if path == "/__sim/config" and method == "POST":
            with LOCK:
                for k in ("fault_rate", "seed", "latency_ms", "faults", "stall_s", "quota"):
                    if k in body:
                        CFG[k] = body[k]
                SEEN.clear()
                STREAK.clear()
            return self.send(200, CFG)
        if path == "/__sim/reset-account" and method == "POST":
            with LOCK:
                name = body.get("account")
                if name in ACCOUNTS:
                    ACCOUNTS[name] = Account(name)
            return self.send(200, {"ok": True})
        if path == "/__sim/reset-log" and method == "POST":
            with LOCK:
                LOG.clear()
            return self.send(200, {"ok": True})
        return self.send(404, {"error": {"message": "no such control path"}})

    def pick_fault(self, key):
        with LOCK:
            n = SEEN.get(key, 0)
            SEEN[key] = n + 1
            rate = CFG["fault_rate"]
            if rate <= 0 or STREAK.get(key, 0) >= 4 or rnd(CFG["seed"], key, n) >= rate:
                STREAK[key] = 0
                return None, False
            kinds = [(k, w) for k, w in FAULT_WEIGHTS if not CFG["faults"] or k in CFG["faults"]]
            if not kinds:
                return None, False
            total = sum(w for _, w in kinds)
            x = rnd(CFG["seed"], key, n, "kind") * total
            for k, w in kinds:
                x -= w
                if x < 0:
                    break
            if k != "drip":
                STREAK[key] = STREAK.get(key, 0) + 1
            after = k in AFTER_OK and rnd(CFG["seed"], key, n, "after") < 0.5
            return k, after

    def handle_any(self):
        t0 = time.time()
        u = urlparse(self.path)
        path = unquote(u.path)
        q = parse_qs(u.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if path.startswith("/__sim/"):
            return self.control(self.command, path, json.loads(raw or b"{}"), q)
        if CFG["latency_ms"]:
            time.sleep(CFG["latency_ms"] / 1000.0)
        key = "%s %s?%s %s" % (self.command, path, u.query, hashlib.sha256(raw).hexdigest()[:16])
        fault, after = self.pick_fault(key)
        entry = {"method": self.command, "path": path, "query": u.query,
                 "headers": {k.lower(): v for k, v in self.headers.items()},
                 "t0": t0, "status": None, "fault": fault, "after": after}
        if raw[:1] == b"{":
            try:
                b = json.loads(raw)
                if isinstance(b.get("items"), list):
                    entry["n_items"] = len(b["items"])
            except ValueError:
                pass
        with LOCK:
            LOG.append(entry)
        mutating = self.command in ("POST", "DELETE", "PATCH")
        # Statuses and resets come before any effect unless this fault strikes
        # after a create took effect; a truncated, stalled or dripping answer
        # is an answer, so the request was served.
        if fault in ("429", "500", "502", "503", "504", "reset") and not (after and mutating):
            entry["t1"] = time.time()
            return self.inject(fault, entry, None)
        status, payload, extra = self.dispatch(path, q, raw)
        entry["status"] = status
        entry["t1"] = time.time()
        if fault and fault not in ("drip", "truncate", "stall"):
            return self.inject(fault, entry, payload)
        ctype = "application/json"
        if isinstance(payload, tuple):
            ctype, payload = payload
        self.send(status, payload, ctype, extra + ratelimit_headers(), fault if fault in ("drip", "truncate", "stall") else None)

    def inject(self, fault, entry, payload):
        if fault == "429":
            entry["status"] = 429
            return self.send(429, {"error": {"message": "Rate limit reached for requests. Please try again in 20ms.", "type": "requests", "param": None, "code": "rate_limit_exceeded"}},
                             extra=[("Retry-After", "1"), ("retry-after-ms", "20")] + ratelimit_headers())
        if fault in ("500", "502", "503", "504"):
            entry["status"] = int(fault)
            return self.send(int(fault), {"error": {"message": "The server had an error while processing your request. Sorry about that!", "type": "server_error", "param": None, "code": None}})
        if fault == "reset":
            return self.reset()
        return self.reset()

    def dispatch(self, path, q, raw):
        azure = path.startswith("/api/projects/")
        try:
            if "/oauth2/v2.0/token" in path and self.command == "POST":
                return self.token(raw)
            body = None
            self.multipart = ({}, {})
            ctype = self.headers.get("Content-Type", "")
            if raw and ctype.startswith("multipart/form-data"):
                self.multipart = parse_multipart(ctype, raw)
            elif raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise ApiError(400, "We could not parse the JSON body of your request.", "invalid_json")
            with LOCK:
                acct = self.account(azure)
                if path.startswith("/v1/"):
                    status, payload = openai_route(self, acct, self.command, path[4:].strip("/").split("/"), q, body)
                elif azure:
                    rest = path.split("/", 4)
                    parts = rest[4].strip("/").split("/") if len(rest) > 4 else [""]
                    status, payload = azure_route(self, acct, self.command, parts, q, body)
                else:
                    raise ApiError(404, "Invalid URL (%s %s)" % (self.command, path))
            return status, payload, []
        except ApiError as e:
            if azure:
                return e.status, {"error": {"code": e.code or "BadRequest", "message": e.message}}, []
            return e.status, {"error": {"message": e.message, "type": e.etype, "param": e.param, "code": e.code}}, []

    def token(self, raw):
        form = parse_qs(raw.decode())
        cid = form.get("client_id", [""])[0]
        sec = form.get("client_secret", [""])[0]
        if form.get("grant_type", [""])[0] != "client_credentials" or cid not in CLIENTS or CLIENTS[cid][0] != sec:
            return 401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."}, []
        acct = CLIENTS[cid][1]
        tok = [t for t, a in CRED.items() if a == acct and t.startswith("eyJ")]
        return 200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                     "access_token": tok[0] if tok else "none"}, []

    do_GET = do_POST = do_DELETE = do_PATCH = do_PUT = handle_any


def dump_state():
    out = {}
    for name, a in ACCOUNTS.items():
        out[name] = {
            "conversations": list(a.conversations.values()),
            "responses": list(a.responses.values()),
            "files": [dict(f["obj"], sha256=hashlib.sha256(f["content"]).hexdigest()) for f in a.files.values()],
            "vector_stores": [dict(v["obj"], files=v["files"]) for v in a.vector_stores.values()],
            "chatkit": list(a.chatkit.values()),
            "agents": a.agents,
            "memory_stores": list(a.memory_stores.values()),
            "assistants": list(a.assistants.values()),
            "threads": list(a.threads.values()),
        }
    return out


def load_fixture(path):
    with open(path) as f:
        fx = json.load(f)
    for name, st in fx.get("accounts", {}).items():
        a = ACCOUNTS.setdefault(name, Account(name))
        for c in st.get("conversations", []):
            a.conversations[c["id"]] = {"id": c["id"], "created_at": c["created_at"],
                                        "metadata": c.get("metadata", {}), "items": c["items"]}
        for r in st.get("responses", []):
            a.responses[r["response"]["id"]] = r
        for f_ in st.get("files", []):
            data = base64.b64decode(f_.pop("content_b64"))
            a.files[f_["id"]] = {"obj": f_, "content": data}
        for v in st.get("vector_stores", []):
            files = v.pop("files", [])
            a.vector_stores[v["id"]] = {"obj": v, "files": files}
        for t in st.get("chatkit", []):
            a.chatkit[t["thread"]["id"]] = t
        for name_, versions in st.get("agents", {}).items():
            a.agents[name_] = versions
        for m in st.get("memory_stores", []):
            a.memory_stores[m["obj"]["name"]] = m
        for s in st.get("assistants", []):
            a.assistants[s["id"]] = s
        for t in st.get("threads", []):
            a.threads[t["thread"]["id"]] = t
        # Encrypted reasoning minted for this account.
        lists = [c["items"] for c in a.conversations.values()]
        lists += [r["response"].get("output", []) for r in a.responses.values()]
        lists += [r.get("input_items", []) for r in a.responses.values()]
        for items in lists:
            for it in items:
                if it.get("type") == "reasoning" and it.get("encrypted_content") == "@":
                    it["encrypted_content"] = a.encrypt(it["id"])


def main():
    args = sys.argv[1:]
    portfile = args.pop(0)
    while args:
        k = args.pop(0)
        v = args.pop(0)
        if k == "--accounts":
            with open(v) as f:
                for name, spec in json.load(f).items():
                    ACCOUNTS.setdefault(name, Account(name))
                    for c in spec.get("keys", []) + spec.get("tokens", []):
                        CRED[c] = name
                    for cid, sec in spec.get("clients", {}).items():
                        CLIENTS[cid] = (sec, name)
        elif k == "--fixture":
            load_fixture(v)
        elif k == "--seed":
            CFG["seed"] = int(v)
        elif k == "--fault-rate":
            CFG["fault_rate"] = float(v)
        elif k == "--faults":
            CFG["faults"] = v.split(",")
        elif k == "--latency-ms":
            CFG["latency_ms"] = int(v)
        elif k == "--stall-s":
            CFG["stall_s"] = float(v)
        elif k == "--quota":
            CFG["quota"] = int(v)
        else:
            sys.exit("provsim.py: unknown option %s" % k)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.request_queue_size = 64
    import os
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(portfile + ".tmp", portfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()
