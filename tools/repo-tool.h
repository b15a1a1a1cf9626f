/*
 * repo-tool.h - what ferry-backup and ferry-forget share: the repository
 * and keep-policy options, and pruning a repository by a policy (the
 * plan, the newest-verified safety net, removal, text and JSON output).
 */
#ifndef FERRY_REPO_TOOL_H
#define FERRY_REPO_TOOL_H

#include "buf.h"
#include "repo.h"
#include "retention.h"
#include "tool.h"

enum {
	REPO_O_REPO = 0x2000, REPO_O_S3_ENDPOINT, REPO_O_S3_REGION, REPO_O_S3_PATH,
	REPO_O_S3_VHOST, REPO_O_TMP_DIR,
	REPO_O_KEEP = 0x2100,		/* + enum fy_keep_rule */
	REPO_O_KEEP_WITHIN = 0x2200,	/* + enum fy_keep_rule; FY_RULE_LAST: --keep-within */
};

#define REPO_LONGOPTS                                                                     \
	{ "repo", required_argument, NULL, REPO_O_REPO },                                 \
	{ "s3-endpoint", required_argument, NULL, REPO_O_S3_ENDPOINT },                   \
	{ "s3-region", required_argument, NULL, REPO_O_S3_REGION },                       \
	{ "s3-path-style", no_argument, NULL, REPO_O_S3_PATH },                           \
	{ "s3-virtual-hosted", no_argument, NULL, REPO_O_S3_VHOST },                      \
	{ "tmp-dir", required_argument, NULL, REPO_O_TMP_DIR },                           \
	{ "keep-last", required_argument, NULL, REPO_O_KEEP + FY_RULE_LAST },             \
	{ "keep-hourly", required_argument, NULL, REPO_O_KEEP + FY_RULE_HOURLY },         \
	{ "keep-daily", required_argument, NULL, REPO_O_KEEP + FY_RULE_DAILY },           \
	{ "keep-weekly", required_argument, NULL, REPO_O_KEEP + FY_RULE_WEEKLY },         \
	{ "keep-monthly", required_argument, NULL, REPO_O_KEEP + FY_RULE_MONTHLY },       \
	{ "keep-yearly", required_argument, NULL, REPO_O_KEEP + FY_RULE_YEARLY },         \
	{ "keep-within", required_argument, NULL, REPO_O_KEEP_WITHIN + FY_RULE_LAST },    \
	{ "keep-within-hourly", required_argument, NULL, REPO_O_KEEP_WITHIN + FY_RULE_HOURLY }, \
	{ "keep-within-daily", required_argument, NULL, REPO_O_KEEP_WITHIN + FY_RULE_DAILY }, \
	{ "keep-within-weekly", required_argument, NULL, REPO_O_KEEP_WITHIN + FY_RULE_WEEKLY }, \
	{ "keep-within-monthly", required_argument, NULL, REPO_O_KEEP_WITHIN + FY_RULE_MONTHLY }, \
	{ "keep-within-yearly", required_argument, NULL, REPO_O_KEEP_WITHIN + FY_RULE_YEARLY }

struct repo_args {
	const char *repo;
	struct fy_repo_options ro;
	struct fy_keep_policy policy;
};

void repo_args_init(struct repo_args *a, struct tool *t);
/* As tool_source_option(): 1 handled, 0 not ours, -1 with *rc set. */
int repo_option(const struct tool *t, int c, const char *arg, struct repo_args *a, int *rc);

/* Open the repository named by a; on failure print and return NULL with *rc set. */
struct fy_repo *repo_open(const struct tool *t, const struct repo_args *a, int *rc);

struct prune_opts {
	const char *name;	/* only this source's archives; NULL: every group */
	int dry_run;		/* remove nothing */
	int show;		/* print the plan on standard output */
	const char *verified;	/* key of an archive this run has just verified, or NULL */
	const struct fy_repo_entry *extra; /* a would-be archive (backup --dry-run), or NULL */
	struct fy_buf *json;	/* append a JSON array of groups here, or NULL */
	uint64_t removed;	/* out: archives removed (or that would be) */
};

/*
 * Apply the policy to each group of list, newest first. In a group where
 * the policy removes something, the newest archive that verifies is kept
 * whatever the policy says ("newest verified"); archives that fail to
 * verify are reported one line each, and when none verifies the group is
 * left alone. Returns EXIT_OK, EXIT_INTEGRITY when an archive failed to
 * verify (after pruning what was safe), or the failing step's status.
 */
int repo_prune(struct tool *t, struct fy_repo *r, const struct fy_repo_list *list,
	       const struct fy_keep_policy *p, struct prune_opts *o);

/* The lock, with the stale-lock take-over reported as a warning. */
int repo_lock(struct tool *t, struct fy_repo *r, const char *command, struct fy_buf *json);

#endif
