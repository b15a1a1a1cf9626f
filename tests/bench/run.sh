#!/bin/sh
# run.sh - make bench: run every tests/bench/bench-*.sh with the build's bin
# folder, print what each measures; exit non-zero when one fails its bound.
#
#   sh tests/bench/run.sh build/bin
bin=${1:-build/bin}
case "$bin" in /*) ;; *) bin=$(pwd)/$bin ;; esac
here=$(cd "$(dirname "$0")" && pwd)
bad=""
for b in "$here"/bench-*.sh; do
	[ -f "$b" ] || continue
	sh "$b" "$bin" || bad="$bad ${b##*/}"
done
if [ -n "$bad" ]; then
	echo "bench: FAILED:$bad"
	exit 1
fi
