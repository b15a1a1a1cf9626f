/*
 * letta_af.c - the "letta-af" adapter: Letta agent files (.af), read and
 * written.
 *
 * The format, as published by Letta (cited from the sources, read with
 * the search tool):
 *  - current schema: letta-ai/letta letta/schemas/agent_file.py
 *    (AgentFileSchema: agents, groups, blocks, files, sources, tools,
 *    mcp_servers, metadata, created_at; AgentSchema = CreateAgent + id,
 *    in_context_message_ids, messages, files_agents, group_ids;
 *    MessageSchema, BlockSchema, FileSchema, SourceSchema, ToolSchema,
 *    GroupSchema, MCPServerSchema), with CreateAgent in
 *    letta/schemas/agent.py (names match ^[A-Za-z0-9 _-]+$), CreateBlock
 *    in letta/schemas/block.py (label and value required; value no longer
 *    than limit), LLMConfig in letta/schemas/llm_config.py (model,
 *    model_endpoint_type, context_window required), EmbeddingConfig in
 *    letta/schemas/embedding_config.py (embedding_endpoint_type,
 *    embedding_model, embedding_dim required), message content items in
 *    letta/schemas/letta_message_content.py;
 *  - what an importing server checks: letta/services/
 *    agent_serialization_manager.py (_validate_schema: ids
 *    "<prefix>-<integer>", no id twice across entity types, files' and
 *    files_agents' references resolve; import then maps tool_ids,
 *    block_ids, source_ids, in_context_message_ids and group agent_ids
 *    through the file, and the exporter blanks
 *    tool_exec_environment_variables values and strips MCP credentials);
 *  - the legacy single-agent layout: letta/serialize_schemas/
 *    pydantic_agent_schema.py (AgentSchema with core_memory, messages,
 *    in_context_message_indices, tools, tool_rules, llm_config,
 *    embedding_config, tool_exec_environment_variables), and the examples
 *    of letta-ai/agent-file (memgpt_agent_with_convo.af in both layouts);
 *  - Letta's builtin tools used for emulation (run_code, web_search):
 *    letta/functions/function_sets/builtin.py.
 *
 * Reading (letta-af:FILE.af, or a folder of .af files; a file whose whole
 * JSON document is a JSON string is unwrapped): letta_read.c maps
 *   agent        -> agent (system -> instructions; llm_config -> model,
 *                   generation parameters -> model.parameters, the rest of
 *                   llm_config -> ext; supervisor/dynamic groups -> the
 *                   manager's handoffs; groups themselves -> ext)
 *   block        -> memory {type block, label, text, limit, scope agent}
 *   tool         -> tool (json_schema.parameters, source code -> code;
 *                   letta_* tool types -> builtin, external_mcp -> mcp)
 *   mcp_server   -> tool of type mcp (credentials -> {"$secret"})
 *   source       -> knowledge (embedding_config -> embedding, chunking)
 *   file         -> file (its extracted text is the blob)
 *   messages     -> one thread per agent; tool calls and returns as parts;
 *                   in_context_message_ids -> message.in_context
 *   embedding_config, tool_rules and every other field -> ext.letta-af
 * and keeps each original file verbatim under raw/letta-af/<name>.
 * Blocks carry no vectors, so the agent's embedding model is kept in
 * ext.letta-af.embedding_config (and a source's in knowledge.embedding).
 *
 * Writing (letta-af:OUT.af for one file, letta-af:FOLDER for one file per
 * agent) is letta_sink.c; conversations that name no agent (ChatGPT,
 * Claude outside projects) become one agent per account (or one per
 * conversation with --option agents=thread), their active branch as its
 * history; memories and profiles become its "human" and "persona" blocks.
 * Everything that does not cross unchanged is reported through the
 * ledger (ctx->ledger).
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
#include "letta.h"
#include "ledger.h"
#include "letta_sink.h"
#include "idset.h"
#include "names.h"

#define LETTA_FILE_MAX ((size_t)1 << 31)	/* one agent file: 2 GiB */
#define LETTA_FILES_MAX 100000

struct qitem {
	enum fy_item_type type;
	char *data;
	size_t len;
	char name[FY_NAME_MAX + 1];
};

