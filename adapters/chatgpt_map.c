/*
 * chatgpt_map.c - the pure mapping of one ChatGPT conversation into
 * neutral records (chatgpt.h). What maps to what, and the sources the
 * field names come from, are in the header comment of chatgpt.c.
 */
#include "chatgpt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jw.h"
#include "sha256.h"

#define NONE UINT32_MAX
#define ADAPTER "chatgpt"

enum role { R_SYSTEM, R_DEVELOPER, R_USER, R_ASSISTANT, R_TOOL, R_OTHER };

static const char *const role_names[] = { "system", "developer", "user", "assistant", "tool",
					  "assistant" };

struct fy_chatgpt_node {
	uint32_t key;		/* the mapping key (string node) */
	uint32_t val;		/* the node object */
	uint32_t msg;		/* its message object, or NONE */
	uint32_t pkey;		/* its parent string node, or NONE */
	uint32_t idoff;		/* ferry id (NUL-terminated) in the arena */
	uint32_t recipient;	/* message.recipient when a call, else NONE */
	uint32_t name;		/* author.name string node, or NONE */
	uint8_t role;
};

/* One mapped part of the message being built. */
struct fy_chatgpt_part {
	size_t off, len;	/* the part's JSON in m->parts */
	uint32_t text;		/* textual parts: the string node of the text, for folding */
	const char *raw;	/* its escaped text */
	size_t rawlen;
	int textual;
};

/* What one conversation's mapping needs at hand. */
struct conv {
	struct fy_chatgpt_map *m;
	const struct fy_jdoc *d;
	struct fy_recq *q;
	struct fy_error *err;
	char tid[FY_ID_MAX + 1];
	const char *cid;	/* raw conversation id (escaped text) */
	size_t cidlen;
};

/* --- errors ------------------------------------------------------------ */

