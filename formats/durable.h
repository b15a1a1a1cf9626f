/*
 * durable.h - the crash-test hook every durable writer calls (durable.c).
 */
#ifndef FY_DURABLE_H
#define FY_DURABLE_H

#include "error.h"

/*
 * Called before each step whose interruption must be safe: a member
 * written, an fsync, a rename, a journal line. Does nothing unless the
 * environment has FERRY_FAIL_AT=N, in which case the N-th step of the
 * process kills it with SIGKILL, as a crash would.
 */
int fy_durable_step(const char *what, struct fy_error *err);

#endif
