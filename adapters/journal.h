/*
 * journal.h - the import journal: what an import created, durably.
 *
 * Every import into a live provider keeps one journal per target (a
 * provider account and location): an append-only JSON Lines file mapping
 * (kind, source id) to the target's id, with a state. Each line is
 * fsync'd before the import goes on, so a run killed at any moment and
 * started again:
 *   - skips what is "created" or "verified";
 *   - for what is only "planned" (the kill fell between the provider's
 *     answer and the journal line), first looks the object up at the
 *     provider by the provenance metadata the adapter stored with it
 *     (e.g. metadata.ferry_source_id), and creates it only if absent.
 * That is how an import never duplicates and always resumes.
 *
 * A torn last line (the process died mid-write) is cut off on open. The
 * file is locked (flock) while open: a second import into the same target
 * gets FY_E_LOCKED. Files are created 0600 in folders created 0700.
 *
 *	j = fy_journal_open(path, err);
 *	if (fy_journal_get(j, "thread", src_id, &e) && e.state >= FY_JOURNAL_CREATED) skip;
 *	fy_journal_put(j, "thread", src_id, NULL, FY_JOURNAL_PLANNED, err);
 *	... create at the provider -> target id ...
 *	fy_journal_put(j, "thread", src_id, target_id, FY_JOURNAL_CREATED, err);
 */
#ifndef FY_JOURNAL_H
#define FY_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum fy_journal_state {
	FY_JOURNAL_NONE = 0,
	FY_JOURNAL_PLANNED,	/* about to be created; may or may not exist */
	FY_JOURNAL_CREATED,	/* the provider acknowledged it */
	FY_JOURNAL_VERIFIED,	/* read back and found equal */
};

struct fy_journal_entry {
	enum fy_journal_state state;
	const char *target;	/* borrowed; NULL while only planned */
};

struct fy_journal;

/*
 * The default journal path for a target: $FERRY_STATE_DIR, else
 * $XDG_STATE_HOME/ferry, else ~/.local/state/ferry, then
 * "<adapter>-<16 hex of SHA-256(adapter:location)>.journal". state_dir
 * overrides the folder. out holds at least 4096 bytes.
 */
int fy_journal_path(const char *state_dir, const char *adapter, const char *location, char *out,
		    size_t cap, struct fy_error *err);

/* Open (creating it and its folder) and replay. FY_E_LOCKED if in use. */
struct fy_journal *fy_journal_open(const char *path, struct fy_error *err);

/* 1 and the entry when (kind, source) is known, else 0. */
int fy_journal_get(const struct fy_journal *j, const char *kind, const char *source,
		   struct fy_journal_entry *e);

/* Append a line and fsync it; the in-memory view follows. */
int fy_journal_put(struct fy_journal *j, const char *kind, const char *source, const char *target,
		   enum fy_journal_state state, struct fy_error *err);

/* Entries per state, for reports. */
void fy_journal_counts(const struct fy_journal *j, uint64_t counts[4]);

void fy_journal_close(struct fy_journal *j);

#endif
