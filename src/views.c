// SPDX-License-Identifier: GPL-2.0
/* views: snapshot -> document, for each dmabufstat command. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "views.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct out_col totals_cols[] = {
	{ "count", "buffers", COL_U64, 0 },
	{ "bytes", "exported", COL_SIZE, 0 },
	{ "userspace_count", "held by processes", COL_U64, 0 },
	{ "userspace_bytes", "held by processes (size)", COL_SIZE, 0 },
	{ "kernel_count", "kernel-only", COL_U64, 0 },
	{ "kernel_bytes", "kernel-only (size)", COL_SIZE, 0 },
	{ "userspace_rss", "userspace rss", COL_SIZE, 0 },
	{ "userspace_pss", "userspace pss", COL_SIZE, 0 },
	{ "processes", "processes", COL_U64, 0 },
	{ "fds", "fds", COL_U64, 0 },
	{ "maps", "mappings", COL_U64, 0 },
};

static const struct out_col buffer_cols[] = {
	{ "ino", "INO", COL_U64, 0 },
	{ "size", "SIZE", COL_SIZE, 0 },
	{ "exporter", "EXPORTER", COL_STR, 0 },
	{ "exp_name", "EXP_NAME", COL_STR, COL_WIDE },
	{ "driver", "DRIVER", COL_STR, COL_WIDE },
	{ "name", "NAME", COL_STR, 0 },
	{ "has_name", "HAS_NAME", COL_BOOL, COL_WIDE },
	{ "procs", "PROCS", COL_U64, 0 },
	{ "fds", "FDS", COL_U64, 0 },
	{ "maps", "MAPS", COL_U64, 0 },
	{ "pids", "PIDS", COL_U64LIST, 0 },
	{ "refcount", "REFCOUNT", COL_S64, COL_WIDE },
	{ "vmaps", "VMAPS", COL_S64, COL_WIDE },
	{ "attached", "ATTACHED", COL_U64, COL_WIDE },
	{ "devices", "DEVICES", COL_STRLIST, 0 },
	{ "kernel_only", "KERNEL_ONLY", COL_BOOL, 0 },
};

enum {
	BC_INO, BC_SIZE, BC_EXPORTER, BC_EXP_NAME, BC_DRIVER, BC_NAME,
	BC_HAS_NAME, BC_PROCS, BC_FDS, BC_MAPS, BC_PIDS, BC_REFCOUNT,
	BC_VMAPS, BC_ATTACHED, BC_DEVICES, BC_KERNEL_ONLY,
};

static const struct out_col exporter_cols[] = {
	{ "name", "EXPORTER", COL_STR, 0 },
	{ "exp_name", "EXP_NAME", COL_STR, COL_WIDE },
	{ "resolved", "RESOLVED", COL_BOOL, COL_WIDE },
	{ "count", "COUNT", COL_U64, 0 },
	{ "bytes", "SIZE", COL_SIZE, 0 },
};

static const struct out_col proc_cols[] = {
	{ "pid", "PID", COL_U64, 0 },
	{ "comm", "COMM", COL_STR, 0 },
	{ "uid", "UID", COL_U64, 0 },
	{ "cgroup_id", "CGROUP", COL_U64, COL_WIDE },
	{ "rss", "RSS", COL_SIZE, 0 },
	{ "pss", "PSS", COL_SIZE, 0 },
	{ "bufs", "BUFS", COL_U64, 0 },
	{ "fds", "FDS", COL_U64, 0 },
	{ "maps", "MAPS", COL_U64, 0 },
	{ "inos", "INODES", COL_U64LIST, COL_WIDE },
};

static const struct out_col device_cols[] = {
	{ "name", "DEVICE", COL_STR, 0 },
	{ "count", "COUNT", COL_U64, 0 },
	{ "bytes", "SIZE", COL_SIZE, 0 },
};

static const struct out_col uid_cols[] = {
	{ "uid", "UID", COL_U64, 0 },
	{ "rss", "RSS", COL_SIZE, 0 },
	{ "pss", "PSS", COL_SIZE, 0 },
	{ "procs", "PROCS", COL_U64, 0 },
	{ "bufs", "BUFS", COL_U64, 0 },
};

static const struct out_col cgroup_cols[] = {
	{ "cgroup_id", "CGROUP", COL_U64, 0 },
	{ "rss", "RSS", COL_SIZE, 0 },
	{ "pss", "PSS", COL_SIZE, 0 },
	{ "procs", "PROCS", COL_U64, 0 },
	{ "bufs", "BUFS", COL_U64, 0 },
};

bool view_filtered(const struct view_opts *o)
{
	return o->nr_pids || o->has_uid || o->has_cgroup;
}

static bool proc_matches(const struct view_opts *o,
			 const struct dmabufstat_process *p)
{
	size_t i;

	if (o->has_uid && p->uid != o->uid)
		return false;
	if (o->has_cgroup && p->cgroup_id != o->cgroup)
		return false;
	if (!o->nr_pids)
		return true;
	for (i = 0; i < o->nr_pids; i++)
		if (o->pids[i] == p->pid)
			return true;
	return false;
}

static bool buffer_matches(const struct dmabufstat_snapshot *snap,
			   const struct view_opts *o, size_t i)
{
	const struct dmabufstat_buffer *b = dmabufstat_buffer(snap, i);
	const struct dmabufstat_holder *h;
	size_t j;

	if (!view_filtered(o))
		return true;
	for (j = 0; j < b->nr_procs; j++) {
		h = dmabufstat_buffer_holder(snap, i, j);
		if (h && proc_matches(o, dmabufstat_process(snap, h->proc)))
			return true;
	}
	return false;
}

/*
 * Sort key: -s FIELD (a column key; "size" means the view's size column),
 * else the default.
 */
