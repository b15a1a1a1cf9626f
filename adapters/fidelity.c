/*
 * fidelity.c - the fidelity engine. See fidelity.h for what it computes.
 *
 * Records are parsed with formats/json.h (the engine sees every message of
 * an archive). Per-record state is small: messages are counted into their
 * thread, other records keep one node each for the attribution to agents
 * done at the end.
 */
#include "fidelity.h"

#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "json.h"

#define MAX_LINES_DEFAULT 1000000
#define MAX_SIDE 10000		/* vendor-only and export lines kept for the report */

static const double weights[FY_OUT__COUNT] = {
	[FY_OUT_PRESERVED] = 0.0, [FY_OUT_TRANSFORMED] = 0.1, [FY_OUT_EMULATED] = 0.4,
	[FY_OUT_DEGRADED] = 0.7,  [FY_OUT_HELD_BACK] = 0.2,   [FY_OUT_DROPPED] = 1.0,
};

/* One record the attribution needs (not messages: they count into their thread). */
struct node {
	enum fy_kind kind;
	char *id;
	char *agent;			/* thread.agent, memory.scope.agent */
	char *leaf;			/* thread: active_leaf */
	enum fy_outcome own;		/* its own outcome (not its messages') */
	char **refs;			/* agent: tools, knowledge, memory; knowledge: files */
	size_t nrefs;
	uint64_t counts[FY_OUT__COUNT];	/* its own outcome (+ its messages for a thread) */
	uint64_t vendor, reembed, reembed_tokens, secrets;
	uint64_t size;			/* file: bytes */
	int knowledge_reembed;		/* knowledge: re-embedded at the target */
	size_t agent_index;		/* agent: index in the report; else last marker */
	size_t mark;
	struct node *next;		/* hash chain */
	struct node *order;		/* archive order */
};

struct fy_fidelity {
	const struct fy_adapter *ad;
	struct fy_fidelity_options o;
	struct fy_fidelity_report r;
	const char *platform, *embedding;
	const char *source_adapter;
	char *source_adapter_own;
	struct fy_jdoc doc;
	struct fy_buf rewrite;		/* the rewritten record */
	struct fy_jdoc redoc;		/* the rewritten record, parsed */
	struct fy_buf scratch;
	/* lines of the current record */
	struct fy_plan_line *cur;
	size_t ncur, capcur;
	struct fy_plan_line tool[2];	/* copies of the lines the tool reports itself */
	size_t ntool;
	size_t caplines;
	/* attribution */
	struct node **table;
	size_t tsize, tcount;
	struct node *first, *last;
	struct node *thread;		/* the thread whose messages follow */
	struct node *open;		/* the thread whose written messages are in ids/parents */
	char **ids, **parents;
	size_t nmsgs, capmsgs;
	int thread_dropped;
	char *unmapped_msg;
	uint64_t *sunset_hits;
	int finished;
};

/* --- small helpers --------------------------------------------------------- */

static char *dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static char *dups(const char *s)
{
	return s ? dupn(s, strlen(s)) : NULL;
}

static uint64_t fnv(const char *s, uint64_t h)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (h ^ 0xff) * 1099511628211ULL;
}

void fy_plan_line_release(struct fy_plan_line *l)
{
	if (!l)
		return;
	free(l->id);
	free(l->thread);
	free(l->field);
	free(l->rule);
	free(l->reason);
	free(l->adapter);
	memset(l, 0, sizeof(*l));
}

uint64_t fy_plan_line_hash(const struct fy_plan_line *l)
{
	uint64_t h = 1469598103934665603ULL;

	h = fnv(fy_kind_name(l->kind), h);
	h = fnv(l->thread, h);
	h = fnv(l->id, h);
	h = fnv(l->field, h);
	h = fnv(fy_outcome_name(l->outcome), h);
	h = fnv(l->rule, h);
	return h;
}

