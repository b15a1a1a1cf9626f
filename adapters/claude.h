/*
 * claude.h - the pure mapping of the claude adapter: the JSON objects of a
 * Claude.ai account export into neutral records. No I/O: the adapter
 * (claude.c) reads the export and hands each object here; tests and fuzz
 * targets call these directly.
 *
 *	struct fy_claude_map m;
 *	fy_claude_map_init(&m);
 *	m.path = "memories.json";
 *	fy_claude_note_memories(&m, memories_json, n, err);   which projects have a memory
 *	m.path = "projects.json";
 *	fy_claude_map_project(&m, project_json, n, &q, err);   agent, knowledge, files, blobs
 *	fy_claude_map_memories(&m, memories_json, n, &q, err); memory records
 *	m.path = "conversations.json";
 *	fy_claude_map_conversation(&m, conv_json, n, &q, err); thread and messages
 *	fy_claude_map_release(&m);
 *
 * Projects before memories before conversations: a memory's or a thread's
 * project becomes a reference to the project's agent only when that
 * project was mapped. What maps to what is described in claude.c.
 */
#ifndef FY_CLAUDE_H
#define FY_CLAUDE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "json.h"
#include "recq.h"
#include "tree.h"

struct fy_claude_map {
	/* Set by the caller. */
	const char *path;		/* the file the object came from */
	uint64_t index;			/* its 1-based position there */
	/* Counters (for the adapter's summary). */
	uint64_t conversations, messages, projects, memories;
	/* Private. */
	struct fy_jdoc doc;
	struct fy_keymap projects_seen;	/* project uuids mapped to agents */
	struct fy_keymap project_mem;	/* project uuids memories.json has a memory for */
	struct fy_keymap msgs;		/* one conversation's message uuids */
	struct fy_tree tree;
	struct fy_buf scratch, scratch2;
};

void fy_claude_map_init(struct fy_claude_map *m);
void fy_claude_map_release(struct fy_claude_map *m);

/* Remember which projects memories.json (or memories/<account>.json) has a memory for. */
int fy_claude_note_memories(struct fy_claude_map *m, const char *json, size_t len,
			    struct fy_error *err);
/*
 * One project (an element of projects.json, or a projects/<uuid>.json):
 * its documents as blobs and file records, a knowledge record naming
 * them, and an agent (instructions = prompt_template).
 */
int fy_claude_map_project(struct fy_claude_map *m, const char *json, size_t len,
			  struct fy_recq *out, struct fy_error *err);
/* memories.json (an array of objects, or one object): memory records. */
int fy_claude_map_memories(struct fy_claude_map *m, const char *json, size_t len,
			   struct fy_recq *out, struct fy_error *err);
/* One conversation (an element of conversations.json): thread and messages, parents first. */
int fy_claude_map_conversation(struct fy_claude_map *m, const char *json, size_t len,
			       struct fy_recq *out, struct fy_error *err);
/* The same three for an object already parsed into m->doc (root 0). */
int fy_claude_map_project_doc(struct fy_claude_map *m, struct fy_recq *out, struct fy_error *err);
int fy_claude_map_conversation_doc(struct fy_claude_map *m, struct fy_recq *out,
				   struct fy_error *err);

#endif
