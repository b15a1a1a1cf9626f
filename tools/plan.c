/*
 * plan.c - the fidelity plan in the tools: engines over an archive, the
 * text report, sources exported to a temporary archive, and the
 * done-ledger of an import. See plan.h.
 */
#include "plan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pump.h"
#include "registry.h"
#include "writer.h"

int plan_init(struct tool *t, struct plan *p, const struct fy_adapter *const *targets, size_t n,
	      const struct plan_opts *po, const struct fy_adapter_ctx *ctx)
{
	struct fy_fidelity_options o;
	struct fy_error err;
	size_t i;

	fy_error_clear(&err);
	p->policy = fy_model_policy_load(po->policy_path, &err);
	if (!p->policy)
		return tool_fail(t, &err);
	p->engines = calloc(n + 1, sizeof(*p->engines));
	p->reports = calloc(n + 1, sizeof(*p->reports));
	p->ctxs = calloc(n + 1, sizeof(*p->ctxs));
	if (!p->engines || !p->reports || !p->ctxs) {
		fy_error_set(&err, FY_E_NOMEM, "out of memory");
		return tool_fail(t, &err);
	}
	memset(&o, 0, sizeof(o));
	o.policy = p->policy;
	o.model_platform = po->model_platform;
	o.embedding_model = po->embedding_model;
	o.accept_loss = po->accept_loss;
	o.as_of = po->as_of ? po->as_of : (int64_t)time(NULL);
	for (i = 0; i < n; i++) {
		if (ctx) {
			p->ctxs[i] = *ctx;
		} else {
			tool_ctx_init(t, &p->ctxs[i]);
			p->ctxs[i].dry_run = 1;
		}
		p->ctxs[i].name = targets[i]->name;
		if (po->locations)
			p->ctxs[i].location = po->locations[i] ? po->locations[i] : "";
		else if (!p->ctxs[i].location)
			p->ctxs[i].location = "";
		o.ctx = &p->ctxs[i];
		p->engines[i] = fy_fidelity_new(targets[i], &o, &err);
		if (!p->engines[i])
			return tool_fail(t, &err);
		p->reports[i] = fy_fidelity_report(p->engines[i]);
		p->n++;
	}
	p->src.policy = fy_model_policy_origin(p->policy);
	p->src.as_of = o.as_of;
	return EXIT_OK;
}

int plan_run(struct tool *t, struct plan *p, const char *archive)
{
	struct fy_error err;
	struct fy_item it;
	size_t i;
	int got;

	fy_error_clear(&err);
	p->reader = fy_reader_open(archive, NULL, &err);
	if (!p->reader) {
		fy_error_prefix(&err, "%s", archive);
		return tool_fail(t, &err);
	}
	p->src.header = fy_reader_header(p->reader);
	for (i = 0; i < p->n; i++)
		if (fy_fidelity_header(p->engines[i], p->src.header, &err) < 0)
			return tool_fail(t, &err);
	while ((got = fy_reader_next(p->reader, &it, &err)) == 1) {
		if (tool_interrupted) {
			fy_error_set(&err, FY_E_INTERNAL, "interrupted");
			got = -1;
			break;
		}
		for (i = 0; i < p->n && got == 1; i++)
			if (fy_fidelity_item(p->engines[i], &it, NULL, &err) < 0) {
				if (it.member && it.line)
					fy_error_prefix(&err, "%s line %llu", it.member,
							(unsigned long long)it.line);
				got = -1;
			}
		if (got < 0)
			break;
	}
	if (got < 0) {
		fy_error_prefix(&err, "%s", archive);
		return tool_fail(t, &err);
	}
	for (i = 0; i < p->n; i++)
		if (fy_fidelity_finish(p->engines[i], &err) < 0)
			return tool_fail(t, &err);
	return EXIT_OK;
}

void plan_release(struct plan *p)
{
	size_t i;

	for (i = 0; p->engines && i < p->n; i++)
		fy_fidelity_free(p->engines[i]);
	free(p->engines);
	free(p->reports);
	free(p->ctxs);
	fy_reader_free(p->reader);
	fy_model_policy_free(p->policy);
	if (p->temp) {
		unlink(p->temp);
		free(p->temp);
	}
	memset(p, 0, sizeof(*p));
}

