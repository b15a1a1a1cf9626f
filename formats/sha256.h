/*
 * sha256.h - SHA-256 and HMAC-SHA-256, through OpenSSL's libcrypto.
 *
 * libcrypto is already on every machine libcurl runs on, and its SHA-256
 * uses the CPU's SHA extensions (several GB/s here); a hand-written one
 * would make hashing the bottleneck of reading an archive.
 */
#ifndef FY_SHA256_H
#define FY_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define FY_SHA256_LEN 32
#define FY_SHA256_HEX 65	/* 64 hex digits and a NUL */

struct fy_sha256 {
	void *ctx;	/* owned EVP_MD_CTX */
};

/* 0, or -1 when out of memory. */
int fy_sha256_init(struct fy_sha256 *h);
void fy_sha256_update(struct fy_sha256 *h, const void *p, size_t n);
/* Finish into out and start over (the context stays usable). */
void fy_sha256_final(struct fy_sha256 *h, unsigned char out[FY_SHA256_LEN]);
void fy_sha256_release(struct fy_sha256 *h);

/* One-shot digest. */
void fy_sha256(const void *p, size_t n, unsigned char out[FY_SHA256_LEN]);
/* HMAC-SHA-256. */
void fy_hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
		    unsigned char out[FY_SHA256_LEN]);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void fy_hex(const unsigned char *p, size_t n, char *out);
/* 1 when s is exactly 64 lower-case hex digits. */
int fy_is_sha256_hex(const char *s, size_t n);

#endif
