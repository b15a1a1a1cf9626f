/*
 * unit.h - the unit test harness: one file per module (test_<module>.c),
 * one TEST(name) per behaviour. The Makefile generates the list of tests
 * from the sources, so a new TEST needs no registration. Each test runs in
 * a fresh temporary folder (the current directory), which is removed
 * afterwards.
 */
#ifndef FERRY_UNIT_H
#define FERRY_UNIT_H

#include <stdio.h>
#include <string.h>

#define TEST(name) void test_##name(void); void test_##name(void)

extern int unit_failed;

void unit_fail(const char *file, int line, const char *what);

#define CHECK(cond)                                                  \
	do {                                                         \
		if (!(cond))                                         \
			unit_fail(__FILE__, __LINE__, #cond);        \
	} while (0)

#define CHECK_STR(a, b)                                                              \
	do {                                                                         \
		const char *a_ = (a), *b_ = (b);                                     \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                             \
			char m_[2560];                                               \
			snprintf(m_, sizeof(m_), "%s == %s (\"%s\" vs \"%s\")", #a, #b, \
				 a_ ? a_ : "(null)", b_ ? b_ : "(null)");            \
			unit_fail(__FILE__, __LINE__, m_);                           \
		}                                                                    \
	} while (0)

/* Write a file in the test's folder. */
void unit_write_file(const char *path, const void *data, size_t n);
/* Read a whole file (malloc'd, NUL-terminated) or NULL. */
char *unit_read_file(const char *path, size_t *n);

#endif
