/* test_recscan.c - the credential scan of a parsed record (formats/recscan.c). */
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "recscan.h"
#include "secrets.h"
#include "unit.h"

TEST(secrets_fast_filters_pass_every_pair_that_can_start_a_shape)
{
	CHECK(fy_secret_selftest() == 0);
}

/* Append shape as JSON string content; slashes as "\/" when slash_escaped. */
static void put_escaped(struct fy_buf *b, const char *shape, int slash_escaped)
{
	const char *c;

	for (c = shape; *c; c++) {
		if (*c == '\n')
			fy_buf_adds(b, "\\n", NULL);
		else if (*c == '"' || *c == '\\' || (*c == '/' && slash_escaped))
			fy_buf_addf(b, NULL, "\\%c", *c);
		else
			fy_buf_addc(b, *c, NULL);
	}
}

/* Scan the message whose text is pad spaces, context (raw JSON) and shape. */
static int scan_message(struct fy_recscan *s, struct fy_jdoc *d, struct fy_buf *b, size_t pad,
			const char *context, const char *shape, int slash_escaped)
{
	size_t k;

	fy_buf_reset(b);
	fy_buf_adds(b, "{\"kind\":\"message\",\"id\":\"m1\",\"thread\":\"t1\",\"parent\":null,"
		       "\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"text\":\"", NULL);
	for (k = 0; k < pad; k++)
		fy_buf_addc(b, ' ', NULL);
	fy_buf_adds(b, context, NULL);
	put_escaped(b, shape, slash_escaped);
	fy_buf_adds(b, "\"}]}", NULL);
	if (fy_jdoc_parse(d, b->ptr, b->len, 0, NULL) < 0)
		return -2;
	return fy_recscan_record(s, d, NULL);
}

/*
 * The quick look over the text as written must never miss what the full
 * scan of the decoded strings finds: after every escape that ends a word,
 * with escapes inside the shape, at every offset of the vector blocks.
 */
TEST(recscan_quick_look_misses_nothing_the_decoded_text_holds)
{
	static const char *const shapes[] = {
		"sk-proj-Ab3dEfGh1jKlMn0pQrStUvWxYz0123",
		"AKIAIOSFODNN7EXAMPLE",
		"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"Bearer abc.DEF-ghi_jkl~mno+pqr/stu=",
		"xoxb-1234567890-abcdefghij",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig-nature_x",
		"-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----",
		"ghp_0123456789abcdefghijABCDEFGHIJ012345",
	};
	/* Each ends in what decodes to a non-word character. */
	static const char *const contexts[] = {
		"", "see\\n", "tab\\t", "q\\\"", "\\u00e9", "line\\r\\n", "bs\\\\", "\\/", "x\\b", "y\\f",
	};
	struct fy_buf b = FY_BUF_INIT(1 << 20);
	struct fy_recscan s;
	struct fy_jdoc d;
	size_t i, c, pad;
	int slash, misses = 0;

	fy_jdoc_init(&d);
	fy_recscan_init(&s, FY_SECRETS_REPORT, "dir");
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		for (c = 0; c < sizeof(contexts) / sizeof(contexts[0]); c++)
			for (slash = 0; slash < 2; slash++)
				for (pad = 0; pad <= 40; pad++)
					if (scan_message(&s, &d, &b, pad, contexts[c], shapes[i], slash) != 1 ||
					    s.found != 1) {
						if (misses++ < 5)
							fprintf(stderr, "#   missed: '%s' after '%s' +%zu%s\n",
								shapes[i], contexts[c], pad,
								slash ? " (\\/)" : "");
					}
	CHECK(misses == 0);
	/* And nothing where there is nothing: escapes and near misses. */
	CHECK(scan_message(&s, &d, &b, 3, "see\\n", "ask-proj-Ab3dEfGh1jKlMn0pQrStUvWxYz0123", 0) == 0);
	CHECK(scan_message(&s, &d, &b, 0, "\\u00e9", "the warehouse asked the agent", 1) == 0);
	fy_recscan_release(&s);
	fy_jdoc_release(&d);
	fy_buf_release(&b);
}

TEST(recscan_a_value_under_a_credential_key_is_noted_and_redacted)
{
	static const char rec[] =
		"{\"kind\":\"message\",\"id\":\"m1\",\"thread\":\"t1\",\"parent\":null,\"role\":\"user\","
		"\"parts\":[{\"type\":\"text\",\"text\":\"hi\"}],\"ext\":{\"x\":{\"api_key\":\"abcd1234efgh\"}}}";
	struct fy_recscan s;
	struct fy_jdoc d;

	fy_jdoc_init(&d);
	fy_recscan_init(&s, FY_SECRETS_REDACT, "dir");
	CHECK(fy_jdoc_parse(&d, rec, sizeof(rec) - 1, 0, NULL) == 0);
	CHECK(fy_recscan_record(&s, &d, NULL) == 1);
	CHECK(s.found == 1);
	CHECK(s.out.ptr && strstr(s.out.ptr, "\"api_key\":\"[REDACTED:credential]\"") != NULL);
	CHECK(s.out.ptr && strstr(s.out.ptr, "abcd1234efgh") == NULL);
	CHECK(s.notes.ptr && strstr(s.notes.ptr, "\"field\":\"ext.x.api_key\"") != NULL);
	/* Off: not even looked at. */
	s.mode = FY_SECRETS_OFF;
	CHECK(fy_recscan_record(&s, &d, NULL) == 0);
	fy_recscan_release(&s);
	fy_jdoc_release(&d);
}

TEST(recscan_a_literal_credential_in_configuration_is_refused)
{
	static const char rec[] = "{\"kind\":\"tool\",\"id\":\"crm\",\"name\":\"crm\","
				  "\"description\":\"token sk-proj-Ab3dEfGh1jKlMn0pQrStUvWxYz0123\"}";
	struct fy_recscan s;
	struct fy_jdoc d;
	struct fy_error err;

	fy_error_clear(&err);
	fy_jdoc_init(&d);
	fy_recscan_init(&s, FY_SECRETS_REPORT, "dir");
	CHECK(fy_jdoc_parse(&d, rec, sizeof(rec) - 1, 0, NULL) == 0);
	CHECK(fy_recscan_record(&s, &d, &err) == -1);
	CHECK(strstr(err.msg, "tool 'crm': field 'description'") != NULL);
	CHECK(strstr(err.msg, "sk-proj") == NULL);
	fy_recscan_release(&s);
	fy_jdoc_release(&d);
}
