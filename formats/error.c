/*
 * error.c - filling struct fy_error. See error.h.
 */
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void fy_error_clear(struct fy_error *err)
{
	if (!err)
		return;
	err->code = FY_E_OK;
	err->msg[0] = '\0';
}

int fy_error_set(struct fy_error *err, enum fy_errcode code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int fy_error_prefix(struct fy_error *err, const char *fmt, ...)
{
	char tail[FY_ERROR_MSG_MAX];
	size_t hlen;
	va_list ap;
	int n;

	if (!err)
		return -1;
	memcpy(tail, err->msg, sizeof(tail));
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	hlen = n < 0 ? 0 : (size_t)n < sizeof(err->msg) ? (size_t)n : sizeof(err->msg) - 1;
	if (hlen + 2 < sizeof(err->msg)) {
		memcpy(err->msg + hlen, ": ", 3);
		strncat(err->msg, tail, sizeof(err->msg) - hlen - 3);
	}
	if (err->code == FY_E_OK)
		err->code = FY_E_INTERNAL;
	return -1;
}

int fy_error_errno(struct fy_error *err, int errnum, const char *fmt, ...)
{
	char what[FY_ERROR_MSG_MAX];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* Said the same way wherever it happens: write, mkdir, open, fsync, close. */
	if (errnum == ENOSPC || errnum == EDQUOT)
		return fy_error_set(err, FY_E_IO, "%s: disk full (%s)", what, strerror(errnum));
	return fy_error_set(err, errnum == ENOMEM ? FY_E_NOMEM : FY_E_IO,
			    "%s: %s", what, strerror(errnum));
}

const char *fy_errcode_name(enum fy_errcode code)
{
	static const char *const names[FY_E__COUNT] = {
		[FY_E_OK] = "ok",
		[FY_E_INTERNAL] = "internal",
		[FY_E_USAGE] = "usage",
		[FY_E_DATA] = "data",
		[FY_E_INTEGRITY] = "integrity",
		[FY_E_UNSAFE] = "unsafe",
		[FY_E_IO] = "io",
		[FY_E_NOMEM] = "nomem",
		[FY_E_NET] = "network",
		[FY_E_AUTH] = "auth",
		[FY_E_UNSUPPORTED] = "unsupported",
		[FY_E_PARTIAL] = "partial",
		[FY_E_LOCKED] = "locked",
		[FY_E_LOSS] = "loss",
		[FY_E_EXISTS] = "exists",
	};

	if ((unsigned)code >= FY_E__COUNT || !names[code])
		return "unknown";
	return names[code];
}
