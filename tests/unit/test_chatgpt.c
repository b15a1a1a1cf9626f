/*
 * test_chatgpt.c - the pure mapping of the chatgpt adapter
 * (adapters/chatgpt_map.c) and the array splitter it reads with
 * (adapters/jarray.c). Provider JSON in, neutral record text out, no I/O.
 */
#include <stdlib.h>

#include "chatgpt.h"
#include "jarray.h"
#include "jw.h"
#include "schema.h"
#include "unit.h"

/* A conversation mapped; every record is also checked against its schema. */
struct mapped {
	struct fy_chatgpt_map m;
	struct fy_recq q;
	struct fy_error err;
	int rc;
	size_t records, ledger;
};

static int schema_ok(const struct fy_item *it)
{
	const struct fy_schemaset *s = fy_schemaset_default(NULL);
	struct fy_jdoc d;
	struct fy_error err;
	int rc;

	fy_jdoc_init(&d);
	rc = fy_jdoc_parse(&d, it->json, it->len, 0, &err);
	if (rc == 0)
		rc = it->type == FY_ITEM_LEDGER ? fy_schema_validate(s, "ledger.json", &d, 0, 0, &err)
						: fy_schema_validate_kind(s, it->kind, &d, 0, 0, &err);
	if (rc < 0)
		fprintf(stderr, "#   %s\n#   in %.*s\n", err.msg, (int)it->len, it->json);
	fy_jdoc_release(&d);
	return rc == 0;
}

static void map_more(struct mapped *x, const char *json)
{
	struct fy_item it;
	size_t i;

	fy_error_clear(&x->err);
	fy_recq_reset(&x->q);
	x->m.index++;
	x->rc = fy_chatgpt_map_conversation(&x->m, json, strlen(json), &x->q, &x->err);
	x->records = x->ledger = 0;
	if (x->rc < 0)
		return;
	for (i = 0; fy_recq_pop(&x->q, &it); i++) {
		if (it.type == FY_ITEM_BLOB)
			continue;
		CHECK(schema_ok(&it));
		if (it.type == FY_ITEM_LEDGER)
			x->ledger++;
		else
			x->records++;
	}
	x->q.next = 0;	/* let the test pop again */
}

static void map_one(struct mapped *x, const char *json)
{
	memset(x, 0, sizeof(*x));
	fy_chatgpt_map_init(&x->m);
	fy_recq_init(&x->q, (size_t)1 << 26);
	x->m.path = "conversations.json";
	map_more(x, json);
}

static void mapped_release(struct mapped *x)
{
	fy_chatgpt_map_release(&x->m);
	fy_recq_release(&x->q);
}

/* The n-th record (0-based) of the given kind, NUL-terminated copy (static storage). */
static const char *nth(struct mapped *x, enum fy_item_type type, enum fy_kind kind, size_t n)
{
	static char out[1 << 14];
	size_t i;

	for (i = 0; i < x->q.n; i++) {
		const struct fy_recq_ent *e = &x->q.ents[i];

		if (e->type != type || (type == FY_ITEM_RECORD && e->kind != kind))
			continue;
		if (n--)
			continue;
		snprintf(out, sizeof(out), "%.*s", (int)e->len, x->q.buf.ptr + e->off);
		return out;
	}
	return "";
}

static size_t count_kind(struct mapped *x, enum fy_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < x->q.n; i++)
		n += x->q.ents[i].type == FY_ITEM_RECORD && x->q.ents[i].kind == kind;
	return n;
}

#define HAS(s, sub) CHECK(strstr((s), (sub)) != NULL)

/* A message node: key, parent (or NULL), role, content JSON, extra members. */
static void node(char *out, size_t cap, const char *key, const char *parent, const char *role,
		 const char *content, const char *extra)
{
	char p[64];

	if (parent)
		snprintf(p, sizeof(p), "\"%s\"", parent);
	else
		snprintf(p, sizeof(p), "null");
	snprintf(out + strlen(out), cap - strlen(out),
		 "%s\"%s\":{\"id\":\"%s\",\"parent\":%s,\"children\":[],\"message\":{\"id\":\"%s\","
		 "\"author\":{\"role\":\"%s\",\"name\":null},\"create_time\":1700000000.5,"
		 "\"content\":%s%s%s}}",
		 out[strlen(out) - 1] == '{' ? "" : ",", key, key, p, key, role, content,
		 extra ? "," : "", extra ? extra : "");
}

