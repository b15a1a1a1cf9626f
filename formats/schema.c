/*
 * schema.c - a compiled JSON Schema subset validator. See schema.h.
 */
#include "schema.h"

#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

extern const struct fy_schema_text fy_schema_texts[];
extern const size_t fy_schema_ntexts;

enum {
	T_NULL = 1, T_BOOL = 2, T_NUMBER = 4, T_INTEGER = 8,
	T_STRING = 16, T_ARRAY = 32, T_OBJECT = 64,
};

enum sformat { F_NONE, F_DATETIME, F_ID, F_SHA256, F_ADAPTER };

struct snode;

/* A string a value is compared with, decoded. */
struct sstr {
	char *s;
	size_t len;
};

struct sprop {
	const char *name;	/* decoded, owned */
	size_t len;
	struct snode *schema;
	int required;
};

struct snode {
	const struct fy_jdoc *doc;	/* the schema document (for const/enum) */
	uint32_t at;
	struct snode *ref;
	unsigned types;
	uint32_t const_v, enum_v;
	struct sprop *props;
	uint32_t nprops, nrequired;
	char **extra_required;		/* required names without a properties entry */
	uint32_t nextra_required;
	struct snode *additional;
	int no_additional;
	struct snode *items;
	int64_t min_items, max_items, min_len, max_len;
	int has_min, has_max;
	double minimum, maximum;
	regex_t *re;
	enum sformat format;
	struct snode **all_of, **any_of, **one_of;
	uint32_t nall, nany, none;
	char *disc_key;			/* oneOf dispatch property */
	size_t disc_len;
	char **disc_vals;		/* per one_of branch */
	size_t *disc_lens;
	/* Set by finish_node once every node is compiled: */
	struct sstr *strs;		/* the const or enum, when every value is a string */
	uint32_t nstrs;
	int only_type;			/* nothing to check but "type" (maybe not even that) */
	struct snode *next_alloc;	/* every node, for freeing */
};

struct sfile {
	char *name;
	struct fy_jdoc doc;
	struct snode *root;
};

struct fy_schemaset {
	struct sfile *files;
	size_t nfiles;
	struct snode *nodes;		/* allocation list */
	struct memo {
		const struct fy_jdoc *doc;
		uint32_t at;
		struct snode *node;
	} *memo;
	size_t nmemo, capmemo;
	struct snode *by_kind[FY_KIND__COUNT];
};

static struct snode *compile_node(struct fy_schemaset *s, struct sfile *f, uint32_t at,
				  struct fy_error *err);

static void node_free(struct snode *n)
{
	uint32_t k;

	for (k = 0; k < n->nprops; k++)
		free((char *)n->props[k].name);
	free(n->props);
	for (k = 0; k < n->nextra_required; k++)
		free(n->extra_required[k]);
	free(n->extra_required);
	if (n->re) {
		regfree(n->re);
		free(n->re);
	}
	free(n->all_of);
	free(n->any_of);
	free(n->one_of);
	free(n->disc_key);
	if (n->disc_vals)
		for (k = 0; k < n->none; k++)
			free(n->disc_vals[k]);
	free(n->disc_vals);
	free(n->disc_lens);
	for (k = 0; k < n->nstrs; k++)
		free(n->strs[k].s);
	free(n->strs);
	free(n);
}

void fy_schemaset_free(struct fy_schemaset *s)
{
	struct snode *n, *next;
	size_t i;

	if (!s)
		return;
	for (n = s->nodes; n; n = next) {
		next = n->next_alloc;
		node_free(n);
	}
	for (i = 0; i < s->nfiles; i++) {
		free(s->files[i].name);
		fy_jdoc_release(&s->files[i].doc);
	}
	free(s->files);
	free(s->memo);
	free(s);
}

static struct sfile *find_file(struct fy_schemaset *s, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < s->nfiles; i++)
		if (strlen(s->files[i].name) == n && memcmp(s->files[i].name, name, n) == 0)
			return &s->files[i];
	return NULL;
}

/* Resolve "file.json#/$defs/x", "#/$defs/x" or "file.json". */
static struct snode *resolve_ref(struct fy_schemaset *s, struct sfile *f, const char *ref,
				 struct fy_error *err)
{
	const char *hash = strchr(ref, '#');
	struct sfile *tf = f;
	uint32_t at = 0;

	if (hash != ref) {
		size_t n = hash ? (size_t)(hash - ref) : strlen(ref);

		tf = find_file(s, ref, n);
		if (!tf)
			return fy_error_set(err, FY_E_INTERNAL, "%s: $ref to unknown file '%s'",
					    f->name, ref), NULL;
	}
	if (hash && hash[1]) {
		const char *p = hash + 1;

		if (strncmp(p, "/$defs/", 7) != 0)
			return fy_error_set(err, FY_E_INTERNAL,
					    "%s: unsupported $ref '%s' (only #/$defs/NAME)", f->name,
					    ref), NULL;
		at = fy_json_get(&tf->doc, fy_json_get(&tf->doc, 0, "$defs"), p + 7);
		if (at == FY_JNONE)
			return fy_error_set(err, FY_E_INTERNAL, "%s: $ref '%s' not found", f->name,
					    ref), NULL;
	}
	return compile_node(s, tf, at, err);
}

