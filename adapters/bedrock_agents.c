/*
 * bedrock_agents.c - the "bedrock-agents" adapter: Amazon Bedrock Agents
 * ("classic", closed to new customers on 2026-07-30) and Bedrock session
 * management, the runtime's store of conversation checkpoints.
 *
 *	bedrock-agents:REGION[/AGENT_ID]
 *
 * Export walks every agent (ListAgents, or the one named): GetAgent, its
 * versions (ListAgentVersions, GetAgentVersion) and aliases
 * (ListAgentAliases, GetAgentAlias) kept in ext, the DRAFT's action groups
 * (ListAgentActionGroups, GetAgentActionGroup) as tools - each function of
 * a function schema its own function tool with its parameters as JSON
 * Schema, an inline OpenAPI schema an openapi tool with the document, an
 * S3-hosted one a reference {"url": "s3://..."} with a ledger warning -
 * knowledge base associations (ListAgentKnowledgeBases, GetKnowledgeBase)
 * as knowledge records, collaborators (ListAgentCollaborators) as handoffs
 * when the collaborator is exported too, prompt override configuration,
 * guardrail and memory configuration in ext. Session summaries
 * (GetAgentMemory, read-only) need the memory ids the agent was invoked
 * with: --id MEMORY_ID or --option memory_ids=a,b. Without an AGENT_ID it
 * also exports the sessions of session management (ListSessions,
 * GetSession, ListInvocations, ListInvocationSteps, GetInvocationStep) as
 * threads.
 *
 * Import (for accounts that still have access) creates agents
 * (CreateAgent), their action groups (CreateAgentActionGroup), knowledge
 * base associations (AssociateAgentKnowledgeBase, when the knowledge base
 * exists in the account) and prepares them (PrepareAgent); and writes
 * threads as sessions (CreateSession, CreateInvocation, PutInvocationStep
 * with the message's time as the client-set invocationStepTime). A session
 * has no roles: ferry keeps them in sessionMetadata (ferry_roles, one
 * letter a step) and infers them for sessions it did not write (the first
 * step of an invocation from the user, the rest from the assistant, with
 * a ledger line). Sessions are linear: a thread's active branch is
 * written, other branches are ledger lines. Invocation and step ids are
 * UUIDs derived from the source ids, so a repeated call overwrites
 * instead of duplicating.
 *
 * Field-level facts: botocore/data/bedrock-agent/2023-06-05/service-2.json
 * (Agent, AgentActionGroup, APISchema, FunctionSchema, ParameterDetail,
 * AgentKnowledgeBase, KnowledgeBase, AgentAlias; ListAgents POST /agents/,
 * GetAgent GET /agents/{agentId}/, ListAgentVersions POST
 * /agents/{agentId}/agentversions/, ListAgentActionGroups POST
 * .../actiongroups/, ListAgentKnowledgeBases POST .../knowledgebases/,
 * CreateAgent PUT /agents/, PrepareAgent POST /agents/{agentId}/) and
 * botocore/data/bedrock-agent-runtime/2023-07-26/service-2.json
 * (GetAgentMemory GET /agents/{agentId}/agentAliases/{agentAliasId}/memories,
 * SessionSummary). Collaborators and session management postdate the
 * stored botocore snapshot; they follow the AWS API Reference pages
 * ListAgentCollaborators (POST .../agentcollaborators/), CreateSession
 * (PUT /sessions/), ListSessions (POST /sessions/), GetSession,
 * CreateInvocation (PUT /sessions/{id}/invocations/), ListInvocations,
 * PutInvocationStep (PUT /sessions/{id}/invocationSteps/),
 * ListInvocationSteps and GetInvocationStep (POST
 * /sessions/{id}/invocationSteps/[{stepId}]). Both services sign as
 * "bedrock".
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws.h"
#include "idset.h"
#include "journal.h"
#include "record.h"
#include "sha256.h"

#define BA "bedrock-agents"
#define DOC_MAX ((size_t)64 << 20)

static char *gets(const struct fy_jdoc *d, uint32_t obj, const char *key)
{
	return fy_json_get_strdup(d, obj, key);
}

static void make_id(const char *s, char out[FY_ID_MAX + 1])
{
	fy_id_make(s, strlen(s), out);
}

static void put_time(struct fy_jw *w, const char *key, const struct fy_jdoc *d, uint32_t v)
{
	int64_t sec;
	int32_t ns;
	char t[40];

	if (fy_aws_time(d, v, &sec, &ns) < 0)
		return;
	fy_time_format(sec, ns, t);
	fy_jw_kstr(w, key, t);
}

/* A UUID (lower-case, 8-4-4-4-12) derived from a string, for client-set ids. */
static void derived_uuid(const char *scope, const char *s, char out[37])
{
	char hex[33];

	fy_aws_token(scope, s, hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

/* --- export mapping: action groups -------------------------------------- */

/* A function's ParameterMap as JSON Schema. */
static void parameters_schema(struct fy_jw *w, const struct fy_jdoc *d, uint32_t params)
{
	uint32_t k, key, val;
	int any_required = 0;

	fy_jw_obj(w);
	fy_jw_kstr(w, "type", "object");
	fy_jw_key(w, "properties");
	fy_jw_obj(w);
	FY_JSON_FOREACH_MEMBER(d, params, k, key, val) {
		char *name = fy_json_strdup(d, key, NULL);

		fy_jw_key(w, name ? name : "");
		fy_jw_obj(w);
		fy_jw_knode_opt(w, "type", d, fy_json_get(d, val, "type"));
		fy_jw_knode_opt(w, "description", d, fy_json_get(d, val, "description"));
		fy_jw_end(w);
		free(name);
		any_required |= fy_json_type(d, fy_json_get(d, val, "required")) == FY_JTRUE;
	}
	fy_jw_end(w);
	if (any_required) {
		fy_jw_key(w, "required");
		fy_jw_arr(w);
		FY_JSON_FOREACH_MEMBER(d, params, k, key, val)
			if (fy_json_type(d, fy_json_get(d, val, "required")) == FY_JTRUE)
				fy_jw_node(w, d, key);
		fy_jw_end(w);
	}
	fy_jw_end(w);
}

static void tool_head(struct fy_jw *w, const char *id, const char *type, const char *name)
{
	fy_jw_obj(w);
	fy_jw_kstr(w, "kind", "tool");
	fy_jw_kstr(w, "id", id);
	fy_jw_kstr(w, "type", type);
	fy_jw_kstr(w, "name", name);
}

/* The rest of a tool record; f is the function (FY_JNONE for a whole group). */
static void tool_tail(struct fy_jw *w, const struct fy_jdoc *d, uint32_t g, uint32_t f,
		      const char *src, const char *function)
{
	uint32_t sig = fy_json_get(d, g, "parentActionSignature");

	if (sig == FY_JNONE)
		sig = fy_json_get(d, g, "parentActionGroupSignature");
	fy_jw_key(w, "config");
	fy_jw_obj(w);
	fy_jw_knode_opt(w, "actionGroupName", d, fy_json_get(d, g, "actionGroupName"));
	fy_jw_knode_opt(w, "executor", d, fy_json_get(d, g, "actionGroupExecutor"));
	fy_jw_knode_opt(w, "parentActionSignature", d, sig);
	fy_jw_knode_opt(w, "requireConfirmation", d, fy_json_get(d, f, "requireConfirmation"));
	fy_jw_end(w);
	put_time(w, "created", d, fy_json_get(d, g, "createdAt"));
	put_time(w, "updated", d, fy_json_get(d, g, "updatedAt"));
	fy_aws_source_ext(w, BA, src, NULL, FY_JNONE);
	fy_jw_key(w, "actionGroup");
	fy_jw_node(w, d, g);
	fy_jw_kstr_opt(w, "function", function);
	fy_jw_end(w);
	fy_jw_end(w);
	fy_jw_end(w);
}

/*
 * An action group (GetAgentActionGroup's agentActionGroup) as tool records;
 * their ids are appended to ids (a JSON array being written). Not static,
 * like fy_bedrock_agents_map_session: tests/fuzz/fuzz_bedrock_agents.c
 * calls both directly.
 */
int fy_bedrock_agents_map_action_group(const struct fy_jdoc *d, uint32_t g, const char *agent,
				       struct fy_outbox *out, struct fy_jw *ids, struct fy_error *err);

int fy_bedrock_agents_map_action_group(const struct fy_jdoc *d, uint32_t g, const char *agent,
				       struct fy_outbox *out, struct fy_jw *ids, struct fy_error *err)
{
	char *gid = gets(d, g, "actionGroupId"), *gname = gets(d, g, "actionGroupName");
	char *sig = gets(d, g, "parentActionSignature");
	uint32_t api = fy_json_get(d, g, "apiSchema"), fs = fy_json_get(d, g, "functionSchema");
	struct fy_buf b = FY_BUF_INIT(DOC_MAX);
	char src[1024], id[FY_ID_MAX + 1];
	struct fy_jw w;
	int rc = -1;

	if (!sig)
		sig = gets(d, g, "parentActionGroupSignature");
	if (!gid || !gname || !*gid || !*gname) {
		fy_error_set(err, FY_E_DATA, "agent %s: an action group without id or name", agent);
		goto out;
	}
	if (fs != FY_JNONE) {
		uint32_t k, f;

		FY_JSON_FOREACH(d, fy_json_get(d, fs, "functions"), k, f) {
			char *fname = gets(d, f, "name");

			snprintf(src, sizeof(src), "%s/%s/%s", agent, gid, fname ? fname : "");
			make_id(src, id);
			fy_buf_reset(&b);
			fy_jw_init(&w, &b);
			tool_head(&w, id, "function", fname && *fname ? fname : gname);
			if (fy_json_type(d, fy_json_get(d, f, "description")) == FY_JSTRING)
				fy_jw_knode(&w, "description", d, fy_json_get(d, f, "description"));
			fy_jw_key(&w, "parameters");
			parameters_schema(&w, d, fy_json_get(d, f, "parameters"));
			tool_tail(&w, d, g, f, src, fname);
			free(fname);
			if (fy_jw_finish(&w, err) < 0 || fy_outbox_record(out, FY_KIND_TOOL, b.ptr, b.len, err) < 0)
				goto out;
			fy_jw_str(ids, id);
		}
		rc = 0;
		goto out;
	}
	snprintf(src, sizeof(src), "%s/%s", agent, gid);
	make_id(src, id);
	fy_jw_init(&w, &b);
	if (api != FY_JNONE) {
		uint32_t payload = fy_json_get(d, api, "payload"), s3 = fy_json_get(d, api, "s3");

		tool_head(&w, id, "openapi", gname);
		if (fy_json_type(d, fy_json_get(d, g, "description")) == FY_JSTRING)
			fy_jw_knode(&w, "description", d, fy_json_get(d, g, "description"));
		fy_jw_key(&w, "openapi");
		if (fy_json_type(d, payload) == FY_JSTRING) {
			/* A JSON payload is the document itself; YAML stays text. */
			char *text = fy_json_strdup(d, payload, NULL);
			struct fy_jdoc pd;

			fy_jdoc_init(&pd);
			if (text && fy_jdoc_parse(&pd, text, strlen(text), 0, NULL) == 0 &&
			    fy_json_type(&pd, 0) == FY_JOBJECT) {
				fy_jw_node(&w, &pd, 0);
			} else {
				fy_jw_obj(&w);
				fy_jw_kstr(&w, "format", "yaml");
				fy_jw_kstr(&w, "text", text ? text : "");
				fy_jw_end(&w);
			}
			fy_jdoc_release(&pd);
			free(text);
		} else {
			char *bucket = gets(d, s3, "s3BucketName"), *key = gets(d, s3, "s3ObjectKey");
			char url[2048];

			snprintf(url, sizeof(url), "s3://%s/%s", bucket ? bucket : "", key ? key : "");
			fy_jw_obj(&w);
			fy_jw_kstr(&w, "url", url);
			fy_jw_end(&w);
			if (fy_aws_export_line(out, err, BA, &(struct fy_ledger_item){ FY_KIND_TOOL, id, NULL, "openapi" }, FY_OUT__COUNT, "openapi-in-s3",
				       "agent %s: action group %s: the OpenAPI schema is in %s; it is recorded "
				       "as a reference, the document itself is not in the archive",
				       agent, gname, url) < 0) {
				free(bucket);
				free(key);
				goto out;
			}
			free(bucket);
			free(key);
		}
	} else if (sig && !strcmp(sig, "AMAZON.CodeInterpreter")) {
		tool_head(&w, id, "code_interpreter", gname);
	} else {
		tool_head(&w, id, "builtin", gname);
		if (fy_json_type(d, fy_json_get(d, g, "description")) == FY_JSTRING)
			fy_jw_knode(&w, "description", d, fy_json_get(d, g, "description"));
	}
	tool_tail(&w, d, g, FY_JNONE, src, NULL);
	if (fy_jw_finish(&w, err) < 0 || fy_outbox_record(out, FY_KIND_TOOL, b.ptr, b.len, err) < 0)
		goto out;
	fy_jw_str(ids, id);
	rc = 0;
out:
	free(gid);
	free(gname);
	free(sig);
	fy_buf_release(&b);
	return rc;
}

/* --- export mapping: sessions ------------------------------------------- */

static const char *role_of_letter(char c)
{
	switch (c) {
	case 'u': return "user";
	case 'a': return "assistant";
	case 't': return "tool";
	case 's': return "system";
	case 'd': return "developer";
	default: return NULL;
	}
}

/* A value ferry kept in the session's metadata in chunks (base, base_2, ...), or NULL. New. */
static char *ferry_chunks(const struct fy_jdoc *d, uint32_t meta, const char *base)
{
	struct fy_buf b = FY_BUF_INIT((size_t)16 << 20);
	char key[64];
	int i;

	for (i = 1; i < 1000; i++) {
		uint32_t v;

		if (i == 1)
			snprintf(key, sizeof(key), "%s", base);
		else
			snprintf(key, sizeof(key), "%s_%d", base, i);
		v = fy_json_get(d, meta, key);
		if (fy_json_type(d, v) != FY_JSTRING)
			break;
		if (fy_json_str(d, v, &b, NULL) < 0)
			break;
	}
	if (!b.ptr) {
		fy_buf_release(&b);
		return NULL;
	}
	return fy_buf_detach(&b, NULL);
}

/* The id of the step in steps whose id starts with the 8 characters at p, or NULL. */
static char *step_by_prefix(const struct fy_jdoc *d, uint32_t steps, const char *p)
{
	uint32_t k, st;

	FY_JSON_FOREACH(d, steps, k, st) {
		char *id = gets(d, st, "invocationStepId");

		if (id && strlen(id) >= 8 && !strncmp(id, p, 8))
			return id;
		free(id);
	}
	return NULL;
}

/* The parent ferry_tree names for a step ("child>parent,..."), as a message id; NULL = root. */
static char *tree_parent(const struct fy_jdoc *d, uint32_t steps, const char *tree, const char *step)
{
	const char *p;

	for (p = tree; p && step && strlen(step) >= 8 && *p; p = strchr(p, ','), p = p ? p + 1 : NULL)
		if (!strncmp(p, step, 8) && p[8] == '>' && strlen(p) >= 17) {
			char *id = step_by_prefix(d, steps, p + 9), mid[FY_ID_MAX + 1];

			if (!id)
				return NULL;
			make_id(id, mid);
			free(id);
			return strdup(mid);
		}
	return NULL;
}

/*
 * One session as a thread and messages. session: GetSession's answer;
 * steps: a JSON array of InvocationStep objects in order (invocation
 * creation order, then step time).
 */
int fy_bedrock_agents_map_session(const struct fy_jdoc *sd, const struct fy_jdoc *d, uint32_t steps,
				  struct fy_outbox *out, struct fy_error *err);

int fy_bedrock_agents_map_session(const struct fy_jdoc *sd, const struct fy_jdoc *d, uint32_t steps,
				  struct fy_outbox *out, struct fy_error *err)
{
	char *sid = gets(sd, 0, "sessionId"), *roles = NULL, *tree = NULL, tid[FY_ID_MAX + 1],
	     prev[FY_ID_MAX + 1] = "";
	char last_inv[64] = "";
	uint32_t meta = fy_json_get(sd, 0, "sessionMetadata"), k, st, kk, key, val;
	struct fy_buf b = FY_BUF_INIT(DOC_MAX);
	struct fy_jw w;
	size_t n = fy_json_len(d, steps), i = 0;
	int rc = -1, inferred = 0;

	if (!sid)
		return fy_error_set(err, FY_E_DATA, "a session without sessionId");
	make_id(sid, tid);
	roles = ferry_chunks(sd, meta, "ferry_roles");
	tree = ferry_chunks(sd, meta, "ferry_tree");
	fy_jw_init(&w, &b);
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "kind", "thread");
	fy_jw_kstr(&w, "id", tid);
	fy_jw_key(&w, "title");
	if (fy_json_get(sd, meta, "ferry_title") != FY_JNONE)
		fy_jw_node(&w, sd, fy_json_get(sd, meta, "ferry_title"));
	else
		fy_jw_null(&w);
	put_time(&w, "created", sd, fy_json_get(sd, 0, "createdAt"));
	put_time(&w, "updated", sd, fy_json_get(sd, 0, "lastUpdatedAt"));
	if (n) {
		char *leaf = fy_json_get_strdup(sd, meta, "ferry_leaf");
		char *last = tree && leaf && strlen(leaf) >= 8 ? step_by_prefix(d, steps, leaf) : NULL;
		char lid[FY_ID_MAX + 1];

		free(leaf);
		if (!last)
			last = gets(d, fy_json_at(d, steps, (uint32_t)(n - 1)), "invocationStepId");

		make_id(last ? last : "", lid);
		fy_jw_kstr(&w, "active_leaf", lid);
		free(last);
	}
	{
		int any = 0;

		FY_JSON_FOREACH_MEMBER(sd, meta, kk, key, val) {
			size_t kl;
			const char *kn = fy_json_raw(sd, key, &kl);

			if (kl >= 6 && !strncmp(kn, "ferry_", 6))
				continue;
			if (!any) {
				fy_jw_key(&w, "metadata");
				fy_jw_obj(&w);
				any = 1;
			}
			{
				char *name = fy_json_strdup(sd, key, NULL);

				fy_jw_key(&w, name ? name : "");
				fy_jw_node(&w, sd, val);
				free(name);
			}
		}
		if (any)
			fy_jw_end(&w);
	}
	fy_aws_source_ext(&w, BA, sid, sd, fy_json_get(sd, 0, "sessionArn"));
	fy_jw_knode_opt(&w, "sessionStatus", sd, fy_json_get(sd, 0, "sessionStatus"));
	fy_jw_knode_opt(&w, "sessionMetadata", sd, meta);
	fy_jw_end(&w);
	fy_jw_end(&w);
	fy_jw_end(&w);
	if (fy_jw_finish(&w, err) < 0 || fy_outbox_record(out, FY_KIND_THREAD, b.ptr, b.len, err) < 0)
		goto out;
	FY_JSON_FOREACH(d, steps, k, st) {
		char *step = gets(d, st, "invocationStepId"), *inv = gets(d, st, "invocationId"), mid[FY_ID_MAX + 1];
		uint32_t blocks = fy_json_get(d, fy_json_get(d, st, "payload"), "contentBlocks"), kb, blk;
		const char *role = roles && i < strlen(roles) ? role_of_letter(roles[i]) : NULL;

		if (!role) {
			role = !inv || strcmp(inv, last_inv) ? "user" : "assistant";
			inferred = 1;
		}
		snprintf(last_inv, sizeof(last_inv), "%s", inv ? inv : "");
		make_id(step ? step : "", mid);
		fy_buf_reset(&b);
		fy_jw_init(&w, &b);
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "kind", "message");
		fy_jw_kstr(&w, "id", mid);
		fy_jw_kstr(&w, "thread", tid);
		fy_jw_key(&w, "parent");
		if (tree) {
			char *par = tree_parent(d, steps, tree, step);

			fy_jw_str(&w, par);
			free(par);
		} else {
			fy_jw_str(&w, prev[0] ? prev : NULL);
		}
		fy_jw_kstr(&w, "role", role);
		put_time(&w, "created", d, fy_json_get(d, st, "invocationStepTime"));
		fy_jw_key(&w, "parts");
		fy_jw_arr(&w);
		FY_JSON_FOREACH(d, blocks, kb, blk) {
			uint32_t text = fy_json_get(d, blk, "text");
			struct fy_jdoc pd;
			char *t = fy_json_strdup(d, text, NULL);

			fy_jdoc_init(&pd);
			if (t && !strncmp(t, "{\"ferry_part\":", 14) &&
			    fy_jdoc_parse(&pd, t, strlen(t), 0, NULL) == 0 &&
			    fy_aws_stored_part(&w, &pd, fy_json_get(&pd, 0, "ferry_part")) == 0) {
				/* A part ferry stored as a text block, given back as it was. */
			} else if (t) {
				fy_jw_obj(&w);
				fy_jw_kstr(&w, "type", "text");
				fy_jw_key(&w, "text");
				fy_jw_node(&w, d, text);
				fy_jw_end(&w);
			} else {
				fy_jw_obj(&w);
				fy_jw_kstr(&w, "type", "other");
				fy_jw_kstr(&w, "content_type", "application/vnd.bedrock.session-content-block+json");
				fy_jw_key(&w, "data");
				fy_jw_node(&w, d, blk);
				fy_jw_end(&w);
			}
			fy_jdoc_release(&pd);
			free(t);
		}
		fy_jw_end(&w);
		fy_aws_source_ext(&w, BA, step ? step : "", NULL, FY_JNONE);
		fy_jw_kstr_opt(&w, "invocationId", inv);
		fy_jw_kstr_opt(&w, "invocationStepId", step);
		fy_jw_knode_opt(&w, "invocationStepTime", d, fy_json_get(d, st, "invocationStepTime"));
		fy_jw_end(&w);
		fy_jw_end(&w);
		fy_jw_end(&w);
		free(step);
		free(inv);
		if (fy_jw_finish(&w, err) < 0 || fy_outbox_record(out, FY_KIND_MESSAGE, b.ptr, b.len, err) < 0)
			goto out;
		snprintf(prev, sizeof(prev), "%s", mid);
		i++;
	}
	if (inferred && fy_aws_export_line(out, err, BA, &(struct fy_ledger_item){ FY_KIND_THREAD, tid, NULL, "messages.role" }, FY_OUT__COUNT, "session-roles-inferred",
				   "session %s keeps no roles; the first step of each invocation is taken "
				   "as the user's, the others as the assistant's",
				   sid) < 0)
		goto out;
	rc = 0;
out:
	fy_buf_release(&b);
	free(sid);
	free(roles);
	free(tree);
	return rc;
}

