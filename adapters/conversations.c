/*
 * conversations.c - the OpenAI-shaped Conversations/Responses surface,
 * export and import, and the common import sink. See conversations.h.
 *
 * Endpoints (openai/openai-openapi openapi.json 2.3.0; Azure AI Projects
 * 2025-11-15-preview serves the same under /openai):
 *   GET  /conversations/{id}                 getConversation
 *   GET  /conversations/{id}/items           listConversationItems: limit 1-100
 *        (default 20), order asc|desc (default desc: we ask asc), after,
 *        include[] (IncludeEnum: all seven values)
 *   POST /conversations                      createConversation {metadata, items <= 20}
 *   POST /conversations/{id}                 updateConversation {metadata}
 *   POST /conversations/{id}/items           createConversationItems {items: maxItems 20}
 *   GET  /responses/{id}, /responses/{id}/input_items   getResponse, listInputItems
 *   GET  /chatkit/threads[/{id}[/items]]     with OpenAI-Beta: chatkit_beta=v1
 *   GET  /files (limit up to 10,000), POST /files (multipart/form-data:
 *        purpose, file; up to 512 MB)
 * Metadata: 16 pairs, keys up to 64 characters, values up to 512.
 */
#include "conversations.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws.h"
#include "fidelity.h"
#include "idset.h"
#include "sha256.h"
#include "zstream.h"

const char *const oai_includes[] = {
	"code_interpreter_call.outputs",	"computer_call_output.output.image_url",
	"file_search_call.results",		"message.input_image.image_url",
	"message.output_text.logprobs",		"reasoning.encrypted_content",
	"web_search_call.action.sources",	NULL,
};

static int add_includes(struct live_req *r, struct fy_error *err)
{
	size_t i;

	for (i = 0; oai_includes[i]; i++)
		if (live_req_param(r, "include[]", oai_includes[i], err) < 0)
			return -1;
	return 0;
}

/* --- export ------------------------------------------------------------------- */

enum unit_kind { U_CONV, U_RESP, U_CHATKIT };

struct conv_unit {
	struct live_unit u;
	struct oai_api *a;
	enum unit_kind kind;
	const char *id;
	int step;
	int more;
	int have_head;
	char *after;
	struct fy_buf head;		/* the conversation / response / thread object */
	struct fy_buf msgs;		/* message records, one a line */
	char tid[FY_ID_MAX + 1];
	char last[FY_ID_MAX + 1];
	struct fy_jdoc doc;
};

static int unit_next(struct live_unit *lu, struct live_req *r, struct fy_error *err)
{
	struct conv_unit *u = (struct conv_unit *)lu;
	const char *p = u->a->prefix;
	char lim[16];
	int again = 1;

	if (!u->step) {
		/* The object and the first page of its items, side by side. */
		if (u->kind == U_CONV && live_req_set(r, "GET", err, "%s/conversations/", p) < 0)
			return -1;
		if (u->kind == U_RESP && live_req_set(r, "GET", err, "%s/responses/", p) < 0)
			return -1;
		if (u->kind == U_CHATKIT && live_req_set(r, "GET", err, "/chatkit/threads/") < 0)
			return -1;
		if (live_req_path_enc(r, u->id, err) < 0 || (u->kind == U_RESP && add_includes(r, err) < 0))
			return -1;
		u->step = 1;
		u->more = 1;
	} else {
		if (!u->more)
			return 0;
		if (live_req_set(r, "GET", err, u->kind == U_CHATKIT ? "/chatkit/threads/" :
				 u->kind == U_RESP ? "%s/responses/" : "%s/conversations/", p) < 0 ||
		    live_req_path_enc(r, u->id, err) < 0 ||
		    fy_buf_adds(&r->path, u->kind == U_RESP ? "/input_items" : "/items", err) < 0)
			return -1;
		snprintf(lim, sizeof(lim), "%d", u->a->page_size);
		if (live_req_param(r, "limit", lim, err) < 0 || live_req_param(r, "order", "asc", err) < 0 ||
		    (u->kind != U_CHATKIT && add_includes(r, err) < 0) ||
		    (u->after && live_req_param(r, "after", u->after, err) < 0))
			return -1;
		u->more = 0;	/* until its answer says there is more */
		again = 0;
	}
	if (u->kind == U_CHATKIT)
		r->extra[0] = "OpenAI-Beta: chatkit_beta=v1";
	return again ? 2 : 1;
}

static int unit_take(struct live_unit *lu, struct fy_http_response *resp, struct fy_error *err)
{
	struct conv_unit *u = (struct conv_unit *)lu;
	static const char *const what[] = { "conversation", "response", "ChatKit thread" };
	char label[300];
	uint32_t data, k, it;

	snprintf(label, sizeof(label), "%s %s", what[u->kind], u->id);
	if (fy_http_check(u->a->client->http, resp, label, err) < 0)
		return -1;
	if (fy_jdoc_parse(&u->doc, resp->body.ptr ? resp->body.ptr : "", resp->body.len, 0, err) < 0)
		return fy_error_prefix(err, "%s: %s", u->a->adapter, label);
	if (!u->have_head) {
		u->have_head = 1;
		fy_buf_reset(&u->head);
		if (fy_json_emit(&u->doc, 0, &u->head, err) < 0)
			return -1;
		fy_id_make(u->id, strlen(u->id), u->tid);
		return 0;
	}
	data = fy_json_get(&u->doc, 0, "data");
	if (fy_json_type(&u->doc, data) != FY_JARRAY)
		return fy_error_set(err, FY_E_DATA, "%s: %s: a page without 'data'", u->a->adapter, label);
	FY_JSON_FOREACH(&u->doc, data, k, it) {
		char id[FY_ID_MAX + 1];
		int rc;

		if (u->kind == U_CHATKIT)
			rc = oai_chatkit_message(&u->a->map, &u->doc, it, u->tid, u->last[0] ? u->last : NULL,
						 id, &u->msgs, err);
		else
			rc = oai_item_message(&u->a->map, &u->doc, it, u->tid, u->last[0] ? u->last : NULL,
					      id, &u->msgs, err);
		if (rc < 0 || fy_buf_addc(&u->msgs, '\n', err) < 0)
			return fy_error_prefix(err, "%s: %s", u->a->adapter, label);
		memcpy(u->last, id, sizeof(id));
	}
	u->more = fy_json_type(&u->doc, fy_json_get(&u->doc, 0, "has_more")) == FY_JTRUE &&
		  fy_json_len(&u->doc, data) > 0;
	free(u->after);
	u->after = u->more ? fy_json_get_strdup(&u->doc, fy_json_at(&u->doc, data, fy_json_len(&u->doc, data) - 1), "id")
			   : NULL;
	if (u->more && !u->after)
		return fy_error_set(err, FY_E_DATA, "%s: %s: the last item of a page has no id",
				    u->a->adapter, label);
	return 0;
}

