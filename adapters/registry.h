/*
 * registry.h - the table of adapters, and parsing "ADAPTER:LOCATION".
 */
#ifndef FY_REGISTRY_H
#define FY_REGISTRY_H

#include "adapter.h"

/* NULL-terminated, in the order `ferry adapters` lists them. */
extern const struct fy_adapter *const fy_adapters[];

const struct fy_adapter *fy_adapter_find(const char *name, size_t n);

/*
 * Split "name:location" and find the adapter. *location points into spec.
 * FY_E_USAGE for a missing colon, FY_E_UNSUPPORTED for an unknown name.
 */
int fy_location_parse(const char *spec, const struct fy_adapter **ad, const char **location,
		      struct fy_error *err);

#endif
