/*
 * repo_s3.c - the S3 back end of backup repositories (s3://bucket/prefix),
 * on the S3 client in s3.c. See repo.h for the layout.
 *
 * Publishing: the archive is staged and verified in a local temporary
 * file, uploaded with a multipart upload (the object exists only once
 * CompleteMultipartUpload succeeds, so a run killed mid-upload leaves no
 * object, only parts that the next run holding the lock aborts where the
 * server lists them; a bucket lifecycle rule AbortIncompleteMultipartUpload
 * is the belt to that), then read back in ranges and its SHA-256 compared
 * with the verified local file.
 *
 * Locking. Plain S3 has no atomic "create if absent" that every
 * S3-compatible server honours: AWS accepts If-None-Match on PUT since
 * 2024, but s3rver 4.0.4 ignores it (it only reads If-None-Match on GET),
 * as do older MinIO and Ceph releases. So the lock is restic's protocol,
 * which needs only read-after-write consistency of PUT and LIST (AWS S3
 * has it since December 2020; so do MinIO and s3rver):
 *   1. list <prefix>locks/; a lock of a live run -> locked; a lock whose
 *      holder ran on this host and is gone -> deleted (taken over);
 *   2. put our own lock object, a unique key holding our holder JSON;
 *   3. list again: if any other live lock is there, delete ours, wait a
 *      random 0.1-0.4 s (times the attempt) and start again at 1.
 * Two runs can therefore never both pass step 3 (each sees the other's
 * object, written before its own second list). In a dead heat both back
 * off; the random wait lets one of them win the next round, and the
 * other then finds its lock in step 1 and exits "locked". After six
 * rounds of dead heats the run gives up as locked. Limits: a store
 * without read-after-write list consistency (some older S3-compatible
 * gateways) can let two runs in; a lock left by a run that died on
 * another host stays until `ferry forget --break-lock`.
 */
#include "repo_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "durable.h"
#include "s3.h"
#include "sha256.h"

#define LOCKS_DIR "locks/"
#define LOCK_MAX (64 * 1024)
#define LOCK_ROUNDS 6

struct s3repo {
	struct fy_s3 *s3;
	char *prefix;		/* "" or "a/b/" */
	char *lock_key;		/* our lock object while held */
};

static int s3r_open(struct fy_repo *r, const char *location, struct fy_error *err)
{
	struct s3repo *x = calloc(1, sizeof(*x));
	struct fy_s3_options so;
	const char *slash = strchr(location, '/');
	char bucket[256];
	size_t blen = slash ? (size_t)(slash - location) : strlen(location), plen;
	const char *p;

	if (!x)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	r->priv = x;
	if (blen == 0 || blen >= sizeof(bucket))
		return fy_error_set(err, FY_E_USAGE, "s3://%s: no bucket (s3://BUCKET/PREFIX)",
				    location);
	memcpy(bucket, location, blen);
	bucket[blen] = '\0';
	p = slash ? slash : "";
	while (*p == '/')
		p++;
	plen = strlen(p);
	while (plen && p[plen - 1] == '/')
		plen--;
	x->prefix = malloc(plen + 2);
	if (!x->prefix)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	memcpy(x->prefix, p, plen);
	if (plen)
		x->prefix[plen++] = '/';
	x->prefix[plen] = '\0';
	memset(&so, 0, sizeof(so));
	so.bucket = bucket;
	so.endpoint = r->opt.s3_endpoint;
	so.region = r->opt.s3_region;
	so.style = r->opt.s3_addressing == FY_S3_PATH	   ? FY_S3_STYLE_PATH
		   : r->opt.s3_addressing == FY_S3_VIRTUAL ? FY_S3_STYLE_VIRTUAL
							   : FY_S3_STYLE_AUTO;
	so.log = r->opt.log;
	so.log_cb = r->opt.cb;
	so.verbosity = r->opt.verbosity;
	x->s3 = fy_s3_new(&so, err);
	return x->s3 ? 0 : -1;
}

static void s3r_close(struct fy_repo *r)
{
	struct s3repo *x = r->priv;

	if (!x)
		return;
	fy_s3_free(x->s3);
	free(x->prefix);
	free(x->lock_key);
	free(x);
	r->priv = NULL;
}

/* A key under the prefix: new. */
static char *full_key(const struct s3repo *x, const char *rel, struct fy_error *err)
{
	size_t n = strlen(x->prefix) + strlen(rel) + 1;
	char *k = malloc(n);

	if (!k) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	snprintf(k, n, "%s%s", x->prefix, rel);
	return k;
}

