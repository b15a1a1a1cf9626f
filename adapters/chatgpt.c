/*
 * chatgpt.c - the "chatgpt" adapter: a ChatGPT account export, read.
 *
 * Input (chatgpt:PATH): the export zip from Settings > Data controls >
 * Export data, the folder it unpacks to, or one JSON file. In a zip or a
 * folder, conversations.json or the sharded conversations-000.json,
 * conversations-001.json, ... (all of them, in name order) hold the
 * conversations; every other file except *.json and *.html (uploaded
 * images, generated images under dalle-generations/, voice audio) is an
 * asset. A single file is read on its own: either the export's array of
 * conversations or one conversation object (what third-party exporters
 * and the conversation API produce).
 *
 * OpenAI publishes no schema for the export. The field names used here
 * come from the export itself as described in OpenAI's help article "How
 * do I export my ChatGPT history and data?" (help.openai.com/en/articles/
 * 7260999) and from the public parsers that follow it, checked against
 * each other: pionxzh/chatgpt-exporter (src/api.ts: ConversationNode,
 * content types, citations, image asset pointers; its
 * tests/fixtures/image-generation.json is our corpus sample),
 * jamesmoore/chatgpt-export (ChatGPTExport/Models/Conversations.cs and
 * MessageMetadata.cs: every content type below, attachments,
 * content_references, aggregate_result; AssetLocator.cs: pointers resolve
 * to export files whose names start with the file id) and
 * mitkury/chatgpt-export-parser (docs/chatgpt-data-export-format.md:
 * mapping, current_node, custom instructions).
 *
 * Mapping (one conversation at a time; memory stays flat):
 *   conversation       -> thread: id (id or conversation_id), title,
 *                         created/updated (create_time/update_time, Unix
 *                         seconds, converted exactly), active_leaf =
 *                         current_node, archived = is_archived; every other
 *                         top-level field except mapping (default_model_slug,
 *                         gizmo_id, safe_urls, ...) verbatim in ext.chatgpt.
 *   mapping node       -> message with parent, emitted parents first. The id
 *                         is the node's key (the message id is source.id).
 *                         Nodes without a message are not messages: the
 *                         root placeholder ("client-created-root") simply
 *                         disappears; an inner one has its children attached
 *                         to its nearest ancestor with a message, and the
 *                         ledger says so. A parent that is not in the
 *                         mapping, or a cycle, is an error.
 *   author.role        -> role (system, user, assistant, tool, developer);
 *                         author.name -> author.name; metadata.model_slug ->
 *                         model; status; create_time/update_time.
 *   recipient          -> an assistant message addressed to a tool (recipient
 *                         other than "all") is a tool_call: id = the message
 *                         id, name = recipient, tool_type from the name
 *                         (python: code_interpreter, browser/web: web_search,
 *                         dalle: image_generation, bio: memory, ...),
 *                         arguments = its text or code. A tool message is a
 *                         tool_result whose call_id is the nearest earlier
 *                         call to the same tool on its branch, output = its
 *                         text; its images and citations stay parts beside it.
 *   content_type       -> parts: text (each string of parts), code (language,
 *                         code), execution_output (code_output), multimodal_
 *                         text (strings, image_asset_pointer -> image, audio_
 *                         transcription -> text, audio_asset_pointer ->
 *                         audio), tether_browsing_display (text = result),
 *                         tether_quote (text and a citation), thoughts
 *                         (reasoning summary + plain per thought),
 *                         reasoning_recap (reasoning summary), system_error
 *                         (text; a tool result with is_error),
 *                         user_editable_context (text parts, and memory
 *                         records of type profile for the user: about_user,
 *                         about_model), model_editable_context (text, and one
 *                         memory record of type fact per saved memory). Any
 *                         other type is an "other" part keeping the content
 *                         verbatim, counted as a warning, with a ledger line.
 *                         Structured contents that do not map one to one
 *                         are also kept verbatim in ext.chatgpt.content.
 *   metadata           -> citations and content_references with URLs become
 *                         citations of the first text part; attachments not
 *                         already shown as image pointers become image/file
 *                         parts; metadata, author.metadata, recipient,
 *                         channel, end_turn and weight stay verbatim in
 *                         ext.chatgpt.
 *   assets             -> every asset file becomes a blob and a file record;
 *                         image pointers (file-service://, sediment://) and
 *                         attachment ids resolve to them by file name prefix
 *                         (the file id followed by '-', '.' or nothing).
 *                         A pointer that resolves to nothing keeps the
 *                         pointer as the part's url, with a ledger line.
 *   user.json          -> only the archive header's account fingerprint (the
 *                         SHA-256 of the user id); e-mail and the rest are
 *                         not copied.
 *   memories           -> deduplicated across the export by text: the same
 *                         custom instructions in 500 conversations are one
 *                         record (id from the SHA-256 of the text).
 *
 * Speed (tests/bench): conversations.json is split into elements by a
 * structure-only scan (jarray.c), each element is parsed by formats/json.c,
 * and records are built by copying the input's escaped string text through
 * unchanged (jw.c); the archive writer compresses on worker threads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "bundle.h"
#include "chatgpt.h"
#include "jw.h"
#include "recq.h"
#include "sha256.h"

/* A file of the export that is not JSON or HTML: a blob and a file record. */
struct asset {
	size_t entry;			/* bundle index */
	const char *base;		/* borrowed from the bundle */
	size_t baselen;
	uint64_t size;
	char hex[FY_SHA256_HEX];
	char id[FY_ID_MAX + 1];
};

