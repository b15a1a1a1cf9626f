#!/bin/sh
# t-backup.sh - ferry backup and ferry forget on a folder repository: names,
# --time, atomic verified publishing, cron-friendly output and exit codes,
# restic's retention over thirty simulated nights, the newest-verified
# safety net, and locking (stale locks taken over, live ones refused, two
# concurrent runs). The same checks against a real S3 server are in
# tests/peers/t-backup-s3.sh (make check-peers).
name=backup
. "$(dirname "$0")/../lib.sh"

nights() {	# the thirty nightly times, 2026-10-01 .. 2026-10-30 at 02:00 UTC
	i=1
	while [ $i -le 30 ]; do printf '2026-10-%02dT02:00:00Z\n' $i; i=$((i + 1)); done
}
# The kept archives' times, newest first, from a repository folder.
kept_times() {
	ls "$1" | sed -n 's/^.*-\([0-9]\{8\}\)T\([0-9]\{2\}\)\([0-9]\{2\}\)\([0-9]\{2\}\)Z\.ferry$/\1T\2:\3:\4Z/p' |
		sed 's/^\(....\)\(..\)\(..\)/\1-\2-\3/' | sort -r
}

# --- one backup --------------------------------------------------------------
ferry backup dir:"$SAMPLES/neutral" --repo repo --time 2026-10-01T02:00:00Z >out 2>err
rc=$?
if [ $rc = 0 ] && [ ! -s out ] && [ ! -s err ]; then ok "silent on success"; else notok "silent on success (exit $rc)"; sed 's/^/#   /' err; fi
check "named by source and UTC time" test -f repo/dir-neutral-20261001T020000Z.ferry
check "the archive verifies" ferry verify -q repo/dir-neutral-20261001T020000Z.ferry
check "--time is the header's created time" \
	sh -c '[ "$(tar --zstd -xOf repo/dir-neutral-20261001T020000Z.ferry ferry.json | jq -r .created)" = 2026-10-01T02:00:00Z ]'
check "--time is the members' mtime" \
	sh -c 'tar --zstd -tvf repo/dir-neutral-20261001T020000Z.ferry | head -1 | grep -q "2026-10-01 02:00"'
check "nothing left in staging, no lock left" \
	sh -c '[ -z "$(ls -A repo/.ferry-staging)" ] && [ ! -e repo/ferry.lock ]'
check "archives are private (0600)" sh -c '[ "$(stat -c %a repo/dir-neutral-20261001T020000Z.ferry)" = 600 ]'

expect_exit 13 "the same source at the same second is refused (exists)" \
	ferry backup dir:"$SAMPLES/neutral" --repo repo --time 2026-10-01T02:00:00Z
if one_line_error "exists already"; then ok "exists: one line on stderr"; else notok "exists: one line on stderr"; fi
expect_exit 2 "--prune without a policy is a usage error" ferry backup dir:"$SAMPLES/neutral" --repo repo --prune
expect_exit 2 "a policy without --prune is a usage error" ferry backup dir:"$SAMPLES/neutral" --repo repo --keep-daily 7
expect_exit 2 "--time must be RFC 3339" ferry backup dir:"$SAMPLES/neutral" --repo repo --time yesterday
expect_exit 2 "--name must be a safe name" ferry backup dir:"$SAMPLES/neutral" --repo repo --name ../x
expect_exit 2 "--keep-daily takes a count" ferry forget --repo repo --keep-daily many
expect_exit 2 "--keep-within takes a duration" ferry forget --repo repo --keep-within 3x
expect_exit 2 "forget without a policy removes nothing: usage error" ferry forget --repo repo
expect_exit 3 "an unreadable source fails the run (data)" ferry backup dir:"$SAMPLES" --repo repo
check "a failed run publishes nothing and leaves no staging" \
	sh -c '[ "$(ls repo | wc -l)" = 1 ] && [ -z "$(ls -A repo/.ferry-staging)" ]'

# --json: one object on stdout; -v: one line on stderr.
ferry backup --json -v dir:"$SAMPLES/neutral" --repo repo --time 2026-10-02T02:00:00Z >js 2>err
check "--json summary" jq -e '.archive == "dir-neutral-20261002T020000Z.ferry" and .verified and .exit == 0 and .records.message == 11 and .unreadable == 0' js
check "-v says what was written" grep -q "wrote and verified dir-neutral-20261002T020000Z.ferry" err

# --name groups the archives; a source's default name is adapter-basename.
check "--name" ferry backup -q dir:"$SAMPLES/neutral" --repo repo --name acme --time 2026-10-02T02:00:00Z
check "named acme" test -f repo/acme-20261002T020000Z.ferry