static int conv_fail(struct conv *c, uint32_t node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int conv_fail(struct conv *c, uint32_t node, const char *fmt, ...)
{
	struct fy_chatgpt_map *m = c->m;
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (node != NONE)
		return fy_error_set(c->err, FY_E_DATA, "%s: conversation %llu%s%.*s%s: node '%.*s': %s",
				    m->path, (unsigned long long)m->index, c->cid ? " '" : "",
				    (int)(c->cidlen > 80 ? 80 : c->cidlen), c->cid ? c->cid : "",
				    c->cid ? "'" : "", (int)(m->keys.len[node] > 80 ? 80 : m->keys.len[node]),
				    fy_keymap_key(&m->keys, node, NULL), what);
	return fy_error_set(c->err, FY_E_DATA, "%s: conversation %llu%s%.*s%s: %s", m->path,
			    (unsigned long long)m->index, c->cid ? " '" : "",
			    (int)(c->cidlen > 80 ? 80 : c->cidlen), c->cid ? c->cid : "",
			    c->cid ? "'" : "", what);
}

/* --- small JSON helpers ------------------------------------------------ */

#define is_str jv_str
#define is_obj jv_obj
#define is_nothing jv_none
#define str_is jv_is
#define str_empty jv_empty

/* A string, null or absent member; FY_JNONE for the last two. -1 for another type. */
static int opt_str(struct conv *c, uint32_t obj, const char *key, uint32_t node, uint32_t *out)
{
	uint32_t v = fy_json_get(c->d, obj, key);

	*out = NONE;
	if (is_nothing(c->d, v))
		return 0;
	if (!is_str(c->d, v))
		return conv_fail(c, node, "'%s' is not a string", key);
	*out = v;
	return 0;
}

/* A Unix time member: 1 and sec/nsec, 0 when null or absent, -1 on a wrong type. */
static int opt_time(struct conv *c, uint32_t obj, const char *key, uint32_t node, int64_t *sec,
		    int32_t *nsec)
{
	uint32_t v = fy_json_get(c->d, obj, key);
	size_t n;
	const char *s;

	if (is_nothing(c->d, v))
		return 0;
	if (fy_json_type(c->d, v) != FY_JNUMBER)
		return conv_fail(c, node, "'%s' is not a number", key);
	s = fy_json_raw(c->d, v, &n);
	if (jw_epoch(s, n, sec, nsec) < 0)
		return conv_fail(c, node, "'%s' (%.*s) is not a time", key, (int)(n > 40 ? 40 : n), s);
	return 1;
}

/* An object, null or absent member; -1 for another type. */
static int opt_obj(struct conv *c, uint32_t obj, const char *key, uint32_t node, uint32_t *out)
{
	uint32_t v = fy_json_get(c->d, obj, key);

	*out = NONE;
	if (is_nothing(c->d, v))
		return 0;
	if (!is_obj(c->d, v))
		return conv_fail(c, node, "'%s' is not an object", key);
	*out = v;
	return 0;
}

/* Decoded string node v into m->scratch (reset first). */
static int decode(struct conv *c, uint32_t v)
{
	fy_buf_reset(&c->m->scratch);
	return fy_json_str(c->d, v, &c->m->scratch, c->err);
}

/* --- the ledger -------------------------------------------------------- */

static int ledger(struct conv *c, const char *kind, const char *id, const char *field,
		  const char *outcome, const char *rule, const char *reason)
{
	return fy_recq_ledger(c->q, ADAPTER, kind, id, field, outcome, rule, reason, c->err);
}

/* --- the node table ---------------------------------------------------- */

static const char *node_id(const struct fy_chatgpt_map *m, uint32_t i)
{
	return m->arena.ptr + m->nodes[i].idoff;
}

/* The node whose key is string node v, or NONE. */
static uint32_t lookup(struct conv *c, uint32_t v)
{
	size_t n;
	const char *s;

	if (fy_json_has_escapes(c->d, v)) {
		if (decode(c, v) < 0)
			return NONE;
		return fy_keymap_find(&c->m->keys, c->m->scratch.ptr, c->m->scratch.len);
	}
	s = fy_json_raw(c->d, v, &n);
	return fy_keymap_find(&c->m->keys, s, n);
}

static int role_of(const struct fy_jdoc *d, uint32_t v)
{
	static const char *const names[] = { "system", "developer", "user", "assistant", "tool" };
	int i;

	for (i = 0; i < 5; i++)
		if (str_is(d, v, names[i]))
			return i;
	return R_OTHER;
}

/* Read the mapping into the node table and the tree, checking types. */
static int build_nodes(struct conv *c, uint32_t mapping)
{
	struct fy_chatgpt_map *m = c->m;
	const struct fy_jdoc *d = c->d;
	uint32_t count = fy_json_len(d, mapping), k, key, val, i;

	fy_buf_reset(&m->arena);
	m->nnodes = 0;
	if (count > m->capnodes) {
		struct fy_chatgpt_node *p = realloc(m->nodes, (size_t)count * sizeof(*p));

		if (!p)
			return fy_error_set(c->err, FY_E_NOMEM, "out of memory");
		m->nodes = p;
		m->capnodes = count;
	}
	if (fy_keymap_reset(&m->keys, count, c->err) < 0 || fy_tree_reset(&m->tree, count, c->err) < 0)
		return -1;
	FY_JSON_FOREACH_MEMBER(d, mapping, k, key, val) {
		struct fy_chatgpt_node *nd = &m->nodes[m->nnodes];
		uint32_t msg, author, role, name, pv, idv;
		char id[FY_ID_MAX + 1];
		const char *ks;
		size_t kn;

		memset(nd, 0, sizeof(*nd));
		nd->key = key;
		nd->val = val;
		nd->recipient = nd->name = nd->pkey = nd->msg = NONE;
		if (fy_json_has_escapes(d, key)) {
			if (decode(c, key) < 0)
				return -1;
			ks = m->scratch.ptr;
			kn = m->scratch.len;
		} else {
			ks = fy_json_raw(d, key, &kn);
		}
		/* the parser refuses duplicate keys, so every key is new */
		if (fy_keymap_add(&m->keys, ks, kn, &i, c->err) < 0)
			return -1;
		m->nnodes++;
		fy_id_make(ks, kn, id);
		nd->idoff = (uint32_t)m->arena.len;
		if (fy_buf_add(&m->arena, id, strlen(id) + 1, c->err) < 0)
			return -1;
		if (!is_obj(d, val))
			return conv_fail(c, i, "not an object");
		idv = fy_json_get(d, val, "id");
		if (!is_nothing(d, idv) && !is_str(d, idv))
			return conv_fail(c, i, "'id' is not a string");
		pv = fy_json_get(d, val, "parent");
		if (!is_nothing(d, pv)) {
			if (!is_str(d, pv))
				return conv_fail(c, i, "'parent' is not a string");
			nd->pkey = pv;
		}
		msg = fy_json_get(d, val, "message");
		if (!is_nothing(d, msg)) {
			uint32_t rcp;

			if (!is_obj(d, msg))
				return conv_fail(c, i, "'message' is not an object");
			nd->msg = msg;
			m->tree.keep[i] = 1;
			author = fy_json_get(d, msg, "author");
			if (!is_obj(d, author))
				return conv_fail(c, i, "the message has no 'author' object");
			role = fy_json_get(d, author, "role");
			if (!is_str(d, role))
				return conv_fail(c, i, "the message's author has no 'role' string");
			nd->role = (uint8_t)role_of(d, role);
			name = fy_json_get(d, author, "name");
			if (!is_nothing(d, name)) {
				if (!is_str(d, name))
					return conv_fail(c, i, "the author's 'name' is not a string");
				nd->name = name;
			}
			rcp = fy_json_get(d, msg, "recipient");
			if (!is_nothing(d, rcp) && !is_str(d, rcp))
				return conv_fail(c, i, "'recipient' is not a string");
			if (nd->role == R_ASSISTANT && is_str(d, rcp) && !str_is(d, rcp, "all") &&
			    !str_empty(d, rcp))
				nd->recipient = rcp;
		}
	}
	/* Parents. */
	for (i = 0; i < m->nnodes; i++) {
		struct fy_chatgpt_node *nd = &m->nodes[i];
		uint32_t p;

		if (nd->pkey == NONE)
			continue;
		p = lookup(c, nd->pkey);
		if (p == NONE) {
			size_t n;
			const char *s = fy_json_raw(d, nd->pkey, &n);

			return conv_fail(c, i, "its parent '%.*s' is not in the mapping",
					 (int)(n > 80 ? 80 : n), s);
		}
		if (p == i)
			return conv_fail(c, i, "the mapping has a cycle (the node is its own parent)");
		m->tree.parent[i] = p;
	}
	return 0;
}

/* --- parts -------------------------------------------------------------- */

static int part_begin(struct conv *c, struct jw *w)
{
	struct fy_chatgpt_map *m = c->m;
	struct fy_chatgpt_part *p;

	if (m->npv == m->cappv) {
		size_t cap = m->cappv ? m->cappv * 2 : 16;
		struct fy_chatgpt_part *n = realloc(m->pv, cap * sizeof(*n));

		if (!n)
			return fy_error_set(c->err, FY_E_NOMEM, "out of memory");
		m->pv = n;
		m->cappv = cap;
	}
	p = &m->pv[m->npv++];
	memset(p, 0, sizeof(*p));
	p->off = m->parts.len;
	jw_open(w, &m->parts, c->err);
	jw_obj(w, NULL);
	return 0;
}

/* Close the part; text is its string node when the part is textual (folds into calls). */
static int part_end(struct conv *c, struct jw *w, uint32_t text)
{
	struct fy_chatgpt_part *p = &c->m->pv[c->m->npv - 1];

	jw_end(w, '}');
	if (jw_done(w) < 0)
		return -1;
	p->len = c->m->parts.len - p->off;
	p->text = text;
	p->textual = text != NONE;
	p->raw = p->textual ? fy_json_raw(c->d, text, &p->rawlen) : NULL;
	if (!p->textual)
		p->rawlen = 0;
	return 0;
}

/* A text part from string node v; the message's citations ride on the first. */
static int part_text(struct conv *c, uint32_t v, int *cites_done)
{
	struct fy_chatgpt_map *m = c->m;
	struct jw w;
	size_t n;
	const char *s = fy_json_raw(c->d, v, &n);

	if (part_begin(c, &w) < 0)
		return -1;
	jw_lit(&w, "type", "text");
	jw_raw(&w, "text", s, n);
	if (!*cites_done && m->cites.len) {
		jw_json(&w, "citations", m->cites.ptr, m->cites.len);	/* prepared by citations() */
		*cites_done = 1;
	}
	return part_end(c, &w, v);
}

/* A part of one string field: {"type": type, field: v}. */
static int part_field(struct conv *c, const char *type, const char *field, uint32_t v)
{
	struct jw w;
	size_t n;
	const char *s = fy_json_raw(c->d, v, &n);

	if (part_begin(c, &w) < 0)
		return -1;
	jw_lit(&w, "type", type);
	jw_raw(&w, field, s, n);
	return part_end(c, &w, v);
}

static int part_reasoning(struct conv *c, const char *format, uint32_t v)
{
	struct jw w;

	if (part_begin(c, &w) < 0)
		return -1;
	jw_lit(&w, "type", "reasoning");
	jw_lit(&w, "format", format);
	jw_jstr(&w, "text", c->d, v);
	return part_end(c, &w, NONE);
}

static int part_other(struct conv *c, uint32_t ct, const char *fallback, uint32_t data)
{
	struct jw w;

	if (part_begin(c, &w) < 0)
		return -1;
	jw_lit(&w, "type", "other");
	if (ct != NONE && is_str(c->d, ct))
		jw_jstr(&w, "content_type", c->d, ct);
	else
		jw_lit(&w, "content_type", fallback);
	jw_node(&w, "data", c->d, data);
	return part_end(c, &w, NONE);
}

static void seen_add(struct fy_chatgpt_map *m, const char *id, size_t n)
{
	if (m->nseen < sizeof(m->seen) / sizeof(m->seen[0]))
		m->seen[m->nseen++] = fy_fingerprint(0, id, n);
}

static int seen_has(const struct fy_chatgpt_map *m, const char *id, size_t n)
{
	uint64_t fp = fy_fingerprint(0, id, n);
	unsigned i;

	for (i = 0; i < m->nseen; i++)
		if (m->seen[i] == fp)
			return 1;
	return 0;
}

/* An image or audio part for an asset pointer (string node ptr). */
static int part_asset(struct conv *c, uint32_t self, const char *type, uint32_t ptr, uint32_t obj)
{
	struct fy_chatgpt_map *m = c->m;
	struct fy_chatgpt_asset a;
	const char *s, *id;
	size_t n, idn;
	struct jw w;
	int found = 0;
	uint32_t v;

	if (decode(c, ptr) < 0)
		return -1;
	s = m->scratch.ptr;
	n = m->scratch.len;
	id = strstr(s, "://");
	id = id ? id + 3 : s;
	idn = n - (size_t)(id - s);
	seen_add(m, id, idn);
	if (m->resolve && idn)
		found = m->resolve(m->cb, id, idn, &a);
	if (part_begin(c, &w) < 0)
		return -1;
	jw_lit(&w, "type", type);
	if (found) {
		jw_lit(&w, "blob", a.hex);
		jw_lit(&w, "file", a.file);
		jw_lit(&w, "media_type", a.media_type);
		jw_int(&w, "size", (int64_t)a.size);
	} else {
		jw_jstr(&w, "url", c->d, ptr);
		v = fy_json_get(c->d, obj, "size_bytes");
		if (fy_json_type(c->d, v) == FY_JNUMBER) {
			int64_t sz;

			if (fy_json_int(c->d, v, &sz) == 0 && sz >= 0)
				jw_int(&w, "size", sz);
		}
	}
	if (strcmp(type, "image") == 0) {
		int64_t dim;

		v = fy_json_get(c->d, obj, "width");
		if (fy_json_int(c->d, v, &dim) == 0 && dim >= 0)
			jw_int(&w, "width", dim);
		v = fy_json_get(c->d, obj, "height");
		if (fy_json_int(c->d, v, &dim) == 0 && dim >= 0)
			jw_int(&w, "height", dim);
		v = fy_json_get(c->d, fy_json_get(c->d, fy_json_get(c->d, obj, "metadata"), "dalle"),
				"prompt");
		if (is_str(c->d, v))
			jw_jstr(&w, "alt", c->d, v);
	}
	if (part_end(c, &w, NONE) < 0)
		return -1;
	if (!found) {
		char why[600];

		snprintf(why, sizeof(why), "%s %.*s is not in the export; kept as the part's url", type,
			 (int)(n > 300 ? 300 : n), s);
		return ledger(c, "message", node_id(m, self), "parts", "degraded", "asset-not-in-export",
			      why);
	}
	return 0;
}

/* metadata.attachments that no asset pointer showed: image or file parts. */
static int attachments(struct conv *c, uint32_t self, uint32_t meta)
{
	struct fy_chatgpt_map *m = c->m;
	const struct fy_jdoc *d = c->d;
	uint32_t list = fy_json_get(d, meta, "attachments"), k, el;

	if (fy_json_type(d, list) != FY_JARRAY)
		return 0;
	FY_JSON_FOREACH(d, list, k, el) {
		uint32_t idv = fy_json_get(d, el, "id"), name = fy_json_get(d, el, "name"), mt, v;
		struct fy_chatgpt_asset a;
		int found = 0, image;
		struct jw w;
		int64_t n;
		char idtxt[256];

		if (!is_str(d, idv))
			continue;
		if (decode(c, idv) < 0)
			return -1;
		if (m->scratch.len == 0 || m->scratch.len >= sizeof(idtxt))
			continue;
		memcpy(idtxt, m->scratch.ptr, m->scratch.len + 1);
		if (seen_has(m, idtxt, m->scratch.len))
			continue;
		mt = fy_json_get(d, el, "mime_type");
		if (!is_str(d, mt))
			mt = fy_json_get(d, el, "mimeType");
		if (m->resolve)
			found = m->resolve(m->cb, idtxt, strlen(idtxt), &a);
		image = 0;
		if (is_str(d, mt)) {
			size_t mn;
			const char *ms = fy_json_raw(d, mt, &mn);

			image = mn > 6 && memcmp(ms, "image/", 6) == 0;
		}
		if (part_begin(c, &w) < 0)
			return -1;
		jw_lit(&w, "type", image ? "image" : "file");
		if (found) {
			jw_lit(&w, "blob", a.hex);
			jw_lit(&w, "file", a.file);
		}
		if (is_str(d, name))
			jw_jstr(&w, "name", d, name);
		if (is_str(d, mt))
			jw_jstr(&w, "media_type", d, mt);
		else if (found)
			jw_lit(&w, "media_type", a.media_type);
		v = fy_json_get(d, el, "size");
		if (found)
			jw_int(&w, "size", (int64_t)a.size);
		else if (fy_json_int(d, v, &n) == 0 && n >= 0)
			jw_int(&w, "size", n);
		if (image) {
			if (fy_json_int(d, fy_json_get(d, el, "width"), &n) == 0 && n >= 0)
				jw_int(&w, "width", n);
			if (fy_json_int(d, fy_json_get(d, el, "height"), &n) == 0 && n >= 0)
				jw_int(&w, "height", n);
		}
		if (part_end(c, &w, NONE) < 0)
			return -1;
		if (!found) {
			char why[400];

			snprintf(why, sizeof(why),
				 "attachment %s is not in the export; its name and size are kept", idtxt);
			if (ledger(c, "message", node_id(m, self), "parts", "degraded",
				   "attachment-not-in-export", why) < 0)
				return -1;
		}
	}
	return 0;
}

/* A citation's members from a URL and optional title, text and offsets. */
static void cite_fields(struct jw *w, const struct fy_jdoc *d, uint32_t url, uint32_t title,
			uint32_t text, uint32_t start, uint32_t end)
{
	int64_t a, b;

	jw_lit(w, "type", "citation");
	jw_jstr(w, "url", d, url);
	if (is_str(d, title))
		jw_jstr(w, "title", d, title);
	if (is_str(d, text))
		jw_jstr(w, "text", d, text);
	if (fy_json_int(d, start, &a) == 0 && a >= 0 && fy_json_int(d, end, &b) == 0 && b >= 0) {
		jw_int(w, "start", a);
		jw_int(w, "end", b);
	}
}

static void cite(struct jw *w, const struct fy_jdoc *d, uint32_t url, uint32_t title,
		 uint32_t text, uint32_t start, uint32_t end)
{
	jw_obj(w, NULL);
	cite_fields(w, d, url, title, text, start, end);
	jw_end(w, '}');
}

/* metadata.citations and content_references into m->cites: a JSON array, or nothing. */
static int citations(struct conv *c, uint32_t meta)
{
	const struct fy_jdoc *d = c->d;
	uint32_t list, k, el;
	struct jw w;
	int empty, rc;

	fy_buf_reset(&c->m->cites);
	if (meta == NONE)
		return 0;
	jw_open(&w, &c->m->cites, c->err);
	jw_arr(&w, NULL);
	list = fy_json_get(d, meta, "citations");
	if (fy_json_type(d, list) == FY_JARRAY)
		FY_JSON_FOREACH(d, list, k, el) {
			uint32_t md = fy_json_get(d, el, "metadata"), url = fy_json_get(d, md, "url");

			if (is_str(d, url))
				cite(&w, d, url, fy_json_get(d, md, "title"), fy_json_get(d, md, "text"),
				     fy_json_get(d, el, "start_ix"), fy_json_get(d, el, "end_ix"));
		}
	list = fy_json_get(d, meta, "content_references");
	if (fy_json_type(d, list) == FY_JARRAY)
		FY_JSON_FOREACH(d, list, k, el) {
			uint32_t items = fy_json_get(d, el, "items"), j, it, url;
			uint32_t a = fy_json_get(d, el, "start_idx"), b = fy_json_get(d, el, "end_idx");

			url = fy_json_get(d, el, "url");
			if (is_str(d, url))
				cite(&w, d, url, fy_json_get(d, el, "title"), fy_json_get(d, el, "snippet"), a,
				     b);
			if (fy_json_type(d, items) == FY_JARRAY)
				FY_JSON_FOREACH(d, items, j, it) {
					url = fy_json_get(d, it, "url");
					if (is_str(d, url))
						cite(&w, d, url, fy_json_get(d, it, "title"),
						     fy_json_get(d, it, "snippet"), a, b);
				}
		}
	empty = fy_jw_empty(&w.j);
	jw_end(&w, ']');
	rc = jw_done(&w);
	if (empty)
		fy_buf_reset(&c->m->cites);
	return rc;
}

/* --- memories ----------------------------------------------------------- */

/* A memory record, once per id across the export. text is decoded UTF-8. */
static int memory(struct conv *c, uint32_t self, const char *prefix, const char *type,
		  const char *label, const char *text, size_t n, int has_time, int64_t sec,
		  int32_t nsec, const char *msgid, size_t msgidlen)
{
	struct fy_chatgpt_map *m = c->m;
	char id[80], h[17];
	size_t at;
	struct jw w;
	int added;

	jw_hash16(text, n, h);
	snprintf(id, sizeof(id), "chatgpt-%s-%s", prefix, h);
	added = fy_idset_add(&m->memory_ids, fy_fingerprint(FY_KIND_MEMORY, id, strlen(id)), c->err);
	if (added <= 0)
		return added;
	at = fy_recq_mark(c->q);
	jw_open(&w, &c->q->buf, c->err);
	jw_obj(&w, NULL);
	jw_lit(&w, "kind", "memory");
	jw_lit(&w, "id", id);
	jw_obj(&w, "scope");
	jw_lit(&w, "type", "user");
	jw_end(&w, '}');
	jw_lit(&w, "type", type);
	jw_lit(&w, "label", label);
	jw_str(&w, "text", text, n);
	if (has_time)
		jw_time(&w, "created", sec, nsec);
	jw_obj(&w, "source");
	jw_lit(&w, "adapter", ADAPTER);
	jw_raw(&w, "id", msgid, msgidlen);
	jw_str(&w, "path", m->path, strlen(m->path));
	jw_end(&w, '}');
	jw_obj(&w, "ext");
	jw_obj(&w, ADAPTER);
	jw_raw(&w, "conversation", c->cid, c->cidlen);
	jw_lit(&w, "node", node_id(m, self));
	jw_end(&w, '}');
	jw_end(&w, '}');
	jw_end(&w, '}');
	if (jw_done(&w) < 0)
		return -1;
	m->memories++;
	return fy_recq_push(c->q, at, FY_ITEM_RECORD, FY_KIND_MEMORY, c->err);
}

static int digits_at(const char *s, size_t n, size_t i, size_t *after)
{
	size_t j = i;

	while (j < n && s[j] >= '0' && s[j] <= '9')
		j++;
	if (j == i || j + 1 >= n || s[j] != '.' || s[j + 1] != ' ')
		return 0;
	*after = j + 2;
	return 1;
}

/*
 * model_editable_context.model_set_context lists saved memories as
 * "1. [2024-05-07]. The user ...", one numbered entry per memory. Each
 * becomes a memory record of type fact (its date, when given, is its
 * creation time); text without numbered entries is one record.
 */
static int memories_from_context(struct conv *c, uint32_t self, uint32_t v, int has_time,
				 int64_t sec, int32_t nsec, const char *msgid, size_t msgidlen)
{
	struct fy_chatgpt_map *m = c->m;
	struct fy_buf text = FY_BUF_INIT((size_t)1 << 30);
	size_t i = 0, n, start, after;
	const char *s;
	int rc = -1, any = 0;

	if (fy_json_str(c->d, v, &text, c->err) < 0)
		goto out;
	s = text.ptr ? text.ptr : "";
	n = text.len;
	while (i < n) {
		size_t end, e;
		int64_t when = sec;
		int32_t wns = nsec;
		int timed = has_time;

		if (!((i == 0 || s[i - 1] == '\n') && digits_at(s, n, i, &after))) {
			i++;
			continue;
		}
		start = after;
		/* the entry runs to the next numbered line */
		for (end = start; end < n; end++)
			if (s[end] == '\n' && digits_at(s, n, end + 1, &e))
				break;
		if (start + 13 < end && s[start] == '[' && s[start + 11] == ']' && s[start + 12] == '.') {
			char date[11];
			int64_t t;

			memcpy(date, s + start + 1, 10);
			date[10] = '\0';
			if (fy_time_parse_user(date, &t) == 0) {
				when = t;
				wns = 0;
				timed = 1;
				start += 13;
			}
		}
		while (start < end && (s[start] == ' ' || s[start] == '\n'))
			start++;
		e = end;
		while (e > start && (s[e - 1] == ' ' || s[e - 1] == '\n' || s[e - 1] == '\r'))
			e--;
		if (e > start) {
			any = 1;
			if (memory(c, self, "memory", "fact", "memory", s + start, e - start, timed, when,
				   wns, msgid, msgidlen) < 0)
				goto out;
		}
		i = end;
	}
	if (!any && n && memory(c, self, "memory", "fact", "memory", s, n, has_time, sec, nsec, msgid,
				msgidlen) < 0)
		goto out;
	rc = 0;
	(void)m;
out:
	fy_buf_release(&text);
	return rc;
}

/* --- content ------------------------------------------------------------ */

static const char *tool_type(const struct fy_jdoc *d, uint32_t rcp)
{
	static const struct {
		const char *prefix, *type;
	} map[] = {
		{ "python", "code_interpreter" }, { "browser", "web_search" },
		{ "web", "web_search" }, { "myfiles_browser", "file_search" },
		{ "file_search", "file_search" }, { "dalle", "image_generation" },
		{ "t2uay3k", "image_generation" }, { "bio", "memory" }, { "canmore", "canvas" },
		{ "container", "code_interpreter" }, { "computer", "computer_use" },
	};
	size_t n, i, pl;
	const char *s = fy_json_raw(d, rcp, &n);

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		pl = strlen(map[i].prefix);
		if (n >= pl && memcmp(s, map[i].prefix, pl) == 0 && (n == pl || s[pl] == '.'))
			return map[i].type;
	}
	return "function";
}

