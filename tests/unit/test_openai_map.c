/* test_openai_map.c - the pure OpenAI <-> neutral mapping (adapters/openai_map.c, live.c helpers). */
#include <stdlib.h>

#include "live.h"
#include "openai_map.h"
#include "sha256.h"
#include "unit.h"

struct collect {
	int blobs;
	char hex[65];
	size_t bytes;
	int ledgers;
	char last_ledger[1024];
};

static int c_blob(void *cb, const void *p, size_t n, char hex[65], struct fy_error *err)
{
	struct collect *c = cb;
	unsigned char sha[FY_SHA256_LEN];

	(void)err;
	fy_sha256(p, n, sha);
	fy_hex(sha, sizeof(sha), hex);
	memcpy(c->hex, hex, 65);
	c->bytes = n;
	c->blobs++;
	return 0;
}

static int c_ledger(void *cb, const char *json, size_t len, struct fy_error *err)
{
	struct collect *c = cb;

	(void)err;
	snprintf(c->last_ledger, sizeof(c->last_ledger), "%.*s", (int)len, json);
	c->ledgers++;
	return 0;
}

/* Map one item; the record is parsed into out_doc (text kept in b). */
static int map_item(const char *json, struct collect *c, struct fy_buf *b, struct fy_jdoc *rec)
{
	struct oai_map m = { .adapter = "openai", .blob = c_blob, .ledger = c_ledger, .cb = c };
	struct fy_jdoc d;
	struct fy_error err;
	char id[FY_ID_MAX + 1];
	int rc;

	fy_jdoc_init(&d);
	fy_buf_reset(b);
	rc = fy_jdoc_parse(&d, json, strlen(json), 0, &err);
	if (rc == 0)
		rc = oai_item_message(&m, &d, 0, "conv_1", "prev", id, b, &err);
	if (rc == 0)
		rc = fy_jdoc_parse(rec, b->ptr, b->len, 0, &err);
	fy_jdoc_release(&d);
	return rc;
}

static uint32_t part(const struct fy_jdoc *d, uint32_t k)
{
	return fy_json_at(d, fy_json_get(d, 0, "parts"), k);
}

TEST(openai_function_call_becomes_a_tool_call)
{
	struct collect c = { 0 };
	struct fy_buf b = FY_BUF_INIT(1 << 20);
	struct fy_jdoc r;

	fy_jdoc_init(&r);
	CHECK(map_item("{\"id\":\"fc_1\",\"type\":\"function_call\",\"call_id\":\"call_9\",\"name\":\"lookup\","
		       "\"arguments\":\"{\\\"a\\\":1}\",\"status\":\"completed\"}", &c, &b, &r) == 0);
	CHECK(fy_json_streq(&r, fy_json_get(&r, 0, "role"), "assistant"));
	CHECK(fy_json_streq(&r, fy_json_get(&r, 0, "parent"), "prev"));
	CHECK(fy_json_streq(&r, fy_json_get(&r, part(&r, 0), "type"), "tool_call"));
	CHECK(fy_json_streq(&r, fy_json_get(&r, part(&r, 0), "id"), "call_9"));
	CHECK(fy_json_streq(&r, fy_json_get(&r, part(&r, 0), "arguments"), "{\"a\":1}"));
	/* The original is kept whole for an import into the same provider. */
	CHECK(fy_json_streq(&r, fy_json_get(&r, fy_json_get(&r, fy_json_get(&r, fy_json_get(&r, 0, "ext"), "openai"), "item"), "call_id"),
			    "call_9"));
	fy_jdoc_release(&r);
	fy_buf_release(&b);
}

TEST(openai_reasoning_keeps_summary_and_ciphertext)
{
	struct collect c = { 0 };
	struct fy_buf b = FY_BUF_INIT(1 << 20);
	struct fy_jdoc r;

	fy_jdoc_init(&r);
	CHECK(map_item("{\"id\":\"rs_1\",\"type\":\"reasoning\",\"summary\":[{\"type\":\"summary_text\",\"text\":\"s\"}],"
		       "\"encrypted_content\":\"gAAAA\"}", &c, &b, &r) == 0);
	CHECK(fy_json_streq(&r, fy_json_get(&r, part(&r, 0), "format"), "summary"));
	CHECK(fy_json_streq(&r, fy_json_get(&r, part(&r, 1), "format"), "encrypted"));
	CHECK(fy_json_streq(&r, fy_json_get(&r, part(&r, 1), "encrypted"), "gAAAA"));
	fy_jdoc_release(&r);
	fy_buf_release(&b);
}

