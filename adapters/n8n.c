/*
 * n8n.c - the "n8n" adapter: workflows as files and through n8n's REST API.
 *
 * Locations:
 *   n8n:PATH              a workflow JSON file, or a folder of them, in
 *                         either format n8n writes: the CLI export
 *                         (`n8n export:workflow`: one object, an array with
 *                         --all, one file each with --separate) or the
 *                         editor / public API format (one object);
 *   n8n:http://HOST:PORT  the public REST API, /api/v1 (https:// anywhere,
 *                         plain http to loopback only); the key comes from
 *                         N8N_API_KEY, never from the command line.
 *
 * Export yields one workflow record per workflow (adapters/n8n_map.c), its
 * original JSON under raw/n8n/workflows/<id>.json, and ledger lines (nodes
 * n8n-only, credentials to rebind). From the API it also yields the chats
 * held in executions' run data as threads: one thread per chat session
 * (the chat trigger's sessionId) with the user's input, the agent's tool
 * calls and results, and its answer for every execution, preceded by the
 * earlier turns the memory node loaded in the first execution kept
 * (--option executions=false skips them; executions=N reads at most N per
 * workflow, newest first; default 1000).
 *
 * Import writes workflows only (threads cannot be written into n8n's run
 * data or memory: ledger lines say so). To files: the CLI format, which
 * `n8n import:workflow --input=FILE` (a .json PATH: one array) or
 * `--separate --input=DIR` (a folder: one file per workflow) reads. Into
 * the API: POST /api/v1/workflows with only the fields that endpoint
 * accepts (it refuses id, active, tags, meta, description...), journaled
 * (adapters/journal.h) so a rerun creates nothing twice; staticData.ferry_id
 * keeps the archive's workflow id at the target, so a lost journal line is
 * found again and a re-export gives the same record id. Imported
 * workflows stay inactive unless --option activate=true. A node webhook id
 * already used at the target gets a new one (ledger line: its production
 * URL changes). Credentials: the reference names a credential by type and
 * name; set the environment variable the record's {"$secret": NAME} names
 * to a target credential id to bind it, or let n8n bind it to a credential
 * of the same type and name; unbound ones are held_back ledger lines.
 *
 * Published descriptions: n8n public API, n8n-io/n8n
 * packages/cli/src/public-api/v1/openapi.yml (as shipped in n8n 2.41.1:
 * paths /workflows, /workflows/{id}, /workflows/{id}/activate,
 * /workflows/{id}/tags, /tags, /executions, /executions/{id}; schemas
 * workflow, node, workflowSettings, execution; cursor pagination with
 * limit <= 250 and nextCursor), and the CLI at
 * https://docs.n8n.io/hosting/cli-commands/ (export:workflow,
 * import:workflow).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapter.h"
#include "http.h"
#include "journal.h"
#include "jsonw.h"
#include "n8n_map.h"
#include "wfutil.h"

#define N8N_FILE_MAX ((size_t)256 << 20)
#define N8N_PAGE 100
#define N8N_EXEC_PAGE 20

static int is_api(const char *loc)
{
	return strncmp(loc, "http://", 7) == 0 || strncmp(loc, "https://", 8) == 0;
}

/* --- the API client, shared by source and sink --------------------------- */

struct api {
	struct fy_http *h;
	char auth[1100];
	const char *hdrs[3];
	char base[1024];
};

static int api_open(struct api *a, const struct fy_adapter_ctx *ctx, struct fy_error *err)
{
	struct fy_http_options o;
	const char *key = getenv("N8N_API_KEY");
	size_t n;

	memset(a, 0, sizeof(*a));
	snprintf(a->base, sizeof(a->base), "%s", ctx->location);
	n = strlen(a->base);
	while (n && a->base[n - 1] == '/')
		a->base[--n] = '\0';
	if (n > 7 && strcmp(a->base + n - 7, "/api/v1") == 0)
		a->base[n - 7] = '\0';
	if (!key || !*key)
		return fy_error_set(err, FY_E_AUTH,
				    "n8n: set N8N_API_KEY to an API key of the instance (n8n: "
				    "Settings > n8n API)");
	if (strlen(key) > 1000)
		return fy_error_set(err, FY_E_AUTH, "n8n: N8N_API_KEY is too long");
	{
		char url[1100];

		snprintf(url, sizeof(url), "%s/api/v1", a->base);
		fy_http_options_init(&o, "n8n", url);
		o.log = ctx->log;
		o.log_cb = ctx->cb;
		o.verbosity = ctx->verbosity;
		o.concurrency = 2;
		a->h = fy_http_new(&o, err);
	}
	if (!a->h)
		return -1;
	fy_http_add_secret(a->h, key);
	snprintf(a->auth, sizeof(a->auth), "X-N8N-API-KEY: %s", key);
	a->hdrs[0] = a->auth;
	a->hdrs[1] = "Accept: application/json";
	a->hdrs[2] = NULL;
	return 0;
}

static void api_close(struct api *a)
{
	fy_http_free(a->h);
	memset(a->auth, 0, sizeof(a->auth));
	a->h = NULL;
}

/* One request; the body of a 2xx answer is left in resp. */
static int api_call(struct api *a, const char *method, const char *path, const char *query,
		    const char *body, size_t blen, int no_retry, struct fy_http_response *resp,
		    const char *what, struct fy_error *err)
{
	struct fy_http_request rq;

	fy_http_request_init(&rq, method, path);
	rq.query = query;
	rq.headers = a->hdrs;
	if (body) {
		rq.body = body;
		rq.body_len = blen;
		rq.content_type = "application/json";
	}
	rq.no_retry = no_retry;
	fy_http_response_release(resp);
	fy_http_response_init(resp);
	if (fy_http_do(a->h, &rq, resp, err) < 0)
		return -1;
	return fy_http_check(a->h, resp, what, err);
}

