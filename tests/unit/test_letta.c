/* test_letta.c - the letta-af adapter's helpers and its pure mapping (adapters/letta_*.c). */
#include <stdlib.h>

#include "letta.h"
#include "unit.h"

TEST(letta_times_become_rfc3339_utc)
{
	char out[48];

	CHECK(letta_time_to_utc("2025-04-01T03:47:27.492924", 26, out) == 0);
	CHECK_STR(out, "2025-04-01T03:47:27.492924Z");
	CHECK(letta_time_to_utc("2025-10-31T22:56:56.459100+00:00", 32, out) == 0);
	CHECK_STR(out, "2025-10-31T22:56:56.459100Z");
	CHECK(letta_time_to_utc("2025-01-01T01:30:00+02:00", 25, out) == 0);
	CHECK_STR(out, "2024-12-31T23:30:00Z");
	CHECK(letta_time_to_utc("2025-04-01T03:47:27", 19, out) == 0);
	CHECK_STR(out, "2025-04-01T03:47:27Z");
	CHECK(letta_time_to_utc("2025-04-01T03:47:27.1234567891234Z", 34, out) == 0);
	CHECK_STR(out, "2025-04-01T03:47:27.123456789Z");
	CHECK(letta_time_to_utc("2025-04-01", 10, out) < 0);
	CHECK(letta_time_to_utc("2025-13-01T00:00:00", 19, out) < 0);
	CHECK(letta_time_to_utc("2025-04-01T03:47:27+0200", 24, out) < 0);
	CHECK(letta_time_to_utc("2025-04-01T03:47:27.", 20, out) < 0);
}

TEST(letta_ids_are_safe_and_stable)
{
	char out[FY_ID_MAX + 1];

	letta_id_from("Ada travel", 10, "x", FY_ID_MAX, out);
	CHECK_STR(out, "Ada_travel");
	letta_id_from(".hidden", 7, "x", FY_ID_MAX, out);
	CHECK_STR(out, "hidden");
	letta_id_from("", 0, "agent-0", FY_ID_MAX, out);
	CHECK_STR(out, "agent-0");
	letta_id_from("Zo\xc3\xab", 4, "x", FY_ID_MAX, out);
	CHECK_STR(out, "Zo_");
	CHECK(fy_id_valid(out, strlen(out)));
	letta_id_from("abcdef", 6, "x", 3, out);
	CHECK_STR(out, "abc");
	/* the fallback is often the file's own id: it is made an id too (found by fuzz_letta) */
	letta_id_from("", 0, "too|-0", FY_ID_MAX, out);
	CHECK_STR(out, "too_-0");
	letta_id_from("", 0, "..", FY_ID_MAX, out);
	CHECK_STR(out, "_");
	CHECK(fy_id_valid(out, strlen(out)));
}

TEST(letta_base64_round_trips_and_refuses_junk)
{
	struct fy_buf enc = FY_BUF_INIT(1 << 20), dec = FY_BUF_INIT(1 << 20);
	static const unsigned char data[] = { 0, 1, 2, 250, 251, 252, 253, 'x' };
	struct fy_error err;
	size_t n;

	for (n = 0; n <= sizeof(data); n++) {
		fy_buf_reset(&enc);
		fy_buf_reset(&dec);
		CHECK(letta_b64_encode(data, n, &enc, &err) == 0);
		CHECK(enc.len % 4 == 0);
		CHECK(letta_b64_decode(enc.ptr ? enc.ptr : "", enc.len, &dec, &err) == 0);
		CHECK(dec.len == n && (n == 0 || memcmp(dec.ptr, data, n) == 0));
	}
	fy_buf_reset(&dec);
	CHECK(letta_b64_decode("ab$d", 4, &dec, &err) < 0);
	CHECK(letta_b64_decode("ab=d", 4, &dec, &err) < 0);
	fy_buf_release(&enc);
	fy_buf_release(&dec);
}

TEST(letta_utf8_chars_count_code_points)
{
	CHECK(letta_utf8_chars("Zo\xc3\xab \xf0\x9f\xa5\x90", 9) == 5);
	CHECK(letta_utf8_chars("", 0) == 0);
}

TEST(letta_digest_ignores_order_and_key_order)
{
	struct letta_digest a, b, c;
	struct fy_error err;
	static const char r1[] = "{\"kind\":\"tool\",\"id\":\"t\",\"n\":1.50}";
	static const char r1b[] = "{\"n\":1.50,\"id\":\"t\",\"kind\":\"tool\"}";
	static const char r2[] = "{\"kind\":\"agent\",\"id\":\"a\"}";

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	CHECK(letta_digest_add_record(&a, r1, strlen(r1), &err) == 0);
	CHECK(letta_digest_add_record(&a, r2, strlen(r2), &err) == 0);
	CHECK(letta_digest_add_record(&b, r2, strlen(r2), &err) == 0);
	CHECK(letta_digest_add_record(&b, r1b, strlen(r1b), &err) == 0);
	CHECK(a.count == 2 && memcmp(a.sum, b.sum, sizeof(a.sum)) == 0);
	CHECK(letta_digest_add_record(&c, r2, strlen(r2), &err) == 0);
	CHECK(letta_digest_add_record(&c, r2, strlen(r2), &err) == 0);
	CHECK(memcmp(a.sum, c.sum, sizeof(a.sum)) != 0);
}

