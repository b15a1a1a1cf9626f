/*
 * ferry-import - write an archive's records into a provider.
 *
 *	ferry import [options] FILE TARGET
 *
 * A file is verified completely (checksums, schemas, references) before
 * anything is written to the target; standard input is verified as it
 * streams, and the target is committed only when the end verified.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reader.h"
#include "registry.h"
#include "tool.h"

static const char usage[] = "usage: ferry import [options] FILE TARGET\n";

static const char help[] =
	"\n"
	"Write the records of the archive FILE ('-': standard input) into TARGET\n"
	"(ADAPTER:LOCATION). A file is verified completely before anything is\n"
	"written; the import never deletes or overwrites anything at the target.\n"
	"\n"
	"      --dry-run         verify and show what would be written; write nothing\n"
	"      --option KEY=VAL  an adapter option (see the adapter's documentation)\n"
	"      --state-dir DIR   where the import keeps its journal (live targets)\n"
	"      --json            print a JSON summary on standard output\n"
	"  -q, --quiet           no progress or summary\n"
	"  -v, --verbose         more detail; twice for a trace\n"
	"  -h, --help            this help\n"
	"      --version         the version\n"
	"\n"
	"Exit status: 0 on success; see ferry-import(1) for the others.\n";

struct opts {
	int dry_run, json;
	char **options;
	size_t noptions;
	const char *state_dir;
};

/* Read the whole archive once, checking everything; nothing is written. */
static int verify_pass(const char *file, struct fy_error *err)
{
	struct fy_reader *r = fy_reader_open(file, NULL, err);
	struct fy_item it;
	int rc;

	if (!r)
		return -1;
	while ((rc = fy_reader_next(r, &it, err)) == 1)
		if (tool_interrupted) {
			rc = fy_error_set(err, FY_E_INTERNAL, "interrupted");
			break;
		}
	fy_reader_free(r);
	return rc;
}

static void print_plan(const struct tool *t, const char *file, const char *target,
		       const struct fy_stats *st, int json)
{
	int k, first = 1;

	if (json) {
		printf("{\"archive\":");
		tool_json_str(stdout, file);
		printf(",\"target\":");
		tool_json_str(stdout, target);
		printf(",\"dry_run\":true,\"records\":{");
		for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++) {
			printf("%s\"%s\":%llu", first ? "" : ",", fy_kind_name((enum fy_kind)k),
			       (unsigned long long)st->records[k]);
			first = 0;
		}
		printf("},\"blobs\":%llu}\n", (unsigned long long)st->blobs);
		return;
	}
	(void)t;
	printf("would import into %s:\n", target);
	for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++)
		if (st->records[k])
			printf("  %-10s %llu\n", fy_kind_name((enum fy_kind)k),
			       (unsigned long long)st->records[k]);
	printf("  %-10s %llu\n", "blobs", (unsigned long long)st->blobs);
}