/* --- source ------------------------------------------------------------- */

/*
 * Every page of a POST List call: the elements of key, as one JSON array
 * parsed into out (root 0). extra: more body members ("\"k\":v") or NULL.
 * 404 with missing: *missing = 1 and an empty array (an API the account
 * or region does not have).
 */
static int list_all(struct fy_aws *c, const char *path, const char *extra, const char *key,
		    const char *what, struct fy_buf *text, struct fy_jdoc *out, int *missing,
		    struct fy_error *err)
{
	struct fy_aws_reply r;
	struct fy_buf body = FY_BUF_INIT(1 << 20);
	char *token = NULL;
	size_t count = 0;
	int rc = -1;

	fy_aws_reply_init(&r);
	fy_buf_reset(text);
	fy_jdoc_release(out);
	fy_jdoc_init(out);
	if (missing)
		*missing = 0;
	if (fy_buf_addc(text, '[', err) < 0)
		goto out;
	do {
		struct fy_jw w;
		uint32_t k, el;

		fy_buf_reset(&body);
		fy_jw_init(&w, &body);
		fy_jw_obj(&w);
		fy_jw_key(&w, "maxResults");
		fy_jw_int(&w, 100);
		fy_jw_kstr_opt(&w, "nextToken", token);
		fy_jw_end(&w);
		if (fy_jw_finish(&w, err) < 0)
			goto out;
		if (extra) {
			body.len--;
			if (fy_buf_addc(&body, ',', err) < 0 || fy_buf_adds(&body, extra, err) < 0 ||
			    fy_buf_addc(&body, '}', err) < 0)
				goto out;
		}
		if (fy_aws_call(c, "POST", path, NULL, &body, what, &r, err) < 0) {
			if (missing && r.status == 404 &&
			    (!strcmp(r.error_type, "UnknownOperationException") || !r.error_type[0])) {
				*missing = 1;
				fy_error_clear(err);
				break;
			}
			goto out;
		}
		FY_JSON_FOREACH(&r.doc, fy_json_get(&r.doc, 0, key), k, el)
			if ((count++ && fy_buf_addc(text, ',', err) < 0) || fy_json_emit(&r.doc, el, text, err) < 0)
				goto out;
		free(token);
		token = gets(&r.doc, 0, "nextToken");
	} while (token && *token);
	if (fy_buf_addc(text, ']', err) < 0 || fy_jdoc_parse(out, text->ptr, text->len, 0, err) < 0)
		goto out;
	rc = 0;
out:
	free(token);
	fy_aws_reply_release(&r);
	fy_buf_release(&body);
	return rc;
}

enum bphase { B_LIST, B_AGENT, B_SESSIONS, B_SESSION, B_DONE };

struct bsrc {
	const struct fy_adapter_ctx *ctx;
	struct fy_aws_account acct;
	struct fy_aws agent, runtime;
	int have_agent, have_runtime;
	struct fy_outbox out;
	char *agent_only;
	enum bphase phase;
	struct fy_buf listtext;
	struct fy_jdoc list;		/* agent summaries, then session summaries */
	uint32_t ilist;
	struct fy_idset agents;		/* exported agent ids (for handoffs) */
	struct fy_idset kbs;		/* knowledge bases already exported */
	char **memory_ids;
	size_t nmemory_ids;
};

