/*
 * conversations.h - the OpenAI-shaped Conversations and Responses APIs,
 * export and import, for the openai adapter (api.openai.com/v1) and the
 * azure adapter (a Foundry project endpoint, under /openai), and the
 * import sink both build on.
 *
 * Export fetches a window of conversations side by side (live units), each
 * with all its items - cursor-paginated in ascending order with every
 * include[] value, so nothing the API can return is left out - and queues
 * the thread record, then its messages, in the order the ids were given.
 *
 * Import keeps everything that depends on something else (threads and
 * their messages, files' bytes) in a spool beside the journal and writes
 * at the end, in dependency order: files, knowledge, agents, memory,
 * threads. A conversation is created, then its items are added 20 at a
 * time in order; on a resumed or ambiguous run the target's item count
 * says which batches landed, so no item is ever added twice.
 */
#ifndef FY_CONVERSATIONS_H
#define FY_CONVERSATIONS_H

#include "idset.h"
#include "live.h"
#include "openai_map.h"

/* The include[] values a lossless item listing needs (openapi.json IncludeEnum). */
extern const char *const oai_includes[];

struct oai_api {
	struct live_client *client;
	const char *adapter;		/* "openai" or "azure" */
	const char *prefix;		/* "" (openai) or "/openai" (azure) */
	int page_size;			/* items per page, 1-100 */
	size_t window;			/* conversations fetched side by side */
	struct oai_map map;
};

/* Export conversations, responses and ChatKit threads by id into q. */
int oai_export_conversations(struct oai_api *a, char *const *ids, size_t n, struct live_queue *q,
			     struct fy_error *err);
int oai_export_responses(struct oai_api *a, char *const *ids, size_t n, struct live_queue *q,
			 struct fy_error *err);
int oai_export_chatkit(struct oai_api *a, char *const *ids, size_t n, struct live_queue *q,
		       struct fy_error *err);

/*
 * Every id of a cursor-paginated listing at path (ascending), e.g.
 * "/conversations" at Azure or "/chatkit/threads". header: an extra header
 * line or NULL. Returns 0 with *ids (new, each new) and *n, or -1; a 404
 * gives 0 ids when missing_ok.
 */
int oai_list_ids(struct oai_api *a, const char *path, const char *header, const char *idkey,
		 int missing_ok, char ***ids, size_t *n, struct fy_error *err);
/*
 * Whether an export that asked for kinds (a bit per enum fy_kind, 0 = all)
 * wants kind k: threads come with messages, and (agents_hold_tools) agents
 * with tools.
 */
int oai_kind_wanted(unsigned kinds, enum fy_kind k, int agents_hold_tools);
/*
 * A source's blob callback (oai_map.blob): p[0..n) under its SHA-256 (hex)
 * queued on q the first time blobs sees it; 1 queued, 0 seen before.
 */
int oai_queue_blob(struct live_queue *q, struct fy_idset *blobs, const void *p, size_t n, char hex[65],
		   struct fy_error *err);
/* Add id to the list *v of *n ids unless it is there already. */
int oai_add_id(char ***v, size_t *n, const char *id, struct fy_error *err);
void oai_free_ids(char **ids, size_t n);

/*
 * The capability lines a conversation import has at OpenAI and Azure alike
 * (adapter.h): what a thread's fields become in the conversation's
 * metadata, and what conversation items cannot hold.
 */
#define OAI_THREAD_CAPS \
	{ FY_KIND_THREAD, "$off-branch", FY_CAP_NONE, FY_CAP_DEGRADED, \
	  "a conversation is one line of items: the active branch is kept, messages on other " \
	  "branches are not sent", "active-branch-only" }, \
	{ FY_KIND_THREAD, "title", FY_CAP_NATIVE, FY_CAP_TRANSFORMED, \
	  "conversations have no title: it is metadata.title", "title-in-metadata" }, \
	{ FY_KIND_THREAD, "created", FY_CAP_NATIVE, FY_CAP_TRANSFORMED, \
	  "the conversation's created_at is the import's: the original time is metadata.ferry_created", \
	  "time-in-metadata" }, \
	{ FY_KIND_THREAD, "agent", FY_CAP_NATIVE, FY_CAP_TRANSFORMED, \
	  "conversations name no agent: the agent id is metadata.ferry_agent", "agent-in-metadata" }, \
	{ FY_KIND_THREAD, "updated", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "conversations keep no update time", \
	  "conversation-has-no-update-time" }, \
	{ FY_KIND_THREAD, "participants", FY_CAP_NONE, FY_CAP_UNSUPPORTED, \
	  "conversations have no participants", "conversation-has-no-participants" }, \
	{ FY_KIND_THREAD, "archived", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "conversations are not archived", \
	  "conversation-not-archived" }

