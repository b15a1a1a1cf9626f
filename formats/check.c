/*
 * check.c - cross-record rules. See check.h.
 */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idset.h"
#include "sha256.h"

#define MAX_IDS ((size_t)64 << 20)
#define MAX_PENDING ((size_t)4 << 20)

struct pending {
	unsigned tag;		/* target kind, or FY_REF_BLOB */
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
	struct fy_facts scratch;	/* for fy_checker_record() */
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
	fy_facts_release(&c->scratch);
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

/* --- facts ------------------------------------------------------------- */

void fy_facts_init(struct fy_facts *f)
{
	memset(f, 0, sizeof(*f));
}

static void facts_reset(struct fy_facts *f)
{
	size_t i;

	for (i = 0; i < f->nsecrets; i++)
		free(f->secrets[i]);
	f->nsecrets = 0;
	f->nrefs = 0;
	f->id = f->thread = f->parent = f->active_leaf = NULL;
	f->id_len = f->thread_len = f->parent_len = f->leaf_len = 0;
	f->has_created = f->has_updated = 0;
	f->warnings = 0;
}

void fy_facts_release(struct fy_facts *f)
{
	if (!f)
		return;
	facts_reset(f);
	free(f->refs);
	free(f->secrets);
	memset(f, 0, sizeof(*f));
}

/* An unescaped string member, or NULL. Escaped ids are refused. */
static int fact_str(const struct fy_jdoc *d, uint32_t v, const char **s, size_t *len,
		    const char *what, struct fy_error *err)
{
	*s = NULL;
	*len = 0;
	if (fy_json_type(d, v) != FY_JSTRING)
		return 0;
	if (fy_json_has_escapes(d, v))
		return fy_error_set(err, FY_E_DATA, "%s is escaped (ids are written as plain text)", what);
	*s = fy_json_raw(d, v, len);
	return 0;
}

static int add_ref(struct fy_facts *f, unsigned target, const struct fy_jdoc *d, uint32_t v,
		   const char *field, int index, const char *suffix, struct fy_error *err)
{
	struct fy_fact_ref *r;

	if (fy_json_type(d, v) != FY_JSTRING)
		return 0;
	if (f->nrefs == f->caprefs) {
		size_t cap = f->caprefs ? f->caprefs * 2 : 8;
		struct fy_fact_ref *p = realloc(f->refs, cap * sizeof(*p));

		if (!p)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		f->refs = p;
		f->caprefs = cap;
	}
	r = &f->refs[f->nrefs];
	if (fact_str(d, v, &r->id, &r->len, "a reference", err) < 0)
		return -1;
	r->target = target;
	r->field = field;
	r->index = index;
	r->suffix = suffix;
	f->nrefs++;
	return 0;
}

static int add_ref_list(struct fy_facts *f, unsigned target, const struct fy_jdoc *d, uint32_t arr,
			const char *field, struct fy_error *err)
{
	uint32_t k, el;

	if (fy_json_type(d, arr) != FY_JARRAY)
		return 0;
	FY_JSON_FOREACH(d, arr, k, el)
		if (add_ref(f, target, d, el, field, (int)k, "", err) < 0)
			return -1;
	return 0;
}

static void fact_time(const struct fy_jdoc *d, uint32_t v, int *has, int64_t *sec, int32_t *ns)
{
	size_t len;
	const char *s;

	*has = 0;
	if (fy_json_type(d, v) != FY_JSTRING)
		return;
	s = fy_json_raw(d, v, &len);
	*has = fy_time_parse(s, len, sec, ns) == 0;
}

/* Collect {"$secret": NAME} names anywhere in the record. */
static int fact_secrets(struct fy_facts *f, const struct fy_jdoc *d, uint32_t root,
			struct fy_error *err)
{
	uint32_t i;

