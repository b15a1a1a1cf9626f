/* test_retention.c - restic's keep policy (adapters/retention.c). */
#include "record.h"
#include "retention.h"
#include "unit.h"

static int64_t T(const char *s)
{
	int64_t t = 0;
	int32_t ns;

	fy_time_parse(s, strlen(s), &t, &ns);
	return t;
}

/* items[] newest first from an ascending list of times. */
static void fill(struct fy_keep_item *items, const int64_t *asc, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		items[i].time = asc[n - 1 - i];
		items[i].reasons = 0;
	}
}

TEST(thirty_nights_daily7_weekly4)
{
	/* 2026-10-01 (a Thursday) .. 2026-10-30 at 02:00 UTC. Daily 7 keeps
	 * 24..30; weekly 4 keeps the newest of ISO weeks 44 (30th), 43 (25th),
	 * 42 (18th) and 41 (11th); the count is used up before week 40, so the
	 * oldest (1st) goes. */
	static const int keep_days[] = { 11, 18, 24, 25, 26, 27, 28, 29, 30 };
	struct fy_keep_policy p;
	struct fy_keep_item items[30];
	int64_t asc[30];
	size_t i, j, kept = 0;

	for (i = 0; i < 30; i++) {
		char s[32];

		snprintf(s, sizeof(s), "2026-10-%02zuT02:00:00Z", i + 1);
		asc[i] = T(s);
	}
	fill(items, asc, 30);
	fy_keep_policy_init(&p);
	p.count[FY_RULE_DAILY] = 7;
	p.count[FY_RULE_WEEKLY] = 4;
	fy_keep_apply(&p, items, 30, T("2026-11-26T00:00:00Z"));
	for (i = 0; i < 30; i++) {
		int day = 30 - (int)i, want = 0;

		for (j = 0; j < sizeof(keep_days) / sizeof(keep_days[0]); j++)
			if (keep_days[j] == day)
				want = 1;
		if (!!items[i].reasons != want)
			fprintf(stderr, "#   day %d: reasons %#x, want %s\n", day, items[i].reasons,
				want ? "kept" : "removed");
		CHECK(!!items[i].reasons == want);
		kept += !!items[i].reasons;
	}
	CHECK(kept == 9);
	/* The 30th is kept by both rules and counted by both. */
	CHECK(items[0].reasons == (FY_KEEP_BY_DAILY | FY_KEEP_BY_WEEKLY));
	CHECK(items[5].reasons == (FY_KEEP_BY_DAILY | FY_KEEP_BY_WEEKLY)); /* the 25th */
	CHECK(items[12].reasons == FY_KEEP_BY_WEEKLY);			   /* the 18th */
}

TEST(oldest_is_kept_while_counts_remain)
{
	/* Two backups on one day and keep-daily 3: the day's newest by the
	 * bucket, and the older one because the walk reaches the oldest with
	 * count left (restic >= 0.17). */
	int64_t asc[2] = { T("2026-10-01T01:00:00Z"), T("2026-10-01T05:00:00Z") };
	struct fy_keep_item items[2];
	struct fy_keep_policy p;

	fill(items, asc, 2);
	fy_keep_policy_init(&p);
	p.count[FY_RULE_DAILY] = 3;
	fy_keep_apply(&p, items, 2, T("2026-11-01T00:00:00Z"));
	CHECK(items[0].reasons == FY_KEEP_BY_DAILY);
	CHECK(items[1].reasons == (FY_KEEP_BY_DAILY | FY_KEEP_BY_OLDEST));
	/* With keep-daily 1 the count is gone: the older one goes. */
	p.count[FY_RULE_DAILY] = 1;
	fy_keep_apply(&p, items, 2, T("2026-11-01T00:00:00Z"));
	CHECK(items[0].reasons == FY_KEEP_BY_DAILY && items[1].reasons == 0);
}

