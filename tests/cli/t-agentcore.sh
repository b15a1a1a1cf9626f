#!/bin/sh
# t-agentcore.sh - the agentcore adapter against the AWS simulator
# (tests/lib/awssim.py, signatures verified independently in Python):
#   - export of memories, sessions with branches, records and harnesses;
#   - the same export under 30% ThrottlingException gives the same records;
#   - AgentCore -> archive -> AgentCore in a second account keeps events'
#     timestamps, branches and order, records' text, namespaces, strategy
#     and timestamps, and writes events with extractionMode SKIP;
#   - the simulator refuses wrong, tampered and wrongly scoped signatures
#     (403), and libcurl's own signer fails on an actor id with ':' and '/'
#     where ferry's signer passes.
name=agentcore
. "$(dirname "$0")/../lib.sh"
. "$TESTS/aws/sim.sh"

start_sim
probe="$VG $BIN/../tests/aws-probe"
norm="python3 $TESTS/aws/normalize.py"
account A
sim_seed A "$TESTS/aws/seed-agentcore.json"

ferry export agentcore:us-east-1 -o a.ferry > out 2>err
check "export from account A" ferry verify -q a.ferry
ferry cat a.ferry > a.jsonl
count() { jq -s "[.[] | select(.kind == \"$1\")] | length" a.jsonl; }
check "3 sessions, 12 events, 5 memory records, 1 harness with 3 tools" \
	test "$(count thread) $(count message) $(count memory) $(count agent) $(count tool)" = "3 12 5 1 3"
check "the actor id with ':' and '/' went through the signed path" \
	sh -c "jq -s -e 'any(.[]; .kind==\"thread\" and .ext.agentcore.actorId==\"tenant-a:user/42\")' a.jsonl >/dev/null"
