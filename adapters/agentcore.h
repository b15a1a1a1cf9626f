/*
 * agentcore.h - the pure mappings of the agentcore adapter (no I/O), for
 * the adapter itself, the bedrock-agents migration and the unit tests.
 */
#ifndef FY_AGENTCORE_H
#define FY_AGENTCORE_H

#include "aws.h"
#include "json.h"

/*
 * One AgentCore short-term memory session as a thread and its messages.
 * events: a JSON array of Event objects (any order; sorted here by
 * eventTimestamp, ties kept in the given order). Branches become the
 * conversation tree: the first event of a branch answers the branch's
 * rootEventId, every other event the one before it on its branch.
 * Queues the thread, the messages and ledger lines on out.
 */
int fy_agentcore_map_session(const struct fy_jdoc *events, uint32_t arr, const char *memory_id,
			     const char *actor_id, const char *session_id, struct fy_outbox *out,
			     struct fy_error *err);

/*
 * One long-term memory record (a MemoryRecord or MemoryRecordSummary) as a
 * memory record. strategies: the memory's strategies array (for the type
 * and the namespace template), may be FY_JNONE.
 */
int fy_agentcore_map_record(const struct fy_jdoc *d, uint32_t rec, const struct fy_jdoc *mem,
			    uint32_t strategies, const char *memory_id, struct fy_buf *out,
			    struct fy_error *err);

#endif
