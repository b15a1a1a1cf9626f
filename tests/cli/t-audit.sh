#!/bin/sh
# t-audit.sh - what the portability-audit issue must show, through the
# tools: ferry audit's outcomes match what ferry import then did (planned =
# done, item by item), the four kinds of loss appear with their reason and
# stop the import unless accepted, the report validates against its
# schema, and the HTML page is self-contained and carries the JSON's
# numbers (the real-browser check is tests/browser/t-html.sh).
name=audit
. "$(dirname "$0")/../lib.sh"

ASOF=2026-11-26
ferry export dir:"$SAMPLES/neutral" -o a.ferry

# Planned lines of an audit as sorted canonical JSON Lines (no reason, no phase).
planned() { jq -c '.targets[0].lines[] | {item, outcome, rule}' | LC_ALL=C sort; }
# warnings are written to the done-ledger but not compared (plan.c, done_ledger_sink)
done_lines() { jq -c 'select(.outcome != "warning") | {item, outcome, rule}' "$1" | LC_ALL=C sort; }

# --- the report ------------------------------------------------------------
ferry audit --as-of $ASOF --json a.ferry -t dir > audit.json
if python3 -c 'import jsonschema' 2>/dev/null; then
	check "the audit document validates against formats/audit.schema.json" python3 -c "
import json, jsonschema
jsonschema.validate(json.load(open('audit.json')), json.load(open('$top/formats/audit.schema.json')))"
else
	skip "python3 jsonschema not installed"
fi
check "totals add up to the items, and by kind to the totals" sh -c '
	jq -e ".targets[0] | (.totals | add) == .items and ([.by_kind[] | add] | add) == .items" audit.json >/dev/null'
check "every record is an item" sh -c '[ "$(jq ".targets[0].items" audit.json)" = "$(jq "[.records[]] | add" audit.json)" ]'
check "one entry per agent, then the items tied to none" sh -c '
	[ "$(jq -c "[.targets[0].agents[].id]" audit.json)" = "[\"billing-bot\",\"support-bot\",null]" ]'
check "state only at the vendor: the encrypted reasoning" sh -c '
	jq -e ".vendor_only.items[] | select(.id == \"c2\" and (.what | test(\"encrypted\")))" audit.json >/dev/null'
check "the secret reference is listed; dir keeps it as a reference (preserved, no line)" sh -c '
	[ "$(jq -c ".targets[0].secrets" audit.json)" = "[{\"name\":\"ACME_CRM_TOKEN\",\"kind\":\"tool\",\"id\":\"crm-mcp\",\"field\":\"mcp.headers.Authorization\",\"outcome\":\"preserved\"}]" ]'
check "the Assistants API shutdown concerns this source (asst_ ids), past as of $ASOF" sh -c '
	jq -e ".sunsets[] | select(.date == \"2026-08-26\" and .status == \"past\" and .hits > 0)" audit.json >/dev/null'
check "the same sunset is upcoming as of 2026-01-01" sh -c '
	$FERRY audit --as-of 2026-01-01 --json a.ferry -t dir | jq -e ".sunsets[] | select(.date == \"2026-08-26\" and .status == \"upcoming\")" >/dev/null'
ferry audit --as-of $ASOF --json dir:"$SAMPLES/neutral" -t dir > source.json
check "auditing the SOURCE gives the same report as auditing its archive" sh -c '
	[ "$(jq -c "del(.input)" source.json)" = "$(jq -c "del(.input)" audit.json)" ]'

# --- planned = done: dir -------------------------------------------------
ferry import --ledger l1.jsonl a.ferry dir:out1 2>err
rc=$?
check "import into dir exits 0 with nothing to compare" sh -c "[ $rc = 0 ] && [ -e l1.jsonl ] && [ ! -s l1.jsonl ] && [ ! -s err ]"
check "and the audit planned no line either" [ "$(jq '.targets[0].lines_total' audit.json)" = 0 ]
ferry export dir:out1 -o back.ferry
check "what was planned preserved is preserved: the records read back equal" sh -c '
	[ "$($FERRY cat a.ferry | LC_ALL=C sort | sha256sum)" = "$($FERRY cat back.ferry | LC_ALL=C sort | sha256sum)" ]'
ferry import a.ferry dir:out1b
check "without --ledger the done-ledger lies beside the journal" sh -c 'ls state/dir-*.ledger.jsonl >/dev/null'

