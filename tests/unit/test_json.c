/* test_json.c - the strict JSON parser and emitter (formats/json.c). */
#include <stdlib.h>

#include "json.h"
#include "unit.h"

static int parses(const char *text)
{
	struct fy_jdoc d;
	struct fy_error err;
	int rc;

	fy_jdoc_init(&d);
	rc = fy_jdoc_parse(&d, text, strlen(text), 0, &err);
	fy_jdoc_release(&d);
	return rc == 0;
}

TEST(json_parses_every_type)
{
	static const char *const good[] = {
		"null", "true", "false", "0", "-0", "1.5e10", "-2E-3", "\"\"", "\"a\\nb\"",
		"[]", "{}", "[1,[2,[3]]]", "{\"a\":{\"b\":[]}}", " \t\n[ 1 , 2 ]\r\n",
		"\"\\ud83d\\ude00\"", "\"\xc3\xa9\xe6\x97\xa5\xf0\x9f\x99\x8f\"",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(parses(good[i]));
}

TEST(json_rejects_invalid_text)
{
	static const char *const bad[] = {
		"", " ", "[", "]", "{", "[1,]", "{\"a\":1,}", "{\"a\"}", "{a:1}", "01", "1.", ".5",
		"1e", "+1", "tru", "nul", "[1 2]", "\"abc", "\"a\nb\"", "\"\\x\"", "\"\\u12\"",
		"{\"a\":1} x", "[1]]", "'a'", "NaN", "Infinity", "\"\\ud800\"", "\"\\udc00\"",
		"\"\xc3\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xff\"",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parses(bad[i]))
			fprintf(stderr, "#   accepted: %s\n", bad[i]);
		CHECK(!parses(bad[i]));
	}
}

TEST(json_rejects_duplicate_keys)
{
	CHECK(!parses("{\"a\":1,\"a\":2}"));
	CHECK(!parses("{\"a\":1,\"\\u0061\":2}"));
	CHECK(!parses("{\"k1\":1,\"k2\":1,\"k3\":1,\"k4\":1,\"k5\":1,\"k6\":1,\"k7\":1,"
		      "\"k8\":1,\"k9\":1,\"k3\":2}"));
	CHECK(parses("{\"a\":{\"a\":1},\"b\":[{\"a\":1},{\"a\":2}]}"));
	/* empty keys are keys too; same length and first byte is not the same key */
	CHECK(!parses("{\"\":1,\"\":2}"));
	CHECK(!parses("{\"x\":0,\"\":1,\"y\":3,\"\":2}"));
	CHECK(parses("{\"ab\":1,\"ac\":2,\"\":3}"));
}

TEST(json_rejects_duplicate_keys_in_large_objects)
{
	char big[20000];
	size_t n;
	int i;

	/* 300 distinct keys parse; a repeat anywhere, or spelled with an escape, does not */
	n = (size_t)snprintf(big, sizeof(big), "{");
	for (i = 0; i < 300; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "%s\"key%d\":%d", i ? "," : "", i, i);
	snprintf(big + n, sizeof(big) - n, "}");
	CHECK(parses(big));
	snprintf(big + n, sizeof(big) - n, ",\"key150\":1}");
	CHECK(!parses(big));
	snprintf(big + n, sizeof(big) - n, ",\"k\\u0065y7\":1}");
	CHECK(!parses(big));
	snprintf(big + n, sizeof(big) - n, ",\"k\\u0065y7x\":1}");
	CHECK(parses(big));
	CHECK(!parses("{\"\\u00e9\":1,\"b\":2,\"\xc3\xa9\":3}"));
}

TEST(json_limits_depth_numbers_and_nodes)
{
	struct fy_jdoc d;
	struct fy_error err;
	char deep[400];
	int i;

	fy_jdoc_init(&d);
	for (i = 0; i < 200; i++)
		deep[i] = '[';
	for (i = 0; i < 200; i++)
		deep[200 + i] = ']';
	CHECK(fy_jdoc_parse(&d, deep, 400, 0, &err) < 0);
	CHECK(err.code == FY_E_UNSAFE);
	d.max_depth = 300;
	CHECK(fy_jdoc_parse(&d, deep, 400, 0, &err) == 0);
	d.max_number = 8;
	CHECK(fy_jdoc_parse(&d, "123456789", 9, 0, &err) < 0 && err.code == FY_E_UNSAFE);
	d.max_nodes = 3;
	CHECK(fy_jdoc_parse(&d, "[1,2,3,4]", 9, 0, &err) < 0 && err.code == FY_E_UNSAFE);
	fy_jdoc_release(&d);
}