# Partial: the source reported an item it could not read (a ledger line,
# outcome dropped, phase export). The archive is still written; exit 10.
cp -r "$SAMPLES/neutral" partial
mkdir -p partial/ledger
echo '{"item":{"kind":"thread","id":"t-lost"},"outcome":"dropped","reason":"the provider returned 500 for this conversation","phase":"export","adapter":"dir"}' >partial/ledger/000001.jsonl
expect_exit 10 "a partial backup exits 10" ferry backup dir:partial --repo repo --time 2026-10-03T02:00:00Z
if one_line_error "partial: 1 items could not be read"; then ok "partial: one line on stderr"; else notok "partial: one line on stderr"; sed 's/^/#   /' err; fi
check "the partial archive is published and verifies" ferry verify -q repo/dir-partial-20261003T020000Z.ferry

# --- thirty nights with --keep-daily 7 --keep-weekly 4 ------------------------
# Expected, derived by hand from restic's rules (UTC): daily 7 keeps the
# newest of each of the last seven days with a backup, 24-30 October; weekly
# 4 keeps the newest of each of the last four ISO weeks with a backup: W44
# (the 30th, a Friday), W43 (Sunday the 25th), W42 (the 18th), W41 (the
# 11th). The count runs out before W40, so the oldest (1 October) is not
# kept by restic's "oldest" rule either. Nine archives.
cat >hand <<'EOF'
2026-10-30T02:00:00Z
2026-10-29T02:00:00Z
2026-10-28T02:00:00Z
2026-10-27T02:00:00Z
2026-10-26T02:00:00Z
2026-10-25T02:00:00Z
2026-10-24T02:00:00Z
2026-10-18T02:00:00Z
2026-10-11T02:00:00Z
EOF
# ... and computed independently by tests/lib/restic_policy.py (a Python
# model of restic's ApplyPolicy), once as a nightly `backup --prune` would
# apply it (after every run) and once over all thirty.
python3 "$TESTS/lib/restic_policy.py" --incremental --keep-daily 7 --keep-weekly 4 $(nights) >model-nightly
python3 "$TESTS/lib/restic_policy.py" --keep-daily 7 --keep-weekly 4 $(nights) >model-once
check "the Python model agrees with the hand-derived list" sh -c 'cmp -s hand model-nightly && cmp -s hand model-once'
bad=0
for t in $(nights); do
	ferry backup dir:"$SAMPLES/neutral" --repo nightly --time "$t" --prune --keep-daily 7 --keep-weekly 4 \
		>/dev/null 2>>nightly.err || bad=$((bad + 1))
done
check "thirty nightly runs with --prune all succeed" test $bad = 0
kept_times nightly >got-nightly
if cmp -s got-nightly model-nightly; then ok "thirty nights leave exactly restic's nine"; else
	notok "thirty nights leave exactly restic's nine"; diff model-nightly got-nightly | sed 's/^/#   /'; fi
check "every kept archive verifies" sh -c 'for f in nightly/*.ferry; do $FERRY verify -q "$f" || exit 1; done'

for t in $(nights); do ferry backup dir:"$SAMPLES/neutral" --repo once --time "$t" || bad=$((bad + 1)); done
ferry forget --repo once --keep-daily 7 --keep-weekly 4 --dry-run >plan
check "--dry-run removes nothing" sh -c '[ "$(ls once | wc -l)" = 30 ]'
check "--dry-run shows 9 kept, 21 removed" sh -c 'grep -q "dir-neutral: keep 9, remove 21" plan && [ "$(grep -c "^would remove" plan)" = 21 ]'
check "--dry-run gives the reasons" grep -q "keep    dir-neutral-20261030T020000Z.ferry  daily, weekly" plan
ferry forget --json --repo once --keep-daily 7 --keep-weekly 4 >forget.json
kept_times once >got-once
if cmp -s got-once model-once; then ok "forget over thirty archives keeps restic's nine"; else
	notok "forget over thirty archives keeps restic's nine"; diff model-once got-once | sed 's/^/#   /'; fi
check "forget --json lists what it kept and removed" \
	jq -e '.removed == 21 and (.groups[0].keep | length) == 9 and (.groups[0].remove | length) == 21' forget.json

# Other policies against the model (keep-last, monthly, within, unlimited).
for t in 2026-01-05T10:00:00Z 2026-01-05T11:30:00Z 2026-02-10T00:00:00Z 2026-03-31T23:59:59Z \
	2026-04-01T00:00:00Z 2026-06-15T12:00:00Z 2026-11-20T08:00:00Z 2026-11-24T09:00:00Z; do
	ferry backup -q dir:"$SAMPLES/neutral" --repo mixed --time "$t"
	echo "$t"
done >mixed.times
for policy in "--keep-last 3" "--keep-monthly 3" "--keep-hourly 2 --keep-yearly 1" \
	"--keep-within 10d" "--keep-daily unlimited" "--keep-weekly 2 --keep-monthly 4"; do
	rm -rf m && cp -r mixed m
	ferry forget -q --repo m $policy
	kept_times m >got
	python3 "$TESTS/lib/restic_policy.py" $policy $(cat mixed.times) >want
	if cmp -s got want; then ok "policy $policy matches the model"; else
		notok "policy $policy matches the model"; diff want got | sed 's/^/#   /'; fi
done