static int run(struct tool *t, struct opts *o, const char *file, const char *target)
{
	struct fy_adapter_ctx ctx;
	const struct fy_adapter *ad;
	struct fy_reader *r = NULL;
	struct tool_ledger ledger;
	struct fy_error err;
	struct fy_item it;
	struct stat st;
	void *sink = NULL;
	int rc, got;

	fy_error_clear(&err);
	tool_ledger_init(&ledger);
	t->ledger = &ledger;
	tool_ctx_init(t, &ctx);
	ctx.options = (const char *const *)o->options;
	ctx.noptions = o->noptions;
	ctx.dry_run = o->dry_run;
	ctx.state_dir = o->state_dir;
	if (fy_location_parse(target, &ad, &ctx.location, &err) < 0)
		return tool_fail(t, &err);
	if (!(ad->flags & FY_ADAPTER_WRITE)) {
		fy_error_set(&err, FY_E_UNSUPPORTED, "adapter '%s' cannot be written to", ad->name);
		return tool_fail(t, &err);
	}
	ctx.name = ad->name;
	if (strcmp(file, "-") != 0 && stat(file, &st) == 0 && S_ISREG(st.st_mode) &&
	    verify_pass(file, &err) < 0) {
		fy_error_prefix(&err, "%s", file);
		return tool_fail(t, &err);
	}
	r = fy_reader_open(file, NULL, &err);
	if (!r) {
		fy_error_prefix(&err, "%s", file);
		return tool_fail(t, &err);
	}
	if (o->dry_run) {
		while ((got = fy_reader_next(r, &it, &err)) == 1)
			;
		if (got < 0) {
			fy_error_prefix(&err, "%s", file);
			rc = tool_fail(t, &err);
		} else {
			print_plan(t, file, target, fy_reader_stats(r), o->json);
			rc = tool_close_stdout(t);
		}
		fy_reader_free(r);
		tool_ledger_release(&ledger);
		return rc;
	}
	if (ad->write_open(&ctx, fy_reader_header(r), &sink, &err) < 0) {
		rc = tool_fail(t, &err);
		goto out;
	}
	while ((got = fy_reader_next(r, &it, &err)) == 1) {
		if (tool_interrupted) {
			fy_error_set(&err, FY_E_INTERNAL, "interrupted");
			got = -1;
			break;
		}
		if (ad->write_put(sink, &it, &err) < 0) {
			if (it.member && it.line)
				fy_error_prefix(&err, "%s: %s line %llu", target, it.member,
						(unsigned long long)it.line);
			else if (it.member)
				fy_error_prefix(&err, "%s: %s", target, it.member);
			else
				fy_error_prefix(&err, "%s", target);
			got = -2;
			break;
		}
	}
	if (got == -1)
		fy_error_prefix(&err, "%s", file);
	if (got == 0 && ad->write_finish(sink, &err) < 0) {
		fy_error_prefix(&err, "%s", target);
		got = -2;
	}
	if (got < 0) {
		rc = tool_fail(t, &err);
		goto out;
	}
	if (o->json)
		print_plan(t, file, target, fy_reader_stats(r), 0);
	if (ledger.count && t->verbosity >= 1) {
		char sum[256];

		tool_ledger_summary(&ledger, sum, sizeof(sum));
		fprintf(stderr, "%s: ledger: %s%s\n", t->prog, sum,
			t->verbosity >= 2 ? ":" : " (-v lists them)");
		if (t->verbosity >= 2)
			tool_ledger_print(stderr, &ledger, "  ");
	}
	rc = tool_close_stdout(t);
out:
	if (sink)
		ad->write_close(sink);
	fy_reader_free(r);
	t->ledger = NULL;
	tool_ledger_release(&ledger);
	return rc;
}

int main(int argc, char **argv)
{
	enum { O_DRY = 256, O_OPTION, O_STATE, O_JSON, O_VERSION };
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "option", required_argument, NULL, O_OPTION },
		{ "state-dir", required_argument, NULL, O_STATE },
		{ "json", no_argument, NULL, O_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct tool t;
	struct opts o;
	int c, rc;

	tool_init(&t, "ferry-import", usage);
	memset(&o, 0, sizeof(o));
	while ((c = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
		switch (c) {
		case O_DRY: o.dry_run = 1; break;
		case O_OPTION:
			if (!strchr(optarg, '='))
				return tool_usage_error(&t, "--option takes KEY=VALUE");
			if (tool_list_add(&o.options, &o.noptions, optarg) < 0)
				return EXIT_FAILURE_;
			break;
		case O_STATE: o.state_dir = optarg; break;
		case O_JSON: o.json = 1; break;
		case 'q': t.verbosity = 0; break;
		case 'v': t.verbosity++; break;
		case 'h': tool_print_help(&t, help); return tool_close_stdout(&t);
		case O_VERSION: tool_print_version(&t); return tool_close_stdout(&t);
		default: return tool_usage_error(&t, "unknown option");
		}
	}
	if (argc - optind != 2)
		return tool_usage_error(&t, argc - optind < 2 ? "FILE and TARGET are required"
							      : "too many arguments");
	tool_signals();
	rc = run(&t, &o, argv[optind], argv[optind + 1]);
	while (o.noptions)
		free(o.options[--o.noptions]);
	free(o.options);
	return rc;
}
