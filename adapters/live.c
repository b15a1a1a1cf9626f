/*
 * live.c - what the live-provider adapters share. See live.h.
 */
#include "live.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ledger.h"
#include "record.h"
#include "sha256.h"
#include "zstream.h"

/* --- JSON writer ---------------------------------------------------------- */

/* The pending member name, written (escaped) before the next value. */
static void put_key(struct lw *w)
{
	if (w->key) {
		fy_jw_key(&w->j, w->key);
		w->key = NULL;
	}
}

void lw_init(struct lw *w, struct fy_buf *b, struct fy_error *err)
{
	fy_jw_init(&w->j, b);
	w->err = err;
	w->key = NULL;
}

void lw_obj(struct lw *w) { put_key(w); fy_jw_obj(&w->j); }
void lw_end_obj(struct lw *w) { fy_jw_end(&w->j); }
void lw_arr(struct lw *w) { put_key(w); fy_jw_arr(&w->j); }
void lw_end_arr(struct lw *w) { fy_jw_end(&w->j); }
void lw_key(struct lw *w, const char *key) { w->key = key; }
void lw_strn(struct lw *w, const char *s, size_t n) { put_key(w); fy_jw_strn(&w->j, s, n); }
void lw_str(struct lw *w, const char *s) { lw_strn(w, s, strlen(s)); }
void lw_int(struct lw *w, int64_t v) { put_key(w); fy_jw_int(&w->j, v); }
void lw_bool(struct lw *w, int v) { put_key(w); fy_jw_bool(&w->j, v); }
void lw_null(struct lw *w) { put_key(w); fy_jw_null(&w->j); }
void lw_node(struct lw *w, const struct fy_jdoc *d, uint32_t i) { put_key(w); fy_jw_node(&w->j, d, i); }
void lw_time(struct lw *w, int64_t sec) { put_key(w); fy_jw_time(&w->j, sec, 0); }

void lw_ktime(struct lw *w, const char *key, int64_t sec)
{
	if (sec <= 0 || sec > INT64_C(253402300799))	/* 9999-12-31T23:59:59Z */
		return;
	lw_key(w, key);
	lw_time(w, sec);
}

void lw_kstr(struct lw *w, const char *key, const char *s)
{
	if (!s)
		return;
	lw_key(w, key);
	lw_str(w, s);
}

void lw_knode(struct lw *w, const char *key, const struct fy_jdoc *d, uint32_t i)
{
	if (i == FY_JNONE || fy_json_type(d, i) == FY_JABSENT)
		return;
	lw_key(w, key);
	lw_node(w, d, i);
}

int lw_failed(const struct lw *w)
{
	return w->j.failed;
}

void lw_fail(struct lw *w, const struct fy_error *e)
{
	if (!w->j.failed)
		w->j.err = *e;
	w->j.failed = 1;
}

int lw_done(struct lw *w)
{
	return fy_jw_finish(&w->j, w->err);
}

int live_get_str(const struct fy_jdoc *d, uint32_t obj, const char *key, struct fy_buf *out)
{
	uint32_t v = fy_json_get(d, obj, key);

	fy_buf_reset(out);
	if (fy_json_type(d, v) != FY_JSTRING)
		return -1;
	return fy_json_str(d, v, out, NULL);
}

int64_t live_get_int(const struct fy_jdoc *d, uint32_t obj, const char *key, int64_t def)
{
	int64_t v;

	if (fy_json_int(d, fy_json_get(d, obj, key), &v) < 0)
		return def;
	return v;
}

int live_streq(const struct fy_jdoc *d, uint32_t obj, const char *key, const char *lit)
{
	return fy_json_streq(d, fy_json_get(d, obj, key), lit);
}

