// SPDX-License-Identifier: GPL-2.0
/*
 * The views, built once for both tools: each is a column set (the JSON
 * keys of docs/json-schema.md) and a function filling its rows from a
 * snapshot with the filters. Adding a view is one column set, one builder
 * and one row of the views[] table below.
 */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "table.h"
#include "text.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum { B_INO, B_SIZE, B_EXPORTER, B_NAME, B_PROCS, B_FDS, B_MAPS,
       B_KERNEL_ONLY, B_PIDS, B_DEVICES, B_EXP_NAME, B_DRIVER, B_HAS_NAME,
       B_REFCOUNT, B_VMAPS, B_ATTACHED,
       /* with tracking only (dmabufstat track start): the last ones */
       B_ALLOCATOR, B_AGE, B_IMPORTERS, B_KEPT_BY, B_ORPHAN, B_TRACKED,
       B_ALLOC_PID, B_ALLOC_COMM, B_ALLOC_ALIVE, B_ALLOC_UID,
       B_ALLOC_CGROUP, B_IMPORTER_PIDS, B_KEEPER_PID, B_STACK_ID };
#define B_FIRST_TRACK B_ALLOCATOR
static const struct rep_col buffer_cols[] = {
	[B_INO] = { "ino", "INODE", REP_U64, REP_ID, 8 },
	[B_SIZE] = { "size", "SIZE", REP_SIZE, 0, 7 },
	[B_EXPORTER] = { "exporter", "EXPORTER", REP_STR, 0, 12 },
	[B_NAME] = { "name", "NAME", REP_STR, 0, 14 },
	[B_PROCS] = { "procs", "PROCS", REP_U64, 0, 5, 1 },
	[B_FDS] = { "fds", "FDS", REP_U64, 0, 4, 3 },
	[B_MAPS] = { "maps", "MAPS", REP_U64, 0, 4, 2 },
	[B_KERNEL_ONLY] = { "kernel_only", "KERNEL_ONLY", REP_BOOL, 0, 11, 1 },
	[B_PIDS] = { "pids", "HOLDERS", REP_U64LIST, 0, 12 },
	[B_DEVICES] = { "devices", "DEVICES", REP_STRLIST, 0, 8 },
	[B_EXP_NAME] = { "exp_name", "EXP_NAME", REP_STR, REP_WIDE },
	[B_DRIVER] = { "driver", "DRIVER", REP_STR, REP_WIDE },
	[B_HAS_NAME] = { "has_name", "HAS_NAME", REP_BOOL, REP_WIDE },
	[B_REFCOUNT] = { "refcount", "REFCOUNT", REP_S64, REP_WIDE },
	[B_VMAPS] = { "vmaps", "VMAPS", REP_S64, REP_WIDE },
	[B_ATTACHED] = { "attached", "ATTACHED", REP_U64, REP_WIDE },
	[B_ALLOCATOR] = { "allocator", "ALLOCATOR", REP_STR, 0, 16, 2 },
	[B_AGE] = { "age_ns", "AGE", REP_AGE, 0, 6, 2 },
	[B_IMPORTERS] = { "importers", "IMPORTERS", REP_STRLIST, 0, 16, 3 },
	[B_KEPT_BY] = { "kept_by", "KEPT_BY", REP_STR, 0, 14, 4 },
	[B_ORPHAN] = { "orphan", "ORPHAN", REP_BOOL, 0, 6, 4 },
	[B_TRACKED] = { "tracked", "TRACKED", REP_STR, REP_WIDE },
	[B_ALLOC_PID] = { "alloc_pid", "ALLOC_PID", REP_U64, REP_ID | REP_WIDE },
	[B_ALLOC_COMM] = { "alloc_comm", "ALLOC_COMM", REP_STR, REP_WIDE },
	[B_ALLOC_ALIVE] = { "alloc_alive", "ALLOC_ALIVE", REP_BOOL, REP_WIDE },
	[B_ALLOC_UID] = { "alloc_uid", "ALLOC_UID", REP_S64, REP_WIDE },
	[B_ALLOC_CGROUP] = { "alloc_cgroup_id", "ALLOC_CGROUP", REP_U64,
			     REP_ID | REP_WIDE },
	[B_IMPORTER_PIDS] = { "importer_pids", "IMPORTER_PIDS", REP_U64LIST,
			      REP_WIDE },
	[B_KEEPER_PID] = { "keeper_pid", "KEEPER_PID", REP_U64,
			   REP_ID | REP_WIDE },
	[B_STACK_ID] = { "alloc_stack_id", "STACK", REP_U64, REP_ID | REP_WIDE },
};