static int type_bits(const struct fy_jdoc *d, uint32_t v, unsigned *bits)
{
	static const struct { const char *name; unsigned bit; } names[] = {
		{ "null", T_NULL }, { "boolean", T_BOOL }, { "number", T_NUMBER | T_INTEGER },
		{ "integer", T_INTEGER }, { "string", T_STRING }, { "array", T_ARRAY },
		{ "object", T_OBJECT },
	};
	uint32_t k, el;
	size_t j;

	if (fy_json_type(d, v) == FY_JSTRING) {
		for (j = 0; j < sizeof(names) / sizeof(names[0]); j++)
			if (fy_json_streq(d, v, names[j].name)) {
				*bits |= names[j].bit;
				return 0;
			}
		return -1;
	}
	if (fy_json_type(d, v) != FY_JARRAY)
		return -1;
	FY_JSON_FOREACH(d, v, k, el)
		if (type_bits(d, el, bits) < 0)
			return -1;
	return 0;
}

static int int_kw(const struct fy_jdoc *d, uint32_t v, int64_t *out)
{
	return fy_json_int(d, v, out);
}

static struct snode **compile_list(struct fy_schemaset *s, struct sfile *f, uint32_t arr,
				   uint32_t *count, struct fy_error *err)
{
	struct snode **list;
	uint32_t k, el;

	if (fy_json_type(&f->doc, arr) != FY_JARRAY || fy_json_len(&f->doc, arr) == 0)
		return fy_error_set(err, FY_E_INTERNAL, "%s: expected a non-empty array", f->name),
		       NULL;
	list = calloc(fy_json_len(&f->doc, arr), sizeof(*list));
	if (!list)
		return fy_error_set(err, FY_E_NOMEM, "out of memory"), NULL;
	FY_JSON_FOREACH(&f->doc, arr, k, el) {
		list[k] = compile_node(s, f, el, err);
		if (!list[k]) {
			free(list);
			return NULL;
		}
	}
	*count = fy_json_len(&f->doc, arr);
	return list;
}

/* By length first, so a lookup only compares names of the key's length. */
static int cmp_prop(const void *a, const void *b)
{
	const struct sprop *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->name, y->name, x->len);
}

static struct snode *deref(struct snode *n)
{
	while (n && n->ref)
		n = n->ref;
	return n;
}

/* Find the const value of property key in a (dereferenced) branch. */
static char *branch_const(struct snode *b, const char *key)
{
	uint32_t k;

	b = deref(b);
	for (k = 0; b && k < b->nprops; k++) {
		struct snode *p = deref(b->props[k].schema);

		if (strcmp(b->props[k].name, key) == 0 && p && p->const_v != FY_JNONE &&
		    fy_json_type(p->doc, p->const_v) == FY_JSTRING)
			return fy_json_strdup(p->doc, p->const_v, NULL);
	}
	return NULL;
}

/* Set up oneOf dispatch when every branch fixes "type" (or "kind") with const. */
static int setup_dispatch(struct snode *n, struct fy_error *err)
{
	static const char *const keys[] = { "type", "kind" };
	size_t j;
	uint32_t k;

	for (j = 0; j < 2; j++) {
		char **vals = calloc(n->none, sizeof(*vals));
		int ok = 1;

		if (!vals)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
		for (k = 0; k < n->none && ok; k++) {
			vals[k] = branch_const(n->one_of[k], keys[j]);
			ok = vals[k] != NULL;
		}
		if (ok) {
			n->disc_vals = vals;
			n->disc_key = strdup(keys[j]);
			n->disc_len = strlen(keys[j]);
			n->disc_lens = calloc(n->none, sizeof(*n->disc_lens));
			if (!n->disc_key || !n->disc_lens)
				return fy_error_set(err, FY_E_NOMEM, "out of memory");
			for (k = 0; k < n->none; k++)
				n->disc_lens[k] = strlen(vals[k]);
			return 0;
		}
		for (k = 0; k < n->none; k++)
			free(vals[k]);
		free(vals);
	}
	return 0;
}

static int compile_properties(struct fy_schemaset *s, struct sfile *f, struct snode *n,
			      uint32_t v, struct fy_error *err)
{
	const struct fy_jdoc *d = &f->doc;
	uint32_t k, key, val;

	if (fy_json_type(d, v) != FY_JOBJECT)
		return fy_error_set(err, FY_E_INTERNAL, "%s: properties must be an object", f->name);
	n->props = calloc(fy_json_len(d, v) + 1, sizeof(*n->props));
	if (!n->props)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	FY_JSON_FOREACH_MEMBER(d, v, k, key, val) {
		n->props[k].name = fy_json_strdup(d, key, &n->props[k].len);
		n->props[k].schema = compile_node(s, f, val, err);
		n->nprops = k + 1;
		if (!n->props[k].name || !n->props[k].schema)
			return -1;
	}
	qsort(n->props, n->nprops, sizeof(*n->props), cmp_prop);
	return 0;
}

