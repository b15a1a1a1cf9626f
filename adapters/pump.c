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
	/* The writer's validation threads scan each record they parse anyway. */
	fy_writer_secrets(w, ctx->secrets, ctx->name);
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
		if (it.type == FY_ITEM_RECORD && filtering(ctx)) {
			got = pump_record(&p, &it, w, err);
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
	struct fy_writer_stats local;
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
	if (!ws)
		ws = &local;
	if (fy_pump(ad, src, ctx, w, stop, ps, err) < 0 || fy_writer_close(w, ws, err) < 0) {
		fy_error_prefix(err, "%s", o->source);
		goto out;
	}
	if (ps)
		ps->secrets = ws->credentials;
	rc = 0;
out:
	fy_writer_free(w);
	ad->read_close(src);
	free(scope);
	return rc;
}
