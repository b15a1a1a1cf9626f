/*
 * openai_map.h - the pure mapping between OpenAI objects and neutral
 * records, shared by the openai and azure adapters (Azure AI Foundry
 * serves the same Conversations, Responses and Assistants shapes). No
 * I/O: tests and fuzzers call these directly. Field-level sources are in
 * openai_map.c.
 *
 * Export: every Conversations/Responses item becomes one message record
 * (the item's original JSON kept under ext.<adapter>.item, so an import
 * into the same provider is lossless); conversations, responses, ChatKit
 * threads and classic threads become thread records; files, vector
 * stores, assistants and their tools become file, knowledge, agent and
 * tool records.
 *
 * Import: a message record becomes the input item the provider takes
 * back (its original when it has one, else one built from its parts).
 */
#ifndef FY_OPENAI_MAP_H
#define FY_OPENAI_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "json.h"
#include "record.h"

/* What the mapping may ask of its caller. Every hook may be NULL. */
struct oai_map {
	const char *adapter;		/* "openai" or "azure": source.adapter and the ext key */
	/* Bytes found inline (data: URLs, base64 results) become a blob; hex filled. */
	int (*blob)(void *cb, const void *p, size_t n, char hex[65], struct fy_error *err);
	/* 1 when the provider's file id is (or will be) a file record of the archive. */
	int (*has_file)(void *cb, const char *file_id);
	/* A ledger line (JSON) about something that did not cross unchanged. */
	int (*ledger)(void *cb, const char *json, size_t len, struct fy_error *err);
	void *cb;
	const char *model;		/* model to set on assistant messages (responses), or NULL */
	int64_t created;		/* created time to set on messages (0: none) */
};

/*
 * One Conversations/Responses item (node item of d) as a message record
 * of thread_id after parent_id (NULL: a root), appended to out as one
 * line without the newline. id_out (FY_ID_MAX + 1) receives its id.
 */
int oai_item_message(const struct oai_map *m, const struct fy_jdoc *d, uint32_t item,
		     const char *thread_id, const char *parent_id, char *id_out, struct fy_buf *out,
		     struct fy_error *err);

/*
 * The thread record of a conversation (node conv: id, created_at,
 * metadata), a stored response, or a ChatKit thread; last is the id of
 * its last message (the active leaf), or NULL.
 */
int oai_conversation_thread(const struct oai_map *m, const struct fy_jdoc *d, uint32_t conv,
			    const char *last, struct fy_buf *out, struct fy_error *err);
int oai_response_thread(const struct oai_map *m, const struct fy_jdoc *d, uint32_t resp,
			const char *last, struct fy_buf *out, struct fy_error *err);
int oai_chatkit_thread(const struct oai_map *m, const struct fy_jdoc *d, uint32_t thread,
		       const char *last, struct fy_buf *out, struct fy_error *err);
/* One ChatKit thread item as a message record. */
int oai_chatkit_message(const struct oai_map *m, const struct fy_jdoc *d, uint32_t item,
			const char *thread_id, const char *parent_id, char *id_out,
			struct fy_buf *out, struct fy_error *err);

/* A file object (blob: hex of its bytes, or NULL when they were not exported). */
int oai_file_record(const struct oai_map *m, const struct fy_jdoc *d, uint32_t file,
		    const char *blob, struct fy_buf *out, struct fy_error *err);
/*
 * A vector store (node vs) with its files (vector_store.file objects,
 * node files: an array, in fd - may be another document) as a knowledge
 * record.
 */
int oai_vector_store_record(const struct oai_map *m, const struct fy_jdoc *d, uint32_t vs,
			    const struct fy_jdoc *fd, uint32_t files, struct fy_buf *out,
			    struct fy_error *err);

/*
 * An assistant (Assistants API, or an Azure classic agent) as its tool
 * records followed by its agent record, one per line (each ending in
 * '\n'). has_store(cb, vector_store_id) says whether a knowledge record
 * exists for a tool_resources vector store.
 */
