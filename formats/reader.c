/*
 * reader.c - the streaming, verifying archive reader. See reader.h.
 */
#include "reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idset.h"
#include "names.h"
#include "schema.h"
#include "sha256.h"
#include "zstream.h"

#define RBUF_SIZE ((size_t)128 << 10)

struct seen_member {
	char *name;
	uint64_t size;
	unsigned char sha[FY_SHA256_LEN];
	uint64_t records;
};

enum rstate {
	ST_BETWEEN,	/* no member open */
	ST_LINES,	/* a JSON Lines member: handing out its lines */
	ST_DATA,	/* a blob or raw member: the caller may read its data */
	ST_OPEN,	/* an object member was handed out; finish it next */
	ST_DONE,
};

struct fy_reader {
	struct fy_reader_options opt;
	int fd, own_fd;
	struct fy_zin *z;
	struct archive *ar;
	unsigned char *rbuf;
	size_t rlen;		/* bytes in rbuf handed to libarchive */
	uint64_t handed;	/* all bytes handed to libarchive */
	struct fy_error cb_err;
	const char *path;
	/* header and version */
	struct fy_header hdr;
	int lenient;		/* archive of a newer minor: accept unknown values */
	/* the current member */
	enum rstate state;
	struct fy_member_info info;
	char name[FY_NAME_MAX + 1];
	uint64_t size, done;
	struct fy_sha256 h;
	uint64_t line, records;
	struct fy_buf lines;	/* JSON Lines data not yet handed out */
	size_t lpos;
	int member_eof;
	/* what has been seen */
	struct seen_member *seen;
	size_t nseen, capseen;
	struct fy_idset names;
	int have_manifest, have_sums;
	struct fy_buf manifest, sums;
	unsigned char manifest_sha[FY_SHA256_LEN];
	uint64_t total;
	uint64_t unknown;
	struct fy_jdoc doc;
	const struct fy_schemaset *schemas;
	struct fy_checker *chk;
	struct fy_reader_summary summary;
	int failed;
};

void fy_reader_options_init(struct fy_reader_options *o)
{
	o->max_member = (uint64_t)4 << 30;
	o->max_record = (size_t)16 << 20;
	o->max_manifest = (size_t)256 << 20;
	o->max_members = 200000;
	o->max_total = (uint64_t)1 << 40;
	o->window_log_max = 27;
	o->max_depth = 64;
	o->max_ratio = 1000;
}

static la_ssize_t rd_cb(struct archive *a, void *client, const void **buf)
{
	struct fy_reader *r = client;
	ssize_t n = fy_zin_read(r->z, r->rbuf, RBUF_SIZE, &r->cb_err);

	if (n < 0) {
		archive_set_error(a, EIO, "%s", r->cb_err.msg);
		return -1;
	}
	r->rlen = (size_t)n;
	r->handed += (uint64_t)n;
	*buf = r->rbuf;
	return n;
}

static int ar_fail(struct fy_reader *r, struct fy_error *err)
{
	if (r->cb_err.code != FY_E_OK) {
		*err = r->cb_err;
		return -1;
	}
	return fy_error_set(err, FY_E_INTEGRITY, "corrupt archive: %s",
			    archive_error_string(r->ar) ? archive_error_string(r->ar) : "tar error");
}

/* Read member data (hashing it) into buf; 0 bytes at the member's end. */
static int member_read(struct fy_reader *r, void *buf, size_t n, size_t *got,
		       struct fy_error *err)
{
	la_ssize_t k;

	*got = 0;
	if (r->member_eof || n == 0)
		return 0;
	k = archive_read_data(r->ar, buf, n);
	if (k < 0)
		return ar_fail(r, err);
	if (k == 0) {
		r->member_eof = 1;
		if (r->done != r->size)
			return fy_error_set(err, FY_E_INTEGRITY, "%s: member is truncated", r->name);
		return 0;
	}
	/*
	 * libarchive hands out more than the declared size only for a sparse
	 * member whose map it did not report (old GNU 'S' headers): its holes
	 * come back as zeros, up to a size the header can put at petabytes.
	 */
	if (r->done + (uint64_t)k > r->size)
		return fy_error_set(err, FY_E_UNSAFE,
				    "%s: member is a sparse file (more data than its declared size)",
				    r->name);
	fy_sha256_update(&r->h, buf, (size_t)k);
	r->done += (uint64_t)k;
	*got = (size_t)k;
	return 0;
}

