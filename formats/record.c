/*
 * record.c - kinds, ids and times. See record.h.
 */
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sha256.h"

static const struct {
	const char *name;
	const char *dir;
	enum fy_layout layout;
} kinds[FY_KIND__COUNT] = {
	[FY_KIND_AGENT] = { "agent", "agents", FY_LAYOUT_OBJECT },
	[FY_KIND_TOOL] = { "tool", "tools", FY_LAYOUT_OBJECT },
	[FY_KIND_KNOWLEDGE] = { "knowledge", "knowledge", FY_LAYOUT_OBJECT },
	[FY_KIND_WORKFLOW] = { "workflow", "workflows", FY_LAYOUT_OBJECT },
	[FY_KIND_FILE] = { "file", "files", FY_LAYOUT_STREAM },
	[FY_KIND_THREAD] = { "thread", "threads", FY_LAYOUT_STREAM },
	[FY_KIND_MESSAGE] = { "message", "threads", FY_LAYOUT_STREAM },
	[FY_KIND_MEMORY] = { "memory", "memory", FY_LAYOUT_STREAM },
};

const char *fy_kind_name(enum fy_kind kind)
{
	if (kind <= FY_KIND_NONE || kind >= FY_KIND__COUNT)
		return NULL;
	return kinds[kind].name;
}

enum fy_kind fy_kind_from_name(const char *s, size_t n)
{
	int k;

	for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++)
		if (strlen(kinds[k].name) == n && memcmp(kinds[k].name, s, n) == 0)
			return (enum fy_kind)k;
	return FY_KIND_NONE;
}

enum fy_layout fy_kind_layout(enum fy_kind kind)
{
	return kinds[kind].layout;
}

const char *fy_kind_dir(enum fy_kind kind)
{
	if (kind <= FY_KIND_NONE || kind >= FY_KIND__COUNT)
		return NULL;
	return kinds[kind].dir;
}

int fy_kind_parse_list(const char *list, unsigned *set, struct fy_error *err)
{
	const char *p = list;

	*set = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		enum fy_kind k = fy_kind_from_name(p, n);

		/* Accept the plural too ("threads"), as users type it. */
		if (k == FY_KIND_NONE && n > 1 && p[n - 1] == 's')
			k = fy_kind_from_name(p, n - 1);
		if (k == FY_KIND_NONE)
			return fy_error_set(err, FY_E_USAGE, "unknown record kind '%.*s'", (int)n, p);
		*set |= 1u << k;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* [A-Za-z0-9._~-]: every id and reference of every record is checked, so a table. */
static const unsigned char id_chars[256] = {
	['-'] = 1, ['.'] = 1, ['_'] = 1, ['~'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
	['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
	['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
	['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
	['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
	['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

int fy_id_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char all = 1;
	size_t i;

	if (n == 0 || n > FY_ID_MAX || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		all &= id_chars[p[i]];
	return all;
}

void fy_id_make(const char *provider_id, size_t n, char *out)
{
	unsigned char h[FY_SHA256_LEN];
	char hex[FY_SHA256_HEX];

	if (fy_id_valid(provider_id, n)) {
		memcpy(out, provider_id, n);
		out[n] = '\0';
		return;
	}
	fy_sha256(provider_id, n, h);
	fy_hex(h, FY_SHA256_LEN, hex);
	out[0] = 'x';
	memcpy(out + 1, hex, 40);
	out[41] = '\0';
}

static int digits(const char *s, int n, int *v)
{
	int i, r = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		r = r * 10 + (s[i] - '0');
	}
	*v = r;
	return 0;
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int64_t days_from_civil(int y, int m, int d)
{
	/* Howard Hinnant's algorithm: days since 1970-01-01. */
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Parse the date and time part; *rest points after the seconds (and fraction). */
static int parse_datetime(const char *s, size_t n, int64_t *sec, int32_t *nsec, size_t *used)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, se, dim;
	size_t i = 19;
	int32_t frac = 0;

	if (n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &se))
		return -1;
	if (mo < 1 || mo > 12 || h > 23 || mi > 59 || se > 60)
		return -1;
	dim = mdays[mo - 1] + (mo == 2 && leap(y));
	if (d < 1 || d > dim)
		return -1;
	if (i < n && s[i] == '.') {
		int nd = 0;

		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (nd < 9) {
				frac = frac * 10 + (s[i] - '0');
				nd++;
			} else {
				return -1;
			}
			i++;
		}
		if (nd == 0)
			return -1;
		while (nd++ < 9)
			frac *= 10;
	}
	*sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + (se == 60 ? 59 : se);
	*nsec = frac;
	*used = i;
	return 0;
}

int fy_time_parse(const char *s, size_t n, int64_t *sec, int32_t *nsec)
{
	size_t used;

	if (parse_datetime(s, n, sec, nsec, &used) < 0)
		return -1;
	if (used + 1 != n || (s[used] != 'Z'))
		return -1;
	return 0;
}

int fy_time_parse_user(const char *s, int64_t *sec)
{
	size_t n = strlen(s), used;
	int32_t nsec;
	int y, mo, d, oh, om;

	if (n == 10 && s[4] == '-' && s[7] == '-' && !digits(s, 4, &y) && !digits(s + 5, 2, &mo) &&
	    !digits(s + 8, 2, &d)) {
		char full[32];

		snprintf(full, sizeof(full), "%.10sT00:00:00Z", s);
		return fy_time_parse(full, strlen(full), sec, &nsec);
	}
	if (parse_datetime(s, n, sec, &nsec, &used) < 0)
		return -1;
	if (used + 1 == n && (s[used] == 'Z' || s[used] == 'z'))
		return 0;
	if (used + 6 == n && (s[used] == '+' || s[used] == '-') && s[used + 3] == ':' &&
	    !digits(s + used + 1, 2, &oh) && !digits(s + used + 4, 2, &om) && oh < 24 && om < 60) {
		int64_t off = oh * 3600 + om * 60;

		*sec += s[used] == '+' ? -off : off;
		return 0;
	}
	return -1;
}

void fy_time_format(int64_t sec, int32_t nsec, char *out)
{
	time_t t = (time_t)sec;
	struct tm tm;

	gmtime_r(&t, &tm);
	if (nsec == 0) {
		strftime(out, 40, "%Y-%m-%dT%H:%M:%SZ", &tm);
	} else {
		char base[32];
		int digits_n = 9;
		int32_t f = nsec;

		while (digits_n > 1 && f % 10 == 0) {
			f /= 10;
			digits_n--;
		}
		strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(out, 40, "%s.%0*dZ", base, digits_n, (int)f);
	}
}

int fy_time_cmp(int64_t s1, int32_t n1, int64_t s2, int32_t n2)
{
	if (s1 != s2)
		return s1 < s2 ? -1 : 1;
	if (n1 != n2)
		return n1 < n2 ? -1 : 1;
	return 0;
}
