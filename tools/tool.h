/*
 * tool.h - what every ferry-<verb> program shares: messages, exit codes,
 * progress, signals, adapter contexts.
 *
 * This is the only layer that prints or exits. Library errors arrive as
 * struct fy_error; tool_fail() prints them as "ferry-export: <message>"
 * and returns the exit status for their kind, from the one table in
 * tool.c (documented in README.md and every man page).
 */
#ifndef FERRY_TOOL_H
#define FERRY_TOOL_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "adapter.h"
#include "error.h"

#ifndef FERRY_VERSION
#define FERRY_VERSION "0.0.0"
#endif

/* Exit statuses: stable, documented. */
enum {
	EXIT_OK = 0,
	EXIT_FAILURE_ = 1,	/* anything not listed below */
	EXIT_USAGE = 2,
	EXIT_DATA = 3,
	EXIT_INTEGRITY = 4,
	EXIT_UNSAFE = 5,
	EXIT_IO = 6,
	EXIT_NETWORK = 7,
	EXIT_AUTH = 8,
	EXIT_UNSUPPORTED = 9,
	EXIT_PARTIAL = 10,
	EXIT_LOCKED = 11,
	EXIT_LOSS = 12,
	EXIT_EXISTS = 13,
	EXIT_INTERRUPTED = 130,
};

struct tool {
	const char *prog;	/* "ferry-export" */
	const char *usage;	/* the synopsis lines */
	int verbosity;		/* 0 quiet, 1 normal, 2 verbose, 3 trace */
	int progress;		/* draw progress on stderr */
	uint64_t last_draw;
	void *ledger;		/* an import's done-ledger (plan.h), for ctx->ledger */
};

extern volatile sig_atomic_t tool_interrupted;

void tool_init(struct tool *t, const char *prog, const char *usage);
/* Install SIGINT/SIGTERM handlers: the first sets tool_interrupted, the second exits. */
void tool_signals(void);
/* Print "prog: message" for err and return its exit status. */
int tool_fail(const struct tool *t, const struct fy_error *err);
int tool_exit_code(enum fy_errcode code);
/* "prog: message" then the usage on stderr; returns EXIT_USAGE. */
int tool_usage_error(const struct tool *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tool_print_help(const struct tool *t, const char *body);
void tool_print_version(const struct tool *t);
/* Flush stdout; on a write error report it and return EXIT_IO. */
int tool_close_stdout(const struct tool *t);
void tool_warn(const struct tool *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fill an adapter context with the tool's services (log, progress). */
void tool_ctx_init(struct tool *t, struct fy_adapter_ctx *ctx);
void tool_progress(void *cb, const char *what, uint64_t done, uint64_t total);
void tool_progress_end(struct tool *t);

/* Read "--ids-from FILE": one id per line; appends to *ids. Returns 0 or EXIT_* . */
int tool_read_ids(const struct tool *t, const char *path, char ***ids, size_t *n);
/* Append s to a growable string list. */
int tool_list_add(char ***list, size_t *n, const char *s);

/*
 * The source options export and backup share: --only --agent --since --id
 * --ids-from --option --level --threads. A tool puts TOOL_SOURCE_LONGOPTS
 * in its getopt_long() table and hands each option to tool_source_option().
 */
enum {
	TOOL_O_ONLY = 0x1000, TOOL_O_AGENT, TOOL_O_SINCE, TOOL_O_ID, TOOL_O_IDS, TOOL_O_OPTION,
	TOOL_O_LEVEL, TOOL_O_THREADS,
};
#define TOOL_SOURCE_LONGOPTS                                          \
	{ "only", required_argument, NULL, TOOL_O_ONLY },             \
	{ "agent", required_argument, NULL, TOOL_O_AGENT },           \
	{ "since", required_argument, NULL, TOOL_O_SINCE },           \
	{ "id", required_argument, NULL, TOOL_O_ID },                 \
	{ "ids-from", required_argument, NULL, TOOL_O_IDS },          \
	{ "option", required_argument, NULL, TOOL_O_OPTION },         \
	{ "level", required_argument, NULL, TOOL_O_LEVEL },           \
	{ "threads", required_argument, NULL, TOOL_O_THREADS }

struct tool_source {
	char **ids;		/* --id, --ids-from */
	size_t nids;
	char **options;		/* --option KEY=VALUE */
	size_t noptions;
	int level, threads;	/* zstd: 3 and 2 unless set */
};

void tool_source_init(struct tool_source *s);
/*
 * Apply option c (with its argument) to ctx and s: 1 when it was one of
 * the source options, 0 when it was not, -1 on a bad value (*rc then
 * holds the exit status; the message is printed).
 */
int tool_source_option(const struct tool *t, int c, const char *arg, struct fy_adapter_ctx *ctx,
		       struct tool_source *s, int *rc);
/* Point ctx at the ids and adapter options (borrowed from s). */
void tool_source_apply(struct tool_source *s, struct fy_adapter_ctx *ctx);
void tool_source_release(struct tool_source *s);

/* "message"/"messages", "memory record"/"memory records", ... */
const char *tool_kind_label(enum fy_kind kind, uint64_t count);

/* Print s as a JSON string literal. */
void tool_json_str(FILE *f, const char *s);

/* Human sizes: "1.2 MB". */
void tool_human_bytes(uint64_t n, char *out, size_t cap);

#endif
