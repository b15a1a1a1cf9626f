/*
 * http.c - requests with retries, rate limits and redaction, over the curl
 * multi interface. The only file of ferry that includes libcurl. See http.h.
 *
 * One engine serves fy_http_do() and fy_http_do_many(): a set of
 * transfers, each waiting (for its retry time, or for a token from the
 * rate limiter), in flight, or done. The loop starts what may start,
 * lets curl work, and sorts each finished attempt into done or retry.
 */
#include "http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "secrets.h"
#include "sha256.h"
#include "zstream.h"

#define MAX_SECRETS 16

struct fy_http {
	struct fy_http_options o;
	char *base_url, *provider, *curl_sigv4, *aws_userpwd, *aws_token_hdr;
	char *secrets[MAX_SECRETS];
	size_t nsecrets;
	CURLM *multi;
	/* rate limiter: a token bucket of `rate` tokens a second, depth 1 */
	double tokens;
	int64_t refill_ms;
	int64_t blocked_until_ms;	/* learned: x-ratelimit-remaining hit 0 */
	uint64_t rnd;
	uint64_t requests, retries;
};

enum tstate { T_WAIT, T_FLYING, T_DONE };

struct transfer {
	const struct fy_http_request *rq;
	struct fy_http_response *resp;
	struct fy_http *h;
	enum tstate state;
	CURL *easy;
	struct curl_slist *hdrs;
	int attempt;
	int64_t due_ms;
	int64_t start_ms;
	uint64_t body_pos;
	int too_big;
	int failed;
	struct fy_error err;
	char errbuf[CURL_ERROR_SIZE];
	char *url;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t next_rand(struct fy_http *h)
{
	/* xorshift64*: jitter only needs to be spread, not secret. */
	h->rnd ^= h->rnd >> 12;
	h->rnd ^= h->rnd << 25;
	h->rnd ^= h->rnd >> 27;
	return h->rnd * 0x2545F4914F6CDD1DULL;
}

void fy_http_options_init(struct fy_http_options *o, const char *provider, const char *base_url)
{
	memset(o, 0, sizeof(*o));
	o->provider = provider;
	o->base_url = base_url;
	o->connect_timeout_ms = 10000;
	o->stall_timeout_s = 30;
	o->attempt_timeout_ms = 300000;
	o->max_retries = 8;
	o->backoff_base_ms = 500;
	o->backoff_max_ms = 30000;
	o->retry_after_max_ms = 120000;
	o->concurrency = 4;
	o->max_response = (size_t)64 << 20;
}

void fy_http_request_init(struct fy_http_request *rq, const char *method, const char *path)
{
	memset(rq, 0, sizeof(*rq));
	rq->method = method;
	rq->path = path;
	rq->body_fd = -1;
	rq->resp_fd = -1;
}

void fy_http_response_init(struct fy_http_response *r)
{
	memset(r, 0, sizeof(*r));
	fy_buf_init(&r->body, (size_t)64 << 20);
	fy_buf_init(&r->headers, (size_t)1 << 20);
}

void fy_http_response_release(struct fy_http_response *r)
{
	if (!r)
		return;
	fy_buf_release(&r->body);
	fy_buf_release(&r->headers);
}

/* --- URL policy --------------------------------------------------------- */

static int loopback_host(const char *host)
{
	return !strcmp(host, "127.0.0.1") || !strcmp(host, "localhost") || !strcmp(host, "::1") ||
	       !strcmp(host, "[::1]") || !strncmp(host, "127.", 4);
}

/* https anywhere; http only to loopback; nothing else. */
static int check_url(const char *url, struct fy_error *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int rc = 0;

	if (!u)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		rc = fy_error_set(err, FY_E_USAGE, "'%s' is not a valid URL", url);
	} else if (strcasecmp(scheme, "https") != 0 &&
		   !(strcasecmp(scheme, "http") == 0 && loopback_host(host))) {
		rc = fy_error_set(err, FY_E_USAGE,
				  "%s: only https is allowed (plain http only to a loopback host)", url);
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

/* --- client ------------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

struct fy_http *fy_http_new(const struct fy_http_options *o, struct fy_error *err)
{
	struct fy_http *h;
	size_t n;

	pthread_once(&curl_once, curl_init_once);
	if (!o->base_url || check_url(o->base_url, err) < 0) {
		if (!o->base_url)
			fy_error_set(err, FY_E_USAGE, "no base URL");
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	h->o = *o;
	h->base_url = strdup(o->base_url);
	h->provider = strdup(o->provider ? o->provider : "http");
	h->curl_sigv4 = dup_or_null(o->curl_sigv4);
	h->multi = curl_multi_init();
	if (!h->base_url || !h->provider || !h->multi || (o->curl_sigv4 && !h->curl_sigv4))
		goto nomem;
	n = strlen(h->base_url);
	while (n && h->base_url[n - 1] == '/')
		h->base_url[--n] = '\0';
	if (o->curl_sigv4 && o->aws_key && o->aws_secret) {
		size_t len = strlen(o->aws_key) + strlen(o->aws_secret) + 2;

		h->aws_userpwd = malloc(len);
		if (!h->aws_userpwd)
			goto nomem;
		snprintf(h->aws_userpwd, len, "%s:%s", o->aws_key, o->aws_secret);
		fy_http_add_secret(h, o->aws_secret);
	}
	if (o->curl_sigv4 && o->aws_token) {
		size_t len = strlen(o->aws_token) + 32;

		h->aws_token_hdr = malloc(len);
		if (!h->aws_token_hdr)
			goto nomem;
		snprintf(h->aws_token_hdr, len, "x-amz-security-token: %s", o->aws_token);
		fy_http_add_secret(h, o->aws_token);
	}
	if (h->o.concurrency < 1)
		h->o.concurrency = 1;
	if (!h->o.max_response)
		h->o.max_response = (size_t)64 << 20;
	h->rnd = o->seed ? o->seed : (uint64_t)now_ms() ^ ((uint64_t)getpid() << 32) ^ 0x9E3779B97F4A7C15ULL;
	h->tokens = 1;
	h->refill_ms = now_ms();
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)h->o.concurrency);
	h->o.base_url = h->base_url;
	h->o.provider = h->provider;
	return h;
nomem:
	fy_http_free(h);
	fy_error_set(err, FY_E_NOMEM, "out of memory");
	return NULL;
}

void fy_http_free(struct fy_http *h)
{
	size_t i;

	if (!h)
		return;
	if (h->multi)
		curl_multi_cleanup(h->multi);
	for (i = 0; i < h->nsecrets; i++) {
		memset(h->secrets[i], 0, strlen(h->secrets[i]));
		free(h->secrets[i]);
	}
	if (h->aws_userpwd) {
		memset(h->aws_userpwd, 0, strlen(h->aws_userpwd));
		free(h->aws_userpwd);
	}
	free(h->aws_token_hdr);
	free(h->base_url);
	free(h->provider);
	free(h->curl_sigv4);
	free(h);
}

int fy_http_add_secret(struct fy_http *h, const char *value)
{
	if (!value || strlen(value) < 4 || h->nsecrets == MAX_SECRETS)
		return -1;
	h->secrets[h->nsecrets] = strdup(value);
	if (!h->secrets[h->nsecrets])
		return -1;
	h->nsecrets++;
	return 0;
}

void fy_http_counts(const struct fy_http *h, uint64_t *requests, uint64_t *retries)
{
	if (requests)
		*requests = h->requests;
	if (retries)
		*retries = h->retries;
}

/* --- redaction ---------------------------------------------------------- */

static void mask(char *p, size_t n)
{
	static const char r[] = "[redacted]";
	size_t k = sizeof(r) - 1;

	if (n >= k) {
		memcpy(p, r, k);
		memmove(p + k, p + n, strlen(p + n) + 1);
	} else {
		memset(p, '*', n);
	}
}

static int keyish(int c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/' || c == '+' || c == '=';
}

/* Length of a credential-shaped token at p, or 0. */
static size_t credential_at(const char *p)
{
	static const char *const prefixes[] = { "sk-", "sk_", "AKIA", "ASIA", "AIza", "eyJ", "ghp_",
						"xox", "Bearer ", "bearer " };
	size_t i, n = 0;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t plen = strlen(prefixes[i]);

		if (strncmp(p, prefixes[i], plen) == 0) {
			n = plen;
			while (keyish((unsigned char)p[n]))
				n++;
			return n - plen >= 8 ? n : 0;
		}
	}
	/* A long run of key alphabet with digits and letters mixed. */
	{
		int digits = 0, alpha = 0;

		while (keyish((unsigned char)p[n])) {
			digits |= isdigit((unsigned char)p[n]) != 0;
			alpha |= isalpha((unsigned char)p[n]) != 0;
			n++;
		}
		return n >= 32 && digits && alpha ? n : 0;
	}
}

void fy_http_scrub(const struct fy_http *h, char *s)
{
	struct fy_secret_match m;
	size_t i;
	char *p;

	if (!s)
		return;
	for (i = 0; h && i < h->nsecrets; i++)
		while ((p = strstr(s, h->secrets[i])))
			mask(p, strlen(h->secrets[i]));
	/* The shapes the archive's credential scan knows (formats/secrets.h):
	 * a SAS signature or a private key block is not one key-like run. */
	for (i = 0; fy_secret_find(s, strlen(s), i, &m);) {
		mask(s + m.off, m.len);
		i = m.off + (m.len < 10 ? m.len : 10);
	}
	for (p = s; *p; p++) {
		size_t n;

		if (p != s && keyish((unsigned char)p[-1]) && p[-1] != ' ')
			continue;
		n = credential_at(p);
		if (n)
			mask(p, n);
	}
}

static const char *const secret_headers[] = {
	"authorization", "proxy-authorization", "api-key", "x-api-key", "x-n8n-api-key",
	"x-amz-security-token", "cookie", "set-cookie", "x-goog-api-key", "openai-organization",
	"x-amz-content-sha256-skip",
};

static int secret_header(const char *line, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(secret_headers) / sizeof(secret_headers[0]); i++) {
		size_t k = strlen(secret_headers[i]);

		if (n > k && strncasecmp(line, secret_headers[i], k) == 0 && line[k] == ':')
			return 1;
	}
	return 0;
}