/* Content types whose every field has a neutral home (no ext copy needed). */
static int maps_exactly(const struct fy_jdoc *d, uint32_t ct)
{
	return str_is(d, ct, "text") || str_is(d, ct, "code") || str_is(d, ct, "execution_output") ||
	       str_is(d, ct, "reasoning_recap");
}

/*
 * The content object's parts into m->parts/m->pv. *keep is set when the
 * content should also be kept verbatim in ext; *is_error for system_error.
 */
static int map_content(struct conv *c, uint32_t self, uint32_t msg, uint32_t content,
		       uint32_t meta, int has_time, int64_t sec, int32_t nsec, int *keep,
		       int *is_error, int *unknown)
{
	struct fy_chatgpt_map *m = c->m;
	const struct fy_jdoc *d = c->d;
	uint32_t ct = fy_json_get(d, content, "content_type"), parts, k, el, v;
	const char *msgid;
	size_t msgidlen;
	int cites_done = 0;

	v = fy_json_get(d, msg, "id");
	if (is_str(d, v)) {
		msgid = fy_json_raw(d, v, &msgidlen);
	} else {
		msgid = node_id(m, self);
		msgidlen = strlen(msgid);
	}
	if (!is_str(d, ct))
		return conv_fail(c, self, "the message's content has no 'content_type' string");
	*keep = !maps_exactly(d, ct);
	if (citations(c, meta) < 0)
		return -1;
	parts = fy_json_get(d, content, "parts");
	if (str_is(d, ct, "text") || str_is(d, ct, "multimodal_text")) {
		if (fy_json_type(d, parts) != FY_JARRAY)
			return conv_fail(c, self, "'content.parts' is not an array");
		FY_JSON_FOREACH(d, parts, k, el) {
			uint32_t pct, ptr;

			if (is_str(d, el)) {
				if (part_text(c, el, &cites_done) < 0)
					return -1;
				continue;
			}
			if (is_nothing(d, el))
				continue;
			pct = fy_json_get(d, el, "content_type");
			ptr = fy_json_get(d, el, "asset_pointer");
			if (str_is(d, pct, "image_asset_pointer") && is_str(d, ptr)) {
				if (part_asset(c, self, "image", ptr, el) < 0)
					return -1;
			} else if (str_is(d, pct, "audio_asset_pointer") && is_str(d, ptr)) {
				if (part_asset(c, self, "audio", ptr, el) < 0)
					return -1;
			} else if (str_is(d, pct, "audio_transcription") &&
				   is_str(d, fy_json_get(d, el, "text"))) {
				if (part_text(c, fy_json_get(d, el, "text"), &cites_done) < 0)
					return -1;
			} else {
				if (part_other(c, pct, "chatgpt.part", el) < 0)
					return -1;
				*unknown = 1;
			}
		}
	} else if (str_is(d, ct, "code")) {
		uint32_t lang = fy_json_get(d, content, "language");
		struct jw w;
		size_t n;
		const char *s;

		v = fy_json_get(d, content, "text");
		if (!is_str(d, v))
			return conv_fail(c, self, "code content has no 'text' string");
		s = fy_json_raw(d, v, &n);
		if (part_begin(c, &w) < 0)
			return -1;
		jw_lit(&w, "type", "code");
		if (is_str(d, lang) && !str_is(d, lang, "unknown"))
			jw_jstr(&w, "language", d, lang);
		jw_raw(&w, "code", s, n);
		if (part_end(c, &w, v) < 0)
			return -1;
		if (!is_nothing(d, fy_json_get(d, content, "response_format_name")))
			*keep = 1;
	} else if (str_is(d, ct, "execution_output")) {
		uint32_t agg, msgs;

		v = fy_json_get(d, content, "text");
		if (!is_str(d, v))
			return conv_fail(c, self, "execution_output content has no 'text' string");
		if (part_field(c, "code_output", "output", v) < 0)
			return -1;
		/* images the code produced */
		agg = fy_json_get(d, meta, "aggregate_result");
		msgs = fy_json_get(d, agg, "messages");
		if (fy_json_type(d, msgs) == FY_JARRAY)
			FY_JSON_FOREACH(d, msgs, k, el) {
				uint32_t url = fy_json_get(d, el, "image_url");

				if (str_is(d, fy_json_get(d, el, "message_type"), "image") && is_str(d, url) &&
				    part_asset(c, self, "image", url, el) < 0)
					return -1;
			}
	} else if (str_is(d, ct, "tether_browsing_display")) {
		v = fy_json_get(d, content, "result");
		if (is_str(d, v) && part_text(c, v, &cites_done) < 0)
			return -1;
	} else if (str_is(d, ct, "tether_quote")) {
		uint32_t url = fy_json_get(d, content, "url");
		struct jw w;

		v = fy_json_get(d, content, "text");
		if (is_str(d, v) && part_text(c, v, &cites_done) < 0)
			return -1;
		if (is_str(d, url)) {
			if (part_begin(c, &w) < 0)
				return -1;
			cite_fields(&w, d, url, fy_json_get(d, content, "title"), NONE, NONE, NONE);
			if (part_end(c, &w, NONE) < 0)
				return -1;
		}
	} else if (str_is(d, ct, "thoughts")) {
		uint32_t list = fy_json_get(d, content, "thoughts");

		if (fy_json_type(d, list) == FY_JARRAY)
			FY_JSON_FOREACH(d, list, k, el) {
				uint32_t sum = fy_json_get(d, el, "summary"), body = fy_json_get(d, el, "content");

				if (is_str(d, sum) && !str_empty(d, sum) &&
				    part_reasoning(c, "summary", sum) < 0)
					return -1;
				if (is_str(d, body) && part_reasoning(c, "plain", body) < 0)
					return -1;
			}
	} else if (str_is(d, ct, "reasoning_recap")) {
		v = fy_json_get(d, content, "content");
		if (is_str(d, v)) {
			if (part_reasoning(c, "summary", v) < 0)
				return -1;
		} else if (!is_nothing(d, v)) {
			return conv_fail(c, self, "reasoning_recap 'content' is not a string");
		}
	} else if (str_is(d, ct, "system_error")) {
		v = fy_json_get(d, content, "text");
		if (is_str(d, v) && part_text(c, v, &cites_done) < 0)
			return -1;
		*is_error = 1;
	} else if (str_is(d, ct, "user_editable_context")) {
		uint32_t prof = fy_json_get(d, content, "user_profile");
		uint32_t inst = fy_json_get(d, content, "user_instructions");

		if (is_str(d, prof) && !str_empty(d, prof)) {
			if (part_text(c, prof, &cites_done) < 0 || decode(c, prof) < 0 ||
			    memory(c, self, "about-user", "profile", "about_user", m->scratch.ptr,
				   m->scratch.len, has_time, sec, nsec, msgid, msgidlen) < 0)
				return -1;
		}
		if (is_str(d, inst) && !str_empty(d, inst)) {
			if (part_text(c, inst, &cites_done) < 0 || decode(c, inst) < 0 ||
			    memory(c, self, "about-model", "profile", "about_model", m->scratch.ptr,
				   m->scratch.len, has_time, sec, nsec, msgid, msgidlen) < 0)
				return -1;
		}
	} else if (str_is(d, ct, "model_editable_context")) {
		v = fy_json_get(d, content, "model_set_context");
		if (is_str(d, v) && !str_empty(d, v)) {
			if (part_text(c, v, &cites_done) < 0 ||
			    memories_from_context(c, self, v, has_time, sec, nsec, msgid, msgidlen) < 0)
				return -1;
		}
	} else {
		if (part_other(c, ct, "chatgpt", content) < 0)
			return -1;
		*keep = 0;
		*unknown = 1;
	}
	/* citations with no text part to ride on stand alone (one entry, comma-separated) */
	if (!cites_done && m->cites.len) {
		struct jw w;
		struct fy_chatgpt_part *p;

		if (part_begin(c, &w) < 0)
			return -1;
		p = &m->pv[m->npv - 1];
		m->parts.len = p->off;
		/* the citation parts themselves: the prepared array's elements */
		if (fy_buf_add(&m->parts, m->cites.ptr + 1, m->cites.len - 2, c->err) < 0)
			return -1;
		p->len = m->parts.len - p->off;
	}
	return attachments(c, self, meta);
}

