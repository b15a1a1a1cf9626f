/*
 * n8n_map.c - n8n workflow JSON <-> the neutral workflow graph. See n8n_map.h.
 *
 * Reading keeps everything: a node's parameters become its config
 * verbatim, every other node key (typeVersion, webhookId, retryOnFail, ...)
 * goes to ext.n8n, and the neutral fields (type, model, instructions,
 * prompt, credentials) are derived views that other providers' writers
 * use. Connections become edges: "main" is control flow, and the ai_*
 * connection types (ai_languageModel, ai_memory, ai_tool, ...) keep their
 * names as attachment kinds. A credential {id, name} becomes a
 * {"$secret": N8N_CRED_<type>_<name>} reference: the id means nothing at
 * another instance, and n8n itself rebinds a reference by type and name
 * when the id is unknown (replaceInvalidCredentials in
 * packages/cli/src/workflow-helpers.ts).
 */
#include "n8n_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

#define N8N_MAX_NODES 20000

/* --- shared vocabulary --------------------------------------------------- */

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static int has_suffix(const char *s, const char *x)
{
	size_t n = strlen(s), m = strlen(x);

	return n >= m && strcmp(s + n - m, x) == 0;
}

/* After the package: "@n8n/n8n-nodes-langchain.lmChatOpenAi" -> "lmChatOpenAi". */
static const char *base_name(const char *t)
{
	const char *dot = strrchr(t, '.');

	return dot ? dot + 1 : t;
}

static int is_n8n_type(const char *t)
{
	return t && strchr(t, '.') &&
	       (has_prefix(t, "n8n-nodes-") || has_prefix(t, "@n8n/") || strstr(t, "n8n-nodes-"));
}

const char *n8n_node_kind(const char *type, const struct fy_jdoc *d, uint32_t params)
{
	static const char *const llm[] = { "chainLlm", "chainSummarization", "chainRetrievalQa",
		"sentimentAnalysis", "textClassifier", "informationExtractor", "openAi", NULL };
	static const char *const agent[] = { "agent", "agentTool", "openAiAssistant", NULL };
	static const char *const cond[] = { "if", "switch", "filter", NULL };
	static const char *const transform[] = { "set", "renameKeys", "itemLists", "splitOut",
		"aggregate", "sort", "limit", "removeDuplicates", "summarize", "dateTime", "crypto",
		"html", "markdown", "xml", "compareDatasets", "convertToFile", "extractFromFile",
		"moveBinaryData", "spreadsheetFile", "documentDefaultDataLoader",
		"documentBinaryInputLoader", "documentJsonInputLoader", NULL };
	static const char *const code[] = { "code", "function", "functionItem", NULL };
	const char *b;

	if (!type)
		return "other";
	b = base_name(type);
	if (strcmp(b, "start") == 0 && has_prefix(type, "n8n-nodes-base."))
		return "start";
	if (has_suffix(b, "Trigger") || strcmp(b, "webhook") == 0)
		return "trigger";
	if (wf_in_list(b, agent))
		return "agent";
	if ((has_prefix(b, "lmChat") || has_prefix(b, "embeddings") ||
	     (has_prefix(b, "lm") && b[2] >= 'A' && b[2] <= 'Z')))
		return "model";
	if (wf_in_list(b, llm))
		return "llm";
	if (has_prefix(b, "memory"))
		return "memory";
	if (has_prefix(b, "vectorStore") || has_prefix(b, "retriever"))
		return "retriever";
	if ((has_prefix(b, "tool") && b[4] >= 'A' && b[4] <= 'Z') || has_suffix(b, "Tool") ||
	    strcmp(b, "httpRequest") == 0)
		return "tool";
	if (wf_in_list(b, cond))
		return "condition";
	if (strcmp(b, "splitInBatches") == 0)
		return "loop";
	if (strcmp(b, "merge") == 0)
		return "merge";
	if (strcmp(b, "executeWorkflow") == 0)
		return "subworkflow";
	if (strcmp(b, "respondToWebhook") == 0 || (strcmp(b, "chat") == 0 && has_prefix(type, "@n8n/")))
		return "message";
	if (has_prefix(b, "textSplitter") || has_prefix(b, "outputParser") || wf_in_list(b, transform))
		return "transform";
	if (wf_in_list(b, code))
		return "code";
	if (d && fy_json_streq(d, fy_json_get(d, params, "operation"), "sendAndWait"))
		return "approval";
	return "other";
}

/* The model's provider, from the node type: lmChatOpenAi -> openai. */
static void model_provider(const char *type, char *out, size_t cap)
{
	static const struct { const char *b, *p; } map[] = {
		{ "lmChatOpenAi", "openai" }, { "lmOpenAi", "openai" },
		{ "embeddingsOpenAi", "openai" }, { "lmChatAzureOpenAi", "azure-openai" },
		{ "lmChatAnthropic", "anthropic" }, { "lmChatOllama", "ollama" },
		{ "lmOllama", "ollama" }, { "embeddingsOllama", "ollama" },
		{ "lmChatGoogleGemini", "google" }, { "lmChatGoogleVertex", "vertex" },
		{ "lmChatMistralCloud", "mistral" }, { "lmChatGroq", "groq" },
		{ "lmChatAwsBedrock", "bedrock" }, { "lmChatDeepSeek", "deepseek" },
		{ "lmChatOpenRouter", "openrouter" }, { "lmChatXAiGrok", "xai" },
	};
	const char *b = base_name(type);
	size_t i, k = 0;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(b, map[i].b) == 0) {
			snprintf(out, cap, "%s", map[i].p);
			return;
		}
	/* lmChatFoo / embeddingsFoo / lmFoo -> foo */
	b += has_prefix(b, "lmChat") ? 6 : has_prefix(b, "embeddings") ? 10 : has_prefix(b, "lm") ? 2 : 0;
	for (; *b && k + 1 < cap; b++)
		out[k++] = (*b >= 'A' && *b <= 'Z') ? (char)(*b - 'A' + 'a') : *b;
	out[k] = '\0';
}

void n8n_secret_name(const char *type, const char *name, char *out)
{
	const char *parts[2];

	parts[0] = type;
	parts[1] = name;
	wf_env_name("N8N_CRED_", parts, 2, out, FY_ID_MAX);
}

/* --- n8n -> neutral ------------------------------------------------------ */

struct nname {
	char *name;	/* n8n node name (connections use it) */
	char *id;	/* neutral node id */
};

struct rd {
	const struct fy_jdoc *d;
	struct nname *nodes;
	size_t n;
	struct wf_notes *notes;
	struct fy_error *err;
};

static void rd_release(struct rd *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->nodes[i].name);
		free(r->nodes[i].id);
	}
	free(r->nodes);
}

static const char *rd_id(const struct rd *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->nodes[i].name && strcmp(r->nodes[i].name, name) == 0)
			return r->nodes[i].id;
	return NULL;
}

static int is_empty(const struct fy_jdoc *d, uint32_t v)
{
	enum fy_jtype t = fy_json_type(d, v);

	return t == FY_JABSENT || t == FY_JNULL ||
	       ((t == FY_JOBJECT || t == FY_JARRAY) && fy_json_len(d, v) == 0);
}

/* A string member, or an n8n resource locator {"__rl": true, "value": "..."}. */
static char *str_or_rl(const struct fy_jdoc *d, uint32_t v)
{
	if (fy_json_type(d, v) == FY_JSTRING)
		return fy_json_strdup(d, v, NULL);
	if (fy_json_type(d, v) == FY_JOBJECT && fy_json_type(d, fy_json_get(d, v, "value")) == FY_JSTRING)
		return fy_json_get_strdup(d, v, "value");
	return NULL;
}

/*
 * key: v when it is an RFC 3339 UTC time; nothing when absent. -1 (and
 * nothing) for anything else: an execution's times are left out then, as
 * its other members are when they are not what n8n writes.
 */
static int write_time(struct fy_jw *w, const char *key, const struct fy_jdoc *d, uint32_t v)
{
	size_t len;
	const char *s;
	int64_t sec;
	int32_t ns;

	if (fy_json_type(d, v) != FY_JSTRING || fy_json_has_escapes(d, v))
		return 0;
	s = fy_json_raw(d, v, &len);
	if (fy_time_parse(s, len, &sec, &ns) < 0)
		return -1;
	fy_jw_key(w, key);
	fy_jw_node(w, d, v);
	return 0;
}

static int map_credentials(struct rd *r, struct fy_jw *w, uint32_t creds, const char *node_id,
			   const char *node_name)
{
	const struct fy_jdoc *d = r->d;
	uint32_t k, key, val;

	if (fy_json_type(d, creds) != FY_JOBJECT || !fy_json_len(d, creds))
		return 0;
	fy_jw_key(w, "credentials");
	fy_jw_arr(w);
	FY_JSON_FOREACH_MEMBER(d, creds, k, key, val) {
		char *type = fy_json_strdup(d, key, NULL);
		char *name = NULL, *cid = NULL;
		char secret[FY_ID_MAX + 1], field[512];
		int rc;

		if (fy_json_type(d, val) == FY_JSTRING) {
			name = fy_json_strdup(d, val, NULL);	/* the old name-only form */
		} else {
			name = fy_json_get_strdup(d, val, "name");
			cid = fy_json_get_strdup(d, val, "id");
		}
		if (!type) {
			free(name);
			free(cid);
			return fy_error_set(r->err, FY_E_NOMEM, "out of memory");
		}
		n8n_secret_name(type, name ? name : cid ? cid : "", secret);
		fy_jw_obj(w);
		fy_jw_kstr(w, "type", type);
		fy_jw_kstr_opt(w, "name", name);
		fy_jw_key(w, "secret");
		fy_jw_obj(w);
		fy_jw_kstr(w, "$secret", secret);
		fy_jw_end(w);
		fy_jw_end(w);
		snprintf(field, sizeof(field), "nodes[%s].credentials.%s", node_id, type);
		rc = wf_note(r->notes, field, "held_back", "credential-reference", r->err,
			     "node '%s' uses n8n credential '%s' (type %s%s%s); credentials never leave "
			     "n8n: bind %s at import to a credential id at the target, or create a "
			     "credential of that type and name there",
			     node_name, name ? name : "", type, cid ? ", id " : "", cid ? cid : "",
			     secret);
		free(type);
		free(name);
		free(cid);
		if (rc < 0)
			return -1;
	}
	fy_jw_end(w);
	return 0;
}

