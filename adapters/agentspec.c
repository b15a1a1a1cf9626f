/*
 * agentspec.c - the "agentspec" adapter: Oracle's Open Agent Specification
 * (Agent Spec) JSON documents, read and written.
 *
 * Location: agentspec:PATH, one document (a .json file) or a folder of
 * them. A document's top component becomes:
 *   Agent                      an agent record (system_prompt as
 *                              instructions, llm_config as the model) and
 *                              a tool record per tool;
 *   Flow                       a workflow record (below);
 *   ServerTool, ClientTool,
 *   RemoteTool, MCPTool        a tool record.
 * Written: a folder (new or empty) with one <id>.json per workflow and
 * agent (its tools inside); a .json PATH takes exactly one.
 *
 * A Flow maps onto the neutral graph (formats/SPEC.md 7.5) like this: every
 * node component is a node (StartNode start, EndNode end, LlmNode llm,
 * AgentNode agent, ToolNode and ApiNode tool, BranchingNode condition,
 * MapNode loop, ParallelMapNode and ParallelFlowNode parallel, FlowNode
 * subworkflow, InputMessageNode approval, OutputMessageNode message, any
 * other - a plugin's - other); its remaining fields are its config,
 * verbatim with every $component_ref resolved. The components a node
 * refers to become attached nodes, as n8n draws them: an LlmConfig is a
 * model node with an ai_languageModel edge to each LlmNode or AgentNode
 * using it; an agent's or ToolNode's tools are tool nodes with ai_tool
 * edges. ControlFlowEdges are control edges (from_branch as from_port),
 * DataFlowEdges data edges (source_output / destination_input as ports);
 * inputs and outputs are ports and workflow variables carrying their JSON
 * Schemas; placeholders stay text, dialect "agentspec".
 *
 * A node Agent Spec has no component for (n8n's memory, an IF node, ...) is
 * written as a plugin component, as the specification's plugin mechanism
 * allows: component_type "FerryNode", component_plugin_name "ferry", with
 * the neutral node in "ferry_node" and its attachments in "attached_to";
 * nodes written as standard components keep their original in
 * metadata.ferry. Reading restores both, so n8n -> Agent Spec -> n8n keeps
 * those nodes. Every such choice is a ledger line. Agent Spec forbids
 * secrets in a configuration: a value under a key such as api_key or in
 * headers becomes a {"$secret": AGENTSPEC_...} reference (held_back) and
 * is written back from the environment variable of that name.
 *
 * YAML, which the specification also allows, is not read: pyagentspec's
 * serializer writes JSON by default, every sample published is JSON, and
 * `yq -o json` converts; libyaml would add a dependency for no test data.
 *
 * Published description: the Agent Spec language specification 25.4.1
 * (oracle/agent-spec, docs/pyagentspec/source/agentspec/
 * language_spec_25_4_1.rst: Component, symbolic references
 * {"$component_ref"} with "$referenced_components", ComponentWithIO
 * inputs/outputs as JSON Schema properties, Agent, LlmConfig and its
 * OpenAI/vLLM/Ollama/OCI kinds, Tools, Flow, Node and its standard
 * library, ControlFlowEdge, DataFlowEdge, plugins with component_type,
 * component_plugin_name and component_plugin_version), and its examples
 * (docs/pyagentspec/source/agentspec_config_examples/).
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
#include "jsonw.h"
#include "wfutil.h"

#define AS_FILE_MAX ((size_t)64 << 20)
#define AS_VERSION "25.4.1"
#define AS_DEPTH 48

/* Fields every component has, mapped to neutral fields of their own. */
static const char *const std_keys[] = { "id", "name", "description", "metadata",
	"component_type", "inputs", "outputs", "$referenced_components", "agentspec_version",
	"component_plugin_name", "component_plugin_version", NULL };

/* Keys whose values are credentials, whatever the component. */
static const char *const secret_keys[] = { "api_key", "apiKey", "token", "password",
	"secret", "client_secret", "key_content", NULL };

static const struct { const char *ct, *kind; } node_kinds[] = {
	{ "StartNode", "start" }, { "EndNode", "end" }, { "LlmNode", "llm" },
	{ "AgentNode", "agent" }, { "ToolNode", "tool" }, { "ApiNode", "tool" },
	{ "BranchingNode", "condition" }, { "MapNode", "loop" },
	{ "ParallelMapNode", "parallel" }, { "ParallelFlowNode", "parallel" },
	{ "FlowNode", "subworkflow" }, { "InputMessageNode", "approval" },
	{ "OutputMessageNode", "message" },
};

static const char *node_kind(const char *ct)
{
	size_t i;

	for (i = 0; ct && i < sizeof(node_kinds) / sizeof(node_kinds[0]); i++)
		if (strcmp(ct, node_kinds[i].ct) == 0)
			return node_kinds[i].kind;
	return NULL;
}

static const char *const tool_types[] = { "ServerTool", "ClientTool", "RemoteTool", "MCPTool",
	NULL };

static int is_llm_config(const char *ct)
{
	size_t n = ct ? strlen(ct) : 0;

	return n > 6 && strcmp(ct + n - 6, "Config") == 0 && strcmp(ct, "OciClientConfig") != 0 &&
	       strncmp(ct, "OciClientConfig", 15) != 0;
}

/* OpenAiConfig -> openai, VllmConfig -> vllm, OpenAiCompatibleConfig -> openai-compatible. */
static void llm_provider(const char *ct, char *out, size_t cap)
{
	size_t k = 0;
	const char *p;

	if (strcmp(ct, "OpenAiConfig") == 0) {
		snprintf(out, cap, "openai");
		return;
	}
	if (strcmp(ct, "OpenAiCompatibleConfig") == 0) {
		snprintf(out, cap, "openai-compatible");
		return;
	}
	if (strcmp(ct, "OciGenAiConfig") == 0) {
		snprintf(out, cap, "oci");
		return;
	}
	for (p = ct; *p && strcmp(p, "Config") != 0 && k + 1 < cap; p++)
		out[k++] = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
	out[k] = '\0';
}

/* --- a parsed document with its references ------------------------------ */

struct asdoc {
	struct fy_jdoc d;
	uint32_t *keys, *vals;	/* $referenced_components: id string node -> value */
	size_t nrefs, cap;
};

static void asdoc_release(struct asdoc *a)
{
	fy_jdoc_release(&a->d);
	free(a->keys);
	free(a->vals);
	a->keys = a->vals = NULL;
	a->nrefs = a->cap = 0;
}

/* Every "$referenced_components" table, wherever it is. */
static int asdoc_collect(struct asdoc *a, uint32_t v, int depth, struct fy_error *err)
{
	const struct fy_jdoc *d = &a->d;
	uint32_t k, key, val;

	if (depth > AS_DEPTH)
		return fy_error_set(err, FY_E_UNSAFE, "components nested deeper than %d", AS_DEPTH);
	if (fy_json_type(d, v) == FY_JARRAY) {
		FY_JSON_FOREACH(d, v, k, val)
			if (asdoc_collect(a, val, depth + 1, err) < 0)
				return -1;
		return 0;
	}
	if (fy_json_type(d, v) != FY_JOBJECT)
		return 0;
	FY_JSON_FOREACH_MEMBER(d, v, k, key, val) {
		if (fy_json_streq(d, key, "$referenced_components") && fy_json_type(d, val) == FY_JOBJECT) {
			uint32_t k2, key2, val2;

			FY_JSON_FOREACH_MEMBER(d, val, k2, key2, val2) {
				if (a->nrefs == a->cap) {
					size_t cap = a->cap ? a->cap * 2 : 32;
					uint32_t *nk = realloc(a->keys, cap * sizeof(*nk)), *nv;

					if (!nk)
						return fy_error_set(err, FY_E_NOMEM, "out of memory");
					a->keys = nk;
					nv = realloc(a->vals, cap * sizeof(*nv));
					if (!nv)
						return fy_error_set(err, FY_E_NOMEM, "out of memory");
					a->vals = nv;
					a->cap = cap;
				}
				a->keys[a->nrefs] = key2;
				a->vals[a->nrefs++] = val2;
			}
		}
		if (asdoc_collect(a, val, depth + 1, err) < 0)
			return -1;
	}
	return 0;
}

/* Follow {"$component_ref": ID}; FY_JNONE for a reference nothing defines. */
static uint32_t resolve(const struct asdoc *a, uint32_t v)
{
	int hops;

	for (hops = 0; hops < 16; hops++) {
		uint32_t ref = fy_json_get(&a->d, v, "$component_ref");
		size_t i, len;
		const char *id;

		if (ref == FY_JNONE || fy_json_type(&a->d, ref) != FY_JSTRING)
			return v;
		id = fy_json_raw(&a->d, ref, &len);
		v = FY_JNONE;
		for (i = 0; i < a->nrefs; i++) {
			size_t kl;
			const char *k = fy_json_raw(&a->d, a->keys[i], &kl);

			if (kl == len && memcmp(k, id, len) == 0) {
				v = a->vals[i];
				break;
			}
		}
		if (v == FY_JNONE)
			return FY_JNONE;
	}
	return FY_JNONE;
}

static char *cstr(const struct asdoc *a, uint32_t obj, const char *key)
{
	return fy_json_get_strdup(&a->d, obj, key);
}

/* --- reading -------------------------------------------------------------- */

struct asrd {
	struct asdoc a;
	struct wf_queue *q;
	struct wf_notes *notes;
	struct fy_buf rec;
	const char *path;	/* source.path */
	struct fy_error *err;
	const char *top_version; /* agentspec_version of the document, or NULL */
	char version[64];
	char note_id[FY_ID_MAX + 1];	/* the record the ledger lines are about */
	unsigned secrets;		/* credentials replaced by references */
	char **seen;			/* record ids already read from this document */
	size_t nseen;
};

/* 1 when kind:id was already read from this document (and remember it). */
static int seen_before(struct asrd *c, const char *kind, const char *id)
{
	char key[FY_ID_MAX + 32], **p;
	size_t i;

	snprintf(key, sizeof(key), "%s:%s", kind, id);
	for (i = 0; i < c->nseen; i++)
		if (strcmp(c->seen[i], key) == 0)
			return 1;
	p = realloc(c->seen, (c->nseen + 1) * sizeof(*p));
	if (p) {
		c->seen = p;
		if ((p[c->nseen] = strdup(key)))
			c->nseen++;
	}
	return 0;
}

static void emit_resolved(struct asrd *c, struct fy_jw *w, uint32_t v, int depth, const char *comp);

/*
 * One member "name": value of component comp. A credential - a value under
 * a key such as api_key, or any header - becomes a {"$secret": NAME}
 * reference named after the component and the key, with a held_back line.
 */
static void emit_member(struct asrd *c, struct fy_jw *w, const char *name, size_t len, uint32_t val,
			int depth, const char *comp)
{
	const struct fy_jdoc *d = &c->a.d;
	char secret[FY_ID_MAX + 1], field[512];
	const char *parts[3];
	uint32_t k, hk, hv;

	fy_jw_keyn(w, name, len);
	parts[0] = comp ? comp : "";
	if (strcmp(name, "headers") == 0 && fy_json_type(d, val) == FY_JOBJECT) {
		fy_jw_obj(w);
		FY_JSON_FOREACH_MEMBER(d, val, k, hk, hv) {
			char *hn = fy_json_strdup(d, hk, NULL);

			parts[1] = "header";
			parts[2] = hn ? hn : "";
			wf_env_name("AGENTSPEC_", parts, 3, secret, FY_ID_MAX);
			fy_jw_key(w, hn ? hn : "");
			c->secrets++;
			fy_jw_obj(w);
			fy_jw_kstr(w, "$secret", secret);
			fy_jw_end(w);
			snprintf(field, sizeof(field), "components[%s].headers.%s", parts[0], parts[2]);
			wf_note(c->notes, field, "held_back", "secret-in-configuration", c->err,
				"header %s of component %s may hold a credential: the archive keeps the "
				"reference %s instead; set it at import", parts[2], parts[0], secret);
			free(hn);
		}
		fy_jw_end(w);
	} else if (wf_in_list(name, secret_keys) && fy_json_type(d, val) == FY_JSTRING) {
		parts[1] = name;
		wf_env_name("AGENTSPEC_", parts, 2, secret, FY_ID_MAX);
		c->secrets++;
		fy_jw_obj(w);
		fy_jw_kstr(w, "$secret", secret);
		fy_jw_end(w);
		snprintf(field, sizeof(field), "components[%s].%s", parts[0], name);
		wf_note(c->notes, field, "held_back", "secret-in-configuration", c->err,
			"%s of component %s is a credential: the archive keeps the reference %s "
			"instead; set it at import", name, parts[0], secret);
	} else {
		emit_resolved(c, w, val, depth + 1, comp);
	}
}

/*
 * Copy v with references resolved, "$referenced_components" left out, and
 * credentials replaced by secret references (emit_member).
 */
static void emit_resolved(struct asrd *c, struct fy_jw *w, uint32_t v, int depth, const char *comp)
{
	const struct fy_jdoc *d = &c->a.d;
	uint32_t k, key, val;
	char *id;
	const char *here;

	v = resolve(&c->a, v);
	if (depth > AS_DEPTH || v == FY_JNONE) {
		fy_jw_null(w);
		return;
	}
	if (fy_json_type(d, v) == FY_JARRAY) {
		fy_jw_arr(w);
		FY_JSON_FOREACH(d, v, k, val)
			emit_resolved(c, w, val, depth + 1, comp);
		fy_jw_end(w);
		return;
	}
	if (fy_json_type(d, v) != FY_JOBJECT) {
		fy_jw_node(w, d, v);
		return;
	}
	id = fy_json_get_strdup(d, v, "id");
	here = id && fy_json_get(d, v, "component_type") != FY_JNONE ? id : comp;
	fy_jw_obj(w);
	FY_JSON_FOREACH_MEMBER(d, v, k, key, val) {
		size_t len;
		char *name = fy_json_strdup(d, key, &len);

		if (name && strcmp(name, "$referenced_components") != 0)
			emit_member(c, w, name, len, val, depth, here);
		free(name);
	}
	fy_jw_end(w);
	free(id);
}

/* Component fields outside skip and skip2, as members of the object being written. */
static void emit_fields(struct asrd *c, struct fy_jw *w, uint32_t comp, const char *const *skip,
			const char *const *skip2)
{
	const struct fy_jdoc *d = &c->a.d;
	uint32_t k, key, val;
	char *id = fy_json_get_strdup(d, comp, "id");

	FY_JSON_FOREACH_MEMBER(d, comp, k, key, val) {
		size_t len;
		char *name = fy_json_strdup(d, key, &len);

		if (name && !wf_in_list(name, skip) && !wf_in_list(name, skip2))
			emit_member(c, w, name, len, val, 0, id);
		free(name);
	}
	free(id);
}

static int nonempty_str(const struct fy_jdoc *d, uint32_t v)
{
	size_t len;

	if (fy_json_type(d, v) != FY_JSTRING)
		return 0;
	fy_json_raw(d, v, &len);
	return len > 0;
}

