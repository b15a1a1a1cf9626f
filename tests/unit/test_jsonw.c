/* test_jsonw.c - the token JSON writer (formats/jsonw.h). */
#include <stdlib.h>

#include "jsonw.h"
#include "unit.h"

TEST(jsonw_builds_nested_values)
{
	struct fy_buf b = FY_BUF_INIT(1 << 16);
	struct fy_jdoc d;
	struct fy_error err;
	struct fy_jw w;
	const char *src = "{\"v\":[1.4, 0.1, -2e-3], \"s\":\"a\\u00e9\\n\"}";

	fy_jdoc_init(&d);
	CHECK(fy_jdoc_parse(&d, src, strlen(src), 0, &err) == 0);
	fy_jw_init(&w, &b);
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "k", "x\"y");
	fy_jw_key(&w, "a");
	fy_jw_arr(&w);
	fy_jw_int(&w, -3);
	fy_jw_bool(&w, 1);
	fy_jw_null(&w);
	fy_jw_obj(&w);
	fy_jw_end(&w);
	fy_jw_node(&w, &d, fy_json_get(&d, 0, "v"));
	fy_jw_end(&w);
	fy_jw_knode(&w, "s", &d, fy_json_get(&d, 0, "s"));
	fy_jw_knode_opt(&w, "absent", &d, fy_json_get(&d, 0, "nope"));
	fy_jw_kstr_opt(&w, "none", NULL);
	fy_jw_end(&w);
	CHECK(fy_jw_finish(&w, &err) == 0);
	/* Numbers and escapes are copied as they were written. */
	CHECK_STR(b.ptr, "{\"k\":\"x\\\"y\",\"a\":[-3,true,null,{},[1.4,0.1,-2e-3]],\"s\":\"a\\u00e9\\n\"}");
	fy_jdoc_release(&d);
	fy_buf_release(&b);
}

TEST(jsonw_refuses_misuse)
{
	struct fy_buf b = FY_BUF_INIT(1 << 10);
	struct fy_error err;
	struct fy_jw w;

	fy_jw_init(&w, &b);
	fy_jw_obj(&w);
	fy_jw_str(&w, "no key");
	fy_jw_end(&w);
	CHECK(fy_jw_finish(&w, &err) < 0);
	fy_buf_release(&b);

	fy_jw_init(&w, &b);
	fy_jw_arr(&w);
	CHECK(fy_jw_finish(&w, &err) < 0);	/* left open */
	fy_buf_release(&b);

	/* The buffer's limit is an error, not a truncation. */
	b.max = 8;
	fy_jw_init(&w, &b);
	fy_jw_str(&w, "longer than eight bytes");
	CHECK(fy_jw_finish(&w, &err) < 0);
	CHECK(err.code == FY_E_DATA);
	fy_buf_release(&b);
}
