/*
 * zstream.h - zstd compression and decompression over a file descriptor.
 *
 * ferry does its own zstd framing instead of libarchive's zstd filter so it
 * controls what matters for integrity and hostile input: every frame
 * carries zstd's content checksum (a flipped byte anywhere in a member's
 * padding is still caught), the decoder caps the window size and the total
 * output (zstd bombs), trailing garbage after the last frame is an error,
 * and compression runs on worker threads (the output is identical for any
 * worker count >= 1, so archives stay deterministic).
 *
 * The stream ends with a zstd skippable frame (RFC 8878, 3.1.2) holding the
 * SHA-256 of every compressed byte before it:
 *
 *	magic 0x184D2A5E (LE) | size 40 (LE) | "FYSHA256" | 32-byte digest
 *
 * zstd and tar skip it; ferry requires it. Without it a flipped bit in
 * redundant parts of zstd's entropy tables, which leaves the decompressed
 * bytes unchanged, would go unnoticed, and a stream cut exactly at a frame
 * boundary would look complete.
 */
#ifndef FY_ZSTREAM_H
#define FY_ZSTREAM_H

#define FY_ZDIGEST_MAGIC 0x184D2A5Eu
#define FY_ZDIGEST_ID "FYSHA256"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

struct fy_zout;
struct fy_zin;

/* Compress to fd (not closed by fy_zout). threads >= 1. */
struct fy_zout *fy_zout_new(int fd, int level, int threads, struct fy_error *err);
int fy_zout_write(struct fy_zout *z, const void *p, size_t n, struct fy_error *err);
/* End the frame, write the digest frame, and write everything out. */
int fy_zout_finish(struct fy_zout *z, struct fy_error *err);
uint64_t fy_zout_bytes_in(const struct fy_zout *z);
uint64_t fy_zout_bytes_out(const struct fy_zout *z);
void fy_zout_free(struct fy_zout *z);

/*
 * Decompress from fd. window_log_max caps the decoder's memory (a frame
 * that asks for more is refused as unsafe); max_out caps the total output.
 */
struct fy_zin *fy_zin_new(int fd, unsigned window_log_max, uint64_t max_out,
			  struct fy_error *err);
/*
 * Read up to n bytes. Returns the count; 0 at the end of a complete stream;
 * -1 with FY_E_INTEGRITY for a truncated or corrupt stream, FY_E_UNSAFE
 * beyond the caps, FY_E_UNSUPPORTED when the input is not zstd at all.
 */
ssize_t fy_zin_read(struct fy_zin *z, void *buf, size_t n, struct fy_error *err);
/*
 * Refuse (FY_E_UNSAFE) a stream that expands more than ratio times its
 * compressed size once it has produced more than floor bytes: a
 * decompression bomb otherwise costs time in proportion to its output
 * (gigabytes of zeros from kilobytes) before any other limit is reached.
 * ratio 0 (the default) turns the check off.
 */
void fy_zin_limit_ratio(struct fy_zin *z, unsigned ratio, uint64_t floor);
uint64_t fy_zin_bytes_out(const struct fy_zin *z);
void fy_zin_free(struct fy_zin *z);

/* write(2) all of p, retrying on EINTR; ENOSPC is reported as "disk full". */
int fy_write_all(int fd, const void *p, size_t n, const char *what, struct fy_error *err);

#endif
