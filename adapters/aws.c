/*
 * aws.c - shared by the AWS adapters. See aws.h.
 *
 * Errors follow the AWS rest-json protocol: the error type in the
 * X-Amzn-ErrorType header ("ThrottlingException:http://...") or the
 * body's "__type" ("...#ThrottlingException"), the text in "message" or
 * "Message". 429 and 5xx are retried by http.c with backoff and jitter.
 */
#include "aws.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fidelity.h"
#include "record.h"
#include "schema.h"
#include "sha256.h"

const struct fy_aws_service fy_aws_agentcore = {
	.service_id = "Bedrock AgentCore",
	.endpoint_prefix = "bedrock-agentcore",
	.signing_name = "bedrock-agentcore",
};

const struct fy_aws_service fy_aws_agentcore_control = {
	.service_id = "Bedrock AgentCore Control",
	.endpoint_prefix = "bedrock-agentcore-control",
	.signing_name = "bedrock-agentcore",
};

const struct fy_aws_service fy_aws_bedrock_agent = {
	.service_id = "Bedrock Agent",
	.endpoint_prefix = "bedrock-agent",
	.signing_name = "bedrock",
};

const struct fy_aws_service fy_aws_bedrock_agent_runtime = {
	.service_id = "Bedrock Agent Runtime",
	.endpoint_prefix = "bedrock-agent-runtime",
	.signing_name = "bedrock",
};

#define BODY_MAX ((size_t)16 << 20)

void fy_aws_log(const struct fy_adapter_ctx *ctx, enum fy_log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!ctx || !ctx->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ctx->log(ctx->cb, level, "%s", line);
}

long fy_aws_option_long(const struct fy_adapter_ctx *ctx, const char *key, long def)
{
	const char *v = ctx ? fy_adapter_option(ctx, key) : NULL;
	char *end;
	long n;

	if (!v || !*v)
		return def;
	n = strtol(v, &end, 10);
	return *end ? def : n;
}

/* --- account and clients ------------------------------------------------ */

int fy_aws_account_open(struct fy_aws_account *a, const struct fy_adapter_ctx *ctx,
			const char *region_hint, struct fy_error *err)
{
	memset(a, 0, sizeof(*a));
	a->ctx = ctx;
	if (fy_aws_region(region_hint, a->region, sizeof(a->region), err) < 0)
		return -1;
	if (fy_aws_credentials_load(&a->cred, err) < 0)
		return -1;
	fy_aws_log(ctx, FY_LOG_DEBUG, "aws: credentials from %s, region %s", a->cred.source, a->region);
	return 0;
}

void fy_aws_account_close(struct fy_aws_account *a)
{
	if (!a)
		return;
	fy_aws_credentials_release(&a->cred);
}

int fy_aws_open(struct fy_aws *c, struct fy_aws_account *a, const struct fy_aws_service *svc,
		struct fy_error *err)
{
	struct fy_http_options o;
	const struct fy_adapter_ctx *ctx = a->ctx;

	memset(c, 0, sizeof(*c));
	c->svc = svc;
	c->acct = a;
	if (fy_aws_endpoint(svc->service_id, svc->endpoint_prefix, a->region, c->base, sizeof(c->base),
			    err) < 0)
		return -1;
	c->signer.cred = &a->cred;
	c->signer.region = a->region;
	c->signer.service = svc->signing_name;
	fy_http_options_init(&o, svc->endpoint_prefix, c->base);
	o.max_retries = (int)fy_aws_option_long(ctx, "retries", 10);
	o.backoff_base_ms = fy_aws_option_long(ctx, "retry_base_ms", 500);
	o.rate = (double)fy_aws_option_long(ctx, "rate", 0);
	o.concurrency = (int)fy_aws_option_long(ctx, "concurrency", 4);
	o.sign = fy_sigv4_http_sign;
	o.sign_ctx = &c->signer;
	if (ctx) {
		o.log = ctx->log;
		o.log_cb = ctx->cb;
		o.verbosity = ctx->verbosity;
	}
	c->http = fy_http_new(&o, err);
	if (!c->http)
		return -1;
	fy_http_add_secret(c->http, a->cred.secret_key);
	if (a->cred.session_token)
		fy_http_add_secret(c->http, a->cred.session_token);
	return 0;
}