static const char *conv_open = "{\"id\":\"c1\",\"title\":\"T\",\"create_time\":1700000000,\"mapping\":{";

TEST(chatgpt_maps_a_linear_conversation)
{
	char j[4096] = "";
	struct mapped x;
	const char *t;

	strcat(j, conv_open);
	strcat(j, "\"root\":{\"id\":\"root\",\"message\":null,\"parent\":null,\"children\":[\"a\"]}");
	node(j, sizeof(j), "a", "root", "user", "{\"content_type\":\"text\",\"parts\":[\"hi \\u00e9\"]}", NULL);
	node(j, sizeof(j), "b", "a", "assistant", "{\"content_type\":\"text\",\"parts\":[\"hello\"]}",
	     "\"metadata\":{\"model_slug\":\"gpt-4o\"}");
	strcat(j, "},\"current_node\":\"b\",\"update_time\":1700000009.25}");
	map_one(&x, j);
	CHECK(x.rc == 0);
	CHECK(x.records == 3);
	CHECK(x.ledger == 0);	/* the root placeholder goes silently */
	t = nth(&x, FY_ITEM_RECORD, FY_KIND_THREAD, 0);
	HAS(t, "\"id\":\"c1\"");
	HAS(t, "\"active_leaf\":\"b\"");
	HAS(t, "\"created\":\"2023-11-14T22:13:20Z\"");
	HAS(t, "\"updated\":\"2023-11-14T22:13:29.25Z\"");
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE, 0), "\"id\":\"a\",\"thread\":\"c1\",\"parent\":null,\"role\":\"user\"");
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE, 0), "\"text\":\"hi \\u00e9\"");	/* escapes copied through */
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE, 1), "\"parent\":\"a\"");
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE, 1), "\"model\":\"gpt-4o\"");
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE, 1), "\"created\":\"2023-11-14T22:13:20.5Z\"");
	mapped_release(&x);
}

TEST(chatgpt_emits_parents_first_and_keeps_every_branch)
{
	char j[8192] = "";
	struct mapped x;
	size_t i, pos[5];
	const char *ids[5] = { "\"id\":\"r\"", "\"id\":\"u1\"", "\"id\":\"a1\"", "\"id\":\"a2\"",
			       "\"id\":\"u2\"" };

	/* children listed before their parents, and two regenerated answers */
	strcat(j, conv_open);
	node(j, sizeof(j), "u2", "a2", "user", "{\"content_type\":\"text\",\"parts\":[\"again\"]}", NULL);
	node(j, sizeof(j), "a2", "u1", "assistant", "{\"content_type\":\"text\",\"parts\":[\"two\"]}", NULL);
	node(j, sizeof(j), "a1", "u1", "assistant", "{\"content_type\":\"text\",\"parts\":[\"one\"]}", NULL);
	node(j, sizeof(j), "u1", "r", "user", "{\"content_type\":\"text\",\"parts\":[\"q\"]}", NULL);
	node(j, sizeof(j), "r", NULL, "system", "{\"content_type\":\"text\",\"parts\":[\"\"]}", NULL);
	strcat(j, "},\"current_node\":\"u2\"}");
	map_one(&x, j);
	CHECK(x.rc == 0);
	CHECK(count_kind(&x, FY_KIND_MESSAGE) == 5);
	for (i = 0; i < 5; i++) {
		size_t k;

		pos[i] = (size_t)-1;
		for (k = 0; k < 5; k++)
			if (strstr(nth(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE, k), ids[i]))
				pos[i] = k;
		CHECK(pos[i] != (size_t)-1);
	}
	CHECK(pos[0] < pos[1] && pos[1] < pos[2] && pos[1] < pos[3] && pos[3] < pos[4]);
	mapped_release(&x);
}

TEST(chatgpt_reattaches_children_of_empty_nodes)
{
	char j[4096] = "";
	struct mapped x;

	strcat(j, conv_open);
	node(j, sizeof(j), "a", NULL, "user", "{\"content_type\":\"text\",\"parts\":[\"q\"]}", NULL);
	strcat(j, ",\"gap\":{\"id\":\"gap\",\"parent\":\"a\",\"children\":[\"b\"]}");
	node(j, sizeof(j), "b", "gap", "assistant", "{\"content_type\":\"text\",\"parts\":[\"r\"]}", NULL);
	strcat(j, "},\"current_node\":\"gap\"}");
	map_one(&x, j);
	CHECK(x.rc == 0);
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE, 1), "\"id\":\"b\",\"thread\":\"c1\",\"parent\":\"a\"");
	/* current_node without a message: its nearest ancestor with one */
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_THREAD, 0), "\"active_leaf\":\"a\"");
	CHECK(x.ledger == 1);
	HAS(nth(&x, FY_ITEM_LEDGER, FY_KIND_NONE, 0), "\"rule\":\"empty-node\"");
	mapped_release(&x);
}

