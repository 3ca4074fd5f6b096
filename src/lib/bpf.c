// SPDX-License-Identifier: GPL-2.0
/* libdmabufstat: the BPF backends (iter/dmabuf, iter/task_file, iter/task_vma). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "dmabufstat.h"
#include "dmabuf_bufs.skel.h"
#include "dmabuf_procs.skel.h"


#define PERM_HINT "need root or CAP_BPF+CAP_PERFMON"

static void reason(struct dmabufstat *ds, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void reason(struct dmabufstat *ds, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ds_add_reason(ds, msg);
}

static int load_bufs(struct dmabufstat *ds)
{
	int err;

	ds->bufs = dmabuf_bufs_bpf__open();
	if (!ds->bufs)
		return -errno ?: -ENOMEM;
	/* the library reads per-buffer records; totals are not needed */
	bpf_program__set_autoload(ds->bufs->progs.dmabuf_totals, false);
	err = dmabuf_bufs_bpf__load(ds->bufs);
	if (err)
		goto err;
	ds->buf_link = bpf_program__attach_iter(ds->bufs->progs.dmabuf_buffers,
						NULL);
	if (!ds->buf_link) {
		err = -errno;
		goto err;
	}
	return 0;
err:
	dmabuf_bufs_bpf__destroy(ds->bufs);
	ds->bufs = NULL;
	ds->buf_link = NULL;
	return err < 0 ? err : -EINVAL;
}

static int load_procs(struct dmabufstat *ds)
{
	__u64 salt = 0;
	int err;

	ds->procs = dmabuf_procs_bpf__open();
	if (!ds->procs)
		return -errno ?: -ENOMEM;
	if (getrandom(&salt, sizeof(salt), 0) != sizeof(salt))
		salt = ((__u64)getpid() << 32) ^ (__u64)(uintptr_t)ds;
	ds->procs->rodata->id_salt = salt;
	err = dmabuf_procs_bpf__load(ds->procs);
	if (err)
		goto err;
	ds->fd_link = bpf_program__attach_iter(ds->procs->progs.dmabuf_fds,
					       NULL);
	if (!ds->fd_link) {
		err = -errno;
		goto err;
	}
	ds->vma_link = bpf_program__attach_iter(ds->procs->progs.dmabuf_vmas,
						NULL);
	if (!ds->vma_link) {
		err = -errno;
		goto err;
	}
	return 0;
err:
	bpf_link__destroy(ds->fd_link);
	dmabuf_procs_bpf__destroy(ds->procs);
	ds->procs = NULL;
	ds->fd_link = ds->vma_link = NULL;
	return err < 0 ? err : -EINVAL;
}

void bpf_unload(struct dmabufstat *ds)
{
	bpf_link__destroy(ds->buf_link);
	bpf_link__destroy(ds->fd_link);
	bpf_link__destroy(ds->vma_link);
	dmabuf_bufs_bpf__destroy(ds->bufs);
	dmabuf_procs_bpf__destroy(ds->procs);
	ds->buf_link = ds->fd_link = ds->vma_link = NULL;
	ds->bufs = NULL;
	ds->procs = NULL;
}

static bool perm_err(int err)
{
	return err == -EPERM || err == -EACCES;
}

/*
 * Loads the BPF objects the (possibly AUTO) backends want. A forced BPF
 * backend that cannot load is an error; AUTO records why and leaves the
 * backend AUTO for the caller's fallback.
 */