enum { E_NAME, E_EXP_NAME, E_COUNT, E_BYTES, E_RESOLVED };
static const struct rep_col exporter_cols[] = {
	[E_NAME] = { "name", "EXPORTER", REP_STR, 0, 16 },
	[E_EXP_NAME] = { "exp_name", "EXP_NAME", REP_STR, 0, 12, 2 },
	[E_COUNT] = { "count", "COUNT", REP_U64, 0, 6 },
	[E_BYTES] = { "bytes", "BYTES", REP_SIZE, 0, 7 },
	[E_RESOLVED] = { "resolved", "RESOLVED", REP_BOOL, REP_WIDE },
};

enum { P_PID, P_UID, P_COMM, P_RSS, P_PSS, P_BUFS, P_FDS, P_MAPS,
       P_CGROUP, P_INOS, P_CMDLINE,
       /* with tracking only */
       P_ALLOCATED, P_ALLOC_BUFS };
#define P_FIRST_TRACK P_ALLOCATED
static const struct rep_col proc_cols[] = {
	[P_PID] = { "pid", "PID", REP_U64, REP_ID, 7 },
	[P_UID] = { "uid", "UID", REP_U64, REP_ID, 5, 2 },
	[P_COMM] = { "comm", "COMM", REP_STR, 0, 15 },
	[P_RSS] = { "rss", "RSS", REP_SIZE, 0, 7 },
	[P_PSS] = { "pss", "PSS", REP_SIZE, 0, 7 },
	[P_BUFS] = { "bufs", "BUFS", REP_U64, 0, 5 },
	[P_FDS] = { "fds", "FDS", REP_U64, 0, 5, 4 },
	[P_MAPS] = { "maps", "MAPS", REP_U64, 0, 5, 5 },
	[P_CGROUP] = { "cgroup_id", "CGROUP", REP_U64, REP_ID | REP_WIDE },
	[P_INOS] = { "inos", "INODES", REP_U64LIST, REP_WIDE },
	/* after the figures: it is long, and they keep their place */
	[P_CMDLINE] = { "cmdline", "CMDLINE", REP_STR, REP_LAZY, 20, 1 },
	[P_ALLOCATED] = { "allocated", "ALLOC", REP_SIZE, 0, 7, 3 },
	[P_ALLOC_BUFS] = { "alloc_bufs", "ALLOC_BUFS", REP_U64, REP_WIDE },
};

enum { D_NAME, D_COUNT, D_BYTES };
static const struct rep_col device_cols[] = {
	[D_NAME] = { "name", "DEVICE", REP_STR, 0, 20 },
	[D_COUNT] = { "count", "COUNT", REP_U64, 0, 6 },
	[D_BYTES] = { "bytes", "BYTES", REP_SIZE, 0, 7 },
};

enum { G_ID, G_NAME, G_PROCS, G_BUFS, G_RSS, G_PSS };
static const struct rep_col uid_cols[] = {
	[G_ID] = { "uid", "UID", REP_U64, REP_ID, 6 },
	[G_NAME] = { "user", "USER", REP_STR, 0, 12 },
	[G_PROCS] = { "procs", "PROCS", REP_U64, 0, 5, 2 },
	[G_BUFS] = { "bufs", "BUFS", REP_U64, 0, 5 },
	[G_RSS] = { "rss", "RSS", REP_SIZE, 0, 7 },
	[G_PSS] = { "pss", "PSS", REP_SIZE, 0, 7 },
};

/* the uids' columns, and the cgroup's path after its id */
enum { C_ID, C_PATH, C_NAME, C_PROCS, C_BUFS, C_RSS, C_PSS };
static const struct rep_col cgroup_cols[] = {
	[C_ID] = { "cgroup_id", "CGROUP", REP_U64, REP_ID, 8 },
	[C_PATH] = { "path", "PATH", REP_STR, REP_LAZY, 20 },
	[C_NAME] = { "comms", "PROCESSES", REP_STR, 0, 16, 1 },
	[C_PROCS] = { "procs", "PROCS", REP_U64, 0, 5, 2 },
	[C_BUFS] = { "bufs", "BUFS", REP_U64, 0, 5 },
	[C_RSS] = { "rss", "RSS", REP_SIZE, 0, 7 },
	[C_PSS] = { "pss", "PSS", REP_SIZE, 0, 7 },
};