TEST(chatgpt_refuses_a_missing_parent_and_names_it)
{
	char j[4096] = "";
	struct mapped x;

	strcat(j, conv_open);
	node(j, sizeof(j), "a", NULL, "user", "{\"content_type\":\"text\",\"parts\":[\"q\"]}", NULL);
	node(j, sizeof(j), "b", "zz", "assistant", "{\"content_type\":\"text\",\"parts\":[\"r\"]}", NULL);
	strcat(j, "}}");
	map_one(&x, j);
	CHECK(x.rc < 0);
	CHECK(x.err.code == FY_E_DATA);
	CHECK(strcmp(x.err.msg, "conversations.json: conversation 1 'c1': node 'b': its parent 'zz' is not in the mapping") == 0);
	mapped_release(&x);
}

TEST(chatgpt_refuses_cycles)
{
	char j[4096] = "";
	struct mapped x;

	strcat(j, conv_open);
	node(j, sizeof(j), "a", "c", "user", "{\"content_type\":\"text\",\"parts\":[\"q\"]}", NULL);
	node(j, sizeof(j), "b", "a", "assistant", "{\"content_type\":\"text\",\"parts\":[\"r\"]}", NULL);
	node(j, sizeof(j), "c", "b", "user", "{\"content_type\":\"text\",\"parts\":[\"s\"]}", NULL);
	strcat(j, "}}");
	map_one(&x, j);
	CHECK(x.rc < 0);
	HAS(x.err.msg, "conversation 1 'c1': node '");
	HAS(x.err.msg, "cycle");
	fy_recq_reset(&x.q);
	/* a node that is its own parent */
	map_more(&x, "{\"id\":\"c2\",\"mapping\":{\"s\":{\"parent\":\"s\",\"message\":null}}}");
	CHECK(x.rc < 0);
	HAS(x.err.msg, "conversation 2 'c2': node 's': the mapping has a cycle");
	mapped_release(&x);
}

