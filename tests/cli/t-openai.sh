#!/bin/sh
# t-openai.sh - the openai adapter against the provider simulator
# (tests/lib/provsim.py): a lossless export (every item type, every
# include[] field, pages in order); the same records with 30% of the
# requests failing, over 20 seeds, and no 400/401/403/404 ever retried;
# an import into a second account, its plan, its ledger, a re-run that
# creates nothing; OpenAI -> archive -> OpenAI -> archive giving the same
# conversations and items; Assistants dumps; and a canary key that must
# appear in no archive, journal, ledger, log line or argument list.
name=openai
. "$(dirname "$0")/../lib.sh"
. "$TESTS/lib/sim.sh"

CANARY=sk-canaryFERRY7f3a9c2e1b4d8f6a0c5e91
KEYB=sk-targetB-000000000000000000000001
KEYC=sk-refC-0000000000000000000000000002
cat > accounts.json <<EOF
{"A": {"keys": ["$CANARY"]}, "B": {"keys": ["$KEYB"]}, "C": {"keys": ["$KEYC"]}}
EOF
python3 "$TESTS/lib/provgen.py" fx.json --convs 6 --items 34 --files 3 --stores 1 --responses 1 --chatkit 1 \
	--dump dump > /dev/null
sim_start --accounts accounts.json --fixture fx.json --stall-s 2 || exit 1
jq -r '.accounts.A.conversations[].id, .accounts.A.responses[].response.id' fx.json > ids.txt
export OPENAI_BASE_URL="$SIM/v1" OPENAI_API_KEY="$CANARY" FERRY_STATE_DIR="$work/state"
opts="--option rate=0 --option page-size=10 --option backoff-ms=5 --option backoff-max-ms=40 --option retry-after-max-ms=40 --option stall-timeout=1 --option retries=12"
T=2026-11-01T00:00:00Z

# --- a lossless export ----------------------------------------------------------
sim_reset_log
# shellcheck disable=SC2086
expect_exit 0 "export conversations and responses by id, files, vector stores, ChatKit" \
	ferry export openai: --ids-from ids.txt $opts --time $T -o ref.ferry
cp err export.err
ferry cat ref.ferry | jq -S -c . | LC_ALL=C sort > ref.jsonl
sim_log > log.json
check "6 conversations, 1 response and 1 ChatKit thread became 8 threads" \
	test "$(jq -s '[.[] | select(.kind == "thread")] | length' ref.jsonl)" = 8
check "every item of every conversation is a message, in order" sh -c \
	"jq -s -e '[.[] | select(.kind == \"message\" and (.thread | startswith(\"conv_\")))] | length == 204' ref.jsonl >/dev/null &&
	 jq -e '[.accounts.A.conversations[0].items[].id]' fx.json > want-order &&
	 \$FERRY cat ref.ferry message | jq -s -e --arg t \"\$(jq -r '.accounts.A.conversations[0].id' fx.json)\" '[.[] | select(.thread == \$t) | .id]' > got-order &&
	 cmp -s want-order got-order"
check "items were listed in ascending pages with every include[] value" sh -c \
	"jq -e '[.[] | select(.path | test(\"/conversations/.*/items\")) | .query] | all(test(\"order=asc\") and test(\"limit=10\") and ([scan(\"include%5B%5D=\")] | length == 7))' log.json >/dev/null"
