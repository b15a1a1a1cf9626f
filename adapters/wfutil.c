/*
 * wfutil.c - helpers shared by the workflow adapters. See wfutil.h.
 */
#include "wfutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonw.h"
#include "writer.h"
#include "ledger.h"
#include "sha256.h"

void wf_queue_init(struct wf_queue *q)
{
	memset(q, 0, sizeof(*q));
}

static void qitem_free(struct wf_qitem *i)
{
	free(i->data);
	free(i->name);
	i->data = i->name = NULL;
}

void wf_queue_release(struct wf_queue *q)
{
	size_t i;

	if (!q)
		return;
	for (i = 0; i < q->n; i++)
		qitem_free(&q->items[i]);
	free(q->items);
	memset(q, 0, sizeof(*q));
}

int wf_queue_push(struct wf_queue *q, enum fy_item_type type, const char *data, size_t len,
		  const char *name, struct fy_error *err)
{
	struct wf_qitem *it;

	if (q->head && q->head == q->n) {
		/* everything handed out: start over */
		size_t i;

		for (i = 0; i < q->n; i++)
			qitem_free(&q->items[i]);
		q->n = q->head = 0;
	}
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 16;
		struct wf_qitem *p = realloc(q->items, cap * sizeof(*p));

		if (!p)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		q->items = p;
		q->cap = cap;
	}
	it = &q->items[q->n];
	memset(it, 0, sizeof(*it));
	it->type = type;
	it->data = malloc(len + 1);
	it->name = name ? strdup(name) : NULL;
	if (!it->data || (name && !it->name)) {
		qitem_free(it);
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	memcpy(it->data, data, len);
	it->data[len] = '\0';
	it->len = len;
	q->n++;
	return 0;
}

static int raw_read(void *ctx, void *buf, size_t n, size_t *got, struct fy_error *err)
{
	struct wf_qitem *i = ctx;
	size_t left = i->len - i->pos;

	(void)err;
	if (n > left)
		n = left;
	memcpy(buf, i->data + i->pos, n);
	i->pos += n;
	*got = n;
	return 0;
}

int wf_queue_pop(struct wf_queue *q, struct fy_item *it)
{
	struct wf_qitem *i;

	if (q->head > 0)
		qitem_free(&q->items[q->head - 1]);
	if (q->head == q->n) {
		q->n = q->head = 0;
		return 0;
	}
	i = &q->items[q->head++];
	memset(it, 0, sizeof(*it));
	it->type = i->type;
	if (i->type == FY_ITEM_RAW) {
		it->name = i->name;
		it->size = i->len;
		it->read = raw_read;
		it->ctx = i;
		i->pos = 0;
	} else {
		it->json = i->data;
		it->len = i->len;
	}
	return 1;
}

static int vformat(struct fy_buf *out, const struct wf_ledger *l, struct fy_error *err,
		   const char *fmt, va_list ap)
{
	char reason[2048];
	struct fy_jw w;

	vsnprintf(reason, sizeof(reason), fmt, ap);
	fy_buf_reset(out);
	fy_jw_init(&w, out);
	fy_jw_obj(&w);
	fy_jw_key(&w, "item");
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "kind", l->kind);
	fy_jw_kstr_opt(&w, "id", l->id);
	fy_jw_kstr_opt(&w, "field", l->field);
	fy_jw_end(&w);
	fy_jw_kstr(&w, "outcome", l->outcome);
	fy_jw_kstr_opt(&w, "rule", l->rule);
	fy_jw_kstr(&w, "reason", reason);
	fy_jw_kstr_opt(&w, "adapter", l->adapter);
	fy_jw_kstr_opt(&w, "phase", l->phase);
	fy_jw_end(&w);
	return fy_jw_finish(&w, err);
}

int wf_ledger_format(struct fy_buf *out, const struct wf_ledger *l, struct fy_error *err,
		     const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vformat(out, l, err, fmt, ap);
	va_end(ap);
	return rc;
}

int wf_note(struct wf_notes *n, const char *field, const char *outcome, const char *rule,
	    struct fy_error *err, const char *fmt, ...)
{
	struct fy_buf b = FY_BUF_INIT(1 << 20);
	struct wf_ledger l;
	va_list ap;
	int rc;

	l.kind = n->kind ? n->kind : "workflow";
	l.id = n->id;
	l.field = field;
	l.outcome = outcome;
	l.rule = rule;
	l.adapter = n->adapter;
	l.phase = n->phase;
	va_start(ap, fmt);
	if (n->phase && strcmp(n->phase, "import") == 0 && strcmp(outcome, "warning") != 0) {
		/*
		 * A sink's detail: the compared done-ledger lines follow the
		 * capability table (wf_done); this says which node, which edge,
		 * written as a warning with its own outcome in front.
		 */
		char fmt2[2048];

		snprintf(fmt2, sizeof(fmt2), "%s: %s", outcome, fmt);
		l.outcome = "warning";
		rc = vformat(&b, &l, err, fmt2, ap);
	} else {
		rc = vformat(&b, &l, err, fmt, ap);
	}
	va_end(ap);
	if (rc == 0 && n->line)
		rc = n->line(n->ctx, b.ptr, b.len, err);
	if (rc == 0)
		n->count++;
	fy_buf_release(&b);
	return rc;
}

