#!/bin/sh
# t-backup-s3.sh - ferry backup and ferry forget against a real S3 server on
# loopback: @20minutes/s3rver 4.0.4, installed from the npm registry into
# the peers cache and started on a free port by tests/peers/s3rver.sh (make
# check-peers). s3rver verifies SigV4, so every request ferry signs is
# checked; what ferry stores is read back with curl, an independent client.
#
# Shown here: archives published, listed and verified; a wrong secret or key
# is a one-line authentication error (exit 8); an upload killed at every
# step, parts included, leaves no object; thirty nights pruned to exactly
# restic's nine; locks (live, stale, foreign, broken, two runs at once);
# --diff against the previous archive; the newest verified archive kept.
#
# Not shown: virtual-hosted addressing. s3rver 4.0.4 canonicalises a
# virtual-hosted request as if the bucket were in the path, so it rejects
# correctly signed requests (tests/unit/test_s3.c checks the URLs instead).
name=backup-s3
. "$(dirname "$0")/../lib.sh"

peers=$top/tests/peers/s3rver.sh
inst=backup-$$
if ! sh "$peers" install >install.log 2>&1; then
	sed 's/^/#   /' install.log | tail -5
	notok "s3rver installs from the npm registry"
	done_testing
fi
sh "$peers" start "$inst" 2>start.log || { sed 's/^/#   /' start.log; notok "s3rver starts"; done_testing; }
trap 'sh "$peers" stop "$inst"; cd /; rm -rf "$work"' EXIT
. "${FERRY_PEERS_RUN:-${FERRY_PEERS:-$HOME/.cache/ferry-peers}/run}/$inst.env"
ok "s3rver 4.0.4 runs on $S3_ENDPOINT"

unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_REGION AWS_DEFAULT_REGION
export AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_CONFIG_FILE=/nonexistent
export AWS_ACCESS_KEY_ID=$S3_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET
E=--s3-endpoint=$S3_ENDPOINT
EMPTY=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
# curl as an independent S3 client (sorted, encoded queries: PEERS.md 6).
s3curl() { curl -s --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_KEY:$S3_SECRET" "$@"; }
s3keys() {	# PREFIX: the keys directly under it
	p=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1")
	s3curl -H "x-amz-content-sha256: $EMPTY" "$S3_ENDPOINT/backups?delimiter=%2F&list-type=2&prefix=$p" |
		grep -o '<Key>[^<]*</Key>' | sed 's/<Key>\(.*\)<\/Key>/\1/' | sort
}
s3get() {	# KEY FILE
	s3curl -H "x-amz-content-sha256: $EMPTY" -o "$2" -w '%{http_code}' "$S3_ENDPOINT/backups/$1" | grep -q 200
}
s3verify_all() {	# PREFIX: every archive under it downloads and verifies
	for k in $(s3keys "$1" | grep '\.ferry$'); do
		s3get "$k" dl.ferry && $FERRY verify -q dl.ferry || { echo "$k"; return 1; }
	done
}
no_locks() { [ -z "$(s3keys "$1"locks/)" ]; }			# PREFIX
count_is() { [ "$(s3keys "$1" | wc -l)" = "$2" ]; }		# PREFIX N
keys_are() { [ "$(s3keys "$1" | tr '\n' ' ')" = "$2" ]; }	# PREFIX "K1 K2 "
kept_times() {	# PREFIX
	s3keys "$1" | sed -n 's/^.*-\([0-9]\{4\}\)\([0-9]\{2\}\)\([0-9]\{2\}\)T\([0-9]\{2\}\)\([0-9]\{2\}\)\([0-9]\{2\}\)Z\.ferry$/\1-\2-\3T\4:\5:\6Z/p' | sort -r
}

# --- publish, list, verify ----------------------------------------------------
ferry backup "$E" dir:"$SAMPLES/neutral" --repo s3://backups/nightly --time 2026-10-01T02:00:00Z >out 2>err
rc=$?
if [ $rc = 0 ] && [ ! -s out ] && [ ! -s err ]; then ok "a backup to S3, silent on success"; else
	notok "a backup to S3, silent on success (exit $rc)"; sed 's/^/#   /' err; fi
if [ "$(s3keys nightly/)" = nightly/dir-neutral-20261001T020000Z.ferry ]; then
	ok "listed under its name by an independent client (curl)"; else
	notok "listed under its name by an independent client: $(s3keys nightly/)"; fi
check "downloaded with curl, it verifies" s3verify_all nightly/
check "no lock object left" no_locks nightly/
ferry backup "$E" --json dir:"$SAMPLES/neutral" --repo s3://backups/nightly/ --time 2026-10-02T02:00:00Z >js
check "--json on S3" jq -e '.verified and .exit == 0 and .archive == "dir-neutral-20261002T020000Z.ferry"' js
check "credentials from a shared file and a profile" sh -c "
	printf '[other]\naws_access_key_id = x\naws_secret_access_key = y\n[ferry]\naws_access_key_id = $S3_KEY\naws_secret_access_key = $S3_SECRET\n' >creds
	env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_SHARED_CREDENTIALS_FILE=\$PWD/creds AWS_PROFILE=ferry \
		$FERRY backup '$E' dir:'$SAMPLES/neutral' --repo s3://backups/nightly --time 2026-10-03T02:00:00Z"

# An archive over 8 MiB: 5 MiB parts, read back in several 8 MiB ranges
# (and a HEAD of an object bigger than any one response).
"$BIN/../tests/gen-neutral" huge 70000000 >/dev/null
FERRY_S3_PART_SIZE=5242880 expect_exit 0 "an archive of several parts and ranges" \
	ferry backup "$E" dir:huge --repo s3://backups/large --time 2026-10-01T02:00:00Z
k=large/dir-huge-20261001T020000Z.ferry
if s3get "$k" huge.ferry && [ "$(wc -c <huge.ferry)" -gt 8388608 ] && $FERRY verify -q huge.ferry; then
	ok "over 8 MiB, fetched by curl, verifies ($(wc -c <huge.ferry) bytes)"; else
	notok "over 8 MiB, fetched by curl, verifies"; fi
rm -rf huge huge.ferry

# --- authentication --------------------------------------------------------------
AWS_SECRET_ACCESS_KEY=wrong-secret expect_exit 8 "a wrong secret: authentication (8)" \
	ferry backup "$E" dir:"$SAMPLES/neutral" --repo s3://backups/nightly
if one_line_error "HTTP 403 (The request signature we calculated does not match"; then
	ok "one clear line: 403, signature does not match"; else notok "one clear line: 403"; sed 's/^/#   /' err; fi
check "the secret is not in the message" sh -c '! grep -q wrong-secret err'
AWS_ACCESS_KEY_ID=NOSUCHKEY expect_exit 8 "an unknown key: authentication (8)" \
	ferry backup "$E" dir:"$SAMPLES/neutral" --repo s3://backups/nightly
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY $FERRY backup "$E" dir:"$SAMPLES/neutral" \
	--repo s3://backups/nightly >stdout 2>err
if [ $? = 8 ] && one_line_error "no AWS credentials"; then ok "no credentials: one line, exit 8"; else notok "no credentials: one line, exit 8"; fi
expect_exit 6 "a bucket that does not exist: I/O (6)" ferry backup "$E" dir:"$SAMPLES/neutral" --repo s3://nosuchbucket/x
check "one line saying so" one_line_error "bucket does not exist"

# --- an upload killed at every step leaves no object -------------------------------
# Parts of 2 kB, so the 5 kB archive goes up in three parts: kills land
# between parts and before CompleteMultipartUpload too.
before=$(s3keys nightly/ | tr '\n' ' ')
step=0
bad=0
killed=0
mid_upload=0
while :; do
	step=$((step + 1))
	FERRY_S3_PART_SIZE=2048 FERRY_FAIL_AT=$step $FERRY backup "$E" dir:"$SAMPLES/neutral" \
		--repo s3://backups/nightly --time 2026-10-04T02:00:00Z >/dev/null 2>&1
	rc=$?
	[ $rc = 0 ] && break
	[ $rc = 137 ] || { bad=$((bad + 1)); echo "# step $step: exit $rc"; }
	killed=$((killed + 1))
	after=$(s3keys nightly/ | tr '\n' ' ')
	[ "$after" = "$before" ] || { bad=$((bad + 1)); echo "# step $step: visible: $after"; }
	# s3rver keeps started uploads under ._S3rver_uploads (it cannot abort them).
	ls "$S3_DATA/backups/._S3rver_uploads" 2>/dev/null | grep -q . && mid_upload=$((mid_upload + 1))
	[ $step -lt 100 ] || break
done
check "killed at $killed steps ($mid_upload with an upload begun): no partial object ever visible" \
	test $bad = 0 -a $mid_upload -gt 0
check "the next run completes the backup" test $rc = 0
check "and everything listed verifies" s3verify_all nightly/
check "no lock object left after the take-overs" no_locks nightly/
check "no staged file left in the temporary folder" sh -c "! ls \"\${TMPDIR:-/tmp}\"/ferry-stage-* 2>/dev/null | grep -q ."

# --- thirty nights: listing and pruning ------------------------------------------
i=1
bad=0
: >times
while [ $i -le 30 ]; do
	t=$(printf '2026-10-%02dT02:00:00Z' $i)
	echo "$t" >>times
	ferry backup "$E" dir:"$SAMPLES/neutral" --repo s3://backups/thirty --time "$t" \
		--prune --keep-daily 7 --keep-weekly 4 >/dev/null 2>>thirty.err || bad=$((bad + 1))
	i=$((i + 1))
done
check "thirty nightly runs with --prune on S3 succeed" test $bad = 0
python3 "$TESTS/lib/restic_policy.py" --incremental --keep-daily 7 --keep-weekly 4 $(cat times) >want
kept_times thirty/ >got
if cmp -s got want; then ok "thirty nights on S3 leave exactly restic's nine"; else
	notok "thirty nights on S3 leave exactly restic's nine"; diff want got | sed 's/^/#   /'; fi
check "the nine are 11, 18, 24-30 October" test "$(cut -c9-10 got | tr '\n' ' ')" = "30 29 28 27 26 25 24 18 11 "
check "every kept archive verifies" s3verify_all thirty/
ferry forget "$E" --repo s3://backups/thirty --keep-last 3 --dry-run >plan
check "forget --dry-run on S3 plans 6 removals" grep -q "dir-neutral: keep 3, remove 6" plan
check "... and removes none" count_is thirty/ 9
check "forget on S3" ferry forget "$E" --repo s3://backups/thirty --keep-last 3
check "three left" count_is thirty/ 3

# The newest verified archive stays, even when the policy would drop it.
k=thirty/dir-neutral-20261030T020000Z.ferry
s3get "$k" good.ferry
python3 -c "d=bytearray(open('good.ferry','rb').read()); d[len(d)//2]^=1; open('bad.ferry','wb').write(d)"
s3curl -H "x-amz-content-sha256: $(sha256sum bad.ferry | cut -d' ' -f1)" -T bad.ferry "$S3_ENDPOINT/backups/$k" >/dev/null
expect_exit 4 "a damaged archive on S3 is reported" ferry forget "$E" --repo s3://backups/thirty --keep-last 1
check "the newest archive that verifies stays" \
	keys_are thirty/ "thirty/dir-neutral-20261029T020000Z.ferry thirty/dir-neutral-20261030T020000Z.ferry "

# --- locks on S3 -------------------------------------------------------------------
host=$(hostname)
mid=$(cat /etc/machine-id 2>/dev/null || true)
boot=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || true)
put_lock() {	# HOST PID
	printf '{"host":"%s","machine_id":"%s","boot_id":"%s","started":"2026-11-26T01:00:00Z","command":"backup","token":"00","pid":%s,"start_ticks":0}\n' \
		"$1" "$mid" "$boot" "$2" >lock.json
	s3curl -H "x-amz-content-sha256: $(sha256sum lock.json | cut -d' ' -f1)" -T lock.json \
		"$S3_ENDPOINT/backups/nightly/locks/test-lock.json" >/dev/null
}
put_lock "$host" $$
expect_exit 11 "a live holder: locked (11)" ferry backup "$E" dir:"$SAMPLES/neutral" --repo s3://backups/nightly
if one_line_error "is locked by ferry backup on host $host, pid $$"; then ok "the holder is named"; else notok "the holder is named"; sed 's/^/#   /' err; fi
sh -c 'exit 0' &
dead=$!
wait $dead
put_lock "$host" $dead
expect_exit 0 "a dead holder on this host: taken over" \
	ferry backup "$E" dir:"$SAMPLES/neutral" --repo s3://backups/nightly --time 2026-10-05T02:00:00Z
