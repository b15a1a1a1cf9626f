/*
 * agentcore.c - the "agentcore" adapter: Amazon Bedrock AgentCore memory
 * (short-term events, long-term memory records, memories with their
 * strategies and namespaces) and managed harness agents.
 *
 *	agentcore:REGION[/MEMORY_ID]
 *
 * Export walks every memory (ListMemories, or the one named) - GetMemory
 * for its strategies and namespaces, kept verbatim as
 * raw/agentcore/memories/<id>.json - then every actor (ListActors), every
 * session of each actor (ListSessions) and every event of each session
 * with its branches (ListEvents, payloads included) as a thread, then the
 * long-term records of every namespace (ListMemoryRecords per strategy
 * namespace prefix, then a sweep of "/" for records outside the
 * strategies). Without a MEMORY_ID it also exports the harnesses
 * (ListHarnesses, GetHarness) as agents with their tools.
 *
 * Import writes events with their original eventTimestamp and
 * extractionMode SKIP (history replayed into a memory must not be
 * extracted again), memory records with their original timestamps through
 * BatchCreateMemoryRecords (at most 100 a batch - the model's limit -
 * and only the failed ones of a batch are sent again), memories
 * (CreateMemory, with the source's strategies) unless the location names
 * one, and harnesses (CreateHarness). Every create carries a clientToken
 * derived from the source id, so a retried or resumed request is
 * idempotent at AWS as well as in the journal; events and records also
 * carry metadata ferry_source_id, which a resumed run looks up before it
 * creates anything that was only "planned".
 *
 * Field-level facts come from the service models: Bedrock AgentCore data
 * plane 2024-02-28 (botocore/data/bedrock-agentcore/2024-02-28/service-2.json;
 * read here through the same model in aws/aws-sdk-go-v2
 * codegen/sdk-codegen/aws-models/bedrock-agentcore.json and
 * service/bedrockagentcore/api_op_*.go, because the stored botocore
 * snapshot predates the service) and AgentCore control 2023-06-05
 * (bedrock-agentcore-control; theIArchitecture/aws-sdk-net
 * generator/ServiceModels/bedrock-agentcore-control/bedrock-agentcore-control-2023-06-05.api.json for the
 * memory operations, and the AWS API Reference pages CreateHarness,
 * GetHarness, ListHarnesses, HarnessTool, HarnessModelConfiguration,
 * HarnessMemoryConfiguration for the harness). What the models say:
 *   - CreateEvent POST /memories/{memoryId}/events: actorId, sessionId,
 *     eventTimestamp (required; epoch seconds in rest-json), payload
 *     (conversational {content {text}, role USER|ASSISTANT|TOOL|OTHER} or
 *     blob), branch {name, rootEventId}, clientToken (idempotency token),
 *     metadata, extractionMode ("SKIP": stored, not extracted).
 *   - ListActors POST /memories/{id}/actors, ListSessions POST
 *     /memories/{id}/actor/{actorId}/sessions, ListEvents POST
 *     /memories/{id}/actor/{actorId}/sessions/{sessionId}: List calls are
 *     POSTs with maxResults/nextToken in the body.
 *   - BatchCreateMemoryRecords POST /memories/{id}/memoryRecords/batchCreate:
 *     records 0..100, each requestIdentifier [a-zA-Z0-9_-]{1,80},
 *     namespaces (at most 1), content {text}, timestamp, memoryStrategyId,
 *     metadata; the answer lists successfulRecords and failedRecords.
 *   - ListMemoryRecords POST /memories/{id}/memoryRecords: namespace
 *     required, memoryStrategyId optional.
 *   - CreateMemory POST /memories/create, GetMemory GET
 *     /memories/{id}/details, ListMemories POST /memories/.
 *   - The issue's "managed harness agents" are the control plane's
 *     Harness resource (CreateHarness POST /harnesses, GetHarness GET
 *     /harnesses/{harnessId}, ListHarnesses GET /harnesses): harnessName,
 *     executionRoleArn, model (bedrockModelConfig | openAiModelConfig |
 *     geminiModelConfig), systemPrompt [{text}], tools [{type, name,
 *     config}] with type remote_mcp | agentcore_browser | agentcore_gateway
 *     | inline_function | agentcore_code_interpreter, memory
 *     {agentCoreMemoryConfiguration {arn, actorId, ...}}, clientToken.
 *     AgentCore Runtime "agent runtimes" are containers, not configuration,
 *     and are not exported.
 * An actor id may hold ':' and '/' (tenant-a:user/42); it is one path
 * segment, percent-encoded, and signed by sigv4.c with the second encoding
 * AWS applies (libcurl's own signer cannot do that).
 *
 * What crosses into AgentCore, field by field, is the capability table
 * (agentcore_caps, near the end); the sink reports its lines for every
 * record it is handed, so `ferry audit` and `ferry import --dry-run` plan
 * exactly what the import then does. Model names are kept as given (a
 * harness takes Bedrock model ids); --model-platform bedrock maps others
 * through the model policy.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "agentcore.h"
#include "idset.h"
#include "journal.h"
#include "record.h"

#define AC "agentcore"
#define PAGE_MAX 100
#define DOC_MAX ((size_t)64 << 20)

/* --- small helpers ------------------------------------------------------ */

static char *dupn(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* The string member key of obj, or NULL (borrowed view through a static? no: new). */
static char *gets(const struct fy_jdoc *d, uint32_t obj, const char *key)
{
	return fy_json_get_strdup(d, obj, key);
}

static void put_time(struct fy_jw *w, const char *key, int64_t sec, int32_t ns)
{
	char t[40];

	fy_time_format(sec, ns, t);
	fy_jw_kstr(w, key, t);
}

/* A ferry id for a provider id. */
static void make_id(const char *s, char out[FY_ID_MAX + 1])
{
	fy_id_make(s, strlen(s), out);
}

/* --- export mapping: sessions ------------------------------------------- */

struct ev {
	uint32_t node;
	size_t order;
	int64_t sec;
	int32_t ns;
	char *id;		/* eventId */
	char *branch;		/* branch name, NULL for the main branch */
	char *root;		/* branch.rootEventId */
	char fid[FY_ID_MAX + 1];
	int emitted;
};

static int cmp_ev(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;
	int c = fy_time_cmp(x->sec, x->ns, y->sec, y->ns);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static const char *role_of(const char *aws)
{
	if (!aws)
		return NULL;
	if (!strcmp(aws, "USER"))
		return "user";
	if (!strcmp(aws, "ASSISTANT"))
		return "assistant";
	if (!strcmp(aws, "TOOL"))
		return "tool";
	if (!strcmp(aws, "OTHER"))
		return "system";
	return NULL;
}

/* The message parts of an event's payload. Returns the role found. */
static const char *event_parts(const struct fy_jdoc *d, uint32_t payload, struct fy_jw *w,
			       char *ferry_role, size_t cap)
{
	const char *role = NULL;
	uint32_t k, p;

	ferry_role[0] = '\0';
	fy_jw_arr(w);
	FY_JSON_FOREACH(d, payload, k, p) {
		uint32_t conv = fy_json_get(d, p, "conversational");
		uint32_t blob = fy_json_get(d, p, "blob");
		uint32_t js = fy_json_get(d, p, "json");

		if (conv != FY_JNONE) {
			uint32_t text = fy_json_get(d, fy_json_get(d, conv, "content"), "text");
			char *r = gets(d, conv, "role");

			if (!role)
				role = role_of(r);
			free(r);
			fy_jw_obj(w);
			fy_jw_kstr(w, "type", "text");
			fy_jw_key(w, "text");
			if (fy_json_type(d, text) == FY_JSTRING)
				fy_jw_node(w, d, text);
			else
				fy_jw_str(w, "");
			fy_jw_end(w);
		} else if (blob != FY_JNONE && fy_json_get(d, blob, "ferry_part") != FY_JNONE &&
			   fy_aws_stored_part(w, d, fy_json_get(d, blob, "ferry_part")) == 0) {
			/* A part ferry stored as a blob, given back as it was (else kept as other). */
			uint32_t fr = fy_json_get(d, blob, "ferry_role");

			if (fy_json_type(d, fr) == FY_JSTRING && !ferry_role[0]) {
				char *s = fy_json_strdup(d, fr, NULL);

				snprintf(ferry_role, cap, "%s", s ? s : "");
				free(s);
			}
		} else {
			fy_jw_obj(w);
			fy_jw_kstr(w, "type", "other");
			fy_jw_kstr(w, "content_type", blob != FY_JNONE ? "application/vnd.agentcore.blob+json"
								: js != FY_JNONE ? "application/json"
										: "application/vnd.agentcore.payload+json");
			fy_jw_key(w, "data");
			fy_jw_node(w, d, blob != FY_JNONE ? blob : js != FY_JNONE ? js : p);
			fy_jw_end(w);
		}
	}
	fy_jw_end(w);
	return role;
}

/* Event metadata without ferry's own bookkeeping keys (ferry_*); nothing when empty. */
static int put_metadata(struct fy_jw *w, const struct fy_jdoc *d, uint32_t meta)
{
	uint32_t k, key, val;
	int any = 0;

	FY_JSON_FOREACH_MEMBER(d, meta, k, key, val) {
		size_t n;
		const char *name = fy_json_raw(d, key, &n);

		if (n >= 6 && !strncmp(name, "ferry_", 6))
			continue;
		if (!any) {
			fy_jw_key(w, "metadata");
			fy_jw_obj(w);
			any = 1;
		}
		{
			char *kname = fy_json_strdup(d, key, NULL);

			fy_jw_key(w, kname ? kname : "");
			free(kname);
		}
		fy_jw_node(w, d, val);
	}
	if (any)
		fy_jw_end(w);
	return 0;
}

static int emit_message(const struct fy_jdoc *d, struct ev *e, const char *tid, const char *parent,
			struct fy_outbox *out, struct fy_buf *b, struct fy_error *err)
{
	uint32_t n = e->node, payload = fy_json_get(d, n, "payload");
	uint32_t meta = fy_json_get(d, n, "metadata");
	const char *role, *frole = NULL;
	char fr[32], mr[32];
	struct fy_jw w;
	struct fy_buf parts = FY_BUF_INIT(DOC_MAX);
	struct fy_jw pw;
	int rc;

	fy_jw_init(&pw, &parts);
	role = event_parts(d, payload, &pw, fr, sizeof(fr));
	if (fr[0])
		frole = fr;
	/* A role ferry kept in the metadata (system, developer) wins. */
	{
		char *v = fy_json_get_strdup(d, fy_json_get(d, meta, "ferry_role"), "stringValue");

		if (v) {
			snprintf(mr, sizeof(mr), "%s", v);
			frole = mr;
			free(v);
		}
	}
	if (frole)
		role = frole;
	if (fy_jw_finish(&pw, err) < 0) {
		fy_buf_release(&parts);
		return -1;
	}
	fy_buf_reset(b);
	fy_jw_init(&w, b);
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "kind", "message");
	fy_jw_kstr(&w, "id", e->fid);
	fy_jw_kstr(&w, "thread", tid);
	fy_jw_key(&w, "parent");
	fy_jw_str(&w, parent);
	fy_jw_kstr(&w, "role", role ? role : "user");
	put_time(&w, "created", e->sec, e->ns);
	fy_jw_key(&w, "parts");
	fy_jw_raw(&w, parts.ptr, parts.len);
	fy_aws_source_ext(&w, AC, e->id, NULL, FY_JNONE);
	fy_jw_kstr(&w, "eventId", e->id);
	fy_jw_knode_opt(&w, "eventTimestamp", d, fy_json_get(d, n, "eventTimestamp"));
	fy_jw_knode_opt(&w, "branch", d, fy_json_get(d, n, "branch"));
	if (put_metadata(&w, d, meta) < 0) {
		fy_buf_release(&parts);
		return fy_jw_finish(&w, err);
	}
	fy_jw_knode_opt(&w, "payload", d, payload);
	fy_jw_end(&w);
	fy_jw_end(&w);
	fy_jw_end(&w);
	rc = fy_jw_finish(&w, err);
	fy_buf_release(&parts);
	if (rc < 0)
		return -1;
	if (!role)
		rc = fy_aws_export_line(out, err, AC, &(struct fy_ledger_item){ FY_KIND_MESSAGE, e->fid, tid, "role" },
					FY_OUT__COUNT, "agentcore-no-role", "%s",
			    "the event has no conversational payload; its role is taken as user");
	else if (role && !strcmp(role, "system") && !frole)
		rc = fy_aws_export_line(out, err, AC, &(struct fy_ledger_item){ FY_KIND_MESSAGE, e->fid, tid, "role" },
					FY_OUT_TRANSFORMED, "agentcore-role-other", "%s",
			    "AgentCore role OTHER is exported as system");
	if (rc < 0)
		return -1;
	return fy_outbox_record(out, FY_KIND_MESSAGE, b->ptr, b->len, err);
}

static struct ev *find_ev(struct ev *evs, size_t n, const char *id)
{
	size_t i;

	for (i = 0; id && i < n; i++)
		if (!strcmp(evs[i].id, id))
			return &evs[i];
	return NULL;
}

/* The last emitted event of a branch (NULL name: main). */
static struct ev *branch_tip(struct ev **tips, char **names, size_t ntips, const char *branch)
{
	size_t i;

	for (i = 0; i < ntips; i++)
		if ((!names[i] && !branch) || (names[i] && branch && !strcmp(names[i], branch)))
			return tips[i];
	return NULL;
}

int fy_agentcore_map_session(const struct fy_jdoc *d, uint32_t arr, const char *memory_id,
			     const char *actor_id, const char *session_id, struct fy_outbox *out,
			     struct fy_error *err)
{
	size_t n = fy_json_len(d, arr), i, done = 0, ntips = 0;
	struct ev *evs = calloc(n ? n : 1, sizeof(*evs));
	struct ev **tips = calloc(n + 1, sizeof(*tips));
	char **tipnames = calloc(n + 1, sizeof(*tipnames));
	char tid[FY_ID_MAX + 1], src[4096];
	struct fy_buf b = FY_BUF_INIT(DOC_MAX);
	struct ev *last = NULL;
	uint32_t k, el;
	int rc = -1;

	if (!evs || !tips || !tipnames) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		goto out;
	}
	snprintf(src, sizeof(src), "%s/%s/%s", memory_id, actor_id, session_id);
	make_id(src, tid);
	FY_JSON_FOREACH(d, arr, k, el) {
		struct ev *e = &evs[k];
		uint32_t br = fy_json_get(d, el, "branch");

		e->node = el;
		e->order = k;
		e->id = gets(d, el, "eventId");
		if (!e->id || fy_aws_time(d, fy_json_get(d, el, "eventTimestamp"), &e->sec, &e->ns) < 0) {
			fy_error_set(err, FY_E_DATA, "session %s: event %u has no eventId or eventTimestamp",
				     src, k);
			goto out;
		}
		if (br != FY_JNONE) {
			e->branch = gets(d, br, "name");
			e->root = gets(d, br, "rootEventId");
		}
		make_id(e->id, e->fid);
	}
	qsort(evs, n, sizeof(*evs), cmp_ev);

	/* The thread first: its times and active leaf need the events. */
	{
		struct fy_jw w;

		fy_jw_init(&w, &b);
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "kind", "thread");
		fy_jw_kstr(&w, "id", tid);
		fy_jw_key(&w, "title");
		fy_jw_null(&w);
		fy_jw_key(&w, "participants");
		fy_jw_arr(&w);
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "id", actor_id);
		fy_jw_kstr(&w, "role", "actor");
		fy_jw_end(&w);
		fy_jw_end(&w);
		if (n) {
			put_time(&w, "created", evs[0].sec, evs[0].ns);
			put_time(&w, "updated", evs[n - 1].sec, evs[n - 1].ns);
			fy_jw_kstr(&w, "active_leaf", evs[n - 1].fid);
		}
		fy_aws_source_ext(&w, AC, src, NULL, FY_JNONE);
		fy_jw_kstr(&w, "memoryId", memory_id);
		fy_jw_kstr(&w, "actorId", actor_id);
		fy_jw_kstr(&w, "sessionId", session_id);
		fy_jw_end(&w);
		fy_jw_end(&w);
		fy_jw_end(&w);
		if (fy_jw_finish(&w, err) < 0 ||
		    fy_outbox_record(out, FY_KIND_THREAD, b.ptr, b.len, err) < 0)
			goto out;
	}
	/*
	 * Messages in time order, a parent always before its child: an event
	 * whose branch root is not out yet waits for it.
	 */
	while (done < n) {
		int progress = 0;

		for (i = 0; i < n; i++) {
			struct ev *e = &evs[i], *parent;
			size_t t;

			if (e->emitted)
				continue;
			parent = branch_tip(tips, tipnames, ntips, e->branch);
			if (!parent && e->branch) {
				parent = find_ev(evs, n, e->root);
				if (parent && !parent->emitted)
					continue;
			}
			if (emit_message(d, e, tid, parent ? parent->fid : NULL, out, &b, err) < 0)
				goto out;
			if (e->branch && !parent && e->root &&
			    fy_aws_export_line(out, err, AC, &(struct fy_ledger_item){ FY_KIND_MESSAGE, e->fid, tid, "parent" },
			       FY_OUT_DEGRADED, "agentcore-branch-root", "%s",
				   "the branch's root event is not in the session; the message starts a tree") < 0)
				goto out;
			e->emitted = 1;
			last = e;
			done++;
			progress = 1;
			for (t = 0; t < ntips; t++)
				if ((!tipnames[t] && !e->branch) ||
				    (tipnames[t] && e->branch && !strcmp(tipnames[t], e->branch)))
					break;
			tips[t] = e;
			if (t == ntips) {
				tipnames[t] = e->branch;
				ntips++;
			}
		}
		if (!progress) {
			/* A cycle of roots: let the earliest waiting event start a tree. */
			for (i = 0; i < n && evs[i].emitted; i++)
				;
			free(evs[i].root);
			evs[i].root = NULL;
		}
	}
	(void)last;
	rc = 0;