static const struct rep_col totals_cols[] = {
	{ "count", "buffers", REP_U64, 0, 0, 0 },
	{ "bytes", "exported", REP_SIZE, 0, 0, 0 },
	{ "userspace_count", "held by processes", REP_U64, 0, 0, 0 },
	{ "userspace_bytes", "held by processes (size)", REP_SIZE, 0, 0, 0 },
	{ "kernel_count", "kernel-only", REP_U64, 0, 0, 0 },
	{ "kernel_bytes", "kernel-only (size)", REP_SIZE, 0, 0, 0 },
	{ "userspace_rss", "userspace rss", REP_SIZE, 0, 0, 0 },
	{ "userspace_pss", "userspace pss", REP_SIZE, 0, 0, 0 },
	{ "processes", "processes", REP_U64, 0, 0, 0 },
	{ "fds", "fds", REP_U64, 0, 0, 0 },
	{ "maps", "mappings", REP_U64, 0, 0, 0 },
};

/* Every view leaves room for the extension's columns. */
_Static_assert(ARRAY_SIZE(buffer_cols) <= REP_MAX_COLS - REP_MAX_EXT &&
	       ARRAY_SIZE(exporter_cols) <= REP_MAX_COLS - REP_MAX_EXT &&
	       ARRAY_SIZE(proc_cols) <= REP_MAX_COLS - REP_MAX_EXT &&
	       ARRAY_SIZE(device_cols) <= REP_MAX_COLS - REP_MAX_EXT &&
	       ARRAY_SIZE(uid_cols) <= REP_MAX_COLS - REP_MAX_EXT &&
	       ARRAY_SIZE(cgroup_cols) <= REP_MAX_COLS - REP_MAX_EXT &&
	       ARRAY_SIZE(totals_cols) <= REP_MAX_COLS - REP_MAX_EXT,
	       "a view has more columns than a table holds");

struct build {
	struct rep_table *t;
	const struct dmabufstat_snapshot *snap;
	const struct rep_filter *f;
	const struct rep_ext *ext;
};

static int build_buffers(struct build *b);
static int build_exporters(struct build *b);
static int build_procs(struct build *b);
static int build_devices(struct build *b);
static int build_uids(struct build *b);
static int build_cgroups(struct build *b);
static int build_totals(struct build *b);

static const struct {
	const char *name, *key;
	const struct rep_col *cols;
	int ncols;
	const char *sort;	/* default sort key */
	int usage;		/* growth is measured on it; -1 none */
	int first_track;	/* columns from it on need tracking; 0 none */
	int (*build)(struct build *b);
} views[REP_NR_VIEWS] = {
	[REP_BUFFERS] = { "buffers", "buffers", buffer_cols,
			  ARRAY_SIZE(buffer_cols), "size", -1, B_FIRST_TRACK,
			  build_buffers },
	[REP_EXPORTERS] = { "exporters", "exporters", exporter_cols,
			    ARRAY_SIZE(exporter_cols), "bytes", E_BYTES, 0,
			    build_exporters },
	[REP_PROCS] = { "procs", "processes", proc_cols, ARRAY_SIZE(proc_cols),
			"rss", P_RSS, P_FIRST_TRACK, build_procs },
	[REP_DEVICES] = { "devices", "devices", device_cols,
			  ARRAY_SIZE(device_cols), "bytes", D_BYTES, 0,
			  build_devices },
	[REP_UIDS] = { "uids", "uids", uid_cols, ARRAY_SIZE(uid_cols), "rss",
		       G_RSS, 0, build_uids },
	[REP_CGROUPS] = { "cgroups", "cgroups", cgroup_cols,
			  ARRAY_SIZE(cgroup_cols), "rss", C_RSS, 0,
			  build_cgroups },
	[REP_TOTALS] = { "totals", "totals", totals_cols,
			 ARRAY_SIZE(totals_cols), "bytes", -1, 0, build_totals },
};

const char *rep_view_name(enum rep_view v)
{
	return views[v].name;
}

const char *rep_view_key(enum rep_view v)
{
	return views[v].key;
}

enum rep_view rep_view_find(const char *name)
{
	int v;

	for (v = 0; v < REP_TOTALS; v++)
		if (!strcmp(name, views[v].name) || !strcmp(name, views[v].key))
			return v;
	return REP_NR_VIEWS;
}

const struct rep_col *rep_view_cols(enum rep_view v, int *ncols)
{
	*ncols = views[v].ncols;
	return views[v].cols;
}

const char *rep_view_default_sort(enum rep_view v)
{
	return views[v].sort;
}

int rep_view_usage_col(enum rep_view v)
{
	return views[v].usage;
}

/* ------------------------------------------------------------------ */
/* Filters                                                            */

static bool proc_filtered(const struct rep_filter *f)
{
	return f && (f->nr_pids || f->has_uid || f->has_cgroup);
}