/* Read a whole member into b (at most max bytes). */
static int member_slurp(struct fy_reader *r, struct fy_buf *b, size_t max, struct fy_error *err)
{
	if (r->size > max)
		return fy_error_set(err, FY_E_UNSAFE, "%s: %llu bytes is more than the limit of %zu",
				    r->name, (unsigned long long)r->size, max);
	fy_buf_reset(b);
	b->max = max;
	if (fy_buf_grow(b, (size_t)r->size, err) < 0)
		return -1;
	for (;;) {
		size_t got;

		if (member_read(r, b->ptr + b->len, (size_t)r->size - b->len + 1, &got, err) < 0)
			return -1;
		if (got == 0)
			break;
		b->len += got;
		b->ptr[b->len] = '\0';
	}
	return 0;
}

/* Finish the current member: skip what is unread, check and remember its hash. */
static int member_finish(struct fy_reader *r, struct fy_error *err)
{
	char buf[65536], hex[FY_SHA256_HEX];
	struct seen_member *m;

	for (;;) {
		size_t got;

		if (member_read(r, buf, sizeof(buf), &got, err) < 0)
			return -1;
		if (got == 0)
			break;
	}
	if (r->nseen == r->capseen) {
		size_t cap = r->capseen ? r->capseen * 2 : 64;
		struct seen_member *p = realloc(r->seen, cap * sizeof(*p));

		if (!p)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		r->seen = p;
		r->capseen = cap;
	}
	m = &r->seen[r->nseen];
	m->name = strdup(r->name);
	if (!m->name)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	m->size = r->size;
	m->records = r->records;
	fy_sha256_final(&r->h, m->sha);
	r->nseen++;
	if (r->info.cls == FY_MEMBER_BLOB) {
		fy_hex(m->sha, FY_SHA256_LEN, hex);
		if (strcmp(hex, r->info.id) != 0)
			return fy_error_set(err, FY_E_INTEGRITY, "%s: content does not match its name",
					    r->name);
		if (fy_checker_blob(r->chk, hex, err) < 0)
			return -1;
	}
	if (r->info.cls == FY_MEMBER_MANIFEST)
		memcpy(r->manifest_sha, m->sha, FY_SHA256_LEN);
	r->state = ST_BETWEEN;
	return 0;
}

/* Refuse anything but a regular file with a safe, new name, within the caps. */
static int check_entry(struct fy_reader *r, struct archive_entry *e, struct fy_error *err)
{
	const char *name = archive_entry_pathname_utf8(e);
	int added;

	if (!name)
		name = archive_entry_pathname(e);
	if (!name)
		return fy_error_set(err, FY_E_UNSAFE, "member without a name");
	if (fy_member_classify(name, &r->info, err) < 0)
		return -1;
	snprintf(r->name, sizeof(r->name), "%s", name);
	if (archive_entry_hardlink(e))
		return fy_error_set(err, FY_E_UNSAFE, "%s: member is a hard link", name);
	if (archive_entry_symlink(e) || archive_entry_filetype(e) == AE_IFLNK)
		return fy_error_set(err, FY_E_UNSAFE, "%s: member is a symbolic link", name);
	if (archive_entry_filetype(e) != AE_IFREG)
		return fy_error_set(err, FY_E_UNSAFE,
				    "%s: member is not a regular file (a folder, device or FIFO)", name);
	if (archive_entry_sparse_count(e) > 0)
		return fy_error_set(err, FY_E_UNSAFE, "%s: member is a sparse file", name);
	if (!archive_entry_size_is_set(e) || archive_entry_size(e) < 0)
		return fy_error_set(err, FY_E_UNSAFE, "%s: member has no size", name);
	r->size = (uint64_t)archive_entry_size(e);
	if (r->size > r->opt.max_member)
		return fy_error_set(err, FY_E_UNSAFE, "%s: member declares %llu bytes, more than the limit",
				    name, (unsigned long long)r->size);
	r->total += r->size;
	if (r->total > r->opt.max_total)
		return fy_error_set(err, FY_E_UNSAFE, "archive holds more than %llu bytes",
				    (unsigned long long)r->opt.max_total);
	if (r->nseen + 1 > r->opt.max_members)
		return fy_error_set(err, FY_E_UNSAFE, "archive has more than %llu members",
				    (unsigned long long)r->opt.max_members);
	added = fy_idset_add(&r->names, fy_member_name_fold_fp(name), err);
	if (added < 0)
		return -1;
	if (!added)
		return fy_error_set(err, FY_E_UNSAFE, "%s: duplicate member name (or one differing only by case)",
				    name);
	return 0;
}