int bpf_probe_load(struct dmabufstat *ds)
{
	bool want_bufs = ds->buf_backend == DMABUFSTAT_BUF_AUTO ||
			 ds->buf_backend == DMABUFSTAT_BUF_BPF_ITER;
	bool want_procs = ds->proc_backend == DMABUFSTAT_PROC_AUTO ||
			  ds->proc_backend == DMABUFSTAT_PROC_BPF_TASK;
	bool force_bufs = ds->buf_backend == DMABUFSTAT_BUF_BPF_ITER;
	bool force_procs = ds->proc_backend == DMABUFSTAT_PROC_BPF_TASK;
	struct stat st;
	struct btf *btf;
	int err = 0;

	if (!want_bufs && !want_procs)
		return 0;
	if (stat(DS_BTF_PATH, &st)) {
		if (force_bufs || force_procs)
			return ds_err(ds, DMABUFSTAT_E_NO_BTF, -ENOENT,
				      "no kernel BTF (%s missing): BPF backends need CONFIG_DEBUG_INFO_BTF; use --backend procfs",
				      DS_BTF_PATH);
		reason(ds, "no kernel BTF (%s)", DS_BTF_PATH);
		return 0;
	}
	ds->have_btf = true;

	ds_libbpf_enter(ds);
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		err = -errno;
		ds_libbpf_leave(ds);
		if (force_bufs || force_procs)
			return ds_err(ds, perm_err(err) ? DMABUFSTAT_E_PERM :
				      DMABUFSTAT_E_NO_BTF, err,
				      "cannot read kernel BTF %s: %s",
				      DS_BTF_PATH, strerror(-err));
		reason(ds, "cannot read kernel BTF: %s", strerror(-err));
		return 0;
	}
	ds->have_iter = btf__find_by_name_kind(btf, "bpf_iter__dmabuf",
					       BTF_KIND_STRUCT) > 0;
	btf__free(btf);

	if (want_bufs && !ds->have_iter) {
		if (force_bufs) {
			err = ds_err(ds, DMABUFSTAT_E_NO_ITER, -EOPNOTSUPP,
				     "kernel has no dma-buf BPF iterator (no bpf_iter__dmabuf in vmlinux BTF; needs Linux 6.16+ or the 6.12 patches): use --backend bufinfo, sysfs or procfs");
			goto out;
		}
		reason(ds, "kernel has no dma-buf iterator (no bpf_iter__dmabuf in vmlinux BTF)");
	} else if (want_bufs) {
		err = load_bufs(ds);
		if (err && force_bufs) {
			err = ds_err(ds, perm_err(err) ? DMABUFSTAT_E_PERM :
				     DMABUFSTAT_E_OTHER, err,
				     "cannot load the dma-buf iterator: %s%s",
				     strerror(-err),
				     perm_err(err) ? " (" PERM_HINT ")" : "");
			goto out;
		}
		if (err)
			reason(ds, "dma-buf iterator did not load: %s%s",
			       strerror(-err),
			       perm_err(err) ? " (" PERM_HINT ")" : "");
		else
			ds->buf_backend = DMABUFSTAT_BUF_BPF_ITER;
		err = 0;
	}

	if (want_procs) {
		err = load_procs(ds);
		if (err && force_procs) {
			err = ds_err(ds, perm_err(err) ? DMABUFSTAT_E_PERM :
				     DMABUFSTAT_E_OTHER, err,
				     "cannot load the task iterators: %s%s",
				     strerror(-err),
				     perm_err(err) ? " (" PERM_HINT ")" : "");
			goto out;
		}
		if (err)
			reason(ds, "task iterators did not load: %s%s",
			       strerror(-err),
			       perm_err(err) ? " (" PERM_HINT ")" : "");
		else
			ds->proc_backend = DMABUFSTAT_PROC_BPF_TASK;
		err = 0;
	}
out:
	ds_libbpf_leave(ds);
	if (err)
		bpf_unload(ds);
	return err;
}

/* Reads a fresh iterator of link to its end. */
static int read_iter(struct dmabufstat *ds, struct bpf_link *link,
		     const char *what, char **out, size_t *lenp)
{
	int fd, err;

	*out = NULL;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		return ds_err(ds, perm_err(err) ? DMABUFSTAT_E_PERM :
			      DMABUFSTAT_E_OTHER, err,
			      "cannot start the %s iterator: %s", what,
			      strerror(-err));
	}
	err = read_fd_whole(fd, 1 << 16, out, lenp);
	close(fd);
	if (err == -ENOMEM)
		return ds_err(ds, DMABUFSTAT_E_OTHER, err, "out of memory");
	if (err)
		return ds_err(ds, DMABUFSTAT_E_OTHER, err,
			      "reading the %s iterator: %s", what,
			      strerror(-err));
	return 0;
}

static int check_rec(struct dmabufstat *ds, const char *raw, size_t len,
		     size_t off, __u16 type, size_t size)
{
	const struct dmabufstat_hdr *h = (const void *)(raw + off);

	if (len - off < sizeof(*h) || h->type != type ||
	    h->version != DMABUFSTAT_REC_VERSION || h->size != size ||
	    len - off < size)
		return ds_err(ds, DMABUFSTAT_E_OTHER, -EPROTO,
			      "bad iterator record at %zu: type %u version %u size %u (want %u/%u/%zu)",
			      off, h->type, h->version, h->size, type,
			      DMABUFSTAT_REC_VERSION, size);
	return 0;
}

#define FLAG_MASK (DMABUFSTAT_BUF_HAS_NAME | DMABUFSTAT_BUF_DRIVER | \
		   DMABUFSTAT_BUF_ATTACH_TRUNC | DMABUFSTAT_BUF_NAMES_TRUNC)

