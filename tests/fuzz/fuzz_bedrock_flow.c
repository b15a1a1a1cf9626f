/*
 * fuzz_bedrock_flow.c - the bedrock-flow adapter's pure mapping
 * (adapters/bedrock_flow.c): a Bedrock Flows document (GetFlow or
 * GetFlowVersion output, or an exported flow file) into a workflow record
 * and ledger lines. Seeds: samples/bedrock-flow/.
 *
 * Invariants: no crash, leak or hang; the workflow record and every ledger
 * line of an accepted flow pass their schemas (fatal with FUZZ_STRICT=1,
 * see fuzz.h).
 */
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "item.h"
#include "json.h"

/* Defined in adapters/bedrock_flow.c (no header of its own). */
int fy_bedrock_flow_map(const struct fy_jdoc *d, uint32_t f, struct fy_buf *out,
			struct fy_buf *ledger, struct fy_error *err);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fy_buf out = FY_BUF_INIT((size_t)1 << 26), led = FY_BUF_INIT((size_t)1 << 26);
	struct fy_error err;
	struct fy_jdoc d;

	fy_jdoc_init(&d);
	fy_error_clear(&err);
	if (fy_jdoc_parse(&d, (const char *)data, size, 0, &err) == 0) {
		if (fy_bedrock_flow_map(&d, 0, &out, &led, &err) == 0) {
			fuzz_check_text(FY_ITEM_RECORD, FY_KIND_WORKFLOW, out.ptr, out.len, "bedrock-flow");
			fuzz_check_lines(FY_ITEM_LEDGER, FY_KIND_NONE, led.ptr, led.len, "bedrock-flow");
		} else {
			fuzz_refused("map", &err);
		}
	}
	fy_buf_release(&out);
	fy_buf_release(&led);
	fy_jdoc_release(&d);
	return 0;
}
