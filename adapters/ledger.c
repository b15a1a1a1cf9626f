/*
 * ledger.c - outcome names and ledger lines. See ledger.h.
 */
#include "ledger.h"

#include <string.h>

static const char *const outcome_names[FY_OUT__COUNT + 1] = {
	[FY_OUT_PRESERVED] = "preserved", [FY_OUT_TRANSFORMED] = "transformed",
	[FY_OUT_EMULATED] = "emulated",	  [FY_OUT_DEGRADED] = "degraded",
	[FY_OUT_HELD_BACK] = "held_back", [FY_OUT_DROPPED] = "dropped",
	[FY_OUT__COUNT] = "warning",
};

const char *fy_outcome_name(enum fy_outcome o)
{
	if ((unsigned)o > FY_OUT__COUNT)
		return "warning";
	return outcome_names[o];
}

int fy_outcome_from_name(const char *s, size_t n)
{
	int i;

	for (i = 0; i <= FY_OUT__COUNT; i++)
		if (strlen(outcome_names[i]) == n && memcmp(outcome_names[i], s, n) == 0)
			return i;
	return -1;
}

enum fy_outcome fy_cap_outcome(enum fy_cap_level level)
{
	switch (level) {
	case FY_CAP_NATIVE: return FY_OUT_PRESERVED;
	case FY_CAP_TRANSFORMED: return FY_OUT_TRANSFORMED;
	case FY_CAP_EMULATED: return FY_OUT_EMULATED;
	case FY_CAP_DEGRADED: return FY_OUT_DEGRADED;
	default: return FY_OUT_DROPPED;
	}
}

const char *fy_cap_level_name(enum fy_cap_level level)
{
	switch (level) {
	case FY_CAP_NATIVE: return "native";
	case FY_CAP_EMULATED: return "emulated";
	case FY_CAP_DEGRADED: return "degraded";
	case FY_CAP_UNSUPPORTED: return "unsupported";
	case FY_CAP_TRANSFORMED: return "transformed";
	default: return "none";
	}
}

static int add_member(struct fy_buf *b, const char *key, const char *val, int *first,
		      struct fy_error *err)
{
	if (!val)
		return 0;
	if (fy_buf_addf(b, err, "%s\"%s\":", *first ? "" : ",", key) < 0 ||
	    fy_buf_add_jstr(b, val, strlen(val), err) < 0)
		return -1;
	*first = 0;
	return 0;
}

int fy_ledger_format(struct fy_buf *out, const struct fy_ledger_item *item, enum fy_outcome o,
		     const char *rule, const char *reason, const char *adapter, const char *phase,
		     struct fy_error *err)
{
	const char *kind = fy_kind_name(item->kind);
	int first = 1;

	if (fy_buf_adds(out, "{\"item\":{", err) < 0 ||
	    add_member(out, "kind", kind ? kind : "any", &first, err) < 0 ||
	    add_member(out, "id", item->id, &first, err) < 0 ||
	    add_member(out, "thread", item->thread, &first, err) < 0 ||
	    add_member(out, "field", item->field, &first, err) < 0 ||
	    fy_buf_addf(out, err, "},\"outcome\":\"%s\"", fy_outcome_name(o)) < 0)
		return -1;
	first = 0;
	if (add_member(out, "rule", rule, &first, err) < 0 ||
	    add_member(out, "reason", reason ? reason : "", &first, err) < 0 ||
	    add_member(out, "adapter", adapter, &first, err) < 0 ||
	    add_member(out, "phase", phase, &first, err) < 0 || fy_buf_addc(out, '}', err) < 0)
		return -1;
	return 0;
}

int fy_ledger_report(const struct fy_adapter_ctx *ctx, const struct fy_ledger_item *item,
		     enum fy_outcome o, const char *rule, const char *reason, struct fy_error *err)
{
	struct fy_buf b = FY_BUF_INIT(1 << 20);
	int rc;

	if (!ctx->ledger)
		return 0;
	rc = fy_ledger_format(&b, item, o, rule, reason, ctx->name, "import", err);
	if (rc == 0)
		rc = ctx->ledger(ctx->cb, b.ptr, b.len, err);
	fy_buf_release(&b);
	return rc;
}
