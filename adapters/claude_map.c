/*
 * claude_map.c - the pure mapping of a Claude.ai export's objects into
 * neutral records (claude.h). What maps to what, and the sources the field
 * names come from, are in the header comment of claude.c.
 */
#include "claude.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "jw.h"
#include "record.h"

#define NONE FY_TREE_NONE
#define ADAPTER "claude"
/* Claude's parent_message_uuid of a conversation's first message. */
#define ROOT_UUID "00000000-0000-4000-8000-000000000000"

/* What mapping one object needs at hand. */
struct obj {
	struct fy_claude_map *m;
	const struct fy_jdoc *d;
	struct fy_recq *q;
	struct fy_error *err;
	const char *what;	/* "conversation", "project", "memories" */
	char id[FY_ID_MAX + 1];	/* its ferry id, once known */
};

static int fail(struct obj *o, const char *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "projects.json: project 2 'uuid': message 'uuid': what" */
static int fail(struct obj *o, const char *node, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return fy_error_set(o->err, FY_E_DATA, "%s: %s %llu%s%s%s%s%.80s%s: %s", o->m->path, o->what,
			    (unsigned long long)o->m->index, o->id[0] ? " '" : "", o->id,
			    o->id[0] ? "'" : "", node ? ": message '" : "", node ? node : "",
			    node ? "'" : "", what);
}

/* Member key of obj: a string (1), null/absent (0), or another type (-1 with an error). */
static int get_str(struct obj *o, uint32_t obj, const char *key, const char *node, uint32_t *v)
{
	*v = fy_json_get(o->d, obj, key);
	if (jv_none(o->d, *v)) {
		*v = NONE;
		return 0;
	}
	if (!jv_str(o->d, *v))
		return fail(o, node, "'%s' is not a string", key);
	return 1;
}

/* An RFC 3339 member: 1 with the time, 0 when absent, -1 on a wrong type or value. */
static int get_time(struct obj *o, uint32_t obj, const char *key, const char *node, int64_t *sec,
		    int32_t *nsec)
{
	uint32_t v;
	int rc = get_str(o, obj, key, node, &v);
	size_t n;
	const char *s;

	if (rc <= 0)
		return rc;
	s = fy_json_raw(o->d, v, &n);
	if (jw_rfc3339(s, n, sec, nsec) < 0)
		return fail(o, node, "'%s' (%.*s) is not an RFC 3339 time", key, (int)(n > 40 ? 40 : n), s);
	return 1;
}

/* An object's created_at and updated_at. */
struct times {
	int has_c, has_u;
	int64_t cs, us;
	int32_t cn, un;
};

static int get_times(struct obj *o, uint32_t obj, const char *node, struct times *t)
{
	memset(t, 0, sizeof(*t));
	t->has_c = get_time(o, obj, "created_at", node, &t->cs, &t->cn);
	if (t->has_c < 0)
		return -1;
	t->has_u = get_time(o, obj, "updated_at", node, &t->us, &t->un);
	return t->has_u < 0 ? -1 : 0;
}

/* "created" and "updated" members, when known. */
static void times_members(struct jw *w, const struct times *t)
{
	if (t->has_c)
		jw_time(w, "created", t->cs, t->cn);
	if (t->has_u)
		jw_time(w, "updated", t->us, t->un);
}

/* The ferry id for a uuid string node v, into out. */
static int make_id(struct obj *o, uint32_t v, char *out)
{
	fy_buf_reset(&o->m->scratch);
	if (fy_json_str(o->d, v, &o->m->scratch, o->err) < 0)
		return -1;
	fy_id_make(o->m->scratch.ptr ? o->m->scratch.ptr : "", o->m->scratch.len, out);
	return 0;
}

/* The decoded string node v is a key of map k. */
static uint32_t find_key(struct obj *o, const struct fy_keymap *k, uint32_t v)
{
	fy_buf_reset(&o->m->scratch);
	if (fy_json_str(o->d, v, &o->m->scratch, NULL) < 0)
		return NONE;
	return fy_keymap_find(k, o->m->scratch.ptr ? o->m->scratch.ptr : "", o->m->scratch.len);
}

/* Every member of obj except the listed ones, verbatim, as members of the open object. */
static void rest_of(struct jw *w, const struct fy_jdoc *d, uint32_t obj, const char *const *skip)
{
	uint32_t k, key, val;

	FY_JSON_FOREACH_MEMBER(d, obj, k, key, val) {
		size_t i, kn;
		const char *ks;
		int skipped = 0;

		for (i = 0; skip[i]; i++)
			if (jv_is(d, key, skip[i]))
				skipped = 1;
		if (skipped || jv_none(d, val))
			continue;
		ks = fy_json_raw(d, key, &kn);
		fy_jw_rawkey(&w->j, ks, kn);
		fy_jw_node(&w->j, d, val);
	}
}

/*
 * ext.claude with the rest of obj's members; nothing at all when there is
 * no such member (the object just written stays as it was).
 */
static void ext_rest(struct jw *w, const struct fy_jdoc *d, uint32_t obj, const char *const *skip)
{
	struct fy_jw_mark at;

	fy_jw_mark(&w->j, &at);
	jw_obj(w, "ext");
	jw_obj(w, ADAPTER);
	rest_of(w, d, obj, skip);
	if (fy_jw_empty(&w->j)) {
		fy_jw_rewind(&w->j, &at);	/* nothing provider-only: undo the two objects */
		return;
	}
	jw_end(w, '}');
	jw_end(w, '}');
}

static int push(struct obj *o, struct jw *w, size_t at, enum fy_kind kind)
{
	if (jw_done(w) < 0)
		return -1;
	return fy_recq_push(o->q, at, FY_ITEM_RECORD, kind, o->err);
}

/*
 * A top-level record's last members - created/updated, source (adapter,
 * the provider's uuid when there is one, the file), the rest of the
 * provider object (root 0) in ext unless known is NULL - then close it
 * and queue it.
 */
static int tail(struct obj *o, struct jw *w, size_t at, const struct times *t, uint32_t uuid,
		const char *const *known, enum fy_kind kind)
{
	if (t)
		times_members(w, t);
	jw_obj(w, "source");
	jw_lit(w, "adapter", ADAPTER);
	if (uuid != NONE)
		jw_jstr(w, "id", o->d, uuid);
	jw_str(w, "path", o->m->path, strlen(o->m->path));
	jw_end(w, '}');
	if (known)
		ext_rest(w, o->d, 0, known);
	jw_end(w, '}');
	return push(o, w, at, kind);
}

static int ledger(struct obj *o, const char *kind, const char *id, const char *field,
		  const char *outcome, const char *rule, const char *reason)
{
	return fy_recq_ledger(o->q, ADAPTER, kind, id, field, outcome, rule, reason, o->err);
}

/*
 * The head every top-level object has: a uuid (its id, set in o->id), and
 * created_at / updated_at.
 */
static int head(struct obj *o, uint32_t *uuid, struct times *t)
{
	if (!jv_obj(o->d, 0))
		return fail(o, NULL, "not a JSON object");
	if (get_str(o, 0, "uuid", NULL, uuid) <= 0)
		return *uuid == NONE ? fail(o, NULL, "no 'uuid' string") : -1;
	if (make_id(o, *uuid, o->id) < 0)
		return -1;
	return get_times(o, 0, NULL, t);
}

/* --- projects ------------------------------------------------------------ */

static const char *const project_known[] = { "uuid", "name", "description", "prompt_template",
					     "created_at", "updated_at", "docs", NULL };
static const char *const doc_known[] = { "uuid", "filename", "content", "created_at", NULL };

/* One document: its bytes as a blob, then its file record. id gets the file id. */
static int project_doc(struct obj *o, uint32_t doc, uint32_t k, char *id)
{
	const struct fy_jdoc *d = o->d;
	uint32_t uuid, name, content;
	struct times t;
	size_t at, blob_at, size;
	const char *hex;
	struct jw w;
	char where[64];

	snprintf(where, sizeof(where), "docs[%u]", k);
	if (!jv_obj(d, doc))
		return fail(o, NULL, "%s is not an object", where);
	if (get_str(o, doc, "uuid", NULL, &uuid) < 0 || get_str(o, doc, "filename", NULL, &name) < 0 ||
	    get_str(o, doc, "content", NULL, &content) < 0)
		return fy_error_prefix(o->err, "%s", where);
	if (get_times(o, doc, NULL, &t) < 0)
		return -1;
	if (uuid != NONE) {
		if (make_id(o, uuid, id) < 0)
			return -1;
	} else {
		/* no uuid: the project and the file name make a stable id */
		char key[FY_ID_MAX + 300];
		size_t n;
		const char *s = name != NONE ? fy_json_raw(d, name, &n) : (n = 0, "");

		snprintf(key, sizeof(key), "%s/%.*s/%u", o->id, (int)(n > 250 ? 250 : n), s, k);
		fy_id_make(key, strlen(key) + 1, id);	/* with the NUL: never a valid id, always hashed */
	}
	/* the blob: the document's text, decoded to UTF-8 bytes */
	blob_at = fy_recq_mark(o->q);
	if (content != NONE && fy_json_str(d, content, &o->q->buf, o->err) < 0)
		return -1;
	size = o->q->buf.len - blob_at;
	if (fy_recq_push_blob(o->q, blob_at, o->err) < 0)
		return -1;
	hex = o->q->ents[o->q->n - 1].hex;
	at = fy_recq_mark(o->q);
	jw_open(&w, &o->q->buf, o->err);
	jw_obj(&w, NULL);
	jw_lit(&w, "kind", "file");
	jw_lit(&w, "id", id);
	if (name != NONE && !jv_empty(d, name))
		jw_jstr(&w, "name", d, name);
	else
		jw_lit(&w, "name", id);
	jw_lit(&w, "blob", hex);
	fy_buf_reset(&o->m->scratch2);
	if (name != NONE && fy_json_str(d, name, &o->m->scratch2, o->err) < 0)
		return -1;
	jw_lit(&w, "media_type", o->m->scratch2.len ? fy_media_type_guess(o->m->scratch2.ptr) : "text/plain");
	jw_int(&w, "size", (int64_t)size);
	jw_lit(&w, "purpose", "knowledge");
	times_members(&w, &t);
	jw_obj(&w, "source");
	jw_lit(&w, "adapter", ADAPTER);
	if (uuid != NONE)
		jw_jstr(&w, "id", d, uuid);
	jw_str(&w, "path", o->m->path, strlen(o->m->path));
	jw_end(&w, '}');
	ext_rest(&w, d, doc, doc_known);
	jw_end(&w, '}');
	return push(o, &w, at, FY_KIND_FILE);
}

int fy_claude_map_project_doc(struct fy_claude_map *m, struct fy_recq *out, struct fy_error *err)
{
	const struct fy_jdoc *d = &m->doc;
	struct obj o = { m, d, out, err, "project", "" };
	uint32_t uuid, name, desc, prompt, docs, k, el, idx;
	struct times t;
	int has_mem;
	struct fy_buf ids = FY_BUF_INIT((size_t)1 << 30);
	size_t at, i, ndocs = 0;
	struct jw w;
	int rc = -1;

	if (head(&o, &uuid, &t) < 0)
		return -1;
	if (get_str(&o, 0, "name", NULL, &name) < 0 || get_str(&o, 0, "description", NULL, &desc) < 0 ||
	    get_str(&o, 0, "prompt_template", NULL, &prompt) < 0)
		return -1;
	docs = fy_json_get(d, 0, "docs");
	if (!jv_none(d, docs) && fy_json_type(d, docs) != FY_JARRAY)
		return fail(&o, NULL, "'docs' is not an array");
	/* documents first: blobs and file records; remember their ids */
	if (fy_json_type(d, docs) == FY_JARRAY)
		FY_JSON_FOREACH(d, docs, k, el) {
			char id[FY_ID_MAX + 1];

			if (project_doc(&o, el, k, id) < 0 || fy_buf_add(&ids, id, strlen(id) + 1, err) < 0)
				goto out;
			ndocs++;
		}
	if (ndocs) {
		at = fy_recq_mark(out);
		jw_open(&w, &out->buf, err);
		jw_obj(&w, NULL);
		jw_lit(&w, "kind", "knowledge");
		jw_lit(&w, "id", o.id);
		fy_buf_reset(&m->scratch2);
		if (name != NONE && fy_json_str(d, name, &m->scratch2, err) < 0)
			goto out;
		if (fy_buf_adds(&m->scratch2, m->scratch2.len ? ": project knowledge" : "project knowledge", err) < 0)
			goto out;
		jw_str(&w, "name", m->scratch2.ptr, m->scratch2.len);
		jw_arr(&w, "files");
		for (i = 0; i < ids.len; i += strlen(ids.ptr + i) + 1)
			jw_lit(&w, NULL, ids.ptr + i);
		jw_end(&w, ']');
		if (tail(&o, &w, at, &t, uuid, NULL, FY_KIND_KNOWLEDGE) < 0)
			goto out;
	}
	has_mem = find_key(&o, &m->project_mem, uuid) != NONE;
	at = fy_recq_mark(out);
	jw_open(&w, &out->buf, err);
	jw_obj(&w, NULL);
	jw_lit(&w, "kind", "agent");
	jw_lit(&w, "id", o.id);
	if (name != NONE && !jv_empty(d, name))
		jw_jstr(&w, "name", d, name);
	else
		jw_lit(&w, "name", "(unnamed project)");
	if (desc != NONE && !jv_empty(d, desc))
		jw_jstr(&w, "description", d, desc);
	if (prompt != NONE && !jv_empty(d, prompt))
		jw_jstr(&w, "instructions", d, prompt);
	if (ndocs) {
		jw_arr(&w, "knowledge");
		jw_lit(&w, NULL, o.id);
		jw_end(&w, ']');
	}
	if (has_mem) {
		char mid[FY_ID_MAX + 40];

		snprintf(mid, sizeof(mid), "claude-project-memory-%s", o.id);
		jw_arr(&w, "memory");
		jw_lit(&w, NULL, mid);
		jw_end(&w, ']');
	}
	if (tail(&o, &w, at, &t, uuid, project_known, FY_KIND_AGENT) < 0)
		goto out;
	fy_buf_reset(&m->scratch);
	if (fy_json_str(d, uuid, &m->scratch, err) < 0 ||
	    fy_keymap_add(&m->projects_seen, m->scratch.ptr, m->scratch.len, &idx, err) < 0)
		goto out;
	m->projects++;
	rc = 0;
out:
	fy_buf_release(&ids);
	return rc;
}

int fy_claude_map_project(struct fy_claude_map *m, const char *json, size_t len,
			  struct fy_recq *out, struct fy_error *err)
{
	if (fy_jdoc_parse(&m->doc, json, len, 0, err) < 0)
		return fy_error_prefix(err, "%s: project %llu", m->path, (unsigned long long)m->index);
	return fy_claude_map_project_doc(m, out, err);
}

/* --- memories ------------------------------------------------------------ */

/* The memories file's entries: the array's objects, or the one object. */
#define FOREACH_ENTRY(d, k, el)                                                   \
	for ((k) = 0, (el) = fy_json_type((d), 0) == FY_JARRAY ? 1 : 0;            \
	     fy_json_type((d), 0) == FY_JARRAY ? (k) < fy_json_len((d), 0) : (k) < 1; \
	     (k)++, (el) = fy_json_type((d), 0) == FY_JARRAY ? fy_json_next((d), (el)) : (el))

static int parse_memories(struct fy_claude_map *m, const char *json, size_t len, struct obj *o)
{
	if (fy_jdoc_parse(&m->doc, json, len, 0, o->err) < 0)
		return fy_error_prefix(o->err, "%s", m->path);
	if (!jv_obj(&m->doc, 0) && fy_json_type(&m->doc, 0) != FY_JARRAY)
		return fy_error_set(o->err, FY_E_DATA, "%s: not a JSON array or object", m->path);
	return 0;
}

int fy_claude_note_memories(struct fy_claude_map *m, const char *json, size_t len,
			    struct fy_error *err)
{
	struct obj o = { m, &m->doc, NULL, err, "memories", "" };
	const struct fy_jdoc *d = &m->doc;
	uint32_t k, el, j, key, val, idx;

	m->index = 1;
	if (parse_memories(m, json, len, &o) < 0)
		return -1;
	FOREACH_ENTRY(d, k, el) {
		uint32_t pm = fy_json_get(d, el, "project_memories");

		if (!jv_obj(d, pm))
			continue;
		FY_JSON_FOREACH_MEMBER(d, pm, j, key, val) {
			if (!jv_str(d, val) || jv_empty(d, val))
				continue;
			fy_buf_reset(&m->scratch);
			if (fy_json_str(d, key, &m->scratch, err) < 0 ||
			    fy_keymap_add(&m->project_mem, m->scratch.ptr ? m->scratch.ptr : "",
					  m->scratch.len, &idx, err) < 0)
				return -1;
		}
	}
	return 0;
}

/* One memory record. */
static int memory(struct obj *o, const char *id, uint32_t text, const char *label,
		  const char *agent, uint32_t user, uint32_t project)
{
	const struct fy_jdoc *d = o->d;
	size_t at = fy_recq_mark(o->q);
	struct jw w;

	jw_open(&w, &o->q->buf, o->err);
	jw_obj(&w, NULL);
	jw_lit(&w, "kind", "memory");
	jw_lit(&w, "id", id);
	jw_obj(&w, "scope");
	if (agent) {
		jw_lit(&w, "type", "agent");
		jw_lit(&w, "agent", agent);
	} else {
		jw_lit(&w, "type", "user");
	}
	if (user != NONE)
		jw_jstr(&w, "user", d, user);
	jw_end(&w, '}');
	jw_lit(&w, "type", "summary");
	jw_lit(&w, "label", label);
	jw_jstr(&w, "text", d, text);
	jw_obj(&w, "source");
	jw_lit(&w, "adapter", ADAPTER);
	jw_str(&w, "path", o->m->path, strlen(o->m->path));
	jw_end(&w, '}');
	if (project != NONE) {
		jw_obj(&w, "ext");
		jw_obj(&w, ADAPTER);
		jw_jstr(&w, "project", d, project);
		jw_end(&w, '}');
		jw_end(&w, '}');
	}
	jw_end(&w, '}');
	o->m->memories++;
	return push(o, &w, at, FY_KIND_MEMORY);
}

int fy_claude_map_memories(struct fy_claude_map *m, const char *json, size_t len,
			   struct fy_recq *out, struct fy_error *err)
{
	struct obj o = { m, &m->doc, out, err, "memories", "" };
	const struct fy_jdoc *d = &m->doc;
	uint32_t k, el, j, key, val;

	m->index = 1;
	if (parse_memories(m, json, len, &o) < 0)
		return -1;
	FOREACH_ENTRY(d, k, el) {
		uint32_t acct, cm = fy_json_get(d, el, "conversations_memory");
		uint32_t pm = fy_json_get(d, el, "project_memories");
		char id[FY_ID_MAX + 40];

		m->index = k + 1;
		if (!jv_obj(d, el))
			return fail(&o, NULL, "entry %u is not an object", k + 1);
		if (get_str(&o, el, "account_uuid", NULL, &acct) < 0 ||
		    get_str(&o, el, "conversations_memory", NULL, &cm) < 0)
			return -1;
		if (!jv_none(d, pm) && !jv_obj(d, pm))
			return fail(&o, NULL, "'project_memories' is not an object");
		if (cm != NONE && !jv_empty(d, cm)) {
			char acid[FY_ID_MAX + 1] = "";

			if (acct != NONE && make_id(&o, acct, acid) < 0)
				return -1;
			snprintf(id, sizeof(id), "claude-memory%s%s", acid[0] ? "-" : "", acid);
			if (memory(&o, id, cm, "conversations_memory", NULL, acct, NONE) < 0)
				return -1;
		}
		if (jv_obj(d, pm))
			FY_JSON_FOREACH_MEMBER(d, pm, j, key, val) {
				char pid[FY_ID_MAX + 1];
				int known;

				if (!jv_str(d, val))
					return fail(&o, NULL, "a project memory is not a string");
				if (jv_empty(d, val))
					continue;
				if (make_id(&o, key, pid) < 0)
					return -1;
				known = find_key(&o, &m->projects_seen, key) != NONE;
				snprintf(id, sizeof(id), "claude-project-memory-%s", pid);
				if (memory(&o, id, val, "project_memory", known ? pid : NULL, acct, key) < 0)
					return -1;
				if (!known) {
					char why[300];
					size_t kn;
					const char *ks = fy_json_raw(d, key, &kn);

					snprintf(why, sizeof(why),
						 "project %.*s is not in the export; its memory is kept with user scope",
						 (int)(kn > 80 ? 80 : kn), ks);
					if (ledger(&o, "memory", id, "scope", "degraded", "project-not-in-export",
						   why) < 0)
						return -1;
				}
			}
	}
	return 0;
}

/* --- conversations --------------------------------------------------------- */

static const char *const conv_known[] = { "uuid", "name", "created_at", "updated_at",
					  "chat_messages", NULL };
static const char *const msg_known[] = { "uuid", "text", "content", "sender", "created_at",
					 "updated_at", "attachments", "files", "parent_message_uuid",
					 NULL };

/* A citation of a text block: url at the top, in details, or in metadata. */
static void block_citations(struct jw *w, const struct fy_jdoc *d, uint32_t list)
{
	uint32_t k, el;
	int open = 0;

	if (fy_json_type(d, list) != FY_JARRAY)
		return;
	FY_JSON_FOREACH(d, list, k, el) {
		uint32_t url = fy_json_get(d, el, "url"), title = fy_json_get(d, el, "title");
		int64_t a, b;

		if (!jv_str(d, url))
			url = fy_json_get(d, fy_json_get(d, el, "details"), "url");
		if (!jv_str(d, url))
			url = fy_json_get(d, fy_json_get(d, el, "metadata"), "url");
		if (!jv_str(d, url))
			continue;
		if (!jv_str(d, title))
			title = fy_json_get(d, fy_json_get(d, el, "details"), "title");
		if (!open) {
			jw_arr(w, "citations");
			open = 1;
		}
		jw_obj(w, NULL);
		jw_lit(w, "type", "citation");
		jw_jstr(w, "url", d, url);
		if (jv_str(d, title))
			jw_jstr(w, "title", d, title);
		if (fy_json_int(d, fy_json_get(d, el, "start_index"), &a) == 0 && a >= 0 &&
		    fy_json_int(d, fy_json_get(d, el, "end_index"), &b) == 0 && b >= 0) {
			jw_int(w, "start", a);
			jw_int(w, "end", b);
		}
		jw_end(w, '}');
	}
	if (open)
		jw_end(w, ']');
}

/* The text of a tool_result's content: a string, or its blocks' texts joined. */
static void result_output(struct jw *w, const struct fy_jdoc *d, uint32_t content)
{
	uint32_t k, el;
	int first = 1;

	if (jv_str(d, content)) {
		jw_jstr(w, "output", d, content);
		return;
	}
	jw_raw_begin(w, "output");
	if (fy_json_type(d, content) == FY_JARRAY)
		FY_JSON_FOREACH(d, content, k, el) {
			uint32_t t = fy_json_get(d, el, "text");
			size_t n;
			const char *s;

			if (!jv_str(d, t))
				continue;
			if (!first)
				jw_raw_piece(w, "\\n\\n", 4);
			s = fy_json_raw(d, t, &n);
			jw_raw_piece(w, s, n);
			first = 0;
		}
	jw_raw_finish(w);
}

/* Citation parts for the sources a tool result lists (web search results). */
static void result_sources(struct jw *w, const struct fy_jdoc *d, uint32_t content)
{
	uint32_t k, el;

	if (fy_json_type(d, content) != FY_JARRAY)
		return;
	FY_JSON_FOREACH(d, content, k, el) {
		uint32_t url = fy_json_get(d, el, "url"), title = fy_json_get(d, el, "title");

		if (!jv_str(d, url))
			continue;
		jw_obj(w, NULL);
		jw_lit(w, "type", "citation");
		jw_jstr(w, "url", d, url);
		if (jv_str(d, title))
			jw_jstr(w, "title", d, title);
		jw_end(w, '}');
	}
}

static const char *tool_type(const struct fy_jdoc *d, uint32_t name, uint32_t integration)
{
	if (jv_str(d, integration) && !jv_empty(d, integration))
		return "mcp";
	if (jv_is(d, name, "web_search") || jv_is(d, name, "web_fetch"))
		return "web_search";
	if (jv_is(d, name, "repl") || jv_is(d, name, "analysis") || jv_is(d, name, "code_execution"))
		return "code_interpreter";
	return "function";
}

/*
 * The parts of one message: content blocks in order (or the plain text),
 * then attachments and files. *lossy is set when a block kept fields that
 * have no neutral home (the blocks then stay verbatim in ext), *unknown
 * for a block type with no neutral part.
 */
static int message_parts(struct obj *o, struct jw *w, uint32_t msg, const char *mid,
			 int *lossy, char *last_call, int *unknown, uint32_t *unknown_type)
{
	struct fy_claude_map *m = o->m;
	const struct fy_jdoc *d = o->d;
	uint32_t content = fy_json_get(d, msg, "content"), text = fy_json_get(d, msg, "text");
	uint32_t att = fy_json_get(d, msg, "attachments"), files = fy_json_get(d, msg, "files");
	uint32_t k, el;
	int any = 0;

	if (!jv_none(d, content) && fy_json_type(d, content) != FY_JARRAY)
		return fail(o, mid, "'content' is not an array");
	if (!jv_none(d, text) && !jv_str(d, text))
		return fail(o, mid, "'text' is not a string");
	if (!jv_none(d, att) && fy_json_type(d, att) != FY_JARRAY)
		return fail(o, mid, "'attachments' is not an array");
	if (!jv_none(d, files) && fy_json_type(d, files) != FY_JARRAY)
		return fail(o, mid, "'files' is not an array");
	jw_arr(w, "parts");
	if (fy_json_len(d, content))
		FY_JSON_FOREACH(d, content, k, el) {
			uint32_t type = fy_json_get(d, el, "type"), v;

			if (!jv_obj(d, el) || !jv_str(d, type))
				return fail(o, mid, "content block %u has no 'type' string", k);
			any = 1;
			if (jv_is(d, type, "text")) {
				v = fy_json_get(d, el, "text");
				if (!jv_str(d, v))
					return fail(o, mid, "text block %u has no 'text' string", k);
				jw_obj(w, NULL);
				jw_lit(w, "type", "text");
				jw_jstr(w, "text", d, v);
				block_citations(w, d, fy_json_get(d, el, "citations"));
				jw_end(w, '}');
			} else if (jv_is(d, type, "thinking")) {
				uint32_t sums = fy_json_get(d, el, "summaries"), sig = fy_json_get(d, el, "signature");
				uint32_t j, sm;

				v = fy_json_get(d, el, "thinking");
				jw_obj(w, NULL);
				jw_lit(w, "type", "reasoning");
				jw_lit(w, "format", "plain");
				if (jv_str(d, v))
					jw_jstr(w, "text", d, v);
				if (jv_str(d, sig))
					jw_jstr(w, "signature", d, sig);
				jw_end(w, '}');
				if (fy_json_type(d, sums) == FY_JARRAY)
					FY_JSON_FOREACH(d, sums, j, sm) {
						uint32_t t = jv_str(d, sm) ? sm : fy_json_get(d, sm, "summary");

						if (!jv_str(d, t))
							continue;
						jw_obj(w, NULL);
						jw_lit(w, "type", "reasoning");
						jw_lit(w, "format", "summary");
						jw_jstr(w, "text", d, t);
						jw_end(w, '}');
					}
				*lossy = 1;
			} else if (jv_is(d, type, "redacted_thinking")) {
				v = fy_json_get(d, el, "data");
				jw_obj(w, NULL);
				jw_lit(w, "type", "reasoning");
				jw_lit(w, "format", "encrypted");
				if (jv_str(d, v))
					jw_jstr(w, "encrypted", d, v);
				jw_end(w, '}');
			} else if (jv_is(d, type, "tool_use")) {
				uint32_t name = fy_json_get(d, el, "name"), integ = fy_json_get(d, el, "integration_name");

				v = fy_json_get(d, el, "id");
				jw_obj(w, NULL);
				jw_lit(w, "type", "tool_call");
				if (jv_str(d, v) && !jv_empty(d, v)) {
					size_t n;
					const char *s = fy_json_raw(d, v, &n);

					jw_jstr(w, "id", d, v);
					snprintf(last_call, FY_ID_MAX + 40, "%.*s", (int)(n > FY_ID_MAX ? FY_ID_MAX : n), s);
				} else {
					/* no id in the export: the message and the block's position */
					snprintf(last_call, FY_ID_MAX + 40, "%s.%u", mid, k);
					jw_lit(w, "id", last_call);
				}
				jw_jstr(w, "name", d, jv_str(d, name) ? name : type);
				jw_lit(w, "tool_type", tool_type(d, name, integ));
				v = fy_json_get(d, el, "input");
				if (!jv_none(d, v)) {
					fy_buf_reset(&m->scratch2);
					if (fy_json_emit(d, v, &m->scratch2, o->err) < 0)
						return -1;
					jw_str(w, "arguments", m->scratch2.ptr, m->scratch2.len);
				}
				if (jv_str(d, integ) && !jv_empty(d, integ))
					jw_jstr(w, "server", d, integ);
				jw_end(w, '}');
				*lossy = 1;
			} else if (jv_is(d, type, "tool_result")) {
				uint32_t name = fy_json_get(d, el, "name"), res = fy_json_get(d, el, "content");

				v = fy_json_get(d, el, "tool_use_id");
				jw_obj(w, NULL);
				jw_lit(w, "type", "tool_result");
				if (jv_str(d, v))
					jw_jstr(w, "call_id", d, v);
				else
					jw_str(w, "call_id", last_call, strlen(last_call));
				if (jv_str(d, name))
					jw_jstr(w, "name", d, name);
				result_output(w, d, res);
				if (fy_json_type(d, fy_json_get(d, el, "is_error")) == FY_JTRUE)
					jw_bool(w, "is_error", 1);
				jw_end(w, '}');
				result_sources(w, d, res);
				*lossy = 1;
			} else {
				jw_obj(w, NULL);
				jw_lit(w, "type", "other");
				jw_jstr(w, "content_type", d, type);
				jw_node(w, "data", d, el);
				jw_end(w, '}');
				*unknown = 1;
				*unknown_type = type;
			}
		}
	if (!any && jv_str(d, text)) {
		jw_obj(w, NULL);
		jw_lit(w, "type", "text");
		jw_jstr(w, "text", d, text);
		jw_end(w, '}');
	}
	if (fy_json_type(d, att) == FY_JARRAY)
		FY_JSON_FOREACH(d, att, k, el) {
			uint32_t name = fy_json_get(d, el, "file_name"), type = fy_json_get(d, el, "file_type");
			uint32_t ext = fy_json_get(d, el, "extracted_content");
			int64_t size;

			if (!jv_obj(d, el))
				return fail(o, mid, "attachment %u is not an object", k);
			jw_obj(w, NULL);
			jw_lit(w, "type", "file");
			if (jv_str(d, name))
				jw_jstr(w, "name", d, name);
			if (jv_str(d, type)) {
				size_t tn;
				const char *ts = fy_json_raw(d, type, &tn);

				if (memchr(ts, '/', tn))
					jw_jstr(w, "media_type", d, type);
			}
			if (fy_json_int(d, fy_json_get(d, el, "file_size"), &size) == 0 && size >= 0)
				jw_int(w, "size", size);
			if (jv_str(d, ext))
				jw_jstr(w, "text", d, ext);
			jw_end(w, '}');
		}
	if (fy_json_type(d, files) == FY_JARRAY)
		FY_JSON_FOREACH(d, files, k, el) {
			uint32_t name = fy_json_get(d, el, "file_name"), kind = fy_json_get(d, el, "file_kind");
			int image = jv_is(d, kind, "image");

			if (!jv_obj(d, el))
				return fail(o, mid, "file %u is not an object", k);
			if (!image && jv_str(d, name)) {
				fy_buf_reset(&m->scratch2);
				if (fy_json_str(d, name, &m->scratch2, o->err) < 0)
					return -1;
				image = strncmp(fy_media_type_guess(m->scratch2.ptr), "image/", 6) == 0;
			}
			jw_obj(w, NULL);
			jw_lit(w, "type", image ? "image" : "file");
			if (jv_str(d, name))
				jw_jstr(w, "name", d, name);
			jw_end(w, '}');
			*lossy = 1;	/* the bytes are not in the export; the file object is kept */
		}
	jw_end(w, ']');
	return 0;
}

static int emit_message(struct obj *o, uint32_t msg, uint32_t parent_msg, uint32_t model,
			char *last_call)
{
	struct fy_claude_map *m = o->m;
	const struct fy_jdoc *d = o->d;
	uint32_t uuid = fy_json_get(d, msg, "uuid"), sender, files;
	char mid[FY_ID_MAX + 1], pid[FY_ID_MAX + 1];
	struct times t;
	int lossy = 0, unknown = 0, user, assistant;
	uint32_t unknown_type = NONE;
	size_t at = fy_recq_mark(o->q);
	struct jw w;

	if (make_id(o, uuid, mid) < 0)
		return -1;
	if (get_str(o, msg, "sender", mid, &sender) <= 0)
		return sender == NONE ? fail(o, mid, "no 'sender' string") : -1;
	if (get_times(o, msg, mid, &t) < 0)
		return -1;
	user = jv_is(d, sender, "human") || jv_is(d, sender, "user");
	assistant = jv_is(d, sender, "assistant");
	jw_open(&w, &o->q->buf, o->err);
	jw_obj(&w, NULL);
	jw_lit(&w, "kind", "message");
	jw_lit(&w, "id", mid);
	jw_lit(&w, "thread", o->id);
	if (parent_msg == NONE) {
		jw_null(&w, "parent");
	} else {
		if (make_id(o, fy_json_get(d, parent_msg, "uuid"), pid) < 0)
			return -1;
		jw_lit(&w, "parent", pid);
	}
	jw_lit(&w, "role", user ? "user" : "assistant");
	if (assistant && model != NONE)
		jw_jstr(&w, "model", d, model);
	times_members(&w, &t);
	if (message_parts(o, &w, msg, mid, &lossy, last_call, &unknown, &unknown_type) < 0)
		return -1;
	jw_obj(&w, "source");
	jw_lit(&w, "adapter", ADAPTER);
	jw_jstr(&w, "id", d, uuid);
	jw_end(&w, '}');
	{
		struct fy_jw_mark ext_at;

		fy_jw_mark(&w.j, &ext_at);
		jw_obj(&w, "ext");
		jw_obj(&w, ADAPTER);
		if (!user && !assistant)
			jw_jstr(&w, "sender", d, sender);
		if (lossy)
			jw_node(&w, "content", d, fy_json_get(d, msg, "content"));
		files = fy_json_get(d, msg, "files");
		if (lossy && fy_json_len(d, files))
			jw_node(&w, "files", d, files);
		rest_of(&w, d, msg, msg_known);
		if (fy_jw_empty(&w.j)) {
			fy_jw_rewind(&w.j, &ext_at);	/* nothing provider-only: no ext */
		} else {
			jw_end(&w, '}');
			jw_end(&w, '}');
		}
	}
	jw_end(&w, '}');
	if (push(o, &w, at, FY_KIND_MESSAGE) < 0)
		return -1;
	m->messages++;
	if (!user && !assistant) {
		char why[200];
		size_t n;
		const char *s = fy_json_raw(d, sender, &n);

		snprintf(why, sizeof(why), "sender '%.*s' has no neutral role; written as assistant",
			 (int)(n > 60 ? 60 : n), s);
		if (ledger(o, "message", mid, "role", "transformed", "unknown-role", why) < 0)
			return -1;
	}
	if (unknown) {
		char why[200];
		size_t n;
		const char *s = fy_json_raw(d, unknown_type, &n);

		snprintf(why, sizeof(why),
			 "content block type '%.*s' has no neutral part type; kept verbatim as an 'other' part",
			 (int)(n > 60 ? 60 : n), s);
		if (ledger(o, "message", mid, "parts", "warning", "unknown-content-type", why) < 0)
			return -1;
	}
	if (fy_json_len(d, files)) {
		if (ledger(o, "message", mid, "parts", "degraded", "file-not-in-export",
			   "uploaded files are named in the export but their bytes are not; names kept") < 0)
			return -1;
	}
	return 0;
}

int fy_claude_map_conversation_doc(struct fy_claude_map *m, struct fy_recq *out,
				   struct fy_error *err)
{
	const struct fy_jdoc *d = &m->doc;
	struct obj o = { m, d, out, err, "conversation", "" };
	uint32_t uuid, name, msgs, k, el, n, i, project, leafv, leaf = NONE, model, cycle;
	uint32_t *msg_nodes = NULL;
	struct times t;
	int linked = 0, any_parent = 0, rc = -1;
	char last_call[FY_ID_MAX + 40] = "";
	size_t at;
	struct jw w;

	if (head(&o, &uuid, &t) < 0)
		return -1;
	if (get_str(&o, 0, "name", NULL, &name) < 0 || get_str(&o, 0, "model", NULL, &model) < 0 ||
	    get_str(&o, 0, "current_leaf_message_uuid", NULL, &leafv) < 0)
		return -1;
	msgs = fy_json_get(d, 0, "chat_messages");
	if (!jv_none(d, msgs) && fy_json_type(d, msgs) != FY_JARRAY)
		return fail(&o, NULL, "'chat_messages' is not an array");
	n = fy_json_len(d, msgs);
	/* the tree: message uuids, then parent links */
	msg_nodes = malloc(((size_t)n + 1) * sizeof(*msg_nodes));
	if (!msg_nodes)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	if (fy_keymap_reset(&m->msgs, n, err) < 0 || fy_tree_reset(&m->tree, n, err) < 0)
		goto out;
	FY_JSON_FOREACH(d, msgs, k, el) {
		uint32_t u = fy_json_get(d, el, "uuid"), idx;
		int added;

		if (!jv_obj(d, el)) {
			fail(&o, NULL, "chat_messages[%u] is not an object", k);
			goto out;
		}
		if (!jv_str(d, u) || jv_empty(d, u)) {
			fail(&o, NULL, "chat_messages[%u] has no 'uuid' string", k);
			goto out;
		}
		fy_buf_reset(&m->scratch);
		if (fy_json_str(d, u, &m->scratch, err) < 0)
			goto out;
		added = fy_keymap_add(&m->msgs, m->scratch.ptr, m->scratch.len, &idx, err);
		if (added < 0)
			goto out;
		if (!added) {
			fail(&o, m->scratch.ptr, "the uuid appears twice in chat_messages");
			goto out;
		}
		msg_nodes[k] = el;
		m->tree.keep[k] = 1;
		if (!jv_none(d, fy_json_get(d, el, "parent_message_uuid")))
			any_parent = 1;
	}
	FY_JSON_FOREACH(d, msgs, k, el) {
		uint32_t pv = fy_json_get(d, el, "parent_message_uuid"), p;

		if (jv_none(d, pv)) {
			/* no parent link: the export's order is the conversation's */
			m->tree.parent[k] = any_parent || k == 0 ? NONE : k - 1;
			continue;
		}
		if (!jv_str(d, pv)) {
			fail(&o, fy_keymap_key(&m->msgs, k, NULL), "'parent_message_uuid' is not a string");
			goto out;
		}
		if (jv_is(d, pv, ROOT_UUID))
			continue;
		p = find_key(&o, &m->msgs, pv);
		if (p == NONE) {
			size_t pn;
			const char *ps = fy_json_raw(d, pv, &pn);

			fail(&o, fy_keymap_key(&m->msgs, k, NULL), "its parent '%.*s' is not in the conversation",
			     (int)(pn > 80 ? 80 : pn), ps);
			goto out;
		}
		if (p == k) {
			fail(&o, fy_keymap_key(&m->msgs, k, NULL), "the messages have a cycle (its own parent)");
			goto out;
		}
		m->tree.parent[k] = p;
	}
	if (fy_tree_order(&m->tree, &cycle) < 0) {
		fail(&o, fy_keymap_key(&m->msgs, cycle, NULL), "the messages have a cycle through this one");
		goto out;
	}
	/* the active leaf: as the export says, else the last message listed */
	if (leafv != NONE)
		leaf = find_key(&o, &m->msgs, leafv);
	if (leaf == NONE && n)
		leaf = n - 1;
	/* the thread */
	project = fy_json_get(d, 0, "project_uuid");
	if (!jv_str(d, project))
		project = fy_json_get(d, fy_json_get(d, 0, "project"), "uuid");
	if (jv_str(d, project))
		linked = find_key(&o, &m->projects_seen, project) != NONE;
	at = fy_recq_mark(out);
	jw_open(&w, &out->buf, err);
	jw_obj(&w, NULL);
	jw_lit(&w, "kind", "thread");
	jw_lit(&w, "id", o.id);
	if (name != NONE)
		jw_jstr(&w, "title", d, name);
	if (linked) {
		char aid[FY_ID_MAX + 1];

		if (make_id(&o, project, aid) < 0)
			goto out;
		jw_lit(&w, "agent", aid);
	}
	if (leaf != NONE) {
		char lid[FY_ID_MAX + 1];

		fy_id_make(fy_keymap_key(&m->msgs, leaf, NULL), m->msgs.len[leaf], lid);
		jw_lit(&w, "active_leaf", lid);
	}
	if (tail(&o, &w, at, &t, uuid, conv_known, FY_KIND_THREAD) < 0)
		goto out;
	if (jv_str(d, project) && !linked) {
		char why[300];
		size_t pn;
		const char *ps = fy_json_raw(d, project, &pn);

		snprintf(why, sizeof(why), "project %.*s is not in the export; the thread names no agent",
			 (int)(pn > 80 ? 80 : pn), ps);
		if (ledger(&o, "thread", o.id, "agent", "degraded", "project-not-in-export", why) < 0)
			goto out;
	}
	for (i = 0; i < n; i++) {
		uint32_t j = m->tree.order[i], p = m->tree.eff[j];

		if (emit_message(&o, msg_nodes[j], p == NONE ? NONE : msg_nodes[p], model, last_call) < 0)
			goto out;
	}
	m->conversations++;
	rc = 0;
out:
	free(msg_nodes);
	return rc;
}

int fy_claude_map_conversation(struct fy_claude_map *m, const char *json, size_t len,
			       struct fy_recq *out, struct fy_error *err)
{
	if (fy_jdoc_parse(&m->doc, json, len, 0, err) < 0)
		return fy_error_prefix(err, "%s: conversation %llu", m->path, (unsigned long long)m->index);
	return fy_claude_map_conversation_doc(m, out, err);
}

void fy_claude_map_init(struct fy_claude_map *m)
{
	memset(m, 0, sizeof(*m));
	m->path = "conversations.json";
	fy_jdoc_init(&m->doc);
	fy_keymap_init(&m->projects_seen);
	fy_keymap_init(&m->project_mem);
	fy_keymap_init(&m->msgs);
	fy_tree_init(&m->tree);
	fy_buf_init(&m->scratch, (size_t)1 << 30);
	fy_buf_init(&m->scratch2, (size_t)1 << 30);
}

void fy_claude_map_release(struct fy_claude_map *m)
{
	if (!m)
		return;
	fy_jdoc_release(&m->doc);
	fy_keymap_release(&m->projects_seen);
	fy_keymap_release(&m->project_mem);
	fy_keymap_release(&m->msgs);
	fy_tree_release(&m->tree);
	fy_buf_release(&m->scratch);
	fy_buf_release(&m->scratch2);
	memset(m, 0, sizeof(*m));
}
