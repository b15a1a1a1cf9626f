/*
 * claude.c - the "claude" adapter: a Claude.ai account export, read.
 *
 * Input (claude:PATH): the export zip from Settings > Privacy > Export
 * data, the folder it unpacks to, or one of its JSON files. In a zip or a
 * folder: conversations.json (or conversations-NNN.json shards; or, when
 * neither is there, the per-conversation files in conversations/),
 * projects.json or the files in projects/, memories.json or the files in
 * memories/, and users.json. A single file is read by its name:
 * projects.json, memories.json, users.json, anything else as conversations.
 * Batch exports that zip each part separately (conversations-000.zip, ...)
 * are read part by part: unpack the outer zip and name a part.
 *
 * Anthropic publishes no schema for the export. The field names used here
 * come from the export as described in Anthropic's help article "How can I
 * export my Claude.ai data?" (support.anthropic.com) and from public tools
 * that read it, checked against each other: Sinity/polylogue
 * (docs/providers/claude-ai.md: chat_messages, sender, content blocks
 * text/tool_use/tool_result, attachments, files), the claude-chat-viewer
 * data model notes (conversations: uuid, name, summary, created_at,
 * updated_at, account, chat_messages with parent_message_uuid; blocks
 * thinking with summaries, text with citations, tool_use, tool_result;
 * one file per project in projects/: uuid, name, description, is_private,
 * is_starter_project, prompt_template, creator, docs{uuid, filename,
 * content, created_at}; users.json: uuid, full_name, email_address), the
 * exporters and importers that read memories.json (conversations_memory,
 * project_memories keyed by project uuid, account_uuid) and attachments
 * (file_name, file_size, file_type, extracted_content), and Anthropic's
 * Messages API reference for the block shapes it shares (tool_use id/name/
 * input, tool_result tool_use_id/content/is_error, thinking/signature,
 * redacted_thinking data).
 *
 * Mapping:
 *   project            -> agent: name, description, instructions =
 *                         prompt_template, created/updated; is_private,
 *                         is_starter_project, creator in ext.claude. Its docs
 *                         -> one blob and one file record each (the text as
 *                         UTF-8 bytes), and a knowledge record listing them
 *                         that the agent references.
 *   memories           -> conversations_memory: a memory record (type
 *                         summary, user scope); each project_memories entry:
 *                         a memory record scoped to that project's agent and
 *                         referenced by it (user scope and a ledger line when
 *                         the project is not in the export).
 *   users.json         -> only the archive header's account fingerprint (the
 *                         SHA-256 of the account uuid); names, e-mail and
 *                         phone number are not copied.
 *   conversation       -> thread: uuid, title = name, created/updated, agent =
 *                         its project's agent when that project was exported,
 *                         active_leaf = current_leaf_message_uuid when given,
 *                         else the last message listed; summary, model,
 *                         settings and the rest verbatim in ext.claude.
 *   chat_messages      -> messages with parent = parent_message_uuid (the
 *                         all-zero root uuid means none), so edits and
 *                         retries stay branches; without parent links the
 *                         listed order is the conversation. Parents are
 *                         emitted first; a parent missing from the
 *                         conversation, or a cycle, is an error.
 *                         sender human -> user, assistant -> assistant.
 *   content blocks     -> parts, in order: text (with citations), thinking
 *                         (reasoning plain + signature; summaries ->
 *                         reasoning summary), redacted_thinking (reasoning
 *                         encrypted), tool_use (tool_call, arguments = the
 *                         input as JSON text; integration_name -> an mcp
 *                         server), tool_result (tool_result with call_id =
 *                         tool_use_id, output = its text; sources it lists
 *                         -> citations). Tool calls and results stay inside
 *                         the assistant message that holds them, as in the
 *                         export. Other block types: an "other" part kept
 *                         verbatim, a warning and a ledger line. A message
 *                         without blocks: its text.
 *   attachments        -> file parts with name, media type, size and the
 *                         extracted text; files -> image or file parts by
 *                         name (the export has no bytes for them: ledger).
 *                         Blocks and files that do not map one to one stay
 *                         verbatim in ext.claude.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "bundle.h"
#include "claude.h"
#include "jw.h"
#include "recq.h"
#include "sha256.h"

#define MEMORIES_MAX ((size_t)64 << 20)

enum phase { P_PROJECTS, P_MEMORIES, P_CONVERSATIONS, P_DONE };

struct claude_src {
	const struct fy_adapter_ctx *ctx;
	struct fy_bundle *b;
	size_t *projects, nprojects;
	size_t *memories, nmemories;
	size_t *convs, nconvs;
	int users;			/* the bundle has users.json */
	char **memtext;			/* each memories file, read at open */
	size_t *memlen;
	enum phase phase;
	size_t ifile;			/* memories */
	struct fy_bundle_elements projects_in, convs_in;
	struct fy_claude_map map;
	struct fy_recq q;
	char member[1100];
};

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