int wf_queue_line(void *queue, const char *json, size_t len, struct fy_error *err)
{
	return wf_queue_push(queue, FY_ITEM_LEDGER, json, len, NULL, err);
}

int wf_sink_line(void *adapter_ctx, const char *json, size_t len, struct fy_error *err)
{
	const struct fy_adapter_ctx *ctx = adapter_ctx;

	if (ctx->ledger)
		return ctx->ledger(ctx->cb, json, len, err);
	if (ctx->log)
		ctx->log(ctx->cb, FY_LOG_WARN, "ledger: %.*s", (int)len, json);
	return 0;
}

int wf_read_file(const char *path, size_t max, struct fy_buf *out, struct fy_error *err)
{
	struct stat st;
	int fd, rc = 0;

	fy_buf_reset(out);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fy_error_errno(err, errno, "%s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fy_error_set(err, FY_E_USAGE, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return fy_error_set(err, FY_E_UNSAFE, "%s: larger than %zu bytes", path, max);
	}
	for (;;) {
		ssize_t k;

		if (fy_buf_grow(out, 65536, err) < 0) {
			rc = fy_error_prefix(err, "%s", path);
			break;
		}
		k = read(fd, out->ptr + out->len, 65536);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rc = fy_error_errno(err, errno, "%s", path);
			break;
		}
		if (k == 0)
			break;
		out->len += (size_t)k;
		out->ptr[out->len] = '\0';
	}
	close(fd);
	return rc;
}

