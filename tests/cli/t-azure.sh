#!/bin/sh
# t-azure.sh - the azure adapter against the provider simulator: a Foundry
# project's versioned agents, conversations, responses, memory stores (with
# the preview header) and classic threads; api-version on every call;
# Entra ID tokens from the environment or by the client-credentials grant,
# or an api-key; an import into a second project that recreates every
# agent version, finds a conversation again by its provenance after a kill,
# never overwrites an agent it did not make, and creates nothing when run
# again; and a project -> archive -> project -> archive round trip.
name=azure
. "$(dirname "$0")/../lib.sh"
. "$TESTS/lib/sim.sh"

TOKA=eyJhbGciOiJSUzI1NiJ9.canaryTOKENa7f3c9e1b2d4
KEYB=azkeyB-0000000000000000000000000000001
SECRET=canary-client-secret-9f8e7d6c5b4a
cat > accounts.json <<EOF
{"A": {"tokens": ["$TOKA"], "clients": {"app-a": "$SECRET"}}, "B": {"keys": ["$KEYB"]},
 "C": {"keys": ["azkeyC-000000000000000000000000000002"]}, "D": {"keys": ["azkeyD-000000000000000000000000000003"]}}
EOF
python3 "$TESTS/lib/provgen.py" fxa.json --convs 3 --items 20 --responses 1 --agents 2 --memory 1 --classic 1 \
	--files 2 --chatkit 0 --stores 0 > /dev/null
# Account C already has an agent called support-0 that ferry did not make.
python3 "$TESTS/lib/provgen.py" fxc.json --account C --convs 0 --agents 1 --memory 0 --classic 0 --files 0 \
	--chatkit 0 --stores 0 --responses 0 > /dev/null
sim_start --accounts accounts.json --fixture fxa.json --fixture fxc.json || exit 1
RESP=$(jq -r '.accounts.A.responses[0].response.id' fxa.json)
unset AZURE_OPENAI_API_KEY AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET
export FERRY_STATE_DIR="$work/state"
o="--option rate=0"
io="$o --accept-loss"

sim_reset_log
AZURE_AI_PROJECT_ENDPOINT=$SIM/api/projects/projA AZURE_OPENAI_AD_TOKEN=$TOKA expect_exit 0 \
	"export a project: agents, conversations, a response, memories, classic threads" \
	ferry export azure: --id "$RESP" --id scope:user-0 --id scope:user-1 $o -o a.ferry
