/*
 * tool.c - shared tool code. See tool.h.
 */
#include "tool.h"

#include "buf.h"
#include "record.h"

#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t tool_interrupted;

int tool_exit_code(enum fy_errcode code)
{
	static const int map[FY_E__COUNT] = {
		[FY_E_OK] = EXIT_OK,
		[FY_E_INTERNAL] = EXIT_FAILURE_,
		[FY_E_USAGE] = EXIT_USAGE,
		[FY_E_DATA] = EXIT_DATA,
		[FY_E_INTEGRITY] = EXIT_INTEGRITY,
		[FY_E_UNSAFE] = EXIT_UNSAFE,
		[FY_E_IO] = EXIT_IO,
		[FY_E_NOMEM] = EXIT_FAILURE_,
		[FY_E_NET] = EXIT_NETWORK,
		[FY_E_AUTH] = EXIT_AUTH,
		[FY_E_UNSUPPORTED] = EXIT_UNSUPPORTED,
		[FY_E_PARTIAL] = EXIT_PARTIAL,
		[FY_E_LOCKED] = EXIT_LOCKED,
		[FY_E_LOSS] = EXIT_LOSS,
		[FY_E_EXISTS] = EXIT_EXISTS,
	};

	if ((unsigned)code >= FY_E__COUNT)
		return EXIT_FAILURE_;
	return map[code];
}

static void on_signal(int sig)
{
	(void)sig;
	if (tool_interrupted)
		_exit(EXIT_INTERRUPTED);
	tool_interrupted = 1;
}

void tool_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void tool_init(struct tool *t, const char *prog, const char *usage)
{
	memset(t, 0, sizeof(*t));
	t->prog = prog;
	t->usage = usage;
	t->verbosity = 1;
	t->progress = isatty(STDERR_FILENO);
	setlocale(LC_CTYPE, "C.UTF-8");
}

int tool_fail(const struct tool *t, const struct fy_error *err)
{
	tool_progress_end((struct tool *)t);
	if (tool_interrupted && err->code == FY_E_INTERNAL) {
		fprintf(stderr, "%s: interrupted\n", t->prog);
		return EXIT_INTERRUPTED;
	}
	fprintf(stderr, "%s: %s\n", t->prog, err->msg[0] ? err->msg : fy_errcode_name(err->code));
	return tool_exit_code(err->code);
}

int tool_usage_error(const struct tool *t, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", t->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s(see '%s --help')\n", t->usage, t->prog);
	return EXIT_USAGE;
}

void tool_warn(const struct tool *t, const char *fmt, ...)
{
	va_list ap;

	tool_progress_end((struct tool *)t);
	fprintf(stderr, "%s: warning: ", t->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void tool_print_help(const struct tool *t, const char *body)
{
	printf("%s\n%s", t->usage, body);
}

void tool_print_version(const struct tool *t)
{
	printf("%s (ferry) %s\n", t->prog, FERRY_VERSION);
}

int tool_close_stdout(const struct tool *t)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: write error on standard output: %s\n", t->prog,
			strerror(errno ? errno : EIO));
		return EXIT_IO;
	}
	return EXIT_OK;
}

static void tool_log(void *cb, enum fy_log_level level, const char *fmt, ...)
{
	struct tool *t = cb;
	va_list ap;

	if ((int)level > t->verbosity)
		return;
	tool_progress_end(t);
	fprintf(stderr, "%s: %s", t->prog,
		level == FY_LOG_ERROR ? "error: " : level == FY_LOG_WARN ? "warning: " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void tool_progress(void *cb, const char *what, uint64_t done, uint64_t total)
{
	struct tool *t = cb;
	uint64_t now;

	if (!t->progress || t->verbosity < 1)
		return;
	now = now_ms();
	if (now - t->last_draw < 100)
		return;
	t->last_draw = now;
	if (total)
		fprintf(stderr, "\r%s: %s %llu/%llu\033[K", t->prog, what, (unsigned long long)done,
			(unsigned long long)total);
	else
		fprintf(stderr, "\r%s: %s %llu\033[K", t->prog, what, (unsigned long long)done);
}

void tool_progress_end(struct tool *t)
{
	if (t && t->progress && t->last_draw) {
		fputs("\r\033[K", stderr);
		t->last_draw = 0;
	}
}

void tool_ctx_init(struct tool *t, struct fy_adapter_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->since = INT64_MIN;
	ctx->verbosity = t->verbosity;
	ctx->log = tool_log;
	ctx->progress = tool_progress;
	ctx->cb = t;
	ctx->producer = "ferry " FERRY_VERSION;
}

int tool_list_add(char ***list, size_t *n, const char *s)
{
	char **p = realloc(*list, (*n + 1) * sizeof(char *));

	if (!p)
		return -1;
	*list = p;
	p[*n] = strdup(s);
	if (!p[*n])
		return -1;
	(*n)++;
	return 0;
}

int tool_read_ids(const struct tool *t, const char *path, char ***ids, size_t *n)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", t->prog, path, strerror(errno));
		return EXIT_IO;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
				   line[len - 1] == ' ' || line[len - 1] == '\t'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (tool_list_add(ids, n, line) < 0) {
			free(line);
			return EXIT_FAILURE_;
		}
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return EXIT_OK;
}

void tool_human_bytes(uint64_t n, char *out, size_t cap)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)n;
	int u = 0;

	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(out, cap, "%llu B", (unsigned long long)n);
	else
		snprintf(out, cap, "%.1f %s", v, units[u]);
}