static bool proc_matches(const struct rep_filter *f,
			 const struct dmabufstat_process *p)
{
	size_t i;

	if (!proc_filtered(f))
		return true;
	if (f->has_uid && p->uid != f->uid)
		return false;
	if (f->has_cgroup && p->cgroup_id != f->cgroup)
		return false;
	if (!f->nr_pids)
		return true;
	for (i = 0; i < f->nr_pids; i++)
		if (f->pids[i] == p->pid)
			return true;
	return false;
}

static bool exporter_matches(const struct rep_filter *f,
			     const struct dmabufstat_buffer *b)
{
	return !f || !f->exporter ||
	       !strcmp(dmabufstat_buffer_exporter(b), f->exporter) ||
	       !strcmp(b->exporter, f->exporter);
}

/* An orphan, or a kernel-only buffer an importer keeps (tracking). */
static bool is_leak(const struct dmabufstat_snapshot *s, size_t i)
{
	const struct dmabufstat_buffer_track *t = dmabufstat_buffer_track(s, i);

	return t && ((t->flags & DMABUFSTAT_TRK_ORPHAN) || t->keeper_pid);
}

/* Is buffer i of a wanted exporter and held by a wanted process? */
static bool buffer_matches(const struct build *b, size_t i)
{
	const struct dmabufstat_buffer *buf = dmabufstat_buffer(b->snap, i);
	const struct dmabufstat_holder *h;
	size_t j;

	if (!exporter_matches(b->f, buf))
		return false;
	if (b->f && b->f->leaks && !is_leak(b->snap, i))
		return false;
	if (!proc_filtered(b->f))
		return true;
	for (j = 0; j < buf->nr_procs; j++) {
		h = dmabufstat_buffer_holder(b->snap, i, j);
		if (h && proc_matches(b->f,
				      dmabufstat_process(b->snap, h->proc)))
			return true;
	}
	return false;
}

/* A wanted process: it matches and holds a buffer of the exporter. */
static bool process_wanted(const struct build *b, size_t i)
{
	const struct dmabufstat_process *p = dmabufstat_process(b->snap, i);
	size_t j;

	if (!proc_matches(b->f, p))
		return false;
	if (!b->f || !b->f->exporter)
		return true;
	for (j = 0; j < p->nr_bufs; j++) {
		const struct dmabufstat_holder *h;

		h = dmabufstat_process_holder(b->snap, i, j);
		if (h && exporter_matches(b->f,
					  dmabufstat_buffer(b->snap, h->buf)))
			return true;
	}
	return false;
}

static bool filtered(const struct rep_filter *f)
{
	return proc_filtered(f) || (f && f->exporter);
}

/* The view's usage figure to the extension's columns. */
static void extend(struct build *b, struct rep_row *r)
{
	int u = views[b->t->view].usage;

	if (b->ext && u >= 0)
		b->ext->fill(b->ext->ctx, b->t, r, b->t->nbase,
			     rep_cells(b->t, r)[u].u);
}

/* ------------------------------------------------------------------ */
/* Builders                                                           */

/* "comm:pid", owned by the table; NULL when out of memory. */
static const char *comm_pid(struct rep_table *t, const char *comm,
			    uint32_t pid, const char *dev, const char *note)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%s:%u%s%s%s", comm, pid,
		 dev && *dev ? ">" : "", dev ?: "", note);
	return rep_strdup(t, buf);
}

/* The tracking cells of a buffer: 0 or -ENOMEM. */
static int fill_track(struct rep_table *t, union rep_cell *c,
		      const struct dmabufstat_buffer_track *tr)
{
	const char *imps[DMABUFSTAT_TRK_IMPORTERS];
	uint64_t pids[DMABUFSTAT_TRK_IMPORTERS];
	uint32_t i;

	c[B_AGE].i = -1;
	c[B_ALLOC_UID].i = -1;
	if (!tr)
		return 0;
	if (tr->flags & DMABUFSTAT_TRK_EXPORT) {
		c[B_TRACKED].s = "export";
		c[B_ALLOCATOR].s = comm_pid(t, tr->alloc_comm, tr->alloc_pid,
					    NULL,
					    tr->flags & DMABUFSTAT_TRK_ALLOC_ALIVE ?
					    "" : " (exited)");
		c[B_AGE].i = tr->age_ns;
		c[B_ALLOC_PID].u = tr->alloc_pid;
		c[B_ALLOC_COMM].s = tr->alloc_comm;
		c[B_ALLOC_ALIVE].b = tr->flags & DMABUFSTAT_TRK_ALLOC_ALIVE;
		c[B_ALLOC_UID].i = tr->alloc_uid;
		c[B_ALLOC_CGROUP].u = tr->alloc_cgroup_id;
		if (!c[B_ALLOCATOR].s)
			return -ENOMEM;
	} else {
		c[B_TRACKED].s = tr->flags & DMABUFSTAT_TRK_BEFORE ? "before" :
								    "unknown";
		c[B_ALLOCATOR].s = tr->flags & DMABUFSTAT_TRK_BEFORE ?
				   "before tracking" : "unknown";
	}
	c[B_ORPHAN].b = tr->flags & DMABUFSTAT_TRK_ORPHAN;
	c[B_KEEPER_PID].u = tr->keeper_pid;
	c[B_STACK_ID].u = tr->stack_id;
	if (tr->keeper_pid) {
		c[B_KEPT_BY].s = comm_pid(t, tr->keeper_comm, tr->keeper_pid,
					  NULL,
					  tr->flags & DMABUFSTAT_TRK_KEPT_BY_EXPORTER ?
					  " (its export)" : "");
		if (!c[B_KEPT_BY].s)
			return -ENOMEM;
	}
	for (i = 0; i < tr->nr_importers && i < DMABUFSTAT_TRK_IMPORTERS; i++) {
		const struct dmabufstat_importer *imp = &tr->importers[i];

		pids[i] = imp->pid;
		imps[i] = comm_pid(t, imp->comm, imp->pid, imp->device,
				   imp->flags & DMABUFSTAT_IMP_DETACHED ?
				   " (detached)" : "");
		if (!imps[i])
			return -ENOMEM;
	}
	return rep_list_u64(t, &c[B_IMPORTER_PIDS], pids, i) ?:
	       rep_list_str(t, &c[B_IMPORTERS], imps, i);
}

