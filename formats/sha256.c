/*
 * sha256.c - SHA-256 through libcrypto's EVP interface. See sha256.h.
 */
#include "sha256.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

int fy_sha256_init(struct fy_sha256 *h)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	h->ctx = c;
	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c);
		h->ctx = NULL;
		return -1;
	}
	return 0;
}

void fy_sha256_update(struct fy_sha256 *h, const void *p, size_t n)
{
	if (n)
		EVP_DigestUpdate(h->ctx, p, n);
}

void fy_sha256_final(struct fy_sha256 *h, unsigned char out[FY_SHA256_LEN])
{
	unsigned int len = FY_SHA256_LEN;

	EVP_DigestFinal_ex(h->ctx, out, &len);
	EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL);
}

void fy_sha256_release(struct fy_sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

void fy_sha256(const void *p, size_t n, unsigned char out[FY_SHA256_LEN])
{
	unsigned int len = FY_SHA256_LEN;

	EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
}

void fy_hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
		    unsigned char out[FY_SHA256_LEN])
{
	unsigned int len = FY_SHA256_LEN;

	HMAC(EVP_sha256(), key, (int)klen, msg, mlen, out, &len);
}

void fy_hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int fy_is_sha256_hex(const char *s, size_t n)
{
	size_t i;

	if (n != 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}