TEST(keep_last_and_monthly)
{
	int64_t asc[5] = { T("2026-07-20T00:00:00Z"), T("2026-08-10T00:00:00Z"),
			   T("2026-08-20T00:00:00Z"), T("2026-09-05T00:00:00Z"),
			   T("2026-09-06T00:00:00Z") };
	struct fy_keep_item items[5];
	struct fy_keep_policy p;

	fill(items, asc, 5);
	fy_keep_policy_init(&p);
	p.count[FY_RULE_LAST] = 1;
	p.count[FY_RULE_MONTHLY] = 2;
	fy_keep_apply(&p, items, 5, T("2026-11-01T00:00:00Z"));
	CHECK(items[0].reasons == (FY_KEEP_BY_LAST | FY_KEEP_BY_MONTHLY)); /* 09-06 */
	CHECK(items[1].reasons == 0);					   /* 09-05 */
	CHECK(items[2].reasons == FY_KEEP_BY_MONTHLY);			   /* 08-20 */
	CHECK(items[3].reasons == 0 && items[4].reasons == 0);
}

TEST(keep_within_is_relative_to_the_latest_past_snapshot)
{
	/* now = 2026-11-10T12:00; one snapshot is in the future, so "latest"
	 * is 2026-11-10T11:00 and the window starts 2026-11-08T11:00 (strictly
	 * after). */
	int64_t asc[5] = { T("2026-11-07T12:00:00Z"), T("2026-11-08T11:00:00Z"),
			   T("2026-11-08T11:00:01Z"), T("2026-11-10T11:00:00Z"),
			   T("2026-11-15T00:00:00Z") };
	struct fy_keep_item items[5];
	struct fy_keep_policy p;
	struct fy_error err;

	fill(items, asc, 5);
	fy_keep_policy_init(&p);
	CHECK(fy_duration_parse("2d", &p.within, &err) == 0);
	fy_keep_apply(&p, items, 5, T("2026-11-10T12:00:00Z"));
	CHECK(items[0].reasons == FY_KEEP_BY_WITHIN); /* the future one */
	CHECK(items[1].reasons == FY_KEEP_BY_WITHIN);
	CHECK(items[2].reasons == FY_KEEP_BY_WITHIN);
	CHECK(items[3].reasons == 0); /* exactly at the boundary: not after it */
	CHECK(items[4].reasons == 0);
}

TEST(keep_within_daily_keeps_one_per_day_in_the_window)
{
	int64_t asc[4] = { T("2026-11-01T10:00:00Z"), T("2026-11-09T08:00:00Z"),
			   T("2026-11-09T20:00:00Z"), T("2026-11-10T09:00:00Z") };
	struct fy_keep_item items[4];
	struct fy_keep_policy p;
	struct fy_error err;

	fill(items, asc, 4);
	fy_keep_policy_init(&p);
	CHECK(fy_duration_parse("3d", &p.within_rule[FY_RULE_DAILY], &err) == 0);
	fy_keep_apply(&p, items, 4, T("2026-11-26T00:00:00Z"));
	CHECK(items[0].reasons == FY_KEEP_BY_WITHIN_HOURLY << (FY_RULE_DAILY - FY_RULE_HOURLY));
	CHECK(items[1].reasons != 0 && items[2].reasons == 0 && items[3].reasons == 0);
}

TEST(iso_weeks_cross_the_year)
{
	/* 2026 starts on a Thursday, so it has 53 ISO weeks: 31 Dec 2026 and
	 * 3 Jan 2027 are both in 2026-W53; 4 Jan 2027 starts 2027-W01. */
	CHECK(fy_keep_bucket(FY_RULE_WEEKLY, T("2026-12-31T23:00:00Z")) == 202653);
	CHECK(fy_keep_bucket(FY_RULE_WEEKLY, T("2027-01-03T23:59:59Z")) == 202653);
	CHECK(fy_keep_bucket(FY_RULE_WEEKLY, T("2027-01-04T00:00:00Z")) == 202701);
	CHECK(fy_keep_bucket(FY_RULE_WEEKLY, T("2024-12-30T00:00:00Z")) == 202501);
	CHECK(fy_keep_bucket(FY_RULE_DAILY, T("2026-10-31T23:59:59Z")) == 20261031);
	CHECK(fy_keep_bucket(FY_RULE_HOURLY, T("2026-10-31T07:59:59Z")) == 2026103107);
	CHECK(fy_keep_bucket(FY_RULE_MONTHLY, T("2026-10-31T07:59:59Z")) == 202610);
	CHECK(fy_keep_bucket(FY_RULE_YEARLY, T("2026-10-31T07:59:59Z")) == 2026);
}

