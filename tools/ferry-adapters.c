/*
 * ferry-adapters - the registered adapters and what each can read, write
 * and preserve.
 *
 *	ferry adapters [--json] [ADAPTER...]
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"
#include "registry.h"
#include "tool.h"

static const char usage[] = "usage: ferry adapters [--json] [ADAPTER...]\n";

static const char help[] =
	"\n"
	"List the adapters: their names, whether they read (export) and write\n"
	"(import), the LOCATION forms they take, and with --json their capability\n"
	"tables (for each record kind and field: native, transformed, emulated,\n"
	"degraded or unsupported, with a note and a rule name) and their limits.\n"
	"Naming ADAPTERs prints only those, with their tables, as text too.\n"
	"\n"
	"      --json            print JSON instead of text\n"
	"  -h, --help            this help\n"
	"      --version         the version\n";

static const char *kind_label(enum fy_kind k)
{
	const char *n = fy_kind_name(k);

	return n ? n : "*";
}

static void print_limits_json(const struct fy_adapter_limits *l)
{
	static const struct {
		unsigned bit;
		const char *name;
	} flags[] = {
		{ FY_LIMIT_SETS_TIMESTAMPS, "sets_timestamps" },
		{ FY_LIMIT_SETS_IDS, "sets_ids" },
		{ FY_LIMIT_EXPOSES_EMBEDDINGS, "exposes_embeddings" },
		{ FY_LIMIT_ACCEPTS_EMBEDDINGS, "accepts_embeddings" },
		{ FY_LIMIT_STORES_PROVENANCE, "stores_provenance" },
	};
	size_t i;

	if (!l) {
		printf("null");
		return;
	}
	printf("{");
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		printf("\"%s\":%s,", flags[i].name, (l->flags & flags[i].bit) ? "true" : "false");
	printf("\"max_items_per_call\":%u,\"max_text_bytes\":%llu,\"max_instructions_bytes\":%llu,"
	       "\"max_file_bytes\":%llu,\"max_tools_per_agent\":%u,\"requests_per_second\":%g,"
	       "\"model_platform\":",
	       l->max_items_per_call, (unsigned long long)l->max_text_bytes,
	       (unsigned long long)l->max_instructions_bytes, (unsigned long long)l->max_file_bytes,
	       l->max_tools_per_agent, l->requests_per_second);
	if (l->model_platform)
		tool_json_str(stdout, l->model_platform);
	else
		printf("null");
	printf(",\"embedding_model\":");
	if (l->embedding_model)
		tool_json_str(stdout, l->embedding_model);
	else
		printf("null");
	printf(",\"note\":");
	tool_json_str(stdout, l->note ? l->note : "");
	printf("}");
}

static void print_json(const struct fy_adapter *const *list)
{
	size_t i, j;

	printf("[");
	for (i = 0; list[i]; i++) {
		const struct fy_adapter *a = list[i];

		printf("%s{\"name\":", i ? "," : "");
		tool_json_str(stdout, a->name);
		printf(",\"read\":%s,\"write\":%s,\"summary\":",
		       (a->flags & FY_ADAPTER_READ) ? "true" : "false",
		       (a->flags & FY_ADAPTER_WRITE) ? "true" : "false");
		tool_json_str(stdout, a->summary);
		printf(",\"locations\":");
		tool_json_str(stdout, a->locations);
		printf(",\"capabilities\":[");
		for (j = 0; j < a->ncaps; j++) {
			const struct fy_capability *c = &a->caps[j];

			printf("%s{\"kind\":\"%s\",\"field\":", j ? "," : "", kind_label(c->kind));
			if (c->field)
				tool_json_str(stdout, c->field);
			else
				printf("null");
			printf(",\"read\":\"%s\",\"write\":\"%s\",\"note\":",
			       fy_cap_level_name(c->read), fy_cap_level_name(c->write));
			tool_json_str(stdout, c->note ? c->note : "");
			printf(",\"rule\":");
			tool_json_str(stdout, c->rule ? c->rule : fy_cap_level_name(c->write));
			printf("}");
		}
		printf("],\"limits\":");
		print_limits_json(a->limits);
		printf(",\"estimates\":%s,\"dry_run_plan\":%s}", a->estimate ? "true" : "false",
		       a->write_plan ? "true" : "false");
	}
	printf("]\n");
}

static void print_table(const struct fy_adapter *a)
{
	const struct fy_adapter_limits *l = a->limits;
	size_t j;

	printf("%s: %s\n", a->name, a->summary);
	printf("  %-10s %-28s %-11s %-11s %s\n", "KIND", "FIELD", "READ", "WRITE", "NOTE");
	for (j = 0; j < a->ncaps; j++) {
		const struct fy_capability *c = &a->caps[j];

		printf("  %-10s %-28s %-11s %-11s %s%s%s%s\n", kind_label(c->kind),
		       c->field ? c->field : "(record)", fy_cap_level_name(c->read),
		       fy_cap_level_name(c->write), c->note ? c->note : "", c->rule ? " [" : "",
		       c->rule ? c->rule : "", c->rule ? "]" : "");
	}
	if (!l) {
		printf("  limits: not declared\n");
		return;
	}
	printf("  timestamps %s, ids %s, embeddings exposed %s, vectors kept %s, provenance %s\n",
	       (l->flags & FY_LIMIT_SETS_TIMESTAMPS) ? "kept" : "not kept",
	       (l->flags & FY_LIMIT_SETS_IDS) ? "kept" : "not kept",
	       (l->flags & FY_LIMIT_EXPOSES_EMBEDDINGS) ? "yes" : "no",
	       (l->flags & FY_LIMIT_ACCEPTS_EMBEDDINGS) ? "yes" : "no",
	       (l->flags & FY_LIMIT_STORES_PROVENANCE) ? "stored" : "not stored");
	if (l->max_items_per_call)
		printf("  at most %u items per call\n", l->max_items_per_call);
	if (l->max_text_bytes)
		printf("  text at most %llu bytes\n", (unsigned long long)l->max_text_bytes);
	if (l->max_instructions_bytes)
		printf("  instructions at most %llu bytes\n",
		       (unsigned long long)l->max_instructions_bytes);
	if (l->max_file_bytes)
		printf("  files at most %llu bytes\n", (unsigned long long)l->max_file_bytes);
	if (l->max_tools_per_agent)
		printf("  at most %u tools per agent\n", l->max_tools_per_agent);
	if (l->model_platform)
		printf("  models: %s\n", l->model_platform);
	if (l->embedding_model)
		printf("  embeds with: %s\n", l->embedding_model);
	if (l->note)
		printf("  %s\n", l->note);
}

int main(int argc, char **argv)
{
	enum { O_JSON = 256, O_VERSION };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct tool t;
	size_t i;
	int c, json = 0;

	tool_init(&t, "ferry-adapters", usage);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_JSON: json = 1; break;
		case 'h': tool_print_help(&t, help); return tool_close_stdout(&t);
		case O_VERSION: tool_print_version(&t); return tool_close_stdout(&t);
		default: return tool_usage_error(&t, "unknown option");
		}
	}
	if (optind != argc) {
		const struct fy_adapter **sel = calloc((size_t)(argc - optind) + 1, sizeof(*sel));
		int k;

		if (!sel)
			return EXIT_FAILURE_;
		for (k = optind; k < argc; k++) {
			sel[k - optind] = fy_adapter_find(argv[k], strlen(argv[k]));
			if (!sel[k - optind]) {
				fprintf(stderr, "%s: unknown adapter '%s' (see 'ferry adapters')\n",
					t.prog, argv[k]);
				free(sel);
				return EXIT_UNSUPPORTED;
			}
		}
		if (json)
			print_json(sel);
		else
			for (k = 0; sel[k]; k++)
				print_table(sel[k]);
		free(sel);
		return tool_close_stdout(&t);
	}
	if (json) {
		print_json((const struct fy_adapter *const *)fy_adapters);
		return tool_close_stdout(&t);
	}
	printf("%-16s %-5s %-5s %s\n", "ADAPTER", "READ", "WRITE", "LOCATION");
	for (i = 0; fy_adapters[i]; i++) {
		const struct fy_adapter *a = fy_adapters[i];

		printf("%-16s %-5s %-5s %s\n", a->name, (a->flags & FY_ADAPTER_READ) ? "yes" : "-",
		       (a->flags & FY_ADAPTER_WRITE) ? "yes" : "-", a->locations);
		printf("%-16s %s\n", "", a->summary);
	}
	return tool_close_stdout(&t);
}
