/*
 * ferry-cat - records as JSON Lines, for jq.
 *
 *	ferry cat FILE [KIND...]
 */
#include <getopt.h>
#include <string.h>

#include "reader.h"
#include "tool.h"

static const char usage[] = "usage: ferry cat FILE [KIND...]\n";

static const char help[] =
	"\n"
	"Print every record of the archive FILE ('-': standard input) as one JSON\n"
	"object per line, in archive order. Each has \"kind\" and \"id\"; messages\n"
	"carry \"thread\", \"parent\" (null for a root), \"role\" and \"parts\".\n"
	"KIND limits the output to those kinds (agent, tool, knowledge, workflow,\n"
	"file, thread, message, memory); the kind 'ledger' prints the ledger lines.\n"
	"The archive is verified as it is read: a fault ends the output with an\n"
	"error and a non-zero exit.\n"
	"\n"
	"  -h, --help            this help\n"
	"      --version         the version\n";

int main(int argc, char **argv)
{
	enum { O_VERSION = 256 };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct fy_buf line = FY_BUF_INIT((size_t)64 << 20);
	unsigned kinds = 0;
	int want_ledger = 0;
	struct tool t;
	struct fy_error err;
	struct fy_reader *r;
	struct fy_item it;
	const char *file;
	int c, got, i, rc;

	tool_init(&t, "ferry-cat", usage);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': tool_print_help(&t, help); return tool_close_stdout(&t);
		case O_VERSION: tool_print_version(&t); return tool_close_stdout(&t);
		default: return tool_usage_error(&t, "unknown option");
		}
	}
	if (optind >= argc)
		return tool_usage_error(&t, "no FILE given");
	file = argv[optind];
	for (i = optind + 1; i < argc; i++) {
		unsigned set;

		if (strcmp(argv[i], "ledger") == 0) {
			want_ledger = 1;
			continue;
		}
		if (fy_kind_parse_list(argv[i], &set, &err) < 0)
			return tool_usage_error(&t, "%s", err.msg);
		kinds |= set;
	}
	if (!kinds && !want_ledger)
		kinds = ~0u;
	tool_signals();
	r = fy_reader_open(file, NULL, &err);
	if (!r) {
		fy_error_prefix(&err, "%s", file);
		return tool_fail(&t, &err);
	}
	while ((got = fy_reader_next(r, &it, &err)) == 1) {
		if (it.type == FY_ITEM_RECORD ? !((kinds >> it.kind) & 1)
					      : !(it.type == FY_ITEM_LEDGER && want_ledger))
			continue;
		fy_buf_reset(&line);
		if (fy_json_emit(it.doc, 0, &line, &err) < 0 || fy_buf_addc(&line, '\n', &err) < 0) {
			got = -1;
			break;
		}
		if (fwrite(line.ptr, 1, line.len, stdout) != line.len)
			break;
		if (tool_interrupted) {
			fy_error_set(&err, FY_E_INTERNAL, "interrupted");
			got = -1;
			break;
		}
	}
	fy_buf_release(&line);
	rc = tool_close_stdout(&t);
	if (got < 0) {
		fy_error_prefix(&err, "%s", file);
		rc = tool_fail(&t, &err);
	}
	fy_reader_free(r);
	return rc;
}
