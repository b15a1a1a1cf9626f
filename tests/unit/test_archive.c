/*
 * test_archive.c - the writer and the reader together: round trips,
 * determinism, and the reader's refusal of damaged and hostile archives.
 * Hostile archives are built here by hand (a few lines of ustar) so that
 * every kind of bad member can be made, not only what libarchive writes.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "reader.h"
#include "sha256.h"
#include "unit.h"
#include "writer.h"
#include "zstream.h"

#define BLOB_HEX "d8ad2677f66b916b33d4bafccb2adcddf749781817d20ba48d3094a3ad4c2fc9"

static const char *const sample_records[] = {
	"{\"kind\":\"agent\",\"id\":\"a1\",\"name\":\"A\",\"tools\":[\"t1\"],\"source\":{\"adapter\":\"dir\"}}",
	"{\"kind\":\"tool\",\"id\":\"t1\",\"type\":\"function\",\"name\":\"f\",\"parameters\":{\"type\":\"object\"},"
	"\"source\":{\"adapter\":\"dir\"}}",
	"{\"kind\":\"thread\",\"id\":\"th1\",\"agent\":\"a1\",\"active_leaf\":\"m2\",\"source\":{\"adapter\":\"dir\"}}",
	"{\"kind\":\"message\",\"id\":\"m1\",\"thread\":\"th1\",\"parent\":null,\"role\":\"user\",\"parts\":"
	"[{\"type\":\"text\",\"text\":\"hello \\u00e9\"}],\"created\":\"2024-01-01T00:00:00Z\",\"source\":{\"adapter\":\"dir\"}}",
	"{\"kind\":\"message\",\"id\":\"m2\",\"thread\":\"th1\",\"parent\":\"m1\",\"role\":\"assistant\",\"parts\":"
	"[{\"type\":\"file\",\"file\":\"f1\"}],\"created\":\"2024-01-02T00:00:00Z\",\"source\":{\"adapter\":\"dir\"}}",
	"{\"kind\":\"file\",\"id\":\"f1\",\"name\":\"p.md\",\"blob\":\"" BLOB_HEX "\",\"source\":{\"adapter\":\"dir\"}}",
	"{\"kind\":\"memory\",\"id\":\"mem1\",\"scope\":{\"type\":\"agent\",\"agent\":\"a1\"},\"type\":\"block\","
	"\"text\":\"x\",\"source\":{\"adapter\":\"dir\"}}",
};

static const char blob_text[] =
	"# Acme returns policy\n\nItems can be returned within 30 days of delivery, unused and in their\n"
	"original packaging. Refunds go back to the original payment method within\n"
	"5 business days of the return being scanned at our warehouse.\n\n"
	"Exceptions: gift cards, opened software, and perishable goods.\n";

static int write_sample(const char *path, size_t chunk, struct fy_error *err)
{
	struct fy_writer_options o;
	struct fy_writer *w;
	char hex[FY_SHA256_HEX];
	size_t i;
	int rc = -1;

	fy_writer_options_init(&o);
	o.source_adapter = "dir";
	o.created = 1700000000;
	if (chunk)
		o.chunk_size = chunk;
	w = fy_writer_open(path, &o, err);
	if (!w)
		return -1;
	for (i = 0; i < sizeof(sample_records) / sizeof(sample_records[0]); i++)
		if (fy_writer_put_record(w, sample_records[i], strlen(sample_records[i]), err) < 0)
			goto out;
	if (fy_writer_put_blob_mem(w, blob_text, strlen(blob_text), hex, err) < 0)
		goto out;
	rc = fy_writer_close(w, NULL, err);
out:
	fy_writer_free(w);
	return rc;
}

/* Read everything; returns 0 and the record count, or -1. */
static int read_all(const char *path, const struct fy_reader_options *o, uint64_t *records,
		    struct fy_error *err)
{
	struct fy_reader *r = fy_reader_open(path, o, err);
	struct fy_item it;
	int rc;

	if (records)
		*records = 0;
	if (!r)
		return -1;
	while ((rc = fy_reader_next(r, &it, err)) == 1)
		if (it.type == FY_ITEM_RECORD && records)
			(*records)++;
	fy_reader_free(r);
	return rc;
}

TEST(archive_round_trip)
{
	struct fy_error err;
	uint64_t n;

	CHECK(write_sample("a.ferry", 0, &err) == 0);
	CHECK(read_all("a.ferry", NULL, &n, &err) == 0);
	CHECK(n == 7);
	/* Small chunks: a thread's messages continue across members. */
	CHECK(write_sample("b.ferry", 64, &err) == 0);
	CHECK(read_all("b.ferry", NULL, &n, &err) == 0 && n == 7);
}