/* ext.n8n of a node: every key the neutral node has no field for, verbatim. */
static void node_ext(const struct fy_jdoc *d, uint32_t node, struct fy_jw *w)
{
	static const char *const mapped[] = { "id", "name", "type", "parameters", "position",
		"disabled", "credentials", "notes", NULL };

	wf_copy_members(d, node, mapped, w, "n8n");
}

static int map_node(struct rd *r, struct fy_jw *w, uint32_t node, size_t idx)
{
	const struct fy_jdoc *d = r->d;
	uint32_t params = fy_json_get(d, node, "parameters");
	uint32_t pos = fy_json_get(d, node, "position");
	uint32_t dis = fy_json_get(d, node, "disabled");
	char *type = fy_json_get_strdup(d, node, "type");
	const char *kind = n8n_node_kind(type, d, params);
	const char *id = r->nodes[idx].id, *name = r->nodes[idx].name;
	char *notes = fy_json_get_strdup(d, node, "notes");
	char *s;
	int rc = 0;

	fy_jw_obj(w);
	fy_jw_kstr(w, "id", id);
	fy_jw_kstr(w, "type", kind);
	fy_jw_kstr_opt(w, "provider_type", type);
	fy_jw_kstr_opt(w, "name", name);
	if (notes && *notes)
		fy_jw_kstr(w, "description", notes);
	fy_jw_key(w, "config");
	if (fy_json_type(d, params) == FY_JOBJECT)
		fy_jw_node(w, d, params);
	else
		fy_jw_raw(w, "{}", 2);
	fy_jw_kstr(w, "dialect", "n8n");
	if (strcmp(kind, "model") == 0 && (s = str_or_rl(d, fy_json_get(d, params, "model")))) {
		char prov[64];
		uint32_t opts = fy_json_get(d, params, "options");

		model_provider(type, prov, sizeof(prov));
		if (*s) {
			fy_jw_key(w, "model");
			fy_jw_obj(w);
			fy_jw_kstr(w, "provider", prov);
			fy_jw_kstr(w, "name", s);
			if (fy_json_type(d, opts) == FY_JOBJECT && fy_json_len(d, opts))
				fy_jw_knode(w, "parameters", d, opts);
			fy_jw_end(w);
		}
		free(s);
	}
	if (strcmp(kind, "agent") == 0) {
		uint32_t sys = fy_json_get(d, fy_json_get(d, params, "options"), "systemMessage");

		if (fy_json_type(d, sys) != FY_JSTRING)
			sys = fy_json_get(d, params, "systemMessage");
		if (fy_json_type(d, sys) == FY_JSTRING)
			fy_jw_knode(w, "instructions", d, sys);
	}
	if ((strcmp(kind, "agent") == 0 || strcmp(kind, "llm") == 0) &&
	    fy_json_type(d, fy_json_get(d, params, "text")) == FY_JSTRING)
		fy_jw_knode(w, "prompt", d, fy_json_get(d, params, "text"));
	if (map_credentials(r, w, fy_json_get(d, node, "credentials"), id, name ? name : id) < 0)
		rc = -1;
	if (fy_json_type(d, pos) == FY_JARRAY)
		fy_jw_knode(w, "position", d, pos);
	if (fy_json_type(d, dis) == FY_JTRUE || fy_json_type(d, dis) == FY_JFALSE)
		fy_jw_knode(w, "disabled", d, dis);
	node_ext(d, node, w);
	fy_jw_end(w);
	if (rc == 0 && strcmp(kind, "other") == 0) {
		char field[512];

		snprintf(field, sizeof(field), "nodes[%s]", id);
		rc = wf_note(r->notes, field, "preserved", "provider-only-node", r->err,
			     "n8n node '%s' of type %s has no neutral type: kept verbatim as type "
			     "'other' with its parameters in config; a target without this node "
			     "type cannot run it", name ? name : id, type ? type : "(none)");
	}
	free(type);
	free(notes);
	return rc;
}

/* Name -> id for every node; ids are the n8n node ids (names when absent). */
static int collect_nodes(struct rd *r, uint32_t nodes)
{
	const struct fy_jdoc *d = r->d;
	uint32_t k, el;
	size_t i;

	if (fy_json_len(d, nodes) > N8N_MAX_NODES)
		return fy_error_set(r->err, FY_E_UNSAFE, "more than %d nodes", N8N_MAX_NODES);
	r->nodes = calloc(fy_json_len(d, nodes) + 1, sizeof(*r->nodes));
	if (!r->nodes)
		return fy_error_set(r->err, FY_E_NOMEM, "out of memory");
	FY_JSON_FOREACH(d, nodes, k, el) {
		struct nname *nn = &r->nodes[r->n++];

		if (fy_json_type(d, el) != FY_JOBJECT)
			return fy_error_set(r->err, FY_E_DATA, "nodes[%u] is not an object", k);
		nn->name = fy_json_get_strdup(d, el, "name");
		nn->id = fy_json_get_strdup(d, el, "id");
		if (!nn->id || !*nn->id) {
			free(nn->id);
			nn->id = nn->name ? strdup(nn->name) : NULL;
		}
		if (!nn->id || !*nn->id)
			return fy_error_set(r->err, FY_E_DATA, "nodes[%u] has neither an id nor a name", k);
		for (i = 0; i + 1 < r->n; i++)
			if (strcmp(r->nodes[i].id, nn->id) == 0)
				return fy_error_set(r->err, FY_E_DATA, "two nodes have the id '%s'", nn->id);
	}
	return 0;
}

static int map_edges(struct rd *r, struct fy_jw *w, uint32_t conns)
{
	const struct fy_jdoc *d = r->d;
	uint32_t k, key, val;
	int rc = 0;

	fy_jw_key(w, "edges");
	fy_jw_arr(w);
	if (fy_json_type(d, conns) != FY_JOBJECT) {
		fy_jw_end(w);
		return 0;
	}
	FY_JSON_FOREACH_MEMBER(d, conns, k, key, val) {
		char *src = fy_json_strdup(d, key, NULL);
		const char *from = src ? rd_id(r, src) : NULL;
		uint32_t k2, tkey, outs;

		if (fy_json_type(d, val) != FY_JOBJECT) {
			free(src);
			continue;
		}
		FY_JSON_FOREACH_MEMBER(d, val, k2, tkey, outs) {
			char *ctype = fy_json_strdup(d, tkey, NULL);
			uint32_t oi, out;

			if (!ctype || fy_json_type(d, outs) != FY_JARRAY) {
				free(ctype);
				continue;
			}
			FY_JSON_FOREACH(d, outs, oi, out) {
				uint32_t ti, t;

				if (fy_json_type(d, out) != FY_JARRAY)
					continue;
				FY_JSON_FOREACH(d, out, ti, t) {
					char *dst = fy_json_get_strdup(d, t, "node");
					char *ttype = fy_json_get_strdup(d, t, "type");
					const char *to = dst ? rd_id(r, dst) : NULL;
					int64_t idx = 0;
					char port[32];

					fy_json_int(d, fy_json_get(d, t, "index"), &idx);
					if (!from || !to) {
						char field[512];

						snprintf(field, sizeof(field), "connections.%s", src ? src : "");
						rc = wf_note(r->notes, field, "dropped", "dangling-connection",
							     r->err, "connection %s -> %s (%s) names a node "
							     "the workflow does not have", src ? src : "?",
							     dst ? dst : "?", ctype);
					} else {
						fy_jw_obj(w);
						fy_jw_kstr(w, "from", from);
						fy_jw_kstr(w, "to", to);
						snprintf(port, sizeof(port), "%u", oi);
						fy_jw_kstr(w, "from_port", port);
						snprintf(port, sizeof(port), "%lld", (long long)idx);
						fy_jw_kstr(w, "to_port", port);
						fy_jw_kstr(w, "kind", strcmp(ctype, "main") == 0 ? "control" : ctype);
						if (ttype && strcmp(ttype, ctype) != 0) {
							fy_jw_key(w, "ext");
							fy_jw_obj(w);
							fy_jw_key(w, "n8n");
							fy_jw_obj(w);
							fy_jw_kstr(w, "type", ttype);
							fy_jw_end(w);
							fy_jw_end(w);
						}
						fy_jw_end(w);
					}
					free(dst);
					free(ttype);
					if (rc < 0)
						break;
				}
				if (rc < 0)
					break;
			}
			free(ctype);
			if (rc < 0)
				break;
		}
		free(src);
		if (rc < 0)
			break;
	}
	fy_jw_end(w);
	return rc;
}

static void map_tags(const struct fy_jdoc *d, uint32_t tags, struct fy_jw *w)
{
	uint32_t k, el;
	int any = 0;

	FY_JSON_FOREACH(d, tags, k, el) {
		uint32_t name = fy_json_type(d, el) == FY_JSTRING ? el : fy_json_get(d, el, "name");

		if (fy_json_type(d, name) != FY_JSTRING)
			continue;
		if (!any) {
			fy_jw_key(w, "tags");
			fy_jw_arr(w);
			any = 1;
		}
		fy_jw_node(w, d, name);
	}
	if (any)
		fy_jw_end(w);
}