int live_b64_decode(const char *s, size_t n, struct fy_buf *out, struct fy_error *err)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int v;

		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+' || c == '-')
			v = 62;
		else if (c == '/' || c == '_')
			v = 63;
		else if (c == '=' || c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		else
			return fy_error_set(err, FY_E_DATA, "not base64 (byte %zu)", i);
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (fy_buf_addc(out, (char)((acc >> bits) & 0xff), err) < 0)
				return -1;
		}
	}
	return 0;
}

/* --- client ----------------------------------------------------------------- */

static long opt_long(const struct fy_adapter_ctx *ctx, const char *key, long def)
{
	const char *v = fy_adapter_option(ctx, key);

	return v && *v ? strtol(v, NULL, 10) : def;
}

static void client_log(void *cb, enum fy_log_level level, const char *fmt, ...)
{
	const struct fy_adapter_ctx *ctx = cb;
	char line[1200];
	va_list ap;

	if (!ctx->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ctx->log(ctx->cb, level, "%s", line);
}

int live_client_open(struct live_client *c, const struct fy_adapter_ctx *ctx, const char *provider,
		     const char *base_url, const char *identity, struct fy_error *err)
{
	struct fy_http_options o;
	const char *v;

	memset(c, 0, sizeof(*c));
	c->ctx = ctx;
	fy_http_options_init(&o, provider, base_url);
	o.rate = (v = fy_adapter_option(ctx, "rate")) ? strtod(v, NULL) : 10;
	o.concurrency = (int)opt_long(ctx, "concurrency", 4);
	o.max_retries = (int)opt_long(ctx, "retries", 8);
	o.backoff_base_ms = opt_long(ctx, "backoff-ms", 500);
	o.backoff_max_ms = opt_long(ctx, "backoff-max-ms", 30000);
	o.stall_timeout_s = opt_long(ctx, "stall-timeout", 30);
	o.attempt_timeout_ms = opt_long(ctx, "timeout-ms", 300000);
	o.retry_after_max_ms = opt_long(ctx, "retry-after-max-ms", 120000);
	o.seed = (unsigned)opt_long(ctx, "seed", 0);
	if (o.concurrency < 1 || o.concurrency > 64 || o.rate < 0 || o.max_retries < 0)
		return fy_error_set(err, FY_E_USAGE,
				    "%s: options concurrency (1-64), rate (>= 0) and retries (>= 0)",
				    provider);
	o.log = client_log;
	o.log_cb = (void *)ctx;
	o.verbosity = ctx->verbosity >= 3 ? 3 : ctx->verbosity >= 2 ? 2 : 0;
	c->http = fy_http_new(&o, err);
	if (!c->http)
		return fy_error_prefix(err, "%s", provider);
	c->concurrency = o.concurrency;
	c->rate = o.rate;
	c->max_retries = o.max_retries;
	c->backoff_base_ms = o.backoff_base_ms;
	live_account(identity, c->account);
	return 0;
}

void live_account(const char *identity, char out[80])
{
	unsigned char sha[FY_SHA256_LEN];
	char hex[FY_SHA256_HEX];

	fy_sha256(identity ? identity : "", identity ? strlen(identity) : 0, sha);
	fy_hex(sha, 8, hex);
	snprintf(out, 80, "sha256:%s", hex);
}

int live_estimate(const struct fy_adapter_ctx *ctx, const char *adapter, const char *account,
		  const struct live_costs *c, const struct fy_estimate_input *in, struct fy_estimate *out,
		  struct fy_error *err)
{
	const uint64_t *n = in->records;
	const char *v = fy_adapter_option(ctx, "rate");
	double rate = v ? strtod(v, NULL) : 10, per, calls;
	long latency = opt_long(ctx, "latency-ms", 300);
	uint64_t blobs = in->blobs > n[FY_KIND_FILE] ? in->blobs - n[FY_KIND_FILE] : 0;
	char path[4096], journal[120] = "";
	struct stat st;

	calls = c->file * (double)(n[FY_KIND_FILE] + blobs) + c->knowledge * (double)n[FY_KIND_KNOWLEDGE] +
		(n[FY_KIND_KNOWLEDGE] ? c->attach * (double)n[FY_KIND_FILE] : 0) +
		c->agent * (double)n[FY_KIND_AGENT] + c->memory * (double)n[FY_KIND_MEMORY] +
		c->thread * (double)n[FY_KIND_THREAD] + (double)((n[FY_KIND_MESSAGE] + 19) / 20);
	out->api_calls = (uint64_t)(calls + 0.5);
	/* One request at a time: each takes the latency, and no less than the rate allows. */
	per = latency / 1000.0;
	if (rate > 0 && 1.0 / rate > per)
		per = 1.0 / rate;
	out->seconds = calls * per;
	if (account && *account && fy_journal_path(ctx->state_dir, adapter, account, path, sizeof(path), err) == 0 &&
	    stat(path, &st) == 0) {
		struct fy_journal *j = fy_journal_open(path, err);

		if (j) {
			uint64_t k[4];

			fy_journal_counts(j, k);
			fy_journal_close(j);
			snprintf(journal, sizeof(journal), "; journal: %llu done, skipped; %llu unconfirmed, looked up first",
				 (unsigned long long)(k[FY_JOURNAL_CREATED] + k[FY_JOURNAL_VERIFIED]),
				 (unsigned long long)k[FY_JOURNAL_PLANNED]);
		}
	}
	fy_error_clear(err);
	snprintf(out->note, sizeof(out->note),
		 "%llu uploads, %llu conversations, %llu items by 20; one call at a time, %.0f ms each "
		 "(options rate=%g, latency-ms=%ld)%s",
		 (unsigned long long)(c->file > 0 ? n[FY_KIND_FILE] + blobs : 0),
		 (unsigned long long)n[FY_KIND_THREAD], (unsigned long long)n[FY_KIND_MESSAGE], per * 1000, rate,
		 latency, journal);
	return 0;
}

void live_client_close(struct live_client *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nheaders; i++) {
		memset(c->headers[i], 0, strlen(c->headers[i]));
		free(c->headers[i]);
	}
	free(c->query_suffix);
	fy_http_free(c->http);
	memset(c, 0, sizeof(*c));
}