check "encrypted reasoning, code outputs, search results and sources came back" sh -c \
	"jq -s -e '[.[] | select(.kind == \"message\") | .ext.openai.item] |
	  ([.[] | select(.type == \"reasoning\") | .encrypted_content | startswith(\"gAAAAA\")] | all) and
	  ([.[] | select(.type == \"code_interpreter_call\") | .outputs | length > 0] | all) and
	  ([.[] | select(.type == \"file_search_call\") | .results | length > 0] | all) and
	  ([.[] | select(.type == \"web_search_call\") | .action.sources | length > 0] | all) and
	  ([.[] | select(.type == \"message\" and .role == \"assistant\") | .content[] | select(.type == \"output_text\") | .logprobs | length > 0] | all)' ref.jsonl >/dev/null"
check "inline images became blobs" sh -c \
	"jq -s -e '[.[] | select(.kind == \"message\") | .parts[] | select(.type == \"image\" and .blob)] | length > 0' ref.jsonl >/dev/null"
check "file bytes are blobs; the purpose-assistants file is described, with a ledger line" sh -c \
	"jq -s -e '[.[] | select(.kind == \"file\" and .blob)] | length == 2' ref.jsonl >/dev/null &&
	 \$FERRY cat ref.ferry ledger | grep -q not-downloadable"
check "the vector store is a knowledge set with its files and chunking" sh -c \
	"jq -s -e '[.[] | select(.kind == \"knowledge\")][0] | (.files | length == 2) and .chunking.max_tokens == 1200' ref.jsonl >/dev/null"
check "ChatKit was asked with its beta header" sh -c \
	"jq -e '[.[] | select(.path | startswith(\"/v1/chatkit\")) | .headers[\"openai-beta\"]] | all(. == \"chatkit_beta=v1\")' log.json >/dev/null"

# --- faults: 30% of requests, 20 seeds -------------------------------------------
bad=0
faults=0
requests=0
retried=0
seen4xx=0
kinds=""
for seed in $(seq 1 20); do
	sim_config "{\"fault_rate\": 0.3, \"seed\": $seed}"
	sim_reset_log
	rm -f f.ferry
	# shellcheck disable=SC2086
	if ! ferry export openai: --ids-from ids.txt $opts --time $T -o f.ferry 2>ferr; then
		bad=$((bad + 1))
		sed 's/^/#   seed '"$seed"': /' ferr | head -3
		continue
	fi
	cmp -s f.ferry ref.ferry || { bad=$((bad + 1)); echo "# seed $seed: a different archive"; }
	sim_log > flog.json
	faults=$((faults + $(jq '[.[] | select(.fault != null)] | length' flog.json)))
	requests=$((requests + $(jq 'length' flog.json)))
	seen4xx=$((seen4xx + $(jq '[.[] | select(.status == 400 and (.fault == null or .fault == "drip"))] | length' flog.json)))
	kinds="$kinds $(jq -r '[.[] | .fault // empty] | unique | join(" ")' flog.json)"
	# A 4xx the client received whole (not cut short or stalled by a fault) is never asked again.
	retried=$((retried + $(jq '[.[] | {k: (.method + " " + .path + "?" + .query), s: .status,
		whole: (.fault == null or .fault == "drip")}] as $l |
		[range(0; $l | length) as $i | select(([400, 401, 403, 404] | index($l[$i].s)) and $l[$i].whole) |
		 $l[$i].k as $k | [$l[$i + 1:][] | select(.k == $k)] | length] | add // 0' flog.json)))
done
sim_config '{"fault_rate": 0}'
echo "# faults: $requests requests over 20 seeds, $faults faults injected ($(echo "$kinds" | tr ' ' '\n' | sort -u | tr '\n' ' '))"
check "30% faults, 20 seeds: every export is byte-identical to the fault-free one" test "$bad" = 0
check "faults were really injected (at least a fifth of the requests)" test "$((faults * 5))" -ge "$requests"
check "no 400/401/403/404 was ever retried" test "$retried" = 0
check "(a whole 400 came back on every run: the assistants file's bytes)" test "$seen4xx" -ge 20

sim_reset_log
expect_exit 3 "a conversation that does not exist: a data error" \
	ferry export openai: --id conv_doesnotexist --option chatkit=0 --only thread -o x.ferry
check "its 404 was asked once" test "$(sim_log | jq '[.[] | select(.path == "/v1/conversations/conv_doesnotexist")] | length')" = 1
check "and no archive was left" test ! -e x.ferry
WRONG=sk-canaryWRONG0a1b2c3d4e5f6a7b8c9d0e1f
sim_reset_log
OPENAI_API_KEY=$WRONG expect_exit 8 "a refused key: an authentication error" ferry export openai: -v -v -o x.ferry
check "the 401 was asked once" test "$(sim_log | jq '[.[] | select(.status == 401)] | length')" = 1
check "the provider's message repeating the key is scrubbed" sh -c "grep -q 'HTTP 401' stdout err; ! grep -q '$WRONG' stdout err"
OPENAI_API_KEY= expect_exit 8 "no key: an authentication error naming the variable" ferry export openai: -o x.ferry
check "which says where the key comes from" grep -q OPENAI_API_KEY err

# --- import into a second account --------------------------------------------------
export OPENAI_API_KEY=$KEYB
sim_reset_log
expect_exit 0 "import --dry-run plans without a request" ferry import --dry-run --json ref.ferry openai:
cp stdout plan.json
sim_log > dlog.json
check "the dry run made no request and wrote no journal" sh -c \
	"[ \$(jq length dlog.json) = 0 ] && [ ! -d state ]"
check "the plan counts what it would write and estimates the calls and time" jq -e \
	'.targets[0] | .write.thread == 8 and .write.file == 3 and .write.knowledge == 1 and .write.message == 212 and
	 .estimate.api_calls > 30 and .estimate.seconds > 0 and (.estimate.note | test("by 20"))' plan.json
check "the sink's dry run counts what it would create and the calls, and its journal" jq -e \
	'.targets[0].dry_run | .create.thread == 8 and .create.file == 2 and .create.knowledge == 1 and
	 .create.message == 212 and .api_calls > 30 and .seconds > 0 and (.journal | test("openai-.*[.]journal"))' plan.json
check "the sink's dry run foresaw the one difference (the file without bytes)" sh -c \
	"grep -q 'dry run reports other outcomes' err && grep -q 'done dropped.*no-bytes' err"
check "the plan names each loss and transformation (encrypted reasoning, responses, ChatKit)" jq -e \
	'[.targets[0].lines[] | .rule] as $r | ($r | map(select(. == "encrypted-reasoning")) | length == 13) and
	 ($r | index("response-as-conversation")) and ($r | index("chatkit-as-conversation")) and
	 ($r | index("time-in-metadata"))' plan.json
expect_exit 0 "the plan as text" ferry import --dry-run ref.ferry openai:
check "says how many calls and how long" grep -q 'estimate: [0-9]* API calls, about [0-9]* s' stdout
sim_reset_log
expect_exit 12 "without --accept-loss the import stops before writing" ferry import ref.ferry openai: --option rate=0
check "and asked nothing" test "$(sim_log | jq length)" = 0
sim_reset_log
expect_exit 10 "import into account B: one difference from the plan" \
	ferry import ref.ferry openai: --accept-loss --option rate=0 --ledger ledger.jsonl -v
check "the difference is the file whose bytes the provider never gave" sh -c \
	"[ \$(grep -c 'planned vs done' err) = 1 ] && grep -q 'done dropped.*no-bytes' err"
check "the ledger has every planned line, and that one more" sh -c \
	"jq -c 'select(.outcome != \"warning\") | [.item.kind, .item.thread, .item.id, .item.field, .outcome, .rule]' ledger.jsonl | LC_ALL=C sort > done.txt &&
	 jq -c '.targets[0].lines[] | [.item.kind, .item.thread, .item.id, .item.field, .outcome, .rule]' plan.json | LC_ALL=C sort > planned.txt &&
	 [ \"\$(comm -13 planned.txt done.txt | wc -l)\" = 1 ] && [ \"\$(comm -23 planned.txt done.txt | wc -l)\" = 0 ]"
sim_log > ilog.json
check "exactly the API calls the dry run counted" test "$(jq length ilog.json)" = "$(jq .targets[0].dry_run.api_calls plan.json)"
check "items went 20 a call, in order: full batches, then the rest" jq -e \
	'[.[] | select(.method == "POST" and (.path | test("/conversations/.+/items")))] | group_by(.path) |
	 all(map(.n_items) as $n | ($n | all(. <= 20)) and ($n[:-1] | all(. == 20)))' ilog.json
sim_state > state1.json
check "B holds 8 conversations with their items, 2 files, 1 vector store" sh -c \
	"jq -e '.B | (.conversations | length == 8) and (.files | length == 2) and (.vector_stores | length == 1) and
	  (.vector_stores[0].files | length == 2) and ([.conversations[].items | length] | add == 204 + 3 + 6)' state1.json >/dev/null"
check "encrypted reasoning crossed without its encrypted content" jq -e \
	'[.B.conversations[].items[] | select(.type == "reasoning")] | (length == 13) and all(has("encrypted_content") | not)' state1.json
check "original ids and times are kept in metadata" jq -e \
	'[.B.conversations[].metadata | has("ferry_src") and has("ferry_id") and has("ferry_created")] | all' state1.json
sim_reset_log
expect_exit 10 "a re-run of a finished import reports the same difference" \
	ferry import ref.ferry openai: --accept-loss --option rate=0 --ledger ledger2.jsonl
check "creates nothing and asks nothing" test "$(sim_log | jq length)" = 0
check "and writes the same ledger" sh -c "cmp -s ledger.jsonl ledger2.jsonl"
expect_exit 0 "a dry run after it" ferry import --dry-run --json ref.ferry openai:
check "plans only skips, and no call" jq -e \
	'.targets[0] | (.estimate.note | test("journal: [1-9][0-9]* done, skipped; 0 unconfirmed")) and
	 .dry_run.api_calls == 0 and ([.dry_run.create[]] | add == 0) and .dry_run.skip.thread == 8 and
	 .dry_run.skip.file == 2 and .dry_run.skip.knowledge == 1' stdout

# --- OpenAI -> archive -> OpenAI -> archive ----------------------------------------------
jq -r 'select(.kind == "thread" and .state == "verified") | .target' state/openai-*.journal > ids-b.txt
expect_exit 0 "export account B again, by the ids in the journal" \
	ferry export openai: --ids-from ids-b.txt --option chatkit=0 --option rate=0 --time $T -o back.ferry
mkdir a b
tar --zstd -xf ref.ferry -C a && tar --zstd -xf back.ferry -C b
expect_exit 0 "the same conversations and items, every difference in the ledger" \
	python3 "$TESTS/lib/fycheck.py" roundtrip a b ledger.jsonl openai
cat stdout | sed 's/^/# round trip: /'
sed 's/^/#   /' err | head -5
check "the ledger names each transformation" sh -c \
	"for r in encrypted-reasoning response-as-conversation chatkit-as-conversation no-bytes time-in-metadata; do grep -q \"\\\"rule\\\":\\\"\$r\\\"\" ledger.jsonl || exit 1; done"

# --- Assistants-era dumps ------------------------------------------------------------------
expect_exit 0 "an Assistants dump folder exports" ferry export openai:dump -o dump.ferry
check "assistants, tools, a thread, messages and run-step tool calls" sh -c \
	"\$FERRY cat dump.ferry | jq -s -e '(map(select(.kind == \"agent\")) | length == 1) and (map(select(.kind == \"tool\")) | length == 3) and
	  (map(select(.kind == \"message\" and .role == \"tool\")) | length == 1) and
	  (map(select(.kind == \"message\")) | map(.parts[].type) | index(\"code\") != null)' >/dev/null"
expect_exit 0 "imports: the agent as an Agents SDK configuration beside the journal" \
	ferry import dump.ferry openai: --accept-loss --option rate=0 --ledger dump-ledger.jsonl
check "the configuration has the name, instructions, model and tools" sh -c \
	"jq -e '.format == \"openai-agents-sdk/agent\" and .name == \"HR Helper 0\" and .model == \"gpt-4o\" and
	  (.tools | map(.type) | sort == [\"code_interpreter\", \"file_search\", \"function\"])' state/openai-*.journal.agents/asst_*.json >/dev/null"
check "and the ledger says where it went" grep -q agents-sdk-config dump-ledger.jsonl

# --- the key is nowhere ---------------------------------------------------------------------
export OPENAI_API_KEY=$CANARY
for v in -q "" -v "-v -v"; do
	# shellcheck disable=SC2086
	ferry export openai: --ids-from ids.txt --option rate=0 $v -o "v$(echo "$v" | tr -dc v).ferry" 2>>logs.txt
	# shellcheck disable=SC2086
	OPENAI_API_KEY=$KEYB ferry import ref.ferry openai: --accept-loss --option rate=0 $v --ledger logs-ledger.jsonl 2>>logs.txt
done
cat export.err >> logs.txt
mkdir all
for f in *.ferry; do mkdir "all/$f" && tar --zstd -xf "$f" -C "all/$f"; done
check "the traces were written (-vv shows headers, redacted)" grep -q "Authorization: \[redacted\]" logs.txt
check "the canary key is in no archive, journal, ledger or log" sh -c \
	"! grep -r -l -F '$CANARY' all state logs.txt ledger.jsonl logs-ledger.jsonl dump-ledger.jsonl plan.json ./*.ferry"
sim_config '{"latency_ms": 150}'
$VG "$BIN/ferry" export openai: --ids-from ids.txt -o slow.ferry 2>/dev/null &
pid=$!
sleep 0.6
ps -eo args > ps.txt
cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\0' ' ' > cmdlines.txt
wait $pid
sim_config '{"latency_ms": 0}'
check "no process argument list holds the key (while an export runs)" sh -c \
	"grep -q ferry-export cmdlines.txt && ! grep -q -F '$CANARY' cmdlines.txt ps.txt"

done_testing