int n8n_to_record(const struct fy_jdoc *d, uint32_t wf, const struct n8n_read *o,
		  struct fy_buf *rec, char *id_out, struct wf_notes *notes, struct fy_error *err)
{
	static const char *const ext_keys[] = { "settings", "staticData", "pinData", "meta",
		"nodeGroups", NULL };
	uint32_t nodes = fy_json_get(d, wf, "nodes"), v, k, el;
	char *pid = fy_json_get_strdup(d, wf, "id");
	char *name = fy_json_get_strdup(d, wf, "name");
	char *desc = fy_json_get_strdup(d, wf, "description");
	static const char *const no_ferry[] = { "ferry_id", "ferry_description", NULL };
	const char *const *ek;
	struct fy_jw w;
	struct rd r;
	const char *raw;
	size_t len;
	int rc = -1, any;

	memset(&r, 0, sizeof(r));
	r.d = d;
	r.notes = notes;
	r.err = err;
	if (fy_json_type(d, wf) != FY_JOBJECT) {
		fy_error_set(err, FY_E_DATA, "a workflow is not a JSON object");
		goto out;
	}
	if (fy_json_type(d, nodes) != FY_JARRAY) {
		fy_error_set(err, FY_E_DATA, "workflow %s has no \"nodes\" array (not an n8n workflow?)",
			     pid ? pid : name ? name : "");
		goto out;
	}
	v = fy_json_get(d, fy_json_get(d, wf, "staticData"), "ferry_id");
	raw = fy_json_raw(d, v, &len);
	if (fy_json_type(d, v) == FY_JSTRING && !fy_json_has_escapes(d, v) && fy_id_valid(raw, len)) {
		memcpy(id_out, raw, len);
		id_out[len] = '\0';
	} else if (pid && *pid)
		fy_id_make(pid, strlen(pid), id_out);
	else if (o->fallback_id)
		fy_id_make(o->fallback_id, strlen(o->fallback_id), id_out);
	else {
		fy_error_set(err, FY_E_DATA, "workflow '%s' has no id", name ? name : "");
		goto out;
	}
	notes->kind = "workflow";
	notes->id = id_out;
	if (collect_nodes(&r, nodes) < 0)
		goto out;
	if (!desc || !*desc) {
		/* an import through the API keeps it here (n8n_from_record) */
		free(desc);
		desc = fy_json_get_strdup(d, fy_json_get(d, wf, "staticData"), "ferry_description");
	}

	fy_buf_reset(rec);
	fy_jw_init(&w, rec);
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "kind", "workflow");
	fy_jw_kstr(&w, "id", id_out);
	fy_jw_kstr(&w, "name", name ? name : "");
	if (desc && *desc)
		fy_jw_kstr(&w, "description", desc);
	v = fy_json_get(d, wf, "active");
	if (fy_json_type(d, v) == FY_JTRUE || fy_json_type(d, v) == FY_JFALSE)
		fy_jw_knode(&w, "active", d, v);
	fy_jw_key(&w, "nodes");
	fy_jw_arr(&w);
	FY_JSON_FOREACH(d, nodes, k, el)
		if (map_node(&r, &w, el, k) < 0)
			goto out;
	fy_jw_end(&w);
	if (map_edges(&r, &w, fy_json_get(d, wf, "connections")) < 0)
		goto out;
	map_tags(d, fy_json_get(d, wf, "tags"), &w);
	if (write_time(&w, "created", d, fy_json_get(d, wf, "createdAt")) < 0 ||
	    write_time(&w, "updated", d, fy_json_get(d, wf, "updatedAt")) < 0) {
		fy_error_set(err, FY_E_DATA, "workflow %s: createdAt/updatedAt is not an RFC 3339 UTC time",
			     id_out);
		goto out;
	}
	fy_jw_key(&w, "source");
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "adapter", "n8n");
	fy_jw_kstr_opt(&w, "id", pid);
	fy_jw_kstr_opt(&w, "url", o->url);
	fy_jw_kstr_opt(&w, "path", o->path);
	fy_jw_end(&w);
	/* ext.n8n: the workflow's own settings that other providers ignore. */
	any = 0;
	for (ek = ext_keys; *ek; ek++) {
		int ferry_only;

		v = fy_json_get(d, wf, *ek);
		/* staticData.ferry_id and ferry_description are ferry's own, read above */
		ferry_only = v == fy_json_get(d, wf, "staticData") &&
			     fy_json_len(d, v) == (uint32_t)((fy_json_get(d, v, "ferry_id") != FY_JNONE) +
							      (fy_json_get(d, v, "ferry_description") != FY_JNONE));
		if (is_empty(d, v) || ferry_only)
			continue;
		if (!any) {
			fy_jw_key(&w, "ext");
			fy_jw_obj(&w);
			fy_jw_key(&w, "n8n");
			fy_jw_obj(&w);
			any = 1;
		}
		fy_jw_key(&w, *ek);
		if (v == fy_json_get(d, wf, "staticData") && fy_json_type(d, v) == FY_JOBJECT) {
			fy_jw_obj(&w);
			wf_copy_members(d, v, no_ferry, &w, NULL);
			fy_jw_end(&w);
		} else {
			fy_jw_node(&w, d, v);
		}
	}
	if (any) {
		fy_jw_end(&w);
		fy_jw_end(&w);
	}
	fy_jw_end(&w);
	rc = fy_jw_finish(&w, err);
out:
	if (rc < 0 && pid)
		fy_error_prefix(err, "workflow %s", pid);
	rd_release(&r);
	free(pid);
	free(name);
	free(desc);
	return rc;
}

/* --- neutral -> n8n ------------------------------------------------------ */

struct wnode {
	uint32_t v;		/* the node in the record */
	char *id;
	char *name;		/* unique n8n node name */
	char *kind;		/* neutral type */
	char *ptype;		/* provider_type */
	int native;		/* an n8n node: written back verbatim */
	int noop;		/* kept as a No-Op node carrying the original in its notes */
	char **ports;		/* branch names seen on edges from this node, in order */
	size_t nports;
};

struct wedge {
	size_t from, to;
	char *type;		/* n8n connection type */
	unsigned out, in;
};

struct wr {
	const struct fy_jdoc *d;
	const struct n8n_write *o;
	struct wf_notes *notes;
	struct fy_error *err;
	struct wnode *nodes;
	size_t n;
	struct wedge *edges;
	size_t ne;
};

static void wr_release(struct wr *r)
{
	size_t i, j;

	for (i = 0; i < r->n; i++) {
		free(r->nodes[i].id);
		free(r->nodes[i].name);
		free(r->nodes[i].kind);
		free(r->nodes[i].ptype);
		for (j = 0; j < r->nodes[i].nports; j++)
			free(r->nodes[i].ports[j]);
		free(r->nodes[i].ports);
	}
	free(r->nodes);
	for (i = 0; i < r->ne; i++)
		free(r->edges[i].type);
	free(r->edges);
}

static long wr_find(const struct wr *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->nodes[i].id, id) == 0)
			return (long)i;
	return -1;
}

static int name_taken(const struct wr *r, size_t upto, const char *name)
{
	size_t i;

	for (i = 0; i < upto; i++)
		if (strcmp(r->nodes[i].name, name) == 0)
			return 1;
	return 0;
}

/* Node names are n8n's node keys (connections use them): make them unique. */
static int unique_name(struct wr *r, size_t i, const char *want)
{
	char buf[1024];
	int k;

	snprintf(buf, sizeof(buf), "%s", want);
	for (k = 2; name_taken(r, i, buf); k++)
		snprintf(buf, sizeof(buf), "%s %d", want, k);
	r->nodes[i].name = strdup(buf);
	if (!r->nodes[i].name)
		return fy_error_set(r->err, FY_E_NOMEM, "out of memory");
	if (strcmp(buf, want) != 0) {
		char field[512];

		snprintf(field, sizeof(field), "nodes[%s].name", r->nodes[i].id);
		return wf_note(r->notes, field, "transformed", "unique-node-name", r->err,
			       "n8n needs unique node names: '%s' renamed '%s'", want, buf);
	}
	return 0;
}

static int collect_wnodes(struct wr *r, uint32_t nodes)
{
	const struct fy_jdoc *d = r->d;
	uint32_t k, el;

	r->nodes = calloc(fy_json_len(d, nodes) + 1, sizeof(*r->nodes));
	if (!r->nodes)
		return fy_error_set(r->err, FY_E_NOMEM, "out of memory");
	FY_JSON_FOREACH(d, nodes, k, el) {
		struct wnode *wn = &r->nodes[r->n];
		char *name;

		wn->v = el;
		wn->id = fy_json_get_strdup(d, el, "id");
		wn->kind = fy_json_get_strdup(d, el, "type");
		wn->ptype = fy_json_get_strdup(d, el, "provider_type");
		name = fy_json_get_strdup(d, el, "name");
		r->n++;
		if (!wn->id || !wn->kind) {
			free(name);
			return fy_error_set(r->err, FY_E_DATA, "nodes[%u] has no id or type", k);
		}
		if (wr_find(r, wn->id) != (long)(r->n - 1)) {
			free(name);
			return fy_error_set(r->err, FY_E_DATA, "two nodes have the id '%s'", wn->id);
		}
		/* n8n's own node (read from n8n): written back verbatim */
		wn->native = is_n8n_type(wn->ptype) &&
			     fy_json_streq(d, fy_json_get(d, el, "dialect"), "n8n");
		if (unique_name(r, r->n - 1, name && *name ? name : wn->id) < 0) {
			free(name);
			return -1;
		}
		free(name);
	}
	return 0;
}

