/*
 * letta_sink.c - writing agent files (the sink of the letta-af adapter).
 *
 * Records arrive in archive order. Agents, tools, memory, knowledge and
 * file records are few and kept in memory; messages are not: each
 * thread's messages go to a scratch file, and when the thread ends its
 * active branch (root to thread.active_leaf) is appended to a spill file,
 * so memory stays flat whatever the history size. Blobs and raw originals
 * are spilled too. At the end the agent files are assembled from the
 * spill (see letta_af.c for the schema and the mapping rules).
 *
 * Written in the current AgentFileSchema: file-local ids ("agent-0",
 * "message-12"; ids read from an agent file are reused), every reference
 * resolvable, required keys present, secrets never written (their names
 * go to the ledger). A location ending in ".af" is one file holding every
 * agent; anything else is a folder with one file per agent (agents that
 * share a block, a group, a knowledge set or hand off to each other stay
 * in one file, since a reference cannot cross files).
 *
 * When the archive's records are exactly those its raw/letta-af/
 * originals give (nothing filtered or edited) and the originals use the
 * current schema, the originals are written verbatim (lossless); the
 * option original=ignore turns that off.
 */
#include "letta.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "adapter.h"
#include "fidelity.h"
#include "ledger.h"
#include "letta_sink.h"
#include "reader.h"
#include "writer.h"
#include "durable.h"

#define CORE_MEMORY_BLOCK_CHAR_LIMIT 20000	/* letta/constants.py */

/* The record of an agent ferry creates: no fields at all. */
static const struct fy_jdoc no_doc;
#define DEFAULT_CONTEXT_MESSAGES 20

/* --- stored records ------------------------------------------------------ */

struct srec {
	char *json;
	size_t len;
	struct fy_jdoc d;
	int parsed;
	char id[FY_ID_MAX + 1];
	int used;		/* written into some file */
};

struct rset {
	struct srec *v;
	size_t n, cap;
};

struct span {
	char thread[FY_ID_MAX + 1];
	char agent[FY_ID_MAX + 1];	/* "" when the thread names none */
	char *title;
	char *ctx_order;		/* thread ext.letta-af.in_context_order, as JSON, or NULL */
	int foreign;			/* the thread did not come from letta-af */
	uint64_t off, len;		/* its kept messages in the spill file */
	uint32_t nmsg, dropped;
	int has_ctx;
	char model[160];
	char provider[64];
};

struct tmsg {
	uint64_t off;
	uint32_t len;
	int64_t parent;			/* index, or -1 */
	uint64_t hash;
	char *id;
};

/* An agent to write. */
struct wagent {
	struct srec *rec;		/* NULL: synthesized for threads that name no agent */
	char id[FY_ID_MAX + 1];
	char name[256];
	size_t *spans;
	size_t nspans;
	int comp;
	long num;			/* file-local number */
	int own_human, own_persona;	/* it has blocks with these labels */
};

/* A block assembled from memory records that are not blocks. */
struct mblock {
	size_t agent;
	char label[32];
	struct fy_buf text;
	int persona;
	long num;
};

struct letta_sink {
	const struct fy_adapter_ctx *ctx;
	char *target;
	int to_file;
	int keep_original;
	int per_thread;			/* option agents=thread */
	long context_messages;
	char source_adapter[48];
	char created[48];
	char tmpdir[PATH_MAX];
	int scratch_fd, kept_fd, scratch_broken;
	uint64_t scratch_len, kept_len;
	/* the thread being received */
	int in_thread;
	struct span cur;
	char *cur_leaf;
	struct tmsg *tm;
	size_t ntm, captm;
	int64_t *hashtab;
	size_t hashcap;
	/* what was received */
	struct rset agents, tools, memory, knowledge, files;
	struct span *spans;
	size_t nspans, capspans;
	struct letta_strs blobs, raws, workflows;
	struct letta_digest got;
	struct fy_jdoc doc;
	struct fy_buf line, led;
	/* while writing */
	struct wagent *wa;
	size_t nwa;
	struct mblock *mb;
	size_t nmb;
	uint64_t ledger_lines;
};

/*
 * The done-ledger (adapter.h): the lines the capability table promises
 * are reported when a record is handed over (report_table); everything the
 * table cannot say in advance - a branch left out, an agent created, a
 * default written - is a "warning" line (not compared with the plan) whose
 * reason starts with what happened: "dropped: ...", "transformed: ...".
 */
static int report(struct letta_sink *s, enum fy_kind kind, const char *id, const char *thread,
		  const char *field, enum fy_outcome o, const char *rule, const char *reason,
		  struct fy_error *err)
{
	struct fy_ledger_item item = { kind, id, thread, field };

	s->ledger_lines++;
	return fy_ledger_report(s->ctx, &item, o, rule, reason, err);
}

/* A warning line: effect is what happened ("dropped", "transformed", ...). */
__attribute__((format(printf, 8, 9)))
static int ledgerf(struct letta_sink *s, const char *kind, const char *id, const char *field,
		   const char *effect, const char *rule, struct fy_error *err, const char *fmt, ...)
{
	char reason[1100], text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(reason, sizeof(reason), "%s: %s", effect, text);
	return report(s, fy_kind_from_name(kind, strlen(kind)), id, NULL, field, FY_OUT__COUNT, rule,
		      reason, err);
}

static int sink_ledger(struct letta_sink *s, const char *kind, const char *id, const char *field,
		       const char *effect, const char *rule, const char *reason, struct fy_error *err)
{
	return ledgerf(s, kind, id, field, effect, rule, err, "%s", reason);
}

static int rset_add(struct rset *r, const char *json, size_t len, const char *id,
		    struct fy_error *err)
{
	struct srec *e;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct srec *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		r->v = v;
		r->cap = cap;
	}
	e = &r->v[r->n];
	memset(e, 0, sizeof(*e));
	e->json = malloc(len + 1);
	if (!e->json)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	memcpy(e->json, json, len);
	e->json[len] = '\0';
	e->len = len;
	snprintf(e->id, sizeof(e->id), "%s", id);
	fy_jdoc_init(&e->d);
	r->n++;
	return 0;
}

static void rset_release(struct rset *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].json);
		fy_jdoc_release(&r->v[i].d);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static int rset_parse(struct rset *r, struct fy_error *err)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (r->v[i].parsed)
			continue;
		if (fy_jdoc_parse(&r->v[i].d, r->v[i].json, r->v[i].len, 0, err) < 0)
			return -1;
		r->v[i].parsed = 1;
	}
	return 0;
}

static struct srec *rset_find(const struct rset *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i].id, id) == 0)
			return &r->v[i];
	return NULL;
}

/* --- spill files ------------------------------------------------------------ */

static int write_all(int fd, const void *p, size_t n, const char *what, struct fy_error *err)
{
	const char *c = p;

	while (n) {
		ssize_t k = write(fd, c, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return fy_error_errno(err, errno, "letta-af: %s", what);
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

static int read_at(int fd, uint64_t off, void *p, size_t n, struct fy_error *err)
{
	char *c = p;

	while (n) {
		ssize_t k = pread(fd, c, n, (off_t)off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return fy_error_errno(err, k < 0 ? errno : EIO, "letta-af: spill file");
		c += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

static int spill_path(const struct letta_sink *s, const char *name, char *out)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", s->tmpdir, name);

	return n > 0 && n < PATH_MAX ? 0 : -1;
}

static void remove_tree(const char *path);

/* --- the thread being received -------------------------------------------- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h ? h : 1;
}

static int64_t tm_lookup(const struct letta_sink *s, const char *id)
{
	uint64_t h = hash_str(id);
	size_t i;

	if (!s->hashcap)
		return -1;
	for (i = h & (s->hashcap - 1);; i = (i + 1) & (s->hashcap - 1)) {
		int64_t v = s->hashtab[i];

		if (v < 0)
			return -1;
		if (s->tm[v].hash == h && strcmp(s->tm[v].id, id) == 0)
			return v;
	}
}

static int tm_insert(struct letta_sink *s, size_t idx, struct fy_error *err)
{
	size_t i;

	if ((s->ntm + 1) * 2 > s->hashcap) {
		size_t cap = s->hashcap ? s->hashcap * 2 : 1024, k;
		int64_t *t = malloc(cap * sizeof(*t));

		if (!t)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		for (k = 0; k < cap; k++)
			t[k] = -1;
		free(s->hashtab);
		s->hashtab = t;
		s->hashcap = cap;
		for (k = 0; k < s->ntm; k++) {
			for (i = s->tm[k].hash & (cap - 1); t[i] >= 0; i = (i + 1) & (cap - 1))
				;
			t[i] = (int64_t)k;
		}
		if (idx < s->ntm)
			return 0;
	}
	for (i = s->tm[idx].hash & (s->hashcap - 1); s->hashtab[i] >= 0; i = (i + 1) & (s->hashcap - 1))
		;
	s->hashtab[i] = (int64_t)idx;
	return 0;
}

static void thread_reset(struct letta_sink *s)
{
	size_t i;

	for (i = 0; i < s->ntm; i++)
		free(s->tm[i].id);
	s->ntm = 0;
	for (i = 0; i < s->hashcap; i++)
		s->hashtab[i] = -1;
	free(s->cur.title);
	free(s->cur.ctx_order);
	free(s->cur_leaf);
	s->cur_leaf = NULL;
	memset(&s->cur, 0, sizeof(s->cur));
	s->in_thread = 0;
	s->scratch_len = 0;
	/* empty the scratch file and write from its start again */
	if (s->scratch_fd >= 0 && (ftruncate(s->scratch_fd, 0) < 0 || lseek(s->scratch_fd, 0, SEEK_SET) < 0))
		s->scratch_broken = 1;
}

/* The thread ended: keep its active branch, in order, in the spill file. */
static int thread_end(struct letta_sink *s, struct fy_error *err)
{
	int64_t leaf = -1, i;
	size_t n = 0, k, *path = NULL;
	struct fy_buf b = FY_BUF_INIT(FY_RECORD_MAX_DEFAULT + 16);
	int rc = -1;

	if (!s->in_thread)
		return 0;
	if (s->ntm) {
		if (s->cur_leaf)
			leaf = tm_lookup(s, s->cur_leaf);
		if (leaf < 0)
			leaf = (int64_t)s->ntm - 1;
		path = malloc(s->ntm * sizeof(*path));
		if (!path) {
			fy_error_set(err, FY_E_NOMEM, "out of memory");
			goto out;
		}
		for (i = leaf; i >= 0 && n < s->ntm; i = s->tm[i].parent)
			path[n++] = (size_t)i;
	}
	s->cur.off = s->kept_len;
	s->cur.nmsg = (uint32_t)n;
	s->cur.dropped = (uint32_t)(s->ntm - n);
	for (k = n; k-- > 0;) {
		const struct tmsg *m = &s->tm[path[k]];

		fy_buf_reset(&b);
		if (fy_buf_grow(&b, m->len + 1, err) < 0 ||
		    read_at(s->scratch_fd, m->off, b.ptr, m->len, err) < 0)
			goto out;
		b.ptr[m->len] = '\n';
		if (write_all(s->kept_fd, b.ptr, m->len + 1, "spill file", err) < 0)
			goto out;
		s->kept_len += m->len + 1;
	}
	s->cur.len = s->kept_len - s->cur.off;
	if (s->nspans == s->capspans) {
		size_t cap = s->capspans ? s->capspans * 2 : 16;
		struct span *v = realloc(s->spans, cap * sizeof(*v));

		if (!v) {
			fy_error_set(err, FY_E_NOMEM, "out of memory");
			goto out;
		}
		s->spans = v;
		s->capspans = cap;
	}
	s->spans[s->nspans++] = s->cur;
	s->cur.title = NULL;	/* moved */
	s->cur.ctx_order = NULL;
	if (s->spans[s->nspans - 1].dropped &&
	    ledgerf(s, "thread", s->spans[s->nspans - 1].thread, NULL, "dropped", "active-branch", err,
		    "%u messages on other branches (edits, regenerations) left out: an agent file "
		    "keeps one linear history, so only the active branch (%u messages) crossed",
		    s->spans[s->nspans - 1].dropped, s->spans[s->nspans - 1].nmsg) < 0)
		goto out;
	rc = 0;
out:
	free(path);
	fy_buf_release(&b);
	thread_reset(s);
	return rc;
}

static int is_letta(const struct fy_jdoc *d, uint32_t root)
{
	return fy_json_streq(d, fy_json_get(d, fy_json_get(d, root, "source"), "adapter"), LETTA_ADAPTER);
}

static int put_thread(struct letta_sink *s, const struct fy_jdoc *d, struct fy_error *err)
{
	uint32_t ext = fy_json_get(d, fy_json_get(d, 0, "ext"), LETTA_ADAPTER);
	uint32_t ord = fy_json_get(d, ext, "in_context_order");
	char *v;

	if (thread_end(s, err) < 0)
		return -1;
	s->in_thread = 1;
	v = fy_json_get_strdup(d, 0, "id");
	snprintf(s->cur.thread, sizeof(s->cur.thread), "%s", v ? v : "");
	free(v);
	v = fy_json_get_strdup(d, 0, "agent");
	snprintf(s->cur.agent, sizeof(s->cur.agent), "%s", v ? v : "");
	free(v);
	s->cur.title = fy_json_get_strdup(d, 0, "title");
	s->cur.foreign = !is_letta(d, 0);
	s->cur_leaf = fy_json_get_strdup(d, 0, "active_leaf");
	if (fy_json_type(d, ord) == FY_JARRAY) {
		struct fy_buf b = FY_BUF_INIT(FY_RECORD_MAX_DEFAULT);

		if (fy_json_emit(d, ord, &b, err) < 0) {
			fy_buf_release(&b);
			return -1;
		}
		s->cur.ctx_order = fy_buf_detach(&b, NULL);
	}
	return 0;
}

static int put_message(struct letta_sink *s, const struct fy_item *it, const struct fy_jdoc *d,
		       struct fy_error *err)
{
	struct tmsg *m;
	char *parent;
	uint32_t mv;

	if (!s->in_thread)
		return fy_error_set(err, FY_E_DATA, "letta-af: a message before its thread");
	if (s->scratch_broken)
		return fy_error_errno(err, errno ? errno : EIO, "letta-af: scratch file");
	if (s->ntm == s->captm) {
		size_t cap = s->captm ? s->captm * 2 : 256;
		struct tmsg *v = realloc(s->tm, cap * sizeof(*v));

		if (!v)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		s->tm = v;
		s->captm = cap;
	}
	m = &s->tm[s->ntm];
	memset(m, 0, sizeof(*m));
	m->id = fy_json_get_strdup(d, 0, "id");
	if (!m->id)
		return fy_error_set(err, FY_E_DATA, "letta-af: a message without an id");
	m->hash = hash_str(m->id);
	m->off = s->scratch_len;
	m->len = (uint32_t)it->len;
	parent = fy_json_get_strdup(d, 0, "parent");
	m->parent = parent ? tm_lookup(s, parent) : -1;
	free(parent);
	if (write_all(s->scratch_fd, it->json, it->len, "scratch file", err) < 0)
		return -1;
	s->scratch_len += it->len;
	s->ntm++;
	if (tm_insert(s, s->ntm - 1, err) < 0)
		return -1;
	if (fy_json_type(d, fy_json_get(d, 0, "in_context")) == FY_JTRUE)
		s->cur.has_ctx = 1;
	if (fy_json_streq(d, fy_json_get(d, 0, "role"), "assistant") &&
	    fy_json_type(d, (mv = fy_json_get(d, 0, "model"))) == FY_JSTRING) {
		char *model = fy_json_strdup(d, mv, NULL);

		snprintf(s->cur.model, sizeof(s->cur.model), "%s", model ? model : "");
		free(model);
	}
	return 0;
}

static int spill_item(struct letta_sink *s, const struct fy_item *it, const char *name,
		      struct fy_error *err)
{
	char path[PATH_MAX], buf[65536];
	int fd, rc = 0;

	if (spill_path(s, name, path) < 0)
		return fy_error_set(err, FY_E_INTERNAL, "letta-af: temporary path too long");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return fy_error_errno(err, errno, "letta-af: %s", path);
	for (;;) {
		size_t got = 0;

		if (it->read(it->ctx, buf, sizeof(buf), &got, err) < 0) {
			rc = -1;
			break;
		}
		if (!got)
			break;
		if (write_all(fd, buf, got, "temporary file", err) < 0) {
			rc = -1;
			break;
		}
	}
	close(fd);
	return rc;
}

/* --- what the capability table promises, reported as records arrive ------------- */

/* Report every {"$secret": NAME} reference in value v: held back, by name. */
static int report_secrets(struct letta_sink *s, enum fy_kind k, const char *id, const char *thread,
			  const struct fy_jdoc *d, uint32_t v, struct fy_error *err)
{
	uint32_t i, key, val;

	if (fy_json_type(d, v) == FY_JARRAY) {
		FY_JSON_FOREACH(d, v, i, val)
			if (report_secrets(s, k, id, thread, d, val, err) < 0)
				return -1;
		return 0;
	}
	if (fy_json_type(d, v) != FY_JOBJECT)
		return 0;
	if (fy_json_len(d, v) == 1 && fy_json_streq(d, v + 1, "$secret") &&
	    fy_json_type(d, v + 2) == FY_JSTRING) {
		char *name = fy_json_strdup(d, v + 2, NULL), reason[400];

		snprintf(reason, sizeof(reason),
			 "secret %s is never written to an agent file (its name stays, with an empty "
			 "value): bind it at the Letta server", name ? name : "");
		free(name);
		return report(s, k, id, thread, "$secret", FY_OUT_HELD_BACK, "rebind-secret", reason, err);
	}
	FY_JSON_FOREACH_MEMBER(d, v, i, key, val)
		if (report_secrets(s, k, id, thread, d, val, err) < 0)
			return -1;
	return 0;
}

/*
 * Report what the table says happens to this record, as the sink does it:
 * one line per applying field line, one per type line, one per secret
 * reference (held back: an agent file never carries a credential).
 */
static int report_table(struct letta_sink *s, enum fy_kind k, const struct fy_jdoc *d,
			struct fy_error *err)
{
	const struct fy_adapter *ad = &fy_adapter_letta_af;
	char *id = fy_json_get_strdup(d, 0, "id");
	char *thread = k == FY_KIND_MESSAGE ? fy_json_get_strdup(d, 0, "thread") : NULL;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < ad->ncaps; i++) {
		const struct fy_capability *c = &ad->caps[i];
		enum fy_outcome o = fy_cap_outcome(c->write);
		const char *rule = c->rule ? c->rule : fy_cap_level_name(c->write);

		if (c->kind != k || o == FY_OUT_PRESERVED || !c->field || !strcmp(c->field, "$secret"))
			continue;
		if (!strncmp(c->field, "type=", 5)) {
			if (fy_capability_count(d, 0, c->field))
				rc = report(s, k, id, thread, NULL, o, rule, c->note, err);
		} else if (fy_capability_count(d, 0, c->field)) {
			rc = report(s, k, id, thread, c->field, o, rule, c->note, err);
		}
	}
	if (rc == 0)
		rc = report_secrets(s, k, id, thread, d, 0, err);
	free(id);
	free(thread);
	return rc;
}

int letta_sink_put(struct letta_sink *s, const struct fy_item *it, struct fy_error *err)
{
	struct fy_jdoc *d = &s->doc;
	const struct fy_jdoc *pd;
	enum fy_kind kind;
	char *id = NULL;
	size_t len;
	const char *k;
	int rc = 0;

	switch (it->type) {
	case FY_ITEM_LEDGER:
		return 0;	/* the archive's own ledger lines stay in the archive */
	case FY_ITEM_BLOB: {
		char name[80];

		if (!it->name || letta_strs_has(&s->blobs, it->name))
			return 0;
		snprintf(name, sizeof(name), "b-%s", it->name);
		if (spill_item(s, it, name, err) < 0)
			return -1;
		return letta_strs_add(&s->blobs, it->name, err);
	}
	case FY_ITEM_RAW: {
		char name[32];

		if (!it->name || strncmp(it->name, LETTA_ADAPTER "/", strlen(LETTA_ADAPTER) + 1) != 0)
			return 0;
		snprintf(name, sizeof(name), "r-%zu", s->raws.n);
		if (spill_item(s, it, name, err) < 0)
			return -1;
		return letta_strs_add(&s->raws, it->name, err);
	}
	case FY_ITEM_RECORD:
		break;
	}
	if (it->doc) {
		pd = it->doc;
	} else {
		if (fy_jdoc_parse(d, it->json, it->len, 0, err) < 0)
			return -1;
		pd = d;
	}
	if (letta_digest_add_record(&s->got, it->json, it->len, err) < 0)
		return -1;
	k = fy_json_raw(pd, fy_json_get(pd, 0, "kind"), &len);
	kind = fy_kind_from_name(k, len);
	if (report_table(s, kind, pd, err) < 0)
		return -1;
	/* a thread's messages may be interleaved with other streams' chunks
	 * (SPEC.md §4): only the next thread, or the end, ends a thread */
	if (kind != FY_KIND_MESSAGE) {
		id = fy_json_get_strdup(pd, 0, "id");
		if (!id)
			return fy_error_set(err, FY_E_DATA, "letta-af: a record without an id");
	}
	switch (kind) {
	case FY_KIND_AGENT:
		rc = rset_add(&s->agents, it->json, it->len, id, err);
		break;
	case FY_KIND_TOOL:
		rc = rset_add(&s->tools, it->json, it->len, id, err);
		break;
	case FY_KIND_MEMORY:
		rc = rset_add(&s->memory, it->json, it->len, id, err);
		break;
	case FY_KIND_KNOWLEDGE:
		rc = rset_add(&s->knowledge, it->json, it->len, id, err);
		break;
	case FY_KIND_FILE:
		rc = rset_add(&s->files, it->json, it->len, id, err);
		break;
	case FY_KIND_WORKFLOW:
		rc = letta_strs_add(&s->workflows, id, err);
		break;
	case FY_KIND_THREAD:
		rc = put_thread(s, pd, err);
		break;
	case FY_KIND_MESSAGE:
		rc = put_message(s, it, pd, err);
		break;
	default:
		rc = fy_error_set(err, FY_E_DATA, "letta-af: a record of unknown kind");
	}
	free(id);
	return rc;
}


/* --- output ------------------------------------------------------------------ */

struct wout {
	int fd;			/* -1 for a dry run: bytes are counted, not written */
	struct fy_buf b;
	uint64_t bytes;
};

static int wout_flush(struct wout *w, struct fy_error *err)
{
	if (w->fd >= 0 && w->b.len && write_all(w->fd, w->b.ptr, w->b.len, "agent file", err) < 0)
		return -1;
	w->bytes += w->b.len;
	fy_buf_reset(&w->b);
	return 0;
}

static int wout_add(struct wout *w, const char *p, size_t n, struct fy_error *err)
{
	if (fy_buf_add(&w->b, p, n, err) < 0)
		return -1;
	return w->b.len >= (1 << 20) ? wout_flush(w, err) : 0;
}

static int wout_adds(struct wout *w, const char *p, struct fy_error *err)
{
	return wout_add(w, p, strlen(p), err);
}

/* File-local ids of one kind in one agent file: ferry id -> "<prefix>-<n>". */
struct fmap {
	const char *prefix;
	char **ferry;
	long *num;
	long *want;
	size_t n, cap;
};

static int fmap_add(struct fmap *m, const char *ferry, long want, struct fy_error *err)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->ferry[i], ferry) == 0)
			return 0;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		char **f = realloc(m->ferry, cap * sizeof(*f));
		long *nu, *wa;

		if (!f)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		m->ferry = f;
		nu = realloc(m->num, cap * sizeof(*nu));
		if (!nu)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		m->num = nu;
		wa = realloc(m->want, cap * sizeof(*wa));
		if (!wa)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		m->want = wa;
		m->cap = cap;
	}
	m->ferry[m->n] = strdup(ferry);
	if (!m->ferry[m->n])
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	m->want[m->n] = want;
	m->num[m->n] = -1;
	m->n++;
	return 0;
}

