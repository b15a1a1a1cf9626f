#!/bin/sh
# bench-http.sh - the HTTP engine's concurrency and rate limit, measured on
# a real export: the openai adapter against the provider simulator adding
# 50 ms to every request. An export 8 requests wide must take at most a
# sixth of the time of the same export one request at a time, and no run
# may start more requests in any one second than its configured limit.
#
#   sh tests/bench/bench-http.sh BIN
bin=${1:-build/bin}
tests=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-bench.XXXXXX")
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
cd "$work" || exit 1

KEY=sk-bench-000000000000000000000000000001
echo "{\"A\": {\"keys\": [\"$KEY\"]}}" > accounts.json
python3 "$tests/lib/provgen.py" fx.json --convs 72 --items 60 --files 0 --stores 0 --responses 0 \
	--chatkit 0 > /dev/null
python3 "$tests/lib/provsim.py" port --accounts accounts.json --fixture fx.json --latency-ms 50 &
pid=$!
i=0
while [ ! -s port ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
sim=http://127.0.0.1:$(cat port)
jq -r '.accounts.A.conversations[].id' fx.json > ids.txt
export OPENAI_BASE_URL=$sim/v1 OPENAI_API_KEY=$KEY

# run WIDTH RATE: seconds, and the most requests started in any one second.
run() {
	curl -s -X POST "$sim/__sim/reset-log" > /dev/null
	rm -f out.ferry
	t0=$(date +%s%N)
	"$bin/ferry" export openai: --ids-from ids.txt --only thread,message --option chatkit=0 --option page-size=20 \
		--option concurrency="$1" --option rate="$2" -o out.ferry || exit 1
	t1=$(date +%s%N)
	secs=$(echo "$t0 $t1" | awk '{ printf "%.2f", ($2 - $1) / 1e9 }')
	peak=$(curl -s "$sim/__sim/log" | python3 -c '
import json, sys
t = sorted(e["t0"] for e in json.load(sys.stdin))
j, best = 0, 0
for i in range(len(t)):
    while t[i] - t[j] >= 1.0:
        j += 1
    best = max(best, i - j + 1)
print(best, len(t))')
}

run 1 0
one=$secs
set -- $peak
requests=$2
run 8 200
eight=$secs
set -- $peak
peak8=$1
run 8 50
limited=$secs
set -- $peak
peak50=$1
ratio=$(echo "$eight $one" | awk '{ printf "%.3f", $1 / $2 }')
echo "bench-http: openai export of 72 conversations, $requests requests, 50 ms a request"
printf "  %-34s %6s s\n" "1 request at a time" "$one"
printf "  %-34s %6s s   %s of the 1-way time (must be <= 0.167)\n" "8 at a time, limit 200/s" "$eight" "$ratio"
printf "  %-34s %6s   most requests started in one second (limit 200)\n" "" "$peak8"
printf "  %-34s %6s s\n" "8 at a time, limit 50/s" "$limited"
printf "  %-34s %6s   most requests started in one second (limit 50)\n" "" "$peak50"
fail=0
awk -v r="$ratio" 'BEGIN { exit !(r <= 1 / 6) }' || { echo "  FAIL: 8-way is not 6 times faster"; fail=1; }
[ "$peak8" -le 200 ] || { echo "  FAIL: more than 200 requests in a second"; fail=1; }
[ "$peak50" -le 50 ] || { echo "  FAIL: more than 50 requests in a second"; fail=1; }
exit $fail