static char *get_str(const struct fy_jdoc *d, uint32_t obj, const char *key)
{
	return fy_json_get_strdup(d, obj, key);
}

static int read_header(struct fy_reader *r, struct fy_error *err)
{
	struct fy_buf b = FY_BUF_INIT(1 << 20);
	const struct fy_jdoc *d = &r->doc;
	uint32_t src, scope;
	char *v = NULL, *dot;
	int rc = -1;

	if (member_slurp(r, &b, 1 << 20, err) < 0)
		goto out;
	if (fy_jdoc_parse(&r->doc, b.ptr, b.len, 0, err) < 0)
		goto bad;
	if (!fy_json_streq(d, fy_json_get(d, 0, "format"), FY_FORMAT_NAME)) {
		rc = fy_error_set(err, FY_E_UNSUPPORTED, "not a ferry archive (header format is not \"ferry\")");
		goto out;
	}
	v = get_str(d, 0, "version");
	if (!v || !(dot = strchr(v, '.'))) {
		rc = fy_error_set(err, FY_E_DATA, "%s: no valid \"version\"", FY_HEADER_NAME);
		goto out;
	}
	r->hdr.major = atoi(v);
	r->hdr.minor = atoi(dot + 1);
	if (r->hdr.major != FY_FORMAT_MAJOR) {
		rc = fy_error_set(err, FY_E_UNSUPPORTED,
				  "archive format version %s is not supported (this ferry reads %d.x)", v,
				  FY_FORMAT_MAJOR);
		goto out;
	}
	r->lenient = r->hdr.minor > FY_FORMAT_MINOR;
	if (fy_schema_validate(r->schemas, "header.json", d, 0, r->lenient ? FY_SCHEMA_LENIENT : 0,
			       err) < 0)
		goto bad;
	r->hdr.version = v;
	v = NULL;
	r->hdr.producer = get_str(d, 0, "producer");
	r->hdr.created = get_str(d, 0, "created");
	if (r->hdr.created) {
		int32_t ns;

		fy_time_parse(r->hdr.created, strlen(r->hdr.created), &r->hdr.created_sec, &ns);
	}
	src = fy_json_get(d, 0, "source");
	r->hdr.source_adapter = get_str(d, src, "adapter");
	r->hdr.source_location = get_str(d, src, "location");
	r->hdr.source_account = get_str(d, src, "account");
	scope = fy_json_get(d, 0, "scope");
	if (scope != FY_JNONE) {
		struct fy_buf sb = FY_BUF_INIT(1 << 20);

		if (fy_json_emit(d, scope, &sb, err) < 0) {
			fy_buf_release(&sb);
			goto out;
		}
		r->hdr.scope_json = fy_buf_detach(&sb, NULL);
	}
	rc = 0;
	goto out;
bad:
	fy_error_prefix(err, "%s", FY_HEADER_NAME);
out:
	free(v);
	fy_buf_release(&b);
	return rc;
}

struct fy_reader *fy_reader_open(const char *path, const struct fy_reader_options *o,
				 struct fy_error *err)
{
	struct fy_reader *r = calloc(1, sizeof(*r));
	struct archive_entry *e;
	int rc;

