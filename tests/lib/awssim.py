#!/usr/bin/env python3
"""awssim.py - a simulator of the four AWS APIs ferry's AWS adapters use,
following their published service models (botocore / AWS API Reference):

  Bedrock AgentCore (data plane, signing name bedrock-agentcore, 2024-02-28):
    CreateEvent, ListActors, ListSessions, ListEvents, GetEvent,
    ListMemoryRecords, GetMemoryRecord, BatchCreateMemoryRecords
  Bedrock AgentCore Control (bedrock-agentcore, 2023-06-05):
    CreateMemory, GetMemory, ListMemories, CreateHarness, GetHarness, ListHarnesses
  Bedrock Agent (bedrock, 2023-06-05): agents, versions, aliases, action groups,
    agent knowledge bases, collaborators, knowledge bases, flows
  Bedrock Agent Runtime (bedrock, 2023-07-26): GetAgentMemory (session
    summaries), session management (sessions, invocations, invocation steps)

Paths and methods are the models' (POST-based List calls included),
pagination is nextToken with small pages, errors are AWS rest-json errors
(X-Amzn-ErrorType header, {"message": ...} body): ThrottlingException,
ThrottledException, ValidationException, ServiceQuotaExceededException,
ConflictException, ResourceNotFoundException. Every API request must carry
a valid SigV4 signature (tests/lib/sigv4.py, independent of ferry's C code):
a wrong, tampered or wrongly scoped one gets 403.

Two accounts, each its own key pair and state:
    A: AKIDSIMACCOUNTA00001 / simsecretA     B: AKIDSIMACCOUNTB00002 / simsecretB

    awssim.py PORTFILE [--region us-east-1] [--page N] [--delay MS]
        listens on 127.0.0.1 (a free port, written to PORTFILE)

Unsigned admin endpoints (tests only):
    POST /__seed?account=A      JSON seed (see seed() below)
    POST /__faults              {"seed":7,"throttle":0.3,"error5xx":0.1,"reset":0.05,
                                 "record_fail":0.2,"quota_memories":N}
    GET  /__state?account=B     the account's whole state as JSON
    GET  /__log                 [{"method","path","status","account"}] of API calls
    POST /__reset?account=B     forget everything that account holds
"""
import base64
import hashlib
import json
import random
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote

sys.path.insert(0, __import__("os").path.dirname(__file__))
import sigv4  # noqa: E402

ACCOUNTS = {
    "AKIDSIMACCOUNTA00001": ("A", "simsecretA", "111111111111"),
    "AKIDSIMACCOUNTB00002": ("B", "simsecretB", "222222222222"),
}
REGION = "us-east-1"
PAGE = 3
LOCK = threading.RLock()
STATE = {}
LOG = []
FAULTS = {"seed": 1, "throttle": 0.0, "error5xx": 0.0, "reset": 0.0, "record_fail": 0.0,
          "quota_memories": 100, "delay_ms": 0}
RNG = random.Random(1)
SEQ = [0]


class ApiError(Exception):
    def __init__(self, status, etype, message):
        Exception.__init__(self, message)
        self.status, self.etype, self.message = status, etype, message


def validation(msg):
    return ApiError(400, "ValidationException", msg)


def not_found(what):
    return ApiError(404, "ResourceNotFoundException", "%s not found" % what)


def conflict(msg):
    return ApiError(409, "ConflictException", msg)


def new_state():
    return {"memories": {}, "events": {}, "records": {}, "harnesses": {}, "agents": {},
            "knowledge_bases": {}, "flows": {}, "sessions": {}, "agent_memory": {},
            "tokens": {}}


def account_state(name):
    if name not in STATE:
        STATE[name] = new_state()
    return STATE[name]


def rid(n=10, alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"):
    SEQ[0] += 1
    h = hashlib.sha256(("%d-%f" % (SEQ[0], time.time())).encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in h[:n])


def now_epoch():
    return round(time.time(), 3)


def iso(t=None):
    t = time.time() if t is None else t
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def page(items, body_or_query, key):
    """nextToken pagination over a list; returns the response dict part."""
    tok = body_or_query.get("nextToken")
    start = 0
    if tok:
        try:
            start = json.loads(base64.b64decode(tok))["o"]
        except Exception:
            raise validation("invalid nextToken")
    mx = body_or_query.get("maxResults") or body_or_query.get("maxItems") or 100
    mx = min(int(mx), PAGE)
    out = {key: items[start:start + mx]}
    if start + mx < len(items):
        out["nextToken"] = base64.b64encode(json.dumps({"o": start + mx}).encode()).decode()
    return out


def idempotent(st, op, body, fn):
    """clientToken: the same token on the same operation returns the first answer."""
    tok = body.get("clientToken")
    if tok:
        key = op + "\0" + tok
        if key in st["tokens"]:
            return st["tokens"][key]
    res = fn()
    if tok:
        st["tokens"][op + "\0" + tok] = res
    return res


ACTOR_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-_/]*(?::[a-zA-Z0-9-_/]+)*[a-zA-Z0-9-_/]*$")


# --- AgentCore control ------------------------------------------------------

STRATEGY_KEYS = {
    "semanticMemoryStrategy": "SEMANTIC",
    "summaryMemoryStrategy": "SUMMARIZATION",
    "userPreferenceMemoryStrategy": "USER_PREFERENCE",
    "customMemoryStrategy": "CUSTOM",
    "episodicMemoryStrategy": "EPISODIC",
}