int live_client_header(struct live_client *c, const char *line, const char *secret_value,
		       struct fy_error *err)
{
	if (c->nheaders == LIVE_MAX_HEADERS)
		return fy_error_set(err, FY_E_INTERNAL, "too many headers");
	c->headers[c->nheaders] = strdup(line);
	if (!c->headers[c->nheaders])
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	c->nheaders++;
	c->headers[c->nheaders] = NULL;
	if (secret_value)
		fy_http_add_secret(c->http, secret_value);
	return 0;
}

int live_client_query(struct live_client *c, const char *q, struct fy_error *err)
{
	free(c->query_suffix);
	c->query_suffix = strdup(q);
	if (!c->query_suffix)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	return 0;
}

void live_req_init(struct live_req *r)
{
	memset(r, 0, sizeof(*r));
	fy_buf_init(&r->path, 1 << 16);
	fy_buf_init(&r->query, 1 << 16);
	fy_buf_init(&r->body, (size_t)64 << 20);
	fy_http_request_init(&r->rq, "GET", "");
}

void live_req_release(struct live_req *r)
{
	if (!r)
		return;
	fy_buf_release(&r->path);
	fy_buf_release(&r->query);
	fy_buf_release(&r->body);
}

int live_req_set(struct live_req *r, const char *method, struct fy_error *err, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	int n;

	fy_buf_reset(&r->path);
	fy_buf_reset(&r->query);
	fy_buf_reset(&r->body);
	fy_http_request_init(&r->rq, method, "");
	memset(r->extra, 0, sizeof(r->extra));
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return fy_error_set(err, FY_E_USAGE, "request path too long");
	return fy_buf_add(&r->path, tmp, (size_t)n, err);
}

