/*
 * json.h - a fast, strict JSON parser into a flat node array.
 *
 * Why not jansson here: jansson builds a malloc'd tree and runs at about
 * 50 MB/s on these machines (../PERF.md); validating every record on the
 * way into and out of an archive must run several times faster. This
 * parser makes one pass over a caller-owned buffer and records a node per
 * value in one growable array; strings and numbers stay as slices of the
 * input, so copying a value through is a memcpy.
 *
 * Strict means RFC 8259 plus the I-JSON (RFC 7493) rules a hostile input
 * must not slip past: UTF-8 is validated, lone surrogate escapes and
 * duplicate object keys are refused (unless a flag allows them), and depth,
 * node count and number length are capped.
 *
 * Nodes are addressed by index (uint32_t); FY_JNONE means "absent". The
 * root is index 0. Children follow their container in document order; an
 * object's children alternate key (a string node) and value.
 *
 *	struct fy_jdoc d;
 *	fy_jdoc_init(&d);
 *	if (fy_jdoc_parse(&d, text, len, 0, err) < 0) ...
 *	uint32_t v = fy_json_get(&d, 0, "kind");
 *	if (fy_json_streq(&d, v, "message")) ...
 *	fy_jdoc_release(&d);
 */
#ifndef FY_JSON_H
#define FY_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "error.h"

enum fy_jtype {
	FY_JNULL = 0,
	FY_JFALSE,
	FY_JTRUE,
	FY_JNUMBER,
	FY_JSTRING,
	FY_JARRAY,
	FY_JOBJECT,
	FY_JABSENT,	/* what fy_json_type() says of FY_JNONE */
};

#define FY_JNONE UINT32_MAX

struct fy_jnode {
	uint32_t off;	/* string: after the opening quote; else first byte */
	uint32_t end;	/* string: the closing quote; else one past the last byte */
	uint32_t next;	/* index of the first node after this value's subtree */
	uint32_t tl;	/* type (3 bits) | escapes (2 bits, FY_JESC_*) << 3 | children << 5 */
};

/* Parse flags. */
enum {
	FY_J_PREFIX = 1 << 0,		/* stop after one value; d->end tells where */
	FY_J_ALLOW_DUPS = 1 << 1,	/* accept duplicate object keys */
	FY_J_ALLOW_LONE_SURROGATES = 1 << 2, /* accept \ud800 without its pair */
};

struct fy_jdoc {
	const char *text;	/* borrowed: the parsed input */
	size_t size;
	size_t end;		/* offset just after the (first) value */
	struct fy_jnode *nodes;	/* owned */
	uint32_t n, cap;
	uint32_t room;		/* nodes that fit without a check: min(cap, the limit) */
	int had_space;		/* whitespace between tokens was seen */
	/* Limits; fy_jdoc_init() sets the defaults, callers may lower them. */
	unsigned max_depth;	/* default 128 */
	uint32_t max_nodes;	/* default 4,000,000 */
	unsigned max_number;	/* longest number text, default 64 */
	size_t max_size;	/* longest input, default 2 GiB */
	uint32_t *stack;	/* owned: open containers */
	unsigned stack_cap;
};

void fy_jdoc_init(struct fy_jdoc *d);
void fy_jdoc_release(struct fy_jdoc *d);

/*
 * Parse text[0..len). The text must stay alive while the document is used.
 * On failure: FY_E_DATA with "line L column C: reason" (or FY_E_UNSAFE for
 * a limit), and the document is empty.
 */
int fy_jdoc_parse(struct fy_jdoc *d, const char *text, size_t len, unsigned flags,
		  struct fy_error *err);

/*
 * Find the end of the JSON value starting at text[0] (after leading
 * whitespace) without building nodes: the fast path used to split a huge
 * top-level array into elements. Checks only the structure (brackets,
 * strings); the element is parsed properly afterwards. Returns 1 and sets
 * *end, 0 when text ends before the value does, -1 on a structural error.
 */
int fy_json_scan(const char *text, size_t len, size_t *end, unsigned max_depth,
		 struct fy_error *err);

/* Every accessor takes FY_JNONE (or any index past the end) as "absent". */
static inline enum fy_jtype fy_json_type(const struct fy_jdoc *d, uint32_t i)
{
	if (i >= d->n)
		return FY_JABSENT;
	return (enum fy_jtype)(d->nodes[i].tl & 7);
}

/* Children of an array or members of an object; 0 for scalars and absent values. */
static inline uint32_t fy_json_len(const struct fy_jdoc *d, uint32_t i)
{
	if (i >= d->n)
		return 0;
	return d->nodes[i].tl >> 5;
}

/* The first child (an array element, or an object's first key). */
static inline uint32_t fy_json_first(const struct fy_jdoc *d, uint32_t i)
{
	return fy_json_len(d, i) ? i + 1 : FY_JNONE;
}

/* The sibling after i (the caller counts: the last child has none). */
static inline uint32_t fy_json_next(const struct fy_jdoc *d, uint32_t i)
{
	return d->nodes[i].next;
}

