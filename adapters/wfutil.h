/*
 * wfutil.h - what the workflow adapters (n8n, agentspec, bedrock-flow)
 * share: a queue of items a source hands out one at a time, fidelity
 * ledger lines, reading a bounded file, and small id helpers.
 *
 * A workflow source maps one provider document into several items (the
 * raw original, the record, its ledger lines, threads); the queue owns
 * their bytes until the next read_next() call, so the mapping functions
 * stay pure (no I/O) and the source stays one item at a time.
 */
#ifndef FY_WFUTIL_H
#define FY_WFUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "adapter.h"
#include "buf.h"
#include "error.h"
#include "item.h"

struct wf_qitem {
	enum fy_item_type type;
	char *data;		/* owned: JSON text, or raw bytes */
	size_t len;
	char *name;		/* owned: RAW path "<adapter>/...", else NULL */
	size_t pos;		/* raw bytes handed out so far */
};

struct wf_queue {
	struct wf_qitem *items;
	size_t n, cap, head;
};

void wf_queue_init(struct wf_queue *q);
void wf_queue_release(struct wf_queue *q);
/* Append an item; the queue takes a copy of data (and name). */
int wf_queue_push(struct wf_queue *q, enum fy_item_type type, const char *data, size_t len,
		  const char *name, struct fy_error *err);
/* The next item (1), or 0 when empty. The item is valid until the next pop. */
int wf_queue_pop(struct wf_queue *q, struct fy_item *it);

/* What a ledger line says (formats/schema/ledger.json). */
struct wf_ledger {
	const char *kind;	/* record kind, e.g. "workflow" */
	const char *id;		/* record id, or NULL */
	const char *field;	/* e.g. "nodes[abc].credentials.openAiApi", or NULL */
	const char *outcome;	/* preserved, transformed, emulated, degraded, dropped, held_back, warning */
	const char *rule;	/* a stable name for the mapping rule */
	const char *adapter;
	const char *phase;	/* export, import, plan */
};

/* Format one ledger line (compact JSON, no newline) into out (reset first). */
int wf_ledger_format(struct fy_buf *out, const struct wf_ledger *l, struct fy_error *err,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Where a mapping sends its ledger lines, and what they are about. A
 * source queues them as FY_ITEM_LEDGER items; a sink hands them to the
 * tool (wf_sink_line). The mapping sets kind and id per record.
 */
struct wf_notes {
	int (*line)(void *ctx, const char *json, size_t len, struct fy_error *err);
	void *ctx;
	const char *adapter;
	const char *phase;
	const char *kind;
	const char *id;
	unsigned count;		/* lines written */
};

/* One ledger line about field of the current record. */
int wf_note(struct wf_notes *n, const char *field, const char *outcome, const char *rule,
	    struct fy_error *err, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* wf_notes.line for a source: push onto the struct wf_queue in ctx. */
int wf_queue_line(void *queue, const char *json, size_t len, struct fy_error *err);
/*
 * wf_notes.line for a sink (ctx is the struct fy_adapter_ctx): ctx->ledger
 * when the tool provides one, and otherwise a warning in the log
 * ("ledger: {...}"), so nothing that did not cross unchanged goes unsaid.
 */
int wf_sink_line(void *adapter_ctx, const char *json, size_t len, struct fy_error *err);

/*
 * The done-ledger (adapter.h): what a sink did with a record, in the words
 * of its capability table, so `ferry import` can compare it with the plan.
 * wf_done reports one line; wf_done_table the line of the table whose
 * field is field (FY_E_INTERNAL when the table has none); wf_done_secrets
 * one held_back line per {"$secret": NAME} reference in the record (a
 * reference is bound at the target, never carried: rule "rebind-secret").
 * Details (which node, which edge) go through wf_note as warnings.
 */
int wf_done(const struct fy_adapter_ctx *ctx, enum fy_kind kind, const char *id, const char *field,
	    enum fy_cap_level level, const char *rule, const char *reason, struct fy_error *err);
int wf_done_table(const struct fy_adapter_ctx *ctx, const struct fy_capability *caps, size_t n,
		  enum fy_kind kind, const char *id, const char *field, struct fy_error *err);
int wf_done_secrets(const struct fy_adapter_ctx *ctx, enum fy_kind kind, const char *id,
		    const struct fy_jdoc *d, struct fy_error *err);

/* Read a whole regular file of at most max bytes into out (reset first). */
int wf_read_file(const char *path, size_t max, struct fy_buf *out, struct fy_error *err);

/*
 * Write data to dir/name through a temporary file and rename, mode 0644;
 * refuses to replace an existing file (FY_E_EXISTS).
 */
int wf_write_file(const char *dir, const char *name, const char *data, size_t len,
		  struct fy_error *err);

/*
 * A file target (n8n:PATH, agentspec:PATH): a PATH ending in .json is one
 * file, anything else a folder of files. Nothing existing is overwritten:
 * the file must not exist, the folder must not exist or be empty (else
 * FY_E_EXISTS at open). A folder is written into a temporary sibling and
 * renamed at commit; released uncommitted, what was written is removed.
 */
struct wf_target {
	char *path;		/* owned; trailing slashes cut */
	int one_file;
	char *tmpdir;		/* owned: the folder being written */
};

int wf_target_open(struct wf_target *t, const char *adapter, const char *location,
		   struct fy_error *err);
/*
 * Folder: write name (a plain file name) into it; when want is taken (or
 * no plain *.json name), fallback.json instead.
 */
int wf_target_put(struct wf_target *t, const char *want, const char *fallback, const char *data,
		  size_t len, struct fy_error *err);
/* One file: write it. Folder: rename it into place. */
int wf_target_commit(struct wf_target *t, const char *data, size_t len, struct fy_error *err);
void wf_target_release(struct wf_target *t);

/* The sorted *.json (and, with yaml, *.yaml / *.yml) file names in dir. New; free with wf_names_free. */
int wf_list_dir(const char *dir, int yaml, char ***names, size_t *n, struct fy_error *err);
void wf_names_free(char **names, size_t n);

/*
 * A UUID-shaped string (8-4-4-4-12 hex, version 4 and variant bits set)
 * derived from the SHA-256 of the seed: stable for the same seed, so a
 * rerun makes the same choice. out holds 37 bytes.
 */
void wf_uuid_from(const char *seed, size_t n, char out[37]);

/*
 * An environment-variable-shaped name: prefix, then each part with every
 * run of characters outside [A-Za-z0-9] turned into one '_'; when that
 * lost information (or the name had to be cut to fit max), '_' and 8 hex
 * digits of the SHA-256 of the parts are appended so names stay distinct.
 * out holds max + 1 bytes.
 */
void wf_env_name(const char *prefix, const char *const *parts, size_t nparts, char *out,
		 size_t max);

struct fy_jw;

/*
 * Copy every member of object obj except those named in skip (a NULL-
 * terminated list) as "key": value into the object being written. With
 * wrap, the members go into "ext": {"<wrap>": {...}}, opened only when
 * there is one. Returns how many were copied.
 */
int wf_copy_members(const struct fy_jdoc *d, uint32_t obj, const char *const *skip,
		    struct fy_jw *w, const char *wrap);

/* Whether s is one of the NULL-terminated list. */
int wf_in_list(const char *s, const char *const *list);

/* Whether s[0..n) is made of the given characters only. */
int wf_only(const char *s, size_t n, const char *set);

#endif
