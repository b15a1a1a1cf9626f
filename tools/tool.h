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
	void *ledger_cb;	/* the tool's ledger sink, for its ctx->ledger function */
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

/* "message"/"messages", "memory record"/"memory records", ... */
const char *tool_kind_label(enum fy_kind kind, uint64_t count);

/* Print s as a JSON string literal. */
void tool_json_str(FILE *f, const char *s);

/* Human sizes: "1.2 MB". */
void tool_human_bytes(uint64_t n, char *out, size_t cap);

#endif
