/*
 * azure.c - the "azure" adapter: an Azure AI Foundry project.
 *
 * Published descriptions this follows (Azure/azure-rest-api-specs):
 *   - specification/ai/data-plane/Azure.AI.Projects/openapi3/
 *     2025-11-15-preview/azure-ai-projects-openapi3.json: versioned agents
 *     (Agents_listAgents, Agents_getAgent, Agents_createAgent, GET/POST
 *     /agents/{agent_name}/versions, AgentObject {versions.latest},
 *     AgentVersionObject {name, version, description, metadata, created_at,
 *     definition {kind "prompt", model, instructions, tools, ...}}), the
 *     OpenAI-compatible conversations and responses under /openai
 *     (listConversations - Azure can list them -, createConversation,
 *     updateConversation, listConversationItems, createConversationItems
 *     maxItems 20; getResponse, listInputItems), memory stores (/memory_stores,
 *     /memory_stores/{name}, /memory_stores/{name}/items and
 *     /memory_stores/{name}/items:list with a scope, behind the preview
 *     header "Foundry-Features: MemoryStores=V1Preview", as the
 *     azure-ai-projects SDKs send it); api-version is required on every
 *     call; errors are {"error": {"code", "message"}}.
 *   - specification/ai/data-plane/AIAgents (stable v1): the classic,
 *     Assistants-compatible surface on the same endpoint - assistants,
 *     threads (which it lists), messages, runs, run steps - read for export
 *     while it lives.
 *
 * LOCATION: azure: (or azure:ENDPOINT). Environment, as the SDKs name it:
 *   AZURE_AI_PROJECT_ENDPOINT   https://<resource>.services.ai.azure.com/api/projects/<project>
 *                               (azure-ai-projects samples)
 *   AZURE_OPENAI_AD_TOKEN       an Entra ID bearer token for https://ai.azure.com (the
 *                               variable the openai SDK's AzureOpenAI client reads)
 *   AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_AUTHORITY_HOST
 *                               or a service principal (azure-identity's
 *                               EnvironmentCredential): ferry asks the authority for a
 *                               token with the client-credentials grant
 *   AZURE_OPENAI_API_KEY        an api-key, sent as "api-key" where the surface takes one
 * Options: api-version (default 2025-11-15-preview), classic-api-version
 * (default v1), classic=0 to skip the classic surface, memory-scope=S (the
 * scope whose memories to export; also --id scope:S), memory-store=NAME
 * (import target when a memory names none), chat-model= and
 * embedding-model= (for a memory store the import creates).
 *
 * Import: agents as versioned agents (every version, in order, when the
 * archive came from Azure), conversations with their items (20 a call, in
 * order; a conversation is found again by metadata.ferry_src), memory
 * items into memory stores. An agent name that exists at the target and
 * was not made by this import stops the import (nothing is overwritten).
 * Files and knowledge sets are not written by this adapter (its table
 * has no line for them: they are not handed over). What becomes of each
 * kind and field is azure_caps below; the sink reports it per record and
 * plans in a dry run (write_plan), as conversations.c does for both.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adapter.h"
#include "conversations.h"
#include "idset.h"
#include "sha256.h"

#define API_VERSION "2025-11-15-preview"
#define MEMORY_HEADER "Foundry-Features: MemoryStores=V1Preview"

/* An Entra ID token by the client-credentials grant (azure-identity's EnvironmentCredential). */
static int entra_token(const struct fy_adapter_ctx *ctx, struct fy_buf *token, struct fy_error *err)
{
	const char *tenant = getenv("AZURE_TENANT_ID"), *id = getenv("AZURE_CLIENT_ID");
	const char *secret = getenv("AZURE_CLIENT_SECRET"), *host = getenv("AZURE_AUTHORITY_HOST");
	struct fy_http_options o;
	struct fy_http *h = NULL;
	struct fy_http_request rq;
	struct fy_http_response resp;
	struct fy_buf body = FY_BUF_INIT(1 << 16), path = FY_BUF_INIT(1 << 12);
	struct fy_jdoc d;
	int rc = -1;

	(void)ctx;
	fy_http_response_init(&resp);
	fy_jdoc_init(&d);
	fy_http_options_init(&o, "azure-identity", host && *host ? host : "https://login.microsoftonline.com");
	o.max_retries = 4;
	h = fy_http_new(&o, err);
	if (!h)
		goto out;
	fy_http_add_secret(h, secret);
	if (fy_buf_adds(&body, "grant_type=client_credentials&client_id=", err) < 0 ||
	    fy_http_encode(&body, id, strlen(id), 0, err) < 0 ||
	    fy_buf_adds(&body, "&client_secret=", err) < 0 ||
	    fy_http_encode(&body, secret, strlen(secret), 0, err) < 0 ||
	    fy_buf_adds(&body, "&scope=https%3A%2F%2Fai.azure.com%2F.default", err) < 0 ||
	    fy_buf_addc(&path, '/', err) < 0 || fy_http_encode(&path, tenant, strlen(tenant), 0, err) < 0 ||
	    fy_buf_adds(&path, "/oauth2/v2.0/token", err) < 0)
		goto out;
	fy_http_request_init(&rq, "POST", path.ptr);
	rq.body = body.ptr;
	rq.body_len = body.len;
	rq.content_type = "application/x-www-form-urlencoded";
	if (fy_http_do(h, &rq, &resp, err) < 0 || fy_http_check(h, &resp, "Entra ID token", err) < 0)
		goto out;
	if (fy_jdoc_parse(&d, resp.body.ptr, resp.body.len, 0, err) < 0 ||
	    live_get_str(&d, 0, "access_token", token) < 0) {
		fy_error_set(err, FY_E_AUTH, "azure: the Entra ID answer has no access_token");
		goto out;
	}
	rc = 0;
out:
	if (body.ptr)
		memset(body.ptr, 0, body.len);
	if (resp.body.ptr)
		memset(resp.body.ptr, 0, resp.body.len);
	fy_buf_release(&body);
	fy_buf_release(&path);
	fy_http_response_release(&resp);
	fy_jdoc_release(&d);
	fy_http_free(h);
	if (rc < 0)
		fy_error_prefix(err, "azure");
	return rc;
}

static int azure_client(struct live_client *c, const struct fy_adapter_ctx *ctx, struct fy_error *err)
{
	const char *endpoint = ctx->location && *ctx->location ? ctx->location : getenv("AZURE_AI_PROJECT_ENDPOINT");
	const char *token = getenv("AZURE_OPENAI_AD_TOKEN"), *key = getenv("AZURE_OPENAI_API_KEY");
	const char *v = fy_adapter_option(ctx, "api-version");
	struct fy_buf tok = FY_BUF_INIT(1 << 16), line = FY_BUF_INIT(1 << 16), id = FY_BUF_INIT(1 << 16);
	unsigned char sha[FY_SHA256_LEN];
	char hex[FY_SHA256_HEX];
	int rc = -1;

	if (!endpoint || !*endpoint)
		return fy_error_set(err, FY_E_USAGE, "azure: set AZURE_AI_PROJECT_ENDPOINT (or give azure:ENDPOINT)");
	if ((!token || !*token) && getenv("AZURE_CLIENT_SECRET") && getenv("AZURE_CLIENT_ID") &&
	    getenv("AZURE_TENANT_ID")) {
		if (entra_token(ctx, &tok, err) < 0)
			goto out;
		token = tok.ptr;
	}
	if ((!token || !*token) && (!key || !*key)) {
		fy_error_set(err, FY_E_AUTH, "azure: no credentials: set AZURE_OPENAI_AD_TOKEN, the service "
			     "principal variables AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or "
			     "AZURE_OPENAI_API_KEY");
		goto out;
	}
	fy_sha256(token && *token ? token : key, strlen(token && *token ? token : key), sha);
	fy_hex(sha, sizeof(sha), hex);
	/* The account is the project; the credential's hash only separates tokens of different tenants. */
	if (fy_buf_addf(&id, err, "azure\n%s", endpoint) < 0 || live_client_open(c, ctx, "azure", endpoint, id.ptr, err) < 0)
		goto out;
	if (token && *token) {
		if (fy_buf_addf(&line, err, "Authorization: Bearer %s", token) < 0 ||
		    live_client_header(c, line.ptr, token, err) < 0)
			goto out;
	} else if (fy_buf_addf(&line, err, "api-key: %s", key) < 0 || live_client_header(c, line.ptr, key, err) < 0) {
		goto out;
	}
	fy_buf_reset(&line);
	if (fy_buf_adds(&line, "api-version=", err) < 0 ||
	    fy_http_encode(&line, v ? v : API_VERSION, strlen(v ? v : API_VERSION), 0, err) < 0 ||
	    live_client_query(c, line.ptr, err) < 0)
		goto out;
	rc = 0;
out:
	if (tok.ptr)
		memset(tok.ptr, 0, tok.len);
	if (line.ptr)
		memset(line.ptr, 0, line.len);
	fy_buf_release(&tok);
	fy_buf_release(&line);
	fy_buf_release(&id);
	(void)hex;
	return rc;
}