void fy_aws_close(struct fy_aws *c)
{
	if (!c)
		return;
	fy_http_free(c->http);
	c->http = NULL;
}

void fy_aws_reply_init(struct fy_aws_reply *r)
{
	memset(r, 0, sizeof(*r));
	fy_http_response_init(&r->resp);
	fy_jdoc_init(&r->doc);
}

void fy_aws_reply_release(struct fy_aws_reply *r)
{
	if (!r)
		return;
	fy_http_response_release(&r->resp);
	fy_jdoc_release(&r->doc);
}

/* The error type from the header or the body. */
static void error_type(struct fy_aws_reply *r)
{
	char v[sizeof(r->error_type)];

	r->error_type[0] = '\0';
	if (fy_http_header(&r->resp, "x-amzn-errortype", v, sizeof(v)) == 0) {
		v[strcspn(v, ":")] = '\0';
		snprintf(r->error_type, sizeof(r->error_type), "%s", v);
		return;
	}
	if (r->resp.body.ptr) {
		struct fy_jdoc d;

		fy_jdoc_init(&d);
		if (fy_jdoc_parse(&d, r->resp.body.ptr, r->resp.body.len, FY_J_ALLOW_DUPS, NULL) == 0) {
			char *t = fy_json_get_strdup(&d, 0, "__type");

			if (!t)
				t = fy_json_get_strdup(&d, 0, "code");
			if (t) {
				const char *hash = strrchr(t, '#');

				snprintf(r->error_type, sizeof(r->error_type), "%s", hash ? hash + 1 : t);
				free(t);
			}
		}
		fy_jdoc_release(&d);
	}
}

int fy_aws_call(struct fy_aws *c, const char *method, const char *path, const char *query,
		const struct fy_buf *body, const char *what, struct fy_aws_reply *r,
		struct fy_error *err)
{
	struct fy_http_request rq;
	const char *hdrs[] = { "Accept: application/json", NULL };

	fy_http_response_release(&r->resp);
	fy_http_response_init(&r->resp);
	r->resp.body.max = BODY_MAX;
	fy_jdoc_release(&r->doc);
	fy_jdoc_init(&r->doc);
	r->error_type[0] = '\0';
	fy_http_request_init(&rq, method, path);
	rq.query = query;
	rq.headers = hdrs;
	if (body) {
		rq.body = body->ptr ? body->ptr : "";
		rq.body_len = body->len;
		rq.content_type = "application/json";
	} else if (strcmp(method, "GET") != 0 && strcmp(method, "DELETE") != 0) {
		rq.body = "{}";
		rq.body_len = 2;
		rq.content_type = "application/json";
	}
	if (fy_http_do(c->http, &rq, &r->resp, err) < 0)
		return -1;
	r->status = r->resp.status;
	if (fy_http_check(c->http, &r->resp, what, err) < 0) {
		error_type(r);
		if (r->error_type[0])
			fy_error_prefix(err, "%s", r->error_type);
		/* AWS's "already exists": ferry does not overwrite (exit 13). */
		if (!strcmp(r->error_type, "ConflictException"))
			err->code = FY_E_EXISTS;
		return -1;
	}
	if (r->resp.body.len == 0)
		return fy_jdoc_parse(&r->doc, "{}", 2, 0, err);
	if (fy_jdoc_parse(&r->doc, r->resp.body.ptr, r->resp.body.len, 0, err) < 0)
		return fy_error_prefix(err, "%s: %s: response is not JSON", c->svc->endpoint_prefix,
				       what);
	return 0;
}

