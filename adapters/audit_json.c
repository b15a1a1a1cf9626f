/*
 * audit_json.c - the audit document: one JSON object for one or more
 * fidelity reports (one per target). Its schema is
 * formats/schema/audit.json; `ferry audit --json` and `ferry import
 * --dry-run --json` print it.
 */
#include <string.h>

#include "fidelity.h"

static int str(struct fy_buf *b, const char *s, struct fy_error *err)
{
	if (!s)
		return fy_buf_adds(b, "null", err);
	return fy_buf_add_jstr(b, s, strlen(s), err);
}

static int key(struct fy_buf *b, int *first, const char *k, struct fy_error *err)
{
	int rc = fy_buf_addf(b, err, "%s\"%s\":", *first ? "" : ",", k);

	*first = 0;
	return rc;
}

static int counts(struct fy_buf *b, const uint64_t c[FY_OUT__COUNT], struct fy_error *err)
{
	int i;

	if (fy_buf_addc(b, '{', err) < 0)
		return -1;
	for (i = 0; i < FY_OUT__COUNT; i++)
		if (fy_buf_addf(b, err, "%s\"%s\":%llu", i ? "," : "", fy_outcome_name((enum fy_outcome)i),
				(unsigned long long)c[i]) < 0)
			return -1;
	return fy_buf_addc(b, '}', err);
}

static int lines(struct fy_buf *b, const struct fy_plan_line *l, size_t n, const char *phase,
		 struct fy_error *err)
{
	size_t i;