/*
 * A record may hold 16 MiB (SPEC.md, limits). When a message's parts come
 * near that, each long text goes into a blob of its own (UTF-8 bytes) and
 * the part becomes a text/plain file part pointing at it; the ledger says
 * so. Returns 1 when it spilled (the caller then leaves the verbatim ext
 * copies out), 0 when the parts fit, -1 on an error.
 */
#define RECORD_ROOM ((size_t)12 << 20)
#define TEXT_INLINE_MAX ((size_t)256 << 10)

static int spill_parts(struct conv *c, uint32_t self)
{
	struct fy_chatgpt_map *m = c->m;
	struct fy_buf np = FY_BUF_INIT((size_t)1 << 30);
	size_t i, spilled = 0;
	int rc = -1;

	if (m->parts.len < RECORD_ROOM)
		return 0;
	for (i = 0; i < m->npv; i++) {
		struct fy_chatgpt_part *p = &m->pv[i];
		size_t off = np.len, at;
		struct jw w;

		if (!p->textual || p->rawlen <= TEXT_INLINE_MAX) {
			if (fy_buf_add(&np, m->parts.ptr + p->off, p->len, c->err) < 0)
				goto out;
			p->off = off;
			continue;
		}
		at = fy_recq_mark(c->q);
		if (fy_json_str(c->d, p->text, &c->q->buf, c->err) < 0 ||
		    fy_recq_push_blob(c->q, at, c->err) < 0)
			goto out;
		jw_open(&w, &np, c->err);
		jw_obj(&w, NULL);
		jw_lit(&w, "type", "file");
		jw_lit(&w, "blob", c->q->ents[c->q->n - 1].hex);
		jw_lit(&w, "name", "text.txt");
		jw_lit(&w, "media_type", "text/plain; charset=utf-8");
		jw_int(&w, "size", (int64_t)c->q->ents[c->q->n - 1].len);
		jw_end(&w, '}');
		if (jw_done(&w) < 0)
			goto out;
		p->off = off;
		p->len = np.len - off;
		p->textual = 0;	/* a call's arguments or a result's output stay in the blob */
		spilled++;
	}
	fy_buf_release(&m->parts);
	m->parts = np;
	np.ptr = NULL;
	rc = spilled > 0;
	if (spilled) {
		char why[200];

		snprintf(why, sizeof(why),
			 "%zu text part(s) too long for one record were stored as text/plain blobs; the verbatim ext copies were left out",
			 spilled);
		if (ledger(c, "message", node_id(m, self), "parts", "transformed", "text-in-blob", why) < 0)
			rc = -1;
	}
out:
	fy_buf_release(&np);
	return rc;
}

