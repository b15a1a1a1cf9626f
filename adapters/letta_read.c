/*
 * letta_read.c - the pure mapping from a Letta agent file to neutral
 * records (no I/O: records, blobs and ledger lines go to callbacks).
 *
 * Both published layouts are read (see letta_af.c for the sources):
 *  - current (AgentFileSchema): top-level agents, groups, blocks, files,
 *    sources, tools, mcp_servers, metadata, created_at; entities carry
 *    file-local ids ("agent-0", "block-1", "message-7") that reference
 *    each other;
 *  - legacy (the 0.6 single-agent file): the agent's fields at the top,
 *    core_memory, messages, in_context_message_indices, tools, tool_rules,
 *    llm_config, embedding_config; no ids. The mapping gives its entities
 *    the file-local ids Letta's exporter would ("agent-0", "block-0",
 *    "tool-0", "message-0"), so a legacy file and the current file ferry
 *    writes from it give the same records.
 *
 * Ids are chosen to survive a write and a re-read: agents and tools by
 * name, blocks by agent and label ("memgpt_agent.human"), messages by
 * position ("msg-0"), one thread per agent ("<agent>.history"). The
 * file-local id is kept in source.id. Every field without a neutral
 * field goes to ext.letta-af with null values dropped (Letta's schema
 * defaults every optional field to null); secrets become {"$secret": NAME}.
 */
#include "letta.h"
#include "idset.h"
#include "ledger.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ent {
	uint32_t node;
	char fid[64];			/* the file-local id */
	char id[FY_ID_MAX + 1];		/* the ferry id */
	int skip;			/* the same tool was emitted from an earlier file */
	int owner;			/* blocks: the first agent that uses it, or -1 */
};

struct af {
	const struct fy_jdoc *d;
	const char *fname;
	int legacy;
	struct ent *agents, *blocks, *tools, *mcp, *sources, *files, *groups;
	size_t nagents, nblocks, ntools, nmcp, nsources, nfiles, ngroups;
	struct lr_ids *ids;
	const struct lr_emit *out;
	struct fy_buf rec, tmp, led, bin;
	struct fy_error *err;
};

__attribute__((format(printf, 3, 4)))
static int bad(struct af *a, const char *path, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!a->fname[0])
		return fy_error_set(a->err, FY_E_DATA, "%s: %s", path, msg);
	return fy_error_set(a->err, FY_E_DATA, "%s: %s: %s", a->fname, path, msg);
}

/* The string member key of obj, decoded into b (borrowed), or NULL. */
static const char *sget(struct af *a, uint32_t obj, const char *key, struct fy_buf *b)
{
	uint32_t v = letta_get(a->d, obj, key);

	if (fy_json_type(a->d, v) != FY_JSTRING)
		return NULL;
	fy_buf_reset(b);
	if (fy_json_str(a->d, v, b, NULL) < 0)
		return NULL;
	return b->ptr ? b->ptr : "";
}

/* An export ledger line (formats/schema/ledger.json, through ledger.h). */
static int ledger_t(struct af *a, enum fy_kind kind, const char *id, const char *thread,
		    const char *field, enum fy_outcome o, const char *rule, const char *reason)
{
	struct fy_ledger_item item = { kind, id, thread, field };

	fy_buf_reset(&a->led);
	if (fy_ledger_format(&a->led, &item, o, rule, reason, LETTA_ADAPTER, "export", a->err) < 0)
		return -1;
	return a->out->ledger(a->out->cb, a->led.ptr, a->led.len, a->err);
}

static int ledger(struct af *a, enum fy_kind kind, const char *id, const char *field,
		  enum fy_outcome o, const char *rule, const char *reason)
{
	return ledger_t(a, kind, id, NULL, field, o, rule, reason);
}

static int emit(struct af *a, struct fy_jw *j)
{
	if (fy_jw_finish(j, a->err) < 0)
		return -1;
	return a->out->record(a->out->cb, a->rec.ptr, a->rec.len, a->err);
}

static void begin(struct af *a, struct fy_jw *j, const char *kind, const char *id)
{
	fy_buf_reset(&a->rec);
	fy_jw_init(j, &a->rec);
	fy_jw_obj(j);
	fy_jw_key(j, "kind");
	fy_jw_str(j, kind);
	fy_jw_key(j, "id");
	fy_jw_str(j, id);
}

static void src(struct fy_jw *j, const char *fid)
{
	fy_jw_key(j, "source");
	fy_jw_obj(j);
	fy_jw_key(j, "adapter");
	fy_jw_str(j, LETTA_ADAPTER);
	if (fid) {
		fy_jw_key(j, "id");
		fy_jw_str(j, fid);
	}
	fy_jw_end(j);
}

static void ext_open(struct fy_jw *j)
{
	fy_jw_key(j, "ext");
	fy_jw_obj(j);
	fy_jw_key(j, LETTA_ADAPTER);
	fy_jw_obj(j);
}

static void ext_close(struct fy_jw *j)
{
	fy_jw_end(j);
	fy_jw_end(j);
}

/* --- entities and ids -------------------------------------------------- */

static int collect(struct af *a, const char *key, struct ent **out, size_t *n)
{
	const struct fy_jdoc *d = a->d;
	uint32_t arr = fy_json_get(d, 0, key), k, el;
	char path[96];

	*n = 0;
	*out = calloc(fy_json_len(d, arr) + 1, sizeof(**out));
	if (!*out)
		return fy_error_set(a->err, FY_E_NOMEM, "out of memory");
	if (arr == FY_JNONE || fy_json_type(d, arr) == FY_JNULL)
		return 0;
	if (fy_json_type(d, arr) != FY_JARRAY)
		return bad(a, key, "not an array");
	FY_JSON_FOREACH(d, arr, k, el) {
		uint32_t id = fy_json_get(d, el, "id");
		struct ent *e = &(*out)[k];
		size_t len, i;
		const char *s;

		snprintf(path, sizeof(path), "%s[%u]", key, k);
		if (fy_json_type(d, el) != FY_JOBJECT)
			return bad(a, path, "not an object");
		if (fy_json_type(d, id) != FY_JSTRING)
			return bad(a, path, "'id' is missing or not a string");
		s = fy_json_raw(d, id, &len);
		if (len == 0 || len >= sizeof(e->fid) || fy_json_has_escapes(d, id))
			return bad(a, path, "'id' is not a file-local id such as \"agent-0\"");
		memcpy(e->fid, s, len);
		e->fid[len] = '\0';
		e->node = el;
		e->owner = -1;
		for (i = 0; i < k; i++)
			if (strcmp((*out)[i].fid, e->fid) == 0)
				return bad(a, path, "id '%s' appears twice", e->fid);
		(*n)++;
	}
	return 0;
}

/* Index of the entity whose file-local id is the string node str, or -1. */
static int find(const struct ent *v, size_t n, const struct fy_jdoc *d, uint32_t str)
{
	size_t i, len;
	const char *s;

	if (fy_json_type(d, str) != FY_JSTRING)
		return -1;
	s = fy_json_raw(d, str, &len);
	for (i = 0; i < n; i++)
		if (strlen(v[i].fid) == len && memcmp(v[i].fid, s, len) == 0)
			return (int)i;
	return -1;
}

/* base, or base-2, base-3, ... : the first not in set. */
static void free_id(const struct letta_strs *set, const char *base, char *out)
{
	unsigned k;

	snprintf(out, FY_ID_MAX + 1, "%s", base);
	for (k = 2; letta_strs_has(set, out); k++) {
		char sfx[16];
		size_t bl = strlen(base), sl;

		sl = (size_t)snprintf(sfx, sizeof(sfx), "-%u", k);
		if (bl + sl > FY_ID_MAX)
			bl = FY_ID_MAX - sl;
		memcpy(out, base, bl);
		memcpy(out + bl, sfx, sl + 1);
	}
}

static int take_id(struct af *a, struct letta_strs *set, const char *base, char *out)
{
	free_id(set, base, out);
	return letta_strs_add(set, out, a->err);
}

/* prefix + a ferry id made of the string member key (or fallback). */
static void id_base(struct af *a, uint32_t obj, const char *key, const char *fallback,
		    const char *prefix, char *out)
{
	const char *s = sget(a, obj, key, &a->tmp);
	char part[FY_ID_MAX + 1];

	letta_id_from(s ? s : "", s ? strlen(s) : 0, fallback, FY_ID_MAX - 8 - strlen(prefix), part);
	snprintf(out, FY_ID_MAX + 1, "%s%s", prefix, part);
}

/* "created"/"updated" from a Letta time member; error when it is not a time. */
static int time_member(struct af *a, struct fy_jw *j, uint32_t obj, const char *key,
		       const char *as, const char *path)
{
	uint32_t v = letta_get(a->d, obj, key);
	char t[48];
	size_t len;
	const char *s;

	if (v == FY_JNONE)
		return 0;
	if (fy_json_type(a->d, v) != FY_JSTRING)
		return bad(a, path, "'%s' is not a time", key);
	s = fy_json_raw(a->d, v, &len);
	if (letta_time_to_utc(s, len, t) < 0)
		return bad(a, path, "'%s' is not a time: '%.*s'", key, (int)(len > 40 ? 40 : len), s);
	if (as) {
		fy_jw_key(j, as);
		fy_jw_str(j, t);
	}
	return 0;
}

/* What every record ends with: its times, metadata and source, then ext.letta-af opens. */
static int tail_open_ext(struct af *a, struct fy_jw *j, uint32_t node, uint32_t md, const char *fid,
			 const char *path)
{
	if (time_member(a, j, node, "created_at", "created", path) < 0 ||
	    time_member(a, j, node, "updated_at", "updated", path) < 0)
		return -1;
	if (md != FY_JNONE) {
		fy_jw_key(j, "metadata");
		fy_jw_node(j, a->d, md);
	}
	src(j, fid);
	ext_open(j);
	return 0;
}

static void str_member(struct af *a, struct fy_jw *j, uint32_t obj, const char *key, const char *as)
{
	uint32_t v = letta_get(a->d, obj, key);

	if (fy_json_type(a->d, v) == FY_JSTRING) {
		fy_jw_key(j, as);
		fy_jw_node(j, a->d, v);
	}
}

/* Refuse a member that is neither absent, null nor of type t. */
static int expect(struct af *a, uint32_t obj, const char *key, enum fy_jtype t, const char *what,
		  const char *path)
{
	uint32_t v = letta_get(a->d, obj, key);

	if (v == FY_JNONE || fy_json_type(a->d, v) == t)
		return 0;
	if (t == FY_JTRUE && fy_json_type(a->d, v) == FY_JFALSE)
		return 0;
	return bad(a, path, "'%s' is not %s", key, what);
}

/* --- tools and MCP servers ---------------------------------------------- */

