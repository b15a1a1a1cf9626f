/*
 * test_fidelity.c - the fidelity engine (adapters/fidelity.c), the model
 * policy (adapters/models.c) and ledger lines (adapters/ledger.c), against
 * a target whose capability table has a line of every kind.
 */
#include <stdlib.h>

#include "fidelity.h"
#include "registry.h"
#include "unit.h"

static const struct fy_capability strict_caps[] = {
	{ FY_KIND_AGENT, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE, "agents", NULL },
	{ FY_KIND_TOOL, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE, "function tools", NULL },
	{ FY_KIND_TOOL, "type=code_interpreter", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "no code interpreter at the target", "no-equivalent" },
	{ FY_KIND_THREAD, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE, "threads", NULL },
	{ FY_KIND_MESSAGE, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE, "messages", NULL },
	{ FY_KIND_MESSAGE, "parts.type=reasoning", FY_CAP_NONE, FY_CAP_DEGRADED,
	  "reasoning kept as plain text", "reasoning-as-text" },
	{ FY_KIND_MEMORY, "type=block", FY_CAP_NATIVE, FY_CAP_EMULATED,
	  "written into a system-prompt section", "memory-block-in-instructions" },
	{ FY_KIND_MEMORY, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE, "memory", NULL },
};

static const struct fy_adapter_limits strict_limits = {
	.model_platform = "anthropic",
	.embedding_model = "voyage-3",
	.max_text_bytes = 40,
};

static const struct fy_adapter strict = {
	.name = "strict",
	.flags = FY_ADAPTER_WRITE,
	.caps = strict_caps,
	.ncaps = sizeof(strict_caps) / sizeof(strict_caps[0]),
	.limits = &strict_limits,
};

static struct fy_fidelity *engine(struct fy_model_policy **pol, int accept)
{
	struct fy_fidelity_options o;
	struct fy_error err;

	*pol = fy_model_policy_load(NULL, &err);
	CHECK(*pol != NULL);
	memset(&o, 0, sizeof(o));
	o.policy = *pol;
	o.accept_loss = accept;
	o.as_of = 1795000000;	/* 2026-11-17 */
	return fy_fidelity_new(&strict, &o, &err);
}

static int feed(struct fy_fidelity *f, const char *json, struct fy_fid_verdict *v)
{
	struct fy_item it;
	struct fy_error err;

	memset(&it, 0, sizeof(it));
	it.type = FY_ITEM_RECORD;
	it.json = json;
	it.len = strlen(json);
	return fy_fidelity_item(f, &it, v, &err);
}

/* The planned line for (kind, id, field), or NULL. */
static const struct fy_plan_line *line(const struct fy_fidelity_report *r, enum fy_kind k,
				       const char *id, const char *field)
{
	size_t i;

	for (i = 0; i < r->nlines; i++)
		if (r->lines[i].kind == k && r->lines[i].id && strcmp(r->lines[i].id, id) == 0 &&
		    ((!field && !r->lines[i].field) ||
		     (field && r->lines[i].field && strcmp(r->lines[i].field, field) == 0)))
			return &r->lines[i];
	return NULL;
}

TEST(fidelity_unmapped_model_is_a_reasoned_loss)
{
	struct fy_model_policy *pol;
	struct fy_fidelity *f = engine(&pol, 0);
	struct fy_fid_verdict v;
	const char *a = "{\"kind\":\"agent\",\"id\":\"a1\",\"name\":\"A\",\"model\":{\"name\":\"grok-9\"},"
			"\"source\":{\"adapter\":\"dir\"}}";
	const struct fy_fidelity_report *r;
	const struct fy_plan_line *l;

	CHECK(f && feed(f, a, &v) == 0);
	CHECK(v.send && v.outcome == FY_OUT_DEGRADED && v.json == a);	/* not rewritten */
	CHECK(v.ntool_lines == 1 && v.tool_lines[0].outcome == FY_OUT_DROPPED);
	CHECK(fy_fidelity_finish(f, NULL) == 0);
	r = fy_fidelity_report(f);
	l = line(r, FY_KIND_AGENT, "a1", "model");
	CHECK(l && l->outcome == FY_OUT_DROPPED);
	CHECK_STR(l->rule, "model-unmapped");
	CHECK(strstr(l->reason, "'grok-9'") && strstr(l->reason, "policy/models.json"));
	CHECK(r->unmapped == 1 && r->losses == 1);
	CHECK(fy_fidelity_unmapped_message(f) != NULL);
	fy_fidelity_free(f);
	fy_model_policy_free(pol);
}

