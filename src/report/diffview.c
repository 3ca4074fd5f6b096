// SPDX-License-Identifier: GPL-2.0
/*
 * dmabufstat diff's tables, from the library's diff of two snapshots
 * (dmabufstat_diff()): the totals then and now, the buffers that are new,
 * resized or freed, the processes that are new, grew, shrank, changed
 * otherwise or are gone. Rows come in that order of kinds, each kind by
 * inode or pid.
 */
#include <errno.h>
#include <string.h>

#include "table.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct rep_col total_cols[] = {
	{ "count_saved", "buffers (saved)", REP_U64, 0, 0, 0 },
	{ "count", "buffers (now)", REP_U64, 0, 0, 0 },
	{ "bytes_saved", "exported (saved)", REP_SIZE, 0, 0, 0 },
	{ "bytes", "exported (now)", REP_SIZE, 0, 0, 0 },
	{ "bytes_delta", "exported (delta)", REP_DELTA, 0, 0, 0 },
	{ "userspace_rss_delta", "userspace rss (delta)", REP_DELTA, 0, 0, 0 },
	{ "userspace_pss_delta", "userspace pss (delta)", REP_DELTA, 0, 0, 0 },
	{ "kernel_bytes_delta", "kernel-only (delta)", REP_DELTA, 0, 0, 0 },
};

enum { B_CHANGE, B_INO, B_SIZE, B_DELTA, B_EXPORTER, B_NAME, B_PROCS };
static const struct rep_col buf_cols[] = {
	[B_CHANGE] = { "change", "CHANGE", REP_STR },
	[B_INO] = { "ino", "INODE", REP_U64, REP_ID },
	[B_SIZE] = { "size", "SIZE", REP_SIZE },
	[B_DELTA] = { "delta", "DELTA", REP_DELTA },
	[B_EXPORTER] = { "exporter", "EXPORTER", REP_STR },
	[B_NAME] = { "name", "NAME", REP_STR },
	[B_PROCS] = { "procs", "PROCS", REP_U64 },
};

enum { P_CHANGE, P_PID, P_COMM, P_RSS, P_RSS_DELTA, P_PSS, P_PSS_DELTA,
       P_BUFS, P_FDS, P_MAPS, P_BUFS_DELTA, P_FDS_DELTA, P_MAPS_DELTA };
static const struct rep_col proc_cols[] = {
	[P_CHANGE] = { "change", "CHANGE", REP_STR },
	[P_PID] = { "pid", "PID", REP_U64, REP_ID },
	[P_COMM] = { "comm", "COMM", REP_STR },
	[P_RSS] = { "rss", "RSS", REP_SIZE },
	[P_RSS_DELTA] = { "rss_delta", "DELTA", REP_DELTA },
	[P_PSS] = { "pss", "PSS", REP_SIZE },
	[P_PSS_DELTA] = { "pss_delta", "DELTA", REP_DELTA },
	[P_BUFS] = { "bufs", "BUFS", REP_U64 },
	[P_FDS] = { "fds", "FDS", REP_U64 },
	[P_MAPS] = { "maps", "MAPS", REP_U64 },
	[P_BUFS_DELTA] = { "bufs_delta", "BUFS_DELTA", REP_DELTA, REP_WIDE },
	[P_FDS_DELTA] = { "fds_delta", "FDS_DELTA", REP_DELTA, REP_WIDE },
	[P_MAPS_DELTA] = { "maps_delta", "MAPS_DELTA", REP_DELTA, REP_WIDE },
};

static void init(struct rep_table *t, enum rep_view v,
		 const struct dmabufstat_snapshot *snap,
		 const struct rep_col *cols, int n)
{
	memset(t, 0, sizeof(*t));
	t->view = v;
	t->snap = snap;
	t->indent_col = -1;
	memcpy(t->cols, cols, n * sizeof(*cols));
	t->ncols = t->nbase = n;
}

static int totals(struct rep_table *t, const struct dmabufstat_diff *d,
		  const struct dmabufstat_snapshot *os,
		  const struct dmabufstat_snapshot *ns)
{
	const struct dmabufstat_totals_delta *td = dmabufstat_diff_totals(d);
	struct rep_row *r = rep_row_add(t, -1);
	union rep_cell *c;

	if (!r)
		return -ENOMEM;
	c = rep_cells(t, r);
	c[0].u = dmabufstat_totals(os)->count;
	c[1].u = dmabufstat_totals(ns)->count;
	c[2].u = dmabufstat_totals(os)->bytes;
	c[3].u = dmabufstat_totals(ns)->bytes;
	c[4].i = td->bytes;
	c[5].i = td->userspace_rss;
	c[6].i = td->userspace_pss;
	c[7].i = td->kernel_bytes;
	return 0;
}