/*
 * The citations a message built from its parts (one without
 * ext.ADAPTER.item, which goes back as it was) cannot keep: an
 * assistant's text keeps a citation as an annotation when it has a URL or
 * a file at the target, LOST says when it has neither ("!url" at a target
 * without uploads, "!url&!file" at one where the citation's file was
 * uploaded); other roles' text takes no annotations. One line a message,
 * as the sink (openai_map.c) leaves them out.
 */
#define OAI_CITATION_CAPS(adapter, lost) \
	{ FY_KIND_MESSAGE, "parts[type=text&citations[" lost "]]&role=assistant&!ext." adapter ".item", \
	  FY_CAP_NATIVE, FY_CAP_DEGRADED, \
	  "a citation with neither a URL nor a file at the target cannot be an annotation: it is left out", \
	  "citation-not-kept" }, \
	{ FY_KIND_MESSAGE, "parts[type=text&citations]&role!=assistant&!ext." adapter ".item", FY_CAP_NATIVE, \
	  FY_CAP_DEGRADED, "input text takes no annotations: the citations of a non-assistant message are left out", \
	  "citation-not-kept" }

#define OAI_ITEM_CAPS \
	{ FY_KIND_MESSAGE, "created", FY_CAP_NATIVE, FY_CAP_UNSUPPORTED, \
	  "conversation items carry no time of their own", "item-has-no-time" }, \
	{ FY_KIND_MESSAGE, "updated", FY_CAP_NONE, FY_CAP_UNSUPPORTED, \
	  "conversation items carry no time of their own", "item-has-no-time" }, \
	{ FY_KIND_MESSAGE, "model", FY_CAP_NATIVE, FY_CAP_UNSUPPORTED, "conversation items name no model", \
	  "item-has-no-model" }, \
	{ FY_KIND_MESSAGE, "author", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "items have a role, not an author", \
	  "item-has-no-author" }, \
	{ FY_KIND_MESSAGE, "metadata", FY_CAP_NATIVE, FY_CAP_UNSUPPORTED, "conversation items have no metadata", \
	  "item-has-no-metadata" }, \
	{ FY_KIND_MESSAGE, "in_context", FY_CAP_NONE, FY_CAP_UNSUPPORTED, \
	  "conversation items have no in-context flag", "item-has-no-context-flag" }

/* --- import ------------------------------------------------------------------- */

struct oai_sink;

/* What an adapter adds to the common sink. Any hook may be NULL (the kind is dropped, with a ledger line). */
struct oai_sink_ops {
	int (*files)(struct oai_sink *s, struct fy_error *err);
	int (*knowledge)(struct oai_sink *s, struct fy_error *err);
	int (*agents)(struct oai_sink *s, struct fy_error *err);
	int (*memory)(struct oai_sink *s, struct fy_error *err);
	/*
	 * Optional: the done-ledger lines of a held record (files, knowledge,
	 * agents) that depend on its contents, not on the run: called once
	 * for every record handed over, after the table's lines.
	 */
	int (*check)(struct oai_sink *s, enum fy_kind k, const struct fy_jdoc *d, const char *id,
		     struct fy_error *err);
	/* Look a conversation up by its provenance key (metadata ferry_src): 1 found, 0 not. */
	int (*find_conversation)(struct oai_sink *s, const char *key, struct fy_buf *id,
				 struct fy_error *err);
};

/* A record kept for the end, with its parsed form. */
struct oai_rec {
	char *json;
	size_t len;
	char *id;
};

struct oai_sink {
	struct live_sink live;
	struct live_client client;	/* unopened in a dry run */
	int has_client;
	struct oai_api api;
	const struct oai_sink_ops *ops;
	const struct fy_capability *caps;	/* the target's table: its lines are reported per record */
	size_t ncaps;
	const char *cur_thread;		/* the thread whose messages are being built */
	int same_account;
	int dry;
	/* held back until the end */
	struct oai_rec *recs[FY_KIND__COUNT];
	size_t nrecs[FY_KIND__COUNT], caprecs[FY_KIND__COUNT];
	int threads_fd;			/* spooled threads and messages, JSON Lines */
	uint64_t threads_bytes;
	/* blobs: hex -> size (and a spool file in a real run) */
	char (*blob_hex)[65];
	uint64_t *blob_size;
	size_t nblobs, capblobs;
	/* target file ids, from the journal, for mapping references */
	struct fy_buf scratch;
};

