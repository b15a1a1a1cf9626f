#!/bin/sh
# t-chatgpt.sh - the chatgpt adapter end to end: the export zip (built here
# from samples/chatgpt/export-folder, so no binary zip is checked in) reads
# like its folder, every message of every branch arrives (counted against
# the input), archives verify, malformed input fails with one line and
# leaves nothing, and the public corpus sample maps node for node.
name=chatgpt
. "$(dirname "$0")/../lib.sh"

GEN="python3 $TESTS/bench/gen-chatgpt.py"

zip_dir() { python3 "$TESTS/lib/zipdir.py" "$1" "$2"; }

# The export zip reads exactly like the unpacked folder.
zip_dir "$SAMPLES/chatgpt/export-folder/export" export.zip
check "export the zip" ferry export chatgpt:export.zip -o zip.ferry
check "export the folder" ferry export chatgpt:"$SAMPLES/chatgpt/export-folder/export" -o dir.ferry
ferry cat zip.ferry | LC_ALL=C sort > zip.records
ferry cat dir.ferry | LC_ALL=C sort > dir.records
check "the zip and the folder give the same records" cmp zip.records dir.records
check "the zip's archive verifies" ferry verify -q zip.ferry
check "the four files of the zip are blobs" \
	sh -c '[ "$($FERRY ls --json zip.ferry | jq .blobs.count)" = 4 ]'
check "image parts point at blobs of the archive" \
	sh -c '$FERRY cat zip.ferry message | jq -se "map(select(.id == \"ex-1\"))[0].parts[0].blob | strings" >/dev/null'
check "an unresolvable pointer keeps its URL and gets a ledger line" \
	sh -c '$FERRY cat zip.ferry ledger | grep -q "sediment://file_00000000deadbeef is not in the export"'
check "the header carries the account fingerprint (user.json), not the e-mail" \
	sh -c 'tar --zstd -xOf zip.ferry ferry.json | jq -e ".source.account | startswith(\"sha256:\")" >/dev/null && ! tar --zstd -xOf zip.ferry | grep -q ana@example.org'
ferry export chatgpt:export.zip -o zip2.ferry
check "the same zip gives a byte-identical archive" cmp zip.ferry zip2.ferry

# A cut zip fails with one line naming the zip and leaves no archive.
size=$(wc -c < export.zip)
head -c $((size - 200)) export.zip > cut.zip
expect_exit 3 "a truncated zip is refused" ferry export chatgpt:cut.zip -o cut.ferry
if one_line_error "cut.zip" && [ ! -e cut.ferry ]; then ok "truncated zip: one line, no archive"; else
	notok "truncated zip: one line, no archive"; sed 's/^/#   /' err; fi
# A zip whose conversations.json is cut inside a conversation.
mkdir -p cutjson
cp -r "$SAMPLES/chatgpt/export-folder/export/." cutjson/
python3 -c "import sys; d=open('cutjson/conversations.json').read(); open('cutjson/conversations.json','w').write(d[:len(d)//2])"
zip_dir cutjson cutjson.zip
expect_exit 3 "a zip holding a truncated conversations.json is refused" ferry export chatgpt:cutjson.zip -o cj.ferry
if one_line_error "conversations.json: truncated: the file ends inside conversation 1" && [ ! -e cj.ferry ]; then
	ok "truncated member: one line naming the member and the conversation, no archive"; else
	notok "truncated member: one line naming the member and the conversation, no archive"; sed 's/^/#   /' err; fi

# Every failing sample fails with exactly one line on stderr.
for c in "$SAMPLES"/chatgpt/bad-*/; do
	src=$(cat "$c/source")
	ferry export "chatgpt:$c${src#chatgpt:}" -o bad.ferry >/dev/null 2>err
	if [ "$(wc -l < err)" -eq 1 ] && [ ! -e bad.ferry ]; then ok "$(basename "$c"): one line, no archive"; else
		notok "$(basename "$c"): one line, no archive"; sed 's/^/#   /' err | head -3; fi
done

# Generated exports: every message of every branch is there, counted.
count_check() {	# LABEL LOCATION STATS
	label=$1
	want_c=$(jq .conversations "$3")
	want_m=$(jq .messages "$3")
	rm -f g.ferry
	if ! ferry export "chatgpt:$2" -o g.ferry 2>gerr; then notok "$label: export"; sed 's/^/#   /' gerr | head -3; return; fi
	got_c=$(ferry cat g.ferry thread | wc -l)
	got_m=$(ferry cat g.ferry message | wc -l)
	if [ "$got_c" = "$want_c" ] && [ "$got_m" = "$want_m" ]; then
		ok "$label: $got_c conversations and $got_m messages, as generated"; else
		notok "$label: $got_c/$want_c conversations, $got_m/$want_m messages"; fi
	check "$label: verify passes" ferry verify -q g.ferry
}
$GEN --size 1M --seed 7 -o gen.json --stats > gen.stats
count_check "generated conversations.json" gen.json gen.stats
$GEN --size 1M --seed 8 --shards 3 -o shards --stats > shards.stats
count_check "generated shards" shards shards.stats
$GEN --size 600K --seed 9 --zip -o gen.zip --stats > zip.stats
count_check "generated zip" gen.zip zip.stats
check "in the generated zip every image pointer resolves" \
	sh -c '! $FERRY cat g.ferry ledger | grep -q asset-not-in-export'
check "the generated zip's images are blobs" sh -c '[ "$($FERRY ls --json g.ferry | jq .blobs.count)" -gt 0 ]'
check "branches survive: some parent has two children" \
	sh -c '$FERRY cat g.ferry message | jq -r ".parent // empty" | sort | uniq -d | grep -q .'

# The public sample (pionxzh/chatgpt-exporter's fixture): node for node.
f="$CORPUS/chatgpt/image-generation.json"
if [ -f "$f" ]; then
	want=$(jq '[.mapping[] | select(.message != null)] | length' "$f")
	check "corpus sample exports" ferry export chatgpt:"$f" -o corpus.ferry
	got=$(ferry cat corpus.ferry message | wc -l)
	if [ "$got" = "$want" ]; then ok "corpus: every node with a message is a message ($got)"; else
		notok "corpus: $got messages, $want nodes with a message"; fi
	check "corpus: verify passes" ferry verify -q corpus.ferry
	check "corpus: the active leaf is current_node" \
		sh -c "[ \"\$(\$FERRY cat corpus.ferry thread | jq -r .active_leaf)\" = \"\$(jq -r .current_node '$f')\" ]"
	check "corpus: every parent is the node's parent in the mapping (the root placeholder dropped)" \
		sh -c "\$FERRY cat corpus.ferry message | jq -r '[.id, (.parent // \"n0\")] | @tsv' | sort > got.tsv &&
		       jq -r '.mapping[] | select(.message != null) | [.id, .parent] | @tsv' '$f' | sort > want.tsv &&
		       cmp got.tsv want.tsv"
else
	skip "corpus sample $f absent"
fi
done_testing
