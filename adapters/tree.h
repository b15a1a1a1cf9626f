/*
 * tree.h - conversation trees given as parent links, put in archive order.
 *
 * Account exports describe a conversation as nodes that name their parent
 * by id (ChatGPT's mapping, Claude's parent_message_uuid). The archive
 * wants every message after its parent. fy_keymap maps the ids to indices;
 * fy_tree_order() puts the nodes parents-first (otherwise in input order),
 * finds cycles, and gives every node its nearest ancestor that is kept
 * (so nodes that are not messages can be left out without cutting the
 * tree).
 */
#ifndef FY_TREE_H
#define FY_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"

#define FY_TREE_NONE UINT32_MAX

/* Keys (ids) to indices 0..n-1, in the order they were added. */
struct fy_keymap {
	struct fy_buf arena;	/* the keys, NUL-terminated */
	uint32_t *off, *len;	/* per index */
	uint32_t n, cap;
	uint32_t *slots;	/* open addressing: index + 1, 0 empty */
	uint32_t nslots;
};

void fy_keymap_init(struct fy_keymap *k);
void fy_keymap_release(struct fy_keymap *k);
/* Empty the map, ready for about expect keys. */
int fy_keymap_reset(struct fy_keymap *k, uint32_t expect, struct fy_error *err);
/* Add s[0..n): 1 with *index when new, 0 with the existing *index when present. */
int fy_keymap_add(struct fy_keymap *k, const char *s, size_t n, uint32_t *index,
		  struct fy_error *err);
/* The index of s[0..n), or FY_TREE_NONE. */
uint32_t fy_keymap_find(const struct fy_keymap *k, const char *s, size_t n);
/* Key i (NUL-terminated; borrowed until the next add or reset). */
static inline const char *fy_keymap_key(const struct fy_keymap *k, uint32_t i, size_t *n)
{
	if (n)
		*n = k->len[i];
	return k->arena.ptr + k->off[i];
}

/* The working arrays of one tree, reused between conversations. */
struct fy_tree {
	uint32_t *parent;	/* in: parent index or FY_TREE_NONE */
	unsigned char *keep;	/* in: 1 for nodes that are emitted */
	uint32_t *order;	/* out: every index, parents first */
	uint32_t *eff;		/* out: nearest kept ancestor, or FY_TREE_NONE */
	unsigned char *state;
	uint32_t *walk;
	uint32_t n, cap;
};

void fy_tree_init(struct fy_tree *t);
void fy_tree_release(struct fy_tree *t);
/* Size the arrays for n nodes; parent[] is set to NONE and keep[] to 0. */
int fy_tree_reset(struct fy_tree *t, uint32_t n, struct fy_error *err);
/*
 * Fill order[] and eff[]. 0, or -1 when the parent links have a cycle,
 * with *cycle set to a node on it (no error is set: the caller names it).
 */
int fy_tree_order(struct fy_tree *t, uint32_t *cycle);

#endif
