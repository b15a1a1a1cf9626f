/*
 * fuzz_bedrock_agents.c - the bedrock-agents adapter's pure mappings
 * (adapters/bedrock_agents.c): the first byte picks
 *   even: an action group (GetAgentActionGroup's agentActionGroup) -> tool
 *         records and a ledger line for a schema left in S3
 *         (fy_bedrock_agents_map_action_group);
 *   odd:  {"session": GetSession's answer, "steps": [InvocationStep, ...]}
 *         -> a thread and its messages, roles and branches restored from
 *         what ferry kept in sessionMetadata (fy_bedrock_agents_map_session).
 * Seeds: tests/aws/seed-bedrock.json's sessions, as the simulator serves
 * them, and action groups of each schema kind (tests/fuzz/mkseeds.py).
 *
 * Invariants: no crash, leak or hang; a refusal carries a message; every
 * record and ledger line passes its schema (fatal with FUZZ_STRICT=1, see
 * fuzz.h); the tool ids handed back are a JSON array of strings.
 */
#include <string.h>

#include "aws.h"
#include "fuzz.h"

/* Defined in adapters/bedrock_agents.c (no header of their own). */
int fy_bedrock_agents_map_action_group(const struct fy_jdoc *d, uint32_t g, const char *agent,
				       struct fy_outbox *out, struct fy_jw *ids, struct fy_error *err);
int fy_bedrock_agents_map_session(const struct fy_jdoc *sd, const struct fy_jdoc *d, uint32_t steps,
				  struct fy_outbox *out, struct fy_error *err);

static int action_group(const struct fy_jdoc *d, struct fy_outbox *out, struct fy_error *err)
{
	struct fy_buf ids = FY_BUF_INIT((size_t)1 << 26);
	struct fy_jdoc id;
	struct fy_jw w;
	uint32_t k, el;
	int rc;

	fy_jdoc_init(&id);
	fy_jw_init(&w, &ids);
	fy_jw_arr(&w);
	rc = fy_bedrock_agents_map_action_group(d, fy_json_get(d, 0, "agentActionGroup"), "AGENT12345",
						out, &w, err);
	fy_jw_end(&w);
	if (rc == 0) {
		FUZZ_ASSERT(fy_jw_finish(&w, err) == 0);
		FUZZ_ASSERT(fy_jdoc_parse(&id, ids.ptr, ids.len, 0, err) == 0);
		FUZZ_ASSERT(fy_json_type(&id, 0) == FY_JARRAY);
		FY_JSON_FOREACH(&id, 0, k, el)
			FUZZ_ASSERT(fy_json_type(&id, el) == FY_JSTRING);
	}
	fy_jdoc_release(&id);
	fy_buf_release(&ids);
	return rc;
}

static int session(const struct fy_jdoc *d, struct fy_outbox *out, struct fy_error *err)
{
	uint32_t s = fy_json_get(d, 0, "session");
	struct fy_jdoc sd;
	int rc = 0;

	/* GetSession's answer is a document of its own (root 0), as the source has it. */
	fy_jdoc_init(&sd);
	if (s != FY_JNONE &&
	    fy_jdoc_parse(&sd, d->text + d->nodes[s].off, d->nodes[s].end - d->nodes[s].off, 0, err) == 0)
		rc = fy_bedrock_agents_map_session(&sd, d, fy_json_get(d, 0, "steps"), out, err);
	fy_jdoc_release(&sd);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fy_outbox out;
	struct fy_error err;
	struct fy_jdoc d;
	int rc;

	memset(&out, 0, sizeof(out));
	fy_error_clear(&err);
	if (fuzz_parse_tail(&d, data, size) == 0) {
		rc = data[0] & 1 ? session(&d, &out, &err) : action_group(&d, &out, &err);
		if (rc == 0)
			fuzz_check_outbox(&out, "bedrock-agents");
		else
			fuzz_refused("map", &err);
	}
	fy_outbox_release(&out);
	fy_jdoc_release(&d);
	return 0;
}
