/*
 * n8n_map.h - the pure mapping between n8n workflow JSON and ferry's
 * neutral workflow graph (formats/SPEC.md 7.5), in both directions, and
 * from n8n execution run data to threads. No I/O: adapters/n8n.c reads
 * and writes files and the REST API around these functions, and the unit
 * tests call them directly.
 *
 * n8n's shapes are described by its public API's OpenAPI document
 * (n8n-io/n8n, packages/cli/src/public-api/v1/openapi.yml; the workflow,
 * node, workflowSettings and execution schemas) and, for files, by what
 * `n8n export:workflow` writes (../shared/corpus/n8n/).
 */
#ifndef FY_N8N_MAP_H
#define FY_N8N_MAP_H

#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "json.h"
#include "record.h"
#include "wfutil.h"

/* The neutral node type of an n8n node type ("trigger", "model", ...; "other" when none fits). */
const char *n8n_node_kind(const char *n8n_type, const struct fy_jdoc *d, uint32_t params);

/*
 * The secret name that stands for an n8n credential reference: derived
 * from the credential's type and name (which survive a move to another
 * n8n instance; its id does not), e.g. N8N_CRED_openAiApi_Prod_key.
 * out holds FY_ID_MAX + 1 bytes.
 */
void n8n_secret_name(const char *type, const char *name, char *out);

struct n8n_read {
	const char *path;	/* source.path, or NULL */
	const char *url;	/* source.url, or NULL */
	const char *fallback_id; /* the provider id to use when the workflow has none */
};

/*
 * Map the workflow object wf of d (either file format: CLI export or
 * public API) into one workflow record in rec (reset first). Its id goes
 * to id_out (FY_ID_MAX + 1 bytes): staticData.ferry_id when an import by
 * ferry left one, else made from the n8n id. Ledger lines (provider-only nodes,
 * credentials to rebind, dangling connections) go to notes, whose kind
 * and id this sets.
 */
int n8n_to_record(const struct fy_jdoc *d, uint32_t wf, const struct n8n_read *o,
		  struct fy_buf *rec, char *id_out, struct wf_notes *notes, struct fy_error *err);

enum n8n_shape {
	N8N_SHAPE_FILE,		/* what `n8n import:workflow` reads: ids, times, everything */
	N8N_SHAPE_API,		/* POST /api/v1/workflows: only the writable fields */
};

struct n8n_write {
	enum n8n_shape shape;
	const char *id;		/* FILE: the workflow id to write, or NULL (n8n makes one) */
	/* The target credential id bound to a secret name, or NULL (may be NULL). */
	const char *(*bind)(void *ctx, const char *secret);
	/* 1 when a webhook id is already used at the target (may be NULL). */
	int (*webhook_taken)(void *ctx, const char *webhook_id);
	void *ctx;
	const char *seed;	/* makes replacement webhook ids stable per target */
	/*
	 * Written as staticData.ferry_id: the archive's id of the workflow,
	 * kept at the target so a rerun finds it and a re-export gives the
	 * same record id (n8n_to_record reads it back). NULL: none.
	 */
	const char *ferry_id;
};

/*
 * Map a workflow record (root 0 of rec) into an n8n workflow object in
 * out (reset first). Nodes of another provider are mapped by their
 * neutral type where n8n has an equivalent, and otherwise kept as No-Op
 * nodes whose notes hold the original; every such choice is a ledger
 * line in notes, whose kind and id the caller sets to the record's.
 */
struct n8n_write_stats {
	unsigned foreign_nodes;	/* nodes not read from n8n, mapped by their type */
	unsigned data_edges;	/* data edges, not written */
};

int n8n_from_record(const struct fy_jdoc *rec, const struct n8n_write *o, struct fy_buf *out,
		    struct n8n_write_stats *st, struct wf_notes *notes, struct fy_error *err);

/*
 * The conversation turns of one execution (GET /api/v1/executions/{id}
 * ?includeData=true, root 0 of ex) of the workflow record wfrec: the chat
 * trigger's sessionId and chatInput, the agent's tool calls and answer,
 * and the memory node's loaded chat history. Appended to turns as one
 * compact JSON object per line:
 *   {"session":..., "exec":..., "started":..., "stopped":..., "history":[...],
 *    "messages":[{"role":..., "parts":[...], "created":...}, ...]}
 * Nothing is appended for an execution that holds no chat.
 */
int n8n_execution_turns(const struct fy_jdoc *wfrec, const struct fy_jdoc *ex,
			struct fy_buf *turns, struct fy_error *err);

/*
 * Build the thread records (each followed by its messages) of workflow
 * wf_id from the turns lines of all its executions, one thread per chat
 * session, turns ordered by start time. Each record is passed to emit.
 */
int n8n_turns_to_threads(const char *wf_id, const char *wf_name, const char *turns, size_t len,
			 int (*emit)(void *ctx, const char *json, size_t len, struct fy_error *err),
			 void *ctx, struct fy_error *err);

#endif