check "reported in one line" one_line_error "took over the lock of ferry backup on host $host, pid $dead"
put_lock elsewhere.example 4242
expect_exit 11 "a holder on another host: locked" ferry backup "$E" dir:"$SAMPLES/neutral" --repo s3://backups/nightly
check "forget --break-lock" ferry forget "$E" --repo s3://backups/nightly --break-lock
check "no lock left" no_locks nightly/

# A run stopped (FERRY_PAUSE_AT, SIGSTOP) at its second durable step holds
# the S3 lock: another run exits 11 whatever the timing; let go, it finishes.
"$BIN/../tests/gen-neutral" big 2000000 >/dev/null
FERRY_PAUSE_AT=2 $FERRY backup "$E" dir:big --repo s3://backups/held --time 2026-12-01T01:00:00Z >h.out 2>h.err &
holder=$!
wait_stopped $holder
has_lock() { ! no_locks "$1"; }					# PREFIX
check "the paused holder has the S3 lock" has_lock held/
expect_exit 11 "a second run while it holds the S3 repository exits 11" \
	ferry backup "$E" dir:big --repo s3://backups/held --time 2026-12-01T02:00:00Z
kill -CONT $holder
wait $holder; eh=$?
check "the holder, let go, finishes" test $eh = 0
check "one archive" count_is held/ 1
check "which verifies" s3verify_all held/
check "and no lock left" no_locks held/