/* The output index of a from_port: a number, or a branch name numbered in order of appearance. */
static int port_index(struct wr *r, struct wnode *wn, const char *port, unsigned *out)
{
	char *end;
	unsigned long v;
	size_t i;

	if (!port || !*port || strcmp(port, "next") == 0) {
		*out = 0;
		return 0;
	}
	v = strtoul(port, &end, 10);
	if (!*end && v < 1000) {
		*out = (unsigned)v;
		return 0;
	}
	for (i = 0; i < wn->nports; i++)
		if (strcmp(wn->ports[i], port) == 0) {
			*out = (unsigned)i;
			return 0;
		}
	{
		char **p = realloc(wn->ports, (wn->nports + 1) * sizeof(*p));

		if (!p || !(p[wn->nports] = strdup(port))) {
			if (p)
				wn->ports = p;
			return fy_error_set(r->err, FY_E_NOMEM, "out of memory");
		}
		wn->ports = p;
		*out = (unsigned)wn->nports++;
	}
	return 0;
}

static int collect_wedges(struct wr *r, uint32_t edges)
{
	const struct fy_jdoc *d = r->d;
	uint32_t k, el;

	r->edges = calloc(fy_json_len(d, edges) + 1, sizeof(*r->edges));
	if (!r->edges)
		return fy_error_set(r->err, FY_E_NOMEM, "out of memory");
	FY_JSON_FOREACH(d, edges, k, el) {
		char *from = fy_json_get_strdup(d, el, "from");
		char *to = fy_json_get_strdup(d, el, "to");
		char *kind = fy_json_get_strdup(d, el, "kind");
		char *fp = fy_json_get_strdup(d, el, "from_port");
		char *tp = fy_json_get_strdup(d, el, "to_port");
		long f = from ? wr_find(r, from) : -1, t = to ? wr_find(r, to) : -1;
		const char *type = !kind || strcmp(kind, "control") == 0 ? "main" : kind;
		char field[64];
		int rc = 0;

		snprintf(field, sizeof(field), "edges[%u]", k);
		if (f < 0 || t < 0) {
			rc = wf_note(r->notes, field, "dropped", "dangling-edge", r->err,
				     "edge %s -> %s names a node the workflow does not have",
				     from ? from : "?", to ? to : "?");
		} else if (strcmp(type, "data") == 0) {
			rc = wf_note(r->notes, field, "dropped", "data-edge", r->err,
				     "n8n passes data along its connections and has no separate data "
				     "edges: %s.%s -> %s.%s is not written (n8n expressions such as "
				     "{{ $('%s').item.json.%s }} read it)", from, fp ? fp : "",
				     to, tp ? tp : "", r->nodes[f].name, fp ? fp : "");
		} else if (strncmp(type, "ai_", 3) == 0 && r->nodes[f].noop) {
			rc = wf_note(r->notes, field, "dropped", "attachment-of-unexpressed-node", r->err,
				     "the %s attachment %s -> %s is not written: its from node is kept "
				     "as a No-Op node, which has no %s output", type, from, to, type);
		} else {
			struct wedge *e = &r->edges[r->ne];
			char *end;
			unsigned long in = tp ? strtoul(tp, &end, 10) : 0;

			if (port_index(r, &r->nodes[f], fp, &e->out) < 0)
				rc = -1;
			e->from = (size_t)f;
			e->to = (size_t)t;
			e->in = tp && !*end && in < 1000 ? (unsigned)in : 0;
			e->type = strdup(type);
			if (rc == 0 && !e->type)
				rc = fy_error_set(r->err, FY_E_NOMEM, "out of memory");
			if (rc == 0)
				r->ne++;
		}
		free(from);
		free(to);
		free(kind);
		free(fp);
		free(tp);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static void write_connections(struct wr *r, struct fy_jw *w)
{
	size_t i, j, k, s;

	fy_jw_key(w, "connections");
	fy_jw_obj(w);
	/* sources in the order their first edge comes, as the edges were read */
	for (s = 0; s < r->ne; s++) {
		int opened = 0;

		i = r->edges[s].from;
		for (k = 0; k < s; k++)
			if (r->edges[k].from == i)
				break;
		if (k < s)
			continue;

		for (j = 0; j < r->ne; j++) {
			const char *type = r->edges[j].type;
			unsigned maxout = 0, o;
			int first_of_type = 1;

			if (r->edges[j].from != i)
				continue;
			for (k = 0; k < j; k++)
				if (r->edges[k].from == i && strcmp(r->edges[k].type, type) == 0)
					first_of_type = 0;
			if (!first_of_type)
				continue;
			if (!opened) {
				fy_jw_key(w, r->nodes[i].name);
				fy_jw_obj(w);
				opened = 1;
			}
			for (k = j; k < r->ne; k++)
				if (r->edges[k].from == i && strcmp(r->edges[k].type, type) == 0 &&
				    r->edges[k].out > maxout)
					maxout = r->edges[k].out;
			fy_jw_key(w, type);
			fy_jw_arr(w);
			for (o = 0; o <= maxout; o++) {
				fy_jw_arr(w);
				for (k = j; k < r->ne; k++) {
					const struct wedge *e = &r->edges[k];

					if (e->from != i || e->out != o || strcmp(e->type, type) != 0)
						continue;
					fy_jw_obj(w);
					fy_jw_kstr(w, "node", r->nodes[e->to].name);
					fy_jw_kstr(w, "type", type);
					fy_jw_key(w, "index");
					fy_jw_int(w, e->in);
					fy_jw_end(w);
				}
				fy_jw_end(w);
			}
			fy_jw_end(w);
		}
		if (opened)
			fy_jw_end(w);
	}
	fy_jw_end(w);
}

/*
 * Rewrite a prompt of another dialect into an n8n expression. Agent Spec
 * placeholders {{name}} read the input called name, which in n8n is a
 * field of the incoming item: {{ $json.name }}. Returns a new string.
 */
static char *prompt_to_n8n(const char *dialect, const char *s)
{
	struct fy_buf b = FY_BUF_INIT(1 << 24);
	const char *p = s;

	if (!dialect || strcmp(dialect, "agentspec") != 0)
		return strdup(s);
	if (fy_buf_addc(&b, '=', NULL) < 0)
		goto fail;
	while (*p) {
		const char *open = strstr(p, "{{"), *close;
		size_t nlen;

		if (!open)
			break;
		close = strstr(open + 2, "}}");
		if (!close)
			break;
		if (fy_buf_add(&b, p, (size_t)(open - p), NULL) < 0)
			goto fail;
		open += 2;
		while (*open == ' ')
			open++;
		nlen = (size_t)(close - open);
		while (nlen && open[nlen - 1] == ' ')
			nlen--;
		if (fy_buf_adds(&b, "{{ $json.", NULL) < 0 || fy_buf_add(&b, open, nlen, NULL) < 0 ||
		    fy_buf_adds(&b, " }}", NULL) < 0)
			goto fail;
		p = close + 2;
	}
	if (fy_buf_adds(&b, p, NULL) < 0)
		goto fail;
	return fy_buf_detach(&b, NULL);
fail:
	fy_buf_release(&b);
	return NULL;
}

static int kind_is(const struct wnode *wn, const char *k)
{
	return strcmp(wn->kind, k) == 0;
}

/* Whether any edge of kind attaches to node i (from, or to when to_side). */
static int attached(const struct wr *r, size_t i, const char *kind, int to_side)
{
	size_t j;

	for (j = 0; j < r->ne; j++)
		if ((to_side ? r->edges[j].to : r->edges[j].from) == i && strcmp(r->edges[j].type, kind) == 0)
			return 1;
	return 0;
}

static void write_credentials(struct wr *r, struct fy_jw *w, const struct wnode *wn)
{
	const struct fy_jdoc *d = r->d;
	uint32_t creds = fy_json_get(d, wn->v, "credentials"), k, el;
	int any = 0;

	FY_JSON_FOREACH(d, creds, k, el) {
		char *type = fy_json_get_strdup(d, el, "type");
		char *name = fy_json_get_strdup(d, el, "name");
		char *secret = fy_json_get_strdup(d, fy_json_get(d, el, "secret"), "$secret");
		const char *bound = secret && r->o->bind ? r->o->bind(r->o->ctx, secret) : NULL;
		char field[512];

		snprintf(field, sizeof(field), "nodes[%s].credentials.%s", wn->id, type ? type : "");
		if (!type) {
			wf_note(r->notes, field, "dropped", "credential-without-type", r->err,
				"node '%s' names a credential (%s) without an n8n credential type",
				wn->name, secret ? secret : "");
		} else {
			if (!any) {
				fy_jw_key(w, "credentials");
				fy_jw_obj(w);
				any = 1;
			}
			fy_jw_key(w, type);
			fy_jw_obj(w);
			fy_jw_key(w, "id");
			/* null: n8n binds the reference by type and name if it finds one */
			fy_jw_str(w, bound);
			fy_jw_kstr(w, "name", name ? name : "");
			fy_jw_end(w);
			if (!bound && r->o->shape == N8N_SHAPE_FILE)
				wf_note(r->notes, field, "held_back", "credential-binding", r->err,
					"node '%s' needs an n8n credential of type %s: %s was not set, so "
					"the reference names '%s' with no id; `n8n import:workflow` binds "
					"it to a credential of that type and name if one exists, else "
					"bind it in the editor", wn->name, type, secret ? secret : "(none)",
					name ? name : "");
		}
		free(type);
		free(name);
		free(secret);
	}
	if (any)
		fy_jw_end(w);
}

/* The node keys POST /api/v1/workflows accepts (openapi.yml, node schema). */
static const char *const api_node_keys[] = { "id", "name", "webhookId", "disabled",
	"notesInFlow", "notes", "type", "typeVersion", "executeOnce", "alwaysOutputData",
	"retryOnFail", "maxTries", "waitBetweenTries", "continueOnFail", "onError", "position",
	"parameters", "credentials", "customTelemetryTags", NULL };

static int write_native_ext(struct wr *r, struct fy_jw *w, const struct wnode *wn)
{
	const struct fy_jdoc *d = r->d;
	uint32_t ext = fy_json_get(d, fy_json_get(d, wn->v, "ext"), "n8n"), k, key, val;

	FY_JSON_FOREACH_MEMBER(d, ext, k, key, val) {
		size_t len;
		char *name = fy_json_strdup(d, key, &len);
		char field[512];

		if (!name)
			return fy_error_set(r->err, FY_E_NOMEM, "out of memory");
		snprintf(field, sizeof(field), "nodes[%s].%s", wn->id, name);
		if (strcmp(name, "typeVersion") == 0) {
			/* written with the type */
		} else if (r->o->shape == N8N_SHAPE_API && !wf_in_list(name, api_node_keys)) {
			if (wf_note(r->notes, field, "dropped", "api-read-only-field", r->err,
				    "the n8n public API does not accept the node field '%s'", name) < 0) {
				free(name);
				return -1;
			}
		} else if (strcmp(name, "webhookId") == 0 && fy_json_type(d, val) == FY_JSTRING &&
			   r->o->webhook_taken) {
			char *old = fy_json_strdup(d, val, NULL);

			if (old && r->o->webhook_taken(r->o->ctx, old)) {
				char seed[1024], fresh[37];
				int rc;

				snprintf(seed, sizeof(seed), "%s\n%s\n%s\n%s", r->o->seed ? r->o->seed : "",
					 r->notes->id ? r->notes->id : "", wn->id, old);
				wf_uuid_from(seed, strlen(seed), fresh);
				fy_jw_kstr(w, "webhookId", fresh);
				rc = wf_note(r->notes, field, "transformed", "webhook-id-clash", r->err,
					     "webhook id %s of node '%s' is already used at the target "
					     "(two active workflows cannot share it): the node gets webhook "
					     "id %s, so its production URL changes from /webhook/%s/... to "
					     "/webhook/%s/...", old, wn->name, fresh, old, fresh);
				free(old);
				if (rc < 0) {
					free(name);
					return -1;
				}
			} else {
				fy_jw_knode(w, "webhookId", d, val);
				free(old);
			}
		} else {
			fy_jw_keyn(w, name, len);
			fy_jw_node(w, d, val);
		}
		free(name);
	}
	return 0;
}

/* A node of another provider, mapped by its neutral type. */
static int write_foreign(struct wr *r, struct fy_jw *w, struct wnode *wn, size_t idx)
{
	const struct fy_jdoc *d = r->d;
	uint32_t v = wn->v;
	char *dialect = fy_json_get_strdup(d, v, "dialect");
	char *prompt = fy_json_get_strdup(d, v, "prompt");
	char *instr = fy_json_get_strdup(d, v, "instructions");
	uint32_t model = fy_json_get(d, v, "model");
	char *mprov = fy_json_get_strdup(d, model, "provider");
	char *mname = fy_json_get_strdup(d, model, "name");
	char field[512];
	const char *what = wn->ptype ? wn->ptype : wn->kind;
	int rc = 0;

	snprintf(field, sizeof(field), "nodes[%s]", wn->id);
	fy_jw_kstr(w, "id", wn->id);
	fy_jw_kstr(w, "name", wn->name);
	if (kind_is(wn, "start") || kind_is(wn, "trigger")) {
		fy_jw_kstr(w, "type", "n8n-nodes-base.manualTrigger");
		fy_jw_key(w, "typeVersion");
		fy_jw_int(w, 1);
		fy_jw_key(w, "parameters");
		fy_jw_raw(w, "{}", 2);
		rc = wf_note(r->notes, field, "transformed", "start-as-manual-trigger", r->err,
			     "%s '%s' becomes n8n's Manual Trigger; n8n does not declare a "
			     "workflow's inputs, they arrive as the fields of the first item",
			     what, wn->name);
	} else if (kind_is(wn, "agent")) {
		char *p = prompt ? prompt_to_n8n(dialect, prompt) : NULL;

		fy_jw_kstr(w, "type", "@n8n/n8n-nodes-langchain.agent");
		fy_jw_key(w, "typeVersion");
		fy_jw_raw(w, "3.1", 3);
		fy_jw_key(w, "parameters");
		fy_jw_obj(w);
		if (p) {
			fy_jw_kstr(w, "promptType", "define");
			fy_jw_kstr(w, "text", p);
		}
		fy_jw_key(w, "options");
		fy_jw_obj(w);
		fy_jw_kstr_opt(w, "systemMessage", instr);
		fy_jw_end(w);
		fy_jw_end(w);
		if (instr && strstr(instr, "{{"))
			rc = wf_note(r->notes, field, "degraded", "prompt-placeholders", r->err,
				     "the instructions of agent '%s' hold %s placeholders, which n8n's "
				     "system message does not fill: kept as text", wn->name,
				     dialect ? dialect : "template");
		if (rc == 0)
			rc = wf_note(r->notes, field, "transformed", "agent-node", r->err,
				     "%s '%s' becomes an n8n AI Agent (3.1) with its instructions as the "
				     "system message%s", what, wn->name,
				     p ? " and its prompt as an n8n expression" : "");
		free(p);
	} else if (kind_is(wn, "llm")) {
		char *p = prompt_to_n8n(dialect, prompt ? prompt : "");

		fy_jw_kstr(w, "type", "@n8n/n8n-nodes-langchain.chainLlm");
		fy_jw_key(w, "typeVersion");
		fy_jw_raw(w, "1.7", 3);
		fy_jw_key(w, "parameters");
		fy_jw_obj(w);
		fy_jw_kstr(w, "promptType", "define");
		fy_jw_kstr(w, "text", p ? p : "");
		fy_jw_end(w);
		rc = wf_note(r->notes, field, "transformed", "llm-node", r->err,
			     "%s '%s' becomes an n8n Basic LLM Chain%s", what, wn->name,
			     dialect && strcmp(dialect, "agentspec") == 0
				     ? "; its {{placeholders}} became n8n expressions {{ $json.name }}"
				     : "");
		free(p);
	} else if (kind_is(wn, "model") && mname) {
		int ollama = mprov && strcmp(mprov, "ollama") == 0;

		fy_jw_kstr(w, "type", ollama ? "@n8n/n8n-nodes-langchain.lmChatOllama"
					     : "@n8n/n8n-nodes-langchain.lmChatOpenAi");
		fy_jw_key(w, "typeVersion");
		fy_jw_raw(w, ollama ? "1" : "1.2", ollama ? 1 : 3);
		fy_jw_key(w, "parameters");
		fy_jw_obj(w);
		fy_jw_key(w, "model");
		if (ollama) {
			fy_jw_str(w, mname);
		} else {
			fy_jw_obj(w);
			fy_jw_key(w, "__rl");
			fy_jw_bool(w, 1);
			fy_jw_kstr(w, "mode", "id");
			fy_jw_kstr(w, "value", mname);
			fy_jw_end(w);
		}
		fy_jw_key(w, "options");
		fy_jw_raw(w, "{}", 2);
		fy_jw_end(w);
		rc = wf_note(r->notes, field, "held_back", "model-credential", r->err,
			     "model '%s' (%s %s) becomes an n8n %s chat model node without a "
			     "credential: bind a credential of type %s in n8n (its base URL "
			     "points at the model's endpoint)", wn->name, mprov ? mprov : "",
			     mname, ollama ? "Ollama" : "OpenAI", ollama ? "ollamaApi" : "openAiApi");
	} else if (kind_is(wn, "end")) {
		wn->noop = 1;
		fy_jw_kstr(w, "type", "n8n-nodes-base.noOp");
		fy_jw_key(w, "typeVersion");
		fy_jw_int(w, 1);
		fy_jw_key(w, "parameters");
		fy_jw_raw(w, "{}", 2);
		rc = wf_note(r->notes, field, "transformed", "end-as-no-op", r->err,
			     "n8n has no end node (a workflow ends where its connections do): %s '%s' "
			     "becomes a No-Op node", what, wn->name);
	} else {
		/* Kept, flagged: a No-Op that carries the original in its notes. */
		struct fy_buf nb = FY_BUF_INIT(1 << 24);
		uint32_t cfg = fy_json_get(d, v, "config");

		wn->noop = 1;
		fy_jw_kstr(w, "type", "n8n-nodes-base.noOp");
		fy_jw_key(w, "typeVersion");
		fy_jw_int(w, 1);
		fy_jw_key(w, "parameters");
		fy_jw_raw(w, "{}", 2);
		fy_buf_addf(&nb, NULL, "ferry: %s node '%s' (%s) has no n8n equivalent and is kept "
			    "here as a No-Op. Its configuration: ", wn->kind, wn->name, what);
		if (fy_json_type(d, cfg) == FY_JOBJECT)
			fy_json_emit(d, cfg, &nb, NULL);
		else
			fy_buf_adds(&nb, "{}", NULL);
		fy_jw_kstr(w, "notes", nb.ptr ? nb.ptr : "");
		fy_jw_key(w, "notesInFlow");
		fy_jw_bool(w, 1);
		fy_buf_release(&nb);
		rc = wf_note(r->notes, field, "degraded", "unexpressed-node", r->err,
			     "n8n cannot express %s node '%s' (%s): kept as a No-Op node whose notes "
			     "hold its configuration; it does nothing when the workflow runs",
			     wn->kind, wn->name, what);
	}
	{
		uint32_t pos = fy_json_get(d, v, "position");

		fy_jw_key(w, "position");
		if (fy_json_type(d, pos) == FY_JARRAY && fy_json_len(d, pos) == 2) {
			fy_jw_node(w, d, pos);
		} else {
			/* attached nodes below the row of steps */
			int below = kind_is(wn, "model") || kind_is(wn, "memory") ||
				    (kind_is(wn, "tool") && attached(r, idx, "ai_tool", 0));

			fy_jw_arr(w);
			fy_jw_int(w, (long long)idx * 240);
			fy_jw_int(w, below ? 240 : 0);
			fy_jw_end(w);
		}
	}
	free(dialect);
	free(prompt);
	free(instr);
	free(mprov);
	free(mname);
	return rc;
}

static int write_node(struct wr *r, struct fy_jw *w, size_t i)
{
	struct wnode *wn = &r->nodes[i];
	const struct fy_jdoc *d = r->d;
	uint32_t v = wn->v;
	int rc = 0;

	fy_jw_obj(w);
	if (wn->native) {
		uint32_t ext = fy_json_get(d, fy_json_get(d, v, "ext"), "n8n");
		uint32_t tv = fy_json_get(d, ext, "typeVersion");
		uint32_t pos = fy_json_get(d, v, "position"), cfg = fy_json_get(d, v, "config");
		uint32_t dis = fy_json_get(d, v, "disabled");

		fy_jw_kstr(w, "id", wn->id);
		fy_jw_kstr(w, "name", wn->name);
		fy_jw_kstr(w, "type", wn->ptype);
		fy_jw_key(w, "typeVersion");
		if (fy_json_type(d, tv) == FY_JNUMBER)
			fy_jw_node(w, d, tv);
		else
			fy_jw_int(w, 1);
		fy_jw_key(w, "position");
		if (fy_json_type(d, pos) == FY_JARRAY)
			fy_jw_node(w, d, pos);
		else
			fy_jw_raw(w, "[0,0]", 5);
		fy_jw_key(w, "parameters");
		if (fy_json_type(d, cfg) == FY_JOBJECT)
			fy_jw_node(w, d, cfg);
		else
			fy_jw_raw(w, "{}", 2);
		write_credentials(r, w, wn);
		if (fy_json_type(d, dis) == FY_JTRUE || fy_json_type(d, dis) == FY_JFALSE)
			fy_jw_knode(w, "disabled", d, dis);
		if (fy_json_type(d, fy_json_get(d, v, "description")) == FY_JSTRING)
			fy_jw_knode(w, "notes", d, fy_json_get(d, v, "description"));
		rc = write_native_ext(r, w, wn);
	} else {
		rc = write_foreign(r, w, wn, i);
		if (rc == 0 && !wn->noop)
			write_credentials(r, w, wn);
	}
	fy_jw_end(w);
	return rc;
}

/* The settings keys POST /api/v1/workflows accepts (n8n 2.41 openapi.yml). */
static const char *const api_settings_keys[] = { "saveExecutionProgress", "saveManualExecutions",
	"saveDataErrorExecution", "saveDataSuccessExecution", "executionTimeout", "errorWorkflow",
	"timezone", "executionOrder", "binaryMode", "callerPolicy", "callerIds", "timeSavedMode",
	"timeSavedPerExecution", "redactionPolicy", "availableInMCP", "customTelemetryTags",
	"credentialResolverId", NULL };

static int write_settings(struct wr *r, struct fy_jw *w, uint32_t ext)
{
	const struct fy_jdoc *d = r->d;
	uint32_t s = fy_json_get(d, ext, "settings"), k, key, val;

	fy_jw_key(w, "settings");
	if (fy_json_type(d, s) != FY_JOBJECT) {
		fy_jw_raw(w, "{\"executionOrder\":\"v1\"}", 23);
		return 0;
	}
	if (r->o->shape == N8N_SHAPE_FILE) {
		fy_jw_node(w, d, s);
		return 0;
	}
	fy_jw_obj(w);
	FY_JSON_FOREACH_MEMBER(d, s, k, key, val) {
		size_t len;
		char *name = fy_json_strdup(d, key, &len);
		char field[256];

		if (!name)
			return fy_error_set(r->err, FY_E_NOMEM, "out of memory");
		if (wf_in_list(name, api_settings_keys)) {
			fy_jw_keyn(w, name, len);
			fy_jw_node(w, d, val);
		} else {
			snprintf(field, sizeof(field), "ext.n8n.settings.%s", name);
			if (wf_note(r->notes, field, "dropped", "api-unknown-setting", r->err,
				    "the n8n public API does not accept the workflow setting '%s'",
				    name) < 0) {
				free(name);
				return -1;
			}
		}
		free(name);
	}
	fy_jw_end(w);
	return 0;
}

int n8n_from_record(const struct fy_jdoc *d, const struct n8n_write *o, struct fy_buf *out,
		    struct n8n_write_stats *st, struct wf_notes *notes, struct fy_error *err)
{
	uint32_t ext = fy_json_get(d, fy_json_get(d, 0, "ext"), "n8n"), v;
	char *id = fy_json_get_strdup(d, 0, "id");
	char *name = fy_json_get_strdup(d, 0, "name");
	struct fy_jw w;
	struct wr r;
	size_t i;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	r.d = d;
	r.o = o;
	r.notes = notes;
	r.err = err;
	if (!id || collect_wnodes(&r, fy_json_get(d, 0, "nodes")) < 0)
		goto out;
	/* Foreign nodes decide noop before edges are read. */
	for (i = 0; i < r.n; i++) {
		struct wnode *wn = &r.nodes[i];

		if (!wn->native && !kind_is(wn, "start") && !kind_is(wn, "trigger") &&
		    !kind_is(wn, "agent") && !kind_is(wn, "llm") &&
		    !(kind_is(wn, "model") && fy_json_get(d, fy_json_get(d, wn->v, "model"), "name") != FY_JNONE))
			wn->noop = 1;
	}
	if (collect_wedges(&r, fy_json_get(d, 0, "edges")) < 0)
		goto out;
	if (st) {
		uint32_t edges = fy_json_get(d, 0, "edges"), k, el;

		memset(st, 0, sizeof(*st));
		for (i = 0; i < r.n; i++)
			st->foreign_nodes += !r.nodes[i].native;
		FY_JSON_FOREACH(d, edges, k, el)
			st->data_edges += fy_json_streq(d, fy_json_get(d, el, "kind"), "data");
	}
	fy_buf_reset(out);
	fy_jw_init(&w, out);
	fy_jw_obj(&w);
	if (o->shape == N8N_SHAPE_FILE && o->id)
		fy_jw_kstr(&w, "id", o->id);
	fy_jw_kstr(&w, "name", name ? name : id);
	if (o->shape == N8N_SHAPE_FILE) {
		v = fy_json_get(d, 0, "description");
		if (fy_json_type(d, v) == FY_JSTRING)
			fy_jw_knode(&w, "description", d, v);
		v = fy_json_get(d, 0, "active");
		if (v != FY_JNONE)
			fy_jw_knode(&w, "active", d, v);
		fy_jw_key(&w, "isArchived");
		fy_jw_bool(&w, 0);
	}
	fy_jw_key(&w, "nodes");
	fy_jw_arr(&w);
	for (i = 0; i < r.n; i++)
		if (write_node(&r, &w, i) < 0)
			goto out;
	fy_jw_end(&w);
	write_connections(&r, &w);
	if (write_settings(&r, &w, ext) < 0)
		goto out;
	v = fy_json_get(d, ext, "staticData");
	{
		static const char *const no_ferry[] = { "ferry_id", "ferry_description", NULL };
		uint32_t desc = fy_json_get(d, 0, "description");
		int has_desc = fy_json_type(d, desc) == FY_JSTRING;

		if (o->ferry_id || has_desc || !is_empty(d, v)) {
			fy_jw_key(&w, "staticData");
			if (fy_json_type(d, v) == FY_JOBJECT || is_empty(d, v)) {
				fy_jw_obj(&w);
				if (fy_json_type(d, v) == FY_JOBJECT)
					wf_copy_members(d, v, no_ferry, &w, NULL);
				fy_jw_kstr_opt(&w, "ferry_id", o->ferry_id);
				/* the public API has no description field: it is kept here */
				if (has_desc)
					fy_jw_knode(&w, "ferry_description", d, desc);
				fy_jw_end(&w);
			} else {
				fy_jw_node(&w, d, v);
			}
		}
	}
	v = fy_json_get(d, ext, "pinData");
	if (!is_empty(d, v))
		fy_jw_knode(&w, "pinData", d, v);
	v = fy_json_get(d, ext, "nodeGroups");
	if (!is_empty(d, v))
		fy_jw_knode(&w, "nodeGroups", d, v);
	if (o->shape == N8N_SHAPE_FILE) {
		uint32_t tags = fy_json_get(d, 0, "tags"), k, el;
		char vid[37];

		v = fy_json_get(d, ext, "meta");
		if (!is_empty(d, v))
			fy_jw_knode(&w, "meta", d, v);
		fy_jw_key(&w, "tags");
		fy_jw_arr(&w);
		FY_JSON_FOREACH(d, tags, k, el) {
			fy_jw_obj(&w);
			fy_jw_knode(&w, "name", d, el);
			fy_jw_end(&w);
		}
		fy_jw_end(&w);
		v = fy_json_get(d, 0, "created");
		if (v != FY_JNONE)
			fy_jw_knode(&w, "createdAt", d, v);
		v = fy_json_get(d, 0, "updated");
		if (v != FY_JNONE)
			fy_jw_knode(&w, "updatedAt", d, v);
		/* stable: the same record gives the same version id */
		wf_uuid_from(d->text, d->size, vid);
		fy_jw_kstr(&w, "versionId", vid);
	} else {
		v = fy_json_get(d, ext, "meta");
		if (!is_empty(d, v) &&
		    wf_note(notes, "ext.n8n.meta", "dropped", "api-read-only-field", err,
			    "the workflow's meta is read-only in the n8n public API") < 0)
			goto out;
	}
	fy_jw_end(&w);
	rc = fy_jw_finish(&w, err);
out:
	wr_release(&r);
	free(id);
	free(name);
	return rc;
}

/* --- executions -> threads ----------------------------------------------- */

/* The first item's json of a run: run.data.<type>[0][0].json */
static uint32_t run_json(const struct fy_jdoc *d, uint32_t run, const char *type)
{
	uint32_t v = fy_json_get(d, fy_json_get(d, run, "data"), type);

	return fy_json_get(d, fy_json_at(d, fy_json_at(d, v, 0), 0), "json");
}

static uint32_t runs_of(const struct fy_jdoc *d, uint32_t rundata, const char *name)
{
	uint32_t r = fy_json_get(d, rundata, name);

	return fy_json_type(d, r) == FY_JARRAY ? r : FY_JNONE;
}

static void write_ms_time(struct fy_jw *w, const char *key, const struct fy_jdoc *d, uint32_t v)
{
	int64_t ms;
	char t[40];

	if (fy_json_int(d, v, &ms) < 0 || ms <= 0)
		return;
	fy_time_format(ms / 1000, (int32_t)(ms % 1000) * 1000000, t);
	fy_jw_kstr(w, key, t);
}

/* A LangChain serialized message (lc:1) as {"role": ..., "text": ...}. */
static void write_lc_message(struct fy_jw *w, const struct fy_jdoc *d, uint32_t m)
{
	uint32_t idarr = fy_json_get(d, m, "id");
	uint32_t cls = fy_json_at(d, idarr, fy_json_len(d, idarr) ? fy_json_len(d, idarr) - 1 : 0);
	uint32_t content = fy_json_get(d, fy_json_get(d, m, "kwargs"), "content");
	const char *role = "user";

	if (fy_json_streq(d, cls, "AIMessage") || fy_json_streq(d, cls, "AIMessageChunk"))
		role = "assistant";
	else if (fy_json_streq(d, cls, "SystemMessage"))
		role = "system";
	else if (fy_json_streq(d, cls, "ToolMessage"))
		role = "tool";
	fy_jw_obj(w);
	fy_jw_kstr(w, "role", role);
	fy_jw_key(w, "text");
	if (fy_json_type(d, content) == FY_JSTRING) {
		fy_jw_node(w, d, content);
	} else {
		struct fy_buf b = FY_BUF_INIT(1 << 24);

		fy_json_emit(d, content, &b, NULL);
		fy_jw_str(w, b.ptr ? b.ptr : "");
		fy_buf_release(&b);
	}
	fy_jw_end(w);
}

/* A value as text: strings as they are, anything else as compact JSON. */
static void write_as_text(struct fy_jw *w, const struct fy_jdoc *d, uint32_t v)
{
	if (fy_json_type(d, v) == FY_JSTRING) {
		fy_jw_node(w, d, v);
	} else {
		struct fy_buf b = FY_BUF_INIT(1 << 24);

		fy_json_emit(d, v, &b, NULL);
		fy_jw_str(w, b.ptr ? b.ptr : "");
		fy_buf_release(&b);
	}
}

int n8n_execution_turns(const struct fy_jdoc *wfrec, const struct fy_jdoc *ex,
			struct fy_buf *turns, struct fy_error *err)
{
	uint32_t rundata = fy_json_get(ex, fy_json_get(ex, fy_json_get(ex, 0, "data"), "resultData"),
				       "runData");
	uint32_t nodes = fy_json_get(wfrec, 0, "nodes"), k, el, chat = FY_JNONE;
	struct fy_jw w;
	size_t mark = turns->len;
	int answers = 0;

	if (fy_json_type(ex, rundata) != FY_JOBJECT)
		return 0;
	/* the chat trigger: a trigger whose first item has chatInput */
	FY_JSON_FOREACH(wfrec, nodes, k, el) {
		char *name = fy_json_get_strdup(wfrec, el, "name");
		uint32_t runs = name ? runs_of(ex, rundata, name) : FY_JNONE, j;

		if (fy_json_streq(wfrec, fy_json_get(wfrec, el, "type"), "trigger") && runs != FY_JNONE) {
			j = run_json(ex, fy_json_at(ex, runs, 0), "main");
			if (fy_json_type(ex, fy_json_get(ex, j, "chatInput")) == FY_JSTRING)
				chat = j;
		}
		free(name);
		if (chat != FY_JNONE)
			break;
	}
	if (chat == FY_JNONE)
		return 0;
	fy_jw_init(&w, turns);
	fy_jw_obj(&w);
	fy_jw_key(&w, "session");
	if (fy_json_type(ex, fy_json_get(ex, chat, "sessionId")) == FY_JSTRING)
		fy_jw_node(&w, ex, fy_json_get(ex, chat, "sessionId"));
	else
		write_as_text(&w, ex, fy_json_get(ex, 0, "id"));
	fy_jw_key(&w, "exec");
	write_as_text(&w, ex, fy_json_get(ex, 0, "id"));
	(void)write_time(&w, "started", ex, fy_json_get(ex, 0, "startedAt"));
	(void)write_time(&w, "stopped", ex, fy_json_get(ex, 0, "stoppedAt"));
	/* what the memory node loaded first: the turns before this one */
	fy_jw_key(&w, "history");
	fy_jw_arr(&w);
	FY_JSON_FOREACH(wfrec, nodes, k, el) {
		char *name;
		uint32_t runs, j, run;
		int done = 0;

		if (!fy_json_streq(wfrec, fy_json_get(wfrec, el, "type"), "memory"))
			continue;
		name = fy_json_get_strdup(wfrec, el, "name");
		runs = name ? runs_of(ex, rundata, name) : FY_JNONE;
		FY_JSON_FOREACH(ex, runs, j, run) {
			uint32_t jv = run_json(ex, run, "ai_memory"), hist, h, m;

			if (!fy_json_streq(ex, fy_json_get(ex, jv, "action"), "loadMemoryVariables"))
				continue;
			hist = fy_json_get(ex, jv, "chatHistory");
			FY_JSON_FOREACH(ex, hist, h, m)
				write_lc_message(&w, ex, m);
			done = 1;
			break;
		}
		free(name);
		if (done)
			break;
	}
	fy_jw_end(&w);
	fy_jw_key(&w, "messages");
	fy_jw_arr(&w);
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "role", "user");
	fy_jw_key(&w, "parts");
	fy_jw_arr(&w);
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "type", "text");
	fy_jw_knode(&w, "text", ex, fy_json_get(ex, chat, "chatInput"));
	fy_jw_end(&w);
	fy_jw_end(&w);
	(void)write_time(&w, "created", ex, fy_json_get(ex, 0, "startedAt"));
	fy_jw_end(&w);
	FY_JSON_FOREACH(wfrec, nodes, k, el) {
		uint32_t type = fy_json_get(wfrec, el, "type"), runs, last, acts, a, act, out;
		char *name;

		if (!fy_json_streq(wfrec, type, "agent") && !fy_json_streq(wfrec, type, "llm"))
			continue;
		name = fy_json_get_strdup(wfrec, el, "name");
		runs = name ? runs_of(ex, rundata, name) : FY_JNONE;
		free(name);
		if (!fy_json_len(ex, runs))
			continue;
		last = fy_json_at(ex, runs, fy_json_len(ex, runs) - 1);
		acts = fy_json_get(ex, fy_json_get(ex, fy_json_get(ex, last, "metadata"),
						   "subNodeExecutionData"), "actions");
		FY_JSON_FOREACH(ex, acts, a, act) {
			uint32_t ac = fy_json_get(ex, act, "action");
			uint32_t tname = fy_json_get(ex, ac, "nodeName");
			char *tn = fy_json_strdup(ex, tname, NULL);
			uint32_t truns = tn ? runs_of(ex, rundata, tn) : FY_JNONE;
			int64_t ri = 0;
			uint32_t trun;

			free(tn);
			if (fy_json_type(ex, tname) != FY_JSTRING)
				continue;
			fy_json_int(ex, fy_json_get(ex, act, "runIndex"), &ri);
			trun = fy_json_at(ex, truns, (uint32_t)ri);
			fy_jw_obj(&w);
			fy_jw_kstr(&w, "role", "assistant");
			fy_jw_key(&w, "parts");
			fy_jw_arr(&w);
			fy_jw_obj(&w);
			fy_jw_kstr(&w, "type", "tool_call");
			fy_jw_key(&w, "id");
			write_as_text(&w, ex, fy_json_get(ex, ac, "id"));
			fy_jw_knode(&w, "name", ex, tname);
			fy_jw_key(&w, "arguments");
			write_as_text(&w, ex, fy_json_get(ex, ac, "input"));
			fy_jw_end(&w);
			fy_jw_end(&w);
			write_ms_time(&w, "created", ex, fy_json_get(ex, trun, "startTime"));
			fy_jw_end(&w);
			fy_jw_obj(&w);
			fy_jw_kstr(&w, "role", "tool");
			fy_jw_key(&w, "parts");
			fy_jw_arr(&w);
			fy_jw_obj(&w);
			fy_jw_kstr(&w, "type", "tool_result");
			fy_jw_key(&w, "call_id");
			write_as_text(&w, ex, fy_json_get(ex, ac, "id"));
			fy_jw_knode(&w, "name", ex, tname);
			out = run_json(ex, trun, "ai_tool");
			fy_jw_key(&w, "output");
			write_as_text(&w, ex, fy_json_get(ex, out, "response") != FY_JNONE
						      ? fy_json_get(ex, out, "response") : out);
			if (fy_json_get(ex, trun, "error") != FY_JNONE) {
				fy_jw_key(&w, "is_error");
				fy_jw_bool(&w, 1);
			}
			fy_jw_end(&w);
			fy_jw_end(&w);
			write_ms_time(&w, "created", ex, fy_json_get(ex, trun, "startTime"));
			fy_jw_end(&w);
		}
		out = run_json(ex, last, "main");
		if (fy_json_type(ex, fy_json_get(ex, out, "output")) == FY_JSTRING)
			out = fy_json_get(ex, out, "output");
		else if (fy_json_type(ex, fy_json_get(ex, out, "text")) == FY_JSTRING)
			out = fy_json_get(ex, out, "text");
		else
			continue;
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "role", "assistant");
		fy_jw_key(&w, "parts");
		fy_jw_arr(&w);
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "type", "text");
		fy_jw_knode(&w, "text", ex, out);
		fy_jw_end(&w);
		fy_jw_end(&w);
		(void)write_time(&w, "created", ex, fy_json_get(ex, 0, "stoppedAt"));
		fy_jw_end(&w);
		answers++;
	}
	fy_jw_end(&w);
	fy_jw_end(&w);
	if (fy_jw_finish(&w, err) < 0) {
		turns->len = mark;
		if (turns->ptr)
			turns->ptr[mark] = '\0';
		return -1;
	}
	return fy_buf_addc(turns, '\n', err);
}