static int fmap_used(const struct fmap *m, long v)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->num[i] == v)
			return 1;
	return 0;
}

/* Keep the numbers the entities had in the file they came from; number the rest. */
static void fmap_assign(struct fmap *m)
{
	size_t i;
	long next = 0;

	for (i = 0; i < m->n; i++)
		if (m->want[i] >= 0 && !fmap_used(m, m->want[i]))
			m->num[i] = m->want[i];
	for (i = 0; i < m->n; i++) {
		if (m->num[i] >= 0)
			continue;
		while (fmap_used(m, next))
			next++;
		m->num[i] = next++;
	}
}

/* "<prefix>-<n>" for ferry id, in out[64]; 0, or -1 when it is not in the file. */
static int fmap_get(const struct fmap *m, const char *ferry, char *out)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->ferry[i], ferry) == 0) {
			snprintf(out, 64, "%s-%ld", m->prefix, m->num[i]);
			return 0;
		}
	return -1;
}

static void fmap_release(struct fmap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->ferry[i]);
	free(m->ferry);
	free(m->num);
	free(m->want);
	m->ferry = NULL;
	m->num = m->want = NULL;
	m->n = m->cap = 0;
}

/* The number in a file-local id "<prefix>-<n>" (source.id of a record read from an agent file). */
static long want_num(const struct fy_jdoc *d, uint32_t root, const char *prefix)
{
	uint32_t sv = fy_json_get(d, root, "source");
	size_t len, pl = strlen(prefix), i;
	const char *s;
	long v = 0;

	if (!fy_json_streq(d, fy_json_get(d, sv, "adapter"), LETTA_ADAPTER))
		return -1;
	s = fy_json_raw(d, fy_json_get(d, sv, "id"), &len);
	if (fy_json_type(d, fy_json_get(d, sv, "id")) != FY_JSTRING || len <= pl + 1 ||
	    memcmp(s, prefix, pl) != 0 || s[pl] != '-' || len - pl - 1 > 9)
		return -1;
	for (i = pl + 1; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static uint32_t ext_of(const struct fy_jdoc *d, uint32_t root)
{
	uint32_t v = fy_json_get(d, fy_json_get(d, root, "ext"), LETTA_ADAPTER);

	return fy_json_type(d, v) == FY_JOBJECT ? v : FY_JNONE;
}

/* Letta agent names: ^[A-Za-z0-9 _-]+$ (letta/schemas/agent.py, CreateAgent.validate_name). */
static void letta_name(const char *s, char *out, size_t cap)
{
	size_t o = 0;

	for (; s && *s && o + 1 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x80) {
			while ((((unsigned char)s[1]) & 0xc0) == 0x80)
				s++;
			c = '_';
		} else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			     c == ' ' || c == '_' || c == '-')) {
			c = '_';
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	if (!o)
		snprintf(out, cap, "agent");
}

static int str_in_array(const struct fy_jdoc *d, uint32_t arr, const char *s)
{
	uint32_t k, el;

	if (fy_json_type(d, arr) != FY_JARRAY)
		return 0;
	FY_JSON_FOREACH(d, arr, k, el)
		if (fy_json_streq(d, el, s))
			return 1;
	return 0;
}

/* --- models ---------------------------------------------------------------------- */

/* LLMConfig.model_endpoint_type for a provider or model name (letta/schemas/llm_config.py). */
static const char *endpoint_type(const char *provider, const char *model, int *guessed)
{
	static const struct {
		const char *provider, *type;
	} map[] = {
		{ "openai", "openai" }, { "anthropic", "anthropic" }, { "google", "google_ai" },
		{ "google_ai", "google_ai" }, { "gemini", "google_ai" }, { "vertex", "google_vertex" },
		{ "google_vertex", "google_vertex" }, { "azure", "azure" }, { "bedrock", "bedrock" },
		{ "aws", "bedrock" }, { "groq", "groq" }, { "ollama", "ollama" },
		{ "mistral", "mistral" }, { "together", "together" }, { "deepseek", "deepseek" },
		{ "xai", "xai" }, { "openrouter", "openrouter" }, { "fireworks", "fireworks" },
		{ "vllm", "vllm" }, { "lmstudio", "lmstudio" },
	};
	size_t i;

	*guessed = 0;
	for (i = 0; provider && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasecmp(provider, map[i].provider) == 0)
			return map[i].type;
	if (model && (!strncmp(model, "gpt-", 4) || !strncmp(model, "o1", 2) || !strncmp(model, "o3", 2) ||
		      !strncmp(model, "o4", 2) || !strncmp(model, "chatgpt", 7)))
		return "openai";
	if (model && !strncmp(model, "claude", 6))
		return "anthropic";
	if (model && !strncmp(model, "gemini", 6))
		return "google_ai";
	*guessed = 1;
	return "openai";
}

/* A context window for a model Letta would default (LLMConfig.set_model_specific_defaults). */
static long context_window(const char *model)
{
	if (!strncmp(model, "gpt-5", 5))
		return 272000;
	if (!strncmp(model, "gpt-4.1", 7))
		return 256000;
	if (!strncmp(model, "gpt-4o", 6) || !strncmp(model, "gpt-4-turbo", 11))
		return 128000;
	if (!strcmp(model, "gpt-4") || !strncmp(model, "gpt-4-0", 7))
		return 8192;
	if (model[0] == 'o' && model[1] >= '1' && model[1] <= '9')
		return 200000;
	if (!strncmp(model, "claude", 6))
		return 200000;
	if (!strncmp(model, "gemini", 6))
		return 1048576;
	return 32000;
}

/* --- losses, counted per thread and reported once per kind ----------------------- */

enum loss {
	L_CITATION, L_REFUSAL, L_FILE_TEXT, L_FILE_DROP, L_AUDIO, L_IMAGE_DROP, L_CODE,
	L_CODE_OUTPUT, L_OTHER, L_ORPHAN_TOOL, L_SPLIT_RESULTS, L_DEVELOPER, L_TOOL_TYPE,
	L_STATUS, L_AUTHOR_ID, L_METADATA, L_EXT, L_REASONING_SUMMARY, L_MAX
};

static const struct {
	const char *outcome, *rule, *what;
} loss_info[L_MAX] = {
	[L_CITATION] = { NULL, "no-equivalent", "citations dropped (Letta messages have no citations)" },
	[L_REFUSAL] = { NULL, "refusal-as-text", "refusals written as text" },
	[L_FILE_TEXT] = { NULL, "file-as-text", "attached files written as text (their name and extracted text)" },
	[L_FILE_DROP] = { "dropped", "no-equivalent", "attached files without extracted text reduced to their name" },
	[L_AUDIO] = { "emulated", "audio-as-text", "audio written as its transcript, or dropped without one" },
	[L_IMAGE_DROP] = { "dropped", "no-content", "images whose bytes were not exported dropped" },
	[L_CODE] = { NULL, "code-as-run_code", "code blocks written as calls of Letta's run_code tool" },
	[L_CODE_OUTPUT] = { NULL, "code-output-as-tool-return", "code output written as run_code tool returns" },
	[L_OTHER] = { NULL, "no-equivalent", "parts of a type Letta has no content for dropped" },
	[L_ORPHAN_TOOL] = { "transformed", "orphan-tool-output", "tool output without a tool call id written as user messages" },
	[L_SPLIT_RESULTS] = { "transformed", "one-return-per-message", "tool results split into one Letta tool message each" },
	[L_DEVELOPER] = { NULL, "developer-as-system", "developer messages written as system messages" },
	[L_TOOL_TYPE] = { "transformed", "tool-call-as-function", "non-function tool calls (web search, browsing, ...) written as function calls" },
	[L_STATUS] = { NULL, "no-equivalent", "message status dropped" },
	[L_AUTHOR_ID] = { NULL, "no-equivalent", "author ids dropped (the author's name is kept)" },
	[L_METADATA] = { NULL, "no-equivalent", "message metadata dropped" },
	[L_EXT] = { NULL, "other-provider", "other providers' message fields (ext) dropped" },
	[L_REASONING_SUMMARY] = { "transformed", "summary-as-reasoning", "reasoning summaries written as reasoning" },
};

struct losses {
	unsigned n[L_MAX];
};

static int report_losses(struct letta_sink *s, const char *thread, const struct losses *l,
			 struct fy_error *err)
{
	int k;

	for (k = 0; k < L_MAX; k++)
		if (l->n[k] && loss_info[k].outcome && ledgerf(s, "thread", thread, "messages", loss_info[k].outcome,
				       loss_info[k].rule, err, "%u message%s: %s", l->n[k],
				       l->n[k] == 1 ? "" : "s", loss_info[k].what) < 0)
			return -1;
	return 0;
}

/* --- messages ---------------------------------------------------------------------- */

struct ctxpair {
	char *nid;		/* the neutral message id */
	char fid[64];		/* its (first) Letta message */
};

struct conv {
	struct letta_sink *s;
	const char *agent_fid;
	long *next_msg;			/* the file's message counter */
	int foreign;
	char pending_code[96];
	struct losses loss;
	struct wout *w;
	int first_out;			/* no message written yet in this agent */
	struct ctxpair *ctx;
	size_t nctx, capctx;
	struct fy_buf tmp, bin, b64;
	struct fy_jdoc jd;
};

static int read_blob(struct letta_sink *s, const char *hex, struct fy_buf *out, struct fy_error *err)
{
	char path[PATH_MAX], name[80];
	struct stat st;
	int fd, rc;

	if (!letta_strs_has(&s->blobs, hex))
		return 1;
	snprintf(name, sizeof(name), "b-%s", hex);
	if (spill_path(s, name, path) < 0)
		return fy_error_set(err, FY_E_INTERNAL, "letta-af: temporary path too long");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return fy_error_errno(err, errno, "letta-af: %s", path);
	}
	fy_buf_reset(out);
	rc = fy_buf_grow(out, (size_t)st.st_size + 1, err);
	if (rc == 0 && st.st_size)
		rc = read_at(fd, 0, out->ptr, (size_t)st.st_size, err);
	if (rc == 0) {
		out->len = (size_t)st.st_size;
		out->ptr[out->len] = '\0';
	}
	close(fd);
	return rc;
}

static int ctx_add(struct conv *c, const char *nid, const char *fid, struct fy_error *err)
{
	if (c->nctx == c->capctx) {
		size_t cap = c->capctx ? c->capctx * 2 : 32;
		struct ctxpair *v = realloc(c->ctx, cap * sizeof(*v));

		if (!v)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		c->ctx = v;
		c->capctx = cap;
	}
	c->ctx[c->nctx].nid = strdup(nid ? nid : "");
	if (!c->ctx[c->nctx].nid)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	snprintf(c->ctx[c->nctx].fid, sizeof(c->ctx[c->nctx].fid), "%s", fid);
	c->nctx++;
	return 0;
}

/* Text of a string member, or def. */
static void node_or(struct fy_jw *j, const struct fy_jdoc *d, uint32_t v, const char *def)
{
	if (fy_json_type(d, v) == FY_JSTRING)
		fy_jw_node(j, d, v);
	else
		fy_jw_str(j, def);
}

/* An image part as a Letta image item; 0 when written, 1 when it has no content here. */
static int image_item(struct conv *c, struct fy_jw *j, const struct fy_jdoc *d, uint32_t p,
		      struct fy_error *err)
{
	uint32_t blob = fy_json_get(d, p, "blob"), url = fy_json_get(d, p, "url");
	uint32_t mt = fy_json_get(d, p, "media_type"), file = fy_json_get(d, p, "file");
	char *hex = NULL;
	int rc;

	if (fy_json_type(d, blob) == FY_JSTRING) {
		hex = fy_json_strdup(d, blob, NULL);
	} else if (fy_json_type(d, file) == FY_JSTRING) {
		char *fid = fy_json_strdup(d, file, NULL);
		struct srec *f = fid ? rset_find(&c->s->files, fid) : NULL;

		free(fid);
		if (f && f->parsed)
			hex = fy_json_get_strdup(&f->d, 0, "blob");
	}
	if (hex) {
		rc = read_blob(c->s, hex, &c->bin, err);
		free(hex);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			fy_buf_reset(&c->b64);
			if (letta_b64_encode(c->bin.ptr ? c->bin.ptr : "", c->bin.len, &c->b64, err) < 0)
				return -1;
			fy_jw_obj(j);
			fy_jw_key(j, "type");
			fy_jw_str(j, "image");
			fy_jw_key(j, "source");
			fy_jw_obj(j);
			fy_jw_key(j, "type");
			fy_jw_str(j, "base64");
			fy_jw_key(j, "media_type");
			node_or(j, d, mt, "image/png");
			fy_jw_key(j, "data");
			fy_jw_strn(j, c->b64.ptr, c->b64.len);
			if (fy_json_type(d, fy_json_get(d, p, "detail")) == FY_JSTRING) {
				fy_jw_key(j, "detail");
				fy_jw_node(j, d, fy_json_get(d, p, "detail"));
			}
			fy_jw_end(j);
			fy_jw_end(j);
			return 0;
		}
	}
	if (fy_json_type(d, url) == FY_JSTRING) {
		fy_jw_obj(j);
		fy_jw_key(j, "type");
		fy_jw_str(j, "image");
		fy_jw_key(j, "source");
		fy_jw_obj(j);
		fy_jw_key(j, "type");
		fy_jw_str(j, "url");
		fy_jw_key(j, "url");
		fy_jw_node(j, d, url);
		fy_jw_end(j);
		fy_jw_end(j);
		return 0;
	}
	return 1;
}

/* Letta's run_code takes python, js, ts, r or java (letta/functions/function_sets/builtin.py). */
static const char *code_language(const char *l)
{
	if (!l)
		return "python";
	if (!strcasecmp(l, "javascript") || !strcasecmp(l, "js") || !strcasecmp(l, "node"))
		return "js";
	if (!strcasecmp(l, "typescript") || !strcasecmp(l, "ts"))
		return "ts";
	if (!strcasecmp(l, "r"))
		return "r";
	if (!strcasecmp(l, "java"))
		return "java";
	return "python";
}

/* The content array (items only) of one neutral message, and its calls and results. */
struct built {
	struct fy_buf content, calls;
	uint32_t results[64];
	int is_code_output[64];
	size_t nresults, ncontent, ncalls;
};

static int build_parts(struct conv *c, const struct fy_jdoc *d, int flag, const char *mfid,
		       struct built *b, struct fy_error *err)
{
	uint32_t parts = fy_json_get(d, 0, "parts"), k, p;
	int letta = !c->foreign;
	struct fy_jw cj, kj;
	unsigned ncode = 0;
	int skip_next = 0;