/* Write the folded text of the textual parts as one string (joined by blank lines). */
static void fold_text(struct fy_chatgpt_map *m, struct jw *w, const char *key)
{
	size_t i;
	int first = 1;

	jw_raw_begin(w, key);
	for (i = 0; i < m->npv; i++) {
		if (!m->pv[i].textual)
			continue;
		if (!first)
			jw_raw_piece(w, "\\n\\n", 4);
		jw_raw_piece(w, m->pv[i].raw, m->pv[i].rawlen);
		first = 0;
	}
	jw_raw_finish(w);
}

/* The call this tool message answers: nearest earlier call to the same tool on its branch. */
static uint32_t find_call(struct fy_chatgpt_map *m, const struct fy_jdoc *d, uint32_t self)
{
	const struct fy_chatgpt_node *me = &m->nodes[self];
	uint32_t a = m->tree.eff[self], hops;

	for (hops = 0; a != NONE && hops < 16; hops++, a = m->tree.eff[a]) {
		const struct fy_chatgpt_node *an = &m->nodes[a];

		if (an->role == R_USER)
			break;
		if (an->recipient == NONE)
			continue;
		if (me->name == NONE)
			return a;
		{
			size_t n1, n2;
			const char *s1 = fy_json_raw(d, an->recipient, &n1);
			const char *s2 = fy_json_raw(d, me->name, &n2);

			if (n1 == n2 && memcmp(s1, s2, n1) == 0)
				return a;
		}
	}
	return NONE;
}

