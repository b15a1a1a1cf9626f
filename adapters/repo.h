/*
 * repo.h - a backup repository: where `ferry backup` files its archives,
 * how they are named, listed, locked, published and removed.
 *
 * A repository is a folder or an S3 prefix ("s3://bucket/prefix"). Its
 * layout is flat and readable without ferry:
 *
 *	NAME-YYYYMMDDTHHMMSSZ.ferry	one archive: source name and UTC time
 *	ferry.lock			(folder) the lock while a run holds it
 *	locks/<id>.json			(S3) lock objects, see s3.c
 *	.ferry-staging/			(folder) archives being written and verified
 *
 * Anything else in the folder or under the prefix is ignored, so a
 * repository may share a bucket or a folder with other files.
 *
 * Publishing is atomic: an archive is written and fsync'd in a staging
 * place, verified there (the full reader pass: every checksum, schema and
 * reference), and only then appears under its final name - link(2) into
 * the folder, or the completion of an S3 multipart upload. A run killed at
 * any moment leaves at most staging debris, which the next run holding the
 * lock removes. A final name never holds a partial or unverified archive.
 *
 * Locking: see fy_repo_lock(). Library code: no printing, errors through
 * struct fy_error (FY_E_LOCKED for a held lock, FY_E_EXISTS for a name
 * already taken).
 */
#ifndef FY_REPO_H
#define FY_REPO_H

#include <stddef.h>
#include <stdint.h>

#include "adapter.h"
#include "error.h"

#define FY_REPO_NAME_MAX 64
/* "NAME-YYYYMMDDTHHMMSSZ.ferry" */
#define FY_REPO_KEY_MAX (FY_REPO_NAME_MAX + 24)

enum fy_s3_addressing { FY_S3_AUTO = 0, FY_S3_PATH, FY_S3_VIRTUAL };

