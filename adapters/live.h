/*
 * live.h - what the adapters for live provider APIs share, above the HTTP
 * engine (http.h) and the journal (journal.h):
 *
 *   - struct live_client: one provider client configured from the
 *     adapter context (--option rate=, concurrency=, retries=, backoff-ms=,
 *     stall-timeout=, timeout-ms=) with its credential headers, which are
 *     registered as secrets so no trace or error repeats them;
 *   - units: independent chains of requests (one conversation's pages, one
 *     file's bytes) run side by side through fy_http_do_many, so an export
 *     keeps `concurrency` requests in flight while its output stays in a
 *     fixed order;
 *   - struct live_queue: the items a source hands out, one at a time;
 *   - struct live_sink: the import side: the journal, the spool folder,
 *     a create call that reconciles an ambiguous failure by looking the
 *     object up before trying again, the ledger, and the dry-run plan;
 *   - a small JSON writer (lw_*) over struct fy_buf that copies provider
 *     values through byte for byte (fy_json_emit), so numbers keep their
 *     original text.
 *
 * Nothing here prints; errors go through struct fy_error, logs through
 * the context's log function.
 */
#ifndef FY_LIVE_H
#define FY_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "adapter.h"
#include "buf.h"
#include "error.h"
#include "http.h"
#include "journal.h"
#include "json.h"
#include "jsonw.h"
#include "reader.h"

/* --- JSON writer ---------------------------------------------------------- */

/*
 * A key-then-value face on ferry's JSON token writer (formats/jsonw.h):
 * lw_key() names the member the next value goes into (escaped, so keys
 * from provider metadata are safe), so a record reads top to bottom.
 */
struct lw {
	struct fy_jw j;
	struct fy_error *err;		/* borrowed: lw_done() reports here */
	const char *key;		/* borrowed: the pending member name, or NULL */
};

void lw_init(struct lw *w, struct fy_buf *b, struct fy_error *err);
void lw_obj(struct lw *w);
void lw_end_obj(struct lw *w);
void lw_arr(struct lw *w);
void lw_end_arr(struct lw *w);
void lw_key(struct lw *w, const char *key);
void lw_str(struct lw *w, const char *s);
void lw_strn(struct lw *w, const char *s, size_t n);
void lw_int(struct lw *w, int64_t v);
void lw_bool(struct lw *w, int v);
void lw_null(struct lw *w);
/* Value i of d, copied through compact. */
void lw_node(struct lw *w, const struct fy_jdoc *d, uint32_t i);
/* Unix seconds as an RFC 3339 UTC string. */
void lw_time(struct lw *w, int64_t sec);
/* key: sec as a time when it is one a record can hold (1970 to 9999); nothing otherwise. */
void lw_ktime(struct lw *w, const char *key, int64_t sec);
/* "key": value helpers that skip absent values. */
void lw_kstr(struct lw *w, const char *key, const char *s);
void lw_knode(struct lw *w, const char *key, const struct fy_jdoc *d, uint32_t i);
/* 0, or -1 with the first error. */
int lw_done(struct lw *w);
/* Non-zero once a value could not be written (lw_done says why). */
int lw_failed(const struct lw *w);
/* Fail the writer with e (lw_done reports the first failure). */
void lw_fail(struct lw *w, const struct fy_error *e);

/* Decoded string member key of obj into out (reset first); 0, or -1 when absent. */
int live_get_str(const struct fy_jdoc *d, uint32_t obj, const char *key, struct fy_buf *out);
/* An integer member, or def. */
int64_t live_get_int(const struct fy_jdoc *d, uint32_t obj, const char *key, int64_t def);
/* 1 when string member key of obj equals lit. */
int live_streq(const struct fy_jdoc *d, uint32_t obj, const char *key, const char *lit);

/*
 * Decode standard or URL-safe base64 (padding optional, whitespace
 * skipped) into out. -1 on a character outside the alphabet.
 */
int live_b64_decode(const char *s, size_t n, struct fy_buf *out, struct fy_error *err);

/* --- client ----------------------------------------------------------------- */

#define LIVE_MAX_HEADERS 8

struct live_client {
	struct fy_http *http;
	const struct fy_adapter_ctx *ctx;
	char *headers[LIVE_MAX_HEADERS + 1];	/* owned "Name: value" lines, NULL-terminated */
	size_t nheaders;
	char *query_suffix;			/* appended to every query ("api-version=..."), or NULL */
	int concurrency;
	double rate;
	int max_retries;
	long backoff_base_ms;
	char account[80];			/* "sha256:<16 hex>" of the account's identity */
};

