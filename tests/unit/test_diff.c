/* test_diff.c - the unified text diff and the diff document's schema (formats/diff.c). */
#include <stdlib.h>

#include "diff.h"
#include "json.h"
#include "schema.h"
#include "unit.h"

static char *udiff(const char *a, const char *b, int ctx)
{
	struct fy_buf out = FY_BUF_INIT(1 << 20);
	struct fy_error err;
	char *s;

	if (fy_text_diff(a, strlen(a), b, strlen(b), "a", "b", ctx, &out, &err) < 0) {
		fy_buf_release(&out);
		return NULL;
	}
	s = fy_buf_detach(&out, NULL);
	return s ? s : calloc(1, 1);
}

TEST(text_diff_equal_texts_give_nothing)
{
	char *d = udiff("one\ntwo\n", "one\ntwo\n", 3);

	CHECK_STR(d, "");
	free(d);
}

TEST(text_diff_one_changed_line)
{
	char *d = udiff("Be brief.", "Be brief and kind.", 3);

	CHECK_STR(d, "--- a\n+++ b\n@@ -1 +1 @@\n-Be brief.\n+Be brief and kind.\n");
	free(d);
}

TEST(text_diff_context_and_separate_hunks)
{
	const char *a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n";
	const char *b = "1\n2\nthree\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\nnew\n15\n16\n";
	char *d = udiff(a, b, 2);

	CHECK_STR(d, "--- a\n+++ b\n"
		     "@@ -1,5 +1,5 @@\n 1\n 2\n-3\n+three\n 4\n 5\n"
		     "@@ -13,4 +13,5 @@\n 13\n 14\n+new\n 15\n 16\n");
	free(d);
	/* Close changes share one hunk. */
	d = udiff("a\nb\nc\nd\ne\n", "a\nB\nc\nD\ne\n", 1);
	CHECK_STR(d, "--- a\n+++ b\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n-d\n+D\n e\n");
	free(d);
}

TEST(text_diff_insertions_and_deletions_at_the_ends)
{
	char *d = udiff("", "first line\n", 3);

	CHECK_STR(d, "--- a\n+++ b\n@@ -0,0 +1 @@\n+first line\n");
	free(d);
	d = udiff("x\ny\n", "x\n", 3);
	CHECK_STR(d, "--- a\n+++ b\n@@ -1,2 +1 @@\n x\n-y\n");
	free(d);
	/* The LCS keeps the common lines, not just a prefix and suffix. */
	d = udiff("k\na\nk\nb\nk\n", "a\nk\nb\nx\n", 0);
	CHECK_STR(d, "--- a\n+++ b\n@@ -1 +0,0 @@\n-k\n@@ -5 +4 @@\n-k\n+x\n");
	free(d);
}

static int validate(const char *doc)
{
	const struct fy_schemaset *s;
	struct fy_error err;
	struct fy_jdoc d;
	int rc;

	s = fy_schemaset_default(&err);
	if (!s)
		return -2;
	fy_jdoc_init(&d);
	rc = fy_jdoc_parse(&d, doc, strlen(doc), 0, &err);
	if (rc == 0)
		rc = fy_schema_validate(s, "diff.json", &d, 0, 0, &err);
	if (rc < 0)
		fprintf(stderr, "#   %s\n", err.msg);
	fy_jdoc_release(&d);
	return rc;
}

TEST(diff_document_schema)
{
	static const char side[] =
		"{\"archive\":\"a.ferry\",\"created\":\"2026-10-01T00:00:00Z\",\"source\":{\"adapter\":\"dir\",\"location\":\"x\"}}";
	static const char counts[] = "{\"added\":0,\"removed\":0,\"changed\":0}";
	char doc[4096], sum[1024];

	snprintf(sum, sizeof(sum),
		 "{\"agent\":%s,\"tool\":%s,\"knowledge\":%s,\"workflow\":%s,\"file\":%s,\"thread\":%s,"
		 "\"message\":%s,\"memory\":%s}",
		 counts, counts, counts, counts, counts, counts, counts, counts);
	snprintf(doc, sizeof(doc),
		 "{\"a\":%s,\"b\":%s,\"summary\":%s,\"changes\":["
		 "{\"kind\":\"agent\",\"op\":\"changed\",\"id\":\"x\",\"fields\":[{\"field\":\"instructions\",\"old\":\"a\",\"new\":\"b\",\"diff\":\"...\"},{\"field\":\"tools\",\"old\":[],\"new\":[\"t\"],\"added\":[\"t\"],\"removed\":[]}]},"
		 "{\"kind\":\"thread\",\"op\":\"changed\",\"id\":\"t\",\"messages\":{\"total\":3,\"added\":1,\"removed\":0,\"changed\":0,\"added_ids\":[\"m3\"],\"removed_ids\":[],\"changed_ids\":[],\"truncated\":false}},"
		 "{\"kind\":\"memory\",\"op\":\"removed\",\"id\":\"m\",\"record\":{\"kind\":\"memory\"}}]}",
		 side, side, sum);
	CHECK(validate(doc) == 0);
	snprintf(doc, sizeof(doc), "{\"a\":%s,\"b\":%s,\"summary\":%s,\"changes\":[{\"kind\":\"message\",\"op\":\"added\",\"id\":\"x\"}]}",
		 side, side, sum);
	CHECK(validate(doc) < 0);
	snprintf(doc, sizeof(doc), "{\"a\":%s,\"b\":%s,\"summary\":%s,\"changes\":[{\"kind\":\"agent\",\"op\":\"edited\",\"id\":\"x\"}]}",
		 side, side, sum);
	CHECK(validate(doc) < 0);
}
