/*
 * ferry-backup - take a dated, verified archive of a source into a
 * repository (a folder or s3://bucket/prefix), optionally print what
 * changed since the previous one and prune by a restic-style policy.
 *
 *	ferry backup [options] SOURCE --repo DEST
 *
 * Made for cron and systemd: silent on success unless -v, one line per
 * problem on stderr, exit 10 for a partial backup and 11 when another run
 * holds the repository. The flow: lock, export into staging (fy_export, the
 * same code as ferry export), verify the staged archive completely,
 * publish it atomically, then --diff and --prune, then unlock.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diff-print.h"
#include "pump.h"
#include "record.h"
#include "repo-tool.h"

static const char usage[] = "usage: ferry backup [options] SOURCE --repo DEST\n";

static const char help[] =
	"\n"
	"Export SOURCE (ADAPTER:LOCATION) into a new archive in the repository DEST\n"
	"(a folder, or s3://BUCKET/PREFIX), named NAME-YYYYMMDDTHHMMSSZ.ferry by the\n"
	"source's name and the UTC time. The archive is staged, verified completely,\n"
	"and only then appears under its name. One run at a time holds the\n"
	"repository; a second one exits 11.\n"
	"\n"
	"  -r, --repo DEST           the repository (required)\n"
	"      --name NAME           the source's name in archive names (default:\n"
	"                            from SOURCE, e.g. dir:samples/neutral -> dir-neutral)\n"
	"      --time TIME           record the backup as taken at TIME (RFC 3339);\n"
	"                            default now\n"
	"      --diff                print what changed since this source's previous\n"
	"                            archive (as ferry diff)\n"
	"      --prune               then remove this source's archives that the keep\n"
	"                            policy drops (the newest verified one always stays)\n"
	"      --keep-last N         keep the N newest archives\n"
	"      --keep-hourly N       keep the newest archive of each of the last N hours,\n"
	"      --keep-daily N        days, ISO weeks, months, years that have one\n"
	"      --keep-weekly N       (UTC; N may be 'unlimited')\n"
	"      --keep-monthly N\n"
	"      --keep-yearly N\n"
	"      --keep-within D       keep every archive less than D (e.g. 1y2m3d4h) older\n"
	"                            than the newest; also --keep-within-hourly/daily/\n"
	"                            weekly/monthly/yearly D\n"
	"      --dry-run             write and remove nothing; show what would happen\n"
	"      --only, --agent, --since, --id, --ids-from, --option, --level, --threads\n"
	"                            as for ferry export\n"
	"      --s3-endpoint URL     an S3-compatible endpoint (default AWS)\n"
	"      --s3-region REGION    default $AWS_REGION, $AWS_DEFAULT_REGION, us-east-1\n"
	"      --s3-path-style       address the bucket in the path (default with\n"
	"      --s3-virtual-hosted   --s3-endpoint) or as a host name (default for AWS)\n"
	"      --tmp-dir DIR         where to stage archives for an S3 repository\n"
	"      --json                a JSON summary on standard output\n"
	"  -q, --quiet               print nothing but errors\n"
	"  -v, --verbose             say what was written, kept and removed\n"
	"  -h, --help                this help\n"
	"      --version             the version\n"
	"\n"
	"S3 credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,\n"
	"or the shared files (AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE); never options.\n"
	"Exit status: 0 success, 10 partial (some items could not be read; the\n"
	"archive was still written), 11 locked; see ferry-backup(1) for the others.\n";

struct opts {
	const char *name;
	const char *time;
	int prune, dry_run, diff, json;
	struct tool_source src;
	struct repo_args repo;
};

static int parse_args(struct tool *t, int argc, char **argv, struct opts *o,
		      struct fy_adapter_ctx *ctx, const char **source)
{
	enum { O_NAME = 256, O_TIME, O_DIFF, O_PRUNE, O_DRY_RUN, O_JSON, O_VERSION };
	static const struct option longopts[] = {
		REPO_LONGOPTS,
		TOOL_SOURCE_LONGOPTS,
		{ "name", required_argument, NULL, O_NAME },
		{ "time", required_argument, NULL, O_TIME },
		{ "diff", no_argument, NULL, O_DIFF },
		{ "prune", no_argument, NULL, O_PRUNE },
		{ "dry-run", no_argument, NULL, O_DRY_RUN },
		{ "json", no_argument, NULL, O_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	while ((c = getopt_long(argc, argv, "r:qvh", longopts, NULL)) != -1) {
		if (c == 'r')
			c = REPO_O_REPO;
		if (tool_source_option(t, c, optarg, ctx, &o->src, &rc) != 0 ||
		    repo_option(t, c, optarg, &o->repo, &rc) != 0) {
			if (rc != EXIT_OK)
				return rc;
			continue;
		}
		switch (c) {
		case O_NAME: o->name = optarg; break;
		case O_TIME: o->time = optarg; break;
		case O_DIFF: o->diff = 1; break;
		case O_PRUNE: o->prune = 1; break;
		case O_DRY_RUN: o->dry_run = 1; break;
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
	*source = argv[optind];
	if (!o->repo.repo)
		return tool_usage_error(t, "no repository given (--repo DEST)");
	if (o->name && !fy_repo_name_valid(o->name))
		return tool_usage_error(t, "--name: '%s' is not 1-64 of A-Z a-z 0-9 . _ - "
				       "(not starting with . or -)", o->name);
	if (o->prune && fy_keep_policy_empty(&o->repo.policy))
		return tool_usage_error(t, "--prune needs a policy (--keep-last, --keep-daily, ...)");
	if (!o->prune && !fy_keep_policy_empty(&o->repo.policy))
		return tool_usage_error(t, "a --keep-* policy applies with --prune");
	return EXIT_OK;
}

static void stats_json(struct fy_buf *b, const struct fy_writer_stats *st,
		       const struct fy_pump_stats *ps)
{
	int k, first = 1;

	fy_buf_adds(b, ",\"records\":{", NULL);
	for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++) {
		fy_buf_addf(b, NULL, "%s\"%s\":%llu", first ? "" : ",", fy_kind_name((enum fy_kind)k),
			    (unsigned long long)st->records.records[k]);
		first = 0;
	}
	fy_buf_addf(b, NULL, "},\"blobs\":%llu,\"bytes\":%llu,\"compressed\":%llu,\"unreadable\":%llu",
		    (unsigned long long)st->records.blobs, (unsigned long long)st->bytes_in,
		    (unsigned long long)st->bytes_out, (unsigned long long)ps->unreadable);
}

static void say_written(const struct tool *t, const char *key, const struct fy_writer_stats *st)
{
	char in[32], out[32];
	int k;

	if (t->verbosity < 2)
		return;
	tool_human_bytes(st->bytes_in, in, sizeof(in));
	tool_human_bytes(st->bytes_out, out, sizeof(out));
	fprintf(stderr, "%s: wrote and verified %s:", t->prog, key);
	for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++)
		if (st->records.records[k])
			fprintf(stderr, " %llu %s,", (unsigned long long)st->records.records[k],
				tool_kind_label((enum fy_kind)k, st->records.records[k]));
	fprintf(stderr, " %llu blobs; %s in %s\n", (unsigned long long)st->records.blobs, in, out);
}

/* The archive of the same source just before time t, or NULL. */
static const struct fy_repo_entry *previous(const struct fy_repo_list *l, const char *name,
					    int64_t t)
{
	size_t i;

	for (i = 0; i < l->n; i++)	/* newest first within a name */
		if (strcmp(l->v[i].name, name) == 0 && l->v[i].time < t)
			return &l->v[i];
	return NULL;
}

