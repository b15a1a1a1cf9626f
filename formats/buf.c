/*
 * buf.c - growable, bounded, NUL-terminated buffers. See buf.h.
 */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fy_buf_init(struct fy_buf *b, size_t max)
{
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void fy_buf_release(struct fy_buf *b)
{
	if (!b)
		return;
	free(b->ptr);
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
}

char *fy_buf_detach(struct fy_buf *b, size_t *len)
{
	char *p = b->ptr;

	if (len)
		*len = b->len;
	if (!p)
		p = calloc(1, 1);
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

int fy_buf_grow(struct fy_buf *b, size_t n, struct fy_error *err)
{
	size_t want, cap;
	char *p;

	if (n > b->max || b->len > b->max - n)
		return fy_error_set(err, FY_E_DATA,
				    "value larger than the limit of %zu bytes", b->max);
	want = b->len + n + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	p = realloc(b->ptr, cap);
	if (!p)
		return fy_error_set(err, FY_E_NOMEM, "out of memory (%zu bytes)", cap);
	b->ptr = p;
	b->cap = cap;
	if (b->len == 0)
		b->ptr[0] = '\0';
	return 0;
}

int fy_buf_add(struct fy_buf *b, const void *p, size_t n, struct fy_error *err)
{
	if (fy_buf_grow(b, n, err) < 0)
		return -1;
	if (n)
		memcpy(b->ptr + b->len, p, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int fy_buf_adds(struct fy_buf *b, const char *s, struct fy_error *err)
{
	return fy_buf_add(b, s, strlen(s), err);
}

int fy_buf_addc(struct fy_buf *b, char c, struct fy_error *err)
{
	return fy_buf_add(b, &c, 1, err);
}

int fy_buf_addf(struct fy_buf *b, struct fy_error *err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return fy_error_set(err, FY_E_INTERNAL, "bad format string");
	if (fy_buf_grow(b, (size_t)n, err) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

static int add_jstr(struct fy_buf *b, const char *s, size_t n, struct fy_error *err);

/* Appends all or nothing: on failure the buffer is as it was. */
int fy_buf_add_jstr(struct fy_buf *b, const char *s, size_t n, struct fy_error *err)
{
	size_t old = b->len;

	if (add_jstr(b, s, n, err) < 0) {
		b->len = old;
		if (b->ptr)
			b->ptr[old] = '\0';
		return -1;
	}
	return 0;
}

static int add_jstr(struct fy_buf *b, const char *s, size_t n, struct fy_error *err)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, start = 0;

	if (fy_buf_addc(b, '"', err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6];
		size_t elen = 2;

		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		if (fy_buf_add(b, s + start, i - start, err) < 0)
			return -1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
		}
		if (fy_buf_add(b, esc, elen, err) < 0)
			return -1;
		start = i + 1;
	}
	if (fy_buf_add(b, s + start, n - start, err) < 0)
		return -1;
	return fy_buf_addc(b, '"', err);
}

void fy_buf_consume(struct fy_buf *b, size_t n)
{
	if (n >= b->len) {
		fy_buf_reset(b);
		return;
	}
	memmove(b->ptr, b->ptr + n, b->len - n);
	b->len -= n;
	b->ptr[b->len] = '\0';
}