static void trace(struct fy_http *h, enum fy_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void trace(struct fy_http *h, enum fy_log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!h->o.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fy_http_scrub(h, line);
	h->o.log(h->o.log_cb, level, "%s", line);
}

/* Header lines at -vv, credentials redacted. */
static int debug_cb(CURL *easy, curl_infotype type, char *data, size_t n, void *ctx)
{
	struct transfer *t = ctx;
	const char *dir = type == CURLINFO_HEADER_OUT ? ">" : "<";
	size_t start = 0, i;

	(void)easy;
	if ((type != CURLINFO_HEADER_OUT && type != CURLINFO_HEADER_IN) || t->h->o.verbosity < 3)
		return 0;
	for (i = 0; i <= n; i++) {
		if (i < n && data[i] != '\n')
			continue;
		{
			size_t len = i - start;

			while (len && (data[start + len - 1] == '\r' || data[start + len - 1] == '\n'))
				len--;
			if (len) {
				if (secret_header(data + start, len)) {
					const char *colon = memchr(data + start, ':', len);

					trace(t->h, FY_LOG_DEBUG, "%s: http %s %.*s: [redacted]",
					      t->h->provider, dir, (int)(colon - (data + start)), data + start);
				} else {
					trace(t->h, FY_LOG_DEBUG, "%s: http %s %.*s", t->h->provider, dir,
					      (int)(len > 400 ? 400 : len), data + start);
				}
			}
		}
		start = i + 1;
	}
	return 0;
}

/* --- callbacks ---------------------------------------------------------- */

static size_t write_cb(char *p, size_t sz, size_t nm, void *ctx)
{
	struct transfer *t = ctx;
	size_t n = sz * nm;

	if (t->rq->resp_fd >= 0) {
		if (fy_write_all(t->rq->resp_fd, p, n, "response", &t->err) < 0)
			return 0;
		return n;
	}
	if (t->resp->body.len + n > t->h->o.max_response) {
		t->too_big = 1;
		return 0;
	}
	t->resp->body.max = t->h->o.max_response;
	if (fy_buf_add(&t->resp->body, p, n, &t->err) < 0)
		return 0;
	return n;
}

static size_t header_cb(char *p, size_t sz, size_t nm, void *ctx)
{
	struct transfer *t = ctx;
	size_t n = sz * nm;

	/* A new status line starts a new header block (after 100 Continue). */
	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0)
		fy_buf_reset(&t->resp->headers);
	if (fy_buf_add(&t->resp->headers, p, n, NULL) < 0)
		return 0;
	return n;
}