# --- planned = done with mapped models -------------------------------------
ferry audit --as-of $ASOF --json --model-platform bedrock a.ferry -t dir > bedrock.json
expect_exit 12 "a degrading model mapping stops the import" \
	ferry import --model-platform bedrock a.ferry dir:out2
check "... naming the agent, the mapping and what is lost" grep -q "support-bot model: degraded: model gpt-4.1 mapped to anthropic.claude-sonnet-4-5-20250929-v1:0.*context window" err
check "... and nothing was written" [ ! -e out2 ]
expect_exit 0 "--accept-loss imports" ferry import --accept-loss --model-platform bedrock --ledger l2.jsonl a.ferry dir:out2
planned < bedrock.json > p2
done_lines l2.jsonl > d2
check "planned = done, line by line (audit --json vs the done-ledger)" cmp p2 d2
check "two lines, one per agent model" [ "$(wc -l < d2)" = 2 ]
check "the agents run on the models the audit named" sh -c '
	for a in billing-bot support-bot; do
		want=$(jq -r ".targets[0].agents[] | select(.id == \"$a\") | .model.to" bedrock.json)
		[ "$(jq -r .model.name out2/agents/$a.json)" = "$want" ] || exit 1
	done'

# --- the four losses -------------------------------------------------------
# an unmapped model
cp -r "$SAMPLES/neutral" tree
sed -i 's/"claude-sonnet-4-5"/"grok-9"/' tree/agents/billing-bot.json
ferry export dir:tree -o grok.ferry
ferry audit --json --model-platform anthropic grok.ferry -t dir > grok.json
check "an unmapped model appears in the audit with the model and the file to edit" sh -c '
	jq -e ".targets[0].lines[] | select(.item.id == \"billing-bot\" and .item.field == \"model\" and .outcome == \"dropped\" and .rule == \"model-unmapped\" and (.reason | test(\"grok-9\") and test(\"policy/models.json\")))" grok.json >/dev/null'
check "and is counted" [ "$(jq '.targets[0].unmapped_models' grok.json)" = 1 ]
expect_exit 12 "an unmapped model stops the import" ferry import --model-platform anthropic grok.ferry dir:out3
check "... with an error naming the model and the policy file" grep -q "model 'grok-9' has no mapping to platform 'anthropic': add a rule to the built-in policy (policy/models.json)" err
check "... and nothing written" [ ! -e out3 ]
expect_exit 0 "--accept-loss imports it without a model" \
	ferry import --accept-loss --model-platform anthropic --ledger l3.jsonl grok.ferry dir:out3
check "the agent has no model at the target, the other one a mapped one" sh -c '
	jq -e "has(\"model\") | not" out3/agents/billing-bot.json >/dev/null &&
	[ "$(jq -r .model.name out3/agents/support-bot.json)" = claude-sonnet-5-5 ]'
planned < grok.json > p3
done_lines l3.jsonl > d3
check "planned = done for the unmapped model too" cmp p3 d3
cat > policy.json <<'EOF'
{"format": "ferry-model-policy", "version": 1, "models": [],
 "rules": [{"id": "grok", "from": ["grok-*"], "to": {"anthropic": "claude-haiku-4-5"}}]}
EOF
check "a policy file of one's own maps it (--model-policy)" sh -c '
	$FERRY audit --json --model-policy policy.json --model-platform anthropic grok.ferry -t dir |
	jq -e ".targets[0].agents[] | select(.id == \"billing-bot\") | .model.to == \"claude-haiku-4-5\"" >/dev/null'
check "... and FERRY_MODEL_POLICY does too" sh -c '
	FERRY_MODEL_POLICY=policy.json $FERRY audit --json --model-platform anthropic grok.ferry -t dir |
	jq -e ".policy == \"policy.json\"" >/dev/null'
echo '{"format": "ferry-model-policy", "version": 1, "models": {}, "rules": []}' > bad.json
expect_exit 3 "a broken policy file is refused, naming it" ferry audit --model-policy bad.json a.ferry -t dir
check "... in one line" one_line_error "bad.json"

# an embedding made by another model than the target's
ferry audit --json --embedding-model voyage-3 a.ferry -t dir > emb.json
check "an embedding of another model appears with the reason" sh -c '
	jq -e ".targets[0].lines[] | select(.item.id == \"mem-human\" and .item.field == \"embedding\" and .rule == \"re-embed\" and (.reason | test(\"text-embedding-3-small\") and test(\"voyage-3\")))" emb.json >/dev/null'
