/*
 * ferry-ls - what is inside an archive: counts per kind, sizes, time
 * range, source. Reading the whole archive verifies it, so the listing
 * also says whether it is intact.
 *
 *	ferry ls [--json] FILE
 */
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>

#include "reader.h"
#include "tool.h"

static const char usage[] = "usage: ferry ls [--json] FILE\n";

static const char help[] =
	"\n"
	"Show what the archive FILE ('-': standard input) holds: its source and\n"
	"creation time, record counts and bytes per kind, blobs, the time range of\n"
	"its content, and the secrets an import will need. The whole archive is\n"
	"read and verified; a damaged archive is reported with a non-zero exit.\n"
	"\n"
	"      --json            print JSON instead of text\n"
	"  -h, --help            this help\n"
	"      --version         the version\n";

struct tally {
	uint64_t bytes[FY_KIND__COUNT];
	uint64_t blob_bytes, raw_bytes, raw, ledger;
};

static void print_text(const char *file, const struct fy_reader *r, const struct tally *ty,
		       off_t fsize)
{
	const struct fy_header *h = fy_reader_header(r);
	const struct fy_stats *st = fy_reader_stats(r);
	const struct fy_reader_summary *sum = fy_reader_summary(r);
	char b1[32], b2[32], t1[40], t2[40];
	size_t i;
	int k;

	tool_human_bytes(sum->bytes, b1, sizeof(b1));
	printf("archive   %s", file);
	if (fsize > 0) {
		tool_human_bytes((uint64_t)fsize, b2, sizeof(b2));
		printf(" (%s; %s uncompressed)", b2, b1);
	}
	printf("\nformat    ferry %s, written by %s\n", h->version, h->producer ? h->producer : "?");
	printf("created   %s\n", h->created ? h->created : "?");
	printf("source    %s%s%s", h->source_adapter ? h->source_adapter : "?",
	       h->source_location ? ": " : "", h->source_location ? h->source_location : "");
	if (h->source_account)
		printf(" (account %s)", h->source_account);
	printf("\n");
	if (h->scope_json)
		printf("scope     %s\n", h->scope_json);
	printf("records\n");
	for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++) {
		tool_human_bytes(ty->bytes[k], b1, sizeof(b1));
		printf("  %-10s %10llu  %s\n", fy_kind_name((enum fy_kind)k),
		       (unsigned long long)st->records[k], b1);
	}
	tool_human_bytes(ty->blob_bytes, b1, sizeof(b1));
	printf("blobs     %llu (%s)\n", (unsigned long long)st->blobs, b1);
	if (ty->raw) {
		tool_human_bytes(ty->raw_bytes, b1, sizeof(b1));
		printf("raw       %llu provider originals (%s)\n", (unsigned long long)ty->raw, b1);
	}
	if (ty->ledger)
		printf("ledger    %llu lines\n", (unsigned long long)ty->ledger);
	if (st->has_time) {
		fy_time_format(st->first_s, st->first_ns, t1);
		fy_time_format(st->last_s, st->last_ns, t2);
		printf("content   %s .. %s\n", t1, t2);
	}
	if (st->external)
		printf("scoped    %llu references point to records outside this export's scope\n",
		       (unsigned long long)st->external);
	if (st->warnings)
		printf("warnings  %llu parts of a type ferry does not know, kept verbatim\n",
		       (unsigned long long)st->warnings);
	if (st->nsecrets) {
		printf("secrets   ");
		for (i = 0; i < st->nsecrets; i++)
			printf("%s%s", i ? ", " : "", st->secrets[i]);
		printf("  (to bind at import)\n");
	}
	printf("members   %llu\n", (unsigned long long)sum->members);
	printf("verified  yes: every checksum, schema and reference\n");
}