	for (i = root; i < d->nodes[root].next; i++) {
		char *name;

		if (fy_json_type(d, i) != FY_JOBJECT || fy_json_len(d, i) != 1 ||
		    !fy_json_streq(d, i + 1, "$secret") || fy_json_type(d, i + 2) != FY_JSTRING)
			continue;
		if (f->nsecrets == f->capsecrets) {
			size_t cap = f->capsecrets ? f->capsecrets * 2 : 4;
			char **p = realloc(f->secrets, cap * sizeof(*p));

			if (!p)
				return fy_error_set(err, FY_E_NOMEM, "out of memory");
			f->secrets = p;
			f->capsecrets = cap;
		}
		name = fy_json_strdup(d, i + 2, NULL);
		if (!name)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		f->secrets[f->nsecrets++] = name;
	}
	return 0;
}

/* A member name looked for, with its length. */
struct mname {
	const char *s;
	size_t len;
};
#define MNAME(lit) { lit, sizeof(lit) - 1 }

/*
 * The values of the members of obj named in names[0..n), in one pass over
 * its members: v[k] is FY_JNONE where names[k] is absent. The facts of
 * every record are read this way: a fy_json_get per name would walk the
 * members once per name.
 */
static void get_members(const struct fy_jdoc *d, uint32_t obj, const struct mname *names, size_t n,
			uint32_t *v)
{
	uint32_t k, key, val;
	size_t j;

	for (j = 0; j < n; j++)
		v[j] = FY_JNONE;
	if (fy_json_type(d, obj) != FY_JOBJECT)
		return;
	FY_JSON_FOREACH_MEMBER(d, obj, k, key, val) {
		for (j = 0; j < n && !fy_json_streqn(d, key, names[j].s, names[j].len); j++)
			;
		if (j < n && v[j] == FY_JNONE)
			v[j] = val;
	}
}

/*
 * The members of a record the facts come from, R_* their indexes: those of
 * every kind first (R__COMMON), then those the kind's references use.
 */
static const struct mname root_names[] = {
	MNAME("id"), MNAME("thread"), MNAME("parent"), MNAME("active_leaf"), MNAME("created"),
	MNAME("updated"), MNAME("parts"), MNAME("agent"), MNAME("tools"), MNAME("knowledge"),
	MNAME("memory"), MNAME("handoffs"), MNAME("files"), MNAME("blob"), MNAME("scope"),
};
enum {
	R_ID, R_THREAD, R_PARENT, R_LEAF, R_CREATED, R_UPDATED, R__COMMON,
	R_PARTS = R__COMMON, R_AGENT, R_TOOLS, R_KNOWLEDGE, R_MEMORY, R_HANDOFFS, R_FILES, R_BLOB,
	R_SCOPE, R__COUNT
};

/* How many of root_names to look for in a record of this kind (fact_refs' needs). */
static size_t root_names_for(enum fy_kind kind)
{
	switch (kind) {
	case FY_KIND_MESSAGE: return R_PARTS + 1;
	case FY_KIND_THREAD: return R_AGENT + 1;
	case FY_KIND_AGENT: return R_HANDOFFS + 1;
	case FY_KIND_KNOWLEDGE: return R_FILES + 1;
	case FY_KIND_FILE: return R_BLOB + 1;
	case FY_KIND_MEMORY: return R_SCOPE + 1;
	default: return R__COMMON;
	}
}

static int fact_parts(struct fy_facts *f, const struct fy_jdoc *d, uint32_t parts,
		      struct fy_error *err)
{
	static const struct mname names[] = { MNAME("type"), MNAME("blob"), MNAME("file") };
	uint32_t k, p, v[3];

	FY_JSON_FOREACH(d, parts, k, p) {
		get_members(d, p, names, 3, v);
		if (fy_json_streq(d, v[0], "other"))
			f->warnings++;
		if (add_ref(f, FY_REF_BLOB, d, v[1], "parts", (int)k, ".blob", err) < 0 ||
		    add_ref(f, FY_KIND_FILE, d, v[2], "parts", (int)k, ".file", err) < 0)
			return -1;
	}
	return 0;
}

static int fact_refs(struct fy_facts *f, enum fy_kind kind, const struct fy_jdoc *d,
		     const uint32_t *v, struct fy_error *err)
{
	switch (kind) {
	case FY_KIND_AGENT:
		if (add_ref_list(f, FY_KIND_TOOL, d, v[R_TOOLS], "tools", err) < 0 ||
		    add_ref_list(f, FY_KIND_KNOWLEDGE, d, v[R_KNOWLEDGE], "knowledge", err) < 0 ||
		    add_ref_list(f, FY_KIND_MEMORY, d, v[R_MEMORY], "memory", err) < 0 ||
		    add_ref_list(f, FY_KIND_AGENT, d, v[R_HANDOFFS], "handoffs", err) < 0)
			return -1;
		return 0;
	case FY_KIND_KNOWLEDGE:
		return add_ref_list(f, FY_KIND_FILE, d, v[R_FILES], "files", err);
	case FY_KIND_FILE:
		return add_ref(f, FY_REF_BLOB, d, v[R_BLOB], "blob", -1, "", err);
	case FY_KIND_MEMORY:
		return add_ref(f, FY_KIND_AGENT, d, fy_json_get(d, v[R_SCOPE], "agent"), "scope.agent",
			       -1, "", err);
	case FY_KIND_THREAD:
		return add_ref(f, FY_KIND_AGENT, d, v[R_AGENT], "agent", -1, "", err);
	case FY_KIND_MESSAGE:
		return fact_parts(f, d, v[R_PARTS], err);
	default:
		return 0;
	}
}

int fy_facts_extract(struct fy_facts *f, enum fy_kind kind, const struct fy_jdoc *d, uint32_t root,
		     struct fy_error *err)
{
	uint32_t v[R__COUNT];
	size_t n;