int live_req_path_enc(struct live_req *r, const char *s, struct fy_error *err)
{
	return fy_http_encode(&r->path, s, strlen(s), 0, err);
}

int live_req_param(struct live_req *r, const char *name, const char *value, struct fy_error *err)
{
	if ((r->query.len && fy_buf_addc(&r->query, '&', err) < 0) ||
	    fy_http_encode(&r->query, name, strlen(name), 0, err) < 0 ||
	    fy_buf_addc(&r->query, '=', err) < 0 ||
	    fy_http_encode(&r->query, value, strlen(value), 0, err) < 0)
		return -1;
	return 0;
}

int live_prepare(struct live_client *c, struct live_req *r, struct fy_error *err)
{
	size_t i, k = 0;

	if (c->query_suffix && *c->query_suffix &&
	    ((r->query.len && fy_buf_addc(&r->query, '&', err) < 0) ||
	     fy_buf_adds(&r->query, c->query_suffix, err) < 0))
		return -1;
	for (i = 0; i < c->nheaders; i++)
		r->headers[k++] = c->headers[i];
	for (i = 0; i < 3 && r->extra[i]; i++)
		r->headers[k++] = r->extra[i];
	r->headers[k] = NULL;
	r->rq.path = r->path.ptr ? r->path.ptr : "";
	r->rq.query = r->query.len ? r->query.ptr : NULL;
	r->rq.headers = r->headers;
	if (r->body.len) {
		r->rq.body = r->body.ptr;
		r->rq.body_len = r->body.len;
		if (!r->rq.content_type)
			r->rq.content_type = "application/json";
	}
	return 0;
}

void live_free_list(char **v, size_t n)
{
	while (v && n)
		free(v[--n]);
	free(v);
}

int live_list(struct live_client *c, const char *path, const char *header, const char *body,
	      const char *idkey, int ids_only, int missing_ok, char ***out, size_t *n, struct fy_error *err)
{
	struct live_req r;
	struct fy_http_response resp;
	struct fy_jdoc d;
	char *after = NULL;
	size_t cap = 0;
	int rc = -1, more = 1;

	*out = NULL;
	*n = 0;
	live_req_init(&r);
	fy_http_response_init(&resp);
	fy_jdoc_init(&d);
	while (more) {
		uint32_t data, k, v;

		if (live_req_set(&r, body ? "POST" : "GET", err, "%s", path) < 0 ||
		    live_req_param(&r, "limit", "100", err) < 0 || live_req_param(&r, "order", "asc", err) < 0 ||
		    (after && live_req_param(&r, "after", after, err) < 0) ||
		    (body && fy_buf_adds(&r.body, body, err) < 0))
			goto out;
		r.extra[0] = header;
		if (live_prepare(c, &r, err) < 0 || fy_http_do(c->http, &r.rq, &resp, err) < 0)
			goto out;
		if (resp.status == 404 && missing_ok && !*n) {
			rc = 1;
			goto out;
		}
		if (fy_http_check(c->http, &resp, path, err) < 0 ||
		    fy_jdoc_parse(&d, resp.body.ptr ? resp.body.ptr : "", resp.body.len, 0, err) < 0)
			goto out;
		data = fy_json_get(&d, 0, "data");
		FY_JSON_FOREACH(&d, data, k, v) {
			struct fy_buf b = FY_BUF_INIT((size_t)64 << 20);
			char *one = NULL;

			if (ids_only) {
				if (!(one = fy_json_get_strdup(&d, v, idkey)))
					continue;
			} else if (fy_json_emit(&d, v, &b, err) < 0) {
				fy_buf_release(&b);
				goto out;
			} else {
				one = fy_buf_detach(&b, NULL);
			}
			if (*n == cap) {
				char **p = realloc(*out, (cap = cap ? cap * 2 : 64) * sizeof(char *));

				if (!p) {
					free(one);
					fy_error_set(err, FY_E_NOMEM, "out of memory");
					goto out;
				}
				*out = p;
			}
			(*out)[(*n)++] = one;
		}
		more = fy_json_type(&d, fy_json_get(&d, 0, "has_more")) == FY_JTRUE && fy_json_len(&d, data);
		free(after);
		after = more ? fy_json_get_strdup(&d, fy_json_at(&d, data, fy_json_len(&d, data) - 1), idkey) : NULL;
		if (more && !after) {
			fy_error_set(err, FY_E_DATA, "%s: a listing page ends with an object without %s", path, idkey);
			goto out;
		}
	}
	rc = 0;
out:
	if (rc < 0) {
		live_free_list(*out, *n);
		*out = NULL;
		*n = 0;
	}
	free(after);
	live_req_release(&r);
	fy_http_response_release(&resp);
	fy_jdoc_release(&d);
	return rc;
}