struct chatgpt_src {
	const struct fy_adapter_ctx *ctx;
	struct fy_bundle *b;
	/* conversation files, in name order */
	size_t *convs;
	size_t nconvs;
	struct fy_bundle_elements convs_in;
	/* assets: emitted in reading order, looked up by base name */
	struct asset *assets;		/* reading order */
	size_t nassets, iasset;
	size_t *by_base;		/* indices into assets, sorted by base name */
	int asset_step;			/* 0: blob next, 1: file record next */
	struct fy_chatgpt_map map;
	struct fy_recq q;
	char member[1100];		/* where the current item came from */
	struct fy_buf rec;		/* one file record */
};

static int is_conversations_file(const char *base)
{
	size_t n = strlen(base), i;

	if (strcmp(base, "conversations.json") == 0)
		return 1;
	/* conversations-NNN.json */
	if (n < 20 || strncmp(base, "conversations-", 14) != 0 || strcmp(base + n - 5, ".json") != 0)
		return 0;
	for (i = 14; i < n - 5; i++)
		if (base[i] < '0' || base[i] > '9')
			return 0;
	return 1;
}

static int is_asset(const char *base)
{
	size_t n = strlen(base);

	if (base[0] == '.')
		return 0;
	return !(n >= 5 && strcmp(base + n - 5, ".json") == 0) &&
	       !(n >= 5 && strcmp(base + n - 5, ".html") == 0);
}

static int cmp_base(const void *a, const void *b, void *ctx)
{
	const struct chatgpt_src *s = ctx;
	const struct asset *x = &s->assets[*(const size_t *)a];
	const struct asset *y = &s->assets[*(const size_t *)b];
	int c = strcmp(x->base, y->base);

	return c ? c : strcmp(fy_bundle_path(s->b, x->entry), fy_bundle_path(s->b, y->entry));
}

static int cmp_seq(const void *a, const void *b, void *ctx)
{
	const struct fy_bundle *bd = ctx;
	size_t x = fy_bundle_seq(bd, ((const struct asset *)a)->entry);
	size_t y = fy_bundle_seq(bd, ((const struct asset *)b)->entry);

	return x < y ? -1 : x > y;
}

