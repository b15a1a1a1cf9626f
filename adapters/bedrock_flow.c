/*
 * bedrock_flow.c - the "bedrock-flow" adapter: Amazon Bedrock Flows
 * definitions as neutral workflow graphs (formats/SPEC.md section 7.5),
 * from and to files or the Bedrock Agent API.
 *
 *	bedrock-flow:PATH		a flow document (.json) or a folder of them
 *	bedrock-flow:REGION[/FLOW_ID]	the account's flows (ListFlows, GetFlow)
 *
 * A flow document is what CreateFlow takes or GetFlow returns: name,
 * description, definition {nodes, connections}, and the rest (tags,
 * executionRoleArn, id, arn, ...), which travels in ext["bedrock-flow"].
 *
 * Nodes: every FlowNodeType of the service model (bedrock-agent
 * 2023-06-05, botocore/data/bedrock-agent/2023-06-05/service-2.json, shape
 * FlowNodeType and union FlowNodeConfiguration; the stored botocore
 * snapshot stops at Iterator and Collector, the current model and the API
 * Reference page FlowNodeConfiguration add InlineCode, Loop, LoopInput and
 * LoopController): Input -> start, Output -> end, Prompt -> llm,
 * KnowledgeBase -> retriever, Retrieval, Storage, LambdaFunction -> tool,
 * Agent -> agent, Condition -> condition, Iterator and Loop -> loop,
 * Collector -> merge, InlineCode -> code, LoopInput -> start,
 * LoopController -> condition, Lex and anything newer -> other. The
 * node's provider_type is the Bedrock type and its config the
 * configuration union member, verbatim (numbers keep their text,
 * $$PLACEHOLDER tokens stay as they are); inputs keep their expression
 * and category. A Loop's own definition is flattened: its nodes get the
 * id "LOOP/NAME" ('/' cannot appear in a node name), its connections are
 * edges between such ids, and writing back nests them again.
 *
 * Connections: Data -> edge kind "data" with from_port = sourceOutput and
 * to_port = targetInput; Conditional -> kind "control" with condition
 * {name, expression (the condition node's expression for that name),
 * dialect "bedrock-flows"}. The connection's own name is kept on the edge.
 *
 * The API: ListFlows GET /flows/ and GetFlow GET /flows/{id}/ (query
 * pagination, not POST), CreateFlow POST /flows/ (clientToken); signing
 * name "bedrock".
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws.h"
#include "durable.h"
#include "journal.h"
#include "record.h"
#include "zstream.h"

#define BF "bedrock-flow"
#define DOC_MAX ((size_t)64 << 20)

static const struct {
	const char *bedrock, *neutral;
} node_types[] = {
	{ "Input", "start" },	    { "Output", "end" },	  { "Prompt", "llm" },
	{ "KnowledgeBase", "retriever" }, { "Retrieval", "tool" }, { "Storage", "tool" },
	{ "LambdaFunction", "tool" }, { "Agent", "agent" },	  { "Condition", "condition" },
	{ "Iterator", "loop" },	    { "Collector", "merge" },	  { "InlineCode", "code" },
	{ "Loop", "loop" },	    { "LoopInput", "start" },	  { "LoopController", "condition" },
	{ "Lex", "other" },
};

static const char *neutral_type(const char *t)
{
	size_t i;

	for (i = 0; t && i < sizeof(node_types) / sizeof(node_types[0]); i++)
		if (!strcmp(node_types[i].bedrock, t))
			return node_types[i].neutral;
	return "other";
}

static int known_type(const char *t)
{
	size_t i;

	for (i = 0; t && i < sizeof(node_types) / sizeof(node_types[0]); i++)
		if (!strcmp(node_types[i].bedrock, t))
			return 1;
	return 0;
}

/* The FlowNodeConfiguration member of a type: its name with a lower-case first letter. */
static void config_key(const char *type, char out[64])
{
	snprintf(out, 64, "%s", type ? type : "");
	out[0] = (char)tolower((unsigned char)out[0]);
}

/* --- export mapping ----------------------------------------------------- */

struct fmap {
	const struct fy_jdoc *d;
	struct fy_jw *w;
	struct fy_buf placeholders;	/* NUL-separated, seen once */
};

/* Note every $$TOKEN in string values under node i. */
static void scan_placeholders(struct fmap *m, uint32_t i)
{
	const struct fy_jdoc *d = m->d;

	if (fy_json_type(d, i) == FY_JSTRING) {
		size_t n;
		const char *s = fy_json_raw(d, i, &n), *p = s;

		while ((p = memchr(p, '$', (size_t)(s + n - p))) && p + 2 < s + n) {
			if (p[1] == '$' && (isupper((unsigned char)p[2]) || p[2] == '_')) {
				const char *e = p + 2, *q;
				int seen = 0;

				while (e < s + n && (isupper((unsigned char)*e) || isdigit((unsigned char)*e) || *e == '_'))
					e++;
				for (q = m->placeholders.ptr; q && q < m->placeholders.ptr + m->placeholders.len;
				     q += strlen(q) + 1)
					if (strlen(q) == (size_t)(e - p) && !strncmp(q, p, (size_t)(e - p)))
						seen = 1;
				if (!seen) {
					fy_buf_add(&m->placeholders, p, (size_t)(e - p), NULL);
					fy_buf_addc(&m->placeholders, '\0', NULL);
				}
				p = e;
			} else {
				p++;
			}
		}
		return;
	}
	if (fy_json_type(d, i) == FY_JARRAY) {
		uint32_t k, el;

		FY_JSON_FOREACH(d, i, k, el)
			scan_placeholders(m, el);
	} else if (fy_json_type(d, i) == FY_JOBJECT) {
		uint32_t k, key, val;

		FY_JSON_FOREACH_MEMBER(d, i, k, key, val)
			scan_placeholders(m, val);
	}
}

