/*
 * vpool.c - parallel record validation with in-order hand-back. See vpool.h.
 *
 * Batches cycle through FREE -> FILLING (the caller adds) -> QUEUED ->
 * WORKING (a worker) -> DONE -> handed back -> FREE. The caller keeps the
 * submitted batches in a FIFO and only ever reads the oldest, so records
 * come back in the order they were added whatever the thread timing.
 */
#include "vpool.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "recscan.h"

#define BATCH_BYTES ((size_t)256 << 10)
#define BATCH_RECORDS 512

enum bstate { B_FREE, B_FILLING, B_QUEUED, B_WORKING, B_DONE };

struct brec {
	size_t in_off, in_len;		/* in text */
	size_t org_off;			/* in origins: the member name */
	uint64_t line;
	size_t out_off, out_len;	/* in out */
	const char *out_text;		/* or, when not NULL, here: the text as added was canonical */
	size_t notes_off, notes_len;	/* in notes: the credential scan's ledger lines */
	uint64_t found;			/* strings holding a credential */
	char *red;			/* owned, reused: the record redacted, which its facts point into */
	size_t red_cap;
	int is_ledger;
	enum fy_kind kind;
};

struct batch {
	enum bstate state;
	struct fy_buf text;		/* the records as added, each NUL-terminated */
	struct fy_buf origins;		/* NUL-terminated origin strings */
	struct fy_buf out;		/* canonical renderings */
	struct fy_buf notes;		/* the credential scan's ledger lines */
	struct brec *recs;
	struct fy_facts *facts;		/* one per record slot, reused */
	size_t n, cap;
	size_t bad;			/* index of the first invalid record, or n */
	struct fy_error err;
	size_t next;			/* hand-back position */
	const char *last_member;	/* the caller's pointer, to share origin strings */
};

struct worker {
	struct fy_vpool *p;
	pthread_t tid;
	struct fy_jdoc doc;
	struct fy_recscan scan;
};

struct fy_vpool {
	const struct fy_schemaset *schemas;
	size_t max_record;
	struct batch *b;
	size_t nb;
	size_t *fifo;			/* submitted batches, oldest first */
	size_t fifo_head, fifo_len;
	ssize_t filling;		/* the batch being filled, or -1 */
	int head_done;			/* the oldest batch is DONE: hand back without locking */
	enum fy_secret_mode secrets;	/* the credential scan (FY_SECRETS_OFF: none) */
	const char *adapter;
	struct worker *w;
	int nw;
	struct worker self;		/* for 0 workers: the caller's thread */
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	int stop;
};

/*
 * Look for credentials in record r, parsed in d: keep the ledger lines it
 * gives, and when redacting parse the rewritten record into d instead.
 */
static int scan_one(struct fy_vpool *p, struct worker *wk, struct batch *b, struct brec *r,
		    struct fy_error *err)
{
	struct fy_recscan *s = &wk->scan;
	int rc;

	s->mode = p->secrets;
	s->adapter = p->adapter;
	rc = fy_recscan_record(s, &wk->doc, err);
	if (rc <= 0)
		return rc;
	r->found = s->found;
	r->notes_off = b->notes.len;
	r->notes_len = s->notes.len;
	if (fy_buf_add(&b->notes, s->notes.ptr, s->notes.len, err) < 0)
		return -1;
	if (s->mode != FY_SECRETS_REDACT || !s->out.len)
		return 0;
	/* The facts point into the text parsed: give it the life of the record's slot. */
	if (r->red_cap < s->out.len) {
		char *n = realloc(r->red, s->out.len);

		if (!n)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		r->red = n;
		r->red_cap = s->out.len;
	}
	memcpy(r->red, s->out.ptr, s->out.len);
	if (fy_jdoc_parse(&wk->doc, r->red, s->out.len, 0, err) < 0)
		return fy_error_prefix(err, "the record with its credentials redacted");
	return 0;
}

/* The scan's ledger lines hold to the ledger schema like any other. */
static int check_notes(struct fy_vpool *p, struct fy_jdoc *d, const struct batch *b,
		       const struct brec *r, struct fy_error *err)
{
	const char *c = b->notes.ptr + r->notes_off, *end = c + r->notes_len;

	while (c < end) {
		const char *nl = memchr(c, '\n', (size_t)(end - c));

		if (fy_jdoc_parse(d, c, (size_t)(nl - c), 0, err) < 0 ||
		    fy_schema_validate(p->schemas, "ledger.json", d, 0, 0, err) < 0)
			return fy_error_prefix(err, "credential scan ledger line");
		c = nl + 1;
	}
	return 0;
}

