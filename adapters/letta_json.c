/*
 * letta_json.c - the JSON text builder and small helpers of the letta-af
 * adapter. See letta.h.
 */
#include "letta.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- member copies over fy_jw ------------------------------------------------ */

void letta_jw_keynode(struct fy_jw *w, const struct fy_jdoc *d, uint32_t key)
{
	struct fy_buf k = FY_BUF_INIT(1 << 20);

	if (w->failed)
		return;
	if (fy_json_str(d, key, &k, &w->err) < 0)
		w->failed = 1;
	else
		fy_jw_key(w, k.ptr ? k.ptr : "");
	fy_buf_release(&k);
}

void letta_jw_member(struct fy_jw *w, const struct fy_jdoc *d, uint32_t key, uint32_t val)
{
	letta_jw_keynode(w, d, key);
	fy_jw_node(w, d, val);
}

void letta_jw_members_except(struct fy_jw *w, const struct fy_jdoc *d, uint32_t obj,
			     const char *const *skip, int drop_null)
{
	uint32_t k, key, val;

	if (w->failed || fy_json_type(d, obj) != FY_JOBJECT)
		return;
	FY_JSON_FOREACH_MEMBER(d, obj, k, key, val) {
		size_t len;
		const char *s = fy_json_raw(d, key, &len);

		if (drop_null && fy_json_type(d, val) == FY_JNULL)
			continue;
		if (skip && letta_in_list(skip, s, len) && !fy_json_has_escapes(d, key))
			continue;
		letta_jw_member(w, d, key, val);
	}
}

/* --- helpers ----------------------------------------------------------- */

int letta_in_list(const char *const *list, const char *key, size_t n)
{
	for (; list && *list; list++)
		if (strlen(*list) == n && memcmp(*list, key, n) == 0)
			return 1;
	return 0;
}

uint32_t letta_get(const struct fy_jdoc *d, uint32_t obj, const char *key)
{
	uint32_t v = fy_json_get(d, obj, key);

	if (v == FY_JNONE || fy_json_type(d, v) == FY_JNULL)
		return FY_JNONE;
	return v;
}

int letta_same_str(const struct fy_jdoc *d, uint32_t a, uint32_t b)
{
	size_t l1, l2;
	const char *s1, *s2;

	if (fy_json_type(d, a) != FY_JSTRING || fy_json_type(d, b) != FY_JSTRING)
		return 0;
	s1 = fy_json_raw(d, a, &l1);
	s2 = fy_json_raw(d, b, &l2);
	return l1 == l2 && memcmp(s1, s2, l1) == 0;
}

int letta_raw_is(const struct fy_jdoc *d, uint32_t i, const char *lit)
{
	size_t len;
	const char *s;

	if (fy_json_type(d, i) != FY_JSTRING)
		return 0;
	s = fy_json_raw(d, i, &len);
	return len == strlen(lit) && memcmp(s, lit, len) == 0;
}

int letta_has_members_except(const struct fy_jdoc *d, uint32_t obj, const char *const *skip)
{
	uint32_t k, key, val;

	if (fy_json_type(d, obj) != FY_JOBJECT)
		return 0;
	FY_JSON_FOREACH_MEMBER(d, obj, k, key, val) {
		size_t len;
		const char *s = fy_json_raw(d, key, &len);

		if (fy_json_type(d, val) == FY_JNULL)
			continue;
		if (!letta_in_list(skip, s, len))
			return 1;
	}
	return 0;
}

static int num(const char *s, int n, int *v)
{
	int i, r = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		r = r * 10 + (s[i] - '0');
	}
	*v = r;
	return 0;
}

int letta_time_to_utc(const char *s, size_t n, char *out)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	size_t p = 19, fstart, flen;
	struct tm tm;
	time_t t;

	if (n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	if (num(s, 4, &y) < 0 || num(s + 5, 2, &mo) < 0 || num(s + 8, 2, &d) < 0 ||
	    num(s + 11, 2, &h) < 0 || num(s + 14, 2, &mi) < 0 || num(s + 17, 2, &sec) < 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	fstart = p;
	if (p < n && s[p] == '.') {
		p++;
		fstart = p;
		while (p < n && s[p] >= '0' && s[p] <= '9')
			p++;
		if (p == fstart)
			return -1;
	}
	flen = p - fstart;
	if (flen > 9)
		flen = 9;	/* RFC 3339 in the archive keeps at most 9 digits */
	if (p < n && (s[p] == 'Z' || s[p] == 'z')) {
		p++;
	} else if (p < n && (s[p] == '+' || s[p] == '-')) {
		sign = s[p] == '-' ? -1 : 1;
		if (n - p != 6 || s[p + 3] != ':' || num(s + p + 1, 2, &oh) < 0 ||
		    num(s + p + 4, 2, &om) < 0)
			return -1;
		p += 6;
	}
	if (p != n)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm) - (time_t)sign * (oh * 3600 + om * 60);
	if (!gmtime_r(&t, &tm))
		return -1;
	snprintf(out, 48, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	{
		size_t l = strlen(out);

		if (flen) {
			out[l++] = '.';
			memcpy(out + l, s + fstart, flen);
			l += flen;
		}
		out[l++] = 'Z';
		out[l] = '\0';
	}
	return 0;
}

static int id_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '~' || c == '-';
}

/* The id characters of s[0..n) into out (at most max); returns how many. */
static size_t id_chars(const char *s, size_t n, size_t max, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n && o < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80) {
			/* one '_' per UTF-8 character */
			while (i + 1 < n && ((unsigned char)s[i + 1] & 0xc0) == 0x80)
				i++;
			c = '_';
		} else if (!id_char(c)) {
			c = '_';
		}
		if (o == 0 && (c == '.' || c == '-'))
			continue;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return o;
}

