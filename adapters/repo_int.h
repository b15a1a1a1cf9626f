/*
 * repo_int.h - what a repository back end implements (repo.c: folders;
 * repo_s3.c: S3). Not a public header: the tools use repo.h.
 */
#ifndef FY_REPO_INT_H
#define FY_REPO_INT_H

#include "repo.h"

struct repo_ops {
	const char *name;
	int (*open)(struct fy_repo *r, const char *location, struct fy_error *err);
	void (*close)(struct fy_repo *r);
	/* Call fn for every object or file directly under the repository. */
	int (*list)(struct fy_repo *r, int (*fn)(void *ctx, const char *key, uint64_t size),
		    void *ctx, struct fy_error *err);
	char *(*stage_path)(struct fy_repo *r, const char *key, struct fy_error *err);
	int (*publish)(struct fy_repo *r, const char *staged, const char *key, struct fy_error *err);
	int (*remove)(struct fy_repo *r, const char *key, struct fy_error *err);
	char *(*fetch)(struct fy_repo *r, const char *key, struct fy_error *err);
	void (*fetch_done)(struct fy_repo *r, char *path);
	int (*lock)(struct fy_repo *r, const struct fy_lock_holder *self, struct fy_lock_holder *held,
		    int *took_over, struct fy_error *err);
	int (*unlock)(struct fy_repo *r, struct fy_error *err);
	int (*break_lock)(struct fy_repo *r, struct fy_lock_holder *held, int *had,
			  struct fy_error *err);
	/* With the lock held: remove what killed runs left in staging. */
	void (*clean_staging)(struct fy_repo *r);
};

struct fy_repo {
	const struct repo_ops *ops;
	struct fy_repo_options opt;
	char *url;
	void *priv;			/* the back end's state */
	struct fy_lock_holder self;	/* set while the lock is held */
	int locked;
};

#define repo_log(r, level, ...)                                               \
	do {                                                                  \
		if ((r)->opt.log)                                             \
			(r)->opt.log((r)->opt.cb, (level), __VA_ARGS__);      \
	} while (0)

extern const struct repo_ops fy_repo_local_ops;
extern const struct repo_ops fy_repo_s3_ops;

/* The folder for temporary files: the option, $TMPDIR, /tmp. Borrowed. */
const char *fy_repo_tmp_dir(const struct fy_repo *r);
/* A temporary file path under it: "<dir>/ferry-<what>-<pid>-<rand>". New. */
char *fy_repo_tmp_path(const struct fy_repo *r, const char *what, struct fy_error *err);

#endif
