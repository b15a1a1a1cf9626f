/*
 * ferry-migrate - export a provider's state and import it into another,
 * as one run, plan first.
 *
 *	ferry migrate [options] SOURCE TARGET
 *
 * The run, in order (nothing is written at TARGET before step 4):
 *  1. export SOURCE into an archive (a temporary file), with the export
 *     filters (--only, --agent, --since, --thread);
 *  2. plan: the fidelity engine reads the archive (verifying every
 *     checksum, schema and reference) and computes what happens to every
 *     item at TARGET (plan.h, as ferry import and ferry audit do);
 *  3. print the plan; --dry-run stops here; a plan that loses anything
 *     stops here too (exit 12) unless --accept-loss, as ferry import does;
 *  4. import: the same code as ferry import (plan_execute); the tool and
 *     the target's sink report what they did in the done-ledger, which is
 *     compared with the plan (a difference: exit 10);
 *  5. with --keep FILE, write the archive at FILE with the import's ledger
 *     lines added (ledger/NNNNNN.jsonl; with --dry-run, the plan's), so it
 *     records every item that did not cross unchanged, at export and at
 *     import; without it the archive is a temporary file, removed;
 *  6. report: every ledger line of both phases (text, or --json).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "plan.h"
#include "pump.h"
#include "reader.h"
#include "record.h"
#include "registry.h"
#include "tool.h"
#include "writer.h"

static const char usage[] = "usage: ferry migrate [options] SOURCE TARGET\n";

static const char help[] =
	"\n"
	"Export SOURCE (ADAPTER:LOCATION) into an archive, plan the import into TARGET\n"
	"(what happens to every item: preserved, transformed, emulated, degraded,\n"
	"held back, dropped), print the plan, then import. Nothing is written at\n"
	"TARGET until the archive has verified and the plan is accepted; the target\n"
	"appears only when complete, and nothing there is overwritten.\n"
	"\n"
	"      --keep FILE        keep the archive at FILE, with the import's ledger\n"
	"                         lines added (default: a temporary archive, removed)\n"
	"      --dry-run          export, verify and plan; write nothing at TARGET\n"
	"      --accept-loss      migrate even when items would be degraded, held back\n"
	"                         (secrets to rebind) or dropped\n"
	"      --thread ID        migrate only this conversation (its ferry id or the\n"
	"                         provider's id); repeatable\n"
	"      --since DATE       only conversations and memory changed at or after DATE\n"
	"      --agent ID         one agent, the agents it hands off to, its threads\n"
	"                         and its memory\n"
	"      --only KINDS       only these record kinds\n"
	"      --id ID, --ids-from FILE  the ids an API source cannot list\n"
	"      --option KEY=VAL   a target adapter option (letta-af: agents=account|thread,\n"
	"                         agent-name=NAME, model=PROVIDER/NAME, context-messages=N)\n"
	"      --source-option KEY=VAL  a source adapter option\n"
	"      --model-policy FILE  map models with this policy (default: built in)\n"
	"      --model-platform P   the model platform of the target (e.g. bedrock)\n"
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
	char **threads, **options;	/* --thread; --option (the target's) */
	size_t nthreads, noptions;
	struct tool_source src;		/* the source's filters and --source-option */
	struct plan_opts po;
};

struct run {
	struct tool *t;
	struct opts *o;
	const char *source, *target;
	const struct fy_adapter *src_ad, *dst_ad;
	struct fy_adapter_ctx sctx, dctx;
	char tmpdir[PATH_MAX], archive[PATH_MAX], lpath[PATH_MAX];
	struct plan plan, exec;
	struct done_ledger done;
	int imported;
	uint64_t diffs;
};

/* 1: export SOURCE into the temporary archive (what ferry export does). */
static int export_pass(struct run *r, struct fy_error *err)
{
	struct fy_export_options eo;

	memset(&eo, 0, sizeof(eo));
	eo.source = r->source;
	eo.output = r->archive;
	eo.level = r->o->src.level;
	eo.threads = r->o->src.threads;
	if (r->o->time) {
		if (fy_time_parse_user(r->o->time, &eo.created) < 0)
			return fy_error_set(err, FY_E_USAGE, "--time: '%s' is not an RFC 3339 time", r->o->time);
		eo.created_set = 1;
	}
	return fy_export(&r->sctx, &eo, &tool_interrupted, NULL, NULL, err);
}

