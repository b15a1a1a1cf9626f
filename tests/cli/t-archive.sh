#!/bin/sh
# t-archive.sh - what the foundation issue must show, end to end through
# the tools: standard tools open the archive, output is deterministic,
# dir round trips keep the records, verify refuses damage and hostile
# input with one-line errors and non-zero exits.
name=archive
. "$(dirname "$0")/../lib.sh"

# Standard tools read it.
ferry export dir:"$SAMPLES/neutral" -o a.ferry
check "tar --zstd lists the members" sh -c 'tar --zstd -tf a.ferry | grep -qx ferry.json'
mkdir x
check "sha256sum -c SHA256SUMS passes after tar -x" \
	sh -c 'cd x && tar --zstd -xf ../a.ferry && sha256sum --quiet -c SHA256SUMS'
check "jq reads every JSON member" \
	sh -c 'cd x && find . -name "*.json" -o -name "*.jsonl" | while read f; do jq -e . "$f" >/dev/null || exit 1; done'
check "header is the first member, SHA256SUMS the last" \
	sh -c '[ "$(tar --zstd -tf a.ferry | head -1)" = ferry.json ] && [ "$(tar --zstd -tf a.ferry | tail -1)" = SHA256SUMS ]'
check "zstd -t accepts the stream (digest frame included)" zstd -q -t a.ferry

# Deterministic.
ferry export dir:"$SAMPLES/neutral" -o b.ferry
check "two exports are byte-identical" cmp a.ferry b.ferry
ferry export --threads 1 dir:"$SAMPLES/neutral" -o c.ferry
check "the compression thread count does not change the bytes" cmp a.ferry c.ferry

# dir round trip.
check "import into a new dir" ferry import a.ferry dir:out
check "re-export the dir" ferry export dir:out -o d.ferry
ferry cat a.ferry | LC_ALL=C sort > a.records
ferry cat d.ferry | LC_ALL=C sort > d.records
check "the same records after a dir round trip" cmp a.records d.records
check "and the same bytes" cmp a.ferry d.ferry
check "the imported dir passes sha256sum -c" sh -c 'cd out && sha256sum --quiet -c SHA256SUMS'
check "messages carry thread, parent, role and parts" \
	sh -c '$FERRY cat a.ferry message | jq -e "select(has(\"thread\") and has(\"parent\") and has(\"role\") and has(\"parts\") | not)" | grep -q . && exit 1 || exit 0'
check "cat prints kind and id on every line" \
	sh -c '[ "$($FERRY cat a.ferry | jq -c "select(.kind and .id)" | wc -l)" = "$($FERRY cat a.ferry | wc -l)" ]'

# Standard input and output.
check "export to stdout, verify from stdin" sh -c '$FERRY export dir:"$SAMPLES/neutral" -o - | $FERRY verify -q -'
check "stdout export is the same archive" sh -c '$FERRY export dir:"$SAMPLES/neutral" -o - | cmp - a.ferry'
if [ -w /dev/full ]; then
	ferry cat a.ferry > /dev/full 2>err
	got=$?
	if [ $got = 6 ] && grep -q "write error" err; then ok "cat > /dev/full exits 6"; else notok "cat > /dev/full exits 6 (got $got)"; fi
fi

# Damage: flipped bytes (the unit tests flip 1,000 positions in-process).
size=$(wc -c < a.ferry)
caught=0
tries=0
pos=7
while [ $tries -lt 40 ]; do
	pos=$(( (pos * 7919 + 104729) % size ))
	python3 -c "import sys; d=bytearray(open('a.ferry','rb').read()); d[$pos]^=0x10; open('f.ferry','wb').write(d)"
	ferry verify -q f.ferry 2>err
	rc=$?
	tries=$((tries + 1))
	if [ $rc -ne 0 ] && [ "$(wc -l < err)" -eq 1 ]; then caught=$((caught + 1)); fi
done
if [ $caught = $tries ]; then ok "$tries flipped bytes all refused with a one-line error"; else notok "only $caught of $tries flipped bytes refused"; fi

# Truncation at every 512-byte boundary.
cut=0
bad=0
while [ $cut -lt "$size" ]; do
	head -c $cut a.ferry > t.ferry
	if ferry verify -q t.ferry 2>/dev/null; then bad=$((bad + 1)); fi
	cut=$((cut + 512))
done
if [ $bad = 0 ]; then ok "every 512-byte truncation refused"; else notok "$bad truncations accepted"; fi