# --- the newest verified archive is never removed ------------------------------
cp -r once safety
newest=safety/dir-neutral-20261030T020000Z.ferry
python3 -c "import sys; p='$newest'; d=bytearray(open(p,'rb').read()); d[len(d)//2]^=1; open(p,'wb').write(d)"
expect_exit 4 "a damaged archive is reported (integrity)" ferry forget --repo safety --keep-last 1
check "one line names the damaged archive" grep -q "dir-neutral-20261030T020000Z.ferry: does not verify" err
check "the newest archive that verifies stays, beyond --keep-last 1" \
	sh -c '[ "$(ls safety)" = "$(printf "dir-neutral-20261029T020000Z.ferry\ndir-neutral-20261030T020000Z.ferry")" ]'
mkdir allbad
cp once/dir-neutral-20261029T020000Z.ferry once/dir-neutral-20261030T020000Z.ferry allbad/
for f in allbad/*.ferry; do
	python3 -c "import sys; p='$f'; d=bytearray(open(p,'rb').read()); d[len(d)//2]^=1; open(p,'wb').write(d)"
done
expect_exit 4 "when nothing verifies..." ferry forget --repo allbad --keep-last 1
check "...nothing is removed" sh -c '[ "$(ls allbad | wc -l)" = 2 ]'

# --- locks ---------------------------------------------------------------------
host=$(hostname)
mid=$(cat /etc/machine-id 2>/dev/null || true)
boot=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || true)
lock_json() {	# HOST PID
	printf '{"host":"%s","machine_id":"%s","boot_id":"%s","started":"2026-11-26T01:00:00Z","command":"backup","token":"0123456789abcdef0123456789abcdef","pid":%s,"start_ticks":0}\n' \
		"$1" "$mid" "$boot" "$2"
}
cp -r once locked
lock_json "$host" $$ >locked/ferry.lock
expect_exit 11 "a live holder on this host: locked (11)" ferry backup dir:"$SAMPLES/neutral" --repo locked
if one_line_error "is locked by ferry backup on host $host, pid $$, since 2026-11-26T01:00:00Z"; then
	ok "the message names the holder"; else notok "the message names the holder"; sed 's/^/#   /' err; fi
expect_exit 11 "forget respects the lock too" ferry forget --repo locked --keep-last 1
sh -c 'exit 0' &
dead=$!
wait $dead
lock_json "$host" $dead >locked/ferry.lock
expect_exit 0 "a lock of a dead process on this host is taken over" \
	ferry backup dir:"$SAMPLES/neutral" --repo locked --time 2026-11-01T02:00:00Z
if one_line_error "took over the lock of ferry backup on host $host, pid $dead"; then
	ok "the take-over is reported in one line"; else notok "the take-over is reported in one line"; sed 's/^/#   /' err; fi
check "and released after the run" test ! -e locked/ferry.lock
: >locked/ferry.lock
expect_exit 0 "an empty lock file (a run died writing it) is taken over" \
	ferry backup dir:"$SAMPLES/neutral" --repo locked --time 2026-11-02T02:00:00Z
lock_json elsewhere.example 4242 >locked/ferry.lock
expect_exit 11 "a holder on another host is never judged dead" ferry backup dir:"$SAMPLES/neutral" --repo locked
check "forget --break-lock removes it" ferry forget --repo locked --break-lock
check "after which backups run again" ferry backup dir:"$SAMPLES/neutral" --repo locked --time 2026-11-03T02:00:00Z

# A run that holds the repository makes every other run exit 11. The holder
# is stopped (FERRY_PAUSE_AT, SIGSTOP) at its second durable step, after it
# took the lock, so the check does not depend on timing.
"$BIN/../tests/gen-neutral" big 2000000 >/dev/null
FERRY_PAUSE_AT=2 $FERRY backup dir:big --repo held --time 2026-12-01T01:00:00Z >h.out 2>h.err &
holder=$!
wait_stopped $holder
check "the paused holder has the lock" test -e held/ferry.lock
expect_exit 11 "a second run while it holds the repository exits 11" \
	ferry backup dir:big --repo held --time 2026-12-01T02:00:00Z
check "and names the holder's pid" grep -q "pid $holder" err
kill -CONT $holder
wait $holder; eh=$?
check "the holder, let go, finishes" test $eh = 0
check "one archive, which verifies; no lock or staging left" \
	sh -c '[ "$(ls held | wc -l)" = 1 ] && [ ! -e held/ferry.lock ] &&
	       [ -z "$(ls -A held/.ferry-staging)" ] && $FERRY verify -q held/*.ferry'

# Two first runs at once on a repository that does not exist yet, five
# times: whichever order they interleave in, each ends 0 or 11, and every
# run that said 0 left one archive, with no lock or staging left.
backup_races 5 race
check "five first-run races: each run ran or exited 11" test $races_bad = 0
check "one archive per run that ran ($races_ran), no lock or staging left" sh -c '
	[ "$(ls race?/*.ferry | wc -l)" = '$races_ran' ] &&
	[ -z "$(find race? -path "*/.ferry-staging/*")" ] && [ -z "$(find race? -name ferry.lock)" ]'

done_testing
