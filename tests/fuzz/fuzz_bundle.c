/*
 * fuzz_bundle.c - account exports as the provider hands them over
 * (adapters/bundle.c): the input is written to a file, opened as a zip (or
 * a single file when it is not one), every entry listed and read in the
 * bundle's own order and then backwards (reopening the zip). Nothing is
 * ever extracted.
 *
 * Invariants: no crash, leak or hang; each entry yields exactly its
 * listed size; fy_bundle_find finds every path;
 * a refusal carries a message.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "fuzz.h"

static void read_entry(struct fy_bundle *b, size_t i)
{
	struct fy_error err;
	char buf[8192];
	uint64_t total = 0;
	size_t got;

	fy_error_clear(&err);
	if (fy_bundle_open_entry(b, i, &err) < 0) {
		FUZZ_ASSERT(err.code != FY_E_OK && err.msg[0]);
		return;
	}
	for (;;) {
		if (fy_bundle_read(b, buf, sizeof(buf), &got, &err) < 0) {
			FUZZ_ASSERT(err.code != FY_E_OK && err.msg[0]);
			return;
		}
		if (!got)
			break;
		total += got;
		FUZZ_ASSERT(fy_bundle_size(b, i) == UINT64_MAX || total <= fy_bundle_size(b, i));
	}
	FUZZ_ASSERT(fy_bundle_size(b, i) == UINT64_MAX || total == fy_bundle_size(b, i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4200];
	struct fy_bundle *b;
	struct fy_error err;
	size_t i, n;
	int fd;

	snprintf(path, sizeof(path), "%s/export.zip", fuzz_tmpdir());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	close(fd);
	fy_error_clear(&err);
	b = fy_bundle_open(path, &err);
	if (!b) {
		fuzz_note("open", &err);
		FUZZ_ASSERT(err.code != FY_E_OK && err.msg[0]);
		return 0;
	}
	n = fy_bundle_count(b);
	for (i = 0; i < n; i++)
		FUZZ_ASSERT(fy_bundle_find(b, fy_bundle_path(b, i)) != (size_t)-1);
	for (i = 0; i < n && i < 64; i++)
		read_entry(b, i);
	for (i = n < 64 ? n : 64; i-- > 0;)
		read_entry(b, i);
	fy_bundle_free(b);
	unlink(path);
	return 0;
}