/*
 * --- mapping: agents and memories (no I/O) --------------------------------------
 * Not static: tests/fuzz/fuzz_openai.c calls the two mappings directly.
 */

static const char *tool_type(const char *t)
{
	return !strcmp(t, "function") ? "function" : !strcmp(t, "code_interpreter") ? "code_interpreter"
	       : !strcmp(t, "file_search") ? "file_search"
	       : !strcmp(t, "web_search") || !strcmp(t, "web_search_preview") || !strcmp(t, "bing_grounding") ? "web_search"
	       : !strcmp(t, "mcp") ? "mcp" : !strcmp(t, "openapi") ? "openapi"
	       : !strcmp(t, "computer_use_preview") ? "computer_use" : "builtin";
}

/*
 * An agent with its versions (oldest first: vers, an array of
 * AgentVersionObject) as its tool records, then the agent record, one a
 * line. The latest version is the agent; every version stays in
 * ext.azure.versions so an import back recreates the history.
 */
int azure_agent_records(const struct fy_jdoc *d, uint32_t vers, struct fy_buf *out,
			struct fy_error *err);
int azure_memory_record(const struct fy_jdoc *d, uint32_t item, const struct fy_jdoc *sd,
			uint32_t store, struct fy_buf *out, struct fy_error *err);

int azure_agent_records(const struct fy_jdoc *d, uint32_t vers, struct fy_buf *out,
			struct fy_error *err)
{
	uint32_t n = fy_json_len(d, vers), latest, def, tools, k, t;
	char aid[FY_ID_MAX + 1];
	struct fy_buf name = FY_BUF_INIT(4096);
	struct lw w;
	int rc = -1;

	if (!n)
		return 0;
	latest = fy_json_at(d, vers, n - 1);
	def = fy_json_get(d, latest, "definition");
	tools = fy_json_get(d, def, "tools");
	if (live_get_str(d, latest, "name", &name) < 0)
		return fy_error_set(err, FY_E_DATA, "azure: an agent version has no name");
	fy_id_make(name.ptr, name.len, aid);
	FY_JSON_FOREACH(d, tools, k, t) {
		struct fy_buf tn = FY_BUF_INIT(4096), type = FY_BUF_INIT(64), key = FY_BUF_INIT(8192);
		char tid[FY_ID_MAX + 1];
		const char *nt;

		live_get_str(d, t, "type", &type);
		nt = tool_type(type.ptr ? type.ptr : "");
		if (live_get_str(d, t, "name", &tn) < 0 && live_get_str(d, t, "server_label", &tn) < 0)
			fy_buf_adds(&tn, type.ptr ? type.ptr : "tool", NULL);
		fy_buf_addf(&key, NULL, "%s.%s", name.ptr, tn.ptr);
		fy_id_make(key.ptr, key.len, tid);
		lw_init(&w, out, err);
		lw_obj(&w);
		lw_kstr(&w, "kind", "tool");
		lw_kstr(&w, "id", tid);
		lw_kstr(&w, "type", nt);
		lw_kstr(&w, "name", tn.ptr);
		if (fy_json_type(d, fy_json_get(d, t, "description")) == FY_JSTRING)
			lw_knode(&w, "description", d, fy_json_get(d, t, "description"));
		if (fy_json_type(d, fy_json_get(d, t, "parameters")) == FY_JOBJECT)
			lw_knode(&w, "parameters", d, fy_json_get(d, t, "parameters"));
		if (!strcmp(nt, "mcp")) {
			lw_key(&w, "mcp");
			lw_obj(&w);
			if (fy_json_type(d, fy_json_get(d, t, "server_label")) == FY_JSTRING)
				lw_knode(&w, "server_label", d, fy_json_get(d, t, "server_label"));
			if (fy_json_type(d, fy_json_get(d, t, "server_url")) == FY_JSTRING)
				lw_knode(&w, "server_url", d, fy_json_get(d, t, "server_url"));
			if (fy_json_type(d, fy_json_get(d, t, "allowed_tools")) == FY_JARRAY)
				lw_knode(&w, "allowed_tools", d, fy_json_get(d, t, "allowed_tools"));
			lw_end_obj(&w);
		}
		if ((!strcmp(nt, "builtin") || !strcmp(nt, "file_search") || !strcmp(nt, "web_search")) &&
		    fy_json_type(d, t) == FY_JOBJECT)
			lw_knode(&w, "config", d, t);
		lw_key(&w, "source");
		lw_obj(&w);
		lw_kstr(&w, "adapter", "azure");
		lw_kstr(&w, "id", key.ptr);
		lw_end_obj(&w);
		lw_end_obj(&w);
		fy_buf_release(&tn);
		fy_buf_release(&type);
		fy_buf_release(&key);
		if (lw_done(&w) < 0 || fy_buf_addc(out, '\n', err) < 0)
			goto out;
	}
	lw_init(&w, out, err);
	lw_obj(&w);
	lw_kstr(&w, "kind", "agent");
	lw_kstr(&w, "id", aid);
	lw_kstr(&w, "name", name.ptr);
	if (fy_json_type(d, fy_json_get(d, latest, "description")) == FY_JSTRING)
		lw_knode(&w, "description", d, fy_json_get(d, latest, "description"));
	if (fy_json_type(d, fy_json_get(d, def, "instructions")) == FY_JSTRING)
		lw_knode(&w, "instructions", d, fy_json_get(d, def, "instructions"));
	if (fy_json_type(d, fy_json_get(d, def, "model")) == FY_JSTRING) {
		lw_key(&w, "model");
		lw_obj(&w);
		lw_kstr(&w, "provider", "azure");
		lw_knode(&w, "name", d, fy_json_get(d, def, "model"));
		if (fy_json_type(d, fy_json_get(d, def, "temperature")) == FY_JNUMBER ||
		    fy_json_type(d, fy_json_get(d, def, "top_p")) == FY_JNUMBER) {
			lw_key(&w, "parameters");
			lw_obj(&w);
			if (fy_json_type(d, fy_json_get(d, def, "temperature")) == FY_JNUMBER)
				lw_knode(&w, "temperature", d, fy_json_get(d, def, "temperature"));
			if (fy_json_type(d, fy_json_get(d, def, "top_p")) == FY_JNUMBER)
				lw_knode(&w, "top_p", d, fy_json_get(d, def, "top_p"));
			lw_end_obj(&w);
		}
		lw_end_obj(&w);
	}
	lw_key(&w, "tools");
	lw_arr(&w);
	FY_JSON_FOREACH(d, tools, k, t) {
		struct fy_buf tn = FY_BUF_INIT(4096), key = FY_BUF_INIT(8192);
		char tid[FY_ID_MAX + 1];

		if (live_get_str(d, t, "name", &tn) < 0 && live_get_str(d, t, "server_label", &tn) < 0 &&
		    live_get_str(d, t, "type", &tn) < 0)
			fy_buf_adds(&tn, "tool", NULL);
		fy_buf_addf(&key, NULL, "%s.%s", name.ptr, tn.ptr);
		fy_id_make(key.ptr, key.len, tid);
		lw_str(&w, tid);
		fy_buf_release(&tn);
		fy_buf_release(&key);
	}
	lw_end_arr(&w);
	if (fy_json_type(d, fy_json_get(d, latest, "version")) == FY_JSTRING)
		lw_knode(&w, "version", d, fy_json_get(d, latest, "version"));
	lw_ktime(&w, "created", live_get_int(d, fy_json_at(d, vers, 0), "created_at", 0));
	lw_ktime(&w, "updated", live_get_int(d, latest, "created_at", 0));
	if (fy_json_type(d, fy_json_get(d, latest, "metadata")) == FY_JOBJECT &&
	    fy_json_len(d, fy_json_get(d, latest, "metadata")))
		lw_knode(&w, "metadata", d, fy_json_get(d, latest, "metadata"));
	lw_key(&w, "source");
	lw_obj(&w);
	lw_kstr(&w, "adapter", "azure");
	lw_kstr(&w, "id", name.ptr);
	lw_end_obj(&w);
	lw_key(&w, "ext");
	lw_obj(&w);
	lw_key(&w, "azure");
	lw_obj(&w);
	lw_knode(&w, "versions", d, vers);
	lw_end_obj(&w);
	lw_end_obj(&w);
	lw_end_obj(&w);
	if (lw_done(&w) < 0 || fy_buf_addc(out, '\n', err) < 0)
		goto out;
	rc = 0;
out:
	fy_buf_release(&name);
	return rc;
}