TEST(chatgpt_refuses_wrong_types)
{
	static const char *const bad[][2] = {
		{ "[1]", "not a JSON object" },
		{ "{\"mapping\":{}}", "no 'id' or 'conversation_id' string" },
		{ "{\"id\":\"c\",\"mapping\":[]}", "'mapping' is not an object" },
		{ "{\"id\":\"c\",\"mapping\":{},\"title\":5}", "'title' is not a string" },
		{ "{\"id\":\"c\",\"mapping\":{},\"create_time\":\"x\"}", "'create_time' is not a number" },
		{ "{\"id\":\"c\",\"mapping\":{},\"current_node\":1}", "'current_node' is not a string" },
		{ "{\"id\":\"c\",\"mapping\":{\"n\":[]}}", "node 'n': not an object" },
		{ "{\"id\":\"c\",\"mapping\":{\"n\":{\"parent\":3}}}", "node 'n': 'parent' is not a string" },
		{ "{\"id\":\"c\",\"mapping\":{\"n\":{\"message\":\"x\"}}}", "node 'n': 'message' is not an object" },
		{ "{\"id\":\"c\",\"mapping\":{\"n\":{\"message\":{\"author\":{\"role\":1}}}}}",
		  "node 'n': the message's author has no 'role' string" },
		{ "{\"id\":\"c\",\"mapping\":{\"n\":{\"message\":{\"author\":{\"role\":\"user\"},\"content\":{\"content_type\":\"text\",\"parts\":\"x\"}}}}}",
		  "node 'n': 'content.parts' is not an array" },
		{ "{\"id\":\"c\",\"mapping\":{\"n\":{\"message\":{\"author\":{\"role\":\"user\"},\"create_time\":-5,\"content\":{\"content_type\":\"text\",\"parts\":[]}}}}}",
		  "node 'n': 'create_time' (-5) is not a time" },
		{ "{\"id\":\"c\",\"mapping\":{}} trailing", "conversation 1: invalid JSON" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mapped x;

		map_one(&x, bad[i][0]);
		CHECK(x.rc < 0);
		CHECK(x.err.code == FY_E_DATA);
		if (!strstr(x.err.msg, bad[i][1]))
			fprintf(stderr, "#   %s -> %s\n", bad[i][0], x.err.msg);
		HAS(x.err.msg, bad[i][1]);
		HAS(x.err.msg, "conversations.json: conversation 1");
		mapped_release(&x);
	}
}

TEST(chatgpt_keeps_unknown_content_verbatim_with_a_warning)
{
	char j[4096] = "";
	struct mapped x;
	const char *m;

	strcat(j, conv_open);
	node(j, sizeof(j), "a", NULL, "tool", "{\"content_type\":\"hologram\",\"frames\":[1,2.50,{\"z\":null}]}", NULL);
	strcat(j, "}}");
	map_one(&x, j);
	CHECK(x.rc == 0);
	m = nth(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE, 0);
	HAS(m, "{\"type\":\"other\",\"content_type\":\"hologram\",\"data\":{\"content_type\":\"hologram\",\"frames\":[1,2.50,{\"z\":null}]}}");
	CHECK(x.ledger == 1);
	HAS(nth(&x, FY_ITEM_LEDGER, FY_KIND_NONE, 0), "\"outcome\":\"warning\",\"rule\":\"unknown-content-type\"");
	mapped_release(&x);
}

TEST(chatgpt_pairs_tool_calls_and_results)
{
	const char *j =
		"{\"id\":\"c1\",\"mapping\":{"
		"\"u\":{\"message\":{\"author\":{\"role\":\"user\"},\"content\":{\"content_type\":\"text\",\"parts\":[\"plot\"]}}},"
		"\"c\":{\"parent\":\"u\",\"message\":{\"author\":{\"role\":\"assistant\"},\"recipient\":\"python\","
		"\"content\":{\"content_type\":\"code\",\"language\":\"unknown\",\"text\":\"print(1)\"}}},"
		"\"b\":{\"parent\":\"c\",\"message\":{\"author\":{\"role\":\"assistant\"},\"recipient\":\"browser\","
		"\"content\":{\"content_type\":\"code\",\"text\":\"search('x')\"}}},"
		"\"r\":{\"parent\":\"b\",\"message\":{\"author\":{\"role\":\"tool\",\"name\":\"python\"},"
		"\"content\":{\"content_type\":\"execution_output\",\"text\":\"1\\n\"}}},"
		"\"e\":{\"parent\":\"r\",\"message\":{\"author\":{\"role\":\"tool\",\"name\":\"browser\"},"
		"\"content\":{\"content_type\":\"system_error\",\"name\":\"E\",\"text\":\"boom\"}}},"
		"\"z\":{\"parent\":\"e\",\"message\":{\"author\":{\"role\":\"tool\",\"name\":\"bio\"},"
		"\"content\":{\"content_type\":\"text\",\"parts\":[\"saved\"]}}}}}";
	struct mapped x;

	map_one(&x, j);
	CHECK(x.rc == 0);
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE, 1),
	    "\"parts\":[{\"type\":\"tool_call\",\"id\":\"c\",\"name\":\"python\",\"tool_type\":\"code_interpreter\",\"arguments\":\"print(1)\"}]");
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE, 2), "\"tool_type\":\"web_search\"");
	/* the tool's name picks the call it answers, past a call to another tool */
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE, 3),
	    "\"parts\":[{\"type\":\"tool_result\",\"call_id\":\"c\",\"name\":\"python\",\"output\":\"1\\n\"}]");
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE, 4), "\"call_id\":\"b\",\"name\":\"browser\",\"output\":\"boom\",\"is_error\":true");
	/* a tool message that answers no call keeps its parts */
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE, 5), "\"role\":\"tool\",\"author\":{\"name\":\"bio\"},\"parts\":[{\"type\":\"text\",\"text\":\"saved\"}]");
	mapped_release(&x);
}