/* Call fn for each line of a JSON Lines buffer. */
static int each_line(const struct fy_buf *b, int (*fn)(void *, const char *, size_t, struct fy_error *),
		     void *cb, struct fy_error *err)
{
	const char *p = b->ptr, *end = p ? p + b->len : NULL;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n && fn(cb, p, n, err) < 0)
			return -1;
		p += n + 1;
	}
	return 0;
}

/* The ledger lines this run adds to the archive: the import's, or with --dry-run the plan's. */
static int run_lines(struct run *r, struct fy_buf *out, struct fy_error *err)
{
	size_t i;

	fy_buf_reset(out);
	if (r->imported) {
		int fd = open(r->lpath, O_RDONLY | O_CLOEXEC);
		char buf[65536];
		ssize_t n;

		if (fd < 0)
			return fy_error_errno(err, errno, "%s", r->lpath);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (fy_buf_add(out, buf, (size_t)n, err) < 0) {
				close(fd);
				return -1;
			}
		close(fd);
		return n < 0 ? fy_error_errno(err, errno, "%s", r->lpath) : 0;
	}
	for (i = 0; r->plan.n && i < r->plan.reports[0]->nlines; i++)
		if (fy_plan_line_json(&r->plan.reports[0]->lines[i], r->dst_ad->name, "plan", out, err) < 0 ||
		    fy_buf_addc(out, '\n', err) < 0)
			return -1;
	return 0;
}

static int put_ledger(void *cb, const char *json, size_t len, struct fy_error *err)
{
	return fy_writer_put_ledger(cb, json, len, err);
}

/* 5: the archive again at --keep, with this run's ledger lines. */
static int keep_pass(struct run *r, struct fy_error *err)
{
	struct fy_reader *rd = fy_reader_open(r->archive, NULL, err);
	struct fy_buf lines = FY_BUF_INIT((size_t)1 << 31);
	const struct fy_header *h;
	struct fy_writer_options wo;
	struct fy_writer *w = NULL;
	struct fy_item it;
	int got, rc = -1;

	if (!rd)
		return -1;
	if (run_lines(r, &lines, err) < 0)
		goto out;
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
	if (got < 0 || each_line(&lines, put_ledger, w, err) < 0 || fy_writer_close(w, NULL, err) < 0)
		goto out;
	rc = 0;
out:
	fy_writer_free(w);
	fy_reader_free(rd);
	fy_buf_release(&lines);
	if (rc < 0)
		fy_error_prefix(err, "%s", r->o->keep);
	return rc;
}

struct printer {
	FILE *f;
	int json, first;
	uint64_t counts[FY_OUT__COUNT + 1];
};

static int print_one(void *cb, const char *json, size_t len, struct fy_error *err)
{
	struct printer *p = cb;
	struct fy_plan_line l;

	if (fy_plan_line_parse(json, len, &l, err) < 0)
		return -1;
	p->counts[l.outcome <= FY_OUT__COUNT ? l.outcome : FY_OUT__COUNT]++;
	if (p->json) {
		fprintf(p->f, "%s", p->first ? "" : ",");
		fwrite(json, 1, len, p->f);
	} else {
		fprintf(p->f, "    %-11s %s %s%s%s%s%s: %s%s%s\n", fy_outcome_name(l.outcome),
			fy_kind_name(l.kind) ? fy_kind_name(l.kind) : "item", l.thread ? l.thread : "",
			l.thread ? "/" : "", l.id ? l.id : "", l.field ? " " : "", l.field ? l.field : "",
			l.rule ? l.rule : "-", l.reason && *l.reason ? ": " : "", l.reason ? l.reason : "");
	}
	p->first = 0;
	fy_plan_line_release(&l);
	return 0;
}

/* The export's lines (as the archive carries them) and this run's. */
static int print_ledger(struct run *r, struct printer *p, struct fy_error *err)
{
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 31);
	const struct fy_fidelity_report *rep = r->plan.n ? r->plan.reports[0] : NULL;
	size_t i;
	int rc = 0;

	for (i = 0; rep && rc == 0 && i < rep->nexport; i++) {
		fy_buf_reset(&b);
		rc = fy_plan_line_json(&rep->export_lines[i], NULL, "export", &b, err);
		if (rc == 0)
			rc = print_one(p, b.ptr, b.len, err);
	}
	if (rc == 0)
		rc = run_lines(r, &b, err);
	if (rc == 0)
		rc = each_line(&b, print_one, p, err);
	fy_buf_release(&b);
	return rc;
}

