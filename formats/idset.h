/*
 * idset.h - a set of 64-bit fingerprints of strings.
 *
 * Used to find duplicate ids and dangling references across millions of
 * records in bounded memory: about 12 bytes per member instead of the id's
 * text. Fingerprints are seeded per process, so crafted ids cannot be made
 * to collide on purpose; an accidental collision among 64-bit values is
 * negligible at the counts ferry is built for (2 million threads: ~1e-7).
 */
#ifndef FY_IDSET_H
#define FY_IDSET_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct fy_idset {
	uint64_t *slots;	/* owned; 0 marks an empty slot */
	size_t cap, n;
	size_t max;		/* refuse to grow past this many members */
};

void fy_idset_init(struct fy_idset *s, size_t max);
void fy_idset_release(struct fy_idset *s);
void fy_idset_clear(struct fy_idset *s);

/* The fingerprint of s[0..n) with a namespace tag (the record kind, say). */
uint64_t fy_fingerprint(unsigned tag, const char *s, size_t n);

/* Add fp: 1 when new, 0 when present, -1 (FY_E_UNSAFE/NOMEM) past max. */
int fy_idset_add(struct fy_idset *s, uint64_t fp, struct fy_error *err);
int fy_idset_has(const struct fy_idset *s, uint64_t fp);

#endif
