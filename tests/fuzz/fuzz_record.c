/*
 * fuzz_record.c - the vocabulary of records (formats/record.c): RFC 3339
 * times, ferry ids, kind lists.
 *
 * Invariants: a parsed time formats to text that parses back to the same
 * instant; fy_id_make() always gives a valid id, the same one every time,
 * and keeps an id that is already valid; a user time parses whenever the
 * strict parser accepts the same text.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[40], id[FY_ID_MAX + 1], id2[FY_ID_MAX + 1];
	const char *s = (const char *)data;
	struct fy_error err;
	int64_t sec, sec2, usec;
	int32_t ns, ns2;
	char *z = malloc(size + 1);
	unsigned set;

	if (!z)
		return 0;
	memcpy(z, data, size);
	z[size] = '\0';
	if (fy_time_parse(s, size, &sec, &ns) == 0) {
		FUZZ_ASSERT(ns >= 0 && ns < 1000000000);
		fy_time_format(sec, ns, out);
		FUZZ_ASSERT(fy_time_parse(out, strlen(out), &sec2, &ns2) == 0);
		FUZZ_ASSERT(sec == sec2 && ns == ns2);
		if (strlen(z) == size)
			FUZZ_ASSERT(fy_time_parse_user(z, &usec) == 0 && usec == sec);
	}
	fy_time_parse_user(z, &usec);
	fy_id_make(s, size, id);
	FUZZ_ASSERT(fy_id_valid(id, strlen(id)));
	fy_id_make(s, size, id2);
	FUZZ_ASSERT(strcmp(id, id2) == 0);
	if (fy_id_valid(s, size))
		FUZZ_ASSERT(strlen(id) == size && memcmp(id, s, size) == 0);
	if (fy_kind_parse_list(z, &set, &err) < 0)
		FUZZ_ASSERT(err.msg[0] != '\0');
	free(z);
	return 0;
}
