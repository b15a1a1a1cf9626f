/* test_secrets.c - the credential scanner (formats/secrets.c). */
#include <stdlib.h>

#include "secrets.h"
#include "unit.h"

/* The kind of the first credential in s, and where it is. */
static enum fy_secret_kind first(const char *s, size_t *off, size_t *len)
{
	struct fy_secret_match m;

	if (!fy_secret_find(s, strlen(s), 0, &m))
		return FY_SECRET_NONE;
	if (off)
		*off = m.off;
	if (len)
		*len = m.len;
	return m.kind;
}

TEST(secrets_every_shape_is_found)
{
	static const struct {
		const char *text;
		enum fy_secret_kind kind;
		const char *value;
	} cases[] = {
		{ "key sk-proj-Ab3dEfGh1jKlMn0pQrStUvWxYz0123 ok", FY_SECRET_OPENAI,
		  "sk-proj-Ab3dEfGh1jKlMn0pQrStUvWxYz0123" },
		{ "sk-Ab3dEfGh1jKlMn0pQrStUvWxYz0123456789abcdEF", FY_SECRET_OPENAI,
		  "sk-Ab3dEfGh1jKlMn0pQrStUvWxYz0123456789abcdEF" },
		{ "x=sk-ant-api03-Ab3dEfGh1jKlMn0pQrStUvWx_yz-0123;", FY_SECRET_ANTHROPIC,
		  "sk-ant-api03-Ab3dEfGh1jKlMn0pQrStUvWx_yz-0123" },
		{ "id AKIAIOSFODNN7EXAMPLE.", FY_SECRET_AWS_KEY_ID, "AKIAIOSFODNN7EXAMPLE" },
		{ "ASIAY34FZKBOKMUTVV7A", FY_SECRET_AWS_KEY_ID, "ASIAY34FZKBOKMUTVV7A" },
		{ "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", FY_SECRET_AWS_SECRET,
		  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
		{ "\"SecretAccessKey\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"", FY_SECRET_AWS_SECRET,
		  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
		{ "AIzaSyD-1234567890abcdefghijklmnopqrstu", FY_SECRET_GOOGLE,
		  "AIzaSyD-1234567890abcdefghijklmnopqrstu" },
		{ "Endpoint=x;AccountKey=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4==;", FY_SECRET_AZURE,
		  "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4==" },
		{ "api-key: 0123456789abcdef0123456789abcdef", FY_SECRET_AZURE,
		  "0123456789abcdef0123456789abcdef" },
		{ "https://a.blob.core.windows.net/c?sv=2022&sig=AbCdEf0123456789%2BxYz%3D", FY_SECRET_AZURE,
		  "AbCdEf0123456789%2BxYz%3D" },
		{ "ghp_0123456789abcdefghijABCDEFGHIJ012345", FY_SECRET_GITHUB,
		  "ghp_0123456789abcdefghijABCDEFGHIJ012345" },
		{ "xoxb-1234567890-abcdefghij", FY_SECRET_SLACK, "xoxb-1234567890-abcdefghij" },
		{ "sk_live_0123456789abcdefABCD", FY_SECRET_STRIPE, "sk_live_0123456789abcdefABCD" },
		{ "Authorization: Bearer abc.DEF-ghi_jkl~mno+pqr/stu=", FY_SECRET_BEARER,
		  "abc.DEF-ghi_jkl~mno+pqr/stu=" },
		{ "Authorization: Bearer sk-proj-Ab3dEfGh1jKlMn0pQrStUvWxYz0123", FY_SECRET_OPENAI,
		  "sk-proj-Ab3dEfGh1jKlMn0pQrStUvWxYz0123" },
		{ "t eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig-nature_x end", FY_SECRET_JWT,
		  "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig-nature_x" },
		{ "k:\n-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\nafter",
		  FY_SECRET_PRIVATE_KEY, "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----" },
		{ "-----BEGIN PRIVATE KEY-----\nMIIB cut short", FY_SECRET_PRIVATE_KEY,
		  "-----BEGIN PRIVATE KEY-----\nMIIB cut short" },
	};
	size_t i, pad;
	char buf[256];

	/*
	 * At every offset from 0 to 40 behind spaces, so that the shape falls
	 * at every position of the scanner's 16-byte blocks and in its tail.
	 */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (pad = 0; pad <= 40; pad++) {
			size_t off = 0, len = 0;
			enum fy_secret_kind k;

			memset(buf, ' ', pad);
			snprintf(buf + pad, sizeof(buf) - pad, "%s", cases[i].text);
			k = first(buf, &off, &len);
			if (k != cases[i].kind || len != strlen(cases[i].value) ||
			    memcmp(buf + off, cases[i].value, len) != 0) {
				fprintf(stderr, "#   case %zu at +%zu: got %s '%.*s'\n", i, pad,
					fy_secret_kind_name(k), (int)len, buf + off);
				CHECK(!"credential found with its kind and extent");
				break;
			}
		}
}

TEST(secrets_inside_a_word_is_not_found_at_any_offset)
{
	char buf[128];
	size_t pad;

	/* A key glued to the word before it is part of that word, wherever it falls. */
	for (pad = 0; pad <= 40; pad++) {
		memset(buf, ' ', pad);
		snprintf(buf + pad, sizeof(buf) - pad, "qsk-proj-Ab3dEfGh1jKlMn0pQrStUvWxYz0123 eyJ");
		if (first(buf, NULL, NULL) != FY_SECRET_NONE) {
			fprintf(stderr, "#   at +%zu\n", pad);
			CHECK(!"no credential inside a word");
			break;
		}
	}
}

TEST(secrets_redaction_leaves_no_credential_its_replacements_complete)
{
	/* The AWS secret runs on into "sk" until the OpenAI key is replaced by "[...". */
	static const char text[] = "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE/"
				   "sk-proj-Ab3dEfGh1jKlMn0pQrStUvWxYz0123 end";
	struct fy_buf out = FY_BUF_INIT(4096);
	struct fy_secret_match m;
	size_t count = 0;

	CHECK(fy_secret_redact(text, sizeof(text) - 1, &out, &count, NULL) == 0);
	CHECK(count == 2);
	CHECK(!fy_secret_find(out.ptr, out.len, 0, &m));
	CHECK(out.ptr && !strstr(out.ptr, "wJalr") && !strstr(out.ptr, "sk-proj"));
	fy_buf_release(&out);
}

TEST(secrets_near_misses_are_not_found)
{
	static const char *const texts[] = {
		"desk-lamp-adjustable-height-model",		/* sk- inside a word */
		"task: sk-this-is-just-a-long-hyphenated-phrase",	/* no digit */
		"sk-short1", "AKIA1234", "AKIAIOSFODNN7EXAMPLE0",	/* too short, too long */
		"AIzaShort", "eyJhbGciOiJIUzI1NiJ9 alone", "a bearer of good news",
		"Bearer short", "-----BEGIN PUBLIC KEY-----\nMIIB", "ghp_short",
		"the aws_secret_access_key goes in the environment",
		"xoxb-", "sig=abc", "api-key: <your key here>",
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		size_t off = 0, len = 0;
		enum fy_secret_kind k = first(texts[i], &off, &len);

		if (k != FY_SECRET_NONE) {
			fprintf(stderr, "#   '%s': found %s '%.*s'\n", texts[i], fy_secret_kind_name(k),
				(int)len, texts[i] + off);
			CHECK(!"no credential in a near miss");
		}
	}
}

TEST(secrets_redact_replaces_each)
{
	static const char text[] = "use sk-proj-Ab3dEfGh1jKlMn0pQrStUvWxYz0123 and AKIAIOSFODNN7EXAMPLE";
	struct fy_buf out = FY_BUF_INIT(4096);
	struct fy_secret_match m;
	size_t count = 0;

	CHECK(fy_secret_redact(text, strlen(text), &out, &count, NULL) == 0);
	CHECK(count == 2);
	CHECK_STR(out.ptr, "use [REDACTED:openai-key] and [REDACTED:aws-access-key-id]");
	CHECK(!fy_secret_find(out.ptr, out.len, 0, &m));
	fy_buf_reset(&out);
	count = 0;
	CHECK(fy_secret_redact("nothing here", 12, &out, &count, NULL) == 0);
	CHECK(count == 0);
	CHECK_STR(out.ptr, "nothing here");
	fy_buf_release(&out);
}

TEST(secrets_key_names_and_literals)
{
	CHECK(fy_secret_key_name("api_key", 7));
	CHECK(fy_secret_key_name("OPENAI_API_KEY", 14));
	CHECK(fy_secret_key_name("Authorization", 13));
	CHECK(fy_secret_key_name("client-secret", 13));
	CHECK(fy_secret_key_name("token", 5));
	CHECK(fy_secret_key_name("db.password", 11));
	CHECK(!fy_secret_key_name("$secret", 7));
	CHECK(!fy_secret_key_name("max_tokens", 10));
	CHECK(!fy_secret_key_name("name", 4));
	CHECK(fy_secret_key_name("Api Key", 7));
	CHECK(fy_secret_key_name("PASSWD", 6));
	CHECK(fy_secret_key_name("connection_string_", 18));
	CHECK(fy_secret_key_name("Subscription-Key.", 17));
	CHECK(!fy_secret_key_name("t.o.k", 5));
	CHECK(!fy_secret_key_name("-_. ", 4));
	CHECK(!fy_secret_key_name("secrets", 7));
	CHECK(!fy_secret_key_name("created", 7));
	CHECK(fy_secret_literal("abcd1234efgh", 12));
	CHECK(fy_secret_literal("Bearer abcd1234efgh", 19));
	CHECK(!fy_secret_literal("short", 5));
	CHECK(!fy_secret_literal("${OPENAI_API_KEY}", 17));
	CHECK(!fy_secret_literal("{{ $env.KEY }}", 14));
	CHECK(!fy_secret_literal("<your key here>", 15));
	CHECK(!fy_secret_literal("********", 8));
	CHECK(!fy_secret_literal("two words here", 14));
	CHECK(!fy_secret_literal("[REDACTED:openai-key]", 21));
}
