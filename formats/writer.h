/*
 * writer.h - write a ferry archive (or the same members as a folder).
 *
 * One streaming pass, bounded memory: records are validated (schema and
 * cross-record rules) as they arrive; objects (agents, tools, knowledge,
 * workflows) become one member each at once; streams (threads with their
 * messages, memory, files, ledger lines) are cut into JSON Lines chunks of
 * about chunk_size bytes. The header is the first member; the manifest and
 * SHA256SUMS are written last. Output is deterministic: the same items in
 * the same order give byte-identical archives.
 *
 * A file is written under a temporary name beside the final one (mode
 * 0600) and renamed only after everything is written and fsync'd, so the
 * final name never holds a partial archive; fy_writer_free() without a
 * successful close removes the temporary file. "-" writes to stdout.
 *
 *	struct fy_writer_options o;
 *	fy_writer_options_init(&o);
 *	o.source_adapter = "chatgpt";
 *	w = fy_writer_open("out.ferry", &o, err);
 *	while (...) fy_writer_put_record(w, json, len, err);
 *	fy_writer_close(w, NULL, err);
 *	fy_writer_free(w);
 */
#ifndef FY_WRITER_H
#define FY_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "error.h"
#include "item.h"
#include "recscan.h"

#define FY_CHUNK_SIZE_DEFAULT ((size_t)8 << 20)
#define FY_RECORD_MAX_DEFAULT ((size_t)16 << 20)

struct fy_writer_options {
	const char *producer;		/* "ferry 1.2.3" */
	int64_t created;		/* header time and every member's mtime (UTC seconds) */
	const char *source_adapter;	/* required */
	const char *source_location;	/* optional; never a credential */
	const char *source_account;	/* optional fingerprint */
	const char *scope_json;		/* optional JSON object text */
	size_t chunk_size;		/* stream chunk target */
	size_t max_record;		/* longest record accepted */
	int level;			/* zstd level */
	int threads;			/* zstd workers (>= 1; output does not depend on it) */
	int workers;			/* validation threads; -1 = one per CPU up to 4; 0 = none */
};

struct fy_writer_stats {
	struct fy_stats records;	/* counts per kind, blobs, time range, secrets */
	uint64_t members;
	uint64_t bytes_in;		/* uncompressed member bytes */
	uint64_t bytes_out;		/* archive bytes (0 for a folder) */
	uint64_t credentials;		/* strings holding a credential (fy_writer_secrets) */
};

struct fy_writer;

void fy_writer_options_init(struct fy_writer_options *o);

/* Write an archive to path ("-": stdout). */
struct fy_writer *fy_writer_open(const char *path, const struct fy_writer_options *o,
				 struct fy_error *err);
/*
 * Write the members as plain files into a new folder path (created through
 * a temporary sibling and renamed at close). An existing empty folder is
 * replaced; a non-empty one is refused with FY_E_EXISTS.
 */
struct fy_writer *fy_writer_open_dir(const char *path, const struct fy_writer_options *o,
				     struct fy_error *err);

/*
 * Scan every record put from now on for credentials (recscan.h): the ledger
 * gets a line for each string holding one, right after its record, and
 * with FY_SECRETS_REDACT the record is written with them replaced. A
 * literal credential in configuration fails the record unless redacting.
 * adapter (borrowed, may be NULL) is named in those lines. The default is
 * FY_SECRETS_OFF: an import writes what it was given.
 */
void fy_writer_secrets(struct fy_writer *w, enum fy_secret_mode mode, const char *adapter);

/*
 * One record (a JSON object with "kind" and "id"). Records are validated
 * on worker threads and committed in order, so an invalid record may be
 * reported by a later call (or by fy_writer_close); the error then starts
 * with the record's origin, which put_record_at records ("threads/000001.jsonl
 * line 3"). After an error every call returns it again.
 */
int fy_writer_put_record(struct fy_writer *w, const char *json, size_t len,
			 struct fy_error *err);
int fy_writer_put_record_at(struct fy_writer *w, const char *json, size_t len,
			    const char *origin, struct fy_error *err);
/* One ledger line (ledger.json schema). */
int fy_writer_put_ledger(struct fy_writer *w, const char *json, size_t len,
			 struct fy_error *err);
/*
 * A blob of size bytes whose SHA-256 is hex, read through read(ctx). The
 * hash is checked as the data streams by; a mismatch fails the archive.
 * A blob already written is skipped without reading.
 */
int fy_writer_put_blob(struct fy_writer *w, const char *hex, uint64_t size, fy_read_fn read,
		       void *ctx, struct fy_error *err);
/* A blob from memory; its hex is stored in hex_out (65 bytes). */
int fy_writer_put_blob_mem(struct fy_writer *w, const void *p, size_t n, char *hex_out,
			   struct fy_error *err);
/* raw/<path>: path is "<adapter>/<name...>", kept verbatim. */
int fy_writer_put_raw(struct fy_writer *w, const char *path, uint64_t size, fy_read_fn read,
		      void *ctx, struct fy_error *err);
int fy_writer_put_raw_mem(struct fy_writer *w, const char *path, const void *p, size_t n,
			  struct fy_error *err);
/* Dispatch an item to the calls above. */
int fy_writer_put_item(struct fy_writer *w, const struct fy_item *it, struct fy_error *err);

/* Whether blob hex was already written (adapters skip re-reading it). */
int fy_writer_has_blob(const struct fy_writer *w, const char *hex);

/*
 * Finish: flush the streams, resolve every reference, write the manifest
 * and SHA256SUMS, sync and rename into place. stats may be NULL.
 */
int fy_writer_close(struct fy_writer *w, struct fy_writer_stats *stats, struct fy_error *err);

/* The temporary path being written (for a signal handler to unlink), or NULL. */
const char *fy_writer_tmp_path(const struct fy_writer *w);

/* Free; removes the temporary output unless fy_writer_close() succeeded. */
void fy_writer_free(struct fy_writer *w);

/* 1 when the folder path holds nothing, 0 when it holds something, -1 (errno) when it cannot be read. */
int fy_dir_is_empty(const char *path);

#endif