/* Total bytes of a request body: head + body (memory or file range) + tail. */
static uint64_t body_total(const struct fy_http_request *rq)
{
	return (uint64_t)rq->body_head_len + rq->body_len + rq->body_tail_len;
}

/* Up to want bytes of the body at offset pos (head, middle, tail in turn); -1 on a read error. */
static ssize_t body_read(const struct fy_http_request *rq, char *p, size_t want, uint64_t pos)
{
	uint64_t head = rq->body_head_len, mid = rq->body_len;
	ssize_t got;

	if (pos < head) {
		size_t n = (size_t)(head - pos) < want ? (size_t)(head - pos) : want;

		memcpy(p, (const char *)rq->body_head + pos, n);
		return (ssize_t)n;
	}
	pos -= head;
	if (pos < mid) {
		size_t n = (size_t)(mid - pos) < want ? (size_t)(mid - pos) : want;

		if (rq->body_fd < 0) {
			memcpy(p, (const char *)rq->body + pos, n);
			return (ssize_t)n;
		}
		do {
			got = pread(rq->body_fd, p, n, (off_t)(rq->body_offset + pos));
		} while (got < 0 && errno == EINTR);
		return got <= 0 ? -1 : got;
	}
	pos -= mid;
	if (pos < rq->body_tail_len) {
		size_t n = (size_t)(rq->body_tail_len - pos) < want ? (size_t)(rq->body_tail_len - pos) : want;

		memcpy(p, (const char *)rq->body_tail + pos, n);
		return (ssize_t)n;
	}
	return 0;
}

