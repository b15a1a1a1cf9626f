#!/bin/sh
# t-fuzz.sh - replay the committed fuzz corpus (tests/fuzz/corpus/<target>/)
# through every fuzz target's plain replay driver, under whatever build
# runs the tests (ASan + UBSan under `make check`): every crash libFuzzer
# ever found stays fixed. Also: every target has seeds and every seed
# folder has a target.
name=fuzz
. "$(dirname "$0")/../lib.sh"

case "$FERRY_BUILD" in /*) fz=$FERRY_BUILD/tests/fuzz ;; *) fz=$top/$FERRY_BUILD/tests/fuzz ;; esac
for src in "$top"/tests/fuzz/fuzz_*.c; do
	t=${src##*/fuzz_}
	t=${t%.c}
	corpus=$top/tests/fuzz/corpus/$t
	if [ ! -x "$fz/$t" ]; then
		notok "$t: the replay driver was not built"
		continue
	fi
	if [ ! -d "$corpus" ] || [ -z "$(ls "$corpus")" ]; then
		notok "$t: no seeds in tests/fuzz/corpus/$t"
		continue
	fi
	count=$(ls "$corpus" | wc -l)
	if $VG "$fz/$t" "$corpus" >out 2>err && grep -q "^replayed $count inputs" out; then
		ok "$t: $count inputs replayed cleanly"
	else
		notok "$t: replay failed"
		sed 's/^/#   /' err | head -15
	fi
done
for d in "$top"/tests/fuzz/corpus/*/; do
	t=$(basename "$d")
	[ -f "$top/tests/fuzz/fuzz_$t.c" ] || notok "corpus/$t has no target tests/fuzz/fuzz_$t.c"
done
done_testing
