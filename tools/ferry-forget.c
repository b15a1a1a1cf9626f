/*
 * ferry-forget - remove the archives of a backup repository that a
 * restic-style keep policy drops (what `ferry backup --prune` does after a
 * backup, on its own), or break a lock left by a dead run on another host.
 *
 *	ferry forget --repo DEST --keep-... [--name NAME] [--dry-run]
 *	ferry forget --repo DEST --break-lock
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "repo-tool.h"

static const char usage[] =
	"usage: ferry forget --repo DEST --keep-... [--name NAME] [--dry-run] [--json]\n"
	"       ferry forget --repo DEST --break-lock\n";

static const char help[] =
	"\n"
	"Apply a keep policy to the archives in the repository DEST (a folder, or\n"
	"s3://BUCKET/PREFIX) and remove those it drops. The policy is restic's\n"
	"(see ferry-forget(1)), applied to each source's archives separately, with\n"
	"days and weeks in UTC. The newest archive of each source that verifies is\n"
	"never removed. Takes the repository's lock like ferry backup.\n"
	"\n"
	"  -r, --repo DEST           the repository (required)\n"
	"      --name NAME           only this source's archives\n"
	"      --keep-last N         keep the N newest archives\n"
	"      --keep-hourly N       keep the newest archive of each of the last N\n"
	"      --keep-daily N        hours, days, ISO weeks, months, years that have\n"
	"      --keep-weekly N       one (N may be 'unlimited')\n"
	"      --keep-monthly N\n"
	"      --keep-yearly N\n"
	"      --keep-within D       keep every archive less than D (e.g. 1y2m3d4h) older\n"
	"                            than the newest; also --keep-within-hourly/daily/\n"
	"                            weekly/monthly/yearly D\n"
	"      --dry-run             remove nothing; print what would be kept and removed\n"
	"      --break-lock          remove the repository's lock whoever holds it (for a\n"
	"                            run that died on another host; a dead run on this\n"
	"                            host is detected and its lock taken over anyway)\n"
	"      --s3-endpoint URL, --s3-region REGION, --s3-path-style,\n"
	"      --s3-virtual-hosted, --tmp-dir DIR   as for ferry backup\n"
	"      --json                a JSON summary on standard output\n"
	"  -q, --quiet               print nothing but errors\n"
	"  -v, --verbose             print what is kept and removed, and why\n"
	"  -h, --help                this help\n"
	"      --version             the version\n"
	"\n"
	"Exit status: 0 success, 4 an archive did not verify (reported; pruning\n"
	"went on where it was safe), 11 locked; see ferry-forget(1).\n";

struct opts {
	const char *name;
	int dry_run, json, break_lock;
	struct repo_args repo;
};

static int parse_args(struct tool *t, int argc, char **argv, struct opts *o)
{
	enum { O_NAME = 256, O_DRY_RUN, O_BREAK, O_JSON, O_VERSION };
	static const struct option longopts[] = {
		REPO_LONGOPTS,
		{ "name", required_argument, NULL, O_NAME },
		{ "dry-run", no_argument, NULL, O_DRY_RUN },
		{ "break-lock", no_argument, NULL, O_BREAK },
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
		if (repo_option(t, c, optarg, &o->repo, &rc) != 0) {
			if (rc != EXIT_OK)
				return rc;
			continue;
		}
		switch (c) {
		case O_NAME: o->name = optarg; break;
		case O_DRY_RUN: o->dry_run = 1; break;
		case O_BREAK: o->break_lock = 1; break;
		case O_JSON: o->json = 1; break;
		case 'q': t->verbosity = 0; break;
		case 'v': t->verbosity++; break;
		case 'h': tool_print_help(t, help); exit(tool_close_stdout(t));
		case O_VERSION: tool_print_version(t); exit(tool_close_stdout(t));
		default: return tool_usage_error(t, "unknown option");
		}
	}
	if (optind != argc)
		return tool_usage_error(t, "too many arguments");
	if (!o->repo.repo)
		return tool_usage_error(t, "no repository given (--repo DEST)");
	if (o->name && !fy_repo_name_valid(o->name))
		return tool_usage_error(t, "--name: '%s' is not a source name", o->name);
	if (o->break_lock && (!fy_keep_policy_empty(&o->repo.policy) || o->dry_run || o->name))
		return tool_usage_error(t, "--break-lock goes alone");
	if (!o->break_lock && fy_keep_policy_empty(&o->repo.policy))
		return tool_usage_error(t, "no policy given (--keep-last, --keep-daily, ...): "
				       "nothing would be removed");
	return EXIT_OK;
}

static int break_lock(struct tool *t, struct fy_repo *r, int json)
{
	struct fy_lock_holder h;
	struct fy_error err;
	char who[512];
	int had = 0;

	if (fy_repo_break_lock(r, &h, &had, &err) < 0)
		return tool_fail(t, &err);
	fy_lock_holder_describe(&h, who, sizeof(who));
	if (json) {
		printf("{\"repo\":");
		tool_json_str(stdout, fy_repo_url(r));
		printf(",\"had_lock\":%s,\"holder\":", had ? "true" : "false");
		if (had)
			tool_json_str(stdout, who);
		else
			fputs("null", stdout);
		printf(",\"exit\":0}\n");
	} else if (t->verbosity > 0) {
		if (had)
			printf("removed the lock of %s\n", h.host[0] ? who : "an unknown holder");
		else
			printf("%s was not locked\n", fy_repo_url(r));
	}
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct tool t;
	struct opts o;
	struct fy_repo_list list;
	struct prune_opts po;
	struct fy_error err;
	struct fy_buf js = FY_BUF_INIT((size_t)1 << 30);
	struct fy_repo *r = NULL;
	int rc, out_rc;

	tool_init(&t, "ferry-forget", usage);
	memset(&o, 0, sizeof(o));
	memset(&list, 0, sizeof(list));
	repo_args_init(&o.repo, &t);
	rc = parse_args(&t, argc, argv, &o);
	if (rc != EXIT_OK)
		return rc;
	tool_signals();
	r = repo_open(&t, &o.repo, &rc);
	if (!r)
		goto out;
	if (o.break_lock) {
		rc = break_lock(&t, r, o.json);
		goto out;
	}
	fy_buf_adds(&js, "{\"repo\":", NULL);
	fy_buf_add_jstr(&js, o.repo.repo, strlen(o.repo.repo), NULL);
	fy_buf_addf(&js, NULL, ",\"dry_run\":%s", o.dry_run ? "true" : "false");
	if (!o.dry_run && (rc = repo_lock(&t, r, "forget", &js)) != EXIT_OK)
		goto out;
	if (fy_repo_list(r, &list, &err) < 0) {
		rc = tool_fail(&t, &err);
		goto out;
	}
	memset(&po, 0, sizeof(po));
	po.name = o.name;
	po.dry_run = o.dry_run;
	po.show = !o.json && (o.dry_run || t.verbosity >= 2);
	fy_buf_adds(&js, ",\"groups\":", NULL);
	po.json = &js;
	rc = repo_prune(&t, r, &list, &o.repo.policy, &po);
	if (fy_repo_unlock(r, &err) < 0 && rc == EXIT_OK)
		rc = tool_fail(&t, &err);
	if (o.json) {
		fy_buf_addf(&js, NULL, ",\"removed\":%llu,\"exit\":%d}\n", (unsigned long long)po.removed,
			    rc);
		fwrite(js.ptr, 1, js.len, stdout);
	}
out:
	fy_repo_list_release(&list);
	fy_repo_free(r);
	fy_buf_release(&js);
	out_rc = tool_close_stdout(&t);
	return rc != EXIT_OK ? rc : out_rc;
}
