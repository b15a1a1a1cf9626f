/*
 * s3.c - the S3 client for backup repositories. See s3.h.
 */
#include "s3.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "durable.h"
#include "http.h"
#include "sha256.h"
#include "sigv4.h"
#include "zstream.h"

#define PART_DEFAULT ((uint64_t)16 << 20)
#define PART_MAX_COUNT 10000
#define RANGE_CHUNK ((uint64_t)8 << 20)
#define SMALL_MAX ((size_t)1 << 20)

struct fy_s3 {
	struct fy_http *h;
	char *bucket;
	char *base_url;
	int path_style;
	uint64_t part_size;
	struct fy_aws_credentials cred;
	struct fy_sigv4_signer signer;	/* borrowed by h */
	char region[64];
};

/* --- XML ----------------------------------------------------------------- */

int fy_xml_next(const char *xml, size_t len, size_t *pos, const char *name, size_t *start,
		size_t *end)
{
	size_t nlen = strlen(name), i;

	for (i = *pos; i + nlen + 2 <= len; i++) {
		const char *close;
		size_t j;

		if (xml[i] != '<' || memcmp(xml + i + 1, name, nlen) != 0 ||
		    (xml[i + 1 + nlen] != '>' && xml[i + 1 + nlen] != ' '))
			continue;
		close = memchr(xml + i, '>', len - i);
		if (!close)
			return 0;
		*start = (size_t)(close - xml) + 1;
		for (j = *start; j + nlen + 3 <= len; j++)
			if (xml[j] == '<' && xml[j + 1] == '/' && memcmp(xml + j + 2, name, nlen) == 0 &&
			    xml[j + 2 + nlen] == '>') {
				*end = j;
				*pos = j + nlen + 3;
				return 1;
			}
		return 0;
	}
	return 0;
}

int fy_xml_text(const char *s, size_t n, struct fy_buf *out, struct fy_error *err)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' },
		     { "&apos;", '\'' } };
	size_t i, k;

	for (i = 0; i < n;) {
		if (s[i] != '&') {
			if (fy_buf_addc(out, s[i++], err) < 0)
				return -1;
			continue;
		}
		for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
			size_t el = strlen(ents[k].ent);

			if (i + el <= n && memcmp(s + i, ents[k].ent, el) == 0) {
				if (fy_buf_addc(out, ents[k].c, err) < 0)
					return -1;
				i += el;
				break;
			}
		}
		if (k < sizeof(ents) / sizeof(ents[0]))
			continue;
		if (i + 3 < n && s[i + 1] == '#') {
			const char *semi = memchr(s + i, ';', n - i);
			unsigned long cp;
			char *endp;

			if (semi) {
				cp = s[i + 2] == 'x' ? strtoul(s + i + 3, &endp, 16)
						     : strtoul(s + i + 2, &endp, 10);
				if (endp == semi && cp > 0 && cp < 0x110000) {
					char u[4];
					size_t un;

					if (cp < 0x80) {
						u[0] = (char)cp;
						un = 1;
					} else if (cp < 0x800) {
						u[0] = (char)(0xc0 | (cp >> 6));
						u[1] = (char)(0x80 | (cp & 0x3f));
						un = 2;
					} else if (cp < 0x10000) {
						u[0] = (char)(0xe0 | (cp >> 12));
						u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
						u[2] = (char)(0x80 | (cp & 0x3f));
						un = 3;
					} else {
						u[0] = (char)(0xf0 | (cp >> 18));
						u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
						u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
						u[3] = (char)(0x80 | (cp & 0x3f));
						un = 4;
					}
					if (fy_buf_add(out, u, un, err) < 0)
						return -1;
					i = (size_t)(semi - s) + 1;
					continue;
				}
			}
		}
		if (fy_buf_addc(out, s[i++], err) < 0)
			return -1;
	}
	return 0;
}

