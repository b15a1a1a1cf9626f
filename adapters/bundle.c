/*
 * bundle.c - zip, folder or file, listed and streamed alike. See bundle.h.
 */
#include "bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sha256.h"

#define BUNDLE_MAX_ENTRIES 1000000
#define BUNDLE_MAX_DEPTH 32

struct entry {
	char *path;
	uint64_t size;
	size_t seq;		/* position in the zip */
};

struct fy_bundle {
	enum fy_bundle_kind kind;
	char *location;
	char *root;		/* folder: the root; file: its path */
	struct entry *e;
	size_t n, cap;
	int64_t mtime;
	/* reading */
	struct archive *ar;
	size_t ar_next;		/* seq of the next header the open zip reader will return */
	int fd;
	size_t cur;		/* the open entry, or (size_t)-1 */
	uint64_t done;		/* bytes of it read so far */
};

static int add_entry(struct fy_bundle *b, const char *path, uint64_t size, size_t seq,
		     struct fy_error *err)
{
	struct entry *x;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct entry *p;

		if (cap > BUNDLE_MAX_ENTRIES)
			return fy_error_set(err, FY_E_UNSAFE, "%s: more than %d files", b->location,
					    BUNDLE_MAX_ENTRIES);
		p = realloc(b->e, cap * sizeof(*p));
		if (!p)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		b->e = p;
		b->cap = cap;
	}
	x = &b->e[b->n];
	x->path = strdup(path);
	if (!x->path)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	x->size = size;
	x->seq = seq;
	b->n++;
	return 0;
}

static int cmp_entry(const void *a, const void *c)
{
	return strcmp(((const struct entry *)a)->path, ((const struct entry *)c)->path);
}

/* --- folder ----------------------------------------------------------- */

static int walk(struct fy_bundle *b, const char *rel, int depth, struct fy_error *err)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dh;
	int rc = 0;

	if (depth > BUNDLE_MAX_DEPTH)
		return fy_error_set(err, FY_E_UNSAFE, "%s/%s: folders nested too deep", b->root, rel);
	snprintf(path, sizeof(path), "%s%s%s", b->root, *rel ? "/" : "", rel);
	dh = opendir(path);
	if (!dh)
		return fy_error_errno(err, errno, "%s", path);
	while (rc == 0 && (de = readdir(dh))) {
		char sub[PATH_MAX], full[PATH_MAX * 2];
		struct stat st;

		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		snprintf(full, sizeof(full), "%s/%s", b->root, sub);
		if (lstat(full, &st) < 0) {
			rc = fy_error_errno(err, errno, "%s", full);
		} else if (S_ISDIR(st.st_mode)) {
			rc = walk(b, sub, depth + 1, err);
		} else if (S_ISREG(st.st_mode)) {
			if (st.st_mtime > b->mtime)
				b->mtime = st.st_mtime;
			rc = add_entry(b, sub, (uint64_t)st.st_size, b->n, err);
		}
		/* symbolic links and devices are not part of an export: ignored */
	}
	closedir(dh);
	return rc;
}

/* --- zip -------------------------------------------------------------- */

static int zip_error(struct fy_bundle *b, const char *member, struct fy_error *err)
{
	const char *msg = b->ar ? archive_error_string(b->ar) : NULL;

	if (member)
		return fy_error_set(err, FY_E_DATA, "%s: %s: cannot read the zip member (%s)",
				    b->location, member, msg ? msg : "unknown error");
	return fy_error_set(err, FY_E_DATA, "%s: not a readable zip (%s)", b->location,
			    msg ? msg : "unknown error");
}

static int zip_reopen(struct fy_bundle *b, struct fy_error *err)
{
	if (b->ar)
		archive_read_free(b->ar);
	b->ar = archive_read_new();
	if (!b->ar)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	b->ar_next = 0;
	if (archive_read_support_format_zip_seekable(b->ar) != ARCHIVE_OK ||
	    archive_read_open_filename(b->ar, b->root, 1 << 16) != ARCHIVE_OK)
		return zip_error(b, NULL, err);
	return 0;
}