static void from_desc(struct dmabufstat_buffer *b,
		      const struct dmabufstat_bufdesc *d)
{
	b->ino = d->ino;
	b->size = d->size;
	/* the record's bits are the same as the public ones */
	b->flags = (d->flags & FLAG_MASK);
	copy_str(b->exporter, sizeof(b->exporter), d->exp_name,
		 strnlen(d->exp_name, sizeof(d->exp_name)));
	copy_str(b->name, sizeof(b->name), d->name,
		 strnlen(d->name, sizeof(d->name)));
	copy_str(b->driver, sizeof(b->driver), d->driver,
		 strnlen(d->driver, sizeof(d->driver)));
}

int bpf_collect_bufs(struct dmabufstat *ds, struct collect *c)
{
	const struct dmabufstat_buf_rec *r;
	struct dmabufstat_buffer *b;
	size_t len, off, i;
	char *raw;
	int err;

	err = read_iter(ds, ds->buf_link, "dma-buf", &raw, &len);
	if (err)
		return err;
	for (off = 0; off < len; off += sizeof(*r)) {
		err = check_rec(ds, raw, len, off, DMABUFSTAT_REC_BUF,
				sizeof(*r));
		if (err)
			break;
		r = (const void *)(raw + off);
		b = collect_add_buf(c);
		if (!b) {
			err = ds_err(ds, DMABUFSTAT_E_OTHER, -ENOMEM,
				     "out of memory");
			break;
		}
		from_desc(b, &r->buf);
		b->file_count = r->file_count;
		b->vmap_count = r->vmap_count;
		b->nr_attach = r->nr_attach;
		b->nr_attach_names = r->nr_attach_names;
		if (b->nr_attach_names > DMABUFSTAT_ATTACH_NAMES)
			b->nr_attach_names = DMABUFSTAT_ATTACH_NAMES;
		for (i = 0; i < b->nr_attach_names; i++)
			copy_str(b->attach[i], sizeof(b->attach[i]),
				 r->attach[i],
				 strnlen(r->attach[i], sizeof(r->attach[i])));
	}
	free(raw);
	c->bufs_have_names = true;
	c->bufs_have_attach = true;
	return err;
}

static void fill_task(struct raw_ref *rr, const struct dmabufstat_task *t)
{
	rr->ref.pid = t->tgid;
	rr->uid = t->uid;
	rr->cgroup_id = t->cgroup_id;
	copy_str(rr->comm, sizeof(rr->comm), t->comm,
		 strnlen(t->comm, sizeof(t->comm)));
}

int bpf_collect_procs(struct dmabufstat *ds, struct collect *c)
{
	const struct dmabufstat_fd_rec *f;
	const struct dmabufstat_vma_rec *v;
	struct raw_ref *rr;
	size_t len, off;
	char *raw;
	int err;

	err = read_iter(ds, ds->fd_link, "task_file", &raw, &len);
	if (err)
		return err;
	for (off = 0; off < len; off += sizeof(*f)) {
		err = check_rec(ds, raw, len, off, DMABUFSTAT_REC_FD,
				sizeof(*f));
		if (err)
			goto out;
		f = (const void *)(raw + off);
		rr = collect_add_ref(c);
		if (!rr)
			goto nomem;
		fill_task(rr, &f->task);
		rr->ref.kind = DMABUFSTAT_REF_FD;
		rr->ref.fd = f->fd;
		rr->ref.f_flags = f->f_flags;
		rr->ref.file_id = f->file_id;
		rr->ref.ino = f->buf.ino;
		from_desc(&rr->desc, &f->buf);
	}
	free(raw);

	err = read_iter(ds, ds->vma_link, "task_vma", &raw, &len);
	if (err)
		return err;
	for (off = 0; off < len; off += sizeof(*v)) {
		err = check_rec(ds, raw, len, off, DMABUFSTAT_REC_VMA,
				sizeof(*v));
		if (err)
			goto out;
		v = (const void *)(raw + off);
		rr = collect_add_ref(c);
		if (!rr)
			goto nomem;
		fill_task(rr, &v->task);
		rr->ref.kind = DMABUFSTAT_REF_MAP;
		rr->ref.file_id = v->file_id;
		rr->ref.start = v->start;
		rr->ref.end = v->end;
		rr->ref.offset = v->pgoff * (uint64_t)sysconf(_SC_PAGESIZE);
		rr->ref.ino = v->buf.ino;
		from_desc(&rr->desc, &v->buf);
	}
out:
	free(raw);
	return err;
nomem:
	free(raw);
	return ds_err(ds, DMABUFSTAT_E_OTHER, -ENOMEM, "out of memory");
}
