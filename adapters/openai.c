/*
 * openai.c - the "openai" adapter: the OpenAI platform API, and
 * Assistants-era JSON dumps.
 *
 * Published description this follows: openai/openai-openapi, openapi.json
 * version 2.3.0 (commit f85dbe223d40e1a31cba812ab2d755c7e98a92a3,
 * 2026-08-21): Conversations (getConversation, listConversationItems with
 * include[] IncludeEnum, createConversation, updateConversation,
 * createConversationItems maxItems 20), Responses (getResponse,
 * listInputItems), Files (listFiles, createFile multipart/form-data,
 * downloadFile - refused for purpose "assistants"), Vector stores
 * (listVectorStores, createVectorStore, listVectorStoreFiles,
 * createVectorStoreFile with attributes and chunking_strategy), ChatKit
 * (/chatkit/threads, OpenAI-Beta: chatkit_beta=v1, from the openai-python
 * client generated from the same spec), metadata (16 keys of up to 64
 * characters, values up to 512), x-ratelimit-* headers, and the
 * Assistants objects (deprecated; the API shut down on 2026-08-26).
 *
 * LOCATION
 *   openai:        the API at $OPENAI_BASE_URL (default
 *                  https://api.openai.com/v1) with $OPENAI_API_KEY, and
 *                  $OPENAI_ORG_ID / $OPENAI_PROJECT_ID when set - the
 *                  variables OpenAI's own SDKs read. The key never comes
 *                  from the command line and is redacted from every trace.
 *   openai:PATH    an Assistants-era dump: a folder (read recursively, in
 *                  name order) or one file of .json / .jsonl values holding
 *                  assistant, thread, thread.message, thread.run,
 *                  thread.run.step, file, vector_store and vector_store.file
 *                  objects, single, in arrays, or as list pages.
 *
 * Export. OpenAI has no call that lists conversations or stored responses:
 * their ids come from --id / --ids-from (conv_... for conversations,
 * resp_... for responses, cthr_... for ChatKit threads; others are taken
 * as conversations). Files (with their bytes where the API allows),
 * vector stores and ChatKit threads (--option chatkit=0 to skip) are
 * listed.
 *
 * Import. Files (uploaded, purpose kept), vector stores (created with
 * their files, attributes and chunking), conversations with their items
 * (20 a call, in order; responses and ChatKit and Assistants threads
 * become conversations). Agent definitions have no server-side object at
 * OpenAI after 2026-11-30 (Agent Builder and prompt objects): each agent
 * is written as an OpenAI Agents SDK configuration in "<journal>.agents/"
 * beside the import journal (a warning line of the ledger names it).
 * Memory and workflows have no OpenAI object: the table has no line for
 * them, so they are not handed over. What becomes of each kind and field
 * is openai_caps below; the sink reports it per record (conversations.c,
 * put_lines) and plans in a dry run (write_plan).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapter.h"
#include "conversations.h"
#include "idset.h"
#include "sha256.h"
#include "zstream.h"

#define DEFAULT_BASE "https://api.openai.com/v1"

/* The client for the OpenAI API from the environment. */
/* The account's identity: where, which organisation and project, which key (hashed). */
static int openai_identity(struct fy_buf *id, const char **base_out, struct fy_error *err)
{
	const char *key = getenv("OPENAI_API_KEY"), *base = getenv("OPENAI_BASE_URL");
	const char *org = getenv("OPENAI_ORG_ID"), *proj = getenv("OPENAI_PROJECT_ID");
	unsigned char sha[FY_SHA256_LEN];
	char hex[FY_SHA256_HEX];

	if (!key || !*key)
		return fy_error_set(err, FY_E_AUTH, "openai: set OPENAI_API_KEY (it is never read from the "
				    "command line)");
	if (!base || !*base)
		base = DEFAULT_BASE;
	*base_out = base;
	fy_sha256(key, strlen(key), sha);
	fy_hex(sha, sizeof(sha), hex);
	return fy_buf_addf(id, err, "openai\n%s\n%s\n%s\n%s", base, org ? org : "", proj ? proj : "", hex);
}

static int openai_client(struct live_client *c, const struct fy_adapter_ctx *ctx, struct fy_error *err)
{
	const char *key = getenv("OPENAI_API_KEY"), *base = NULL;
	const char *org = getenv("OPENAI_ORG_ID"), *proj = getenv("OPENAI_PROJECT_ID");
	struct fy_buf id = FY_BUF_INIT(1 << 16), line = FY_BUF_INIT(1 << 16);
	int rc = -1;

	if (openai_identity(&id, &base, err) < 0 || live_client_open(c, ctx, "openai", base, id.ptr, err) < 0)
		goto out;
	if (fy_buf_addf(&line, err, "Authorization: Bearer %s", key) < 0 ||
	    live_client_header(c, line.ptr, key, err) < 0)
		goto out;
	if (org && *org) {
		fy_buf_reset(&line);
		if (fy_buf_addf(&line, err, "OpenAI-Organization: %s", org) < 0 ||
		    live_client_header(c, line.ptr, NULL, err) < 0)
			goto out;
	}
	if (proj && *proj) {
		fy_buf_reset(&line);
		if (fy_buf_addf(&line, err, "OpenAI-Project: %s", proj) < 0 ||
		    live_client_header(c, line.ptr, NULL, err) < 0)
			goto out;
	}
	rc = 0;
out:
	if (line.ptr)
		memset(line.ptr, 0, line.len);
	fy_buf_release(&line);
	fy_buf_release(&id);
	return rc;
}

/* --- source ------------------------------------------------------------------- */

enum { ST_FILES, ST_STORES, ST_CONVS, ST_RESPS, ST_CHATKIT, ST_DUMP, ST_DONE };

struct oai_src {
	const struct fy_adapter_ctx *ctx;
	struct live_client client;
	int has_client;
	struct oai_api api;
	struct live_queue q;
	struct fy_idset files, blobs;
	int files_listed;
	int stage;
	char **conv, **resp, **ck;
	size_t nconv, nresp, nck;
	char *dump;			/* the dump path, or NULL */
};

static int wanted(const struct oai_src *s, enum fy_kind k)
{
	return oai_kind_wanted(s->ctx->kinds, k, 0);
}

static int src_blob(void *cb, const void *p, size_t n, char hex[65], struct fy_error *err)
{
	struct oai_src *s = cb;

	return oai_queue_blob(&s->q, &s->blobs, p, n, hex, err);
}

static int src_has_file(void *cb, const char *id)
{
	struct oai_src *s = cb;

	if (!s->files_listed)
		return 1;	/* files were not asked for: the reference points out of the scope */
	return fy_idset_has(&s->files, fy_fingerprint('f', id, strlen(id)));
}

static int src_ledger(void *cb, const char *json, size_t len, struct fy_error *err)
{
	struct oai_src *s = cb;

	return live_queue_json(&s->q, FY_ITEM_LEDGER, json, len, err);
}