check "re-embedding counts and tokens (bytes / 4)" sh -c '
	[ "$(jq -c ".targets[0].embeddings" emb.json)" = "{\"re_embed\":2,\"tokens\":97,\"dropped\":0}" ]'
expect_exit 12 "and stops the import" ferry import --embedding-model voyage-3 a.ferry dir:out4
check "... naming the record and the models" grep -q "memory mem-human embedding: degraded: vector made by text-embedding-3-small" err
# the post-import check can fail: dir keeps the vectors whatever it is told
expect_exit 10 "a target that does not do what was planned is caught (exit 10)" \
	ferry import --accept-loss --embedding-model voyage-3 --ledger l4.jsonl a.ferry dir:out4
check "... naming each difference" sh -c 'grep -q "planned vs done: memory mem-human: planned degraded, done preserved (planned: embedding re-embed)" err &&
	grep -q "2 difference(s) between the plan and what dir reported" err'

# an unsupported tool type and a secret reference, at a real target (letta-af)
if $FERRY adapters --json | jq -e '.[] | select(.name == "letta-af" and .write)' >/dev/null; then
	cp -r "$SAMPLES/neutral" cutree
	echo '{"kind":"tool","id":"screen","type":"computer_use","name":"computer","source":{"adapter":"dir"}}' \
		> cutree/tools/screen.json
	jq '.tools += ["screen"]' cutree/agents/support-bot.json > x.json && mv x.json cutree/agents/support-bot.json
	ferry export dir:cutree -o cu.ferry
	ferry audit --json cu.ferry -t letta-af > cu.json
	check "an unsupported tool type appears with the reason (letta-af: computer_use dropped)" sh -c '
		jq -e ".targets[0].lines[] | select(.item.id == \"screen\" and (.item | has(\"field\") | not) and .outcome == \"dropped\" and (.reason | test(\"computer-use\")))" cu.json >/dev/null'
	check "a secret reference appears with the reason (held back: bind ACME_CRM_TOKEN at letta-af)" sh -c '
		jq -e ".targets[0].lines[] | select(.item.id == \"crm-mcp\" and .item.field == \"\$secret\" and .outcome == \"held_back\" and (.reason | test(\"ACME_CRM_TOKEN\")))" cu.json >/dev/null'
	expect_exit 12 "both stop the import into letta-af" ferry import cu.ferry "letta-af:$work/cu.af"
	check "... naming the tool and the secret, and nothing is written" sh -c '
		grep -q "tool screen: dropped: .*computer-use" err && grep -q "tool crm-mcp \$secret: held_back: secret ACME_CRM_TOKEN" err &&
		grep -q "pass --accept-loss" err && [ ! -e cu.af ]'
	expect_exit 0 "--accept-loss imports into letta-af" \
		ferry import --accept-loss --ledger cu.ledger cu.ferry "letta-af:$work/cu.af"
	planned < cu.json > cu.p
	done_lines cu.ledger > cu.d
	check "and letta-af reports doing what was planned, line by line ($(wc -l < cu.d) lines)" cmp cu.p cu.d
else
	skip "letta-af is not registered: the tool-type and secret checks at a real target wait for it"
fi

# standard input: the loss is known at the end, and nothing is committed
cat grok.ferry | $FERRY import --model-platform anthropic - dir:out5 >stdout 2>err
rc=$?
check "from standard input an unaccepted loss exits 12 and commits nothing" sh -c "[ $rc = 12 ] && [ ! -e out5 ] && grep -q grok-9 err"

# --strict
expect_exit 12 "audit --strict exits 12 when a target would lose something" \
	ferry audit -q --strict --model-platform anthropic grok.ferry -t dir
expect_exit 0 "and 0 when nothing would be lost" ferry audit -q --strict a.ferry -t dir

# --- the HTML page (fast checks; the browser renders it in tests/browser) ----
ferry audit --as-of $ASOF --html page.html --json --model-platform bedrock --embedding-model voyage-3 \
	a.ferry -t dir -t dir > page.json
check "the page is written" [ -s page.html ]
check "it is self-contained: no scripts, styles or images from elsewhere" sh -c '
	! grep -Eiq "<script|<link|<img|<iframe|url\\(|src=" page.html'
