/*
 * fuzz_names.c - member names (formats/names.c), checked against a second,
 * deliberately plain implementation of SPEC.md section 3 written here: the
 * two must agree on every input. Also: a classified name is a checked
 * name; a blob's id is 64 hex digits; an object's id is a valid ferry id;
 * the case-folded fingerprint ignores ASCII case.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json.h"
#include "names.h"
#include "sha256.h"

/* The code point at s (valid UTF-8 assumed), and its length. */
static unsigned cp_at(const unsigned char *s, size_t *len)
{
	if (s[0] < 0x80)
		return *len = 1, s[0];
	if ((s[0] & 0xe0) == 0xc0)
		return *len = 2, ((s[0] & 0x1fu) << 6) | (s[1] & 0x3fu);
	if ((s[0] & 0xf0) == 0xe0)
		return *len = 3, ((s[0] & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) | (s[2] & 0x3fu);
	return *len = 4, ((s[0] & 0x07u) << 18) | ((s[1] & 0x3fu) << 12) | ((s[2] & 0x3fu) << 6) |
			 (s[3] & 0x3fu);
}

/* SPEC.md section 3, read literally. 1 = safe. */
static int spec_safe(const char *name)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t n = strlen(name), i, len;
	const char *comp;

	if (n < 1 || n > 255 || !fy_utf8_valid(name, n) || name[0] == '/')
		return 0;
	for (i = 0; i < n; i += len) {
		unsigned cp = cp_at(s + i, &len);

		if (strchr("\\:*?\"<>|", (int)cp) && cp < 0x80 && cp)
			return 0;
		if (cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f))
			return 0;
		if (cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff)
			return 0;
	}
	for (comp = name;; ) {
		const char *slash = strchr(comp, '/');
		size_t clen = slash ? (size_t)(slash - comp) : strlen(comp);

		if (clen == 0 || (clen == 1 && comp[0] == '.') ||
		    (clen == 2 && comp[0] == '.' && comp[1] == '.'))
			return 0;
		if (!slash)
			return 1;
		comp = slash + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fy_member_info info;
	struct fy_error err;
	char *name, *low;
	size_t i;
	int ok;

	name = malloc(size + 1);
	low = malloc(size + 1);
	if (!name || !low)
		goto out;
	memcpy(name, data, size);
	name[size] = '\0';
	ok = fy_member_name_check(name, &err) == 0;
	FUZZ_ASSERT(ok == spec_safe(name));
	if (!ok)
		FUZZ_ASSERT(err.code == FY_E_UNSAFE && err.msg[0]);
	FUZZ_ASSERT((fy_member_classify(name, &info, &err) == 0) == ok);
	if (ok) {
		if (info.cls == FY_MEMBER_BLOB)
			FUZZ_ASSERT(fy_is_sha256_hex(info.id, strlen(info.id)));
		if (info.cls == FY_MEMBER_OBJECT)
			FUZZ_ASSERT(fy_id_valid(info.id, strlen(info.id)) && info.kind != FY_KIND_NONE);
		if (info.cls == FY_MEMBER_STREAM)
			FUZZ_ASSERT(info.kind == FY_KIND_THREAD || info.kind == FY_KIND_MEMORY ||
				    info.kind == FY_KIND_FILE);
	}
	for (i = 0; i <= size; i++)
		low[i] = name[i] >= 'A' && name[i] <= 'Z' ? (char)(name[i] + 32) : name[i];
	FUZZ_ASSERT(fy_member_name_fold_fp(name) == fy_member_name_fold_fp(low));
out:
	free(name);
	free(low);
	return 0;
}