static const char *buf_change(const struct dmabufstat_buf_delta *x)
{
	switch (x->change) {
	case DMABUFSTAT_NEW:
		return "new";
	case DMABUFSTAT_FREED:
		return "freed";
	default:
		return "resized";
	}
}

static int buffers(struct rep_table *t, const struct dmabufstat_diff *d)
{
	static const char *const order[] = { "new", "resized", "freed" };
	size_t i, k, n = dmabufstat_diff_nr_buffers(d);

	for (k = 0; k < ARRAY_SIZE(order); k++)
		for (i = 0; i < n; i++) {
			const struct dmabufstat_buf_delta *x;
			const struct dmabufstat_buffer *b;
			struct rep_row *r;
			union rep_cell *c;

			x = dmabufstat_diff_buffer(d, i);
			if (strcmp(buf_change(x), order[k]))
				continue;
			b = x->new_buf ?: x->old_buf;
			r = rep_row_add(t, -1);
			if (!r)
				return -ENOMEM;
			c = rep_cells(t, r);
			c[B_CHANGE].s = order[k];
			c[B_INO].u = x->ino;
			c[B_SIZE].u = x->new_buf ? x->new_size : x->old_size;
			c[B_DELTA].i = (int64_t)x->new_size - (int64_t)x->old_size;
			c[B_EXPORTER].s = b ? dmabufstat_buffer_exporter(b) : "";
			c[B_NAME].s = b ? b->name : "";
			c[B_PROCS].u = b ? b->nr_procs : 0;
		}
	return 0;
}

static const char *proc_change(const struct dmabufstat_proc_delta *x)
{
	if (x->change == DMABUFSTAT_NEW)
		return "new";
	if (x->change == DMABUFSTAT_FREED)
		return "gone";
	return x->rss > 0 ? "grown" : x->rss < 0 ? "shrunk" : "changed";
}

static int processes(struct rep_table *t, const struct dmabufstat_diff *d)
{
	static const char *const order[] = {
		"new", "grown", "shrunk", "changed", "gone",
	};
	size_t i, k, n = dmabufstat_diff_nr_processes(d);

	for (k = 0; k < ARRAY_SIZE(order); k++)
		for (i = 0; i < n; i++) {
			const struct dmabufstat_proc_delta *x;
			const struct dmabufstat_process *p;
			struct rep_row *r;
			union rep_cell *c;
			const char *comm;

			x = dmabufstat_diff_process(d, i);
			if (strcmp(proc_change(x), order[k]))
				continue;
			p = x->new_proc ?: x->old_proc;
			r = rep_row_add(t, -1);
			comm = r ? rep_strdup(t, x->comm) : NULL;
			if (!comm)
				return -ENOMEM;
			c = rep_cells(t, r);
			c[P_CHANGE].s = order[k];
			c[P_PID].u = x->pid;
			c[P_COMM].s = comm;
			c[P_RSS].u = p ? p->rss : 0;
			c[P_RSS_DELTA].i = x->rss;
			c[P_PSS].u = p ? p->pss : 0;
			c[P_PSS_DELTA].i = x->pss;
			c[P_BUFS].u = p ? p->nr_bufs : 0;
			c[P_FDS].u = p ? p->nr_fds : 0;
			c[P_MAPS].u = p ? p->nr_maps : 0;
			c[P_BUFS_DELTA].i = x->nr_bufs;
			c[P_FDS_DELTA].i = x->nr_fds;
			c[P_MAPS_DELTA].i = x->nr_maps;
		}
	return 0;
}

int rep_diff_build(const struct dmabufstat_diff *d,
		   const struct dmabufstat_snapshot *old_snap,
		   const struct dmabufstat_snapshot *new_snap,
		   struct rep_table *tot, struct rep_table *bufs,
		   struct rep_table *procs)
{
	int err;

	init(tot, REP_TOTALS, new_snap, total_cols, ARRAY_SIZE(total_cols));
	init(bufs, REP_BUFFERS, new_snap, buf_cols, ARRAY_SIZE(buf_cols));
	init(procs, REP_PROCS, new_snap, proc_cols, ARRAY_SIZE(proc_cols));
	err = totals(tot, d, old_snap, new_snap);
	if (!err)
		err = buffers(bufs, d);
	if (!err)
		err = processes(procs, d);
	if (err) {
		rep_table_free(tot);
		rep_table_free(bufs);
		rep_table_free(procs);
	}
	return err;
}
