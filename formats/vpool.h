/*
 * vpool.h - records validated in parallel, handed back in order.
 *
 * The writer's expensive work per record - parse, the credential scan, schema validation,
 * extracting the facts the cross-record rules need, rendering the
 * canonical text - does not depend on other records, so it runs on a
 * small pool of threads, a batch of records at a time. What does depend
 * on order (the rules, the member layout, hashing, tar, zstd) stays with
 * the caller, who takes the processed records back strictly in the order
 * they were added. With 0 workers everything happens in the caller's
 * thread, one record at a time.
 *
 *	p = fy_vpool_new(2, schemas, max_record, err);
 *	while (more) {
 *		while (fy_vpool_add(p, 0, json, len, member, line, err) == 1)
 *			take one with fy_vpool_next(p, FY_VPOOL_WAIT, &r) and use it;
 *		take what is ready with fy_vpool_next(p, FY_VPOOL_READY, &r);
 *	}
 *	fy_vpool_submit(p); then fy_vpool_next(p, FY_VPOOL_WAIT, &r) until it returns 0.
 */
#ifndef FY_VPOOL_H
#define FY_VPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "error.h"
#include "recscan.h"
#include "schema.h"

struct fy_vpool;

/* One processed record, valid until the next fy_vpool_next(). */
struct fy_vrec {
	int is_ledger;
	enum fy_kind kind;		/* records */
	const struct fy_facts *facts;	/* records */
	const char *text;		/* canonical: compact line, or pretty for objects; no newline */
	size_t len;
	const char *notes;		/* records: the credential scan's ledger lines ('\n' after each) */
	size_t notes_len;
	uint64_t found;			/* and how many strings held a credential */
	const char *member;		/* where it came from, for messages ("" if unknown) */
	uint64_t line;			/* and the line there (0 if none) */
	int failed;			/* the record is invalid: err says why */
	struct fy_error err;
};

enum fy_vpool_wait {
	FY_VPOOL_READY,			/* return 0 when the oldest batch is not done yet */
	FY_VPOOL_WAIT,			/* block until it is (0 only when nothing is in flight) */
};

/* workers: threads to start (0 = validate in the caller's thread). */
struct fy_vpool *fy_vpool_new(int workers, const struct fy_schemaset *s, size_t max_record,
			      struct fy_error *err);

/*
 * Scan every record for credentials before validating it (recscan.h), and
 * validate and render what the scan leaves. Call before adding records;
 * adapter (borrowed) is named in the scan's ledger lines.
 */
void fy_vpool_secrets(struct fy_vpool *p, enum fy_secret_mode mode, const char *adapter);

/*
 * Add a record (copied). 0 when added; 1 when every batch is busy - take
 * records with fy_vpool_next(FY_VPOOL_WAIT) and add again; -1 on error.
 */
int fy_vpool_add(struct fy_vpool *p, int is_ledger, const char *json, size_t len,
		 const char *member, uint64_t line, struct fy_error *err);

/* Hand the batch being filled to the workers. */
void fy_vpool_submit(struct fy_vpool *p);

/* The next processed record in order: 1, or 0 when none (see the wait modes). */
int fy_vpool_next(struct fy_vpool *p, enum fy_vpool_wait wait, struct fy_vrec *out);

void fy_vpool_free(struct fy_vpool *p);

#endif
