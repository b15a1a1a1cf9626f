/*
 * jw.c - compact JSON text into a buffer. See jw.h.
 */
#include "jw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "sha256.h"

void jw_open(struct jw *w, struct fy_buf *b, struct fy_error *err)
{
	w->b = b;
	w->err = err;
	w->depth = 0;
	w->first[0] = 1;
	w->failed = 0;
}

int jw_done(struct jw *w)
{
	if (!w->failed && w->depth != 0)
		w->failed = fy_error_set(w->err, FY_E_INTERNAL, "unbalanced JSON record");
	return w->failed ? -1 : 0;
}

static void add(struct jw *w, const void *p, size_t n)
{
	if (!w->failed && fy_buf_add(w->b, p, n, w->err) < 0)
		w->failed = 1;
}

/* The comma and the key before a value. */
static void lead(struct jw *w, const char *key)
{
	struct fy_buf *b = w->b;
	size_t klen = key ? strlen(key) : 0;
	char *p;

	if (w->failed)
		return;
	if (fy_buf_grow(b, klen + 4, w->err) < 0) {
		w->failed = 1;
		return;
	}
	p = b->ptr + b->len;
	if (!w->first[w->depth])
		*p++ = ',';
	w->first[w->depth] = 0;
	if (key) {
		*p++ = '"';
		memcpy(p, key, klen);
		p += klen;
		*p++ = '"';
		*p++ = ':';
	}
	b->len = (size_t)(p - b->ptr);
	b->ptr[b->len] = '\0';
}

static void open_level(struct jw *w, const char *key, char c)
{
	lead(w, key);
	add(w, &c, 1);
	if (w->failed)
		return;
	if (w->depth + 1 >= JW_DEPTH) {
		w->failed = fy_error_set(w->err, FY_E_INTERNAL, "record nested too deep");
		return;
	}
	w->first[++w->depth] = 1;
}

void jw_obj(struct jw *w, const char *key)
{
	open_level(w, key, '{');
}

void jw_arr(struct jw *w, const char *key)
{
	open_level(w, key, '[');
}

void jw_end(struct jw *w, char close)
{
	if (w->failed)
		return;
	if (w->depth == 0) {
		w->failed = fy_error_set(w->err, FY_E_INTERNAL, "unbalanced JSON record");
		return;
	}
	w->depth--;
	add(w, &close, 1);
}

void jw_str(struct jw *w, const char *key, const char *s, size_t n)
{
	lead(w, key);
	if (!w->failed && fy_buf_add_jstr(w->b, s, n, w->err) < 0)
		w->failed = 1;
}

void jw_raw(struct jw *w, const char *key, const char *raw, size_t n)
{
	struct fy_buf *b = w->b;

	lead(w, key);
	if (w->failed)
		return;
	if (fy_buf_grow(b, n + 2, w->err) < 0) {
		w->failed = 1;
		return;
	}
	b->ptr[b->len++] = '"';
	memcpy(b->ptr + b->len, raw, n);
	b->len += n;
	b->ptr[b->len++] = '"';
	b->ptr[b->len] = '\0';
}

void jw_lit(struct jw *w, const char *key, const char *lit)
{
	jw_raw(w, key, lit, strlen(lit));
}

void jw_raw_begin(struct jw *w, const char *key)
{
	lead(w, key);
	add(w, "\"", 1);
}

void jw_raw_piece(struct jw *w, const char *raw, size_t n)
{
	add(w, raw, n);
}

void jw_raw_finish(struct jw *w)
{
	add(w, "\"", 1);
}

void jw_jstr(struct jw *w, const char *key, const struct fy_jdoc *d, uint32_t i)
{
	size_t n;
	const char *s = fy_json_raw(d, i, &n);

	jw_raw(w, key, s, n);
}

void jw_node(struct jw *w, const char *key, const struct fy_jdoc *d, uint32_t i)
{
	lead(w, key);
	if (!w->failed && fy_json_emit(d, i, w->b, w->err) < 0)
		w->failed = 1;
}

void jw_int(struct jw *w, const char *key, int64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%lld", (long long)v);

	lead(w, key);
	add(w, tmp, (size_t)n);
}