	fy_jw_init(&cj, &b->content);
	fy_jw_init(&kj, &b->calls);
	fy_jw_arr(&cj);
	fy_jw_arr(&kj);
	FY_JSON_FOREACH(d, parts, k, p) {
		uint32_t ty = fy_json_get(d, p, "type");
		size_t before = b->content.len;

		if (skip_next) {
			skip_next = 0;
			continue;
		}
		if (fy_json_streq(d, ty, "text") || fy_json_streq(d, ty, "refusal")) {
			if (fy_json_streq(d, ty, "refusal"))
				c->loss.n[L_REFUSAL]++;
			if (fy_json_len(d, fy_json_get(d, p, "citations")))
				c->loss.n[L_CITATION]++;
			fy_jw_obj(&cj);
			fy_jw_key(&cj, "type");
			fy_jw_str(&cj, "text");
			fy_jw_key(&cj, "text");
			node_or(&cj, d, fy_json_get(d, p, "text"), "");
			fy_jw_end(&cj);
		} else if (fy_json_streq(d, ty, "image")) {
			int rc = image_item(c, &cj, d, p, err);

			if (rc < 0)
				return -1;
			if (rc > 0)
				c->loss.n[L_IMAGE_DROP]++;
		} else if (fy_json_streq(d, ty, "file") || fy_json_streq(d, ty, "audio")) {
			int audio = fy_json_streq(d, ty, "audio");
			uint32_t text = fy_json_get(d, p, audio ? "transcript" : "text");
			char *name = fy_json_get_strdup(d, p, "name");
			char *t = fy_json_strdup(d, text, NULL);

			if (!name && fy_json_type(d, fy_json_get(d, p, "file")) == FY_JSTRING) {
				char *fid = fy_json_strdup(d, fy_json_get(d, p, "file"), NULL);
				struct srec *f = fid ? rset_find(&c->s->files, fid) : NULL;

				free(fid);
				if (f && f->parsed)
					name = fy_json_get_strdup(&f->d, 0, "name");
			}
			if (audio && !t) {
				c->loss.n[L_AUDIO]++;
			} else {
				fy_buf_reset(&c->tmp);
				if (fy_buf_addf(&c->tmp, err, audio ? "[audio%s%s]" : "[file: %s%s]",
						audio && name ? ": " : "", name ? name : (audio ? "" : "unnamed")) < 0 ||
				    (t && fy_buf_addf(&c->tmp, err, "\n\n%s", t) < 0)) {
					free(name);
					free(t);
					return -1;
				}
				c->loss.n[audio ? L_AUDIO : t ? L_FILE_TEXT : L_FILE_DROP]++;
				fy_jw_obj(&cj);
				fy_jw_key(&cj, "type");
				fy_jw_str(&cj, "text");
				fy_jw_key(&cj, "text");
				fy_jw_strn(&cj, c->tmp.ptr, c->tmp.len);
				fy_jw_end(&cj);
			}
			free(name);
			free(t);
		} else if (fy_json_streq(d, ty, "tool_call")) {
			uint32_t args = fy_json_get(d, p, "arguments"), tt = fy_json_get(d, p, "tool_type");

			if (fy_json_type(d, tt) == FY_JSTRING && !fy_json_streq(d, tt, "function"))
				c->loss.n[L_TOOL_TYPE]++;
			if (flag) {
				fy_jw_obj(&cj);
				fy_jw_key(&cj, "type");
				fy_jw_str(&cj, "tool_call");
				fy_jw_key(&cj, "id");
				fy_jw_node(&cj, d, fy_json_get(d, p, "id"));
				fy_jw_key(&cj, "name");
				fy_jw_node(&cj, d, fy_json_get(d, p, "name"));
				fy_jw_key(&cj, "input");
				fy_buf_reset(&c->tmp);
				if (fy_json_type(d, args) == FY_JSTRING && fy_json_str(d, args, &c->tmp, NULL) == 0 &&
				    fy_jdoc_parse(&c->jd, c->tmp.ptr ? c->tmp.ptr : "", c->tmp.len, 0, NULL) == 0 &&
				    fy_json_type(&c->jd, 0) == FY_JOBJECT)
					fy_jw_raw(&cj, c->tmp.ptr, c->tmp.len);
				else
					fy_jw_raw(&cj, "{}", 2);
				fy_jw_end(&cj);
			} else {
				fy_jw_obj(&kj);
				fy_jw_key(&kj, "id");
				fy_jw_node(&kj, d, fy_json_get(d, p, "id"));
				fy_jw_key(&kj, "type");
				fy_jw_str(&kj, "function");
				fy_jw_key(&kj, "function");
				fy_jw_obj(&kj);
				fy_jw_key(&kj, "name");
				fy_jw_node(&kj, d, fy_json_get(d, p, "name"));
				fy_jw_key(&kj, "arguments");
				node_or(&kj, d, args, "{}");
				fy_jw_end(&kj);
				fy_jw_end(&kj);
				b->ncalls++;
			}
		} else if (fy_json_streq(d, ty, "tool_result") || fy_json_streq(d, ty, "code_output")) {
			int co = fy_json_streq(d, ty, "code_output");

			if (co)
				c->loss.n[L_CODE_OUTPUT]++;
			if (flag && !co) {
				uint32_t ie = fy_json_get(d, p, "is_error");

				fy_jw_obj(&cj);
				fy_jw_key(&cj, "type");
				fy_jw_str(&cj, "tool_return");
				fy_jw_key(&cj, "tool_call_id");
				fy_jw_node(&cj, d, fy_json_get(d, p, "call_id"));
				fy_jw_key(&cj, "content");
				node_or(&cj, d, fy_json_get(d, p, "output"), "");
				fy_jw_key(&cj, "is_error");
				fy_jw_bool(&cj, fy_json_type(d, ie) == FY_JTRUE);
				fy_jw_end(&cj);
			} else if (b->nresults < sizeof(b->results) / sizeof(b->results[0])) {
				b->is_code_output[b->nresults] = co;
				b->results[b->nresults++] = p;
			} else {
				c->loss.n[L_OTHER]++;
			}
		} else if (fy_json_streq(d, ty, "reasoning")) {
			uint32_t fmt = fy_json_get(d, p, "format"), nx = FY_JNONE;

			if (k + 1 < fy_json_len(d, parts))
				nx = fy_json_next(d, p);
			if (fy_json_streq(d, fmt, "encrypted")) {
				uint32_t enc = fy_json_get(d, p, "encrypted");

				fy_jw_obj(&cj);
				fy_jw_key(&cj, "type");
				fy_jw_str(&cj, fy_json_type(d, enc) == FY_JSTRING ? "redacted_reasoning" :
										 "omitted_reasoning");
				if (fy_json_type(d, enc) == FY_JSTRING) {
					fy_jw_key(&cj, "data");
					fy_jw_node(&cj, d, enc);
				}
			} else {
				if (fy_json_streq(d, fmt, "summary"))
					c->loss.n[L_REASONING_SUMMARY] += c->foreign;
				fy_jw_obj(&cj);
				fy_jw_key(&cj, "type");
				fy_jw_str(&cj, "reasoning");
				fy_jw_key(&cj, "is_native");
				fy_jw_bool(&cj, 1);
				fy_jw_key(&cj, "reasoning");
				node_or(&cj, d, fy_json_get(d, p, "text"), "");
				/* a plain part followed by its summary: one Letta item */
				if (fy_json_streq(d, fmt, "plain") && nx != FY_JNONE &&
				    fy_json_streq(d, fy_json_get(d, nx, "type"), "reasoning") &&
				    fy_json_streq(d, fy_json_get(d, nx, "format"), "summary")) {
					fy_jw_key(&cj, "summary");
					node_or(&cj, d, fy_json_get(d, nx, "text"), "");
					skip_next = 1;
				}
			}
			if (fy_json_type(d, fy_json_get(d, p, "signature")) == FY_JSTRING) {
				fy_jw_key(&cj, "signature");
				fy_jw_node(&cj, d, fy_json_get(d, p, "signature"));
			}
			fy_jw_end(&cj);
		} else if (fy_json_streq(d, ty, "code")) {
			char *code = fy_json_get_strdup(d, p, "code");
			char *lang = fy_json_get_strdup(d, p, "language");
			struct fy_jw aj;

			c->loss.n[L_CODE]++;
			snprintf(c->pending_code, sizeof(c->pending_code), "ferry-code-%s-%u", mfid, ncode++);
			fy_buf_reset(&c->tmp);
			fy_jw_init(&aj, &c->tmp);
			fy_jw_obj(&aj);
			fy_jw_key(&aj, "code");
			fy_jw_str(&aj, code ? code : "");
			fy_jw_key(&aj, "language");
			fy_jw_str(&aj, code_language(lang));
			fy_jw_end(&aj);
			free(code);
			free(lang);
			if (fy_jw_finish(&aj, err) < 0)
				return -1;
			fy_jw_obj(&kj);
			fy_jw_key(&kj, "id");
			fy_jw_str(&kj, c->pending_code);
			fy_jw_key(&kj, "type");
			fy_jw_str(&kj, "function");
			fy_jw_key(&kj, "function");
			fy_jw_obj(&kj);
			fy_jw_key(&kj, "name");
			fy_jw_str(&kj, "run_code");
			fy_jw_key(&kj, "arguments");
			fy_jw_strn(&kj, c->tmp.ptr, c->tmp.len);
			fy_jw_end(&kj);
			fy_jw_end(&kj);
			b->ncalls++;
		} else if (fy_json_streq(d, ty, "citation")) {
			c->loss.n[L_CITATION]++;
		} else if (fy_json_streq(d, ty, "other") && letta &&
			   fy_json_type(d, fy_json_get(d, p, "data")) == FY_JOBJECT) {
			fy_jw_node(&cj, d, fy_json_get(d, p, "data"));
		} else {
			c->loss.n[L_OTHER]++;
		}
		if (b->content.len != before)
			b->ncontent++;
	}
	fy_jw_end(&cj);
	fy_jw_end(&kj);
	if (fy_jw_finish(&cj, err) < 0 || fy_jw_finish(&kj, err) < 0)
		return -1;
	return 0;
}

/* The next message id, keeping a message's own number from its agent file when it can. */
static void next_fid(struct conv *c, long want, char *out)
{
	long v = want >= *c->next_msg ? want : *c->next_msg;

	*c->next_msg = v + 1;
	snprintf(out, 64, "message-%ld", v);
}

static const char *const msg_ext_skip[] = { "role", "tool_content", "tool_call_id", NULL };

/* One Letta message; content and calls are JSON arrays (calls NULL for none). */
static int write_msg(struct conv *c, const struct fy_jdoc *d, const char *role, const char *fid,
		     const char *content, size_t clen, const char *calls, size_t calllen,
		     const struct fy_jdoc *cd, uint32_t call_id, const char *call_id_str,
		     uint32_t name, int with_ext, int is_error, struct fy_error *err)
{
	uint32_t ext = ext_of(d, 0), created = fy_json_get(d, 0, "created");
	uint32_t updated = fy_json_get(d, 0, "updated"), model = fy_json_get(d, 0, "model");
	struct fy_buf b = FY_BUF_INIT(FY_RECORD_MAX_DEFAULT * 4);
	struct fy_jw j;
	int rc;

	fy_jw_init(&j, &b);
	fy_jw_obj(&j);
	fy_jw_key(&j, "type");
	fy_jw_str(&j, "message");
	fy_jw_key(&j, "role");
	fy_jw_str(&j, role);
	fy_jw_key(&j, "content");
	fy_jw_raw(&j, content, clen);
	if (name != FY_JNONE) {
		fy_jw_key(&j, "name");
		fy_jw_node(&j, cd, name);
	}
	if (fy_json_type(d, model) == FY_JSTRING) {
		fy_jw_key(&j, "model");
		fy_jw_node(&j, d, model);
	}
	fy_jw_key(&j, "agent_id");
	fy_jw_str(&j, c->agent_fid);
	if (calls) {
		fy_jw_key(&j, "tool_calls");
		fy_jw_raw(&j, calls, calllen);
	}
	if (call_id != FY_JNONE) {
		fy_jw_key(&j, "tool_call_id");
		fy_jw_node(&j, cd, call_id);
	} else if (call_id_str) {
		fy_jw_key(&j, "tool_call_id");
		fy_jw_str(&j, call_id_str);
	}
	if (fy_json_type(d, created) == FY_JSTRING) {
		fy_jw_key(&j, "created_at");
		fy_jw_node(&j, d, created);
	}
	if (fy_json_type(d, updated) == FY_JSTRING) {
		fy_jw_key(&j, "updated_at");
		fy_jw_node(&j, d, updated);
	}
	if (with_ext && ext != FY_JNONE)
		letta_jw_members_except(&j, d, ext, msg_ext_skip, 0);
	if (is_error && (!with_ext || fy_json_get(d, ext, "tool_returns") == FY_JNONE)) {
		fy_jw_key(&j, "tool_returns");
		fy_jw_arr(&j);
		fy_jw_obj(&j);
		if (call_id != FY_JNONE) {
			fy_jw_key(&j, "tool_call_id");
			fy_jw_node(&j, cd, call_id);
		}
		fy_jw_key(&j, "status");
		fy_jw_str(&j, "error");
		fy_jw_end(&j);
		fy_jw_end(&j);
	}
	fy_jw_key(&j, "id");
	fy_jw_str(&j, fid);
	fy_jw_end(&j);
	rc = fy_jw_finish(&j, err);
	if (rc == 0 && !c->first_out)
		rc = wout_adds(c->w, ",", err);
	if (rc == 0)
		rc = wout_add(c->w, b.ptr, b.len, err);
	c->first_out = 0;
	fy_buf_release(&b);
	return rc;
}

/*
 * Convert one neutral message (root 0 of d) into one or more Letta
 * messages written to c->w; in_ctx puts them in the agent's context.
 */
static int conv_message(struct conv *c, const struct fy_jdoc *d, int in_ctx, struct fy_error *err)
{
	uint32_t ext = ext_of(d, 0), author = fy_json_get(d, 0, "author");
	uint32_t aname = fy_json_type(d, fy_json_get(d, author, "name")) == FY_JSTRING ?
				 fy_json_get(d, author, "name") : FY_JNONE;
	uint32_t roleext = fy_json_get(d, ext, "role"), k, key, val;
	int flag = fy_json_type(d, fy_json_get(d, ext, "tool_content")) == FY_JTRUE;
	char role[32], fid[64], *nid = fy_json_get_strdup(d, 0, "id");
	struct built b;
	size_t r;
	int rc = -1;

	memset(&b, 0, sizeof(b));
	fy_buf_init(&b.content, (size_t)1 << 31);
	fy_buf_init(&b.calls, (size_t)1 << 31);
	{
		char *rs = fy_json_strdup(d, fy_json_type(d, roleext) == FY_JSTRING ? roleext :
						     fy_json_get(d, 0, "role"), NULL);

		snprintf(role, sizeof(role), "%s", rs ? rs : "user");
		free(rs);
	}
	if (!strcmp(role, "developer")) {
		snprintf(role, sizeof(role), "system");
		c->loss.n[L_DEVELOPER]++;
	}
	if (c->foreign) {
		if (fy_json_type(d, fy_json_get(d, 0, "status")) == FY_JSTRING)
			c->loss.n[L_STATUS]++;
		if (fy_json_get(d, author, "id") != FY_JNONE)
			c->loss.n[L_AUTHOR_ID]++;
		if (fy_json_len(d, fy_json_get(d, 0, "metadata")))
			c->loss.n[L_METADATA]++;
		FY_JSON_FOREACH_MEMBER(d, fy_json_get(d, 0, "ext"), k, key, val)
			if (!fy_json_streq(d, key, LETTA_ADAPTER)) {
				c->loss.n[L_EXT]++;
				break;
			}
	}
	next_fid(c, c->foreign ? -1 : want_num(d, 0, "message"), fid);
	if (build_parts(c, d, flag, fid, &b, err) < 0)
		goto out;
	if (!strcmp(role, "tool") && fy_json_type(d, fy_json_get(d, ext, "tool_call_id")) != FY_JSTRING &&
	    (c->foreign || b.nresults)) {
		if (!b.nresults && !c->pending_code[0]) {
			c->loss.n[L_ORPHAN_TOOL]++;
			if (write_msg(c, d, "user", fid, b.content.ptr, b.content.len, NULL, 0, d,
				      FY_JNONE, NULL, aname, 1, 0, err) < 0)
				goto out;
		} else if (!b.nresults) {
			/* output of the run_code call just made */
			if (write_msg(c, d, "tool", fid, b.content.ptr, b.content.len, NULL, 0, d,
				      FY_JNONE, c->pending_code, aname, 1, 0, err) < 0)
				goto out;
		}
		if (b.nresults > 1)
			c->loss.n[L_SPLIT_RESULTS]++;
		for (r = 0; r < b.nresults; r++) {
			uint32_t p = b.results[r], call = fy_json_get(d, p, "call_id");
			uint32_t out_node = fy_json_get(d, p, "output");
			struct fy_buf cb = FY_BUF_INIT((size_t)1 << 31);
			struct fy_jw cj;
			char mfid[64];
			int orphan = fy_json_type(d, call) != FY_JSTRING &&
				     !(b.is_code_output[r] && c->pending_code[0]);

			if (r)
				next_fid(c, -1, mfid);
			else
				snprintf(mfid, sizeof(mfid), "%s", fid);
			fy_jw_init(&cj, &cb);
			fy_jw_arr(&cj);
			fy_jw_obj(&cj);
			fy_jw_key(&cj, "type");
			fy_jw_str(&cj, "text");
			fy_jw_key(&cj, "text");
			node_or(&cj, d, out_node, "");
			fy_jw_end(&cj);
			/* the message's other content goes with its first result */
			if (r == 0 && b.ncontent)
				fy_jw_raw(&cj, b.content.ptr + 1, b.content.len - 2);
			fy_jw_end(&cj);
			if (fy_jw_finish(&cj, err) < 0) {
				fy_buf_release(&cb);
				goto out;
			}
			if (orphan)
				c->loss.n[L_ORPHAN_TOOL]++;
			rc = write_msg(c, d, orphan ? "user" : "tool", mfid, cb.ptr, cb.len, NULL, 0, d,
				       fy_json_type(d, call) == FY_JSTRING ? call : FY_JNONE,
				       orphan || fy_json_type(d, call) == FY_JSTRING ? NULL : c->pending_code,
				       fy_json_type(d, fy_json_get(d, p, "name")) == FY_JSTRING ?
					       fy_json_get(d, p, "name") : aname,
				       r == 0, fy_json_type(d, fy_json_get(d, p, "is_error")) == FY_JTRUE, err);
			fy_buf_release(&cb);
			if (rc < 0)
				goto out;
			rc = -1;
			if (in_ctx && ctx_add(c, r == 0 ? nid : NULL, mfid, err) < 0)
				goto out;
		}
		if (!b.nresults && in_ctx && ctx_add(c, nid, fid, err) < 0)
			goto out;
	} else {
		if (write_msg(c, d, role, fid, b.content.ptr, b.content.len,
			      b.ncalls ? b.calls.ptr : NULL, b.calls.len, d,
			      fy_json_type(d, fy_json_get(d, ext, "tool_call_id")) == FY_JSTRING ?
				      fy_json_get(d, ext, "tool_call_id") : FY_JNONE, NULL,
			      aname, 1, 0, err) < 0)
			goto out;
		if (in_ctx && ctx_add(c, nid, fid, err) < 0)
			goto out;
		if (b.nresults)
			c->loss.n[L_SPLIT_RESULTS]++;
		for (r = 0; r < b.nresults; r++) {
			uint32_t p = b.results[r], call = fy_json_get(d, p, "call_id");
			struct fy_buf cb = FY_BUF_INIT((size_t)1 << 31);
			struct fy_jw cj;
			char mfid[64];

			next_fid(c, -1, mfid);
			fy_jw_init(&cj, &cb);
			fy_jw_arr(&cj);
			fy_jw_obj(&cj);
			fy_jw_key(&cj, "type");
			fy_jw_str(&cj, "text");
			fy_jw_key(&cj, "text");
			node_or(&cj, d, fy_json_get(d, p, "output"), "");
			fy_jw_end(&cj);
			fy_jw_end(&cj);
			rc = fy_jw_finish(&cj, err);
			if (rc == 0)
				rc = write_msg(c, d, "tool", mfid, cb.ptr, cb.len, NULL, 0, d,
					       fy_json_type(d, call) == FY_JSTRING ? call : FY_JNONE,
					       fy_json_type(d, call) == FY_JSTRING ? NULL : c->pending_code,
					       fy_json_get(d, p, "name") != FY_JNONE ? fy_json_get(d, p, "name") : FY_JNONE,
					       0, fy_json_type(d, fy_json_get(d, p, "is_error")) == FY_JTRUE, err);
			fy_buf_release(&cb);
			if (rc < 0)
				goto out;
			rc = -1;
			if (in_ctx && ctx_add(c, NULL, mfid, err) < 0)
				goto out;
		}
	}
	rc = 0;
out:
	free(nid);
	fy_buf_release(&b.content);
	fy_buf_release(&b.calls);
	return rc;
}

