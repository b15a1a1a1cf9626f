/*
 * ferry-migrate - export a provider's state and import it into another,
 * as one run, plan first.
 *
 *	ferry migrate [options] SOURCE TARGET
 *
 * The run, in order (nothing is written at TARGET before step 4):
 *  1. export SOURCE into an archive (a temporary file; --keep FILE keeps
 *     it), with the export filters (--only, --agent, --since, --thread);
 *  2. read the archive back, verifying every checksum, schema and
 *     reference; a target that can plan (FY_ADAPTER_DRY_RUN) converts
 *     everything in this pass without writing, which gives the import's
 *     ledger before anything is written;
 *  3. print the plan: record counts and the ledger (what will not cross
 *     unchanged); --dry-run stops here;
 *  4. import the verified archive into TARGET (all or nothing: the target
 *     appears only when complete);
 *  5. with --keep, rewrite the archive at FILE with the import's ledger
 *     lines added (ledger/NNNNNN.jsonl), so the archive records every
 *     item that did not cross unchanged, at export and at import;
 *  6. report: the ledger lines of both phases (text, or --json).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pump.h"
#include "reader.h"
#include "record.h"
#include "registry.h"
#include "tool.h"
#include "writer.h"

static const char usage[] = "usage: ferry migrate [options] SOURCE TARGET\n";

static const char help[] =
	"\n"
	"Export SOURCE (ADAPTER:LOCATION) into an archive, verify it, print the plan\n"
	"and the ledger of what will not cross unchanged, then import it into TARGET.\n"
	"Nothing is written at TARGET until the archive has verified; the target\n"
	"appears only when complete, and nothing there is overwritten.\n"
	"\n"
	"      --keep FILE        keep the archive at FILE, with the import's ledger\n"
	"                         lines added (default: a temporary archive, removed)\n"
	"      --dry-run          export, verify and plan; write nothing at TARGET\n"
	"      --thread ID        migrate only this conversation (its ferry id or the\n"
	"                         provider's id); repeatable\n"
	"      --since DATE       only conversations and memory changed at or after DATE\n"
	"      --agent ID         one agent, the agents it hands off to, its threads\n"
	"                         and its memory\n"
	"      --only KINDS       only these record kinds\n"
	"      --option KEY=VAL   a target adapter option (letta-af: agents=account|thread,\n"
	"                         agent-name=NAME, model=PROVIDER/NAME, context-messages=N)\n"
	"      --source-option KEY=VAL  a source adapter option\n"
	"      --time TIME        the archive's creation time (RFC 3339)\n"
	"      --json             print the plan and the report as one JSON object\n"
	"  -q, --quiet           print nothing but errors\n"
	"  -v, --verbose         more detail; twice for a trace\n"
	"  -h, --help            this help\n"
	"      --version         the version\n"
	"\n"
	"Exit status: 0 on success; see ferry-migrate(1) for the others.\n";

struct opts {
	const char *keep, *time;
	int dry_run, json;
	char **threads, **options, **src_options;
	size_t nthreads, noptions, nsrc_options;
};

struct run {
	struct tool *t;
	struct opts *o;
	const char *source, *target;
	const struct fy_adapter *src_ad, *dst_ad;
	struct fy_adapter_ctx sctx, dctx;
	char tmpdir[PATH_MAX], archive[PATH_MAX];
	struct tool_ledger export_ledger, import_ledger;
	struct fy_stats stats;
	uint64_t blobs;
	int planned;		/* the import ledger came from a dry-run pass */
};

static void print_counts(FILE *f, const struct fy_stats *st)
{
	int k, first = 1;

	for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++) {
		if (!st->records[k])
			continue;
		fprintf(f, "%s%llu %s", first ? "" : ", ", (unsigned long long)st->records[k],
			tool_kind_label((enum fy_kind)k, st->records[k]));
		first = 0;
	}
	fprintf(f, "%s%llu blob%s", first ? "" : ", ", (unsigned long long)st->blobs,
		st->blobs == 1 ? "" : "s");
}