static int zip_list(struct fy_bundle *b, struct fy_error *err)
{
	struct archive_entry *ae;
	size_t seq;
	int r;

	if (zip_reopen(b, err) < 0)
		return -1;
	for (seq = 0;; seq++) {
		r = archive_read_next_header(b->ar, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return zip_error(b, NULL, err);
		if (archive_entry_mtime(ae) > b->mtime)
			b->mtime = archive_entry_mtime(ae);
		if (archive_entry_filetype(ae) == AE_IFREG && archive_entry_pathname(ae)) {
			const char *p = archive_entry_pathname(ae);

			while (p[0] == '.' && p[1] == '/')
				p += 2;
			if (add_entry(b, p, archive_entry_size_is_set(ae) ? (uint64_t)archive_entry_size(ae) : UINT64_MAX,
				      seq, err) < 0)
				return -1;
		}
	}
	b->ar_next = seq;	/* at the end: the next read reopens */
	return 0;
}

/* Position the zip reader on the header with sequence number seq. */
static int zip_seek(struct fy_bundle *b, size_t seq, const char *member, struct fy_error *err)
{
	struct archive_entry *ae;

	if (seq < b->ar_next && zip_reopen(b, err) < 0)
		return -1;
	for (;;) {
		int r = archive_read_next_header(b->ar, &ae);

		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return r == ARCHIVE_EOF ? fy_error_set(err, FY_E_DATA, "%s: %s: member vanished",
							       b->location, member)
						: zip_error(b, member, err);
		if (b->ar_next++ == seq)
			return 0;
	}
}

/* --- common ----------------------------------------------------------- */

static int is_zip(const char *path)
{
	unsigned char sig[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, sig, sizeof(sig));
	close(fd);
	return n == 4 && sig[0] == 'P' && sig[1] == 'K' &&
	       ((sig[2] == 3 && sig[3] == 4) || (sig[2] == 5 && sig[3] == 6));
}

struct fy_bundle *fy_bundle_open(const char *location, struct fy_error *err)
{
	struct fy_bundle *b = calloc(1, sizeof(*b));
	struct stat st;
	size_t n;

	if (!b) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	b->fd = -1;
	b->cur = (size_t)-1;
	b->location = strdup(location);
	b->root = strdup(*location ? location : ".");
	if (!b->location || !b->root) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		goto fail;
	}
	n = strlen(b->root);
	while (n > 1 && b->root[n - 1] == '/')
		b->root[--n] = '\0';
	if (stat(b->root, &st) < 0) {
		fy_error_set(err, errno == ENOENT ? FY_E_USAGE : FY_E_IO, "%s: %s", location,
			     strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		b->kind = FY_BUNDLE_DIR;
		if (walk(b, "", 0, err) < 0)
			goto fail;
	} else if (!S_ISREG(st.st_mode)) {
		fy_error_set(err, FY_E_USAGE, "%s: not a file or folder", location);
		goto fail;
	} else if (is_zip(b->root)) {
		b->kind = FY_BUNDLE_ZIP;
		if (zip_list(b, err) < 0)
			goto fail;
	} else {
		const char *slash = strrchr(b->root, '/');

		b->kind = FY_BUNDLE_FILE;
		b->mtime = st.st_mtime;
		if (add_entry(b, slash ? slash + 1 : b->root, (uint64_t)st.st_size, 0, err) < 0)
			goto fail;
	}
	if (b->n)	/* qsort(NULL, 0, ...) is undefined (an empty zip; found by fuzz_bundle) */
		qsort(b->e, b->n, sizeof(*b->e), cmp_entry);
	if (b->kind != FY_BUNDLE_ZIP) {
		size_t i;

		for (i = 0; i < b->n; i++)
			b->e[i].seq = i;	/* folders: name order is the reading order */
	}
	return b;
fail:
	fy_bundle_free(b);
	return NULL;
}

void fy_bundle_free(struct fy_bundle *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->n; i++)
		free(b->e[i].path);
	free(b->e);
	if (b->ar)
		archive_read_free(b->ar);
	if (b->fd >= 0)
		close(b->fd);
	free(b->location);
	free(b->root);
	free(b);
}

enum fy_bundle_kind fy_bundle_kind(const struct fy_bundle *b)
{
	return b->kind;
}

