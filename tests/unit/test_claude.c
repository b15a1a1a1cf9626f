/*
 * test_claude.c - the pure mapping of the claude adapter
 * (adapters/claude_map.c): Claude.ai export JSON in, record text out.
 */
#include <stdlib.h>

#include "claude.h"
#include "jw.h"
#include "schema.h"
#include "unit.h"

#define HAS(s, sub) CHECK(strstr((s), (sub)) != NULL)

struct cl {
	struct fy_claude_map m;
	struct fy_recq q;
	struct fy_error err;
	int rc;
};

static void cl_init(struct cl *x)
{
	memset(x, 0, sizeof(*x));
	fy_claude_map_init(&x->m);
	fy_recq_init(&x->q, 1 << 24);
}

static void cl_release(struct cl *x)
{
	fy_claude_map_release(&x->m);
	fy_recq_release(&x->q);
}

/* Every record and ledger line of the queue validates. */
static int all_valid(struct cl *x)
{
	const struct fy_schemaset *s = fy_schemaset_default(NULL);
	size_t i;
	int ok = 1;

	for (i = 0; i < x->q.n; i++) {
		const struct fy_recq_ent *e = &x->q.ents[i];
		struct fy_jdoc d;
		struct fy_error err;
		int rc;

		if (e->type == FY_ITEM_BLOB)
			continue;
		fy_jdoc_init(&d);
		rc = fy_jdoc_parse(&d, x->q.buf.ptr + e->off, e->len, 0, &err);
		if (rc == 0)
			rc = e->type == FY_ITEM_LEDGER ? fy_schema_validate(s, "ledger.json", &d, 0, 0, &err)
						   : fy_schema_validate_kind(s, e->kind, &d, 0, 0, &err);
		if (rc < 0) {
			fprintf(stderr, "#   %s: %.*s\n", err.msg, (int)e->len, x->q.buf.ptr + e->off);
			ok = 0;
		}
		fy_jdoc_release(&d);
	}
	return ok;
}

static const char *nth(struct cl *x, enum fy_item_type type, enum fy_kind kind, size_t n)
{
	static char out[1 << 14];
	size_t i;

	for (i = 0; i < x->q.n; i++) {
		const struct fy_recq_ent *e = &x->q.ents[i];

		if (e->type != type || (type == FY_ITEM_RECORD && e->kind != kind) || n--)
			continue;
		snprintf(out, sizeof(out), "%.*s", (int)e->len, x->q.buf.ptr + e->off);
		return out;
	}
	return "";
}

static size_t count(struct cl *x, enum fy_item_type type, enum fy_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < x->q.n; i++)
		n += x->q.ents[i].type == type && (type != FY_ITEM_RECORD || x->q.ents[i].kind == kind);
	return n;
}

static int conv(struct cl *x, const char *json)
{
	fy_recq_reset(&x->q);
	x->m.path = "conversations.json";
	x->m.index++;
	x->rc = fy_claude_map_conversation(&x->m, json, strlen(json), &x->q, &x->err);
	return x->rc;
}

#define MSG(u, p, s, extra) \
	"{\"uuid\":\"" u "\",\"sender\":\"" s "\",\"parent_message_uuid\":\"" p "\",\"text\":\"t " u "\"" extra "}"
#define ROOT "00000000-0000-4000-8000-000000000000"