int fy_aws_path(struct fy_buf *out, struct fy_error *err, const char *fmt, ...)
{
	va_list ap;
	const char *p;
	int rc = 0;

	va_start(ap, fmt);
	for (p = fmt; *p && rc == 0; p++) {
		if (p[0] == '%' && p[1] == 's') {
			const char *seg = va_arg(ap, const char *);

			if (!seg || !*seg)
				rc = fy_error_set(err, FY_E_DATA, "empty path segment in %s", fmt);
			else
				rc = fy_http_encode(out, seg, strlen(seg), 0, err);
			p++;
		} else {
			rc = fy_buf_addc(out, *p, err);
		}
	}
	va_end(ap);
	return rc;
}

/* --- times -------------------------------------------------------------- */

/* "1718806000.125" exactly: integer part and up to nine fraction digits. */
static int epoch_parse(const char *s, size_t n, int64_t *sec, int32_t *nsec)
{
	size_t i = 0, digits = 0;
	int64_t v = 0;
	int32_t ns = 0;
	int neg = 0;

	if (memchr(s, 'e', n) || memchr(s, 'E', n)) {
		char buf[64];
		double d;

		if (n >= sizeof(buf))
			return -1;
		memcpy(buf, s, n);
		buf[n] = '\0';
		d = strtod(buf, NULL);
		/* Converting inf or 1e300 to int64_t is undefined (found by fuzz_agentcore). */
		if (!(d > -1e15 && d < 1e15))
			return -1;
		*sec = (int64_t)d;
		if (d < 0 && (double)*sec != d)
			(*sec)--;
		*nsec = (int32_t)((d - (double)*sec) * 1e9 + 0.5);
		if (*nsec >= 1000000000) {
			(*sec)++;
			*nsec -= 1000000000;
		}
		/* Millisecond precision is what AWS sends; drop float noise below it. */
		*nsec = (*nsec + 500000) / 1000000 * 1000000;
		if (*nsec >= 1000000000) {
			(*sec)++;
			*nsec = 0;
		}
		return 0;
	}
	if (i < n && s[i] == '-') {
		neg = 1;
		i++;
	}
	for (; i < n && isdigit((unsigned char)s[i]); i++) {
		if (v > 99999999999999)	/* past year 3 million: not a time (and no overflow) */
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (i < n && s[i] == '.') {
		for (i++; i < n && isdigit((unsigned char)s[i]); i++, digits++)
			if (digits < 9)
				ns = ns * 10 + (s[i] - '0');
		for (; digits < 9; digits++)
			ns *= 10;
	}
	if (i != n || neg)
		return -1;
	*sec = v;
	*nsec = ns;
	return 0;
}

int fy_aws_time(const struct fy_jdoc *d, uint32_t i, int64_t *sec, int32_t *nsec)
{
	size_t n;
	const char *s = fy_json_raw(d, i, &n);

	if (fy_json_type(d, i) == FY_JNUMBER)
		return epoch_parse(s, n, sec, nsec);
	if (fy_json_type(d, i) != FY_JSTRING)
		return -1;
	if (n && s[n - 1] == 'Z')
		return fy_time_parse(s, n, sec, nsec);
	/* An offset: "2024-05-01T12:00:00.5+02:00". */
	if (n > 6 && (s[n - 6] == '+' || s[n - 6] == '-') && s[n - 3] == ':') {
		char buf[64];
		int off = ((s[n - 5] - '0') * 10 + (s[n - 4] - '0')) * 3600 +
			  ((s[n - 2] - '0') * 10 + (s[n - 1] - '0')) * 60;

		if (n - 6 + 2 > sizeof(buf))
			return -1;
		memcpy(buf, s, n - 6);
		buf[n - 6] = 'Z';
		if (fy_time_parse(buf, n - 5, sec, nsec) < 0)
			return -1;
		*sec += s[n - 6] == '+' ? -off : off;
		return 0;
	}
	return -1;
}

void fy_aws_epoch_text(int64_t sec, int32_t nsec, char out[40])
{
	int len;

	len = snprintf(out, 40, "%lld", (long long)sec);
	if (nsec > 0 && len > 0 && len < 28) {
		snprintf(out + len, (size_t)(40 - len), ".%09d", nsec);
		len += 10;
		while (out[len - 1] == '0')
			out[--len] = '\0';
	}
}

void fy_aws_token(const char *scope, const char *source, char out[33])
{
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 20);
	unsigned char sha[FY_SHA256_LEN];
	char hex[FY_SHA256_HEX];

	fy_buf_adds(&b, scope, NULL);
	fy_buf_addc(&b, '\0', NULL);
	fy_buf_adds(&b, source, NULL);
	fy_sha256(b.ptr ? b.ptr : "", b.len, sha);
	fy_hex(sha, sizeof(sha), hex);
	memcpy(out, hex, 32);
	out[32] = '\0';
	fy_buf_release(&b);
}

