#!/bin/sh
# samples.sh - the adapter mapping cases in samples/<adapter>/<case>/:
#
#   source          ADAPTER:LOCATION, the location relative to the case folder
#   args            extra export arguments (optional)
#   expected.jsonl  the neutral records, one per line, keys sorted (jq -S -c),
#                   lines sorted: compared after export, verify and cat
#   exit, stderr    for a case that must fail: the exit status and the lines
#                   standard error must contain (no expected.jsonl then)
#
# Adding a case needs no code. FERRY_UPDATE=1 rewrites expected.jsonl.
name=samples
. "$(dirname "$0")/lib.sh"

for c in "$SAMPLES"/*/*/; do
	c=${c%/}
	[ -f "$c/source" ] || continue
	label=${c#"$SAMPLES"/}
	src=$(cat "$c/source")
	adapter=${src%%:*}
	loc=${src#*:}
	case "$loc" in /*|"") ;; *) loc=$c/$loc ;; esac
	args=""
	[ -f "$c/args" ] && args=$(cat "$c/args")
	want=0
	[ -f "$c/exit" ] && want=$(cat "$c/exit")
	rm -f out.ferry
	# shellcheck disable=SC2086
	ferry export $args "$adapter:$loc" -o out.ferry >stdout 2>stderr
	got=$?
	if [ "$got" != "$want" ]; then
		notok "$label (exit $got, wanted $want)"
		sed 's/^/#   /' stderr | head -5
		continue
	fi
	if [ "$want" != 0 ]; then
		problem=""
		[ ! -e out.ferry ] || problem="an archive was left at the output path"
		if [ -f "$c/stderr" ]; then
			while IFS= read -r line; do
				grep -qF -- "$line" stderr || problem="$problem; stderr lacks '$line'"
			done < "$c/stderr"
		fi
		if [ -z "$problem" ]; then ok "$label fails as it should"; else notok "$label: $problem"; fi
		continue
	fi
	if ! ferry verify -q out.ferry 2>verify.err; then
		notok "$label: the archive does not verify"
		sed 's/^/#   /' verify.err | head -3
		continue
	fi
	ferry cat out.ferry | jq -S -c . | LC_ALL=C sort > got.jsonl
	if [ "${FERRY_UPDATE:-}" = 1 ]; then
		cp got.jsonl "$c/expected.jsonl"
		ok "$label (expected.jsonl rewritten)"
	elif LC_ALL=C sort "$c/expected.jsonl" | cmp -s - got.jsonl; then
		ok "$label"
	else
		notok "$label: records differ from expected.jsonl"
		LC_ALL=C sort "$c/expected.jsonl" | diff - got.jsonl | head -10 | sed 's/^/#   /'
	fi
done
done_testing