# Two runs at once on a new S3 repository, three times: each ran (0) or
# was locked out (11), and the archives are exactly the runs that said 0.
backup_races 3 s3://backups/race "$E"
check "two runs at once on S3, three times: each ran or exited 11" test $races_bad = 0
races_count() {	# WANT: archives in race1/ .. race3/
	rc_sum=0
	for rc_r in 1 2 3; do rc_sum=$((rc_sum + $(s3keys race$rc_r/ | grep -c '\.ferry$'))); done
	[ $rc_sum = "$1" ]
}
races_each() {	# FUNCTION: holds for race1/ .. race3/
	for rc_r in 1 2 3; do "$1" race$rc_r/ || return 1; done
}
check "one archive per run that ran ($races_ran)" races_count $races_ran
check "all verified" races_each s3verify_all
check "no lock left" races_each no_locks

# --- diff against the previous archive on S3 ----------------------------------------
cp -r "$SAMPLES/neutral" t
sed -i '/"id":"mem-fact-1"/d' t/memory/000001.jsonl
ferry backup "$E" --diff dir:t --name dir-neutral --repo s3://backups/nightly --time 2026-10-06T02:00:00Z >d.txt
check "backup --diff on S3" grep -qx "summary: 1 memory record removed" d.txt

done_testing
