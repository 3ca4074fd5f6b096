// SPDX-License-Identifier: GPL-2.0
/* libdmabufstat: comparing two snapshots (merge walks over sorted arrays). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct dmabufstat_diff {
	struct dmabufstat_buf_delta *bufs;
	size_t nr_bufs;
	struct dmabufstat_proc_delta *procs;
	size_t nr_procs;
	struct dmabufstat_totals_delta totals;
};

static void proc_delta(struct dmabufstat_proc_delta *d,
		       const struct dmabufstat_process *o,
		       const struct dmabufstat_process *n)
{
	const struct dmabufstat_process *any = n ? n : o;
	static const struct dmabufstat_process none;

	memset(d, 0, sizeof(*d));
	d->change = !o ? DMABUFSTAT_NEW : !n ? DMABUFSTAT_FREED :
		    DMABUFSTAT_CHANGED;
	d->pid = any->pid;
	memcpy(d->comm, any->comm, sizeof(d->comm));
	d->old_proc = o;
	d->new_proc = n;
	if (!o)
		o = &none;
	if (!n)
		n = &none;
	d->rss = (int64_t)n->rss - (int64_t)o->rss;
	d->pss = (int64_t)n->pss - (int64_t)o->pss;
	d->nr_bufs = (int32_t)n->nr_bufs - (int32_t)o->nr_bufs;
	d->nr_fds = (int32_t)n->nr_fds - (int32_t)o->nr_fds;
	d->nr_maps = (int32_t)n->nr_maps - (int32_t)o->nr_maps;
}

DMABUFSTAT_API int dmabufstat_diff(const struct dmabufstat_snapshot *os,
				   const struct dmabufstat_snapshot *ns,
				   struct dmabufstat_diff **out)
{
	size_t no = dmabufstat_nr_buffers(os), nn = dmabufstat_nr_buffers(ns);
	size_t po = dmabufstat_nr_processes(os), pn = dmabufstat_nr_processes(ns);
	const struct dmabufstat_system *to = dmabufstat_totals(os);
	const struct dmabufstat_system *tn = dmabufstat_totals(ns);
	struct dmabufstat_diff *d;
	size_t i = 0, j = 0;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->bufs = calloc(no + nn + 1, sizeof(*d->bufs));
	d->procs = calloc(po + pn + 1, sizeof(*d->procs));
	if (!d->bufs || !d->procs) {
		dmabufstat_diff_free(d);
		return -ENOMEM;
	}

	while (i < no || j < nn) {
		const struct dmabufstat_buffer *a = dmabufstat_buffer(os, i);
		const struct dmabufstat_buffer *b = dmabufstat_buffer(ns, j);
		struct dmabufstat_buf_delta *x = &d->bufs[d->nr_bufs];

		if (a && (!b || a->ino < b->ino)) {
			x->change = DMABUFSTAT_FREED;
			x->ino = a->ino;
			x->old_size = a->size;
			x->old_buf = a;
			d->nr_bufs++;
			i++;
		} else if (b && (!a || b->ino < a->ino)) {
			x->change = DMABUFSTAT_NEW;
			x->ino = b->ino;
			x->new_size = b->size;
			x->new_buf = b;
			d->nr_bufs++;
			j++;
		} else {
			if (a->size != b->size) {
				x->change = b->size > a->size ?
					DMABUFSTAT_GROWN : DMABUFSTAT_SHRUNK;
				x->ino = a->ino;
				x->old_size = a->size;
				x->new_size = b->size;
				x->old_buf = a;
				x->new_buf = b;
				d->nr_bufs++;
			}
			i++;
			j++;
		}
	}

	i = j = 0;
	while (i < po || j < pn) {
		const struct dmabufstat_process *a = dmabufstat_process(os, i);
		const struct dmabufstat_process *b = dmabufstat_process(ns, j);
		struct dmabufstat_proc_delta *x = &d->procs[d->nr_procs];

		if (a && (!b || a->pid < b->pid)) {
			proc_delta(x, a, NULL);
			d->nr_procs++;
			i++;
		} else if (b && (!a || b->pid < a->pid)) {
			proc_delta(x, NULL, b);
			d->nr_procs++;
			j++;
		} else {
			proc_delta(x, a, b);
			if (x->rss || x->pss || x->nr_bufs || x->nr_fds ||
			    x->nr_maps)
				d->nr_procs++;
			i++;
			j++;
		}
	}

	d->totals.count = (int64_t)tn->count - (int64_t)to->count;
	d->totals.bytes = (int64_t)tn->bytes - (int64_t)to->bytes;
	d->totals.userspace_bytes = (int64_t)tn->userspace_bytes -
				    (int64_t)to->userspace_bytes;
	d->totals.kernel_bytes = (int64_t)tn->kernel_bytes -
				 (int64_t)to->kernel_bytes;
	d->totals.userspace_rss = (int64_t)tn->userspace_rss -
				  (int64_t)to->userspace_rss;
	d->totals.userspace_pss = (int64_t)tn->userspace_pss -
				  (int64_t)to->userspace_pss;
	*out = d;
	return 0;
}

DMABUFSTAT_API void dmabufstat_diff_free(struct dmabufstat_diff *d)
{
	if (!d)
		return;
	free(d->bufs);
	free(d->procs);
	free(d);
}

DMABUFSTAT_API size_t dmabufstat_diff_nr_buffers(const struct dmabufstat_diff *d)
{
	return d->nr_bufs;
}

DMABUFSTAT_API const struct dmabufstat_buf_delta *
dmabufstat_diff_buffer(const struct dmabufstat_diff *d, size_t i)
{
	return i < d->nr_bufs ? &d->bufs[i] : NULL;
}

DMABUFSTAT_API size_t
dmabufstat_diff_nr_processes(const struct dmabufstat_diff *d)
{
	return d->nr_procs;
}

DMABUFSTAT_API const struct dmabufstat_proc_delta *
dmabufstat_diff_process(const struct dmabufstat_diff *d, size_t i)
{
	return i < d->nr_procs ? &d->procs[i] : NULL;
}

DMABUFSTAT_API const struct dmabufstat_totals_delta *
dmabufstat_diff_totals(const struct dmabufstat_diff *d)
{
	return &d->totals;
}
