# lib.sh - shared by the shell tests: paths, a fresh work folder, TAP output.
#
# A test script sets name=..., sources this file, runs checks, and ends
# with done_testing. It runs in a fresh temporary folder ($work), removed
# on exit. $BIN is the build's bin folder, $FERRY the front (use it
# inside sh -c strings, where the function ferry is not defined) (FERRY_BUILD picks the build:
# build/asan under `make check`); ferry runs the front through valgrind
# when FERRY_VALGRIND=1.

top=$(cd "$(dirname "$0")/../.." 2>/dev/null && pwd)
[ -f "$top/Makefile" ] || top=$(cd "$(dirname "$0")/.." && pwd)
: "${FERRY_BUILD:=build}"
case "$FERRY_BUILD" in /*) BIN=$FERRY_BUILD/bin ;; *) BIN=$top/$FERRY_BUILD/bin ;; esac
SAMPLES=$top/samples
TESTS=$top/tests
CORPUS=${FERRY_CORPUS:-$top/../shared/corpus}
export BIN SAMPLES TESTS CORPUS
VG=""
if [ "${FERRY_VALGRIND:-}" = 1 ]; then
	VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --trace-children=yes"
fi

FERRY="$VG $BIN/ferry"
export FERRY
ferry() { $FERRY "$@"; }

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $name: $*"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $name: $*"; }
skip() { n=$((n + 1)); echo "ok $n - $name: $* # skip"; }

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	desc=$1
	shift
	if "$@" >check.out 2>check.err; then ok "$desc"; else
		notok "$desc"
		sed 's/^/#   /' check.err | head -5
	fi
}

# expect_exit CODE DESCRIPTION COMMAND...: the command exits with CODE;
# its output is left in the files stdout and err.
expect_exit() {
	want=$1
	desc=$2
	shift 2
	"$@" >stdout 2>err
	got=$?
	if [ "$got" = "$want" ]; then ok "$desc"; else
		notok "$desc (exit $got, wanted $want)"
		sed 's/^/#   /' err | head -5
	fi
}

# One line of stderr that says what is wrong (contains $1).
one_line_error() {
	[ "$(wc -l < err)" -eq 1 ] && grep -qF -- "$1" err
}

# in_memory: move the work folder to /dev/shm when there is one, for tests
# whose time goes to fsync (what a killed process leaves is the same there).
in_memory() {
	[ -d /dev/shm ] && [ -w /dev/shm ] || return 0
	cd / && rm -rf "$work"
	work=$(mktemp -d /dev/shm/ferry-test.XXXXXX)
	cd "$work" || exit 1
	FERRY_STATE_DIR=$work/state
	TMPDIR=$work
	export FERRY_STATE_DIR TMPDIR
}

# serve SCRIPT: start a test server (python3 SCRIPT PORTFILE, which writes
# the port it listens on), wait for it, and set $base to its URL; it is
# stopped when the test ends.
serve() {
	python3 "$1" "$work/.port" &
	server=$!
	trap 'kill $server 2>/dev/null; cd /; rm -rf "$work"' EXIT
	_i=0
	while [ ! -s "$work/.port" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
	base=http://127.0.0.1:$(cat "$work/.port")
	rm -f "$work/.port"
}

# wait_stopped PID: wait (up to 30 s) until PID is stopped, e.g. by
# FERRY_PAUSE_AT=N at its N-th durable step.
wait_stopped() {
	ws_i=0
	while [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != T ] && [ $ws_i -lt 300 ]; do
		sleep 0.1
		ws_i=$((ws_i + 1))
	done
}

# backup_races ROUNDS REPO [OPTION...]: ROUNDS times, two `ferry backup
# dir:big` (OPTIONs first) at once on a new repository REPO<round>. Each run
# must end 0 (it ran) or 11 (locked out) and at least one must run; sets
# races_bad (rounds that broke this, their errors printed) and races_ran
# (runs that ended 0).
backup_races() {
	races_rounds=$1
	races_repo=$2
	shift 2
	races_bad=0
	races_ran=0
	r=0
	while [ $r -lt "$races_rounds" ]; do
		r=$((r + 1))
		$FERRY backup "$@" dir:big --repo "$races_repo$r" --time "2026-12-0${r}T01:00:00Z" >r1.out 2>r1.err &
		p1=$!
		$FERRY backup "$@" dir:big --repo "$races_repo$r" --time "2026-12-0${r}T02:00:00Z" >r2.out 2>r2.err &
		p2=$!
		wait $p1; e1=$?
		wait $p2; e2=$?
		won=0
		for e in $e1 $e2; do [ $e = 0 ] && won=$((won + 1)); done
		if [ $won -ge 1 ] && { [ $e1 = 0 ] || [ $e1 = 11 ]; } && { [ $e2 = 0 ] || [ $e2 = 11 ]; }; then
			races_ran=$((races_ran + won))
		else
			races_bad=$((races_bad + 1))
			echo "# round $r: exits $e1 and $e2"
			sed 's/^/#   /' r1.err r2.err
		fi
	done
}

done_testing() {
	echo "# $name: $n checks, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-test.XXXXXX")
trap 'cd /; rm -rf "$work"' EXIT
cd "$work" || exit 1
# Imports keep their journal and done-ledger in the state folder: the test's own.
FERRY_STATE_DIR=$work/state
export FERRY_STATE_DIR
