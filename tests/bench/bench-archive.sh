#!/bin/sh
# bench-archive.sh - write and re-read an archive of generated neutral
# records (1 GiB of JSON by default; FERRY_BENCH_BYTES to change), every
# record validated on the way in and out, next to tar --zstd and zstd -3 on
# the same bytes. Figures: MB/s of JSON and peak RSS.
#
# Targets (issue 2): ferry's write at least half of tar --zstd -cf's
# throughput (the median of FERRY_BENCH_RUNS pairs, default 3), and peak
# RSS under 64 MiB.
set -eu
bin=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
bytes=${FERRY_BENCH_BYTES:-1073741824}
work=${FERRY_BENCH_DIR:-$top/build/bench}/archive-$bytes
gen=$bin/../tests/gen-neutral
measure="python3 $top/tests/bench/measure.py"
[ -x "$gen" ] || make -C "$top" "${bin%/bin}/tests/gen-neutral" >/dev/null
mkdir -p "$work"
if [ ! -f "$work/tree.done" ]; then
	rm -rf "$work/tree"
	"$gen" "$work/tree" "$bytes"
	tar -cf "$work/tree.tar" -C "$work/tree" .
	touch "$work/tree.done"
fi
json=$(du -sb "$work/tree" | cut -f1)
cd "$work"
rm -f out.ferry out.tar.zst tree.tar.zst pairs.txt

row() { # label, json from measure.py
	echo "$2" | python3 -c "
import json, sys
m = json.load(sys.stdin)
mbs = $json / 1e6 / m['seconds']
print('%-34s %8.1f MB/s %8.1f MiB peak RSS%s' % ('$1', mbs, m['rss_kb'] / 1024, '' if m['exit'] == 0 else '  (exit %d!)' % m['exit']))
" | tee -a results.txt
}
rm -f results.txt
echo "$(echo "$json" | awk '{printf "%.0f", $1/1e6}') MB of JSON records in $(ls tree/threads | wc -l) thread chunks ($(nproc) CPUs)"
# The write and tar's, in turns: machines shared with others (these have two
# CPUs) vary by 20% from one minute to the next, so the ratio is the median
# of pairs run side by side in time.
runs=${FERRY_BENCH_RUNS:-3}
: > pairs.txt
for i in $(seq "$runs"); do
	w=$($measure "$bin/ferry" export dir:tree -o out.ferry)
	row "ferry export (validated write)" "$w"
	t=$($measure tar --zstd -cf out.tar.zst -C tree .)
	row "tar --zstd -cf" "$t"
	echo "$w $t" >> pairs.txt
done
z=$($measure zstd -3 -q -f tree.tar -o tree.tar.zst)
row "zstd -3 (one thread)" "$z"
r=$($measure "$bin/ferry" verify -q out.ferry)
row "ferry verify (validated read)" "$r"
row "tar --zstd -xOf (read)" "$($measure tar --zstd -xOf out.tar.zst)"
row "zstd -dc" "$($measure zstd -dc tree.tar.zst)"
python3 - "$r" <<'PY'
import json, statistics, sys
r = json.loads(sys.argv[1])
pairs = []
for line in open("pairs.txt"):
    dec = json.JSONDecoder()
    w, end = dec.raw_decode(line)
    t, _ = dec.raw_decode(line[end:].lstrip())
    pairs.append((w, t))
ratios = sorted(t["seconds"] / w["seconds"] for w, t in pairs)
ratio = statistics.median(ratios)
print("ferry write / tar --zstd write: %.2f, median of %d pairs (%s) (target >= 0.50: %s)" % (
    ratio, len(ratios), " ".join("%.2f" % x for x in ratios), "met" if ratio >= 0.5 else "NOT met"))
w = max((w for w, t in pairs), key=lambda m: m["rss_kb"])
for name, m in (("write", w), ("read", r)):
    mib = m["rss_kb"] / 1024
    print("ferry %s peak RSS: %.1f MiB (target < 64 MiB: %s)" % (name, mib, "met" if mib < 64 else "NOT met"))
PY
ls -l out.ferry out.tar.zst | awk '{print $5, $9}'