TEST(fidelity_accepted_unmapped_model_is_left_out)
{
	struct fy_model_policy *pol;
	struct fy_fidelity *f = engine(&pol, 1);
	struct fy_fid_verdict v;

	CHECK(f && feed(f, "{\"kind\":\"agent\",\"id\":\"a1\",\"name\":\"A\",\"model\":{\"name\":\"grok-9\"},"
			   "\"source\":{\"adapter\":\"dir\"}}", &v) == 0);
	CHECK(v.send && v.len && !memmem(v.json, v.len, "grok-9", 6) && memmem(v.json, v.len, "\"name\":\"A\"", 10));
	fy_fidelity_free(f);
	fy_model_policy_free(pol);
}

TEST(fidelity_mapped_model_is_rewritten)
{
	struct fy_model_policy *pol;
	struct fy_fidelity *f = engine(&pol, 0);
	struct fy_fid_verdict v;
	const struct fy_plan_line *l;

	CHECK(f && feed(f, "{\"kind\":\"agent\",\"id\":\"a2\",\"name\":\"B\",\"model\":{\"name\":\"gpt-6-luna\","
			   "\"parameters\":{\"temperature\":0.2}},\"source\":{\"adapter\":\"dir\"}}", &v) == 0);
	{
		const char *want = "\"model\":{\"provider\":\"anthropic\",\"name\":\"claude-opus-5-5\","
				   "\"parameters\":{\"temperature\":0.2}}";

		CHECK(v.send && memmem(v.json, v.len, want, strlen(want)));
	}
	CHECK(fy_fidelity_finish(f, NULL) == 0);
	l = line(fy_fidelity_report(f), FY_KIND_AGENT, "a2", "model");
	/* gpt-6-luna has 1,050,000 tokens of context, claude-sonnet-5-5 1,000,000 */
	CHECK(l && l->outcome == FY_OUT_DEGRADED && strstr(l->reason, "context window"));
	CHECK_STR(l->rule, "model-policy:openai-frontier");
	fy_fidelity_free(f);
	fy_model_policy_free(pol);
}

TEST(fidelity_unsupported_tool_type_is_dropped_and_not_sent)
{
	struct fy_model_policy *pol;
	struct fy_fidelity *f = engine(&pol, 0);
	struct fy_fid_verdict v;
	const struct fy_plan_line *l;

	CHECK(f && feed(f, "{\"kind\":\"tool\",\"id\":\"ci\",\"type\":\"code_interpreter\",\"name\":\"ci\","
			   "\"source\":{\"adapter\":\"dir\"}}", &v) == 0);
	CHECK(!v.send && v.outcome == FY_OUT_DROPPED && v.ntool_lines == 1);
	CHECK(feed(f, "{\"kind\":\"tool\",\"id\":\"fn\",\"type\":\"function\",\"name\":\"fn\","
		      "\"source\":{\"adapter\":\"dir\"}}", &v) == 0);
	CHECK(v.send && v.outcome == FY_OUT_PRESERVED && v.ntool_lines == 0);
	CHECK(fy_fidelity_finish(f, NULL) == 0);
	l = line(fy_fidelity_report(f), FY_KIND_TOOL, "ci", NULL);
	CHECK(l && l->outcome == FY_OUT_DROPPED && strstr(l->reason, "no code interpreter"));
	CHECK_STR(l->rule, "no-equivalent");
	CHECK(!line(fy_fidelity_report(f), FY_KIND_TOOL, "fn", NULL));
	fy_fidelity_free(f);
	fy_model_policy_free(pol);
}