static const char *const tool_skip[] = { "id", "name", "description", "json_schema", "source_code",
					 "created_at", "updated_at", "metadata_", NULL };
static const char *const tool_skip_code[] = { "id", "name", "description", "json_schema", "source_code",
					      "created_at", "updated_at", "metadata_", "source_type", NULL };

static int tool_record(struct af *a, const struct ent *e, const char *id, const char *path)
{
	const struct fy_jdoc *d = a->d;
	uint32_t t = e->node, js = letta_get(d, t, "json_schema"), code = letta_get(d, t, "source_code");
	uint32_t md = letta_get(d, t, "metadata_"), desc = letta_get(d, t, "description");
	uint32_t name = letta_get(d, t, "name"), k, key, val;
	const char *ty = sget(a, t, "tool_type", &a->tmp);
	const char *type = "function";
	struct fy_jw j;
	int extra = 0;

	if (expect(a, t, "json_schema", FY_JOBJECT, "an object", path) < 0 ||
	    expect(a, t, "source_code", FY_JSTRING, "a string", path) < 0 ||
	    expect(a, t, "name", FY_JSTRING, "a string", path) < 0 ||
	    expect(a, t, "description", FY_JSTRING, "a string", path) < 0 ||
	    expect(a, t, "metadata_", FY_JOBJECT, "an object", path) < 0)
		return -1;
	if (ty && strncmp(ty, "letta", 5) == 0)
		type = "builtin";
	else if (ty && strcmp(ty, "external_mcp") == 0)
		type = "mcp";
	begin(a, &j, "tool", id);
	fy_jw_key(&j, "type");
	fy_jw_str(&j, type);
	fy_jw_key(&j, "name");
	if (name != FY_JNONE && !letta_raw_is(d, name, ""))
		fy_jw_node(&j, d, name);
	else
		fy_jw_str(&j, e->fid);
	if (desc != FY_JNONE) {
		fy_jw_key(&j, "description");
		fy_jw_node(&j, d, desc);
	}
	if (fy_json_type(d, letta_get(d, js, "parameters")) == FY_JOBJECT) {
		fy_jw_key(&j, "parameters");
		fy_jw_node(&j, d, letta_get(d, js, "parameters"));
	}
	if (code != FY_JNONE) {
		fy_jw_key(&j, "code");
		fy_jw_obj(&j);
		str_member(a, &j, t, "source_type", "language");
		fy_jw_key(&j, "source");
		fy_jw_node(&j, d, code);
		fy_jw_end(&j);
	}
	if (!strcmp(type, "mcp")) {
		uint32_t m = letta_get(d, md, "mcp");

		fy_jw_key(&j, "mcp");
		fy_jw_obj(&j);
		str_member(a, &j, m, "server_name", "server_label");
		if (name != FY_JNONE) {
			fy_jw_key(&j, "allowed_tools");
			fy_jw_arr(&j);
			fy_jw_node(&j, d, name);
			fy_jw_end(&j);
		}
		fy_jw_end(&j);
	}
	if (tail_open_ext(a, &j, t, md, e->fid, path) < 0)
		return -1;
	letta_jw_members_except(&j, d, t, code != FY_JNONE ? tool_skip_code : tool_skip, 1);
	/* json_schema members the default {name, description, parameters} does not give */
	if (js != FY_JNONE) {
		FY_JSON_FOREACH_MEMBER(d, js, k, key, val) {
			if (letta_raw_is(d, key, "parameters") ||
			    (letta_raw_is(d, key, "name") && letta_same_str(d, val, name)) ||
			    (letta_raw_is(d, key, "description") && letta_same_str(d, val, desc)))
				continue;
			if (!extra) {
				fy_jw_key(&j, "json_schema");
				fy_jw_obj(&j);
				extra = 1;
			}
			letta_jw_member(&j, d, key, val);
		}
		if (extra)
			fy_jw_end(&j);
	}
	ext_close(&j);
	fy_jw_end(&j);
	return fy_jw_finish(&j, a->err);
}