int oai_assistant_records(const struct oai_map *m, const struct fy_jdoc *d, uint32_t asst,
			  int (*has_store)(void *cb, const char *id), struct fy_buf *out,
			  struct fy_error *err);

/* A classic thread object as a thread record (agent: the assistant of its first run, or NULL). */
int oai_classic_thread(const struct oai_map *m, const struct fy_jdoc *d, uint32_t thread,
		       const char *agent, const char *last, struct fy_buf *out, struct fy_error *err);
/* A thread.message as a message record. */
int oai_classic_message(const struct oai_map *m, const struct fy_jdoc *d, uint32_t msg,
			const char *thread_id, const char *parent_id, char *id_out,
			struct fy_buf *out, struct fy_error *err);
/*
 * A run step of type tool_calls as two message records, one per line
 * (each ending in '\n'): the assistant's calls, then the tool results
 * (the run step is the only place the Assistants API kept them). last_out
 * receives the id of the last record written. Other steps write nothing.
 */
int oai_run_step_messages(const struct oai_map *m, const struct fy_jdoc *d, uint32_t step,
			  const char *thread_id, const char *parent_id, char *last_out,
			  struct fy_buf *out, struct fy_error *err);

/* --- a set of Assistants-era objects ------------------------------------------- */

/*
 * Objects read from an Assistants dump or from Azure's classic surface:
 * assistants, threads, messages, runs, run steps, files, vector stores
 * and vector store files, recognised by their "object" field. List pages
 * ({"object": "list", "data": [...]}) and arrays are unpacked; a repeated
 * (object, id) is kept once.
 */
struct oai_obj {
	char *type, *id, *thread, *run, *store;
	int64_t created;
	char *json;
	size_t len;
};

struct oai_objset {
	struct oai_obj *v;
	size_t n, cap;
	uint64_t ignored;		/* values that are not Assistants-era objects */
};

void oai_objset_init(struct oai_objset *s);
void oai_objset_release(struct oai_objset *s);
/* Add every object found in one JSON value. */
int oai_objset_add(struct oai_objset *s, const char *json, size_t len, struct fy_error *err);
/*
 * The records of the set, in order: files, knowledge (vector stores),
 * tools and agents (assistants), then each thread (by creation time) with
 * its messages and its runs' tool calls (from run steps) in time order.
 * Each record is handed to emit as one JSON text.
 */
int oai_objset_records(const struct oai_map *m, struct oai_objset *s,
		       int (*emit)(void *cb, const char *json, size_t len, struct fy_error *err),
		       void *cb, struct fy_error *err);

/* --- import ------------------------------------------------------------------ */

/* How the importer wants an input item shaped. */
struct oai_unmap {
	const char *adapter;		/* whose ext.<adapter>.item to prefer */
	int same_account;		/* encrypted reasoning can only go back to its account */
	int no_files;			/* the target takes no uploads: no file id is mapped; image and
					   file parts without a URL become notes, citations without one
					   and parts naming a file are left out, without ledger lines
					   (the target's table has them) */
	/* Map a source file id (provider or ferry id) to the target's; NULL when unknown. */
	const char *(*file_id)(void *cb, const char *id);
	/* Upload a blob and return the target file id, or NULL (err set on failure, or not). */
	const char *(*blob_file)(void *cb, const char *hex, const char *name, const char *media_type,
				 struct fy_error *err);
	/* Ledger line (kind "message", id, field, outcome, rule, reason). */
	int (*ledger)(void *cb, const char *id, const char *field, const char *outcome,
		      const char *rule, const char *reason, struct fy_error *err);
	void *cb;
};

/*
 * The input items of one message record (root of d), appended to out as
 * compact JSON objects separated by '\n' (none after the last); *count
 * receives how many (0 when nothing of it crosses: encrypted reasoning
 * into another organisation, reasoning without text).
 */
int oai_message_items(const struct oai_unmap *u, const struct fy_jdoc *d, struct fy_buf *out,
		      size_t *count, struct fy_error *err);

#endif
