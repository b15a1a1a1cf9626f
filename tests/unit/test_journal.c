/* test_journal.c - the durable import journal (adapters/journal.c). */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "unit.h"

TEST(journal_remembers_across_runs)
{
	struct fy_journal_entry e;
	struct fy_error err;
	struct fy_journal *j = fy_journal_open("state/target.journal", &err);
	uint64_t counts[4];
	struct stat st;

	CHECK(j != NULL);
	CHECK(fy_journal_get(j, "thread", "t1", &e) == 0);
	CHECK(fy_journal_put(j, "thread", "t1", NULL, FY_JOURNAL_PLANNED, &err) == 0);
	CHECK(fy_journal_put(j, "thread", "t1", "conv_abc", FY_JOURNAL_CREATED, &err) == 0);
	CHECK(fy_journal_put(j, "message", "t1/m1", NULL, FY_JOURNAL_PLANNED, &err) == 0);
	fy_journal_close(j);
	CHECK(stat("state/target.journal", &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(stat("state", &st) == 0 && (st.st_mode & 0777) == 0700);
	j = fy_journal_open("state/target.journal", &err);
	CHECK(j && fy_journal_get(j, "thread", "t1", &e) == 1);
	CHECK(e.state == FY_JOURNAL_CREATED && e.target && strcmp(e.target, "conv_abc") == 0);
	CHECK(fy_journal_get(j, "message", "t1/m1", &e) == 1 && e.state == FY_JOURNAL_PLANNED && !e.target);
	CHECK(fy_journal_get(j, "message", "t1", &e) == 0);
	fy_journal_counts(j, counts);
	CHECK(counts[FY_JOURNAL_CREATED] == 1 && counts[FY_JOURNAL_PLANNED] == 1);
	fy_journal_close(j);
}

TEST(journal_cuts_a_torn_last_line)
{
	struct fy_journal_entry e;
	struct fy_error err;
	struct fy_journal *j = fy_journal_open("t.journal", &err);
	int fd;

	CHECK(fy_journal_put(j, "file", "f1", "file-1", FY_JOURNAL_CREATED, &err) == 0);
	fy_journal_close(j);
	fd = open("t.journal", O_WRONLY | O_APPEND);
	CHECK(write(fd, "{\"kind\":\"file\",\"source\":\"f2\",\"tar", 33) == 33);
	close(fd);
	j = fy_journal_open("t.journal", &err);
	CHECK(j != NULL);
	CHECK(fy_journal_get(j, "file", "f1", &e) == 1 && fy_journal_get(j, "file", "f2", &e) == 0);
	CHECK(fy_journal_put(j, "file", "f2", "file-2", FY_JOURNAL_CREATED, &err) == 0);
	fy_journal_close(j);
	j = fy_journal_open("t.journal", &err);
	CHECK(j && fy_journal_get(j, "file", "f2", &e) == 1 && strcmp(e.target, "file-2") == 0);
	fy_journal_close(j);
}

TEST(journal_is_held_by_one_import)
{
	struct fy_error err;
	struct fy_journal *a = fy_journal_open("x.journal", &err);
	struct fy_journal *b = fy_journal_open("x.journal", &err);

	CHECK(a != NULL);
	CHECK(b == NULL && err.code == FY_E_LOCKED);
	fy_journal_close(a);
	b = fy_journal_open("x.journal", &err);
	CHECK(b != NULL);
	fy_journal_close(b);
	CHECK(symlink("x.journal", "link.journal") == 0);
	CHECK(fy_journal_open("link.journal", &err) == NULL && err.code == FY_E_UNSAFE);
}

TEST(journal_path_is_per_target)
{
	char a[4096], b[4096];
	struct fy_error err;

	CHECK(fy_journal_path("/var/tmp/s", "openai", "", a, sizeof(a), &err) == 0);
	CHECK(fy_journal_path("/var/tmp/s", "openai", "org-2", b, sizeof(b), &err) == 0);
	CHECK(strncmp(a, "/var/tmp/s/openai-", 18) == 0 && strcmp(a, b) != 0);
}
