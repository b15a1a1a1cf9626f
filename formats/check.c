/*
 * check.c - cross-record rules. See check.h.
 */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idset.h"
#include "sha256.h"

#define BLOB_TAG 0x42
#define MAX_IDS ((size_t)64 << 20)
#define MAX_PENDING ((size_t)4 << 20)

struct pending {
	unsigned tag;		/* target kind, or BLOB_TAG */
	uint64_t fp;
	char *what;		/* "agent 'a1' references tool 't9'" */
};

struct fy_checker {
	struct fy_idset ids[FY_KIND__COUNT];	/* messages: unused (per thread) */
	struct fy_idset blobs;
	struct fy_idset thread_msgs;		/* messages of the current thread */
	char *thread;				/* current thread id */
	char *active_leaf;
	struct pending *pending;
	size_t npending, cappending;
	struct fy_stats st;
	size_t capsecrets;
	unsigned flags;
};

struct fy_checker *fy_checker_new(unsigned flags, struct fy_error *err)
{
	struct fy_checker *c = calloc(1, sizeof(*c));
	int k;

	if (!c) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	c->flags = flags;
	for (k = 0; k < FY_KIND__COUNT; k++)
		fy_idset_init(&c->ids[k], MAX_IDS);
	fy_idset_init(&c->blobs, MAX_IDS);
	fy_idset_init(&c->thread_msgs, MAX_IDS);
	return c;
}

void fy_checker_free(struct fy_checker *c)
{
	size_t i;
	int k;

	if (!c)
		return;
	for (k = 0; k < FY_KIND__COUNT; k++)
		fy_idset_release(&c->ids[k]);
	fy_idset_release(&c->blobs);
	fy_idset_release(&c->thread_msgs);
	free(c->thread);
	free(c->active_leaf);
	for (i = 0; i < c->npending; i++)
		free(c->pending[i].what);
	free(c->pending);
	for (i = 0; i < c->st.nsecrets; i++)
		free(c->st.secrets[i]);
	free(c->st.secrets);
	free(c);
}

const struct fy_stats *fy_checker_stats(const struct fy_checker *c)
{
	return &c->st;
}

/* Remember a reference whose target has not been seen yet. */
static int add_pending(struct fy_checker *c, unsigned tag, uint64_t fp, const char *what,
		       struct fy_error *err)
{
	if (c->npending == c->cappending) {
		size_t cap = c->cappending ? c->cappending * 2 : 64;
		struct pending *p;

		if (cap > MAX_PENDING)
			return fy_error_set(err, FY_E_UNSAFE, "more than %zu forward references",
					    MAX_PENDING);
		p = realloc(c->pending, cap * sizeof(*p));
		if (!p)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		c->pending = p;
		c->cappending = cap;
	}
	c->pending[c->npending].tag = tag;
	c->pending[c->npending].fp = fp;
	c->pending[c->npending].what = strdup(what);
	if (!c->pending[c->npending].what)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	c->npending++;
	return 0;
}

struct rec {
	const char *kname;
	char id[FY_ID_MAX + 1];
};

/* A reference from record r to an id of kind target (string node v). */
static int ref(struct fy_checker *c, const struct rec *r, enum fy_kind target,
	       const struct fy_jdoc *d, uint32_t v, const char *field, struct fy_error *err)
{
	size_t len;
	const char *s;
	uint64_t fp;
	char what[FY_ID_MAX * 2 + 128];

	if (v == FY_JNONE || fy_json_type(d, v) != FY_JSTRING)
		return 0;
	s = fy_json_raw(d, v, &len);
	fp = fy_fingerprint(target, s, len);
	if (fy_idset_has(&c->ids[target], fp))
		return 0;
	snprintf(what, sizeof(what), "%s '%s': %s refers to %s '%.*s', which is not in the archive",
		 r->kname, r->id, field, fy_kind_name(target), (int)len, s);
	return add_pending(c, target, fp, what, err);
}

static int ref_list(struct fy_checker *c, const struct rec *r, enum fy_kind target,
		    const struct fy_jdoc *d, uint32_t arr, const char *field, struct fy_error *err)
{
	uint32_t k, el;

	if (arr == FY_JNONE || fy_json_type(d, arr) != FY_JARRAY)
		return 0;
	FY_JSON_FOREACH(d, arr, k, el) {
		char f[64];

		snprintf(f, sizeof(f), "%s[%u]", field, k);
		if (ref(c, r, target, d, el, f, err) < 0)
			return -1;
	}
	return 0;
}

static int blob_ref(struct fy_checker *c, const struct rec *r, const struct fy_jdoc *d,
		    uint32_t v, const char *field, struct fy_error *err)
{
	size_t len;
	const char *s;
	uint64_t fp;
	char what[FY_ID_MAX + 256];

	if (v == FY_JNONE || fy_json_type(d, v) != FY_JSTRING)
		return 0;
	s = fy_json_raw(d, v, &len);
	fp = fy_fingerprint(BLOB_TAG, s, len);
	if (fy_idset_has(&c->blobs, fp))
		return 0;
	snprintf(what, sizeof(what), "%s '%s': %s refers to blob %.*s, which is not in the archive",
		 r->kname, r->id, field, (int)len, s);
	return add_pending(c, BLOB_TAG, fp, what, err);
}

