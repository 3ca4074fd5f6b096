// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat: taking a snapshot (the chosen sources collect, build.c
 * aggregates), freeing it, and its accessors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "snapshot.h"
#include "source.h"
#include "track.h"

DMABUFSTAT_API void dmabufstat_snapshot_free(struct dmabufstat_snapshot *s)
{
	if (!s)
		return;
	free(s->bufs);
	free(s->buf_hash);
	free(s->buf_holders);
	free(s->buf_first_holder);
	free(s->procs);
	free(s->proc_hash);
	free(s->proc_first_holder);
	free(s->proc_first_ref);
	free(s->holders);
	free(s->refs);
	free(s->exporters);
	free(s->devices);
	free(s->uids);
	free(s->cgroups);
	free(s->track);
	free(s->track_status);
	free(s->allocators);
	free(s);
}

DMABUFSTAT_API int dmabufstat_snapshot(struct dmabufstat *ds,
				       struct dmabufstat_snapshot **snap)
{
	struct dmabufstat_snapshot *s;
	struct collect c = {};
	uint64_t walk_start;
	struct timespec ts;
	int err;

	*snap = NULL;
	walk_start = track_boottime_ns();
	err = backend_collect(ds, &c);
	if (err) {
		collect_free(&c);
		return err;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		collect_free(&c);
		return ds_nomem(ds);
	}
	s->buf_backend = dmabufstat_buf_backend(ds);
	s->proc_backend = dmabufstat_proc_backend(ds);
	snprintf(s->backend_name, sizeof(s->backend_name), "%s",
		 dmabufstat_backend_name(ds));
	clock_gettime(CLOCK_REALTIME, &ts);
	s->realtime_ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->monotonic_ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	err = snapshot_build(s, &c);
	if (err) {
		dmabufstat_snapshot_free(s);
		return ds_nomem(ds);
	}
	err = track_join(ds, s, walk_start);
	if (err) {
		dmabufstat_snapshot_free(s);
		return err;
	}
	*snap = s;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Accessors                                                          */

DMABUFSTAT_API enum dmabufstat_buf_backend
dmabufstat_snapshot_buf_backend(const struct dmabufstat_snapshot *s)
{
	return s->buf_backend;
}

DMABUFSTAT_API enum dmabufstat_proc_backend
dmabufstat_snapshot_proc_backend(const struct dmabufstat_snapshot *s)
{
	return s->proc_backend;
}

DMABUFSTAT_API const char *
dmabufstat_snapshot_backend_name(const struct dmabufstat_snapshot *s)
{
	return s->backend_name;
}

DMABUFSTAT_API unsigned int
dmabufstat_snapshot_flags(const struct dmabufstat_snapshot *s)
{
	return s->flags;
}

DMABUFSTAT_API uint64_t
dmabufstat_snapshot_realtime_ns(const struct dmabufstat_snapshot *s)
{
	return s->realtime_ns;
}

DMABUFSTAT_API uint64_t
dmabufstat_snapshot_monotonic_ns(const struct dmabufstat_snapshot *s)
{
	return s->monotonic_ns;
}

DMABUFSTAT_API const struct dmabufstat_system *
dmabufstat_totals(const struct dmabufstat_snapshot *s)
{
	return &s->totals;
}

DMABUFSTAT_API size_t dmabufstat_nr_buffers(const struct dmabufstat_snapshot *s)
{
	return s->nr_bufs;
}

DMABUFSTAT_API const struct dmabufstat_buffer *
dmabufstat_buffer(const struct dmabufstat_snapshot *s, size_t i)
{
	return i < s->nr_bufs ? &s->bufs[i] : NULL;
}

DMABUFSTAT_API const struct dmabufstat_buffer *
dmabufstat_find_buffer(const struct dmabufstat_snapshot *s, uint64_t ino,
		       size_t *index)
{
	size_t i = buf_lookup(s->buf_hash, s->buf_hash_mask, s->bufs, ino);

	if (i == (size_t)-1)
		return NULL;
	if (index)
		*index = i;
	return &s->bufs[i];
}

DMABUFSTAT_API const struct dmabufstat_holder *
dmabufstat_buffer_holder(const struct dmabufstat_snapshot *s, size_t i,
			 size_t j)
{
	if (i >= s->nr_bufs || j >= s->bufs[i].nr_procs)
		return NULL;
	return &s->holders[s->buf_holders[s->buf_first_holder[i] + j]];
}

DMABUFSTAT_API size_t
dmabufstat_nr_processes(const struct dmabufstat_snapshot *s)
{
	return s->nr_procs;
}

DMABUFSTAT_API const struct dmabufstat_process *
dmabufstat_process(const struct dmabufstat_snapshot *s, size_t i)
{
	return i < s->nr_procs ? &s->procs[i] : NULL;
}

DMABUFSTAT_API const struct dmabufstat_process *
dmabufstat_find_process(const struct dmabufstat_snapshot *s, uint32_t pid,
			size_t *index)
{
	size_t i = hash64(pid) & s->proc_hash_mask;	/* as build.c hashes */

	while (s->proc_hash[i]) {
		size_t p = s->proc_hash[i] - 1;

		if (s->procs[p].pid == pid) {
			if (index)
				*index = p;
			return &s->procs[p];
		}
		i = (i + 1) & s->proc_hash_mask;
	}
	return NULL;
}

DMABUFSTAT_API const struct dmabufstat_holder *
dmabufstat_process_holder(const struct dmabufstat_snapshot *s, size_t i,
			  size_t j)
{
	if (i >= s->nr_procs || j >= s->procs[i].nr_bufs)
		return NULL;
	return &s->holders[s->proc_first_holder[i] + j];
}

DMABUFSTAT_API const struct dmabufstat_ref *
dmabufstat_process_ref(const struct dmabufstat_snapshot *s, size_t i, size_t j)
{
	if (i >= s->nr_procs || j >= s->procs[i].nr_refs)
		return NULL;
	return &s->refs[s->proc_first_ref[i] + j];
}

DMABUFSTAT_API size_t
dmabufstat_nr_exporters(const struct dmabufstat_snapshot *s)
{
	return s->nr_exporters;
}

DMABUFSTAT_API const struct dmabufstat_exporter *
dmabufstat_exporter(const struct dmabufstat_snapshot *s, size_t i)
{
	return i < s->nr_exporters ? &s->exporters[i] : NULL;
}

DMABUFSTAT_API size_t dmabufstat_nr_devices(const struct dmabufstat_snapshot *s)
{
	return s->nr_devices;
}

DMABUFSTAT_API const struct dmabufstat_device *
dmabufstat_device(const struct dmabufstat_snapshot *s, size_t i)
{
	return i < s->nr_devices ? &s->devices[i] : NULL;
}

DMABUFSTAT_API size_t dmabufstat_nr_uids(const struct dmabufstat_snapshot *s)
{
	return s->nr_uids;
}

DMABUFSTAT_API const struct dmabufstat_group *
dmabufstat_uid(const struct dmabufstat_snapshot *s, size_t i)
{
	return i < s->nr_uids ? &s->uids[i] : NULL;
}

DMABUFSTAT_API size_t dmabufstat_nr_cgroups(const struct dmabufstat_snapshot *s)
{
	return s->nr_cgroups;
}

DMABUFSTAT_API const struct dmabufstat_group *
dmabufstat_cgroup(const struct dmabufstat_snapshot *s, size_t i)
{
	return i < s->nr_cgroups ? &s->cgroups[i] : NULL;
}
