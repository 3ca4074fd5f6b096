// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat source "bpf-task": every process's dma-buf fds from
 * iter/task_file and mappings from iter/task_vma (bpf/dmabufstat.bpf.c).
 * Loads on any kernel with BTF, with or without the dma-buf iterator.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "source.h"
#include "bpf_common.h"

static void bpf_task_release(void *state)
{
	ds_bpf_put(state);
}

static int bpf_task_probe(struct dmabufstat *ds, bool named, void **state)
{
	struct ds_bpf *obj;
	int err;

	err = bpf_kernel_check(ds, named);
	if (err)
		return err;
	err = ds_bpf_get(ds, named, DS_BPF_TASKS, &obj);
	if (err)
		return err;
	*state = obj;
	return 0;
}

static int bpf_task_collect(struct dmabufstat *ds, void *state,
			    struct collect *c)
{
	struct ds_bpf *obj = state;
	int err;

	err = bpf_collect_stream(ds, bpf_link__fd(obj->fd_link),
				 DMABUFSTAT_STREAM_FDS, c);
	return err ?: bpf_collect_stream(ds, bpf_link__fd(obj->vma_link),
					 DMABUFSTAT_STREAM_VMAS, c);
}

const struct ds_source ds_src_bpf_task = {
	.name = "bpf-task",
	.kind = DS_SRC_PROCESSES,
	.id = DMABUFSTAT_PROC_BPF_TASK,
	.flags = DS_SRC_BPF,
	.probe = bpf_task_probe,
	.collect = bpf_task_collect,
	.release = bpf_task_release,
};
