/*
 * http_probe.c - a test driver for adapters/http.c: performs requests
 * against BASE and prints one line per request,
 *	PATH STATUS ATTEMPTS BYTES
 * or "PATH error: MESSAGE". Exit 0 when every request got a response.
 *
 *	http-probe [--rate R] [--concurrency C] [--retries N] [--max B]
 *	           [--stall S] [--backoff MS] [--header H]... [--secret S]...
 *	           [--print-body] [-v|-vv]
 *	           [--upload FILE --head TEXT --tail TEXT] [--no-retry]
 *	           BASE PATH...
 * With --upload every request is a POST whose body is TEXT (head), the
 * bytes of FILE (read from its descriptor on every attempt), then TEXT
 * (tail): the engine's streamed multipart form.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http.h"

static void logf_(void *cb, enum fy_log_level level, const char *fmt, ...)
{
	va_list ap;

	(void)cb;
	(void)level;
	va_start(ap, fmt);
	fputs("trace: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rate", required_argument, NULL, 'r' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "retries", required_argument, NULL, 'n' },
		{ "max", required_argument, NULL, 'm' },
		{ "stall", required_argument, NULL, 's' },
		{ "backoff", required_argument, NULL, 'b' },
		{ "header", required_argument, NULL, 'H' },
		{ "secret", required_argument, NULL, 'S' },
		{ "print-body", no_argument, NULL, 'P' },
		{ "upload", required_argument, NULL, 'U' },
		{ "head", required_argument, NULL, 'A' },
		{ "tail", required_argument, NULL, 'Z' },
		{ "no-retry", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	const char *headers[16];
	const char *secrets[8];
	size_t nh = 0, ns = 0, i, n;
	struct fy_http_options o;
	struct fy_http_request *rq;
	struct fy_http_response *rs;
	struct fy_error err;
	struct fy_http *h;
	int c, rc = 0, print_body = 0, upload_fd = -1, no_retry = 0;
	const char *head = "", *tail = "";
	struct stat st;

	fy_http_options_init(&o, "probe", NULL);
	o.backoff_base_ms = 50;
	o.log = logf_;
	while ((c = getopt_long(argc, argv, "v", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o.rate = atof(optarg); break;
		case 'c': o.concurrency = atoi(optarg); break;
		case 'n': o.max_retries = atoi(optarg); break;
		case 'm': o.max_response = (size_t)atol(optarg); break;
		case 's': o.stall_timeout_s = atol(optarg); break;
		case 'b': o.backoff_base_ms = atol(optarg); break;
		case 'H': if (nh < 15) headers[nh++] = optarg; break;
		case 'S': if (ns < 8) secrets[ns++] = optarg; break;
		case 'P': print_body = 1; break;
		case 'U':
			upload_fd = open(optarg, O_RDONLY);
			if (upload_fd < 0 || fstat(upload_fd, &st) < 0) {
				perror(optarg);
				return 2;
			}
			break;
		case 'A': head = optarg; break;
		case 'Z': tail = optarg; break;
		case 'N': no_retry = 1; break;
		case 'v': o.verbosity = o.verbosity ? o.verbosity + 1 : 2; break;
		default: return 2;
		}
	}
	headers[nh] = NULL;
	if (argc - optind < 2) {
		fprintf(stderr, "usage: http-probe [options] BASE PATH...\n");
		return 2;
	}
	o.base_url = argv[optind];
	h = fy_http_new(&o, &err);
	if (!h) {
		printf("error: %s\n", err.msg);
		return 1;
	}
	for (i = 0; i < ns; i++)
		fy_http_add_secret(h, secrets[i]);
	n = (size_t)(argc - optind - 1);
	rq = calloc(n, sizeof(*rq));
	rs = calloc(n, sizeof(*rs));
	for (i = 0; i < n; i++) {
		fy_http_request_init(&rq[i], "GET", argv[optind + 1 + i]);
		rq[i].headers = headers;
		rq[i].no_retry = no_retry;
		if (upload_fd >= 0) {
			rq[i].method = "POST";
			rq[i].body_fd = upload_fd;
			rq[i].body_len = (size_t)st.st_size;
			rq[i].body_head = head;
			rq[i].body_head_len = strlen(head);
			rq[i].body_tail = tail;
			rq[i].body_tail_len = strlen(tail);
			rq[i].content_type = "application/octet-stream";
		}
		fy_http_response_init(&rs[i]);
	}
	if (fy_http_do_many(h, rq, rs, n, &err) < 0) {
		printf("error: %s\n", err.msg);
		rc = 1;
	}
	for (i = 0; i < n; i++) {
		if (rs[i].status) {
			struct fy_error e2;

			printf("%s %ld %d %zu\n", rq[i].path, rs[i].status, rs[i].attempts, rs[i].body.len);
			if (print_body && rs[i].body.ptr)
				printf("%s\n", rs[i].body.ptr);
			if (fy_http_check(h, &rs[i], rq[i].path, &e2) < 0)
				printf("check: %s [%s]\n", e2.msg, fy_errcode_name(e2.code));
		}
		fy_http_response_release(&rs[i]);
	}
	free(rq);
	free(rs);
	if (upload_fd >= 0)
		close(upload_fd);
	fy_http_free(h);
	return rc;
}
