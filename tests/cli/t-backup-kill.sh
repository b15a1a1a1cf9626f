#!/bin/sh
# t-backup-kill.sh - a backup killed with SIGKILL at any moment never leaves
# a corrupt or partial archive under a final name, and the archives already
# there still verify; the next run takes the dead run's lock over and
# clears its staging.
#
# Two ways of killing: FERRY_FAIL_AT=N makes the N-th durable step of the
# run (a member written, an fsync, a rename, the lock file, the publishing
# link, a removal by --prune) kill the process, for every N until a run
# completes; then 100 runs of a bigger source are killed with kill -9 at
# random moments over a run's length (seeded: FERRY_KILL_SEED, printed).
name=backup-kill
. "$(dirname "$0")/../lib.sh"

# The invariants after every kill: only archives, the lock and staging at
# the top; the archives that were there before are unchanged; every other
# archive under a final name verifies (each is checked once).
: >verified
invariants() {	# REPO [--ignore-missing: --prune may remove older archives]
	for f in "$1"/* "$1"/.[!.]*; do
		[ -e "$f" ] || continue
		case "${f##*/}" in
		*.ferry | ferry.lock | .ferry-staging) ;;
		*) echo "unexpected ${f##*/}"; return 1 ;;
		esac
	done
	sha256sum --quiet -c ${2:-} before.sha || return 1
	for f in "$1"/*.ferry; do
		grep -qxF "$f" verified before.list && continue
		$FERRY verify -q "$f" || { echo "$f does not verify"; return 1; }
		echo "$f" >>verified
	done
}

# --- every durable step --------------------------------------------------------
ferry backup -q dir:"$SAMPLES/neutral" --repo steps --time 2026-10-01T02:00:00Z
ferry backup -q dir:"$SAMPLES/neutral" --repo steps --time 2026-10-02T02:00:00Z
ls steps/*.ferry >before.list
sha256sum steps/*.ferry >before.sha
step=0
bad=0
killed=0
while :; do
	step=$((step + 1))
	# Day n+2, pruning to the last two: the prune's removals are steps too.
	t=$(printf '2026-10-%02dT02:00:00Z' $((step + 2)))
	FERRY_FAIL_AT=$step $FERRY backup -q dir:"$SAMPLES/neutral" --repo steps --time "$t" \
		--prune --keep-last 4 >/dev/null 2>&1
	rc=$?
	if [ $rc = 0 ]; then break; fi
	[ $rc = 137 ] && killed=$((killed + 1))
	invariants steps --ignore-missing >inv.out 2>&1 || { bad=$((bad + 1)); sed 's/^/#   /' inv.out | head -3; }
	[ $step -lt 200 ] || break
done
check "killed at each of $killed durable steps, the repository stayed sound" test $bad = 0 -a $killed -gt 10
check "the run after them all succeeded" test $rc = 0
check "no staging left behind, no lock" sh -c '[ -z "$(ls -A steps/.ferry-staging)" ] && [ ! -e steps/ferry.lock ]'

# --- 100 random moments --------------------------------------------------------
"$BIN/../tests/gen-neutral" src 2500000 >/dev/null
ferry backup -q dir:src --repo rnd --time 2026-11-01T00:00:00Z
ferry backup -q dir:src --repo rnd --time 2026-11-02T00:00:00Z
ls rnd/*.ferry >before.list
sha256sum rnd/*.ferry >before.sha
: >verified
# How long one run takes here (build and machine vary): the kills spread over it.
t0=$(date +%s%N)
ferry backup -q dir:src --repo timing --time 2026-11-01T00:00:00Z
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
seed=${FERRY_KILL_SEED:-$(date +%s)}
echo "# one run takes ${ms} ms; kill moments from seed $seed"
python3 -c "
import datetime as d, random
random.seed($seed)
for i in range(100):
    t = d.datetime(2026, 11, 3) + d.timedelta(minutes=i)
    print('%.3f %s' % (random.uniform(0, $ms * 1.1) / 1000, t.strftime('%Y-%m-%dT%H:%M:%SZ')))" >moments
bad=0
done_before=0
while read -r delay t; do
	$FERRY backup -q dir:src --repo rnd --time "$t" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	[ -e "rnd/dir-src-$(echo "$t" | tr -d ':-').ferry" ] && done_before=$((done_before + 1))
	invariants rnd >inv.out 2>&1 || { bad=$((bad + 1)); echo "# after a kill at ${delay}s:"; sed 's/^/#   /' inv.out | head -3; }
done <moments
check "100 random kills: never a bad archive under a final name, the older ones intact" test $bad = 0
echo "# $done_before of 100 runs had finished before their kill"
check "the next run takes the dead run's lock over" \
	sh -c '$FERRY backup -q dir:src --repo rnd --time 2026-12-31T00:00:00Z 2>/dev/null; test $? = 0'
check "and clears the staging" sh -c '[ -z "$(ls -A rnd/.ferry-staging)" ] && [ ! -e rnd/ferry.lock ]'
check "every archive in the repository verifies" sh -c 'for f in rnd/*.ferry; do $FERRY verify -q "$f" || exit 1; done'

done_testing
