#!/bin/sh
# t-workflows.sh - the workflow adapters (n8n files, agentspec): every
# sample and every corpus file reads, writes back and re-reads with
# identical records; moves between n8n and Agent Spec keep every node and
# say in the ledger what could not be expressed; credentials and secrets
# never reach an archive. (The n8n REST API against a real n8n is
# tests/peers/t-n8n-peer.sh, run by `make check-peers`.)
name=workflows
. "$(dirname "$0")/../lib.sh"

# records FILE: the archive's records, canonical and sorted.
records() { ferry cat "$1" | jq -S -c . | LC_ALL=C sort; }
# has FILE JQ-CONDITION: some JSON line of FILE meets the condition.
has() { jq -s -e "any(.[]; $2)" "$1" >/dev/null; }

# roundtrip LABEL ADAPTER INPUT: INPUT -> archive -> ADAPTER files -> archive, same records.
roundtrip() {
	label=$1 ad=$2 in=$3
	rm -rf rt.ferry rt.out rt2.ferry
	if ! ferry export "$ad:$in" -o rt.ferry 2>rt.err; then
		notok "$label: export failed"
		sed 's/^/#   /' rt.err | head -3
		return
	fi
	# a file is written back as a file of the same name, a folder as a folder
	out=rt.out
	if [ -f "$in" ] && [ "$ad" = n8n ]; then mkdir rt.out; out=rt.out/$(basename "$in"); fi
	if ! ferry import -q --accept-loss rt.ferry "$ad:$out" 2>rt.err || ! ferry export "$ad:$out" -o rt2.ferry 2>>rt.err; then
		notok "$label: write back or re-read failed"
		sed 's/^/#   /' rt.err | head -3
		return
	fi
	records rt.ferry > a.jsonl
	records rt2.ferry > b.jsonl
	if cmp -s a.jsonl b.jsonl; then ok "$label: read, written back, re-read: identical records"; else
		notok "$label: records differ after the round trip"
		diff a.jsonl b.jsonl | head -6 | cut -c1-200 | sed 's/^/#   /'
	fi
}

for f in "$SAMPLES"/n8n/cli-export-all/workflows.json "$SAMPLES"/n8n/api-object/workflow.json \
	 "$SAMPLES"/n8n/separate-folder/export; do
	roundtrip "n8n sample ${f#"$SAMPLES"/n8n/}" n8n "$f"
done
for f in "$SAMPLES"/agentspec/agent-with-tools/returns-assistant.json \
	 "$SAMPLES"/agentspec/refund-flow/refund-flow.json "$SAMPLES"/agentspec/folder/docs; do
	roundtrip "agentspec sample ${f#"$SAMPLES"/agentspec/}" agentspec "$f"
done

