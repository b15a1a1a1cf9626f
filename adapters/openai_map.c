/*
 * openai_map.c - OpenAI objects <-> neutral records, no I/O. See
 * openai_map.h.
 *
 * Shapes, from openai/openai-openapi openapi.json (version 2.3.0, commit
 * f85dbe223d40e1a31cba812ab2d755c7e98a92a3) and the openai-python types
 * generated from it:
 *   - ConversationItem / ItemResource: message (content parts input_text,
 *     output_text with annotations url_citation, file_citation,
 *     container_file_citation and logprobs, input_image, input_file,
 *     input_audio, refusal), function_call / function_call_output,
 *     custom_tool_call / custom_tool_call_output, reasoning (summary,
 *     content, encrypted_content), web_search_call (action.sources),
 *     file_search_call (queries, results), code_interpreter_call (code,
 *     outputs: logs, image), image_generation_call (result, base64),
 *     computer_call / computer_call_output, local_shell_call / _output,
 *     mcp_list_tools, mcp_call, mcp_approval_request / _response;
 *   - ConversationResource {id, object, created_at, metadata}; Response
 *     {id, created_at, model, instructions, output, metadata, ...};
 *   - OpenAIFile {id, bytes, created_at, filename, purpose};
 *     VectorStoreObject and VectorStoreFileObject (chunking_strategy
 *     static {max_chunk_size_tokens, chunk_overlap_tokens});
 *   - ChatKit thread items (chatkit.user_message, chatkit.assistant_message,
 *     chatkit.client_tool_call, chatkit.task, chatkit.task_group,
 *     chatkit.widget), openai-python types/beta/chatkit;
 *   - Assistants (deprecated, shut down 2026-08-26): AssistantObject,
 *     MessageObject (text with file_citation / file_path annotations,
 *     image_file, image_url, attachments), RunStepObject with
 *     step_details.tool_calls (function with output, code_interpreter with
 *     input and outputs, file_search with results) - the only place tool
 *     calls and their results were kept.
 */
#include "openai_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"

/* --- helpers ------------------------------------------------------------------ */

static int ledger(const struct oai_map *m, const char *kind, const char *id, const char *field,
		  const char *outcome, const char *rule, const char *reason, struct fy_error *err)
{
	struct fy_buf b = FY_BUF_INIT(1 << 20);
	int rc = 0;

	if (!m->ledger)
		return 0;
	if (live_ledger_line(&b, m->adapter, "export", kind, id, field, outcome, rule, reason, err) < 0 ||
	    m->ledger(m->cb, b.ptr, b.len, err) < 0)
		rc = -1;
	fy_buf_release(&b);
	return rc;
}

/* The ferry id of string node v (or of fallback text) into out. */
static void make_id(const struct fy_jdoc *d, uint32_t v, const char *fallback, size_t flen, char *out)
{
	char *s;
	size_t n;

	if (fy_json_type(d, v) == FY_JSTRING && (s = fy_json_strdup(d, v, &n))) {
		fy_id_make(s, n, out);
		free(s);
		return;
	}
	fy_id_make(fallback, flen, out);
}

/* A string member as a new C string, or NULL. */
static char *sdup(const struct fy_jdoc *d, uint32_t obj, const char *key)
{
	return fy_json_get_strdup(d, obj, key);
}

/* "key": compact JSON text of node v as a string. */
static void kjson_text(struct lw *w, const char *key, const struct fy_jdoc *d, uint32_t v)
{
	struct fy_buf t = FY_BUF_INIT((size_t)64 << 20);
	struct fy_error e;

	if (v == FY_JNONE || fy_json_type(d, v) == FY_JABSENT || fy_json_type(d, v) == FY_JNULL)
		return;
	if (fy_json_type(d, v) == FY_JSTRING) {
		lw_key(w, key);
		lw_node(w, d, v);
		return;
	}
	if (fy_json_emit(d, v, &t, &e) < 0) {
		lw_fail(w, &e);
		return;
	}
	lw_key(w, key);
	lw_strn(w, t.ptr ? t.ptr : "", t.len);
	fy_buf_release(&t);
}

/* "key": string node v when it is a string. */
static void kstr_node(struct lw *w, const char *key, const struct fy_jdoc *d, uint32_t v)
{
	if (fy_json_type(d, v) != FY_JSTRING)
		return;
	lw_key(w, key);
	lw_node(w, d, v);
}

/* key: the string node v, or fallback when v is absent or not a string (an id, say). */
static void kstr_or(struct lw *w, const char *key, const struct fy_jdoc *d, uint32_t v,
		    const char *fallback)
{
	lw_key(w, key);
	if (fy_json_type(d, v) == FY_JSTRING)
		lw_node(w, d, v);
	else
		lw_str(w, fallback);
}

static void kint_node(struct lw *w, const char *key, const struct fy_jdoc *d, uint32_t v)
{
	int64_t x;

	if (fy_json_int(d, v, &x) < 0 || x < 0)
		return;
	lw_key(w, key);
	lw_int(w, x);
}

static void ktime_node(struct lw *w, const char *key, const struct fy_jdoc *d, uint32_t v)
{
	int64_t x;

	if (fy_json_int(d, v, &x) < 0)
		return;
	lw_ktime(w, key, x);
}

/*
 * An inline data: URL (or bare base64 when bare) as a blob. Writes
 * "blob" (and "media_type" when the URL names one) and returns 1; 0 when
 * the value is not inline data or the caller takes no blobs.
 */
static int inline_blob(const struct oai_map *m, struct lw *w, const struct fy_jdoc *d, uint32_t v,
		       int bare, const char *media_type, struct fy_error *err)
{
	struct fy_buf s = FY_BUF_INIT((size_t)64 << 20), bytes = FY_BUF_INIT((size_t)64 << 20);
	const char *p, *comma;
	char hex[65], mt[128] = "";
	int rc = 0;

	if (!m->blob || fy_json_type(d, v) != FY_JSTRING || fy_json_str(d, v, &s, err) < 0)
		goto out;
	p = s.ptr ? s.ptr : "";
	if (strncmp(p, "data:", 5) == 0) {
		comma = strchr(p, ',');
		if (!comma || !strstr(p, ";base64") || strstr(p, ";base64") > comma)
			goto out;
		if (strchr(p, ';') - (p + 5) < (long)sizeof(mt))
			snprintf(mt, sizeof(mt), "%.*s", (int)(strchr(p, ';') - (p + 5)), p + 5);
		p = comma + 1;
	} else if (!bare) {
		goto out;
	}
	if (live_b64_decode(p, strlen(p), &bytes, err) < 0 ||
	    m->blob(m->cb, bytes.ptr ? bytes.ptr : "", bytes.len, hex, err) < 0) {
		rc = -1;
		goto out;
	}
	lw_kstr(w, "blob", hex);
	if (mt[0] || media_type)
		lw_kstr(w, "media_type", mt[0] ? mt : media_type);
	lw_key(w, "size");
	lw_int(w, (int64_t)bytes.len);
	rc = 1;
out:
	fy_buf_release(&s);
	fy_buf_release(&bytes);
	return rc;
}

/* "file": the ferry id of a provider file id, when the archive has that file. */
static int kfile(const struct oai_map *m, struct lw *w, const struct fy_jdoc *d, uint32_t v)
{
	char *fid, id[FY_ID_MAX + 1];
	int ok;

	if (fy_json_type(d, v) != FY_JSTRING || !(fid = fy_json_strdup(d, v, NULL)))
		return 0;
	ok = !m->has_file || m->has_file(m->cb, fid);
	if (ok) {
		fy_id_make(fid, strlen(fid), id);
		lw_kstr(w, "file", id);
	}
	free(fid);
	return ok;
}

/* The citations of a text part from its annotations. */
static void citations(const struct oai_map *m, struct lw *w, const struct fy_jdoc *d, uint32_t anns)
{
	uint32_t k, a;

	if (fy_json_type(d, anns) != FY_JARRAY || !fy_json_len(d, anns))
		return;
	lw_key(w, "citations");
	lw_arr(w);
	FY_JSON_FOREACH(d, anns, k, a) {
		uint32_t nested;

		lw_obj(w);
		lw_kstr(w, "type", "citation");
		kstr_node(w, "url", d, fy_json_get(d, a, "url"));
		/* the title, else (a file citation) the file name */
		kstr_node(w, "title", d, fy_json_type(d, fy_json_get(d, a, "title")) == FY_JSTRING
					 ? fy_json_get(d, a, "title") : fy_json_get(d, a, "filename"));
		kstr_node(w, "text", d, fy_json_get(d, a, "text"));
		kint_node(w, "start", d, fy_json_get(d, a, "start_index"));
		kint_node(w, "end", d, fy_json_get(d, a, "end_index"));
		/* Assistants: {"file_citation": {"file_id"}}; Responses: "file_id". */
		nested = fy_json_get(d, a, "file_citation");
		if (nested == FY_JNONE)
			nested = fy_json_get(d, a, "file_path");
		if (nested == FY_JNONE)
			nested = a;
		if (fy_json_type(d, fy_json_get(d, nested, "file_id")) == FY_JSTRING) {
			char *fid = fy_json_get_strdup(d, nested, "file_id");

			if (fid && (!m->has_file || m->has_file(m->cb, fid)))
				lw_kstr(w, "file", fid);
			free(fid);
		}
		lw_end_obj(w);
	}
	lw_end_arr(w);
}

