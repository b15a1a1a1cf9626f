/* test_http_parse.c - parsing what a provider sends back (adapters/http.c), no network. */
#include "http.h"
#include "unit.h"

static void with_header(struct fy_http_response *r, const char *lines)
{
	fy_http_response_init(r);
	fy_buf_adds(&r->headers, lines, NULL);
}

/* Found by fuzz_http: "Retry-After: 1e300" was converted to long out of range. */
TEST(retry_after_out_of_range_is_clamped)
{
	struct fy_http_response r;

	with_header(&r, "retry-after-ms: 1e300\r\n");
	CHECK(fy_http_retry_after_ms(&r, 0) == (long)1e12);
	fy_http_response_release(&r);
	with_header(&r, "Retry-After: 1e300\r\n");
	CHECK(fy_http_retry_after_ms(&r, 0) == (long)1e12);
	fy_http_response_release(&r);
	with_header(&r, "Retry-After: inf\r\n");
	CHECK(fy_http_retry_after_ms(&r, 0) == (long)1e12);
	fy_http_response_release(&r);
	with_header(&r, "Retry-After: nan\r\n");
	CHECK(fy_http_retry_after_ms(&r, 0) == -1);
	fy_http_response_release(&r);
	with_header(&r, "Retry-After: 7\r\n");
	CHECK(fy_http_retry_after_ms(&r, 0) == 7000);
	fy_http_response_release(&r);
}