static const struct live_unit_ops unit_ops = { .next = unit_next, .take = unit_take };

static void unit_release(struct conv_unit *u)
{
	free(u->after);
	fy_buf_release(&u->head);
	fy_buf_release(&u->msgs);
	fy_jdoc_release(&u->doc);
}

/* Queue a response's output items after its input items. */
static int response_output(struct conv_unit *u, struct fy_error *err)
{
	uint32_t out = fy_json_get(&u->doc, 0, "output"), k, it;
	struct oai_map m = u->a->map;
	char *model = fy_json_get_strdup(&u->doc, 0, "model");
	int64_t created = live_get_int(&u->doc, 0, "created_at", 0);
	int rc = 0;

	m.model = model;
	m.created = created;
	FY_JSON_FOREACH(&u->doc, out, k, it) {
		char id[FY_ID_MAX + 1];

		if (oai_item_message(&m, &u->doc, it, u->tid, u->last[0] ? u->last : NULL, id, &u->msgs,
				     err) < 0 ||
		    fy_buf_addc(&u->msgs, '\n', err) < 0) {
			rc = fy_error_prefix(err, "%s: response %s", u->a->adapter, u->id);
			break;
		}
		memcpy(u->last, id, sizeof(id));
	}
	free(model);
	return rc;
}

/* Queue a finished unit: its thread record, then its messages. */
static int unit_queue(struct conv_unit *u, struct live_queue *q, struct fy_error *err)
{
	struct fy_buf rec = FY_BUF_INIT((size_t)64 << 20);
	const char *p, *end;
	int rc = -1;

	if (fy_jdoc_parse(&u->doc, u->head.ptr, u->head.len, 0, err) < 0)
		goto out;
	if (u->kind == U_RESP && response_output(u, err) < 0)
		goto out;
	if ((u->kind == U_CONV ? oai_conversation_thread(&u->a->map, &u->doc, 0, u->last[0] ? u->last : NULL, &rec, err)
	     : u->kind == U_RESP ? oai_response_thread(&u->a->map, &u->doc, 0, u->last[0] ? u->last : NULL, &rec, err)
				 : oai_chatkit_thread(&u->a->map, &u->doc, 0, u->last[0] ? u->last : NULL, &rec, err)) < 0 ||
	    live_queue_json(q, FY_ITEM_RECORD, rec.ptr, rec.len, err) < 0)
		goto out;
	for (p = u->msgs.ptr; p && *p; p = end + 1) {
		end = strchr(p, '\n');
		if (!end)
			break;
		if (live_queue_json(q, FY_ITEM_RECORD, p, (size_t)(end - p), err) < 0)
			goto out;
	}
	rc = 0;
out:
	fy_buf_release(&rec);
	return rc;
}

static int export_units(struct oai_api *a, enum unit_kind kind, char *const *ids, size_t n,
			struct live_queue *q, struct fy_error *err)
{
	size_t w = a->window ? a->window : 16, start, i;
	struct conv_unit *units = calloc(w, sizeof(*units));
	struct live_unit **ptrs = calloc(w, sizeof(*ptrs));
	int rc = 0;

	if (!units || !ptrs) {
		free(units);
		free(ptrs);
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	for (start = 0; start < n; start += w) {
		size_t m = n - start < w ? n - start : w;

		for (i = 0; i < m; i++) {
			memset(&units[i], 0, sizeof(units[i]));
			units[i].u.ops = &unit_ops;
			units[i].a = a;
			units[i].kind = kind;
			units[i].id = ids[start + i];
			fy_buf_init(&units[i].head, (size_t)64 << 20);
			fy_buf_init(&units[i].msgs, (size_t)1 << 34);
			fy_jdoc_init(&units[i].doc);
			ptrs[i] = &units[i].u;
		}
		rc = live_run_units(a->client, ptrs, m, err);
		for (i = 0; i < m; i++) {
			if (rc == 0 && unit_queue(&units[i], q, err) < 0)
				rc = -1;
			unit_release(&units[i]);
		}
		if (rc < 0)
			break;
	}
	free(units);
	free(ptrs);
	return rc;
}

int oai_export_conversations(struct oai_api *a, char *const *ids, size_t n, struct live_queue *q,
			     struct fy_error *err)
{
	return export_units(a, U_CONV, ids, n, q, err);
}

int oai_export_responses(struct oai_api *a, char *const *ids, size_t n, struct live_queue *q,
			 struct fy_error *err)
{
	return export_units(a, U_RESP, ids, n, q, err);
}

int oai_export_chatkit(struct oai_api *a, char *const *ids, size_t n, struct live_queue *q,
		       struct fy_error *err)
{
	return export_units(a, U_CHATKIT, ids, n, q, err);
}

int oai_kind_wanted(unsigned kinds, enum fy_kind k, int agents_hold_tools)
{
	if (!kinds)
		return 1;
	if (k == FY_KIND_THREAD)
		return (kinds >> FY_KIND_THREAD & 1) || (kinds >> FY_KIND_MESSAGE & 1);
	if (k == FY_KIND_AGENT && agents_hold_tools)
		return (kinds >> FY_KIND_AGENT & 1) || (kinds >> FY_KIND_TOOL & 1);
	return kinds >> k & 1;
}

int oai_queue_blob(struct live_queue *q, struct fy_idset *blobs, const void *p, size_t n, char hex[65],
		   struct fy_error *err)
{
	unsigned char sha[FY_SHA256_LEN];
	int added;

	fy_sha256(p, n, sha);
	fy_hex(sha, sizeof(sha), hex);
	added = fy_idset_add(blobs, fy_fingerprint('b', hex, 64), err);
	if (added <= 0)
		return added;
	return live_queue_blob_mem(q, p, n, hex, err);
}

int oai_add_id(char ***v, size_t *n, const char *id, struct fy_error *err)
{
	char **p;
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*v)[i], id))
			return 0;
	p = realloc(*v, (*n + 1) * sizeof(char *));
	if (!p)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	*v = p;
	if (!(p[*n] = strdup(id)))
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	(*n)++;
	return 0;
}

void oai_free_ids(char **ids, size_t n)
{
	live_free_list(ids, n);
}

int oai_list_ids(struct oai_api *a, const char *path, const char *header, const char *idkey,
		 int missing_ok, char ***ids, size_t *n, struct fy_error *err)
{
	return live_list(a->client, path, header, NULL, idkey, 1, missing_ok, ids, n, err) < 0 ? -1 : 0;
}

/* --- import: the common sink ------------------------------------------------------- */

static int add_rec(struct oai_sink *s, enum fy_kind k, const char *json, size_t len, const char *id,
		   struct fy_error *err)
{
	struct oai_rec *r;