/* --- source ---------------------------------------------------------------- */

struct wfkeep {
	char *id;		/* record id */
	char *pid;		/* n8n workflow id */
	char *name;
	char *rec;		/* the record JSON (node names and kinds for the turns) */
};

struct n8n_src {
	const struct fy_adapter_ctx *ctx;
	struct wf_queue q;
	struct wf_notes notes;
	struct fy_buf rec, text;
	/* files */
	char *root;		/* the file, or the folder */
	int is_dir;
	char **files;
	size_t nfiles, next_file;
	/* API */
	int api;
	struct api a;
	char *cursor;
	int pages_done;
	size_t next_id;		/* with ctx->ids */
	struct wfkeep *wfs;	/* for the executions pass */
	size_t nwfs, capwfs;
	size_t next_exec_wf;
	long exec_max;
	int want_threads;
};

static void src_close(void *state)
{
	struct n8n_src *s = state;
	size_t i;

	if (!s)
		return;
	wf_queue_release(&s->q);
	fy_buf_release(&s->rec);
	fy_buf_release(&s->text);
	free(s->root);
	wf_names_free(s->files, s->nfiles);
	if (s->api)
		api_close(&s->a);
	free(s->cursor);
	for (i = 0; i < s->nwfs; i++) {
		free(s->wfs[i].id);
		free(s->wfs[i].pid);
		free(s->wfs[i].name);
		free(s->wfs[i].rec);
	}
	free(s->wfs);
	free(s);
}

static int keep_wf(struct n8n_src *s, const char *id, const struct fy_jdoc *d, uint32_t wf,
		   struct fy_error *err)
{
	struct wfkeep *k;