/* --- one agent file -------------------------------------------------------------- */

enum tkind { T_TOOL, T_MCP, T_DROP };

struct ftool {
	struct srec *r;
	enum tkind kind;
	const char *builtin;		/* emulated by this Letta builtin tool */
	char name[256];
	int alias;			/* index of the tool written in its place, or -1 */
};

struct wfile {
	struct letta_sink *s;
	int comp, first;
	struct fmap agents, blocks, tools, mcp, sources, files, groups;
	size_t *ag, nag;
	struct srec **bl;
	size_t nbl;
	size_t *mb, nmb;
	struct ftool *tl;
	size_t ntl;
	struct srec **kn;
	size_t nkn;
	struct srec **fl;
	size_t nfl;
	long next_msg;
	struct wout w;
};

/* One entity built in j, into the file's current list (a comma before all but the first). */
static int put_entity(struct wfile *f, struct fy_jw *j, int *first, struct fy_error *err)
{
	int rc = fy_jw_finish(j, err);

	if (rc == 0)
		rc = wout_adds(&f->w, *first ? "" : ",", err);
	if (rc == 0)
		rc = wout_add(&f->w, j->b->ptr, j->b->len, err);
	*first = 0;
	return rc;
}

static enum tkind tool_kind(const struct fy_jdoc *d, const char **builtin)
{
	uint32_t ext = ext_of(d, 0), ty = fy_json_get(d, 0, "type");

	*builtin = NULL;
	if (ext != FY_JNONE && fy_json_streq(d, fy_json_get(d, ext, "entity"), "mcp_server"))
		return T_MCP;
	if (ext != FY_JNONE && is_letta(d, 0))
		return T_TOOL;
	if (fy_json_streq(d, ty, "function"))
		return T_TOOL;
	if (fy_json_streq(d, ty, "mcp"))
		return T_MCP;
	if (fy_json_streq(d, ty, "code_interpreter")) {
		*builtin = "run_code";
		return T_TOOL;
	}
	if (fy_json_streq(d, ty, "web_search")) {
		*builtin = "web_search";
		return T_TOOL;
	}
	return T_DROP;
}

static int ptr_in(void *const *v, size_t n, const void *p)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == p)
			return 1;
	return 0;
}

static int push_ptr(void ***v, size_t *n, void *p, struct fy_error *err)
{
	void **nv;

	if (ptr_in(*v, *n, p))
		return 0;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	nv[(*n)++] = p;
	*v = nv;
	return 0;
}

static int push_idx(size_t **v, size_t *n, size_t x, struct fy_error *err)
{
	size_t i, *nv;

	for (i = 0; i < *n; i++)
		if ((*v)[i] == x)
			return 0;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	nv[(*n)++] = x;
	*v = nv;
	return 0;
}

/* Whether agent record a uses the record id through its array field key. */
static int agent_uses(const struct wagent *a, const char *key, const char *id)
{
	return a->rec && str_in_array(&a->rec->d, fy_json_get(&a->rec->d, 0, key), id);
}

/* The agents a block-type memory record is attached to: its scope agent and every agent listing it. */
static int block_attached(const struct letta_sink *s, const struct srec *m, size_t wi)
{
	char *sa = fy_json_get_strdup(&m->d, fy_json_get(&m->d, 0, "scope"), "agent");
	int yes = sa && strcmp(sa, s->wa[wi].id) == 0;

	free(sa);
	return yes || agent_uses(&s->wa[wi], "memory", m->id);
}

static int is_block(const struct srec *m)
{
	return fy_json_streq(&m->d, fy_json_get(&m->d, 0, "type"), "block");
}

static int add_tool(struct wfile *f, struct srec *r, struct fy_error *err)
{
	struct ftool *v, *t;
	const char *b;
	size_t i;

	for (i = 0; i < f->ntl; i++)
		if (f->tl[i].r == r)
			return 0;
	v = realloc(f->tl, (f->ntl + 1) * sizeof(*v));
	if (!v)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	f->tl = v;
	t = &f->tl[f->ntl++];
	memset(t, 0, sizeof(*t));
	t->r = r;
	t->kind = tool_kind(&r->d, &b);
	t->builtin = b;
	t->alias = -1;
	if (t->kind == T_MCP) {
		uint32_t m = fy_json_get(&r->d, 0, "mcp");
		char *n = fy_json_get_strdup(&r->d, m, "server_label");

		if (!n)
			n = fy_json_get_strdup(&r->d, 0, "name");
		snprintf(t->name, sizeof(t->name), "%s", n ? n : r->id);
		free(n);
	} else {
		char *n = b ? NULL : fy_json_get_strdup(&r->d, 0, "name");

		snprintf(t->name, sizeof(t->name), "%s", b ? b : n ? n : r->id);
		free(n);
	}
	/* Letta matches tools by name: one entity per name */
	for (i = 0; i + 1 < f->ntl; i++)
		if (f->tl[i].kind == t->kind && f->tl[i].alias < 0 && !strcmp(f->tl[i].name, t->name)) {
			t->alias = (int)i;
			break;
		}
	return 0;
}

/* Which records go into the file of component comp. */
static int wfile_collect(struct wfile *f, struct fy_error *err)
{
	struct letta_sink *s = f->s;
	size_t i, w, k;

	for (w = 0; w < s->nwa; w++)
		if (s->wa[w].comp == f->comp && push_idx(&f->ag, &f->nag, w, err) < 0)
			return -1;
	for (i = 0; i < s->memory.n; i++) {
		struct srec *m = &s->memory.v[i];
		int att = 0;

		if (!is_block(m))
			continue;
		for (w = 0; w < s->nwa; w++)
			if (block_attached(s, m, w)) {
				att = 1;
				if (s->wa[w].comp == f->comp && push_ptr((void ***)&f->bl, &f->nbl, m, err) < 0)
					return -1;
			}
		if (!att && f->first && push_ptr((void ***)&f->bl, &f->nbl, m, err) < 0)
			return -1;
	}
	for (i = 0; i < s->nmb; i++)
		if (s->wa[s->mb[i].agent].comp == f->comp && push_idx(&f->mb, &f->nmb, i, err) < 0)
			return -1;
	for (i = 0; i < s->tools.n; i++) {
		struct srec *t = &s->tools.v[i];
		int any = 0, here = 0;

		for (w = 0; w < s->nwa; w++)
			if (agent_uses(&s->wa[w], "tools", t->id)) {
				any = 1;
				here |= s->wa[w].comp == f->comp;
			}
		if ((here || (!any && f->first)) && add_tool(f, t, err) < 0)
			return -1;
	}
	/* MCP servers of the MCP tools in the file */
	for (i = 0; i < s->tools.n; i++) {
		struct srec *t = &s->tools.v[i];
		const char *b;
		char *label;

		if (tool_kind(&t->d, &b) != T_MCP)
			continue;
		label = fy_json_get_strdup(&t->d, fy_json_get(&t->d, 0, "mcp"), "server_label");
		for (k = 0; label && k < f->ntl; k++) {
			char *l2;

			if (f->tl[k].kind != T_TOOL)
				continue;
			l2 = fy_json_get_strdup(&f->tl[k].r->d, fy_json_get(&f->tl[k].r->d, 0, "mcp"),
						"server_label");
			if (l2 && !strcmp(l2, label) && add_tool(f, t, err) < 0) {
				free(l2);
				free(label);
				return -1;
			}
			free(l2);
		}
		free(label);
	}
	for (i = 0; i < s->knowledge.n; i++) {
		struct srec *kr = &s->knowledge.v[i];
		int any = 0, here = 0;

		for (w = 0; w < s->nwa; w++)
			if (agent_uses(&s->wa[w], "knowledge", kr->id)) {
				any = 1;
				here |= s->wa[w].comp == f->comp;
			}
		if ((here || (!any && f->first)) && push_ptr((void ***)&f->kn, &f->nkn, kr, err) < 0)
			return -1;
	}
	for (i = 0; i < s->files.n; i++)
		for (k = 0; k < f->nkn; k++)
			if (str_in_array(&f->kn[k]->d, fy_json_get(&f->kn[k]->d, 0, "files"), s->files.v[i].id) &&
			    push_ptr((void ***)&f->fl, &f->nfl, &s->files.v[i], err) < 0)
				return -1;
	return 0;
}

static int wfile_ids(struct wfile *f, struct fy_error *err)
{
	struct letta_sink *s = f->s;
	size_t i;

	f->agents.prefix = "agent";
	f->blocks.prefix = "block";
	f->tools.prefix = "tool";
	f->mcp.prefix = "mcp_server";
	f->sources.prefix = "source";
	f->files.prefix = "file";
	f->groups.prefix = "group";
	for (i = 0; i < f->nag; i++) {
		struct wagent *a = &s->wa[f->ag[i]];

		if (fmap_add(&f->agents, a->id, a->rec ? want_num(&a->rec->d, 0, "agent") : -1, err) < 0)
			return -1;
	}
	for (i = 0; i < f->nbl; i++)
		if (fmap_add(&f->blocks, f->bl[i]->id, want_num(&f->bl[i]->d, 0, "block"), err) < 0)
			return -1;
	for (i = 0; i < f->nmb; i++) {
		char key[64];

		snprintf(key, sizeof(key), "\001merged-%zu", f->mb[i]);
		if (fmap_add(&f->blocks, key, -1, err) < 0)
			return -1;
	}
	for (i = 0; i < f->ntl; i++) {
		struct ftool *t = &f->tl[i];

		if (t->kind == T_DROP || t->alias >= 0)
			continue;
		if (fmap_add(t->kind == T_MCP ? &f->mcp : &f->tools, t->r->id,
			     want_num(&t->r->d, 0, t->kind == T_MCP ? "mcp_server" : "tool"), err) < 0)
			return -1;
	}
	for (i = 0; i < f->nkn; i++)
		if (fmap_add(&f->sources, f->kn[i]->id, want_num(&f->kn[i]->d, 0, "source"), err) < 0)
			return -1;
	for (i = 0; i < f->nfl; i++)
		if (fmap_add(&f->files, f->fl[i]->id, want_num(&f->fl[i]->d, 0, "file"), err) < 0)
			return -1;
	fmap_assign(&f->agents);
	fmap_assign(&f->blocks);
	fmap_assign(&f->tools);
	fmap_assign(&f->mcp);
	fmap_assign(&f->sources);
	fmap_assign(&f->files);
	return 0;
}

/* The file-local id of tool record id (following aliases), in out[64]. */
static int tool_fid(const struct wfile *f, const char *id, char *out)
{
	size_t i;

	for (i = 0; i < f->ntl; i++) {
		const struct ftool *t = &f->tl[i];

		if (strcmp(t->r->id, id) != 0)
			continue;
		if (t->alias >= 0)
			t = &f->tl[t->alias];
		if (t->kind != T_TOOL)
			return -1;
		return fmap_get(&f->tools, t->r->id, out);
	}
	return -1;
}

static void time_letta(struct fy_jw *j, const struct fy_jdoc *d, uint32_t root, const char *from,
		       const char *to)
{
	uint32_t v = fy_json_get(d, root, from);

	if (fy_json_type(d, v) == FY_JSTRING) {
		fy_jw_key(j, to);
		fy_jw_node(j, d, v);
	}
}

static const char *const tool_ext_skip[] = { "json_schema", "tool_type", "entity", NULL };

#define RUN_CODE_SCHEMA                                                                          \
	"{\"name\":\"run_code\",\"description\":\"Run code in a sandbox. Supports Python, "          \
	"Javascript, Typescript, R, and Java.\",\"parameters\":{\"type\":\"object\","                  \
	"\"properties\":{\"code\":{\"type\":\"string\",\"description\":\"The code to run.\"},"        \
	"\"language\":{\"type\":\"string\",\"enum\":[\"python\",\"js\",\"ts\",\"r\",\"java\"],"       \
	"\"description\":\"The language of the code.\"}},\"required\":[\"code\",\"language\"]}}"
#define WEB_SEARCH_SCHEMA                                                                        \
	"{\"name\":\"web_search\",\"description\":\"Search the web using Exa's AI-powered "          \
	"search engine and retrieve relevant content.\",\"parameters\":{\"type\":\"object\","           \
	"\"properties\":{\"query\":{\"type\":\"string\",\"description\":\"The search query to "      \
	"find relevant web content.\"},\"num_results\":{\"type\":\"integer\",\"description\":"        \
	"\"Number of results to return (1-100). Defaults to 10.\"}},\"required\":[\"query\"]}}"

static int write_tool(struct wfile *f, const struct ftool *t, int *first, struct fy_error *err)
{
	const struct fy_jdoc *d = &t->r->d;
	uint32_t ext = ext_of(d, 0), code = fy_json_get(d, 0, "code"), js = fy_json_get(d, ext, "json_schema");
	uint32_t params = fy_json_get(d, 0, "parameters"), desc = fy_json_get(d, 0, "description");
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 31);
	char fid[64];
	struct fy_jw j;
	int rc;

	if (fmap_get(&f->tools, t->r->id, fid) < 0)
		return 0;
	fy_jw_init(&j, &b);
	fy_jw_obj(&j);
	fy_jw_key(&j, "id");
	fy_jw_str(&j, fid);
	if (t->builtin) {
		/* the signatures of letta/functions/function_sets/builtin.py */
		int rc_ = !strcmp(t->builtin, "run_code");

		fy_jw_key(&j, "tool_type");
		fy_jw_str(&j, "letta_builtin");
		fy_jw_key(&j, "name");
		fy_jw_str(&j, t->builtin);
		fy_jw_key(&j, "description");
		fy_jw_str(&j, rc_ ? "Run code in a sandbox. Supports Python, Javascript, Typescript, R, and Java." :
				  "Search the web using Exa's AI-powered search engine and retrieve relevant content.");
		fy_jw_key(&j, "source_type");
		fy_jw_str(&j, "python");
		fy_jw_key(&j, "tags");
		fy_jw_raw(&j, "[\"letta_builtin\"]", 17);
		fy_jw_key(&j, "json_schema");
		fy_jw_raw(&j, rc_ ? RUN_CODE_SCHEMA : WEB_SEARCH_SCHEMA,
		       strlen(rc_ ? RUN_CODE_SCHEMA : WEB_SEARCH_SCHEMA));
	} else {
		fy_jw_key(&j, "tool_type");
		if (fy_json_type(d, fy_json_get(d, ext, "tool_type")) == FY_JSTRING)
			fy_jw_node(&j, d, fy_json_get(d, ext, "tool_type"));
		else
			fy_jw_str(&j, "custom");
		if (desc != FY_JNONE) {
			fy_jw_key(&j, "description");
			fy_jw_node(&j, d, desc);
		}
		if (fy_json_get(d, ext, "source_type") != FY_JNONE) {
			/* written with the rest of ext */
		} else if (fy_json_type(d, fy_json_get(d, code, "language")) == FY_JSTRING) {
			fy_jw_key(&j, "source_type");
			fy_jw_node(&j, d, fy_json_get(d, code, "language"));
		} else if (code != FY_JNONE) {
			fy_jw_key(&j, "source_type");
			fy_jw_str(&j, "python");
		}
		fy_jw_key(&j, "name");
		fy_jw_node(&j, d, fy_json_get(d, 0, "name"));
		if (code != FY_JNONE) {
			fy_jw_key(&j, "source_code");
			fy_jw_node(&j, d, fy_json_get(d, code, "source"));
		}
		fy_jw_key(&j, "json_schema");
		fy_jw_obj(&j);
		if (fy_json_get(d, js, "name") == FY_JNONE) {
			fy_jw_key(&j, "name");
			fy_jw_node(&j, d, fy_json_get(d, 0, "name"));
		}
		if (desc != FY_JNONE && fy_json_get(d, js, "description") == FY_JNONE) {
			fy_jw_key(&j, "description");
			fy_jw_node(&j, d, desc);
		}
		if (params != FY_JNONE) {
			fy_jw_key(&j, "parameters");
			fy_jw_node(&j, d, params);
		} else if (!is_letta(d, 0)) {
			fy_jw_key(&j, "parameters");
			fy_jw_raw(&j, "{\"type\":\"object\",\"properties\":{}}", 33);
		}
		letta_jw_members_except(&j, d, js, NULL, 0);
		fy_jw_end(&j);
		if (ext != FY_JNONE)
			letta_jw_members_except(&j, d, ext, tool_ext_skip, 0);
		time_letta(&j, d, 0, "created", "created_at");
		time_letta(&j, d, 0, "updated", "updated_at");
		if (fy_json_get(d, 0, "metadata") != FY_JNONE) {
			fy_jw_key(&j, "metadata_");
			fy_jw_node(&j, d, fy_json_get(d, 0, "metadata"));
		}
	}
	fy_jw_end(&j);
	rc = put_entity(f, &j, first, err);
	fy_buf_release(&b);
	return rc;
}

/* Ledger lines for a tool as it is written (once per tool, in the first file that has it). */
static int tool_ledger(struct letta_sink *s, const struct ftool *t, struct fy_error *err)
{
	const struct fy_jdoc *d = &t->r->d;
	char *ty = fy_json_get_strdup(d, 0, "type");
	int rc = 0;

	if (t->alias >= 0)
		rc = ledgerf(s, "tool", t->r->id, NULL, "transformed", "one-tool-per-name", err,
			     "written as the tool '%s' already in the agent file (Letta matches tools by name)",
			     t->name);
	else if (t->kind == T_DROP)
		rc = ledgerf(s, "tool", t->r->id, NULL, "dropped", "no-equivalent", err,
			     !strcmp(ty ? ty : "", "file_search") ?
			     "file_search has no tool entity in an agent file: Letta attaches its own file "
			     "tools to agents with folders (the knowledge sets are written as sources)" :
			     "a %s tool has no equivalent in a Letta agent file", ty ? ty : "?");
	else if (t->kind == T_TOOL && !t->builtin && !is_letta(d, 0) &&
		 fy_json_get(d, 0, "code") == FY_JNONE)
		rc = ledgerf(s, "tool", t->r->id, "code", "degraded", "no-source-code", err,
			     "the function's schema crossed but not its code (the source never "
			     "held it): Letta cannot run the tool until source code is added");
	else if (t->kind == T_MCP && !is_letta(d, 0)) {
		rc = ledgerf(s, "tool", t->r->id, NULL, "degraded", "mcp-server-only", err,
			     "written as the MCP server '%s'; Letta attaches an MCP server's tools one by "
			     "one once the server is reachable, so the agents' reference to it is not written",
			     t->name);
	}
	free(ty);
	return rc;
}