static int compile_required(struct sfile *f, struct snode *n, uint32_t v, struct fy_error *err)
{
	const struct fy_jdoc *d = &f->doc;
	uint32_t k, el, p;

	if (fy_json_type(d, v) != FY_JARRAY)
		return fy_error_set(err, FY_E_INTERNAL, "%s: required must be an array", f->name);
	n->extra_required = calloc(fy_json_len(d, v) + 1, sizeof(char *));
	if (!n->extra_required)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	FY_JSON_FOREACH(d, v, k, el) {
		int found = 0;

		for (p = 0; p < n->nprops; p++)
			if (fy_json_streq(d, el, n->props[p].name)) {
				n->props[p].required = 1;
				n->nrequired++;
				found = 1;
			}
		if (!found) {
			n->extra_required[n->nextra_required] = fy_json_strdup(d, el, NULL);
			if (!n->extra_required[n->nextra_required++])
				return fy_error_set(err, FY_E_NOMEM, "out of memory");
		}
	}
	return 0;
}

static int compile_keyword(struct fy_schemaset *s, struct sfile *f, struct snode *n,
			   uint32_t key, uint32_t v, struct fy_error *err)
{
	static const char *const annotations[] = {
		"$schema", "$id", "title", "description", "$comment", "examples", "default",
		"deprecated", "readOnly", "writeOnly", "$defs",
	};
	const struct fy_jdoc *d = &f->doc;
	char *name = fy_json_strdup(d, key, NULL);
	int rc = 0;
	size_t j;

	if (!name)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	for (j = 0; j < sizeof(annotations) / sizeof(annotations[0]); j++)
		if (strcmp(name, annotations[j]) == 0)
			goto out;
	if (strcmp(name, "$ref") == 0) {
		char *ref = fy_json_strdup(d, v, NULL);

		n->ref = ref ? resolve_ref(s, f, ref, err) : NULL;
		free(ref);
		rc = n->ref ? 0 : -1;
	} else if (strcmp(name, "type") == 0) {
		if (type_bits(d, v, &n->types) < 0)
			rc = fy_error_set(err, FY_E_INTERNAL, "%s: bad type keyword", f->name);
	} else if (strcmp(name, "const") == 0) {
		n->const_v = v;
	} else if (strcmp(name, "enum") == 0) {
		n->enum_v = v;
	} else if (strcmp(name, "properties") == 0) {
		rc = 0;	/* compiled first, see compile_node() */
	} else if (strcmp(name, "required") == 0) {
		rc = 0;	/* after properties */
	} else if (strcmp(name, "additionalProperties") == 0) {
		if (fy_json_type(d, v) == FY_JFALSE)
			n->no_additional = 1;
		else if (fy_json_type(d, v) != FY_JTRUE)
			rc = (n->additional = compile_node(s, f, v, err)) ? 0 : -1;
	} else if (strcmp(name, "items") == 0) {
		rc = (n->items = compile_node(s, f, v, err)) ? 0 : -1;
	} else if (strcmp(name, "minItems") == 0) {
		rc = int_kw(d, v, &n->min_items);
	} else if (strcmp(name, "maxItems") == 0) {
		rc = int_kw(d, v, &n->max_items);
	} else if (strcmp(name, "minLength") == 0) {
		rc = int_kw(d, v, &n->min_len);
	} else if (strcmp(name, "maxLength") == 0) {
		rc = int_kw(d, v, &n->max_len);
	} else if (strcmp(name, "minimum") == 0) {
		n->has_min = 1;
		rc = fy_json_double(d, v, &n->minimum);
	} else if (strcmp(name, "maximum") == 0) {
		n->has_max = 1;
		rc = fy_json_double(d, v, &n->maximum);
	} else if (strcmp(name, "pattern") == 0) {
		char *pat = fy_json_strdup(d, v, NULL);

		n->re = malloc(sizeof(*n->re));
		if (!pat || !n->re || regcomp(n->re, pat, REG_EXTENDED | REG_NOSUB) != 0) {
			free(n->re);
			n->re = NULL;
			rc = fy_error_set(err, FY_E_INTERNAL, "%s: bad pattern", f->name);
		}
		free(pat);
	} else if (strcmp(name, "format") == 0) {
		if (fy_json_streq(d, v, "date-time"))
			n->format = F_DATETIME;
		else if (fy_json_streq(d, v, "ferry-id"))
			n->format = F_ID;
		else if (fy_json_streq(d, v, "sha256"))
			n->format = F_SHA256;
		else if (fy_json_streq(d, v, "adapter-name"))
			n->format = F_ADAPTER;
	} else if (strcmp(name, "allOf") == 0) {
		rc = (n->all_of = compile_list(s, f, v, &n->nall, err)) ? 0 : -1;
	} else if (strcmp(name, "anyOf") == 0) {
		rc = (n->any_of = compile_list(s, f, v, &n->nany, err)) ? 0 : -1;
	} else if (strcmp(name, "oneOf") == 0) {
		rc = (n->one_of = compile_list(s, f, v, &n->none, err)) ? 0 : -1;
	} else {
		rc = fy_error_set(err, FY_E_INTERNAL, "%s: unsupported schema keyword '%s'", f->name,
				  name);
	}
	if (rc < 0 && err && err->code == FY_E_OK)
		fy_error_set(err, FY_E_INTERNAL, "%s: bad value for '%s'", f->name, name);
out:
	free(name);
	return rc < 0 ? -1 : 0;
}

