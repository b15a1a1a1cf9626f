/*
 * ferry-import - write an archive's records into a provider.
 *
 *	ferry import [options] FILE TARGET
 *
 * A file is verified completely (checksums, schemas, references) before
 * anything is written to the target; standard input is verified as it
 * streams, and the target is committed only when the end verified.
 */
#include <errno.h>
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
	"                        (live targets: objects to create and skip, API calls,\n"
	"                        time under the rate limit, and the ledger)\n"
	"      --ledger FILE     append the ledger of what the import transformed or\n"
	"                        dropped to FILE (JSON Lines)\n"
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
	const char *ledger;
};

/* Where ledger lines go: a file (--ledger), and in a dry run the plan. */
struct ledger_out {
	FILE *f;
	struct fy_buf lines;	/* dry run: kept for the plan */
	int keep;
	uint64_t n;
};

static int ledger_line(void *cb, const char *json, size_t len, struct fy_error *err)
{
	struct tool *t = cb;
	struct ledger_out *lo = t->ledger_cb;

	lo->n++;
	if (lo->f && (fwrite(json, 1, len, lo->f) != len || fputc('\n', lo->f) == EOF))
		return fy_error_errno(err, errno, "ledger");
	if (lo->keep && (fy_buf_add(&lo->lines, json, len, err) < 0 || fy_buf_addc(&lo->lines, '\n', err) < 0))
		return -1;
	return 0;
}