/* First pass: hash every asset (the writer needs a blob's hash before its bytes). */
static int hash_assets(struct chatgpt_src *s, struct fy_error *err)
{
	struct fy_sha256 h = { NULL };
	unsigned char *buf = NULL, sha[FY_SHA256_LEN];
	size_t i, n = fy_bundle_count(s->b);
	int rc = -1;

	if (fy_bundle_kind(s->b) == FY_BUNDLE_FILE)
		return 0;
	s->assets = calloc(n ? n : 1, sizeof(*s->assets));
	s->by_base = calloc(n ? n : 1, sizeof(*s->by_base));
	buf = malloc(1 << 16);
	if (!s->assets || !s->by_base || !buf || fy_sha256_init(&h) < 0) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct asset *a;

		if (!is_asset(fy_bundle_base(s->b, i)))
			continue;
		a = &s->assets[s->nassets++];
		a->entry = i;
		a->base = fy_bundle_base(s->b, i);
		a->baselen = strlen(a->base);
		fy_id_make(fy_bundle_path(s->b, i), strlen(fy_bundle_path(s->b, i)), a->id);
	}
	qsort_r(s->assets, s->nassets, sizeof(*s->assets), cmp_seq, s->b);
	for (i = 0; i < s->nassets; i++) {
		struct asset *a = &s->assets[i];

		if (fy_bundle_open_entry(s->b, a->entry, err) < 0)
			goto out;
		a->size = 0;
		for (;;) {
			size_t got;

			if (fy_bundle_read(s->b, buf, 1 << 16, &got, err) < 0)
				goto out;
			if (!got)
				break;
			fy_sha256_update(&h, buf, got);
			a->size += got;
		}
		fy_sha256_final(&h, sha);
		fy_hex(sha, FY_SHA256_LEN, a->hex);
		s->by_base[i] = i;
		if (s->ctx->progress)
			s->ctx->progress(s->ctx->cb, "hashing files", i + 1, s->nassets);
	}
	qsort_r(s->by_base, s->nassets, sizeof(*s->by_base), cmp_base, s);
	rc = 0;
out:
	fy_sha256_release(&h);
	free(buf);
	return rc;
}

/*
 * A file id ("file-AbC", "file_00ab") names the asset whose base name is
 * the id, or starts with it followed by '-' or '.' (the export writes
 * "<id>-<original name>" or "<id>.<ext>"). Of several, the shortest name wins.
 */
static int resolve(void *cb, const char *id, size_t n, struct fy_chatgpt_asset *out)
{
	struct chatgpt_src *s = cb;
	size_t lo = 0, hi = s->nassets, best = (size_t)-1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct asset *a = &s->assets[s->by_base[mid]];
		int c = strncmp(a->base, id, n);

		if (c < 0 || (c == 0 && a->baselen < n))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < s->nassets; lo++) {
		const struct asset *a = &s->assets[s->by_base[lo]];
		char next;

		if (a->baselen < n || strncmp(a->base, id, n) != 0)
			break;
		next = a->base[n];
		if (next != '\0' && next != '-' && next != '.')
			continue;
		if (best == (size_t)-1 || a->baselen < s->assets[best].baselen)
			best = s->by_base[lo];
	}
	if (best == (size_t)-1)
		return 0;
	memcpy(out->hex, s->assets[best].hex, sizeof(out->hex));
	out->size = s->assets[best].size;
	memcpy(out->file, s->assets[best].id, sizeof(out->file));
	out->media_type = fy_media_type_guess(s->assets[best].base);
	return 1;
}

static void chatgpt_read_close(void *state)
{
	struct chatgpt_src *s = state;

	if (!s)
		return;
	fy_bundle_free(s->b);
	free(s->convs);
	free(s->assets);
	free(s->by_base);
	fy_bundle_elements_release(&s->convs_in);
	fy_chatgpt_map_release(&s->map);
	fy_recq_release(&s->q);
	fy_buf_release(&s->rec);
	free(s);
}