/* The same records with 0 and 4 validation threads give the same bytes. */
TEST(archive_does_not_depend_on_threads)
{
	struct fy_writer_options o;
	struct fy_error err;
	size_t n1, n2, i;
	int workers[2] = { 0, 4 }, k;
	char *a, *b;

	for (k = 0; k < 2; k++) {
		struct fy_writer *w;
		char name[16];

		fy_writer_options_init(&o);
		o.source_adapter = "dir";
		o.created = 1700000000;
		o.workers = workers[k];
		o.chunk_size = 200;
		snprintf(name, sizeof(name), "w%d.ferry", k);
		w = fy_writer_open(name, &o, &err);
		CHECK(w != NULL);
		for (i = 0; w && i < 3000; i++) {
			char rec[256];

			if (i % 10 == 0)
				snprintf(rec, sizeof(rec), "{\"kind\":\"thread\",\"id\":\"t%zu\",\"source\":{\"adapter\":\"dir\"}}", i);
			else
				snprintf(rec, sizeof(rec), "{\"kind\":\"message\",\"id\":\"m%zu\",\"thread\":\"t%zu\",\"parent\":null,\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"text\":\"n %zu\"}],\"source\":{\"adapter\":\"dir\"}}", i, i - i % 10, i);
			CHECK(fy_writer_put_record(w, rec, strlen(rec), &err) == 0);
		}
		CHECK(w && fy_writer_close(w, NULL, &err) == 0);
		fy_writer_free(w);
	}
	a = unit_read_file("w0.ferry", &n1);
	b = unit_read_file("w1.ferry", &n2);
	CHECK(a && b && n1 == n2 && memcmp(a, b, n1) == 0);
	free(a);
	free(b);
}

TEST(archive_is_deterministic)
{
	struct fy_error err;
	size_t n1, n2;
	char *a, *b;

	CHECK(write_sample("a.ferry", 0, &err) == 0);
	CHECK(write_sample("b.ferry", 0, &err) == 0);
	a = unit_read_file("a.ferry", &n1);
	b = unit_read_file("b.ferry", &n2);
	CHECK(a && b && n1 == n2 && memcmp(a, b, n1) == 0);
	free(a);
	free(b);
}

TEST(writer_refuses_what_would_not_verify)
{
	struct fy_writer_options o;
	struct fy_writer *w;
	struct fy_error err;
	DIR *d;
	struct dirent *de;
	int files = 0;
	const char *orphan = "{\"kind\":\"message\",\"id\":\"m\",\"thread\":\"t\",\"parent\":null,"
			     "\"role\":\"user\",\"parts\":[],\"source\":{\"adapter\":\"dir\"}}";
	const char *dangling = "{\"kind\":\"agent\",\"id\":\"a\",\"name\":\"x\",\"tools\":[\"nope\"],"
			       "\"source\":{\"adapter\":\"dir\"}}";

	fy_writer_options_init(&o);
	o.source_adapter = "dir";
	w = fy_writer_open("x.ferry", &o, &err);
	CHECK(w != NULL);
	/* Validation runs ahead on threads: the error may come from a later call. */
	CHECK(fy_writer_put_record_at(w, orphan, strlen(orphan), "in.jsonl line 7", &err) < 0 ||
	      fy_writer_close(w, NULL, &err) < 0);
	CHECK(strstr(err.msg, "in.jsonl line 7: message 'm': thread") != NULL);
	CHECK(fy_writer_close(w, NULL, &err) < 0);	/* and it stays failed */
	fy_writer_free(w);
	w = fy_writer_open("x.ferry", &o, &err);
	CHECK(fy_writer_put_record(w, dangling, strlen(dangling), &err) == 0);
	CHECK(fy_writer_close(w, NULL, &err) < 0 && strstr(err.msg, "tool 'nope'") != NULL);
	fy_writer_free(w);
	/* Nothing is left behind: no archive, no temporary file. */
	d = opendir(".");
	while ((de = readdir(d)))
		files += de->d_name[0] != '.' || strncmp(de->d_name, ".x.ferry", 8) == 0;
	closedir(d);
	CHECK(files == 0);
}

TEST(writer_refuses_symlinks_and_full_folders)
{
	struct fy_writer_options o;
	struct fy_error err;

	fy_writer_options_init(&o);
	o.source_adapter = "dir";
	CHECK(symlink("/tmp/elsewhere.ferry", "link.ferry") == 0);
	CHECK(fy_writer_open("link.ferry", &o, &err) == NULL && err.code == FY_E_UNSAFE);
	CHECK(mkdir("full", 0700) == 0);
	unit_write_file("full/keep", "x", 1);
	CHECK(fy_writer_open_dir("full", &o, &err) == NULL && err.code == FY_E_EXISTS);
	CHECK(mkdir("empty", 0700) == 0);
	{
		struct fy_writer *w = fy_writer_open_dir("empty", &o, &err);

		CHECK(w && fy_writer_close(w, NULL, &err) == 0);
		fy_writer_free(w);
	}
	CHECK(access("empty/ferry.json", F_OK) == 0 && access("empty/SHA256SUMS", F_OK) == 0);
}

