/* test_n8n_map.c - the pure n8n mapping (adapters/n8n_map.h) and its helpers. */
#include <stdlib.h>

#include "n8n_map.h"
#include "unit.h"
#include "wfutil.h"

TEST(n8n_node_kinds)
{
	CHECK_STR(n8n_node_kind("@n8n/n8n-nodes-langchain.chatTrigger", NULL, 0), "trigger");
	CHECK_STR(n8n_node_kind("n8n-nodes-base.webhook", NULL, 0), "trigger");
	CHECK_STR(n8n_node_kind("@n8n/n8n-nodes-langchain.agent", NULL, 0), "agent");
	CHECK_STR(n8n_node_kind("@n8n/n8n-nodes-langchain.lmChatOpenAi", NULL, 0), "model");
	CHECK_STR(n8n_node_kind("@n8n/n8n-nodes-langchain.lmOllama", NULL, 0), "model");
	CHECK_STR(n8n_node_kind("@n8n/n8n-nodes-langchain.chainLlm", NULL, 0), "llm");
	CHECK_STR(n8n_node_kind("@n8n/n8n-nodes-langchain.memoryBufferWindow", NULL, 0), "memory");
	CHECK_STR(n8n_node_kind("@n8n/n8n-nodes-langchain.toolCalculator", NULL, 0), "tool");
	CHECK_STR(n8n_node_kind("n8n-nodes-base.gmailTool", NULL, 0), "tool");
	CHECK_STR(n8n_node_kind("@n8n/n8n-nodes-langchain.vectorStoreInMemory", NULL, 0), "retriever");
	CHECK_STR(n8n_node_kind("n8n-nodes-base.if", NULL, 0), "condition");
	CHECK_STR(n8n_node_kind("n8n-nodes-base.splitInBatches", NULL, 0), "loop");
	CHECK_STR(n8n_node_kind("n8n-nodes-base.executeWorkflow", NULL, 0), "subworkflow");
	CHECK_STR(n8n_node_kind("n8n-nodes-base.code", NULL, 0), "code");
	CHECK_STR(n8n_node_kind("n8n-nodes-base.set", NULL, 0), "transform");
	CHECK_STR(n8n_node_kind("n8n-nodes-base.respondToWebhook", NULL, 0), "message");
	/* what has no neutral type stays "other" (kept verbatim by the mapping) */
	CHECK_STR(n8n_node_kind("n8n-nodes-base.slack", NULL, 0), "other");
	CHECK_STR(n8n_node_kind("n8n-nodes-acme.widget", NULL, 0), "other");
}

TEST(n8n_secret_names_stay_distinct)
{
	char a[FY_ID_MAX + 1], b[FY_ID_MAX + 1], c[FY_ID_MAX + 1];

	/* a name that needs no change has no hash */
	n8n_secret_name("openAiApi", "Prod", a);
	CHECK_STR(a, "N8N_CRED_openAiApi_Prod");
	/* names that differ only in what the environment cannot spell still differ */
	n8n_secret_name("openAiApi", "Prod key", b);
	n8n_secret_name("openAiApi", "Prod-key", c);
	CHECK(strncmp(b, "N8N_CRED_openAiApi_Prod_key_", 28) == 0);
	CHECK(strncmp(c, "N8N_CRED_openAiApi_Prod_key_", 28) == 0);
	CHECK(strcmp(b, c) != 0);
	CHECK(strlen(b) == 28 + 8);
}

TEST(wf_uuid_is_stable_and_shaped)
{
	char a[37], b[37];

	wf_uuid_from("seed", 4, a);
	wf_uuid_from("seed", 4, b);
	CHECK_STR(a, b);
	CHECK(strlen(a) == 36 && a[8] == '-' && a[14] == '4' && strchr("89ab", a[19]));
	wf_uuid_from("seed2", 5, b);
	CHECK(strcmp(a, b) != 0);
}

static int collect(void *ctx, const char *json, size_t len, struct fy_error *err)
{
	if (fy_buf_add(ctx, json, len, err) < 0)
		return -1;
	return fy_buf_addc(ctx, '\n', err);
}

