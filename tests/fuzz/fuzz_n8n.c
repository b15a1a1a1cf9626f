/*
 * fuzz_n8n.c - the n8n adapter's pure mapping (adapters/n8n_map.c). The
 * first byte picks what the rest is:
 *   even: a workflow file (one workflow, or an array of them as
 *         `n8n export:workflow --all` writes) -> a workflow record and its
 *         ledger lines each (n8n_to_record);
 *   odd:  {"workflow": ..., "executions": [...]} -> the workflow record,
 *         then each execution's chat turns (n8n_execution_turns, each
 *         execution its own document as the source parses it) and the
 *         threads built from them (n8n_turns_to_threads).
 * Seeds: samples/n8n/ and a chat workflow with an execution
 * (tests/fuzz/mkseeds.py).
 *
 * Invariants: no crash, leak or hang; a refusal carries a message; every
 * record and ledger line passes its schema (fatal with FUZZ_STRICT=1, see
 * fuzz.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "item.h"
#include "n8n_map.h"

/* One workflow of d as a record in rec (its ledger lines checked); 0 or -1. */
static int workflow(const struct fy_jdoc *d, uint32_t wf, const char *fallback, struct fy_buf *rec,
		    char *id, struct fy_error *err)
{
	struct n8n_read o = { .path = "workflows.json", .fallback_id = fallback };
	struct wf_notes notes;

	memset(&notes, 0, sizeof(notes));
	notes.line = fuzz_emit_ledger;
	notes.ctx = (void *)"n8n";
	notes.adapter = "n8n";
	notes.phase = "export";
	if (n8n_to_record(d, wf, &o, rec, id, &notes, err) < 0)
		return -1;
	fuzz_check_text(FY_ITEM_RECORD, FY_KIND_WORKFLOW, rec->ptr, rec->len, "n8n");
	return 0;
}

static int executions(const struct fy_jdoc *d, const struct fy_buf *rec, const char *id,
		      struct fy_error *err)
{
	struct fy_buf turns = FY_BUF_INIT((size_t)1 << 28);
	struct fy_jdoc wfd, one;
	uint32_t k, el;
	char *name = NULL;
	int rc;

	fy_jdoc_init(&wfd);
	fy_jdoc_init(&one);
	rc = fy_jdoc_parse(&wfd, rec->ptr, rec->len, 0, err);
	FUZZ_ASSERT(rc == 0);
	FY_JSON_FOREACH(d, fy_json_get(d, 0, "executions"), k, el) {
		rc = fy_jdoc_parse(&one, d->text + d->nodes[el].off, d->nodes[el].end - d->nodes[el].off,
				   0, err);
		FUZZ_ASSERT(rc == 0);
		if ((rc = n8n_execution_turns(&wfd, &one, &turns, err)) < 0)
			break;
	}
	name = fy_json_get_strdup(&wfd, 0, "name");
	if (rc == 0)
		rc = n8n_turns_to_threads(id, name, turns.ptr ? turns.ptr : "", turns.len, fuzz_emit_record,
					  (void *)"n8n", err);
	free(name);
	fy_jdoc_release(&one);
	fy_jdoc_release(&wfd);
	fy_buf_release(&turns);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fy_buf rec = FY_BUF_INIT((size_t)1 << 26);
	struct fy_error err;
	struct fy_jdoc d;
	char id[FY_ID_MAX + 1];
	uint32_t k, el;
	int rc = 0;

	fy_error_clear(&err);
	if (fuzz_parse_tail(&d, data, size) < 0)
		goto out;
	if (data[0] & 1) {
		rc = workflow(&d, fy_json_get(&d, 0, "workflow"), "wf", &rec, id, &err);
		if (rc == 0)
			rc = executions(&d, &rec, id, &err);
	} else if (fy_json_type(&d, 0) == FY_JARRAY) {
		FY_JSON_FOREACH(&d, 0, k, el) {
			char fb[32];

			snprintf(fb, sizeof(fb), "workflows.json#%u", k);
			if ((rc = workflow(&d, el, fb, &rec, id, &err)) < 0)
				break;
		}
	} else {
		rc = workflow(&d, 0, "workflow.json", &rec, id, &err);
	}
	if (rc < 0)
		fuzz_refused("map", &err);
out:
	fy_buf_release(&rec);
	fy_jdoc_release(&d);
	return 0;
}