out:
	for (i = 0; evs && i < n; i++) {
		free(evs[i].id);
		free(evs[i].branch);
		free(evs[i].root);
	}
	free(evs);
	free(tips);
	free(tipnames);
	fy_buf_release(&b);
	return rc;
}

/* --- export mapping: memory records ------------------------------------- */

static const char *memory_type(const char *strategy_type)
{
	if (!strategy_type)
		return "fact";
	if (!strcmp(strategy_type, "USER_PREFERENCE"))
		return "preference";
	if (!strcmp(strategy_type, "SUMMARIZATION"))
		return "summary";
	if (!strcmp(strategy_type, "EPISODIC"))
		return "episode";
	return "fact";	/* SEMANTIC, CUSTOM */
}

/* The strategy object with this id in strategies, or FY_JNONE. */
static uint32_t strategy_by_id(const struct fy_jdoc *d, uint32_t strategies, const char *id)
{
	uint32_t k, s;

	if (!id)
		return FY_JNONE;
	FY_JSON_FOREACH(d, strategies, k, s)
		if (fy_json_streq(d, fy_json_get(d, s, "strategyId"), id))
			return s;
	return FY_JNONE;
}

/*
 * Match a namespace against a template such as /users/{actorId}/facts and
 * copy the {actorId} part into actor. 1 on a match. A placeholder matches
 * one or more characters, '/' included (actor ids may hold '/'), so the
 * match backtracks.
 */
static int template_match(const char *t, const char *s, char *actor, size_t cap)
{
	while (*t && *t != '{') {
		if (*t++ != *s++)
			return 0;
	}
	if (!*t)
		return *s == '\0';
	{
		const char *close = strchr(t, '}');
		int is_actor = close && (size_t)(close - t) == 8 && !strncmp(t, "{actorId", 8);
		size_t n, len = strlen(s);

		if (!close)
			return 0;
		for (n = 1; n <= len; n++) {
			if (template_match(close + 1, s + n, actor, cap)) {
				if (is_actor && n < cap) {
					memcpy(actor, s, n);
					actor[n] = '\0';
				}
				return 1;
			}
		}
		return 0;
	}
}

static int template_actor(const char *tmpl, const char *ns, char *actor, size_t cap)
{
	actor[0] = '\0';
	return template_match(tmpl, ns, actor, cap);
}

int fy_agentcore_map_record(const struct fy_jdoc *d, uint32_t rec, const struct fy_jdoc *mem,
			    uint32_t strategies, const char *memory_id, struct fy_buf *out,
			    struct fy_error *err)
{
	char *rid = gets(d, rec, "memoryRecordId"), *sid = gets(d, rec, "memoryStrategyId");
	char *stype = NULL, *sname = NULL, *ns = NULL, id[FY_ID_MAX + 1], actor[512] = "";
	uint32_t strat = mem ? strategy_by_id(mem, strategies, sid) : FY_JNONE;
	uint32_t text = fy_json_get(d, fy_json_get(d, rec, "content"), "text");
	uint32_t nss = fy_json_get(d, rec, "namespaces");
	int64_t sec;
	int32_t nsec;
	struct fy_jw w;
	int rc;

	if (!rid || fy_json_type(d, text) != FY_JSTRING) {
		free(rid);
		free(sid);
		return fy_error_set(err, FY_E_DATA, "memory %s: a record without memoryRecordId or text",
				    memory_id);
	}
	make_id(rid, id);
	if (strat != FY_JNONE) {
		uint32_t k, t;

		stype = gets(mem, strat, "type");
		sname = gets(mem, strat, "name");
		ns = fy_json_strdup(d, fy_json_at(d, nss, 0), NULL);
		FY_JSON_FOREACH(mem, fy_json_get(mem, strat, "namespaces"), k, t) {
			char *tmpl = fy_json_strdup(mem, t, NULL);

			if (tmpl && ns && template_actor(tmpl, ns, actor, sizeof(actor)) && actor[0]) {
				free(tmpl);
				break;
			}
			free(tmpl);
		}
	} else {
		ns = fy_json_strdup(d, fy_json_at(d, nss, 0), NULL);
	}
	fy_buf_reset(out);
	fy_jw_init(&w, out);
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "kind", "memory");
	fy_jw_kstr(&w, "id", id);
	fy_jw_key(&w, "scope");
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "type", ns ? "namespace" : "global");
	fy_jw_kstr_opt(&w, "namespace", ns);
	if (actor[0])
		fy_jw_kstr(&w, "user", actor);
	fy_jw_end(&w);
	fy_jw_kstr(&w, "type", memory_type(stype));
	fy_jw_key(&w, "text");
	fy_jw_node(&w, d, text);
	if (!sname && !sid)
		sname = fy_json_get_strdup(d, fy_json_get(d, fy_json_get(d, rec, "metadata"), "ferry_strategy"),
					   "stringValue");
	fy_jw_kstr_opt(&w, "strategy", sname ? sname : sid);
	if (fy_aws_time(d, fy_json_get(d, rec, "createdAt"), &sec, &nsec) == 0)
		put_time(&w, "created", sec, nsec);
	fy_aws_source_ext(&w, AC, rid, NULL, FY_JNONE);
	fy_jw_kstr(&w, "memoryId", memory_id);
	fy_jw_kstr(&w, "memoryRecordId", rid);
	fy_jw_kstr_opt(&w, "memoryStrategyId", sid);
	fy_jw_kstr_opt(&w, "strategyType", stype);
	fy_jw_kstr_opt(&w, "strategyName", sname);
	fy_jw_knode_opt(&w, "namespaces", d, nss);
	fy_jw_knode_opt(&w, "createdAt", d, fy_json_get(d, rec, "createdAt"));
	fy_jw_knode_opt(&w, "metadata", d, fy_json_get(d, rec, "metadata"));
	fy_jw_end(&w);
	fy_jw_end(&w);
	fy_jw_end(&w);
	rc = fy_jw_finish(&w, err);
	free(rid);
	free(sid);
	free(stype);
	free(sname);
	free(ns);
	return rc;
}

/* --- export mapping: harnesses ------------------------------------------ */

static const char *harness_tool_type(const char *t)
{
	if (!t)
		return "builtin";
	if (!strcmp(t, "inline_function"))
		return "function";
	if (!strcmp(t, "remote_mcp") || !strcmp(t, "agentcore_gateway"))
		return "mcp";
	if (!strcmp(t, "agentcore_code_interpreter"))
		return "code_interpreter";
	return "builtin";	/* agentcore_browser */
}

/* A harness (GetHarness's "harness") as an agent and its tools. */
static int map_harness(const struct fy_jdoc *d, uint32_t h, struct fy_outbox *out,
		       struct fy_error *err)
{
	char *hid = gets(d, h, "harnessId"), *name = gets(d, h, "harnessName");
	char aid[FY_ID_MAX + 1];
	uint32_t tools = fy_json_get(d, h, "tools"), model = fy_json_get(d, h, "model");
	uint32_t k, t;
	struct fy_buf b = FY_BUF_INIT(DOC_MAX), ids = FY_BUF_INIT(DOC_MAX);
	struct fy_jw w, iw;
	int64_t sec;
	int32_t ns;
	int rc = -1;

	if (!hid || !name) {
		fy_error_set(err, FY_E_DATA, "a harness without harnessId or harnessName");
		goto out;
	}
	make_id(hid, aid);
	fy_jw_init(&iw, &ids);
	fy_jw_arr(&iw);
	FY_JSON_FOREACH(d, tools, k, t) {
		char *type = gets(d, t, "type"), *tname = gets(d, t, "name"), src[1024], tid[FY_ID_MAX + 1];
		uint32_t cfg = fy_json_get(d, t, "config");
		uint32_t inl = fy_json_get(d, cfg, "inlineFunction"), mcp = fy_json_get(d, cfg, "remoteMcp");
		uint32_t gw = fy_json_get(d, cfg, "agentCoreGateway");

		snprintf(src, sizeof(src), "%s/tools/%s", hid, tname ? tname : type ? type : "tool");
		make_id(src, tid);
		fy_jw_str(&iw, tid);
		fy_buf_reset(&b);
		fy_jw_init(&w, &b);
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "kind", "tool");
		fy_jw_kstr(&w, "id", tid);
		fy_jw_kstr(&w, "type", harness_tool_type(type));
		fy_jw_kstr(&w, "name", tname ? tname : type ? type : "tool");
		fy_jw_knode_opt(&w, "description", d, fy_json_get(d, inl, "description"));
		fy_jw_knode_opt(&w, "parameters", d, fy_json_get(d, inl, "inputSchema"));
		if (mcp != FY_JNONE || gw != FY_JNONE) {
			fy_jw_key(&w, "mcp");
			fy_jw_obj(&w);
			fy_jw_kstr(&w, "server_label", tname ? tname : "gateway");
			fy_jw_knode_opt(&w, "server_url", d, fy_json_get(d, mcp, "url"));
			fy_jw_kstr(&w, "transport", gw != FY_JNONE ? "agentcore-gateway" : "streamable-http");
			fy_jw_end(&w);
		}
		fy_jw_key(&w, "config");
		fy_jw_obj(&w);
		fy_jw_kstr_opt(&w, "harness_tool_type", type);
		fy_jw_knode_opt(&w, "gatewayArn", d, fy_json_get(d, gw, "gatewayArn"));
		fy_jw_end(&w);
		fy_aws_source_ext(&w, AC, src, NULL, FY_JNONE);
		fy_jw_key(&w, "tool");
		fy_jw_node(&w, d, t);
		fy_jw_end(&w);
		fy_jw_end(&w);
		fy_jw_end(&w);
		free(type);
		free(tname);
		if (fy_jw_finish(&w, err) < 0 || fy_outbox_record(out, FY_KIND_TOOL, b.ptr, b.len, err) < 0)
			goto out;
	}
	fy_jw_end(&iw);
	if (fy_jw_finish(&iw, err) < 0)
		goto out;
	fy_buf_reset(&b);
	fy_jw_init(&w, &b);
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "kind", "agent");
	fy_jw_kstr(&w, "id", aid);
	fy_jw_kstr(&w, "name", name);
	{
		uint32_t sp = fy_json_get(d, h, "systemPrompt"), blk;
		struct fy_buf txt = FY_BUF_INIT(DOC_MAX);
		int any = 0;

		FY_JSON_FOREACH(d, sp, k, blk) {
			uint32_t tx = fy_json_get(d, blk, "text");

			if (fy_json_type(d, tx) != FY_JSTRING)
				continue;
			if ((any && fy_buf_adds(&txt, "\n\n", err) < 0) || fy_json_str(d, tx, &txt, err) < 0) {
				fy_buf_release(&txt);
				goto out;
			}
			any = 1;
		}
		if (any)
			fy_jw_kstr(&w, "instructions", txt.ptr);
		fy_buf_release(&txt);
	}
	if (model != FY_JNONE) {
		static const char *const kinds[][2] = { { "bedrockModelConfig", "bedrock" },
							{ "openAiModelConfig", "openai" },
							{ "geminiModelConfig", "gemini" },
							{ "liteLlmModelConfig", "litellm" } };
		size_t i;

		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
			uint32_t mc = fy_json_get(d, model, kinds[i][0]);

			if (mc == FY_JNONE)
				continue;
			fy_jw_key(&w, "model");
			fy_jw_obj(&w);
			fy_jw_kstr(&w, "provider", kinds[i][1]);
			fy_jw_key(&w, "name");
			fy_jw_node(&w, d, fy_json_get(d, mc, "modelId"));
			fy_jw_key(&w, "parameters");
			fy_jw_obj(&w);
			fy_jw_knode_opt(&w, "temperature", d, fy_json_get(d, mc, "temperature"));
			fy_jw_knode_opt(&w, "top_p", d, fy_json_get(d, mc, "topP"));
			fy_jw_knode_opt(&w, "max_tokens", d, fy_json_get(d, mc, "maxTokens"));
			fy_jw_end(&w);
			fy_jw_end(&w);
			break;
		}
	}
	fy_jw_key(&w, "tools");
	fy_jw_raw(&w, ids.ptr, ids.len);
	fy_jw_knode_opt(&w, "version", d, fy_json_get(d, h, "harnessVersion"));
	if (fy_aws_time(d, fy_json_get(d, h, "createdAt"), &sec, &ns) == 0)
		put_time(&w, "created", sec, ns);
	if (fy_aws_time(d, fy_json_get(d, h, "updatedAt"), &sec, &ns) == 0)
		put_time(&w, "updated", sec, ns);
	fy_aws_source_ext(&w, AC, hid, d, fy_json_get(d, h, "arn"));
	fy_jw_key(&w, "harness");
	fy_jw_node(&w, d, h);
	fy_jw_end(&w);
	fy_jw_end(&w);
	fy_jw_end(&w);
	if (fy_jw_finish(&w, err) < 0 || fy_outbox_record(out, FY_KIND_AGENT, b.ptr, b.len, err) < 0)
		goto out;
	rc = 0;
out:
	free(hid);
	free(name);
	fy_buf_release(&b);
	fy_buf_release(&ids);
	return rc;
}

/* --- source ------------------------------------------------------------- */

enum phase { P_HARNESSES, P_MEMLIST, P_MEMORY, P_ACTORS, P_SESSIONS, P_EVENTS, P_RECORDS, P_DONE };

struct strlist {
	char **v;
	size_t n, cap, i;	/* i: the walk's position */
};

static int strlist_add(struct strlist *l, const char *s, size_t n, struct fy_error *err)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = strndup(s, n);
	if (!l->v[l->n])
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	l->n++;
	return 0;
}

static void strlist_clear(struct strlist *l)
{
	while (l->n)
		free(l->v[--l->n]);
	l->i = 0;
}