int plan_input(struct tool *t, struct plan *p, const char *input, struct fy_adapter_ctx *ctx,
	       const char **archive)
{
	const struct fy_adapter *ad;
	struct fy_source_info info;
	struct fy_writer_options wo;
	struct fy_writer *w = NULL;
	struct fy_error err;
	struct stat st;
	const char *tmpdir = getenv("TMPDIR");
	void *src = NULL;
	char path[4096];
	int fd, rc = EXIT_OK;

	*archive = input;
	if (strcmp(input, "-") == 0 || stat(input, &st) == 0 || !strchr(input, ':'))
		return EXIT_OK;
	fy_error_clear(&err);
	if (fy_location_parse(input, &ad, &ctx->location, &err) < 0)
		return tool_fail(t, &err);
	if (!(ad->flags & FY_ADAPTER_READ)) {
		fy_error_set(&err, FY_E_UNSUPPORTED, "adapter '%s' cannot be read from", ad->name);
		return tool_fail(t, &err);
	}
	ctx->name = ad->name;
	snprintf(path, sizeof(path), "%s/ferry-audit.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0) {
		fy_error_errno(&err, errno, "%s", path);
		return tool_fail(t, &err);
	}
	close(fd);
	p->temp = strdup(path);
	if (!p->temp) {
		unlink(path);
		fy_error_set(&err, FY_E_NOMEM, "out of memory");
		return tool_fail(t, &err);
	}
	memset(&info, 0, sizeof(info));
	if (ad->read_open(ctx, &src, &info, &err) < 0)
		return tool_fail(t, &err);
	fy_writer_options_init(&wo);
	wo.producer = ctx->producer;
	wo.created = info.created ? info.created : (int64_t)time(NULL);
	wo.source_adapter = info.adapter[0] ? info.adapter : ad->name;
	wo.source_location = info.location[0] ? info.location : ctx->location;
	wo.source_account = info.account[0] ? info.account : NULL;
	w = fy_writer_open(path, &wo, &err);
	if (!w || fy_pump(ad, src, ctx, w, &tool_interrupted, NULL, &err) < 0 ||
	    fy_writer_close(w, NULL, &err) < 0) {
		fy_error_prefix(&err, "%s", input);
		rc = tool_fail(t, &err);
	}
	fy_writer_free(w);
	ad->read_close(src);
	*archive = p->temp;
	return rc;
}

/* --- text --------------------------------------------------------------- */

static const char *const short_names[FY_OUT__COUNT] = {
	"preserved", "transformed", "emulated", "degraded", "held back", "dropped",
};

static void print_counts(FILE *out, const uint64_t c[FY_OUT__COUNT])
{
	int i;

	for (i = 0; i < FY_OUT__COUNT; i++)
		fprintf(out, "%s%llu %s", i ? ", " : "", (unsigned long long)c[i], short_names[i]);
}

static void print_line(FILE *out, const struct fy_plan_line *l)
{
	fprintf(out, "    %s %s%s%s%s%s: %s (%s)%s%s\n", fy_kind_name(l->kind), l->thread ? l->thread : "",
		l->thread ? "/" : "", l->id ? l->id : "", l->field ? " " : "", l->field ? l->field : "",
		fy_outcome_name(l->outcome), l->rule ? l->rule : "-", l->reason && *l->reason ? ": " : "",
		l->reason ? l->reason : "");
}