static int chatgpt_read_open(const struct fy_adapter_ctx *ctx, void **state,
			     struct fy_source_info *info, struct fy_error *err)
{
	struct chatgpt_src *s = calloc(1, sizeof(*s));
	size_t i, n;

	if (!s)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	s->ctx = ctx;
	fy_chatgpt_map_init(&s->map);
	fy_recq_init(&s->q, (size_t)1 << 31);
	fy_buf_init(&s->rec, 1 << 20);
	if (!*ctx->location) {
		fy_error_set(err, FY_E_USAGE, "chatgpt: name the export (chatgpt:export.zip, a folder or conversations.json)");
		goto fail;
	}
	s->b = fy_bundle_open(ctx->location, err);
	if (!s->b) {
		fy_error_prefix(err, "chatgpt");
		goto fail;
	}
	n = fy_bundle_count(s->b);
	s->convs = calloc(n ? n : 1, sizeof(*s->convs));
	if (!s->convs) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < n; i++)
		if (fy_bundle_kind(s->b) == FY_BUNDLE_FILE || is_conversations_file(fy_bundle_base(s->b, i)))
			s->convs[s->nconvs++] = i;
	if (!s->nconvs) {
		fy_error_set(err, FY_E_DATA,
			     "chatgpt: %s: no conversations.json or conversations-NNN.json in it",
			     ctx->location);
		goto fail;
	}
	if (fy_bundle_fingerprint(s->b, "user.json", "id", info->account, sizeof(info->account), err) < 0) {
		fy_error_prefix(err, "chatgpt: %s", ctx->location);
		goto fail;
	}
	if (hash_assets(s, err) < 0) {
		fy_error_prefix(err, "chatgpt: %s", ctx->location);
		goto fail;
	}
	fy_bundle_elements_init(&s->convs_in, s->b, s->convs, s->nconvs, "conversation");
	s->map.resolve = s->nassets ? resolve : NULL;
	s->map.cb = s;
	info->created = fy_bundle_mtime(s->b);
	*state = s;
	return 0;
fail:
	chatgpt_read_close(s);
	return -1;
}

/* The file record of asset a, into s->rec. */
static int file_record(struct chatgpt_src *s, const struct asset *a, struct fy_error *err)
{
	const char *path = fy_bundle_path(s->b, a->entry);
	struct jw w;

	fy_buf_reset(&s->rec);
	jw_open(&w, &s->rec, err);
	jw_obj(&w, NULL);
	jw_lit(&w, "kind", "file");
	jw_lit(&w, "id", a->id);
	jw_str(&w, "name", path, strlen(path));
	jw_lit(&w, "blob", a->hex);
	jw_lit(&w, "media_type", fy_media_type_guess(a->base));
	jw_int(&w, "size", (int64_t)a->size);
	jw_obj(&w, "source");
	jw_lit(&w, "adapter", "chatgpt");
	jw_str(&w, "path", path, strlen(path));
	jw_end(&w, '}');
	jw_end(&w, '}');
	return jw_done(&w);
}

static int next_asset(struct chatgpt_src *s, struct fy_item *it, struct fy_error *err)
{
	const struct asset *a = &s->assets[s->iasset];

	snprintf(s->member, sizeof(s->member), "%s", fy_bundle_path(s->b, a->entry));
	memset(it, 0, sizeof(*it));
	it->member = s->member;
	if (s->asset_step == 0) {
		if (fy_bundle_open_entry(s->b, a->entry, err) < 0)
			return -1;
		it->type = FY_ITEM_BLOB;
		it->name = a->hex;
		it->size = a->size;
		it->read = fy_bundle_read;
		it->ctx = s->b;
		s->asset_step = 1;
		return 1;
	}
	if (file_record(s, a, err) < 0)
		return -1;
	it->type = FY_ITEM_RECORD;
	it->kind = FY_KIND_FILE;
	it->json = s->rec.ptr;
	it->len = s->rec.len;
	s->asset_step = 0;
	s->iasset++;
	return 1;
}

