#!/bin/sh
# run.sh - make bench: every tests/bench/bench-*.sh, with the build's bin folder.
# Benchmarks print figures; they do not pass or fail on timing (the tests do
# not time anything). Run them on an otherwise idle machine: the figures are
# ratios against standard tools measured in the same run.
set -u
bin=$(cd "${1:-build/bin}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
status=0
for b in "$here"/bench-*.sh; do
	echo "== $(basename "$b")"
	sh "$b" "$bin" || status=1
done
exit $status