void plan_print_text(FILE *out, const struct plan *p, size_t detail)
{
	const struct fy_header *h = p->src.header;
	const struct fy_fidelity_report *r0 = p->n ? p->reports[0] : NULL;
	size_t i, j, shown;

	if (h)
		fprintf(out, "source: %s%s%s, exported %s\n", h->source_adapter ? h->source_adapter : "?",
			h->source_location && *h->source_location ? ":" : "",
			h->source_location ? h->source_location : "", h->created ? h->created : "?");
	fprintf(out, "model policy: %s\n", p->src.policy);
	if (p->n > 1) {
		fprintf(out, "\n%-16s %7s %9s %11s %8s %8s %9s %7s %7s\n", "TARGET", "ITEMS", "PRESERVED",
			"TRANSFORMED", "EMULATED", "DEGRADED", "HELD_BACK", "DROPPED", "LOCK-IN");
		for (i = 0; i < p->n; i++) {
			const struct fy_fidelity_report *r = p->reports[i];

			fprintf(out, "%-16s %7llu %9llu %11llu %8llu %8llu %9llu %7llu %7d\n", r->target,
				(unsigned long long)r->items, (unsigned long long)r->counts[0],
				(unsigned long long)r->counts[1], (unsigned long long)r->counts[2],
				(unsigned long long)r->counts[3], (unsigned long long)r->counts[4],
				(unsigned long long)r->counts[5], r->score);
		}
	}
	for (i = 0; i < p->n; i++) {
		const struct fy_fidelity_report *r = p->reports[i];

		fprintf(out, "\ninto %s (models: %s; embeddings: %s)\n", r->target,
			r->model_platform ? r->model_platform : "kept as named",
			r->embedding_model ? r->embedding_model : "vectors kept or none");
		fprintf(out, "  %llu items: ", (unsigned long long)r->items);
		print_counts(out, r->counts);
		fprintf(out, "\n  lock-in score %d/100\n", r->score);
		if (r->has_estimate)
			fprintf(out, "  estimate: %llu API calls, about %.0f s (%s)\n",
				(unsigned long long)r->estimate.api_calls, r->estimate.seconds,
				r->estimate.note);
		if (r->has_plan)
			fprintf(out, "  dry run: %llu API calls, about %.0f s (%g requests/s, %ld ms each), %llu bytes to upload; journal %s\n",
				(unsigned long long)r->plan.calls, r->plan.seconds, r->plan.rate,
				r->plan.latency_ms, (unsigned long long)r->plan.bytes, r->plan.journal);
		fprintf(out, "  %-24s %6s %6s %6s %6s %6s %6s %6s %7s  %s\n", "AGENT", "ITEMS", "PRES",
			"TRANS", "EMUL", "DEGR", "HELD", "DROP", "LOCK-IN", "MODEL");
		for (j = 0; j < r->nagents; j++) {
			const struct fy_fid_agent *a = &r->agents[j];
			char model[300] = "";

			if (a->model_from && a->model_to && strcmp(a->model_from, a->model_to) != 0)
				snprintf(model, sizeof(model), "%s -> %s", a->model_from, a->model_to);
			else if (a->model_from && a->model_outcome == FY_OUT_DROPPED)
				snprintf(model, sizeof(model), "%s -> (no mapping)", a->model_from);
			else if (a->model_from)
				snprintf(model, sizeof(model), "%s", a->model_from);
			fprintf(out, "  %-24.24s %6llu %6llu %6llu %6llu %6llu %6llu %6llu %7d%s%s\n",
				a->id ? a->id : "(no agent)", (unsigned long long)a->items,
				(unsigned long long)a->counts[0], (unsigned long long)a->counts[1],
				(unsigned long long)a->counts[2], (unsigned long long)a->counts[3],
				(unsigned long long)a->counts[4], (unsigned long long)a->counts[5],
				a->score, *model ? "  " : "", model);
		}
		if (r->lines_total) {
			fprintf(out, "  not crossing unchanged (%llu):\n", (unsigned long long)r->lines_total);
			for (j = 0, shown = 0; j < r->nlines && shown < detail; j++, shown++)
				print_line(out, &r->lines[j]);
			if (r->lines_total > shown)
				fprintf(out, "    ... and %llu more (--json lists them all)\n",
					(unsigned long long)(r->lines_total - shown));
		}
		if (r->reembed || r->embeddings_dropped)
			fprintf(out, "  embeddings: %llu to re-compute with %s (about %llu tokens), %llu dropped\n",
				(unsigned long long)r->reembed,
				r->embedding_model ? r->embedding_model : "-",
				(unsigned long long)r->reembed_tokens,
				(unsigned long long)r->embeddings_dropped);
		for (j = 0; j < r->nsecrets; j++)
			if (r->secrets[j].outcome == FY_OUT_HELD_BACK)
				fprintf(out, "  secret to rebind: %s (%s %s, %s)\n", r->secrets[j].name,
					fy_kind_name(r->secrets[j].kind), r->secrets[j].id, r->secrets[j].field);
	}
	if (!r0)
		return;
	fprintf(out, "\nstate only at the vendor: %llu\n", (unsigned long long)r0->vendor_total);
	for (j = 0; j < r0->nvendor && j < detail; j++)
		fprintf(out, "    %s %s%s%s: %s\n", fy_kind_name(r0->vendor[j].kind),
			r0->vendor[j].thread ? r0->vendor[j].thread : "", r0->vendor[j].thread ? "/" : "",
			r0->vendor[j].id, r0->vendor[j].what);
	fprintf(out, "announced sunsets that concern the source: %zu\n", r0->nsunsets);
	for (j = 0; j < r0->nsunsets; j++) {
		const struct fy_sunset *s = r0->sunsets[j].sunset;

		fprintf(out, "    %s %s: %s %s (%s%s%llu records) - %s\n", s->date ? s->date : "(no date)",
			s->provider, s->what, s->event,
			!s->date ? "announced" : r0->sunsets[j].past ? "past" : "upcoming", ", ",
			(unsigned long long)r0->sunsets[j].hits, s->source);
	}
	if (r0->export_counts[FY_OUT_DROPPED] || r0->export_counts[FY_OUT_DEGRADED] ||
	    r0->export_counts[FY_OUT__COUNT] || r0->nexport) {
		fprintf(out, "lost or changed at export (the archive's ledger): %zu lines\n", r0->nexport);
		for (j = 0; j < r0->nexport && j < detail; j++)
			print_line(out, &r0->export_lines[j]);
	}
}

