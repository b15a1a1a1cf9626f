/*
 * recscan.c - the credential scan of one parsed record. See recscan.h.
 */
#include "recscan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secrets.h"

void fy_recscan_init(struct fy_recscan *s, enum fy_secret_mode mode, const char *adapter)
{
	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->adapter = adapter;
	fy_buf_init(&s->out, (size_t)64 << 20);
	fy_buf_init(&s->notes, (size_t)64 << 20);
	fy_buf_init(&s->str, (size_t)64 << 20);
	fy_buf_init(&s->red, (size_t)64 << 20);
}

void fy_recscan_release(struct fy_recscan *s)
{
	if (!s)
		return;
	fy_buf_release(&s->out);
	fy_buf_release(&s->notes);
	fy_buf_release(&s->str);
	fy_buf_release(&s->red);
	free(s->id);
	s->id = NULL;
}

/* Configuration, where a credential belongs in a {"$secret": NAME} reference. */
static int is_config(enum fy_kind k)
{
	return k == FY_KIND_AGENT || k == FY_KIND_TOOL || k == FY_KIND_KNOWLEDGE ||
	       k == FY_KIND_WORKFLOW;
}

/* Decoded string i holds a credential shape. */
static int decoded_has_shape(struct fy_recscan *s, const struct fy_jdoc *d, uint32_t i)
{
	struct fy_secret_match m;

	fy_buf_reset(&s->str);
	if (fy_json_str(d, i, &s->str, NULL) < 0)
		return 1;	/* let the full scan report it */
	return fy_secret_find(s->str.ptr, s->str.len, 0, &m);
}

/*
 * The quick look: whether any string of d could hold a credential - a
 * shape in the record's text as written, or in a string whose escapes
 * could hide one, or a string value under a key that names one. It may
 * say yes where the full scan then finds nothing (a key word in one string
 * whose value is in the next), never no where it would find something.
 * One pass over the whole text costs far less than one per string.
 */
static int may_hold_credential(struct fy_recscan *s, const struct fy_jdoc *d)
{
	struct fy_secret_match m;
	uint32_t i, k, key, val;

	if (!d->n || fy_secret_find_raw(d->text + d->nodes[0].off,
					d->nodes[0].end - d->nodes[0].off, &m))
		return 1;
	for (i = 0; i < d->n; i++) {
		switch (fy_json_type(d, i)) {
		case FY_JSTRING:
			/*
			 * fy_secret_find_raw reads \n, \" and the like as what they
			 * stand for; \u escapes (\u00e9) and \/ can hide a shape from it.
			 * Escapes only shorten a string: a raw text this short
			 * decodes shorter still.
			 */
			if (fy_json_has_opaque_escapes(d, i) &&
			    d->nodes[i].end - d->nodes[i].off >= FY_SECRET_MIN_LEN &&
			    decoded_has_shape(s, d, i))
				return 1;
			break;
		case FY_JOBJECT:
			FY_JSON_FOREACH_MEMBER(d, i, k, key, val) {
				size_t kl, vl;
				const char *ks = fy_json_raw(d, key, &kl);

				if (fy_json_type(d, val) == FY_JSTRING && (fy_json_raw(d, val, &vl), vl >= 8) &&
				    fy_secret_key_name(ks, kl))
					return 1;
			}
			break;
		default:
			break;
		}
	}
	return 0;
}

static void path_push(struct fy_recscan *s, const char *key, size_t n, uint32_t k)
{
	int w;

	if (key)
		w = snprintf(s->path + s->plen, sizeof(s->path) - s->plen, "%s%.*s",
			     s->plen ? "." : "", (int)(n > 60 ? 60 : n), key);
	else
		w = snprintf(s->path + s->plen, sizeof(s->path) - s->plen, "[%u]", (unsigned)k);
	if (w > 0)
		s->plen = s->plen + (size_t)w < sizeof(s->path) ? s->plen + (size_t)w
							       : sizeof(s->path) - 1;
}

static void path_pop(struct fy_recscan *s, size_t old)
{
	s->plen = old;
	s->path[old] = '\0';
}

/* Note one string holding a credential: a ledger line, or a refusal. */
static int note_secret(struct fy_recscan *s, enum fy_secret_kind kind, size_t count,
		       struct fy_error *err)
{
	int redact = s->mode == FY_SECRETS_REDACT;
	const char *kname = fy_kind_name(s->kind) ? fy_kind_name(s->kind) : "record";
	struct fy_buf field = FY_BUF_INIT(1024);
	struct fy_buf *n = &s->notes;
	size_t dummy = 0;
	int rc = -1;

	/* A key can be credential-shaped too: never repeat one. */
	if (fy_secret_redact(s->path, s->plen, &field, &dummy, err) < 0)
		goto out;
	if (is_config(s->kind) && !redact) {
		rc = fy_error_set(err, FY_E_DATA,
				  "%s '%s': field '%s' holds what looks like a literal %s; store a "
				  "{\"$secret\": NAME} reference instead, or export with --redact",
				  kname, s->id ? s->id : "", field.ptr ? field.ptr : "",
				  fy_secret_kind_name(kind));
		goto out;
	}
	s->found++;
	if (fy_buf_addf(n, err, "{\"item\":{\"kind\":\"%s\"", kname) < 0 ||
	    (s->id && (fy_buf_adds(n, ",\"id\":", err) < 0 ||
		       fy_buf_add_jstr(n, s->id, strlen(s->id), err) < 0)) ||
	    fy_buf_adds(n, ",\"field\":", err) < 0 ||
	    fy_buf_add_jstr(n, field.ptr ? field.ptr : "", field.len, err) < 0 ||
	    fy_buf_addf(n, err,
			"},\"outcome\":\"%s\",\"rule\":\"secret-in-text\",\"reason\":\"%s%s%s\"",
			redact ? "transformed" : "warning",
			count > 1 ? "holds credentials, the first like " : "holds what looks like ",
			fy_secret_kind_name(kind),
			redact ? "; replaced by [REDACTED:<kind>]"
			       : "; left in place (export with --redact to replace it)") < 0)
		goto out;
	if (s->adapter && (fy_buf_adds(n, ",\"adapter\":", err) < 0 ||
			   fy_buf_add_jstr(n, s->adapter, strlen(s->adapter), err) < 0))
		goto out;
	rc = fy_buf_adds(n, ",\"phase\":\"export\"}\n", err);
out:
	fy_buf_release(&field);
	return rc;
}