static void strlist_release(struct strlist *l)
{
	strlist_clear(l);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

struct src {
	const struct fy_adapter_ctx *ctx;
	struct fy_aws_account acct;
	struct fy_aws data, ctl;
	int have_data, have_ctl;
	struct fy_outbox out;
	char *memory_only;
	enum phase phase;
	char *token;			/* the nextToken of the walk in progress */
	struct strlist memories, actors, sessions;
	struct fy_aws_reply mem;	/* GetMemory of the current memory */
	uint32_t strategies;
	char *memory_id;
	size_t istrat, ins;		/* records: strategy and namespace template */
	int sweep;			/* records: the "/" sweep */
	struct fy_idset seen;		/* memory record ids of the current memory */
	struct fy_buf scratch;
};

static void src_close(void *state)
{
	struct src *s = state;

	if (!s)
		return;
	if (s->have_data)
		fy_aws_close(&s->data);
	if (s->have_ctl)
		fy_aws_close(&s->ctl);
	fy_aws_account_close(&s->acct);
	fy_outbox_release(&s->out);
	strlist_release(&s->memories);
	strlist_release(&s->actors);
	strlist_release(&s->sessions);
	fy_aws_reply_release(&s->mem);
	fy_idset_release(&s->seen);
	fy_buf_release(&s->scratch);
	free(s->memory_only);
	free(s->memory_id);
	free(s->token);
	free(s);
}

/* Split "REGION[/MEMORY_ID]". */
static int parse_location(const char *loc, char *region, size_t rcap, char **rest,
			  struct fy_error *err)
{
	const char *slash = strchr(loc, '/');
	size_t n = slash ? (size_t)(slash - loc) : strlen(loc);

	if (n >= rcap)
		return fy_error_set(err, FY_E_USAGE, "agentcore: '%s' is not REGION[/MEMORY_ID]", loc);
	memcpy(region, loc, n);
	region[n] = '\0';
	*rest = slash && slash[1] ? strdup(slash + 1) : NULL;
	if (slash && slash[1] && !*rest)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	return 0;
}

/* A JSON body {"maxResults":N[,"nextToken":T][, extra...]} into b. */
static int list_body(struct fy_buf *b, const char *token, const char *extra, struct fy_error *err)
{
	struct fy_jw w;

	fy_buf_reset(b);
	fy_jw_init(&w, b);
	fy_jw_obj(&w);
	fy_jw_key(&w, "maxResults");
	fy_jw_int(&w, PAGE_MAX);
	if (token)
		fy_jw_kstr(&w, "nextToken", token);
	fy_jw_end(&w);
	if (fy_jw_finish(&w, err) < 0)
		return -1;
	if (extra && *extra) {
		/* Splice extra members ("\"k\":v,...") in before the closing brace. */
		b->len--;
		if (fy_buf_addc(b, ',', err) < 0 || fy_buf_adds(b, extra, err) < 0 ||
		    fy_buf_addc(b, '}', err) < 0)
			return -1;
	}
	return 0;
}

/* Keep the reply's nextToken for the next page (NULL at the end). */
static int take_token(struct src *s, const struct fy_aws_reply *r, struct fy_error *err)
{
	free(s->token);
	s->token = fy_json_get_strdup(&r->doc, 0, "nextToken");
	if (s->token && !*s->token) {
		free(s->token);
		s->token = NULL;
	}
	(void)err;
	return 0;
}

static int src_harnesses(struct src *s, struct fy_error *err)
{
	struct fy_aws_reply r, g;
	struct fy_buf path = FY_BUF_INIT(4096), q = FY_BUF_INIT(4096);
	uint32_t k, el;
	int rc = -1;

	fy_aws_reply_init(&r);
	fy_aws_reply_init(&g);
	if (fy_buf_addf(&q, err, "maxResults=%d", PAGE_MAX) < 0)
		goto out;
	if (s->token && (fy_buf_adds(&q, "&nextToken=", err) < 0 ||
			 fy_http_encode(&q, s->token, strlen(s->token), 0, err) < 0))
		goto out;
	if (fy_aws_call(&s->ctl, "GET", "/harnesses", q.ptr, NULL, "ListHarnesses", &r, err) < 0)
		goto out;
	FY_JSON_FOREACH(&r.doc, fy_json_get(&r.doc, 0, "harnesses"), k, el) {
		char *hid = gets(&r.doc, el, "harnessId");

		fy_buf_reset(&path);
		if (!hid || fy_aws_path(&path, err, "/harnesses/%s", hid) < 0 ||
		    fy_aws_call(&s->ctl, "GET", path.ptr, NULL, NULL, "GetHarness", &g, err) < 0 ||
		    map_harness(&g.doc, fy_json_get(&g.doc, 0, "harness"), &s->out, err) < 0) {
			if (!hid)
				fy_error_set(err, FY_E_DATA, "ListHarnesses: a summary without harnessId");
			free(hid);
			goto out;
		}
		free(hid);
	}
	take_token(s, &r, err);
	if (!s->token)
		s->phase = P_MEMLIST;
	rc = 0;
out:
	fy_aws_reply_release(&r);
	fy_aws_reply_release(&g);
	fy_buf_release(&path);
	fy_buf_release(&q);
	return rc;
}

/* One page of a POST List call, collecting key's member field into l. */
static int collect(struct src *s, struct fy_aws *c, const char *path, const char *what,
		   const char *key, const char *field, struct strlist *l, int *more,
		   struct fy_error *err)
{
	struct fy_aws_reply r;
	uint32_t k, el;
	int rc = -1;

	fy_aws_reply_init(&r);
	if (list_body(&s->scratch, s->token, NULL, err) < 0 ||
	    fy_aws_call(c, "POST", path, NULL, &s->scratch, what, &r, err) < 0)
		goto out;
	FY_JSON_FOREACH(&r.doc, fy_json_get(&r.doc, 0, key), k, el) {
		size_t n;
		uint32_t v = fy_json_get(&r.doc, el, field);
		char *str = fy_json_strdup(&r.doc, v, &n);

		if (!str) {
			fy_error_set(err, FY_E_DATA, "%s: an entry without %s", what, field);
			goto out;
		}
		rc = strlist_add(l, str, n, err);
		free(str);
		if (rc < 0)
			goto out;
		rc = -1;
	}
	take_token(s, &r, err);
	*more = s->token != NULL;
	rc = 0;
out:
	fy_aws_reply_release(&r);
	return rc;
}

static int src_memory(struct src *s, struct fy_error *err)
{
	struct fy_buf path = FY_BUF_INIT(4096), raw = FY_BUF_INIT(64);
	uint32_t m;
	int rc = -1;

	if (s->memories.i == s->memories.n) {
		s->phase = P_DONE;
		return 0;
	}
	free(s->memory_id);
	s->memory_id = strdup(s->memories.v[s->memories.i++]);
	if (!s->memory_id)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	if (fy_aws_path(&path, err, "/memories/%s/details", s->memory_id) < 0 ||
	    fy_aws_call(&s->ctl, "GET", path.ptr, NULL, NULL, "GetMemory", &s->mem, err) < 0)
		goto out;
	m = fy_json_get(&s->mem.doc, 0, "memory");
	s->strategies = fy_json_get(&s->mem.doc, m, "strategies");
	/* The memory's configuration, verbatim, ahead of its records. */
	{
		char name[FY_ID_MAX + 64], id[FY_ID_MAX + 1];
		struct fy_buf body = FY_BUF_INIT(DOC_MAX);

		make_id(s->memory_id, id);
		snprintf(name, sizeof(name), "agentcore/memories/%s.json", id);
		if (fy_json_emit(&s->mem.doc, m, &body, err) < 0 ||
		    fy_outbox_raw(&s->out, name, body.ptr, body.len, err) < 0) {
			fy_buf_release(&body);
			goto out;
		}
		fy_buf_release(&body);
	}
	strlist_clear(&s->actors);
	fy_idset_clear(&s->seen);
	s->istrat = s->ins = 0;
	s->sweep = 0;
	free(s->token);
	s->token = NULL;
	s->phase = P_ACTORS;
	rc = 0;
out:
	fy_buf_release(&path);
	fy_buf_release(&raw);
	return rc;
}

static int src_events(struct src *s, struct fy_error *err)
{
	const char *actor = s->actors.v[s->actors.i], *session = s->sessions.v[s->sessions.i];
	struct fy_buf path = FY_BUF_INIT(8192), all = FY_BUF_INIT(DOC_MAX), body = FY_BUF_INIT(4096);
	struct fy_aws_reply r;
	struct fy_jdoc d;
	char *token = NULL;
	size_t count = 0;
	int rc = -1;

	fy_aws_reply_init(&r);
	fy_jdoc_init(&d);
	if (fy_aws_path(&path, err, "/memories/%s/actor/%s/sessions/%s", s->memory_id, actor, session) < 0 ||
	    fy_buf_addc(&all, '[', err) < 0)
		goto out;
	do {
		uint32_t k, el;

		if (list_body(&body, token, "\"includePayloads\":true", err) < 0 ||
		    fy_aws_call(&s->data, "POST", path.ptr, NULL, &body, "ListEvents", &r, err) < 0)
			goto out;
		FY_JSON_FOREACH(&r.doc, fy_json_get(&r.doc, 0, "events"), k, el) {
			if ((count++ && fy_buf_addc(&all, ',', err) < 0) || fy_json_emit(&r.doc, el, &all, err) < 0)
				goto out;
		}
		free(token);
		token = fy_json_get_strdup(&r.doc, 0, "nextToken");
	} while (token && *token);
	if (fy_buf_addc(&all, ']', err) < 0 || fy_jdoc_parse(&d, all.ptr, all.len, 0, err) < 0 ||
	    fy_agentcore_map_session(&d, 0, s->memory_id, actor, session, &s->out, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		fy_error_prefix(err, "agentcore: memory %s, actor %s, session %s", s->memory_id, actor, session);
	free(token);
	fy_aws_reply_release(&r);
	fy_jdoc_release(&d);
	fy_buf_release(&path);
	fy_buf_release(&all);
	fy_buf_release(&body);
	return rc;
}

/* The literal prefix of a namespace template: "/users/{actorId}" -> "/users/". */
static char *template_prefix(const struct fy_jdoc *d, uint32_t t)
{
	char *s = fy_json_strdup(d, t, NULL);

	if (s)
		s[strcspn(s, "{")] = '\0';
	return s;
}

static int src_records(struct src *s, struct fy_error *err)
{
	struct fy_buf path = FY_BUF_INIT(4096), extra = FY_BUF_INIT(8192), rec = FY_BUF_INIT(DOC_MAX);
	struct fy_aws_reply r;
	char *ns = NULL, *sid = NULL;
	uint32_t k, el;
	int rc = -1;

	fy_aws_reply_init(&r);
	if (!s->sweep) {
		uint32_t strat = fy_json_at(&s->mem.doc, s->strategies, (uint32_t)s->istrat);
		uint32_t tmpls = fy_json_get(&s->mem.doc, strat, "namespaces");

		if (strat == FY_JNONE) {
			s->sweep = 1;
			free(s->token);
			s->token = NULL;
			rc = 0;
			goto out;
		}
		if (s->ins >= fy_json_len(&s->mem.doc, tmpls)) {
			s->istrat++;
			s->ins = 0;
			rc = 0;
			goto out;
		}
		ns = template_prefix(&s->mem.doc, fy_json_at(&s->mem.doc, tmpls, (uint32_t)s->ins));
		sid = gets(&s->mem.doc, strat, "strategyId");
		if (ns && !*ns) {
			free(ns);
			ns = strdup("/");
		}
	} else {
		ns = strdup("/");
	}
	if (!ns) {
		fy_error_set(err, FY_E_DATA, "memory %s: a strategy namespace is not a string", s->memory_id);
		goto out;
	}
	if (fy_buf_adds(&extra, "\"namespace\":", err) < 0 ||
	    fy_buf_add_jstr(&extra, ns, strlen(ns), err) < 0 ||
	    (sid && (fy_buf_adds(&extra, ",\"memoryStrategyId\":", err) < 0 ||
		     fy_buf_add_jstr(&extra, sid, strlen(sid), err) < 0)) ||
	    fy_aws_path(&path, err, "/memories/%s/memoryRecords", s->memory_id) < 0 ||
	    list_body(&s->scratch, s->token, extra.ptr, err) < 0 ||
	    fy_aws_call(&s->data, "POST", path.ptr, NULL, &s->scratch, "ListMemoryRecords", &r, err) < 0)
		goto out;
	FY_JSON_FOREACH(&r.doc, fy_json_get(&r.doc, 0, "memoryRecordSummaries"), k, el) {
		size_t n;
		const char *id = fy_json_raw(&r.doc, fy_json_get(&r.doc, el, "memoryRecordId"), &n);
		int fresh = fy_idset_add(&s->seen, fy_fingerprint(FY_KIND_MEMORY, id, n), err);

		if (fresh < 0)
			goto out;
		if (!fresh)
			continue;
		if (fy_agentcore_map_record(&r.doc, el, &s->mem.doc, s->strategies, s->memory_id, &rec, err) < 0 ||
		    fy_outbox_record(&s->out, FY_KIND_MEMORY, rec.ptr, rec.len, err) < 0)
			goto out;
	}
	take_token(s, &r, err);
	if (!s->token) {
		if (s->sweep)
			s->phase = P_MEMORY;
		else
			s->ins++;
	}
	rc = 0;
out:
	free(ns);
	free(sid);
	fy_aws_reply_release(&r);
	fy_buf_release(&path);
	fy_buf_release(&extra);
	fy_buf_release(&rec);
	return rc;
}

/* One unit of work of the walk; queues items on s->out. */
static int src_step(struct src *s, struct fy_error *err)
{
	struct fy_buf path = FY_BUF_INIT(8192);
	int more = 0, rc = 0;

	switch (s->phase) {
	case P_HARNESSES:
		rc = src_harnesses(s, err);
		break;
	case P_MEMLIST:
		if (s->memory_only) {
			rc = strlist_add(&s->memories, s->memory_only, strlen(s->memory_only), err);
			s->phase = P_MEMORY;
			break;
		}
		rc = collect(s, &s->ctl, "/memories/", "ListMemories", "memories", "id", &s->memories,
			     &more, err);
		if (rc == 0 && !more)
			s->phase = P_MEMORY;
		break;
	case P_MEMORY:
		rc = src_memory(s, err);
		break;
	case P_ACTORS:
		rc = fy_aws_path(&path, err, "/memories/%s/actors", s->memory_id);
		if (rc == 0)
			rc = collect(s, &s->data, path.ptr, "ListActors", "actorSummaries", "actorId",
				     &s->actors, &more, err);
		if (rc == 0 && !more) {
			s->phase = s->actors.n ? P_SESSIONS : P_RECORDS;
			strlist_clear(&s->sessions);
		}
		break;
	case P_SESSIONS:
		if (s->actors.i == s->actors.n) {
			s->phase = P_RECORDS;
			break;
		}
		rc = fy_aws_path(&path, err, "/memories/%s/actor/%s/sessions", s->memory_id,
				 s->actors.v[s->actors.i]);
		if (rc == 0)
			rc = collect(s, &s->data, path.ptr, "ListSessions", "sessionSummaries", "sessionId",
				     &s->sessions, &more, err);
		if (rc == 0 && !more)
			s->phase = P_EVENTS;
		break;
	case P_EVENTS:
		if (s->sessions.i == s->sessions.n) {
			strlist_clear(&s->sessions);
			s->actors.i++;
			s->phase = P_SESSIONS;
			break;
		}
		rc = src_events(s, err);
		s->sessions.i++;
		break;
	case P_RECORDS:
		rc = src_records(s, err);
		break;
	case P_DONE:
		break;
	}
	fy_buf_release(&path);
	return rc;
}

static int src_next(void *state, struct fy_item *it, struct fy_error *err)
{
	struct src *s = state;

	for (;;) {
		if (fy_outbox_pull(&s->out, it))
			return 1;
		if (s->phase == P_DONE)
			return 0;
		if (src_step(s, err) < 0)
			return -1;
	}
}

static int src_open(const struct fy_adapter_ctx *ctx, void **state, struct fy_source_info *info,
		    struct fy_error *err)
{
	struct src *s = calloc(1, sizeof(*s));
	char region[64];

	if (!s)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	s->ctx = ctx;
	fy_aws_reply_init(&s->mem);
	fy_idset_init(&s->seen, (size_t)100 << 20);
	fy_buf_init(&s->scratch, DOC_MAX);
	if (parse_location(ctx->location, region, sizeof(region), &s->memory_only, err) < 0 ||
	    fy_aws_account_open(&s->acct, ctx, region, err) < 0)
		goto fail;
	if (fy_aws_open(&s->data, &s->acct, &fy_aws_agentcore, err) < 0)
		goto fail;
	s->have_data = 1;
	if (fy_aws_open(&s->ctl, &s->acct, &fy_aws_agentcore_control, err) < 0)
		goto fail;
	s->have_ctl = 1;
	s->phase = s->memory_only ? P_MEMLIST : P_HARNESSES;
	{
		const char *h = fy_adapter_option(ctx, "harnesses");

		if (h && !strcmp(h, "no"))
			s->phase = P_MEMLIST;
	}
	snprintf(info->location, sizeof(info->location), "%s%s%s", s->acct.region,
		 s->memory_only ? "/" : "", s->memory_only ? s->memory_only : "");
	*state = s;
	return 0;
fail:
	fy_error_prefix(err, "agentcore");
	src_close(s);
	return -1;
}

/* --- sink --------------------------------------------------------------- */

/* A source memory and where it went. */
struct memmap {
	char *src;		/* source memory id; NULL for records from other providers */
	char *dst;		/* target memory id */
	char *dst_arn;
	struct fy_aws_reply got;	/* GetMemory of the target: its strategies */
};

struct pending {		/* a memory record waiting for its batch */
	char *src;		/* journal key */
	char reqid[40];		/* requestIdentifier */
	char *input;		/* MemoryRecordCreateInput JSON */
	char *ns;		/* its namespace, for a lookup on resume */
	int planned_before;	/* found only "planned" in the journal: look it up first */
};

struct snk {
	const struct fy_adapter_ctx *ctx;
	struct fy_aws_account acct;
	struct fy_aws data, ctl;
	int have_data, have_ctl;
	struct fy_journal *j;
	char *target_memory;		/* from the location */
	struct fy_aws_heldlist configs;	/* raw/agentcore/memories/ID.json */
	struct memmap *maps;
	size_t nmaps;
	struct fy_aws_heldlist thread;		/* the thread being collected: [0] thread, then messages */
	struct fy_aws_heldlist agents, tools;
	struct pending batch[100];
	size_t nbatch;
	const struct memmap *batch_map;
	uint64_t events, records, harnesses, skipped;
};

static void memmap_release(struct memmap *m)
{
	free(m->src);
	free(m->dst);
	free(m->dst_arn);
	fy_aws_reply_release(&m->got);
}

static void pending_release(struct pending *p)
{
	free(p->src);
	free(p->input);
	free(p->ns);
	memset(p, 0, sizeof(*p));
}

static void snk_close(void *state)
{
	struct snk *s = state;
	size_t i;

	if (!s)
		return;
	if (s->have_data)
		fy_aws_close(&s->data);
	if (s->have_ctl)
		fy_aws_close(&s->ctl);
	fy_aws_account_close(&s->acct);
	fy_journal_close(s->j);
	fy_aws_held_release(&s->configs);
	fy_aws_held_release(&s->thread);
	fy_aws_held_release(&s->agents);
	fy_aws_held_release(&s->tools);
	for (i = 0; i < s->nmaps; i++)
		memmap_release(&s->maps[i]);
	free(s->maps);
	for (i = 0; i < s->nbatch; i++)
		pending_release(&s->batch[i]);
	free(s->target_memory);
	free(s);
}

static int snk_open(const struct fy_adapter_ctx *ctx, const struct fy_header *hdr, void **state,
		    struct fy_error *err)
{
	struct snk *s = calloc(1, sizeof(*s));
	char region[64], path[4096], key[1200];

	(void)hdr;
	if (!s)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	s->ctx = ctx;
	if (parse_location(ctx->location, region, sizeof(region), &s->target_memory, err) < 0 ||
	    fy_aws_account_open(&s->acct, ctx, region, err) < 0)
		goto fail;
	if (fy_aws_open(&s->data, &s->acct, &fy_aws_agentcore, err) < 0)
		goto fail;
	s->have_data = 1;
	if (fy_aws_open(&s->ctl, &s->acct, &fy_aws_agentcore_control, err) < 0)
		goto fail;
	s->have_ctl = 1;
	/* One journal per account and location: the access key id tells accounts apart. */
	snprintf(key, sizeof(key), "%s@%s%s%s", s->acct.cred.access_key, s->acct.region,
		 s->target_memory ? "/" : "", s->target_memory ? s->target_memory : "");
	if (fy_journal_path(ctx->state_dir, AC, key, path, sizeof(path), err) < 0)
		goto fail;
	s->j = fy_journal_open(path, err);
	if (!s->j)
		goto fail;
	fy_aws_log(ctx, FY_LOG_INFO, "agentcore: journal %s", path);
	*state = s;
	return 0;
fail:
	fy_error_prefix(err, "agentcore");
	snk_close(s);
	return -1;
}

/* --- target memories ---------------------------------------------------- */

static const char *strategy_union_key(const char *type)
{
	if (!type)
		return NULL;
	if (!strcmp(type, "SEMANTIC"))
		return "semanticMemoryStrategy";
	if (!strcmp(type, "SUMMARIZATION"))
		return "summaryMemoryStrategy";
	if (!strcmp(type, "USER_PREFERENCE"))
		return "userPreferenceMemoryStrategy";
	if (!strcmp(type, "EPISODIC"))
		return "episodicMemoryStrategy";
	if (!strcmp(type, "CUSTOM"))
		return "customMemoryStrategy";
	return NULL;
}

static const struct fy_aws_held *config_of(const struct snk *s, const char *src)
{
	size_t i;

	for (i = 0; src && i < s->configs.n; i++)
		if (fy_json_streq(&s->configs.v[i].d, fy_json_get(&s->configs.v[i].d, 0, "id"), src))
			return &s->configs.v[i];
	return NULL;
}

/* CreateMemory from a source configuration (or the default, cfg NULL). */
static int create_memory(struct snk *s, const struct fy_aws_held *cfg, const char *src, char **dst,
			 struct fy_error *err)
{
	struct fy_buf body = FY_BUF_INIT(DOC_MAX);
	struct fy_aws_reply r;
	struct fy_jw w;
	char tok[33];
	int rc = -1;

	fy_aws_reply_init(&r);
	fy_aws_token("CreateMemory", src, tok);
	fy_jw_init(&w, &body);
	fy_jw_obj(&w);
	if (cfg) {
		const struct fy_jdoc *d = &cfg->d;
		uint32_t k, st;

		fy_jw_knode_opt(&w, "name", d, fy_json_get(d, 0, "name"));
		fy_jw_knode_opt(&w, "description", d, fy_json_get(d, 0, "description"));
		fy_jw_key(&w, "eventExpiryDuration");
		if (fy_json_type(d, fy_json_get(d, 0, "eventExpiryDuration")) == FY_JNUMBER)
			fy_jw_node(&w, d, fy_json_get(d, 0, "eventExpiryDuration"));
		else
			fy_jw_int(&w, 90);
		fy_jw_key(&w, "memoryStrategies");
		fy_jw_arr(&w);
		FY_JSON_FOREACH(d, fy_json_get(d, 0, "strategies"), k, st) {
			char *type = gets(d, st, "type");
			const char *uk = strategy_union_key(type);

			if (!uk) {
				free(type);
				continue;
			}
			fy_jw_obj(&w);
			fy_jw_key(&w, uk);
			fy_jw_obj(&w);
			fy_jw_knode_opt(&w, "name", d, fy_json_get(d, st, "name"));
			fy_jw_knode_opt(&w, "description", d, fy_json_get(d, st, "description"));
			fy_jw_knode_opt(&w, "namespaces", d, fy_json_get(d, st, "namespaces"));
			fy_jw_end(&w);
			fy_jw_end(&w);
			if (!strcmp(type, "CUSTOM") &&
			    fy_aws_report(s->ctx, err, &(struct fy_ledger_item){ FY_KIND_MEMORY, src, NULL, "strategies" },
					  FY_OUT__COUNT, "agentcore-custom-strategy",
					  "memory %s: a CUSTOM strategy is created with its name and "
					  "namespaces; its extraction configuration does not cross",
					  src) < 0) {
				free(type);
				goto out;
			}
			free(type);
		}
		fy_jw_end(&w);
	} else {
		fy_jw_kstr(&w, "name", "ferry_import");
		fy_jw_kstr(&w, "description", "records and events imported by ferry");
		fy_jw_key(&w, "eventExpiryDuration");
		fy_jw_int(&w, 365);
	}
	{
		const char *role = fy_adapter_option(s->ctx, "memory_role_arn");

		fy_jw_kstr_opt(&w, "memoryExecutionRoleArn", role);
	}
	fy_jw_kstr(&w, "clientToken", tok);
	fy_jw_end(&w);
	if (fy_jw_finish(&w, err) < 0 ||
	    fy_aws_call(&s->ctl, "POST", "/memories/create", NULL, &body, "CreateMemory", &r, err) < 0)
		goto out;
	*dst = gets(&r.doc, fy_json_get(&r.doc, 0, "memory"), "id");
	if (!*dst) {
		fy_error_set(err, FY_E_DATA, "CreateMemory: the answer has no memory.id");
		goto out;
	}
	rc = 0;
out:
	if (rc < 0 && !strcmp(r.error_type, "ConflictException"))
		fy_error_set(err, FY_E_EXISTS,
			     "agentcore: a memory with the source's name exists in the target account; "
			     "name the memory to import into (agentcore:%s/MEMORY_ID)",
			     s->acct.region);
	fy_aws_reply_release(&r);
	fy_buf_release(&body);
	return rc;
}

/* Where records and events of source memory src go (src NULL: no AgentCore origin). */
static const struct memmap *target_memory(struct snk *s, const char *src, struct fy_error *err)
{
	const char *key = src ? src : "(default)";
	struct fy_journal_entry e;
	struct memmap *m;
	struct fy_buf path = FY_BUF_INIT(4096);
	char *dst = NULL;
	size_t i;

	for (i = 0; i < s->nmaps; i++)
		if ((!s->maps[i].src && !src) || (s->maps[i].src && src && !strcmp(s->maps[i].src, src)))
			return &s->maps[i];
	if (s->target_memory) {
		dst = strdup(s->target_memory);
	} else if (fy_journal_get(s->j, "memory-store", key, &e) && e.state >= FY_JOURNAL_CREATED) {
		dst = strdup(e.target);
	} else {
		const struct fy_aws_held *cfg = config_of(s, src);

		if (src && !cfg) {
			fy_error_set(err, FY_E_DATA,
				     "agentcore: memory %s: its configuration (raw/agentcore/memories/...json) "
				     "is not in the archive before its records; name the memory to import "
				     "into (agentcore:%s/MEMORY_ID)",
				     src, s->acct.region);
			return NULL;
		}
		if (fy_journal_put(s->j, "memory-store", key, NULL, FY_JOURNAL_PLANNED, err) < 0 ||
		    create_memory(s, cfg, key, &dst, err) < 0 ||
		    fy_journal_put(s->j, "memory-store", key, dst, FY_JOURNAL_CREATED, err) < 0) {
			free(dst);
			return NULL;
		}
		if (!cfg && fy_aws_report(s->ctx, err, &(struct fy_ledger_item){ FY_KIND_MEMORY, NULL, NULL, NULL },
					  FY_OUT__COUNT, "agentcore-default-memory",
					  "records and conversations from outside AgentCore go to a new "
					  "memory ferry_import (%s) without extraction strategies",
					  dst) < 0) {
			free(dst);
			return NULL;
		}
	}
	if (!dst) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	m = realloc(s->maps, (s->nmaps + 1) * sizeof(*m));
	if (!m) {
		free(dst);
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	s->maps = m;
	m = &s->maps[s->nmaps];
	memset(m, 0, sizeof(*m));
	fy_aws_reply_init(&m->got);
	m->src = dupn(src);
	m->dst = dst;
	s->nmaps++;
	if (fy_aws_path(&path, err, "/memories/%s/details", dst) < 0 ||
	    fy_aws_call(&s->ctl, "GET", path.ptr, NULL, NULL, "GetMemory", &m->got, err) < 0) {
		fy_buf_release(&path);
		return NULL;
	}
	fy_buf_release(&path);
	m->dst_arn = gets(&m->got.doc, fy_json_get(&m->got.doc, 0, "memory"), "arn");
	return m;
}

/* The target strategy for a source one, by name then type; NULL when none. */
static char *map_strategy(const struct memmap *m, const char *name, const char *type)
{
	const struct fy_jdoc *d = &m->got.doc;
	uint32_t strats = fy_json_get(d, fy_json_get(d, 0, "memory"), "strategies"), k, st;

	FY_JSON_FOREACH(d, strats, k, st)
		if (name && fy_json_streq(d, fy_json_get(d, st, "name"), name))
			return gets(d, st, "strategyId");
	FY_JSON_FOREACH(d, strats, k, st)
		if (type && fy_json_streq(d, fy_json_get(d, st, "type"), type))
			return gets(d, st, "strategyId");
	return NULL;
}

/* --- events ------------------------------------------------------------- */

static const char *aws_role(const char *role)
{
	if (!role)
		return "OTHER";
	if (!strcmp(role, "user"))
		return "USER";
	if (!strcmp(role, "assistant"))
		return "ASSISTANT";
	if (!strcmp(role, "tool"))
		return "TOOL";
	return "OTHER";
}

/* AgentCore ids: [a-zA-Z0-9][a-zA-Z0-9-_/]*(:[a-zA-Z0-9-_/]+)*; anything else becomes '_'. */
static char *safe_aws_id(const char *s)
{
	char *r = strdup(s && *s ? s : "ferry");
	size_t i;

	for (i = 0; r && r[i]; i++) {
		unsigned char c = (unsigned char)r[i];

		if (!(isalnum(c) || c == '-' || c == '_' || c == '/' || (c == ':' && i > 0)))
			r[i] = '_';
	}
	if (r && !isalnum((unsigned char)r[0]))
		r[0] = 'x';
	return r;
}

struct tnode {			/* a message of the thread being written */
	const struct fy_aws_held *h;
	char *id, *parent;
	char *target;		/* the created event's id */
	char *src_event;	/* ext.agentcore.eventId */
	char *branch, *root;	/* AgentCore branch of the event */
	int main, first_child_seen;
};

static struct tnode *tnode_find(struct tnode *t, size_t n, const char *id)
{
	size_t i;

	for (i = 0; id && i < n; i++)
		if (!strcmp(t[i].id, id))
			return &t[i];
	return NULL;
}

/* The payload of an event for a message (into w). Returns the number of non-text parts. */
static int build_payload(struct fy_jw *w, const struct fy_jdoc *d, const char *role, int *nonempty)
{
	uint32_t parts = fy_json_get(d, 0, "parts"), k, p;
	int other = 0;

	*nonempty = 0;
	fy_jw_arr(w);
	FY_JSON_FOREACH(d, parts, k, p) {
		if (fy_json_streq(d, fy_json_get(d, p, "type"), "text")) {
			fy_jw_obj(w);
			fy_jw_key(w, "conversational");
			fy_jw_obj(w);
			fy_jw_key(w, "content");
			fy_jw_obj(w);
			fy_jw_key(w, "text");
			fy_jw_node(w, d, fy_json_get(d, p, "text"));
			fy_jw_end(w);
			fy_jw_kstr(w, "role", aws_role(role));
			fy_jw_end(w);
			fy_jw_end(w);
		} else {
			fy_jw_obj(w);
			fy_jw_key(w, "blob");
			fy_jw_obj(w);
			fy_jw_key(w, "ferry_part");
			fy_jw_node(w, d, p);
			fy_jw_kstr(w, "ferry_role", role);
			fy_jw_end(w);
			fy_jw_end(w);
			other++;
		}
		*nonempty = 1;
	}
	if (!*nonempty) {
		fy_jw_obj(w);
		fy_jw_key(w, "blob");
		fy_jw_obj(w);
		fy_jw_key(w, "ferry_part");
		fy_jw_obj(w);
		fy_jw_kstr(w, "type", "text");
		fy_jw_kstr(w, "text", "");
		fy_jw_end(w);
		fy_jw_kstr(w, "ferry_role", role);
		fy_jw_end(w);
		fy_jw_end(w);
	}
	fy_jw_end(w);
	return other;
}

/* Look a planned event up at the target by its ferry_source_id. */
static int find_event(struct snk *s, const char *mem, const char *actor, const char *session,
		      const char *source, char **found, struct fy_error *err)
{
	struct fy_buf path = FY_BUF_INIT(8192), body = FY_BUF_INIT(8192);
	struct fy_aws_reply r;
	struct fy_jw w;
	int rc = -1;

	*found = NULL;
	fy_aws_reply_init(&r);
	fy_jw_init(&w, &body);
	fy_jw_obj(&w);
	fy_jw_key(&w, "includePayloads");
	fy_jw_bool(&w, 0);
	fy_jw_key(&w, "filter");
	fy_jw_obj(&w);
	fy_jw_key(&w, "eventMetadata");
	fy_jw_arr(&w);
	fy_jw_obj(&w);
	fy_jw_key(&w, "left");
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "metadataKey", "ferry_source_id");
	fy_jw_end(&w);
	fy_jw_kstr(&w, "operator", "EQUALS_TO");
	fy_jw_key(&w, "right");
	fy_jw_obj(&w);
	fy_jw_key(&w, "metadataValue");
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "stringValue", source);
	fy_jw_end(&w);
	fy_jw_end(&w);
	fy_jw_end(&w);
	fy_jw_end(&w);
	fy_jw_end(&w);
	fy_jw_end(&w);
	if (fy_jw_finish(&w, err) < 0 ||
	    fy_aws_path(&path, err, "/memories/%s/actor/%s/sessions/%s", mem, actor, session) < 0)
		goto out;
	if (fy_aws_call(&s->data, "POST", path.ptr, NULL, &body, "ListEvents", &r, err) < 0) {
		if (!strcmp(r.error_type, "ResourceNotFoundException")) {
			rc = 0;	/* no such session yet: nothing was created */
			fy_error_clear(err);
		}
		goto out;
	}
	*found = gets(&r.doc, fy_json_at(&r.doc, fy_json_get(&r.doc, 0, "events"), 0), "eventId");
	rc = 0;
out:
	fy_aws_reply_release(&r);
	fy_buf_release(&path);
	fy_buf_release(&body);
	return rc;
}

static int write_event(struct snk *s, const struct memmap *m, const char *actor, const char *session,
		       const char *tid, struct tnode *t, struct fy_error *err)
{
	const struct fy_jdoc *d = &t->h->d;
	uint32_t ext = fy_json_get(d, fy_json_get(d, 0, "ext"), AC);
	uint32_t payload = fy_json_get(d, ext, "payload"), meta = fy_json_get(d, ext, "metadata");
	char *role = gets(d, 0, "role"), *created = gets(d, 0, "created"), src[1024], tok[33], ts[40];
	struct fy_buf body = FY_BUF_INIT(DOC_MAX), path = FY_BUF_INIT(8192);
	struct fy_journal_entry e;
	struct fy_aws_reply r;
	struct fy_jw w;
	int64_t sec = 0;
	int32_t ns = 0;
	int rc = -1, nonempty;

	fy_aws_reply_init(&r);
	snprintf(src, sizeof(src), "%s/%s", tid, t->id);
	if (fy_journal_get(s->j, "event", src, &e) && e.state >= FY_JOURNAL_CREATED) {
		t->target = strdup(e.target);
		s->skipped++;
		rc = 0;
		goto out;
	}
	if (fy_journal_get(s->j, "event", src, &e) && e.state == FY_JOURNAL_PLANNED) {
		char *found = NULL;

		if (find_event(s, m->dst, actor, session, src, &found, err) < 0)
			goto out;
		if (found) {
			t->target = found;
			rc = fy_journal_put(s->j, "event", src, found, FY_JOURNAL_CREATED, err);
			goto out;
		}
	}
	if (!created || fy_time_parse(created, strlen(created), &sec, &ns) < 0) {
		if (fy_aws_report(s->ctx, err, &(struct fy_ledger_item){ FY_KIND_MESSAGE, t->id, tid, "created" },
				  FY_OUT__COUNT, "agentcore-no-timestamp",
				  "the message has no creation time; the event is stamped with the "
				  "thread's") < 0)
			goto out;
		{
			char *tc = gets(&s->thread.v[0].d, 0, "created");

			if (!tc || fy_time_parse(tc, strlen(tc), &sec, &ns) < 0) {
				sec = 0;
				ns = 0;
			}
			free(tc);
		}
	}
	fy_aws_epoch_text(sec, ns, ts);
	fy_aws_token("CreateEvent", src, tok);
	fy_jw_init(&w, &body);
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "actorId", actor);
	fy_jw_kstr(&w, "sessionId", session);
	fy_jw_key(&w, "eventTimestamp");
	fy_jw_raw(&w, ts, strlen(ts));
	fy_jw_key(&w, "payload");
	if (payload != FY_JNONE)
		fy_jw_node(&w, d, payload);
	else
		build_payload(&w, d, role, &nonempty);
	if (t->branch) {
		/* t->root holds the target id of the event the branch starts from. */
		fy_jw_key(&w, "branch");
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "name", t->branch);
		fy_jw_kstr_opt(&w, "rootEventId", t->root);
		fy_jw_end(&w);
	}
	fy_jw_key(&w, "metadata");
	fy_jw_obj(&w);
	{
		uint32_t k, key, val;

		FY_JSON_FOREACH_MEMBER(d, meta, k, key, val) {
			char *kn = fy_json_strdup(d, key, NULL);

			if (kn && strncmp(kn, "ferry_", 6) != 0) {
				fy_jw_key(&w, kn);
				fy_jw_node(&w, d, val);
			}
			free(kn);
		}
	}
	fy_jw_key(&w, "ferry_source_id");
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "stringValue", src);
	fy_jw_end(&w);
	if (role && (!strcmp(role, "system") || !strcmp(role, "developer"))) {
		fy_jw_key(&w, "ferry_role");
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "stringValue", role);
		fy_jw_end(&w);
	}
	fy_jw_end(&w);
	fy_jw_kstr(&w, "extractionMode", "SKIP");
	fy_jw_kstr(&w, "clientToken", tok);
	fy_jw_end(&w);
	if (fy_jw_finish(&w, err) < 0 || fy_aws_path(&path, err, "/memories/%s/events", m->dst) < 0 ||
	    fy_journal_put(s->j, "event", src, NULL, FY_JOURNAL_PLANNED, err) < 0 ||
	    fy_aws_call(&s->data, "POST", path.ptr, NULL, &body, "CreateEvent", &r, err) < 0)
		goto out;
	t->target = gets(&r.doc, fy_json_get(&r.doc, 0, "event"), "eventId");
	if (!t->target) {
		fy_error_set(err, FY_E_DATA, "CreateEvent: the answer has no event.eventId");
		goto out;
	}
	if (fy_journal_put(s->j, "event", src, t->target, FY_JOURNAL_CREATED, err) < 0)
		goto out;
	s->events++;
	rc = 0;