/* Open the common sink: live_sink, spool, and (not in a dry run) the client set up by the caller. */
int oai_sink_open(struct oai_sink *s, const struct fy_adapter_ctx *ctx, const char *adapter,
		  const char *account, const struct fy_header *hdr, const struct oai_sink_ops *ops,
		  struct fy_error *err);
/* What an OpenAI-shaped adapter gives oai_sink_create. */
struct oai_sink_spec {
	const char *adapter;
	const char *prefix;		/* the API's path prefix: "" or "/openai" */
	int (*client)(struct live_client *c, const struct fy_adapter_ctx *ctx, struct fy_error *err);
	const struct fy_capability *caps;
	size_t ncaps;
	const struct oai_sink_ops *ops;
};
/*
 * The adapters' write_open: a calloc'd sink with its client (closed again
 * in a dry run, which needs no network but whose account names the
 * journal), opened with oai_sink_open; *state is freed by oai_sink_free.
 */
int oai_sink_create(const struct fy_adapter_ctx *ctx, const struct fy_header *hdr,
		    const struct oai_sink_spec *spec, void **state, struct fy_error *err);
int oai_sink_put(struct oai_sink *s, const struct fy_item *it, struct fy_error *err);
/* Write everything held (or, in a dry run, count it). */
int oai_sink_finish(struct oai_sink *s, struct fy_error *err);
/* In a dry run (adapter.h write_plan): go through everything held without a request, then the plan. */
int oai_sink_plan(struct oai_sink *s, struct fy_plan *plan, struct fy_error *err);

/* The sink's struct fy_adapter members (state: a calloc'd struct oai_sink). */
int oai_sink_write_put(void *state, const struct fy_item *it, struct fy_error *err);
int oai_sink_write_finish(void *state, struct fy_error *err);
int oai_sink_write_plan(void *state, struct fy_plan *plan, struct fy_error *err);
/* Close and free (NULL is fine). */
void oai_sink_free(void *state);
void oai_sink_close(struct oai_sink *s);

/* The spool path of a blob (real runs), into out[4300]; 0 or -1 when the archive has no such blob. */
int oai_sink_blob(const struct oai_sink *s, const char *hex, char *out, size_t cap, uint64_t *size);
/* The target id of a file record (source ferry id or provider id), from the journal, or NULL. */
const char *oai_sink_file_target(struct oai_sink *s, const char *id);
/*
 * Upload the spooled blob hex as a file named name (journal kind/key),
 * unless the journal has it already; *target (borrowed from the journal)
 * receives the file id. A run killed between the upload and the journal
 * line looks the file up (same name and size) before uploading again.
 */
int oai_sink_upload(struct oai_sink *s, const char *jkind, const char *key, const char *hex,
		    const char *name, const char *purpose, const char *media_type, const char **target,
		    struct fy_error *err);
/*
 * Map metadata for the target: keep what fits 16 keys x 512 chars, add
 * ferry_src and the extras (NULL-terminated name, value pairs). With
 * report set, what does not fit goes to the done-ledger (w may be NULL
 * then: nothing is written); the creating calls pass report 0, since the
 * lines were reported when the record was handed over (oai_sink_put).
 */
int oai_sink_metadata(struct oai_sink *s, struct lw *w, const struct fy_jdoc *d, uint32_t md,
		      const char *kind, const char *id, const char *key, const char *const *extra,
		      int report, struct fy_error *err);

/*
 * The provenance a record's metadata gets besides ferry_src: title
 * (threads, when its metadata has none), ferry_id (the source id),
 * ferry_created, ferry_agent (threads). Fills extra (at least 11 slots,
 * NULL-terminated pairs) with strings owned by x.
 */
struct oai_extras {
	char *title, *srcid, *agent;
	char created[40];
};
void oai_record_extras(const struct fy_jdoc *d, const char *id, struct oai_extras *x, const char **extra);
void oai_extras_release(struct oai_extras *x);

#endif