TEST(unlimited_daily_keeps_every_day)
{
	int64_t asc[4] = { T("2026-11-01T10:00:00Z"), T("2026-11-01T11:00:00Z"),
			   T("2026-11-02T10:00:00Z"), T("2026-11-04T10:00:00Z") };
	struct fy_keep_item items[4];
	struct fy_keep_policy p;

	fill(items, asc, 4);
	fy_keep_policy_init(&p);
	p.count[FY_RULE_DAILY] = FY_KEEP_UNLIMITED;
	fy_keep_apply(&p, items, 4, T("2026-11-26T00:00:00Z"));
	/* 11-04, 11-02, 11-01 11:00 by bucket; 11-01 10:00 as the oldest. */
	CHECK(items[0].reasons && items[1].reasons && items[2].reasons);
	CHECK(items[3].reasons == (FY_KEEP_BY_DAILY | FY_KEEP_BY_OLDEST));
}

TEST(durations_parse_as_restic)
{
	struct fy_duration d;
	struct fy_error err;
	char s[64];

	CHECK(fy_duration_parse("1y2m3d4h", &d, &err) == 0 && d.years == 1 && d.months == 2 &&
	      d.days == 3 && d.hours == 4);
	fy_duration_format(&d, s, sizeof(s));
	CHECK_STR(s, "1y2m3d4h");
	CHECK(fy_duration_parse("36h", &d, &err) == 0 && d.hours == 36 && d.days == 0);
	CHECK(fy_duration_parse("7d", &d, &err) == 0 && d.days == 7);
	CHECK(fy_duration_parse("", &d, &err) < 0 && err.code == FY_E_USAGE);
	CHECK(fy_duration_parse("7", &d, &err) < 0);
	CHECK(fy_duration_parse("7w", &d, &err) < 0);
	CHECK(fy_duration_parse("d", &d, &err) < 0);
	/* AddDate normalisation: 31 March minus one month is 3 March. */
	CHECK(fy_duration_parse("1m", &d, &err) == 0);
	CHECK(fy_duration_before(T("2026-03-31T10:00:00Z"), &d) == T("2026-03-03T10:00:00Z"));
	CHECK(fy_duration_parse("1d2h", &d, &err) == 0);
	CHECK(fy_duration_before(T("2026-03-01T01:00:00Z"), &d) == T("2026-02-27T23:00:00Z"));
}

TEST(counts_and_empty_policies)
{
	struct fy_keep_policy p;
	struct fy_error err;
	int c;
	char s[128];

	CHECK(fy_keep_count_parse("7", &c, &err) == 0 && c == 7);
	CHECK(fy_keep_count_parse("unlimited", &c, &err) == 0 && c == FY_KEEP_UNLIMITED);
	CHECK(fy_keep_count_parse("-2", &c, &err) < 0);
	CHECK(fy_keep_count_parse("x", &c, &err) < 0);
	CHECK(fy_keep_count_parse("", &c, &err) < 0);
	fy_keep_policy_init(&p);
	CHECK(fy_keep_policy_empty(&p));
	p.within_rule[FY_RULE_WEEKLY].days = 1;
	CHECK(!fy_keep_policy_empty(&p));
	fy_keep_reasons_format(FY_KEEP_BY_DAILY | FY_KEEP_BY_WEEKLY | FY_KEEP_BY_OLDEST, s,
			       sizeof(s));
	CHECK_STR(s, "daily, weekly, oldest");
	fy_keep_reasons_json(FY_KEEP_BY_LAST | FY_KEEP_BY_WITHIN | FY_KEEP_BY_SAFETY, s, sizeof(s));
	CHECK_STR(s, "[\"last\",\"within\",\"newest-verified\"]");
	fy_keep_reasons_json(0, s, sizeof(s));
	CHECK_STR(s, "[]");
}
