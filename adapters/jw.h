/*
 * jw.h - build compact JSON text into a struct fy_buf, fast.
 *
 * The mapping functions of the file adapters (chatgpt, claude) turn
 * provider JSON into neutral records. Most of a record is text copied from
 * the input: a string's escaped bytes go through unchanged (the input was
 * validated by formats/json.c, so its escapes are valid JSON), a subtree
 * kept verbatim goes through fy_json_emit(). jw keeps the commas and the
 * nesting so the callers stay short.
 *
 * Errors latch: after the first failed append every call does nothing and
 * jw_done() returns -1 with the error. A record is started with jw_open()
 * and must be balanced by the time jw_done() is called.
 *
 *	struct jw w;
 *	jw_open(&w, &buf, err);
 *	jw_obj(&w, NULL);
 *	jw_lit(&w, "kind", "message");
 *	jw_raw(&w, "text", raw, rawlen);	   already-escaped JSON string text
 *	jw_end(&w, '}');
 *	if (jw_done(&w) < 0) ...
 */
#ifndef FY_JW_H
#define FY_JW_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "json.h"
#include "jsonw.h"

/*
 * The mappers write each value with its key in one call; the JSON itself
 * is formats/jsonw.c's, the one token writer of ferry.
 */
struct jw {
	struct fy_jw j;
	struct fy_error *err;		/* borrowed: jw_done() reports here */
};

void jw_open(struct jw *w, struct fy_buf *b, struct fy_error *err);
/* -1 when any append failed or the nesting is unbalanced. */
int jw_done(struct jw *w);

/* key is the member name in an object, NULL for an array element or the top. */
void jw_obj(struct jw *w, const char *key);
void jw_arr(struct jw *w, const char *key);
/* Closes the innermost container (close names it, for the reader). */
void jw_end(struct jw *w, char close);

/* A string from C text (escaped here). */
void jw_str(struct jw *w, const char *key, const char *s, size_t n);
/* A string literal that needs no escaping (ASCII without quotes or backslashes). */
void jw_lit(struct jw *w, const char *key, const char *lit);
/* A string whose already-escaped JSON text (between the quotes) is raw. */
void jw_raw(struct jw *w, const char *key, const char *raw, size_t n);
/* Several already-escaped pieces as one string (their concatenation). */
void jw_raw_begin(struct jw *w, const char *key);
void jw_raw_piece(struct jw *w, const char *raw, size_t n);
void jw_raw_finish(struct jw *w);
/* String node i of d, its escapes kept. */
void jw_jstr(struct jw *w, const char *key, const struct fy_jdoc *d, uint32_t i);
/* Any value node i of d, verbatim (compact). */
void jw_node(struct jw *w, const char *key, const struct fy_jdoc *d, uint32_t i);
/* A value that is already JSON text. */
void jw_json(struct jw *w, const char *key, const char *json, size_t n);
void jw_int(struct jw *w, const char *key, int64_t v);
void jw_bool(struct jw *w, const char *key, int v);
void jw_null(struct jw *w, const char *key);
/* An RFC 3339 UTC time. */
void jw_time(struct jw *w, const char *key, int64_t sec, int32_t nsec);

/* Node tests the mappers use everywhere. */
static inline int jv_str(const struct fy_jdoc *d, uint32_t v)
{
	return fy_json_type(d, v) == FY_JSTRING;
}

static inline int jv_obj(const struct fy_jdoc *d, uint32_t v)
{
	return fy_json_type(d, v) == FY_JOBJECT;
}

/* Absent or null. */
static inline int jv_none(const struct fy_jdoc *d, uint32_t v)
{
	enum fy_jtype t = fy_json_type(d, v);

	return t == FY_JABSENT || t == FY_JNULL;
}

/* A string equal to lit. */
int jv_is(const struct fy_jdoc *d, uint32_t v, const char *lit);
/* A string of no characters (or not a string). */
int jv_empty(const struct fy_jdoc *d, uint32_t v);

/* The first 16 hex digits of the SHA-256 of s[0..n): short stable ids. */
void jw_hash16(const char *s, size_t n, char out[17]);

/*
 * A JSON number's text (a provider's Unix time in seconds, "1690000081.110178")
 * as seconds and nanoseconds, exactly as written (no floating-point
 * rounding for plain decimals). 0, or -1 when it is not a number between
 * 0 and the year 9999.
 */
int jw_epoch(const char *s, size_t n, int64_t *sec, int32_t *nsec);

/*
 * An RFC 3339 time with any offset ("2025-02-10T09:20:00+00:00",
 * "2025-02-10T09:00:00.123456Z") as UTC seconds and nanoseconds. 0 or -1.
 */
int jw_rfc3339(const char *s, size_t n, int64_t *sec, int32_t *nsec);

#endif
