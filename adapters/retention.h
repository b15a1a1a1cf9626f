/*
 * retention.h - which backups a keep policy keeps: restic's `forget` rules.
 *
 * The rules are restic's (internal/data/snapshot_policy.go, ApplyPolicy,
 * as of restic 0.17/0.18; documented in restic-forget(1) and
 * https://restic.readthedocs.io/en/stable/060_forget.html), so a policy
 * people already trust means the same thing here:
 *
 *  - The snapshots of one group are walked newest first.
 *  - --keep-last N keeps the N newest.
 *  - --keep-hourly/daily/weekly/monthly/yearly N: each rule has a counter
 *    and remembers the last bucket it kept from (hour, day, ISO week,
 *    month, year). A snapshot whose bucket differs from that rule's last
 *    one is kept by the rule, which then counts one down; so the NEWEST
 *    snapshot of each of the N newest buckets is kept. Buckets with no
 *    snapshot are not counted (skipped days do not use up the count).
 *  - "Oldest" (restic 0.17): when the walk reaches the oldest snapshot and
 *    a rule still has count left, that rule keeps the oldest snapshot even
 *    if its bucket was already used, so history reaches back as far as
 *    the counts allow.
 *  - --keep-within DURATION keeps every snapshot strictly newer than the
 *    latest snapshot's time minus DURATION ("1y2m3d4h": calendar years,
 *    months and days, then hours). "Latest" is the newest snapshot that is
 *    not in the future. --keep-within-hourly/daily/... keep the newest of
 *    each bucket inside that window (no count).
 *  - A snapshot kept by several rules is kept once; it uses up a count in
 *    every rule that kept it (that is restic's behaviour too).
 *  - A count of FY_KEEP_UNLIMITED (-1, "unlimited") keeps one per bucket
 *    without limit.
 *
 * One deliberate difference: restic buckets by the snapshot's own local
 * time zone; ferry buckets by UTC, always. Archive names and header times
 * are UTC, and a repository written from machines in different zones (or
 * across a daylight-saving change) must not shift its day boundaries. A
 * backup at 01:30 in Paris (CET) is in the previous UTC day.
 *
 * Pure functions, no I/O: the unit tests and the repository code call
 * them directly.
 */
#ifndef FY_RETENTION_H
#define FY_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define FY_KEEP_UNLIMITED (-1)

/* restic's Duration: calendar units, applied with timegm normalisation. */
struct fy_duration {
	int years, months, days, hours;
};

/* The six counted rules, in restic's order. */
enum fy_keep_rule {
	FY_RULE_LAST,
	FY_RULE_HOURLY,
	FY_RULE_DAILY,
	FY_RULE_WEEKLY,
	FY_RULE_MONTHLY,
	FY_RULE_YEARLY,
	FY_RULE__COUNT
};

struct fy_keep_policy {
	int count[FY_RULE__COUNT];		/* 0 = rule off; FY_KEEP_UNLIMITED */
	struct fy_duration within;		/* --keep-within */
	struct fy_duration within_rule[FY_RULE__COUNT]; /* --keep-within-hourly...; [LAST] unused */
};

/* Why a snapshot is kept: a set of these bits; 0 means it goes. */
enum {
	FY_KEEP_BY_LAST = 1u << 0,
	FY_KEEP_BY_HOURLY = 1u << 1,
	FY_KEEP_BY_DAILY = 1u << 2,
	FY_KEEP_BY_WEEKLY = 1u << 3,
	FY_KEEP_BY_MONTHLY = 1u << 4,
	FY_KEEP_BY_YEARLY = 1u << 5,
	FY_KEEP_BY_WITHIN = 1u << 6,
	FY_KEEP_BY_WITHIN_HOURLY = 1u << 7,	/* then daily, weekly, monthly, yearly */
	FY_KEEP_BY_WITHIN_YEARLY = 1u << 11,
	FY_KEEP_BY_OLDEST = 1u << 12,		/* a rule kept the oldest snapshot (see above) */
	FY_KEEP_BY_SAFETY = 1u << 13,		/* the newest verified archive; never removed */
	FY_KEEP_BY_POLICY_MASK = (1u << 12) - 1,
};

/* One snapshot: its time (UTC seconds) in, the reasons out. */
struct fy_keep_item {
	int64_t time;
	unsigned reasons;
};

void fy_keep_policy_init(struct fy_keep_policy *p);
/* 1 when no rule is set (restic then removes nothing; ferry refuses to prune). */
int fy_keep_policy_empty(const struct fy_keep_policy *p);

/* "7", "0" or "unlimited" (or -1). FY_E_USAGE otherwise. */
int fy_keep_count_parse(const char *s, int *count, struct fy_error *err);
/* "1y2m3d4h", any subset in any order, as restic. FY_E_USAGE otherwise. */
int fy_duration_parse(const char *s, struct fy_duration *d, struct fy_error *err);
int fy_duration_zero(const struct fy_duration *d);
/* "1y2m3d4h" (restic's String()); "0h" for zero. out: 64 bytes. */
void fy_duration_format(const struct fy_duration *d, char *out, size_t cap);
/* t minus d, restic's way: calendar part first (timegm normalises), then hours. */
int64_t fy_duration_before(int64_t t, const struct fy_duration *d);

/*
 * Apply p to items[0..n), which MUST be sorted newest first (ties: any
 * fixed order). Sets every item's reasons (0: remove). now is the current
 * time, for "latest is the newest snapshot not in the future".
 */
void fy_keep_apply(const struct fy_keep_policy *p, struct fy_keep_item *items, size_t n,
		   int64_t now);

/* "daily snapshot, weekly snapshot" style words for a reasons set. */
void fy_keep_reasons_format(unsigned reasons, char *out, size_t cap);
/* The same as a JSON array of short names: ["daily","weekly"]. */
void fy_keep_reasons_json(unsigned reasons, char *out, size_t cap);

/* The bucket number restic uses for a rule: YYYYMMDDHH, YYYYMMDD, YYYYWW (ISO), YYYYMM, YYYY (UTC). */
long fy_keep_bucket(enum fy_keep_rule rule, int64_t t);

#endif