static int sort_section(struct out_section *s, const char *sort,
			const char *dflt, const char **bad)
{
	static char keys[512];
	int col;
	size_t i;

	if (sort && !strcmp(sort, "size"))
		sort = dflt;
	col = out_col_find(s, sort ?: dflt);
	if (col < 0 || (s->cols[col].flags & COL_NOSORT)) {
		keys[0] = '\0';
		for (i = 0; i < s->nr_cols; i++) {
			if (s->cols[i].flags & COL_NOSORT)
				continue;
			strncat(keys, i ? ", " : "",
				sizeof(keys) - strlen(keys) - 1);
			strncat(keys, s->cols[i].key,
				sizeof(keys) - strlen(keys) - 1);
		}
		*bad = keys;
		return -EINVAL;
	}
	out_sort(s, col);
	return 0;
}

static int add_totals(const struct dmabufstat_snapshot *snap,
		      struct out_doc *doc, bool json_only)
{
	const struct dmabufstat_system *t = dmabufstat_totals(snap);
	struct out_section *s;
	struct out_cell *r;

	s = out_section_add(doc, "totals", "Totals", totals_cols,
			    ARRAY_SIZE(totals_cols));
	if (!s)
		return -ENOMEM;
	s->single = true;
	s->json_only = json_only;
	r = out_row_add(s);
	if (!r)
		return -ENOMEM;
	r[0].u = t->count;
	r[1].u = t->bytes;
	r[2].u = t->userspace_count;
	r[3].u = t->userspace_bytes;
	r[4].u = t->kernel_count;
	r[5].u = t->kernel_bytes;
	r[6].u = t->userspace_rss;
	r[7].u = t->userspace_pss;
	r[8].u = t->nr_procs;
	r[9].u = t->nr_fds;
	r[10].u = t->nr_maps;
	return 0;
}

