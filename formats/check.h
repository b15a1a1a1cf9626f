/*
 * check.h - the rules between records: order, uniqueness, references.
 *
 * The schemas check each record alone; the checker checks what holds
 * across records (SPEC.md, "Integrity rules"):
 *   - ids are unique per kind (messages: per thread);
 *   - a message follows its thread record, and its parent is an earlier
 *     message of the same thread (so trees are acyclic by construction);
 *   - a thread's active_leaf is one of its messages;
 *   - every reference (tools, knowledge, memory, handoffs, thread agent,
 *     memory scope agent, file and blob references) resolves, wherever in
 *     the archive its target is.
 * The writer runs it on the way in (an archive ferry writes always
 * verifies) and the reader on the way out. It also gathers the figures
 * of the manifest: counts per kind, time range, secret names, warnings.
 */
#ifndef FY_CHECK_H
#define FY_CHECK_H

#include <stdint.h>

#include "error.h"
#include "json.h"
#include "record.h"

struct fy_checker;

struct fy_stats {
	uint64_t records[FY_KIND__COUNT];
	uint64_t blobs;
	uint64_t external;		/* references out of a scoped export */
	uint64_t warnings;		/* parts of type "other" */
	int has_time;
	int64_t first_s, last_s;
	int32_t first_ns, last_ns;
	char **secrets;			/* sorted, unique */
	size_t nsecrets;
};

/*
 * A scoped export (the header has a "scope": --only, --since, --agent) is a
 * subset on purpose: a reference to a record the filters left out is
 * counted in stats.external instead of failing. Blob references must
 * resolve in every archive.
 */
#define FY_CHECK_SCOPED 1u

struct fy_checker *fy_checker_new(unsigned flags, struct fy_error *err);
void fy_checker_free(struct fy_checker *c);

/*
 * Check one schema-valid record (value root of d) of the given kind.
 * Errors name the record: "message 'm2': parent 'm9' is not an earlier
 * message of thread 't1'".
 */
int fy_checker_record(struct fy_checker *c, enum fy_kind kind, const struct fy_jdoc *d,
		      uint32_t root, struct fy_error *err);
/* A blob with this hex is present. Returns 1 when new, 0 when already seen. */
int fy_checker_blob(struct fy_checker *c, const char *hex, struct fy_error *err);
int fy_checker_has_blob(const struct fy_checker *c, const char *hex);
/* Close the last thread and resolve every pending reference. */
int fy_checker_finish(struct fy_checker *c, struct fy_error *err);
/* The figures so far (secrets are sorted by fy_checker_finish). */
const struct fy_stats *fy_checker_stats(const struct fy_checker *c);

#endif
