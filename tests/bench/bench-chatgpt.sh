#!/bin/sh
# bench-chatgpt.sh - `ferry export chatgpt:conversations.json` against what a
# user would reach for on the same file: `jq -c '.[]' > out.jsonl` and a
# Python json.load + JSON Lines script. Generated exports of 100 MB and
# 1 GB (gen-chatgpt.py; cached under $BENCH_DIR), page cache warm, each
# command timed by /usr/bin/time (wall seconds, peak RSS).
#
# Targets (issue 3): on the 1 GB file ferry stays under 64 MiB of RSS and
# runs at least twice as fast as jq and faster than Python. The machine is
# shared: compare the ratios of one run, and use BENCH_RUNS=3 for medians.
#
#   BENCH_SIZES="100M 1G"   the sizes to run
#   BENCH_RUNS=1            runs per command (the median is reported)
#   BENCH_DIR=build/bench   where generated inputs and outputs live
set -u
bin=${1:-build/bin}
here=$(cd "$(dirname "$0")" && pwd)
sizes=${BENCH_SIZES:-100M 1G}
runs=${BENCH_RUNS:-1}
dir=${BENCH_DIR:-build/bench}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench-chatgpt: /usr/bin/time is needed (apt-get install time)"; exit 1; }
command -v jq >/dev/null || { echo "bench-chatgpt: jq is needed"; exit 1; }

cat > "$dir/load.py" <<'PY'
import json, sys
with open(sys.argv[1]) as f:
    data = json.load(f)
with open(sys.argv[2], "w") as out:
    for conv in data:
        out.write(json.dumps(conv))
        out.write("\n")
PY

# measure LABEL CMD...: median wall seconds and the peak RSS (KiB) of the runs
measure() {
	label=$1
	shift
	: > "$dir/$label.times"
	i=0
	while [ $i -lt "$runs" ]; do
		rm -f "$dir/out.ferry" "$dir/out.jsonl"
		if ! $TIME -f "%e %M" -o "$dir/$label.one" "$@" > /dev/null 2> "$dir/$label.err"; then
			echo "bench-chatgpt: $label failed:"; sed 's/^/  /' "$dir/$label.err" | head -5
			return 1
		fi
		cat "$dir/$label.one" >> "$dir/$label.times"
		i=$((i + 1))
	done
	sort -n "$dir/$label.times" | awk -v n="$runs" 'NR == int((n + 1) / 2) { s = $1 } { if ($2 > m) m = $2 } END { print s, m }'
}

fail=0
for size in $sizes; do
	in="$dir/conversations-$size.json"
	if [ ! -s "$in" ]; then
		echo "generating $in ..."
		python3 "$here/gen-chatgpt.py" --size "$size" --seed 1 -o "$in.tmp" --stats > "$in.stats" && mv "$in.tmp" "$in" || exit 1
	fi
	bytes=$(wc -c < "$in")
	mb=$(echo "$bytes" | awk '{ printf "%.0f", $1 / 1e6 }')
	cat "$in" > /dev/null	# warm the page cache
	f=$(measure ferry "$bin/ferry" export -q "chatgpt:$in" -o "$dir/out.ferry") || exit 1
	out=$(wc -c < "$dir/out.ferry" 2>/dev/null || echo 0)
	q=$(measure jq sh -c "jq -c '.[]' '$in' > '$dir/out.jsonl'") || exit 1
	p=$(measure python python3 "$dir/load.py" "$in" "$dir/out.jsonl") || exit 1
	rm -f "$dir/out.ferry" "$dir/out.jsonl"
	echo "$f" "$q" "$p" | awk -v mb="$mb" -v size="$size" -v bytes="$bytes" -v out="$out" -v runs="$runs" '{
		fs = $1; fm = $2 / 1024; qs = $3; qm = $4 / 1024; ps = $5; pm = $6 / 1024
		printf "conversations.json of %s (%d bytes), median of %d run(s):\n", size, bytes, runs
		printf "  %-44s %8s %9s %12s\n", "command", "seconds", "MB/s", "peak RSS"
		printf "  %-44s %8.2f %9.1f %8.1f MiB\n", "ferry export chatgpt:... -o x.ferry", fs, mb / fs, fm
		printf "  %-44s %8.2f %9.1f %8.1f MiB\n", "jq -c \".[]\" > out.jsonl", qs, mb / qs, qm
		printf "  %-44s %8.2f %9.1f %8.1f MiB\n", "python3 json.load + JSON Lines", ps, mb / ps, pm
		printf "  ferry is %.1fx jq and %.1fx Python; archive %.1f MB (%.1f%% of the input)\n", qs / fs, ps / fs, out / 1e6, 100 * out / bytes
	}'
	set -- $f $q $p
	verdict=$(awk -v fs="$1" -v fm="$2" -v qs="$3" -v ps="$5" 'BEGIN {
		ok = 1; msg = ""
		if (fm / 1024 >= 64) { ok = 0; msg = msg " RSS>=64MiB" }
		if (qs / fs < 2) { ok = 0; msg = msg " not-2x-jq" }
		if (ps / fs <= 1) { ok = 0; msg = msg " not-faster-than-python" }
		print (ok ? "met" : "MISSED:" msg)
	}')
	echo "  targets (RSS < 64 MiB, >= 2x jq, faster than Python): $verdict"
	case "$verdict" in met) ;; *) fail=1 ;; esac
done
exit $fail