const char *fy_bundle_location(const struct fy_bundle *b)
{
	return b->location;
}

int64_t fy_bundle_mtime(const struct fy_bundle *b)
{
	return b->mtime;
}

size_t fy_bundle_count(const struct fy_bundle *b)
{
	return b->n;
}

const char *fy_bundle_path(const struct fy_bundle *b, size_t i)
{
	return b->e[i].path;
}

const char *fy_bundle_base(const struct fy_bundle *b, size_t i)
{
	const char *s = strrchr(b->e[i].path, '/');

	return s ? s + 1 : b->e[i].path;
}

size_t fy_bundle_seq(const struct fy_bundle *b, size_t i)
{
	return b->e[i].seq;
}

uint64_t fy_bundle_size(const struct fy_bundle *b, size_t i)
{
	return b->e[i].size;
}

size_t fy_bundle_find(const struct fy_bundle *b, const char *path)
{
	size_t lo = 0, hi = b->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(b->e[mid].path, path);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (size_t)-1;
}

int fy_bundle_open_entry(struct fy_bundle *b, size_t i, struct fy_error *err)
{
	char path[PATH_MAX * 2];

	if (b->fd >= 0) {
		close(b->fd);
		b->fd = -1;
	}
	b->cur = (size_t)-1;
	if (i >= b->n)
		return fy_error_set(err, FY_E_INTERNAL, "bundle entry %zu out of range", i);
	switch (b->kind) {
	case FY_BUNDLE_ZIP:
		if (zip_seek(b, b->e[i].seq, b->e[i].path, err) < 0)
			return -1;
		break;
	case FY_BUNDLE_DIR:
		snprintf(path, sizeof(path), "%s/%s", b->root, b->e[i].path);
		b->fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (b->fd < 0)
			return fy_error_errno(err, errno, "%s", path);
		break;
	case FY_BUNDLE_FILE:
		b->fd = open(b->root, O_RDONLY | O_CLOEXEC);
		if (b->fd < 0)
			return fy_error_errno(err, errno, "%s", b->root);
		break;
	}
	b->cur = i;
	b->done = 0;
	return 0;
}

/*
 * An entry gives exactly the bytes its listing declares: a zip whose
 * headers lie about a size (or a file that changes while it is read) is
 * refused rather than read past or short.
 */
static int check_size(struct fy_bundle *b, size_t k, size_t *got, struct fy_error *err)
{
	const struct entry *e = &b->e[b->cur];

	if (e->size != UINT64_MAX) {
		if (k > e->size - b->done)
			return fy_error_set(err, FY_E_DATA, "%s: %s: longer than the %llu bytes its listing "
					    "declares", b->location, e->path, (unsigned long long)e->size);
		if (!k && b->done < e->size)
			return fy_error_set(err, FY_E_DATA, "%s: %s: ends after %llu of the %llu bytes its "
					    "listing declares", b->location, e->path,
					    (unsigned long long)b->done, (unsigned long long)e->size);
	}
	b->done += k;
	*got = k;
	return 0;
}

int fy_bundle_read(void *ctx, void *buf, size_t n, size_t *got, struct fy_error *err)
{
	struct fy_bundle *b = ctx;
	ssize_t k;

	*got = 0;
	if (b->cur == (size_t)-1)
		return fy_error_set(err, FY_E_INTERNAL, "no bundle entry open");
	if (b->kind == FY_BUNDLE_ZIP) {
		la_ssize_t r = archive_read_data(b->ar, buf, n);

		if (r < 0)
			return zip_error(b, b->e[b->cur].path, err);
		k = (ssize_t)r;
	} else {
		do {
			k = read(b->fd, buf, n);
		} while (k < 0 && errno == EINTR);
		if (k < 0)
			return fy_error_errno(err, errno, "%s", b->e[b->cur].path);
	}
	return check_size(b, (size_t)k, got, err);
}

