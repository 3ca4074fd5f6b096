// SPDX-License-Identifier: GPL-2.0
/* libdmabufstat: flat results for meminfo-style consumers (Android's). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int cmp_exp(const void *a, const void *b)
{
	return strcmp(((const struct dmabufstat_meminfo_exp *)a)->exp_name,
		      ((const struct dmabufstat_meminfo_exp *)b)->exp_name);
}

DMABUFSTAT_API int
dmabufstat_meminfo_per_buffer(const struct dmabufstat_snapshot *snap,
			      struct dmabufstat_meminfo_perbuf **out)
{
	size_t nr = dmabufstat_nr_buffers(snap), i, j;
	struct dmabufstat_meminfo_perbuf *s;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->bufs = calloc(nr ? nr : 1, sizeof(*s->bufs));
	s->exporters = calloc(nr ? nr : 1, sizeof(*s->exporters));
	if (!s->bufs || !s->exporters) {
		dmabufstat_meminfo_per_buffer_free(s);
		return -ENOMEM;
	}
	for (i = 0; i < nr; i++) {
		const struct dmabufstat_buffer *b = dmabufstat_buffer(snap, i);
		struct dmabufstat_meminfo_exp *e = NULL;

		s->bufs[i].ino = b->ino;
		s->bufs[i].size = b->size;
		memcpy(s->bufs[i].exp_name, b->exporter,
		       sizeof(s->bufs[i].exp_name));
		for (j = 0; j < s->nr_exporters; j++)
			if (!strcmp(s->exporters[j].exp_name, b->exporter)) {
				e = &s->exporters[j];
				break;
			}
		if (!e) {
			e = &s->exporters[s->nr_exporters++];
			memcpy(e->exp_name, b->exporter, sizeof(e->exp_name));
		}
		e->count++;
		e->size += b->size;
		s->total_count++;
		s->total_size += b->size;
	}
	s->nr_bufs = nr;
	qsort(s->exporters, s->nr_exporters, sizeof(*s->exporters), cmp_exp);
	*out = s;
	return 0;
}

DMABUFSTAT_API void
dmabufstat_meminfo_per_buffer_free(struct dmabufstat_meminfo_perbuf *s)
{
	if (!s)
		return;
	free(s->bufs);
	free(s->exporters);
	free(s);
}

DMABUFSTAT_API int
dmabufstat_meminfo_process_refs(const struct dmabufstat_snapshot *snap,
				uint32_t pid, struct dmabufstat_meminfo_ref **refs,
				size_t *nr)
{
	const struct dmabufstat_process *p;
	struct dmabufstat_meminfo_ref *r;
	size_t idx, j;

	*refs = NULL;
	*nr = 0;
	p = dmabufstat_find_process(snap, pid, &idx);
	if (!p || !p->nr_bufs)
		return 0;
	r = calloc(p->nr_bufs, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (j = 0; j < p->nr_bufs; j++) {
		const struct dmabufstat_holder *h =
			dmabufstat_process_holder(snap, idx, j);
		const struct dmabufstat_buffer *b =
			dmabufstat_buffer(snap, h->buf);

		r[j].ino = b->ino;
		r[j].size = b->size;
		memcpy(r[j].name, b->name, sizeof(r[j].name));
		memcpy(r[j].exp_name, b->exporter, sizeof(r[j].exp_name));
		r[j].fd_refs = h->nr_fds;
		r[j].map_refs = h->nr_maps;
		r[j].nr_procs = b->nr_procs;
		r[j].pss = h->pss;
	}
	*refs = r;
	*nr = p->nr_bufs;
	return 0;
}

DMABUFSTAT_API void
dmabufstat_meminfo_totals(const struct dmabufstat_snapshot *snap,
			  struct dmabufstat_meminfo_totals *t)
{
	const struct dmabufstat_system *sys = dmabufstat_totals(snap);

	t->total_exported = sys->bytes;
	t->kernel_rss = sys->bytes >= sys->userspace_bytes ?
			sys->bytes - sys->userspace_bytes : 0;
	t->userspace_rss = sys->userspace_rss;
	t->userspace_pss = sys->userspace_pss;
}