/*
 * libcurl rewinds an upload when it sends the request again itself (a
 * reused connection that died before any answer); without this the
 * attempt fails with CURLE_SEND_FAIL_REWIND. A request that must not be
 * repeated (no_retry) is not rewound: the server may have acted on it, and
 * the caller decides.
 */
static int seek_cb(void *ctx, curl_off_t offset, int origin)
{
	struct transfer *t = ctx;

	if (t->rq->no_retry || origin != SEEK_SET || offset < 0 || (uint64_t)offset > body_total(t->rq))
		return CURL_SEEKFUNC_CANTSEEK;
	t->body_pos = (uint64_t)offset;
	return CURL_SEEKFUNC_OK;
}

static size_t read_cb(char *p, size_t sz, size_t nm, void *ctx)
{
	struct transfer *t = ctx;
	size_t want = sz * nm;
	uint64_t left = body_total(t->rq) - t->body_pos;
	ssize_t got;

	if (want > left)
		want = (size_t)left;
	if (!want)
		return 0;
	got = body_read(t->rq, p, want, t->body_pos);
	if (got <= 0)
		return CURL_READFUNC_ABORT;
	t->body_pos += (uint64_t)got;
	return (size_t)got;
}

/* --- one attempt -------------------------------------------------------- */

static int body_sha256(const struct fy_http_request *rq, char *hex, struct fy_error *err)
{
	unsigned char sha[FY_SHA256_LEN];
	struct fy_sha256 h;
	char buf[65536];
	uint64_t off = 0, total = body_total(rq);

	if (rq->body_fd < 0 && !rq->body_head_len && !rq->body_tail_len) {
		fy_sha256(rq->body ? rq->body : "", rq->body_len, sha);
		fy_hex(sha, sizeof(sha), hex);
		return 0;
	}
	if (fy_sha256_init(&h) < 0)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	while (off < total) {
		size_t want = total - off < sizeof(buf) ? (size_t)(total - off) : sizeof(buf);
		ssize_t got = body_read(rq, buf, want, off);

		if (got <= 0) {
			fy_sha256_release(&h);
			return fy_error_errno(err, got < 0 ? errno : EIO, "read request body");
		}
		fy_sha256_update(&h, buf, (size_t)got);
		off += (uint64_t)got;
	}
	fy_sha256_final(&h, sha);
	fy_sha256_release(&h);
	fy_hex(sha, sizeof(sha), hex);
	return 0;
}

static int add_header(struct transfer *t, const char *line, struct fy_error *err)
{
	struct curl_slist *n = curl_slist_append(t->hdrs, line);

	if (!n)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	t->hdrs = n;
	return 0;
}

/* Headers for this attempt: the caller's, content type, AWS signing. */
static int build_headers(struct transfer *t, struct fy_error *err)
{
	const struct fy_http_request *rq = t->rq;
	struct fy_http *h = t->h;
	char line[512], hex[FY_SHA256_HEX];
	size_t i;

	curl_slist_free_all(t->hdrs);
	t->hdrs = NULL;
	for (i = 0; rq->headers && rq->headers[i]; i++)
		if (add_header(t, rq->headers[i], err) < 0)
			return -1;
	if (rq->content_type) {
		snprintf(line, sizeof(line), "Content-Type: %s", rq->content_type);
		if (add_header(t, line, err) < 0)
			return -1;
	}
	/* No "Expect: 100-continue" pause on uploads. Not with libcurl's own
	 * SigV4 signer: 7.88 signs the empty "Expect:" line it then does not
	 * send, so every request would fail with SignatureDoesNotMatch. */
	if (!h->curl_sigv4 && add_header(t, "Expect:", err) < 0)
		return -1;
	if (!h->o.sign && !h->curl_sigv4)
		return 0;
	if (body_sha256(rq, hex, err) < 0)
		return -1;
	snprintf(line, sizeof(line), "x-amz-content-sha256: %s", hex);
	if (add_header(t, line, err) < 0)
		return -1;
	if (h->curl_sigv4)
		return h->aws_token_hdr ? add_header(t, h->aws_token_hdr, err) : 0;
	{
		struct fy_http_signing s;
		struct fy_buf out = FY_BUF_INIT(1 << 16);
		const char *hdrs[64];
		size_t k = 0;
		char *p, *nl;
		int rc = -1;
		struct curl_slist *c;

		for (c = t->hdrs; c && k < 63; c = c->next)
			hdrs[k++] = c->data;
		hdrs[k] = NULL;
		s.method = rq->method;
		s.url = t->url;
		s.headers = hdrs;
		s.payload_sha256 = hex;
		s.now = (int64_t)time(NULL);
		if (h->o.sign(h->o.sign_ctx, &s, &out, err) < 0)
			goto out;
		/* One header line per '\n'-terminated line of out. */
		for (p = out.ptr; p && *p; p = nl ? nl + 1 : NULL) {
			nl = strchr(p, '\n');
			if (nl)
				*nl = '\0';
			if (*p && add_header(t, p, err) < 0)
				goto out;
			if (!nl)
				break;
		}
		rc = 0;
out:
		fy_buf_release(&out);
		return rc;
	}
}

