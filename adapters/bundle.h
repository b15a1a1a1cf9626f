/*
 * bundle.h - an account export as the provider hands it over: a zip, the
 * folder it unpacks to, or a single file.
 *
 * ChatGPT and Claude both deliver "export your data" as a zip of JSON
 * files and attachments; users also unpack it, or keep only
 * conversations.json. A bundle lists the regular files of any of the three
 * the same way (paths relative to the zip or folder root, '/'-separated,
 * sorted) and streams one file's bytes at a time. Zips are read with
 * libarchive (central directory first, so a truncated zip is refused up
 * front); nothing is ever extracted to disk.
 *
 *	struct fy_bundle *b = fy_bundle_open("export.zip", err);
 *	for (i = 0; i < fy_bundle_count(b); i++) ... fy_bundle_path(b, i) ...
 *	fy_bundle_open_entry(b, i, err);
 *	fy_bundle_read(b, buf, sizeof(buf), &got, err);	(an fy_read_fn)
 *	fy_bundle_free(b);
 */
#ifndef FY_BUNDLE_H
#define FY_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "jarray.h"
#include "json.h"

enum fy_bundle_kind { FY_BUNDLE_FILE, FY_BUNDLE_DIR, FY_BUNDLE_ZIP };

struct fy_bundle;

/*
 * Open location: a folder, a zip (recognised by its signature), or any
 * other file. FY_E_USAGE when it does not exist, FY_E_DATA for a zip that
 * cannot be read. Entries beyond 1,000,000, and folder trees deeper than
 * 32, are refused (FY_E_UNSAFE).
 */
struct fy_bundle *fy_bundle_open(const char *location, struct fy_error *err);
void fy_bundle_free(struct fy_bundle *b);

enum fy_bundle_kind fy_bundle_kind(const struct fy_bundle *b);
/* The location as given (for messages). */
const char *fy_bundle_location(const struct fy_bundle *b);
/* The newest modification time among the files (UTC seconds). */
int64_t fy_bundle_mtime(const struct fy_bundle *b);

size_t fy_bundle_count(const struct fy_bundle *b);
/* Entry i's path ("conversations.json", "dalle-generations/x.png"); a single file gives its base name. */
const char *fy_bundle_path(const struct fy_bundle *b, size_t i);
/* The part after the last '/'. */
const char *fy_bundle_base(const struct fy_bundle *b, size_t i);
/*
 * The size the listing declares, or UINT64_MAX when it gives none.
 * fy_bundle_read refuses an entry that turns out longer or shorter.
 */
uint64_t fy_bundle_size(const struct fy_bundle *b, size_t i);
/* Entry i's position in the cheapest reading order (the zip's own order; name order otherwise). */
size_t fy_bundle_seq(const struct fy_bundle *b, size_t i);
/* The entry whose path is exactly path, or (size_t)-1. */
size_t fy_bundle_find(const struct fy_bundle *b, const char *path);

/*
 * Start reading entry i (the previous one is closed). Zip entries are
 * cheapest read in archive order; going back reopens the zip.
 */
int fy_bundle_open_entry(struct fy_bundle *b, size_t i, struct fy_error *err);
/* Read from the open entry: an fy_read_fn (ctx is the bundle). *got = 0 at its end. */
int fy_bundle_read(void *ctx, void *buf, size_t n, size_t *got, struct fy_error *err);

/*
 * The elements of several JSON files of a bundle, one after the other
 * (conversations-000.json, conversations-001.json, ...), each file an
 * array of objects or one object.
 *
 *	struct fy_bundle_elements e;
 *	fy_bundle_elements_init(&e, b, files, nfiles, "conversation");
 *	while ((rc = fy_bundle_elements_next(&e, &doc, err)) == 1)
 *		... e.path, e.ja.index ...
 *	fy_bundle_elements_release(&e);
 */
struct fy_bundle_elements {
	struct fy_bundle *b;		/* borrowed */
	const size_t *files;		/* borrowed: bundle indices */
	size_t nfiles, next;
	const char *noun;		/* what an element is, for messages */
	const char *path;		/* the file the last element came from */
	struct fy_jarray ja;
	int open;
};

void fy_bundle_elements_init(struct fy_bundle_elements *e, struct fy_bundle *b,
			     const size_t *files, size_t nfiles, const char *noun);
void fy_bundle_elements_release(struct fy_bundle_elements *e);
/* The next element parsed into d: 1, 0 after the last file, -1 (the error names the file). */
int fy_bundle_elements_next(struct fy_bundle_elements *e, struct fy_jdoc *d, struct fy_error *err);

/*
 * The account fingerprint of an export: "sha256:" and the SHA-256 of the
 * string field of the JSON file named file (its first element when it is an
 * array), into out (at least 72 bytes). Nothing (out empty) when the bundle
 * has no such file or field; -1 when the file cannot be read or parsed.
 * The account id itself never enters an archive.
 */
int fy_bundle_fingerprint(struct fy_bundle *b, const char *file, const char *field, char *out,
			  size_t cap, struct fy_error *err);

/* A media type guessed from a file name's extension ("image/png"), never NULL. */
const char *fy_media_type_guess(const char *name);

#endif
