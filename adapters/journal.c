/*
 * journal.c - the durable import journal. See journal.h.
 */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "durable.h"
#include "idset.h"
#include "json.h"
#include "record.h"
#include "sha256.h"
#include "zstream.h"

#define LINE_MAX_BYTES (64 * 1024)

struct jent {
	uint64_t key;		/* fingerprint of kind + NUL + source */
	char *kind, *source, *target;
	enum fy_journal_state state;
};

struct fy_journal {
	int fd;
	char *path;
	struct jent *slots;	/* open addressing on key */
	size_t cap, n;
	uint64_t counts[4];
};

static const char *const state_names[] = { "none", "planned", "created", "verified" };

static uint64_t key_of(const char *kind, const char *source)
{
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 20);
	uint64_t k;

	fy_buf_adds(&b, kind, NULL);
	fy_buf_addc(&b, '\0', NULL);
	fy_buf_adds(&b, source, NULL);
	k = fy_fingerprint(0x4a, b.ptr ? b.ptr : "", b.len);
	fy_buf_release(&b);
	return k;
}

static struct jent *find(const struct fy_journal *j, uint64_t key, const char *kind,
			 const char *source)
{
	size_t i;

	if (!j->cap)
		return NULL;
	for (i = key & (j->cap - 1); j->slots[i].key; i = (i + 1) & (j->cap - 1))
		if (j->slots[i].key == key && !strcmp(j->slots[i].kind, kind) &&
		    !strcmp(j->slots[i].source, source))
			return &j->slots[i];
	return NULL;
}

static int grow(struct fy_journal *j, struct fy_error *err)
{
	size_t cap = j->cap ? j->cap * 2 : 256, i;
	struct jent *s = calloc(cap, sizeof(*s));

	if (!s)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	for (i = 0; i < j->cap; i++) {
		size_t k;

		if (!j->slots[i].key)
			continue;
		for (k = j->slots[i].key & (cap - 1); s[k].key; k = (k + 1) & (cap - 1))
			;
		s[k] = j->slots[i];
	}
	free(j->slots);
	j->slots = s;
	j->cap = cap;
	return 0;
}

/* Record (kind, source) -> target, state in memory. */
static int remember(struct fy_journal *j, const char *kind, const char *source, const char *target,
		    enum fy_journal_state state, struct fy_error *err)
{
	uint64_t key = key_of(kind, source);
	struct jent *e = find(j, key, kind, source);

	if (!e) {
		size_t i;

		if ((j->n + 1) * 4 > j->cap * 3 && grow(j, err) < 0)
			return -1;
		for (i = key & (j->cap - 1); j->slots[i].key; i = (i + 1) & (j->cap - 1))
			;
		e = &j->slots[i];
		e->kind = strdup(kind);
		e->source = strdup(source);
		if (!e->kind || !e->source) {
			free(e->kind);
			free(e->source);
			e->kind = e->source = NULL;
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		}
		e->key = key;
		j->n++;
	} else {
		j->counts[e->state]--;
	}
	if (target && (!e->target || strcmp(e->target, target) != 0)) {
		char *t = strdup(target);

		if (!t)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		free(e->target);
		e->target = t;
	}
	e->state = state;
	j->counts[state]++;
	return 0;
}

static enum fy_journal_state state_from(const struct fy_jdoc *d, uint32_t v)
{
	int s;

	for (s = 1; s < 4; s++)
		if (fy_json_streq(d, v, state_names[s]))
			return (enum fy_journal_state)s;
	return FY_JOURNAL_NONE;
}

/* Replay the file; cut a torn last line. */
static int replay(struct fy_journal *j, struct fy_error *err)
{
	struct fy_buf all = FY_BUF_INIT((size_t)16 << 30);
	struct fy_jdoc d;
	size_t off = 0, good = 0;
	char buf[65536];
	int rc = 0;

	fy_jdoc_init(&d);
	for (;;) {
		ssize_t n = read(j->fd, buf, sizeof(buf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = fy_error_errno(err, errno, "%s", j->path);
			goto out;
		}
		if (n == 0)
			break;
		if (fy_buf_add(&all, buf, (size_t)n, err) < 0) {
			rc = -1;
			goto out;
		}
	}
	while (off < all.len) {
		char *nl = memchr(all.ptr + off, '\n', all.len - off);
		size_t len;
		char *kind, *source, *target;

		if (!nl)
			break;	/* torn: no newline */
		len = (size_t)(nl - (all.ptr + off));
		if (fy_jdoc_parse(&d, all.ptr + off, len, 0, err) < 0) {
			if (nl + 1 == all.ptr + all.len)
				break;	/* a torn last line that happens to end in \n */
			rc = fy_error_prefix(err, "%s: line at byte %zu", j->path, off);
			goto out;
		}
		kind = fy_json_get_strdup(&d, 0, "kind");
		source = fy_json_get_strdup(&d, 0, "source");
		target = fy_json_get_strdup(&d, 0, "target");
		if (kind && source)
			rc = remember(j, kind, source, target,
				      state_from(&d, fy_json_get(&d, 0, "state")), err);
		free(kind);
		free(source);
		free(target);
		if (rc < 0)
			goto out;
		off += len + 1;
		good = off;
	}
	if (good != all.len && ftruncate(j->fd, (off_t)good) < 0)
		rc = fy_error_errno(err, errno, "%s: cutting a torn last line", j->path);
	if (lseek(j->fd, 0, SEEK_END) < 0 && rc == 0)
		rc = fy_error_errno(err, errno, "%s", j->path);
out:
	fy_jdoc_release(&d);
	fy_buf_release(&all);
	return rc;
}

static int mkdirs(const char *path, struct fy_error *err)
{
	char tmp[PATH_MAX];
	char *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			return fy_error_errno(err, errno, "mkdir %s", tmp);
		*p = '/';
	}
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
		return fy_error_errno(err, errno, "mkdir %s", tmp);
	return 0;
}