static int add_buffers(const struct dmabufstat_snapshot *snap,
		       const struct view_opts *o, struct out_doc *doc,
		       const char **bad)
{
	size_t i, j, n = dmabufstat_nr_buffers(snap);
	struct out_section *s;
	struct out_cell *r;
	int err;

	s = out_section_add(doc, "buffers", NULL, buffer_cols,
			    ARRAY_SIZE(buffer_cols));
	if (!s)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct dmabufstat_buffer *b = dmabufstat_buffer(snap, i);

		if (!buffer_matches(snap, o, i))
			continue;
		r = out_row_add(s);
		if (!r)
			return -ENOMEM;
		r[BC_INO].u = b->ino;
		r[BC_SIZE].u = b->size;
		r[BC_EXPORTER].s = dmabufstat_buffer_exporter(b);
		r[BC_EXP_NAME].s = b->exporter;
		r[BC_DRIVER].s = b->driver;
		r[BC_NAME].s = b->name;
		r[BC_HAS_NAME].b = b->flags & DMABUFSTAT_BUF_HAS_NAME;
		r[BC_PROCS].u = b->nr_procs;
		r[BC_FDS].u = b->nr_fds;
		r[BC_MAPS].u = b->nr_maps;
		r[BC_REFCOUNT].i = b->file_count;
		r[BC_VMAPS].i = b->vmap_count;
		r[BC_ATTACHED].u = b->nr_attach;
		r[BC_KERNEL_ONLY].b = !(b->flags & DMABUFSTAT_BUF_USERSPACE);
		if (b->nr_procs) {
			r[BC_PIDS].ul.v = calloc(b->nr_procs, sizeof(uint64_t));
			if (!r[BC_PIDS].ul.v)
				return -ENOMEM;
		}
		for (j = 0; j < b->nr_procs; j++) {
			const struct dmabufstat_holder *h;
			const struct dmabufstat_process *p;

			h = dmabufstat_buffer_holder(snap, i, j);
			p = h ? dmabufstat_process(snap, h->proc) : NULL;
			if (p)
				r[BC_PIDS].ul.v[r[BC_PIDS].ul.n++] = p->pid;
		}
		if (b->nr_attach_names) {
			r[BC_DEVICES].sl.v = calloc(b->nr_attach_names,
						    sizeof(char *));
			if (!r[BC_DEVICES].sl.v)
				return -ENOMEM;
		}
		for (j = 0; j < b->nr_attach_names &&
			    j < DMABUFSTAT_ATTACH_NAMES; j++)
			r[BC_DEVICES].sl.v[r[BC_DEVICES].sl.n++] = b->attach[j];
	}
	err = sort_section(s, o->sort, "size", bad);
	if (err)
		return err;
	out_limit(s, o->rows);
	return 0;
}

static int add_exporters(const struct dmabufstat_snapshot *snap,
			 const struct view_opts *o, struct out_doc *doc,
			 const char *sort, size_t rows, const char **bad)
{
	struct out_section *s;
	struct out_cell *r;
	size_t i, k;
	int err;

	s = out_section_add(doc, "exporters", "Exporters", exporter_cols,
			    ARRAY_SIZE(exporter_cols));
	if (!s)
		return -ENOMEM;
	if (!view_filtered(o)) {
		for (i = 0; i < dmabufstat_nr_exporters(snap); i++) {
			const struct dmabufstat_exporter *e;

			e = dmabufstat_exporter(snap, i);
			r = out_row_add(s);
			if (!r)
				return -ENOMEM;
			r[0].s = e->name;
			r[1].s = e->exp_name;
			r[2].b = e->resolved;
			r[3].u = e->count;
			r[4].u = e->bytes;
		}
	} else {
		/* over the buffers the filtered processes hold */
		for (i = 0; i < dmabufstat_nr_buffers(snap); i++) {
			const struct dmabufstat_buffer *b;
			const char *name;

			if (!buffer_matches(snap, o, i))
				continue;
			b = dmabufstat_buffer(snap, i);
			name = dmabufstat_buffer_exporter(b);
			for (k = 0; k < s->nr_rows; k++)
				if (!strcmp(s->rows[k][0].s, name))
					break;
			if (k == s->nr_rows) {
				r = out_row_add(s);
				if (!r)
					return -ENOMEM;
				r[0].s = name;
				r[1].s = b->exporter;
				r[2].b = b->flags & DMABUFSTAT_BUF_DRIVER;
			}
			s->rows[k][3].u++;
			s->rows[k][4].u += b->size;
		}
	}
	err = sort_section(s, sort, "bytes", bad);
	if (err)
		return err;
	out_limit(s, rows);
	return 0;
}

