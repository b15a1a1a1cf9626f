/*
 * retention.c - restic's keep policy. See retention.h for the rules.
 */
#include "retention.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const rule_word[FY_RULE__COUNT] = {
	"last", "hourly", "daily", "weekly", "monthly", "yearly",
};

void fy_keep_policy_init(struct fy_keep_policy *p)
{
	memset(p, 0, sizeof(*p));
}

int fy_duration_zero(const struct fy_duration *d)
{
	return !d->years && !d->months && !d->days && !d->hours;
}

int fy_keep_policy_empty(const struct fy_keep_policy *p)
{
	int i;

	for (i = 0; i < FY_RULE__COUNT; i++)
		if (p->count[i] || !fy_duration_zero(&p->within_rule[i]))
			return 0;
	return fy_duration_zero(&p->within);
}

int fy_keep_count_parse(const char *s, int *count, struct fy_error *err)
{
	char *end;
	long v;

	if (strcmp(s, "unlimited") == 0) {
		*count = FY_KEEP_UNLIMITED;
		return 0;
	}
	v = strtol(s, &end, 10);
	if (!*s || *end || v < -1 || v > INT_MAX)
		return fy_error_set(err, FY_E_USAGE, "'%s' is not a count (a number, or 'unlimited')",
				    s);
	*count = (int)v;
	return 0;
}

int fy_duration_parse(const char *s, struct fy_duration *d, struct fy_error *err)
{
	const char *p = s;

	memset(d, 0, sizeof(*d));
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return fy_error_set(err, FY_E_USAGE, "'%s' is not a duration (e.g. 1y2m3d4h)", s);
	while (*p && *p != ' ' && *p != '\t') {
		long v = 0;
		int neg = 0, digits = 0;

		if (*p == '-') {
			neg = 1;
			p++;
		}
		while (*p >= '0' && *p <= '9') {
			if (v > 100000)
				return fy_error_set(err, FY_E_USAGE, "'%s': number too large", s);
			v = v * 10 + (*p++ - '0');
			digits++;
		}
		if (!digits)
			return fy_error_set(err, FY_E_USAGE,
					    "'%s' is not a duration (e.g. 1y2m3d4h): no number found", s);
		if (neg)
			v = -v;
		switch (*p) {
		case 'y': d->years = (int)v; break;
		case 'm': d->months = (int)v; break;
		case 'd': d->days = (int)v; break;
		case 'h': d->hours = (int)v; break;
		case '\0':
			return fy_error_set(err, FY_E_USAGE, "'%s': no unit after %ld (y, m, d or h)",
					    s, v);
		default:
			return fy_error_set(err, FY_E_USAGE, "'%s': unit '%c' is not y, m, d or h", s,
					    *p);
		}
		p++;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p)
		return fy_error_set(err, FY_E_USAGE, "'%s' is not a duration (e.g. 1y2m3d4h)", s);
	return 0;
}

void fy_duration_format(const struct fy_duration *d, char *out, size_t cap)
{
	size_t n = 0;

	out[0] = '\0';
	if (d->years)
		n += (size_t)snprintf(out + n, cap - n, "%dy", d->years);
	if (d->months && n < cap)
		n += (size_t)snprintf(out + n, cap - n, "%dm", d->months);
	if (d->days && n < cap)
		n += (size_t)snprintf(out + n, cap - n, "%dd", d->days);
	if (d->hours && n < cap)
		n += (size_t)snprintf(out + n, cap - n, "%dh", d->hours);
	if (!n)
		snprintf(out, cap, "0h");
}

int64_t fy_duration_before(int64_t t, const struct fy_duration *d)
{
	time_t tt = (time_t)t;
	struct tm tm;

	/* Go's AddDate(-y, -m, -d): the calendar fields move, timegm normalises
	 * (31 March minus one month is 3 March), then the hours. */
	gmtime_r(&tt, &tm);
	tm.tm_year -= d->years;
	tm.tm_mon -= d->months;
	tm.tm_mday -= d->days;
	return (int64_t)timegm(&tm) - (int64_t)d->hours * 3600;
}

long fy_keep_bucket(enum fy_keep_rule rule, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char w[16];

	gmtime_r(&tt, &tm);
	switch (rule) {
	case FY_RULE_HOURLY:
		return (tm.tm_year + 1900L) * 1000000 + (tm.tm_mon + 1) * 10000 + tm.tm_mday * 100 +
		       tm.tm_hour;
	case FY_RULE_DAILY:
		return (tm.tm_year + 1900L) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
	case FY_RULE_WEEKLY:
		/* ISO 8601 week-numbering year and week, as Go's ISOWeek(). */
		strftime(w, sizeof(w), "%G%V", &tm);
		return atol(w);
	case FY_RULE_MONTHLY:
		return (tm.tm_year + 1900L) * 100 + (tm.tm_mon + 1);
	case FY_RULE_YEARLY:
		return tm.tm_year + 1900L;
	default:
		return 0;
	}
}