const char *fy_media_type_guess(const char *name)
{
	static const struct {
		const char *ext, *type;
	} map[] = {
		{ "png", "image/png" }, { "jpg", "image/jpeg" }, { "jpeg", "image/jpeg" },
		{ "gif", "image/gif" }, { "webp", "image/webp" }, { "svg", "image/svg+xml" },
		{ "heic", "image/heic" }, { "wav", "audio/wav" }, { "mp3", "audio/mpeg" },
		{ "m4a", "audio/mp4" }, { "ogg", "audio/ogg" }, { "webm", "video/webm" },
		{ "mp4", "video/mp4" }, { "pdf", "application/pdf" }, { "txt", "text/plain" },
		{ "md", "text/markdown" }, { "csv", "text/csv" }, { "json", "application/json" },
		{ "html", "text/html" }, { "py", "text/x-python" }, { "zip", "application/zip" },
		{ "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
		{ "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
	};
	const char *slash = strrchr(name, '/');
	const char *dot = strrchr(slash ? slash : name, '.');
	size_t i;

	if (dot)
		for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (strcasecmp(dot + 1, map[i].ext) == 0)
				return map[i].type;
	return "application/octet-stream";
}

void fy_bundle_elements_init(struct fy_bundle_elements *e, struct fy_bundle *b,
			     const size_t *files, size_t nfiles, const char *noun)
{
	memset(e, 0, sizeof(*e));
	e->b = b;
	e->files = files;
	e->nfiles = nfiles;
	e->noun = noun;
}

void fy_bundle_elements_release(struct fy_bundle_elements *e)
{
	if (e && e->open) {
		fy_jarray_release(&e->ja);
		e->open = 0;
	}
}

int fy_bundle_elements_next(struct fy_bundle_elements *e, struct fy_jdoc *d, struct fy_error *err)
{
	for (;;) {
		int rc;

		if (!e->open) {
			if (e->next == e->nfiles)
				return 0;
			if (fy_bundle_open_entry(e->b, e->files[e->next], err) < 0)
				return -1;
			fy_jarray_init(&e->ja, fy_bundle_read, e->b, FY_JARRAY_OBJECT, 0);
			e->ja.noun = e->noun;
			e->open = 1;
			e->path = fy_bundle_path(e->b, e->files[e->next]);
		}
		rc = fy_jarray_next_doc(&e->ja, d, 0, err);
		if (rc < 0)
			return fy_error_prefix(err, "%s", e->path);
		if (rc == 1)
			return 1;
		fy_bundle_elements_release(e);
		e->next++;
	}
}

int fy_bundle_fingerprint(struct fy_bundle *b, const char *file, const char *field, char *out,
			  size_t cap, struct fy_error *err)
{
	struct fy_buf text = FY_BUF_INIT((size_t)16 << 20);
	unsigned char sha[FY_SHA256_LEN];
	char hex[FY_SHA256_HEX];
	struct fy_jdoc d;
	size_t i, n = (size_t)-1;
	uint32_t first, v;
	int rc = -1;

	out[0] = '\0';
	for (i = 0; i < b->n && n == (size_t)-1; i++)
		if (strcmp(fy_bundle_base(b, i), file) == 0)
			n = i;
	if (n == (size_t)-1)
		return 0;
	fy_jdoc_init(&d);
	if (fy_bundle_open_entry(b, n, err) < 0)
		goto out;
	for (;;) {
		size_t got;

		if (fy_buf_grow(&text, 65536, err) < 0 ||
		    fy_bundle_read(b, text.ptr + text.len, 65536, &got, err) < 0)
			goto where;
		if (!got)
			break;
		text.len += got;
	}
	if (fy_jdoc_parse(&d, text.ptr ? text.ptr : "", text.len, 0, err) < 0)
		goto where;
	first = fy_json_type(&d, 0) == FY_JARRAY ? fy_json_at(&d, 0, 0) : 0;
	v = fy_json_get(&d, first, field);
	if (fy_json_type(&d, v) == FY_JSTRING) {
		size_t vn;
		const char *vs = fy_json_raw(&d, v, &vn);

		fy_sha256(vs, vn, sha);
		fy_hex(sha, FY_SHA256_LEN, hex);
		snprintf(out, cap, "sha256:%s", hex);
	}
	rc = 0;
	goto out;
where:
	fy_error_prefix(err, "%s", fy_bundle_path(b, n));
out:
	fy_jdoc_release(&d);
	fy_buf_release(&text);
	return rc;
}
