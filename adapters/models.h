/*
 * models.h - the model policy: which model an agent runs on at a target.
 *
 * A policy file (JSON; the format is documented in policy/models.json,
 * which is also the built-in default, compiled in) lists models with
 * their capabilities and the platforms that offer them, and rules that
 * map a source model to a model per target platform. Mapping:
 *   1. the target platform offers the model under that name: kept;
 *   2. else the first rule whose "from" pattern (fnmatch, case-sensitive;
 *      also tried on the part after the last '/', so "openai/gpt-4.1"
 *      matches "gpt-4.1") names a model for the platform: mapped;
 *   3. else unmapped: an error for the caller to report, naming the model
 *      and the policy file to edit. Never a silent fallback.
 * A mapped model whose capabilities are known on both sides is checked:
 * a smaller context window, or tool calling, vision, structured output or
 * reasoning the source has and the target lacks, is a degradation.
 */
#ifndef FY_MODELS_H
#define FY_MODELS_H

#include <stdint.h>

#include "error.h"

struct fy_model_policy;

/* Capabilities of one model; -1 = unknown. */
struct fy_model_caps {
	int64_t context;
	int tools, vision, structured_output, reasoning;
};

/*
 * Load a policy: path NULL takes $FERRY_MODEL_POLICY if set, else the
 * built-in one. FY_E_IO / FY_E_DATA name the file and what is wrong.
 */
struct fy_model_policy *fy_model_policy_load(const char *path, struct fy_error *err);
/* Parse a policy held in memory; origin names it in messages. */
struct fy_model_policy *fy_model_policy_parse(const char *text, size_t len, const char *origin,
					      struct fy_error *err);
void fy_model_policy_free(struct fy_model_policy *p);

/* Where it came from: a path, or "the built-in policy (policy/models.json)". Borrowed. */
const char *fy_model_policy_origin(const struct fy_model_policy *p);
/* 1 when the policy names this platform anywhere. */
int fy_model_policy_has_platform(const struct fy_model_policy *p, const char *platform);
/* The platform's embedding model, or NULL (none, or unknown platform). Borrowed. */
const char *fy_model_policy_embedding(const struct fy_model_policy *p, const char *platform);
/* Capabilities of a model by name (or its part after the last '/'); 0 or -1 if unknown. */
int fy_model_policy_caps(const struct fy_model_policy *p, const char *name,
			 struct fy_model_caps *caps);

enum fy_model_result {
	FY_MODEL_KEPT = 0,	/* the platform offers it as named */
	FY_MODEL_MAPPED,	/* a rule names another model */
	FY_MODEL_UNMAPPED,	/* no rule: the caller must stop (or the user accepts the loss) */
};

struct fy_model_mapping {
	enum fy_model_result result;
	const char *to;		/* borrowed: the target model (the name itself when kept) */
	const char *rule;	/* borrowed: the rule id, or NULL */
	char lost[512];		/* what the target model lacks, "" when nothing or unchecked */
	int checked;		/* both models' capabilities were known */
};

/*
 * Map model name for platform. uses_tools / uses_structured tell what the
 * agent relies on (a tool list, a json_schema response format): those
 * capabilities are checked only when used; context, vision and reasoning
 * always. Returns 0 (see m->result).
 */
int fy_model_map(const struct fy_model_policy *p, const char *name, const char *platform,
		 int uses_tools, int uses_structured, struct fy_model_mapping *m);

#endif
