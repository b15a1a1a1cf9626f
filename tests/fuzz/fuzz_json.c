/*
 * fuzz_json.c - the strict JSON parser and emitter (formats/json.c).
 *
 * The first byte picks the parse flags and, sometimes, small limits; the
 * rest is the text. Invariants checked on every accepted document:
 *   - compact emit -> parse -> compact emit gives the same bytes, and the
 *     pretty form parses back to the same compact form;
 *   - fy_json_scan() finds the same end for a top-level container;
 *   - every decoded string is valid UTF-8 (unless lone surrogates were
 *     allowed), and fy_json_get() finds every key of an object.
 * A refusal must carry FY_E_DATA or FY_E_UNSAFE and a message.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json.h"

static void walk(const struct fy_jdoc *d, unsigned flags)
{
	uint32_t i;

	for (i = 0; i < d->n; i++) {
		enum fy_jtype t = fy_json_type(d, i);

		if (t == FY_JSTRING) {
			size_t len;
			char *s = fy_json_strdup(d, i, &len);

			FUZZ_ASSERT(s != NULL);
			if (!(flags & FY_J_ALLOW_LONE_SURROGATES))
				FUZZ_ASSERT(fy_utf8_valid(s, len));
			free(s);
		} else if (t == FY_JNUMBER) {
			int64_t v;
			double x;

			fy_json_int(d, i, &v);
			/* -1 only for a value out of double's range (1e999). */
			if (fy_json_double(d, i, &x) == 0)
				FUZZ_ASSERT(x == x && x - x == 0);
		} else if (t == FY_JOBJECT && !(flags & FY_J_ALLOW_DUPS)) {
			uint32_t k, key, val;

			FY_JSON_FOREACH_MEMBER(d, i, k, key, val) {
				size_t len;
				char *s = fy_json_strdup(d, key, &len);

				FUZZ_ASSERT(s != NULL);
				if (strlen(s) == len)
					FUZZ_ASSERT(fy_json_get(d, i, s) == val);
				free(s);
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fy_buf a = FY_BUF_INIT((size_t)1 << 28), b = FY_BUF_INIT((size_t)1 << 28);
	struct fy_buf p = FY_BUF_INIT((size_t)1 << 28);
	struct fy_jdoc d, e;
	struct fy_error err;
	unsigned flags;
	const char *text;
	size_t len;

	if (size < 1)
		return 0;
	flags = data[0] & 7;
	text = (const char *)data + 1;
	len = size - 1;
	fy_jdoc_init(&d);
	fy_jdoc_init(&e);
	if (data[0] & 0x08)
		d.max_depth = 3;
	if (data[0] & 0x10)
		d.max_nodes = 16;
	if (data[0] & 0x20)
		d.max_number = 4;
	fy_error_clear(&err);
	if (fy_jdoc_parse(&d, text, len, flags, &err) < 0) {
		FUZZ_ASSERT(err.code == FY_E_DATA || err.code == FY_E_UNSAFE);
		FUZZ_ASSERT(err.msg[0] != '\0');
		FUZZ_ASSERT(d.n == 0);
		goto out;
	}
	FUZZ_ASSERT(d.n > 0 && d.end <= len);
	walk(&d, flags);
	if (fy_json_type(&d, 0) == FY_JARRAY || fy_json_type(&d, 0) == FY_JOBJECT) {
		size_t end = 0;

		FUZZ_ASSERT(fy_json_scan(text, len, &end, d.max_depth, &err) == 1);
		FUZZ_ASSERT(end == d.nodes[0].end);
	}
	FUZZ_ASSERT(fy_json_emit(&d, 0, &a, &err) == 0);
	FUZZ_ASSERT(fy_json_emit_pretty(&d, 0, &p, &err) == 0);
	/* The emitted forms parse back under the same flags and default limits. */
	FUZZ_ASSERT(fy_jdoc_parse(&e, a.ptr, a.len, flags & ~FY_J_PREFIX, &err) == 0);
	FUZZ_ASSERT(fy_json_emit(&e, 0, &b, &err) == 0);
	FUZZ_ASSERT(a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0);
	FUZZ_ASSERT(fy_jdoc_parse(&e, p.ptr, p.len, flags & ~FY_J_PREFIX, &err) == 0);
	fy_buf_reset(&b);
	FUZZ_ASSERT(fy_json_emit(&e, 0, &b, &err) == 0);
	FUZZ_ASSERT(a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0);
out:
	fy_buf_release(&a);
	fy_buf_release(&b);
	fy_buf_release(&p);
	fy_jdoc_release(&d);
	fy_jdoc_release(&e);
	return 0;
}