static int build_buffers(struct build *b)
{
	const struct dmabufstat_snapshot *s = b->snap;
	size_t i, j, n = dmabufstat_nr_buffers(s), cap = 64;
	uint64_t *pids = malloc(cap * sizeof(*pids));
	const char *devs[DMABUFSTAT_ATTACH_NAMES];
	int err = 0;

	for (i = 0; i < n && pids; i++) {
		const struct dmabufstat_buffer *buf = dmabufstat_buffer(s, i);
		struct rep_row *r;
		union rep_cell *c;
		size_t np = 0, nd = 0;

		if (!buffer_matches(b, i))
			continue;
		if (buf->nr_procs > cap) {
			uint64_t *p = realloc(pids, buf->nr_procs * sizeof(*p));

			if (!p)
				break;
			pids = p;
			cap = buf->nr_procs;
		}
		r = rep_row_add(b->t, i);
		if (!r)
			break;
		c = rep_cells(b->t, r);
		c[B_INO].u = buf->ino;
		c[B_SIZE].u = buf->size;
		c[B_EXPORTER].s = dmabufstat_buffer_exporter(buf);
		c[B_NAME].s = buf->name;
		c[B_PROCS].u = buf->nr_procs;
		c[B_FDS].u = buf->nr_fds;
		c[B_MAPS].u = buf->nr_maps;
		c[B_KERNEL_ONLY].b = !(buf->flags & DMABUFSTAT_BUF_USERSPACE);
		c[B_EXP_NAME].s = buf->exporter;
		c[B_DRIVER].s = buf->driver;
		c[B_HAS_NAME].b = buf->flags & DMABUFSTAT_BUF_HAS_NAME;
		c[B_REFCOUNT].i = buf->file_count;
		c[B_VMAPS].i = buf->vmap_count;
		c[B_ATTACHED].u = buf->nr_attach;
		for (j = 0; j < buf->nr_procs; j++) {
			const struct dmabufstat_holder *h;

			h = dmabufstat_buffer_holder(s, i, j);
			if (h)
				pids[np++] = dmabufstat_process(s, h->proc)->pid;
		}
		for (j = 0; j < buf->nr_attach_names &&
			    j < DMABUFSTAT_ATTACH_NAMES; j++)
			devs[nd++] = buf->attach[j];
		if (rep_list_u64(b->t, &c[B_PIDS], pids, np) ||
		    rep_list_str(b->t, &c[B_DEVICES], devs, nd))
			break;
		if (rep_view_tracked(b->t) &&
		    fill_track(b->t, c, dmabufstat_buffer_track(s, i)))
			break;
		extend(b, r);
	}
	if (!pids || i < n)
		err = -ENOMEM;
	free(pids);
	return err;
}

/* The row whose column 0 reads name, or a new one. */
static struct rep_row *row_named(struct rep_table *t, const char *name,
				 bool *added)
{
	size_t k;

	*added = false;
	for (k = 0; k < t->nr; k++)
		if (!strcmp(rep_cells(t, &t->rows[k])[0].s, name))
			return &t->rows[k];
	*added = true;
	return rep_row_add(t, -1);
}