def create_memory(st, acct, body):
    name = body.get("name")
    if not name or not re.match(r"^[a-zA-Z][a-zA-Z0-9_]{0,47}$", name):
        raise validation("name must match [a-zA-Z][a-zA-Z0-9_]{0,47}")
    if "eventExpiryDuration" not in body:
        raise validation("eventExpiryDuration is required")

    def make():
        if any(m["name"] == name for m in st["memories"].values()):
            raise conflict("A memory named %s already exists" % name)
        if len(st["memories"]) >= FAULTS["quota_memories"]:
            raise ApiError(402, "ServiceQuotaExceededException", "memory quota reached")
        mid = "%s-%s" % (name, rid())
        strategies = []
        for s in body.get("memoryStrategies") or []:
            (k, v), = s.items()
            if k not in STRATEGY_KEYS:
                raise validation("unknown strategy %s" % k)
            sname = v.get("name") or k
            strategies.append({
                "strategyId": "%s-%s" % (sname, rid()), "name": sname,
                "description": v.get("description", ""), "type": STRATEGY_KEYS[k],
                "namespaces": v.get("namespaces") or ["/strategies/{memoryStrategyId}/actors/{actorId}"],
                "configuration": {"type": STRATEGY_KEYS[k]}, "status": "ACTIVE",
                "createdAt": now_epoch(), "updatedAt": now_epoch()})
        mem = {"arn": "arn:aws:bedrock-agentcore:%s:%s:memory/%s" % (REGION, acct[2], mid),
               "id": mid, "name": name, "description": body.get("description", ""),
               "eventExpiryDuration": body["eventExpiryDuration"], "status": "ACTIVE",
               "createdAt": now_epoch(), "updatedAt": now_epoch(), "strategies": strategies}
        if body.get("memoryExecutionRoleArn"):
            mem["memoryExecutionRoleArn"] = body["memoryExecutionRoleArn"]
        st["memories"][mid] = mem
        st["events"][mid] = {}
        st["records"][mid] = {}
        return {"memory": mem}
    return idempotent(st, "CreateMemory", body, make)


def get_memory(st, mid):
    if mid not in st["memories"]:
        raise not_found("Memory %s" % mid)
    return st["memories"][mid]


def harness_out(h):
    return {k: v for k, v in h.items() if not k.startswith("_")}


def create_harness(st, acct, body):
    name = body.get("harnessName")
    if not name or not re.match(r"^[a-zA-Z][a-zA-Z0-9_]{0,39}$", name):
        raise validation("harnessName must match [a-zA-Z][a-zA-Z0-9_]{0,39}")
    if not body.get("executionRoleArn"):
        raise validation("executionRoleArn is required")
    for t in body.get("tools") or []:
        if t.get("type") not in ("remote_mcp", "agentcore_browser", "agentcore_gateway",
                                 "inline_function", "agentcore_code_interpreter"):
            raise validation("unknown tool type %r" % t.get("type"))
        if t.get("name") and not re.match(r"^[a-zA-Z0-9_-]{1,64}$", t["name"]):
            raise validation("tool name %r does not match [a-zA-Z0-9_-]+" % t["name"])

    def make():
        if any(h["harnessName"] == name for h in st["harnesses"].values()):
            raise conflict("A harness named %s already exists" % name)
        hid = "%s-%s" % (name, rid())
        h = dict(body)
        h.pop("clientToken", None)
        h.update({"harnessId": hid, "arn": "arn:aws:bedrock-agentcore:%s:%s:harness/%s" % (REGION, acct[2], hid),
                  "status": "READY", "createdAt": iso(), "updatedAt": iso(), "harnessVersion": "1"})
        st["harnesses"][hid] = h
        return {"harness": harness_out(h)}
    return idempotent(st, "CreateHarness", body, make)


# --- AgentCore data plane ---------------------------------------------------

def event_key(ev):
    return (ev["eventTimestamp"], ev["_seq"])


def create_event(st, mid, body):
    mem = get_memory(st, mid)
    for f in ("actorId", "eventTimestamp", "payload"):
        if f not in body:
            raise validation("%s is required" % f)
    actor = body["actorId"]
    if not ACTOR_RE.match(actor):
        raise validation("actorId %r does not match the pattern" % actor)
    session = body.get("sessionId") or ("session-" + rid(8).lower())
    if not ACTOR_RE.match(session):
        raise validation("sessionId %r does not match the pattern" % session)
    ts = body["eventTimestamp"]
    if not isinstance(ts, (int, float)):
        raise validation("eventTimestamp must be epoch seconds")
    if not isinstance(body["payload"], list) or not body["payload"]:
        raise validation("payload must be a non-empty list")
    if body.get("extractionMode") not in (None, "SKIP", "DEFAULT"):
        raise validation("extractionMode must be SKIP")

    def make():
        evs = st["events"][mid].setdefault((actor, session), [])
        branch = body.get("branch")
        if branch:
            if not branch.get("name"):
                raise validation("branch.name is required")
            root = branch.get("rootEventId")
            if root and not any(e["eventId"] == root for e in evs):
                raise validation("branch root event %s not in session" % root)
        SEQ[0] += 1
        ev = {"memoryId": mid, "actorId": actor, "sessionId": session,
              "eventId": "%019d#%s" % (int(ts * 1000), rid(8, "0123456789abcdef")),
              "eventTimestamp": ts, "payload": body["payload"], "_seq": SEQ[0]}
        if branch:
            ev["branch"] = branch
        if body.get("metadata"):
            ev["metadata"] = body["metadata"]
        ev["_extractionMode"] = body.get("extractionMode", "DEFAULT")
        evs.append(ev)
        evs.sort(key=event_key)
        if ev["_extractionMode"] != "SKIP":
            extract(st, mem, ev)
        return {"event": event_out(ev, True)}
    return idempotent(st, "CreateEvent", body, make)


def extract(st, mem, ev):
    """Long-term extraction, as the service does for events not marked SKIP:
    one record per user message per strategy (so a test can see it)."""
    for p in ev["payload"]:
        conv = p.get("conversational")
        if not conv or conv.get("role") != "USER":
            continue
        for s in mem["strategies"]:
            ns = s["namespaces"][0].replace("{actorId}", ev["actorId"]).replace(
                "{sessionId}", ev["sessionId"]).replace("{memoryStrategyId}", s["strategyId"])
            recid = "mem-" + rid(20, "abcdefghijklmnopqrstuvwxyz0123456789")
            st["records"][mem["id"]][recid] = {
                "memoryRecordId": recid, "content": {"text": "extracted: " + conv["content"]["text"]},
                "memoryStrategyId": s["strategyId"], "namespaces": [ns], "createdAt": now_epoch(),
                "_seq": SEQ[0]}


