/*
 * dir.c - the "dir" adapter: an unpacked neutral tree.
 *
 * A dir tree holds the same members as an archive, as plain files:
 * ferry.json, agents/<id>.json, threads/NNNNNN.jsonl, blobs/<sha256>, ...
 * (formats/SPEC.md). It lets a user export to a folder, edit an agent's
 * instructions by hand and pack it again, and lets tests keep expected
 * output as readable files.
 *
 * Reading walks the tree in a fixed order (objects, files, blobs, threads,
 * memory, ledger, raw; names sorted), so the same tree always packs into
 * the same archive. manifest.json and SHA256SUMS are ignored: they are
 * recomputed, so a hand edit does not have to update them. Anything that
 * is not part of the layout, and any symbolic link, is refused. Object
 * files may be pretty-printed; blank lines in JSON Lines files are skipped.
 *
 * Writing is the archive writer's folder back end: the tree appears under
 * its final name only when complete, and an existing non-empty folder is
 * never overwritten.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapter.h"
#include "names.h"
#include "writer.h"

#define DIR_MAX_FILES 1000000

struct entry {
	char *rel;
	int rank;
	struct fy_member_info info;
};

struct dir_src {
	char *root;
	struct entry *files;
	size_t nfiles, cap, next;
	/* the file being read */
	struct entry *cur;
	int fd;
	struct fy_buf buf;	/* object text, or JSON Lines data */
	size_t lpos;
	uint64_t line;
	int eof;
	int64_t newest;
};

static int rank_of(const struct fy_member_info *info)
{
	switch (info->cls) {
	case FY_MEMBER_OBJECT:
		return info->kind;	/* agent, tool, knowledge, workflow: 1..4 */
	case FY_MEMBER_STREAM:
		return 10 + info->kind;	/* file, thread, memory */
	case FY_MEMBER_BLOB:
		return 15;		/* after files, before threads */
	case FY_MEMBER_LEDGER:
		return 30;
	case FY_MEMBER_RAW:
		return 40;
	default:
		return -1;
	}
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	return strcmp(x->rel, y->rel);
}

static int add_file(struct dir_src *s, const char *rel, struct fy_error *err)
{
	struct fy_member_info info;
	struct entry *e;

	if (fy_member_classify(rel, &info, err) < 0)
		return fy_error_prefix(err, "dir: %s/%s", s->root, rel);
	if (info.cls == FY_MEMBER_MANIFEST || info.cls == FY_MEMBER_SUMS ||
	    info.cls == FY_MEMBER_HEADER)
		return 0;
	if (rank_of(&info) < 0)
		return fy_error_set(err, FY_E_DATA, "dir: %s/%s: not part of the ferry layout",
				    s->root, rel);
	if (s->nfiles == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct entry *p;

		if (cap > DIR_MAX_FILES)
			return fy_error_set(err, FY_E_UNSAFE, "dir: %s: more than %d files", s->root,
					    DIR_MAX_FILES);
		p = realloc(s->files, cap * sizeof(*p));
		if (!p)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		s->files = p;
		s->cap = cap;
	}
	e = &s->files[s->nfiles];
	e->rel = strdup(rel);
	if (!e->rel)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	e->info = info;
	e->rank = rank_of(&info);
	s->nfiles++;
	return 0;
}

/* Collect every file below root/rel (rel "" for the top). */
static int walk(struct dir_src *s, const char *rel, int depth, struct fy_error *err)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dh;
	int rc = 0;

	if (depth > 32)
		return fy_error_set(err, FY_E_UNSAFE, "dir: %s/%s: folders nested too deep", s->root,
				    rel);
	snprintf(path, sizeof(path), "%s%s%s", s->root, *rel ? "/" : "", rel);
	dh = opendir(path);
	if (!dh)
		return fy_error_errno(err, errno, "dir: %s", path);
	while (rc == 0 && (de = readdir(dh))) {
		char sub[PATH_MAX], full[PATH_MAX * 2];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		snprintf(full, sizeof(full), "%s/%s", s->root, sub);
		if (lstat(full, &st) < 0) {
			rc = fy_error_errno(err, errno, "dir: %s", full);
		} else if (S_ISDIR(st.st_mode)) {
			rc = walk(s, sub, depth + 1, err);
		} else if (S_ISREG(st.st_mode)) {
			if (st.st_mtime > s->newest)
				s->newest = st.st_mtime;
			rc = add_file(s, sub, err);
		} else {
			rc = fy_error_set(err, FY_E_UNSAFE,
					  "dir: %s: not a regular file (symbolic links are refused)",
					  full);
		}
	}
	closedir(dh);
	return rc;
}

