/*
 * diff.c - compare two archives. See diff.h for what is reported and how
 * memory stays bounded. The passes:
 *
 *   1. B: objects kept as compact text; every stream record becomes a
 *      fingerprint -> text-hash entry.
 *   2. A: each object is compared with B's (removed / changed); each stream
 *      record is looked up: absent -> removed (messages: noted on their
 *      thread), different -> its old text goes to the old-version spool
 *      (messages: noted), and B's entry is marked seen.
 *   3. B again: entries never seen are added; changed records are diffed
 *      against their spooled old text; each thread is reported once at its
 *      end. Then B's objects never seen are added.
 * Changes go to a spool as they are found and are handed out grouped by
 * kind at the end.
 */
#include "diff.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idset.h"
#include "json.h"
#include "reader.h"
#include "sha256.h"

#define DIFF_CELLS_MAX ((size_t)2 << 20)

/* --- unified text diff ---------------------------------------------- */

struct line {
	const char *p;
	size_t n;
};

static int split_lines(const char *s, size_t n, struct line **out, size_t *count,
		       struct fy_error *err)
{
	size_t i, k = 0, cap = 1;
	struct line *v;

	for (i = 0; i < n; i++)
		cap += s[i] == '\n';
	v = malloc(cap * sizeof(*v));
	if (!v)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	for (i = 0; i < n;) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - s) : n;

		v[k].p = s + i;
		v[k].n = end - i;
		k++;
		i = end + 1;
	}
	*out = v;
	*count = k;
	return 0;
}

static int line_eq(const struct line *x, const struct line *y)
{
	return x->n == y->n && memcmp(x->p, y->p, x->n) == 0;
}

static int add_range(struct fy_buf *out, size_t start, size_t count, struct fy_error *err)
{
	if (count == 0)
		return fy_buf_addf(out, err, "%zu,0", start);
	if (count == 1)
		return fy_buf_addf(out, err, "%zu", start + 1);
	return fy_buf_addf(out, err, "%zu,%zu", start + 1, count);
}

static int emit_hunks(const char *ops, size_t nops, const struct line *A, const struct line *B,
		      int ctx, struct fy_buf *out, struct fy_error *err)
{
	size_t *apos = malloc((nops + 1) * sizeof(size_t));
	size_t *bpos = malloc((nops + 1) * sizeof(size_t));
	size_t k, hs, he, e, s, run, ai, bi, ac, bc, c = (size_t)ctx;
	int rc = -1;

	if (!apos || !bpos) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		goto out;
	}
	apos[0] = bpos[0] = 0;
	for (k = 0; k < nops; k++) {
		apos[k + 1] = apos[k] + (ops[k] != 'I');
		bpos[k + 1] = bpos[k] + (ops[k] != 'D');
	}
	for (k = 0; k < nops;) {
		for (s = k; s < nops && ops[s] == 'E'; s++)
			;
		if (s == nops)
			break;
		hs = s > k + c ? s - c : k;
		for (e = s;;) {
			while (e < nops && ops[e] != 'E')
				e++;
			for (run = 0; e + run < nops && ops[e + run] == 'E'; run++)
				;
			if (e + run == nops) {
				he = e + (run < c ? run : c);
				break;
			}
			if (run > 2 * c) {
				he = e + c;
				break;
			}
			e += run;
		}
		ac = apos[he] - apos[hs];
		bc = bpos[he] - bpos[hs];
		if (fy_buf_adds(out, "@@ -", err) < 0 || add_range(out, apos[hs], ac, err) < 0 ||
		    fy_buf_adds(out, " +", err) < 0 || add_range(out, bpos[hs], bc, err) < 0 ||
		    fy_buf_adds(out, " @@\n", err) < 0)
			goto out;
		for (ai = apos[hs], bi = bpos[hs], e = hs; e < he; e++) {
			const struct line *l = ops[e] == 'I' ? &B[bi] : &A[ai];
			char mark = ops[e] == 'E' ? ' ' : ops[e] == 'D' ? '-' : '+';

			if (fy_buf_addc(out, mark, err) < 0 || fy_buf_add(out, l->p, l->n, err) < 0 ||
			    fy_buf_addc(out, '\n', err) < 0)
				goto out;
			ai += ops[e] != 'I';
			bi += ops[e] != 'D';
		}
		k = he;
	}
	rc = 0;
out:
	free(apos);
	free(bpos);
	return rc;
}

