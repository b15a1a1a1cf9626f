/*
 * pump.h - move every item of a source into an archive writer.
 *
 * export, migrate and backup all do this, with the same filters, so it is
 * written once here. The filters:
 *   kinds   keep records of these kinds (messages bring their thread);
 *   since   keep threads (with all their messages) and memory records
 *           created or updated at or after this time; other kinds stay;
 *   agent   keep this agent (and the agents it hands off to), its threads
 *           and its memory; tools, knowledge, files and workflows stay;
 *   threads keep only these threads (matched by ferry id or by the
 *           provider's id, source.id), with their messages.
 * A record the filters drop is simply not written; references stay
 * resolvable because what is referenced is kept (agents are held back
 * until the end of the source to know which ones are needed).
 *
 * Every record is also scanned for credentials (formats/recscan.h), as
 * ctx->secrets asks: fy_pump() tells the writer, whose validation threads
 * do it beside parsing the record. In conversation content (threads, messages, memory,
 * files) each string holding one gets a ledger line (rule
 * "secret-in-text": the record, the field and the kind of credential,
 * never the value) and is counted; with FY_SECRETS_REDACT the credential
 * is replaced by "[REDACTED:<kind>]". In configuration (agents, tools,
 * knowledge, workflows), where a credential belongs in a {"$secret": NAME}
 * reference, a literal one is refused with FY_E_DATA unless redacting.
 */
#ifndef FY_PUMP_H
#define FY_PUMP_H

#include <signal.h>

#include "adapter.h"
#include "writer.h"

struct fy_pump_stats {
	uint64_t items;
	uint64_t dropped;	/* records left out by the filters */
	uint64_t unreadable;	/* items the source could not read (see below) */
	uint64_t secrets;	/* strings holding a credential (reported or redacted); set by
				   fy_export once the writer is closed (its stats' credentials) */
};

/*
 * Pull every item from an open source into w. stop, when non-NULL and set
 * (by a signal handler), ends the pump with FY_E_INTERNAL "interrupted".
 * Errors name the source's member and line when it gave them.
 */
int fy_pump(const struct fy_adapter *ad, void *src, const struct fy_adapter_ctx *ctx,
	    struct fy_writer *w, const volatile sig_atomic_t *stop, struct fy_pump_stats *st,
	    struct fy_error *err);

/* The header scope JSON for these filters, or NULL for none. New. */
char *fy_pump_scope_json(const struct fy_adapter_ctx *ctx);

/*
 * An item a source could not read (a conversation the provider failed to
 * return, a file it would not send) is reported as a ledger line with
 * "outcome": "dropped" and "phase": "export"; fy_pump() counts those in
 * st->unreadable, so a tool can say the run was partial (exit 10).
 */

/* What export and backup share: SOURCE -> filters -> archive. */
struct fy_export_options {
	const char *source;	/* "ADAPTER:LOCATION" */
	const char *output;	/* the archive path; "-" for standard output */
	int64_t created;	/* header time, when created_set */
	int created_set;	/* else: the source's own time, or now */
	int level, threads;	/* zstd */
};

/*
 * Parse o->source, open it with ctx (its filters, options and services;
 * ctx->name and ctx->location are set here), and write everything through
 * fy_pump() into a new archive at o->output, which appears only when
 * complete. stop as for fy_pump(). ws and ps may be NULL. Errors from the
 * source or the writer are prefixed with o->source.
 */
int fy_export(struct fy_adapter_ctx *ctx, const struct fy_export_options *o,
	      const volatile sig_atomic_t *stop, struct fy_writer_stats *ws,
	      struct fy_pump_stats *ps, struct fy_error *err);

#endif
