#!/bin/sh
# t-agentcore-resume.sh - an agentcore import killed with SIGKILL at random
# moments and run again until it finishes creates nothing twice: every
# event, memory record, memory and harness exists once in the target
# account. The simulator answers slowly (--delay) so kills land mid-run,
# fails 20% of the records of each batch (only those are sent again) and
# throttles 10% of the calls.
name=agentcore-resume
. "$(dirname "$0")/../lib.sh"
. "$TESTS/aws/sim.sh"

SESSIONS=12 EVENTS=8 RECORDS=230

start_sim --delay 4
python3 "$TESTS/aws/gen_seed.py" $SESSIONS $EVENTS $RECORDS > seed.json
account A
sim_seed A seed.json
ferry export agentcore:us-east-1 -o big.ferry > out 2>err
check "the source exports" ferry verify -q big.ferry

account B
sim_faults '{"seed":11,"throttle":0.1,"record_fail":0.2}'
opts="--state-dir st --option retry_base_ms=5 --option retries=40 --option role_arn=arn:aws:iam::222222222222:role/H"
seed=${FERRY_SEED:-$$}
kills=0
i=0
# The first run dies at a random one of its first 60 durable steps
# (FERRY_FAIL_AT), so at least one kill certainly falls mid-import however
# fast the machine; the others are killed after a random delay.
# shellcheck disable=SC2086
FERRY_FAIL_AT=$((seed % 60 + 1)) $FERRY import -q $opts big.ferry agentcore:us-east-1 > run.out 2>run.err
[ $? = 137 ] && kills=$((kills + 1))
sim_state B | jq '[.events[][][]] | length' > first.count
i=1
while [ $i -lt 8 ]; do
	# shellcheck disable=SC2086
	$FERRY import -q $opts big.ferry agentcore:us-east-1 > run.out 2>run.err &
	pid=$!
	delay=$(awk -v s="$seed" -v i="$i" 'BEGIN { srand(s + i); printf "%.2f", 0.1 + rand() * 0.9 }')
	sleep "$delay"
	if kill -9 $pid 2>/dev/null; then kills=$((kills + 1)); fi
	wait $pid 2>/dev/null
	i=$((i + 1))
done
check "the kills landed mid-import ($kills of 8; $(cat first.count) events after the first)" \
	sh -c "[ $kills -ge 1 ] && [ \$(cat first.count) -lt $((SESSIONS * EVENTS)) ]"
# shellcheck disable=SC2086
expect_exit 0 "after $kills kills, a last run finishes the import" $FERRY import $opts big.ferry agentcore:us-east-1
echo "# kill delays seeded with $seed (FERRY_SEED reproduces them)"
sim_state B > b.state
events=$((SESSIONS * EVENTS))
check "every event exists once ($events)" sh -c \
	"jq -e '[.events[][][]] | (length == $events) and (map(.metadata.ferry_source_id.stringValue) | unique | length == $events)' b.state >/dev/null"
check "every memory record exists once ($RECORDS)" sh -c \
	"jq -e '[.records[][]] | (length == $RECORDS) and (map(.metadata.ferry_source_id.stringValue) | unique | length == $RECORDS)' b.state >/dev/null"
check "one memory and one harness" sh -c \
	"jq -e '(.memories | length == 1) and (.harnesses | length == 1)' b.state >/dev/null"
sim_log > calls.json
check "failed records were sent again, alone" sh -c \
	"jq -e '[.[] | select(.account == \"B\" and (.path | endswith(\"/batchCreate\")) and .status == 201)] | length > $(( (RECORDS + 99) / 100 ))' calls.json >/dev/null"
ferry export agentcore:us-east-1 -o b.ferry > out 2>err
ferry cat big.ferry | python3 "$TESTS/aws/normalize.py" > a.norm
ferry cat b.ferry | python3 "$TESTS/aws/normalize.py" > b.norm
check "the target holds exactly the source's content" cmp -s a.norm b.norm
done_testing