	if (fy_buf_addc(b, '[', err) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if ((i && fy_buf_addc(b, ',', err) < 0) ||
		    fy_plan_line_json(&l[i], NULL, phase, b, err) < 0)
			return -1;
	return fy_buf_addc(b, ']', err);
}

static int target(struct fy_buf *b, const struct fy_fidelity_report *r, struct fy_error *err)
{
	size_t i;
	int k, first = 1;

	if (fy_buf_addc(b, '{', err) < 0 || key(b, &first, "target", err) < 0 ||
	    str(b, r->target, err) < 0 || key(b, &first, "model_platform", err) < 0 ||
	    str(b, r->model_platform, err) < 0 || key(b, &first, "embedding_model", err) < 0 ||
	    str(b, r->embedding_model, err) < 0 ||
	    fy_buf_addf(b, err, ",\"items\":%llu,\"losses\":%llu,\"lock_in\":%d,\"totals\":",
			(unsigned long long)r->items, (unsigned long long)r->losses, r->score) < 0 ||
	    counts(b, r->counts, err) < 0 || fy_buf_adds(b, ",\"by_kind\":{", err) < 0)
		return -1;
	for (k = FY_KIND_NONE + 1, first = 1; k < FY_KIND__COUNT; k++) {
		uint64_t any = 0;
		int o;

		for (o = 0; o < FY_OUT__COUNT; o++)
			any += r->by_kind[k][o];
		if (!any)
			continue;
		if (key(b, &first, fy_kind_name((enum fy_kind)k), err) < 0 ||
		    counts(b, r->by_kind[k], err) < 0)
			return -1;
	}
	if (fy_buf_adds(b, "},\"agents\":[", err) < 0)
		return -1;
	for (i = 0; i < r->nagents; i++) {
		const struct fy_fid_agent *a = &r->agents[i];

		if (fy_buf_adds(b, i ? ",{\"id\":" : "{\"id\":", err) < 0 || str(b, a->id, err) < 0 ||
		    fy_buf_adds(b, ",\"name\":", err) < 0 || str(b, a->name, err) < 0 ||
		    fy_buf_addf(b, err, ",\"items\":%llu,\"lock_in\":%d,\"counts\":",
				(unsigned long long)a->items, a->score) < 0 ||
		    counts(b, a->counts, err) < 0 ||
		    fy_buf_addf(b, err,
				",\"vendor_only\":%llu,\"secrets\":%llu,\"re_embed\":{\"count\":%llu,\"tokens\":%llu},\"model\":",
				(unsigned long long)a->vendor_only, (unsigned long long)a->secrets,
				(unsigned long long)a->reembed, (unsigned long long)a->reembed_tokens) < 0)
			return -1;
		if (!a->model_from) {
			if (fy_buf_adds(b, "null}", err) < 0)
				return -1;
			continue;
		}
		if (fy_buf_adds(b, "{\"from\":", err) < 0 || str(b, a->model_from, err) < 0 ||
		    fy_buf_adds(b, ",\"to\":", err) < 0 || str(b, a->model_to, err) < 0 ||
		    fy_buf_addf(b, err, ",\"outcome\":\"%s\"}}", fy_outcome_name(a->model_outcome)) < 0)
			return -1;
	}
	if (fy_buf_adds(b, "],\"secrets\":[", err) < 0)
		return -1;
	for (i = 0; i < r->nsecrets; i++) {
		const struct fy_fid_secret *s = &r->secrets[i];

		if (fy_buf_adds(b, i ? ",{\"name\":" : "{\"name\":", err) < 0 || str(b, s->name, err) < 0 ||
		    fy_buf_addf(b, err, ",\"kind\":\"%s\",\"id\":", fy_kind_name(s->kind)) < 0 ||
		    str(b, s->id, err) < 0 || fy_buf_adds(b, ",\"field\":", err) < 0 ||
		    str(b, s->field, err) < 0 ||
		    fy_buf_addf(b, err, ",\"outcome\":\"%s\"}", fy_outcome_name(s->outcome)) < 0)
			return -1;
	}
	if (fy_buf_addf(b, err,
			"],\"embeddings\":{\"re_embed\":%llu,\"tokens\":%llu,\"dropped\":%llu},\"unmapped_models\":%llu,\"write\":{",
			(unsigned long long)r->reembed, (unsigned long long)r->reembed_tokens,
			(unsigned long long)r->embeddings_dropped, (unsigned long long)r->unmapped) < 0)
		return -1;
	for (k = FY_KIND_NONE + 1, first = 1; k < FY_KIND__COUNT; k++)
		if (key(b, &first, fy_kind_name((enum fy_kind)k), err) < 0 ||
		    fy_buf_addf(b, err, "%llu", (unsigned long long)r->to_write.records[k]) < 0)
			return -1;
	if (fy_buf_addf(b, err, ",\"blobs\":%llu,\"blob_bytes\":%llu,\"text_bytes\":%llu},\"estimate\":",
			(unsigned long long)r->to_write.blobs, (unsigned long long)r->to_write.blob_bytes,
			(unsigned long long)r->to_write.text_bytes) < 0)
		return -1;
	if (r->has_estimate) {
		if (fy_buf_addf(b, err, "{\"api_calls\":%llu,\"seconds\":%.1f,\"note\":",
				(unsigned long long)r->estimate.api_calls, r->estimate.seconds) < 0 ||
		    str(b, r->estimate.note, err) < 0 || fy_buf_addc(b, '}', err) < 0)
			return -1;
	} else if (fy_buf_adds(b, "null", err) < 0) {
		return -1;
	}
	if (fy_buf_adds(b, ",\"dry_run\":", err) < 0)
		return -1;
	if (r->has_plan) {
		const struct fy_plan *pl = &r->plan;

		if (fy_buf_addf(b, err,
				"{\"api_calls\":%llu,\"seconds\":%.1f,\"rate\":%g,\"latency_ms\":%ld,\"upload_bytes\":%llu,\"journal\":",
				(unsigned long long)pl->calls, pl->seconds, pl->rate, pl->latency_ms,
				(unsigned long long)pl->bytes) < 0 ||
		    str(b, pl->journal, err) < 0)
			return -1;
		{
			static const char *const names[3] = { "create", "skip", "resume" };
			const uint64_t *arr[3] = { pl->create, pl->skip, pl->resume };
			int x;

			for (x = 0; x < 3; x++) {
				if (fy_buf_addf(b, err, ",\"%s\":{", names[x]) < 0)
					return -1;
				for (k = FY_KIND_NONE + 1, first = 1; k < FY_KIND__COUNT; k++)
					if (key(b, &first, fy_kind_name((enum fy_kind)k), err) < 0 ||
					    fy_buf_addf(b, err, "%llu", (unsigned long long)arr[x][k]) < 0)
						return -1;
				if (fy_buf_addc(b, '}', err) < 0)
					return -1;
			}
		}
		if (fy_buf_addc(b, '}', err) < 0)
			return -1;
	} else if (fy_buf_adds(b, "null", err) < 0) {
		return -1;
	}
	if (fy_buf_addf(b, err, ",\"lines_total\":%llu,\"lines\":", (unsigned long long)r->lines_total) < 0 ||
	    lines(b, r->lines, r->nlines, "plan", err) < 0)
		return -1;
	return fy_buf_addc(b, '}', err);
}

int fy_audit_json(const struct fy_audit_source *src, const struct fy_fidelity_report *const *reps,
		  size_t n, struct fy_buf *out, struct fy_error *err)
{
	const struct fy_fidelity_report *r0 = n ? reps[0] : NULL;
	const struct fy_header *h = src->header;
	char asof[40];
	size_t i;
	int k, first = 1;

	fy_time_format(src->as_of, 0, asof);
	if (fy_buf_adds(out, "{\"format\":\"ferry-audit\",\"version\":1,\"input\":", err) < 0 ||
	    str(out, src->input, err) < 0 || fy_buf_adds(out, ",\"source\":{\"adapter\":", err) < 0 ||
	    str(out, h ? h->source_adapter : NULL, err) < 0 ||
	    fy_buf_adds(out, ",\"location\":", err) < 0 ||
	    str(out, h ? h->source_location : NULL, err) < 0 ||
	    fy_buf_adds(out, ",\"created\":", err) < 0 || str(out, h ? h->created : NULL, err) < 0 ||
	    fy_buf_adds(out, "},\"policy\":", err) < 0 || str(out, src->policy, err) < 0 ||
	    fy_buf_addf(out, err, ",\"as_of\":\"%s\",\"records\":{", asof) < 0)
		return -1;
	for (k = FY_KIND_NONE + 1; r0 && k < FY_KIND__COUNT; k++)
		if (key(out, &first, fy_kind_name((enum fy_kind)k), err) < 0 ||
		    fy_buf_addf(out, err, "%llu", (unsigned long long)r0->records[k]) < 0)
			return -1;
	if (fy_buf_addf(out, err, "},\"vendor_only\":{\"total\":%llu,\"items\":[",
			(unsigned long long)(r0 ? r0->vendor_total : 0)) < 0)
		return -1;
	for (i = 0; r0 && i < r0->nvendor; i++) {
		const struct fy_fid_vendor *v = &r0->vendor[i];

		if (fy_buf_addf(out, err, "%s{\"kind\":\"%s\",\"id\":", i ? "," : "",
				fy_kind_name(v->kind)) < 0 ||
		    str(out, v->id, err) < 0 ||
		    (v->thread && (fy_buf_adds(out, ",\"thread\":", err) < 0 ||
				   str(out, v->thread, err) < 0)) ||
		    fy_buf_adds(out, ",\"what\":", err) < 0 || str(out, v->what, err) < 0 ||
		    fy_buf_addc(out, '}', err) < 0)
			return -1;
	}
	if (fy_buf_adds(out, "]},\"sunsets\":[", err) < 0)
		return -1;
	for (i = 0; r0 && i < r0->nsunsets; i++) {
		const struct fy_sunset *s = r0->sunsets[i].sunset;

		if (fy_buf_adds(out, i ? ",{\"provider\":" : "{\"provider\":", err) < 0 ||
		    str(out, s->provider, err) < 0 || fy_buf_adds(out, ",\"what\":", err) < 0 ||
		    str(out, s->what, err) < 0 || fy_buf_adds(out, ",\"date\":", err) < 0 ||
		    str(out, s->date, err) < 0 || fy_buf_adds(out, ",\"event\":", err) < 0 ||
		    str(out, s->event, err) < 0 ||
		    fy_buf_addf(out, err, ",\"status\":\"%s\",\"hits\":%llu,\"source\":",
				!s->date ? "announced" : r0->sunsets[i].past ? "past" : "upcoming",
				(unsigned long long)r0->sunsets[i].hits) < 0 ||
		    str(out, s->source, err) < 0 || fy_buf_adds(out, ",\"advice\":", err) < 0 ||
		    str(out, s->advice, err) < 0 || fy_buf_addc(out, '}', err) < 0)
			return -1;
	}
	if (fy_buf_adds(out, "],\"export_ledger\":{\"counts\":", err) < 0)
		return -1;
	if (r0) {
		if (counts(out, r0->export_counts, err) < 0 ||
		    fy_buf_addf(out, err, ",\"warnings\":%llu,\"lines\":",
				(unsigned long long)r0->export_counts[FY_OUT__COUNT]) < 0 ||
		    lines(out, r0->export_lines, r0->nexport, NULL, err) < 0)
			return -1;
	} else if (fy_buf_adds(out, "{},\"warnings\":0,\"lines\":[]", err) < 0) {
		return -1;
	}
	if (fy_buf_adds(out, "},\"targets\":[", err) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if ((i && fy_buf_addc(out, ',', err) < 0) || target(out, reps[i], err) < 0)
			return -1;
	return fy_buf_adds(out, "]}", err);
}
