/*
 * recq.c - the queue of mapped records. See recq.h.
 */
#include "recq.h"

#include <stdlib.h>
#include <string.h>

#include "jw.h"
#include "sha256.h"

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

int fy_recq_push_blob(struct fy_recq *q, size_t at, struct fy_error *err)
{
	unsigned char sha[FY_SHA256_LEN];

	if (fy_recq_push(q, at, FY_ITEM_BLOB, FY_KIND_NONE, err) < 0)
		return -1;
	fy_sha256(q->buf.ptr ? q->buf.ptr + at : "", q->buf.len - at, sha);
	fy_hex(sha, FY_SHA256_LEN, q->ents[q->n - 1].hex);
	return 0;
}

static int blob_read(void *ctx, void *buf, size_t n, size_t *got, struct fy_error *err)
{
	struct fy_recq *q = ctx;
	size_t k = q->rd_left < n ? q->rd_left : n;

	(void)err;
	if (k)
		memcpy(buf, q->buf.ptr + q->rd_off, k);
	q->rd_off += k;
	q->rd_left -= k;
	*got = k;
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
	if (e->type == FY_ITEM_BLOB) {
		it->name = e->hex;
		it->size = e->len;
		it->read = blob_read;
		it->ctx = q;
		q->rd_off = e->off;
		q->rd_left = e->len;
		return 1;
	}
	it->json = q->buf.ptr + e->off;
	it->len = e->len;
	return 1;
}

int fy_recq_next(struct fy_recq *q, struct fy_item *it,
		 int (*fill)(void *state, struct fy_error *err), void *state, const char *member,
		 struct fy_error *err)
{
	for (;;) {
		int rc;

		if (fy_recq_pop(q, it)) {
			it->member = member;
			return 1;
		}
		fy_recq_reset(q);
		rc = fill(state, err);
		if (rc <= 0)
			return rc;
	}
}

int fy_recq_ledger(struct fy_recq *q, const char *adapter, const char *kind, const char *id,
		   const char *field, const char *outcome, const char *rule, const char *reason,
		   struct fy_error *err)
{
	size_t at = fy_recq_mark(q);
	struct jw w;

	jw_open(&w, &q->buf, err);
	jw_obj(&w, NULL);
	jw_obj(&w, "item");
	jw_lit(&w, "kind", kind);
	jw_str(&w, "id", id, strlen(id));
	if (field)
		jw_lit(&w, "field", field);
	jw_end(&w, '}');
	jw_lit(&w, "outcome", outcome);
	jw_lit(&w, "rule", rule);
	jw_str(&w, "reason", reason, strlen(reason));
	jw_lit(&w, "adapter", adapter);
	jw_lit(&w, "phase", "export");
	jw_end(&w, '}');
	if (jw_done(&w) < 0) {
		fy_recq_undo(q, at);
		return -1;
	}
	return fy_recq_push(q, at, FY_ITEM_LEDGER, FY_KIND_NONE, err);
}