/* Parse, scan, validate, extract and render record i of batch b. */
static int process_one(struct fy_vpool *p, struct worker *wk, struct batch *b, size_t i,
		       struct fy_error *err)
{
	struct fy_jdoc *d = &wk->doc;
	struct brec *r = &b->recs[i];
	const char *json = b->text.ptr + r->in_off;
	uint32_t kv;
	size_t klen;
	const char *ks;
	char id[FY_ID_MAX + 1] = "";

	r->notes_off = r->notes_len = 0;
	r->found = 0;
	if (fy_jdoc_parse(d, json, r->in_len, 0, err) < 0)
		return -1;
	if (r->is_ledger) {
		if (fy_schema_validate(p->schemas, "ledger.json", d, 0, 0, err) < 0)
			return fy_error_prefix(err, "ledger line");
	} else {
		uint32_t idv;

		if (p->secrets != FY_SECRETS_OFF && scan_one(p, wk, b, r, err) < 0)
			return -1;
		idv = fy_json_get(d, 0, "id");
		kv = fy_json_get(d, 0, "kind");
		if (fy_json_type(d, kv) != FY_JSTRING)
			return fy_error_set(err, FY_E_DATA, "record has no \"kind\"");
		ks = fy_json_raw(d, kv, &klen);
		r->kind = fy_kind_from_name(ks, klen);
		if (r->kind == FY_KIND_NONE)
			return fy_error_set(err, FY_E_DATA, "unknown record kind '%.*s'",
					    (int)(klen > 40 ? 40 : klen), ks);
		if (fy_json_type(d, idv) == FY_JSTRING) {
			size_t ilen;
			const char *is = fy_json_raw(d, idv, &ilen);

			if (fy_id_valid(is, ilen)) {
				memcpy(id, is, ilen);
				id[ilen] = '\0';
			}
		}
		if (fy_schema_validate_kind(p->schemas, r->kind, d, 0, 0, err) < 0)
			return fy_error_prefix(err, "%s%s%s%s", fy_kind_name(r->kind), id[0] ? " '" : "",
					       id, id[0] ? "'" : "");
		if (fy_facts_extract(&b->facts[i], r->kind, d, 0, err) < 0)
			return fy_error_prefix(err, "%s '%s'", fy_kind_name(r->kind), id);
	}
	r->out_off = b->out.len;
	r->out_text = NULL;
	if (!d->had_space && fy_json_type(d, 0) == FY_JOBJECT &&
	    (r->is_ledger || fy_kind_layout(r->kind) != FY_LAYOUT_OBJECT)) {
		/*
		 * Compact text is its own canonical form (what fy_json_emit
		 * would copy): keep it where it is, in the batch's input or the
		 * redacted record, both alive until the batch is handed back.
		 */
		r->out_text = d->text + d->nodes[0].off;
		r->out_len = d->nodes[0].end - d->nodes[0].off;
	} else if (!r->is_ledger && fy_kind_layout(r->kind) == FY_LAYOUT_OBJECT) {
		if (fy_json_emit_pretty(d, 0, &b->out, err) < 0)
			return -1;
	} else if (fy_json_emit(d, 0, &b->out, err) < 0) {
		return -1;
	}
	if (!r->out_text)
		r->out_len = b->out.len - r->out_off;
	return r->notes_len ? check_notes(p, d, b, r, err) : 0;
}

static void process_batch(struct fy_vpool *p, struct worker *wk, struct batch *b)
{
	size_t i;

	fy_buf_reset(&b->out);
	fy_buf_reset(&b->notes);
	b->bad = b->n;
	for (i = 0; i < b->n; i++)
		if (process_one(p, wk, b, i, &b->err) < 0) {
			b->bad = i;
			return;
		}
}

static void worker_init(struct worker *wk, struct fy_vpool *p)
{
	wk->p = p;
	fy_jdoc_init(&wk->doc);
	fy_recscan_init(&wk->scan, FY_SECRETS_OFF, NULL);
}