static void print_live_plan(const char *file, const char *target, const struct fy_stats *st,
			    const struct fy_plan *p, const struct ledger_out *lo, int json)
{
	static const char *const outcomes[7] = { "preserved", "transformed", "emulated", "degraded",
						 "dropped", "held_back", "warning" };
	const char *line, *end;
	int k, first;

	if (json) {
		printf("{\"archive\":");
		tool_json_str(stdout, file);
		printf(",\"target\":");
		tool_json_str(stdout, target);
		printf(",\"dry_run\":true,\"records\":{");
		for (k = FY_KIND_NONE + 1, first = 1; k < FY_KIND__COUNT; k++, first = 0)
			printf("%s\"%s\":%llu", first ? "" : ",", fy_kind_name((enum fy_kind)k),
			       (unsigned long long)st->records[k]);
		printf("},\"blobs\":%llu,\"plan\":{", (unsigned long long)st->blobs);
		printf("\"journal\":");
		tool_json_str(stdout, p->journal);
		printf(",\"create\":{");
		for (k = FY_KIND_NONE + 1, first = 1; k < FY_KIND__COUNT; k++, first = 0)
			printf("%s\"%s\":%llu", first ? "" : ",", fy_kind_name((enum fy_kind)k),
			       (unsigned long long)p->create[k]);
		printf("},\"skip\":{");
		for (k = FY_KIND_NONE + 1, first = 1; k < FY_KIND__COUNT; k++, first = 0)
			printf("%s\"%s\":%llu", first ? "" : ",", fy_kind_name((enum fy_kind)k),
			       (unsigned long long)p->skip[k]);
		printf("},\"resume\":{");
		for (k = FY_KIND_NONE + 1, first = 1; k < FY_KIND__COUNT; k++, first = 0)
			printf("%s\"%s\":%llu", first ? "" : ",", fy_kind_name((enum fy_kind)k),
			       (unsigned long long)p->resume[k]);
		printf("},\"calls\":%llu,\"bytes\":%llu,\"rate\":%g,\"latency_ms\":%ld,\"seconds\":%.1f,"
		       "\"outcomes\":{",
		       (unsigned long long)p->calls, (unsigned long long)p->bytes, p->rate, p->latency_ms,
		       p->seconds);
		for (k = 0; k < 7; k++)
			printf("%s\"%s\":%llu", k ? "," : "", outcomes[k], (unsigned long long)p->ledger[k]);
		printf("}},\"ledger\":[");
		for (line = lo->lines.ptr, first = 1; line && *line; line = end + 1, first = 0) {
			end = strchr(line, '\n');
			printf("%s%.*s", first ? "" : ",", (int)(end - line), line);
		}
		printf("]}\n");
		return;
	}
	printf("plan for %s (journal %s):\n", target, p->journal);
	printf("  create  ");
	for (k = FY_KIND_NONE + 1, first = 1; k < FY_KIND__COUNT; k++)
		if (p->create[k]) {
			printf("%s%llu %s", first ? "" : ", ", (unsigned long long)p->create[k],
			       tool_kind_label((enum fy_kind)k, p->create[k]));
			first = 0;
		}
	printf("%s\n  skip    ", first ? "nothing" : "");
	for (k = FY_KIND_NONE + 1, first = 1; k < FY_KIND__COUNT; k++)
		if (p->skip[k]) {
			printf("%s%llu %s", first ? "" : ", ", (unsigned long long)p->skip[k],
			       tool_kind_label((enum fy_kind)k, p->skip[k]));
			first = 0;
		}
	printf("%s (done, by the journal)\n", first ? "nothing" : "");
	for (k = FY_KIND_NONE + 1, first = 1; k < FY_KIND__COUNT; k++)
		if (p->resume[k]) {
			printf("%s%llu %s", first ? "  resume  " : ", ", (unsigned long long)p->resume[k],
			       tool_kind_label((enum fy_kind)k, p->resume[k]));
			first = 0;
		}
	if (!first)
		printf(" (started before: looked up first)\n");
	printf("  calls   at least %llu API requests, %llu bytes to upload\n", (unsigned long long)p->calls,
	       (unsigned long long)p->bytes);
	printf("  time    about %.0f s (at most %g requests a second, about %ld ms each)\n", p->seconds,
	       p->rate, p->latency_ms);
	printf("  ledger  %llu lines:", (unsigned long long)lo->n);
	for (k = 0, first = 1; k < 7; k++)
		if (p->ledger[k]) {
			printf("%s %llu %s", first ? "" : ",", (unsigned long long)p->ledger[k], outcomes[k]);
			first = 0;
		}
	printf("\n");
	for (line = lo->lines.ptr; line && *line; line = end + 1) {
		end = strchr(line, '\n');
		printf("    %.*s\n", (int)(end - line), line);
	}
}

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
	struct fy_error err;
	struct fy_item it;
	struct stat st;
	struct ledger_out lo;
	void *sink = NULL;
	int rc, got;

	fy_error_clear(&err);
	memset(&lo, 0, sizeof(lo));
	fy_buf_init(&lo.lines, (size_t)1 << 30);
	tool_ctx_init(t, &ctx);
	t->ledger_cb = &lo;
	ctx.ledger = ledger_line;
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
	if (o->ledger) {
		lo.f = fopen(o->ledger, "a");
		if (!lo.f) {
			fprintf(stderr, "%s: %s: %s\n", t->prog, o->ledger, strerror(errno));
			fy_reader_free(r);
			fy_buf_release(&lo.lines);
			return EXIT_IO;
		}
	}
	if (o->dry_run && ad->write_plan) {
		struct fy_plan plan;

		/* The sink decides without writing: the plan the import would follow. */
		lo.keep = 1;
		got = ad->write_open(&ctx, fy_reader_header(r), &sink, &err);
		while (got == 0 && (got = fy_reader_next(r, &it, &err)) == 1)
			got = ad->write_put(sink, &it, &err) < 0 ? -1 : 0;
		if (got == 0 && ad->write_plan(sink, &plan, &err) == 0) {
			print_live_plan(file, target, fy_reader_stats(r), &plan, &lo, o->json);
			rc = tool_close_stdout(t);
		} else {
			fy_error_prefix(&err, "%s", target);
			rc = tool_fail(t, &err);
		}
		goto out;
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
		goto out;
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
	if (lo.n && !o->ledger && t->verbosity >= 1 && !o->json)
		tool_warn(t, "%llu ledger lines: what was transformed or dropped (--ledger FILE keeps them)",
			  (unsigned long long)lo.n);
	rc = tool_close_stdout(t);
out:
	if (sink)
		ad->write_close(sink);
	fy_reader_free(r);
	if (lo.f && fclose(lo.f) != 0 && rc == EXIT_OK) {
		fprintf(stderr, "%s: %s: %s\n", t->prog, o->ledger, strerror(errno));
		rc = EXIT_IO;
	}
	fy_buf_release(&lo.lines);
	return rc;
}

int main(int argc, char **argv)
{
	enum { O_DRY = 256, O_OPTION, O_STATE, O_JSON, O_VERSION, O_LEDGER };
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "option", required_argument, NULL, O_OPTION },
		{ "state-dir", required_argument, NULL, O_STATE },
		{ "ledger", required_argument, NULL, O_LEDGER },
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
		case O_LEDGER: o.ledger = optarg; break;
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
