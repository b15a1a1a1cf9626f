/* test_names.c - member name safety and the archive layout (formats/names.c). */
#include "names.h"
#include "unit.h"

TEST(unsafe_member_names_are_refused)
{
	static const char *const bad[] = {
		"", "/etc/passwd", "../x", "a/../b", "a/..", "./a", "a/./b", "a//b", "a/", "a\\b",
		"..\\x", "C:x", "a\x01" "b", "a\x1b[31m", "a\x7f", "a\xe2\x80\xae" "b",
		"a\xe2\x81\xa6" "b", "a\xef\xbb\xbf", "a\xc2\x85", "\xff", "a\xc3", "a*b", "a?b",
		"a|b", "a\"b", "a<b",
	};
	struct fy_error err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = fy_member_name_check(bad[i], &err);

		if (rc == 0)
			fprintf(stderr, "#   accepted: '%s'\n", bad[i]);
		CHECK(rc < 0 && err.code == FY_E_UNSAFE);
	}
	{
		char longname[400];

		memset(longname, 'a', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		CHECK(fy_member_name_check(longname, &err) < 0);
	}
}

TEST(member_layout_is_classified)
{
	struct fy_member_info i;
	struct fy_error err;

	CHECK(fy_member_classify("ferry.json", &i, &err) == 0 && i.cls == FY_MEMBER_HEADER);
	CHECK(fy_member_classify("agents/a-1.json", &i, &err) == 0 && i.cls == FY_MEMBER_OBJECT &&
	      i.kind == FY_KIND_AGENT && strcmp(i.id, "a-1") == 0);
	CHECK(fy_member_classify("threads/000001.jsonl", &i, &err) == 0 &&
	      i.cls == FY_MEMBER_STREAM && i.kind == FY_KIND_THREAD);
	CHECK(fy_member_classify("memory/000012.jsonl", &i, &err) == 0 && i.kind == FY_KIND_MEMORY);
	CHECK(fy_member_classify("blobs/d8ad2677f66b916b33d4bafccb2adcddf749781817d20ba48d3094a3ad4c2fc9",
				 &i, &err) == 0 && i.cls == FY_MEMBER_BLOB);
	CHECK(fy_member_classify("blobs/D8AD", &i, &err) == 0 && i.cls == FY_MEMBER_UNKNOWN);
	CHECK(fy_member_classify("raw/letta-af/agent.af", &i, &err) == 0 && i.cls == FY_MEMBER_RAW);
	CHECK(fy_member_classify("ledger/000001.jsonl", &i, &err) == 0 && i.cls == FY_MEMBER_LEDGER);
	CHECK(fy_member_classify("threads/1.jsonl", &i, &err) == 0 && i.cls == FY_MEMBER_UNKNOWN);
	CHECK(fy_member_classify("messages/000001.jsonl", &i, &err) == 0 &&
	      i.cls == FY_MEMBER_UNKNOWN);
	CHECK(fy_member_name_fold_fp("Agents/X.json") == fy_member_name_fold_fp("agents/x.json"));
}