static int setup_attempt(struct transfer *t, struct fy_error *err)
{
	const struct fy_http_request *rq = t->rq;
	struct fy_http *h = t->h;
	CURL *e = t->easy;

	curl_easy_reset(e);
	fy_buf_reset(&t->resp->body);
	fy_buf_reset(&t->resp->headers);
	t->resp->status = 0;
	t->too_big = 0;
	t->body_pos = 0;
	t->errbuf[0] = '\0';
	fy_error_clear(&t->err);
	if (rq->resp_fd >= 0 && (ftruncate(rq->resp_fd, 0) < 0 || lseek(rq->resp_fd, 0, SEEK_SET) < 0))
		return fy_error_errno(err, errno, "response file");
	if (build_headers(t, err) < 0)
		return -1;
	curl_easy_setopt(e, CURLOPT_URL, t->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->o.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, h->o.stall_timeout_s);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->o.attempt_timeout_ms);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "ferry/" FERRY_VERSION);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->hdrs);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	/* Not for HEAD: it has no body, and curl would refuse the answer for the
	 * Content-Length of the object it describes. */
	if (strcmp(rq->method, "HEAD") != 0)
		curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->o.max_response);
	if (h->o.verbosity >= 3) {
		curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
		curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, debug_cb);
		curl_easy_setopt(e, CURLOPT_DEBUGDATA, t);
	}
	if (h->curl_sigv4) {
		curl_easy_setopt(e, CURLOPT_AWS_SIGV4, h->curl_sigv4);
		if (h->aws_userpwd)
			curl_easy_setopt(e, CURLOPT_USERPWD, h->aws_userpwd);
	}
	if (strcmp(rq->method, "GET") == 0) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(rq->method, "HEAD") == 0) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else {
		curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(e, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(e, CURLOPT_READDATA, t);
		curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, seek_cb);
		curl_easy_setopt(e, CURLOPT_SEEKDATA, t);
		curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)body_total(rq));
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, rq->method);
	}
	return 0;
}

static char *make_url(struct fy_http *h, const struct fy_http_request *rq, struct fy_error *err)
{
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 20);

	if (fy_buf_adds(&b, h->base_url, err) < 0 || fy_buf_adds(&b, rq->path ? rq->path : "", err) < 0 ||
	    (rq->query && *rq->query &&
	     (fy_buf_addc(&b, '?', err) < 0 || fy_buf_adds(&b, rq->query, err) < 0))) {
		fy_buf_release(&b);
		return NULL;
	}
	return fy_buf_detach(&b, NULL);
}

/* --- retry policy ------------------------------------------------------- */

int fy_http_status_retryable(long status)
{
	return status == 408 || status == 425 || status == 429 || status == 529 ||
	       (status >= 500 && status <= 599 && status != 501 && status != 505);
}

static int curl_retryable(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_SEND_FAIL_REWIND:	/* a reused connection died mid-upload: send it whole again */
		return 1;
	default:
		return 0;
	}
}

int fy_http_header(const struct fy_http_response *resp, const char *name, char *out, size_t cap)
{
	const char *p = resp->headers.ptr;
	size_t n = strlen(name);

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			size_t vl;

			while (*v == ' ' || *v == '\t')
				v++;
			vl = (size_t)(p + len - v);
			while (vl && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
				vl--;
			if (vl >= cap)
				vl = cap - 1;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return 0;
		}
		p = eol ? eol + 1 : NULL;
	}
	return -1;
}

