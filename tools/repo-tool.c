/*
 * repo-tool.c - repository options and pruning for ferry-backup and
 * ferry-forget. See repo-tool.h.
 */
#include "repo-tool.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record.h"

void repo_args_init(struct repo_args *a, struct tool *t)
{
	memset(a, 0, sizeof(*a));
	fy_keep_policy_init(&a->policy);
	a->ro.log = NULL;
	a->ro.cb = t;
}

int repo_option(const struct tool *t, int c, const char *arg, struct repo_args *a, int *rc)
{
	struct fy_error err;

	*rc = EXIT_OK;
	if (c >= REPO_O_KEEP && c < REPO_O_KEEP + FY_RULE__COUNT) {
		if (fy_keep_count_parse(arg, &a->policy.count[c - REPO_O_KEEP], &err) < 0)
			*rc = tool_usage_error(t, "%s", err.msg);
		return *rc == EXIT_OK ? 1 : -1;
	}
	if (c >= REPO_O_KEEP_WITHIN && c < REPO_O_KEEP_WITHIN + FY_RULE__COUNT) {
		int rule = c - REPO_O_KEEP_WITHIN;
		struct fy_duration *d = rule == FY_RULE_LAST ? &a->policy.within
							     : &a->policy.within_rule[rule];

		if (fy_duration_parse(arg, d, &err) < 0)
			*rc = tool_usage_error(t, "%s", err.msg);
		return *rc == EXIT_OK ? 1 : -1;
	}
	switch (c) {
	case REPO_O_REPO: a->repo = arg; break;
	case REPO_O_S3_ENDPOINT: a->ro.s3_endpoint = arg; break;
	case REPO_O_S3_REGION: a->ro.s3_region = arg; break;
	case REPO_O_S3_PATH: a->ro.s3_addressing = FY_S3_PATH; break;
	case REPO_O_S3_VHOST: a->ro.s3_addressing = FY_S3_VIRTUAL; break;
	case REPO_O_TMP_DIR: a->ro.tmp_dir = arg; break;
	default: return 0;
	}
	return 1;
}

struct fy_repo *repo_open(const struct tool *t, const struct repo_args *a, int *rc)
{
	struct fy_adapter_ctx ctx;
	struct fy_repo_options ro = a->ro;
	struct fy_error err;
	struct fy_repo *r;

	/* The same log and progress services the adapters get. */
	tool_ctx_init((struct tool *)t, &ctx);
	ro.log = ctx.log;
	ro.progress = ctx.progress;
	ro.cb = ctx.cb;
	ro.verbosity = t->verbosity - 1;	/* -vv traces S3 requests; -v is the summary */
	r = fy_repo_open(a->repo, &ro, &err);
	if (!r)
		*rc = tool_fail(t, &err);
	return r;
}

int repo_lock(struct tool *t, struct fy_repo *r, const char *command, struct fy_buf *json)
{
	struct fy_lock_holder held;
	struct fy_error err;
	int took_over = 0;
	char who[512];

	if (fy_repo_lock(r, command, &held, &took_over, &err) < 0)
		return tool_fail(t, &err);
	if (took_over) {
		fy_lock_holder_describe(&held, who, sizeof(who));
		tool_warn(t, "%s: took over the lock of %s: that process is gone", fy_repo_url(r),
			  held.host[0] ? who : "a run that died while taking it");
		if (json && (fy_buf_adds(json, ",\"lock_taken_over\":", NULL) < 0 ||
			     fy_lock_holder_json(&held, json, NULL) < 0))
			return EXIT_FAILURE_;
		if (json && json->len && json->ptr[json->len - 1] == '\n')
			json->ptr[--json->len] = '\0';
	}
	return EXIT_OK;
}

static void entry_json(struct fy_buf *b, const struct fy_repo_entry *e, unsigned reasons, int keep)
{
	char t[40], why[256];

	fy_time_format(e->time, 0, t);
	fy_buf_addf(b, NULL, "{\"archive\":");
	fy_buf_add_jstr(b, e->key, strlen(e->key), NULL);
	fy_buf_addf(b, NULL, ",\"time\":\"%s\"", t);
	if (keep) {
		fy_keep_reasons_json(reasons, why, sizeof(why));
		fy_buf_addf(b, NULL, ",\"reasons\":%s", why);
	}
	fy_buf_addc(b, '}', NULL);
}

/* The newest archive of the group that verifies gets FY_KEEP_BY_SAFETY. */
static int protect_newest_verified(struct tool *t, struct fy_repo *r,
				   const struct fy_repo_entry *const *g, struct fy_keep_item *items,
				   size_t n, const char *verified, int *corrupt)
{
	struct fy_error err;
	size_t i;

	for (i = 0; i < n; i++) {
		char *path;
		int ok;

		if (verified && strcmp(g[i]->key, verified) == 0) {
			items[i].reasons |= FY_KEEP_BY_SAFETY;
			return 0;
		}
		path = fy_repo_fetch(r, g[i]->key, &err);
		ok = path && fy_archive_verify_file(path, NULL, &err) == 0;
		fy_repo_fetch_done(r, path);
		if (ok) {
			items[i].reasons |= FY_KEEP_BY_SAFETY;
			return 0;
		}
		if (err.code == FY_E_NET || err.code == FY_E_AUTH || err.code == FY_E_NOMEM)
			return tool_fail(t, &err);
		(*corrupt)++;
		tool_warn(t, "%s: %s: does not verify: %s", fy_repo_url(r), g[i]->key, err.msg);
	}
	tool_warn(t, "%s: no archive of '%s' verifies; removing none of them", fy_repo_url(r),
		  g[0]->name);
	return -1;
}

