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
	fy_jw_init(&w->j, b);
	w->err = err;
}

int jw_done(struct jw *w)
{
	return fy_jw_finish(&w->j, w->err);
}

/* Keys are ASCII literals of the mappers: no escaping needed. */
static void key(struct jw *w, const char *k)
{
	if (k)
		fy_jw_rawkey(&w->j, k, strlen(k));
}

void jw_obj(struct jw *w, const char *k)
{
	key(w, k);
	fy_jw_obj(&w->j);
}

void jw_arr(struct jw *w, const char *k)
{
	key(w, k);
	fy_jw_arr(&w->j);
}

void jw_end(struct jw *w, char close)
{
	(void)close;
	fy_jw_end(&w->j);
}

void jw_str(struct jw *w, const char *k, const char *s, size_t n)
{
	key(w, k);
	fy_jw_strn(&w->j, s, n);
}

void jw_raw(struct jw *w, const char *k, const char *raw, size_t n)
{
	key(w, k);
	fy_jw_rawstr(&w->j, raw, n);
}

void jw_lit(struct jw *w, const char *k, const char *lit)
{
	jw_raw(w, k, lit, strlen(lit));
}

void jw_raw_begin(struct jw *w, const char *k)
{
	key(w, k);
	fy_jw_rawstr_begin(&w->j);
}

void jw_raw_piece(struct jw *w, const char *raw, size_t n)
{
	fy_jw_rawstr_piece(&w->j, raw, n);
}

void jw_raw_finish(struct jw *w)
{
	fy_jw_rawstr_end(&w->j);
}

void jw_jstr(struct jw *w, const char *k, const struct fy_jdoc *d, uint32_t i)
{
	size_t n;
	const char *s = fy_json_raw(d, i, &n);

	jw_raw(w, k, s, n);
}

void jw_node(struct jw *w, const char *k, const struct fy_jdoc *d, uint32_t i)
{
	key(w, k);
	fy_jw_node(&w->j, d, i);
}

void jw_json(struct jw *w, const char *k, const char *json, size_t n)
{
	key(w, k);
	fy_jw_raw(&w->j, json, n);
}

void jw_int(struct jw *w, const char *k, int64_t v)
{
	key(w, k);
	fy_jw_int(&w->j, v);
}

void jw_bool(struct jw *w, const char *k, int v)
{
	key(w, k);
	fy_jw_bool(&w->j, v);
}

void jw_null(struct jw *w, const char *k)
{
	key(w, k);
	fy_jw_null(&w->j);
}

void jw_time(struct jw *w, const char *k, int64_t sec, int32_t nsec)
{
	key(w, k);
	fy_jw_time(&w->j, sec, nsec);
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
