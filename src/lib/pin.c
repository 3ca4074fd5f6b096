// SPDX-License-Identifier: GPL-2.0
/* libdmabufstat: pinning the per-buffer iterator into bpffs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

static int check_bpffs(struct dmabufstat *ds, const char *dir)
{
	struct statfs sfs;

	if (statfs(dir, &sfs))
		return ds_err(ds, DMABUFSTAT_E_NO_BPFFS, -errno,
			      "%s: %s (is bpffs mounted? mount -t bpf bpf /sys/fs/bpf)",
			      dir, strerror(errno));
	if ((unsigned long)sfs.f_type != BPF_FS_MAGIC)
		return ds_err(ds, DMABUFSTAT_E_NO_BPFFS, -EINVAL,
			      "%s is not on bpffs (mount -t bpf bpf /sys/fs/bpf)",
			      dir);
	return 0;
}

DMABUFSTAT_API int dmabufstat_pin(struct dmabufstat *ds, const char *dir,
				  const struct dmabufstat_pin_opts *opts)
{
	struct dmabufstat_pin_opts o = { .sz = sizeof(o) };
	char path[4096], parent[4096], *slash;
	struct stat st;
	int err;

	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	if (!dir)
		dir = DMABUFSTAT_PIN_DIR;
	if (ds->probed && !ds->buf_link)
		return ds_err(ds, DMABUFSTAT_E_NO_ITER, -EOPNOTSUPP,
			      "pinning needs the dma-buf BPF iterator (backend %s)",
			      ds->backend_name);
	if (!ds->probed) {
		err = dmabufstat_probe(ds);
		if (err)
			return err;
		if (!ds->buf_link)
			return ds_err(ds, DMABUFSTAT_E_NO_ITER, -EOPNOTSUPP,
				      "pinning needs the dma-buf BPF iterator: %s",
				      ds->fallback[0] ? ds->fallback :
				      "not loaded");
	}

	/* the directory: made on bpffs if its parent is bpffs */
	if (stat(dir, &st)) {
		copy_str(parent, sizeof(parent), dir, strlen(dir));
		slash = strrchr(parent, '/');
		if (slash && slash != parent)
			*slash = '\0';
		else
			strcpy(parent, slash ? "/" : ".");
		err = check_bpffs(ds, parent);
		if (err)
			return err;
		if (mkdir(dir, 0755))
			return ds_err(ds, errno == EACCES || errno == EPERM ?
				      DMABUFSTAT_E_PERM : DMABUFSTAT_E_OTHER,
				      -errno, "mkdir %s: %s", dir,
				      strerror(errno));
	} else {
		err = check_bpffs(ds, dir);
		if (err)
			return err;
	}

	snprintf(path, sizeof(path), "%s/%s", dir, DMABUFSTAT_PIN_BUFFERS);
	if (!lstat(path, &st)) {
		if (!o.force)
			return ds_err(ds, DMABUFSTAT_E_EXIST, -EEXIST,
				      "%s exists (unpin it first or force)",
				      path);
		if (unlink(path))
			return ds_err(ds, DMABUFSTAT_E_OTHER, -errno,
				      "cannot remove %s: %s", path,
				      strerror(errno));
	}
	/* bpf_obj_pin, not bpf_link__pin: the link keeps no pin path, so the
	 * context can pin again and freeing it leaves the pin in place */
	err = bpf_obj_pin(bpf_link__fd(ds->buf_link), path) ? -errno : 0;
	if (err)
		return ds_err(ds, err == -EPERM || err == -EACCES ?
			      DMABUFSTAT_E_PERM : DMABUFSTAT_E_OTHER, err,
			      "cannot pin %s: %s", path, strerror(-err));
	if ((o.mode && chmod(path, o.mode)) ||
	    (o.gid > 0 && chown(path, (uid_t)-1, (gid_t)o.gid))) {
		err = -errno;
		unlink(path);
		return ds_err(ds, DMABUFSTAT_E_OTHER, err,
			      "cannot set mode/group of %s: %s", path,
			      strerror(-err));
	}
	return 0;
}

DMABUFSTAT_API int dmabufstat_unpin(struct dmabufstat *ds, const char *dir)
{
	char path[4096];
	int err;

	if (!dir)
		dir = DMABUFSTAT_PIN_DIR;
	err = check_bpffs(ds, dir);
	if (err)
		return err == -ENOENT ? 0 : err;
	snprintf(path, sizeof(path), "%s/%s", dir, DMABUFSTAT_PIN_BUFFERS);
	if (unlink(path) && errno != ENOENT)
		return ds_err(ds, errno == EACCES || errno == EPERM ?
			      DMABUFSTAT_E_PERM : DMABUFSTAT_E_OTHER, -errno,
			      "cannot remove %s: %s", path, strerror(errno));
	/* the directory goes too if now empty; other files keep it */
	rmdir(dir);
	return 0;
}