out:
	free(role);
	free(created);
	fy_aws_reply_release(&r);
	fy_buf_release(&body);
	fy_buf_release(&path);
	return rc;
}

static void tnodes_free(struct tnode *t, size_t n)
{
	size_t i;

	for (i = 0; t && i < n; i++) {
		free(t[i].id);
		free(t[i].parent);
		free(t[i].target);
		free(t[i].src_event);
		free(t[i].branch);
		free(t[i].root);
	}
	free(t);
}

/* A branch name AgentCore accepts, from a ferry id. */
static char *branch_name(const char *id)
{
	char *r = malloc(strlen(id) + 8);
	size_t i;

	if (!r)
		return NULL;
	snprintf(r, strlen(id) + 8, "ferry-%s", id);
	for (i = 0; r[i]; i++)
		if (!isalnum((unsigned char)r[i]) && r[i] != '-' && r[i] != '_')
			r[i] = '_';
	return r;
}

/* Write the collected thread: every message as an event, in order. */
static int flush_thread(struct snk *s, struct fy_error *err)
{
	const struct fy_jdoc *td;
	uint32_t ext;
	char *tid = NULL, *srcmem = NULL, *actor_src = NULL, *session_src = NULL, *actor = NULL,
	     *session = NULL, *leaf = NULL;
	const struct memmap *m;
	struct tnode *t = NULL;
	size_t n, i;
	int rc = -1;

	if (s->thread.n == 0)
		return 0;
	td = &s->thread.v[0].d;
	ext = fy_json_get(td, fy_json_get(td, 0, "ext"), AC);
	tid = gets(td, 0, "id");
	srcmem = gets(td, ext, "memoryId");
	actor_src = gets(td, ext, "actorId");
	session_src = gets(td, ext, "sessionId");
	if (!actor_src)
		actor_src = gets(td, fy_json_at(td, fy_json_get(td, 0, "participants"), 0), "id");
	if (!actor_src)
		actor_src = gets(td, 0, "agent");
	m = target_memory(s, srcmem, err);
	if (!m)
		goto out;
	actor = safe_aws_id(actor_src ? actor_src : "ferry-user");
	session = safe_aws_id(session_src ? session_src : tid);
	if (!actor || !session) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		goto out;
	}
	if ((!actor_src || strcmp(actor, actor_src)) &&
	    fy_aws_report(s->ctx, err, &(struct fy_ledger_item){ FY_KIND_THREAD, tid, NULL, "actor" },
			  FY_OUT__COUNT, "agentcore-actor", "events are written for actor %s%s%s", actor,
			  actor_src ? ", from " : " (the thread names none)",
			  actor_src ? actor_src : "") < 0)
		goto out;
	if ((!session_src || strcmp(session, session_src)) &&
	    fy_aws_report(s->ctx, err, &(struct fy_ledger_item){ FY_KIND_THREAD, tid, NULL, "session" },
			  FY_OUT__COUNT, "agentcore-session", "the thread becomes session %s", session) < 0)
		goto out;
	n = s->thread.n - 1;
	t = calloc(n ? n : 1, sizeof(*t));
	if (!t) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct fy_jdoc *d = &s->thread.v[i + 1].d;
		uint32_t me = fy_json_get(d, fy_json_get(d, 0, "ext"), AC);

		t[i].h = &s->thread.v[i + 1];
		t[i].id = gets(d, 0, "id");
		t[i].parent = gets(d, 0, "parent");
		t[i].src_event = gets(d, me, "eventId");
		if (!t[i].id) {
			fy_error_set(err, FY_E_DATA, "thread %s: a message without an id", tid);
			goto out;
		}
	}
	/* The main branch: the path to the active leaf (else to the last message). */
	leaf = gets(td, 0, "active_leaf");
	{
		struct tnode *c = tnode_find(t, n, leaf ? leaf : n ? t[n - 1].id : NULL);
		size_t guard = 0;

		while (c && guard++ <= n) {
			c->main = 1;
			c = tnode_find(t, n, c->parent);
		}
	}
	for (i = 0; i < n; i++) {
		const struct fy_jdoc *d = &s->thread.v[i + 1].d;
		uint32_t br = fy_json_get(d, fy_json_get(d, fy_json_get(d, 0, "ext"), AC), "branch");
		struct tnode *p = tnode_find(t, n, t[i].parent);

		if (t[i].src_event) {
			/* AgentCore's own events: their branch as it was, the root's new id. */
			if (br != FY_JNONE) {
				char *root = gets(d, br, "rootEventId");
				size_t k;

				t[i].branch = gets(d, br, "name");
				for (k = 0; root && k < i; k++)
					if (t[k].src_event && !strcmp(t[k].src_event, root) && t[k].target)
						t[i].root = strdup(t[k].target);
				free(root);
			}
		} else if (t[i].main) {
			;	/* the main branch */
		} else if (!p || !p->target) {
			if (fy_aws_report(s->ctx, err,
					  &(struct fy_ledger_item){ FY_KIND_MESSAGE, t[i].id, tid, "parent" },
					  FY_OUT_DEGRADED, "agentcore-second-root",
					  "a second root (or its parent is missing): it is written on the "
					  "main branch") < 0)
				goto out;
		} else if (!p->main && p->branch && !p->first_child_seen) {
			t[i].branch = strdup(p->branch);	/* continues its parent's branch */
			t[i].root = p->root ? strdup(p->root) : NULL;
		} else {
			/* An edit or regeneration: a new branch from the parent. */
			t[i].branch = branch_name(t[i].id);
			t[i].root = strdup(p->target);
			if (fy_aws_report(s->ctx, err,
					  &(struct fy_ledger_item){ FY_KIND_MESSAGE, t[i].id, tid, "parent" },
					  FY_OUT__COUNT, "agentcore-branch",
					  "starts branch %s from the event of message %s", t[i].branch,
					  p->id) < 0)
				goto out;
		}
		if (p)
			p->first_child_seen = 1;
		if (write_event(s, m, actor, session, tid, &t[i], err) < 0)
			goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		fy_error_prefix(err, "agentcore: thread %s", tid ? tid : "?");
	tnodes_free(t, s->thread.n ? s->thread.n - 1 : 0);
	fy_aws_held_clear(&s->thread);
	free(tid);
	free(srcmem);
	free(actor_src);
	free(session_src);
	free(actor);
	free(session);
	free(leaf);
	return rc;
}

