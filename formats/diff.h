/*
 * diff.h - what changed between two archives, in the domain's words.
 *
 * fy_diff() compares an older archive A with a newer archive B and hands
 * out one change at a time, as a JSON object (schema/diff.json,
 * $defs/change), grouped by kind in this order: agents, tools, knowledge,
 * workflows, files, threads, memory. Within a kind: what A had that B
 * lost or changed (in A's order), then what B added or changed (in B's
 * order). Records are matched by kind and id (messages by thread and id)
 * and compared by their compact JSON text, so the same record written by
 * the same producer compares equal; a record whose fields were merely
 * reordered counts as changed.
 *
 * A changed record lists its changed top-level fields, each with the old
 * and new value; text fields holding several lines (instructions, memory
 * text) also carry a unified diff; arrays of ids (an agent's tools,
 * knowledge, memory, handoffs) also carry the ids added and removed.
 * Threads are reported once each: added (with their message count),
 * removed, or changed (messages added, removed and changed, by id, and
 * the thread's own fields).
 *
 * Memory is bounded by the changes, not the archives: both archives are
 * streamed (B twice, A once, each pass fully verified by the reader);
 * objects (agents, tools, knowledge, workflows: definitions, few) of B are
 * held as text, and every stream record of B (files, threads, messages,
 * memory) as a 16-byte entry: a 64-bit fingerprint of its kind and id and
 * a 64-bit hash of its text, about 24 bytes a record with the table's
 * slack (2 million messages: ~50 MB). Old versions of changed stream
 * records and the changes themselves are spooled to unlinked temporary
 * files. fy_fingerprint() is seeded per process, so ids cannot be crafted
 * to collide; an accidental 64-bit collision would hide one change (odds
 * about n^2 / 2^65).
 */
#ifndef FY_DIFF_H
#define FY_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "record.h"

struct fy_diff_options {
	int context;		/* context lines in text diffs; default 3 */
	size_t max_ids;		/* message ids listed per thread and kind of change; default 1000 */
	uint64_t max_records;	/* stream records of B held as fingerprints; default 50,000,000 */
	const char *tmp_dir;	/* for the spools; NULL: $TMPDIR, then /tmp */
};

struct fy_diff_side {
	char created[40];
	char source_adapter[64];
	char source_location[1024];
};

struct fy_diff_summary {
	uint64_t added[FY_KIND__COUNT];
	uint64_t removed[FY_KIND__COUNT];
	uint64_t changed[FY_KIND__COUNT];
	struct fy_diff_side a, b;
};

/* One change: kind and its JSON object text (valid until the next call). */
typedef int (*fy_diff_fn)(void *ctx, enum fy_kind kind, const char *json, size_t len,
			  struct fy_error *err);

void fy_diff_options_init(struct fy_diff_options *o);

/*
 * Compare archive files a (older) and b (newer). fn is called for every
 * change, in the order above; a non-zero return stops the diff with that
 * error. sum may be NULL. Both archives are verified completely on the
 * way; a fault in either fails the diff with the reader's error.
 */
int fy_diff(const char *a, const char *b, const struct fy_diff_options *o, fy_diff_fn fn,
	    void *ctx, struct fy_diff_summary *sum, struct fy_error *err);

/*
 * Append a unified diff of two texts, line by line, to out: "--- label_a",
 * "+++ label_b", then "@@ -l,n +l,n @@" hunks with context lines. Appends
 * nothing when the texts are equal. Large texts whose middles differ in
 * more than about two million line pairs are shown as one replaced block.
 */
int fy_text_diff(const char *a, size_t alen, const char *b, size_t blen, const char *label_a,
		 const char *label_b, int context, struct fy_buf *out, struct fy_error *err);

#endif
