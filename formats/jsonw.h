/*
 * jsonw.h - write JSON text into a struct fy_buf, one token at a time.
 *
 * Adapters that map a provider's JSON into records (and back) build a lot
 * of small objects. jansson would do it, but it re-prints numbers with
 * %.17g (1.4 becomes 1.3999999999999999, see ../shared/DESIGN.md §7), so
 * a value copied from the input would not keep its text. This writer
 * copies parsed values (struct fy_jdoc nodes) through verbatim and places
 * the commas itself. Errors are sticky: after the first failure every call
 * does nothing, and fy_jw_finish() reports it, so a mapping needs one
 * check at its end instead of one per token.
 *
 *	struct fy_jw w;
 *	fy_jw_init(&w, &buf, err);
 *	fy_jw_obj(&w);
 *	fy_jw_kstr(&w, "kind", "workflow");
 *	fy_jw_key(&w, "nodes"); fy_jw_copy(&w, doc, v);
 *	fy_jw_end(&w);
 *	if (fy_jw_finish(&w) < 0) ...
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
	struct fy_error *err;		/* borrowed; may be NULL */
	int failed;
	unsigned depth;
	int after_key;
	unsigned char used[FY_JW_DEPTH];	/* a member/element was written */
	char close[FY_JW_DEPTH];		/* '}' or ']' */
};

void fy_jw_init(struct fy_jw *w, struct fy_buf *b, struct fy_error *err);
/* 0, or -1 when any call failed (err holds the first failure). */
int fy_jw_finish(struct fy_jw *w);

void fy_jw_obj(struct fy_jw *w);
void fy_jw_arr(struct fy_jw *w);
void fy_jw_end(struct fy_jw *w);		/* closes the innermost object or array */
void fy_jw_key(struct fy_jw *w, const char *key);
void fy_jw_keyn(struct fy_jw *w, const char *key, size_t n);

void fy_jw_str(struct fy_jw *w, const char *s);	/* UTF-8; NULL writes null */
void fy_jw_strn(struct fy_jw *w, const char *s, size_t n);
void fy_jw_int(struct fy_jw *w, long long v);
void fy_jw_bool(struct fy_jw *w, int v);
void fy_jw_null(struct fy_jw *w);
/* Verbatim JSON text (the caller vouches for it). */
void fy_jw_raw(struct fy_jw *w, const char *json, size_t n);
/* Value v of d, compact, numbers and string escapes kept as they were. */
void fy_jw_copy(struct fy_jw *w, const struct fy_jdoc *d, uint32_t v);

/* key + value shorthands; the k*_opt forms write nothing for NULL / FY_JNONE. */
void fy_jw_kstr(struct fy_jw *w, const char *key, const char *s);
void fy_jw_kstr_opt(struct fy_jw *w, const char *key, const char *s);
void fy_jw_kcopy(struct fy_jw *w, const char *key, const struct fy_jdoc *d, uint32_t v);
void fy_jw_kcopy_opt(struct fy_jw *w, const char *key, const struct fy_jdoc *d, uint32_t v);

#endif