static struct snode *compile_node(struct fy_schemaset *s, struct sfile *f, uint32_t at,
				  struct fy_error *err)
{
	const struct fy_jdoc *d = &f->doc;
	struct snode *n;
	uint32_t k, key, val, props, req;
	size_t i;

	for (i = 0; i < s->nmemo; i++)
		if (s->memo[i].doc == d && s->memo[i].at == at)
			return s->memo[i].node;
	if (fy_json_type(d, at) == FY_JTRUE || fy_json_type(d, at) == FY_JOBJECT) {
		n = calloc(1, sizeof(*n));
	} else {
		return fy_error_set(err, FY_E_INTERNAL, "%s: a schema must be an object", f->name),
		       NULL;
	}
	if (!n)
		return fy_error_set(err, FY_E_NOMEM, "out of memory"), NULL;
	n->doc = d;
	n->at = at;
	n->const_v = n->enum_v = FY_JNONE;
	n->min_items = n->max_items = n->min_len = n->max_len = -1;
	n->next_alloc = s->nodes;
	s->nodes = n;
	if (s->nmemo == s->capmemo) {
		size_t cap = s->capmemo ? s->capmemo * 2 : 64;
		struct memo *m = realloc(s->memo, cap * sizeof(*m));

		if (!m)
			return fy_error_set(err, FY_E_NOMEM, "out of memory"), NULL;
		s->memo = m;
		s->capmemo = cap;
	}
	s->memo[s->nmemo].doc = d;
	s->memo[s->nmemo].at = at;
	s->memo[s->nmemo++].node = n;
	if (fy_json_type(d, at) == FY_JTRUE)
		return n;
	props = fy_json_get(d, at, "properties");
	if (props != FY_JNONE && compile_properties(s, f, n, props, err) < 0)
		return NULL;
	req = fy_json_get(d, at, "required");
	if (req != FY_JNONE && compile_required(f, n, req, err) < 0)
		return NULL;
	FY_JSON_FOREACH_MEMBER(d, at, k, key, val)
		if (compile_keyword(s, f, n, key, val, err) < 0)
			return NULL;
	return n;
}

/* Whether n checks nothing but (maybe) "type" and "$ref". */
static int checks_little(const struct snode *n)
{
	return n->const_v == FY_JNONE && n->enum_v == FY_JNONE && !n->props &&
	       !n->nextra_required && !n->additional && !n->no_additional && !n->items &&
	       n->min_items < 0 && n->max_items < 0 && n->min_len < 0 && n->max_len < 0 &&
	       !n->has_min && !n->has_max && !n->re && n->format == F_NONE && !n->nall &&
	       !n->nany && !n->none;
}

/*
 * What validation looks at on every record, worked out once: a const or
 * enum of strings decoded (records compare bytes, not JSON values), and
 * whether the node checks the type alone (most leaves: "type": "string").
 */
static int finish_node(struct snode *n, struct fy_error *err)
{
	uint32_t v = n->const_v != FY_JNONE ? n->const_v : n->enum_v, k, el, count;

	n->only_type = !n->ref && checks_little(n);
	if (v == FY_JNONE || (n->const_v != FY_JNONE && n->enum_v != FY_JNONE))
		return 0;
	if (v == n->const_v) {
		if (fy_json_type(n->doc, v) != FY_JSTRING)
			return 0;
		count = 1;
	} else {
		if (fy_json_type(n->doc, v) != FY_JARRAY)
			return 0;
		FY_JSON_FOREACH(n->doc, v, k, el)
			if (fy_json_type(n->doc, el) != FY_JSTRING)
				return 0;
		count = fy_json_len(n->doc, v);
	}
	n->strs = calloc(count ? count : 1, sizeof(*n->strs));
	if (!n->strs)
		return fy_error_set(err, FY_E_NOMEM, "out of memory");
	for (k = 0, el = v == n->const_v ? v : v + 1; k < count; k++, el = fy_json_next(n->doc, el)) {
		n->strs[k].s = fy_json_strdup(n->doc, el, &n->strs[k].len);
		n->nstrs = k + 1;
		if (!n->strs[k].s)
			return fy_error_set(err, FY_E_NOMEM, "out of memory");
	}
	return 0;
}

/* n itself, or what it refers to when it is a bare {"$ref": ...} (with annotations). */
static struct snode *skip_wrapper(struct snode *n)
{
	int hops;

	/* (a cycle of bare wrappers validates nothing: stop going round it) */
	for (hops = 0; hops < 64 && n && n->ref && !n->types && checks_little(n); hops++)
		n = n->ref;
	return n;
}

/* Point n's subschemas past bare $ref wrappers: one call less per value validated. */
static void skip_wrappers(struct snode *n)
{
	uint32_t k;

	n->ref = skip_wrapper(n->ref);
	for (k = 0; k < n->nprops; k++)
		n->props[k].schema = skip_wrapper(n->props[k].schema);
	n->items = skip_wrapper(n->items);
	n->additional = skip_wrapper(n->additional);
	for (k = 0; k < n->nall; k++)
		n->all_of[k] = skip_wrapper(n->all_of[k]);
	for (k = 0; k < n->nany; k++)
		n->any_of[k] = skip_wrapper(n->any_of[k]);
	for (k = 0; k < n->none; k++)
		n->one_of[k] = skip_wrapper(n->one_of[k]);
}