static int run_diff(struct tool *t, struct fy_repo *r, const struct fy_repo_entry *prev,
		    const char *staged, const char *key, int json, struct fy_buf *out)
{
	struct fy_error err;
	char *older, *newer = NULL;
	int rc;

	if (!prev) {
		if (json)
			fy_buf_adds(out, ",\"diff\":null", NULL);
		else if (t->verbosity > 0)
			printf("%s: no earlier archive of this source to compare with\n", key);
		return EXIT_OK;
	}
	older = fy_repo_fetch(r, prev->key, &err);
	/* The staged copy, unless publishing moved it (no hard links). */
	if (older && access(staged, R_OK) != 0)
		newer = fy_repo_fetch(r, key, &err);
	if (!older || (access(staged, R_OK) != 0 && !newer)) {
		fy_repo_fetch_done(r, older);
		if (json)
			fy_buf_adds(out, ",\"diff\":null", NULL);
		return tool_fail(t, &err);
	}
	if (json)
		fy_buf_adds(out, ",\"diff\":", NULL);
	rc = diff_print(t, older, newer ? newer : staged, prev->key, key, -1, json ? out : NULL);
	fy_repo_fetch_done(r, older);
	fy_repo_fetch_done(r, newer);
	return rc;
}

int main(int argc, char **argv)
{
	struct tool t;
	struct opts o;
	struct fy_adapter_ctx ctx;
	struct fy_export_options eo;
	struct fy_writer_stats st;
	struct fy_pump_stats ps;
	struct fy_repo_list list;
	struct fy_repo_entry self;
	struct prune_opts po;
	struct fy_error err;
	struct fy_buf js = FY_BUF_INIT((size_t)1 << 30);
	struct fy_repo *r = NULL;
	const char *source = NULL;
	char *staged = NULL;
	char name[FY_REPO_NAME_MAX + 1], when[40];
	int64_t now;
	int rc, published = 0, diff_rc = EXIT_OK;
	size_t i;

	tool_init(&t, "ferry-backup", usage);
	memset(&o, 0, sizeof(o));
	memset(&list, 0, sizeof(list));
	memset(&st, 0, sizeof(st));
	memset(&ps, 0, sizeof(ps));
	tool_source_init(&o.src);
	repo_args_init(&o.repo, &t);
	fy_error_clear(&err);
	tool_ctx_init(&t, &ctx);
	rc = parse_args(&t, argc, argv, &o, &ctx, &source);
	if (rc != EXIT_OK)
		goto out;
	now = (int64_t)time(NULL);
	if (o.time && (fy_time_parse_user(o.time, &now) < 0 || now < 0 ||
		       now > (int64_t)253402300799)) {
		rc = tool_usage_error(&t, "--time: '%s' is not an RFC 3339 time in years 1970-9999",
				      o.time);
		goto out;
	}
	ctx.verbosity = t.verbosity;
	tool_source_apply(&o.src, &ctx);
	tool_signals();
	if (o.name)
		snprintf(name, sizeof(name), "%s", o.name);
	else
		fy_repo_name_from_source(source, name, sizeof(name));
	memset(&self, 0, sizeof(self));
	snprintf(self.name, sizeof(self.name), "%s", name);
	self.time = now;
	fy_repo_key(name, now, self.key);
	fy_time_format(now, 0, when);
	fy_buf_adds(&js, "{\"repo\":", NULL);
	fy_buf_add_jstr(&js, o.repo.repo, strlen(o.repo.repo), NULL);
	fy_buf_adds(&js, ",\"archive\":", NULL);
	fy_buf_add_jstr(&js, self.key, strlen(self.key), NULL);
	fy_buf_adds(&js, ",\"name\":", NULL);
	fy_buf_add_jstr(&js, name, strlen(name), NULL);
	fy_buf_addf(&js, NULL, ",\"time\":\"%s\",\"dry_run\":%s", when, o.dry_run ? "true" : "false");

	r = repo_open(&t, &o.repo, &rc);
	if (!r)
		goto out;
	if (!o.dry_run && (rc = repo_lock(&t, r, "backup", &js)) != EXIT_OK)
		goto out;
	if (fy_repo_list(r, &list, &err) < 0) {
		rc = tool_fail(&t, &err);
		goto out;
	}
	for (i = 0; i < list.n; i++)
		if (strcmp(list.v[i].key, self.key) == 0) {
			fy_error_set(&err, FY_E_EXISTS, "%s: %s exists already (one backup of a "
				     "source per second; see --time)", o.repo.repo, self.key);
			rc = tool_fail(&t, &err);
			goto out;
		}
	if (o.dry_run) {
		if (!o.json)
			printf("would write %s\n", self.key);
	} else {
		staged = fy_repo_stage_path(r, self.key, &err);
		memset(&eo, 0, sizeof(eo));
		eo.source = source;
		eo.output = staged;
		eo.created = now;
		eo.created_set = 1;
		eo.level = o.src.level;
		eo.threads = o.src.threads;
		if (!staged || fy_export(&ctx, &eo, &tool_interrupted, &st, &ps, &err) < 0 ||
		    fy_archive_verify_file(staged, NULL, &err) < 0) {
			rc = tool_fail(&t, &err);
			goto out;
		}
		tool_progress_end(&t);
		if (fy_repo_publish(r, staged, self.key, &err) < 0) {
			rc = tool_fail(&t, &err);
			goto out;
		}
		published = 1;
		say_written(&t, self.key, &st);
		fy_buf_adds(&js, ",\"verified\":true", NULL);
		stats_json(&js, &st, &ps);
		/* A diff that fails (an unreadable older archive) does not undo the
		 * backup: its status is reported at the end. */
		if (o.diff)
			diff_rc = run_diff(&t, r, previous(&list, name, now), staged, self.key,
					   o.json, &js);
	}
	if (o.prune) {
		memset(&po, 0, sizeof(po));
		po.name = name;
		po.dry_run = o.dry_run;
		po.show = !o.json && (o.dry_run || t.verbosity >= 2);
		po.verified = self.key;
		po.extra = o.dry_run ? &self : NULL;
		if (!o.dry_run) {
			/* The new archive is in the repository now: list again. */
			fy_repo_list_release(&list);
			if (fy_repo_list(r, &list, &err) < 0) {
				rc = tool_fail(&t, &err);
				goto out;
			}
		}
		fy_buf_adds(&js, ",\"prune\":", NULL);
		po.json = &js;
		rc = repo_prune(&t, r, &list, &o.repo.policy, &po);
		if (rc != EXIT_OK)
			goto out;
	}
	if (fy_repo_unlock(r, &err) < 0) {
		rc = tool_fail(&t, &err);
		goto out;
	}
	if (diff_rc != EXIT_OK) {
		rc = diff_rc;
	} else if (published && ps.unreadable) {
		fy_error_set(&err, FY_E_PARTIAL,
			     "%s: partial: %llu items could not be read from %s (see the archive's "
			     "ledger)", self.key, (unsigned long long)ps.unreadable, source);
		rc = tool_fail(&t, &err);
	}
out:
	if (o.json && rc != EXIT_USAGE) {
		fy_buf_addf(&js, NULL, ",\"exit\":%d}\n", rc);
		fwrite(js.ptr, 1, js.len, stdout);
	}
	if (staged)
		unlink(staged);
	free(staged);
	fy_repo_list_release(&list);
	fy_repo_free(r);
	fy_buf_release(&js);
	tool_source_release(&o.src);
	if (rc == EXIT_OK || rc == EXIT_PARTIAL) {
		int out_rc = tool_close_stdout(&t);

		if (out_rc != EXIT_OK)
			rc = out_rc;
	}
	return rc;
}
