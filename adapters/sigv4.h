/*
 * sigv4.h - AWS Signature Version 4, and where AWS credentials, regions and
 * endpoints come from. Used by every adapter that talks to AWS (agentcore,
 * bedrock-agents, bedrock-flow) and by the S3 back end of backups.
 *
 * Three layers, each usable alone:
 *   - the signer proper: canonical request, string to sign, signing key,
 *     signature, credential scope, for header signing (Authorization) and
 *     query signing (presigned URLs), with the intermediate texts handed
 *     back so tests can compare them with the published AWS test suite;
 *   - fy_sigv4_http_sign(), a fy_http_sign_fn (adapters/http.h) that signs
 *     every attempt of a request made through the HTTP module;
 *   - the conventions users already have: credentials from
 *     AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN or from
 *     the shared files (AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE,
 *     AWS_CONFIG_FILE, ~/.aws/credentials, ~/.aws/config), the region from
 *     AWS_REGION / AWS_DEFAULT_REGION / the profile, and the endpoint from
 *     AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL or the regional default.
 *     Credentials never come from argv.
 *
 * Why ferry signs itself instead of leaving it all to libcurl's
 * CURLOPT_AWS_SIGV4: see the comment at the top of sigv4.c (in short:
 * libcurl 7.88 signs the path and the query as sent, so a path segment
 * that holds ':' or '/' - an AgentCore actor id such as tenant-a:user/42 -
 * gets a signature AWS rejects). tests/cli/t-sigv4.sh runs the AWS test
 * suite against both and prints the table.
 *
 *	struct fy_aws_credentials c;
 *	if (fy_aws_credentials_load(&c, err) < 0) ...	FY_E_AUTH when none
 *	struct fy_sigv4_signer s = { .cred = &c, .region = "us-east-1",
 *				     .service = "bedrock-agentcore" };
 *	o.sign = fy_sigv4_http_sign; o.sign_ctx = &s;	then fy_http_new(&o, ...)
 *	fy_http_add_secret(h, c.secret_key); fy_http_add_secret(h, c.session_token);
 */
#ifndef FY_SIGV4_H
#define FY_SIGV4_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "http.h"

/* --- credentials, region, endpoint ------------------------------------ */

struct fy_aws_credentials {
	char *access_key;	/* owned */
	char *secret_key;	/* owned; wiped on release */
	char *session_token;	/* owned or NULL; wiped on release */
	char source[160];	/* "environment", "profile dev in /home/a/.aws/credentials" */
};

/*
 * Find credentials: the environment first (AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY, with AWS_SESSION_TOKEN when set), then the profile
 * AWS_PROFILE (else "default") in the shared credentials file
 * (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials), then in the
 * config file (AWS_CONFIG_FILE, else ~/.aws/config; section "[profile
 * NAME]", or "[default]"). FY_E_AUTH when none is found; FY_E_DATA when a
 * named profile is missing or half filled.
 */
int fy_aws_credentials_load(struct fy_aws_credentials *c, struct fy_error *err);
/* Wipe and free; accepts a zeroed or NULL object. */
void fy_aws_credentials_release(struct fy_aws_credentials *c);

/*
 * The region: explicit (from the adapter's location) if not NULL or empty,
 * else AWS_REGION, AWS_DEFAULT_REGION, then "region" of the profile in the
 * config file. FY_E_USAGE when none, or when it is not a region name.
 */
int fy_aws_region(const char *explicit_region, char *out, size_t cap, struct fy_error *err);

/*
 * The base URL of a service: AWS_ENDPOINT_URL_<SERVICE> (the service id
 * upper-cased, spaces and dashes as '_': "Bedrock AgentCore Control" ->
 * AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL), else AWS_ENDPOINT_URL, else
 * https://<endpoint_prefix>.<region>.amazonaws.com. out holds 1024 bytes.
 */
int fy_aws_endpoint(const char *service_id, const char *endpoint_prefix, const char *region,
		    char *out, size_t cap, struct fy_error *err);

/* --- the signer -------------------------------------------------------- */

