// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat source "bpf-iter": every buffer from iter/dmabuf
 * (bpf/dmabufstat.bpf.c), one binary record each. Needs the dma-buf
 * iterator (Linux 6.16+, or 6.12 with kernel-patches/) and BPF privileges.
 */
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "source.h"
#include "bpf_common.h"

static void bpf_iter_release(void *state)
{
	ds_bpf_put(state);
}

static int bpf_iter_probe(struct dmabufstat *ds, bool named, void **state)
{
	struct ds_bpf *obj;
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
	err = ds_bpf_get(ds, named, DS_BPF_BUFS, &obj);
	if (err)
		return err;
	*state = obj;
	return 0;
}

static int bpf_iter_collect(struct dmabufstat *ds, void *state,
			    struct collect *c)
{
	struct ds_bpf *obj = state;
	int err;

	err = bpf_collect_stream(ds, bpf_link__fd(obj->buf_link),
				 DMABUFSTAT_STREAM_BUFS, c);
	c->bufs_have_names = true;
	c->bufs_complete = true;
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