int fy_text_diff(const char *a, size_t alen, const char *b, size_t blen, const char *label_a,
		 const char *label_b, int context, struct fy_buf *out, struct fy_error *err)
{
	struct line *A = NULL, *B = NULL;
	size_t na = 0, nb = 0, pre = 0, suf = 0, ma, mb, i, j, nops = 0;
	uint32_t *L = NULL;
	char *ops = NULL;
	int rc = -1;

	if (alen == blen && memcmp(a, b, alen) == 0)
		return 0;
	if (split_lines(a, alen, &A, &na, err) < 0 || split_lines(b, blen, &B, &nb, err) < 0)
		goto out;
	while (pre < na && pre < nb && line_eq(&A[pre], &B[pre]))
		pre++;
	while (suf < na - pre && suf < nb - pre && line_eq(&A[na - 1 - suf], &B[nb - 1 - suf]))
		suf++;
	ma = na - pre - suf;
	mb = nb - pre - suf;
	ops = malloc(na + nb + 1);
	if (!ops) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		goto out;
	}
	memset(ops, 'E', pre);
	nops = pre;
	if (ma && mb && (ma + 1) * (mb + 1) <= DIFF_CELLS_MAX) {
		/* L[i][j]: longest common subsequence of the middles' suffixes. */
		size_t w = mb + 1;

		L = calloc((ma + 1) * w, sizeof(*L));
		if (!L) {
			fy_error_set(err, FY_E_NOMEM, "out of memory");
			goto out;
		}
		for (i = ma; i-- > 0;)
			for (j = mb; j-- > 0;)
				L[i * w + j] = line_eq(&A[pre + i], &B[pre + j])
						       ? L[(i + 1) * w + j + 1] + 1
						       : (L[(i + 1) * w + j] > L[i * w + j + 1]
								  ? L[(i + 1) * w + j]
								  : L[i * w + j + 1]);
		for (i = 0, j = 0; i < ma || j < mb;) {
			if (i < ma && j < mb && line_eq(&A[pre + i], &B[pre + j])) {
				ops[nops++] = 'E';
				i++;
				j++;
			} else if (j == mb || (i < ma && L[(i + 1) * w + j] >= L[i * w + j + 1])) {
				ops[nops++] = 'D';
				i++;
			} else {
				ops[nops++] = 'I';
				j++;
			}
		}
	} else {
		memset(ops + nops, 'D', ma);
		nops += ma;
		memset(ops + nops, 'I', mb);
		nops += mb;
	}
	memset(ops + nops, 'E', suf);
	nops += suf;
	if (fy_buf_addf(out, err, "--- %s\n+++ %s\n", label_a, label_b) < 0)
		goto out;
	rc = emit_hunks(ops, nops, A, B, context < 0 ? 0 : context, out, err);
out:
	free(A);
	free(B);
	free(L);
	free(ops);
	return rc;
}

/* --- a fingerprint table: 64-bit key -> 64-bit value ------------------ */

struct fptab {
	uint64_t *keys;		/* 0: empty */
	uint64_t *vals;
	size_t cap, n;
	uint64_t max;
};

static uint64_t nonzero(uint64_t k)
{
	return k ? k : 1;
}

static uint64_t *fptab_get(const struct fptab *t, uint64_t key)
{
	size_t i;

	if (!t->cap)
		return NULL;
	key = nonzero(key);
	for (i = (size_t)key & (t->cap - 1); t->keys[i]; i = (i + 1) & (t->cap - 1))
		if (t->keys[i] == key)
			return &t->vals[i];
	return NULL;
}

static int fptab_put(struct fptab *t, uint64_t key, uint64_t val, struct fy_error *err)
{
	size_t i;

	key = nonzero(key);
	if ((t->n + 1) * 10 > t->cap * 7) {
		size_t cap = t->cap ? t->cap * 2 : 1024, k;
		uint64_t *keys = calloc(cap, sizeof(*keys)), *vals = calloc(cap, sizeof(*vals));

		if (t->n >= t->max) {
			free(keys);
			free(vals);
			return fy_error_set(err, FY_E_UNSAFE,
					    "more than %llu records to compare (the diff's limit)",
					    (unsigned long long)t->max);
		}
		if (!keys || !vals) {
			free(keys);
			free(vals);
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		}
		for (k = 0; k < t->cap; k++)
			if (t->keys[k]) {
				for (i = (size_t)t->keys[k] & (cap - 1); keys[i]; i = (i + 1) & (cap - 1))
					;
				keys[i] = t->keys[k];
				vals[i] = t->vals[k];
			}
		free(t->keys);
		free(t->vals);
		t->keys = keys;
		t->vals = vals;
		t->cap = cap;
	}
	for (i = (size_t)key & (t->cap - 1); t->keys[i]; i = (i + 1) & (t->cap - 1))
		if (t->keys[i] == key) {
			t->vals[i] = val;
			return 0;
		}
	t->keys[i] = key;
	t->vals[i] = val;
	t->n++;
	return 0;
}

static void fptab_release(struct fptab *t)
{
	free(t->keys);
	free(t->vals);
	memset(t, 0, sizeof(*t));
}

/* --- spools: unlinked temporary files ---------------------------------- */

struct spool {
	FILE *f;
	uint64_t size;
};

