/*
 * fuzz_openai.c - the pure mappings of the openai and azure adapters
 * (adapters/openai_map.c, and azure.c's agents and memories). The first
 * byte picks the adapter (bit 0x80: azure, else openai) and, modulo 9,
 * what the rest is - the shapes the live sources hand the mapping:
 *   0: a conversation {..., "items": [item, ...]} -> its messages, chained
 *      (oai_item_message), then its thread (oai_conversation_thread);
 *   1: {"response": Response, "input_items": [...]} -> input and output
 *      items as messages, then the thread (oai_response_thread);
 *   2: {"thread": ChatKit thread, "items": [...]} (oai_chatkit_message,
 *      oai_chatkit_thread);
 *   3: a file object (oai_file_record, with and without its bytes);
 *   4: a vector store with its "files" (oai_vector_store_record);
 *   5: JSON Lines of Assistants-era objects or list pages: assistants,
 *      threads, messages, runs, run steps (oai_objset_add,
 *      oai_objset_records);
 *   6: an Azure agent's versions, an array (azure_agent_records);
 *   7: {"store": memory store, "items": [memory item, ...]}
 *      (azure_memory_record);
 *   8: a neutral message record -> the input items an import sends back
 *      (oai_message_items; a hostile archive's record that passes its
 *      schema); (byte & 0x7f) / 9 sets same_account (1) and no_files (2).
 * Seeds: tests/lib/provgen.py's fixture (every item type) and
 * samples/openai/ (tests/fuzz/mkseeds.py).
 *
 * Invariants: no crash, leak or hang; a refusal carries a message; every
 * record and ledger line of an accepted object passes its schema (fatal
 * with FUZZ_STRICT=1, see fuzz.h).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "item.h"
#include "openai_map.h"
#include "schema.h"

/* Defined in adapters/azure.c (no header of their own). */
int azure_agent_records(const struct fy_jdoc *d, uint32_t vers, struct fy_buf *out,
			struct fy_error *err);
int azure_memory_record(const struct fy_jdoc *d, uint32_t item, const struct fy_jdoc *sd,
			uint32_t store, struct fy_buf *out, struct fy_error *err);

static int has_file(void *cb, const char *id)
{
	(void)cb;
	return id[0] && (id[strlen(id) - 1] & 1);
}

static const char *file_id(void *cb, const char *id)
{
	(void)cb;
	return id[0] && (id[0] & 1) ? "file-target" : NULL;
}

static const char *blob_file(void *cb, const char *hex, const char *name, const char *media_type,
			     struct fy_error *err)
{
	(void)cb;
	(void)name;
	(void)media_type;
	(void)err;
	return hex[0] == '0' ? NULL : "file-uploaded";
}

static int unmap_ledger(void *cb, const char *id, const char *field, const char *outcome,
			const char *rule, const char *reason, struct fy_error *err)
{
	(void)cb;
	(void)id;
	(void)field;
	(void)outcome;
	(void)rule;
	(void)reason;
	(void)err;
	return 0;
}

/* The elements of arr as messages of thread tid after *last; then the thread record. */
static int messages(const struct oai_map *m, const struct fy_jdoc *d, uint32_t arr, int chatkit,
		    char *last, struct fy_buf *out, struct fy_error *err)
{
	uint32_t k, it;

	FY_JSON_FOREACH(d, arr, k, it) {
		char id[FY_ID_MAX + 1];
		int rc;

		fy_buf_reset(out);
		rc = chatkit ? oai_chatkit_message(m, d, it, "thread-1", last[0] ? last : NULL, id, out, err)
			     : oai_item_message(m, d, it, "thread-1", last[0] ? last : NULL, id, out, err);
		if (rc < 0)
			return -1;
		fuzz_check_text(FY_ITEM_RECORD, FY_KIND_MESSAGE, out->ptr, out->len, m->adapter);
		memcpy(last, id, sizeof(id));
	}
	return 0;
}

static int objset(const struct oai_map *m, const char *text, size_t len, struct fy_error *err)
{
	struct oai_objset s;
	const char *p = text, *end = text + len;
	int rc = 0;

	oai_objset_init(&s);
	while (rc == 0 && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n)
			rc = oai_objset_add(&s, p, n, err);
		p += n + 1;
	}
	if (rc == 0)
		rc = oai_objset_records(m, &s, fuzz_emit_record, (void *)m->adapter, err);
	oai_objset_release(&s);
	return rc;
}

static int import_items(const char *adapter, int same, const struct fy_jdoc *d, struct fy_buf *out,
			struct fy_error *err)
{
	struct oai_unmap u = { .adapter = adapter, .same_account = same & 1, .no_files = same & 2,
			       .file_id = file_id, .blob_file = blob_file, .ledger = unmap_ledger };
	size_t count = 0;
	int rc;

