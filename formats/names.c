/*
 * names.c - safe member names and the archive layout. See names.h.
 */
#include "names.h"

#include <string.h>

#include "idset.h"
#include "json.h"
#include "sha256.h"

/* Code points that reorder or hide text: bidi controls, zero-width and BOM. */
static int invisible(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) ||
	       cp == 0xfeff || cp == 0x061c;
}

static unsigned decode_cp(const unsigned char *s, size_t *len)
{
	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if (s[0] < 0xe0) {
		*len = 2;
		return ((unsigned)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
	}
	if (s[0] < 0xf0) {
		*len = 3;
		return ((unsigned)(s[0] & 0x0f) << 12) | ((unsigned)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
	}
	*len = 4;
	return ((unsigned)(s[0] & 0x07) << 18) | ((unsigned)(s[1] & 0x3f) << 12) |
	       ((unsigned)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
}

int fy_member_name_check(const char *name, struct fy_error *err)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t n = strlen(name), i, comp = 0;

	if (n == 0)
		return fy_error_set(err, FY_E_UNSAFE, "empty member name");
	if (n > FY_NAME_MAX)
		return fy_error_set(err, FY_E_UNSAFE, "member name longer than %d bytes",
				    FY_NAME_MAX);
	if (!fy_utf8_valid(name, n))
		return fy_error_set(err, FY_E_UNSAFE, "member name is not valid UTF-8");
	if (s[0] == '/')
		return fy_error_set(err, FY_E_UNSAFE, "member '%s' has an absolute path", name);
	for (i = 0; i < n;) {
		size_t len;
		unsigned cp = decode_cp(s + i, &len);

		if (cp < 0x20 || cp == 0x7f || invisible(cp))
			return fy_error_set(err, FY_E_UNSAFE,
					    "member name contains a control or invisible character (U+%04X)",
					    cp);
		if (cp == '\\' || cp == ':' || cp == '*' || cp == '?' || cp == '"' || cp == '<' ||
		    cp == '>' || cp == '|')
			return fy_error_set(err, FY_E_UNSAFE,
					    "member '%s' contains the reserved character '%c'", name,
					    (char)cp);
		i += len;
	}
	/* Components: none empty, none "." or "..". */
	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '/') {
			size_t clen = i - comp;

			if (clen == 0)
				return fy_error_set(err, FY_E_UNSAFE,
						    "member '%s' has an empty path component", name);
			if ((clen == 1 && s[comp] == '.') ||
			    (clen == 2 && s[comp] == '.' && s[comp + 1] == '.'))
				return fy_error_set(err, FY_E_UNSAFE,
						    "member '%s' has a '.' or '..' component", name);
			comp = i + 1;
		}
	}
	return 0;
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	if (n < 6)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int fy_member_classify(const char *name, struct fy_member_info *info, struct fy_error *err)
{
	const char *slash, *rest;
	size_t dlen, rlen;
	int k;

	memset(info, 0, sizeof(*info));
	if (fy_member_name_check(name, err) < 0)
		return -1;
	if (strcmp(name, FY_HEADER_NAME) == 0) {
		info->cls = FY_MEMBER_HEADER;
		return 0;
	}
	if (strcmp(name, FY_MANIFEST_NAME) == 0) {
		info->cls = FY_MEMBER_MANIFEST;
		return 0;
	}
	if (strcmp(name, FY_SUMS_NAME) == 0) {
		info->cls = FY_MEMBER_SUMS;
		return 0;
	}
	slash = strchr(name, '/');
	if (!slash)
		return 0;
	dlen = (size_t)(slash - name);
	rest = slash + 1;
	rlen = strlen(rest);
	if (dlen == 5 && memcmp(name, "blobs", 5) == 0 && fy_is_sha256_hex(rest, rlen)) {
		info->cls = FY_MEMBER_BLOB;
		memcpy(info->id, rest, rlen + 1);
		return 0;
	}
	if (dlen == 3 && memcmp(name, "raw", 3) == 0 && strchr(rest, '/')) {
		info->cls = FY_MEMBER_RAW;
		return 0;
	}
	if (dlen == 6 && memcmp(name, "ledger", 6) == 0 && rlen > 6 &&
	    strcmp(rest + rlen - 6, ".jsonl") == 0 && all_digits(rest, rlen - 6)) {
		info->cls = FY_MEMBER_LEDGER;
		return 0;
	}
	for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++) {
		const char *dir = fy_kind_dir((enum fy_kind)k);

		if (strlen(dir) != dlen || memcmp(name, dir, dlen) != 0 || k == FY_KIND_MESSAGE)
			continue;
		if (fy_kind_layout((enum fy_kind)k) == FY_LAYOUT_OBJECT) {
			if (rlen > 5 && strcmp(rest + rlen - 5, ".json") == 0 &&
			    fy_id_valid(rest, rlen - 5)) {
				info->cls = FY_MEMBER_OBJECT;
				info->kind = (enum fy_kind)k;
				memcpy(info->id, rest, rlen - 5);
				info->id[rlen - 5] = '\0';
			}
		} else if (rlen > 6 && strcmp(rest + rlen - 6, ".jsonl") == 0 &&
			   all_digits(rest, rlen - 6)) {
			info->cls = FY_MEMBER_STREAM;
			info->kind = (enum fy_kind)k;
		}
		return 0;
	}
	return 0;
}

uint64_t fy_member_name_fold_fp(const char *name)
{
	char low[FY_NAME_MAX + 1];
	size_t i, n = strlen(name);

	if (n > FY_NAME_MAX)
		n = FY_NAME_MAX;
	for (i = 0; i < n; i++)
		low[i] = (name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] + 32) : name[i];
	return fy_fingerprint(0x4e, low, n);
}
