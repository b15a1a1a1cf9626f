/*
 * fuzz.c - helpers shared by the fuzz targets. See fuzz.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#include "aws.h"
#include "fuzz.h"
#include "reader.h"
#include "schema.h"
#include "sha256.h"
#include "writer.h"
#include "zstream.h"

void fuzz_assert_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", file, line, what);
	abort();
}

void fuzz_note(const char *what, const struct fy_error *err)
{
	static int verbose = -1;

	if (verbose < 0)
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	if (verbose)
		fprintf(stderr, "fuzz: %s: %s\n", what, err->code == FY_E_OK ? "ok" : err->msg);
}

int fuzz_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char tmpdir[4096];

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(p);
	return 0;
}

void fuzz_rmtree(const char *path)
{
	nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static void tmpdir_cleanup(void)
{
	if (tmpdir[0])
		fuzz_rmtree(tmpdir);
}

const char *fuzz_tmpdir(void)
{
	const char *base;

	if (tmpdir[0])
		return tmpdir;
	/* /dev/shm keeps the file-system work of a target off the disk. */
	base = getenv("TMPDIR");
	if (!base)
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/ferry-fuzz-XXXXXX", base);
	if (!mkdtemp(tmpdir)) {
		fprintf(stderr, "fuzz: mkdtemp %s: %s\n", tmpdir, strerror(errno));
		abort();
	}
	atexit(tmpdir_cleanup);
	return tmpdir;
}

int fuzz_memfd(const void *data, size_t size)
{
	const char *p = data;
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	while (size) {
		ssize_t w = write(fd, p, size);

		if (w <= 0) {
			close(fd);
			return -1;
		}
		p += w;
		size -= (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int fuzz_read_archive(const char *path, uint64_t *records)
{
	struct fy_error err;
	struct fy_reader *r;
	struct fy_item it;
	char buf[16384];
	int rc;

	*records = 0;
	fy_error_clear(&err);
	r = fy_reader_open(path, NULL, &err);
	if (!r) {
		fuzz_note("open", &err);
		FUZZ_ASSERT(err.code != FY_E_OK && err.msg[0]);
		return -1;
	}
	while ((rc = fy_reader_next(r, &it, &err)) == 1) {
		if (it.type == FY_ITEM_RECORD || it.type == FY_ITEM_LEDGER) {
			FUZZ_ASSERT(it.json && it.doc);
			(*records)++;
		} else {
			size_t got;

			/* Read half of the members' data; the reader skips the rest. */
			if (*records & 1)
				continue;
			do {
				if (it.read(it.ctx, buf, sizeof(buf), &got, &err) < 0) {
					rc = -1;
					break;
				}
			} while (got);
			if (rc < 0)
				break;
		}
	}
	if (rc < 0)
		FUZZ_ASSERT(err.code != FY_E_OK && err.msg[0]);
	fuzz_note("read", &err);
	fy_reader_free(r);
	return rc;
}

void fuzz_read_back(const char *path, const struct fy_writer_stats *st)
{
	struct fy_error err;
	struct fy_reader *r = fy_reader_open(path, NULL, &err);
	const struct fy_stats *rs;
	struct fy_item it;
	int rc = -1, k;

	if (r)
		while ((rc = fy_reader_next(r, &it, &err)) == 1)
			;
	if (rc != 0)
		fprintf(stderr, "fuzz: the reader refused what the writer wrote: %s\n", err.msg);
	FUZZ_ASSERT(rc == 0);
	rs = fy_reader_stats(r);
	for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++)
		FUZZ_ASSERT(rs->records[k] == st->records.records[k]);
	FUZZ_ASSERT(rs->blobs == st->records.blobs);
	fy_reader_free(r);
}

/*
 * A record a mapping produced that its schema refuses makes the export
 * fail with a schema error instead of a mapping error: a finding for the
 * adapter's owner, not a safety bug. It aborts only with FUZZ_STRICT=1 in
 * the environment; otherwise the first three are printed.
 */
static int strict_mapping(void)
{
	static int strict = -1;

	if (strict < 0)
		strict = getenv("FUZZ_STRICT") != NULL && strcmp(getenv("FUZZ_STRICT"), "1") == 0;
	return strict;
}

void fuzz_check_mapped(const struct fy_item *it, const char *adapter)
{
	const struct fy_schemaset *s = fy_schemaset_default(NULL);
	struct fy_error err;
	struct fy_jdoc d;
	enum fy_kind kind = it->kind;
	int rc;

	if (it->type != FY_ITEM_RECORD && it->type != FY_ITEM_LEDGER)
		return;
	fy_jdoc_init(&d);
	rc = fy_jdoc_parse(&d, it->json, it->len, 0, &err);
	if (rc == 0 && it->type == FY_ITEM_RECORD && kind == FY_KIND_NONE) {
		size_t n;
		const char *k = fy_json_raw(&d, fy_json_get(&d, 0, "kind"), &n);

		kind = fy_kind_from_name(k, n);
	}
	if (rc == 0)
		rc = it->type == FY_ITEM_LEDGER ? fy_schema_validate(s, "ledger.json", &d, 0, 0, &err)
						: fy_schema_validate_kind(s, kind, &d, 0, 0, &err);
	if (rc < 0) {
		static int told;

		if (strict_mapping() || told++ < 3)
			fprintf(stderr, "fuzz: %s mapped a record ferry refuses: %s\nin: %.*s\n", adapter,
				err.msg, (int)(it->len > 2000 ? 2000 : it->len), it->json);
		FUZZ_ASSERT(!strict_mapping());
	}
	fy_jdoc_release(&d);
}

void fuzz_check_text(int type, int kind, const char *json, size_t len, const char *adapter)
{
	struct fy_item it;

	memset(&it, 0, sizeof(it));
	it.type = (enum fy_item_type)type;
	it.kind = (enum fy_kind)kind;
	it.json = json ? json : "";
	it.len = len;
	fuzz_check_mapped(&it, adapter);
}

void fuzz_check_lines(int type, int kind, const char *text, size_t len, const char *adapter)
{
	const char *p = text ? text : "", *end = p + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n)
			fuzz_check_text(type, kind, p, n, adapter);
		p += n + 1;
	}
}

