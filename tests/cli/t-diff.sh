#!/bin/sh
# t-diff.sh - ferry diff in the domain's words: the issue's case (one
# edited instruction, one new message, one deleted memory: exactly three
# changes), the text form, the --json document against its schema, and a
# wider change set (threads added and removed, memory edited and added,
# files, agents' tools and model, a tool's schema).
name=diff
. "$(dirname "$0")/../lib.sh"

cp -r "$SAMPLES/neutral" t
ferry export dir:t -o a.ferry
sed -i 's/never guess a delivery date. Quote/never guess a delivery date. Apologise once for any delay. Quote/' \
	t/agents/support-bot.json
echo '{"kind":"message","id":"c5","thread":"t-volume-chart","parent":"c4","role":"user","parts":[{"type":"text","text":"Thanks, and the week of 2 November?"}],"created":"2026-11-02T09:00:00Z","source":{"adapter":"dir"}}' \
	>>t/threads/000001.jsonl
sed -i '/"id":"mem-fact-1"/d' t/memory/000001.jsonl
ferry export dir:t -o b.ferry

# --- exactly the three changes ------------------------------------------------
ferry diff --json a.ferry b.ferry >d.json
check "three changes, no more" jq -e '.changes | length == 3' d.json
check "1: agent support-bot changed, only its instructions" \
	jq -e '.changes[0] | .kind == "agent" and .op == "changed" and .id == "support-bot" and ([.fields[].field] == ["instructions"])' d.json
check "   the instructions as a unified diff" \
	jq -e '.changes[0].fields[0].diff | test("^--- a/agent/support-bot/instructions\n\\+\\+\\+ b/agent/support-bot/instructions\n@@ -1 \\+1 @@\n-.*Quote.*\n\\+.*Apologise once for any delay. Quote")' d.json
check "2: thread t-volume-chart: one message added (c5), nothing else" \
	jq -e '.changes[1] | .kind == "thread" and .op == "changed" and .id == "t-volume-chart" and (has("fields") | not) and .messages.added == 1 and .messages.added_ids == ["c5"] and .messages.removed == 0 and .messages.changed == 0' d.json
check "3: memory mem-fact-1 removed, with its text" \
	jq -e '.changes[2] | .kind == "memory" and .op == "removed" and .id == "mem-fact-1" and (.record.text | test("delivered a day late"))' d.json
check "summary counts" \
	jq -e '.summary.agent.changed == 1 and .summary.message.added == 1 and .summary.memory.removed == 1 and .summary.thread.changed == 1 and ([.summary[][]] | add) == 4' d.json
check "both sides named, with their times" jq -e '.a.archive == "a.ferry" and .b.archive == "b.ferry" and .a.created == "2026-11-20T09:00:00Z"' d.json
if python3 -c 'import jsonschema' 2>/dev/null; then
	check "the document validates against formats/schema/diff.json" python3 -c '
import json, sys, jsonschema
jsonschema.validate(json.load(open("d.json")), json.load(open(sys.argv[1])))' "$top/formats/schema/diff.json"
else
	skip "python3-jsonschema is not installed"
fi

ferry diff a.ferry b.ferry >d.txt
cat >want.txt <<'EOF'
--- a.ferry (2026-11-20T09:00:00Z)
+++ b.ferry (2026-11-20T09:00:00Z)
agent support-bot "Acme Support": changed
  instructions:
    --- a/agent/support-bot/instructions
    +++ b/agent/support-bot/instructions
    @@ -1 +1 @@
    -You are Acme's support assistant. Look orders up before answering; never guess a delivery date. Quote the returns policy when customers ask about returns. Hand billing disputes to the billing agent.
    +You are Acme's support assistant. Look orders up before answering; never guess a delivery date. Apologise once for any delay. Quote the returns policy when customers ask about returns. Hand billing disputes to the billing agent.
thread t-volume-chart "Weekly order volume": changed: 1 message added (c5)
memory mem-fact-1: removed
  text: "Dana's order 1421 was delivered a day late in October 2026."
summary: 1 agent changed; 1 thread changed; 1 message added; 1 memory record removed
EOF
if cmp -s d.txt want.txt; then ok "the text form"; else notok "the text form"; diff want.txt d.txt | sed 's/^/#   /'; fi

ferry diff a.ferry a.ferry >same.txt
check "an archive against itself: no changes" grep -qx "summary: no changes" same.txt
check "... and an empty change list" sh -c '$FERRY diff --json a.ferry a.ferry | jq -e ".changes == []"'

# --- a wider set of changes ------------------------------------------------------
cp -r t u
# billing-bot: another model, one more tool; lookup-order: a new parameter.
sed -i 's/"name": "claude-sonnet-4-5"/"name": "claude-opus-4-1"/; s/"tools": \["lookup-order"\]/"tools": ["lookup-order", "crm-mcp"]/' \
	u/agents/billing-bot.json
sed -i 's/"include_events": { "type": "boolean", "default": true }/"include_events": { "type": "boolean", "default": true },\n      "locale": { "type": "string" }/' \
	u/tools/lookup-order.json