/* Read ferry.json, if the tree has one, for the header of the new archive. */
static int read_tree_header(struct dir_src *s, struct fy_source_info *info, struct fy_error *err)
{
	char path[PATH_MAX];
	struct fy_buf b = FY_BUF_INIT(1 << 20);
	struct fy_jdoc d;
	uint32_t src;
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", s->root, FY_HEADER_NAME);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			return fy_error_errno(err, errno, "dir: %s", path);
		info->created = s->newest;	/* unchanged tree, same archive */
		return 0;
	}
	fy_jdoc_init(&d);
	for (;;) {
		ssize_t n;

		if (fy_buf_grow(&b, 65536, err) < 0) {
			rc = fy_error_prefix(err, "dir: %s", path);
			goto out;
		}
		n = read(fd, b.ptr + b.len, 65536);
		if (n < 0) {
			rc = fy_error_errno(err, errno, "dir: %s", path);
			goto out;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		b.ptr[b.len] = '\0';
	}
	if (fy_jdoc_parse(&d, b.ptr ? b.ptr : "", b.len, 0, err) < 0) {
		rc = fy_error_prefix(err, "dir: %s", path);
		goto out;
	}
	{
		char *v = fy_json_get_strdup(&d, 0, "version");
		char *created = fy_json_get_strdup(&d, 0, "created");
		char *a;
		int32_t ns;

		if (!v || atoi(v) != FY_FORMAT_MAJOR)
			rc = fy_error_set(err, FY_E_UNSUPPORTED, "dir: %s: format version %s is not supported",
					  path, v ? v : "(none)");
		if (created && fy_time_parse(created, strlen(created), &info->created, &ns) < 0)
			rc = fy_error_set(err, FY_E_DATA, "dir: %s: 'created' is not an RFC 3339 UTC time",
					  path);
		free(v);
		free(created);
		src = fy_json_get(&d, 0, "source");
		if ((a = fy_json_get_strdup(&d, src, "adapter"))) {
			snprintf(info->adapter, sizeof(info->adapter), "%s", a);
			free(a);
		}
		if ((a = fy_json_get_strdup(&d, src, "location"))) {
			snprintf(info->location, sizeof(info->location), "%s", a);
			free(a);
		}
		if ((a = fy_json_get_strdup(&d, src, "account"))) {
			snprintf(info->account, sizeof(info->account), "%s", a);
			free(a);
		}
	}
out:
	fy_jdoc_release(&d);
	fy_buf_release(&b);
	close(fd);
	return rc;
}

static void dir_read_close(void *state)
{
	struct dir_src *s = state;
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nfiles; i++)
		free(s->files[i].rel);
	free(s->files);
	if (s->fd >= 0)
		close(s->fd);
	fy_buf_release(&s->buf);
	free(s->root);
	free(s);
}

static int dir_read_open(const struct fy_adapter_ctx *ctx, void **state,
			 struct fy_source_info *info, struct fy_error *err)
{
	struct dir_src *s = calloc(1, sizeof(*s));
	struct stat st;
	size_t n;

