#!/bin/sh
# t-openai-kill.sh - imports into the OpenAI simulator that are killed and
# started again never duplicate and never lose anything:
#   - stopped dead at every durable step in turn (FERRY_FAIL_AT=N: the
#     N-th journal line is never written - for a "created" line that is
#     exactly between the provider's 2xx and the journal write);
#   - killed with SIGKILL at 50 random moments;
#   - with 30% of the requests failing, some after the create took effect;
# each time run again to the end, then compared by content with a clean
# import into a third account (tests/lib/fycheck.py state).
name=openai-kill
. "$(dirname "$0")/../lib.sh"
. "$TESTS/lib/sim.sh"

KEYA=sk-sourceA-0000000000000000000000001
KEYB=sk-targetB-0000000000000000000000002
KEYR=sk-refR-000000000000000000000000003
cat > accounts.json <<EOF
{"A": {"keys": ["$KEYA"]}, "B": {"keys": ["$KEYB"]}, "R": {"keys": ["$KEYR"]}}
EOF
python3 "$TESTS/lib/provgen.py" fx.json --convs 4 --items 45 --files 2 --stores 1 --responses 1 --chatkit 1 > /dev/null
sim_start --accounts accounts.json --fixture fx.json --stall-s 1.5 || exit 1
jq -r '.accounts.A.conversations[].id, .accounts.A.responses[].response.id' fx.json > ids.txt
export OPENAI_BASE_URL="$SIM/v1"
o="--accept-loss --option rate=0 --option backoff-ms=5 --option backoff-max-ms=40 --option retry-after-max-ms=40 --option stall-timeout=1 --option retries=12"

OPENAI_API_KEY=$KEYA ferry export openai: --ids-from ids.txt --option rate=0 -o src.ferry 2>err ||
	{ notok "export the source account"; sed 's/^/#   /' err; done_testing; }
# shellcheck disable=SC2086
OPENAI_API_KEY=$KEYR FERRY_STATE_DIR=$work/ref ferry import src.ferry openai: $o 2>err
check "a clean import into the reference account" test $? = 0
sim_state R > ref.json

export OPENAI_API_KEY=$KEYB FERRY_STATE_DIR=$work/state
dups=0
missing=0
mism=0
orphans=0
failures=0

# verify LABEL: compare account B with the reference; tally.
verify() {
	sim_state B > st.json
	python3 "$TESTS/lib/fycheck.py" state st.json ref.json B R > v.json 2> v.err
	r=$?
	dups=$((dups + $(jq .duplicates v.json)))
	missing=$((missing + $(jq .missing v.json)))
	mism=$((mism + $(jq .mismatched v.json)))
	orphans=$((orphans + $(jq .orphans_empty v.json)))
	if [ $r != 0 ]; then
		failures=$((failures + 1))
		echo "# $1: $(cat v.json)"
		sed 's/^/#   /' v.err | head -3
	fi
}

fresh() {
	sim_reset_account B
	rm -rf state
}

# Every durable step (journal line) of a full import, in turn.
fresh
# shellcheck disable=SC2086
ferry import src.ferry openai: $o 2>err
check "an uninterrupted import into account B" test $? = 0
sed 's/^/#   /' err | grep -v "ledger lines" | head -3
steps=$(cat state/openai-*.journal | wc -l)
verify "uninterrupted"
killed=0
step=1
while [ $step -le "$steps" ]; do
	fresh
	# shellcheck disable=SC2086
	FERRY_FAIL_AT=$step ferry import src.ferry openai: $o 2>/dev/null
	[ $? = 137 ] && killed=$((killed + 1))
	# shellcheck disable=SC2086
	ferry import src.ferry openai: $o 2>err || { failures=$((failures + 1)); sed 's/^/#   step '"$step"': /' err | head -2; }
	verify "killed at step $step"
	step=$((step + 1))
done
check "stopped dead at each of the $steps durable steps ($killed killed), each run again to the end" \
	test "$killed" = "$steps"

# SIGKILL at 50 random moments of an import that takes a while.
sim_config "{\"latency_ms\": 5}"
fresh
start=$(date +%s%N)
# shellcheck disable=SC2086
ferry import src.ferry openai: $o 2>/dev/null
span=$((($(date +%s%N) - start) / 1000000))
echo "# a whole import takes $span ms at 5 ms a request"
trial=1
early=0
while [ $trial -le 50 ]; do
	fresh
	at=$(awk -v s="$trial" -v span="$span" 'BEGIN { srand(s * 7919); printf "%.3f", rand() * span / 1000 }')
	# The program itself, not the shell function: $! must be the import.
	# shellcheck disable=SC2086
	$VG "$BIN/ferry-import" src.ferry openai: $o 2>/dev/null &
	pid=$!
	sleep "$at"
	kill -9 $pid 2>/dev/null || early=$((early + 1))
	wait $pid 2>/dev/null
	# shellcheck disable=SC2086
	ferry import src.ferry openai: $o 2>err || { failures=$((failures + 1)); sed 's/^/#   trial '"$trial"': /' err | head -2; }
	verify "SIGKILL after ${at}s"
	trial=$((trial + 1))
done
sim_config '{"latency_ms": 0}'
echo "# 50 SIGKILLs at random moments ($early landed after the import had finished)"

# Faults during imports: 30%, some after the object was created.
seed=1
while [ $seed -le 10 ]; do
	fresh
	sim_config "{\"fault_rate\": 0.3, \"seed\": $seed}"
	# shellcheck disable=SC2086
	ferry import src.ferry openai: $o 2>err || { failures=$((failures + 1)); sed 's/^/#   faults '"$seed"': /' err | head -2; }
	sim_config '{"fault_rate": 0}'
	verify "30% faults, seed $seed"
	seed=$((seed + 1))
done

echo "# kills and faults: duplicates $dups, missing $missing, differing $mism, empty unnamed conversations $orphans"
check "0 duplicates" test "$dups" = 0
check "0 missing" test "$missing" = 0
check "0 differences in content" test "$mism" = 0
check "every run finished and checked" test "$failures" = 0

done_testing
