/*
 * ferry-adapters - the registered adapters and what each can read, write
 * and preserve.
 *
 *	ferry adapters [--json]
 */
#include <getopt.h>
#include <string.h>

#include "registry.h"
#include "tool.h"

static const char usage[] = "usage: ferry adapters [--json]\n";

static const char help[] =
	"\n"
	"List the adapters: their names, whether they read (export) and write\n"
	"(import), the LOCATION forms they take, and with --json their capability\n"
	"tables (for each record kind and field: native, emulated, degraded or\n"
	"unsupported, with a note).\n"
	"\n"
	"      --json            print JSON instead of text\n"
	"  -h, --help            this help\n"
	"      --version         the version\n";

static const char *level_name(enum fy_cap_level l)
{
	switch (l) {
	case FY_CAP_NATIVE: return "native";
	case FY_CAP_EMULATED: return "emulated";
	case FY_CAP_DEGRADED: return "degraded";
	case FY_CAP_UNSUPPORTED: return "unsupported";
	default: return "none";
	}
}

static void print_json(void)
{
	size_t i, j;

	printf("[");
	for (i = 0; fy_adapters[i]; i++) {
		const struct fy_adapter *a = fy_adapters[i];

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

			printf("%s{\"kind\":\"%s\",\"field\":", j ? "," : "", fy_kind_name(c->kind));
			if (c->field)
				tool_json_str(stdout, c->field);
			else
				printf("null");
			printf(",\"read\":\"%s\",\"write\":\"%s\",\"note\":", level_name(c->read),
			       level_name(c->write));
			tool_json_str(stdout, c->note ? c->note : "");
			printf("}");
		}
		printf("]}");
	}
	printf("]\n");
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
	if (optind != argc)
		return tool_usage_error(&t, "too many arguments");
	if (json) {
		print_json();
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