/* One content part of a message item. */
static int content_part(const struct oai_map *m, struct lw *w, const struct fy_jdoc *d, uint32_t c,
			const char *msg_id, struct fy_error *err)
{
	uint32_t type = fy_json_get(d, c, "type");

	if (fy_json_streq(d, type, "input_text") || fy_json_streq(d, type, "output_text") ||
	    fy_json_streq(d, type, "text") || fy_json_streq(d, type, "quoted_text")) {
		uint32_t t = fy_json_get(d, c, "text");

		lw_obj(w);
		lw_kstr(w, "type", "text");
		lw_key(w, "text");
		if (fy_json_type(d, t) == FY_JSTRING)
			lw_node(w, d, t);
		else if (fy_json_type(d, fy_json_get(d, t, "value")) == FY_JSTRING)	/* Assistants */
			lw_node(w, d, fy_json_get(d, t, "value"));
		else
			lw_str(w, "");
		citations(m, w, d, fy_json_type(d, t) == FY_JOBJECT ? fy_json_get(d, t, "annotations")
								     : fy_json_get(d, c, "annotations"));
		lw_end_obj(w);
		return 0;
	}
	if (fy_json_streq(d, type, "refusal")) {
		lw_obj(w);
		lw_kstr(w, "type", "refusal");
		lw_key(w, "text");
		if (fy_json_type(d, fy_json_get(d, c, "refusal")) == FY_JSTRING)
			lw_node(w, d, fy_json_get(d, c, "refusal"));
		else
			lw_str(w, "");
		lw_end_obj(w);
		return 0;
	}
	if (fy_json_streq(d, type, "input_image") || fy_json_streq(d, type, "image_url") ||
	    fy_json_streq(d, type, "image_file")) {
		uint32_t url = fy_json_get(d, c, "image_url"), fid = fy_json_get(d, c, "file_id");
		int got;

		if (fy_json_type(d, url) == FY_JOBJECT)		/* Assistants: {"url", "detail"} */
			url = fy_json_get(d, url, "url");
		if (fy_json_streq(d, type, "image_file"))
			fid = fy_json_get(d, fy_json_get(d, c, "image_file"), "file_id");
		lw_obj(w);
		lw_kstr(w, "type", "image");
		got = inline_blob(m, w, d, url, 0, NULL, err);
		if (got < 0)
			return -1;
		if (!got)
			kstr_node(w, "url", d, url);
		if (fid != FY_JNONE && !kfile(m, w, d, fid) &&
		    ledger(m, "message", msg_id, "parts.file", "degraded", "file-not-exported",
			   "the image's file is not in the archive; it stays at the provider", err) < 0)
			return -1;
		kstr_node(w, "detail", d, fy_json_get(d, c, "detail"));
		lw_end_obj(w);
		return 0;
	}
	if (fy_json_streq(d, type, "input_file")) {
		int got;

		lw_obj(w);
		lw_kstr(w, "type", "file");
		got = inline_blob(m, w, d, fy_json_get(d, c, "file_data"), 1, NULL, err);
		if (got < 0)
			return -1;
		kstr_node(w, "url", d, fy_json_get(d, c, "file_url"));
		kstr_node(w, "name", d, fy_json_get(d, c, "filename"));
		if (fy_json_get(d, c, "file_id") != FY_JNONE && !kfile(m, w, d, fy_json_get(d, c, "file_id")) &&
		    ledger(m, "message", msg_id, "parts.file", "degraded", "file-not-exported",
			   "the attached file is not in the archive; it stays at the provider", err) < 0)
			return -1;
		lw_end_obj(w);
		return 0;
	}
	if (fy_json_streq(d, type, "input_audio")) {
		uint32_t a = fy_json_get(d, c, "input_audio");
		char mt[64];
		char *fmt = sdup(d, a, "format");

		snprintf(mt, sizeof(mt), "audio/%s", fmt ? fmt : "wav");
		free(fmt);
		lw_obj(w);
		lw_kstr(w, "type", "audio");
		if (inline_blob(m, w, d, fy_json_get(d, a, "data"), 1, mt, err) < 0)
			return -1;
		lw_end_obj(w);
		return 0;
	}
	if (fy_json_streq(d, type, "reasoning_text") || fy_json_streq(d, type, "summary_text")) {
		lw_obj(w);
		lw_kstr(w, "type", "reasoning");
		lw_kstr(w, "format", fy_json_streq(d, type, "summary_text") ? "summary" : "plain");
		kstr_node(w, "text", d, fy_json_get(d, c, "text"));
		lw_end_obj(w);
		return 0;
	}
	{
		char ct[160];
		char *t = fy_json_strdup(d, type, NULL);

		snprintf(ct, sizeof(ct), "%s/%s", m->adapter, t ? t : "unknown");
		free(t);
		lw_obj(w);
		lw_kstr(w, "type", "other");
		lw_kstr(w, "content_type", ct);
		lw_key(w, "data");
		lw_node(w, d, c);
		lw_end_obj(w);
	}
	return 0;
}

/* A tool_call part. */
static void tool_call(struct lw *w, const struct fy_jdoc *d, uint32_t id, const char *name,
		      uint32_t name_node, const char *tool_type, uint32_t args, int args_text,
		      uint32_t status, uint32_t server)
{
	lw_obj(w);
	lw_kstr(w, "type", "tool_call");
	kstr_or(w, "id", d, id, "");
	kstr_or(w, "name", d, name_node, name);
	lw_kstr(w, "tool_type", tool_type);
	if (args_text)
		kstr_node(w, "arguments", d, args);
	else
		kjson_text(w, "arguments", d, args);
	kstr_node(w, "server", d, server);
	kstr_node(w, "status", d, status);
	lw_end_obj(w);
}

static void tool_result(struct lw *w, const struct fy_jdoc *d, uint32_t call_id, const char *name,
			uint32_t output, int is_error)
{
	lw_obj(w);
	lw_kstr(w, "type", "tool_result");
	kstr_or(w, "call_id", d, call_id, "");
	lw_kstr(w, "name", name);
	kjson_text(w, "output", d, output);
	if (is_error) {
		lw_key(w, "is_error");
		lw_bool(w, 1);
	}
	lw_end_obj(w);
}

static const char *item_role(const struct fy_jdoc *d, uint32_t item, const char *type)
{
	static const char *const roles[] = { "user", "assistant", "system", "developer" };
	size_t i;

	if (!strcmp(type, "message")) {
		for (i = 0; i < 4; i++)
			if (live_streq(d, item, "role", roles[i]))
				return roles[i];
		return "user";
	}
	if (!strcmp(type, "function_call_output") || !strcmp(type, "custom_tool_call_output") ||
	    !strcmp(type, "computer_call_output") || !strcmp(type, "local_shell_call_output") ||
	    !strcmp(type, "mcp_approval_response"))
		return "tool";
	return "assistant";
}

/* The parts of one item. */
static int item_parts(const struct oai_map *m, struct lw *w, const struct fy_jdoc *d, uint32_t it,
		      const char *type, const char *msg_id, struct fy_error *err)
{
	uint32_t k, v, id = fy_json_get(d, it, "id"), call = fy_json_get(d, it, "call_id");
	uint32_t status = fy_json_get(d, it, "status");

	if (!strcmp(type, "message")) {
		uint32_t content = fy_json_get(d, it, "content");

		if (fy_json_type(d, content) == FY_JSTRING) {	/* EasyInputMessage */
			lw_obj(w);
			lw_kstr(w, "type", "text");
			lw_key(w, "text");
			lw_node(w, d, content);
			lw_end_obj(w);
			return 0;
		}
		FY_JSON_FOREACH(d, content, k, v)
			if (content_part(m, w, d, v, msg_id, err) < 0)
				return -1;
		return 0;
	}
	if (!strcmp(type, "function_call") || !strcmp(type, "custom_tool_call")) {
		int custom = type[0] == 'c';

		tool_call(w, d, call, "", fy_json_get(d, it, "name"), custom ? "custom" : "function",
			  fy_json_get(d, it, custom ? "input" : "arguments"), 1, status, FY_JNONE);
		return 0;
	}
	if (!strcmp(type, "function_call_output") || !strcmp(type, "custom_tool_call_output") ||
	    !strcmp(type, "local_shell_call_output")) {
		tool_result(w, d, !strcmp(type, "local_shell_call_output") ? id : call, NULL,
			    fy_json_get(d, it, "output"), 0);
		return 0;
	}
	if (!strcmp(type, "reasoning")) {
		uint32_t enc = fy_json_get(d, it, "encrypted_content");

		FY_JSON_FOREACH(d, fy_json_get(d, it, "summary"), k, v)
			if (content_part(m, w, d, v, msg_id, err) < 0)
				return -1;
		FY_JSON_FOREACH(d, fy_json_get(d, it, "content"), k, v)
			if (content_part(m, w, d, v, msg_id, err) < 0)
				return -1;
		if (fy_json_type(d, enc) == FY_JSTRING) {
			lw_obj(w);
			lw_kstr(w, "type", "reasoning");
			lw_kstr(w, "format", "encrypted");
			lw_key(w, "encrypted");
			lw_node(w, d, enc);
			lw_end_obj(w);
		}
		return 0;
	}
	if (!strcmp(type, "web_search_call")) {
		uint32_t action = fy_json_get(d, it, "action");

		tool_call(w, d, id, "web_search", FY_JNONE, "web_search", action, 0, status, FY_JNONE);
		FY_JSON_FOREACH(d, fy_json_get(d, action, "sources"), k, v) {
			lw_obj(w);
			lw_kstr(w, "type", "citation");
			kstr_node(w, "url", d, fy_json_get(d, v, "url"));
			kstr_node(w, "title", d, fy_json_get(d, v, "title"));
			lw_end_obj(w);
		}
		return 0;
	}
	if (!strcmp(type, "file_search_call")) {
		struct fy_buf q = FY_BUF_INIT(1 << 20);
		uint32_t res = fy_json_get(d, it, "results");

		/* arguments: {"queries": [...]} as the model asked. */
		if (fy_buf_adds(&q, "{\"queries\":", err) < 0 ||
		    (fy_json_get(d, it, "queries") != FY_JNONE ? fy_json_emit(d, fy_json_get(d, it, "queries"), &q, err)
							       : fy_buf_adds(&q, "[]", err)) < 0 ||
		    fy_buf_addc(&q, '}', err) < 0) {
			fy_buf_release(&q);
			return -1;
		}
		lw_obj(w);
		lw_kstr(w, "type", "tool_call");
		kstr_or(w, "id", d, id, "");
		lw_kstr(w, "name", "file_search");
		lw_kstr(w, "tool_type", "file_search");
		lw_key(w, "arguments");
		lw_strn(w, q.ptr, q.len);
		kstr_node(w, "status", d, status);
		lw_end_obj(w);
		fy_buf_release(&q);
		if (fy_json_type(d, res) == FY_JARRAY)
			tool_result(w, d, id, "file_search", res, 0);
		return 0;
	}
	if (!strcmp(type, "code_interpreter_call")) {
		tool_call(w, d, id, "code_interpreter", FY_JNONE, "code_interpreter", FY_JNONE, 0, status,
			  FY_JNONE);
		lw_obj(w);
		lw_kstr(w, "type", "code");
		lw_kstr(w, "language", "python");
		lw_key(w, "code");
		if (fy_json_type(d, fy_json_get(d, it, "code")) == FY_JSTRING)
			lw_node(w, d, fy_json_get(d, it, "code"));
		else
			lw_str(w, "");
		lw_end_obj(w);
		FY_JSON_FOREACH(d, fy_json_get(d, it, "outputs"), k, v) {
			if (live_streq(d, v, "type", "logs")) {
				lw_obj(w);
				lw_kstr(w, "type", "code_output");
				kstr_node(w, "output", d, fy_json_get(d, v, "logs"));
				lw_end_obj(w);
			} else if (live_streq(d, v, "type", "image")) {
				int got;

				lw_obj(w);
				lw_kstr(w, "type", "image");
				got = inline_blob(m, w, d, fy_json_get(d, v, "url"), 0, NULL, err);
				if (got < 0)
					return -1;
				if (!got)
					kstr_node(w, "url", d, fy_json_get(d, v, "url"));
				lw_end_obj(w);
			}
		}
		return 0;
	}
	if (!strcmp(type, "image_generation_call")) {
		int got;

		tool_call(w, d, id, "image_generation", FY_JNONE, "image_generation", FY_JNONE, 0, status,
			  FY_JNONE);
		lw_obj(w);
		lw_kstr(w, "type", "image");
		got = inline_blob(m, w, d, fy_json_get(d, it, "result"), 1, "image/png", err);
		if (got < 0)
			return -1;
		lw_end_obj(w);
		return 0;
	}
	if (!strcmp(type, "mcp_call")) {
		uint32_t e = fy_json_get(d, it, "error");

		tool_call(w, d, id, "", fy_json_get(d, it, "name"), "mcp", fy_json_get(d, it, "arguments"), 1,
			  status, fy_json_get(d, it, "server_label"));
		lw_obj(w);
		lw_kstr(w, "type", "tool_result");
		kstr_or(w, "call_id", d, id, "");
		kstr_node(w, "name", d, fy_json_get(d, it, "name"));
		if (fy_json_type(d, e) != FY_JNULL && e != FY_JNONE) {
			kjson_text(w, "output", d, e);
			lw_key(w, "is_error");
			lw_bool(w, 1);
		} else {
			kjson_text(w, "output", d, fy_json_get(d, it, "output"));
		}
		lw_end_obj(w);
		return 0;
	}
	if (!strcmp(type, "computer_call") || !strcmp(type, "local_shell_call")) {
		int shell = type[0] == 'l';

		tool_call(w, d, call, shell ? "local_shell" : "computer", FY_JNONE,
			  shell ? "local_shell" : "computer_use", fy_json_get(d, it, "action"), 0, status,
			  FY_JNONE);
		return 0;
	}
	if (!strcmp(type, "computer_call_output")) {
		uint32_t out = fy_json_get(d, it, "output");
		int got;

		lw_obj(w);
		lw_kstr(w, "type", "tool_result");
		kstr_or(w, "call_id", d, call, "");
		lw_kstr(w, "name", "computer");
		kstr_node(w, "output", d, fy_json_get(d, out, "type"));
		lw_end_obj(w);
		if (fy_json_get(d, out, "image_url") != FY_JNONE || fy_json_get(d, out, "file_id") != FY_JNONE) {
			lw_obj(w);
			lw_kstr(w, "type", "image");
			got = inline_blob(m, w, d, fy_json_get(d, out, "image_url"), 0, NULL, err);
			if (got < 0)
				return -1;
			if (!got)
				kstr_node(w, "url", d, fy_json_get(d, out, "image_url"));
			kfile(m, w, d, fy_json_get(d, out, "file_id"));
			lw_end_obj(w);
		}
		return 0;
	}
	{
		/* mcp_list_tools, mcp approvals, and types newer than this code: kept whole. */
		char ct[160];

		snprintf(ct, sizeof(ct), "%s/%s", m->adapter, type);
		lw_obj(w);
		lw_kstr(w, "type", "other");
		lw_kstr(w, "content_type", ct);
		lw_key(w, "data");
		lw_node(w, d, it);
		lw_end_obj(w);
	}
	return 0;
}