void plan_print_losses(const struct tool *t, const struct fy_fidelity_report *r, size_t max)
{
	size_t i, shown = 0;

	for (i = 0; i < r->nlines && shown < max; i++)
		if (fy_outcome_is_loss(r->lines[i].outcome)) {
			fprintf(stderr, "%s: %s %s%s%s%s%s: %s: %s\n", t->prog, fy_kind_name(r->lines[i].kind),
				r->lines[i].thread ? r->lines[i].thread : "", r->lines[i].thread ? "/" : "",
				r->lines[i].id ? r->lines[i].id : "", r->lines[i].field ? " " : "",
				r->lines[i].field ? r->lines[i].field : "", fy_outcome_name(r->lines[i].outcome),
				r->lines[i].reason ? r->lines[i].reason : "");
			shown++;
		}
}

/* --- the done-ledger ------------------------------------------------------ */

static int nullcmp(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* Order by record only: kind, thread, id. */
static int record_cmp(const struct fy_plan_line *x, const struct fy_plan_line *y)
{
	int c;

	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	if ((c = nullcmp(x->thread, y->thread)))
		return c;
	return nullcmp(x->id, y->id);
}

/* mkdir -p the folder of path, 0700 (the state folder holds journals). */
static int make_parents(const char *path, struct fy_error *err)
{
	char dir[4096];
	size_t i;

	snprintf(dir, sizeof(dir), "%s", path);
	for (i = 1; dir[i]; i++) {
		if (dir[i] != '/')
			continue;
		dir[i] = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return fy_error_errno(err, errno, "%s", dir);
		dir[i] = '/';
	}
	return 0;
}

int done_ledger_open(struct done_ledger *d, const char *path, const char *adapter,
		     struct fy_error *err)
{
	memset(d, 0, sizeof(*d));
	fy_buf_init(&d->buf, 1 << 20);
	d->adapter = adapter;
	if (!path)
		return 0;
	if (make_parents(path, err) < 0)
		return -1;
	{
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		if (fd < 0)
			return fy_error_errno(err, errno, "%s", path);
		d->file = fdopen(fd, "w");
		if (!d->file) {
			close(fd);
			return fy_error_errno(err, errno, "%s", path);
		}
	}
	d->path = strdup(path);
	return d->path ? 0 : fy_error_set(err, FY_E_NOMEM, "out of memory");
}

static int keep_line(struct done_ledger *d, struct fy_plan_line *l, struct fy_error *err)
{
	d->total++;
	d->digest += fy_plan_line_hash(l);
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct fy_plan_line *p;

		if (cap > 1000000) {
			fy_plan_line_release(l);
			return 0;	/* past the cap only the digest compares */
		}
		p = realloc(d->lines, cap * sizeof(*p));
		if (!p) {
			fy_plan_line_release(l);
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		}
		d->lines = p;
		d->cap = cap;
	}
	d->lines[d->n++] = *l;
	return 0;
}

static int write_line(struct done_ledger *d, const char *json, size_t len, struct fy_error *err)
{
	if (!d->file)
		return 0;
	if (fwrite(json, 1, len, d->file) != len || fputc('\n', d->file) == EOF)
		return fy_error_errno(err, errno ? errno : EIO, "%s", d->path);
	return 0;
}

