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
 *  4. Declare the capabilities table (what each kind and field becomes,
 *     see "Capability declarations" below) and the limits; a sink reports
 *     what it did through ctx->ledger as "The done-ledger" below says.
 *  5. Add a line to adapters/adapters.def and its files to the Makefile's
 *     ADAPTERS list; write samples/<name>/ cases and tests; cite the
 *     provider's published documentation in the file's header comment.
 *  6. Credentials come from the environment or files named there, never
 *     from argv, and never enter a record (use {"$secret": NAME}).
 *  7. Give the pure mapping a fuzz target, tests/fuzz/fuzz_<name>.c, with
 *     seeds in tests/fuzz/corpus/<name>/ (tests/fuzz/fuzz.h says how).
 */
#ifndef FY_ADAPTER_H
#define FY_ADAPTER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "item.h"
#include "reader.h"
#include "recscan.h"	/* enum fy_secret_mode: what an export does with credentials */

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
	const char *const *threads;	/* keep only these threads: ferry id or provider id */
	size_t nthreads;
	enum fy_secret_mode secrets;	/* credentials found in record text (export) */
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
	/*
	 * A sink's done-ledger line (one compact JSON object, schema
	 * formats/schema/ledger.json; see "The done-ledger" below). NULL when
	 * nobody listens. Returns 0 or -1 with err set (stop writing then).
	 */
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

/*
 * Capability declarations: what an adapter reads and writes, as data.
 *
 * Every adapter has one table of struct fy_capability lines. `ferry
 * adapters --json` prints it, and the fidelity engine (fidelity.h) computes
 * `ferry audit` and `ferry import --dry-run` from the target's table, so a
 * line is a promise the sink keeps (and reports through ctx->ledger).
 *
 * A line is (kind, field, read level, write level, note, rule):
 *   kind   the record kind; FY_KIND_NONE = every kind (for "$secret").
 *   field  NULL: the record as a whole. Its write level is the record's
 *          outcome; a kind with no whole-record line is not written at all
 *          (every such record is dropped).
 *          "type=VALUE": the record as a whole when its own "type" (tool
 *          type, memory type) is VALUE; it overrides the whole-record line.
 *          "PATH": a field of the record, a dotted path; an array on the
 *          way is entered (every element): "embedding", "model",
 *          "parts.citations", "mcp.headers". Applies when present.
 *          "PATH=VALUE": the elements or fields where PATH is the string
 *          VALUE: "parts.type=reasoning", "parts.tool_type=mcp",
 *          "nodes.type=approval". A line with a value wins over one without.
 *          "PATH!=VALUE": where the last key of PATH is absent or not the
 *          string VALUE (the containers on the way present):
 *          "nodes.dialect!=n8n" (nodes of other providers),
 *          "source.adapter!=agentspec" (records of other providers).
 *          "PATH~GLOB": the strings that match the fnmatch(3) pattern:
 *          "scope.namespace~*[!A-Za-z0-9_-]*".
 *          A VALUE or GLOB may be alternatives joined by '|':
 *          "parts.type=image|file" (either), "role!=user|system"
 *          (absent or neither).
 *          "PATH[COND&COND...]": the elements (objects) of the array at
 *          PATH (an object: itself) for which every inner condition holds,
 *          the conditions taken on the element; brackets nest:
 *          "parts[type=image|file&!file&!blob&!url]" (image and file parts
 *          with no content at all), "parts[type=text&citations[!url]]"
 *          (text parts with a citation that has no URL). It counts as a
 *          line with a value.
 *          "!COND": where COND (one of the above) matches nowhere:
 *          "!model.name" (an agent that names no model),
 *          "!config.harness_tool_type=agentcore_browser".
 *          "COND&COND...": the first condition's places, when every
 *          further condition holds too (on the record, or inside [] on the
 *          element; a value holds neither '&' nor '|', and its brackets
 *          balance): "!model.name&!ext.azure.versions"; a "type=" line
 *          takes them as well: "type=builtin&!ext.bedrock-agents".
 *          A malformed field is refused (fy_capabilities_check: the
 *          engine takes no target whose table it cannot read).
 *          The ledger's "field" is the line's field as written.
 *          "$off-branch" (threads): a thread whose messages branch, with
 *          messages off the path from its active_leaf (else its last
 *          message) up through the parents (fy_thread_off_branch); decided
 *          once the thread's messages are seen, for a sink that writes one
 *          branch. "$unused" (tools): a tool no written agent of the
 *          archive lists; decided at the end. Both are lines for the
 *          record as a whole; the sink reports them itself.
 *          "$secret": every {"$secret": NAME} reference in the record.
 *          Without such a line a secret is held back (the user rebinds NAME
 *          at the target); NATIVE means the target keeps the reference.
 *   levels NATIVE crosses unchanged (outcome "preserved"); TRANSFORMED
 *          crosses in another shape, nothing lost ("transformed"); EMULATED
 *          is represented another way, e.g. memory blocks written into a
 *          system-prompt section ("emulated"); DEGRADED crosses with loss
 *          ("degraded"); UNSUPPORTED and NONE are not written ("dropped").
 *          A field line that drops or degrades makes its record "degraded".
 *   note   one sentence for people: how it is emulated, what is lost.
 *   rule   a short stable name for the how ("memory-block-in-instructions"),
 *          the ledger's "rule"; NULL = the level's name.
 * Write lines with all six members or with designated initialisers (a
 * positional line without "rule" makes -Wextra warn).
 * Fields not named by any line cross with their record. Lines are read in
 * table order; the first that matches wins.
 *
 * Order of outcomes, best to worst: preserved, transformed, emulated,
 * degraded, held_back, dropped. A record's outcome is the worst of its
 * whole-record level and its field outcomes.
 */