	if (s->nrecs[k] == s->caprecs[k]) {
		size_t cap = s->caprecs[k] ? s->caprecs[k] * 2 : 16;
		struct oai_rec *p = realloc(s->recs[k], cap * sizeof(*p));

		if (!p)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		s->recs[k] = p;
		s->caprecs[k] = cap;
	}
	r = &s->recs[k][s->nrecs[k]];
	r->json = malloc(len + 1);
	r->id = strdup(id);
	if (!r->json || !r->id) {
		free(r->json);
		free(r->id);
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	memcpy(r->json, json, len);
	r->json[len] = '\0';
	r->len = len;
	s->nrecs[k]++;
	return 0;
}

int oai_sink_create(const struct fy_adapter_ctx *ctx, const struct fy_header *hdr,
		    const struct oai_sink_spec *spec, void **state, struct fy_error *err)
{
	struct oai_sink *s = calloc(1, sizeof(*s));
	char account[sizeof(s->client.account)];

	if (!s)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	if (spec->client(&s->client, ctx, err) < 0) {
		free(s);
		return -1;
	}
	s->has_client = 1;
	snprintf(account, sizeof(account), "%s", s->client.account);
	if (ctx->dry_run) {
		live_client_close(&s->client);
		s->has_client = 0;
	}
	s->api.client = s->has_client ? &s->client : NULL;
	s->api.adapter = spec->adapter;
	s->api.prefix = spec->prefix;
	s->api.page_size = 100;
	s->caps = spec->caps;
	s->ncaps = spec->ncaps;
	if (oai_sink_open(s, ctx, spec->adapter, account, hdr, spec->ops, err) < 0) {
		oai_sink_free(s);
		return -1;
	}
	*state = s;
	return 0;
}

int oai_sink_open(struct oai_sink *s, const struct fy_adapter_ctx *ctx, const char *adapter,
		  const char *account, const struct fy_header *hdr, const struct oai_sink_ops *ops,
		  struct fy_error *err)
{
	char path[4400];

