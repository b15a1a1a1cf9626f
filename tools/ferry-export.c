/*
 * ferry-export - read a provider's state into a ferry archive.
 *
 *	ferry export [options] SOURCE -o FILE
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pump.h"
#include "record.h"
#include "tool.h"
#include "writer.h"

static const char usage[] = "usage: ferry export [options] SOURCE -o FILE\n";

static const char help[] =
	"\n"
	"Read everything SOURCE (ADAPTER:LOCATION) holds into the archive FILE\n"
	"('-' writes to standard output). The archive appears under its name only\n"
	"when complete; it is a zstd-compressed tar of JSON that tar, zstd and jq read.\n"
	"\n"
	"  -o, --output FILE     the archive to write (required)\n"
	"      --only KINDS      keep only these record kinds (agent,tool,knowledge,\n"
	"                        workflow,file,thread,message,memory)\n"
	"      --agent ID        keep one agent, the agents it hands off to, its\n"
	"                        threads and its memory\n"
	"      --since DATE      keep threads and memory changed at or after DATE\n"
	"      --id ID           export this conversation/response/thread id (API\n"
	"                        sources that cannot list everything: OpenAI has no\n"
	"                        call that lists conversations or responses); repeatable\n"
	"      --ids-from FILE   read ids, one per line ('-': standard input)\n"
	"      --option KEY=VAL  an adapter option (see the adapter's documentation)\n"
	"      --redact          replace credentials found in conversations, memory\n"
	"                        and configuration with [REDACTED:<kind>]\n"
	"      --time TIME       the archive's creation time (RFC 3339); default: the\n"
	"                        source's own time for files, now for live sources\n"
	"      --level N         zstd level, 1-19 (default 3)\n"
	"      --threads N       compression threads (default 2; output is identical)\n"
	"      --json            print a JSON summary on standard output\n"
	"  -q, --quiet           no progress or summary\n"
	"  -v, --verbose         more detail; twice for a trace\n"
	"  -h, --help            this help\n"
	"      --version         the version\n"
	"\n"
	"Adapters and their LOCATION forms: 'ferry adapters'. Exit status: 0 on\n"
	"success; see ferry-export(1) for the others.\n";

struct opts {
	const char *output;
	const char *time;
	int json;
	struct tool_source src;
};

static void print_summary(const struct tool *t, const struct opts *o,
			  const struct fy_writer_stats *st, const struct fy_pump_stats *ps, int redacted)
{
	char in[32], out[32];
	int k, first = 1;

	if (o->json) {
		printf("{\"archive\":");
		tool_json_str(stdout, o->output);
		printf(",\"members\":%llu,\"bytes\":%llu,\"compressed\":%llu,\"blobs\":%llu,"
		       "\"dropped\":%llu,\"records\":{",
		       (unsigned long long)st->members, (unsigned long long)st->bytes_in,
		       (unsigned long long)st->bytes_out, (unsigned long long)st->records.blobs,
		       (unsigned long long)ps->dropped);
		for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++) {
			printf("%s\"%s\":%llu", first ? "" : ",", fy_kind_name((enum fy_kind)k),
			       (unsigned long long)st->records.records[k]);
			first = 0;
		}
		printf("},\"warnings\":%llu,\"secrets\":%zu,\"credentials_in_text\":%llu,"
		       "\"redacted\":%s}\n",
		       (unsigned long long)st->records.warnings, st->records.nsecrets,
		       (unsigned long long)ps->secrets, redacted ? "true" : "false");
		return;
	}
	if (t->verbosity < 2 && !(t->verbosity == 1 && t->progress))
		return;
	tool_human_bytes(st->bytes_in, in, sizeof(in));
	tool_human_bytes(st->bytes_out, out, sizeof(out));
	fprintf(stderr, "%s: wrote %s:", t->prog, o->output);
	for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++)
		if (st->records.records[k])
			fprintf(stderr, " %llu %s,", (unsigned long long)st->records.records[k],
				tool_kind_label((enum fy_kind)k, st->records.records[k]));
	fprintf(stderr, " %llu blobs; %s in %s\n", (unsigned long long)st->records.blobs, in, out);
	if (st->records.warnings)
		fprintf(stderr, "%s: %llu parts had content ferry has no type for (kept verbatim)\n",
			t->prog, (unsigned long long)st->records.warnings);
}

static int parse_args(struct tool *t, int argc, char **argv, struct opts *o,
		      struct fy_adapter_ctx *ctx, const char **source)
{
	enum { O_TIME = 256, O_JSON, O_VERSION };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		TOOL_SOURCE_LONGOPTS,
		{ "time", required_argument, NULL, O_TIME },
		{ "json", no_argument, NULL, O_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	while ((c = getopt_long(argc, argv, "o:qvh", longopts, NULL)) != -1) {
		if (tool_source_option(t, c, optarg, ctx, &o->src, &rc) != 0) {
			if (rc != EXIT_OK)
				return rc;
			continue;
		}
		switch (c) {
		case 'o': o->output = optarg; break;
		case O_TIME: o->time = optarg; break;
		case O_JSON: o->json = 1; break;
		case 'q': t->verbosity = 0; break;
		case 'v': t->verbosity++; break;
		case 'h': tool_print_help(t, help); exit(tool_close_stdout(t));
		case O_VERSION: tool_print_version(t); exit(tool_close_stdout(t));
		default: return tool_usage_error(t, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return tool_usage_error(t, optind == argc ? "no SOURCE given" : "too many arguments");
	if (!o->output)
		return tool_usage_error(t, "no output given (-o FILE)");
	if (o->json && strcmp(o->output, "-") == 0)
		return tool_usage_error(t, "--json needs standard output; write the archive to a file");
	*source = argv[optind];
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct tool t;
	struct opts o;
	struct fy_adapter_ctx ctx;
	struct fy_export_options eo;
	struct fy_writer_stats st;
	struct fy_pump_stats ps;
	struct fy_error err;
	const char *source = NULL;
	int rc;

	tool_init(&t, "ferry-export", usage);
	memset(&o, 0, sizeof(o));
	tool_source_init(&o.src);
	fy_error_clear(&err);
	tool_ctx_init(&t, &ctx);
	memset(&eo, 0, sizeof(eo));
	rc = parse_args(&t, argc, argv, &o, &ctx, &source);
	if (rc != EXIT_OK)
		goto out;
	if (o.time && fy_time_parse_user(o.time, &eo.created) < 0) {
		rc = tool_usage_error(&t, "--time: '%s' is not an RFC 3339 time", o.time);
		goto out;
	}
	eo.created_set = o.time != NULL;
	ctx.verbosity = t.verbosity;
	tool_source_apply(&o.src, &ctx);
	tool_signals();
	eo.source = source;
	eo.output = o.output;
	eo.level = o.src.level;
	eo.threads = o.src.threads;
	if (fy_export(&ctx, &eo, &tool_interrupted, &st, &ps, &err) < 0) {
		rc = tool_fail(&t, &err);
		goto out;
	}
	tool_progress_end(&t);
	tool_say_credentials(&t, &ctx, ps.secrets);
	print_summary(&t, &o, &st, &ps, ctx.secrets == FY_SECRETS_REDACT);
	rc = tool_close_stdout(&t);
out:
	tool_source_release(&o.src);
	return rc;
}