/*
 * A double of milliseconds as a long: converting one out of range is
 * undefined (a provider's "Retry-After: 1e300"; found by fuzz_http), so
 * clamp to +-1e12 ms (31 years) first; callers cap delays much lower.
 */
static long ms_of(double d)
{
	if (d != d)
		return -1;
	if (d > 1e12)
		return (long)1e12;
	if (d < -1e12)
		return (long)-1e12;
	return (long)d;
}

long fy_http_retry_after_ms(const struct fy_http_response *resp, int64_t now)
{
	char v[128], *end;
	double d;

	if (fy_http_header(resp, "retry-after-ms", v, sizeof(v)) == 0) {
		d = strtod(v, &end);
		if (end != v && d >= 0)
			return ms_of(d);
	}
	if (fy_http_header(resp, "retry-after", v, sizeof(v)) < 0)
		return -1;
	d = strtod(v, &end);
	if (end != v && *end == '\0' && d >= 0)
		return ms_of(d * 1000);
	{
		/* An HTTP date: "Wed, 21 Oct 2015 07:28:00 GMT". */
		time_t when = curl_getdate(v, NULL);

		if (when < 0)
			return -1;
		return when > now ? (long)(when - now) * 1000 : 0;
	}
}

/* "1s", "6m0s", "20ms", "1h2m3.5s" (OpenAI's x-ratelimit-reset-*) in ms. */
static long duration_ms(const char *s)
{
	double total = 0;

	while (*s) {
		char *end;
		double v = strtod(s, &end);

		if (end == s)
			return -1;
		if (!strncmp(end, "ms", 2)) {
			total += v;
			end += 2;
		} else if (*end == 'h') {
			total += v * 3600000;
			end++;
		} else if (*end == 'm') {
			total += v * 60000;
			end++;
		} else if (*end == 's') {
			total += v * 1000;
			end++;
		} else if (*end == '\0') {
			total += v * 1000;
		} else {
			return -1;
		}
		s = end;
	}
	return ms_of(total);
}

/* Learn from x-ratelimit-remaining-requests / -reset-requests. */
static void learn_limits(struct fy_http *h, const struct fy_http_response *resp)
{
	char rem[64], reset[64];

	if (fy_http_header(resp, "x-ratelimit-remaining-requests", rem, sizeof(rem)) == 0 &&
	    atol(rem) <= 0 &&
	    fy_http_header(resp, "x-ratelimit-reset-requests", reset, sizeof(reset)) == 0) {
		long ms = duration_ms(reset);

		if (ms > 0) {
			if (ms > h->o.retry_after_max_ms)
				ms = h->o.retry_after_max_ms;
			h->blocked_until_ms = now_ms() + ms;
			trace(h, FY_LOG_INFO, "%s: request quota used up; waiting %ld ms", h->provider, ms);
		}
	}
}

static long backoff_ms(struct fy_http *h, int attempt)
{
	double cap = (double)h->o.backoff_base_ms;
	int i;

	for (i = 0; i < attempt && cap < (double)h->o.backoff_max_ms; i++)
		cap *= 2;
	if (cap > (double)h->o.backoff_max_ms)
		cap = (double)h->o.backoff_max_ms;
	/* Full jitter: uniformly in [0, cap]. */
	return (long)((double)(next_rand(h) % 1000001) / 1000000.0 * cap);
}

long fy_http_backoff_ms(struct fy_http *h, int attempt)
{
	return backoff_ms(h, attempt);
}

/* --- the engine --------------------------------------------------------- */

/* Take a token from the bucket if one is there; else the ms until one is. */
static int64_t rate_wait_ms(struct fy_http *h, int64_t now)
{
	if (h->blocked_until_ms > now)
		return h->blocked_until_ms - now;
	if (h->o.rate <= 0)
		return 0;
	h->tokens += (double)(now - h->refill_ms) * h->o.rate / 1000.0;
	h->refill_ms = now;
	if (h->tokens > 1)
		h->tokens = 1;
	if (h->tokens >= 1)
		return 0;
	return (int64_t)((1 - h->tokens) * 1000.0 / h->o.rate) + 1;
}

static int start(struct fy_http *h, struct transfer *t, struct fy_error *err)
{
	if (!t->easy && !(t->easy = curl_easy_init()))
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	if (setup_attempt(t, err) < 0)
		return -1;
	if (h->o.rate > 0)
		h->tokens -= 1;
	t->attempt++;
	t->start_ms = now_ms();
	t->state = T_FLYING;
	h->requests++;
	if (curl_multi_add_handle(h->multi, t->easy) != CURLM_OK)
		return fy_error_set(err, FY_E_INTERNAL, "curl_multi_add_handle failed");
	return 0;
}

