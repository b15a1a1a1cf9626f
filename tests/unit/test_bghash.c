/* test_bghash.c - hashing on a thread of its own (formats/bghash.c). */
#include <stdlib.h>

#include "bghash.h"
#include "unit.h"

TEST(bghash_gives_the_hash_of_each_buffer_with_its_tag)
{
	struct fy_bghash *h = fy_bghash_new(NULL);
	unsigned char want[FY_SHA256_LEN], got[FY_SHA256_LEN];
	size_t n = (size_t)3 << 20, tag = 0, i;
	char *a = malloc(n), *b = malloc(n);

	CHECK(h && a && b);
	if (!h || !a || !b)
		goto out;
	for (i = 0; i < n; i++) {
		a[i] = (char)(i * 7);
		b[i] = (char)(i * 13);
	}
	CHECK(fy_bghash_collect(h, &tag, got) == 0);	/* nothing started */
	fy_bghash_start(h, a, n, 41);
	CHECK(fy_bghash_collect(h, &tag, got) == 1);
	fy_sha256(a, n, want);
	CHECK(tag == 41 && memcmp(got, want, sizeof(got)) == 0);
	CHECK(fy_bghash_collect(h, &tag, got) == 0);	/* collected once */
	fy_bghash_start(h, b, n, 42);
	CHECK(fy_bghash_collect(h, &tag, got) == 1);
	fy_sha256(b, n, want);
	CHECK(tag == 42 && memcmp(got, want, sizeof(got)) == 0);
	fy_bghash_start(h, a, n, 43);	/* freed while in flight: waits for it */
out:
	fy_bghash_free(h);
	free(a);
	free(b);
}
