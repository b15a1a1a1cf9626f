/*
 * jarray.h - the elements of a huge top-level JSON array, one at a time.
 *
 * An account export's conversations.json is one JSON array that can be
 * several GB. jarray reads it through a read function into a bounded
 * buffer and hands out each element's text (not parsed: the caller parses
 * it with fy_jdoc_parse()), so memory stays at about the size of the
 * largest element whatever the file size. Element boundaries are found
 * with fy_json_scan(), a structure-only scan that runs at memory speed;
 * the separators between elements are checked strictly.
 *
 *	struct fy_jarray ja;
 *	fy_jarray_init(&ja, read, ctx, 0);
 *	while ((rc = fy_jarray_next(&ja, &el, &len, err)) == 1) ...
 *	fy_jarray_release(&ja);
 */
#ifndef FY_JARRAY_H
#define FY_JARRAY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "item.h"
#include "json.h"

/* Flags. */
enum {
	FY_JARRAY_OBJECT = 1 << 0,	/* a top-level object counts as a one-element array */
};

#define FY_JARRAY_ELEMENT_MAX ((size_t)1 << 30)

struct fy_jarray {
	fy_read_fn read;
	void *ctx;
	unsigned flags;
	struct fy_buf buf;
	size_t pos;		/* the next unread byte in buf */
	uint64_t base;		/* file offset of buf.ptr[0] */
	uint64_t index;		/* elements handed out */
	uint64_t start;		/* file offset of the last element handed out */
	int state;		/* 0 before '[', 1 inside, 2 after ']' */
	int single;		/* the file held one object, not an array */
	int eof;
	const char *noun;	/* what an element is, for messages ("conversation"); default "element" */
};

/* read(ctx) supplies the bytes. max_element caps one element (0: the default). */
void fy_jarray_init(struct fy_jarray *ja, fy_read_fn read, void *ctx, unsigned flags,
		    size_t max_element);
void fy_jarray_release(struct fy_jarray *ja);

/*
 * The next element: 1 with *el and *len pointing into the buffer (valid until
 * the next call), 0 after the closing bracket (trailing whitespace only),
 * -1 on malformed or truncated input (FY_E_DATA, saying at which byte and
 * which element) or a read error.
 */
int fy_jarray_next(struct fy_jarray *ja, const char **el, size_t *len, struct fy_error *err);

/*
 * The same, parsed: the next element parsed into d (fy_jdoc_parse with
 * flags), its text borrowed from the buffer until the next call. This is
 * one pass over the bytes where fy_jarray_next() + parse is two; the
 * structural scan runs only for an element cut by the buffer's end and to
 * tell a truncated file from a malformed element.
 */
int fy_jarray_next_doc(struct fy_jarray *ja, struct fy_jdoc *d, unsigned flags,
		       struct fy_error *err);

/* Bytes consumed so far (for progress). */
static inline uint64_t fy_jarray_offset(const struct fy_jarray *ja)
{
	return ja->base + ja->pos;
}

#endif