TEST(json_errors_say_where)
{
	struct fy_jdoc d;
	struct fy_error err;

	fy_jdoc_init(&d);
	CHECK(fy_jdoc_parse(&d, "{\n  \"a\": [1,\n  2,,\n]}", 20, 0, &err) < 0);
	CHECK(strstr(err.msg, "line 3") != NULL);
	fy_jdoc_release(&d);
}

TEST(json_access_and_decode)
{
	const char *t = "{\"s\":\"a\\\"b\\u00e9\\ud83d\\ude00\",\"n\":-42,\"f\":2.5,\"arr\":[10,20,30],"
			"\"o\":{\"k\":true}}";
	struct fy_jdoc d;
	struct fy_error err;
	int64_t v;
	double f;
	char *s;

	fy_jdoc_init(&d);
	CHECK(fy_jdoc_parse(&d, t, strlen(t), 0, &err) == 0);
	s = fy_json_get_strdup(&d, 0, "s");
	CHECK_STR(s, "a\"b\xc3\xa9\xf0\x9f\x98\x80");
	free(s);
	CHECK(fy_json_int(&d, fy_json_get(&d, 0, "n"), &v) == 0 && v == -42);
	CHECK(fy_json_int(&d, fy_json_get(&d, 0, "f"), &v) < 0);
	CHECK(fy_json_double(&d, fy_json_get(&d, 0, "f"), &f) == 0 && f == 2.5);
	CHECK(fy_json_int(&d, fy_json_at(&d, fy_json_get(&d, 0, "arr"), 2), &v) == 0 && v == 30);
	CHECK(fy_json_at(&d, fy_json_get(&d, 0, "arr"), 3) == FY_JNONE);
	CHECK(fy_json_type(&d, fy_json_get(&d, fy_json_get(&d, 0, "o"), "k")) == FY_JTRUE);
	CHECK(fy_json_get(&d, 0, "missing") == FY_JNONE);
	CHECK(fy_json_streq(&d, fy_json_get(&d, 0, "s"), "a\"b\xc3\xa9\xf0\x9f\x98\x80"));
	fy_jdoc_release(&d);
}

/* Which escapes a string holds, and the counts beside them in the same word. */
TEST(json_escape_bits)
{
	const char *t = "{\"plain\":\"abc\",\"nl\":\"a\\nb\\\"c\",\"slash\":\"a\\/b\","
			"\"u\":\"\\u0041\",\"k\\u0065y\":[1,2,3]}";
	struct fy_jdoc d;
	struct fy_error err;
	uint32_t k, key, val;

	fy_jdoc_init(&d);
	CHECK(fy_jdoc_parse(&d, t, strlen(t), 0, &err) == 0);
	CHECK(fy_json_len(&d, 0) == 5);
	FY_JSON_FOREACH_MEMBER(&d, 0, k, key, val) {
		int any = fy_json_has_escapes(&d, val), opaque = fy_json_has_opaque_escapes(&d, val);

		CHECK(k == 4 ? fy_json_has_opaque_escapes(&d, key) : !fy_json_has_escapes(&d, key));
		if (k == 0)
			CHECK(!any && !opaque);
		else if (k == 1)
			CHECK(any && !opaque);
		else if (k < 4)
			CHECK(any && opaque);
		else
			CHECK(fy_json_type(&d, val) == FY_JARRAY && fy_json_len(&d, val) == 3);
	}
	fy_jdoc_release(&d);
}

