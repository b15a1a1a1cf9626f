/*
 * diff-print.c - text and JSON output of fy_diff(). See diff-print.h.
 */
#include "diff-print.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "json.h"

struct printer {
	struct fy_buf *json;	/* JSON mode: the document being built */
	const struct fy_diff_summary *sum;
	const char *label_a, *label_b;
	int nchanges;
	struct fy_jdoc d;
	struct fy_buf s;
};

/* Print a JSON value compactly, at most max bytes of it. */
static void print_value(struct printer *p, uint32_t v, size_t max)
{
	fy_buf_reset(&p->s);
	if (v == FY_JNONE) {
		fputs("(none)", stdout);
		return;
	}
	if (fy_json_emit(&p->d, v, &p->s, NULL) < 0)
		return;
	if (p->s.len > max)
		printf("%.*s...", (int)max, p->s.ptr);
	else
		fwrite(p->s.ptr, 1, p->s.len, stdout);
}

static void print_ids(struct printer *p, uint32_t arr, const char *sign)
{
	uint32_t k, el;

	FY_JSON_FOREACH(&p->d, arr, k, el) {
		fy_buf_reset(&p->s);
		fy_json_str(&p->d, el, &p->s, NULL);
		printf(" %s%s", sign, p->s.ptr ? p->s.ptr : "");
	}
}

static void print_fields(struct printer *p, uint32_t fields)
{
	uint32_t k, f;

	FY_JSON_FOREACH(&p->d, fields, k, f) {
		uint32_t diff = fy_json_get(&p->d, f, "diff");
		uint32_t added = fy_json_get(&p->d, f, "added");

		fy_buf_reset(&p->s);
		fy_json_str(&p->d, fy_json_get(&p->d, f, "field"), &p->s, NULL);
		printf("  %s:", p->s.ptr ? p->s.ptr : "");
		if (diff != FY_JNONE) {
			char *line, *save = NULL;

			fy_buf_reset(&p->s);
			fy_json_str(&p->d, diff, &p->s, NULL);
			putchar('\n');
			for (line = strtok_r(p->s.ptr, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save))
				printf("    %s\n", line);
		} else if (added != FY_JNONE) {
			print_ids(p, added, "+");
			print_ids(p, fy_json_get(&p->d, f, "removed"), "-");
			putchar('\n');
		} else {
			putchar(' ');
			print_value(p, fy_json_get(&p->d, f, "old"), 300);
			fputs(" -> ", stdout);
			print_value(p, fy_json_get(&p->d, f, "new"), 300);
			putchar('\n');
		}
	}
}

static void print_msg_part(struct printer *p, uint32_t msgs, const char *what, const char *ids,
			   int *first)
{
	int64_t n = 0;

	if (fy_json_int(&p->d, fy_json_get(&p->d, msgs, what), &n) < 0 || n == 0)
		return;
	printf("%s%lld message%s %s", *first ? " " : ", ", (long long)n, n == 1 ? "" : "s", what);
	*first = 0;
	if (n <= 10) {
		uint32_t arr = fy_json_get(&p->d, msgs, ids), k, el;
		const char *sep = " (";

		FY_JSON_FOREACH(&p->d, arr, k, el) {
			fy_buf_reset(&p->s);
			fy_json_str(&p->d, el, &p->s, NULL);
			printf("%s%s", sep, p->s.ptr ? p->s.ptr : "");
			sep = " ";
		}
		if (fy_json_len(&p->d, arr))
			putchar(')');
	}
}

static void print_text(struct printer *p, enum fy_kind kind)
{
	uint32_t op = fy_json_get(&p->d, 0, "op"), name = fy_json_get(&p->d, 0, "name");
	uint32_t msgs = fy_json_get(&p->d, 0, "messages");
	int changed = fy_json_streq(&p->d, op, "changed");

	fy_buf_reset(&p->s);
	fy_json_str(&p->d, fy_json_get(&p->d, 0, "id"), &p->s, NULL);
	printf("%s %s", fy_kind_name(kind), p->s.ptr ? p->s.ptr : "");
	if (name != FY_JNONE) {
		putchar(' ');
		print_value(p, name, 80);
	}
	fy_buf_reset(&p->s);
	fy_json_str(&p->d, op, &p->s, NULL);
	printf(": %s", kind == FY_KIND_MEMORY && changed ? "edited" : p->s.ptr ? p->s.ptr : "");
	if (msgs != FY_JNONE && !changed) {
		int64_t n = 0;

		fy_json_int(&p->d, fy_json_get(&p->d, msgs, "total"), &n);
		printf(" (%lld message%s)", (long long)n, n == 1 ? "" : "s");
	} else if (msgs != FY_JNONE) {
		int first = 1;

		fputs(":", stdout);
		print_msg_part(p, msgs, "added", "added_ids", &first);
		print_msg_part(p, msgs, "removed", "removed_ids", &first);
		print_msg_part(p, msgs, "changed", "changed_ids", &first);
		if (first)
			fputs(" thread fields", stdout);
	}
	putchar('\n');
	if (kind == FY_KIND_MEMORY && !changed) {
		fputs("  text: ", stdout);
		print_value(p, fy_json_get(&p->d, fy_json_get(&p->d, 0, "record"), "text"), 300);
		putchar('\n');
	}
	if (changed)
		print_fields(p, fy_json_get(&p->d, 0, "fields"));
}