/* An environment-variable style name: upper case, [A-Z0-9_]. */
static void secret_name(const char *a1, const char *a2, char *out, size_t cap)
{
	size_t o = 0;
	const char *parts[2] = { a1, a2 };
	int p;

	for (p = 0; p < 2; p++) {
		const char *s = parts[p];

		if (!s)
			continue;
		if (o && o + 1 < cap)
			out[o++] = '_';
		for (; *s && o + 1 < cap; s++) {
			unsigned char c = (unsigned char)*s;

			if (c >= 'a' && c <= 'z')
				c = (unsigned char)(c - 32);
			else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
				c = '_';
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
}

static const char *const mcp_skip[] = { "id", "server_name", "server_type", "server_url",
					"stdio_config", "token", "custom_headers", "metadata_",
					"env", NULL };

static int mcp_record(struct af *a, const struct ent *e, const char *id, const char *path)
{
	const struct fy_jdoc *d = a->d;
	uint32_t m = e->node, stdio = letta_get(d, m, "stdio_config"), env = letta_get(d, stdio, "env");
	uint32_t hdrs = letta_get(d, m, "custom_headers"), tok = letta_get(d, m, "token");
	uint32_t k, key, val;
	struct fy_buf sname = FY_BUF_INIT(4096);
	const char *server;
	char nm[256];
	struct fy_jw j;
	int rc = -1;

	if (expect(a, m, "server_name", FY_JSTRING, "a string", path) < 0 ||
	    expect(a, m, "stdio_config", FY_JOBJECT, "an object", path) < 0 ||
	    expect(a, m, "custom_headers", FY_JOBJECT, "an object", path) < 0 ||
	    expect(a, m, "metadata_", FY_JOBJECT, "an object", path) < 0 ||
	    expect(a, stdio, "env", FY_JOBJECT, "an object", path) < 0)
		goto out;
	server = sget(a, m, "server_name", &sname);
	if (!server)
		server = e->fid;
	begin(a, &j, "tool", id);
	fy_jw_key(&j, "type");
	fy_jw_str(&j, "mcp");
	fy_jw_key(&j, "name");
	fy_jw_str(&j, server);
	fy_jw_key(&j, "mcp");
	fy_jw_obj(&j);
	fy_jw_key(&j, "server_label");
	fy_jw_str(&j, server);
	str_member(a, &j, m, "server_url", "server_url");
	str_member(a, &j, m, "server_type", "transport");
	if (tok != FY_JNONE || hdrs != FY_JNONE) {
		fy_jw_key(&j, "headers");
		fy_jw_obj(&j);
		if (tok != FY_JNONE) {
			secret_name(server, "TOKEN", nm, sizeof(nm));
			fy_jw_key(&j, "Authorization");
			fy_jw_obj(&j);
			fy_jw_key(&j, "$secret");
			fy_jw_str(&j, nm);
			fy_jw_end(&j);
		}
		FY_JSON_FOREACH_MEMBER(d, hdrs, k, key, val) {
			const char *h = fy_json_strdup(d, key, NULL);

			secret_name(server, h, nm, sizeof(nm));
			free((void *)h);
			letta_jw_keynode(&j, d, key);
			fy_jw_obj(&j);
			fy_jw_key(&j, "$secret");
			fy_jw_str(&j, nm);
			fy_jw_end(&j);
		}
		fy_jw_end(&j);
	}
	if (env != FY_JNONE) {
		fy_jw_key(&j, "env");
		fy_jw_obj(&j);
		FY_JSON_FOREACH_MEMBER(d, env, k, key, val) {
			char *kname = fy_json_strdup(d, key, NULL);

			letta_jw_keynode(&j, d, key);
			fy_jw_obj(&j);
			fy_jw_key(&j, "$secret");
			fy_jw_str(&j, kname ? kname : "");
			fy_jw_end(&j);
			free(kname);
		}
		fy_jw_end(&j);
	}
	fy_jw_end(&j);
	if (letta_get(d, m, "metadata_") != FY_JNONE) {
		fy_jw_key(&j, "metadata");
		fy_jw_node(&j, d, letta_get(d, m, "metadata_"));
	}
	src(&j, e->fid);
	ext_open(&j);
	fy_jw_key(&j, "entity");
	fy_jw_str(&j, "mcp_server");
	if (stdio != FY_JNONE) {
		static const char *const env_skip[] = { "env", NULL };

		fy_jw_key(&j, "stdio_config");
		fy_jw_obj(&j);
		letta_jw_members_except(&j, d, stdio, env_skip, 0);
		fy_jw_end(&j);
	}
	letta_jw_members_except(&j, d, m, mcp_skip, 1);
	ext_close(&j);
	fy_jw_end(&j);
	if (fy_jw_finish(&j, a->err) < 0)
		goto out;
	rc = 0;
out:
	fy_buf_release(&sname);
	return rc;
}

/* Every credential of an MCP server stays behind, by name. */
static int mcp_ledger(struct af *a, const struct ent *e)
{
	const struct fy_jdoc *d = a->d;
	uint32_t m = e->node, stdio = letta_get(d, m, "stdio_config"), env = letta_get(d, stdio, "env");
	uint32_t hdrs = letta_get(d, m, "custom_headers"), tok = letta_get(d, m, "token");
	uint32_t k, key, val;
	struct fy_buf sname = FY_BUF_INIT(4096);
	const char *server = sget(a, m, "server_name", &sname), *id = e->id;
	char nm[256], reason[512];
	int rc = -1;

	if (!server)
		server = e->fid;
	if (tok != FY_JNONE) {
		secret_name(server, "TOKEN", nm, sizeof(nm));
		snprintf(reason, sizeof(reason),
			 "MCP server '%s': its token is not exported; bind %s at import", server, nm);
		if (ledger(a, FY_KIND_TOOL, id, "mcp.headers.Authorization", FY_OUT_HELD_BACK, "secret", reason) < 0)
			goto out;
	}
	FY_JSON_FOREACH_MEMBER(d, hdrs, k, key, val) {
		char *h = fy_json_strdup(d, key, NULL);

		secret_name(server, h, nm, sizeof(nm));
		snprintf(reason, sizeof(reason),
			 "MCP server '%s': header %s is not exported; bind %s at import", server,
			 h ? h : "", nm);
		free(h);
		if (ledger(a, FY_KIND_TOOL, id, "mcp.headers", FY_OUT_HELD_BACK, "secret", reason) < 0)
			goto out;
	}
	FY_JSON_FOREACH_MEMBER(d, env, k, key, val) {
		char *h = fy_json_strdup(d, key, NULL);

		snprintf(reason, sizeof(reason),
			 "MCP server '%s': environment variable %s is not exported; bind it at import",
			 server, h ? h : "");
		free(h);
		if (ledger(a, FY_KIND_TOOL, id, "mcp.env", FY_OUT_HELD_BACK, "secret", reason) < 0)
			goto out;
	}
	rc = 0;
out:
	fy_buf_release(&sname);
	return rc;
}

/*
 * Give a tool its id and emit it, unless the same tool (same record) was
 * emitted already from an earlier file of the folder.
 */
static int place_tool(struct af *a, struct ent *e, const char *base, const char *path, int is_mcp)
{
	unsigned char h[FY_SHA256_LEN];
	char hex[FY_SHA256_HEX], cand[FY_ID_MAX + 1];
	struct fy_buf canon = FY_BUF_INIT((size_t)1 << 31);
	struct fy_jdoc d;
	unsigned n;
	int rc = -1;

	fy_jdoc_init(&d);
	snprintf(cand, sizeof(cand), "%s", base);
	for (n = 2;; n++) {
		size_t i;
		int taken = -1;

		if ((is_mcp ? mcp_record(a, e, cand, path) : tool_record(a, e, cand, path)) < 0)
			goto out;
		fy_buf_reset(&canon);
		if (fy_jdoc_parse(&d, a->rec.ptr, a->rec.len, 0, a->err) < 0 ||
		    letta_canonical(&d, 0, &canon, a->err) < 0)
			goto out;
		fy_sha256(canon.ptr, canon.len, h);
		fy_hex(h, sizeof(h), hex);
		for (i = 0; i < a->ids->tools.n; i++)
			if (strcmp(a->ids->tools.v[i], cand) == 0)
				taken = (int)i;
		if (taken < 0) {
			snprintf(e->id, sizeof(e->id), "%s", cand);
			if (letta_strs_add(&a->ids->tools, cand, a->err) < 0 ||
			    letta_strs_add(&a->ids->tool_digests, hex, a->err) < 0)
				goto out;
			rc = a->out->record(a->out->cb, a->rec.ptr, a->rec.len, a->err);
			goto out;
		}
		if (strcmp(a->ids->tool_digests.v[taken], hex) == 0) {
			snprintf(e->id, sizeof(e->id), "%s", cand);
			e->skip = 1;
			rc = 0;
			goto out;
		}
		snprintf(cand, sizeof(cand), "%.180s-%u", base, n);
	}
out:
	fy_jdoc_release(&d);
	fy_buf_release(&canon);
	return rc;
}

/* --- knowledge (sources) and files ------------------------------------- */

static const char *const source_skip[] = { "id", "name", "description", "metadata",
					   "embedding_config", "created_at", "updated_at", NULL };
static const char *const emb_skip[] = { "embedding_model", "embedding_dim",
					"embedding_chunk_size", NULL };

static int source_record(struct af *a, const struct ent *e, const char *path)
{
	const struct fy_jdoc *d = a->d;
	uint32_t s = e->node, ec = letta_get(d, s, "embedding_config");
	uint32_t model = letta_get(d, ec, "embedding_model"), dim = letta_get(d, ec, "embedding_dim");
	uint32_t chunk = letta_get(d, ec, "embedding_chunk_size");
	int64_t v;
	struct fy_jw j;
	size_t i;

	if (expect(a, s, "embedding_config", FY_JOBJECT, "an object", path) < 0 ||
	    expect(a, s, "metadata", FY_JOBJECT, "an object", path) < 0 ||
	    expect(a, s, "description", FY_JSTRING, "a string", path) < 0)
		return -1;
	begin(a, &j, "knowledge", e->id);
	fy_jw_key(&j, "name");
	if (fy_json_type(d, letta_get(d, s, "name")) == FY_JSTRING)
		fy_jw_node(&j, d, letta_get(d, s, "name"));
	else
		fy_jw_str(&j, e->fid);
	str_member(a, &j, s, "description", "description");
	fy_jw_key(&j, "files");
	fy_jw_arr(&j);
	for (i = 0; i < a->nfiles; i++)
		if (find(a->sources, a->nsources, d, fy_json_get(d, a->files[i].node, "source_id")) ==
		    (int)(e - a->sources))
			fy_jw_str(&j, a->files[i].id);
	fy_jw_end(&j);
	if (fy_json_type(d, model) == FY_JSTRING) {
		fy_jw_key(&j, "embedding");
		fy_jw_obj(&j);
		fy_jw_key(&j, "model");
		fy_jw_node(&j, d, model);
		if (fy_json_int(d, dim, &v) == 0 && v >= 1) {
			fy_jw_key(&j, "dimensions");
			fy_jw_node(&j, d, dim);
		}
		fy_jw_end(&j);
	}
	if (fy_json_int(d, chunk, &v) == 0 && v >= 1) {
		fy_jw_key(&j, "chunking");
		fy_jw_obj(&j);
		fy_jw_key(&j, "max_tokens");
		fy_jw_node(&j, d, chunk);
		fy_jw_end(&j);
	}
	if (time_member(a, &j, s, "created_at", "created", path) < 0 ||
	    time_member(a, &j, s, "updated_at", "updated", path) < 0)
		return -1;
	if (letta_get(d, s, "metadata") != FY_JNONE) {
		fy_jw_key(&j, "metadata");
		fy_jw_node(&j, d, letta_get(d, s, "metadata"));
	}
	src(&j, e->fid);
	ext_open(&j);
	if (ec != FY_JNONE) {
		static const char *const emb_kept[] = { NULL };
		int64_t dv = 0, cv = 0;
		/* what "embedding" and "chunking" did not take */
		const char *const *skip = emb_skip;

		if (fy_json_type(d, model) != FY_JSTRING || fy_json_int(d, dim, &dv) < 0 || dv < 1 ||
		    fy_json_int(d, chunk, &cv) < 0 || cv < 1)
			skip = emb_kept;
		if (skip == emb_kept || letta_has_members_except(d, ec, emb_skip)) {
			fy_jw_key(&j, "embedding_config");
			fy_jw_obj(&j);
			letta_jw_members_except(&j, d, ec, skip, 1);
			fy_jw_end(&j);
		}
	}
	letta_jw_members_except(&j, d, s, source_skip, 1);
	ext_close(&j);
	fy_jw_end(&j);
	return emit(a, &j);
}

static const char *const file_skip[] = { "id", "source_id", "file_name", "content", NULL };

static int file_record(struct af *a, const struct ent *e, const char *path)
{
	const struct fy_jdoc *d = a->d;
	uint32_t f = e->node, content = letta_get(d, f, "content");
	char hex[FY_SHA256_HEX];
	const char *ftype;
	struct fy_jw j;

	if (expect(a, f, "content", FY_JSTRING, "a string", path) < 0 ||
	    expect(a, f, "file_name", FY_JSTRING, "a string", path) < 0)
		return -1;
	if (find(a->sources, a->nsources, d, fy_json_get(d, f, "source_id")) < 0)
		return bad(a, path, "'source_id' does not name a source of the file");
	if (content != FY_JNONE) {
		fy_buf_reset(&a->bin);
		if (fy_json_str(d, content, &a->bin, a->err) < 0 ||
		    a->out->blob(a->out->cb, a->bin.ptr ? a->bin.ptr : "", a->bin.len, hex, a->err) < 0)
			return -1;
	}
	begin(a, &j, "file", e->id);
	fy_jw_key(&j, "name");
	if (letta_get(d, f, "file_name") != FY_JNONE)
		fy_jw_node(&j, d, letta_get(d, f, "file_name"));
	else
		fy_jw_str(&j, e->fid);
	if (content != FY_JNONE) {
		fy_jw_key(&j, "blob");
		fy_jw_str(&j, hex);
		fy_jw_key(&j, "media_type");
		fy_jw_str(&j, "text/plain");
		fy_jw_key(&j, "size");
		fy_jw_int(&j, (int64_t)a->bin.len);
	}
	fy_jw_key(&j, "purpose");
	fy_jw_str(&j, "knowledge");
	src(&j, e->fid);
	ext_open(&j);
	letta_jw_members_except(&j, d, f, file_skip, 1);
	ext_close(&j);
	fy_jw_end(&j);
	if (emit(a, &j) < 0)
		return -1;
	ftype = sget(a, f, "file_type", &a->tmp);
	if (content != FY_JNONE && !(ftype && (!strncmp(ftype, "text/", 5) || strstr(ftype, "json") ||
					      strstr(ftype, "markdown")))) {
		char reason[400];

		snprintf(reason, sizeof(reason),
			 "an agent file keeps the text Letta extracted from this %s file, not its "
			 "bytes: the file's blob is that text (text/plain)", ftype ? ftype : "untyped");
		return ledger(a, FY_KIND_FILE, e->id, "blob", FY_OUT_DEGRADED, "extracted-text-only", reason);
	}
	if (content == FY_JNONE)
		return ledger(a, FY_KIND_FILE, e->id, "blob", FY_OUT_DEGRADED, "no-content",
			      "the agent file holds no content for this file; only its name and "
			      "metadata crossed");
	return 0;
}

/* --- memory blocks ------------------------------------------------------ */

static const char *const block_skip[] = { "id", "label", "value", "limit", "description", "read_only",
					  "created_at", "updated_at", "metadata", "metadata_", NULL };

static int block_record(struct af *a, const struct ent *e, const char *path)
{
	const struct fy_jdoc *d = a->d;
	uint32_t b = e->node, md = letta_get(d, b, "metadata");
	int64_t lim;
	struct fy_jw j;

	if (md == FY_JNONE)
		md = letta_get(d, b, "metadata_");
	if (expect(a, b, "value", FY_JSTRING, "a string", path) < 0 ||
	    expect(a, b, "label", FY_JSTRING, "a string", path) < 0 ||
	    expect(a, b, "description", FY_JSTRING, "a string", path) < 0 ||
	    expect(a, b, "read_only", FY_JTRUE, "a boolean", path) < 0 ||
	    expect(a, b, "metadata", FY_JOBJECT, "an object", path) < 0 ||
	    expect(a, b, "metadata_", FY_JOBJECT, "an object", path) < 0)
		return -1;
	if (letta_get(d, b, "limit") != FY_JNONE &&
	    (fy_json_int(d, letta_get(d, b, "limit"), &lim) < 0 || lim < 0))
		return bad(a, path, "'limit' is not a non-negative integer");
	begin(a, &j, "memory", e->id);
	fy_jw_key(&j, "scope");
	fy_jw_obj(&j);
	fy_jw_key(&j, "type");
	if (e->owner >= 0) {
		fy_jw_str(&j, "agent");
		fy_jw_key(&j, "agent");
		fy_jw_str(&j, a->agents[e->owner].id);
	} else {
		fy_jw_str(&j, "global");
	}
	fy_jw_end(&j);
	fy_jw_key(&j, "type");
	fy_jw_str(&j, "block");
	str_member(a, &j, b, "label", "label");
	str_member(a, &j, b, "description", "description");
	fy_jw_key(&j, "text");
	if (letta_get(d, b, "value") != FY_JNONE)
		fy_jw_node(&j, d, letta_get(d, b, "value"));
	else
		fy_jw_str(&j, "");
	if (letta_get(d, b, "limit") != FY_JNONE) {
		fy_jw_key(&j, "limit");
		fy_jw_node(&j, d, letta_get(d, b, "limit"));
	}
	if (letta_get(d, b, "read_only") != FY_JNONE) {
		fy_jw_key(&j, "read_only");
		fy_jw_node(&j, d, letta_get(d, b, "read_only"));
	}
	if (time_member(a, &j, b, "created_at", "created", path) < 0 ||
	    time_member(a, &j, b, "updated_at", "updated", path) < 0)
		return -1;
	if (md != FY_JNONE) {
		fy_jw_key(&j, "metadata");
		fy_jw_node(&j, d, md);
	}
	src(&j, e->fid);
	if (letta_has_members_except(d, b, block_skip)) {
		ext_open(&j);
		letta_jw_members_except(&j, d, b, block_skip, 1);
		ext_close(&j);
	}
	fy_jw_end(&j);
	return emit(a, &j);
}

/* --- agents -------------------------------------------------------------- */

static const char *const agent_skip_current[] = {
	"id", "name", "description", "system", "llm_config", "tool_ids", "block_ids", "source_ids",
	"messages", "in_context_message_ids", "metadata", "created_at", "updated_at",
	"response_format", "tool_exec_environment_variables", "secrets", "files_agents", NULL
};
static const char *const agent_skip_legacy[] = {
	"name", "description", "system", "llm_config", "core_memory", "tools", "messages",
	"in_context_message_indices", "metadata_", "metadata", "created_at", "updated_at",
	"response_format", "tool_exec_environment_variables", "secrets", NULL
};
static const char *const llm_params[] = { "temperature", "max_tokens", "frequency_penalty",
					  "reasoning_effort", NULL };
static const char *const llm_skip[] = { "model", "temperature", "max_tokens", "frequency_penalty",
					"reasoning_effort", NULL };

/* A list of file-local ids (the array member key) as ferry ids. */
static int id_list(struct af *a, struct fy_jw *j, uint32_t agent, const char *key, const struct ent *v,
		   size_t n, const char *what, const char *path)
{
	const struct fy_jdoc *d = a->d;
	uint32_t arr = letta_get(d, agent, key), k, el;

	if (arr == FY_JNONE)
		return 0;
	if (fy_json_type(d, arr) != FY_JARRAY)
		return bad(a, path, "'%s' is not an array", key);
	FY_JSON_FOREACH(d, arr, k, el) {
		int i = find(v, n, d, el);

		if (i < 0) {
			size_t len;
			const char *s = fy_json_raw(d, el, &len);

			return bad(a, path, "%s[%u]: '%.*s' is not %s of the file", key, k,
				   (int)(len > 64 ? 64 : len), s, what);
		}
		fy_jw_str(j, v[i].id);
	}
	return 0;
}

/* Environment variables for tools: their values are secrets. */
static int env_vars(struct af *a, struct fy_jw *j, uint32_t agent, const char *key, const char *path)
{
	const struct fy_jdoc *d = a->d;
	uint32_t v = letta_get(d, agent, key), k, k2, el;

	if (v == FY_JNONE)
		return 0;
	if (fy_json_type(d, v) != FY_JOBJECT && fy_json_type(d, v) != FY_JARRAY)
		return bad(a, path, "'%s' is neither an object nor a list", key);
	fy_jw_key(j, key);
	fy_jw_obj(j);
	if (fy_json_type(d, v) == FY_JOBJECT) {
		FY_JSON_FOREACH_MEMBER(d, v, k, k2, el) {
			char *name = fy_json_strdup(d, k2, NULL);

			letta_jw_keynode(j, d, k2);
			fy_jw_obj(j);
			fy_jw_key(j, "$secret");
			fy_jw_str(j, name ? name : "");
			fy_jw_end(j);
			free(name);
		}
	} else {
		FY_JSON_FOREACH(d, v, k, el) {
			uint32_t kk = letta_get(d, el, "key");

			if (fy_json_type(d, kk) != FY_JSTRING)
				return bad(a, path, "%s[%u]: 'key' is not a string", key, k);
			letta_jw_keynode(j, d, kk);
			fy_jw_obj(j);
			fy_jw_key(j, "$secret");
			fy_jw_node(j, d, kk);
			fy_jw_end(j);
		}
	}
	fy_jw_end(j);
	return 0;
}

static int env_one(struct af *a, uint32_t name_node, const char *key, const char *aid)
{
	char *name = fy_json_strdup(a->d, name_node, NULL);
	char reason[400];

	snprintf(reason, sizeof(reason),
		 "tool environment variable %s: its value is not exported; bind %s at import",
		 name ? name : "", name ? name : "");
	free(name);
	return ledger(a, FY_KIND_AGENT, aid, key, FY_OUT_HELD_BACK, "secret", reason);
}

static int env_ledger(struct af *a, uint32_t agent, const char *key, const char *aid)
{
	const struct fy_jdoc *d = a->d;
	uint32_t v = letta_get(d, agent, key), k, k2, el;

	if (fy_json_type(d, v) == FY_JARRAY) {
		FY_JSON_FOREACH(d, v, k, el)
			if (env_one(a, letta_get(d, el, "key"), key, aid) < 0)
				return -1;
		return 0;
	}
	FY_JSON_FOREACH_MEMBER(d, v, k, k2, el)
		if (env_one(a, k2, key, aid) < 0)
			return -1;
	return 0;
}

static int group_member_ids(struct af *a, struct fy_jw *j, uint32_t arr, const char *what,
			    const struct ent *v, size_t n, const char *path)
{
	const struct fy_jdoc *d = a->d;
	uint32_t k, el;

	fy_jw_arr(j);
	FY_JSON_FOREACH(d, arr, k, el) {
		int i = find(v, n, d, el);

		if (i < 0)
			return bad(a, path, "%s[%u] is not %s of the file", what, k,
				   v == a->agents ? "an agent" : "a block");
		fy_jw_str(j, v[i].id);
	}
	fy_jw_end(j);
	return 0;
}

/* The groups whose first agent is agent ai, with ids made ferry ids. */
static int groups_ext(struct af *a, struct fy_jw *j, size_t ai)
{
	const struct fy_jdoc *d = a->d;
	static const char *const gskip[] = { "agent_ids", "manager_config", "shared_block_ids", NULL };
	static const char *const mskip[] = { "manager_agent_id", NULL };
	size_t g;
	int any = 0;

	for (g = 0; g < a->ngroups; g++) {
		uint32_t gn = a->groups[g].node, ids = letta_get(d, gn, "agent_ids");
		uint32_t mc = letta_get(d, gn, "manager_config"), sb = letta_get(d, gn, "shared_block_ids");
		char path[64];

		snprintf(path, sizeof(path), "groups[%zu]", g);
		if (fy_json_type(d, ids) != FY_JARRAY || !fy_json_len(d, ids))
			return bad(a, path, "'agent_ids' is missing or empty");
		if (find(a->agents, a->nagents, d, fy_json_at(d, ids, 0)) != (int)ai)
			continue;
		if (!any) {
			fy_jw_key(j, "groups");
			fy_jw_arr(j);
			any = 1;
		}
		fy_jw_obj(j);
		letta_jw_members_except(j, d, gn, gskip, 1);
		fy_jw_key(j, "agent_ids");
		if (group_member_ids(a, j, ids, "agent_ids", a->agents, a->nagents, path) < 0)
			return -1;
		if (mc != FY_JNONE) {
			uint32_t man = letta_get(d, mc, "manager_agent_id");

			fy_jw_key(j, "manager_config");
			fy_jw_obj(j);
			letta_jw_members_except(j, d, mc, mskip, 1);
			if (man != FY_JNONE) {
				int i = find(a->agents, a->nagents, d, man);

				if (i < 0)
					return bad(a, path, "'manager_agent_id' is not an agent of the file");
				fy_jw_key(j, "manager_agent_id");
				fy_jw_str(j, a->agents[i].id);
			}
			fy_jw_end(j);
		}
		if (sb != FY_JNONE) {
			fy_jw_key(j, "shared_block_ids");
			if (group_member_ids(a, j, sb, "shared_block_ids", a->blocks, a->nblocks, path) < 0)
				return -1;
		}
		fy_jw_end(j);
	}
	if (any)
		fy_jw_end(j);
	return 0;
}

/* handoffs: the workers of the supervisor/dynamic groups agent ai manages. */
static int handoffs(struct af *a, struct fy_jw *j, size_t ai)
{
	const struct fy_jdoc *d = a->d;
	size_t g;
	int any = 0;

	for (g = 0; g < a->ngroups; g++) {
		uint32_t gn = a->groups[g].node, mc = letta_get(d, gn, "manager_config");
		uint32_t ids = letta_get(d, gn, "agent_ids"), k, el;

		if (find(a->agents, a->nagents, d, letta_get(d, mc, "manager_agent_id")) != (int)ai)
			continue;
		FY_JSON_FOREACH(d, ids, k, el) {
			int i = find(a->agents, a->nagents, d, el);

			if (i < 0 || i == (int)ai)
				continue;
			if (!any) {
				fy_jw_key(j, "handoffs");
				fy_jw_arr(j);
				any = 1;
			}
			fy_jw_str(j, a->agents[i].id);
		}
	}
	if (any)
		fy_jw_end(j);
	return 0;
}

static int files_agents_ext(struct af *a, struct fy_jw *j, uint32_t agent, const char *path)
{
	const struct fy_jdoc *d = a->d;
	uint32_t arr = letta_get(d, agent, "files_agents"), k, el;
	static const char *const skip[] = { "agent_id", "file_id", "source_id", NULL };

	if (arr == FY_JNONE)
		return 0;
	if (fy_json_type(d, arr) != FY_JARRAY)
		return bad(a, path, "'files_agents' is not an array");
	fy_jw_key(j, "files_agents");
	fy_jw_arr(j);
	FY_JSON_FOREACH(d, arr, k, el) {
		int f = find(a->files, a->nfiles, d, letta_get(d, el, "file_id"));
		int s = find(a->sources, a->nsources, d, letta_get(d, el, "source_id"));

		if (f < 0)
			return bad(a, path, "files_agents[%u]: 'file_id' is not a file of the file", k);
		if (letta_get(d, el, "source_id") != FY_JNONE && s < 0)
			return bad(a, path, "files_agents[%u]: 'source_id' is not a source of the file", k);
		fy_jw_obj(j);
		letta_jw_members_except(j, d, el, skip, 1);
		fy_jw_key(j, "file_id");
		fy_jw_str(j, a->files[f].id);
		if (s >= 0) {
			fy_jw_key(j, "source_id");
			fy_jw_str(j, a->sources[s].id);
		}
		fy_jw_end(j);
	}
	fy_jw_end(j);
	return 0;
}

static int agent_record(struct af *a, size_t ai, const char *path)
{
	const struct fy_jdoc *d = a->d;
	const struct ent *e = &a->agents[ai];
	uint32_t g = e->node, llm = letta_get(d, g, "llm_config"), md;
	const char *const *skip = a->legacy ? agent_skip_legacy : agent_skip_current;
	size_t i;
	struct fy_jw j;

	md = letta_get(d, g, a->legacy && letta_get(d, g, "metadata") == FY_JNONE ? "metadata_" : "metadata");
	if (expect(a, g, "llm_config", FY_JOBJECT, "an object", path) < 0 ||
	    expect(a, g, "embedding_config", FY_JOBJECT, "an object", path) < 0 ||
	    expect(a, g, "system", FY_JSTRING, "a string", path) < 0 ||
	    expect(a, g, "description", FY_JSTRING, "a string", path) < 0 ||
	    expect(a, g, "name", FY_JSTRING, "a string", path) < 0 ||
	    expect(a, g, "response_format", FY_JOBJECT, "an object", path) < 0)
		return -1;
	if (md != FY_JNONE && fy_json_type(d, md) != FY_JOBJECT)
		return bad(a, path, "'metadata' is not an object");
	begin(a, &j, "agent", e->id);
	fy_jw_key(&j, "name");
	if (letta_get(d, g, "name") != FY_JNONE)
		fy_jw_node(&j, d, letta_get(d, g, "name"));
	else
		fy_jw_str(&j, e->fid);
	str_member(a, &j, g, "description", "description");
	str_member(a, &j, g, "system", "instructions");
	if (fy_json_type(d, letta_get(d, llm, "model")) == FY_JSTRING) {
		uint32_t prov = letta_get(d, llm, "provider_name");
		const char *const *p;
		int anyp = 0;

		if (fy_json_type(d, prov) != FY_JSTRING)
			prov = letta_get(d, llm, "model_endpoint_type");
		fy_jw_key(&j, "model");
		fy_jw_obj(&j);
		if (fy_json_type(d, prov) == FY_JSTRING) {
			fy_jw_key(&j, "provider");
			fy_jw_node(&j, d, prov);
		}
		fy_jw_key(&j, "name");
		fy_jw_node(&j, d, letta_get(d, llm, "model"));
		for (p = llm_params; *p; p++) {
			uint32_t v = letta_get(d, llm, *p);

			if (v == FY_JNONE)
				continue;
			if (!anyp) {
				fy_jw_key(&j, "parameters");
				fy_jw_obj(&j);
				anyp = 1;
			}
			fy_jw_key(&j, *p);
			fy_jw_node(&j, d, v);
		}
		if (anyp)
			fy_jw_end(&j);
		fy_jw_end(&j);
	}
	if (letta_get(d, g, "response_format") != FY_JNONE) {
		fy_jw_key(&j, "response_format");
		fy_jw_node(&j, d, letta_get(d, g, "response_format"));
	}
	fy_jw_key(&j, "tools");
	fy_jw_arr(&j);
	if (a->legacy) {
		for (i = 0; i < a->ntools; i++)
			fy_jw_str(&j, a->tools[i].id);
	} else if (id_list(a, &j, g, "tool_ids", a->tools, a->ntools, "a tool", path) < 0) {
		return -1;
	}
	fy_jw_end(&j);
	fy_jw_key(&j, "memory");
	fy_jw_arr(&j);
	if (a->legacy) {
		for (i = 0; i < a->nblocks; i++)
			fy_jw_str(&j, a->blocks[i].id);
	} else if (id_list(a, &j, g, "block_ids", a->blocks, a->nblocks, "a block", path) < 0) {
		return -1;
	}
	fy_jw_end(&j);
	if (!a->legacy && fy_json_len(d, letta_get(d, g, "source_ids"))) {
		fy_jw_key(&j, "knowledge");
		fy_jw_arr(&j);
		if (id_list(a, &j, g, "source_ids", a->sources, a->nsources, "a source", path) < 0)
			return -1;
		fy_jw_end(&j);
	}
	if (handoffs(a, &j, ai) < 0)
		return -1;
	if (tail_open_ext(a, &j, g, md, e->fid, path) < 0)
		return -1;
	letta_jw_members_except(&j, d, g, skip, 1);
	if (llm != FY_JNONE && letta_has_members_except(d, llm, llm_skip)) {
		fy_jw_key(&j, "llm_config");
		fy_jw_obj(&j);
		letta_jw_members_except(&j, d, llm, fy_json_type(d, letta_get(d, llm, "model")) == FY_JSTRING ?
						     llm_skip : NULL, 1);
		fy_jw_end(&j);
	}
	if (env_vars(a, &j, g, "tool_exec_environment_variables", path) < 0 ||
	    env_vars(a, &j, g, "secrets", path) < 0)
		return -1;
	if (!a->legacy && (files_agents_ext(a, &j, g, path) < 0 || groups_ext(a, &j, ai) < 0))
		return -1;
	ext_close(&j);
	fy_jw_end(&j);
	if (emit(a, &j) < 0)
		return -1;
	return env_ledger(a, g, "tool_exec_environment_variables", e->id) < 0 ||
			       env_ledger(a, g, "secrets", e->id) < 0 ? -1 : 0;
}

/* --- messages ------------------------------------------------------------ */

static const char *const msg_skip[] = { "id", "type", "role", "content", "name", "model", "agent_id",
					"tool_calls", "tool_call_id", "created_at", "updated_at",
					NULL };

/* A lost attribute, remembered for one ledger line per message. */
static void lost(char *buf, size_t cap, const char *what)
{
	size_t l = strlen(buf);

	if (strstr(buf, what))
		return;
	snprintf(buf + l, cap - l, "%s%s", l ? ", " : "", what);
}

static int content_item(struct af *a, struct fy_jw *j, uint32_t it, int *flag, char *lostbuf,
			size_t lostcap, const char *path)
{
	const struct fy_jdoc *d = a->d;
	uint32_t ty = fy_json_get(d, it, "type");
	char hex[FY_SHA256_HEX];

	if (fy_json_type(d, it) != FY_JOBJECT)
		return bad(a, path, "a content item is not an object");
	if (letta_raw_is(d, ty, "text")) {
		static const char *const known[] = { "type", "text", NULL };

		if (fy_json_type(d, fy_json_get(d, it, "text")) != FY_JSTRING)
			return bad(a, path, "a text item has no string 'text'");
		if (letta_has_members_except(d, it, known))
			lost(lostbuf, lostcap, "attributes of text items (signature)");
		fy_jw_obj(j);
		fy_jw_key(j, "type");
		fy_jw_str(j, "text");
		fy_jw_key(j, "text");
		fy_jw_node(j, d, fy_json_get(d, it, "text"));
		fy_jw_end(j);
		return 0;
	}
	if (letta_raw_is(d, ty, "image")) {
		uint32_t s = letta_get(d, it, "source"), st = letta_get(d, s, "type");
		uint32_t data = letta_get(d, s, "data");

		if (letta_raw_is(d, st, "url") && fy_json_type(d, letta_get(d, s, "url")) == FY_JSTRING) {
			fy_jw_obj(j);
			fy_jw_key(j, "type");
			fy_jw_str(j, "image");
			fy_jw_key(j, "url");
			fy_jw_node(j, d, letta_get(d, s, "url"));
			fy_jw_end(j);
			return 0;
		}
		if (fy_json_type(d, data) == FY_JSTRING &&
		    (letta_raw_is(d, st, "base64") || letta_raw_is(d, st, "letta"))) {
			size_t len;
			const char *b = fy_json_raw(d, data, &len);

			fy_buf_reset(&a->bin);
			if (letta_b64_decode(b, len, &a->bin, a->err) < 0)
				return bad(a, path, "an image's 'data' is not base64");
			if (a->out->blob(a->out->cb, a->bin.ptr ? a->bin.ptr : "", a->bin.len, hex,
					 a->err) < 0)
				return -1;
			if (letta_raw_is(d, st, "letta"))
				lost(lostbuf, lostcap, "the Letta file id of an image");
			fy_jw_obj(j);
			fy_jw_key(j, "type");
			fy_jw_str(j, "image");
			fy_jw_key(j, "blob");
			fy_jw_str(j, hex);
			str_member(a, j, s, "media_type", "media_type");
			fy_jw_key(j, "size");
			fy_jw_int(j, (int64_t)a->bin.len);
			str_member(a, j, s, "detail", "detail");
			fy_jw_end(j);
			return 0;
		}
	} else if (letta_raw_is(d, ty, "tool_call")) {
		uint32_t in = fy_json_get(d, it, "input");

		if (fy_json_type(d, fy_json_get(d, it, "id")) != FY_JSTRING ||
		    fy_json_type(d, fy_json_get(d, it, "name")) != FY_JSTRING)
			return bad(a, path, "a tool_call item needs string 'id' and 'name'");
		*flag = 1;
		fy_jw_obj(j);
		fy_jw_key(j, "type");
		fy_jw_str(j, "tool_call");
		fy_jw_key(j, "id");
		fy_jw_node(j, d, fy_json_get(d, it, "id"));
		fy_jw_key(j, "name");
		fy_jw_node(j, d, fy_json_get(d, it, "name"));
		if (in != FY_JNONE) {
			fy_buf_reset(&a->tmp);
			if (fy_json_emit(d, in, &a->tmp, a->err) < 0)
				return -1;
			fy_jw_key(j, "arguments");
			fy_jw_strn(j, a->tmp.ptr, a->tmp.len);
		}
		fy_jw_end(j);
		if (letta_get(d, it, "signature") != FY_JNONE)
			lost(lostbuf, lostcap, "tool call signatures");
		return 0;
	} else if (letta_raw_is(d, ty, "tool_return")) {
		uint32_t c = fy_json_get(d, it, "content"), err = letta_get(d, it, "is_error");

		if (fy_json_type(d, fy_json_get(d, it, "tool_call_id")) != FY_JSTRING)
			return bad(a, path, "a tool_return item needs a string 'tool_call_id'");
		*flag = 1;
		fy_jw_obj(j);
		fy_jw_key(j, "type");
		fy_jw_str(j, "tool_result");
		fy_jw_key(j, "call_id");
		fy_jw_node(j, d, fy_json_get(d, it, "tool_call_id"));
		if (fy_json_type(d, c) == FY_JSTRING) {
			fy_jw_key(j, "output");
			fy_jw_node(j, d, c);
		}
		if (err != FY_JNONE) {
			fy_jw_key(j, "is_error");
			fy_jw_node(j, d, err);
		}
		fy_jw_end(j);
		return 0;
	} else if (letta_raw_is(d, ty, "reasoning")) {
		uint32_t r = letta_get(d, it, "reasoning"), sum = letta_get(d, it, "summary");

		if (fy_json_type(d, r) != FY_JSTRING)
			return bad(a, path, "a reasoning item has no string 'reasoning'");
		if (fy_json_type(d, letta_get(d, it, "is_native")) == FY_JFALSE)
			lost(lostbuf, lostcap, "is_native false of reasoning");
		fy_jw_obj(j);
		fy_jw_key(j, "type");
		fy_jw_str(j, "reasoning");
		fy_jw_key(j, "format");
		fy_jw_str(j, "plain");
		fy_jw_key(j, "text");
		fy_jw_node(j, d, r);
		str_member(a, j, it, "signature", "signature");
		fy_jw_end(j);
		if (fy_json_type(d, sum) == FY_JSTRING) {
			fy_jw_obj(j);
			fy_jw_key(j, "type");
			fy_jw_str(j, "reasoning");
			fy_jw_key(j, "format");
			fy_jw_str(j, "summary");
			fy_jw_key(j, "text");
			fy_jw_node(j, d, sum);
			fy_jw_end(j);
		}
		return 0;
	} else if (letta_raw_is(d, ty, "redacted_reasoning") || letta_raw_is(d, ty, "omitted_reasoning")) {
		fy_jw_obj(j);
		fy_jw_key(j, "type");
		fy_jw_str(j, "reasoning");
		fy_jw_key(j, "format");
		fy_jw_str(j, "encrypted");
		if (letta_raw_is(d, ty, "redacted_reasoning")) {
			if (fy_json_type(d, letta_get(d, it, "data")) != FY_JSTRING)
				return bad(a, path, "a redacted_reasoning item has no string 'data'");
			fy_jw_key(j, "encrypted");
			fy_jw_node(j, d, letta_get(d, it, "data"));
		}
		str_member(a, j, it, "signature", "signature");
		fy_jw_end(j);
		return 0;
	}
	/* a type ferry has no part for: kept verbatim */
	fy_jw_obj(j);
	fy_jw_key(j, "type");
	fy_jw_str(j, "other");
	fy_jw_key(j, "content_type");
	fy_buf_reset(&a->tmp);
	if (fy_json_type(d, ty) == FY_JSTRING && fy_json_str(d, ty, &a->tmp, NULL) == 0)
		fy_jw_strn(j, a->tmp.ptr, a->tmp.len);
	else
		fy_jw_str(j, "unknown");
	fy_jw_key(j, "data");
	fy_jw_node(j, d, it);
	fy_jw_end(j);
	return 0;
}

/* A tool message whose content is one text item: a tool_result part. */
static int is_plain_tool_result(const struct fy_jdoc *d, uint32_t m)
{
	uint32_t c = letta_get(d, m, "content"), it = fy_json_at(d, c, 0);
	static const char *const known[] = { "type", "text", NULL };

	if (fy_json_type(d, letta_get(d, m, "tool_call_id")) != FY_JSTRING)
		return 0;
	if (fy_json_type(d, c) == FY_JSTRING)
		return 1;
	return fy_json_type(d, c) == FY_JARRAY && fy_json_len(d, c) == 1 &&
	       letta_raw_is(d, fy_json_get(d, it, "type"), "text") &&
	       fy_json_type(d, fy_json_get(d, it, "text")) == FY_JSTRING &&
	       !letta_has_members_except(d, it, known);
}

static int message_record(struct af *a, const char *tid, uint32_t m, unsigned mi, const char *fid,
			  int in_ctx, const char *path)
{
	const struct fy_jdoc *d = a->d;
	uint32_t role = letta_get(d, m, "role"), content = letta_get(d, m, "content");
	uint32_t calls = letta_get(d, m, "tool_calls"), rets = letta_get(d, m, "tool_returns");
	uint32_t name = letta_get(d, m, "name"), k, el, key, val;
	const char *nrole;
	char id[32], prev[32], lostbuf[300] = "";
	int is_tool, plain_result, flag = 0, err_ret = 0;
	struct fy_jw j;

	if (fy_json_type(d, m) != FY_JOBJECT)
		return bad(a, path, "not an object");
	if (fy_json_type(d, role) != FY_JSTRING)
		return bad(a, path, "'role' is missing or not a string");
	if (letta_raw_is(d, role, "system") || letta_raw_is(d, role, "user") ||
	    letta_raw_is(d, role, "assistant") || letta_raw_is(d, role, "tool"))
		nrole = NULL;
	else if (letta_raw_is(d, role, "function"))
		nrole = "tool";
	else if (letta_raw_is(d, role, "approval"))
		nrole = "user";
	else
		return bad(a, path, "'role' is not a Letta role (system, user, assistant, tool, function, approval)");
	if (content != FY_JNONE && fy_json_type(d, content) != FY_JSTRING &&
	    fy_json_type(d, content) != FY_JARRAY)
		return bad(a, path, "'content' is neither a string nor a list");
	if (calls != FY_JNONE && fy_json_type(d, calls) != FY_JARRAY)
		return bad(a, path, "'tool_calls' is not a list");
	if (rets != FY_JNONE && fy_json_type(d, rets) != FY_JARRAY)
		return bad(a, path, "'tool_returns' is not a list");
	if (expect(a, m, "name", FY_JSTRING, "a string", path) < 0 ||
	    expect(a, m, "model", FY_JSTRING, "a string", path) < 0 ||
	    expect(a, m, "tool_call_id", FY_JSTRING, "a string", path) < 0)
		return -1;
	is_tool = letta_raw_is(d, role, "tool") || letta_raw_is(d, role, "function");
	plain_result = is_tool && is_plain_tool_result(d, m);
	FY_JSON_FOREACH(d, rets, k, el)
		if (letta_raw_is(d, letta_get(d, el, "status"), "error"))
			err_ret = 1;
	snprintf(id, sizeof(id), "msg-%u", mi);
	snprintf(prev, sizeof(prev), "msg-%u", mi ? mi - 1 : 0);
	begin(a, &j, "message", id);
	fy_jw_key(&j, "thread");
	fy_jw_str(&j, tid);
	fy_jw_key(&j, "parent");
	if (mi)
		fy_jw_str(&j, prev);
	else
		fy_jw_null(&j);
	fy_jw_key(&j, "role");
	if (nrole)
		fy_jw_str(&j, nrole);
	else
		fy_jw_node(&j, d, role);
	if (name != FY_JNONE) {
		fy_jw_key(&j, "author");
		fy_jw_obj(&j);
		fy_jw_key(&j, "name");
		fy_jw_node(&j, d, name);
		fy_jw_end(&j);
	}
	if (letta_get(d, m, "model") != FY_JNONE) {
		fy_jw_key(&j, "model");
		fy_jw_node(&j, d, letta_get(d, m, "model"));
	}
	fy_jw_key(&j, "in_context");
	fy_jw_bool(&j, in_ctx);
	if (time_member(a, &j, m, "created_at", "created", path) < 0 ||
	    time_member(a, &j, m, "updated_at", "updated", path) < 0)
		return -1;
	fy_jw_key(&j, "parts");
	fy_jw_arr(&j);
	if (plain_result) {
		uint32_t text = fy_json_type(d, content) == FY_JSTRING ?
					content : fy_json_get(d, fy_json_at(d, content, 0), "text");

		fy_jw_obj(&j);
		fy_jw_key(&j, "type");
		fy_jw_str(&j, "tool_result");
		fy_jw_key(&j, "call_id");
		fy_jw_node(&j, d, letta_get(d, m, "tool_call_id"));
		fy_jw_key(&j, "output");
		fy_jw_node(&j, d, text);
		if (err_ret) {
			fy_jw_key(&j, "is_error");
			fy_jw_bool(&j, 1);
		}
		fy_jw_end(&j);
	} else if (fy_json_type(d, content) == FY_JSTRING) {
		fy_jw_obj(&j);
		fy_jw_key(&j, "type");
		fy_jw_str(&j, "text");
		fy_jw_key(&j, "text");
		fy_jw_node(&j, d, content);
		fy_jw_end(&j);
	} else {
		FY_JSON_FOREACH(d, content, k, el)
			if (content_item(a, &j, el, &flag, lostbuf, sizeof(lostbuf), path) < 0)
				return -1;
	}
	FY_JSON_FOREACH(d, calls, k, el) {
		uint32_t fn = letta_get(d, el, "function"), args = letta_get(d, fn, "arguments");
		uint32_t ctype = letta_get(d, el, "type");
		static const char *const known[] = { "id", "type", "function", NULL };

		if (fy_json_type(d, letta_get(d, el, "id")) != FY_JSTRING ||
		    fy_json_type(d, letta_get(d, fn, "name")) != FY_JSTRING)
			return bad(a, path, "tool_calls[%u] needs a string 'id' and 'function.name'", k);
		if (letta_has_members_except(d, el, known))
			lost(lostbuf, sizeof(lostbuf), "extra fields of tool calls");
		fy_jw_obj(&j);
		fy_jw_key(&j, "type");
		fy_jw_str(&j, "tool_call");
		fy_jw_key(&j, "id");
		fy_jw_node(&j, d, letta_get(d, el, "id"));
		fy_jw_key(&j, "name");
		fy_jw_node(&j, d, letta_get(d, fn, "name"));
		fy_jw_key(&j, "tool_type");
		if (fy_json_type(d, ctype) == FY_JSTRING)
			fy_jw_node(&j, d, ctype);
		else
			fy_jw_str(&j, "function");
		if (fy_json_type(d, args) == FY_JSTRING) {
			fy_jw_key(&j, "arguments");
			fy_jw_node(&j, d, args);
		} else if (args != FY_JNONE) {
			fy_buf_reset(&a->tmp);
			if (fy_json_emit(d, args, &a->tmp, a->err) < 0)
				return -1;
			fy_jw_key(&j, "arguments");
			fy_jw_strn(&j, a->tmp.ptr, a->tmp.len);
		}
		fy_jw_end(&j);
	}
	fy_jw_end(&j);
	src(&j, fid);
	/* ext: what is left (null values and empty lists dropped) */
	{
		int any = 0;

		FY_JSON_FOREACH_MEMBER(d, m, k, key, val) {
			size_t len;
			const char *s = fy_json_raw(d, key, &len);

			if (fy_json_type(d, val) == FY_JNULL ||
			    (fy_json_type(d, val) == FY_JARRAY && fy_json_len(d, val) == 0))
				continue;
			if (letta_in_list(msg_skip, s, len) &&
			    !(len == 4 && !memcmp(s, "type", 4) && !letta_raw_is(d, val, "message")) &&
			    !(len == 12 && !memcmp(s, "tool_call_id", 12) && !plain_result))
				continue;
			if (!any) {
				ext_open(&j);
				any = 1;
			}
			letta_jw_member(&j, d, key, val);
		}
		if (nrole || flag) {
			if (!any) {
				ext_open(&j);
				any = 1;
			}
			if (nrole) {
				fy_jw_key(&j, "role");
				fy_jw_node(&j, d, role);
			}
			if (flag) {
				fy_jw_key(&j, "tool_content");
				fy_jw_bool(&j, 1);
			}
		}
		if (any)
			ext_close(&j);
	}
	fy_jw_end(&j);
	if (emit(a, &j) < 0)
		return -1;
	if (lostbuf[0]) {
		char reason[400];

		snprintf(reason, sizeof(reason), "no neutral field for: %s", lostbuf);
		return ledger_t(a, FY_KIND_MESSAGE, id, tid, "parts", FY_OUT_DEGRADED, "no-equivalent", reason);
	}
	return 0;
}

static int message_times(struct af *a, uint32_t m, char *out)
{
	uint32_t v = letta_get(a->d, m, "created_at");
	size_t len;
	const char *s;

	out[0] = '\0';
	if (fy_json_type(a->d, v) != FY_JSTRING)
		return 0;
	s = fy_json_raw(a->d, v, &len);
	return letta_time_to_utc(s, len, out) < 0 ? (out[0] = '\0', 0) : 0;
}

/* A message id's fingerprint and where it is, for lookups in large histories. */
struct mref {
	uint64_t fp;
	uint32_t node, pos;
};

static int cmp_mref(const void *a, const void *b)
{
	const struct mref *x = a, *y = b;

	if (x->fp != y->fp)
		return x->fp < y->fp ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* The position of the message whose id is the string node id, or -1. */
static int64_t mref_find(const struct fy_jdoc *d, const struct mref *v, size_t n, uint32_t id)
{
	size_t len, lo = 0, hi = n;
	const char *s = fy_json_raw(d, id, &len);
	uint64_t fp;

	if (fy_json_type(d, id) != FY_JSTRING)
		return -1;
	fp = fy_fingerprint(0, s, len);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].fp < fp)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && v[lo].fp == fp; lo++)
		if (letta_same_str(d, v[lo].node, id))
			return v[lo].pos;
	return -1;
}

