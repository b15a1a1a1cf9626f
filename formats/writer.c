/*
 * writer.c - the archive writer and its two back ends. See writer.h.
 *
 * The layout logic (which record goes to which member, chunking, the
 * manifest, SHA256SUMS) is written once; a back end only knows how to
 * begin a member, append bytes, end it, and commit or abort the whole:
 * "archive" streams tar through zstd into a file or stdout, "dir" writes
 * plain files into a folder. Both produce the same members.
 */
#include "writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bghash.h"
#include "durable.h"
#include "idset.h"
#include "names.h"
#include "schema.h"
#include "sha256.h"
#include "vpool.h"
#include "zstream.h"

struct member {
	char *name;
	uint64_t size;
	uint64_t records;
	int is_json;
	unsigned char sha[FY_SHA256_LEN];
};

/* The four streams, in the order their last chunks are flushed at close. */
enum { S_FILES, S_THREADS, S_MEMORY, S_LEDGER, S__COUNT };

struct stream {
	const char *dir;
	struct fy_buf buf;
	uint64_t records;
	unsigned seq;
};

struct fy_writer;

struct backend {
	int (*begin)(struct fy_writer *w, const char *name, uint64_t size, struct fy_error *err);
	int (*data)(struct fy_writer *w, const void *p, size_t n, struct fy_error *err);
	int (*end)(struct fy_writer *w, struct fy_error *err);
	int (*commit)(struct fy_writer *w, struct fy_error *err);
	void (*abort)(struct fy_writer *w);
};

struct fy_writer {
	const struct backend *be;
	struct fy_writer_options opt;
	/* archive back end */
	int fd;
	int is_stdout;
	struct archive *ar;
	struct fy_zout *z;
	struct fy_error cb_err;
	/* both: final and temporary path (file or folder) */
	char *final_path;
	char *tmp_path;
	/* dir back end */
	int cur_fd;
	/* the member being written */
	struct fy_sha256 h;
	char cur_name[FY_NAME_MAX + 1];
	uint64_t cur_size, cur_written;
	/* layout */
	struct member *members;
	size_t nmembers, capmembers;
	struct fy_idset names;
	struct stream streams[S__COUNT];
	struct fy_buf scratch;
	struct fy_jdoc doc;
	const struct fy_schemaset *schemas;
	struct fy_checker *chk;
	uint64_t credentials;		/* strings the credential scan found one in */
	struct fy_vpool *pool;		/* validation threads; records come back in order */
	/* record chunks are hashed on a thread of their own (NULL: here) */
	struct fy_bghash *bg;
	struct fy_buf spare;		/* a chunk buffer, free once its hash is collected */
	int defer_hash;			/* the member being written is hashed by bg */
	uint64_t bytes_in;
	int failed, committed;
	struct fy_error failure;	/* the first error, repeated by every later call */
};

/* Remember the first failure: with validation running ahead, a later call may be the one to see it. */
static int fail(struct fy_writer *w, int rc, const struct fy_error *err)
{
	if (rc < 0 && !w->failed) {
		w->failed = 1;
		if (err)
			w->failure = *err;
	}
	return rc;
}

static int failed_already(const struct fy_writer *w, struct fy_error *err)
{
	if (err)
		*err = w->failure;
	return -1;
}

void fy_writer_options_init(struct fy_writer_options *o)
{
	memset(o, 0, sizeof(*o));
	o->chunk_size = FY_CHUNK_SIZE_DEFAULT;
	o->max_record = FY_RECORD_MAX_DEFAULT;
	o->level = 3;
	o->threads = 2;
	o->workers = -1;
}

/* --- helpers ---------------------------------------------------------- */

/* A temporary name beside path: ".<base>.tmp-<pid>-<random>". */
static char *tmp_name_for(const char *path, struct fy_error *err)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
	unsigned int r;
	char *out;
	size_t cap;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (unsigned)getpid() * 2654435761u;
	cap = strlen(path) + 64;
	out = malloc(cap);
	if (!out) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	snprintf(out, cap, "%.*s.%s.tmp-%ld-%08x", (int)dlen, path, path + dlen, (long)getpid(), r);
	return out;
}

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(p);
	return 0;
}

static void remove_tree(const char *path)
{
	nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * Remove temporaries a killed earlier run left beside path: names
 * ".<base>.tmp-<pid>-<hex>" whose pid no longer runs on this machine.
 */
static void clean_stale(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX], prefix[NAME_MAX + 8];
	const char *base = slash ? slash + 1 : path;
	struct dirent *de;
	DIR *dh;

	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path + 1), path);
	else
		snprintf(dir, sizeof(dir), ".");
	snprintf(prefix, sizeof(prefix), ".%.*s.tmp-", NAME_MAX - 8, base);
	dh = opendir(dir);
	if (!dh)
		return;
	while ((de = readdir(dh))) {
		char full[PATH_MAX + NAME_MAX + 2];
		long pid;

		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		pid = strtol(de->d_name + strlen(prefix), NULL, 10);
		if (pid <= 0 || pid == getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(full, sizeof(full), "%s%s%s", dir, slash ? "" : "/", de->d_name);
		remove_tree(full);
	}
	closedir(dh);
}