/* 1: export SOURCE into the temporary archive. */
static int export_pass(struct run *r, struct fy_error *err)
{
	struct fy_source_info info;
	struct fy_writer_options wo;
	struct fy_writer *w = NULL;
	struct fy_pump_stats ps;
	void *src = NULL;
	char *scope = NULL;
	int rc = -1;

	memset(&info, 0, sizeof(info));
	if (r->src_ad->read_open(&r->sctx, &src, &info, err) < 0)
		return fy_error_prefix(err, "%s", r->source);
	fy_writer_options_init(&wo);
	wo.producer = r->sctx.producer;
	wo.created = info.created ? info.created : (int64_t)time(NULL);
	if (r->o->time && fy_time_parse_user(r->o->time, &wo.created) < 0) {
		fy_error_set(err, FY_E_USAGE, "--time: '%s' is not an RFC 3339 time", r->o->time);
		goto out;
	}
	wo.source_adapter = info.adapter[0] ? info.adapter : r->src_ad->name;
	wo.source_location = info.location[0] ? info.location : r->sctx.location;
	wo.source_account = info.account[0] ? info.account : NULL;
	scope = fy_pump_scope_json(&r->sctx);
	wo.scope_json = scope;
	w = fy_writer_open(r->archive, &wo, err);
	if (!w)
		goto out;
	if (fy_pump(r->src_ad, src, &r->sctx, w, &tool_interrupted, &ps, err) < 0 ||
	    fy_writer_close(w, NULL, err) < 0) {
		fy_error_prefix(err, "%s", r->source);
		goto out;
	}
	rc = 0;
out:
	fy_writer_free(w);
	r->src_ad->read_close(src);
	free(scope);
	return rc;
}

/*
 * 2 and 4: read the archive (verifying it) into the target's sink; with
 * dry set, the sink converts without writing (a plan). Export ledger
 * lines met in the archive are collected once.
 */
static int import_pass(struct run *r, int dry, struct fy_error *err)
{
	struct fy_reader *rd = fy_reader_open(r->archive, NULL, err);
	struct fy_item it;
	void *sink = NULL;
	int got, rc = -1;

	if (!rd)
		return -1;
	r->dctx.dry_run = dry;
	r->t->ledger = &r->import_ledger;
	/* the lines of this pass replace the plan's */
	tool_ledger_release(&r->import_ledger);
	tool_ledger_init(&r->import_ledger);
	if ((!dry || r->planned) && r->dst_ad->write_open(&r->dctx, fy_reader_header(rd), &sink, err) < 0) {
		fy_error_prefix(err, "%s", r->target);
		goto out;
	}
	while ((got = fy_reader_next(rd, &it, err)) == 1) {
		if (tool_interrupted) {
			fy_error_set(err, FY_E_INTERNAL, "interrupted");
			got = -1;
			break;
		}
		if (it.type == FY_ITEM_LEDGER && dry &&
		    tool_ledger_add_line(&r->export_ledger, it.json, it.len, err) < 0) {
			got = -1;
			break;
		}
		if (sink && r->dst_ad->write_put(sink, &it, err) < 0) {
			if (it.member && it.line)
				fy_error_prefix(err, "%s: %s line %llu", r->target, it.member,
						(unsigned long long)it.line);
			else
				fy_error_prefix(err, "%s", r->target);
			goto out;
		}
	}
	if (got < 0) {
		fy_error_prefix(err, "%s", r->archive);
		goto out;
	}
	r->stats = *fy_reader_stats(rd);
	if (sink && r->dst_ad->write_finish(sink, err) < 0) {
		fy_error_prefix(err, "%s", r->target);
		goto out;
	}
	rc = 0;
out:
	if (sink)
		r->dst_ad->write_close(sink);
	r->t->ledger = NULL;
	fy_reader_free(rd);
	return rc;
}