static const char wf_json[] =
	"{\"id\":\"w1\",\"name\":\"Chat\",\"nodes\":["
	"{\"id\":\"t\",\"name\":\"When chat message received\",\"type\":\"@n8n/n8n-nodes-langchain.chatTrigger\",\"typeVersion\":1.4,\"parameters\":{}},"
	"{\"id\":\"a\",\"name\":\"AI Agent\",\"type\":\"@n8n/n8n-nodes-langchain.agent\",\"typeVersion\":3.1,\"parameters\":{\"options\":{\"systemMessage\":\"Be brief\"}}},"
	"{\"id\":\"m\",\"name\":\"Model\",\"type\":\"@n8n/n8n-nodes-langchain.lmChatOpenAi\",\"parameters\":{\"model\":{\"__rl\":true,\"value\":\"gpt-4o-mini\"}},"
	"\"credentials\":{\"openAiApi\":{\"id\":\"c1\",\"name\":\"Key\"}}},"
	"{\"id\":\"s\",\"name\":\"Simple Memory\",\"type\":\"@n8n/n8n-nodes-langchain.memoryBufferWindow\",\"parameters\":{}},"
	"{\"id\":\"c\",\"name\":\"Calculator\",\"type\":\"@n8n/n8n-nodes-langchain.toolCalculator\",\"parameters\":{}}],"
	"\"connections\":{\"When chat message received\":{\"main\":[[{\"node\":\"AI Agent\",\"type\":\"main\",\"index\":0}]]},"
	"\"Model\":{\"ai_languageModel\":[[{\"node\":\"AI Agent\",\"type\":\"ai_languageModel\",\"index\":0}]]},"
	"\"Calculator\":{\"ai_tool\":[[{\"node\":\"AI Agent\",\"type\":\"ai_tool\",\"index\":0}]]}}}";

/* An execution as GET /api/v1/executions/{id}?includeData=true returns it (n8n 2.41, trimmed). */
static const char exec_json[] =
	"{\"id\":\"2\",\"status\":\"success\",\"startedAt\":\"2026-11-26T14:33:59.262Z\",\"stoppedAt\":\"2026-11-26T14:33:59.397Z\","
	"\"data\":{\"resultData\":{\"runData\":{"
	"\"When chat message received\":[{\"data\":{\"main\":[[{\"json\":{\"action\":\"sendMessage\",\"sessionId\":\"s-1\",\"chatInput\":\"what is 2+3?\"}}]]}}],"
	"\"Simple Memory\":[{\"data\":{\"ai_memory\":[[{\"json\":{\"action\":\"loadMemoryVariables\",\"chatHistory\":["
	"{\"lc\":1,\"type\":\"constructor\",\"id\":[\"langchain_core\",\"messages\",\"HumanMessage\"],\"kwargs\":{\"content\":\"hello\"}},"
	"{\"lc\":1,\"type\":\"constructor\",\"id\":[\"langchain_core\",\"messages\",\"AIMessage\"],\"kwargs\":{\"content\":\"Hi from aimock\"}}]}}]]}}],"
	"\"Calculator\":[{\"startTime\":1795703639367,\"data\":{\"ai_tool\":[[{\"json\":{\"response\":\"5\"}}]]}}],"
	"\"AI Agent\":[{\"metadata\":{\"subNodeExecutionData\":{\"actions\":[{\"action\":{\"nodeName\":\"Calculator\","
	"\"input\":{\"input\":\"2+3\"},\"type\":\"ai_tool\",\"id\":\"call_8\"},\"nodeName\":\"Calculator\",\"runIndex\":0}]}},"
	"\"data\":{\"main\":[[{\"json\":{\"output\":\"The calculator says 5.\"}}]]}}]}}}}";