	facts_reset(f);
	f->kind = kind;
	get_members(d, root, root_names, root_names_for(kind), v);
	for (n = root_names_for(kind); n < R__COUNT; n++)
		v[n] = FY_JNONE;
	if (fact_str(d, v[R_ID], &f->id, &f->id_len, "the id", err) < 0)
		return -1;
	if (!f->id || !fy_id_valid(f->id, f->id_len))
		return fy_error_set(err, FY_E_DATA, "record has no valid id");
	if (fact_str(d, v[R_THREAD], &f->thread, &f->thread_len, "thread", err) < 0 ||
	    fact_str(d, v[R_PARENT], &f->parent, &f->parent_len, "parent", err) < 0 ||
	    fact_str(d, v[R_LEAF], &f->active_leaf, &f->leaf_len, "active_leaf", err) < 0)
		return -1;
	fact_time(d, v[R_CREATED], &f->has_created, &f->created_s, &f->created_ns);
	fact_time(d, v[R_UPDATED], &f->has_updated, &f->updated_s, &f->updated_ns);
	if (fact_refs(f, kind, d, v, err) < 0)
		return -1;
	return fact_secrets(f, d, root, err);
}

/* --- the rules ------------------------------------------------------------ */

struct rec {
	const char *kname;
	char id[FY_ID_MAX + 1];
};

/* A reference the record makes; it waits (formatted) only when unresolved. */
static int check_ref(struct fy_checker *c, const struct rec *r, const struct fy_fact_ref *ref,
		     struct fy_error *err)
{
	const struct fy_idset *set = ref->target == FY_REF_BLOB ? &c->blobs : &c->ids[ref->target];
	char what[FY_ID_MAX * 2 + 256], fname[96];
	uint64_t fp = fy_fingerprint(ref->target, ref->id, ref->len);