	if (!r) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	if (o)
		r->opt = *o;
	else
		fy_reader_options_init(&r->opt);
	r->path = path;
	r->fd = -1;
	fy_idset_init(&r->names, r->opt.max_members + 16);
	fy_buf_init(&r->lines, r->opt.max_record + RBUF_SIZE + 2);
	fy_buf_init(&r->manifest, r->opt.max_manifest);
	fy_buf_init(&r->sums, r->opt.max_manifest);
	fy_jdoc_init(&r->doc);
	r->doc.max_depth = r->opt.max_depth;
	r->rbuf = malloc(RBUF_SIZE);
	if (!r->rbuf || fy_sha256_init(&r->h) < 0) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		goto fail;
	}
	r->schemas = fy_schemaset_default(err);
	if (!r->schemas)
		goto fail;
	if (strcmp(path, "-") == 0) {
		r->fd = STDIN_FILENO;
	} else {
		struct stat st;

		r->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0) {
			fy_error_errno(err, errno, "%s", path);
			goto fail;
		}
		r->own_fd = 1;
		if (fstat(r->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			fy_error_set(err, FY_E_USAGE, "%s: is a folder, not an archive", path);
			goto fail;
		}
	}
	/* Member bytes, plus tar headers and padding (at most ~2 KiB a member). */
	r->z = fy_zin_new(r->fd, r->opt.window_log_max,
			  r->opt.max_total + r->opt.max_members * 2048 + ((uint64_t)1 << 20), err);
	if (!r->z)
		goto fail;
	fy_zin_limit_ratio(r->z, r->opt.max_ratio, (uint64_t)256 << 20);
	r->ar = archive_read_new();
	if (!r->ar || archive_read_support_format_tar(r->ar) != ARCHIVE_OK) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		goto fail;
	}
	if (archive_read_open(r->ar, r, NULL, rd_cb, NULL) != ARCHIVE_OK) {
		/* libarchive reads the first block here to recognise the format. */
		if (r->cb_err.code == FY_E_OK)
			fy_error_set(err, FY_E_UNSUPPORTED, "not a ferry archive (not a tar stream inside zstd)");
		else
			*err = r->cb_err;
		goto fail;
	}
	rc = archive_read_next_header(r->ar, &e);
	if (rc == ARCHIVE_EOF) {
		fy_error_set(err, FY_E_DATA, "not a ferry archive (no members)");
		goto fail;
	}
	if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
		if (r->cb_err.code == FY_E_OK)
			fy_error_set(err, FY_E_UNSUPPORTED, "not a ferry archive (not a tar stream inside zstd)");
		else
			*err = r->cb_err;
		goto fail;
	}
	if (check_entry(r, e, err) < 0)
		goto fail;
	if (r->info.cls != FY_MEMBER_HEADER) {
		fy_error_set(err, FY_E_DATA, "not a ferry archive (first member is '%s', not %s)",
			     r->name, FY_HEADER_NAME);
		goto fail;
	}
	r->done = 0;
	r->member_eof = 0;
	if (read_header(r, err) < 0)
		goto fail;
	r->chk = fy_checker_new(r->hdr.scope_json ? FY_CHECK_SCOPED : 0, err);
	if (!r->chk || member_finish(r, err) < 0)
		goto fail;
	return r;
fail:
	fy_reader_free(r);
	return NULL;
}

/* --- items ----------------------------------------------------------- */

static int item_read(void *ctx, void *buf, size_t n, size_t *got, struct fy_error *err)
{
	struct fy_reader *r = ctx;

	if (r->state != ST_DATA) {
		*got = 0;
		return 0;
	}
	return member_read(r, buf, n, got, err);
}

/* Parse and check one record (text p[0..n)) found at r->name, line r->line. */
static int take_record(struct fy_reader *r, const char *p, size_t n, enum fy_kind want,
		       struct fy_item *it, struct fy_error *err)
{
	const struct fy_jdoc *d = &r->doc;
	uint32_t kv, idv;
	enum fy_kind kind;
	size_t klen;
	const char *ks;
	char id[FY_ID_MAX + 1] = "";