def event_out(ev, payloads):
    out = {k: v for k, v in ev.items() if not k.startswith("_")}
    if not payloads:
        out.pop("payload", None)
    return out


def session_events(st, mid, actor, session):
    get_memory(st, mid)
    evs = st["events"][mid].get((actor, session))
    if evs is None:
        raise not_found("Session %s of actor %s" % (session, actor))
    return evs


def list_events(st, mid, actor, session, body):
    evs = session_events(st, mid, actor, session)
    f = body.get("filter") or {}
    if f.get("branch"):
        name = f["branch"].get("name")
        evs = [e for e in evs if (e.get("branch") or {}).get("name", "main") == name]
    for cond in f.get("eventMetadata") or []:
        key = cond["left"]["metadataKey"]
        op = cond["operator"]
        want = ((cond.get("right") or {}).get("metadataValue") or {}).get("stringValue")
        evs = [e for e in evs if
               (op == "EXISTS" and key in (e.get("metadata") or {})) or
               (op == "NOT_EXISTS" and key not in (e.get("metadata") or {})) or
               (op == "EQUALS_TO" and ((e.get("metadata") or {}).get(key) or {}).get("stringValue") == want)]
    inc = body.get("includePayloads", True)
    return page([event_out(e, inc) for e in evs], body, "events")


def record_out(r):
    return {k: v for k, v in r.items() if not k.startswith("_")}


def list_records(st, mid, body):
    get_memory(st, mid)
    ns = body.get("namespace")
    if not ns:
        raise validation("namespace is required")
    recs = sorted(st["records"][mid].values(), key=lambda r: (r["createdAt"], r["_seq"]))
    recs = [r for r in recs if any(n.startswith(ns) for n in r["namespaces"])]
    if body.get("memoryStrategyId"):
        recs = [r for r in recs if r.get("memoryStrategyId") == body["memoryStrategyId"]]
    return page([record_out(r) for r in recs], body, "memoryRecordSummaries")


def batch_create_records(st, mid, body):
    mem = get_memory(st, mid)
    recs = body.get("records")
    if not isinstance(recs, list):
        raise validation("records is required")
    if len(recs) > 100:
        raise validation("records: at most 100 items")
    strategies = {s["strategyId"] for s in mem["strategies"]}
    for r in recs:
        if not re.match(r"^[a-zA-Z0-9_-]{1,80}$", r.get("requestIdentifier") or ""):
            raise validation("requestIdentifier must match [a-zA-Z0-9_-]{1,80}")
        if not isinstance(r.get("namespaces"), list) or len(r["namespaces"]) > 1:
            raise validation("namespaces: at most 1 item")
        if not (r.get("content") or {}).get("text"):
            raise validation("content.text is required")
        if not isinstance(r.get("timestamp"), (int, float)):
            raise validation("timestamp (epoch seconds) is required")
        if r.get("memoryStrategyId") and r["memoryStrategyId"] not in strategies:
            raise validation("memoryStrategyId %s is not a strategy of this memory" % r["memoryStrategyId"])

    def make():
        ok, failed = [], []
        for r in recs:
            if RNG.random() < FAULTS["record_fail"]:
                failed.append({"requestIdentifier": r["requestIdentifier"], "status": "FAILED",
                               "errorCode": 500, "errorMessage": "internal error, retry"})
                continue
            SEQ[0] += 1
            recid = "mem-" + rid(20, "abcdefghijklmnopqrstuvwxyz0123456789")
            rec = {"memoryRecordId": recid, "content": r["content"], "namespaces": r["namespaces"],
                   "createdAt": r["timestamp"], "_seq": SEQ[0]}
            if r.get("memoryStrategyId"):
                rec["memoryStrategyId"] = r["memoryStrategyId"]
            if r.get("metadata"):
                rec["metadata"] = r["metadata"]
            st["records"][mid][recid] = rec
            ok.append({"requestIdentifier": r["requestIdentifier"], "memoryRecordId": recid,
                       "status": "SUCCEEDED"})
        return {"successfulRecords": ok, "failedRecords": failed}
    return idempotent(st, "BatchCreateMemoryRecords", body, make)


# --- Bedrock Agent ----------------------------------------------------------

def agent_of(st, aid):
    if aid not in st["agents"]:
        raise not_found("Agent %s" % aid)
    return st["agents"][aid]


def version_of(a, ver):
    if ver not in a["_versions"]:
        raise not_found("Agent version %s" % ver)
    return a["_versions"][ver]


def create_agent(st, acct, body):
    name = body.get("agentName")
    if not name or not re.match(r"^([0-9a-zA-Z][_-]?){1,100}$", name):
        raise validation("agentName does not match the pattern")

    def make():
        if any(a["agentName"] == name for a in st["agents"].values()):
            raise conflict("An agent named %s already exists" % name)
        aid = rid(10)
        a = {k: v for k, v in body.items() if k not in ("clientToken", "tags")}
        a.update({"agentId": aid, "agentArn": "arn:aws:bedrock:%s:%s:agent/%s" % (REGION, acct[2], aid),
                  "agentVersion": "DRAFT", "agentStatus": "NOT_PREPARED", "createdAt": iso(),
                  "updatedAt": iso(), "idleSessionTTLInSeconds": body.get("idleSessionTTLInSeconds", 600),
                  "agentResourceRoleArn": body.get("agentResourceRoleArn", "arn:aws:iam::%s:role/agent" % acct[2])})
        a["_versions"] = {"DRAFT": {"actionGroups": {}, "knowledgeBases": {}, "collaborators": {}}}
        a["_aliases"] = {}
        st["agents"][aid] = a
        return {"agent": agent_out(a)}
    return idempotent(st, "CreateAgent", body, make)


def agent_out(a, ver="DRAFT"):
    out = {k: v for k, v in a.items() if not k.startswith("_")}
    snap = a["_versions"].get(ver, {}).get("snapshot")
    if snap:
        out = dict(snap)
    out["agentVersion"] = ver
    return out


