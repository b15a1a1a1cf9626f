#!/bin/sh
# t-crash.sh - crash safety (issue 8): what a SIGKILL, a full disk or a
# leftover from a dead run leaves behind.
#
#  1. FERRY_FAIL_AT=N kills the process at its N-th durable step (member
#     written, fsync, rename; formats/durable.c). For every N: export over
#     an existing archive, export to a new name, import into a new folder,
#     into an existing empty folder and from standard input. After each
#     kill the final name holds the previous state, byte for byte (or
#     nothing), never a partial one; the next run removes the dead run's
#     temporary files and completes with the same bytes as an uninterrupted
#     run.
#     The import journal, driven by tests/journal_drive.c, likewise.
#  2. tests/crash/kill.py kills `ferry export`, `ferry import` and the
#     journal driver (and, under `make crash`, `ferry backup` and `ferry
#     import` into the AgentCore simulator) with
#     SIGKILL at random moments, FERRY_KILL_RUNS times each, with the same
#     checks: by default 6 runs on a small source, to keep `make check`
#     fast; `make crash` runs 250 each on a source of 12,000 messages.
#  3. Temporaries of dead runs are removed, those of live runs kept.
#  4. A full disk (a small tmpfs; skipped where mount is not allowed):
#     exit 6, "disk full", nothing left behind.
name=crash
. "$(dirname "$0")/../lib.sh"

in_memory

# A killed process cannot be checked by valgrind, and these loops run
# ferry ~200 times: under `make valgrind` they run the plain binaries.
if [ "${FERRY_VALGRIND:-}" = 1 ]; then
	FERRY=$BIN/ferry
	echo "# valgrind: the kill loops run without it (a killed process cannot be checked)"
fi

export_src=$SAMPLES/neutral
ferry export -q dir:"$export_src" -o ref.ferry || notok "reference export"
ferry export -q --only agent,tool dir:"$export_src" -o old.ferry || notok "old export"
ferry import -q ref.ferry dir:ref-tree || notok "reference import"
cmp -s ref.ferry old.ferry && notok "the old and new archives differ"

# leftovers NAME: the temporaries beside NAME in the current folder.
leftovers() {
	ls -A | grep -c "^\.$1\.tmp-" || true
}

# --- 1. every durable step -------------------------------------------------

# fail_every LABEL SETUP RUN CHECK: for N = 1, 2, ... run SETUP, then RUN
# under FERRY_FAIL_AT=N until a run completes; after each killed run CHECK
# must pass, then RUN again without the hook must complete and RECHECK.
steps_export=0
n_fail=1
bad=""
while :; do
	cp old.ferry out.ferry
	FERRY_FAIL_AT=$n_fail $FERRY export -q dir:"$export_src" -o out.ferry 2>/dev/null
	rc=$?
	if [ $rc = 0 ]; then
		cmp -s out.ferry ref.ferry || bad="$bad; completed run at N=$n_fail differs"
		break
	fi
	[ $rc = 137 ] || bad="$bad; N=$n_fail exit $rc, not killed"
	cmp -s out.ferry old.ferry || bad="$bad; N=$n_fail: out.ferry is not the previous archive"
	[ "$(leftovers out.ferry)" -le 1 ] || bad="$bad; N=$n_fail: more than one temporary"
	ferry export -q dir:"$export_src" -o out.ferry 2>err || bad="$bad; N=$n_fail: the next run failed: $(cat err)"
	cmp -s out.ferry ref.ferry || bad="$bad; N=$n_fail: the next run's archive differs"
	[ "$(leftovers out.ferry)" = 0 ] || bad="$bad; N=$n_fail: the next run left a temporary"
	n_fail=$((n_fail + 1))
	[ $n_fail -lt 500 ] || { bad="$bad; never completed"; break; }
done
steps_export=$((n_fail - 1))
members=$(tar --zstd -tf ref.ferry | wc -l)
[ "$steps_export" -ge "$members" ] || bad="$bad; only $steps_export durable steps for $members members"
if [ -z "$bad" ]; then ok "export over an existing archive, killed at each of its $steps_export durable steps: previous archive intact, next run completes"
else notok "export killed at every step$bad"; fi

