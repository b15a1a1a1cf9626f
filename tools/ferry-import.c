/*
 * ferry-import - write an archive's records into a provider.
 *
 *	ferry import [options] FILE TARGET
 *
 * A file is verified completely (checksums, schemas, references) before
 * anything is written to the target; standard input is verified as it
 * streams, and the target is committed only when the end verified.
 *
 * The fidelity engine (adapters/fidelity.h) plans every item first; losses
 * stop the import unless accepted; the engine then decides what the sink
 * is handed (records the target does not write are not, mapped models are
 * rewritten), the tool and the sink report what they did (the done-ledger,
 * adapter.h), and the plan and the ledger are compared item by item.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "journal.h"
#include "plan.h"
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
	"Before writing, the fidelity engine plans the outcome of every item\n"
	"(preserved, transformed, emulated, degraded, held back, dropped); an\n"
	"import that would lose anything stops (exit 12) unless --accept-loss.\n"
	"Afterwards the plan is compared with what the target reported doing.\n"
	"\n"
	"      --dry-run         verify and print the plan; write nothing\n"
	"      --accept-loss     import even when items would be degraded, held\n"
	"                        back (secrets to rebind) or dropped\n"
	"      --ledger FILE     write the done-ledger here (default: beside the\n"
	"                        target's journal in the state folder)\n"
	"      --model-policy FILE  map models with this policy (default: built in)\n"
	"      --model-platform P   the model platform of the target (e.g. bedrock)\n"
	"      --embedding-model M  the embedding model of the target\n"
	"      --as-of DATE      judge announced sunsets as of DATE (default: now)\n"
	"      --option KEY=VAL  an adapter option (see the adapter's documentation)\n"
	"      --state-dir DIR   where the import keeps its journal and ledger\n"
	"      --json            print JSON (with --dry-run: the audit document)\n"
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
	struct plan_opts po;
};

static void print_counts(const char *target, const struct fy_fidelity_report *r)
{
	int k;

	printf("would import into %s:\n", target);
	for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++)
		if (r->records[k])
			printf("  %-10s %llu\n", fy_kind_name((enum fy_kind)k),
			       (unsigned long long)r->records[k]);
	printf("  %-10s %llu\n", "blobs", (unsigned long long)r->to_write.blobs);
}

/* --dry-run: the plan, as text or as the audit document. */
static int print_plan(struct tool *t, struct plan *p, const char *file, const char *target, int json)
{
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 31);
	struct fy_error err;

	if (json) {
		p->src.input = file;
		if (fy_audit_json(&p->src, p->reports, p->n, &b, &err) < 0) {
			fy_buf_release(&b);
			return tool_fail(t, &err);
		}
		fwrite(b.ptr, 1, b.len, stdout);
		putchar('\n');
		fy_buf_release(&b);
		return tool_close_stdout(t);
	}
	print_counts(target, p->reports[0]);
	plan_print_text(stdout, p, 50);
	return tool_close_stdout(t);
}

/* Where the done-ledger goes: --ledger, else beside the target's journal. */
static int ledger_path(const struct opts *o, const struct fy_adapter *ad, const char *location,
		       char *out, size_t cap, struct fy_error *err)
{
	size_t n;

	if (o->ledger) {
		snprintf(out, cap, "%s", o->ledger);
		return 0;
	}
	if (fy_journal_path(o->state_dir, ad->name, location, out, cap, err) < 0)
		return -1;
	n = strlen(out);
	if (n > 8 && strcmp(out + n - 8, ".journal") == 0)
		out[n - 8] = '\0';
	n = strlen(out);
	if (n + 14 >= cap)
		return fy_error_set(err, FY_E_USAGE, "state path too long");
	memcpy(out + n, ".ledger.jsonl", 14);
	return 0;
}