static int write_mcp(struct wfile *f, const struct ftool *t, int *first, struct fy_error *err)
{
	static const char *const skip[] = { "entity", "stdio_config", NULL };
	const struct fy_jdoc *d = &t->r->d;
	uint32_t ext = ext_of(d, 0), mcp = fy_json_get(d, 0, "mcp");
	uint32_t tr = fy_json_get(d, mcp, "transport"), url = fy_json_get(d, mcp, "server_url");
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 31);
	char fid[64];
	struct fy_jw j;
	int rc;

	if (fmap_get(&f->mcp, t->r->id, fid) < 0)
		return 0;
	fy_jw_init(&j, &b);
	fy_jw_obj(&j);
	fy_jw_key(&j, "id");
	fy_jw_str(&j, fid);
	fy_jw_key(&j, "server_type");
	if (ext != FY_JNONE && fy_json_type(d, tr) == FY_JSTRING)
		fy_jw_node(&j, d, tr);
	else if (fy_json_streq(d, tr, "sse") || fy_json_streq(d, tr, "stdio"))
		fy_jw_node(&j, d, tr);
	else
		fy_jw_str(&j, url != FY_JNONE ? "streamable_http" : "stdio");	/* Letta's MCPServerType */
	fy_jw_key(&j, "server_name");
	fy_jw_str(&j, t->name);
	if (url != FY_JNONE) {
		fy_jw_key(&j, "server_url");
		fy_jw_node(&j, d, url);
	}
	/* credentials: their names with empty values, never a value */
	if (fy_json_get(d, ext, "stdio_config") != FY_JNONE || fy_json_len(d, fy_json_get(d, mcp, "env"))) {
		static const char *const envskip[] = { "env", NULL };
		uint32_t sc = fy_json_get(d, ext, "stdio_config"), env = fy_json_get(d, mcp, "env"), k, key, val;

		fy_jw_key(&j, "stdio_config");
		fy_jw_obj(&j);
		letta_jw_members_except(&j, d, sc, envskip, 0);
		if (fy_json_len(d, env)) {
			fy_jw_key(&j, "env");
			fy_jw_obj(&j);
			FY_JSON_FOREACH_MEMBER(d, env, k, key, val) {
				letta_jw_keynode(&j, d, key);
				fy_jw_str(&j, "");
			}
			fy_jw_end(&j);
		}
		fy_jw_end(&j);
	}
	{
		uint32_t hd = fy_json_get(d, mcp, "headers"), k, key, val;
		int custom = 0;

		if (fy_json_get(d, hd, "Authorization") != FY_JNONE) {
			fy_jw_key(&j, "token");
			fy_jw_str(&j, "");
		}
		FY_JSON_FOREACH_MEMBER(d, hd, k, key, val) {
			if (fy_json_streq(d, key, "Authorization"))
				continue;
			if (!custom) {
				fy_jw_key(&j, "custom_headers");
				fy_jw_obj(&j);
				custom = 1;
			}
			letta_jw_keynode(&j, d, key);
			fy_jw_str(&j, "");
		}
		if (custom)
			fy_jw_end(&j);
	}
	if (fy_json_get(d, 0, "metadata") != FY_JNONE) {
		fy_jw_key(&j, "metadata_");
		fy_jw_node(&j, d, fy_json_get(d, 0, "metadata"));
	}
	if (ext != FY_JNONE)
		letta_jw_members_except(&j, d, ext, skip, 0);
	fy_jw_end(&j);
	rc = put_entity(f, &j, first, err);
	fy_buf_release(&b);
	return rc;
}

static const char *const block_ext_skip[] = { NULL };

static int write_block(struct wfile *f, const struct srec *m, int *first, struct fy_error *err)
{
	const struct fy_jdoc *d = &m->d;
	uint32_t ext = ext_of(d, 0), text = fy_json_get(d, 0, "text"), lim = fy_json_get(d, 0, "limit");
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 31);
	size_t tl;
	const char *ts = fy_json_raw(d, text, &tl);
	size_t chars;
	int64_t limit = -1;
	char fid[64];
	struct fy_jw j;
	int rc;

	if (fmap_get(&f->blocks, m->id, fid) < 0)
		return 0;
	fy_buf_reset(&f->s->line);
	if (fy_json_str(d, text, &f->s->line, err) < 0)
		return -1;
	chars = letta_utf8_chars(f->s->line.ptr ? f->s->line.ptr : "", f->s->line.len);
	(void)ts;
	(void)tl;
	if (fy_json_int(d, lim, &limit) < 0)
		limit = -1;
	fy_jw_init(&j, &b);
	fy_jw_obj(&j);
	fy_jw_key(&j, "value");
	fy_jw_node(&j, d, text);
	fy_jw_key(&j, "limit");
	if (limit >= 0 && (size_t)limit >= chars) {
		fy_jw_node(&j, d, lim);
	} else {
		int64_t nl = chars > CORE_MEMORY_BLOCK_CHAR_LIMIT ? (int64_t)chars : CORE_MEMORY_BLOCK_CHAR_LIMIT;

		fy_jw_int(&j, nl);
		if (limit >= 0 &&
		    ledgerf(f->s, "memory", m->id, "limit", "transformed", "limit-raised", err,
			    "the text is %zu characters, over the limit %lld: Letta refuses a block "
			    "longer than its limit, so the limit was raised to %lld", chars,
			    (long long)limit, (long long)nl) < 0) {
			fy_buf_release(&b);
			return -1;
		}
	}
	if (fy_json_get(d, 0, "label") != FY_JNONE) {
		fy_jw_key(&j, "label");
		fy_jw_node(&j, d, fy_json_get(d, 0, "label"));
	} else {
		fy_jw_key(&j, "label");
		fy_jw_str(&j, m->id);
	}
	if (fy_json_get(d, 0, "read_only") != FY_JNONE) {
		fy_jw_key(&j, "read_only");
		fy_jw_node(&j, d, fy_json_get(d, 0, "read_only"));
	}
	if (fy_json_get(d, 0, "description") != FY_JNONE) {
		fy_jw_key(&j, "description");
		fy_jw_node(&j, d, fy_json_get(d, 0, "description"));
	}
	if (fy_json_get(d, 0, "metadata") != FY_JNONE) {
		fy_jw_key(&j, "metadata");
		fy_jw_node(&j, d, fy_json_get(d, 0, "metadata"));
	}
	time_letta(&j, d, 0, "created", "created_at");
	time_letta(&j, d, 0, "updated", "updated_at");
	if (ext != FY_JNONE)
		letta_jw_members_except(&j, d, ext, block_ext_skip, 0);
	fy_jw_key(&j, "id");
	fy_jw_str(&j, fid);
	fy_jw_end(&j);
	rc = put_entity(f, &j, first, err);
	fy_buf_release(&b);
	return rc;
}

static int write_mblock(struct wfile *f, size_t i, int *first, struct fy_error *err)
{
	const struct mblock *mb = &f->s->mb[i];
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 31);
	size_t chars = letta_utf8_chars(mb->text.ptr ? mb->text.ptr : "", mb->text.len);
	char key[64], fid[64];
	struct fy_jw j;
	int rc;

	snprintf(key, sizeof(key), "\001merged-%zu", i);
	if (fmap_get(&f->blocks, key, fid) < 0)
		return 0;
	fy_jw_init(&j, &b);
	fy_jw_obj(&j);
	fy_jw_key(&j, "value");
	fy_jw_strn(&j, mb->text.ptr ? mb->text.ptr : "", mb->text.len);
	fy_jw_key(&j, "limit");
	fy_jw_int(&j, chars > CORE_MEMORY_BLOCK_CHAR_LIMIT ? (int64_t)chars : CORE_MEMORY_BLOCK_CHAR_LIMIT);
	fy_jw_key(&j, "label");
	fy_jw_str(&j, mb->label);
	fy_jw_key(&j, "description");
	fy_jw_str(&j, mb->persona ? "How the user asked the assistant to behave (custom instructions), "
				  "carried over by ferry." :
				  "What the user's previous assistant remembered about them (memories and "
				  "profile), carried over by ferry.");
	fy_jw_key(&j, "id");
	fy_jw_str(&j, fid);
	fy_jw_end(&j);
	rc = put_entity(f, &j, first, err);
	fy_buf_release(&b);
	return rc;
}

/* EmbeddingConfig of a knowledge set (or Letta's default, EmbeddingConfig.default_config). */
static void embedding_config(struct fy_jw *j, const struct fy_jdoc *d, uint32_t root, int *defaulted)
{
	static const char *const skip[] = { "embedding_model", "embedding_dim", "embedding_chunk_size", NULL };
	uint32_t ext = ext_of(d, root), ec = fy_json_get(d, ext, "embedding_config");
	uint32_t emb = fy_json_get(d, root, "embedding"), ch = fy_json_get(d, root, "chunking");
	uint32_t model = fy_json_get(d, emb, "model"), dims = fy_json_get(d, emb, "dimensions");
	uint32_t mt = fy_json_get(d, ch, "max_tokens");

	*defaulted = 0;
	fy_jw_key(j, "embedding_config");
	fy_jw_obj(j);
	if (ec != FY_JNONE) {
		letta_jw_members_except(j, d, ec, model != FY_JNONE ? skip : NULL, 0);
	} else {
		int g;

		fy_jw_key(j, "embedding_endpoint_type");
		fy_jw_str(j, model != FY_JNONE ? endpoint_type(NULL, "gpt-", &g) : "openai");
		fy_jw_key(j, "embedding_endpoint");
		fy_jw_str(j, "https://api.openai.com/v1");
		*defaulted = 1;
	}
	if (model != FY_JNONE) {
		fy_jw_key(j, "embedding_model");
		fy_jw_node(j, d, model);
		fy_jw_key(j, "embedding_dim");
		if (dims != FY_JNONE)
			fy_jw_node(j, d, dims);
		else
			fy_jw_int(j, 1536);
		if (mt != FY_JNONE) {
			fy_jw_key(j, "embedding_chunk_size");
			fy_jw_node(j, d, mt);
		} else if (ec == FY_JNONE) {
			fy_jw_key(j, "embedding_chunk_size");
			fy_jw_int(j, 300);
		}
	} else if (ec == FY_JNONE) {
		fy_jw_key(j, "embedding_model");
		fy_jw_str(j, "text-embedding-3-small");
		fy_jw_key(j, "embedding_dim");
		fy_jw_int(j, 2000);
		fy_jw_key(j, "embedding_chunk_size");
		fy_jw_int(j, 300);
	}
	fy_jw_end(j);
}

static const char *const source_ext_skip[] = { "embedding_config", NULL };

static int write_source(struct wfile *f, const struct srec *k, int *first, struct fy_error *err)
{
	const struct fy_jdoc *d = &k->d;
	uint32_t ext = ext_of(d, 0);
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 31);
	char fid[64];
	struct fy_jw j;
	int rc, defaulted;

	if (fmap_get(&f->sources, k->id, fid) < 0)
		return 0;
	fy_jw_init(&j, &b);
	fy_jw_obj(&j);
	fy_jw_key(&j, "name");
	fy_jw_node(&j, d, fy_json_get(d, 0, "name"));
	if (fy_json_get(d, 0, "description") != FY_JNONE) {
		fy_jw_key(&j, "description");
		fy_jw_node(&j, d, fy_json_get(d, 0, "description"));
	}
	if (fy_json_get(d, 0, "metadata") != FY_JNONE) {
		fy_jw_key(&j, "metadata");
		fy_jw_node(&j, d, fy_json_get(d, 0, "metadata"));
	}
	embedding_config(&j, d, 0, &defaulted);
	time_letta(&j, d, 0, "created", "created_at");
	time_letta(&j, d, 0, "updated", "updated_at");
	if (ext != FY_JNONE)
		letta_jw_members_except(&j, d, ext, source_ext_skip, 0);
	fy_jw_key(&j, "id");
	fy_jw_str(&j, fid);
	fy_jw_end(&j);
	rc = put_entity(f, &j, first, err);
	fy_buf_release(&b);
	if (rc == 0 && f->first >= 0 && !is_letta(d, 0)) {
		if (defaulted)
			rc = ledgerf(f->s, "knowledge", k->id, "embedding", "transformed", "default-embedding",
				     err, fy_json_get(d, 0, "embedding") != FY_JNONE ?
				     "the knowledge set's embedding model was written with an OpenAI endpoint "
				     "(Letta needs an endpoint type)" :
				     "no embedding model: Letta's default (text-embedding-3-small, 2000 "
				     "dimensions) was written; the files are re-embedded on import");
	}
	return rc;
}

static int text_like(const char *mt)
{
	return mt && (!strncmp(mt, "text/", 5) || strstr(mt, "json") || strstr(mt, "markdown") ||
		      strstr(mt, "xml") || strstr(mt, "yaml") || strstr(mt, "csv"));
}

static int write_file_entity(struct wfile *f, const struct srec *fr, const char *source_fid,
			     int *first, struct fy_error *err)
{
	const struct fy_jdoc *d = &fr->d;
	uint32_t ext = ext_of(d, 0);
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 31), data = FY_BUF_INIT((size_t)1 << 31);
	char fid[64], *mt = fy_json_get_strdup(d, 0, "media_type"), *hex = fy_json_get_strdup(d, 0, "blob");
	struct fy_jw j;
	int rc = -1, have = 0;

	if (fmap_get(&f->files, fr->id, fid) < 0) {
		rc = 0;
		goto out;
	}
	if (hex && text_like(mt)) {
		int r = read_blob(f->s, hex, &data, err);

		if (r < 0)
			goto out;
		have = r == 0 && fy_utf8_valid(data.ptr ? data.ptr : "", data.len);
	}
	fy_jw_init(&j, &b);
	fy_jw_obj(&j);
	fy_jw_key(&j, "source_id");
	fy_jw_str(&j, source_fid);
	fy_jw_key(&j, "file_name");
	fy_jw_node(&j, d, fy_json_get(d, 0, "name"));
	if (ext == FY_JNONE) {
		if (mt) {
			fy_jw_key(&j, "file_type");
			fy_jw_str(&j, mt);
		}
		if (fy_json_get(d, 0, "size") != FY_JNONE) {
			fy_jw_key(&j, "file_size");
			fy_jw_node(&j, d, fy_json_get(d, 0, "size"));
		}
	} else {
		letta_jw_members_except(&j, d, ext, NULL, 0);
	}
	if (have) {
		fy_jw_key(&j, "content");
		fy_jw_strn(&j, data.ptr ? data.ptr : "", data.len);
	}
	fy_jw_key(&j, "id");
	fy_jw_str(&j, fid);
	fy_jw_end(&j);
	rc = put_entity(f, &j, first, err);
	if (rc == 0 && !have && hex)
		rc = ledgerf(f->s, "file", fr->id, "blob", "degraded", "no-extracted-text", err,
			     "an agent file carries a file's extracted text, not its bytes; this %s file "
			     "was written without content, so Letta cannot index it until it is uploaded "
			     "again", mt ? mt : "binary");
out:
	free(mt);
	free(hex);
	fy_buf_release(&b);
	fy_buf_release(&data);
	return rc;
}

/* --- agents ------------------------------------------------------------------------ */

struct wgroup {
	const struct fy_jdoc *d;	/* ext.letta-af.groups[] entry, or NULL: from handoffs */
	uint32_t g;
	size_t manager;			/* handoffs: the agent */
	char key[FY_ID_MAX + 24];
};

/* Read a span of the spill file line by line. */
struct spanrd {
	int fd;
	uint64_t off, end;
	struct fy_buf b;
	size_t pos;
};

static int span_next(struct spanrd *r, const char **line, size_t *len, struct fy_error *err)
{
	for (;;) {
		char *nl = r->b.len > r->pos ? memchr(r->b.ptr + r->pos, '\n', r->b.len - r->pos) : NULL;
		size_t want;

		if (nl) {
			*line = r->b.ptr + r->pos;
			*len = (size_t)(nl - (r->b.ptr + r->pos));
			r->pos += *len + 1;
			return 1;
		}
		if (r->off >= r->end)
			return 0;
		fy_buf_consume(&r->b, r->pos);
		r->pos = 0;
		want = r->end - r->off > (1 << 20) ? (1 << 20) : (size_t)(r->end - r->off);
		if (fy_buf_grow(&r->b, want, err) < 0 || read_at(r->fd, r->off, r->b.ptr + r->b.len, want, err) < 0)
			return -1;
		r->b.len += want;
		r->b.ptr[r->b.len] = '\0';
		r->off += want;
	}
}

/* In-context tail of a history without in-context marks: from a user message, at most n. */
static int tail_start(struct letta_sink *s, const struct span *sp, long n, uint32_t *start,
		      struct fy_error *err)
{
	struct spanrd r = { s->kept_fd, sp->off, sp->off + sp->len, FY_BUF_INIT(FY_RECORD_MAX_DEFAULT + (1 << 21)), 0 };
	unsigned char *user = calloc(sp->nmsg + 1, 1);
	const char *line;
	size_t len;
	uint32_t i = 0, from;
	int got, rc = -1;

	if (!user)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	while ((got = span_next(&r, &line, &len, err)) == 1 && i < sp->nmsg) {
		if (fy_jdoc_parse(&s->doc, line, len, 0, err) < 0)
			goto out;
		user[i++] = fy_json_streq(&s->doc, fy_json_get(&s->doc, 0, "role"), "user");
	}
	if (got < 0)
		goto out;
	from = sp->nmsg > (uint32_t)n ? sp->nmsg - (uint32_t)n : 0;
	*start = sp->nmsg;
	for (i = from; i < sp->nmsg; i++)
		if (user[i]) {
			*start = i;
			break;
		}
	if (*start == sp->nmsg)
		for (i = from; i-- > 0;)
			if (user[i]) {
				*start = i;
				break;
			}
	rc = 0;
out:
	free(user);
	fy_buf_release(&r.b);
	return rc;
}

static const char *const agent_ext_skip[] = { "llm_config", "embedding_config", "agent_type",
					      "tool_exec_environment_variables", "secrets",
					      "files_agents", "groups", "group_ids", NULL };