struct turn {
	const char *line;
	size_t len;
	char *session, *started, *exec;
};

static int num_cmp(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (wf_only(a, la, "0123456789") && wf_only(b, lb, "0123456789") && la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

static int turn_cmp(const void *x, const void *y)
{
	const struct turn *a = x, *b = y;
	int c = strcmp(a->session, b->session);

	if (c)
		return c;
	if ((c = strcmp(a->started ? a->started : "", b->started ? b->started : "")))
		return c;
	return num_cmp(a->exec, b->exec);
}

/* Collect a message line (the thread is written before its messages). */
static int thread_collect(void *buf, const char *json, size_t len, struct fy_error *err)
{
	if (fy_buf_add(buf, json, len, err) < 0)
		return -1;
	return fy_buf_addc(buf, '\n', err);
}

/* One message record; parent and id are the caller's. */
static int emit_message(const char *tid, const char *id, const char *parent, const char *role,
			const struct fy_jdoc *d, uint32_t parts, const char *text, uint32_t created,
			const char *source_id, int from_memory, struct fy_buf *b,
			int (*emit)(void *, const char *, size_t, struct fy_error *), void *ctx,
			struct fy_error *err)
{
	struct fy_jw w;

	fy_buf_reset(b);
	fy_jw_init(&w, b);
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "kind", "message");
	fy_jw_kstr(&w, "id", id);
	fy_jw_kstr(&w, "thread", tid);
	fy_jw_key(&w, "parent");
	fy_jw_str(&w, parent);
	fy_jw_kstr(&w, "role", role);
	if (created != FY_JNONE)
		fy_jw_knode(&w, "created", d, created);
	fy_jw_key(&w, "parts");
	if (parts != FY_JNONE) {
		fy_jw_node(&w, d, parts);
	} else {
		fy_jw_arr(&w);
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "type", "text");
		fy_jw_kstr(&w, "text", text);
		fy_jw_end(&w);
		fy_jw_end(&w);
	}
	fy_jw_key(&w, "source");
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "adapter", "n8n");
	fy_jw_kstr_opt(&w, "id", source_id);
	fy_jw_end(&w);
	if (from_memory) {
		fy_jw_key(&w, "ext");
		fy_jw_obj(&w);
		fy_jw_key(&w, "n8n");
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "from", "memory");
		fy_jw_end(&w);
		fy_jw_end(&w);
	}
	fy_jw_end(&w);
	if (fy_jw_finish(&w, err) < 0)
		return -1;
	return emit(ctx, b->ptr, b->len, err);
}

