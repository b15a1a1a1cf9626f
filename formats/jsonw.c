/*
 * jsonw.c - a compact JSON writer over fy_buf. See jsonw.h.
 */
#include "jsonw.h"

#include <string.h>

#include "record.h"

void fy_jw_init(struct fy_jw *w, struct fy_buf *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	w->first[0] = 1;
	fy_error_clear(&w->err);
}

/* Before a value: a comma unless it is the first of its container or follows a key. */
static int sep_member(struct fy_jw *w);

/*
 * Before a value: after a key nothing; in an object without a key it is
 * misuse (a bug in the caller), refused rather than written as bad JSON.
 */
static int sep(struct fy_jw *w)
{
	if (w->failed)
		return -1;
	if (w->after_key) {
		w->after_key = 0;
		return 0;
	}
	if (w->depth && w->closer[w->depth] == '}') {
		w->failed = 1;
		fy_error_set(&w->err, FY_E_INTERNAL, "JSON writer: a value in an object without a key");
		return -1;
	}
	return sep_member(w);
}

/* Before a key, or a value in an array (or at the top): the comma. */
static int sep_member(struct fy_jw *w)
{
	if (!w->first[w->depth] && fy_buf_addc(w->b, ',', &w->err) < 0) {
		w->failed = 1;
		return -1;
	}
	w->first[w->depth] = 0;
	return 0;
}

static void put(struct fy_jw *w, const char *s, size_t n)
{
	if (!w->failed && fy_buf_add(w->b, s, n, &w->err) < 0)
		w->failed = 1;
}

static void open_c(struct fy_jw *w, char c)
{
	if (sep(w) < 0)
		return;
	if (w->depth + 1 >= FY_JW_DEPTH) {
		fy_error_set(&w->err, FY_E_DATA, "JSON nested deeper than %d", FY_JW_DEPTH);
		w->failed = 1;
		return;
	}
	put(w, &c, 1);
	w->depth++;
	w->first[w->depth] = 1;
	w->closer[w->depth] = c == '{' ? '}' : ']';
}

void fy_jw_obj(struct fy_jw *w)
{
	open_c(w, '{');
}

void fy_jw_arr(struct fy_jw *w)
{
	open_c(w, '[');
}

void fy_jw_end(struct fy_jw *w)
{
	char c;

	if (w->failed)
		return;
	if (w->depth == 0) {
		fy_error_set(&w->err, FY_E_INTERNAL, "JSON writer: end without an open container");
		w->failed = 1;
		return;
	}
	c = w->closer[w->depth];
	put(w, &c, 1);
	w->depth--;
	w->after_key = 0;
}

void fy_jw_key(struct fy_jw *w, const char *key)
{
	fy_jw_keyn(w, key, strlen(key));
}

void fy_jw_keyn(struct fy_jw *w, const char *key, size_t n)
{
	if (w->failed)
		return;
	if (!w->depth || w->closer[w->depth] != '}' || w->after_key) {
		w->failed = 1;
		fy_error_set(&w->err, FY_E_INTERNAL, "JSON writer: a key outside an object");
		return;
	}
	if (sep_member(w) < 0)
		return;
	if (fy_buf_add_jstr(w->b, key, n, &w->err) < 0 ||
	    fy_buf_addc(w->b, ':', &w->err) < 0) {
		w->failed = 1;
		return;
	}
	w->after_key = 1;
}

void fy_jw_strn(struct fy_jw *w, const char *s, size_t n)
{
	if (sep(w) < 0)
		return;
	if (fy_buf_add_jstr(w->b, s, n, &w->err) < 0)
		w->failed = 1;
}

void fy_jw_str(struct fy_jw *w, const char *s)
{
	if (!s) {
		fy_jw_null(w);
		return;
	}
	fy_jw_strn(w, s, strlen(s));
}

void fy_jw_int(struct fy_jw *w, int64_t v)
{
	if (sep(w) < 0)
		return;
	if (fy_buf_addf(w->b, &w->err, "%lld", (long long)v) < 0)
		w->failed = 1;
}

