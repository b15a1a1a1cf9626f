/*
 * tree.c - ids to indices, and parents-first order. See tree.h.
 */
#include "tree.h"

#include <stdlib.h>
#include <string.h>

static uint32_t hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

void fy_keymap_init(struct fy_keymap *k)
{
	memset(k, 0, sizeof(*k));
	fy_buf_init(&k->arena, (size_t)1 << 31);
}

void fy_keymap_release(struct fy_keymap *k)
{
	if (!k)
		return;
	fy_buf_release(&k->arena);
	free(k->off);
	free(k->len);
	free(k->slots);
	memset(k, 0, sizeof(*k));
}

static int grow_slots(struct fy_keymap *k, uint32_t want, struct fy_error *err)
{
	uint32_t need = 16, i;

	while (need < want * 2 + 2)
		need *= 2;
	if (need > k->nslots) {
		uint32_t *s = realloc(k->slots, (size_t)need * sizeof(*s));

		if (!s)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		k->slots = s;
		k->nslots = need;
	}
	memset(k->slots, 0, (size_t)k->nslots * sizeof(*k->slots));
	for (i = 0; i < k->n; i++) {
		uint32_t h = hash_bytes(k->arena.ptr + k->off[i], k->len[i]) & (k->nslots - 1);

		while (k->slots[h])
			h = (h + 1) & (k->nslots - 1);
		k->slots[h] = i + 1;
	}
	return 0;
}

int fy_keymap_reset(struct fy_keymap *k, uint32_t expect, struct fy_error *err)
{
	fy_buf_reset(&k->arena);
	k->n = 0;
	return grow_slots(k, expect, err);
}

uint32_t fy_keymap_find(const struct fy_keymap *k, const char *s, size_t n)
{
	uint32_t mask, h;

	if (!k->nslots)
		return FY_TREE_NONE;
	mask = k->nslots - 1;
	for (h = hash_bytes(s, n) & mask;; h = (h + 1) & mask) {
		uint32_t e = k->slots[h];

		if (!e)
			return FY_TREE_NONE;
		if (k->len[e - 1] == n && memcmp(k->arena.ptr + k->off[e - 1], s, n) == 0)
			return e - 1;
	}
}

int fy_keymap_add(struct fy_keymap *k, const char *s, size_t n, uint32_t *index,
		  struct fy_error *err)
{
	uint32_t found = fy_keymap_find(k, s, n), h;

	if (found != FY_TREE_NONE) {
		*index = found;
		return 0;
	}
	if (k->n == k->cap) {
		uint32_t cap = k->cap ? k->cap * 2 : 64;
		uint32_t *o = realloc(k->off, (size_t)cap * sizeof(*o)), *l;

		if (!o)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		k->off = o;
		l = realloc(k->len, (size_t)cap * sizeof(*l));
		if (!l)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		k->len = l;
		k->cap = cap;
	}
	if ((k->n + 1) * 2 + 2 > k->nslots && grow_slots(k, k->n + 1, err) < 0)
		return -1;
	k->off[k->n] = (uint32_t)k->arena.len;
	k->len[k->n] = (uint32_t)n;
	if (fy_buf_add(&k->arena, s, n, err) < 0 || fy_buf_addc(&k->arena, '\0', err) < 0)
		return -1;
	for (h = hash_bytes(s, n) & (k->nslots - 1); k->slots[h]; h = (h + 1) & (k->nslots - 1))
		;
	k->slots[h] = k->n + 1;
	*index = k->n++;
	return 1;
}

void fy_tree_init(struct fy_tree *t)
{
	memset(t, 0, sizeof(*t));
}

void fy_tree_release(struct fy_tree *t)
{
	if (!t)
		return;
	free(t->parent);
	free(t->keep);
	free(t->order);
	free(t->eff);
	free(t->state);
	free(t->walk);
	memset(t, 0, sizeof(*t));
}

int fy_tree_reset(struct fy_tree *t, uint32_t n, struct fy_error *err)
{
	uint32_t i;

	if (n > t->cap || !t->cap) {
		uint32_t cap = n < 64 ? 64 : n;

		fy_tree_release(t);
		t->parent = malloc((size_t)cap * sizeof(*t->parent));
		t->keep = malloc(cap);
		t->order = malloc((size_t)cap * sizeof(*t->order));
		t->eff = malloc((size_t)cap * sizeof(*t->eff));
		t->state = malloc(cap);
		t->walk = malloc((size_t)cap * sizeof(*t->walk));
		if (!t->parent || !t->keep || !t->order || !t->eff || !t->state || !t->walk) {
			fy_tree_release(t);
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		}
		t->cap = cap;
	}
	t->n = n;
	for (i = 0; i < n; i++)
		t->parent[i] = FY_TREE_NONE;
	memset(t->keep, 0, n);
	return 0;
}

int fy_tree_order(struct fy_tree *t, uint32_t *cycle)
{
	uint32_t i, placed = 0;

	memset(t->state, 0, t->n);
	for (i = 0; i < t->n; i++) {
		uint32_t top = 0, j = i;

		/* climb to the first placed ancestor, then place on the way down */
		while (j != FY_TREE_NONE && t->state[j] == 0) {
			t->state[j] = 1;
			t->walk[top++] = j;
			j = t->parent[j];
		}
		if (j != FY_TREE_NONE && t->state[j] == 1) {
			*cycle = j;
			return -1;
		}
		while (top) {
			uint32_t x = t->walk[--top], p = t->parent[x];

			t->eff[x] = p == FY_TREE_NONE ? FY_TREE_NONE : t->keep[p] ? p : t->eff[p];
			t->state[x] = 2;
			t->order[placed++] = x;
		}
	}
	return 0;
}