/* LLMConfig from the agent's model (and ext.letta-af.llm_config). */
static int llm_config(struct letta_sink *s, struct fy_jw *j, const struct wagent *a, struct fy_error *err)
{
	const struct fy_jdoc *d = a->rec ? &a->rec->d : &no_doc;
	uint32_t model = fy_json_get(d, 0, "model");
	uint32_t ext = ext_of(d, 0), lc = fy_json_get(d, ext, "llm_config");
	uint32_t params = fy_json_get(d, model, "parameters"), k, key, val;
	const char *skip[8] = { "model", "temperature", "max_tokens", "frequency_penalty",
				"reasoning_effort", NULL, NULL, NULL };
	char name[160], provider[64], reason[400];
	const char *opt = fy_adapter_option(s->ctx, "model"), *ep;
	int guessed = 0, letta = is_letta(d, 0);
	size_t i;

	name[0] = provider[0] = '\0';
	if (model != FY_JNONE) {
		char *n = fy_json_get_strdup(d, model, "name"), *p = fy_json_get_strdup(d, model, "provider");

		snprintf(name, sizeof(name), "%s", n ? n : "");
		snprintf(provider, sizeof(provider), "%s", p ? p : "");
		free(n);
		free(p);
	}
	if (!name[0]) {
		const char *why;

		if (opt) {
			const char *sl = strchr(opt, '/');

			snprintf(name, sizeof(name), "%s", sl ? sl + 1 : opt);
			if (sl)
				snprintf(provider, sizeof(provider), "%.*s", (int)(sl - opt), opt);
			why = "the model given with --option model";
		} else {
			for (i = 0; i < a->nspans && !name[0]; i++) {
				const struct span *sp = &s->spans[a->spans[a->nspans - 1 - i]];

				if (sp->model[0])
					snprintf(name, sizeof(name), "%s", sp->model);
			}
			why = "the model of the agent's last assistant message";
			if (!name[0]) {
				snprintf(name, sizeof(name), "gpt-4o-mini");
				snprintf(provider, sizeof(provider), "openai");
				why = "Letta's default model (no model in the archive; set one with --option model=PROVIDER/NAME)";
			}
		}
		if (ledgerf(s, "agent", a->id, "model", "transformed", "model-chosen", err,
			    "the agent has no model: %s, %s, was written", why, name) < 0)
			return -1;
	}
	ep = endpoint_type(provider[0] ? provider : NULL, name, &guessed);
	if (provider[0] && lc != FY_JNONE) {
		uint32_t pn = fy_json_get(d, lc, "provider_name");
		uint32_t et = fy_json_get(d, lc, "model_endpoint_type");

		if (!(fy_json_streq(d, pn, provider) || (pn == FY_JNONE && fy_json_streq(d, et, provider))))
			skip[5] = "provider_name";
	}
	fy_jw_key(j, "llm_config");
	fy_jw_obj(j);
	fy_jw_key(j, "model");
	fy_jw_str(j, name);
	if (lc != FY_JNONE)
		letta_jw_members_except(j, d, lc, skip, 0);
	if (fy_json_get(d, lc, "model_endpoint_type") == FY_JNONE) {
		fy_jw_key(j, "model_endpoint_type");
		fy_jw_str(j, ep);
		if (guessed && ledgerf(s, "agent", a->id, "model.provider", "degraded", "endpoint-guessed", err,
				       "provider '%s' of model %s has no Letta endpoint type; 'openai' (an "
				       "OpenAI-compatible endpoint) was written", provider, name) < 0)
			return -1;
	}
	if (skip[5] || (provider[0] && lc == FY_JNONE && !letta)) {
		fy_jw_key(j, "provider_name");
		fy_jw_str(j, provider);
	}
	if (fy_json_get(d, lc, "context_window") == FY_JNONE) {
		long cw = context_window(name);

		fy_jw_key(j, "context_window");
		fy_jw_int(j, cw);
		snprintf(reason, sizeof(reason),
			 "Letta needs the model's context window; %ld was written for %s", cw, name);
		if (sink_ledger(s, "agent", a->id, "model", "transformed", "context-window", reason, err) < 0)
			return -1;
	}
	if (fy_json_get(d, lc, "handle") == FY_JNONE && !letta) {
		fy_jw_key(j, "handle");
		fy_buf_reset(&s->line);
		fy_buf_addf(&s->line, NULL, "%s/%s", ep, name);
		fy_jw_str(j, s->line.ptr ? s->line.ptr : "");
	}
	FY_JSON_FOREACH_MEMBER(d, params, k, key, val) {
		size_t len;
		const char *ks = fy_json_raw(d, key, &len);

		static const char *const in_table[] = { "top_p", "presence_penalty", "seed", NULL };

		if (letta_in_list(skip + 1, ks, len) && len != 13 /* provider_name */) {
			letta_jw_member(j, d, key, val);
		} else if (!letta && !letta_in_list(in_table, ks, len)) {
			snprintf(reason, sizeof(reason), "model parameter %.*s has no field in Letta's LLMConfig",
				 (int)(len > 60 ? 60 : len), ks);
			if (sink_ledger(s, "agent", a->id, "model.parameters", "dropped", "no-equivalent",
					reason, err) < 0)
				return -1;
		}
	}
	fy_jw_end(j);
	return 0;
}

/* Tool environment variables: their names with empty values, never a value. */
static void secrets_out(struct fy_jw *j, const struct wagent *a, const char *key)
{
	const struct fy_jdoc *d = &a->rec->d;
	uint32_t v = fy_json_get(d, ext_of(d, 0), key), k, kk, val;

	if (fy_json_type(d, v) != FY_JOBJECT)
		return;
	fy_jw_key(j, key);
	fy_jw_obj(j);
	FY_JSON_FOREACH_MEMBER(d, v, k, kk, val) {
		letta_jw_keynode(j, d, kk);
		fy_jw_str(j, "");
	}
	fy_jw_end(j);
}

static int write_agent(struct wfile *f, size_t wi, const struct wgroup *gr, size_t ngr,
		       int *first, struct fy_error *err)
{
	struct letta_sink *s = f->s;
	struct wagent *a = &s->wa[wi];
	const struct fy_jdoc *d = a->rec ? &a->rec->d : &no_doc;
	uint32_t ext = ext_of(d, 0), k, el;
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 31);
	char fid[64], tfid[64], name[256], *orig = NULL;
	struct conv c;
	int has_ctx = 0, letta = is_letta(d, 0), rc = -1, any, defaulted;
	uint32_t start = 0;
	size_t i, sp;
	struct fy_jw j;

	memset(&c, 0, sizeof(c));
	fy_buf_init(&c.tmp, (size_t)1 << 31);
	fy_buf_init(&c.bin, (size_t)1 << 31);
	fy_buf_init(&c.b64, (size_t)1 << 31);
	fy_jdoc_init(&c.jd);
	if (fmap_get(&f->agents, a->id, fid) < 0) {
		rc = 0;
		goto out;
	}
	orig = fy_json_get_strdup(d, 0, "name");
	letta_name(orig ? orig : a->name, name, sizeof(name));
	if (orig && strcmp(orig, name) &&
	    ledgerf(s, "agent", a->id, "name", "transformed", "letta-name", err,
		    "Letta agent names allow letters, digits, spaces, '_' and '-': '%s' was written as '%s'",
		    orig, name) < 0)
		goto out;
	for (i = 0; i < a->nspans; i++)
		has_ctx |= s->spans[a->spans[i]].has_ctx;
	fy_jw_init(&j, &b);
	fy_jw_obj(&j);
	fy_jw_key(&j, "name");
	fy_jw_str(&j, name);
	if (d && fy_json_get(d, 0, "description") != FY_JNONE) {
		fy_jw_key(&j, "description");
		fy_jw_node(&j, d, fy_json_get(d, 0, "description"));
	}
	if (d && fy_json_get(d, 0, "instructions") != FY_JNONE) {
		fy_jw_key(&j, "system");
		fy_jw_node(&j, d, fy_json_get(d, 0, "instructions"));
	}
	fy_jw_key(&j, "agent_type");
	if (fy_json_type(d, fy_json_get(d, ext, "agent_type")) == FY_JSTRING) {
		fy_jw_node(&j, d, fy_json_get(d, ext, "agent_type"));
	} else {
		fy_jw_str(&j, "letta_v1_agent");
		if (ledgerf(s, "agent", a->id, NULL, "transformed", "agent-type", err,
			    "written as a letta_v1_agent (Letta's current agent loop: plain assistant "
			    "replies, no heartbeats)%s", a->rec ? "" : "; the agent itself was created "
			    "by ferry for conversations that belong to no agent") < 0)
			goto out;
	}
	if (llm_config(s, &j, a, err) < 0)
		goto out;
	if (fy_json_get(d, ext, "embedding_config") != FY_JNONE) {
		fy_jw_key(&j, "embedding_config");
		fy_jw_node(&j, d, fy_json_get(d, ext, "embedding_config"));
	} else {
		struct srec *kn = NULL;
		uint32_t kl = d ? fy_json_get(d, 0, "knowledge") : FY_JNONE;

		if (fy_json_len(d, kl)) {
			char *kid = fy_json_strdup(d, fy_json_at(d, kl, 0), NULL);

			kn = kid ? rset_find(&s->knowledge, kid) : NULL;
			free(kid);
		}
		embedding_config(&j, kn ? &kn->d : d, kn ? 0 : FY_JNONE, &defaulted);
		if (ledgerf(s, "agent", a->id, "embedding", "transformed", "default-embedding", err,
			    kn ? "the agent's embedding config was taken from its knowledge set %s" :
			    "Letta needs an embedding config: its default (OpenAI text-embedding-3-small) "
			    "was written%s", kn ? kn->id : "") < 0)
			goto out;
	}
	fy_jw_key(&j, "tool_ids");
	fy_jw_arr(&j);
	if (d)
		FY_JSON_FOREACH(d, fy_json_get(d, 0, "tools"), k, el) {
			char *tid = fy_json_strdup(d, el, NULL);

			if (tid && tool_fid(f, tid, tfid) == 0)
				fy_jw_str(&j, tfid);
			free(tid);
		}
	fy_jw_end(&j);
	fy_jw_key(&j, "block_ids");
	fy_jw_arr(&j);
	for (i = 0; i < f->nbl; i++)
		if (block_attached(s, f->bl[i], wi) && fmap_get(&f->blocks, f->bl[i]->id, tfid) == 0)
			fy_jw_str(&j, tfid);
	for (i = 0; i < f->nmb; i++) {
		char key[64];

		snprintf(key, sizeof(key), "\001merged-%zu", f->mb[i]);
		if (s->mb[f->mb[i]].agent == wi && fmap_get(&f->blocks, key, tfid) == 0)
			fy_jw_str(&j, tfid);
	}
	fy_jw_end(&j);
	fy_jw_key(&j, "source_ids");
	fy_jw_arr(&j);
	if (d)
		FY_JSON_FOREACH(d, fy_json_get(d, 0, "knowledge"), k, el) {
			char *kid = fy_json_strdup(d, el, NULL);

			if (kid && fmap_get(&f->sources, kid, tfid) == 0)
				fy_jw_str(&j, tfid);
			free(kid);
		}
	fy_jw_end(&j);
	if (d && fy_json_get(d, 0, "metadata") != FY_JNONE) {
		fy_jw_key(&j, "metadata");
		fy_jw_node(&j, d, fy_json_get(d, 0, "metadata"));
	}
	if (d && fy_json_get(d, 0, "response_format") != FY_JNONE) {
		fy_jw_key(&j, "response_format");
		fy_jw_node(&j, d, fy_json_get(d, 0, "response_format"));
	}
	if (a->rec) {
		secrets_out(&j, a, "tool_exec_environment_variables");
		secrets_out(&j, a, "secrets");
	}
	if (d) {
		time_letta(&j, d, 0, "created", "created_at");
		time_letta(&j, d, 0, "updated", "updated_at");
	}
	if (ext != FY_JNONE)
		letta_jw_members_except(&j, d, ext, agent_ext_skip, 0);
	fy_jw_key(&j, "id");
	fy_jw_str(&j, fid);
	fy_jw_end(&j);
	/* the head without its closing brace, then the history streams in */
	if (fy_jw_finish(&j, err) < 0)
		goto out;
	if (wout_adds(&f->w, *first ? "" : ",", err) < 0 || wout_add(&f->w, b.ptr, b.len - 1, err) < 0 ||
	    wout_adds(&f->w, ",\"messages\":[", err) < 0)
		goto out;
	*first = 0;
	/* the history */
	c.s = s;
	c.agent_fid = fid;
	c.next_msg = &f->next_msg;
	c.w = &f->w;
	c.first_out = 1;
	if (!has_ctx && !letta) {
		char sfid[64];
		struct fy_buf mb = FY_BUF_INIT((size_t)1 << 31);
		struct fy_jw mj;

		next_fid(&c, -1, sfid);
		fy_jw_init(&mj, &mb);
		fy_jw_obj(&mj);
		fy_jw_key(&mj, "type");
		fy_jw_str(&mj, "message");
		fy_jw_key(&mj, "role");
		fy_jw_str(&mj, "system");
		fy_jw_key(&mj, "content");
		fy_jw_arr(&mj);
		fy_jw_obj(&mj);
		fy_jw_key(&mj, "type");
		fy_jw_str(&mj, "text");
		fy_jw_key(&mj, "text");
		if (d && fy_json_get(d, 0, "instructions") != FY_JNONE)
			fy_jw_node(&mj, d, fy_json_get(d, 0, "instructions"));
		else
			fy_jw_str(&mj, "");
		fy_jw_end(&mj);
		fy_jw_end(&mj);
		fy_jw_key(&mj, "agent_id");
		fy_jw_str(&mj, fid);
		fy_jw_key(&mj, "id");
		fy_jw_str(&mj, sfid);
		fy_jw_end(&mj);
		rc = fy_jw_finish(&mj, err);
		if (rc == 0)
			rc = wout_add(&f->w, mb.ptr, mb.len, err);
		fy_buf_release(&mb);
		if (rc < 0)
			goto out;
		rc = -1;
		c.first_out = 0;
		if (ctx_add(&c, NULL, sfid, err) < 0)
			goto out;
		if (a->nspans && tail_start(s, &s->spans[a->spans[a->nspans - 1]], s->context_messages,
					    &start, err) < 0)
			goto out;
		if (a->nspans ?
			    ledgerf(s, "agent", a->id, "messages", "emulated", "in-context-window", err,
				    "no message was marked in context: Letta's first in-context message, "
				    "the system prompt, was added, and the last %u messages of the last "
				    "conversation (from a user message, at most %ld; --option "
				    "context-messages=N) were put in context",
				    s->spans[a->spans[a->nspans - 1]].nmsg - start, s->context_messages) :
			    ledgerf(s, "agent", a->id, "messages", "emulated", "in-context-window", err,
				    "the agent has no conversation: its history is Letta's first "
				    "in-context message, the system prompt") < 0)
			goto out;
	}
	for (sp = 0; sp < a->nspans; sp++) {
		const struct span *spn = &s->spans[a->spans[sp]];
		struct spanrd r = { s->kept_fd, spn->off, spn->off + spn->len,
				    FY_BUF_INIT(FY_RECORD_MAX_DEFAULT + (1 << 21)), 0 };
		const char *line;
		size_t len;
		uint32_t mi = 0;
		int got;

		memset(&c.loss, 0, sizeof(c.loss));
		c.foreign = spn->foreign;
		c.pending_code[0] = '\0';
		while ((got = span_next(&r, &line, &len, err)) == 1) {
			int in_ctx;

			if (fy_jdoc_parse(&s->doc, line, len, 0, err) < 0) {
				got = -1;
				break;
			}
			in_ctx = has_ctx ? fy_json_type(&s->doc, fy_json_get(&s->doc, 0, "in_context")) == FY_JTRUE :
					   sp + 1 == a->nspans && mi >= start;
			if (conv_message(&c, &s->doc, in_ctx, err) < 0) {
				got = -1;
				break;
			}
			mi++;
		}
		fy_buf_release(&r.b);
		if (got < 0)
			goto out;
		if (spn->foreign && report_losses(s, spn->thread, &c.loss, err) < 0)
			goto out;
		if (spn->foreign && ledgerf(s, "thread", spn->thread, NULL, "transformed", "one-history",
					    err, "appended to the history of agent %s%s%s%s: an agent file has "
					    "one message history per agent and no conversation titles",
					    a->id, spn->title ? " (title '" : "", spn->title ? spn->title : "",
					    spn->title ? "' dropped)" : "") < 0)
			goto out;
	}
	/* in-context ids, in the order the agent file had them when it gave one */
	fy_buf_reset(&b);
	fy_jw_init(&j, &b);
	fy_jw_obj(&j);	/* the agent's remaining members; written without this brace */
	fy_jw_key(&j, "in_context_message_ids");
	fy_jw_arr(&j);
	any = 0;
	for (i = 0; i < a->nspans && has_ctx; i++) {
		const struct span *spn = &s->spans[a->spans[i]];
		struct fy_jdoc od;

		if (!spn->ctx_order)
			continue;
		fy_jdoc_init(&od);
		if (fy_jdoc_parse(&od, spn->ctx_order, strlen(spn->ctx_order), 0, NULL) == 0) {
			size_t q, matched = 0;

			FY_JSON_FOREACH(&od, 0, k, el)
				for (q = 0; q < c.nctx; q++)
					if (fy_json_streq(&od, el, c.ctx[q].nid))
						matched++;
			if (matched == c.nctx && fy_json_len(&od, 0) == c.nctx) {
				FY_JSON_FOREACH(&od, 0, k, el)
					for (q = 0; q < c.nctx; q++)
						if (fy_json_streq(&od, el, c.ctx[q].nid))
							fy_jw_str(&j, c.ctx[q].fid);
				any = 1;
			}
		}
		fy_jdoc_release(&od);
		break;
	}
	for (i = 0; !any && i < c.nctx; i++)
		fy_jw_str(&j, c.ctx[i].fid);
	fy_jw_end(&j);
	if (fy_json_type(d, fy_json_get(d, ext, "files_agents")) == FY_JARRAY) {
		static const char *const fskip[] = { "file_id", "source_id", "agent_id", NULL };

		fy_jw_key(&j, "files_agents");
		fy_jw_arr(&j);
		FY_JSON_FOREACH(d, fy_json_get(d, ext, "files_agents"), k, el) {
			char *ffid = fy_json_get_strdup(d, el, "file_id"), *sfid = fy_json_get_strdup(d, el, "source_id");
			char f1[64], s1[64];

			if (ffid && fmap_get(&f->files, ffid, f1) == 0 &&
			    (!sfid || fmap_get(&f->sources, sfid, s1) == 0)) {
				fy_jw_obj(&j);
				letta_jw_members_except(&j, d, el, fskip, 0);
				fy_jw_key(&j, "agent_id");
				fy_jw_str(&j, fid);
				fy_jw_key(&j, "file_id");
				fy_jw_str(&j, f1);
				if (sfid) {
					fy_jw_key(&j, "source_id");
					fy_jw_str(&j, s1);
				}
				fy_jw_end(&j);
			}
			free(ffid);
			free(sfid);
		}
		fy_jw_end(&j);
	}
	for (i = 0, any = 0; i < ngr; i++)
		any |= gr[i].d ? d && str_in_array(d, fy_json_get(d, ext, "group_ids"), gr[i].key) :
				 gr[i].manager == wi;
	if (any || fy_json_get(d, ext, "group_ids") != FY_JNONE) {
		fy_jw_key(&j, "group_ids");
		fy_jw_arr(&j);
	}
	for (i = 0; any && i < ngr; i++) {
		const struct wgroup *g = &gr[i];
		int mine = 0;

		if (!g->d)
			mine = g->manager == wi;
		else if (str_in_array(d, fy_json_get(d, ext, "group_ids"), g->key))
			mine = 1;
		if (mine && fmap_get(&f->groups, g->key, tfid) == 0)
			fy_jw_str(&j, tfid);
	}
	if (any || fy_json_get(d, ext, "group_ids") != FY_JNONE)
		fy_jw_end(&j);
	fy_jw_end(&j);
	if (fy_jw_finish(&j, err) < 0 || wout_adds(&f->w, "],", err) < 0 ||
	    wout_add(&f->w, b.ptr + 1, b.len - 1, err) < 0)
		goto out;
	rc = 0;
out:
	for (i = 0; i < c.nctx; i++)
		free(c.ctx[i].nid);
	free(c.ctx);
	free(orig);
	fy_buf_release(&c.tmp);
	fy_buf_release(&c.bin);
	fy_buf_release(&c.b64);
	fy_jdoc_release(&c.jd);
	fy_buf_release(&b);
	return rc;
}

