// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat source "procs": no buffer source at all. The buffers are
 * those the process source finds held, with what it reports of them;
 * buffers no process holds are not seen (DMABUFSTAT_SNAP_NO_KERNEL_ONLY).
 * Always usable: AUTO's last resort.
 */
#include "source.h"

/* the snapshot adds each referenced buffer itself (build.c) */
static int procs_collect(struct dmabufstat *ds, void *state,
			 struct collect *c)
{
	(void)ds;
	(void)state;
	c->flags |= DMABUFSTAT_SNAP_NO_KERNEL_ONLY;
	return 0;
}

const struct ds_source ds_src_procs = {
	.name = "procs",
	.kind = DS_SRC_BUFFERS,
	.id = DMABUFSTAT_BUF_PROCS,
	.collect = procs_collect,
};