static void extend_all(struct build *b)
{
	size_t k;

	for (k = 0; k < b->t->nr; k++)
		extend(b, &b->t->rows[k]);
}

static int build_exporters(struct build *b)
{
	const struct dmabufstat_snapshot *s = b->snap;
	size_t i, n;
	bool added;

	if (!filtered(b->f)) {
		n = dmabufstat_nr_exporters(s);
		for (i = 0; i < n; i++) {
			const struct dmabufstat_exporter *e;
			struct rep_row *r = rep_row_add(b->t, i);
			union rep_cell *c;

			if (!r)
				return -ENOMEM;
			e = dmabufstat_exporter(s, i);
			c = rep_cells(b->t, r);
			c[E_NAME].s = e->name;
			c[E_EXP_NAME].s = e->exp_name;
			c[E_RESOLVED].b = e->resolved;
			c[E_COUNT].u = e->count;
			c[E_BYTES].u = e->bytes;
		}
		extend_all(b);
		return 0;
	}
	/* summed over the buffers that match */
	n = dmabufstat_nr_buffers(s);
	for (i = 0; i < n; i++) {
		const struct dmabufstat_buffer *buf = dmabufstat_buffer(s, i);
		struct rep_row *r;
		union rep_cell *c;

		if (!buffer_matches(b, i))
			continue;
		r = row_named(b->t, dmabufstat_buffer_exporter(buf), &added);
		if (!r)
			return -ENOMEM;
		c = rep_cells(b->t, r);
		if (added) {
			c[E_NAME].s = dmabufstat_buffer_exporter(buf);
			c[E_EXP_NAME].s = buf->exporter;
			c[E_RESOLVED].b = buf->flags & DMABUFSTAT_BUF_DRIVER;
		}
		c[E_COUNT].u++;
		c[E_BYTES].u += buf->size;
	}
	extend_all(b);
	return 0;
}

static int build_devices(struct build *b)
{
	const struct dmabufstat_snapshot *s = b->snap;
	size_t i, j, n;
	bool added;

	if (!filtered(b->f)) {
		n = dmabufstat_nr_devices(s);
		for (i = 0; i < n; i++) {
			const struct dmabufstat_device *d;
			struct rep_row *r = rep_row_add(b->t, i);
			union rep_cell *c;

			if (!r)
				return -ENOMEM;
			d = dmabufstat_device(s, i);
			c = rep_cells(b->t, r);
			c[D_NAME].s = d->name;
			c[D_COUNT].u = d->count;
			c[D_BYTES].u = d->bytes;
		}
		extend_all(b);
		return 0;
	}
	n = dmabufstat_nr_buffers(s);
	for (i = 0; i < n; i++) {
		const struct dmabufstat_buffer *buf = dmabufstat_buffer(s, i);

		if (!buffer_matches(b, i))
			continue;
		for (j = 0; j < buf->nr_attach_names &&
			    j < DMABUFSTAT_ATTACH_NAMES; j++) {
			struct rep_row *r;
			union rep_cell *c;

			r = row_named(b->t, buf->attach[j], &added);
			if (!r)
				return -ENOMEM;
			c = rep_cells(b->t, r);
			if (added)
				c[D_NAME].s = buf->attach[j];
			c[D_COUNT].u++;
			c[D_BYTES].u += buf->size;
		}
	}
	extend_all(b);
	return 0;
}

/* What pid allocated that still exists (tracking). */
static void fill_allocated(const struct dmabufstat_snapshot *s, uint32_t pid,
			   union rep_cell *c)
{
	size_t i, n = dmabufstat_nr_allocators(s);

	for (i = 0; i < n; i++) {
		const struct dmabufstat_allocator *a = dmabufstat_allocator(s, i);

		if (a->pid == pid && a->alive) {
			c[P_ALLOCATED].u = a->bytes;
			c[P_ALLOC_BUFS].u = a->nr_bufs;
		}
	}
}