static int emit_session(const char *wf_id, const char *wf_name, struct turn *t, size_t n,
			struct fy_buf *b, struct fy_buf *msgs,
			int (*emit)(void *, const char *, size_t, struct fy_error *), void *ctx,
			struct fy_error *err)
{
	char seed[1024], raw[1024], tid[FY_ID_MAX + 1], prev[FY_ID_MAX + 1], id[FY_ID_MAX + 1];
	struct fy_jdoc d;
	struct fy_jw w;
	size_t i;
	int rc = -1, have_prev = 0;
	char *first_started = NULL, *last_stopped = NULL, *leaf = NULL;

	snprintf(seed, sizeof(seed), "%s:%s", wf_id, t[0].session);
	fy_id_make(seed, strlen(seed), tid);
	fy_jdoc_init(&d);
	/* messages are built first (the thread names its last one), then written after it */
	fy_buf_reset(msgs);
	for (i = 0; i < n; i++) {
		uint32_t hist, msgsv, k, el;

		if (fy_jdoc_parse(&d, t[i].line, t[i].len, 0, err) < 0)
			goto out;
		if (!first_started)
			first_started = fy_json_get_strdup(&d, 0, "started");
		free(last_stopped);
		last_stopped = fy_json_get_strdup(&d, 0, "stopped");
		if (i == 0) {
			hist = fy_json_get(&d, 0, "history");
			FY_JSON_FOREACH(&d, hist, k, el) {
				char *role = fy_json_get_strdup(&d, el, "role");
				char *text = fy_json_get_strdup(&d, el, "text");

				snprintf(id, sizeof(id), "memory-%u", k + 1);
				rc = emit_message(tid, id, have_prev ? prev : NULL, role ? role : "user",
						  &d, FY_JNONE, text ? text : "", FY_JNONE, NULL, 1, b,
						  thread_collect, msgs, err);
				free(role);
				free(text);
				if (rc < 0)
					goto out;
				snprintf(prev, sizeof(prev), "%s", id);
				have_prev = 1;
			}
		}
		msgsv = fy_json_get(&d, 0, "messages");
		FY_JSON_FOREACH(&d, msgsv, k, el) {
			char *role = fy_json_get_strdup(&d, el, "role");

			/* n8n's execution ids are numbers as text; anything else is hashed */
			snprintf(raw, sizeof(raw), "%s-%u", t[i].exec, k + 1);
			fy_id_make(raw, strlen(raw), id);
			rc = emit_message(tid, id, have_prev ? prev : NULL, role ? role : "user", &d,
					  fy_json_get(&d, el, "parts"), NULL, fy_json_get(&d, el, "created"),
					  t[i].exec, 0, b, thread_collect, msgs, err);
			free(role);
			if (rc < 0)
				goto out;
			snprintf(prev, sizeof(prev), "%s", id);
			have_prev = 1;
		}
	}
	leaf = have_prev ? strdup(prev) : NULL;
	fy_buf_reset(b);
	fy_jw_init(&w, b);
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "kind", "thread");
	fy_jw_kstr(&w, "id", tid);
	fy_jw_kstr_opt(&w, "active_leaf", leaf);
	fy_jw_kstr_opt(&w, "created", first_started);
	fy_jw_kstr_opt(&w, "updated", last_stopped);
	fy_jw_key(&w, "metadata");
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "n8n_session_id", t[0].session);
	fy_jw_kstr_opt(&w, "n8n_workflow", wf_name);
	fy_jw_end(&w);
	fy_jw_key(&w, "source");
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "adapter", "n8n");
	fy_jw_kstr(&w, "id", t[0].session);
	fy_jw_end(&w);
	fy_jw_key(&w, "ext");
	fy_jw_obj(&w);
	fy_jw_key(&w, "n8n");
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "workflow", wf_id);
	fy_jw_kstr(&w, "sessionId", t[0].session);
	fy_jw_end(&w);
	fy_jw_end(&w);
	fy_jw_end(&w);
	if (fy_jw_finish(&w, err) < 0 || emit(ctx, b->ptr, b->len, err) < 0)
		goto out;
	/* then the messages, one line each */
	{
		const char *p = msgs->ptr, *end = msgs->ptr + msgs->len;

		while (p && p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));

			if (!nl)
				break;
			if (emit(ctx, p, (size_t)(nl - p), err) < 0)
				goto out;
			p = nl + 1;
		}
	}
	rc = 0;