TEST(letta_double_encoded_documents_unwrap)
{
	static const char twice[] = "\"\\\"{\\\\\\\"agents\\\\\\\":[]}\\\"\"";
	struct fy_buf hold = FY_BUF_INIT(1 << 20);
	const char *text = twice;
	size_t len = strlen(twice);
	struct fy_error err;
	int layers;

	CHECK(lr_unwrap(&text, &len, &hold, &layers, "x.af", &err) == 0);
	CHECK(layers == 2);
	CHECK(len == 13 && memcmp(text, "{\"agents\":[]}", 13) == 0);
	text = "{\"agents\":[]}";
	len = 13;
	CHECK(lr_unwrap(&text, &len, &hold, &layers, "x.af", &err) == 0 && layers == 0);
	fy_buf_release(&hold);
}

struct counts {
	int records, blobs, ledger;
	char first[64];
};

static int c_record(void *cb, const char *json, size_t len, struct fy_error *err)
{
	struct counts *c = cb;

	(void)err;
	if (!c->records++)
		snprintf(c->first, sizeof(c->first), "%.*s", (int)(len < 40 ? len : 40), json);
	return 0;
}

static int c_blob(void *cb, const void *p, size_t n, char *hex, struct fy_error *err)
{
	(void)p;
	(void)n;
	(void)err;
	memset(hex, '0', 64);
	hex[64] = '\0';
	((struct counts *)cb)->blobs++;
	return 0;
}

static int c_ledger(void *cb, const char *json, size_t len, struct fy_error *err)
{
	(void)json;
	(void)len;
	(void)err;
	((struct counts *)cb)->ledger++;
	return 0;
}

TEST(letta_legacy_file_maps_to_records)
{
	static const char af[] =
		"{\"name\":\"mini\",\"system\":\"Be brief.\",\"llm_config\":{\"model\":\"gpt-4\","
		"\"model_endpoint_type\":\"openai\",\"context_window\":8192,\"temperature\":0.7},"
		"\"core_memory\":[{\"label\":\"human\",\"value\":\"Kim\",\"limit\":5000}],"
		"\"tools\":[],\"in_context_message_indices\":[0],"
		"\"tool_exec_environment_variables\":[{\"key\":\"K\",\"value\":\"s3cret\"}],"
		"\"messages\":[{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"Be brief.\"}]},"
		"{\"role\":\"user\",\"content\":\"hi\"}]}";
	struct counts c;
	struct lr_emit em = { c_record, c_blob, c_ledger, &c };
	struct lr_ids ids;
	struct fy_jdoc d;
	struct fy_error err;
	struct fy_buf scrubbed = FY_BUF_INIT(1 << 20);
	size_t blanked;

	memset(&c, 0, sizeof(c));
	memset(&ids, 0, sizeof(ids));
	fy_jdoc_init(&d);
	CHECK(fy_jdoc_parse(&d, af, strlen(af), 0, &err) == 0);
	CHECK(lr_is_legacy(&d));
	CHECK(lr_map(&d, "mini.af", &ids, &em, &err) == 0);
	/* agent, memory block, thread, two messages */
	CHECK(c.records == 5);
	CHECK(strncmp(c.first, "{\"kind\":\"agent\",\"id\":\"mini\"", 27) == 0);
	CHECK(c.ledger == 1);	/* the held-back environment value */
	CHECK(lr_scrub(&d, &scrubbed, &blanked, &err) == 0 && blanked == 1);
	CHECK(strstr(scrubbed.ptr, "s3cret") == NULL && strstr(scrubbed.ptr, "\"value\":\"\"") != NULL);
	lr_ids_release(&ids);
	fy_jdoc_release(&d);
	fy_buf_release(&scrubbed);
}

TEST(letta_malformed_files_name_the_field)
{
	static const char af[] =
		"{\"agents\":[{\"id\":\"agent-0\",\"name\":\"a\",\"block_ids\":[\"block-3\"]}],"
		"\"blocks\":[],\"tools\":[]}";
	struct counts c;
	struct lr_emit em = { c_record, c_blob, c_ledger, &c };
	struct lr_ids ids;
	struct fy_jdoc d;
	struct fy_error err;

	memset(&c, 0, sizeof(c));
	memset(&ids, 0, sizeof(ids));
	fy_jdoc_init(&d);
	CHECK(fy_jdoc_parse(&d, af, strlen(af), 0, &err) == 0);
	CHECK(lr_map(&d, "bad.af", &ids, &em, &err) < 0);
	CHECK(err.code == FY_E_DATA);
	CHECK(strstr(err.msg, "bad.af: agents[0]: block_ids[0]: 'block-3' is not a block") != NULL);
	lr_ids_release(&ids);
	fy_jdoc_release(&d);
}