static void print_json(const char *file, const struct fy_reader *r, const struct tally *ty,
		       off_t fsize)
{
	const struct fy_header *h = fy_reader_header(r);
	const struct fy_stats *st = fy_reader_stats(r);
	const struct fy_reader_summary *sum = fy_reader_summary(r);
	char t1[40], t2[40];
	size_t i;
	int k;

	printf("{\"archive\":");
	tool_json_str(stdout, file);
	printf(",\"size\":%lld,\"bytes\":%llu,\"members\":%llu,\"version\":", (long long)fsize,
	       (unsigned long long)sum->bytes, (unsigned long long)sum->members);
	tool_json_str(stdout, h->version);
	printf(",\"producer\":");
	tool_json_str(stdout, h->producer ? h->producer : "");
	printf(",\"created\":");
	tool_json_str(stdout, h->created ? h->created : "");
	printf(",\"source\":{\"adapter\":");
	tool_json_str(stdout, h->source_adapter ? h->source_adapter : "");
	if (h->source_location) {
		printf(",\"location\":");
		tool_json_str(stdout, h->source_location);
	}
	if (h->source_account) {
		printf(",\"account\":");
		tool_json_str(stdout, h->source_account);
	}
	printf("},\"scope\":%s,\"records\":{", h->scope_json ? h->scope_json : "null");
	for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++)
		printf("%s\"%s\":{\"count\":%llu,\"bytes\":%llu}", k > 1 ? "," : "",
		       fy_kind_name((enum fy_kind)k), (unsigned long long)st->records[k],
		       (unsigned long long)ty->bytes[k]);
	printf("},\"blobs\":{\"count\":%llu,\"bytes\":%llu},\"raw\":{\"count\":%llu,\"bytes\":%llu},"
	       "\"ledger\":%llu,\"warnings\":%llu,\"external_references\":%llu,\"time_range\":",
	       (unsigned long long)st->blobs, (unsigned long long)ty->blob_bytes,
	       (unsigned long long)ty->raw, (unsigned long long)ty->raw_bytes,
	       (unsigned long long)ty->ledger, (unsigned long long)st->warnings,
	       (unsigned long long)st->external);
	if (st->has_time) {
		fy_time_format(st->first_s, st->first_ns, t1);
		fy_time_format(st->last_s, st->last_ns, t2);
		printf("{\"first\":\"%s\",\"last\":\"%s\"}", t1, t2);
	} else {
		printf("null");
	}
	printf(",\"secrets\":[");
	for (i = 0; i < st->nsecrets; i++) {
		if (i)
			putchar(',');
		tool_json_str(stdout, st->secrets[i]);
	}
	printf("],\"verified\":true}\n");
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
	struct tally ty;
	struct fy_error err;
	struct fy_reader *r;
	struct fy_item it;
	struct stat st;
	const char *file;
	int c, json = 0, got;

	tool_init(&t, "ferry-ls", usage);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_JSON: json = 1; break;
		case 'h': tool_print_help(&t, help); return tool_close_stdout(&t);
		case O_VERSION: tool_print_version(&t); return tool_close_stdout(&t);
		default: return tool_usage_error(&t, "unknown option");
		}
	}
	if (argc - optind != 1)
		return tool_usage_error(&t, argc == optind ? "no FILE given" : "too many arguments");
	file = argv[optind];
	tool_signals();
	memset(&ty, 0, sizeof(ty));
	r = fy_reader_open(file, NULL, &err);
	if (!r) {
		fy_error_prefix(&err, "%s", file);
		return tool_fail(&t, &err);
	}
	while ((got = fy_reader_next(r, &it, &err)) == 1) {
		if (it.type == FY_ITEM_RECORD)
			ty.bytes[it.kind] += it.len;
		else if (it.type == FY_ITEM_BLOB)
			ty.blob_bytes += it.size;
		else if (it.type == FY_ITEM_RAW) {
			ty.raw++;
			ty.raw_bytes += it.size;
		} else if (it.type == FY_ITEM_LEDGER)
			ty.ledger++;
	}
	if (got < 0) {
		fy_reader_free(r);
		fy_error_prefix(&err, "%s", file);
		return tool_fail(&t, &err);
	}
	if (strcmp(file, "-") == 0 || stat(file, &st) < 0)
		st.st_size = 0;
	if (json)
		print_json(file, r, &ty, st.st_size);
	else
		print_text(file, r, &ty, st.st_size);
	fy_reader_free(r);
	return tool_close_stdout(&t);
}
