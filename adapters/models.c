/*
 * models.c - the model policy. See models.h; the format is documented in
 * policy/models.json. Parsed with jansson: a policy is small and read once.
 */
#include "models.h"

#include <errno.h>
#include <fnmatch.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char fy_model_policy_default[];
extern const size_t fy_model_policy_default_len;

struct model {
	const char *name;		/* borrowed from the JSON tree */
	const char **platforms;
	size_t nplatforms;
	struct fy_model_caps caps;
};

struct rule {
	const char *id;
	const char **from;
	size_t nfrom;
	json_t *to;			/* borrowed: object platform -> model */
};

struct fy_model_policy {
	json_t *root;
	char *origin;
	struct model *models;
	size_t nmodels;
	struct rule *rules;
	size_t nrules;
	json_t *platforms;		/* borrowed: object, or NULL */
};

void fy_model_policy_free(struct fy_model_policy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nmodels; i++)
		free(p->models[i].platforms);
	for (i = 0; i < p->nrules; i++)
		free(p->rules[i].from);
	free(p->models);
	free(p->rules);
	free(p->origin);
	json_decref(p->root);
	free(p);
}

static int get_bool(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_boolean(v) ? json_is_true(v) : -1;
}

/* An array of strings (or one string) into a new array of borrowed pointers. */
static int strings(json_t *v, const char ***out, size_t *n)
{
	size_t i;

	*out = NULL;
	*n = 0;
	if (json_is_string(v)) {
		*out = malloc(sizeof(char *));
		if (!*out)
			return -1;
		(*out)[0] = json_string_value(v);
		*n = 1;
		return 0;
	}
	if (!json_is_array(v))
		return -1;
	*out = calloc(json_array_size(v) + 1, sizeof(char *));
	if (!*out)
		return -1;
	for (i = 0; i < json_array_size(v); i++) {
		if (!json_is_string(json_array_get(v, i)))
			return -1;
		(*out)[(*n)++] = json_string_value(json_array_get(v, i));
	}
	return 0;
}

struct fy_model_policy *fy_model_policy_parse(const char *text, size_t len, const char *origin,
					      struct fy_error *err)
{
	struct fy_model_policy *p = calloc(1, sizeof(*p));
	json_error_t je;
	json_t *models, *rules, *fmt;
	size_t i;

	if (!p || !(p->origin = strdup(origin))) {
		free(p);
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		return NULL;
	}
	p->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!p->root) {
		fy_error_set(err, FY_E_DATA, "%s: line %d: %s", origin, je.line, je.text);
		goto fail;
	}
	fmt = json_object_get(p->root, "format");
	if (!json_is_string(fmt) || strcmp(json_string_value(fmt), "ferry-model-policy") != 0 ||
	    json_integer_value(json_object_get(p->root, "version")) != 1) {
		fy_error_set(err, FY_E_DATA,
			     "%s: not a model policy (\"format\": \"ferry-model-policy\", \"version\": 1)",
			     origin);
		goto fail;
	}
	p->platforms = json_object_get(p->root, "platforms");
	models = json_object_get(p->root, "models");
	rules = json_object_get(p->root, "rules");
	if (!json_is_array(models) || !json_is_array(rules)) {
		fy_error_set(err, FY_E_DATA, "%s: \"models\" and \"rules\" must be arrays", origin);
		goto fail;
	}
	p->models = calloc(json_array_size(models) + 1, sizeof(*p->models));
	p->rules = calloc(json_array_size(rules) + 1, sizeof(*p->rules));
	if (!p->models || !p->rules) {
		fy_error_set(err, FY_E_NOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < json_array_size(models); i++) {
		json_t *m = json_array_get(models, i), *ctx = json_object_get(m, "context");
		struct model *d = &p->models[p->nmodels];

		if (!json_is_string(json_object_get(m, "name")) ||
		    strings(json_object_get(m, "platforms"), &d->platforms, &d->nplatforms) < 0) {
			p->nmodels++;
			fy_error_set(err, FY_E_DATA,
				     "%s: models[%zu]: needs \"name\" and \"platforms\" (strings)", origin, i);
			goto fail;
		}
		p->nmodels++;
		d->name = json_string_value(json_object_get(m, "name"));
		d->caps.context = json_is_integer(ctx) ? json_integer_value(ctx) : -1;
		d->caps.tools = get_bool(m, "tools");
		d->caps.vision = get_bool(m, "vision");
		d->caps.structured_output = get_bool(m, "structured_output");
		d->caps.reasoning = get_bool(m, "reasoning");
	}
	for (i = 0; i < json_array_size(rules); i++) {
		json_t *r = json_array_get(rules, i);
		struct rule *d = &p->rules[p->nrules];

		if (!json_is_string(json_object_get(r, "id")) ||
		    strings(json_object_get(r, "from"), &d->from, &d->nfrom) < 0 ||
		    !json_is_object(json_object_get(r, "to"))) {
			p->nrules++;
			fy_error_set(err, FY_E_DATA,
				     "%s: rules[%zu]: needs \"id\", \"from\" (patterns) and \"to\" (platform: model)",
				     origin, i);
			goto fail;
		}
		p->nrules++;
		d->id = json_string_value(json_object_get(r, "id"));
		d->to = json_object_get(r, "to");
	}
	return p;
fail:
	fy_model_policy_free(p);
	return NULL;
}

