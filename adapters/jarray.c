/*
 * jarray.c - stream the elements of a top-level JSON array. See jarray.h.
 *
 * The buffer refills by filling all of its free space in one read; when an
 * element does not fit, the buffer doubles. So an element of size S is
 * scanned O(log S) times and a file is read in large sequential reads.
 */
#include "jarray.h"

#include <string.h>

#define READ_MIN ((size_t)1 << 20)

void fy_jarray_init(struct fy_jarray *ja, fy_read_fn read, void *ctx, unsigned flags,
		    size_t max_element)
{
	memset(ja, 0, sizeof(*ja));
	ja->read = read;
	ja->ctx = ctx;
	ja->flags = flags;
	ja->noun = "element";
	fy_buf_init(&ja->buf, (max_element ? max_element : FY_JARRAY_ELEMENT_MAX) + 2 * READ_MIN);
}

void fy_jarray_release(struct fy_jarray *ja)
{
	if (ja)
		fy_buf_release(&ja->buf);
}

/* Read more: keep buf[pos..len), fill the free space. */
static int fill(struct fy_jarray *ja, struct fy_error *err)
{
	struct fy_buf *b = &ja->buf;
	size_t got = 0, room;

	if (ja->pos) {
		ja->base += ja->pos;
		fy_buf_consume(b, ja->pos);
		ja->pos = 0;
	}
	room = b->cap > b->len + 1 ? b->cap - b->len - 1 : 0;
	if (room < READ_MIN || room < b->len) {
		/* Grow to twice what is held (at least READ_MIN more). */
		size_t want = b->len > READ_MIN ? b->len : READ_MIN;

		if (fy_buf_grow(b, want, err) < 0)
			return fy_error_set(err, FY_E_DATA,
					    "%s %llu at byte %llu is larger than the limit of %zu bytes",
					    ja->noun, (unsigned long long)ja->index + 1,
					    (unsigned long long)ja->base, b->max - 2 * READ_MIN);
		room = b->cap - b->len - 1;
	}
	if (ja->read(ja->ctx, b->ptr + b->len, room, &got, err) < 0)
		return -1;
	if (got == 0)
		ja->eof = 1;
	b->len += got;
	b->ptr[b->len] = '\0';
	return 0;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* The next non-whitespace byte (refilling as needed), or -1 at the end. */
static int peek(struct fy_jarray *ja, struct fy_error *err, int *c)
{
	for (;;) {
		while (ja->pos < ja->buf.len && is_ws(ja->buf.ptr[ja->pos]))
			ja->pos++;
		if (ja->pos < ja->buf.len) {
			*c = (unsigned char)ja->buf.ptr[ja->pos];
			return 0;
		}
		if (ja->eof) {
			*c = -1;
			return 0;
		}
		if (fill(ja, err) < 0)
			return -1;
	}
}

static int truncated(struct fy_jarray *ja, struct fy_error *err)
{
	if (ja->state == 0)
		return fy_error_set(err, FY_E_DATA, "empty file (expected a JSON array)");
	return fy_error_set(err, FY_E_DATA,
			    "truncated: the file ends inside %s %llu (which starts at byte %llu)",
			    ja->noun, (unsigned long long)ja->index + 1, (unsigned long long)fy_jarray_offset(ja));
}

/*
 * Move to the start of the next element: 1 with *cp its first byte, 0
 * after the closing bracket, -1 on an error.
 */
static int start_element(struct fy_jarray *ja, int *cp, struct fy_error *err)
{
	int c;

	if (ja->state == 2)
		return 0;
	if (peek(ja, err, &c) < 0)
		return -1;
	if (ja->state == 0) {
		if (c == '{' && (ja->flags & FY_JARRAY_OBJECT)) {
			ja->single = 1;
		} else if (c != '[') {
			if (c < 0)
				return truncated(ja, err);
			return fy_error_set(err, FY_E_DATA, "byte %llu: expected a JSON array, found '%c'",
					    (unsigned long long)fy_jarray_offset(ja), c);
		} else {
			ja->pos++;
			if (peek(ja, err, &c) < 0)
				return -1;
			if (c == ']') {
				ja->pos++;
				goto closed;
			}
		}
		ja->state = 1;
	} else if (ja->single) {
		goto closed;
	} else if (c == ',') {
		ja->pos++;
		if (peek(ja, err, &c) < 0)
			return -1;
	} else if (c == ']') {
		ja->pos++;
		goto closed;
	} else if (c < 0) {
		return fy_error_set(err, FY_E_DATA,
				    "truncated: the file ends after %s %llu without the closing ']'",
				    ja->noun, (unsigned long long)ja->index);
	} else {
		return fy_error_set(err, FY_E_DATA, "byte %llu: expected ',' or ']' after %s %llu",
				    (unsigned long long)fy_jarray_offset(ja), ja->noun,
				    (unsigned long long)ja->index);
	}
	if (c < 0)
		return truncated(ja, err);
	if (c != '{' && c != '[' && c != '"' && c != '-' && c != 't' && c != 'f' && c != 'n' &&
	    !(c >= '0' && c <= '9'))
		return fy_error_set(err, FY_E_DATA, "byte %llu: unexpected '%c' where %s %llu should start",
				    (unsigned long long)fy_jarray_offset(ja), c, ja->noun,
				    (unsigned long long)ja->index + 1);
	*cp = c;
	return 1;
closed:
	ja->state = 2;
	if (peek(ja, err, &c) < 0)
		return -1;
	if (c >= 0)
		return fy_error_set(err, FY_E_DATA, "byte %llu: data after the end of the JSON %s",
				    (unsigned long long)fy_jarray_offset(ja), ja->single ? "object" : "array");
	return 0;
}

/* Hand out the element buf[pos..pos+end). */
static void take(struct fy_jarray *ja, size_t end, const char **el, size_t *len)
{
	*el = ja->buf.ptr + ja->pos;
	*len = end;
	ja->start = fy_jarray_offset(ja);
	ja->pos += end;
	ja->index++;
}

int fy_jarray_next(struct fy_jarray *ja, const char **el, size_t *len, struct fy_error *err)
{
	int c, rc = start_element(ja, &c, err);

	if (rc <= 0)
		return rc;
	for (;;) {
		size_t end = 0;

		rc = fy_json_scan(ja->buf.ptr + ja->pos, ja->buf.len - ja->pos, &end, 128, err);
		if (rc < 0)
			return fy_error_prefix(err, "%s %llu (at byte %llu)", ja->noun,
					       (unsigned long long)ja->index + 1,
					       (unsigned long long)fy_jarray_offset(ja));
		if (rc == 1) {
			take(ja, end, el, len);
			return 1;
		}
		if (ja->eof)
			return truncated(ja, err);
		if (fill(ja, err) < 0)
			return -1;
	}
}

int fy_jarray_next_doc(struct fy_jarray *ja, struct fy_jdoc *d, unsigned flags,
		       struct fy_error *err)
{
	int c, rc = start_element(ja, &c, err);
	int scalar;

	if (rc <= 0)
		return rc;
	scalar = c != '{' && c != '[' && c != '"';
	for (;;) {
		const char *el;
		size_t avail = ja->buf.len - ja->pos, end = 0, len;
		struct fy_error perr;

		/* Parse straight from the buffer; only a failure needs the structural scan. */
		if (fy_jdoc_parse(d, ja->buf.ptr + ja->pos, avail, flags | FY_J_PREFIX, &perr) == 0 &&
		    !(scalar && d->end == avail && !ja->eof)) {
			take(ja, d->end, &el, &len);
			return 1;
		}
		rc = fy_json_scan(ja->buf.ptr + ja->pos, avail, &end, 128, err);
		if (rc < 0)
			return fy_error_prefix(err, "%s %llu (at byte %llu)", ja->noun,
					       (unsigned long long)ja->index + 1,
					       (unsigned long long)fy_jarray_offset(ja));
		if (rc == 1 && !(scalar && end == avail && !ja->eof)) {
			/* complete, yet the parser refused it: that is the error */
			*err = perr;
			return fy_error_prefix(err, "%s %llu (at byte %llu)", ja->noun,
					       (unsigned long long)ja->index + 1,
					       (unsigned long long)fy_jarray_offset(ja));
		}
		if (ja->eof)
			return truncated(ja, err);
		if (fill(ja, err) < 0)
			return -1;
	}
}
