#!/bin/sh
# bench-archive.sh - write and re-read an archive of generated neutral
# records (1 GiB of JSON by default; FERRY_BENCH_BYTES to change), every
# record validated on the way in and out, next to tar --zstd and zstd -3 on
# the same bytes. Figures: MB/s of JSON and peak RSS.
#
# Targets (issue 2): ferry's write at least half of tar --zstd -cf's
# throughput, and peak RSS under 64 MiB.
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
rm -f out.ferry out.tar.zst tree.tar.zst

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
w=$($measure "$bin/ferry" export dir:tree -o out.ferry)
row "ferry export (validated write)" "$w"
t=$($measure tar --zstd -cf out.tar.zst -C tree .)
row "tar --zstd -cf" "$t"
z=$($measure zstd -3 -q -f tree.tar -o tree.tar.zst)
row "zstd -3 (one thread)" "$z"
r=$($measure "$bin/ferry" verify -q out.ferry)
row "ferry verify (validated read)" "$r"
row "tar --zstd -xOf (read)" "$($measure tar --zstd -xOf out.tar.zst)"
row "zstd -dc" "$($measure zstd -dc tree.tar.zst)"
python3 - "$w" "$t" "$r" <<'PY'
import json, sys
w, t, r = (json.loads(a) for a in sys.argv[1:4])
ratio = t["seconds"] / w["seconds"]
print("ferry write / tar --zstd write: %.2f (target >= 0.50: %s)" % (ratio, "met" if ratio >= 0.5 else "NOT met"))
for name, m in (("write", w), ("read", r)):
    mib = m["rss_kb"] / 1024
    print("ferry %s peak RSS: %.1f MiB (target < 64 MiB: %s)" % (name, mib, "met" if mib < 64 else "NOT met"))
PY
ls -l out.ferry out.tar.zst | awk '{print $5, $9}'