TEST(fidelity_secret_reference_is_held_back)
{
	struct fy_model_policy *pol;
	struct fy_fidelity *f = engine(&pol, 0);
	struct fy_fid_verdict v;
	const struct fy_fidelity_report *r;
	const struct fy_plan_line *l;

	CHECK(f && feed(f, "{\"kind\":\"tool\",\"id\":\"crm\",\"type\":\"mcp\",\"name\":\"crm\",\"mcp\":{"
			   "\"headers\":{\"Authorization\":{\"$secret\":\"CRM_TOKEN\"}}},"
			   "\"source\":{\"adapter\":\"dir\"}}", &v) == 0);
	CHECK(v.send && v.outcome == FY_OUT_HELD_BACK);
	CHECK(fy_fidelity_finish(f, NULL) == 0);
	r = fy_fidelity_report(f);
	l = line(r, FY_KIND_TOOL, "crm", "$secret");
	CHECK(l && l->outcome == FY_OUT_HELD_BACK && strstr(l->reason, "CRM_TOKEN"));
	CHECK(r->nsecrets == 1);
	CHECK_STR(r->secrets[0].field, "mcp.headers.Authorization");
	fy_fidelity_free(f);
	fy_model_policy_free(pol);
}

TEST(fidelity_embedding_of_another_model_is_re_embedded)
{
	struct fy_model_policy *pol;
	struct fy_fidelity *f = engine(&pol, 0);
	struct fy_fid_verdict v;
	const struct fy_fidelity_report *r;
	const struct fy_plan_line *l;

	/* 20 bytes of text: 5 tokens; a block is emulated as a whole */
	CHECK(f && feed(f, "{\"kind\":\"memory\",\"id\":\"m1\",\"scope\":{\"type\":\"agent\",\"agent\":\"a1\"},"
			   "\"type\":\"block\",\"text\":\"01234567890123456789\",\"embedding\":{\"model\":"
			   "\"text-embedding-3-small\",\"dimensions\":2,\"vector\":[0.1,0.2]},"
			   "\"source\":{\"adapter\":\"dir\"}}", &v) == 0);
	CHECK(v.send && v.outcome == FY_OUT_DEGRADED);
	CHECK(fy_fidelity_finish(f, NULL) == 0);
	r = fy_fidelity_report(f);
	l = line(r, FY_KIND_MEMORY, "m1", "embedding");
	CHECK(l && l->outcome == FY_OUT_DEGRADED && strstr(l->reason, "text-embedding-3-small") &&
	      strstr(l->reason, "voyage-3"));
	CHECK_STR(l->rule, "re-embed");
	l = line(r, FY_KIND_MEMORY, "m1", NULL);
	CHECK(l && l->outcome == FY_OUT_EMULATED);
	CHECK_STR(l->rule, "memory-block-in-instructions");
	CHECK(r->reembed == 1 && r->reembed_tokens == 5);
	fy_fidelity_free(f);
	fy_model_policy_free(pol);
}

