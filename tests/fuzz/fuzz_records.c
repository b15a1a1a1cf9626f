/*
 * fuzz_records.c - a stream of records through the schemas and the
 * cross-record rules (formats/check.c): one record per line, as in a
 * threads/ or memory/ member, then fy_checker_finish(). The first byte
 * picks scoped mode (references out of a filtered export are allowed).
 *
 * Invariants: no crash, leak or hang; the counts the checker keeps match
 * the records it accepted; a refusal carries a code and a message.
 */
#include <string.h>

#include "check.h"
#include "fuzz.h"
#include "json.h"
#include "schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fy_schemaset *s;
	struct fy_checker *c;
	struct fy_error err;
	struct fy_jdoc d;
	const char *p, *end;
	uint64_t accepted = 0, counted = 0;
	int k, failed = 0;

	if (size < 1)
		return 0;
	s = fy_schemaset_default(&err);
	FUZZ_ASSERT(s != NULL);
	c = fy_checker_new(data[0] & 1 ? FY_CHECK_SCOPED : 0, &err);
	FUZZ_ASSERT(c != NULL);
	fy_jdoc_init(&d);
	d.max_depth = 64;
	p = (const char *)data + 1;
	end = (const char *)data + size;
	while (p < end && !failed) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), klen;
		uint32_t kv;
		enum fy_kind kind;
		const char *ks;

		fy_error_clear(&err);
		if (fy_jdoc_parse(&d, p, n, 0, &err) == 0) {
			kv = fy_json_get(&d, 0, "kind");
			ks = fy_json_raw(&d, kv, &klen);
			kind = fy_json_type(&d, kv) == FY_JSTRING ? fy_kind_from_name(ks, klen)
								  : FY_KIND_NONE;
			if (kind != FY_KIND_NONE && fy_schema_validate_kind(s, kind, &d, 0, 0, &err) == 0) {
				if (fy_checker_record(c, kind, &d, 0, &err) == 0)
					accepted++;
				else
					failed = 1;
			}
		}
		if (err.code != FY_E_OK)
			FUZZ_ASSERT(err.msg[0] != '\0');
		p += n + 1;
	}
	fy_error_clear(&err);
	if (!failed && fy_checker_finish(c, &err) < 0)
		FUZZ_ASSERT(err.code != FY_E_OK && err.msg[0]);
	for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++)
		counted += fy_checker_stats(c)->records[k];
	if (!failed)
		FUZZ_ASSERT(counted == accepted);
	fy_checker_free(c);
	fy_jdoc_release(&d);
	return 0;
}