/* fsync the folder holding path, so a rename in it is durable. */
static int sync_parent(const char *path, struct fy_error *err)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int fd, rc = 0;

	if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		snprintf(dir, sizeof(dir), ".");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fy_error_errno(err, errno, "%s", dir);
	if (fsync(fd) < 0 && errno != EINVAL)
		rc = fy_error_errno(err, errno, "fsync %s", dir);
	close(fd);
	return rc;
}

int fy_dir_is_empty(const char *path)
{
	DIR *dh = opendir(path);
	struct dirent *de;
	int empty = 1;

	if (!dh)
		return -1;
	while ((de = readdir(dh)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(dh);
	return empty;
}

/* Refuse to write through a symbolic link or over a folder. */
static int check_target(const char *path, int want_dir, struct fy_error *err)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : fy_error_errno(err, errno, "%s", path);
	if (S_ISLNK(st.st_mode))
		return fy_error_set(err, FY_E_UNSAFE, "%s: refusing to write through a symbolic link",
				    path);
	if (!want_dir && S_ISDIR(st.st_mode))
		return fy_error_set(err, FY_E_EXISTS, "%s: is a folder", path);
	if (want_dir && !S_ISDIR(st.st_mode))
		return fy_error_set(err, FY_E_EXISTS, "%s: exists and is not a folder", path);
	if (want_dir) {
		int empty = fy_dir_is_empty(path);

		if (empty < 0)
			return fy_error_errno(err, errno, "%s", path);
		if (!empty)
			return fy_error_set(err, FY_E_EXISTS,
					    "%s: folder exists and is not empty (ferry does not overwrite)",
					    path);
	}
	return 0;
}

/*
 * The temporary could not be created (O_EXCL, O_NOFOLLOW): something is
 * already there. A symbolic link there is an attack on the write, and is
 * said so; anything else is an I/O error on the output.
 */
static int tmp_error(const char *tmp, const char *path, int errnum, struct fy_error *err)
{
	struct stat st;

	if ((errnum == EEXIST || errnum == ELOOP) && lstat(tmp, &st) == 0 && S_ISLNK(st.st_mode))
		return fy_error_set(err, FY_E_UNSAFE,
				    "%s: refusing to write through a symbolic link at the temporary path %s",
				    path, tmp);
	return fy_error_errno(err, errnum, "%s", path);
}

/* --- archive back end ------------------------------------------------- */

static la_ssize_t ar_write_cb(struct archive *a, void *client, const void *buf, size_t n)
{
	struct fy_writer *w = client;

	(void)a;
	if (fy_zout_write(w->z, buf, n, &w->cb_err) < 0)
		return -1;
	return (la_ssize_t)n;
}

static int ar_error(struct fy_writer *w, struct fy_error *err)
{
	if (w->cb_err.code != FY_E_OK) {
		*err = w->cb_err;
		return -1;
	}
	return fy_error_set(err, FY_E_INTERNAL, "libarchive: %s", archive_error_string(w->ar));
}

static int ar_begin(struct fy_writer *w, const char *name, uint64_t size, struct fy_error *err)
{
	struct archive_entry *e = archive_entry_new();
	int rc = 0;

	if (!e)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	archive_entry_set_pathname_utf8(e, name);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_mtime(e, (time_t)w->opt.created, 0);
	if (archive_write_header(w->ar, e) != ARCHIVE_OK)
		rc = ar_error(w, err);
	archive_entry_free(e);
	return rc;
}

static int ar_data(struct fy_writer *w, const void *p, size_t n, struct fy_error *err)
{
	if (n && archive_write_data(w->ar, p, n) != (la_ssize_t)n)
		return ar_error(w, err);
	return 0;
}

static int ar_end(struct fy_writer *w, struct fy_error *err)
{
	if (archive_write_finish_entry(w->ar) != ARCHIVE_OK)
		return ar_error(w, err);
	return 0;
}

static int ar_commit(struct fy_writer *w, struct fy_error *err)
{
	struct stat st;

	if (archive_write_close(w->ar) != ARCHIVE_OK)
		return ar_error(w, err);
	if (fy_zout_finish(w->z, err) < 0)
		return -1;
	if (w->is_stdout)
		return 0;
	if (fy_durable_step("archive fsync", err) < 0)
		return -1;
	if (fstat(w->fd, &st) == 0 && S_ISREG(st.st_mode) && fsync(w->fd) < 0)
		return fy_error_errno(err, errno, "fsync %s", w->tmp_path);
	if (close(w->fd) < 0) {
		w->fd = -1;
		return fy_error_errno(err, errno, "close %s", w->tmp_path);
	}
	w->fd = -1;
	if (check_target(w->final_path, 0, err) < 0)
		return -1;
	if (fy_durable_step("archive rename", err) < 0)
		return -1;
	if (rename(w->tmp_path, w->final_path) < 0)
		return fy_error_errno(err, errno, "rename to %s", w->final_path);
	free(w->tmp_path);
	w->tmp_path = NULL;
	return sync_parent(w->final_path, err);
}

static void ar_abort(struct fy_writer *w)
{
	if (w->fd >= 0 && !w->is_stdout)
		close(w->fd);
	w->fd = -1;
	if (w->tmp_path)
		unlink(w->tmp_path);
}

static const struct backend archive_backend = {
	.begin = ar_begin,
	.data = ar_data,
	.end = ar_end,
	.commit = ar_commit,
	.abort = ar_abort,
};

/* --- dir back end ----------------------------------------------------- */

/* mkdir -p for the parents of rel inside root, mode 0700. */
static int make_parents(const char *root, const char *rel, struct fy_error *err)
{
	char path[PATH_MAX];
	size_t rlen = strlen(root);
	const char *p = rel;

	while ((p = strchr(p, '/'))) {
		snprintf(path, sizeof(path), "%s/%.*s", root, (int)(p - rel), rel);
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return fy_error_errno(err, errno, "mkdir %s", path);
		p++;
	}
	(void)rlen;
	return 0;
}

static int dir_begin(struct fy_writer *w, const char *name, uint64_t size, struct fy_error *err)
{
	char path[PATH_MAX];

	(void)size;
	if (make_parents(w->tmp_path, name, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", w->tmp_path, name);
	w->cur_fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (w->cur_fd < 0)
		return fy_error_errno(err, errno, "%s", path);
	return 0;
}

static int dir_data(struct fy_writer *w, const void *p, size_t n, struct fy_error *err)
{
	return fy_write_all(w->cur_fd, p, n, w->cur_name, err);
}

static int dir_end(struct fy_writer *w, struct fy_error *err)
{
	int rc = 0;

	if (fsync(w->cur_fd) < 0)
		rc = fy_error_errno(err, errno, "fsync %s", w->cur_name);
	if (close(w->cur_fd) < 0 && rc == 0)
		rc = fy_error_errno(err, errno, "close %s", w->cur_name);
	w->cur_fd = -1;
	return rc;
}

static int sync_dir_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	int fd;

	(void)st;
	(void)ftw;
	if (flag != FTW_DP && flag != FTW_D)
		return 0;
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fsync(fd) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int dir_commit(struct fy_writer *w, struct fy_error *err)
{
	if (nftw(w->tmp_path, sync_dir_cb, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return fy_error_errno(err, errno, "fsync %s", w->tmp_path);
	if (check_target(w->final_path, 1, err) < 0)
		return -1;
	if (fy_durable_step("dir rename", err) < 0)
		return -1;
	if (rename(w->tmp_path, w->final_path) < 0)
		return fy_error_errno(err, errno, "rename to %s", w->final_path);
	free(w->tmp_path);
	w->tmp_path = NULL;
	return sync_parent(w->final_path, err);
}

static void dir_abort(struct fy_writer *w)
{
	if (w->cur_fd >= 0)
		close(w->cur_fd);
	w->cur_fd = -1;
	if (w->tmp_path)
		remove_tree(w->tmp_path);
}

static const struct backend dir_backend = {
	.begin = dir_begin,
	.data = dir_data,
	.end = dir_end,
	.commit = dir_commit,
	.abort = dir_abort,
};

/* --- members ---------------------------------------------------------- */

static int member_begin(struct fy_writer *w, const char *name, uint64_t size,
			struct fy_error *err)
{
	int added;

	if (fy_member_name_check(name, err) < 0)
		return -1;
	added = fy_idset_add(&w->names, fy_member_name_fold_fp(name), err);
	if (added < 0)
		return -1;
	if (!added)
		return fy_error_set(err, FY_E_DATA,
				    "member '%s' would repeat a name (names must differ in more than case)",
				    name);
	snprintf(w->cur_name, sizeof(w->cur_name), "%s", name);
	w->cur_size = size;
	w->cur_written = 0;
	return w->be->begin(w, name, size, err);
}

static int member_data(struct fy_writer *w, const void *p, size_t n, struct fy_error *err)
{
	if (w->cur_written + n > w->cur_size)
		return fy_error_set(err, FY_E_DATA, "%s: more data than its declared size",
				    w->cur_name);
	if (!w->defer_hash)
		fy_sha256_update(&w->h, p, n);
	w->cur_written += n;
	w->bytes_in += n;
	return w->be->data(w, p, n, err);
}

static int member_end(struct fy_writer *w, uint64_t records, int is_json, struct fy_error *err)
{
	struct member *m;

	if (w->cur_written != w->cur_size)
		return fy_error_set(err, FY_E_DATA, "%s: %llu bytes of a declared %llu",
				    w->cur_name, (unsigned long long)w->cur_written,
				    (unsigned long long)w->cur_size);
	if (w->nmembers == w->capmembers) {
		size_t cap = w->capmembers ? w->capmembers * 2 : 64;
		struct member *p = realloc(w->members, cap * sizeof(*p));

		if (!p)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		w->members = p;
		w->capmembers = cap;
	}
	m = &w->members[w->nmembers];
	m->name = strdup(w->cur_name);
	if (!m->name)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	m->size = w->cur_size;
	m->records = records;
	m->is_json = is_json;
	if (w->defer_hash)
		memset(m->sha, 0, sizeof(m->sha));	/* collect_hash fills it in */
	else
		fy_sha256_final(&w->h, m->sha);
	w->nmembers++;
	if (w->be->end(w, err) < 0)
		return -1;
	return fy_durable_step("member", err);
}

static int member_mem(struct fy_writer *w, const char *name, const void *p, size_t n,
		      uint64_t records, int is_json, struct fy_error *err)
{
	if (member_begin(w, name, n, err) < 0 || member_data(w, p, n, err) < 0)
		return -1;
	return member_end(w, records, is_json, err);
}

/* --- open ------------------------------------------------------------- */

static struct fy_writer *writer_new(const struct fy_writer_options *o, struct fy_error *err)
{
	struct fy_writer *w = calloc(1, sizeof(*w));
	int s;

	if (!w) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	w->opt = *o;
	if (!w->opt.chunk_size)
		w->opt.chunk_size = FY_CHUNK_SIZE_DEFAULT;
	if (!w->opt.max_record)
		w->opt.max_record = FY_RECORD_MAX_DEFAULT;
	if (!w->opt.level)
		w->opt.level = 3;
	if (w->opt.threads < 1)
		w->opt.threads = 1;
	w->fd = -1;
	w->cur_fd = -1;
	fy_idset_init(&w->names, (size_t)16 << 20);
	fy_buf_init(&w->scratch, w->opt.max_record * 2 + 4096);
	fy_buf_init(&w->spare, w->opt.chunk_size + w->opt.max_record + 2);
	fy_jdoc_init(&w->doc);
	w->streams[S_FILES].dir = "files";
	w->streams[S_THREADS].dir = "threads";
	w->streams[S_MEMORY].dir = "memory";
	w->streams[S_LEDGER].dir = "ledger";
	for (s = 0; s < S__COUNT; s++)
		fy_buf_init(&w->streams[s].buf, w->opt.chunk_size + w->opt.max_record + 2);
	if (fy_sha256_init(&w->h) < 0) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		fy_writer_free(w);
		return NULL;
	}
	w->schemas = fy_schemaset_default(err);
	w->chk = w->schemas ? fy_checker_new(o->scope_json ? FY_CHECK_SCOPED : 0, err) : NULL;
	if (w->chk) {
		int workers = o->workers;

		if (workers < 0) {
			long n = sysconf(_SC_NPROCESSORS_ONLN);

			workers = n < 1 ? 1 : n > 4 ? 4 : (int)n;
		}
		w->pool = fy_vpool_new(workers, w->schemas, w->opt.max_record, err);
		if (w->pool && workers > 0)
			w->bg = fy_bghash_new(err);
		if (workers > 0 && !w->bg) {
			fy_vpool_free(w->pool);
			w->pool = NULL;
		}
	}
	if (!w->pool) {
		fy_writer_free(w);
		return NULL;
	}
	if (!o->source_adapter) {
		fy_error_set(err, FY_E_INTERNAL, "writer: no source adapter named");
		fy_writer_free(w);
		return NULL;
	}
	return w;
}

/* The header member: first in every archive. */
static int write_header(struct fy_writer *w, struct fy_error *err)
{
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 20), out = FY_BUF_INIT((size_t)1 << 20);
	char created[40];
	int rc = -1;

	fy_time_format(w->opt.created, 0, created);
	if (fy_buf_addf(&b, err, "{\"format\":\"" FY_FORMAT_NAME "\",\"version\":\"" FY_FORMAT_VERSION
			"\",\"producer\":") < 0 ||
	    fy_buf_add_jstr(&b, w->opt.producer ? w->opt.producer : "ferry",
			    strlen(w->opt.producer ? w->opt.producer : "ferry"), err) < 0 ||
	    fy_buf_addf(&b, err, ",\"created\":\"%s\",\"source\":{\"adapter\":", created) < 0 ||
	    fy_buf_add_jstr(&b, w->opt.source_adapter, strlen(w->opt.source_adapter), err) < 0)
		goto out;
	if (w->opt.source_location &&
	    (fy_buf_adds(&b, ",\"location\":", err) < 0 ||
	     fy_buf_add_jstr(&b, w->opt.source_location, strlen(w->opt.source_location), err) < 0))
		goto out;
	if (w->opt.source_account &&
	    (fy_buf_adds(&b, ",\"account\":", err) < 0 ||
	     fy_buf_add_jstr(&b, w->opt.source_account, strlen(w->opt.source_account), err) < 0))
		goto out;
	if (fy_buf_addc(&b, '}', err) < 0)
		goto out;
	if (w->opt.scope_json && (fy_buf_adds(&b, ",\"scope\":", err) < 0 ||
				  fy_buf_adds(&b, w->opt.scope_json, err) < 0))
		goto out;
	if (fy_buf_addc(&b, '}', err) < 0)
		goto out;
	if (fy_jdoc_parse(&w->doc, b.ptr, b.len, 0, err) < 0 ||
	    fy_schema_validate(w->schemas, "header.json", &w->doc, 0, 0, err) < 0) {
		fy_error_prefix(err, "header");
		goto out;
	}
	if (fy_json_emit_pretty(&w->doc, 0, &out, err) < 0 || fy_buf_addc(&out, '\n', err) < 0)
		goto out;
	rc = member_mem(w, FY_HEADER_NAME, out.ptr, out.len, 0, 1, err);
out:
	fy_buf_release(&b);
	fy_buf_release(&out);
	return rc;
}

struct fy_writer *fy_writer_open(const char *path, const struct fy_writer_options *o,
				 struct fy_error *err)
{
	struct fy_writer *w = writer_new(o, err);

	if (!w)
		return NULL;
	w->be = &archive_backend;
	if (strcmp(path, "-") == 0) {
		w->fd = STDOUT_FILENO;
		w->is_stdout = 1;
	} else {
		if (check_target(path, 0, err) < 0)
			goto fail;
		clean_stale(path);
		w->final_path = strdup(path);
		w->tmp_path = tmp_name_for(path, err);
		if (!w->final_path || !w->tmp_path)
			goto nomem;
		w->fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (w->fd < 0) {
			tmp_error(w->tmp_path, path, errno, err);
			free(w->tmp_path);
			w->tmp_path = NULL;
			goto fail;
		}
	}
	w->z = fy_zout_new(w->fd, w->opt.level, w->opt.threads, err);
	if (!w->z)
		goto fail;
	w->ar = archive_write_new();
	if (!w->ar)
		goto nomem;
	if (archive_write_set_format_pax_restricted(w->ar) != ARCHIVE_OK ||
	    archive_write_add_filter_none(w->ar) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(w->ar, 1) != ARCHIVE_OK ||
	    archive_write_open2(w->ar, w, NULL, ar_write_cb, NULL, NULL) != ARCHIVE_OK) {
		ar_error(w, err);
		goto fail;
	}
	if (write_header(w, err) < 0)
		goto fail;
	return w;
nomem:
	fy_error_set(err, FY_E_NOMEM, "out of memory");
fail:
	fy_writer_free(w);
	return NULL;
}

struct fy_writer *fy_writer_open_dir(const char *path, const struct fy_writer_options *o,
				     struct fy_error *err)
{
	struct fy_writer *w = writer_new(o, err);
	size_t n;

	if (!w)
		return NULL;
	w->be = &dir_backend;
	w->final_path = strdup(path);
	if (!w->final_path)
		goto nomem;
	n = strlen(w->final_path);
	while (n > 1 && w->final_path[n - 1] == '/')
		w->final_path[--n] = '\0';
	if (check_target(w->final_path, 1, err) < 0)
		goto fail;
	clean_stale(w->final_path);
	w->tmp_path = tmp_name_for(w->final_path, err);
	if (!w->tmp_path)
		goto fail;
	if (mkdir(w->tmp_path, 0700) < 0) {
		tmp_error(w->tmp_path, w->final_path, errno, err);
		free(w->tmp_path);
		w->tmp_path = NULL;
		goto fail;
	}
	if (write_header(w, err) < 0)
		goto fail;
	return w;
nomem:
	fy_error_set(err, FY_E_NOMEM, "out of memory");
fail:
	fy_writer_free(w);
	return NULL;
}

const char *fy_writer_tmp_path(const struct fy_writer *w)
{
	return w ? w->tmp_path : NULL;
}

/* --- records ---------------------------------------------------------- */

/* The hash of the chunk hashed in the background, into its member. */
static void collect_hash(struct fy_writer *w)
{
	unsigned char sha[FY_SHA256_LEN];
	size_t tag;

	if (w->bg && fy_bghash_collect(w->bg, &tag, sha))
		memcpy(w->members[tag].sha, sha, sizeof(sha));
}

static int flush_stream(struct fy_writer *w, struct stream *s, struct fy_error *err)
{
	char name[64];
	int rc;

	if (s->buf.len == 0)
		return 0;
	snprintf(name, sizeof(name), "%s/%06u.jsonl", s->dir, ++s->seq);
	if (!w->bg) {
		rc = member_mem(w, name, s->buf.ptr, s->buf.len, s->records, 1, err);
	} else {
		/* Hashed while the next chunk fills, in the buffer it leaves behind. */
		collect_hash(w);
		w->defer_hash = 1;
		rc = member_mem(w, name, s->buf.ptr, s->buf.len, s->records, 1, err);
		w->defer_hash = 0;
		if (rc == 0) {
			struct fy_buf t = w->spare;

			fy_bghash_start(w->bg, s->buf.ptr, s->buf.len, w->nmembers - 1);
			w->spare = s->buf;
			s->buf = t;
		}
	}
	fy_buf_reset(&s->buf);
	s->records = 0;
	return rc;
}

/* Append one canonical record line to a stream; cut a chunk when it is full. */
static int stream_add(struct fy_writer *w, struct stream *s, const char *text, size_t len,
		      struct fy_error *err)
{
	if (fy_buf_add(&s->buf, text, len, err) < 0 || fy_buf_addc(&s->buf, '\n', err) < 0)
		return -1;
	s->records++;
	if (s->buf.len >= w->opt.chunk_size)
		return flush_stream(w, s, err);
	return 0;
}

static int object_add(struct fy_writer *w, enum fy_kind kind, const struct fy_facts *f,
		      const char *text, size_t len, struct fy_error *err)
{
	char name[FY_NAME_MAX + 1];

	snprintf(name, sizeof(name), "%s/%.*s.json", fy_kind_dir(kind), (int)f->id_len, f->id);
	if (member_begin(w, name, len + 1, err) < 0 || member_data(w, text, len, err) < 0 ||
	    member_data(w, "\n", 1, err) < 0)
		return -1;
	return member_end(w, 1, 1, err);
}

/* The credential scan's ledger lines for the record just committed. */
static int commit_notes(struct fy_writer *w, const struct fy_vrec *r, struct fy_error *err)
{
	const char *c = r->notes, *end = c + r->notes_len;

	while (c < end) {
		const char *nl = memchr(c, '\n', (size_t)(end - c));

		if (stream_add(w, &w->streams[S_LEDGER], c, (size_t)(nl - c), err) < 0)
			return -1;
		c = nl + 1;
	}
	w->credentials += r->found;
	return 0;
}

/* Put one validated record where it belongs, in order. */
static int commit(struct fy_writer *w, const struct fy_vrec *r, struct fy_error *err)
{
	int rc;

	if (r->failed) {
		*err = r->err;
		rc = -1;
	} else if (r->is_ledger) {
		rc = stream_add(w, &w->streams[S_LEDGER], r->text, r->len, err);
	} else if (fy_checker_facts(w->chk, r->facts, err) < 0) {
		rc = -1;
	} else {
		switch (r->kind) {
		case FY_KIND_THREAD:
		case FY_KIND_MESSAGE:
			rc = stream_add(w, &w->streams[S_THREADS], r->text, r->len, err);
			break;
		case FY_KIND_MEMORY:
			rc = stream_add(w, &w->streams[S_MEMORY], r->text, r->len, err);
			break;
		case FY_KIND_FILE:
			rc = stream_add(w, &w->streams[S_FILES], r->text, r->len, err);
			break;
		default:
			rc = object_add(w, r->kind, r->facts, r->text, r->len, err);
		}
	}
	if (rc == 0 && r->notes_len)
		rc = commit_notes(w, r, err);
	if (rc < 0 && r->member && *r->member) {
		if (r->line)
			fy_error_prefix(err, "%s line %llu", r->member, (unsigned long long)r->line);
		else
			fy_error_prefix(err, "%s", r->member);
	}
	return rc;
}

/* Commit what the validation threads have finished (all of it when waiting). */
static int take(struct fy_writer *w, enum fy_vpool_wait wait, int all, struct fy_error *err)
{
	struct fy_vrec r;

	while (fy_vpool_next(w->pool, wait, &r) == 1) {
		if (commit(w, &r, err) < 0)
			return -1;
		if (!all && wait == FY_VPOOL_WAIT)
			return 0;
	}
	return 0;
}

/* Everything added so far is committed: the layout is settled up to here. */
static int drain(struct fy_writer *w, struct fy_error *err)
{
	fy_vpool_submit(w->pool);
	return take(w, FY_VPOOL_WAIT, 1, err);
}

static int add(struct fy_writer *w, int is_ledger, const char *json, size_t len,
	       const char *member, uint64_t line, struct fy_error *err)
{
	int rc;

	if (len > w->opt.max_record) {
		fy_error_set(err, FY_E_DATA, "%s larger than the limit of %zu bytes (%zu)",
			     is_ledger ? "ledger line" : "record", w->opt.max_record, len);
		if (member && line)
			fy_error_prefix(err, "%s line %llu", member, (unsigned long long)line);
		else if (member)
			fy_error_prefix(err, "%s", member);
		return -1;
	}
	while ((rc = fy_vpool_add(w->pool, is_ledger, json, len, member, line, err)) == 1)
		if (take(w, FY_VPOOL_WAIT, 0, err) < 0)
			return -1;
	if (rc < 0)
		return -1;
	return take(w, FY_VPOOL_READY, 1, err);
}

void fy_writer_secrets(struct fy_writer *w, enum fy_secret_mode mode, const char *adapter)
{
	fy_vpool_secrets(w->pool, mode, adapter);
}

int fy_writer_put_record_at(struct fy_writer *w, const char *json, size_t len, const char *origin,
			    struct fy_error *err)
{
	if (w->failed)
		return failed_already(w, err);
	return fail(w, add(w, 0, json, len, origin, 0, err), err);
}

int fy_writer_put_record(struct fy_writer *w, const char *json, size_t len, struct fy_error *err)
{
	return fy_writer_put_record_at(w, json, len, NULL, err);
}

int fy_writer_put_ledger(struct fy_writer *w, const char *json, size_t len,
			 struct fy_error *err)
{
	if (w->failed)
		return failed_already(w, err);
	return fail(w, add(w, 1, json, len, NULL, 0, err), err);
}

/* --- blobs and raw members ------------------------------------------- */

static int copy_data(struct fy_writer *w, fy_read_fn read, void *ctx, struct fy_error *err)
{
	char buf[65536];

	for (;;) {
		size_t got = 0;

		if (read(ctx, buf, sizeof(buf), &got, err) < 0)
			return -1;
		if (got == 0)
			return 0;
		if (member_data(w, buf, got, err) < 0)
			return -1;
	}
}

static int put_blob(struct fy_writer *w, const char *hex, uint64_t size, fy_read_fn read,
		    void *ctx, struct fy_error *err)
{
	unsigned char sha[FY_SHA256_LEN];
	char name[80], got[FY_SHA256_HEX];

	if (!fy_is_sha256_hex(hex, strlen(hex)))
		return fy_error_set(err, FY_E_DATA, "blob name '%.80s' is not a SHA-256", hex);
	if (fy_checker_has_blob(w->chk, hex))
		return 0;
	snprintf(name, sizeof(name), "blobs/%s", hex);
	if (member_begin(w, name, size, err) < 0 || copy_data(w, read, ctx, err) < 0 ||
	    member_end(w, 0, 0, err) < 0)
		return -1;
	memcpy(sha, w->members[w->nmembers - 1].sha, sizeof(sha));
	fy_hex(sha, sizeof(sha), got);
	if (strcmp(got, hex) != 0)
		return fy_error_set(err, FY_E_INTEGRITY, "blob %s: content hashes to %s", hex, got);
	return fy_checker_blob(w->chk, hex, err) < 0 ? -1 : 0;
}

int fy_writer_put_blob(struct fy_writer *w, const char *hex, uint64_t size, fy_read_fn read,
		       void *ctx, struct fy_error *err)
{
	if (w->failed)
		return failed_already(w, err);
	if (fy_checker_has_blob(w->chk, hex))
		return 0;
	/* Members are written in order: everything before the blob first. */
	if (fail(w, drain(w, err), err) < 0)
		return -1;
	return fail(w, put_blob(w, hex, size, read, ctx, err), err);
}

struct memsrc {
	const char *p;
	size_t n, off;
};

static int mem_read(void *ctx, void *buf, size_t n, size_t *got, struct fy_error *err)
{
	struct memsrc *m = ctx;
	size_t k = m->n - m->off < n ? m->n - m->off : n;

	(void)err;
	memcpy(buf, m->p + m->off, k);
	m->off += k;
	*got = k;
	return 0;
}

int fy_writer_put_blob_mem(struct fy_writer *w, const void *p, size_t n, char *hex_out,
			   struct fy_error *err)
{
	unsigned char sha[FY_SHA256_LEN];
	struct memsrc m = { p, n, 0 };

	fy_sha256(p, n, sha);
	fy_hex(sha, sizeof(sha), hex_out);
	return fy_writer_put_blob(w, hex_out, n, mem_read, &m, err);
}

int fy_writer_has_blob(const struct fy_writer *w, const char *hex)
{
	return fy_checker_has_blob(w->chk, hex);
}

static int put_raw(struct fy_writer *w, const char *path, uint64_t size, fy_read_fn read,
		   void *ctx, struct fy_error *err)
{
	char name[FY_NAME_MAX + 2];
	const char *slash = strchr(path, '/');
	size_t i;

	if (!slash || slash == path)
		return fy_error_set(err, FY_E_DATA, "raw path '%s' must be <adapter>/<name>", path);
	for (i = 0; path[i]; i++)
		if ((unsigned char)path[i] >= 0x80)
			return fy_error_set(err, FY_E_DATA, "raw path '%s' must be ASCII", path);
	if (snprintf(name, sizeof(name), "raw/%s", path) > FY_NAME_MAX)
		return fy_error_set(err, FY_E_DATA, "raw path '%.60s...' is too long", path);
	if (member_begin(w, name, size, err) < 0 || copy_data(w, read, ctx, err) < 0)
		return -1;
	return member_end(w, 0, 0, err);
}

int fy_writer_put_raw(struct fy_writer *w, const char *path, uint64_t size, fy_read_fn read,
		      void *ctx, struct fy_error *err)
{
	if (w->failed)
		return failed_already(w, err);
	if (fail(w, drain(w, err), err) < 0)
		return -1;
	return fail(w, put_raw(w, path, size, read, ctx, err), err);
}

int fy_writer_put_raw_mem(struct fy_writer *w, const char *path, const void *p, size_t n,
			  struct fy_error *err)
{
	struct memsrc m = { p, n, 0 };

	return fy_writer_put_raw(w, path, n, mem_read, &m, err);
}

int fy_writer_put_item(struct fy_writer *w, const struct fy_item *it, struct fy_error *err)
{
	switch (it->type) {
	case FY_ITEM_RECORD:
		if (w->failed)
			return failed_already(w, err);
		return fail(w, add(w, 0, it->json, it->len, it->member, it->line, err), err);
	case FY_ITEM_LEDGER:
		if (w->failed)
			return failed_already(w, err);
		return fail(w, add(w, 1, it->json, it->len, it->member, it->line, err), err);
	case FY_ITEM_BLOB:
		if (fy_writer_put_blob(w, it->name, it->size, it->read, it->ctx, err) < 0)
			return it->member ? fy_error_prefix(err, "%s", it->member) : -1;
		return 0;
	case FY_ITEM_RAW:
		if (fy_writer_put_raw(w, it->name, it->size, it->read, it->ctx, err) < 0)
			return it->member ? fy_error_prefix(err, "%s", it->member) : -1;
		return 0;
	}
	return fy_error_set(err, FY_E_INTERNAL, "unknown item type %d", (int)it->type);
}

/* --- close ------------------------------------------------------------ */

static int write_manifest(struct fy_writer *w, struct fy_error *err)
{
	const struct fy_stats *st = fy_checker_stats(w->chk);
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 30);
	char hex[FY_SHA256_HEX], t1[40], t2[40];
	size_t i;
	int k, first = 1, rc = -1;

	if (fy_buf_adds(&b, "{\n  \"format\": \"" FY_FORMAT_NAME "\",\n  \"version\": \""
			FY_FORMAT_VERSION "\",\n  \"members\": [", err) < 0)
		goto out;
	for (i = 0; i < w->nmembers; i++) {
		const struct member *m = &w->members[i];

		fy_hex(m->sha, sizeof(m->sha), hex);
		if (fy_buf_addf(&b, err, "%s\n    {\"name\": ", i ? "," : "") < 0 ||
		    fy_buf_add_jstr(&b, m->name, strlen(m->name), err) < 0 ||
		    fy_buf_addf(&b, err, ", \"size\": %llu, \"sha256\": \"%s\"",
				(unsigned long long)m->size, hex) < 0)
			goto out;
		if (m->is_json && fy_buf_addf(&b, err, ", \"records\": %llu",
					      (unsigned long long)m->records) < 0)
			goto out;
		if (fy_buf_addc(&b, '}', err) < 0)
			goto out;
	}
	if (fy_buf_adds(&b, "\n  ],\n  \"records\": {", err) < 0)
		goto out;
	for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++) {
		if (!st->records[k])
			continue;
		if (fy_buf_addf(&b, err, "%s\"%s\": %llu", first ? "" : ", ",
				fy_kind_name((enum fy_kind)k), (unsigned long long)st->records[k]) < 0)
			goto out;
		first = 0;
	}
	if (fy_buf_addf(&b, err, "},\n  \"blobs\": %llu,\n  \"bytes\": %llu,\n  \"time_range\": ",
			(unsigned long long)st->blobs, (unsigned long long)w->bytes_in) < 0)
		goto out;
	if (st->has_time) {
		fy_time_format(st->first_s, st->first_ns, t1);
		fy_time_format(st->last_s, st->last_ns, t2);
		if (fy_buf_addf(&b, err, "{\"first\": \"%s\", \"last\": \"%s\"}", t1, t2) < 0)
			goto out;
	} else if (fy_buf_adds(&b, "null", err) < 0) {
		goto out;
	}
	if (fy_buf_adds(&b, ",\n  \"secrets\": [", err) < 0)
		goto out;
	for (i = 0; i < st->nsecrets; i++)
		if ((i && fy_buf_adds(&b, ", ", err) < 0) ||
		    fy_buf_add_jstr(&b, st->secrets[i], strlen(st->secrets[i]), err) < 0)
			goto out;
	if (fy_buf_addf(&b, err, "],\n  \"warnings\": %llu\n}\n",
			(unsigned long long)st->warnings) < 0)
		goto out;
	rc = member_mem(w, FY_MANIFEST_NAME, b.ptr, b.len, 0, 1, err);
out:
	fy_buf_release(&b);
	return rc;
}

static int write_sums(struct fy_writer *w, struct fy_error *err)
{
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 30);
	char hex[FY_SHA256_HEX];
	size_t i;
	int rc = -1;

	for (i = 0; i < w->nmembers; i++) {
		fy_hex(w->members[i].sha, FY_SHA256_LEN, hex);
		if (fy_buf_addf(&b, err, "%s  %s\n", hex, w->members[i].name) < 0)
			goto out;
	}
	rc = member_mem(w, FY_SUMS_NAME, b.ptr, b.len, 0, 0, err);
out:
	fy_buf_release(&b);
	return rc;
}