static int cmpnull(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

int fy_plan_line_cmp(const void *a, const void *b)
{
	const struct fy_plan_line *x = a, *y = b;
	int c;

	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	if ((c = cmpnull(x->thread, y->thread)) || (c = cmpnull(x->id, y->id)) ||
	    (c = cmpnull(x->field, y->field)))
		return c;
	if (x->outcome != y->outcome)
		return (int)x->outcome - (int)y->outcome;
	return cmpnull(x->rule, y->rule);
}

int fy_plan_line_parse(const char *json, size_t len, struct fy_plan_line *l, struct fy_error *err)
{
	struct fy_jdoc d;
	uint32_t item, v;
	size_t n;
	const char *s;
	int o, rc = 0;

	memset(l, 0, sizeof(*l));
	fy_jdoc_init(&d);
	if (fy_jdoc_parse(&d, json, len, 0, err) < 0) {
		fy_jdoc_release(&d);
		return -1;
	}
	item = fy_json_get(&d, 0, "item");
	v = fy_json_get(&d, item, "kind");
	s = fy_json_raw(&d, v, &n);
	l->kind = fy_kind_from_name(s, n);
	v = fy_json_get(&d, 0, "outcome");
	s = fy_json_raw(&d, v, &n);
	o = fy_json_type(&d, v) == FY_JSTRING ? fy_outcome_from_name(s, n) : -1;
	if (fy_json_type(&d, item) != FY_JOBJECT || o < 0) {
		rc = fy_error_set(err, FY_E_DATA, "not a ledger line (needs \"item\" and a known \"outcome\")");
	} else {
		l->outcome = (enum fy_outcome)o;
		l->id = fy_json_get_strdup(&d, item, "id");
		l->thread = fy_json_get_strdup(&d, item, "thread");
		l->field = fy_json_get_strdup(&d, item, "field");
		l->rule = fy_json_get_strdup(&d, 0, "rule");
		l->reason = fy_json_get_strdup(&d, 0, "reason");
		l->adapter = fy_json_get_strdup(&d, 0, "adapter");
	}
	fy_jdoc_release(&d);
	return rc;
}

int fy_plan_line_json(const struct fy_plan_line *l, const char *adapter, const char *phase,
		      struct fy_buf *out, struct fy_error *err)
{
	struct fy_ledger_item item = { l->kind, l->id, l->thread, l->field };

	return fy_ledger_format(out, &item, l->outcome, l->rule, l->reason,
				adapter ? adapter : l->adapter, phase, err);
}

/* --- nodes ------------------------------------------------------------- */

static uint64_t node_hash(enum fy_kind k, const char *id)
{
	return fnv(id, 1469598103934665603ULL + (uint64_t)k);
}

static struct node *node_find(const struct fy_fidelity *f, enum fy_kind k, const char *id)
{
	struct node *n;

	if (!f->tsize || !id)
		return NULL;
	for (n = f->table[node_hash(k, id) & (f->tsize - 1)]; n; n = n->next)
		if (n->kind == k && strcmp(n->id, id) == 0)
			return n;
	return NULL;
}

static struct node *node_add(struct fy_fidelity *f, enum fy_kind k, const char *id,
			     struct fy_error *err)
{
	struct node *n = node_find(f, k, id);
	size_t i;

	if (n)
		return n;
	if (f->tcount * 2 >= f->tsize) {
		size_t size = f->tsize ? f->tsize * 2 : 1024;
		struct node **t = calloc(size, sizeof(*t));

		if (!t) {
			fy_error_set(err, FY_E_NOMEM, "out of memory");
			return NULL;
		}
		for (i = 0; i < f->tsize; i++)
			while (f->table[i]) {
				struct node *m = f->table[i];

				f->table[i] = m->next;
				m->next = t[node_hash(m->kind, m->id) & (size - 1)];
				t[node_hash(m->kind, m->id) & (size - 1)] = m;
			}
		free(f->table);
		f->table = t;
		f->tsize = size;
	}
	n = calloc(1, sizeof(*n));
	if (!n || !(n->id = dups(id))) {
		free(n);
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	n->kind = k;
	n->next = f->table[node_hash(k, id) & (f->tsize - 1)];
	f->table[node_hash(k, id) & (f->tsize - 1)] = n;
	f->tcount++;
	if (f->last)
		f->last->order = n;
	else
		f->first = n;
	f->last = n;
	return n;
}

static void node_free(struct node *n)
{
	size_t i;

	for (i = 0; i < n->nrefs; i++)
		free(n->refs[i]);
	free(n->refs);
	free(n->agent);
	free(n->leaf);
	free(n->id);
	free(n);
}

/* Collect the strings of array member key of the root as refs. */
static int node_refs(struct node *n, const struct fy_jdoc *d, const char *key, struct fy_error *err)
{
	uint32_t arr = fy_json_get(d, 0, key), k, el;
	char **p;

	if (fy_json_type(d, arr) != FY_JARRAY || !fy_json_len(d, arr))
		return 0;
	p = realloc(n->refs, (n->nrefs + fy_json_len(d, arr)) * sizeof(char *));
	if (!p)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	n->refs = p;
	FY_JSON_FOREACH(d, arr, k, el)
		if (fy_json_type(d, el) == FY_JSTRING && (n->refs[n->nrefs] = fy_json_strdup(d, el, NULL)))
			n->nrefs++;
	return 0;
}

/* --- lines of the current record -------------------------------------- */

static int line_add(struct fy_fidelity *f, enum fy_kind k, const char *id, const char *thread,
		    const char *field, enum fy_outcome o, const char *rule, const char *reason,
		    struct fy_error *err)
{
	struct fy_plan_line *l;

	if (f->ncur == f->capcur) {
		size_t cap = f->capcur ? f->capcur * 2 : 16;
		struct fy_plan_line *p = realloc(f->cur, cap * sizeof(*p));

		if (!p)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		f->cur = p;
		f->capcur = cap;
	}
	l = &f->cur[f->ncur];
	memset(l, 0, sizeof(*l));
	l->kind = k;
	l->outcome = o;
	if ((id && !(l->id = dups(id))) || (thread && !(l->thread = dups(thread))) ||
	    (field && !(l->field = dups(field))) || (rule && !(l->rule = dups(rule))) ||
	    !(l->reason = dups(reason ? reason : ""))) {
		fy_plan_line_release(l);
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	f->ncur++;
	return 0;
}

static void cur_release(struct fy_fidelity *f)
{
	size_t i;

	for (i = 0; i < f->ncur; i++)
		fy_plan_line_release(&f->cur[i]);
	f->ncur = 0;
}

static void tool_release(struct fy_fidelity *f)
{
	size_t i;

	for (i = 0; i < f->ntool; i++)
		fy_plan_line_release(&f->tool[i]);
	f->ntool = 0;
}

/* The line just added is one the tool reports as done itself: keep a copy. */
static int tool_mark(struct fy_fidelity *f, struct fy_error *err)
{
	const struct fy_plan_line *l = &f->cur[f->ncur - 1];
	struct fy_plan_line *t;

	if (f->ntool == sizeof(f->tool) / sizeof(f->tool[0]))
		return fy_error_set(err, FY_E_INTERNAL, "too many tool lines for one record");
	t = &f->tool[f->ntool];
	memset(t, 0, sizeof(*t));
	t->kind = l->kind;
	t->outcome = l->outcome;
	t->id = dups(l->id);
	t->thread = dups(l->thread);
	t->field = dups(l->field);
	t->rule = dups(l->rule);
	t->reason = dups(l->reason);
	f->ntool++;
	if ((l->id && !t->id) || (l->thread && !t->thread) || (l->field && !t->field) ||
	    (l->rule && !t->rule) || (l->reason && !t->reason))
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	return 0;
}

/* Move the current record's lines into the report (up to max_lines). */
static int cur_commit(struct fy_fidelity *f, struct fy_error *err)
{
	size_t i;

	for (i = 0; i < f->ncur; i++) {
		f->r.lines_total++;
		f->r.lines_digest += fy_plan_line_hash(&f->cur[i]);
		if (f->r.nlines >= f->o.max_lines)
			continue;
		if (f->r.nlines == f->caplines) {
			size_t cap = f->caplines ? f->caplines * 2 : 64;
			struct fy_plan_line *p = realloc(f->r.lines, cap * sizeof(*p));

			if (!p)
				return fy_error_set(err, FY_E_NOMEM, "out of memory");
			f->r.lines = p;
			f->caplines = cap;
		}
		f->r.lines[f->r.nlines] = f->cur[i];
		memset(&f->cur[i], 0, sizeof(f->cur[i]));
		f->r.nlines++;
	}
	return 0;
}

/* --- the capability table ---------------------------------------------- */

/*
 * A field's conditions (adapter.h): "COND&COND...", each COND "!"
 * (optional) and then "PATH", "PATH=VALUES", "PATH!=VALUES", "PATH~GLOBS"
 * or "PATH[COND&COND...]", VALUES and GLOBS being alternatives joined by
 * '|'. Brackets nest; a '&' inside them belongs to the inner conditions.
 * Parsed in place, never copied: a condition is a span of the field.
 */
enum cond_op { OP_HAS, OP_IS, OP_NOT, OP_GLOB, OP_EACH };

#define MAX_KEY 128		/* one key of a path */
#define MAX_VALUE 256		/* one alternative of a value */
#define MAX_DEPTH 8		/* brackets inside brackets */

struct cond {
	int absent;		/* '!' before it: holds where it matches nowhere */
	enum cond_op op;
	const char *path;	/* the dotted path, plen bytes */
	size_t plen;
	const char *arg;	/* the values ('|' between), or OP_EACH's inner conditions */
	size_t alen;
};

/* The end of the condition that starts at s: the '&' outside brackets, or end. */
static const char *cond_end(const char *s, const char *end)
{
	int depth = 0;

	for (; s < end; s++) {
		if (*s == '[')
			depth++;
		else if (*s == ']')
			depth--;
		else if (*s == '&' && depth == 0)
			break;
	}
	return s;
}

/* Where the '[' at open is closed (brackets nest), or NULL. */
static const char *bracket_close(const char *open, const char *end)
{
	int depth = 0;
	const char *p;

	for (p = open; p < end; p++) {
		if (*p == '[')
			depth++;
		else if (*p == ']' && --depth == 0)
			return p;
	}
	return NULL;
}

/*
 * Parse the condition [s, end) into c (OP_EACH's inner conditions are
 * parsed when they are evaluated); on a malformed one, -1 and *why says
 * what.
 */
static int cond_parse(const char *s, const char *end, struct cond *c, const char **why)
{
	const char *p, *close, *key;
	size_t n;

	memset(c, 0, sizeof(*c));
	if (s < end && *s == '!') {
		c->absent = 1;
		s++;
	}
	c->path = s;
	for (p = s; p < end && !strchr("=~[]&|!", *p); p++)
		;
	c->plen = (size_t)(p - s);
	if (!c->plen)
		return *why = "a condition without a path", -1;
	for (key = s; key <= p; key++) {
		const char *dot = memchr(key, '.', (size_t)(p - key));

		n = dot ? (size_t)(dot - key) : (size_t)(p - key);
		if (!n)
			return *why = "an empty key in a path", -1;
		if (n >= MAX_KEY)
			return *why = "a key longer than 127 bytes", -1;
		key += n;
	}
	c->op = OP_HAS;
	if (p == end)
		return 0;
	if (*p == '=' || *p == '~' || (*p == '!' && p + 1 < end && p[1] == '=')) {
		const char *a;

		c->op = *p == '=' ? OP_IS : *p == '~' ? OP_GLOB : OP_NOT;
		c->arg = p + (c->op == OP_NOT ? 2 : 1);
		c->alen = (size_t)(end - c->arg);
		for (a = c->arg; a <= end; a++) {
			const char *bar = memchr(a, '|', (size_t)(end - a));

			n = bar ? (size_t)(bar - a) : (size_t)(end - a);
			if (n >= MAX_VALUE)
				return *why = "a value longer than 255 bytes", -1;
			if (!n && c->op == OP_GLOB)
				return *why = "an empty pattern", -1;
			a += n;
		}
		return 0;
	}
	if (*p == '[') {
		close = bracket_close(p, end);
		if (!close)
			return *why = "a '[' without its ']'", -1;
		if (close + 1 != end)
			return *why = "text after a ']'", -1;
		c->op = OP_EACH;
		c->arg = p + 1;
		c->alen = (size_t)(close - c->arg);
		return c->alen ? 0 : (*why = "an empty '[]'", -1);
	}
	return *why = *p == ']' ? "a ']' without its '['" : "a path followed by neither '=', '!=', '~' nor '['",
	       -1;
}

/* Are the conditions [s, end), and those inside their brackets, well formed? */
static int check_conds(const char *s, const char *end, int depth, const char **why)
{
	struct cond c;
	const char *e;

	for (;;) {
		e = cond_end(s, end);
		if (cond_parse(s, e, &c, why) < 0)
			return -1;
		if (c.op == OP_EACH && depth >= MAX_DEPTH)
			return *why = "brackets nested too deep", -1;
		if (c.op == OP_EACH && check_conds(c.arg, c.arg + c.alen, depth + 1, why) < 0)
			return -1;
		if (e == end)
			return 0;
		s = e + 1;
	}
}

/* Is string node v one of the '|'-separated values of c (or matched by one of its globs)? */
static int value_match(const struct fy_jdoc *d, uint32_t v, const struct cond *c)
{
	const char *a = c->arg, *end = c->arg + c->alen;
	char one[MAX_VALUE], *str = NULL;
	int hit = 0;

	if (fy_json_type(d, v) != FY_JSTRING)
		return 0;
	if (c->op == OP_GLOB && !(str = fy_json_strdup(d, v, NULL)))
		return 0;
	for (;;) {
		const char *bar = memchr(a, '|', (size_t)(end - a));
		size_t n = bar ? (size_t)(bar - a) : (size_t)(end - a);

		if (n >= sizeof(one))
			break;
		memcpy(one, a, n);
		one[n] = '\0';
		hit = c->op == OP_GLOB ? fnmatch(one, str, 0) == 0 : fy_json_streq(d, v, one);
		if (hit || !bar)
			break;
		a = bar + 1;
	}
	free(str);
	return hit;
}

static uint64_t conds_count(const struct fy_jdoc *d, uint32_t v, const char *s, const char *end);

/*
 * How many places in value v match the rest of c's path [path, path+plen)
 * (dotted, arrays entered): present; a value (OP_IS, OP_GLOB); with
 * OP_NOT, where the last key is absent or none of the values (the
 * containers on the way must exist); with OP_EACH, the elements (objects)
 * where the inner conditions hold.
 */
static uint64_t count_path(const struct fy_jdoc *d, uint32_t v, const char *path, size_t plen,
			   const struct cond *c)
{
	const char *dot = memchr(path, '.', plen);
	char key[MAX_KEY];
	uint32_t k, el, m;
	uint64_t n = 0;
	size_t len;

	if (fy_json_type(d, v) == FY_JARRAY) {
		FY_JSON_FOREACH(d, v, k, el)
			n += count_path(d, el, path, plen, c);
		return n;
	}
	if (!plen) {
		enum fy_jtype t = fy_json_type(d, v);

		switch (c->op) {
		case OP_IS:
		case OP_GLOB:
			return value_match(d, v, c);
		case OP_NOT:
			return !value_match(d, v, c);
		case OP_EACH:
			return t == FY_JOBJECT && conds_count(d, v, c->arg, c->arg + c->alen) > 0;
		default:
			return t != FY_JABSENT && t != FY_JNULL;
		}
	}
	len = dot ? (size_t)(dot - path) : plen;
	if (len >= sizeof(key))
		return 0;
	memcpy(key, path, len);
	key[len] = '\0';
	m = fy_json_get(d, v, key);
	if (m == FY_JNONE)
		return c->op == OP_NOT && !dot && fy_json_type(d, v) == FY_JOBJECT;
	if (!dot && fy_json_type(d, m) == FY_JARRAY && c->op == OP_HAS)
		return fy_json_len(d, m) ? 1 : 0;
	return count_path(d, m, dot ? dot + 1 : path + len, dot ? plen - len - 1 : 0, c);
}

/*
 * The places the first condition of [s, end) counts in v, when every
 * further one holds too; a '!' condition counts 1 where its match counts
 * none. 0 for malformed conditions (fy_capabilities_check refuses them).
 */
static uint64_t conds_count(const struct fy_jdoc *d, uint32_t v, const char *s, const char *end)
{
	const char *why, *e;
	uint64_t first = 0, n;
	struct cond c;
	int i;

	for (i = 0;; i++) {
		e = cond_end(s, end);
		if (cond_parse(s, e, &c, &why) < 0)
			return 0;
		n = count_path(d, v, c.path, c.plen, &c);
		if (c.absent)
			n = !n;
		if (!n)
			return 0;
		if (i == 0)
			first = n;
		if (e == end)
			return first;
		s = e + 1;
	}
}

uint64_t fy_capability_count(const struct fy_jdoc *d, uint32_t v, const char *field)
{
	return conds_count(d, v, field, field + strlen(field));
}

/* The path of a field's first condition; whether it has a value (or [conditions]) in *has_value. */
void fy_capability_path(const char *field, char *path, size_t cap, int *has_value)
{
	const char *end = field + strlen(field), *why;
	struct cond c;
	size_t n;

	*has_value = 0;
	if (cond_parse(field, cond_end(field, end), &c, &why) < 0) {
		snprintf(path, cap, "%s", field);
		return;
	}
	n = c.plen < cap ? c.plen : cap - 1;
	memcpy(path, c.path, n);
	path[n] = '\0';
	*has_value = c.op != OP_HAS;
}

int fy_capabilities_check(const char *adapter, const struct fy_capability *caps, size_t n,
			  struct fy_error *err)
{
	static const char *const facts[] = { "$secret", "$off-branch", "$unused", NULL };
	const char *why;
	size_t i, j;

	for (i = 0; i < n; i++) {
		const char *f = caps[i].field;

		if (!f)
			continue;
		if (*f == '$') {
			for (j = 0; facts[j] && strcmp(facts[j], f); j++)
				;
			if (!facts[j])
				return fy_error_set(err, FY_E_INTERNAL,
						    "%s: capability line %zu: unknown field '%s'", adapter, i + 1, f);
			continue;
		}
		if (check_conds(f, f + strlen(f), 0, &why) < 0)
			return fy_error_set(err, FY_E_INTERNAL, "%s: capability line %zu: field '%s': %s",
					    adapter, i + 1, f, why);
	}
	return 0;
}

static const char *rule_of(const struct fy_capability *c)
{
	return c->rule ? c->rule : fy_cap_level_name(c->write);
}

static int is_type_line(const struct fy_capability *c)
{
	return c->field && strncmp(c->field, "type=", 5) == 0;
}

static const char *kind_plural(enum fy_kind k)
{
	static const char *const names[FY_KIND__COUNT] = {
		[FY_KIND_AGENT] = "agents", [FY_KIND_TOOL] = "tools",
		[FY_KIND_KNOWLEDGE] = "knowledge sets", [FY_KIND_WORKFLOW] = "workflows",
		[FY_KIND_FILE] = "files", [FY_KIND_THREAD] = "threads",
		[FY_KIND_MESSAGE] = "messages", [FY_KIND_MEMORY] = "memory records",
	};

	return (k > FY_KIND_NONE && k < FY_KIND__COUNT) ? names[k] : "records";
}

/* The whole-record line for this record (type= lines first), or NULL. */
static const struct fy_capability *record_line(const struct fy_fidelity *f, enum fy_kind k,
					       const struct fy_jdoc *d)
{
	const struct fy_capability *whole = NULL;
	size_t i;

	for (i = 0; i < f->ad->ncaps; i++) {
		const struct fy_capability *c = &f->ad->caps[i];

		if (c->kind != k)
			continue;
		if (is_type_line(c) && fy_capability_count(d, 0, c->field))
			return c;
		if (!c->field && !whole)
			whole = c;
	}
	return whole;
}

/* Is there a capability line for (kind, field path)? */
static const struct fy_capability *field_line(const struct fy_fidelity *f, enum fy_kind k,
					      const char *field)
{
	size_t i;

	for (i = 0; i < f->ad->ncaps; i++)
		if ((f->ad->caps[i].kind == k || f->ad->caps[i].kind == FY_KIND_NONE) &&
		    f->ad->caps[i].field && strcmp(f->ad->caps[i].field, field) == 0)
			return &f->ad->caps[i];
	return NULL;
}

static enum fy_outcome worse(enum fy_outcome a, enum fy_outcome b)
{
	return a > b ? a : b;
}

/* What a field's outcome does to its record: a lost field degrades it. */
static enum fy_outcome field_effect(enum fy_outcome o)
{
	return o == FY_OUT_DROPPED ? FY_OUT_DEGRADED : o;
}

/* The table's field lines (not whole-record, type= or $secret lines). */
static int apply_field_lines(struct fy_fidelity *f, enum fy_kind k, const char *id,
			     const char *thread, const struct fy_jdoc *d, enum fy_outcome *out,
			     struct fy_error *err)
{
	char path[128], reason[512], prev[128] = "";
	int prev_hit = 0;
	size_t i;

	for (i = 0; i < f->ad->ncaps; i++) {
		const struct fy_capability *c = &f->ad->caps[i];
		enum fy_outcome o;
		uint64_t n;
		int value;

		if (c->kind != k || !c->field || is_type_line(c) || c->field[0] == '$')
			continue;
		fy_capability_path(c->field, path, sizeof(path), &value);
		/* a line without a value yields to a matching line with one on the same path */
		if (!value && prev_hit && strcmp(prev, path) == 0)
			continue;
		n = fy_capability_count(d, 0, c->field);
		if (strcmp(prev, path) != 0) {
			snprintf(prev, sizeof(prev), "%s", path);
			prev_hit = 0;
		}
		if (!n)
			continue;
		prev_hit = 1;
		o = fy_cap_outcome(c->write);
		if (o == FY_OUT_PRESERVED)
			continue;
		if (n > 1)
			snprintf(reason, sizeof(reason), "%s (%llu places)", c->note ? c->note : "",
				 (unsigned long long)n);
		else
			snprintf(reason, sizeof(reason), "%s", c->note ? c->note : "");
		if (line_add(f, k, id, thread, c->field, o, rule_of(c), reason, err) < 0)
			return -1;
		*out = worse(*out, field_effect(o));
	}
	return 0;
}

/* --- engine checks ---------------------------------------------------- */

struct secret_walk {
	struct fy_fidelity *f;
	enum fy_kind kind;
	const char *id, *thread;
	enum fy_outcome *out;
	int keep;		/* the target keeps references */
	struct node *node;
};

static int add_secret(struct secret_walk *w, const char *name, const char *field,
		      struct fy_error *err)
{
	struct fy_fidelity_report *r = &w->f->r;
	struct fy_fid_secret *s;
	char reason[400];

	if (r->nsecrets < MAX_SIDE) {
		s = realloc(r->secrets, (r->nsecrets + 1) * sizeof(*s));
		if (!s)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		r->secrets = s;
		s = &r->secrets[r->nsecrets];
		memset(s, 0, sizeof(*s));
		s->name = dups(name);
		s->kind = w->kind;
		s->id = dups(w->id);
		s->field = dups(field);
		s->outcome = w->keep ? FY_OUT_PRESERVED : FY_OUT_HELD_BACK;
		if (!s->name || !s->id || !s->field) {
			free(s->name);
			free(s->id);
			free(s->field);
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		}
		r->nsecrets++;
	}
	if (w->node)
		w->node->secrets++;
	if (w->keep)
		return 0;
	snprintf(reason, sizeof(reason), "secret %s is not carried: bind it at %s", name,
		 w->f->ad->name);
	*w->out = worse(*w->out, FY_OUT_HELD_BACK);
	return line_add(w->f, w->kind, w->id, w->thread, "$secret", FY_OUT_HELD_BACK,
			"rebind-secret", reason, err);
}

static int walk_secrets(struct secret_walk *w, const struct fy_jdoc *d, uint32_t v,
			struct fy_buf *path, struct fy_error *err)
{
	uint32_t k, key, val;
	size_t mark = path->len;

	if (fy_json_type(d, v) == FY_JARRAY) {
		FY_JSON_FOREACH(d, v, k, val)
			if (walk_secrets(w, d, val, path, err) < 0)
				return -1;
		return 0;
	}
	if (fy_json_type(d, v) != FY_JOBJECT)
		return 0;
	if (fy_json_len(d, v) == 1 && fy_json_streq(d, v + 1, "$secret") &&
	    fy_json_type(d, v + 2) == FY_JSTRING) {
		char *name = fy_json_strdup(d, v + 2, NULL);
		int rc;

		if (!name)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		rc = add_secret(w, name, path->ptr ? path->ptr : "", err);
		free(name);
		return rc;
	}
	FY_JSON_FOREACH_MEMBER(d, v, k, key, val) {
		if (fy_json_type(d, val) != FY_JOBJECT && fy_json_type(d, val) != FY_JARRAY)
			continue;
		if ((path->len && fy_buf_addc(path, '.', err) < 0) ||
		    fy_json_str(d, key, path, err) < 0 || walk_secrets(w, d, val, path, err) < 0)
			return -1;
		path->len = mark;
		if (path->ptr)
			path->ptr[mark] = '\0';
	}
	return 0;
}

static int vendor_add(struct fy_fidelity *f, enum fy_kind k, const char *id, const char *thread,
		      const char *what, struct node *n, struct fy_error *err)
{
	struct fy_fid_vendor *v;

	f->r.vendor_total++;
	if (n)
		n->vendor++;
	if (f->r.nvendor >= MAX_SIDE)
		return 0;
	v = realloc(f->r.vendor, (f->r.nvendor + 1) * sizeof(*v));
	if (!v)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	f->r.vendor = v;
	v = &f->r.vendor[f->r.nvendor];
	v->kind = k;
	v->id = dups(id);
	v->thread = dups(thread);
	v->what = dups(what);
	if (!v->id || !v->what || (thread && !v->thread)) {
		free(v->id);
		free(v->thread);
		free(v->what);
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	f->r.nvendor++;
	return 0;
}

/* Message parts only the vendor holds (whatever the target). */
static int vendor_parts(struct fy_fidelity *f, const char *id, const char *thread,
			const struct fy_jdoc *d, struct fy_error *err)
{
	uint32_t parts = fy_json_get(d, 0, "parts"), k, p;

	FY_JSON_FOREACH(d, parts, k, p) {
		uint32_t type = fy_json_get(d, p, "type");

		if ((fy_json_streq(d, type, "image") || fy_json_streq(d, type, "file") ||
		     fy_json_streq(d, type, "audio")) &&
		    fy_json_get(d, p, "url") != FY_JNONE && fy_json_get(d, p, "blob") == FY_JNONE &&
		    fy_json_get(d, p, "file") == FY_JNONE) {
			char what[300], *url = fy_json_get_strdup(d, p, "url");

			snprintf(what, sizeof(what), "%s part only at the vendor (%.200s)",
				 fy_json_streq(d, type, "image") ? "image" :
				 fy_json_streq(d, type, "file") ? "file" : "audio",
				 url ? url : "");
			free(url);
			if (vendor_add(f, FY_KIND_MESSAGE, id, thread, what, f->thread, err) < 0)
				return -1;
		}
		if (fy_json_streq(d, type, "reasoning") &&
		    fy_json_streq(d, fy_json_get(d, p, "format"), "encrypted") &&
		    vendor_add(f, FY_KIND_MESSAGE, id, thread,
			       "encrypted reasoning: only the vendor that made it can read it", f->thread,
			       err) < 0)
			return -1;
	}
	return 0;
}

/* Message text: what the sink is handed, and parts over the target's limit. */
static int check_parts(struct fy_fidelity *f, const char *id, const char *thread,
		       const struct fy_jdoc *d, enum fy_outcome *out, struct fy_error *err)
{
	const struct fy_adapter_limits *lim = f->ad->limits;
	uint32_t parts = fy_json_get(d, 0, "parts"), k, p;
	uint64_t over = 0;

	FY_JSON_FOREACH(d, parts, k, p) {
		uint32_t type = fy_json_get(d, p, "type"), text = fy_json_get(d, p, "text");
		size_t len = 0;

		fy_json_raw(d, text, &len);
		if (fy_json_type(d, text) == FY_JSTRING)
			f->r.to_write.text_bytes += len;
		if (lim && lim->max_text_bytes && len > lim->max_text_bytes &&
		    fy_json_streq(d, type, "text"))
			over++;
	}
	if (over) {
		char reason[200];

		snprintf(reason, sizeof(reason), "%llu text part(s) longer than %s takes (%llu bytes)",
			 (unsigned long long)over, f->ad->name, (unsigned long long)lim->max_text_bytes);
		if (line_add(f, FY_KIND_MESSAGE, id, thread, "parts.text", FY_OUT_DEGRADED,
			     "text-over-limit", reason, err) < 0)
			return -1;
		*out = worse(*out, FY_OUT_DEGRADED);
	}
	return 0;
}

static uint64_t tokens_of(uint64_t bytes)
{
	return (bytes + 3) / 4;
}

/* Embeddings of memory records and knowledge sets. */
static int check_embedding(struct fy_fidelity *f, enum fy_kind k, const char *id,
			   const struct fy_jdoc *d, struct node *n, enum fy_outcome *out,
			   struct fy_error *err)
{
	const struct fy_adapter_limits *lim = f->ad->limits;
	uint32_t e = fy_json_get(d, 0, "embedding");
	char *model, reason[512];
	int keeps = lim && (lim->flags & FY_LIMIT_ACCEPTS_EMBEDDINGS);

	if (fy_json_type(d, e) != FY_JOBJECT || field_line(f, k, "embedding"))
		return 0;
	model = fy_json_get_strdup(d, e, "model");
	if (!model)
		return 0;
	if ((keeps && !f->embedding) || (f->embedding && strcmp(f->embedding, model) == 0)) {
		free(model);
		return 0;
	}
	if (f->embedding) {
		uint64_t bytes = 0;

		if (k == FY_KIND_MEMORY) {
			size_t len;

			fy_json_raw(d, fy_json_get(d, 0, "text"), &len);
			bytes = len;
			f->r.reembed++;
			f->r.reembed_tokens += tokens_of(bytes);
			n->reembed++;
			n->reembed_tokens += tokens_of(bytes);
			snprintf(reason, sizeof(reason),
				 "vector made by %s; %s embeds with %s: re-computed (about %llu tokens)",
				 model, f->ad->name, f->embedding, (unsigned long long)tokens_of(bytes));
		} else {
			n->knowledge_reembed = 1;	/* tokens from its files, at the end */
			snprintf(reason, sizeof(reason),
				 "knowledge embedded with %s; %s embeds with %s: its files are re-embedded",
				 model, f->ad->name, f->embedding);
		}
		free(model);
		*out = worse(*out, FY_OUT_DEGRADED);
		return line_add(f, k, id, NULL, "embedding", FY_OUT_DEGRADED, "re-embed", reason, err);
	}
	snprintf(reason, sizeof(reason), "%s keeps no vectors and has no embedding model: the %s vector is dropped",
		 f->ad->name, model);
	free(model);
	f->r.embeddings_dropped++;
	*out = worse(*out, FY_OUT_DEGRADED);
	return line_add(f, k, id, NULL, "embedding", FY_OUT_DROPPED, "embedding-dropped", reason, err);
}

/* The agent's model through the policy; may rewrite the record. */
static int check_model(struct fy_fidelity *f, const char *id, const struct fy_jdoc *d,
		       struct node *n, enum fy_outcome *out, int *rewritten, struct fy_error *err)
{
	struct fy_fid_agent *a = &f->r.agents[n->agent_index];
	uint32_t model = fy_json_get(d, 0, "model"), rf, k, key, val;
	struct fy_model_mapping m;
	char reason[1024];
	char *name;
	int uses_tools, uses_structured;
	enum fy_outcome o;

	if (fy_json_type(d, model) != FY_JOBJECT || !(name = fy_json_get_strdup(d, model, "name")))
		return 0;
	a->model_from = name;
	a->model_outcome = FY_OUT_PRESERVED;
	if (!f->platform || field_line(f, FY_KIND_AGENT, "model")) {
		a->model_to = dups(name);
		return a->model_to ? 0 : fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	uses_tools = fy_json_len(d, fy_json_get(d, 0, "tools")) > 0;
	rf = fy_json_get(d, 0, "response_format");
	uses_structured = fy_json_streq(d, fy_json_get(d, rf, "type"), "json_schema");
	fy_model_map(f->o.policy, name, f->platform, uses_tools, uses_structured, &m);
	if (m.result == FY_MODEL_KEPT) {
		a->model_to = dups(name);
		return a->model_to ? 0 : fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	if (m.result == FY_MODEL_UNMAPPED) {
		f->r.unmapped++;
		snprintf(reason, sizeof(reason),
			 "model '%s' has no mapping to platform '%s': add a rule to %s (or pass --model-policy FILE)",
			 name, f->platform, fy_model_policy_origin(f->o.policy));
		if (!f->unmapped_msg && !(f->unmapped_msg = dups(reason)))
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		o = FY_OUT_DROPPED;
		if (line_add(f, FY_KIND_AGENT, id, NULL, "model", o, "model-unmapped", reason, err) < 0)
			return -1;
	} else {
		a->model_to = dups(m.to);
		if (!a->model_to)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		o = m.lost[0] ? FY_OUT_DEGRADED : FY_OUT_TRANSFORMED;
		snprintf(reason, sizeof(reason), "model %s mapped to %s by rule %s%s%s%s", name, m.to,
			 m.rule, m.lost[0] ? ": the target model has " : "", m.lost,
			 m.checked ? "" : " (capabilities not known for both; not checked)");
		{
			char rule[160];

			snprintf(rule, sizeof(rule), "model-policy:%s", m.rule);
			if (line_add(f, FY_KIND_AGENT, id, NULL, "model", o, rule, reason, err) < 0)
				return -1;
		}
	}
	a->model_outcome = o;
	if (tool_mark(f, err) < 0)
		return -1;
	*out = worse(*out, field_effect(o));
	if (o == FY_OUT_DROPPED && !f->o.accept_loss)
		return 0;
	/* rewrite: every member but "model", then the new model */
	fy_buf_reset(&f->rewrite);
	if (fy_buf_addc(&f->rewrite, '{', err) < 0)
		return -1;
	k = 0;
	FY_JSON_FOREACH_MEMBER(d, 0, k, key, val) {
		if (fy_json_streq(d, key, "model"))
			continue;
		if ((f->rewrite.len > 1 && fy_buf_addc(&f->rewrite, ',', err) < 0) ||
		    fy_json_emit(d, key, &f->rewrite, err) < 0 || fy_buf_addc(&f->rewrite, ':', err) < 0 ||
		    fy_json_emit(d, val, &f->rewrite, err) < 0)
			return -1;
	}
	if (o != FY_OUT_DROPPED) {
		uint32_t params = fy_json_get(d, model, "parameters");

		if (fy_buf_adds(&f->rewrite, ",\"model\":{\"provider\":", err) < 0 ||
		    fy_buf_add_jstr(&f->rewrite, f->platform, strlen(f->platform), err) < 0 ||
		    fy_buf_adds(&f->rewrite, ",\"name\":", err) < 0 ||
		    fy_buf_add_jstr(&f->rewrite, m.to, strlen(m.to), err) < 0)
			return -1;
		if (params != FY_JNONE && (fy_buf_adds(&f->rewrite, ",\"parameters\":", err) < 0 ||
					   fy_json_emit(d, params, &f->rewrite, err) < 0))
			return -1;
		if (fy_buf_addc(&f->rewrite, '}', err) < 0)
			return -1;
	}
	if (fy_buf_addc(&f->rewrite, '}', err) < 0)
		return -1;
	*rewritten = 1;
	return 0;
}

/* Sunsets shown by a record's provider id or an agent's model. */
static void check_sunsets(struct fy_fidelity *f, enum fy_kind k, const struct fy_jdoc *d)
{
	char *sid = fy_json_get_strdup(d, fy_json_get(d, 0, "source"), "id");
	char *model = k == FY_KIND_AGENT ? fy_json_get_strdup(d, fy_json_get(d, 0, "model"), "name") :
					   NULL;
	size_t i;

	for (i = 0; i < fy_nsunsets; i++) {
		const struct fy_sunset *s = &fy_sunsets[i];
		char list[512], *tok, *save;
		int hit = 0;

		if (sid && s->id_prefixes && (k == FY_KIND_AGENT || k == FY_KIND_THREAD ||
					      k == FY_KIND_WORKFLOW || k == FY_KIND_KNOWLEDGE)) {
			snprintf(list, sizeof(list), "%s", s->id_prefixes);
			for (tok = strtok_r(list, " ", &save); tok && !hit; tok = strtok_r(NULL, " ", &save))
				hit = strncmp(sid, tok, strlen(tok)) == 0;
		}
		if (model && s->models) {
			snprintf(list, sizeof(list), "%s", s->models);
			for (tok = strtok_r(list, " ", &save); tok && !hit; tok = strtok_r(NULL, " ", &save))
				hit = fnmatch(tok, model, 0) == 0 ||
				      (strrchr(model, '/') && fnmatch(tok, strrchr(model, '/') + 1, 0) == 0);
		}
		if (hit)
			f->sunset_hits[i]++;
	}
	free(sid);
	free(model);
}

/* --- what only later records tell ($off-branch, $unused) ---------------- */

size_t fy_thread_off_branch(const char *const *ids, const char *const *parents, size_t n,
			    const char *leaf, unsigned char *on)
{
	size_t i, off = 0, guard;
	const char *cur;
	int chain = !n || !parents[0];

	for (i = 1; chain && i < n; i++)
		chain = parents[i] && strcmp(parents[i], ids[i - 1]) == 0;
	memset(on, chain, n);
	if (chain)
		return 0;
	cur = leaf ? leaf : ids[n - 1];
	for (guard = 0; cur && guard <= n; guard++) {
		const char *next = NULL;

		for (i = n; i-- > 0;)
			if (strcmp(ids[i], cur) == 0) {
				on[i] = 1;
				next = parents[i];
				break;
			}
		cur = next;
	}
	for (i = 0; i < n; i++)
		off += !on[i];
	return off;
}

/* A record's own outcome turns worse after the fact: move its counts. */
static void recount(struct fy_fidelity *f, struct node *n, enum fy_outcome to)
{
	enum fy_outcome from = n->own;

	if (worse(from, to) == from)
		return;
	f->r.counts[from]--;
	f->r.counts[to]++;
	f->r.by_kind[n->kind][from]--;
	f->r.by_kind[n->kind][to]++;
	n->counts[from]--;
	n->counts[to]++;
	f->r.losses += fy_outcome_is_loss(to) - fy_outcome_is_loss(from);
	if (to == FY_OUT_DROPPED)
		f->r.to_write.records[n->kind]--;
	n->own = to;
}

/* A line the table's "$fact" line says for record n, now that the fact is known. */
static int fact_line(struct fy_fidelity *f, struct node *n, const char *fact, const char *more,
		     struct fy_error *err)
{
	const struct fy_capability *c = field_line(f, n->kind, fact);
	enum fy_outcome o;
	char reason[512];

	if (!c || n->own == FY_OUT_DROPPED || (o = fy_cap_outcome(c->write)) == FY_OUT_PRESERVED)
		return 0;
	snprintf(reason, sizeof(reason), "%s%s", c->note ? c->note : "", more ? more : "");
	cur_release(f);
	if (line_add(f, n->kind, n->id, NULL, NULL, o, rule_of(c), reason, err) < 0 ||
	    cur_commit(f, err) < 0)
		return -1;
	cur_release(f);
	recount(f, n, o);
	return 0;
}

/* The open thread's messages are all seen: does it have messages off its active branch? */
static int thread_close(struct fy_fidelity *f, struct fy_error *err)
{
	unsigned char *on = NULL;
	size_t i, off = 0;
	int rc = 0;

	if (f->open && f->nmsgs) {
		if (!(on = malloc(f->nmsgs)))
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		off = fy_thread_off_branch((const char *const *)f->ids, (const char *const *)f->parents,
					   f->nmsgs, f->open->leaf, on);
		free(on);
	}
	if (off) {
		char more[64];

		snprintf(more, sizeof(more), " (%zu messages)", off);
		rc = fact_line(f, f->open, "$off-branch", more, err);
	}
	for (i = 0; i < f->nmsgs; i++) {
		free(f->ids[i]);
		free(f->parents[i]);
	}
	f->nmsgs = 0;
	f->open = NULL;
	return rc;
}

/* A written message of the open thread: its id and parent. */
static int thread_msg(struct fy_fidelity *f, const char *id, const struct fy_jdoc *d,
		      struct fy_error *err)
{
	if (f->nmsgs == f->capmsgs) {
		size_t cap = f->capmsgs ? f->capmsgs * 2 : 64;
		char **a = realloc(f->ids, cap * sizeof(*a)), **b;

		if (!a)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		f->ids = a;
		if (!(b = realloc(f->parents, cap * sizeof(*b))))
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		f->parents = b;
		f->capmsgs = cap;
	}
	f->ids[f->nmsgs] = dups(id);
	f->parents[f->nmsgs] = fy_json_get_strdup(d, 0, "parent");
	f->nmsgs++;
	if (!f->ids[f->nmsgs - 1])
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	return 0;
}

/* Tools no written agent uses ($unused). */
static int unused_tools(struct fy_fidelity *f, struct fy_error *err)
{
	struct node *t, *a;
	size_t i;

	if (!field_line(f, FY_KIND_TOOL, "$unused"))
		return 0;
	for (t = f->first; t; t = t->order) {
		int used = 0;

		if (t->kind != FY_KIND_TOOL)
			continue;
		for (a = f->first; a && !used; a = a->order)
			if (a->kind == FY_KIND_AGENT && a->own != FY_OUT_DROPPED)
				for (i = 0; i < a->nrefs && !used; i++)
					used = strcmp(a->refs[i], t->id) == 0;
		if (!used && fact_line(f, t, "$unused", NULL, err) < 0)
			return -1;
	}
	return 0;
}

/* --- one record ------------------------------------------------------- */

static int agent_slot(struct fy_fidelity *f, struct node *n, const struct fy_jdoc *d,
		      struct fy_error *err)
{
	struct fy_fid_agent *a = realloc(f->r.agents, (f->r.nagents + 1) * sizeof(*a));

	if (!a)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	f->r.agents = a;
	a = &f->r.agents[f->r.nagents];
	memset(a, 0, sizeof(*a));
	a->id = dups(n->id);
	a->name = fy_json_get_strdup(d, 0, "name");
	if (!a->id)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	n->agent_index = f->r.nagents++;
	return 0;
}

static int record(struct fy_fidelity *f, const struct fy_item *it, struct fy_fid_verdict *v,
		  struct fy_error *err)
{
	const struct fy_jdoc *d = &f->doc;
	const struct fy_capability *c;
	const struct fy_adapter_limits *lim = f->ad->limits;
	enum fy_outcome out = FY_OUT_PRESERVED, whole;
	struct node *n = NULL;
	char *id = NULL, *thread = NULL, reason[512];
	int rewritten = 0, rc = -1;
	enum fy_kind k;
	size_t len;
	const char *s;

	if (fy_jdoc_parse(&f->doc, it->json, it->len, 0, err) < 0)
		return -1;
	s = fy_json_raw(d, fy_json_get(d, 0, "kind"), &len);
	k = fy_kind_from_name(s, len);
	if (k == FY_KIND_NONE)
		return fy_error_set(err, FY_E_DATA, "record has no known \"kind\"");
	id = fy_json_get_strdup(d, 0, "id");
	if (!id)
		return fy_error_set(err, FY_E_DATA, "record has no \"id\"");
	f->r.records[k]++;
	tool_release(f);
	cur_release(f);
	if (k != FY_KIND_MESSAGE && thread_close(f, err) < 0)
		goto out;
	if (k == FY_KIND_MESSAGE) {
		thread = fy_json_get_strdup(d, 0, "thread");
	} else {
		if (!(n = node_add(f, k, id, err)))
			goto out;
		if (k == FY_KIND_THREAD) {
			f->thread = n;
			n->agent = fy_json_get_strdup(d, 0, "agent");
			n->leaf = fy_json_get_strdup(d, 0, "active_leaf");
		} else if (k == FY_KIND_MEMORY) {
			n->agent = fy_json_get_strdup(d, fy_json_get(d, 0, "scope"), "agent");
		} else if (k == FY_KIND_AGENT) {
			if (agent_slot(f, n, d, err) < 0 || node_refs(n, d, "tools", err) < 0 ||
			    node_refs(n, d, "knowledge", err) < 0 || node_refs(n, d, "memory", err) < 0)
				goto out;
		} else if (k == FY_KIND_KNOWLEDGE) {
			if (node_refs(n, d, "files", err) < 0)
				goto out;
		} else if (k == FY_KIND_FILE) {
			int64_t size = 0;

			fy_json_int(d, fy_json_get(d, 0, "size"), &size);
			n->size = size > 0 ? (uint64_t)size : 0;
		}
	}
	check_sunsets(f, k, d);
	/* vendor-only state (target independent) */
	if (k == FY_KIND_FILE && fy_json_get(d, 0, "blob") == FY_JNONE &&
	    vendor_add(f, k, id, NULL, "file content was not exported: it exists only at the vendor", n,
		       err) < 0)
		goto out;
	if (k == FY_KIND_TOOL && fy_json_streq(d, fy_json_get(d, 0, "type"), "file_search") &&
	    fy_json_len(d, fy_json_get(d, fy_json_get(d, 0, "config"), "vector_store_ids")) &&
	    vendor_add(f, k, id, NULL,
		       "file_search names vector stores by id: their contents stay at the vendor unless exported as knowledge",
		       n, err) < 0)
		goto out;
	if (k == FY_KIND_KNOWLEDGE && !fy_json_len(d, fy_json_get(d, 0, "files")) &&
	    vendor_add(f, k, id, NULL, "knowledge set without files: its contents exist only at the vendor",
		       n, err) < 0)
		goto out;
	if (k == FY_KIND_MESSAGE && vendor_parts(f, id, thread, d, err) < 0)
		goto out;
	/* the record as a whole */
	if (k == FY_KIND_MESSAGE && f->thread_dropped) {
		whole = FY_OUT_DROPPED;
		if (line_add(f, k, id, thread, NULL, whole, "thread-dropped",
			     "its thread is not written", err) < 0)
			goto out;
	} else {
		c = record_line(f, k, d);
		whole = c ? fy_cap_outcome(c->write) : FY_OUT_DROPPED;
		if (whole != FY_OUT_PRESERVED) {
			if (c)
				snprintf(reason, sizeof(reason), "%s", c->note ? c->note : "");
			else
				snprintf(reason, sizeof(reason), "%s does not store %s", f->ad->name,
					 kind_plural(k));
			if (line_add(f, k, id, thread, NULL, whole,
				     c ? rule_of(c) : "not-written", reason, err) < 0)
				goto out;
		}
	}
	if (k == FY_KIND_THREAD)
		f->thread_dropped = whole == FY_OUT_DROPPED;
	if (k == FY_KIND_THREAD && whole != FY_OUT_DROPPED)
		f->open = n;
	if (k == FY_KIND_MESSAGE && whole != FY_OUT_DROPPED && f->open && thread &&
	    strcmp(thread, f->open->id) == 0 && thread_msg(f, id, d, err) < 0)
		goto out;
	out = whole;
	if (whole == FY_OUT_DROPPED) {
		if (tool_mark(f, err) < 0)
			goto out;
	} else {
		/*
		 * The sink is handed the record with its model mapped: the
		 * table's lines (model.provider=...) apply to that one.
		 */
		if (k == FY_KIND_AGENT && check_model(f, id, d, n, &out, &rewritten, err) < 0)
			goto out;
		if (rewritten && fy_jdoc_parse(&f->redoc, f->rewrite.ptr, f->rewrite.len, 0, err) < 0)
			goto out;
		if (apply_field_lines(f, k, id, thread, rewritten ? &f->redoc : d, &out, err) < 0)
			goto out;
		if ((k == FY_KIND_MEMORY || k == FY_KIND_KNOWLEDGE) &&
		    check_embedding(f, k, id, d, n, &out, err) < 0)
			goto out;
		if (k == FY_KIND_MESSAGE && check_parts(f, id, thread, d, &out, err) < 0)
			goto out;
		if (k == FY_KIND_MEMORY) {
			fy_json_raw(d, fy_json_get(d, 0, "text"), &len);
			f->r.to_write.text_bytes += len;
			if (lim && lim->max_text_bytes && len > lim->max_text_bytes) {
				snprintf(reason, sizeof(reason), "text longer than %s takes (%llu bytes)",
					 f->ad->name, (unsigned long long)lim->max_text_bytes);
				if (line_add(f, k, id, NULL, "text", FY_OUT_DEGRADED, "text-over-limit",
					     reason, err) < 0)
					goto out;
				out = worse(out, FY_OUT_DEGRADED);
			}
		}
		if (k == FY_KIND_AGENT && lim) {
			fy_json_raw(d, fy_json_get(d, 0, "instructions"), &len);
			if (lim->max_instructions_bytes && len > lim->max_instructions_bytes) {
				snprintf(reason, sizeof(reason), "instructions longer than %s takes (%llu bytes)",
					 f->ad->name, (unsigned long long)lim->max_instructions_bytes);
				if (line_add(f, k, id, NULL, "instructions", FY_OUT_DEGRADED,
					     "text-over-limit", reason, err) < 0)
					goto out;
				out = worse(out, FY_OUT_DEGRADED);
			}
			if (lim->max_tools_per_agent &&
			    fy_json_len(d, fy_json_get(d, 0, "tools")) > lim->max_tools_per_agent) {
				snprintf(reason, sizeof(reason), "more tools than %s allows per agent (%u)",
					 f->ad->name, lim->max_tools_per_agent);
				if (line_add(f, k, id, NULL, "tools", FY_OUT_DEGRADED, "tools-over-limit",
					     reason, err) < 0)
					goto out;
				out = worse(out, FY_OUT_DEGRADED);
			}
		}
		{
			struct fy_buf path = FY_BUF_INIT(4096);
			struct secret_walk w = { f, k, id, thread, &out, 0,
						 k == FY_KIND_MESSAGE ? f->thread : n };
			const struct fy_capability *sc = field_line(f, k, "$secret");

			w.keep = sc && sc->write == FY_CAP_NATIVE;
			rc = walk_secrets(&w, d, 0, &path, err);
			fy_buf_release(&path);
			if (rc < 0)
				goto out;
			rc = -1;
		}
	}
	/* count */
	f->r.items++;
	f->r.counts[out]++;
	f->r.by_kind[k][out]++;
	if (fy_outcome_is_loss(out))
		f->r.losses++;
	if (k == FY_KIND_MESSAGE) {
		if (f->thread)
			f->thread->counts[out]++;
	} else {
		n->counts[out]++;
		n->own = out;
	}
	if (whole != FY_OUT_DROPPED)
		f->r.to_write.records[k]++;
	if (v) {
		memset(v, 0, sizeof(*v));
		v->outcome = out;
		v->send = whole != FY_OUT_DROPPED;
		v->json = rewritten ? f->rewrite.ptr : it->json;
		v->len = rewritten ? f->rewrite.len : it->len;
	}
	/* the tool's own lines must outlive the commit: copy them */
	if (cur_commit(f, err) < 0)
		goto out;
	rc = 0;
out:
	free(id);
	free(thread);
	return rc;
}

/* --- public ----------------------------------------------------------- */

struct fy_fidelity *fy_fidelity_new(const struct fy_adapter *target,
				    const struct fy_fidelity_options *o, struct fy_error *err)
{
	const struct fy_adapter_limits *lim = target->limits;
	struct fy_fidelity *f;

	/* a line the engine could not read would plan nothing, silently */
	if (fy_capabilities_check(target->name, target->caps, target->ncaps, err) < 0)
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f || !(f->sunset_hits = calloc(fy_nsunsets + 1, sizeof(uint64_t)))) {
		free(f);
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	f->ad = target;
	f->o = *o;
	if (!f->o.max_lines)
		f->o.max_lines = MAX_LINES_DEFAULT;
	if (!f->o.as_of)
		f->o.as_of = (int64_t)time(NULL);
	fy_jdoc_init(&f->doc);
	fy_jdoc_init(&f->redoc);
	fy_buf_init(&f->rewrite, (size_t)64 << 20);
	fy_buf_init(&f->scratch, 4096);
	f->platform = o->model_platform ? o->model_platform : lim ? lim->model_platform : NULL;
	if (f->platform && !*f->platform)
		f->platform = NULL;
	if (f->platform && !fy_model_policy_has_platform(o->policy, f->platform)) {
		fy_error_set(err, FY_E_USAGE, "model platform '%s' is not in %s", f->platform,
			     fy_model_policy_origin(o->policy));
		fy_fidelity_free(f);
		return NULL;
	}
	f->embedding = o->embedding_model ? o->embedding_model :
		       lim && lim->embedding_model ? lim->embedding_model :
		       f->platform && !(lim && (lim->flags & FY_LIMIT_ACCEPTS_EMBEDDINGS)) ?
						  fy_model_policy_embedding(o->policy, f->platform) :
						  NULL;
	f->r.target = target->name;
	f->r.model_platform = f->platform;
	f->r.embedding_model = f->embedding;
	return f;
}

void fy_fidelity_free(struct fy_fidelity *f)
{
	struct node *n, *next;
	size_t i;

	if (!f)
		return;
	for (n = f->first; n; n = next) {
		next = n->order;
		node_free(n);
	}
	free(f->table);
	for (i = 0; i < f->nmsgs; i++) {
		free(f->ids[i]);
		free(f->parents[i]);
	}
	free(f->ids);
	free(f->parents);
	cur_release(f);
	tool_release(f);
	free(f->cur);
	for (i = 0; i < f->r.nlines; i++)
		fy_plan_line_release(&f->r.lines[i]);
	free(f->r.lines);
	for (i = 0; i < f->r.nexport; i++)
		fy_plan_line_release(&f->r.export_lines[i]);
	free(f->r.export_lines);
	for (i = 0; i < f->r.nagents; i++) {
		free(f->r.agents[i].id);
		free(f->r.agents[i].name);
		free(f->r.agents[i].model_from);
		free(f->r.agents[i].model_to);
	}
	free(f->r.agents);
	for (i = 0; i < f->r.nsecrets; i++) {
		free(f->r.secrets[i].name);
		free(f->r.secrets[i].id);
		free(f->r.secrets[i].field);
	}
	free(f->r.secrets);
	for (i = 0; i < f->r.nvendor; i++) {
		free(f->r.vendor[i].id);
		free(f->r.vendor[i].thread);
		free(f->r.vendor[i].what);
	}
	free(f->r.vendor);
	free(f->r.sunsets);
	free(f->sunset_hits);
	free(f->unmapped_msg);
	free(f->source_adapter_own);
	fy_jdoc_release(&f->doc);
	fy_jdoc_release(&f->redoc);
	fy_buf_release(&f->rewrite);
	fy_buf_release(&f->scratch);
	free(f);
}

int fy_fidelity_header(struct fy_fidelity *f, const struct fy_header *h, struct fy_error *err)
{
	if (!h || !h->source_adapter)
		return 0;
	free(f->source_adapter_own);
	f->source_adapter_own = dups(h->source_adapter);
	if (!f->source_adapter_own)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	f->source_adapter = f->source_adapter_own;
	return 0;
}

int fy_fidelity_item(struct fy_fidelity *f, const struct fy_item *it, struct fy_fid_verdict *v,
		     struct fy_error *err)
{
	if (v)
		memset(v, 0, sizeof(*v));
	switch (it->type) {
	case FY_ITEM_RECORD:
		if (record(f, it, v, err) < 0)
			return -1;
		if (v) {
			v->tool_lines = f->tool;
			v->ntool_lines = f->ntool;
		}
		return 0;
	case FY_ITEM_BLOB:
		f->r.to_write.blobs++;
		f->r.to_write.blob_bytes += it->size;
		if (v)
			v->send = 1;
		return 0;
	case FY_ITEM_LEDGER: {
		struct fy_plan_line l;
		int o;

		if (v)
			v->send = 1;
		if (fy_plan_line_parse(it->json, it->len, &l, err) < 0)
			return -1;
		o = (int)l.outcome;
		f->r.export_counts[o <= FY_OUT__COUNT ? o : FY_OUT__COUNT]++;
		if (f->r.nexport < MAX_SIDE) {
			struct fy_plan_line *p =
				realloc(f->r.export_lines, (f->r.nexport + 1) * sizeof(*p));

			if (!p) {
				fy_plan_line_release(&l);
				return fy_error_set(err, FY_E_NOMEM, "out of memory");
			}
			f->r.export_lines = p;
			p[f->r.nexport++] = l;
		} else {
			fy_plan_line_release(&l);
		}
		return 0;
	}
	default:
		if (v)
			v->send = 1;
		return 0;
	}
}

const char *fy_fidelity_unmapped_message(const struct fy_fidelity *f)
{
	return f->unmapped_msg;
}

void fy_fidelity_set_plan(struct fy_fidelity *f, const struct fy_plan *plan)
{
	f->r.plan = *plan;
	f->r.has_plan = 1;
}

const struct fy_fidelity_report *fy_fidelity_report(const struct fy_fidelity *f)
{
	return &f->r;
}

/* Add node n (and what it refers to) to agent group g, once. */
static void group_add(struct fy_fidelity *f, struct fy_fid_agent *g, size_t marker, struct node *n,
		      int depth)
{
	size_t i, j;

	if (!n || n->mark == marker || depth > 3)
		return;
	n->mark = marker;
	for (j = 0; j < FY_OUT__COUNT; j++) {
		g->counts[j] += n->counts[j];
		g->items += n->counts[j];
	}
	g->vendor_only += n->vendor;
	g->reembed += n->reembed;
	g->reembed_tokens += n->reembed_tokens;
	g->secrets += n->secrets;
	if (n->kind == FY_KIND_AGENT || n->kind == FY_KIND_KNOWLEDGE)
		for (i = 0; i < n->nrefs; i++) {
			enum fy_kind kinds[3] = { FY_KIND_TOOL, FY_KIND_KNOWLEDGE, FY_KIND_MEMORY };
			size_t nk = n->kind == FY_KIND_AGENT ? 3 : 1;

			if (n->kind == FY_KIND_KNOWLEDGE)
				kinds[0] = FY_KIND_FILE;
			for (j = 0; j < nk; j++)
				group_add(f, g, marker, node_find(f, kinds[j], n->refs[i]), depth + 1);
		}
}

static int score_of(const uint64_t counts[FY_OUT__COUNT], uint64_t vendor)
{
	double sum = (double)vendor, n = (double)vendor;
	int i;

	for (i = 0; i < FY_OUT__COUNT; i++) {
		sum += weights[i] * (double)counts[i];
		n += (double)counts[i];
	}
	return n > 0 ? (int)lround(100.0 * sum / n) : 0;
}

int fy_fidelity_finish(struct fy_fidelity *f, struct fy_error *err)
{
	struct fy_fidelity_report *r = &f->r;
	struct fy_fid_agent *g;
	struct node *n;
	size_t i, nagents = r->nagents, marker;
	int any_untied = 0;

	if (f->finished)
		return 0;
	f->finished = 1;
	if (thread_close(f, err) < 0 || unused_tools(f, err) < 0)
		return -1;
	/* knowledge re-embedding: tokens from the files' sizes */
	for (n = f->first; n; n = n->order)
		if (n->kind == FY_KIND_KNOWLEDGE && n->knowledge_reembed) {
			uint64_t bytes = 0;

			for (i = 0; i < n->nrefs; i++) {
				struct node *file = node_find(f, FY_KIND_FILE, n->refs[i]);

				if (file)
					bytes += file->size;
			}
			n->reembed = n->nrefs;
			n->reembed_tokens = tokens_of(bytes);
			r->reembed += n->nrefs;
			r->reembed_tokens += tokens_of(bytes);
		}
	/* attribution: marker i + 1 for agent i */
	for (i = 0; i < nagents; i++) {
		struct node *a = node_find(f, FY_KIND_AGENT, r->agents[i].id);

		marker = i + 1;
		g = &r->agents[i];
		group_add(f, g, marker, a, 0);
		for (n = f->first; n; n = n->order)
			if ((n->kind == FY_KIND_THREAD || n->kind == FY_KIND_MEMORY) && n->agent &&
			    strcmp(n->agent, g->id) == 0)
				group_add(f, g, marker, n, 1);
	}
	for (n = f->first; n; n = n->order)
		if (n->mark == 0 && n->kind != FY_KIND_AGENT)
			any_untied = 1;
	if (any_untied) {
		g = realloc(r->agents, (nagents + 1) * sizeof(*g));
		if (!g)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		r->agents = g;
		g = &r->agents[nagents];
		memset(g, 0, sizeof(*g));
		marker = nagents + 1;
		for (n = f->first; n; n = n->order)
			if (n->mark == 0)
				group_add(f, g, marker, n, 3);
		r->nagents++;
	}
	for (i = 0; i < r->nagents; i++)
		r->agents[i].score = score_of(r->agents[i].counts, r->agents[i].vendor_only);
	r->score = score_of(r->counts, r->vendor_total);
	/* sunsets: by adapter, or by what the records showed */
	r->sunsets = calloc(fy_nsunsets + 1, sizeof(*r->sunsets));
	if (!r->sunsets)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	for (i = 0; i < fy_nsunsets; i++) {
		const struct fy_sunset *s = &fy_sunsets[i];
		int by_adapter = 0;

		if (s->adapters && f->source_adapter) {
			char list[256], *tok, *save;

			snprintf(list, sizeof(list), "%s", s->adapters);
			for (tok = strtok_r(list, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
				if (strcmp(tok, f->source_adapter) == 0)
					by_adapter = 1;
		}
		if (!by_adapter && !f->sunset_hits[i])
			continue;
		r->sunsets[r->nsunsets].sunset = s;
		r->sunsets[r->nsunsets].hits = f->sunset_hits[i];
		if (s->date) {
			int64_t t;

			if (fy_time_parse_user(s->date, &t) == 0)
				r->sunsets[r->nsunsets].past = t <= f->o.as_of;
		}
		r->nsunsets++;
	}
	if (f->ad->estimate) {
		struct fy_adapter_ctx ctx;

		if (f->o.ctx) {
			ctx = *f->o.ctx;
		} else {
			memset(&ctx, 0, sizeof(ctx));
			ctx.name = f->ad->name;
			ctx.location = "";
			ctx.since = INT64_MIN;
		}
		if (f->ad->estimate(&ctx, &r->to_write, &r->estimate, err) < 0)
			return fy_error_prefix(err, "%s: estimate", f->ad->name);
		r->has_estimate = 1;
	}
	return 0;
}