static void print_header(const struct printer *p)
{
	printf("--- %s (%s)\n+++ %s (%s)\n", p->label_a, p->sum->a.created, p->label_b,
	       p->sum->b.created);
}

static int on_change(void *ctx, enum fy_kind kind, const char *json, size_t len,
		     struct fy_error *err)
{
	struct printer *p = ctx;

	if (p->json) {
		if (p->nchanges++ && fy_buf_addc(p->json, ',', err) < 0)
			return -1;
		return fy_buf_add(p->json, json, len, err);
	}
	if (!p->nchanges++)
		print_header(p);
	if (fy_jdoc_parse(&p->d, json, len, 0, err) < 0)
		return -1;
	print_text(p, kind);
	return 0;
}

static void side_json(struct fy_buf *b, const char *label, const struct fy_diff_side *s)
{
	fy_buf_adds(b, "{\"archive\":", NULL);
	fy_buf_add_jstr(b, label, strlen(label), NULL);
	fy_buf_addf(b, NULL, ",\"created\":\"%s\",\"source\":{\"adapter\":", s->created);
	fy_buf_add_jstr(b, s->source_adapter, strlen(s->source_adapter), NULL);
	fy_buf_adds(b, ",\"location\":", NULL);
	fy_buf_add_jstr(b, s->source_location, strlen(s->source_location), NULL);
	fy_buf_adds(b, "}}", NULL);
}

static const enum fy_kind summary_kinds[] = {
	FY_KIND_AGENT, FY_KIND_TOOL, FY_KIND_KNOWLEDGE, FY_KIND_WORKFLOW, FY_KIND_FILE,
	FY_KIND_THREAD, FY_KIND_MESSAGE, FY_KIND_MEMORY,
};

static void summary_text(const struct fy_diff_summary *s)
{
	static const char *const ops[] = { "added", "removed", "changed" };
	size_t k;
	int any = 0, i;

	fputs("summary:", stdout);
	for (k = 0; k < sizeof(summary_kinds) / sizeof(summary_kinds[0]); k++) {
		enum fy_kind kind = summary_kinds[k];
		uint64_t v[3] = { s->added[kind], s->removed[kind], s->changed[kind] };
		int first = 1;

		for (i = 0; i < 3; i++) {
			if (!v[i])
				continue;
			printf("%s %llu %s %s", first ? (any ? ";" : "") : ",", (unsigned long long)v[i],
			       tool_kind_label(kind, v[i]),
			       kind == FY_KIND_MEMORY && i == 2 ? "edited" : ops[i]);
			first = 0;
			any = 1;
		}
	}
	puts(any ? "" : " no changes");
}

int diff_print(const struct tool *t, const char *a, const char *b, const char *label_a,
	       const char *label_b, int context, struct fy_buf *json)
{
	struct fy_diff_options o;
	struct fy_diff_summary sum;
	struct fy_error err;
	struct printer p;
	size_t k, start = json ? json->len : 0;
	int rc = EXIT_OK;

	memset(&p, 0, sizeof(p));
	p.json = json;
	p.sum = &sum;
	p.label_a = label_a;
	p.label_b = label_b;
	fy_jdoc_init(&p.d);
	fy_buf_init(&p.s, (size_t)256 << 20);
	fy_diff_options_init(&o);
	if (context >= 0)
		o.context = context;
	if (json)
		fy_buf_adds(json, "{\"changes\":[", NULL);
	if (fy_diff(a, b, &o, on_change, &p, &sum, &err) < 0) {
		if (json) {
			json->len = start;
			json->ptr[start] = '\0';
			fy_buf_adds(json, "null", NULL);
		}
		rc = tool_fail(t, &err);
		goto out;
	}
	if (json) {
		fy_buf_adds(json, "],\"a\":", NULL);
		side_json(json, label_a, &sum.a);
		fy_buf_adds(json, ",\"b\":", NULL);
		side_json(json, label_b, &sum.b);
		fy_buf_adds(json, ",\"summary\":{", NULL);
		for (k = 0; k < sizeof(summary_kinds) / sizeof(summary_kinds[0]); k++) {
			enum fy_kind kind = summary_kinds[k];

			fy_buf_addf(json, NULL, "%s\"%s\":{\"added\":%llu,\"removed\":%llu,\"changed\":%llu}",
				    k ? "," : "", fy_kind_name(kind),
				    (unsigned long long)sum.added[kind],
				    (unsigned long long)sum.removed[kind],
				    (unsigned long long)sum.changed[kind]);
		}
		fy_buf_adds(json, "}}", NULL);
	} else {
		if (!p.nchanges)
			print_header(&p);
		summary_text(&sum);
	}
out:
	fy_jdoc_release(&p.d);
	fy_buf_release(&p.s);
	return rc;
}
