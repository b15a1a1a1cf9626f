/*
 * recscan.h - the credential scan of one parsed record.
 *
 * An export looks for credentials (secrets.h) in every string of every
 * record. In content (messages, memory) each string holding one becomes a
 * ledger line naming the record and the field, never the value; with
 * FY_SECRETS_REDACT the credential is replaced by "[REDACTED:<kind>]" in
 * the record itself. In configuration (agents, tools, knowledge,
 * workflows), where a credential belongs in a {"$secret": NAME} reference,
 * a literal one is refused unless redacting.
 *
 * It runs on a record the caller has already parsed, so the writer's
 * validation threads (vpool.h) can do it beside the parse they do anyway:
 * the scan costs about as much as parsing and must not sit on the one
 * thread that keeps the archive in order. Most records hold no credential;
 * a quick look over their strings says so before anything is copied.
 *
 *	struct fy_recscan s;
 *	fy_recscan_init(&s, FY_SECRETS_REPORT, "dir");
 *	rc = fy_recscan_record(&s, &doc, err);
 *	if (rc > 0) s.notes holds the ledger lines; s.out the record, if redacted
 *	fy_recscan_release(&s);
 */
#ifndef FY_RECSCAN_H
#define FY_RECSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "json.h"
#include "record.h"

/* What an export does with the credentials it finds in records. */
enum fy_secret_mode {
	FY_SECRETS_REPORT = 0,	/* content: a ledger line each; configuration: refused */
	FY_SECRETS_REDACT,	/* replace each with "[REDACTED:<kind>]", say so in the ledger */
	FY_SECRETS_OFF,		/* do not look */
};

struct fy_recscan {
	enum fy_secret_mode mode;
	const char *adapter;	/* borrowed: named in the ledger lines, or NULL */
	struct fy_buf out;	/* the record rewritten (credentials replaced) */
	struct fy_buf notes;	/* the ledger lines, one per line, each ending in '\n' */
	uint64_t found;		/* strings holding a credential in this record */
	/* working state of one record */
	struct fy_buf str;	/* one decoded string */
	struct fy_buf red;	/* one string, redacted */
	char path[256];		/* the field being walked: "parts[0].text" */
	size_t plen;
	enum fy_kind kind;
	char *id;		/* the record's id, redacted, or NULL */
};

void fy_recscan_init(struct fy_recscan *s, enum fy_secret_mode mode, const char *adapter);
void fy_recscan_release(struct fy_recscan *s);

/*
 * Scan record d (its text must stay alive). 0: nothing found (or the mode
 * is FY_SECRETS_OFF). 1: s->found strings hold a credential, s->notes has
 * a ledger line for each and, when redacting, s->out is the record's new
 * text (compact JSON). -1: a credential in configuration while not
 * redacting (FY_E_DATA naming the record and the field), or out of memory.
 */
int fy_recscan_record(struct fy_recscan *s, const struct fy_jdoc *d, struct fy_error *err);

#endif
