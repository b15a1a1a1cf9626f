/*
 * test_provider_parse.c - parsing what a provider sends back, no network:
 * HTTP headers (adapters/http.c), AWS timestamps (adapters/aws.c). The
 * cases are the fuzzers' findings.
 */
#include "aws.h"
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

/* Found by fuzz_agentcore: "1e999" or 30 digits as an epoch time overflowed int64_t. */
TEST(aws_time_out_of_range_is_not_a_time)
{
	static const char *const bad[] = { "1e999", "-1e999", "123456789012345678901234567890",
					   "1e300" };
	struct fy_error err;
	struct fy_jdoc d;
	int64_t sec;
	int32_t ns;
	size_t i;

	fy_jdoc_init(&d);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(fy_jdoc_parse(&d, bad[i], strlen(bad[i]), 0, &err) == 0);
		CHECK(fy_aws_time(&d, 0, &sec, &ns) < 0);
	}
	CHECK(fy_jdoc_parse(&d, "1767261600.125", 14, 0, &err) == 0);
	CHECK(fy_aws_time(&d, 0, &sec, &ns) == 0 && sec == 1767261600 && ns == 125000000);
	fy_jdoc_release(&d);
}