TEST(openai_inline_image_becomes_a_blob)
{
	struct collect c = { 0 };
	struct fy_buf b = FY_BUF_INIT(1 << 20);
	struct fy_jdoc r;

	fy_jdoc_init(&r);
	/* "aGVsbG8=" is "hello". */
	CHECK(map_item("{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\","
		       "\"text\":\"look\"},{\"type\":\"input_image\",\"image_url\":\"data:image/png;base64,aGVsbG8=\"}]}",
		       &c, &b, &r) == 0);
	CHECK(c.blobs == 1 && c.bytes == 5);
	CHECK(fy_json_streq(&r, fy_json_get(&r, part(&r, 1), "type"), "image"));
	CHECK(fy_json_streq(&r, fy_json_get(&r, part(&r, 1), "blob"), c.hex));
	CHECK(fy_json_streq(&r, fy_json_get(&r, part(&r, 1), "media_type"), "image/png"));
	fy_jdoc_release(&r);
	fy_buf_release(&b);
}

TEST(openai_unknown_item_types_are_kept_verbatim)
{
	struct collect c = { 0 };
	struct fy_buf b = FY_BUF_INIT(1 << 20);
	struct fy_jdoc r;

	fy_jdoc_init(&r);
	CHECK(map_item("{\"id\":\"x_1\",\"type\":\"hologram_call\",\"depth\":3}", &c, &b, &r) == 0);
	CHECK(fy_json_streq(&r, fy_json_get(&r, part(&r, 0), "type"), "other"));
	CHECK(fy_json_streq(&r, fy_json_get(&r, part(&r, 0), "content_type"), "openai/hologram_call"));
	fy_jdoc_release(&r);
	fy_buf_release(&b);
}

TEST(openai_code_interpreter_call_has_code_and_outputs)
{
	struct collect c = { 0 };
	struct fy_buf b = FY_BUF_INIT(1 << 20);
	struct fy_jdoc r;

	fy_jdoc_init(&r);
	CHECK(map_item("{\"id\":\"ci_1\",\"type\":\"code_interpreter_call\",\"code\":\"print(1)\",\"outputs\":"
		       "[{\"type\":\"logs\",\"logs\":\"1\\n\"}]}", &c, &b, &r) == 0);
	CHECK(fy_json_streq(&r, fy_json_get(&r, part(&r, 1), "type"), "code"));
	CHECK(fy_json_streq(&r, fy_json_get(&r, part(&r, 2), "output"), "1\n"));
	fy_jdoc_release(&r);
	fy_buf_release(&b);
}

/* --- import ------------------------------------------------------------------ */

static const char *map_file(void *cb, const char *id)
{
	(void)cb;
	return !strcmp(id, "file-A") ? "file-B" : NULL;
}

static int u_ledger(void *cb, const char *id, const char *field, const char *outcome, const char *rule,
		    const char *reason, struct fy_error *err)
{
	struct collect *c = cb;

	(void)id, (void)reason, (void)err;
	snprintf(c->last_ledger, sizeof(c->last_ledger), "%s %s %s", field, outcome, rule);
	c->ledgers++;
	return 0;
}

static const char *u_blob(void *cb, const char *hex, const char *name, const char *mt, struct fy_error *err)
{
	(void)cb, (void)name, (void)mt, (void)err;
	return strlen(hex) == 64 ? "file-uploaded" : NULL;
}

static int unmap(const char *rec, int same, struct collect *c, struct fy_buf *out, size_t *n)
{
	struct oai_unmap u = { .adapter = "openai", .same_account = same, .file_id = map_file,
			       .blob_file = u_blob, .ledger = u_ledger, .cb = c };
	struct fy_jdoc d;
	struct fy_error err;
	int rc;

	fy_jdoc_init(&d);
	fy_buf_reset(out);
	rc = fy_jdoc_parse(&d, rec, strlen(rec), 0, &err);
	if (rc == 0)
		rc = oai_message_items(&u, &d, out, n, &err);
	fy_jdoc_release(&d);
	return rc;
}

