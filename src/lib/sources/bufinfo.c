// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat source "bufinfo": every buffer from debugfs
 * dma_buf/bufinfo (size, exporter, name, file count, attached devices).
 * Needs debugfs mounted and readable (root).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "source.h"
#include "readfile.h"
#include "parse.h"

#define BUFINFO_PATH	"/sys/kernel/debug/dma_buf/bufinfo"

static int bufinfo_probe(struct dmabufstat *ds, bool named, void **state)
{
	int err;

	(void)state;
	if (!access(BUFINFO_PATH, R_OK))
		return 0;
	err = -errno;
	if (!named)
		return ds_err(ds, DMABUFSTAT_E_NO_SOURCE, err,
			      "no readable " BUFINFO_PATH);
	return ds_err(ds, err == -EACCES ? DMABUFSTAT_E_PERM :
		      DMABUFSTAT_E_NO_SOURCE, err,
		      "cannot read %s: %s (mount debugfs; needs root)",
		      BUFINFO_PATH, strerror(-err));
}

static int bufinfo_collect(struct dmabufstat *ds, void *state,
			   struct collect *c)
{
	char *text;
	int err;

	(void)state;
	err = read_whole(BUFINFO_PATH, &text, NULL);
	if (err)
		return ds_err(ds, err == -EACCES || err == -EPERM ?
			      DMABUFSTAT_E_PERM : DMABUFSTAT_E_NO_SOURCE, err,
			      "cannot read %s: %s", BUFINFO_PATH,
			      strerror(-err));
	err = parse_bufinfo(text, c);
	free(text);
	if (err == -ENOMEM)
		return ds_nomem(ds);
	if (err)
		return ds_err(ds, DMABUFSTAT_E_OTHER, err,
			      "%s: cannot parse a buffer line", BUFINFO_PATH);
	c->bufs_have_names = true;
	c->bufs_have_attach = true;
	return 0;
}

const struct ds_source ds_src_bufinfo = {
	.name = "bufinfo",
	.kind = DS_SRC_BUFFERS,
	.id = DMABUFSTAT_BUF_BUFINFO,
	.probe = bufinfo_probe,
	.collect = bufinfo_collect,
};