static void print_json(struct run *r)
{
	const struct fy_fidelity_report *rep = r->plan.n ? r->plan.reports[0] : NULL;
	struct printer p = { stdout, 1, 1, { 0 } };
	struct fy_error err;
	int k, first = 1;

	printf("{\"source\":");
	tool_json_str(stdout, r->source);
	printf(",\"target\":");
	tool_json_str(stdout, r->target);
	printf(",\"archive\":");
	if (r->o->keep)
		tool_json_str(stdout, r->o->keep);
	else
		printf("null");
	printf(",\"dry_run\":%s,\"imported\":%s,\"records\":{", r->o->dry_run ? "true" : "false",
	       r->imported ? "true" : "false");
	for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++) {
		printf("%s\"%s\":%llu", first ? "" : ",", fy_kind_name((enum fy_kind)k),
		       (unsigned long long)(rep ? rep->records[k] : 0));
		first = 0;
	}
	printf("},\"items\":%llu,\"losses\":%llu,\"differences\":%llu,\"ledger\":{\"items\":[",
	       (unsigned long long)(rep ? rep->items : 0), (unsigned long long)(rep ? rep->losses : 0),
	       (unsigned long long)r->diffs);
	if (print_ledger(r, &p, &err) < 0)
		p.first = 0;
	printf("],\"outcomes\":{");
	for (k = 0; k <= FY_OUT__COUNT; k++)
		printf("%s\"%s\":%llu", k ? "," : "", fy_outcome_name((enum fy_outcome)k),
		       (unsigned long long)p.counts[k]);
	printf("}}}\n");
}

static int migrate(struct run *r)
{
	struct fy_error err;
	int rc;

	fy_error_clear(&err);
	/* 1 */
	if (export_pass(r, &err) < 0)
		return tool_fail(r->t, &err);
	/* 2 */
	rc = plan_init(r->t, &r->plan, &r->dst_ad, 1, &r->o->po, &r->dctx);
	if (rc == EXIT_OK)
		rc = plan_run(r->t, &r->plan, r->archive);
	if (rc != EXIT_OK)
		return rc;
	/* 3 */
	if (!r->o->json && r->t->verbosity >= 1) {
		printf("plan: %s -> %s\n", r->source, r->target);
		plan_print_text(stdout, &r->plan, 50);
		fflush(stdout);
	}
	if (r->o->dry_run) {
		if (r->o->keep && keep_pass(r, &err) < 0)
			return tool_fail(r->t, &err);
		return EXIT_OK;
	}
	if (!r->o->po.accept_loss && (rc = plan_refuse_loss(r->t, &r->plan)) != EXIT_OK)
		return rc;
	/* 4 */
	rc = plan_execute(r->t, r->dst_ad, &r->dctx, &r->o->po, r->archive, r->target, r->lpath, 1,
			  &r->exec, &r->done);
	if (rc != EXIT_OK)
		return rc;
	r->imported = 1;
	r->diffs = plan_compare(r->t, r->exec.reports[0], &r->done, 20);
	/* 5 */
	if (r->o->keep && keep_pass(r, &err) < 0)
		return tool_fail(r->t, &err);
	/* 6 */
	if (!r->o->json && r->t->verbosity >= 1) {
		struct printer p = { stdout, 0, 1, { 0 } };

		printf("migrated %s to %s%s%s\n", r->source, r->target,
		       r->o->keep ? "; the archive, with its ledger, is " : "", r->o->keep ? r->o->keep : "");
		printf("ledger (what did not cross unchanged, at export and at import):\n");
		if (print_ledger(r, &p, &err) < 0)
			return tool_fail(r->t, &err);
	}
	if (r->diffs) {
		fprintf(stderr, "%s: %llu difference(s) between the plan and what %s reported (ledger: %s)\n",
			r->t->prog, (unsigned long long)r->diffs, r->dst_ad->name,
			r->o->keep ? r->o->keep : "not kept");
		return EXIT_PARTIAL;
	}
	return EXIT_OK;
}