int live_get(struct live_client *c, struct live_req *r, struct fy_http_response *resp,
	     const char *what, struct fy_error *err)
{
	if (live_prepare(c, r, err) < 0 || fy_http_do(c->http, &r->rq, resp, err) < 0)
		return -1;
	return fy_http_check(c->http, resp, what, err);
}

/* --- units -------------------------------------------------------------------- */

int live_run_units(struct live_client *c, struct live_unit **units, size_t n, struct fy_error *err)
{
	size_t cap = n * 4 + 1;		/* a unit asks at most 4 requests a round */
	struct live_req *reqs = calloc(cap, sizeof(*reqs));
	struct fy_http_request *rqs = calloc(cap, sizeof(*rqs));
	struct fy_http_response *resps = calloc(cap, sizeof(*resps));
	size_t *who = calloc(cap, sizeof(*who));
	size_t i, k;
	int rc = -1;

	if (!reqs || !rqs || !resps || !who) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < cap; i++) {
		live_req_init(&reqs[i]);
		fy_http_response_init(&resps[i]);
	}
	for (;;) {
		size_t m = 0;

		for (i = 0; i < n; i++) {
			int got, asked = 0;

			if (units[i]->done)
				continue;
			do {
				got = units[i]->ops->next(units[i], &reqs[m], err);
				if (got < 0)
					goto out;
				if (got == 0) {
					if (!asked)
						units[i]->done = 1;
					break;
				}
				if (live_prepare(c, &reqs[m], err) < 0)
					goto out;
				rqs[m] = reqs[m].rq;
				who[m] = i;
				m++;
				asked++;
			} while (got == 2 && asked < 4);
		}
		if (m == 0)
			break;
		if (fy_http_do_many(c->http, rqs, resps, m, err) < 0)
			goto out;
		for (k = 0; k < m; k++)
			if (units[who[k]]->ops->take(units[who[k]], &resps[k], err) < 0)
				goto out;
	}
	rc = 0;
out:
	for (i = 0; reqs && resps && i < cap; i++) {
		live_req_release(&reqs[i]);
		fy_http_response_release(&resps[i]);
	}
	free(reqs);
	free(rqs);
	free(resps);
	free(who);
	return rc;
}

/* --- queue ---------------------------------------------------------------- */

void live_queue_init(struct live_queue *q)
{
	memset(q, 0, sizeof(*q));
}

static void qitem_free(struct live_qitem *it)
{
	if (!it)
		return;
	free(it->json);
	it->json = NULL;
	if (it->fd >= 0)
		close(it->fd);
	it->fd = -1;
}

void live_queue_release(struct live_queue *q)
{
	size_t i;

	if (!q)
		return;
	for (i = q->next; i < q->n; i++)
		qitem_free(&q->items[i]);
	if (q->cur)
		qitem_free(q->cur);
	free(q->items);
	memset(q, 0, sizeof(*q));
}