check "its summary numbers are those of the JSON" python3 - <<EOF
import json, re
page = open("page.html").read()
doc = json.load(open("page.json"))
cards = re.findall(r'<div class="card" data-target="([^"]+)">(.*?)</div></div>', page)
assert len(cards) == len(doc["targets"]) == 2, cards
for (name, body), t in zip(cards, doc["targets"]):
    got = dict(re.findall(r'data-field="(\w+)">(\d+)<', body))
    want = {"lock_in": t["lock_in"], "items": t["items"], "preserved": t["totals"]["preserved"],
            "losses": t["losses"], "dropped": t["totals"]["dropped"]}
    assert name == t["target"] and {k: int(v) for k, v in got.items()} == want, (got, want)
assert re.search(r'data-field="vendor_only">%d<' % doc["vendor_only"]["total"], page)
assert re.search(r'data-field="sunsets">%d<' % len(doc["sunsets"]), page)
assert page.count("<svg") == 1 and page.count("<rect") >= 2
EOF
check "the page escapes what it shows" sh -c '
	cp -r "$SAMPLES/neutral" xtree && sed -i "s/\"Acme Billing\"/\"<b>Acme<\\/b>\"/" xtree/agents/billing-bot.json &&
	$FERRY audit --html x.html dir:xtree -t dir -q && grep -q "&lt;b&gt;Acme&lt;/b&gt;" x.html && ! grep -q "<b>Acme</b>" x.html'

