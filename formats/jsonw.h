/*
 * jsonw.h - write compact JSON into a fy_buf, commas and quoting handled.
 *
 * The writer's error is sticky: every call after a failure does nothing,
 * and fy_jw_finish() reports the first failure, so building a record is a
 * straight run of calls and one check at the end. Values copied from a
 * parsed document (fy_jw_node) keep their original text, numbers included:
 * a model's "topP": 0.9990000128746033 stays exactly that, which a
 * parse-and-redump through doubles would not promise.
 *
 *	struct fy_buf b = FY_BUF_INIT(1 << 20);
 *	struct fy_jw w;
 *	fy_jw_init(&w, &b);
 *	fy_jw_obj(&w);
 *	fy_jw_key(&w, "kind"); fy_jw_str(&w, "thread");
 *	fy_jw_key(&w, "ext"); fy_jw_node(&w, doc, idx);
 *	fy_jw_end(&w);
 *	if (fy_jw_finish(&w, err) < 0) ...
 */
#ifndef FY_JSONW_H
#define FY_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "json.h"

#define FY_JW_DEPTH 64

struct fy_jw {
	struct fy_buf *b;		/* borrowed */
	unsigned depth;
	unsigned char first[FY_JW_DEPTH];	/* the next value at this depth is the first */
	char closer[FY_JW_DEPTH];	/* '}' or ']' for each open container */
	unsigned char after_key;	/* a key was written; the value needs no comma */
	struct fy_error err;		/* the first failure */
	int failed;
};

void fy_jw_init(struct fy_jw *w, struct fy_buf *b);

void fy_jw_obj(struct fy_jw *w);	/* { */
void fy_jw_arr(struct fy_jw *w);	/* [ */
void fy_jw_end(struct fy_jw *w);	/* } or ], whichever is open */
void fy_jw_key(struct fy_jw *w, const char *key);
void fy_jw_keyn(struct fy_jw *w, const char *key, size_t n);

void fy_jw_str(struct fy_jw *w, const char *s);	/* NULL writes null */
void fy_jw_strn(struct fy_jw *w, const char *s, size_t n);
void fy_jw_int(struct fy_jw *w, int64_t v);
void fy_jw_bool(struct fy_jw *w, int v);
void fy_jw_null(struct fy_jw *w);
/* An already serialised JSON value, copied as is. */
void fy_jw_raw(struct fy_jw *w, const char *json, size_t n);
/* Node i of a parsed document, in its original text (compact). */
void fy_jw_node(struct fy_jw *w, const struct fy_jdoc *d, uint32_t i);

/*
 * Text that is already JSON-escaped, from a validated document or a
 * literal with no quote, backslash or control character, written as a key
 * or a string without escaping it again: the fast path of adapters that
 * copy provider text through. rawstr_begin/piece/end joins several such
 * pieces into one string.
 */
void fy_jw_rawkey(struct fy_jw *w, const char *raw, size_t n);
void fy_jw_rawstr(struct fy_jw *w, const char *raw, size_t n);
void fy_jw_rawstr_begin(struct fy_jw *w);
void fy_jw_rawstr_piece(struct fy_jw *w, const char *raw, size_t n);
void fy_jw_rawstr_end(struct fy_jw *w);
/* An RFC 3339 UTC time string. */
void fy_jw_time(struct fy_jw *w, int64_t sec, int32_t nsec);

/*
 * A point to come back to: fy_jw_rewind() drops everything written since
 * fy_jw_mark() (an "ext" object that stayed empty, say). 1 from
 * fy_jw_empty() when the innermost open container has no member yet.
 */
struct fy_jw_mark {
	size_t len;
	unsigned depth;
	unsigned char first, after_key;
};
void fy_jw_mark(const struct fy_jw *w, struct fy_jw_mark *m);
void fy_jw_rewind(struct fy_jw *w, const struct fy_jw_mark *m);
int fy_jw_empty(const struct fy_jw *w);

/* Shorthands: a key and its value; the *_opt forms write nothing for NULL / FY_JNONE. */
void fy_jw_kstr(struct fy_jw *w, const char *key, const char *s);
void fy_jw_kstr_opt(struct fy_jw *w, const char *key, const char *s);
void fy_jw_knode(struct fy_jw *w, const char *key, const struct fy_jdoc *d, uint32_t i);
void fy_jw_knode_opt(struct fy_jw *w, const char *key, const struct fy_jdoc *d, uint32_t i);

/* 0, or -1 with the first failure copied into err (or an unclosed container). */
int fy_jw_finish(struct fy_jw *w, struct fy_error *err);

#endif
