/*
 * ferry-audit - how locked in are we, and what would we lose by moving?
 *
 *	ferry audit [options] ARCHIVE|SOURCE --target ADAPTER [--target ADAPTER...]
 *
 * Runs the fidelity engine (adapters/fidelity.h) over an archive, or over
 * a SOURCE exported to a temporary archive first, once per target, and
 * prints the report: per agent and overall, the outcome of every item, the
 * items lost or changed with the reason, state that exists only at the
 * vendor, embeddings to re-compute, secrets to rebind, announced sunsets
 * and a lock-in score. As text, as JSON (--json; schema
 * formats/schema/audit.json) and as one self-contained HTML page (--html).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "registry.h"
#include "tool.h"

static const char usage[] =
	"usage: ferry audit [options] ARCHIVE|SOURCE --target ADAPTER [--target ADAPTER...]\n";

static const char help[] =
	"\n"
	"Report what moving ARCHIVE (a ferry archive, '-' for standard input) or\n"
	"SOURCE (ADAPTER:LOCATION, exported first) into each target would do to\n"
	"every item: preserved, transformed, emulated, degraded, held back (a\n"
	"secret to rebind) or dropped, with the reason; per agent and overall,\n"
	"with a lock-in score (0 moves freely .. 100 nothing moves), state that\n"
	"exists only at the vendor, embeddings to re-compute, secrets to rebind\n"
	"and announced API sunsets that concern the source. Nothing is written.\n"
	"\n"
	"  -t, --target ADAPTER  a target adapter (ADAPTER or ADAPTER:LOCATION, the\n"
	"                        location only for the target's estimate);\n"
	"                        repeat it to compare destinations side by side\n"
	"      --json            print the audit document (formats/schema/audit.json)\n"
	"      --html FILE       also write the report as one self-contained page\n"
	"      --model-policy FILE  map models with this policy (default: built in)\n"
	"      --model-platform P   the model platform of every target\n"
	"      --embedding-model M  the embedding model of every target\n"
	"      --as-of DATE      judge announced sunsets as of DATE (default: now)\n"
	"      --detail N        items listed per target in the text (default 50)\n"
	"      --strict          exit 12 when a target would lose anything\n"
	"      --option KEY=VAL  an option of the SOURCE adapter\n"
	"  -q, --quiet           no text report (with --html: only the page)\n"
	"  -h, --help            this help\n"
	"      --version         the version\n"
	"\n"
	"Exit status: 0 when the report was made; see ferry-audit(1).\n";

struct opts {
	const struct fy_adapter **targets;
	const char **locations;		/* the LOCATION of each --target, "" when none */
	size_t ntargets;
	int json, strict;
	const char *html;
	size_t detail;
	char **options;
	size_t noptions;
	struct plan_opts po;
};

/* --- HTML ------------------------------------------------------------------ */

static const char *const colours[FY_OUT__COUNT] = {
	"#2e7d32", "#1565c0", "#6a1b9a", "#ef6c00", "#f9a825", "#c62828",
};

static const char *const labels[FY_OUT__COUNT] = {
	"preserved", "transformed", "emulated", "degraded", "held back", "dropped",
};

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void html_line(FILE *f, const struct fy_plan_line *l)
{
	fprintf(f, "<tr class=\"o-%s\"><td>%s</td><td>", fy_outcome_name(l->outcome),
		fy_kind_name(l->kind) ? fy_kind_name(l->kind) : "*");
	if (l->thread) {
		esc(f, l->thread);
		fputc('/', f);
	}
	esc(f, l->id ? l->id : "");
	fputs("</td><td>", f);
	esc(f, l->field ? l->field : "(record)");
	fprintf(f, "</td><td><span class=\"pill\" style=\"background:%s\">%s</span></td><td>",
		l->outcome < FY_OUT__COUNT ? colours[l->outcome] : "#777",
		l->outcome < FY_OUT__COUNT ? labels[l->outcome] : "warning");
	esc(f, l->rule ? l->rule : "");
	fputs("</td><td>", f);
	esc(f, l->reason ? l->reason : "");
	fputs("</td></tr>\n", f);
}

