// SPDX-License-Identifier: GPL-2.0
/* libdmabufstat: pinning the iterators and the totals program into bpffs. */
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
#include "readfile.h"
#include "sources/bpf_common.h"
#include "dmabuf_android.skel.h"
#include "dmabufstat.skel.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

int ds_check_bpffs(struct dmabufstat *ds, const char *dir)
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

/* Makes dir on bpffs if missing (its parent must be bpffs), or checks it. */
int ds_pin_dir(struct dmabufstat *ds, const char *dir)
{
	char parent[4096], *slash;
	struct stat st;
	int err;

	if (!stat(dir, &st))
		return ds_check_bpffs(ds, dir);
	copy_str(parent, sizeof(parent), dir, strlen(dir));
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	else
		strcpy(parent, slash ? "/" : ".");
	err = ds_check_bpffs(ds, parent);
	if (err)
		return err;
	if (mkdir(dir, 0755))
		return ds_err(ds, errno == EACCES || errno == EPERM ?
			      DMABUFSTAT_E_PERM : DMABUFSTAT_E_OTHER,
			      -errno, "mkdir %s: %s", dir, strerror(errno));
	return 0;
}

/* Pins fd at path (replacing a file there if force), sets mode/group. */
int ds_pin_fd(struct dmabufstat *ds, int fd, const char *path,
	      const struct dmabufstat_pin_opts *o)
{
	struct stat st;
	int err;

	if (!lstat(path, &st)) {
		if (!o->force)
			return ds_err(ds, DMABUFSTAT_E_EXIST, -EEXIST,
				      "%s exists (unpin it first or force)",
				      path);
		if (unlink(path))
			return ds_err(ds, DMABUFSTAT_E_OTHER, -errno,
				      "cannot remove %s: %s", path,
				      strerror(errno));
	}
	err = bpf_obj_pin(fd, path) ? -errno : 0;
	if (err)
		return ds_err(ds, err == -EPERM || err == -EACCES ?
			      DMABUFSTAT_E_PERM : DMABUFSTAT_E_OTHER, err,
			      "cannot pin %s: %s", path, strerror(-err));
	if ((o->mode && chmod(path, o->mode)) ||
	    (o->gid > 0 && chown(path, (uid_t)-1, (gid_t)o->gid))) {
		err = -errno;
		unlink(path);
		return ds_err(ds, DMABUFSTAT_E_OTHER, err,
			      "cannot set mode/group of %s: %s", path,
			      strerror(-err));
	}
	return 0;
}

static void android_paths(const char *dir, char *prog, char *link,
			  size_t len)
{
	snprintf(prog, len, "%s/%s", dir, DMABUFSTAT_ANDROID_PROG);
	snprintf(link, len, "%s/%s", dir, DMABUFSTAT_ANDROID_TEXT);
}

DMABUFSTAT_API int dmabufstat_pin_android(struct dmabufstat *ds,
					  const char *dir,
					  const struct dmabufstat_pin_opts *opts)
{
	struct dmabufstat_pin_opts o = { .sz = sizeof(o) };
	char prog_path[4096], link_path[4096];
	struct dmabuf_android_bpf *skel = NULL;
	struct bpf_link *link = NULL;
	int err;

	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	if (!dir)
		dir = DMABUFSTAT_PIN_DIR;
	android_paths(dir, prog_path, link_path, sizeof(prog_path));
	/* the kernel's support only: no source needs to load for this */
	err = bpf_kernel_check(ds, false);
	if (err)
		return err;
	if (!ds->kernel.have_iter)
		return ds_err(ds, DMABUFSTAT_E_NO_ITER, -EOPNOTSUPP,
			      "the Android iterator needs the dma-buf BPF iterator (no bpf_iter__dmabuf in vmlinux BTF)");
	err = ds_pin_dir(ds, dir);
	if (err)
		return err;

	ds_libbpf_enter(ds);
	skel = dmabuf_android_bpf__open_and_load();
	if (!skel) {
		err = -errno;
		ds_libbpf_leave(ds);
		return ds_err(ds, err == -EPERM || err == -EACCES ?
			      DMABUFSTAT_E_PERM : DMABUFSTAT_E_OTHER, err,
			      "cannot load the Android dma-buf iterator: %s",
			      strerror(-err));
	}
	link = bpf_program__attach_iter(skel->progs.dmabuf_android, NULL);
	if (!link) {
		err = -errno;
		ds_libbpf_leave(ds);
		ds_err(ds, DMABUFSTAT_E_OTHER, err,
		       "cannot attach the Android dma-buf iterator: %s",
		       strerror(-err));
		goto out;
	}
	ds_libbpf_leave(ds);
	/* the program, as Android's bpfloader pins it */
	err = ds_pin_fd(ds, bpf_program__fd(skel->progs.dmabuf_android),
		     prog_path, &o);
	if (err)
		goto out;
	/* the link beside it: cat-able text */
	err = ds_pin_fd(ds, bpf_link__fd(link), link_path, &o);
	if (err)
		unlink(prog_path);
out:
	bpf_link__destroy(link);
	dmabuf_android_bpf__destroy(skel);
	return err;
}

