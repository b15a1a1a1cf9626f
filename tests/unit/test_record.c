/* test_record.c - kinds, ids and times (formats/record.c), buffers, fingerprints. */
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "idset.h"
#include "record.h"
#include "unit.h"

TEST(time_parse_and_format)
{
	int64_t s;
	int32_t ns;
	char out[40];

	CHECK(fy_time_parse("1970-01-01T00:00:00Z", 20, &s, &ns) == 0 && s == 0 && ns == 0);
	CHECK(fy_time_parse("2024-02-29T23:59:59.5Z", 22, &s, &ns) == 0 && ns == 500000000);
	fy_time_format(s, ns, out);
	CHECK_STR(out, "2024-02-29T23:59:59.5Z");
	CHECK(fy_time_parse("2023-02-29T00:00:00Z", 20, &s, &ns) < 0);
	CHECK(fy_time_parse("2024-13-01T00:00:00Z", 20, &s, &ns) < 0);
	CHECK(fy_time_parse("2024-01-01T00:00:00+01:00", 25, &s, &ns) < 0);
	CHECK(fy_time_parse("2024-01-01 00:00:00Z", 20, &s, &ns) < 0);
	CHECK(fy_time_parse("2024-01-01T00:00:00.1234567891Z", 31, &s, &ns) < 0);
	CHECK(fy_time_parse_user("2024-01-01T01:00:00+01:00", &s) == 0);
	CHECK(fy_time_parse_user("2024-01-01", &s) == 0 && s == 1704067200);
	CHECK(fy_time_parse_user("yesterday", &s) < 0);
	fy_time_format(1704067200, 0, out);
	CHECK_STR(out, "2024-01-01T00:00:00Z");
}

/* Found by fuzz_record: strftime's %Y wrote year 24 as "24". */
TEST(time_format_pads_the_year)
{
	int64_t s;
	int32_t ns;
	char out[40];

	CHECK(fy_time_parse("0024-02-29T23:59:59.12Z", 23, &s, &ns) == 0);
	fy_time_format(s, ns, out);
	CHECK_STR(out, "0024-02-29T23:59:59.12Z");
	CHECK(fy_time_parse("0000-01-01T00:00:00Z", 20, &s, &ns) == 0);
	fy_time_format(s, 0, out);
	CHECK_STR(out, "0000-01-01T00:00:00Z");
}

TEST(ids_are_file_name_safe)
{
	char out[FY_ID_MAX + 1];

	CHECK(fy_id_valid("conv-1.a_b~c", 12));
	CHECK(!fy_id_valid("", 0));
	CHECK(!fy_id_valid(".hidden", 7));
	CHECK(!fy_id_valid("-x", 2));
	CHECK(!fy_id_valid("a/b", 3));
	CHECK(!fy_id_valid("a:b", 3));
	fy_id_make("keep-me", 7, out);
	CHECK_STR(out, "keep-me");
	fy_id_make("tenant-a:user/42", 16, out);
	CHECK(out[0] == 'x' && strlen(out) == 41 && fy_id_valid(out, strlen(out)));
	{
		char again[FY_ID_MAX + 1];

		fy_id_make("tenant-a:user/42", 16, again);
		CHECK_STR(out, again);
	}
}

TEST(kind_lists)
{
	unsigned set;
	struct fy_error err;

	CHECK(fy_kind_parse_list("agent,threads,message", &set, &err) == 0);
	CHECK(set == ((1u << FY_KIND_AGENT) | (1u << FY_KIND_THREAD) | (1u << FY_KIND_MESSAGE)));
	CHECK(fy_kind_parse_list("agent,banana", &set, &err) < 0 && err.code == FY_E_USAGE);
	CHECK_STR(fy_kind_dir(FY_KIND_MESSAGE), "threads");
	CHECK(fy_kind_layout(FY_KIND_AGENT) == FY_LAYOUT_OBJECT);
}

TEST(buf_is_bounded)
{
	struct fy_buf b = FY_BUF_INIT(8);
	struct fy_error err;

	CHECK(fy_buf_adds(&b, "12345678", &err) == 0);
	CHECK(fy_buf_addc(&b, '9', &err) < 0 && err.code == FY_E_DATA);
	CHECK(b.len == 8 && b.ptr[8] == '\0');
	fy_buf_consume(&b, 3);
	CHECK_STR(b.ptr, "45678");
	fy_buf_reset(&b);
	CHECK(fy_buf_add_jstr(&b, "a\"\x01", 3, &err) < 0);	/* needs 10 bytes */
	b.max = 64;
	CHECK(fy_buf_add_jstr(&b, "a\"\x01", 3, &err) == 0);
	CHECK_STR(b.ptr, "\"a\\\"\\u0001\"");
	fy_buf_release(&b);
}

TEST(idset_finds_members_and_honours_max)
{
	struct fy_idset s;
	struct fy_error err;
	char id[32];
	int i, all = 1;

	fy_idset_init(&s, 10000);
	for (i = 0; i < 10000; i++) {
		snprintf(id, sizeof(id), "id-%d", i);
		all &= fy_idset_add(&s, fy_fingerprint(1, id, strlen(id)), &err) == 1;
	}
	CHECK(all);
	CHECK(fy_idset_add(&s, fy_fingerprint(1, "id-77", 5), &err) == 0);
	CHECK(fy_idset_has(&s, fy_fingerprint(1, "id-9999", 7)));
	CHECK(!fy_idset_has(&s, fy_fingerprint(2, "id-9999", 7)));
	CHECK(fy_idset_add(&s, fy_fingerprint(1, "one-more", 8), &err) < 0);
	fy_idset_release(&s);
}