/*
 * Room for one more item. Items are added while the source is asked for
 * its next item, when the one handed out last is no longer needed: it is
 * freed, and the handed-out head of the array is dropped.
 */
static struct live_qitem *queue_add(struct live_queue *q, struct fy_error *err)
{
	struct live_qitem *it;

	if (q->cur) {
		qitem_free(q->cur);
		q->cur = NULL;
	}
	if (q->next) {
		memmove(q->items, q->items + q->next, (q->n - q->next) * sizeof(*q->items));
		q->n -= q->next;
		q->next = 0;
	}
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		struct live_qitem *p = realloc(q->items, cap * sizeof(*p));

		if (!p) {
			fy_error_set(err, FY_E_NOMEM, "out of memory");
			return NULL;
		}
		q->items = p;
		q->cap = cap;
	}
	it = &q->items[q->n++];
	memset(it, 0, sizeof(*it));
	it->fd = -1;
	return it;
}

int live_queue_json(struct live_queue *q, enum fy_item_type type, const char *json, size_t len,
		    struct fy_error *err)
{
	struct live_qitem *it = queue_add(q, err);

	if (!it)
		return -1;
	it->type = type;
	it->json = malloc(len + 1);
	if (!it->json) {
		q->n--;
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	memcpy(it->json, json, len);
	it->json[len] = '\0';
	it->len = len;
	return 0;
}

int live_queue_blob(struct live_queue *q, const char *hex, int fd, uint64_t size,
		    struct fy_error *err)
{
	struct live_qitem *it = queue_add(q, err);

	if (!it) {
		close(fd);
		return -1;
	}
	it->type = FY_ITEM_BLOB;
	snprintf(it->hex, sizeof(it->hex), "%s", hex);
	it->fd = fd;
	it->size = size;
	return 0;
}

int live_tmpfile(struct fy_error *err)
{
	const char *dir = getenv("TMPDIR");
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/ferry-live.XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return fy_error_errno(err, errno, "temporary file in %s", dir && *dir ? dir : "/tmp");
	unlink(path);
	return fd;
}

int live_fd_sha256(int fd, char hex[65], uint64_t *size, struct fy_error *err)
{
	unsigned char sha[FY_SHA256_LEN], buf[65536];
	struct fy_sha256 h;
	uint64_t total = 0;
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return fy_error_errno(err, errno, "temporary file");
	if (fy_sha256_init(&h) < 0)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fy_sha256_release(&h);
			return fy_error_errno(err, errno, "temporary file");
		}
		fy_sha256_update(&h, buf, (size_t)n);
		total += (uint64_t)n;
	}
	fy_sha256_final(&h, sha);
	fy_sha256_release(&h);
	fy_hex(sha, sizeof(sha), hex);
	*size = total;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return fy_error_errno(err, errno, "temporary file");
	return 0;
}

int live_queue_blob_mem(struct live_queue *q, const void *p, size_t n, char hex[65],
			struct fy_error *err)
{
	unsigned char sha[FY_SHA256_LEN];
	int fd;

