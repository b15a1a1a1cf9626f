/*
 * fuzz_letta.c - the letta-af adapter's pure mapping (adapters/letta_read.c):
 * an agent file, either layout, possibly a JSON string holding one
 * (lr_unwrap), into tools, knowledge, files, agents, memory blocks,
 * threads, messages and ledger lines (lr_map); then the copy raw/ keeps
 * (lr_scrub). The file is mapped twice with the same ids, as two files of
 * a folder, so what repeats across files is exercised too. Seeds: the
 * agent files of samples/letta-af/ (shrunk; tests/fuzz/mkseeds.py).
 *
 * Invariants: no crash, leak or hang; a refusal carries a message; every
 * record and ledger line passes its schema (fatal with FUZZ_STRICT=1, see
 * fuzz.h); the scrubbed copy holds no credential.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "letta.h"

/* The scrubbed text of d parses, and no credential is left in it. */
static void check_scrub(const struct fy_jdoc *d)
{
	struct fy_buf out = FY_BUF_INIT((size_t)1 << 28);
	struct fy_error err;
	struct fy_jdoc s;
	size_t blanked = 0;

	fy_jdoc_init(&s);
	if (lr_scrub(d, &out, &blanked, &err) < 0) {
		fuzz_refused("scrub", &err);
	} else {
		uint32_t *nodes;

		FUZZ_ASSERT(fy_jdoc_parse(&s, out.ptr ? out.ptr : "", out.len, 0, &err) == 0);
		nodes = malloc(((size_t)s.n + 1) * sizeof(*nodes));
		FUZZ_ASSERT(nodes);
		FUZZ_ASSERT(lr_secret_nodes(&s, nodes) == 0);
		free(nodes);
	}
	fy_jdoc_release(&s);
	fy_buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lr_emit em = { fuzz_emit_record, fuzz_emit_blob, fuzz_emit_ledger, (void *)LETTA_ADAPTER };
	struct fy_buf hold = FY_BUF_INIT((size_t)1 << 28);
	const char *text = (const char *)data;
	struct fy_error err;
	struct lr_ids ids;
	struct fy_jdoc d;
	size_t len = size;
	int layers, rc;

	memset(&ids, 0, sizeof(ids));
	fy_jdoc_init(&d);
	fy_error_clear(&err);
	rc = lr_unwrap(&text, &len, &hold, &layers, "a.af", &err);
	if (rc == 0 && fy_jdoc_parse(&d, text, len, 0, &err) < 0)
		goto out;
	if (rc == 0)
		rc = lr_map(&d, "a.af", &ids, &em, &err);
	if (rc == 0) {
		check_scrub(&d);
		rc = lr_map(&d, "b.af", &ids, &em, &err);
	}
	if (rc < 0)
		fuzz_refused("map", &err);
out:
	lr_ids_release(&ids);
	fy_jdoc_release(&d);
	fy_buf_release(&hold);
	return 0;
}