enum {
	FY_SIGV4_S3 = 1 << 0,		/* S3 rules: the path is signed as sent, no normalising */
	FY_SIGV4_NO_NORMALIZE = 1 << 1,	/* keep "." and ".." segments and empty segments */
	FY_SIGV4_OMIT_TOKEN = 1 << 2,	/* add the session token after signing (not signed) */
	FY_SIGV4_CONTENT_SHA256 = 1 << 3, /* add x-amz-content-sha256 (signed) */
};

/* What to sign. Everything is borrowed. */
struct fy_sigv4_request {
	const char *method;		/* "GET" */
	const char *path;		/* as on the request line, query excluded: "/a%3Ab/c" */
	const char *query;		/* what follows '?', or NULL */
	const char *const *headers;	/* NULL-terminated "Name: value" lines; Host among them */
	const char *payload_sha256;	/* hex SHA-256 of the body, or "UNSIGNED-PAYLOAD" */
};

struct fy_sigv4_params {
	const char *access_key, *secret_key, *session_token;	/* token may be NULL */
	const char *region, *service;
	int64_t time;			/* UTC seconds to sign at */
	long expires;			/* query signing: X-Amz-Expires in seconds */
	unsigned flags;
};

/* The intermediate results, for tests and for -vv traces (all owned). */
struct fy_sigv4_result {
	struct fy_buf canonical_request;
	struct fy_buf string_to_sign;
	char signature[65];
	char scope[160];		/* 20150830/us-east-1/service/aws4_request */
	char amz_date[17];		/* 20150830T123600Z */
	struct fy_buf signed_headers;	/* host;x-amz-date */
};

void fy_sigv4_result_init(struct fy_sigv4_result *r);
void fy_sigv4_result_release(struct fy_sigv4_result *r);

/*
 * Header signing. Appends to out the header lines the request must carry,
 * each ending in '\n': "X-Amz-Date: ...", "x-amz-content-sha256: ..." (with
 * FY_SIGV4_CONTENT_SHA256), "X-Amz-Security-Token: ..." (when there is a
 * token) and "Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
 * Signature=...". A header the request already has (an X-Amz-Date, say) is
 * signed as given and not added again. res may be NULL.
 */
int fy_sigv4_sign(const struct fy_sigv4_params *p, const struct fy_sigv4_request *rq,
		  struct fy_buf *out, struct fy_sigv4_result *res, struct fy_error *err);

/*
 * Query signing (a presigned URL). Appends to out the complete query
 * string to send: the request's own parameters, the X-Amz-* parameters
 * and X-Amz-Signature, canonically encoded and sorted.
 */
int fy_sigv4_presign(const struct fy_sigv4_params *p, const struct fy_sigv4_request *rq,
		     struct fy_buf *out, struct fy_sigv4_result *res, struct fy_error *err);

/*
 * The canonical forms on their own (appended to out): the URI of a path
 * (AWS rules: for S3 the path as sent; for every other service each
 * segment URI-encoded once more, after removing dot segments unless
 * FY_SIGV4_NO_NORMALIZE), and the query (every name and value decoded,
 * then encoded with only A-Z a-z 0-9 - _ . ~ left bare, pairs sorted).
 */
int fy_sigv4_canonical_uri(const char *path, unsigned flags, struct fy_buf *out,
			   struct fy_error *err);
int fy_sigv4_canonical_query(const char *query, struct fy_buf *out, struct fy_error *err);

/* "20150830T123600Z" for t (UTC seconds) into out[17]. */
void fy_sigv4_amz_date(int64_t t, char out[17]);

/* --- the HTTP hook ----------------------------------------------------- */

/* What fy_sigv4_http_sign needs; borrowed by the hook for the client's life. */
struct fy_sigv4_signer {
	const struct fy_aws_credentials *cred;
	const char *region;
	const char *service;		/* signing name: "bedrock", "bedrock-agentcore", "s3" */
	unsigned flags;			/* FY_SIGV4_S3 for S3 */
	int64_t fixed_time;		/* 0 = sign at the attempt's time; tests fix it */
};

/*
 * A fy_http_sign_fn: signs one attempt. The URL is split into host (with
 * the port when it is not the scheme's default), path and query; the
 * request's headers are signed, except those curl drops ("Name:" with no
 * value), Expect, User-Agent and Authorization. http.c has already added
 * x-amz-content-sha256.
 */
int fy_sigv4_http_sign(void *signer, const struct fy_http_signing *s, struct fy_buf *out,
		       struct fy_error *err);

#endif