/* --- outbox ------------------------------------------------------------- */

struct fy_outbox_item {
	struct fy_outbox_item *next;
	enum fy_item_type type;
	enum fy_kind kind;
	char *name;		/* raw path */
	char *data;
	size_t len, off;	/* off: raw bytes already read */
};

static void item_free(struct fy_outbox_item *i)
{
	if (!i)
		return;
	free(i->name);
	free(i->data);
	free(i);
}

static int push(struct fy_outbox *o, enum fy_item_type type, enum fy_kind kind, const char *name,
		const char *data, size_t len, struct fy_error *err)
{
	struct fy_outbox_item *i = calloc(1, sizeof(*i));

	if (!i)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	i->type = type;
	i->kind = kind;
	i->len = len;
	i->data = malloc(len + 1);
	i->name = name ? strdup(name) : NULL;
	if (!i->data || (name && !i->name)) {
		item_free(i);
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	memcpy(i->data, data, len);
	i->data[len] = '\0';
	if (o->tail)
		o->tail->next = i;
	else
		o->head = i;
	o->tail = i;
	o->count++;
	return 0;
}

int fy_outbox_record(struct fy_outbox *o, enum fy_kind kind, const char *json, size_t len,
		     struct fy_error *err)
{
	return push(o, FY_ITEM_RECORD, kind, NULL, json, len, err);
}

int fy_outbox_ledger(struct fy_outbox *o, const char *json, size_t len, struct fy_error *err)
{
	return push(o, FY_ITEM_LEDGER, FY_KIND_NONE, NULL, json, len, err);
}

int fy_outbox_raw(struct fy_outbox *o, const char *path, const char *data, size_t len,
		  struct fy_error *err)
{
	return push(o, FY_ITEM_RAW, FY_KIND_NONE, path, data, len, err);
}

static int raw_read(void *ctx, void *buf, size_t n, size_t *got, struct fy_error *err)
{
	struct fy_outbox_item *i = ctx;

	(void)err;
	if (n > i->len - i->off)
		n = i->len - i->off;
	memcpy(buf, i->data + i->off, n);
	i->off += n;
	*got = n;
	return 0;
}

int fy_outbox_pull(struct fy_outbox *o, struct fy_item *it)
{
	struct fy_outbox_item *i = o->head;

	item_free(o->current);
	o->current = NULL;
	if (!i)
		return 0;
	o->head = i->next;
	if (!o->head)
		o->tail = NULL;
	o->count--;
	o->current = i;
	memset(it, 0, sizeof(*it));
	it->type = i->type;
	it->kind = i->kind;
	if (i->type == FY_ITEM_RAW) {
		it->name = i->name;
		it->size = i->len;
		it->read = raw_read;
		it->ctx = i;
	} else {
		it->json = i->data;
		it->len = i->len;
	}
	return 1;
}

void fy_outbox_release(struct fy_outbox *o)
{
	struct fy_outbox_item *i, *next;

	if (!o)
		return;
	for (i = o->head; i; i = next) {
		next = i->next;
		item_free(i);
	}
	item_free(o->current);
	memset(o, 0, sizeof(*o));
}

/* The members of a stored part but blob and file, as an object. */
static void stored_part_members(struct fy_jw *w, const struct fy_jdoc *d, uint32_t part)
{
	uint32_t k, key, val;

	fy_jw_obj(w);
	FY_JSON_FOREACH_MEMBER(d, part, k, key, val) {
		char *name = fy_json_strdup(d, key, NULL);

		if (name && strcmp(name, "blob") && strcmp(name, "file")) {
			fy_jw_key(w, name);
			fy_jw_node(w, d, val);
		}
		free(name);
	}
	fy_jw_end(w);
}

int fy_aws_stored_part(struct fy_jw *w, const struct fy_jdoc *d, uint32_t part)
{
	const struct fy_schemaset *s = fy_schemaset_default(NULL);
	struct fy_buf b = FY_BUF_INIT((size_t)64 << 20);
	struct fy_error err;
	struct fy_jdoc probe;
	struct fy_jw pw;
	int ok;

	/* Only what passes as a part of a message: the text may be anyone's. */
	if (fy_json_type(d, part) != FY_JOBJECT || !s)
		return -1;
	fy_jdoc_init(&probe);
	fy_jw_init(&pw, &b);
	fy_jw_obj(&pw);
	fy_jw_kstr(&pw, "kind", "message");
	fy_jw_kstr(&pw, "id", "m");
	fy_jw_kstr(&pw, "thread", "t");
	fy_jw_key(&pw, "parent");
	fy_jw_null(&pw);
	fy_jw_kstr(&pw, "role", "user");
	fy_jw_key(&pw, "parts");
	fy_jw_arr(&pw);
	stored_part_members(&pw, d, part);
	fy_jw_end(&pw);
	fy_jw_key(&pw, "source");
	fy_jw_obj(&pw);
	fy_jw_kstr(&pw, "adapter", "aws");
	fy_jw_end(&pw);
	fy_jw_end(&pw);
	ok = fy_jw_finish(&pw, &err) == 0 && fy_jdoc_parse(&probe, b.ptr, b.len, 0, &err) == 0 &&
	     fy_schema_validate_kind(s, FY_KIND_MESSAGE, &probe, 0, 0, &err) == 0;
	fy_jdoc_release(&probe);
	fy_buf_release(&b);
	if (!ok)
		return -1;
	stored_part_members(w, d, part);
	return 0;
}

int fy_aws_held_add(struct fy_aws_heldlist *l, const char *json, size_t len, struct fy_error *err)
{
	struct fy_aws_held *h;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct fy_aws_held *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	h = &l->v[l->n];
	h->json = strndup(json, len);
	h->len = len;
	fy_jdoc_init(&h->d);
	if (!h->json)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	if (fy_jdoc_parse(&h->d, h->json, len, 0, err) < 0) {
		free(h->json);
		return -1;
	}
	l->n++;
	return 0;
}

void fy_aws_held_clear(struct fy_aws_heldlist *l)
{
	while (l->n) {
		struct fy_aws_held *h = &l->v[--l->n];

		fy_jdoc_release(&h->d);
		free(h->json);
	}
}

void fy_aws_held_release(struct fy_aws_heldlist *l)
{
	fy_aws_held_clear(l);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int fy_aws_bedrock_provider(const char *p)
{
	return p && (!strcasecmp(p, "bedrock") || !strcasecmp(p, "aws") || !strcasecmp(p, "amazon"));
}

int fy_aws_report_provider(const struct fy_adapter_ctx *ctx, const struct fy_capability *caps,
			   size_t ncaps, const struct fy_jdoc *d, const char *hint,
			   struct fy_error *err)
{
	char *prov = fy_json_get_strdup(d, fy_json_get(d, 0, "model"), "provider"), line[160];
	char *id = NULL;
	size_t i;
	int listed = 0, rc = 0;

	snprintf(line, sizeof(line), "model.provider=%s", prov ? prov : "");
	for (i = 0; i < ncaps; i++)
		listed |= caps[i].kind == FY_KIND_AGENT && caps[i].field && !strcmp(caps[i].field, line);
	if (prov && !listed && !fy_aws_bedrock_provider(prov)) {
		id = fy_json_get_strdup(d, 0, "id");
		rc = fy_aws_report(ctx, err, &(struct fy_ledger_item){ FY_KIND_AGENT, id, NULL, "model" },
				   FY_OUT_DEGRADED, "model-not-bedrock", "provider %s is not Bedrock: %s",
				   prov, hint);
	}
	free(prov);
	free(id);
	return rc;
}

void fy_aws_source_ext(struct fy_jw *w, const char *adapter, const char *id,
		       const struct fy_jdoc *d, uint32_t url)
{
	fy_jw_key(w, "source");
	fy_jw_obj(w);
	fy_jw_kstr(w, "adapter", adapter);
	fy_jw_kstr(w, "id", id);
	if (d)
		fy_jw_knode_opt(w, "url", d, url);
	fy_jw_end(w);
	fy_jw_key(w, "ext");
	fy_jw_obj(w);
	fy_jw_key(w, adapter);
	fy_jw_obj(w);
}

/* --- ledger ------------------------------------------------------------- */

static int ledger_vline(struct fy_buf *out, struct fy_error *err, const struct fy_ledger_item *item,
			enum fy_outcome o, const char *rule, const char *adapter, const char *phase,
			const char *fmt, va_list ap)
{
	char reason[1024];

	vsnprintf(reason, sizeof(reason), fmt, ap);
	fy_buf_reset(out);
	return fy_ledger_format(out, item, o, rule, reason, adapter, phase, err);
}

int fy_aws_ledger_line(struct fy_buf *out, struct fy_error *err, const struct fy_ledger_item *item,
		       enum fy_outcome o, const char *rule, const char *adapter, const char *phase,
		       const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = ledger_vline(out, err, item, o, rule, adapter, phase, fmt, ap);
	va_end(ap);
	return rc;
}

int fy_aws_export_line(struct fy_outbox *o, struct fy_error *err, const char *adapter,
		       const struct fy_ledger_item *item, enum fy_outcome oc, const char *rule,
		       const char *fmt, ...)
{
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 20);
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = ledger_vline(&b, err, item, oc, rule, adapter, "export", fmt, ap);
	va_end(ap);
	if (rc == 0)
		rc = fy_outbox_ledger(o, b.ptr, b.len, err);
	fy_buf_release(&b);
	return rc;
}

int fy_aws_report(const struct fy_adapter_ctx *ctx, struct fy_error *err,
		  const struct fy_ledger_item *item, enum fy_outcome o, const char *rule,
		  const char *fmt, ...)
{
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 20);
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = ledger_vline(&b, err, item, o, rule, ctx->name, "import", fmt, ap);
	va_end(ap);
	if (rc == 0) {
		fy_aws_log(ctx, FY_LOG_INFO, "%s: ledger: %s", ctx->name, b.ptr);
		if (ctx->ledger)
			rc = ctx->ledger(ctx->cb, b.ptr, b.len, err);
	}
	fy_buf_release(&b);
	return rc;
}