static void source(struct lw *w, const struct oai_map *m, const struct fy_jdoc *d, uint32_t id)
{
	lw_key(w, "source");
	lw_obj(w);
	lw_kstr(w, "adapter", m->adapter);
	kstr_node(w, "id", d, id);
	lw_end_obj(w);
}

static void ext(struct lw *w, const struct oai_map *m, const char *key, const struct fy_jdoc *d,
		uint32_t v)
{
	lw_key(w, "ext");
	lw_obj(w);
	lw_key(w, m->adapter);
	lw_obj(w);
	lw_key(w, key);
	lw_node(w, d, v);
	lw_end_obj(w);
	lw_end_obj(w);
}

static void parent(struct lw *w, const char *p)
{
	lw_key(w, "parent");
	if (p)
		lw_str(w, p);
	else
		lw_null(w);
}

int oai_item_message(const struct oai_map *m, const struct fy_jdoc *d, uint32_t item,
		     const char *thread_id, const char *parent_id, char *id_out, struct fy_buf *out,
		     struct fy_error *err)
{
	struct fy_buf tb = FY_BUF_INIT(256), raw = FY_BUF_INIT((size_t)64 << 20);
	uint32_t idn = fy_json_get(d, item, "id");
	const char *type;
	const char *role;
	struct lw w;
	int rc = -1;

	if (fy_json_type(d, item) != FY_JOBJECT)
		return fy_error_set(err, FY_E_DATA, "%s: an item is not an object", m->adapter);
	if (live_get_str(d, item, "type", &tb) < 0) {
		if (fy_json_get(d, item, "role") == FY_JNONE) {
			fy_buf_release(&tb);
			return fy_error_set(err, FY_E_DATA, "%s: an item has no type", m->adapter);
		}
		fy_buf_reset(&tb);
		fy_buf_adds(&tb, "message", NULL);
	}
	type = tb.ptr;
	if (fy_json_type(d, idn) != FY_JSTRING && fy_json_emit(d, item, &raw, err) < 0)
		goto out;
	make_id(d, idn, raw.ptr ? raw.ptr : "", raw.len, id_out);
	role = item_role(d, item, type);
	lw_init(&w, out, err);
	lw_obj(&w);
	lw_kstr(&w, "kind", "message");
	lw_kstr(&w, "id", id_out);
	lw_kstr(&w, "thread", thread_id);
	parent(&w, parent_id);
	lw_kstr(&w, "role", role);
	kstr_node(&w, "status", d, fy_json_get(d, item, "status"));
	if (m->model && !strcmp(role, "assistant"))
		lw_kstr(&w, "model", m->model);
	lw_ktime(&w, "created", m->created);
	lw_key(&w, "parts");
	lw_arr(&w);
	if (lw_failed(&w) || item_parts(m, &w, d, item, type, id_out, err) < 0)
		goto out;
	lw_end_arr(&w);
	source(&w, m, d, idn);
	ext(&w, m, "item", d, item);
	lw_end_obj(&w);
	rc = lw_done(&w);
out:
	fy_buf_release(&tb);
	fy_buf_release(&raw);
	return rc;
}

/* "metadata": the provider's metadata object when it has members. */
static void kmetadata(struct lw *w, const struct fy_jdoc *d, uint32_t md)
{
	if (fy_json_type(d, md) == FY_JOBJECT && fy_json_len(d, md))
		lw_knode(w, "metadata", d, md);
}

static int thread_record(const struct oai_map *m, const struct fy_jdoc *d, uint32_t obj,
			 uint32_t title, const char *agent, const char *last, const char *ext_key,
			 struct fy_buf *out, struct fy_error *err)
{
	uint32_t idn = fy_json_get(d, obj, "id");
	char id[FY_ID_MAX + 1];
	struct lw w;

	if (fy_json_type(d, idn) != FY_JSTRING)
		return fy_error_set(err, FY_E_DATA, "%s: a %s has no id", m->adapter, ext_key);
	make_id(d, idn, "", 0, id);
	lw_init(&w, out, err);
	lw_obj(&w);
	lw_kstr(&w, "kind", "thread");
	lw_kstr(&w, "id", id);
	if (fy_json_type(d, title) == FY_JSTRING)
		lw_knode(&w, "title", d, title);
	if (agent)
		lw_kstr(&w, "agent", agent);
	if (last)
		lw_kstr(&w, "active_leaf", last);
	ktime_node(&w, "created", d, fy_json_get(d, obj, "created_at"));
	kmetadata(&w, d, fy_json_get(d, obj, "metadata"));
	source(&w, m, d, idn);
	ext(&w, m, ext_key, d, obj);
	lw_end_obj(&w);
	return lw_done(&w);
}

int oai_conversation_thread(const struct oai_map *m, const struct fy_jdoc *d, uint32_t conv,
			    const char *last, struct fy_buf *out, struct fy_error *err)
{
	return thread_record(m, d, conv, fy_json_get(d, fy_json_get(d, conv, "metadata"), "title"), NULL,
			     last, "conversation", out, err);
}

int oai_response_thread(const struct oai_map *m, const struct fy_jdoc *d, uint32_t resp,
			const char *last, struct fy_buf *out, struct fy_error *err)
{
	return thread_record(m, d, resp, FY_JNONE, NULL, last, "response", out, err);
}

int oai_chatkit_thread(const struct oai_map *m, const struct fy_jdoc *d, uint32_t thread,
		       const char *last, struct fy_buf *out, struct fy_error *err)
{
	return thread_record(m, d, thread, fy_json_get(d, thread, "title"), NULL, last, "chatkit_thread",
			     out, err);
}

int oai_chatkit_message(const struct oai_map *m, const struct fy_jdoc *d, uint32_t item,
			const char *thread_id, const char *parent_id, char *id_out,
			struct fy_buf *out, struct fy_error *err)
{
	uint32_t idn = fy_json_get(d, item, "id"), k, v;
	struct lw w;
	int user = live_streq(d, item, "type", "chatkit.user_message");
	int asst = live_streq(d, item, "type", "chatkit.assistant_message");
	int call = live_streq(d, item, "type", "chatkit.client_tool_call");