/* The decoded text of the first <name> in xml[pos..len) into out: 1, 0 absent. */
static int xml_get(const char *xml, size_t len, size_t pos, const char *name, struct fy_buf *out,
		   struct fy_error *err)
{
	size_t a, b;

	fy_buf_reset(out);
	if (!fy_xml_next(xml, len, &pos, name, &a, &b))
		return 0;
	return fy_xml_text(xml + a, b - a, out, err) < 0 ? -1 : 1;
}

/* --- the client ------------------------------------------------------------ */

/* Split "scheme://host[:port][/...]": scheme length and host start/end. */
static int split_url(const char *url, size_t *scheme_end, size_t *host_end)
{
	const char *p = strstr(url, "://");

	if (!p || p == url)
		return -1;
	*scheme_end = (size_t)(p - url);
	p += 3;
	*host_end = (size_t)(p - url) + strcspn(p, "/?#");
	return *host_end > *scheme_end + 3 ? 0 : -1;
}

/* A region as S3-compatible stores name them (MinIO, Ceph: any short word). */
static int region_word(const char *r)
{
	size_t i, n = strlen(r);

	if (n == 0 || n > 63)
		return 0;
	for (i = 0; i < n; i++)
		if (!((r[i] >= 'a' && r[i] <= 'z') || (r[i] >= '0' && r[i] <= '9') || r[i] == '-'))
			return 0;
	return 1;
}

struct fy_s3 *fy_s3_new(const struct fy_s3_options *o, struct fy_error *err)
{
	struct fy_http_options ho;
	struct fy_s3 *s = calloc(1, sizeof(*s));
	const char *region = o->region, *ps;
	char endpoint[1024], url[2048];
	size_t se, he, n;
	int aws;

	if (!s) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	/* The region: the option, AWS_REGION, AWS_DEFAULT_REGION, the profile's,
	 * else us-east-1 (S3's own default, and what other stores expect). */
	if (!region || !*region)
		region = getenv("AWS_REGION");
	if (!region || !*region)
		region = getenv("AWS_DEFAULT_REGION");
	if (region && *region) {
		if (!region_word(region)) {
			fy_error_set(err, FY_E_USAGE, "'%s' is not a region name", region);
			goto fail;
		}
		snprintf(s->region, sizeof(s->region), "%s", region);
	} else if (fy_aws_region(NULL, s->region, sizeof(s->region), NULL) < 0) {
		snprintf(s->region, sizeof(s->region), "us-east-1");
	}
	/* The endpoint: the option, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS's. */
	if (o->endpoint && *o->endpoint)
		snprintf(endpoint, sizeof(endpoint), "%s", o->endpoint);
	else if (fy_aws_endpoint("S3", "s3", s->region, endpoint, sizeof(endpoint), err) < 0)
		goto fail;
	n = strlen(endpoint);
	while (n && endpoint[n - 1] == '/')
		endpoint[--n] = '\0';
	if (split_url(endpoint, &se, &he) < 0 || he != n) {
		fy_error_set(err, FY_E_USAGE, "%s: the S3 endpoint is scheme://host[:port]", endpoint);
		goto fail;
	}
	aws = n >= 14 && memcmp(endpoint + he - 14, ".amazonaws.com", 14) == 0;
	s->path_style = o->style == FY_S3_STYLE_PATH || (o->style == FY_S3_STYLE_AUTO && !aws);
	if (s->path_style)
		snprintf(url, sizeof(url), "%s/%s", endpoint, o->bucket);
	else
		snprintf(url, sizeof(url), "%.*s://%s.%s", (int)se, endpoint, o->bucket,
			 endpoint + se + 3);
	s->bucket = strdup(o->bucket);
	s->base_url = strdup(url);
	if (!s->bucket || !s->base_url) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		goto fail;
	}
	s->part_size = o->part_size;
	if (!s->part_size && (ps = getenv("FERRY_S3_PART_SIZE")) && atoll(ps) >= 1024)
		s->part_size = (uint64_t)atoll(ps);
	if (!s->part_size)
		s->part_size = PART_DEFAULT;
	if (fy_aws_credentials_load(&s->cred, err) < 0)
		goto fail;
	/* Signed by adapters/sigv4.c with S3's rules (the path as sent). */
	s->signer.cred = &s->cred;
	s->signer.region = s->region;
	s->signer.service = "s3";
	s->signer.flags = FY_SIGV4_S3;
	fy_http_options_init(&ho, "s3", s->base_url);
	ho.sign = fy_sigv4_http_sign;
	ho.sign_ctx = &s->signer;
	ho.log = o->log;
	ho.log_cb = o->log_cb;
	ho.verbosity = o->verbosity;
	ho.max_response = RANGE_CHUNK + 4096;
	s->h = fy_http_new(&ho, err);
	if (!s->h)
		goto fail;
	fy_http_add_secret(s->h, s->cred.secret_key);
	if (s->cred.session_token)
		fy_http_add_secret(s->h, s->cred.session_token);
	return s;
