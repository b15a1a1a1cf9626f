/*
 * fuzz_jarray.c - the array splitter the account-export adapters read
 * conversations.json with (adapters/jarray.c): the first byte picks the
 * read size (1 to 256 bytes a call, so elements straddle every refill
 * boundary) and whether a top-level object counts as one element; the
 * rest is the file.
 *
 * Invariants: when the whole input is a valid JSON array (or object, with
 * the flag), the splitter hands out exactly its elements, each the same
 * text the parser sees (whitespace aside), and then ends; fy_jarray_next
 * and fy_jarray_next_doc agree; a refusal carries a message.
 */
#include <string.h>

#include "fuzz.h"
#include "jarray.h"

struct src {
	const uint8_t *p;
	size_t n, off, step;
};

static int src_read(void *ctx, void *buf, size_t n, size_t *got, struct fy_error *err)
{
	struct src *s = ctx;
	size_t k = s->n - s->off;

	(void)err;
	if (k > n)
		k = n;
	if (k > s->step)
		k = s->step;
	memcpy(buf, s->p + s->off, k);
	s->off += k;
	*got = k;
	return 0;
}

/* Element texts of one pass; returns the count, or -1 when refused. */
static long pass(const uint8_t *data, size_t size, size_t step, unsigned flags, int parsed,
		 const struct fy_jdoc *whole)
{
	struct src s = { data, size, 0, step };
	struct fy_jarray ja;
	struct fy_error err;
	struct fy_jdoc d;
	long count = 0;
	int rc;

	fy_jarray_init(&ja, src_read, &s, flags, 0);
	fy_jdoc_init(&d);
	for (;;) {
		const char *el;
		size_t len;

		fy_error_clear(&err);
		rc = parsed ? fy_jarray_next_doc(&ja, &d, 0, &err) : fy_jarray_next(&ja, &el, &len, &err);
		if (rc != 1)
			break;
		if (parsed) {
			/* The document may be parsed in place, up to its end (FY_J_PREFIX). */
			el = d.text;
			len = d.end ? d.end : d.size;
		}
		FUZZ_ASSERT(len > 0);
		if (whole) {
			uint32_t w = fy_json_type(whole, 0) == FY_JARRAY ? fy_json_at(whole, 0, (uint32_t)count)
									 : (count == 0 ? 0 : FY_JNONE);
			const struct fy_jnode *nd;
			size_t wlen;
			const char *wt;

			FUZZ_ASSERT(w != FY_JNONE);
			nd = &whole->nodes[w];
			wt = whole->text + nd->off - (fy_json_type(whole, w) == FY_JSTRING);
			wlen = nd->end - nd->off + 2 * (fy_json_type(whole, w) == FY_JSTRING);
			while (len && strchr(" \t\r\n", el[len - 1]))
				len--;
			while (len && strchr(" \t\r\n", el[0])) {
				el++;
				len--;
			}
			FUZZ_ASSERT(len == wlen && memcmp(el, wt, len) == 0);
		}
		count++;
	}
	if (rc < 0)
		FUZZ_ASSERT(err.code != FY_E_OK && err.msg[0]);
	fy_jdoc_release(&d);
	fy_jarray_release(&ja);
	return rc < 0 ? -1 : count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fy_jdoc whole;
	struct fy_error err;
	unsigned flags;
	size_t step;
	long a, b;
	int valid;

	if (size < 1)
		return 0;
	step = (size_t)(data[0] & 0x7f) * 2 + 1;
	flags = data[0] & 0x80 ? FY_JARRAY_OBJECT : 0;
	data++;
	size--;
	fy_jdoc_init(&whole);
	valid = fy_jdoc_parse(&whole, (const char *)data, size, 0, &err) == 0 &&
		(fy_json_type(&whole, 0) == FY_JARRAY ||
		 ((flags & FY_JARRAY_OBJECT) && fy_json_type(&whole, 0) == FY_JOBJECT));
	a = pass(data, size, step, flags, 0, valid ? &whole : NULL);
	b = pass(data, size, step, flags, 1, valid ? &whole : NULL);
	if (valid) {
		FUZZ_ASSERT(a == (fy_json_type(&whole, 0) == FY_JARRAY ? (long)fy_json_len(&whole, 0) : 1));
		FUZZ_ASSERT(b == a);
	}
	fy_jdoc_release(&whole);
	return 0;
}