TEST(fidelity_threads_parts_and_kinds_the_target_lacks)
{
	struct fy_model_policy *pol;
	struct fy_fidelity *f = engine(&pol, 0);
	struct fy_fid_verdict v;
	const struct fy_fidelity_report *r;
	const struct fy_plan_line *l;

	CHECK(f && feed(f, "{\"kind\":\"knowledge\",\"id\":\"kb\",\"name\":\"kb\",\"files\":[],"
			   "\"source\":{\"adapter\":\"dir\"}}", &v) == 0);
	CHECK(!v.send && v.outcome == FY_OUT_DROPPED);
	CHECK(feed(f, "{\"kind\":\"thread\",\"id\":\"t1\",\"agent\":\"a1\",\"source\":{\"adapter\":\"dir\"}}", &v) == 0);
	CHECK(v.send);
	CHECK(feed(f, "{\"kind\":\"message\",\"id\":\"m1\",\"thread\":\"t1\",\"parent\":null,\"role\":\"assistant\","
		      "\"parts\":[{\"type\":\"reasoning\",\"format\":\"summary\",\"text\":\"x\"},"
		      "{\"type\":\"text\",\"text\":\"this text is longer than forty bytes, surely\"}],"
		      "\"source\":{\"adapter\":\"dir\"}}", &v) == 0);
	CHECK(v.send && v.outcome == FY_OUT_DEGRADED);
	CHECK(fy_fidelity_finish(f, NULL) == 0);
	r = fy_fidelity_report(f);
	l = line(r, FY_KIND_KNOWLEDGE, "kb", NULL);
	CHECK(l && l->outcome == FY_OUT_DROPPED);
	CHECK_STR(l->rule, "not-written");
	l = line(r, FY_KIND_MESSAGE, "m1", "parts.type=reasoning");
	CHECK(l && l->outcome == FY_OUT_DEGRADED && l->thread && strcmp(l->thread, "t1") == 0);
	l = line(r, FY_KIND_MESSAGE, "m1", "parts.text");
	CHECK(l && l->outcome == FY_OUT_DEGRADED);
	CHECK_STR(l->rule, "text-over-limit");
	CHECK(r->vendor_total == 1);	/* a knowledge set without files */
	CHECK(r->items == 3 && r->counts[FY_OUT_DROPPED] == 1 && r->counts[FY_OUT_DEGRADED] == 1 &&
	      r->counts[FY_OUT_PRESERVED] == 1);
	fy_fidelity_free(f);
	fy_model_policy_free(pol);
}

TEST(fidelity_lock_in_score_follows_the_formula)
{
	struct fy_model_policy *pol;
	struct fy_fidelity *f = engine(&pol, 0);
	const struct fy_fidelity_report *r;

	/* agent a1 (preserved: no model), tool ci (dropped, 1), thread t1 (preserved) */
	CHECK(f && feed(f, "{\"kind\":\"agent\",\"id\":\"a1\",\"name\":\"A\",\"tools\":[\"ci\"],"
			   "\"source\":{\"adapter\":\"dir\"}}", NULL) == 0);
	CHECK(feed(f, "{\"kind\":\"tool\",\"id\":\"ci\",\"type\":\"code_interpreter\",\"name\":\"ci\","
		      "\"source\":{\"adapter\":\"dir\"}}", NULL) == 0);
	CHECK(feed(f, "{\"kind\":\"thread\",\"id\":\"t1\",\"agent\":\"a1\",\"source\":{\"adapter\":\"dir\"}}", NULL) == 0);
	CHECK(fy_fidelity_finish(f, NULL) == 0);
	r = fy_fidelity_report(f);
	CHECK(r->nagents == 1 && r->agents[0].items == 3);
	CHECK(r->agents[0].score == 33);	/* round(100 * 1 / 3) */
	fy_fidelity_free(f);
	fy_model_policy_free(pol);
}

TEST(models_keep_map_or_refuse)
{
	struct fy_error err;
	struct fy_model_policy *p = fy_model_policy_load(NULL, &err);
	struct fy_model_mapping m;

	CHECK(p != NULL);
	fy_model_map(p, "gpt-4.1", "openai", 1, 0, &m);
	CHECK(m.result == FY_MODEL_KEPT);
	fy_model_map(p, "openai/gpt-4.1", "anthropic", 1, 0, &m);
	CHECK(m.result == FY_MODEL_MAPPED && m.rule && strcmp(m.rule, "openai-gpt-4") == 0);
	fy_model_map(p, "deepseek-r1", "anthropic", 1, 0, &m);
	CHECK(m.result == FY_MODEL_UNMAPPED);
	fy_model_map(p, "gpt-4.1", "bedrock", 1, 0, &m);
	CHECK(m.result == FY_MODEL_MAPPED && m.checked && strstr(m.lost, "context window"));
	CHECK(fy_model_policy_has_platform(p, "bedrock") && !fy_model_policy_has_platform(p, "nowhere"));
	CHECK_STR(fy_model_policy_embedding(p, "bedrock"), "amazon.titan-embed-text-v2:0");
	fy_model_policy_free(p);
}

