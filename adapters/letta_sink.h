/*
 * letta_sink.h - the sink half of the letta-af adapter (letta_sink.c);
 * internal to adapters/letta_*.c.
 */
#ifndef FY_LETTA_SINK_H
#define FY_LETTA_SINK_H

#include "adapter.h"

struct letta_sink;

/*
 * Open a sink writing ctx->location: a path ending in ".af" is one agent
 * file, anything else a folder. Nothing is created at the target before
 * letta_sink_finish(), and nothing at all with ctx->dry_run (the ledger
 * is still produced). FY_E_EXISTS when the target exists (a folder: when
 * it is not empty).
 */
int letta_sink_open(const struct fy_adapter_ctx *ctx, const struct fy_header *hdr,
		    struct letta_sink **out, struct fy_error *err);
int letta_sink_put(struct letta_sink *s, const struct fy_item *it, struct fy_error *err);
/* Assemble and write the agent files; they appear only when complete. */
int letta_sink_finish(struct letta_sink *s, struct fy_error *err);
/* Free; removes the temporary files and any unfinished output. NULL is fine. */
void letta_sink_free(struct letta_sink *s);

#endif