static void fail_transfer(struct transfer *t, enum fy_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail_transfer(struct transfer *t, enum fy_errcode code, const char *fmt, ...)
{
	char msg[FY_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fy_http_scrub(t->h, msg);
	fy_error_set(&t->err, code, "%s", msg);
	t->failed = 1;
	t->state = T_DONE;
}

/* Sort a finished attempt into done, retry or failed. */
static void finish(struct fy_http *h, struct transfer *t, CURLcode cc)
{
	int64_t now = now_ms();
	long status = 0, wait = -1;
	int retry = 0;
	char why[256];

	curl_multi_remove_handle(h->multi, t->easy);
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	t->resp->status = status;
	t->resp->attempts = t->attempt;
	t->resp->elapsed_ms += now - t->start_ms;
	if (cc == CURLE_WRITE_ERROR && t->too_big) {
		fail_transfer(t, FY_E_UNSAFE, "%s: %s %s: response larger than %zu bytes", h->provider,
			      t->rq->method, t->rq->path ? t->rq->path : "/", h->o.max_response);
		return;
	}
	if (cc == CURLE_FILESIZE_EXCEEDED) {
		fail_transfer(t, FY_E_UNSAFE, "%s: %s %s: response larger than %zu bytes", h->provider,
			      t->rq->method, t->rq->path ? t->rq->path : "/", h->o.max_response);
		return;
	}
	if (cc != CURLE_OK) {
		snprintf(why, sizeof(why), "%s", t->errbuf[0] ? t->errbuf : curl_easy_strerror(cc));
		retry = curl_retryable(cc);
		if (!retry) {
			fail_transfer(t, FY_E_NET, "%s: %s %s: %s", h->provider, t->rq->method,
				      t->rq->path ? t->rq->path : "/", why);
			return;
		}
	} else {
		learn_limits(h, t->resp);
		retry = fy_http_status_retryable(status);
		if (retry) {
			snprintf(why, sizeof(why), "HTTP %ld", status);
			wait = fy_http_retry_after_ms(t->resp, (int64_t)time(NULL));
		}
	}
	trace(h, FY_LOG_INFO, "%s: %s %s -> %s (attempt %d, %lld ms)", h->provider, t->rq->method,
	      t->rq->path ? t->rq->path : "/", cc == CURLE_OK ? (retry ? why : "ok") : why,
	      t->attempt, (long long)(now - t->start_ms));
	if (!retry || t->rq->no_retry) {
		if (retry && cc != CURLE_OK) {
			fail_transfer(t, FY_E_NET, "%s: %s %s: %s", h->provider, t->rq->method,
				      t->rq->path ? t->rq->path : "/", why);
			return;
		}
		t->state = T_DONE;
		return;
	}
	if (t->attempt > h->o.max_retries) {
		if (cc == CURLE_OK) {
			t->state = T_DONE;	/* the caller sees the last status */
			return;
		}
		fail_transfer(t, FY_E_NET, "%s: %s %s: %s, still failing after %d attempts", h->provider,
			      t->rq->method, t->rq->path ? t->rq->path : "/", why, t->attempt);
		return;
	}
	if (wait < 0)
		wait = backoff_ms(h, t->attempt - 1);
	else if (wait > h->o.retry_after_max_ms)
		wait = h->o.retry_after_max_ms;
	h->retries++;
	t->due_ms = now + wait;
	t->state = T_WAIT;
}

static int run(struct fy_http *h, struct transfer *ts, size_t n, struct fy_error *err)
{
	size_t done = 0, flying = 0, i;
	int rc = 0;

	while (done < n) {
		int64_t now = now_ms(), sleep_ms = 1000;
		int running, finished;
		CURLMsg *m;

		/* Start what may start. */
		for (i = 0; i < n && flying < (size_t)h->o.concurrency; i++) {
			int64_t rw;

			if (ts[i].state != T_WAIT)
				continue;
			if (ts[i].due_ms > now) {
				if (ts[i].due_ms - now < sleep_ms)
					sleep_ms = ts[i].due_ms - now;
				continue;
			}
			rw = rate_wait_ms(h, now);
			if (rw > 0) {
				if (rw < sleep_ms)
					sleep_ms = rw;
				break;
			}
			if (start(h, &ts[i], &ts[i].err) < 0) {
				ts[i].failed = 1;
				ts[i].state = T_DONE;
				done++;
				continue;
			}
			flying++;
		}
		if (flying == 0) {
			if (done < n && sleep_ms > 0)
				usleep((useconds_t)(sleep_ms * 1000));
			continue;
		}
		if (curl_multi_perform(h->multi, &running) != CURLM_OK) {
			rc = fy_error_set(err, FY_E_INTERNAL, "curl_multi_perform failed");
			break;
		}
		finished = 0;
		while ((m = curl_multi_info_read(h->multi, &running))) {
			struct transfer *t;

			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&t);
			finish(h, t, m->data.result);
			flying--;
			finished++;
			if (t->state == T_DONE)
				done++;
		}
		/* A slot came free: start the next request now, not after a poll timeout. */
		if (done < n && !finished)
			curl_multi_poll(h->multi, NULL, 0, (int)(sleep_ms < 100 ? sleep_ms : 100), NULL);
	}
	for (i = 0; i < n; i++) {
		if (ts[i].easy) {
			curl_multi_remove_handle(h->multi, ts[i].easy);
			curl_easy_cleanup(ts[i].easy);
		}
		curl_slist_free_all(ts[i].hdrs);
		free(ts[i].url);
		if (ts[i].failed && rc == 0) {
			*err = ts[i].err;
			rc = -1;
		}
	}
	return rc;
}

int fy_http_do_many(struct fy_http *h, const struct fy_http_request *rqs,
		    struct fy_http_response *resps, size_t n, struct fy_error *err)
{
	struct transfer *ts = calloc(n ? n : 1, sizeof(*ts));
	size_t i;
	int rc;

	if (!ts)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		ts[i].rq = &rqs[i];
		ts[i].resp = &resps[i];
		ts[i].h = h;
		ts[i].state = T_WAIT;
		resps[i].attempts = 0;
		resps[i].elapsed_ms = 0;
		resps[i].status = 0;
		ts[i].url = make_url(h, &rqs[i], err);
		if (!ts[i].url) {
			while (i--)
				free(ts[i].url);
			free(ts);
			return -1;
		}
	}
	rc = run(h, ts, n, err);
	free(ts);
	return rc;
}