int wf_write_file(const char *dir, const char *name, const char *data, size_t len,
		  struct fy_error *err)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16];
	size_t off = 0;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return fy_error_set(err, FY_E_USAGE, "%s/%s: path too long", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	if (access(path, F_OK) == 0)
		return fy_error_set(err, FY_E_EXISTS, "%s exists; ferry does not overwrite", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return fy_error_errno(err, errno, "%s", tmp);
	while (off < len) {
		ssize_t k = write(fd, data + off, len - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			fy_error_errno(err, errno, "%s", tmp);
			close(fd);
			unlink(tmp);
			return -1;
		}
		off += (size_t)k;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fy_error_errno(err, errno, "%s", tmp);
		unlink(tmp);
		return -1;
	}
	/* link() fails rather than replace a file that appeared meanwhile */
	if (link(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		if (e == EEXIST)
			return fy_error_set(err, FY_E_EXISTS, "%s exists; ferry does not overwrite", path);
		return fy_error_errno(err, e, "%s", path);
	}
	unlink(tmp);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int wanted(const char *n, int yaml)
{
	size_t l = strlen(n);

	if (n[0] == '.')
		return 0;
	if (l > 5 && strcmp(n + l - 5, ".json") == 0)
		return 1;
	return yaml && ((l > 5 && strcmp(n + l - 5, ".yaml") == 0) ||
			(l > 4 && strcmp(n + l - 4, ".yml") == 0));
}

int wf_list_dir(const char *dir, int yaml, char ***names, size_t *n, struct fy_error *err)
{
	struct dirent *de;
	char **list = NULL;
	size_t cnt = 0, cap = 0;
	DIR *dh = opendir(dir);

	*names = NULL;
	*n = 0;
	if (!dh)
		return fy_error_errno(err, errno, "%s", dir);
	while ((de = readdir(dh))) {
		if (!wanted(de->d_name, yaml))
			continue;
		if (cnt == cap) {
			char **p;

			cap = cap ? cap * 2 : 32;
			if (cap > 1000000 || !(p = realloc(list, cap * sizeof(*p)))) {
				wf_names_free(list, cnt);
				closedir(dh);
				return fy_error_set(err, cap > 1000000 ? FY_E_UNSAFE : FY_E_NOMEM,
						    "%s: too many files", dir);
			}
			list = p;
		}
		if (!(list[cnt] = strdup(de->d_name))) {
			wf_names_free(list, cnt);
			closedir(dh);
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		}
		cnt++;
	}
	closedir(dh);
	if (cnt)
		qsort(list, cnt, sizeof(*list), cmp_names);
	*names = list;
	*n = cnt;
	return 0;
}

void wf_names_free(char **names, size_t n)
{
	while (names && n)
		free(names[--n]);
	free(names);
}

void wf_uuid_from(const char *seed, size_t n, char out[37])
{
	unsigned char h[FY_SHA256_LEN];
	char hex[FY_SHA256_HEX];

	fy_sha256(seed, n, h);
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x40);
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
	fy_hex(h, 16, hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

void wf_env_name(const char *prefix, const char *const *parts, size_t nparts, char *out,
		 size_t max)
{
	struct fy_sha256 h;
	unsigned char d[FY_SHA256_LEN];
	char hex[FY_SHA256_HEX];
	size_t len, i;
	int lossy = 0;

	len = strlen(prefix);
	if (len > max)
		len = max;
	memcpy(out, prefix, len);
	for (i = 0; i < nparts; i++) {
		const char *s = parts[i] ? parts[i] : "";
		size_t start = len, k;
		int gap = i > 0;

		for (; *s; s++) {
			if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			      (*s >= '0' && *s <= '9'))) {
				gap = 1;
				continue;
			}
			if (gap && len && out[len - 1] != '_' && len < max)
				out[len++] = '_';
			gap = 0;
			if (len < max)
				out[len++] = *s;
			else
				lossy = 1;
		}
		/* Lossless only when the part came through exactly as it was. */
		k = start < len && out[start] == '_' && i > 0 ? start + 1 : start;
		s = parts[i] ? parts[i] : "";
		if (strlen(s) != len - k || memcmp(s, out + k, len - k) != 0)
			lossy = 1;
	}
	if (lossy && max > 9 && fy_sha256_init(&h) == 0) {
		for (i = 0; i < nparts; i++)
			fy_sha256_update(&h, parts[i] ? parts[i] : "", strlen(parts[i] ? parts[i] : "") + 1);
		fy_sha256_final(&h, d);
		fy_sha256_release(&h);
		fy_hex(d, 4, hex);
		if (len > max - 9)
			len = max - 9;
		out[len++] = '_';
		memcpy(out + len, hex, 8);
		len += 8;
	}
	out[len] = '\0';
}

int wf_only(const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!s[i] || !strchr(set, s[i]))
			return 0;
	return 1;
}

int wf_in_list(const char *s, const char *const *list)
{
	for (; list && *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

int wf_copy_members(const struct fy_jdoc *d, uint32_t obj, const char *const *skip,
		    struct fy_jw *w, const char *wrap)
{
	uint32_t k, key, val;
	int any = 0;

	FY_JSON_FOREACH_MEMBER(d, obj, k, key, val) {
		size_t len;
		char *name = fy_json_strdup(d, key, &len);

		if (!name) {
			w->failed = 1;
			fy_error_set(&w->err, FY_E_NOMEM, "out of memory");
			return any;
		}
		if (!wf_in_list(name, skip)) {
			if (!any && wrap) {
				fy_jw_key(w, "ext");
				fy_jw_obj(w);
				fy_jw_key(w, wrap);
				fy_jw_obj(w);
			}
			any++;
			fy_jw_keyn(w, name, len);
			fy_jw_node(w, d, val);
		}
		free(name);
	}
	if (any && wrap) {
		fy_jw_end(w);
		fy_jw_end(w);
	}
	return any;
}

int wf_done(const struct fy_adapter_ctx *ctx, enum fy_kind kind, const char *id, const char *field,
	    enum fy_cap_level level, const char *rule, const char *reason, struct fy_error *err)
{
	struct fy_ledger_item item;

	memset(&item, 0, sizeof(item));
	item.kind = kind;
	item.id = id;
	item.field = field;
	return fy_ledger_report(ctx, &item, fy_cap_outcome(level), rule, reason, err);
}

int wf_done_table(const struct fy_adapter_ctx *ctx, const struct fy_capability *caps, size_t n,
		  enum fy_kind kind, const char *id, const char *field, struct fy_error *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (caps[i].kind == kind && caps[i].field && strcmp(caps[i].field, field) == 0)
			return wf_done(ctx, kind, id, field, caps[i].write,
				       caps[i].rule ? caps[i].rule : fy_cap_level_name(caps[i].write),
				       caps[i].note, err);
	return fy_error_set(err, FY_E_INTERNAL, "no capability line for %s %s", fy_kind_name(kind),
			    field);
}

static int secrets_walk(const struct fy_adapter_ctx *ctx, enum fy_kind kind, const char *id,
			const struct fy_jdoc *d, uint32_t v, const char *target, int depth,
			struct fy_error *err)
{
	uint32_t k, key, val;

	if (depth > 128)
		return 0;
	if (fy_json_type(d, v) == FY_JARRAY) {
		FY_JSON_FOREACH(d, v, k, val)
			if (secrets_walk(ctx, kind, id, d, val, target, depth + 1, err) < 0)
				return -1;
		return 0;
	}
	if (fy_json_type(d, v) != FY_JOBJECT)
		return 0;
	if (fy_json_len(d, v) == 1 && fy_json_streq(d, v + 1, "$secret") &&
	    fy_json_type(d, v + 2) == FY_JSTRING) {
		char *name = fy_json_strdup(d, v + 2, NULL);
		char reason[400];
		int rc;

		snprintf(reason, sizeof(reason), "secret %s is not carried: bind it at %s%s",
			 name ? name : "", target, name && getenv(name) ? " (it was set in the environment)" : "");
		free(name);
		{
			struct fy_ledger_item item;

			memset(&item, 0, sizeof(item));
			item.kind = kind;
			item.id = id;
			item.field = "$secret";
			rc = fy_ledger_report(ctx, &item, FY_OUT_HELD_BACK, "rebind-secret", reason, err);
		}
		return rc;
	}
	FY_JSON_FOREACH_MEMBER(d, v, k, key, val)
		if (secrets_walk(ctx, kind, id, d, val, target, depth + 1, err) < 0)
			return -1;
	return 0;
}

int wf_done_secrets(const struct fy_adapter_ctx *ctx, enum fy_kind kind, const char *id,
		    const struct fy_jdoc *d, struct fy_error *err)
{
	return secrets_walk(ctx, kind, id, d, 0, ctx->name ? ctx->name : "the target", 0, err);
}

int wf_target_open(struct wf_target *t, const char *adapter, const char *location,
		   struct fy_error *err)
{
	char tmp[PATH_MAX];
	struct stat st;
	size_t n;

	memset(t, 0, sizeof(*t));
	if (!location || !*location)
		return fy_error_set(err, FY_E_USAGE, "%s: name a .json file or a folder to write",
				    adapter);
	if (!(t->path = strdup(location)))
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	n = strlen(t->path);
	while (n > 1 && t->path[n - 1] == '/')
		t->path[--n] = '\0';
	t->one_file = n > 5 && strcmp(t->path + n - 5, ".json") == 0;
	if (t->one_file) {
		if (access(t->path, F_OK) == 0)
			return fy_error_set(err, FY_E_EXISTS, "%s: %s exists; ferry does not overwrite",
					    adapter, t->path);
		return 0;
	}
	if (stat(t->path, &st) == 0 && (!S_ISDIR(st.st_mode) || fy_dir_is_empty(t->path) != 1))
		return fy_error_set(err, FY_E_EXISTS, "%s: %s exists and is not an empty folder; "
				    "ferry does not overwrite", adapter, t->path);
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", t->path, (long)getpid());
	if (mkdir(tmp, 0755) < 0)
		return fy_error_errno(err, errno, "%s: %s", adapter, tmp);
	if (!(t->tmpdir = strdup(tmp))) {
		rmdir(tmp);
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	return 0;
}

/* A plain file name ending in .json, safe to create in the folder. */
static int plain_json_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 5 && n < 200 && strcmp(s + n - 5, ".json") == 0 && s[0] != '.' &&
	       wf_only(s, n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");
}

int wf_target_put(struct wf_target *t, const char *want, const char *fallback, const char *data,
		  size_t len, struct fy_error *err)
{
	char p[PATH_MAX], name[FY_ID_MAX + 16];

	snprintf(p, sizeof(p), "%s/%s", t->tmpdir, want ? want : "");
	if (plain_json_name(want) && access(p, F_OK) != 0)
		snprintf(name, sizeof(name), "%s", want);
	else
		snprintf(name, sizeof(name), "%.200s.json", fallback);
	return wf_write_file(t->tmpdir, name, data, len, err);
}

int wf_target_commit(struct wf_target *t, const char *data, size_t len, struct fy_error *err)
{
	if (t->one_file) {
		char dir[PATH_MAX];
		const char *slash = strrchr(t->path, '/');

		snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - t->path) : 1,
			 slash ? t->path : ".");
		return wf_write_file(*dir ? dir : "/", slash ? slash + 1 : t->path, data, len, err);
	}
	if (rmdir(t->path) < 0 && errno != ENOENT)
		return fy_error_errno(err, errno, "%s", t->path);
	if (rename(t->tmpdir, t->path) < 0)
		return fy_error_errno(err, errno, "%s", t->path);
	free(t->tmpdir);
	t->tmpdir = NULL;
	return 0;
}

void wf_target_release(struct wf_target *t)
{
	if (t->tmpdir) {
		char **names = NULL;
		size_t n = 0, i;

		if (wf_list_dir(t->tmpdir, 0, &names, &n, NULL) == 0) {
			for (i = 0; i < n; i++) {
				char p[PATH_MAX];

				snprintf(p, sizeof(p), "%s/%s", t->tmpdir, names[i]);
				unlink(p);
			}
			wf_names_free(names, n);
		}
		rmdir(t->tmpdir);
	}
	free(t->tmpdir);
	free(t->path);
	memset(t, 0, sizeof(*t));
}