static int is_blank(const struct fy_jdoc *d, uint32_t v)
{
	enum fy_jtype t = fy_json_type(d, v);

	return t == FY_JABSENT || t == FY_JNULL ||
	       ((t == FY_JOBJECT || t == FY_JARRAY) && fy_json_len(d, v) == 0);
}

/* metadata without ferry's own key; written as key when anything is left. */
static void emit_metadata(struct asrd *c, struct fy_jw *w, const char *key, uint32_t md)
{
	static const char *const no_ferry[] = { "ferry", NULL };
	const struct fy_jdoc *d = &c->a.d;
	size_t n = fy_json_len(d, md) - (fy_json_get(d, md, "ferry") != FY_JNONE);

	if (fy_json_type(d, md) != FY_JOBJECT || n == 0)
		return;
	fy_jw_key(w, key);
	fy_jw_obj(w);
	wf_copy_members(d, md, no_ferry, w, NULL);
	fy_jw_end(w);
}

static void emit_port(struct asrd *c, struct fy_jw *w, uint32_t prop)
{
	const struct fy_jdoc *d = &c->a.d;
	uint32_t v;

	prop = resolve(&c->a, prop);
	fy_jw_obj(w);
	v = fy_json_get(d, prop, "title");
	if (fy_json_type(d, v) == FY_JSTRING)
		fy_jw_knode(w, "name", d, v);
	else
		fy_jw_kstr(w, "name", "");
	v = fy_json_get(d, prop, "type");
	if (fy_json_type(d, v) == FY_JSTRING)
		fy_jw_knode(w, "type", d, v);
	v = fy_json_get(d, prop, "default");
	if (v != FY_JNONE)
		fy_jw_knode(w, "default", d, v);
	v = fy_json_get(d, prop, "description");
	if (fy_json_type(d, v) == FY_JSTRING)
		fy_jw_knode(w, "description", d, v);
	if (fy_json_type(d, prop) == FY_JOBJECT) {
		fy_jw_key(w, "schema");
		emit_resolved(c, w, prop, 1, NULL);
	}
	fy_jw_end(w);
}

static void emit_ports(struct asrd *c, struct fy_jw *w, const char *key, uint32_t arr)
{
	const struct fy_jdoc *d = &c->a.d;
	uint32_t k, el;

	arr = resolve(&c->a, arr);
	if (fy_json_type(d, arr) != FY_JARRAY || !fy_json_len(d, arr))
		return;
	fy_jw_key(w, key);
	fy_jw_arr(w);
	FY_JSON_FOREACH(d, arr, k, el)
		emit_port(c, w, el);
	fy_jw_end(w);
}

/*
 * The tool parameters as one JSON Schema object, from the tool's input
 * properties, named by their titles. An input without a title, or with
 * one an earlier input has, is not a parameter (a property name is unique;
 * the inputs stay whole in ext.agentspec.inputs).
 */
static void emit_parameters(struct asrd *c, struct fy_jw *w, uint32_t inputs)
{
	const struct fy_jdoc *d = &c->a.d;
	struct fy_buf names = FY_BUF_INIT(AS_FILE_MAX);
	size_t n, *off, *len, i;
	uint32_t k, el;
	int req = 0;

	inputs = resolve(&c->a, inputs);
	n = fy_json_len(d, inputs);
	off = calloc(n + 1, sizeof(*off));
	len = calloc(n + 1, sizeof(*len));
	if (!off || !len) {
		if (!w->failed)
			fy_error_set(&w->err, FY_E_NOMEM, "out of memory");
		w->failed = 1;
		goto out;
	}
	FY_JSON_FOREACH(d, inputs, k, el) {
		uint32_t title = fy_json_get(d, resolve(&c->a, el), "title");

		len[k] = (size_t)-1;
		off[k] = names.len;
		if (fy_json_type(d, title) != FY_JSTRING)
			continue;
		if (fy_json_str(d, title, &names, &w->err) < 0) {
			w->failed = 1;
			goto out;
		}
		len[k] = names.len - off[k];
		for (i = 0; i < k; i++)
			if (len[i] == len[k] && (!len[k] || !memcmp(names.ptr + off[i], names.ptr + off[k], len[k])))
				len[k] = (size_t)-1;
	}
	if (!names.ptr && fy_buf_add(&names, "", 0, &w->err) < 0) {
		w->failed = 1;
		goto out;
	}
	fy_jw_key(w, "parameters");
	fy_jw_obj(w);
	fy_jw_kstr(w, "type", "object");
	fy_jw_key(w, "properties");
	fy_jw_obj(w);
	FY_JSON_FOREACH(d, inputs, k, el) {
		static const char *const no_title[] = { "title", NULL };

		if (len[k] == (size_t)-1)
			continue;
		fy_jw_keyn(w, names.ptr + off[k], len[k]);
		fy_jw_obj(w);
		wf_copy_members(d, resolve(&c->a, el), no_title, w, NULL);
		fy_jw_end(w);
	}
	fy_jw_end(w);
	FY_JSON_FOREACH(d, inputs, k, el) {
		if (len[k] == (size_t)-1 || fy_json_get(d, resolve(&c->a, el), "default") != FY_JNONE)
			continue;
		if (!req) {
			fy_jw_key(w, "required");
			fy_jw_arr(w);
			req = 1;
		}
		fy_jw_strn(w, names.ptr + off[k], len[k]);
	}
	if (req)
		fy_jw_end(w);
	fy_jw_end(w);
out:
	free(off);
	free(len);
	fy_buf_release(&names);
}

static void emit_source(struct asrd *c, struct fy_jw *w, uint32_t comp)
{
	fy_jw_key(w, "source");
	fy_jw_obj(w);
	fy_jw_kstr(w, "adapter", "agentspec");
	fy_jw_knode_opt(w, "id", &c->a.d, fy_json_get(&c->a.d, comp, "id"));
	fy_jw_kstr_opt(w, "path", c->path);
	fy_jw_end(w);
}

static int push_record(struct asrd *c, struct fy_jw *w)
{
	if (fy_jw_finish(w, c->err) < 0)
		return -1;
	return wf_queue_push(c->q, FY_ITEM_RECORD, c->rec.ptr, c->rec.len, NULL, c->err);
}

/* A component's name (its id when it has none) and description, as record fields. */
static void emit_name_desc(struct asrd *c, struct fy_jw *w, uint32_t comp, const char *fallback)
{
	const struct fy_jdoc *d = &c->a.d;

	fy_jw_key(w, "name");
	if (nonempty_str(d, fy_json_get(d, comp, "name")))
		fy_jw_node(w, d, fy_json_get(d, comp, "name"));
	else
		fy_jw_str(w, fallback);
	if (fy_json_type(d, fy_json_get(d, comp, "description")) == FY_JSTRING)
		fy_jw_knode(w, "description", d, fy_json_get(d, comp, "description"));
}

static int read_tool(struct asrd *c, uint32_t tool)
{
	static const char *const mapped[] = { "id", "name", "description", "metadata",
		"$referenced_components", "agentspec_version", NULL };
	const struct fy_jdoc *d = &c->a.d;
	char *id = cstr(&c->a, tool, "id"), *ct = cstr(&c->a, tool, "component_type");
	char rid[FY_ID_MAX + 1];
	struct fy_jw w;
	uint32_t tr;

	if (!id) {
		free(ct);
		return fy_error_set(c->err, FY_E_DATA, "a tool without an id");
	}
	fy_id_make(id, strlen(id), rid);
	if (seen_before(c, "tool", rid)) {
		free(id);
		free(ct);
		return 0;
	}
	snprintf(c->note_id, sizeof(c->note_id), "%s", rid);
	c->notes->kind = "tool";
	c->notes->id = c->note_id;
	fy_buf_reset(&c->rec);
	fy_jw_init(&w, &c->rec);
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "kind", "tool");
	fy_jw_kstr(&w, "id", rid);
	fy_jw_kstr(&w, "type", ct && strcmp(ct, "MCPTool") == 0 ? "mcp" : "function");
	emit_name_desc(c, &w, tool, id);
	emit_parameters(c, &w, fy_json_get(d, tool, "inputs"));
	tr = resolve(&c->a, fy_json_get(d, tool, "client_transport"));
	if (ct && strcmp(ct, "MCPTool") == 0 && fy_json_type(d, tr) == FY_JOBJECT) {
		fy_jw_key(&w, "mcp");
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "server_label", id);
		fy_jw_knode_opt(&w, "server_url", d, fy_json_get(d, tr, "url"));
		fy_jw_knode_opt(&w, "transport", d, fy_json_get(d, tr, "component_type"));
		fy_jw_end(&w);
	}
	emit_metadata(c, &w, "metadata", resolve(&c->a, fy_json_get(d, tool, "metadata")));
	emit_source(c, &w, tool);
	fy_jw_key(&w, "ext");
	fy_jw_obj(&w);
	fy_jw_key(&w, "agentspec");
	fy_jw_obj(&w);
	emit_fields(c, &w, tool, mapped, NULL);
	fy_jw_end(&w);
	fy_jw_end(&w);
	fy_jw_end(&w);
	free(id);
	free(ct);
	return push_record(c, &w);
}

static void emit_model(struct asrd *c, struct fy_jw *w, uint32_t cfg)
{
	const struct fy_jdoc *d = &c->a.d;
	char *ct = cstr(&c->a, cfg, "component_type");
	uint32_t mid = fy_json_get(d, cfg, "model_id"), gp;
	char prov[64];

	if (!ct || !nonempty_str(d, mid)) {
		free(ct);
		return;
	}
	llm_provider(ct, prov, sizeof(prov));
	fy_jw_key(w, "model");
	fy_jw_obj(w);
	fy_jw_kstr(w, "provider", prov);
	fy_jw_knode(w, "name", d, mid);
	gp = resolve(&c->a, fy_json_get(d, cfg, "default_generation_parameters"));
	if (fy_json_type(d, gp) == FY_JOBJECT && fy_json_len(d, gp)) {
		fy_jw_key(w, "parameters");
		emit_resolved(c, w, gp, 1, NULL);
	}
	fy_jw_end(w);
	free(ct);
}

static int read_agent(struct asrd *c, uint32_t ag)
{
	static const char *const mapped[] = { "id", "name", "description", "metadata",
		"system_prompt", "tools", "$referenced_components", NULL };
	const struct fy_jdoc *d = &c->a.d;
	uint32_t tools = resolve(&c->a, fy_json_get(d, ag, "tools")), k, el;
	uint32_t llm = resolve(&c->a, fy_json_get(d, ag, "llm_config"));
	char *id = cstr(&c->a, ag, "id");
	char rid[FY_ID_MAX + 1];
	struct fy_jw w;

	if (!id)
		return fy_error_set(c->err, FY_E_DATA, "an Agent without an id");
	fy_id_make(id, strlen(id), rid);
	free(id);
	snprintf(c->note_id, sizeof(c->note_id), "%s", rid);
	c->notes->kind = "agent";
	c->notes->id = c->note_id;
	fy_buf_reset(&c->rec);
	fy_jw_init(&w, &c->rec);
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "kind", "agent");
	fy_jw_kstr(&w, "id", rid);
	emit_name_desc(c, &w, ag, rid);
	if (fy_json_type(d, fy_json_get(d, ag, "system_prompt")) == FY_JSTRING)
		fy_jw_knode(&w, "instructions", d, fy_json_get(d, ag, "system_prompt"));
	emit_model(c, &w, llm);
	if (fy_json_len(d, tools)) {
		fy_jw_key(&w, "tools");
		fy_jw_arr(&w);
		FY_JSON_FOREACH(d, tools, k, el) {
			char *tid = cstr(&c->a, resolve(&c->a, el), "id");
			char t[FY_ID_MAX + 1];

			if (tid) {
				fy_id_make(tid, strlen(tid), t);
				fy_jw_str(&w, t);
			}
			free(tid);
		}
		fy_jw_end(&w);
	}
	emit_metadata(c, &w, "metadata", resolve(&c->a, fy_json_get(d, ag, "metadata")));
	emit_source(c, &w, ag);
	fy_jw_key(&w, "ext");
	fy_jw_obj(&w);
	fy_jw_key(&w, "agentspec");
	fy_jw_obj(&w);
	emit_fields(c, &w, ag, mapped, NULL);
	if (c->top_version && fy_json_get(d, ag, "agentspec_version") == FY_JNONE)
		fy_jw_kstr(&w, "agentspec_version", c->top_version);
	fy_jw_end(&w);
	fy_jw_end(&w);
	fy_jw_end(&w);
	if (push_record(c, &w) < 0)
		return -1;
	FY_JSON_FOREACH(d, tools, k, el)
		if (read_tool(c, resolve(&c->a, el)) < 0)
			return -1;
	return 0;
}

/* --- Flow -> workflow --- */

struct attach {
	uint32_t comp;		/* the attached component */
	char *id;
	char *to;		/* the consuming node's id */
	const char *kind;	/* ai_languageModel, ai_tool */
};

struct flowrd {
	struct asrd *c;
	struct attach *at;
	size_t nat, capat;
};

static int add_attach(struct flowrd *f, uint32_t comp, const char *to, const char *kind)
{
	struct attach *a;

	comp = resolve(&f->c->a, comp);
	if (fy_json_type(&f->c->a.d, comp) != FY_JOBJECT)
		return 0;
	if (f->nat == f->capat) {
		size_t cap = f->capat ? f->capat * 2 : 16;
		struct attach *p = realloc(f->at, cap * sizeof(*p));

		if (!p)
			return fy_error_set(f->c->err, FY_E_NOMEM, "out of memory");
		f->at = p;
		f->capat = cap;
	}
	a = &f->at[f->nat];
	a->comp = comp;
	a->id = cstr(&f->c->a, comp, "id");
	a->to = strdup(to);
	a->kind = kind;
	if (!a->id || !a->to) {
		free(a->id);
		free(a->to);
		return fy_error_set(f->c->err, FY_E_DATA, "an attached component without an id");
	}
	f->nat++;
	return 0;
}

/* Write a node as ferry wrote it (FerryNode, or metadata.ferry): the neutral node restored. */
static int emit_restored(struct flowrd *f, struct fy_jw *w, uint32_t comp, uint32_t neutral)
{
	static const char *const skip[] = { "id", "name", "description", "inputs", "outputs", NULL };
	struct asrd *c = f->c;
	const struct fy_jdoc *d = &c->a.d;
	uint32_t v;

	fy_jw_obj(w);
	fy_jw_knode(w, "id", d, fy_json_get(d, comp, "id"));
	v = fy_json_get(d, comp, "name");
	if (fy_json_type(d, v) == FY_JSTRING)
		fy_jw_knode(w, "name", d, v);
	v = fy_json_get(d, comp, "description");
	if (fy_json_type(d, v) == FY_JSTRING)
		fy_jw_knode(w, "description", d, v);
	wf_copy_members(d, neutral, skip, w, NULL);
	emit_ports(c, w, "inputs", fy_json_get(d, comp, "inputs"));
	emit_ports(c, w, "outputs", fy_json_get(d, comp, "outputs"));
	fy_jw_end(w);
	return 0;
}