	if (n > r->opt.max_record)
		return fy_error_set(err, FY_E_UNSAFE, "record larger than the limit of %zu bytes",
				    r->opt.max_record);
	if (fy_jdoc_parse(&r->doc, p, n, 0, err) < 0)
		return -1;
	kv = fy_json_get(d, 0, "kind");
	if (kv == FY_JNONE)
		return fy_error_set(err, FY_E_DATA, "record has no \"kind\"");
	ks = fy_json_raw(d, kv, &klen);
	kind = fy_json_type(d, kv) == FY_JSTRING ? fy_kind_from_name(ks, klen) : FY_KIND_NONE;
	if (kind == FY_KIND_NONE)
		return fy_error_set(err, FY_E_DATA, "unknown record kind");
	if (kind != want && !(want == FY_KIND_THREAD && kind == FY_KIND_MESSAGE))
		return fy_error_set(err, FY_E_DATA, "a %s record does not belong in this member",
				    fy_kind_name(kind));
	idv = fy_json_get(d, 0, "id");
	if (idv != FY_JNONE && fy_json_type(d, idv) == FY_JSTRING) {
		size_t ilen;
		const char *is = fy_json_raw(d, idv, &ilen);

		if (fy_id_valid(is, ilen)) {
			memcpy(id, is, ilen);
			id[ilen] = '\0';
		}
	}
	if (fy_schema_validate_kind(r->schemas, kind, d, 0, r->lenient ? FY_SCHEMA_LENIENT : 0,
				    err) < 0)
		return fy_error_prefix(err, "%s%s%s%s", fy_kind_name(kind), id[0] ? " '" : "", id,
				       id[0] ? "'" : "");
	if (r->info.cls == FY_MEMBER_OBJECT && strcmp(id, r->info.id) != 0)
		return fy_error_set(err, FY_E_DATA, "%s '%s' is stored under another id's name",
				    fy_kind_name(kind), id);
	if (fy_checker_record(r->chk, kind, d, 0, err) < 0)
		return -1;
	memset(it, 0, sizeof(*it));
	it->type = FY_ITEM_RECORD;
	it->kind = kind;
	it->json = p;
	it->len = n;
	it->doc = d;
	it->member = r->name;
	it->line = r->line;
	r->records++;
	return 0;
}

static int take_ledger(struct fy_reader *r, const char *p, size_t n, struct fy_item *it,
		       struct fy_error *err)
{
	if (fy_jdoc_parse(&r->doc, p, n, 0, err) < 0 ||
	    fy_schema_validate(r->schemas, "ledger.json", &r->doc, 0,
			       r->lenient ? FY_SCHEMA_LENIENT : 0, err) < 0)
		return -1;
	memset(it, 0, sizeof(*it));
	it->type = FY_ITEM_LEDGER;
	it->json = p;
	it->len = n;
	it->doc = &r->doc;
	it->member = r->name;
	it->line = r->line;
	r->records++;
	return 0;
}

/* The next line of the current JSON Lines member: 1, 0 at its end, -1. */
static int next_line(struct fy_reader *r, struct fy_item *it, struct fy_error *err)
{
	for (;;) {
		char *start = r->lines.ptr ? r->lines.ptr + r->lpos : NULL;
		size_t avail = r->lines.len - r->lpos;
		char *nl = avail ? memchr(start, '\n', avail) : NULL;

		if (nl) {
			size_t n = (size_t)(nl - start);
			int rc;

			r->lpos += n + 1;
			r->line++;
			if (n == 0)
				return fy_error_set(err, FY_E_DATA, "%s line %llu: empty line", r->name,
						    (unsigned long long)r->line);
			*nl = '\0';
			rc = r->info.cls == FY_MEMBER_LEDGER ? take_ledger(r, start, n, it, err)
							     : take_record(r, start, n, r->info.kind, it, err);
			if (rc < 0)
				return fy_error_prefix(err, "%s line %llu", r->name,
						       (unsigned long long)r->line);
			return 1;
		}
		if (avail > r->opt.max_record)
			return fy_error_set(err, FY_E_UNSAFE, "%s line %llu: record larger than the limit",
					    r->name, (unsigned long long)r->line + 1);
		/* Compact, then read more. */
		if (r->lpos) {
			fy_buf_consume(&r->lines, r->lpos);
			r->lpos = 0;
		}
		if (r->member_eof) {
			if (r->lines.len)
				return fy_error_set(err, FY_E_DATA, "%s: last line has no newline (truncated?)",
						    r->name);
			return 0;
		}
		{
			size_t got;

			if (fy_buf_grow(&r->lines, RBUF_SIZE, err) < 0 ||
			    member_read(r, r->lines.ptr + r->lines.len, RBUF_SIZE, &got, err) < 0)
				return -1;
			r->lines.len += got;
			r->lines.ptr[r->lines.len] = '\0';
		}
	}
}