struct la_src {
	char *root;
	int is_dir;
	char **files;
	size_t nfiles, next;
	struct lr_ids ids;
	struct qitem *q;
	size_t nq, capq, qpos;
	struct qitem *cur;
	size_t rpos;
	struct letta_strs rawnames;
	struct fy_idset blobs;		/* blobs queued from the current file */
	char member[PATH_MAX];
};

static int q_push(struct la_src *s, enum fy_item_type type, const void *p, size_t n,
		  const char *name, struct fy_error *err)
{
	struct qitem *it;

	if (s->nq == s->capq) {
		size_t cap = s->capq ? s->capq * 2 : 64;
		struct qitem *v = realloc(s->q, cap * sizeof(*v));

		if (!v)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		s->q = v;
		s->capq = cap;
	}
	it = &s->q[s->nq];
	memset(it, 0, sizeof(*it));
	it->type = type;
	it->data = malloc(n + 1);
	if (!it->data)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	memcpy(it->data, p, n);
	it->data[n] = '\0';
	it->len = n;
	if (name)
		snprintf(it->name, sizeof(it->name), "%s", name);
	s->nq++;
	return 0;
}

static void q_clear(struct la_src *s)
{
	size_t i;

	fy_idset_clear(&s->blobs);
	for (i = 0; i < s->nq; i++)
		free(s->q[i].data);
	s->nq = s->qpos = 0;
	s->cur = NULL;
}

static int cb_record(void *cb, const char *json, size_t len, struct fy_error *err)
{
	return q_push(cb, FY_ITEM_RECORD, json, len, NULL, err);
}

static int cb_blob(void *cb, const void *p, size_t n, char *hex, struct fy_error *err)
{
	struct la_src *s = cb;
	unsigned char h[FY_SHA256_LEN];
	int rc;

	fy_sha256(p, n, h);
	fy_hex(h, sizeof(h), hex);
	rc = fy_idset_add(&s->blobs, fy_fingerprint(0, hex, 64), err);
	if (rc <= 0)
		return rc;	/* already queued, or an error */
	return q_push(s, FY_ITEM_BLOB, p, n, hex, err);
}

static int cb_ledger(void *cb, const char *json, size_t len, struct fy_error *err)
{
	return q_push(cb, FY_ITEM_LEDGER, json, len, NULL, err);
}

static int read_all(const char *path, struct fy_buf *b, struct fy_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return fy_error_errno(err, errno, "letta-af: %s", path);
	for (;;) {
		ssize_t n;

		if (fy_buf_grow(b, 1 << 16, err) < 0) {
			rc = fy_error_set(err, FY_E_UNSAFE, "letta-af: %s: larger than %zu bytes", path,
					  LETTA_FILE_MAX);
			break;
		}
		n = read(fd, b->ptr + b->len, 1 << 16);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = fy_error_errno(err, errno, "letta-af: %s", path);
			break;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		b->ptr[b->len] = '\0';
	}
	close(fd);
	return rc;
}

/* A safe raw member name for the original file: raw/letta-af/<name>. */
static int raw_name(struct la_src *s, const char *path, char *out, size_t cap, struct fy_error *err)
{
	const char *base = strrchr(path, '/');
	char id[FY_ID_MAX + 1];
	unsigned k;

	base = base ? base + 1 : path;
	letta_id_from(base, strlen(base), "agent.af", 120, id);
	snprintf(out, cap, LETTA_ADAPTER "/%s", id);
	for (k = 2; letta_strs_has(&s->rawnames, out); k++)
		snprintf(out, cap, LETTA_ADAPTER "/%u-%s", k, id);
	return letta_strs_add(&s->rawnames, out, err);
}