/* dir/name.json directly inside a folder called dir */
static int in_folder(const char *path, const char *dir)
{
	const char *slash = strrchr(path, '/');
	size_t dl = strlen(dir);

	if (!slash || !ends_with(path, ".json"))
		return 0;
	return (size_t)(slash - path) >= dl && strncmp(slash - dl, dir, dl) == 0 &&
	       (slash - dl == path || slash[-(long)dl - 1] == '/');
}

static int is_shard(const char *base)
{
	size_t n = strlen(base), i;

	if (strcmp(base, "conversations.json") == 0)
		return 1;
	if (n < 20 || strncmp(base, "conversations-", 14) != 0 || !ends_with(base, ".json"))
		return 0;
	for (i = 14; i < n - 5; i++)
		if (base[i] < '0' || base[i] > '9')
			return 0;
	return 1;
}

static int read_all(struct claude_src *s, size_t entry, char **out, size_t *len,
		    struct fy_error *err)
{
	struct fy_buf b = FY_BUF_INIT(MEMORIES_MAX);

	if (fy_bundle_open_entry(s->b, entry, err) < 0)
		return -1;
	for (;;) {
		size_t got;

		if (fy_buf_grow(&b, 65536, err) < 0) {
			fy_buf_release(&b);
			return fy_error_prefix(err, "%s", fy_bundle_path(s->b, entry));
		}
		if (fy_bundle_read(s->b, b.ptr + b.len, 65536, &got, err) < 0) {
			fy_buf_release(&b);
			return -1;
		}
		if (!got)
			break;
		b.len += got;
		b.ptr[b.len] = '\0';
	}
	*out = fy_buf_detach(&b, len);
	return 0;
}

static void claude_read_close(void *state)
{
	struct claude_src *s = state;
	size_t i;

	if (!s)
		return;
	fy_bundle_free(s->b);
	free(s->projects);
	free(s->convs);
	for (i = 0; s->memtext && i < s->nmemories; i++)
		free(s->memtext[i]);
	free(s->memtext);
	free(s->memlen);
	free(s->memories);
	fy_bundle_elements_release(&s->projects_in);
	fy_bundle_elements_release(&s->convs_in);
	fy_claude_map_release(&s->map);
	fy_recq_release(&s->q);
	free(s);
}

static int claude_read_open(const struct fy_adapter_ctx *ctx, void **state,
			    struct fy_source_info *info, struct fy_error *err)
{
	struct claude_src *s = calloc(1, sizeof(*s));
	size_t i, n, per_conv = 0;

	if (!s)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	s->ctx = ctx;
	fy_claude_map_init(&s->map);
	fy_recq_init(&s->q, (size_t)1 << 31);
	if (!*ctx->location) {
		fy_error_set(err, FY_E_USAGE, "claude: name the export (claude:export.zip, a folder or conversations.json)");
		goto fail;
	}
	s->b = fy_bundle_open(ctx->location, err);
	if (!s->b) {
		fy_error_prefix(err, "claude");
		goto fail;
	}
	n = fy_bundle_count(s->b);
	s->projects = calloc(n + 1, sizeof(size_t));
	s->memories = calloc(n + 1, sizeof(size_t));
	s->convs = calloc(n + 1, sizeof(size_t));
	if (!s->projects || !s->memories || !s->convs) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		const char *path = fy_bundle_path(s->b, i), *base = fy_bundle_base(s->b, i);
		int single = fy_bundle_kind(s->b) == FY_BUNDLE_FILE;

		if (strcmp(base, "users.json") == 0)
			s->users = 1;
		else if (strcmp(base, "projects.json") == 0 || (!single && in_folder(path, "projects")))
			s->projects[s->nprojects++] = i;
		else if (strcmp(base, "memories.json") == 0 || (!single && in_folder(path, "memories")))
			s->memories[s->nmemories++] = i;
		else if (single || is_shard(base))
			s->convs[s->nconvs++] = i;
	}
	/* no conversations.json: the per-conversation files, one object each */
	if (!s->nconvs && fy_bundle_kind(s->b) != FY_BUNDLE_FILE)
		for (i = 0; i < n; i++)
			if (in_folder(fy_bundle_path(s->b, i), "conversations")) {
				s->convs[s->nconvs++] = i;
				per_conv = 1;
			}
	(void)per_conv;
	if (!s->nconvs && !s->nprojects && !s->nmemories && !s->users) {
		fy_error_set(err, FY_E_DATA,
			     "claude: %s: no conversations.json, projects.json, memories.json or users.json in it",
			     ctx->location);
		goto fail;
	}
	if (fy_bundle_fingerprint(s->b, "users.json", "uuid", info->account, sizeof(info->account),
				  err) < 0)
		goto fail_where;
	/* memories first: which projects have one decides the agents' memory references */
	s->memtext = calloc(s->nmemories + 1, sizeof(char *));
	s->memlen = calloc(s->nmemories + 1, sizeof(size_t));
	if (!s->memtext || !s->memlen) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < s->nmemories; i++) {
		s->map.path = fy_bundle_path(s->b, s->memories[i]);
		if (read_all(s, s->memories[i], &s->memtext[i], &s->memlen[i], err) < 0 ||
		    fy_claude_note_memories(&s->map, s->memtext[i], s->memlen[i], err) < 0)
			goto fail_where;
	}
	info->created = fy_bundle_mtime(s->b);
	fy_bundle_elements_init(&s->projects_in, s->b, s->projects, s->nprojects, "project");
	fy_bundle_elements_init(&s->convs_in, s->b, s->convs, s->nconvs, "conversation");
	s->phase = P_PROJECTS;
	*state = s;
	return 0;