	if (fy_json_type(d, idn) != FY_JSTRING)
		return fy_error_set(err, FY_E_DATA, "%s: a ChatKit item has no id", m->adapter);
	make_id(d, idn, "", 0, id_out);
	lw_init(&w, out, err);
	lw_obj(&w);
	lw_kstr(&w, "kind", "message");
	lw_kstr(&w, "id", id_out);
	lw_kstr(&w, "thread", thread_id);
	parent(&w, parent_id);
	lw_kstr(&w, "role", user ? "user" : "assistant");
	kstr_node(&w, "status", d, fy_json_get(d, item, "status"));
	kstr_node(&w, "model", d, fy_json_get(d, fy_json_get(d, item, "inference_options"), "model"));
	ktime_node(&w, "created", d, fy_json_get(d, item, "created_at"));
	lw_key(&w, "parts");
	lw_arr(&w);
	if (user || asst) {
		FY_JSON_FOREACH(d, fy_json_get(d, item, "content"), k, v)
			if (content_part(m, &w, d, v, id_out, err) < 0)
				return -1;
		FY_JSON_FOREACH(d, fy_json_get(d, item, "attachments"), k, v) {
			lw_obj(&w);
			lw_kstr(&w, "type", live_streq(d, v, "type", "image") ? "image" : "file");
			kstr_node(&w, "name", d, fy_json_get(d, v, "name"));
			kstr_node(&w, "media_type", d, fy_json_get(d, v, "mime_type"));
			kstr_node(&w, "url", d, fy_json_get(d, v, "preview_url"));
			lw_end_obj(&w);
		}
	} else if (call) {
		tool_call(&w, d, fy_json_get(d, item, "call_id"), "", fy_json_get(d, item, "name"), "client",
			  fy_json_get(d, item, "arguments"), 1, fy_json_get(d, item, "status"), FY_JNONE);
		if (fy_json_type(d, fy_json_get(d, item, "output")) == FY_JSTRING)
			tool_result(&w, d, fy_json_get(d, item, "call_id"), NULL, fy_json_get(d, item, "output"), 0);
	} else {
		struct fy_buf t = FY_BUF_INIT(256);
		char ct[160];

		live_get_str(d, item, "type", &t);
		snprintf(ct, sizeof(ct), "%s/%s", m->adapter, t.ptr ? t.ptr : "chatkit.item");
		fy_buf_release(&t);
		lw_obj(&w);
		lw_kstr(&w, "type", "other");
		lw_kstr(&w, "content_type", ct);
		lw_key(&w, "data");
		lw_node(&w, d, item);
		lw_end_obj(&w);
	}
	lw_end_arr(&w);
	source(&w, m, d, idn);
	ext(&w, m, "chatkit_item", d, item);
	lw_end_obj(&w);
	return lw_done(&w);
}

int oai_file_record(const struct oai_map *m, const struct fy_jdoc *d, uint32_t file,
		    const char *blob, struct fy_buf *out, struct fy_error *err)
{
	uint32_t idn = fy_json_get(d, file, "id");
	char id[FY_ID_MAX + 1];
	struct lw w;

	if (fy_json_type(d, idn) != FY_JSTRING)
		return fy_error_set(err, FY_E_DATA, "%s: a file has no id", m->adapter);
	make_id(d, idn, "", 0, id);
	lw_init(&w, out, err);
	lw_obj(&w);
	lw_kstr(&w, "kind", "file");
	lw_kstr(&w, "id", id);
	lw_key(&w, "name");
	if (fy_json_type(d, fy_json_get(d, file, "filename")) == FY_JSTRING)
		lw_node(&w, d, fy_json_get(d, file, "filename"));
	else
		lw_str(&w, id);
	lw_kstr(&w, "blob", blob);
	kint_node(&w, "size", d, fy_json_get(d, file, "bytes"));
	kstr_node(&w, "purpose", d, fy_json_get(d, file, "purpose"));
	ktime_node(&w, "created", d, fy_json_get(d, file, "created_at"));
	source(&w, m, d, idn);
	ext(&w, m, "file", d, file);
	lw_end_obj(&w);
	return lw_done(&w);
}

int oai_vector_store_record(const struct oai_map *m, const struct fy_jdoc *d, uint32_t vs,
			    const struct fy_jdoc *fd, uint32_t files, struct fy_buf *out,
			    struct fy_error *err)
{
	uint32_t idn = fy_json_get(d, vs, "id"), k, v, st = FY_JNONE;
	char id[FY_ID_MAX + 1];
	struct lw w;

	if (fy_json_type(d, idn) != FY_JSTRING)
		return fy_error_set(err, FY_E_DATA, "%s: a vector store has no id", m->adapter);
	make_id(d, idn, "", 0, id);
	lw_init(&w, out, err);
	lw_obj(&w);
	lw_kstr(&w, "kind", "knowledge");
	lw_kstr(&w, "id", id);
	lw_key(&w, "name");
	if (fy_json_type(d, fy_json_get(d, vs, "name")) == FY_JSTRING)
		lw_node(&w, d, fy_json_get(d, vs, "name"));
	else
		lw_str(&w, id);
	kstr_node(&w, "description", d, fy_json_get(d, vs, "description"));
	lw_key(&w, "files");
	lw_arr(&w);
	FY_JSON_FOREACH(fd, files, k, v) {
		char *fid = fy_json_get_strdup(fd, v, "id"), fy[FY_ID_MAX + 1];

		if (!fid)
			continue;
		if (!m->has_file || m->has_file(m->cb, fid)) {
			fy_id_make(fid, strlen(fid), fy);
			lw_str(&w, fy);
			if (st == FY_JNONE)
				st = fy_json_get(fd, fy_json_get(fd, v, "chunking_strategy"), "static");
		} else if (ledger(m, "knowledge", id, "files", "degraded", "file-not-exported",
				  "a file of the vector store is not in the archive", err) < 0) {
			free(fid);
			return -1;
		}
		free(fid);
	}
	lw_end_arr(&w);
	if (st != FY_JNONE) {
		lw_key(&w, "chunking");
		lw_obj(&w);
		lw_kstr(&w, "strategy", "static");
		kint_node(&w, "max_tokens", fd, fy_json_get(fd, st, "max_chunk_size_tokens"));
		kint_node(&w, "overlap_tokens", fd, fy_json_get(fd, st, "chunk_overlap_tokens"));
		lw_end_obj(&w);
	}
	ktime_node(&w, "created", d, fy_json_get(d, vs, "created_at"));
	ktime_node(&w, "updated", d, fy_json_get(d, vs, "last_active_at"));
	kmetadata(&w, d, fy_json_get(d, vs, "metadata"));
	source(&w, m, d, idn);
	lw_key(&w, "ext");
	lw_obj(&w);
	lw_key(&w, m->adapter);
	lw_obj(&w);
	lw_knode(&w, "vector_store", d, vs);
	lw_key(&w, "files");
	lw_node(&w, fd, files);
	lw_end_obj(&w);
	lw_end_obj(&w);
	lw_end_obj(&w);
	return lw_done(&w);
}

/* --- Assistants-era objects ---------------------------------------------------- */

int oai_assistant_records(const struct oai_map *m, const struct fy_jdoc *d, uint32_t asst,
			  int (*has_store)(void *cb, const char *id), struct fy_buf *out,
			  struct fy_error *err)
{
	uint32_t idn = fy_json_get(d, asst, "id"), tools = fy_json_get(d, asst, "tools"), k, v;
	char aid[FY_ID_MAX + 1];
	char **tids = NULL;
	size_t ntids = 0, i;
	struct lw w;
	int rc = -1;

	if (fy_json_type(d, idn) != FY_JSTRING)
		return fy_error_set(err, FY_E_DATA, "%s: an assistant has no id", m->adapter);
	make_id(d, idn, "", 0, aid);
	tids = calloc(fy_json_len(d, tools) + 1, sizeof(char *));
	if (!tids)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	FY_JSON_FOREACH(d, tools, k, v) {
		struct fy_buf t = FY_BUF_INIT(256), key = FY_BUF_INIT(1024);
		uint32_t fn = fy_json_get(d, v, "function");
		const char *type, *neutral;
		char tid[FY_ID_MAX + 1];

		live_get_str(d, v, "type", &t);
		type = t.ptr ? t.ptr : "unknown";
		neutral = !strcmp(type, "function") ? "function" :
			  !strcmp(type, "code_interpreter") ? "code_interpreter" :
			  !strcmp(type, "file_search") ? "file_search" :
			  !strcmp(type, "web_search") || !strcmp(type, "bing_grounding") ? "web_search" :
			  !strcmp(type, "mcp") ? "mcp" : !strcmp(type, "openapi") ? "openapi" : "builtin";
		/* A tool's id: "<assistant>.<function name>" or "<assistant>.<type>". */
		{
			struct fy_buf nm = FY_BUF_INIT(1024);

			if (live_get_str(d, fn, "name", &nm) < 0)
				fy_buf_adds(&nm, type, NULL);
			fy_buf_addf(&key, NULL, "%s.%s", aid, nm.ptr ? nm.ptr : "");
			fy_buf_release(&nm);
		}
		fy_id_make(key.ptr ? key.ptr : "", key.len, tid);
		tids[ntids] = strdup(tid);
		lw_init(&w, out, err);
		lw_obj(&w);
		lw_kstr(&w, "kind", "tool");
		lw_kstr(&w, "id", tid);
		lw_kstr(&w, "type", neutral);
		lw_key(&w, "name");
		if (fn != FY_JNONE && fy_json_type(d, fy_json_get(d, fn, "name")) == FY_JSTRING)
			lw_node(&w, d, fy_json_get(d, fn, "name"));
		else
			lw_str(&w, type);
		kstr_node(&w, "description", d, fy_json_get(d, fn, "description"));
		if (fy_json_type(d, fy_json_get(d, fn, "parameters")) == FY_JOBJECT)
			lw_knode(&w, "parameters", d, fy_json_get(d, fn, "parameters"));
		if (fy_json_type(d, fy_json_get(d, fn, "strict")) == FY_JTRUE ||
		    fy_json_type(d, fy_json_get(d, fn, "strict")) == FY_JFALSE)
			lw_knode(&w, "strict", d, fy_json_get(d, fn, "strict"));
		if ((!strcmp(neutral, "builtin") || !strcmp(neutral, "file_search")) &&
		    fy_json_type(d, v) == FY_JOBJECT)
			lw_knode(&w, "config", d, v);
		lw_key(&w, "source");
		lw_obj(&w);
		lw_kstr(&w, "adapter", m->adapter);
		lw_kstr(&w, "id", key.ptr ? key.ptr : "");
		lw_end_obj(&w);
		lw_end_obj(&w);
		fy_buf_release(&t);
		fy_buf_release(&key);
		if (lw_done(&w) < 0 || !tids[ntids] || fy_buf_addc(out, '\n', err) < 0)
			goto out;
		ntids++;
	}
	lw_init(&w, out, err);
	lw_obj(&w);
	lw_kstr(&w, "kind", "agent");
	lw_kstr(&w, "id", aid);
	lw_key(&w, "name");
	if (fy_json_type(d, fy_json_get(d, asst, "name")) == FY_JSTRING)
		lw_node(&w, d, fy_json_get(d, asst, "name"));
	else
		lw_str(&w, aid);
	kstr_node(&w, "description", d, fy_json_get(d, asst, "description"));
	kstr_node(&w, "instructions", d, fy_json_get(d, asst, "instructions"));
	if (fy_json_type(d, fy_json_get(d, asst, "model")) == FY_JSTRING) {
		uint32_t t = fy_json_get(d, asst, "temperature"), p = fy_json_get(d, asst, "top_p");
		uint32_t re = fy_json_get(d, asst, "reasoning_effort");

		lw_key(&w, "model");
		lw_obj(&w);
		lw_kstr(&w, "provider", "openai");
		lw_knode(&w, "name", d, fy_json_get(d, asst, "model"));
		if (fy_json_type(d, t) == FY_JNUMBER || fy_json_type(d, p) == FY_JNUMBER ||
		    fy_json_type(d, re) == FY_JSTRING) {
			lw_key(&w, "parameters");
			lw_obj(&w);
			if (fy_json_type(d, t) == FY_JNUMBER)
				lw_knode(&w, "temperature", d, t);
			if (fy_json_type(d, p) == FY_JNUMBER)
				lw_knode(&w, "top_p", d, p);
			kstr_node(&w, "reasoning_effort", d, re);
			lw_end_obj(&w);
		}
		lw_end_obj(&w);
	}
	if (fy_json_type(d, fy_json_get(d, asst, "response_format")) == FY_JOBJECT)
		lw_knode(&w, "response_format", d, fy_json_get(d, asst, "response_format"));
	lw_key(&w, "tools");
	lw_arr(&w);
	for (i = 0; i < ntids; i++)
		lw_str(&w, tids[i]);
	lw_end_arr(&w);
	{
		uint32_t ids = fy_json_get(d, fy_json_get(d, fy_json_get(d, asst, "tool_resources"), "file_search"),
					   "vector_store_ids");

		lw_key(&w, "knowledge");
		lw_arr(&w);
		FY_JSON_FOREACH(d, ids, k, v) {
			char *vid = fy_json_strdup(d, v, NULL), kid[FY_ID_MAX + 1];

			if (!vid)
				continue;
			if (has_store && has_store(m->cb, vid)) {
				fy_id_make(vid, strlen(vid), kid);
				lw_str(&w, kid);
			} else if (ledger(m, "agent", aid, "knowledge", "degraded", "store-not-exported",
					  "a vector store of the assistant is not in the archive", err) < 0) {
				free(vid);
				goto out;
			}
			free(vid);
		}
		lw_end_arr(&w);
	}
	ktime_node(&w, "created", d, fy_json_get(d, asst, "created_at"));
	kmetadata(&w, d, fy_json_get(d, asst, "metadata"));
	source(&w, m, d, idn);
	ext(&w, m, "assistant", d, asst);
	lw_end_obj(&w);
	if (lw_done(&w) < 0 || fy_buf_addc(out, '\n', err) < 0)
		goto out;
	rc = 0;
out:
	for (i = 0; i < ntids; i++)
		free(tids[i]);
	free(tids);
	return rc;
}