DMABUFSTAT_API int dmabufstat_unpin_android(struct dmabufstat *ds,
					    const char *dir)
{
	char prog_path[4096], link_path[4096];
	const char *paths[2] = { prog_path, link_path };
	int err, i;

	if (!dir)
		dir = DMABUFSTAT_PIN_DIR;
	err = ds_check_bpffs(ds, dir);
	if (err)
		return err == -ENOENT ? 0 : err;
	android_paths(dir, prog_path, link_path, sizeof(prog_path));
	for (i = 0; i < 2; i++)
		if (unlink(paths[i]) && errno != ENOENT)
			return ds_err(ds, errno == EACCES || errno == EPERM ?
				      DMABUFSTAT_E_PERM : DMABUFSTAT_E_OTHER,
				      -errno, "cannot remove %s: %s", paths[i],
				      strerror(errno));
	rmdir(dir);
	return 0;
}

/* What dmabufstat_pin() pins, the format map last. */
static const char *const our_pins[] = {
	DMABUFSTAT_PIN_BUFFERS, DMABUFSTAT_PIN_FDS, DMABUFSTAT_PIN_VMAS,
	DMABUFSTAT_PIN_TOTALS, DMABUFSTAT_PIN_FORMAT,
};

static void unpin_ours(const char *dir)
{
	char path[4096];
	size_t i;

	/* the format first: readers stop trusting the rest at once */
	for (i = ARRAY_SIZE(our_pins); i-- > 0;) {
		snprintf(path, sizeof(path), "%s/%s", dir, our_pins[i]);
		unlink(path);
	}
}

/* The format entry, written and frozen, then its fds pinned: 0 or error. */
static int pin_object(struct dmabufstat *ds, const char *dir,
		      struct ds_bpf *obj, const struct dmabufstat_pin_opts *o)
{
	struct dmabufstat_pin_info info = {
		.magic = DMABUFSTAT_MAGIC,
		.version = DMABUFSTAT_REC_VERSION,
		.flags = DMABUFSTAT_PIN_F_BUFS | DMABUFSTAT_PIN_F_FDS |
			 DMABUFSTAT_PIN_F_VMAS,
	};
	int fds[ARRAY_SIZE(our_pins)], map_fd, err;
	struct dmabufstat_pin_info was;
	char path[4096];
	__u32 zero = 0;
	size_t i;

