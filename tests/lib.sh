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