int fuzz_emit_record(void *adapter, const char *json, size_t len, struct fy_error *err)
{
	(void)err;
	fuzz_check_text(FY_ITEM_RECORD, FY_KIND_NONE, json, len, adapter);
	return 0;
}

int fuzz_emit_ledger(void *adapter, const char *json, size_t len, struct fy_error *err)
{
	(void)err;
	fuzz_check_text(FY_ITEM_LEDGER, FY_KIND_NONE, json, len, adapter);
	return 0;
}

int fuzz_emit_blob(void *cb, const void *p, size_t n, char *hex, struct fy_error *err)
{
	unsigned char sha[FY_SHA256_LEN];

	(void)cb;
	(void)err;
	fy_sha256(p, n, sha);
	fy_hex(sha, sizeof(sha), hex);
	return 0;
}

int fuzz_parse_tail(struct fy_jdoc *d, const uint8_t *data, size_t size)
{
	struct fy_error err;

	fy_jdoc_init(d);
	if (size < 1)
		return -1;
	return fy_jdoc_parse(d, (const char *)data + 1, size - 1, 0, &err);
}

void fuzz_check_outbox(struct fy_outbox *o, const char *adapter)
{
	struct fy_item it;

	while (fy_outbox_pull(o, &it))
		fuzz_check_mapped(&it, adapter);
}

void fuzz_refused(const char *what, const struct fy_error *err)
{
	fuzz_note(what, err);
	FUZZ_ASSERT(err->code != FY_E_OK && err->msg[0]);
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

int fuzz_zstd_wrap(int fd, const void *tar, size_t size)
{
	size_t cap = ZSTD_compressBound(size), n;
	unsigned char *z = malloc(cap + 48);
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	int rc = -1;

	if (!z || !cctx)
		goto out;
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 1);
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
	n = ZSTD_compress2(cctx, z, cap, tar, size);
	if (ZSTD_isError(n))
		goto out;
	put_le32(z + n, FY_ZDIGEST_MAGIC);
	put_le32(z + n + 4, 8 + FY_SHA256_LEN);
	memcpy(z + n + 8, FY_ZDIGEST_ID, 8);
	fy_sha256(z, n, z + n + 16);
	n += 16 + FY_SHA256_LEN;
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) != 0 ||
	    write(fd, z, n) != (ssize_t)n || lseek(fd, 0, SEEK_SET) != 0)
		goto out;
	rc = 0;
out:
	ZSTD_freeCCtx(cctx);
	free(z);
	return rc;
}