/* String i (under member name key, or FY_JNONE) to s->out, its credentials replaced. */
static int scan_string(struct fy_recscan *s, const struct fy_jdoc *d, uint32_t i, uint32_t key,
		       struct fy_error *err)
{
	struct fy_secret_match m;
	size_t count = 0, len;
	const char *raw = fy_json_raw(d, i, &len);
	enum fy_secret_kind kind = FY_SECRET_NONE;

	fy_buf_reset(&s->str);
	if (fy_json_str(d, i, &s->str, err) < 0)
		return -1;
	if (fy_secret_find(s->str.ptr, s->str.len, 0, &m)) {
		kind = m.kind;
		fy_buf_reset(&s->red);
		if (fy_secret_redact(s->str.ptr, s->str.len, &s->red, &count, err) < 0)
			return -1;
	} else if (key != FY_JNONE && fy_secret_literal(s->str.ptr, s->str.len)) {
		size_t kl;
		const char *ks = fy_json_raw(d, key, &kl);

		if (fy_secret_key_name(ks, kl)) {
			kind = FY_SECRET_CREDENTIAL;
			count = 1;
			fy_buf_reset(&s->red);
			if (fy_buf_adds(&s->red, "[REDACTED:credential]", err) < 0)
				return -1;
		}
	}
	if (kind != FY_SECRET_NONE && note_secret(s, kind, count, err) < 0)
		return -1;
	if (kind != FY_SECRET_NONE && s->mode == FY_SECRETS_REDACT)
		return fy_buf_add_jstr(&s->out, s->red.ptr, s->red.len, err);
	/* A string left as it was. */
	if (fy_buf_addc(&s->out, '"', err) < 0 || fy_buf_add(&s->out, raw, len, err) < 0)
		return -1;
	return fy_buf_addc(&s->out, '"', err);
}

/* Copy value i to s->out, replacing credentials in strings (key: its member name). */
static int scan_value(struct fy_recscan *s, const struct fy_jdoc *d, uint32_t i, uint32_t key,
		      struct fy_error *err)
{
	size_t old = s->plen, len;
	const char *raw = fy_json_raw(d, i, &len);
	uint32_t k, kn, vn, el;

	switch (fy_json_type(d, i)) {
	case FY_JOBJECT:
		if (fy_buf_addc(&s->out, '{', err) < 0)
			return -1;
		FY_JSON_FOREACH_MEMBER(d, i, k, kn, vn) {
			size_t kl;
			const char *ks = fy_json_raw(d, kn, &kl);

			if ((k && fy_buf_addc(&s->out, ',', err) < 0) ||
			    fy_buf_addc(&s->out, '"', err) < 0 || fy_buf_add(&s->out, ks, kl, err) < 0 ||
			    fy_buf_adds(&s->out, "\":", err) < 0)
				return -1;
			path_push(s, ks, kl, 0);
			if (scan_value(s, d, vn, kn, err) < 0)
				return -1;
			path_pop(s, old);
		}
		return fy_buf_addc(&s->out, '}', err);
	case FY_JARRAY:
		if (fy_buf_addc(&s->out, '[', err) < 0)
			return -1;
		FY_JSON_FOREACH(d, i, k, el) {
			if (k && fy_buf_addc(&s->out, ',', err) < 0)
				return -1;
			path_push(s, NULL, 0, k);
			if (scan_value(s, d, el, FY_JNONE, err) < 0)
				return -1;
			path_pop(s, old);
		}
		return fy_buf_addc(&s->out, ']', err);
	case FY_JSTRING:
		return scan_string(s, d, i, key, err);
	default:
		return fy_buf_add(&s->out, raw, len, err);
	}
}

/* The record's kind and its id (redacted: an id can be credential-shaped too). */
static void record_name(struct fy_recscan *s, const struct fy_jdoc *d)
{
	uint32_t kv = fy_json_get(d, 0, "kind");
	size_t klen, dummy = 0;
	const char *ks = fy_json_raw(d, kv, &klen);
	char *id = fy_json_get_strdup(d, 0, "id");

	s->kind = fy_json_type(d, kv) == FY_JSTRING ? fy_kind_from_name(ks, klen) : FY_KIND_NONE;
	free(s->id);
	s->id = NULL;
	if (id) {
		struct fy_buf b = FY_BUF_INIT(4096);

		if (fy_secret_redact(id, strlen(id), &b, &dummy, NULL) == 0)
			s->id = fy_buf_detach(&b, NULL);
		fy_buf_release(&b);
		free(id);
	}
}

int fy_recscan_record(struct fy_recscan *s, const struct fy_jdoc *d, struct fy_error *err)
{
	fy_buf_reset(&s->notes);
	fy_buf_reset(&s->out);
	s->found = 0;
	if (s->mode == FY_SECRETS_OFF || !may_hold_credential(s, d))
		return 0;
	s->plen = 0;
	s->path[0] = '\0';
	record_name(s, d);
	if (scan_value(s, d, 0, FY_JNONE, err) < 0)
		return fy_error_prefix(err, "secret scan");
	return s->found ? 1 : 0;
}