/* Close the current thread: its active leaf must be one of its messages. */
static int end_thread(struct fy_checker *c, struct fy_error *err)
{
	int rc = 0;

	if (c->thread && c->active_leaf &&
	    !fy_idset_has(&c->thread_msgs,
			  fy_fingerprint(FY_KIND_MESSAGE, c->active_leaf, strlen(c->active_leaf))))
		rc = fy_error_set(err, FY_E_DATA,
				  "thread '%s': active_leaf '%s' is not a message of the thread",
				  c->thread, c->active_leaf);
	free(c->thread);
	free(c->active_leaf);
	c->thread = NULL;
	c->active_leaf = NULL;
	fy_idset_clear(&c->thread_msgs);
	return rc;
}

static int add_secret(struct fy_checker *c, const struct fy_jdoc *d, uint32_t v,
		      struct fy_error *err)
{
	char *name = fy_json_strdup(d, v, NULL);
	size_t i;

	if (!name)
		return 0;
	for (i = 0; i < c->st.nsecrets; i++)
		if (strcmp(c->st.secrets[i], name) == 0) {
			free(name);
			return 0;
		}
	if (c->st.nsecrets == c->capsecrets) {
		size_t cap = c->capsecrets ? c->capsecrets * 2 : 8;
		char **p = realloc(c->st.secrets, cap * sizeof(*p));

		if (!p) {
			free(name);
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		}
		c->st.secrets = p;
		c->capsecrets = cap;
	}
	c->st.secrets[c->st.nsecrets++] = name;
	return 0;
}

/* Collect {"$secret": NAME} names anywhere in the record. */
static int scan_secrets(struct fy_checker *c, const struct fy_jdoc *d, uint32_t root,
			struct fy_error *err)
{
	uint32_t i;

	for (i = root; i < d->nodes[root].next; i++)
		if (fy_json_type(d, i) == FY_JOBJECT && fy_json_len(d, i) == 1 &&
		    fy_json_streq(d, i + 1, "$secret") &&
		    fy_json_type(d, i + 2) == FY_JSTRING && add_secret(c, d, i + 2, err) < 0)
			return -1;
	return 0;
}

static void note_time(struct fy_checker *c, const struct fy_jdoc *d, uint32_t v)
{
	size_t len;
	const char *s;
	int64_t sec;
	int32_t ns;

	if (v == FY_JNONE || fy_json_type(d, v) != FY_JSTRING)
		return;
	s = fy_json_raw(d, v, &len);
	if (fy_time_parse(s, len, &sec, &ns) < 0)
		return;
	if (!c->st.has_time || fy_time_cmp(sec, ns, c->st.first_s, c->st.first_ns) < 0) {
		c->st.first_s = sec;
		c->st.first_ns = ns;
	}
	if (!c->st.has_time || fy_time_cmp(sec, ns, c->st.last_s, c->st.last_ns) > 0) {
		c->st.last_s = sec;
		c->st.last_ns = ns;
	}
	c->st.has_time = 1;
}

static int check_message(struct fy_checker *c, const struct rec *r, const struct fy_jdoc *d,
			 uint32_t root, struct fy_error *err)
{
	uint32_t thread = fy_json_get(d, root, "thread"), parent = fy_json_get(d, root, "parent");
	uint32_t parts = fy_json_get(d, root, "parts"), k, p;
	size_t len;
	const char *s;
	int added;

	s = fy_json_raw(d, thread, &len);
	if (!c->thread || strlen(c->thread) != len || memcmp(c->thread, s, len) != 0)
		return fy_error_set(err, FY_E_DATA,
				    "message '%s': thread '%.*s' is not the thread record it follows%s%s%s",
				    r->id, (int)len, s, c->thread ? " ('" : "",
				    c->thread ? c->thread : "", c->thread ? "')" : " (none)");
	if (fy_json_type(d, parent) == FY_JSTRING) {
		s = fy_json_raw(d, parent, &len);
		if (!fy_idset_has(&c->thread_msgs, fy_fingerprint(FY_KIND_MESSAGE, s, len)))
			return fy_error_set(err, FY_E_DATA,
					    "message '%s': parent '%.*s' is not an earlier message of thread '%s'",
					    r->id, (int)len, s, c->thread);
	}
	added = fy_idset_add(&c->thread_msgs, fy_fingerprint(FY_KIND_MESSAGE, r->id, strlen(r->id)),
			     err);
	if (added < 0)
		return -1;
	if (!added)
		return fy_error_set(err, FY_E_DATA, "message '%s': duplicate id in thread '%s'",
				    r->id, c->thread);
	FY_JSON_FOREACH(d, parts, k, p) {
		char f[48];

		if (fy_json_streq(d, fy_json_get(d, p, "type"), "other"))
			c->st.warnings++;
		snprintf(f, sizeof(f), "parts[%u].blob", k);
		if (blob_ref(c, r, d, fy_json_get(d, p, "blob"), f, err) < 0)
			return -1;
		snprintf(f, sizeof(f), "parts[%u].file", k);
		if (ref(c, r, FY_KIND_FILE, d, fy_json_get(d, p, "file"), f, err) < 0)
			return -1;
	}
	return 0;
}