static void bsrc_close(void *state)
{
	struct bsrc *s = state;
	size_t i;

	if (!s)
		return;
	if (s->have_agent)
		fy_aws_close(&s->agent);
	if (s->have_runtime)
		fy_aws_close(&s->runtime);
	fy_aws_account_close(&s->acct);
	fy_outbox_release(&s->out);
	fy_buf_release(&s->listtext);
	fy_jdoc_release(&s->list);
	fy_idset_release(&s->agents);
	fy_idset_release(&s->kbs);
	for (i = 0; i < s->nmemory_ids; i++)
		free(s->memory_ids[i]);
	free(s->memory_ids);
	free(s->agent_only);
	free(s);
}

/* The agent id in an agent alias ARN (.../agent-alias/AGENT/ALIAS), or NULL. New. */
static char *alias_agent(const char *arn)
{
	const char *p = arn ? strstr(arn, ":agent-alias/") : NULL, *e;

	if (!p)
		return NULL;
	p += 13;
	e = strchr(p, '/');
	return e ? strndup(p, (size_t)(e - p)) : NULL;
}

static int export_kb(struct bsrc *s, const struct fy_jdoc *d, uint32_t assoc, const char *agent,
		     struct fy_error *err)
{
	char *kbid = gets(d, assoc, "knowledgeBaseId"), id[FY_ID_MAX + 1];
	struct fy_buf path = FY_BUF_INIT(4096), b = FY_BUF_INIT(DOC_MAX);
	struct fy_aws_reply r;
	struct fy_jw w;
	uint32_t kb = FY_JNONE;
	int fresh, rc = -1;

	fy_aws_reply_init(&r);
	if (!kbid)
		return fy_error_set(err, FY_E_DATA, "agent %s: a knowledge base association without id", agent);
	make_id(kbid, id);
	fresh = fy_idset_add(&s->kbs, fy_fingerprint(FY_KIND_KNOWLEDGE, id, strlen(id)), err);
	if (fresh <= 0) {
		rc = fresh;
		goto out;
	}
	if (fy_aws_path(&path, err, "/knowledgebases/%s", kbid) < 0)
		goto out;
	if (fy_aws_call(&s->agent, "GET", path.ptr, NULL, NULL, "GetKnowledgeBase", &r, err) == 0) {
		kb = fy_json_get(&r.doc, 0, "knowledgeBase");
	} else {
		if (fy_aws_export_line(&s->out, err, BA, &(struct fy_ledger_item){ FY_KIND_KNOWLEDGE, id, NULL, NULL }, FY_OUT__COUNT, "kb-unreadable",
			       "agent %s: knowledge base %s could not be read (%s); only the association "
			       "is exported",
			       agent, kbid, err->msg) < 0)
			goto out;
		fy_error_clear(err);
	}
	fy_jw_init(&w, &b);
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "kind", "knowledge");
	fy_jw_kstr(&w, "id", id);
	fy_jw_key(&w, "name");
	if (fy_json_type(&r.doc, fy_json_get(&r.doc, kb, "name")) == FY_JSTRING)
		fy_jw_node(&w, &r.doc, fy_json_get(&r.doc, kb, "name"));
	else
		fy_jw_str(&w, kbid);
	fy_jw_key(&w, "description");
	if (fy_json_type(&r.doc, fy_json_get(&r.doc, kb, "description")) == FY_JSTRING)
		fy_jw_node(&w, &r.doc, fy_json_get(&r.doc, kb, "description"));
	else
		fy_jw_node(&w, d, fy_json_get(d, assoc, "description"));
	fy_jw_key(&w, "files");
	fy_jw_raw(&w, "[]", 2);
	{
		uint32_t emb = fy_json_get(&r.doc, fy_json_get(&r.doc, fy_json_get(&r.doc, kb, "knowledgeBaseConfiguration"),
								 "vectorKnowledgeBaseConfiguration"),
					  "embeddingModelArn");

		if (fy_json_type(&r.doc, emb) == FY_JSTRING) {
			fy_jw_key(&w, "embedding");
			fy_jw_obj(&w);
			fy_jw_key(&w, "model");
			fy_jw_node(&w, &r.doc, emb);
			fy_jw_end(&w);
		}
	}
	put_time(&w, "created", &r.doc, fy_json_get(&r.doc, kb, "createdAt"));
	put_time(&w, "updated", &r.doc, fy_json_get(&r.doc, kb, "updatedAt"));
	fy_aws_source_ext(&w, BA, kbid, &r.doc, fy_json_get(&r.doc, kb, "knowledgeBaseArn"));
	fy_jw_knode_opt(&w, "knowledgeBase", &r.doc, kb);
	fy_jw_key(&w, "association");
	fy_jw_node(&w, d, assoc);
	fy_jw_end(&w);
	fy_jw_end(&w);
	fy_jw_end(&w);
	if (fy_jw_finish(&w, err) < 0 || fy_outbox_record(&s->out, FY_KIND_KNOWLEDGE, b.ptr, b.len, err) < 0)
		goto out;
	rc = 0;
out:
	free(kbid);
	fy_aws_reply_release(&r);
	fy_buf_release(&path);
	fy_buf_release(&b);
	return rc;
}

/* GetAgentMemory (SESSION_SUMMARY) for one alias and memory id: memory records. */
static int export_summaries(struct bsrc *s, const char *agent, const char *alias, const char *memid,
			    struct fy_error *err)
{
	struct fy_buf path = FY_BUF_INIT(4096), q = FY_BUF_INIT(4096), b = FY_BUF_INIT(DOC_MAX);
	struct fy_aws_reply r;
	char *token = NULL, aid[FY_ID_MAX + 1];
	int rc = -1;

	fy_aws_reply_init(&r);
	make_id(agent, aid);
	if (fy_aws_path(&path, err, "/agents/%s/agentAliases/%s/memories", agent, alias) < 0)
		goto out;
	do {
		uint32_t k, el;

		fy_buf_reset(&q);
		if (fy_buf_adds(&q, "maxItems=100&memoryId=", err) < 0 ||
		    fy_http_encode(&q, memid, strlen(memid), 0, err) < 0 ||
		    fy_buf_adds(&q, "&memoryType=SESSION_SUMMARY", err) < 0 ||
		    (token && (fy_buf_adds(&q, "&nextToken=", err) < 0 ||
			       fy_http_encode(&q, token, strlen(token), 0, err) < 0)))
			goto out;
		if (fy_aws_call(&s->runtime, "GET", path.ptr, q.ptr, NULL, "GetAgentMemory", &r, err) < 0)
			goto out;
		FY_JSON_FOREACH(&r.doc, fy_json_get(&r.doc, 0, "memoryContents"), k, el) {
			uint32_t sum = fy_json_get(&r.doc, el, "sessionSummary");
			char *sess = gets(&r.doc, sum, "sessionId"), src[2048], id[FY_ID_MAX + 1];
			struct fy_jw w;

			if (sum == FY_JNONE)
				continue;
			snprintf(src, sizeof(src), "%s/%s/%s/%s", agent, alias, memid, sess ? sess : "");
			make_id(src, id);
			fy_buf_reset(&b);
			fy_jw_init(&w, &b);
			fy_jw_obj(&w);
			fy_jw_kstr(&w, "kind", "memory");
			fy_jw_kstr(&w, "id", id);
			fy_jw_key(&w, "scope");
			fy_jw_obj(&w);
			fy_jw_kstr(&w, "type", "user");
			fy_jw_kstr(&w, "user", memid);
			fy_jw_kstr(&w, "agent", aid);
			fy_jw_end(&w);
			fy_jw_kstr(&w, "type", "summary");
			fy_jw_key(&w, "text");
			if (fy_json_type(&r.doc, fy_json_get(&r.doc, sum, "summaryText")) == FY_JSTRING)
				fy_jw_node(&w, &r.doc, fy_json_get(&r.doc, sum, "summaryText"));
			else
				fy_jw_str(&w, "");
			fy_jw_key(&w, "read_only");
			fy_jw_bool(&w, 1);
			put_time(&w, "created", &r.doc, fy_json_get(&r.doc, sum, "sessionStartTime"));
			fy_jw_key(&w, "metadata");
			fy_jw_obj(&w);
			fy_jw_kstr_opt(&w, "sessionId", sess);
			fy_jw_kstr(&w, "agentAliasId", alias);
			fy_jw_end(&w);
			fy_aws_source_ext(&w, BA, src, NULL, FY_JNONE);
			fy_jw_key(&w, "sessionSummary");
			fy_jw_node(&w, &r.doc, sum);
			fy_jw_end(&w);
			fy_jw_end(&w);
			fy_jw_end(&w);
			free(sess);
			if (fy_jw_finish(&w, err) < 0 || fy_outbox_record(&s->out, FY_KIND_MEMORY, b.ptr, b.len, err) < 0)
				goto out;
		}
		free(token);
		token = gets(&r.doc, 0, "nextToken");
	} while (token && *token);
	rc = 0;
out:
	free(token);
	fy_aws_reply_release(&r);
	fy_buf_release(&path);
	fy_buf_release(&q);
	fy_buf_release(&b);
	return rc;
}