	fy_sha256(p, n, sha);
	fy_hex(sha, sizeof(sha), hex);
	fd = live_tmpfile(err);
	if (fd < 0)
		return -1;
	if (fy_write_all(fd, p, n, "temporary file", err) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	return live_queue_blob(q, hex, fd, n, err);
}

static int qitem_read(void *ctx, void *buf, size_t n, size_t *got, struct fy_error *err)
{
	struct live_qitem *it = ctx;
	ssize_t k;

	do {
		k = read(it->fd, buf, n);
	} while (k < 0 && errno == EINTR);
	if (k < 0)
		return fy_error_errno(err, errno, "blob %s", it->hex);
	*got = (size_t)k;
	return 0;
}

int live_queue_empty(const struct live_queue *q)
{
	return q->next >= q->n;
}

int live_queue_pop(struct live_queue *q, struct fy_item *it)
{
	struct live_qitem *x;

	if (q->cur) {
		qitem_free(q->cur);
		q->cur = NULL;
	}
	if (q->next >= q->n) {
		q->n = q->next = 0;
		return 0;
	}
	x = &q->items[q->next++];
	q->cur = x;
	memset(it, 0, sizeof(*it));
	it->type = x->type;
	if (x->type == FY_ITEM_BLOB) {
		it->name = x->hex;
		it->size = x->size;
		it->read = qitem_read;
		it->ctx = x;
	} else {
		it->json = x->json;
		it->len = x->len;
	}
	return 1;
}

int live_ledger_line(struct fy_buf *out, const char *adapter, const char *phase, const char *kind,
		     const char *id, const char *field, const char *outcome, const char *rule,
		     const char *reason, struct fy_error *err)
{
	struct lw w;

	fy_buf_reset(out);
	lw_init(&w, out, err);
	lw_obj(&w);
	lw_key(&w, "item");
	lw_obj(&w);
	lw_kstr(&w, "kind", kind);
	lw_kstr(&w, "id", id);
	lw_kstr(&w, "field", field);
	lw_end_obj(&w);
	lw_kstr(&w, "outcome", outcome);
	lw_kstr(&w, "rule", rule);
	lw_kstr(&w, "reason", reason);
	lw_kstr(&w, "adapter", adapter);
	lw_kstr(&w, "phase", phase);
	lw_end_obj(&w);
	return lw_done(&w);
}

/* --- sink ----------------------------------------------------------------- */

static int rm_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char sub[PATH_MAX];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		rm_tree(sub);
	}
	closedir(d);
	return rmdir(path);
}

int live_sink_open(struct live_sink *s, const struct fy_adapter_ctx *ctx, const char *adapter,
		   const char *target_account, const struct fy_header *hdr, struct fy_error *err)
{
	unsigned char sha[FY_SHA256_LEN];
	char hex[FY_SHA256_HEX];
	struct fy_buf b = FY_BUF_INIT(1 << 16);
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	s->adapter = adapter;
	s->hdr = hdr;
	if (fy_buf_adds(&b, hdr && hdr->source_adapter ? hdr->source_adapter : "", err) < 0 ||
	    fy_buf_addc(&b, '\n', err) < 0 ||
	    fy_buf_adds(&b, hdr && hdr->source_account ? hdr->source_account : "", err) < 0 ||
	    fy_buf_addc(&b, '\n', err) < 0 ||
	    fy_buf_adds(&b, hdr && hdr->source_location ? hdr->source_location : "", err) < 0) {
		fy_buf_release(&b);
		return -1;
	}
	fy_sha256(b.ptr, b.len, sha);
	fy_buf_release(&b);
	fy_hex(sha, 6, hex);
	snprintf(s->srcfp, sizeof(s->srcfp), "%.12s", hex);
	if (fy_journal_path(ctx->state_dir, adapter, target_account, s->journal_path,
			    sizeof(s->journal_path), err) < 0)
		return -1;
	if (ctx->dry_run) {
		/* A dry run reads the journal if there is one and creates nothing. */
		if (stat(s->journal_path, &st) == 0) {
			s->journal = fy_journal_open(s->journal_path, err);
			if (!s->journal)
				return -1;
		}
		return 0;
	}
	s->journal = fy_journal_open(s->journal_path, err);
	if (!s->journal)
		return -1;
	snprintf(s->spool, sizeof(s->spool), "%s.spool", s->journal_path);
	rm_tree(s->spool);	/* left over by a killed run; the journal lock is ours */
	if (mkdir(s->spool, 0700) < 0)
		return fy_error_errno(err, errno, "%s", s->spool);
	return 0;
}

void live_sink_close(struct live_sink *s)
{
	if (!s)
		return;
	if (s->spool[0])
		rm_tree(s->spool);
	fy_journal_close(s->journal);
	s->journal = NULL;
}