def create_action_group(st, aid, ver, body):
    a = agent_of(st, aid)
    v = version_of(a, ver)
    if not body.get("actionGroupName"):
        raise validation("actionGroupName is required")

    def make():
        gid = rid(10)
        g = {k: v2 for k, v2 in body.items() if k != "clientToken"}
        g.update({"actionGroupId": gid, "agentId": aid, "agentVersion": ver,
                  "actionGroupState": body.get("actionGroupState", "ENABLED"),
                  "createdAt": iso(), "updatedAt": iso()})
        v["actionGroups"][gid] = g
        return {"agentActionGroup": g}
    return idempotent(st, "CreateAgentActionGroup:" + aid, body, make)


def associate_kb(st, aid, ver, body):
    a = agent_of(st, aid)
    v = version_of(a, ver)
    kid = body.get("knowledgeBaseId")
    if not kid or not body.get("description"):
        raise validation("knowledgeBaseId and description are required")
    if kid in v["knowledgeBases"]:
        raise conflict("knowledge base %s is already associated" % kid)
    assoc = {"agentId": aid, "agentVersion": ver, "knowledgeBaseId": kid,
             "description": body["description"],
             "knowledgeBaseState": body.get("knowledgeBaseState", "ENABLED"),
             "createdAt": iso(), "updatedAt": iso()}
    v["knowledgeBases"][kid] = assoc
    return {"agentKnowledgeBase": assoc}


def associate_collab(st, aid, ver, body):
    a = agent_of(st, aid)
    v = version_of(a, ver)
    for f in ("agentDescriptor", "collaboratorName", "collaborationInstruction"):
        if f not in body:
            raise validation("%s is required" % f)

    def make():
        cid = rid(10)
        c = {k: v2 for k, v2 in body.items() if k != "clientToken"}
        c.update({"agentId": aid, "agentVersion": ver, "collaboratorId": cid, "createdAt": iso(),
                  "lastUpdatedAt": iso()})
        v["collaborators"][cid] = c
        return {"agentCollaborator": c}
    return idempotent(st, "AssociateAgentCollaborator:" + aid, body, make)


def create_alias(st, acct, aid, body):
    a = agent_of(st, aid)
    if not body.get("agentAliasName"):
        raise validation("agentAliasName is required")

    def make():
        alid = rid(10)
        al = {"agentId": aid, "agentAliasId": alid, "agentAliasName": body["agentAliasName"],
              "agentAliasArn": "arn:aws:bedrock:%s:%s:agent-alias/%s/%s" % (REGION, acct[2], aid, alid),
              "agentAliasStatus": "PREPARED", "createdAt": iso(), "updatedAt": iso(),
              "routingConfiguration": body.get("routingConfiguration") or [{"agentVersion": "1"}]}
        if body.get("description"):
            al["description"] = body["description"]
        a["_aliases"][alid] = al
        return {"agentAlias": al}
    return idempotent(st, "CreateAgentAlias:" + aid, body, make)


# --- Bedrock Flows ----------------------------------------------------------

def create_flow(st, acct, body):
    for f in ("name", "executionRoleArn"):
        if not body.get(f):
            raise validation("%s is required" % f)

    def make():
        if any(f["name"] == body["name"] for f in st["flows"].values()):
            raise conflict("A flow named %s already exists" % body["name"])
        fid = rid(10)
        fl = {k: v for k, v in body.items() if k not in ("clientToken", "tags")}
        fl.update({"id": fid, "arn": "arn:aws:bedrock:%s:%s:flow/%s" % (REGION, acct[2], fid),
                   "status": "NotPrepared", "version": "DRAFT", "createdAt": iso(), "updatedAt": iso()})
        st["flows"][fid] = fl
        return fl
    return idempotent(st, "CreateFlow", body, make)


# --- Bedrock session management ---------------------------------------------

def session_of(st, sid):
    for s in st["sessions"].values():
        if s["sessionId"] == sid or s["sessionArn"] == sid:
            return s
    raise not_found("Session %s" % sid)


def session_out(s):
    return {k: v for k, v in s.items() if not k.startswith("_")}


UUID_RE = re.compile(r"^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$")


def put_step(st, sid, body):
    s = session_of(st, sid)
    inv = body.get("invocationIdentifier")
    if not inv or inv not in s["_invocations"]:
        raise validation("invocationIdentifier must name an invocation of this session")
    if not isinstance(body.get("invocationStepTime"), str):
        raise validation("invocationStepTime is required (ISO 8601)")
    blocks = (body.get("payload") or {}).get("contentBlocks")
    if not blocks:
        raise validation("payload.contentBlocks is required")
    step_id = body.get("invocationStepId") or str(uuid.uuid4())
    if not UUID_RE.match(step_id):
        raise validation("invocationStepId must be a UUID")
    if step_id in s["_steps"]:
        # PutInvocationStep overwrites a step with the same id: no duplicate.
        pass
    SEQ[0] += 1
    s["_steps"][step_id] = {"sessionId": s["sessionId"], "invocationId": inv,
                            "invocationStepId": step_id, "invocationStepTime": body["invocationStepTime"],
                            "payload": body["payload"], "_seq": s["_steps"].get(step_id, {}).get("_seq", SEQ[0])}
    s["lastUpdatedAt"] = iso()
    return {"invocationStepId": step_id}


# --- routing ----------------------------------------------------------------

AC = "bedrock-agentcore"
BR = "bedrock"
ROUTES = []


def route(method, pattern, service, throttle="ThrottlingException"):
    rx = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")

    def deco(fn):
        ROUTES.append((method, rx, service, throttle, fn))
        return fn
    return deco


# AgentCore control
@route("POST", "/memories/create", AC, "ThrottledException")
def _create_memory(st, acct, p, q, b):
    return 201, create_memory(st, acct, b)


@route("GET", "/memories/{memoryId}/details", AC, "ThrottledException")
def _get_memory(st, acct, p, q, b):
    return 200, {"memory": get_memory(st, p["memoryId"])}


