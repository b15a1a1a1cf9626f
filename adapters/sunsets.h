/*
 * sunsets.h - announced API sunsets that can strand state at a vendor.
 *
 * A dated table in code (sunsets.c), each line with the provider's own
 * announcement as its source. `ferry audit` lists the lines that concern
 * an archive: by the adapter that exported it, by provider ids its records
 * carry (source.id prefixes such as "asst_"), or by the models its agents
 * run on. Keep it sorted by date; add a line when a provider announces one.
 */
#ifndef FY_SUNSETS_H
#define FY_SUNSETS_H

#include <stddef.h>

struct fy_sunset {
	const char *provider;	/* "OpenAI" */
	const char *what;	/* "Assistants API (assistants, threads, runs)" */
	const char *date;	/* YYYY-MM-DD, or NULL when announced without a date */
	const char *event;	/* "shut down", "closed to new customers", "retired", ... */
	const char *source;	/* the announcement */
	const char *adapters;	/* source adapters it concerns, space-separated, or NULL */
	const char *id_prefixes; /* provider id prefixes (source.id) that show it, or NULL */
	const char *models;	/* fnmatch patterns of agent model names, or NULL */
	const char *advice;	/* what to do */
};

extern const struct fy_sunset fy_sunsets[];
extern const size_t fy_nsunsets;

#endif
