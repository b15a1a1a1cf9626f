/*
 * bghash.c - SHA-256 of one buffer at a time on a thread of its own. See bghash.h.
 */
#include "bghash.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct fy_bghash {
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int pending;			/* a job was started and not yet hashed */
	int done;			/* its hash is ready to collect */
	int stop;
	const void *p;
	size_t n, tag;
	unsigned char sha[FY_SHA256_LEN];
};

static void *bghash_main(void *arg)
{
	struct fy_bghash *h = arg;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (!h->pending && !h->stop)
			pthread_cond_wait(&h->cv, &h->mu);
		if (!h->pending)
			break;
		pthread_mutex_unlock(&h->mu);
		fy_sha256(h->p, h->n, h->sha);
		pthread_mutex_lock(&h->mu);
		h->pending = 0;
		h->done = 1;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

struct fy_bghash *fy_bghash_new(struct fy_error *err)
{
	struct fy_bghash *h = calloc(1, sizeof(*h));

	if (!h) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	if (pthread_create(&h->tid, NULL, bghash_main, h) != 0) {
		pthread_mutex_destroy(&h->mu);
		pthread_cond_destroy(&h->cv);
		free(h);
		fy_error_set(err, FY_E_INTERNAL, "cannot start the hashing thread");
		return NULL;
	}
	return h;
}

void fy_bghash_start(struct fy_bghash *h, const void *p, size_t n, size_t tag)
{
	pthread_mutex_lock(&h->mu);
	h->p = p;
	h->n = n;
	h->tag = tag;
	h->done = 0;
	h->pending = 1;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

int fy_bghash_collect(struct fy_bghash *h, size_t *tag, unsigned char sha[FY_SHA256_LEN])
{
	int got;

	pthread_mutex_lock(&h->mu);
	while (h->pending)
		pthread_cond_wait(&h->cv, &h->mu);
	got = h->done;
	if (got) {
		*tag = h->tag;
		memcpy(sha, h->sha, FY_SHA256_LEN);
		h->done = 0;
	}
	pthread_mutex_unlock(&h->mu);
	return got;
}

void fy_bghash_free(struct fy_bghash *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->mu);
	h->stop = 1;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->tid, NULL);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
	free(h);
}