TEST(models_policy_errors_name_the_file)
{
	struct fy_error err;
	const char *bad = "{\"format\":\"ferry-model-policy\",\"version\":1,\"models\":[{\"name\":1}],\"rules\":[]}";

	CHECK(fy_model_policy_parse(bad, strlen(bad), "my.json", &err) == NULL);
	CHECK(err.code == FY_E_DATA && strstr(err.msg, "my.json") && strstr(err.msg, "models[0]"));
	CHECK(fy_model_policy_parse("{}", 2, "x.json", &err) == NULL && strstr(err.msg, "x.json"));
	CHECK(fy_model_policy_load("does-not-exist.json", &err) == NULL && err.code == FY_E_IO);
}

TEST(ledger_lines_round_trip)
{
	struct fy_buf b = FY_BUF_INIT(1 << 16);
	struct fy_ledger_item it = { FY_KIND_MESSAGE, "m1", "t1", "parts.type=reasoning" };
	struct fy_plan_line l, m;
	struct fy_error err;

	CHECK(fy_ledger_format(&b, &it, FY_OUT_DEGRADED, "reasoning-as-text", "kept \"as\" text", "x",
			       "import", &err) == 0);
	CHECK(fy_plan_line_parse(b.ptr, b.len, &l, &err) == 0);
	CHECK(l.kind == FY_KIND_MESSAGE && l.outcome == FY_OUT_DEGRADED);
	CHECK_STR(l.thread, "t1");
	CHECK_STR(l.reason, "kept \"as\" text");
	m = l;
	CHECK(fy_plan_line_cmp(&l, &m) == 0 && fy_plan_line_hash(&l) == fy_plan_line_hash(&m));
	CHECK(fy_plan_line_parse("{\"item\":{},\"outcome\":\"lost\"}", 28, &m, &err) < 0);
	fy_plan_line_release(&l);
	fy_buf_release(&b);
}

TEST(capability_fields_count_as_the_engine_does)
{
	struct fy_jdoc d;
	struct fy_error err;
	const char *rec = "{\"kind\":\"workflow\",\"nodes\":[{\"type\":\"agent\",\"dialect\":\"n8n\"},"
			  "{\"type\":\"condition\"},{\"type\":\"agent\",\"dialect\":\"flowise\"}],"
			  "\"source\":{\"adapter\":\"n8n\"}}";

	fy_jdoc_init(&d);
	CHECK(fy_jdoc_parse(&d, rec, strlen(rec), 0, &err) == 0);
	CHECK(fy_capability_count(&d, 0, "nodes.type=agent") == 2);
	CHECK(fy_capability_count(&d, 0, "nodes.type") == 3);
	CHECK(fy_capability_count(&d, 0, "nodes.dialect!=n8n") == 2);	/* absent or another */
	CHECK(fy_capability_count(&d, 0, "source.adapter!=n8n") == 0);
	CHECK(fy_capability_count(&d, 0, "source.adapter!=agentspec") == 1);
	CHECK(fy_capability_count(&d, 0, "edges") == 0);
	/* '!' negates a condition, '&' joins them (the first one's places count) */
	CHECK(fy_capability_count(&d, 0, "!edges") == 1);
	CHECK(fy_capability_count(&d, 0, "!nodes") == 0);
	CHECK(fy_capability_count(&d, 0, "!source.adapter=n8n") == 0);
	CHECK(fy_capability_count(&d, 0, "!source.adapter=flowise") == 1);
	CHECK(fy_capability_count(&d, 0, "!source.model.name") == 1);	/* containers absent too */
	CHECK(fy_capability_count(&d, 0, "nodes.type=agent&source.adapter=n8n") == 2);
	CHECK(fy_capability_count(&d, 0, "nodes.type=agent&source.adapter=flowise") == 0);
	CHECK(fy_capability_count(&d, 0, "nodes.type=agent&!edges&source") == 2);
	CHECK(fy_capability_count(&d, 0, "kind=workflow&!source.adapter=agentspec") == 1);
	CHECK(fy_capability_count(&d, 0, "kind=workflow&!source.adapter=n8n") == 0);
	CHECK(fy_capability_count(&d, 0, "nodes.dialect~*i*") == 1);	/* flowise */
	CHECK(fy_capability_count(&d, 0, "nodes.type~*[!a-z]*") == 0);
	CHECK(fy_capability_count(&d, 0, "!source.adapter~n*") == 0);
	fy_jdoc_release(&d);
}