fail:
	fy_s3_free(s);
	return NULL;
}

void fy_s3_free(struct fy_s3 *s)
{
	if (!s)
		return;
	fy_http_free(s->h);
	free(s->bucket);
	free(s->base_url);
	fy_aws_credentials_release(&s->cred);
	free(s);
}

const char *fy_s3_base_url(const struct fy_s3 *s)
{
	return s->base_url;
}

/* The request path of key ("" : the bucket itself). */
static int key_path(const struct fy_s3 *s, const char *key, struct fy_buf *out,
		    struct fy_error *err)
{
	fy_buf_reset(out);
	if (!key || !*key)
		/* path-style: "/bucket" as the base ends; virtual: "/". */
		return s->path_style ? fy_buf_adds(out, "", err) : fy_buf_adds(out, "/", err);
	if (fy_buf_addc(out, '/', err) < 0)
		return -1;
	return fy_http_encode(out, key, strlen(key), 1, err);
}

/* "name=value" with the value fully encoded; pairs are added in sorted order by callers. */
static int query_add(struct fy_buf *q, const char *name, const char *value, struct fy_error *err)
{
	if ((q->len && fy_buf_addc(q, '&', err) < 0) || fy_buf_addf(q, err, "%s=", name) < 0)
		return -1;
	return fy_http_encode(q, value, strlen(value), 0, err);
}

/* Perform a request; the caller checks the status. */
static int s3_do(struct fy_s3 *s, struct fy_http_request *rq, const char *key, const char *query,
		 struct fy_http_response *resp, struct fy_error *err)
{
	struct fy_buf path = FY_BUF_INIT(8192);
	int rc;

	if (key_path(s, key, &path, err) < 0) {
		fy_buf_release(&path);
		return -1;
	}
	rq->path = path.ptr ? path.ptr : "";
	rq->query = query && *query ? query : NULL;
	rc = fy_http_do(s->h, rq, resp, err);
	rq->path = NULL;
	fy_buf_release(&path);
	return rc;
}

static int check(struct fy_s3 *s, const struct fy_http_response *resp, const char *verb,
		 const char *key, struct fy_error *err)
{
	/* The object's name goes in front, after the scrubbing: http.c masks
	 * long runs of key-like characters, which archive names are. */
	if (fy_http_check(s->h, resp, verb, err) == 0)
		return 0;
	return fy_error_prefix(err, "s3://%s/%s", s->bucket, key ? key : "");
}

int fy_s3_list(struct fy_s3 *s, const char *prefix,
	       int (*fn)(void *ctx, const char *key, uint64_t size), void *ctx,
	       struct fy_error *err)
{
	struct fy_buf q = FY_BUF_INIT(8192), token = FY_BUF_INIT(4096), key = FY_BUF_INIT(4096);
	struct fy_buf v = FY_BUF_INIT(4096);
	struct fy_http_response resp;
	int rc = -1, more = 1;

