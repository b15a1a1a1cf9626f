/*
 * fuzz_agentspec.c - the agentspec adapter's pure mapping
 * (adapters/agentspec.c, fy_agentspec_map): one Agent Spec document (an
 * Agent, a Flow, a tool, or a file of disaggregated components) into
 * agent, tool and workflow records and ledger lines. Seeds: the documents
 * of samples/agentspec/ (tests/fuzz/mkseeds.py).
 *
 * Invariants: no crash, leak or hang; a refusal carries a message; every
 * record and ledger line passes its schema (fatal with FUZZ_STRICT=1, see
 * fuzz.h).
 */
#include <string.h>

#include "fuzz.h"
#include "wfutil.h"

/* Defined in adapters/agentspec.c (no header of its own). */
int fy_agentspec_map(const char *text, size_t len, const char *path, struct wf_queue *q,
		     struct wf_notes *notes, struct fy_buf *rec, unsigned *secrets, char *note_id,
		     struct fy_error *err);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fy_buf rec = FY_BUF_INIT((size_t)1 << 26);
	struct wf_notes notes;
	struct wf_queue q;
	struct fy_error err;
	struct fy_item it;
	unsigned secrets = 0;
	char note_id[FY_ID_MAX + 1];

	wf_queue_init(&q);
	memset(&notes, 0, sizeof(notes));
	notes.line = wf_queue_line;
	notes.ctx = &q;
	notes.adapter = "agentspec";
	notes.phase = "export";
	fy_error_clear(&err);
	if (fy_agentspec_map((const char *)data, size, "doc.json", &q, &notes, &rec, &secrets, note_id,
			     &err) == 0) {
		/* what the source says next about a document with credentials, with what notes name */
		if (secrets)
			FUZZ_ASSERT(wf_note(&notes, NULL, "warning", "fuzz", &err, "%u", secrets) == 0);
		while (wf_queue_pop(&q, &it))
			fuzz_check_mapped(&it, "agentspec");
	} else {
		fuzz_refused("map", &err);
	}
	wf_queue_release(&q);
	fy_buf_release(&rec);
	return 0;
}