/* "PATH[COND&COND...]": the elements of an array for which every inner condition holds. */
TEST(capability_element_conditions_count_the_elements_that_match)
{
	struct fy_jdoc d;
	struct fy_error err;
	const char *rec =
		"{\"kind\":\"message\",\"role\":\"assistant\",\"parts\":["
		"{\"type\":\"image\",\"url\":\"https://x/a.png\"},"
		"{\"type\":\"image\",\"name\":\"crumb.jpg\"},"
		"{\"type\":\"file\",\"name\":\"r.pdf\",\"text\":\"flour\"},"
		"{\"type\":\"file\",\"file\":\"file-1\"},"
		"{\"type\":\"audio\"},"
		"{\"type\":\"text\",\"text\":\"a\",\"citations\":[{\"type\":\"citation\",\"url\":\"https://x\"},"
		"{\"type\":\"citation\",\"file\":\"file-1\"},{\"type\":\"citation\",\"title\":\"t\"}]},"
		"{\"type\":\"text\",\"text\":\"b\",\"citations\":[{\"type\":\"citation\",\"url\":\"https://y\"}]},"
		"{\"type\":\"text\",\"text\":\"c\",\"citations\":[]},"
		"\"not an object\"]}";

	static const struct {
		const char *field;
		uint64_t places;
	} cases[] = {
		/* the parts with neither bytes, a file nor a URL: one image, one file */
		{ "parts[type=image|file&!file&!blob&!url]", 2 },
		{ "parts[type=image&!file&!blob&!url]", 1 },
		{ "parts[type=image|file]", 4 },
		{ "parts[type=audio|video]", 1 },
		{ "parts[type=video]", 0 },
		{ "parts[type~im*|fi*&name]", 2 },
		{ "parts[type!=text|image|file]", 1 },	/* the audio */
		/* nested: text parts with a citation that has no URL (and no file) */
		{ "parts[type=text&citations[!url]]", 1 },
		{ "parts[type=text&citations[!url&!file]]", 1 },
		{ "parts[type=text&citations[!url&!file&!title]]", 0 },
		{ "parts[type=text&citations]", 2 },	/* an empty array is none */
		{ "parts.citations[!url]", 2 },		/* arrays on the way entered */
		/* with further conditions on the record, and negated */
		{ "parts[type=text&citations]&role=assistant", 2 },
		{ "parts[type=text&citations]&role!=assistant", 0 },
		{ "parts[type=text&citations]&!ext.openai.item", 2 },
		{ "role=user|assistant&parts[type=video]", 0 },
		{ "role=user|assistant&!parts[type=video]", 1 },
		{ "!parts[type=audio]", 0 },
		{ "role[type=x]", 0 },			/* not objects: no element matches */
		{ "nothing[type=x]", 0 },
		/* malformed fields match nowhere, even negated */
		{ "parts[type=image", 0 },
		{ "!parts[type=image", 0 },
		{ "parts[]", 0 },
	};
	size_t i;

	fy_jdoc_init(&d);
	CHECK(fy_jdoc_parse(&d, rec, strlen(rec), 0, &err) == 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t got = fy_capability_count(&d, 0, cases[i].field);

		if (got != cases[i].places)
			fprintf(stderr, "# %s: %llu places, not %llu\n", cases[i].field, (unsigned long long)got,
				(unsigned long long)cases[i].places);
		CHECK(got == cases[i].places);
	}
	fy_jdoc_release(&d);
}