int done_ledger_sink(void *cb, const char *json, size_t len, struct fy_error *err)
{
	struct done_ledger *d = ((struct tool *)cb)->ledger;
	struct fy_plan_line l;

	if (!d)
		return 0;

	if (fy_plan_line_parse(json, len, &l, err) < 0)
		return fy_error_prefix(err, "%s reported a bad ledger line", d->adapter);
	if (l.outcome == FY_OUT__COUNT) {	/* a warning: written, not compared */
		fy_plan_line_release(&l);
		return write_line(d, json, len, err);
	}
	if (write_line(d, json, len, err) < 0) {
		fy_plan_line_release(&l);
		return -1;
	}
	return keep_line(d, &l, err);
}

int done_ledger_add(struct done_ledger *d, const struct fy_plan_line *l, struct fy_error *err)
{
	struct fy_plan_line c;

	fy_buf_reset(&d->buf);
	if (fy_plan_line_json(l, d->adapter, "import", &d->buf, err) < 0)
		return -1;
	if (write_line(d, d->buf.ptr, d->buf.len, err) < 0)
		return -1;
	if (fy_plan_line_parse(d->buf.ptr, d->buf.len, &c, err) < 0)
		return -1;
	return keep_line(d, &c, err);
}

int done_ledger_close(struct done_ledger *d, struct fy_error *err)
{
	FILE *f = d->file;

	d->file = NULL;
	if (f && (fflush(f) != 0 || fsync(fileno(f)) != 0 || ferror(f))) {
		fclose(f);
		return fy_error_errno(err, errno ? errno : EIO, "%s", d->path);
	}
	if (f && fclose(f) != 0)
		return fy_error_errno(err, errno, "%s", d->path);
	return 0;
}

void done_ledger_release(struct done_ledger *d)
{
	size_t i;

	if (d->file)
		fclose(d->file);
	for (i = 0; i < d->n; i++)
		fy_plan_line_release(&d->lines[i]);
	free(d->lines);
	free(d->path);
	fy_buf_release(&d->buf);
	memset(d, 0, sizeof(*d));
}

/* The losses of a plan stop the import unless accepted: exit 12. */
int plan_refuse_loss(struct tool *t, const struct plan *p)
{
	const struct fy_fidelity_report *r = p->reports[0];
	const char *unmapped = fy_fidelity_unmapped_message(p->engines[0]);

	if (!r->losses)
		return EXIT_OK;
	if (unmapped)
		fprintf(stderr, "%s: %s\n", t->prog, unmapped);
	plan_print_losses(t, r, 10);
	fprintf(stderr,
		"%s: the import would lose or change %llu of %llu items (see --dry-run); pass --accept-loss to import anyway\n",
		t->prog, (unsigned long long)r->losses, (unsigned long long)r->items);
	return EXIT_LOSS;
}

/*
 * Hand the sink every item the engine says to, reporting the tool's own
 * lines to the done-ledger. Returns 0 at the end of the archive, -1 on a
 * reading fault, -2 on a writing fault (err set).
 */
static int feed(struct fy_fidelity *engine, struct fy_reader *r, const struct fy_adapter *ad,
		void *sink, struct done_ledger *done, const char *target, struct fy_error *err)
{
	struct fy_item it;
	int got;

	while ((got = fy_reader_next(r, &it, err)) == 1) {
		struct fy_fid_verdict v;
		size_t i;

		if (tool_interrupted) {
			fy_error_set(err, FY_E_INTERNAL, "interrupted");
			got = -1;
			break;
		}
		if (fy_fidelity_item(engine, &it, &v, err) < 0) {
			got = -1;
			break;
		}
		for (i = 0; i < v.ntool_lines; i++)
			if (done_ledger_add(done, &v.tool_lines[i], err) < 0)
				break;
		if (i < v.ntool_lines) {
			got = -2;
			break;
		}
		if (!v.send)
			continue;
		if (it.type == FY_ITEM_RECORD) {
			it.json = v.json;
			it.len = v.len;
			it.doc = NULL;
		}
		if (ad->write_put(sink, &it, err) < 0) {
			if (it.member && it.line)
				fy_error_prefix(err, "%s: %s line %llu", target, it.member,
						(unsigned long long)it.line);
			else if (it.member)
				fy_error_prefix(err, "%s: %s", target, it.member);
			else
				fy_error_prefix(err, "%s", target);
			got = -2;
			break;
		}
	}
	return got;
}