/* Nodes of a definition (recursing into loops) into the open "nodes" array. */
static void map_nodes(struct fmap *m, uint32_t def, const char *prefix)
{
	const struct fy_jdoc *d = m->d;
	struct fy_jw *w = m->w;
	uint32_t k, n;

	FY_JSON_FOREACH(d, fy_json_get(d, def, "nodes"), k, n) {
		char *name = fy_json_get_strdup(d, n, "name"), *type = fy_json_get_strdup(d, n, "type");
		char key[64], id[512];
		uint32_t cfg, member, inputs = fy_json_get(d, n, "inputs"), outputs = fy_json_get(d, n, "outputs");
		uint32_t kk, el;

		config_key(type, key);
		cfg = fy_json_get(d, n, "configuration");
		member = fy_json_get(d, cfg, key);
		snprintf(id, sizeof(id), "%s%s", prefix, name ? name : "");
		fy_jw_obj(w);
		fy_jw_kstr(w, "id", id);
		fy_jw_kstr(w, "type", neutral_type(type));
		fy_jw_kstr_opt(w, "provider_type", type);
		fy_jw_kstr_opt(w, "name", name);
		fy_jw_key(w, "config");
		if (fy_json_type(d, member) == FY_JOBJECT && (!type || strcmp(type, "Loop"))) {
			fy_jw_node(w, d, member);
		} else if (type && !strcmp(type, "Loop")) {
			/* The loop's definition becomes nodes and edges; keep any other member. */
			uint32_t kk2, key2, val2;

			fy_jw_obj(w);
			FY_JSON_FOREACH_MEMBER(d, member, kk2, key2, val2) {
				char *kn = fy_json_strdup(d, key2, NULL);

				if (kn && strcmp(kn, "definition")) {
					fy_jw_key(w, kn);
					fy_jw_node(w, d, val2);
				}
				free(kn);
			}
			fy_jw_end(w);
		} else {
			fy_jw_raw(w, "{}", 2);
		}
		scan_placeholders(m, cfg);
		if (inputs != FY_JNONE) {
			fy_jw_key(w, "inputs");
			fy_jw_arr(w);
			FY_JSON_FOREACH(d, inputs, kk, el)
				fy_jw_node(w, d, el);
			fy_jw_end(w);
		}
		if (outputs != FY_JNONE) {
			fy_jw_key(w, "outputs");
			fy_jw_arr(w);
			FY_JSON_FOREACH(d, outputs, kk, el)
				fy_jw_node(w, d, el);
			fy_jw_end(w);
		}
		fy_jw_end(w);
		if (type && !strcmp(type, "Loop")) {
			char sub[600];

			snprintf(sub, sizeof(sub), "%s%s/", prefix, name ? name : "");
			map_nodes(m, fy_json_get(d, member, "definition"), sub);
		}
		free(name);
		free(type);
	}
}

/* The expression of condition cond_name on the condition node named node in def. */
static uint32_t condition_expr(const struct fy_jdoc *d, uint32_t def, const char *node,
			       const char *cond_name)
{
	uint32_t k, n, kk, c;

	FY_JSON_FOREACH(d, fy_json_get(d, def, "nodes"), k, n) {
		if (!fy_json_streq(d, fy_json_get(d, n, "name"), node))
			continue;
		FY_JSON_FOREACH(d, fy_json_get(d, fy_json_get(d, fy_json_get(d, n, "configuration"), "condition"),
					       "conditions"),
				kk, c)
			if (fy_json_streq(d, fy_json_get(d, c, "name"), cond_name))
				return fy_json_get(d, c, "expression");
	}
	return FY_JNONE;
}

static void map_edges(struct fmap *m, uint32_t def, const char *prefix)
{
	const struct fy_jdoc *d = m->d;
	struct fy_jw *w = m->w;
	uint32_t k, c, n;
	char id[600];

	FY_JSON_FOREACH(d, fy_json_get(d, def, "connections"), k, c) {
		char *src = fy_json_get_strdup(d, c, "source"), *dst = fy_json_get_strdup(d, c, "target");
		uint32_t cfg = fy_json_get(d, c, "configuration");
		uint32_t data = fy_json_get(d, cfg, "data"), cond = fy_json_get(d, cfg, "conditional");

		fy_jw_obj(w);
		snprintf(id, sizeof(id), "%s%s", prefix, src ? src : "");
		fy_jw_kstr(w, "from", id);
		snprintf(id, sizeof(id), "%s%s", prefix, dst ? dst : "");
		fy_jw_kstr(w, "to", id);
		fy_jw_knode_opt(w, "from_port", d, fy_json_get(d, data, "sourceOutput"));
		fy_jw_knode_opt(w, "to_port", d, fy_json_get(d, data, "targetInput"));
		fy_jw_kstr(w, "kind", fy_json_streq(d, fy_json_get(d, c, "type"), "Conditional") ? "control"
									: "data");
		if (cond != FY_JNONE) {
			char *cname = fy_json_get_strdup(d, cond, "condition");
			uint32_t expr = condition_expr(d, def, src, cname);

			fy_jw_key(w, "condition");
			fy_jw_obj(w);
			fy_jw_key(w, "expression");
			if (fy_json_type(d, expr) == FY_JSTRING)
				fy_jw_node(w, d, expr);
			else
				fy_jw_str(w, "");
			fy_jw_kstr(w, "dialect", "bedrock-flows");
			fy_jw_kstr_opt(w, "name", cname);
			fy_jw_end(w);
			free(cname);
		}
		fy_jw_knode_opt(w, "name", d, fy_json_get(d, c, "name"));
		fy_jw_knode_opt(w, "provider_type", d, fy_json_get(d, c, "type"));
		fy_jw_end(w);
		free(src);
		free(dst);
	}
	/* Then each loop's own connections. */
	FY_JSON_FOREACH(d, fy_json_get(d, def, "nodes"), k, n) {
		if (fy_json_streq(d, fy_json_get(d, n, "type"), "Loop")) {
			char *name = fy_json_get_strdup(d, n, "name");

			snprintf(id, sizeof(id), "%s%s/", prefix, name ? name : "");
			free(name);
			map_edges(m, fy_json_get(d, fy_json_get(d, fy_json_get(d, n, "configuration"), "loop"),
						 "definition"),
				  id);
		}
	}
}