int oai_classic_thread(const struct oai_map *m, const struct fy_jdoc *d, uint32_t thread,
		       const char *agent, const char *last, struct fy_buf *out, struct fy_error *err)
{
	return thread_record(m, d, thread, fy_json_get(d, fy_json_get(d, thread, "metadata"), "title"),
			     agent, last, "thread", out, err);
}

int oai_classic_message(const struct oai_map *m, const struct fy_jdoc *d, uint32_t msg,
			const char *thread_id, const char *parent_id, char *id_out,
			struct fy_buf *out, struct fy_error *err)
{
	uint32_t idn = fy_json_get(d, msg, "id"), k, v;
	int assistant = live_streq(d, msg, "role", "assistant");
	struct lw w;

	if (fy_json_type(d, idn) != FY_JSTRING)
		return fy_error_set(err, FY_E_DATA, "%s: a message has no id", m->adapter);
	make_id(d, idn, "", 0, id_out);
	lw_init(&w, out, err);
	lw_obj(&w);
	lw_kstr(&w, "kind", "message");
	lw_kstr(&w, "id", id_out);
	lw_kstr(&w, "thread", thread_id);
	parent(&w, parent_id);
	lw_kstr(&w, "role", assistant ? "assistant" : "user");
	kstr_node(&w, "status", d, fy_json_get(d, msg, "status"));
	if (assistant && m->model)
		lw_kstr(&w, "model", m->model);
	if (fy_json_type(d, fy_json_get(d, msg, "assistant_id")) == FY_JSTRING) {
		lw_key(&w, "author");
		lw_obj(&w);
		lw_knode(&w, "id", d, fy_json_get(d, msg, "assistant_id"));
		lw_end_obj(&w);
	}
	ktime_node(&w, "created", d, fy_json_get(d, msg, "created_at"));
	lw_key(&w, "parts");
	lw_arr(&w);
	FY_JSON_FOREACH(d, fy_json_get(d, msg, "content"), k, v)
		if (content_part(m, &w, d, v, id_out, err) < 0)
			return -1;
	FY_JSON_FOREACH(d, fy_json_get(d, msg, "attachments"), k, v) {
		lw_obj(&w);
		lw_kstr(&w, "type", "file");
		if (!kfile(m, &w, d, fy_json_get(d, v, "file_id")))
			kstr_node(&w, "name", d, fy_json_get(d, v, "file_id"));
		lw_end_obj(&w);
	}
	lw_end_arr(&w);
	kmetadata(&w, d, fy_json_get(d, msg, "metadata"));
	source(&w, m, d, idn);
	ext(&w, m, "message", d, msg);
	lw_end_obj(&w);
	return lw_done(&w);
}

int oai_run_step_messages(const struct oai_map *m, const struct fy_jdoc *d, uint32_t step,
			  const char *thread_id, const char *parent_id, char *last_out,
			  struct fy_buf *out, struct fy_error *err)
{
	uint32_t idn = fy_json_get(d, step, "id"), calls, k, v;
	char id[FY_ID_MAX + 1], rid[FY_ID_MAX + 1];
	struct fy_buf rb = FY_BUF_INIT(1024);
	struct lw w;
	int results = 0, pass;

	if (!live_streq(d, fy_json_get(d, step, "step_details"), "type", "tool_calls"))
		return 0;
	if (fy_json_type(d, idn) != FY_JSTRING)
		return fy_error_set(err, FY_E_DATA, "%s: a run step has no id", m->adapter);
	calls = fy_json_get(d, fy_json_get(d, step, "step_details"), "tool_calls");
	make_id(d, idn, "", 0, id);
	live_get_str(d, step, "id", &rb);
	fy_buf_adds(&rb, ".results", NULL);
	fy_id_make(rb.ptr ? rb.ptr : "", rb.len, rid);
	fy_buf_release(&rb);
	for (pass = 0; pass < 2; pass++) {
		lw_init(&w, out, err);
		lw_obj(&w);
		lw_kstr(&w, "kind", "message");
		lw_kstr(&w, "id", pass ? rid : id);
		lw_kstr(&w, "thread", thread_id);
		parent(&w, pass ? id : parent_id);
		lw_kstr(&w, "role", pass ? "tool" : "assistant");
		kstr_node(&w, "status", d, fy_json_get(d, step, "status"));
		if (!pass && m->model)
			lw_kstr(&w, "model", m->model);
		ktime_node(&w, "created", d, fy_json_get(d, step, pass ? "completed_at" : "created_at"));
		lw_key(&w, "parts");
		lw_arr(&w);
		FY_JSON_FOREACH(d, calls, k, v) {
			uint32_t cid = fy_json_get(d, v, "id");

			if (live_streq(d, v, "type", "function")) {
				uint32_t fn = fy_json_get(d, v, "function");

				if (!pass) {
					tool_call(&w, d, cid, "", fy_json_get(d, fn, "name"), "function",
						  fy_json_get(d, fn, "arguments"), 1, FY_JNONE, FY_JNONE);
				} else if (fy_json_type(d, fy_json_get(d, fn, "output")) == FY_JSTRING) {
					lw_obj(&w);
					lw_kstr(&w, "type", "tool_result");
					kstr_or(&w, "call_id", d, cid, "");
					kstr_node(&w, "name", d, fy_json_get(d, fn, "name"));
					lw_knode(&w, "output", d, fy_json_get(d, fn, "output"));
					lw_end_obj(&w);
					results++;
				}
			} else if (live_streq(d, v, "type", "code_interpreter")) {
				uint32_t ci = fy_json_get(d, v, "code_interpreter"), o, kk;

				if (!pass) {
					tool_call(&w, d, cid, "code_interpreter", FY_JNONE, "code_interpreter",
						  FY_JNONE, 0, FY_JNONE, FY_JNONE);
					lw_obj(&w);
					lw_kstr(&w, "type", "code");
					lw_kstr(&w, "language", "python");
					lw_key(&w, "code");
					if (fy_json_type(d, fy_json_get(d, ci, "input")) == FY_JSTRING)
						lw_node(&w, d, fy_json_get(d, ci, "input"));
					else
						lw_str(&w, "");
					lw_end_obj(&w);
					continue;
				}
				FY_JSON_FOREACH(d, fy_json_get(d, ci, "outputs"), kk, o) {
					if (live_streq(d, o, "type", "logs")) {
						lw_obj(&w);
						lw_kstr(&w, "type", "code_output");
						kstr_node(&w, "output", d, fy_json_get(d, o, "logs"));
						lw_end_obj(&w);
						results++;
					} else if (live_streq(d, o, "type", "image")) {
						lw_obj(&w);
						lw_kstr(&w, "type", "image");
						kfile(m, &w, d, fy_json_get(d, fy_json_get(d, o, "image"), "file_id"));
						lw_end_obj(&w);
						results++;
					}
				}
			} else {
				/* file_search, and anything newer: call and result kept as JSON. */
				struct fy_buf t = FY_BUF_INIT(256);
				uint32_t body;

				live_get_str(d, v, "type", &t);
				body = fy_json_get(d, v, t.ptr ? t.ptr : "");
				if (!pass) {
					tool_call(&w, d, cid, t.ptr ? t.ptr : "tool", FY_JNONE,
						  t.ptr && !strcmp(t.ptr, "file_search") ? "file_search" : "builtin",
						  fy_json_get(d, body, "ranking_options"), 0, FY_JNONE, FY_JNONE);
				} else if (fy_json_get(d, body, "results") != FY_JNONE) {
					tool_result(&w, d, cid, t.ptr, fy_json_get(d, body, "results"), 0);
					results++;
				}
				fy_buf_release(&t);
			}
		}
		lw_end_arr(&w);
		source(&w, m, d, idn);
		if (!pass)
			ext(&w, m, "step", d, step);
		lw_end_obj(&w);
		if (pass && !results) {
			/* No results: drop the half-written record. */
			size_t nl = out->len;

			while (nl > 0 && out->ptr[nl - 1] != '\n')
				nl--;
			out->len = nl;
			out->ptr[nl] = '\0';
			break;
		}
		if (lw_done(&w) < 0 || fy_buf_addc(out, '\n', err) < 0)
			return -1;
		snprintf(last_out, FY_ID_MAX + 1, "%s", pass ? rid : id);
	}
	return 0;
}