struct fy_model_policy *fy_model_policy_load(const char *path, struct fy_error *err)
{
	struct fy_model_policy *p;
	FILE *f;
	char *text = NULL;
	size_t len = 0, cap = 0;

	if (!path)
		path = getenv("FERRY_MODEL_POLICY");
	if (!path || !*path)
		return fy_model_policy_parse(fy_model_policy_default, fy_model_policy_default_len,
					     "the built-in policy (policy/models.json)", err);
	f = fopen(path, "rb");
	if (!f) {
		fy_error_errno(err, errno, "%s", path);
		return NULL;
	}
	for (;;) {
		size_t n;

		if (len + 65536 > cap) {
			char *t;

			if (cap > (64u << 20)) {
				fy_error_set(err, FY_E_DATA, "%s: larger than 64 MiB", path);
				goto fail;
			}
			cap = cap ? cap * 2 : 65536 * 2;
			t = realloc(text, cap);
			if (!t) {
				fy_error_set(err, FY_E_NOMEM, "out of memory");
				goto fail;
			}
			text = t;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fy_error_set(err, FY_E_IO, "%s: read error", path);
		goto fail;
	}
	fclose(f);
	p = fy_model_policy_parse(text ? text : "", len, path, err);
	free(text);
	return p;
fail:
	fclose(f);
	free(text);
	return NULL;
}

const char *fy_model_policy_origin(const struct fy_model_policy *p)
{
	return p->origin;
}

int fy_model_policy_has_platform(const struct fy_model_policy *p, const char *platform)
{
	size_t i, j;

	if (json_object_get(p->platforms, platform))
		return 1;
	for (i = 0; i < p->nmodels; i++)
		for (j = 0; j < p->models[i].nplatforms; j++)
			if (strcmp(p->models[i].platforms[j], platform) == 0)
				return 1;
	for (i = 0; i < p->nrules; i++)
		if (json_object_get(p->rules[i].to, platform))
			return 1;
	return 0;
}

const char *fy_model_policy_embedding(const struct fy_model_policy *p, const char *platform)
{
	json_t *v = json_object_get(json_object_get(p->platforms, platform), "embedding");

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *base_name(const char *name)
{
	const char *s = strrchr(name, '/');

	return s ? s + 1 : name;
}

static const struct model *find_model(const struct fy_model_policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nmodels; i++)
		if (strcmp(p->models[i].name, name) == 0)
			return &p->models[i];
	for (i = 0; i < p->nmodels; i++)
		if (strcmp(p->models[i].name, base_name(name)) == 0)
			return &p->models[i];
	return NULL;
}

int fy_model_policy_caps(const struct fy_model_policy *p, const char *name,
			 struct fy_model_caps *caps)
{
	const struct model *m = find_model(p, name);

	if (!m)
		return -1;
	*caps = m->caps;
	return 0;
}

static int offered(const struct model *m, const char *platform)
{
	size_t j;

	for (j = 0; m && j < m->nplatforms; j++)
		if (strcmp(m->platforms[j], platform) == 0)
			return 1;
	return 0;
}

static void lose(struct fy_model_mapping *m, const char *what)
{
	size_t n = strlen(m->lost);

	snprintf(m->lost + n, sizeof(m->lost) - n, "%s%s", n ? "; " : "", what);
}

int fy_model_map(const struct fy_model_policy *p, const char *name, const char *platform,
		 int uses_tools, int uses_structured, struct fy_model_mapping *m)
{
	const struct model *src = find_model(p, name), *dst;
	size_t i, j;

	memset(m, 0, sizeof(*m));
	if (offered(src, platform)) {
		m->result = FY_MODEL_KEPT;
		m->to = name;
		return 0;
	}
	m->result = FY_MODEL_UNMAPPED;
	for (i = 0; i < p->nrules && m->result == FY_MODEL_UNMAPPED; i++) {
		json_t *to = json_object_get(p->rules[i].to, platform);

		if (!json_is_string(to))
			continue;
		for (j = 0; j < p->rules[i].nfrom; j++)
			if (fnmatch(p->rules[i].from[j], name, 0) == 0 ||
			    fnmatch(p->rules[i].from[j], base_name(name), 0) == 0) {
				m->result = FY_MODEL_MAPPED;
				m->to = json_string_value(to);
				m->rule = p->rules[i].id;
				break;
			}
	}
	if (m->result != FY_MODEL_MAPPED)
		return 0;
	dst = find_model(p, m->to);
	if (!src || !dst)
		return 0;
	m->checked = 1;
	if (src->caps.context > 0 && dst->caps.context > 0 && dst->caps.context < src->caps.context) {
		char b[128];

		snprintf(b, sizeof(b), "context window %lld -> %lld tokens",
			 (long long)src->caps.context, (long long)dst->caps.context);
		lose(m, b);
	}
	if (uses_tools && src->caps.tools == 1 && dst->caps.tools == 0)
		lose(m, "no tool calling");
	if (src->caps.vision == 1 && dst->caps.vision == 0)
		lose(m, "no image input");
	if (uses_structured && src->caps.structured_output == 1 && dst->caps.structured_output == 0)
		lose(m, "no structured output");
	if (src->caps.reasoning == 1 && dst->caps.reasoning == 0)
		lose(m, "no reasoning mode");
	return 0;
}