TEST(capability_fields_are_checked)
{
	static const char *const good[] = {
		"parts[type=image|file&!file&!blob&!url]&!ext.openai.item",
		"parts[type=text&citations[!url&!file]]&role=assistant",
		"scope.namespace~*[!A-Za-z0-9_-]*", "scope.namespace=", "source.adapter!=azure",
		"type=builtin&!ext.bedrock-agents", "!model.name&!ext.azure.versions", "a[b[c[d]]]",
		"$secret", "$off-branch", "$unused",
	};
	static const char *const bad[] = {
		"", "!", "&a", "a&", "a&&b", "a..b", ".a", "a.", "=x", "a[", "a]", "a[b", "a[]", "a[b]c",
		"a[b]=c", "a[b]&c]", "a~", "a~x|", "a|b", "a!b", "a[!]", "a[b&]", "$nope",
		"a[b[c[d[e[f[g[h[i[j]]]]]]]]]",
	};
	struct fy_capability c = { FY_KIND_MESSAGE, NULL, FY_CAP_NATIVE, FY_CAP_DEGRADED, "n", "r" };
	struct fy_fidelity_options o;
	struct fy_adapter ad = { .name = "bad", .caps = &c, .ncaps = 1 };
	struct fy_error err;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		c.field = good[i];
		if (fy_capabilities_check("t", &c, 1, &err) != 0)
			fprintf(stderr, "# refused: %s: %s\n", good[i], err.msg);
		CHECK(fy_capabilities_check("t", &c, 1, &err) == 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c.field = bad[i];
		if (fy_capabilities_check("t", &c, 1, &err) == 0)
			fprintf(stderr, "# accepted: %s\n", bad[i]);
		CHECK(fy_capabilities_check("t", &c, 1, &err) < 0 && err.code == FY_E_INTERNAL &&
		      strstr(err.msg, "t: capability line 1"));
	}
	c.field = "parts[type=image";
	CHECK(fy_capabilities_check("t", &c, 1, &err) < 0 && strstr(err.msg, "'parts[type=image': a '[' without its ']'"));
	/* the engine refuses a target whose table it could not read */
	memset(&o, 0, sizeof(o));
	CHECK(fy_fidelity_new(&ad, &o, &err) == NULL && strstr(err.msg, "bad: capability line 1"));
	/* and every registered adapter's table reads */
	for (i = 0; fy_adapters[i]; i++) {
		if (fy_capabilities_check(fy_adapters[i]->name, fy_adapters[i]->caps, fy_adapters[i]->ncaps,
					  &err) != 0)
			fprintf(stderr, "# %s\n", err.msg);
		CHECK(fy_capabilities_check(fy_adapters[i]->name, fy_adapters[i]->caps, fy_adapters[i]->ncaps,
					    &err) == 0);
	}
}

/* A "type=" line with conditions overrides the plain one only where they hold. */
static const struct fy_capability cond_caps[] = {
	{ FY_KIND_AGENT, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE, "agents", NULL },
	{ FY_KIND_AGENT, "!model.name&!ext.x", FY_CAP_NONE, FY_CAP_TRANSFORMED, "a default model",
	  "default-model" },
	{ FY_KIND_TOOL, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE, "tools", NULL },
	{ FY_KIND_TOOL, "type=builtin&!config.name=browser", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "no equivalent", "no-equivalent" },
	{ FY_KIND_TOOL, "type=builtin", FY_CAP_NATIVE, FY_CAP_NATIVE, "the browser", NULL },
};

static const struct fy_adapter cond_ad = {
	.name = "cond", .caps = cond_caps, .ncaps = sizeof(cond_caps) / sizeof(cond_caps[0]),
};

TEST(fidelity_conditions)
{
	static const char *const recs[] = {
		"{\"kind\":\"agent\",\"id\":\"a1\"}",
		"{\"kind\":\"agent\",\"id\":\"a2\",\"model\":{\"name\":\"m\"}}",
		"{\"kind\":\"agent\",\"id\":\"a3\",\"ext\":{\"x\":{}}}",
		"{\"kind\":\"tool\",\"id\":\"t1\",\"type\":\"builtin\",\"config\":{\"name\":\"browser\"}}",
		"{\"kind\":\"tool\",\"id\":\"t2\",\"type\":\"builtin\"}",
		"{\"kind\":\"tool\",\"id\":\"t3\",\"type\":\"function\"}",
	};
	struct fy_fidelity_options o;
	struct fy_error err;
	struct fy_fidelity *f;
	const struct fy_fidelity_report *r;
	const struct fy_plan_line *l;
	size_t i;

	memset(&o, 0, sizeof(o));
	f = fy_fidelity_new(&cond_ad, &o, &err);
	CHECK(f != NULL);
	for (i = 0; i < sizeof(recs) / sizeof(recs[0]); i++)
		CHECK(feed(f, recs[i], NULL) == 0);
	CHECK(fy_fidelity_finish(f, &err) == 0);
	r = fy_fidelity_report(f);
	CHECK(r->nlines == 2);
	l = line(r, FY_KIND_AGENT, "a1", "!model.name&!ext.x");
	CHECK(l != NULL && l->outcome == FY_OUT_TRANSFORMED);
	CHECK_STR(l ? l->rule : NULL, "default-model");
	l = line(r, FY_KIND_TOOL, "t2", NULL);
	CHECK(l != NULL && l->outcome == FY_OUT_DROPPED);
	CHECK_STR(l ? l->rule : NULL, "no-equivalent");
	fy_fidelity_free(f);
}

