// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat source "none": no process walk (buffers and totals only;
 * every buffer then counts as kernel-only). Only when asked for by name.
 */
#include "source.h"

static int no_procs_collect(struct dmabufstat *ds, void *state,
			    struct collect *c)
{
	(void)ds;
	(void)state;
	c->flags |= DMABUFSTAT_SNAP_NO_PROCS;
	return 0;
}

const struct ds_source ds_src_no_procs = {
	.name = "none",
	.kind = DS_SRC_PROCESSES,
	.id = DMABUFSTAT_PROC_NONE,
	.flags = DS_SRC_NAMED,
	.collect = no_procs_collect,
};