/* --- memory records ----------------------------------------------------- */

/* Pairs (ferry_source_id, memoryRecordId) of a namespace, to resume. */
static int lookup_namespace(struct snk *s, const char *mem, const char *ns, struct strlist *pairs,
			    struct fy_error *err)
{
	struct fy_buf path = FY_BUF_INIT(4096), body = FY_BUF_INIT(8192);
	struct fy_aws_reply r;
	char *token = NULL;
	int rc = -1;

	fy_aws_reply_init(&r);
	if (fy_aws_path(&path, err, "/memories/%s/memoryRecords", mem) < 0)
		goto out;
	do {
		struct fy_jw w;
		uint32_t k, el;

		fy_buf_reset(&body);
		fy_jw_init(&w, &body);
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "namespace", ns);
		fy_jw_key(&w, "maxResults");
		fy_jw_int(&w, PAGE_MAX);
		fy_jw_kstr_opt(&w, "nextToken", token);
		fy_jw_end(&w);
		if (fy_jw_finish(&w, err) < 0 ||
		    fy_aws_call(&s->data, "POST", path.ptr, NULL, &body, "ListMemoryRecords", &r, err) < 0)
			goto out;
		FY_JSON_FOREACH(&r.doc, fy_json_get(&r.doc, 0, "memoryRecordSummaries"), k, el) {
			uint32_t meta = fy_json_get(&r.doc, el, "metadata");
			char *src = gets(&r.doc, fy_json_get(&r.doc, meta, "ferry_source_id"), "stringValue");
			char *id = gets(&r.doc, el, "memoryRecordId");

			if (src && id && (strlist_add(pairs, src, strlen(src), err) < 0 ||
					  strlist_add(pairs, id, strlen(id), err) < 0)) {
				free(src);
				free(id);
				goto out;
			}
			free(src);
			free(id);
		}
		free(token);
		token = gets(&r.doc, 0, "nextToken");
	} while (token && *token);
	rc = 0;