struct fy_repo_options {
	const char *s3_endpoint;	/* NULL: https://s3.<region>.amazonaws.com */
	const char *s3_region;		/* NULL: $AWS_REGION, $AWS_DEFAULT_REGION, us-east-1 */
	enum fy_s3_addressing s3_addressing; /* AUTO: path style for an explicit endpoint */
	const char *tmp_dir;		/* staging for a remote repository; NULL: $TMPDIR, /tmp */
	/* services, as in fy_adapter_ctx; any may be NULL */
	void (*log)(void *cb, enum fy_log_level level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
	void (*progress)(void *cb, const char *what, uint64_t done, uint64_t total);
	void *cb;
	int verbosity;			/* 2 and 3 trace S3 requests */
};

/* One archive in a repository. */
struct fy_repo_entry {
	char key[FY_REPO_KEY_MAX + 1];	/* the file or object name under the repository */
	char name[FY_REPO_NAME_MAX + 1]; /* the source name (the group retention works in) */
	int64_t time;			/* UTC seconds, from the name */
	uint64_t size;
};

struct fy_repo_list {
	struct fy_repo_entry *v;	/* owned; sorted by name, then newest first */
	size_t n, cap;
};

/* Who holds (or held) a lock. */
struct fy_lock_holder {
	char host[256];
	char machine_id[40];		/* /etc/machine-id, or empty */
	char boot_id[40];		/* /proc/sys/kernel/random/boot_id, or empty */
	long pid;
	unsigned long long start_ticks;	/* /proc/<pid>/stat field 22, 0 if unknown */
	char started[40];		/* RFC 3339 UTC */
	char command[32];		/* "backup", "forget" */
	char token[33];			/* random: tells our own lock from another */
};

struct fy_repo;

/* "s3://bucket/prefix" or a folder path. New; free with fy_repo_free(). */
struct fy_repo *fy_repo_open(const char *url, const struct fy_repo_options *o,
			     struct fy_error *err);
/* Releases a lock still held and removes this run's staging. Accepts NULL. */
void fy_repo_free(struct fy_repo *r);
/* The repository as given ("s3://bucket/prefix" or the folder). Borrowed. */
const char *fy_repo_url(const struct fy_repo *r);
/* 1 for a remote (S3) repository. */
int fy_repo_is_remote(const struct fy_repo *r);

/* --- names ----------------------------------------------------------- */

/* A valid source name: 1-64 of [A-Za-z0-9._-], not starting with '.' or '-'. */
int fy_repo_name_valid(const char *name);
/*
 * A default source name for "ADAPTER:LOCATION": the adapter, then the last
 * path component of the location, with other characters turned into '-'
 * ("dir:samples/neutral" -> "dir-neutral", "openai:" -> "openai").
 */
void fy_repo_name_from_source(const char *source, char *out, size_t cap);
/* "NAME-YYYYMMDDTHHMMSSZ.ferry" into out (FY_REPO_KEY_MAX + 1). */
void fy_repo_key(const char *name, int64_t t, char *out);
/* Parse a key back; 0 or -1 when it is not an archive name. */
int fy_repo_key_parse(const char *key, struct fy_repo_entry *e);

/* --- archives -------------------------------------------------------- */

/* Every archive in the repository (sorted: name, then newest first). */
int fy_repo_list(struct fy_repo *r, struct fy_repo_list *out, struct fy_error *err);
void fy_repo_list_release(struct fy_repo_list *l);

/*
 * Where to write the archive that will be published as key: a path in the
 * repository's staging folder, or a local temporary file for S3. New.
 */
char *fy_repo_stage_path(struct fy_repo *r, const char *key, struct fy_error *err);
/*
 * Make the staged, verified archive visible under key, atomically, never
 * replacing an archive (FY_E_EXISTS). S3: a multipart upload, then the
 * stored object's SHA-256 is read back and compared. The staged file
 * usually stays (a diff may still read it; a folder without hard links
 * moves it); the caller removes it.
 */
int fy_repo_publish(struct fy_repo *r, const char *staged, const char *key, struct fy_error *err);
/* Remove an archive. */
int fy_repo_remove(struct fy_repo *r, const char *key, struct fy_error *err);
/*
 * A local path to read archive key from: the file itself for a folder, a
 * downloaded temporary copy for S3 (removed by fy_repo_fetch_done). New.
 */
char *fy_repo_fetch(struct fy_repo *r, const char *key, struct fy_error *err);
void fy_repo_fetch_done(struct fy_repo *r, char *path);

/* Verify the archive at a local path completely (fy_reader to the end). */
int fy_archive_verify_file(const char *path, uint64_t *records, struct fy_error *err);

/* --- locking --------------------------------------------------------- */

/*
 * Take the repository's lock for command ("backup", "forget"). Two runs on
 * one repository never interleave: the second gets FY_E_LOCKED with a
 * message naming the holder (host, pid, command, start time), and *held
 * describes it. A lock whose holder was on this host (same host name and
 * machine id) and whose process is gone (no such pid, another process
 * under that pid, or the machine rebooted since) is stale: it is taken
 * over, *taken describes it and *took_over is set. Either pointer may be
 * NULL. Folder: ferry.lock created with O_EXCL; the check-and-take-over is
 * serialised on this host with flock(2) on the folder. S3: see s3.c.
 */
int fy_repo_lock(struct fy_repo *r, const char *command, struct fy_lock_holder *held,
		 int *took_over, struct fy_error *err);
/* Release the lock (only if it is still ours). */
int fy_repo_unlock(struct fy_repo *r, struct fy_error *err);
/*
 * Remove the lock whoever holds it (`ferry forget --break-lock`), for a
 * holder on another host that is known to be dead. *held gets who it was.
 */
int fy_repo_break_lock(struct fy_repo *r, struct fy_lock_holder *held, int *had,
		       struct fy_error *err);

/* This process as a lock holder. */
void fy_lock_holder_self(struct fy_lock_holder *h, const char *command);
/* As JSON text into out. */
int fy_lock_holder_json(const struct fy_lock_holder *h, struct fy_buf *out, struct fy_error *err);
/* Parse JSON text; -1 when it is not a holder (an empty or torn file). */
int fy_lock_holder_parse(const char *json, size_t len, struct fy_lock_holder *h);
/* 1 when h ran on this host and its process is gone; 0 when alive or not ours to judge. */
int fy_lock_holder_dead(const struct fy_lock_holder *h);
/* "ferry backup on host H, pid P, since T" */
void fy_lock_holder_describe(const struct fy_lock_holder *h, char *out, size_t cap);

#endif