/*
 * Open a client for provider at base_url with the context's options.
 * identity (never logged) feeds the account fingerprint.
 */
int live_client_open(struct live_client *c, const struct fy_adapter_ctx *ctx, const char *provider,
		     const char *base_url, const char *identity, struct fy_error *err);
void live_client_close(struct live_client *c);
/* The account fingerprint of an identity, "sha256:<16 hex>", as live_client_open makes it. */
void live_account(const char *identity, char out[80]);

/* API calls per record of each kind an import makes, for live_estimate. */
struct live_costs {
	double file;		/* upload (files and blobs of message parts) */
	double knowledge;	/* create a set */
	double attach;		/* attach a file to a set */
	double agent, memory;
	double thread;		/* create, name, count (items are by 20, apart) */
};

/*
 * The estimate hook's work (adapter.h): calls from the record counts and
 * c; seconds at one request at a time, each the option latency-ms
 * (default 300) and no less than 1/rate; the note says how, and what the
 * journal of account (if any; no network, nothing created) has done.
 */
int live_estimate(const struct fy_adapter_ctx *ctx, const char *adapter, const char *account,
		  const struct live_costs *c, const struct fy_estimate_input *in, struct fy_estimate *out,
		  struct fy_error *err);
/* Add a header line; secret_value (may be NULL) is registered for redaction. */
int live_client_header(struct live_client *c, const char *line, const char *secret_value,
		       struct fy_error *err);
/* Set the query every request carries ("api-version=v1"). */
int live_client_query(struct live_client *c, const char *q, struct fy_error *err);

/*
 * A request owned by the caller's memory: path and query are built into
 * the buffers; the client's headers and query suffix are added by
 * live_prepare().
 */
struct live_req {
	struct fy_http_request rq;
	struct fy_buf path, query, body;
	const char *headers[LIVE_MAX_HEADERS + 4];
	const char *extra[3];			/* per-request header lines */
};