	/* The reader hands a sink only records that pass their schema. */
	if (fy_schema_validate_kind(fy_schemaset_default(NULL), FY_KIND_MESSAGE, d, 0, 0, err) < 0)
		return 0;
	rc = oai_message_items(&u, d, out, &count, err);

	if (rc == 0) {
		/* each item is one JSON object */
		const char *p = out->ptr ? out->ptr : "", *end = p + out->len;
		size_t lines = 0;
		struct fy_jdoc one;

		fy_jdoc_init(&one);
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

			FUZZ_ASSERT(fy_jdoc_parse(&one, p, n, 0, err) == 0 &&
				    fy_json_type(&one, 0) == FY_JOBJECT);
			lines++;
			p += n + 1;
		}
		fy_jdoc_release(&one);
		FUZZ_ASSERT(lines == count);
	}
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fy_buf out = FY_BUF_INIT((size_t)1 << 26), rec = FY_BUF_INIT((size_t)1 << 26);
	struct oai_map m;
	struct fy_error err;
	struct fy_jdoc d;
	char last[FY_ID_MAX + 1] = "";
	const char *text = (const char *)data + 1;
	size_t len;
	uint32_t r, k, el;
	int rc = 0, one = 1;	/* one: rec holds the one record mapped */

	if (size < 1)
		return 0;
	len = size - 1;
	memset(&m, 0, sizeof(m));
	m.adapter = data[0] & 0x80 ? "azure" : "openai";
	m.blob = fuzz_emit_blob;
	m.has_file = has_file;
	m.ledger = fuzz_emit_ledger;
	m.cb = (void *)m.adapter;
	fy_jdoc_init(&d);
	fy_error_clear(&err);
	if ((data[0] & 0x7f) % 9 == 5) {
		rc = objset(&m, text, len, &err);
		goto done;
	}
	if (fuzz_parse_tail(&d, data, size) < 0)
		goto out;
	switch ((data[0] & 0x7f) % 9) {
	case 0:
		rc = messages(&m, &d, fy_json_get(&d, 0, "items"), 0, last, &out, &err);
		if (rc == 0)
			rc = oai_conversation_thread(&m, &d, 0, last[0] ? last : NULL, &rec, &err);
		break;
	case 1:
		r = fy_json_get(&d, 0, "response");
		rc = messages(&m, &d, fy_json_get(&d, 0, "input_items"), 0, last, &out, &err);
		if (rc == 0) {
			char *model = fy_json_get_strdup(&d, r, "model");

			m.model = model;
			m.created = 1761000000;
			rc = messages(&m, &d, fy_json_get(&d, r, "output"), 0, last, &out, &err);
			m.model = NULL;
			free(model);
		}
		if (rc == 0)
			rc = oai_response_thread(&m, &d, r, last[0] ? last : NULL, &rec, &err);
		break;
	case 2:
		rc = messages(&m, &d, fy_json_get(&d, 0, "items"), 1, last, &out, &err);
		if (rc == 0)
			rc = oai_chatkit_thread(&m, &d, fy_json_get(&d, 0, "thread"), last[0] ? last : NULL,
						&rec, &err);
		break;
	case 3:
		rc = oai_file_record(&m, &d, 0, NULL, &rec, &err);
		if (rc == 0) {
			fuzz_check_text(FY_ITEM_RECORD, FY_KIND_FILE, rec.ptr, rec.len, m.adapter);
			fy_buf_reset(&rec);
			rc = oai_file_record(&m, &d, 0,
					     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
					     &rec, &err);
		}
		break;
	case 4:
		rc = oai_vector_store_record(&m, &d, 0, &d, fy_json_get(&d, 0, "files"), &rec, &err);
		break;
	case 6:
		rc = azure_agent_records(&d, 0, &rec, &err);
		if (rc == 0)
			fuzz_check_lines(FY_ITEM_RECORD, FY_KIND_NONE, rec.ptr, rec.len, "azure");
		one = 0;
		break;
	case 7:
		FY_JSON_FOREACH(&d, fy_json_get(&d, 0, "items"), k, el) {
			fy_buf_reset(&rec);
			rc = azure_memory_record(&d, el, &d, fy_json_get(&d, 0, "store"), &rec, &err);
			if (rc < 0)
				break;
			fuzz_check_text(FY_ITEM_RECORD, FY_KIND_MEMORY, rec.ptr, rec.len, "azure");
		}
		one = 0;
		break;
	default:
		rc = import_items(m.adapter, (data[0] & 0x7f) / 9, &d, &out, &err);
		one = 0;
		break;
	}
	if (rc == 0 && one)
		fuzz_check_text(FY_ITEM_RECORD, FY_KIND_NONE, rec.ptr, rec.len, m.adapter);
done:
	if (rc < 0)
		fuzz_refused("map", &err);
out:
	fy_buf_release(&out);
	fy_buf_release(&rec);
	fy_jdoc_release(&d);
	return 0;
}