sim_log > log.json
ferry cat a.ferry | jq -S -c . > a.jsonl
check "2 versioned agents and the classic assistant, with their tools" sh -c \
	"jq -s -e '(map(select(.kind == \"agent\")) | length == 3) and (map(select(.kind == \"tool\")) | length == 7) and
	  (map(select(.kind == \"agent\" and .ext.azure.versions)) | all(.ext.azure.versions | length == 2))' a.jsonl >/dev/null"
check "3 conversations (listed), the response and the classic thread" \
	test "$(jq -s '[.[] | select(.kind == "thread")] | length' a.jsonl)" = 5
check "the classic thread's tool calls came from its run steps" sh -c \
	"jq -s -e '[.[] | select(.kind == \"message\" and .role == \"tool\")] | length >= 1' a.jsonl >/dev/null"
check "4 memories of two scopes" sh -c \
	"jq -s -e '[.[] | select(.kind == \"memory\")] | length == 4 and (map(.scope.user) | unique == [\"user-0\", \"user-1\"])' a.jsonl >/dev/null"
check "api-version on every call" jq -e 'all(.query | test("api-version="))' log.json
check "the memory store calls carried the preview feature header" jq -e \
	'[.[] | select(.path | contains("memory_stores")) | .headers["foundry-features"]] | length > 0 and all(. == "MemoryStores=V1Preview")' log.json
check "the Entra ID token went as a bearer token" jq -e "all(.headers.authorization == \"Bearer $TOKA\")" log.json

AZURE_AI_PROJECT_ENDPOINT=$SIM/api/projects/projA AZURE_TENANT_ID=tenant-1 AZURE_CLIENT_ID=app-a \
	AZURE_CLIENT_SECRET=$SECRET AZURE_AUTHORITY_HOST=$SIM expect_exit 0 \
	"or a service principal: a token by the client-credentials grant" \
	ferry export azure: --only agent $o -v -v -o sp.ferry
cp err sp.err
check "which was asked of the authority" sh -c \
	"[ \$(curl -s $SIM/__sim/log | jq '[.[] | select(.path == \"/tenant-1/oauth2/v2.0/token\")] | length') = 1 ]"
AZURE_AI_PROJECT_ENDPOINT=$SIM/api/projects/projA expect_exit 8 "no credentials: an authentication error" \
	ferry export azure: -o x.ferry
check "naming the variables to set" grep -q AZURE_OPENAI_AD_TOKEN err

# --- import into another project (api-key) ----------------------------------------
export AZURE_AI_PROJECT_ENDPOINT=$SIM/api/projects/projB AZURE_OPENAI_API_KEY=$KEYB
unset AZURE_OPENAI_AD_TOKEN
sim_reset_log
expect_exit 0 "a dry run" ferry import --dry-run --json a.ferry azure:
cp stdout plan.json
check "which asked nothing" test "$(sim_log | jq length)" = 0
check "and whose sink counted what it would create, and the calls" jq -e \
	'.targets[0].dry_run | .create.agent == 3 and .create.thread == 5 and .create.memory == 4 and
	 .create.message == 67 and .api_calls > 20' plan.json
check "plans agents, threads and memories, and says which tool needs setting up" jq -e \
	'.targets[0] | .write.agent == 3 and .write.thread == 5 and .write.memory == 4 and .estimate.api_calls > 0 and
	 ([.lines[] | select(.item.kind == "tool" and .outcome == "dropped" and .rule == "tool-needs-setup")] | length == 1)' plan.json
# Which journal step follows the first conversation's create: learn it from
# a scratch import into project D, then stop dead there importing into B.
AZURE_AI_PROJECT_ENDPOINT=$SIM/api/projects/projD AZURE_OPENAI_API_KEY=azkeyD-000000000000000000000000000003 \
	FERRY_STATE_DIR=$work/scratch ferry import a.ferry azure: $io 2>/dev/null
step=$(cat scratch/azure-*.journal | grep -n '"kind":"thread".*"state":"created"' | head -1 | cut -d: -f1)
sim_reset_log
FERRY_FAIL_AT=$step ferry import a.ferry azure: $io 2>/dev/null
check "an import stopped dead between a conversation's create and its journal line (step $step)" test $? = 137
expect_exit 10 "and run again to the end" ferry import a.ferry azure: $io --ledger ledger.jsonl
check "differing from the plan only by the file citations the target cannot have" sh -c \
	"[ \$(grep -c 'planned vs done' err) = 3 ] && [ \$(grep -c 'planned preserved, done degraded (done: parts.citations file-not-imported)' err) = 3 ]"
sim_state B > b.json
check "every agent version was recreated in order, with provenance" jq -e \
	'.B.agents | (.["support-0"] | length == 2) and (.["support-1"] | length == 2) and
	 ([.[][] | .metadata.ferry_src] | all(. != null)) and (.["support-0"][1].definition.instructions == "You help customers (v2).")' b.json
check "the conversations were found again by their provenance: none twice, none anonymous" jq -e \
	'[.B.conversations[] | .metadata.ferry_src] | (length == 5) and (unique | length == 5) and all(. != null)' b.json
check "the memories went into a memory store, by scope" jq -e \
	'.B.memory_stores | length == 1 and (.[0].items | length == 4) and (.[0].items | map(.scope) | unique == ["user-0", "user-1"])' b.json
sim_reset_log
expect_exit 10 "a re-run (the same 3 differences)" ferry import a.ferry azure: $io
check "creates nothing and asks nothing" test "$(sim_log | jq length)" = 0

# --- the round trip ----------------------------------------------------------------------
jq -r 'select(.kind == "thread" and .state == "verified") | .target' state/azure-*.journal | grep '^conv_' > ids-b.txt
expect_exit 0 "export the second project again" \
	ferry export azure: --ids-from ids-b.txt --option classic=0 --id scope:user-0 --id scope:user-1 $o -o b.ferry
mkdir a b
tar --zstd -xf a.ferry -C a && tar --zstd -xf b.ferry -C b
expect_exit 0 "the same conversations and items, every difference in the ledger" \
	python3 "$TESTS/lib/fycheck.py" roundtrip a b ledger.jsonl azure
sed 's/^/# round trip: /' stdout
sed 's/^/#   /' err | head -5
check "the same agents (latest definitions) and memories" sh -c \
	"ferry() { \$FERRY \"\$@\"; }
	 ferry cat b.ferry agent | jq -S -c '{name, instructions, model}' | sort > b-agents
	 ferry cat a.ferry agent | jq -S -c 'select(.ext.azure.versions) | {name, instructions, model}' | sort > a-agents
	 grep -q support-0 a-agents && grep -F -f a-agents b-agents | cmp -s - a-agents &&
	 [ \"\$(ferry cat a.ferry memory | jq -r .text | sort)\" = \"\$(ferry cat b.ferry memory | jq -r .text | sort)\" ]"

# --- never overwrite ----------------------------------------------------------------------------
AZURE_AI_PROJECT_ENDPOINT=$SIM/api/projects/projC AZURE_OPENAI_API_KEY=azkeyC-000000000000000000000000000002 \
	expect_exit 13 "an agent of the same name that this import did not make stops it" \
	ferry import a.ferry azure: $io
check "and says so" grep -q "exists at the target and was not made by this import" err
check "C's own agent is untouched" sh -c \
	"[ \$(curl -s '$SIM/__sim/state?account=C' | jq '.C.agents[\"support-0\"] | length') = 2 ]"

# --- secrets -------------------------------------------------------------------------------------
mkdir all
for f in *.ferry; do mkdir "all/$f" && tar --zstd -xf "$f" -C "all/$f"; done
check "no token, key or client secret in archives, journals, ledgers or traces" sh -c \
	"! grep -r -l -F -e '$TOKA' -e '$KEYB' -e '$SECRET' all state ledger.jsonl plan.json sp.err ./*.ferry"
check "(the -vv trace shows the headers, redacted)" grep -q "api-key\|Authorization: \[redacted\]" sp.err

done_testing