static int emit_message(struct conv *c, uint32_t self)
{
	struct fy_chatgpt_map *m = c->m;
	const struct fy_jdoc *d = c->d;
	struct fy_chatgpt_node *nd = &m->nodes[self];
	uint32_t msg = nd->msg, content, meta, v, status, author, amd, channel, callnode;
	int64_t cs = 0, us = 0;
	int32_t cn = 0, un = 0;
	int has_c, has_u, keep = 0, is_error = 0, unknown = 0, call, result, spilled;
	size_t at, i, msgidlen;
	const char *msgid;
	struct jw w;

	has_c = opt_time(c, msg, "create_time", self, &cs, &cn);
	has_u = opt_time(c, msg, "update_time", self, &us, &un);
	if (has_c < 0 || has_u < 0)
		return -1;
	if (opt_obj(c, msg, "metadata", self, &meta) < 0 || opt_str(c, msg, "status", self, &status) < 0 ||
	    opt_str(c, msg, "channel", self, &channel) < 0)
		return -1;
	content = fy_json_get(d, msg, "content");
	if (!is_obj(d, content))
		return conv_fail(c, self, "the message has no 'content' object");
	v = fy_json_get(d, msg, "id");
	if (!is_nothing(d, v) && !is_str(d, v))
		return conv_fail(c, self, "the message's 'id' is not a string");
	if (is_str(d, v)) {
		msgid = fy_json_raw(d, v, &msgidlen);
	} else {
		msgid = node_id(m, self);
		msgidlen = strlen(msgid);
	}
	fy_buf_reset(&m->parts);
	m->npv = 0;
	m->nseen = 0;
	if (map_content(c, self, msg, content, meta, has_c, cs, cn, &keep, &is_error, &unknown) < 0)
		return -1;
	spilled = spill_parts(c, self);
	if (spilled < 0)
		return -1;
	call = nd->recipient != NONE;
	/* a tool message answers a call; one that answers none keeps its parts as they are */
	callnode = !call && nd->role == R_TOOL ? find_call(m, d, self) : NONE;
	result = callnode != NONE;

	at = fy_recq_mark(c->q);
	jw_open(&w, &c->q->buf, c->err);
	jw_obj(&w, NULL);
	jw_lit(&w, "kind", "message");
	jw_lit(&w, "id", node_id(m, self));
	jw_lit(&w, "thread", c->tid);
	if (m->tree.eff[self] == NONE)
		jw_null(&w, "parent");
	else
		jw_lit(&w, "parent", node_id(m, m->tree.eff[self]));
	jw_lit(&w, "role", role_names[nd->role]);
	if (nd->name != NONE) {
		jw_obj(&w, "author");
		jw_jstr(&w, "name", d, nd->name);
		jw_end(&w, '}');
	}
	v = fy_json_get(d, meta, "model_slug");
	if (is_str(d, v) && !str_empty(d, v))
		jw_jstr(&w, "model", d, v);
	if (status != NONE)
		jw_jstr(&w, "status", d, status);
	if (has_c)
		jw_time(&w, "created", cs, cn);
	if (has_u)
		jw_time(&w, "updated", us, un);
	jw_arr(&w, "parts");
	if (call) {
		jw_obj(&w, NULL);
		jw_lit(&w, "type", "tool_call");
		jw_raw(&w, "id", msgid, msgidlen);
		jw_jstr(&w, "name", d, nd->recipient);
		jw_lit(&w, "tool_type", tool_type(d, nd->recipient));
		fold_text(m, &w, "arguments");
		jw_end(&w, '}');
	} else if (result) {
		jw_obj(&w, NULL);
		jw_lit(&w, "type", "tool_result");
		v = fy_json_get(d, m->nodes[callnode].msg, "id");
		if (is_str(d, v))
			jw_jstr(&w, "call_id", d, v);
		else
			jw_lit(&w, "call_id", node_id(m, callnode));
		if (nd->name != NONE)
			jw_jstr(&w, "name", d, nd->name);
		fold_text(m, &w, "output");
		if (is_error)
			jw_bool(&w, "is_error", 1);
		jw_end(&w, '}');
	}
	for (i = 0; i < m->npv; i++) {
		if ((call || result) && m->pv[i].textual)
			continue;
		jw_json(&w, NULL, m->parts.ptr + m->pv[i].off, m->pv[i].len);	/* a part, as built */
	}
	jw_end(&w, ']');
	jw_obj(&w, "source");
	jw_lit(&w, "adapter", ADAPTER);
	jw_raw(&w, "id", msgid, msgidlen);
	jw_end(&w, '}');
	jw_obj(&w, "ext");
	jw_obj(&w, ADAPTER);
	{
		size_t kn;
		const char *ks = fy_keymap_key(&m->keys, self, &kn);

		if (kn != msgidlen || memcmp(ks, msgid, msgidlen) != 0 || strcmp(node_id(m, self), ks) != 0)
			jw_str(&w, "node", ks, kn);
	}
	jw_jstr(&w, "content_type", d, fy_json_get(d, content, "content_type"));
	if (nd->role == R_OTHER)
		jw_jstr(&w, "role", d, fy_json_get(d, fy_json_get(d, msg, "author"), "role"));
	v = fy_json_get(d, msg, "recipient");
	if (is_str(d, v) && !str_is(d, v, "all"))
		jw_jstr(&w, "recipient", d, v);
	if (channel != NONE)
		jw_jstr(&w, "channel", d, channel);
	v = fy_json_get(d, msg, "end_turn");
	if (!is_nothing(d, v))
		jw_node(&w, "end_turn", d, v);
	v = fy_json_get(d, msg, "weight");
	if (!is_nothing(d, v))
		jw_node(&w, "weight", d, v);
	if (meta != NONE && fy_json_len(d, meta) && !spilled)
		jw_node(&w, "metadata", d, meta);
	author = fy_json_get(d, msg, "author");
	amd = fy_json_get(d, author, "metadata");
	if (is_obj(d, amd) && fy_json_len(d, amd))
		jw_node(&w, "author_metadata", d, amd);
	if (!spilled && (keep || (call && !str_is(d, fy_json_get(d, content, "content_type"), "text"))))
		jw_node(&w, "content", d, content);
	jw_end(&w, '}');
	jw_end(&w, '}');
	jw_end(&w, '}');
	if (jw_done(&w) < 0)
		return -1;
	if (fy_recq_push(c->q, at, FY_ITEM_RECORD, FY_KIND_MESSAGE, c->err) < 0)
		return -1;
	m->messages++;
	if (nd->role == R_OTHER) {
		char why[200];
		size_t n;
		const char *s = fy_json_raw(d, fy_json_get(d, author, "role"), &n);

		snprintf(why, sizeof(why), "author role '%.*s' has no neutral equivalent; written as assistant",
			 (int)(n > 60 ? 60 : n), s);
		if (ledger(c, "message", node_id(m, self), "role", "transformed", "unknown-role", why) < 0)
			return -1;
	}
	if (unknown) {
		char why[200];
		size_t n;
		const char *s = fy_json_raw(d, fy_json_get(d, content, "content_type"), &n);

		snprintf(why, sizeof(why),
			 "content type '%.*s' has no neutral part type; kept verbatim as an 'other' part",
			 (int)(n > 60 ? 60 : n), s);
		if (ledger(c, "message", node_id(m, self), "parts", "warning", "unknown-content-type",
			   why) < 0)
			return -1;
	}
	return 0;
}