@route("POST", "/memories/", AC, "ThrottledException")
def _list_memories(st, acct, p, q, b):
    mems = [{"arn": m["arn"], "id": m["id"], "status": m["status"], "createdAt": m["createdAt"],
             "updatedAt": m["updatedAt"]} for m in sorted(st["memories"].values(), key=lambda m: m["createdAt"])]
    return 200, page(mems, b, "memories")


@route("POST", "/harnesses", AC)
def _create_harness(st, acct, p, q, b):
    return 201, create_harness(st, acct, b)


@route("GET", "/harnesses", AC)
def _list_harnesses(st, acct, p, q, b):
    hs = [{k: h[k] for k in ("harnessId", "harnessName", "arn", "status", "createdAt", "updatedAt")}
          for h in sorted(st["harnesses"].values(), key=lambda h: h["harnessId"])]
    return 200, page(hs, q, "harnesses")


@route("GET", "/harnesses/{harnessId}", AC)
def _get_harness(st, acct, p, q, b):
    h = st["harnesses"].get(p["harnessId"])
    if not h:
        raise not_found("Harness %s" % p["harnessId"])
    return 200, {"harness": harness_out(h)}


# AgentCore data plane
@route("POST", "/memories/{memoryId}/events", AC, "ThrottledException")
def _create_event(st, acct, p, q, b):
    return 200, create_event(st, p["memoryId"], b)


@route("POST", "/memories/{memoryId}/actors", AC, "ThrottledException")
def _list_actors(st, acct, p, q, b):
    get_memory(st, p["memoryId"])
    actors = sorted({a for (a, _) in st["events"][p["memoryId"]]})
    return 200, page([{"actorId": a} for a in actors], b, "actorSummaries")


@route("POST", "/memories/{memoryId}/actor/{actorId}/sessions", AC, "ThrottledException")
def _list_sessions(st, acct, p, q, b):
    get_memory(st, p["memoryId"])
    ss = sorted((evs[0]["eventTimestamp"], s) for (a, s), evs in st["events"][p["memoryId"]].items()
                if a == p["actorId"] and evs)
    return 200, page([{"sessionId": s, "actorId": p["actorId"], "createdAt": t} for t, s in ss], b,
                     "sessionSummaries")


@route("POST", "/memories/{memoryId}/actor/{actorId}/sessions/{sessionId}", AC, "ThrottledException")
def _list_events(st, acct, p, q, b):
    return 200, list_events(st, p["memoryId"], p["actorId"], p["sessionId"], b)


@route("GET", "/memories/{memoryId}/actor/{actorId}/sessions/{sessionId}/events/{eventId}", AC,
       "ThrottledException")
def _get_event(st, acct, p, q, b):
    for e in session_events(st, p["memoryId"], p["actorId"], p["sessionId"]):
        if e["eventId"] == p["eventId"]:
            return 200, {"event": event_out(e, True)}
    raise not_found("Event %s" % p["eventId"])


@route("POST", "/memories/{memoryId}/memoryRecords", AC, "ThrottledException")
def _list_records(st, acct, p, q, b):
    return 200, list_records(st, p["memoryId"], b)


@route("GET", "/memories/{memoryId}/memoryRecord/{memoryRecordId}", AC, "ThrottledException")
def _get_record(st, acct, p, q, b):
    get_memory(st, p["memoryId"])
    r = st["records"][p["memoryId"]].get(p["memoryRecordId"])
    if not r:
        raise not_found("Memory record %s" % p["memoryRecordId"])
    return 200, {"memoryRecord": record_out(r)}


@route("POST", "/memories/{memoryId}/memoryRecords/batchCreate", AC, "ThrottledException")
def _batch_create(st, acct, p, q, b):
    return 201, batch_create_records(st, p["memoryId"], b)


# Bedrock Agent
@route("PUT", "/agents/", BR)
def _create_agent(st, acct, p, q, b):
    return 202, create_agent(st, acct, b)


@route("POST", "/agents/", BR)
def _list_agents(st, acct, p, q, b):
    out = [{"agentId": a["agentId"], "agentName": a["agentName"], "agentStatus": a["agentStatus"],
            "updatedAt": a["updatedAt"], "description": a.get("description", ""),
            "latestAgentVersion": max(a["_versions"], key=lambda v: (v != "DRAFT", v))}
           for a in sorted(st["agents"].values(), key=lambda a: a["agentId"])]
    return 200, page(out, b, "agentSummaries")


@route("GET", "/agents/{agentId}/", BR)
def _get_agent(st, acct, p, q, b):
    return 200, {"agent": agent_out(agent_of(st, p["agentId"]))}


@route("POST", "/agents/{agentId}/", BR)
def _prepare_agent(st, acct, p, q, b):
    a = agent_of(st, p["agentId"])
    a["agentStatus"] = "PREPARED"
    a["preparedAt"] = iso()
    return 202, {"agentId": a["agentId"], "agentStatus": "PREPARED", "agentVersion": "DRAFT",
                 "preparedAt": a["preparedAt"]}


@route("POST", "/agents/{agentId}/agentversions/", BR)
def _list_versions(st, acct, p, q, b):
    a = agent_of(st, p["agentId"])
    out = [{"agentName": a["agentName"], "agentStatus": "PREPARED", "agentVersion": v,
            "createdAt": a["createdAt"], "updatedAt": a["updatedAt"]}
           for v in sorted(a["_versions"], key=lambda v: (v != "DRAFT", v))]
    return 200, page(out, b, "agentVersionSummaries")


@route("GET", "/agents/{agentId}/agentversions/{agentVersion}/", BR)
def _get_version(st, acct, p, q, b):
    a = agent_of(st, p["agentId"])
    version_of(a, p["agentVersion"])
    out = agent_out(a, p["agentVersion"])
    out["version"] = out.pop("agentVersion")
    return 200, {"agentVersion": out}