check "a branch's first event answers the branch's root event" sh -c \
	"jq -s -e '(map(select(.kind==\"message\")) | INDEX(.id)) as \$m
	  | [.[] | select(.ext.agentcore.branch.name==\"retry-1\")] | sort_by(.created) | .[0]
	  | \$m[.parent].ext.agentcore.eventId == .ext.agentcore.branch.rootEventId' a.jsonl >/dev/null"
check "timestamps keep their milliseconds" \
	sh -c "jq -s -e 'any(.[]; .kind==\"message\" and .created==\"2026-01-01T10:00:00.125Z\")' a.jsonl >/dev/null"
check "records of every namespace, the sweep's too" sh -c \
	"[ \"\$(jq -r 'select(.kind==\"memory\") | .scope.namespace' a.jsonl | sort | tr '\n' ' ')\" = \
	   '/facts/bob /facts/tenant-a:user/42 /manual/notes /preferences/tenant-a:user/42 /strategies/'\$(jq -r 'select(.kind==\"memory\" and .strategy==\"Summaries\") | .ext.agentcore.memoryStrategyId' a.jsonl)'/actors/tenant-a:user/42/sessions/s-2026-01 ' ]"
check "the memory's strategies travel as a raw original" \
	sh -c "tar --zstd -xOf a.ferry --wildcards 'raw/agentcore/memories/*' | jq -e '.strategies | length == 3' >/dev/null"

# Throttling: 30% of the calls answered 429 ThrottlingException/ThrottledException.
sim_faults '{"seed":7,"throttle":0.3}'
ferry export --option retry_base_ms=5 --option retries=40 agentcore:us-east-1 -o t.ferry > out 2>err
throttled=$(sim_log | jq '[.[] | select(.status == 429)] | length')
sim_faults '{"throttle":0}'
check "the throttled export finished ($throttled calls were throttled)" sh -c "[ $throttled -gt 5 ] && $FERRY verify -q t.ferry"
check "throttling at 30% does not change the exported records" sh -c "$FERRY cat t.ferry | cmp -s - a.jsonl"

# AgentCore -> archive -> AgentCore, into account B.
account B
ferry import --dry-run --json a.ferry agentcore:us-east-1 > plan.json
check "the plan for account B loses nothing" jq -e '.targets[0].losses == 0' plan.json
expect_exit 0 "import into account B" ferry import --state-dir st --json --ledger ab.ledger \
	--option role_arn=arn:aws:iam::222222222222:role/HarnessRole a.ferry agentcore:us-east-1
check "what was done is what was planned, line by line" sh -c \
	"jq -e '.differences == 0 and .lines_planned == .lines_done' stdout >/dev/null"
ferry export agentcore:us-east-1 -o b.ferry > out 2>err
$norm < a.jsonl > a.norm
ferry cat b.ferry | $norm > b.norm
check "account B holds the same conversations, records and harness" cmp -s a.norm b.norm
diff a.norm b.norm | head -5 | sed 's/^/#   /'
check "events keep timestamps, branch names and order" sh -c \
	"grep -q '\"branch\": \"retry-1\"' b.norm && grep -q '2026-01-01T10:00:05.5Z' b.norm"
sim_state B > b.state
check "every event was written with extractionMode SKIP" \
	sh -c "jq -e '[.events[][][] | .extractionMode] | length == 12 and all(. == \"SKIP\")' b.state >/dev/null"
check "no long-term records were extracted from the replayed history" \
	sh -c "jq -e '[.records[][]] | length == 5' b.state >/dev/null"
check "every create carried a client token" sh -c \
	"jq -e '[.tokens | keys[] | split(\"\u0000\")[0]] | group_by(.) | map({(.[0]): length}) | add
	  | .CreateEvent == 12 and .BatchCreateMemoryRecords == 1 and .CreateMemory == 1 and .CreateHarness == 1' b.state >/dev/null"
ferry import --state-dir st --option role_arn=arn:aws:iam::222222222222:role/HarnessRole a.ferry agentcore:us-east-1 > out 2>err
sim_state B > b2.state
check "a second import skips everything" sh -c \
	"jq -e '([.events[][][]] | length == 12) and ([.records[][]] | length == 5) and (.harnesses | length == 1)' b2.state >/dev/null"

# Idempotent at AWS too: with the journal gone, the client tokens alone
# keep a re-import from creating anything twice.
expect_exit 0 "a re-import without its journal" ferry import --state-dir st-lost \
	--option role_arn=arn:aws:iam::222222222222:role/HarnessRole a.ferry agentcore:us-east-1
sim_state B > b3.state
check "creates nothing twice: AWS answered the repeated client tokens with what they made" sh -c \
	"jq -e '([.events[][][]] | length == 12) and ([.records[][]] | length == 5) and (.harnesses | length == 1) and (.memories | length == 1)' b3.state >/dev/null"
# AWS error shapes: a name taken by something else, a quota.
ferry export agentcore:us-east-1 -o b.ferry > out 2>err
expect_exit 13 "account B's own export imported back: ConflictException (the memory's name is taken) is exit 13" \
	ferry import --state-dir st-conflict --option role_arn=arn:aws:iam::222222222222:role/HarnessRole \
	b.ferry agentcore:us-east-1
check "and says what to do" grep -q "exists in the target account; name the memory to import into" err
ferry export "dir:$SAMPLES/neutral" -o n.ferry > out 2>err
sim_faults '{"quota_memories":1}'
expect_exit 3 "ServiceQuotaExceededException stops an import that needs a new memory" \
	ferry import --state-dir st-quota --accept-loss --option role_arn=arn:aws:iam::222222222222:role/HarnessRole \
	n.ferry agentcore:us-east-1
check "and names the error" grep -q ServiceQuotaExceededException err
sim_faults '{"quota_memories":100}'

# Signatures: ferry's requests with the wrong secret or region are refused.
AWS_SECRET_ACCESS_KEY=wrong expect_exit 8 "a wrong secret key is refused (403, exit 8)" \
	ferry export agentcore:us-east-1 -o x.ferry
check "and said so" grep -q "HTTP 403" err
AWS_REGION=eu-west-1 expect_exit 8 "a request scoped to another region is refused" \
	ferry export agentcore:eu-west-1 -o x.ferry
python3 "$TESTS/aws/tamper.py" "$SIM" > tamper.out 2>&1
check "a correctly signed request passes" grep -q '^correct 200 ' tamper.out
for v in tampered-body tampered-date wrong-secret wrong-region-scope wrong-service-scope stale; do
	check "the simulator refuses $v with 403" grep -q "^$v 403 " tamper.out
done

# Credentials never reach a trace, an archive or a journal.
account A
canary=IQoJb3JpZ2luX2VjEXAMPLEsessiontoken0042
AWS_SESSION_TOKEN=$canary ferry export -v -v agentcore:us-east-1 -o traced.ferry > out 2>trace
check "a traced export runs with a session token" sh -c "$FERRY verify -q traced.ferry"
check "the trace shows the signed headers, redacted" sh -c \
	"grep -q 'Authorization: \[redacted\]' trace && grep -qi 'x-amz-security-token: \[redacted\]' trace"
check "neither the secret key nor the session token appear in the trace" sh -c \
	"! grep -q simsecretA trace && ! grep -q $canary trace"
check "nor in the archive or the journal" sh -c \
	"! zstd -dc traced.ferry | grep -a -q -e simsecret -e $canary && ! grep -r -q -e simsecret -e $canary st"

# libcurl's signer (CURLOPT_AWS_SIGV4) against ferry's on the same requests.
account A
mem=$(sim_state A | jq -r '.memories | keys[0]')
plain=/memories/$mem/actor/bob/sessions
colon=/memories/$mem/actor/tenant-a%3Auser%2F42/sessions
check "ferry's signer: an actor id with ':' and '/' passes" \
	sh -c "$probe POST $colon '{}' | grep -q '^200 '"
check "libcurl's signer passes on a plain actor id" \
	sh -c "$probe --curl POST $plain '{}' | grep -q '^200 '"
check "libcurl's signer fails on the same call for actor tenant-a:user/42 (403)" \
	sh -c "$probe --curl POST $colon '{}' | grep -q '^403 InvalidSignatureException'"
done_testing