void tool_json_str(FILE *f, const char *s)
{
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 30);

	if (fy_buf_add_jstr(&b, s, strlen(s), NULL) == 0)
		fwrite(b.ptr, 1, b.len, f);
	fy_buf_release(&b);
}

const char *tool_kind_label(enum fy_kind kind, uint64_t count)
{
	static const char *const plural[FY_KIND__COUNT] = {
		[FY_KIND_AGENT] = "agents", [FY_KIND_TOOL] = "tools",
		[FY_KIND_KNOWLEDGE] = "knowledge sets", [FY_KIND_WORKFLOW] = "workflows",
		[FY_KIND_FILE] = "files", [FY_KIND_THREAD] = "threads",
		[FY_KIND_MESSAGE] = "messages", [FY_KIND_MEMORY] = "memory records",
	};
	static const char *const single[FY_KIND__COUNT] = {
		[FY_KIND_AGENT] = "agent", [FY_KIND_TOOL] = "tool",
		[FY_KIND_KNOWLEDGE] = "knowledge set", [FY_KIND_WORKFLOW] = "workflow",
		[FY_KIND_FILE] = "file", [FY_KIND_THREAD] = "thread",
		[FY_KIND_MESSAGE] = "message", [FY_KIND_MEMORY] = "memory record",
	};

	if (kind <= FY_KIND_NONE || kind >= FY_KIND__COUNT)
		return "records";
	return count == 1 ? single[kind] : plural[kind];
}

void tool_source_init(struct tool_source *s)
{
	memset(s, 0, sizeof(*s));
	s->level = 3;
	s->threads = 2;
}

int tool_source_option(const struct tool *t, int c, const char *arg, struct fy_adapter_ctx *ctx,
		       struct tool_source *s, int *rc)
{
	struct fy_error err;

	*rc = EXIT_OK;
	switch (c) {
	case TOOL_O_ONLY:
		if (fy_kind_parse_list(arg, &ctx->kinds, &err) < 0)
			*rc = tool_usage_error(t, "%s", err.msg);
		break;
	case TOOL_O_AGENT:
		ctx->agent = arg;
		break;
	case TOOL_O_SINCE:
		if (fy_time_parse_user(arg, &ctx->since) < 0)
			*rc = tool_usage_error(t, "--since: '%s' is not a date or RFC 3339 time", arg);
		break;
	case TOOL_O_ID:
		if (tool_list_add(&s->ids, &s->nids, arg) < 0)
			*rc = EXIT_FAILURE_;
		break;
	case TOOL_O_IDS:
		*rc = tool_read_ids(t, arg, &s->ids, &s->nids);
		break;
	case TOOL_O_OPTION:
		if (!strchr(arg, '='))
			*rc = tool_usage_error(t, "--option takes KEY=VALUE");
		else if (tool_list_add(&s->options, &s->noptions, arg) < 0)
			*rc = EXIT_FAILURE_;
		break;
	case TOOL_O_LEVEL:
		s->level = atoi(arg);
		if (s->level < 1 || s->level > 19)
			*rc = tool_usage_error(t, "--level takes 1 to 19");
		break;
	case TOOL_O_THREADS:
		s->threads = atoi(arg);
		if (s->threads < 1 || s->threads > 64)
			*rc = tool_usage_error(t, "--threads takes 1 to 64");
		break;
	default:
		return 0;
	}
	return *rc == EXIT_OK ? 1 : -1;
}

void tool_source_apply(struct tool_source *s, struct fy_adapter_ctx *ctx)
{
	ctx->ids = (const char *const *)s->ids;
	ctx->nids = s->nids;
	ctx->options = (const char *const *)s->options;
	ctx->noptions = s->noptions;
}

void tool_source_release(struct tool_source *s)
{
	while (s->nids)
		free(s->ids[--s->nids]);
	free(s->ids);
	s->ids = NULL;
	while (s->noptions)
		free(s->options[--s->noptions]);
	free(s->options);
	s->options = NULL;
}
