#!/bin/sh
# t-http.sh - the HTTP engine (adapters/http.c) against a server that
# misbehaves on purpose (tests/lib/faultsrv.py): what is retried and what
# is not, Retry-After in its three forms, resets, truncated bodies,
# stalls, size caps, rate limits, loopback-only plain http, redaction.
name=http
. "$(dirname "$0")/../lib.sh"

probe="$VG $BIN/../tests/http-probe"
serve "$TESTS/lib/faultsrv.py"

# attempts PATH: how many times the server saw PATH.
attempts() { curl -s "$base/__log" | jq --arg p "$1" '[.[] | select(.path == $p)] | length'; }
# gap PATH: seconds between the first two requests to PATH.
gap() { curl -s "$base/__log" | jq --arg p "$1" '[.[] | select(.path == $p) | .t] | .[1] - .[0]'; }

$probe "$base" /ok /flaky/2/503 /reset/1 /truncate/1 > out 2>err
check "good, 503 twice, a reset and a truncated body all end in 200" \
	sh -c '[ "$(grep -c " 200 " out)" = 4 ]'
check "503 twice then 200: three attempts" test "$(attempts /flaky/2/503)" = 3
check "a truncated body is retried (curl error 18), not parsed" sh -c 'grep -q "^/truncate/1 200 2 11$" out'

for code in 400 401 403 404 422; do
	$probe "$base" /status/$code > out 2>err
	check "$code is not retried" test "$(attempts /status/$code)" = 1
	check "$code is reported as the final status" grep -q "^/status/$code $code 1 " out
done
check "401 maps to an auth error, 404 to a data error" sh -c \
	"$probe $base /status/401 /status/404 | grep -q 'HTTP 401.*\[auth\]' && $probe $base /status/404 | grep -q '\[data\]'"

$probe "$base" "/flaky/1/429?ra=1" > out 2>err
check "429 with Retry-After: 1 waits a second" jq -n -e "$(gap /flaky/1/429) >= 0.95"
$probe "$base" "/flaky/1/503?ra_ms=300" > out 2>err
check "retry-after-ms: 300 waits 300 ms" jq -n -e "$(gap /flaky/1/503) >= 0.28"
$probe "$base" "/flaky/1/529?ra_date=1" > out 2>err
check "Retry-After as an HTTP date is honoured" jq -n -e "$(gap /flaky/1/529) >= 0.9"
check "and the retry then succeeds" grep -q " 200 2 " out

$probe --retries 2 "$base" /status/503 > out 2>err
check "retries are bounded (2 retries: 3 attempts)" test "$(attempts /status/503)" = 3
check "the last status is reported as a network error" grep -q "HTTP 503.*\[network\]" out
$probe --stall 1 "$base" "/stall/1?secs=5" > out 2>err
check "a stalled response is abandoned and retried" sh -c 'grep -q "200 2" out'
expect_exit 1 "a response past the size limit is refused" $probe --max 1000 "$base" "/big?bytes=5000"
check "and said so" grep -q "response larger than 1000 bytes" stdout
expect_exit 1 "plain http to a non-loopback host is refused" $probe http://example.invalid /ok
check "https only" grep -q "only https is allowed" stdout

canary=sk-canaryABCDEFGHIJKLMNOP1234
$probe --print-body -v -v --header "Authorization: Bearer $canary" --secret "$canary" "$base" /echo-headers /status/403 > out 2>err
check "the server did get the credential" grep -q "$canary" out
check "traces redact the credential header" grep -q "Authorization: \[redacted\]" err
check "the credential appears nowhere in traces" sh -c "! grep -q '$canary' err"
check "a provider message echoing a key is scrubbed" sh -c "grep -q 'HTTP 403' out && ! grep -q 'sk-canaryABCDEFGHIJKLMNOP ' out"

# Streamed uploads: a head, a file's bytes and a tail, resent whole on a retry.
head_=$(printf 'HEAD-')
tail_=$(printf -- '-TAIL')
head -c 300000 /dev/urandom > up.bin
want=$( (printf '%s' "$head_"; cat up.bin; printf '%s' "$tail_") | sha256sum | cut -d' ' -f1)
$probe --print-body --upload up.bin --head "$head_" --tail "$tail_" "$base" /echo-body /echo-body/1 > out 2>err
check "an upload streams head, file and tail" grep -q "\"len\": 300010, \"sha256\": \"$want\"" out
check "and a reset upload is resent whole from the file" sh -c "[ \$(grep -c '$want' out) = 2 ] && grep -q '^/echo-body/1 200 2 ' out"

# A reused connection reset before any answer: libcurl sends the request
# again itself and must be able to rewind the upload; a request that must
# not be repeated is left to its caller instead.
$probe --concurrency 1 --upload up.bin --head "$head_" --tail "$tail_" "$base" /echo-body /reset/1 > out 2>err
check "an upload reset on a reused connection is sent again whole" grep -q "^/reset/1 200 " out
$probe --concurrency 1 --no-retry --upload up.bin --head "$head_" --tail "$tail_" "$base" /echo-body /reset/2 > out 2>err
check "a no-retry upload is not repeated behind its caller's back" sh -c \
	"grep -q 'error: .*/reset/2' out && [ \$(curl -s $base/__log | jq '[.[] | select(.path == \"/reset/2\")] | length') = 1 ]"

paths=""
k=0
while [ $k -lt 15 ]; do paths="$paths /rate/$k"; k=$((k + 1)); done
# shellcheck disable=SC2086
$probe --rate 10 --concurrency 4 "$base" $paths > out 2>err
# The server stamps requests when it handles them, which jitters on a busy
# machine: allow one request of slack per window, and check the spacing
# over the whole run too (15 requests at 10/s take at least 1.4 s).
check "rate 10/s: at most 10 (+1 jitter) requests in any second" sh -c "curl -s $base/__log | jq -e '[.[] | select(.path | startswith(\"/rate/\")) | .t] | sort as \$t | [range(0; \$t|length) as \$i | [\$t[] | select(. >= \$t[\$i] and . < \$t[\$i] + 1)] | length] | max <= 11' >/dev/null"
check "rate 10/s: 15 requests take at least 1.3 s" sh -c "curl -s $base/__log | jq -e '[.[] | select(.path | startswith(\"/rate/\")) | .t] | (max - min) >= 1.3' >/dev/null"
$probe --concurrency 1 "$base" /quota /ok > out 2>err
check "x-ratelimit-remaining 0 makes the next request wait for the reset" sh -c \
	"curl -s $base/__log | jq -e '[.[] | select(.path == \"/quota\" or .path == \"/ok\")] | .[-1].t - .[-2].t >= 0.9' >/dev/null"

done_testing
