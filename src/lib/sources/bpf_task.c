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
#include "readfile.h"

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

static void fill_task(struct raw_ref *rr, const struct dmabufstat_task *t)
{
	rr->ref.pid = t->tgid;
	rr->uid = t->uid;
	rr->cgroup_id = t->cgroup_id;
	copy_str(rr->comm, sizeof(rr->comm), t->comm,
		 strnlen(t->comm, sizeof(t->comm)));
}

static int collect_fds(struct dmabufstat *ds, struct bpf_link *link,
		       struct collect *c)
{
	const struct dmabufstat_fd_rec *f;
	struct raw_ref *rr;
	size_t len, off;
	char *raw;
	int err;

	err = bpf_read_iter(ds, link, "task_file", &raw, &len);
	if (err)
		return err;
	for (off = 0; off < len; off += sizeof(*f)) {
		err = bpf_check_rec(ds, raw, len, off, DMABUFSTAT_REC_FD,
				    sizeof(*f));
		if (err)
			break;
		f = (const void *)(raw + off);
		rr = collect_add_ref(c);
		if (!rr) {
			err = ds_nomem(ds);
			break;
		}
		fill_task(rr, &f->task);
		rr->ref.kind = DMABUFSTAT_REF_FD;
		rr->ref.fd = f->fd;
		rr->ref.f_flags = f->f_flags;
		rr->ref.file_id = f->file_id;
		rr->ref.ino = f->buf.ino;
		bpf_buf_from_desc(&rr->desc, &f->buf);
	}
	free(raw);
	return err;
}

static int collect_vmas(struct dmabufstat *ds, struct bpf_link *link,
			struct collect *c)
{
	uint64_t page = sysconf(_SC_PAGESIZE);
	const struct dmabufstat_vma_rec *v;
	struct raw_ref *rr;
	size_t len, off;
	char *raw;
	int err;

	err = bpf_read_iter(ds, link, "task_vma", &raw, &len);
	if (err)
		return err;
	for (off = 0; off < len; off += sizeof(*v)) {
		err = bpf_check_rec(ds, raw, len, off, DMABUFSTAT_REC_VMA,
				    sizeof(*v));
		if (err)
			break;
		v = (const void *)(raw + off);
		rr = collect_add_ref(c);
		if (!rr) {
			err = ds_nomem(ds);
			break;
		}
		fill_task(rr, &v->task);
		rr->ref.kind = DMABUFSTAT_REF_MAP;
		rr->ref.file_id = v->file_id;
		rr->ref.start = v->start;
		rr->ref.end = v->end;
		rr->ref.offset = v->pgoff * page;
		rr->ref.ino = v->buf.ino;
		bpf_buf_from_desc(&rr->desc, &v->buf);
	}
	free(raw);
	return err;
}

static int bpf_task_collect(struct dmabufstat *ds, void *state,
			    struct collect *c)
{
	struct ds_bpf *obj = state;
	int err;

	err = collect_fds(ds, obj->fd_link, c);
	return err ?: collect_vmas(ds, obj->vma_link, c);
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
