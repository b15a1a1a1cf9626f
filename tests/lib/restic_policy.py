#!/usr/bin/env python3
"""restic_policy.py - an independent model of restic's `forget` policy, for the tests.

Written from restic's documentation and ApplyPolicy
(internal/data/snapshot_policy.go), not from ferry's C code, so the backup
tests can compare what ferry keeps against what restic would keep:

  - snapshots are walked newest first;
  - keep-last N: the N newest;
  - keep-hourly/daily/weekly/monthly/yearly N: the newest snapshot of each of
    the N newest buckets that hold a snapshot (hour, day, ISO week, month,
    year); a rule that still has count left when the walk reaches the oldest
    snapshot keeps the oldest too (restic >= 0.17);
  - keep-within D: every snapshot newer than (latest - D), latest being the
    newest snapshot not in the future;
  - a snapshot kept by several rules is kept once.
Buckets are computed in UTC (ferry's documented choice; restic uses the
snapshot's own zone).

Usage:
  restic_policy.py [--incremental] [--now T] [--keep-daily N] ... TIME...
prints the kept times (as given), newest first. With --incremental the policy
is applied after each snapshot is added, as a nightly `backup --prune` would.
"""
import argparse
import calendar
import datetime as dt
import re
import sys

RULES = ["last", "hourly", "daily", "weekly", "monthly", "yearly"]


def parse_time(s):
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)


def bucket(rule, t, nr):
    if rule == "last":
        return ("n", nr)
    if rule == "hourly":
        return (t.year, t.month, t.day, t.hour)
    if rule == "daily":
        return (t.year, t.month, t.day)
    if rule == "weekly":
        y, w, _ = t.isocalendar()
        return (y, w)
    if rule == "monthly":
        return (t.year, t.month)
    return (t.year,)


def minus(t, years, months, days, hours):
    # Go's AddDate: shift the calendar fields, let overflow normalise.
    m = t.month - 1 - months - 12 * years
    y = t.year + m // 12
    m = m % 12 + 1
    base = calendar.timegm((y, m, 1, t.hour, t.minute, t.second))
    base += (t.day - 1 - days) * 86400 - hours * 3600
    return dt.datetime.fromtimestamp(base, dt.timezone.utc)


def parse_duration(s):
    d = {"y": 0, "m": 0, "d": 0, "h": 0}
    for num, unit in re.findall(r"(-?\d+)([ymdh])", s):
        d[unit] = int(num)
    return d["y"], d["m"], d["d"], d["h"]


def apply(times, counts, within, now):
    """times: datetimes; returns the set of kept ones."""
    snaps = sorted(times, reverse=True)
    if not snaps:
        return set()
    past = [t for t in snaps if t < now]
    latest = max(past) if past else None
    left = dict(counts)
    last = {r: None for r in RULES}
    keep = set()
    for nr, t in enumerate(snaps):
        oldest = nr == len(snaps) - 1
        if within and (latest is None or t > minus(latest, *within)):
            keep.add(t)
        for r in RULES:
            c = left.get(r, 0)
            if c == 0 or c < -1:
                continue
            b = bucket(r, t, nr)
            if b != last[r] or oldest:
                keep.add(t)
                last[r] = b
                if c > 0:
                    left[r] = c - 1
    return keep


def main():
    ap = argparse.ArgumentParser()
    for r in RULES:
        ap.add_argument("--keep-" + r, type=lambda v: -1 if v == "unlimited" else int(v), default=0)
    ap.add_argument("--keep-within", default="")
    ap.add_argument("--incremental", action="store_true")
    ap.add_argument("--now", default="")
    ap.add_argument("times", nargs="*")
    a = ap.parse_args()
    counts = {r: getattr(a, "keep_" + r) for r in RULES}
    within = parse_duration(a.keep_within) if a.keep_within else None
    now = parse_time(a.now) if a.now else dt.datetime.now(dt.timezone.utc)
    times = [parse_time(s) for s in a.times]
    if a.incremental:
        have = set()
        for t in times:
            have.add(t)
            have = apply(have, counts, within, now)
        kept = have
    else:
        kept = apply(times, counts, within, now)
    for t in sorted(kept, reverse=True):
        print(t.strftime("%Y-%m-%dT%H:%M:%SZ"))


if __name__ == "__main__":
    sys.exit(main())