@route("PUT", "/agents/{agentId}/agentaliases/", BR)
def _create_alias(st, acct, p, q, b):
    return 202, create_alias(st, acct, p["agentId"], b)


@route("POST", "/agents/{agentId}/agentaliases/", BR)
def _list_aliases(st, acct, p, q, b):
    a = agent_of(st, p["agentId"])
    out = [{k: al[k] for k in ("agentAliasId", "agentAliasName", "agentAliasStatus", "createdAt",
                               "updatedAt", "routingConfiguration")}
           for al in sorted(a["_aliases"].values(), key=lambda x: x["agentAliasId"])]
    return 200, page(out, b, "agentAliasSummaries")


@route("GET", "/agents/{agentId}/agentaliases/{agentAliasId}/", BR)
def _get_alias(st, acct, p, q, b):
    a = agent_of(st, p["agentId"])
    al = a["_aliases"].get(p["agentAliasId"])
    if not al:
        raise not_found("Alias %s" % p["agentAliasId"])
    return 200, {"agentAlias": al}


@route("PUT", "/agents/{agentId}/agentversions/{agentVersion}/actiongroups/", BR)
def _create_ag(st, acct, p, q, b):
    return 200, create_action_group(st, p["agentId"], p["agentVersion"], b)


@route("POST", "/agents/{agentId}/agentversions/{agentVersion}/actiongroups/", BR)
def _list_ags(st, acct, p, q, b):
    v = version_of(agent_of(st, p["agentId"]), p["agentVersion"])
    out = [{k: g[k] for k in ("actionGroupId", "actionGroupName", "actionGroupState", "updatedAt")
            if k in g} for g in sorted(v["actionGroups"].values(), key=lambda g: g["actionGroupId"])]
    return 200, page(out, b, "actionGroupSummaries")


@route("GET", "/agents/{agentId}/agentversions/{agentVersion}/actiongroups/{actionGroupId}/", BR)
def _get_ag(st, acct, p, q, b):
    v = version_of(agent_of(st, p["agentId"]), p["agentVersion"])
    g = v["actionGroups"].get(p["actionGroupId"])
    if not g:
        raise not_found("Action group %s" % p["actionGroupId"])
    return 200, {"agentActionGroup": g}


@route("PUT", "/agents/{agentId}/agentversions/{agentVersion}/knowledgebases/", BR)
def _assoc_kb(st, acct, p, q, b):
    return 200, associate_kb(st, p["agentId"], p["agentVersion"], b)


@route("POST", "/agents/{agentId}/agentversions/{agentVersion}/knowledgebases/", BR)
def _list_agent_kbs(st, acct, p, q, b):
    v = version_of(agent_of(st, p["agentId"]), p["agentVersion"])
    out = [{k: x[k] for k in ("knowledgeBaseId", "description", "knowledgeBaseState", "updatedAt")}
           for x in sorted(v["knowledgeBases"].values(), key=lambda x: x["knowledgeBaseId"])]
    return 200, page(out, b, "agentKnowledgeBaseSummaries")


@route("PUT", "/agents/{agentId}/agentversions/{agentVersion}/agentcollaborators/", BR)
def _assoc_collab(st, acct, p, q, b):
    return 200, associate_collab(st, p["agentId"], p["agentVersion"], b)


@route("POST", "/agents/{agentId}/agentversions/{agentVersion}/agentcollaborators/", BR)
def _list_collabs(st, acct, p, q, b):
    v = version_of(agent_of(st, p["agentId"]), p["agentVersion"])
    return 200, page(sorted(v["collaborators"].values(), key=lambda c: c["collaboratorId"]), b,
                     "agentCollaboratorSummaries")


@route("GET", "/knowledgebases/{knowledgeBaseId}", BR)
def _get_kb(st, acct, p, q, b):
    kb = st["knowledge_bases"].get(p["knowledgeBaseId"])
    if not kb:
        raise not_found("Knowledge base %s" % p["knowledgeBaseId"])
    return 200, {"knowledgeBase": kb}


@route("POST", "/flows/", BR)
def _create_flow(st, acct, p, q, b):
    return 201, create_flow(st, acct, b)


@route("GET", "/flows/", BR)
def _list_flows(st, acct, p, q, b):
    out = [{k: f[k] for k in ("id", "arn", "name", "status", "version", "createdAt", "updatedAt")}
           for f in sorted(st["flows"].values(), key=lambda f: f["id"])]
    return 200, page(out, q, "flowSummaries")


@route("GET", "/flows/{flowIdentifier}/", BR)
def _get_flow(st, acct, p, q, b):
    f = st["flows"].get(p["flowIdentifier"])
    if not f:
        raise not_found("Flow %s" % p["flowIdentifier"])
    return 200, f


# Bedrock Agent Runtime
@route("GET", "/agents/{agentId}/agentAliases/{agentAliasId}/memories", BR)
def _get_agent_memory(st, acct, p, q, b):
    if q.get("memoryType") != "SESSION_SUMMARY" or not q.get("memoryId"):
        raise validation("memoryType=SESSION_SUMMARY and memoryId are required")
    key = "%s/%s/%s" % (p["agentId"], p["agentAliasId"], q["memoryId"])
    items = [{"sessionSummary": s} for s in st["agent_memory"].get(key, [])]
    return 200, page(items, q, "memoryContents")


@route("PUT", "/sessions/", BR)
def _create_session(st, acct, p, q, b):
    def make():
        sid = str(uuid.uuid4())
        s = {"sessionId": sid, "sessionArn": "arn:aws:bedrock:%s:%s:session/%s" % (REGION, acct[2], sid),
             "sessionStatus": "ACTIVE", "createdAt": iso(), "lastUpdatedAt": iso(),
             "sessionMetadata": b.get("sessionMetadata") or {}, "_invocations": {}, "_steps": {}}
        st["sessions"][sid] = s
        return {k: s[k] for k in ("sessionId", "sessionArn", "sessionStatus", "createdAt")}
    return 201, idempotent(st, "CreateSession", b, make)


