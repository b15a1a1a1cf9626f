/*
 * sigv4_suite.c - runs the published AWS SigV4 test suite (aws-c-auth's
 * tests/aws-signing-test-suite/v4, kept in ../shared/corpus/aws-sigv4/)
 * against adapters/sigv4.c and prints one line per case and mode:
 *
 *	CASE MODE canonical=ok|FAIL sts=ok|FAIL signature=ok|FAIL
 *
 * MODE is "header" (Authorization header) or "query" (presigned URL).
 * With -v a failing line is followed by the expected and computed texts.
 * Exit 0 when every compared value matched.
 *
 *	sigv4-suite [-v] SUITE_DIR
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "record.h"
#include "sha256.h"
#include "sigv4.h"

struct parsed {
	char method[16];
	char *path, *query;	/* owned */
	char *lines[64];	/* owned "Name: value" (folded lines joined with '\n') */
	size_t nlines;
	char *body;
	size_t body_len;
};

static void parsed_release(struct parsed *p)
{
	size_t i;

	free(p->path);
	free(p->query);
	for (i = 0; i < p->nlines; i++)
		free(p->lines[i]);
	free(p->body);
}

static char *slurp(const char *dir, const char *name, size_t *n)
{
	char path[4096];
	FILE *f;
	char *buf;
	long len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	if (buf) {
		buf[len] = '\0';
		if (n)
			*n = (size_t)len;
	}
	fclose(f);
	return buf;
}

/* request.txt: "METHOD PATH[?QUERY] HTTP/1.1", headers, blank line, body. */
static int parse_request(const char *text, struct parsed *p)
{
	const char *eol = strstr(text, "\n"), *sp, *http, *line;
	char *target;
	size_t tlen;

	memset(p, 0, sizeof(*p));
	if (!eol)
		return -1;
	sp = strchr(text, ' ');
	http = NULL;
	for (line = text; line < eol; line++)
		if (strncmp(line, " HTTP/", 6) == 0)
			http = line;
	if (!sp || !http || sp >= http || (size_t)(sp - text) >= sizeof(p->method))
		return -1;
	memcpy(p->method, text, (size_t)(sp - text));
	tlen = (size_t)(http - sp - 1);
	target = strndup(sp + 1, tlen);
	if (strchr(target, '?')) {
		char *q = strchr(target, '?');

		p->query = strdup(q + 1);
		*q = '\0';
	}
	p->path = target;
	line = eol + 1;
	while (*line && *line != '\n' && !(line[0] == '\r' && line[1] == '\n')) {
		const char *e = strchr(line, '\n');
		size_t n = e ? (size_t)(e - line) : strlen(line);

		if ((*line == ' ' || *line == '\t') && p->nlines) {
			/* A folded continuation of the previous header. */
			char *prev = p->lines[p->nlines - 1], *joined;
			size_t pl = strlen(prev);

			joined = malloc(pl + n + 2);
			memcpy(joined, prev, pl);
			joined[pl] = '\n';
			memcpy(joined + pl + 1, line, n);
			joined[pl + n + 1] = '\0';
			free(prev);
			p->lines[p->nlines - 1] = joined;
		} else if (p->nlines < 63) {
			p->lines[p->nlines++] = strndup(line, n);
		}
		if (!e)
			return 0;
		line = e + 1;
	}
	if (*line == '\n')
		line++;
	p->body_len = strlen(line);
	p->body = strdup(line);
	return 0;
}

static char *ctx_str(const struct fy_jdoc *d, uint32_t obj, const char *key)
{
	return fy_json_get_strdup(d, obj, key);
}

static int ctx_bool(const struct fy_jdoc *d, const char *key)
{
	return fy_json_type(d, fy_json_get(d, 0, key)) == FY_JTRUE;
}

static int compare(const char *dir, const char *file, const char *got, int verbose,
		   const char *label)
{
	char *want = slurp(dir, file, NULL);
	size_t n;
	int same;

	if (!want)
		return -1;	/* not part of this case */
	n = strlen(want);
	while (n && (want[n - 1] == '\n' || want[n - 1] == '\r'))
		want[--n] = '\0';
	same = strcmp(want, got) == 0;
	if (!same && verbose)
		printf("#  %s expected:\n#  %s\n#  computed:\n#  %s\n", label, want, got);
	free(want);
	return same;
}

static const char *mark(int r)
{
	return r < 0 ? "n/a" : r ? "ok" : "FAIL";
}

