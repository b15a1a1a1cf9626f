/*
 * fuzz_schema.c - schema validation (formats/schema.c) of one JSON value:
 * the first byte picks the schema (the header, the manifest, a ledger
 * line, or a record kind) and lenient mode; the rest is the document.
 *
 * Invariants: validating against a kind's schema file by name and by kind
 * agree; a refusal is FY_E_DATA with a message naming the field.
 */
#include <string.h>

#include "fuzz.h"
#include "json.h"
#include "schema.h"

static const char *const names[] = {
	"header.json", "manifest.json", "ledger.json", "agent.json", "tool.json",
	"knowledge.json", "workflow.json", "file.json", "thread.json", "message.json",
	"memory.json",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fy_schemaset *s;
	struct fy_error err, err2;
	struct fy_jdoc d;
	const char *name;
	unsigned flags;
	int rc;

	if (size < 1)
		return 0;
	s = fy_schemaset_default(&err);
	FUZZ_ASSERT(s != NULL);
	name = names[(data[0] & 0x7f) % (sizeof(names) / sizeof(names[0]))];
	flags = data[0] & 0x80 ? FY_SCHEMA_LENIENT : 0;
	fy_jdoc_init(&d);
	d.max_depth = 64;
	if (fy_jdoc_parse(&d, (const char *)data + 1, size - 1, 0, &err) == 0) {
		fy_error_clear(&err);
		rc = fy_schema_validate(s, name, &d, 0, flags, &err);
		if (rc < 0)
			FUZZ_ASSERT(err.code == FY_E_DATA && err.msg[0]);
		else
			FUZZ_ASSERT(rc == 0);
		if (strcmp(name, "ledger.json") && strcmp(name, "header.json") &&
		    strcmp(name, "manifest.json")) {
			enum fy_kind k = fy_kind_from_name(name, strlen(name) - 5);

			FUZZ_ASSERT(k != FY_KIND_NONE);
			fy_error_clear(&err2);
			FUZZ_ASSERT(fy_schema_validate_kind(s, k, &d, 0, flags, &err2) == rc);
			FUZZ_ASSERT(strcmp(err.msg, err2.msg) == 0);
		}
	}
	fy_jdoc_release(&d);
	return 0;
}