	s->ops = ops;
	s->threads_fd = -1;
	s->dry = ctx->dry_run;
	fy_buf_init(&s->scratch, (size_t)64 << 20);
	if (live_sink_open(&s->live, ctx, adapter, account, hdr, err) < 0)
		return -1;
	s->live.client = s->has_client ? &s->client : NULL;
	s->same_account = hdr && hdr->source_account && !strcmp(hdr->source_account, account);
	if (s->dry) {
		s->threads_fd = live_tmpfile(err);
		return s->threads_fd < 0 ? -1 : 0;
	}
	snprintf(path, sizeof(path), "%s/blobs", s->live.spool);
	if (mkdir(path, 0700) < 0)
		return fy_error_errno(err, errno, "%s", path);
	snprintf(path, sizeof(path), "%s/threads.jsonl", s->live.spool);
	s->threads_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (s->threads_fd < 0)
		return fy_error_errno(err, errno, "%s", path);
	return 0;
}

void oai_sink_close(struct oai_sink *s)
{
	int k;
	size_t i;

	if (!s)
		return;
	for (k = 0; k < FY_KIND__COUNT; k++) {
		for (i = 0; i < s->nrecs[k]; i++) {
			free(s->recs[k][i].json);
			free(s->recs[k][i].id);
		}
		free(s->recs[k]);
	}
	if (s->threads_fd >= 0)
		close(s->threads_fd);
	free(s->blob_hex);
	free(s->blob_size);
	fy_buf_release(&s->scratch);
	live_sink_close(&s->live);
	if (s->has_client)
		live_client_close(&s->client);
}

static int spool_blob(struct oai_sink *s, const struct fy_item *it, struct fy_error *err)
{
	char path[4400], buf[65536];
	size_t got;
	int fd = -1, rc = -1;

	if (s->nblobs == s->capblobs) {
		size_t cap = s->capblobs ? s->capblobs * 2 : 64;
		char (*h)[65] = realloc(s->blob_hex, cap * sizeof(*h));
		uint64_t *z;

		if (!h)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		s->blob_hex = h;
		z = realloc(s->blob_size, cap * sizeof(*z));
		if (!z)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		s->blob_size = z;
		s->capblobs = cap;
	}
	snprintf(s->blob_hex[s->nblobs], 65, "%s", it->name);
	s->blob_size[s->nblobs] = it->size;
	if (s->dry) {
		s->nblobs++;
		return 0;
	}
	snprintf(path, sizeof(path), "%s/blobs/%s", s->live.spool, it->name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return fy_error_errno(err, errno, "%s", path);
	for (;;) {
		if (it->read(it->ctx, buf, sizeof(buf), &got, err) < 0)
			goto out;
		if (!got)
			break;
		if (fy_write_all(fd, buf, got, path, err) < 0)
			goto out;
	}
	s->nblobs++;
	rc = 0;
out:
	close(fd);
	return rc;
}

/*
 * The done-ledger lines of a record handed over: the table's, then those
 * its contents decide (metadata that does not fit; the adapter's check).
 * They do not depend on the run, so a re-run reports them again.
 */
static int put_lines(struct oai_sink *s, enum fy_kind k, const struct fy_jdoc *d, const char *id,
		     struct fy_error *err)
{
	if (fy_aws_report_table(s->live.ctx, s->caps, s->ncaps, d, NULL, err) < 0)
		return -1;
	if (k == FY_KIND_THREAD) {
		struct oai_extras x;
		const char *extra[12];
		char key[512];
		int rc;

		oai_record_extras(d, id, &x, extra);
		live_sink_key(&s->live, id, key, sizeof(key));
		rc = oai_sink_metadata(s, NULL, d, fy_json_get(d, 0, "metadata"), "thread", id, key, extra, 1,
				       err);
		oai_extras_release(&x);
		return rc;
	}
	return s->ops && s->ops->check && k != FY_KIND_MESSAGE ? s->ops->check(s, k, d, id, err) : 0;
}

int oai_sink_put(struct oai_sink *s, const struct fy_item *it, struct fy_error *err)
{
	struct fy_jdoc d;
	enum fy_kind k;
	char *id;
	int rc;

	if (it->type == FY_ITEM_BLOB)
		return spool_blob(s, it, err);
	if (it->type != FY_ITEM_RECORD)
		return 0;	/* export ledgers and raw members stay in the archive */
	fy_jdoc_init(&d);
	if (fy_jdoc_parse(&d, it->json, it->len, 0, err) < 0) {
		fy_jdoc_release(&d);
		return -1;
	}
	{
		size_t n;
		const char *ks = fy_json_raw(&d, fy_json_get(&d, 0, "kind"), &n);

		k = fy_kind_from_name(ks, n);
	}
	id = fy_json_get_strdup(&d, 0, "id");
	if (!id || k == FY_KIND_NONE) {
		free(id);
		fy_jdoc_release(&d);
		return fy_error_set(err, FY_E_DATA, "a record without kind or id");
	}
	rc = put_lines(s, k, &d, id, err);
	fy_jdoc_release(&d);
	if (rc < 0) {
		free(id);
		return -1;
	}
	if (k == FY_KIND_THREAD || k == FY_KIND_MESSAGE) {
		/* One line each, marked T (thread) or M (message). */
		rc = fy_write_all(s->threads_fd, k == FY_KIND_THREAD ? "T" : "M", 1, "spool", err);
		if (rc == 0)
			rc = fy_write_all(s->threads_fd, it->json, it->len, "spool", err);
		if (rc == 0)
			rc = fy_write_all(s->threads_fd, "\n", 1, "spool", err);
		s->threads_bytes += it->len + 2;
	} else {
		rc = add_rec(s, k, it->json, it->len, id, err);
	}
	free(id);
	return rc;
}

int oai_sink_blob(const struct oai_sink *s, const char *hex, char *out, size_t cap, uint64_t *size)
{
	size_t i;

	for (i = 0; i < s->nblobs; i++)
		if (!strcmp(s->blob_hex[i], hex)) {
			snprintf(out, cap, "%s/blobs/%s", s->live.spool, hex);
			*size = s->blob_size[i];
			return 0;
		}
	return -1;
}

const char *oai_sink_file_target(struct oai_sink *s, const char *id)
{
	char fid[FY_ID_MAX + 1], key[512];
	const char *t;
	enum fy_journal_state st;

	fy_id_make(id, strlen(id), fid);
	live_sink_key(&s->live, fid, key, sizeof(key));
	st = live_sink_state(&s->live, "file", key, &t);
	if (st >= FY_JOURNAL_CREATED)
		return t;
	if (s->dry) {
		size_t i;

		/* In a dry run, a file the import would upload counts as there. */
		for (i = 0; i < s->nrecs[FY_KIND_FILE]; i++)
			if (!strcmp(s->recs[FY_KIND_FILE][i].id, fid)) {
				struct fy_jdoc d;
				int blob;

				fy_jdoc_init(&d);
				blob = fy_jdoc_parse(&d, s->recs[FY_KIND_FILE][i].json, s->recs[FY_KIND_FILE][i].len, 0,
						     NULL) == 0 &&
				       fy_json_type(&d, fy_json_get(&d, 0, "blob")) == FY_JSTRING;
				fy_jdoc_release(&d);
				return blob ? "file-planned" : NULL;
			}
	}
	return NULL;
}

static int valid_key(const char *k, size_t n)
{
	return n > 0 && n <= 64 && strncmp(k, "ferry_", 6) != 0;
}

int oai_sink_metadata(struct oai_sink *s, struct lw *w, const struct fy_jdoc *d, uint32_t md,
		      const char *kind, const char *id, const char *key, const char *const *extra,
		      int report, struct fy_error *err)
{
	uint32_t k, kn, vn;
	size_t used = 1, i;

	if (w) {
		lw_key(w, "metadata");
		lw_obj(w);
		lw_kstr(w, "ferry_src", key);
	}
	FY_JSON_FOREACH_MEMBER(d, md, k, kn, vn) {
		struct fy_buf kb = FY_BUF_INIT(1 << 16), vb = FY_BUF_INIT(1 << 24);
		int drop = 0, rc = 0;

		if (fy_json_str(d, kn, &kb, err) < 0)
			return -1;
		if (kb.ptr && !strncmp(kb.ptr, "ferry_", 6)) {
			/* provenance of an earlier import: this one's replaces it */
			fy_buf_release(&kb);
			continue;
		}
		if (!valid_key(kb.ptr, kb.len) || used >= 16) {
			drop = 1;
		} else if (fy_json_type(d, vn) == FY_JSTRING) {
			rc = fy_json_str(d, vn, &vb, err);
		} else {
			rc = fy_json_emit(d, vn, &vb, err);
		}
		if (rc == 0 && !drop && vb.len > 512) {
			if (report)
				rc = live_sink_ledger(&s->live, kind, id, NULL, "metadata", "degraded", "metadata-512",
						      "a metadata value longer than 512 characters was cut", err);
			vb.len = 512;
			while (vb.len && ((unsigned char)vb.ptr[vb.len] & 0xc0) == 0x80)
				vb.len--;	/* not inside a UTF-8 sequence */
			vb.ptr[vb.len] = '\0';
		}
		if (rc == 0 && drop && report)
			rc = live_sink_ledger(&s->live, kind, id, NULL, "metadata", "dropped", "metadata-16",
					      "the provider keeps 16 metadata keys of at most 64 characters", err);
		if (rc == 0 && !drop) {
			if (w) {
				lw_key(w, kb.ptr);
				lw_strn(w, vb.ptr ? vb.ptr : "", vb.len);
			}
			used++;
		}
		fy_buf_release(&kb);
		fy_buf_release(&vb);
		if (rc < 0)
			return -1;
	}
	for (i = 0; extra && extra[i] && extra[i + 1]; i += 2) {
		if (used >= 16) {
			if (report && live_sink_ledger(&s->live, kind, id, NULL, "metadata", "dropped", "metadata-16",
						       "no room left among the 16 metadata keys for the provenance",
						       err) < 0)
				return -1;
			continue;
		}
		if (w)
			lw_kstr(w, extra[i], extra[i + 1]);
		used++;
	}
	if (w)
		lw_end_obj(w);
	return 0;
}

void oai_record_extras(const struct fy_jdoc *d, const char *id, struct oai_extras *x, const char **extra)
{
	struct fy_buf cb = FY_BUF_INIT(64);
	uint32_t md = fy_json_get(d, 0, "metadata");
	size_t n = 0;
	int thread = live_streq(d, 0, "kind", "thread");

	memset(x, 0, sizeof(*x));
	x->srcid = fy_json_get_strdup(d, fy_json_get(d, 0, "source"), "id");
	if (thread) {
		x->title = fy_json_get_strdup(d, 0, "title");
		if (fy_json_type(d, fy_json_get(d, 0, "agent")) == FY_JSTRING)
			x->agent = fy_json_get_strdup(d, 0, "agent");
	}
	if (live_get_str(d, 0, "created", &cb) == 0)
		snprintf(x->created, sizeof(x->created), "%s", cb.ptr);
	fy_buf_release(&cb);
	if (x->title && fy_json_get(d, md, "title") == FY_JNONE) {
		extra[n++] = "title";
		extra[n++] = x->title;
	}
	extra[n++] = "ferry_id";
	extra[n++] = x->srcid ? x->srcid : id;
	if (x->created[0]) {
		extra[n++] = "ferry_created";
		extra[n++] = x->created;
	}
	if (x->agent) {
		extra[n++] = "ferry_agent";
		extra[n++] = x->agent;
	}
	extra[n] = NULL;
}

void oai_extras_release(struct oai_extras *x)
{
	free(x->title);
	free(x->srcid);
	free(x->agent);
	memset(x, 0, sizeof(*x));
}

/* --- import: files --------------------------------------------------------------- */

struct file_lookup {
	struct oai_sink *s;
	const char *name;
	uint64_t size;
};

/* An upload that may have landed: the newest file with that name and size. */
static int find_file(void *ctx, struct fy_buf *out, struct fy_error *err)
{
	struct file_lookup *fl = ctx;
	struct live_req r;
	struct fy_http_response resp;
	struct fy_jdoc d;
	uint32_t data, k, v;
	int rc = -1;
	int64_t best = -1;

	live_req_init(&r);
	fy_http_response_init(&resp);
	fy_jdoc_init(&d);
	if (live_req_set(&r, "GET", err, "/files") < 0 || live_req_param(&r, "limit", "10000", err) < 0 ||
	    live_get(&fl->s->client, &r, &resp, "list files", err) < 0 ||
	    fy_jdoc_parse(&d, resp.body.ptr, resp.body.len, 0, err) < 0)
		goto out;
	data = fy_json_get(&d, 0, "data");
	FY_JSON_FOREACH(&d, data, k, v) {
		int64_t created = live_get_int(&d, v, "created_at", 0);

		if (fy_json_streq(&d, fy_json_get(&d, v, "filename"), fl->name) &&
		    live_get_int(&d, v, "bytes", -1) == (int64_t)fl->size && created > best) {
			best = created;
			live_get_str(&d, v, "id", out);
		}
	}
	rc = best >= 0;
out:
	live_req_release(&r);
	fy_http_response_release(&resp);
	fy_jdoc_release(&d);
	return rc;
}

/* The multipart/form-data head of an upload. */
static int multipart_head(struct fy_buf *b, const char *boundary, const char *purpose, const char *name,
			  const char *media_type, struct fy_error *err)
{
	char safe[512];
	size_t i;

	snprintf(safe, sizeof(safe), "%s", name);
	for (i = 0; safe[i]; i++)
		if (safe[i] == '"' || safe[i] == '\r' || safe[i] == '\n' || safe[i] == '\\')
			safe[i] = '_';
	return fy_buf_addf(b, err,
			   "--%s\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n%s\r\n"
			   "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
			   "Content-Type: %s\r\n\r\n",
			   boundary, purpose, boundary, safe, media_type ? media_type : "application/octet-stream");
}

int oai_sink_upload(struct oai_sink *s, const char *jkind, const char *key, const char *hex,
		    const char *name, const char *purpose, const char *media_type, const char **target,
		    struct fy_error *err)
{
	enum fy_journal_state st = live_sink_state(&s->live, jkind, key, target);
	char path[4400], boundary[48];
	struct fy_buf head = FY_BUF_INIT(1 << 16), id = FY_BUF_INIT(1024);
	struct fy_http_response resp;
	struct fy_jdoc d;
	struct live_req r;
	struct file_lookup fl;
	uint64_t size;
	int fd = -1, found = 0, rc = -1;
	static const char tail_fmt[] = "\r\n--%s--\r\n";
	char tail[80];

	if (st >= FY_JOURNAL_CREATED) {
		s->live.plan.skip[FY_KIND_FILE]++;
		return 0;
	}
	if (oai_sink_blob(s, hex, path, sizeof(path), &size) < 0)
		return fy_error_set(err, FY_E_DATA, "%s: blob %s is not in the archive", key, hex);
	s->live.plan.create[FY_KIND_FILE]++;
	s->live.plan.resume[FY_KIND_FILE] += st == FY_JOURNAL_PLANNED;
	s->live.plan.calls += 1 + (st == FY_JOURNAL_PLANNED);	/* a resumed one is looked up first */
	s->live.plan.bytes += size;
	if (s->dry) {
		*target = "file-planned";
		return 0;
	}
	live_req_init(&r);
	fy_http_response_init(&resp);
	fy_jdoc_init(&d);
	fl.s = s;
	fl.name = name;
	fl.size = size;
	/* A kill between the upload and the journal line: look before uploading again. */
	if (st == FY_JOURNAL_PLANNED) {
		found = find_file(&fl, &id, err);
		if (found < 0)
			goto out;
	}
	if (!found) {
		if (live_sink_put(&s->live, jkind, key, NULL, FY_JOURNAL_PLANNED, err) < 0)
			goto out;
		snprintf(boundary, sizeof(boundary), "ferry-%.32s", hex);
		snprintf(tail, sizeof(tail), tail_fmt, boundary);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fy_error_errno(err, errno, "%s", path);
			goto out;
		}
		if (multipart_head(&head, boundary, purpose, name, media_type, err) < 0 ||
		    live_req_set(&r, "POST", err, "/files") < 0)
			goto out;
		r.rq.body_fd = fd;
		r.rq.body_len = (size_t)size;
		r.rq.body_head = head.ptr;
		r.rq.body_head_len = head.len;
		r.rq.body_tail = tail;
		r.rq.body_tail_len = strlen(tail);
		{
			char ct[128];

			snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", boundary);
			r.rq.content_type = ct;
			rc = live_create(&s->client, &r, &resp, key, find_file, &fl, &id, &found, err);
		}
		if (rc < 0)
			goto out;
		rc = -1;
		if (!found) {
			if (fy_jdoc_parse(&d, resp.body.ptr, resp.body.len, 0, err) < 0 ||
			    live_get_str(&d, 0, "id", &id) < 0) {
				fy_error_set(err, FY_E_DATA, "%s: the upload answer has no id", key);
				goto out;
			}
		}
	}
	if (live_sink_put(&s->live, jkind, key, id.ptr, FY_JOURNAL_CREATED, err) < 0)
		goto out;
	live_sink_state(&s->live, jkind, key, target);
	s->live.created++;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	fy_buf_release(&head);
	fy_buf_release(&id);
	live_req_release(&r);
	fy_http_response_release(&resp);
	fy_jdoc_release(&d);
	return rc;
}

/* --- import: threads --------------------------------------------------------------- */

struct tmsg {
	char *json;
	size_t len;
	char *id, *parent;
	int on_path;
};

struct tconv {
	struct oai_sink *s;
	char *json;			/* the thread record */
	size_t len;
	struct tmsg *msgs;
	size_t n, cap;
	struct fy_buf items;		/* input items, one a line */
	size_t nitems;
	size_t nmsgs;			/* messages on the path sent */
	size_t *off;			/* start of each item in items */
	size_t capoff;
	const char *conv;		/* target conversation id (journal) */
	char key[512];
	char tid[FY_ID_MAX + 1];
	size_t start, expect;		/* items the target has before and after a batch */
};

static void tconv_reset(struct tconv *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->msgs[i].json);
		free(t->msgs[i].id);
		free(t->msgs[i].parent);
	}
	t->n = 0;
	free(t->json);
	t->json = NULL;
	fy_buf_reset(&t->items);
	t->nitems = 0;
}