	if (s->nwfs == s->capwfs) {
		size_t cap = s->capwfs ? s->capwfs * 2 : 16;
		struct wfkeep *p = realloc(s->wfs, cap * sizeof(*p));

		if (!p)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		s->wfs = p;
		s->capwfs = cap;
	}
	k = &s->wfs[s->nwfs];
	k->id = strdup(id);
	k->pid = fy_json_get_strdup(d, wf, "id");
	k->name = fy_json_get_strdup(d, wf, "name");
	k->rec = strdup(s->rec.ptr);
	if (!k->id || !k->pid || !k->rec) {
		free(k->id);
		free(k->pid);
		free(k->name);
		free(k->rec);
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	s->nwfs++;
	return 0;
}

/* Map one workflow object of d and queue its items. */
static int queue_workflow(struct n8n_src *s, const struct fy_jdoc *d, uint32_t wf,
			  const struct n8n_read *o, struct fy_error *err)
{
	char id[FY_ID_MAX + 1], raw[FY_ID_MAX + 64];
	size_t len;
	const char *text;

	if (n8n_to_record(d, wf, o, &s->rec, id, &s->notes, err) < 0)
		return -1;
	if (wf_queue_push(&s->q, FY_ITEM_RECORD, s->rec.ptr, s->rec.len, NULL, err) < 0)
		return -1;
	/* The original, byte for byte (the element's own text). */
	text = d->text + d->nodes[wf].off;
	len = d->nodes[wf].end - d->nodes[wf].off;
	snprintf(raw, sizeof(raw), "n8n/workflows/%s.json", id);
	if (wf_queue_push(&s->q, FY_ITEM_RAW, text, len, raw, err) < 0)
		return -1;
	if (s->want_threads && keep_wf(s, id, d, wf, err) < 0)
		return -1;
	return 0;
}

/* The next file: parse it and queue every workflow in it. */
static int next_file(struct n8n_src *s, struct fy_error *err)
{
	char path[PATH_MAX];
	const char *rel = s->is_dir ? s->files[s->next_file] : NULL;
	struct fy_jdoc d;
	struct n8n_read o;
	uint32_t k, el;
	int rc = 0;

	if (s->is_dir)
		snprintf(path, sizeof(path), "%s/%s", s->root, rel);
	else
		snprintf(path, sizeof(path), "%s", s->root);
	if (!rel) {
		rel = strrchr(s->root, '/');
		rel = rel ? rel + 1 : s->root;
	}
	s->next_file++;
	if (wf_read_file(path, N8N_FILE_MAX, &s->text, err) < 0)
		return fy_error_prefix(err, "n8n");
	fy_jdoc_init(&d);
	if (fy_jdoc_parse(&d, s->text.ptr ? s->text.ptr : "", s->text.len, 0, err) < 0) {
		fy_jdoc_release(&d);
		return fy_error_prefix(err, "n8n: %s", path);
	}
	memset(&o, 0, sizeof(o));
	o.path = rel;
	if (fy_json_type(&d, 0) == FY_JARRAY) {
		FY_JSON_FOREACH(&d, 0, k, el) {
			char fb[PATH_MAX + 32];

			snprintf(fb, sizeof(fb), "%s#%u", rel, k);
			o.fallback_id = fb;
			if ((rc = queue_workflow(s, &d, el, &o, err)) < 0)
				break;
		}
	} else {
		o.fallback_id = rel;
		rc = queue_workflow(s, &d, 0, &o, err);
	}
	if (rc < 0)
		fy_error_prefix(err, "n8n: %s", path);
	fy_jdoc_release(&d);
	return rc;
}

/* The next page of GET /workflows (or the next id of --id). */
static int next_page(struct n8n_src *s, struct fy_error *err)
{
	struct fy_http_response resp;
	struct fy_buf q = FY_BUF_INIT(4096);
	struct fy_jdoc d;
	struct n8n_read o;
	char url[1200];
	uint32_t data, k, el;
	int rc = -1;

	fy_http_response_init(&resp);
	fy_jdoc_init(&d);
	memset(&o, 0, sizeof(o));
	o.url = url;
	if (s->ctx->nids) {
		struct fy_buf p = FY_BUF_INIT(4096);
		const char *wid = s->ctx->ids[s->next_id++];

		if (fy_buf_adds(&p, "/workflows/", err) < 0 ||
		    fy_http_encode(&p, wid, strlen(wid), 0, err) < 0 ||
		    api_call(&s->a, "GET", p.ptr, NULL, NULL, 0, 0, &resp, wid, err) < 0) {
			fy_buf_release(&p);
			goto out;
		}
		fy_buf_release(&p);
		if (s->next_id == s->ctx->nids)
			s->pages_done = 1;
		if (fy_jdoc_parse(&d, resp.body.ptr ? resp.body.ptr : "", resp.body.len, 0, err) < 0)
			goto out;
		snprintf(url, sizeof(url), "%s/workflows/%s", s->a.base, wid);
		rc = queue_workflow(s, &d, 0, &o, err);
		goto out;
	}
	if (fy_buf_addf(&q, err, "limit=%d", N8N_PAGE) < 0 ||
	    (s->cursor && (fy_buf_adds(&q, "&cursor=", err) < 0 ||
			   fy_http_encode(&q, s->cursor, strlen(s->cursor), 0, err) < 0)))
		goto out;
	if (api_call(&s->a, "GET", "/workflows", q.ptr, NULL, 0, 0, &resp, "list workflows", err) < 0)
		goto out;
	if (fy_jdoc_parse(&d, resp.body.ptr ? resp.body.ptr : "", resp.body.len, 0, err) < 0) {
		fy_error_prefix(err, "n8n: GET /workflows");
		goto out;
	}
	data = fy_json_get(&d, 0, "data");
	if (fy_json_type(&d, data) != FY_JARRAY) {
		fy_error_set(err, FY_E_DATA, "n8n: GET /workflows: no \"data\" array");
		goto out;
	}
	FY_JSON_FOREACH(&d, data, k, el) {
		char *wid = fy_json_get_strdup(&d, el, "id");

		snprintf(url, sizeof(url), "%s/workflows/%s", s->a.base, wid ? wid : "");
		free(wid);
		if (queue_workflow(s, &d, el, &o, err) < 0)
			goto out;
	}
	free(s->cursor);
	s->cursor = fy_json_get_strdup(&d, 0, "nextCursor");
	if (!s->cursor || !*s->cursor)
		s->pages_done = 1;
	rc = 0;
out:
	fy_jdoc_release(&d);
	fy_buf_release(&q);
	fy_http_response_release(&resp);
	return rc;
}

static int thread_line(void *queue, const char *json, size_t len, struct fy_error *err)
{
	return wf_queue_push(queue, FY_ITEM_RECORD, json, len, NULL, err);
}

/* The threads of the next workflow: every execution's chat turns. */
static int next_executions(struct n8n_src *s, struct fy_error *err)
{
	struct wfkeep *k = &s->wfs[s->next_exec_wf++];
	struct fy_buf turns = FY_BUF_INIT((size_t)1 << 30), q = FY_BUF_INIT(4096);
	struct fy_http_response resp;
	struct fy_jdoc wfd, d, ex;
	char *cursor = NULL;
	long seen = 0;
	int rc = -1;

	fy_http_response_init(&resp);
	fy_jdoc_init(&wfd);
	fy_jdoc_init(&d);
	fy_jdoc_init(&ex);
	if (fy_jdoc_parse(&wfd, k->rec, strlen(k->rec), 0, err) < 0)
		goto out;
	while (seen < s->exec_max) {
		uint32_t data, i, el;

		fy_buf_reset(&q);
		if (fy_buf_addf(&q, err, "includeData=true&limit=%d&workflowId=", N8N_EXEC_PAGE) < 0 ||
		    fy_http_encode(&q, k->pid, strlen(k->pid), 0, err) < 0 ||
		    (cursor && (fy_buf_adds(&q, "&cursor=", err) < 0 ||
				fy_http_encode(&q, cursor, strlen(cursor), 0, err) < 0)))
			goto out;
		if (api_call(&s->a, "GET", "/executions", q.ptr, NULL, 0, 0, &resp, "list executions",
			     err) < 0)
			goto out;
		if (fy_jdoc_parse(&d, resp.body.ptr ? resp.body.ptr : "", resp.body.len, 0, err) < 0) {
			fy_error_prefix(err, "n8n: GET /executions");
			goto out;
		}
		data = fy_json_get(&d, 0, "data");
		FY_JSON_FOREACH(&d, data, i, el) {
			struct fy_jdoc one;
			const char *t = d.text + d.nodes[el].off;
			size_t n = d.nodes[el].end - d.nodes[el].off;
			int r;

			if (seen++ >= s->exec_max)
				break;
			/* each execution as its own document (root 0) */
			fy_jdoc_init(&one);
			r = fy_jdoc_parse(&one, t, n, 0, err);
			if (r == 0)
				r = n8n_execution_turns(&wfd, &one, &turns, err);
			fy_jdoc_release(&one);
			if (r < 0)
				goto out;
		}
		free(cursor);
		cursor = fy_json_get_strdup(&d, 0, "nextCursor");
		if (!cursor || !*cursor)
			break;
	}
	if (seen > s->exec_max || (seen == s->exec_max && cursor && *cursor)) {
		s->notes.kind = "workflow";
		s->notes.id = k->id;
		if (wf_note(&s->notes, "executions", "warning", "executions-limit", err,
			    "only the newest %ld executions were read for threads "
			    "(--option executions=N reads more)", s->exec_max) < 0)
			goto out;
	}
	rc = n8n_turns_to_threads(k->id, k->name, turns.ptr ? turns.ptr : "", turns.len,
				  thread_line, &s->q, err);
out:
	if (rc < 0)
		fy_error_prefix(err, "n8n: workflow %s", k->pid);
	free(cursor);
	fy_jdoc_release(&wfd);
	fy_jdoc_release(&d);
	fy_jdoc_release(&ex);
	fy_buf_release(&turns);
	fy_buf_release(&q);
	fy_http_response_release(&resp);
	return rc;
}

static int src_open(const struct fy_adapter_ctx *ctx, void **state, struct fy_source_info *info,
		    struct fy_error *err)
{
	struct n8n_src *s = calloc(1, sizeof(*s));
	const char *opt;
	struct stat st;