TEST(n8n_workflow_maps_to_a_graph)
{
	struct fy_buf rec = FY_BUF_INIT(1 << 20), lines = FY_BUF_INIT(1 << 20);
	struct wf_notes notes;
	struct n8n_read o;
	struct fy_jdoc d, r;
	struct fy_error err;
	char id[FY_ID_MAX + 1];

	memset(&notes, 0, sizeof(notes));
	notes.line = collect;
	notes.ctx = &lines;
	memset(&o, 0, sizeof(o));
	fy_jdoc_init(&d);
	fy_jdoc_init(&r);
	CHECK(fy_jdoc_parse(&d, wf_json, strlen(wf_json), 0, &err) == 0);
	CHECK(n8n_to_record(&d, 0, &o, &rec, id, &notes, &err) == 0);
	CHECK_STR(id, "w1");
	CHECK(fy_jdoc_parse(&r, rec.ptr, rec.len, 0, &err) == 0);
	/* main is control flow; ai_* connections keep their names */
	CHECK(fy_json_streq(&r, fy_json_get(&r, fy_json_at(&r, fy_json_get(&r, 0, "edges"), 0), "kind"), "control"));
	CHECK(fy_json_streq(&r, fy_json_get(&r, fy_json_at(&r, fy_json_get(&r, 0, "edges"), 1), "kind"),
			    "ai_languageModel"));
	CHECK(fy_json_streq(&r, fy_json_get(&r, fy_json_at(&r, fy_json_get(&r, 0, "edges"), 2), "kind"), "ai_tool"));
	/* the credential is a reference, and the id went nowhere but the ledger */
	CHECK(strstr(rec.ptr, "{\"$secret\":\"N8N_CRED_openAiApi_Key\"}") != NULL);
	CHECK(strstr(rec.ptr, "\"c1\"") == NULL);
	CHECK(strstr(lines.ptr, "\"held_back\"") != NULL && strstr(lines.ptr, "id c1") != NULL);
	CHECK(strstr(rec.ptr, "\"model\":{\"provider\":\"openai\",\"name\":\"gpt-4o-mini\"}") != NULL);
	CHECK(strstr(rec.ptr, "\"instructions\":\"Be brief\"") != NULL);
	fy_jdoc_release(&d);
	fy_jdoc_release(&r);
	fy_buf_release(&rec);
	fy_buf_release(&lines);
}

TEST(n8n_execution_becomes_a_thread)
{
	struct fy_buf rec = FY_BUF_INIT(1 << 20), turns = FY_BUF_INIT(1 << 20), out = FY_BUF_INIT(1 << 20);
	struct wf_notes notes;
	struct n8n_read o;
	struct fy_jdoc d, r, ex;
	struct fy_error err;
	char id[FY_ID_MAX + 1];

	memset(&notes, 0, sizeof(notes));
	memset(&o, 0, sizeof(o));
	fy_jdoc_init(&d);
	fy_jdoc_init(&r);
	fy_jdoc_init(&ex);
	CHECK(fy_jdoc_parse(&d, wf_json, strlen(wf_json), 0, &err) == 0);
	CHECK(n8n_to_record(&d, 0, &o, &rec, id, &notes, &err) == 0);
	CHECK(fy_jdoc_parse(&r, rec.ptr, rec.len, 0, &err) == 0);
	CHECK(fy_jdoc_parse(&ex, exec_json, strlen(exec_json), 0, &err) == 0);
	CHECK(n8n_execution_turns(&r, &ex, &turns, &err) == 0);
	CHECK(n8n_turns_to_threads("w1", "Chat", turns.ptr, turns.len, collect, &out, &err) == 0);
	/* a thread, the two turns the memory held before, then this turn:
	 * user, the tool call, its result, the answer */
	CHECK(strncmp(out.ptr, "{\"kind\":\"thread\"", 16) == 0);
	CHECK(strstr(out.ptr, "\"active_leaf\":\"2-4\"") != NULL);
	CHECK(strstr(out.ptr, "\"id\":\"memory-1\",\"thread\"") != NULL);
	CHECK(strstr(out.ptr, "\"id\":\"2-1\",\"thread\"") != NULL && strstr(out.ptr, "\"parent\":\"memory-2\"") != NULL);
	CHECK(strstr(out.ptr, "{\"type\":\"tool_call\",\"id\":\"call_8\",\"name\":\"Calculator\","
			      "\"arguments\":\"{\\\"input\\\":\\\"2+3\\\"}\"}") != NULL);
	CHECK(strstr(out.ptr, "{\"type\":\"tool_result\",\"call_id\":\"call_8\",\"name\":\"Calculator\","
			      "\"output\":\"5\"}") != NULL);
	CHECK(strstr(out.ptr, "\"text\":\"The calculator says 5.\"") != NULL);
	{
		const char *p = out.ptr;
		int n = 0;

		while ((p = strchr(p, '\n'))) {
			n++;
			p++;
		}
		CHECK(n == 7);	/* thread + 2 from memory + 4 */
	}
	fy_jdoc_release(&d);
	fy_jdoc_release(&r);
	fy_jdoc_release(&ex);
	fy_buf_release(&rec);
	fy_buf_release(&turns);
	fy_buf_release(&out);
}