out:
	free(token);
	fy_aws_reply_release(&r);
	fy_buf_release(&path);
	fy_buf_release(&body);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Send the batch; records that fail are sent again, alone, until they pass. */
static int flush_batch(struct snk *s, struct fy_error *err)
{
	const struct memmap *m = s->batch_map;
	struct fy_buf body = FY_BUF_INIT(DOC_MAX), path = FY_BUF_INIT(4096);
	struct fy_aws_reply r;
	int attempt, rc = -1;
	size_t i;
	long max_attempts = fy_aws_option_long(s->ctx, "batch_retries", 8);

	fy_aws_reply_init(&r);
	if (!s->nbatch)
		return 0;
	/* Resume: what a killed run only planned may exist; look it up first. */
	for (i = 0; i < s->nbatch; i++) {
		struct strlist pairs = { 0 };
		size_t k, j;

		if (!s->batch[i].planned_before || !s->batch[i].ns)
			continue;
		if (lookup_namespace(s, m->dst, s->batch[i].ns, &pairs, err) < 0) {
			strlist_release(&pairs);
			goto out;
		}
		for (j = i; j < s->nbatch; j++) {
			if (!s->batch[j].planned_before || !s->batch[j].ns || strcmp(s->batch[j].ns, s->batch[i].ns))
				continue;
			for (k = 0; k + 1 < pairs.n; k += 2)
				if (!strcmp(pairs.v[k], s->batch[j].src)) {
					if (fy_journal_put(s->j, "memory", s->batch[j].src, pairs.v[k + 1],
							   FY_JOURNAL_CREATED, err) < 0) {
						strlist_release(&pairs);
						goto out;
					}
					free(s->batch[j].input);
					s->batch[j].input = NULL;	/* done */
					s->skipped++;
					break;
				}
			if (j != i)
				s->batch[j].planned_before = 0;	/* this namespace is looked at */
		}
		s->batch[i].planned_before = 0;
		strlist_release(&pairs);
	}
	for (i = 0; i < s->nbatch; i++)
		if (s->batch[i].input &&
		    fy_journal_put(s->j, "memory", s->batch[i].src, NULL, FY_JOURNAL_PLANNED, err) < 0)
			goto out;
	if (fy_aws_path(&path, err, "/memories/%s/memoryRecords/batchCreate", m->dst) < 0)
		goto out;
	for (attempt = 0;; attempt++) {
		char *reqids[100], tok[33];
		size_t nreq = 0, left = 0;
		struct fy_buf ids = FY_BUF_INIT(DOC_MAX);
		struct fy_jw w;
		uint32_t k, el;

		for (i = 0; i < s->nbatch; i++)
			if (s->batch[i].input)
				reqids[nreq++] = s->batch[i].reqid;
		if (!nreq)
			break;
		if (attempt >= max_attempts) {
			fy_error_set(err, FY_E_NET,
				     "agentcore: memory %s: %zu memory records still fail after %d attempts",
				     m->dst, nreq, attempt);
			goto out;
		}
		if (attempt)
			usleep((useconds_t)(attempt > 6 ? 6400000 : 100000 << attempt));
		/*
		 * The token names exactly this set and this attempt: a request
		 * http.c repeats is idempotent, while the failed records of
		 * an answer go out under a new token (AWS would answer a reused
		 * token with the first, partly failed, answer again). A run
		 * killed in between finds what it created by ferry_source_id.
		 */
		qsort(reqids, nreq, sizeof(reqids[0]), cmp_str);
		fy_buf_addf(&ids, NULL, "%d", attempt);
		for (i = 0; i < nreq; i++)
			fy_buf_adds(&ids, reqids[i], NULL);
		fy_aws_token("BatchCreateMemoryRecords", ids.ptr, tok);
		fy_buf_release(&ids);
		fy_buf_reset(&body);
		fy_jw_init(&w, &body);
		fy_jw_obj(&w);
		fy_jw_key(&w, "records");
		fy_jw_arr(&w);
		for (i = 0; i < s->nbatch; i++)
			if (s->batch[i].input)
				fy_jw_raw(&w, s->batch[i].input, strlen(s->batch[i].input));
		fy_jw_end(&w);
		fy_jw_kstr(&w, "clientToken", tok);
		fy_jw_end(&w);
		if (fy_jw_finish(&w, err) < 0 ||
		    fy_aws_call(&s->data, "POST", path.ptr, NULL, &body, "BatchCreateMemoryRecords", &r,
				err) < 0)
			goto out;
		FY_JSON_FOREACH(&r.doc, fy_json_get(&r.doc, 0, "successfulRecords"), k, el) {
			char *req = gets(&r.doc, el, "requestIdentifier"), *id = gets(&r.doc, el, "memoryRecordId");

			for (i = 0; req && id && i < s->nbatch; i++) {
				if (!s->batch[i].input || strcmp(s->batch[i].reqid, req))
					continue;
				if (fy_journal_put(s->j, "memory", s->batch[i].src, id, FY_JOURNAL_CREATED, err) < 0) {
					free(req);
					free(id);
					goto out;
				}
				free(s->batch[i].input);
				s->batch[i].input = NULL;
				s->records++;
			}
			free(req);
			free(id);
		}
		for (i = 0; i < s->nbatch; i++)
			left += s->batch[i].input != NULL;
		if (left)
			fy_aws_log(s->ctx, FY_LOG_INFO,
				   "agentcore: %zu of %zu memory records failed; sending those again", left,
				   nreq);
	}
	rc = 0;
out:
	for (i = 0; i < s->nbatch; i++)
		pending_release(&s->batch[i]);
	s->nbatch = 0;
	fy_aws_reply_release(&r);
	fy_buf_release(&body);
	fy_buf_release(&path);
	return rc;
}

/* Replace every occurrence of from in s by to (a new string). */
static char *replace_all(const char *s, const char *from, const char *to)
{
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 20);
	const char *p = s, *q;

	while (from && *from && (q = strstr(p, from))) {
		fy_buf_add(&b, p, (size_t)(q - p), NULL);
		fy_buf_adds(&b, to, NULL);
		p = q + strlen(from);
	}
	fy_buf_adds(&b, p, NULL);
	return fy_buf_detach(&b, NULL);
}

static int put_memory(struct snk *s, const struct fy_item *it, struct fy_error *err)
{
	struct fy_jdoc d;
	uint32_t ext, scope, meta;
	char *id = NULL, *srcmem = NULL, *ns = NULL, *sname = NULL, *stype = NULL, *ssid = NULL,
	     *created = NULL, *dsid = NULL, tok[33], ts[40];
	const struct memmap *m;
	struct fy_journal_entry e;
	struct fy_buf in = FY_BUF_INIT(DOC_MAX);
	struct fy_jw w;
	int64_t sec;
	int32_t nsec;
	int rc = -1, planned = 0;

	fy_jdoc_init(&d);
	if (fy_jdoc_parse(&d, it->json, it->len, 0, err) < 0)
		goto out;
	ext = fy_json_get(&d, fy_json_get(&d, 0, "ext"), AC);
	scope = fy_json_get(&d, 0, "scope");
	meta = fy_json_get(&d, ext, "metadata");
	id = gets(&d, 0, "id");
	srcmem = gets(&d, ext, "memoryId");
	m = target_memory(s, srcmem, err);
	if (!m)
		goto out;
	ns = fy_json_strdup(&d, fy_json_at(&d, fy_json_get(&d, ext, "namespaces"), 0), NULL);
	if (!ns)
		ns = gets(&d, scope, "namespace");
	if (!ns) {
		char *u = gets(&d, scope, "user"), *a = gets(&d, scope, "agent"), *t = gets(&d, scope, "type");
		size_t len = 64 + (u ? strlen(u) : 0) + (a ? strlen(a) : 0);

		ns = malloc(len);
		if (ns)
			snprintf(ns, len, "/ferry/%s/%s", t ? t : "global", u ? u : a ? a : "all");
		free(u);
		free(a);
		free(t);
		if (ns && fy_aws_report(s->ctx, err, &(struct fy_ledger_item){ FY_KIND_MEMORY, id, NULL, "scope" },
					FY_OUT__COUNT, "agentcore-namespace",
					"no AgentCore namespace: the record is stored in %s", ns) < 0)
			goto out;
	}
	sname = gets(&d, ext, "strategyName");
	stype = gets(&d, ext, "strategyType");
	ssid = gets(&d, ext, "memoryStrategyId");
	if (!sname)
		sname = gets(&d, 0, "strategy");
	if (sname || stype)
		dsid = map_strategy(m, sname, stype);
	if ((sname || stype) && !dsid &&
	    fy_aws_report(s->ctx, err, &(struct fy_ledger_item){ FY_KIND_MEMORY, id, NULL, "strategy" },
			  FY_OUT__COUNT, "agentcore-strategy-as-metadata",
			  "the target memory has no strategy %s: the record is stored without one, the "
			  "name in metadata ferry_strategy (read back as the record's strategy)",
			  sname ? sname : stype) < 0)
		goto out;
	if (ns && ssid && dsid && strcmp(ssid, dsid) && strstr(ns, ssid)) {
		char *n2 = replace_all(ns, ssid, dsid);

		if (fy_aws_report(s->ctx, err, &(struct fy_ledger_item){ FY_KIND_MEMORY, id, NULL, "scope.namespace" },
				  FY_OUT__COUNT, "agentcore-namespace-strategy-id",
				  "namespace %s names the source strategy %s; written as %s", ns, ssid,
				  n2) < 0) {
			free(n2);
			goto out;
		}
		free(ns);
		ns = n2;
	}
	created = gets(&d, 0, "created");
	if (!created || fy_time_parse(created, strlen(created), &sec, &nsec) < 0) {
		sec = (int64_t)time(NULL);
		nsec = 0;
		if (fy_aws_report(s->ctx, err, &(struct fy_ledger_item){ FY_KIND_MEMORY, id, NULL, "created" },
				  FY_OUT__COUNT, "agentcore-no-timestamp",
				  "the record has no creation time; the import time is used") < 0)
			goto out;
	}
	if (fy_journal_get(s->j, "memory", id, &e)) {
		if (e.state >= FY_JOURNAL_CREATED) {
			s->skipped++;
			rc = 0;
			goto out;
		}
		planned = 1;
	}
	if (s->nbatch && (s->batch_map != m || s->nbatch == 100) && flush_batch(s, err) < 0)
		goto out;
	s->batch_map = m;
	fy_aws_epoch_text(sec, nsec, ts);
	fy_aws_token("record", id, tok);
	fy_jw_init(&w, &in);
	fy_jw_obj(&w);
	{
		char req[40];

		snprintf(req, sizeof(req), "r%s", tok);
		fy_jw_kstr(&w, "requestIdentifier", req);
	}
	fy_jw_key(&w, "namespaces");
	fy_jw_arr(&w);
	fy_jw_str(&w, ns);
	fy_jw_end(&w);
	fy_jw_key(&w, "content");
	fy_jw_obj(&w);
	fy_jw_key(&w, "text");
	fy_jw_node(&w, &d, fy_json_get(&d, 0, "text"));
	fy_jw_end(&w);
	fy_jw_key(&w, "timestamp");
	fy_jw_raw(&w, ts, strlen(ts));
	fy_jw_kstr_opt(&w, "memoryStrategyId", dsid);
	fy_jw_key(&w, "metadata");
	fy_jw_obj(&w);
	{
		uint32_t k, key, val;

		FY_JSON_FOREACH_MEMBER(&d, meta, k, key, val) {
			char *kn = fy_json_strdup(&d, key, NULL);

			if (kn && strncmp(kn, "ferry_", 6) != 0) {
				fy_jw_key(&w, kn);
				fy_jw_node(&w, &d, val);
			}
			free(kn);
		}
	}
	fy_jw_key(&w, "ferry_source_id");
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "stringValue", id);
	fy_jw_end(&w);
	if ((sname || stype) && !dsid) {
		fy_jw_key(&w, "ferry_strategy");
		fy_jw_obj(&w);
		fy_jw_kstr(&w, "stringValue", sname ? sname : stype);
		fy_jw_end(&w);
	}
	fy_jw_end(&w);
	fy_jw_end(&w);
	if (fy_jw_finish(&w, err) < 0)
		goto out;
	{
		struct pending *p = &s->batch[s->nbatch];

		memset(p, 0, sizeof(*p));
		snprintf(p->reqid, sizeof(p->reqid), "r%s", tok);
		p->src = id;
		p->ns = ns;
		p->input = fy_buf_detach(&in, NULL);
		p->planned_before = planned;
		id = NULL;
		ns = NULL;
		s->nbatch++;
	}
	rc = 0;
out:
	fy_jdoc_release(&d);
	fy_buf_release(&in);
	free(id);
	free(srcmem);
	free(ns);
	free(sname);
	free(stype);
	free(ssid);
	free(created);
	free(dsid);
	return rc;
}

/* --- harnesses ---------------------------------------------------------- */

static const struct fy_aws_held *tool_of(const struct snk *s, const char *id)
{
	size_t i;

	for (i = 0; id && i < s->tools.n; i++)
		if (fy_json_streq(&s->tools.v[i].d, fy_json_get(&s->tools.v[i].d, 0, "id"), id))
			return &s->tools.v[i];
	return NULL;
}

/* [a-zA-Z0-9_-]{1,64} from a name; unique among used (a NUL-separated list). */
static void tool_name(const char *name, struct fy_buf *used, char out[65])
{
	size_t i, n = 0;
	int k;

	for (i = 0; name && name[i] && n < 60; i++) {
		unsigned char c = (unsigned char)name[i];

		out[n++] = (char)(isalnum(c) || c == '_' || c == '-' ? c : '_');
	}
	if (!n)
		out[n++] = 't';
	out[n] = '\0';
	for (k = 2; k < 1000; k++) {
		const char *p = used->ptr;
		int clash = 0;

		while (p && p < used->ptr + used->len) {
			if (!strcmp(p, out))
				clash = 1;
			p += strlen(p) + 1;
		}
		if (!clash)
			break;
		snprintf(out + (n > 56 ? 56 : n), 8, "_%d", k);
	}
	fy_buf_add(used, out, strlen(out) + 1, NULL);
}

