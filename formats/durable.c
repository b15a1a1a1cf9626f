/*
 * durable.c - the crash-test hook shared by every durable writer.
 *
 * The archive writer, the import journal and the backup repository call
 * fy_durable_step() before each step whose interruption must be safe (a
 * member written, an fsync, a rename, a journal line). Normally it does
 * nothing. With FERRY_FAIL_AT=N in the environment, the N-th step of the
 * process kills the process with SIGKILL, exactly as a crash would, so the
 * tests can stop a run dead at every step in turn and check what is left.
 * This is the one place below tools/ that ends the process, and only when
 * a test asks for it.
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "durable.h"

int fy_durable_step(const char *what, struct fy_error *err)
{
	static long step, fail_at = -1;

	(void)what;
	(void)err;
	if (fail_at < 0) {
		const char *s = getenv("FERRY_FAIL_AT");

		fail_at = s ? atol(s) : 0;
	}
	if (fail_at > 0 && ++step == fail_at)
		kill(getpid(), SIGKILL);
	return 0;
}
