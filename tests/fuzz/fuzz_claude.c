/*
 * fuzz_claude.c - the claude adapter's pure mapping (adapters/claude_map.c):
 * the first byte picks what the rest is - a conversation (an element of
 * conversations.json), a project (projects.json), or memories.json (then a
 * project, which looks its memory up). Seeds: samples/claude/.
 *
 * Invariants as fuzz_chatgpt.c: no crash, leak or hang; every record of
 * an accepted object passes its schema (fatal with FUZZ_STRICT=1).
 */
#include <string.h>

#include "claude.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fy_claude_map m;
	struct fy_recq q;
	struct fy_error err;
	struct fy_item it;
	const char *json = (const char *)data + 1;
	size_t len;
	int rc;

	if (size < 1)
		return 0;
	len = size - 1;
	fy_claude_map_init(&m);
	fy_recq_init(&q, (size_t)1 << 28);
	m.path = "conversations.json";
	m.index = 1;
	fy_error_clear(&err);
	switch (data[0] % 3) {
	case 0:
		rc = fy_claude_map_conversation(&m, json, len, &q, &err);
		break;
	case 1:
		rc = fy_claude_map_project(&m, json, len, &q, &err);
		break;
	default:
		rc = fy_claude_map_memories(&m, json, len, &q, &err);
		if (rc == 0 && fy_claude_note_memories(&m, json, len, &err) < 0)
			rc = -1;
		break;
	}
	if (rc == 0) {
		while (fy_recq_pop(&q, &it))
			fuzz_check_mapped(&it, "claude");
	} else {
		fuzz_refused("map", &err);
	}
	fy_recq_release(&q);
	fy_claude_map_release(&m);
	return 0;
}
