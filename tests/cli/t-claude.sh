#!/bin/sh
# t-claude.sh - the claude adapter end to end: the export zip (built here
# from samples/claude/export-folder) reads like its folder, projects become
# agents with their documents as blobs, every chat message of every branch
# arrives (counted against the input), archives verify, and malformed
# input fails with one line and leaves nothing.
name=claude
. "$(dirname "$0")/../lib.sh"

zip_dir() { python3 "$TESTS/lib/zipdir.py" "$1" "$2"; }

src="$SAMPLES/claude/export-folder/export"
zip_dir "$src" export.zip
check "export the zip" ferry export claude:export.zip -o zip.ferry
check "export the folder" ferry export claude:"$src" -o dir.ferry
ferry cat zip.ferry | LC_ALL=C sort > zip.records
ferry cat dir.ferry | LC_ALL=C sort > dir.records
check "the zip and the folder give the same records" cmp zip.records dir.records
check "the zip's archive verifies" ferry verify -q zip.ferry
check "the project's two documents are blobs" sh -c '[ "$($FERRY ls --json zip.ferry | jq .blobs.count)" = 2 ]'
check "a document's blob holds its text" \
	sh -c 'mkdir x && tar --zstd -xf zip.ferry -C x && h=$($FERRY cat zip.ferry file | jq -r "select(.name==\"suppliers.txt\") | .blob") &&
	       [ "$(cat x/blobs/$h)" = "$(jq -r ".[0].docs[1].content" "$0")" ]' "$src/projects.json"
check "the project is an agent with its prompt as instructions" \
	sh -c '$FERRY cat zip.ferry agent | jq -se "map(select(.name == \"Bakery assistant\"))[0].instructions | startswith(\"You are Ana\")" >/dev/null'
check "the thread of a project conversation names its agent" \
	sh -c '$FERRY cat zip.ferry thread | jq -se "map(select(.id == \"c1a0b1c2-d3e4-4f50-8a6b-7c8d9e0f1a2b\"))[0].agent == \"9f8e7d6c-5b4a-4321-8fed-cba987654321\"" | grep -qx true'
check "the header carries the account fingerprint, not the e-mail" \
	sh -c 'tar --zstd -xOf zip.ferry ferry.json | jq -e ".source.account | startswith(\"sha256:\")" >/dev/null && ! tar --zstd -xOf zip.ferry | grep -q ana@example.org'
want=$(jq '[.[].chat_messages | length] | add' "$src/conversations.json")
got=$(ferry cat zip.ferry message | wc -l)
if [ "$got" = "$want" ]; then ok "every chat message is a message ($got)"; else notok "$got messages of $want"; fi
check "the edit and the retry are branches: two parents with two children" \
	sh -c '[ "$($FERRY cat zip.ferry message | jq -r ".parent // empty" | sort | uniq -d | wc -l)" = 2 ]'
ferry export claude:export.zip -o zip2.ferry
check "the same zip gives a byte-identical archive" cmp zip.ferry zip2.ferry

# Without projects.json the thread stays unlinked, with a ledger line.
ferry export claude:"$SAMPLES/claude/conversations-only/conversations.json" -o conv.ferry
check "conversations alone: a ledger line says the project is missing" \
	sh -c '$FERRY cat conv.ferry ledger | grep -q "project-not-in-export"'

# Damage.
size=$(wc -c < export.zip)
head -c $((size - 100)) export.zip > cut.zip
expect_exit 3 "a truncated zip is refused" ferry export claude:cut.zip -o cut.ferry
if one_line_error "cut.zip" && [ ! -e cut.ferry ]; then ok "truncated zip: one line, no archive"; else
	notok "truncated zip: one line, no archive"; sed 's/^/#   /' err; fi
for c in "$SAMPLES"/claude/bad-*/; do
	s=$(cat "$c/source")
	ferry export "claude:$c${s#claude:}" -o bad.ferry >/dev/null 2>err
	if [ "$(wc -l < err)" -eq 1 ] && [ ! -e bad.ferry ]; then ok "$(basename "$c"): one line, no archive"; else
		notok "$(basename "$c"): one line, no archive"; sed 's/^/#   /' err | head -3; fi
done

# A bigger generated export: branches everywhere, counted.
python3 - <<'PY'
import json, random
r = random.Random(5)
ROOT = "00000000-0000-4000-8000-000000000000"
convs, total = [], 0
for c in range(150):
    msgs, ids = [], []
    for i in range(r.randint(1, 40)):
        u = "%08x-0000-4000-8000-%012x" % (c, i)
        parent = ROOT if not ids else r.choice(ids[-3:])
        blocks = [{"type": "text", "text": "m%d \u00e9\u6f22 \"q\" \\\\ %d" % (i, r.randint(0, 9))}]
        if i % 7 == 3:
            blocks = [{"type": "thinking", "thinking": "hmm", "summaries": [{"summary": "s"}]},
                      {"type": "tool_use", "id": "toolu_%d_%d" % (c, i), "name": "web_search", "input": {"q": "x"}},
                      {"type": "tool_result", "tool_use_id": "toolu_%d_%d" % (c, i), "name": "web_search",
                       "content": [{"type": "text", "text": "r"}], "is_error": False}] + blocks
        msgs.append({"uuid": u, "text": "", "content": blocks, "sender": "human" if i % 2 == 0 else "assistant",
                     "created_at": "2025-01-%02dT10:%02d:00Z" % (1 + c % 28, i % 60), "parent_message_uuid": parent,
                     "attachments": [], "files": []})
        ids.append(u)
    r.shuffle(msgs)   # parents are not always listed first
    total += len(msgs)
    convs.append({"uuid": "conv-%04d" % c, "name": "c%d" % c, "created_at": "2025-01-01T00:00:00Z",
                  "updated_at": "2025-01-02T00:00:00+01:00", "chat_messages": msgs})
json.dump(convs, open("gen.json", "w"))
open("gen.count", "w").write("%d %d\n" % (len(convs), total))
PY
read want_c want_m < gen.count
check "generated export" ferry export claude:gen.json -o gen.ferry
got_c=$(ferry cat gen.ferry thread | wc -l)
got_m=$(ferry cat gen.ferry message | wc -l)
if [ "$got_c $got_m" = "$want_c $want_m" ]; then ok "generated: $got_c conversations, $got_m messages, as generated"; else
	notok "generated: $got_c/$want_c conversations, $got_m/$want_m messages"; fi
check "generated: verify passes (parents first in every thread)" ferry verify -q gen.ferry
done_testing
