/*
 * recq.c - the queue of mapped records. See recq.h.
 */
#include "recq.h"

#include <stdlib.h>
#include <string.h>

void fy_recq_init(struct fy_recq *q, size_t max)
{
	memset(q, 0, sizeof(*q));
	fy_buf_init(&q->buf, max);
}

void fy_recq_release(struct fy_recq *q)
{
	if (!q)
		return;
	fy_buf_release(&q->buf);
	free(q->ents);
	q->ents = NULL;
	q->n = q->cap = q->next = 0;
}

void fy_recq_reset(struct fy_recq *q)
{
	fy_buf_reset(&q->buf);
	q->n = q->next = 0;
}

int fy_recq_push(struct fy_recq *q, size_t at, enum fy_item_type type, enum fy_kind kind,
		 struct fy_error *err)
{
	struct fy_recq_ent *e;

	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 256;
		struct fy_recq_ent *p = realloc(q->ents, cap * sizeof(*p));

		if (!p)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		q->ents = p;
		q->cap = cap;
	}
	e = &q->ents[q->n++];
	e->off = at;
	e->len = q->buf.len - at;
	e->type = type;
	e->kind = kind;
	return 0;
}

void fy_recq_undo(struct fy_recq *q, size_t at)
{
	if (at <= q->buf.len) {
		q->buf.len = at;
		if (q->buf.ptr)
			q->buf.ptr[at] = '\0';
	}
}

int fy_recq_pop(struct fy_recq *q, struct fy_item *it)
{
	const struct fy_recq_ent *e;

	if (q->next == q->n)
		return 0;
	e = &q->ents[q->next++];
	memset(it, 0, sizeof(*it));
	it->type = e->type;
	it->kind = e->kind;
	it->json = q->buf.ptr + e->off;
	it->len = e->len;
	return 1;
}
