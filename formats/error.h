/*
 * error.h - the error object every ferry library function reports into.
 *
 * Library code (formats/, adapters/) never prints and never exits: a
 * failing function fills a caller-owned struct fy_error and returns -1.
 * fy_error_set() itself returns -1, so a failure is one line:
 *
 *	return fy_error_set(err, FY_E_DATA, "conversation %zu: 'mapping' is not an object", n);
 *
 * The tools turn the code into an exit status (tools/tool.c, one table)
 * and print the message after the program name.
 */
#ifndef FY_ERROR_H
#define FY_ERROR_H

#include <stddef.h>

/* Error kinds. Stable: tools map each to a documented exit status. */
enum fy_errcode {
	FY_E_OK = 0,
	FY_E_INTERNAL,		/* a bug or an impossible state */
	FY_E_USAGE,		/* bad arguments or options */
	FY_E_DATA,		/* input is malformed: syntax, schema, reference */
	FY_E_INTEGRITY,		/* checksum mismatch, truncation, corruption */
	FY_E_UNSAFE,		/* hostile archive: member name, type, limit */
	FY_E_IO,		/* a file could not be read or written */
	FY_E_NOMEM,		/* out of memory */
	FY_E_NET,		/* network or provider failure after retries */
	FY_E_AUTH,		/* credentials missing or refused */
	FY_E_UNSUPPORTED,	/* unknown adapter, version or feature */
	FY_E_PARTIAL,		/* finished, but some items could not be read */
	FY_E_LOCKED,		/* a repository or journal is held by another run */
	FY_E_LOSS,		/* the operation would lose data the user has not accepted */
	FY_E_EXISTS,		/* the target exists and will not be overwritten */
	FY_E__COUNT
};

#define FY_ERROR_MSG_MAX 1024

struct fy_error {
	enum fy_errcode code;
	char msg[FY_ERROR_MSG_MAX];
};

/* Reset to "no error". */
void fy_error_clear(struct fy_error *err);

/*
 * Record an error and return -1. A NULL err is allowed (the message is
 * dropped). The message has no program name and no trailing full stop.
 */
int fy_error_set(struct fy_error *err, enum fy_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Put "where: " in front of the message already recorded, keeping the code;
 * used as an error travels up through the layers. Returns -1.
 */
int fy_error_prefix(struct fy_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Record an errno failure: "<what>: <strerror>" with FY_E_IO (or FY_E_NOMEM);
 * a full disk (ENOSPC, EDQUOT) is "<what>: disk full (<strerror>)".
 */
int fy_error_errno(struct fy_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A short stable name for a code ("data", "integrity", ...). */
const char *fy_errcode_name(enum fy_errcode code);

#endif