/*
 * A flow document (root node f of d) as a workflow record into out, and
 * its ledger lines (placeholders) into ledger (one per line).
 */
int fy_bedrock_flow_map(const struct fy_jdoc *d, uint32_t f, struct fy_buf *out,
			struct fy_buf *ledger, struct fy_error *err);

int fy_bedrock_flow_map(const struct fy_jdoc *d, uint32_t f, struct fy_buf *out,
			struct fy_buf *ledger, struct fy_error *err)
{
	char *name = fy_json_get_strdup(d, f, "name"), *fid = fy_json_get_strdup(d, f, "id");
	uint32_t def = fy_json_get(d, f, "definition"), k, key, val;
	char id[FY_ID_MAX + 1];
	struct fmap m = { .d = d };
	struct fy_jw w;
	int64_t sec;
	int32_t ns;
	int rc, any = 0;

	if (!name) {
		free(fid);
		return fy_error_set(err, FY_E_DATA, "a flow without a name");
	}
	fy_buf_init(&m.placeholders, (size_t)1 << 20);
	fy_id_make(fid ? fid : name, strlen(fid ? fid : name), id);
	fy_buf_reset(out);
	fy_jw_init(&w, out);
	m.w = &w;
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "kind", "workflow");
	fy_jw_kstr(&w, "id", id);
	fy_jw_kstr(&w, "name", name);
	fy_jw_knode_opt(&w, "description", d, fy_json_get(d, f, "description"));
	fy_jw_key(&w, "nodes");
	fy_jw_arr(&w);
	map_nodes(&m, def, "");
	fy_jw_end(&w);
	fy_jw_key(&w, "edges");
	fy_jw_arr(&w);
	map_edges(&m, def, "");
	fy_jw_end(&w);
	/* The flow's inputs: the Input node's outputs. */
	{
		uint32_t kk, n, o;

		FY_JSON_FOREACH(d, fy_json_get(d, def, "nodes"), kk, n) {
			uint32_t ko;

			if (!fy_json_streq(d, fy_json_get(d, n, "type"), "Input"))
				continue;
			FY_JSON_FOREACH(d, fy_json_get(d, n, "outputs"), ko, o) {
				if (!any) {
					fy_jw_key(&w, "variables");
					fy_jw_arr(&w);
					any = 1;
				}
				fy_jw_obj(&w);
				fy_jw_key(&w, "name");
				fy_jw_node(&w, d, fy_json_get(d, o, "name"));
				fy_jw_knode_opt(&w, "type", d, fy_json_get(d, o, "type"));
				fy_jw_end(&w);
			}
		}
		if (any)
			fy_jw_end(&w);
	}
	if (fy_aws_time(d, fy_json_get(d, f, "createdAt"), &sec, &ns) == 0) {
		char t[40];

		fy_time_format(sec, ns, t);
		fy_jw_kstr(&w, "created", t);
	}
	if (fy_aws_time(d, fy_json_get(d, f, "updatedAt"), &sec, &ns) == 0) {
		char t[40];

		fy_time_format(sec, ns, t);
		fy_jw_kstr(&w, "updated", t);
	}
	fy_jw_key(&w, "source");
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "adapter", BF);
	fy_jw_kstr(&w, "id", fid ? fid : name);
	fy_jw_knode_opt(&w, "url", d, fy_json_get(d, f, "arn"));
	fy_jw_end(&w);
	/* Everything else of the document, verbatim, to write it back. */
	fy_jw_key(&w, "ext");
	fy_jw_obj(&w);
	fy_jw_key(&w, BF);
	fy_jw_obj(&w);
	{
		int first = 1;

		FY_JSON_FOREACH_MEMBER(d, f, k, key, val) {
			char *kn = fy_json_strdup(d, key, NULL);

			if (kn && strcmp(kn, "name") && strcmp(kn, "description") && strcmp(kn, "definition")) {
				if (first) {
					fy_jw_key(&w, "document");
					fy_jw_obj(&w);
					first = 0;
				}
				fy_jw_key(&w, kn);
				fy_jw_node(&w, d, val);
			}
			free(kn);
		}
		if (!first)
			fy_jw_end(&w);
		/* The keys' order, so a written document reads like the original. */
		fy_jw_key(&w, "order");
		fy_jw_arr(&w);
		FY_JSON_FOREACH_MEMBER(d, f, k, key, val)
			fy_jw_node(&w, d, key);
		fy_jw_end(&w);
	}
	fy_jw_end(&w);
	fy_jw_end(&w);
	fy_jw_end(&w);
	rc = fy_jw_finish(&w, err);
	if (rc == 0 && ledger) {
		const char *p;

		fy_buf_reset(ledger);
		for (p = m.placeholders.ptr; rc == 0 && p && p < m.placeholders.ptr + m.placeholders.len;
		     p += strlen(p) + 1) {
			struct fy_buf line = FY_BUF_INIT((size_t)1 << 20);

			rc = fy_aws_ledger_line(&line, err,
						&(struct fy_ledger_item){ FY_KIND_WORKFLOW, id, NULL, "nodes" },
						FY_OUT__COUNT, "bedrock-flow-placeholder", BF, "export",
						"flow %s holds the placeholder %s, kept verbatim; replace it "
						"before the flow is created in an account",
						name, p);
			if (rc == 0)
				rc = fy_buf_add(ledger, line.ptr, line.len, err) < 0 ||
						     fy_buf_addc(ledger, '\n', err) < 0
					     ? -1
					     : 0;
			fy_buf_release(&line);
		}
	}
	fy_buf_release(&m.placeholders);
	free(name);
	free(fid);
	return rc;
}

/* --- import mapping: workflow -> flow document ---------------------------- */

