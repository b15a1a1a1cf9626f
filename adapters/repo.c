/*
 * repo.c - backup repositories: names, listing, lock holders, and the
 * folder back end. See repo.h; the S3 back end is repo_s3.c.
 */
#include "repo_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "durable.h"
#include "json.h"
#include "reader.h"
#include "record.h"
#include "writer.h"
#include "zstream.h"

#define LOCK_FILE "ferry.lock"
#define STAGING_DIR ".ferry-staging"
#define LOCK_MAX (64 * 1024)

/* --- names ----------------------------------------------------------- */

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

int fy_repo_name_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > FY_REPO_NAME_MAX || name[0] == '.' || name[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!name_char(name[i]))
			return 0;
	return 1;
}

/* Append s[0..n) to out, other characters as one '-', no leading '-' or '.'. */
static void slug_add(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && *len + 1 < cap; i++) {
		char c = name_char(s[i]) && s[i] != '-' ? s[i] : '-';

		if (c == '-' && (*len == 0 || out[*len - 1] == '-'))
			continue;
		if (c == '.' && *len == 0)
			continue;
		out[(*len)++] = c;
	}
	out[*len] = '\0';
}

void fy_repo_name_from_source(const char *source, char *out, size_t cap)
{
	const char *colon = strchr(source, ':');
	const char *loc, *end, *base;
	size_t len = 0;

	if (cap > FY_REPO_NAME_MAX + 1)
		cap = FY_REPO_NAME_MAX + 1;
	out[0] = '\0';
	slug_add(out, cap, &len, source, colon ? (size_t)(colon - source) : strlen(source));
	if (colon) {
		loc = colon + 1;
		end = loc + strlen(loc);
		while (end > loc && end[-1] == '/')
			end--;
		base = end;
		while (base > loc && base[-1] != '/')
			base--;
		/* "http://host:port" ends in the host part: keep it whole. */
		if (base < end) {
			if (len && len + 1 < cap)
				out[len++] = '-';
			slug_add(out, cap, &len, base, (size_t)(end - base));
		}
	}
	while (len && (out[len - 1] == '-' || out[len - 1] == '.'))
		out[--len] = '\0';
	if (!len)
		snprintf(out, cap, "backup");
}

void fy_repo_key(const char *name, int64_t t, char *out)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char ts[64];
	size_t n, m;

	gmtime_r(&tt, &tm);
	snprintf(ts, sizeof(ts), "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	/* Callers keep t within years 1970-9999, where the stamp is 16 characters. */
	n = strnlen(name, FY_REPO_NAME_MAX);
	m = strnlen(ts, 16);
	memcpy(out, name, n);
	out[n] = '-';
	memcpy(out + n + 1, ts, m);
	memcpy(out + n + 1 + m, ".ferry", 7);
}

int fy_repo_key_parse(const char *key, struct fy_repo_entry *e)
{
	static const char suffix[] = ".ferry";
	size_t n = strlen(key), nlen;
	const char *ts;
	struct tm tm;
	char back[FY_REPO_KEY_MAX + 1];
	int i;

	/* NAME "-" 16 "Z.ferry"... : at least one name character. */
	if (n > FY_REPO_KEY_MAX || n < 1 + 1 + 16 + sizeof(suffix) - 1 ||
	    strcmp(key + n - (sizeof(suffix) - 1), suffix) != 0)
		return -1;
	ts = key + n - (sizeof(suffix) - 1) - 16;
	if (ts[-1] != '-' || ts[8] != 'T' || ts[15] != 'Z')
		return -1;
	for (i = 0; i < 15; i++)
		if (i != 8 && (ts[i] < '0' || ts[i] > '9'))
			return -1;
	nlen = (size_t)(ts - 1 - key);
	if (nlen == 0 || nlen > FY_REPO_NAME_MAX)
		return -1;
	memset(e, 0, sizeof(*e));
	memcpy(e->name, key, nlen);
	e->name[nlen] = '\0';
	if (!fy_repo_name_valid(e->name))
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (ts[0] - '0') * 1000 + (ts[1] - '0') * 100 + (ts[2] - '0') * 10 + (ts[3] - '0') -
		     1900;
	tm.tm_mon = (ts[4] - '0') * 10 + (ts[5] - '0') - 1;
	tm.tm_mday = (ts[6] - '0') * 10 + (ts[7] - '0');
	tm.tm_hour = (ts[9] - '0') * 10 + (ts[10] - '0');
	tm.tm_min = (ts[11] - '0') * 10 + (ts[12] - '0');
	tm.tm_sec = (ts[13] - '0') * 10 + (ts[14] - '0');
	e->time = (int64_t)timegm(&tm);
	/* A name that does not round-trip (month 13, 25 o'clock) is not ours. */
	fy_repo_key(e->name, e->time, back);
	if (strcmp(back, key) != 0)
		return -1;
	snprintf(e->key, sizeof(e->key), "%s", key);
	return 0;
}