	if (fy_idset_has(set, fp))
		return 0;
	if (ref->index < 0)
		snprintf(fname, sizeof(fname), "%s", ref->field);
	else
		snprintf(fname, sizeof(fname), "%s[%d]%s", ref->field, ref->index, ref->suffix);
	if (ref->target == FY_REF_BLOB)
		snprintf(what, sizeof(what), "%s '%s': %s refers to blob %.*s, which is not in the archive",
			 r->kname, r->id, fname, (int)ref->len, ref->id);
	else
		snprintf(what, sizeof(what), "%s '%s': %s refers to %s '%.*s', which is not in the archive",
			 r->kname, r->id, fname, fy_kind_name((enum fy_kind)ref->target), (int)ref->len,
			 ref->id);
	return add_pending(c, ref->target, fp, what, err);
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

static int add_secret(struct fy_checker *c, const char *name, struct fy_error *err)
{
	size_t i;

	for (i = 0; i < c->st.nsecrets; i++)
		if (strcmp(c->st.secrets[i], name) == 0)
			return 0;
	if (c->st.nsecrets == c->capsecrets) {
		size_t cap = c->capsecrets ? c->capsecrets * 2 : 8;
		char **p = realloc(c->st.secrets, cap * sizeof(*p));

		if (!p)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		c->st.secrets = p;
		c->capsecrets = cap;
	}
	c->st.secrets[c->st.nsecrets] = strdup(name);
	if (!c->st.secrets[c->st.nsecrets])
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	c->st.nsecrets++;
	return 0;
}

static void note_time(struct fy_checker *c, int64_t sec, int32_t ns)
{
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

static int check_message(struct fy_checker *c, const struct rec *r, const struct fy_facts *f,
			 struct fy_error *err)
{
	int added;

	if (!f->thread || !c->thread || strlen(c->thread) != f->thread_len ||
	    memcmp(c->thread, f->thread, f->thread_len) != 0)
		return fy_error_set(err, FY_E_DATA,
				    "message '%s': thread '%.*s' is not the thread record it follows%s%s%s",
				    r->id, (int)f->thread_len, f->thread ? f->thread : "",
				    c->thread ? " ('" : "", c->thread ? c->thread : "",
				    c->thread ? "')" : " (none)");
	if (f->parent &&
	    !fy_idset_has(&c->thread_msgs, fy_fingerprint(FY_KIND_MESSAGE, f->parent, f->parent_len)))
		return fy_error_set(err, FY_E_DATA,
				    "message '%s': parent '%.*s' is not an earlier message of thread '%s'",
				    r->id, (int)f->parent_len, f->parent, c->thread);
	added = fy_idset_add(&c->thread_msgs, fy_fingerprint(FY_KIND_MESSAGE, f->id, f->id_len), err);
	if (added < 0)
		return -1;
	if (!added)
		return fy_error_set(err, FY_E_DATA, "message '%s': duplicate id in thread '%s'", r->id,
				    c->thread);
	return 0;
}

int fy_checker_facts(struct fy_checker *c, const struct fy_facts *f, struct fy_error *err)
{
	struct rec r;
	size_t i;

	if (f->kind <= FY_KIND_NONE || f->kind >= FY_KIND__COUNT || !f->id || f->id_len > FY_ID_MAX)
		return fy_error_set(err, FY_E_DATA, "record has no valid kind and id");
	r.kname = fy_kind_name(f->kind);
	memcpy(r.id, f->id, f->id_len);
	r.id[f->id_len] = '\0';
	if (f->kind == FY_KIND_THREAD) {
		if (end_thread(c, err) < 0)
			return -1;
		c->thread = strdup(r.id);
		if (!c->thread)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		if (f->active_leaf && !(c->active_leaf = strndup(f->active_leaf, f->leaf_len)))
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	if (f->kind == FY_KIND_MESSAGE) {
		if (check_message(c, &r, f, err) < 0)
			return -1;
	} else {
		int added = fy_idset_add(&c->ids[f->kind], fy_fingerprint(f->kind, f->id, f->id_len), err);

		if (added < 0)
			return -1;
		if (!added)
			return fy_error_set(err, FY_E_DATA, "%s '%s': duplicate id", r.kname, r.id);
	}
	for (i = 0; i < f->nrefs; i++)
		if (check_ref(c, &r, &f->refs[i], err) < 0)
			return -1;
	if (f->has_created)
		note_time(c, f->created_s, f->created_ns);
	if (f->has_updated)
		note_time(c, f->updated_s, f->updated_ns);
	for (i = 0; i < f->nsecrets; i++)
		if (add_secret(c, f->secrets[i], err) < 0)
			return -1;
	c->st.warnings += f->warnings;
	c->st.records[f->kind]++;
	return 0;
}

int fy_checker_record(struct fy_checker *c, enum fy_kind kind, const struct fy_jdoc *d,
		      uint32_t root, struct fy_error *err)
{
	if (fy_facts_extract(&c->scratch, kind, d, root, err) < 0)
		return -1;
	return fy_checker_facts(c, &c->scratch, err);
}

int fy_checker_blob(struct fy_checker *c, const char *hex, struct fy_error *err)
{
	int added = fy_idset_add(&c->blobs, fy_fingerprint(FY_REF_BLOB, hex, strlen(hex)), err);

	if (added > 0)
		c->st.blobs++;
	return added;
}

int fy_checker_has_blob(const struct fy_checker *c, const char *hex)
{
	return fy_idset_has(&c->blobs, fy_fingerprint(FY_REF_BLOB, hex, strlen(hex)));
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
		const struct fy_idset *set = p->tag == FY_REF_BLOB ? &c->blobs : &c->ids[p->tag];

		if (fy_idset_has(set, p->fp))
			continue;
		if ((c->flags & FY_CHECK_SCOPED) && p->tag != FY_REF_BLOB)
			c->st.external++;
		else
			return fy_error_set(err, FY_E_DATA, "%s", p->what);
	}
	if (c->st.nsecrets > 1)
		qsort(c->st.secrets, c->st.nsecrets, sizeof(char *), cmp_str);
	return 0;
}
