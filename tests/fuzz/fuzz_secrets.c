/*
 * fuzz_secrets.c - the credential scanner (formats/secrets.c) on any text.
 *
 * Invariants: every match lies inside the text and is not empty; matches
 * found one after another do not overlap; redacting replaces at least those
 * matches, and the redacted text has no match left (so a shared backup
 * cannot hold a credential the scan reported).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "secrets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fy_buf out = FY_BUF_INIT((size_t)1 << 26);
	struct fy_secret_match m;
	const char *s = (const char *)data;
	size_t pos = 0, found = 0, count = 0;

	while (fy_secret_find(s, size, pos, &m)) {
		FUZZ_ASSERT(m.kind > FY_SECRET_NONE && m.kind < FY_SECRET__COUNT);
		FUZZ_ASSERT(m.off >= pos && m.len > 0 && m.off + m.len <= size);
		pos = m.off + m.len;
		found++;
	}
	FUZZ_ASSERT(fy_secret_redact(s, size, &out, &count, NULL) == 0);
	FUZZ_ASSERT(count >= found);	/* more when a replacement completes another shape */
	FUZZ_ASSERT(!fy_secret_find(out.ptr ? out.ptr : "", out.len, 0, &m));
	if (size > 1) {
		size_t split = data[0] % size;

		/* The key-name rules take any bytes. */
		fy_secret_key_name(s, split);
		fy_secret_literal(s + split, size - split);
	}
	fy_buf_release(&out);
	return 0;
}
