/*
 * item.h - one unit that flows from a source to a sink.
 *
 * An adapter's source yields items; the archive writer consumes them. The
 * archive reader yields items; an adapter's sink consumes them. Records
 * and ledger lines are JSON text; blobs and raw members are byte streams
 * with a size known up front (tar needs it before the data).
 */
#ifndef FY_ITEM_H
#define FY_ITEM_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "json.h"
#include "record.h"

/*
 * Read up to n bytes of an item's data into buf; *got = 0 at the end.
 * Returns 0 or -1.
 */
typedef int (*fy_read_fn)(void *ctx, void *buf, size_t n, size_t *got, struct fy_error *err);

enum fy_item_type {
	FY_ITEM_RECORD = 1,	/* json: one record; kind tells which */
	FY_ITEM_BLOB,		/* name: the SHA-256 hex of the data */
	FY_ITEM_RAW,		/* name: "<adapter>/<path>" under raw/ */
	FY_ITEM_LEDGER,		/* json: one ledger line */
};

struct fy_item {
	enum fy_item_type type;
	enum fy_kind kind;		/* records; a source may leave FY_KIND_NONE */
	const char *json;		/* borrowed: RECORD and LEDGER text */
	size_t len;
	const struct fy_jdoc *doc;	/* borrowed: the parsed json (root 0), or NULL */
	const char *name;		/* borrowed: BLOB hex or RAW path; NULL if unknown */
	uint64_t size;			/* BLOB and RAW */
	fy_read_fn read;		/* BLOB and RAW data */
	void *ctx;
	const char *member;		/* where the reader found it, for messages */
	uint64_t line;
};

#endif