static int run(struct tool *t, struct opts *o, const char *file, const char *target)
{
	struct fy_adapter_ctx ctx;
	const struct fy_adapter *ad;
	struct fy_error err;
	struct stat st;
	struct plan plan, exec;
	struct done_ledger done;
	char lpath[4096];
	int rc, from_file;
	uint64_t diffs;

	fy_error_clear(&err);
	memset(&plan, 0, sizeof(plan));
	memset(&exec, 0, sizeof(exec));
	memset(&done, 0, sizeof(done));
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
	from_file = strcmp(file, "-") != 0 && stat(file, &st) == 0 && S_ISREG(st.st_mode);
	/* The plan: a file is read (and verified) whole before anything is written. */
	if (from_file || o->dry_run) {
		rc = plan_init(t, &plan, &ad, 1, &o->po, &ctx);
		if (rc == EXIT_OK)
			rc = plan_run(t, &plan, file);
		if (rc != EXIT_OK)
			goto out;
		if (o->dry_run) {
			if (ad->write_plan && from_file &&
			    (rc = plan_sink_estimate(t, &plan, ad, &ctx, &o->po, file, target)) != EXIT_OK)
				goto out;
			rc = print_plan(t, &plan, file, target, o->json);
			goto out;
		}
		if (!o->po.accept_loss && (rc = plan_refuse_loss(t, &plan)) != EXIT_OK)
			goto out;
	}
	/* The import: the same engine decides what the sink is handed. */
	if (ledger_path(o, ad, ctx.location, lpath, sizeof(lpath), &err) < 0) {
		rc = tool_fail(t, &err);
		goto out;
	}
	rc = plan_execute(t, ad, &ctx, &o->po, file, target, lpath, from_file, &exec, &done);
	if (rc != EXIT_OK)
		goto out;
	diffs = plan_compare(t, exec.reports[0], &done, 20);
	if (o->json) {
		printf("{\"archive\":");
		tool_json_str(stdout, file);
		printf(",\"target\":");
		tool_json_str(stdout, target);
		printf(",\"ledger\":");
		tool_json_str(stdout, lpath);
		printf(",\"items\":%llu,\"losses\":%llu,\"lines_planned\":%llu,\"lines_done\":%llu,\"differences\":%llu}\n",
		       (unsigned long long)exec.reports[0]->items,
		       (unsigned long long)exec.reports[0]->losses,
		       (unsigned long long)exec.reports[0]->lines_total, (unsigned long long)done.total,
		       (unsigned long long)diffs);
	}
	rc = tool_close_stdout(t);
	if (rc == EXIT_OK && diffs) {
		fprintf(stderr, "%s: %llu difference(s) between the plan and what %s reported (ledger: %s)\n",
			t->prog, (unsigned long long)diffs, ad->name, lpath);
		rc = EXIT_PARTIAL;
	}
out:
	done_ledger_release(&done);
	plan_release(&exec);
	plan_release(&plan);
	return rc;
}

int main(int argc, char **argv)
{
	enum { O_DRY = 256, O_OPTION, O_STATE, O_JSON, O_VERSION, O_ACCEPT, O_LEDGER, O_POLICY,
	       O_PLATFORM, O_EMBED, O_ASOF };
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "accept-loss", no_argument, NULL, O_ACCEPT },
		{ "ledger", required_argument, NULL, O_LEDGER },
		{ "model-policy", required_argument, NULL, O_POLICY },
		{ "model-platform", required_argument, NULL, O_PLATFORM },
		{ "embedding-model", required_argument, NULL, O_EMBED },
		{ "as-of", required_argument, NULL, O_ASOF },
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
		case O_ACCEPT: o.po.accept_loss = 1; break;
		case O_LEDGER: o.ledger = optarg; break;
		case O_POLICY: o.po.policy_path = optarg; break;
		case O_PLATFORM: o.po.model_platform = optarg; break;
		case O_EMBED: o.po.embedding_model = optarg; break;
		case O_ASOF:
			if (fy_time_parse_user(optarg, &o.po.as_of) < 0)
				return tool_usage_error(&t, "--as-of: '%s' is not a date", optarg);
			break;
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
