/*
 * zstream.c - zstd streams over file descriptors. See zstream.h.
 */
#include "zstream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "sha256.h"

struct fy_zout {
	int fd;
	struct fy_sha256 digest;	/* of every compressed byte written */
	ZSTD_CCtx *cctx;
	void *out;
	size_t out_cap;
	uint64_t in_bytes, out_bytes;
};

struct fy_zin {
	int fd;
	struct fy_sha256 digest;	/* of every compressed byte consumed */
	int digest_ok;			/* the digest frame was seen and matched */
	ZSTD_DCtx *dctx;
	unsigned char *in;
	size_t in_cap;
	ZSTD_inBuffer ib;
	int eof;		/* fd said EOF */
	int frame_done;		/* the last decompress call ended a frame */
	int started;
	uint64_t out_bytes, max_out;
	uint64_t in_bytes;		/* compressed bytes consumed */
	unsigned max_ratio;
	uint64_t ratio_floor;
};

int fy_write_all(int fd, const void *p, size_t n, const char *what, struct fy_error *err)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOSPC || errno == EDQUOT)
				return fy_error_set(err, FY_E_IO, "%s: disk full", what);
			return fy_error_errno(err, errno, "%s", what);
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

struct fy_zout *fy_zout_new(int fd, int level, int threads, struct fy_error *err)
{
	struct fy_zout *z = calloc(1, sizeof(*z));

	if (!z)
		goto nomem;
	z->fd = fd;
	z->cctx = ZSTD_createCCtx();
	z->out_cap = ZSTD_CStreamOutSize();
	z->out = malloc(z->out_cap);
	if (!z->cctx || !z->out || fy_sha256_init(&z->digest) < 0)
		goto nomem;
	ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel, level);
	ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_checksumFlag, 1);
	/*
	 * Always at least one worker: the frame layout with workers differs
	 * from single-threaded mode, and must not depend on the machine.
	 */
	if (ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_nbWorkers, threads < 1 ? 1 : threads))) {
		fy_zout_free(z);
		fy_error_set(err, FY_E_UNSUPPORTED, "this libzstd has no multithreading support");
		return NULL;
	}
	/*
	 * 2 MiB jobs instead of level 3's default 8 MiB: two workers then hold
	 * ~14 MB instead of ~47 MB, for output 0.3% larger. Fixed, so the
	 * bytes do not depend on the machine.
	 */
	ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_jobSize, 2 << 20);
	/*
	 * Jobs that small would each re-read a slice of the previous one to
	 * prime their window (overlapLog): 9% more work for output 0.35%
	 * smaller (zstd -3 -T2 -B2M on the 1 GB bench tree). Members are
	 * mostly independent JSON chunks: no overlap.
	 */
	ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_overlapLog, 1);
	return z;
nomem:
	fy_zout_free(z);
	fy_error_set(err, FY_E_NOMEM, "out of memory");
	return NULL;
}

static int zout_pump(struct fy_zout *z, const void *p, size_t n, ZSTD_EndDirective mode,
		     struct fy_error *err)
{
	ZSTD_inBuffer in = { p, n, 0 };

	for (;;) {
		ZSTD_outBuffer out = { z->out, z->out_cap, 0 };
		size_t rem = ZSTD_compressStream2(z->cctx, &out, &in, mode);

		if (ZSTD_isError(rem))
			return fy_error_set(err, FY_E_INTERNAL, "zstd: %s", ZSTD_getErrorName(rem));
		if (out.pos) {
			fy_sha256_update(&z->digest, z->out, out.pos);
			if (fy_write_all(z->fd, z->out, out.pos, "write", err) < 0)
				return -1;
			z->out_bytes += out.pos;
		}
		if (mode == ZSTD_e_end ? rem == 0 : in.pos == in.size)
			return 0;
	}
}

