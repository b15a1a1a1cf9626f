/*
 * fuzz_http.c - HTTP response handling in adapters/http.c, without a
 * network: what a provider sends back is parsed by fy_http_header(),
 * fy_http_retry_after_ms() and fy_http_check() (the provider's error
 * message, scrubbed of credentials), and request paths by
 * fy_http_encode().
 *
 * Input: two bytes of status, then header lines up to an empty line, then
 * the body. Invariants: a header value fits its buffer and is
 * NUL-terminated; a Retry-After delay is -1 or >= 0; fy_http_check()
 * accepts exactly the 2xx statuses and otherwise names the status; the
 * message it builds never contains a registered secret or anything the
 * credential scan recognises; fy_http_encode() output is unreserved
 * characters and %XX only, and decodes back to its input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "http.h"
#include "secrets.h"

#define SECRET "sk-fuzzCANARY0123456789abcdefgh"

static struct fy_http *client(void)
{
	static struct fy_http *h;

	if (!h) {
		struct fy_http_options o;
		struct fy_error err;

		fy_http_options_init(&o, "fuzz", "http://127.0.0.1:9");
		h = fy_http_new(&o, &err);
		FUZZ_ASSERT(h != NULL);
		fy_http_add_secret(h, SECRET);
	}
	return h;
}

static void check_encode(const char *s, size_t n, int keep_slash)
{
	struct fy_buf out = FY_BUF_INIT((size_t)1 << 24);
	size_t i, k = 0;

	FUZZ_ASSERT(fy_http_encode(&out, s, n, keep_slash, NULL) == 0);
	for (i = 0; i < out.len; i++, k++) {
		char c = out.ptr[i];

		if (c == '%') {
			FUZZ_ASSERT(i + 2 < out.len);
			FUZZ_ASSERT(fuzz_hexval(out.ptr[i + 1]) >= 0 && fuzz_hexval(out.ptr[i + 2]) >= 0);
			FUZZ_ASSERT(k < n && (char)(fuzz_hexval(out.ptr[i + 1]) << 4 | fuzz_hexval(out.ptr[i + 2])) == s[k]);
			i += 2;
		} else {
			FUZZ_ASSERT((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
				    c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/'));
			FUZZ_ASSERT(k < n && c == s[k]);
		}
	}
	FUZZ_ASSERT(k == n);
	fy_buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"retry-after", "retry-after-ms", "x-ratelimit-remaining-requests",
		"x-ratelimit-reset-requests", "content-type", "link", "x-amzn-requestid",
	};
	struct fy_http_response r;
	struct fy_secret_match m;
	struct fy_error err;
	const char *p = (const char *)data + 2, *end = (const char *)data + size, *sep;
	char v[64];
	size_t i;
	long ms;
	int rc;

	if (size < 2)
		return 0;
	fy_http_response_init(&r);
	r.status = 100 + (long)((data[0] << 8 | data[1]) % 500);
	sep = size > 2 ? memmem(p, (size_t)(end - p), "\n\n", 2) : NULL;
	if (sep) {
		fy_buf_add(&r.headers, p, (size_t)(sep - p) + 1, NULL);
		p = sep + 2;
	}
	fy_buf_add(&r.body, p, (size_t)(end - p), NULL);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (fy_http_header(&r, names[i], v, sizeof(v)) == 0)
			FUZZ_ASSERT(strlen(v) < sizeof(v));
	ms = fy_http_retry_after_ms(&r, 1700000000);
	FUZZ_ASSERT(ms >= -1);
	fy_http_status_retryable(r.status);
	fy_error_clear(&err);
	rc = fy_http_check(client(), &r, "fuzz", &err);
	FUZZ_ASSERT((rc == 0) == (r.status >= 200 && r.status < 300));
	if (rc < 0) {
		FUZZ_ASSERT(strstr(err.msg, "HTTP ") != NULL);
		FUZZ_ASSERT(strstr(err.msg, SECRET) == NULL);
		if (fy_secret_find(err.msg, strlen(err.msg), 0, &m))
			fprintf(stderr, "fuzz_http: a %s is left in '%s'\n", fy_secret_kind_name(m.kind), err.msg);
		FUZZ_ASSERT(!fy_secret_find(err.msg, strlen(err.msg), 0, &m));
	}
	check_encode((const char *)data, size, data[0] & 1);
	fy_http_response_release(&r);
	return 0;
}
