/*
 * ferry - the front: `ferry VERB ARGS...` runs `ferry-VERB ARGS...`, as git
 * does. The program is looked for beside this one first (so a build tree
 * works without installing), then on PATH.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef FERRY_VERSION
#define FERRY_VERSION "0.0.0"
#endif

static const char usage[] =
	"usage: ferry [--help] [--version] VERB [ARGS...]\n"
	"\n"
	"Move AI agents, their conversations, memory, knowledge and workflows out\n"
	"of one provider and into another, through an open archive (tar + zstd +\n"
	"JSON) that you can read with tar, zstd and jq alone.\n"
	"\n"
	"verbs:\n"
	"  export    SOURCE -o FILE       provider -> archive\n"
	"  import    FILE TARGET          archive -> provider\n"
	"  migrate   SOURCE TARGET        provider -> provider in one run, plan first\n"
	"  ls        FILE                 what is inside: counts, sizes, time range\n"
	"  cat       FILE [KIND...]       records as JSON Lines, for jq\n"
	"  verify    FILE...              checksums, schemas and references\n"
	"  diff      OLDER NEWER          what changed: agents, prompts, messages, memory\n"
	"  backup    SOURCE --repo DEST   a dated, verified archive into a folder or S3\n"
	"  forget    --repo DEST --keep-* remove the archives a keep policy drops\n"
	"  adapters                       the adapters and what they can do\n"
	"  audit     FILE|SOURCE -t TARGET  what moving would preserve, change or lose\n"
	"\n"
	"SOURCE and TARGET are ADAPTER:LOCATION, e.g. dir:./tree.\n"
	"'ferry VERB --help' and the man page ferry-VERB(1) tell more.\n";

static int valid_verb(const char *v)
{
	size_t i;

	if (!*v || strlen(v) > 32)
		return 0;
	for (i = 0; v[i]; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || v[i] == '-'))
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	char self[PATH_MAX], prog[PATH_MAX + 64], name[64];
	const char *verb;
	ssize_t n;

	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	verb = argv[1];
	if (!strcmp(verb, "-h") || !strcmp(verb, "--help") || !strcmp(verb, "help")) {
		if (argc > 2 && !strcmp(verb, "help") && valid_verb(argv[2])) {
			/* `ferry help VERB` is `ferry VERB --help`. */
			argv[1] = argv[2];
			argv[2] = "--help";
			verb = argv[1];
		} else {
			fputs(usage, stdout);
			return fflush(stdout) == 0 ? 0 : 6;
		}
	}
	if (!strcmp(verb, "--version")) {
		printf("ferry %s\n", FERRY_VERSION);
		return fflush(stdout) == 0 ? 0 : 6;
	}
	if (!valid_verb(verb)) {
		fprintf(stderr, "ferry: '%s' is not a ferry verb (see 'ferry --help')\n", verb);
		return 2;
	}
	snprintf(name, sizeof(name), "ferry-%s", verb);
	argv[1] = name;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		char *slash;

		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(prog, sizeof(prog), "%s/%s", self, name);
			if (access(prog, X_OK) == 0) {
				execv(prog, argv + 1);
				fprintf(stderr, "ferry: %s: %s\n", prog, strerror(errno));
				return 1;
			}
		}
	}
	execvp(name, argv + 1);
	if (errno == ENOENT) {
		fprintf(stderr, "ferry: '%s' is not a ferry verb (see 'ferry --help')\n", verb);
		return 2;
	}
	fprintf(stderr, "ferry: %s: %s\n", name, strerror(errno));
	return 1;
}