/* --- import --------------------------------------------------------------------- */

static int uledger(const struct oai_unmap *u, const char *id, const char *field, const char *outcome,
		   const char *rule, const char *reason, struct fy_error *err)
{
	return u->ledger ? u->ledger(u->cb, id, field, outcome, rule, reason, err) : 0;
}

/*
 * Copy a provider item through, without its id (the target assigns
 * ids) and with every file_id mapped to the target's; parts referring to
 * a file the target does not have are left out (ledger).
 */
static int copy_item(const struct oai_unmap *u, const struct fy_jdoc *d, uint32_t v, int top,
		     const char *msg_id, const char *under, struct lw *w, struct fy_error *err)
{
	uint32_t k, key, val, el;

	switch (fy_json_type(d, v)) {
	case FY_JOBJECT:
		lw_obj(w);
		FY_JSON_FOREACH_MEMBER(d, v, k, key, val) {
			char *name = fy_json_strdup(d, key, NULL);

			if (!name)
				return fy_error_set(err, FY_E_NOMEM, "out of memory");
			if (top && (!strcmp(name, "id") ||
				    (!u->same_account && !strcmp(name, "encrypted_content")))) {
				free(name);
				continue;
			}
			if (!strcmp(name, "file_id") && fy_json_type(d, val) == FY_JSTRING) {
				char *src = fy_json_strdup(d, val, NULL);
				const char *dst = src && u->file_id ? u->file_id(u->cb, src) : NULL;

				lw_key(w, name);
				if (dst)
					lw_str(w, dst);
				else
					lw_node(w, d, val);
				free(src);
			} else {
				lw_key(w, name);
				if (copy_item(u, d, val, 0, msg_id, name, w, err) < 0) {
					free(name);
					return -1;
				}
			}
			free(name);
		}
		lw_end_obj(w);
		return 0;
	case FY_JARRAY:
		lw_arr(w);
		FY_JSON_FOREACH(d, v, k, el) {
			uint32_t fid = fy_json_get(d, el, "file_id");

			if (fy_json_type(d, fid) == FY_JSTRING && u->file_id) {
				char *src = fy_json_strdup(d, fid, NULL);
				const char *dst = src ? u->file_id(u->cb, src) : NULL;

				free(src);
				if (!dst) {
					/*
					 * Without uploads the target's table covers image and
					 * file parts and file search results (no-file-upload).
					 */
					int covered = u->no_files && (live_streq(d, el, "type", "input_image") ||
								      live_streq(d, el, "type", "input_file") ||
								      (under && !strcmp(under, "results")));

					if (!covered &&
					    uledger(u, msg_id,
						    under && !strcmp(under, "annotations") ? "parts.citations"
											  : "parts.file",
						    "degraded", "file-not-imported",
						    "a part refers to a file the target does not have; left out",
						    err) < 0)
						return -1;
					continue;
				}
			}
			if (copy_item(u, d, el, 0, msg_id, NULL, w, err) < 0)
				return -1;
		}
		lw_end_arr(w);
		return 0;
	default:
		lw_node(w, d, v);
		return 0;
	}
}

/* Text of a part field, or "". */
static void kpart_text(struct lw *w, const char *key, const struct fy_jdoc *d, uint32_t p,
		       const char *field)
{
	uint32_t v = fy_json_get(d, p, field);

	lw_key(w, key);
	if (fy_json_type(d, v) == FY_JSTRING)
		lw_node(w, d, v);
	else
		lw_str(w, "");
}

/* A part field as a string: itself when a string, else its JSON; def when absent. */
static int kpart_json_text(struct lw *w, const char *key, const struct fy_jdoc *d, uint32_t p,
			   const char *field, const char *def, struct fy_error *err)
{
	uint32_t v = fy_json_get(d, p, field);
	struct fy_buf a = FY_BUF_INIT(1 << 24);

	lw_key(w, key);
	if (fy_json_type(d, v) == FY_JSTRING) {
		lw_node(w, d, v);
	} else if (v == FY_JNONE || fy_json_type(d, v) == FY_JNULL) {
		lw_str(w, def);
	} else {
		if (fy_json_emit(d, v, &a, err) < 0) {
			fy_buf_release(&a);
			return -1;
		}
		lw_strn(w, a.ptr ? a.ptr : "", a.len);
		fy_buf_release(&a);
	}
	return 0;
}

/* An integer field of a part, or def. */
static int64_t part_int(const struct fy_jdoc *d, uint32_t p, const char *key, int64_t def)
{
	int64_t v;

	return fy_json_int(d, fy_json_get(d, p, key), &v) == 0 ? v : def;
}

/* The target's id of a source file id: NULL when unknown, or when the target takes no uploads. */
static const char *target_file(const struct oai_unmap *u, const char *fid)
{
	return fid && u->file_id && !u->no_files ? u->file_id(u->cb, fid) : NULL;
}

/*
 * A text part's citations as output_text annotations (url_citation,
 * file_citation with the target's file id). Those with neither a URL nor
 * a file are left out (the table's citation-not-kept line says so); those
 * whose file the target does not have are left out and counted in
 * *unfiled.
 */
static void annotations(const struct oai_unmap *u, const struct fy_jdoc *d, uint32_t p, struct lw *w,
			size_t *unfiled)
{
	uint32_t k, c;

	lw_key(w, "annotations");
	lw_arr(w);
	FY_JSON_FOREACH(d, fy_json_get(d, p, "citations"), k, c) {
		char *fid = fy_json_get_strdup(d, c, "file");
		const char *target = target_file(u, fid);
		uint32_t title = fy_json_get(d, c, "title");

		if (fy_json_type(d, fy_json_get(d, c, "url")) == FY_JSTRING) {
			lw_obj(w);
			lw_kstr(w, "type", "url_citation");
			lw_knode(w, "url", d, fy_json_get(d, c, "url"));
			lw_key(w, "title");
			if (fy_json_type(d, title) == FY_JSTRING)
				lw_node(w, d, title);
			else
				lw_str(w, "");
			lw_key(w, "start_index");
			lw_int(w, part_int(d, c, "start", 0));
			lw_key(w, "end_index");
			lw_int(w, part_int(d, c, "end", 0));
			lw_end_obj(w);
		} else if (target) {
			lw_obj(w);
			lw_kstr(w, "type", "file_citation");
			lw_kstr(w, "file_id", target);
			lw_key(w, "filename");
			if (fy_json_type(d, title) == FY_JSTRING)
				lw_node(w, d, title);
			else
				lw_str(w, "");
			lw_key(w, "index");
			lw_int(w, part_int(d, c, "start", 0));
			lw_end_obj(w);
		} else if (fid && !u->no_files) {
			(*unfiled)++;
		}
		free(fid);
	}
	lw_end_arr(w);
}

/*
 * The text that stands for a part without an input item of its own
 * (code, code output, audio, a citation, other content), into t.
 */
static int part_as_text(const struct fy_jdoc *d, uint32_t p, struct fy_buf *t, struct fy_error *err)
{
	struct fy_buf a = FY_BUF_INIT(1 << 24), b = FY_BUF_INIT(1 << 24);
	int rc = 0;

	if (live_streq(d, p, "type", "code")) {
		live_get_str(d, p, "language", &a);
		live_get_str(d, p, "code", &b);
		rc = fy_buf_addf(t, err, "```%s\n%s\n```", a.ptr ? a.ptr : "", b.ptr ? b.ptr : "");
	} else if (live_streq(d, p, "type", "code_output")) {
		live_get_str(d, p, "output", &b);
		rc = fy_buf_addf(t, err, "```output\n%s\n```", b.ptr ? b.ptr : "");
	} else if (live_streq(d, p, "type", "audio")) {
		if (live_get_str(d, p, "transcript", &b) == 0)
			rc = fy_buf_addf(t, err, "[audio] %s", b.ptr);
		else
			rc = fy_buf_adds(t, "[audio without a transcript]", err);
	} else if (live_streq(d, p, "type", "citation")) {
		live_get_str(d, p, "title", &a);
		if (live_get_str(d, p, "url", &b) < 0)
			live_get_str(d, p, "file", &b);
		rc = fy_buf_addf(t, err, "[%s](%s)", a.ptr ? a.ptr : "source", b.ptr ? b.ptr : "");
		if (rc == 0 && (fy_buf_reset(&a), live_get_str(d, p, "text", &a) == 0))
			rc = fy_buf_addf(t, err, ": %s", a.ptr);
	} else {
		live_get_str(d, p, "content_type", &a);
		rc = fy_buf_addf(t, err, "[%s] ", a.ptr ? a.ptr : (live_get_str(d, p, "type", &b), b.ptr ? b.ptr : "content"));
		if (rc == 0 && fy_json_get(d, p, "data") != FY_JNONE) {
			if (fy_json_type(d, fy_json_get(d, p, "data")) == FY_JSTRING) {
				fy_buf_reset(&b);
				rc = fy_json_str(d, fy_json_get(d, p, "data"), &b, err);
				if (rc == 0)
					rc = fy_buf_add(t, b.ptr ? b.ptr : "", b.len, err);
			} else {
				rc = fy_json_emit(d, fy_json_get(d, p, "data"), t, err);
			}
		}
	}
	fy_buf_release(&a);
	fy_buf_release(&b);
	return rc;
}