TEST(claude_keeps_the_parent_tree_in_order)
{
	struct cl x;
	size_t i, pos[4] = { 9, 9, 9, 9 };
	static const char *ids[4] = { "\"id\":\"a\"", "\"id\":\"b\"", "\"id\":\"c\"", "\"id\":\"d\"" };

	cl_init(&x);
	/* listed children first; b and c are siblings (a retry) */
	CHECK(conv(&x, "{\"uuid\":\"cv\",\"name\":\"N\",\"created_at\":\"2025-02-10T09:20:00+01:00\",\"chat_messages\":["
		       MSG("d", "c", "human", "") "," MSG("c", "a", "assistant", "") ","
		       MSG("b", "a", "assistant", "") "," MSG("a", ROOT, "human", "") "]}") == 0);
	CHECK(all_valid(&x));
	CHECK(count(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE) == 4);
	for (i = 0; i < 4; i++) {
		size_t k;

		for (k = 0; k < 4; k++)
			if (strstr(nth(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE, k), ids[i]))
				pos[i] = k;
	}
	CHECK(pos[0] < pos[1] && pos[0] < pos[2] && pos[2] < pos[3]);
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_THREAD, 0), "\"created\":\"2025-02-10T08:20:00Z\"");
	/* the last message listed is the active leaf when the export names none */
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_THREAD, 0), "\"active_leaf\":\"a\"");
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE, pos[0]), "\"parent\":null,\"role\":\"user\"");
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE, pos[3]), "\"parent\":\"c\",\"role\":\"user\"");
	cl_release(&x);
}

TEST(claude_without_parent_links_follows_the_listed_order)
{
	struct cl x;

	cl_init(&x);
	CHECK(conv(&x, "{\"uuid\":\"cv\",\"current_leaf_message_uuid\":\"m1\",\"chat_messages\":["
		       "{\"uuid\":\"m1\",\"sender\":\"human\",\"text\":\"hi\"},"
		       "{\"uuid\":\"m2\",\"sender\":\"assistant\",\"text\":\"hello\"}]}") == 0);
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE, 1), "\"id\":\"m2\",\"thread\":\"cv\",\"parent\":\"m1\"");
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_THREAD, 0), "\"active_leaf\":\"m1\"");
	cl_release(&x);
}