void fy_keep_apply(const struct fy_keep_policy *p, struct fy_keep_item *items, size_t n,
		   int64_t now)
{
	long last[FY_RULE__COUNT], wlast[FY_RULE__COUNT];
	int count[FY_RULE__COUNT];
	int64_t latest = 0;
	int have_latest = 0;
	size_t nr;
	int i;

	for (i = 0; i < FY_RULE__COUNT; i++) {
		last[i] = wlast[i] = -1;
		count[i] = p->count[i];
	}
	/* The latest snapshot that is not in the future. */
	for (nr = 0; nr < n; nr++)
		if (items[nr].time < now && (!have_latest || items[nr].time > latest)) {
			latest = items[nr].time;
			have_latest = 1;
		}
	for (nr = 0; nr < n; nr++) {
		struct fy_keep_item *cur = &items[nr];
		int oldest = nr + 1 == n;

		cur->reasons = 0;
		/* Without a latest (all in the future), Go's zero time makes every
		 * snapshot "within". */
		if (!fy_duration_zero(&p->within) &&
		    (!have_latest || cur->time > fy_duration_before(latest, &p->within)))
			cur->reasons |= FY_KEEP_BY_WITHIN;
		for (i = 0; i < FY_RULE__COUNT; i++) {
			long val;

			if (count[i] <= 0 && count[i] != FY_KEEP_UNLIMITED)
				continue;
			val = i == FY_RULE_LAST ? (long)nr : fy_keep_bucket((enum fy_keep_rule)i,
									    cur->time);
			if (val != last[i] || oldest) {
				if (val == last[i])
					cur->reasons |= FY_KEEP_BY_OLDEST;
				last[i] = val;
				if (count[i] > 0)
					count[i]--;
				cur->reasons |= 1u << i;
			}
		}
		for (i = FY_RULE_HOURLY; i < FY_RULE__COUNT; i++) {
			const struct fy_duration *w = &p->within_rule[i];
			long val;

			if (fy_duration_zero(w))
				continue;
			if (have_latest && cur->time <= fy_duration_before(latest, w))
				continue;
			val = fy_keep_bucket((enum fy_keep_rule)i, cur->time);
			if (val != wlast[i] || oldest) {
				if (val == wlast[i])
					cur->reasons |= FY_KEEP_BY_OLDEST;
				wlast[i] = val;
				cur->reasons |= FY_KEEP_BY_WITHIN_HOURLY << (i - FY_RULE_HOURLY);
			}
		}
	}
}

static void add_word(char *out, size_t cap, size_t *n, const char *sep, const char *w)
{
	if (*n >= cap)
		return;
	*n += (size_t)snprintf(out + *n, cap - *n, "%s%s", *n ? sep : "", w);
}

void fy_keep_reasons_format(unsigned reasons, char *out, size_t cap)
{
	size_t n = 0;
	char w[48];
	int i;

	out[0] = '\0';
	for (i = 0; i < FY_RULE__COUNT; i++)
		if (reasons & (1u << i))
			add_word(out, cap, &n, ", ", rule_word[i]);
	if (reasons & FY_KEEP_BY_WITHIN)
		add_word(out, cap, &n, ", ", "within");
	for (i = FY_RULE_HOURLY; i < FY_RULE__COUNT; i++)
		if (reasons & (FY_KEEP_BY_WITHIN_HOURLY << (i - FY_RULE_HOURLY))) {
			snprintf(w, sizeof(w), "%s within", rule_word[i]);
			add_word(out, cap, &n, ", ", w);
		}
	if (reasons & FY_KEEP_BY_OLDEST)
		add_word(out, cap, &n, ", ", "oldest");
	if (reasons & FY_KEEP_BY_SAFETY)
		add_word(out, cap, &n, ", ", "newest verified");
}

void fy_keep_reasons_json(unsigned reasons, char *out, size_t cap)
{
	char w[48], body[512];
	size_t n = 0;
	int i;

	body[0] = '\0';
	for (i = 0; i < FY_RULE__COUNT; i++)
		if (reasons & (1u << i)) {
			snprintf(w, sizeof(w), "\"%s\"", rule_word[i]);
			add_word(body, sizeof(body), &n, ",", w);
		}
	if (reasons & FY_KEEP_BY_WITHIN)
		add_word(body, sizeof(body), &n, ",", "\"within\"");
	for (i = FY_RULE_HOURLY; i < FY_RULE__COUNT; i++)
		if (reasons & (FY_KEEP_BY_WITHIN_HOURLY << (i - FY_RULE_HOURLY))) {
			snprintf(w, sizeof(w), "\"within-%s\"", rule_word[i]);
			add_word(body, sizeof(body), &n, ",", w);
		}
	if (reasons & FY_KEEP_BY_OLDEST)
		add_word(body, sizeof(body), &n, ",", "\"oldest\"");
	if (reasons & FY_KEEP_BY_SAFETY)
		add_word(body, sizeof(body), &n, ",", "\"newest-verified\"");
	snprintf(out, cap, "[%s]", body);
}