# References that do not resolve (archives built without ferry's writer).
cp -r "$SAMPLES/neutral" tree
python3 "$TESTS/lib/mkarchive.py" good.ferry tree
check "an archive from the independent writer verifies" ferry verify -q good.ferry
sed -i 's/"thread":"t-order-1421","parent":"m1","role":"user","author":{"id":"cust-77","name":"Dana Whitfield"},"parts":\[{"type":"text","text":"Hi!/"thread":"t-nowhere","parent":"m1","role":"user","author":{"id":"cust-77","name":"Dana Whitfield"},"parts":[{"type":"text","text":"Hi!/' tree/threads/000001.jsonl
python3 "$TESTS/lib/mkarchive.py" nothread.ferry tree
expect_exit 3 "a message whose thread is missing is refused" ferry verify nothread.ferry
check "the error names the member, line and thread" one_line_error "threads/000001.jsonl line 3: message 'm2': thread 't-nowhere'"
rm -rf tree && cp -r "$SAMPLES/neutral" tree
sed -i 's/"parent":"m2b"/"parent":"m-gone"/' tree/threads/000001.jsonl
python3 "$TESTS/lib/mkarchive.py" noparent.ferry tree
expect_exit 3 "a message whose parent is missing is refused" ferry verify noparent.ferry
check "the error names the parent" one_line_error "parent 'm-gone' is not an earlier message"
rm -rf tree && cp -r "$SAMPLES/neutral" tree
rm tree/blobs/826d5b3f460d69e6c330b9500fa40d9e383536d1d0c0cb167c329cf2cad8d2b0
python3 "$TESTS/lib/mkarchive.py" noblob.ferry tree
expect_exit 3 "a record whose blob is missing is refused" ferry verify noblob.ferry
check "the error names the blob" one_line_error "blob 826d5b3f460d69e6c330b9500fa40d9e383536d1d0c0cb167c329cf2cad8d2b0"
rm -rf tree && cp -r "$SAMPLES/neutral" tree
python3 "$TESTS/lib/mkarchive.py" v2.ferry tree --version 2.0
expect_exit 9 "an unknown major version is refused" ferry verify v2.ferry
check "the error names the version" one_line_error "version 2.0 is not supported"
python3 "$TESTS/lib/mkarchive.py" nodigest.ferry tree --no-digest
expect_exit 4 "an archive without its end digest is refused" ferry verify nodigest.ferry

# Hostile input writes nothing outside the named place.
mkdir canary
python3 - <<'PY'
import io, tarfile, subprocess, struct, hashlib
def archive(path, entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        head = b'{"format":"ferry","version":"1.0","producer":"t","created":"2024-01-01T00:00:00Z","source":{"adapter":"dir"}}\n'
        i = tarfile.TarInfo("ferry.json"); i.size = len(head); t.addfile(i, io.BytesIO(head))
        for e in entries:
            t.addfile(e, io.BytesIO(b"{}\n") if e.isfile() else None)
    z = subprocess.run(["zstd", "-q", "-c"], input=buf.getvalue(), capture_output=True).stdout
    z += struct.pack("<II", 0x184D2A5E, 40) + b"FYSHA256" + hashlib.sha256(z).digest()
    open(path, "wb").write(z)
def f(name):
    i = tarfile.TarInfo(name); i.size = 3; return i
def link(name, target, kind):
    i = tarfile.TarInfo(name); i.type = kind; i.linkname = target; return i
def dev(name, kind):
    i = tarfile.TarInfo(name); i.type = kind; return i
archive("dotdot.ferry", [f("../canary/x")])
archive("abs.ferry", [f("/tmp/ferry-canary-abs")])
archive("symlink.ferry", [link("raw/a/l", "/etc/passwd", tarfile.SYMTYPE)])
archive("hardlink.ferry", [link("raw/a/h", "ferry.json", tarfile.LNKTYPE)])
archive("device.ferry", [dev("raw/a/d", tarfile.CHRTYPE)])
archive("dup.ferry", [f("raw/a/x"), f("raw/a/x")])
PY
for h in dotdot abs symlink hardlink device dup; do
	expect_exit 5 "$h archive refused" ferry import $h.ferry dir:out-$h
	check "$h: one-line error" one_line_error "$h.ferry"
	check "$h: nothing written" sh -c "[ ! -e out-$h ] && [ -z \"\$(ls -A canary)\" ] && [ ! -e /tmp/ferry-canary-abs ]"
done

done_testing