/* One neutral tool as a harness tool (into w), with its ledger line. */
static int harness_tool(struct snk *s, const struct fy_aws_held *h, struct fy_buf *used, struct fy_jw *w)
{
	const struct fy_jdoc *d = &h->d;
	uint32_t cfg = fy_json_get(d, 0, "config"), exec = fy_json_get(d, cfg, "executor");
	char *type = gets(d, 0, "type"), *name = gets(d, 0, "name");
	char *htype = gets(d, cfg, "harness_tool_type"), *gwarn = gets(d, cfg, "gatewayArn");
	const char *gateway = fy_adapter_option(s->ctx, "gateway_arn"), *arn = gwarn ? gwarn : gateway;
	char tname[65];

	/* The done-ledger lines of tools were reported when they were handed over (report_record). */
	tool_name(name, used, tname);
	if (fy_json_streq(d, fy_json_get(d, cfg, "parentActionSignature"), "AMAZON.UserInput")) {
		;	/* the harness's model asks the user itself */
	} else if (type && !strcmp(type, "function") && fy_json_get(d, exec, "lambda") == FY_JNONE) {
		fy_jw_obj(w);
		fy_jw_kstr(w, "type", "inline_function");
		fy_jw_kstr(w, "name", tname);
		fy_jw_key(w, "config");
		fy_jw_obj(w);
		fy_jw_key(w, "inlineFunction");
		fy_jw_obj(w);
		fy_jw_key(w, "description");
		if (fy_json_type(d, fy_json_get(d, 0, "description")) == FY_JSTRING)
			fy_jw_node(w, d, fy_json_get(d, 0, "description"));
		else
			fy_jw_str(w, tname);
		fy_jw_key(w, "inputSchema");
		if (fy_json_type(d, fy_json_get(d, 0, "parameters")) == FY_JOBJECT)
			fy_jw_node(w, d, fy_json_get(d, 0, "parameters"));
		else
			fy_jw_raw(w, "{\"type\":\"object\",\"properties\":{}}", 33);
		fy_jw_end(w);
		fy_jw_end(w);
		fy_jw_end(w);
	} else if ((type && (!strcmp(type, "openapi") || !strcmp(type, "function"))) ||
		   (htype && !strcmp(htype, "agentcore_gateway"))) {
		if (arn) {
			fy_jw_obj(w);
			fy_jw_kstr(w, "type", "agentcore_gateway");
			fy_jw_kstr(w, "name", tname);
			fy_jw_key(w, "config");
			fy_jw_obj(w);
			fy_jw_key(w, "agentCoreGateway");
			fy_jw_obj(w);
			fy_jw_kstr(w, "gatewayArn", arn);
			fy_jw_end(w);
			fy_jw_end(w);
			fy_jw_end(w);
		}
	} else if (type && !strcmp(type, "mcp")) {
		fy_jw_obj(w);
		fy_jw_kstr(w, "type", "remote_mcp");
		fy_jw_kstr(w, "name", tname);
		fy_jw_key(w, "config");
		fy_jw_obj(w);
		fy_jw_key(w, "remoteMcp");
		fy_jw_obj(w);
		fy_jw_key(w, "url");
		fy_jw_node(w, d, fy_json_get(d, fy_json_get(d, 0, "mcp"), "server_url"));
		fy_jw_end(w);
		fy_jw_end(w);
		fy_jw_end(w);
	} else if (type && !strcmp(type, "code_interpreter")) {
		fy_jw_obj(w);
		fy_jw_kstr(w, "type", "agentcore_code_interpreter");
		fy_jw_kstr(w, "name", tname);
		fy_jw_end(w);
	} else if (htype && !strcmp(htype, "agentcore_browser")) {
		fy_jw_obj(w);
		fy_jw_kstr(w, "type", "agentcore_browser");
		fy_jw_kstr(w, "name", tname);
		fy_jw_end(w);
	}
	free(type);
	free(name);
	free(htype);
	free(gwarn);
	return 0;
}

/* harnessName: [a-zA-Z][a-zA-Z0-9_]{0,39}. */
static void harness_name(const char *name, char out[41])
{
	size_t i, n = 0;

	for (i = 0; name && name[i] && n < 40; i++) {
		unsigned char c = (unsigned char)name[i];

		if (n == 0 && !isalpha(c))
			out[n++] = 'h';
		if (n < 40)
			out[n++] = (char)(isalnum(c) ? c : '_');
	}
	if (!n)
		out[n++] = 'h';
	out[n] = '\0';
}

static int create_harness(struct snk *s, const struct fy_aws_held *h, struct fy_error *err)
{
	const struct fy_jdoc *d = &h->d;
	uint32_t hx = fy_json_get(d, fy_json_get(d, fy_json_get(d, 0, "ext"), AC), "harness");
	char *id = gets(d, 0, "id"), *name = gets(d, 0, "name"), *instr = gets(d, 0, "instructions");
	char hname[41], tok[33];
	const char *role = fy_adapter_option(s->ctx, "role_arn");
	struct fy_buf body = FY_BUF_INIT(DOC_MAX), used = FY_BUF_INIT(1 << 20);
	struct fy_journal_entry e;
	struct fy_aws_reply r;
	struct fy_jw w;
	char *hid = NULL, *xrole = NULL;
	int rc = -1;

	fy_aws_reply_init(&r);
	if (!id)
		return fy_error_set(err, FY_E_DATA, "an agent without an id");
	if (fy_journal_get(s->j, "agent", id, &e) && e.state >= FY_JOURNAL_CREATED) {
		s->skipped++;
		rc = 0;
		goto out;
	}
	xrole = gets(d, hx, "executionRoleArn");
	if (!role)
		role = xrole;
	if (!role) {
		fy_error_set(err, FY_E_USAGE,
			     "agentcore: agent %s: a harness needs an execution role: "
			     "--option role_arn=arn:aws:iam::ACCOUNT:role/NAME",
			     id);
		goto out;
	}
	harness_name(name ? name : id, hname);
	fy_aws_token("CreateHarness", id, tok);
	fy_jw_init(&w, &body);
	fy_jw_obj(&w);
	fy_jw_kstr(&w, "harnessName", hname);
	fy_jw_kstr(&w, "executionRoleArn", role);
	fy_jw_kstr(&w, "clientToken", tok);
	if (hx != FY_JNONE) {
		/* From AgentCore: the harness's own configuration, as it was. */
		static const char *const keys[] = { "allowedTools", "environment", "environmentArtifact",
						    "environmentVariables", "hooks", "maxIterations",
						    "maxTokens", "model", "skills", "systemPrompt",
						    "timeoutSeconds", "tools", "truncation" };
		uint32_t mem = fy_json_get(d, hx, "memory");
		size_t i;

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			fy_jw_knode_opt(&w, keys[i], d, fy_json_get(d, hx, keys[i]));
		if (mem != FY_JNONE) {
			/* A memory that crossed with the archive is referenced by its new ARN. */
			uint32_t amc = fy_json_get(d, mem, "agentCoreMemoryConfiguration");
			char *arn = gets(d, amc, "arn");
			const char *slash = arn ? strrchr(arn, '/') : NULL;
			const struct memmap *m = NULL;
			size_t k;

			for (k = 0; slash && k < s->nmaps; k++)
				if (s->maps[k].src && !strcmp(s->maps[k].src, slash + 1))
					m = &s->maps[k];
			fy_jw_key(&w, "memory");
			if (m && m->dst_arn) {
				uint32_t kk, key, val;

				fy_jw_obj(&w);
				fy_jw_key(&w, "agentCoreMemoryConfiguration");
				fy_jw_obj(&w);
				FY_JSON_FOREACH_MEMBER(d, amc, kk, key, val) {
					char *kn = fy_json_strdup(d, key, NULL);

					if (kn && strcmp(kn, "arn")) {
						fy_jw_key(&w, kn);
						fy_jw_node(&w, d, val);
					}
					free(kn);
				}
				fy_jw_kstr(&w, "arn", m->dst_arn);
				fy_jw_end(&w);
				fy_jw_end(&w);
			} else {
				fy_jw_node(&w, d, mem);
			}
			if (fy_aws_report(s->ctx, err,
					  &(struct fy_ledger_item){ FY_KIND_AGENT, id, NULL, "ext.agentcore.harness.memory" },
					  FY_OUT__COUNT, "harness-memory",
					  m ? "the harness memory %s is the imported memory %s"
					    : "the harness memory %s%s was not imported; the reference is kept "
					      "as it was",
					  arn ? arn : "?", m && m->dst_arn ? m->dst_arn : "") < 0) {
				free(arn);
				goto out;
			}
			free(arn);
		}
	} else {
		uint32_t model = fy_json_get(d, 0, "model"), params = fy_json_get(d, model, "parameters");
		char *provider = gets(d, model, "provider");
		uint32_t k, el;

		if (instr) {
			fy_jw_key(&w, "systemPrompt");
			fy_jw_arr(&w);
			fy_jw_obj(&w);
			fy_jw_kstr(&w, "text", instr);
			fy_jw_end(&w);
			fy_jw_end(&w);
		}
		if (model != FY_JNONE && (!provider || fy_aws_bedrock_provider(provider))) {
			static const char *const names[][2] = { { "temperature", "temperature" },
								{ "top_p", "topP" }, { "topP", "topP" },
								{ "max_tokens", "maxTokens" },
								{ "maximumLength", "maxTokens" } };
			size_t i;

			fy_jw_key(&w, "model");
			fy_jw_obj(&w);
			fy_jw_key(&w, "bedrockModelConfig");
			fy_jw_obj(&w);
			fy_jw_key(&w, "modelId");
			fy_jw_node(&w, d, fy_json_get(d, model, "name"));
			for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				fy_jw_knode_opt(&w, names[i][1], d, fy_json_get(d, params, names[i][0]));
			fy_jw_end(&w);
			fy_jw_end(&w);
		}
		free(provider);
		fy_jw_key(&w, "tools");
		fy_jw_arr(&w);
		FY_JSON_FOREACH(d, fy_json_get(d, 0, "tools"), k, el) {
			char *tid = fy_json_strdup(d, el, NULL);
			const struct fy_aws_held *t = tool_of(s, tid);

			if (!t) {
				int lr = fy_aws_report(s->ctx, err,
						       &(struct fy_ledger_item){ FY_KIND_AGENT, id, NULL, "tools" },
						       FY_OUT__COUNT, "tool-not-in-archive",
						       "tool %s is not in the archive", tid ? tid : "?");

				free(tid);
				if (lr < 0)
					goto out;
				continue;
			}
			free(tid);
			harness_tool(s, t, &used, &w);
		}
		fy_jw_end(&w);
	}
	fy_jw_end(&w);
	if (fy_jw_finish(&w, err) < 0 ||
	    fy_journal_put(s->j, "agent", id, NULL, FY_JOURNAL_PLANNED, err) < 0 ||
	    fy_aws_call(&s->ctl, "POST", "/harnesses", NULL, &body, "CreateHarness", &r, err) < 0)
		goto out;
	hid = gets(&r.doc, fy_json_get(&r.doc, 0, "harness"), "harnessId");
	if (!hid) {
		fy_error_set(err, FY_E_DATA, "CreateHarness: the answer has no harness.harnessId");
		goto out;
	}
	if (fy_journal_put(s->j, "agent", id, hid, FY_JOURNAL_CREATED, err) < 0)
		goto out;
	if (name && strcmp(name, hname) &&
	    fy_aws_report(s->ctx, err, &(struct fy_ledger_item){ FY_KIND_AGENT, id, NULL, "name" },
			  FY_OUT__COUNT, "harness-name", "name '%s' becomes harness name %s", name,
			  hname) < 0)
		goto out;
	s->harnesses++;
	rc = 0;
out:
	if (rc < 0 && !strcmp(r.error_type, "ConflictException"))
		fy_error_set(err, FY_E_EXISTS, "agentcore: a harness named %s exists in the target account",
			     hname);
	if (rc < 0)
		fy_error_prefix(err, "agentcore: agent %s", id);
	fy_aws_reply_release(&r);
	fy_buf_release(&body);
	fy_buf_release(&used);
	free(id);
	free(name);
	free(instr);
	free(hid);
	free(xrole);
	return rc;
}

/* --- the capability table ---------------------------------------------- */

/*
 * What crosses into AgentCore (adapter.h, "Capability declarations"). The
 * sink reports these lines through fy_aws_report_table for every record it
 * is handed; what it decides per record (branches, renamed actors, a
 * strategy the target memory lacks, a gateway that was not given) it
 * reports itself.
 */
