#!/bin/sh
# demo.sh - the main job on the bundled samples (make demo): export each
# sample source into an archive, show what is inside, verify it, import it
# into a folder and open it with standard tools. Output lands in build/demo.
set -eu
bin=${1:-build/bin}
out=${DEMO_OUT:-build/demo}
rm -rf "$out"
mkdir -p "$out"
say() { printf '\n== %s\n' "$*"; }

say "export the neutral sample tree (agents, tools, a branching conversation, memory, files, a workflow)"
"$bin/ferry" export -v dir:samples/neutral -o "$out/neutral.ferry"
say "what is inside"
"$bin/ferry" ls "$out/neutral.ferry"
say "verify every checksum, schema and reference"
"$bin/ferry" verify "$out/neutral.ferry"
say "import into a folder, then re-export: the same archive, byte for byte"
"$bin/ferry" import "$out/neutral.ferry" "dir:$out/unpacked"
"$bin/ferry" export dir:"$out/unpacked" -o "$out/again.ferry"
cmp "$out/neutral.ferry" "$out/again.ferry" && echo "identical"
say "no ferry needed to read it: tar, sha256sum and jq"
mkdir -p "$out/tar"
tar --zstd -xf "$out/neutral.ferry" -C "$out/tar"
(cd "$out/tar" && sha256sum --quiet -c SHA256SUMS && echo "SHA256SUMS: all members OK")
jq -r 'select(.kind=="message" and .role=="user") | "user: " + (.parts[] | select(.type=="text") | .text)' \
	"$out"/tar/threads/*.jsonl
say "portability audit: what moving these agents onto Bedrock's models would change (and a page for the team)"
"$bin/ferry" audit "$out/neutral.ferry" --target dir --model-platform bedrock --html "$out/audit.html" --detail 5
say "a workflow moves from n8n to Agent Spec and back: every node kept, the ledger says what changed"
"$bin/ferry" export n8n:samples/n8n/cli-export-all/workflows.json -o "$out/n8n.ferry"
"$bin/ferry" audit "$out/n8n.ferry" -t agentspec -t n8n | sed -n '4,6p'
"$bin/ferry" import -q --accept-loss --ledger "$out/agentspec.ledger" "$out/n8n.ferry" "agentspec:$out/agentspec"
jq -r 'select(.outcome == "warning" and (.reason | startswith("degraded"))) | "  " + .item.field + " " + .reason' \
	"$out/agentspec.ledger" | cut -c1-150 | head -3
ls "$out/agentspec"
"$bin/ferry" export "agentspec:$out/agentspec" -o "$out/agentspec.ferry"
"$bin/ferry" import -q --accept-loss "$out/agentspec.ferry" "n8n:$out/n8n-again"
jq -r '.nodes[] | "  " + .type + "  " + .name' "$out"/n8n-again/Rt7kQ2mXcV9pLw3B.json
say "nightly backups: two nights into a repository, what changed, and a retention plan"
cp -r samples/neutral "$out/next"
sed -i 's/never guess a delivery date. Quote/never guess a delivery date. Apologise once for any delay. Quote/' \
	"$out/next/agents/support-bot.json"
sed -i '/"id":"mem-fact-1"/d' "$out/next/memory/000001.jsonl"
"$bin/ferry" backup dir:samples/neutral --name acme --repo "$out/backups" --time 2026-11-24T02:15:00Z
"$bin/ferry" backup --diff dir:"$out/next" --name acme --repo "$out/backups" --time 2026-11-25T02:15:00Z
ls "$out/backups"
"$bin/ferry" forget --repo "$out/backups" --keep-last 1 --dry-run

say "a ChatGPT account export (the sample zip): branches, tool calls, images as blobs"
python3 tests/lib/zipdir.py samples/chatgpt/export-folder/export "$out/chatgpt-export.zip"
"$bin/ferry" export -v chatgpt:"$out/chatgpt-export.zip" -o "$out/chatgpt.ferry"
"$bin/ferry" verify "$out/chatgpt.ferry"
"$bin/ferry" cat "$out/chatgpt.ferry" message |
	jq -r '"\(.role): " + ([.parts[] | .text // .arguments // .output // ("[" + .type + "]")] | join(" "))'
echo "what did not cross unchanged:"
"$bin/ferry" cat "$out/chatgpt.ferry" ledger | jq -r '"  " + .outcome + ": " + .reason'
say "a Bedrock Flows definition (every node type, a loop) as a workflow graph and back"
"$bin/ferry" export bedrock-flow:samples/bedrock-flow/every-node-type/flow.json -o "$out/flow.ferry"
"$bin/ferry" import "$out/flow.ferry" "bedrock-flow:$out/flow.json"
jq -S . samples/bedrock-flow/every-node-type/flow.json > "$out/flow.orig.json"
jq -S . "$out/flow.json" | cmp -s - "$out/flow.orig.json" && echo "the written flow is the original, as JSON"
say "letta: read a Letta agent file (legacy layout), write it back in the current schema"
"$bin/ferry" export letta-af:samples/letta-af/legacy/tutor.af -o "$out/tutor.ferry"
"$bin/ferry" ls "$out/tutor.ferry"
"$bin/ferry" import --accept-loss --state-dir "$out/state" "$out/tutor.ferry" "letta-af:$out/tutor.af"
jq -r '.agents[] | "\(.name): \(.messages | length) messages, \(.in_context_message_ids | length) in context"' "$out/tutor.af"
say "migrate the neutral sample into a Letta agent file: the plan and its ledger first"
"$bin/ferry" migrate --accept-loss dir:samples/neutral "letta-af:$out/acme.af" --keep "$out/acme-letta.ferry"
echo
echo "archives and folders are in $out/"

say "a live provider, offline: the OpenAI API simulator (tests/lib/provsim.py) with two accounts"
sim=$out/sim
mkdir -p "$sim"
printf '{"A": {"keys": ["sk-demo-source-0000000000000000001"]}, "B": {"keys": ["sk-demo-target-0000000000000000002"]}}\n' > "$sim/accounts.json"
python3 tests/lib/provgen.py "$sim/fixture.json" --convs 3 --items 12 --files 2 --stores 1 --responses 1 --chatkit 0 > /dev/null
python3 tests/lib/provsim.py "$sim/port" --accounts "$sim/accounts.json" --fixture "$sim/fixture.json" &
simpid=$!
trap 'kill $simpid 2>/dev/null' EXIT
i=0
while [ ! -s "$sim/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
export OPENAI_BASE_URL="http://127.0.0.1:$(cat "$sim/port")/v1" FERRY_STATE_DIR="$sim/state"
python3 -c 'import json, sys; a = json.load(open(sys.argv[1]))["accounts"]["A"]
print("\n".join([c["id"] for c in a["conversations"]] + [r["response"]["id"] for r in a["responses"]]))' \
	"$sim/fixture.json" > "$sim/ids.txt"
OPENAI_API_KEY=sk-demo-source-0000000000000000001 "$bin/ferry" export openai: --ids-from "$sim/ids.txt" \
	--option rate=0 -o "$out/openai.ferry"
"$bin/ferry" ls "$out/openai.ferry" | sed -n 4,13p
export OPENAI_API_KEY=sk-demo-target-0000000000000000002
say "the plan of an import into the second account"
"$bin/ferry" import --dry-run "$out/openai.ferry" openai: | grep -E '^  [0-9]+ items|dry run:|encrypted-reasoning' |
	cut -c1-160 | head -4
say "the import (losses accepted), then the same again: the journal makes the second one create nothing"
"$bin/ferry" import "$out/openai.ferry" openai: --accept-loss --option rate=0 --ledger "$sim/ledger.jsonl"
echo "done-ledger: $(wc -l < "$sim/ledger.jsonl") lines, as planned"
"$bin/ferry" import --dry-run --json "$out/openai.ferry" openai: | jq -c ".targets[0].dry_run | {api_calls, skip}"
"$bin/ferry" import "$out/openai.ferry" openai: --accept-loss --option rate=0 && echo "re-run: nothing created"
kill $simpid 2>/dev/null