static void worker_release(struct worker *wk)
{
	fy_jdoc_release(&wk->doc);
	fy_recscan_release(&wk->scan);
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	struct fy_vpool *p = wk->p;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		size_t i, k;
		struct batch *b = NULL;

		/* The oldest queued batch first, so hand-back is not held up. */
		for (k = 0; k < p->fifo_len && !b; k++) {
			i = p->fifo[(p->fifo_head + k) % p->nb];
			if (p->b[i].state == B_QUEUED)
				b = &p->b[i];
		}
		if (!b) {
			if (p->stop)
				break;
			pthread_cond_wait(&p->work, &p->mu);
			continue;
		}
		b->state = B_WORKING;
		pthread_mutex_unlock(&p->mu);
		process_batch(p, wk, b);
		pthread_mutex_lock(&p->mu);
		b->state = B_DONE;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct fy_vpool *fy_vpool_new(int workers, const struct fy_schemaset *s, size_t max_record,
			      struct fy_error *err)
{
	struct fy_vpool *p = calloc(1, sizeof(*p));
	size_t i;

	if (!p) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	if (workers < 0)
		workers = 0;
	p->schemas = s;
	p->max_record = max_record;
	p->secrets = FY_SECRETS_OFF;
	p->filling = -1;
	p->nb = workers ? (size_t)workers * 2 + 2 : 1;
	p->b = calloc(p->nb, sizeof(*p->b));
	p->fifo = calloc(p->nb, sizeof(*p->fifo));
	worker_init(&p->self, p);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	if (!p->b || !p->fifo)
		goto nomem;
	for (i = 0; i < p->nb; i++) {
		fy_buf_init(&p->b[i].text, BATCH_BYTES + max_record + BATCH_RECORDS * 2);
		fy_buf_init(&p->b[i].origins, (size_t)BATCH_RECORDS * 1024);
		fy_buf_init(&p->b[i].out, (BATCH_BYTES + max_record) * 4);
		fy_buf_init(&p->b[i].notes, (size_t)64 << 20);
	}
	if (workers) {
		p->w = calloc((size_t)workers, sizeof(*p->w));
		if (!p->w)
			goto nomem;
		for (i = 0; i < (size_t)workers; i++) {
			worker_init(&p->w[i], p);
			if (pthread_create(&p->w[i].tid, NULL, worker_main, &p->w[i]) != 0) {
				fy_vpool_free(p);
				fy_error_set(err, FY_E_INTERNAL, "cannot start a validation thread");
				return NULL;
			}
			p->nw++;
		}
	}
	return p;
nomem:
	fy_vpool_free(p);
	fy_error_set(err, FY_E_NOMEM, "out of memory");
	return NULL;
}

void fy_vpool_free(struct fy_vpool *p)
{
	size_t i, k;

	if (!p)
		return;
	if (p->nw) {
		pthread_mutex_lock(&p->mu);
		p->stop = 1;
		pthread_cond_broadcast(&p->work);
		pthread_mutex_unlock(&p->mu);
		for (i = 0; i < (size_t)p->nw; i++)
			pthread_join(p->w[i].tid, NULL);
	}
	for (i = 0; p->w && i < (size_t)p->nw; i++)
		worker_release(&p->w[i]);
	free(p->w);
	for (i = 0; p->b && i < p->nb; i++) {
		fy_buf_release(&p->b[i].text);
		fy_buf_release(&p->b[i].origins);
		fy_buf_release(&p->b[i].out);
		fy_buf_release(&p->b[i].notes);
		for (k = 0; k < p->b[i].cap; k++) {
			fy_facts_release(&p->b[i].facts[k]);
			free(p->b[i].recs[k].red);
		}
		free(p->b[i].facts);
		free(p->b[i].recs);
	}
	free(p->b);
	free(p->fifo);
	worker_release(&p->self);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	free(p);
}

void fy_vpool_secrets(struct fy_vpool *p, enum fy_secret_mode mode, const char *adapter)
{
	p->secrets = mode;
	p->adapter = adapter;
}

void fy_vpool_submit(struct fy_vpool *p)
{
	struct batch *b;

	if (p->filling < 0)
		return;
	b = &p->b[p->filling];
	pthread_mutex_lock(&p->mu);
	p->fifo[(p->fifo_head + p->fifo_len) % p->nb] = (size_t)p->filling;
	p->fifo_len++;
	p->filling = -1;
	if (p->nw) {
		b->state = B_QUEUED;
		pthread_cond_signal(&p->work);
		pthread_mutex_unlock(&p->mu);
		return;
	}
	pthread_mutex_unlock(&p->mu);
	process_batch(p, &p->self, b);
	b->state = B_DONE;
}

/* A batch to fill: the current one, or a free one; NULL when all are busy. */
static struct batch *filling_batch(struct fy_vpool *p)
{
	size_t i;

	if (p->filling >= 0)
		return &p->b[p->filling];
	pthread_mutex_lock(&p->mu);
	for (i = 0; i < p->nb; i++)
		if (p->b[i].state == B_FREE)
			break;
	if (i < p->nb)
		p->b[i].state = B_FILLING;
	pthread_mutex_unlock(&p->mu);
	if (i == p->nb)
		return NULL;
	p->filling = (ssize_t)i;
	p->b[i].n = 0;
	p->b[i].next = 0;
	p->b[i].last_member = NULL;
	fy_buf_reset(&p->b[i].text);
	fy_buf_reset(&p->b[i].origins);
	return &p->b[i];
}

int fy_vpool_add(struct fy_vpool *p, int is_ledger, const char *json, size_t len,
		 const char *member, uint64_t line, struct fy_error *err)
{
	struct batch *b = filling_batch(p);
	struct brec *r;

	if (!b)
		return 1;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64, k;
		struct brec *nr = realloc(b->recs, cap * sizeof(*nr));
		struct fy_facts *nf;

		if (!nr)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		b->recs = nr;
		for (k = b->cap; k < cap; k++) {
			nr[k].red = NULL;
			nr[k].red_cap = 0;
		}
		nf = realloc(b->facts, cap * sizeof(*nf));
		if (!nf)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		for (k = b->cap; k < cap; k++)
			fy_facts_init(&nf[k]);
		b->facts = nf;
		b->cap = cap;
	}
	r = &b->recs[b->n];
	r->is_ledger = is_ledger;
	r->kind = FY_KIND_NONE;
	r->in_off = b->text.len;
	r->in_len = len;
	r->line = line;
	/* Consecutive records mostly share a member name: store it once. */
	if (b->n && b->last_member == member && member) {
		r->org_off = b->recs[b->n - 1].org_off;
	} else {
		r->org_off = b->origins.len;
		if (fy_buf_adds(&b->origins, member ? member : "", err) < 0 ||
		    fy_buf_addc(&b->origins, '\0', err) < 0)
			return -1;
		b->last_member = member;
	}
	if (fy_buf_add(&b->text, json, len, err) < 0 || fy_buf_addc(&b->text, '\0', err) < 0)
		return -1;
	b->n++;
	/* With no workers, one record a batch: errors surface at once. */
	if (!p->nw || b->text.len >= BATCH_BYTES || b->n >= BATCH_RECORDS)
		fy_vpool_submit(p);
	return 0;
}

