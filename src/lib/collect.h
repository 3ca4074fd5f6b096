/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libdmabufstat: what the sources collect for one snapshot, before it is
 * aggregated (build.c): buffers and process references, as growing arrays.
 */
#ifndef __DMABUFSTAT_COLLECT_H
#define __DMABUFSTAT_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libdmabufstat.h"

/* What a reference says of its buffer (the fields of dmabufstat_buffer). */
struct ref_buf {
	uint64_t ino;
	uint64_t size;
	int64_t file_count;	/* -1: unknown */
	uint32_t flags;		/* DMABUFSTAT_BUF_* */
	char exporter[DMABUFSTAT_EXPORTER_LEN];
	char driver[DMABUFSTAT_DRIVER_LEN];
	char name[DMABUFSTAT_BUFNAME_LEN];
};

/* What a process reference says (also about its buffer). */
struct raw_ref {
	struct dmabufstat_ref ref;
	uint32_t uid;
	uint32_t euid;		/* BPF walks only; else 0 */
	uint32_t tid;		/* the thread that reported; BPF walks only */
	uint64_t cgroup_id;
	char comm[DMABUFSTAT_COMM_LEN];
	/*
	 * The buffer as the reference sees it: index + 1 into collect.descs
	 * (ref_desc()); 0 when the buffer source knows all of it already
	 * (collect.bufs_complete), which saves most of a reference's bytes.
	 */
	uint32_t desc;
	bool desc_size_known;	/* false for a procfs mapping */
};

struct collect {
	struct dmabufstat_buffer *bufs;
	size_t nr_bufs, cap_bufs;
	struct raw_ref *refs;
	size_t nr_refs, cap_refs;
	bool bufs_have_names;	/* the buffer source knows names */
	bool bufs_have_attach;	/* ... attachments and file counts */
	/* ... and everything a reference could add (a BPF buffer walk) */
	bool bufs_complete;
	struct ref_buf *descs;	/* what references say of their buffers */
	size_t nr_descs, cap_descs;
	unsigned int flags;	/* DMABUFSTAT_SNAP_* */
};

/* Room for that many more entries, exactly (no doubling): 0 or -ENOMEM. */
int collect_reserve(struct collect *c, size_t bufs, size_t refs);
/* A new zeroed entry (counts unknown: -1), or NULL when out of memory. */
struct dmabufstat_buffer *collect_add_buf(struct collect *c);
struct raw_ref *collect_add_ref(struct collect *c);
/* A description for r (zeroed, file_count -1), or NULL: out of memory. */
struct ref_buf *collect_add_desc(struct collect *c, struct raw_ref *r);
/* Forgets the last reference (and its description). */
void collect_drop_ref(struct collect *c);

static inline const struct ref_buf *ref_desc(const struct collect *c,
					     const struct raw_ref *r)
{
	return r->desc ? &c->descs[r->desc - 1] : NULL;
}
void collect_free(struct collect *c);

/* Makes *arr hold need elements of elem bytes (doubling); 0 or -ENOMEM. */
int grow(void **arr, size_t *cap, size_t need, size_t elem);

#endif /* __DMABUFSTAT_COLLECT_H */