	if (!s)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	s->ctx = ctx;
	wf_queue_init(&s->q);
	fy_buf_init(&s->rec, (size_t)64 << 20);
	fy_buf_init(&s->text, N8N_FILE_MAX);
	s->notes.line = wf_queue_line;
	s->notes.ctx = &s->q;
	s->notes.adapter = "n8n";
	s->notes.phase = "export";
	if (!*ctx->location) {
		src_close(s);
		return fy_error_set(err, FY_E_USAGE, "n8n: name a workflow file, a folder or an "
				    "http://HOST:PORT instance (n8n:LOCATION)");
	}
	if (is_api(ctx->location)) {
		s->api = 1;
		if (api_open(&s->a, ctx, err) < 0) {
			src_close(s);
			return -1;
		}
		opt = fy_adapter_option(ctx, "executions");
		s->exec_max = 1000;
		if (opt && (strcmp(opt, "false") == 0 || strcmp(opt, "0") == 0))
			s->exec_max = 0;
		else if (opt && atol(opt) > 0)
			s->exec_max = atol(opt);
		s->want_threads = s->exec_max > 0 &&
				  (!ctx->kinds || (ctx->kinds & ((1u << FY_KIND_THREAD) |
								 (1u << FY_KIND_MESSAGE))));
		snprintf(info->location, sizeof(info->location), "%s", s->a.base);
		*state = s;
		return 0;
	}
	s->root = strdup(ctx->location);
	if (!s->root) {
		src_close(s);
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	if (stat(s->root, &st) < 0) {
		fy_error_errno(err, errno, "n8n: %s", s->root);
		src_close(s);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		struct dirent *de;
		DIR *dh;

		s->is_dir = 1;
		if (wf_list_dir(s->root, 0, &s->files, &s->nfiles, err) < 0) {
			src_close(s);
			return fy_error_prefix(err, "n8n");
		}
		/* the input's own time: the newest file, so the same input gives the same archive */
		info->created = st.st_mtime;
		if ((dh = opendir(s->root))) {
			while ((de = readdir(dh))) {
				char p[PATH_MAX];
				struct stat fs;

				snprintf(p, sizeof(p), "%s/%s", s->root, de->d_name);
				if (stat(p, &fs) == 0 && S_ISREG(fs.st_mode) && fs.st_mtime > info->created)
					info->created = fs.st_mtime;
			}
			closedir(dh);
		}
	} else {
		info->created = st.st_mtime;
		s->nfiles = 1;
	}
	*state = s;
	return 0;
}

static int src_next(void *state, struct fy_item *it, struct fy_error *err)
{
	struct n8n_src *s = state;

	for (;;) {
		if (wf_queue_pop(&s->q, it))
			return 1;
		if (!s->api) {
			if (s->next_file == s->nfiles)
				return 0;
			if (next_file(s, err) < 0)
				return -1;
			continue;
		}
		if (!s->pages_done) {
			if (next_page(s, err) < 0)
				return -1;
			continue;
		}
		if (s->want_threads && s->next_exec_wf < s->nwfs) {
			if (next_executions(s, err) < 0)
				return -1;
			continue;
		}
		return 0;
	}
}

/* What n8n writes (read with fidelity.h: the plan, and the done-ledger lines). */
static const struct fy_capability n8n_caps[] = {
	{ FY_KIND_WORKFLOW, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "nodes, connections (main and ai_*), settings, static and pinned data, tags; imported "
	  "inactive unless --option activate=true", NULL },
	{ FY_KIND_WORKFLOW, "nodes.dialect!=n8n", FY_CAP_NATIVE, FY_CAP_DEGRADED,
	  "nodes of another provider become n8n nodes of their kind (a Manual Trigger, an AI Agent, "
	  "a Basic LLM Chain, a chat model without its credential, a No-Op end); the others are kept "
	  "as No-Op nodes whose notes hold their configuration", "foreign-nodes" },
	{ FY_KIND_WORKFLOW, "edges.kind=data", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "n8n passes data along its connections: separate data edges are not written", "data-edge" },
	{ FY_KIND_WORKFLOW, "description", FY_CAP_NATIVE, FY_CAP_EMULATED,
	  "kept in staticData.ferry_description: the public API (2.41) has no description field "
	  "(a file also carries it as description)", "description-in-static-data" },
	{ FY_KIND_THREAD, NULL, FY_CAP_EMULATED, FY_CAP_UNSUPPORTED,
	  "API export: one thread per chat session of a workflow's executions; n8n has no API to "
	  "write conversations", NULL },
	{ FY_KIND_MESSAGE, NULL, FY_CAP_EMULATED, FY_CAP_UNSUPPORTED,
	  "the chat input, the agent's tool calls and results, its answer; the memory's earlier "
	  "turns", NULL },
};
static const size_t n8n_ncaps = sizeof(n8n_caps) / sizeof(n8n_caps[0]);

static const struct fy_adapter_limits n8n_limits = {
	.flags = FY_LIMIT_STORES_PROVENANCE,
	.note = "the archive's workflow id is kept in staticData.ferry_id; n8n sets new ids and "
		"creation times; credentials are bound by environment variable or by n8n by type "
		"and name",
};

/* --- sink -------------------------------------------------------------- */

struct n8n_sink {
	const struct fy_adapter_ctx *ctx;
	struct wf_notes notes;
	struct fy_buf out;
	struct fy_jdoc d;
	/* files */
	struct wf_target t;
	struct fy_buf all;	/* one file: the array being built */
	unsigned count;
	/* API */
	int api;
	struct api a;
	struct fy_journal *j;
	char **webhooks;	/* webhook ids in use at the target */
	size_t nwebhooks, capwebhooks;
	char **ferry_ids;	/* staticData.ferry_id -> n8n id of target workflows (pairs) */
	size_t nferry, capferry;
	int activate;
	struct fy_buf tagcache;	/* GET /tags answer, once */
};

static int strlist_add(char ***list, size_t *n, size_t *cap, const char *s, struct fy_error *err)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 32;
		char **p = realloc(*list, c * sizeof(*p));