void jw_bool(struct jw *w, const char *key, int v)
{
	lead(w, key);
	add(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct jw *w, const char *key)
{
	lead(w, key);
	add(w, "null", 4);
}

void jw_time(struct jw *w, const char *key, int64_t sec, int32_t nsec)
{
	char t[40];

	fy_time_format(sec, nsec, t);
	jw_raw(w, key, t, strlen(t));
}

/* Year 10000 starts here; fy_time_format writes four-digit years. */
#define EPOCH_MAX 253402300800LL

int jw_epoch(const char *s, size_t n, int64_t *sec, int32_t *nsec)
{
	char tmp[72];
	size_t i = 0;
	int64_t v = 0;
	int32_t ns = 0;
	int digits = 0, k;
	double d;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	while (i < n && s[i] >= '0' && s[i] <= '9') {
		if (v > EPOCH_MAX)
			return -1;
		v = v * 10 + (s[i++] - '0');
	}
	if (i == 0)
		goto other;	/* a sign: negative times are refused below */
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (digits < 9) {
				ns = ns * 10 + (s[i] - '0');
				digits++;
			}
			i++;
		}
		for (k = digits; k < 9; k++)
			ns *= 10;
	}
	if (i != n)
		goto other;
	if (v >= EPOCH_MAX)
		return -1;
	*sec = v;
	*nsec = ns;
	return 0;
other:
	/* Exponent forms (1.69e9): through a double, kept to microseconds. */
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	d = strtod(tmp, NULL);
	if (!(d >= 0) || d >= (double)EPOCH_MAX)
		return -1;
	*sec = (int64_t)d;
	*nsec = (int32_t)((int64_t)((d - (double)*sec) * 1e6 + 0.5) * 1000);
	if (*nsec >= 1000000000) {
		*sec += 1;
		*nsec -= 1000000000;
	}
	return 0;
}

int jw_rfc3339(const char *s, size_t n, int64_t *sec, int32_t *nsec)
{
	char tmp[64];
	size_t base = n;
	int sign = 0, hh, mm;

	if (n < 20 || n >= sizeof(tmp))
		return -1;
	if (s[n - 1] == 'Z' || s[n - 1] == 'z') {
		memcpy(tmp, s, n);
		tmp[n - 1] = 'Z';
		tmp[n] = '\0';
		return fy_time_parse(tmp, n, sec, nsec);
	}
	/* +HH:MM or -HH:MM */
	base = n - 6;
	if (s[base] != '+' && s[base] != '-')
		return -1;
	sign = s[base] == '+' ? 1 : -1;
	if (s[base + 3] != ':' || s[base + 1] < '0' || s[base + 1] > '9' || s[base + 2] < '0' ||
	    s[base + 2] > '9' || s[base + 4] < '0' || s[base + 4] > '9' || s[base + 5] < '0' ||
	    s[base + 5] > '9')
		return -1;
	hh = (s[base + 1] - '0') * 10 + (s[base + 2] - '0');
	mm = (s[base + 4] - '0') * 10 + (s[base + 5] - '0');
	if (hh > 23 || mm > 59)
		return -1;
	memcpy(tmp, s, base);
	tmp[base] = 'Z';
	tmp[base + 1] = '\0';
	if (fy_time_parse(tmp, base + 1, sec, nsec) < 0)
		return -1;
	*sec -= sign * (hh * 3600 + mm * 60);
	return 0;
}

int jv_is(const struct fy_jdoc *d, uint32_t v, const char *lit)
{
	size_t n, ll = strlen(lit);
	const char *s;

	if (!jv_str(d, v))
		return 0;
	if (fy_json_has_escapes(d, v))
		return fy_json_streq(d, v, lit);
	s = fy_json_raw(d, v, &n);
	return n == ll && memcmp(s, lit, n) == 0;
}

int jv_empty(const struct fy_jdoc *d, uint32_t v)
{
	size_t n;

	fy_json_raw(d, v, &n);
	return n == 0;
}

void jw_hash16(const char *s, size_t n, char out[17])
{
	unsigned char h[FY_SHA256_LEN];
	char hex[FY_SHA256_HEX];

	fy_sha256(s, n, h);
	fy_hex(h, FY_SHA256_LEN, hex);
	memcpy(out, hex, 16);
	out[16] = '\0';
}