/* A stacked bar of outcomes, width 600. */
static void svg_bar(FILE *f, const uint64_t c[FY_OUT__COUNT], double y, double h)
{
	uint64_t total = 0;
	double x = 0;
	int i;

	for (i = 0; i < FY_OUT__COUNT; i++)
		total += c[i];
	for (i = 0; i < FY_OUT__COUNT && total; i++) {
		double w = 600.0 * (double)c[i] / (double)total;

		if (c[i])
			fprintf(f,
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: %llu</title></rect>\n",
				x, y, w, h, colours[i], labels[i], (unsigned long long)c[i]);
		x += w;
	}
}

static int write_html(const struct plan *p, const char *path, const char *input)
{
	const struct fy_fidelity_report *r0 = p->reports[0];
	const struct fy_header *h = p->src.header;
	char asof[40];
	FILE *f = fopen(path, "w");
	size_t i, j;
	int k;

	if (!f)
		return -1;
	fy_time_format(p->src.as_of, 0, asof);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>ferry audit: ",
	      f);
	esc(f, input);
	fputs("</title>\n<style>\n"
	      "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2em auto;max-width:1100px;color:#1d232a;padding:0 1em}\n"
	      "h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}\n"
	      ".muted{color:#5f6b76}.lead{font-size:1.1em;margin:.4em 0}.cards{display:flex;flex-wrap:wrap;gap:1em;margin:1em 0}\n"
	      ".card{border:1px solid #dde3e8;border-radius:8px;padding:.8em 1.1em;min-width:14em;background:#fafbfc}\n"
	      ".card .big{font-size:2em;font-weight:600}\n"
	      "table{border-collapse:collapse;width:100%;margin:.6em 0}th,td{border-bottom:1px solid #e6eaee;padding:.3em .5em;text-align:left;vertical-align:top}\n"
	      "th{background:#f2f5f7;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	      ".pill{color:#fff;border-radius:10px;padding:0 .5em;font-size:.85em;white-space:nowrap}\n"
	      ".legend span{display:inline-block;margin-right:1em}.legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-1px;border-radius:2px}\n"
	      "details{margin:.5em 0}summary{cursor:pointer;font-weight:600}\n"
	      "</style></head><body>\n<h1>Portability audit</h1>\n<p class=\"muted\">",
	      f);
	esc(f, input);
	if (h) {
		fputs(" &middot; exported from ", f);
		esc(f, h->source_adapter ? h->source_adapter : "?");
		fputs(" on ", f);
		esc(f, h->created ? h->created : "?");
	}
	fprintf(f, " &middot; sunsets as of %s &middot; model policy: ", asof);
	esc(f, p->src.policy);
	fputs("</p>\n", f);

	/* the summary a manager reads: sentences first, then the numbers */
	fputs("<h2 id=\"summary\">Summary</h2>\n", f);
	for (i = 0; i < p->n; i++) {
		const struct fy_fidelity_report *r = p->reports[i];
		uint64_t held = 0;

		for (j = 0; j < r->nsecrets; j++)
			held += r->secrets[j].outcome == FY_OUT_HELD_BACK;
		fputs("<p class=\"lead\">Moving to <b>", f);
		esc(f, r->target);
		fprintf(f, "</b>: %.0f%% of the %llu items cross unchanged; %llu would be lost, degraded or held back",
			r->items ? 100.0 * (double)r->counts[FY_OUT_PRESERVED] / (double)r->items : 100.0,
			(unsigned long long)r->items, (unsigned long long)r->losses);
		if (r->unmapped)
			fprintf(f, "; %llu agent model(s) have no mapping", (unsigned long long)r->unmapped);
		if (held)
			fprintf(f, "; %llu secret(s) must be bound again", (unsigned long long)held);
		if (r->reembed)
			fprintf(f, "; %llu embedding(s) must be re-computed", (unsigned long long)r->reembed);
		fputs(".</p>\n", f);
	}
	if (r0->vendor_total || r0->nsunsets)
		fprintf(f, "<p class=\"lead\">Whatever the destination, %llu item(s) exist only at the vendor, and %zu announced API sunset(s) concern this source.</p>\n",
			(unsigned long long)r0->vendor_total, r0->nsunsets);
	fputs("<div class=\"cards\">\n", f);
	for (i = 0; i < p->n; i++) {
		const struct fy_fidelity_report *r = p->reports[i];
		double pct = r->items ? 100.0 * (double)r->counts[FY_OUT_PRESERVED] / (double)r->items : 100.0;

		fprintf(f, "<div class=\"card\" data-target=\"");
		esc(f, r->target);
		fputs("\"><div class=\"muted\">moving to <b>", f);
		esc(f, r->target);
		fprintf(f, "</b></div><div class=\"big\"><span data-field=\"lock_in\">%d</span>/100</div>"
			   "<div>lock-in score</div><div><span data-field=\"items\">%llu</span> items, "
			   "<span data-field=\"preserved\">%llu</span> unchanged (%.0f%%)</div>"
			   "<div><span data-field=\"losses\">%llu</span> lost, degraded or held back</div>"
			   "<div><span data-field=\"dropped\">%llu</span> dropped</div></div>\n",
			r->score, (unsigned long long)r->items, (unsigned long long)r->counts[FY_OUT_PRESERVED],
			pct, (unsigned long long)r->losses, (unsigned long long)r->counts[FY_OUT_DROPPED]);
	}
	fprintf(f, "<div class=\"card\"><div class=\"muted\">at the vendor only</div><div class=\"big\" data-field=\"vendor_only\">%llu</div>"
		   "<div>items the export could not bring out</div></div>\n",
		(unsigned long long)r0->vendor_total);
	fprintf(f, "<div class=\"card\"><div class=\"muted\">announced sunsets</div><div class=\"big\" data-field=\"sunsets\">%zu</div>"
		   "<div>that concern this source</div></div>\n</div>\n",
		r0->nsunsets);
	/* the chart: one stacked bar per target */
	fprintf(f, "<svg id=\"chart\" role=\"img\" aria-label=\"outcomes per target\" width=\"760\" height=\"%zu\" viewBox=\"0 0 760 %zu\" xmlns=\"http://www.w3.org/2000/svg\">\n",
		p->n * 34 + 10, p->n * 34 + 10);
	for (i = 0; i < p->n; i++) {
		fprintf(f, "<text x=\"0\" y=\"%zu\" font-size=\"13\">", i * 34 + 22);
		esc(f, p->reports[i]->target);
		fprintf(f, "</text><g transform=\"translate(150,0)\">\n");
		svg_bar(f, p->reports[i]->counts, (double)(i * 34 + 6), 24);
		fputs("</g>\n", f);
	}
	fputs("</svg>\n<div class=\"legend\">", f);
	for (k = 0; k < FY_OUT__COUNT; k++)
		fprintf(f, "<span><i style=\"background:%s\"></i>%s</span>", colours[k], labels[k]);
	fputs("</div>\n", f);

	/* per target: agents, then items */
	for (i = 0; i < p->n; i++) {
		const struct fy_fidelity_report *r = p->reports[i];

		fputs("<h2>Into ", f);
		esc(f, r->target);
		fputs("</h2>\n<p class=\"muted\">models: ", f);
		esc(f, r->model_platform ? r->model_platform : "kept as named");
		fputs(" &middot; embeddings: ", f);
		esc(f, r->embedding_model ? r->embedding_model : "vectors kept or none");
		if (r->has_estimate) {
			fprintf(f, " &middot; estimate: %llu API calls, about %.0f s (",
				(unsigned long long)r->estimate.api_calls, r->estimate.seconds);
			esc(f, r->estimate.note);
			fputs(")", f);
		}
		fputs("</p>\n<table class=\"agents\"><thead><tr><th>agent</th><th>model</th><th>items</th>", f);
		for (k = 0; k < FY_OUT__COUNT; k++)
			fprintf(f, "<th>%s</th>", labels[k]);
		fputs("<th>vendor only</th><th>lock-in</th></tr></thead><tbody>\n", f);
		for (j = 0; j < r->nagents; j++) {
			const struct fy_fid_agent *a = &r->agents[j];

			fputs("<tr><td>", f);
			esc(f, a->id ? a->id : "(no agent)");
			if (a->name) {
				fputs("<br><span class=\"muted\">", f);
				esc(f, a->name);
				fputs("</span>", f);
			}
			fputs("</td><td>", f);
			if (a->model_from) {
				esc(f, a->model_from);
				if (a->model_outcome == FY_OUT_DROPPED) {
					fputs(" &rarr; <b>no mapping</b>", f);
				} else if (a->model_to && strcmp(a->model_to, a->model_from) != 0) {
					fputs(" &rarr; ", f);
					esc(f, a->model_to);
				}
			}
			fprintf(f, "</td><td class=\"n\">%llu</td>", (unsigned long long)a->items);
			for (k = 0; k < FY_OUT__COUNT; k++)
				fprintf(f, "<td class=\"n\">%llu</td>", (unsigned long long)a->counts[k]);
			fprintf(f, "<td class=\"n\">%llu</td><td class=\"n\"><b>%d</b></td></tr>\n",
				(unsigned long long)a->vendor_only, a->score);
		}
		fputs("</tbody></table>\n", f);
		if (r->reembed || r->embeddings_dropped) {
			fprintf(f, "<p>Embeddings: <b>%llu</b> to re-compute with ", (unsigned long long)r->reembed);
			esc(f, r->embedding_model ? r->embedding_model : "-");
			fprintf(f, " (about %llu tokens, estimated as UTF-8 bytes / 4), %llu dropped.</p>\n",
				(unsigned long long)r->reembed_tokens, (unsigned long long)r->embeddings_dropped);
		}
		for (j = 0; j < r->nsecrets; j++) {
			if (r->secrets[j].outcome != FY_OUT_HELD_BACK)
				continue;
			fputs("<p>Secret to rebind at the target: <code>", f);
			esc(f, r->secrets[j].name);
			fputs("</code> (", f);
			esc(f, fy_kind_name(r->secrets[j].kind));
			fputc(' ', f);
			esc(f, r->secrets[j].id);
			fputs(")</p>\n", f);
		}
		fprintf(f, "<details%s><summary>%llu items not crossing unchanged</summary>\n",
			r->lines_total <= 200 ? " open" : "", (unsigned long long)r->lines_total);
		fputs("<table class=\"items\"><thead><tr><th>kind</th><th>item</th><th>field</th><th>outcome</th><th>rule</th><th>reason</th></tr></thead><tbody>\n",
		      f);
		for (j = 0; j < r->nlines; j++)
			html_line(f, &r->lines[j]);
		fputs("</tbody></table></details>\n", f);
	}

	/* what does not depend on the target */
	fprintf(f, "<h2>State only at the vendor</h2>\n<p>%llu item(s) the export could not bring out: they stay behind whatever the target.</p>\n",
		(unsigned long long)r0->vendor_total);
	if (r0->nvendor) {
		fputs("<table><thead><tr><th>kind</th><th>item</th><th>what</th></tr></thead><tbody>\n", f);
		for (j = 0; j < r0->nvendor; j++) {
			fprintf(f, "<tr><td>%s</td><td>", fy_kind_name(r0->vendor[j].kind));
			if (r0->vendor[j].thread) {
				esc(f, r0->vendor[j].thread);
				fputc('/', f);
			}
			esc(f, r0->vendor[j].id);
			fputs("</td><td>", f);
			esc(f, r0->vendor[j].what);
			fputs("</td></tr>\n", f);
		}
		fputs("</tbody></table>\n", f);
	}
	fputs("<h2>Announced sunsets</h2>\n", f);
	if (!r0->nsunsets)
		fputs("<p>None in ferry's table concerns this source.</p>\n", f);
	else {
		fputs("<table><thead><tr><th>date</th><th>provider</th><th>what</th><th>status</th><th>advice</th></tr></thead><tbody>\n",
		      f);
		for (j = 0; j < r0->nsunsets; j++) {
			const struct fy_sunset *s = r0->sunsets[j].sunset;

			fputs("<tr><td>", f);
			esc(f, s->date ? s->date : "(no date)");
			fputs("</td><td>", f);
			esc(f, s->provider);
			fputs("</td><td><a href=\"", f);
			esc(f, s->source);
			fputs("\">", f);
			esc(f, s->what);
			fputs("</a> ", f);
			esc(f, s->event);
			fprintf(f, "</td><td>%s</td><td>",
				!s->date ? "announced" : r0->sunsets[j].past ? "<b>past</b>" : "upcoming");
			esc(f, s->advice);
			fputs("</td></tr>\n", f);
		}
		fputs("</tbody></table>\n", f);
	}
	if (r0->nexport) {
		fprintf(f, "<h2>Lost or changed at export</h2>\n<table><thead><tr><th>kind</th><th>item</th><th>field</th><th>outcome</th><th>rule</th><th>reason</th></tr></thead><tbody>\n");
		for (j = 0; j < r0->nexport; j++)
			html_line(f, &r0->export_lines[j]);
		fputs("</tbody></table>\n", f);
	}
	fputs("<h2>How to read this</h2>\n<p class=\"muted\">Every record is one item. "
	      "<b>Lock-in score</b> = round(100 &times; (&Sigma; w(outcome) + V) / (N + V)) over an agent's N items "
	      "(the agent, its tools, knowledge and their files, memory, threads and messages) and its V vendor-only "
	      "references, with w = 0 preserved, 0.1 transformed, 0.4 emulated, 0.7 degraded, 0.2 held back, 1 dropped. "
	      "Items shared by agents count under each.</p>\n</body></html>\n",
	      f);
	if (ferror(f)) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

/* --- main ------------------------------------------------------------------ */

static int add_target(struct tool *t, struct opts *o, const char *spec)
{
	const struct fy_adapter *ad;
	const char *colon = strchr(spec, ':');
	const struct fy_adapter **p;
	const char **l;

	ad = fy_adapter_find(spec, colon ? (size_t)(colon - spec) : strlen(spec));
	if (!ad)
		return tool_usage_error(t, "--target: unknown adapter '%.*s' (see 'ferry adapters')",
					colon ? (int)(colon - spec) : (int)strlen(spec), spec);
	if (!(ad->flags & FY_ADAPTER_WRITE))
		return tool_usage_error(t, "--target: adapter '%s' cannot be written to", ad->name);
	p = realloc(o->targets, (o->ntargets + 1) * sizeof(*p));
	if (!p)
		return EXIT_FAILURE_;
	o->targets = p;
	l = realloc(o->locations, (o->ntargets + 1) * sizeof(*l));
	if (!l)
		return EXIT_FAILURE_;
	o->locations = l;
	o->locations[o->ntargets] = colon ? colon + 1 : "";
	o->targets[o->ntargets++] = ad;
	return EXIT_OK;
}

static int run(struct tool *t, struct opts *o, const char *input)
{
	struct fy_adapter_ctx ctx;
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 31);
	struct fy_error err;
	struct plan p;
	const char *archive;
	size_t i;
	int rc;

	memset(&p, 0, sizeof(p));
	fy_error_clear(&err);
	tool_ctx_init(t, &ctx);
	ctx.options = (const char *const *)o->options;
	ctx.noptions = o->noptions;
	ctx.dry_run = 1;
	rc = plan_input(t, &p, input, &ctx, &archive);
	o->po.locations = o->locations;
	if (rc == EXIT_OK)
		rc = plan_init(t, &p, o->targets, o->ntargets, &o->po, NULL);
	if (rc == EXIT_OK)
		rc = plan_run(t, &p, archive);
	if (rc != EXIT_OK)
		goto out;
	tool_progress_end(t);
	p.src.input = input;
	if (o->html && write_html(&p, o->html, input) < 0) {
		fy_error_errno(&err, errno, "%s", o->html);
		rc = tool_fail(t, &err);
		goto out;
	}
	if (o->json) {
		if (fy_audit_json(&p.src, p.reports, p.n, &b, &err) < 0) {
			rc = tool_fail(t, &err);
			goto out;
		}
		fwrite(b.ptr, 1, b.len, stdout);
		putchar('\n');
	} else if (t->verbosity > 0) {
		plan_print_text(stdout, &p, o->detail);
	}
	rc = tool_close_stdout(t);
	if (rc == EXIT_OK && o->strict)
		for (i = 0; i < p.n; i++)
			if (p.reports[i]->losses) {
				fprintf(stderr, "%s: %s: %llu of %llu items would be lost, degraded or held back\n",
					t->prog, p.reports[i]->target, (unsigned long long)p.reports[i]->losses,
					(unsigned long long)p.reports[i]->items);
				rc = EXIT_LOSS;
			}
out:
	fy_buf_release(&b);
	plan_release(&p);
	return rc;
}