static const struct fy_capability agentcore_caps[] = {
	/* threads: sessions */
	{ FY_KIND_THREAD, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "one session per thread, for its actor (ext.agentcore, else the first participant or the "
	  "agent, else ferry-user)", NULL },
	{ FY_KIND_THREAD, "title", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "AgentCore sessions have no title",
	  "session-has-no-title" },
	{ FY_KIND_THREAD, "archived", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "AgentCore sessions are not archived", "session-not-archived" },
	{ FY_KIND_THREAD, "metadata", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "AgentCore sessions have no metadata of their own", "session-has-no-metadata" },
	/* messages: events */
	{ FY_KIND_MESSAGE, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "one event per message with its eventTimestamp, extractionMode SKIP; a tree becomes "
	  "named branches", NULL },
	{ FY_KIND_MESSAGE, "role=system", FY_CAP_NATIVE, FY_CAP_TRANSFORMED,
	  "AgentCore role OTHER, with metadata ferry_role", "agentcore-role-other" },
	{ FY_KIND_MESSAGE, "role=developer", FY_CAP_NONE, FY_CAP_TRANSFORMED,
	  "AgentCore role OTHER, with metadata ferry_role", "agentcore-role-other" },
	{ FY_KIND_MESSAGE, "parts.type=image", FY_CAP_NONE, FY_CAP_DEGRADED,
	  "a blob payload {\"ferry_part\": ...} that names the archive blob; the bytes are not stored",
	  "agentcore-part-reference" },
	{ FY_KIND_MESSAGE, "parts.type=file", FY_CAP_NONE, FY_CAP_DEGRADED,
	  "a blob payload {\"ferry_part\": ...} that names the archive blob; the bytes are not stored",
	  "agentcore-part-reference" },
	{ FY_KIND_MESSAGE, "parts.type=audio", FY_CAP_NONE, FY_CAP_DEGRADED,
	  "a blob payload {\"ferry_part\": ...} that names the archive blob; the bytes are not stored",
	  "agentcore-part-reference" },
#define AC_BLOB_PART(t)                                                                          \
	{ FY_KIND_MESSAGE, "parts.type=" t, FY_CAP_NATIVE, FY_CAP_TRANSFORMED,                    \
	  "a blob payload {\"ferry_part\": ...}, read back as it was; AgentCore does not extract " \
	  "from it", "agentcore-part-as-blob" }
	AC_BLOB_PART("tool_call"), AC_BLOB_PART("tool_result"), AC_BLOB_PART("reasoning"),
	AC_BLOB_PART("citation"), AC_BLOB_PART("refusal"), AC_BLOB_PART("code"),
	AC_BLOB_PART("code_output"), AC_BLOB_PART("other"),
#undef AC_BLOB_PART
	{ FY_KIND_MESSAGE, "parts.citations", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "a conversational text has no citations", "citations-dropped" },
	{ FY_KIND_MESSAGE, "metadata", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "event metadata holds ferry's own keys and what came from AgentCore (ext.agentcore)",
	  "event-metadata" },
	{ FY_KIND_MESSAGE, "author", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "an event names its actor, not an author", "event-has-no-author" },
	{ FY_KIND_MESSAGE, "model", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "events do not name a model",
	  "event-has-no-model" },
	{ FY_KIND_MESSAGE, "status", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "events have no status",
	  "event-has-no-status" },
	{ FY_KIND_MESSAGE, "updated", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "events are immutable: one timestamp", "event-has-one-time" },
	{ FY_KIND_MESSAGE, "in_context", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "AgentCore keeps no in-context flag", "event-has-no-context-flag" },
	/* memory records */
	{ FY_KIND_MEMORY, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "a long-term record with its text, namespace, strategy and timestamp "
	  "(BatchCreateMemoryRecords)", NULL },
	{ FY_KIND_MEMORY, "type=block", FY_CAP_NONE, FY_CAP_EMULATED,
	  "an in-context block becomes a long-term record (namespace /ferry/...)",
	  "agentcore-block-as-record" },
	{ FY_KIND_MEMORY, "scope.type=user", FY_CAP_NONE, FY_CAP_TRANSFORMED,
	  "the scope becomes namespace /ferry/user/USER", "scope-as-namespace" },
	{ FY_KIND_MEMORY, "scope.type=agent", FY_CAP_NONE, FY_CAP_TRANSFORMED,
	  "the scope becomes namespace /ferry/agent/AGENT", "scope-as-namespace" },
	{ FY_KIND_MEMORY, "scope.type=global", FY_CAP_NONE, FY_CAP_TRANSFORMED,
	  "the scope becomes namespace /ferry/global/all", "scope-as-namespace" },
	{ FY_KIND_MEMORY, "embedding", FY_CAP_NONE, FY_CAP_DEGRADED,
	  "AgentCore embeds record text itself; the given vector is not stored", "agentcore-embeds" },
	{ FY_KIND_MEMORY, "label", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "records have no label",
	  "record-has-no-label" },
	{ FY_KIND_MEMORY, "description", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "records have no description", "record-has-no-description" },
	{ FY_KIND_MEMORY, "limit", FY_CAP_NONE, FY_CAP_UNSUPPORTED, "records have no size limit",
	  "record-has-no-limit" },
	{ FY_KIND_MEMORY, "read_only", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "records have no read-only flag", "record-has-no-read-only" },
	{ FY_KIND_MEMORY, "updated", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "a created record has one timestamp", "record-has-one-time" },
	{ FY_KIND_MEMORY, "metadata", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "record metadata holds ferry_source_id and what came from AgentCore (ext.agentcore)",
	  "record-metadata" },
	/* agents: harnesses */
	{ FY_KIND_AGENT, NULL, FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "a managed harness (CreateHarness): model configuration, system prompt, tools", NULL },
	{ FY_KIND_AGENT, "ext.bedrock-agents.instruction", FY_CAP_NONE, FY_CAP_TRANSFORMED,
	  "the Bedrock Agents instruction (placed inside Bedrock's orchestration prompt) becomes "
	  "the harness system prompt as it is", "instruction-to-system-prompt" },
#define AC_NOT_BEDROCK(p)                                                                     \
	{ FY_KIND_AGENT, "model.provider=" p, FY_CAP_NONE, FY_CAP_DEGRADED,                    \
	  "not a Bedrock model: the harness runs its default model (import with --model-platform " \
	  "bedrock to map it through the model policy)", "model-not-bedrock" }
	AC_NOT_BEDROCK("openai"), AC_NOT_BEDROCK("azure"), AC_NOT_BEDROCK("anthropic"),
	AC_NOT_BEDROCK("google"), AC_NOT_BEDROCK("vertex"), AC_NOT_BEDROCK("mistral"),
#undef AC_NOT_BEDROCK
	{ FY_KIND_AGENT, "knowledge", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "a harness has no knowledge bases: serve one as a retrieval tool through an AgentCore "
	  "Gateway target", "kb-no-equivalent" },
	{ FY_KIND_AGENT, "handoffs", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "a harness has no multi-agent collaboration: migrate each collaborator as its own harness",
	  "collaborator-dropped" },
	{ FY_KIND_AGENT, "memory", FY_CAP_NONE, FY_CAP_DEGRADED,
	  "the memory records go into an AgentCore memory; the harness is not linked to it",
	  "harness-memory-not-linked" },
	{ FY_KIND_AGENT, "response_format", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "a harness has no structured-output setting", "response-format-dropped" },
	{ FY_KIND_AGENT, "ext.bedrock-agents.promptOverrideConfiguration", FY_CAP_NONE,
	  FY_CAP_UNSUPPORTED,
	  "advanced prompt templates have no harness equivalent; the harness runs its own loop",
	  "prompt-override-dropped" },
	{ FY_KIND_AGENT, "ext.bedrock-agents.guardrailConfiguration", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "the guardrail reference does not cross: attach one through the harness's model "
	  "configuration or a policy", "guardrail-dropped" },
	{ FY_KIND_AGENT, "ext.bedrock-agents.memoryConfiguration.enabledMemoryTypes", FY_CAP_NONE,
	  FY_CAP_DEGRADED,
	  "session-summary memory is not configured on the harness; the summaries themselves "
	  "export as memory records", "session-summary-memory" },
	{ FY_KIND_AGENT, "ext.bedrock-agents.idleSessionTTLInSeconds", FY_CAP_NONE,
	  FY_CAP_UNSUPPORTED, "harness sessions have their own lifecycle", "idle-ttl-dropped" },
	{ FY_KIND_AGENT, "ext.bedrock-agents.customerEncryptionKeyArn", FY_CAP_NONE,
	  FY_CAP_UNSUPPORTED, "the agent's KMS key does not cross", "kms-key-dropped" },
	{ FY_KIND_AGENT, "ext.bedrock-agents.customOrchestration", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "custom orchestration (a Lambda) has no harness equivalent",
	  "custom-orchestration-dropped" },
	{ FY_KIND_AGENT, "ext.bedrock-agents.versions", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "the harness is made from the working draft; numbered versions are not recreated",
	  "versions-not-recreated" },
	{ FY_KIND_AGENT, "ext.bedrock-agents.aliases", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "harnesses have no aliases", "aliases-not-recreated" },
	/* tools: harness tools */
	{ FY_KIND_TOOL, "$unused", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "no agent in the archive uses this tool; harness tools belong to a harness",
	  "tool-without-agent" },
	{ FY_KIND_TOOL, "type=function", FY_CAP_NATIVE, FY_CAP_TRANSFORMED,
	  "an inline_function tool with the parameters as its JSON Schema inputSchema; the harness "
	  "returns each call to the client, as RETURN_CONTROL did", "function-to-inline-function" },
	{ FY_KIND_TOOL, "type=openapi", FY_CAP_NONE, FY_CAP_TRANSFORMED,
	  "an agentcore_gateway tool referencing the gateway given as --option gateway_arn=ARN, "
	  "whose target must serve the operations (without it the tool is left out and the import "
	  "reports the difference)", "openapi-to-gateway" },
	{ FY_KIND_TOOL, "type=mcp", FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "a remote_mcp tool (or the AgentCore gateway it came from)", NULL },
	{ FY_KIND_TOOL, "type=code_interpreter", FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "the AgentCore Code Interpreter", NULL },
	{ FY_KIND_TOOL,
	  "type=builtin&!config.harness_tool_type=agentcore_browser"
	  "&!config.parentActionSignature=AMAZON.UserInput",
	  FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "a built-in tool other than the AgentCore Browser has no harness equivalent", "no-equivalent" },
	{ FY_KIND_TOOL, "type=builtin", FY_CAP_NATIVE, FY_CAP_NATIVE,
	  "the AgentCore Browser (AMAZON.UserInput: see its line)", NULL },
	{ FY_KIND_TOOL, "type=file_search", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "no harness equivalent: serve the files through a Gateway target", "no-equivalent" },
	{ FY_KIND_TOOL, "type=web_search", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "no harness equivalent", "no-equivalent" },
	{ FY_KIND_TOOL, "type=computer_use", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "no harness equivalent", "no-equivalent" },
	{ FY_KIND_TOOL, "config.executor.lambda", FY_CAP_NONE, FY_CAP_TRANSFORMED,
	  "a function run by a Lambda becomes an agentcore_gateway tool referencing "
	  "--option gateway_arn=ARN instead of an inline function", "lambda-to-gateway" },
	{ FY_KIND_TOOL, "config.requireConfirmation=ENABLED", FY_CAP_NONE, FY_CAP_DEGRADED,
	  "the user confirmed each call in Bedrock; an inline function returns every call to the "
	  "client, which must ask", "require-confirmation" },
	{ FY_KIND_TOOL, "config.parentActionSignature=AMAZON.UserInput", FY_CAP_NONE,
	  FY_CAP_TRANSFORMED,
	  "the AMAZON.UserInput action group needs no tool: the harness's model asks the user",
	  "user-input-builtin" },
	{ FY_KIND_TOOL, "mcp.headers", FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "header credentials do not cross: configure outbound auth on the harness", "mcp-headers" },
	/* the rest */
	{ FY_KIND_KNOWLEDGE, NULL, FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "AgentCore has no knowledge bases: serve one through a Gateway target",
	  "kb-no-equivalent" },
	{ FY_KIND_WORKFLOW, NULL, FY_CAP_NONE, FY_CAP_UNSUPPORTED,
	  "AgentCore has no workflows (see bedrock-flow)", "no-equivalent" },
	{ FY_KIND_FILE, NULL, FY_CAP_NONE, FY_CAP_UNSUPPORTED, "AgentCore memory stores no files",
	  "no-equivalent" },
};

static const struct fy_adapter_limits agentcore_limits = {
	.flags = FY_LIMIT_SETS_TIMESTAMPS | FY_LIMIT_STORES_PROVENANCE,
	.max_items_per_call = 100,	/* BatchCreateMemoryRecords */
	.note = "events keep eventTimestamp, records their timestamp; ids are AgentCore's, the "
		"source id is kept in metadata ferry_source_id; model names are kept as given "
		"(Bedrock model ids; --model-platform bedrock maps others through the policy)",
};

/* One CreateEvent per message, one BatchCreateMemoryRecords per 100 records, one CreateHarness per agent. */
static int agentcore_estimate(const struct fy_adapter_ctx *ctx, const struct fy_estimate_input *in,
			      struct fy_estimate *out, struct fy_error *err)
{
	uint64_t batches = (in->records[FY_KIND_MEMORY] + 99) / 100;

	(void)ctx;
	(void)err;
	out->api_calls = in->records[FY_KIND_MESSAGE] + batches + in->records[FY_KIND_AGENT] +
			 (in->records[FY_KIND_MESSAGE] || batches ? 3 : 0);
	out->seconds = 0;
	snprintf(out->note, sizeof(out->note),
		 "one CreateEvent per message, one BatchCreateMemoryRecords per 100 records, one "
		 "CreateHarness per agent, and CreateMemory with GetMemory until it is active");
	return 0;
}

/* --- the sink's entry points -------------------------------------------- */

/* Is there a gateway for a tool that needs one (its own, or --option gateway_arn)? */
static int has_gateway(const struct snk *s, const struct fy_jdoc *d)
{
	return fy_adapter_option(s->ctx, "gateway_arn") ||
	       fy_json_type(d, fy_json_get(d, fy_json_get(d, 0, "config"), "gatewayArn")) == FY_JSTRING;
}

/*
 * The done-ledger lines of a record, reported when it is handed over (also
 * when the journal says it was written before): the table's, and where
 * this sink departs from its table, what it does instead.
 */
static int report_record(struct snk *s, const struct fy_item *it, struct fy_error *err)
{
	static const char *const gateway_rules[] = { "openapi-to-gateway", "lambda-to-gateway",
						     "function-to-inline-function", NULL };
	const char *const *skip = NULL;
	struct fy_jdoc d;
	int rc = -1;

	fy_jdoc_init(&d);
	if (fy_jdoc_parse(&d, it->json, it->len, 0, err) < 0)
		goto out;
	if (it->kind == FY_KIND_TOOL) {
		uint32_t cfg = fy_json_get(&d, 0, "config");
		int lambda = fy_json_get(&d, fy_json_get(&d, cfg, "executor"), "lambda") != FY_JNONE;
		int openapi = fy_json_streq(&d, fy_json_get(&d, 0, "type"), "openapi");
		struct fy_ledger_item li = { FY_KIND_TOOL, NULL, NULL, NULL };
		char *id = gets(&d, 0, "id");

		li.id = id;
		if ((openapi || (lambda && fy_json_streq(&d, fy_json_get(&d, 0, "type"), "function"))) &&
		    !has_gateway(s, &d)) {
			skip = gateway_rules;
			rc = fy_aws_report(s->ctx, err, &li, FY_OUT_DROPPED,
					   openapi ? "openapi-needs-gateway" : "lambda-needs-gateway",
					   "the %s needs an AgentCore Gateway target (it is kept in the "
					   "archive); re-run with --option gateway_arn=ARN",
					   openapi ? "OpenAPI document" : "Lambda-backed function");
		} else {
			rc = 0;
		}
		free(id);
		if (rc < 0)
			goto out;
	}
	if (it->kind == FY_KIND_AGENT &&
	    fy_aws_report_provider(s->ctx, agentcore_caps, sizeof(agentcore_caps) / sizeof(agentcore_caps[0]),
				   &d, "the harness runs its default model", err) < 0)
		goto out;
	rc = fy_aws_report_table(s->ctx, agentcore_caps, sizeof(agentcore_caps) / sizeof(agentcore_caps[0]),
				 &d, skip, err);
out:
	fy_jdoc_release(&d);
	return rc;
}


static int snk_put(void *state, const struct fy_item *it, struct fy_error *err)
{
	struct snk *s = state;

	switch (it->type) {
	case FY_ITEM_RAW:
		if (it->name && !strncmp(it->name, "agentcore/memories/", 19)) {
			struct fy_buf b = FY_BUF_INIT(DOC_MAX);
			char buf[65536];
			size_t got;
			int rc = 0;

			do {
				if (it->read(it->ctx, buf, sizeof(buf), &got, err) < 0 ||
				    fy_buf_add(&b, buf, got, err) < 0) {
					rc = -1;
					break;
				}
			} while (got);
			if (rc == 0)
				rc = fy_aws_held_add(&s->configs, b.ptr ? b.ptr : "{}", b.len, err);
			fy_buf_release(&b);
			return rc;
		}
		return 0;
	case FY_ITEM_RECORD:
		break;
	default:
		return 0;
	}
	if (report_record(s, it, err) < 0)
		return -1;
	switch (it->kind) {
	case FY_KIND_THREAD:
		if (flush_thread(s, err) < 0)
			return -1;
		return fy_aws_held_add(&s->thread, it->json, it->len, err);
	case FY_KIND_MESSAGE:
		if (!s->thread.n)
			return fy_error_set(err, FY_E_DATA, "a message before its thread");
		return fy_aws_held_add(&s->thread, it->json, it->len, err);
	case FY_KIND_MEMORY:
		if (flush_thread(s, err) < 0)
			return -1;
		return put_memory(s, it, err);
	case FY_KIND_AGENT:
		return fy_aws_held_add(&s->agents, it->json, it->len, err);
	case FY_KIND_TOOL:
		return fy_aws_held_add(&s->tools, it->json, it->len, err);
	default:
		/* The table writes no other kind: the tool does not hand them over. */
		return 0;
	}
}

static int snk_finish(void *state, struct fy_error *err)
{
	struct snk *s = state;
	size_t i;

	if (flush_thread(s, err) < 0 || flush_batch(s, err) < 0)
		return -1;
	for (i = 0; i < s->agents.n; i++)
		if (create_harness(s, &s->agents.v[i], err) < 0)
			return -1;
	/* A tool no agent uses has no harness to go into. */
	for (i = 0; i < s->tools.n; i++) {
		const struct fy_jdoc *td = &s->tools.v[i].d;
		uint32_t tid = fy_json_get(td, 0, "id"), k, el;
		size_t a;
		int used = 0;

		for (a = 0; a < s->agents.n && !used; a++)
			FY_JSON_FOREACH(&s->agents.v[a].d, fy_json_get(&s->agents.v[a].d, 0, "tools"), k, el) {
				char *v = fy_json_strdup(&s->agents.v[a].d, el, NULL);

				if (v && fy_json_streq(td, tid, v))
					used = 1;
				free(v);
			}
		if (!used) {
			char *id = gets(td, 0, "id");
			int rc = fy_aws_report(s->ctx, err, &(struct fy_ledger_item){ FY_KIND_TOOL, id, NULL, NULL },
					       FY_OUT_DROPPED, "tool-without-agent",
					       "no agent in the archive uses this tool; harness tools "
					       "belong to a harness");

			free(id);
			if (rc < 0)
				return -1;
		}
	}
	fy_aws_log(s->ctx, FY_LOG_INFO,
		   "agentcore: %llu events, %llu memory records, %llu harnesses created; %llu already "
		   "there",
		   (unsigned long long)s->events, (unsigned long long)s->records,
		   (unsigned long long)s->harnesses, (unsigned long long)s->skipped);
	return 0;
}

const struct fy_adapter fy_adapter_agentcore = {
	.name = "agentcore",
	.summary = "Amazon Bedrock AgentCore: memory (events, records, strategies) and harnesses",
	.locations = "agentcore:REGION[/MEMORY_ID] (credentials from the AWS environment)",
	.flags = FY_ADAPTER_READ | FY_ADAPTER_WRITE,
	.caps = agentcore_caps,
	.ncaps = sizeof(agentcore_caps) / sizeof(agentcore_caps[0]),
	.limits = &agentcore_limits,
	.estimate = agentcore_estimate,
	.read_open = src_open,
	.read_next = src_next,
	.read_close = src_close,
	.write_open = snk_open,
	.write_put = snk_put,
	.write_finish = snk_finish,
	.write_close = snk_close,
};
