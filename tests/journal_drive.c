/*
 * journal_drive.c - a test driver for the import journal (adapters/journal.c)
 * under kill -9: it imports N threads into a fake provider (a file of
 * "source target" lines) exactly as journal.h tells a live adapter to:
 * skip what is created, look up what is only planned, otherwise write
 * "planned", create at the provider, write "created". The provider's
 * create is a durable step too, so FERRY_FAIL_AT=N can stop the run
 * between any two of these.
 *
 *	journal-drive JOURNAL PROVIDER N
 *
 * Prints "created C skipped S recovered R" and exits 0 when all N are
 * done; t-crash.sh checks that after any kill a rerun completes and the
 * provider holds every thread exactly once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "durable.h"
#include "journal.h"
#include "zstream.h"

/* The provider's target id for source, if it has one (a linear scan: tests only). */
static int provider_find(const char *provider, const char *source, char *target, size_t cap)
{
	FILE *f = fopen(provider, "r");
	char line[256];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' ');

		if (!sp)
			continue;
		*sp = '\0';
		if (strcmp(line, source) == 0) {
			snprintf(target, cap, "%.*s", (int)strcspn(sp + 1, "\n"), sp + 1);
			found = 1;
		}
	}
	fclose(f);
	return found;
}

static int provider_create(const char *provider, const char *source, char *target, size_t cap,
			   struct fy_error *err)
{
	char line[256];
	int fd, rc;

	snprintf(target, cap, "obj-%s", source);
	snprintf(line, sizeof(line), "%s %s\n", source, target);
	if (fy_durable_step("provider create", err) < 0)
		return -1;
	fd = open(provider, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return fy_error_errno(err, errno, "%s", provider);
	rc = fy_write_all(fd, line, strlen(line), provider, err);
	if (rc == 0 && fsync(fd) < 0)
		rc = fy_error_errno(err, errno, "fsync %s", provider);
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	struct fy_journal *j;
	struct fy_error err;
	long n, k, created = 0, skipped = 0, recovered = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: journal-drive JOURNAL PROVIDER N\n");
		return 2;
	}
	n = atol(argv[3]);
	j = fy_journal_open(argv[1], &err);
	if (!j) {
		fprintf(stderr, "journal-drive: %s\n", err.msg);
		return 1;
	}
	for (k = 0; k < n; k++) {
		struct fy_journal_entry e;
		char source[32], target[64];

		snprintf(source, sizeof(source), "t%ld", k);
		if (fy_journal_get(j, "thread", source, &e) && e.state >= FY_JOURNAL_CREATED) {
			skipped++;
			continue;
		}
		if (fy_journal_get(j, "thread", source, &e) && e.state == FY_JOURNAL_PLANNED &&
		    provider_find(argv[2], source, target, sizeof(target))) {
			recovered++;
		} else {
			if (fy_journal_put(j, "thread", source, NULL, FY_JOURNAL_PLANNED, &err) < 0 ||
			    provider_create(argv[2], source, target, sizeof(target), &err) < 0)
				goto fail;
			created++;
		}
		if (fy_journal_put(j, "thread", source, target, FY_JOURNAL_CREATED, &err) < 0)
			goto fail;
	}
	fy_journal_close(j);
	printf("created %ld skipped %ld recovered %ld\n", created, skipped, recovered);
	return 0;
fail:
	fprintf(stderr, "journal-drive: %s\n", err.msg);
	fy_journal_close(j);
	return 1;
}