static int spool_open(struct spool *s, const char *dir, struct fy_error *err)
{
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(path, sizeof(path), "%s/ferry-diff-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0)
		return fy_error_errno(err, errno, "%s", path);
	unlink(path);
	s->f = fdopen(fd, "w+");
	if (!s->f) {
		close(fd);
		return fy_error_errno(err, errno, "%s", path);
	}
	s->size = 0;
	return 0;
}

static int spool_add(struct spool *s, const void *p, size_t n, struct fy_error *err)
{
	if (n && fwrite(p, 1, n, s->f) != n)
		return fy_error_errno(err, errno ? errno : EIO, "temporary file");
	s->size += n;
	return 0;
}

static int spool_read(struct spool *s, uint64_t off, size_t n, struct fy_buf *out,
		      struct fy_error *err)
{
	fy_buf_reset(out);
	if (fflush(s->f) != 0 || fy_buf_grow(out, n, err) < 0)
		return fy_error_errno(err, errno, "temporary file");
	if (pread(fileno(s->f), out->ptr, n, (off_t)off) != (ssize_t)n)
		return fy_error_errno(err, errno ? errno : EIO, "temporary file");
	out->len = n;
	out->ptr[n] = '\0';
	return 0;
}

static void spool_close(struct spool *s)
{
	if (s->f)
		fclose(s->f);
	s->f = NULL;
}

/* --- the state of a diff ---------------------------------------------- */

struct obj {
	enum fy_kind kind;
	char *id;
	char *json;		/* compact */
	size_t len;
	int seen;
};

/* What pass 2 learnt about one thread's messages. */
struct note {
	uint64_t removed, changed;
	struct fy_buf removed_ids, changed_ids;	/* JSON array bodies */
	size_t nremoved_ids, nchanged_ids;
};

struct thread_state {
	uint64_t fp;
	int active, added, removed;
	struct fy_buf line;	/* the thread record's text */
	uint64_t messages, added_msgs;
	struct fy_buf added_ids;
	size_t nadded_ids;
};

struct diff {
	struct fy_diff_options o;
	struct fy_diff_summary *sum;
	struct fptab recs;	/* B's stream records: fp -> text hash | seen bit */
	struct fptab old;	/* changed stream records: fp -> spool offset << 24 | length */
	struct fptab notes_ix;	/* thread fp -> index in notes + 1 */
	struct note *notes;
	size_t nnotes, capnotes;
	struct obj *objs;
	size_t nobjs, capobjs;
	struct spool changes, olds;
	struct thread_state th;
	struct fy_buf key, out, tmp, tmp2;
	struct fy_buf oldtext;	/* an old version read back from the spool */
	struct fy_jdoc d2;
	int pass;
};

static uint64_t text_hash(const char *p, size_t n)
{
	unsigned char h[FY_SHA256_LEN];
	uint64_t v = 0;
	int i;

	fy_sha256(p, n, h);
	for (i = 0; i < 8; i++)
		v = v << 8 | h[i];
	return v & ~(uint64_t)1;	/* bit 0 is the "seen" mark */
}

static uint64_t rec_fp(struct diff *d, enum fy_kind kind, const struct fy_jdoc *doc)
{
	uint32_t id = fy_json_get(doc, 0, "id");
	size_t n;
	const char *s;

	fy_buf_reset(&d->key);
	if (kind == FY_KIND_MESSAGE) {
		s = fy_json_raw(doc, fy_json_get(doc, 0, "thread"), &n);
		fy_buf_add(&d->key, s, n, NULL);
		fy_buf_addc(&d->key, '\x1f', NULL);
	}
	s = fy_json_raw(doc, id, &n);
	fy_buf_add(&d->key, s, n, NULL);
	return fy_fingerprint((unsigned)kind, d->key.ptr ? d->key.ptr : "", d->key.len);
}

static int is_object_kind(enum fy_kind k)
{
	return k == FY_KIND_AGENT || k == FY_KIND_TOOL || k == FY_KIND_KNOWLEDGE ||
	       k == FY_KIND_WORKFLOW;
}

/* The order changes are handed out in. */
static const enum fy_kind kind_order[] = {
	FY_KIND_AGENT, FY_KIND_TOOL, FY_KIND_KNOWLEDGE, FY_KIND_WORKFLOW,
	FY_KIND_FILE, FY_KIND_THREAD, FY_KIND_MEMORY,
};

static int emit(struct diff *d, enum fy_kind kind, const struct fy_buf *b, struct fy_error *err)
{
	char tag = (char)('A' + kind);

	if (spool_add(&d->changes, &tag, 1, err) < 0 || spool_add(&d->changes, b->ptr, b->len, err) < 0)
		return -1;
	return spool_add(&d->changes, "\n", 1, err);
}

/* The field that names a record of this kind. */
static const char *name_field(enum fy_kind kind)
{
	switch (kind) {
	case FY_KIND_MEMORY: return "label";
	case FY_KIND_THREAD: return "title";
	default: return "name";
	}
}

/* {"kind":K,"op":OP,"id":ID[,"name":N] -- no closing brace. */
static int change_head(struct fy_buf *b, enum fy_kind kind, const char *op,
		       const struct fy_jdoc *doc, struct fy_error *err)
{
	uint32_t v;

	fy_buf_reset(b);
	if (fy_buf_addf(b, err, "{\"kind\":\"%s\",\"op\":\"%s\",\"id\":", fy_kind_name(kind), op) < 0 ||
	    fy_json_emit(doc, fy_json_get(doc, 0, "id"), b, err) < 0)
		return -1;
	v = fy_json_get(doc, 0, name_field(kind));
	if (fy_json_type(doc, v) == FY_JSTRING &&
	    (fy_buf_adds(b, ",\"name\":", err) < 0 || fy_json_emit(doc, v, b, err) < 0))
		return -1;
	return 0;
}

/* An added or removed object, memory or file record: head plus the record. */
static int emit_whole(struct diff *d, enum fy_kind kind, const char *op, const struct fy_jdoc *doc,
		      struct fy_error *err)
{
	if (change_head(&d->out, kind, op, doc, err) < 0 ||
	    fy_buf_adds(&d->out, ",\"record\":", err) < 0 || fy_json_emit(doc, 0, &d->out, err) < 0 ||
	    fy_buf_addc(&d->out, '}', err) < 0)
		return -1;
	if (op[0] == 'a')
		d->sum->added[kind]++;
	else
		d->sum->removed[kind]++;
	return emit(d, kind, &d->out, err);
}

static int value_eq(const struct fy_jdoc *x, uint32_t a, const struct fy_jdoc *y, uint32_t b,
		    struct diff *d)
{
	if (fy_json_type(x, a) != fy_json_type(y, b))
		return 0;
	fy_buf_reset(&d->tmp);
	fy_buf_reset(&d->tmp2);
	if (fy_json_emit(x, a, &d->tmp, NULL) < 0 || fy_json_emit(y, b, &d->tmp2, NULL) < 0)
		return 0;
	return d->tmp.len == d->tmp2.len && memcmp(d->tmp.ptr, d->tmp2.ptr, d->tmp.len) == 0;
}

/* Strings of arr (an array) not in other, as a JSON array body. */
static int ids_missing(const struct fy_jdoc *x, uint32_t arr, const struct fy_jdoc *y,
		       uint32_t other, struct fy_buf *out, struct fy_error *err)
{
	uint32_t k, el, k2, el2;
	int first = 1;

	FY_JSON_FOREACH(x, arr, k, el) {
		int found = 0;

		FY_JSON_FOREACH(y, other, k2, el2) {
			size_t n1, n2;
			const char *s1 = fy_json_raw(x, el, &n1), *s2 = fy_json_raw(y, el2, &n2);

			if (n1 == n2 && memcmp(s1, s2, n1) == 0) {
				found = 1;
				break;
			}
		}
		if (found)
			continue;
		if ((!first && fy_buf_addc(out, ',', err) < 0) || fy_json_emit(x, el, out, err) < 0)
			return -1;
		first = 0;
	}
	return 0;
}

static int all_strings(const struct fy_jdoc *x, uint32_t arr)
{
	uint32_t k, el;

	if (fy_json_type(x, arr) != FY_JARRAY)
		return 0;
	FY_JSON_FOREACH(x, arr, k, el)
		if (fy_json_type(x, el) != FY_JSTRING)
			return 0;
	return 1;
}

/* One changed field: {"field":F,"old":..,"new":..[,"diff":..][,"added":[..],"removed":[..]]}. */
static int field_change(struct diff *d, enum fy_kind kind, const char *id, const char *field,
			size_t flen, const struct fy_jdoc *x, uint32_t a, const struct fy_jdoc *y,
			uint32_t b, struct fy_buf *out, struct fy_error *err)
{
	struct fy_buf *o = out;

	if (fy_buf_adds(o, "{\"field\":", err) < 0 || fy_buf_add_jstr(o, field, flen, err) < 0)
		return -1;
	if (a != FY_JNONE &&
	    (fy_buf_adds(o, ",\"old\":", err) < 0 || fy_json_emit(x, a, o, err) < 0))
		return -1;
	if (b != FY_JNONE &&
	    (fy_buf_adds(o, ",\"new\":", err) < 0 || fy_json_emit(y, b, o, err) < 0))
		return -1;
	if (fy_json_type(x, a) == FY_JSTRING && fy_json_type(y, b) == FY_JSTRING) {
		struct fy_buf sa = FY_BUF_INIT((size_t)64 << 20), sb = FY_BUF_INIT((size_t)64 << 20);
		struct fy_buf u = FY_BUF_INIT((size_t)256 << 20);
		char la[512], lb[512];
		int rc = -1;

		if (fy_json_str(x, a, &sa, err) < 0 || fy_json_str(y, b, &sb, err) < 0)
			goto sdone;
		if (!memchr(sa.ptr ? sa.ptr : "", '\n', sa.len) &&
		    !memchr(sb.ptr ? sb.ptr : "", '\n', sb.len) &&
		    !(flen == 12 && memcmp(field, "instructions", 12) == 0)) {
			rc = 0;
			goto sdone;
		}
		snprintf(la, sizeof(la), "a/%s/%s/%.*s", fy_kind_name(kind), id, (int)flen, field);
		snprintf(lb, sizeof(lb), "b/%s/%s/%.*s", fy_kind_name(kind), id, (int)flen, field);
		if (fy_text_diff(sa.ptr ? sa.ptr : "", sa.len, sb.ptr ? sb.ptr : "", sb.len, la, lb,
				 d->o.context, &u, err) < 0)
			goto sdone;
		if (fy_buf_adds(o, ",\"diff\":", err) < 0 ||
		    fy_buf_add_jstr(o, u.ptr ? u.ptr : "", u.len, err) < 0)
			goto sdone;
		rc = 0;
sdone:
		fy_buf_release(&sa);
		fy_buf_release(&sb);
		fy_buf_release(&u);
		if (rc < 0)
			return -1;
	}
	if ((a == FY_JNONE || all_strings(x, a)) && (b == FY_JNONE || all_strings(y, b)) &&
	    (a != FY_JNONE || b != FY_JNONE)) {
		if (fy_buf_adds(o, ",\"added\":[", err) < 0 ||
		    (b != FY_JNONE && ids_missing(y, b, x, a, o, err) < 0) ||
		    fy_buf_adds(o, "],\"removed\":[", err) < 0 ||
		    (a != FY_JNONE && ids_missing(x, a, y, b, o, err) < 0) ||
		    fy_buf_addc(o, ']', err) < 0)
			return -1;
	}
	return fy_buf_addc(o, '}', err);
}

/*
 * Append ,"fields":[...] for the top-level members that differ between x
 * (old) and y (new), "kind" and "id" aside; *nfields counts them.
 */
static int record_fields(struct diff *d, enum fy_kind kind, const char *id,
			 const struct fy_jdoc *x, const struct fy_jdoc *y, struct fy_buf *out,
			 size_t *nfields, struct fy_error *err)
{
	uint32_t k, key, val;
	size_t n = 0;

	if (fy_buf_adds(out, ",\"fields\":[", err) < 0)
		return -1;
	/* Fields of the new record, in its order, then fields only the old had. */
	FY_JSON_FOREACH_MEMBER(y, 0, k, key, val) {
		size_t klen;
		const char *ks = fy_json_raw(y, key, &klen);
		char name[256];
		uint32_t a;

		if ((klen == 4 && !memcmp(ks, "kind", 4)) || (klen == 2 && !memcmp(ks, "id", 2)))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)klen, ks);
		a = fy_json_get(x, 0, name);
		if (a != FY_JNONE && value_eq(x, a, y, val, d))
			continue;
		if ((n++ && fy_buf_addc(out, ',', err) < 0) ||
		    field_change(d, kind, id, ks, klen, x, a, y, val, out, err) < 0)
			return -1;
	}
	FY_JSON_FOREACH_MEMBER(x, 0, k, key, val) {
		size_t klen;
		const char *ks = fy_json_raw(x, key, &klen);
		char name[256];

		snprintf(name, sizeof(name), "%.*s", (int)klen, ks);
		if (fy_json_get(y, 0, name) != FY_JNONE)
			continue;
		if ((n++ && fy_buf_addc(out, ',', err) < 0) ||
		    field_change(d, kind, id, ks, klen, x, val, y, FY_JNONE, out, err) < 0)
			return -1;
	}
	*nfields = n;
	return fy_buf_addc(out, ']', err);
}