static int check_refs(struct fy_checker *c, enum fy_kind kind, const struct rec *r,
		      const struct fy_jdoc *d, uint32_t root, struct fy_error *err)
{
	switch (kind) {
	case FY_KIND_AGENT:
		if (ref_list(c, r, FY_KIND_TOOL, d, fy_json_get(d, root, "tools"), "tools", err) < 0 ||
		    ref_list(c, r, FY_KIND_KNOWLEDGE, d, fy_json_get(d, root, "knowledge"),
			     "knowledge", err) < 0 ||
		    ref_list(c, r, FY_KIND_MEMORY, d, fy_json_get(d, root, "memory"), "memory",
			     err) < 0 ||
		    ref_list(c, r, FY_KIND_AGENT, d, fy_json_get(d, root, "handoffs"), "handoffs",
			     err) < 0)
			return -1;
		return 0;
	case FY_KIND_KNOWLEDGE:
		return ref_list(c, r, FY_KIND_FILE, d, fy_json_get(d, root, "files"), "files", err);
	case FY_KIND_FILE:
		return blob_ref(c, r, d, fy_json_get(d, root, "blob"), "blob", err);
	case FY_KIND_MEMORY:
		return ref(c, r, FY_KIND_AGENT, d,
			   fy_json_get(d, fy_json_get(d, root, "scope"), "agent"), "scope.agent", err);
	case FY_KIND_THREAD:
		return ref(c, r, FY_KIND_AGENT, d, fy_json_get(d, root, "agent"), "agent", err);
	default:
		return 0;
	}
}

int fy_checker_record(struct fy_checker *c, enum fy_kind kind, const struct fy_jdoc *d,
		      uint32_t root, struct fy_error *err)
{
	uint32_t idv = fy_json_get(d, root, "id");
	struct rec r;
	size_t len;
	const char *s;
	int added;

	if (idv == FY_JNONE || fy_json_type(d, idv) != FY_JSTRING)
		return fy_error_set(err, FY_E_DATA, "record has no id");
	s = fy_json_raw(d, idv, &len);
	if (!fy_id_valid(s, len))
		return fy_error_set(err, FY_E_DATA, "record id is not a valid ferry id");
	r.kname = fy_kind_name(kind);
	memcpy(r.id, s, len);
	r.id[len] = '\0';
	if (kind == FY_KIND_THREAD) {
		uint32_t leaf = fy_json_get(d, root, "active_leaf");

		if (end_thread(c, err) < 0)
			return -1;
		c->thread = strdup(r.id);
		if (!c->thread)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		if (fy_json_type(d, leaf) == FY_JSTRING) {
			c->active_leaf = fy_json_strdup(d, leaf, NULL);
			if (!c->active_leaf)
				return fy_error_set(err, FY_E_NOMEM, "out of memory");
		}
	}
	if (kind == FY_KIND_MESSAGE) {
		if (check_message(c, &r, d, root, err) < 0)
			return -1;
	} else {
		added = fy_idset_add(&c->ids[kind], fy_fingerprint(kind, r.id, len), err);
		if (added < 0)
			return -1;
		if (!added)
			return fy_error_set(err, FY_E_DATA, "%s '%s': duplicate id", r.kname, r.id);
		if (check_refs(c, kind, &r, d, root, err) < 0)
			return -1;
	}
	note_time(c, d, fy_json_get(d, root, "created"));
	note_time(c, d, fy_json_get(d, root, "updated"));
	c->st.records[kind]++;
	return scan_secrets(c, d, root, err);
}

int fy_checker_blob(struct fy_checker *c, const char *hex, struct fy_error *err)
{
	int added = fy_idset_add(&c->blobs, fy_fingerprint(BLOB_TAG, hex, strlen(hex)), err);

	if (added > 0)
		c->st.blobs++;
	return added;
}

int fy_checker_has_blob(const struct fy_checker *c, const char *hex)
{
	return fy_idset_has(&c->blobs, fy_fingerprint(BLOB_TAG, hex, strlen(hex)));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int fy_checker_finish(struct fy_checker *c, struct fy_error *err)
{
	size_t i;

	if (end_thread(c, err) < 0)
		return -1;
	for (i = 0; i < c->npending; i++) {
		const struct pending *p = &c->pending[i];
		const struct fy_idset *set = p->tag == BLOB_TAG ? &c->blobs : &c->ids[p->tag];

		if (fy_idset_has(set, p->fp))
			continue;
		if ((c->flags & FY_CHECK_SCOPED) && p->tag != BLOB_TAG)
			c->st.external++;
		else
			return fy_error_set(err, FY_E_DATA, "%s", p->what);
	}
	if (c->st.nsecrets > 1)
		qsort(c->st.secrets, c->st.nsecrets, sizeof(char *), cmp_str);
	return 0;
}