int plan_execute(struct tool *t, const struct fy_adapter *ad, struct fy_adapter_ctx *ctx,
		 const struct plan_opts *po, const char *file, const char *target, const char *lpath,
		 int from_file, struct plan *exec, struct done_ledger *done)
{
	struct fy_reader *r = NULL;
	struct fy_error err;
	void *sink = NULL;
	int rc, got = 0;

	fy_error_clear(&err);
	rc = plan_init(t, exec, &ad, 1, po, ctx);
	if (rc != EXIT_OK)
		goto out;
	if (done_ledger_open(done, lpath, ad->name, &err) < 0) {
		rc = tool_fail(t, &err);
		goto out;
	}
	r = fy_reader_open(file, NULL, &err);
	if (!r) {
		fy_error_prefix(&err, "%s", file);
		rc = tool_fail(t, &err);
		goto out;
	}
	if (fy_fidelity_header(exec->engines[0], fy_reader_header(r), &err) < 0) {
		rc = tool_fail(t, &err);
		goto out;
	}
	ctx->ledger = done_ledger_sink;	/* cb stays the tool; t->ledger is the ledger */
	t->ledger = done;
	if (ad->write_open(ctx, fy_reader_header(r), &sink, &err) < 0) {
		rc = tool_fail(t, &err);
		goto out;
	}
	got = feed(exec->engines[0], r, ad, sink, done, target, &err);
	if (got == -1)
		fy_error_prefix(&err, "%s", file);
	if (got == 0 && fy_fidelity_finish(exec->engines[0], &err) < 0)
		got = -2;
	/* standard input: the losses are known only now; abandon before committing */
	if (got == 0 && !from_file && !po->accept_loss && (rc = plan_refuse_loss(t, exec)) != EXIT_OK)
		goto out;
	if (got == 0 && ad->write_finish(sink, &err) < 0) {
		fy_error_prefix(&err, "%s", target);
		got = -2;
	}
	if (got < 0 || done_ledger_close(done, &err) < 0) {
		rc = tool_fail(t, &err);
		goto out;
	}
	rc = EXIT_OK;
out:
	if (sink)
		ad->write_close(sink);
	t->ledger = NULL;
	fy_reader_free(r);
	return rc;
}

int plan_sink_estimate(struct tool *t, struct plan *p, const struct fy_adapter *ad,
		       struct fy_adapter_ctx *ctx, const struct plan_opts *po, const char *file,
		       const char *target)
{
	struct plan exec;
	struct done_ledger done;
	struct fy_reader *r = NULL;
	struct fy_plan fp;
	struct fy_error err;
	void *sink = NULL;
	int rc, got;

	memset(&exec, 0, sizeof(exec));
	memset(&fp, 0, sizeof(fp));
	fy_error_clear(&err);
	if ((rc = plan_init(t, &exec, &ad, 1, po, ctx)) != EXIT_OK)
		return rc;
	done_ledger_open(&done, NULL, ad->name, &err);
	ctx->dry_run = 1;
	ctx->ledger = done_ledger_sink;
	t->ledger = &done;
	r = fy_reader_open(file, NULL, &err);
	if (!r || fy_fidelity_header(exec.engines[0], fy_reader_header(r), &err) < 0 ||
	    ad->write_open(ctx, fy_reader_header(r), &sink, &err) < 0) {
		rc = tool_fail(t, &err);
		goto out;
	}
	got = feed(exec.engines[0], r, ad, sink, &done, target, &err);
	if (got == 0 && fy_fidelity_finish(exec.engines[0], &err) == 0 &&
	    ad->write_plan(sink, &fp, &err) == 0) {
		fy_fidelity_set_plan(p->engines[0], &fp);
		if (plan_compare(t, exec.reports[0], &done, 20))
			tool_warn(t, "%s's dry run reports other outcomes than the plan (above)", ad->name);
		rc = EXIT_OK;
	} else {
		rc = tool_fail(t, &err);
	}
out:
	if (sink)
		ad->write_close(sink);
	t->ledger = NULL;
	ctx->ledger = NULL;
	fy_reader_free(r);
	done_ledger_release(&done);
	plan_release(&exec);
	return rc;
}