static void openai_read_close(void *state)
{
	struct oai_src *s = state;

	if (!s)
		return;
	live_queue_release(&s->q);
	fy_idset_release(&s->files);
	fy_idset_release(&s->blobs);
	oai_free_ids(s->conv, s->nconv);
	oai_free_ids(s->resp, s->nresp);
	oai_free_ids(s->ck, s->nck);
	free(s->dump);
	if (s->has_client)
		live_client_close(&s->client);
	free(s);
}

static int openai_read_open(const struct fy_adapter_ctx *ctx, void **state,
			    struct fy_source_info *info, struct fy_error *err)
{
	struct oai_src *s = calloc(1, sizeof(*s));
	const char *v;
	size_t i;

	if (!s)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	s->ctx = ctx;
	live_queue_init(&s->q);
	fy_idset_init(&s->files, 1u << 26);
	fy_idset_init(&s->blobs, 1u << 26);
	s->api.adapter = "openai";
	s->api.prefix = "";
	s->api.map.adapter = "openai";
	s->api.map.blob = src_blob;
	s->api.map.has_file = src_has_file;
	s->api.map.ledger = src_ledger;
	s->api.map.cb = s;
	s->api.page_size = (v = fy_adapter_option(ctx, "page-size")) ? atoi(v) : 100;
	if (s->api.page_size < 1 || s->api.page_size > 100) {
		openai_read_close(s);
		return fy_error_set(err, FY_E_USAGE, "openai: page-size takes 1 to 100");
	}
	if (ctx->location && *ctx->location) {
		struct stat st;

		if (stat(ctx->location, &st) < 0) {
			fy_error_errno(err, errno, "openai: %s", ctx->location);
			openai_read_close(s);
			return -1;
		}
		s->dump = strdup(ctx->location);
		s->stage = ST_DUMP;
		info->created = st.st_mtime;
		snprintf(info->location, sizeof(info->location), "%s", ctx->location);
		*state = s;
		return s->dump ? 0 : fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	if (openai_client(&s->client, ctx, err) < 0) {
		openai_read_close(s);
		return -1;
	}
	s->has_client = 1;
	s->api.client = &s->client;
	s->api.window = (size_t)s->client.concurrency * 8;
	for (i = 0; i < ctx->nids; i++) {
		const char *id = ctx->ids[i];
		int rc;

		if (!strncmp(id, "resp_", 5))
			rc = oai_add_id(&s->resp, &s->nresp, id, err);
		else if (!strncmp(id, "cthr_", 5))
			rc = oai_add_id(&s->ck, &s->nck, id, err);
		else
			rc = oai_add_id(&s->conv, &s->nconv, id, err);
		if (rc < 0) {
			openai_read_close(s);
			return -1;
		}
	}
	snprintf(info->location, sizeof(info->location), "%s",
		 getenv("OPENAI_BASE_URL") && *getenv("OPENAI_BASE_URL") ? getenv("OPENAI_BASE_URL") : DEFAULT_BASE);
	snprintf(info->account, sizeof(info->account), "%s", s->client.account);
	*state = s;
	return 0;
}

/* One file's bytes. */
struct file_unit {
	struct live_unit u;
	struct oai_src *s;
	char *obj;			/* the file object, compact JSON */
	char *id;
	int fd;
	int step;
	long status;
};

static int file_next(struct live_unit *lu, struct live_req *r, struct fy_error *err)
{
	struct file_unit *f = (struct file_unit *)lu;

	if (f->step++)
		return 0;
	if (live_req_set(r, "GET", err, "/files/") < 0 || live_req_path_enc(r, f->id, err) < 0 ||
	    fy_buf_adds(&r->path, "/content", err) < 0)
		return -1;
	r->rq.resp_fd = f->fd;
	return 1;
}

static int file_take(struct live_unit *lu, struct fy_http_response *resp, struct fy_error *err)
{
	struct file_unit *f = (struct file_unit *)lu;

	f->status = resp->status;
	if (resp->status == 400 || (resp->status >= 200 && resp->status < 300))
		return 0;
	{
		char what[300];

		snprintf(what, sizeof(what), "file %s content", f->id);
		return fy_http_check(f->s->client.http, resp, what, err);
	}
}

static const struct live_unit_ops file_ops = { .next = file_next, .take = file_take };

/* Emit the file record (with its blob when the bytes came). */
static int file_emit(struct oai_src *s, struct file_unit *f, struct fy_error *err)
{
	struct fy_buf rec = FY_BUF_INIT(1 << 24);
	struct fy_jdoc d;
	char hex[65];
	uint64_t size;
	int have = 0, rc = -1;

	fy_jdoc_init(&d);
	if (f->status >= 200 && f->status < 300) {
		if (live_fd_sha256(f->fd, hex, &size, err) < 0)
			goto out;
		if (fy_idset_add(&s->blobs, fy_fingerprint('b', hex, 64), err) == 1) {
			if (live_queue_blob(&s->q, hex, f->fd, size, err) < 0) {
				f->fd = -1;
				goto out;
			}
			f->fd = -1;
		}
		have = 1;
	} else {
		struct fy_buf l = FY_BUF_INIT(1 << 16);

		rc = live_ledger_line(&l, "openai", "export", "file", f->id, "blob", "degraded",
				      "not-downloadable",
				      "the API does not give out the bytes of this file (purpose "
				      "\"assistants\"); the record describes it, the bytes stay at OpenAI", err);
		if (rc == 0)
			rc = live_queue_json(&s->q, FY_ITEM_LEDGER, l.ptr, l.len, err);
		fy_buf_release(&l);
		if (rc < 0)
			goto out;
		rc = -1;
	}
	if (fy_jdoc_parse(&d, f->obj, strlen(f->obj), 0, err) < 0 ||
	    oai_file_record(&s->api.map, &d, 0, have ? hex : NULL, &rec, err) < 0 ||
	    live_queue_json(&s->q, FY_ITEM_RECORD, rec.ptr, rec.len, err) < 0)
		goto out;
	rc = 0;
out:
	fy_jdoc_release(&d);
	fy_buf_release(&rec);
	return rc;
}

/* A listing's objects, as compact JSON (each new). */
static int list_objects(struct oai_src *s, const char *path, char ***objs, size_t *n, struct fy_error *err)
{
	return live_list(&s->client, path, NULL, NULL, "id", 0, 0, objs, n, err);
}

static int stage_files(struct oai_src *s, struct fy_error *err)
{
	char **objs = NULL;
	size_t n = 0, i, start, w = s->api.window ? s->api.window : 16;
	struct file_unit *units = NULL;
	struct live_unit **ptrs = NULL;
	int rc = -1;

	if (!wanted(s, FY_KIND_FILE) && !wanted(s, FY_KIND_KNOWLEDGE) && !wanted(s, FY_KIND_THREAD))
		return 0;
	if (list_objects(s, "/files", &objs, &n, err) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		struct fy_jdoc d;
		char *id;

		fy_jdoc_init(&d);
		id = fy_jdoc_parse(&d, objs[i], strlen(objs[i]), 0, err) == 0 ? fy_json_get_strdup(&d, 0, "id") : NULL;
		fy_jdoc_release(&d);
		if (!id || fy_idset_add(&s->files, fy_fingerprint('f', id, strlen(id)), err) < 0) {
			free(id);
			goto out;
		}
		free(id);
	}
	s->files_listed = 1;
	if (!wanted(s, FY_KIND_FILE)) {
		rc = 0;
		goto out;
	}
	units = calloc(w, sizeof(*units));
	ptrs = calloc(w, sizeof(*ptrs));
	if (!units || !ptrs) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		goto out;
	}
	for (start = 0; start < n; start += w) {
		size_t m = n - start < w ? n - start : w;
		struct fy_jdoc d;

		fy_jdoc_init(&d);
		for (i = 0; i < m; i++) {
			memset(&units[i], 0, sizeof(units[i]));
			units[i].u.ops = &file_ops;
			units[i].s = s;
			units[i].obj = objs[start + i];
			units[i].fd = live_tmpfile(err);
			if (fy_jdoc_parse(&d, objs[start + i], strlen(objs[start + i]), 0, err) == 0)
				units[i].id = fy_json_get_strdup(&d, 0, "id");
			ptrs[i] = &units[i].u;
		}
		fy_jdoc_release(&d);
		rc = 0;
		for (i = 0; i < m; i++)
			if (units[i].fd < 0 || !units[i].id)
				rc = -1;
		if (rc == 0)
			rc = live_run_units(&s->client, ptrs, m, err);
		for (i = 0; i < m; i++) {
			if (rc == 0 && file_emit(s, &units[i], err) < 0)
				rc = -1;
			if (units[i].fd >= 0)
				close(units[i].fd);
			free(units[i].id);
		}
		if (rc < 0)
			goto out;
	}
	rc = 0;
out:
	oai_free_ids(objs, n);
	free(units);
	free(ptrs);
	return rc;
}