/* 5: the archive again at --keep, with the import's ledger lines. */
static int keep_pass(struct run *r, struct fy_error *err)
{
	struct fy_reader *rd = fy_reader_open(r->archive, NULL, err);
	const struct fy_header *h;
	struct fy_writer_options wo;
	struct fy_writer *w = NULL;
	struct fy_item it;
	const char *p, *end;
	int got, rc = -1;

	if (!rd)
		return -1;
	h = fy_reader_header(rd);
	fy_writer_options_init(&wo);
	wo.producer = r->sctx.producer;
	wo.created = h->created_sec;
	wo.source_adapter = h->source_adapter;
	wo.source_location = h->source_location;
	wo.source_account = h->source_account;
	wo.scope_json = h->scope_json;
	w = fy_writer_open(r->o->keep, &wo, err);
	if (!w)
		goto out;
	while ((got = fy_reader_next(rd, &it, err)) == 1)
		if (fy_writer_put_item(w, &it, err) < 0)
			goto out;
	if (got < 0)
		goto out;
	p = r->import_ledger.lines.ptr;
	end = p ? p + r->import_ledger.lines.len : NULL;
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (fy_writer_put_ledger(w, p, n, err) < 0)
			goto out;
		p += n + 1;
	}
	if (fy_writer_close(w, NULL, err) < 0)
		goto out;
	rc = 0;
out:
	fy_writer_free(w);
	fy_reader_free(rd);
	if (rc < 0)
		fy_error_prefix(err, "%s", r->o->keep);
	return rc;
}

static void print_ledger_json(const struct tool_ledger *l, int *first)
{
	const char *p = l->lines.ptr, *end = p ? p + l->lines.len : NULL;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		printf("%s", *first ? "" : ",");
		fwrite(p, 1, n, stdout);
		*first = 0;
		p += n + 1;
	}
}

static void print_json(const struct run *r, int done)
{
	int k, first = 1;

	printf("{\"source\":");
	tool_json_str(stdout, r->source);
	printf(",\"target\":");
	tool_json_str(stdout, r->target);
	printf(",\"archive\":");
	if (r->o->keep && (done || r->o->dry_run))
		tool_json_str(stdout, r->o->keep);
	else
		printf("null");
	printf(",\"dry_run\":%s,\"imported\":%s,\"records\":{", r->o->dry_run ? "true" : "false",
	       done && !r->o->dry_run ? "true" : "false");
	for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++) {
		printf("%s\"%s\":%llu", first ? "" : ",", fy_kind_name((enum fy_kind)k),
		       (unsigned long long)r->stats.records[k]);
		first = 0;
	}
	printf("},\"blobs\":%llu,\"ledger\":{\"lines\":%llu,\"outcomes\":{",
	       (unsigned long long)r->stats.blobs,
	       (unsigned long long)(r->export_ledger.count + r->import_ledger.count));
	first = 1;
	for (k = 0; tool_ledger_outcomes[k]; k++) {
		printf("%s\"%s\":%llu", first ? "" : ",", tool_ledger_outcomes[k],
		       (unsigned long long)(r->export_ledger.outcomes[k] + r->import_ledger.outcomes[k]));
		first = 0;
	}
	printf("},\"items\":[");
	first = 1;
	print_ledger_json(&r->export_ledger, &first);
	print_ledger_json(&r->import_ledger, &first);
	printf("]}}\n");
}

static void print_plan(const struct run *r)
{
	struct tool_ledger all;
	char sum[256];
	int k;

	printf("plan: %s -> %s\n  ", r->source, r->target);
	print_counts(stdout, &r->stats);
	printf("\n");
	memset(&all, 0, sizeof(all));
	all.count = r->export_ledger.count + r->import_ledger.count;
	for (k = 0; k < 8; k++)
		all.outcomes[k] = r->export_ledger.outcomes[k] + r->import_ledger.outcomes[k];
	tool_ledger_summary(&all, sum, sizeof(sum));
	printf("  ledger: %s%s\n", sum,
	       r->planned || !r->import_ledger.count ? "" : " (the target cannot plan: import lines follow)");
	tool_ledger_print(stdout, &r->export_ledger, "    ");
	tool_ledger_print(stdout, &r->import_ledger, "    ");
	fflush(stdout);
}