struct strip {
	size_t skip;
	int (*fn)(void *, const char *, uint64_t);
	void *ctx;
};

static int strip_cb(void *ctx, const char *key, uint64_t size)
{
	struct strip *s = ctx;

	if (strlen(key) <= s->skip)
		return 0;
	return s->fn(s->ctx, key + s->skip, size);
}

static int s3r_list(struct fy_repo *r, int (*fn)(void *, const char *, uint64_t), void *ctx,
		    struct fy_error *err)
{
	struct s3repo *x = r->priv;
	struct strip s = { strlen(x->prefix), fn, ctx };

	return fy_s3_list(x->s3, x->prefix, strip_cb, &s, err);
}

static char *s3r_stage_path(struct fy_repo *r, const char *key, struct fy_error *err)
{
	char *base = fy_repo_tmp_path(r, "stage", err), *p;
	size_t n;

	if (!base)
		return NULL;
	n = strlen(base) + strlen(key) + 2;
	p = malloc(n);
	if (p)
		snprintf(p, n, "%s-%s", base, key);
	else
		fy_error_set(err, FY_E_NOMEM, "out of memory");
	free(base);
	return p;
}

static int file_sha256(const char *path, uint64_t *size, unsigned char sha[32],
		       struct fy_error *err)
{
	struct fy_sha256 h;
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fy_error_errno(err, errno, "%s", path);
	if (fy_sha256_init(&h) < 0) {
		close(fd);
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	*size = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		fy_sha256_update(&h, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	close(fd);
	fy_sha256_final(&h, sha);
	fy_sha256_release(&h);
	return n < 0 ? fy_error_errno(err, errno, "%s", path) : 0;
}

static int s3r_publish(struct fy_repo *r, const char *staged, const char *key,
		       struct fy_error *err)
{
	struct s3repo *x = r->priv;
	unsigned char mine[32], theirs[32];
	uint64_t msize = 0, tsize = 0;
	char *k = full_key(x, key, err);
	int rc = -1, got;

	if (!k)
		return -1;
	got = fy_s3_exists(x->s3, k, NULL, err);
	if (got < 0)
		goto out;
	if (got > 0) {
		fy_error_set(err, FY_E_EXISTS, "%s/%s: an archive of that name exists", r->url, key);
		goto out;
	}
	if (file_sha256(staged, &msize, mine, err) < 0 ||
	    fy_s3_upload_file(x->s3, k, staged, r->opt.progress, r->opt.cb, err) < 0)
		goto out;
	/* Read what the server stored back, and compare with what verified
	 * here. An object that cannot be confirmed does not stay. */
	got = fy_s3_sha256(x->s3, k, &tsize, theirs, err);
	if (got != 1 || tsize != msize || memcmp(mine, theirs, 32) != 0) {
		struct fy_error ignored;
		int removed = fy_s3_delete(x->s3, k, &ignored) == 0;

		if (got == 1 || got == 0)
			fy_error_set(err, FY_E_INTEGRITY,
				     "%s/%s: the stored object differs from the verified archive "
				     "(%llu bytes stored, %llu written)", r->url, key,
				     (unsigned long long)tsize, (unsigned long long)msize);
		else
			fy_error_prefix(err, "reading back %s/%s", r->url, key);
		fy_error_prefix(err, "%s", removed ? "upload removed" : "upload NOT removed");
		goto out;
	}
	rc = 0;
out:
	free(k);
	return rc;
}

static int s3r_remove(struct fy_repo *r, const char *key, struct fy_error *err)
{
	struct s3repo *x = r->priv;
	char *k = full_key(x, key, err);
	int rc = -1;

	if (k && fy_durable_step("repo remove", err) == 0)
		rc = fy_s3_delete(x->s3, k, err);
	free(k);
	return rc;
}

static char *s3r_fetch(struct fy_repo *r, const char *key, struct fy_error *err)
{
	struct s3repo *x = r->priv;
	char *k = full_key(x, key, err), *path = k ? fy_repo_tmp_path(r, "fetch", err) : NULL;
	int got = path ? fy_s3_download(x->s3, k, path, err) : -1;

	if (got == 0)
		fy_error_set(err, FY_E_DATA, "%s/%s: no such archive", r->url, key);
	if (got != 1 && path) {
		unlink(path);
		free(path);
		path = NULL;
	}
	free(k);
	return path;
}

static void s3r_fetch_done(struct fy_repo *r, char *path)
{
	(void)r;
	unlink(path);
	free(path);
}

/* --- the lock -------------------------------------------------------------- */

struct keys {
	char **v;
	size_t n;
};

static int keys_add(void *ctx, const char *key, uint64_t size)
{
	struct keys *k = ctx;
	char **v = realloc(k->v, (k->n + 1) * sizeof(*v));

	(void)size;
	if (!v)
		return -1;
	k->v = v;
	if (!(v[k->n] = strdup(key)))
		return -1;
	k->n++;
	return 0;
}

static void keys_release(struct keys *k)
{
	while (k->n)
		free(k->v[--k->n]);
	free(k->v);
	k->v = NULL;
}

/* Every lock object's key. */
static int lock_keys(struct s3repo *x, struct keys *k, struct fy_error *err)
{
	char *dir = full_key(x, LOCKS_DIR, err);
	int rc = dir ? fy_s3_list(x->s3, dir, keys_add, k, err) : -1;

	free(dir);
	return rc;
}

/*
 * Look at every lock but own: *alive when one of a live (or unknown) run
 * is there (*held describes it); locks of runs that died on this host are
 * deleted (*took_over, *held).
 */
static int scan_locks(struct fy_repo *r, const char *own, struct fy_lock_holder *held,
		      int *took_over, int *alive, struct fy_error *err)
{
	struct s3repo *x = r->priv;
	struct keys keys = { NULL, 0 };
	struct fy_buf body = FY_BUF_INIT(LOCK_MAX);
	size_t i;
	int rc = -1;

	*alive = 0;
	if (lock_keys(x, &keys, err) < 0)
		goto out;
	for (i = 0; i < keys.n; i++) {
		struct fy_lock_holder h;
		int got;

		if (own && strcmp(keys.v[i], own) == 0)
			continue;
		fy_buf_reset(&body);
		got = fy_s3_get(x->s3, keys.v[i], &body, err);
		if (got < 0)
			goto out;
		if (got == 0)
			continue;	/* released meanwhile */
		if (fy_lock_holder_parse(body.ptr ? body.ptr : "", body.len, &h) < 0) {
			memset(&h, 0, sizeof(h));
			snprintf(h.host, sizeof(h.host), "(unreadable lock s3://.../%s)", keys.v[i]);
		} else if (fy_lock_holder_dead(&h)) {
			if (fy_s3_delete(x->s3, keys.v[i], err) < 0)
				goto out;
			if (held)
				*held = h;
			if (took_over)
				*took_over = 1;
			continue;
		}
		*alive = 1;
		if (held)
			*held = h;
	}
	rc = 0;
out:
	keys_release(&keys);
	fy_buf_release(&body);
	return rc;
}

static void locked_error(struct fy_repo *r, const struct fy_lock_holder *h, struct fy_error *err)
{
	char who[512];

	fy_lock_holder_describe(h, who, sizeof(who));
	fy_error_set(err, FY_E_LOCKED, "repository %s is locked by %s", r->url, who);
}

static int s3r_lock(struct fy_repo *r, const struct fy_lock_holder *self,
		    struct fy_lock_holder *held, int *took_over, struct fy_error *err)
{
	struct s3repo *x = r->priv;
	struct fy_buf body = FY_BUF_INIT(LOCK_MAX);
	struct fy_lock_holder other;
	char rel[512], host[64];
	size_t i;
	int round, alive, rc = -1;

	/* A key that names the holder and cannot clash: host-pid-token. */
	snprintf(host, sizeof(host), "%.40s", self->host);
	for (i = 0; host[i]; i++)
		if (!((host[i] >= 'a' && host[i] <= 'z') || (host[i] >= 'A' && host[i] <= 'Z') ||
		      (host[i] >= '0' && host[i] <= '9') || host[i] == '.' || host[i] == '-'))
			host[i] = '_';
	snprintf(rel, sizeof(rel), "%s%s-%ld-%.16s.json", LOCKS_DIR, host, self->pid, self->token);
	free(x->lock_key);
	x->lock_key = full_key(x, rel, err);
	if (!x->lock_key || fy_lock_holder_json(self, &body, err) < 0)
		goto out;
	for (round = 0; round < LOCK_ROUNDS; round++) {
		memset(&other, 0, sizeof(other));
		if (scan_locks(r, NULL, &other, took_over, &alive, err) < 0)
			goto out;
		if (alive) {
			if (held)
				*held = other;
			locked_error(r, &other, err);
			goto out;
		}
		if (took_over && *took_over && held)
			*held = other;
		if (fy_durable_step("lock create", err) < 0 ||
		    fy_s3_put(x->s3, x->lock_key, body.ptr, body.len, err) < 0)
			goto out;
		if (scan_locks(r, x->lock_key, &other, NULL, &alive, err) < 0) {
			struct fy_error ignored;

			fy_s3_delete(x->s3, x->lock_key, &ignored);
			goto out;
		}
		if (!alive) {
			rc = 0;
			goto out;
		}
		/* Someone else is in too: step back, wait a little, look again. */
		if (fy_s3_delete(x->s3, x->lock_key, err) < 0)
			goto out;
		{
			unsigned int rnd = 0;
			struct timespec ts;
			long ms;

			if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
				rnd = (unsigned)getpid() * 2654435761u;
			ms = (100 + (long)(rnd % 300)) * (round + 1);
			ts.tv_sec = ms / 1000;
			ts.tv_nsec = (ms % 1000) * 1000000L;
			nanosleep(&ts, NULL);
		}
	}
	fy_error_set(err, FY_E_LOCKED, "repository %s is locked (other runs kept taking it)", r->url);
out:
	if (rc < 0) {
		free(x->lock_key);
		x->lock_key = NULL;
	}
	fy_buf_release(&body);
	return rc;
}

static int s3r_unlock(struct fy_repo *r, struct fy_error *err)
{
	struct s3repo *x = r->priv;
	int rc;

	if (!x->lock_key)
		return 0;
	rc = fy_s3_delete(x->s3, x->lock_key, err);
	free(x->lock_key);
	x->lock_key = NULL;
	return rc;
}

static int s3r_break_lock(struct fy_repo *r, struct fy_lock_holder *held, int *had,
			  struct fy_error *err)
{
	struct s3repo *x = r->priv;
	struct keys keys = { NULL, 0 };
	struct fy_buf body = FY_BUF_INIT(LOCK_MAX);
	size_t i;
	int rc = -1;

	*had = 0;
	memset(held, 0, sizeof(*held));
	if (lock_keys(x, &keys, err) < 0)
		goto out;
	for (i = 0; i < keys.n; i++) {
		fy_buf_reset(&body);
		if (!*had && fy_s3_get(x->s3, keys.v[i], &body, err) == 1 &&
		    fy_lock_holder_parse(body.ptr ? body.ptr : "", body.len, held) < 0)
			memset(held, 0, sizeof(*held));
		if (fy_s3_delete(x->s3, keys.v[i], err) < 0)
			goto out;
		*had = 1;
	}
	rc = 0;
out:
	keys_release(&keys);
	fy_buf_release(&body);
	return rc;
}

/*
 * With the lock held: staged files of dead runs in the temporary folder,
 * and multipart uploads under the prefix that no live run is making.
 */
static void s3r_clean_staging(struct fy_repo *r)
{
	struct s3repo *x = r->priv;
	const char *dir = fy_repo_tmp_dir(r);
	struct fy_error err;
	struct dirent *de;
	DIR *dh = opendir(dir);
	int n;

	while (dh && (de = readdir(dh))) {
		char path[4096];
		long pid;

		const char *rest;

		if (!strncmp(de->d_name, "ferry-stage-", 12))
			rest = de->d_name + 12;
		else if (!strncmp(de->d_name, "ferry-fetch-", 12))
			rest = de->d_name + 12;
		else
			continue;
		pid = strtol(rest, NULL, 10);
		if (pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) == 0)
			repo_log(r, FY_LOG_INFO, "removed %s, left by an interrupted run", path);
	}
	if (dh)
		closedir(dh);
	n = fy_s3_abort_uploads(x->s3, x->prefix, &err);
	if (n > 0)
		repo_log(r, FY_LOG_INFO, "%s: aborted %d unfinished uploads of interrupted runs",
			 r->url, n);
}

const struct repo_ops fy_repo_s3_ops = {
	.name = "s3",
	.open = s3r_open,
	.close = s3r_close,
	.list = s3r_list,
	.stage_path = s3r_stage_path,
	.publish = s3r_publish,
	.remove = s3r_remove,
	.fetch = s3r_fetch,
	.fetch_done = s3r_fetch_done,
	.lock = s3r_lock,
	.unlock = s3r_unlock,
	.break_lock = s3r_break_lock,
	.clean_staging = s3r_clean_staging,
};