/* Everything of one agent. */
static int export_agent(struct bsrc *s, const char *aid, struct fy_error *err)
{
	struct fy_buf path = FY_BUF_INIT(4096), text = FY_BUF_INIT(DOC_MAX), ids = FY_BUF_INIT(DOC_MAX),
		      kbids = FY_BUF_INIT(DOC_MAX), hand = FY_BUF_INIT(DOC_MAX), b = FY_BUF_INIT(DOC_MAX),
		      versions = FY_BUF_INIT(DOC_MAX), aliases = FY_BUF_INIT(DOC_MAX);
	struct fy_aws_reply ag, r;
	struct fy_jdoc list, coll;
	struct fy_jw idw, kw, hw, w;
	uint32_t a, k, el;
	char id[FY_ID_MAX + 1];
	int rc = -1, missing = 0, nver = 0, nal = 0;

	fy_aws_reply_init(&ag);
	fy_aws_reply_init(&r);
	fy_jdoc_init(&list);
	fy_jdoc_init(&coll);
	make_id(aid, id);
	if (fy_aws_path(&path, err, "/agents/%s/", aid) < 0 ||
	    fy_aws_call(&s->agent, "GET", path.ptr, NULL, NULL, "GetAgent", &ag, err) < 0)
		goto out;
	a = fy_json_get(&ag.doc, 0, "agent");
	/* Versions (numbered ones: DRAFT is the agent itself) and aliases, verbatim. */
	fy_buf_reset(&path);
	if (fy_aws_path(&path, err, "/agents/%s/agentversions/", aid) < 0 ||
	    list_all(&s->agent, path.ptr, NULL, "agentVersionSummaries", "ListAgentVersions", &text, &list,
		     NULL, err) < 0 ||
	    fy_buf_addc(&versions, '[', err) < 0)
		goto out;
	FY_JSON_FOREACH(&list, 0, k, el) {
		char *v = gets(&list, el, "agentVersion");

		if (v && strcmp(v, "DRAFT")) {
			fy_buf_reset(&path);
			if (fy_aws_path(&path, err, "/agents/%s/agentversions/%s/", aid, v) < 0 ||
			    fy_aws_call(&s->agent, "GET", path.ptr, NULL, NULL, "GetAgentVersion", &r, err) < 0 ||
			    (nver++ && fy_buf_addc(&versions, ',', err) < 0) ||
			    fy_json_emit(&r.doc, fy_json_get(&r.doc, 0, "agentVersion"), &versions, err) < 0) {
				free(v);
				goto out;
			}
		}
		free(v);
	}
	if (fy_buf_addc(&versions, ']', err) < 0)
		goto out;
	fy_buf_reset(&path);
	if (fy_aws_path(&path, err, "/agents/%s/agentaliases/", aid) < 0 ||
	    list_all(&s->agent, path.ptr, NULL, "agentAliasSummaries", "ListAgentAliases", &text, &list, NULL,
		     err) < 0 ||
	    fy_buf_addc(&aliases, '[', err) < 0)
		goto out;
	FY_JSON_FOREACH(&list, 0, k, el) {
		char *al = gets(&list, el, "agentAliasId");
		size_t m;

		fy_buf_reset(&path);
		if (!al || fy_aws_path(&path, err, "/agents/%s/agentaliases/%s/", aid, al) < 0 ||
		    fy_aws_call(&s->agent, "GET", path.ptr, NULL, NULL, "GetAgentAlias", &r, err) < 0 ||
		    (nal++ && fy_buf_addc(&aliases, ',', err) < 0) ||
		    fy_json_emit(&r.doc, fy_json_get(&r.doc, 0, "agentAlias"), &aliases, err) < 0) {
			free(al);
			goto out;
		}
		for (m = 0; m < s->nmemory_ids; m++)
			if (export_summaries(s, aid, al, s->memory_ids[m], err) < 0) {
				free(al);
				goto out;
			}
		free(al);
	}
	if (fy_buf_addc(&aliases, ']', err) < 0)
		goto out;
	if (s->nmemory_ids == 0 &&
	    fy_json_len(&ag.doc, fy_json_get(&ag.doc, fy_json_get(&ag.doc, a, "memoryConfiguration"),
					     "enabledMemoryTypes")) > 0 &&
	    fy_aws_export_line(&s->out, err, BA, &(struct fy_ledger_item){ FY_KIND_AGENT, id, NULL, "memoryConfiguration" }, FY_OUT__COUNT, "summaries-need-memory-ids",
		       "agent %s keeps session summaries, which are read by memory id: export with --id "
		       "MEMORY_ID (or --option memory_ids=a,b) to include them",
		       aid) < 0)
		goto out;
	/* Action groups of the working draft: the tools. */
	fy_jw_init(&idw, &ids);
	fy_jw_arr(&idw);
	fy_buf_reset(&path);
	if (fy_aws_path(&path, err, "/agents/%s/agentversions/DRAFT/actiongroups/", aid) < 0 ||
	    list_all(&s->agent, path.ptr, NULL, "actionGroupSummaries", "ListAgentActionGroups", &text, &list,
		     NULL, err) < 0)
		goto out;
	FY_JSON_FOREACH(&list, 0, k, el) {
		char *gid = gets(&list, el, "actionGroupId");

		fy_buf_reset(&path);
		if (!gid || fy_aws_path(&path, err, "/agents/%s/agentversions/DRAFT/actiongroups/%s/", aid, gid) < 0 ||
		    fy_aws_call(&s->agent, "GET", path.ptr, NULL, NULL, "GetAgentActionGroup", &r, err) < 0 ||
		    fy_bedrock_agents_map_action_group(&r.doc, fy_json_get(&r.doc, 0, "agentActionGroup"), aid, &s->out, &idw, err) < 0) {
			free(gid);
			goto out;
		}
		free(gid);
	}
	fy_jw_end(&idw);
	/* Knowledge bases. */
	fy_jw_init(&kw, &kbids);
	fy_jw_arr(&kw);
	fy_buf_reset(&path);
	if (fy_aws_path(&path, err, "/agents/%s/agentversions/DRAFT/knowledgebases/", aid) < 0 ||
	    list_all(&s->agent, path.ptr, NULL, "agentKnowledgeBaseSummaries", "ListAgentKnowledgeBases", &text,
		     &list, NULL, err) < 0)
		goto out;
	FY_JSON_FOREACH(&list, 0, k, el) {
		char *kbid = gets(&list, el, "knowledgeBaseId"), kid[FY_ID_MAX + 1];

		if (!kbid)
			continue;
		make_id(kbid, kid);
		fy_jw_str(&kw, kid);
		free(kbid);
		if (export_kb(s, &list, el, aid, err) < 0)
			goto out;
	}
	fy_jw_end(&kw);
	/* Collaborators: handoffs to agents in this export, ledger lines for others. */
	fy_jw_init(&hw, &hand);
	fy_jw_arr(&hw);
	fy_buf_reset(&path);
	if (fy_aws_path(&path, err, "/agents/%s/agentversions/DRAFT/agentcollaborators/", aid) < 0 ||
	    list_all(&s->agent, path.ptr, NULL, "agentCollaboratorSummaries", "ListAgentCollaborators", &text,
		     &coll, &missing, err) < 0)
		goto out;
	FY_JSON_FOREACH(&coll, 0, k, el) {
		char *arn = gets(&coll, fy_json_get(&coll, el, "agentDescriptor"), "aliasArn");
		char *other = alias_agent(arn), oid[FY_ID_MAX + 1];

		if (other) {
			make_id(other, oid);
			if (fy_idset_has(&s->agents, fy_fingerprint(FY_KIND_AGENT, oid, strlen(oid)))) {
				fy_jw_str(&hw, oid);
			} else if (fy_aws_export_line(&s->out, err, BA, &(struct fy_ledger_item){ FY_KIND_AGENT, id, NULL, "handoffs" }, FY_OUT__COUNT, "collaborator-outside-export",
					      "agent %s: collaborator %s (%s) is not part of this export; it is "
					      "kept in ext only",
					      aid, other, arn) < 0) {
				free(arn);
				free(other);
				goto out;
			}
		}
		free(arn);
		free(other);
	}
	fy_jw_end(&hw);
	if (fy_jw_finish(&idw, err) < 0 || fy_jw_finish(&kw, err) < 0 || fy_jw_finish(&hw, err) < 0)
		goto out;
	/* The agent. */
	fy_jw_init(&w, &b);
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "kind", "agent");
	fy_jw_kstr(&w, "id", id);
	fy_jw_key(&w, "name");
	fy_jw_node(&w, &ag.doc, fy_json_get(&ag.doc, a, "agentName"));
	fy_jw_knode_opt(&w, "description", &ag.doc, fy_json_get(&ag.doc, a, "description"));
	fy_jw_knode_opt(&w, "instructions", &ag.doc, fy_json_get(&ag.doc, a, "instruction"));
	if (fy_json_type(&ag.doc, fy_json_get(&ag.doc, a, "foundationModel")) == FY_JSTRING) {
		fy_jw_key(&w, "model");
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "provider", "bedrock");
		fy_jw_key(&w, "name");
		fy_jw_node(&w, &ag.doc, fy_json_get(&ag.doc, a, "foundationModel"));
		fy_jw_end(&w);
	}
	fy_jw_key(&w, "tools");
	fy_jw_raw(&w, ids.ptr, ids.len);
	fy_jw_key(&w, "knowledge");
	fy_jw_raw(&w, kbids.ptr, kbids.len);
	fy_jw_key(&w, "handoffs");
	fy_jw_raw(&w, hand.ptr, hand.len);
	fy_jw_knode_opt(&w, "version", &ag.doc, fy_json_get(&ag.doc, a, "agentVersion"));
	put_time(&w, "created", &ag.doc, fy_json_get(&ag.doc, a, "createdAt"));
	put_time(&w, "updated", &ag.doc, fy_json_get(&ag.doc, a, "updatedAt"));
	fy_aws_source_ext(&w, BA, aid, &ag.doc, fy_json_get(&ag.doc, a, "agentArn"));
	{
		uint32_t kk, key, val;

		FY_JSON_FOREACH_MEMBER(&ag.doc, a, kk, key, val) {
			char *kn = fy_json_strdup(&ag.doc, key, NULL);

			fy_jw_key(&w, kn ? kn : "");
			fy_jw_node(&w, &ag.doc, val);
			free(kn);
		}
	}
	fy_jw_key(&w, "versions");
	fy_jw_raw(&w, versions.ptr, versions.len);
	fy_jw_key(&w, "aliases");
	fy_jw_raw(&w, aliases.ptr, aliases.len);
	if (!missing) {
		fy_jw_key(&w, "collaborators");
		fy_jw_raw(&w, text.ptr, text.len);
	}
	fy_jw_end(&w);
	fy_jw_end(&w);
	fy_jw_end(&w);
	if (fy_jw_finish(&w, err) < 0 || fy_outbox_record(&s->out, FY_KIND_AGENT, b.ptr, b.len, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		fy_error_prefix(err, "bedrock-agents: agent %s", aid);
	fy_aws_reply_release(&ag);
	fy_aws_reply_release(&r);
	fy_jdoc_release(&list);
	fy_jdoc_release(&coll);
	fy_buf_release(&path);
	fy_buf_release(&text);
	fy_buf_release(&ids);
	fy_buf_release(&kbids);
	fy_buf_release(&hand);
	fy_buf_release(&b);
	fy_buf_release(&versions);
	fy_buf_release(&aliases);
	return rc;
}

/* One session: GetSession, its invocations' steps, GetInvocationStep each. */
static int export_session(struct bsrc *s, const char *sid, struct fy_error *err)
{
	struct fy_buf path = FY_BUF_INIT(4096), text = FY_BUF_INIT(DOC_MAX), steps = FY_BUF_INIT(DOC_MAX),
		      body = FY_BUF_INIT(4096), extra = FY_BUF_INIT(4096), invtext = FY_BUF_INIT(DOC_MAX);
	struct fy_aws_reply sess, r;
	struct fy_jdoc invs, list, stepdoc;
	uint32_t k, inv, kk, st;
	size_t count = 0;
	int rc = -1;

	fy_aws_reply_init(&sess);
	fy_aws_reply_init(&r);
	fy_jdoc_init(&invs);
	fy_jdoc_init(&list);
	fy_jdoc_init(&stepdoc);
	if (fy_aws_path(&path, err, "/sessions/%s/", sid) < 0 ||
	    fy_aws_call(&s->runtime, "GET", path.ptr, NULL, NULL, "GetSession", &sess, err) < 0)
		goto out;
	fy_buf_reset(&path);
	if (fy_aws_path(&path, err, "/sessions/%s/invocations/", sid) < 0 ||
	    list_all(&s->runtime, path.ptr, NULL, "invocationSummaries", "ListInvocations", &invtext, &invs,
		     NULL, err) < 0 ||
	    fy_buf_addc(&steps, '[', err) < 0)
		goto out;
	FY_JSON_FOREACH(&invs, 0, k, inv) {
		char *iid = gets(&invs, inv, "invocationId");

		fy_buf_reset(&extra);
		fy_buf_reset(&path);
		if (!iid || fy_buf_adds(&extra, "\"invocationIdentifier\":", err) < 0 ||
		    fy_buf_add_jstr(&extra, iid, strlen(iid), err) < 0 ||
		    fy_aws_path(&path, err, "/sessions/%s/invocationSteps/", sid) < 0 ||
		    list_all(&s->runtime, path.ptr, extra.ptr, "invocationStepSummaries", "ListInvocationSteps", &text,
			     &list, NULL, err) < 0) {
			free(iid);
			goto out;
		}
		FY_JSON_FOREACH(&list, 0, kk, st) {
			char *step = gets(&list, st, "invocationStepId");

			fy_buf_reset(&path);
			fy_buf_reset(&body);
			if (!step || fy_aws_path(&path, err, "/sessions/%s/invocationSteps/%s", sid, step) < 0 ||
			    fy_buf_addc(&body, '{', err) < 0 || fy_buf_add(&body, extra.ptr, extra.len, err) < 0 ||
			    fy_buf_addc(&body, '}', err) < 0 ||
			    fy_aws_call(&s->runtime, "POST", path.ptr, NULL, &body, "GetInvocationStep", &r, err) < 0 ||
			    (count++ && fy_buf_addc(&steps, ',', err) < 0) ||
			    fy_json_emit(&r.doc, fy_json_get(&r.doc, 0, "invocationStep"), &steps, err) < 0) {
				free(step);
				free(iid);
				goto out;
			}
			free(step);
		}
		free(iid);
	}
	if (fy_buf_addc(&steps, ']', err) < 0 || fy_jdoc_parse(&stepdoc, steps.ptr, steps.len, 0, err) < 0 ||
	    fy_bedrock_agents_map_session(&sess.doc, &stepdoc, 0, &s->out, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		fy_error_prefix(err, "bedrock-agents: session %s", sid);
	fy_aws_reply_release(&sess);
	fy_aws_reply_release(&r);
	fy_jdoc_release(&invs);
	fy_jdoc_release(&list);
	fy_jdoc_release(&stepdoc);
	fy_buf_release(&path);
	fy_buf_release(&text);
	fy_buf_release(&steps);
	fy_buf_release(&body);
	fy_buf_release(&extra);
	fy_buf_release(&invtext);
	return rc;
}

static int bsrc_step(struct bsrc *s, struct fy_error *err)
{
	uint32_t el;
	char *id;
	int missing = 0, rc;

	switch (s->phase) {
	case B_LIST:
		if (s->agent_only) {
			struct fy_buf t = FY_BUF_INIT(4096);

			fy_buf_adds(&t, "[{\"agentId\":", NULL);
			fy_buf_add_jstr(&t, s->agent_only, strlen(s->agent_only), NULL);
			fy_buf_adds(&t, "}]", NULL);
			fy_buf_reset(&s->listtext);
			fy_buf_add(&s->listtext, t.ptr, t.len, NULL);
			fy_buf_release(&t);
			if (fy_jdoc_parse(&s->list, s->listtext.ptr, s->listtext.len, 0, err) < 0)
				return -1;
		} else if (list_all(&s->agent, "/agents/", NULL, "agentSummaries", "ListAgents", &s->listtext,
				    &s->list, NULL, err) < 0) {
			return fy_error_prefix(err, "bedrock-agents");
		}
		/* Every agent id first: collaborators among them become handoffs. */
		{
			uint32_t k;

			FY_JSON_FOREACH(&s->list, 0, k, el) {
				char *a = gets(&s->list, el, "agentId"), fid[FY_ID_MAX + 1];

				if (!a)
					continue;
				make_id(a, fid);
				free(a);
				if (fy_idset_add(&s->agents, fy_fingerprint(FY_KIND_AGENT, fid, strlen(fid)), err) < 0)
					return -1;
			}
		}
		s->ilist = 0;
		s->phase = B_AGENT;
		return 0;
	case B_AGENT:
		if (s->ilist >= fy_json_len(&s->list, 0)) {
			const char *o = fy_adapter_option(s->ctx, "sessions");

			s->phase = s->agent_only || (o && !strcmp(o, "no")) ? B_DONE : B_SESSIONS;
			return 0;
		}
		id = gets(&s->list, fy_json_at(&s->list, 0, s->ilist++), "agentId");
		if (!id)
			return fy_error_set(err, FY_E_DATA, "bedrock-agents: ListAgents: an agent without agentId");
		rc = export_agent(s, id, err);
		free(id);
		return rc;
	case B_SESSIONS:
		if (list_all(&s->runtime, "/sessions/", NULL, "sessionSummaries", "ListSessions", &s->listtext,
			     &s->list, &missing, err) < 0)
			return fy_error_prefix(err, "bedrock-agents");
		s->ilist = 0;
		s->phase = B_SESSION;
		return 0;
	case B_SESSION:
		if (s->ilist >= fy_json_len(&s->list, 0)) {
			s->phase = B_DONE;
			return 0;
		}
		id = gets(&s->list, fy_json_at(&s->list, 0, s->ilist++), "sessionId");
		if (!id)
			return fy_error_set(err, FY_E_DATA, "bedrock-agents: ListSessions: a session without sessionId");
		rc = export_session(s, id, err);
		free(id);
		return rc;
	case B_DONE:
		return 0;
	}
	return 0;
}

static int bsrc_next(void *state, struct fy_item *it, struct fy_error *err)
{
	struct bsrc *s = state;

	for (;;) {
		if (fy_outbox_pull(&s->out, it))
			return 1;
		if (s->phase == B_DONE)
			return 0;
		if (bsrc_step(s, err) < 0)
			return -1;
	}
}

static int split_location(const char *loc, char *region, size_t cap, char **rest, struct fy_error *err)
{
	const char *slash = strchr(loc, '/');
	size_t n = slash ? (size_t)(slash - loc) : strlen(loc);

	if (n >= cap)
		return fy_error_set(err, FY_E_USAGE, "bedrock-agents: '%s' is not REGION[/AGENT_ID]", loc);
	memcpy(region, loc, n);
	region[n] = '\0';
	*rest = slash && slash[1] ? strdup(slash + 1) : NULL;
	return 0;
}

static int add_memory_id(struct bsrc *s, const char *id, size_t n, struct fy_error *err)
{
	char **v = realloc(s->memory_ids, (s->nmemory_ids + 1) * sizeof(*v));

	if (!v)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	s->memory_ids = v;
	v[s->nmemory_ids] = strndup(id, n);
	if (!v[s->nmemory_ids])
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	s->nmemory_ids++;
	return 0;
}

static int bsrc_open(const struct fy_adapter_ctx *ctx, void **state, struct fy_source_info *info,
		     struct fy_error *err)
{
	struct bsrc *s = calloc(1, sizeof(*s));
	const char *mids = fy_adapter_option(ctx, "memory_ids");
	char region[64];
	size_t i;

	(void)info;
	if (!s)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	s->ctx = ctx;
	fy_buf_init(&s->listtext, DOC_MAX);
	fy_jdoc_init(&s->list);
	fy_idset_init(&s->agents, (size_t)1 << 24);
	fy_idset_init(&s->kbs, (size_t)1 << 24);
	for (i = 0; i < ctx->nids; i++)
		if (add_memory_id(s, ctx->ids[i], strlen(ctx->ids[i]), err) < 0)
			goto fail;
	while (mids && *mids) {
		size_t n = strcspn(mids, ",");

		if (n && add_memory_id(s, mids, n, err) < 0)
			goto fail;
		mids += n + (mids[n] == ',');
	}
	if (split_location(ctx->location, region, sizeof(region), &s->agent_only, err) < 0 ||
	    fy_aws_account_open(&s->acct, ctx, region, err) < 0 ||
	    fy_aws_open(&s->agent, &s->acct, &fy_aws_bedrock_agent, err) < 0)
		goto prefix;
	s->have_agent = 1;
	if (fy_aws_open(&s->runtime, &s->acct, &fy_aws_bedrock_agent_runtime, err) < 0)
		goto prefix;
	s->have_runtime = 1;
	*state = s;
	return 0;
prefix:
	fy_error_prefix(err, "bedrock-agents");
fail:
	bsrc_close(s);
	return -1;
}

/* --- sink --------------------------------------------------------------- */

struct bsnk {
	const struct fy_adapter_ctx *ctx;
	struct fy_aws_account acct;
	struct fy_aws agent, runtime;
	int have_agent, have_runtime;
	struct fy_journal *j;
	struct fy_aws_heldlist agents, tools, thread;
	uint64_t sessions, steps, created_agents;
};

static void bsnk_close(void *state)
{
	struct bsnk *s = state;

	if (!s)
		return;
	if (s->have_agent)
		fy_aws_close(&s->agent);
	if (s->have_runtime)
		fy_aws_close(&s->runtime);
	fy_aws_account_close(&s->acct);
	fy_journal_close(s->j);
	fy_aws_held_release(&s->agents);
	fy_aws_held_release(&s->tools);
	fy_aws_held_release(&s->thread);
	free(s);
}

static int bsnk_open(const struct fy_adapter_ctx *ctx, const struct fy_header *hdr, void **state,
		     struct fy_error *err)
{
	struct bsnk *s = calloc(1, sizeof(*s));
	char region[64], path[4096], key[1200], *rest = NULL;

	(void)hdr;
	if (!s)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	s->ctx = ctx;
	if (split_location(ctx->location, region, sizeof(region), &rest, err) < 0)
		goto fail;
	free(rest);
	if (fy_aws_account_open(&s->acct, ctx, region, err) < 0 ||
	    fy_aws_open(&s->agent, &s->acct, &fy_aws_bedrock_agent, err) < 0)
		goto fail;
	s->have_agent = 1;
	if (fy_aws_open(&s->runtime, &s->acct, &fy_aws_bedrock_agent_runtime, err) < 0)
		goto fail;
	s->have_runtime = 1;
	snprintf(key, sizeof(key), "%s@%s", s->acct.cred.access_key, s->acct.region);
	if (fy_journal_path(ctx->state_dir, BA, key, path, sizeof(path), err) < 0)
		goto fail;
	s->j = fy_journal_open(path, err);
	if (!s->j)
		goto fail;
	*state = s;
	return 0;
fail:
	fy_error_prefix(err, "bedrock-agents");
	bsnk_close(s);
	return -1;
}

/* --- sessions ----------------------------------------------------------- */

static char role_letter(const char *role)
{
	if (!role)
		return 'a';
	if (!strcmp(role, "user"))
		return 'u';
	if (!strcmp(role, "tool"))
		return 't';
	if (!strcmp(role, "system"))
		return 's';
	if (!strcmp(role, "developer"))
		return 'd';
	return 'a';
}

/* Look a planned session up by its ferry_source_id. */
static int find_session(struct bsnk *s, const char *src, char **found, struct fy_error *err)
{
	struct fy_buf text = FY_BUF_INIT(DOC_MAX), path = FY_BUF_INIT(4096);
	struct fy_jdoc list;
	struct fy_aws_reply r;
	uint32_t k, el;
	int rc = -1;

	*found = NULL;
	fy_jdoc_init(&list);
	fy_aws_reply_init(&r);
	if (list_all(&s->runtime, "/sessions/", NULL, "sessionSummaries", "ListSessions", &text, &list, NULL,
		     err) < 0)
		goto out;
	FY_JSON_FOREACH(&list, 0, k, el) {
		char *sid = gets(&list, el, "sessionId");

		fy_buf_reset(&path);
		if (!sid || fy_aws_path(&path, err, "/sessions/%s/", sid) < 0 ||
		    fy_aws_call(&s->runtime, "GET", path.ptr, NULL, NULL, "GetSession", &r, err) < 0) {
			free(sid);
			goto out;
		}
		if (fy_json_streq(&r.doc, fy_json_get(&r.doc, fy_json_get(&r.doc, 0, "sessionMetadata"),
						      "ferry_source_id"),
				  src)) {
			*found = sid;
			break;
		}
		free(sid);
	}
	rc = 0;
out:
	fy_jdoc_release(&list);
	fy_aws_reply_release(&r);
	fy_buf_release(&text);
	fy_buf_release(&path);
	return rc;
}

/* The thread's messages on its active branch, root first; 0..n-1 indices into thread.v[1..]. */
static size_t active_path(struct bsnk *s, size_t *idx)
{
	const struct fy_jdoc *td = &s->thread.v[0].d;
	char *cur = gets(td, 0, "active_leaf");
	size_t n = s->thread.n - 1, len = 0, i, guard = 0;

	if (!cur && n)
		cur = gets(&s->thread.v[n].d, 0, "id");
	while (cur && guard++ <= n) {
		char *next = NULL;

		for (i = 0; i < n; i++) {
			const struct fy_jdoc *d = &s->thread.v[i + 1].d;

			if (fy_json_streq(d, fy_json_get(d, 0, "id"), cur)) {
				idx[len++] = i;
				next = gets(d, 0, "parent");
				break;
			}
		}
		free(cur);
		cur = next;
	}
	free(cur);
	/* root first */
	for (i = 0; i < len / 2; i++) {
		size_t t = idx[i];

		idx[i] = idx[len - 1 - i];
		idx[len - 1 - i] = t;
	}
	return len;
}

/* A message's parts as contentBlocks: text as text, other parts as {"ferry_part": ...} text. */
static int content_blocks(struct fy_jw *w, const struct fy_jdoc *d, int *emulated)
{
	uint32_t parts = fy_json_get(d, 0, "parts"), k, p;
	int any = 0;

	*emulated = 0;
	fy_jw_arr(w);
	FY_JSON_FOREACH(d, parts, k, p) {
		uint32_t text = fy_json_get(d, p, "text");
		size_t tlen = 0;

		fy_json_raw(d, text, &tlen);
		fy_jw_obj(w);
		fy_jw_key(w, "text");
		/* A text block is at least one character; an empty text travels as a part. */
		if (fy_json_streq(d, fy_json_get(d, p, "type"), "text") && fy_json_type(d, text) == FY_JSTRING &&
		    tlen > 0) {
			fy_jw_node(w, d, text);
		} else {
			struct fy_buf env = FY_BUF_INIT(DOC_MAX);

			fy_buf_adds(&env, "{\"ferry_part\":", NULL);
			fy_json_emit(d, p, &env, NULL);
			fy_buf_addc(&env, '}', NULL);
			fy_jw_strn(w, env.ptr, env.len);
			fy_buf_release(&env);
			(*emulated)++;
		}
		fy_jw_end(w);
		any = 1;
	}
	if (!any) {
		fy_jw_obj(w);
		fy_jw_kstr(w, "text", "{\"ferry_part\":{\"type\":\"text\",\"text\":\"\"}}");
		fy_jw_end(w);
	}
	fy_jw_end(w);
	return 0;
}

#define TREE_MAX 4000	/* messages of a tree written whole (36 metadata values of 2000) */

static int flush_session(struct bsnk *s, struct fy_error *err)
{
	const struct fy_jdoc *td;
	size_t n, len, i, *idx = NULL;
	char *tid = NULL, *sid = NULL, *title = NULL, inv[37] = "";
	struct fy_buf body = FY_BUF_INIT(DOC_MAX), path = FY_BUF_INIT(4096), roles = FY_BUF_INIT(DOC_MAX),
		      tree = FY_BUF_INIT(DOC_MAX);
	struct fy_journal_entry e;
	struct fy_aws_reply r;
	struct fy_jw w;
	char tree_leaf[16] = "";
	int rc = -1;

	if (!s->thread.n)
		return 0;
	fy_aws_reply_init(&r);
	td = &s->thread.v[0].d;
	tid = gets(td, 0, "id");
	title = gets(td, 0, "title");
	n = s->thread.n - 1;
	idx = calloc(n + 1, sizeof(*idx));
	if (!idx || !tid) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		goto out;
	}
	len = active_path(s, idx);
	/*
	 * A session is linear. A tree is written whole, in archive order, with
	 * each step's parent in metadata ferry_tree ("child>parent" by the first
	 * 8 characters of their step ids) and the active leaf in ferry_leaf;
	 * past TREE_MAX messages only the active branch is written.
	 */
	if (len < n && n <= TREE_MAX) {
		char leaf[37] = "";

		for (i = 0; i < n; i++) {
			const struct fy_jdoc *d = &s->thread.v[i + 1].d;
			char *mid = gets(d, 0, "id"), *par = gets(d, 0, "parent"), src[1024], a[37], b[37];

			snprintf(src, sizeof(src), "%s/%s", tid, mid ? mid : "");
			derived_uuid("step", src, a);
			if (len && idx[len - 1] == i)
				snprintf(leaf, sizeof(leaf), "%s", a);
			if (par) {
				snprintf(src, sizeof(src), "%s/%s", tid, par);
				derived_uuid("step", src, b);
				if (tree.len)
					fy_buf_addc(&tree, ',', NULL);
				fy_buf_add(&tree, a, 8, NULL);
				fy_buf_addc(&tree, '>', NULL);
				fy_buf_add(&tree, b, 8, NULL);
			}
			free(mid);
			free(par);
			idx[i] = i;
		}
		leaf[8] = '\0';
		snprintf(tree_leaf, sizeof(tree_leaf), "%s", leaf);
		len = n;
	}
	/* Messages off the active branch of a larger tree are not written. */
	for (i = 0; len < n && i < n; i++) {
		size_t j;
		char *mid;
		int lr;

		for (j = 0; j < len && idx[j] != i; j++)
			;
		if (j < len)
			continue;
		mid = gets(&s->thread.v[i + 1].d, 0, "id");
		lr = fy_aws_report(s->ctx, err, &(struct fy_ledger_item){ FY_KIND_MESSAGE, mid, tid, NULL },
				   FY_OUT_DROPPED, "session-linear",
				   "not on the active branch: a Bedrock session is linear");
		free(mid);
		if (lr < 0)
			goto out;
	}
	for (i = 0; i < len; i++) {
		char *role = gets(&s->thread.v[idx[i] + 1].d, 0, "role");

		fy_buf_addc(&roles, role_letter(role), NULL);
		free(role);
	}
	if (fy_journal_get(s->j, "thread", tid, &e) && e.state >= FY_JOURNAL_CREATED) {
		sid = strdup(e.target);
	} else {
		if (fy_journal_get(s->j, "thread", tid, &e) && e.state == FY_JOURNAL_PLANNED &&
		    find_session(s, tid, &sid, err) < 0)
			goto out;
		if (!sid) {
			fy_jw_init(&w, &body);
			fy_jw_obj(&w);
			fy_jw_key(&w, "sessionMetadata");
			fy_jw_obj(&w);
			fy_jw_kstr(&w, "ferry_source_id", tid);
			fy_jw_kstr_opt(&w, "ferry_title", title);
			for (i = 0; i * 2000 < tree.len; i++) {
				char key[32];

				if (i == 0)
					snprintf(key, sizeof(key), "ferry_tree");
				else
					snprintf(key, sizeof(key), "ferry_tree_%zu", i + 1);
				fy_jw_key(&w, key);
				fy_jw_strn(&w, tree.ptr + i * 2000, tree.len - i * 2000 > 2000 ? 2000 : tree.len - i * 2000);
			}
			if (tree.len)
				fy_jw_kstr(&w, "ferry_leaf", tree_leaf);
			for (i = 0; i * 2000 < roles.len || i == 0; i++) {
				char key[32];

				if (i == 0)
					snprintf(key, sizeof(key), "ferry_roles");
				else
					snprintf(key, sizeof(key), "ferry_roles_%zu", i + 1);
				fy_jw_key(&w, key);
				fy_jw_strn(&w, roles.ptr ? roles.ptr + i * 2000 : "",
					   roles.len - i * 2000 > 2000 ? 2000 : roles.len - i * 2000);
			}
			fy_jw_end(&w);
			fy_jw_end(&w);
			if (fy_jw_finish(&w, err) < 0 ||
			    fy_journal_put(s->j, "thread", tid, NULL, FY_JOURNAL_PLANNED, err) < 0 ||
			    fy_aws_call(&s->runtime, "PUT", "/sessions/", NULL, &body, "CreateSession", &r, err) < 0)
				goto out;
			sid = gets(&r.doc, 0, "sessionId");
			if (!sid) {
				fy_error_set(err, FY_E_DATA, "CreateSession: the answer has no sessionId");
				goto out;
			}
			s->sessions++;
		}
		if (fy_journal_put(s->j, "thread", tid, sid, FY_JOURNAL_CREATED, err) < 0)
			goto out;
	}
	for (i = 0; i < len; i++) {
		const struct fy_jdoc *d = &s->thread.v[idx[i] + 1].d;
		char *mid = gets(d, 0, "id"), *role = gets(d, 0, "role"), *created = gets(d, 0, "created");
		char src[1024], step[37];
		int emulated = 0;

		snprintf(src, sizeof(src), "%s/%s", tid, mid ? mid : "");
		/* A new invocation at the first message and at every user message. */
		if (!inv[0] || (role && !strcmp(role, "user"))) {
			derived_uuid("invocation", src, inv);
			fy_buf_reset(&body);
			fy_buf_reset(&path);
			fy_jw_init(&w, &body);
			fy_jw_obj(&w);
			fy_jw_kstr(&w, "invocationId", inv);
			fy_jw_kstr(&w, "description", "imported by ferry");
			fy_jw_end(&w);
			if (!(fy_journal_get(s->j, "invocation", src, &e) && e.state >= FY_JOURNAL_CREATED) &&
			    (fy_jw_finish(&w, err) < 0 ||
			     fy_aws_path(&path, err, "/sessions/%s/invocations/", sid) < 0 ||
			     fy_aws_call(&s->runtime, "PUT", path.ptr, NULL, &body, "CreateInvocation", &r, err) < 0 ||
			     fy_journal_put(s->j, "invocation", src, inv, FY_JOURNAL_CREATED, err) < 0)) {
				free(mid);
				free(role);
				free(created);
				goto out;
			}
		}
		if (fy_journal_get(s->j, "step", src, &e) && e.state >= FY_JOURNAL_CREATED) {
			free(mid);
			free(role);
			free(created);
			continue;
		}
		derived_uuid("step", src, step);
		fy_buf_reset(&body);
		fy_buf_reset(&path);
		fy_jw_init(&w, &body);
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "invocationIdentifier", inv);
		fy_jw_kstr(&w, "invocationStepId", step);
		if (!created)
			created = gets(td, 0, "created");
		fy_jw_kstr(&w, "invocationStepTime", created ? created : "1970-01-01T00:00:00Z");
		fy_jw_key(&w, "payload");
		fy_jw_obj(&w);
		fy_jw_key(&w, "contentBlocks");
		content_blocks(&w, d, &emulated);
		fy_jw_end(&w);
		fy_jw_end(&w);
		rc = fy_jw_finish(&w, err) < 0 || fy_aws_path(&path, err, "/sessions/%s/invocationSteps/", sid) < 0 ||
				     fy_aws_call(&s->runtime, "PUT", path.ptr, NULL, &body, "PutInvocationStep", &r,
						 err) < 0 ||
				     fy_journal_put(s->j, "step", src, step, FY_JOURNAL_CREATED, err) < 0
			     ? -1
			     : 0;
		free(mid);
		free(role);
		free(created);
		if (rc < 0)
			goto out;
		rc = -1;
		s->steps++;
	}
	rc = 0;
out:
	if (rc < 0)
		fy_error_prefix(err, "bedrock-agents: thread %s", tid ? tid : "?");
	fy_aws_reply_release(&r);
	fy_buf_release(&body);
	fy_buf_release(&path);
	fy_buf_release(&roles);
	fy_buf_release(&tree);
	fy_aws_held_clear(&s->thread);
	free(idx);
	free(tid);
	free(sid);
	free(title);
	return rc;
}

/* --- agents ------------------------------------------------------------- */

static const struct fy_aws_held *btool_of(const struct bsnk *s, const char *id)
{
	size_t i;

	for (i = 0; id && i < s->tools.n; i++)
		if (fy_json_streq(&s->tools.v[i].d, fy_json_get(&s->tools.v[i].d, 0, "id"), id))
			return &s->tools.v[i];
	return NULL;
}

/* agentName / actionGroupName: ([0-9a-zA-Z][_-]?){1,100}. */
static void bedrock_name(const char *name, char out[101])
{
	size_t i, n = 0;
	int sep = 1;

	for (i = 0; name && name[i] && n < 100; i++) {
		unsigned char c = (unsigned char)name[i];

		if (isalnum(c)) {
			out[n++] = (char)c;
			sep = 0;
		} else if (!sep) {
			out[n++] = c == '-' ? '-' : '_';
			sep = 1;
		}
	}
	if (!n)
		out[n++] = 'a';
	out[n] = '\0';
}

/* JSON Schema properties as a Bedrock ParameterMap (simple types only). */
static int parameter_map(struct fy_jw *w, const struct fy_jdoc *d, uint32_t schema, int *degraded)
{
	uint32_t props = fy_json_get(d, schema, "properties"), req = fy_json_get(d, schema, "required");
	uint32_t k, key, val, kk, r;

	fy_jw_obj(w);
	FY_JSON_FOREACH_MEMBER(d, props, k, key, val) {
		char *name = fy_json_strdup(d, key, NULL), *type = gets(d, val, "type");
		int required = 0;

		FY_JSON_FOREACH(d, req, kk, r)
			if (name && fy_json_streq(d, r, name))
				required = 1;
		if (!type || (strcmp(type, "string") && strcmp(type, "number") && strcmp(type, "integer") &&
			      strcmp(type, "boolean") && strcmp(type, "array"))) {
			free(type);
			type = strdup("string");
			(*degraded)++;
		}
		fy_jw_key(w, name ? name : "p");
		fy_jw_obj(w);
		fy_jw_kstr(w, "type", type);
		fy_jw_knode_opt(w, "description", d, fy_json_get(d, val, "description"));
		fy_jw_key(w, "required");
		fy_jw_bool(w, required);
		fy_jw_end(w);
		free(name);
		free(type);
	}
	fy_jw_end(w);
	return 0;
}

static int create_action_group(struct bsnk *s, const char *src_agent, const char *agent_id,
			       const char *key, const struct fy_buf *body, struct fy_error *err)
{
	struct fy_buf path = FY_BUF_INIT(4096);
	struct fy_journal_entry e;
	struct fy_aws_reply r;
	char *gid = NULL, jkey[1200];
	int rc = -1;

	fy_aws_reply_init(&r);
	snprintf(jkey, sizeof(jkey), "%s/%s", src_agent, key);
	if (fy_journal_get(s->j, "action-group", jkey, &e) && e.state >= FY_JOURNAL_CREATED) {
		rc = 0;
		goto out;
	}
	if (fy_aws_path(&path, err, "/agents/%s/agentversions/DRAFT/actiongroups/", agent_id) < 0 ||
	    fy_journal_put(s->j, "action-group", jkey, NULL, FY_JOURNAL_PLANNED, err) < 0 ||
	    fy_aws_call(&s->agent, "PUT", path.ptr, NULL, body, "CreateAgentActionGroup", &r, err) < 0)
		goto out;
	gid = gets(&r.doc, fy_json_get(&r.doc, 0, "agentActionGroup"), "actionGroupId");
	rc = fy_journal_put(s->j, "action-group", jkey, gid ? gid : "?", FY_JOURNAL_CREATED, err);
out:
	fy_aws_reply_release(&r);
	fy_buf_release(&path);
	free(gid);
	return rc;
}

/*
 * An action group for a tool from elsewhere: an OpenAPI document (inline,
 * or an S3 location) answered by the client (RETURN_CONTROL), or the
 * AMAZON.CodeInterpreter group. A document only at a web address was
 * reported when the tool was handed over and is left out here.
 */
static int foreign_group(struct bsnk *s, const char *agent, const char *aid, const struct fy_jdoc *td,
			 struct fy_error *err)
{
	uint32_t api = fy_json_get(td, 0, "openapi");
	char *tid = gets(td, 0, "id"), *tname = gets(td, 0, "name"), *url = gets(td, api, "url");
	char gname[101], tok[33];
	struct fy_buf body = FY_BUF_INIT(DOC_MAX), text = FY_BUF_INIT(DOC_MAX);
	struct fy_jw w;
	int rc = 0;

	if (url && strncmp(url, "s3://", 5))
		goto out;
	bedrock_name(tname ? tname : tid, gname);
	fy_aws_token("CreateAgentActionGroup", tid ? tid : gname, tok);
	fy_jw_init(&w, &body);
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "actionGroupName", gname);
	fy_jw_knode_opt(&w, "description", td, fy_json_get(td, 0, "description"));
	if (fy_json_streq(td, fy_json_get(td, 0, "type"), "code_interpreter")) {
		fy_jw_kstr(&w, "parentActionGroupSignature", "AMAZON.CodeInterpreter");
	} else {
		fy_jw_key(&w, "actionGroupExecutor");
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "customControl", "RETURN_CONTROL");
		fy_jw_end(&w);
		fy_jw_key(&w, "apiSchema");
		fy_jw_obj(&w);
		if (url) {
			const char *slash = strchr(url + 5, '/');

			fy_jw_key(&w, "s3");
			fy_jw_obj(&w);
			fy_jw_key(&w, "s3BucketName");
			fy_jw_strn(&w, url + 5, slash ? (size_t)(slash - url - 5) : strlen(url + 5));
			fy_jw_kstr(&w, "s3ObjectKey", slash ? slash + 1 : "");
			fy_jw_end(&w);
		} else if (fy_json_streq(td, fy_json_get(td, api, "format"), "yaml")) {
			fy_jw_key(&w, "payload");
			fy_jw_node(&w, td, fy_json_get(td, api, "text"));
		} else {
			if (fy_json_emit(td, api, &text, err) < 0) {
				rc = -1;
				goto out;
			}
			fy_jw_key(&w, "payload");
			fy_jw_strn(&w, text.ptr ? text.ptr : "{}", text.ptr ? text.len : 2);
		}
		fy_jw_end(&w);
	}
	fy_jw_kstr(&w, "clientToken", tok);
	fy_jw_end(&w);
	rc = fy_jw_finish(&w, err) < 0 ? -1 : create_action_group(s, agent, aid, tid ? tid : gname, &body, err);