static int parse_args(struct tool *t, int argc, char **argv, struct opts *o, struct fy_adapter_ctx *sctx,
		      const char **source, const char **target)
{
	enum { O_KEEP = 256, O_DRY, O_THREAD, O_SOPTION, O_TIME, O_JSON, O_VERSION, O_ACCEPT, O_POLICY,
	       O_PLATFORM };
	static const struct option longopts[] = {
		{ "keep", required_argument, NULL, O_KEEP },
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "accept-loss", no_argument, NULL, O_ACCEPT },
		{ "thread", required_argument, NULL, O_THREAD },
		{ "source-option", required_argument, NULL, O_SOPTION },
		{ "model-policy", required_argument, NULL, O_POLICY },
		{ "model-platform", required_argument, NULL, O_PLATFORM },
		{ "time", required_argument, NULL, O_TIME },
		{ "json", no_argument, NULL, O_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		TOOL_SOURCE_LONGOPTS,	/* --option among them is the target's here */
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	while ((c = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
		switch (c) {
		case O_KEEP: o->keep = optarg; break;
		case O_DRY: o->dry_run = 1; break;
		case O_ACCEPT: o->po.accept_loss = 1; break;
		case O_POLICY: o->po.policy_path = optarg; break;
		case O_PLATFORM: o->po.model_platform = optarg; break;
		case O_THREAD:
			if (tool_list_add(&o->threads, &o->nthreads, optarg) < 0)
				return EXIT_FAILURE_;
			break;
		case TOOL_O_OPTION:
		case O_SOPTION:
			if (!strchr(optarg, '='))
				return tool_usage_error(t, "%s takes KEY=VALUE",
							c == TOOL_O_OPTION ? "--option" : "--source-option");
			if (tool_list_add(c == TOOL_O_OPTION ? &o->options : &o->src.options,
					  c == TOOL_O_OPTION ? &o->noptions : &o->src.noptions, optarg) < 0)
				return EXIT_FAILURE_;
			break;
		case O_TIME: o->time = optarg; break;
		case O_JSON: o->json = 1; break;
		case 'q': t->verbosity = 0; break;
		case 'v': t->verbosity++; break;
		case 'h': tool_print_help(t, help); exit(tool_close_stdout(t));
		case O_VERSION: tool_print_version(t); exit(tool_close_stdout(t));
		default:
			if (tool_source_option(t, c, optarg, sctx, &o->src, &rc) != 1)
				return rc != EXIT_OK ? rc : tool_usage_error(t, "unknown option");
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
	tool_source_init(&o.src);
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
	tool_source_apply(&o.src, &r.sctx);
	r.sctx.threads = (const char *const *)o.threads;
	r.sctx.nthreads = o.nthreads;
	r.dctx.options = (const char *const *)o.options;
	r.dctx.noptions = o.noptions;
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
		int n;

		snprintf(r.tmpdir, sizeof(r.tmpdir), "%s/ferry-migrate-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(r.tmpdir)) {
			fy_error_errno(&err, errno, "temporary folder %s", r.tmpdir);
			r.tmpdir[0] = '\0';
			rc = tool_fail(&t, &err);
			goto out;
		}
		n = snprintf(r.archive, sizeof(r.archive), "%s/export.ferry", r.tmpdir);
		if (n < 0 || n >= (int)sizeof(r.archive) ||
		    snprintf(r.lpath, sizeof(r.lpath), "%s/done.ledger.jsonl", r.tmpdir) >= (int)sizeof(r.lpath)) {
			rc = tool_usage_error(&t, "TMPDIR is too long");
			goto out;
		}
	}
	rc = migrate(&r);
	if (o.json && (rc == EXIT_OK || rc == EXIT_PARTIAL))
		print_json(&r);
	if (rc == EXIT_OK)
		rc = tool_close_stdout(&t);
out:
	done_ledger_release(&r.done);
	plan_release(&r.exec);
	plan_release(&r.plan);
	if (r.archive[0])
		unlink(r.archive);
	if (r.lpath[0])
		unlink(r.lpath);
	if (r.tmpdir[0])
		rmdir(r.tmpdir);
	free_list(o.threads, o.nthreads);
	free_list(o.options, o.noptions);
	tool_source_release(&o.src);
	return rc;
}