static int build_procs(struct build *b)
{
	const struct dmabufstat_snapshot *s = b->snap;
	size_t i, j, n = dmabufstat_nr_processes(s);
	uint64_t *inos = NULL;
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		const struct dmabufstat_process *p = dmabufstat_process(s, i);
		struct rep_row *r;
		union rep_cell *c;
		size_t ni = 0;

		if (!process_wanted(b, i))
			continue;
		r = rep_row_add(b->t, i);
		if (!r) {
			err = -ENOMEM;
			break;
		}
		c = rep_cells(b->t, r);
		c[P_PID].u = p->pid;
		c[P_UID].u = p->uid;
		c[P_COMM].s = p->comm;
		c[P_CGROUP].u = p->cgroup_id;
		c[P_RSS].u = p->rss;
		c[P_PSS].u = p->pss;
		c[P_BUFS].u = p->nr_bufs;
		c[P_FDS].u = p->nr_fds;
		c[P_MAPS].u = p->nr_maps;
		c[P_CMDLINE].s = "";	/* rep_fill_lazy() */
		if (rep_view_tracked(b->t))
			fill_allocated(s, p->pid, c);
		/* one exporter's buffers: the process's figures for them */
		if (b->f && b->f->exporter)
			c[P_RSS].u = c[P_PSS].u = c[P_BUFS].u = c[P_FDS].u =
				c[P_MAPS].u = 0;
		if (p->nr_bufs) {
			uint64_t *v = realloc(inos, p->nr_bufs * sizeof(*v));

			if (!v) {
				err = -ENOMEM;
				break;
			}
			inos = v;
		}
		for (j = 0; j < p->nr_bufs; j++) {
			const struct dmabufstat_holder *h;

			h = dmabufstat_process_holder(s, i, j);
			if (!h)
				continue;
			if (b->f && b->f->exporter) {
				const struct dmabufstat_buffer *buf;

				buf = dmabufstat_buffer(s, h->buf);
				if (!exporter_matches(b->f, buf))
					continue;
				c[P_RSS].u += buf->size;
				c[P_PSS].u += h->pss;
				c[P_BUFS].u++;
				c[P_FDS].u += h->nr_fds;
				c[P_MAPS].u += h->nr_maps;
			}
			inos[ni++] = dmabufstat_buffer(s, h->buf)->ino;
		}
		err = rep_list_u64(b->t, &c[P_INOS], inos, ni);
		extend(b, r);
	}
	free(inos);
	return err;
}

/*
 * A uid or cgroup is listed when a wanted process belongs to it; comms
 * gets the names of its processes, comma-separated.
 */
static bool group_wanted(const struct build *b, bool uid, uint64_t id,
			 char *comms, size_t len)
{
	const struct dmabufstat_snapshot *s = b->snap;
	size_t i, n = dmabufstat_nr_processes(s), off = 0;
	bool found = false;

	comms[0] = '\0';
	for (i = 0; i < n; i++) {
		const struct dmabufstat_process *p = dmabufstat_process(s, i);

		if ((uid ? p->uid : p->cgroup_id) != id)
			continue;
		found |= process_wanted(b, i);
		if (off + 2 < len)
			off += snprintf(comms + off, len - off, "%s%s",
					off ? "," : "", p->comm);
	}
	return found;
}

static int build_groups(struct build *b, bool uid)
{
	const struct dmabufstat_snapshot *s = b->snap;
	size_t i, n = uid ? dmabufstat_nr_uids(s) : dmabufstat_nr_cgroups(s);
	char comms[256];

	for (i = 0; i < n; i++) {
		const struct dmabufstat_group *g = uid ? dmabufstat_uid(s, i) :
					       dmabufstat_cgroup(s, i);
		struct rep_row *r;
		union rep_cell *c;
		const char *name;

		if (!group_wanted(b, uid, g->id, comms, sizeof(comms)))
			continue;
		if (uid) {
			struct passwd *pw = getpwuid(g->id);

			if (pw)
				snprintf(comms, sizeof(comms), "%s",
					 pw->pw_name);
			else
				snprintf(comms, sizeof(comms), "%" PRIu64,
					 g->id);
		}
		name = rep_strdup(b->t, comms);
		r = rep_row_add(b->t, i);
		if (!r || !name)
			return -ENOMEM;
		c = rep_cells(b->t, r);
		if (uid) {
			c[G_ID].u = g->id;
			c[G_NAME].s = name;
			c[G_PROCS].u = g->nr_procs;
			c[G_BUFS].u = g->nr_bufs;
			c[G_RSS].u = g->rss;
			c[G_PSS].u = g->pss;
		} else {
			c[C_ID].u = g->id;
			c[C_PATH].s = "";	/* rep_fill_lazy() */
			c[C_NAME].s = name;
			c[C_PROCS].u = g->nr_procs;
			c[C_BUFS].u = g->nr_bufs;
			c[C_RSS].u = g->rss;
			c[C_PSS].u = g->pss;
		}
		extend(b, r);
	}
	return 0;
}

static int build_uids(struct build *b)
{
	return build_groups(b, true);
}

static int build_cgroups(struct build *b)
{
	return build_groups(b, false);
}

