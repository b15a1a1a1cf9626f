#!/bin/sh
# t-bedrock-agents.sh - Bedrock Agents (classic) and session management
# against the simulator: the whole walk of an agent; its migration to an
# AgentCore harness (export + import: the migrate verb is not on main yet)
# with every transformation in the import's ledger; an import back into
# Bedrock Agents in a second account; sessions as threads both ways, with
# the client-set invocationStepTime.
name=bedrock-agents
. "$(dirname "$0")/../lib.sh"
. "$TESTS/aws/sim.sh"

start_sim
account A
sim_seed A "$TESTS/aws/seed-bedrock.json"
ferry export --option memory_ids=user-77 bedrock-agents:us-east-1 -o ba.ferry > out 2>err
check "export the account" ferry verify -q ba.ferry
ferry cat ba.ferry > ba.jsonl
support='select(.kind=="agent" and .name=="support-agent")'
count() { jq -s "[.[] | select($1)] | length" ba.jsonl; }
check "2 agents, 5 tools, 1 knowledge base, 1 session summary, 1 session of 4 steps" \
	test "$(count '.kind=="agent"') $(count '.kind=="tool"') $(count '.kind=="knowledge"') $(count '.kind=="memory"') $(count '.kind=="thread"') $(count '.kind=="message"')" = "2 5 1 1 1 4"
check "each function of a function schema is a function tool with JSON Schema parameters" sh -c \
	"jq -s -e '[.[] | select(.kind==\"tool\" and .type==\"function\")] | length == 2 and (map(select(.name==\"cancel_order\")) | .[0].parameters | .required == [\"order_id\"] and .properties.reason.type == \"string\")' ba.jsonl >/dev/null"
check "an inline OpenAPI schema is the tool's document" sh -c \
	"jq -s -e 'any(.[]; .kind==\"tool\" and .name==\"inventory-api\" and .openapi.paths[\"/stock/{sku}\"].get.operationId == \"getStock\")' ba.jsonl >/dev/null"
check "an S3-hosted schema is a reference with a ledger warning" sh -c \
	"jq -s -e 'any(.[]; .kind==\"tool\" and .openapi.url == \"s3://acme-agent-schemas/shipping/openapi.yaml\")' ba.jsonl >/dev/null &&
	 $FERRY cat ba.ferry ledger | grep -q '\"rule\":\"openapi-in-s3\"'"
check "the knowledge base association is a knowledge record with its embedding model" sh -c \
	"jq -s -e 'any(.[]; .kind==\"knowledge\" and .name==\"returns-policy\" and (.embedding.model | test(\"titan-embed\")))' ba.jsonl >/dev/null"
check "the collaborator is a handoff to the exported billing agent" sh -c \
	"jq -s -e '(map(select(.kind==\"agent\" and .name==\"billing-agent\")) | .[0].id) as \$b | map($support) | .[0].handoffs == [\$b]' ba.jsonl >/dev/null"
check "prompt overrides, guardrail, memory configuration, versions and aliases travel in ext" sh -c \
	"jq -s -e 'map($support) | .[0].ext[\"bedrock-agents\"] | (.promptOverrideConfiguration.promptConfigurations | length == 1) and .guardrailConfiguration.guardrailVersion == \"3\" and (.memoryConfiguration.enabledMemoryTypes == [\"SESSION_SUMMARY\"]) and (.versions | length == 1) and (.aliases | length == 1)' ba.jsonl >/dev/null"
check "session summaries are read-only memory records of the user" sh -c \
	"jq -s -e 'any(.[]; .kind==\"memory\" and .type==\"summary\" and .read_only and .scope.user==\"user-77\")' ba.jsonl >/dev/null"
check "session steps keep their invocationStepTime" sh -c \
	"jq -s -e 'any(.[]; .kind==\"message\" and .created==\"2026-03-02T10:15:04.25Z\")' ba.jsonl >/dev/null"
ferry export bedrock-agents:us-east-1 -o nomem.ferry > out 2>err
check "without memory ids the summaries are a ledger warning" sh -c \
	"$FERRY cat nomem.ferry ledger | grep -q summaries-need-memory-ids"
sup_id=$(jq -r "$support | .source.id" ba.jsonl)
ferry export "bedrock-agents:us-east-1/$sup_id" -o one.ferry > out 2>err
check "one agent alone: its collaborator is outside the export, a ledger warning" sh -c \
	"$FERRY cat one.ferry ledger | grep -q collaborator-outside-export && [ \$($FERRY cat one.ferry agent | wc -l) = 1 ]"