	fy_http_response_init(&resp);
	while (more) {
		struct fy_http_request rq;
		const char *x;
		size_t len, pos = 0, a, b;

		fy_buf_reset(&q);
		/* Sorted by name, as SigV4 needs (libcurl signs the query as given). */
		if ((token.len && query_add(&q, "continuation-token", token.ptr, err) < 0) ||
		    query_add(&q, "delimiter", "/", err) < 0 ||
		    query_add(&q, "list-type", "2", err) < 0 ||
		    query_add(&q, "prefix", prefix ? prefix : "", err) < 0)
			goto out;
		fy_http_request_init(&rq, "GET", NULL);
		fy_http_response_release(&resp);
		fy_http_response_init(&resp);
		if (s3_do(s, &rq, NULL, q.ptr, &resp, err) < 0 ||
		    check(s, &resp, "list", prefix, err) < 0) {
			/* No such bucket: the repository cannot be reached, not bad data. */
			if (resp.status == 404 && err)
				err->code = FY_E_IO;
			goto out;
		}
		x = resp.body.ptr ? resp.body.ptr : "";
		len = resp.body.len;
		while (fy_xml_next(x, len, &pos, "Contents", &a, &b)) {
			uint64_t size = 0;

			if (xml_get(x + a, b - a, 0, "Key", &key, err) < 0 ||
			    xml_get(x + a, b - a, 0, "Size", &v, err) < 0)
				goto out;
			if (v.len)
				size = strtoull(v.ptr, NULL, 10);
			if (key.len && fn(ctx, key.ptr, size) != 0) {
				if (err && err->code == FY_E_OK)
					fy_error_set(err, FY_E_NOMEM, "out of memory");
				goto out;
			}
		}
		more = xml_get(x, len, 0, "IsTruncated", &v, err) == 1 && !strcmp(v.ptr, "true");
		if (more && xml_get(x, len, 0, "NextContinuationToken", &token, err) != 1) {
			fy_error_set(err, FY_E_DATA, "list s3://%s/%s: truncated listing without a token",
				     s->bucket, prefix ? prefix : "");
			goto out;
		}
	}
	rc = 0;
out:
	fy_http_response_release(&resp);
	fy_buf_release(&q);
	fy_buf_release(&token);
	fy_buf_release(&key);
	fy_buf_release(&v);
	return rc;
}

int fy_s3_put(struct fy_s3 *s, const char *key, const void *p, size_t n, struct fy_error *err)
{
	struct fy_http_response resp;
	struct fy_http_request rq;
	int rc;

	fy_http_request_init(&rq, "PUT", NULL);
	rq.body = p;
	rq.body_len = n;
	rq.content_type = "application/json";
	fy_http_response_init(&resp);
	rc = s3_do(s, &rq, key, NULL, &resp, err);
	if (rc == 0)
		rc = check(s, &resp, "PUT", key, err);
	fy_http_response_release(&resp);
	return rc;
}

static int abort_upload(struct fy_s3 *s, const char *key, const char *upload_id)
{
	struct fy_buf q = FY_BUF_INIT(4096);
	struct fy_http_response resp;
	struct fy_http_request rq;
	struct fy_error e;
	int rc = -1;

	fy_http_request_init(&rq, "DELETE", NULL);
	fy_http_response_init(&resp);
	if (query_add(&q, "uploadId", upload_id, &e) == 0 && s3_do(s, &rq, key, q.ptr, &resp, &e) == 0)
		rc = resp.status >= 200 && resp.status < 300 ? 0 : -1;
	fy_http_response_release(&resp);
	fy_buf_release(&q);
	return rc;
}

/* A 200 CompleteMultipartUpload may still carry an <Error> (S3 API reference). */
static int body_error(struct fy_s3 *s, const struct fy_http_response *resp, const char *key,
		      struct fy_error *err)
{
	struct fy_buf code = FY_BUF_INIT(1024), msg = FY_BUF_INIT(4096);
	const char *x = resp->body.ptr ? resp->body.ptr : "";
	size_t a, b, pos = 0;
	int rc = 0;

