/*
 * fuzz_dir.c - the dir adapter (adapters/dir.c) reading a tree the input
 * describes, pumped into the archive writer, and the archive read back.
 *
 * Input: entries separated by NUL bytes, each "T NAME\nCONTENT" where T is
 * 'f' (a file), 'h' (a file whose content is written in hex, for bytes
 * such as NUL), 'd' (a folder) or 'l' (a symbolic link, which the adapter
 * must refuse). Names are created only when fy_member_name_check() passes,
 * and links point at a regular file, so nothing is ever created outside
 * the harness's folder.
 *
 * Invariants: no crash, leak or hang; what the writer commits, the reader
 * verifies with the same counts (fuzz_read_back()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "names.h"
#include "pump.h"
#include "writer.h"

extern const struct fy_adapter fy_adapter_dir;

static void make_entry(const char *root, const char *target, const char *e, size_t n)
{
	const char *nl = memchr(e, '\n', n);
	char name[256], path[4400];
	size_t nlen;
	struct fy_error err;
	char *p;
	int fd;

	if (n < 3 || e[1] != ' ')
		return;
	nlen = nl ? (size_t)(nl - e - 2) : n - 2;
	if (nlen >= sizeof(name))
		return;
	memcpy(name, e + 2, nlen);
	name[nlen] = '\0';
	if (fy_member_name_check(name, &err) < 0)
		return;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, name) >= sizeof(path))
		return;
	/* Parent folders; a parent that is a file or link makes the entry fail. */
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0700);
		*p = '/';
	}
	switch (e[0]) {
	case 'd':
		mkdir(path, 0700);
		break;
	case 'l':
		if (symlink(target, path) < 0 && errno != EEXIST)
			return;
		break;
	case 'f':
	case 'h':
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return;
		if (nl) {
			const char *c = nl + 1;
			size_t len = n - (size_t)(c - e), k, o = 0;
			char *buf = malloc(len + 1);
			ssize_t w;

			if (buf && e[0] == 'h') {
				for (k = 0; k + 1 < len; k += 2) {
					int hi = fuzz_hexval(c[k]), lo = fuzz_hexval(c[k + 1]);

					if (hi >= 0 && lo >= 0)
						buf[o++] = (char)(hi << 4 | lo);
				}
			} else if (buf) {
				memcpy(buf, c, len);
				o = len;
			}
			w = buf ? write(fd, buf, o) : 0;
			(void)w;
			free(buf);
		}
		close(fd);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char root[4200], target[4200], out[4200];
	const char *p = (const char *)data, *end = p + size;
	struct fy_adapter_ctx ctx;
	struct fy_source_info info;
	struct fy_writer_options o;
	struct fy_writer_stats st;
	struct fy_pump_stats ps;
	struct fy_writer *w = NULL;
	struct fy_error err;
	void *src = NULL;
	int fd;

	snprintf(root, sizeof(root), "%s/tree", fuzz_tmpdir());
	snprintf(target, sizeof(target), "%s/link-target", fuzz_tmpdir());
	snprintf(out, sizeof(out), "%s/dir.ferry", fuzz_tmpdir());
	fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	fuzz_rmtree(root);
	if (mkdir(root, 0700) < 0)
		return 0;
	while (p < end) {
		const char *z = memchr(p, '\0', (size_t)(end - p));
		size_t n = z ? (size_t)(z - p) : (size_t)(end - p);

		make_entry(root, target, p, n);
		p += n + 1;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.name = "dir";
	ctx.location = root;
	ctx.since = INT64_MIN;
	memset(&info, 0, sizeof(info));
	fy_error_clear(&err);
	if (fy_adapter_dir.read_open(&ctx, &src, &info, &err) < 0) {
		fuzz_note("open", &err);
		FUZZ_ASSERT(err.code != FY_E_OK && err.msg[0]);
		goto out;
	}
	fy_writer_options_init(&o);
	o.source_adapter = info.adapter[0] ? info.adapter : "dir";
	o.source_location = info.location[0] ? info.location : NULL;
	o.source_account = info.account[0] ? info.account : NULL;
	o.created = 1700000000;
	o.threads = 1;
	o.level = 1;
	w = fy_writer_open(out, &o, &err);
	if (!w) {
		/* Only the header can fail here: a hand-written ferry.json's source. */
		FUZZ_ASSERT(err.code != FY_E_OK && err.msg[0]);
		goto out;
	}
	if (fy_pump(&fy_adapter_dir, src, &ctx, w, NULL, &ps, &err) == 0 &&
	    fy_writer_close(w, &st, &err) == 0) {
		fy_error_clear(&err);
		fuzz_note("written", &err);
		fuzz_read_back(out, &st);
	} else {
		fuzz_note("export", &err);
		FUZZ_ASSERT(err.code != FY_E_OK && err.msg[0]);
	}
out:
	fy_writer_free(w);
	if (src)
		fy_adapter_dir.read_close(src);
	remove(out);
	fuzz_rmtree(root);
	return 0;
}
