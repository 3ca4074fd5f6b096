// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat: the context (options, the chosen sources, the last
 * error). Choosing and loading the sources is backend.c's; errors are
 * error.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "source.h"

DMABUFSTAT_API const char *dmabufstat_version(void)
{
	return DMABUFSTAT_VERSION_STRING;
}

DMABUFSTAT_API struct dmabufstat *
dmabufstat_new(const struct dmabufstat_opts *opts)
{
	struct dmabufstat *ds = calloc(1, sizeof(*ds));

	if (!ds)
		return NULL;
	if (opts) {
		size_t sz = opts->sz < sizeof(ds->opts) ? opts->sz :
							  sizeof(ds->opts);

		memcpy(&ds->opts, opts, sz);
	}
	ds->opts.sz = sizeof(ds->opts);
	ds->pin_dir = strdup(ds->opts.pin_dir ?: DMABUFSTAT_PIN_DIR);
	ds->opts.pin_dir = NULL;	/* the caller's: not kept */
	if (!ds->pin_dir) {
		free(ds);
		return NULL;
	}
	strcpy(ds->backend_name, "auto");
	return ds;
}

DMABUFSTAT_API void dmabufstat_free(struct dmabufstat *ds)
{
	if (!ds)
		return;
	totals_release(ds);
	backend_release(ds);
	free(ds->pin_dir);
	free(ds);
}