/* Map the next conversation into the queue: 1, 0 when all files are done, -1. */
static int fill_queue(void *state, struct fy_error *err)
{
	struct chatgpt_src *s = state;
	int rc = fy_bundle_elements_next(&s->convs_in, &s->map.doc, err);

	if (rc <= 0)
		return rc;
	s->map.path = s->convs_in.path;
	s->map.index = s->convs_in.ja.index;
	snprintf(s->member, sizeof(s->member), "%s: conversation %llu", s->map.path,
		 (unsigned long long)s->map.index);
	if (fy_chatgpt_map_doc(&s->map, &s->q, err) < 0)
		return -1;
	if (s->ctx->progress)
		s->ctx->progress(s->ctx->cb, "conversations", s->map.conversations, 0);
	return 1;
}

static int chatgpt_read_next(void *state, struct fy_item *it, struct fy_error *err)
{
	struct chatgpt_src *s = state;

	if (s->iasset < s->nassets)
		return next_asset(s, it, err);
	return fy_recq_next(&s->q, it, fill_queue, s, s->member, err);
}

static const struct fy_capability chatgpt_caps[] = {
	{ FY_KIND_THREAD, NULL, FY_CAP_NATIVE, FY_CAP_NONE,
	  "each conversation; title, times, active leaf (current_node), archived", NULL },
	{ FY_KIND_THREAD, "ext", FY_CAP_NATIVE, FY_CAP_NONE,
	  "model slug, gizmo, safe_urls and the other conversation fields, verbatim", NULL },
	{ FY_KIND_MESSAGE, NULL, FY_CAP_NATIVE, FY_CAP_NONE,
	  "every node of the mapping tree with a message, all branches, parents first", NULL },
	{ FY_KIND_MESSAGE, "parent", FY_CAP_TRANSFORMED, FY_CAP_NONE,
	  "nodes without a message are skipped; their children hang from the nearest ancestor",
	  "reparent-empty-nodes" },
	{ FY_KIND_MESSAGE, "parts", FY_CAP_NATIVE, FY_CAP_NONE,
	  "text, code, execution output, images, audio, browsing, quotes, thoughts, reasoning recaps, errors", NULL },
	{ FY_KIND_MESSAGE, "parts.type=other", FY_CAP_DEGRADED, FY_CAP_NONE,
	  "content types without a neutral part: kept verbatim, counted as warnings",
	  "unknown-content-type" },
	{ FY_KIND_MESSAGE, "parts.type=tool_call", FY_CAP_TRANSFORMED, FY_CAP_NONE,
	  "assistant messages with a recipient; tool messages become tool_result", "recipient-as-tool-call" },
	{ FY_KIND_MESSAGE, "parts.citations", FY_CAP_NATIVE, FY_CAP_NONE,
	  "metadata.citations and content_references", NULL },
	{ FY_KIND_MEMORY, NULL, FY_CAP_TRANSFORMED, FY_CAP_NONE,
	  "custom instructions (profile) and saved memories (fact), user scope, deduplicated",
	  "context-messages-as-memory" },
	{ FY_KIND_FILE, NULL, FY_CAP_NATIVE, FY_CAP_NONE,
	  "every other file of the export (images, audio) as a blob; pointers resolve to them", NULL },
	{ FY_KIND_AGENT, NULL, FY_CAP_NONE, FY_CAP_NONE, "custom GPTs are not in the export", NULL },
};

const struct fy_adapter fy_adapter_chatgpt = {
	.name = "chatgpt",
	.summary = "a ChatGPT account export: conversation trees, images, custom instructions, memories",
	.locations = "chatgpt:PATH (the export zip, its unpacked folder, or a conversations*.json file)",
	.flags = FY_ADAPTER_READ,
	.caps = chatgpt_caps,
	.ncaps = sizeof(chatgpt_caps) / sizeof(chatgpt_caps[0]),
	.read_open = chatgpt_read_open,
	.read_next = chatgpt_read_next,
	.read_close = chatgpt_read_close,
};