struct fy_schemaset *fy_schemaset_compile(const struct fy_schema_text *texts, size_t n,
					  struct fy_error *err)
{
	struct fy_schemaset *s = calloc(1, sizeof(*s));
	size_t i;
	int k;

	if (!s || !(s->files = calloc(n, sizeof(*s->files)))) {
		free(s);
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		s->files[i].name = strdup(texts[i].name);
		fy_jdoc_init(&s->files[i].doc);
		s->nfiles = i + 1;
		if (!s->files[i].name ||
		    fy_jdoc_parse(&s->files[i].doc, texts[i].text, texts[i].len, 0, err) < 0) {
			fy_error_prefix(err, "schema %s", texts[i].name);
			goto fail;
		}
	}
	for (i = 0; i < n; i++) {
		s->files[i].root = compile_node(s, &s->files[i], 0, err);
		if (!s->files[i].root)
			goto fail;
	}
	/* Dispatch tables need every branch compiled first (refs may be cyclic). */
	{
		struct snode *nd;

		for (nd = s->nodes; nd; nd = nd->next_alloc)
			if (nd->none && setup_dispatch(nd, err) < 0)
				goto fail;
		for (nd = s->nodes; nd; nd = nd->next_alloc)
			if (finish_node(nd, err) < 0)
				goto fail;
		for (nd = s->nodes; nd; nd = nd->next_alloc)
			skip_wrappers(nd);
	}
	for (k = FY_KIND_NONE + 1; k < FY_KIND__COUNT; k++) {
		char fname[64];
		struct sfile *f;

		snprintf(fname, sizeof(fname), "%s.json", fy_kind_name((enum fy_kind)k));
		f = find_file(s, fname, strlen(fname));
		s->by_kind[k] = f ? f->root : NULL;
	}
	return s;
fail:
	if (err && err->code == FY_E_OK)
		fy_error_set(err, FY_E_INTERNAL, "schema compile failed");
	fy_schemaset_free(s);
	return NULL;
}

static struct fy_schemaset *default_set;
static struct fy_error default_err;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

static void compile_default(void)
{
	default_set = fy_schemaset_compile(fy_schema_texts, fy_schema_ntexts, &default_err);
}

const struct fy_schemaset *fy_schemaset_default(struct fy_error *err)
{
	pthread_once(&default_once, compile_default);
	if (!default_set && err)
		*err = default_err;
	return default_set;
}

/* --- validation ------------------------------------------------------- */

/*
 * The path to the value being validated, as the keys and indexes that lead
 * there: pushed and popped on every step of every record, and only turned
 * into text (path_text) for an error message.
 */
struct pseg {
	const char *key;	/* NULL: an array index */
	uint32_t len;		/* the key's length, or the index */
};

#define PATH_SEGS 130		/* JSON nesting is at most 128 deep */

struct vctx {
	const struct fy_jdoc *d;
	struct fy_error *err;
	unsigned flags;
	unsigned depth;
	struct pseg seg[PATH_SEGS];
	char path[512];
};

static void path_append(struct vctx *c, size_t *plen, const char *s, size_t n)
{
	if (*plen + n >= sizeof(c->path))
		n = sizeof(c->path) - 1 - *plen;
	memcpy(c->path + *plen, s, n);
	*plen += n;
	c->path[*plen] = '\0';
}

/* The path as text: "parts[0].text". */
static const char *path_text(struct vctx *c)
{
	size_t plen = 0;
	unsigned k;

	c->path[0] = '\0';
	for (k = 0; k < c->depth && k < PATH_SEGS; k++) {
		const struct pseg *g = &c->seg[k];

		if (g->key) {
			if (plen)
				path_append(c, &plen, ".", 1);
			path_append(c, &plen, g->key, g->len);
		} else {
			char digits[16], *p = digits + sizeof(digits);
			uint32_t i = g->len;

			*--p = ']';
			do {
				*--p = (char)('0' + i % 10);
				i /= 10;
			} while (i);
			*--p = '[';
			path_append(c, &plen, p, (size_t)(digits + sizeof(digits) - p));
		}
	}
	return c->path;
}

static int verr(struct vctx *c, const char *fmt, const char *a)
{
	if (c->depth)
		return fy_error_set(c->err, FY_E_DATA, "field '%s': %s%s", path_text(c), fmt,
				    a ? a : "");
	return fy_error_set(c->err, FY_E_DATA, "record: %s%s", fmt, a ? a : "");
}

static unsigned path_push(struct vctx *c, const char *key, uint32_t len)
{
	if (c->depth < PATH_SEGS) {
		c->seg[c->depth].key = key;
		c->seg[c->depth].len = len;
	}
	return c->depth++;
}

static unsigned path_push_key(struct vctx *c, const char *key, size_t n)
{
	return path_push(c, key, (uint32_t)n);
}