# The chart conversation and its file go; a new conversation comes.
sed -i '/"t-volume-chart"/d' u/threads/000001.jsonl
sed -i '/"id":"file-chart"/d' u/files/000001.jsonl
cat >>u/threads/000001.jsonl <<'EOF'
{"kind":"thread","id":"t-new","title":"Refund for 1502","agent":"billing-bot","created":"2026-11-21T10:00:00Z","source":{"adapter":"dir"}}
{"kind":"message","id":"n1","thread":"t-new","parent":null,"role":"user","parts":[{"type":"text","text":"I want a refund for 1502."}],"created":"2026-11-21T10:00:00Z","source":{"adapter":"dir"}}
{"kind":"message","id":"n2","thread":"t-new","parent":"n1","role":"assistant","parts":[{"type":"text","text":"Refund issued."}],"created":"2026-11-21T10:00:05Z","source":{"adapter":"dir"}}
EOF
# The persona block is rewritten over two lines; a new fact is learnt.
sed -i 's/"text":"I am Acme'"'"'s support assistant: precise about dates, friendly, brief."/"text":"I am Acme'"'"'s support assistant.\\nPrecise about dates, friendly, brief, and I apologise for delays."/' \
	u/memory/000001.jsonl
echo '{"kind":"memory","id":"mem-fact-2","scope":{"type":"user","user":"cust-77"},"type":"fact","text":"Dana asked for a refund on order 1502.","source":{"adapter":"dir"}}' \
	>>u/memory/000001.jsonl
ferry export dir:u -o c.ferry
ferry diff --json b.ferry c.ferry >e.json
check "agent billing-bot: model and tools" \
	jq -e '.changes[] | select(.kind == "agent" and .id == "billing-bot") | ([.fields[].field] | sort) == ["model", "tools"] and (.fields[] | select(.field == "tools") | .added == ["crm-mcp"] and .removed == [])' e.json
check "tool lookup-order: its parameters' schema" \
	jq -e '.changes[] | select(.kind == "tool" and .id == "lookup-order") | .op == "changed" and ([.fields[].field] == ["parameters"]) and (.fields[0].new.properties | has("locale")) and (.fields[0].old.properties | has("locale") | not)' e.json
check "file file-chart removed" jq -e '[.changes[] | select(.kind == "file")] == [{"kind":"file","op":"removed","id":"file-chart","name":"order-volume.png","record":.changes[] | select(.kind == "file") | .record}]' e.json
check "thread t-volume-chart removed with its 5 messages" \
	jq -e '.changes[] | select(.kind == "thread" and .id == "t-volume-chart") | .op == "removed" and .messages.total == 5' e.json
check "thread t-new added with 2 messages" \
	jq -e '.changes[] | select(.kind == "thread" and .id == "t-new") | .op == "added" and .messages.total == 2 and .name == "Refund for 1502"' e.json
check "memory mem-persona edited, as a diff over lines" \
	jq -e '.changes[] | select(.kind == "memory" and .id == "mem-persona") | .op == "changed" and ([.fields[].field] == ["text"]) and (.fields[0].diff | test("\\+Precise about dates, friendly, brief, and I apologise for delays."))' e.json
check "memory mem-fact-2 added" jq -e '.changes[] | select(.kind == "memory" and .id == "mem-fact-2") | .op == "added"' e.json
check "changes are grouped agent, tool, file, thread, memory" \
	jq -e '[.changes[].kind] == ["agent","tool","file","thread","thread","memory","memory"]' e.json
check "summary: 6 messages added and removed in all" \
	jq -e '.summary.message.added == 2 and .summary.message.removed == 5 and .summary.thread.added == 1 and .summary.thread.removed == 1' e.json
ferry diff b.ferry c.ferry >e.txt
check "text: the memory edit is 'edited'" grep -qx 'memory mem-persona "persona": edited' e.txt
check "text: tools as +/- ids" grep -qx '  tools: +crm-mcp' e.txt
check "text: removed thread with its message count" grep -qx 'thread t-volume-chart "Weekly order volume": removed (5 messages)' e.txt

# --- errors -------------------------------------------------------------------
python3 -c "d=bytearray(open('b.ferry','rb').read()); d[len(d)//2]^=1; open('bad.ferry','wb').write(d)"
expect_exit 4 "a damaged archive fails the diff (integrity)" ferry diff a.ferry bad.ferry
if one_line_error "bad.ferry"; then ok "one line naming the archive"; else notok "one line naming the archive"; sed 's/^/#   /' err; fi
expect_exit 2 "two archives are needed" ferry diff a.ferry
expect_exit 6 "a missing archive is an I/O error" ferry diff a.ferry nothere.ferry

# --- ferry backup --diff ---------------------------------------------------------
ferry backup -q dir:"$SAMPLES/neutral" --repo repo --name acme --time 2026-10-01T02:00:00Z
ferry backup --diff dir:t --repo repo --name acme --time 2026-10-02T02:00:00Z >bd.txt
check "backup --diff prints the diff against the previous archive" \
	sh -c 'head -2 bd.txt | grep -q "^--- acme-20261001T020000Z.ferry" && grep -q "^summary: 1 agent changed; 1 thread changed; 1 message added; 1 memory record removed$" bd.txt'
ferry backup --diff --json dir:u --repo repo --name acme --time 2026-10-03T02:00:00Z >bd.json
check "backup --diff --json embeds the document" \
	jq -e '.diff.a.archive == "acme-20261002T020000Z.ferry" and .diff.b.archive == "acme-20261003T020000Z.ferry" and (.diff.changes | length) == 7' bd.json
ferry backup --diff dir:u --repo repo --name first --time 2026-10-03T02:00:00Z >first.txt
check "the first archive of a source has nothing to compare with" \
	grep -q "no earlier archive of this source" first.txt

done_testing