void live_req_init(struct live_req *r);
void live_req_release(struct live_req *r);
/* Reset r for a new request: method, path (printf-style, pieces pre-encoded). */
int live_req_set(struct live_req *r, const char *method, struct fy_error *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Add "name=value" to the query, value percent-encoded. */
int live_req_param(struct live_req *r, const char *name, const char *value, struct fy_error *err);
/* Finish the request: headers and the client's query suffix. */
int live_prepare(struct live_client *c, struct live_req *r, struct fy_error *err);
/* Append the percent-encoded s to the path buffer. */
int live_req_path_enc(struct live_req *r, const char *s, struct fy_error *err);

/* One GET with the engine's retries, checked: 0, or -1 (provider error in err). */
int live_get(struct live_client *c, struct live_req *r, struct fy_http_response *resp,
	     const char *what, struct fy_error *err);

/* --- units: chains of requests run side by side ------------------------------ */

struct live_unit;

struct live_unit_ops {
	/*
	 * Fill r with the next request: 1; 2 to be asked again in the same
	 * round (a request that does not need the other's answer); 0 when the
	 * unit is done.
	 */
	int (*next)(struct live_unit *u, struct live_req *r, struct fy_error *err);
	/* Take the response to the last request (any status): 0 or -1. */
	int (*take)(struct live_unit *u, struct fy_http_response *resp, struct fy_error *err);
};

struct live_unit {
	const struct live_unit_ops *ops;
	void *ctx;
	int done;
};

/*
 * Run units until each is done, keeping at most the client's concurrency
 * of requests in flight. Units are independent; their responses are taken
 * in unit order (and, within a unit, request order) each round, so output
 * built from them in unit order does not depend on timing.
 */
int live_run_units(struct live_client *c, struct live_unit **units, size_t n, struct fy_error *err);

/* --- the item queue of a source ---------------------------------------------- */

struct live_qitem {
	enum fy_item_type type;
	char *json;		/* RECORD, LEDGER */
	size_t len;
	char hex[65];		/* BLOB */
	int fd;			/* BLOB: an unlinked temporary file, rewound */
	uint64_t size;
};

struct live_queue {
	struct live_qitem *items;
	size_t n, cap, next;
	struct live_qitem *cur;	/* handed out, freed on the next pop */
};

void live_queue_init(struct live_queue *q);
void live_queue_release(struct live_queue *q);
/* Queue a record or ledger line (copied). */
int live_queue_json(struct live_queue *q, enum fy_item_type type, const char *json, size_t len,
		    struct fy_error *err);
/* Queue a blob held in fd (taken over; closed after use). */
int live_queue_blob(struct live_queue *q, const char *hex, int fd, uint64_t size,
		    struct fy_error *err);
/* Queue bytes from memory as a blob (written to a temporary file); hex filled. */
int live_queue_blob_mem(struct live_queue *q, const void *p, size_t n, char hex[65],
			struct fy_error *err);
/* The next item: 1, or 0 when the queue is empty. */
int live_queue_pop(struct live_queue *q, struct fy_item *it);
int live_queue_empty(const struct live_queue *q);

/* A ledger line for an export or import. */
int live_ledger_line(struct fy_buf *out, const char *adapter, const char *phase, const char *kind,
		     const char *id, const char *field, const char *outcome, const char *rule,
		     const char *reason, struct fy_error *err);

/* A temporary file, unlinked at once (in $TMPDIR). -1 and err on failure. */
int live_tmpfile(struct fy_error *err);
/* Download into a temporary file and hash it: 0, fd rewound, size and hex filled. */
int live_fd_sha256(int fd, char hex[65], uint64_t *size, struct fy_error *err);

/*
 * Every object of a cursor-paginated listing at path (limit=100,
 * order=asc, after= the last object's idkey, while has_more): each as
 * compact JSON, or with ids_only its idkey. header: an extra header line
 * or NULL; body: a POST listing's body or NULL (GET). *out (new, each new)
 * and *n. Returns 0, 1 for a 404 on the first page when missing_ok
 * (nothing listed), or -1 (nothing kept).
 */
int live_list(struct live_client *c, const char *path, const char *header, const char *body,
	      const char *idkey, int ids_only, int missing_ok, char ***out, size_t *n, struct fy_error *err);
void live_free_list(char **v, size_t n);

/* --- the import side ------------------------------------------------------- */

struct live_sink {
	const struct fy_adapter_ctx *ctx;
	const char *adapter;
	struct live_client *client;		/* NULL in a dry run */
	struct fy_journal *journal;		/* NULL in a dry run without a journal yet */
	char journal_path[4096];
	char spool[4200];			/* a folder beside the journal */
	char srcfp[20];				/* fingerprint of the archive's source */
	const struct fy_header *hdr;
	struct fy_plan plan;			/* what it creates, skips, resumes; calls (write_plan) */
	uint64_t created, skipped;
};

/*
 * Open the import side for target (an account fingerprint): the journal
 * (not created in a dry run), the spool folder (emptied), and the source
 * fingerprint from the archive header.
 */
int live_sink_open(struct live_sink *s, const struct fy_adapter_ctx *ctx, const char *adapter,
		   const char *target_account, const struct fy_header *hdr, struct fy_error *err);
void live_sink_close(struct live_sink *s);

/* The journal key of a record: "<source fingerprint>/<id>" into out[512]. */
void live_sink_key(const struct live_sink *s, const char *id, char *out, size_t cap);

/* The journal state of (kind, key): FY_JOURNAL_* and the target (borrowed) or NULL. */
enum fy_journal_state live_sink_state(const struct live_sink *s, const char *kind, const char *key,
				      const char **target);
int live_sink_put(struct live_sink *s, const char *kind, const char *key, const char *target,
		  enum fy_journal_state st, struct fy_error *err);

/*
 * Report what the sink did with a record when it differs from what its
 * capability table promised (adapter.h, "The done-ledger"): kind, id, the
 * thread of a message (or NULL), the field (NULL: the record), outcome
 * name, rule, reason.
 */
int live_sink_ledger(struct live_sink *s, const char *kind, const char *id, const char *thread,
		     const char *field, const char *outcome, const char *rule, const char *reason,
		     struct fy_error *err);

/*
 * The sink's plan (adapter.h write_plan): its counts, the journal, the
 * rate and latency the estimate assumes (options rate, default 10, and
 * latency-ms, default 300; one request at a time) and the duration.
 */
void live_sink_plan(const struct live_sink *s, struct fy_plan *out);

/*
 * A lookup that decides whether an ambiguous create took effect: 1 and
 * the target id in out when found, 0 when not, -1 on error.
 */
typedef int (*live_lookup_fn)(void *ctx, struct fy_buf *out, struct fy_error *err);

/*
 * Perform a create (r, not retried by the engine) until it succeeds:
 * a 2xx ends it; 400/401/403/404/422 fail at once; on a retryable status
 * or a transport failure (the request may or may not have taken effect)
 * the lookup runs first when given, and the create is repeated only if the
 * object is not there, after the provider's Retry-After or a backoff.
 * resp holds the final response; *found is set when the lookup found it.
 */
int live_create(struct live_client *c, struct live_req *r, struct fy_http_response *resp,
		const char *what, live_lookup_fn lookup, void *lookup_ctx, struct fy_buf *found_id,
		int *found, struct fy_error *err);

#endif