/* 1 when node id belongs directly to the definition at prefix ("" or "LOOP/"). */
static int in_scope(const char *id, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncmp(id, prefix, n) && !strchr(id + n, '/');
}

struct wmap {
	const struct fy_jdoc *d;
	uint32_t nodes, edges;
	struct fy_jw *w;
	const struct fy_adapter_ctx *ctx;
	const char *wid;
	int dropped;
};

static void write_definition(struct wmap *m, const char *prefix);

static void write_node(struct wmap *m, uint32_t n, const char *prefix)
{
	const struct fy_jdoc *d = m->d;
	struct fy_jw *w = m->w;
	char *id = fy_json_get_strdup(d, n, "id"), *type = fy_json_get_strdup(d, n, "provider_type");
	uint32_t cfg = fy_json_get(d, n, "config"), k, key, val;
	char ckey[64];

	config_key(type, ckey);
	fy_jw_obj(w);
	fy_jw_key(w, "configuration");
	fy_jw_obj(w);
	fy_jw_key(w, ckey);
	if (type && !strcmp(type, "Loop")) {
		char sub[600];

		fy_jw_obj(w);
		FY_JSON_FOREACH_MEMBER(d, cfg, k, key, val) {
			char *kn = fy_json_strdup(d, key, NULL);

			fy_jw_key(w, kn ? kn : "");
			fy_jw_node(w, d, val);
			free(kn);
		}
		fy_jw_key(w, "definition");
		snprintf(sub, sizeof(sub), "%s/", id ? id : "");
		write_definition(m, sub);
		fy_jw_end(w);
	} else if (cfg != FY_JNONE) {
		fy_jw_node(w, d, cfg);
	} else {
		fy_jw_raw(w, "{}", 2);
	}
	fy_jw_end(w);
	fy_jw_knode_opt(w, "inputs", d, fy_json_get(d, n, "inputs"));
	fy_jw_kstr(w, "name", id ? id + strlen(prefix) : "");
	fy_jw_knode_opt(w, "outputs", d, fy_json_get(d, n, "outputs"));
	fy_jw_kstr(w, "type", type);
	fy_jw_end(w);
	free(id);
	free(type);
}

/* Is node id one this document writes (a Bedrock Flows node type)? */
static int written(const struct wmap *m, const char *id)
{
	uint32_t k, n;

	FY_JSON_FOREACH(m->d, m->nodes, k, n)
		if (fy_json_streq(m->d, fy_json_get(m->d, n, "id"), id)) {
			char *type = fy_json_get_strdup(m->d, n, "provider_type");
			int known = known_type(type);

			free(type);
			return known;
		}
	return 0;
}

static void write_definition(struct wmap *m, const char *prefix)
{
	const struct fy_jdoc *d = m->d;
	struct fy_jw *w = m->w;
	uint32_t k, n, e;
	size_t plen = strlen(prefix);

	fy_jw_obj(w);
	fy_jw_key(w, "connections");
	fy_jw_arr(w);
	FY_JSON_FOREACH(d, m->edges, k, e) {
		char *from = fy_json_get_strdup(d, e, "from"), *to = fy_json_get_strdup(d, e, "to");
		char *kind = fy_json_get_strdup(d, e, "kind");
		uint32_t cond = fy_json_get(d, e, "condition");

		if (from && to && in_scope(from, prefix) && in_scope(to, prefix) && written(m, from) &&
		    written(m, to)) {
			int control = (kind && !strcmp(kind, "control")) || cond != FY_JNONE;

			fy_jw_obj(w);
			fy_jw_key(w, "configuration");
			fy_jw_obj(w);
			if (control) {
				fy_jw_key(w, "conditional");
				fy_jw_obj(w);
				fy_jw_key(w, "condition");
				if (fy_json_get(d, cond, "name") != FY_JNONE)
					fy_jw_node(w, d, fy_json_get(d, cond, "name"));
				else
					fy_jw_node(w, d, fy_json_get(d, cond, "expression"));
				fy_jw_end(w);
			} else {
				fy_jw_key(w, "data");
				fy_jw_obj(w);
				fy_jw_knode_opt(w, "sourceOutput", d, fy_json_get(d, e, "from_port"));
				fy_jw_knode_opt(w, "targetInput", d, fy_json_get(d, e, "to_port"));
				fy_jw_end(w);
			}
			fy_jw_end(w);
			if (fy_json_get(d, e, "name") != FY_JNONE) {
				fy_jw_key(w, "name");
				fy_jw_node(w, d, fy_json_get(d, e, "name"));
			} else {
				char nm[1200];

				snprintf(nm, sizeof(nm), "%s_to_%s", from + plen, to + plen);
				fy_jw_kstr(w, "name", nm);
			}
			fy_jw_kstr(w, "source", from + plen);
			fy_jw_kstr(w, "target", to + plen);
			fy_jw_kstr(w, "type", control ? "Conditional" : "Data");
			fy_jw_end(w);
		}
		free(from);
		free(to);
		free(kind);
	}
	fy_jw_end(w);
	fy_jw_key(w, "nodes");
	fy_jw_arr(w);
	FY_JSON_FOREACH(d, m->nodes, k, n) {
		char *id = fy_json_get_strdup(d, n, "id"), *type = fy_json_get_strdup(d, n, "provider_type");

		if (id && in_scope(id, prefix)) {
			if (known_type(type))
				write_node(m, n, prefix);
			else
				m->dropped++;
		}
		free(id);
		free(type);
	}
	fy_jw_end(w);
	fy_jw_end(w);
}

/*
 * A workflow record as a flow document (CreateFlow's body without the
 * client token) into out. Nodes whose provider_type is not a Bedrock
 * Flows type are left out; *dropped counts them.
 */