int fy_vpool_next(struct fy_vpool *p, enum fy_vpool_wait wait, struct fy_vrec *out)
{
	for (;;) {
		struct batch *b;
		struct brec *r;
		size_t i;

		/* Lock only to move to the next batch, not for every record. */
		if (!p->head_done) {
			pthread_mutex_lock(&p->mu);
			if (p->fifo_len == 0) {
				pthread_mutex_unlock(&p->mu);
				return 0;
			}
			b = &p->b[p->fifo[p->fifo_head]];
			while (b->state != B_DONE) {
				if (wait == FY_VPOOL_READY) {
					pthread_mutex_unlock(&p->mu);
					return 0;
				}
				pthread_cond_wait(&p->done, &p->mu);
			}
			pthread_mutex_unlock(&p->mu);
			p->head_done = 1;
		}
		b = &p->b[p->fifo[p->fifo_head]];
		if (b->next < b->n && b->next <= b->bad) {
			i = b->next++;
			r = &b->recs[i];
			memset(out, 0, sizeof(*out));
			out->is_ledger = r->is_ledger;
			out->kind = r->kind;
			out->member = b->origins.ptr + r->org_off;
			out->line = r->line;
			if (i == b->bad) {
				out->failed = 1;
				out->err = b->err;
				b->next = b->n;	/* nothing after an invalid record */
			} else {
				out->facts = &b->facts[i];
				out->text = r->out_text ? r->out_text : b->out.ptr + r->out_off;
				out->len = r->out_len;
				out->notes = r->notes_len ? b->notes.ptr + r->notes_off : NULL;
				out->notes_len = r->notes_len;
				out->found = r->found;
			}
			return 1;
		}
		/* The batch is used up: recycle it. */
		p->head_done = 0;
		pthread_mutex_lock(&p->mu);
		b->state = B_FREE;
		p->fifo_head = (p->fifo_head + 1) % p->nb;
		p->fifo_len--;
		pthread_mutex_unlock(&p->mu);
	}
}