		if (!p)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		*list = p;
		*cap = c;
	}
	if (!((*list)[*n] = strdup(s)))
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	(*n)++;
	return 0;
}

static const char *bind_env(void *ctx, const char *secret)
{
	const char *v = getenv(secret);

	(void)ctx;
	return v && *v ? v : NULL;
}

static int webhook_taken(void *ctx, const char *id)
{
	struct n8n_sink *k = ctx;
	size_t i;

	for (i = 0; i < k->nwebhooks; i++)
		if (strcmp(k->webhooks[i], id) == 0)
			return 1;
	return 0;
}

/* Remember the webhook ids of a workflow object (target's, or one just created). */
static int note_webhooks(struct n8n_sink *k, const struct fy_jdoc *d, uint32_t wf,
			 struct fy_error *err)
{
	uint32_t nodes = fy_json_get(d, wf, "nodes"), i, el;

	FY_JSON_FOREACH(d, nodes, i, el) {
		char *w = fy_json_get_strdup(d, el, "webhookId");
		int rc = 0;

		if (w && *w && !webhook_taken(k, w))
			rc = strlist_add(&k->webhooks, &k->nwebhooks, &k->capwebhooks, w, err);
		free(w);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Every workflow at the target: its webhook ids, and the ferry ids it carries. */
static int scan_target(struct n8n_sink *k, struct fy_error *err)
{
	struct fy_http_response resp;
	struct fy_buf q = FY_BUF_INIT(4096);
	struct fy_jdoc d;
	char *cursor = NULL;
	int rc = -1;

	fy_http_response_init(&resp);
	fy_jdoc_init(&d);
	for (;;) {
		uint32_t data, i, el;

		fy_buf_reset(&q);
		if (fy_buf_addf(&q, err, "limit=%d", N8N_PAGE) < 0 ||
		    (cursor && (fy_buf_adds(&q, "&cursor=", err) < 0 ||
				fy_http_encode(&q, cursor, strlen(cursor), 0, err) < 0)))
			goto out;
		if (api_call(&k->a, "GET", "/workflows", q.ptr, NULL, 0, 0, &resp, "list workflows",
			     err) < 0)
			goto out;
		if (fy_jdoc_parse(&d, resp.body.ptr ? resp.body.ptr : "", resp.body.len, 0, err) < 0)
			goto out;
		data = fy_json_get(&d, 0, "data");
		FY_JSON_FOREACH(&d, data, i, el) {
			char *fid = fy_json_get_strdup(&d, fy_json_get(&d, el, "staticData"), "ferry_id");
			char *wid = fy_json_get_strdup(&d, el, "id");

			if (fid && wid &&
			    (strlist_add(&k->ferry_ids, &k->nferry, &k->capferry, fid, err) < 0 ||
			     strlist_add(&k->ferry_ids, &k->nferry, &k->capferry, wid, err) < 0)) {
				free(fid);
				free(wid);
				goto out;
			}
			free(fid);
			free(wid);
			if (note_webhooks(k, &d, el, err) < 0)
				goto out;
		}
		free(cursor);
		cursor = fy_json_get_strdup(&d, 0, "nextCursor");
		if (!cursor || !*cursor)
			break;
	}
	rc = 0;
out:
	free(cursor);
	fy_jdoc_release(&d);
	fy_buf_release(&q);
	fy_http_response_release(&resp);
	return rc;
}

static const char *target_of(const struct n8n_sink *k, const char *ferry_id)
{
	size_t i;

	for (i = 0; i + 1 < k->nferry; i += 2)
		if (strcmp(k->ferry_ids[i], ferry_id) == 0)
			return k->ferry_ids[i + 1];
	return NULL;
}

static void sink_close(void *state)
{
	struct n8n_sink *k = state;
	size_t i;

	if (!k)
		return;
	fy_buf_release(&k->out);
	fy_buf_release(&k->all);
	fy_buf_release(&k->tagcache);
	fy_jdoc_release(&k->d);
	wf_target_release(&k->t);
	if (k->api)
		api_close(&k->a);
	fy_journal_close(k->j);
	for (i = 0; i < k->nwebhooks; i++)
		free(k->webhooks[i]);
	free(k->webhooks);
	for (i = 0; i < k->nferry; i++)
		free(k->ferry_ids[i]);
	free(k->ferry_ids);
	free(k);
}

static int sink_open(const struct fy_adapter_ctx *ctx, const struct fy_header *hdr, void **state,
		     struct fy_error *err)
{
	struct n8n_sink *k = calloc(1, sizeof(*k));
	const char *opt;

	(void)hdr;
	if (!k)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	k->ctx = ctx;
	fy_buf_init(&k->out, (size_t)64 << 20);
	fy_buf_init(&k->all, N8N_FILE_MAX);
	fy_buf_init(&k->tagcache, (size_t)16 << 20);
	fy_jdoc_init(&k->d);
	k->notes.line = wf_sink_line;
	k->notes.ctx = (void *)ctx;
	k->notes.adapter = "n8n";
	k->notes.phase = "import";
	opt = fy_adapter_option(ctx, "activate");
	k->activate = opt && (strcmp(opt, "true") == 0 || strcmp(opt, "1") == 0);
	if (!*ctx->location) {
		sink_close(k);
		return fy_error_set(err, FY_E_USAGE, "n8n: name a .json file, a folder or an "
				    "http://HOST:PORT instance to write to");
	}
	if (is_api(ctx->location)) {
		char jpath[4096];

		k->api = 1;
		if (api_open(&k->a, ctx, err) < 0 ||
		    fy_journal_path(ctx->state_dir, "n8n", k->a.base, jpath, sizeof(jpath), err) < 0 ||
		    !(k->j = fy_journal_open(jpath, err)) || scan_target(k, err) < 0) {
			sink_close(k);
			return fy_error_prefix(err, "n8n");
		}
		*state = k;
		return 0;
	}
	if (k->activate) {
		sink_close(k);
		return fy_error_set(err, FY_E_USAGE, "n8n: activate=true needs an n8n instance "
				    "(n8n:http://HOST:PORT), not files");
	}
	if (wf_target_open(&k->t, "n8n", ctx->location, err) < 0) {
		sink_close(k);
		return -1;
	}
	if (k->t.one_file)
		fy_buf_addc(&k->all, '[', NULL);
	*state = k;
	return 0;
}

/*
 * Where a record read from n8n came from: its n8n id (written back, so
 * `n8n import:workflow` keeps it) and its file name. Both NULL for
 * records of other providers: n8n makes the id.
 */
static void n8n_origin(const struct fy_jdoc *d, char **pid, char **path)
{
	uint32_t src = fy_json_get(d, 0, "source");

	*pid = *path = NULL;
	if (!fy_json_streq(d, fy_json_get(d, src, "adapter"), "n8n"))
		return;
	*pid = fy_json_get_strdup(d, src, "id");
	*path = fy_json_get_strdup(d, src, "path");
}

/* The done-ledger lines of one workflow: the table's lines that applied, and its secrets. */
static int report_done(struct n8n_sink *k, const char *id, const struct n8n_write_stats *st,
		       struct fy_error *err)
{
	enum fy_jtype dt = fy_json_type(&k->d, fy_json_get(&k->d, 0, "description"));

	if (st->foreign_nodes &&
	    wf_done_table(k->ctx, n8n_caps, n8n_ncaps, FY_KIND_WORKFLOW, id, "nodes.dialect!=n8n", err) < 0)
		return -1;
	if (st->data_edges &&
	    wf_done_table(k->ctx, n8n_caps, n8n_ncaps, FY_KIND_WORKFLOW, id, "edges.kind=data", err) < 0)
		return -1;
	if (dt != FY_JABSENT && dt != FY_JNULL &&
	    wf_done_table(k->ctx, n8n_caps, n8n_ncaps, FY_KIND_WORKFLOW, id, "description", err) < 0)
		return -1;
	return wf_done_secrets(k->ctx, FY_KIND_WORKFLOW, id, &k->d, err);
}

static int put_file(struct n8n_sink *k, const char *id, struct fy_error *err)
{
	char *pid, *path;
	struct n8n_write_stats st;
	struct n8n_write o;
	int rc;

	n8n_origin(&k->d, &pid, &path);
	k->notes.kind = "workflow";
	k->notes.id = id;
	memset(&o, 0, sizeof(o));
	o.shape = N8N_SHAPE_FILE;
	o.id = pid && *pid && strlen(pid) <= 36 ? pid : NULL;
	o.bind = bind_env;
	o.ferry_id = id;
	rc = n8n_from_record(&k->d, &o, &k->out, &st, &k->notes, err);
	if (rc == 0)
		rc = report_done(k, id, &st, err);
	if (rc == 0 && k->t.one_file) {
		rc = (k->count++ ? fy_buf_adds(&k->all, ",\n", err) : fy_buf_addc(&k->all, '\n', err)) < 0 ||
		     fy_buf_add(&k->all, k->out.ptr, k->out.len, err) < 0 ? -1 : 0;
	} else if (rc == 0) {
		/* the file it came from, when that name is free; else its id */
		k->count++;
		rc = fy_buf_addc(&k->out, '\n', err);
		if (rc == 0)
			rc = wf_target_put(&k->t, path, id, k->out.ptr, k->out.len, err);
	}
	free(pid);
	free(path);
	return rc;
}

/* Tags: n8n refuses them on create; they are set by name afterwards. */
static int put_tags(struct n8n_sink *k, const char *wid, struct fy_error *err)
{
	uint32_t tags = fy_json_get(&k->d, 0, "tags"), i, el;
	struct fy_buf body = FY_BUF_INIT(1 << 20), path = FY_BUF_INIT(4096);
	struct fy_http_response resp;
	struct fy_jdoc td;
	int rc = -1, first = 1;

	if (!fy_json_len(&k->d, tags))
		return 0;
	fy_http_response_init(&resp);
	fy_jdoc_init(&td);
	if (!k->tagcache.len) {
		if (api_call(&k->a, "GET", "/tags", "limit=250", NULL, 0, 0, &resp, "list tags", err) < 0 ||
		    fy_buf_add(&k->tagcache, resp.body.ptr ? resp.body.ptr : "{}", resp.body.len ? resp.body.len : 2,
			       err) < 0)
			goto out;
	}
	if (fy_jdoc_parse(&td, k->tagcache.ptr, k->tagcache.len, 0, err) < 0)
		goto out;
	fy_buf_addc(&body, '[', NULL);
	FY_JSON_FOREACH(&k->d, tags, i, el) {
		uint32_t data = fy_json_get(&td, 0, "data"), j, t;
		char *name = fy_json_strdup(&k->d, el, NULL), *tid = NULL;

		FY_JSON_FOREACH(&td, data, j, t)
			if (name && fy_json_streq(&td, fy_json_get(&td, t, "name"), name))
				tid = fy_json_get_strdup(&td, t, "id");
		if (!tid && name) {
			struct fy_buf nb = FY_BUF_INIT(1 << 16);
			struct fy_jdoc cd;

			fy_jdoc_init(&cd);
			if (fy_buf_adds(&nb, "{\"name\":", err) == 0 &&
			    fy_buf_add_jstr(&nb, name, strlen(name), err) == 0 &&
			    fy_buf_addc(&nb, '}', err) == 0 &&
			    api_call(&k->a, "POST", "/tags", NULL, nb.ptr, nb.len, 1, &resp, "create tag",
				     err) == 0 &&
			    fy_jdoc_parse(&cd, resp.body.ptr ? resp.body.ptr : "", resp.body.len, 0, err) == 0)
				tid = fy_json_get_strdup(&cd, 0, "id");
			fy_jdoc_release(&cd);
			fy_buf_release(&nb);
			fy_buf_reset(&k->tagcache);	/* read again next time */
		}
		if (tid) {
			fy_buf_addf(&body, NULL, "%s{\"id\":", first ? "" : ",");
			fy_buf_add_jstr(&body, tid, strlen(tid), NULL);
			fy_buf_addc(&body, '}', NULL);
			first = 0;
		}
		free(name);
		if (!tid)
			goto out;
		free(tid);
	}
	if (fy_buf_addc(&body, ']', err) < 0 || fy_buf_addf(&path, err, "/workflows/%s/tags", wid) < 0)
		goto out;
	rc = api_call(&k->a, "PUT", path.ptr, NULL, body.ptr, body.len, 0, &resp, "set tags", err);
out:
	fy_jdoc_release(&td);
	fy_buf_release(&body);
	fy_buf_release(&path);
	fy_http_response_release(&resp);
	return rc;
}

/* What became of each credential reference, from the created workflow. */
static int report_credentials(struct n8n_sink *k, const struct fy_jdoc *made, struct fy_error *err)
{
	uint32_t nodes = fy_json_get(made, 0, "nodes"), i, el;

	FY_JSON_FOREACH(made, nodes, i, el) {
		uint32_t creds = fy_json_get(made, el, "credentials"), j, key, val;
		char *nname = fy_json_get_strdup(made, el, "name");
		char *nid = fy_json_get_strdup(made, el, "id");

		FY_JSON_FOREACH_MEMBER(made, creds, j, key, val) {
			char *type = fy_json_strdup(made, key, NULL);
			char *cid = fy_json_get_strdup(made, val, "id");
			char *cname = fy_json_get_strdup(made, val, "name");
			char secret[FY_ID_MAX + 1], field[512];
			int rc;

			n8n_secret_name(type ? type : "", cname ? cname : "", secret);
			snprintf(field, sizeof(field), "nodes[%s].credentials.%s", nid ? nid : "",
				 type ? type : "");
			if (!cid)
				rc = wf_note(&k->notes, field, "held_back", "credential-binding", err,
					     "node '%s' needs an n8n credential of type %s named '%s': "
					     "none exists at the target and %s was not set; create or "
					     "bind one in n8n before activating", nname ? nname : "",
					     type ? type : "", cname ? cname : "", secret);
			else if (!bind_env(NULL, secret))
				rc = wf_note(&k->notes, field, "transformed", "credential-by-name", err,
					     "node '%s': n8n bound the %s credential by type and name to "
					     "the target's credential %s ('%s')", nname ? nname : "",
					     type ? type : "", cid, cname ? cname : "");
			else
				rc = 0;
			free(type);
			free(cid);
			free(cname);
			if (rc < 0) {
				free(nname);
				free(nid);
				return -1;
			}
		}
		free(nname);
		free(nid);
	}
	return 0;
}

static int put_api(struct n8n_sink *k, const char *id, struct fy_error *err)
{
	struct fy_journal_entry e;
	struct fy_http_response resp;
	struct n8n_write_stats st;
	struct wf_notes quiet;
	struct fy_jdoc made;
	struct n8n_write o;
	const char *existing = NULL;
	char *wid = NULL, path[256];
	int rc = -1, active = fy_json_type(&k->d, fy_json_get(&k->d, 0, "active")) == FY_JTRUE;
	int done = fy_journal_get(k->j, "workflow", id, &e) && e.state >= FY_JOURNAL_CREATED;

	/* planned, or journal lost: the target may hold it already (staticData.ferry_id) */
	if (!done)
		existing = target_of(k, id);
	k->notes.kind = "workflow";
	k->notes.id = id;
	quiet = k->notes;
	quiet.line = NULL;
	memset(&o, 0, sizeof(o));
	o.shape = N8N_SHAPE_API;
	o.bind = bind_env;
	o.webhook_taken = webhook_taken;
	o.ctx = k;
	o.seed = k->a.base;
	o.ferry_id = id;
	fy_http_response_init(&resp);
	fy_jdoc_init(&made);
	/* what it does is reported even when an earlier run did it */
	if (n8n_from_record(&k->d, &o, &k->out, &st, done || existing ? &quiet : &k->notes, err) < 0 ||
	    report_done(k, id, &st, err) < 0)
		goto out;
	if (done) {
		if (k->ctx->log)
			k->ctx->log(k->ctx->cb, FY_LOG_INFO, "n8n: workflow %s already imported as %s",
				    id, e.target ? e.target : "?");
		rc = 0;
		goto out;
	}
	if (existing) {
		if (k->ctx->log)
			k->ctx->log(k->ctx->cb, FY_LOG_INFO, "n8n: workflow %s is already at the target as %s",
				    id, existing);
		rc = fy_journal_put(k->j, "workflow", id, existing, FY_JOURNAL_CREATED, err);
		goto out;
	}
	if (fy_journal_put(k->j, "workflow", id, NULL, FY_JOURNAL_PLANNED, err) < 0)
		goto out;
	/* never retried: a lost answer is found again by its ferry_id on the next run */
	if (api_call(&k->a, "POST", "/workflows", NULL, k->out.ptr, k->out.len, 1, &resp,
		     "create workflow", err) < 0)
		goto out;
	if (fy_jdoc_parse(&made, resp.body.ptr ? resp.body.ptr : "", resp.body.len, 0, err) < 0 ||
	    !(wid = fy_json_get_strdup(&made, 0, "id"))) {
		fy_error_set(err, FY_E_DATA, "n8n: POST /workflows answered without an id");
		goto out;
	}
	if (fy_journal_put(k->j, "workflow", id, wid, FY_JOURNAL_CREATED, err) < 0 ||
	    note_webhooks(k, &made, 0, err) < 0 || report_credentials(k, &made, err) < 0 ||
	    strlist_add(&k->ferry_ids, &k->nferry, &k->capferry, id, err) < 0 ||
	    strlist_add(&k->ferry_ids, &k->nferry, &k->capferry, wid, err) < 0 ||
	    put_tags(k, wid, err) < 0)
		goto out;
	if ((fy_json_get(&k->d, 0, "created") != FY_JNONE || fy_json_get(&k->d, 0, "updated") != FY_JNONE) &&
	    wf_note(&k->notes, "created", "transformed", "times-set-by-target", err,
		    "n8n sets a new workflow's createdAt and updatedAt itself (the public API has no "
		    "field for them): the original times stay in the archive only") < 0)
		goto out;
	snprintf(path, sizeof(path), "/workflows/%s/activate", wid);
	if (k->activate) {
		if (api_call(&k->a, "POST", path, NULL, NULL, 0, 0, &resp, "activate workflow", err) < 0)
			goto out;
	} else if (active &&
		   wf_note(&k->notes, "active", "transformed", "imported-inactive", err,
			   "the workflow was active at the source and is imported inactive "
			   "(--option activate=true activates it)") < 0) {
		goto out;
	}
	if (k->ctx->log)
		k->ctx->log(k->ctx->cb, FY_LOG_INFO, "n8n: workflow %s created as %s%s", id, wid,
			    k->activate ? " (active)" : "");
	rc = 0;
out:
	if (rc < 0)
		fy_error_prefix(err, "workflow %s", id);
	free(wid);
	fy_jdoc_release(&made);
	fy_http_response_release(&resp);
	return rc;
}

static int sink_put(void *state, const struct fy_item *it, struct fy_error *err)
{
	struct n8n_sink *k = state;
	enum fy_kind kind;
	char *id;
	int rc;

	if (it->type != FY_ITEM_RECORD)
		return 0;	/* blobs, raw originals, the export's ledger */
	if (fy_jdoc_parse(&k->d, it->json, it->len, 0, err) < 0)
		return -1;
	{
		size_t len;
		const char *s = fy_json_raw(&k->d, fy_json_get(&k->d, 0, "kind"), &len);

		kind = fy_kind_from_name(s, len);
	}
	if (kind != FY_KIND_WORKFLOW)
		return 0;	/* the tool does not hand them over: the table writes none */
	id = fy_json_get_strdup(&k->d, 0, "id");
	if (!id)
		return fy_error_set(err, FY_E_DATA, "a workflow record without an id");
	rc = k->api ? put_api(k, id, err) : put_file(k, id, err);
	free(id);
	return rc;
}

static int sink_finish(void *state, struct fy_error *err)
{
	struct n8n_sink *k = state;

	if (k->api)
		return 0;
	if (k->t.one_file && fy_buf_adds(&k->all, k->count ? "\n]\n" : "]\n", err) < 0)
		return -1;
	return wf_target_commit(&k->t, k->all.ptr, k->all.len, err);
}

/* Per workflow: the create call, its tags, its activation; and one listing of the target. */
static int n8n_estimate(const struct fy_adapter_ctx *ctx, const struct fy_estimate_input *in,
			struct fy_estimate *out, struct fy_error *err)
{
	(void)err;
	memset(out, 0, sizeof(*out));
	if (!is_api(ctx->location)) {
		snprintf(out->note, sizeof(out->note), "files: no API calls");
		return 0;
	}
	out->api_calls = 1 + in->records[FY_KIND_WORKFLOW] * 3;
	snprintf(out->note, sizeof(out->note),
		 "one listing of the target, then per workflow at most a create, a tags and an "
		 "activate call; n8n documents no rate limit");
	return 0;
}

const struct fy_adapter fy_adapter_n8n = {
	.name = "n8n",
	.summary = "n8n workflows: export files (CLI or editor/API format) and the REST API",
	.locations = "n8n:PATH (workflow JSON file or folder), n8n:http://HOST:PORT (key: N8N_API_KEY)",
	.flags = FY_ADAPTER_READ | FY_ADAPTER_WRITE,
	.caps = n8n_caps,
	.ncaps = sizeof(n8n_caps) / sizeof(n8n_caps[0]),
	.limits = &n8n_limits,
	.read_open = src_open,
	.read_next = src_next,
	.read_close = src_close,
	.write_open = sink_open,
	.write_put = sink_put,
	.write_finish = sink_finish,
	.write_close = sink_close,
	.estimate = n8n_estimate,
};