	if (obj->have & DS_BPF_TOTALS)
		info.flags |= DMABUFSTAT_PIN_F_TOTALS;
	map_fd = bpf_map__fd(obj->skel->maps.pin_info);
	/* frozen by an earlier pin of the same object: written already */
	if ((bpf_map_lookup_elem(map_fd, &zero, &was) ||
	     memcmp(&was, &info, sizeof(info))) &&
	    (bpf_map_update_elem(map_fd, &zero, &info, BPF_ANY) ||
	     bpf_map_freeze(map_fd)))
		return ds_err(ds, DMABUFSTAT_E_OTHER, -errno,
			      "cannot write the pins' format: %s",
			      strerror(errno));
	fds[0] = bpf_link__fd(obj->buf_link);
	fds[1] = bpf_link__fd(obj->fd_link);
	fds[2] = bpf_link__fd(obj->vma_link);
	fds[3] = obj->have & DS_BPF_TOTALS ?
		 bpf_program__fd(obj->skel->progs.dmabuf_totals) : -1;
	fds[4] = map_fd;
	for (i = 0; i < ARRAY_SIZE(our_pins); i++) {
		if (fds[i] < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, our_pins[i]);
		/* bpf_obj_pin, not bpf_link__pin: the link keeps no pin
		 * path, so freeing the object leaves the pin in place */
		err = ds_pin_fd(ds, fds[i], path, o);
		if (err) {
			unpin_ours(dir);
			return err;
		}
	}
	return 0;
}

DMABUFSTAT_API int dmabufstat_pin(struct dmabufstat *ds, const char *dir,
				  const struct dmabufstat_pin_opts *opts)
{
	struct dmabufstat_pin_opts o = { .sz = sizeof(o) };
	enum dmabufstat_buf_backend b;
	struct ds_bpf *obj;
	char path[4096];
	size_t i;
	int err;

	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	if (!dir)
		dir = DMABUFSTAT_PIN_DIR;
	/* the context's choice first, as for a snapshot */
	if (!ds->probed) {
		err = dmabufstat_probe(ds);
		if (err)
			return err;
	}
	b = dmabufstat_buf_backend(ds);
	if (b != DMABUFSTAT_BUF_BPF_ITER && b != DMABUFSTAT_BUF_BPF_PIN) {
		if (!ds->kernel.have_iter && dmabufstat_fallback_reason(ds)[0])
			return ds_err(ds, DMABUFSTAT_E_NO_ITER, -EOPNOTSUPP,
				      "pinning needs the dma-buf BPF iterator: %s",
				      dmabufstat_fallback_reason(ds));
		return ds_err(ds, DMABUFSTAT_E_NO_ITER, -EOPNOTSUPP,
			      "pinning needs the dma-buf BPF iterator (backend %s)",
			      dmabufstat_backend_name(ds));
	}
	err = bpf_kernel_check(ds, true);
	if (err)
		return err;
	err = ds_pin_dir(ds, dir);
	if (err)
		return err;
	/* all or nothing: no half-replaced set */
	for (i = 0; !o.force && i < ARRAY_SIZE(our_pins); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, our_pins[i]);
		if (!access(path, F_OK))
			return ds_err(ds, DMABUFSTAT_E_EXIST, -EEXIST,
				      "%s exists (unpin it first or force)",
				      path);
	}
	/* a load of its own: the pins outlive the context */
	err = ds_bpf_get(ds, true, DS_BPF_BUFS | DS_BPF_TASKS | DS_BPF_ONLY |
			 (ds->kernel.have_kfuncs ? DS_BPF_TOTALS : 0), &obj);
	if (err)
		return err;
	if (o.force)
		unpin_ours(dir);
	err = pin_object(ds, dir, obj, &o);
	ds_bpf_put(obj);
	return err;
}

DMABUFSTAT_API int dmabufstat_unpin(struct dmabufstat *ds, const char *dir)
{
	char path[4096];
	size_t i;
	int err;

	if (!dir)
		dir = DMABUFSTAT_PIN_DIR;
	err = ds_check_bpffs(ds, dir);
	if (err)
		return err == -ENOENT ? 0 : err;
	for (i = ARRAY_SIZE(our_pins); i-- > 0;) {
		snprintf(path, sizeof(path), "%s/%s", dir, our_pins[i]);
		if (unlink(path) && errno != ENOENT)
			return ds_err(ds, errno == EACCES || errno == EPERM ?
				      DMABUFSTAT_E_PERM : DMABUFSTAT_E_OTHER,
				      -errno, "cannot remove %s: %s", path,
				      strerror(errno));
	}
	/* the directory goes too if now empty; other files keep it */
	rmdir(dir);
	return 0;
}
