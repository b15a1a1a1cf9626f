/*
 * fuzz_tar.c - the archive reader on the decompressed tar stream: the
 * input is tar bytes, which the harness compresses into a valid zstd
 * stream with its content checksum and end digest, so mutations reach
 * libarchive's tar parser, the member checks (names, types, sizes,
 * duplicates), the header, every record's JSON and schema, the
 * cross-record rules and the manifest and SHA256SUMS comparison.
 *
 * Invariants: no crash, leak or hang; a refusal carries a code and a message.
 */
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	uint64_t records;
	int fd = fuzz_memfd("", 0);

	if (fd < 0)
		return 0;
	if (fuzz_zstd_wrap(fd, data, size) == 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		fuzz_read_archive(path, &records);
	}
	close(fd);
	return 0;
}