out:
	free(tid);
	free(tname);
	free(url);
	fy_buf_release(&body);
	fy_buf_release(&text);
	return rc;
}

static int create_agent(struct bsnk *s, const struct fy_aws_held *h, struct fy_error *err)
{
	const struct fy_jdoc *d = &h->d;
	uint32_t ext = fy_json_get(d, fy_json_get(d, 0, "ext"), BA), model = fy_json_get(d, 0, "model");
	char *id = gets(d, 0, "id"), *name = gets(d, 0, "name"), *provider = gets(d, model, "provider");
	char *xrole = gets(d, ext, "agentResourceRoleArn"), *aid = NULL, aname[101], tok[33];
	const char *role = fy_adapter_option(s->ctx, "role_arn");
	const char *model_opt = fy_adapter_option(s->ctx, "model_id");
	struct fy_buf body = FY_BUF_INIT(DOC_MAX), path = FY_BUF_INIT(4096), groups = FY_BUF_INIT(DOC_MAX);
	struct fy_journal_entry e;
	struct fy_aws_reply r;
	struct fy_jw w;
	uint32_t k, el;
	int rc = -1, ferry_group = 0;

	fy_aws_reply_init(&r);
	if (!role)
		role = xrole;
	if (!id) {
		fy_error_set(err, FY_E_DATA, "an agent without an id");
		goto out;
	}
	if (fy_journal_get(s->j, "agent", id, &e) && e.state >= FY_JOURNAL_CREATED) {
		aid = strdup(e.target);
	} else {
		if (!role) {
			fy_error_set(err, FY_E_USAGE,
				     "bedrock-agents: agent %s needs a service role: --option "
				     "role_arn=arn:aws:iam::ACCOUNT:role/NAME",
				     id);
			goto out;
		}
		bedrock_name(name ? name : id, aname);
		fy_aws_token("CreateAgent", id, tok);
		fy_jw_init(&w, &body);
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "agentName", aname);
		fy_jw_kstr(&w, "agentResourceRoleArn", role);
		fy_jw_kstr(&w, "clientToken", tok);
		fy_jw_knode_opt(&w, "description", d, fy_json_get(d, 0, "description"));
		fy_jw_knode_opt(&w, "instruction", d, fy_json_get(d, 0, "instructions"));
		if (model_opt) {
			fy_jw_kstr(&w, "foundationModel", model_opt);
		} else if (model != FY_JNONE && (!provider || fy_aws_bedrock_provider(provider))) {
			fy_jw_key(&w, "foundationModel");
			fy_jw_node(&w, d, fy_json_get(d, model, "name"));
		}	/* else: reported when the agent was handed over */
		{
			static const char *const keys[] = { "idleSessionTTLInSeconds", "promptOverrideConfiguration",
							    "guardrailConfiguration", "memoryConfiguration",
							    "orchestrationType", "agentCollaboration" };
			size_t i;

			for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
				fy_jw_knode_opt(&w, keys[i], d, fy_json_get(d, ext, keys[i]));
		}
		fy_jw_end(&w);
		if (fy_jw_finish(&w, err) < 0 ||
		    fy_journal_put(s->j, "agent", id, NULL, FY_JOURNAL_PLANNED, err) < 0 ||
		    fy_aws_call(&s->agent, "PUT", "/agents/", NULL, &body, "CreateAgent", &r, err) < 0)
			goto out;
		aid = gets(&r.doc, fy_json_get(&r.doc, 0, "agent"), "agentId");
		if (!aid) {
			fy_error_set(err, FY_E_DATA, "CreateAgent: the answer has no agent.agentId");
			goto out;
		}
		if (fy_journal_put(s->j, "agent", id, aid, FY_JOURNAL_CREATED, err) < 0)
			goto out;
		s->created_agents++;
	}
	/* Action groups: Bedrock ones as they were, others gathered into one group. */
	FY_JSON_FOREACH(d, fy_json_get(d, 0, "tools"), k, el) {
		char *tid = fy_json_strdup(d, el, NULL);
		const struct fy_aws_held *t = btool_of(s, tid);
		const struct fy_jdoc *td = t ? &t->d : NULL;
		uint32_t g = td ? fy_json_get(td, fy_json_get(td, fy_json_get(td, 0, "ext"), BA), "actionGroup") : FY_JNONE;

		if (!t) {
			free(tid);
			continue;
		}
		if (g != FY_JNONE) {
			char *gid = gets(td, g, "actionGroupId");
			char marker[300];

			/* One CreateAgentActionGroup per source group, whatever its tool count. */
			snprintf(marker, sizeof(marker), " %s ", gid ? gid : "");
			if (!strstr(groups.ptr ? groups.ptr : "", marker)) {
				static const char *const keys[] = { "actionGroupName", "description", "actionGroupExecutor",
								    "apiSchema", "functionSchema", "actionGroupState" };
				size_t i;

				fy_buf_adds(&groups, marker, NULL);
				fy_buf_reset(&body);
				fy_jw_init(&w, &body);
				fy_jw_obj(&w);
				for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
					fy_jw_knode_opt(&w, keys[i], td, fy_json_get(td, g, keys[i]));
				if (fy_json_get(td, g, "parentActionSignature") != FY_JNONE) {
					fy_jw_key(&w, "parentActionGroupSignature");
					fy_jw_node(&w, td, fy_json_get(td, g, "parentActionSignature"));
				}
				fy_aws_token("CreateAgentActionGroup", gid ? gid : tid, tok);
				fy_jw_kstr(&w, "clientToken", tok);
				fy_jw_end(&w);
				if (fy_jw_finish(&w, err) < 0 || create_action_group(s, id, aid, gid ? gid : tid, &body, err) < 0) {
					free(gid);
					free(tid);
					goto out;
				}
			}
			free(gid);
		} else {
			ferry_group = 1;
		}
		free(tid);
	}
	if (ferry_group) {
		/* Tools from elsewhere: functions become one RETURN_CONTROL group. */
		int degraded = 0, any = 0;

		fy_buf_reset(&body);
		fy_jw_init(&w, &body);
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "actionGroupName", "ferry_functions");
		fy_jw_kstr(&w, "description", "functions imported by ferry");
		fy_jw_key(&w, "actionGroupExecutor");
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "customControl", "RETURN_CONTROL");
		fy_jw_end(&w);
		fy_jw_key(&w, "functionSchema");
		fy_jw_obj(&w);
		fy_jw_key(&w, "functions");
		fy_jw_arr(&w);
		FY_JSON_FOREACH(d, fy_json_get(d, 0, "tools"), k, el) {
			char *tid = fy_json_strdup(d, el, NULL), *type, *tname, fname[101];
			const struct fy_aws_held *t = btool_of(s, tid);
			const struct fy_jdoc *td = t ? &t->d : NULL;

			if (!t || fy_json_get(td, fy_json_get(td, 0, "ext"), BA) != FY_JNONE) {
				free(tid);
				continue;
			}
			type = gets(td, 0, "type");
			tname = gets(td, 0, "name");
			if (type && !strcmp(type, "function")) {
				bedrock_name(tname, fname);
				fy_jw_obj(&w);
				fy_jw_kstr(&w, "name", fname);
				fy_jw_knode_opt(&w, "description", td, fy_json_get(td, 0, "description"));
				fy_jw_key(&w, "parameters");
				parameter_map(&w, td, fy_json_get(td, 0, "parameters"), &degraded);
				fy_jw_end(&w);
				any = 1;
			} else if (type && (!strcmp(type, "openapi") || !strcmp(type, "code_interpreter")) &&
				   foreign_group(s, id, aid, td, err) < 0) {
				free(tid);
				free(type);
				free(tname);
				goto out;
			}	/* other types were reported when handed over */
			free(tid);
			free(type);
			free(tname);
		}
		fy_jw_end(&w);
		fy_jw_end(&w);
		fy_aws_token("CreateAgentActionGroup", id, tok);
		fy_jw_kstr(&w, "clientToken", tok);
		fy_jw_end(&w);
		if (any && (fy_jw_finish(&w, err) < 0 || create_action_group(s, id, aid, "ferry_functions", &body, err) < 0))
			goto out;
	}
	/* Knowledge bases: associated when the knowledge base is in this account. */
	FY_JSON_FOREACH(d, fy_json_get(d, 0, "knowledge"), k, el) {
		char *kid = fy_json_strdup(d, el, NULL), jkey[1200];
		struct fy_aws_reply kr;

		snprintf(jkey, sizeof(jkey), "%s/%s", id, kid ? kid : "");
		if (fy_journal_get(s->j, "kb-association", jkey, &e) && e.state >= FY_JOURNAL_CREATED) {
			free(kid);
			continue;
		}
		fy_aws_reply_init(&kr);
		fy_buf_reset(&path);
		if (fy_aws_path(&path, err, "/knowledgebases/%s", kid ? kid : "") < 0 ||
		    fy_aws_call(&s->agent, "GET", path.ptr, NULL, NULL, "GetKnowledgeBase", &kr, err) < 0) {
			int lr;

			if (strcmp(kr.error_type, "ResourceNotFoundException")) {
				fy_aws_reply_release(&kr);
				free(kid);
				goto out;
			}
			fy_error_clear(err);
			lr = fy_aws_report(s->ctx, err, &(struct fy_ledger_item){ FY_KIND_AGENT, id, NULL, "knowledge" },
					   FY_OUT__COUNT, "kb-not-in-account",
					   "knowledge base %s is not in the target account; the association "
					   "is not made", kid ? kid : "?");
			fy_aws_reply_release(&kr);
			free(kid);
			if (lr < 0)
				goto out;
			continue;
		}
		fy_aws_reply_release(&kr);
		fy_buf_reset(&body);
		fy_buf_reset(&path);
		fy_jw_init(&w, &body);
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "knowledgeBaseId", kid);
		fy_jw_kstr(&w, "description", "associated by ferry");
		fy_jw_end(&w);
		if (fy_jw_finish(&w, err) < 0 ||
		    fy_aws_path(&path, err, "/agents/%s/agentversions/DRAFT/knowledgebases/", aid) < 0 ||
		    fy_aws_call(&s->agent, "PUT", path.ptr, NULL, &body, "AssociateAgentKnowledgeBase", &r, err) < 0 ||
		    fy_journal_put(s->j, "kb-association", jkey, kid, FY_JOURNAL_CREATED, err) < 0) {
			free(kid);
			goto out;
		}
		free(kid);
	}
	fy_buf_reset(&path);
	if (fy_aws_path(&path, err, "/agents/%s/", aid) < 0 ||
	    fy_aws_call(&s->agent, "POST", path.ptr, NULL, NULL, "PrepareAgent", &r, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		fy_error_prefix(err, "bedrock-agents: agent %s", id ? id : "?");
	fy_aws_reply_release(&r);
	fy_buf_release(&body);
	fy_buf_release(&path);
	fy_buf_release(&groups);
	free(id);
	free(name);
	free(provider);
	free(xrole);
	free(aid);
	return rc;
}

/* --- the capability table ---------------------------------------------- */

/*
 * What crosses into Bedrock Agents (adapter.h). The sink reports these
 * lines through fy_aws_report_table for every record it is handed; what it
 * decides per record (messages off the active branch, parameters it has to
 * flatten, a knowledge base missing from the account) it reports itself.
 */
static const struct fy_capability ba_caps[] = {
	{ FY_KIND_AGENT, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "an agent (CreateAgent) with its instruction, model, prompt overrides, guardrail and "
	  "memory configuration, prepared", NULL },
#define BA_NOT_BEDROCK(p)                                                                      \
	{ FY_KIND_AGENT, "model.provider=" p, FY_CAP_NONE, FY_CAP_DEGRADED,                     \
	  "not a Bedrock model: give --option model_id=MODEL, or import with --model-platform " \
	  "bedrock to map it through the model policy", "model-not-bedrock" }
	BA_NOT_BEDROCK("openai"), BA_NOT_BEDROCK("azure"), BA_NOT_BEDROCK("anthropic"),
	BA_NOT_BEDROCK("google"), BA_NOT_BEDROCK("vertex"), BA_NOT_BEDROCK("mistral"),
#undef BA_NOT_BEDROCK
	{ FY_KIND_AGENT, "knowledge", FY_CAP_NATIVE, FY_CAP_DEGRADED,
	  "knowledge bases are not created: the agent is associated with each one whose id exists "
	  "in the target account", "kb-association-by-id" },
	{ FY_KIND_AGENT, "handoffs", FY_CAP_NATIVE, FY_CAP_UNSUPPORTED,
	  "collaborators are not recreated: associate them after the import",
	  "collaborator-dropped" },
	{ FY_KIND_AGENT, "ext.bedrock-agents.collaborators", FY_CAP_NATIVE, FY_CAP_UNSUPPORTED,
	  "collaborators are not recreated: associate them after the import",
	  "collaborator-dropped" },
	{ FY_KIND_AGENT, "ext.bedrock-agents.versions", FY_CAP_NATIVE, FY_CAP_UNSUPPORTED,
	  "the working draft is created and prepared; numbered versions are not recreated",
	  "versions-not-recreated" },
	{ FY_KIND_AGENT, "ext.bedrock-agents.aliases", FY_CAP_NATIVE, FY_CAP_UNSUPPORTED,
	  "aliases are not recreated: create them from the prepared draft",
	  "aliases-not-recreated" },
	{ FY_KIND_AGENT, "memory", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "Bedrock Agents writes its memory (session summaries) itself", "summaries-read-only" },
	{ FY_KIND_AGENT, "response_format", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "Bedrock Agents has no structured-output setting", "response-format-dropped" },
	{ FY_KIND_TOOL, "type=function", FY_CAP_NATIVE, FY_CAP_TRANSFORMED,
	  "Bedrock functions go back into their action group; others into action group "
	  "ferry_functions (RETURN_CONTROL) with their JSON Schema as Bedrock parameters",
	  "function-to-action-group" },
	{ FY_KIND_TOOL, "type=openapi", FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "an action group with the OpenAPI document (or its S3 location); other tools' documents "
	  "with RETURN_CONTROL", NULL },
	{ FY_KIND_TOOL, "type=code_interpreter", FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "the AMAZON.CodeInterpreter action group", NULL },
	{ FY_KIND_TOOL, "type=builtin&!ext." BA, FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "a built-in tool from elsewhere has no action group", "no-equivalent" },
	{ FY_KIND_TOOL, "type=builtin", FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "the AMAZON.UserInput action group", NULL },
	{ FY_KIND_TOOL, "type=mcp", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "Bedrock Agents does not call MCP servers", "no-equivalent" },
	{ FY_KIND_TOOL, "type=file_search", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "use a knowledge base instead", "no-equivalent" },
	{ FY_KIND_TOOL, "type=web_search", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "no action group equivalent",
	  "no-equivalent" },
	{ FY_KIND_TOOL, "type=computer_use", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "no action group equivalent", "no-equivalent" },
	{ FY_KIND_THREAD, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "a session (CreateSession) with ferry_source_id, title and roles in its metadata", NULL },
	{ FY_KIND_THREAD, "metadata", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "session metadata holds ferry's keys", "session-metadata" },
	{ FY_KIND_THREAD, "archived", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "sessions are not archived",
	  "session-not-archived" },
	{ FY_KIND_MESSAGE, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "an invocation step with its invocationStepTime (a new invocation at each user "
	  "message); a tree is written whole, the parents in session metadata ferry_tree", NULL },
	{ FY_KIND_MESSAGE, "parts.type=image", FY_CAP_NONE, FY_CAP_DEGRADED,
	  "a text block {\"ferry_part\": ...} naming the archive blob; the bytes are not stored",
	  "session-part-reference" },
	{ FY_KIND_MESSAGE, "parts.type=file", FY_CAP_NONE, FY_CAP_DEGRADED,
	  "a text block {\"ferry_part\": ...} naming the archive blob; the bytes are not stored",
	  "session-part-reference" },
	{ FY_KIND_MESSAGE, "parts.type=audio", FY_CAP_NONE, FY_CAP_DEGRADED,
	  "a text block {\"ferry_part\": ...} naming the archive blob; the bytes are not stored",
	  "session-part-reference" },
#define BA_TEXT_PART(t)                                                                 \
	{ FY_KIND_MESSAGE, "parts.type=" t, FY_CAP_NATIVE, FY_CAP_TRANSFORMED,           \
	  "a text block {\"ferry_part\": ...}, read back as it was", "session-part-as-text" }
	BA_TEXT_PART("tool_call"), BA_TEXT_PART("tool_result"), BA_TEXT_PART("reasoning"),
	BA_TEXT_PART("citation"), BA_TEXT_PART("refusal"), BA_TEXT_PART("code"),
	BA_TEXT_PART("code_output"), BA_TEXT_PART("other"),
#undef BA_TEXT_PART
	{ FY_KIND_MESSAGE, "parts.text=", FY_CAP_NATIVE, FY_CAP_TRANSFORMED,
	  "an empty text becomes a text block {\"ferry_part\": ...} (a block has at least one "
	  "character)", "session-part-as-text" },
	{ FY_KIND_MESSAGE, "parts.citations", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "a text block has no citations", "citations-dropped" },
	{ FY_KIND_MESSAGE, "metadata", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "steps have no metadata",
	  "step-has-no-metadata" },
	{ FY_KIND_MESSAGE, "author", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "steps have no author",
	  "step-has-no-author" },
	{ FY_KIND_MESSAGE, "model", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "steps do not name a model",
	  "step-has-no-model" },
	{ FY_KIND_MESSAGE, "status", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "steps have no status",
	  "step-has-no-status" },
	{ FY_KIND_MESSAGE, "updated", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "a step has one time",
	  "step-has-one-time" },
	{ FY_KIND_MEMORY, NULL, FY_CAP_NATIVE, FY_CAP_UNSUPPORTED,
	  "session summaries are written by Bedrock Agents itself; they cannot be imported",
	  "summaries-read-only" },
	{ FY_KIND_KNOWLEDGE, NULL, FY_CAP_NATIVE, FY_CAP_UNSUPPORTED,
	  "knowledge bases are not created; agents are associated with those in the account",
	  "kb-not-created" },
	{ FY_KIND_WORKFLOW, NULL, FY_CAP_NONE, FY_CAP_UNSUPPORTED, "see bedrock-flow",
	  "no-equivalent" },
	{ FY_KIND_FILE, NULL, FY_CAP_NONE, FY_CAP_UNSUPPORTED, "Bedrock Agents stores no files",
	  "no-equivalent" },
};

static const struct fy_adapter_limits ba_limits = {
	.flags = FY_LIMIT_SETS_TIMESTAMPS | FY_LIMIT_STORES_PROVENANCE,
	.note = "steps keep invocationStepTime; sessions keep ferry_source_id in their metadata; "
		"model names are kept as given (Bedrock model ids)",
};

/* CreateSession per thread, CreateInvocation per user turn, PutInvocationStep per message. */
static int ba_estimate(const struct fy_adapter_ctx *ctx, const struct fy_estimate_input *in,
		       struct fy_estimate *out, struct fy_error *err)
{
	(void)ctx;
	(void)err;
	out->api_calls = in->records[FY_KIND_THREAD] + in->records[FY_KIND_MESSAGE] * 3 / 2 +
			 in->records[FY_KIND_AGENT] * 3 + in->records[FY_KIND_TOOL];
	snprintf(out->note, sizeof(out->note),
		 "CreateSession per thread, PutInvocationStep per message and CreateInvocation per "
		 "user turn (about one in two), CreateAgent, PrepareAgent and knowledge base "
		 "association per agent, one action group per tool at most");
	return 0;
}

/* Would a function's parameters lose their nesting (Bedrock parameters are flat)? */
static int nested_parameters(const struct fy_jdoc *d)
{
	uint32_t props = fy_json_get(d, fy_json_get(d, 0, "parameters"), "properties"), k, key, val;
	int n = 0;

	FY_JSON_FOREACH_MEMBER(d, props, k, key, val) {
		uint32_t t = fy_json_get(d, val, "type");

		if (!(fy_json_streq(d, t, "string") || fy_json_streq(d, t, "number") ||
		      fy_json_streq(d, t, "integer") || fy_json_streq(d, t, "boolean") ||
		      fy_json_streq(d, t, "array")))
			n++;
	}
	return n;
}

/* The done-ledger lines of a record handed to the sink (see agentcore.c's report_record). */
static int report_record(struct bsnk *s, const struct fy_item *it, struct fy_error *err)
{
	struct fy_jdoc d;
	char *id = NULL;
	int rc = -1;

	fy_jdoc_init(&d);
	if (fy_jdoc_parse(&d, it->json, it->len, 0, err) < 0)
		goto out;
	id = gets(&d, 0, "id");
	if (it->kind == FY_KIND_TOOL && fy_json_get(&d, fy_json_get(&d, 0, "ext"), BA) == FY_JNONE) {
		uint32_t api = fy_json_get(&d, 0, "openapi");
		char *url = gets(&d, api, "url");
		int nested = fy_json_streq(&d, fy_json_get(&d, 0, "type"), "function") ? nested_parameters(&d) : 0;

		if (nested &&
		    fy_aws_report(s->ctx, err, &(struct fy_ledger_item){ FY_KIND_TOOL, id, NULL, "parameters" },
				  FY_OUT_DEGRADED, "nested-parameter-as-string",
				  "%d parameter(s) of object or other nested types are sent as strings "
				  "(Bedrock function parameters are flat)",
				  nested) < 0) {
			free(url);
			goto out;
		}
		if (url && strncmp(url, "s3://", 5) &&
		    fy_aws_report(s->ctx, err, &(struct fy_ledger_item){ FY_KIND_TOOL, id, NULL, NULL },
				  FY_OUT_DROPPED, "openapi-not-in-s3",
				  "the OpenAPI document is only at %s: an action group takes the document "
				  "or an S3 location", url) < 0) {
			free(url);
			goto out;
		}
		free(url);
	}
	if (it->kind == FY_KIND_AGENT &&
	    fy_aws_report_provider(s->ctx, ba_caps, sizeof(ba_caps) / sizeof(ba_caps[0]), &d,
				   "give --option model_id=MODEL", err) < 0)
		goto out;
	rc = fy_aws_report_table(s->ctx, ba_caps, sizeof(ba_caps) / sizeof(ba_caps[0]), &d, NULL, err);
out:
	free(id);
	fy_jdoc_release(&d);
	return rc;
}

static int bsnk_put(void *state, const struct fy_item *it, struct fy_error *err)
{
	struct bsnk *s = state;

	if (it->type != FY_ITEM_RECORD)
		return 0;
	if (report_record(s, it, err) < 0)
		return -1;
	switch (it->kind) {
	case FY_KIND_THREAD:
		if (flush_session(s, err) < 0)
			return -1;
		return fy_aws_held_add(&s->thread, it->json, it->len, err);
	case FY_KIND_MESSAGE:
		return fy_aws_held_add(&s->thread, it->json, it->len, err);
	case FY_KIND_AGENT:
		return fy_aws_held_add(&s->agents, it->json, it->len, err);
	case FY_KIND_TOOL:
		return fy_aws_held_add(&s->tools, it->json, it->len, err);
	default:
		/* The table writes no other kind: the tool does not hand them over. */
		return 0;
	}
}

static int bsnk_finish(void *state, struct fy_error *err)
{
	struct bsnk *s = state;
	size_t i;

	if (flush_session(s, err) < 0)
		return -1;
	for (i = 0; i < s->agents.n; i++)
		if (create_agent(s, &s->agents.v[i], err) < 0)
			return -1;
	fy_aws_log(s->ctx, FY_LOG_INFO, "bedrock-agents: %llu agents, %llu sessions, %llu steps written",
		   (unsigned long long)s->created_agents, (unsigned long long)s->sessions,
		   (unsigned long long)s->steps);
	return 0;
}

const struct fy_adapter fy_adapter_bedrock_agents = {
	.name = "bedrock-agents",
	.summary = "Amazon Bedrock Agents (classic) and Bedrock session management",
	.locations = "bedrock-agents:REGION[/AGENT_ID] (credentials from the AWS environment)",
	.flags = FY_ADAPTER_READ | FY_ADAPTER_WRITE,
	.caps = ba_caps,
	.ncaps = sizeof(ba_caps) / sizeof(ba_caps[0]),
	.limits = &ba_limits,
	.estimate = ba_estimate,
	.read_open = bsrc_open,
	.read_next = bsrc_next,
	.read_close = bsrc_close,
	.write_open = bsnk_open,
	.write_put = bsnk_put,
	.write_finish = bsnk_finish,
	.write_close = bsnk_close,
};