out:
	fy_jdoc_release(&d);
	free(first_started);
	free(last_stopped);
	free(leaf);
	return rc;
}

int n8n_turns_to_threads(const char *wf_id, const char *wf_name, const char *turns, size_t len,
			 int (*emit)(void *ctx, const char *json, size_t len, struct fy_error *err),
			 void *ctx, struct fy_error *err)
{
	struct fy_buf b = FY_BUF_INIT((size_t)16 << 20), msgs = FY_BUF_INIT((size_t)1 << 30);
	struct turn *t = NULL;
	size_t n = 0, cap = 0, i, start;
	const char *p = turns, *end = turns + len;
	struct fy_jdoc d;
	int rc = -1;

	fy_jdoc_init(&d);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (l) {
			if (n == cap) {
				struct turn *q;

				cap = cap ? cap * 2 : 64;
				if (!(q = realloc(t, cap * sizeof(*q)))) {
					fy_error_set(err, FY_E_NOMEM, "out of memory");
					goto out;
				}
				t = q;
			}
			if (fy_jdoc_parse(&d, p, l, 0, err) < 0)
				goto out;
			t[n].line = p;
			t[n].len = l;
			t[n].session = fy_json_get_strdup(&d, 0, "session");
			t[n].started = fy_json_get_strdup(&d, 0, "started");
			t[n].exec = fy_json_get_strdup(&d, 0, "exec");
			n++;
			if (!t[n - 1].session || !t[n - 1].exec) {
				fy_error_set(err, FY_E_DATA, "an execution without a session or an id");
				goto out;
			}
		}
		p += l + 1;
	}
	if (n)
		qsort(t, n, sizeof(*t), turn_cmp);
	for (start = 0, i = 1; i <= n; i++)
		if (i == n || strcmp(t[i].session, t[start].session) != 0) {
			if (emit_session(wf_id, wf_name, t + start, i - start, &b, &msgs, emit, ctx,
					 err) < 0)
				goto out;
			start = i;
		}
	rc = 0;
out:
	for (i = 0; i < n; i++) {
		free(t[i].session);
		free(t[i].started);
		free(t[i].exec);
	}
	free(t);
	fy_jdoc_release(&d);
	fy_buf_release(&b);
	fy_buf_release(&msgs);
	return rc;
}
