/*
 * diff-print.h - print what changed between two archives (ferry diff,
 * ferry backup --diff): text for people, or the JSON document of
 * formats/schema/diff.json.
 */
#ifndef FERRY_DIFF_PRINT_H
#define FERRY_DIFF_PRINT_H

#include "buf.h"
#include "tool.h"

/*
 * Compare the archive files a (older) and b (newer), named label_a and
 * label_b in the output. json NULL: text on standard output; else the JSON
 * document is appended to json. context: lines around text changes (< 0:
 * the default 3). Returns an exit status (errors are printed).
 */
int diff_print(const struct tool *t, const char *a, const char *b, const char *label_a,
	       const char *label_b, int context, struct fy_buf *json);

#endif
