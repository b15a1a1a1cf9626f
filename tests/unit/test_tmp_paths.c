/*
 * test_tmp_paths.c - the writer's temporary paths (formats/writer.c):
 * a symbolic link planted where the temporary file or folder will be made
 * is refused and nothing is written through it; files and folders get
 * 0600 and 0700 whatever the umask.
 *
 * The temporary name ends in random hex from getrandom(); this file
 * defines getrandom() (the unit binary's own definition wins over libc's)
 * so that a test can predict the name and plant the link first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "unit.h"
#include "writer.h"

static int fake_random;

ssize_t getrandom(void *buf, size_t n, unsigned int flags)
{
	if (fake_random) {
		memset(buf, 0xab, n);
		return (ssize_t)n;
	}
	return syscall(SYS_getrandom, buf, n, flags);
}

static void options(struct fy_writer_options *o)
{
	fy_writer_options_init(o);
	o->source_adapter = "dir";
	o->created = 1700000000;
}

TEST(tmp_symlink_file_refused)
{
	struct fy_writer_options o;
	struct fy_writer *w;
	struct fy_error err;
	char tmp[256];
	struct stat st;

	options(&o);
	snprintf(tmp, sizeof(tmp), ".out.ferry.tmp-%ld-abababab", (long)getpid());
	CHECK(symlink("victim", tmp) == 0);
	fake_random = 1;
	w = fy_writer_open("out.ferry", &o, &err);
	fake_random = 0;
	CHECK(w == NULL);
	CHECK(w == NULL && err.code == FY_E_UNSAFE && strstr(err.msg, "symbolic link") != NULL);
	CHECK(lstat("victim", &st) < 0 && errno == ENOENT);
	CHECK(lstat("out.ferry", &st) < 0);
	fy_writer_free(w);
}

TEST(tmp_symlink_folder_refused)
{
	struct fy_writer_options o;
	struct fy_writer *w;
	struct fy_error err;
	char tmp[256];
	struct stat st;

	options(&o);
	CHECK(mkdir("victim", 0700) == 0);
	snprintf(tmp, sizeof(tmp), ".tree.tmp-%ld-abababab", (long)getpid());
	CHECK(symlink("victim", tmp) == 0);
	fake_random = 1;
	w = fy_writer_open_dir("tree", &o, &err);
	fake_random = 0;
	CHECK(w == NULL && err.code == FY_E_UNSAFE && strstr(err.msg, "symbolic link") != NULL);
	CHECK(lstat("victim/ferry.json", &st) < 0);
	CHECK(lstat("tree", &st) < 0);
	fy_writer_free(w);
}

TEST(output_symlink_refused)
{
	struct fy_writer_options o;
	struct fy_writer *w;
	struct fy_error err;
	struct stat st;

	options(&o);
	unit_write_file("victim", "keep", 4);
	CHECK(symlink("victim", "out.ferry") == 0);
	w = fy_writer_open("out.ferry", &o, &err);
	CHECK(w == NULL && err.code == FY_E_UNSAFE);
	CHECK(stat("victim", &st) == 0 && st.st_size == 4);
	CHECK(symlink("nowhere", "dangling.ferry") == 0);
	w = fy_writer_open("dangling.ferry", &o, &err);
	CHECK(w == NULL && err.code == FY_E_UNSAFE);
	CHECK(lstat("nowhere", &st) < 0);
	CHECK(mkdir("victim-dir", 0700) == 0 && symlink("victim-dir", "tree") == 0);
	w = fy_writer_open_dir("tree", &o, &err);
	CHECK(w == NULL && err.code == FY_E_UNSAFE);
}

TEST(modes_whatever_the_umask)
{
	struct fy_writer_options o;
	struct fy_writer *w;
	struct fy_error err;
	struct stat st;
	mode_t old = umask(0);
	static const char rec[] = "{\"kind\":\"memory\",\"id\":\"m\",\"scope\":{\"type\":\"user\"},"
				  "\"type\":\"fact\",\"text\":\"x\",\"source\":{\"adapter\":\"dir\"}}";

	options(&o);
	w = fy_writer_open("a.ferry", &o, &err);
	CHECK(w && stat(fy_writer_tmp_path(w), &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK(w && fy_writer_put_record(w, rec, strlen(rec), &err) == 0 && fy_writer_close(w, NULL, &err) == 0);
	fy_writer_free(w);
	CHECK(stat("a.ferry", &st) == 0 && (st.st_mode & 07777) == 0600);
	w = fy_writer_open_dir("tree", &o, &err);
	CHECK(w && stat(fy_writer_tmp_path(w), &st) == 0 && (st.st_mode & 07777) == 0700);
	CHECK(w && fy_writer_put_record(w, rec, strlen(rec), &err) == 0 && fy_writer_close(w, NULL, &err) == 0);
	fy_writer_free(w);
	CHECK(stat("tree", &st) == 0 && (st.st_mode & 07777) == 0700);
	CHECK(stat("tree/memory", &st) == 0 && (st.st_mode & 07777) == 0700);
	CHECK(stat("tree/memory/000001.jsonl", &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK(stat("tree/SHA256SUMS", &st) == 0 && (st.st_mode & 07777) == 0600);
	umask(old);
}
