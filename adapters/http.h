/*
 * http.h - the one HTTP client of ferry. http.c is the only file that
 * includes libcurl; every adapter that talks to a provider goes through it.
 *
 * What every request gets, so adapters need not think about it:
 *   - connect, stall (low speed) and per-attempt timeouts;
 *   - retries with exponential backoff and full jitter on 408, 425, 429,
 *     5xx and 529, connection failures and resets, timeouts and truncated
 *     bodies (curl error 18); never on 400, 401, 403, 404, 422 or other
 *     4xx; Retry-After (seconds or HTTP date) and retry-after-ms honoured,
 *     capped by retry_after_max_ms;
 *   - a rate limiter per client (requests per second, a token bucket) that
 *     also learns from x-ratelimit-* headers (remaining 0 waits for reset);
 *   - bounded concurrency through the curl multi interface
 *     (fy_http_do_many);
 *   - bounded response sizes; TLS verification always on; https only,
 *     plain http only to loopback hosts; no redirects followed; the proxy
 *     environment (https_proxy, no_proxy, ...) honoured by libcurl;
 *   - traces (-v, -vv) through the caller's log function with credential
 *     headers (Authorization, api-key, x-api-key, X-N8N-API-KEY,
 *     x-amz-security-token, Cookie, ...) and every registered secret value
 *     redacted; bodies are never traced;
 *   - AWS Signature Version 4, by a signing hook the caller provides
 *     (adapters/sigv4.c) called on every attempt, or libcurl's built-in
 *     signer (CURLOPT_AWS_SIGV4) with x-amz-content-sha256 and the session
 *     token added.
 *
 *	struct fy_http_options o;
 *	fy_http_options_init(&o, "openai", "https://api.openai.com/v1");
 *	o.rate = 5;
 *	h = fy_http_new(&o, err);
 *	fy_http_add_secret(h, key);
 *	struct fy_http_request rq = { .method = "GET", .path = "/conversations/abc" };
 *	const char *hdr[] = { auth_header, NULL }; rq.headers = hdr;
 *	if (fy_http_do(h, &rq, &resp, err) < 0) ...          transport failed
 *	if (fy_http_check(h, &resp, "conversation abc", err) < 0) ...  4xx/5xx
 */
#ifndef FY_HTTP_H
#define FY_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "adapter.h"
#include "buf.h"
#include "error.h"

struct fy_http;

/* What a signing hook sees; it appends "Name: value" lines to out. */
struct fy_http_signing {
	const char *method;
	const char *url;		/* the full URL as sent (path and query encoded) */
	const char *const *headers;	/* the request's own headers, "Name: value" */
	const char *payload_sha256;	/* hex SHA-256 of the body (or "UNSIGNED-PAYLOAD") */
	int64_t now;			/* seconds, the time to sign with */
};

typedef int (*fy_http_sign_fn)(void *ctx, const struct fy_http_signing *s, struct fy_buf *out,
			       struct fy_error *err);