/* A node component (a flow node, or an attached LlmConfig / tool). */
static int emit_node(struct flowrd *f, struct fy_jw *w, uint32_t comp, const char *kind_override)
{
	static const char *const attached_keys[] = { "llm_config", "tools", "tool", NULL };
	struct asrd *c = f->c;
	const struct fy_jdoc *d = &c->a.d;
	char *ct = cstr(&c->a, comp, "component_type"), *id = cstr(&c->a, comp, "id");
	uint32_t md = resolve(&c->a, fy_json_get(d, comp, "metadata"));
	uint32_t ferry = fy_json_get(d, md, "ferry");
	const char *kind = kind_override ? kind_override : node_kind(ct);
	uint32_t v;
	int rc = 0;

	if (!id) {
		free(ct);
		return fy_error_set(c->err, FY_E_DATA, "a node without an id");
	}
	if (ct && strcmp(ct, "FerryNode") == 0 &&
	    fy_json_type(d, fy_json_get(d, comp, "ferry_node")) == FY_JOBJECT) {
		rc = emit_restored(f, w, comp, fy_json_get(d, comp, "ferry_node"));
		goto attach;
	}
	if (fy_json_type(d, ferry) == FY_JOBJECT && fy_json_get(d, ferry, "type") != FY_JNONE) {
		rc = emit_restored(f, w, comp, ferry);
		goto attach;
	}
	if (!kind) {
		char field[512];

		kind = "other";
		snprintf(field, sizeof(field), "nodes[%s]", id);
		rc = wf_note(c->notes, field, "preserved", "provider-only-node", c->err,
			     "Agent Spec component %s (%s) is no node of the 25.4.1 standard "
			     "library: kept verbatim as type 'other'", id, ct ? ct : "(no type)");
		if (rc < 0)
			goto out;
	}
	fy_jw_obj(w);
	fy_jw_kstr(w, "id", id);
	fy_jw_kstr(w, "type", kind);
	fy_jw_kstr_opt(w, "provider_type", ct);
	v = fy_json_get(d, comp, "name");
	if (fy_json_type(d, v) == FY_JSTRING)
		fy_jw_knode(w, "name", d, v);
	v = fy_json_get(d, comp, "description");
	if (fy_json_type(d, v) == FY_JSTRING)
		fy_jw_knode(w, "description", d, v);
	/* config: the component's own fields; an AgentNode's agent without what is attached */
	fy_jw_key(w, "config");
	fy_jw_obj(w);
	if (ct && strcmp(ct, "AgentNode") == 0) {
		uint32_t ag = resolve(&c->a, fy_json_get(d, comp, "agent"));
		static const char *const agent_only[] = { "agent", NULL };

		emit_fields(c, w, comp, std_keys, agent_only);
		if (fy_json_type(d, ag) == FY_JOBJECT) {
			static const char *const no_ref[] = { "$referenced_components", NULL };

			fy_jw_key(w, "agent");
			fy_jw_obj(w);
			emit_fields(c, w, ag, attached_keys, no_ref);
			fy_jw_end(w);
		}
	} else if (!kind_override) {
		emit_fields(c, w, comp, std_keys, attached_keys);
	} else {
		emit_fields(c, w, comp, std_keys, NULL);
	}
	fy_jw_end(w);
	fy_jw_kstr(w, "dialect", "agentspec");
	if (kind_override && strcmp(kind_override, "model") == 0)
		emit_model(c, w, comp);
	if (ct && (strcmp(ct, "LlmNode") == 0 || strcmp(ct, "AgentNode") == 0)) {
		uint32_t owner = strcmp(ct, "AgentNode") == 0 ? resolve(&c->a, fy_json_get(d, comp, "agent"))
							       : comp;
		v = fy_json_get(d, owner, "system_prompt");
		if (fy_json_type(d, v) == FY_JSTRING)
			fy_jw_knode(w, "instructions", d, v);
		v = fy_json_get(d, comp, "prompt_template");
		if (fy_json_type(d, v) == FY_JSTRING)
			fy_jw_knode(w, "prompt", d, v);
	}
	emit_ports(c, w, "inputs", fy_json_get(d, comp, "inputs"));
	emit_ports(c, w, "outputs", fy_json_get(d, comp, "outputs"));
	if (fy_json_type(d, md) == FY_JOBJECT &&
	    fy_json_len(d, md) > (fy_json_get(d, md, "ferry") != FY_JNONE)) {
		fy_jw_key(w, "ext");
		fy_jw_obj(w);
		fy_jw_key(w, "agentspec");
		fy_jw_obj(w);
		emit_metadata(c, w, "metadata", md);
		fy_jw_end(w);
		fy_jw_end(w);
	}
	fy_jw_end(w);
attach:
	/* what it refers to becomes attached nodes */
	if (rc == 0 && !kind_override && ct) {
		uint32_t owner = strcmp(ct, "AgentNode") == 0 ? resolve(&c->a, fy_json_get(d, comp, "agent"))
							       : comp;
		uint32_t tools = resolve(&c->a, fy_json_get(d, owner, "tools")), k, el;

		if (fy_json_get(d, owner, "llm_config") != FY_JNONE &&
		    (rc = add_attach(f, fy_json_get(d, owner, "llm_config"), id, "ai_languageModel")) < 0)
			goto out;
		FY_JSON_FOREACH(d, tools, k, el)
			if ((rc = add_attach(f, el, id, "ai_tool")) < 0)
				goto out;
		if (fy_json_get(d, comp, "tool") != FY_JNONE &&
		    (rc = add_attach(f, fy_json_get(d, comp, "tool"), id, "ai_tool")) < 0)
			goto out;
	}
out:
	free(ct);
	free(id);
	return rc;
}

static void emit_component_edge_ext(struct asrd *c, struct fy_jw *w, uint32_t e)
{
	const struct fy_jdoc *d = &c->a.d;
	uint32_t desc = fy_json_get(d, e, "description");
	uint32_t md = resolve(&c->a, fy_json_get(d, e, "metadata"));

	if (fy_json_type(d, desc) != FY_JSTRING && is_blank(d, md))
		return;
	fy_jw_key(w, "ext");
	fy_jw_obj(w);
	fy_jw_key(w, "agentspec");
	fy_jw_obj(w);
	if (fy_json_type(d, desc) == FY_JSTRING)
		fy_jw_knode(w, "description", d, desc);
	if (!is_blank(d, md)) {
		fy_jw_key(w, "metadata");
		emit_resolved(c, w, md, 1, NULL);
	}
	fy_jw_end(w);
	fy_jw_end(w);
}

static void emit_edge_ids(struct asrd *c, struct fy_jw *w, uint32_t e)
{
	const struct fy_jdoc *d = &c->a.d;

	if (fy_json_type(d, fy_json_get(d, e, "id")) == FY_JSTRING)
		fy_jw_knode(w, "id", d, fy_json_get(d, e, "id"));
	if (fy_json_type(d, fy_json_get(d, e, "name")) == FY_JSTRING)
		fy_jw_knode(w, "name", d, fy_json_get(d, e, "name"));
}

static void emit_ref_id(struct asrd *c, struct fy_jw *w, const char *key, uint32_t ref)
{
	char *id = cstr(&c->a, resolve(&c->a, ref), "id");

	fy_jw_kstr(w, key, id ? id : "");
	free(id);
}

/* A node ferry added when it wrote the flow (metadata.ferry.added): left out on reading. */
static int is_added(const struct asdoc *a, uint32_t comp)
{
	uint32_t md = resolve(a, fy_json_get(&a->d, comp, "metadata"));

	return fy_json_type(&a->d, fy_json_get(&a->d, fy_json_get(&a->d, md, "ferry"), "added")) == FY_JTRUE;
}

static int read_flow(struct asrd *c, uint32_t flow)
{
	static const char *const mapped[] = { "id", "name", "description", "metadata", "inputs",
		"outputs", "nodes", "control_flow_connections", "$referenced_components", NULL };
	const struct fy_jdoc *d = &c->a.d;
	uint32_t nodes = resolve(&c->a, fy_json_get(d, flow, "nodes"));
	uint32_t cf = resolve(&c->a, fy_json_get(d, flow, "control_flow_connections"));
	uint32_t df = resolve(&c->a, fy_json_get(d, flow, "data_flow_connections"));
	uint32_t k, el;
	char *id = cstr(&c->a, flow, "id");
	char rid[FY_ID_MAX + 1];
	struct flowrd f;
	struct fy_jw w;
	size_t i, j;
	int rc = -1;

	memset(&f, 0, sizeof(f));
	f.c = c;
	if (!id)
		return fy_error_set(c->err, FY_E_DATA, "a Flow without an id");
	fy_id_make(id, strlen(id), rid);
	snprintf(c->note_id, sizeof(c->note_id), "%s", rid);
	c->notes->kind = "workflow";
	c->notes->id = c->note_id;
	fy_buf_reset(&c->rec);
	fy_jw_init(&w, &c->rec);
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "kind", "workflow");
	fy_jw_kstr(&w, "id", rid);
	emit_name_desc(c, &w, flow, id);
	{
		uint32_t fmd = fy_json_get(d, resolve(&c->a, fy_json_get(d, flow, "metadata")), "ferry");
		static const char *const keep[] = { "active", "created", "updated", "tags", NULL };
		const char *const *kk;

		for (kk = keep; *kk; kk++)
			fy_jw_knode_opt(&w, *kk, d, fy_json_get(d, fmd, *kk));
	}
	fy_jw_key(&w, "nodes");
	fy_jw_arr(&w);
	FY_JSON_FOREACH(d, nodes, k, el)
		if (!is_added(&c->a, resolve(&c->a, el)) && emit_node(&f, &w, resolve(&c->a, el), NULL) < 0)
			goto out;
	/* attached components, once each, in order of first use */
	for (i = 0; i < f.nat; i++) {
		const char *ct;
		char *cts;
		int seen = 0;

		for (j = 0; j < i; j++)
			if (strcmp(f.at[j].id, f.at[i].id) == 0)
				seen = 1;
		if (seen)
			continue;
		cts = cstr(&c->a, f.at[i].comp, "component_type");
		ct = cts ? cts : "";
		if (emit_node(&f, &w, f.at[i].comp,
			      strcmp(f.at[i].kind, "ai_languageModel") == 0 || is_llm_config(ct) ? "model" : "tool") < 0) {
			free(cts);
			goto out;
		}
		free(cts);
	}
	fy_jw_end(&w);
	fy_jw_key(&w, "edges");
	fy_jw_arr(&w);
	FY_JSON_FOREACH(d, cf, k, el) {
		uint32_t e = resolve(&c->a, el), fb;

		if (is_added(&c->a, resolve(&c->a, fy_json_get(d, e, "from_node"))) ||
		    is_added(&c->a, resolve(&c->a, fy_json_get(d, e, "to_node"))))
			continue;
		fy_jw_obj(&w);
		emit_edge_ids(c, &w, e);
		emit_ref_id(c, &w, "from", fy_json_get(d, e, "from_node"));
		emit_ref_id(c, &w, "to", fy_json_get(d, e, "to_node"));
		fb = fy_json_get(d, e, "from_branch");
		if (fy_json_type(d, fb) == FY_JSTRING)
			fy_jw_knode(&w, "from_port", d, fb);
		fy_jw_kstr(&w, "kind", "control");
		emit_component_edge_ext(c, &w, e);
		fy_jw_end(&w);
	}
	FY_JSON_FOREACH(d, df, k, el) {
		uint32_t e = resolve(&c->a, el);

		fy_jw_obj(&w);
		emit_edge_ids(c, &w, e);
		emit_ref_id(c, &w, "from", fy_json_get(d, e, "source_node"));
		emit_ref_id(c, &w, "to", fy_json_get(d, e, "destination_node"));
		fy_jw_knode_opt(&w, "from_port", d, fy_json_get(d, e, "source_output"));
		fy_jw_knode_opt(&w, "to_port", d, fy_json_get(d, e, "destination_input"));
		fy_jw_kstr(&w, "kind", "data");
		emit_component_edge_ext(c, &w, e);
		fy_jw_end(&w);
	}
	for (i = 0; i < f.nat; i++) {
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "from", f.at[i].id);
		fy_jw_kstr(&w, "to", f.at[i].to);
		fy_jw_kstr(&w, "kind", f.at[i].kind);
		fy_jw_end(&w);
	}
	/* FerryNode attachments */
	FY_JSON_FOREACH(d, nodes, k, el) {
		uint32_t n = resolve(&c->a, el), att = fy_json_get(d, n, "attached_to"), a, ae;

		if (!fy_json_streq(d, fy_json_get(d, n, "component_type"), "FerryNode"))
			continue;
		FY_JSON_FOREACH(d, att, a, ae) {
			fy_jw_obj(&w);
			emit_ref_id(c, &w, "from", n);
			emit_ref_id(c, &w, "to", fy_json_get(d, ae, "node"));
			fy_jw_knode(&w, "kind", d, fy_json_get(d, ae, "kind"));
			fy_jw_end(&w);
		}
	}
	fy_jw_end(&w);
	{
		uint32_t in = resolve(&c->a, fy_json_get(d, flow, "inputs"));
		uint32_t out = resolve(&c->a, fy_json_get(d, flow, "outputs"));

		if (fy_json_len(d, in)) {
			fy_jw_key(&w, "variables");
			fy_jw_arr(&w);
			FY_JSON_FOREACH(d, in, k, el)
				emit_port(c, &w, el);
			fy_jw_end(&w);
		}
		if (fy_json_len(d, out)) {
			fy_jw_key(&w, "outputs");
			fy_jw_arr(&w);
			FY_JSON_FOREACH(d, out, k, el)
				emit_port(c, &w, el);
			fy_jw_end(&w);
		}
	}
	emit_metadata(c, &w, "metadata", resolve(&c->a, fy_json_get(d, flow, "metadata")));
	emit_source(c, &w, flow);
	/* ext.agentspec: start_node as an id, the version, data_flow_connections when null */
	fy_jw_key(&w, "ext");
	fy_jw_obj(&w);
	fy_jw_key(&w, "agentspec");
	fy_jw_obj(&w);
	{
		static const char *const more[] = { "start_node", "data_flow_connections", NULL };

		emit_fields(c, &w, flow, mapped, more);
	}
	if (fy_json_get(d, flow, "start_node") != FY_JNONE)
		emit_ref_id(c, &w, "start_node", fy_json_get(d, flow, "start_node"));
	if (fy_json_type(d, fy_json_get(d, flow, "data_flow_connections")) == FY_JNULL)
		fy_jw_knode(&w, "data_flow_connections", d, fy_json_get(d, flow, "data_flow_connections"));
	if (c->top_version && fy_json_get(d, flow, "agentspec_version") == FY_JNONE)
		fy_jw_kstr(&w, "agentspec_version", c->top_version);
	fy_jw_end(&w);
	{
		/* other providers' ext, kept by ferry in metadata.ferry.ext */
		uint32_t fx = fy_json_get(d, fy_json_get(d, resolve(&c->a, fy_json_get(d, flow, "metadata")),
							 "ferry"), "ext");
		static const char *const no_as[] = { "agentspec", NULL };

		if (fy_json_type(d, fx) == FY_JOBJECT)
			wf_copy_members(d, fx, no_as, &w, NULL);
	}
	fy_jw_end(&w);
	fy_jw_end(&w);
	rc = push_record(c, &w);
