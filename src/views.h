/* SPDX-License-Identifier: GPL-2.0 */
/*
 * views: turn a libdmabufstat snapshot into the documents the dmabufstat
 * commands print (summary, buffers, exporters, procs, devices, uids,
 * cgroups), with the filters and sort order of the command line.
 */
#ifndef __DMABUFSTAT_VIEWS_H
#define __DMABUFSTAT_VIEWS_H

#include <stdbool.h>
#include <stdint.h>

#include "libdmabufstat.h"
#include "output.h"

#define VIEW_MAX_PIDS 256

struct view_opts {
	const char *sort;	/* -s: a column key, or NULL for the default */
	size_t rows;		/* -r: 0 is all */
	uint32_t pids[VIEW_MAX_PIDS];	/* -p and procs' PID arguments */
	size_t nr_pids;
	bool has_uid;
	uint32_t uid;
	bool has_cgroup;
	uint64_t cgroup;
};

enum view_kind {
	VIEW_SUMMARY,
	VIEW_BUFFERS,
	VIEW_EXPORTERS,
	VIEW_PROCS,
	VIEW_DEVICES,
	VIEW_UIDS,
	VIEW_CGROUPS,
};

/*
 * Fills doc for the view. Returns 0; -EINVAL when -s names no column of
 * the view (*bad_sort then lists the valid keys, static storage); -ENOMEM.
 */
int view_build(enum view_kind kind, const struct dmabufstat_snapshot *snap,
	       const struct view_opts *opts, struct out_doc *doc,
	       const char **bad_sort);

/* True if any of -p, --uid, --cgroup is given. */
bool view_filtered(const struct view_opts *opts);

#endif /* __DMABUFSTAT_VIEWS_H */