static int add_devices(const struct dmabufstat_snapshot *snap,
		       const struct view_opts *o, struct out_doc *doc,
		       const char **bad)
{
	struct out_section *s;
	struct out_cell *r;
	size_t i, j, k;
	int err;

	s = out_section_add(doc, "devices", NULL, device_cols,
			    ARRAY_SIZE(device_cols));
	if (!s)
		return -ENOMEM;
	if (!view_filtered(o)) {
		for (i = 0; i < dmabufstat_nr_devices(snap); i++) {
			const struct dmabufstat_device *d;

			d = dmabufstat_device(snap, i);
			r = out_row_add(s);
			if (!r)
				return -ENOMEM;
			r[0].s = d->name;
			r[1].u = d->count;
			r[2].u = d->bytes;
		}
	} else {
		for (i = 0; i < dmabufstat_nr_buffers(snap); i++) {
			const struct dmabufstat_buffer *b;

			if (!buffer_matches(snap, o, i))
				continue;
			b = dmabufstat_buffer(snap, i);
			for (j = 0; j < b->nr_attach_names &&
				    j < DMABUFSTAT_ATTACH_NAMES; j++) {
				for (k = 0; k < s->nr_rows; k++)
					if (!strcmp(s->rows[k][0].s,
						    b->attach[j]))
						break;
				if (k == s->nr_rows) {
					r = out_row_add(s);
					if (!r)
						return -ENOMEM;
					r[0].s = b->attach[j];
				}
				s->rows[k][1].u++;
				s->rows[k][2].u += b->size;
			}
		}
	}
	err = sort_section(s, o->sort, "bytes", bad);
	if (err)
		return err;
	out_limit(s, o->rows);
	return 0;
}

static int add_procs(const struct dmabufstat_snapshot *snap,
		     const struct view_opts *o, struct out_doc *doc,
		     const char *title, size_t rows, const char **bad)
{
	struct out_section *s;
	struct out_cell *r;
	size_t i, j;
	int err;

	s = out_section_add(doc, "processes", title, proc_cols,
			    ARRAY_SIZE(proc_cols));
	if (!s)
		return -ENOMEM;
	for (i = 0; i < dmabufstat_nr_processes(snap); i++) {
		const struct dmabufstat_process *p = dmabufstat_process(snap, i);

		if (!proc_matches(o, p))
			continue;
		r = out_row_add(s);
		if (!r)
			return -ENOMEM;
		r[0].u = p->pid;
		r[1].s = p->comm;
		r[2].u = p->uid;
		r[3].u = p->cgroup_id;
		r[4].u = p->rss;
		r[5].u = p->pss;
		r[6].u = p->nr_bufs;
		r[7].u = p->nr_fds;
		r[8].u = p->nr_maps;
		if (p->nr_bufs) {
			r[9].ul.v = calloc(p->nr_bufs, sizeof(uint64_t));
			if (!r[9].ul.v)
				return -ENOMEM;
		}
		for (j = 0; j < p->nr_bufs; j++) {
			const struct dmabufstat_holder *h;
			const struct dmabufstat_buffer *b;

			h = dmabufstat_process_holder(snap, i, j);
			b = h ? dmabufstat_buffer(snap, h->buf) : NULL;
			if (b)
				r[9].ul.v[r[9].ul.n++] = b->ino;
		}
	}
	err = sort_section(s, o->sort, "rss", bad);
	if (err)
		return err;
	out_limit(s, rows);
	return 0;
}