out:
	for (i = 0; i < f.nat; i++) {
		free(f.at[i].id);
		free(f.at[i].to);
	}
	free(f.at);
	free(id);
	return rc;
}

/* Map one document (root 0 of c->a.d) into queued items. */
/* One top-level component: an Agent, a Flow or a tool. */
static int read_component(struct asrd *c, uint32_t comp)
{
	char *ct = cstr(&c->a, comp, "component_type"), *v;
	int rc;

	if (!ct)
		return fy_error_set(c->err, FY_E_DATA, "a component without a component_type");
	c->notes->kind = strcmp(ct, "Agent") == 0 ? "agent" : strcmp(ct, "Flow") == 0 ? "workflow" : "tool";
	c->notes->id = NULL;
	if ((v = cstr(&c->a, comp, "agentspec_version"))) {
		snprintf(c->version, sizeof(c->version), "%s", v);
		c->top_version = c->version;
		free(v);
	}
	if (strcmp(ct, "Agent") == 0)
		rc = read_agent(c, comp);
	else if (strcmp(ct, "Flow") == 0)
		rc = read_flow(c, comp);
	else if (wf_in_list(ct, tool_types))
		rc = read_tool(c, comp);
	else
		rc = fy_error_set(c->err, FY_E_UNSUPPORTED,
				  "a top-level %s is not read (Agent, Flow and tools are)", ct);
	free(ct);
	return rc;
}

/*
 * Map one document (root 0 of c->a.d) into queued items: one component, or
 * a file of disaggregated components (only "$referenced_components" at the
 * top, as the specification allows), whose agents, flows and tools are
 * read and whose other components are left for those to refer to.
 */
