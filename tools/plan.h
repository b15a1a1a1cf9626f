/*
 * plan.h - what ferry-import and ferry-audit share: running the fidelity
 * engine (adapters/fidelity.h) over an archive for one or more targets,
 * printing the result as text, exporting a SOURCE to a temporary archive
 * first, and the done-ledger an import writes and compares.
 */
#ifndef FERRY_PLAN_H
#define FERRY_PLAN_H

#include <stdio.h>

#include "fidelity.h"
#include "reader.h"
#include "tool.h"

struct plan_opts {
	const char *policy_path;	/* --model-policy; NULL: $FERRY_MODEL_POLICY or built-in */
	const char *model_platform;	/* --model-platform */
	const char *embedding_model;	/* --embedding-model */
	int64_t as_of;			/* --as-of; 0 = now */
	int accept_loss;
	const char *const *locations;	/* per target: its LOCATION (for estimates); may be NULL */
};

struct plan {
	struct fy_model_policy *policy;
	struct fy_reader *reader;	/* kept open: the header is the reader's */
	struct fy_fidelity **engines;
	const struct fy_fidelity_report **reports;
	size_t n;
	struct fy_audit_source src;
	struct fy_adapter_ctx *ctxs;	/* per engine: what its target's estimate hook is shown */
	char *temp;			/* a temporary archive made from a SOURCE, removed on release */
};

/*
 * Make the engines for n targets (the policy loaded once); po is copied.
 * Returns EXIT_OK or an exit status (the error printed).
 */
int plan_init(struct tool *t, struct plan *p, const struct fy_adapter *const *targets, size_t n,
	      const struct plan_opts *po, const struct fy_adapter_ctx *ctx);

/* Read the whole archive through every engine and finish them. EXIT_OK or a status. */
int plan_run(struct tool *t, struct plan *p, const char *archive);

void plan_release(struct plan *p);

/*
 * If input names a SOURCE (ADAPTER:LOCATION, and no such file exists),
 * export it into a temporary archive and set *archive to its path (removed
 * by plan_release); otherwise *archive = input. EXIT_OK or a status.
 */
int plan_input(struct tool *t, struct plan *p, const char *input, struct fy_adapter_ctx *ctx,
	       const char **archive);

/* The text report: per target, agents, losses (at most detail lines each), and the rest. */
void plan_print_text(FILE *out, const struct plan *p, size_t detail);

/* The first lines of the plan's losses on stderr, for an import that stops. */
void plan_print_losses(const struct tool *t, const struct fy_fidelity_report *r, size_t max);

/*
 * The losses of a plan stop an import unless accepted: with losses, print
 * them on stderr and return EXIT_LOSS; else EXIT_OK.
 */
int plan_refuse_loss(struct tool *t, const struct plan *p);

/* --- the done-ledger ---------------------------------------------------- */

struct done_ledger {
	FILE *file;			/* NULL: lines only kept */
	char *path;
	struct fy_plan_line *lines;
	size_t n, cap;
	uint64_t digest, total;
	struct fy_buf buf;
	const char *adapter;
};

/* Open the ledger file (created 0600, truncated). path NULL: only keep lines. */
int done_ledger_open(struct done_ledger *d, const char *path, const char *adapter,
		     struct fy_error *err);
/* ctx->ledger for sinks: cb is the tool, whose ->ledger is the done_ledger. */
int done_ledger_sink(void *cb, const char *json, size_t len, struct fy_error *err);
/* A line the tool itself did. */
int done_ledger_add(struct done_ledger *d, const struct fy_plan_line *l, struct fy_error *err);
int done_ledger_close(struct done_ledger *d, struct fy_error *err);
void done_ledger_release(struct done_ledger *d);

/*
 * The import itself (ferry import, ferry migrate): a new engine in exec
 * decides what the sink of ad is handed, item by item from the archive
 * file; the tool's and the sink's lines go to the done-ledger done, opened
 * at lpath; the sink commits only when everything was handed over (and,
 * when the archive was not planned first, from_file 0, only when its
 * losses are accepted). The caller releases exec and done, and compares
 * with plan_compare(exec->reports[0], done). EXIT_OK or a status (printed).
 */
int plan_execute(struct tool *t, const struct fy_adapter *ad, struct fy_adapter_ctx *ctx,
		 const struct plan_opts *po, const char *file, const char *target, const char *lpath,
		 int from_file, struct plan *exec, struct done_ledger *done);

/*
 * A target with a dry-run plan of its own (write_plan): hand it everything
 * with ctx->dry_run set and attach what it says (API calls, duration,
 * journal) to p's first engine. Lines it reports that the plan did not
 * foresee are printed as a warning. EXIT_OK or a status (printed).
 */
int plan_sink_estimate(struct tool *t, struct plan *p, const struct fy_adapter *ad,
		       struct fy_adapter_ctx *ctx, const struct plan_opts *po, const char *file,
		       const char *target);

/*
 * Compare the plan with what was done, item by item: each record's outcome
 * (the worst of its lines; a dropped field degrades its record; no line:
 * preserved) must be the same in both. Rules and field names may differ (a
 * sink may report finer, e.g. per node). Prints each record that differs
 * (at most max) on stderr and returns their number.
 */
uint64_t plan_compare(const struct tool *t, const struct fy_fidelity_report *r,
		      struct done_ledger *d, size_t max);

#endif