	if (fy_xml_next(x, resp->body.len, &pos, "Error", &a, &b)) {
		xml_get(x + a, b - a, 0, "Code", &code, NULL);
		xml_get(x + a, b - a, 0, "Message", &msg, NULL);
		rc = fy_error_set(err, FY_E_NET, "s3: complete upload: %s%s%s",
				  code.ptr ? code.ptr : "error", msg.len ? ": " : "", msg.ptr ? msg.ptr : "");
		if (err)
			fy_http_scrub(s->h, err->msg);
		fy_error_prefix(err, "s3://%s/%s", s->bucket, key);
	}
	fy_buf_release(&code);
	fy_buf_release(&msg);
	return rc;
}

int fy_s3_upload_file(struct fy_s3 *s, const char *key, const char *path,
		      void (*progress)(void *cb, const char *what, uint64_t done, uint64_t total),
		      void *cb, struct fy_error *err)
{
	struct fy_buf q = FY_BUF_INIT(4096), id = FY_BUF_INIT(4096), body = FY_BUF_INIT((size_t)4 << 20);
	struct fy_http_response resp;
	struct fy_http_request rq;
	struct stat st;
	uint64_t part = s->part_size, off, size;
	char etag[256];
	unsigned nparts, i;
	int fd, rc = -1, created = 0;

	fy_http_response_init(&resp);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		fy_error_errno(err, errno, "%s", path);
		goto out;
	}
	size = (uint64_t)st.st_size;
	if (size / part >= PART_MAX_COUNT)
		part = size / (PART_MAX_COUNT - 1) + 1;
	nparts = size ? (unsigned)((size + part - 1) / part) : 1;
	/* CreateMultipartUpload: POST /key?uploads */
	fy_http_request_init(&rq, "POST", NULL);
	if (fy_buf_adds(&q, "uploads=", err) < 0 || s3_do(s, &rq, key, q.ptr, &resp, err) < 0 ||
	    check(s, &resp, "create upload", key, err) < 0)
		goto out;
	if (xml_get(resp.body.ptr ? resp.body.ptr : "", resp.body.len, 0, "UploadId", &id, err) != 1) {
		fy_error_set(err, FY_E_NET, "s3://%s/%s: create upload: no UploadId in the answer",
			     s->bucket, key);
		goto out;
	}
	created = 1;
	if (fy_buf_adds(&body, "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
			err) < 0)
		goto out;
	for (i = 1, off = 0; i <= nparts; i++, off += part) {
		uint64_t n = size - off < part ? size - off : part;

		if (fy_durable_step("s3 part", err) < 0)
			goto out;
		fy_buf_reset(&q);
		fy_http_request_init(&rq, "PUT", NULL);
		rq.body_fd = fd;
		rq.body_offset = off;
		rq.body_len = (size_t)n;
		rq.content_type = "application/octet-stream";
		fy_http_response_release(&resp);
		fy_http_response_init(&resp);
		if (fy_buf_addf(&q, err, "partNumber=%u", i) < 0 ||
		    query_add(&q, "uploadId", id.ptr, err) < 0 ||
		    s3_do(s, &rq, key, q.ptr, &resp, err) < 0 ||
		    check(s, &resp, "upload part", key, err) < 0)
			goto out;
		if (fy_http_header(&resp, "ETag", etag, sizeof(etag)) < 0) {
			fy_error_set(err, FY_E_NET, "s3://%s/%s: part %u: no ETag in the answer",
				     s->bucket, key, i);
			goto out;
		}
		if (fy_buf_addf(&body, err, "<Part><PartNumber>%u</PartNumber><ETag>", i) < 0 ||
		    fy_buf_adds(&body, etag, err) < 0 || fy_buf_adds(&body, "</ETag></Part>", err) < 0)
			goto out;
		if (progress)
			progress(cb, "uploaded", off + n, size);
	}
	if (fy_buf_adds(&body, "</CompleteMultipartUpload>", err) < 0 ||
	    fy_durable_step("s3 complete", err) < 0)
		goto out;
	fy_buf_reset(&q);
	fy_http_request_init(&rq, "POST", NULL);
	rq.body = body.ptr;
	rq.body_len = body.len;
	rq.content_type = "application/xml";
	fy_http_response_release(&resp);
	fy_http_response_init(&resp);
	if (query_add(&q, "uploadId", id.ptr, err) < 0 || s3_do(s, &rq, key, q.ptr, &resp, err) < 0 ||
	    check(s, &resp, "complete upload", key, err) < 0 || body_error(s, &resp, key, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0 && created)
		abort_upload(s, key, id.ptr);
	if (fd >= 0)
		close(fd);
	fy_http_response_release(&resp);
	fy_buf_release(&q);
	fy_buf_release(&id);
	fy_buf_release(&body);
	return rc;
}