static int run_case(const char *suite, const char *name, int verbose)
{
	char dir[4096], body_hash[FY_SHA256_HEX];
	char *ctx = NULL, *req = NULL, *akid = NULL, *secret = NULL, *token = NULL, *region = NULL,
	     *service = NULL, *ts = NULL;
	unsigned char sha[FY_SHA256_LEN];
	struct fy_jdoc d;
	struct parsed p;
	struct fy_sigv4_params prm;
	struct fy_sigv4_request rq;
	struct fy_sigv4_result res;
	struct fy_error err;
	uint32_t cred;
	int64_t sec;
	int32_t ns;
	int bad = 0, mode;

	snprintf(dir, sizeof(dir), "%s/%s", suite, name);
	fy_jdoc_init(&d);
	memset(&p, 0, sizeof(p));
	ctx = slurp(dir, "context.json", NULL);
	req = slurp(dir, "request.txt", NULL);
	if (!ctx || !req || fy_jdoc_parse(&d, ctx, strlen(ctx), 0, &err) < 0 ||
	    parse_request(req, &p) < 0) {
		printf("%s setup FAIL (cannot read the case)\n", name);
		bad = 1;
		goto out;
	}
	cred = fy_json_get(&d, 0, "credentials");
	akid = ctx_str(&d, cred, "access_key_id");
	secret = ctx_str(&d, cred, "secret_access_key");
	token = ctx_str(&d, cred, "token");
	region = ctx_str(&d, 0, "region");
	service = ctx_str(&d, 0, "service");
	ts = ctx_str(&d, 0, "timestamp");
	if (!akid || !secret || !region || !service || !ts ||
	    fy_time_parse(ts, strlen(ts), &sec, &ns) < 0) {
		printf("%s setup FAIL (context.json)\n", name);
		bad = 1;
		goto out;
	}
	fy_sha256(p.body ? p.body : "", p.body_len, sha);
	fy_hex(sha, sizeof(sha), body_hash);
	for (mode = 0; mode < 2; mode++) {
		const char *prefix = mode == 0 ? "header" : "query";
		char file[64], *want_sig;
		int c1, c2, c3, rc;

		snprintf(file, sizeof(file), "%s-signature.txt", prefix);
		want_sig = slurp(dir, file, NULL);
		if (!want_sig)
			continue;
		free(want_sig);
		memset(&prm, 0, sizeof(prm));
		prm.access_key = akid;
		prm.secret_key = secret;
		prm.session_token = token;
		prm.region = region;
		prm.service = service;
		prm.time = sec;
		prm.expires = 3600;
		{
			int64_t e;

			if (fy_json_int(&d, fy_json_get(&d, 0, "expiration_in_seconds"), &e) == 0)
				prm.expires = (long)e;
		}
		if (!ctx_bool(&d, "normalize"))
			prm.flags |= FY_SIGV4_NO_NORMALIZE;
		if (ctx_bool(&d, "omit_session_token"))
			prm.flags |= FY_SIGV4_OMIT_TOKEN;
		if (mode == 0 && ctx_bool(&d, "sign_body"))
			prm.flags |= FY_SIGV4_CONTENT_SHA256;
		memset(&rq, 0, sizeof(rq));
		rq.method = p.method;
		rq.path = p.path;
		rq.query = p.query;
		rq.headers = (const char *const *)p.lines;
		p.lines[p.nlines] = NULL;
		rq.payload_sha256 = body_hash;
		fy_sigv4_result_init(&res);
		fy_error_clear(&err);
		rc = mode == 0 ? fy_sigv4_sign(&prm, &rq, NULL, &res, &err)
			       : fy_sigv4_presign(&prm, &rq, NULL, &res, &err);
		if (rc < 0) {
			printf("%s %s FAIL (%s)\n", name, prefix, err.msg);
			bad = 1;
			fy_sigv4_result_release(&res);
			continue;
		}
		snprintf(file, sizeof(file), "%s-canonical-request.txt", prefix);
		c1 = compare(dir, file, res.canonical_request.ptr, verbose, "canonical request");
		snprintf(file, sizeof(file), "%s-string-to-sign.txt", prefix);
		c2 = compare(dir, file, res.string_to_sign.ptr, verbose, "string to sign");
		snprintf(file, sizeof(file), "%s-signature.txt", prefix);
		c3 = compare(dir, file, res.signature, verbose, "signature");
		printf("%s %s canonical=%s sts=%s signature=%s\n", name, prefix, mark(c1), mark(c2),
		       mark(c3));
		bad |= c1 == 0 || c2 == 0 || c3 == 0;
		fy_sigv4_result_release(&res);
	}
out:
	free(akid);
	free(secret);
	free(token);
	free(region);
	free(service);
	free(ts);
	fy_jdoc_release(&d);
	parsed_release(&p);
	free(ctx);
	free(req);
	return bad;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	const char *suite;
	char *names[256];
	size_t n = 0, i;
	int verbose = 0, bad = 0;
	struct dirent *de;
	DIR *dh;

	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = 1;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: sigv4-suite [-v] SUITE_DIR\n");
		return 2;
	}
	suite = argv[1];
	dh = opendir(suite);
	if (!dh) {
		perror(suite);
		return 2;
	}
	while ((de = readdir(dh)) && n < 256) {
		char probe[4096];
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(probe, sizeof(probe), "%s/%s/request.txt", suite, de->d_name);
		f = fopen(probe, "r");
		if (!f)
			continue;
		fclose(f);
		names[n++] = strdup(de->d_name);
	}
	closedir(dh);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		bad |= run_case(suite, names[i], verbose);
		free(names[i]);
	}
	return bad ? 1 : 0;
}
