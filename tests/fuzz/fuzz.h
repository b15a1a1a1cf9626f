/*
 * fuzz.h - what every fuzz target shares.
 *
 * A fuzz target is one file tests/fuzz/fuzz_<target>.c defining
 * LLVMFuzzerTestOneInput() (libFuzzer's entry point) for one parser of
 * untrusted bytes, and a seed folder tests/fuzz/corpus/<target>/. The
 * Makefile finds targets by that file name pattern, so adding one (an
 * adapter's mapping function, say) needs no other edit:
 *   - every build links each target with the plain replay driver
 *     (replay.c) into $(O)/tests/fuzz/<target>, so the harness cannot rot,
 *     and `make check` replays the committed corpus through it;
 *   - `make fuzz` links each with libFuzzer into build/fuzz/fuzzer/<target>
 *     and runs it for FUZZ_TIME seconds (tests/fuzz/run.sh).
 *
 * A target must not print, must free everything it allocates (leaks are
 * findings), must never write outside fuzz_tmpdir(), and checks the
 * invariants of the code under test with FUZZ_ASSERT: a broken invariant
 * aborts, which both drivers report as a crash.
 */
#ifndef FERRY_FUZZ_H
#define FERRY_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

void fuzz_assert_fail(const char *file, int line, const char *what);

#define FUZZ_ASSERT(cond)                                                \
	do {                                                             \
		if (!(cond))                                             \
			fuzz_assert_fail(__FILE__, __LINE__, #cond);     \
	} while (0)

struct fy_error;
/* With FUZZ_VERBOSE=1 in the environment, say why an input was refused. */
void fuzz_note(const char *what, const struct fy_error *err);

/* A private folder for this process (removed at exit); created on first use. */
const char *fuzz_tmpdir(void);

/* An anonymous in-memory file holding data, positioned at 0; -1 on failure. */
int fuzz_memfd(const void *data, size_t size);

/*
 * Read the archive at path with the default reader limits, reading every
 * blob and raw member's data. Returns what fy_reader_next() returned last
 * (0: verified, -1: refused); *records counts records and ledger lines.
 */
int fuzz_read_archive(const char *path, uint64_t *records);

struct fy_writer_stats;
/*
 * What the writer committed, the reader must verify: read the archive at
 * path and abort unless it verifies with the writer's counts per kind and
 * of blobs.
 */
void fuzz_read_back(const char *path, const struct fy_writer_stats *st);

struct fy_item;
/*
 * What an adapter's mapping function produced should be something ferry's
 * writer accepts: a record passes its kind's schema (a ledger line the
 * ledger schema). With FUZZ_STRICT=1 a record that does not aborts (a
 * finding for the adapter: the export would fail on the schema instead of
 * naming the provider's malformed object); otherwise it is printed.
 */
void fuzz_check_mapped(const struct fy_item *it, const char *adapter);

/*
 * fuzz_check_mapped for text a mapping wrote: one record of kind
 * (FY_KIND_NONE: the kind it names) or one ledger line (type
 * FY_ITEM_LEDGER); fuzz_check_lines for each non-empty line of several.
 */
void fuzz_check_text(int type, int kind, const char *json, size_t len, const char *adapter);
void fuzz_check_lines(int type, int kind, const char *text, size_t len, const char *adapter);

/*
 * Callbacks for mappings that hand out what they make (cb: the adapter's
 * name): a record (the kind it names), a ledger line, each checked with
 * fuzz_check_text; a blob, whose SHA-256 goes to hex. All return 0.
 */
int fuzz_emit_record(void *adapter, const char *json, size_t len, struct fy_error *err);
int fuzz_emit_ledger(void *adapter, const char *json, size_t len, struct fy_error *err);
int fuzz_emit_blob(void *cb, const void *p, size_t n, char *hex, struct fy_error *err);

struct fy_jdoc;
/*
 * Most mapping targets read a selector byte, then JSON: d (initialised
 * here, released by the caller) gets the JSON after data[0]. 0, or -1 when
 * there is no selector byte or the rest is not JSON.
 */
int fuzz_parse_tail(struct fy_jdoc *d, const uint8_t *data, size_t size);

struct fy_outbox;
/* fuzz_check_mapped for every item of an AWS adapter's outbox (which it empties). */
void fuzz_check_outbox(struct fy_outbox *o, const char *adapter);

/* A mapping refused its input (rc < 0): it must say why. */
void fuzz_refused(const char *what, const struct fy_error *err);

/*
 * Turn tar bytes into a complete ferry stream in fd: one zstd frame with
 * its content checksum, then the end digest frame. 0, or -1.
 */
int fuzz_zstd_wrap(int fd, const void *tar, size_t size);

/* The value of a hex digit, or -1 (inputs that spell bytes in hex). */
int fuzz_hexval(char c);

/* Remove a tree (no symbolic link is followed). */
void fuzz_rmtree(const char *path);

#endif
