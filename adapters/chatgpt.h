/*
 * chatgpt.h - the pure mapping of the chatgpt adapter: one conversation of
 * a ChatGPT account export (an element of conversations.json) into neutral
 * records. No I/O: the adapter (chatgpt.c) reads the export and hands each
 * conversation here; tests and fuzz targets call it directly.
 *
 *	struct fy_chatgpt_map m;
 *	struct fy_recq q;
 *	fy_chatgpt_map_init(&m);
 *	fy_recq_init(&q, 1 << 30);
 *	m.path = "conversations.json";
 *	m.index = 1;
 *	if (fy_chatgpt_map_conversation(&m, text, len, &q, err) < 0) ...
 *	while (fy_recq_pop(&q, &it)) ... one thread, its messages (parents
 *	first), memory records, ledger lines ...
 *	fy_chatgpt_map_release(&m);
 *
 * The mapping itself (which field becomes what) is described at the top of
 * chatgpt.c.
 */
#ifndef FY_CHATGPT_H
#define FY_CHATGPT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "idset.h"
#include "json.h"
#include "recq.h"
#include "record.h"
#include "tree.h"

/* A file of the export that an asset pointer or attachment id resolved to. */
struct fy_chatgpt_asset {
	char hex[65];			/* SHA-256 of the bytes: the blob */
	uint64_t size;
	char file[FY_ID_MAX + 1];	/* the file record's id */
	const char *media_type;		/* borrowed */
};

/*
 * Resolve a file id ("file-AbC", "file_00ab...", the part of an asset
 * pointer after "://") to a file of the export: 1 and *out filled, 0 when
 * the export does not hold it.
 */
typedef int (*fy_chatgpt_resolve_fn)(void *cb, const char *id, size_t n,
				     struct fy_chatgpt_asset *out);

struct fy_chatgpt_node;
struct fy_chatgpt_part;

struct fy_chatgpt_map {
	/* Set by the caller before each conversation. */
	const char *path;		/* the file the conversation came from */
	uint64_t index;			/* its 1-based position there */
	fy_chatgpt_resolve_fn resolve;	/* NULL: no files to resolve against */
	void *cb;
	/* Counters across calls (for the adapter's summary). */
	uint64_t conversations, messages, memories;
	/* Private. */
	struct fy_jdoc doc;
	struct fy_idset memory_ids;	/* memory records already emitted (deduplicated) */
	struct fy_chatgpt_node *nodes;
	uint32_t nnodes, capnodes;
	struct fy_keymap keys;		/* mapping keys -> node index */
	struct fy_tree tree;		/* parent links, order */
	struct fy_buf arena;		/* ferry ids */
	struct fy_buf parts;		/* one message's parts */
	struct fy_buf cites;		/* one message's citations */
	struct fy_buf scratch;
	struct fy_chatgpt_part *pv;
	size_t npv, cappv;
	uint64_t seen[64];		/* file ids referenced by the current message */
	unsigned nseen;
};

void fy_chatgpt_map_init(struct fy_chatgpt_map *m);
void fy_chatgpt_map_release(struct fy_chatgpt_map *m);

/*
 * Map one conversation, the JSON text json[0..len), appending to out: the
 * thread record, one message record per node of `mapping` that has a
 * message (parents before children), memory records for custom
 * instructions and memories not emitted before, and ledger lines.
 * FY_E_DATA for malformed input, with a one-line message naming the file
 * (m->path), the conversation and the node. On error out may hold part of
 * the conversation; the caller discards it.
 */
int fy_chatgpt_map_conversation(struct fy_chatgpt_map *m, const char *json, size_t len,
				struct fy_recq *out, struct fy_error *err);

/* The same for a conversation already parsed into m->doc (root 0). */
int fy_chatgpt_map_doc(struct fy_chatgpt_map *m, struct fy_recq *out, struct fy_error *err);

#endif