	if (!s)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	s->fd = -1;
	fy_buf_init(&s->buf, FY_RECORD_MAX_DEFAULT + 65536 + 2);
	s->root = strdup(*ctx->location ? ctx->location : ".");
	if (!s->root) {
		dir_read_close(s);
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	n = strlen(s->root);
	while (n > 1 && s->root[n - 1] == '/')
		s->root[--n] = '\0';
	if (stat(s->root, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fy_error_set(err, FY_E_USAGE, "dir: %s: not a folder", s->root);
		dir_read_close(s);
		return -1;
	}
	if (walk(s, "", 0, err) < 0 || read_tree_header(s, info, err) < 0) {
		dir_read_close(s);
		return -1;
	}
	qsort(s->files, s->nfiles, sizeof(*s->files), cmp_entry);
	*state = s;
	return 0;
}

static int fd_read(void *ctx, void *buf, size_t n, size_t *got, struct fy_error *err)
{
	struct dir_src *s = ctx;
	ssize_t k;

	do {
		k = read(s->fd, buf, n);
	} while (k < 0 && errno == EINTR);
	if (k < 0)
		return fy_error_errno(err, errno, "dir: %s/%s", s->root, s->cur->rel);
	*got = (size_t)k;
	return 0;
}

/* Read more of the current file into s->buf; sets s->eof. */
static int fill(struct dir_src *s, struct fy_error *err)
{
	size_t got;

	if (fy_buf_grow(&s->buf, 65536, err) < 0)
		return fy_error_prefix(err, "dir: %s/%s line %llu", s->root, s->cur->rel,
				       (unsigned long long)s->line + 1);
	if (fd_read(s, s->buf.ptr + s->buf.len, 65536, &got, err) < 0)
		return -1;
	if (got == 0)
		s->eof = 1;
	s->buf.len += got;
	s->buf.ptr[s->buf.len] = '\0';
	return 0;
}

/* The next non-blank line of a JSON Lines file: 1, 0 at its end, -1. */
static int next_line(struct dir_src *s, struct fy_item *it, struct fy_error *err)
{
	for (;;) {
		char *start = s->buf.ptr ? s->buf.ptr + s->lpos : NULL;
		size_t avail = s->buf.len - s->lpos, n;
		char *nl = avail ? memchr(start, '\n', avail) : NULL;

		if (!nl && !s->eof) {
			fy_buf_consume(&s->buf, s->lpos);
			s->lpos = 0;
			if (fill(s, err) < 0)
				return -1;
			continue;
		}
		if (!nl && avail == 0)
			return 0;
		n = nl ? (size_t)(nl - start) : avail;
		s->lpos += nl ? n + 1 : n;
		s->line++;
		if (nl)
			*nl = '\0';
		if (strspn(start, " \t\r") == n)
			continue;
		memset(it, 0, sizeof(*it));
		it->type = s->cur->info.cls == FY_MEMBER_LEDGER ? FY_ITEM_LEDGER : FY_ITEM_RECORD;
		it->json = start;
		it->len = n;
		it->member = s->cur->rel;
		it->line = s->line;
		return 1;
	}
}

static int open_cur(struct dir_src *s, struct fy_error *err)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", s->root, s->cur->rel);
	s->fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (s->fd < 0)
		return fy_error_errno(err, errno, "dir: %s", path);
	fy_buf_reset(&s->buf);
	s->lpos = 0;
	s->line = 0;
	s->eof = 0;
	return 0;
}

static int dir_read_next(void *state, struct fy_item *it, struct fy_error *err)
{
	struct dir_src *s = state;

	for (;;) {
		struct stat st;
		int rc;

		if (s->cur && s->fd >= 0 &&
		    (s->cur->info.cls == FY_MEMBER_STREAM || s->cur->info.cls == FY_MEMBER_LEDGER)) {
			rc = next_line(s, it, err);
			if (rc != 0)
				return rc;
		}
		if (s->fd >= 0) {
			close(s->fd);
			s->fd = -1;
		}
		if (s->next == s->nfiles)
			return 0;
		s->cur = &s->files[s->next++];
		if (open_cur(s, err) < 0)
			return -1;
		switch (s->cur->info.cls) {
		case FY_MEMBER_OBJECT:
			while (!s->eof)
				if (fill(s, err) < 0)
					return -1;
			memset(it, 0, sizeof(*it));
			it->type = FY_ITEM_RECORD;
			it->json = s->buf.ptr ? s->buf.ptr : "";
			it->len = s->buf.len;
			it->member = s->cur->rel;
			it->line = 1;
			return 1;
		case FY_MEMBER_BLOB:
		case FY_MEMBER_RAW:
			if (fstat(s->fd, &st) < 0)
				return fy_error_errno(err, errno, "dir: %s/%s", s->root, s->cur->rel);
			memset(it, 0, sizeof(*it));
			it->type = s->cur->info.cls == FY_MEMBER_BLOB ? FY_ITEM_BLOB : FY_ITEM_RAW;
			it->name = s->cur->info.cls == FY_MEMBER_BLOB ? s->cur->info.id : s->cur->rel + 4;
			it->size = (uint64_t)st.st_size;
			it->read = fd_read;
			it->ctx = s;
			it->member = s->cur->rel;
			return 1;
		default:
			continue;	/* a stream: lines on the next turn */
		}
	}
}

/* --- sink: the writer's folder back end -------------------------------- */

static int dir_write_open(const struct fy_adapter_ctx *ctx, const struct fy_header *hdr,
			  void **state, struct fy_error *err)
{
	struct fy_writer_options o;
	struct fy_writer *w;

	fy_writer_options_init(&o);
	o.producer = ctx->producer;
	o.created = hdr ? hdr->created_sec : 0;
	o.source_adapter = hdr && hdr->source_adapter ? hdr->source_adapter : "dir";
	o.source_location = hdr ? hdr->source_location : NULL;
	o.source_account = hdr ? hdr->source_account : NULL;
	o.scope_json = hdr ? hdr->scope_json : NULL;
	if (!*ctx->location)
		return fy_error_set(err, FY_E_USAGE, "dir: name the folder to write (dir:PATH)");
	w = fy_writer_open_dir(ctx->location, &o, err);
	if (!w)
		return fy_error_prefix(err, "dir");
	*state = w;
	return 0;
}

static int dir_write_put(void *state, const struct fy_item *it, struct fy_error *err)
{
	return fy_writer_put_item(state, it, err);
}

static int dir_write_finish(void *state, struct fy_error *err)
{
	return fy_writer_close(state, NULL, err);
}

static void dir_write_close(void *state)
{
	fy_writer_free(state);
}

static const struct fy_capability dir_caps[] = {
	{ FY_KIND_AGENT, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE, "agents/<id>.json", NULL },
	{ FY_KIND_TOOL, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE, "tools/<id>.json", NULL },
	{ FY_KIND_KNOWLEDGE, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE, "knowledge/<id>.json", NULL },
	{ FY_KIND_WORKFLOW, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE, "workflows/<id>.json", NULL },
	{ FY_KIND_FILE, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE, "files/*.jsonl and blobs/<sha256>", NULL },
	{ FY_KIND_THREAD, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE, "threads/*.jsonl", NULL },
	{ FY_KIND_MESSAGE, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE, "threads/*.jsonl, after their thread", NULL },
	{ FY_KIND_MEMORY, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE, "memory/*.jsonl, embeddings included", NULL },
	{ FY_KIND_NONE, "$secret", FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "secrets stay {\"$secret\": NAME} references, as in the archive", NULL },
};

static const struct fy_adapter_limits dir_limits = {
	.flags = FY_LIMIT_SETS_TIMESTAMPS | FY_LIMIT_SETS_IDS | FY_LIMIT_EXPOSES_EMBEDDINGS |
		 FY_LIMIT_ACCEPTS_EMBEDDINGS | FY_LIMIT_STORES_PROVENANCE,
	.note = "a file tree: every record as written, byte for byte",
};

const struct fy_adapter fy_adapter_dir = {
	.name = "dir",
	.summary = "an unpacked neutral tree: the archive's members as plain files",
	.locations = "dir:PATH (a folder; written only if new or empty)",
	.flags = FY_ADAPTER_READ | FY_ADAPTER_WRITE,
	.caps = dir_caps,
	.ncaps = sizeof(dir_caps) / sizeof(dir_caps[0]),
	.limits = &dir_limits,
	.read_open = dir_read_open,
	.read_next = dir_read_next,
	.read_close = dir_read_close,
	.write_open = dir_write_open,
	.write_put = dir_write_put,
	.write_finish = dir_write_finish,
	.write_close = dir_write_close,
};