static unsigned path_push_index(struct vctx *c, uint32_t k)
{
	return path_push(c, NULL, k);
}

static void path_pop(struct vctx *c, unsigned old)
{
	c->depth = old;
}

static int json_equal(const struct fy_jdoc *a, uint32_t i, const struct fy_jdoc *b, uint32_t j)
{
	enum fy_jtype ta = fy_json_type(a, i), tb = fy_json_type(b, j);
	uint32_t k, x, y, kx, vx;

	if (ta != tb)
		return 0;
	switch (ta) {
	case FY_JSTRING: {
		size_t la, lb;
		const char *ra = fy_json_raw(a, i, &la), *rb = fy_json_raw(b, j, &lb);
		char *sa;
		int eq;

		if (!fy_json_has_escapes(a, i) && !fy_json_has_escapes(b, j))
			return la == lb && memcmp(ra, rb, la) == 0;
		sa = fy_json_strdup(a, i, NULL);
		eq = sa && fy_json_streq(b, j, sa);
		free(sa);
		return eq;
	}
	case FY_JNUMBER: {
		double da, db;

		return fy_json_double(a, i, &da) == 0 && fy_json_double(b, j, &db) == 0 && da == db;
	}
	case FY_JARRAY:
		if (fy_json_len(a, i) != fy_json_len(b, j))
			return 0;
		for (k = 0, x = i + 1, y = j + 1; k < fy_json_len(a, i);
		     k++, x = fy_json_next(a, x), y = fy_json_next(b, y))
			if (!json_equal(a, x, b, y))
				return 0;
		return 1;
	case FY_JOBJECT:
		if (fy_json_len(a, i) != fy_json_len(b, j))
			return 0;
		FY_JSON_FOREACH_MEMBER(a, i, k, kx, vx) {
			char *key = fy_json_strdup(a, kx, NULL);
			uint32_t vy = key ? fy_json_get(b, j, key) : FY_JNONE;

			free(key);
			if (vy == FY_JNONE || !json_equal(a, vx, b, vy))
				return 0;
		}
		return 1;
	default:
		return 1;
	}
}

static unsigned instance_bits(const struct fy_jdoc *d, uint32_t i)
{
	size_t len;
	const char *s;

	switch (fy_json_type(d, i)) {
	case FY_JNULL: return T_NULL;
	case FY_JTRUE: case FY_JFALSE: return T_BOOL;
	case FY_JSTRING: return T_STRING;
	case FY_JARRAY: return T_ARRAY;
	case FY_JOBJECT: return T_OBJECT;
	case FY_JNUMBER:
		s = fy_json_raw(d, i, &len);
		if (memchr(s, '.', len) || memchr(s, 'e', len) || memchr(s, 'E', len))
			return T_NUMBER;
		return T_NUMBER | T_INTEGER;
	default:
		return 0;
	}
}

static const char *type_name(unsigned bits)
{
	if (bits == T_NULL) return "null";
	if (bits == T_BOOL) return "a boolean";
	if (bits == T_INTEGER) return "an integer";
	if (bits & T_NUMBER) return "a number";
	if (bits == T_STRING) return "a string";
	if (bits == T_ARRAY) return "an array";
	if (bits == T_OBJECT) return "an object";
	if (bits == (T_STRING | T_NULL)) return "a string or null";
	if (bits == (T_OBJECT | T_NULL)) return "an object or null";
	return "another type";
}