/* --- listing --------------------------------------------------------- */

static int list_add(void *ctx, const char *key, uint64_t size)
{
	struct fy_repo_list *l = ctx;
	struct fy_repo_entry e;

	if (fy_repo_key_parse(key, &e) < 0)
		return 0;
	e.size = size;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct fy_repo_entry *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = e;
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct fy_repo_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->time < y->time ? 1 : x->time > y->time ? -1 : 0;
}

int fy_repo_list(struct fy_repo *r, struct fy_repo_list *out, struct fy_error *err)
{
	memset(out, 0, sizeof(*out));
	if (r->ops->list(r, list_add, out, err) < 0) {
		if (err && err->code == FY_E_OK)
			fy_error_set(err, FY_E_NOMEM, "out of memory");
		fy_repo_list_release(out);
		return -1;
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(out->v[0]), entry_cmp);
	return 0;
}

void fy_repo_list_release(struct fy_repo_list *l)
{
	if (!l)
		return;
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* --- lock holders ---------------------------------------------------- */

static void read_line_file(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	out[0] = '\0';
	if (!f)
		return;
	if (fgets(out, (int)cap, f)) {
		n = strlen(out);
		while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
			out[--n] = '\0';
	}
	fclose(f);
}

/* Field 22 of /proc/<pid>/stat: the process's start, in clock ticks since boot. */
static unsigned long long proc_start_ticks(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long long v = 0;
	FILE *f;
	size_t n;
	int field;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the command may hold spaces and parentheses */
	if (!p)
		return 0;
	p++;
	/* After ")" come field 3 (state), 4, ...; we want 22. */
	for (field = 3; field < 22 && p; field++) {
		p = strchr(p + 1, ' ');
	}
	if (p)
		v = strtoull(p + 1, NULL, 10);
	return v;
}

void fy_lock_holder_self(struct fy_lock_holder *h, const char *command)
{
	unsigned char rnd[16];
	size_t i;

	memset(h, 0, sizeof(*h));
	if (gethostname(h->host, sizeof(h->host) - 1) < 0)
		snprintf(h->host, sizeof(h->host), "unknown");
	read_line_file("/etc/machine-id", h->machine_id, sizeof(h->machine_id));
	read_line_file("/proc/sys/kernel/random/boot_id", h->boot_id, sizeof(h->boot_id));
	h->pid = (long)getpid();
	h->start_ticks = proc_start_ticks(h->pid);
	fy_time_format((int64_t)time(NULL), 0, h->started);
	snprintf(h->command, sizeof(h->command), "%s", command);
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		for (i = 0; i < sizeof(rnd); i++)
			rnd[i] = (unsigned char)(rand() ^ (h->pid >> (i % 8)));
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(h->token + 2 * i, 3, "%02x", rnd[i]);
}

int fy_lock_holder_json(const struct fy_lock_holder *h, struct fy_buf *out, struct fy_error *err)
{
	const struct {
		const char *key, *val;
	} s[] = {
		{ "host", h->host }, { "machine_id", h->machine_id }, { "boot_id", h->boot_id },
		{ "started", h->started }, { "command", h->command }, { "token", h->token },
	};
	size_t i;

	if (fy_buf_adds(out, "{", err) < 0)
		return -1;
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (fy_buf_addf(out, err, "%s\"%s\":", i ? "," : "", s[i].key) < 0 ||
		    fy_buf_add_jstr(out, s[i].val, strlen(s[i].val), err) < 0)
			return -1;
	return fy_buf_addf(out, err, ",\"pid\":%ld,\"start_ticks\":%llu}\n", h->pid, h->start_ticks);
}

static void get_into(const struct fy_jdoc *d, const char *key, char *out, size_t cap)
{
	char *s = fy_json_get_strdup(d, 0, key);

	snprintf(out, cap, "%s", s ? s : "");
	free(s);
}

int fy_lock_holder_parse(const char *json, size_t len, struct fy_lock_holder *h)
{
	struct fy_jdoc d;
	int64_t v;
	int rc = -1;

	memset(h, 0, sizeof(*h));
	fy_jdoc_init(&d);
	if (fy_jdoc_parse(&d, json, len, 0, NULL) < 0 || fy_json_type(&d, 0) != FY_JOBJECT)
		goto out;
	get_into(&d, "host", h->host, sizeof(h->host));
	get_into(&d, "machine_id", h->machine_id, sizeof(h->machine_id));
	get_into(&d, "boot_id", h->boot_id, sizeof(h->boot_id));
	get_into(&d, "started", h->started, sizeof(h->started));
	get_into(&d, "command", h->command, sizeof(h->command));
	get_into(&d, "token", h->token, sizeof(h->token));
	if (fy_json_int(&d, fy_json_get(&d, 0, "pid"), &v) < 0 || v <= 0 || v > INT32_MAX)
		goto out;
	h->pid = (long)v;
	if (fy_json_int(&d, fy_json_get(&d, 0, "start_ticks"), &v) == 0 && v > 0)
		h->start_ticks = (unsigned long long)v;
	rc = h->host[0] ? 0 : -1;
out:
	fy_jdoc_release(&d);
	return rc;
}

int fy_lock_holder_dead(const struct fy_lock_holder *h)
{
	struct fy_lock_holder me;
	unsigned long long ticks;

	fy_lock_holder_self(&me, "");
	/* Another host (or a host we cannot recognise): not ours to judge. */
	if (strcmp(h->host, me.host) != 0 || strcmp(h->machine_id, me.machine_id) != 0)
		return 0;
	if (h->boot_id[0] && me.boot_id[0] && strcmp(h->boot_id, me.boot_id) != 0)
		return 1;	/* rebooted since: every process of that boot is gone */
	if (h->pid == me.pid)
		return 0;	/* ourselves: never stale */
	if (kill((pid_t)h->pid, 0) < 0 && errno == ESRCH)
		return 1;
	ticks = proc_start_ticks(h->pid);
	if (h->start_ticks && ticks && ticks != h->start_ticks)
		return 1;	/* the pid was reused by another process */
	return 0;
}

void fy_lock_holder_describe(const struct fy_lock_holder *h, char *out, size_t cap)
{
	snprintf(out, cap, "ferry %s on host %s, pid %ld, since %s", h->command[0] ? h->command : "?",
		 h->host, h->pid, h->started[0] ? h->started : "an unknown time");
}

/* --- the folder back end ---------------------------------------------- */

struct local {
	char *root;
	int dirfd;
	char *staging;		/* root/.ferry-staging */
};

static int local_open(struct fy_repo *r, const char *location, struct fy_error *err)
{
	struct local *l = calloc(1, sizeof(*l));
	struct stat st;
	size_t n;

	if (!l)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	l->dirfd = -1;
	r->priv = l;
	l->root = strdup(location);
	if (!l->root)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	n = strlen(l->root);
	while (n > 1 && l->root[n - 1] == '/')
		l->root[--n] = '\0';
	if (lstat(l->root, &st) < 0) {
		if (errno != ENOENT)
			return fy_error_errno(err, errno, "%s", l->root);
		/* A new repository: the folder itself, not its parents (a typo
		 * in a parent should fail, not grow a tree). */
		if (mkdir(l->root, 0700) < 0)
			return fy_error_errno(err, errno, "cannot create repository %s", l->root);
	} else if (!S_ISDIR(st.st_mode)) {
		return fy_error_set(err, FY_E_IO, "%s: the repository is not a folder", l->root);
	}
	l->dirfd = open(l->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->dirfd < 0)
		return fy_error_errno(err, errno, "%s", l->root);
	n = strlen(l->root) + sizeof(STAGING_DIR) + 2;
	l->staging = malloc(n);
	if (!l->staging)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	snprintf(l->staging, n, "%s/%s", l->root, STAGING_DIR);
	return 0;
}

static void local_close(struct fy_repo *r)
{
	struct local *l = r->priv;

	if (!l)
		return;
	if (l->dirfd >= 0)
		close(l->dirfd);
	free(l->root);
	free(l->staging);
	free(l);
	r->priv = NULL;
}

static int local_list(struct fy_repo *r, int (*fn)(void *, const char *, uint64_t), void *ctx,
		      struct fy_error *err)
{
	struct local *l = r->priv;
	struct dirent *de;
	DIR *dh;
	int fd, rc = 0;

	fd = openat(l->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(dh = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return fy_error_errno(err, errno, "%s", l->root);
	}
	while ((de = readdir(dh))) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (fstatat(l->dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (fn(ctx, de->d_name, (uint64_t)st.st_size) < 0) {
			rc = -1;
			break;
		}
	}
	closedir(dh);
	return rc;
}

static char *local_stage_path(struct fy_repo *r, const char *key, struct fy_error *err)
{
	struct local *l = r->priv;
	size_t n = strlen(l->staging) + strlen(key) + 2;
	char *p;

	if (mkdir(l->staging, 0700) < 0 && errno != EEXIST) {
		fy_error_errno(err, errno, "mkdir %s", l->staging);
		return NULL;
	}
	p = malloc(n);
	if (!p) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	snprintf(p, n, "%s/%s", l->staging, key);
	return p;
}

static int sync_fd(int fd, const char *what, struct fy_error *err)
{
	if (fsync(fd) < 0 && errno != EINVAL)
		return fy_error_errno(err, errno, "fsync %s", what);
	return 0;
}

static int local_publish(struct fy_repo *r, const char *staged, const char *key,
			 struct fy_error *err)
{
	struct local *l = r->priv;

	if (fy_durable_step("repo publish", err) < 0)
		return -1;
	/* link(2), not rename(2): it fails instead of replacing an archive. */
	if (linkat(AT_FDCWD, staged, l->dirfd, key, 0) < 0) {
		if (errno == EEXIST)
			return fy_error_set(err, FY_E_EXISTS, "%s/%s: an archive of that name exists",
					    l->root, key);
		if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP)
			return fy_error_errno(err, errno, "%s/%s", l->root, key);
		/* A file system without hard links: rename, after checking. */
		if (faccessat(l->dirfd, key, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			return fy_error_set(err, FY_E_EXISTS, "%s/%s: an archive of that name exists",
					    l->root, key);
		if (renameat(AT_FDCWD, staged, l->dirfd, key) < 0)
			return fy_error_errno(err, errno, "%s/%s", l->root, key);
	}
	return sync_fd(l->dirfd, l->root, err);
}

static int local_remove(struct fy_repo *r, const char *key, struct fy_error *err)
{
	struct local *l = r->priv;

	if (fy_durable_step("repo remove", err) < 0)
		return -1;
	if (unlinkat(l->dirfd, key, 0) < 0)
		return fy_error_errno(err, errno, "%s/%s", l->root, key);
	return sync_fd(l->dirfd, l->root, err);
}

static char *local_fetch(struct fy_repo *r, const char *key, struct fy_error *err)
{
	struct local *l = r->priv;
	size_t n = strlen(l->root) + strlen(key) + 2;
	char *p = malloc(n);

	if (!p) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	snprintf(p, n, "%s/%s", l->root, key);
	return p;
}

static void local_fetch_done(struct fy_repo *r, char *path)
{
	(void)r;
	free(path);
}

/* Read the lock file (at most LOCK_MAX bytes) into b; -1 with errno. */
static int read_lock_file(int dirfd, struct fy_buf *b)
{
	char tmp[4096];
	ssize_t n;
	int fd = openat(dirfd, LOCK_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -1;
	fy_buf_reset(b);
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		if (fy_buf_add(b, tmp, (size_t)n, NULL) < 0)
			break;
	close(fd);
	return 0;
}

/*
 * flock(2) on the folder serialises lock changes on this host, so a lock
 * file seen empty or torn while we hold it was left by a process that
 * died writing it, and two runs cannot both take over one stale lock. On
 * a file system without flock (some NFS set-ups) this is best effort.
 */
static int local_guard(struct local *l)
{
	return flock(l->dirfd, LOCK_EX) == 0;
}

static void local_unguard(struct local *l, int guarded)
{
	if (guarded)
		flock(l->dirfd, LOCK_UN);
}

static int local_lock(struct fy_repo *r, const struct fy_lock_holder *self,
		      struct fy_lock_holder *held, int *took_over, struct fy_error *err)
{
	struct local *l = r->priv;
	struct fy_buf b = FY_BUF_INIT(LOCK_MAX);
	int guarded = local_guard(l), attempt, rc = -1;

	for (attempt = 0; attempt < 3; attempt++) {
		struct fy_lock_holder other;
		struct stat st;
		int fd = openat(l->dirfd, LOCK_FILE,
				O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);

		if (fd >= 0) {
			fy_buf_reset(&b);
			if (fy_durable_step("lock create", err) < 0 ||
			    fy_lock_holder_json(self, &b, err) < 0 ||
			    fy_write_all(fd, b.ptr, b.len, LOCK_FILE, err) < 0 ||
			    sync_fd(fd, LOCK_FILE, err) < 0) {
				close(fd);
				unlinkat(l->dirfd, LOCK_FILE, 0);
				goto out;
			}
			close(fd);
			rc = sync_fd(l->dirfd, l->root, err);
			goto out;
		}
		if (errno != EEXIST) {
			fy_error_errno(err, errno, "%s/%s", l->root, LOCK_FILE);
			goto out;
		}
		if (read_lock_file(l->dirfd, &b) < 0) {
			if (errno == ENOENT)
				continue;	/* released meanwhile: try again */
			fy_error_errno(err, errno, "%s/%s", l->root, LOCK_FILE);
			goto out;
		}
		if (fy_lock_holder_parse(b.ptr ? b.ptr : "", b.len, &other) == 0) {
			if (!fy_lock_holder_dead(&other)) {
				char who[512];

				if (held)
					*held = other;
				fy_lock_holder_describe(&other, who, sizeof(who));
				fy_error_set(err, FY_E_LOCKED, "repository %s is locked by %s", r->url,
					     who);
				goto out;
			}
		} else if (!guarded && fstatat(l->dirfd, LOCK_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			   time(NULL) - st.st_mtime < 60) {
			/* Without flock a torn file may still be being written. */
			fy_error_set(err, FY_E_LOCKED,
				     "repository %s is locked (a lock is being taken right now)",
				     r->url);
			goto out;
		} else {
			memset(&other, 0, sizeof(other));
			snprintf(other.command, sizeof(other.command), "?");
		}
		/* Stale: its holder died on this host. Take it over. */
		if (held)
			*held = other;
		if (took_over)
			*took_over = 1;
		if (unlinkat(l->dirfd, LOCK_FILE, 0) < 0 && errno != ENOENT) {
			fy_error_errno(err, errno, "%s/%s", l->root, LOCK_FILE);
			goto out;
		}
	}
	fy_error_set(err, FY_E_LOCKED, "repository %s is locked (the lock keeps changing)", r->url);
out:
	local_unguard(l, guarded);
	fy_buf_release(&b);
	return rc;
}

static int local_unlock(struct fy_repo *r, struct fy_error *err)
{
	struct local *l = r->priv;
	struct fy_buf b = FY_BUF_INIT(LOCK_MAX);
	struct fy_lock_holder h;
	int guarded = local_guard(l), rc = 0;

	if (read_lock_file(l->dirfd, &b) == 0 &&
	    fy_lock_holder_parse(b.ptr ? b.ptr : "", b.len, &h) == 0 &&
	    strcmp(h.token, r->self.token) == 0) {
		if (unlinkat(l->dirfd, LOCK_FILE, 0) < 0)
			rc = fy_error_errno(err, errno, "%s/%s", l->root, LOCK_FILE);
		else
			rc = sync_fd(l->dirfd, l->root, err);
	} else {
		rc = fy_error_set(err, FY_E_LOCKED, "repository %s: the lock was taken from this run",
				  r->url);
	}
	local_unguard(l, guarded);
	fy_buf_release(&b);
	return rc;
}

static int local_break_lock(struct fy_repo *r, struct fy_lock_holder *held, int *had,
			    struct fy_error *err)
{
	struct local *l = r->priv;
	struct fy_buf b = FY_BUF_INIT(LOCK_MAX);
	int guarded = local_guard(l), rc = 0;

	*had = 0;
	if (read_lock_file(l->dirfd, &b) == 0) {
		*had = 1;
		if (fy_lock_holder_parse(b.ptr ? b.ptr : "", b.len, held) < 0)
			memset(held, 0, sizeof(*held));
		if (unlinkat(l->dirfd, LOCK_FILE, 0) < 0)
			rc = fy_error_errno(err, errno, "%s/%s", l->root, LOCK_FILE);
		else
			rc = sync_fd(l->dirfd, l->root, err);
	} else if (errno != ENOENT) {
		rc = fy_error_errno(err, errno, "%s/%s", l->root, LOCK_FILE);
	}
	local_unguard(l, guarded);
	fy_buf_release(&b);
	return rc;
}

/* Under the lock no other run is writing: everything staged is debris. */
static void local_clean_staging(struct fy_repo *r)
{
	struct local *l = r->priv;
	struct dirent *de;
	DIR *dh = opendir(l->staging);

	if (!dh)
		return;
	while ((de = readdir(dh))) {
		char p[PATH_MAX];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", l->staging, de->d_name);
		if (unlink(p) == 0)
			repo_log(r, FY_LOG_INFO, "removed %s, left by an interrupted run", p);
	}
	closedir(dh);
}

const struct repo_ops fy_repo_local_ops = {
	.name = "folder",
	.open = local_open,
	.close = local_close,
	.list = local_list,
	.stage_path = local_stage_path,
	.publish = local_publish,
	.remove = local_remove,
	.fetch = local_fetch,
	.fetch_done = local_fetch_done,
	.lock = local_lock,
	.unlock = local_unlock,
	.break_lock = local_break_lock,
	.clean_staging = local_clean_staging,
};

/* --- the repository -------------------------------------------------- */

struct fy_repo *fy_repo_open(const char *url, const struct fy_repo_options *o,
			     struct fy_error *err)
{
	struct fy_repo *r = calloc(1, sizeof(*r));
	const char *loc = url;

	if (!r) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	if (o)
		r->opt = *o;
	r->url = strdup(url);
	if (!r->url) {
		free(r);
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	if (strncmp(url, "s3://", 5) == 0) {
		r->ops = &fy_repo_s3_ops;
		loc = url + 5;
	} else {
		if (strstr(url, "://")) {
			fy_error_set(err, FY_E_USAGE,
				     "%s: a repository is a folder or s3://bucket/prefix", url);
			fy_repo_free(r);
			return NULL;
		}
		r->ops = &fy_repo_local_ops;
	}
	if (!*loc || r->ops->open(r, loc, err) < 0) {
		if (!*loc)
			fy_error_set(err, FY_E_USAGE, "no repository given");
		fy_repo_free(r);
		return NULL;
	}
	return r;
}

void fy_repo_free(struct fy_repo *r)
{
	if (!r)
		return;
	if (r->locked)
		fy_repo_unlock(r, NULL);
	if (r->ops && r->ops->close)
		r->ops->close(r);
	free(r->url);
	free(r);
}

const char *fy_repo_url(const struct fy_repo *r)
{
	return r->url;
}

int fy_repo_is_remote(const struct fy_repo *r)
{
	return r->ops != &fy_repo_local_ops;
}

char *fy_repo_stage_path(struct fy_repo *r, const char *key, struct fy_error *err)
{
	return r->ops->stage_path(r, key, err);
}

int fy_repo_publish(struct fy_repo *r, const char *staged, const char *key, struct fy_error *err)
{
	return r->ops->publish(r, staged, key, err);
}

int fy_repo_remove(struct fy_repo *r, const char *key, struct fy_error *err)
{
	return r->ops->remove(r, key, err);
}

char *fy_repo_fetch(struct fy_repo *r, const char *key, struct fy_error *err)
{
	return r->ops->fetch(r, key, err);
}

void fy_repo_fetch_done(struct fy_repo *r, char *path)
{
	if (path)
		r->ops->fetch_done(r, path);
}

int fy_repo_lock(struct fy_repo *r, const char *command, struct fy_lock_holder *held,
		 int *took_over, struct fy_error *err)
{
	if (took_over)
		*took_over = 0;
	fy_lock_holder_self(&r->self, command);
	if (r->ops->lock(r, &r->self, held, took_over, err) < 0)
		return -1;
	r->locked = 1;
	r->ops->clean_staging(r);
	return 0;
}

int fy_repo_unlock(struct fy_repo *r, struct fy_error *err)
{
	if (!r->locked)
		return 0;
	r->locked = 0;
	return r->ops->unlock(r, err);
}

int fy_repo_break_lock(struct fy_repo *r, struct fy_lock_holder *held, int *had,
		       struct fy_error *err)
{
	struct fy_lock_holder h;
	int x;

	return r->ops->break_lock(r, held ? held : &h, had ? had : &x, err);
}

const char *fy_repo_tmp_dir(const struct fy_repo *r)
{
	const char *dir = r->opt.tmp_dir;

	if (!dir || !*dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	return dir;
}

char *fy_repo_tmp_path(const struct fy_repo *r, const char *what, struct fy_error *err)
{
	const char *dir = fy_repo_tmp_dir(r);
	unsigned int rnd;
	size_t n;
	char *p;
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (unsigned)time(NULL) ^ (unsigned)getpid();
	n = strlen(dir) + strlen(what) + 48;
	p = malloc(n);
	if (!p) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	snprintf(p, n, "%s/ferry-%s-%ld-%08x", dir, what, (long)getpid(), rnd);
	return p;
}

int fy_archive_verify_file(const char *path, uint64_t *records, struct fy_error *err)
{
	struct fy_reader *r = fy_reader_open(path, NULL, err);
	struct fy_item it;
	int got = -1, k;

	if (!r)
		return -1;
	while ((got = fy_reader_next(r, &it, err)) == 1)
		;
	if (got == 0 && records) {
		*records = 0;
		for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++)
			*records += fy_reader_stats(r)->records[k];
	}
	fy_reader_free(r);
	return got == 0 ? 0 : -1;
}