static int start_member(struct fy_reader *r, struct archive_entry *e, struct fy_item *it,
			struct fy_error *err)
{
	r->done = 0;
	r->member_eof = 0;
	r->records = 0;
	r->line = 0;
	if (check_entry(r, e, err) < 0)
		return -1;
	if (r->have_sums)
		return fy_error_set(err, FY_E_DATA, "%s: member after %s (SHA256SUMS must be last)",
				    r->name, FY_SUMS_NAME);
	if (r->have_manifest && r->info.cls != FY_MEMBER_SUMS)
		return fy_error_set(err, FY_E_DATA, "%s: member after the manifest", r->name);
	switch (r->info.cls) {
	case FY_MEMBER_HEADER:
		return fy_error_set(err, FY_E_DATA, "%s: a second header", r->name);
	case FY_MEMBER_MANIFEST:
		r->have_manifest = 1;
		if (member_slurp(r, &r->manifest, r->opt.max_manifest, err) < 0)
			return -1;
		return 0;
	case FY_MEMBER_SUMS:
		if (!r->have_manifest)
			return fy_error_set(err, FY_E_DATA, "%s before the manifest", FY_SUMS_NAME);
		r->have_sums = 1;
		return member_slurp(r, &r->sums, r->opt.max_manifest, err);
	case FY_MEMBER_OBJECT: {
		struct fy_buf *b = &r->lines;

		r->lpos = 0;
		if (member_slurp(r, b, r->opt.max_record, err) < 0)
			return -1;
		b->max = r->opt.max_record + RBUF_SIZE + 2;
		r->line = 1;
		if (take_record(r, b->ptr, b->len, r->info.kind, it, err) < 0)
			return fy_error_prefix(err, "%s", r->name);
		r->state = ST_OPEN;
		return 1;
	}
	case FY_MEMBER_STREAM:
	case FY_MEMBER_LEDGER:
		fy_buf_reset(&r->lines);
		r->lpos = 0;
		r->state = ST_LINES;
		return next_line(r, it, err);
	case FY_MEMBER_BLOB:
	case FY_MEMBER_RAW:
		memset(it, 0, sizeof(*it));
		it->type = r->info.cls == FY_MEMBER_BLOB ? FY_ITEM_BLOB : FY_ITEM_RAW;
		it->name = r->info.cls == FY_MEMBER_BLOB ? r->info.id : r->name + 4;
		it->size = r->size;
		it->read = item_read;
		it->ctx = r;
		it->member = r->name;
		r->state = ST_DATA;
		return 1;
	case FY_MEMBER_UNKNOWN:
		if (!r->lenient)
			return fy_error_set(err, FY_E_DATA, "%s: not part of the ferry %d.%d layout",
					    r->name, FY_FORMAT_MAJOR, FY_FORMAT_MINOR);
		r->unknown++;
		return 0;
	}
	return fy_error_set(err, FY_E_INTERNAL, "unhandled member class");
}

/* After the end-of-archive marker only zero bytes may follow. */
static int check_tail(struct fy_reader *r, struct fy_error *err)
{
	uint64_t consumed = (uint64_t)archive_filter_bytes(r->ar, 0);
	uint64_t pending = r->handed - consumed;
	size_t i;

	if (r->handed < consumed || pending > r->rlen)
		return fy_error_set(err, FY_E_INTEGRITY, "cannot account for the end of the tar stream");
	for (i = r->rlen - (size_t)pending; i < r->rlen; i++)
		if (r->rbuf[i])
			return fy_error_set(err, FY_E_INTEGRITY, "trailing data after the end of the archive");
	for (;;) {
		ssize_t n = fy_zin_read(r->z, r->rbuf, RBUF_SIZE, err);

		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		for (i = 0; i < (size_t)n; i++)
			if (r->rbuf[i])
				return fy_error_set(err, FY_E_INTEGRITY,
						    "trailing data after the end of the archive");
	}
}

