#!/bin/sh
# t-bedrock-flow.sh - Bedrock Flows definitions: the public sample in
# $CORPUS/bedrock and samples/bedrock-flow (every node type, a loop)
# read, write back and re-read with identical records; $$PLACEHOLDER
# tokens and number texts survive; the API form creates and reads flows
# in the simulator.
name=bedrock-flow
. "$(dirname "$0")/../lib.sh"
. "$TESTS/aws/sim.sh"

roundtrip() {	# roundtrip LABEL FILE
	rm -rf "rt-$1" && mkdir "rt-$1"
	ferry export "bedrock-flow:$2" -o "rt-$1/a.ferry" > /dev/null 2>"rt-$1/err" &&
		ferry import "rt-$1/a.ferry" "bedrock-flow:rt-$1/written.json" 2>>"rt-$1/err" &&
		ferry export "bedrock-flow:rt-$1/written.json" -o "rt-$1/b.ferry" 2>>"rt-$1/err" &&
		ferry cat "rt-$1/a.ferry" > "rt-$1/a.jsonl" && ferry cat "rt-$1/b.ferry" > "rt-$1/b.jsonl"
}

corpus=$CORPUS/bedrock/conditions_flow.json
if [ -f "$corpus" ]; then
	check "the corpus sample reads, writes back and re-reads" roundtrip corpus "$corpus"
	check "with identical records" cmp -s rt-corpus/a.jsonl rt-corpus/b.jsonl
	check "the written document is the original, as JSON" \
		sh -c "jq -S . '$corpus' > o.json && jq -S . rt-corpus/written.json | cmp -s - o.json"
	check "\$\$PLACEHOLDER tokens are kept" \
		sh -c "grep -q '\"knowledgeBaseId\": \"\$\$KNOWLEDGEBASE_ID\"' rt-corpus/written.json"
	check "number texts are kept (topP 0.9990000128746033)" grep -q '0.9990000128746033' rt-corpus/written.json
	check "each placeholder is a ledger warning" \
		sh -c "[ \$($FERRY cat rt-corpus/a.ferry ledger | grep -c bedrock-flow-placeholder) -eq 4 ]"
	check "6 Data and 2 Conditional connections become 8 edges" \
		sh -c "jq -e '(.edges | length == 8) and ([.edges[] | select(.kind == \"control\")] | length == 2)' rt-corpus/a.jsonl >/dev/null"
else
	skip "no Bedrock Flows sample in $CORPUS"
fi

sample=$SAMPLES/bedrock-flow/every-node-type/flow.json
check "every node type, a loop among them: reads, writes back, re-reads" roundtrip all "$sample"
check "with identical records" cmp -s rt-all/a.jsonl rt-all/b.jsonl
check "the written document is the original, as JSON" \
	sh -c "jq -S . '$sample' > s.json && jq -S . rt-all/written.json | cmp -s - s.json"
check "all 16 node types of the model are typed" sh -c \
	"jq -e '[.nodes[].provider_type] | unique | length == 16' rt-all/a.jsonl >/dev/null"
check "the loop's own nodes and connections are nested again" sh -c \
	"jq -e '.definition.nodes[] | select(.type==\"Loop\") | .configuration.loop.definition | (.nodes | length == 3) and (.connections | length == 2)' rt-all/written.json >/dev/null"
expect_exit 13 "an existing file is never overwritten" ferry import rt-all/a.ferry bedrock-flow:rt-all/written.json
ferry export bedrock-flow:"$SAMPLES/bedrock-flow/every-node-type" -o dirs.ferry > /dev/null 2>&1
check "a folder of flow documents is read too" sh -c "$FERRY cat dirs.ferry | jq -e '.kind == \"workflow\"' >/dev/null"

# The API: CreateFlow into the simulator, then ListFlows and GetFlow.
start_sim
account A
expect_exit 0 "import creates the flows in the account" ferry import --json --state-dir st rt-all/a.ferry bedrock-flow:us-east-1
check "and reports doing what was planned" sh -c "jq -e '.differences == 0 and .losses == 0' stdout >/dev/null"
expect_exit 0 "a second import creates nothing new" ferry import --state-dir st rt-all/a.ferry bedrock-flow:us-east-1
check "one flow, created once with a client token" sh -c \
	"sim_state() { curl -sf \"$SIM/__state?account=A\"; }; sim_state A | jq -e '(.flows | length == 1) and ([.tokens | keys[] | select(startswith(\"CreateFlow\"))] | length == 1)' >/dev/null"
ferry export bedrock-flow:us-east-1 -o api.ferry > out 2>err
strip='del(.ext, .source, .id, .created, .updated)'
check "the flow read back from the API has the same graph" sh -c \
	"$FERRY cat api.ferry | jq -S -c '$strip' > api.norm && jq -S -c '$strip' rt-all/a.jsonl | cmp -s - api.norm"
AWS_SECRET_ACCESS_KEY=wrong expect_exit 8 "the API refuses a wrong signature" ferry export bedrock-flow:us-east-1 -o x.ferry
done_testing
