/*
 * recq.h - a queue of records and ledger lines waiting to be pulled.
 *
 * A file adapter maps one provider object (a conversation, a project) into
 * many neutral records at once - a thread and its messages, memory records,
 * ledger lines - while the source interface hands out one item per
 * read_next() call. The queue holds the mapped text in one buffer; items
 * point into it and stay valid until the queue is refilled.
 *
 *	size_t at = fy_recq_mark(&q);
 *	... append one JSON record to q.buf ...
 *	fy_recq_push(&q, at, FY_ITEM_RECORD, FY_KIND_MESSAGE, err);
 *	...
 *	while (fy_recq_pop(&q, &it)) hand it on;
 */
#ifndef FY_RECQ_H
#define FY_RECQ_H

#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "item.h"

struct fy_recq_ent {
	size_t off, len;
	enum fy_item_type type;
	enum fy_kind kind;
	char hex[65];			/* FY_ITEM_BLOB: the SHA-256 of the bytes */
};

struct fy_recq {
	struct fy_buf buf;		/* the records' text (and blob bytes), back to back */
	struct fy_recq_ent *ents;	/* owned */
	size_t n, cap, next;
	size_t rd_off, rd_left;		/* the blob being read */
};

/* max bounds the text one batch may hold. */
void fy_recq_init(struct fy_recq *q, size_t max);
void fy_recq_release(struct fy_recq *q);
/* Drop everything (the storage is kept). */
void fy_recq_reset(struct fy_recq *q);

/* Where the next record starts. */
static inline size_t fy_recq_mark(const struct fy_recq *q)
{
	return q->buf.len;
}

/* The text from at to the end of buf is one item. */
int fy_recq_push(struct fy_recq *q, size_t at, enum fy_item_type type, enum fy_kind kind,
		 struct fy_error *err);
/*
 * The bytes from at to the end of buf are a blob (an FY_ITEM_BLOB item whose
 * read function serves them); its SHA-256 is computed here.
 */
int fy_recq_push_blob(struct fy_recq *q, size_t at, struct fy_error *err);
/* Forget a record begun at at (after a mapping error). */
void fy_recq_undo(struct fy_recq *q, size_t at);

/*
 * A ledger line (schema ledger.json, phase "export") about item kind/id:
 * what happened (outcome, rule) and why (reason). field may be NULL.
 */
int fy_recq_ledger(struct fy_recq *q, const char *adapter, const char *kind, const char *id,
		   const char *field, const char *outcome, const char *rule, const char *reason,
		   struct fy_error *err);

/* The next item (borrowed: valid until the next reset): 1, or 0 when empty. */
int fy_recq_pop(struct fy_recq *q, struct fy_item *it);

/*
 * A source's read_next(): the next queued item, calling fill(state) to map
 * more whenever the queue runs dry (fill returns 1 when it queued
 * something, 0 at the end, -1 on an error). member names where the items
 * came from (for messages). 1, 0 at the end, -1.
 */
int fy_recq_next(struct fy_recq *q, struct fy_item *it,
		 int (*fill)(void *state, struct fy_error *err), void *state, const char *member,
		 struct fy_error *err);

/* Items pushed and not yet popped. */
static inline size_t fy_recq_pending(const struct fy_recq *q)
{
	return q->n - q->next;
}

#endif