void letta_id_from(const char *s, size_t n, const char *fallback, size_t max, char *out)
{
	if (max > FY_ID_MAX)
		max = FY_ID_MAX;
	/* The fallback is often the file's own id of the entity: made an id the same way. */
	if (id_chars(s, n, max, out) == 0 &&
	    (!fallback || id_chars(fallback, strlen(fallback), max, out) == 0))
		snprintf(out, FY_ID_MAX + 1, "_");
}

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int letta_b64_encode(const void *p, size_t n, struct fy_buf *out, struct fy_error *err)
{
	const unsigned char *s = p;
	size_t i;
	char *o;

	if (fy_buf_grow(out, (n + 2) / 3 * 4 + 1, err) < 0)
		return -1;
	o = out->ptr + out->len;
	for (i = 0; i + 2 < n; i += 3) {
		*o++ = b64chars[s[i] >> 2];
		*o++ = b64chars[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		*o++ = b64chars[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
		*o++ = b64chars[s[i + 2] & 63];
	}
	if (i < n) {
		*o++ = b64chars[s[i] >> 2];
		if (i + 1 < n) {
			*o++ = b64chars[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
			*o++ = b64chars[(s[i + 1] & 15) << 2];
		} else {
			*o++ = b64chars[(s[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	out->len = (size_t)(o - out->ptr);
	out->ptr[out->len] = '\0';
	return 0;
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

int letta_b64_decode(const char *s, size_t n, struct fy_buf *out, struct fy_error *err)
{
	unsigned acc = 0;
	int bits = 0, pad = 0;
	size_t i;

	if (fy_buf_grow(out, n / 4 * 3 + 3, err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int v;

		if (c == '\n' || c == '\r' || c == ' ')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad || (v = b64val(c)) < 0)
			return fy_error_set(err, FY_E_DATA, "not base64");
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out->ptr[out->len++] = (char)((acc >> bits) & 0xff);
		}
	}
	if (pad > 2)
		return fy_error_set(err, FY_E_DATA, "not base64");
	out->ptr[out->len] = '\0';
	return 0;
}

size_t letta_utf8_chars(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

struct kv {
	const char *k;
	size_t klen;
	uint32_t key, val;
};

static int cmp_kv(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->k, y->k, n);

	if (c)
		return c;
	return x->klen < y->klen ? -1 : x->klen > y->klen;
}

int letta_canonical(const struct fy_jdoc *d, uint32_t i, struct fy_buf *out, struct fy_error *err)
{
	enum fy_jtype ty = fy_json_type(d, i);
	uint32_t k, el, key, val, n;
	struct kv *kvs;
	int rc = 0;

	if (ty == FY_JARRAY) {
		if (fy_buf_addc(out, '[', err) < 0)
			return -1;
		FY_JSON_FOREACH(d, i, k, el)
			if ((k && fy_buf_addc(out, ',', err) < 0) || letta_canonical(d, el, out, err) < 0)
				return -1;
		return fy_buf_addc(out, ']', err);
	}
	if (ty != FY_JOBJECT)
		return fy_json_emit(d, i, out, err);
	n = fy_json_len(d, i);
	kvs = calloc(n ? n : 1, sizeof(*kvs));
	if (!kvs)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	FY_JSON_FOREACH_MEMBER(d, i, k, key, val) {
		kvs[k].k = fy_json_raw(d, key, &kvs[k].klen);
		kvs[k].key = key;
		kvs[k].val = val;
	}
	qsort(kvs, n, sizeof(*kvs), cmp_kv);
	if (fy_buf_addc(out, '{', err) < 0)
		rc = -1;
	for (k = 0; rc == 0 && k < n; k++)
		if ((k && fy_buf_addc(out, ',', err) < 0) || fy_json_emit(d, kvs[k].key, out, err) < 0 ||
		    fy_buf_addc(out, ':', err) < 0 || letta_canonical(d, kvs[k].val, out, err) < 0)
			rc = -1;
	if (rc == 0 && fy_buf_addc(out, '}', err) < 0)
		rc = -1;
	free(kvs);
	return rc;
}

void letta_digest_add(struct letta_digest *g, const void *p, size_t n)
{
	unsigned char h[FY_SHA256_LEN];
	unsigned carry = 0;
	int i;

	fy_sha256(p, n, h);
	for (i = FY_SHA256_LEN - 1; i >= 0; i--) {
		carry += (unsigned)g->sum[i] + h[i];
		g->sum[i] = (unsigned char)carry;
		carry >>= 8;
	}
	g->count++;
}

int letta_digest_add_record(struct letta_digest *g, const char *json, size_t len,
			    struct fy_error *err)
{
	struct fy_jdoc d;
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 31);
	int rc;

	fy_jdoc_init(&d);
	rc = fy_jdoc_parse(&d, json, len, 0, err);
	if (rc == 0)
		rc = letta_canonical(&d, 0, &b, err);
	if (rc == 0)
		letta_digest_add(g, b.ptr ? b.ptr : "", b.len);
	fy_buf_release(&b);
	fy_jdoc_release(&d);
	return rc;
}

int letta_strs_add(struct letta_strs *s, const char *str, struct fy_error *err)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n] = strdup(str);
	if (!s->v[s->n])
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	s->n++;
	return 0;
}

int letta_strs_has(const struct letta_strs *s, const char *str)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], str) == 0)
			return 1;
	return 0;
}

void letta_strs_release(struct letta_strs *s)
{
	while (s->n)
		free(s->v[--s->n]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
