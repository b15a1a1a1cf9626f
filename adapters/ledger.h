/*
 * ledger.h - fidelity outcomes and ledger lines.
 *
 * The vocabulary shared by the fidelity engine (fidelity.h), the sinks
 * that report what they did (adapter.h, "The done-ledger") and the tools:
 * the outcomes, ordered best to worst, and one function that formats a
 * ledger line (formats/schema/ledger.json) so every producer writes the
 * same shape.
 */
#ifndef FY_LEDGER_H
#define FY_LEDGER_H

#include "adapter.h"
#include "buf.h"

/* Best to worst; a record's outcome is the worst of its parts. */
enum fy_outcome {
	FY_OUT_PRESERVED = 0,	/* crosses unchanged */
	FY_OUT_TRANSFORMED,	/* another shape, nothing lost (a rule says which) */
	FY_OUT_EMULATED,	/* represented another way */
	FY_OUT_DEGRADED,	/* crosses with loss */
	FY_OUT_HELD_BACK,	/* a secret reference the user rebinds at the target */
	FY_OUT_DROPPED,		/* not written */
	FY_OUT__COUNT
};

/* "preserved", "transformed", ...; "warning" for FY_OUT__COUNT. */
const char *fy_outcome_name(enum fy_outcome o);
/* The outcome named s[0..n); FY_OUT__COUNT for "warning", -1 if unknown. */
int fy_outcome_from_name(const char *s, size_t n);
/* The outcome of writing at a capability level (NONE and UNSUPPORTED: dropped). */
enum fy_outcome fy_cap_outcome(enum fy_cap_level level);
/* "native", "emulated", ...; "none" for FY_CAP_NONE. */
const char *fy_cap_level_name(enum fy_cap_level level);
/* Outcomes that lose something: degraded, held_back, dropped. */
static inline int fy_outcome_is_loss(enum fy_outcome o)
{
	return o >= FY_OUT_DEGRADED && o < FY_OUT__COUNT;
}

/* Which item a line is about. Strings are borrowed; NULL = absent. */
struct fy_ledger_item {
	enum fy_kind kind;
	const char *id;
	const char *thread;	/* messages: their thread (message ids are per thread) */
	const char *field;	/* NULL: the record as a whole */
};

/*
 * Append one ledger line (compact JSON, no newline) to out:
 * {"item":{"kind","id","thread","field"},"outcome","rule","reason",
 *  "adapter","phase"}. rule, adapter and phase may be NULL (left out);
 * reason NULL becomes "". o may be FY_OUT__COUNT ("warning").
 */
int fy_ledger_format(struct fy_buf *out, const struct fy_ledger_item *item, enum fy_outcome o,
		     const char *rule, const char *reason, const char *adapter, const char *phase,
		     struct fy_error *err);

/*
 * A sink's report of what it did with a record (see adapter.h): formats
 * the line with adapter = ctx->name and phase "import" and hands it to
 * ctx->ledger. Does nothing when ctx->ledger is NULL. Returns 0 or -1.
 */
int fy_ledger_report(const struct fy_adapter_ctx *ctx, const struct fy_ledger_item *item,
		     enum fy_outcome o, const char *rule, const char *reason, struct fy_error *err);

#endif