static int skipped(const char *const *skip, const char *rule)
{
	for (; skip && *skip; skip++)
		if (rule && !strcmp(*skip, rule))
			return 1;
	return 0;
}

static const char *cap_rule(const struct fy_capability *c)
{
	return c->rule ? c->rule : fy_cap_level_name(c->write);
}

/* Every {"$secret": NAME} under v: one held_back line each. */
static int report_secrets(const struct fy_adapter_ctx *ctx, const struct fy_ledger_item *it,
			  const struct fy_jdoc *d, uint32_t v, struct fy_error *err)
{
	uint32_t k, key, val;

	if (fy_json_type(d, v) == FY_JARRAY) {
		FY_JSON_FOREACH(d, v, k, val)
			if (report_secrets(ctx, it, d, val, err) < 0)
				return -1;
		return 0;
	}
	if (fy_json_type(d, v) != FY_JOBJECT)
		return 0;
	if (fy_json_len(d, v) == 1 && fy_json_type(d, fy_json_get(d, v, "$secret")) == FY_JSTRING) {
		char *name = fy_json_get_strdup(d, v, "$secret");
		int rc = fy_aws_report(ctx, err, it, FY_OUT_HELD_BACK, "rebind-secret",
				       "secret %s is not carried: bind it at %s", name ? name : "?",
				       ctx->name);

		free(name);
		return rc;
	}
	FY_JSON_FOREACH_MEMBER(d, v, k, key, val)
		if (report_secrets(ctx, it, d, val, err) < 0)
			return -1;
	return 0;
}