void fy_jw_bool(struct fy_jw *w, int v)
{
	if (sep(w) == 0)
		put(w, v ? "true" : "false", v ? 4 : 5);
}

void fy_jw_null(struct fy_jw *w)
{
	if (sep(w) == 0)
		put(w, "null", 4);
}

void fy_jw_raw(struct fy_jw *w, const char *json, size_t n)
{
	if (sep(w) == 0)
		put(w, json, n);
}

void fy_jw_node(struct fy_jw *w, const struct fy_jdoc *d, uint32_t i)
{
	if (sep(w) < 0)
		return;
	if (fy_json_type(d, i) == FY_JABSENT) {
		put(w, "null", 4);
		return;
	}
	if (fy_json_emit(d, i, w->b, &w->err) < 0)
		w->failed = 1;
}

void fy_jw_kstr(struct fy_jw *w, const char *key, const char *s)
{
	fy_jw_key(w, key);
	fy_jw_str(w, s);
}

void fy_jw_kstr_opt(struct fy_jw *w, const char *key, const char *s)
{
	if (s)
		fy_jw_kstr(w, key, s);
}

void fy_jw_knode(struct fy_jw *w, const char *key, const struct fy_jdoc *d, uint32_t i)
{
	fy_jw_key(w, key);
	fy_jw_node(w, d, i);
}

void fy_jw_knode_opt(struct fy_jw *w, const char *key, const struct fy_jdoc *d, uint32_t i)
{
	if (fy_json_type(d, i) == FY_JABSENT)
		return;
	fy_jw_key(w, key);
	fy_jw_node(w, d, i);
}

void fy_jw_rawkey(struct fy_jw *w, const char *raw, size_t n)
{
	if (w->failed)
		return;
	if (!w->depth || w->closer[w->depth] != '}' || w->after_key) {
		w->failed = 1;
		fy_error_set(&w->err, FY_E_INTERNAL, "JSON writer: a key outside an object");
		return;
	}
	if (sep_member(w) < 0)
		return;
	put(w, "\"", 1);
	put(w, raw, n);
	put(w, "\":", 2);
	w->after_key = 1;
}

void fy_jw_rawstr_begin(struct fy_jw *w)
{
	if (sep(w) == 0)
		put(w, "\"", 1);
}

void fy_jw_rawstr_piece(struct fy_jw *w, const char *raw, size_t n)
{
	put(w, raw, n);
}

void fy_jw_rawstr_end(struct fy_jw *w)
{
	put(w, "\"", 1);
}

void fy_jw_rawstr(struct fy_jw *w, const char *raw, size_t n)
{
	fy_jw_rawstr_begin(w);
	fy_jw_rawstr_piece(w, raw, n);
	fy_jw_rawstr_end(w);
}

void fy_jw_time(struct fy_jw *w, int64_t sec, int32_t nsec)
{
	char t[40];

	fy_time_format(sec, nsec, t);
	fy_jw_rawstr(w, t, strlen(t));
}

void fy_jw_mark(const struct fy_jw *w, struct fy_jw_mark *m)
{
	m->len = w->b->len;
	m->depth = w->depth;
	m->first = w->first[w->depth];
	m->after_key = w->after_key;
}

void fy_jw_rewind(struct fy_jw *w, const struct fy_jw_mark *m)
{
	if (w->failed)
		return;
	w->b->len = m->len;
	if (w->b->ptr)
		w->b->ptr[m->len] = '\0';
	w->depth = m->depth;
	w->first[w->depth] = m->first;
	w->after_key = m->after_key;
}

int fy_jw_empty(const struct fy_jw *w)
{
	return w->first[w->depth];
}

int fy_jw_finish(struct fy_jw *w, struct fy_error *err)
{
	if (!w->failed && w->depth != 0) {
		fy_error_set(&w->err, FY_E_INTERNAL, "JSON writer: %u containers left open", w->depth);
		w->failed = 1;
	}
	if (w->failed) {
		if (err)
			*err = w->err;
		return -1;
	}
	return 0;
}