int main(int argc, char **argv)
{
	enum { O_JSON = 256, O_HTML, O_POLICY, O_PLATFORM, O_EMBED, O_ASOF, O_DETAIL, O_STRICT,
	       O_OPTION, O_VERSION };
	static const struct option longopts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, O_JSON },
		{ "html", required_argument, NULL, O_HTML },
		{ "model-policy", required_argument, NULL, O_POLICY },
		{ "model-platform", required_argument, NULL, O_PLATFORM },
		{ "embedding-model", required_argument, NULL, O_EMBED },
		{ "as-of", required_argument, NULL, O_ASOF },
		{ "detail", required_argument, NULL, O_DETAIL },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "option", required_argument, NULL, O_OPTION },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct tool t;
	struct opts o;
	int c, rc;

	tool_init(&t, "ferry-audit", usage);
	memset(&o, 0, sizeof(o));
	o.detail = 50;
	while ((c = getopt_long(argc, argv, "t:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if ((rc = add_target(&t, &o, optarg)) != EXIT_OK)
				return rc;
			break;
		case O_JSON: o.json = 1; break;
		case O_HTML: o.html = optarg; break;
		case O_POLICY: o.po.policy_path = optarg; break;
		case O_PLATFORM: o.po.model_platform = optarg; break;
		case O_EMBED: o.po.embedding_model = optarg; break;
		case O_ASOF:
			if (fy_time_parse_user(optarg, &o.po.as_of) < 0)
				return tool_usage_error(&t, "--as-of: '%s' is not a date", optarg);
			break;
		case O_DETAIL: o.detail = (size_t)strtoul(optarg, NULL, 10); break;
		case O_STRICT: o.strict = 1; break;
		case O_OPTION:
			if (!strchr(optarg, '='))
				return tool_usage_error(&t, "--option takes KEY=VALUE");
			if (tool_list_add(&o.options, &o.noptions, optarg) < 0)
				return EXIT_FAILURE_;
			break;
		case 'q': t.verbosity = 0; break;
		case 'h': tool_print_help(&t, help); return tool_close_stdout(&t);
		case O_VERSION: tool_print_version(&t); return tool_close_stdout(&t);
		default: return tool_usage_error(&t, "unknown option");
		}
	}
	if (argc - optind != 1)
		return tool_usage_error(&t, argc == optind ? "no ARCHIVE or SOURCE given" : "too many arguments");
	if (!o.ntargets)
		return tool_usage_error(&t, "no --target given");
	tool_signals();
	rc = run(&t, &o, argv[optind]);
	while (o.noptions)
		free(o.options[--o.noptions]);
	free(o.options);
	free(o.targets);
	free(o.locations);
	return rc;
}
