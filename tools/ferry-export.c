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
#include "registry.h"
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
	int level, threads, json;
	char **ids;
	size_t nids;
	char **options;
	size_t noptions;
};

static void print_summary(const struct tool *t, const struct opts *o,
			  const struct fy_writer_stats *st, const struct fy_pump_stats *ps)
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
		printf("},\"warnings\":%llu,\"secrets\":%zu}\n",
		       (unsigned long long)st->records.warnings, st->records.nsecrets);
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
	enum { O_ONLY = 256, O_AGENT, O_SINCE, O_ID, O_IDS, O_OPTION, O_TIME, O_LEVEL,
	       O_THREADS, O_JSON, O_VERSION };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "only", required_argument, NULL, O_ONLY },
		{ "agent", required_argument, NULL, O_AGENT },
		{ "since", required_argument, NULL, O_SINCE },
		{ "id", required_argument, NULL, O_ID },
		{ "ids-from", required_argument, NULL, O_IDS },
		{ "option", required_argument, NULL, O_OPTION },
		{ "time", required_argument, NULL, O_TIME },
		{ "level", required_argument, NULL, O_LEVEL },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "json", no_argument, NULL, O_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct fy_error err;
	int c, rc;

	while ((c = getopt_long(argc, argv, "o:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o->output = optarg; break;
		case O_ONLY:
			if (fy_kind_parse_list(optarg, &ctx->kinds, &err) < 0)
				return tool_usage_error(t, "%s", err.msg);
			break;
		case O_AGENT: ctx->agent = optarg; break;
		case O_SINCE:
			if (fy_time_parse_user(optarg, &ctx->since) < 0)
				return tool_usage_error(t, "--since: '%s' is not a date or RFC 3339 time", optarg);
			break;
		case O_ID:
			if (tool_list_add(&o->ids, &o->nids, optarg) < 0)
				return EXIT_FAILURE_;
			break;
		case O_IDS:
			if ((rc = tool_read_ids(t, optarg, &o->ids, &o->nids)) != EXIT_OK)
				return rc;
			break;
		case O_OPTION:
			if (!strchr(optarg, '='))
				return tool_usage_error(t, "--option takes KEY=VALUE");
			if (tool_list_add(&o->options, &o->noptions, optarg) < 0)
				return EXIT_FAILURE_;
			break;
		case O_TIME: o->time = optarg; break;
		case O_LEVEL:
			o->level = atoi(optarg);
			if (o->level < 1 || o->level > 19)
				return tool_usage_error(t, "--level takes 1 to 19");
			break;
		case O_THREADS:
			o->threads = atoi(optarg);
			if (o->threads < 1 || o->threads > 64)
				return tool_usage_error(t, "--threads takes 1 to 64");
			break;
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
	struct fy_source_info info;
	struct fy_writer_options wo;
	struct fy_writer_stats st;
	struct fy_pump_stats ps;
	struct fy_error err;
	const struct fy_adapter *ad;
	struct fy_writer *w = NULL;
	const char *source = NULL;
	void *src = NULL;
	char *scope = NULL;
	int rc;

	tool_init(&t, "ferry-export", usage);
	memset(&o, 0, sizeof(o));
	o.level = 3;
	o.threads = 2;
	fy_error_clear(&err);
	tool_ctx_init(&t, &ctx);
	rc = parse_args(&t, argc, argv, &o, &ctx, &source);
	if (rc != EXIT_OK)
		return rc;
	ctx.verbosity = t.verbosity;
	ctx.ids = (const char *const *)o.ids;
	ctx.nids = o.nids;
	ctx.options = (const char *const *)o.options;
	ctx.noptions = o.noptions;
	tool_signals();
	if (fy_location_parse(source, &ad, &ctx.location, &err) < 0)
		return tool_fail(&t, &err);
	if (!(ad->flags & FY_ADAPTER_READ)) {
		fy_error_set(&err, FY_E_UNSUPPORTED, "adapter '%s' cannot be read from", ad->name);
		return tool_fail(&t, &err);
	}
	ctx.name = ad->name;
	memset(&info, 0, sizeof(info));
	if (ad->read_open(&ctx, &src, &info, &err) < 0)
		return tool_fail(&t, &err);
	fy_writer_options_init(&wo);
	wo.producer = ctx.producer;
	wo.created = info.created ? info.created : (int64_t)time(NULL);
	if (o.time && fy_time_parse_user(o.time, &wo.created) < 0) {
		rc = tool_usage_error(&t, "--time: '%s' is not an RFC 3339 time", o.time);
		goto out;
	}
	wo.source_adapter = info.adapter[0] ? info.adapter : ad->name;
	wo.source_location = info.location[0] ? info.location : ctx.location;
	wo.source_account = info.account[0] ? info.account : NULL;
	scope = fy_pump_scope_json(&ctx);
	wo.scope_json = scope;
	wo.level = o.level;
	wo.threads = o.threads;
	w = fy_writer_open(o.output, &wo, &err);
	if (!w) {
		rc = tool_fail(&t, &err);
		goto out;
	}
	if (fy_pump(ad, src, &ctx, w, &tool_interrupted, &ps, &err) < 0 ||
	    fy_writer_close(w, &st, &err) < 0) {
		fy_error_prefix(&err, "%s", source);
		rc = tool_fail(&t, &err);
		goto out;
	}
	tool_progress_end(&t);
	print_summary(&t, &o, &st, &ps);
	rc = tool_close_stdout(&t);
out:
	fy_writer_free(w);
	ad->read_close(src);
	free(scope);
	while (o.nids)
		free(o.ids[--o.nids]);
	free(o.ids);
	while (o.noptions)
		free(o.options[--o.noptions]);
	free(o.options);
	return rc;
}