int fy_aws_report_table(const struct fy_adapter_ctx *ctx, const struct fy_capability *caps,
			size_t ncaps, const struct fy_jdoc *d, const char *const *skip,
			struct fy_error *err)
{
	const struct fy_capability *whole = NULL, *typed = NULL, *secret = NULL;
	char *kname = fy_json_get_strdup(d, 0, "kind"), *id = fy_json_get_strdup(d, 0, "id");
	char *thread = NULL, path[128] = "", last[128] = "", places[40];
	struct fy_ledger_item it = { FY_KIND_NONE, NULL, NULL, NULL };
	int last_hit = 0, rc = -1;
	size_t i;

	it.kind = kname ? fy_kind_from_name(kname, strlen(kname)) : FY_KIND_NONE;
	if (it.kind == FY_KIND_MESSAGE)
		thread = fy_json_get_strdup(d, 0, "thread");
	it.id = id;
	it.thread = thread;
	for (i = 0; i < ncaps; i++) {
		const struct fy_capability *c = &caps[i];

		if (c->field && !strcmp(c->field, "$secret") &&
		    (c->kind == it.kind || c->kind == FY_KIND_NONE))
			secret = c;
		if (c->kind != it.kind)
			continue;
		if (!c->field && !whole)
			whole = c;
		else if (c->field && !strncmp(c->field, "type=", 5) && !typed &&
			 fy_capability_count(d, 0, c->field))
			typed = c;
	}
	if (typed)
		whole = typed;
	if (whole && fy_cap_outcome(whole->write) != FY_OUT_PRESERVED &&
	    !skipped(skip, cap_rule(whole)) &&
	    fy_aws_report(ctx, err, &it, fy_cap_outcome(whole->write), cap_rule(whole), "%s",
			  whole->note ? whole->note : "") < 0)
		goto out;
	for (i = 0; i < ncaps; i++) {
		const struct fy_capability *c = &caps[i];
		uint64_t n;
		int value;

		if (c->kind != it.kind || !c->field || !strncmp(c->field, "type=", 5) ||
		    !strcmp(c->field, "$secret"))
			continue;
		fy_capability_path(c->field, path, sizeof(path), &value);
		if (strcmp(path, last)) {
			snprintf(last, sizeof(last), "%s", path);
			last_hit = 0;
		} else if (!value && last_hit) {
			continue;
		}
		n = fy_capability_count(d, 0, c->field);
		if (!n)
			continue;
		last_hit = 1;
		it.field = c->field;
		if (fy_cap_outcome(c->write) == FY_OUT_PRESERVED || skipped(skip, cap_rule(c)))
			continue;
		if (n > 1)
			snprintf(places, sizeof(places), " (%llu places)", (unsigned long long)n);
		else
			places[0] = '\0';
		if (fy_aws_report(ctx, err, &it, fy_cap_outcome(c->write), cap_rule(c), "%s%s",
				  c->note ? c->note : "", places) < 0)
			goto out;
	}
	it.field = "$secret";
	if (!(secret && secret->write == FY_CAP_NATIVE) && report_secrets(ctx, &it, d, 0, err) < 0)
		goto out;
	rc = 0;
out:
	free(kname);
	free(id);
	free(thread);
	return rc;
}
