/*
 * fuzz_pump.c - source items through the export pump (adapters/pump.c:
 * filters, secret scan) into the archive writer, and the archive back
 * through the reader.
 *
 * Input: a first byte of options (bits 0-1 a kind filter, bit 2 --agent,
 * bit 3 --since, bits 4-5 the secret scan mode, bits 6-7 the chunk size),
 * then one item per line: 'R' record JSON, 'L' ledger JSON, 'B' blob
 * bytes in hex (so a blob can hold any byte), 'W' "adapter/path bytes" for
 * a raw member.
 *
 * The invariant that matters: whatever the writer accepts and commits,
 * the reader verifies, with the same counts per kind and of blobs. An
 * archive ferry writes and then refuses to read would be a lost backup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pump.h"
#include "reader.h"
#include "sha256.h"
#include "writer.h"

struct src {
	const char *p, *end;
	struct fy_buf line;
	char hex[FY_SHA256_HEX];
	char raw[256];
	const char *data;
	size_t n, off;
};

static int mem_read(void *ctx, void *buf, size_t n, size_t *got, struct fy_error *err)
{
	struct src *s = ctx;
	size_t k = s->n - s->off < n ? s->n - s->off : n;

	(void)err;
	memcpy(buf, s->data + s->off, k);
	s->off += k;
	*got = k;
	return 0;
}

static int src_next(void *state, struct fy_item *it, struct fy_error *err)
{
	struct src *s = state;

	while (s->p < s->end) {
		const char *nl = memchr(s->p, '\n', (size_t)(s->end - s->p));
		size_t n = nl ? (size_t)(nl - s->p) : (size_t)(s->end - s->p);
		const char *l = s->p;

		s->p += n + 1;
		if (n == 0)
			continue;
		fy_buf_reset(&s->line);
		if (fy_buf_add(&s->line, l + 1, n - 1, err) < 0)
			return -1;
		memset(it, 0, sizeof(*it));
		switch (l[0]) {
		case 'R':
		case 'L':
			it->type = l[0] == 'R' ? FY_ITEM_RECORD : FY_ITEM_LEDGER;
			it->json = s->line.ptr;
			it->len = s->line.len;
			return 1;
		case 'B': {
			unsigned char sha[FY_SHA256_LEN];
			size_t k, o = 0;

			/* Decode the hex in place; other characters are skipped. */
			for (k = 0; k + 1 < s->line.len; k += 2) {
				int hi = fuzz_hexval(s->line.ptr[k]), lo = fuzz_hexval(s->line.ptr[k + 1]);

				if (hi < 0 || lo < 0)
					continue;
				s->line.ptr[o++] = (char)(hi << 4 | lo);
			}
			s->line.len = o;
			fy_sha256(s->line.ptr, s->line.len, sha);
			fy_hex(sha, sizeof(sha), s->hex);
			it->type = FY_ITEM_BLOB;
			it->name = s->hex;
			s->data = s->line.ptr;
			s->n = s->line.len;
			break;
		}
		case 'W': {
			const char *sp = memchr(s->line.ptr, ' ', s->line.len);
			size_t plen = sp ? (size_t)(sp - s->line.ptr) : s->line.len;

			if (plen >= sizeof(s->raw))
				continue;
			memcpy(s->raw, s->line.ptr, plen);
			s->raw[plen] = '\0';
			it->type = FY_ITEM_RAW;
			it->name = s->raw;
			s->data = sp ? sp + 1 : "";
			s->n = sp ? s->line.len - plen - 1 : 0;
			break;
		}
		default:
			continue;
		}
		s->off = 0;
		it->size = s->n;
		it->read = mem_read;
		it->ctx = s;
		return 1;
	}
	return 0;
}

static const struct fy_adapter fuzz_src = {
	.name = "fuzz",
	.flags = FY_ADAPTER_READ,
	.read_next = src_next,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned kind_sets[4] = {
		0, 1u << FY_KIND_MESSAGE, (1u << FY_KIND_AGENT) | (1u << FY_KIND_MEMORY),
		1u << FY_KIND_TOOL,
	};
	static const size_t chunks[4] = { 0, 64, 512, 4096 };
	struct src s = { 0 };
	struct fy_adapter_ctx ctx;
	struct fy_writer_options o;
	struct fy_writer_stats st;
	struct fy_pump_stats ps;
	struct fy_writer *w;
	struct fy_error err;
	char path[4200];
	char *scope;

	if (size < 1)
		return 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.name = "fuzz";
	ctx.location = "";
	ctx.kinds = kind_sets[data[0] & 3];
	ctx.agent = data[0] & 4 ? "support-bot" : NULL;
	ctx.since = data[0] & 8 ? 1704067200 : INT64_MIN;
	ctx.secrets = (data[0] >> 4) & 3;
	fy_buf_init(&s.line, (size_t)1 << 20);
	s.p = (const char *)data + 1;
	s.end = (const char *)data + size;
	scope = fy_pump_scope_json(&ctx);
	fy_writer_options_init(&o);
	o.source_adapter = "fuzz";
	o.created = 1700000000;
	o.scope_json = scope;
	o.chunk_size = chunks[data[0] >> 6];
	o.threads = 1;
	o.level = 1;
	snprintf(path, sizeof(path), "%s/pump.ferry", fuzz_tmpdir());
	w = fy_writer_open(path, &o, &err);
	FUZZ_ASSERT(w != NULL);
	if (fy_pump(&fuzz_src, &s, &ctx, w, NULL, &ps, &err) == 0 &&
	    fy_writer_close(w, &st, &err) == 0) {
		fy_error_clear(&err);
		fuzz_note("written", &err);
		fuzz_read_back(path, &st);
	} else {
		fuzz_note("export", &err);
		FUZZ_ASSERT(err.code != FY_E_OK && err.msg[0]);
	}
	fy_writer_free(w);
	remove(path);
	fy_buf_release(&s.line);
	free(scope);
	return 0;
}