/* --- the conversation --------------------------------------------------- */

static int is_thread_field(const struct fy_jdoc *d, uint32_t key)
{
	static const char *const known[] = { "mapping", "title", "create_time", "update_time",
					     "current_node", "id", "is_archived" };
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (str_is(d, key, known[i]))
			return 1;
	return 0;
}

static int emit_thread(struct conv *c, uint32_t root, uint32_t leaf)
{
	const struct fy_jdoc *d = c->d;
	struct fy_chatgpt_map *m = c->m;
	uint32_t title = fy_json_get(d, root, "title"), v, k, key, val;
	int64_t cs, us;
	int32_t cn, un;
	int has_c, has_u;
	size_t at = fy_recq_mark(c->q);
	struct fy_jw_mark extat;
	struct jw w;

	has_c = opt_time(c, root, "create_time", NONE, &cs, &cn);
	has_u = opt_time(c, root, "update_time", NONE, &us, &un);
	if (has_c < 0 || has_u < 0)
		return -1;
	if (!is_nothing(d, title) && !is_str(d, title))
		return conv_fail(c, NONE, "'title' is not a string");
	v = fy_json_get(d, root, "is_archived");
	if (!is_nothing(d, v) && fy_json_type(d, v) != FY_JTRUE && fy_json_type(d, v) != FY_JFALSE)
		return conv_fail(c, NONE, "'is_archived' is not true or false");
	jw_open(&w, &c->q->buf, c->err);
	jw_obj(&w, NULL);
	jw_lit(&w, "kind", "thread");
	jw_lit(&w, "id", c->tid);
	if (is_str(d, title))
		jw_jstr(&w, "title", d, title);
	if (has_c)
		jw_time(&w, "created", cs, cn);
	if (has_u)
		jw_time(&w, "updated", us, un);
	if (leaf != NONE)
		jw_lit(&w, "active_leaf", node_id(m, leaf));
	if (fy_json_type(d, v) == FY_JTRUE)
		jw_bool(&w, "archived", 1);
	jw_obj(&w, "source");
	jw_lit(&w, "adapter", ADAPTER);
	jw_raw(&w, "id", c->cid, c->cidlen);
	jw_str(&w, "path", m->path, strlen(m->path));
	jw_end(&w, '}');
	fy_jw_mark(&w.j, &extat);
	jw_obj(&w, "ext");
	jw_obj(&w, ADAPTER);
	FY_JSON_FOREACH_MEMBER(d, root, k, key, val) {
		if (is_thread_field(d, key) || is_nothing(d, val))
			continue;
		if (str_is(d, key, "conversation_id") && is_str(d, val)) {
			size_t n;
			const char *s = fy_json_raw(d, val, &n);

			if (n == c->cidlen && memcmp(s, c->cid, n) == 0)
				continue;
		}
		/* keys are plain ASCII in practice; keep any as written */
		{
			size_t kn;
			const char *ks = fy_json_raw(d, key, &kn);

			fy_jw_rawkey(&w.j, ks, kn);
			fy_jw_node(&w.j, d, val);
		}
	}
	if (fy_jw_empty(&w.j)) {
		fy_jw_rewind(&w.j, &extat);	/* nothing provider-only: no ext at all */
	} else {
		jw_end(&w, '}');
		jw_end(&w, '}');
	}
	jw_end(&w, '}');
	if (jw_done(&w) < 0)
		return -1;
	return fy_recq_push(c->q, at, FY_ITEM_RECORD, FY_KIND_THREAD, c->err);
}

