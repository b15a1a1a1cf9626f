#!/bin/sh
# t-secrets.sh - canary credentials of every common shape
# (tests/secrets/canaries.txt) planted in what ferry reads must appear 0
# times in what it writes: archives (decompressed, every member, JSON
# decoded), ledgers, the folders an import writes, standard output and
# error at every verbosity, and process argument lists (issue 8).
#
#  - In configuration (MCP headers and env, tool configs, OpenAPI headers,
#    agent instructions and metadata, workflow nodes) a literal credential
#    is refused (exit 3), naming the field and not the value; with --redact
#    it is replaced (MCP headers and env are still refused by the schema,
#    which wants a {"$secret": NAME} reference there).
#  - In conversations and memory it is reported: a ledger line each (no
#    value) and a warning count; --redact replaces it.
name=secrets
. "$(dirname "$0")/../lib.sh"

in_memory

tool=$TESTS/secrets/secrets.py
python3 "$tool" trees src || notok "build the source trees"
kinds=$(python3 "$tool" kinds | wc -l)

# leaks PATH...: 0 canaries in these files, folders or archives.
leaks() {
	python3 "$tool" scan "$@" > scan.out
	if [ "$(head -1 scan.out)" = "0 canaries" ]; then return 0; fi
	sed 's/^/#   /' scan.out | head -5 >&2
	return 1
}