/* A changed record (not a thread): head, fields, close. */
static int emit_changed(struct diff *d, enum fy_kind kind, const struct fy_jdoc *old,
			const struct fy_jdoc *new_, struct fy_error *err)
{
	char *id = fy_json_get_strdup(new_, 0, "id");
	size_t nf = 0;
	int rc = -1;

	if (!id)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	if (change_head(&d->out, kind, "changed", new_, err) < 0 ||
	    record_fields(d, kind, id, old, new_, &d->out, &nf, err) < 0 ||
	    fy_buf_addc(&d->out, '}', err) < 0)
		goto out;
	rc = 0;
	if (nf) {
		d->sum->changed[kind]++;
		rc = emit(d, kind, &d->out, err);
	}
out:
	free(id);
	return rc;
}

/* --- B's objects ------------------------------------------------------- */

static int obj_cmp(const void *x, const void *y)
{
	const struct obj *a = x, *b = y;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return strcmp(a->id, b->id);
}

static int obj_add(struct diff *d, enum fy_kind kind, const struct fy_jdoc *doc,
		   struct fy_error *err)
{
	struct obj *o;

	if (d->nobjs == d->capobjs) {
		size_t cap = d->capobjs ? d->capobjs * 2 : 64;
		struct obj *v = realloc(d->objs, cap * sizeof(*v));

		if (!v)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		d->objs = v;
		d->capobjs = cap;
	}
	o = &d->objs[d->nobjs];
	memset(o, 0, sizeof(*o));
	fy_buf_reset(&d->tmp);
	if (fy_json_emit(doc, 0, &d->tmp, err) < 0)
		return -1;
	o->kind = kind;
	o->id = fy_json_get_strdup(doc, 0, "id");
	o->len = d->tmp.len;
	o->json = malloc(o->len + 1);
	if (!o->id || !o->json) {
		free(o->id);
		free(o->json);
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	memcpy(o->json, d->tmp.ptr, o->len + 1);
	d->nobjs++;
	return 0;
}

static struct obj *obj_find(struct diff *d, enum fy_kind kind, const char *id)
{
	struct obj key;

