/*
 * buf.h - the one growable byte buffer of ferry.
 *
 * Always NUL-terminated (buf.ptr[buf.len] == 0), so it can be handed to
 * string functions. Every buffer has a maximum size: anything fed from a
 * file or the network must be bounded (curl's dynbuf rule). A buffer
 * initialised with FY_BUF_INIT(max) owns nothing until the first append.
 *
 *	struct fy_buf b = FY_BUF_INIT(1 << 20);
 *	if (fy_buf_add(&b, data, n, err) < 0) goto out;
 *	...
 * out:
 *	fy_buf_release(&b);
 */
#ifndef FY_BUF_H
#define FY_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct fy_buf {
	char *ptr;	/* owned; NULL until the first growth */
	size_t len;	/* bytes in use, not counting the NUL */
	size_t cap;	/* bytes allocated */
	size_t max;	/* hard limit on len */
};

#define FY_BUF_INIT(maxlen) { NULL, 0, 0, (maxlen) }

void fy_buf_init(struct fy_buf *b, size_t max);
/* Free the storage; the buffer is empty and reusable afterwards. */
void fy_buf_release(struct fy_buf *b);
/* Empty the buffer but keep its storage. */
static inline void fy_buf_reset(struct fy_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}
/* Hand the storage to the caller (who frees it); the buffer becomes empty. */
char *fy_buf_detach(struct fy_buf *b, size_t *len);

/* Make room for n more bytes. FY_E_DATA when max would be exceeded. */
int fy_buf_grow(struct fy_buf *b, size_t n, struct fy_error *err);
int fy_buf_add(struct fy_buf *b, const void *p, size_t n, struct fy_error *err);
int fy_buf_adds(struct fy_buf *b, const char *s, struct fy_error *err);
int fy_buf_addc(struct fy_buf *b, char c, struct fy_error *err);
int fy_buf_addf(struct fy_buf *b, struct fy_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Append s as a JSON string literal, quotes included. s must be UTF-8. */
int fy_buf_add_jstr(struct fy_buf *b, const char *s, size_t n, struct fy_error *err);
/* Drop the first n bytes. */
void fy_buf_consume(struct fy_buf *b, size_t n);

#endif