TEST(openai_import_sends_the_original_without_its_id_and_with_files_mapped)
{
	struct collect c = { 0 };
	struct fy_buf b = FY_BUF_INIT(1 << 20);
	size_t n;

	CHECK(unmap("{\"kind\":\"message\",\"id\":\"msg_1\",\"parts\":[],\"ext\":{\"openai\":{\"item\":{\"id\":\"msg_1\","
		    "\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_file\",\"file_id\":\"file-A\"},"
		    "{\"type\":\"input_file\",\"file_id\":\"file-gone\"}]}}}}", 0, &c, &b, &n) == 0);
	CHECK(n == 1);
	CHECK_STR(b.ptr, "{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_file\",\"file_id\":\"file-B\"}]}");
	CHECK(c.ledgers == 1 && strstr(c.last_ledger, "file-not-imported"));
	fy_buf_release(&b);
}

TEST(openai_import_drops_encrypted_reasoning_for_another_account)
{
	struct collect c = { 0 };
	struct fy_buf b = FY_BUF_INIT(1 << 20);
	const char *rec = "{\"kind\":\"message\",\"id\":\"rs_1\",\"parts\":[],\"ext\":{\"openai\":{\"item\":{\"id\":\"rs_1\","
			  "\"type\":\"reasoning\",\"summary\":[],\"encrypted_content\":\"gAAAA\"}}}}";
	const char *sum = "{\"kind\":\"message\",\"id\":\"rs_2\",\"parts\":[],\"ext\":{\"openai\":{\"item\":{\"id\":\"rs_2\","
			  "\"type\":\"reasoning\",\"summary\":[{\"type\":\"summary_text\",\"text\":\"s\"}],"
			  "\"encrypted_content\":\"gAAAA\"}}}}";
	size_t n;

	/* Nothing left without the encrypted content: no item (the table's line says so). */
	CHECK(unmap(rec, 0, &c, &b, &n) == 0);
	CHECK(n == 0 && c.ledgers == 0);
	/* A summary is left: the item crosses without the encrypted content. */
	fy_buf_reset(&b);
	CHECK(unmap(sum, 0, &c, &b, &n) == 0);
	CHECK(n == 1 && !strstr(b.ptr, "gAAAA") && strstr(b.ptr, "summary_text") && !strstr(b.ptr, "rs_2"));
	/* Into the organisation that made it: as it was, but for the id. */
	fy_buf_reset(&b);
	CHECK(unmap(rec, 1, &c, &b, &n) == 0);
	CHECK(n == 1 && strstr(b.ptr, "gAAAA"));
	fy_buf_release(&b);
}

TEST(openai_import_builds_items_from_neutral_parts)
{
	struct collect c = { 0 };
	struct fy_buf b = FY_BUF_INIT(1 << 20);
	size_t n;

	CHECK(unmap("{\"kind\":\"message\",\"id\":\"m1\",\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"text\":\"hi\","
		    "\"citations\":[{\"type\":\"citation\",\"url\":\"https://x.example/\",\"title\":\"X\",\"start\":0,\"end\":2}]},"
		    "{\"type\":\"tool_call\",\"id\":\"c1\",\"name\":\"f\",\"arguments\":\"{}\"},"
		    "{\"type\":\"image\",\"blob\":\"0000000000000000000000000000000000000000000000000000000000000000\"},"
		    "{\"type\":\"reasoning\",\"text\":\"thought\"}]}",
		    0, &c, &b, &n) == 0);
	CHECK(n == 4);
	CHECK(strstr(b.ptr, "{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"hi\","
			    "\"annotations\":[{\"type\":\"url_citation\",\"url\":\"https://x.example/\",\"title\":\"X\","
			    "\"start_index\":0,\"end_index\":2}]}]}") == b.ptr);
	CHECK(strstr(b.ptr, "\n{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"f\",\"arguments\":\"{}\"}\n") != NULL);
	CHECK(strstr(b.ptr, "{\"type\":\"input_image\",\"file_id\":\"file-uploaded\"") != NULL);
	CHECK(strstr(b.ptr, "{\"type\":\"reasoning\",\"summary\":[{\"type\":\"summary_text\",\"text\":\"thought\"}]}") != NULL);
	CHECK(c.ledgers == 0);
	fy_buf_reset(&b);
	CHECK(unmap("{\"kind\":\"message\",\"id\":\"m2\",\"role\":\"tool\",\"parts\":[{\"type\":\"tool_result\",\"call_id\":\"c1\","
		    "\"output\":\"ok\"},{\"type\":\"code_output\",\"output\":\"x\"}]}", 0, &c, &b, &n) == 0);
	CHECK(n == 2 && strstr(b.ptr, "function_call_output") && strstr(b.ptr, "```output\\nx\\n```"));
	CHECK(c.ledgers == 0);
	fy_buf_release(&b);
}