/* --- groups ------------------------------------------------------------------------ */

static int collect_groups(struct wfile *f, struct wgroup **out, size_t *n, struct fy_error *err)
{
	struct letta_sink *s = f->s;
	size_t i, q;

	*out = NULL;
	*n = 0;
	for (i = 0; i < f->nag; i++) {
		struct wagent *a = &s->wa[f->ag[i]];
		const struct fy_jdoc *d = a->rec ? &a->rec->d : &no_doc;
		uint32_t gl = fy_json_get(d, ext_of(d, 0), "groups"), k, g;
		uint32_t hand = fy_json_get(d, 0, "handoffs");
		int managed = 0;

		FY_JSON_FOREACH(d, gl, k, g) {
			char *gid = fy_json_get_strdup(d, g, "id");
			struct wgroup *v;
			int dup = 0;

			for (q = 0; q < *n; q++)
				dup |= gid && !strcmp((*out)[q].key, gid);
			if (!gid || dup) {
				free(gid);
				continue;
			}
			v = realloc(*out, (*n + 1) * sizeof(*v));
			if (!v) {
				free(gid);
				return fy_error_set(err, FY_E_NOMEM, "out of memory");
			}
			*out = v;
			v[*n].d = d;
			v[*n].g = g;
			v[*n].manager = f->ag[i];
			snprintf(v[*n].key, sizeof(v[*n].key), "%s", gid);
			free(gid);
			(*n)++;
			managed |= fy_json_streq(d, fy_json_get(d, fy_json_get(d, g, "manager_config"),
								"manager_agent_id"), a->id);
		}
		if (fy_json_len(d, hand) && !managed && !is_letta(d, 0)) {
			struct wgroup *v = realloc(*out, (*n + 1) * sizeof(*v));

			if (!v)
				return fy_error_set(err, FY_E_NOMEM, "out of memory");
			*out = v;
			v[*n].d = NULL;
			v[*n].g = FY_JNONE;
			v[*n].manager = f->ag[i];
			snprintf(v[*n].key, sizeof(v[*n].key), "\001handoffs-%s", a->id);
			(*n)++;
		}
	}
	f->groups.prefix = "group";
	for (i = 0; i < *n; i++) {
		long want = -1;

		if ((*out)[i].d && !strncmp((*out)[i].key, "group-", 6)) {
			char *e;

			want = strtol((*out)[i].key + 6, &e, 10);
			if (*e || want < 0)
				want = -1;
		}
		if (fmap_add(&f->groups, (*out)[i].key, want, err) < 0)
			return -1;
	}
	fmap_assign(&f->groups);
	return 0;
}

static void agent_fids(struct wfile *f, struct fy_jw *j, const struct fy_jdoc *d, uint32_t arr,
		       const char *exclude)
{
	uint32_t k, el;
	char fid[64];

	fy_jw_arr(j);
	FY_JSON_FOREACH(d, arr, k, el) {
		char *id = fy_json_strdup(d, el, NULL);

		if (id && (!exclude || strcmp(id, exclude)) && fmap_get(&f->agents, id, fid) == 0)
			fy_jw_str(j, fid);
		free(id);
	}
	fy_jw_end(j);
}

static int write_group(struct wfile *f, const struct wgroup *g, int *first, struct fy_error *err)
{
	static const char *const skip[] = { "id", "agent_ids", "manager_config", "shared_block_ids",
					    "description", NULL };
	static const char *const mskip[] = { "manager_agent_id", NULL };
	struct letta_sink *s = f->s;
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 31);
	char fid[64], mfid[64];
	struct fy_jw j;
	int rc;

	if (fmap_get(&f->groups, g->key, fid) < 0)
		return 0;
	fy_jw_init(&j, &b);
	fy_jw_obj(&j);
	fy_jw_key(&j, "id");
	fy_jw_str(&j, fid);
	if (g->d) {
		const struct fy_jdoc *d = g->d;
		uint32_t mc = fy_json_get(d, g->g, "manager_config"), sb = fy_json_get(d, g->g, "shared_block_ids");
		uint32_t k, el;

		fy_jw_key(&j, "agent_ids");
		agent_fids(f, &j, d, fy_json_get(d, g->g, "agent_ids"), NULL);
		fy_jw_key(&j, "description");
		node_or(&j, d, fy_json_get(d, g->g, "description"), "");
		if (mc != FY_JNONE) {
			char *man = fy_json_get_strdup(d, mc, "manager_agent_id");

			fy_jw_key(&j, "manager_config");
			fy_jw_obj(&j);
			letta_jw_members_except(&j, d, mc, mskip, 0);
			if (man && fmap_get(&f->agents, man, mfid) == 0) {
				fy_jw_key(&j, "manager_agent_id");
				fy_jw_str(&j, mfid);
			}
			free(man);
			fy_jw_end(&j);
		}
		if (sb != FY_JNONE) {
			fy_jw_key(&j, "shared_block_ids");
			fy_jw_arr(&j);
			FY_JSON_FOREACH(d, sb, k, el) {
				char *bid = fy_json_strdup(d, el, NULL);

				if (bid && fmap_get(&f->blocks, bid, mfid) == 0)
					fy_jw_str(&j, mfid);
				free(bid);
			}
			fy_jw_end(&j);
		}
		letta_jw_members_except(&j, d, g->g, skip, 0);
	} else {
		const struct wagent *a = &s->wa[g->manager];
		const struct fy_jdoc *d = &a->rec->d;

		fy_jw_key(&j, "agent_ids");
		agent_fids(f, &j, d, fy_json_get(d, 0, "handoffs"), a->id);
		fy_jw_key(&j, "description");
		fy_buf_reset(&s->line);
		fy_buf_addf(&s->line, NULL, "The agents %s hands off to (from its handoffs, by ferry)", a->name);
		fy_jw_str(&j, s->line.ptr ? s->line.ptr : "");
		fy_jw_key(&j, "manager_config");
		fy_jw_obj(&j);
		fy_jw_key(&j, "manager_type");
		fy_jw_str(&j, "supervisor");
		if (fmap_get(&f->agents, a->id, mfid) == 0) {
			fy_jw_key(&j, "manager_agent_id");
			fy_jw_str(&j, mfid);
		}
		fy_jw_end(&j);
	}
	fy_jw_end(&j);
	rc = put_entity(f, &j, first, err);
	fy_buf_release(&b);
	return rc;
}

/* --- one file, all of it ---------------------------------------------------------- */

static void wfile_release(struct wfile *f)
{
	fmap_release(&f->agents);
	fmap_release(&f->blocks);
	fmap_release(&f->tools);
	fmap_release(&f->mcp);
	fmap_release(&f->sources);
	fmap_release(&f->files);
	fmap_release(&f->groups);
	free(f->ag);
	free(f->bl);
	free(f->mb);
	free(f->tl);
	free(f->kn);
	free(f->fl);
	fy_buf_release(&f->w.b);
}

/* Write the agent file of component comp to fd (-1: a dry run, nothing written). */
static int write_file(struct letta_sink *s, int comp, int first_comp, int fd, const char *path,
		      struct fy_error *err)
{
	struct wfile f;
	struct wgroup *gr = NULL;
	size_t ngr = 0, i, k;
	int first, rc = -1;

	memset(&f, 0, sizeof(f));
	f.s = s;
	f.comp = comp;
	f.first = first_comp;
	f.w.fd = -1;
	fy_buf_init(&f.w.b, (size_t)1 << 31);
	if (wfile_collect(&f, err) < 0 || wfile_ids(&f, err) < 0 || collect_groups(&f, &gr, &ngr, err) < 0)
		goto out;
	f.w.fd = fd;
	if (wout_adds(&f.w, "{\"agents\":[", err) < 0)
		goto out;
	first = 1;
	for (i = 0; i < f.nag; i++)
		if (write_agent(&f, f.ag[i], gr, ngr, &first, err) < 0)
			goto out;
	if (wout_adds(&f.w, "],\"groups\":[", err) < 0)
		goto out;
	first = 1;
	for (i = 0; i < ngr; i++)
		if (write_group(&f, &gr[i], &first, err) < 0)
			goto out;
	if (wout_adds(&f.w, "],\"blocks\":[", err) < 0)
		goto out;
	first = 1;
	for (i = 0; i < f.nbl; i++)
		if (write_block(&f, f.bl[i], &first, err) < 0)
			goto out;
	for (i = 0; i < f.nmb; i++)
		if (write_mblock(&f, f.mb[i], &first, err) < 0)
			goto out;
	if (wout_adds(&f.w, "],\"files\":[", err) < 0)
		goto out;
	first = 1;
	for (i = 0; i < f.nfl; i++) {
		char sfid[64] = "";

		for (k = 0; k < f.nkn && !sfid[0]; k++)
			if (str_in_array(&f.kn[k]->d, fy_json_get(&f.kn[k]->d, 0, "files"), f.fl[i]->id))
				fmap_get(&f.sources, f.kn[k]->id, sfid);
		if (write_file_entity(&f, f.fl[i], sfid, &first, err) < 0)
			goto out;
	}
	if (wout_adds(&f.w, "],\"sources\":[", err) < 0)
		goto out;
	first = 1;
	for (i = 0; i < f.nkn; i++)
		if (write_source(&f, f.kn[i], &first, err) < 0)
			goto out;
	if (wout_adds(&f.w, "],\"tools\":[", err) < 0)
		goto out;
	first = 1;
	for (i = 0; i < f.ntl; i++) {
		if (!f.tl[i].r->used && tool_ledger(s, &f.tl[i], err) < 0)
			goto out;
		f.tl[i].r->used = 1;
		if (f.tl[i].kind == T_TOOL && f.tl[i].alias < 0 && write_tool(&f, &f.tl[i], &first, err) < 0)
			goto out;
	}
	if (wout_adds(&f.w, "],\"mcp_servers\":[", err) < 0)
		goto out;
	first = 1;
	for (i = 0; i < f.ntl; i++)
		if (f.tl[i].kind == T_MCP && f.tl[i].alias < 0 && write_mcp(&f, &f.tl[i], &first, err) < 0)
			goto out;
	if (wout_adds(&f.w, "],\"metadata\":{\"exported_by\":", err) < 0)
		goto out;
	fy_buf_reset(&s->line);
	if (fy_buf_add_jstr(&s->line, s->ctx->producer ? s->ctx->producer : "ferry",
			    strlen(s->ctx->producer ? s->ctx->producer : "ferry"), err) < 0 ||
	    wout_add(&f.w, s->line.ptr, s->line.len, err) < 0 ||
	    wout_adds(&f.w, "},\"created_at\":\"", err) < 0 || wout_adds(&f.w, s->created, err) < 0 ||
	    wout_adds(&f.w, "\"}\n", err) < 0 || wout_flush(&f.w, err) < 0)
		goto out;
	if (fd >= 0 && fsync(fd) < 0) {
		fy_error_errno(err, errno, "letta-af: %s", path);
		goto out;
	}
	rc = 0;
out:
	free(gr);
	wfile_release(&f);
	return rc;
}

/* --- planning: which agents, which blocks, which files ------------------------------ */

static struct wagent *add_wagent(struct letta_sink *s, struct srec *rec, const char *id,
				 const char *name, struct fy_error *err)
{
	struct wagent *v = realloc(s->wa, (s->nwa + 1) * sizeof(*v)), *a;

	if (!v) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	s->wa = v;
	a = &s->wa[s->nwa++];
	memset(a, 0, sizeof(*a));
	a->rec = rec;
	snprintf(a->id, sizeof(a->id), "%s", id);
	snprintf(a->name, sizeof(a->name), "%s", name);
	return a;
}

static int wagent_find(const struct letta_sink *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->nwa; i++)
		if (!strcmp(s->wa[i].id, id))
			return (int)i;
	return -1;
}

/* The agent created for conversations that name none (one per account, or one per thread). */
static int default_agent(struct letta_sink *s, const struct span *sp, struct fy_error *err)
{
	const char *opt = fy_adapter_option(s->ctx, "agent-name");
	char id[FY_ID_MAX + 1], name[256];
	struct wagent *a;
	int i;

	if (s->per_thread && sp) {
		snprintf(id, sizeof(id), "%.180s.agent", sp->thread);
		snprintf(name, sizeof(name), "%s", sp->title && sp->title[0] ? sp->title : sp->thread);
	} else {
		snprintf(name, sizeof(name), "%s", opt ? opt : "");
		if (!opt)
			snprintf(name, sizeof(name), "%s import", s->source_adapter);
		letta_id_from(name, strlen(name), "import", 180, id);
	}
	if ((i = wagent_find(s, id)) >= 0)
		return i;
	if (!(a = add_wagent(s, NULL, id, name, err)))
		return -1;
	if (ledgerf(s, "agent", id, NULL, "emulated", "agent-per-account", err,
		    s->per_thread ? "agent '%s' created for conversation %s, which belongs to no agent "
				    "(--option agents=thread: one agent per conversation)" :
				    "agent '%s' created for the conversations that belong to no agent (one agent "
				    "per account; --option agents=thread makes one per conversation)%s",
		    name, s->per_thread && sp ? sp->thread : "") < 0)
		return -1;
	return (int)(s->nwa - 1);
}

static int add_span(struct wagent *a, size_t sp, struct fy_error *err)
{
	size_t *v = realloc(a->spans, (a->nspans + 1) * sizeof(*v));

	if (!v)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	a->spans = v;
	a->spans[a->nspans++] = sp;
	return 0;
}

static int persona_like(const char *label)
{
	static const char *const words[] = { "persona", "model", "assistant", "instruction", "response",
					     "behavio", NULL };
	const char *const *w;
	char low[128];
	size_t i;

	if (!label)
		return 0;
	for (i = 0; label[i] && i + 1 < sizeof(low); i++)
		low[i] = (char)(label[i] >= 'A' && label[i] <= 'Z' ? label[i] + 32 : label[i]);
	low[i] = '\0';
	for (w = words; *w; w++)
		if (strstr(low, *w))
			return 1;
	return 0;
}

static int merge_memory(struct letta_sink *s, const struct srec *m, size_t wi, int persona,
			struct fy_error *err)
{
	struct mblock *v;
	size_t i;
	char *text;

	for (i = 0; i < s->nmb; i++)
		if (s->mb[i].agent == wi && s->mb[i].persona == persona)
			break;
	if (i == s->nmb) {
		v = realloc(s->mb, (s->nmb + 1) * sizeof(*v));
		if (!v)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		s->mb = v;
		memset(&s->mb[i], 0, sizeof(s->mb[i]));
		s->mb[i].agent = wi;
		s->mb[i].persona = persona;
		fy_buf_init(&s->mb[i].text, (size_t)1 << 30);
		snprintf(s->mb[i].label, sizeof(s->mb[i].label), "%s",
			 persona ? (s->wa[wi].own_persona ? "custom_instructions" : "persona") :
				   (s->wa[wi].own_human ? "user_memory" : "human"));
		s->nmb++;
	}
	text = fy_json_get_strdup(&m->d, 0, "text");
	if ((s->mb[i].text.len && fy_buf_adds(&s->mb[i].text, "\n\n", err) < 0) ||
	    fy_buf_adds(&s->mb[i].text, text ? text : "", err) < 0) {
		free(text);
		return -1;
	}
	free(text);
	return 0;
}

static size_t uf_find(size_t *p, size_t x)
{
	while (p[x] != x)
		x = p[x] = p[p[x]];
	return x;
}

static void uf_join(size_t *p, size_t a, size_t b)
{
	a = uf_find(p, a);
	b = uf_find(p, b);
	if (a != b)
		p[a > b ? a : b] = a < b ? a : b;
}

static int plan(struct letta_sink *s, int *ncomp, struct fy_error *err)
{
	size_t i, w, k, *par = NULL;
	int rc = -1, next = 0;

	if (rset_parse(&s->agents, err) < 0 || rset_parse(&s->tools, err) < 0 ||
	    rset_parse(&s->memory, err) < 0 || rset_parse(&s->knowledge, err) < 0 ||
	    rset_parse(&s->files, err) < 0)
		return -1;
	for (i = 0; i < s->agents.n; i++) {
		char *n = fy_json_get_strdup(&s->agents.v[i].d, 0, "name");

		if (!add_wagent(s, &s->agents.v[i], s->agents.v[i].id, n ? n : s->agents.v[i].id, err)) {
			free(n);
			return -1;
		}
		free(n);
	}
	for (i = 0; i < s->nspans; i++) {
		const struct span *sp = &s->spans[i];
		int a = sp->agent[0] ? wagent_find(s, sp->agent) : -1;

		if (a < 0 && sp->agent[0] &&
		    ledgerf(s, "thread", sp->thread, "agent", "transformed", "agent-left-out", err,
			    "its agent %s is not in the archive (a scoped export): the conversation "
			    "went to the agent for conversations without one", sp->agent) < 0)
			return -1;
		if (a < 0 && (a = default_agent(s, sp, err)) < 0)
			return -1;
		if (add_span(&s->wa[a], i, err) < 0)
			return -1;
	}
	/* blocks the agents already have, by label */
	for (i = 0; i < s->memory.n; i++) {
		const struct srec *m = &s->memory.v[i];
		char *label;

		if (!is_block(m))
			continue;
		label = fy_json_get_strdup(&m->d, 0, "label");
		for (w = 0; label && w < s->nwa; w++)
			if (block_attached(s, m, w)) {
				s->wa[w].own_human |= !strcmp(label, "human");
				s->wa[w].own_persona |= !strcmp(label, "persona");
			}
		free(label);
	}
	/* memory that is not a block: into blocks */
	for (i = 0; i < s->memory.n; i++) {
		const struct srec *m = &s->memory.v[i];
		const struct fy_jdoc *d = &m->d;
		char *label, *sa;
		int persona, n = 0;

		if (is_block(m))
			continue;
		if (fy_json_streq(d, fy_json_get(d, 0, "type"), "passage")) {
			if (ledgerf(s, "memory", m->id, NULL, "dropped", "no-archival-memory", err,
				    "an agent file holds no archival passages (Letta keeps them in its "
				    "database, not in .af files)") < 0)
				return -1;
			continue;
		}
		if (!s->nwa && (default_agent(s, NULL, err) < 0))
			return -1;
		label = fy_json_get_strdup(d, 0, "label");
		persona = persona_like(label);
		free(label);
		sa = fy_json_get_strdup(d, fy_json_get(d, 0, "scope"), "agent");
		for (w = 0; w < s->nwa; w++) {
			int target = sa ? !strcmp(sa, s->wa[w].id) || agent_uses(&s->wa[w], "memory", m->id) :
					  1;

			if (!target)
				continue;
			if (merge_memory(s, m, w, persona, err) < 0) {
				free(sa);
				return -1;
			}
			n++;
		}
		free(sa);
		if (!n && ledgerf(s, "memory", m->id, NULL, "dropped", "no-agent", err,
				  "its agent is not in the archive, so no block can hold it") < 0)
			return -1;
	}
	/* components: agents that must share a file */
	par = malloc((s->nwa + 1) * sizeof(*par));
	if (!par)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	for (w = 0; w < s->nwa; w++)
		par[w] = s->to_file ? 0 : w;
	for (i = 0; !s->to_file && i < s->memory.n; i++) {
		int first = -1;

		if (!is_block(&s->memory.v[i]))
			continue;
		for (w = 0; w < s->nwa; w++)
			if (block_attached(s, &s->memory.v[i], w)) {
				if (first >= 0)
					uf_join(par, (size_t)first, w);
				else
					first = (int)w;
			}
	}
	for (i = 0; !s->to_file && i < s->knowledge.n; i++) {
		int first = -1;

		for (w = 0; w < s->nwa; w++)
			if (agent_uses(&s->wa[w], "knowledge", s->knowledge.v[i].id)) {
				if (first >= 0)
					uf_join(par, (size_t)first, w);
				else
					first = (int)w;
			}
	}
	for (w = 0; !s->to_file && w < s->nwa; w++) {
		const struct fy_jdoc *d = s->wa[w].rec ? &s->wa[w].rec->d : NULL;
		uint32_t kk, el, g;

		if (!d)
			continue;
		FY_JSON_FOREACH(d, fy_json_get(d, 0, "handoffs"), kk, el) {
			char *o = fy_json_strdup(d, el, NULL);
			int x = o ? wagent_find(s, o) : -1;

			if (x >= 0)
				uf_join(par, w, (size_t)x);
			free(o);
		}
		FY_JSON_FOREACH(d, fy_json_get(d, ext_of(d, 0), "groups"), kk, g) {
			uint32_t k2, e2;

			FY_JSON_FOREACH(d, fy_json_get(d, g, "agent_ids"), k2, e2) {
				char *o = fy_json_strdup(d, e2, NULL);
				int x = o ? wagent_find(s, o) : -1;

				if (x >= 0)
					uf_join(par, w, (size_t)x);
				free(o);
			}
		}
	}
	for (w = 0; w < s->nwa; w++) {
		size_t r = uf_find(par, w);

		if (r == w)
			s->wa[w].comp = next++;
		else
			s->wa[w].comp = s->wa[r].comp;
	}
	*ncomp = next;
	/* what has no place at all */
	for (i = 0; i < s->files.n; i++) {
		int in = 0;

		for (k = 0; k < s->knowledge.n; k++)
			in |= str_in_array(&s->knowledge.v[k].d, fy_json_get(&s->knowledge.v[k].d, 0, "files"),
					   s->files.v[i].id);
		if (!in && ledgerf(s, "file", s->files.v[i].id, NULL, "dropped", "not-in-a-folder", err,
				   "an agent file keeps files inside sources (folders); this file is in no "
				   "knowledge set (images in messages are written inline)") < 0)
			goto out;
	}
	for (i = 0; i < s->workflows.n; i++)
		if (ledgerf(s, "workflow", s->workflows.v[i], NULL, "dropped", "no-equivalent", err,
			    "Letta agent files hold no workflow definitions") < 0)
			goto out;
	rc = 0;
out:
	free(par);
	return rc;
}