/* "PATH!=VALUE" field lines: the places where the value is absent or another (workflow adapters). */
static const struct fy_capability wf_caps[] = {
	{ FY_KIND_WORKFLOW, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE, "workflows", NULL },
	{ FY_KIND_WORKFLOW, "nodes.dialect!=mine", FY_CAP_NATIVE, FY_CAP_DEGRADED,
	  "nodes of other providers", "foreign-nodes" },
};

static const struct fy_adapter wf_target = {
	.name = "wftarget",
	.flags = FY_ADAPTER_WRITE,
	.caps = wf_caps,
	.ncaps = sizeof(wf_caps) / sizeof(wf_caps[0]),
};

TEST(fidelity_negated_field_lines)
{
	struct fy_model_policy *pol;
	struct fy_fidelity_options o;
	struct fy_fidelity *f;
	struct fy_error err;
	const struct fy_fidelity_report *r;
	const struct fy_plan_line *l;

	pol = fy_model_policy_load(NULL, &err);
	CHECK(pol != NULL);
	memset(&o, 0, sizeof(o));
	o.policy = pol;
	f = fy_fidelity_new(&wf_target, &o, &err);
	CHECK(f != NULL);
	/* all nodes its own: nothing to say */
	CHECK(feed(f, "{\"kind\":\"workflow\",\"id\":\"own\",\"name\":\"w\",\"edges\":[],\"nodes\":["
		      "{\"id\":\"a\",\"type\":\"llm\",\"dialect\":\"mine\"}],\"source\":{\"adapter\":\"x\"}}",
		   NULL) == 0);
	/* one node of another dialect, one with none: two places */
	CHECK(feed(f, "{\"kind\":\"workflow\",\"id\":\"mixed\",\"name\":\"w\",\"edges\":[],\"nodes\":["
		      "{\"id\":\"a\",\"type\":\"llm\",\"dialect\":\"mine\"},"
		      "{\"id\":\"b\",\"type\":\"llm\",\"dialect\":\"theirs\"},{\"id\":\"c\",\"type\":\"end\"}],"
		      "\"source\":{\"adapter\":\"x\"}}", NULL) == 0);
	/* no nodes at all: no place (the containers on the way must exist) */
	CHECK(feed(f, "{\"kind\":\"workflow\",\"id\":\"empty\",\"name\":\"w\",\"edges\":[],\"nodes\":[],"
		      "\"source\":{\"adapter\":\"x\"}}", NULL) == 0);
	CHECK(fy_fidelity_finish(f, &err) == 0);
	r = fy_fidelity_report(f);
	CHECK(line(r, FY_KIND_WORKFLOW, "own", "nodes.dialect!=mine") == NULL);
	CHECK(line(r, FY_KIND_WORKFLOW, "empty", "nodes.dialect!=mine") == NULL);
	l = line(r, FY_KIND_WORKFLOW, "mixed", "nodes.dialect!=mine");
	CHECK(l != NULL && l->outcome == FY_OUT_DEGRADED && strcmp(l->rule, "foreign-nodes") == 0 &&
	      strstr(l->reason, "(2 places)") != NULL);
	fy_fidelity_free(f);
	fy_model_policy_free(pol);
}