static int load(struct la_src *s, const char *path, struct fy_error *err)
{
	struct fy_buf file = FY_BUF_INIT(LETTA_FILE_MAX), hold = FY_BUF_INIT(LETTA_FILE_MAX);
	struct fy_buf scrubbed = FY_BUF_INIT(LETTA_FILE_MAX);
	size_t blanked = 0;
	struct lr_emit em = { cb_record, cb_blob, cb_ledger, s };
	const char *base = strrchr(path, '/'), *text;
	char rname[FY_NAME_MAX + 1];
	struct fy_jdoc d;
	size_t len;
	int layers, rc = -1;

	fy_jdoc_init(&d);
	base = s->is_dir ? (base ? base + 1 : path) : "";
	if (read_all(path, &file, err) < 0)
		goto out;
	text = file.ptr ? file.ptr : "";
	len = file.len;
	if (lr_unwrap(&text, &len, &hold, &layers, *base ? base : "agent file", err) < 0)
		goto out;
	if (fy_jdoc_parse(&d, text, len, 0, err) < 0) {
		fy_error_prefix(err, "%s%snot JSON", base, *base ? ": " : "");
		goto out;
	}
	if (lr_map(&d, base, &s->ids, &em, err) < 0)
		goto out;
	if (layers) {
		struct fy_buf l = FY_BUF_INIT(4096);
		struct fy_ledger_item item = { FY_KIND_NONE, *base ? base : path, NULL, "raw" };
		char reason[256];
		int r;

		snprintf(reason, sizeof(reason),
			 "the whole document was a JSON string holding the agent file (%d layer%s); "
			 "it was read unwrapped (raw/ keeps the original)", layers, layers == 1 ? "" : "s");
		r = fy_ledger_format(&l, &item, FY_OUT_TRANSFORMED, "unwrapped", reason, LETTA_ADAPTER,
				     "export", err);
		if (r == 0)
			r = cb_ledger(s, l.ptr, l.len, err);
		fy_buf_release(&l);
		if (r < 0)
			goto out;
	}
	/* the original, verbatim, unless it holds credentials: then with their values blanked */
	fy_buf_reset(&scrubbed);
	if (lr_scrub(&d, &scrubbed, &blanked, err) < 0 || raw_name(s, path, rname, sizeof(rname), err) < 0)
		goto out;
	if (blanked) {
		struct fy_buf l = FY_BUF_INIT(4096);
		struct fy_ledger_item item = { FY_KIND_NONE, rname, NULL, "raw" };
		char reason[300];
		int r;

		snprintf(reason, sizeof(reason),
			 "the original is kept under raw/ with its %zu credential value%s blanked "
			 "(the names stay)%s", blanked, blanked == 1 ? "" : "s",
			 layers ? ", unwrapped" : "");
		r = fy_ledger_format(&l, &item, FY_OUT_TRANSFORMED, "secrets-blanked", reason,
				     LETTA_ADAPTER, "export", err);
		if (r == 0)
			r = cb_ledger(s, l.ptr, l.len, err);
		fy_buf_release(&l);
		if (r < 0 || q_push(s, FY_ITEM_RAW, scrubbed.ptr ? scrubbed.ptr : "", scrubbed.len, rname,
				    err) < 0)
			goto out;
	} else if (q_push(s, FY_ITEM_RAW, file.ptr ? file.ptr : "", file.len, rname, err) < 0) {
		goto out;
	}
	rc = 0;
out:
	fy_jdoc_release(&d);
	fy_buf_release(&file);
	fy_buf_release(&hold);
	fy_buf_release(&scrubbed);
	return rc;
}

