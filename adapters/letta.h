/*
 * letta.h - internal to the letta-af adapter (adapters/letta_*.c); not a
 * public header.
 *
 * letta_json.c   member copies over formats/jsonw.h (numbers and string
 *                escapes copied through verbatim from a parsed document),
 *                base64, times, ids, canonical digests
 * letta_read.c   the pure mapping from an agent file (both layouts) to
 *                neutral records, through callbacks (no I/O)
 * letta_write.c  the pure conversions from neutral records to the
 *                entities of the current agent-file schema
 * letta_af.c     the adapter: files, folders, spill files, output
 *
 * Why fy_jw and not jansson here: jansson re-prints reals with %.17g (0.7
 * becomes 0.69999999999999996, ../shared/DESIGN.md §7), which would change
 * every llm_config on a round trip; fy_jw copies the original number text.
 */
#ifndef FY_LETTA_H
#define FY_LETTA_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "json.h"
#include "jsonw.h"
#include "record.h"
#include "sha256.h"

#define LETTA_ADAPTER "letta-af"

struct fy_adapter;
/* The adapter itself (letta_af.c): its capability table is what the sink reports. */
extern const struct fy_adapter fy_adapter_letta_af;

/* --- JSON text: formats/jsonw.h, and member copies from a parsed document --- */

/* A key given as a string node of d. */
void letta_jw_keynode(struct fy_jw *w, const struct fy_jdoc *d, uint32_t key);
/* One member: the key node and the value node of d (the value verbatim). */
void letta_jw_member(struct fy_jw *w, const struct fy_jdoc *d, uint32_t key, uint32_t val);
/* The members of object obj except the keys in skip (NULL-terminated); drop_null skips null values. */
void letta_jw_members_except(struct fy_jw *w, const struct fy_jdoc *d, uint32_t obj,
			     const char *const *skip, int drop_null);

/* --- helpers ----------------------------------------------------------- */

/* 1 when key is in the NULL-terminated list. */
int letta_in_list(const char *const *list, const char *key, size_t n);
/* Object member that is present and not null; else FY_JNONE. */
uint32_t letta_get(const struct fy_jdoc *d, uint32_t obj, const char *key);
/* 1 when a and b are strings with the same text (as written). */
int letta_same_str(const struct fy_jdoc *d, uint32_t a, uint32_t b);
/* 1 when i is a string whose text (as written) is lit. */
int letta_raw_is(const struct fy_jdoc *d, uint32_t i, const char *lit);
/* Whether object obj has a member not in skip whose value is not null. */
int letta_has_members_except(const struct fy_jdoc *d, uint32_t obj, const char *const *skip);

/*
 * A Letta time ("2025-04-01T03:47:27.492924", "...+00:00", "...Z"; naive
 * times are UTC, as Letta stores them) as RFC 3339 UTC with a Z, keeping
 * the fraction digits (at most 9). out holds 48 bytes. -1 when s is not a
 * time.
 */
int letta_time_to_utc(const char *s, size_t n, char *out);

/*
 * A ferry id made of s: characters outside [A-Za-z0-9._~-] become '_',
 * leading '.', '-' are dropped, the result is at most max bytes and never
 * empty: fallback, made an id the same way (it may be a file-local id),
 * else "_". out holds FY_ID_MAX + 1 bytes.
 */
void letta_id_from(const char *s, size_t n, const char *fallback, size_t max, char *out);

/* Base64 (RFC 4648, with padding). decode: -1 on bad input. */
int letta_b64_decode(const char *s, size_t n, struct fy_buf *out, struct fy_error *err);
int letta_b64_encode(const void *p, size_t n, struct fy_buf *out, struct fy_error *err);

/* Unicode code points in UTF-8 text (Letta's limits count characters). */
size_t letta_utf8_chars(const char *s, size_t n);

/* Value i emitted with object keys sorted (bytewise) and no whitespace. */
int letta_canonical(const struct fy_jdoc *d, uint32_t i, struct fy_buf *out, struct fy_error *err);

/*
 * An order-independent digest of a set of records: the sum, modulo 2^256,
 * of the SHA-256 of each record's canonical text, and the count. Two sets
 * with the same digest hold the same records.
 */
struct letta_digest {
	unsigned char sum[FY_SHA256_LEN];
	uint64_t count;
};
void letta_digest_add(struct letta_digest *g, const void *p, size_t n);
int letta_digest_add_record(struct letta_digest *g, const char *json, size_t len,
			    struct fy_error *err);

/* A growable list of strings (ids), owned. */
struct letta_strs {
	char **v;
	size_t n, cap;
};
int letta_strs_add(struct letta_strs *s, const char *str, struct fy_error *err);
int letta_strs_has(const struct letta_strs *s, const char *str);
void letta_strs_release(struct letta_strs *s);

/* --- reading: agent file -> neutral records ---------------------------- */

/* What the mapping hands out. Text is borrowed for the duration of the call. */
struct lr_emit {
	int (*record)(void *cb, const char *json, size_t len, struct fy_error *err);
	/* hex_out (65 bytes) receives the blob's SHA-256. */
	int (*blob)(void *cb, const void *p, size_t n, char *hex_out, struct fy_error *err);
	int (*ledger)(void *cb, const char *json, size_t len, struct fy_error *err);
	void *cb;
};

/* Ids taken so far, across the files of one read (a folder). */
struct lr_ids {
	struct letta_strs agents, tools, memory, knowledge, files;
	/* for tools met again in another file: id -> digest of the record */
	struct letta_strs tool_digests;
};
void lr_ids_release(struct lr_ids *ids);

/*
 * Unwrap an agent file whose whole document is a JSON string holding the
 * document (possibly more than once). On return *text and *len give the
 * innermost text (inside *hold when decoded; the caller releases hold),
 * and *layers tells how many wrappings were removed.
 */
int lr_unwrap(const char **text, size_t *len, struct fy_buf *hold, int *layers,
	      const char *fname, struct fy_error *err);

/* 1 when the parsed document uses the legacy single-agent layout. */
int lr_is_legacy(const struct fy_jdoc *d);

/*
 * The string nodes of d that hold credentials (tool environment values,
 * agent secrets, MCP tokens, header and environment values; empty strings
 * are not credentials), in document order, into out (d->n entries at
 * most). Returns how many.
 */
size_t lr_secret_nodes(const struct fy_jdoc *d, uint32_t *out);

/*
 * text (the document d was parsed from) with the credential strings
 * emptied, into out: what raw/letta-af/ keeps, since an archive never
 * holds a credential. Returns the number of values blanked.
 */
int lr_scrub(const struct fy_jdoc *d, struct fy_buf *out, size_t *blanked, struct fy_error *err);

/*
 * Map one parsed agent file (root 0) to records: tools (and MCP servers),
 * knowledge sets (sources), files, agents, memory blocks, one thread per
 * agent with its messages, and ledger lines for what does not map. fname
 * names the file in errors ("x.af: agents[0].messages[3]: ...").
 */
int lr_map(const struct fy_jdoc *d, const char *fname, struct lr_ids *ids,
	   const struct lr_emit *out, struct fy_error *err);

#endif