TEST(chatgpt_turns_custom_instructions_and_memories_into_memory_once)
{
	const char *a =
		"{\"id\":\"c1\",\"mapping\":{\"n\":{\"message\":{\"id\":\"m1\",\"author\":{\"role\":\"user\"},\"create_time\":1700000000,"
		"\"content\":{\"content_type\":\"user_editable_context\",\"user_profile\":\"I bake.\",\"user_instructions\":\"Be brief.\"}}},"
		"\"k\":{\"parent\":\"n\",\"message\":{\"id\":\"m2\",\"author\":{\"role\":\"assistant\"},\"create_time\":1700000001,"
		"\"content\":{\"content_type\":\"model_editable_context\",\"model_set_context\":\"1. [2024-03-02]. Runs a bakery.\\n\\n2. Likes rye.\\nReally.\"}}}}}";
	const char *b =
		"{\"id\":\"c2\",\"mapping\":{\"n\":{\"message\":{\"id\":\"m3\",\"author\":{\"role\":\"user\"},"
		"\"content\":{\"content_type\":\"user_editable_context\",\"user_profile\":\"I bake.\",\"user_instructions\":\"Be kind.\"}}}}}";
	struct mapped x;

	map_one(&x, a);
	CHECK(x.rc == 0);
	CHECK(count_kind(&x, FY_KIND_MEMORY) == 4);
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MEMORY, 0), "\"type\":\"profile\",\"label\":\"about_user\",\"text\":\"I bake.\"");
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MEMORY, 0), "\"scope\":{\"type\":\"user\"}");
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MEMORY, 1), "\"label\":\"about_model\",\"text\":\"Be brief.\"");
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MEMORY, 2), "\"type\":\"fact\",\"label\":\"memory\",\"text\":\"Runs a bakery.\",\"created\":\"2024-03-02T00:00:00Z\"");
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MEMORY, 3), "\"text\":\"Likes rye.\\nReally.\",\"created\":\"2023-11-14T22:13:21Z\"");
	/* the same profile in another conversation is not repeated; the new instructions are */
	map_more(&x, b);
	CHECK(x.rc == 0);
	CHECK(count_kind(&x, FY_KIND_MEMORY) == 1);
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MEMORY, 0), "\"text\":\"Be kind.\"");
	CHECK(x.m.memories == 5);
	mapped_release(&x);
}

static int fake_resolve(void *cb, const char *id, size_t n, struct fy_chatgpt_asset *out)
{
	(void)cb;
	if (n != 9 || memcmp(id, "file-Abc1", 9) != 0)
		return 0;
	memset(out->hex, 'a', 64);
	out->hex[64] = '\0';
	out->size = 1234;
	strcpy(out->file, "file-Abc1-cat.png");
	out->media_type = "image/png";
	return 1;
}

TEST(chatgpt_resolves_image_pointers_or_keeps_the_url)
{
	const char *j =
		"{\"id\":\"c1\",\"mapping\":{\"n\":{\"message\":{\"id\":\"m1\",\"author\":{\"role\":\"user\"},"
		"\"content\":{\"content_type\":\"multimodal_text\",\"parts\":["
		"{\"content_type\":\"image_asset_pointer\",\"asset_pointer\":\"file-service://file-Abc1\",\"width\":10,\"height\":20},"
		"{\"content_type\":\"image_asset_pointer\",\"asset_pointer\":\"sediment://file_9\",\"size_bytes\":5},\"see\"]}}}}}";
	struct mapped x;
	const char *m;

	memset(&x, 0, sizeof(x));
	fy_chatgpt_map_init(&x.m);
	fy_recq_init(&x.q, 1 << 20);
	x.m.path = "conversations.json";
	x.m.resolve = fake_resolve;
	map_more(&x, j);
	CHECK(x.rc == 0);
	m = nth(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE, 0);
	HAS(m, "{\"type\":\"image\",\"blob\":\"aaaaaaaa");
	HAS(m, "\"file\":\"file-Abc1-cat.png\",\"media_type\":\"image/png\",\"size\":1234,\"width\":10,\"height\":20}");
	HAS(m, "{\"type\":\"image\",\"url\":\"sediment://file_9\",\"size\":5}");
	CHECK(x.ledger == 1);
	HAS(nth(&x, FY_ITEM_LEDGER, FY_KIND_NONE, 0), "\"rule\":\"asset-not-in-export\"");
	mapped_release(&x);
}

