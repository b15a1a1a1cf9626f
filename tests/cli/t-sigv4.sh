#!/bin/sh
# t-sigv4.sh - AWS Signature Version 4 against the published test suite
# (aws-c-auth tests/aws-signing-test-suite/v4, in $CORPUS/aws-sigv4):
#   - adapters/sigv4.c (tests/sigv4-suite): header and query signing,
#     canonical request, string to sign and signature, every case;
#   - the simulator's independent Python verifier (tests/lib/sigv4.py);
#   - libcurl's own signer (curl --aws-sigv4, the libcurl ferry links),
#     observed through the Authorization header it sends to a local
#     server - reported, not required: it is why ferry signs itself.
# The table is printed as TAP comments.
name=sigv4
. "$(dirname "$0")/../lib.sh"

suite=$CORPUS/aws-sigv4
driver="$VG $BIN/../tests/sigv4-suite"
if [ ! -d "$suite" ]; then
	skip "the AWS SigV4 test suite is not in $CORPUS"
	done_testing
fi

$driver "$suite" > c.txt 2>c.err
rc=$?
cases=$(cut -d' ' -f1 c.txt | sort -u | wc -l)
check "the C signer ran all $cases cases" sh -c "[ $rc -eq 0 ] && [ $cases -ge 30 ]"
check "header signing: canonical request, string to sign and signature match in every case" \
	sh -c "[ \$(grep -c ' header canonical=ok sts=ok signature=ok\$' c.txt) -eq $cases ]"
check "query signing (presigned URLs) matches in every case" \
	sh -c "[ \$(grep -c ' query canonical=ok sts=ok signature=ok\$' c.txt) -eq $cases ]"

# The comparison can fail: a case whose expected signature was changed.
mkdir -p broken/get-vanilla
cp "$suite"/get-vanilla/* broken/get-vanilla/
echo 0000000000000000000000000000000000000000000000000000000000000000 > broken/get-vanilla/header-signature.txt
$driver broken > broken.txt 2>&1
check "a wrong expected signature is reported as a failure" \
	sh -c "grep -q 'get-vanilla header canonical=ok sts=ok signature=FAIL' broken.txt && ! $driver broken >/dev/null 2>&1"

python3 "$TESTS/lib/sigv4.py" suite "$suite" > py.txt 2>py.err
check "the simulator's Python verifier reproduces every header signature" \
	sh -c "[ \$(grep -c 'signature=ok\$' py.txt) -eq $cases ] && ! grep -q FAIL py.txt"

if command -v curl >/dev/null 2>&1 && curl --help all 2>/dev/null | grep -q aws-sigv4; then
	python3 "$TESTS/lib/sigv4.py" curl "$suite" > curl.txt 2>curl.err
	lc_ok=$(grep -c ' header .*signature=ok' curl.txt)
	lc_fail=$(grep -c ' header .*signature=FAIL' curl.txt)
	check "libcurl's signer was observed on every case" test "$((lc_ok + lc_fail))" -eq "$cases"
	echo "# libcurl $(curl --version | head -1 | cut -d' ' -f2): $lc_ok of $cases header signatures match; query signing: none (libcurl cannot presign)"
	grep 'signature=FAIL' curl.txt | sed 's/ canonical=.*//; s/^/#   libcurl wrong: /'
else
	skip "curl with --aws-sigv4 is not installed: libcurl's signer not observed"
fi

echo "# ferry (adapters/sigv4.c): $(grep -c 'header canonical=ok sts=ok signature=ok$' c.txt) of $cases header, $(grep -c 'query canonical=ok sts=ok signature=ok$' c.txt) of $cases query"
echo "# simulator verifier (tests/lib/sigv4.py): $(grep -c 'signature=ok$' py.txt) of $cases header"
done_testing