static int flow_document(const struct fy_jdoc *d, struct fy_buf *out, int *dropped,
			 struct fy_error *err)
{
	uint32_t ext = fy_json_get(d, fy_json_get(d, 0, "ext"), BF);
	uint32_t doc = fy_json_get(d, ext, "document"), order = fy_json_get(d, ext, "order");
	struct wmap m = { .d = d };
	struct fy_jw w;
	uint32_t k, key, val;
	int have_order = fy_json_len(d, order) > 0;

	m.nodes = fy_json_get(d, 0, "nodes");
	m.edges = fy_json_get(d, 0, "edges");
	m.w = &w;
	fy_buf_reset(out);
	fy_jw_init(&w, out);
	fy_jw_obj(&w);
	if (have_order) {
		/* The original key order: name, description, definition and the rest. */
		FY_JSON_FOREACH(d, order, k, key) {
			char *kn = fy_json_strdup(d, key, NULL);

			if (!kn)
				continue;
			if (!strcmp(kn, "name") || !strcmp(kn, "description")) {
				fy_jw_knode_opt(&w, kn, d, fy_json_get(d, 0, kn));
			} else if (!strcmp(kn, "definition")) {
				fy_jw_key(&w, "definition");
				write_definition(&m, "");
			} else {
				fy_jw_knode_opt(&w, kn, d, fy_json_get(d, doc, kn));
			}
			free(kn);
		}
	} else {
		fy_jw_knode_opt(&w, "name", d, fy_json_get(d, 0, "name"));
		fy_jw_knode_opt(&w, "description", d, fy_json_get(d, 0, "description"));
		FY_JSON_FOREACH_MEMBER(d, doc, k, key, val) {
			char *kn = fy_json_strdup(d, key, NULL);

			fy_jw_key(&w, kn ? kn : "");
			fy_jw_node(&w, d, val);
			free(kn);
		}
		fy_jw_key(&w, "definition");
		write_definition(&m, "");
	}
	fy_jw_end(&w);
	*dropped = m.dropped;
	return fy_jw_finish(&w, err);
}

/* --- files -------------------------------------------------------------- */

/* A location that names an AWS region, possibly with a flow id: "us-east-1[/ID]". */
static int is_region_location(const char *loc)
{
	size_t i = 0, dashes = 0;

	while (loc[i] && loc[i] != '/') {
		if (loc[i] == '-')
			dashes++;
		else if (!islower((unsigned char)loc[i]) && !isdigit((unsigned char)loc[i]))
			return 0;
		i++;
	}
	return i >= 9 && dashes >= 2 && isdigit((unsigned char)loc[i - 1]);
}