/*
 * Build items from the neutral parts of a message from another provider.
 * What becomes what is the adapter's capability table: text, refusal,
 * image and file parts gather into one message item; a tool call is a
 * function_call and its result a function_call_output; reasoning text a
 * reasoning item's summary; code, code output, audio transcripts,
 * citation parts and other content become text. The table's lines say
 * what is lost from the record alone (an image without bytes, file or URL;
 * a citation without URL or file: the sink reports them); what only the
 * run knows, a file named that the target does not have, gets a ledger
 * line here, one a message.
 */
static int build_items(const struct oai_unmap *u, const struct fy_jdoc *d, const char *id,
		       struct fy_buf *out, size_t *count, struct fy_error *err)
{
	uint32_t parts = fy_json_get(d, 0, "parts"), k, p;
	struct fy_buf role = FY_BUF_INIT(64);
	struct lw w;
	size_t unfiled_parts = 0, unfiled_citations = 0;
	int assistant, open = 0, rc = -1;

	live_get_str(d, 0, "role", &role);
	assistant = role.ptr && !strcmp(role.ptr, "assistant");
	if (role.ptr && !strcmp(role.ptr, "tool")) {
		fy_buf_reset(&role);
		fy_buf_adds(&role, "user", NULL);
	}
	/* Text-like parts gather into one message; calls, results, reasoning are items of their own. */
	FY_JSON_FOREACH(d, parts, k, p) {
		uint32_t type = fy_json_get(d, p, "type");
		int item = fy_json_streq(d, type, "tool_call") || fy_json_streq(d, type, "tool_result") ||
			   fy_json_streq(d, type, "reasoning");

		if (!item && !open) {
			if (*count && fy_buf_addc(out, '\n', err) < 0)
				goto out;
			lw_init(&w, out, err);
			lw_obj(&w);
			lw_kstr(&w, "type", "message");
			lw_kstr(&w, "role", role.ptr ? role.ptr : "user");
			lw_key(&w, "content");
			lw_arr(&w);
			open = 1;
		}
		if (item && open) {
			lw_end_arr(&w);
			lw_end_obj(&w);
			if (lw_done(&w) < 0)
				goto out;
			(*count)++;
			open = 0;
		}
		if (fy_json_streq(d, type, "text")) {
			lw_obj(&w);
			lw_kstr(&w, "type", assistant ? "output_text" : "input_text");
			kpart_text(&w, "text", d, p, "text");
			if (assistant)
				annotations(u, d, p, &w, &unfiled_citations);
			lw_end_obj(&w);
		} else if (fy_json_streq(d, type, "refusal")) {
			lw_obj(&w);
			lw_kstr(&w, "type", "refusal");
			kpart_text(&w, "refusal", d, p, "text");
			lw_end_obj(&w);
		} else if (fy_json_streq(d, type, "image") || fy_json_streq(d, type, "file")) {
			int image = fy_json_streq(d, type, "image");
			char *fid = fy_json_get_strdup(d, p, "file"), *blob = fy_json_get_strdup(d, p, "blob");
			char *name = fy_json_get_strdup(d, p, "name"), *mt = fy_json_get_strdup(d, p, "media_type");
			const char *target = target_file(u, fid);

			if (!target && blob && u->blob_file) {
				fy_error_clear(err);
				target = u->blob_file(u->cb, blob, name, mt, err);
				if (!target && err->code != FY_E_OK) {
					free(fid), free(blob), free(name), free(mt);
					goto out;
				}
			}
			if (target) {
				lw_obj(&w);
				lw_kstr(&w, "type", image ? "input_image" : "input_file");
				lw_kstr(&w, "file_id", target);
				if (image)
					lw_kstr(&w, "detail", "auto");
				lw_end_obj(&w);
			} else if (fy_json_type(d, fy_json_get(d, p, "url")) == FY_JSTRING) {
				lw_obj(&w);
				lw_kstr(&w, "type", image ? "input_image" : "input_file");
				lw_knode(&w, image ? "image_url" : "file_url", d, fy_json_get(d, p, "url"));
				lw_end_obj(&w);
			} else {
				lw_obj(&w);
				lw_kstr(&w, "type", "input_text");
				lw_key(&w, "text");
				{
					char note[512];

					snprintf(note, sizeof(note), "[%s %s not available]", image ? "image" : "file",
						 name ? name : "");
					lw_str(&w, note);
				}
				lw_end_obj(&w);
				unfiled_parts += fid && !u->no_files;
			}
			free(fid), free(blob), free(name), free(mt);
		} else if (fy_json_streq(d, type, "tool_call")) {
			if (*count && fy_buf_addc(out, '\n', err) < 0)
				goto out;
			lw_init(&w, out, err);
			lw_obj(&w);
			lw_kstr(&w, "type", "function_call");
			kpart_text(&w, "call_id", d, p, "id");
			kpart_text(&w, "name", d, p, "name");
			if (kpart_json_text(&w, "arguments", d, p, "arguments", "{}", err) < 0)
				goto out;
			lw_end_obj(&w);
			if (lw_done(&w) < 0)
				goto out;
			(*count)++;
		} else if (fy_json_streq(d, type, "tool_result")) {
			if (*count && fy_buf_addc(out, '\n', err) < 0)
				goto out;
			lw_init(&w, out, err);
			lw_obj(&w);
			lw_kstr(&w, "type", "function_call_output");
			kpart_text(&w, "call_id", d, p, "call_id");
			if (kpart_json_text(&w, "output", d, p, "output", "", err) < 0)
				goto out;
			lw_end_obj(&w);
			if (lw_done(&w) < 0)
				goto out;
			(*count)++;
		} else if (fy_json_streq(d, type, "reasoning")) {
			/* Only the text crosses: encrypted reasoning is for the vendor that made it. */
			if (fy_json_type(d, fy_json_get(d, p, "text")) != FY_JSTRING)
				continue;
			if (*count && fy_buf_addc(out, '\n', err) < 0)
				goto out;
			lw_init(&w, out, err);
			lw_obj(&w);
			lw_kstr(&w, "type", "reasoning");
			lw_key(&w, "summary");
			lw_arr(&w);
			lw_obj(&w);
			lw_kstr(&w, "type", "summary_text");
			lw_knode(&w, "text", d, fy_json_get(d, p, "text"));
			lw_end_obj(&w);
			lw_end_arr(&w);
			lw_end_obj(&w);
			if (lw_done(&w) < 0)
				goto out;
			(*count)++;
		} else {
			struct fy_buf t = FY_BUF_INIT(1 << 24);

			if (part_as_text(d, p, &t, err) < 0) {
				fy_buf_release(&t);
				goto out;
			}
			lw_obj(&w);
			lw_kstr(&w, "type", assistant ? "output_text" : "input_text");
			lw_key(&w, "text");
			lw_strn(&w, t.ptr ? t.ptr : "", t.len);
			if (assistant) {
				lw_key(&w, "annotations");
				lw_arr(&w);
				lw_end_arr(&w);
			}
			lw_end_obj(&w);
			fy_buf_release(&t);
		}
	}
	if (open) {
		lw_end_arr(&w);
		lw_end_obj(&w);
		if (lw_done(&w) < 0)
			goto out;
		(*count)++;
	}
	if (unfiled_parts) {
		char why[160];

		snprintf(why, sizeof(why),
			 "%zu image or file part(s) name a file the target does not have: a note in the text instead",
			 unfiled_parts);
		if (uledger(u, id, "parts.file", "degraded", "file-not-imported", why, err) < 0)
			goto out;
	}
	if (unfiled_citations) {
		char why[160];

		snprintf(why, sizeof(why), "%zu citation(s) name a file the target does not have: left out",
			 unfiled_citations);
		if (uledger(u, id, "parts.citations", "degraded", "file-not-imported", why, err) < 0)
			goto out;
	}
	rc = 0;
out:
	fy_buf_release(&role);
	return rc;
}

int oai_message_items(const struct oai_unmap *u, const struct fy_jdoc *d, struct fy_buf *out,
		      size_t *count, struct fy_error *err)
{
	uint32_t item = fy_json_get(d, fy_json_get(d, fy_json_get(d, 0, "ext"), u->adapter), "item");
	char *id = fy_json_get_strdup(d, 0, "id");
	struct lw w;
	int rc = -1;

	*count = 0;
	if (fy_json_type(d, item) == FY_JOBJECT) {
		/*
		 * Encrypted reasoning only goes back to the organisation that made
		 * it: elsewhere the item crosses without it (the table's
		 * parts.format=encrypted line), and not at all when nothing else is
		 * left of it.
		 */
		if (live_streq(d, item, "type", "reasoning") && !u->same_account &&
		    fy_json_get(d, item, "encrypted_content") != FY_JNONE &&
		    !fy_json_len(d, fy_json_get(d, item, "summary")) &&
		    !fy_json_len(d, fy_json_get(d, item, "content"))) {
			rc = 0;
			goto out;
		}
		lw_init(&w, out, err);
		if (copy_item(u, d, item, 1, id, NULL, &w, err) < 0 || lw_done(&w) < 0)
			goto out;
		*count = 1;
		rc = 0;
		goto out;
	}
	rc = build_items(u, d, id ? id : "", out, count, err);
out:
	free(id);
	return rc;
}

/* --- a set of Assistants-era objects ---------------------------------------------- */

void oai_objset_init(struct oai_objset *s)
{
	memset(s, 0, sizeof(*s));
}

static void obj_free(struct oai_obj *o)
{
	free(o->type);
	free(o->id);
	free(o->thread);
	free(o->run);
	free(o->store);
	free(o->json);
}