/*
 * What the record alone says is lost (an image with neither bytes, file
 * nor URL; a citation with neither URL nor file) is the table's to report:
 * no line here. A file named that the target does not have only the run
 * knows: one line a message.
 */
TEST(openai_import_reports_only_the_files_the_target_lacks)
{
	struct collect c = { 0 };
	struct fy_buf b = FY_BUF_INIT(1 << 20);
	struct oai_unmap u = { .adapter = "openai", .file_id = map_file, .blob_file = u_blob,
			       .ledger = u_ledger, .cb = &c };
	const char *asst = "{\"kind\":\"message\",\"id\":\"m1\",\"role\":\"assistant\",\"parts\":["
			   "{\"type\":\"text\",\"text\":\"a\",\"citations\":[{\"type\":\"citation\",\"file\":\"file-A\"},"
			   "{\"type\":\"citation\",\"title\":\"nowhere\"},{\"type\":\"citation\",\"file\":\"file-gone\"}]},"
			   "{\"type\":\"text\",\"text\":\"b\",\"citations\":[{\"type\":\"citation\",\"file\":\"file-gone2\"}]},"
			   "{\"type\":\"image\",\"name\":\"crumb.jpg\"},{\"type\":\"file\",\"file\":\"file-A\"}]}";
	const char *user = "{\"kind\":\"message\",\"id\":\"m2\",\"role\":\"user\",\"parts\":["
			   "{\"type\":\"text\",\"text\":\"a\",\"citations\":[{\"type\":\"citation\",\"url\":\"https://x\"}]},"
			   "{\"type\":\"image\",\"file\":\"file-gone\"},{\"type\":\"file\",\"file\":\"file-gone\"},"
			   "{\"type\":\"image\",\"file\":\"file-gone\",\"url\":\"https://x/i.png\"}]}";
	struct fy_jdoc d;
	struct fy_error err;
	size_t n;

	fy_jdoc_init(&d);
	CHECK(fy_jdoc_parse(&d, asst, strlen(asst), 0, &err) == 0);
	CHECK(oai_message_items(&u, &d, &b, &n, &err) == 0 && n == 1);
	CHECK(strstr(b.ptr, "\"annotations\":[{\"type\":\"file_citation\",\"file_id\":\"file-B\"") != NULL);
	CHECK(strstr(b.ptr, "[image crumb.jpg not available]") && strstr(b.ptr, "{\"type\":\"input_file\",\"file_id\":\"file-B\"}"));
	CHECK(c.ledgers == 1);
	CHECK(strcmp(c.last_ledger, "parts.citations degraded file-not-imported") == 0);
	/* a user's citations and its unknown files */
	c.ledgers = 0;
	fy_buf_reset(&b);
	CHECK(fy_jdoc_parse(&d, user, strlen(user), 0, &err) == 0);
	CHECK(oai_message_items(&u, &d, &b, &n, &err) == 0 && n == 1);
	CHECK(!strstr(b.ptr, "annotations") && strstr(b.ptr, "\"image_url\":\"https://x/i.png\""));
	CHECK(c.ledgers == 1);
	CHECK(strcmp(c.last_ledger, "parts.file degraded file-not-imported") == 0);
	/* a target without uploads resolves no file: its table says what becomes of them */
	c.ledgers = 0;
	fy_buf_reset(&b);
	u.no_files = 1;
	u.blob_file = NULL;
	CHECK(fy_jdoc_parse(&d, asst, strlen(asst), 0, &err) == 0);
	CHECK(oai_message_items(&u, &d, &b, &n, &err) == 0 && n == 1);
	CHECK(!strstr(b.ptr, "file_citation") && !strstr(b.ptr, "file-B") && strstr(b.ptr, "[file  not available]"));
	CHECK(c.ledgers == 0);
	fy_jdoc_release(&d);
	fy_buf_release(&b);
}

/* --- Assistants-era objects ---------------------------------------------------------- */

static int emit_count(void *cb, const char *json, size_t len, struct fy_error *err)
{
	struct fy_buf *all = cb;

	return fy_buf_add(all, json, len, err) < 0 || fy_buf_addc(all, '\n', err) < 0 ? -1 : 0;
}

