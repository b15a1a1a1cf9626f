/*
 * fuzz_chatgpt.c - the chatgpt adapter's pure mapping
 * (adapters/chatgpt_map.c): one element of a ChatGPT export's
 * conversations.json into a thread, its messages, memory records and
 * ledger lines. Seeds: the conversations of samples/chatgpt/.
 *
 * Invariants: no crash, leak or hang; a refusal carries a message; every
 * record mapped from a conversation the mapping accepted passes its
 * schema (fuzz_check_mapped; fatal with FUZZ_STRICT=1), so the writer
 * never refuses what the adapter produced.
 */
#include <string.h>

#include "chatgpt.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fy_chatgpt_map m;
	struct fy_recq q;
	struct fy_error err;
	struct fy_item it;

	fy_chatgpt_map_init(&m);
	fy_recq_init(&q, (size_t)1 << 28);
	m.path = "conversations.json";
	m.index = 1;
	fy_error_clear(&err);
	if (fy_chatgpt_map_conversation(&m, (const char *)data, size, &q, &err) == 0) {
		while (fy_recq_pop(&q, &it))
			fuzz_check_mapped(&it, "chatgpt");
	} else {
		fuzz_refused("map", &err);
	}
	fy_recq_release(&q);
	fy_chatgpt_map_release(&m);
	return 0;
}
