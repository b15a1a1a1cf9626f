/*
 * jsonw.c - a token-at-a-time JSON writer over struct fy_buf. See jsonw.h.
 */
#include "jsonw.h"

#include <stdio.h>
#include <string.h>

void fy_jw_init(struct fy_jw *w, struct fy_buf *b, struct fy_error *err)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	w->err = err;
}

int fy_jw_finish(struct fy_jw *w)
{
	if (!w->failed && (w->depth || w->after_key)) {
		w->failed = 1;
		return fy_error_set(w->err, FY_E_INTERNAL, "json writer: unbalanced output");
	}
	return w->failed ? -1 : 0;
}

static void check(struct fy_jw *w, int rc)
{
	if (rc < 0)
		w->failed = 1;
}

/* What comes before any value: a comma between array elements. */
static int value_start(struct fy_jw *w)
{
	if (w->failed)
		return -1;
	if (w->after_key) {
		w->after_key = 0;
		return 0;
	}
	if (w->depth) {
		if (w->close[w->depth - 1] == '}') {
			w->failed = 1;
			return fy_error_set(w->err, FY_E_INTERNAL, "json writer: object value without a key");
		}
		if (w->used[w->depth - 1])
			check(w, fy_buf_addc(w->b, ',', w->err));
		w->used[w->depth - 1] = 1;
	}
	return w->failed ? -1 : 0;
}

static void open_(struct fy_jw *w, char open, char close)
{
	if (value_start(w) < 0)
		return;
	if (w->depth == FY_JW_DEPTH) {
		w->failed = 1;
		fy_error_set(w->err, FY_E_DATA, "json writer: nesting deeper than %d", FY_JW_DEPTH);
		return;
	}
	check(w, fy_buf_addc(w->b, open, w->err));
	w->used[w->depth] = 0;
	w->close[w->depth++] = close;
}

void fy_jw_obj(struct fy_jw *w)
{
	open_(w, '{', '}');
}

void fy_jw_arr(struct fy_jw *w)
{
	open_(w, '[', ']');
}

void fy_jw_end(struct fy_jw *w)
{
	if (w->failed)
		return;
	if (!w->depth || w->after_key) {
		w->failed = 1;
		fy_error_set(w->err, FY_E_INTERNAL, "json writer: end without an open value");
		return;
	}
	w->depth--;
	check(w, fy_buf_addc(w->b, w->close[w->depth], w->err));
}

void fy_jw_keyn(struct fy_jw *w, const char *key, size_t n)
{
	if (w->failed)
		return;
	if (!w->depth || w->close[w->depth - 1] != '}' || w->after_key) {
		w->failed = 1;
		fy_error_set(w->err, FY_E_INTERNAL, "json writer: a key outside an object");
		return;
	}
	if (w->used[w->depth - 1])
		check(w, fy_buf_addc(w->b, ',', w->err));
	w->used[w->depth - 1] = 1;
	check(w, fy_buf_add_jstr(w->b, key, n, w->err));
	check(w, fy_buf_addc(w->b, ':', w->err));
	w->after_key = 1;
}

void fy_jw_key(struct fy_jw *w, const char *key)
{
	fy_jw_keyn(w, key, strlen(key));
}

void fy_jw_strn(struct fy_jw *w, const char *s, size_t n)
{
	if (value_start(w) < 0)
		return;
	check(w, fy_buf_add_jstr(w->b, s, n, w->err));
}

void fy_jw_str(struct fy_jw *w, const char *s)
{
	if (!s)
		fy_jw_null(w);
	else
		fy_jw_strn(w, s, strlen(s));
}

void fy_jw_int(struct fy_jw *w, long long v)
{
	if (value_start(w) < 0)
		return;
	check(w, fy_buf_addf(w->b, w->err, "%lld", v));
}

void fy_jw_bool(struct fy_jw *w, int v)
{
	fy_jw_raw(w, v ? "true" : "false", v ? 4 : 5);
}

void fy_jw_null(struct fy_jw *w)
{
	fy_jw_raw(w, "null", 4);
}

void fy_jw_raw(struct fy_jw *w, const char *json, size_t n)
{
	if (value_start(w) < 0)
		return;
	check(w, fy_buf_add(w->b, json, n, w->err));
}

void fy_jw_copy(struct fy_jw *w, const struct fy_jdoc *d, uint32_t v)
{
	if (fy_json_type(d, v) == FY_JABSENT) {
		fy_jw_null(w);
		return;
	}
	if (value_start(w) < 0)
		return;
	check(w, fy_json_emit(d, v, w->b, w->err));
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

void fy_jw_kcopy(struct fy_jw *w, const char *key, const struct fy_jdoc *d, uint32_t v)
{
	fy_jw_key(w, key);
	fy_jw_copy(w, d, v);
}

void fy_jw_kcopy_opt(struct fy_jw *w, const char *key, const struct fy_jdoc *d, uint32_t v)
{
	if (fy_json_type(d, v) != FY_JABSENT)
		fy_jw_kcopy(w, key, d, v);
}