static int migrate(struct run *r, struct fy_error *err)
{
	struct stat st;

	/* 1 */
	if (export_pass(r, err) < 0)
		return -1;
	/* 2: verify, and plan where the target can */
	r->planned = (r->dst_ad->flags & FY_ADAPTER_DRY_RUN) != 0;
	if (import_pass(r, 1, err) < 0)
		return -1;
	/* 3 */
	if (!r->o->json && r->t->verbosity >= 1)
		print_plan(r);
	if (r->o->dry_run) {
		if (r->o->keep && keep_pass(r, err) < 0)
			return -1;
		return 0;
	}
	/* 4 */
	if (import_pass(r, 0, err) < 0)
		return -1;
	/* 5 */
	if (r->o->keep && keep_pass(r, err) < 0)
		return -1;
	if (!r->o->json && r->t->verbosity >= 1) {
		printf("migrated %s to %s", r->source, r->target);
		if (r->o->keep && stat(r->o->keep, &st) == 0)
			printf("; the archive, with its ledger, is %s", r->o->keep);
		printf("\n");
		if (!r->planned && r->import_ledger.count)
			tool_ledger_print(stdout, &r->import_ledger, "    ");
	}
	return 0;
}

static int parse_args(struct tool *t, int argc, char **argv, struct opts *o, struct fy_adapter_ctx *sctx,
		      const char **source, const char **target)
{
	enum { O_KEEP = 256, O_DRY, O_THREAD, O_SINCE, O_AGENT, O_ONLY, O_OPTION, O_SOPTION, O_TIME,
	       O_JSON, O_VERSION };
	static const struct option longopts[] = {
		{ "keep", required_argument, NULL, O_KEEP },
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "thread", required_argument, NULL, O_THREAD },
		{ "since", required_argument, NULL, O_SINCE },
		{ "agent", required_argument, NULL, O_AGENT },
		{ "only", required_argument, NULL, O_ONLY },
		{ "option", required_argument, NULL, O_OPTION },
		{ "source-option", required_argument, NULL, O_SOPTION },
		{ "time", required_argument, NULL, O_TIME },
		{ "json", no_argument, NULL, O_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct fy_error err;
	int c;

	while ((c = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
		switch (c) {
		case O_KEEP: o->keep = optarg; break;
		case O_DRY: o->dry_run = 1; break;
		case O_THREAD:
			if (tool_list_add(&o->threads, &o->nthreads, optarg) < 0)
				return EXIT_FAILURE_;
			break;
		case O_SINCE:
			if (fy_time_parse_user(optarg, &sctx->since) < 0)
				return tool_usage_error(t, "--since: '%s' is not a date or RFC 3339 time", optarg);
			break;
		case O_AGENT: sctx->agent = optarg; break;
		case O_ONLY:
			if (fy_kind_parse_list(optarg, &sctx->kinds, &err) < 0)
				return tool_usage_error(t, "%s", err.msg);
			break;
		case O_OPTION:
		case O_SOPTION:
			if (!strchr(optarg, '='))
				return tool_usage_error(t, "%s takes KEY=VALUE",
							c == O_OPTION ? "--option" : "--source-option");
			if (tool_list_add(c == O_OPTION ? &o->options : &o->src_options,
					  c == O_OPTION ? &o->noptions : &o->nsrc_options, optarg) < 0)
				return EXIT_FAILURE_;
			break;
		case O_TIME: o->time = optarg; break;
		case O_JSON: o->json = 1; break;
		case 'q': t->verbosity = 0; break;
		case 'v': t->verbosity++; break;
		case 'h': tool_print_help(t, help); exit(tool_close_stdout(t));
		case O_VERSION: tool_print_version(t); exit(tool_close_stdout(t));
		default: return tool_usage_error(t, "unknown option");
		}
	}
	if (argc - optind != 2)
		return tool_usage_error(t, argc - optind < 2 ? "SOURCE and TARGET are required" :
							       "too many arguments");
	if (o->keep && strcmp(o->keep, "-") == 0)
		return tool_usage_error(t, "--keep needs a file name");
	*source = argv[optind];
	*target = argv[optind + 1];
	return EXIT_OK;
}

static void free_list(char **v, size_t n)
{
	while (n)
		free(v[--n]);
	free(v);
}

int main(int argc, char **argv)
{
	struct tool t;
	struct opts o;
	struct run r;
	struct fy_error err;
	int rc;

	tool_init(&t, "ferry-migrate", usage);
	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	fy_error_clear(&err);
	r.t = &t;
	r.o = &o;
	tool_ctx_init(&t, &r.sctx);
	rc = parse_args(&t, argc, argv, &o, &r.sctx, &r.source, &r.target);
	if (rc != EXIT_OK)
		goto out;
	tool_ctx_init(&t, &r.dctx);
	r.sctx.verbosity = r.dctx.verbosity = t.verbosity;
	r.sctx.threads = (const char *const *)o.threads;
	r.sctx.nthreads = o.nthreads;
	r.sctx.options = (const char *const *)o.src_options;
	r.sctx.noptions = o.nsrc_options;
	r.dctx.options = (const char *const *)o.options;
	r.dctx.noptions = o.noptions;
	tool_ledger_init(&r.export_ledger);
	tool_ledger_init(&r.import_ledger);
	tool_signals();
	if (fy_location_parse(r.source, &r.src_ad, &r.sctx.location, &err) < 0 ||
	    fy_location_parse(r.target, &r.dst_ad, &r.dctx.location, &err) < 0) {
		rc = tool_fail(&t, &err);
		goto out;
	}
	if (!(r.src_ad->flags & FY_ADAPTER_READ) || !(r.dst_ad->flags & FY_ADAPTER_WRITE)) {
		fy_error_set(&err, FY_E_UNSUPPORTED, "adapter '%s' cannot be %s",
			     !(r.src_ad->flags & FY_ADAPTER_READ) ? r.src_ad->name : r.dst_ad->name,
			     !(r.src_ad->flags & FY_ADAPTER_READ) ? "read from" : "written to");
		rc = tool_fail(&t, &err);
		goto out;
	}
	r.sctx.name = r.src_ad->name;
	r.dctx.name = r.dst_ad->name;
	{
		const char *tmp = getenv("TMPDIR");

		snprintf(r.tmpdir, sizeof(r.tmpdir), "%s/ferry-migrate-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(r.tmpdir)) {
			fy_error_errno(&err, errno, "temporary folder %s", r.tmpdir);
			r.tmpdir[0] = '\0';
			rc = tool_fail(&t, &err);
			goto out;
		}
		snprintf(r.archive, sizeof(r.archive), "%s/export.ferry", r.tmpdir);
	}
	if (migrate(&r, &err) < 0) {
		rc = tool_fail(&t, &err);
		if (o.json)
			print_json(&r, 0);
		goto out;
	}
	if (o.json)
		print_json(&r, 1);
	rc = tool_close_stdout(&t);
out:
	if (r.archive[0])
		unlink(r.archive);
	if (r.tmpdir[0])
		rmdir(r.tmpdir);
	tool_ledger_release(&r.export_ledger);
	tool_ledger_release(&r.import_ledger);
	free_list(o.threads, o.nthreads);
	free_list(o.options, o.noptions);
	free_list(o.src_options, o.nsrc_options);
	return rc;
}