TEST(json_emit_compact_and_pretty)
{
	const char *t = "{ \"a\" : [ 1, 2.0e1 , \"x\\n\" ], \"b\": { }, \"c\": [] }";
	struct fy_buf b = FY_BUF_INIT(1 << 16);
	struct fy_jdoc d, d2;
	struct fy_error err;

	fy_jdoc_init(&d);
	fy_jdoc_init(&d2);
	CHECK(fy_jdoc_parse(&d, t, strlen(t), 0, &err) == 0);
	CHECK(fy_json_emit(&d, 0, &b, &err) == 0);
	CHECK_STR(b.ptr, "{\"a\":[1,2.0e1,\"x\\n\"],\"b\":{},\"c\":[]}");
	fy_buf_reset(&b);
	CHECK(fy_json_emit_pretty(&d, 0, &b, &err) == 0);
	CHECK_STR(b.ptr, "{\n  \"a\": [\n    1,\n    2.0e1,\n    \"x\\n\"\n  ],\n  \"b\": {},\n  \"c\": []\n}");
	CHECK(fy_jdoc_parse(&d2, b.ptr, b.len, 0, &err) == 0);
	fy_buf_reset(&b);
	CHECK(fy_json_emit(&d2, 0, &b, &err) == 0);
	CHECK_STR(b.ptr, "{\"a\":[1,2.0e1,\"x\\n\"],\"b\":{},\"c\":[]}");
	fy_buf_release(&b);
	fy_jdoc_release(&d);
	fy_jdoc_release(&d2);
}

TEST(json_scan_finds_each_element)
{
	const char *t = "[{\"a\":\"]}\\\"\"}, [1,[2]] ,\"s\\\"]\",  17, {}]";
	struct fy_error err;
	size_t off = 1, end, n = 0;
	int rc;

	while ((rc = fy_json_scan(t + off, strlen(t) - off, &end, 64, &err)) == 1) {
		struct fy_jdoc d;

		fy_jdoc_init(&d);
		CHECK(fy_jdoc_parse(&d, t + off, end, 0, &err) == 0);
		fy_jdoc_release(&d);
		off += end;
		while (t[off] == ',' || t[off] == ' ')
			off++;
		n++;
		if (t[off] == ']')
			break;
	}
	CHECK(n == 5);
	CHECK(fy_json_scan("{\"a\":", 5, &end, 64, &err) == 0);
	CHECK(fy_json_scan("}", 1, &end, 64, &err) < 0);
}

TEST(json_prefix_mode_reports_end)
{
	struct fy_jdoc d;
	struct fy_error err;

	fy_jdoc_init(&d);
	CHECK(fy_jdoc_parse(&d, "{\"a\":1} trailing", 16, FY_J_PREFIX, &err) == 0);
	CHECK(d.end == 7);
	fy_jdoc_release(&d);
}

TEST(utf8_validation)
{
	CHECK(fy_utf8_valid("plain ascii", 11));
	CHECK(fy_utf8_valid("\xe2\x82\xac", 3));
	CHECK(!fy_utf8_valid("\xe2\x82", 2));
	CHECK(!fy_utf8_valid("\xc1\xbf", 2));
	CHECK(!fy_utf8_valid("abcdefgh\x80", 9));
}

/*
 * The parser's string scan checks UTF-8 a block at a time where it can:
 * on random mixes of ASCII, every kind of lead byte, continuation bytes and
 * whole characters, at every alignment, it must accept exactly what the
 * byte-at-a-time validator accepts.
 */
TEST(json_strings_utf8_agrees_with_the_validator)
{
	static const char *const pieces[] = {
		"a", "Z", " ", "0", "\xc3\xa9", "\xc3\x9f", "\xdf\xbf", "\xc2\x80", "\xe2\x82\xac",
		"\xe1\x80\x80", "\xef\xbf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xf0\x9f\x9a\x9a",
		"\xf1\x80\x80\x80", "\xf4\x8f\xbf\xbf", "\x80", "\xbf", "\xc0", "\xc1", "\xc2", "\xe0",
		"\xe0\x80", "\xed\xa0\x80", "\xf0\x80", "\xf4\x90\x80\x80", "\xf5", "\xff", "\xe1",
		"\xf1\x80", "\xf3\x80\x80", "\xe0\x80\x80", "\xf0\x80\x80\x80", "\xc1\xbf",
	};
	struct fy_jdoc d;
	char text[512];
	uint32_t seed = 12345;
	int i, wrong = 0;

	fy_jdoc_init(&d);
	for (i = 0; i < 200000; i++) {
		size_t len = 1, pad, k, npieces;

		seed = seed * 1103515245u + 12345u;
		pad = (seed >> 8) % 20;
		npieces = (seed >> 16) % 100;
		text[0] = '"';
		memset(text + 1, 'x', pad);
		len += pad;
		for (k = 0; k < npieces; k++) {
			const char *pc;

			seed = seed * 1103515245u + 12345u;
			/* mostly valid text, now and then a bad byte */
			pc = pieces[(seed >> 8) % ((seed >> 20) % 4 ? 16 : sizeof(pieces) / sizeof(pieces[0]))];
			memcpy(text + len, pc, strlen(pc));
			len += strlen(pc);
		}
		text[len++] = '"';
		if ((fy_jdoc_parse(&d, text, len, 0, NULL) == 0) != fy_utf8_valid(text + 1, len - 2) &&
		    wrong++ < 3)
			fprintf(stderr, "#   disagree on %.*s\n", (int)len, text);
	}
	CHECK(wrong == 0);
	fy_jdoc_release(&d);
}