static void la_read_close(void *state)
{
	struct la_src *s = state;
	size_t i;

	if (!s)
		return;
	q_clear(s);
	free(s->q);
	for (i = 0; i < s->nfiles; i++)
		free(s->files[i]);
	free(s->files);
	lr_ids_release(&s->ids);
	letta_strs_release(&s->rawnames);
	fy_idset_release(&s->blobs);
	free(s->root);
	free(s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_folder(struct la_src *s, struct fy_error *err)
{
	struct dirent *de;
	DIR *dh = opendir(s->root);

	if (!dh)
		return fy_error_errno(err, errno, "letta-af: %s", s->root);
	while ((de = readdir(dh))) {
		size_t n = strlen(de->d_name);
		char path[PATH_MAX];
		struct stat st;
		char **v;

		if (n < 4 || strcmp(de->d_name + n - 3, ".af") || de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", s->root, de->d_name);
		if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (s->nfiles == LETTA_FILES_MAX) {
			closedir(dh);
			return fy_error_set(err, FY_E_UNSAFE, "letta-af: %s: more than %d agent files",
					    s->root, LETTA_FILES_MAX);
		}
		v = realloc(s->files, (s->nfiles + 1) * sizeof(*v));
		if (v)
			s->files = v;
		if (!v || !(v[s->nfiles] = strdup(path))) {
			closedir(dh);
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		}
		s->nfiles++;
	}
	closedir(dh);
	qsort(s->files, s->nfiles, sizeof(*s->files), cmp_str);
	if (!s->nfiles)
		return fy_error_set(err, FY_E_DATA, "letta-af: %s: no .af files in the folder", s->root);
	return 0;
}

static int la_read_open(const struct fy_adapter_ctx *ctx, void **state, struct fy_source_info *info,
			struct fy_error *err)
{
	struct la_src *s = calloc(1, sizeof(*s));
	struct stat st;
	size_t i;

	if (!s)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	if (!*ctx->location) {
		free(s);
		return fy_error_set(err, FY_E_USAGE, "letta-af: name the agent file to read (letta-af:FILE.af)");
	}
	fy_idset_init(&s->blobs, (size_t)1 << 24);
	s->root = strdup(ctx->location);
	if (!s->root) {
		free(s);
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	if (stat(s->root, &st) < 0) {
		fy_error_errno(err, errno, "letta-af: %s", s->root);
		la_read_close(s);
		return -1;
	}
	s->is_dir = S_ISDIR(st.st_mode);
	if (s->is_dir) {
		if (list_folder(s, err) < 0) {
			la_read_close(s);
			return -1;
		}
	} else {
		s->files = calloc(1, sizeof(*s->files));
		if (!s->files || !(s->files[0] = strdup(s->root))) {
			la_read_close(s);
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		}
		s->nfiles = 1;
	}
	/* the same files give the same archive: their newest time is the archive's */
	info->created = 0;
	for (i = 0; i < s->nfiles; i++)
		if (stat(s->files[i], &st) == 0 && st.st_mtime > info->created)
			info->created = st.st_mtime;
	*state = s;
	return 0;
}

static int mem_read(void *ctx, void *buf, size_t n, size_t *got, struct fy_error *err)
{
	struct la_src *s = ctx;
	size_t left = s->cur->len - s->rpos;

	(void)err;
	*got = n < left ? n : left;
	memcpy(buf, s->cur->data + s->rpos, *got);
	s->rpos += *got;
	return 0;
}

static int la_read_next(void *state, struct fy_item *it, struct fy_error *err)
{
	struct la_src *s = state;

	for (;;) {
		if (s->qpos < s->nq) {
			struct qitem *q = &s->q[s->qpos++];

			memset(it, 0, sizeof(*it));
			it->type = q->type;
			s->cur = q;
			s->rpos = 0;
			it->member = s->is_dir ? s->member : NULL;
			if (q->type == FY_ITEM_RECORD || q->type == FY_ITEM_LEDGER) {
				it->json = q->data;
				it->len = q->len;
			} else {
				it->name = q->name;
				it->size = q->len;
				it->read = mem_read;
				it->ctx = s;
			}
			return 1;
		}
		q_clear(s);
		if (s->next == s->nfiles)
			return 0;
		snprintf(s->member, sizeof(s->member), "%s", s->files[s->next]);
		if (load(s, s->files[s->next++], err) < 0)
			return -1;
	}
}

/* --- sink ---------------------------------------------------------------------- */

static int la_write_open(const struct fy_adapter_ctx *ctx, const struct fy_header *hdr, void **state,
			 struct fy_error *err)
{
	struct letta_sink *s;

	if (letta_sink_open(ctx, hdr, &s, err) < 0)
		return -1;
	*state = s;
	return 0;
}

static int la_write_put(void *state, const struct fy_item *it, struct fy_error *err)
{
	return letta_sink_put(state, it, err);
}

static int la_write_finish(void *state, struct fy_error *err)
{
	return letta_sink_finish(state, err);
}

static void la_write_close(void *state)
{
	letta_sink_free(state);
}

/*
 * What an agent file keeps (adapter.h, "Capability declarations"). The
 * sink reports these lines as it handles each record (letta_sink.c,
 * report_table) and warning lines for what a table cannot foresee: the
 * branches a conversation loses, the agent made for conversations without
 * one, the defaults Letta needs (model context window, embedding config).
 */
#define L(k, f, r, w, note, rule) { k, f, FY_CAP_##r, FY_CAP_##w, note, rule }
static const struct fy_capability letta_caps[] = {
	L(FY_KIND_AGENT, NULL, NATIVE, NATIVE,
	  "an agent: system prompt as instructions, llm_config as model, embedding_config and the "
	  "rest in ext.letta-af", NULL),
	L(FY_KIND_AGENT, "handoffs", EMULATED, EMULATED,
	  "written as a Letta supervisor group the agent manages", "supervisor-group"),
	L(FY_KIND_AGENT, "version", NONE, UNSUPPORTED, "Letta agents have no version", "no-equivalent"),
	L(FY_KIND_AGENT, "model.parameters.top_p", NONE, UNSUPPORTED, "Letta's LLMConfig has no top_p",
	  "no-equivalent"),
	L(FY_KIND_AGENT, "model.parameters.presence_penalty", NONE, UNSUPPORTED,
	  "Letta's LLMConfig has no presence_penalty", "no-equivalent"),
	L(FY_KIND_AGENT, "model.parameters.seed", NONE, UNSUPPORTED, "Letta's LLMConfig has no seed",
	  "no-equivalent"),
	L(FY_KIND_TOOL, "type=code_interpreter", NONE, EMULATED, "written as Letta's builtin run_code tool",
	  "letta-builtin"),
	L(FY_KIND_TOOL, "type=web_search", NONE, EMULATED, "written as Letta's builtin web_search tool",
	  "letta-builtin"),
	L(FY_KIND_TOOL, "type=file_search", NONE, UNSUPPORTED,
	  "no tool entity: Letta attaches its own file tools to agents with folders (sources)",
	  "no-equivalent"),
	L(FY_KIND_TOOL, "type=openapi", NONE, UNSUPPORTED, "Letta agent files have no OpenAPI tools",
	  "no-equivalent"),
	L(FY_KIND_TOOL, "type=computer_use", NONE, UNSUPPORTED, "Letta agent files have no computer-use tool",
	  "no-equivalent"),
	L(FY_KIND_TOOL, NULL, NATIVE, NATIVE,
	  "tools with their JSON Schema and source code, Letta's builtin tools, MCP servers", NULL),
	L(FY_KIND_TOOL, "strict", NONE, UNSUPPORTED, "Letta tools have no strict flag", "no-equivalent"),
	L(FY_KIND_TOOL, "config", NONE, UNSUPPORTED, "tool configuration has no field in a Letta tool",
	  "no-equivalent"),
	L(FY_KIND_KNOWLEDGE, NULL, NATIVE, NATIVE, "a source (folder) of files", NULL),
	L(FY_KIND_KNOWLEDGE, "embedding", NATIVE, NATIVE, "the source's embedding_config", NULL),
	L(FY_KIND_KNOWLEDGE, "chunking.strategy", NONE, UNSUPPORTED, "a Letta source keeps the chunk size only",
	  "no-equivalent"),
	L(FY_KIND_KNOWLEDGE, "chunking.overlap_tokens", NONE, UNSUPPORTED,
	  "a Letta source keeps the chunk size only", "no-equivalent"),
	L(FY_KIND_WORKFLOW, NULL, NONE, UNSUPPORTED, "Letta agent files hold no workflows", "no-equivalent"),
	L(FY_KIND_FILE, NULL, DEGRADED, NATIVE,
	  "a source's files, as the text extracted from them (binary bytes are not carried; a file "
	  "in no knowledge set has no place)", NULL),
	L(FY_KIND_THREAD, NULL, NATIVE, NATIVE,
	  "one history per agent: the thread's active branch is appended to its agent's history", NULL),
	L(FY_KIND_THREAD, "title", NONE, UNSUPPORTED,
	  "an agent file has one history per agent and no conversation titles", "no-titles"),
	L(FY_KIND_THREAD, "participants", NONE, UNSUPPORTED, "an agent file has no participants list",
	  "no-equivalent"),
	L(FY_KIND_THREAD, "archived", NONE, UNSUPPORTED, "an agent file has no archived flag", "no-equivalent"),
	L(FY_KIND_THREAD, "metadata", NONE, UNSUPPORTED, "an agent file has no thread metadata",
	  "no-equivalent"),
	L(FY_KIND_MESSAGE, NULL, NATIVE, NATIVE,
	  "messages of each thread's active branch (other branches are left out, with a warning); "
	  "text, images, tool calls and returns, reasoning", NULL),
	L(FY_KIND_MESSAGE, "role=developer", NONE, TRANSFORMED, "written as a system message",
	  "developer-as-system"),
	L(FY_KIND_MESSAGE, "parts.citations", NONE, UNSUPPORTED, "Letta messages have no citations",
	  "no-equivalent"),
	L(FY_KIND_MESSAGE, "parts.type=citation", NONE, UNSUPPORTED, "Letta messages have no citations",
	  "no-equivalent"),
	L(FY_KIND_MESSAGE, "parts.type=refusal", NONE, TRANSFORMED, "written as text", "refusal-as-text"),
	L(FY_KIND_MESSAGE, "parts.type=code", NONE, TRANSFORMED, "written as a call of Letta's run_code tool",
	  "code-as-run_code"),
	L(FY_KIND_MESSAGE, "parts.type=code_output", NONE, TRANSFORMED,
	  "written as the run_code tool's return", "code-output-as-tool-return"),
	L(FY_KIND_MESSAGE, "parts.type=file", NONE, EMULATED,
	  "written as text: the file's name and the text extracted from it", "file-as-text"),
	L(FY_KIND_MESSAGE, "parts.type=audio", NONE, EMULATED, "written as its transcript", "audio-as-text"),
	L(FY_KIND_MESSAGE, "parts.type=other", NATIVE, UNSUPPORTED,
	  "content of a type Letta has no content item for (kept only from a Letta agent file)",
	  "no-equivalent"),
	L(FY_KIND_MESSAGE, "status", NONE, UNSUPPORTED, "Letta messages have no status", "no-equivalent"),
	L(FY_KIND_MESSAGE, "author.id", NONE, UNSUPPORTED, "Letta keeps the author's name only",
	  "no-equivalent"),
	L(FY_KIND_MESSAGE, "metadata", NONE, UNSUPPORTED, "Letta messages have no metadata", "no-equivalent"),
	L(FY_KIND_MEMORY, "type=block", NATIVE, NATIVE, "memory blocks (label, value, limit)", NULL),
	L(FY_KIND_MEMORY, "type=fact", NONE, EMULATED,
	  "merged into the agent's human block (user_memory when it has one)", "memory-into-block"),
	L(FY_KIND_MEMORY, "type=preference", NONE, EMULATED,
	  "merged into the agent's human block (user_memory when it has one)", "memory-into-block"),
	L(FY_KIND_MEMORY, "type=profile", NONE, EMULATED,
	  "merged into the agent's human block, or its persona block for instructions",
	  "memory-into-block"),
	L(FY_KIND_MEMORY, "type=summary", NONE, EMULATED,
	  "merged into the agent's human block (user_memory when it has one)", "memory-into-block"),
	L(FY_KIND_MEMORY, "type=episode", NONE, EMULATED,
	  "merged into the agent's human block (user_memory when it has one)", "memory-into-block"),
	L(FY_KIND_MEMORY, "type=passage", NONE, UNSUPPORTED,
	  "agent files hold no archival passages", "no-archival-memory"),
	L(FY_KIND_MEMORY, NULL, NATIVE, NATIVE, "memory blocks", NULL),
	L(FY_KIND_MEMORY, "embedding", NONE, UNSUPPORTED,
	  "Letta blocks carry no vectors (Letta embeds archival text itself)", "no-vectors"),
};
#undef L

static const struct fy_adapter_limits letta_limits = {
	.flags = FY_LIMIT_SETS_TIMESTAMPS,
	.note = "a file: model names are kept as given; file-local ids (agent-0, message-12); "
		"credentials are never written",
};

const struct fy_adapter fy_adapter_letta_af = {
	.name = "letta-af",
	.summary = "Letta agent files (.af), both published layouts",
	.locations = "letta-af:PATH (an .af file, or a folder of them: one file per agent)",
	.flags = FY_ADAPTER_READ | FY_ADAPTER_WRITE,
	.caps = letta_caps,
	.ncaps = sizeof(letta_caps) / sizeof(letta_caps[0]),
	.limits = &letta_limits,
	.read_open = la_read_open,
	.read_next = la_read_next,
	.read_close = la_read_close,
	.write_open = la_write_open,
	.write_put = la_write_put,
	.write_finish = la_write_finish,
	.write_close = la_write_close,
};