/* Iterate an array: el runs over the elements. */
#define FY_JSON_FOREACH(d, arr, k, el)                                        \
	for ((k) = 0, (el) = (arr) + 1; (k) < fy_json_len((d), (arr));          \
	     (k)++, (el) = fy_json_next((d), (el)))

/* Iterate an object: key and val run over the members. */
#define FY_JSON_FOREACH_MEMBER(d, obj, k, key, val)                           \
	for ((k) = 0, (key) = (obj) + 1, (val) = (key) + 1;                    \
	     (k) < fy_json_len((d), (obj));                                      \
	     (k)++, (key) = fy_json_next((d), (val)), (val) = (key) + 1)

/* The value of member key (klen bytes, NUL-terminated) in object obj, or FY_JNONE. */
uint32_t fy_json_getn(const struct fy_jdoc *d, uint32_t obj, const char *key, size_t klen);

/*
 * The value of member key in object obj, or FY_JNONE (also when obj is no
 * object). Inline so that a literal key's length is known when compiling:
 * records are looked into this way millions of times.
 */
static inline uint32_t fy_json_get(const struct fy_jdoc *d, uint32_t obj, const char *key)
{
	return fy_json_getn(d, obj, key, strlen(key));
}
/* Element k of an array, or FY_JNONE. */
uint32_t fy_json_at(const struct fy_jdoc *d, uint32_t arr, uint32_t k);

/* Raw text of a scalar: a string's bytes between the quotes, still escaped. */
static inline const char *fy_json_raw(const struct fy_jdoc *d, uint32_t i, size_t *len)
{
	if (i >= d->n) {
		*len = 0;
		return "";
	}
	*len = d->nodes[i].end - d->nodes[i].off;
	return d->text + d->nodes[i].off;
}

/* The escapes a string node holds (its FY_JESC_* bits). */
enum {
	FY_JESC_ANY = 1 << 0,		/* any backslash escape */
	FY_JESC_OPAQUE = 1 << 1,	/* a \u escape (\u00e9) or \/: hides the character */
};

/* Whether string node i contains backslash escapes. */
static inline int fy_json_has_escapes(const struct fy_jdoc *d, uint32_t i)
{
	return i < d->n && ((d->nodes[i].tl >> 3) & FY_JESC_ANY);
}

/*
 * Whether string node i contains a \u escape (\u00e9) or a \/: the ones that hide
 * a character from a search of the raw text (\n, \" and the like only
 * stand for a character that is no letter or digit).
 */
static inline int fy_json_has_opaque_escapes(const struct fy_jdoc *d, uint32_t i)
{
	return i < d->n && ((d->nodes[i].tl >> 3) & FY_JESC_OPAQUE);
}

/* 1 when i is a string equal to lit (escapes decoded), else 0 (also for a NULL lit). */
int fy_json_streq(const struct fy_jdoc *d, uint32_t i, const char *lit);
/* fy_json_streqn for a string with escapes: decoded, then compared. */
int fy_json_streqn_decoded(const struct fy_jdoc *d, uint32_t i, const char *lit, size_t len);

/*
 * 1 when i is a string equal to lit[0..len) (escapes decoded). Inline: keys
 * are compared with names this way for every member of every record, and
 * nearly all are written without escapes.
 */
static inline int fy_json_streqn(const struct fy_jdoc *d, uint32_t i, const char *lit, size_t len)
{
	const struct fy_jnode *nd;

	if (i >= d->n)
		return 0;
	nd = &d->nodes[i];
	if ((nd->tl & 7) != FY_JSTRING)
		return 0;
	if ((nd->tl >> 3) & FY_JESC_ANY)
		return fy_json_streqn_decoded(d, i, lit, len);
	return nd->end - nd->off == len &&
	       (!len || (d->text[nd->off] == lit[0] && memcmp(d->text + nd->off, lit, len) == 0));
}
/* Append the decoded string i to out. FY_E_DATA if i is not a string. */
int fy_json_str(const struct fy_jdoc *d, uint32_t i, struct fy_buf *out, struct fy_error *err);
/* The decoded string as a new malloc'd C string (NUL bytes kept), or NULL. */
char *fy_json_strdup(const struct fy_jdoc *d, uint32_t i, size_t *len);
/* A string member's decoded value, or NULL when absent or not a string. New. */
char *fy_json_get_strdup(const struct fy_jdoc *d, uint32_t obj, const char *key);
/* Number i as an integer; -1 when it is not an integer in range. */
int fy_json_int(const struct fy_jdoc *d, uint32_t i, int64_t *v);
/* Number i as a double; -1 when i is not a number. */
int fy_json_double(const struct fy_jdoc *d, uint32_t i, double *v);

/*
 * Append value i as compact JSON (no whitespace); strings keep their escapes.
 * An absent value (FY_JNONE or past the end) is written as null.
 */
int fy_json_emit(const struct fy_jdoc *d, uint32_t i, struct fy_buf *out, struct fy_error *err);
/* Append value i indented by two spaces per level, keys in document order. */
int fy_json_emit_pretty(const struct fy_jdoc *d, uint32_t i, struct fy_buf *out,
			struct fy_error *err);

/* 1 when s[0..n) is valid UTF-8 (no surrogates, no overlongs). */
int fy_utf8_valid(const char *s, size_t n);

#endif
