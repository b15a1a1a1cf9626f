#!/usr/bin/env python3
"""gen_seed.py SESSIONS EVENTS RECORDS - a larger AgentCore seed for the
kill-and-resume test: SESSIONS sessions of EVENTS events (every third
session has a branch), RECORDS long-term records over two strategies."""
import json
import sys

ns, ne, nr = (int(x) for x in sys.argv[1:4])
events = []
t0 = 1767225600.0
for s in range(ns):
    actor = "tenant-%d:user/%d" % (s % 3, s)
    for e in range(ne):
        ev = {"ref": "s%de%d" % (s, e), "actorId": actor, "sessionId": "session-%03d" % s,
              "eventTimestamp": round(t0 + s * 1000 + e * 7.25, 3),
              "payload": [{"conversational": {"content": {"text": "session %d, turn %d" % (s, e)},
                                              "role": "USER" if e % 2 == 0 else "ASSISTANT"}}]}
        if s % 3 == 0 and e >= ne - 2:
            ev["branch"] = {"name": "alt", "rootEventId": "s%de%d" % (s, ne - 4)}
        events.append(ev)
records = []
for r in range(nr):
    strat = "Facts" if r % 2 == 0 else "Preferences"
    records.append({"strategy": strat,
                    "namespaces": ["/%s/user-%d" % (strat.lower(), r % 17)],
                    "content": {"text": "record %d: something worth remembering" % r},
                    "timestamp": round(t0 + r * 61.5, 3)})
print(json.dumps({"memories": [{
    "name": "BigMemory", "eventExpiryDuration": 30,
    "memoryStrategies": [
        {"semanticMemoryStrategy": {"name": "Facts", "namespaces": ["/facts/{actorId}"]}},
        {"userPreferenceMemoryStrategy": {"name": "Preferences", "namespaces": ["/preferences/{actorId}"]}}],
    "events": events, "records": records}],
    "harnesses": [{"harnessName": "big_harness", "executionRoleArn": "arn:aws:iam::111111111111:role/H",
                   "systemPrompt": [{"text": "Be brief."}]}]}))