static const char *blob_file_cb(void *cb, const char *hex, const char *name, const char *media_type,
				struct fy_error *err)
{
	struct oai_sink *s = cb;
	char key[512];
	const char *target = NULL;
	int image = media_type && !strncmp(media_type, "image/", 6);

	live_sink_key(&s->live, hex, key, sizeof(key));
	if (oai_sink_upload(s, "blob", key, hex, name ? name : hex, image ? "vision" : "user_data",
			    media_type, &target, err) < 0)
		return NULL;
	return target;
}

static const char *file_id_cb(void *cb, const char *id)
{
	return oai_sink_file_target(cb, id);
}

static int msg_ledger_cb(void *cb, const char *id, const char *field, const char *outcome,
			 const char *rule, const char *reason, struct fy_error *err)
{
	struct oai_sink *s = cb;

	return live_sink_ledger(&s->live, "message", id, s->cur_thread, field, outcome, rule, reason, err);
}

/* Choose the messages to send: the active branch of a tree, all of a chain. */
static int choose_path(struct tconv *t, const struct fy_jdoc *td, struct fy_error *err)
{
	char *leaf = fy_json_get_strdup(td, 0, "active_leaf");
	const char **ids = malloc((t->n + 1) * sizeof(*ids)), **parents = malloc((t->n + 1) * sizeof(*parents));
	unsigned char *on = malloc(t->n + 1);
	size_t i, dropped = 0;
	int rc = 0;

	if (!ids || !parents || !on) {
		rc = fy_error_set(err, FY_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < t->n; i++) {
		ids[i] = t->msgs[i].id;
		parents[i] = t->msgs[i].parent;
	}
	dropped = fy_thread_off_branch(ids, parents, t->n, leaf, on);
	for (i = 0; i < t->n; i++)
		t->msgs[i].on_path = on[i];
	t->nmsgs = t->n - dropped;
	/*
	 * The line is the table's "$off-branch" line, which the engine plans
	 * the same way (fidelity.h): with the count of messages left out.
	 */
	if (dropped) {
		char why[200];

		snprintf(why, sizeof(why),
			 "a conversation is one line of items: the active branch was kept, %zu messages on "
			 "other branches were not sent", dropped);
		rc = live_sink_ledger(&t->s->live, "thread", t->tid, NULL, NULL, "degraded", "active-branch-only",
				      why, err);
	}
out:
	free(ids);
	free(parents);
	free(on);
	free(leaf);
	return rc;
}

/* Build the item list of the thread. */
static int build_thread_items(struct tconv *t, struct fy_error *err)
{
	struct oai_unmap u;
	struct fy_jdoc d;
	size_t i;
	int rc = -1;

	memset(&u, 0, sizeof(u));
	u.adapter = t->s->api.adapter;
	u.same_account = t->s->same_account;
	u.file_id = file_id_cb;
	if (t->s->ops && t->s->ops->files)
		u.blob_file = blob_file_cb;
	else
		u.no_files = 1;	/* the target's table says what becomes of image and file parts */
	u.ledger = msg_ledger_cb;
	u.cb = t->s;
	fy_jdoc_init(&d);
	for (i = 0; i < t->n; i++) {
		size_t start = t->items.len, count = 0, j, p;

		if (!t->msgs[i].on_path)
			continue;
		if (fy_jdoc_parse(&d, t->msgs[i].json, t->msgs[i].len, 0, err) < 0)
			goto out;
		if (t->items.len && fy_buf_addc(&t->items, '\n', err) < 0)
			goto out;
		start = t->items.len;
		if (oai_message_items(&u, &d, &t->items, &count, err) < 0)
			goto out;
		if (!count) {
			t->items.len = start ? start - 1 : 0;	/* take the separator back */
			if (t->items.ptr)
				t->items.ptr[t->items.len] = '\0';
			continue;
		}
		for (j = 0, p = start; j < count; j++) {
			if (t->nitems == t->capoff) {
				size_t cap = t->capoff ? t->capoff * 2 : 256;
				size_t *o = realloc(t->off, cap * sizeof(*o));

				if (!o) {
					fy_error_set(err, FY_E_NOMEM, "out of memory");
					goto out;
				}
				t->off = o;
				t->capoff = cap;
			}
			t->off[t->nitems++] = p;
			while (p < t->items.len && t->items.ptr[p] != '\n')
				p++;
			p++;
		}
	}
	rc = 0;
out:
	fy_jdoc_release(&d);
	return rc;
}

static size_t item_len(const struct tconv *t, size_t i)
{
	size_t end = i + 1 < t->nitems ? t->off[i + 1] - 1 : t->items.len;

	return end - t->off[i];
}

/* How many items the target conversation holds. */
static int count_items(struct tconv *t, size_t *count, struct fy_error *err)
{
	struct oai_sink *s = t->s;
	struct live_req r;
	struct fy_http_response resp;
	struct fy_jdoc d;
	char *after = NULL;
	int rc = -1, more = 1;

	*count = 0;
	live_req_init(&r);
	fy_http_response_init(&resp);
	fy_jdoc_init(&d);
	while (more) {
		uint32_t data;

		if (live_req_set(&r, "GET", err, "%s/conversations/", s->api.prefix) < 0 ||
		    live_req_path_enc(&r, t->conv, err) < 0 || fy_buf_adds(&r.path, "/items", err) < 0 ||
		    live_req_param(&r, "limit", "100", err) < 0 || live_req_param(&r, "order", "asc", err) < 0 ||
		    (after && live_req_param(&r, "after", after, err) < 0) ||
		    live_get(&s->client, &r, &resp, t->key, err) < 0 ||
		    fy_jdoc_parse(&d, resp.body.ptr, resp.body.len, 0, err) < 0)
			goto out;
		data = fy_json_get(&d, 0, "data");
		*count += fy_json_len(&d, data);
		more = fy_json_type(&d, fy_json_get(&d, 0, "has_more")) == FY_JTRUE && fy_json_len(&d, data);
		free(after);
		after = more ? fy_json_get_strdup(&d, fy_json_at(&d, data, fy_json_len(&d, data) - 1), "id") : NULL;
		if (more && !after) {
			fy_error_set(err, FY_E_DATA, "%s: an item without id", t->key);
			goto out;
		}
	}
	rc = 0;
out:
	free(after);
	live_req_release(&r);
	fy_http_response_release(&resp);
	fy_jdoc_release(&d);
	return rc;
}

/* After an ambiguous batch: did it land? */
static int batch_landed(void *ctx, struct fy_buf *out, struct fy_error *err)
{
	struct tconv *t = ctx;
	size_t n;

	(void)out;
	if (count_items(t, &n, err) < 0)
		return -1;
	if (n == t->expect)
		return 1;
	if (n == t->start)
		return 0;
	return fy_error_set(err, FY_E_INTEGRITY,
			    "%s: conversation %s has %zu items where %zu or %zu were expected; it "
			    "changed during the import", t->key, t->conv, n, t->start, t->expect);
}

struct conv_lookup {
	struct oai_sink *s;
	const char *key;
};

static int find_conv(void *ctx, struct fy_buf *out, struct fy_error *err)
{
	struct conv_lookup *cl = ctx;

	return cl->s->ops->find_conversation(cl->s, cl->key, out, err);
}

/* Create the conversation (and set its metadata): journal planned -> created. */
/*
 * Give a conversation created empty (OpenAI: no lookup) its metadata.
 * Idempotent, so the engine's own retries are safe, and a resumed import
 * does it again: the kill may have fallen between the journal line and
 * this call.
 */
static int name_conversation(struct tconv *t, const struct fy_jdoc *td, struct fy_error *err)
{
	struct oai_sink *s = t->s;
	struct fy_http_response resp;
	struct live_req r;
	struct oai_extras x;
	const char *extra[12];
	struct lw w;
	int rc = -1;

	live_req_init(&r);
	fy_http_response_init(&resp);
	oai_record_extras(td, t->tid, &x, extra);
	if (live_req_set(&r, "POST", err, "%s/conversations/", s->api.prefix) < 0 ||
	    live_req_path_enc(&r, t->conv, err) < 0)
		goto out;
	lw_init(&w, &r.body, err);
	lw_obj(&w);
	if (oai_sink_metadata(s, &w, td, fy_json_get(td, 0, "metadata"), "thread", t->tid, t->key, extra, 0,
			      err) < 0)
		goto out;
	lw_end_obj(&w);
	if (lw_done(&w) < 0 || live_get(&s->client, &r, &resp, t->key, err) < 0)
		goto out;
	rc = 0;
out:
	oai_extras_release(&x);
	live_req_release(&r);
	fy_http_response_release(&resp);
	return rc;
}

static int create_conversation(struct tconv *t, const struct fy_jdoc *td, enum fy_journal_state st,
			       struct fy_error *err)
{
	struct oai_sink *s = t->s;
	struct fy_buf id = FY_BUF_INIT(1024);
	struct fy_http_response resp;
	struct fy_jdoc d;
	struct live_req r;
	struct conv_lookup cl = { s, t->key };
	struct lw w;
	struct oai_extras x;
	const char *extra[12];
	int found = 0, rc = -1, lookup = s->ops && s->ops->find_conversation;
	uint32_t md = fy_json_get(td, 0, "metadata");

	live_req_init(&r);
	fy_http_response_init(&resp);
	fy_jdoc_init(&d);
	oai_record_extras(td, t->tid, &x, extra);
	if (st == FY_JOURNAL_PLANNED && lookup) {
		found = find_conv(&cl, &id, err);
		if (found < 0)
			goto out;
	}
	if (!found) {
		if (live_sink_put(&s->live, "thread", t->key, NULL, FY_JOURNAL_PLANNED, err) < 0 ||
		    live_req_set(&r, "POST", err, "%s/conversations", s->api.prefix) < 0)
			goto out;
		/*
		 * Where conversations can be listed, the provenance goes in at
		 * creation and an unanswered create is looked up. OpenAI cannot
		 * list them: the conversation is created empty and unnamed, so a
		 * kill inside that one call can at worst leave an empty,
		 * anonymous conversation, never a second copy of the content.
		 */
		lw_init(&w, &r.body, err);
		lw_obj(&w);
		if (lookup &&
		    oai_sink_metadata(s, &w, td, md, "thread", t->tid, t->key, extra, 0, err) < 0)
			goto out;
		lw_end_obj(&w);
		if (lw_done(&w) < 0 ||
		    live_create(&s->client, &r, &resp, t->key, lookup ? find_conv : NULL, &cl, &id, &found,
				err) < 0)
			goto out;
		if (!found && (fy_jdoc_parse(&d, resp.body.ptr, resp.body.len, 0, err) < 0 ||
			       live_get_str(&d, 0, "id", &id) < 0)) {
			fy_error_set(err, FY_E_DATA, "%s: the create answer has no id", t->key);
			goto out;
		}
	}
	if (live_sink_put(&s->live, "thread", t->key, id.ptr, FY_JOURNAL_CREATED, err) < 0)
		goto out;
	live_sink_state(&s->live, "thread", t->key, &t->conv);
	if (!lookup && name_conversation(t, td, err) < 0)
		goto out;
	s->live.created++;
	rc = 0;
out:
	oai_extras_release(&x);
	fy_buf_release(&id);
	live_req_release(&r);
	fy_http_response_release(&resp);
	fy_jdoc_release(&d);
	return rc;
}

static int send_items(struct tconv *t, size_t done, struct fy_error *err)
{
	struct oai_sink *s = t->s;
	struct fy_http_response resp;
	struct live_req r;
	size_t i, j;
	int rc = -1;

	live_req_init(&r);
	fy_http_response_init(&resp);
	for (i = done; i < t->nitems; i += 20) {
		size_t m = t->nitems - i < 20 ? t->nitems - i : 20;
		int found;

		if (live_req_set(&r, "POST", err, "%s/conversations/", s->api.prefix) < 0 ||
		    live_req_path_enc(&r, t->conv, err) < 0 || fy_buf_adds(&r.path, "/items", err) < 0 ||
		    fy_buf_adds(&r.body, "{\"items\":[", err) < 0)
			goto out;
		for (j = 0; j < m; j++)
			if ((j && fy_buf_addc(&r.body, ',', err) < 0) ||
			    fy_buf_add(&r.body, t->items.ptr + t->off[i + j], item_len(t, i + j), err) < 0)
				goto out;
		if (fy_buf_adds(&r.body, "]}", err) < 0)
			goto out;
		t->start = i;
		t->expect = i + m;
		if (live_create(&s->client, &r, &resp, t->key, batch_landed, t, NULL, &found, err) < 0)
			goto out;
		if (s->live.ctx->progress)
			s->live.ctx->progress(s->live.ctx->cb, "items", i + m, t->nitems);
	}
	rc = 0;
out:
	live_req_release(&r);
	fy_http_response_release(&resp);
	return rc;
}

static int import_thread(struct tconv *t, struct fy_error *err)
{
	struct oai_sink *s = t->s;
	struct fy_jdoc td;
	enum fy_journal_state st;
	size_t done = 0;
	int rc = -1;
	char *sid;

	fy_jdoc_init(&td);
	if (fy_jdoc_parse(&td, t->json, t->len, 0, err) < 0)
		goto out;
	sid = fy_json_get_strdup(&td, 0, "id");
	snprintf(t->tid, sizeof(t->tid), "%s", sid ? sid : "");
	free(sid);
	live_sink_key(&s->live, t->tid, t->key, sizeof(t->key));
	st = live_sink_state(&s->live, "thread", t->key, &t->conv);
	/*
	 * The items are built even for a thread the journal has done: building
	 * reports what could not cross (files the target lacks, the active
	 * branch), and a re-run reports the same lines (adapter.h).
	 */
	s->cur_thread = t->tid;
	if (choose_path(t, &td, err) < 0 || build_thread_items(t, err) < 0)
		goto out;
	if (st == FY_JOURNAL_VERIFIED) {
		s->live.skipped++;
		s->live.plan.skip[FY_KIND_THREAD]++;
		s->live.plan.skip[FY_KIND_MESSAGE] += t->nmsgs;
		rc = 0;
		goto out;
	}
	{
		/* The calls: create (and name, at OpenAI), items by 20, the count that verifies. */
		int lookup = s->ops && s->ops->find_conversation;
		uint64_t pages = (t->nitems + 99) / 100 + (t->nitems == 0);

		s->live.plan.create[FY_KIND_THREAD] += st != FY_JOURNAL_CREATED;
		s->live.plan.resume[FY_KIND_THREAD] += st != FY_JOURNAL_NONE;
		s->live.plan.create[FY_KIND_MESSAGE] += t->nmsgs;
		s->live.plan.calls += (st == FY_JOURNAL_CREATED ? (uint64_t)!lookup + pages
								 : 1 + (uint64_t)!lookup + (st == FY_JOURNAL_PLANNED && lookup)) +
				      (t->nitems + 19) / 20 + pages;
	}
	if (s->dry) {
		rc = 0;
		goto out;
	}
	if (st != FY_JOURNAL_CREATED) {
		if (create_conversation(t, &td, st, err) < 0)
			goto out;
	} else {
		/* Resumed: named again (OpenAI), and the target's count says which batches landed. */
		if (!(s->ops && s->ops->find_conversation) && name_conversation(t, &td, err) < 0)
			goto out;
		if (count_items(t, &done, err) < 0)
			goto out;
		if (done > t->nitems) {
			fy_error_set(err, FY_E_INTEGRITY, "%s: conversation %s has %zu items, more than the %zu "
				     "the archive has", t->key, t->conv, done, t->nitems);
			goto out;
		}
	}
	if (send_items(t, done, err) < 0 || count_items(t, &done, err) < 0)
		goto out;
	if (done != t->nitems) {
		fy_error_set(err, FY_E_INTEGRITY, "%s: conversation %s has %zu items, %zu expected", t->key,
			     t->conv, done, t->nitems);
		goto out;
	}
	if (live_sink_put(&s->live, "thread", t->key, t->conv, FY_JOURNAL_VERIFIED, err) < 0)
		goto out;
	rc = 0;
out:
	s->cur_thread = NULL;
	if (rc < 0)
		fy_error_prefix(err, "thread %s", t->tid);
	fy_jdoc_release(&td);
	return rc;
}

static int add_msg(struct tconv *t, const char *json, size_t len, struct fy_error *err)
{
	struct fy_jdoc d;
	struct tmsg *m;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct tmsg *p = realloc(t->msgs, cap * sizeof(*p));

		if (!p)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		t->msgs = p;
		t->cap = cap;
	}
	m = &t->msgs[t->n];
	memset(m, 0, sizeof(*m));
	fy_jdoc_init(&d);
	if (fy_jdoc_parse(&d, json, len, 0, err) < 0) {
		fy_jdoc_release(&d);
		return -1;
	}
	m->id = fy_json_get_strdup(&d, 0, "id");
	m->parent = fy_json_get_strdup(&d, 0, "parent");
	fy_jdoc_release(&d);
	m->json = malloc(len + 1);
	if (!m->json || !m->id) {
		free(m->json);
		free(m->id);
		free(m->parent);
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	memcpy(m->json, json, len);
	m->json[len] = '\0';
	m->len = len;
	t->n++;
	return 0;
}

/* Read the spool back, one thread (and its messages) at a time. */
static int import_threads(struct oai_sink *s, struct fy_error *err)
{
	struct fy_buf line = FY_BUF_INIT((size_t)64 << 20);
	struct tconv t;
	FILE *f = NULL;
	int fd, rc = -1;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;

	memset(&t, 0, sizeof(t));
	t.s = s;
	fy_buf_init(&t.items, (size_t)1 << 34);
	fd = dup(s->threads_fd);
	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0 || !(f = fdopen(fd, "r"))) {
		if (fd >= 0)
			close(fd);
		fy_error_errno(err, errno, "thread spool");
		goto out;
	}
	while ((len = getline(&buf, &cap, f)) > 0) {
		if (buf[len - 1] == '\n')
			buf[--len] = '\0';
		if (buf[0] == 'T') {
			if (t.json && import_thread(&t, err) < 0)
				goto out;
			tconv_reset(&t);
			t.json = strdup(buf + 1);
			t.len = (size_t)len - 1;
			if (!t.json) {
				fy_error_set(err, FY_E_NOMEM, "out of memory");
				goto out;
			}
		} else if (t.json && add_msg(&t, buf + 1, (size_t)len - 1, err) < 0) {
			goto out;
		}
	}
	if (t.json && import_thread(&t, err) < 0)
		goto out;
	rc = 0;
out:
	tconv_reset(&t);
	free(t.msgs);
	free(t.off);
	fy_buf_release(&t.items);
	fy_buf_release(&line);
	free(buf);
	if (f)
		fclose(f);
	return rc;
}