/*
 * A string with sixteen bytes after its start takes the inline fast path
 * (string_at); at the end of the text it cannot. Both must agree on every
 * string: valid or not, where it ends, and its escapes.
 */
TEST(json_short_string_fast_path_agrees)
{
	static const char *const pieces[] = {
		"a", "Z", " ", "~", "\x7f", "\xc3\xa9", "\xf0\x9f\x9a\x9a", "\\n", "\\\"", "\\/",
		"\\u0041", "\\\\", "\\", "\x01", "\x1f", "\x80", "\xed\xa0\x80", "\\q",
	};
	struct fy_jdoc a, b;
	char text[256];
	uint32_t seed = 777;
	int i, wrong = 0, fast = 0;

	fy_jdoc_init(&a);
	fy_jdoc_init(&b);
	for (i = 0; i < 200000; i++) {
		size_t len = 1, k, npieces;
		int ra, rb;

		seed = seed * 1103515245u + 12345u;
		npieces = (seed >> 16) % 8;
		text[0] = '"';
		for (k = 0; k < npieces; k++) {
			const char *pc;

			seed = seed * 1103515245u + 12345u;
			/* mostly plain ASCII, the common case the fast path takes */
			pc = pieces[(seed >> 8) % ((seed >> 20) % 2 ? 4 : sizeof(pieces) / sizeof(pieces[0]))];
			memcpy(text + len, pc, strlen(pc));
			len += strlen(pc);
		}
		text[len++] = '"';
		memset(text + len, ' ', 20);
		ra = fy_jdoc_parse(&a, text, len, 0, NULL);
		rb = fy_jdoc_parse(&b, text, len + 20, 0, NULL);
		fast += rb == 0 && !fy_json_has_escapes(&b, 0) && len <= 17;
		if ((ra == 0) != (rb == 0) ||
		    (ra == 0 && (a.nodes[0].end != b.nodes[0].end ||
				 fy_json_has_escapes(&a, 0) != fy_json_has_escapes(&b, 0) ||
				 fy_json_has_opaque_escapes(&a, 0) != fy_json_has_opaque_escapes(&b, 0)))) {
			if (wrong++ < 3)
				fprintf(stderr, "#   disagree on %.*s\n", (int)len, text);
		}
	}
	CHECK(wrong == 0);
	CHECK(fast > 10000);	/* the fast path was taken */
	fy_jdoc_release(&a);
	fy_jdoc_release(&b);
}

/* Found by fuzz_claude: emitting an absent value read past the node array. */
TEST(json_emit_absent_is_null)
{
	struct fy_buf b = FY_BUF_INIT(1024);
	struct fy_error err;
	struct fy_jdoc d;

	fy_jdoc_init(&d);
	CHECK(fy_jdoc_parse(&d, "{\"a\":1}", 7, 0, &err) == 0);
	CHECK(fy_json_emit(&d, fy_json_get(&d, 0, "missing"), &b, &err) == 0);
	CHECK_STR(b.ptr, "null");
	fy_buf_reset(&b);
	CHECK(fy_json_emit_pretty(&d, FY_JNONE, &b, &err) == 0);
	CHECK_STR(b.ptr, "null");
	fy_buf_release(&b);
	fy_jdoc_release(&d);
}

/* Found by fuzz_bedrock_flow: a NULL literal went to strlen. */
TEST(json_streq_null_literal)
{
	struct fy_error err;
	struct fy_jdoc d;

	fy_jdoc_init(&d);
	CHECK(fy_jdoc_parse(&d, "\"x\"", 3, 0, &err) == 0);
	CHECK(fy_json_streq(&d, 0, NULL) == 0);
	CHECK(fy_json_streq(&d, 0, "x") == 1);
	fy_jdoc_release(&d);
}