# The migration: Bedrock Agents -> AgentCore harness, in account B.
account B
gw=arn:aws:bedrock-agentcore:us-east-1:222222222222:gateway/acme-gw
ferry import --dry-run --json --option gateway_arn=$gw ba.ferry agentcore:us-east-1 > plan.json
check "the plan names every transformation before anything is written" sh -c \
	"jq -e '[.targets[0].lines[].rule] | index(\"instruction-to-system-prompt\") and index(\"openapi-to-gateway\")' plan.json >/dev/null"
ferry audit ba.ferry -t agentcore > audit.txt
check "ferry audit lists each transformation and loss of the migration" sh -c \
	"for r in instruction-to-system-prompt function-to-inline-function openapi-to-gateway lambda-to-gateway \
		kb-no-equivalent prompt-override-dropped guardrail-dropped user-input-builtin require-confirmation; do \
		grep -q \"(\$r)\" audit.txt || exit 1; done"
sed -n '/not crossing unchanged/,/^$/p' audit.txt | sed 's/^/#   /'
expect_exit 12 "the migration loses something, so the import stops unless accepted" \
	ferry import --state-dir st --option role_arn=arn:aws:iam::222222222222:role/HarnessRole \
	--option gateway_arn=$gw ba.ferry agentcore:us-east-1
expect_exit 0 "import the agents into AgentCore" ferry import --state-dir st --accept-loss --json \
	--ledger migrate.jsonl --option role_arn=arn:aws:iam::222222222222:role/HarnessRole \
	--option gateway_arn=$gw ba.ferry agentcore:us-east-1
check "what AgentCore reports doing is what was planned, line by line" sh -c \
	"jq -e '.differences == 0 and .lines_done == .lines_planned and .lines_done > 10' stdout >/dev/null"
for rule in instruction-to-system-prompt function-to-inline-function openapi-to-gateway kb-no-equivalent \
	prompt-override-dropped guardrail-dropped collaborator-dropped session-summary-memory \
	idle-ttl-dropped user-input-builtin require-confirmation versions-not-recreated \
	aliases-not-recreated harness-name; do
	check "the import ledger lists $rule" grep -q "\"rule\":\"$rule\"" migrate.jsonl
done
check "both function tools and both OpenAPI groups are named in the ledger" sh -c \
	"[ \$(grep -c '\"rule\":\"function-to-inline-function\"' migrate.jsonl) = 2 ] && [ \$(grep -c '\"rule\":\"openapi-to-gateway\"' migrate.jsonl) = 2 ]"
sed 's/^/#   /' migrate.jsonl
check "every ledger line validates against the ledger schema" sh -c \
	"jq -e -s 'all(.[]; (.item.kind|type==\"string\") and (.outcome|IN(\"preserved\",\"transformed\",\"emulated\",\"degraded\",\"dropped\",\"held_back\",\"warning\")) and (.reason|type==\"string\") and .adapter==\"agentcore\" and .phase==\"import\")' migrate.jsonl >/dev/null"
sim_state B > b.state
check "the harness: instruction as system prompt, functions inline with JSON Schema, OpenAPI groups as gateway references" sh -c \
	"jq -e '.harnesses[] | select(.harnessName==\"support_agent\") | (.systemPrompt[0].text | startswith(\"You are Acme\")) and ([.tools[] | select(.type==\"inline_function\")] | length == 2) and ([.tools[] | select(.type==\"agentcore_gateway\" and .config.agentCoreGateway.gatewayArn==\"$gw\")] | length == 2) and .model.bedrockModelConfig.modelId == \"anthropic.claude-3-5-sonnet-20240620-v1:0\"' b.state >/dev/null"
check "the inline function keeps the parameters' JSON Schema" sh -c \
	"jq -e '[.harnesses[].tools[] | select(.name==\"cancel_order\")][0].config.inlineFunction.inputSchema.required == [\"order_id\"]' b.state >/dev/null"

# Back into Bedrock Agents, account B (an account that still has access).
expect_exit 0 "import into Bedrock Agents in account B" ferry import --state-dir st --accept-loss --json \
	--ledger back.jsonl --option role_arn=arn:aws:iam::222222222222:role/AgentRole ba.ferry bedrock-agents:us-east-1
check "what Bedrock Agents reports doing is what was planned" sh -c \
	"jq -e '.differences == 0 and .lines_done == .lines_planned' stdout >/dev/null"
check "the session summary is not imported (summaries-read-only)" grep -q '"rule":"summaries-read-only"' back.jsonl
sim_state B > b2.state
check "both agents exist, prepared, support-agent with its 4 action groups" sh -c \
	"jq -e '(.agents | length == 2) and ([.agents[] | select(.agentName==\"support-agent\")][0] | .agentStatus == \"PREPARED\" and (._versions.DRAFT.actionGroups | length == 4))' b2.state >/dev/null"
