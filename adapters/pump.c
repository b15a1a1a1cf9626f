/*
 * pump.c - source to writer, with the export filters. See pump.h.
 */
#include "pump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "json.h"
#include "registry.h"
#include "secrets.h"

struct held {
	char *json;
	size_t len;
	char *origin;
	char *id;
	char **handoffs;
	size_t nhandoffs;
	int keep;
};

struct pump {
	const struct fy_adapter_ctx *ctx;
	struct fy_jdoc doc;
	int keep_thread;	/* the current thread passed the filters */
	struct held *agents;
	size_t nagents, capagents;
	struct fy_pump_stats *st;
	/* the secret scan of the current record */
	struct fy_buf out;	/* the record rewritten (credentials replaced) */
	struct fy_buf str;	/* one decoded string */
	struct fy_buf red;	/* one string, redacted */
	struct fy_buf notes;	/* its ledger lines, one per line */
	char path[256];		/* the field being walked: "parts[0].text" */
	size_t plen;
	enum fy_kind kind;
	char *id;		/* the record's id, redacted, or NULL */
	uint64_t found;		/* strings with a credential in this record */
};

static int kind_wanted(const struct pump *p, enum fy_kind k)
{
	unsigned kinds = p->ctx->kinds;

	if (!kinds)
		return 1;
	if (k == FY_KIND_THREAD && (kinds & (1u << FY_KIND_MESSAGE)))
		return 1;
	return (kinds >> k) & 1;
}

/* created or updated at or after since (records without times pass). */
static int recent_enough(const struct pump *p, const struct fy_jdoc *d)
{
	static const char *const keys[] = { "updated", "created" };
	int any = 0;
	size_t i;

	if (p->ctx->since == INT64_MIN)
		return 1;
	for (i = 0; i < 2; i++) {
		uint32_t v = fy_json_get(d, 0, keys[i]);
		size_t len;
		const char *s;
		int64_t sec;
		int32_t ns;

		if (v == FY_JNONE || fy_json_type(d, v) != FY_JSTRING)
			continue;
		s = fy_json_raw(d, v, &len);
		if (fy_time_parse(s, len, &sec, &ns) < 0)
			continue;
		any = 1;
		if (sec >= p->ctx->since)
			return 1;
	}
	return !any;
}

/* The thread is one of ctx->threads (by its id or its provider's id). */
static int thread_listed(const struct pump *p, const struct fy_jdoc *d)
{
	uint32_t id = fy_json_get(d, 0, "id"), sid = fy_json_get(d, fy_json_get(d, 0, "source"), "id");
	size_t i;

	if (!p->ctx->nthreads)
		return 1;
	for (i = 0; i < p->ctx->nthreads; i++)
		if (fy_json_streq(d, id, p->ctx->threads[i]) || fy_json_streq(d, sid, p->ctx->threads[i]))
			return 1;
	return 0;
}

static int agent_is(const struct fy_jdoc *d, uint32_t v, const char *agent)
{
	return v != FY_JNONE && fy_json_streq(d, v, agent);
}

/* Decide for a parsed record; held agents are decided at the end. */
static int keep_record(struct pump *p, enum fy_kind k, const struct fy_jdoc *d)
{
	const char *agent = p->ctx->agent;

	switch (k) {
	case FY_KIND_THREAD:
		p->keep_thread = kind_wanted(p, k) && recent_enough(p, d) && thread_listed(p, d) &&
				 (!agent || agent_is(d, fy_json_get(d, 0, "agent"), agent));
		return p->keep_thread;
	case FY_KIND_MESSAGE:
		return p->keep_thread && kind_wanted(p, k);
	case FY_KIND_MEMORY:
		return kind_wanted(p, k) && recent_enough(p, d) &&
		       (!agent || agent_is(d, fy_json_get(d, fy_json_get(d, 0, "scope"), "agent"),
					   agent));
	default:
		return kind_wanted(p, k);
	}
}

