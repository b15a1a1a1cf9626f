/*
 * bghash.h - SHA-256 of one buffer at a time on a thread of its own.
 *
 * The writer hashes every member for SHA256SUMS. For the record chunks
 * (8 MiB each) that was the largest piece of work left on the one thread
 * that keeps the archive in order - and that thread is what the others
 * wait for. A chunk's hash is only needed when the manifest is written, so
 * the writer hands the finished chunk here and goes on with the next one.
 *
 *	h = fy_bghash_new(err);
 *	fy_bghash_start(h, chunk, len, tag);	chunk stays untouched until collected
 *	if (fy_bghash_collect(h, &tag, sha)) the hash of the chunk tagged tag
 *	fy_bghash_free(h);
 */
#ifndef FY_BGHASH_H
#define FY_BGHASH_H

#include <stddef.h>

#include "error.h"
#include "sha256.h"

struct fy_bghash;

struct fy_bghash *fy_bghash_new(struct fy_error *err);

/*
 * Hash p[0..n) in the background; p must stay valid and unchanged until
 * fy_bghash_collect. One job at a time: collect the previous one first.
 */
void fy_bghash_start(struct fy_bghash *h, const void *p, size_t n, size_t tag);

/* Wait for the job in flight: 1 with its tag and hash, 0 when there is none. */
int fy_bghash_collect(struct fy_bghash *h, size_t *tag, unsigned char sha[FY_SHA256_LEN]);

/* Waits for a job in flight. Accepts NULL. */
void fy_bghash_free(struct fy_bghash *h);

#endif