check "the function schema came back unchanged" sh -c \
	"jq -e '[.agents[]._versions.DRAFT.actionGroups[] | select(.actionGroupName==\"order-functions\")][0].functionSchema.functions[1] | .name == \"cancel_order\" and .requireConfirmation == \"ENABLED\"' b2.state >/dev/null"
check "the knowledge base, absent from account B, is a ledger line" grep -q '"rule":"kb-not-in-account"' back.jsonl
check "the session is written with its steps' original times" sh -c \
	"jq -e '[.sessions[]._steps[].invocationStepTime] | sort == [\"2026-03-02T10:15:00Z\",\"2026-03-02T10:15:04.25Z\",\"2026-03-02T10:16:10Z\",\"2026-03-02T10:16:12Z\"]' b2.state >/dev/null"
expect_exit 0 "a second import writes nothing new" ferry import --state-dir st --accept-loss \
	--option role_arn=arn:aws:iam::222222222222:role/AgentRole ba.ferry bedrock-agents:us-east-1
sim_state B > b3.state
check "still 2 agents, 1 session of 4 steps" sh -c \
	"jq -e '(.agents | length == 2) and (.sessions | length == 1) and ([.sessions[]._steps[]] | length == 4)' b3.state >/dev/null"
ferry export --option sessions=yes bedrock-agents:us-east-1 -o b.ferry > out 2>err
conv='[.[] | select(.kind=="message")] | sort_by(.created) | map({role, created, text: [.parts[] | .text // .type]})'
check "the session reads back with the same roles, times and text" sh -c \
	"$FERRY cat b.ferry | jq -s -c '$conv' > b.conv && jq -s -c '$conv' ba.jsonl | cmp -s - b.conv"

# Records from elsewhere (the neutral sample) into both, in account A: what
# each sink reports doing is what its table planned, and a thread with
# edits and regenerations keeps its tree in a Bedrock session.
account A
ferry export "dir:$SAMPLES/neutral" -o n.ferry > out 2>err
expect_exit 0 "the neutral sample into AgentCore" ferry import --state-dir stn --accept-loss --json \
	--ledger n-ac.jsonl --option role_arn=arn:aws:iam::111111111111:role/HarnessRole --option gateway_arn=$gw \
	n.ferry agentcore:us-east-1
check "planned = done for agentcore ($(jq .lines_done stdout 2>/dev/null) lines)" sh -c \
	"jq -e '.differences == 0 and .lines_done == .lines_planned and .lines_done > 20' stdout >/dev/null"
expect_exit 0 "the neutral sample into Bedrock Agents" ferry import --state-dir stn --accept-loss --json \
	--ledger n-ba.jsonl --option role_arn=arn:aws:iam::111111111111:role/AgentRole n.ferry bedrock-agents:us-east-1
check "planned = done for bedrock-agents ($(jq .lines_done stdout 2>/dev/null) lines)" sh -c \
	"jq -e '.differences == 0 and .lines_done == .lines_planned and .lines_done > 20' stdout >/dev/null"
ferry export --option sessions=yes bedrock-agents:us-east-1 -o nb.ferry > out 2>err
tree='(map(select(.kind=="thread" and (.title | IN("Where is order 1421?", "Weekly order volume"))) | .id)) as $t | [.[] | select(.kind=="message" and (.thread | IN($t[])))] | (INDEX(.id)) as $m | map({role, text: (.parts[0].text // .parts[0].type), parent: (if .parent then ($m[.parent].parts[0].text // $m[.parent].parts[0].type) else null end)}) | sort_by(.text, .parent)'
check "a tree written into a session reads back as the same tree" sh -c \
	"$FERRY cat n.ferry | jq -s -c '$tree' > n.tree && $FERRY cat nb.ferry | jq -s -c '$tree' | cmp -s - n.tree"
check "with the same active leaf" sh -c \
	"[ \"\$($FERRY cat nb.ferry | jq -s -r '(map(select(.kind==\"message\")) | INDEX(.id)) as \$m | .[] | select(.kind==\"thread\" and .title==\"Where is order 1421?\") | \$m[.active_leaf].parts[0].text')\" = \
	   \"\$($FERRY cat n.ferry | jq -s -r '(map(select(.kind==\"message\")) | INDEX(.id)) as \$m | .[] | select(.kind==\"thread\" and .id==\"t-order-1421\") | \$m[.active_leaf].parts[0].text')\" ]"
done_testing