static int read_document(struct asrd *c)
{
	const struct fy_jdoc *d = &c->a.d;
	uint32_t refs = fy_json_get(d, 0, "$referenced_components"), k, key, val;

	if (fy_json_type(d, 0) != FY_JOBJECT)
		return fy_error_set(c->err, FY_E_DATA, "not an Agent Spec document (not a JSON object)");
	if (asdoc_collect(&c->a, 0, 0, c->err) < 0)
		return -1;
	c->top_version = NULL;
	if (fy_json_get(d, 0, "component_type") != FY_JNONE)
		return read_component(c, 0);
	if (fy_json_type(d, refs) != FY_JOBJECT)
		return fy_error_set(c->err, FY_E_DATA, "no component_type at the top and no "
				    "$referenced_components: not an Agent Spec document");
	/* the agents first: the tools they hold are read with them */
	FY_JSON_FOREACH_MEMBER(d, refs, k, key, val)
		if (fy_json_streq(d, fy_json_get(d, val, "component_type"), "Agent") &&
		    read_component(c, val) < 0)
			return -1;
	FY_JSON_FOREACH_MEMBER(d, refs, k, key, val) {
		uint32_t ct = fy_json_get(d, val, "component_type");
		char *t = fy_json_strdup(d, ct, NULL);
		int rc = 0;

		if (t && (strcmp(t, "Flow") == 0 || wf_in_list(t, tool_types)))
			rc = read_component(c, val);
		free(t);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/*
 * The mapping of one document, without I/O (tests/fuzz/fuzz_agentspec.c
 * calls it directly): text (read from path, which names it in source.path)
 * into records and ledger lines queued on q, ledger lines through notes;
 * rec is scratch space. *secrets receives how many credential values were
 * replaced by references. note_id (FY_ID_MAX + 1 bytes) receives the id
 * of the record the last ledger lines were about: notes->id points there
 * on return, for the caller's own lines about the document.
 */
int fy_agentspec_map(const char *text, size_t len, const char *path, struct wf_queue *q,
		     struct wf_notes *notes, struct fy_buf *rec, unsigned *secrets, char *note_id,
		     struct fy_error *err);

int fy_agentspec_map(const char *text, size_t len, const char *path, struct wf_queue *q,
		     struct wf_notes *notes, struct fy_buf *rec, unsigned *secrets, char *note_id,
		     struct fy_error *err)
{
	struct asrd c;
	int rc;

	memset(&c, 0, sizeof(c));
	fy_jdoc_init(&c.a.d);
	c.q = q;
	c.notes = notes;
	c.rec = *rec;
	c.path = path;
	c.err = err;
	rc = fy_jdoc_parse(&c.a.d, text, len, 0, err);
	if (rc == 0)
		rc = read_document(&c);
	*rec = c.rec;
	*secrets = c.secrets;
	/* c.note_id goes with this frame: what notes->id points to moves to the caller's */
	memcpy(note_id, c.note_id, sizeof(c.note_id));
	if (notes->id == c.note_id)
		notes->id = note_id;
	asdoc_release(&c.a);
	while (c.nseen)
		free(c.seen[--c.nseen]);
	free(c.seen);
	return rc;
}

/* --- the source ------------------------------------------------------------ */

struct as_src {
	struct wf_queue q;
	struct wf_notes notes;
	struct fy_buf text, rec;
	char *root;
	int is_dir;
	char **files;
	size_t nfiles, next;
	char note_id[FY_ID_MAX + 1];	/* notes.id after a document (fy_agentspec_map) */
};

static void as_src_close(void *state)
{
	struct as_src *s = state;

	if (!s)
		return;
	wf_queue_release(&s->q);
	fy_buf_release(&s->text);
	fy_buf_release(&s->rec);
	free(s->root);
	wf_names_free(s->files, s->nfiles);
	free(s);
}

static int as_src_open(const struct fy_adapter_ctx *ctx, void **state, struct fy_source_info *info,
		       struct fy_error *err)
{
	struct as_src *s = calloc(1, sizeof(*s));
	struct stat st;

	if (!s)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	wf_queue_init(&s->q);
	fy_buf_init(&s->text, AS_FILE_MAX);
	fy_buf_init(&s->rec, (size_t)64 << 20);
	s->notes.line = wf_queue_line;
	s->notes.ctx = &s->q;
	s->notes.adapter = "agentspec";
	s->notes.phase = "export";
	s->root = strdup(*ctx->location ? ctx->location : ".");
	if (!s->root) {
		as_src_close(s);
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	if (stat(s->root, &st) < 0) {
		fy_error_errno(err, errno, "agentspec: %s", s->root);
		as_src_close(s);
		return -1;
	}
	info->created = st.st_mtime;
	if (S_ISDIR(st.st_mode)) {
		size_t i;

		s->is_dir = 1;
		if (wf_list_dir(s->root, 0, &s->files, &s->nfiles, err) < 0) {
			as_src_close(s);
			return fy_error_prefix(err, "agentspec");
		}
		for (i = 0; i < s->nfiles; i++) {
			char p[PATH_MAX];
			struct stat fs;

			snprintf(p, sizeof(p), "%s/%s", s->root, s->files[i]);
			if (stat(p, &fs) == 0 && fs.st_mtime > info->created)
				info->created = fs.st_mtime;
		}
	} else {
		s->nfiles = 1;
	}
	*state = s;
	return 0;
}

static int as_src_next(void *state, struct fy_item *it, struct fy_error *err)
{
	struct as_src *s = state;

	for (;;) {
		char path[PATH_MAX], raw[PATH_MAX + 32];
		const char *rel;
		unsigned secrets;
		int rc;

		if (wf_queue_pop(&s->q, it))
			return 1;
		if (s->next == s->nfiles)
			return 0;
		if (s->is_dir) {
			rel = s->files[s->next];
			snprintf(path, sizeof(path), "%s/%s", s->root, rel);
		} else {
			rel = strrchr(s->root, '/') ? strrchr(s->root, '/') + 1 : s->root;
			snprintf(path, sizeof(path), "%s", s->root);
		}
		s->next++;
		if (wf_read_file(path, AS_FILE_MAX, &s->text, err) < 0)
			return fy_error_prefix(err, "agentspec");
		rc = fy_agentspec_map(s->text.ptr ? s->text.ptr : "", s->text.len, rel, &s->q, &s->notes,
				      &s->rec, &secrets, s->note_id, err);
		if (rc < 0)
			return fy_error_prefix(err, "agentspec: %s", path);
		if (secrets) {
			/* the original holds the credentials the records do not: it stays out */
			if (wf_note(&s->notes, NULL, "warning", "raw-original-withheld", err,
				    "%s holds %u credential value%s: its original is not kept under raw/ "
				    "(the records keep everything else)", rel, secrets,
				    secrets == 1 ? "" : "s") < 0)
				return -1;
			continue;
		}
		snprintf(raw, sizeof(raw), "agentspec/%s", rel);
		if (wf_queue_push(&s->q, FY_ITEM_RAW, s->text.ptr ? s->text.ptr : "", s->text.len, raw,
				  err) < 0)
			return -1;
	}
}

/* --- writing ---------------------------------------------------------------- */

static const char *const as_node_types[] = { "StartNode", "EndNode", "LlmNode", "AgentNode",
	"ToolNode", "ApiNode", "BranchingNode", "MapNode", "ParallelMapNode", "ParallelFlowNode",
	"FlowNode", "InputMessageNode", "OutputMessageNode", "CatchExceptionNode", NULL };

struct wctx {
	const struct fy_jdoc *d;
	struct wf_notes *notes;
	struct fy_error *err;
	const char *version;
	char vbuf[64];
};

/*
 * Copy a config value back into a document: {"$secret": NAME} becomes the
 * value of the environment variable NAME (the user bound it), or "" with a
 * held_back line.
 */
static void emit_unsecret(struct wctx *c, struct fy_jw *w, uint32_t v, int depth)
{
	const struct fy_jdoc *d = c->d;
	uint32_t k, key, val, sec = fy_json_get(d, v, "$secret");

	if (fy_json_type(d, sec) == FY_JSTRING && fy_json_len(d, v) == 1) {
		char *name = fy_json_strdup(d, sec, NULL);
		const char *bound = name ? getenv(name) : NULL;

		fy_jw_str(w, bound ? bound : "");
		if (!bound)
			wf_note(c->notes, NULL, "held_back", "secret-binding", c->err,
				"%s was not set: the value it stands for is written empty", name ? name : "");
		free(name);
		return;
	}
	if (depth > AS_DEPTH) {
		fy_jw_null(w);
		return;
	}
	if (fy_json_type(d, v) == FY_JARRAY) {
		fy_jw_arr(w);
		FY_JSON_FOREACH(d, v, k, val)
			emit_unsecret(c, w, val, depth + 1);
		fy_jw_end(w);
	} else if (fy_json_type(d, v) == FY_JOBJECT) {
		fy_jw_obj(w);
		FY_JSON_FOREACH_MEMBER(d, v, k, key, val) {
			size_t len;
			char *name = fy_json_strdup(d, key, &len);

			fy_jw_keyn(w, name ? name : "", name ? len : 0);
			emit_unsecret(c, w, val, depth + 1);
			free(name);
		}
		fy_jw_end(w);
	} else {
		fy_jw_node(w, d, v);
	}
}

/* Members of obj except skip, secrets bound, into the object being written. */
static void emit_members(struct wctx *c, struct fy_jw *w, uint32_t obj, const char *const *skip)
{
	const struct fy_jdoc *d = c->d;
	uint32_t k, key, val;

	FY_JSON_FOREACH_MEMBER(d, obj, k, key, val) {
		size_t len;
		char *name = fy_json_strdup(d, key, &len);

		if (name && !wf_in_list(name, skip)) {
			fy_jw_keyn(w, name, len);
			emit_unsecret(c, w, val, 1);
		}
		free(name);
	}
}

/* A port list as Agent Spec properties: the schema when kept, else one made from the fields. */
static void emit_props(struct wctx *c, struct fy_jw *w, const char *key, uint32_t ports)
{
	const struct fy_jdoc *d = c->d;
	uint32_t k, el;

	fy_jw_key(w, key);
	fy_jw_arr(w);
	FY_JSON_FOREACH(d, ports, k, el) {
		uint32_t schema = fy_json_get(d, el, "schema");

		if (fy_json_type(d, schema) == FY_JOBJECT) {
			fy_jw_node(w, d, schema);
			continue;
		}
		fy_jw_obj(w);
		fy_jw_knode(w, "title", d, fy_json_get(d, el, "name"));
		if (fy_json_type(d, fy_json_get(d, el, "type")) == FY_JSTRING)
			fy_jw_knode(w, "type", d, fy_json_get(d, el, "type"));
		else
			fy_jw_kstr(w, "type", "string");
		fy_jw_knode_opt(w, "default", d, fy_json_get(d, el, "default"));
		fy_jw_knode_opt(w, "description", d, fy_json_get(d, el, "description"));
		fy_jw_end(w);
	}
	fy_jw_end(w);
}

/* id, name, description, metadata: the fields every component starts with. */
static void emit_head(struct wctx *c, struct fy_jw *w, const char *ct, const char *id,
		      uint32_t name, uint32_t desc, uint32_t meta, uint32_t ferry_node)
{
	static const char *const not_ferry[] = { "id", "name", "description", "inputs", "outputs",
		NULL };
	const struct fy_jdoc *d = c->d;

	fy_jw_kstr(w, "component_type", ct);
	fy_jw_kstr(w, "id", id);
	fy_jw_key(w, "name");
	if (fy_json_type(d, name) == FY_JSTRING)
		fy_jw_node(w, d, name);
	else
		fy_jw_str(w, id);
	fy_jw_key(w, "description");
	if (fy_json_type(d, desc) == FY_JSTRING)
		fy_jw_node(w, d, desc);
	else
		fy_jw_null(w);
	fy_jw_key(w, "metadata");
	fy_jw_obj(w);
	if (fy_json_type(d, meta) == FY_JOBJECT)
		wf_copy_members(d, meta, NULL, w, NULL);
	if (ferry_node != FY_JNONE) {
		/* the neutral node of another provider, so reading restores it */
		fy_jw_key(w, "ferry");
		fy_jw_obj(w);
		wf_copy_members(d, ferry_node, not_ferry, w, NULL);
		fy_jw_end(w);
	}
	fy_jw_end(w);
}

struct fnode {
	uint32_t v;
	char *id, *kind, *ptype, *dialect;
	char *label;		/* the node's name, else its id: for messages */
	int native;		/* an Agent Spec component, written back from its config */
	int attached_only;	/* only serves other nodes (ai_* edges out, no control/data) */
	int ferry;		/* written as a FerryNode */
	int uses;		/* attached: how many consumers */
	const char *ct;		/* component_type written */
};

struct fedge {
	uint32_t v;
	long from, to;
	char *kind, *from_port, *to_port;
};

struct flowwr {
	struct wctx *c;
	struct fnode *n;
	size_t nn;
	struct fedge *e;
	size_t ne;
	long start;
	int foreign;		/* not read from Agent Spec: synthesize start and end nodes */
};

static void flowwr_release(struct flowwr *f)
{
	size_t i;

	for (i = 0; i < f->nn; i++) {
		free(f->n[i].id);
		free(f->n[i].kind);
		free(f->n[i].ptype);
		free(f->n[i].dialect);
		free(f->n[i].label);
	}
	free(f->n);
	for (i = 0; i < f->ne; i++) {
		free(f->e[i].kind);
		free(f->e[i].from_port);
		free(f->e[i].to_port);
	}
	free(f->e);
}

static long fnode_find(const struct flowwr *f, const char *id)
{
	size_t i;

	for (i = 0; id && i < f->nn; i++)
		if (strcmp(f->n[i].id, id) == 0)
			return (long)i;
	return -1;
}

static int is_attach_kind(const char *k)
{
	return k && strncmp(k, "ai_", 3) == 0;
}

static int is_flow_kind(const char *k)
{
	return !k || strcmp(k, "control") == 0 || strcmp(k, "data") == 0;
}

/* The component to write for a node; decides native, FerryNode, standard. */
static void choose_type(struct flowwr *f, struct fnode *n, int *have_start)
{
	int as = n->dialect && strcmp(n->dialect, "agentspec") == 0 && n->ptype;

	if (n->attached_only) {
		if (strcmp(n->kind, "model") == 0)
			n->ct = as && is_llm_config(n->ptype) ? n->ptype : "LlmConfig";
		else if (strcmp(n->kind, "tool") == 0)
			n->ct = as && wf_in_list(n->ptype, tool_types) ? n->ptype : "ServerTool";
		else
			n->ferry = 1;
		n->native = as && n->ct && strcmp(n->ct, n->ptype) == 0;
		return;
	}
	if (as && wf_in_list(n->ptype, as_node_types)) {
		n->ct = n->ptype;
		n->native = 1;
	} else if ((strcmp(n->kind, "start") == 0 || strcmp(n->kind, "trigger") == 0) && !*have_start) {
		n->ct = "StartNode";
	} else if (strcmp(n->kind, "end") == 0) {
		n->ct = "EndNode";
	} else if (strcmp(n->kind, "agent") == 0) {
		n->ct = "AgentNode";
	} else if (strcmp(n->kind, "llm") == 0) {
		n->ct = "LlmNode";
	} else {
		n->ferry = 1;
	}
	if (n->ct && strcmp(n->ct, "StartNode") == 0) {
		*have_start = 1;
		f->start = n - f->n;
	}
	(void)f;
}

static int flow_collect(struct flowwr *f)
{
	const struct fy_jdoc *d = f->c->d;
	uint32_t nodes = fy_json_get(d, 0, "nodes"), edges = fy_json_get(d, 0, "edges"), k, el;
	size_t i, j;
	int have_start = 0;

	f->n = calloc(fy_json_len(d, nodes) + 1, sizeof(*f->n));
	f->e = calloc(fy_json_len(d, edges) + 1, sizeof(*f->e));
	if (!f->n || !f->e)
		return fy_error_set(f->c->err, FY_E_NOMEM, "out of memory");
	FY_JSON_FOREACH(d, nodes, k, el) {
		struct fnode *n = &f->n[f->nn++];

		n->v = el;
		n->id = fy_json_get_strdup(d, el, "id");
		n->kind = fy_json_get_strdup(d, el, "type");
		n->ptype = fy_json_get_strdup(d, el, "provider_type");
		n->dialect = fy_json_get_strdup(d, el, "dialect");
		n->label = fy_json_get_strdup(d, el, "name");
		if (!n->label && n->id)
			n->label = strdup(n->id);
		if (!n->id || !n->kind || !n->label)
			return fy_error_set(f->c->err, FY_E_DATA, "nodes[%u] has no id or type", k);
		if (!n->dialect || strcmp(n->dialect, "agentspec") != 0)
			f->foreign = 1;
	}
	FY_JSON_FOREACH(d, edges, k, el) {
		struct fedge *e = &f->e[f->ne++];
		char *from = fy_json_get_strdup(d, el, "from"), *to = fy_json_get_strdup(d, el, "to");

		e->v = el;
		e->from = fnode_find(f, from);
		e->to = fnode_find(f, to);
		e->kind = fy_json_get_strdup(d, el, "kind");
		e->from_port = fy_json_get_strdup(d, el, "from_port");
		e->to_port = fy_json_get_strdup(d, el, "to_port");
		free(from);
		free(to);
	}
	for (i = 0; i < f->nn; i++) {
		int serves = 0, flows = 0;

		for (j = 0; j < f->ne; j++) {
			if (f->e[j].from < 0 || f->e[j].to < 0)
				continue;
			if ((size_t)f->e[j].from == i && is_attach_kind(f->e[j].kind))
				serves++;
			if (((size_t)f->e[j].from == i || (size_t)f->e[j].to == i) && is_flow_kind(f->e[j].kind))
				flows++;
		}
		f->n[i].attached_only = serves && !flows;
		f->n[i].uses = serves;
	}
	f->start = -1;
	for (i = 0; i < f->nn; i++)
		if (!f->n[i].attached_only)
			choose_type(f, &f->n[i], &have_start);
	for (i = 0; i < f->nn; i++)
		if (f->n[i].attached_only)
			choose_type(f, &f->n[i], &have_start);
	return 0;
}

static void emit_ref(struct fy_jw *w, const char *id)
{
	fy_jw_obj(w);
	fy_jw_kstr(w, "$component_ref", id);
	fy_jw_end(w);
}

/* The attached nodes of consumer i of a kind, in edge order. */
static size_t attached_to(const struct flowwr *f, size_t i, const char *kind, long *out, size_t max)
{
	size_t j, n = 0;

	for (j = 0; j < f->ne && n < max; j++)
		if (f->e[j].to == (long)i && f->e[j].from >= 0 && f->e[j].kind &&
		    strcmp(f->e[j].kind, kind) == 0 && f->n[f->e[j].from].attached_only &&
		    !f->n[f->e[j].from].ferry)
			out[n++] = f->e[j].from;
	return n;
}

static void emit_component(struct flowwr *f, struct fy_jw *w, size_t i);

/* An attached component: a reference when several nodes share it, else inline. */
static void emit_attached(struct flowwr *f, struct fy_jw *w, size_t i)
{
	if (f->n[i].uses > 1)
		emit_ref(w, f->n[i].id);
	else
		emit_component(f, w, i);
}

/* An LlmConfig from a model node of another provider. */
static void emit_built_llm(struct flowwr *f, struct fy_jw *w, size_t i)
{
	struct wctx *c = f->c;
	const struct fy_jdoc *d = c->d;
	uint32_t v = f->n[i].v, model = fy_json_get(d, v, "model");
	char *prov = fy_json_get_strdup(d, model, "provider");
	uint32_t mname = fy_json_get(d, model, "name"), params = fy_json_get(d, model, "parameters");
	const char *ct = "OpenAiCompatibleConfig";
	char field[512];

	if (prov && strcmp(prov, "openai") == 0)
		ct = "OpenAiConfig";
	else if (prov && strcmp(prov, "vllm") == 0)
		ct = "VllmConfig";
	else if (prov && strcmp(prov, "ollama") == 0)
		ct = "OllamaConfig";
	fy_jw_obj(w);
	emit_head(c, w, ct, f->n[i].id, fy_json_get(d, v, "name"), fy_json_get(d, v, "description"),
		  FY_JNONE, v);
	fy_jw_key(w, "default_generation_parameters");
	if (fy_json_type(d, params) == FY_JOBJECT)
		fy_jw_node(w, d, params);
	else
		fy_jw_null(w);
	if (strcmp(ct, "OpenAiConfig") != 0)
		fy_jw_kstr(w, "url", "");
	fy_jw_key(w, "model_id");
	if (fy_json_type(d, mname) == FY_JSTRING)
		fy_jw_node(w, d, mname);
	else
		fy_jw_str(w, "");
	fy_jw_end(w);
	snprintf(field, sizeof(field), "nodes[%s]", f->n[i].id);
	if (fy_json_type(d, mname) != FY_JSTRING)
		wf_note(c->notes, field, "degraded", "model-unknown", c->err,
			"model node '%s' names no model: written as an %s with an empty model_id", f->n[i].label, ct);
	else if (strcmp(ct, "OpenAiConfig") != 0)
		wf_note(c->notes, field, "degraded", "model-endpoint", c->err,
			"model '%s' (%s) becomes an Agent Spec %s whose url is empty: the endpoint lived "
			"in a credential or setting that does not travel; set url", f->n[i].label,
			prov ? prov : "unknown provider", ct);
	else
		wf_note(c->notes, field, "held_back", "model-credential", c->err,
			"model '%s' becomes an Agent Spec OpenAiConfig; its credential is not part of "
			"Agent Spec and must be provided by the runtime", f->n[i].label);
	free(prov);
}

/* A ServerTool from a tool node of another provider. */
static void emit_built_tool(struct flowwr *f, struct fy_jw *w, size_t i)
{
	struct wctx *c = f->c;
	const struct fy_jdoc *d = c->d;
	uint32_t v = f->n[i].v;
	char field[512];

	fy_jw_obj(w);
	emit_head(c, w, "ServerTool", f->n[i].id, fy_json_get(d, v, "name"),
		  fy_json_get(d, v, "description"), FY_JNONE, v);
	emit_props(c, w, "inputs", fy_json_get(d, v, "inputs"));
	emit_props(c, w, "outputs", fy_json_get(d, v, "outputs"));
	fy_jw_end(w);
	snprintf(field, sizeof(field), "nodes[%s]", f->n[i].id);
	wf_note(c->notes, field, "emulated", "tool-as-server-tool", c->err,
		"tool node '%s' (%s) becomes an Agent Spec ServerTool of the same name: Agent Spec "
		"describes tools but carries no implementation, so the runtime must provide one",
		f->n[i].label, f->n[i].ptype ? f->n[i].ptype : f->n[i].kind);
}

static void emit_branches(struct flowwr *f, struct fy_jw *w, size_t i)
{
	size_t j, k;

	fy_jw_key(w, "branches");
	fy_jw_arr(w);
	if (f->n[i].ct && strcmp(f->n[i].ct, "EndNode") == 0) {
		fy_jw_end(w);
		return;
	}
	fy_jw_str(w, "next");
	for (j = 0; j < f->ne; j++) {
		const char *p = f->e[j].from_port;
		int dup = 0;

		if (f->e[j].from != (long)i || !is_flow_kind(f->e[j].kind) ||
		    (f->e[j].kind && strcmp(f->e[j].kind, "data") == 0) || !p || !strcmp(p, "0") ||
		    !strcmp(p, "next"))
			continue;
		for (k = 0; k < j; k++)
			if (f->e[k].from == (long)i && f->e[k].from_port && !strcmp(f->e[k].from_port, p))
				dup = 1;
		if (!dup)
			fy_jw_str(w, p);
	}
	fy_jw_end(w);
}

static void emit_component(struct flowwr *f, struct fy_jw *w, size_t i)
{
	struct wctx *c = f->c;
	const struct fy_jdoc *d = c->d;
	struct fnode *n = &f->n[i];
	uint32_t v = n->v, cfg = fy_json_get(d, v, "config");
	uint32_t md = fy_json_get(d, fy_json_get(d, v, "ext"), "agentspec");
	long at[256];
	size_t na, k;
	char field[512];

	snprintf(field, sizeof(field), "nodes[%s]", n->id);
	if (n->ferry) {
		size_t j;

		fy_jw_obj(w);
		fy_jw_kstr(w, "component_type", "FerryNode");
		fy_jw_kstr(w, "component_plugin_name", "ferry");
		fy_jw_kstr(w, "component_plugin_version", "1.0");
		fy_jw_kstr(w, "id", n->id);
		fy_jw_key(w, "name");
		if (fy_json_type(d, fy_json_get(d, v, "name")) == FY_JSTRING)
			fy_jw_node(w, d, fy_json_get(d, v, "name"));
		else
			fy_jw_str(w, n->id);
		fy_jw_key(w, "description");
		if (fy_json_type(d, fy_json_get(d, v, "description")) == FY_JSTRING)
			fy_jw_node(w, d, fy_json_get(d, v, "description"));
		else
			fy_jw_null(w);
		fy_jw_key(w, "metadata");
		fy_jw_raw(w, "{}", 2);
		emit_props(c, w, "inputs", fy_json_get(d, v, "inputs"));
		emit_props(c, w, "outputs", fy_json_get(d, v, "outputs"));
		emit_branches(f, w, i);
		fy_jw_key(w, "ferry_node");
		{
			static const char *const skip[] = { "id", "name", "description", "inputs",
				"outputs", NULL };

			fy_jw_obj(w);
			wf_copy_members(d, v, skip, w, NULL);
			fy_jw_end(w);
		}
		fy_jw_key(w, "attached_to");
		fy_jw_arr(w);
		for (j = 0; j < f->ne; j++)
			if (f->e[j].from == (long)i && f->e[j].to >= 0 && is_attach_kind(f->e[j].kind)) {
				fy_jw_obj(w);
				fy_jw_key(w, "node");
				emit_ref(w, f->n[f->e[j].to].id);
				fy_jw_kstr(w, "kind", f->e[j].kind);
				fy_jw_end(w);
			}
		fy_jw_end(w);
		fy_jw_end(w);
		wf_note(c->notes, field, "degraded", "unexpressed-node", c->err,
			"Agent Spec %s has no component for %s node '%s' (%s): kept as a plugin "
			"component FerryNode (component_plugin_name ferry) holding the whole node; an "
			"Agent Spec runtime without that plugin cannot run it", c->version, n->kind,
			n->label, n->ptype ? n->ptype : n->kind);
		return;
	}
	if (n->attached_only && !n->native) {
		if (strcmp(n->kind, "model") == 0)
			emit_built_llm(f, w, i);
		else
			emit_built_tool(f, w, i);
		return;
	}
	fy_jw_obj(w);
	if (n->native) {
		static const char *const skip[] = { "agent", NULL };

		emit_head(c, w, n->ct, n->id, fy_json_get(d, v, "name"), fy_json_get(d, v, "description"),
			  fy_json_get(d, md, "metadata"), FY_JNONE);
		if (!n->attached_only || fy_json_get(d, v, "inputs") != FY_JNONE ||
		    wf_in_list(n->ct, tool_types))
			emit_props(c, w, "inputs", fy_json_get(d, v, "inputs"));
		if (!n->attached_only || fy_json_get(d, v, "outputs") != FY_JNONE ||
		    wf_in_list(n->ct, tool_types))
			emit_props(c, w, "outputs", fy_json_get(d, v, "outputs"));
		emit_members(c, w, cfg, strcmp(n->ct, "AgentNode") == 0 ? skip : NULL);
	} else {
		emit_head(c, w, n->ct, n->id, fy_json_get(d, v, "name"), fy_json_get(d, v, "description"),
			  FY_JNONE, v);
		emit_props(c, w, "inputs", fy_json_get(d, v, "inputs"));
		emit_props(c, w, "outputs", fy_json_get(d, v, "outputs"));
		emit_branches(f, w, i);
	}
	if (strcmp(n->ct, "LlmNode") == 0) {
		na = attached_to(f, i, "ai_languageModel", at, 1);
		if (!n->native) {
			uint32_t p = fy_json_get(d, v, "prompt");

			fy_jw_key(w, "prompt_template");
			if (fy_json_type(d, p) == FY_JSTRING)
				fy_jw_node(w, d, p);
			else
				fy_jw_str(w, "");
			wf_note(c->notes, field, "transformed", "llm-node", c->err,
				"%s node '%s' becomes an LlmNode; its prompt is kept as text in the %s "
				"dialect (Agent Spec fills only {{name}} placeholders)", n->ptype ? n->ptype : "llm",
				n->label, n->dialect ? n->dialect : "source");
		}
		fy_jw_key(w, "llm_config");
		if (na)
			emit_attached(f, w, (size_t)at[0]);
		else
			fy_jw_null(w);
	} else if (strcmp(n->ct, "AgentNode") == 0) {
		uint32_t ag = fy_json_get(d, cfg, "agent");

		fy_jw_key(w, "agent");
		fy_jw_obj(w);
		if (n->native && fy_json_type(d, ag) == FY_JOBJECT) {
			emit_members(c, w, ag, NULL);
		} else {
			char aid[FY_ID_MAX + 16];
			uint32_t instr = fy_json_get(d, v, "instructions");

			snprintf(aid, sizeof(aid), "%s-agent", n->id);
			emit_head(c, w, "Agent", aid, fy_json_get(d, v, "name"), FY_JNONE, FY_JNONE, FY_JNONE);
			fy_jw_key(w, "inputs");
			fy_jw_raw(w, "[]", 2);
			fy_jw_key(w, "outputs");
			fy_jw_raw(w, "[]", 2);
			fy_jw_key(w, "system_prompt");
			if (fy_json_type(d, instr) == FY_JSTRING)
				fy_jw_node(w, d, instr);
			else
				fy_jw_str(w, "");
			wf_note(c->notes, field, "transformed", "agent-node", c->err,
				"%s node '%s' becomes an AgentNode with an Agent whose system_prompt is its "
				"instructions, and whose llm_config and tools are the nodes attached to it",
				n->ptype ? n->ptype : "agent", n->label);
		}
		na = attached_to(f, i, "ai_languageModel", at, 1);
		fy_jw_key(w, "llm_config");
		if (na)
			emit_attached(f, w, (size_t)at[0]);
		else
			fy_jw_null(w);
		na = attached_to(f, i, "ai_tool", at, 256);
		fy_jw_key(w, "tools");
		fy_jw_arr(w);
		for (k = 0; k < na; k++)
			emit_attached(f, w, (size_t)at[k]);
		fy_jw_end(w);
		fy_jw_end(w);
	} else if (strcmp(n->ct, "ToolNode") == 0) {
		na = attached_to(f, i, "ai_tool", at, 1);
		fy_jw_key(w, "tool");
		if (na)
			emit_attached(f, w, (size_t)at[0]);
		else
			fy_jw_null(w);
	} else if (strcmp(n->ct, "StartNode") == 0 && !n->native) {
		wf_note(c->notes, field, "transformed", "start-node", c->err,
			"%s node '%s' becomes the flow's StartNode; its own configuration is kept "
			"in metadata.ferry only", n->ptype ? n->ptype : n->kind, n->label);
	} else if (strcmp(n->ct, "EndNode") == 0 && !n->native) {
		fy_jw_kstr(w, "branch_name", "next");
	}
	fy_jw_end(w);
	if (!n->native && strcmp(n->ct, "LlmNode") && strcmp(n->ct, "AgentNode") &&
	    strcmp(n->ct, "StartNode") && n->attached_only)
		return;
}

/* Nodes with no way on (no outgoing control edge). */
static int is_leaf(const struct flowwr *f, size_t i)
{
	size_t j;

	for (j = 0; j < f->ne; j++)
		if (f->e[j].from == (long)i && f->e[j].to >= 0 &&
		    (!f->e[j].kind || strcmp(f->e[j].kind, "control") == 0))
			return 0;
	return 1;
}

static int has_incoming(const struct flowwr *f, size_t i)
{
	size_t j;

	for (j = 0; j < f->ne; j++)
		if (f->e[j].to == (long)i && f->e[j].from >= 0 &&
		    (!f->e[j].kind || strcmp(f->e[j].kind, "control") == 0))
			return 1;
	return 0;
}

static void emit_edge(struct flowwr *f, struct fy_jw *w, size_t j, int data)
{
	struct wctx *c = f->c;
	const struct fy_jdoc *d = c->d;
	struct fedge *e = &f->e[j];
	uint32_t ext = fy_json_get(d, fy_json_get(d, e->v, "ext"), "agentspec");
	uint32_t id = fy_json_get(d, e->v, "id"), name = fy_json_get(d, e->v, "name");
	char gen[FY_ID_MAX * 2 + 32];

	fy_jw_obj(w);
	fy_jw_kstr(w, "component_type", data ? "DataFlowEdge" : "ControlFlowEdge");
	snprintf(gen, sizeof(gen), "%s-%s-%zu", f->n[e->from].id, f->n[e->to].id, j);
	fy_jw_key(w, "id");
	if (fy_json_type(d, id) == FY_JSTRING)
		fy_jw_node(w, d, id);
	else
		fy_jw_str(w, gen);
	fy_jw_key(w, "name");
	if (fy_json_type(d, name) == FY_JSTRING)
		fy_jw_node(w, d, name);
	else
		fy_jw_str(w, gen);
	fy_jw_key(w, "description");
	if (fy_json_type(d, fy_json_get(d, ext, "description")) == FY_JSTRING)
		fy_jw_node(w, d, fy_json_get(d, ext, "description"));
	else
		fy_jw_null(w);
	fy_jw_key(w, "metadata");
	if (fy_json_type(d, fy_json_get(d, ext, "metadata")) == FY_JOBJECT)
		fy_jw_node(w, d, fy_json_get(d, ext, "metadata"));
	else
		fy_jw_raw(w, "{}", 2);
	if (data) {
		fy_jw_key(w, "source_node");
		emit_ref(w, f->n[e->from].id);
		fy_jw_kstr(w, "source_output", e->from_port ? e->from_port : "");
		fy_jw_key(w, "destination_node");
		emit_ref(w, f->n[e->to].id);
		fy_jw_kstr(w, "destination_input", e->to_port ? e->to_port : "");
	} else {
		fy_jw_key(w, "from_node");
		emit_ref(w, f->n[e->from].id);
		fy_jw_key(w, "from_branch");
		if (e->from_port && strcmp(e->from_port, "0") != 0 &&
		    (f->n[e->from].native || strcmp(e->from_port, "next") != 0))
			fy_jw_str(w, e->from_port);
		else
			fy_jw_null(w);
		fy_jw_key(w, "to_node");
		emit_ref(w, f->n[e->to].id);
	}
	fy_jw_end(w);
}

static const char added_md[] = "{\"ferry\":{\"added\":true}}";

/* A synthesized EndNode or StartNode for a flow of another provider. */
static void emit_synth(struct fy_jw *w, const char *ct, const char *id, const char *name)
{
	fy_jw_obj(w);
	fy_jw_kstr(w, "component_type", ct);
	fy_jw_kstr(w, "id", id);
	fy_jw_kstr(w, "name", name);
	fy_jw_key(w, "description");
	fy_jw_null(w);
	/* ferry added it: reading leaves it out again */
	fy_jw_key(w, "metadata");
	fy_jw_raw(w, added_md, strlen(added_md));
	fy_jw_key(w, "inputs");
	fy_jw_raw(w, "[]", 2);
	fy_jw_key(w, "outputs");
	fy_jw_raw(w, "[]", 2);
	fy_jw_key(w, "branches");
	if (strcmp(ct, "EndNode") == 0) {
		fy_jw_raw(w, "[]", 2);
		fy_jw_kstr(w, "branch_name", "next");
	} else {
		fy_jw_raw(w, "[\"next\"]", 8);
	}
	fy_jw_end(w);
}

static void emit_synth_edge(struct fy_jw *w, const char *from, const char *to)
{
	char id[FY_ID_MAX * 2 + 8];

	snprintf(id, sizeof(id), "%s-to-%s", from, to);
	fy_jw_obj(w);
	fy_jw_kstr(w, "component_type", "ControlFlowEdge");
	fy_jw_kstr(w, "id", id);
	fy_jw_kstr(w, "name", id);
	fy_jw_key(w, "description");
	fy_jw_null(w);
	fy_jw_key(w, "metadata");
	fy_jw_raw(w, "{}", 2);
	fy_jw_key(w, "from_node");
	emit_ref(w, from);
	fy_jw_key(w, "from_branch");
	fy_jw_null(w);
	fy_jw_key(w, "to_node");
	emit_ref(w, to);
	fy_jw_end(w);
}

/* The id a record had in Agent Spec, or its ferry id. */
static char *origin_id(const struct fy_jdoc *d)
{
	uint32_t src = fy_json_get(d, 0, "source");

	if (fy_json_streq(d, fy_json_get(d, src, "adapter"), "agentspec") &&
	    fy_json_type(d, fy_json_get(d, src, "id")) == FY_JSTRING)
		return fy_json_get_strdup(d, src, "id");
	return fy_json_get_strdup(d, 0, "id");
}

static int write_flow(struct wctx *c, struct fy_buf *out)
{
	const struct fy_jdoc *d = c->d;
	uint32_t ext = fy_json_get(d, fy_json_get(d, 0, "ext"), "agentspec");
	char *id = origin_id(d);
	struct flowwr f;
	struct fy_jw w;
	size_t i, j;
	int rc = -1, data_edges = 0, has_end = 0;

	memset(&f, 0, sizeof(f));
	f.c = c;
	if (!id || flow_collect(&f) < 0)
		goto out;
	for (j = 0; j < f.ne; j++) {
		char field[64];

		snprintf(field, sizeof(field), "edges[%zu]", j);
		if (f.e[j].from < 0 || f.e[j].to < 0) {
			wf_note(c->notes, field, "dropped", "dangling-edge", c->err,
				"edge %zu names a node the workflow does not have", j);
			continue;
		}
		if (f.e[j].kind && strcmp(f.e[j].kind, "data") == 0)
			data_edges = 1;
		else if (f.e[j].kind && !is_flow_kind(f.e[j].kind) &&
			 !(f.n[f.e[j].from].attached_only && !f.n[f.e[j].from].ferry &&
			   ((strcmp(f.e[j].kind, "ai_languageModel") == 0 &&
			     strcmp(f.n[f.e[j].from].kind, "model") == 0) ||
			    (strcmp(f.e[j].kind, "ai_tool") == 0 &&
			     strcmp(f.n[f.e[j].from].kind, "tool") == 0))) &&
			 !f.n[f.e[j].from].ferry)
			wf_note(c->notes, field, "dropped", "attachment-kind", c->err,
				"Agent Spec has no %s attachment: %s -> %s is not written", f.e[j].kind,
				f.n[f.e[j].from].id, f.n[f.e[j].to].id);
	}
	for (i = 0; i < f.nn; i++)
		if (!f.n[i].attached_only && f.n[i].ct && strcmp(f.n[i].ct, "EndNode") == 0)
			has_end = 1;
	fy_buf_reset(out);
	fy_jw_init(&w, out);
	fy_jw_obj(&w);
	{
		static const char *const keep[] = { "active", "created", "updated", "tags", NULL };
		const char *const *kk;
		uint32_t md = fy_json_get(d, 0, "metadata"), xe = fy_json_get(d, 0, "ext"), k2, key, val;
		int any = 0;

		fy_jw_kstr(&w, "component_type", "Flow");
		fy_jw_kstr(&w, "id", id);
		fy_jw_knode(&w, "name", d, fy_json_get(d, 0, "name"));
		fy_jw_key(&w, "description");
		if (fy_json_type(d, fy_json_get(d, 0, "description")) == FY_JSTRING)
			fy_jw_node(&w, d, fy_json_get(d, 0, "description"));
		else
			fy_jw_null(&w);
		fy_jw_key(&w, "metadata");
		fy_jw_obj(&w);
		if (fy_json_type(d, md) == FY_JOBJECT)
			wf_copy_members(d, md, NULL, &w, NULL);
		/* what a Flow has no field for, so reading gives it back */
		FY_JSON_FOREACH_MEMBER(d, xe, k2, key, val)
			if (!fy_json_streq(d, key, "agentspec"))
				any = 1;
		for (kk = keep; *kk; kk++)
			if (fy_json_get(d, 0, *kk) != FY_JNONE)
				any = 1;
		if (any) {
			static const char *const no_as[] = { "agentspec", NULL };

			fy_jw_key(&w, "ferry");
			fy_jw_obj(&w);
			for (kk = keep; *kk; kk++)
				fy_jw_knode_opt(&w, *kk, d, fy_json_get(d, 0, *kk));
			if (fy_json_len(d, xe) > (fy_json_get(d, xe, "agentspec") != FY_JNONE)) {
				fy_jw_key(&w, "ext");
				fy_jw_obj(&w);
				wf_copy_members(d, xe, no_as, &w, NULL);
				fy_jw_end(&w);
			}
			fy_jw_end(&w);
		}
		fy_jw_end(&w);
	}
	emit_props(c, &w, "inputs", fy_json_get(d, 0, "variables"));
	emit_props(c, &w, "outputs", fy_json_get(d, 0, "outputs"));
	fy_jw_key(&w, "start_node");
	if (f.start >= 0) {
		emit_ref(&w, f.n[f.start].id);
	} else {
		emit_ref(&w, "ferry-start");
		wf_note(c->notes, "nodes", "transformed", "start-node-added", c->err,
			"the workflow has no start node: a StartNode 'ferry-start' leads to every node "
			"nothing else leads to");
	}
	fy_jw_key(&w, "nodes");
	fy_jw_arr(&w);
	if (f.start < 0)
		emit_ref(&w, "ferry-start");
	for (i = 0; i < f.nn; i++)
		if (!f.n[i].attached_only || f.n[i].ferry)
			emit_ref(&w, f.n[i].id);
	if (f.foreign && !has_end)
		for (i = 0; i < f.nn; i++)
			if ((!f.n[i].attached_only || f.n[i].ferry) && !f.n[i].attached_only && is_leaf(&f, i)) {
				char eid[FY_ID_MAX + 8];

				snprintf(eid, sizeof(eid), "%s-end", f.n[i].id);
				emit_ref(&w, eid);
			}
	fy_jw_end(&w);
	fy_jw_key(&w, "control_flow_connections");
	fy_jw_arr(&w);
	for (j = 0; j < f.ne; j++)
		if (f.e[j].from >= 0 && f.e[j].to >= 0 &&
		    (!f.e[j].kind || strcmp(f.e[j].kind, "control") == 0) &&
		    !f.n[f.e[j].from].attached_only && !f.n[f.e[j].to].attached_only)
			emit_edge(&f, &w, j, 0);
	if (f.start < 0)
		for (i = 0; i < f.nn; i++)
			if (!f.n[i].attached_only && !has_incoming(&f, i))
				emit_synth_edge(&w, "ferry-start", f.n[i].id);
	if (f.foreign && !has_end)
		for (i = 0; i < f.nn; i++)
			if (!f.n[i].attached_only && is_leaf(&f, i)) {
				char eid[FY_ID_MAX + 8];

				snprintf(eid, sizeof(eid), "%s-end", f.n[i].id);
				emit_synth_edge(&w, f.n[i].id, eid);
			}
	fy_jw_end(&w);
	fy_jw_key(&w, "data_flow_connections");
	if (data_edges) {
		fy_jw_arr(&w);
		for (j = 0; j < f.ne; j++)
			if (f.e[j].from >= 0 && f.e[j].to >= 0 && f.e[j].kind && !strcmp(f.e[j].kind, "data"))
				emit_edge(&f, &w, j, 1);
		fy_jw_end(&w);
	} else if (fy_json_type(d, fy_json_get(d, ext, "data_flow_connections")) == FY_JNULL || f.foreign) {
		/* names carry the values, as in n8n's items */
		fy_jw_null(&w);
	} else {
		fy_jw_raw(&w, "[]", 2);
	}
	fy_jw_key(&w, "$referenced_components");
	fy_jw_obj(&w);
	if (f.start < 0) {
		fy_jw_key(&w, "ferry-start");
		emit_synth(&w, "StartNode", "ferry-start", "Start");
	}
	for (i = 0; i < f.nn; i++) {
		if (f.n[i].attached_only && !f.n[i].ferry && f.n[i].uses < 2)
			continue;
		fy_jw_key(&w, f.n[i].id);
		emit_component(&f, &w, i);
	}
	if (f.foreign && !has_end)
		for (i = 0; i < f.nn; i++)
			if (!f.n[i].attached_only && is_leaf(&f, i)) {
				char eid[FY_ID_MAX + 8], ename[1024], field[512];
				char *nm = fy_json_get_strdup(d, f.n[i].v, "name");

				snprintf(eid, sizeof(eid), "%s-end", f.n[i].id);
				snprintf(ename, sizeof(ename), "End after %s", nm ? nm : f.n[i].id);
				fy_jw_key(&w, eid);
				emit_synth(&w, "EndNode", eid, ename);
				snprintf(field, sizeof(field), "nodes[%s]", f.n[i].id);
				wf_note(c->notes, field, "transformed", "end-node-added", c->err,
					"an Agent Spec flow ends in EndNodes: '%s' is followed by EndNode %s",
					nm ? nm : f.n[i].id, eid);
				free(nm);
			}
	fy_jw_end(&w);
	fy_jw_kstr(&w, "agentspec_version", c->version);
	fy_jw_end(&w);
	rc = fy_jw_finish(&w, c->err);
out:
	flowwr_release(&f);
	free(id);
	return rc;
}

/* --- agents and tools --- */

struct held {
	char *id;
	char *json;
	size_t len;
	int used;
};

static const struct held *held_find(const struct held *h, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(h[i].id, id) == 0)
			return &h[i];
	return NULL;
}

static void emit_tool_component(struct wctx *c, struct fy_jw *w, const struct fy_jdoc *t)
{
	static const char *const no_ct[] = { "component_type", NULL };
	uint32_t ext = fy_json_get(t, fy_json_get(t, 0, "ext"), "agentspec");
	char *id = origin_id(t), *type = fy_json_get_strdup(t, 0, "type");
	char *ct = fy_json_get_strdup(t, ext, "component_type");
	const struct fy_jdoc *save = c->d;
	char field[512];

	c->d = t;
	fy_jw_obj(w);
	if (ct) {
		emit_head(c, w, ct, id ? id : "", fy_json_get(t, 0, "name"), fy_json_get(t, 0, "description"),
			  fy_json_get(t, 0, "metadata"), FY_JNONE);
		emit_members(c, w, ext, no_ct);
	} else {
		uint32_t props = fy_json_get(fy_json_get(t, 0, "parameters") != FY_JNONE ? t : t,
					     fy_json_get(t, 0, "parameters"), "properties");
		uint32_t k, key, val;
		int mcp = type && strcmp(type, "mcp") == 0;
		int fn = type && strcmp(type, "function") == 0;

		emit_head(c, w, mcp ? "MCPTool" : fn ? "ClientTool" : "ServerTool", id ? id : "",
			  fy_json_get(t, 0, "name"), fy_json_get(t, 0, "description"),
			  fy_json_get(t, 0, "metadata"), FY_JNONE);
		fy_jw_key(w, "inputs");
		fy_jw_arr(w);
		FY_JSON_FOREACH_MEMBER(t, props, k, key, val) {
			fy_jw_obj(w);
			fy_jw_key(w, "title");
			fy_jw_node(w, t, key);
			wf_copy_members(t, val, NULL, w, NULL);
			if (fy_json_get(t, val, "type") == FY_JNONE)
				fy_jw_kstr(w, "type", "string");
			fy_jw_end(w);
		}
		fy_jw_end(w);
		fy_jw_key(w, "outputs");
		fy_jw_raw(w, "[]", 2);
		if (mcp) {
			uint32_t m = fy_json_get(t, 0, "mcp");
			char tid[FY_ID_MAX + 16];

			snprintf(tid, sizeof(tid), "%s-transport", id ? id : "");
			fy_jw_key(w, "client_transport");
			fy_jw_obj(w);
			fy_jw_kstr(w, "component_type", "StreamableHTTPTransport");
			fy_jw_kstr(w, "id", tid);
			fy_jw_kstr(w, "name", tid);
			fy_jw_key(w, "description");
			fy_jw_null(w);
			fy_jw_key(w, "metadata");
			fy_jw_raw(w, "{}", 2);
			fy_jw_key(w, "url");
			if (fy_json_type(t, fy_json_get(t, m, "server_url")) == FY_JSTRING)
				fy_jw_node(w, t, fy_json_get(t, m, "server_url"));
			else
				fy_jw_str(w, "");
			fy_jw_key(w, "headers");
			if (fy_json_type(t, fy_json_get(t, m, "headers")) == FY_JOBJECT)
				emit_unsecret(c, w, fy_json_get(t, m, "headers"), 1);
			else
				fy_jw_raw(w, "{}", 2);
			fy_jw_end(w);
		}
		snprintf(field, sizeof(field), "tools[%s]", id ? id : "");
		wf_note(c->notes, field, fn || mcp ? "transformed" : "emulated", "tool-component", c->err,
			"%s tool %s becomes an Agent Spec %s%s", type ? type : "a",
			id ? id : "", mcp ? "MCPTool" : fn ? "ClientTool" : "ServerTool",
			fn || mcp ? "" : ": Agent Spec describes it by name only, the runtime must provide it");
	}
	fy_jw_end(w);
	c->d = save;
	free(id);
	free(type);
	free(ct);
}

static int write_agent(struct wctx *c, struct fy_buf *out, struct held *tools, size_t ntools)
{
	static const char *const skip[] = { "llm_config", "component_type", "agentspec_version", NULL };
	const struct fy_jdoc *d = c->d;
	uint32_t ext = fy_json_get(d, fy_json_get(d, 0, "ext"), "agentspec");
	uint32_t tl = fy_json_get(d, 0, "tools"), model = fy_json_get(d, 0, "model"), k, el, v;
	char *id = origin_id(d);
	struct fy_jw w;
	int rc;

	fy_buf_reset(out);
	fy_jw_init(&w, out);
	fy_jw_obj(&w);
	emit_head(c, &w, "Agent", id ? id : "", fy_json_get(d, 0, "name"), fy_json_get(d, 0, "description"),
		  fy_json_get(d, 0, "metadata"), FY_JNONE);
	if (fy_json_get(d, ext, "inputs") == FY_JNONE) {
		fy_jw_key(&w, "inputs");
		fy_jw_raw(&w, "[]", 2);
	}
	if (fy_json_get(d, ext, "outputs") == FY_JNONE) {
		fy_jw_key(&w, "outputs");
		fy_jw_raw(&w, "[]", 2);
	}
	emit_members(c, &w, ext, skip);
	fy_jw_key(&w, "llm_config");
	v = fy_json_get(d, ext, "llm_config");
	if (v != FY_JNONE) {
		emit_unsecret(c, &w, v, 1);
	} else {
		char *prov = fy_json_get_strdup(d, model, "provider");
		const char *ct = prov && !strcmp(prov, "openai") ? "OpenAiConfig"
				 : prov && !strcmp(prov, "vllm") ? "VllmConfig"
				 : prov && !strcmp(prov, "ollama") ? "OllamaConfig" : "OpenAiCompatibleConfig";
		char lid[FY_ID_MAX + 8];

		snprintf(lid, sizeof(lid), "%s-llm", id ? id : "");
		fy_jw_obj(&w);
		emit_head(c, &w, ct, lid, fy_json_get(d, model, "name"), FY_JNONE, FY_JNONE, FY_JNONE);
		fy_jw_key(&w, "default_generation_parameters");
		if (fy_json_type(d, fy_json_get(d, model, "parameters")) == FY_JOBJECT)
			fy_jw_node(&w, d, fy_json_get(d, model, "parameters"));
		else
			fy_jw_null(&w);
		if (strcmp(ct, "OpenAiConfig") != 0)
			fy_jw_kstr(&w, "url", "");
		fy_jw_key(&w, "model_id");
		if (fy_json_type(d, fy_json_get(d, model, "name")) == FY_JSTRING)
			fy_jw_node(&w, d, fy_json_get(d, model, "name"));
		else
			fy_jw_str(&w, "");
		fy_jw_end(&w);
		if (strcmp(ct, "OpenAiConfig") != 0 || !prov)
			wf_note(c->notes, "model", "degraded", "model-endpoint", c->err,
				"the model (%s) becomes an Agent Spec %s with an empty url: set the endpoint",
				prov ? prov : "none given", ct);
		free(prov);
	}
	fy_jw_key(&w, "system_prompt");
	if (fy_json_type(d, fy_json_get(d, 0, "instructions")) == FY_JSTRING)
		fy_jw_node(&w, d, fy_json_get(d, 0, "instructions"));
	else
		fy_jw_str(&w, "");
	fy_jw_key(&w, "tools");
	fy_jw_arr(&w);
	FY_JSON_FOREACH(d, tl, k, el) {
		char *tid = fy_json_strdup(d, el, NULL);
		struct held *h = tid ? (struct held *)held_find(tools, ntools, tid) : NULL;

		if (h) {
			struct fy_jdoc td;

			fy_jdoc_init(&td);
			if (fy_jdoc_parse(&td, h->json, h->len, 0, c->err) == 0)
				emit_tool_component(c, &w, &td);
			fy_jdoc_release(&td);
			h->used = 1;
		} else {
			wf_note(c->notes, "tools", "dropped", "tool-not-in-archive", c->err,
				"tool %s is not in the archive (a scoped export?): not written",
				tid ? tid : "");
		}
		free(tid);
	}
	fy_jw_end(&w);
	v = fy_json_get(d, ext, "agentspec_version");
	fy_jw_key(&w, "agentspec_version");
	if (fy_json_type(d, v) == FY_JSTRING)
		fy_jw_node(&w, d, v);
	else
		fy_jw_str(&w, c->version);
	fy_jw_end(&w);
	rc = fy_jw_finish(&w, c->err);
	free(id);
	return rc;
}

/* What Agent Spec writes (read with fidelity.h: the plan, and the done-ledger lines). */
static const struct fy_capability as_caps[] = {
	{ FY_KIND_WORKFLOW, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "a Flow: nodes, control and data edges, inputs and outputs with their JSON Schemas", NULL },
	{ FY_KIND_WORKFLOW, "nodes.dialect!=agentspec", FY_CAP_NATIVE, FY_CAP_DEGRADED,
	  "nodes of another provider: a trigger becomes the StartNode, agents AgentNodes, LLM calls "
	  "LlmNodes, models LlmConfigs (credentials not carried), tools ServerTools the runtime must "
	  "provide; the rest (memory, conditions, integrations) is kept whole as FerryNode plugin "
	  "components; EndNodes are added where the flow ends", "foreign-nodes" },
	{ FY_KIND_AGENT, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "an Agent: system_prompt, llm_config (OpenAI, vLLM, Ollama, OCI, OpenAI-compatible), tools",
	  NULL },
	{ FY_KIND_AGENT, "source.adapter!=agentspec", FY_CAP_NATIVE, FY_CAP_TRANSFORMED,
	  "an agent of another provider becomes an Agent: its instructions the system_prompt, its "
	  "model an LlmConfig (an OpenAI model an OpenAiConfig, others an OpenAiCompatibleConfig "
	  "whose url is to be set), its tools Agent Spec tools", "foreign-agent" },
	{ FY_KIND_AGENT, "knowledge", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "Agent Spec 25.4.1 has no knowledge component", "no-knowledge" },
	{ FY_KIND_AGENT, "memory", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "Agent Spec 25.4.1 has no memory component", "no-memory" },
	{ FY_KIND_AGENT, "handoffs", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "an Agent of 25.4.1 has no handoffs", "no-handoffs" },
	{ FY_KIND_AGENT, "response_format", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "an Agent declares outputs as properties, not a response format", "no-response-format" },
	{ FY_KIND_TOOL, "type=code_interpreter", FY_CAP_NONE, FY_CAP_EMULATED,
	  "a ServerTool of that name: Agent Spec carries no code, the runtime provides it",
	  "builtin-as-server-tool" },
	{ FY_KIND_TOOL, "type=file_search", FY_CAP_NONE, FY_CAP_EMULATED,
	  "a ServerTool of that name: the runtime provides it", "builtin-as-server-tool" },
	{ FY_KIND_TOOL, "type=web_search", FY_CAP_NONE, FY_CAP_EMULATED,
	  "a ServerTool of that name: the runtime provides it", "builtin-as-server-tool" },
	{ FY_KIND_TOOL, "type=computer_use", FY_CAP_NONE, FY_CAP_EMULATED,
	  "a ServerTool of that name: the runtime provides it", "builtin-as-server-tool" },
	{ FY_KIND_TOOL, "type=builtin", FY_CAP_NONE, FY_CAP_EMULATED,
	  "a ServerTool of that name: the runtime provides it", "builtin-as-server-tool" },
	{ FY_KIND_TOOL, "type=openapi", FY_CAP_NONE, FY_CAP_EMULATED,
	  "a ServerTool of that name: the OpenAPI document does not travel", "builtin-as-server-tool" },
	{ FY_KIND_TOOL, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "ServerTool, ClientTool, RemoteTool, MCPTool", NULL },
	{ FY_KIND_TOOL, "source.adapter!=agentspec", FY_CAP_NATIVE, FY_CAP_TRANSFORMED,
	  "a function of another provider becomes a ClientTool, an MCP server an MCPTool",
	  "foreign-tool" },
	{ FY_KIND_TOOL, "code", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "Agent Spec carries no code", "no-code" },
	{ FY_KIND_THREAD, NULL, FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "a specification holds no conversations", NULL },
};

static const struct fy_adapter_limits as_limits = {
	.flags = FY_LIMIT_SETS_IDS,
	.note = "documents keep the archive's component ids; Agent Spec holds no timestamps, "
		"conversations, memory or knowledge, and no secrets (bound from the environment "
		"when written)",
};

/* --- the sink ----------------------------------------------------------------- */

struct as_sink {
	const struct fy_adapter_ctx *ctx;
	struct wf_notes notes;
	struct fy_jdoc d;
	struct fy_buf out;
	struct wf_target t;
	unsigned written;
	struct held *agents, *tools, *docs;
	size_t nagents, ntools, capagents, captools, ndocs, capdocs;
};

static void held_free(struct held *h, size_t n)
{
	while (h && n--) {
		free(h[n].id);
		free(h[n].json);
	}
	free(h);
}

static void as_sink_close(void *state)
{
	struct as_sink *k = state;

	if (!k)
		return;
	fy_jdoc_release(&k->d);
	fy_buf_release(&k->out);
	wf_target_release(&k->t);
	held_free(k->agents, k->nagents);
	held_free(k->tools, k->ntools);
	held_free(k->docs, k->ndocs);
	free(k);
}

static int as_sink_open(const struct fy_adapter_ctx *ctx, const struct fy_header *hdr, void **state,
			struct fy_error *err)
{
	struct as_sink *k = calloc(1, sizeof(*k));

	(void)hdr;
	if (!k)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	k->ctx = ctx;
	fy_jdoc_init(&k->d);
	fy_buf_init(&k->out, AS_FILE_MAX);
	k->notes.line = wf_sink_line;
	k->notes.ctx = (void *)ctx;
	k->notes.adapter = "agentspec";
	k->notes.phase = "import";
	if (wf_target_open(&k->t, "agentspec", ctx->location, err) < 0) {
		as_sink_close(k);
		return -1;
	}
	*state = k;
	return 0;
}

/* Write one finished document (pretty, as pyagentspec writes them). */
/* The file name an Agent Spec record was read from, or NULL. New. */
static char *origin_file(const struct fy_jdoc *d)
{
	uint32_t src = fy_json_get(d, 0, "source");

	if (!fy_json_streq(d, fy_json_get(d, src, "adapter"), "agentspec"))
		return NULL;
	return fy_json_get_strdup(d, src, "path");
}

static int hold(struct held **h, size_t *n, size_t *cap, const char *id, const struct fy_item *it,
		struct fy_error *err);

static int as_emit_doc(struct as_sink *k, const char *id, const char *file, const char *text,
		       size_t len, struct fy_error *err)
{
	struct fy_buf pretty = FY_BUF_INIT(AS_FILE_MAX);
	struct fy_jdoc d;
	int rc;

	fy_jdoc_init(&d);
	rc = fy_jdoc_parse(&d, text, len, 0, err);
	if (rc == 0)
		rc = fy_json_emit_pretty(&d, 0, &pretty, err);
	if (rc == 0)
		rc = fy_buf_addc(&pretty, '\n', err);
	fy_jdoc_release(&d);
	if (rc == 0 && k->t.one_file) {
		/* written at the end: one component alone, several as disaggregated components */
		struct fy_item it;

		memset(&it, 0, sizeof(it));
		it.json = text;
		it.len = len;
		rc = hold(&k->docs, &k->ndocs, &k->capdocs, id, &it, err);
	} else if (rc == 0) {
		char safe[FY_ID_MAX + 1];

		/* the file it was read from, when that name is free; else its id */
		fy_id_make(id, strlen(id), safe);
		rc = wf_target_put(&k->t, file, safe, pretty.ptr, pretty.len, err);
	}
	if (rc == 0)
		k->written++;
	fy_buf_release(&pretty);
	return rc;
}

static int hold(struct held **h, size_t *n, size_t *cap, const char *id, const struct fy_item *it,
		struct fy_error *err)
{
	struct held *x;

	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct held *p = realloc(*h, c * sizeof(*p));

		if (!p)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		*h = p;
		*cap = c;
	}
	x = &(*h)[*n];
	memset(x, 0, sizeof(*x));
	x->id = strdup(id);
	x->json = malloc(it->len + 1);
	if (!x->id || !x->json) {
		free(x->id);
		free(x->json);
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	memcpy(x->json, it->json, it->len);
	x->json[it->len] = '\0';
	x->len = it->len;
	(*n)++;
	return 0;
}


/* What a field line of the table counts (fidelity.c): present and not null; an array non-empty. */
static int present(const struct fy_jdoc *d, uint32_t v)
{
	enum fy_jtype t = fy_json_type(d, v);

	if (t == FY_JARRAY)
		return fy_json_len(d, v) > 0;
	return t != FY_JABSENT && t != FY_JNULL;
}

/*
 * The done-ledger lines of one record (k->d): the lines of the table that
 * its writing follows, and its secrets.
 */
static int report_done(struct as_sink *k, enum fy_kind kind, const char *id, struct fy_error *err)
{
	static const char *const dropped[] = { "knowledge", "memory", "handoffs", "response_format",
		NULL };
	const struct fy_jdoc *d = &k->d;
	const size_t n = sizeof(as_caps) / sizeof(as_caps[0]);
	int foreign = !fy_json_streq(d, fy_json_get(d, fy_json_get(d, 0, "source"), "adapter"),
				     "agentspec");
	const char *const *f;
	size_t i;

	if (kind == FY_KIND_WORKFLOW) {
		uint32_t nodes = fy_json_get(d, 0, "nodes"), j, el;
		int other = 0;

		FY_JSON_FOREACH(d, nodes, j, el)
			if (!fy_json_streq(d, fy_json_get(d, el, "dialect"), "agentspec"))
				other = 1;
		if (other && wf_done_table(k->ctx, as_caps, n, kind, id, "nodes.dialect!=agentspec", err) < 0)
			return -1;
	} else if (kind == FY_KIND_AGENT) {
		if (foreign && wf_done_table(k->ctx, as_caps, n, kind, id, "source.adapter!=agentspec", err) < 0)
			return -1;
		for (f = dropped; *f; f++)
			if (present(d, fy_json_get(d, 0, *f)) &&
			    wf_done_table(k->ctx, as_caps, n, kind, id, *f, err) < 0)
				return -1;
	} else if (kind == FY_KIND_TOOL) {
		/* a builtin type is a whole-record line of its own */
		for (i = 0; i < n; i++)
			if (as_caps[i].kind == kind && as_caps[i].field &&
			    strncmp(as_caps[i].field, "type=", 5) == 0 &&
			    fy_json_streq(d, fy_json_get(d, 0, "type"), as_caps[i].field + 5) &&
			    wf_done(k->ctx, kind, id, NULL, as_caps[i].write, as_caps[i].rule,
				    as_caps[i].note, err) < 0)
				return -1;
		if (foreign && wf_done_table(k->ctx, as_caps, n, kind, id, "source.adapter!=agentspec", err) < 0)
			return -1;
		if (present(d, fy_json_get(d, 0, "code")) &&
		    wf_done_table(k->ctx, as_caps, n, kind, id, "code", err) < 0)
			return -1;
	}
	return wf_done_secrets(k->ctx, kind, id, d, err);
}

static int as_sink_put(void *state, const struct fy_item *it, struct fy_error *err)
{
	struct as_sink *k = state;
	struct wctx c;
	enum fy_kind kind;
	char *id;
	size_t len;
	const char *s;
	int rc = 0;

	if (it->type != FY_ITEM_RECORD)
		return 0;
	if (fy_jdoc_parse(&k->d, it->json, it->len, 0, err) < 0)
		return -1;
	s = fy_json_raw(&k->d, fy_json_get(&k->d, 0, "kind"), &len);
	kind = fy_kind_from_name(s, len);
	id = fy_json_get_strdup(&k->d, 0, "id");
	if (!id)
		return fy_error_set(err, FY_E_DATA, "a record without an id");
	rc = report_done(k, kind, id, err);
	if (rc < 0) {
		/* reported below */
	} else if (kind == FY_KIND_AGENT) {
		rc = hold(&k->agents, &k->nagents, &k->capagents, id, it, err);
	} else if (kind == FY_KIND_TOOL) {
		rc = hold(&k->tools, &k->ntools, &k->captools, id, it, err);
	} else if (kind == FY_KIND_WORKFLOW) {
		memset(&c, 0, sizeof(c));
		c.d = &k->d;
		c.notes = &k->notes;
		c.err = err;
		c.version = AS_VERSION;
		{
			uint32_t v = fy_json_get(&k->d, fy_json_get(&k->d, fy_json_get(&k->d, 0, "ext"),
								    "agentspec"), "agentspec_version");

			if (fy_json_type(&k->d, v) == FY_JSTRING) {
				char *x = fy_json_strdup(&k->d, v, NULL);

				snprintf(c.vbuf, sizeof(c.vbuf), "%s", x ? x : AS_VERSION);
				free(x);
				c.version = c.vbuf;
			}
		}
		k->notes.kind = "workflow";
		k->notes.id = id;
		rc = write_flow(&c, &k->out);
		if (rc == 0) {
			char *oid = origin_id(&k->d);

			char *file = origin_file(&k->d);

			rc = as_emit_doc(k, oid ? oid : id, file, k->out.ptr, k->out.len, err);
			free(oid);
			free(file);
		}
		k->notes.id = NULL;
	}
	/* other kinds: the tool does not hand them over (the table writes none) */
	if (rc < 0)
		fy_error_prefix(err, "%s %s", fy_kind_name(kind) ? fy_kind_name(kind) : "record", id);
	free(id);
	return rc;
}

/* The .json target: the one component, or all of them as disaggregated components. */
static int write_one_file(struct as_sink *k, struct fy_error *err)
{
	struct fy_buf b = FY_BUF_INIT(AS_FILE_MAX), pretty = FY_BUF_INIT(AS_FILE_MAX);
	struct fy_jdoc d;
	size_t i;
	int rc = 0;

	if (k->ndocs == 1) {
		rc = fy_buf_add(&b, k->docs[0].json, k->docs[0].len, err);
	} else {
		rc = fy_buf_adds(&b, "{\"$referenced_components\":{", err);
		for (i = 0; rc == 0 && i < k->ndocs; i++)
			if ((i && fy_buf_addc(&b, ',', err) < 0) ||
			    fy_buf_add_jstr(&b, k->docs[i].id, strlen(k->docs[i].id), err) < 0 ||
			    fy_buf_addc(&b, ':', err) < 0 ||
			    fy_buf_add(&b, k->docs[i].json, k->docs[i].len, err) < 0)
				rc = -1;
		if (rc == 0)
			rc = fy_buf_adds(&b, "}}", err);
	}
	fy_jdoc_init(&d);
	if (rc == 0)
		rc = fy_jdoc_parse(&d, b.ptr, b.len, 0, err);
	if (rc == 0)
		rc = fy_json_emit_pretty(&d, 0, &pretty, err);
	if (rc == 0)
		rc = fy_buf_addc(&pretty, '\n', err);
	fy_jdoc_release(&d);
	if (rc == 0)
		rc = wf_target_commit(&k->t, pretty.ptr, pretty.len, err);
	fy_buf_release(&b);
	fy_buf_release(&pretty);
	return rc;
}

static int as_sink_finish(void *state, struct fy_error *err)
{
	struct as_sink *k = state;
	struct wctx c;
	size_t i;

	for (i = 0; i < k->nagents; i++) {
		if (fy_jdoc_parse(&k->d, k->agents[i].json, k->agents[i].len, 0, err) < 0)
			return -1;
		memset(&c, 0, sizeof(c));
		c.d = &k->d;
		c.notes = &k->notes;
		c.err = err;
		c.version = AS_VERSION;
		k->notes.kind = "agent";
		k->notes.id = k->agents[i].id;
		if (write_agent(&c, &k->out, k->tools, k->ntools) < 0)
			return fy_error_prefix(err, "agent %s", k->agents[i].id);
		{
			char *oid = origin_id(&k->d), *file = origin_file(&k->d);
			int rc = as_emit_doc(k, oid ? oid : k->agents[i].id, file, k->out.ptr, k->out.len,
					     err);

			free(oid);
			free(file);
			if (rc < 0)
				return -1;
		}
	}
	/* tools no agent uses: each its own document */
	for (i = 0; i < k->ntools; i++) {
		struct fy_jdoc td;
		struct fy_jw w;
		int rc;

		if (k->tools[i].used)
			continue;
		fy_jdoc_init(&td);
		if (fy_jdoc_parse(&td, k->tools[i].json, k->tools[i].len, 0, err) < 0) {
			fy_jdoc_release(&td);
			return -1;
		}
		memset(&c, 0, sizeof(c));
		c.d = &td;
		c.notes = &k->notes;
		c.err = err;
		c.version = AS_VERSION;
		k->notes.kind = "tool";
		k->notes.id = k->tools[i].id;
		fy_buf_reset(&k->out);
		fy_jw_init(&w, &k->out);
		emit_tool_component(&c, &w, &td);
		rc = fy_jw_finish(&w, err);
		if (rc == 0) {
			char *oid = origin_id(&td), *file = origin_file(&td);

			rc = as_emit_doc(k, oid ? oid : k->tools[i].id, file, k->out.ptr, k->out.len, err);
			free(oid);
			free(file);
		}
		fy_jdoc_release(&td);
		if (rc < 0)
			return -1;
	}
	k->notes.id = NULL;
	if (k->t.one_file)
		return write_one_file(k, err);
	return wf_target_commit(&k->t, NULL, 0, err);
}

const struct fy_adapter fy_adapter_agentspec = {
	.name = "agentspec",
	.summary = "Open Agent Specification (Oracle Agent Spec) JSON: agents, flows, tools",
	.locations = "agentspec:PATH (a .json document or a folder of them)",
	.flags = FY_ADAPTER_READ | FY_ADAPTER_WRITE,
	.caps = as_caps,
	.ncaps = sizeof(as_caps) / sizeof(as_caps[0]),
	.limits = &as_limits,
	.read_open = as_src_open,
	.read_next = as_src_next,
	.read_close = as_src_close,
	.write_open = as_sink_open,
	.write_put = as_sink_put,
	.write_finish = as_sink_finish,
	.write_close = as_sink_close,
};
