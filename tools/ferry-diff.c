/*
 * ferry-diff - what changed between two archives, in the domain's words:
 * agents, tools, knowledge and workflows added, removed or changed
 * (instructions as a unified diff), threads added and removed, messages
 * added per thread, memory records added, edited and removed, files added
 * and removed.
 *
 *	ferry diff [--json] [--context N] OLDER NEWER
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "diff-print.h"
#include "tool.h"

static const char usage[] = "usage: ferry diff [--json] [--context N] OLDER NEWER\n";

static const char help[] =
	"\n"
	"Compare the archive OLDER with the archive NEWER and print what changed:\n"
	"agents, tools, knowledge sets and workflows added, removed or changed (each\n"
	"changed field; instructions and other multi-line text as a unified diff),\n"
	"threads added or removed, messages added, removed or changed per thread,\n"
	"memory records added, edited or removed, files added or removed. Both\n"
	"archives are verified completely on the way. Memory use grows with the\n"
	"number of records of NEWER (about 24 bytes each), not with their size.\n"
	"\n"
	"      --json            one JSON document (see ferry-diff(1) and\n"
	"                        formats/schema/diff.json)\n"
	"  -U, --context N       lines of context around text changes (default 3)\n"
	"  -h, --help            this help\n"
	"      --version         the version\n";

int main(int argc, char **argv)
{
	enum { O_JSON = 256, O_VERSION };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "context", required_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct fy_buf js = FY_BUF_INIT((size_t)1 << 31);
	struct tool t;
	char *end;
	int c, json = 0, context = 3, rc;

	tool_init(&t, "ferry-diff", usage);
	while ((c = getopt_long(argc, argv, "U:h", longopts, NULL)) != -1) {
		switch (c) {
		case O_JSON: json = 1; break;
		case 'U':
			context = (int)strtol(optarg, &end, 10);
			if (!*optarg || *end || context < 0 || context > 1000)
				return tool_usage_error(&t, "--context takes 0 to 1000");
			break;
		case 'h': tool_print_help(&t, help); return tool_close_stdout(&t);
		case O_VERSION: tool_print_version(&t); return tool_close_stdout(&t);
		default: return tool_usage_error(&t, "unknown option");
		}
	}
	if (argc - optind != 2)
		return tool_usage_error(&t, argc - optind < 2 ? "two archives are needed"
							     : "too many arguments");
	tool_signals();
	rc = diff_print(&t, argv[optind], argv[optind + 1], argv[optind], argv[optind + 1],
			context, json ? &js : NULL);
	if (rc == EXIT_OK && json) {
		fwrite(js.ptr, 1, js.len, stdout);
		putchar('\n');
	}
	fy_buf_release(&js);
	if (rc == EXIT_OK)
		rc = tool_close_stdout(&t);
	return rc;
}