static int sha_eq_hex(const unsigned char *sha, const char *hex, size_t n)
{
	char h[FY_SHA256_HEX];

	fy_hex(sha, FY_SHA256_LEN, h);
	return n == 64 && memcmp(h, hex, 64) == 0;
}

/* Compare what was read with what the manifest says. */
static int check_manifest(struct fy_reader *r, struct fy_error *err)
{
	const struct fy_jdoc *d = &r->doc;
	const struct fy_stats *st = fy_checker_stats(r->chk);
	uint32_t members, recs, k, el;
	size_t listed, nm = r->nseen - 2;	/* all but the manifest and SHA256SUMS */
	int kind;

	if (fy_jdoc_parse(&r->doc, r->manifest.ptr, r->manifest.len, 0, err) < 0 ||
	    fy_schema_validate(r->schemas, "manifest.json", d, 0, r->lenient ? FY_SCHEMA_LENIENT : 0,
			       err) < 0)
		return fy_error_prefix(err, "%s", FY_MANIFEST_NAME);
	members = fy_json_get(d, 0, "members");
	listed = fy_json_len(d, members);
	FY_JSON_FOREACH(d, members, k, el) {
		const struct seen_member *m = &r->seen[k];
		size_t len, hlen;
		const char *nm_s = fy_json_raw(d, fy_json_get(d, el, "name"), &len);
		const char *hex = fy_json_raw(d, fy_json_get(d, el, "sha256"), &hlen);
		int64_t size;

		if (k >= nm)
			return fy_error_set(err, FY_E_INTEGRITY,
					    "manifest lists '%.*s', which is not in the archive",
					    (int)len, nm_s);
		if (!fy_json_streq(d, fy_json_get(d, el, "name"), m->name))
			return fy_error_set(err, FY_E_INTEGRITY,
					    "manifest lists '%.*s' where the archive has '%s'", (int)len,
					    nm_s, m->name);
		if (fy_json_int(d, fy_json_get(d, el, "size"), &size) < 0 || (uint64_t)size != m->size)
			return fy_error_set(err, FY_E_INTEGRITY, "%s: size does not match the manifest",
					    m->name);
		if (!sha_eq_hex(m->sha, hex, hlen))
			return fy_error_set(err, FY_E_INTEGRITY, "%s: SHA-256 does not match the manifest",
					    m->name);
	}
	if (listed != nm)
		return fy_error_set(err, FY_E_INTEGRITY, "%s: not listed in the manifest",
				    r->seen[listed < nm ? listed : 0].name);
	recs = fy_json_get(d, 0, "records");
	for (kind = FY_KIND_NONE + 1; kind < FY_KIND__COUNT; kind++) {
		int64_t want = 0;
		uint32_t v = fy_json_get(d, recs, fy_kind_name((enum fy_kind)kind));

		if (v != FY_JNONE && fy_json_int(d, v, &want) < 0)
			want = -1;
		if ((uint64_t)want != st->records[kind])
			return fy_error_set(err, FY_E_INTEGRITY,
					    "manifest counts %lld %s records, the archive holds %llu",
					    (long long)want, fy_kind_name((enum fy_kind)kind),
					    (unsigned long long)st->records[kind]);
	}
	r->summary.members = r->nseen;
	r->summary.bytes = r->total;
	return 0;
}

