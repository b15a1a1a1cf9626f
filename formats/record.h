/*
 * record.h - the vocabulary of the neutral model: record kinds, ids, times.
 *
 * Kinds, their member layout and their fields are specified in SPEC.md; the
 * JSON Schemas in schema/ are the field-level contract. This header holds
 * what code needs to route and check records without a schema.
 */
#ifndef FY_RECORD_H
#define FY_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define FY_FORMAT_NAME "ferry"
#define FY_FORMAT_MAJOR 1
#define FY_FORMAT_MINOR 0
#define FY_FORMAT_VERSION "1.0"

enum fy_kind {
	FY_KIND_NONE = 0,
	FY_KIND_AGENT,
	FY_KIND_TOOL,
	FY_KIND_KNOWLEDGE,
	FY_KIND_WORKFLOW,
	FY_KIND_FILE,
	FY_KIND_THREAD,
	FY_KIND_MESSAGE,
	FY_KIND_MEMORY,
	FY_KIND__COUNT
};

/* Where records of a kind are stored. */
enum fy_layout {
	FY_LAYOUT_OBJECT,	/* one member per record: <dir>/<id>.json */
	FY_LAYOUT_STREAM,	/* JSON Lines chunks: <dir>/NNNNNN.jsonl */
};

/* "agent", "tool", ...; NULL for an invalid kind. */
const char *fy_kind_name(enum fy_kind kind);
/* The kind named s[0..n), or FY_KIND_NONE. */
enum fy_kind fy_kind_from_name(const char *s, size_t n);
enum fy_layout fy_kind_layout(enum fy_kind kind);
/* The member directory of a kind: "agents", "threads" (threads and messages), ... */
const char *fy_kind_dir(enum fy_kind kind);
/* Parse "agent,thread" style lists into a bit set (1 << kind). */
int fy_kind_parse_list(const char *list, unsigned *set, struct fy_error *err);

#define FY_ID_MAX 200

/*
 * A ferry id: 1 to 200 of [A-Za-z0-9._~-], not starting with '.' or '-'.
 * Safe as a file name on every system and in a URL path.
 */
int fy_id_valid(const char *s, size_t n);

/*
 * A stable ferry id for a provider's id: the id itself when it is already a
 * valid ferry id, else "x" followed by 40 hex digits of its SHA-256.
 * out must hold FY_ID_MAX + 1 bytes.
 */
void fy_id_make(const char *provider_id, size_t n, char *out);

/*
 * Parse an RFC 3339 time in UTC ("2024-05-01T12:00:00Z", optional fraction
 * of up to 9 digits). Offsets other than Z are refused: the archive stores
 * UTC only. Returns 0 and fills sec/nsec, or -1.
 */
int fy_time_parse(const char *s, size_t n, int64_t *sec, int32_t *nsec);
/*
 * Parse a time a user typed: RFC 3339 with Z or an offset, or a plain date
 * (YYYY-MM-DD, midnight UTC). Returns 0 or -1.
 */
int fy_time_parse_user(const char *s, int64_t *sec);
/* Format sec (+ nsec, dropped when 0) as RFC 3339 UTC into out[40]. */
void fy_time_format(int64_t sec, int32_t nsec, char *out);
/* Compare two times: <0, 0, >0. */
int fy_time_cmp(int64_t s1, int32_t n1, int64_t s2, int32_t n2);

#endif
