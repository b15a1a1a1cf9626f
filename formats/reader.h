/*
 * reader.h - read and verify a ferry archive in one streaming pass.
 *
 * The reader never extracts anything: it hands out items (records, ledger
 * lines, blob and raw member data) while it checks, member by member:
 *   - the zstd stream (content checksum, window, expansion and expansion
 *     ratio caps, no trailing garbage) and the tar structure (regular files only; no
 *     links, devices, FIFOs or sparse entries);
 *   - every member name (names.h) and that no two differ only by case;
 *   - sizes and counts against the caps; JSON depth and size;
 *   - the header first and its format version (an unknown major version
 *     is refused before anything else is read);
 *   - every record against its schema and the cross-record rules
 *     (check.h), with errors naming the member, line and field;
 *   - at the end, every member's size and SHA-256 against the manifest and
 *     SHA256SUMS, the record counts, and every reference.
 *
 * Items handed out before the end are not yet known to be intact: a caller
 * that acts on them must treat the archive as good only when
 * fy_reader_next() has returned 0 (tools verify first where they can).
 */
#ifndef FY_READER_H
#define FY_READER_H

#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "error.h"
#include "item.h"

struct fy_reader_options {
	uint64_t max_member;	/* bytes of any one member; default 4 GiB */
	size_t max_record;	/* one JSON record or object member; default 16 MiB */
	size_t max_manifest;	/* manifest and SHA256SUMS; default 256 MiB */
	uint64_t max_members;	/* default 200,000 */
	uint64_t max_total;	/* all member bytes together; default 1 TiB */
	unsigned window_log_max; /* zstd window; default 27 (128 MiB) */
	unsigned max_ratio;	/* decompressed / compressed bytes, checked past the
				   first 256 MiB; default 1000; 0 = no limit */
	unsigned max_depth;	/* JSON nesting; default 64 */
};

/* What the header says. Strings are owned by the reader. */
struct fy_header {
	int major, minor;
	char *version;
	char *producer;
	char *created;
	int64_t created_sec;
	char *source_adapter;
	char *source_location;
	char *source_account;
	char *scope_json;	/* compact JSON object, or NULL */
};

/* What the manifest says, once the end is reached. */
struct fy_reader_summary {
	uint64_t members;
	uint64_t bytes;		/* member bytes */
};

struct fy_reader;

void fy_reader_options_init(struct fy_reader_options *o);

/* Open path ("-": stdin). Reads up to and including the header. */
struct fy_reader *fy_reader_open(const char *path, const struct fy_reader_options *o,
				 struct fy_error *err);

/*
 * The next item: 1, with *it filled (valid until the next call); 0 at the
 * end, when everything verified; -1 on the first fault. Blob and raw data
 * are read with it->read(it->ctx, ...); data left unread is skipped (and
 * still hashed) by the next call.
 */
int fy_reader_next(struct fy_reader *r, struct fy_item *it, struct fy_error *err);

const struct fy_header *fy_reader_header(const struct fy_reader *r);
/* Counts per kind, blobs, time range, secrets: complete after the end. */
const struct fy_stats *fy_reader_stats(const struct fy_reader *r);
const struct fy_reader_summary *fy_reader_summary(const struct fy_reader *r);
/* Members of a layout this reader does not know (a newer minor version), skipped. */
uint64_t fy_reader_unknown_members(const struct fy_reader *r);

void fy_reader_free(struct fy_reader *r);

#endif