static int prune_group(struct tool *t, struct fy_repo *r, const struct fy_repo_entry *const *g,
		       size_t n, const struct fy_keep_policy *p, struct prune_opts *o, int *corrupt,
		       int first_group)
{
	struct fy_keep_item *items = calloc(n, sizeof(*items));
	struct fy_error err;
	size_t i, kept = 0;
	int rc = EXIT_OK, removing = 0, skip = 0;
	char why[256];

	if (!items)
		return EXIT_FAILURE_;
	for (i = 0; i < n; i++)
		items[i].time = g[i]->time;
	fy_keep_apply(p, items, n, (int64_t)time(NULL));
	for (i = 0; i < n; i++)
		removing |= items[i].reasons == 0;
	if (removing) {
		int got = protect_newest_verified(t, r, g, items, n, o->verified, corrupt);

		if (got > 0) {
			free(items);
			return got;
		}
		skip = got < 0;
	}
	for (i = 0; i < n; i++)
		kept += items[i].reasons != 0 || skip;
	if (o->show) {
		printf("%s: keep %zu, remove %zu%s\n", g[0]->name, kept, n - kept,
		       skip ? " (skipped: nothing verifies)" : "");
		for (i = 0; i < n; i++) {
			fy_keep_reasons_format(items[i].reasons, why, sizeof(why));
			if (items[i].reasons || skip)
				printf("keep    %s  %s\n", g[i]->key, why);
			else
				printf("%s  %s\n", o->dry_run ? "would remove" : "remove", g[i]->key);
		}
	}
	if (o->json) {
		fy_buf_addf(o->json, NULL, "%s{\"name\":", first_group ? "" : ",");
		fy_buf_add_jstr(o->json, g[0]->name, strlen(g[0]->name), NULL);
		fy_buf_adds(o->json, ",\"keep\":[", NULL);
		for (i = 0, kept = 0; i < n; i++)
			if (items[i].reasons || skip) {
				if (kept++)
					fy_buf_addc(o->json, ',', NULL);
				entry_json(o->json, g[i], items[i].reasons, 1);
			}
		fy_buf_adds(o->json, "],\"remove\":[", NULL);
		for (i = 0, kept = 0; i < n; i++)
			if (!items[i].reasons && !skip) {
				if (kept++)
					fy_buf_addc(o->json, ',', NULL);
				entry_json(o->json, g[i], 0, 0);
			}
		fy_buf_addf(o->json, NULL, "],\"skipped\":%s}", skip ? "true" : "false");
	}
	/* Oldest first, so an interrupted prune leaves the newer history. */
	for (i = n; i-- > 0 && !skip;) {
		if (items[i].reasons || g[i] == o->extra)
			continue;
		o->removed++;
		if (o->dry_run)
			continue;
		if (tool_interrupted) {
			fy_error_set(&err, FY_E_INTERNAL, "interrupted");
			rc = tool_fail(t, &err);
			break;
		}
		if (fy_repo_remove(r, g[i]->key, &err) < 0) {
			rc = tool_fail(t, &err);
			break;
		}
	}
	free(items);
	return rc;
}

static int entry_ptr_cmp(const void *a, const void *b)
{
	const struct fy_repo_entry *x = *(const struct fy_repo_entry *const *)a;
	const struct fy_repo_entry *y = *(const struct fy_repo_entry *const *)b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->time < y->time ? 1 : x->time > y->time ? -1 : 0;
}

int repo_prune(struct tool *t, struct fy_repo *r, const struct fy_repo_list *list,
	       const struct fy_keep_policy *p, struct prune_opts *o)
{
	const struct fy_repo_entry **all = calloc(list->n + 1, sizeof(*all));
	size_t i, j, m = 0;
	int rc = EXIT_OK, corrupt = 0, groups = 0;

	if (!all)
		return EXIT_FAILURE_;
	o->removed = 0;
	for (i = 0; i < list->n; i++)
		all[m++] = &list->v[i];
	if (o->extra)
		all[m++] = o->extra;
	if (m)
		qsort(all, m, sizeof(*all), entry_ptr_cmp);
	if (o->json)
		fy_buf_addc(o->json, '[', NULL);
	for (i = 0; i < m && rc == EXIT_OK; i = j) {
		for (j = i; j < m && strcmp(all[j]->name, all[i]->name) == 0; j++)
			;
		if (o->name && strcmp(all[i]->name, o->name) != 0)
			continue;
		rc = prune_group(t, r, all + i, j - i, p, o, &corrupt, groups++ == 0);
	}
	if (o->json)
		fy_buf_addc(o->json, ']', NULL);
	free(all);
	if (rc == EXIT_OK && corrupt)
		rc = EXIT_INTEGRITY;
	return rc;
}
