/*
 * fidelity.h - the fidelity engine: what happens to every item of an
 * archive written into a target adapter.
 *
 * One engine serves `ferry audit` (the report), `ferry import --dry-run`
 * (the plan) and `ferry import` (what the tool hands the sink, and the plan
 * it compares with the sink's done-ledger). Feed it every item of an
 * archive in order (fy_fidelity_item), then fy_fidelity_finish, then read
 * the report. It never does I/O.
 *
 * For each record it computes, from the target's capability table and
 * limits (adapter.h), the record's contents and the model policy
 * (models.h), one outcome - preserved, transformed, emulated, degraded,
 * held_back or dropped - and a ledger line for every part that does not
 * cross unchanged (formats/schema/ledger.json):
 *   - the whole-record and "type=" lines of the table (a kind the target
 *     does not write: dropped; messages of a dropped thread: dropped);
 *   - field lines ("parts.type=reasoning", "embedding", ...);
 *   - the agent's model: kept, mapped by a policy rule (transformed, or
 *     degraded when the target model lacks a capability the source has),
 *     or unmapped (dropped: the import stops unless the loss is accepted);
 *   - embeddings (memory and knowledge): kept where the target keeps
 *     vectors or embeds with the same model; else re-computed (degraded,
 *     rule "re-embed", counted with an estimate of the tokens: UTF-8 bytes
 *     of the text / 4, rounded up) or, without an embedding model at the
 *     target, dropped;
 *   - secret references: held back unless the table keeps them ("$secret");
 *   - the limits: text, instructions and tool counts over the target's.
 * It also collects what does not depend on the target: state that exists
 * only at the vendor (file records without content, parts with only a URL,
 * knowledge sets without files, encrypted reasoning), announced sunsets
 * that concern the source (sunsets.h), and the lines the export wrote.
 *
 * Lock-in score of an agent, 0 (moves freely) to 100 (nothing moves):
 *	score = round(100 * (sum of w(outcome) over its items + V) / (N + V))
 * N = the agent's items (the agent, its tools, knowledge sets and their
 * files, memory, threads and their messages), V = its vendor-only
 * references (each counts as an item lost), w = 0 preserved, 0.1
 * transformed, 0.4 emulated, 0.7 degraded, 0.2 held_back, 1 dropped.
 */
#ifndef FY_FIDELITY_H
#define FY_FIDELITY_H

#include <stdint.h>

#include "adapter.h"
#include "ledger.h"
#include "models.h"
#include "sunsets.h"

struct fy_fidelity_options {
	const struct fy_model_policy *policy;	/* required; borrowed */
	const char *model_platform;	/* overrides the target's limits; NULL = theirs */
	const char *embedding_model;	/* overrides the target's; NULL = theirs or the policy's */
	int accept_loss;		/* unmapped models: drop the model field when rewriting */
	int64_t as_of;			/* sunsets before it are "past"; 0 = now */
	size_t max_lines;		/* planned lines kept in the report; 0 = 1,000,000 */
	const struct fy_adapter_ctx *ctx; /* for the target's estimate hook; may be NULL */
};

/* One ledger line (planned, or read back). Strings owned by the report. */
struct fy_plan_line {
	enum fy_kind kind;
	char *id, *thread, *field;	/* NULL when absent */
	enum fy_outcome outcome;	/* FY_OUT__COUNT: "warning" (export lines only) */
	char *rule, *reason;
	char *adapter;			/* export lines: who wrote it */
};

struct fy_fid_agent {
	char *id, *name;		/* id NULL: items tied to no agent */
	uint64_t items, counts[FY_OUT__COUNT];
	uint64_t vendor_only, reembed, reembed_tokens, secrets;
	int score;			/* lock-in, 0..100 */
	char *model_from, *model_to;	/* NULL when the agent names no model */
	enum fy_outcome model_outcome;
};

struct fy_fid_secret {
	char *name;
	enum fy_kind kind;
	char *id, *field;
	enum fy_outcome outcome;	/* held_back, or preserved (kept as a reference) */
};

struct fy_fid_vendor {
	enum fy_kind kind;
	char *id, *thread, *what;
};

struct fy_fid_sunset {
	const struct fy_sunset *sunset;
	uint64_t hits;			/* records or agents that show it */
	int past;			/* the date is before as_of */
};

struct fy_fidelity_report {
	const char *target;			/* the adapter's name */
	const char *model_platform;		/* NULL: models kept as named */
	const char *embedding_model;		/* NULL: none at the target */
	uint64_t items, counts[FY_OUT__COUNT];
	uint64_t by_kind[FY_KIND__COUNT][FY_OUT__COUNT];
	uint64_t losses;			/* items degraded, held back or dropped */
	uint64_t unmapped;			/* agents whose model has no mapping */
	struct fy_plan_line *lines;		/* planned lines, archive order */
	size_t nlines;
	uint64_t lines_total;			/* also those past max_lines */
	uint64_t lines_digest;			/* order-free digest of every planned line */
	struct fy_fid_agent *agents;		/* agents in archive order, then the untied group */
	size_t nagents;
	struct fy_fid_secret *secrets;
	size_t nsecrets;
	struct fy_fid_vendor *vendor;		/* vendor-only state (first 10,000) */
	size_t nvendor;
	uint64_t vendor_total;
	uint64_t reembed, reembed_tokens, embeddings_dropped;
	struct fy_fid_sunset *sunsets;		/* the table's lines that concern the source */
	size_t nsunsets;
	struct fy_plan_line *export_lines;	/* the archive's own ledger (first 10,000) */
	size_t nexport;
	uint64_t export_counts[FY_OUT__COUNT + 1];
	uint64_t records[FY_KIND__COUNT];	/* in the archive */
	struct fy_estimate_input to_write;	/* what the sink will be handed */
	int has_estimate;			/* the target's estimate hook answered */
	struct fy_estimate estimate;
	int has_plan;				/* the sink's own dry-run plan (write_plan) */
	struct fy_plan plan;
	int score;				/* lock-in over all items */
};