/* --- the originals, verbatim ------------------------------------------------------ */

struct vcb {
	struct letta_digest g;
};

static int v_record(void *cb, const char *json, size_t len, struct fy_error *err)
{
	return letta_digest_add_record(&((struct vcb *)cb)->g, json, len, err);
}

static int v_blob(void *cb, const void *p, size_t n, char *hex, struct fy_error *err)
{
	unsigned char h[FY_SHA256_LEN];

	(void)cb;
	(void)err;
	fy_sha256(p, n, h);
	fy_hex(h, sizeof(h), hex);
	return 0;
}

static int v_ledger(void *cb, const char *json, size_t len, struct fy_error *err)
{
	(void)cb;
	(void)json;
	(void)len;
	(void)err;
	return 0;
}

static int read_file_all(const char *path, struct fy_buf *b, struct fy_error *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = fy_error_errno(err, errno, "letta-af: %s", path);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	fy_buf_reset(b);
	rc = fy_buf_grow(b, (size_t)st.st_size + 1, err);
	if (rc == 0 && st.st_size)
		rc = read_at(fd, 0, b->ptr, (size_t)st.st_size, err);
	if (rc == 0) {
		b->len = (size_t)st.st_size;
		b->ptr[b->len] = '\0';
	}
	close(fd);
	return rc;
}

/* The text of raw original i, unwrapped, in hold; *legacy tells its layout. */
static int raw_text(struct letta_sink *s, size_t i, struct fy_buf *file, struct fy_buf *hold,
		    const char **text, size_t *len, struct fy_jdoc *d, struct fy_error *err)
{
	char path[PATH_MAX], name[32];
	int layers;

	snprintf(name, sizeof(name), "r-%zu", i);
	if (spill_path(s, name, path) < 0 || read_file_all(path, file, err) < 0)
		return -1;
	*text = file->ptr ? file->ptr : "";
	*len = file->len;
	if (lr_unwrap(text, len, hold, &layers, s->raws.v[i], err) < 0)
		return -1;
	return fy_jdoc_parse(d, *text, *len, 0, err);
}

/* 1 when the originals were written (or would be, in a dry run), 0 when not applicable. */
static int try_verbatim(struct letta_sink *s, struct fy_error *err)
{
	struct vcb cb;
	struct lr_emit em = { v_record, v_blob, v_ledger, &cb };
	struct lr_ids ids;
	struct fy_buf file = FY_BUF_INIT((size_t)1 << 32), hold = FY_BUF_INIT((size_t)1 << 32);
	struct fy_error e2;
	struct fy_jdoc d;
	const char *text;
	size_t len, i;
	int legacy = 0, rc = 0;

	if (!s->keep_original || !s->raws.n || (s->to_file && s->raws.n != 1))
		return 0;
	memset(&cb, 0, sizeof(cb));
	memset(&ids, 0, sizeof(ids));
	fy_jdoc_init(&d);
	for (i = 0; i < s->raws.n; i++) {
		if (raw_text(s, i, &file, &hold, &text, &len, &d, &e2) < 0 ||
		    lr_map(&d, s->raws.v[i], &ids, &em, &e2) < 0)
			goto out;	/* not usable: the records decide */
		legacy |= lr_is_legacy(&d);
	}
	if (cb.g.count != s->got.count || memcmp(cb.g.sum, s->got.sum, sizeof(cb.g.sum)) != 0)
		goto out;
	if (legacy) {
		rc = ledgerf(s, "raw", s->raws.v[0], NULL, "transformed", "current-schema", err,
			     "the original uses the legacy single-agent layout: written in the current "
			     "agent-file schema from the records") < 0 ? -1 : 0;
		goto out;
	}
	for (i = 0; i < s->raws.n; i++) {
		if (ledgerf(s, "raw", s->raws.v[i], NULL, "preserved", "original", err,
			    "the archive's records are exactly those of this original agent file: it "
			    "was written byte for byte") < 0) {
			rc = -1;
			goto out;
		}
	}
	rc = 1;
out:
	fy_jdoc_release(&d);
	fy_buf_release(&file);
	fy_buf_release(&hold);
	lr_ids_release(&ids);
	return rc;
}

/* A file name for an agent file in the output folder: the agent's name. */
static void out_name(struct letta_sink *s, const char *base, struct letta_strs *taken, char *out)
{
	char id[FY_ID_MAX + 1];
	unsigned k;

	(void)s;
	letta_id_from(base, strlen(base), "agent", 120, id);
	if (!strcmp(id + strlen(id) - (strlen(id) > 3 ? 3 : 0), ".af"))
		id[strlen(id) - 3] = '\0';
	snprintf(out, 160, "%s.af", id);
	for (k = 2; letta_strs_has(taken, out); k++)
		snprintf(out, 160, "%s-%u.af", id, k);
}

static void remove_tree(const char *path)
{
	struct dirent *de;
	DIR *dh = opendir(path);

	if (!dh) {
		unlink(path);
		return;
	}
	while ((de = readdir(dh))) {
		char sub[PATH_MAX];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) < (int)sizeof(sub))
			unlink(sub);
	}
	closedir(dh);
	rmdir(path);
}

static int sync_dir(const char *path, struct fy_error *err)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return fy_error_errno(err, errno, "letta-af: %s", path);
	if (fsync(fd) < 0) {
		close(fd);
		return fy_error_errno(err, errno, "letta-af: %s", path);
	}
	close(fd);
	return 0;
}

static void parent_of(const char *path, char *out)
{
	const char *sl = strrchr(path, '/');

	if (!sl)
		snprintf(out, PATH_MAX, ".");
	else if (sl == path)
		snprintf(out, PATH_MAX, "/");
	else
		snprintf(out, PATH_MAX, "%.*s", (int)(sl - path), path);
}

struct outctx {
	char tmp[PATH_MAX];		/* the file or folder being written */
	int made;
};

static int open_out_file(struct letta_sink *s, struct outctx *o, const char *path, int *fd,
			 struct fy_error *err)
{
	if (s->ctx->dry_run) {
		*fd = -1;
		return 0;
	}
	*fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (*fd < 0)
		return fy_error_errno(err, errno, "letta-af: %s", path);
	(void)o;
	return 0;
}

/* Move the finished output into place without replacing anything. */
static int commit(struct letta_sink *s, struct outctx *o, struct fy_error *err)
{
	char parent[PATH_MAX];

	if (s->ctx->dry_run || !o->made)
		return 0;
	if (fy_durable_step("agent files", err) < 0)
		return -1;
	if (s->to_file) {
		if (link(o->tmp, s->target) < 0)
			return errno == EEXIST ?
				       fy_error_set(err, FY_E_EXISTS, "letta-af: %s exists; it is not overwritten",
						    s->target) :
				       fy_error_errno(err, errno, "letta-af: %s", s->target);
		unlink(o->tmp);
	} else {
		if (sync_dir(o->tmp, err) < 0)
			return -1;
		rmdir(s->target);	/* only an empty folder goes */
		if (rename(o->tmp, s->target) < 0)
			return errno == ENOTEMPTY || errno == EEXIST ?
				       fy_error_set(err, FY_E_EXISTS, "letta-af: %s is not empty; nothing is "
						    "overwritten", s->target) :
				       fy_error_errno(err, errno, "letta-af: %s", s->target);
	}
	o->made = 0;
	parent_of(s->target, parent);
	return sync_dir(parent, err);
}

static int begin_out(struct letta_sink *s, struct outctx *o, struct fy_error *err)
{
	char parent[PATH_MAX], base[PATH_MAX];
	const char *sl = strrchr(s->target, '/');

	if (s->ctx->dry_run)
		return 0;
	parent_of(s->target, parent);
	snprintf(base, sizeof(base), "%s", sl ? sl + 1 : s->target);
	if (snprintf(o->tmp, sizeof(o->tmp), "%s/.%s.ferry-XXXXXX", parent, base) >= (int)sizeof(o->tmp))
		return fy_error_set(err, FY_E_USAGE, "letta-af: path too long");
	if (s->to_file) {
		int fd = mkstemp(o->tmp);

		if (fd < 0)
			return fy_error_errno(err, errno, "letta-af: %s", parent);
		close(fd);
		unlink(o->tmp);
	} else if (!mkdtemp(o->tmp)) {
		return fy_error_errno(err, errno, "letta-af: %s", parent);
	}
	o->made = 1;
	return 0;
}

static int write_verbatim(struct letta_sink *s, struct outctx *o, struct fy_error *err)
{
	struct fy_buf file = FY_BUF_INIT((size_t)1 << 32), hold = FY_BUF_INIT((size_t)1 << 32);
	struct letta_strs taken;
	struct fy_jdoc d;
	const char *text;
	size_t len, i;
	int rc = -1, fd = -1;

	memset(&taken, 0, sizeof(taken));
	fy_jdoc_init(&d);
	for (i = 0; i < s->raws.n; i++) {
		char name[160], path[PATH_MAX];
		const char *base = strrchr(s->raws.v[i], '/');

		if (raw_text(s, i, &file, &hold, &text, &len, &d, err) < 0)
			goto out;
		if (s->to_file) {
			snprintf(path, sizeof(path), "%s", o->tmp);
		} else {
			out_name(s, base ? base + 1 : s->raws.v[i], &taken, name);
			if (letta_strs_add(&taken, name, err) < 0)
				goto out;
			if (snprintf(path, sizeof(path), "%s/%s", o->tmp, name) >= (int)sizeof(path)) {
				fy_error_set(err, FY_E_USAGE, "letta-af: path too long");
				goto out;
			}
		}
		if (open_out_file(s, o, path, &fd, err) < 0)
			goto out;
		if (fd >= 0) {
			if (write_all(fd, text, len, "agent file", err) < 0 || fsync(fd) < 0) {
				if (!err->msg[0])
					fy_error_errno(err, errno, "letta-af: %s", path);
				goto out;
			}
			close(fd);
			fd = -1;
		}
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	fy_jdoc_release(&d);
	fy_buf_release(&file);
	fy_buf_release(&hold);
	letta_strs_release(&taken);
	return rc;
}

int letta_sink_finish(struct letta_sink *s, struct fy_error *err)
{
	struct outctx o;
	struct letta_strs taken;
	int ncomp = 0, c, rc = -1, v;
	size_t w;

	memset(&o, 0, sizeof(o));
	memset(&taken, 0, sizeof(taken));
	if (thread_end(s, err) < 0)
		return -1;
	v = try_verbatim(s, err);
	if (v < 0)
		return -1;
	if (begin_out(s, &o, err) < 0)
		goto out;
	if (v) {
		if (write_verbatim(s, &o, err) < 0)
			goto out;
	} else {
		if (plan(s, &ncomp, err) < 0)
			goto out;
		if (s->to_file || ncomp == 0)
			ncomp = s->to_file || s->tools.n || s->memory.n || s->knowledge.n ? 1 : 0;
		for (c = 0; c < ncomp; c++) {
			char name[160], path[PATH_MAX];
			const char *base = "ferry";
			int fd = -1;

			for (w = 0; w < s->nwa; w++)
				if (s->wa[w].comp == c) {
					base = s->wa[w].name;
					break;
				}
			if (s->to_file) {
				snprintf(path, sizeof(path), "%s", o.tmp);
			} else {
				out_name(s, base, &taken, name);
				if (letta_strs_add(&taken, name, err) < 0)
					goto out;
				if (snprintf(path, sizeof(path), "%s/%s", o.tmp, name) >= (int)sizeof(path)) {
					fy_error_set(err, FY_E_USAGE, "letta-af: path too long");
					goto out;
				}
			}
			if (open_out_file(s, &o, path, &fd, err) < 0)
				goto out;
			rc = write_file(s, c, c == 0, fd, path, err);
			if (fd >= 0)
				close(fd);
			if (rc < 0)
				goto out;
			rc = -1;
		}
	}
	if (commit(s, &o, err) < 0)
		goto out;
	rc = 0;
out:
	if (o.made)
		remove_tree(o.tmp);
	letta_strs_release(&taken);
	return rc;
}

/* --- open and free ----------------------------------------------------------------- */

int letta_sink_open(const struct fy_adapter_ctx *ctx, const struct fy_header *hdr,
		    struct letta_sink **out, struct fy_error *err)
{
	struct letta_sink *s;
	const char *loc = ctx->location, *opt;
	struct stat st;
	size_t n = strlen(loc);
	char path[PATH_MAX];
	char *tmp;

	if (!n)
		return fy_error_set(err, FY_E_USAGE, "letta-af: name the agent file or folder to write "
				    "(letta-af:PATH.af or letta-af:FOLDER)");
	s = calloc(1, sizeof(*s));
	if (!s)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	s->ctx = ctx;
	s->scratch_fd = s->kept_fd = -1;
	s->target = strdup(loc);
	if (!s->target)
		goto nomem;
	while (n > 1 && s->target[n - 1] == '/')
		s->target[--n] = '\0';
	s->to_file = n > 3 && !strcmp(s->target + n - 3, ".af") &&
		     !(stat(s->target, &st) == 0 && S_ISDIR(st.st_mode));
	s->keep_original = !((opt = fy_adapter_option(ctx, "original")) && !strcmp(opt, "ignore"));
	s->per_thread = (opt = fy_adapter_option(ctx, "agents")) && !strcmp(opt, "thread");
	if ((opt = fy_adapter_option(ctx, "agents")) && strcmp(opt, "thread") && strcmp(opt, "account")) {
		letta_sink_free(s);
		return fy_error_set(err, FY_E_USAGE, "letta-af: --option agents= takes account or thread");
	}
	s->context_messages = DEFAULT_CONTEXT_MESSAGES;
	if ((opt = fy_adapter_option(ctx, "context-messages"))) {
		char *e;

		s->context_messages = strtol(opt, &e, 10);
		if (*e || s->context_messages < 0) {
			letta_sink_free(s);
			return fy_error_set(err, FY_E_USAGE, "letta-af: --option context-messages= takes a number");
		}
	}
	snprintf(s->source_adapter, sizeof(s->source_adapter), "%s",
		 hdr && hdr->source_adapter ? hdr->source_adapter : "ferry");
	if (hdr && hdr->created_sec)
		fy_time_format(hdr->created_sec, 0, s->created);
	else
		fy_time_format(0, 0, s->created);
	if (stat(s->target, &st) == 0 && (s->to_file || !S_ISDIR(st.st_mode) || fy_dir_is_empty(s->target) == 0)) {
		fy_error_set(err, FY_E_EXISTS, "letta-af: %s exists%s; nothing is overwritten", s->target,
			     S_ISDIR(st.st_mode) ? " and is not empty" : "");
		letta_sink_free(s);
		return -1;
	}
	tmp = getenv("TMPDIR");
	snprintf(s->tmpdir, sizeof(s->tmpdir), "%s/ferry-letta-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(s->tmpdir)) {
		fy_error_errno(err, errno, "letta-af: temporary folder %s", s->tmpdir);
		s->tmpdir[0] = '\0';
		letta_sink_free(s);
		return -1;
	}
	if (spill_path(s, "scratch", path) < 0 ||
	    (s->scratch_fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0 ||
	    spill_path(s, "kept", path) < 0 ||
	    (s->kept_fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		fy_error_errno(err, errno, "letta-af: temporary file in %s", s->tmpdir);
		letta_sink_free(s);
		return -1;
	}
	fy_jdoc_init(&s->doc);
	fy_buf_init(&s->line, (size_t)1 << 31);
	fy_buf_init(&s->led, 1 << 20);
	*out = s;
	return 0;
nomem:
	letta_sink_free(s);
	return fy_error_set(err, FY_E_NOMEM, "out of memory");
}

void letta_sink_free(struct letta_sink *s)
{
	size_t i;

	if (!s)
		return;
	if (s->in_thread)
		thread_reset(s);
	for (i = 0; i < s->ntm; i++)
		free(s->tm[i].id);
	free(s->tm);
	free(s->hashtab);
	free(s->cur.title);
	free(s->cur.ctx_order);
	free(s->cur_leaf);
	if (s->scratch_fd >= 0)
		close(s->scratch_fd);
	if (s->kept_fd >= 0)
		close(s->kept_fd);
	if (s->tmpdir[0])
		remove_tree(s->tmpdir);
	rset_release(&s->agents);
	rset_release(&s->tools);
	rset_release(&s->memory);
	rset_release(&s->knowledge);
	rset_release(&s->files);
	for (i = 0; i < s->nspans; i++) {
		free(s->spans[i].title);
		free(s->spans[i].ctx_order);
	}
	free(s->spans);
	letta_strs_release(&s->blobs);
	letta_strs_release(&s->raws);
	letta_strs_release(&s->workflows);
	for (i = 0; i < s->nwa; i++)
		free(s->wa[i].spans);
	free(s->wa);
	for (i = 0; i < s->nmb; i++)
		fy_buf_release(&s->mb[i].text);
	free(s->mb);
	fy_jdoc_release(&s->doc);
	fy_buf_release(&s->line);
	fy_buf_release(&s->led);
	free(s->target);
	free(s);
}