fail_where:
	fy_error_prefix(err, "claude: %s", ctx->location);
fail:
	claude_read_close(s);
	return -1;
}

/* Map the next object into the queue: 1, 0 at the end, -1. */
static int fill_queue(void *state, struct fy_error *err)
{
	struct claude_src *s = state;
	struct fy_claude_map *m = &s->map;

	for (;;) {
		struct fy_bundle_elements *in = s->phase == P_PROJECTS ? &s->projects_in : &s->convs_in;
		int rc;

		if (s->phase == P_DONE)
			return 0;
		if (s->phase == P_MEMORIES) {
			if (s->ifile == s->nmemories) {
				s->phase = P_CONVERSATIONS;
				continue;
			}
			m->path = fy_bundle_path(s->b, s->memories[s->ifile]);
			snprintf(s->member, sizeof(s->member), "%s", m->path);
			rc = fy_claude_map_memories(m, s->memtext[s->ifile], s->memlen[s->ifile], &s->q, err);
			s->ifile++;
			return rc < 0 ? -1 : 1;
		}
		rc = fy_bundle_elements_next(in, &m->doc, err);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			s->phase = s->phase == P_PROJECTS ? P_MEMORIES : P_DONE;
			continue;
		}
		m->path = in->path;
		m->index = in->ja.index;
		snprintf(s->member, sizeof(s->member), "%s: %s %llu", m->path, in->noun,
			 (unsigned long long)m->index);
		if (s->phase == P_PROJECTS)
			rc = fy_claude_map_project_doc(m, &s->q, err);
		else
			rc = fy_claude_map_conversation_doc(m, &s->q, err);
		if (rc < 0)
			return -1;
		if (s->ctx->progress && s->phase == P_CONVERSATIONS)
			s->ctx->progress(s->ctx->cb, "conversations", m->conversations, 0);
		return 1;
	}
}

static int claude_read_next(void *state, struct fy_item *it, struct fy_error *err)
{
	struct claude_src *s = state;

	return fy_recq_next(&s->q, it, fill_queue, s, s->member, err);
}

static const struct fy_capability claude_caps[] = {
	{ FY_KIND_AGENT, NULL, FY_CAP_TRANSFORMED, FY_CAP_NONE,
	  "each project: name, description, instructions (prompt_template)", "project-as-agent" },
	{ FY_KIND_KNOWLEDGE, NULL, FY_CAP_NATIVE, FY_CAP_NONE, "a project's documents", NULL },
	{ FY_KIND_FILE, NULL, FY_CAP_NATIVE, FY_CAP_NONE,
	  "project documents as blobs; uploaded files by name only (no bytes in the export)", NULL },
	{ FY_KIND_THREAD, NULL, FY_CAP_NATIVE, FY_CAP_NONE,
	  "each conversation; title, times, project, summary in ext", NULL },
	{ FY_KIND_MESSAGE, NULL, FY_CAP_NATIVE, FY_CAP_NONE,
	  "every chat message with its parent (edits and retries stay branches)", NULL },
	{ FY_KIND_MESSAGE, "parts", FY_CAP_NATIVE, FY_CAP_NONE,
	  "text, thinking, tool_use, tool_result, citations, attachments with extracted text", NULL },
	{ FY_KIND_MESSAGE, "parts.type=other", FY_CAP_DEGRADED, FY_CAP_NONE,
	  "block types without a neutral part: kept verbatim, counted as warnings",
	  "unknown-content-type" },
	{ FY_KIND_MEMORY, NULL, FY_CAP_NATIVE, FY_CAP_NONE,
	  "conversations_memory (user) and project memories (the project's agent)", NULL },
};

const struct fy_adapter fy_adapter_claude = {
	.name = "claude",
	.summary = "a Claude.ai account export: conversation trees, projects with documents, memories",
	.locations = "claude:PATH (the export zip, its unpacked folder, or one of its JSON files)",
	.flags = FY_ADAPTER_READ,
	.caps = claude_caps,
	.ncaps = sizeof(claude_caps) / sizeof(claude_caps[0]),
	.read_open = claude_read_open,
	.read_next = claude_read_next,
	.read_close = claude_read_close,
};