static int hold_agent(struct pump *p, const struct fy_item *it, struct fy_error *err)
{
	const struct fy_jdoc *d = &p->doc;
	uint32_t hand = fy_json_get(d, 0, "handoffs"), k, el;
	struct held *h;

	if (p->nagents == p->capagents) {
		size_t cap = p->capagents ? p->capagents * 2 : 16;
		struct held *n = realloc(p->agents, cap * sizeof(*n));

		if (!n)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		p->agents = n;
		p->capagents = cap;
	}
	h = &p->agents[p->nagents];
	memset(h, 0, sizeof(*h));
	h->json = malloc(it->len + 1);
	h->id = fy_json_get_strdup(d, 0, "id");
	if (!h->json || !h->id) {
		free(h->json);
		free(h->id);
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	memcpy(h->json, it->json, it->len);
	h->json[it->len] = '\0';
	h->len = it->len;
	h->origin = it->member ? strdup(it->member) : NULL;
	p->nagents++;
	if (hand != FY_JNONE && fy_json_type(d, hand) == FY_JARRAY && fy_json_len(d, hand)) {
		h->handoffs = calloc(fy_json_len(d, hand), sizeof(char *));
		if (!h->handoffs)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		FY_JSON_FOREACH(d, hand, k, el)
			if ((h->handoffs[h->nhandoffs] = fy_json_strdup(d, el, NULL)))
				h->nhandoffs++;
	}
	h->keep = strcmp(h->id, p->ctx->agent) == 0;
	return 0;
}

/* Keep the chosen agent and everything it hands off to, then write them. */
static int flush_agents(struct pump *p, struct fy_writer *w, struct fy_error *err)
{
	size_t i, j, a;
	int changed = 1;

	while (changed) {
		changed = 0;
		for (i = 0; i < p->nagents; i++) {
			if (!p->agents[i].keep)
				continue;
			for (j = 0; j < p->agents[i].nhandoffs; j++)
				for (a = 0; a < p->nagents; a++)
					if (!p->agents[a].keep &&
					    strcmp(p->agents[a].id, p->agents[i].handoffs[j]) == 0) {
						p->agents[a].keep = 1;
						changed = 1;
					}
		}
	}
	for (i = 0; i < p->nagents; i++) {
		if (!p->agents[i].keep) {
			p->st->dropped++;
			continue;
		}
		if (fy_writer_put_record_at(w, p->agents[i].json, p->agents[i].len,
					    p->agents[i].origin, err) < 0)
			return -1;
	}
	return 0;
}

static void pump_release(struct pump *p)
{
	size_t i, j;

	for (i = 0; i < p->nagents; i++) {
		free(p->agents[i].json);
		free(p->agents[i].origin);
		free(p->agents[i].id);
		for (j = 0; j < p->agents[i].nhandoffs; j++)
			free(p->agents[i].handoffs[j]);
		free(p->agents[i].handoffs);
	}
	free(p->agents);
	fy_jdoc_release(&p->doc);
	fy_buf_release(&p->out);
	fy_buf_release(&p->str);
	fy_buf_release(&p->red);
	fy_buf_release(&p->notes);
	free(p->id);
}

static int filtering(const struct fy_adapter_ctx *ctx)
{
	return ctx->kinds || ctx->agent || ctx->since != INT64_MIN || ctx->nthreads;
}

/* Route one record through the filters: 1 written or held, 0 dropped, -1. */
static int pump_record(struct pump *p, const struct fy_item *it, struct fy_writer *w,
		       struct fy_error *err)
{
	uint32_t kv;
	enum fy_kind k;
	size_t len;
	const char *s;

	if (fy_jdoc_parse(&p->doc, it->json, it->len, 0, err) < 0)
		return it->member ? fy_error_prefix(err, "%s line %llu", it->member,
						    (unsigned long long)it->line) : -1;
	kv = fy_json_get(&p->doc, 0, "kind");
	if (kv == FY_JNONE || fy_json_type(&p->doc, kv) != FY_JSTRING)
		return fy_error_set(err, FY_E_DATA, "record has no \"kind\"");
	s = fy_json_raw(&p->doc, kv, &len);
	k = fy_kind_from_name(s, len);
	if (k == FY_KIND_AGENT && p->ctx->agent && kind_wanted(p, k))
		return hold_agent(p, it, err) < 0 ? -1 : 1;
	if (!keep_record(p, k, &p->doc)) {
		p->st->dropped++;
		return 0;
	}
	return fy_writer_put_item(w, it, err) < 0 ? -1 : 1;
}

/* --- the secret scan ---------------------------------------------------- */

/* Configuration, where a credential belongs in a {"$secret": NAME} reference. */
static int is_config(enum fy_kind k)
{
	return k == FY_KIND_AGENT || k == FY_KIND_TOOL || k == FY_KIND_KNOWLEDGE ||
	       k == FY_KIND_WORKFLOW;
}

/* Whether the record's raw text can hold a credential at all (the fast path). */
static int maybe_secret(const char *json, size_t len)
{
	struct fy_secret_match m;
	const char *c = json, *end = json + len;

	if (fy_secret_find(json, len, 0, &m))
		return 1;
	/* Escapes can hide a shape from the raw text (\u00XX, \/): look at the decoded strings. */
	for (c = json; (c = memchr(c, '\\', (size_t)(end - c))) && c + 1 < end; c += 2)
		if (c[1] == '/' || (c[1] == 'u' && end - c >= 4 && c[2] == '0' && c[3] == '0'))
			return 1;
	c = json;
	/* A key that names a credential: "...key": */
	while ((c = memchr(c, ':', (size_t)(end - c)))) {
		const char *q = c, *open;

		while (q > json && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\n' || q[-1] == '\r'))
			q--;
		if (q > json && q[-1] == '"') {
			for (open = q - 1; open > json && open[-1] != '"' && q - open < 64; open--)
				;
			if (open > json && fy_secret_key_name(open, (size_t)(q - 1 - open)))
				return 1;
		}
		c++;
	}
	return 0;
}

static void path_push(struct pump *p, const char *fmt, const char *s, size_t n, uint32_t k)
{
	int w;

	if (s)
		w = snprintf(p->path + p->plen, sizeof(p->path) - p->plen, fmt, p->plen ? "." : "",
			     (int)(n > 60 ? 60 : n), s);
	else
		w = snprintf(p->path + p->plen, sizeof(p->path) - p->plen, "[%u]", (unsigned)k);
	if (w > 0)
		p->plen = p->plen + (size_t)w < sizeof(p->path) ? p->plen + (size_t)w
							       : sizeof(p->path) - 1;
}

/* Note one string holding a credential: a ledger line, or a refusal. */
static int note_secret(struct pump *p, enum fy_secret_kind kind, size_t count,
		       struct fy_error *err)
{
	int redact = p->ctx->secrets == FY_SECRETS_REDACT;
	const char *kname = fy_kind_name(p->kind) ? fy_kind_name(p->kind) : "record";
	struct fy_buf field = FY_BUF_INIT(1024);
	size_t dummy = 0;
	int rc = -1;

	/* A key can be credential-shaped too: never repeat one. */
	if (fy_secret_redact(p->path, p->plen, &field, &dummy, err) < 0)
		goto out;
	if (is_config(p->kind) && !redact) {
		rc = fy_error_set(err, FY_E_DATA,
				  "%s '%s': field '%s' holds what looks like a literal %s; store a "
				  "{\"$secret\": NAME} reference instead, or export with --redact",
				  kname, p->id ? p->id : "", field.ptr ? field.ptr : "",
				  fy_secret_kind_name(kind));
		goto out;
	}
	p->found++;
	if (fy_buf_addf(&p->notes, err, "{\"item\":{\"kind\":\"%s\"", kname) < 0 ||
	    (p->id && (fy_buf_adds(&p->notes, ",\"id\":", err) < 0 ||
		       fy_buf_add_jstr(&p->notes, p->id, strlen(p->id), err) < 0)) ||
	    fy_buf_adds(&p->notes, ",\"field\":", err) < 0 ||
	    fy_buf_add_jstr(&p->notes, field.ptr ? field.ptr : "", field.len, err) < 0 ||
	    fy_buf_addf(&p->notes, err,
			"},\"outcome\":\"%s\",\"rule\":\"secret-in-text\",\"reason\":\"%s%s%s\"",
			redact ? "transformed" : "warning",
			count > 1 ? "holds credentials, the first like " : "holds what looks like ",
			fy_secret_kind_name(kind),
			redact ? "; replaced by [REDACTED:<kind>]"
			       : "; left in place (export with --redact to replace it)") < 0)
		goto out;
	if (p->ctx->name && fy_buf_adds(&p->notes, ",\"adapter\":", err) < 0)
		goto out;
	if (p->ctx->name && fy_buf_add_jstr(&p->notes, p->ctx->name, strlen(p->ctx->name), err) < 0)
		goto out;
	rc = fy_buf_adds(&p->notes, ",\"phase\":\"export\"}\n", err);
out:
	fy_buf_release(&field);
	return rc;
}

/* Copy value i to p->out, replacing credentials in strings (key: its member name). */
static int scan_value(struct pump *p, uint32_t i, uint32_t key, struct fy_error *err)
{
	const struct fy_jdoc *d = &p->doc;
	enum fy_jtype t = fy_json_type(d, i);
	size_t old = p->plen, len;
	const char *raw = fy_json_raw(d, i, &len);
	uint32_t k, kn, vn, el;

	switch (t) {
	case FY_JOBJECT:
		if (fy_buf_addc(&p->out, '{', err) < 0)
			return -1;
		FY_JSON_FOREACH_MEMBER(d, i, k, kn, vn) {
			size_t kl;
			const char *ks = fy_json_raw(d, kn, &kl);

			if ((k && fy_buf_addc(&p->out, ',', err) < 0) ||
			    fy_buf_addc(&p->out, '"', err) < 0 || fy_buf_add(&p->out, ks, kl, err) < 0 ||
			    fy_buf_adds(&p->out, "\":", err) < 0)
				return -1;
			path_push(p, "%s%.*s", ks, kl, 0);
			if (scan_value(p, vn, kn, err) < 0)
				return -1;
			p->plen = old;
			p->path[old] = '\0';
		}
		return fy_buf_addc(&p->out, '}', err);
	case FY_JARRAY:
		if (fy_buf_addc(&p->out, '[', err) < 0)
			return -1;
		FY_JSON_FOREACH(d, i, k, el) {
			if (k && fy_buf_addc(&p->out, ',', err) < 0)
				return -1;
			path_push(p, NULL, NULL, 0, k);
			if (scan_value(p, el, FY_JNONE, err) < 0)
				return -1;
			p->plen = old;
			p->path[old] = '\0';
		}
		return fy_buf_addc(&p->out, ']', err);
	case FY_JSTRING: {
		struct fy_secret_match m;
		size_t count = 0;
		enum fy_secret_kind kind = FY_SECRET_NONE;

		fy_buf_reset(&p->str);
		if (fy_json_str(d, i, &p->str, err) < 0)
			return -1;
		if (fy_secret_find(p->str.ptr, p->str.len, 0, &m)) {
			kind = m.kind;
			fy_buf_reset(&p->red);
			if (fy_secret_redact(p->str.ptr, p->str.len, &p->red, &count, err) < 0)
				return -1;
		} else if (key != FY_JNONE && fy_secret_literal(p->str.ptr, p->str.len)) {
			size_t kl;
			const char *ks = fy_json_raw(d, key, &kl);

			if (fy_secret_key_name(ks, kl)) {
				kind = FY_SECRET_CREDENTIAL;
				count = 1;
				fy_buf_reset(&p->red);
				if (fy_buf_adds(&p->red, "[REDACTED:credential]", err) < 0)
					return -1;
			}
		}
		if (kind == FY_SECRET_NONE)
			break;
		if (note_secret(p, kind, count, err) < 0)
			return -1;
		if (p->ctx->secrets != FY_SECRETS_REDACT)
			break;
		return fy_buf_add_jstr(&p->out, p->red.ptr, p->red.len, err);
	}
	default:
		return fy_buf_add(&p->out, raw, len, err);
	}
	/* A string left as it was. */
	if (fy_buf_addc(&p->out, '"', err) < 0 || fy_buf_add(&p->out, raw, len, err) < 0)
		return -1;
	return fy_buf_addc(&p->out, '"', err);
}

/*
 * Scan one record for credentials. *json and *len are replaced by the
 * redacted text when redacting and something was found; p->notes holds
 * the ledger lines for the caller to write once the record is kept.
 */
static int scan_record(struct pump *p, const char **json, size_t *len, struct fy_error *err)
{
	uint32_t kv;
	size_t klen, dummy = 0;
	const char *ks;
	char *id;

	fy_buf_reset(&p->notes);
	fy_buf_reset(&p->out);
	p->found = 0;
	p->plen = 0;
	p->path[0] = '\0';
	free(p->id);
	p->id = NULL;
	if (fy_jdoc_parse(&p->doc, *json, *len, 0, err) < 0)
		return -1;
	kv = fy_json_get(&p->doc, 0, "kind");
	ks = fy_json_raw(&p->doc, kv, &klen);
	p->kind = fy_json_type(&p->doc, kv) == FY_JSTRING ? fy_kind_from_name(ks, klen)
							  : FY_KIND_NONE;
	id = fy_json_get_strdup(&p->doc, 0, "id");
	if (id) {
		struct fy_buf b = FY_BUF_INIT(4096);

		if (fy_secret_redact(id, strlen(id), &b, &dummy, NULL) == 0)
			p->id = fy_buf_detach(&b, NULL);
		fy_buf_release(&b);
		free(id);
	}
	if (scan_value(p, 0, FY_JNONE, err) < 0)
		return fy_error_prefix(err, "secret scan");
	if (p->found && p->ctx->secrets == FY_SECRETS_REDACT) {
		*json = p->out.ptr;
		*len = p->out.len;
	}
	return 0;
}

/* Write the ledger lines of the record just kept. */
static int put_notes(struct pump *p, struct fy_writer *w, struct fy_error *err)
{
	const char *c = p->notes.ptr, *end = c + p->notes.len;

	while (c < end) {
		const char *nl = memchr(c, '\n', (size_t)(end - c));

		if (fy_writer_put_ledger(w, c, (size_t)(nl - c), err) < 0)
			return -1;
		c = nl + 1;
	}
	p->st->secrets += p->found;
	return 0;
}

/* A ledger line saying the source dropped an item while exporting. */
static int ledger_unreadable(struct pump *p, const struct fy_item *it)
{
	const struct fy_jdoc *d = it->doc;

	if (!d) {
		if (fy_jdoc_parse(&p->doc, it->json, it->len, 0, NULL) < 0)
			return 0;	/* the writer reports the bad line */
		d = &p->doc;
	}
	return fy_json_streq(d, fy_json_get(d, 0, "outcome"), "dropped") &&
	       fy_json_streq(d, fy_json_get(d, 0, "phase"), "export");
}

int fy_pump(const struct fy_adapter *ad, void *src, const struct fy_adapter_ctx *ctx,
	    struct fy_writer *w, const volatile sig_atomic_t *stop, struct fy_pump_stats *st,
	    struct fy_error *err)
{
	struct fy_pump_stats local;
	struct pump p;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	p.ctx = ctx;
	p.st = st ? st : &local;
	memset(p.st, 0, sizeof(*p.st));
	fy_jdoc_init(&p.doc);
	fy_buf_init(&p.out, (size_t)64 << 20);
	fy_buf_init(&p.str, (size_t)64 << 20);
	fy_buf_init(&p.red, (size_t)64 << 20);
	fy_buf_init(&p.notes, (size_t)64 << 20);
	for (;;) {
		struct fy_item it;
		int got;

		if (stop && *stop) {
			fy_error_set(err, FY_E_INTERNAL, "interrupted");
			goto out;
		}
		got = ad->read_next(src, &it, err);
		if (got < 0)
			goto out;
		if (got == 0)
			break;
		p.st->items++;
		if (it.type == FY_ITEM_LEDGER && ledger_unreadable(&p, &it))
			p.st->unreadable++;
		if (it.type == FY_ITEM_RECORD) {
			got = 0;
			p.found = 0;
			if (ctx->secrets != FY_SECRETS_OFF && maybe_secret(it.json, it.len))
				got = scan_record(&p, &it.json, &it.len, err);
			if (got < 0 && it.member && it.line)
				fy_error_prefix(err, "%s line %llu", it.member, (unsigned long long)it.line);
			else if (got < 0 && it.member)
				fy_error_prefix(err, "%s", it.member);
			if (got == 0)
				got = filtering(ctx) ? pump_record(&p, &it, w, err)
						     : fy_writer_put_item(w, &it, err) < 0 ? -1 : 1;
			if (got > 0 && p.found)
				got = put_notes(&p, w, err);
		} else {
			got = fy_writer_put_item(w, &it, err);
		}
		/* The writer names the record's origin in its errors (it may be an earlier one). */
		if (got < 0)
			goto out;
	}
	rc = flush_agents(&p, w, err);
out:
	pump_release(&p);
	return rc;
}

char *fy_pump_scope_json(const struct fy_adapter_ctx *ctx)
{
	struct fy_buf b = FY_BUF_INIT(1 << 16);
	int first = 1, k;

	if (!filtering(ctx))
		return NULL;
	if (fy_buf_addc(&b, '{', NULL) < 0)
		goto fail;
	if (ctx->kinds) {
		if (fy_buf_adds(&b, "\"kinds\":[", NULL) < 0)
			goto fail;
		for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++)
			if ((ctx->kinds >> k) & 1) {
				if (fy_buf_addf(&b, NULL, "%s\"%s\"", first ? "" : ",",
						fy_kind_name((enum fy_kind)k)) < 0)
					goto fail;
				first = 0;
			}
		if (fy_buf_addc(&b, ']', NULL) < 0)
			goto fail;
		first = 0;
	}
	if (ctx->agent && (fy_buf_adds(&b, first ? "\"agent\":" : ",\"agent\":", NULL) < 0 ||
			   fy_buf_add_jstr(&b, ctx->agent, strlen(ctx->agent), NULL) < 0))
		goto fail;
	if (ctx->agent)
		first = 0;
	if (ctx->since != INT64_MIN) {
		char t[40];

		fy_time_format(ctx->since, 0, t);
		if (fy_buf_addf(&b, NULL, "%s\"since\":\"%s\"", first ? "" : ",", t) < 0)
			goto fail;
		first = 0;
	}
	if (ctx->nthreads) {
		size_t i;

		if (fy_buf_adds(&b, first ? "\"threads\":[" : ",\"threads\":[", NULL) < 0)
			goto fail;
		for (i = 0; i < ctx->nthreads; i++)
			if ((i && fy_buf_addc(&b, ',', NULL) < 0) ||
			    fy_buf_add_jstr(&b, ctx->threads[i], strlen(ctx->threads[i]), NULL) < 0)
				goto fail;
		if (fy_buf_addc(&b, ']', NULL) < 0)
			goto fail;
	}
	if (fy_buf_addc(&b, '}', NULL) < 0)
		goto fail;
	return fy_buf_detach(&b, NULL);
fail:
	fy_buf_release(&b);
	return NULL;
}

int fy_export(struct fy_adapter_ctx *ctx, const struct fy_export_options *o,
	      const volatile sig_atomic_t *stop, struct fy_writer_stats *ws,
	      struct fy_pump_stats *ps, struct fy_error *err)
{
	const struct fy_adapter *ad;
	struct fy_source_info info;
	struct fy_writer_options wo;
	struct fy_writer *w = NULL;
	char *scope = NULL;
	void *src = NULL;
	int rc = -1;

	if (fy_location_parse(o->source, &ad, &ctx->location, err) < 0)
		return -1;
	if (!(ad->flags & FY_ADAPTER_READ))
		return fy_error_set(err, FY_E_UNSUPPORTED, "adapter '%s' cannot be read from",
				    ad->name);
	ctx->name = ad->name;
	memset(&info, 0, sizeof(info));
	if (ad->read_open(ctx, &src, &info, err) < 0)
		return -1;
	fy_writer_options_init(&wo);
	wo.producer = ctx->producer;
	wo.created = o->created_set ? o->created : info.created ? info.created : (int64_t)time(NULL);
	wo.source_adapter = info.adapter[0] ? info.adapter : ad->name;
	wo.source_location = info.location[0] ? info.location : ctx->location;
	wo.source_account = info.account[0] ? info.account : NULL;
	scope = fy_pump_scope_json(ctx);
	wo.scope_json = scope;
	wo.level = o->level;
	wo.threads = o->threads;
	w = fy_writer_open(o->output, &wo, err);
	if (!w)
		goto out;
	if (fy_pump(ad, src, ctx, w, stop, ps, err) < 0 || fy_writer_close(w, ws, err) < 0) {
		fy_error_prefix(err, "%s", o->source);
		goto out;
	}
	rc = 0;
out:
	fy_writer_free(w);
	ad->read_close(src);
	free(scope);
	return rc;
}