int oai_sink_write_put(void *state, const struct fy_item *it, struct fy_error *err)
{
	return oai_sink_put(state, it, err);
}

int oai_sink_write_finish(void *state, struct fy_error *err)
{
	return oai_sink_finish(state, err);
}

int oai_sink_write_plan(void *state, struct fy_plan *plan, struct fy_error *err)
{
	return oai_sink_plan(state, plan, err);
}

void oai_sink_free(void *state)
{
	if (!state)
		return;
	oai_sink_close(state);
	free(state);
}

int oai_sink_plan(struct oai_sink *s, struct fy_plan *plan, struct fy_error *err)
{
	if (!s->dry)
		return fy_error_set(err, FY_E_INTERNAL, "%s: a plan is made in a dry run", s->live.adapter);
	if (oai_sink_finish(s, err) < 0)
		return -1;
	live_sink_plan(&s->live, plan);
	return 0;
}

int oai_sink_finish(struct oai_sink *s, struct fy_error *err)
{
	const struct oai_sink_ops *o = s->ops;

	/*
	 * Kinds the target has no line for are not handed over (the tool
	 * reports them dropped); a held kind without an op is a table bug.
	 */
	if ((o->files && o->files(s, err) < 0) || (o->knowledge && o->knowledge(s, err) < 0) ||
	    (o->agents && o->agents(s, err) < 0) || (o->memory && o->memory(s, err) < 0) ||
	    import_threads(s, err) < 0)
		return -1;
	return 0;
}