@route("POST", "/sessions/", BR)
def _list_sessions_rt(st, acct, p, q, b):
    out = [{k: s[k] for k in ("sessionId", "sessionArn", "sessionStatus", "createdAt", "lastUpdatedAt")}
           for s in sorted(st["sessions"].values(), key=lambda s: (s["createdAt"], s["sessionId"]))]
    return 200, page(out, b, "sessionSummaries")


@route("GET", "/sessions/{sessionIdentifier}/", BR)
def _get_session(st, acct, p, q, b):
    return 200, session_out(session_of(st, p["sessionIdentifier"]))


@route("PUT", "/sessions/{sessionIdentifier}/", BR)
def _update_session(st, acct, p, q, b):
    s = session_of(st, p["sessionIdentifier"])
    if "sessionMetadata" in b:
        s["sessionMetadata"] = b["sessionMetadata"]
    s["lastUpdatedAt"] = iso()
    return 200, {k: s[k] for k in ("sessionId", "sessionArn", "sessionStatus", "createdAt", "lastUpdatedAt")}


@route("PUT", "/sessions/{sessionIdentifier}/invocations/", BR)
def _create_invocation(st, acct, p, q, b):
    s = session_of(st, p["sessionIdentifier"])
    inv = b.get("invocationId") or str(uuid.uuid4())
    if not UUID_RE.match(inv):
        raise validation("invocationId must be a UUID")
    if inv not in s["_invocations"]:
        SEQ[0] += 1
        s["_invocations"][inv] = {"sessionId": s["sessionId"], "invocationId": inv, "createdAt": iso(),
                                  "description": b.get("description", ""), "_seq": SEQ[0]}
    return 201, {k: s["_invocations"][inv][k] for k in ("sessionId", "invocationId", "createdAt")}


@route("POST", "/sessions/{sessionIdentifier}/invocations/", BR)
def _list_invocations(st, acct, p, q, b):
    s = session_of(st, p["sessionIdentifier"])
    out = [{k: i[k] for k in ("sessionId", "invocationId", "createdAt")}
           for i in sorted(s["_invocations"].values(), key=lambda i: i["_seq"])]
    return 200, page(out, b, "invocationSummaries")


@route("PUT", "/sessions/{sessionIdentifier}/invocationSteps/", BR)
def _put_step(st, acct, p, q, b):
    return 201, put_step(st, p["sessionIdentifier"], b)


@route("POST", "/sessions/{sessionIdentifier}/invocationSteps/", BR)
def _list_steps(st, acct, p, q, b):
    s = session_of(st, p["sessionIdentifier"])
    steps = sorted(s["_steps"].values(), key=lambda x: (x["invocationStepTime"], x["_seq"]))
    if b.get("invocationIdentifier"):
        steps = [x for x in steps if x["invocationId"] == b["invocationIdentifier"]]
    out = [{k: x[k] for k in ("sessionId", "invocationId", "invocationStepId", "invocationStepTime")}
           for x in steps]
    return 200, page(out, b, "invocationStepSummaries")


@route("POST", "/sessions/{sessionIdentifier}/invocationSteps/{invocationStepId}", BR)
def _get_step(st, acct, p, q, b):
    s = session_of(st, p["sessionIdentifier"])
    x = s["_steps"].get(p["invocationStepId"])
    if not x or x["invocationId"] != b.get("invocationIdentifier"):
        raise not_found("Invocation step %s" % p["invocationStepId"])
    return 200, {"invocationStep": {k: v for k, v in x.items() if not k.startswith("_")}}


# --- seeding ----------------------------------------------------------------

def seed(st, acct, data):
    """Load test data through the same code paths as the API."""
    for m in data.get("memories", []):
        mem = create_memory(st, acct, {"name": m["name"], "description": m.get("description", ""),
                                       "eventExpiryDuration": m.get("eventExpiryDuration", 90),
                                       "memoryStrategies": m.get("memoryStrategies", [])})["memory"]
        ids = {}
        for e in m.get("events", []):
            body = {k: v for k, v in e.items() if k != "ref"}
            br = body.get("branch")
            if br and br.get("rootEventId") in ids:
                br["rootEventId"] = ids[br["rootEventId"]]
            body["extractionMode"] = "SKIP"
            ev = create_event(st, mem["id"], body)["event"]
            if e.get("ref"):
                ids[e["ref"]] = ev["eventId"]
        strat = {s["name"]: s["strategyId"] for s in mem["strategies"]}
        recs = []
        for i, r in enumerate(m.get("records", [])):
            r = dict(r)
            r.setdefault("requestIdentifier", "seed%d" % i)
            if r.get("strategy"):
                r["memoryStrategyId"] = strat[r.pop("strategy")]
                r["namespaces"] = [n.replace("{memoryStrategyId}", r["memoryStrategyId"]) for n in r["namespaces"]]
            recs.append(r)
        saved = FAULTS["record_fail"]
        FAULTS["record_fail"] = 0
        for i in range(0, len(recs), 100):
            batch_create_records(st, mem["id"], {"records": recs[i:i + 100]})
        FAULTS["record_fail"] = saved
    for h in data.get("harnesses", []):
        create_harness(st, acct, h)
    for kb in data.get("knowledgeBases", []):
        st["knowledge_bases"][kb["knowledgeBaseId"]] = dict(kb, createdAt=iso(), updatedAt=iso(),
                                                            status="ACTIVE")
    for a in data.get("agents", []):
        body = {k: v for k, v in a.items() if k not in ("actionGroups", "knowledgeBases", "aliases",
                                                        "collaborators", "versions", "sessionSummaries")}
        ag = create_agent(st, acct, body)["agent"]
        aid = ag["agentId"]
        for g in a.get("actionGroups", []):
            create_action_group(st, aid, "DRAFT", g)
        for kb in a.get("knowledgeBases", []):
            associate_kb(st, aid, "DRAFT", kb)
        for c in a.get("collaborators", []):
            # "{agent:NAME}" in the seed stands for that agent's id
            c = json.loads(re.sub(r"\{agent:([^}]+)\}", lambda m: next(
                x["agentId"] for x in st["agents"].values() if x["agentName"] == m.group(1)), json.dumps(c)))
            associate_collab(st, aid, "DRAFT", c)
        agent = st["agents"][aid]
        for ver in a.get("versions", []):
            snap = json.loads(json.dumps(agent["_versions"]["DRAFT"]))
            snap["snapshot"] = dict(agent_out(agent), agentStatus="PREPARED")
            agent["_versions"][ver] = snap
        for al in a.get("aliases", []):
            alias = create_alias(st, acct, aid, al)["agentAlias"]
            for mid, sums in (al.get("sessionSummaries") or {}).items():
                st["agent_memory"]["%s/%s/%s" % (aid, alias["agentAliasId"], mid)] = sums
    for f in data.get("flows", []):
        create_flow(st, acct, f)
    for s in data.get("sessions", []):
        _, out = _create_session(st, acct, {}, {}, {"sessionMetadata": s.get("sessionMetadata", {})})
        sid = out["sessionId"]
        for inv in s.get("invocations", []):
            _, io = _create_invocation(st, acct, {"sessionIdentifier": sid}, {}, {"description": inv.get("description", "")})
            for step in inv.get("steps", []):
                put_step(st, sid, {"invocationIdentifier": io["invocationId"],
                                   "invocationStepTime": step["invocationStepTime"],
                                   "payload": step["payload"]})
    return {"ok": True}


