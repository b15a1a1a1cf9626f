/*
 * registry.c - every adapter, in one table (libarchive's
 * archive_write_set_format_by_name.c shape: a list and a short lookup).
 */
#include "registry.h"

#include <string.h>

#define ADAPTER(name) extern const struct fy_adapter fy_adapter_##name;
#include "adapters.def"
#undef ADAPTER

const struct fy_adapter *const fy_adapters[] = {
#define ADAPTER(name) &fy_adapter_##name,
#include "adapters.def"
#undef ADAPTER
	NULL,
};

const struct fy_adapter *fy_adapter_find(const char *name, size_t n)
{
	size_t i;

	for (i = 0; fy_adapters[i]; i++)
		if (strlen(fy_adapters[i]->name) == n && memcmp(fy_adapters[i]->name, name, n) == 0)
			return fy_adapters[i];
	return NULL;
}

int fy_location_parse(const char *spec, const struct fy_adapter **ad, const char **location,
		      struct fy_error *err)
{
	const char *colon = strchr(spec, ':');

	if (!colon || colon == spec)
		return fy_error_set(err, FY_E_USAGE,
				    "'%s' is not ADAPTER:LOCATION (for example dir:./tree)", spec);
	*ad = fy_adapter_find(spec, (size_t)(colon - spec));
	if (!*ad)
		return fy_error_set(err, FY_E_UNSUPPORTED,
				    "unknown adapter '%.*s' (see 'ferry adapters')",
				    (int)(colon - spec), spec);
	*location = colon + 1;
	return 0;
}

const char *fy_adapter_option(const struct fy_adapter_ctx *ctx, const char *key)
{
	size_t i, n = strlen(key);

	for (i = 0; i < ctx->noptions; i++)
		if (strncmp(ctx->options[i], key, n) == 0 && ctx->options[i][n] == '=')
			return ctx->options[i] + n + 1;
	return NULL;
}