int fy_s3_exists(struct fy_s3 *s, const char *key, uint64_t *size, struct fy_error *err)
{
	struct fy_http_response resp;
	struct fy_http_request rq;
	char len[64];
	int rc;

	fy_http_request_init(&rq, "HEAD", NULL);
	fy_http_response_init(&resp);
	rc = s3_do(s, &rq, key, NULL, &resp, err);
	if (rc == 0) {
		if (resp.status == 404)
			rc = 0;
		else if (check(s, &resp, "HEAD", key, err) < 0)
			rc = -1;
		else {
			rc = 1;
			if (size)
				*size = fy_http_header(&resp, "Content-Length", len, sizeof(len)) == 0
						? strtoull(len, NULL, 10)
						: 0;
		}
	}
	fy_http_response_release(&resp);
	return rc;
}

int fy_s3_get(struct fy_s3 *s, const char *key, struct fy_buf *out, struct fy_error *err)
{
	struct fy_http_response resp;
	struct fy_http_request rq;
	int rc;

	fy_http_request_init(&rq, "GET", NULL);
	fy_http_response_init(&resp);
	rc = s3_do(s, &rq, key, NULL, &resp, err);
	if (rc == 0) {
		if (resp.status == 404)
			rc = 0;
		else if (check(s, &resp, "GET", key, err) < 0)
			rc = -1;
		else if (fy_buf_add(out, resp.body.ptr ? resp.body.ptr : "", resp.body.len, err) < 0)
			rc = -1;
		else
			rc = 1;
	}
	fy_http_response_release(&resp);
	return rc;
}

/* Read key in ranges; fn gets each chunk. 1, 0 (absent) or -1. */
static int read_ranges(struct fy_s3 *s, const char *key, uint64_t *size,
		       int (*fn)(void *ctx, const void *p, size_t n, struct fy_error *err), void *ctx,
		       struct fy_error *err)
{
	struct fy_http_response resp;
	uint64_t total = 0, off;
	int rc = fy_s3_exists(s, key, &total, err);

	if (rc <= 0)
		return rc;
	fy_http_response_init(&resp);
	for (off = 0; off < total; off += RANGE_CHUNK) {
		uint64_t last = off + RANGE_CHUNK < total ? off + RANGE_CHUNK - 1 : total - 1;
		struct fy_http_request rq;
		const char *hdr[2];
		char range[80];

		snprintf(range, sizeof(range), "Range: bytes=%llu-%llu", (unsigned long long)off,
			 (unsigned long long)last);
		hdr[0] = range;
		hdr[1] = NULL;
		fy_http_request_init(&rq, "GET", NULL);
		rq.headers = hdr;
		fy_http_response_release(&resp);
		fy_http_response_init(&resp);
		if (s3_do(s, &rq, key, NULL, &resp, err) < 0 || check(s, &resp, "GET", key, err) < 0) {
			rc = -1;
			break;
		}
		if (resp.body.len != last - off + 1) {
			rc = fy_error_set(err, FY_E_INTEGRITY,
					  "s3://%s/%s: %zu bytes at %llu, expected %llu (changed while read?)",
					  s->bucket, key, resp.body.len, (unsigned long long)off,
					  (unsigned long long)(last - off + 1));
			break;
		}
		if (fn(ctx, resp.body.ptr, resp.body.len, err) < 0) {
			rc = -1;
			break;
		}
	}
	fy_http_response_release(&resp);
	if (size)
		*size = total;
	return rc;
}

