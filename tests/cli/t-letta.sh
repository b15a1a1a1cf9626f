#!/bin/sh
# t-letta.sh - the letta-af adapter and ferry migrate (issue 3, items 3 and
# 4): round trips to identical records, written agent files checked
# against Letta's published schema by an independent checker
# (tests/lib/afcheck.py), ledgers in the archive and in the report, and
# refusals that leave nothing behind.
name=letta
. "$(dirname "$0")/../lib.sh"

AFCHECK="python3 $TESTS/lib/afcheck.py"
S=$SAMPLES/letta-af

# records, normalised: what "identical records" means here
records() { ferry cat "$1" | jq -S -c . | LC_ALL=C sort; }

# roundtrip LABEL LOCATION OUT: export, write (file or folder), check, re-export, compare
roundtrip() {
	label=$1
	loc=$2
	out=$3
	rm -rf a1.ferry a2.ferry a3.ferry "$out" "$out.2"
	if ! ferry export "letta-af:$loc" -o a1.ferry 2>err; then
		notok "$label: export"
		sed 's/^/#   /' err | head -3
		return
	fi
	if ! ferry import -q --accept-loss --state-dir st a1.ferry "letta-af:$out" --option original=ignore 2>err; then
		notok "$label: write $out"
		sed 's/^/#   /' err | head -3
		return
	fi
	if [ -d "$out" ]; then
		check "$label: every written file matches Letta's current schema" $AFCHECK "$out"/*.af
	else
		check "$label: the written file matches Letta's current schema" $AFCHECK "$out"
	fi
	if ferry export "letta-af:$out" -o a2.ferry 2>err && ferry verify -q a2.ferry; then
		records a1.ferry > r1
		records a2.ferry > r2
		if cmp -s r1 r2; then ok "$label: letta-af -> archive -> letta-af -> archive gives identical records"
		else
			notok "$label: records differ after the round trip"
			diff r1 r2 | head -4 | cut -c1-300 | sed 's/^/#   /'
		fi
	else
		notok "$label: the written agent file does not re-read"
		sed 's/^/#   /' err | head -3
	fi
	# a second trip changes nothing either
	if ferry import -q --accept-loss --state-dir st a2.ferry "letta-af:$out.2" --option original=ignore 2>err &&
	   ferry export "letta-af:$out.2" -o a3.ferry 2>err; then
		records a3.ferry > r3
		check "$label: a second round trip is stable" cmp r2 r3
	else
		notok "$label: second round trip"
	fi
}

# --- round trips: the samples (both layouts, double-encoded, tools with code, multi-agent) ---
for c in legacy current double-encoded tools-source-code multi-agent; do
	f=$(cd "$S/$c" && ls *.af)
	roundtrip "$c (one file)" "$S/$c/$f" out.af
	roundtrip "$c (a folder)" "$S/$c/$f" outdir
done
# file-local ids are unique within a file: files merged into one are renumbered,
# so a folder of agent files round-trips through a folder
roundtrip "folder of agent files" "$S/folder/files" outdir

# --- a long history: more than one 8 MiB chunk of messages, another stream in between ---
python3 - "$S/current/ada.af" > long.af <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
a = d["agents"][0]
base = a["messages"]
msgs = []
for i in range(12000):
    m = json.loads(json.dumps(base[i % 6]))
    m["id"] = "message-%d" % i
    if isinstance(m.get("content"), list):
        for c in m["content"]:
            if c.get("type") == "text":
                c["text"] += " " + ("Lisboa, Porto e Coimbra. %d " % i) * 30
    msgs.append(m)
a["messages"] = msgs
a["in_context_message_ids"] = ["message-0"] + ["message-%d" % i for i in range(11990, 12000)]
json.dump(d, sys.stdout)
PY
ferry export letta-af:long.af -o long.ferry
check "a long history spans several thread chunks, with the files chunk between them" \
	sh -c 'tar --zstd -tf long.ferry | awk "/^threads\\//{ if (seen && other) ok = 1; seen = 1; other = 0; next } seen { other = 1 } END { exit !ok }"'
check "... and writes back to identical records" \
	sh -c '$FERRY import -q --accept-loss --state-dir st --option original=ignore long.ferry letta-af:long2.af &&
	       $FERRY export letta-af:long2.af -o long2.ferry &&
	       [ "$($FERRY cat long.ferry | jq -S -c . | LC_ALL=C sort | sha256sum)" = "$($FERRY cat long2.ferry | jq -S -c . | LC_ALL=C sort | sha256sum)" ]'

# --- the corpus: Letta's own published agent files ---
if [ -d "$CORPUS/letta" ]; then
	for f in "$CORPUS"/letta/*.af; do
		b=$(basename "$f")
		roundtrip "corpus $b" "$f" out.af
		rm -rf v.af v.ferry
		ferry export "letta-af:$f" -o v.ferry 2>/dev/null
		ferry import -q --accept-loss --state-dir st v.ferry letta-af:v.af 2>/dev/null
		case $b in
		*legacy*)
			check "corpus $b: an unedited legacy file is rewritten in the current schema" $AFCHECK v.af
			check "corpus $b: ... and says so in the ledger" \
				sh -c '$FERRY import -q --accept-loss --state-dir st --ledger v2.jsonl v.ferry letta-af:v2.af && grep -q "legacy single-agent layout" v2.jsonl' ;;
		*)
			check "corpus $b: an unedited agent file comes back byte for byte (raw/ original)" cmp "$f" v.af ;;
		esac
	done
	check "the checker accepts Letta's own current-schema file" \
		sh -c "$AFCHECK $CORPUS/letta/*v2.af"
else
	skip "corpus: ../shared/corpus/letta is absent"
fi

# --- the checker can fail ---
sed 's/"tool_ids": \[/"tool_ids": ["tool-77", /' "$S/current/ada.af" > broken.af
expect_exit 1 "the checker refuses a dangling tool id" $AFCHECK broken.af
check "... naming it" grep -q "tool-77" stdout
printf '{"agents":[{"id":"agent-0","name":"x","tool_exec_environment_variables":{"K":"v"}}],"groups":[],"blocks":[],"files":[],"sources":[],"tools":[],"mcp_servers":[]}' > secret.af
expect_exit 1 "the checker refuses a written secret value" $AFCHECK secret.af

# --- secrets never written, named in the ledger ---
ferry export "letta-af:$S/current/ada.af" -o c.ferry
check "secret values never enter the archive (records or raw/ original)" \
	sh -c '! $FERRY cat c.ferry | grep -q -e live-secret -e tok-secret && ! zstd -dc c.ferry | grep -a -q -e live-secret -e tok-secret'
ferry export "letta-af:$S/legacy/tutor.af" -o l.ferry
check "... nor a legacy file's tool environment values" \
	sh -c '! zstd -dc l.ferry | grep -a -q sk-live'
check "the raw original is kept with its credential values blanked, and the ledger says so" \
	sh -c '$FERRY cat l.ferry ledger | jq -s -e "any(.[]; .rule==\"secrets-blanked\")" >/dev/null'
ferry import -q --accept-loss --state-dir st --ledger c.jsonl c.ferry letta-af:c.af --option original=ignore
check "... nor the written agent file" sh -c '! grep -q -e live-secret -e tok-secret -e "\$secret" c.af'
check "the import's done-ledger holds each secret back, by name" \
	sh -c '[ "$(jq -r "select(.outcome==\"held_back\" and .item.field==\"\$secret\") | .reason" c.jsonl | grep -c -e FLIGHTS_TOKEN -e FLIGHTS_KEY -e WEATHER_API_KEY -e MAPS_TOKEN)" = 4 ]'
check "the export ledger names each held-back secret" \
	sh -c '[ "$($FERRY cat c.ferry ledger | jq -r "select(.outcome==\"held_back\") | .reason" | grep -c -e FLIGHTS_TOKEN -e FLIGHTS_KEY -e WEATHER_API_KEY -e MAPS_TOKEN)" = 4 ]'
ferry export "letta-af:$S/multi-agent/team.af" -o t.ferry
check "an unchanged current-schema original is written verbatim by default" \
	sh -c '$FERRY import -q --state-dir st t.ferry letta-af:verbatim.af && cmp verbatim.af "$0"' "$S/multi-agent/team.af"
check "... and one with credentials, with their values blanked" \
	sh -c '$FERRY import -q --accept-loss --state-dir st c.ferry letta-af:blanked.af && python3 '"$TESTS"'/lib/afcheck.py blanked.af >/dev/null &&
	       [ "$(jq -r ".mcp_servers[0].token" blanked.af)" = "" ]' 
check "a double-encoded original is written unwrapped" \
	sh -c '$FERRY export "letta-af:$0" -o d.ferry && $FERRY import -q --accept-loss --state-dir st d.ferry letta-af:d.af && python3 '"$TESTS"'/lib/afcheck.py d.af >/dev/null' \
	"$S/double-encoded/ada-twin.af"
check "the double encoding is in the export ledger" \
	sh -c '$FERRY cat d.ferry ledger | jq -s -e "any(.[]; .rule==\"unwrapped\")" >/dev/null'

# --- writing: refusals, determinism, dry runs ---
ferry export dir:"$SAMPLES/neutral" -o n.ferry
touch exists.af
expect_exit 12 "an import that loses anything stops unless accepted" ferry import --state-dir st n.ferry letta-af:lossy.af
check "... having written nothing" test ! -e lossy.af
expect_exit 13 "an existing agent file is not overwritten" ferry import --accept-loss --state-dir st n.ferry letta-af:exists.af
check "... and stays empty" test ! -s exists.af
mkdir full && touch full/x
expect_exit 13 "a non-empty folder is not written into" ferry import --accept-loss --state-dir st n.ferry letta-af:full
expect_exit 6 "a missing parent folder fails" ferry import --accept-loss --state-dir st n.ferry letta-af:no/such/dir/x.af
check "... leaving nothing behind" test ! -e no
ferry import -q --accept-loss --state-dir st --ledger n1.jsonl n.ferry letta-af:n1.af
check "planned = done: the import of a foreign archive exits 0" test $? = 0
ferry import -q --accept-loss --state-dir st n.ferry letta-af:n2.af
check "the same archive gives byte-identical agent files" cmp n1.af n2.af
check "a foreign archive's agent file matches Letta's schema" $AFCHECK n1.af
ferry import -q --accept-loss --state-dir st n.ferry letta-af:ndir
check "a folder gets one file per agent (and agents that hand off share one)" \
	sh -c '[ "$(ls ndir | wc -l)" = 1 ] && [ "$(jq ".agents | length" ndir/*.af)" = 2 ]'
check "handoffs become a supervisor group" \
	sh -c '[ "$(jq -r ".groups[0].manager_config.manager_type" n1.af)" = supervisor ]'
check "only the active branch crossed: m5b, not m5a" \
	sh -c 'grep -q "it is a day late" n1.af && ! grep -q "Your order has shipped." n1.af'
check "the system prompt is the first in-context message" \
	sh -c '[ "$(jq -r ".agents[1] as \$a | \$a.messages[] | select(.id == \$a.in_context_message_ids[0]) | .role" n1.af)" = system ]'

# --- ferry migrate ---
expect_exit 12 "migrate stops before writing when the plan loses anything" \
	ferry migrate dir:"$SAMPLES/neutral" letta-af:m0.af
check "... printing the plan first" sh -c 'head -1 stdout | grep -q "^plan: "'
check "... and writing nothing" test ! -e m0.af
expect_exit 0 "migrate dir -> letta-af with --keep and --accept-loss" \
	ferry migrate --accept-loss dir:"$SAMPLES/neutral" letta-af:m.af --keep m.ferry
check "the plan comes before the result" sh -c 'head -1 stdout | grep -q "^plan: " && grep -q "^migrated " stdout'
check "the report lists the ledger" grep -q "held_back" stdout
check "the migrated agent file matches Letta's schema" $AFCHECK m.af
check "the kept archive verifies" ferry verify -q m.ferry
check "the kept archive holds the import ledger (ledger/NNNNNN.jsonl)" \
	sh -c 'tar --zstd -tf m.ferry | grep -q "^ledger/000001.jsonl$"'
ferry cat m.ferry ledger > mledger
check "ledger: the dropped branch, with why" \
	sh -c 'jq -s -e "any(.[]; .item.id==\"t-order-1421\" and .rule==\"active-branch\" and (.reason|startswith(\"dropped: 2 messages\")))" mledger >/dev/null'
check "ledger: the MCP credential held back by name" \
	sh -c 'jq -s -e "any(.[]; .outcome==\"held_back\" and (.reason|contains(\"ACME_CRM_TOKEN\")))" mledger >/dev/null'
check "ledger: the workflow dropped" \
	sh -c 'jq -s -e "any(.[]; .item.kind==\"workflow\" and .outcome==\"dropped\")" mledger >/dev/null'
check "ledger: code_interpreter emulated by run_code" \
	sh -c 'jq -s -e "any(.[]; .item.id==\"code-interpreter\" and .outcome==\"emulated\" and .rule==\"letta-builtin\")" mledger >/dev/null'
check "ledger: the fact merged into a human block" \
	sh -c 'jq -s -e "any(.[]; .item.id==\"mem-fact-1\" and .rule==\"memory-into-block\")" mledger >/dev/null'
check "ledger: the citation dropped, on its message" \
	sh -c 'jq -s -e "any(.[]; .item.id==\"m5b\" and .item.field==\"parts.citations\" and .outcome==\"dropped\")" mledger >/dev/null'
check "every ledger line is from the import phase" \
	sh -c '[ "$(jq -r .phase mledger | sort -u)" = import ]'
check "planned = done: migrate and import report the same lines" \
	sh -c 'jq -c "select(.outcome != \"warning\") | {item, outcome, rule}" mledger | LC_ALL=C sort > a &&
	       jq -c "select(.outcome != \"warning\") | {item, outcome, rule}" n1.jsonl | LC_ALL=C sort > b && cmp a b'
ferry migrate --json --accept-loss dir:"$SAMPLES/neutral" letta-af:mj.af > mj.json
check "--json: one object whose ledger matches the archive's" \
	sh -c '[ "$(jq ".ledger.items | length" mj.json)" = "$(wc -l < mledger)" ]'
check "--json: records, target, outcomes" \
	sh -c '[ "$(jq -r ".records.message, .target, .imported, .differences" mj.json | tr "\n" " ")" = "11 letta-af:mj.af true 0 " ] &&
	       [ "$(jq ".ledger.outcomes.held_back" mj.json)" = 1 ]'
check "migrate and import write the same agent file" cmp m.af mj.af

expect_exit 0 "--dry-run plans and writes nothing" ferry migrate --dry-run dir:"$SAMPLES/neutral" letta-af:dry.af --keep dry.ferry
check "... no target" test ! -e dry.af
check "... but the plan" grep -q "preserved" stdout
check "... and an archive holding the planned lines" \
	sh -c '[ "$($FERRY cat dry.ferry ledger | jq -r .phase | sort -u)" = plan ]'

expect_exit 0 "--thread keeps one conversation" \
	ferry migrate -q --accept-loss --thread t-volume-chart dir:"$SAMPLES/neutral" letta-af:one.af --keep one.ferry
check "... its messages only" \
	sh -c 'grep -q "Weekly totals" one.af && ! grep -q "Leipzig hub" one.af'
check "... and the archive says it is scoped" \
	sh -c 'tar --zstd -xOf one.ferry ferry.json | jq -e ".scope.threads == [\"t-volume-chart\"]" >/dev/null'

# conversations without an agent (ChatGPT-like): one agent per account, or per conversation
cp -r "$SAMPLES/neutral" noagent
sed -i 's/"agent":"support-bot",//' noagent/threads/000001.jsonl
# custom instructions and memories, as a ChatGPT export gives them (user-scoped records)
cat >> noagent/memory/000001.jsonl <<'MEM'
{"kind":"memory","id":"ci-about-user","scope":{"type":"user"},"type":"profile","label":"about_user_message","text":"I am a data engineer in Lisbon; I prefer metric units.","source":{"adapter":"dir"}}
{"kind":"memory","id":"ci-about-model","scope":{"type":"user"},"type":"profile","label":"about_model_message","text":"Answer briefly, with code in Python.","source":{"adapter":"dir"}}
{"kind":"memory","id":"mem-likes-tea","scope":{"type":"user"},"type":"fact","text":"Likes green tea.","source":{"adapter":"dir"}}
MEM
ferry migrate -q --accept-loss dir:noagent letta-af:acct.af --keep acct.ferry
check "threads without an agent: one agent for the account" \
	sh -c '[ "$(jq "[.agents[] | select(.name == \"dir import\")] | length" acct.af)" = 1 ]'
check "... holding both conversations" \
	sh -c 'jq -r ".agents[] | select(.name == \"dir import\") | .messages[].content[]?.text?" acct.af | grep -q "Weekly totals" &&
	       jq -r ".agents[] | select(.name == \"dir import\") | .messages[].content[]?.text?" acct.af | grep -q "day late"'
check "custom instructions about the model become the persona block" \
	sh -c 'jq -r ".blocks[] | select(.label == \"persona\") | .value" acct.af | grep -q "Answer briefly"'
check "what is known about the user and memories become the human block" \
	sh -c 'v=$(jq -r "[.agents[] | select(.name == \"dir import\") | .block_ids[]] as \$ids | .blocks[] | select(.label == \"human\" and ([.id] | inside(\$ids))) | .value" acct.af) &&
	       echo "$v" | grep -q "data engineer" && echo "$v" | grep -q "green tea"'
check "... and the ledger says each was merged" \
	sh -c '[ "$($FERRY cat acct.ferry ledger | jq -r "select(.rule==\"memory-into-block\") | .item.id" | sort | tr "\n" " ")" = "ci-about-model ci-about-user mem-fact-1 mem-likes-tea " ]'
check "... and the ledger says it was created" \
	sh -c '$FERRY cat acct.ferry ledger | jq -s -e "any(.[]; .rule==\"agent-per-account\")" >/dev/null'
ferry migrate -q --accept-loss dir:noagent letta-af:perthread.af --option agents=thread
check "--option agents=thread: one agent per conversation, named by its title" \
	sh -c '[ "$(jq -r "[.agents[].name] | sort | join(\",\")" perthread.af)" = "Acme Billing,Acme Support,Weekly order volume,Where is order 1421_" ]'
check "... valid for Letta" $AFCHECK perthread.af
expect_exit 2 "a bad option value is a usage error" ferry migrate --accept-loss dir:noagent letta-af:x.af --option agents=bogus

# --- ChatGPT and Claude exports into Letta agent files ---
GPT=$SAMPLES/chatgpt
expect_exit 0 "migrate a ChatGPT export into an agent file" \
	ferry migrate --accept-loss chatgpt:"$GPT/content-types/conversations.json" letta-af:gpt.af --keep gpt.ferry
check "... which matches Letta's schema (planned = done: exit 0)" $AFCHECK gpt.af
check "... one agent for the account, holding both conversations" \
	sh -c '[ "$(jq -r "[.agents[].name] | join(\",\")" gpt.af)" = "chatgpt import" ] &&
	       [ "$($FERRY cat gpt.ferry thread | wc -l)" = 2 ]'
check "... the custom instructions about answers become its persona block" \
	sh -c 'jq -r ".blocks[] | select(.label == \"persona\") | .value" gpt.af | grep -q "Be brief. Use grams"'
check "... what it knows about the user and the saved memories, its human block" \
	sh -c 'v=$(jq -r ".blocks[] | select(.label == \"human\") | .value" gpt.af) &&
	       echo "$v" | grep -q "pastry chef in Lisbon" && echo "$v" | grep -q "allergic to hazelnuts"'
check "... the model of its last answers" sh -c '[ "$(jq -r ".agents[0].llm_config.model" gpt.af)" = gpt-4o ]'
check "... and the kept archive holds both phases' ledger lines" \
	sh -c '[ "$($FERRY cat gpt.ferry ledger | jq -r .phase | sort -u | tr "\n" " ")" = "export import " ]'
expect_exit 0 "migrate ChatGPT conversations with branches" \
	ferry migrate -q --accept-loss chatgpt:"$GPT/branches/conversations.json" letta-af:kyoto.af --keep kyoto.ferry
check "... only the active branch crosses: 5 of Kyoto's 7 messages, the one-liner's 2, a system prompt" \
	sh -c '[ "$(jq ".agents[0].messages | length" kyoto.af)" = 8 ] &&
	       grep -q "Regenerated: start at Kiyomizu-dera" kyoto.af && grep -q "Edited: what if it rains" kyoto.af &&
	       ! grep -q "Fushimi Inari at dawn" kyoto.af && ! grep -q "What about rain?" kyoto.af &&
	       $FERRY cat kyoto.ferry ledger | jq -s -e "any(.[]; .rule == \"active-branch\" and (.reason | startswith(\"dropped: 2 messages\")))" >/dev/null'
expect_exit 0 "--thread picks one ChatGPT conversation by its id" \
	ferry migrate -q --accept-loss --thread aaaaaaaa-conv-0000-0000-archived0001 \
		chatgpt:"$GPT/branches/conversations.json" letta-af:one-gpt.af
check "... and only its messages cross (a system prompt and 2)" \
	sh -c '[ "$(jq ".agents[0].messages | length" one-gpt.af)" = 3 ]'
expect_exit 0 "--option agents=thread: one agent per ChatGPT conversation" \
	ferry migrate -q --accept-loss --option agents=thread chatgpt:"$GPT/branches/conversations.json" letta-af:per.af
check "... named by the conversation titles" \
	sh -c '[ "$(jq -r "[.agents[].name] | sort | join(\",\")" per.af)" = "Archived_ a one-liner,Three days in Kyoto" ]'
expect_exit 0 "migrate a Claude export into agent files, one per agent" \
	ferry migrate -q --accept-loss claude:"$SAMPLES/claude/export-folder/export" letta-af:claude-out
check "... projects become agents with their instructions, others go to the account's agent" \
	sh -c 'for f in claude-out/*.af; do python3 '"$TESTS"'/lib/afcheck.py "$f" >/dev/null || exit 1; done &&
	       [ "$(cat claude-out/*.af | jq -r ".agents[].name" | sort | tr "\n" ",")" = "Bakery assistant,How to use Claude,claude import," ] &&
	       cat claude-out/*.af | jq -r ".agents[] | select(.name == \"Bakery assistant\") | .system" | grep -q "grams"'
check "... a project's documents become a source with their text" \
	sh -c 'cat claude-out/*.af | jq -s -e "[.[].files[] | select(.content != null)] | length == 2" >/dev/null'

# letta -> letta through migrate keeps everything
if [ -d "$CORPUS/letta" ]; then
	ferry migrate -q "letta-af:$CORPUS/letta/memgpt_agent_with_convo.v1-legacy.af" letta-af:mig --keep mig.ferry
	check "migrate letta-af -> letta-af: nothing lost, so no --accept-loss needed" test $? = 0
	ferry export letta-af:mig -o mig2.ferry
	records mig.ferry > r1
	records mig2.ferry > r2
	check "migrate letta-af -> letta-af folder: identical records" cmp r1 r2
else
	skip "migrate from the corpus: ../shared/corpus/letta is absent"
fi

# malformed input: one line naming the file and the field, no output, nothing left in TMPDIR
mkdir tmp
expect_exit 3 "a truncated agent file fails the migration" \
	env TMPDIR="$work/tmp" $FERRY migrate --accept-loss "letta-af:$S/error-truncated/cut.af" letta-af:bad.af --keep bad.ferry
check "... with one line naming the file" sh -c '[ "$(wc -l < err)" = 1 ] && grep -q "cut.af" err'
check "... and writes nothing" sh -c '[ ! -e bad.af ] && [ ! -e bad.ferry ] && [ -z "$(ls tmp)" ]'
expect_exit 3 "a dangling reference fails the migration" \
	ferry migrate --accept-loss "letta-af:$S/error-dangling-tool/dangling.af" letta-af:bad.af
check "... naming the file and the field" one_line_error "dangling.af: agents[0]: tool_ids[3]: 'tool-9'"
check "... and writes nothing" test ! -e bad.af
expect_exit 13 "migrate refuses an existing target before importing" \
	ferry migrate --accept-loss dir:"$SAMPLES/neutral" letta-af:exists.af
expect_exit 9 "a target that cannot be written" ferry migrate dir:"$SAMPLES/neutral" nosuch:x

done_testing