int fy_journal_path(const char *state_dir, const char *adapter, const char *location, char *out,
		    size_t cap, struct fy_error *err)
{
	unsigned char sha[FY_SHA256_LEN];
	char hex[FY_SHA256_HEX], dir[PATH_MAX];
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 20);
	const char *env;

	if (state_dir && *state_dir)
		snprintf(dir, sizeof(dir), "%s", state_dir);
	else if ((env = getenv("FERRY_STATE_DIR")) && *env)
		snprintf(dir, sizeof(dir), "%s", env);
	else if ((env = getenv("XDG_STATE_HOME")) && *env)
		snprintf(dir, sizeof(dir), "%s/ferry", env);
	else if ((env = getenv("HOME")) && *env)
		snprintf(dir, sizeof(dir), "%s/.local/state/ferry", env);
	else
		return fy_error_set(err, FY_E_USAGE, "no place for the import journal: set FERRY_STATE_DIR");
	if (fy_buf_adds(&b, adapter, err) < 0 || fy_buf_addc(&b, ':', err) < 0 ||
	    fy_buf_adds(&b, location ? location : "", err) < 0) {
		fy_buf_release(&b);
		return -1;
	}
	fy_sha256(b.ptr, b.len, sha);
	fy_buf_release(&b);
	fy_hex(sha, 8, hex);
	if ((size_t)snprintf(out, cap, "%s/%s-%s.journal", dir, adapter, hex) >= cap)
		return fy_error_set(err, FY_E_USAGE, "journal path too long");
	return 0;
}

struct fy_journal *fy_journal_open(const char *path, struct fy_error *err)
{
	struct fy_journal *j = calloc(1, sizeof(*j));
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (!j) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	j->fd = -1;
	j->path = strdup(path);
	if (!j->path) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		goto fail;
	}
	if (slash && slash != path) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		if (mkdirs(dir, err) < 0)
			goto fail;
	}
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		fy_error_set(err, FY_E_UNSAFE, "%s: not a regular file (refusing a link)", path);
		goto fail;
	}
	j->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (j->fd < 0) {
		fy_error_errno(err, errno, "%s", path);
		goto fail;
	}
	if (flock(j->fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			fy_error_set(err, FY_E_LOCKED, "%s: another import into this target is running",
				     path);
		else
			fy_error_errno(err, errno, "lock %s", path);
		goto fail;
	}
	if (lseek(j->fd, 0, SEEK_SET) < 0 || replay(j, err) < 0)
		goto fail;
	return j;
fail:
	fy_journal_close(j);
	return NULL;
}

int fy_journal_get(const struct fy_journal *j, const char *kind, const char *source,
		   struct fy_journal_entry *e)
{
	const struct jent *x = find(j, key_of(kind, source), kind, source);

	if (!x)
		return 0;
	e->state = x->state;
	e->target = x->target;
	return 1;
}

int fy_journal_put(struct fy_journal *j, const char *kind, const char *source, const char *target,
		   enum fy_journal_state state, struct fy_error *err)
{
	struct fy_buf line = FY_BUF_INIT(LINE_MAX_BYTES);
	char when[40];
	int rc = -1;

	fy_time_format((int64_t)time(NULL), 0, when);
	if (fy_buf_adds(&line, "{\"kind\":", err) < 0 ||
	    fy_buf_add_jstr(&line, kind, strlen(kind), err) < 0 ||
	    fy_buf_adds(&line, ",\"source\":", err) < 0 ||
	    fy_buf_add_jstr(&line, source, strlen(source), err) < 0)
		goto out;
	if (target && (fy_buf_adds(&line, ",\"target\":", err) < 0 ||
		       fy_buf_add_jstr(&line, target, strlen(target), err) < 0))
		goto out;
	if (fy_buf_addf(&line, err, ",\"state\":\"%s\",\"time\":\"%s\"}\n", state_names[state], when) < 0)
		goto out;
	if (fy_durable_step("journal line", err) < 0 ||
	    fy_write_all(j->fd, line.ptr, line.len, j->path, err) < 0)
		goto out;
	if (fsync(j->fd) < 0) {
		fy_error_errno(err, errno, "fsync %s", j->path);
		goto out;
	}
	rc = remember(j, kind, source, target, state, err);
out:
	fy_buf_release(&line);
	return rc;
}

void fy_journal_counts(const struct fy_journal *j, uint64_t counts[4])
{
	memcpy(counts, j->counts, sizeof(j->counts));
}

void fy_journal_close(struct fy_journal *j)
{
	size_t i;

	if (!j)
		return;
	for (i = 0; i < j->cap; i++) {
		free(j->slots[i].kind);
		free(j->slots[i].source);
		free(j->slots[i].target);
	}
	free(j->slots);
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	free(j);
}
