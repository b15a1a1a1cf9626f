/*
 * adapter.h - the one interface every provider adapter implements.
 *
 * An adapter reads a provider's state as neutral records (a source) and/or
 * writes neutral records into a provider (a sink). Sources are pulled one
 * item at a time, so an export never holds more than one conversation in
 * memory; sinks are pushed items in archive order.
 *
 * How to add an adapter (the checklist; git's builtin.h keeps one too):
 *  1. Write adapters/<name>.c exporting `const struct fy_adapter
 *     fy_adapter_<name>` with designated initialisers; leave the hooks it
 *     cannot do NULL (a read-only adapter has no write_* hooks).
 *  2. Keep the mapping pure: one function from the provider's JSON to
 *     neutral records with no I/O, so tests and fuzzers can call it
 *     directly; fetching (files, HTTP through adapters/http.h) is separate.
 *  3. Never print and never exit: report through struct fy_error, log
 *     through ctx->log, and put every item that does not cross unchanged
 *     in the ledger (a FY_ITEM_LEDGER item from a source, ctx->ledger()
 *     from a sink).
 *  4. Declare the capabilities table (what each kind and field becomes).
 *  5. Add it to the table in adapters/registry.c and to the Makefile's
 *     ADAPTERS list; write samples/<name>/ cases and tests; cite the
 *     provider's published documentation in the file's header comment.
 *  6. Credentials come from the environment or files named there, never
 *     from argv, and never enter a record (use {"$secret": NAME}).
 */
#ifndef FY_ADAPTER_H
#define FY_ADAPTER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "item.h"
#include "reader.h"

enum fy_log_level { FY_LOG_ERROR = 0, FY_LOG_WARN, FY_LOG_INFO, FY_LOG_DEBUG, FY_LOG_TRACE };

/* What the tool hands an adapter. Everything is borrowed. */
struct fy_adapter_ctx {
	const char *name;		/* the adapter's name as typed */
	const char *location;		/* the part after "name:" */
	/* filters (a source may apply them early; the pump applies them anyway) */
	unsigned kinds;			/* bit set of (1 << kind); 0 = all */
	const char *agent;		/* NULL = all */
	int64_t since;			/* UTC seconds; INT64_MIN = none */
	const char *const *ids;		/* explicit ids to export (--id, --ids-from) */
	size_t nids;
	/* adapter options, "KEY=VALUE" strings from --option */
	const char *const *options;
	size_t noptions;
	int dry_run;
	int verbosity;			/* 0 quiet .. 3 trace */
	const char *state_dir;		/* where an import keeps its journal */
	const char *producer;		/* "ferry 1.2.3", for headers a sink writes */
	/* services; any may be NULL */
	void (*log)(void *cb, enum fy_log_level level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
	void (*progress)(void *cb, const char *what, uint64_t done, uint64_t total);
	int (*ledger)(void *cb, const char *json, size_t len, struct fy_error *err);
	void *cb;
};

/* What a source can tell about itself, for the archive header. */
struct fy_source_info {
	int64_t created;		/* 0 = now; file sources give their input's time */
	char adapter[48];		/* empty = the adapter's own name */
	char location[1024];		/* empty = ctx->location; never a credential */
	char account[128];		/* a fingerprint of the account, or empty */
};

enum fy_cap_level {
	FY_CAP_NONE = 0,		/* not read / not written at all */
	FY_CAP_NATIVE,			/* crosses unchanged */
	FY_CAP_EMULATED,		/* represented another way (note says how) */
	FY_CAP_DEGRADED,		/* crosses with loss (note says what) */
	FY_CAP_UNSUPPORTED,		/* dropped */
};

/* One line of an adapter's capability table. */
struct fy_capability {
	enum fy_kind kind;
	const char *field;		/* NULL = the record as a whole */
	enum fy_cap_level read, write;
	const char *note;
};

enum {
	FY_ADAPTER_READ = 1 << 0,
	FY_ADAPTER_WRITE = 1 << 1,
};

/*
 * What an import would do: filled by a sink's optional write_plan hook
 * after every item was put with ctx->dry_run set (a dry-run sink makes no
 * change anywhere). Kept to counts so the shared audit/plan engine can
 * take it over; ledger lines go through ctx->ledger as they are decided.
 */
struct fy_plan {
	uint64_t create[FY_KIND__COUNT];	/* objects to create */
	uint64_t skip[FY_KIND__COUNT];		/* done already, by the journal */
	uint64_t resume[FY_KIND__COUNT];	/* started but unconfirmed: looked up first */
	uint64_t calls;				/* API requests, at least */
	uint64_t bytes;				/* bytes to upload */
	uint64_t ledger[7];			/* ledger lines by outcome (ledger.json order) */
	double rate;				/* requests a second the estimate assumes */
	long latency_ms;			/* time a request takes, assumed */
	double seconds;				/* estimated duration */
	char journal[1024];			/* the journal the import would use */
};

struct fy_adapter {
	const char *name;
	const char *summary;		/* one line for `ferry adapters` */
	const char *locations;		/* the LOCATION forms it accepts */
	unsigned flags;
	const struct fy_capability *caps;
	size_t ncaps;

	/* Source: open, pull items (1 item, 0 end, -1 error), close. */
	int (*read_open)(const struct fy_adapter_ctx *ctx, void **state,
			 struct fy_source_info *info, struct fy_error *err);
	int (*read_next)(void *state, struct fy_item *it, struct fy_error *err);
	void (*read_close)(void *state);

	/* Sink: open with the archive's header, push items, finish, close. */
	int (*write_open)(const struct fy_adapter_ctx *ctx, const struct fy_header *hdr,
			  void **state, struct fy_error *err);
	int (*write_put)(void *state, const struct fy_item *it, struct fy_error *err);
	/* Everything was put: commit. Without it, write_close abandons. */
	int (*write_finish)(void *state, struct fy_error *err);
	void (*write_close)(void *state);
	/* Optional: instead of write_finish in a dry run, say what would be done. */
	int (*write_plan)(void *state, struct fy_plan *plan, struct fy_error *err);
};

/* The value of option key in ctx->options ("key=value"), or NULL. */
const char *fy_adapter_option(const struct fy_adapter_ctx *ctx, const char *key);

#endif