static int writer_close(struct fy_writer *w, struct fy_writer_stats *stats, struct fy_error *err)
{
	int s;

	if (drain(w, err) < 0)
		return -1;
	for (s = 0; s < S__COUNT; s++)
		if (flush_stream(w, &w->streams[s], err) < 0)
			return -1;
	if (fy_checker_finish(w->chk, err) < 0)
		return -1;
	collect_hash(w);
	if (write_manifest(w, err) < 0 || write_sums(w, err) < 0)
		return -1;
	if (w->be->commit(w, err) < 0)
		return -1;
	w->committed = 1;
	if (stats) {
		memset(stats, 0, sizeof(*stats));
		stats->records = *fy_checker_stats(w->chk);
		stats->records.secrets = NULL;
		stats->records.nsecrets = fy_checker_stats(w->chk)->nsecrets;
		stats->members = w->nmembers;
		stats->bytes_in = w->bytes_in;
		stats->credentials = w->credentials;
		stats->bytes_out = w->z ? fy_zout_bytes_out(w->z) : 0;
	}
	return 0;
}

int fy_writer_close(struct fy_writer *w, struct fy_writer_stats *stats, struct fy_error *err)
{
	if (w->failed)
		return failed_already(w, err);
	return fail(w, writer_close(w, stats, err), err);
}

void fy_writer_free(struct fy_writer *w)
{
	size_t i;
	int s;

	if (!w)
		return;
	fy_vpool_free(w->pool);
	fy_bghash_free(w->bg);
	fy_buf_release(&w->spare);
	if (!w->committed && w->be)
		w->be->abort(w);
	if (w->ar)
		archive_write_free(w->ar);
	fy_zout_free(w->z);
	if (w->fd >= 0 && !w->is_stdout)
		close(w->fd);
	for (i = 0; i < w->nmembers; i++)
		free(w->members[i].name);
	free(w->members);
	fy_idset_release(&w->names);
	for (s = 0; s < S__COUNT; s++)
		fy_buf_release(&w->streams[s].buf);
	fy_buf_release(&w->scratch);
	fy_jdoc_release(&w->doc);
	fy_checker_free(w->chk);
	fy_sha256_release(&w->h);
	free(w->final_path);
	free(w->tmp_path);
	free(w);
}