# The real samples: n8n exports and Agent Spec documents.
if [ -d "$CORPUS/n8n" ] && [ -d "$CORPUS/agentspec" ]; then
	for f in "$CORPUS"/n8n/*.json; do
		case "$f" in *aimock-fixtures.json) continue ;; esac
		roundtrip "corpus n8n/$(basename "$f")" n8n "$f"
	done
	for f in "$CORPUS"/agentspec/*.json; do
		roundtrip "corpus agentspec/$(basename "$f")" agentspec "$f"
	done
	# Written back, the Agent Spec documents are the originals (same JSON, any order).
	for f in "$CORPUS"/agentspec/*.json; do
		rm -rf doc.ferry doc.out
		ferry export "agentspec:$f" -o doc.ferry 2>/dev/null && ferry import -q --accept-loss doc.ferry agentspec:doc.out 2>/dev/null
		check "corpus agentspec/$(basename "$f"): the written document equals the original" \
			sh -c 'jq -S . "$1" > x.json && jq -S . doc.out/"$(basename "$1")" > y.json && cmp -s x.json y.json' sh "$f"
	done
else
	skip "corpus round trips: $CORPUS/n8n or $CORPUS/agentspec is absent"
fi

# --- n8n -> Agent Spec: every node kept; what Agent Spec lacks is flagged ---
ferry export n8n:"$SAMPLES"/n8n/cli-export-all/workflows.json -o n8n.ferry 2>/dev/null
rm -rf as.out
expect_exit 12 "n8n -> agentspec loses something: the import stops unless accepted" \
	ferry import n8n.ferry agentspec:as.out
check "and writes nothing" test ! -e as.out
ferry import --accept-loss --ledger as-ledger.jsonl n8n.ferry agentspec:as.out 2>imp.err
check "accepted, the import does what it planned (the done-ledger matches the plan)" test $? = 0
doc=as.out/Rt7kQ2mXcV9pLw3B.json
check "n8n -> agentspec: one document per workflow" test -f "$doc" -a -f as.out/Nightly7Digest01.json
check "the Slack node (no Agent Spec component) is kept as a FerryNode plugin component" \
	sh -c "jq -e '.[\"\$referenced_components\"][\"0c8b6c1e-5a41-4a8e-9f1d-2b7c4d5e6f07\"] | .component_type == \"FerryNode\" and .component_plugin_name == \"ferry\" and .ferry_node.provider_type == \"n8n-nodes-base.slack\"' $doc"
check "and flagged in the ledger, naming the node" \
	has as-ledger.jsonl '.item.field == "nodes[0c8b6c1e-5a41-4a8e-9f1d-2b7c4d5e6f07]" and .outcome == "warning" and .rule == "unexpressed-node" and (.reason | startswith("degraded: ")) and .phase == "import" and .adapter == "agentspec"'
check "the memory node is kept too, attached to the agent" \
	sh -c "jq -e '.[\"\$referenced_components\"][\"0c8b6c1e-5a41-4a8e-9f1d-2b7c4d5e6f04\"].attached_to[0].kind == \"ai_memory\"' $doc"
check "the agent becomes an AgentNode with its model and tool" \
	sh -c "jq -e '.[\"\$referenced_components\"][\"0c8b6c1e-5a41-4a8e-9f1d-2b7c4d5e6f02\"].agent | .llm_config.model_id == \"gpt-4.1-mini\" and (.tools | length) == 1 and (.system_prompt | startswith(\"You are Acme\"))' $doc"
check "the workflow is degraded in the words of the capability table" \
	has as-ledger.jsonl '.item.id == "Rt7kQ2mXcV9pLw3B" and .item.field == "nodes.dialect!=agentspec" and .outcome == "degraded" and .rule == "foreign-nodes"'
check "each credential reference is held back (Agent Spec carries none)" \
	test "$(jq -c 'select(.item.field == "$secret" and .outcome == "held_back")' as-ledger.jsonl | wc -l)" = 3
check "the flow gains EndNodes, said in the ledger" \
	has as-ledger.jsonl '.rule == "end-node-added"'
ferry export agentspec:as.out -o as.ferry 2>/dev/null
check "read back, the Slack node is there with its n8n type and parameters" \
	sh -c "ferry cat as.ferry workflow | jq -e '.nodes[] | select(.name == \"Tell #refunds\") | .provider_type == \"n8n-nodes-base.slack\" and .config.channelId.value == \"#refunds\"'"
rm -rf back.out
ferry import -q --accept-loss as.ferry n8n:back.out 2>/dev/null
ferry export n8n:back.out -o back.ferry 2>/dev/null
# n8n -> Agent Spec -> n8n gives the same nodes and edges (ids, names, types, parameters).
ferry cat n8n.ferry workflow | jq -S -c '{id, nodes: (.nodes | sort_by(.id)), edges: ([.edges[] | {from, to, kind}] | sort)}' | sort > n1
ferry cat back.ferry workflow | jq -S -c '{id, nodes: (.nodes | sort_by(.id)), edges: ([.edges[] | {from, to, kind}] | sort)}' | sort > n2
check "n8n -> agentspec -> n8n: the same nodes and edges" cmp -s n1 n2

# --- Agent Spec -> n8n: the data edges, the branching and the plugin node ---
ferry export agentspec:"$SAMPLES"/agentspec/refund-flow/refund-flow.json -o rf.ferry 2>/dev/null
rm -rf n8n.out
ferry import --accept-loss --ledger n8n-ledger.jsonl rf.ferry n8n:n8n.out 2>imp.err
check "agentspec -> n8n: the done-ledger matches the plan" test $? = 0
wf=n8n.out/refund-flow.json
check "agentspec -> n8n: one n8n workflow" test -f "$wf"
check "the data edges are dropped: one line for the table, one warning per edge" \
	sh -c "[ \$(jq -c 'select(.item.field == \"edges.kind=data\" and .outcome == \"dropped\")' n8n-ledger.jsonl | wc -l) = 1 ] && [ \$(jq -c 'select(.rule == \"data-edge\" and .outcome == \"warning\")' n8n-ledger.jsonl | wc -l) = 4 ]"
check "the plugin component (AuditLogNode) is kept as a No-Op carrying its configuration" \
	sh -c "jq -e '.nodes[] | select(.name == \"Write the audit log\") | .type == \"n8n-nodes-base.noOp\" and (.notes | contains(\"AuditLogNode\")) and (.notes | contains(\"refunds\"))' $wf"
check "and flagged with its node id" \
	has n8n-ledger.jsonl '.item.field == "nodes[audit]" and .rule == "unexpressed-node" and (.reason | startswith("degraded: "))'
check "the BranchingNode is flagged too" \
	has n8n-ledger.jsonl '.item.field == "nodes[route]" and .rule == "unexpressed-node"'
check "LlmNode placeholders become n8n expressions" \
	sh -c "jq -e '.nodes[] | select(.name == \"Summarise the request\") | .parameters.text == \"=Summarise this refund request in one sentence: {{ \$json.request }}\"' $wf"
check "the shared model is one n8n node serving both consumers" \
	sh -c "jq -e '.connections[\"In-house model\"].ai_languageModel[0] | length == 2' $wf"
check "its credential is held back" \
	has n8n-ledger.jsonl '.item.field == "nodes[shared-llm]" and .rule == "model-credential" and (.reason | startswith("held_back: "))'

# --- secrets: references in the archive, values only from the environment ---
check "no credential value from the Agent Spec documents is in the archive" \
	sh -c '! zstd -dc rf.ferry | grep -q -e sk-acme- -e orders-key-'
check "not even under raw/: that original is withheld, and the ledger says so" \
	sh -c '$FERRY cat rf.ferry ledger | jq -s -e "any(.[]; .rule == \"raw-original-withheld\")" >/dev/null'
ferry ls rf.ferry > ls.out
check "the archive lists the secrets to bind" sh -c "grep -q AGENTSPEC_shared_llm_api_key_9a881a3b ls.out && grep -q AGENTSPEC_orders_api_header_X_Api_Key ls.out"
rm -rf bound.out unbound.out
AGENTSPEC_shared_llm_api_key_9a881a3b=sk-from-env ferry import -q --accept-loss rf.ferry agentspec:bound.out 2>/dev/null
check "an import binds a secret from the environment" \
	sh -c "jq -e '.[\"\$referenced_components\"][\"shared-llm\"].api_key == \"sk-from-env\"' bound.out/refund-flow.json"
ferry import --accept-loss --ledger unbound-ledger.jsonl rf.ferry agentspec:unbound.out 2>imp.err
check "without it the value is empty" \
	sh -c "jq -e '.[\"\$referenced_components\"][\"shared-llm\"].api_key == \"\"' unbound.out/refund-flow.json"
check "and the ledger holds it back" has unbound-ledger.jsonl '.item.field == "$secret" and .outcome == "held_back" and (.reason | contains("AGENTSPEC_shared_llm_api_key"))'
rm -rf cred.out
secret=$(ferry cat n8n.ferry workflow | jq -r '.nodes[] | select(.name == "OpenAI Chat Model") | .credentials[0].secret["$secret"]')
env "$secret=Tgt0CredId000001" "$BIN/ferry" import -q --accept-loss n8n.ferry n8n:cred.out 2>/dev/null
check "an n8n credential reference binds to a target credential id from the environment" \
	sh -c "jq -e '.nodes[] | select(.name == \"OpenAI Chat Model\") | .credentials.openAiApi == {\"id\": \"Tgt0CredId000001\", \"name\": \"Acme OpenAI (prod)\"}' cred.out/workflows.json"
check "unbound references keep the name with no id (n8n binds by type and name)" \
	sh -c "jq -e '.nodes[] | select(.name == \"Tell #refunds\") | .credentials.slackApi == {\"id\": null, \"name\": \"Acme Slack bot\"}' cred.out/workflows.json"

# --- the audit reports what a target cannot express ---
ferry audit --json n8n.ferry --target agentspec --target n8n > audit.json 2>/dev/null
check "the audit: into Agent Spec, the workflow with n8n-only nodes is degraded, the nodes kept as plugin components" \
	sh -c "jq -e '[.targets[] | select(.target == \"agentspec\") | .lines[] | select(.item.id == \"Rt7kQ2mXcV9pLw3B\" and .item.field == \"nodes.dialect!=agentspec\" and .outcome == \"degraded\" and (.reason | contains(\"FerryNode\")))] | length == 1' audit.json >/dev/null"
check "the audit: and names the n8n-only node from the export's ledger" \
	sh -c "jq -e '[.export_ledger.lines[] | select(.item.field == \"nodes[0c8b6c1e-5a41-4a8e-9f1d-2b7c4d5e6f07]\" and .rule == \"provider-only-node\")] | length == 1' audit.json >/dev/null"
check "the audit: back into n8n it is not degraded" \
	sh -c "jq -e '[.targets[] | select(.target == \"n8n\") | .lines[] | select(.item.field == \"nodes.dialect!=n8n\")] | length == 0' audit.json >/dev/null"

# --- files: what import:workflow reads; nothing overwritten ---
rm -rf one.json
ferry import -q --accept-loss n8n.ferry n8n:one.json 2>/dev/null
check "a .json target is one array, as export:workflow --all writes" \
	sh -c "jq -e 'type == \"array\" and length == 2 and (.[0] | has(\"nodes\") and has(\"connections\"))' one.json"
check "staticData.ferry_id keeps the archive's workflow id" \
	sh -c "jq -e '.[] | select(.id == \"Rt7kQ2mXcV9pLw3B\") | .staticData.ferry_id == \"Rt7kQ2mXcV9pLw3B\" and .staticData[\"node:When chat message received\"].lastSeen == 3' one.json"
mkdir -p full && echo x > full/keep
expect_exit 13 "an n8n folder target that is not empty is refused" ferry import --accept-loss n8n.ferry n8n:full
check "and left alone" sh -c '[ "$(ls full)" = keep ]'
expect_exit 13 "an existing .json target is refused" ferry import --accept-loss n8n.ferry n8n:one.json
expect_exit 13 "an agentspec folder target that is not empty is refused" ferry import --accept-loss rf.ferry agentspec:full
expect_exit 2 "activate=true needs an n8n instance" ferry import --accept-loss --option activate=true n8n.ferry n8n:act.out
expect_exit 8 "the API without N8N_API_KEY is an authentication error" \
	env -u N8N_API_KEY "$BIN/ferry" export n8n:http://127.0.0.1:9 -o api.ferry
expect_exit 2 "the API over plain http to another host is refused" \
	env N8N_API_KEY=k "$BIN/ferry" export n8n:http://example.com:5678 -o api.ferry

# A reference bomb: 24 components, each referring to the next twice, would
# resolve to 2^24 copies. It is refused (unsafe, exit 5) in one line, fast,
# and leaves no archive.
python3 - <<'PY'
import json
refs = {}
for i in range(24):
    c = {"component_type": "VllmConfig", "id": "c%d" % i, "name": "c%d" % i, "model_id": "m", "url": "http://x"}
    if i < 23:
        c["metadata"] = {"a": {"$component_ref": "c%d" % (i + 1)}, "b": {"$component_ref": "c%d" % (i + 1)}}
    refs["c%d" % i] = c
json.dump({"component_type": "Agent", "id": "bomb", "name": "bomb", "system_prompt": "hi",
           "llm_config": {"$component_ref": "c0"}, "agentspec_version": "25.4.1",
           "$referenced_components": refs}, open("bomb.json", "w"))
PY
expect_exit 5 "an Agent Spec reference bomb is refused as unsafe" timeout 60 $FERRY export agentspec:bomb.json -o bomb.ferry
check "in one line saying how far references may expand" one_line_error "component references expand to more than"
check "and leaves no archive" test ! -e bomb.ferry

done_testing
