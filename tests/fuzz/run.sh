#!/bin/sh
# run.sh - run libFuzzer targets one after another (`make fuzz`).
#
#   sh tests/fuzz/run.sh BUILD SECONDS TARGET...
#
# BUILD holds fuzzer/<target> (built by `make fuzz`). Each target runs for
# SECONDS on a working corpus BUILD/corpus/<target> seeded from the
# committed tests/fuzz/corpus/<target> (left untouched), with a per-input
# timeout of 10 s and libFuzzer's leak detection. Anything it finds is
# written to BUILD/artifacts/<target>-crash-*, -leak-*, -timeout-*: turn it
# into a regression seed (copy it to tests/fuzz/corpus/<target>/crash-NAME)
# and fix the bug. Prints one line per target (runs, speed, corpus growth,
# peak memory) and BUILD/summary.txt; exits non-zero if any target failed.
# FUZZ_STRICT=1 also fails an adapter mapping that produces a record its
# schema refuses (tests/fuzz/fuzz.h, fuzz_check_mapped).
set -u
build=$1
secs=$2
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$build/artifacts" "$build/logs"
: > "$build/summary.txt"
bad=""
for t in "$@"; do
	work=$build/corpus/$t
	mkdir -p "$work"
	seeds=$top/tests/fuzz/corpus/$t
	[ -d "$seeds" ] || seeds=""
	case $t in
	names|record) maxlen=1024 ;;
	json|schema|records|secrets) maxlen=16384 ;;
	*) maxlen=65536 ;;
	esac
	dict=""
	[ -f "$top/tests/fuzz/$t.dict" ] && dict="-dict=$top/tests/fuzz/$t.dict"
	[ -z "$dict" ] && [ -f "$top/tests/fuzz/json.dict" ] && case $t in
		json|schema|records|pump|dir|tar) dict="-dict=$top/tests/fuzz/json.dict" ;;
	esac
	log=$build/logs/$t.log
	# shellcheck disable=SC2086
	"$build/fuzzer/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=$maxlen -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" \
		$dict "$work" $seeds > "$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	added=$(sed -n 's/^stat::new_units_added: *//p' "$log")
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	line="$t: ${runs:-?} runs in ${secs}s (${speed:-?}/s), $cov, corpus +${added:-?}, peak ${rss:-?} MB, exit $rc"
	echo "$line" | tee -a "$build/summary.txt"
	if [ $rc -ne 0 ]; then
		bad="$bad $t"
		grep -E "ERROR|SUMMARY|invariant|Test unit written" "$log" | head -8 | sed 's/^/#   /'
	fi
done
if [ -n "$bad" ]; then
	echo "fuzz: FAILED:$bad (see $build/logs/ and $build/artifacts/)"
	exit 1
fi
echo "fuzz: every target ran ${secs}s without a crash, leak or timeout"