TEST(chatgpt_unix_times_convert_exactly)
{
	int64_t s;
	int32_t ns;

	CHECK(jw_epoch("1717171705.123456", 17, &s, &ns) == 0 && s == 1717171705 && ns == 123456000);
	CHECK(jw_epoch("1700000002.000001", 17, &s, &ns) == 0 && ns == 1000);
	CHECK(jw_epoch("1", 1, &s, &ns) == 0 && s == 1 && ns == 0);
	CHECK(jw_epoch("1.5e3", 5, &s, &ns) == 0 && s == 1500 && ns == 0);
	CHECK(jw_epoch("1.0000000019", 12, &s, &ns) == 0 && ns == 1);
	CHECK(jw_epoch("-1", 2, &s, &ns) < 0);
	CHECK(jw_epoch("99999999999999", 14, &s, &ns) < 0);
}

static int mem_read(void *ctx, void *buf, size_t n, size_t *got, struct fy_error *err)
{
	const char **p = ctx;
	size_t k = strlen(*p);

	(void)err;
	if (k > n)
		k = n;
	if (k > 3)
		k = 3;	/* tiny reads: every element straddles a refill */
	memcpy(buf, *p, k);
	*p += k;
	*got = k;
	return 0;
}

static int split(const char *text, unsigned flags, size_t *count, struct fy_error *err)
{
	struct fy_jarray ja;
	struct fy_jdoc d;
	const char *p = text;
	int rc;

	fy_jarray_init(&ja, mem_read, &p, flags, 1 << 20);
	fy_jdoc_init(&d);
	*count = 0;
	while ((rc = fy_jarray_next_doc(&ja, &d, 0, err)) == 1)
		(*count)++;
	fy_jdoc_release(&d);
	fy_jarray_release(&ja);
	return rc;
}

TEST(jarray_splits_elements_one_at_a_time)
{
	struct fy_error err;
	size_t n;

	CHECK(split(" [ {\"a\":[1,{\"b\":\"]\"}]} ,\n\"s\\\"]\" , 12 ,-3.5,true, null ,[]] \n", 0, &n, &err) == 0);
	CHECK(n == 7);
	CHECK(split("[]", 0, &n, &err) == 0 && n == 0);
	CHECK(split("{\"one\":1}", FY_JARRAY_OBJECT, &n, &err) == 0 && n == 1);
	CHECK(split("[1,2", 0, &n, &err) < 0);
	HAS(err.msg, "truncated");
	CHECK(split("[{\"a\":1},{\"b\":", 0, &n, &err) < 0);
	HAS(err.msg, "truncated: the file ends inside element 2");
	CHECK(split("[1 2]", 0, &n, &err) < 0);
	HAS(err.msg, "expected ',' or ']' after element 1");
	CHECK(split("[1,]", 0, &n, &err) < 0);
	CHECK(split("[1] x", 0, &n, &err) < 0);
	HAS(err.msg, "data after the end");
	CHECK(split("[{\"a\":1,\"a\":2}]", 0, &n, &err) < 0);
	HAS(err.msg, "element 1 (at byte 1): invalid JSON");
	CHECK(split("{\"one\":1}", 0, &n, &err) < 0);
	CHECK(split("", 0, &n, &err) < 0);
}

TEST(chatgpt_moves_texts_too_long_for_a_record_into_blobs)
{
	size_t n = (size_t)13 << 20, i, blobs = 0;
	char *j = malloc(n + 512);
	struct mapped x;
	const char *m;
	int len;

	CHECK(j != NULL);
	if (!j)
		return;
	len = snprintf(j, 512, "{\"id\":\"c1\",\"mapping\":{\"n\":{\"message\":{\"author\":{\"role\":\"user\"},"
			       "\"metadata\":{\"k\":1},\"content\":{\"content_type\":\"text\",\"parts\":[\"short\",\"");
	memset(j + len, 'a', n);
	strcpy(j + len + n, "\"]}}}}}");
	map_one(&x, j);
	CHECK(x.rc == 0);
	m = nth(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE, 0);
	HAS(m, "\"parts\":[{\"type\":\"text\",\"text\":\"short\"},{\"type\":\"file\",\"blob\":\"");
	HAS(m, "\"media_type\":\"text/plain; charset=utf-8\",\"size\":13631488}");
	CHECK(strstr(m, "\"metadata\"") == NULL);
	for (i = 0; i < x.q.n; i++)
		blobs += x.q.ents[i].type == FY_ITEM_BLOB && x.q.ents[i].len == n;
	CHECK(blobs == 1);
	HAS(nth(&x, FY_ITEM_LEDGER, FY_KIND_NONE, 0), "\"rule\":\"text-in-blob\"");
	mapped_release(&x);
	free(j);
}
