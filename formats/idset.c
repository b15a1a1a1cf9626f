/*
 * idset.c - open-addressing set of fingerprints. See idset.h.
 */
#include "idset.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static uint64_t seed;
static pthread_once_t seed_once = PTHREAD_ONCE_INIT;

static void seed_init(void)
{
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	seed |= 1;
}

static inline uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t fy_fingerprint(unsigned tag, const char *s, size_t n)
{
	uint64_t h, a = 0x9E3779B97F4A7C15ULL, b = 0xC2B2AE3D27D4EB4FULL;
	size_t i;

	pthread_once(&seed_once, seed_init);
	h = seed ^ ((uint64_t)tag << 56) ^ n;
	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t v;

		memcpy(&v, s + i, 8);
		a = mix(a ^ v ^ h);
		h = (h ^ a) * b + 0x632BE59BD9B4E019ULL;
	}
	if (i < n) {
		uint64_t v = 0;

		memcpy(&v, s + i, n - i);
		a = mix(a ^ v ^ h ^ ((uint64_t)(n - i) << 60));
		h = (h ^ a) * b + 0x632BE59BD9B4E019ULL;
	}
	h = mix(h ^ a);
	return h ? h : 1;
}

void fy_idset_init(struct fy_idset *s, size_t max)
{
	s->slots = NULL;
	s->cap = 0;
	s->n = 0;
	s->max = max;
}

void fy_idset_release(struct fy_idset *s)
{
	if (!s)
		return;
	free(s->slots);
	s->slots = NULL;
	s->cap = s->n = 0;
}

void fy_idset_clear(struct fy_idset *s)
{
	if (s->slots && s->n)
		memset(s->slots, 0, s->cap * sizeof(*s->slots));
	s->n = 0;
}

static void put(uint64_t *slots, size_t cap, uint64_t fp)
{
	size_t i = (size_t)fp & (cap - 1);

	while (slots[i])
		i = (i + 1) & (cap - 1);
	slots[i] = fp;
}

static int grow(struct fy_idset *s, struct fy_error *err)
{
	size_t cap = s->cap ? s->cap * 2 : 64, i;
	uint64_t *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	for (i = 0; i < s->cap; i++)
		if (s->slots[i])
			put(slots, cap, s->slots[i]);
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return 0;
}

int fy_idset_has(const struct fy_idset *s, uint64_t fp)
{
	size_t i;

	if (!s->cap)
		return 0;
	for (i = (size_t)fp & (s->cap - 1); s->slots[i]; i = (i + 1) & (s->cap - 1))
		if (s->slots[i] == fp)
			return 1;
	return 0;
}

int fy_idset_add(struct fy_idset *s, uint64_t fp, struct fy_error *err)
{
	if (fy_idset_has(s, fp))
		return 0;
	if (s->n >= s->max)
		return fy_error_set(err, FY_E_UNSAFE, "more than %zu ids", s->max);
	/* Keep the load under 3/4. */
	if ((s->n + 1) * 4 > s->cap * 3 && grow(s, err) < 0)
		return -1;
	put(s->slots, s->cap, fp);
	s->n++;
	return 1;
}