TEST(every_flipped_byte_is_caught)
{
	struct fy_error err;
	size_t n, i, caught = 0, tries = 0;
	unsigned seed = 12345;
	char *a;

	CHECK(write_sample("a.ferry", 0, &err) == 0);
	a = unit_read_file("a.ferry", &n);
	CHECK(a != NULL);
	for (i = 0; a && i < 1000; i++) {
		size_t pos;

		seed = seed * 1103515245u + 12345u;
		pos = (seed >> 8) % n;
		a[pos] ^= (char)(1u << ((seed >> 4) & 7));
		unit_write_file("f.ferry", a, n);
		a[pos] ^= (char)(1u << ((seed >> 4) & 7));
		tries++;
		if (read_all("f.ferry", NULL, NULL, &err) < 0)
			caught++;
		else
			fprintf(stderr, "#   flip at %zu not caught\n", pos);
	}
	CHECK(tries == 1000 && caught == tries);
	free(a);
}

TEST(every_truncation_is_caught)
{
	struct fy_error err;
	size_t n, cut;
	int all = 1;
	char *a;

	CHECK(write_sample("a.ferry", 0, &err) == 0);
	a = unit_read_file("a.ferry", &n);
	for (cut = 0; a && cut < n; cut += 512) {
		unit_write_file("t.ferry", a, cut);
		if (read_all("t.ferry", NULL, NULL, &err) == 0) {
			fprintf(stderr, "#   truncation at %zu not caught\n", cut);
			all = 0;
		}
	}
	unit_write_file("t.ferry", a, n - 1);
	CHECK(read_all("t.ferry", NULL, NULL, &err) < 0 && err.code == FY_E_INTEGRITY);
	CHECK(all);
	free(a);
}

/* --- hand-built hostile archives ------------------------------------- */

struct tarbuf {
	unsigned char *p;
	size_t n, cap;
};

static void tb_add(struct tarbuf *t, const void *p, size_t n)
{
	if (t->n + n > t->cap) {
		t->cap = (t->n + n) * 2;
		t->p = realloc(t->p, t->cap);
	}
	memcpy(t->p + t->n, p, n);
	t->n += n;
}

/* One ustar header; size may exceed what follows (declared only). */
static void tb_header(struct tarbuf *t, const char *name, char type, uint64_t size,
		      const char *link)
{
	unsigned char h[512];
	unsigned sum = 0;
	int i;

	memset(h, 0, sizeof(h));
	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", 0600);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	if (size < 077777777777ULL) {
		snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
	} else {
		/* GNU base-256 for sizes beyond 8 GiB. */
		h[124] = 0x80;
		for (i = 0; i < 8; i++)
			h[135 - i] = (unsigned char)(size >> (8 * i));
	}
	snprintf((char *)h + 136, 12, "%011o", 1700000000);
	memset(h + 148, ' ', 8);
	h[156] = (unsigned char)type;
	if (link)
		snprintf((char *)h + 157, 100, "%s", link);
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	tb_add(t, h, 512);
}

static void tb_file(struct tarbuf *t, const char *name, const char *data, size_t n)
{
	static const unsigned char zero[512];

	tb_header(t, name, '0', n, NULL);
	tb_add(t, data, n);
	if (n % 512)
		tb_add(t, zero, 512 - n % 512);
}

static void tb_end(struct tarbuf *t)
{
	static const unsigned char zero[1024];

	tb_add(t, zero, 1024);
}

static void tb_header_member(struct tarbuf *t, const char *version)
{
	char h[512];

	snprintf(h, sizeof(h), "{\"format\":\"ferry\",\"version\":\"%s\",\"producer\":\"test\","
		 "\"created\":\"2024-01-01T00:00:00Z\",\"source\":{\"adapter\":\"dir\"}}\n", version);
	tb_file(t, "ferry.json", h, strlen(h));
}

/* Compress with ferry's own framing (digest frame included). */
static void tb_write(struct tarbuf *t, const char *path)
{
	struct fy_error err;
	FILE *f = fopen(path, "wb");
	struct fy_zout *z = fy_zout_new(fileno(f), 3, 1, &err);

	CHECK(z && fy_zout_write(z, t->p, t->n, &err) == 0 && fy_zout_finish(z, &err) == 0);
	fy_zout_free(z);
	fclose(f);
	free(t->p);
	memset(t, 0, sizeof(*t));
}

static enum fy_errcode refusal(const char *path, struct fy_error *err)
{
	struct fy_reader_options o;

	fy_reader_options_init(&o);
	if (read_all(path, &o, NULL, err) == 0)
		return FY_E_OK;
	return err->code;
}