TEST(claude_refuses_missing_parents_cycles_and_wrong_types)
{
	static const char *const bad[][2] = {
		{ "{\"uuid\":\"cv\",\"chat_messages\":[" MSG("a", "zz", "human", "") "]}",
		  "conversation 1 'cv': message 'a': its parent 'zz' is not in the conversation" },
		{ "{\"uuid\":\"cv\",\"chat_messages\":[" MSG("a", "b", "human", "") "," MSG("b", "a", "assistant", "") "]}",
		  "the messages have a cycle" },
		{ "{\"uuid\":\"cv\",\"chat_messages\":[" MSG("a", "a", "human", "") "]}", "its own parent" },
		{ "{\"uuid\":\"cv\",\"chat_messages\":[" MSG("a", ROOT, "human", "") "," MSG("a", ROOT, "human", "") "]}",
		  "message 'a': the uuid appears twice" },
		{ "{\"uuid\":\"cv\",\"chat_messages\":{}}", "'chat_messages' is not an array" },
		{ "{\"uuid\":7}", "'uuid' is not a string" },
		{ "{\"name\":\"x\"}", "no 'uuid' string" },
		{ "{\"uuid\":\"cv\",\"chat_messages\":[{\"uuid\":\"a\"}]}", "message 'a': no 'sender' string" },
		{ "{\"uuid\":\"cv\",\"chat_messages\":[" MSG("a", ROOT, "human", ",\"content\":[{\"text\":\"x\"}]") "]}",
		  "content block 0 has no 'type' string" },
		{ "{\"uuid\":\"cv\",\"updated_at\":\"2025-13-01T00:00:00Z\"}", "'updated_at' (2025-13-01T00:00:00Z) is not an RFC 3339 time" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cl x;

		cl_init(&x);
		CHECK(conv(&x, bad[i][0]) < 0);
		CHECK(x.err.code == FY_E_DATA);
		if (!strstr(x.err.msg, bad[i][1]))
			fprintf(stderr, "#   %s\n", x.err.msg);
		HAS(x.err.msg, bad[i][1]);
		HAS(x.err.msg, "conversations.json: conversation 1");
		cl_release(&x);
	}
}

TEST(claude_maps_content_blocks_to_parts)
{
	struct cl x;
	const char *m;

	cl_init(&x);
	CHECK(conv(&x, "{\"uuid\":\"cv\",\"model\":\"claude-sonnet-4\",\"chat_messages\":[{\"uuid\":\"a\",\"sender\":\"assistant\",\"content\":["
		       "{\"type\":\"thinking\",\"thinking\":\"hmm\",\"summaries\":[{\"summary\":\"short\"}],\"signature\":\"sig\"},"
		       "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"web_search\",\"input\":{\"q\":\"x y\"}},"
		       "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"name\":\"web_search\",\"is_error\":true,"
		       "\"content\":[{\"type\":\"text\",\"text\":\"r1\"},{\"type\":\"knowledge\",\"text\":\"r2\",\"url\":\"https://e.x/\",\"title\":\"E\"}]},"
		       "{\"type\":\"text\",\"text\":\"done\",\"citations\":[{\"start_index\":0,\"end_index\":4,\"details\":{\"url\":\"https://e.x/\"}}]},"
		       "{\"type\":\"hologram\",\"beam\":1}],"
		       "\"attachments\":[{\"file_name\":\"a.csv\",\"file_size\":3,\"file_type\":\"text/csv\",\"extracted_content\":\"1,2\"}]}]}") == 0);
	CHECK(all_valid(&x));
	m = nth(&x, FY_ITEM_RECORD, FY_KIND_MESSAGE, 0);
	HAS(m, "\"role\":\"assistant\",\"model\":\"claude-sonnet-4\"");
	HAS(m, "{\"type\":\"reasoning\",\"format\":\"plain\",\"text\":\"hmm\",\"signature\":\"sig\"},{\"type\":\"reasoning\",\"format\":\"summary\",\"text\":\"short\"}");
	HAS(m, "{\"type\":\"tool_call\",\"id\":\"toolu_1\",\"name\":\"web_search\",\"tool_type\":\"web_search\",\"arguments\":\"{\\\"q\\\":\\\"x y\\\"}\"}");
	HAS(m, "{\"type\":\"tool_result\",\"call_id\":\"toolu_1\",\"name\":\"web_search\",\"output\":\"r1\\n\\nr2\",\"is_error\":true},{\"type\":\"citation\",\"url\":\"https://e.x/\",\"title\":\"E\"}");
	HAS(m, "{\"type\":\"text\",\"text\":\"done\",\"citations\":[{\"type\":\"citation\",\"url\":\"https://e.x/\",\"start\":0,\"end\":4}]}");
	HAS(m, "{\"type\":\"other\",\"content_type\":\"hologram\",\"data\":{\"type\":\"hologram\",\"beam\":1}}");
	HAS(m, "{\"type\":\"file\",\"name\":\"a.csv\",\"media_type\":\"text/csv\",\"size\":3,\"text\":\"1,2\"}");
	CHECK(count(&x, FY_ITEM_LEDGER, FY_KIND_NONE) == 1);
	HAS(nth(&x, FY_ITEM_LEDGER, FY_KIND_NONE, 0), "\"rule\":\"unknown-content-type\"");
	cl_release(&x);
}

TEST(claude_maps_projects_memories_and_links_them)
{
	const char *mem = "[{\"conversations_memory\":\"Likes rye.\",\"account_uuid\":\"acct\","
			  "\"project_memories\":{\"p1\":\"Costs in euros.\",\"gone\":\"Old project.\"}}]";
	const char *proj = "{\"uuid\":\"p1\",\"name\":\"Bakery\",\"prompt_template\":\"Be brief.\","
			   "\"docs\":[{\"uuid\":\"d1\",\"filename\":\"a.md\",\"content\":\"# caf\\u00e9\"}],\"is_private\":true}";
	struct cl x;
	struct fy_item it;
	char data[64];
	size_t got;

	cl_init(&x);
	x.m.path = "memories.json";
	CHECK(fy_claude_note_memories(&x.m, mem, strlen(mem), &x.err) == 0);
	x.m.path = "projects.json";
	x.m.index = 1;
	CHECK(fy_claude_map_project(&x.m, proj, strlen(proj), &x.q, &x.err) == 0);
	CHECK(all_valid(&x));
	/* blob, file, knowledge, agent */
	CHECK(x.q.n == 4);
	CHECK(fy_recq_pop(&x.q, &it) == 1 && it.type == FY_ITEM_BLOB && it.size == 7);
	CHECK(it.read(it.ctx, data, sizeof(data), &got, &x.err) == 0 && got == 7 && memcmp(data, "# caf\xc3\xa9", 7) == 0);
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_FILE, 0), "\"id\":\"d1\",\"name\":\"a.md\",\"blob\":\"");
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_FILE, 0), "\"media_type\":\"text/markdown\",\"size\":7");
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_KNOWLEDGE, 0), "\"id\":\"p1\",\"name\":\"Bakery: project knowledge\",\"files\":[\"d1\"]");
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_AGENT, 0),
	    "\"name\":\"Bakery\",\"instructions\":\"Be brief.\",\"knowledge\":[\"p1\"],\"memory\":[\"claude-project-memory-p1\"]");
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_AGENT, 0), "\"ext\":{\"claude\":{\"is_private\":true}}");
	fy_recq_reset(&x.q);
	x.m.path = "memories.json";
	CHECK(fy_claude_map_memories(&x.m, mem, strlen(mem), &x.q, &x.err) == 0);
	CHECK(all_valid(&x));
	CHECK(count(&x, FY_ITEM_RECORD, FY_KIND_MEMORY) == 3);
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MEMORY, 0), "\"id\":\"claude-memory-acct\",\"scope\":{\"type\":\"user\",\"user\":\"acct\"},\"type\":\"summary\",\"label\":\"conversations_memory\",\"text\":\"Likes rye.\"");
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MEMORY, 1), "\"scope\":{\"type\":\"agent\",\"agent\":\"p1\",\"user\":\"acct\"}");
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_MEMORY, 2), "\"id\":\"claude-project-memory-gone\",\"scope\":{\"type\":\"user\"");
	CHECK(count(&x, FY_ITEM_LEDGER, FY_KIND_NONE) == 1);
	/* a conversation of the project names its agent */
	CHECK(conv(&x, "{\"uuid\":\"cv\",\"project_uuid\":\"p1\",\"chat_messages\":[]}") == 0);
	HAS(nth(&x, FY_ITEM_RECORD, FY_KIND_THREAD, 0), "\"agent\":\"p1\"");
	CHECK(conv(&x, "{\"uuid\":\"cv2\",\"project\":{\"uuid\":\"other\"},\"chat_messages\":[]}") == 0);
	CHECK(strstr(nth(&x, FY_ITEM_RECORD, FY_KIND_THREAD, 0), "\"agent\"") == NULL);
	HAS(nth(&x, FY_ITEM_LEDGER, FY_KIND_NONE, 0), "\"rule\":\"project-not-in-export\"");
	cl_release(&x);
}

TEST(claude_rfc3339_times_with_offsets)
{
	int64_t s;
	int32_t ns;

	CHECK(jw_rfc3339("2025-02-10T09:20:00+00:00", 25, &s, &ns) == 0 && s == 1739179200 && ns == 0);
	CHECK(jw_rfc3339("2025-02-10T10:20:00.5+01:00", 27, &s, &ns) == 0 && s == 1739179200 && ns == 500000000);
	CHECK(jw_rfc3339("2025-02-10T04:50:00-04:30", 25, &s, &ns) == 0 && s == 1739179200);
	CHECK(jw_rfc3339("2025-02-10T09:20:00.123456Z", 27, &s, &ns) == 0 && ns == 123456000);
	CHECK(jw_rfc3339("2025-02-10T09:20:00", 19, &s, &ns) < 0);
	CHECK(jw_rfc3339("2025-02-10T09:20:00+25:00", 25, &s, &ns) < 0);
	CHECK(jw_rfc3339("yesterday at noon, roughly", 26, &s, &ns) < 0);
}
