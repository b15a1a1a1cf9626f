/*
 * fuzz_archive.c - the archive reader on whole archive bytes (zstd, end
 * digest, tar, names, header, records, manifest, SHA256SUMS), read
 * through /proc/self/fd of an in-memory file exactly as `ferry verify`
 * reads a file. Most mutations stop at zstd's checksum; fuzz_tar.c gets
 * past it.
 *
 * Invariants: the reader never crashes, leaks or hangs, and every refusal
 * carries an error code and a message.
 */
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	uint64_t records;
	int fd = fuzz_memfd(data, size);

	if (fd < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	fuzz_read_archive(path, &records);
	close(fd);
	return 0;
}