# --- configuration ----------------------------------------------------------
for t in src/*; do
	t=${t#src/}
	[ "$t" = content ] && continue
	for v in -q "" -v -vv; do
		# shellcheck disable=SC2086
		ferry export $v dir:src/$t -o $t.ferry > out.log 2> err.log
		rc=$?
		[ $rc = 3 ] || notok "$t $v: exit $rc, wanted 3"
	done
	expect_exit 3 "$t: a literal credential in configuration is refused" ferry export dir:src/$t -o $t.ferry
	check "$t: the error names the field" grep -q "field '" err
	check "$t: nothing written" test ! -e $t.ferry
	check "$t: no canary in any output, at any verbosity" leaks err out.log err.log
	ferry export -vv --redact dir:src/$t -o $t.ferry > out.log 2> err.log
	rc=$?
	case $t in
	mcp-*)
		if [ $rc = 3 ] && grep -q "expected an object" err.log; then
			ok "$t --redact: still refused by the schema (a reference belongs there)"
		else
			notok "$t --redact: exit $rc"
		fi ;;
	*)
		if [ $rc = 0 ] && $FERRY verify -q $t.ferry; then ok "$t --redact: exported and verifies"
		else notok "$t --redact: exit $rc"; sed 's/^/#   /' err.log; fi
		check "$t --redact: the ledger says what was replaced" \
			sh -c "\$FERRY cat $t.ferry ledger | jq -e 'select(.rule == \"secret-in-text\" and .outcome == \"transformed\")' >/dev/null" ;;
	esac
	check "$t --redact: no canary in the archive or any output" leaks out.log err.log $( [ -e $t.ferry ] && echo $t.ferry)
	rm -f $t.ferry
done

# --- conversations and memory: reported ------------------------------------------
for v in -q "" -v -vv; do
	rm -f c.ferry
	# shellcheck disable=SC2086
	ferry export $v dir:src/content -o c.ferry > out.log 2> err.log
	rc=$?
	[ $rc = 0 ] || notok "content $v: exit $rc"
	check "content ${v:-(default)}: no canary on standard output or error" leaks out.log err.log
	if [ "$v" = -q ]; then
		check "content -q: no warning" test ! -s err.log
	else
		check "content ${v:-(default)}: one warning with the count" grep -q "warning: 32 strings" err.log
	fi
done
check "the report-mode archive verifies" ferry verify -q c.ferry
ferry cat c.ferry ledger > ledger.jsonl
check "a ledger line per string holding a credential (32)" \
	test "$(jq -c 'select(.rule == "secret-in-text" and .outcome == "warning")' ledger.jsonl | wc -l)" = 32
check "the ledger names every kind of credential ($kinds)" \
	test "$(jq -r 'select(.rule == "secret-in-text") | .reason' ledger.jsonl | grep -o 'like [a-z-]*' | sort -u | wc -l)" = "$kinds"
check "credentials hidden behind JSON escapes are found" \
	sh -c "jq -r 'select(.rule == \"secret-in-text\") | .item.id' ledger.jsonl | grep -qx k-esc && jq -r '.item.id' ledger.jsonl | grep -qx k-slash"
mkdir ledger-only
tar --zstd -xf c.ferry -C ledger-only ledger/
check "no canary in the archive's ledger" leaks ledger-only
python3 "$tool" scan c.ferry > scan.out
check "the scan can fail: report mode keeps the text, canaries found" test "$(head -1 scan.out)" != "0 canaries"
check "--json counts them" sh -c '$FERRY export --json dir:src/content -o j.ferry | jq -e ".credentials_in_text == 32 and .redacted == false" >/dev/null'

# --- conversations and memory: redacted ------------------------------------------
for v in -q "" -v -vv; do
	rm -f r.ferry
	# shellcheck disable=SC2086
	ferry export $v --redact dir:src/content -o r.ferry > out.log 2> err.log
	rc=$?
	[ $rc = 0 ] || notok "content --redact $v: exit $rc"
	check "content --redact ${v:-(default)}: no canary in the archive or any output" leaks r.ferry out.log err.log
done
check "the redacted archive verifies" ferry verify -q r.ferry
check "a marker of every kind replaces them" \
	test "$($FERRY cat r.ferry | grep -o '\[REDACTED:[a-z-]*\]' | sort -u | wc -l)" = "$kinds"
check "the ledger says they were replaced (32)" \
	test "$($FERRY cat r.ferry ledger | jq -c 'select(.rule == "secret-in-text" and .outcome == "transformed")' | wc -l)" = 32
check "import of the redacted archive writes no canary" sh -c '$FERRY import -vv r.ferry dir:r-tree > imp.log 2>&1'
check "(its tree and its output)" leaks r-tree imp.log
for tool_verb in "ls" "verify" "cat"; do
	$FERRY $tool_verb r.ferry > out.log 2> err.log
	check "ferry $tool_verb of the redacted archive prints no canary" leaks out.log err.log
done

# --- provider inputs -----------------------------------------------------------
# The same through the provider adapters: conversation text in a ChatGPT
# export is reported and redacted; a credential in a Claude project's
# instructions or a Bedrock flow node's configuration is refused.
python3 "$tool" providers prov || notok "build the provider inputs"
chat=$(cat prov/chatgpt.count)
for v in "" -vv; do
	# shellcheck disable=SC2086
	ferry export $v chatgpt:prov/chatgpt.json -o chat.ferry > out.log 2> err.log
	check "chatgpt ${v:-(default)}: exported, $chat strings reported" grep -q "warning: $chat strings" err.log
	check "chatgpt ${v:-(default)}: no canary on standard output or error" leaks out.log err.log
	rm -f chat.ferry
	# shellcheck disable=SC2086
	ferry export $v --redact chatgpt:prov/chatgpt.json -o chat.ferry > out.log 2> err.log
	check "chatgpt --redact ${v:-(default)}: no canary in the archive or any output" leaks chat.ferry out.log err.log
	rm -f chat.ferry
done
expect_exit 3 "claude: a credential in a project's instructions is refused" ferry export claude:prov/claude -o cl.ferry
check "claude: naming the field, not the value" sh -c 'grep -q "field '"'"'instructions'"'"'" err && python3 "$0" scan err | grep -q "^0 canaries"' "$tool"
ferry export --redact claude:prov/claude -o cl.ferry > out.log 2> err.log
check "claude --redact: no canary in the archive or any output" leaks cl.ferry out.log err.log
expect_exit 3 "bedrock-flow: a credential in a node's configuration is refused" ferry export bedrock-flow:prov/flow.json -o fl.ferry
check "bedrock-flow: no canary in the error" leaks err
ferry export --redact bedrock-flow:prov/flow.json -o fl.ferry > out.log 2> err.log
check "bedrock-flow --redact: no canary in the archive or any output" leaks fl.ferry out.log err.log

# --- HTTP error bodies -----------------------------------------------------------
# A provider's error message echoing a credential (adapters/http.c repeats
# provider messages in its errors): never repeated, at any verbosity.
probe="$VG $BIN/../tests/http-probe"
serve "$TESTS/secrets/leaksrv.py"
count=$(grep -vc '^#' "$TESTS/secrets/canaries.txt")
paths=""
i=0
while [ $i -lt "$count" ]; do
	for f in json message description xml text; do paths="$paths /leak/$i/$f"; done
	i=$((i + 1))
done
for v in "" -v "-v -v"; do
	# shellcheck disable=SC2086
	$probe $v --retries 0 "$base" $paths > http.out 2> http.err
	check "HTTP error bodies with credentials, ${v:-no -v}: every error reported" \
		test "$(grep -c '^check: .*HTTP 40' http.out)" = "$((count * 5))"
	check "HTTP error bodies with credentials, ${v:-no -v}: no canary in errors or traces" leaks http.out http.err
done

# --- process argument lists ---------------------------------------------------------
# Credentials reach ferry through the environment or files, never argv: look
# at every process's command line while an export runs. The export is
# stopped (FERRY_PAUSE_AT, SIGSTOP) at its first durable step, after it has
# read the key, so it is certainly running while /proc is read.
OPENAI_API_KEY=$(sed -n 's/^openai-key\t\([^\t]*\)\t.*/\1/p' "$TESTS/secrets/canaries.txt" | head -1)
export OPENAI_API_KEY
: > argv.log
rm -f argv.ferry
FERRY_PAUSE_AT=1 $FERRY export -q --redact dir:src/content -o argv.ferry &
pid=$!
wait_stopped $pid
for p in /proc/[0-9]*; do { tr '\0' ' ' < "$p/cmdline"; } 2>/dev/null; echo; done >> argv.log
kill -CONT $pid
wait $pid
unset OPENAI_API_KEY
check "no canary in any process's argument list during exports" leaks argv.log
check "(the running exports' argument lists were read)" grep -q "argv.ferry" argv.log

done_testing