def public(obj):
    """State for /__state: drop internal keys, tuple keys become strings."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if isinstance(k, tuple):
                k = "/".join(k)
            if isinstance(k, str) and k.startswith("_") and k not in ("_versions", "_aliases", "_invocations", "_steps"):
                if k == "_extractionMode":
                    out["extractionMode"] = v
                continue
            out[k] = public(v)
        return out
    if isinstance(obj, list):
        return [public(x) for x in obj]
    return obj


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def send_json(self, status, obj, etype=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        if etype:
            self.send_header("x-amzn-ErrorType", etype + ":")
        self.end_headers()
        self.wfile.write(body)

    def admin(self, path, q, body):
        if path == "/__seed":
            acct = [a for a in ACCOUNTS.values() if a[0] == q.get("account", "A")][0]
            with LOCK:
                return self.send_json(200, seed(account_state(acct[0]), acct, json.loads(body or b"{}")))
        if path == "/__faults":
            with LOCK:
                FAULTS.update(json.loads(body or b"{}"))
                RNG.seed(FAULTS["seed"])
            return self.send_json(200, FAULTS)
        if path == "/__state":
            with LOCK:
                return self.send_json(200, public(account_state(q.get("account", "A"))))
        if path == "/__log":
            with LOCK:
                return self.send_json(200, LOG)
        if path == "/__reset":
            with LOCK:
                STATE.pop(q.get("account", "A"), None)
            return self.send_json(200, {})
        return self.send_json(404, {"message": "no such admin path"})

    def handle_any(self):
        raw_target = self.path
        path, _, query = raw_target.partition("?")
        q = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        if path.startswith("/__"):
            return self.admin(path, q, body)
        # Which route: match on decoded segments, then verify the signature
        # for the service that route belongs to.
        segs = [unquote(s) for s in path.split("/")]
        match = None
        for method, rx, service, throttle, fn in ROUTES:
            if method != self.command:
                continue
            m = rx.match("/".join(s.replace("/", "\x00") for s in segs))
            if m:
                match = (service, throttle, fn, {k: v.replace("\x00", "/") for k, v in m.groupdict().items()})
                break
        hdrs = list(self.headers.items())
        auth_service = match[0] if match else None
        ok, who = sigv4.verify(self.command, raw_target, hdrs, body,
                               {k: v[1] for k, v in ACCOUNTS.items()}, region=REGION,
                               service=auth_service)
        acct = ACCOUNTS.get(who) if ok else None
        with LOCK:
            LOG.append({"method": self.command, "path": path, "account": acct[0] if acct else None,
                        "status": None})
            entry = LOG[-1]
        if not ok:
            entry["status"] = 403
            return self.send_json(403, {"message": who[1]}, who[0])
        if not match:
            entry["status"] = 404
            return self.send_json(404, {"message": "no route %s %s" % (self.command, path)},
                                  "UnknownOperationException")
        service, throttle, fn, params = match
        if FAULTS["delay_ms"]:
            time.sleep(FAULTS["delay_ms"] / 1000.0)
        with LOCK:
            r = RNG.random()
        if r < FAULTS["reset"]:
            entry["status"] = 0
            self.close_connection = True
            self.connection.shutdown(2)
            return
        r -= FAULTS["reset"]
        if r < FAULTS["throttle"]:
            entry["status"] = 429
            return self.send_json(429, {"message": "Rate exceeded"}, throttle)
        r -= FAULTS["throttle"]
        if r < FAULTS["error5xx"]:
            entry["status"] = 500
            return self.send_json(500, {"message": "internal error"},
                                  "ServiceException" if throttle == "ThrottledException" else "InternalServerException")
        try:
            b = json.loads(body) if body else {}
            if not isinstance(b, dict):
                raise validation("the body must be a JSON object")
        except ValueError:
            entry["status"] = 400
            return self.send_json(400, {"message": "body is not JSON"}, "ValidationException")
        try:
            with LOCK:
                status, out = fn(account_state(acct[0]), acct, params, q, b)
        except ApiError as e:
            entry["status"] = e.status
            return self.send_json(e.status, {"message": e.message}, e.etype)
        entry["status"] = status
        return self.send_json(status, out)

    do_GET = do_POST = do_PUT = do_DELETE = handle_any


def main():
    global REGION, PAGE
    args = sys.argv[1:]
    portfile = args.pop(0)
    while args:
        a = args.pop(0)
        if a == "--region":
            REGION = args.pop(0)
        elif a == "--page":
            PAGE = int(args.pop(0))
        elif a == "--delay":
            FAULTS["delay_ms"] = int(args.pop(0))
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    __import__("os").rename(portfile + ".tmp", portfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()
