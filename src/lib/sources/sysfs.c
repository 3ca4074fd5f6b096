// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat source "sysfs": every buffer from CONFIG_DMABUF_SYSFS_STATS
 * (/sys/kernel/dmabuf/buffers/<ino>/{size,exporter_name}): size and
 * exporter only; names, file counts and attachments come from the process
 * walk where a process holds the buffer. Gone after Linux 6.18.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "source.h"
#include "readfile.h"
#include "parse.h"

#define SYSFS_DIR	"/sys/kernel/dmabuf/buffers"

static int sysfs_probe(struct dmabufstat *ds, bool named, void **state)
{
	struct stat st;

	(void)state;
	if (!stat(SYSFS_DIR, &st))
		return 0;
	if (named)
		return ds_err(ds, DMABUFSTAT_E_NO_SOURCE, -errno,
			      "no %s: kernel without CONFIG_DMABUF_SYSFS_STATS",
			      SYSFS_DIR);
	/* the next choice is "procs": say what that costs */
	return ds_err(ds, DMABUFSTAT_E_NO_SOURCE, -errno,
		      "no " SYSFS_DIR ": kernel-only buffers are not seen");
}

static int sysfs_collect(struct dmabufstat *ds, void *state,
			 struct collect *c)
{
	struct dmabufstat_buffer *b;
	char path[512], *size, *exporter, *end;
	struct dirent *de;
	DIR *d;
	int err;

	(void)state;
	d = opendir(SYSFS_DIR);
	if (!d) {
		err = -errno;
		return ds_err(ds, err == -EACCES ? DMABUFSTAT_E_PERM :
			      DMABUFSTAT_E_NO_SOURCE, err, "cannot open %s: %s",
			      SYSFS_DIR, strerror(-err));
	}
	while ((de = readdir(d))) {
		unsigned long long ino = strtoull(de->d_name, &end, 10);

		if (!isdigit((unsigned char)de->d_name[0]) || *end)
			continue;
		b = collect_add_buf(c);
		if (!b) {
			closedir(d);
			return ds_nomem(ds);
		}
		b->ino = ino;
		snprintf(path, sizeof(path), "%s/%s/size", SYSFS_DIR,
			 de->d_name);
		if (read_whole(path, &size, NULL)) {
			c->nr_bufs--;	/* freed meanwhile */
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s/exporter_name",
			 SYSFS_DIR, de->d_name);
		if (read_whole(path, &exporter, NULL)) {
			free(size);
			c->nr_bufs--;
			continue;
		}
		parse_sysfs_buffer(size, exporter, b);
		free(size);
		free(exporter);
	}
	closedir(d);
	return 0;
}

const struct ds_source ds_src_sysfs = {
	.name = "sysfs",
	.kind = DS_SRC_BUFFERS,
	.id = DMABUFSTAT_BUF_SYSFS,
	.probe = sysfs_probe,
	.collect = sysfs_collect,
};