int fy_chatgpt_map_conversation(struct fy_chatgpt_map *m, const char *json, size_t len,
				struct fy_recq *out, struct fy_error *err)
{
	if (!m->path)
		m->path = "conversations.json";
	if (fy_jdoc_parse(&m->doc, json, len, 0, err) < 0)
		return fy_error_prefix(err, "%s: conversation %llu", m->path, (unsigned long long)m->index);
	return fy_chatgpt_map_doc(m, out, err);
}

int fy_chatgpt_map_doc(struct fy_chatgpt_map *m, struct fy_recq *out, struct fy_error *err)
{
	struct conv c;
	const struct fy_jdoc *d = &m->doc;
	uint32_t root, idv, mapping, cur, leaf = NONE, i, *order;
	size_t n;

	memset(&c, 0, sizeof(c));
	c.m = m;
	c.d = d;
	c.q = out;
	c.err = err;
	if (!m->path)
		m->path = "conversations.json";
	root = 0;
	if (!is_obj(d, root))
		return conv_fail(&c, NONE, "not a JSON object");
	idv = fy_json_get(d, root, "id");
	if (!is_str(d, idv))
		idv = fy_json_get(d, root, "conversation_id");
	if (!is_str(d, idv) || str_empty(d, idv))
		return conv_fail(&c, NONE, "no 'id' or 'conversation_id' string");
	c.cid = fy_json_raw(d, idv, &c.cidlen);
	if (fy_json_has_escapes(d, idv)) {
		if (decode(&c, idv) < 0)
			return -1;
		fy_id_make(m->scratch.ptr, m->scratch.len, c.tid);
	} else {
		fy_id_make(c.cid, c.cidlen, c.tid);
	}
	mapping = fy_json_get(d, root, "mapping");
	if (!is_obj(d, mapping))
		return conv_fail(&c, NONE, "'mapping' is not an object");
	if (build_nodes(&c, mapping) < 0)
		return -1;
	if (fy_tree_order(&m->tree, &i) < 0)
		return conv_fail(&c, i, "the mapping has a cycle through this node");
	order = m->tree.order;
	cur = fy_json_get(d, root, "current_node");
	if (!is_nothing(d, cur) && !is_str(d, cur))
		return conv_fail(&c, NONE, "'current_node' is not a string");
	if (is_str(d, cur)) {
		const char *s;

		if (decode(&c, cur) < 0)
			return -1;
		s = m->scratch.ptr;
		n = m->scratch.len;
		leaf = fy_keymap_find(&m->keys, s, n);
		if (leaf != NONE && m->nodes[leaf].msg == NONE)
			leaf = m->tree.eff[leaf];
		if (leaf == NONE && n) {
			char why[300];

			snprintf(why, sizeof(why), "current_node '%.*s' %s; the active leaf is not marked",
				 (int)(n > 80 ? 80 : n), s,
				 fy_keymap_find(&m->keys, s, n) == NONE ? "is not in the mapping" : "has no message");
			if (ledger(&c, "thread", c.tid, "active_leaf", "degraded", "no-active-leaf", why) < 0)
				return -1;
		}
	}
	if (emit_thread(&c, root, leaf) < 0)
		return -1;
	for (i = 0; i < m->nnodes; i++) {
		uint32_t j = order[i];
		struct fy_chatgpt_node *nd = &m->nodes[j];

		if (nd->msg != NONE) {
			if (emit_message(&c, j) < 0)
				return -1;
		} else if (m->tree.parent[j] != NONE) {
			char why[300];

			snprintf(why, sizeof(why),
				 "node '%.*s' of conversation '%.*s' has no message; its children were attached to its nearest ancestor with one",
				 (int)(m->keys.len[j] > 80 ? 80 : m->keys.len[j]), fy_keymap_key(&m->keys, j, NULL),
				 (int)(c.cidlen > 80 ? 80 : c.cidlen), c.cid);
			if (ledger(&c, "message", node_id(m, j), NULL, "transformed", "empty-node", why) < 0)
				return -1;
		}
	}
	m->conversations++;
	return 0;
}

void fy_chatgpt_map_init(struct fy_chatgpt_map *m)
{
	memset(m, 0, sizeof(*m));
	fy_jdoc_init(&m->doc);
	fy_idset_init(&m->memory_ids, 1000000);
	fy_keymap_init(&m->keys);
	fy_tree_init(&m->tree);
	fy_buf_init(&m->arena, (size_t)1 << 30);
	fy_buf_init(&m->parts, (size_t)1 << 30);
	fy_buf_init(&m->cites, (size_t)1 << 30);
	fy_buf_init(&m->scratch, (size_t)1 << 30);
}

void fy_chatgpt_map_release(struct fy_chatgpt_map *m)
{
	if (!m)
		return;
	fy_jdoc_release(&m->doc);
	fy_idset_release(&m->memory_ids);
	free(m->nodes);
	fy_keymap_release(&m->keys);
	fy_tree_release(&m->tree);
	free(m->pv);
	fy_buf_release(&m->arena);
	fy_buf_release(&m->parts);
	fy_buf_release(&m->cites);
	fy_buf_release(&m->scratch);
	memset(m, 0, sizeof(*m));
}