n_fail=1
bad=""
while :; do
	rm -f new.ferry
	FERRY_FAIL_AT=$n_fail $FERRY export -q dir:"$export_src" -o new.ferry 2>/dev/null
	rc=$?
	[ $rc = 0 ] && break
	[ ! -e new.ferry ] || bad="$bad; N=$n_fail: new.ferry exists after the kill"
	n_fail=$((n_fail + 1))
	[ $n_fail -lt 500 ] || { bad="$bad; never completed"; break; }
done
rm -f .new.ferry.tmp-*
if [ -z "$bad" ]; then ok "export to a new name, killed at each of $((n_fail - 1)) steps: no file under the name"
else notok "export to a new name$bad"; fi

# Import into a folder: new, existing and empty, and from standard input.
for mode in new empty stdin; do
	n_fail=1
	bad=""
	while :; do
		rm -rf out .out.tmp-*
		[ $mode = empty ] && mkdir out
		if [ $mode = stdin ]; then
			FERRY_FAIL_AT=$n_fail $FERRY import -q - dir:out < ref.ferry 2>/dev/null
		else
			FERRY_FAIL_AT=$n_fail $FERRY import -q ref.ferry dir:out 2>/dev/null
		fi
		rc=$?
		if [ $rc = 0 ]; then
			diff -r out ref-tree >/dev/null || bad="$bad; completed run at N=$n_fail differs"
			break
		fi
		[ $rc = 137 ] || bad="$bad; N=$n_fail exit $rc, not killed"
		if [ $mode = empty ]; then
			[ -d out ] && [ -z "$(ls -A out)" ] || bad="$bad; N=$n_fail: out is not the empty folder it was"
		else
			[ ! -e out ] || bad="$bad; N=$n_fail: out exists after the kill"
		fi
		ferry import -q ref.ferry dir:out 2>err || bad="$bad; N=$n_fail: the next run failed: $(cat err)"
		diff -r out ref-tree >/dev/null || bad="$bad; N=$n_fail: the next run's tree differs"
		[ "$(leftovers out)" = 0 ] || bad="$bad; N=$n_fail: the next run left a temporary"
		n_fail=$((n_fail + 1))
		[ $n_fail -lt 500 ] || { bad="$bad; never completed"; break; }
	done
	case $mode in
	new) label="a new folder" ;;
	empty) label="an existing empty folder" ;;
	stdin) label="a new folder from standard input" ;;
	esac
	if [ -z "$bad" ]; then ok "import into $label, killed at each of its $((n_fail - 1)) durable steps: nothing under the name, next run completes"
	else notok "import ($mode) killed at every step$bad"; fi
done
rm -rf out

