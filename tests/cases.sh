#!/bin/sh
# cases.sh - the data-driven CLI cases in tests/cases/: one folder a case,
# no code needed to add one (zstd's tests/cli-tests shape).
#
#   cmd       one shell command, run in a fresh folder; $BIN, $SAMPLES,
#             $TESTS and $CORPUS are set, and `ferry` runs the build's front
#   exit      the expected exit status (default 0)
#   stdout    the exact expected standard output (optional)
#   stderr    lines that must each appear in standard error (optional)
#
# FERRY_UPDATE=1 rewrites the stdout files from what the commands print.
name=cases
. "$(dirname "$0")/lib.sh"

for c in "$TESTS"/cases/*/; do
	c=${c%/}
	case_name=${c##*/}
	want=0
	[ -f "$c/exit" ] && want=$(cat "$c/exit")
	rm -rf ./* 2>/dev/null
	( . "$c/cmd" ) >stdout 2>stderr </dev/null
	got=$?
	problem=""
	[ "$got" = "$want" ] || problem="exit $got, wanted $want"
	if [ -f "$c/stdout" ]; then
		if [ "${FERRY_UPDATE:-}" = 1 ]; then
			cp stdout "$c/stdout"
		elif ! cmp -s stdout "$c/stdout"; then
			problem="$problem; stdout differs"
			diff "$c/stdout" stdout | head -10 | sed 's/^/#   /'
		fi
	fi
	if [ -f "$c/stderr" ]; then
		while IFS= read -r line; do
			grep -qF -- "$line" stderr || problem="$problem; stderr lacks '$line'"
		done < "$c/stderr"
	fi
	if [ -z "$problem" ]; then
		ok "$case_name"
	else
		notok "$case_name ($problem)"
		sed 's/^/#   stderr: /' stderr | head -5
	fi
done
done_testing