static size_t utf8_chars(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

static inline int validate(const struct snode *n, uint32_t i, struct vctx *c);

/* Format "adapter-name": [a-z0-9][a-z0-9-]*, at most 40 characters. */
static int adapter_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 40 || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

static int check_string(const struct snode *n, uint32_t i, struct vctx *c)
{
	const struct fy_jdoc *d = c->d;
	size_t len;
	const char *raw = fy_json_raw(d, i, &len);
	struct fy_buf b = FY_BUF_INIT((size_t)1 << 31);
	const char *s = raw;
	int rc = 0;

	if (n->min_len < 0 && n->max_len < 0 && n->format == F_NONE && !n->re)
		return 0;
	/* regexec needs a NUL-terminated copy; the raw text is not. */
	if (fy_json_has_escapes(d, i) || n->re) {
		if (fy_json_str(d, i, &b, c->err) < 0)
			return -1;
		s = b.ptr ? b.ptr : "";
		len = b.len;
	}
	if (n->min_len >= 0 || n->max_len >= 0) {
		size_t chars = utf8_chars(s, len);

		if (n->min_len >= 0 && chars < (size_t)n->min_len)
			rc = verr(c, chars ? "too short" : "must not be empty", NULL);
		else if (n->max_len >= 0 && chars > (size_t)n->max_len)
			rc = verr(c, "longer than allowed", NULL);
	}
	if (rc == 0 && n->format == F_DATETIME) {
		int64_t sec;
		int32_t nsec;

		if (fy_time_parse(s, len, &sec, &nsec) < 0)
			rc = verr(c, "not an RFC 3339 UTC time (like 2024-05-01T12:00:00Z)", NULL);
	} else if (rc == 0 && n->format == F_ID) {
		if (!fy_id_valid(s, len))
			rc = verr(c, "not a valid ferry id ([A-Za-z0-9._~-], 1-200 characters)", NULL);
	} else if (rc == 0 && n->format == F_SHA256) {
		if (!fy_is_sha256_hex(s, len))
			rc = verr(c, "not a SHA-256 (64 lower-case hex digits)", NULL);
	} else if (rc == 0 && n->format == F_ADAPTER) {
		if (!adapter_name(s, len))
			rc = verr(c, "not an adapter name ([a-z0-9-], 1-40 characters)", NULL);
	}
	if (rc == 0 && n->re) {
		if (memchr(s, '\0', len) || regexec(n->re, s, 0, NULL, 0) != 0)
			rc = verr(c, "does not match the required pattern", NULL);
	}
	fy_buf_release(&b);
	return rc;
}

static int check_object(const struct snode *n, uint32_t i, struct vctx *c)
{
	const struct fy_jdoc *d = c->d;
	unsigned char seen_small[64], *seen = seen_small;
	uint32_t k, key, val, p, required = 0;
	int rc = 0;

	if (n->nprops > sizeof(seen_small)) {
		seen = calloc(n->nprops, 1);
		if (!seen)
			return fy_error_set(c->err, FY_E_NOMEM, "out of memory");
	} else {
		memset(seen, 0, n->nprops);
	}
	FY_JSON_FOREACH_MEMBER(d, i, k, key, val) {
		size_t klen;
		const char *kraw = fy_json_raw(d, key, &klen);
		const struct snode *ps = NULL;
		uint32_t lo = 0, hi = n->nprops;
		unsigned old;

		/* Keys with escapes are rare; compare those by decoded text. */
		if (fy_json_has_escapes(d, key)) {
			for (p = 0; p < n->nprops; p++)
				if (fy_json_streq(d, key, n->props[p].name)) {
					ps = n->props[p].schema;
					required += n->props[p].required && !seen[p];
					seen[p] = 1;
					break;
				}
		} else {
			/*
			 * Properties are sorted by length, then bytes (see cmp_prop):
			 * skip to the run of the right length, then compare.
			 */
			while (lo < hi) {
				uint32_t mid = (lo + hi) / 2;

				if (n->props[mid].len < klen)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (; lo < n->nprops && n->props[lo].len == klen; lo++)
				if ((!klen || n->props[lo].name[0] == kraw[0]) &&
				    memcmp(kraw, n->props[lo].name, klen) == 0) {
					ps = n->props[lo].schema;
					required += n->props[lo].required && !seen[lo];
					seen[lo] = 1;
					break;
				}
		}
		old = path_push_key(c, kraw, klen);
		if (ps)
			rc = validate(ps, val, c);
		else if (n->no_additional)
			rc = verr(c, "unexpected field", NULL);
		else if (n->additional)
			rc = validate(n->additional, val, c);
		path_pop(c, old);
		if (rc < 0)
			goto out;
	}
	/* Every required property was seen (the usual case): nothing to look for. */
	for (p = 0; p < n->nprops && required < n->nrequired; p++)
		if (n->props[p].required && !seen[p]) {
			unsigned old = path_push_key(c, n->props[p].name, n->props[p].len);

			rc = fy_error_set(c->err, FY_E_DATA, "missing required field '%s'",
					  path_text(c));
			path_pop(c, old);
			goto out;
		}
	for (p = 0; p < n->nextra_required; p++)
		if (fy_json_get(d, i, n->extra_required[p]) == FY_JNONE) {
			unsigned old = path_push_key(c, n->extra_required[p],
						     strlen(n->extra_required[p]));

			rc = fy_error_set(c->err, FY_E_DATA, "missing required field '%s'",
					  path_text(c));
			path_pop(c, old);
			goto out;
		}
out:
	if (seen != seen_small)
		free(seen);
	return rc;
}

static int check_one_of(const struct snode *n, uint32_t i, struct vctx *c)
{
	const struct fy_jdoc *d = c->d;
	struct fy_error scratch, *err = c->err;
	uint32_t k, matches = 0;

	if (n->disc_key) {
		uint32_t dv = fy_json_getn(d, i, n->disc_key, n->disc_len);

		if (dv == FY_JNONE || fy_json_type(d, dv) != FY_JSTRING)
			return 0;	/* "required"/"type" report this more clearly */
		for (k = 0; k < n->none; k++)
			if (fy_json_streqn(d, dv, n->disc_vals[k], n->disc_lens[k]))
				return validate(n->one_of[k], i, c);
		if (c->flags & FY_SCHEMA_LENIENT)
			return 0;
		{
			char *v = fy_json_strdup(d, dv, NULL);
			unsigned old = path_push_key(c, n->disc_key, n->disc_len);
			int rc = fy_error_set(c->err, FY_E_DATA, "field '%s': unknown value '%s'",
					      path_text(c), v ? v : "");

			path_pop(c, old);
			free(v);
			return rc;
		}
	}
	/* Each branch on its own: their errors are not the record's. */
	c->err = &scratch;
	for (k = 0; k < n->none; k++)
		if (validate(n->one_of[k], i, c) == 0)
			matches++;
	c->err = err;
	if (matches != 1)
		return verr(c, matches ? "matches more than one allowed form" :
				 "matches none of the allowed forms", NULL);
	return 0;
}

/* Whether i is a string equal to one of n->strs. */
static int in_strs(const struct snode *n, const struct fy_jdoc *d, uint32_t i)
{
	uint32_t k;

	for (k = 0; k < n->nstrs; k++)
		if (fy_json_streqn(d, i, n->strs[k].s, n->strs[k].len))
			return 1;
	return 0;
}

static int validate_all(const struct snode *n, uint32_t i, struct vctx *c);

/* Most schema nodes check the type alone: that much needs no call. */
static inline int validate(const struct snode *n, uint32_t i, struct vctx *c)
{
	if (!n->only_type)
		return validate_all(n, i, c);
	if (n->types && !(n->types & instance_bits(c->d, i)))
		return verr(c, "expected ", type_name(n->types));
	return 0;
}

static int validate_all(const struct snode *n, uint32_t i, struct vctx *c)
{
	const struct fy_jdoc *d = c->d;
	uint32_t k, el;

	if (n->ref && validate(n->ref, i, c) < 0)
		return -1;
	if (n->types && !(n->types & instance_bits(d, i)))
		return verr(c, "expected ", type_name(n->types));
	if (n->const_v != FY_JNONE &&
	    !(n->nstrs ? in_strs(n, d, i) : json_equal(d, i, n->doc, n->const_v))) {
		size_t len;
		const char *raw = fy_json_raw(n->doc, n->const_v, &len);
		char want[96];

		snprintf(want, sizeof(want), "%.*s", (int)(len < 80 ? len : 80), raw);
		return verr(c, "must be ", want);
	}
	if (n->enum_v != FY_JNONE) {
		int found = n->nstrs && in_strs(n, d, i);

		if (!n->nstrs)
			FY_JSON_FOREACH(n->doc, n->enum_v, k, el)
				if (json_equal(d, i, n->doc, el)) {
					found = 1;
					break;
				}
		if (!found) {
			char *v = fy_json_type(d, i) == FY_JSTRING ? fy_json_strdup(d, i, NULL) : NULL;
			char msg[160];

			snprintf(msg, sizeof(msg), "'%.100s' is not an allowed value", v ? v : "value");
			free(v);
			return verr(c, msg, NULL);
		}
	}
	switch (fy_json_type(d, i)) {
	case FY_JSTRING:
		if (check_string(n, i, c) < 0)
			return -1;
		break;
	case FY_JNUMBER:
		if (n->has_min || n->has_max) {
			double v;

			if (fy_json_double(d, i, &v) < 0 || (n->has_min && v < n->minimum) ||
			    (n->has_max && v > n->maximum))
				return verr(c, "number out of range", NULL);
		}
		break;
	case FY_JARRAY:
		if (n->min_items >= 0 && fy_json_len(d, i) < (uint32_t)n->min_items)
			return verr(c, "too few items", NULL);
		if (n->max_items >= 0 && fy_json_len(d, i) > (uint64_t)n->max_items)
			return verr(c, "too many items", NULL);
		if (n->items)
			FY_JSON_FOREACH(d, i, k, el) {
				unsigned old = path_push_index(c, k);
				int rc = validate(n->items, el, c);

				path_pop(c, old);
				if (rc < 0)
					return -1;
			}
		break;
	case FY_JOBJECT:
		if ((n->nprops || n->nextra_required || n->no_additional || n->additional) &&
		    check_object(n, i, c) < 0)
			return -1;
		break;
	default:
		break;
	}
	for (k = 0; k < n->nall; k++)
		if (validate(n->all_of[k], i, c) < 0)
			return -1;
	if (n->nany) {
		struct fy_error scratch, *err = c->err;
		int ok = 0;

		c->err = &scratch;
		for (k = 0; k < n->nany && !ok; k++)
			ok = validate(n->any_of[k], i, c) == 0;
		c->err = err;
		if (!ok)
			return verr(c, "matches none of the allowed forms", NULL);
	}
	if (n->none && check_one_of(n, i, c) < 0)
		return -1;
	return 0;
}

int fy_schema_validate(const struct fy_schemaset *s, const char *name, const struct fy_jdoc *d,
		       uint32_t root, unsigned flags, struct fy_error *err)
{
	struct vctx c;
	size_t i;

	for (i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i].name, name) == 0)
			break;
	if (i == s->nfiles)
		return fy_error_set(err, FY_E_INTERNAL, "no schema named %s", name);
	c.d = d;
	c.err = err;
	c.flags = flags;
	c.depth = 0;
	return validate(s->files[i].root, root, &c);
}

int fy_schema_validate_kind(const struct fy_schemaset *s, enum fy_kind kind,
			    const struct fy_jdoc *d, uint32_t root, unsigned flags,
			    struct fy_error *err)
{
	struct vctx c;

	if (kind <= FY_KIND_NONE || kind >= FY_KIND__COUNT || !s->by_kind[kind])
		return fy_error_set(err, FY_E_INTERNAL, "no schema for this kind");
	c.d = d;
	c.err = err;
	c.flags = flags;
	c.depth = 0;
	return validate(s->by_kind[kind], root, &c);
}