# --- every adapter pair that exists ------------------------------------------
# Each writable adapter listed here gets every sample case planned and
# imported: into a file location, or into a simulator (tests/lib/awssim.py
# for the AWS targets, tests/lib/provsim.py for OpenAI and Azure), where
# each pair starts from an empty target account. The done-ledger must equal
# the plan. A writable adapter not listed yet is reported as not covered (a
# skip line), so that an adapter landing later is added here deliberately,
# with its done-ledger reporting in place.
#
# The simulators: started once, on loopback, stopped when the test ends.
sims=""
trap 'kill $sims 2>/dev/null; cd /; rm -rf "$work"' EXIT
# start_server PORTFILE SCRIPT ARGS...: start a simulator (it writes the
# port it listens on into PORTFILE) and wait for it; sets $url.
start_server() {
	pf=$1
	shift
	python3 "$@" > "$pf.log" 2>&1 &
	sims="$sims $!"
	_i=0
	while [ ! -s "$pf" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
	url=""
	[ -s "$pf" ] || { echo "# $1 did not start:"; sed 's/^/#   /' "$pf.log"; return 1; }
	url=http://127.0.0.1:$(cat "$pf")
}
start_server "$work/aws.port" "$TESTS/lib/awssim.py" "$work/aws.port"
AWSSIM=$url
OKEY=sk-audit-openai-0000000000000000000001
ZKEY=azkey-audit-000000000000000000000002
echo "{\"O\": {\"keys\": [\"$OKEY\"]}, \"Z\": {\"keys\": [\"$ZKEY\"]}}" > accounts.json
start_server "$work/prov.port" "$TESTS/lib/provsim.py" "$work/prov.port" --accounts accounts.json
PROVSIM=$url
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_REGION AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE \
	AZURE_OPENAI_AD_TOKEN AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET
# target ADAPTER N: where pair N goes; empty when the adapter is not covered.
target() {
	case "$1" in
	dir) echo "dir:$work/pair-dir-$2" ;;
	letta-af) echo "letta-af:$work/pair-letta-$2" ;;
	n8n) echo "n8n:$work/pair-n8n-$2" ;;
	agentspec) echo "agentspec:$work/pair-agentspec-$2" ;;
	bedrock-flow) echo "bedrock-flow:$work/pair-bedrock-flow-$2" ;;
	agentcore | bedrock-agents) [ -n "$AWSSIM" ] && echo "$1:us-east-1" ;;
	openai | azure) [ -n "$PROVSIM" ] && echo "$1:" ;;
	*) echo "" ;;
	esac
}
# target_import ADAPTER ARGS...: ferry import ARGS, into an emptied account
# of the adapter's simulator (a file target needs nothing).
target_import() {
	case "$1" in
	agentcore | bedrock-agents)
		curl -sf -X POST "$AWSSIM/__reset?account=B" >/dev/null
		role=HarnessRole
		[ "$1" = bedrock-agents ] && role=AgentRole
		shift
		AWS_ENDPOINT_URL=$AWSSIM AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIDSIMACCOUNTB00002 \
			AWS_SECRET_ACCESS_KEY=simsecretB HOME=$work \
			$FERRY import --option role_arn=arn:aws:iam::222222222222:role/$role "$@" ;;
	openai)
		curl -sf -X POST -d '{"account":"O"}' "$PROVSIM/__sim/reset-account" >/dev/null
		shift
		OPENAI_BASE_URL=$PROVSIM/v1 OPENAI_API_KEY=$OKEY $FERRY import --option rate=0 "$@" ;;
	azure)
		curl -sf -X POST -d '{"account":"Z"}' "$PROVSIM/__sim/reset-account" >/dev/null
		shift
		AZURE_AI_PROJECT_ENDPOINT=$PROVSIM/api/projects/projZ AZURE_OPENAI_API_KEY=$ZKEY \
			$FERRY import --option rate=0 "$@" ;;
	*)
		shift
		$FERRY import "$@" ;;
	esac
}
fails=""
pairs=0
items=0
lines=0
$FERRY adapters --json | jq -r '.[] | select(.write) | .name' > writers
$FERRY adapters --json | jq -r '.[] | select(.read) | .name' > readers
# The sources: every mapping case under samples/ that exports (samples.sh
# checks their records), each exported once, so each reader's samples meet
# each covered target.
: > sources
i=0
for c in "$SAMPLES"/*/*/; do
	c=${c%/}
	[ -f "$c/source" ] && [ ! -f "$c/exit" ] || continue
	i=$((i + 1))
	src=$(cat "$c/source")
	sad=${src%%:*}
	loc=${src#*:}
	case "$loc" in /*|"") ;; *) loc=$c/$loc ;; esac
	args=""
	[ -f "$c/args" ] && args=$(cat "$c/args")
	# shellcheck disable=SC2086
	if ! ferry export $args "$sad:$loc" -o "s$i.ferry" 2>/dev/null; then
		notok "$sad (${c#"$SAMPLES"/}): the sample does not export"
		continue
	fi
	echo "$sad ${c#"$SAMPLES"/} s$i.ferry" >> sources
done
covered=""
missing=""
i=0
for tgt in $(cat writers); do
	if [ -z "$(target "$tgt" 0)" ]; then
		skip "* -> $tgt: not yet covered by the audit tests"
		missing="$missing $tgt"
		continue
	fi
	while read -r sad case arch; do
		label="$sad ($case) -> $tgt"
		for variant in "" "--model-platform anthropic"; do
			i=$((i + 1))
			# shellcheck disable=SC2086
			ferry audit --json $variant "$arch" -t "$tgt" > "pair$i.json"
			# shellcheck disable=SC2086
			target_import "$tgt" --accept-loss $variant --state-dir "st$i" --ledger "pair$i.ledger" \
				"$arch" "$(target "$tgt" $i)" </dev/null >/dev/null 2>"pair$i.err"
			rc=$?
			planned < "pair$i.json" > "pair$i.p"
			done_lines "pair$i.ledger" > "pair$i.d"
			pairs=$((pairs + 1))
			items=$((items + $(jq .targets[0].items "pair$i.json")))
			lines=$((lines + $(wc -l < "pair$i.d")))
			if [ $rc = 0 ] && cmp -s "pair$i.p" "pair$i.d"; then
				ok "$label${variant:+ ($variant)}: planned = done ($(jq .targets[0].items "pair$i.json") items, $(wc -l < "pair$i.d") ledger lines)"
				covered="$covered $sad->$tgt"
			else
				notok "$label${variant:+ ($variant)}: import exit $rc, planned and done differ"
				diff "pair$i.p" "pair$i.d" | head -5 | sed 's/^/#   /'
				sed 's/^/#   /' "pair$i.err" | head -3
			fi
		done
	done < sources
done
echo "# adapter pairs covered: $(echo $covered | tr ' ' '\n' | sort -u | tr '\n' ' ')"
echo "# planned = done checked: $pairs imports of $(echo $covered | tr ' ' '\n' | sort -u | wc -l) adapter pairs, $items items, $lines ledger lines"
echo "# pairs with a known import failure: $(echo $fails | tr ' ' '\n' | sort -u | tr '\n' ' ')"
echo "# writers not yet covered:${missing:- none}"
echo "# readers: $(tr '\n' ' ' < readers); writers: $(tr '\n' ' ' < writers)"

done_testing