static int add_groups(const struct dmabufstat_snapshot *snap,
		      const struct view_opts *o, struct out_doc *doc,
		      bool uids, const char **bad)
{
	size_t i, n = uids ? dmabufstat_nr_uids(snap) :
			     dmabufstat_nr_cgroups(snap);
	struct out_section *s;
	struct out_cell *r;
	int err;

	s = out_section_add(doc, uids ? "uids" : "cgroups", NULL,
			    uids ? uid_cols : cgroup_cols,
			    uids ? ARRAY_SIZE(uid_cols) :
				   ARRAY_SIZE(cgroup_cols));
	if (!s)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct dmabufstat_group *g;

		g = uids ? dmabufstat_uid(snap, i) : dmabufstat_cgroup(snap, i);
		if (uids && o->has_uid && g->id != o->uid)
			continue;
		if (!uids && o->has_cgroup && g->id != o->cgroup)
			continue;
		r = out_row_add(s);
		if (!r)
			return -ENOMEM;
		r[0].u = g->id;
		r[1].u = g->rss;
		r[2].u = g->pss;
		r[3].u = g->nr_procs;
		r[4].u = g->nr_bufs;
	}
	err = sort_section(s, o->sort, "rss", bad);
	if (err)
		return err;
	out_limit(s, o->rows);
	return 0;
}

static void add_meta(const struct dmabufstat_snapshot *snap,
		     const struct view_opts *o, struct out_doc *doc)
{
	unsigned int fl = dmabufstat_snapshot_flags(snap);
	const char **v = calloc(3, sizeof(*v));
	size_t n = 0;

	out_meta_str(doc, "buffer_backend",
		     dmabufstat_buf_backend_name(
			dmabufstat_snapshot_buf_backend(snap)));
	out_meta_str(doc, "process_backend",
		     dmabufstat_proc_backend_name(
			dmabufstat_snapshot_proc_backend(snap)));
	out_meta_u64(doc, "realtime_ns", dmabufstat_snapshot_realtime_ns(snap));
	if (v) {
		if (fl & DMABUFSTAT_SNAP_NO_KERNEL_ONLY)
			v[n++] = "no-kernel-only";
		if (fl & DMABUFSTAT_SNAP_NO_PROCS)
			v[n++] = "no-procs";
		if (fl & DMABUFSTAT_SNAP_PARTIAL_PROCS)
			v[n++] = "partial-procs";
		out_meta_strlist(doc, "snapshot_flags", v, n);
	}
	out_meta_bool(doc, "filtered", view_filtered(o));
}

int view_build(enum view_kind kind, const struct dmabufstat_snapshot *snap,
	       const struct view_opts *o, struct out_doc *doc,
	       const char **bad)
{
	int err;

	add_meta(snap, o, doc);
	err = add_totals(snap, doc, kind != VIEW_SUMMARY);
	if (err)
		return err;

	switch (kind) {
	case VIEW_SUMMARY:
		err = add_exporters(snap, o, doc, NULL, 0, bad);
		if (!err)
			err = add_procs(snap, o, doc, "Top processes (by rss)",
					o->rows ?: 10, bad);
		return err;
	case VIEW_BUFFERS:
		return add_buffers(snap, o, doc, bad);
	case VIEW_EXPORTERS:
		return add_exporters(snap, o, doc, o->sort, o->rows, bad);
	case VIEW_PROCS:
		return add_procs(snap, o, doc, NULL, o->rows, bad);
	case VIEW_DEVICES:
		return add_devices(snap, o, doc, bad);
	case VIEW_UIDS:
		return add_groups(snap, o, doc, true, bad);
	case VIEW_CGROUPS:
		return add_groups(snap, o, doc, false, bad);
	}
	return -EINVAL;
}