static int build_totals(struct build *b)
{
	const struct dmabufstat_system *t = dmabufstat_totals(b->snap);
	struct rep_row *r = rep_row_add(b->t, -1);
	union rep_cell *c;

	if (!r)
		return -ENOMEM;
	c = rep_cells(b->t, r);
	c[0].u = t->count;
	c[1].u = t->bytes;
	c[2].u = t->userspace_count;
	c[3].u = t->userspace_bytes;
	c[4].u = t->kernel_count;
	c[5].u = t->kernel_bytes;
	c[6].u = t->userspace_rss;
	c[7].u = t->userspace_pss;
	c[8].u = t->nr_procs;
	c[9].u = t->nr_fds;
	c[10].u = t->nr_maps;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Cells read from /proc for the rows shown (procinfo.c)              */

/* A cgroup's path, through one of its processes that is still in it. */
static const char *cgroup_path(struct rep_table *t, uint64_t id)
{
	const struct dmabufstat_snapshot *s = t->snap;
	size_t i, n = dmabufstat_nr_processes(s);
	char path[4096];

	for (i = 0; i < n; i++) {
		const struct dmabufstat_process *p = dmabufstat_process(s, i);

		if (p->cgroup_id == id &&
		    rep_cgroup_path(p->pid, id, path, sizeof(path)))
			return rep_strdup(t, path);
	}
	return NULL;
}

void rep_fill_lazy(struct rep_table *t, size_t first, size_t n)
{
	char text[4096];
	size_t i;

	/* a recording's processes are not this machine's */
	if (!t->snap || (t->view != REP_PROCS && t->view != REP_CGROUPS) ||
	    dmabufstat_snapshot_proc_backend(t->snap) == DMABUFSTAT_PROC_REPLAY)
		return;
	for (i = first; i < t->nr && i - first < n; i++) {
		struct rep_row *r = &t->rows[i];
		union rep_cell *c = rep_cells(t, r);
		const char *v;

		if (r->flags & (REP_ROW_FILLED | REP_ROW_GROUP) || r->idx < 0)
			continue;
		r->flags |= REP_ROW_FILLED;
		if (t->view == REP_PROCS) {
			rep_cmdline(c[P_PID].u, text, sizeof(text));
			v = rep_strdup(t, text);
			if (v)
				c[P_CMDLINE].s = v;
		} else {
			v = cgroup_path(t, c[C_ID].u);
			if (v)
				c[C_PATH].s = v;
		}
	}
}

/* Keeps the rows with text in a text column, or equal to a number. */
static void filter_text(struct rep_table *t, const char *text)
{
	size_t i, k = 0;
	char num[24];
	int c;

	for (i = 0; i < t->nr; i++) {
		const union rep_cell *v = rep_cells(t, &t->rows[i]);
		bool keep = false;

		for (c = 0; c < t->ncols && !keep; c++) {
			if (t->cols[c].type == REP_STR) {
				keep = v[c].s && strcasestr(v[c].s, text);
			} else if (t->cols[c].type == REP_U64) {
				num[rep_u64(num, v[c].u)] = '\0';
				keep = !strcmp(num, text);
			}
		}
		if (keep)
			t->rows[k++] = t->rows[i];
	}
	t->nr = k;
}

/* The view's columns, those needing tracking only if with_track. */
static void table_init(struct rep_table *t, enum rep_view v,
		       const struct rep_ext *ext, bool with_track)
{
	int i, n = views[v].ncols;

	if (!with_track && views[v].first_track)
		n = views[v].first_track;
	memset(t, 0, sizeof(*t));
	t->view = v;
	t->indent_col = -1;
	t->default_sort = views[v].sort;
	for (i = 0; i < n; i++)
		t->cols[t->ncols++] = views[v].cols[i];
	t->nbase = t->ncols;
	if (!ext || views[v].usage < 0)
		return;		/* nothing to measure growth on */
	for (i = 0; i < ext->ncols && i < REP_MAX_EXT; i++)
		t->cols[t->ncols++] = ext->cols[i];
}

void rep_table_init(struct rep_table *t, enum rep_view v,
		    const struct rep_ext *ext)
{
	table_init(t, v, ext, true);
}

bool rep_view_tracked(const struct rep_table *t)
{
	return views[t->view].first_track &&
	       t->nbase > views[t->view].first_track;
}

int rep_build(struct rep_table *t, enum rep_view v,
	      const struct dmabufstat_snapshot *snap,
	      const struct rep_filter *f, const struct rep_ext *ext)
{
	struct build b = { .t = t, .snap = snap, .f = f, .ext = ext };
	int err;

	table_init(t, v, ext, dmabufstat_snapshot_track(snap));
	t->snap = snap;
	if (t->ncols == t->nbase)
		b.ext = NULL;	/* nothing to measure growth on */
	err = views[v].build(&b);
	if (err) {
		rep_table_free(t);
		return err;
	}
	if (f && f->text && f->text[0])
		filter_text(t, f->text);
	return 0;
}
