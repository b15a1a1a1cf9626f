#!/bin/sh
# run.sh - run every test: the unit tests, the shell tests in tests/cli/,
# the data-driven cases in tests/cases/ and samples/, and the tests against
# ../shared/corpus (skipped when it is absent). Prints TAP lines and a
# summary; exits non-zero when anything failed.
#
#   FERRY_BUILD=build/asan sh tests/run.sh [SCRIPT...]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
: "${FERRY_BUILD:=build}"
export FERRY_BUILD
if [ "${FERRY_VALGRIND:-}" = 1 ]; then
	unit="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite $FERRY_BUILD/tests/unit"
else
	unit="$FERRY_BUILD/tests/unit"
fi
# Sanitizer reports fail the run; leaks count.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=86"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

scripts="$*"
[ -n "$scripts" ] || scripts="unit tests/cases.sh tests/samples.sh $(ls tests/cli/t-*.sh | sort)"
bad=""
start=$(date +%s)
for s in $scripts; do
	t0=$(date +%s)
	if [ "$s" = unit ]; then
		$unit || bad="$bad unit"
	else
		sh "$s" || bad="$bad $s"
	fi
	echo "# $s: $(( $(date +%s) - t0 ))s"
done
echo "# all tests: $(( $(date +%s) - start ))s"
if [ -n "$bad" ]; then
	echo "# FAILED:$bad"
	exit 1
fi
echo "# PASSED"
