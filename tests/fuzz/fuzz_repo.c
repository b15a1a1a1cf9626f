/*
 * fuzz_repo.c - what the backup repository reads that someone else may
 * have written (adapters/repo.c, retention.c, s3.c): archive names from a
 * folder or bucket listing, the lock file, S3's XML responses, and the
 * retention options. The first byte picks which; the rest is the input.
 *
 * Invariants: an archive name that parses formats back to itself and has
 * a valid source name; a duration that parses formats to text that parses
 * to the same duration; the keep policy keeps at most every snapshot and
 * a count of 1 for "last" keeps the newest; XML element positions stay
 * inside the text and advance.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "repo.h"
#include "retention.h"
#include "s3.h"

static void keys(const char *s)
{
	struct fy_repo_entry e;
	char again[FY_REPO_KEY_MAX + 1], name[FY_REPO_NAME_MAX + 1];

	if (fy_repo_key_parse(s, &e) == 0) {
		FUZZ_ASSERT(fy_repo_name_valid(e.name));
		fy_repo_key(e.name, e.time, again);
		FUZZ_ASSERT(strcmp(again, s) == 0);
	}
	fy_repo_name_valid(s);
	fy_repo_name_from_source(s, name, sizeof(name));
	FUZZ_ASSERT(strlen(name) < sizeof(name));
}

static void lock(const char *s, size_t n)
{
	struct fy_lock_holder h;
	struct fy_buf b = FY_BUF_INIT(1 << 20);
	char text[1024];

	if (fy_lock_holder_parse(s, n, &h) == 0) {
		fy_lock_holder_describe(&h, text, sizeof(text));
		FUZZ_ASSERT(strlen(text) < sizeof(text));
		FUZZ_ASSERT(fy_lock_holder_json(&h, &b, NULL) == 0);
	}
	fy_buf_release(&b);
}

static void durations(const char *s, const uint8_t *data, size_t size)
{
	struct fy_duration d, d2;
	struct fy_keep_policy p;
	struct fy_keep_item items[64];
	char text[64];
	int count;
	size_t i, n;

	if (fy_duration_parse(s, &d, NULL) == 0) {
		fy_duration_format(&d, text, sizeof(text));
		FUZZ_ASSERT(fy_duration_parse(text, &d2, NULL) == 0);
		FUZZ_ASSERT(memcmp(&d, &d2, sizeof(d)) == 0 || (fy_duration_zero(&d) && fy_duration_zero(&d2)));
		fy_duration_before(1700000000, &d);
	}
	fy_keep_count_parse(s, &count, NULL);
	/* A policy and snapshot times from the bytes, newest first. */
	fy_keep_policy_init(&p);
	p.count[FY_RULE_LAST] = 1;
	for (i = 1; i < FY_RULE__COUNT && i < size; i++)
		p.count[i] = data[i] % 5 == 4 ? FY_KEEP_UNLIMITED : data[i] % 5;
	if (size > 8 && fy_duration_parse(s, &d, NULL) == 0)
		p.within = d;
	n = size / 4 < 64 ? size / 4 : 64;
	for (i = 0; i < n; i++) {
		uint32_t gap = (uint32_t)data[4 * i] << 16 | (uint32_t)data[4 * i + 1] << 8 | data[4 * i + 2];

		items[i].time = (i ? items[i - 1].time : 1800000000) - gap;
		items[i].reasons = 0;
	}
	fy_keep_apply(&p, items, n, 1800000000);
	if (n)
		FUZZ_ASSERT(items[0].reasons != 0);
	for (i = 0; i < n; i++) {
		fy_keep_reasons_format(items[i].reasons, text, sizeof(text));
		fy_keep_reasons_json(items[i].reasons, text, sizeof(text));
	}
}

static void xml(const char *s, size_t n)
{
	static const char *const names[] = { "Contents", "Key", "Size", "IsTruncated",
					     "NextContinuationToken", "Message", "UploadId" };
	struct fy_buf b = FY_BUF_INIT(1 << 20);
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t pos = 0, start, end, before;

		for (;;) {
			before = pos;
			if (!fy_xml_next(s, n, &pos, names[i], &start, &end))
				break;
			FUZZ_ASSERT(start <= end && end <= n && pos > before && pos <= n);
			fy_buf_reset(&b);
			fy_xml_text(s + start, end - start, &b, NULL);
		}
	}
	fy_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 4) {
	case 0: keys(s); break;
	case 1: lock(s, size - 1); break;
	case 2: durations(s, data + 1, size - 1); break;
	default: xml(s, size - 1); break;
	}
	free(s);
	return 0;
}
