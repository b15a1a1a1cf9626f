/*
 * names.h - member names: what is safe, and what each name means.
 *
 * Every member name of an archive (and every path of an unpacked tree) is
 * checked before anything else is done with it. A name is safe when a
 * user can extract it with any tar on any system without it landing
 * outside the target folder or hiding what it is: no absolute path, no
 * "." or ".." component, no empty component, no backslash or characters
 * Windows reserves, no control, bidirectional or invisible format
 * characters, valid UTF-8, bounded length. See SPEC.md, "Member names".
 */
#ifndef FY_NAMES_H
#define FY_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "record.h"

#define FY_NAME_MAX 255
#define FY_HEADER_NAME "ferry.json"
#define FY_MANIFEST_NAME "manifest.json"
#define FY_SUMS_NAME "SHA256SUMS"

enum fy_member_class {
	FY_MEMBER_UNKNOWN = 0,	/* safe, but not in this version's layout */
	FY_MEMBER_HEADER,
	FY_MEMBER_MANIFEST,
	FY_MEMBER_SUMS,
	FY_MEMBER_OBJECT,	/* <dir>/<id>.json */
	FY_MEMBER_STREAM,	/* <dir>/NNNNNN.jsonl: threads, memory, files */
	FY_MEMBER_LEDGER,	/* ledger/NNNNNN.jsonl */
	FY_MEMBER_BLOB,		/* blobs/<sha256> */
	FY_MEMBER_RAW,		/* raw/<adapter>/<path> */
};

struct fy_member_info {
	enum fy_member_class cls;
	enum fy_kind kind;	/* OBJECT: the kind; STREAM: thread, memory or file */
	char id[FY_ID_MAX + 1];	/* OBJECT: the id from the name; BLOB: the hex */
};

/* Refuse an unsafe name: FY_E_UNSAFE naming the problem. */
int fy_member_name_check(const char *name, struct fy_error *err);
/* Check and classify a name. */
int fy_member_classify(const char *name, struct fy_member_info *info, struct fy_error *err);
/* Fingerprint of the name folded to lower case, to refuse names that differ only by case. */
uint64_t fy_member_name_fold_fp(const char *name);

#endif