int fy_http_do(struct fy_http *h, const struct fy_http_request *rq, struct fy_http_response *resp,
	       struct fy_error *err)
{
	return fy_http_do_many(h, rq, resp, 1, err);
}

/* --- errors ------------------------------------------------------------- */

/* The provider's own message from an error body, or "". */
static void provider_message(const struct fy_http_response *resp, char *out, size_t cap)
{
	static const char *const keys[] = { "\"message\"", "\"error_description\"", "\"detail\"",
					    "<Message>", "\"error\"" };
	const char *b = resp->body.ptr;
	size_t i;

	out[0] = '\0';
	if (!b)
		return;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *p = strstr(b, keys[i]), *start, *end;
		size_t n;

		if (!p)
			continue;
		p += strlen(keys[i]);
		if (keys[i][0] == '<') {
			start = p;
			end = strstr(start, "</Message>");
		} else {
			while (*p == ' ' || *p == ':')
				p++;
			if (*p != '"')
				continue;
			start = ++p;
			for (end = start; *end && *end != '"'; end++)
				if (*end == '\\' && end[1])
					end++;
		}
		if (!end)
			continue;
		n = (size_t)(end - start);
		if (n >= cap)
			n = cap - 1;
		memcpy(out, start, n);
		out[n] = '\0';
		for (p = out; *p; p++)
			if ((unsigned char)*p < 0x20)
				out[p - out] = ' ';
		return;
	}
}

int fy_http_check(struct fy_http *h, const struct fy_http_response *resp, const char *what,
		  struct fy_error *err)
{
	char msg[300], full[FY_ERROR_MSG_MAX];
	enum fy_errcode code;

	if (resp->status >= 200 && resp->status < 300)
		return 0;
	provider_message(resp, msg, sizeof(msg));
	if (resp->status == 401 || resp->status == 403)
		code = FY_E_AUTH;
	else if (resp->status >= 400 && resp->status < 500 && resp->status != 429 &&
		 resp->status != 408)
		code = FY_E_DATA;
	else
		code = FY_E_NET;
	snprintf(full, sizeof(full), "%s: %s: HTTP %ld%s%s%s", h->provider, what, resp->status,
		 msg[0] ? " (" : "", msg, msg[0] ? ")" : "");
	fy_http_scrub(h, full);
	return fy_error_set(err, code, "%s", full);
}

int fy_http_encode(struct fy_buf *out, const char *s, size_t n, int keep_slash, struct fy_error *err)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
			if (fy_buf_addc(out, (char)c, err) < 0)
				return -1;
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };

			if (fy_buf_add(out, e, 3, err) < 0)
				return -1;
		}
	}
	return 0;
}