int fy_zout_write(struct fy_zout *z, const void *p, size_t n, struct fy_error *err)
{
	z->in_bytes += n;
	return zout_pump(z, p, n, ZSTD_e_continue, err);
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

int fy_zout_finish(struct fy_zout *z, struct fy_error *err)
{
	unsigned char frame[8 + 8 + FY_SHA256_LEN];

	if (zout_pump(z, NULL, 0, ZSTD_e_end, err) < 0)
		return -1;
	put_le32(frame, FY_ZDIGEST_MAGIC);
	put_le32(frame + 4, 8 + FY_SHA256_LEN);
	memcpy(frame + 8, FY_ZDIGEST_ID, 8);
	fy_sha256_final(&z->digest, frame + 16);
	if (fy_write_all(z->fd, frame, sizeof(frame), "write", err) < 0)
		return -1;
	z->out_bytes += sizeof(frame);
	return 0;
}

uint64_t fy_zout_bytes_in(const struct fy_zout *z)
{
	return z->in_bytes;
}

uint64_t fy_zout_bytes_out(const struct fy_zout *z)
{
	return z->out_bytes;
}

void fy_zout_free(struct fy_zout *z)
{
	if (!z)
		return;
	ZSTD_freeCCtx(z->cctx);
	fy_sha256_release(&z->digest);
	free(z->out);
	free(z);
}

struct fy_zin *fy_zin_new(int fd, unsigned window_log_max, uint64_t max_out,
			  struct fy_error *err)
{
	struct fy_zin *z = calloc(1, sizeof(*z));

	if (!z)
		goto nomem;
	z->fd = fd;
	z->max_out = max_out;
	z->dctx = ZSTD_createDCtx();
	z->in_cap = ZSTD_DStreamInSize();
	z->in = malloc(z->in_cap);
	if (!z->dctx || !z->in || fy_sha256_init(&z->digest) < 0)
		goto nomem;
	ZSTD_DCtx_setParameter(z->dctx, ZSTD_d_windowLogMax, (int)window_log_max);
	z->ib.src = z->in;
	z->frame_done = 1;
	return z;
nomem:
	fy_zin_free(z);
	fy_error_set(err, FY_E_NOMEM, "out of memory");
	return NULL;
}

/* A zstd frame or a skippable frame starts here (RFC 8878, section 3.1). */
static int is_zstd_magic(const unsigned char *p, size_t n)
{
	uint32_t m;

	if (n < 4)
		return 0;
	m = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return m == 0xFD2FB528u || (m & 0xFFFFFFF0u) == 0x184D2A50u;
}

static int zin_fill(struct fy_zin *z, struct fy_error *err)
{
	ssize_t r;

	do {
		r = read(z->fd, z->in, z->in_cap);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return fy_error_errno(err, errno, "read");
	z->ib.size = (size_t)r;
	z->ib.pos = 0;
	if (r == 0)
		z->eof = 1;
	return 0;
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Take exactly n more input bytes into dst (across refills); 0 or -1. */
static int zin_take(struct fy_zin *z, unsigned char *dst, size_t n, struct fy_error *err)
{
	while (n) {
		size_t k;

		if (z->ib.pos == z->ib.size) {
			if (z->eof || zin_fill(z, err) < 0)
				return -1;
			if (z->eof)
				return fy_error_set(err, FY_E_INTEGRITY, "archive is truncated (in its end digest)");
		}
		k = z->ib.size - z->ib.pos < n ? z->ib.size - z->ib.pos : n;
		memcpy(dst, z->in + z->ib.pos, k);
		z->ib.pos += k;
		dst += k;
		n -= k;
	}
	return 0;
}

/*
 * At a frame boundary: if the digest frame starts here, check it and that
 * nothing follows. Returns 1 when it was the digest frame, 0 when not.
 */
static int zin_digest_frame(struct fy_zin *z, struct fy_error *err)
{
	unsigned char head[8 + 8 + FY_SHA256_LEN], want[FY_SHA256_LEN];

	if (z->ib.size - z->ib.pos < 4 && !z->eof) {
		/* Too few bytes buffered to see a magic: move them to the front and refill. */
		size_t left = z->ib.size - z->ib.pos;
		ssize_t r;

		memmove(z->in, z->in + z->ib.pos, left);
		z->ib.pos = 0;
		z->ib.size = left;
		do {
			r = read(z->fd, z->in + left, z->in_cap - left);
		} while (r < 0 && errno == EINTR);
		if (r < 0)
			return fy_error_errno(err, errno, "read");
		if (r == 0)
			z->eof = 1;
		z->ib.size = left + (size_t)r;
	}
	if (z->ib.size - z->ib.pos < 4 || get_le32(z->in + z->ib.pos) != FY_ZDIGEST_MAGIC)
		return 0;
	fy_sha256_final(&z->digest, want);
	if (zin_take(z, head, sizeof(head), err) < 0)
		return -1;
	if (get_le32(head + 4) != 8 + FY_SHA256_LEN || memcmp(head + 8, FY_ZDIGEST_ID, 8) != 0)
		return fy_error_set(err, FY_E_INTEGRITY, "corrupt archive: bad end digest frame");
	if (memcmp(head + 16, want, FY_SHA256_LEN) != 0)
		return fy_error_set(err, FY_E_INTEGRITY,
				    "corrupt archive: compressed bytes do not match the end digest");
	if (z->ib.pos == z->ib.size && zin_fill(z, err) < 0)
		return -1;
	if (z->ib.pos != z->ib.size)
		return fy_error_set(err, FY_E_INTEGRITY, "trailing garbage after the archive's end digest");
	z->digest_ok = 1;
	return 1;
}

ssize_t fy_zin_read(struct fy_zin *z, void *buf, size_t n, struct fy_error *err)
{
	ZSTD_outBuffer out = { buf, n, 0 };

	if (z->digest_ok)
		return 0;
	while (out.pos == 0 && n > 0) {
		size_t rc, before;

		if (z->ib.pos == z->ib.size) {
			if (z->eof)
				break;
			if (zin_fill(z, err) < 0)
				return -1;
			if (z->eof)
				break;
		}
		if (!z->started) {
			z->started = 1;
			if (!is_zstd_magic(z->in, z->ib.size))
				return fy_error_set(err, FY_E_UNSUPPORTED,
						    "not a ferry archive (not a zstd stream)");
		}
		if (z->started && z->frame_done) {
			int d = zin_digest_frame(z, err);

			if (d < 0)
				return -1;
			if (d == 1)
				return 0;
			if (z->ib.pos == z->ib.size)
				continue;
		}
		before = z->ib.pos;
		rc = ZSTD_decompressStream(z->dctx, &out, &z->ib);
		fy_sha256_update(&z->digest, z->in + before, z->ib.pos - before);
		z->in_bytes += z->ib.pos - before;
		if (ZSTD_isError(rc)) {
			if (ZSTD_getErrorCode(rc) == ZSTD_error_frameParameter_windowTooLarge)
				return fy_error_set(err, FY_E_UNSAFE,
						    "zstd frame needs a window larger than the limit");
			if (z->frame_done && ZSTD_getErrorCode(rc) == ZSTD_error_prefix_unknown)
				return fy_error_set(err, FY_E_INTEGRITY,
						    "trailing garbage after the compressed stream");
			return fy_error_set(err, FY_E_INTEGRITY, "corrupt archive: zstd: %s",
					    ZSTD_getErrorName(rc));
		}
		z->frame_done = rc == 0;
		z->out_bytes += out.pos;
		if (z->out_bytes > z->max_out)
			return fy_error_set(err, FY_E_UNSAFE,
					    "archive expands past the limit of %llu bytes",
					    (unsigned long long)z->max_out);
		if (z->max_ratio && z->out_bytes > z->ratio_floor &&
		    z->out_bytes / z->max_ratio > z->in_bytes)
			return fy_error_set(err, FY_E_UNSAFE,
					    "archive expands more than %u times its compressed size "
					    "(a decompression bomb?)", z->max_ratio);
	}
	if (out.pos == 0 && n > 0 && (!z->frame_done || (z->started && !z->digest_ok)))
		return fy_error_set(err, FY_E_INTEGRITY, "archive is truncated");
	if (out.pos == 0 && n > 0 && !z->started)
		return fy_error_set(err, FY_E_UNSUPPORTED, "not a ferry archive (empty input)");
	return (ssize_t)out.pos;
}

void fy_zin_limit_ratio(struct fy_zin *z, unsigned ratio, uint64_t floor)
{
	z->max_ratio = ratio;
	z->ratio_floor = floor;
}

uint64_t fy_zin_bytes_out(const struct fy_zin *z)
{
	return z->out_bytes;
}

void fy_zin_free(struct fy_zin *z)
{
	if (!z)
		return;
	ZSTD_freeDCtx(z->dctx);
	fy_sha256_release(&z->digest);
	free(z->in);
	free(z);
}