/* One thread per agent: its messages in order, in-context ones marked. */
static int thread_records(struct af *a, size_t ai)
{
	const struct fy_jdoc *d = a->d;
	uint32_t g = a->agents[ai].node;
	uint32_t msgs = letta_get(d, a->legacy ? 0 : g, "messages"), ctx, k, el;
	unsigned char *flags = NULL;
	int *order = NULL;
	struct mref *idx = NULL;
	size_t nmsg, nctx = 0, i;
	char tid[FY_ID_MAX + 1], path[128], first[48], last[48];
	int ordered = 1, rc = -1;
	struct fy_jw j;

	snprintf(path, sizeof(path), a->legacy ? "messages" : "agents[%zu].messages", ai);
	if (msgs == FY_JNONE)
		return 0;
	if (fy_json_type(d, msgs) != FY_JARRAY)
		return bad(a, path, "not a list");
	nmsg = fy_json_len(d, msgs);
	if (!nmsg)
		return 0;
	flags = calloc(nmsg, 1);
	order = calloc(nmsg + 1, sizeof(*order));
	if (!flags || !order) {
		fy_error_set(a->err, FY_E_NOMEM, "out of memory");
		goto out;
	}
	/* message ids, unique (a sorted index of their fingerprints); the in-context list */
	if (!a->legacy) {
		idx = calloc(nmsg, sizeof(*idx));
		if (!idx) {
			fy_error_set(a->err, FY_E_NOMEM, "out of memory");
			goto out;
		}
		FY_JSON_FOREACH(d, msgs, k, el) {
			uint32_t mid = fy_json_get(d, el, "id");
			size_t len;
			const char *v = fy_json_raw(d, mid, &len);

			snprintf(path, sizeof(path), "agents[%zu].messages[%u]", ai, k);
			if (fy_json_type(d, mid) != FY_JSTRING) {
				bad(a, path, "'id' is missing or not a string");
				goto out;
			}
			idx[k].fp = fy_fingerprint(0, v, len);
			idx[k].node = mid;
			idx[k].pos = k;
		}
		qsort(idx, nmsg, sizeof(*idx), cmp_mref);
		for (i = 1; i < nmsg; i++)
			if (idx[i].fp == idx[i - 1].fp && letta_same_str(d, idx[i].node, idx[i - 1].node)) {
				snprintf(path, sizeof(path), "agents[%zu].messages[%u]", ai,
					 idx[i].pos > idx[i - 1].pos ? idx[i].pos : idx[i - 1].pos);
				bad(a, path, "message id appears twice");
				goto out;
			}
	}
	ctx = letta_get(d, a->legacy ? 0 : g, a->legacy ? "in_context_message_indices" : "in_context_message_ids");
	snprintf(path, sizeof(path), a->legacy ? "in_context_message_indices" :
		 "agents[%zu].in_context_message_ids", ai);
	if (ctx != FY_JNONE && fy_json_type(d, ctx) != FY_JARRAY) {
		bad(a, path, "not a list");
		goto out;
	}
	FY_JSON_FOREACH(d, ctx, k, el) {
		int64_t idx_pos = -1;

		if (a->legacy) {
			if (fy_json_int(d, el, &idx_pos) < 0 || idx_pos < 0 || (size_t)idx_pos >= nmsg) {
				bad(a, path, "[%u] is not the index of a message", k);
				goto out;
			}
		} else {
			idx_pos = mref_find(d, idx, nmsg, el);
			if (idx_pos < 0) {
				size_t len;
				const char *v = fy_json_raw(d, el, &len);

				bad(a, path, "[%u] '%.*s' is not a message of the agent", k,
				    (int)(len > 64 ? 64 : len), v);
				goto out;
			}
		}
		if (flags[idx_pos]) {
			bad(a, path, "[%u] names a message twice", k);
			goto out;
		}
		flags[idx_pos] = 1;
		if (nctx && idx_pos < order[nctx - 1])
			ordered = 0;
		order[nctx++] = (int)idx_pos;
	}
	/* the thread */
	snprintf(tid, sizeof(tid), "%.190s.history", a->agents[ai].id);
	message_times(a, fy_json_at(d, msgs, 0), first);
	message_times(a, fy_json_at(d, msgs, (uint32_t)nmsg - 1), last);
	begin(a, &j, "thread", tid);
	fy_jw_key(&j, "agent");
	fy_jw_str(&j, a->agents[ai].id);
	fy_jw_key(&j, "active_leaf");
	fy_buf_reset(&a->tmp);
	fy_buf_addf(&a->tmp, NULL, "msg-%zu", nmsg - 1);
	fy_jw_str(&j, a->tmp.ptr);
	if (first[0]) {
		fy_jw_key(&j, "created");
		fy_jw_str(&j, first);
	}
	if (last[0]) {
		fy_jw_key(&j, "updated");
		fy_jw_str(&j, last);
	}
	src(&j, NULL);
	if (!ordered) {
		ext_open(&j);
		fy_jw_key(&j, "in_context_order");
		fy_jw_arr(&j);
		for (i = 0; i < nctx; i++) {
			char mid[32];

			snprintf(mid, sizeof(mid), "msg-%d", order[i]);
			fy_jw_str(&j, mid);
		}
		fy_jw_end(&j);
		ext_close(&j);
	}
	fy_jw_end(&j);
	if (emit(a, &j) < 0)
		goto out;
	FY_JSON_FOREACH(d, msgs, k, el) {
		char fid[64];

		snprintf(path, sizeof(path), "agents[%zu].messages[%u]", ai, k);
		if (a->legacy) {
			snprintf(path, sizeof(path), "messages[%u]", k);
			snprintf(fid, sizeof(fid), "message-%u", k);
		} else {
			size_t len;
			const char *s = fy_json_raw(d, fy_json_get(d, el, "id"), &len);

			snprintf(fid, sizeof(fid), "%.*s", (int)(len > 60 ? 60 : len), s);
		}
		if (message_record(a, tid, el, k, fid, flags[k], path) < 0)
			goto out;
	}
	rc = 0;
out:
	free(flags);
	free(order);
	free(idx);
	return rc;
}

