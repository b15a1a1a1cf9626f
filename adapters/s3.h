/*
 * s3.h - a small S3 client on the HTTP module (adapters/http.h): what a
 * backup repository needs and nothing more. Any S3-compatible endpoint
 * (AWS, MinIO, Ceph RGW, s3rver...), path-style or virtual-hosted.
 *
 * API reference: Amazon S3 API Reference, 2006-03-01
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/): ListObjectsV2,
 * PutObject, GetObject (Range), HeadObject, DeleteObject,
 * CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
 * AbortMultipartUpload, ListMultipartUploads; signing: "Authenticating
 * Requests (AWS Signature Version 4)", with the S3 rules (the path is
 * signed as sent, x-amz-content-sha256 on every request). Requests are
 * signed by adapters/sigv4.c (FY_SIGV4_S3) through the HTTP module's
 * signing hook; paths are encoded once and queries built sorted and fully
 * encoded (../shared/PEERS.md section 6 lists the pitfalls).
 *
 * Credentials never come from the command line: sigv4.h's
 * fy_aws_credentials_load() (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN, else AWS_PROFILE in the shared credentials and config
 * files). Region: the option, AWS_REGION, AWS_DEFAULT_REGION, the profile's,
 * us-east-1. Endpoint: the option, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL,
 * https://s3.REGION.amazonaws.com.
 */
#ifndef FY_S3_H
#define FY_S3_H

#include <stddef.h>
#include <stdint.h>

#include "adapter.h"
#include "buf.h"
#include "error.h"

enum fy_s3_style { FY_S3_STYLE_AUTO = 0, FY_S3_STYLE_PATH, FY_S3_STYLE_VIRTUAL };

struct fy_s3_options {
	const char *bucket;
	const char *endpoint;		/* "https://host[:port]"; NULL: see above */
	const char *region;		/* NULL: see above */
	enum fy_s3_style style;		/* AUTO: virtual-hosted on AWS, path-style elsewhere */
	uint64_t part_size;		/* multipart part size; 0: 16 MiB (FERRY_S3_PART_SIZE) */
	void (*log)(void *cb, enum fy_log_level level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
	void *log_cb;
	int verbosity;
};

struct fy_s3;

/*
 * A client for one bucket. Loads the credentials (FY_E_AUTH when there
 * are none). No request is made yet.
 */
struct fy_s3 *fy_s3_new(const struct fy_s3_options *o, struct fy_error *err);
void fy_s3_free(struct fy_s3 *s);

/* The base URL requests go to ("http://127.0.0.1:9000/bucket"), for messages and tests. */
const char *fy_s3_base_url(const struct fy_s3 *s);

/*
 * Every object directly under prefix ("dir/"; delimiter '/', so deeper
 * keys are not listed), page by page; fn gets each key (the full key) and
 * size, and stops the listing with a non-zero return.
 */
int fy_s3_list(struct fy_s3 *s, const char *prefix,
	       int (*fn)(void *ctx, const char *key, uint64_t size), void *ctx,
	       struct fy_error *err);

/* Put a small object from memory. */
int fy_s3_put(struct fy_s3 *s, const char *key, const void *p, size_t n, struct fy_error *err);

/*
 * Upload the file at path as key in parts (CreateMultipartUpload,
 * UploadPart..., CompleteMultipartUpload): the object exists only once the
 * upload completes. A failed upload is aborted (best effort). Each part is
 * a durable step (FERRY_FAIL_AT). progress(cb, ...) may be NULL.
 */
int fy_s3_upload_file(struct fy_s3 *s, const char *key, const char *path,
		      void (*progress)(void *cb, const char *what, uint64_t done, uint64_t total),
		      void *cb, struct fy_error *err);

/* Get a small object into out (at most max bytes). 1 found, 0 absent, -1 error. */
int fy_s3_get(struct fy_s3 *s, const char *key, struct fy_buf *out, struct fy_error *err);
/* Download an object into a file (created or truncated). 1, 0 (absent) or -1. */
int fy_s3_download(struct fy_s3 *s, const char *key, const char *path, struct fy_error *err);
/* Read an object in ranges and hash it: its size and SHA-256. 1, 0 or -1. */
int fy_s3_sha256(struct fy_s3 *s, const char *key, uint64_t *size, unsigned char sha[32],
		 struct fy_error *err);
/* Whether key exists (HEAD): 1, 0 or -1. */
int fy_s3_exists(struct fy_s3 *s, const char *key, uint64_t *size, struct fy_error *err);
/* Delete key (absent is fine). */
int fy_s3_delete(struct fy_s3 *s, const char *key, struct fy_error *err);
/*
 * Abort every unfinished multipart upload under prefix (uploads of runs
 * that died). Servers without ListMultipartUploads are left alone.
 * Returns the number aborted, or -1.
 */
int fy_s3_abort_uploads(struct fy_s3 *s, const char *prefix, struct fy_error *err);

/* Decode the XML character references of s[0..n) and append to out. */
int fy_xml_text(const char *s, size_t n, struct fy_buf *out, struct fy_error *err);
/*
 * Find the next <name>...</name> element in xml[*pos..len): 1 with the
 * raw content in xml[*start..*end) and *pos past the end tag, or 0. Enough
 * for S3's flat, attribute-free response elements; not a general parser.
 */
int fy_xml_next(const char *xml, size_t len, size_t *pos, const char *name, size_t *start,
		size_t *end);

#endif