TEST(openai_run_steps_put_tool_calls_before_the_answer)
{
	struct oai_objset set;
	struct oai_map m = { .adapter = "openai" };
	struct fy_buf all = FY_BUF_INIT(1 << 20);
	struct fy_error err;
	const char *dump =
		"{\"object\":\"list\",\"data\":["
		"{\"id\":\"thread_1\",\"object\":\"thread\",\"created_at\":10,\"metadata\":{}},"
		"{\"id\":\"msg_2\",\"object\":\"thread.message\",\"created_at\":13,\"thread_id\":\"thread_1\",\"run_id\":\"run_1\","
		" \"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":{\"value\":\"12 days\",\"annotations\":[]}}]},"
		"{\"id\":\"msg_1\",\"object\":\"thread.message\",\"created_at\":11,\"thread_id\":\"thread_1\",\"role\":\"user\","
		" \"content\":[{\"type\":\"text\",\"text\":{\"value\":\"days?\",\"annotations\":[]}}]},"
		"{\"id\":\"run_1\",\"object\":\"thread.run\",\"created_at\":12,\"thread_id\":\"thread_1\",\"model\":\"gpt-4o\"},"
		"{\"id\":\"step_1\",\"object\":\"thread.run.step\",\"created_at\":12,\"thread_id\":\"thread_1\",\"run_id\":\"run_1\","
		" \"step_details\":{\"type\":\"tool_calls\",\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
		" \"function\":{\"name\":\"leave\",\"arguments\":\"{}\",\"output\":\"12\"}}]}}]}";
	const char *p;

	oai_objset_init(&set);
	CHECK(oai_objset_add(&set, dump, strlen(dump), &err) == 0 && set.n == 5);
	CHECK(oai_objset_records(&m, &set, emit_count, &all, &err) == 0);
	/* thread, user, the step's call, its result, the answer - in that order. */
	p = all.ptr;
	CHECK(p && strstr(p, "\"kind\":\"thread\"") < strstr(p, "\"id\":\"msg_1\""));
	CHECK(strstr(p, "\"id\":\"msg_1\"") < strstr(p, "\"id\":\"step_1\""));
	CHECK(strstr(p, "\"id\":\"step_1\"") < strstr(p, "\"id\":\"step_1.results\""));
	CHECK(strstr(p, "\"id\":\"step_1.results\"") < strstr(p, "\"id\":\"msg_2\""));
	CHECK(strstr(p, "\"parent\":\"step_1.results\"") != NULL);
	CHECK(strstr(p, "\"model\":\"gpt-4o\"") != NULL);
	oai_objset_release(&set);
	fy_buf_release(&all);
}

TEST(live_base64_and_json_writer)
{
	struct fy_buf b = FY_BUF_INIT(1 << 10);
	struct fy_error err;
	struct lw w;

	CHECK(live_b64_decode("aGVs\nbG8=", 9, &b, &err) == 0 && b.len == 5 && !memcmp(b.ptr, "hello", 5));
	CHECK(live_b64_decode("a$", 2, &b, &err) < 0);
	fy_buf_reset(&b);
	lw_init(&w, &b, &err);
	lw_obj(&w);
	lw_kstr(&w, "a", "x\"y");
	lw_key(&w, "b");
	lw_arr(&w);
	lw_int(&w, 1);
	lw_null(&w);
	lw_end_arr(&w);
	lw_kstr(&w, "skipped", NULL);
	lw_end_obj(&w);
	CHECK(lw_done(&w) == 0);
	CHECK_STR(b.ptr, "{\"a\":\"x\\\"y\",\"b\":[1,null]}");
	fy_buf_release(&b);
}

/* --- the key-then-value writer ----------------------------------------------------------- */

TEST(live_writer_escapes_keys_from_provider_metadata)
{
	struct fy_buf b = FY_BUF_INIT(1 << 16);
	struct fy_error err;
	struct lw w;

	lw_init(&w, &b, &err);
	lw_obj(&w);
	lw_kstr(&w, "a\"b\\c", "v");
	lw_key(&w, "n");
	lw_int(&w, 3);
	lw_kstr(&w, "skipped", NULL);
	lw_end_obj(&w);
	CHECK(lw_done(&w) == 0);
	CHECK(b.ptr && strcmp(b.ptr, "{\"a\\\"b\\\\c\":\"v\",\"n\":3}") == 0);
	/* a value with no key inside an object is refused, not written */
	fy_buf_reset(&b);
	lw_init(&w, &b, &err);
	lw_obj(&w);
	lw_str(&w, "x");
	lw_end_obj(&w);
	CHECK(lw_done(&w) < 0 && lw_failed(&w));
	fy_buf_release(&b);
}