/* --- the file -------------------------------------------------------------- */

int lr_is_legacy(const struct fy_jdoc *d)
{
	return fy_json_get(d, 0, "agents") == FY_JNONE &&
	       (fy_json_get(d, 0, "core_memory") != FY_JNONE ||
		fy_json_get(d, 0, "in_context_message_indices") != FY_JNONE ||
		fy_json_get(d, 0, "llm_config") != FY_JNONE);
}

int lr_unwrap(const char **text, size_t *len, struct fy_buf *hold, int *layers,
	      const char *fname, struct fy_error *err)
{
	*layers = 0;
	for (;;) {
		size_t i = 0;
		struct fy_jdoc d;
		struct fy_buf next = FY_BUF_INIT((size_t)1 << 31);

		while (i < *len && ((*text)[i] == ' ' || (*text)[i] == '\t' || (*text)[i] == '\n' ||
				    (*text)[i] == '\r'))
			i++;
		if (i == *len || (*text)[i] != '"')
			return 0;
		if (*layers == 4)
			return fy_error_set(err, FY_E_DATA, "%s: JSON text encoded as a string more than 4 times",
					    fname);
		fy_jdoc_init(&d);
		if (fy_jdoc_parse(&d, *text, *len, 0, err) < 0 ||
		    fy_json_str(&d, 0, &next, err) < 0) {
			fy_jdoc_release(&d);
			fy_buf_release(&next);
			return fy_error_prefix(err, "%s", fname);
		}
		fy_jdoc_release(&d);
		fy_buf_release(hold);
		*hold = next;
		*text = hold->ptr ? hold->ptr : "";
		*len = hold->len;
		(*layers)++;
	}
}