/* SHA256SUMS must list every member but itself, in order, with the same hashes. */
static int check_sums(struct fy_reader *r, struct fy_error *err)
{
	const char *p = r->sums.ptr ? r->sums.ptr : "", *end = p + r->sums.len;
	size_t i = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const struct seen_member *m;
		size_t len;

		if (!nl)
			return fy_error_set(err, FY_E_INTEGRITY, "%s: last line has no newline",
					    FY_SUMS_NAME);
		len = (size_t)(nl - p);
		if (i >= r->nseen - 1)
			return fy_error_set(err, FY_E_INTEGRITY, "%s: more lines than members",
					    FY_SUMS_NAME);
		m = &r->seen[i];
		if (len < 67 || p[64] != ' ' || p[65] != ' ' || !sha_eq_hex(m->sha, p, 64) ||
		    len - 66 != strlen(m->name) || memcmp(p + 66, m->name, len - 66) != 0)
			return fy_error_set(err, FY_E_INTEGRITY, "%s line %zu: does not match member '%s'",
					    FY_SUMS_NAME, i + 1, m->name);
		p = nl + 1;
		i++;
	}
	if (i != r->nseen - 1)
		return fy_error_set(err, FY_E_INTEGRITY, "%s: '%s' is not listed", FY_SUMS_NAME,
				    r->seen[i].name);
	return 0;
}

static int finish_archive(struct fy_reader *r, struct fy_error *err)
{
	if (check_tail(r, err) < 0)
		return -1;
	if (!r->have_manifest || !r->have_sums)
		return fy_error_set(err, FY_E_INTEGRITY, "archive has no %s (truncated?)",
				    r->have_manifest ? FY_SUMS_NAME : FY_MANIFEST_NAME);
	if (check_manifest(r, err) < 0 || check_sums(r, err) < 0 ||
	    fy_checker_finish(r->chk, err) < 0)
		return -1;
	r->state = ST_DONE;
	return 0;
}

static int reader_next(struct fy_reader *r, struct fy_item *it, struct fy_error *err)
{
	for (;;) {
		struct archive_entry *e;
		int rc;

		switch (r->state) {
		case ST_DONE:
			return 0;
		case ST_LINES:
			rc = next_line(r, it, err);
			if (rc != 0)
				return rc;
			if (member_finish(r, err) < 0)
				return -1;
			continue;
		case ST_DATA:
		case ST_OPEN:
			if (member_finish(r, err) < 0)
				return -1;
			continue;
		case ST_BETWEEN:
			break;
		}
		rc = archive_read_next_header(r->ar, &e);
		if (rc == ARCHIVE_EOF)
			return finish_archive(r, err) < 0 ? -1 : 0;
		if (rc != ARCHIVE_OK)
			return ar_fail(r, err);
		rc = start_member(r, e, it, err);
		if (rc < 0)
			return -1;
		if (rc == 1)
			return 1;
		if (r->state == ST_BETWEEN && member_finish(r, err) < 0)
			return -1;
	}
}

int fy_reader_next(struct fy_reader *r, struct fy_item *it, struct fy_error *err)
{
	int rc;

	if (r->failed)
		return fy_error_set(err, FY_E_INTERNAL, "reader already failed");
	rc = reader_next(r, it, err);
	if (rc < 0)
		r->failed = 1;
	return rc;
}

const struct fy_header *fy_reader_header(const struct fy_reader *r)
{
	return &r->hdr;
}

const struct fy_stats *fy_reader_stats(const struct fy_reader *r)
{
	return fy_checker_stats(r->chk);
}

const struct fy_reader_summary *fy_reader_summary(const struct fy_reader *r)
{
	return &r->summary;
}

uint64_t fy_reader_unknown_members(const struct fy_reader *r)
{
	return r->unknown;
}

void fy_reader_free(struct fy_reader *r)
{
	size_t i;

	if (!r)
		return;
	if (r->ar)
		archive_read_free(r->ar);
	fy_zin_free(r->z);
	if (r->own_fd && r->fd >= 0)
		close(r->fd);
	free(r->rbuf);
	for (i = 0; i < r->nseen; i++)
		free(r->seen[i].name);
	free(r->seen);
	fy_idset_release(&r->names);
	fy_buf_release(&r->lines);
	fy_buf_release(&r->manifest);
	fy_buf_release(&r->sums);
	fy_jdoc_release(&r->doc);
	fy_checker_free(r->chk);
	fy_sha256_release(&r->h);
	free(r->hdr.version);
	free(r->hdr.producer);
	free(r->hdr.created);
	free(r->hdr.source_adapter);
	free(r->hdr.source_location);
	free(r->hdr.source_account);
	free(r->hdr.scope_json);
	free(r);
}
