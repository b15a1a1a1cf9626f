#!/bin/sh
# t-html.sh - the audit's HTML page in a real headless Chromium (Debian's
# chromium package, installed here when missing): load the page, check
# that every summary number is visible and equals the audit's --json, that
# the chart and tables are laid out, and keep a screenshot as an artefact
# in build/browser/. Run by `make check-browser` (and .ci/run).
name=browser
. "$(dirname "$0")/../lib.sh"

if ! command -v chromium >/dev/null 2>&1; then
	sh "$top/tools/deps.sh" browser >&2 || true
fi
if ! command -v chromium >/dev/null 2>&1; then
	skip "chromium could not be installed"
	done_testing
fi
art=$top/build/browser
mkdir -p "$art"

# A report worth looking at: two destinations, a mapped model, a dropped
# model mapping, re-embedding, vendor-only state and sunsets.
cp -r "$SAMPLES/neutral" tree
sed -i 's/"claude-sonnet-4-5"/"grok-9"/' tree/agents/billing-bot.json
ferry export dir:tree -o a.ferry
ferry audit --as-of 2026-11-26 --model-platform bedrock --embedding-model amazon.titan-embed-text-v2:0 \
	--html "$art/audit.html" --json a.ferry -t dir -t dir:other > audit.json
check "the audit wrote the page and the JSON" [ -s "$art/audit.html" -a -s audit.json ]

python3 "$TESTS/browser/cdp.py" "$art/audit.html" "$art/audit.png" > seen.json 2>cdp.err
rc=$?
check "headless Chromium loaded the page and answered (DevTools over a pipe)" [ $rc = 0 ]
[ $rc = 0 ] || sed 's/^/#   /' cdp.err | tail -5
check "the summary numbers are visible and equal the JSON's" python3 - <<'PY'
import json
seen, doc = json.load(open("seen.json")), json.load(open("audit.json"))
cards = [c for c in seen["cards"] if c["target"]]
assert len(cards) == len(doc["targets"]) == 2, cards
for c, t in zip(cards, doc["targets"]):
    want = {"lock_in": t["lock_in"], "items": t["items"], "preserved": t["totals"]["preserved"],
            "losses": t["losses"], "dropped": t["totals"]["dropped"]}
    assert c["visible"], c
    for k, v in want.items():
        f = c["fields"][k]
        assert f["visible"] and int(f["text"]) == v, (k, f, v)
page = {k: v for c in seen["cards"] if not c["target"] for k, v in c["fields"].items()}
assert page["vendor_only"]["visible"] and int(page["vendor_only"]["text"]) == doc["vendor_only"]["total"]
assert page["sunsets"]["visible"] and int(page["sunsets"]["text"]) == len(doc["sunsets"])
assert doc["targets"][0]["losses"] > 0 and doc["targets"][0]["unmapped_models"] == 1
PY
check "the chart is drawn (one bar segment per outcome present, per target)" python3 -c "
import json
s, d = json.load(open('seen.json')), json.load(open('audit.json'))
want = sum(1 for t in d['targets'] for v in t['totals'].values() if v)
assert s['chart']['visible'] and s['chart']['bars'] == want, (s['chart'], want)
assert s['tables'] >= 4"
check "a screenshot was saved as an artefact ($art/audit.png)" sh -c "[ \$(wc -c < '$art/audit.png') -gt 10000 ]"
check "the screenshot is a PNG of the whole page" sh -c "head -c 8 '$art/audit.png' | od -An -tx1 | grep -q '89 50 4e 47'"
done_testing
