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

/* A reference target that is not a record kind: a blob by its SHA-256. */
#define FY_REF_BLOB 0x42u

/* One reference a record makes: "tools[2]" -> tool 'lookup'. */
struct fy_fact_ref {
	unsigned target;		/* a record kind, or FY_REF_BLOB */
	const char *id;			/* borrowed */
	size_t len;
	const char *field;		/* "tools", "parts", "blob", ... */
	int index;			/* the array index, or -1 */
	const char *suffix;		/* after the index: ".blob", or "" */
};

/*
 * What the rules need to know of one record, extracted from its parsed
 * JSON: the writer extracts facts on its validation threads, so the
 * order-dependent checking that follows is cheap. Strings are borrowed
 * from the record's text; ids and references are never escaped (a valid
 * ferry id needs no escaping, and fy_facts_extract refuses escaped ones).
 */
struct fy_facts {
	enum fy_kind kind;
	const char *id, *thread, *parent, *active_leaf;	/* NULL: absent or null */
	size_t id_len, thread_len, parent_len, leaf_len;
	int has_created, has_updated;
	int64_t created_s, updated_s;
	int32_t created_ns, updated_ns;
	struct fy_fact_ref *refs;	/* owned, reused */
	size_t nrefs, caprefs;
	char **secrets;			/* owned: decoded {"$secret": NAME} names */
	size_t nsecrets, capsecrets;
	uint32_t warnings;		/* parts of type "other" */
};

void fy_facts_init(struct fy_facts *f);
void fy_facts_release(struct fy_facts *f);
/* Extract the facts of a schema-valid record of the given kind. */
int fy_facts_extract(struct fy_facts *f, enum fy_kind kind, const struct fy_jdoc *d, uint32_t root,
		     struct fy_error *err);

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
 * Check one record by its facts, in archive order. Errors name the
 * record: "message 'm2': parent 'm9' is not an earlier message of thread
 * 't1'".
 */
int fy_checker_facts(struct fy_checker *c, const struct fy_facts *f, struct fy_error *err);
/* The same for a parsed, schema-valid record (extracts, then checks). */
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