void live_sink_key(const struct live_sink *s, const char *id, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", s->srcfp, id);
}

enum fy_journal_state live_sink_state(const struct live_sink *s, const char *kind, const char *key,
				      const char **target)
{
	struct fy_journal_entry e;

	*target = NULL;
	if (!s->journal || !fy_journal_get(s->journal, kind, key, &e))
		return FY_JOURNAL_NONE;
	*target = e.target;
	return e.state;
}

int live_sink_put(struct live_sink *s, const char *kind, const char *key, const char *target,
		  enum fy_journal_state st, struct fy_error *err)
{
	if (s->ctx->dry_run)
		return 0;
	return fy_journal_put(s->journal, kind, key, target, st, err);
}

void live_sink_plan(const struct live_sink *s, struct fy_plan *out)
{
	const char *v = fy_adapter_option(s->ctx, "rate");
	double per;

	*out = s->plan;
	out->rate = v ? strtod(v, NULL) : 10;
	out->latency_ms = opt_long(s->ctx, "latency-ms", 300);
	per = out->latency_ms / 1000.0;
	if (out->rate > 0 && 1.0 / out->rate > per)
		per = 1.0 / out->rate;
	out->seconds = (double)out->calls * per;
	snprintf(out->journal, sizeof(out->journal), "%.1000s%s", s->journal_path,
		 s->journal ? "" : " (none yet)");
}

int live_sink_ledger(struct live_sink *s, const char *kind, const char *id, const char *thread,
		     const char *field, const char *outcome, const char *rule, const char *reason,
		     struct fy_error *err)
{
	struct fy_ledger_item item;
	int o = fy_outcome_from_name(outcome, strlen(outcome));

	item.kind = fy_kind_from_name(kind, strlen(kind));
	item.id = id;
	item.thread = thread;
	item.field = field;
	if (o < 0)
		return fy_error_set(err, FY_E_INTERNAL, "unknown outcome %s", outcome);
	return fy_ledger_report(s->ctx, &item, (enum fy_outcome)o, rule, reason, err);
}

int live_create(struct live_client *c, struct live_req *r, struct fy_http_response *resp,
		const char *what, live_lookup_fn lookup, void *lookup_ctx, struct fy_buf *found_id,
		int *found, struct fy_error *err)
{
	int attempt;

	*found = 0;
	if (live_prepare(c, r, err) < 0)
		return -1;
	r->rq.no_retry = 1;
	for (attempt = 0;; attempt++) {
		long wait = -1;
		int rc = fy_http_do(c->http, &r->rq, resp, err);

		if (rc == 0 && resp->status >= 200 && resp->status < 300)
			return 0;
		if (rc == 0 && !fy_http_status_retryable(resp->status))
			return fy_http_check(c->http, resp, what, err);
		if (rc < 0 && err->code != FY_E_NET)
			return -1;
		if (attempt >= c->max_retries) {
			if (rc == 0)
				return fy_http_check(c->http, resp, what, err);
			return fy_error_prefix(err, "%s: still failing after %d attempts", what,
					       attempt + 1);
		}
		/* It may have taken effect: look before creating again. */
		if (lookup) {
			int f = lookup(lookup_ctx, found_id, err);

			if (f < 0)
				return -1;
			if (f == 1) {
				*found = 1;
				return 0;
			}
		}
		if (rc == 0)
			wait = fy_http_retry_after_ms(resp, (int64_t)time(NULL));
		if (wait < 0)
			wait = fy_http_backoff_ms(c->http, attempt);
		if (wait > 120000)
			wait = 120000;
		if (c->ctx && c->ctx->log)
			c->ctx->log(c->ctx->cb, FY_LOG_INFO, "%s: %s; looked it up, trying again in %ld ms",
				    what, rc == 0 ? "provider busy" : "no answer", wait);
		if (wait > 0)
			usleep((useconds_t)wait * 1000);
	}
}

