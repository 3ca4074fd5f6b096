/* SPDX-License-Identifier: GPL-2.0 */
/* prometheus: the snapshot in Prometheus' text exposition format 0.0.4. */
#ifndef __DMABUFSTAT_PROMETHEUS_H
#define __DMABUFSTAT_PROMETHEUS_H

#include <stddef.h>
#include <stdio.h>

#include "libdmabufstat.h"

#define PROM_TEXTFILE_NAME "dmabufstat.prom"

struct prom_opts {
	size_t top;		/* per-process series: the N largest by rss */
};

int prom_write(FILE *f, const struct dmabufstat_snapshot *snap,
	       const struct prom_opts *o);
/*
 * Writes DIR/dmabufstat.prom atomically: a temporary file in DIR (not
 * named *.prom, so node_exporter's textfile collector ignores it), fsync,
 * rename. Returns 0 or -errno.
 */
int prom_write_textfile(const char *dir,
			const struct dmabufstat_snapshot *snap,
			const struct prom_opts *o);

#endif /* __DMABUFSTAT_PROMETHEUS_H */