static int read_file(const char *path, struct fy_buf *b, struct fy_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fy_error_errno(err, errno, "%s", path);
	for (;;) {
		ssize_t n;

		if (fy_buf_grow(b, 65536, err) < 0) {
			close(fd);
			return fy_error_prefix(err, "%s", path);
		}
		n = read(fd, b->ptr + b->len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			return fy_error_errno(err, e, "%s", path);
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		b->ptr[b->len] = '\0';
	}
	close(fd);
	return 0;
}

/* Write a new file atomically: temp name, fsync, rename; never over an existing one. */
static int write_new_file(const char *path, const char *data, size_t n, struct fy_error *err)
{
	char tmp[PATH_MAX];
	int fd;

	if (access(path, F_OK) == 0)
		return fy_error_set(err, FY_E_EXISTS, "%s exists; ferry does not overwrite it", path);
	snprintf(tmp, sizeof(tmp), "%s.ferry-tmp-%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return fy_error_errno(err, errno, "%s", tmp);
	if (fy_write_all(fd, data, n, tmp, err) < 0 || fsync(fd) < 0) {
		if (err && err->code == FY_E_OK)
			fy_error_errno(err, errno, "%s", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (link(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		if (e == EEXIST)
			return fy_error_set(err, FY_E_EXISTS, "%s exists; ferry does not overwrite it", path);
		return fy_error_errno(err, e, "%s", path);
	}
	unlink(tmp);
	return 0;
}

/* --- source ------------------------------------------------------------- */

struct fsrc {
	const struct fy_adapter_ctx *ctx;
	struct fy_outbox out;
	/* files */
	char **files;
	size_t nfiles, ifile;
	/* API */
	int api;
	struct fy_aws_account acct;
	struct fy_aws c;
	int have_c;
	char *flow_only, *token;
	int listed;
	char **ids;
	size_t nids, iid, capids;
};

static void fsrc_close(void *state)
{
	struct fsrc *s = state;
	size_t i;

	if (!s)
		return;
	fy_outbox_release(&s->out);
	for (i = 0; i < s->nfiles; i++)
		free(s->files[i]);
	free(s->files);
	for (i = 0; i < s->nids; i++)
		free(s->ids[i]);
	free(s->ids);
	if (s->have_c)
		fy_aws_close(&s->c);
	fy_aws_account_close(&s->acct);
	free(s->flow_only);
	free(s->token);
	free(s);
}

/* Map one flow document and queue the record and its ledger lines. */
static int queue_flow(struct fsrc *s, const struct fy_jdoc *d, uint32_t f, struct fy_error *err)
{
	struct fy_buf rec = FY_BUF_INIT(DOC_MAX), led = FY_BUF_INIT(DOC_MAX);
	int rc = fy_bedrock_flow_map(d, f, &rec, &led, err);
	const char *p;

	if (rc == 0)
		rc = fy_outbox_record(&s->out, FY_KIND_WORKFLOW, rec.ptr, rec.len, err);
	for (p = led.ptr; rc == 0 && p && *p;) {
		const char *nl = strchr(p, '\n');

		rc = fy_outbox_ledger(&s->out, p, (size_t)(nl - p), err);
		p = nl + 1;
	}
	fy_buf_release(&rec);
	fy_buf_release(&led);
	return rc;
}

static int file_step(struct fsrc *s, struct fy_error *err)
{
	struct fy_buf b = FY_BUF_INIT(DOC_MAX);
	struct fy_jdoc d;
	const char *path = s->files[s->ifile++];
	int rc = -1;

	fy_jdoc_init(&d);
	if (read_file(path, &b, err) < 0)
		goto out;
	if (fy_jdoc_parse(&d, b.ptr ? b.ptr : "", b.len, 0, err) < 0) {
		fy_error_prefix(err, "bedrock-flow: %s", path);
		goto out;
	}
	if (fy_json_type(&d, 0) == FY_JARRAY) {
		uint32_t k, el;

		FY_JSON_FOREACH(&d, 0, k, el)
			if (queue_flow(s, &d, el, err) < 0)
				goto prefix;
	} else if (queue_flow(s, &d, 0, err) < 0) {
		goto prefix;
	}
	rc = 0;
	goto out;
prefix:
	fy_error_prefix(err, "bedrock-flow: %s", path);
out:
	fy_jdoc_release(&d);
	fy_buf_release(&b);
	return rc;
}

static int api_step(struct fsrc *s, struct fy_error *err)
{
	struct fy_aws_reply r;
	struct fy_buf path = FY_BUF_INIT(4096), q = FY_BUF_INIT(4096);
	int rc = -1;

	fy_aws_reply_init(&r);
	if (!s->listed) {
		uint32_t k, el;

		if (s->flow_only) {
			s->ids = calloc(1, sizeof(*s->ids));
			if (!s->ids || !(s->ids[0] = strdup(s->flow_only))) {
				fy_error_set(err, FY_E_NOMEM, "out of memory");
				goto out;
			}
			s->nids = 1;
			s->listed = 1;
			rc = 0;
			goto out;
		}
		if (fy_buf_adds(&q, "maxResults=100", err) < 0 ||
		    (s->token && (fy_buf_adds(&q, "&nextToken=", err) < 0 ||
				  fy_http_encode(&q, s->token, strlen(s->token), 0, err) < 0)) ||
		    fy_aws_call(&s->c, "GET", "/flows/", q.ptr, NULL, "ListFlows", &r, err) < 0)
			goto out;
		FY_JSON_FOREACH(&r.doc, fy_json_get(&r.doc, 0, "flowSummaries"), k, el) {
			char *id = fy_json_get_strdup(&r.doc, el, "id");

			if (!id)
				continue;
			if (s->nids == s->capids) {
				size_t cap = s->capids ? s->capids * 2 : 16;
				char **v = realloc(s->ids, cap * sizeof(*v));

				if (!v) {
					free(id);
					fy_error_set(err, FY_E_NOMEM, "out of memory");
					goto out;
				}
				s->ids = v;
				s->capids = cap;
			}
			s->ids[s->nids++] = id;
		}
		free(s->token);
		s->token = fy_json_get_strdup(&r.doc, 0, "nextToken");
		if (!s->token || !*s->token)
			s->listed = 1;
		rc = 0;
		goto out;
	}
	if (fy_aws_path(&path, err, "/flows/%s/", s->ids[s->iid]) < 0 ||
	    fy_aws_call(&s->c, "GET", path.ptr, NULL, NULL, "GetFlow", &r, err) < 0 ||
	    queue_flow(s, &r.doc, 0, err) < 0)
		goto out;
	s->iid++;
	rc = 0;
out:
	fy_aws_reply_release(&r);
	fy_buf_release(&path);
	fy_buf_release(&q);
	return rc;
}

static int fsrc_next(void *state, struct fy_item *it, struct fy_error *err)
{
	struct fsrc *s = state;

	for (;;) {
		if (fy_outbox_pull(&s->out, it))
			return 1;
		if (!s->api && s->ifile == s->nfiles)
			return 0;
		if (s->api && s->listed && s->iid == s->nids)
			return 0;
		if ((s->api ? api_step(s, err) : file_step(s, err)) < 0)
			return -1;
	}
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int fsrc_open(const struct fy_adapter_ctx *ctx, void **state, struct fy_source_info *info,
		     struct fy_error *err)
{
	struct fsrc *s = calloc(1, sizeof(*s));
	const char *loc = ctx->location;
	struct stat st;

	if (!s)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	s->ctx = ctx;
	if (stat(loc, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			DIR *dh = opendir(loc);
			struct dirent *de;

			if (!dh) {
				fy_error_errno(err, errno, "bedrock-flow: %s", loc);
				goto fail;
			}
			while ((de = readdir(dh))) {
				size_t n = strlen(de->d_name);
				char **v;

				if (n < 6 || strcmp(de->d_name + n - 5, ".json") || de->d_name[0] == '.')
					continue;
				v = realloc(s->files, (s->nfiles + 1) * sizeof(*v));
				if (!v)
					break;
				s->files = v;
				s->files[s->nfiles] = malloc(strlen(loc) + n + 2);
				if (!s->files[s->nfiles])
					break;
				sprintf(s->files[s->nfiles++], "%s/%s", loc, de->d_name);
			}
			closedir(dh);
			qsort(s->files, s->nfiles, sizeof(*s->files), cmp_path);
		} else {
			s->files = calloc(1, sizeof(*s->files));
			if (!s->files || !(s->files[0] = strdup(loc))) {
				fy_error_set(err, FY_E_NOMEM, "out of memory");
				goto fail;
			}
			s->nfiles = 1;
		}
		info->created = st.st_mtime;
	} else if (is_region_location(loc)) {
		char region[64];
		const char *slash = strchr(loc, '/');
		size_t n = slash ? (size_t)(slash - loc) : strlen(loc);

		snprintf(region, sizeof(region), "%.*s", (int)n, loc);
		s->api = 1;
		if (slash && slash[1])
			s->flow_only = strdup(slash + 1);
		if (fy_aws_account_open(&s->acct, ctx, region, err) < 0 ||
		    fy_aws_open(&s->c, &s->acct, &fy_aws_bedrock_agent, err) < 0) {
			fy_error_prefix(err, "bedrock-flow");
			goto fail;
		}
		s->have_c = 1;
	} else {
		fy_error_errno(err, ENOENT, "bedrock-flow: %s", loc);
		goto fail;
	}
	*state = s;
	return 0;
fail:
	fsrc_close(s);
	return -1;
}

/* --- sink --------------------------------------------------------------- */

enum fmode { F_FILE, F_DIR, F_API };

struct fsnk {
	const struct fy_adapter_ctx *ctx;
	enum fmode mode;
	char *path;
	int written;
	struct fy_aws_account acct;
	struct fy_aws c;
	int have_c;
	struct fy_journal *j;
};

static void fsnk_close(void *state)
{
	struct fsnk *s = state;

	if (!s)
		return;
	if (s->have_c)
		fy_aws_close(&s->c);
	fy_aws_account_close(&s->acct);
	fy_journal_close(s->j);
	free(s->path);
	free(s);
}

static int fsnk_open(const struct fy_adapter_ctx *ctx, const struct fy_header *hdr, void **state,
		     struct fy_error *err)
{
	struct fsnk *s = calloc(1, sizeof(*s));
	const char *loc = ctx->location;
	struct stat st;
	size_t n = strlen(loc);

	(void)hdr;
	if (!s)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	s->ctx = ctx;
	s->path = strdup(loc);
	if (!s->path) {
		fsnk_close(s);
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	if (!*loc) {
		fsnk_close(s);
		return fy_error_set(err, FY_E_USAGE, "bedrock-flow: name a file, a folder or a region");
	}
	if (stat(loc, &st) == 0 && S_ISDIR(st.st_mode)) {
		s->mode = F_DIR;
	} else if (n > 5 && !strcmp(loc + n - 5, ".json")) {
		s->mode = F_FILE;
	} else if (is_region_location(loc)) {
		char region[64], path[4096], key[1200];
		const char *slash = strchr(loc, '/');

		snprintf(region, sizeof(region), "%.*s", (int)(slash ? slash - loc : (long)n), loc);
		s->mode = F_API;
		if (fy_aws_account_open(&s->acct, ctx, region, err) < 0 ||
		    fy_aws_open(&s->c, &s->acct, &fy_aws_bedrock_agent, err) < 0)
			goto fail;
		s->have_c = 1;
		snprintf(key, sizeof(key), "%s@%s", s->acct.cred.access_key, s->acct.region);
		if (fy_journal_path(ctx->state_dir, BF, key, path, sizeof(path), err) < 0)
			goto fail;
		s->j = fy_journal_open(path, err);
		if (!s->j)
			goto fail;
	} else {
		if (mkdir(loc, 0755) < 0 && errno != EEXIST) {
			fy_error_errno(err, errno, "bedrock-flow: %s", loc);
			goto fail;
		}
		s->mode = F_DIR;
	}
	*state = s;
	return 0;
fail:
	fy_error_prefix(err, "bedrock-flow");
	fsnk_close(s);
	return -1;
}

/* A file name from a flow name: the safe characters, ".json". */
static void file_name(const char *name, char *out, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; name && name[i] && n + 6 < cap; i++) {
		unsigned char c = (unsigned char)name[i];

		out[n++] = (char)(isalnum(c) || c == '-' || c == '_' || c == '.' ? c : '_');
	}
	if (!n)
		out[n++] = 'f';
	snprintf(out + n, cap - n, ".json");
}

static int create_flow(struct fsnk *s, const struct fy_jdoc *wd, const struct fy_jdoc *fd,
		       struct fy_error *err)
{
	static const char *const keys[] = { "name", "description", "executionRoleArn",
					    "customerEncryptionKeyArn", "definition", "tags" };
	char *id = fy_json_get_strdup(wd, 0, "id"), *fid = NULL, tok[33];
	const char *role = fy_adapter_option(s->ctx, "role_arn");
	struct fy_buf body = FY_BUF_INIT(DOC_MAX);
	struct fy_journal_entry e;
	struct fy_aws_reply r;
	struct fy_jw w;
	size_t i;
	int rc = -1;

	fy_aws_reply_init(&r);
	if (fy_journal_get(s->j, "workflow", id, &e) && e.state >= FY_JOURNAL_CREATED) {
		rc = 0;
		goto out;
	}
	if (!role && fy_json_type(fd, fy_json_get(fd, 0, "executionRoleArn")) != FY_JSTRING) {
		fy_error_set(err, FY_E_USAGE,
			     "bedrock-flow: flow %s: CreateFlow needs an execution role: --option "
			     "role_arn=arn:aws:iam::ACCOUNT:role/NAME",
			     id);
		goto out;
	}
	fy_aws_token("CreateFlow", id, tok);
	fy_jw_init(&w, &body);
	fy_jw_obj(&w);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!strcmp(keys[i], "executionRoleArn") && role)
			fy_jw_kstr(&w, keys[i], role);
		else
			fy_jw_knode_opt(&w, keys[i], fd, fy_json_get(fd, 0, keys[i]));
	}
	fy_jw_kstr(&w, "clientToken", tok);
	fy_jw_end(&w);
	if (fy_jw_finish(&w, err) < 0 ||
	    fy_journal_put(s->j, "workflow", id, NULL, FY_JOURNAL_PLANNED, err) < 0 ||
	    fy_aws_call(&s->c, "POST", "/flows/", NULL, &body, "CreateFlow", &r, err) < 0)
		goto out;
	fid = fy_json_get_strdup(&r.doc, 0, "id");
	if (!fid) {
		fy_error_set(err, FY_E_DATA, "CreateFlow: the answer has no id");
		goto out;
	}
	rc = fy_journal_put(s->j, "workflow", id, fid, FY_JOURNAL_CREATED, err);
out:
	if (rc < 0 && !strcmp(r.error_type, "ConflictException"))
		fy_error_set(err, FY_E_EXISTS, "bedrock-flow: a flow with this name exists in the account");
	fy_aws_reply_release(&r);
	fy_buf_release(&body);
	free(id);
	free(fid);
	return rc;
}

/* --- the capability table ---------------------------------------------- */

/*
 * Bedrock Flows writes workflows only. A workflow exported from Bedrock
 * Flows (source.adapter "bedrock-flow") crosses as it was; one from another
 * provider has nodes without a Bedrock configuration: those whose
 * provider_type is not a Bedrock Flows node type are left out with their
 * connections. The "source.adapter" line without a value applies only when
 * the line with the value before it did not match (adapter.h).
 */
static const struct fy_capability flow_caps[] = {
	{ FY_KIND_WORKFLOW, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "a flow definition: every node type, loops flattened as LOOP/NODE ids, connections as "
	  "edges, the flow's inputs (variables) as the Input node's outputs; $$PLACEHOLDER "
	  "tokens kept", NULL },
	{ FY_KIND_WORKFLOW, "source.adapter=bedrock-flow", FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "a flow exported from Bedrock Flows goes back as it was", NULL },
	{ FY_KIND_WORKFLOW, "source.adapter", FY_CAP_NONE, FY_CAP_DEGRADED,
	  "a workflow from another provider: nodes whose provider_type is not a Bedrock Flows node "
	  "type have no Bedrock configuration and are left out, with their connections and the "
	  "workflow's variables", "foreign-workflow" },
	{ FY_KIND_WORKFLOW, "nodes.position", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "flow definitions carry no node positions", "flow-node-position" },
	{ FY_KIND_WORKFLOW, "nodes.disabled", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "flow nodes cannot be disabled", "flow-node-disabled" },
};

/* Is the workflow one Bedrock Flows exported (its nodes have Bedrock configurations)? */
static int from_bedrock(const struct fy_jdoc *d)
{
	return fy_json_streq(d, fy_json_get(d, fy_json_get(d, 0, "source"), "adapter"), BF);
}

static const struct fy_adapter_limits flow_limits = {
	.note = "files keep every node as exported; in an account CreateFlow makes a new flow (its "
		"own id) from the definition",
};

static int fsnk_put(void *state, const struct fy_item *it, struct fy_error *err)
{
	struct fsnk *s = state;
	struct fy_buf doc = FY_BUF_INIT(DOC_MAX), pretty = FY_BUF_INIT(DOC_MAX);
	struct fy_jdoc wd, fd;
	char *id = NULL, *name = NULL;
	int rc = -1, dropped = 0;

	if (it->type != FY_ITEM_RECORD)
		return 0;
	fy_jdoc_init(&wd);
	fy_jdoc_init(&fd);
	if (fy_jdoc_parse(&wd, it->json, it->len, 0, err) < 0)
		goto out;
	id = fy_json_get_strdup(&wd, 0, "id");
	if (it->kind != FY_KIND_WORKFLOW) {
		rc = 0;	/* the table writes workflows only: the tool keeps the rest */
		goto out;
	}
	if (fy_aws_report_table(s->ctx, flow_caps, sizeof(flow_caps) / sizeof(flow_caps[0]), &wd, NULL,
				err) < 0)
		goto out;
	name = fy_json_get_strdup(&wd, 0, "name");
	if (flow_document(&wd, &doc, &dropped, err) < 0 ||
	    fy_jdoc_parse(&fd, doc.ptr, doc.len, 0, err) < 0)
		goto out;
	if (dropped && from_bedrock(&wd) &&
	    fy_aws_report(s->ctx, err, &(struct fy_ledger_item){ FY_KIND_WORKFLOW, id, NULL, "nodes" },
			  FY_OUT_DROPPED, "bedrock-flow-node-type",
			  "%d node(s) whose provider_type is not a Bedrock Flows node type are left out, "
			  "with their connections", dropped) < 0)
		goto out;
	if (dropped && !from_bedrock(&wd))
		fy_aws_log(s->ctx, FY_LOG_INFO, "bedrock-flow: workflow %s: %d node(s) left out", id, dropped);
	if (s->mode == F_API) {
		rc = create_flow(s, &wd, &fd, err);
		goto out;
	}
	if (fy_json_emit_pretty(&fd, 0, &pretty, err) < 0 || fy_buf_addc(&pretty, '\n', err) < 0)
		goto out;
	if (s->mode == F_FILE) {
		if (s->written) {
			fy_error_set(err, FY_E_USAGE,
				     "bedrock-flow: %s holds one flow; name a folder to write several",
				     s->path);
			goto out;
		}
		rc = write_new_file(s->path, pretty.ptr, pretty.len, err);
	} else {
		char fname[300], full[PATH_MAX];

		file_name(name, fname, sizeof(fname));
		snprintf(full, sizeof(full), "%s/%s", s->path, fname);
		rc = write_new_file(full, pretty.ptr, pretty.len, err);
	}
	if (rc == 0)
		s->written++;
out:
	if (rc < 0 && err->code != FY_E_OK)
		fy_error_prefix(err, "bedrock-flow");
	fy_jdoc_release(&wd);
	fy_jdoc_release(&fd);
	fy_buf_release(&doc);
	fy_buf_release(&pretty);
	free(id);
	free(name);
	return rc;
}

static int fsnk_finish(void *state, struct fy_error *err)
{
	(void)state;
	(void)err;
	return 0;
}

const struct fy_adapter fy_adapter_bedrock_flow = {
	.name = "bedrock-flow",
	.summary = "Amazon Bedrock Flows definitions, from files or the Bedrock Agent API",
	.locations = "bedrock-flow:PATH (a .json file or a folder) or bedrock-flow:REGION[/FLOW_ID]",
	.flags = FY_ADAPTER_READ | FY_ADAPTER_WRITE,
	.caps = flow_caps,
	.ncaps = sizeof(flow_caps) / sizeof(flow_caps[0]),
	.limits = &flow_limits,
	.read_open = fsrc_open,
	.read_next = fsrc_next,
	.read_close = fsrc_close,
	.write_open = fsnk_open,
	.write_put = fsnk_put,
	.write_finish = fsnk_finish,
	.write_close = fsnk_close,
};
