#!/bin/sh
# run.sh - `make bench`: run every tests/bench/bench-*.sh with the build's
# bin folder. Each prints its own table; the exit status is non-zero when
# any of them missed its targets.
#
#   sh tests/bench/run.sh [BIN]        (BIN defaults to build/bin)
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-build/bin}
case "$bin" in /*) ;; *) bin=$(pwd)/$bin ;; esac
bad=""
for b in "$here"/bench-*.sh; do
	[ -f "$b" ] || continue
	echo "== $(basename "$b")"
	sh "$b" "$bin" || bad="$bad $(basename "$b")"
	echo
done
if [ -n "$bad" ]; then
	echo "bench: targets missed in:$bad"
	exit 1
fi