static int hash_chunk(void *ctx, const void *p, size_t n, struct fy_error *err)
{
	(void)err;
	fy_sha256_update(ctx, p, n);
	return 0;
}

int fy_s3_sha256(struct fy_s3 *s, const char *key, uint64_t *size, unsigned char sha[32],
		 struct fy_error *err)
{
	struct fy_sha256 h;
	int rc;

	if (fy_sha256_init(&h) < 0)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	rc = read_ranges(s, key, size, hash_chunk, &h, err);
	if (rc == 1)
		fy_sha256_final(&h, sha);
	fy_sha256_release(&h);
	return rc;
}

static int write_chunk(void *ctx, const void *p, size_t n, struct fy_error *err)
{
	return fy_write_all(*(int *)ctx, p, n, "download", err);
}

int fy_s3_download(struct fy_s3 *s, const char *key, const char *path, struct fy_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), rc;

	if (fd < 0)
		return fy_error_errno(err, errno, "%s", path);
	rc = read_ranges(s, key, NULL, write_chunk, &fd, err);
	if (close(fd) < 0 && rc == 1)
		rc = fy_error_errno(err, errno, "%s", path);
	return rc;
}

int fy_s3_delete(struct fy_s3 *s, const char *key, struct fy_error *err)
{
	struct fy_http_response resp;
	struct fy_http_request rq;
	int rc;

	fy_http_request_init(&rq, "DELETE", NULL);
	fy_http_response_init(&resp);
	rc = s3_do(s, &rq, key, NULL, &resp, err);
	if (rc == 0 && resp.status != 404)
		rc = check(s, &resp, "DELETE", key, err);
	fy_http_response_release(&resp);
	return rc;
}

int fy_s3_abort_uploads(struct fy_s3 *s, const char *prefix, struct fy_error *err)
{
	struct fy_buf q = FY_BUF_INIT(8192), key = FY_BUF_INIT(4096), id = FY_BUF_INIT(4096);
	struct fy_http_response resp;
	struct fy_http_request rq;
	size_t pos = 0, a, b;
	int n = -1;

	fy_http_request_init(&rq, "GET", NULL);
	fy_http_response_init(&resp);
	if (query_add(&q, "prefix", prefix ? prefix : "", err) < 0 ||
	    fy_buf_adds(&q, "&uploads=", err) < 0 || s3_do(s, &rq, NULL, q.ptr, &resp, err) < 0)
		goto out;
	n = 0;
	/* Servers without ListMultipartUploads (s3rver answers 501) keep theirs. */
	if (resp.status < 200 || resp.status >= 300)
		goto out;
	while (fy_xml_next(resp.body.ptr ? resp.body.ptr : "", resp.body.len, &pos, "Upload", &a, &b)) {
		const char *x = resp.body.ptr + a;

		if (xml_get(x, b - a, 0, "Key", &key, err) == 1 &&
		    xml_get(x, b - a, 0, "UploadId", &id, err) == 1 &&
		    abort_upload(s, key.ptr, id.ptr) == 0)
			n++;
	}
out:
	fy_http_response_release(&resp);
	fy_buf_release(&q);
	fy_buf_release(&key);
	fy_buf_release(&id);
	return n;
}