/* One vector store's files. */
struct store_unit {
	struct live_unit u;
	char *id;
	char *after;
	int step, more;
	struct fy_buf files;		/* "[...]" of vector_store.file objects */
	size_t nfiles;
	struct fy_jdoc d;
	struct oai_src *s;
};

static int store_next(struct live_unit *lu, struct live_req *r, struct fy_error *err)
{
	struct store_unit *u = (struct store_unit *)lu;

	if (u->step && !u->more)
		return 0;
	if (live_req_set(r, "GET", err, "/vector_stores/") < 0 || live_req_path_enc(r, u->id, err) < 0 ||
	    fy_buf_adds(&r->path, "/files", err) < 0 || live_req_param(r, "limit", "100", err) < 0 ||
	    live_req_param(r, "order", "asc", err) < 0 ||
	    (u->after && live_req_param(r, "after", u->after, err) < 0))
		return -1;
	u->step++;
	return 1;
}

static int store_take(struct live_unit *lu, struct fy_http_response *resp, struct fy_error *err)
{
	struct store_unit *u = (struct store_unit *)lu;
	uint32_t data, k, v;
	char what[300];

	snprintf(what, sizeof(what), "vector store %s files", u->id);
	if (fy_http_check(u->s->client.http, resp, what, err) < 0 ||
	    fy_jdoc_parse(&u->d, resp->body.ptr, resp->body.len, 0, err) < 0)
		return -1;
	data = fy_json_get(&u->d, 0, "data");
	FY_JSON_FOREACH(&u->d, data, k, v) {
		if ((u->nfiles++ && fy_buf_addc(&u->files, ',', err) < 0) || fy_json_emit(&u->d, v, &u->files, err) < 0)
			return -1;
	}
	u->more = fy_json_type(&u->d, fy_json_get(&u->d, 0, "has_more")) == FY_JTRUE && fy_json_len(&u->d, data);
	free(u->after);
	u->after = u->more ? fy_json_get_strdup(&u->d, fy_json_at(&u->d, data, fy_json_len(&u->d, data) - 1), "id")
			   : NULL;
	return 0;
}

static const struct live_unit_ops store_ops = { .next = store_next, .take = store_take };

static int stage_stores(struct oai_src *s, struct fy_error *err)
{
	char **objs = NULL;
	size_t n = 0, i;
	struct store_unit *units = NULL;
	struct live_unit **ptrs = NULL;
	struct fy_buf rec = FY_BUF_INIT(1 << 26);
	struct fy_jdoc d, fd;
	int rc = -1;

	if (!wanted(s, FY_KIND_KNOWLEDGE))
		return 0;
	fy_jdoc_init(&d);
	fy_jdoc_init(&fd);
	if (list_objects(s, "/vector_stores", &objs, &n, err) < 0)
		goto out;
	units = calloc(n + 1, sizeof(*units));
	ptrs = calloc(n + 1, sizeof(*ptrs));
	if (!units || !ptrs) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		units[i].u.ops = &store_ops;
		units[i].s = s;
		fy_buf_init(&units[i].files, (size_t)1 << 30);
		fy_buf_addc(&units[i].files, '[', NULL);
		fy_jdoc_init(&units[i].d);
		if (fy_jdoc_parse(&d, objs[i], strlen(objs[i]), 0, err) < 0 ||
		    !(units[i].id = fy_json_get_strdup(&d, 0, "id")))
			goto out;
		ptrs[i] = &units[i].u;
	}
	if (live_run_units(&s->client, ptrs, n, err) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		fy_buf_reset(&rec);
		if (fy_buf_addc(&units[i].files, ']', err) < 0 ||
		    fy_jdoc_parse(&d, objs[i], strlen(objs[i]), 0, err) < 0 ||
		    fy_jdoc_parse(&fd, units[i].files.ptr, units[i].files.len, 0, err) < 0 ||
		    oai_vector_store_record(&s->api.map, &d, 0, &fd, 0, &rec, err) < 0 ||
		    live_queue_json(&s->q, FY_ITEM_RECORD, rec.ptr, rec.len, err) < 0)
			goto out;
	}
	rc = 0;
out:
	for (i = 0; units && i < n; i++) {
		free(units[i].id);
		free(units[i].after);
		fy_buf_release(&units[i].files);
		fy_jdoc_release(&units[i].d);
	}
	free(units);
	free(ptrs);
	oai_free_ids(objs, n);
	fy_buf_release(&rec);
	fy_jdoc_release(&d);
	fy_jdoc_release(&fd);
	return rc;
}

/* --- dumps --------------------------------------------------------------------- */

static int read_all(const char *path, struct fy_buf *b, struct fy_error *err)
{
	char buf[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return fy_error_errno(err, errno, "openai: %s", path);
	fy_buf_reset(b);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return fy_error_errno(err, errno, "openai: %s", path);
		}
		if (fy_buf_add(b, buf, (size_t)n, err) < 0) {
			close(fd);
			return fy_error_prefix(err, "openai: %s", path);
		}
	}
	close(fd);
	return 0;
}

static int dump_file(struct oai_objset *set, const char *path, struct fy_error *err)
{
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 32);
	size_t n = strlen(path);
	int rc = -1;

	if (read_all(path, &b, err) < 0)
		goto out;
	if (n > 6 && !strcmp(path + n - 6, ".jsonl")) {
		char *p = b.ptr, *e;
		size_t line = 0;

		for (; p && *p; p = e + 1) {
			line++;
			e = strchr(p, '\n');
			if (!e)
				e = p + strlen(p);
			if (strspn(p, " \t\r") < (size_t)(e - p) &&
			    oai_objset_add(set, p, (size_t)(e - p), err) < 0) {
				fy_error_prefix(err, "openai: %s line %zu", path, line);
				goto out;
			}
			if (!*e)
				break;
		}
	} else if (oai_objset_add(set, b.ptr ? b.ptr : "", b.len, err) < 0) {
		fy_error_prefix(err, "openai: %s", path);
		goto out;
	}
	rc = 0;