TEST(hostile_members_are_refused)
{
	static const struct {
		const char *name;
		char type;
		uint64_t size;
		const char *link;
	} cases[] = {
		{ "../x", '0', 1, NULL },
		{ "raw/a/../../x", '0', 1, NULL },
		{ "/etc/x", '0', 1, NULL },
		{ "raw/dir/link", '2', 0, "/etc/passwd" },
		{ "raw/dir/hard", '1', 0, "ferry.json" },
		{ "raw/dir/dev", '3', 0, NULL },
		{ "raw/dir/blk", '4', 0, NULL },
		{ "raw/dir/fifo", '6', 0, NULL },
		{ "raw/dir/", '5', 0, NULL },
		{ "ferry.json", '0', 3, NULL },
		{ "FERRY.json", '0', 3, NULL },
		{ "raw/x/huge", '0', (uint64_t)100 << 30, NULL },
		{ "raw/x/a\\b", '0', 1, NULL },
		{ "raw/x/\x1b[2Jclear", '0', 1, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tarbuf t = { 0 };
		struct fy_error err;
		enum fy_errcode code;

		tb_header_member(&t, "1.0");
		if (cases[i].type == '0' && cases[i].size < 1024) {
			tb_file(&t, cases[i].name, "{}\n", cases[i].size);
		} else {
			tb_header(&t, cases[i].name, cases[i].type, cases[i].size, cases[i].link);
		}
		tb_end(&t);
		tb_write(&t, "h.ferry");
		code = refusal("h.ferry", &err);
		if (code != FY_E_UNSAFE && code != FY_E_DATA)
			fprintf(stderr, "#   case %zu (%s): code %d %s\n", i, cases[i].name, code, err.msg);
		CHECK(code == FY_E_UNSAFE || (code == FY_E_DATA && cases[i].type == '0' &&
					      strstr(cases[i].name, "ferry")));
	}
}

TEST(unknown_major_version_is_refused)
{
	struct tarbuf t = { 0 };
	struct fy_error err;

	tb_header_member(&t, "2.0");
	tb_end(&t);
	tb_write(&t, "v2.ferry");
	CHECK(refusal("v2.ferry", &err) == FY_E_UNSUPPORTED);
	CHECK(strstr(err.msg, "2.0") != NULL);
}

TEST(zstd_bombs_are_refused)
{
	struct fy_reader_options o;
	struct fy_error err;
	struct tarbuf t = { 0 };
	FILE *f;
	ZSTD_CCtx *c;
	size_t cap, n;
	void *out;

	/* A stream that keeps expanding after the tar ends. */
	tb_header_member(&t, "1.0");
	tb_end(&t);
	{
		size_t more = (size_t)64 << 20;
		unsigned char *z = calloc(1, more);

		tb_add(&t, z, more);
		free(z);
	}
	tb_write(&t, "bomb.ferry");
	fy_reader_options_init(&o);
	o.max_total = 1 << 20;
	o.max_members = 10;
	CHECK(read_all("bomb.ferry", &o, NULL, &err) < 0 && err.code == FY_E_UNSAFE);
	if (err.code != FY_E_UNSAFE)
		fprintf(stderr, "#   bomb: %s\n", err.msg);

	/* A frame that asks for a 2 GiB window. */
	c = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, 31);
	ZSTD_CCtx_setParameter(c, ZSTD_c_nbWorkers, 1);
	cap = ZSTD_compressBound(4096);
	out = malloc(cap);
	{
		ZSTD_outBuffer ob = { out, cap, 0 };
		ZSTD_inBuffer ib = { blob_text, strlen(blob_text), 0 };

		/* Streamed (no size known up front), so the frame keeps the big window. */
		ZSTD_compressStream2(c, &ob, &ib, ZSTD_e_continue);
		while (ZSTD_compressStream2(c, &ob, &ib, ZSTD_e_end) != 0)
			;
		n = ob.pos;
	}
	f = fopen("window.ferry", "wb");
	fwrite(out, 1, n, f);
	fclose(f);
	free(out);
	ZSTD_freeCCtx(c);
	CHECK(read_all("window.ferry", NULL, NULL, &err) < 0 && err.code == FY_E_UNSAFE);
	if (err.code != FY_E_UNSAFE)
		fprintf(stderr, "#   window: %s\n", err.msg);
}

TEST(other_formats_are_not_archives)
{
	struct fy_error err;

	{
		static const char zip[] = "PK\x03\x04 a zip in disguise";

		unit_write_file("plain.ferry", zip, sizeof(zip) - 1);
	}
	CHECK(read_all("plain.ferry", NULL, NULL, &err) < 0 && err.code == FY_E_UNSUPPORTED);
	unit_write_file("empty.ferry", "", 0);
	CHECK(read_all("empty.ferry", NULL, NULL, &err) < 0);
}
