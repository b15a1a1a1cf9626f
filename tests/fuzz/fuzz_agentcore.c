/*
 * fuzz_agentcore.c - the agentcore adapter's pure mappings
 * (adapters/agentcore.c): the first byte picks
 *   0: a JSON array of AgentCore Event objects -> a thread and its
 *      messages (fy_agentcore_map_session);
 *   1: {"record": MemoryRecord, "strategies": [...]} -> a memory record
 *      (fy_agentcore_map_record).
 * Seeds: tests/aws/seed-agentcore.json, as the simulator serves it.
 *
 * Invariants: no crash, leak or hang; everything mapped passes its schema
 * (fatal with FUZZ_STRICT=1, see fuzz.h).
 */
#include <string.h>

#include "agentcore.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fy_outbox out;
	struct fy_buf rec = FY_BUF_INIT((size_t)1 << 26);
	struct fy_error err;
	struct fy_jdoc d;
	int rc;

	memset(&out, 0, sizeof(out));
	fy_error_clear(&err);
	if (fuzz_parse_tail(&d, data, size) < 0)
		goto done;
	if (data[0] & 1) {
		rc = fy_agentcore_map_record(&d, fy_json_get(&d, 0, "record"), &d,
					     fy_json_get(&d, 0, "strategies"), "mem-1", &rec, &err);
		if (rc == 0)
			fuzz_check_text(FY_ITEM_RECORD, FY_KIND_MEMORY, rec.ptr, rec.len, "agentcore");
	} else {
		rc = fy_agentcore_map_session(&d, 0, "mem-1", "tenant-a:user/42", "s-1", &out, &err);
		if (rc == 0)
			fuzz_check_outbox(&out, "agentcore");
	}
	if (rc < 0)
		fuzz_refused("map", &err);
done:
	fy_outbox_release(&out);
	fy_buf_release(&rec);
	fy_jdoc_release(&d);
	return 0;
}