/* What the import tool does with one record. Valid until the next call. */
struct fy_fid_verdict {
	enum fy_outcome outcome;
	int send;			/* hand it to the sink */
	const char *json;		/* what to hand over (rewritten when the model was mapped) */
	size_t len;
	const struct fy_plan_line *tool_lines;	/* lines the tool reports as done itself */
	size_t ntool_lines;
};

struct fy_fidelity;

/*
 * A new engine for writing into target. FY_E_USAGE when the model platform
 * is one the policy does not know (the message lists the file).
 */
struct fy_fidelity *fy_fidelity_new(const struct fy_adapter *target,
				    const struct fy_fidelity_options *o, struct fy_error *err);
void fy_fidelity_free(struct fy_fidelity *f);

/* The archive's header (source adapter, for sunsets). Optional. */
int fy_fidelity_header(struct fy_fidelity *f, const struct fy_header *h, struct fy_error *err);

/*
 * Account for one item. Records get a verdict (v may be NULL); ledger
 * lines the archive carries are collected; blobs are counted.
 */
int fy_fidelity_item(struct fy_fidelity *f, const struct fy_item *it, struct fy_fid_verdict *v,
		     struct fy_error *err);

/* Everything was fed: attribute items to agents, score, estimate. */
int fy_fidelity_finish(struct fy_fidelity *f, struct fy_error *err);

/* Attach what the sink's write_plan hook said (API calls, duration, journal). */
void fy_fidelity_set_plan(struct fy_fidelity *f, const struct fy_plan *plan);

/* The report; complete after fy_fidelity_finish. Owned by the engine. */
const struct fy_fidelity_report *fy_fidelity_report(const struct fy_fidelity *f);

/* The first unmapped model's message ("model 'x' has no mapping ...") or NULL. */
const char *fy_fidelity_unmapped_message(const struct fy_fidelity *f);

/*
 * Parse a ledger line (schema ledger.json) into l (strings new; release
 * with fy_plan_line_release). FY_E_DATA when it is not one.
 */
int fy_plan_line_parse(const char *json, size_t len, struct fy_plan_line *l, struct fy_error *err);
void fy_plan_line_release(struct fy_plan_line *l);
/* The 64-bit digest of one line's key, outcome and rule (for lines_digest). */
uint64_t fy_plan_line_hash(const struct fy_plan_line *l);
/* Order lines by kind, thread, id, field (for comparing planned and done). */
int fy_plan_line_cmp(const void *a, const void *b);

/*
 * How many places of the record (value v of d) a capability line's field
 * names ("PATH", "PATH=VALUE", "PATH!=VALUE", "PATH~GLOB",
 * "PATH[COND&COND...]", "!COND", several joined by '&'; adapter.h),
 * counted as the engine counts them: a sink that reports its table's lines
 * (the done-ledger) uses it. 0 = the line does not apply, or the field is
 * malformed (fy_capabilities_check).
 */
uint64_t fy_capability_count(const struct fy_jdoc *d, uint32_t v, const char *field);
/*
 * The path of a field's first condition (into path) and whether it has a
 * value or [conditions]: a line without one yields to a matching line with
 * one on the same path (the engine's rule, for sinks that report their
 * table).
 */
void fy_capability_path(const char *field, char *path, size_t cap, int *has_value);
/*
 * Is every field of a capability table (n lines of adapter's) well formed
 * by adapter.h's syntax? FY_E_INTERNAL naming the line and what is wrong
 * when one is not (fy_fidelity_new refuses such a target).
 */
int fy_capabilities_check(const char *adapter, const struct fy_capability *caps, size_t n,
			  struct fy_error *err);
/*
 * A thread's messages (ids and parents, in archive order) that are off its
 * active branch: on[i] is set for those on the path from leaf (NULL = the
 * last message) up through the parents; a chain (each message the child
 * of the one before, the first without parent) is all on. Returns how many
 * are off. The "$off-branch" line of a table and the sinks that send one
 * branch (conversations.c) count the same way.
 */
size_t fy_thread_off_branch(const char *const *ids, const char *const *parents, size_t n,
			    const char *leaf, unsigned char *on);

/* Where to keep the report's JSON: the audit document (schema formats/schema/audit.json). */
struct fy_audit_source {
	const char *input;		/* the archive or source as given */
	const struct fy_header *header;	/* may be NULL */
	const char *policy;		/* fy_model_policy_origin() */
	int64_t as_of;
};

/* Append the audit document for n reports (one per target) to out. */
int fy_audit_json(const struct fy_audit_source *src, const struct fy_fidelity_report *const *reps,
		  size_t n, struct fy_buf *out, struct fy_error *err);

/* Append one line as compact JSON (ledger.json shape, phase given or NULL). */
int fy_plan_line_json(const struct fy_plan_line *l, const char *adapter, const char *phase,
		      struct fy_buf *out, struct fy_error *err);

#endif