/* A memory item (node item) of store (node store) as a memory record. */
int azure_memory_record(const struct fy_jdoc *d, uint32_t item, const struct fy_jdoc *sd,
			uint32_t store, struct fy_buf *out, struct fy_error *err)
{
	struct fy_buf kind = FY_BUF_INIT(64);
	char id[FY_ID_MAX + 1];
	const char *type;
	struct lw w;
	int rc;

	if (live_get_str(d, item, "memory_id", &kind) < 0) {
		fy_buf_release(&kind);
		return fy_error_set(err, FY_E_DATA, "azure: a memory item has no memory_id");
	}
	fy_id_make(kind.ptr, kind.len, id);
	live_get_str(d, item, "kind", &kind);
	type = !kind.ptr ? "fact" : !strcmp(kind.ptr, "user_profile") ? "profile"
		 : !strcmp(kind.ptr, "chat_summary") ? "summary" : !strcmp(kind.ptr, "procedural") ? "fact" : "fact";
	lw_init(&w, out, err);
	lw_obj(&w);
	lw_kstr(&w, "kind", "memory");
	lw_kstr(&w, "id", id);
	lw_key(&w, "scope");
	lw_obj(&w);
	lw_kstr(&w, "type", "user");
	if (fy_json_type(d, fy_json_get(d, item, "scope")) == FY_JSTRING)
		lw_knode(&w, "user", d, fy_json_get(d, item, "scope"));
	if (fy_json_type(sd, fy_json_get(sd, store, "name")) == FY_JSTRING)
		lw_knode(&w, "namespace", sd, fy_json_get(sd, store, "name"));
	lw_end_obj(&w);
	lw_kstr(&w, "type", type);
	if (kind.ptr)
		lw_kstr(&w, "label", kind.ptr);
	lw_key(&w, "text");
	if (fy_json_type(d, fy_json_get(d, item, "content")) == FY_JSTRING)
		lw_node(&w, d, fy_json_get(d, item, "content"));
	else
		lw_str(&w, "");
	lw_ktime(&w, "updated", live_get_int(d, item, "updated_at", 0));
	{
		uint32_t def = fy_json_get(sd, store, "definition");

		if (fy_json_type(sd, fy_json_get(sd, def, "embedding_model")) == FY_JSTRING) {
			/* The store embeds with this model; the vectors themselves are not exposed. */
			if (fy_json_type(sd, fy_json_get(sd, def, "kind")) == FY_JSTRING)
				lw_knode(&w, "strategy", sd, fy_json_get(sd, def, "kind"));
		}
	}
	lw_key(&w, "source");
	lw_obj(&w);
	lw_kstr(&w, "adapter", "azure");
	lw_knode(&w, "id", d, fy_json_get(d, item, "memory_id"));
	lw_end_obj(&w);
	lw_key(&w, "ext");
	lw_obj(&w);
	lw_key(&w, "azure");
	lw_obj(&w);
	lw_knode(&w, "item", d, item);
	lw_knode(&w, "store", sd, store);
	lw_end_obj(&w);
	lw_end_obj(&w);
	lw_end_obj(&w);
	rc = lw_done(&w);
	fy_buf_release(&kind);
	return rc;
}

/* --- source ------------------------------------------------------------------------ */

struct az_src {
	const struct fy_adapter_ctx *ctx;
	struct live_client client;
	int has_client;
	struct oai_api api;
	struct live_queue q;
	struct fy_idset blobs;
	int stage;
	char **conv, **resp, **scopes;
	size_t nconv, nresp, nscopes;
};

enum { AZ_AGENTS, AZ_CONVS, AZ_RESPS, AZ_MEMORY, AZ_CLASSIC, AZ_DONE };

static int az_wanted(const struct az_src *s, enum fy_kind k)
{
	return oai_kind_wanted(s->ctx->kinds, k, 1);
}

static int az_blob(void *cb, const void *p, size_t n, char hex[65], struct fy_error *err)
{
	struct az_src *s = cb;

	return oai_queue_blob(&s->q, &s->blobs, p, n, hex, err);
}

/* This adapter reads no files: a reference to one stays at the provider. */
static int az_has_file(void *cb, const char *id)
{
	(void)cb;
	(void)id;
	return 0;
}

static int az_ledger(void *cb, const char *json, size_t len, struct fy_error *err)
{
	return live_queue_json(&((struct az_src *)cb)->q, FY_ITEM_LEDGER, json, len, err);
}

static void azure_read_close(void *state)
{
	struct az_src *s = state;

	if (!s)
		return;
	live_queue_release(&s->q);
	fy_idset_release(&s->blobs);
	oai_free_ids(s->conv, s->nconv);
	oai_free_ids(s->resp, s->nresp);
	oai_free_ids(s->scopes, s->nscopes);
	if (s->has_client)
		live_client_close(&s->client);
	free(s);
}

static int azure_read_open(const struct fy_adapter_ctx *ctx, void **state, struct fy_source_info *info,
			   struct fy_error *err)
{
	struct az_src *s = calloc(1, sizeof(*s));
	const char *ep, *v;
	size_t i;

	if (!s)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	s->ctx = ctx;
	live_queue_init(&s->q);
	fy_idset_init(&s->blobs, 1u << 26);
	if (azure_client(&s->client, ctx, err) < 0) {
		azure_read_close(s);
		return -1;
	}
	s->has_client = 1;
	s->api.client = &s->client;
	s->api.adapter = "azure";
	s->api.prefix = "/openai";
	s->api.page_size = 100;
	s->api.window = (size_t)s->client.concurrency * 8;
	s->api.map.adapter = "azure";
	s->api.map.blob = az_blob;
	s->api.map.ledger = az_ledger;
	s->api.map.has_file = az_has_file;
	s->api.map.cb = s;
	for (i = 0; i < ctx->nids; i++) {
		const char *id = ctx->ids[i];
		int rc = !strncmp(id, "resp_", 5) ? oai_add_id(&s->resp, &s->nresp, id, err)
			 : !strncmp(id, "scope:", 6) ? oai_add_id(&s->scopes, &s->nscopes, id + 6, err)
						     : oai_add_id(&s->conv, &s->nconv, id, err);

		if (rc < 0) {
			azure_read_close(s);
			return -1;
		}
	}
	if ((v = fy_adapter_option(ctx, "memory-scope")) && oai_add_id(&s->scopes, &s->nscopes, v, err) < 0) {
		azure_read_close(s);
		return -1;
	}
	ep = ctx->location && *ctx->location ? ctx->location : getenv("AZURE_AI_PROJECT_ENDPOINT");
	snprintf(info->location, sizeof(info->location), "%s", ep);
	snprintf(info->account, sizeof(info->account), "%s", s->client.account);
	*state = s;
	return 0;
}

/* GET a listing's objects (all pages): each object as compact JSON, new. */
static int az_list(struct az_src *s, const char *path, const char *header, const char *idkey,
		   const char *body, int missing_ok, char ***objs, size_t *n, struct fy_error *err)
{
	return live_list(&s->client, path, header, body, idkey, 0, missing_ok, objs, n, err);
}