# The import journal (adapters/journal.c), driven as journal.h tells a live
# adapter to use it (tests/journal_drive.c: planned, create at a fake
# provider, created), killed at every step: a rerun completes and the
# provider holds every object exactly once.
case "$FERRY_BUILD" in /*) drive=$FERRY_BUILD/tests/journal-drive ;; *) drive=$top/$FERRY_BUILD/tests/journal-drive ;; esac
n_fail=1
bad=""
recovered=0
while :; do
	rm -f journal provider
	FERRY_FAIL_AT=$n_fail "$drive" journal provider 8 > drive.out 2>&1
	rc=$?
	[ $rc = 0 ] && break
	[ $rc = 137 ] || bad="$bad; N=$n_fail exit $rc, not killed"
	"$drive" journal provider 8 > drive.out 2>&1 || bad="$bad; N=$n_fail: the rerun failed: $(cat drive.out)"
	grep -q "recovered 1" drive.out && recovered=$((recovered + 1))
	[ "$(wc -l < provider)" = 8 ] && [ "$(cut -d' ' -f1 provider | sort -u | wc -l)" = 8 ] ||
		bad="$bad; N=$n_fail: the provider holds $(wc -l < provider) objects, not 8 distinct"
	n_fail=$((n_fail + 1))
	[ $n_fail -lt 100 ] || { bad="$bad; never completed"; break; }
done
if [ -z "$bad" ] && [ $recovered -gt 0 ]; then
	ok "journal killed at each of its $((n_fail - 1)) durable steps: the rerun completes, no duplicate at the provider ($recovered planned-only objects found there, not created again)"
else
	notok "journal killed at every step$bad (recovered $recovered)"
fi

# --- 2. SIGKILL at random moments ---------------------------------------------

runs=${FERRY_KILL_RUNS:-6}
[ -n "${FERRY_KILL_RUNS:-}" ] || FERRY_KILL_THREADS=${FERRY_KILL_THREADS:-300}
export FERRY_KILL_THREADS
# ferry backup and ferry import into a live target are killed at random in
# make check by t-backup-kill.sh and t-agentcore-resume.sh; `make crash`
# adds them here at full count.
kinds="export import journal"
[ -n "${FERRY_KILL_RUNS:-}" ] && kinds="$kinds backup live"
for what in $kinds; do
	# shellcheck disable=SC2086
	if python3 "$TESTS/crash/kill.py" "$BIN" "$what" "$runs" > kill.out 2> kill.err; then
		ok "$(tail -1 kill.out)"
	else
		notok "random kills of $what: $(tail -1 kill.out)"
		sed 's/^/#   /' kill.out kill.err | head -10
	fi
done

# --- 3. temporaries of dead and live runs ---------------------------------------

dead=$(sh -c 'echo $$')
live=$$
cp old.ferry keep.ferry
: > ".keep.ferry.tmp-$dead-0badc0de"
mkdir ".keep.ferry.tmp-$dead-dir0001"
: > ".keep.ferry.tmp-$live-0badc0de"
: > ".other.ferry.tmp-$dead-0badc0de"
ferry export -q dir:"$export_src" -o keep.ferry
check "a dead run's temporary file is removed" test ! -e ".keep.ferry.tmp-$dead-0badc0de"
check "a dead run's temporary folder is removed" test ! -e ".keep.ferry.tmp-$dead-dir0001"
check "a live run's temporary is kept" test -e ".keep.ferry.tmp-$live-0badc0de"
check "another file's temporary is kept" test -e ".other.ferry.tmp-$dead-0badc0de"
mkdir ".tree.tmp-$dead-0badc0de"
: > ".tree.tmp-$dead-0badc0de/ferry.json"
ferry import -q ref.ferry dir:tree
check "import removes a dead run's temporary folder" test ! -e ".tree.tmp-$dead-0badc0de"
check "and completes" diff -r tree ref-tree
rm -f .keep.ferry.tmp-* .other.ferry.tmp-*

# --- 4. a full disk ------------------------------------------------------------------

# A source bigger than the disk: the sample and 200 kB that do not compress.
cp -r "$export_src" big
mkdir -p big/raw/dir
head -c 200000 /dev/urandom > big/raw/dir/noise.bin
ferry export -q dir:big -o big.ferry || notok "export the big source"
export_src=$work/big
mkdir small
if mount -t tmpfs -o size=64k tmpfs small 2>/dev/null; then
	trap 'umount "$work/small" 2>/dev/null; cd /; rm -rf "$work"' EXIT
	expect_exit 6 "export to a full disk fails with exit 6" ferry export dir:"$export_src" -o small/a.ferry
	check "and says 'disk full' in one line" one_line_error "disk full"
	check "and leaves nothing" test -z "$(ls -A small)"
	expect_exit 6 "import into a full disk fails with exit 6" ferry import big.ferry dir:small/out
	check "and says 'disk full' in one line" one_line_error "disk full"
	check "and leaves nothing" test -z "$(ls -A small)"
	# A previous archive, and the disk filled up to the last few kB: an
	# export over it fails and leaves it as it was.
	cp old.ferry small/a.ferry
	dd if=/dev/zero of=small/filler bs=1024 count=64 2>/dev/null
	expect_exit 6 "an export over an archive on a full disk fails with exit 6" \
		ferry export dir:"$SAMPLES/neutral" -o small/a.ferry
	check "and says 'disk full' in one line" one_line_error "disk full"
	check "and leaves the previous archive as it was" cmp small/a.ferry old.ferry
	check "and no temporary" test "$(ls -A small | sort | tr '\n' ' ')" = "a.ferry filler "
	umount small
else
	skip "disk full: cannot mount a tmpfs here"
fi

done_testing