void oai_objset_release(struct oai_objset *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		obj_free(&s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int known_type(const char *t)
{
	static const char *const types[] = { "assistant", "thread", "thread.message", "thread.run",
					     "thread.run.step", "file", "vector_store", "vector_store.file",
					     NULL };
	size_t i;

	for (i = 0; types[i]; i++)
		if (!strcmp(t, types[i]))
			return 1;
	return 0;
}

static int add_node(struct oai_objset *s, const struct fy_jdoc *d, uint32_t v, int depth,
		    struct fy_error *err)
{
	uint32_t k, el;
	char *type;
	struct oai_obj o;
	size_t i;

	if (depth > 8)
		return 0;
	if (fy_json_type(d, v) == FY_JARRAY) {
		FY_JSON_FOREACH(d, v, k, el)
			if (add_node(s, d, el, depth + 1, err) < 0)
				return -1;
		return 0;
	}
	if (fy_json_type(d, v) != FY_JOBJECT) {
		s->ignored++;
		return 0;
	}
	type = fy_json_get_strdup(d, v, "object");
	if (type && !strcmp(type, "list")) {
		free(type);
		return add_node(s, d, fy_json_get(d, v, "data"), depth + 1, err);
	}
	if (!type || !known_type(type) || fy_json_type(d, fy_json_get(d, v, "id")) != FY_JSTRING) {
		free(type);
		s->ignored++;
		return 0;
	}
	memset(&o, 0, sizeof(o));
	o.type = type;
	o.id = fy_json_get_strdup(d, v, "id");
	o.thread = fy_json_get_strdup(d, v, "thread_id");
	o.run = fy_json_get_strdup(d, v, "run_id");
	o.store = fy_json_get_strdup(d, v, "vector_store_id");
	o.created = live_get_int(d, v, "created_at", 0);
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].type, o.type) && !strcmp(s->v[i].id, o.id) &&
		    (!o.store || !s->v[i].store || !strcmp(o.store, s->v[i].store))) {
			obj_free(&o);
			return 0;
		}
	{
		struct fy_buf b = FY_BUF_INIT((size_t)64 << 20);

		if (fy_json_emit(d, v, &b, err) < 0) {
			obj_free(&o);
			fy_buf_release(&b);
			return -1;
		}
		o.json = fy_buf_detach(&b, &o.len);
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct oai_obj *p = realloc(s->v, cap * sizeof(*p));

		if (!p) {
			obj_free(&o);
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		}
		s->v = p;
		s->cap = cap;
	}
	s->v[s->n++] = o;
	return 0;
}

int oai_objset_add(struct oai_objset *s, const char *json, size_t len, struct fy_error *err)
{
	struct fy_jdoc d;
	int rc;

	fy_jdoc_init(&d);
	rc = fy_jdoc_parse(&d, json, len, 0, err);
	if (rc == 0)
		rc = add_node(s, &d, 0, 0, err);
	fy_jdoc_release(&d);
	return rc;
}

static int obj_cmp(const void *a, const void *b)
{
	const struct oai_obj *x = *(const struct oai_obj *const *)a, *y = *(const struct oai_obj *const *)b;

	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

struct objset_cb {
	const struct oai_objset *s;
};

static int set_has(const struct oai_objset *s, const char *type, const char *id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].type, type) && !strcmp(s->v[i].id, id))
			return 1;
	return 0;
}

static int set_has_file(void *cb, const char *id)
{
	return set_has(((struct objset_cb *)cb)->s, "file", id);
}

static int set_has_store(void *cb, const char *id)
{
	return set_has(((struct objset_cb *)cb)->s, "vector_store", id);
}

/* The objects of one type (optionally of one thread), sorted by time. */
static struct oai_obj **select_objs(struct oai_objset *s, const char *type, const char *thread,
				    size_t *n)
{
	struct oai_obj **v = calloc(s->n + 1, sizeof(*v));
	size_t i;

	*n = 0;
	if (!v)
		return NULL;
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].type, type) && (!thread || (s->v[i].thread && !strcmp(s->v[i].thread, thread))))
			v[(*n)++] = &s->v[i];
	qsort(v, *n, sizeof(*v), obj_cmp);
	return v;
}

/* Parse o into d (o->json stays alive while d is used). */
static int obj_doc(struct fy_jdoc *d, const struct oai_obj *o, struct fy_error *err)
{
	return fy_jdoc_parse(d, o->json, o->len, 0, err);
}

struct event {
	struct oai_obj *o;
	int rank;		/* steps (0) before the messages (1) of the same second */
};

static int event_cmp(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	if (x->o->created != y->o->created)
		return x->o->created < y->o->created ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	return strcmp(x->o->id, y->o->id);
}

int oai_objset_records(const struct oai_map *m0, struct oai_objset *s,
		       int (*emit)(void *cb, const char *json, size_t len, struct fy_error *err),
		       void *cb, struct fy_error *err)
{
	struct objset_cb ocb = { s };
	struct oai_map m = *m0;
	struct fy_buf out = FY_BUF_INIT((size_t)1 << 30);
	struct fy_jdoc d, d2;
	struct oai_obj **v = NULL, **w = NULL;
	size_t n = 0, nw = 0, i, j;
	int rc = -1;

	m.has_file = set_has_file;
	m.cb = &ocb;
	fy_jdoc_init(&d);
	fy_jdoc_init(&d2);
#define EMIT_LINES()                                                                 \
	do {                                                                         \
		const char *p_ = out.ptr, *e_;                                       \
		for (; p_ && *p_; p_ = e_ + 1) {                                     \
			e_ = strchr(p_, '\n');                                       \
			if (!e_)                                                     \
				e_ = p_ + strlen(p_);                                \
			if (e_ > p_ && emit(cb, p_, (size_t)(e_ - p_), err) < 0)     \
				goto out;                                            \
			if (!*e_)                                                    \
				break;                                               \
		}                                                                    \
		fy_buf_reset(&out);                                                  \
	} while (0)

	/* Files: their bytes are not part of a dump. */
	if (!(v = select_objs(s, "file", NULL, &n)))
		goto nomem;
	for (i = 0; i < n; i++) {
		if (obj_doc(&d, v[i], err) < 0 || oai_file_record(&m, &d, 0, NULL, &out, err) < 0 ||
		    ledger(&m, "file", v[i]->id, "blob", "degraded", "bytes-not-exported",
			   "the dump has the file's description, not its bytes", err) < 0)
			goto out;
		EMIT_LINES();
	}
	free(v);
	if (!(v = select_objs(s, "vector_store", NULL, &n)))
		goto nomem;
	for (i = 0; i < n; i++) {
		struct fy_buf arr = FY_BUF_INIT((size_t)1 << 30);

		fy_buf_addc(&arr, '[', NULL);
		for (j = 0, nw = 0; j < s->n; j++)
			if (!strcmp(s->v[j].type, "vector_store.file") && s->v[j].store &&
			    !strcmp(s->v[j].store, v[i]->id)) {
				if (nw++)
					fy_buf_addc(&arr, ',', NULL);
				fy_buf_add(&arr, s->v[j].json, s->v[j].len, NULL);
			}
		if (fy_buf_addc(&arr, ']', err) < 0 || obj_doc(&d, v[i], err) < 0 ||
		    fy_jdoc_parse(&d2, arr.ptr, arr.len, 0, err) < 0 ||
		    oai_vector_store_record(&m, &d, 0, &d2, 0, &out, err) < 0) {
			fy_buf_release(&arr);
			goto out;
		}
		fy_buf_release(&arr);
		EMIT_LINES();
	}
	free(v);
	if (!(v = select_objs(s, "assistant", NULL, &n)))
		goto nomem;
	for (i = 0; i < n; i++) {
		if (obj_doc(&d, v[i], err) < 0 || oai_assistant_records(&m, &d, 0, set_has_store, &out, err) < 0)
			goto out;
		EMIT_LINES();
	}
	free(v);
	if (!(v = select_objs(s, "thread", NULL, &n)))
		goto nomem;
	for (i = 0; i < n; i++) {
		struct oai_obj **msgs = NULL, **steps = NULL, **runs = NULL;
		size_t nm = 0, ns = 0, nr = 0, ne = 0, k;
		struct event *ev;
		char tid[FY_ID_MAX + 1], last[FY_ID_MAX + 1] = "", *agent = NULL;
		struct fy_buf body = FY_BUF_INIT((size_t)1 << 34);

		msgs = select_objs(s, "thread.message", v[i]->id, &nm);
		steps = select_objs(s, "thread.run.step", v[i]->id, &ns);
		runs = select_objs(s, "thread.run", v[i]->id, &nr);
		ev = calloc(nm + ns + 1, sizeof(*ev));
		if (!msgs || !steps || !runs || !ev) {
			free(msgs), free(steps), free(runs), free(ev);
			goto nomem;
		}
		for (k = 0; k < nm; k++)
			ev[ne++] = (struct event){ msgs[k], 1 };
		for (k = 0; k < ns; k++)
			ev[ne++] = (struct event){ steps[k], 0 };
		qsort(ev, ne, sizeof(*ev), event_cmp);
		fy_id_make(v[i]->id, strlen(v[i]->id), tid);
		for (k = 0; k < ne; k++) {
			char id[FY_ID_MAX + 1] = "";
			size_t r;
			char *mdl = NULL;

			/* The run names the model and, for the thread, the assistant. */
			for (r = 0; r < nr && ev[k].o->run; r++)
				if (!strcmp(runs[r]->id, ev[k].o->run) && obj_doc(&d2, runs[r], err) == 0) {
					mdl = fy_json_get_strdup(&d2, 0, "model");
					if (!agent) {
						char *a = fy_json_get_strdup(&d2, 0, "assistant_id");

						if (a && set_has(s, "assistant", a)) {
							agent = malloc(FY_ID_MAX + 1);
							if (agent)
								fy_id_make(a, strlen(a), agent);
						}
						free(a);
					}
				}
			m.model = mdl;
			if (obj_doc(&d, ev[k].o, err) < 0 ||
			    (ev[k].rank ? oai_classic_message(&m, &d, 0, tid, last[0] ? last : NULL, id, &body, err) < 0 ||
						  fy_buf_addc(&body, '\n', err) < 0
					: oai_run_step_messages(&m, &d, 0, tid, last[0] ? last : NULL, id, &body, err) < 0)) {
				free(mdl);
				break;
			}
			if (id[0])
				memcpy(last, id, sizeof(id));
			free(mdl);
			m.model = NULL;
		}
		if (k < ne) {
			free(msgs), free(steps), free(runs), free(ev), free(agent);
			fy_buf_release(&body);
			goto out;
		}
		if (obj_doc(&d, v[i], err) < 0 ||
		    oai_classic_thread(&m, &d, 0, agent, last[0] ? last : NULL, &out, err) < 0 ||
		    fy_buf_addc(&out, '\n', err) < 0 || fy_buf_add(&out, body.ptr ? body.ptr : "", body.len, err) < 0) {
			free(msgs), free(steps), free(runs), free(ev), free(agent);
			fy_buf_release(&body);
			goto out;
		}
		free(msgs), free(steps), free(runs), free(ev), free(agent);
		fy_buf_release(&body);
		EMIT_LINES();
	}
	rc = 0;
	goto out;
nomem:
	fy_error_set(err, FY_E_NOMEM, "out of memory");
out:
#undef EMIT_LINES
	free(v);
	free(w);
	fy_buf_release(&out);
	fy_jdoc_release(&d);
	fy_jdoc_release(&d2);
	return rc;
}
