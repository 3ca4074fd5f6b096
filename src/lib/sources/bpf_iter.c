// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat source "bpf-iter": every buffer from iter/dmabuf
 * (bpf/dmabuf_bufs.bpf.c), one binary record each. Needs the dma-buf
 * iterator (Linux 6.16+, or 6.12 with kernel-patches/) and BPF privileges.
 */
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "source.h"
#include "bpf_common.h"
#include "readfile.h"
#include "dmabuf_bufs.skel.h"

struct bpf_iter_state {
	struct dmabuf_bufs_bpf *skel;
	struct bpf_link *link;
};

static void bpf_iter_release(void *state)
{
	struct bpf_iter_state *st = state;

	if (!st)
		return;
	bpf_link__destroy(st->link);
	dmabuf_bufs_bpf__destroy(st->skel);
	free(st);
}

static int load(struct bpf_iter_state *st)
{
	int err;

	st->skel = dmabuf_bufs_bpf__open_opts(bpf_open_opts());
	if (!st->skel)
		return -errno ?: -ENOMEM;
	/* per-buffer records only: the totals program is not this source */
	bpf_program__set_autoload(st->skel->progs.dmabuf_totals, false);
	err = dmabuf_bufs_bpf__load(st->skel);
	if (err)
		return err < 0 ? err : -EINVAL;
	st->link = bpf_program__attach_iter(st->skel->progs.dmabuf_buffers,
					    NULL);
	if (!st->link)
		return -errno ?: -EINVAL;
	return 0;
}

static int bpf_iter_probe(struct dmabufstat *ds, bool named, void **state)
{
	struct bpf_iter_state *st;
	int err;

	err = bpf_kernel_check(ds, named);
	if (err)
		return err;
	if (!ds->kernel.have_iter)
		return named ?
			ds_err(ds, DMABUFSTAT_E_NO_ITER, -EOPNOTSUPP,
			       "kernel has no dma-buf BPF iterator (no bpf_iter__dmabuf in vmlinux BTF; needs Linux 6.16+ or the 6.12 patches): use --backend bufinfo, sysfs or procfs") :
			ds_err(ds, DMABUFSTAT_E_NO_ITER, -EOPNOTSUPP,
			       "kernel has no dma-buf iterator (no bpf_iter__dmabuf in vmlinux BTF)");
	st = calloc(1, sizeof(*st));
	if (!st)
		return ds_nomem(ds);
	ds_libbpf_enter(ds);
	err = load(st);
	ds_libbpf_leave(ds);
	if (err) {
		bpf_iter_release(st);
		return bpf_load_failed(ds, named, err, "dma-buf iterator");
	}
	*state = st;
	return 0;
}

static int bpf_iter_collect(struct dmabufstat *ds, void *state,
			    struct collect *c)
{
	struct bpf_iter_state *st = state;
	const struct dmabufstat_buf_rec *r;
	struct dmabufstat_buffer *b;
	size_t len, off, i;
	char *raw;
	int err;

	err = bpf_read_iter(ds, st->link, "dma-buf", &raw, &len);
	if (err)
		return err;
	for (off = 0; off < len; off += sizeof(*r)) {
		err = bpf_check_rec(ds, raw, len, off, DMABUFSTAT_REC_BUF,
				    sizeof(*r));
		if (err)
			break;
		r = (const void *)(raw + off);
		b = collect_add_buf(c);
		if (!b) {
			err = ds_nomem(ds);
			break;
		}
		bpf_buf_from_desc(b, &r->buf);
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

const struct ds_source ds_src_bpf_iter = {
	.name = "bpf-iter",
	.kind = DS_SRC_BUFFERS,
	.id = DMABUFSTAT_BUF_BPF_ITER,
	.flags = DS_SRC_BPF,
	.probe = bpf_iter_probe,
	.collect = bpf_iter_collect,
	.release = bpf_iter_release,
};

struct bpf_link *bpf_iter_link(const struct dmabufstat *ds)
{
	const struct bpf_iter_state *st = ds->buf.state;

	return ds->buf.src == &ds_src_bpf_iter && st ? st->link : NULL;
}