enum fy_cap_level {
	FY_CAP_NONE = 0,		/* not read / not written at all */
	FY_CAP_NATIVE,			/* crosses unchanged */
	FY_CAP_EMULATED,		/* represented another way (note says how) */
	FY_CAP_DEGRADED,		/* crosses with loss (note says what) */
	FY_CAP_UNSUPPORTED,		/* dropped */
	FY_CAP_TRANSFORMED,		/* another shape, nothing lost (rule says which) */
};

/* One line of an adapter's capability table. */
struct fy_capability {
	enum fy_kind kind;
	const char *field;		/* NULL = the record as a whole; syntax above */
	enum fy_cap_level read, write;
	const char *note;
	const char *rule;		/* the ledger's "rule" for this line; NULL = level name */
};

/*
 * What a target can and cannot do beyond per-field levels. One struct per
 * adapter (struct fy_adapter.limits; NULL = not declared). Zero means
 * "no limit" for sizes and "no" for flags.
 */
enum {
	FY_LIMIT_SETS_TIMESTAMPS = 1 << 0,	/* original created/updated times can be written */
	FY_LIMIT_SETS_IDS = 1 << 1,		/* original ids can be kept at the target */
	FY_LIMIT_EXPOSES_EMBEDDINGS = 1 << 2,	/* export yields the vectors */
	FY_LIMIT_ACCEPTS_EMBEDDINGS = 1 << 3,	/* import stores given vectors as they are */
	FY_LIMIT_STORES_PROVENANCE = 1 << 4,	/* the source id is kept at the target (metadata) */
};

struct fy_adapter_limits {
	unsigned flags;			/* FY_LIMIT_* */
	uint32_t max_items_per_call;	/* records one write request takes; 0 = no limit */
	uint64_t max_text_bytes;	/* longest message part or memory text; 0 = no limit */
	uint64_t max_instructions_bytes; /* longest agent instructions; 0 = no limit */
	uint64_t max_file_bytes;	/* largest file it stores; 0 = no limit */
	uint32_t max_tools_per_agent;	/* 0 = no limit */
	double requests_per_second;	/* documented write rate; 0 = unknown */
	/*
	 * The platform whose model names the target runs, a key of the model
	 * policy (policy/models.json): "openai", "azure", "anthropic",
	 * "bedrock", "vertex", "mistral", ... NULL: the target keeps model names
	 * as given (files), unless the user names a platform (--model-platform).
	 */
	const char *model_platform;
	/*
	 * The embedding model the target computes vectors with. NULL: it has
	 * none, or (with FY_LIMIT_ACCEPTS_EMBEDDINGS) it keeps given vectors.
	 * A vector made by another model is re-computed (outcome degraded,
	 * rule "re-embed") or, when the target has no model, dropped.
	 */
	const char *embedding_model;
	const char *note;		/* anything else a planner should know */
};

/*
 * The cost of a plan, from an adapter's optional estimate hook: filled in
 * by adapters whose writes are API calls, printed by `ferry import
 * --dry-run` and `ferry audit`. What is to be written is given per kind.
 */
struct fy_estimate_input {
	uint64_t records[FY_KIND__COUNT];	/* records the sink will be handed */
	uint64_t blobs, blob_bytes;
	uint64_t text_bytes;			/* message and memory text */
};

struct fy_estimate {
	uint64_t api_calls;
	double seconds;			/* at the documented rate, without retries */
	char note[256];			/* how it was estimated */
};

/*
 * The done-ledger: what a sink reports through ctx->ledger.
 *
 * `ferry import` plans with the fidelity engine, then writes, then compares
 * the plan with what was done, item by item. An item is a record, named by
 * (kind, id) and for messages also the thread. The tool itself reports the
 * records it does not hand to the sink (a kind or "type=" line the target
 * does not write: dropped) and the changes it makes before handing a record
 * over (model names mapped by the model policy). Everything else is the
 * sink's to report, for every record it is handed:
 *   - one line per field line of its table that applied and whose outcome
 *     is not "preserved": {"item":{"kind","id","thread"?,"field"},
 *     "outcome","rule","reason"} with the same field, outcome and rule the
 *     table names (the reason may say more);
 *   - one line per secret reference it could not bind, field "$secret",
 *     outcome "held_back" (or nothing when its table keeps references);
 *   - a record it handles differently from its table (dropped after all,
 *     emulated another way): a line for the record (no "field") with what
 *     it did. Silence means the record crossed as its table says.
 * Use fy_ledger_report() (ledger.h) to format a line. A sink that skips a
 * record its journal says is already done reports the same lines again:
 * the outcome depends on the record and the sink's code, not on the run.
 * Lines the archive carried from its export (phase "export") are not
 * compared. The comparison is per item: a record's outcome is the worst of
 * its lines (a dropped field degrades its record; no line: preserved), and
 * planned and done must agree for every record; a sink may name fields more
 * finely than its table (e.g. "nodes[billing]"). A record that differs =>
 * the import exits 10 (ferry-import(1)).
 */

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
	const struct fy_adapter_limits *limits;	/* NULL = not declared */

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

	/*
	 * Optional: how many API calls and how long writing in will take, for
	 * the plan. Called with the counts the plan will hand the sink; no
	 * network access. Return 0, or -1 with err set. (write_plan, above, is
	 * the fuller form: a dry run of the sink itself.)
	 */
	int (*estimate)(const struct fy_adapter_ctx *ctx, const struct fy_estimate_input *in,
			struct fy_estimate *out, struct fy_error *err);
};

/* The value of option key in ctx->options ("key=value"), or NULL. */
const char *fy_adapter_option(const struct fy_adapter_ctx *ctx, const char *key);

#endif