static size_t add_secret_strings(const struct fy_jdoc *d, uint32_t v, const char *field,
				 uint32_t *out, size_t n)
{
	uint32_t k, key, val;

	if (fy_json_type(d, v) == FY_JOBJECT) {
		FY_JSON_FOREACH_MEMBER(d, v, k, key, val)
			if (fy_json_type(d, val) == FY_JSTRING && !letta_raw_is(d, val, ""))
				out[n++] = val;
	} else if (fy_json_type(d, v) == FY_JARRAY && field) {
		FY_JSON_FOREACH(d, v, k, val) {
			uint32_t x = fy_json_get(d, val, field);

			if (fy_json_type(d, x) == FY_JSTRING && !letta_raw_is(d, x, ""))
				out[n++] = x;
		}
	}
	return n;
}

static int cmp_node(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

size_t lr_secret_nodes(const struct fy_jdoc *d, uint32_t *out)
{
	uint32_t agents = fy_json_get(d, 0, "agents"), mcp = fy_json_get(d, 0, "mcp_servers"), k, el;
	size_t n = 0;

	if (lr_is_legacy(d)) {
		n = add_secret_strings(d, fy_json_get(d, 0, "tool_exec_environment_variables"), "value", out, n);
		n = add_secret_strings(d, fy_json_get(d, 0, "secrets"), "value", out, n);
	}
	FY_JSON_FOREACH(d, agents, k, el) {
		n = add_secret_strings(d, fy_json_get(d, el, "tool_exec_environment_variables"), "value", out, n);
		n = add_secret_strings(d, fy_json_get(d, el, "secrets"), "value", out, n);
	}
	FY_JSON_FOREACH(d, mcp, k, el) {
		uint32_t t = fy_json_get(d, el, "token");

		if (fy_json_type(d, t) == FY_JSTRING && !letta_raw_is(d, t, ""))
			out[n++] = t;
		n = add_secret_strings(d, fy_json_get(d, el, "custom_headers"), NULL, out, n);
		n = add_secret_strings(d, fy_json_get(d, fy_json_get(d, el, "stdio_config"), "env"), NULL, out, n);
	}
	qsort(out, n, sizeof(*out), cmp_node);
	return n;
}

int lr_scrub(const struct fy_jdoc *d, struct fy_buf *out, size_t *blanked, struct fy_error *err)
{
	uint32_t *nodes = malloc(((size_t)d->n + 1) * sizeof(*nodes));
	size_t n, i, pos = 0;
	int rc = 0;

	if (!nodes)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	n = lr_secret_nodes(d, nodes);
	for (i = 0; i < n && rc == 0; i++) {
		const struct fy_jnode *nd = &d->nodes[nodes[i]];

		rc = fy_buf_add(out, d->text + pos, nd->off - pos, err);
		pos = nd->end;
	}
	if (rc == 0)
		rc = fy_buf_add(out, d->text + pos, d->size - pos, err);
	*blanked = n;
	free(nodes);
	return rc;
}

static void af_release(struct af *a)
{
	free(a->agents);
	free(a->blocks);
	free(a->tools);
	free(a->mcp);
	free(a->sources);
	free(a->files);
	free(a->groups);
	fy_buf_release(&a->rec);
	fy_buf_release(&a->tmp);
	fy_buf_release(&a->led);
	fy_buf_release(&a->bin);
}

/* Entities of the legacy layout, with the ids Letta's exporter would give. */
static int legacy_entities(struct af *a)
{
	const struct fy_jdoc *d = a->d;
	uint32_t cm = letta_get(d, 0, "core_memory"), tl = letta_get(d, 0, "tools"), k, el;

	a->agents = calloc(1, sizeof(*a->agents));
	a->blocks = calloc(fy_json_len(d, cm) + 1, sizeof(*a->blocks));
	a->tools = calloc(fy_json_len(d, tl) + 1, sizeof(*a->tools));
	a->mcp = calloc(1, sizeof(*a->mcp));
	a->sources = calloc(1, sizeof(*a->sources));
	a->files = calloc(1, sizeof(*a->files));
	a->groups = calloc(1, sizeof(*a->groups));
	if (!a->agents || !a->blocks || !a->tools || !a->mcp || !a->sources || !a->files || !a->groups)
		return fy_error_set(a->err, FY_E_NOMEM, "out of memory");
	a->nagents = 1;
	a->agents[0].node = 0;
	snprintf(a->agents[0].fid, sizeof(a->agents[0].fid), "agent-0");
	if (cm != FY_JNONE && fy_json_type(d, cm) != FY_JARRAY)
		return bad(a, "core_memory", "not a list");
	if (tl != FY_JNONE && fy_json_type(d, tl) != FY_JARRAY)
		return bad(a, "tools", "not a list");
	FY_JSON_FOREACH(d, cm, k, el) {
		char path[48];

		snprintf(path, sizeof(path), "core_memory[%u]", k);
		if (fy_json_type(d, el) != FY_JOBJECT)
			return bad(a, path, "not an object");
		a->blocks[k].node = el;
		a->blocks[k].owner = 0;
		snprintf(a->blocks[k].fid, sizeof(a->blocks[k].fid), "block-%u", k);
		a->nblocks++;
	}
	FY_JSON_FOREACH(d, tl, k, el) {
		char path[48];

		snprintf(path, sizeof(path), "tools[%u]", k);
		if (fy_json_type(d, el) != FY_JOBJECT)
			return bad(a, path, "not an object");
		a->tools[k].node = el;
		snprintf(a->tools[k].fid, sizeof(a->tools[k].fid), "tool-%u", k);
		a->ntools++;
	}
	return 0;
}

/* Which agent owns each block: the first agent (in file order) that uses it. */
static int block_owners(struct af *a)
{
	const struct fy_jdoc *d = a->d;
	size_t ai;

	for (ai = 0; ai < a->nagents; ai++) {
		uint32_t ids = letta_get(d, a->agents[ai].node, "block_ids"), k, el;

		FY_JSON_FOREACH(d, ids, k, el) {
			int b = find(a->blocks, a->nblocks, d, el);

			if (b >= 0 && a->blocks[b].owner < 0)
				a->blocks[b].owner = (int)ai;
		}
	}
	return 0;
}

static int assign_ids(struct af *a)
{
	char base[FY_ID_MAX + 1];
	size_t i;

	for (i = 0; i < a->nagents; i++) {
		id_base(a, a->agents[i].node, "name", a->agents[i].fid, "", base);
		if (take_id(a, &a->ids->agents, base, a->agents[i].id) < 0)
			return -1;
	}
	for (i = 0; i < a->nblocks; i++) {
		char prefix[FY_ID_MAX + 1];

		snprintf(prefix, sizeof(prefix), "%.150s.",
			 a->blocks[i].owner >= 0 ? a->agents[a->blocks[i].owner].id : "block");
		id_base(a, a->blocks[i].node, "label", a->blocks[i].fid, prefix, base);
		if (take_id(a, &a->ids->memory, base, a->blocks[i].id) < 0)
			return -1;
	}
	for (i = 0; i < a->nsources; i++) {
		id_base(a, a->sources[i].node, "name", a->sources[i].fid, "", base);
		if (take_id(a, &a->ids->knowledge, base, a->sources[i].id) < 0)
			return -1;
	}
	for (i = 0; i < a->nfiles; i++) {
		const struct fy_jdoc *d = a->d;
		int s = find(a->sources, a->nsources, d, fy_json_get(d, a->files[i].node, "source_id"));
		char prefix[FY_ID_MAX + 1];

		snprintf(prefix, sizeof(prefix), "%.120s.", s >= 0 ? a->sources[s].id : "file");
		id_base(a, a->files[i].node, "file_name", a->files[i].fid, prefix, base);
		if (take_id(a, &a->ids->files, base, a->files[i].id) < 0)
			return -1;
	}
	return 0;
}

int lr_map(const struct fy_jdoc *d, const char *fname, struct lr_ids *ids,
	   const struct lr_emit *out, struct fy_error *err)
{
	struct af a;
	char base[FY_ID_MAX + 1], path[64];
	size_t i;
	int rc = -1;

	memset(&a, 0, sizeof(a));
	a.d = d;
	a.fname = fname;
	a.ids = ids;
	a.out = out;
	a.err = err;
	fy_buf_init(&a.rec, (size_t)1 << 31);
	fy_buf_init(&a.tmp, (size_t)1 << 31);
	fy_buf_init(&a.led, 1 << 20);
	fy_buf_init(&a.bin, (size_t)1 << 31);
	if (fy_json_type(d, 0) != FY_JOBJECT) {
		fy_error_set(err, FY_E_DATA, "%s%snot an agent file: the document is not an object", fname,
			     *fname ? ": " : "");
		goto out;
	}
	a.legacy = lr_is_legacy(d);
	if (!a.legacy && fy_json_type(d, fy_json_get(d, 0, "agents")) != FY_JARRAY) {
		fy_error_set(err, FY_E_DATA, "%s%snot an agent file: no 'agents' list (current schema) "
			     "and no 'core_memory' or 'llm_config' (legacy layout)", fname, *fname ? ": " : "");
		goto out;
	}
	if (a.legacy) {
		if (legacy_entities(&a) < 0)
			goto out;
	} else if (collect(&a, "agents", &a.agents, &a.nagents) < 0 ||
		   collect(&a, "blocks", &a.blocks, &a.nblocks) < 0 ||
		   collect(&a, "tools", &a.tools, &a.ntools) < 0 ||
		   collect(&a, "mcp_servers", &a.mcp, &a.nmcp) < 0 ||
		   collect(&a, "sources", &a.sources, &a.nsources) < 0 ||
		   collect(&a, "files", &a.files, &a.nfiles) < 0 ||
		   collect(&a, "groups", &a.groups, &a.ngroups) < 0 || block_owners(&a) < 0) {
		goto out;
	}
	if (assign_ids(&a) < 0)
		goto out;
	for (i = 0; i < a.ntools; i++) {
		snprintf(path, sizeof(path), a.legacy ? "tools[%zu]" : "tools[%zu]", i);
		id_base(&a, a.tools[i].node, "name", a.tools[i].fid, "", base);
		if (place_tool(&a, &a.tools[i], base, path, 0) < 0)
			goto out;
	}
	for (i = 0; i < a.nmcp; i++) {
		snprintf(path, sizeof(path), "mcp_servers[%zu]", i);
		id_base(&a, a.mcp[i].node, "server_name", a.mcp[i].fid, "mcp.", base);
		if (place_tool(&a, &a.mcp[i], base, path, 1) < 0 ||
		    (!a.mcp[i].skip && mcp_ledger(&a, &a.mcp[i]) < 0))
			goto out;
	}
	for (i = 0; i < a.nsources; i++) {
		snprintf(path, sizeof(path), "sources[%zu]", i);
		if (source_record(&a, &a.sources[i], path) < 0)
			goto out;
	}
	for (i = 0; i < a.nfiles; i++) {
		snprintf(path, sizeof(path), "files[%zu]", i);
		if (file_record(&a, &a.files[i], path) < 0)
			goto out;
	}
	for (i = 0; i < a.nagents; i++) {
		snprintf(path, sizeof(path), a.legacy ? "(agent)" : "agents[%zu]", i);
		if (agent_record(&a, i, path) < 0)
			goto out;
	}
	for (i = 0; i < a.nblocks; i++) {
		snprintf(path, sizeof(path), a.legacy ? "core_memory[%zu]" : "blocks[%zu]", i);
		if (block_record(&a, &a.blocks[i], path) < 0)
			goto out;
	}
	for (i = 0; i < a.nagents; i++)
		if (thread_records(&a, i) < 0)
			goto out;
	rc = 0;
out:
	af_release(&a);
	return rc;
}

void lr_ids_release(struct lr_ids *ids)
{
	letta_strs_release(&ids->agents);
	letta_strs_release(&ids->tools);
	letta_strs_release(&ids->memory);
	letta_strs_release(&ids->knowledge);
	letta_strs_release(&ids->files);
	letta_strs_release(&ids->tool_digests);
}
