/* SPDX-License-Identifier: GPL-2.0 */
/* dump: Android's dmabuf_dump layouts over a libdmabufstat snapshot. */
#ifndef __DMABUFSTAT_DUMP_H
#define __DMABUFSTAT_DUMP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "libdmabufstat.h"

struct dump_opts {
	bool all;		/* -a: buffer x process grid */
	bool per_buffer;	/* -b: per-buffer, per-exporter, totals */
	bool csv;		/* -o csv */
	uint32_t pid;		/* PID argument; 0: every process */
};

/* Prints the dump; returns 0 or -errno (ENOMEM, or a write error). */
int dump_print(FILE *f, const struct dmabufstat_snapshot *snap,
	       const struct dump_opts *o);

#endif /* __DMABUFSTAT_DUMP_H */
