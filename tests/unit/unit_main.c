/*
 * unit_main.c - runs every TEST() of tests/unit/test_*.c, each in a fresh
 * temporary folder, and prints TAP lines. `unit NAME...` runs only those.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#define X(name) void test_##name(void);
#include "unit_list.h"
#undef X

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
#define X(name) { #name, test_##name },
#include "unit_list.h"
#undef X
};

int unit_failed;

void unit_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "#   %s:%d: check failed: %s\n", file, line, what);
	unit_failed = 1;
}

void unit_write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "#   cannot write %s: %s\n", path, strerror(errno));
		unit_failed = 1;
	}
}

char *unit_read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)len + 1)) && fread(p, 1, (size_t)len, f) == (size_t)len) {
		p[len] = '\0';
		if (n)
			*n = (size_t)len;
	} else {
		free(p);
		p = NULL;
	}
	fclose(f);
	return p;
}

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

int main(int argc, char **argv)
{
	size_t i, n = sizeof(tests) / sizeof(tests[0]), run = 0, failed = 0;
	char top[4096];
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	if (!getcwd(top, sizeof(top)))
		return 2;
	for (i = 0; i < n; i++) {
		char dir[4096];
		int k, want = argc < 2;

		for (k = 1; k < argc; k++)
			want |= strcmp(argv[k], tests[i].name) == 0;
		if (!want)
			continue;
		snprintf(dir, sizeof(dir), "%s/ferry-unit-XXXXXX", tmp);
		if (!mkdtemp(dir) || chdir(dir) != 0) {
			perror("mkdtemp");
			return 2;
		}
		unit_failed = 0;
		tests[i].fn();
		run++;
		if (chdir(top) != 0)
			return 2;
		nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
		printf("%s %zu - unit %s\n", unit_failed ? "not ok" : "ok", run, tests[i].name);
		failed += unit_failed;
	}
	printf("# unit: %zu run, %zu failed\n", run, failed);
	return failed ? 1 : 0;
}