/* A JSON array "[o1,o2,...]" of objects. */
static int join_array(char **objs, size_t n, struct fy_buf *out, struct fy_error *err)
{
	size_t i;

	fy_buf_reset(out);
	if (fy_buf_addc(out, '[', err) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if ((i && fy_buf_addc(out, ',', err) < 0) || fy_buf_adds(out, objs[i], err) < 0)
			return -1;
	return fy_buf_addc(out, ']', err);
}

static int queue_lines(struct az_src *s, const struct fy_buf *b, struct fy_error *err)
{
	const char *p = b->ptr, *e;

	for (; p && *p; p = e + 1) {
		e = strchr(p, '\n');
		if (!e)
			e = p + strlen(p);
		if (e > p && live_queue_json(&s->q, FY_ITEM_RECORD, p, (size_t)(e - p), err) < 0)
			return -1;
		if (!*e)
			break;
	}
	return 0;
}

static int stage_agents(struct az_src *s, struct fy_error *err)
{
	char **names = NULL, **vers = NULL;
	size_t nn = 0, nv = 0, i;
	struct fy_buf arr = FY_BUF_INIT((size_t)1 << 30), out = FY_BUF_INIT((size_t)1 << 30);
	struct fy_jdoc d;
	int rc = -1;

	fy_jdoc_init(&d);
	if (!az_wanted(s, FY_KIND_AGENT))
		return 0;
	if (oai_list_ids(&s->api, "/agents", NULL, "name", 0, &names, &nn, err) < 0)
		goto out;
	for (i = 0; i < nn; i++) {
		struct fy_buf path = FY_BUF_INIT(4096);

		if (fy_buf_adds(&path, "/agents/", err) < 0 || fy_http_encode(&path, names[i], strlen(names[i]), 0, err) < 0 ||
		    fy_buf_adds(&path, "/versions", err) < 0 ||
		    az_list(s, path.ptr, NULL, "version", NULL, 0, &vers, &nv, err) < 0) {
			fy_buf_release(&path);
			goto out;
		}
		fy_buf_release(&path);
		fy_buf_reset(&out);
		if (join_array(vers, nv, &arr, err) < 0 || fy_jdoc_parse(&d, arr.ptr, arr.len, 0, err) < 0 ||
		    azure_agent_records(&d, 0, &out, err) < 0 || queue_lines(s, &out, err) < 0)
			goto out;
		oai_free_ids(vers, nv);
		vers = NULL;
		nv = 0;
	}
	rc = 0;
out:
	oai_free_ids(names, nn);
	oai_free_ids(vers, nv);
	fy_buf_release(&arr);
	fy_buf_release(&out);
	fy_jdoc_release(&d);
	return rc;
}

static int stage_memory(struct az_src *s, struct fy_error *err)
{
	char **stores = NULL, **items = NULL;
	size_t ns = 0, ni = 0, i, j, k;
	struct fy_buf out = FY_BUF_INIT((size_t)1 << 26);
	struct fy_jdoc sd, d;
	int rc = -1, got;

	fy_jdoc_init(&sd);
	fy_jdoc_init(&d);
	if (!az_wanted(s, FY_KIND_MEMORY))
		return 0;
	got = az_list(s, "/memory_stores", MEMORY_HEADER, "id", NULL, 1, &stores, &ns, err);
	if (got < 0)
		goto out;
	for (i = 0; i < ns; i++) {
		char *name;

		if (fy_jdoc_parse(&sd, stores[i], strlen(stores[i]), 0, err) < 0 ||
		    !(name = fy_json_get_strdup(&sd, 0, "name")))
			goto out;
		for (j = 0; j < s->nscopes; j++) {
			struct fy_buf path = FY_BUF_INIT(4096), body = FY_BUF_INIT(4096);
			struct lw w;
			int r;

			lw_init(&w, &body, err);
			lw_obj(&w);
			lw_kstr(&w, "scope", s->scopes[j]);
			lw_end_obj(&w);
			r = fy_buf_adds(&path, "/memory_stores/", err) < 0 ||
			    fy_http_encode(&path, name, strlen(name), 0, err) < 0 ||
			    fy_buf_adds(&path, "/items:list", err) < 0 || lw_done(&w) < 0 ||
			    az_list(s, path.ptr, MEMORY_HEADER, "memory_id", body.ptr, 0, &items, &ni, err) < 0 ? -1 : 0;
			fy_buf_release(&path);
			fy_buf_release(&body);
			for (k = 0; r == 0 && k < ni; k++) {
				fy_buf_reset(&out);
				if (fy_jdoc_parse(&d, items[k], strlen(items[k]), 0, err) < 0 ||
				    azure_memory_record(&d, 0, &sd, 0, &out, err) < 0 ||
				    live_queue_json(&s->q, FY_ITEM_RECORD, out.ptr, out.len, err) < 0)
					r = -1;
			}
			oai_free_ids(items, ni);
			items = NULL;
			ni = 0;
			if (r < 0) {
				free(name);
				goto out;
			}
		}
		free(name);
	}
	if (ns && !s->nscopes) {
		struct fy_buf l = FY_BUF_INIT(1 << 16);

		got = live_ledger_line(&l, "azure", "export", "memory", NULL, NULL, "warning", "no-scope",
				       "memory stores list no scopes: name the scopes to export with --id "
				       "scope:S or --option memory-scope=S", err);
		if (got == 0)
			got = live_queue_json(&s->q, FY_ITEM_LEDGER, l.ptr, l.len, err);
		fy_buf_release(&l);
		if (got < 0)
			goto out;
	}
	rc = 0;
out:
	oai_free_ids(stores, ns);
	oai_free_ids(items, ni);
	fy_buf_release(&out);
	fy_jdoc_release(&sd);
	fy_jdoc_release(&d);
	return rc;
}

static int classic_emit(void *cb, const char *json, size_t len, struct fy_error *err)
{
	return live_queue_json(&((struct az_src *)cb)->q, FY_ITEM_RECORD, json, len, err);
}

/* The classic Assistants-compatible surface: assistants, threads and their contents. */
static int stage_classic(struct az_src *s, struct fy_error *err)
{
	const char *opt = fy_adapter_option(s->ctx, "classic");
	const char *ver = fy_adapter_option(s->ctx, "classic-api-version");
	char *saved = s->client.query_suffix ? strdup(s->client.query_suffix) : NULL;
	struct fy_buf q = FY_BUF_INIT(4096);
	struct oai_objset set;
	char **objs = NULL, **threads = NULL;
	size_t n = 0, nt = 0, i;
	int rc = -1, got;

	oai_objset_init(&set);
	if ((opt && !strcmp(opt, "0")) || (!az_wanted(s, FY_KIND_AGENT) && !az_wanted(s, FY_KIND_THREAD))) {
		free(saved);
		return 0;
	}
	if (fy_buf_adds(&q, "api-version=", err) < 0 ||
	    fy_http_encode(&q, ver ? ver : "v1", strlen(ver ? ver : "v1"), 0, err) < 0 ||
	    live_client_query(&s->client, q.ptr, err) < 0)
		goto out;
	got = az_list(s, "/assistants", NULL, "id", NULL, 1, &objs, &n, err);
	if (got < 0)
		goto out;
	if (got == 1) {
		/* The classic surface is gone from this endpoint. */
		struct fy_buf l = FY_BUF_INIT(1 << 16);

		got = live_ledger_line(&l, "azure", "export", "agent", NULL, NULL, "warning", "classic-gone",
				       "the classic Assistants-compatible surface answers 404 here: nothing to read",
				       err);
		if (got == 0)
			got = live_queue_json(&s->q, FY_ITEM_LEDGER, l.ptr, l.len, err);
		fy_buf_release(&l);
		rc = got;
		goto out;
	}
	for (i = 0; i < n; i++)
		if (oai_objset_add(&set, objs[i], strlen(objs[i]), err) < 0)
			goto out;
	oai_free_ids(objs, n);
	objs = NULL;
	n = 0;
	if (az_list(s, "/threads", NULL, "id", NULL, 0, &threads, &nt, err) < 0)
		goto out;
	for (i = 0; i < nt; i++) {
		struct fy_jdoc d;
		char *tid, **runs = NULL;
		size_t nr = 0, k;
		struct fy_buf path = FY_BUF_INIT(4096);
		int r = 0;

		fy_jdoc_init(&d);
		tid = fy_jdoc_parse(&d, threads[i], strlen(threads[i]), 0, err) == 0 ? fy_json_get_strdup(&d, 0, "id") : NULL;
		fy_jdoc_release(&d);
		if (!tid || oai_objset_add(&set, threads[i], strlen(threads[i]), err) < 0) {
			free(tid);
			goto out;
		}
		fy_buf_addf(&path, NULL, "/threads/%s/messages", tid);
		r = az_list(s, path.ptr, NULL, "id", NULL, 0, &objs, &n, err);
		for (k = 0; r == 0 && k < n; k++)
			r = oai_objset_add(&set, objs[k], strlen(objs[k]), err);
		oai_free_ids(objs, n);
		objs = NULL;
		n = 0;
		fy_buf_reset(&path);
		fy_buf_addf(&path, NULL, "/threads/%s/runs", tid);
		if (r == 0)
			r = az_list(s, path.ptr, NULL, "id", NULL, 0, &runs, &nr, err);
		for (k = 0; r == 0 && k < nr; k++) {
			struct fy_jdoc rd;
			char *rid, **steps = NULL;
			size_t ns = 0, m;

			r = oai_objset_add(&set, runs[k], strlen(runs[k]), err);
			fy_jdoc_init(&rd);
			rid = r == 0 && fy_jdoc_parse(&rd, runs[k], strlen(runs[k]), 0, err) == 0 ? fy_json_get_strdup(&rd, 0, "id") : NULL;
			fy_jdoc_release(&rd);
			if (!rid) {
				r = -1;
				break;
			}
			fy_buf_reset(&path);
			fy_buf_addf(&path, NULL, "/threads/%s/runs/%s/steps", tid, rid);
			r = az_list(s, path.ptr, NULL, "id", NULL, 0, &steps, &ns, err);
			for (m = 0; r == 0 && m < ns; m++)
				r = oai_objset_add(&set, steps[m], strlen(steps[m]), err);
			oai_free_ids(steps, ns);
			free(rid);
		}
		oai_free_ids(runs, nr);
		fy_buf_release(&path);
		free(tid);
		if (r < 0)
			goto out;
	}
	rc = oai_objset_records(&s->api.map, &set, classic_emit, s, err);
out:
	if (live_client_query(&s->client, saved ? saved : "", err) < 0)
		rc = -1;
	free(saved);
	fy_buf_release(&q);
	oai_free_ids(objs, n);
	oai_free_ids(threads, nt);
	oai_objset_release(&set);
	return rc;
}

static int azure_read_next(void *state, struct fy_item *it, struct fy_error *err)
{
	struct az_src *s = state;

	while (live_queue_empty(&s->q)) {
		int rc = 0;

		switch (s->stage) {
		case AZ_AGENTS: rc = stage_agents(s, err); break;
		case AZ_CONVS:
			if (az_wanted(s, FY_KIND_THREAD)) {
				char **ids = NULL;
				size_t n = 0, i;

				/* Azure lists conversations; --id adds to the list. */
				rc = oai_list_ids(&s->api, "/openai/conversations", NULL, "id", 0, &ids, &n, err);
				for (i = 0; rc == 0 && i < n; i++)
					rc = oai_add_id(&s->conv, &s->nconv, ids[i], err);
				oai_free_ids(ids, n);
				if (rc == 0)
					rc = oai_export_conversations(&s->api, s->conv, s->nconv, &s->q, err);
			}
			break;
		case AZ_RESPS:
			if (az_wanted(s, FY_KIND_THREAD))
				rc = oai_export_responses(&s->api, s->resp, s->nresp, &s->q, err);
			break;
		case AZ_MEMORY: rc = stage_memory(s, err); break;
		case AZ_CLASSIC: rc = stage_classic(s, err); break;
		default:
			return 0;
		}
		if (rc < 0)
			return -1;
		s->stage++;
	}
	return live_queue_pop(&s->q, it);
}

/* --- sink ------------------------------------------------------------------------------ */

/* A conversation made by an import of this record: listConversations, metadata.ferry_src. */
static int az_find_conversation(struct oai_sink *s, const char *key, struct fy_buf *id, struct fy_error *err)
{
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

		if (live_req_set(&r, "GET", err, "/openai/conversations") < 0 ||
		    live_req_param(&r, "limit", "100", err) < 0 || live_req_param(&r, "order", "asc", err) < 0 ||
		    (after && live_req_param(&r, "after", after, err) < 0) ||
		    live_get(&s->client, &r, &resp, "list conversations", err) < 0 ||
		    fy_jdoc_parse(&d, resp.body.ptr, resp.body.len, 0, err) < 0)
			goto out;
		data = fy_json_get(&d, 0, "data");
		FY_JSON_FOREACH(&d, data, k, v)
			if (!found && fy_json_streq(&d, fy_json_get(&d, fy_json_get(&d, v, "metadata"), "ferry_src"), key)) {
				live_get_str(&d, v, "id", id);
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

/* The versions of an agent at the target: -1 error, else the count (0 when it does not exist). */
static int az_versions(struct oai_sink *s, const char *name, struct fy_buf *first_src, struct fy_error *err)
{
	struct live_req r;
	struct fy_http_response resp;
	struct fy_jdoc d;
	int rc = -1;

	live_req_init(&r);
	fy_http_response_init(&resp);
	fy_jdoc_init(&d);
	if (live_req_set(&r, "GET", err, "/agents/") < 0 || live_req_path_enc(&r, name, err) < 0 ||
	    fy_buf_adds(&r.path, "/versions", err) < 0 || live_req_param(&r, "limit", "100", err) < 0 ||
	    live_req_param(&r, "order", "asc", err) < 0 || live_prepare(&s->client, &r, err) < 0 ||
	    fy_http_do(s->client.http, &r.rq, &resp, err) < 0)
		goto out;
	if (resp.status == 404) {
		rc = 0;
		goto out;
	}
	if (fy_http_check(s->client.http, &resp, name, err) < 0 ||
	    fy_jdoc_parse(&d, resp.body.ptr, resp.body.len, 0, err) < 0)
		goto out;
	fy_buf_reset(first_src);
	live_get_str(&d, fy_json_get(&d, fy_json_at(&d, fy_json_get(&d, 0, "data"), 0), "metadata"), "ferry_src",
		     first_src);
	rc = (int)fy_json_len(&d, fy_json_get(&d, 0, "data"));
out:
	live_req_release(&r);
	fy_http_response_release(&resp);
	fy_jdoc_release(&d);
	return rc;
}

struct ver_lookup {
	struct oai_sink *s;
	const char *name;
	int want;
};

static int version_landed(void *ctx, struct fy_buf *out, struct fy_error *err)
{
	struct ver_lookup *l = ctx;
	struct fy_buf src = FY_BUF_INIT(1024);
	int n = az_versions(l->s, l->name, &src, err);

	(void)out;
	fy_buf_release(&src);
	return n < 0 ? -1 : n >= l->want;
}

/* A definition from neutral fields, for agents that did not come from Azure. */
static int build_definition(struct oai_sink *s, const struct fy_jdoc *d, struct lw *w,
			    struct fy_error *err)
{
	uint32_t tools = fy_json_get(d, 0, "tools"), k, v;
	struct fy_jdoc td;

	fy_jdoc_init(&td);
	lw_key(w, "definition");
	lw_obj(w);
	lw_kstr(w, "kind", "prompt");
	lw_key(w, "model");
	if (fy_json_type(d, fy_json_get(d, fy_json_get(d, 0, "model"), "name")) == FY_JSTRING) {
		lw_node(w, d, fy_json_get(d, fy_json_get(d, 0, "model"), "name"));
	} else {
		const char *m = fy_adapter_option(s->live.ctx, "model");

		lw_str(w, m ? m : "gpt-4.1");	/* reported by azure_check */
	}
	if (fy_json_type(d, fy_json_get(d, 0, "instructions")) == FY_JSTRING)
		lw_knode(w, "instructions", d, fy_json_get(d, 0, "instructions"));
	lw_key(w, "tools");
	lw_arr(w);
	FY_JSON_FOREACH(d, tools, k, v) {
		char *tid = fy_json_strdup(d, v, NULL);
		size_t i;
		struct fy_buf type = FY_BUF_INIT(64);

		for (i = 0; tid && i < s->nrecs[FY_KIND_TOOL]; i++)
			if (!strcmp(s->recs[FY_KIND_TOOL][i].id, tid) &&
			    fy_jdoc_parse(&td, s->recs[FY_KIND_TOOL][i].json, s->recs[FY_KIND_TOOL][i].len, 0, err) == 0) {
				live_get_str(&td, 0, "type", &type);
				if (type.ptr && !strcmp(type.ptr, "function")) {
					lw_obj(w);
					lw_kstr(w, "type", "function");
					lw_knode(w, "name", &td, fy_json_get(&td, 0, "name"));
					if (fy_json_type(&td, fy_json_get(&td, 0, "description")) == FY_JSTRING)
						lw_knode(w, "description", &td, fy_json_get(&td, 0, "description"));
					if (fy_json_type(&td, fy_json_get(&td, 0, "parameters")) == FY_JOBJECT)
						lw_knode(w, "parameters", &td, fy_json_get(&td, 0, "parameters"));
					lw_end_obj(w);
				} else if (type.ptr && (!strcmp(type.ptr, "code_interpreter") || !strcmp(type.ptr, "web_search"))) {
					lw_obj(w);
					lw_kstr(w, "type", type.ptr);
					lw_end_obj(w);
				}
				/* other types are not handed over: the table drops them (tool-needs-setup) */
			}
		free(tid);
		fy_buf_release(&type);
	}
	lw_end_arr(w);
	lw_end_obj(w);
	fy_jdoc_release(&td);
	return 0;
}

/* Every character of name other than letters, digits and those of keep becomes '-'. */
static void az_name_chars(char *name, const char *keep)
{
	size_t j;

	for (j = 0; name[j]; j++)
		if (!((name[j] >= 'a' && name[j] <= 'z') || (name[j] >= 'A' && name[j] <= 'Z') ||
		      (name[j] >= '0' && name[j] <= '9') || strchr(keep, name[j])))
			name[j] = '-';
}

/* An Azure agent name for a record id: letters, digits and '-', up to 63. */
static void agent_name(const char *id, char name[64])
{
	snprintf(name, 64, "%.63s", id);
	az_name_chars(name, "-");
}

static int sink_agents(struct oai_sink *s, struct fy_error *err)
{
	struct fy_jdoc d;
	size_t i;
	int rc = -1;

	fy_jdoc_init(&d);
	for (i = 0; i < s->nrecs[FY_KIND_AGENT]; i++) {
		struct oai_rec *rec = &s->recs[FY_KIND_AGENT][i];
		uint32_t vers;
		char key[512], name[64];
		const char *target;
		enum fy_journal_state st;
		struct fy_buf src = FY_BUF_INIT(1024);
		struct oai_extras x;
		const char *extra[12];
		int total, have = 0, v, ok = 0;

		if (fy_jdoc_parse(&d, rec->json, rec->len, 0, err) < 0)
			goto out;
		live_sink_key(&s->live, rec->id, key, sizeof(key));
		st = live_sink_state(&s->live, "agent", key, &target);
		vers = fy_json_get(&d, fy_json_get(&d, fy_json_get(&d, 0, "ext"), "azure"), "versions");
		total = fy_json_type(&d, vers) == FY_JARRAY && fy_json_len(&d, vers) ? (int)fy_json_len(&d, vers) : 1;
		agent_name(rec->id, name);
		if (st == FY_JOURNAL_VERIFIED) {
			s->live.plan.skip[FY_KIND_AGENT]++;
			continue;
		}
		/* the versions at the target, then each version */
		s->live.plan.create[FY_KIND_AGENT]++;
		s->live.plan.resume[FY_KIND_AGENT] += st != FY_JOURNAL_NONE;
		s->live.plan.calls += 1 + (uint64_t)total;
		if (s->dry)
			continue;
		have = az_versions(s, name, &src, err);
		if (have < 0)
			goto out;
		if (have > 0 && (!src.ptr || strcmp(src.ptr, key) != 0)) {
			fy_buf_release(&src);
			fy_error_set(err, FY_E_EXISTS, "agent '%s' exists at the target and was not made by this "
				     "import; ferry does not overwrite it", name);
			goto out;
		}
		fy_buf_release(&src);
		if (live_sink_put(&s->live, "agent", key, NULL, FY_JOURNAL_PLANNED, err) < 0)
			goto out;
		oai_record_extras(&d, rec->id, &x, extra);
		for (v = have; v < total && ok == 0; v++) {
			struct live_req r;
			struct fy_http_response resp;
			struct ver_lookup l = { s, name, v + 1 };
			uint32_t ver = fy_json_at(&d, vers, (uint32_t)v);
			struct lw w;
			int found;

			live_req_init(&r);
			fy_http_response_init(&resp);
			ok = v == 0 ? live_req_set(&r, "POST", err, "/agents")
				    : live_req_set(&r, "POST", err, "/agents/%s/versions", name);
			lw_init(&w, &r.body, err);
			lw_obj(&w);
			if (v == 0)
				lw_kstr(&w, "name", name);
			if (ver != FY_JNONE) {
				if (fy_json_type(&d, fy_json_get(&d, ver, "description")) == FY_JSTRING)
					lw_knode(&w, "description", &d, fy_json_get(&d, ver, "description"));
				lw_knode(&w, "definition", &d, fy_json_get(&d, ver, "definition"));
			} else {
				if (fy_json_type(&d, fy_json_get(&d, 0, "description")) == FY_JSTRING)
					lw_knode(&w, "description", &d, fy_json_get(&d, 0, "description"));
				if (ok == 0)
					ok = build_definition(s, &d, &w, err);
			}
			if (ok == 0)
				ok = oai_sink_metadata(s, &w, &d, ver != FY_JNONE ? fy_json_get(&d, ver, "metadata")
										   : fy_json_get(&d, 0, "metadata"),
						       "agent", rec->id, key, extra, 0, err);
			lw_end_obj(&w);
			if (ok == 0)
				ok = lw_done(&w);
			if (ok == 0)
				ok = live_create(&s->client, &r, &resp, key, version_landed, &l, NULL, &found, err);
			live_req_release(&r);
			fy_http_response_release(&resp);
		}
		oai_extras_release(&x);
		if (ok < 0 || live_sink_put(&s->live, "agent", key, name, FY_JOURNAL_VERIFIED, err) < 0)
			goto out;
		s->live.created++;
	}
	/* Tools are part of their agents' definitions (the table says so). */
	rc = 0;
out:
	fy_jdoc_release(&d);
	return rc;
}

struct mem_lookup {
	struct oai_sink *s;
	const char *store, *scope, *content;
};

static int memory_landed(void *ctx, struct fy_buf *out, struct fy_error *err)
{
	struct mem_lookup *l = ctx;
	struct live_req r;
	struct fy_http_response resp;
	struct fy_jdoc d;
	struct lw w;
	uint32_t data, k, v;
	int rc = -1;

	live_req_init(&r);
	fy_http_response_init(&resp);
	fy_jdoc_init(&d);
	lw_init(&w, &r.body, err);
	if (live_req_set(&r, "POST", err, "/memory_stores/") < 0 || live_req_path_enc(&r, l->store, err) < 0 ||
	    fy_buf_adds(&r.path, "/items:list", err) < 0 || live_req_param(&r, "limit", "100", err) < 0)
		goto out;
	lw_obj(&w);
	lw_kstr(&w, "scope", l->scope);
	lw_end_obj(&w);
	r.extra[0] = MEMORY_HEADER;
	if (lw_done(&w) < 0 || live_get(&l->s->client, &r, &resp, l->store, err) < 0 ||
	    fy_jdoc_parse(&d, resp.body.ptr, resp.body.len, 0, err) < 0)
		goto out;
	rc = 0;
	data = fy_json_get(&d, 0, "data");
	FY_JSON_FOREACH(&d, data, k, v)
		if (fy_json_streq(&d, fy_json_get(&d, v, "content"), l->content)) {
			if (out)
				live_get_str(&d, v, "memory_id", out);
			rc = 1;
		}
out:
	live_req_release(&r);
	fy_http_response_release(&resp);
	fy_jdoc_release(&d);
	return rc;
}

/* Make sure the memory store exists (created from the archive's definition, or defaults). */
static int ensure_store(struct oai_sink *s, const char *name, const struct fy_jdoc *d, uint32_t store,
			struct fy_error *err)
{
	struct live_req r;
	struct fy_http_response resp;
	struct lw w;
	int rc = -1, found;

	live_req_init(&r);
	fy_http_response_init(&resp);
	if (live_req_set(&r, "GET", err, "/memory_stores/") < 0 || live_req_path_enc(&r, name, err) < 0)
		goto out;
	r.extra[0] = MEMORY_HEADER;
	if (live_prepare(&s->client, &r, err) < 0 || fy_http_do(s->client.http, &r.rq, &resp, err) < 0)
		goto out;
	if (resp.status != 404) {
		rc = fy_http_check(s->client.http, &resp, name, err);
		goto out;
	}
	if (live_req_set(&r, "POST", err, "/memory_stores") < 0)
		goto out;
	r.extra[0] = MEMORY_HEADER;
	lw_init(&w, &r.body, err);
	lw_obj(&w);
	lw_kstr(&w, "name", name);
	if (fy_json_type(d, fy_json_get(d, store, "definition")) == FY_JOBJECT) {
		lw_knode(&w, "definition", d, fy_json_get(d, store, "definition"));
	} else {
		const char *cm = fy_adapter_option(s->live.ctx, "chat-model");
		const char *em = fy_adapter_option(s->live.ctx, "embedding-model");

		lw_key(&w, "definition");
		lw_obj(&w);
		lw_kstr(&w, "kind", "default");
		lw_kstr(&w, "chat_model", cm ? cm : "gpt-4.1");
		lw_kstr(&w, "embedding_model", em ? em : "text-embedding-3-small");
		lw_end_obj(&w);
	}
	lw_end_obj(&w);
	if (lw_done(&w) < 0 || live_create(&s->client, &r, &resp, name, NULL, NULL, NULL, &found, err) < 0) {
		/* Created by a try whose answer was lost: 409 says it is there. */
		if (resp.status != 409)
			goto out;
		fy_error_clear(err);
	}
	rc = 0;
out:
	live_req_release(&r);
	fy_http_response_release(&resp);
	return rc;
}

static int sink_memory(struct oai_sink *s, struct fy_error *err)
{
	struct fy_jdoc d;
	size_t i;
	int rc = -1;
	char last_store[256] = "";

	fy_jdoc_init(&d);
	for (i = 0; i < s->nrecs[FY_KIND_MEMORY]; i++) {
		struct oai_rec *rec = &s->recs[FY_KIND_MEMORY][i];
		struct fy_buf scope = FY_BUF_INIT(4096), store = FY_BUF_INIT(4096), text = FY_BUF_INIT(1 << 24);
		uint32_t sc, ext;
		char key[512];
		const char *target, *kind = "user_profile", *opt = fy_adapter_option(s->live.ctx, "memory-store");
		enum fy_journal_state st;
		struct live_req r;
		struct fy_http_response resp;
		struct mem_lookup l;
		struct fy_buf id = FY_BUF_INIT(1024);
		struct lw w;
		int ok = 0, found = 0;

		live_req_init(&r);
		fy_http_response_init(&resp);
		if (fy_jdoc_parse(&d, rec->json, rec->len, 0, err) < 0) {
			ok = -1;
			goto mnext;
		}
		live_sink_key(&s->live, rec->id, key, sizeof(key));
		st = live_sink_state(&s->live, "memory", key, &target);
		if (st == FY_JOURNAL_VERIFIED || st == FY_JOURNAL_CREATED) {
			s->live.plan.skip[FY_KIND_MEMORY]++;
			goto mnext;
		}
		/* the create (a resumed one looked up first); the store once per store */
		s->live.plan.create[FY_KIND_MEMORY]++;
		s->live.plan.resume[FY_KIND_MEMORY] += st == FY_JOURNAL_PLANNED;
		s->live.plan.calls += 1 + (st == FY_JOURNAL_PLANNED);
		sc = fy_json_get(&d, 0, "scope");
		ext = fy_json_get(&d, fy_json_get(&d, 0, "ext"), "azure");
		if (live_get_str(&d, sc, "user", &scope) < 0) {
			struct fy_buf t = FY_BUF_INIT(256), a = FY_BUF_INIT(512);

			live_get_str(&d, sc, "type", &t);
			if (live_get_str(&d, sc, "agent", &a) < 0)
				live_get_str(&d, sc, "namespace", &a);
			fy_buf_addf(&scope, NULL, "ferry-%s%s%s", t.ptr ? t.ptr : "global", a.ptr ? "-" : "", a.ptr ? a.ptr : "");
			fy_buf_release(&t);
			fy_buf_release(&a);
		}
		/* a namespace names the store in letters, digits, '-' and '_' (the table's store-name lines) */
		if (opt)
			fy_buf_adds(&store, opt, NULL);
		else if (live_get_str(&d, sc, "namespace", &store) < 0 || !store.ptr || !*store.ptr)
			fy_buf_adds(&store, "ferry-import", NULL);
		else
			az_name_chars(store.ptr, "-_");
		live_get_str(&d, 0, "text", &text);
		{
			struct fy_buf t = FY_BUF_INIT(64);

			live_get_str(&d, 0, "type", &t);
			kind = t.ptr && (!strcmp(t.ptr, "summary") || !strcmp(t.ptr, "episode")) ? "chat_summary" : "user_profile";
			fy_buf_release(&t);
		}
		if (strcmp(last_store, store.ptr) != 0) {
			s->live.plan.calls += 1;	/* the store: looked up, created if absent */
			ok = s->dry ? 0 : ensure_store(s, store.ptr, &d, fy_json_get(&d, ext, "store"), err);
			snprintf(last_store, sizeof(last_store), "%s", store.ptr);
		}
		if (s->dry)
			goto mnext;
		l.s = s;
		l.store = store.ptr;
		l.scope = scope.ptr;
		l.content = text.ptr ? text.ptr : "";
		if (ok == 0 && st == FY_JOURNAL_PLANNED)
			found = memory_landed(&l, &id, err);
		if (ok == 0 && found < 0)
			ok = -1;
		if (ok == 0 && !found) {
			ok = live_sink_put(&s->live, "memory", key, NULL, FY_JOURNAL_PLANNED, err);
			if (ok == 0)
				ok = live_req_set(&r, "POST", err, "/memory_stores/");
			if (ok == 0)
				ok = live_req_path_enc(&r, store.ptr, err);
			if (ok == 0)
				ok = fy_buf_adds(&r.path, "/items", err);
			r.extra[0] = MEMORY_HEADER;
			lw_init(&w, &r.body, err);
			lw_obj(&w);
			lw_kstr(&w, "scope", scope.ptr);
			lw_kstr(&w, "content", text.ptr ? text.ptr : "");
			lw_kstr(&w, "kind", kind);
			lw_end_obj(&w);
			if (ok == 0)
				ok = lw_done(&w);
			if (ok == 0)
				ok = live_create(&s->client, &r, &resp, key, memory_landed, &l, &id, &found, err);
			if (ok == 0 && !found) {
				struct fy_jdoc a;

				fy_jdoc_init(&a);
				if (fy_jdoc_parse(&a, resp.body.ptr, resp.body.len, 0, err) < 0 ||
				    live_get_str(&a, 0, "memory_id", &id) < 0)
					ok = fy_error_set(err, FY_E_DATA, "%s: the answer has no memory_id", key);
				fy_jdoc_release(&a);
			}
		}
		if (ok == 0)
			ok = live_sink_put(&s->live, "memory", key, id.ptr, FY_JOURNAL_CREATED, err);
		if (ok == 0)
			s->live.created++;
mnext:
		live_req_release(&r);
		fy_http_response_release(&resp);
		fy_buf_release(&scope);
		fy_buf_release(&store);
		fy_buf_release(&text);
		fy_buf_release(&id);
		if (ok < 0)
			goto out;
	}
	rc = 0;
out:
	fy_jdoc_release(&d);
	return rc;
}

/*
 * What the import makes of each kind and field (adapter.h). Threads and
 * messages go the way they go into OpenAI (conversations.c), with the
 * items 20 a call; a message exported from Azure carries its item
 * (ext.azure.item) and goes back as it was.
 */
static const struct fy_capability azure_caps[] = {
	{ FY_KIND_AGENT, NULL, FY_CAP_NATIVE, FY_CAP_TRANSFORMED,
	  "a versioned prompt agent: an exported Azure agent's versions are recreated in order, any other "
	  "agent is one version (model, instructions, function/code interpreter/web search tools)",
	  "prompt-agent" },
	{ FY_KIND_AGENT, "!model.name&!ext.azure.versions", FY_CAP_NONE, FY_CAP_TRANSFORMED,
	  "the agent names no model: the deployment of --option model= (default gpt-4.1) is used",
	  "default-model" },
	{ FY_KIND_AGENT, "id", FY_CAP_NATIVE, FY_CAP_TRANSFORMED,
	  "an agent is named by its id, any character Azure does not take (letters, digits, '-'; 63 at "
	  "most) as '-'", "agent-name" },
	{ FY_KIND_AGENT, "created", FY_CAP_NATIVE, FY_CAP_TRANSFORMED,
	  "the original time is metadata.ferry_created", "time-in-metadata" },
	{ FY_KIND_AGENT, "knowledge", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "knowledge sets are not imported into Azure: set up a vector store or search index and add "
	  "its tool", "knowledge-needs-setup" },
	{ FY_KIND_AGENT, "memory", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "agents are not linked to memory stores by the import", "agent-memory-link" },
	{ FY_KIND_AGENT, "handoffs", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "prompt agents have no handoffs", "no-handoffs" },
	{ FY_KIND_AGENT, "response_format", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "the definition built for another provider's agent has no response format", "no-response-format" },
	{ FY_KIND_TOOL, NULL, FY_CAP_NATIVE, FY_CAP_EMULATED,
	  "Azure has no tool object: the tool is part of its agents' definitions", "agent-tools" },
	{ FY_KIND_TOOL, "type=file_search", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "needs a vector store at the target: set it up and add the tool", "tool-needs-setup" },
	{ FY_KIND_TOOL, "type=mcp", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "needs a project connection at the target: set it up and add the tool", "tool-needs-setup" },
	{ FY_KIND_TOOL, "type=openapi", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "needs a project connection at the target: set it up and add the tool", "tool-needs-setup" },
	{ FY_KIND_TOOL, "type=computer_use", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "needs an environment at the target", "tool-needs-setup" },
	{ FY_KIND_TOOL, "type=builtin", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "a provider's built-in tool without an Azure counterpart", "tool-needs-setup" },
	{ FY_KIND_THREAD, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "a conversation created with its metadata (ferry_src, ferry_id), then its items, 20 a call, in "
	  "order; read: conversations (listed), responses by id, classic threads", NULL },
	OAI_THREAD_CAPS,
	{ FY_KIND_THREAD, "ext.azure.response", FY_CAP_NATIVE, FY_CAP_TRANSFORMED,
	  "a stored response cannot be recreated without running a model: its input and output items "
	  "became a conversation", "response-as-conversation" },
	{ FY_KIND_THREAD, "ext.azure.thread", FY_CAP_NATIVE, FY_CAP_TRANSFORMED,
	  "a classic (Assistants-compatible) thread became a conversation", "assistants-thread" },
	{ FY_KIND_MESSAGE, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "conversation items of every type; an item exported from Azure (ext.azure.item) goes back as "
	  "it was, ids being the target's", NULL },
#define AZ_BUILT(field, what)                                                                      \
	{ FY_KIND_MESSAGE, field, FY_CAP_NATIVE, FY_CAP_TRANSFORMED,                               \
	  what " is built from its parts: text as message content, tool calls and results as "    \
	  "function_call and function_call_output items, reasoning text as a reasoning summary, "  \
	  "URL citations as annotations; code, code output, citation parts and other content as "  \
	  "text", "built-from-parts" }
	AZ_BUILT("source.adapter!=azure", "a message from another provider"),
	AZ_BUILT("ext.azure.message", "a classic thread's message"),
	AZ_BUILT("ext.azure.step", "a classic run step"),
#undef AZ_BUILT
	{ FY_KIND_MESSAGE, "parts.type=image", FY_CAP_NATIVE, FY_CAP_DEGRADED,
	  "the import uploads no files to Azure: an image keeps its URL, else it is left out (a note in "
	  "the text for a message built from its parts)", "no-file-upload" },
	{ FY_KIND_MESSAGE, "parts.type=file", FY_CAP_NATIVE, FY_CAP_DEGRADED,
	  "the import uploads no files to Azure: a file keeps its URL, else it is left out (a note in "
	  "the text for a message built from its parts)", "no-file-upload" },
	{ FY_KIND_MESSAGE, "parts.tool_type=file_search", FY_CAP_NATIVE, FY_CAP_DEGRADED,
	  "a file search call's results name files of the source project: they are left out (the import "
	  "uploads no files to Azure)", "no-file-upload" },
	{ FY_KIND_MESSAGE, "parts.type=audio", FY_CAP_NONE, FY_CAP_EMULATED,
	  "audio is its transcript in the message text", "audio-as-transcript" },
	{ FY_KIND_MESSAGE, "parts.format=encrypted", FY_CAP_NATIVE, FY_CAP_DEGRADED,
	  "encrypted reasoning is readable only by the project that made it: elsewhere the reasoning item "
	  "keeps its summary (none left: no item)", "encrypted-reasoning" },
	OAI_CITATION_CAPS("azure", "!url"),
	OAI_ITEM_CAPS,
	{ FY_KIND_MEMORY, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "a memory store item (preview) under its user scope; the store is the record's namespace, "
	  "--option memory-store=, or ferry-import", NULL },
	{ FY_KIND_MEMORY, "type=block", FY_CAP_NONE, FY_CAP_TRANSFORMED,
	  "memory items are user_profile or chat_summary: a block is user_profile", "memory-kind" },
	{ FY_KIND_MEMORY, "type=fact", FY_CAP_NONE, FY_CAP_TRANSFORMED,
	  "memory items are user_profile or chat_summary: a fact is user_profile", "memory-kind" },
	{ FY_KIND_MEMORY, "type=preference", FY_CAP_NONE, FY_CAP_TRANSFORMED,
	  "memory items are user_profile or chat_summary: a preference is user_profile", "memory-kind" },
	{ FY_KIND_MEMORY, "type=passage", FY_CAP_NONE, FY_CAP_TRANSFORMED,
	  "memory items are user_profile or chat_summary: a passage is user_profile", "memory-kind" },
	{ FY_KIND_MEMORY, "type=episode", FY_CAP_NONE, FY_CAP_TRANSFORMED,
	  "memory items are user_profile or chat_summary: an episode is chat_summary", "memory-kind" },
	{ FY_KIND_MEMORY, "scope.type=agent", FY_CAP_NONE, FY_CAP_TRANSFORMED,
	  "memory scopes are user ids: an agent's memory is scope ferry-agent-AGENT", "memory-scope" },
	{ FY_KIND_MEMORY, "scope.type=namespace", FY_CAP_NONE, FY_CAP_TRANSFORMED,
	  "memory scopes are user ids: a namespace is scope ferry-namespace-NAME", "memory-scope" },
	{ FY_KIND_MEMORY, "scope.type=global", FY_CAP_NONE, FY_CAP_TRANSFORMED,
	  "memory scopes are user ids: global memory is scope ferry-global", "memory-scope" },
	{ FY_KIND_MEMORY, "scope.namespace~*[!A-Za-z0-9_-]*", FY_CAP_NONE, FY_CAP_TRANSFORMED,
	  "a namespace names the memory store (unless --option memory-store=NAME): any character other "
	  "than letters, digits, '-' and '_' becomes '-'", "store-name" },
	{ FY_KIND_MEMORY, "scope.namespace=", FY_CAP_NONE, FY_CAP_TRANSFORMED,
	  "an empty namespace names the memory store ferry-import (unless --option memory-store=NAME)",
	  "store-name" },
	{ FY_KIND_MEMORY, "embedding", FY_CAP_NONE, FY_CAP_DEGRADED,
	  "the memory store embeds with its own model: the given vector is not kept", "re-embed" },
	{ FY_KIND_MEMORY, "label", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "memory items have no label",
	  "memory-item-has-no-label" },
	{ FY_KIND_MEMORY, "description", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "memory items have no description",
	  "memory-item-has-no-description" },
	{ FY_KIND_MEMORY, "limit", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "memory items have no size limit",
	  "memory-item-has-no-limit" },
	{ FY_KIND_MEMORY, "read_only", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "memory items have no read-only flag",
	  "memory-item-has-no-flag" },
	{ FY_KIND_MEMORY, "strategy", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "the store's own extraction decides", "memory-item-has-no-strategy" },
	{ FY_KIND_MEMORY, "created", FY_CAP_NATIVE, FY_CAP_UNSUPPORTED,
	  "a memory item's time is the import's", "memory-item-has-import-time" },
	{ FY_KIND_MEMORY, "updated", FY_CAP_NATIVE, FY_CAP_UNSUPPORTED,
	  "a memory item's time is the import's", "memory-item-has-import-time" },
	{ FY_KIND_MEMORY, "metadata", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "memory items have no metadata",
	  "memory-item-has-no-metadata" },
	{ FY_KIND_FILE, NULL, FY_CAP_NONE, FY_CAP_NONE, "not read or written by this adapter", NULL },
	{ FY_KIND_KNOWLEDGE, NULL, FY_CAP_NONE, FY_CAP_NONE, "not read or written by this adapter", NULL },
	{ FY_KIND_WORKFLOW, NULL, FY_CAP_NONE, FY_CAP_NONE, "no workflow objects", NULL },
};

/*
 * Foundry's documented limits: conversation items 20 a call, metadata 16
 * keys of 64 / 512 characters; rates are per deployment and learnt from
 * x-ratelimit-*.
 */
static const struct fy_adapter_limits azure_limits = {
	.flags = FY_LIMIT_STORES_PROVENANCE,
	.max_items_per_call = 20,
	.model_platform = "azure",
	.note = "agents, conversations and memory items are created, never overwritten (an agent name in "
		"use by something else stops the import, exit 13)",
};

/* An agent's versions 1 each (+1 listing), a memory item 1, a conversation 2 (create, count). */
static const struct live_costs azure_costs = { 0, 0, 0, 2, 1, 2 };

static int azure_estimate(const struct fy_adapter_ctx *ctx, const struct fy_estimate_input *in,
			  struct fy_estimate *out, struct fy_error *err)
{
	const char *endpoint = ctx->location && *ctx->location ? ctx->location : getenv("AZURE_AI_PROJECT_ENDPOINT");
	struct fy_buf id = FY_BUF_INIT(1 << 16);
	char account[80] = "";
	int rc;

	if (endpoint && *endpoint && fy_buf_addf(&id, NULL, "azure\n%s", endpoint) == 0)
		live_account(id.ptr, account);
	rc = live_estimate(ctx, "azure", account, &azure_costs, in, out, err);
	fy_buf_release(&id);
	return rc;
}

/*
 * What an agent's contents decide, beyond the table: metadata that does
 * not fit (an agent without a model is a table line). Called once per record.
 */
static int azure_check(struct oai_sink *s, enum fy_kind k, const struct fy_jdoc *d, const char *id,
		       struct fy_error *err)
{
	struct oai_extras x;
	const char *extra[12];
	char key[512];
	int rc;

	if (k != FY_KIND_AGENT)
		return 0;
	oai_record_extras(d, id, &x, extra);
	live_sink_key(&s->live, id, key, sizeof(key));
	rc = oai_sink_metadata(s, NULL, d, fy_json_get(d, 0, "metadata"), "agent", id, key, extra, 1, err);
	oai_extras_release(&x);
	return rc;
}

static const struct oai_sink_ops azure_ops = {
	.check = azure_check,
	.agents = sink_agents,
	.memory = sink_memory,
	.find_conversation = az_find_conversation,
};

static int azure_write_open(const struct fy_adapter_ctx *ctx, const struct fy_header *hdr, void **state,
			    struct fy_error *err)
{
	static const struct oai_sink_spec spec = {
		.adapter = "azure", .prefix = "/openai", .client = azure_client,
		.caps = azure_caps, .ncaps = sizeof(azure_caps) / sizeof(azure_caps[0]), .ops = &azure_ops,
	};

	return oai_sink_create(ctx, hdr, &spec, state, err);
}

const struct fy_adapter fy_adapter_azure = {
	.name = "azure",
	.summary = "Azure AI Foundry project: versioned agents, conversations, responses, memory stores, classic threads",
	.locations = "azure: (AZURE_AI_PROJECT_ENDPOINT; an Entra ID token, service principal or api-key "
		     "from the environment), azure:ENDPOINT",
	.flags = FY_ADAPTER_READ | FY_ADAPTER_WRITE,
	.caps = azure_caps,
	.ncaps = sizeof(azure_caps) / sizeof(azure_caps[0]),
	.limits = &azure_limits,
	.read_open = azure_read_open,
	.read_next = azure_read_next,
	.read_close = azure_read_close,
	.write_open = azure_write_open,
	.write_put = oai_sink_write_put,
	.write_finish = oai_sink_write_finish,
	.write_close = oai_sink_free,
	.write_plan = oai_sink_write_plan,
	.estimate = azure_estimate,
};