out:
	fy_buf_release(&b);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int dump_walk(struct oai_objset *set, const char *dir, int depth, struct fy_error *err)
{
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;
	DIR *dh;
	int rc = 0;

	if (depth > 16)
		return fy_error_set(err, FY_E_UNSAFE, "openai: %s: folders nested too deep", dir);
	dh = opendir(dir);
	if (!dh)
		return fy_error_errno(err, errno, "openai: %s", dir);
	while ((de = readdir(dh))) {
		char **p;

		if (de->d_name[0] == '.')
			continue;
		p = realloc(names, (n + 1) * sizeof(char *));
		if (!p || !(p[n] = strdup(de->d_name))) {
			free(p ? p : names);
			names = NULL;
			n = 0;
			rc = fy_error_set(err, FY_E_NOMEM, "out of memory");
			break;
		}
		names = p;
		n++;
	}
	closedir(dh);
	if (names)
		qsort(names, n, sizeof(char *), name_cmp);
	for (i = 0; i < n && rc == 0; i++) {
		char path[PATH_MAX];
		struct stat st;
		size_t len = strlen(names[i]);

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (lstat(path, &st) < 0)
			rc = fy_error_errno(err, errno, "openai: %s", path);
		else if (S_ISDIR(st.st_mode))
			rc = dump_walk(set, path, depth + 1, err);
		else if (S_ISREG(st.st_mode) &&
			 ((len > 5 && !strcmp(names[i] + len - 5, ".json")) ||
			  (len > 6 && !strcmp(names[i] + len - 6, ".jsonl"))))
			rc = dump_file(set, path, err);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static int dump_emit(void *cb, const char *json, size_t len, struct fy_error *err)
{
	return live_queue_json(&((struct oai_src *)cb)->q, FY_ITEM_RECORD, json, len, err);
}

static int stage_dump(struct oai_src *s, struct fy_error *err)
{
	struct oai_objset set;
	struct stat st;
	int rc;

	oai_objset_init(&set);
	rc = stat(s->dump, &st) < 0 ? fy_error_errno(err, errno, "openai: %s", s->dump)
	     : S_ISDIR(st.st_mode) ? dump_walk(&set, s->dump, 0, err)
				   : dump_file(&set, s->dump, err);
	if (rc == 0 && set.n == 0)
		rc = fy_error_set(err, FY_E_DATA, "openai: %s: no Assistants-era objects found", s->dump);
	if (rc == 0)
		rc = oai_objset_records(&s->api.map, &set, dump_emit, s, err);
	oai_objset_release(&set);
	return rc;
}

static int openai_read_next(void *state, struct fy_item *it, struct fy_error *err)
{
	struct oai_src *s = state;

	while (live_queue_empty(&s->q)) {
		int rc = 0;

		switch (s->stage) {
		case ST_FILES: rc = stage_files(s, err); break;
		case ST_STORES: rc = stage_stores(s, err); break;
		case ST_CONVS:
			if (wanted(s, FY_KIND_THREAD))
				rc = oai_export_conversations(&s->api, s->conv, s->nconv, &s->q, err);
			break;
		case ST_RESPS:
			if (wanted(s, FY_KIND_THREAD))
				rc = oai_export_responses(&s->api, s->resp, s->nresp, &s->q, err);
			break;
		case ST_CHATKIT:
			if (wanted(s, FY_KIND_THREAD)) {
				const char *opt = fy_adapter_option(s->ctx, "chatkit");
				char **ids = NULL;
				size_t n = 0, i;

				if (!opt || strcmp(opt, "0") != 0)
					rc = oai_list_ids(&s->api, "/chatkit/threads", "OpenAI-Beta: chatkit_beta=v1",
							  "id", 1, &ids, &n, err);
				for (i = 0; rc == 0 && i < n; i++)
					rc = oai_add_id(&s->ck, &s->nck, ids[i], err);
				oai_free_ids(ids, n);
				if (rc == 0)
					rc = oai_export_chatkit(&s->api, s->ck, s->nck, &s->q, err);
			}
			s->stage = ST_DONE - 1;
			break;
		case ST_DUMP:
			rc = stage_dump(s, err);
			s->stage = ST_DONE - 1;
			break;
		default:
			return 0;
		}
		if (rc < 0)
			return -1;
		s->stage++;
	}
	return live_queue_pop(&s->q, it);
}

/* --- sink ------------------------------------------------------------------------ */

static const char *const purposes[] = { "assistants", "batch", "fine-tune", "vision", "user_data",
					"evals", NULL };

/*
 * What a file's or vector store's contents decide, beyond the table: no
 * bytes (nothing to upload), a purpose OpenAI does not take, metadata
 * that does not fit. Called once per record handed over.
 */
static int openai_check(struct oai_sink *s, enum fy_kind k, const struct fy_jdoc *d, const char *id,
			struct fy_error *err)
{
	if (k == FY_KIND_FILE) {
		/* a purpose OpenAI does not take: the table's "purpose" line says so */
		if (fy_json_type(d, fy_json_get(d, 0, "blob")) != FY_JSTRING)
			return live_sink_ledger(&s->live, "file", id, NULL, NULL, "dropped", "no-bytes",
						"the archive has no bytes for this file (the provider did not give "
						"them): nothing to upload", err);
		return 0;
	}
	if (k == FY_KIND_KNOWLEDGE) {
		struct oai_extras x;
		const char *extra[12];
		char key[512];
		int rc;

		oai_record_extras(d, id, &x, extra);
		live_sink_key(&s->live, id, key, sizeof(key));
		rc = oai_sink_metadata(s, NULL, d, fy_json_get(d, 0, "metadata"), "knowledge", id, key, extra, 1,
				       err);
		oai_extras_release(&x);
		return rc;
	}
	return 0;
}

static int sink_files(struct oai_sink *s, struct fy_error *err)
{
	size_t i, k;
	struct fy_jdoc d;
	int rc = -1;

	fy_jdoc_init(&d);
	for (i = 0; i < s->nrecs[FY_KIND_FILE]; i++) {
		struct oai_rec *r = &s->recs[FY_KIND_FILE][i];
		char key[512], *blob, *name, *purpose, *mt;
		const char *use = "user_data", *target;
		int ok;

		if (fy_jdoc_parse(&d, r->json, r->len, 0, err) < 0)
			goto out;
		blob = fy_json_get_strdup(&d, 0, "blob");
		name = fy_json_get_strdup(&d, 0, "name");
		purpose = fy_json_get_strdup(&d, 0, "purpose");
		mt = fy_json_get_strdup(&d, 0, "media_type");
		for (k = 0; purpose && purposes[k]; k++)
			if (!strcmp(purpose, purposes[k]))
				use = purposes[k];
		live_sink_key(&s->live, r->id, key, sizeof(key));
		/* no bytes: nothing to upload (reported by openai_check) */
		ok = blob ? oai_sink_upload(s, "file", key, blob, name ? name : r->id, use, mt, &target, err) : 0;
		free(blob), free(name), free(purpose), free(mt);
		if (ok < 0)
			goto out;
	}
	rc = 0;
out:
	fy_jdoc_release(&d);
	return rc;
}

struct vs_lookup {
	struct oai_sink *s;
	const char *key;
};

/* A vector store created by an import of this record: metadata.ferry_src. */
static int find_store(void *ctx, struct fy_buf *out, struct fy_error *err)
{
	struct vs_lookup *l = ctx;
	struct live_req r;
	struct fy_http_response resp;
	struct fy_jdoc d;
	char *after = NULL;
	int rc = -1, more = 1, found = 0;

	live_req_init(&r);
	fy_http_response_init(&resp);
	fy_jdoc_init(&d);
	while (more && !found) {
		uint32_t data, k, v;

		if (live_req_set(&r, "GET", err, "/vector_stores") < 0 || live_req_param(&r, "limit", "100", err) < 0 ||
		    live_req_param(&r, "order", "asc", err) < 0 ||
		    (after && live_req_param(&r, "after", after, err) < 0) ||
		    live_get(&l->s->client, &r, &resp, "list vector stores", err) < 0 ||
		    fy_jdoc_parse(&d, resp.body.ptr, resp.body.len, 0, err) < 0)
			goto out;
		data = fy_json_get(&d, 0, "data");
		FY_JSON_FOREACH(&d, data, k, v)
			if (!found && fy_json_streq(&d, fy_json_get(&d, fy_json_get(&d, v, "metadata"), "ferry_src"), l->key)) {
				live_get_str(&d, v, "id", out);
				found = 1;
			}
		more = fy_json_type(&d, fy_json_get(&d, 0, "has_more")) == FY_JTRUE && fy_json_len(&d, data);
		free(after);
		after = more ? fy_json_get_strdup(&d, fy_json_at(&d, data, fy_json_len(&d, data) - 1), "id") : NULL;
	}
	rc = found;
out:
	free(after);
	live_req_release(&r);
	fy_http_response_release(&resp);
	fy_jdoc_release(&d);
	return rc;
}

/* Attach one file (with its attributes and chunking): idempotent at OpenAI. */
static int attach_file(struct oai_sink *s, const char *store, const char *file, const struct fy_jdoc *fd,
		       uint32_t vsf, struct fy_error *err)
{
	struct live_req r;
	struct fy_http_response resp;
	struct lw w;
	int rc;

	live_req_init(&r);
	fy_http_response_init(&resp);
	lw_init(&w, &r.body, err);
	rc = live_req_set(&r, "POST", err, "/vector_stores/");
	if (rc == 0)
		rc = live_req_path_enc(&r, store, err);
	if (rc == 0)
		rc = fy_buf_adds(&r.path, "/files", err);
	lw_obj(&w);
	lw_kstr(&w, "file_id", file);
	if (fd && fy_json_type(fd, fy_json_get(fd, vsf, "attributes")) == FY_JOBJECT)
		lw_knode(&w, "attributes", fd, fy_json_get(fd, vsf, "attributes"));
	if (fd && live_streq(fd, fy_json_get(fd, vsf, "chunking_strategy"), "type", "static"))
		lw_knode(&w, "chunking_strategy", fd, fy_json_get(fd, vsf, "chunking_strategy"));
	lw_end_obj(&w);
	if (rc == 0)
		rc = lw_done(&w);
	if (rc == 0)
		rc = live_get(&s->client, &r, &resp, store, err);
	live_req_release(&r);
	fy_http_response_release(&resp);
	return rc;
}

static int sink_knowledge(struct oai_sink *s, struct fy_error *err)
{
	struct fy_jdoc d;
	size_t i;
	int rc = -1;

	fy_jdoc_init(&d);
	for (i = 0; i < s->nrecs[FY_KIND_KNOWLEDGE]; i++) {
		struct oai_rec *rec = &s->recs[FY_KIND_KNOWLEDGE][i];
		uint32_t files, k, f, ext, vsfiles, ch;
		char key[512];
		const char *target;
		enum fy_journal_state st;
		struct fy_buf id = FY_BUF_INIT(1024);
		struct live_req r;
		struct fy_http_response resp;
		struct vs_lookup l;
		struct lw w;
		struct oai_extras x;
		const char *extra[12];
		int found = 0, ok = -1;

		if (fy_jdoc_parse(&d, rec->json, rec->len, 0, err) < 0)
			goto out;
		live_sink_key(&s->live, rec->id, key, sizeof(key));
		st = live_sink_state(&s->live, "knowledge", key, &target);
		files = fy_json_get(&d, 0, "files");
		ext = fy_json_get(&d, fy_json_get(&d, 0, "ext"), "openai");
		vsfiles = fy_json_get(&d, ext, "files");
		/* Files the target does not have: reported on every run, done or not. */
		FY_JSON_FOREACH(&d, files, k, f) {
			char *fid = fy_json_strdup(&d, f, NULL);

			if (fid && !oai_sink_file_target(s, fid) &&
			    live_sink_ledger(&s->live, "knowledge", rec->id, NULL, "files", "degraded",
					     "file-not-imported",
					     "a file of the set is not at the target and is left out", err) < 0) {
				free(fid);
				goto out;
			}
			free(fid);
		}
		if (st == FY_JOURNAL_VERIFIED) {
			s->live.plan.skip[FY_KIND_KNOWLEDGE]++;
			continue;
		}
		/* create (a resumed one looked up first), then attach each file again */
		s->live.plan.create[FY_KIND_KNOWLEDGE] += st != FY_JOURNAL_CREATED;
		s->live.plan.resume[FY_KIND_KNOWLEDGE] += st != FY_JOURNAL_NONE;
		s->live.plan.calls += (st != FY_JOURNAL_CREATED) + (st == FY_JOURNAL_PLANNED) + fy_json_len(&d, files);
		if (s->dry)
			continue;
		live_req_init(&r);
		fy_http_response_init(&resp);
		l.s = s;
		l.key = key;
		if (st == FY_JOURNAL_CREATED) {
			id.len = 0;
			fy_buf_adds(&id, target, NULL);
			found = 1;
		} else if (st == FY_JOURNAL_PLANNED) {
			found = find_store(&l, &id, err);
			if (found < 0)
				goto knext;
		}
		if (!found) {
			if (live_sink_put(&s->live, "knowledge", key, NULL, FY_JOURNAL_PLANNED, err) < 0 ||
			    live_req_set(&r, "POST", err, "/vector_stores") < 0)
				goto knext;
			lw_init(&w, &r.body, err);
			lw_obj(&w);
			lw_knode(&w, "name", &d, fy_json_get(&d, 0, "name"));
			if (fy_json_type(&d, fy_json_get(&d, 0, "description")) == FY_JSTRING)
				lw_knode(&w, "description", &d, fy_json_get(&d, 0, "description"));
			ch = fy_json_get(&d, 0, "chunking");
			if (fy_json_get(&d, ch, "max_tokens") != FY_JNONE) {
				lw_key(&w, "chunking_strategy");
				lw_obj(&w);
				lw_kstr(&w, "type", "static");
				lw_key(&w, "static");
				lw_obj(&w);
				lw_knode(&w, "max_chunk_size_tokens", &d, fy_json_get(&d, ch, "max_tokens"));
				if (fy_json_get(&d, ch, "overlap_tokens") != FY_JNONE)
					lw_knode(&w, "chunk_overlap_tokens", &d, fy_json_get(&d, ch, "overlap_tokens"));
				lw_end_obj(&w);
				lw_end_obj(&w);
			}
			oai_record_extras(&d, rec->id, &x, extra);
			ok = oai_sink_metadata(s, &w, &d, fy_json_get(&d, 0, "metadata"), "knowledge", rec->id, key,
					       extra, 0, err);
			oai_extras_release(&x);
			if (ok < 0)
				goto knext;
			lw_end_obj(&w);
			if (lw_done(&w) < 0 ||
			    live_create(&s->client, &r, &resp, key, find_store, &l, &id, &found, err) < 0)
				goto knext;
			if (!found) {
				struct fy_jdoc a;

				fy_jdoc_init(&a);
				if (fy_jdoc_parse(&a, resp.body.ptr, resp.body.len, 0, err) < 0 ||
				    live_get_str(&a, 0, "id", &id) < 0) {
					fy_jdoc_release(&a);
					fy_error_set(err, FY_E_DATA, "%s: the create answer has no id", key);
					goto knext;
				}
				fy_jdoc_release(&a);
			}
			if (live_sink_put(&s->live, "knowledge", key, id.ptr, FY_JOURNAL_CREATED, err) < 0)
				goto knext;
			s->live.created++;
		}
		/* Attach the files (again after a resume: attaching is idempotent). */
		FY_JSON_FOREACH(&d, files, k, f) {
			char *fid = fy_json_strdup(&d, f, NULL);
			const char *tf = fid ? oai_sink_file_target(s, fid) : NULL;
			uint32_t kk, v, match = FY_JNONE;

			FY_JSON_FOREACH(&d, vsfiles, kk, v) {
				char *pid = fy_json_get_strdup(&d, v, "id"), fy[FY_ID_MAX + 1];

				if (pid) {
					fy_id_make(pid, strlen(pid), fy);
					if (fid && !strcmp(fy, fid))
						match = v;
				}
				free(pid);
			}
			ok = tf ? attach_file(s, id.ptr, tf, &d, match, err) : 0;
			free(fid);
			if (ok < 0)
				goto knext;
		}
		if (live_sink_put(&s->live, "knowledge", key, id.ptr, FY_JOURNAL_VERIFIED, err) < 0)
			goto knext;
		ok = 0;
knext:
		live_req_release(&r);
		fy_http_response_release(&resp);
		fy_buf_release(&id);
		if (ok < 0)
			goto out;
	}
	rc = 0;
out:
	fy_jdoc_release(&d);
	return rc;
}

/* Write a file atomically: path.tmp, fsync, rename. */
static int write_atomic(const char *path, const char *data, size_t n, struct fy_error *err)
{
	char tmp[4800];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return fy_error_errno(err, errno, "%s", tmp);
	if (fy_write_all(fd, data, n, tmp, err) < 0 || fsync(fd) < 0) {
		close(fd);
		unlink(tmp);
		return err->code ? -1 : fy_error_errno(err, errno, "%s", tmp);
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return fy_error_errno(err, errno, "rename %s", path);
	}
	return 0;
}

/* The tool record id, found among the held tool records. */
static const struct oai_rec *find_rec(const struct oai_sink *s, enum fy_kind k, const char *id)
{
	size_t i;

	for (i = 0; i < s->nrecs[k]; i++)
		if (!strcmp(s->recs[k][i].id, id))
			return &s->recs[k][i];
	return NULL;
}

/*
 * An agent as an OpenAI Agents SDK configuration: name, instructions,
 * model and model_settings, tools (function tools with their JSON Schema,
 * hosted tools by type, file_search with the target's vector store ids),
 * handoffs by name, output_type from the response format.
 */
static int agent_config(struct oai_sink *s, const struct fy_jdoc *d, const char *id, struct fy_buf *out,
			struct fy_error *err)
{
	uint32_t tools = fy_json_get(d, 0, "tools"), kn = fy_json_get(d, 0, "knowledge"), k, v;
	uint32_t model = fy_json_get(d, 0, "model");
	struct fy_jdoc td;
	struct lw w;
	int rc = -1;

	fy_jdoc_init(&td);
	lw_init(&w, out, err);
	lw_obj(&w);
	lw_kstr(&w, "format", "openai-agents-sdk/agent");
	lw_knode(&w, "name", d, fy_json_get(d, 0, "name"));
	if (fy_json_type(d, fy_json_get(d, 0, "instructions")) == FY_JSTRING)
		lw_knode(&w, "instructions", d, fy_json_get(d, 0, "instructions"));
	if (fy_json_type(d, fy_json_get(d, 0, "description")) == FY_JSTRING)
		lw_knode(&w, "handoff_description", d, fy_json_get(d, 0, "description"));
	if (fy_json_get(d, model, "name") != FY_JNONE)
		lw_knode(&w, "model", d, fy_json_get(d, model, "name"));
	if (fy_json_type(d, fy_json_get(d, model, "parameters")) == FY_JOBJECT)
		lw_knode(&w, "model_settings", d, fy_json_get(d, model, "parameters"));
	if (fy_json_type(d, fy_json_get(d, 0, "response_format")) == FY_JOBJECT)
		lw_knode(&w, "output_type", d, fy_json_get(d, 0, "response_format"));
	lw_key(&w, "tools");
	lw_arr(&w);
	FY_JSON_FOREACH(d, tools, k, v) {
		char *tid = fy_json_strdup(d, v, NULL);
		const struct oai_rec *t = tid ? find_rec(s, FY_KIND_TOOL, tid) : NULL;
		struct fy_buf type = FY_BUF_INIT(64);

		free(tid);
		if (!t || fy_jdoc_parse(&td, t->json, t->len, 0, err) < 0)
			continue;
		live_get_str(&td, 0, "type", &type);
		lw_obj(&w);
		if (type.ptr && !strcmp(type.ptr, "function")) {
			lw_kstr(&w, "type", "function");
			lw_knode(&w, "name", &td, fy_json_get(&td, 0, "name"));
			if (fy_json_type(&td, fy_json_get(&td, 0, "description")) == FY_JSTRING)
				lw_knode(&w, "description", &td, fy_json_get(&td, 0, "description"));
			if (fy_json_type(&td, fy_json_get(&td, 0, "parameters")) == FY_JOBJECT)
				lw_knode(&w, "params_json_schema", &td, fy_json_get(&td, 0, "parameters"));
			if (fy_json_get(&td, 0, "strict") != FY_JNONE)
				lw_knode(&w, "strict_json_schema", &td, fy_json_get(&td, 0, "strict"));
		} else if (type.ptr && !strcmp(type.ptr, "file_search")) {
			uint32_t kk, kv;

			lw_kstr(&w, "type", "file_search");
			lw_key(&w, "vector_store_ids");
			lw_arr(&w);
			FY_JSON_FOREACH(d, kn, kk, kv) {
				char *kid = fy_json_strdup(d, kv, NULL), key[512];
				const char *target = NULL;

				if (kid) {
					live_sink_key(&s->live, kid, key, sizeof(key));
					if (live_sink_state(&s->live, "knowledge", key, &target) >= FY_JOURNAL_CREATED && target)
						lw_str(&w, target);
				}
				free(kid);
			}
			lw_end_arr(&w);
		} else if (type.ptr && !strcmp(type.ptr, "mcp")) {
			lw_kstr(&w, "type", "mcp");
			lw_knode(&w, "name", &td, fy_json_get(&td, 0, "name"));
			if (fy_json_get(&td, 0, "mcp") != FY_JNONE)
				lw_knode(&w, "server", &td, fy_json_get(&td, 0, "mcp"));
		} else {
			lw_kstr(&w, "type", type.ptr ? type.ptr : "builtin");
			lw_knode(&w, "name", &td, fy_json_get(&td, 0, "name"));
			if (fy_json_get(&td, 0, "config") != FY_JNONE)
				lw_knode(&w, "config", &td, fy_json_get(&td, 0, "config"));
		}
		lw_end_obj(&w);
		fy_buf_release(&type);
	}
	lw_end_arr(&w);
	lw_key(&w, "handoffs");
	lw_arr(&w);
	FY_JSON_FOREACH(d, fy_json_get(d, 0, "handoffs"), k, v) {
		char *hid = fy_json_strdup(d, v, NULL);
		const struct oai_rec *h = hid ? find_rec(s, FY_KIND_AGENT, hid) : NULL;

		if (h && fy_jdoc_parse(&td, h->json, h->len, 0, err) == 0)
			lw_node(&w, &td, fy_json_get(&td, 0, "name"));
		free(hid);
	}
	lw_end_arr(&w);
	lw_key(&w, "source");
	lw_obj(&w);
	lw_kstr(&w, "archive_id", id);
	if (fy_json_get(d, fy_json_get(d, 0, "source"), "adapter") != FY_JNONE)
		lw_knode(&w, "adapter", d, fy_json_get(d, fy_json_get(d, 0, "source"), "adapter"));
	if (fy_json_get(d, fy_json_get(d, 0, "source"), "id") != FY_JNONE)
		lw_knode(&w, "id", d, fy_json_get(d, fy_json_get(d, 0, "source"), "id"));
	lw_end_obj(&w);
	lw_end_obj(&w);
	if (lw_done(&w) == 0 && fy_buf_addc(out, '\n', err) == 0)
		rc = 0;
	fy_jdoc_release(&td);
	return rc;
}

static int sink_agents(struct oai_sink *s, struct fy_error *err)
{
	char dir[4400];
	struct fy_jdoc d;
	size_t i;
	int rc = -1;

	fy_jdoc_init(&d);
	snprintf(dir, sizeof(dir), "%s.agents", s->live.journal_path);
	for (i = 0; i < s->nrecs[FY_KIND_AGENT]; i++) {
		struct oai_rec *r = &s->recs[FY_KIND_AGENT][i];
		struct fy_buf cfg = FY_BUF_INIT(1 << 26);
		char path[4700], key[512], why[6000];
		const char *target;
		enum fy_journal_state st;
		int ok;

		live_sink_key(&s->live, r->id, key, sizeof(key));
		st = live_sink_state(&s->live, "agent", key, &target);
		snprintf(path, sizeof(path), "%s/%s.json", dir, r->id);
		snprintf(why, sizeof(why), "the Agents SDK configuration is %s", path);
		/* where it landed: a warning line (not compared with the plan) */
		ok = live_sink_ledger(&s->live, "agent", r->id, NULL, NULL, "warning", "agents-sdk-config", why, err);
		s->live.plan.skip[FY_KIND_AGENT] += st == FY_JOURNAL_VERIFIED;
		s->live.plan.create[FY_KIND_AGENT] += st != FY_JOURNAL_VERIFIED;	/* a local file: no call */
		if (ok == 0 && st != FY_JOURNAL_VERIFIED && !s->dry) {
			ok = fy_jdoc_parse(&d, r->json, r->len, 0, err);
			if (ok == 0)
				ok = agent_config(s, &d, r->id, &cfg, err);
			if (ok == 0 && mkdir(dir, 0700) < 0 && errno != EEXIST)
				ok = fy_error_errno(err, errno, "%s", dir);
			if (ok == 0)
				ok = write_atomic(path, cfg.ptr, cfg.len, err);
			if (ok == 0)
				ok = live_sink_put(&s->live, "agent", key, path, FY_JOURNAL_VERIFIED, err);
		}
		fy_buf_release(&cfg);
		if (ok < 0)
			goto out;
	}
	/* Tools travel inside the agents' configurations (the table says so). */
	rc = 0;
out:
	fy_jdoc_release(&d);
	return rc;
}

/*
 * What the import makes of each kind and field (adapter.h). Messages
 * exported from OpenAI carry their item (ext.openai.item) and go back as
 * it was; the part lines below say what a message built from neutral parts
 * becomes, and are reported for every message (an item written back as it
 * was loses nothing they name).
 */
static const struct fy_capability openai_caps[] = {
	{ FY_KIND_THREAD, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "a conversation (created empty, then metadata ferry_src/ferry_id and the items, 20 a call, in order); "
	  "read: conversations by id (no list call), stored responses, ChatKit threads", NULL },
	OAI_THREAD_CAPS,
	{ FY_KIND_THREAD, "ext.openai.response", FY_CAP_NATIVE, FY_CAP_TRANSFORMED,
	  "a stored response cannot be recreated without running a model: its input and output items "
	  "became a conversation", "response-as-conversation" },
	{ FY_KIND_THREAD, "ext.openai.chatkit_thread", FY_CAP_NATIVE, FY_CAP_TRANSFORMED,
	  "ChatKit threads are read-only: the thread became a conversation", "chatkit-as-conversation" },
	{ FY_KIND_THREAD, "ext.openai.thread", FY_CAP_NATIVE, FY_CAP_TRANSFORMED,
	  "an Assistants thread (API shut down 2026-08-26) became a conversation", "assistants-thread" },
	{ FY_KIND_MESSAGE, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "conversation items of every type with every include[] field; an item exported from OpenAI "
	  "(ext.openai.item) goes back as it was, ids being the target's", NULL },
#define OAI_BUILT(field, what)                                                                      \
	{ FY_KIND_MESSAGE, field, FY_CAP_NATIVE, FY_CAP_TRANSFORMED,                                \
	  what " is built from its parts: text, images and files as message content (uploaded), "  \
	  "tool calls and results as function_call and function_call_output items, reasoning text " \
	  "as a reasoning summary, citations as annotations; code, code output, citation parts and " \
	  "other content as text", "built-from-parts" }
	OAI_BUILT("source.adapter!=openai", "a message from another provider"),
	OAI_BUILT("ext.openai.chatkit_item", "a ChatKit item"),
	OAI_BUILT("ext.openai.message", "an Assistants message"),
	OAI_BUILT("ext.openai.step", "an Assistants run step"),
#undef OAI_BUILT
	{ FY_KIND_MESSAGE, "parts.type=audio", FY_CAP_NONE, FY_CAP_EMULATED,
	  "audio is its transcript in the message text", "audio-as-transcript" },
	{ FY_KIND_MESSAGE, "parts.format=encrypted", FY_CAP_NATIVE, FY_CAP_DEGRADED,
	  "encrypted reasoning is readable only by the organisation that made it: it crosses into that "
	  "organisation only; elsewhere the reasoning item keeps its summary (none left: no item)",
	  "encrypted-reasoning" },
	{ FY_KIND_MESSAGE, "parts[type=image|file&!file&!blob&!url]&!ext.openai.item", FY_CAP_NATIVE,
	  FY_CAP_DEGRADED, "an image or file the export had neither bytes, a file nor a URL for becomes a note "
	  "in the text", "content-not-available" },
	OAI_CITATION_CAPS("openai", "!url&!file"),
	OAI_ITEM_CAPS,
	{ FY_KIND_FILE, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "uploaded with its bytes (multipart /v1/files) under its purpose, else user_data; read: bytes where "
	  "the API gives them (not purpose assistants)", NULL },
#define OAI_PURPOSE(p)                                                                              \
	{ FY_KIND_FILE, "purpose=" p, FY_CAP_NATIVE, FY_CAP_NATIVE, "a purpose OpenAI takes", NULL }
	OAI_PURPOSE("assistants"), OAI_PURPOSE("batch"), OAI_PURPOSE("fine-tune"), OAI_PURPOSE("vision"),
	OAI_PURPOSE("user_data"), OAI_PURPOSE("evals"),
#undef OAI_PURPOSE
	{ FY_KIND_FILE, "purpose", FY_CAP_NATIVE, FY_CAP_TRANSFORMED,
	  "the purpose is not one OpenAI takes: uploaded as user_data", "purpose-user-data" },
	{ FY_KIND_FILE, "created", FY_CAP_NATIVE, FY_CAP_UNSUPPORTED,
	  "a file's created_at is the upload's and files have no metadata", "file-has-upload-time" },
	{ FY_KIND_FILE, "updated", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "files keep no update time",
	  "file-has-upload-time" },
	{ FY_KIND_FILE, "metadata", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "files have no metadata",
	  "file-has-no-metadata" },
	{ FY_KIND_KNOWLEDGE, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "a vector store with its files, their attributes and chunking strategy; provenance in metadata", NULL },
	{ FY_KIND_KNOWLEDGE, "created", FY_CAP_NATIVE, FY_CAP_TRANSFORMED,
	  "the original time is metadata.ferry_created", "time-in-metadata" },
	{ FY_KIND_KNOWLEDGE, "embedding", FY_CAP_NONE, FY_CAP_DEGRADED,
	  "vector stores embed with their own model: the files are embedded again", "re-embed" },
	{ FY_KIND_AGENT, NULL, FY_CAP_NATIVE, FY_CAP_EMULATED,
	  "OpenAI has no server-side agent object after 2026-11-30: written as an OpenAI Agents SDK "
	  "configuration, <journal>.agents/<id>.json beside the import journal (a warning line names it); "
	  "read from Assistants-era dumps", "agents-sdk-config" },
	{ FY_KIND_AGENT, "memory", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "OpenAI has no memory API",
	  "no-memory-api" },
	{ FY_KIND_TOOL, NULL, FY_CAP_NATIVE, FY_CAP_EMULATED,
	  "part of its agents' Agents SDK configurations", "agents-sdk-config" },
	{ FY_KIND_NONE, "$secret", FY_CAP_NONE, FY_CAP_NATIVE,
	  "the configuration keeps {\"$secret\": NAME}: bind it where the Agents SDK runs", NULL },
};

/*
 * Documented limits (openapi.json): 20 items per create-items call,
 * metadata 16 keys of 64 / 512 characters. Rate limits are per
 * organisation and model tier; the client learns them from x-ratelimit-*.
 */
static const struct fy_adapter_limits openai_limits = {
	.flags = FY_LIMIT_STORES_PROVENANCE,
	.max_items_per_call = 20,
	.max_file_bytes = (uint64_t)512 << 20,
	.model_platform = "openai",
	.note = "conversations, files and vector stores are created, never overwritten; ids are the target's, "
		"the source's are metadata.ferry_id",
};

/* Uploads 1, a vector store 1 and an attach 1, an agent 0 (a local file), a conversation 3. */
static const struct live_costs openai_costs = { 1, 1, 1, 0, 0, 3 };

static int openai_estimate(const struct fy_adapter_ctx *ctx, const struct fy_estimate_input *in,
			   struct fy_estimate *out, struct fy_error *err)
{
	struct fy_buf id = FY_BUF_INIT(1 << 16);
	const char *base;
	char account[80] = "";
	int rc;

	if (openai_identity(&id, &base, err) == 0)
		live_account(id.ptr, account);
	fy_error_clear(err);	/* no key: no journal to look at */
	fy_buf_release(&id);
	rc = live_estimate(ctx, "openai", account, &openai_costs, in, out, err);
	return rc;
}

static const struct oai_sink_ops openai_ops = {
	.check = openai_check,
	.files = sink_files,
	.knowledge = sink_knowledge,
	.agents = sink_agents,
};

static int openai_write_open(const struct fy_adapter_ctx *ctx, const struct fy_header *hdr,
			     void **state, struct fy_error *err)
{
	static const struct oai_sink_spec spec = {
		.adapter = "openai", .prefix = "", .client = openai_client,
		.caps = openai_caps, .ncaps = sizeof(openai_caps) / sizeof(openai_caps[0]), .ops = &openai_ops,
	};

	if (ctx->location && *ctx->location)
		return fy_error_set(err, FY_E_USAGE, "openai: an import goes to the API (openai:), not to '%s'",
				    ctx->location);
	return oai_sink_create(ctx, hdr, &spec, state, err);
}

const struct fy_adapter fy_adapter_openai = {
	.name = "openai",
	.summary = "OpenAI API: conversations, responses, files, vector stores, ChatKit; Assistants dumps",
	.locations = "openai: (the API, key from OPENAI_API_KEY; ids from --id/--ids-from), "
		     "openai:PATH (an Assistants-era dump)",
	.flags = FY_ADAPTER_READ | FY_ADAPTER_WRITE,
	.caps = openai_caps,
	.ncaps = sizeof(openai_caps) / sizeof(openai_caps[0]),
	.limits = &openai_limits,
	.read_open = openai_read_open,
	.read_next = openai_read_next,
	.read_close = openai_read_close,
	.write_open = openai_write_open,
	.write_put = oai_sink_write_put,
	.write_finish = oai_sink_write_finish,
	.write_close = oai_sink_free,
	.write_plan = oai_sink_write_plan,
	.estimate = openai_estimate,
};