	key.kind = kind;
	key.id = (char *)id;
	return d->nobjs ? bsearch(&key, d->objs, d->nobjs, sizeof(*d->objs), obj_cmp) : NULL;
}

/* --- thread notes from pass 2 ----------------------------------------- */

static struct note *note_for(struct diff *d, uint64_t thread_fp, int create, struct fy_error *err)
{
	uint64_t *ix = fptab_get(&d->notes_ix, thread_fp);
	struct note *n;

	if (ix)
		return &d->notes[*ix - 1];
	if (!create)
		return NULL;
	if (d->nnotes == d->capnotes) {
		size_t cap = d->capnotes ? d->capnotes * 2 : 16;
		struct note *v = realloc(d->notes, cap * sizeof(*v));

		if (!v) {
			fy_error_set(err, FY_E_NOMEM, "out of memory");
			return NULL;
		}
		d->notes = v;
		d->capnotes = cap;
	}
	if (fptab_put(&d->notes_ix, thread_fp, d->nnotes + 1, err) < 0)
		return NULL;
	n = &d->notes[d->nnotes++];
	memset(n, 0, sizeof(*n));
	fy_buf_init(&n->removed_ids, (size_t)64 << 20);
	fy_buf_init(&n->changed_ids, (size_t)64 << 20);
	return n;
}

static int add_id(struct fy_buf *b, size_t *count, size_t max, const struct fy_jdoc *doc,
		  struct fy_error *err)
{
	if (*count >= max)
		return 0;
	if ((*count && fy_buf_addc(b, ',', err) < 0) ||
	    fy_json_emit(doc, fy_json_get(doc, 0, "id"), b, err) < 0)
		return -1;
	(*count)++;
	return 0;
}

/* --- pass 2 (A): threads end ------------------------------------------ */

static int a_thread_end(struct diff *d, struct fy_error *err)
{
	struct thread_state *t = &d->th;
	int rc = 0;

	if (t->active && t->removed) {
		fy_jdoc_release(&d->d2);
		fy_jdoc_init(&d->d2);
		if (fy_jdoc_parse(&d->d2, t->line.ptr, t->line.len, 0, err) < 0 ||
		    change_head(&d->out, FY_KIND_THREAD, "removed", &d->d2, err) < 0 ||
		    fy_buf_addf(&d->out, err, ",\"messages\":{\"total\":%llu}}",
				(unsigned long long)t->messages) < 0)
			rc = -1;
		else {
			d->sum->removed[FY_KIND_THREAD]++;
			d->sum->removed[FY_KIND_MESSAGE] += t->messages;
			rc = emit(d, FY_KIND_THREAD, &d->out, err);
		}
	}
	t->active = 0;
	return rc;
}

/* Remember the old text of a changed stream record for pass 3. */
static int keep_old(struct diff *d, uint64_t fp, const char *json, size_t len, struct fy_error *err)
{
	uint64_t off = d->olds.size;

	if (len >= ((size_t)1 << 24))
		return fy_error_set(err, FY_E_UNSAFE, "record too large to compare");
	if (spool_add(&d->olds, json, len, err) < 0)
		return -1;
	return fptab_put(&d->old, fp, off << 24 | len, err);
}

static int pass_a_record(struct diff *d, const struct fy_item *it, struct fy_error *err)
{
	const struct fy_jdoc *doc = it->doc;
	enum fy_kind kind = it->kind;
	uint64_t fp, *v;

	if (is_object_kind(kind)) {
		char *id = fy_json_get_strdup(doc, 0, "id");
		struct obj *o = id ? obj_find(d, kind, id) : NULL;
		int rc;

		free(id);
		if (!o)
			return emit_whole(d, kind, "removed", doc, err);
		o->seen = 1;
		fy_buf_reset(&d->tmp);
		if (fy_json_emit(doc, 0, &d->tmp, err) < 0)
			return -1;
		if (d->tmp.len == o->len && memcmp(d->tmp.ptr, o->json, o->len) == 0)
			return 0;
		fy_jdoc_release(&d->d2);
		fy_jdoc_init(&d->d2);
		if (fy_jdoc_parse(&d->d2, o->json, o->len, 0, err) < 0)
			return -1;
		rc = emit_changed(d, kind, doc, &d->d2, err);
		return rc;
	}
	fp = rec_fp(d, kind, doc);
	v = fptab_get(&d->recs, fp);
	if (kind == FY_KIND_THREAD) {
		if (a_thread_end(d, err) < 0)
			return -1;
		d->th.active = 1;
		d->th.fp = fp;
		d->th.removed = v == NULL;
		d->th.messages = 0;
		fy_buf_reset(&d->th.line);
		if (fy_buf_add(&d->th.line, it->json, it->len, err) < 0)
			return -1;
	} else if (kind == FY_KIND_MESSAGE) {
		d->th.messages++;
		if (d->th.removed)
			return 0;	/* counted with its removed thread */
		if (!v || (*v & ~(uint64_t)1) != text_hash(it->json, it->len)) {
			struct note *n = note_for(d, d->th.fp, 1, err);

			if (!n)
				return -1;
			if (!v) {
				n->removed++;
				d->sum->removed[FY_KIND_MESSAGE]++;
				if (add_id(&n->removed_ids, &n->nremoved_ids, d->o.max_ids, doc, err) < 0)
					return -1;
			} else {
				n->changed++;
				d->sum->changed[FY_KIND_MESSAGE]++;
				if (add_id(&n->changed_ids, &n->nchanged_ids, d->o.max_ids, doc, err) < 0)
					return -1;
			}
		}
		if (v)
			*v |= 1;
		return 0;
	} else if (!v) {
		return emit_whole(d, kind, "removed", doc, err);
	}
	if (!v)
		return 0;
	if ((*v & ~(uint64_t)1) != text_hash(it->json, it->len) &&
	    keep_old(d, fp, it->json, it->len, err) < 0)
		return -1;
	*v |= 1;
	return 0;
}

/* --- pass 3 (B): threads end ------------------------------------------ */

static int b_thread_end(struct diff *d, struct fy_error *err)
{
	struct thread_state *t = &d->th;
	struct note *n;
	uint64_t *old;
	size_t nf = 0;
	int rc = -1;

	if (!t->active)
		return 0;
	t->active = 0;
	fy_jdoc_release(&d->d2);
	fy_jdoc_init(&d->d2);
	if (fy_jdoc_parse(&d->d2, t->line.ptr, t->line.len, 0, err) < 0)
		return -1;
	if (t->added) {
		if (change_head(&d->out, FY_KIND_THREAD, "added", &d->d2, err) < 0 ||
		    fy_buf_addf(&d->out, err, ",\"messages\":{\"total\":%llu}}",
				(unsigned long long)t->messages) < 0)
			return -1;
		d->sum->added[FY_KIND_THREAD]++;
		d->sum->added[FY_KIND_MESSAGE] += t->messages;
		return emit(d, FY_KIND_THREAD, &d->out, err);
	}
	n = note_for(d, t->fp, 0, err);
	old = fptab_get(&d->old, t->fp);
	if (!n && !old && !t->added_msgs)
		return 0;
	if (change_head(&d->out, FY_KIND_THREAD, "changed", &d->d2, err) < 0)
		return -1;
	if (old) {
		struct fy_jdoc od;
		char *id = fy_json_get_strdup(&d->d2, 0, "id");

		fy_jdoc_init(&od);
		if (!id || spool_read(&d->olds, *old >> 24, (size_t)(*old & 0xffffff), &d->oldtext, err) < 0 ||
		    fy_jdoc_parse(&od, d->oldtext.ptr, d->oldtext.len, 0, err) < 0 ||
		    record_fields(d, FY_KIND_THREAD, id, &od, &d->d2, &d->out, &nf, err) < 0) {
			if (!id)
				fy_error_set(err, FY_E_NOMEM, "out of memory");
			free(id);
			fy_jdoc_release(&od);
			return -1;
		}
		free(id);
		fy_jdoc_release(&od);
	}
	if (fy_buf_addf(&d->out, err,
			",\"messages\":{\"total\":%llu,\"added\":%llu,\"removed\":%llu,\"changed\":%llu,"
			"\"added_ids\":[",
			(unsigned long long)t->messages, (unsigned long long)t->added_msgs,
			(unsigned long long)(n ? n->removed : 0),
			(unsigned long long)(n ? n->changed : 0)) < 0 ||
	    fy_buf_add(&d->out, t->added_ids.ptr ? t->added_ids.ptr : "", t->added_ids.len, err) < 0 ||
	    fy_buf_adds(&d->out, "],\"removed_ids\":[", err) < 0 ||
	    (n && fy_buf_add(&d->out, n->removed_ids.ptr ? n->removed_ids.ptr : "",
			     n->removed_ids.len, err) < 0) ||
	    fy_buf_adds(&d->out, "],\"changed_ids\":[", err) < 0 ||
	    (n && fy_buf_add(&d->out, n->changed_ids.ptr ? n->changed_ids.ptr : "",
			     n->changed_ids.len, err) < 0) ||
	    fy_buf_addf(&d->out, err, "],\"truncated\":%s}}",
			(t->added_msgs > t->nadded_ids ||
			 (n && (n->removed > n->nremoved_ids || n->changed > n->nchanged_ids)))
				? "true"
				: "false") < 0)
		return -1;
	if (!nf && !n && !t->added_msgs)
		return 0;
	d->sum->changed[FY_KIND_THREAD]++;
	rc = emit(d, FY_KIND_THREAD, &d->out, err);
	return rc;
}

static int pass_b_record(struct diff *d, const struct fy_item *it, struct fy_error *err)
{
	const struct fy_jdoc *doc = it->doc;
	enum fy_kind kind = it->kind;
	uint64_t fp, *v, *old;

	if (d->pass == 1) {
		if (is_object_kind(kind))
			return obj_add(d, kind, doc, err);
		fp = rec_fp(d, kind, doc);
		return fptab_put(&d->recs, fp, text_hash(it->json, it->len), err);
	}
	if (is_object_kind(kind))
		return 0;	/* handled from d->objs at the end */
	fp = rec_fp(d, kind, doc);
	v = fptab_get(&d->recs, fp);
	if (!v)
		return fy_error_set(err, FY_E_INTEGRITY, "archive changed while it was compared");
	if (kind == FY_KIND_THREAD) {
		if (b_thread_end(d, err) < 0)
			return -1;
		d->th.active = 1;
		d->th.fp = fp;
		d->th.added = !(*v & 1);
		d->th.messages = d->th.added_msgs = 0;
		d->th.nadded_ids = 0;
		fy_buf_reset(&d->th.added_ids);
		fy_buf_reset(&d->th.line);
		return fy_buf_add(&d->th.line, it->json, it->len, err);
	}
	if (kind == FY_KIND_MESSAGE) {
		d->th.messages++;
		if (!(*v & 1) && !d->th.added) {
			d->th.added_msgs++;
			d->sum->added[FY_KIND_MESSAGE]++;
			return add_id(&d->th.added_ids, &d->th.nadded_ids, d->o.max_ids, doc, err);
		}
		return 0;
	}
	if (!(*v & 1))
		return emit_whole(d, kind, "added", doc, err);
	old = fptab_get(&d->old, fp);
	if (old) {
		struct fy_jdoc od;
		int rc;

		fy_jdoc_init(&od);
		rc = spool_read(&d->olds, *old >> 24, (size_t)(*old & 0xffffff), &d->oldtext, err) < 0 ||
		     fy_jdoc_parse(&od, d->oldtext.ptr, d->oldtext.len, 0, err) < 0 ||
		     emit_changed(d, kind, &od, doc, err) < 0;
		fy_jdoc_release(&od);
		return rc ? -1 : 0;
	}
	return 0;
}

static void copy_side(struct fy_diff_side *s, const struct fy_header *h)
{
	snprintf(s->created, sizeof(s->created), "%s", h->created ? h->created : "");
	snprintf(s->source_adapter, sizeof(s->source_adapter), "%s",
		 h->source_adapter ? h->source_adapter : "");
	snprintf(s->source_location, sizeof(s->source_location), "%s",
		 h->source_location ? h->source_location : "");
}

static int read_pass(struct diff *d, const char *path, int pass, struct fy_error *err)
{
	struct fy_reader *r = fy_reader_open(path, NULL, err);
	struct fy_item it;
	int got, rc = -1;

	if (!r)
		return fy_error_prefix(err, "%s", path);
	d->pass = pass;
	d->th.active = 0;
	copy_side(pass == 2 ? &d->sum->a : &d->sum->b, fy_reader_header(r));
	while ((got = fy_reader_next(r, &it, err)) == 1) {
		int k;

		if (it.type != FY_ITEM_RECORD || !it.doc)
			continue;
		k = pass == 2 ? pass_a_record(d, &it, err) : pass_b_record(d, &it, err);
		if (k < 0) {
			fy_error_prefix(err, "%s", path);
			goto out;
		}
	}
	if (got < 0) {
		fy_error_prefix(err, "%s", path);
		goto out;
	}
	if ((pass == 2 && a_thread_end(d, err) < 0) || (pass == 3 && b_thread_end(d, err) < 0))
		goto out;
	rc = 0;
out:
	fy_reader_free(r);
	return rc;
}

void fy_diff_options_init(struct fy_diff_options *o)
{
	memset(o, 0, sizeof(*o));
	o->context = 3;
	o->max_ids = 1000;
	o->max_records = 50000000;
}

/* Hand out the spooled changes, kind by kind. */
static int replay(struct diff *d, fy_diff_fn fn, void *ctx, struct fy_error *err)
{
	char *line = NULL;
	size_t cap = 0, k;
	ssize_t n;
	int rc = 0;

	if (fflush(d->changes.f) != 0)
		return fy_error_errno(err, errno, "temporary file");
	for (k = 0; k < sizeof(kind_order) / sizeof(kind_order[0]) && rc == 0; k++) {
		char tag = (char)('A' + kind_order[k]);

		if (fseeko(d->changes.f, 0, SEEK_SET) != 0) {
			rc = fy_error_errno(err, errno, "temporary file");
			break;
		}
		while ((n = getline(&line, &cap, d->changes.f)) > 0) {
			if (line[0] != tag)
				continue;
			line[n - 1] = '\0';
			if (fn(ctx, kind_order[k], line + 1, (size_t)n - 2, err) != 0) {
				rc = -1;
				break;
			}
		}
	}
	free(line);
	return rc;
}

int fy_diff(const char *a, const char *b, const struct fy_diff_options *o, fy_diff_fn fn,
	    void *ctx, struct fy_diff_summary *sum, struct fy_error *err)
{
	struct fy_diff_summary local;
	struct diff d;
	size_t i;
	int rc = -1;

	memset(&d, 0, sizeof(d));
	if (o)
		d.o = *o;
	else
		fy_diff_options_init(&d.o);
	d.sum = sum ? sum : &local;
	memset(d.sum, 0, sizeof(*d.sum));
	d.recs.max = d.o.max_records;
	d.old.max = d.notes_ix.max = UINT64_MAX;
	fy_buf_init(&d.key, 1024);
	fy_buf_init(&d.out, (size_t)1 << 30);
	fy_buf_init(&d.tmp, (size_t)1 << 30);
	fy_buf_init(&d.tmp2, (size_t)1 << 30);
	fy_buf_init(&d.oldtext, (size_t)1 << 30);
	fy_buf_init(&d.th.line, (size_t)64 << 20);
	fy_buf_init(&d.th.added_ids, (size_t)64 << 20);
	fy_jdoc_init(&d.d2);
	if (spool_open(&d.changes, d.o.tmp_dir, err) < 0 || spool_open(&d.olds, d.o.tmp_dir, err) < 0)
		goto out;
	if (read_pass(&d, b, 1, err) < 0)
		goto out;
	if (d.nobjs)
		qsort(d.objs, d.nobjs, sizeof(*d.objs), obj_cmp);
	if (read_pass(&d, a, 2, err) < 0 || read_pass(&d, b, 3, err) < 0)
		goto out;
	for (i = 0; i < d.nobjs; i++) {
		if (d.objs[i].seen)
			continue;
		fy_jdoc_release(&d.d2);
		fy_jdoc_init(&d.d2);
		if (fy_jdoc_parse(&d.d2, d.objs[i].json, d.objs[i].len, 0, err) < 0 ||
		    emit_whole(&d, d.objs[i].kind, "added", &d.d2, err) < 0)
			goto out;
	}
	rc = replay(&d, fn, ctx, err);
out:
	for (i = 0; i < d.nobjs; i++) {
		free(d.objs[i].id);
		free(d.objs[i].json);
	}
	free(d.objs);
	for (i = 0; i < d.nnotes; i++) {
		fy_buf_release(&d.notes[i].removed_ids);
		fy_buf_release(&d.notes[i].changed_ids);
	}
	free(d.notes);
	fptab_release(&d.recs);
	fptab_release(&d.old);
	fptab_release(&d.notes_ix);
	spool_close(&d.changes);
	spool_close(&d.olds);
	fy_buf_release(&d.key);
	fy_buf_release(&d.out);
	fy_buf_release(&d.tmp);
	fy_buf_release(&d.tmp2);
	fy_buf_release(&d.oldtext);
	fy_buf_release(&d.th.line);
	fy_buf_release(&d.th.added_ids);
	fy_jdoc_release(&d.d2);
	return rc;
}