struct fy_http_options {
	const char *provider;		/* names the provider in traces and errors */
	const char *base_url;		/* "https://host[:port]/prefix", no trailing slash */
	long connect_timeout_ms;	/* default 10 s */
	long stall_timeout_s;		/* abort an attempt receiving < 1 byte/s this long; 30 s */
	long attempt_timeout_ms;	/* one attempt at most; default 300 s */
	int max_retries;		/* default 8 */
	long backoff_base_ms;		/* default 500 ms */
	long backoff_max_ms;		/* default 30 s */
	long retry_after_max_ms;	/* cap on an honoured Retry-After; default 120 s */
	double rate;			/* requests per second; 0 = no limit */
	int concurrency;		/* requests in flight at most; default 4 */
	size_t max_response;		/* bytes of one response body; default 64 MiB */
	unsigned seed;			/* for the jitter; 0 = from the clock */
	/* AWS SigV4: either a hook, or libcurl's signer ("aws:amz:REGION:SERVICE"). */
	fy_http_sign_fn sign;
	void *sign_ctx;
	const char *curl_sigv4;
	const char *aws_key, *aws_secret, *aws_token;	/* for curl_sigv4; copied, never traced */
	/* Traces: FY_LOG_INFO one line a request, FY_LOG_DEBUG headers too. */
	void (*log)(void *cb, enum fy_log_level level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
	void *log_cb;
	int verbosity;			/* 2 = -v: requests; 3 = -vv: headers */
};

struct fy_http_request {
	const char *method;		/* "GET", "POST", ... */
	const char *path;		/* appended to base_url, already percent-encoded */
	const char *query;		/* "a=1&b=2", already encoded (sorted for SigV4), or NULL */
	const char *const *headers;	/* NULL-terminated "Name: value" lines, or NULL */
	const void *body;		/* request body from memory ... */
	size_t body_len;
	int body_fd;			/* ... or a file range (rewound on every retry); -1 = none */
	uint64_t body_offset;
	const char *content_type;	/* of the body */
	/*
	 * Optional bytes sent before and after the body (memory or file
	 * range): a multipart/form-data upload streams a file between its
	 * part headers and the closing boundary without copying it.
	 */
	const void *body_head, *body_tail;
	size_t body_head_len, body_tail_len;
	int resp_fd;			/* write the body here instead of memory (truncated per attempt); -1 */
	int no_retry;			/* do not retry (a request that must not be repeated) */
};

struct fy_http_response {
	long status;			/* 0 when no response was received */
	struct fy_buf body;		/* the body (unless resp_fd was given) */
	struct fy_buf headers;		/* the final response's header lines */
	int attempts;
	int64_t elapsed_ms;
};

void fy_http_options_init(struct fy_http_options *o, const char *provider, const char *base_url);

/* A client. FY_E_USAGE for a plain-http URL to a host that is not loopback. */
struct fy_http *fy_http_new(const struct fy_http_options *o, struct fy_error *err);
void fy_http_free(struct fy_http *h);

/* A credential value to redact from every trace and error message. */
int fy_http_add_secret(struct fy_http *h, const char *value);

/* Initialise a request with no body and no response fd. */
void fy_http_request_init(struct fy_http_request *rq, const char *method, const char *path);
void fy_http_response_init(struct fy_http_response *r);
void fy_http_response_release(struct fy_http_response *r);

/*
 * Perform one request with retries. 0 when a final response arrived (any
 * status: look at resp->status or call fy_http_check); -1 when the
 * transport failed for good (FY_E_NET), the response was too large
 * (FY_E_UNSAFE) or the request was refused before sending (FY_E_USAGE).
 */
int fy_http_do(struct fy_http *h, const struct fy_http_request *rq, struct fy_http_response *resp,
	       struct fy_error *err);

/*
 * Perform n requests, at most `concurrency` at a time, each with its own
 * retries. Every response is filled; returns -1 if any failed for good
 * (the first failure is in err; the others' status is 0).
 */
int fy_http_do_many(struct fy_http *h, const struct fy_http_request *rqs,
		    struct fy_http_response *resps, size_t n, struct fy_error *err);

/*
 * 0 for a 2xx; otherwise an error naming what and the status, with the
 * provider's own message when the body has one (JSON error.message,
 * message, error_description; XML <Message>), secrets scrubbed:
 * 401/403 FY_E_AUTH, 404 and other 4xx FY_E_DATA, 5xx and 429 FY_E_NET.
 */
int fy_http_check(struct fy_http *h, const struct fy_http_response *resp, const char *what,
		  struct fy_error *err);

/* A response header's value (case-insensitive name), copied into out; 0 or -1. */
int fy_http_header(const struct fy_http_response *resp, const char *name, char *out, size_t cap);

/*
 * Delay in milliseconds a Retry-After / retry-after-ms header asks for, or
 * -1 when absent or unreadable. now is the current time (for HTTP dates).
 */
long fy_http_retry_after_ms(const struct fy_http_response *resp, int64_t now);

/* Whether a status is worth retrying. */
int fy_http_status_retryable(long status);

/*
 * The engine's wait before retry number attempt (0-based): exponential
 * from backoff_base_ms, capped at backoff_max_ms, with full jitter. For
 * callers that retry a request themselves (a create that must be looked
 * up before it is repeated).
 */
long fy_http_backoff_ms(struct fy_http *h, int attempt);

/* Percent-encode s (RFC 3986 unreserved kept) and append to out; keep '/' if slash. */
int fy_http_encode(struct fy_buf *out, const char *s, size_t n, int keep_slash, struct fy_error *err);

/* Requests and retries made so far, for reports and tests. */
void fy_http_counts(const struct fy_http *h, uint64_t *requests, uint64_t *retries);

/*
 * Replace every registered secret, and anything shaped like a common
 * credential (sk-..., AKIA..., Bearer ..., JWTs, long key-like runs), in
 * s with "[redacted]". Used on every provider message ferry repeats.
 */
void fy_http_scrub(const struct fy_http *h, char *s);

#endif
