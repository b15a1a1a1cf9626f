/*
 * ferry-verify - check an archive completely: zstd and tar structure,
 * member names, every SHA-256 against the manifest and SHA256SUMS, every
 * record against its schema, and every reference between records.
 *
 *	ferry verify [-q] [--json] FILE...
 */
#include <getopt.h>
#include <string.h>

#include "reader.h"
#include "tool.h"

static const char usage[] = "usage: ferry verify [-q] [--json] FILE...\n";

static const char help[] =
	"\n"
	"Verify each archive FILE ('-': standard input). Exit 0 only when every\n"
	"checksum, schema and cross-reference holds (messages to threads, parents\n"
	"to messages, file and blob references to their content, agents to their\n"
	"tools, knowledge and memory). The first fault is reported in one line.\n"
	"\n"
	"      --json            one JSON object per archive on standard output\n"
	"  -q, --quiet           print nothing on success\n"
	"  -h, --help            this help\n"
	"      --version         the version\n";

static int verify_one(struct tool *t, const char *file, int json)
{
	struct fy_error err;
	struct fy_reader *r;
	struct fy_item it;
	uint64_t records = 0;
	int got, rc = EXIT_OK, k;

	fy_error_clear(&err);
	r = fy_reader_open(file, NULL, &err);
	got = -1;
	if (r)
		while ((got = fy_reader_next(r, &it, &err)) == 1)
			if (tool_interrupted) {
				fy_error_set(&err, FY_E_INTERNAL, "interrupted");
				got = -1;
				break;
			}
	if (got < 0) {
		fy_error_prefix(&err, "%s", file);
		rc = tool_fail(t, &err);
	}
	if (r)
		for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++)
			records += fy_reader_stats(r)->records[k];
	if (json) {
		printf("{\"archive\":");
		tool_json_str(stdout, file);
		printf(",\"ok\":%s", rc == EXIT_OK ? "true" : "false");
		if (rc == EXIT_OK)
			printf(",\"members\":%llu,\"records\":%llu",
			       (unsigned long long)fy_reader_summary(r)->members,
			       (unsigned long long)records);
		else {
			printf(",\"error\":");
			tool_json_str(stdout, err.msg);
			printf(",\"kind\":\"%s\"", fy_errcode_name(err.code));
		}
		printf(",\"exit\":%d}\n", rc);
	} else if (rc == EXIT_OK && t->verbosity > 0) {
		printf("%s: ok (%llu members, %llu records, %llu blobs)\n", file,
		       (unsigned long long)fy_reader_summary(r)->members, (unsigned long long)records,
		       (unsigned long long)fy_reader_stats(r)->blobs);
	}
	fy_reader_free(r);
	return rc;
}

int main(int argc, char **argv)
{
	enum { O_JSON = 256, O_VERSION };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct tool t;
	int c, json = 0, rc = EXIT_OK, i, out;

	tool_init(&t, "ferry-verify", usage);
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case O_JSON: json = 1; break;
		case 'q': t.verbosity = 0; break;
		case 'h': tool_print_help(&t, help); return tool_close_stdout(&t);
		case O_VERSION: tool_print_version(&t); return tool_close_stdout(&t);
		default: return tool_usage_error(&t, "unknown option");
		}
	}
	if (optind >= argc)
		return tool_usage_error(&t, "no FILE given");
	tool_signals();
	for (i = optind; i < argc; i++) {
		int one = verify_one(&t, argv[i], json);

		if (rc == EXIT_OK)
			rc = one;
	}
	out = tool_close_stdout(&t);
	return rc != EXIT_OK ? rc : out;
}