struct rec {
	const struct fy_plan_line *first;	/* the record's first line (kind, thread, id) */
	enum fy_outcome outcome;
	const struct fy_plan_line *worst;	/* the line that decided it */
};

static int same_record(const struct fy_plan_line *a, const struct fy_plan_line *b)
{
	return a->kind == b->kind && !nullcmp(a->thread, b->thread) && !nullcmp(a->id, b->id);
}

/* Sorted lines -> one outcome per record (a lost field degrades its record). */
static size_t records_of(const struct fy_plan_line *l, size_t n, struct rec *out)
{
	size_t i, m = 0;

	for (i = 0; i < n; i++) {
		enum fy_outcome o = l[i].outcome;

		if (l[i].field && o == FY_OUT_DROPPED)
			o = FY_OUT_DEGRADED;
		if (!m || !same_record(out[m - 1].first, &l[i])) {
			out[m].first = &l[i];
			out[m].outcome = o;
			out[m].worst = &l[i];
			m++;
		} else if (o > out[m - 1].outcome) {
			out[m - 1].outcome = o;
			out[m - 1].worst = &l[i];
		}
	}
	return m;
}

static void print_diff(const struct tool *t, const struct rec *planned, const struct rec *done)
{
	const struct fy_plan_line *l = planned ? planned->first : done->first;

	fprintf(stderr, "%s: planned vs done: %s %s%s%s: planned %s, done %s", t->prog,
		fy_kind_name(l->kind), l->thread ? l->thread : "", l->thread ? "/" : "",
		l->id ? l->id : "", fy_outcome_name(planned ? planned->outcome : FY_OUT_PRESERVED),
		fy_outcome_name(done ? done->outcome : FY_OUT_PRESERVED));
	if (planned && planned->worst->rule)
		fprintf(stderr, " (planned: %s%s%s)", planned->worst->field ? planned->worst->field : "",
			planned->worst->field ? " " : "", planned->worst->rule);
	if (done && done->worst->rule)
		fprintf(stderr, " (done: %s%s%s)", done->worst->field ? done->worst->field : "",
			done->worst->field ? " " : "", done->worst->rule);
	fputc('\n', stderr);
}

uint64_t plan_compare(const struct tool *t, const struct fy_fidelity_report *r,
		      struct done_ledger *d, size_t max)
{
	struct fy_plan_line *planned;
	struct rec *pr = NULL, *dr = NULL;
	uint64_t diffs = 0;
	size_t i = 0, j = 0, np, nd, shown = 0;

	if (r->lines_total != r->nlines || d->total != d->n) {
		/* past the caps: compare counts and digests only */
		if (r->lines_total != d->total || r->lines_digest != d->digest) {
			fprintf(stderr, "%s: planned vs done: %llu lines planned, %llu done, and they differ\n",
				t->prog, (unsigned long long)r->lines_total, (unsigned long long)d->total);
			return 1;
		}
		return 0;
	}
	planned = malloc((r->nlines + 1) * sizeof(*planned));
	pr = malloc((r->nlines + 1) * sizeof(*pr));
	dr = malloc((d->n + 1) * sizeof(*dr));
	if (!planned || !pr || !dr) {
		free(planned);
		free(pr);
		free(dr);
		return 1;
	}
	if (r->nlines)
		memcpy(planned, r->lines, r->nlines * sizeof(*planned));
	qsort(planned, r->nlines, sizeof(*planned), fy_plan_line_cmp);
	if (d->n)
		qsort(d->lines, d->n, sizeof(*d->lines), fy_plan_line_cmp);
	np = records_of(planned, r->nlines, pr);
	nd = records_of(d->lines, d->n, dr);
	while (i < np || j < nd) {
		int c = i == np ? 1 : j == nd ? -1 : record_cmp(pr[i].first, dr[j].first);
		const struct rec *a = c <= 0 ? &pr[i] : NULL, *b = c >= 0 ? &dr[j] : NULL;
		enum fy_outcome oa = a ? a->outcome : FY_OUT_PRESERVED;
		enum fy_outcome ob = b ? b->outcome : FY_OUT_PRESERVED;

		if (oa != ob) {
			diffs++;
			if (shown++ < max)
				print_diff(t, a, b);
		}
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	free(planned);
	free(pr);
	free(dr);
	return diffs;
}
