// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-top's model: one libdmabufstat snapshot per refresh, the history
 * of every entity's usage (previous and first value, growth streak), and
 * the rows of the views: the report layer's, with the growth columns
 * added to each row and the tree mode's groups.
 *
 * History is kept here rather than through dmabufstat_diff(): growth is
 * measured on every view's entities (exporters, devices, uids and cgroups
 * as well as processes), against the previous and the first refresh, and
 * a streak needs every refresh in between, where a diff compares two
 * snapshots of buffers and processes only. The diff API stays for
 * `dmabufstat diff`.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "top.h"

enum { X_DELTA, X_GROW, X_GROW_START, X_LEAK, X_STREAK, X_NR };
static const struct rep_col growth_cols[] = {
	[X_DELTA] = { "delta", "DELTA", REP_DELTA, 0, 7, 0 },
	[X_GROW] = { "grow", "GROW/s", REP_RATE, 0, 7, 0 },
	[X_GROW_START] = { "grow_start", "AVG/s", REP_RATE, 0, 7, 1 },
	[X_LEAK] = { "leak", "L", REP_MARK, 0, 1, 0 },
	[X_STREAK] = { "growth_streak", "STREAK", REP_S64, REP_WIDE, 0, 0 },
};

_Static_assert(X_NR <= REP_MAX_EXT, "more growth columns than a table holds");

const struct rep_ext top_growth_cols = { growth_cols, X_NR, NULL, NULL };

/* ------------------------------------------------------------------ */
/* History                                                            */

struct hist_ent {
	char id[48];		/* "" : free slot */
	int64_t first;		/* value at the first refresh (0 if absent) */
	int64_t prev, cur;
	uint64_t seen;		/* generation last seen */
	int streak;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct hist_ent *hist_slot(struct hist_ent *tab, size_t cap,
				  const char *id)
{
	size_t i = hash_str(id) & (cap - 1);

	while (tab[i].id[0] && strcmp(tab[i].id, id))
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static struct hist_ent *hist_get(struct model *m, const char *id)
{
	if (!m->hist_cap)
		return NULL;
	return hist_slot(m->hist, m->hist_cap, id);
}

static int hist_grow(struct model *m)
{
	size_t cap = m->hist_cap ? m->hist_cap * 2 : 1024, i;
	struct hist_ent *tab = calloc(cap, sizeof(*tab));

	if (!tab)
		return -ENOMEM;
	for (i = 0; i < m->hist_cap; i++)
		if (m->hist[i].id[0])
			*hist_slot(tab, cap, m->hist[i].id) = m->hist[i];
	free(m->hist);
	m->hist = tab;
	m->hist_cap = cap;
	return 0;
}

/* Records this refresh's value of an entity. */
static int hist_put(struct model *m, const char *id, int64_t val)
{
	struct hist_ent *h;

	if ((m->hist_nr + 1) * 2 > m->hist_cap && hist_grow(m))
		return -ENOMEM;
	h = hist_slot(m->hist, m->hist_cap, id);
	if (!h->id[0]) {
		snprintf(h->id, sizeof(h->id), "%s", id);
		m->hist_nr++;
		h->first = m->gen == 1 ? val : 0;
		h->cur = 0;
		h->seen = 0;
	}
	/*
	 * The first refresh is the baseline (no growth yet); later, an entity
	 * absent at the previous refresh had 0 then.
	 */
	if (m->gen == 1)
		h->prev = val;
	else
		h->prev = h->seen + 1 == m->gen ? h->cur : 0;
	if (m->gen > 1)
		h->streak = val > h->prev ? h->streak + 1 : 0;
	h->cur = val;
	h->seen = m->gen;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Snapshots                                                          */

int model_init(struct model *m, const struct dmabufstat_opts *o)
{
	memset(m, 0, sizeof(*m));
	m->ds = dmabufstat_new(o);
	return m->ds ? 0 : -ENOMEM;
}

void model_fini(struct model *m)
{
	if (m->first != m->snap)
		dmabufstat_snapshot_free(m->first);
	dmabufstat_snapshot_free(m->snap);
	dmabufstat_free(m->ds);
	free(m->hist);
	memset(m, 0, sizeof(*m));
}

uint64_t model_interval_ns(const struct model *m)
{
	return m->t_cur - m->t_prev;
}

int model_refresh(struct model *m)
{
	struct dmabufstat_snapshot *snap;
	const struct dmabufstat_snapshot *s;
	uint64_t t0;
	char id[48];
	size_t i, n;
	int err;

	t0 = cli_now_ns();
	err = dmabufstat_snapshot(m->ds, &snap);
	if (err)
		return err;
	m->took_ns = cli_now_ns() - t0;
	/* the first snapshot is kept for --since-start */
	if (m->snap && m->snap != m->first)
		dmabufstat_snapshot_free(m->snap);
	m->snap = snap;
	if (!m->first)
		m->first = snap;
	s = snap;
	m->gen++;
	m->t_prev = m->t_cur;
	m->t_cur = dmabufstat_snapshot_monotonic_ns(s);
	if (m->gen == 1) {
		m->t_first = m->t_cur;
		m->t_prev = m->t_cur;
	}
	if (m->spark_nr == TOP_HIST) {
		memmove(m->spark, m->spark + 1, sizeof(m->spark[0]) * (TOP_HIST - 1));
		m->spark_nr--;
	}
	m->spark[m->spark_nr++] = dmabufstat_totals(s)->bytes;

	n = dmabufstat_nr_processes(s);
	for (i = 0; i < n; i++) {
		const struct dmabufstat_process *p = dmabufstat_process(s, i);

		snprintf(id, sizeof(id), "p:%u", p->pid);
		if (hist_put(m, id, p->rss))
			return -ENOMEM;
	}
	n = dmabufstat_nr_exporters(s);
	for (i = 0; i < n; i++) {
		const struct dmabufstat_exporter *e = dmabufstat_exporter(s, i);

		snprintf(id, sizeof(id), "e:%.40s", e->name);
		if (hist_put(m, id, e->bytes))
			return -ENOMEM;
	}
	n = dmabufstat_nr_devices(s);
	for (i = 0; i < n; i++) {
		const struct dmabufstat_device *d = dmabufstat_device(s, i);

		snprintf(id, sizeof(id), "d:%.40s", d->name);
		if (hist_put(m, id, d->bytes))
			return -ENOMEM;
	}
	n = dmabufstat_nr_uids(s);
	for (i = 0; i < n; i++) {
		const struct dmabufstat_group *g = dmabufstat_uid(s, i);

		snprintf(id, sizeof(id), "u:%" PRIu64, g->id);
		if (hist_put(m, id, g->rss))
			return -ENOMEM;
	}
	n = dmabufstat_nr_cgroups(s);
	for (i = 0; i < n; i++) {
		const struct dmabufstat_group *g = dmabufstat_cgroup(s, i);

		snprintf(id, sizeof(id), "c:%" PRIu64, g->id);
		if (hist_put(m, id, g->rss))
			return -ENOMEM;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Rows                                                               */

struct growth {
	struct model *m;
	const struct top_opts *o;
};

/* The growth columns of a row, from the history of its entity. */
static void fill_growth(void *ctx, struct rep_table *t, struct rep_row *r,
			int first, uint64_t usage)
{
	const struct growth *g = ctx;
	struct model *m = g->m;
	union rep_cell *c = rep_cells(t, r);
	int64_t val = usage, prev = val, start = val, dt, dts;
	struct hist_ent *h;
	char id[64];

	rep_row_id(t, r, id, sizeof(id));
	h = hist_get(m, id);
	if (h && h->seen == m->gen) {
		prev = h->prev;
		start = h->first;
		r->streak = h->streak;
	}
	dt = (int64_t)(m->t_cur - m->t_prev);
	dts = (int64_t)(m->t_cur - m->t_first);
	c[first + X_DELTA].i = g->o->since_start ? val - start : val - prev;
	c[first + X_GROW].i = dt > 0 ?
		(int64_t)((double)(val - prev) * 1e9 / dt) : 0;
	c[first + X_GROW_START].i = dts > 0 ?
		(int64_t)((double)(val - start) * 1e9 / dts) : 0;
	c[first + X_LEAK].b = g->o->leak_k > 0 && r->streak >= g->o->leak_k;
	c[first + X_STREAK].i = r->streak;
}

/* The column tree mode groups by: procs by command, buffers by exporter. */
static int tree_col(const struct rep_table *t)
{
	int i;

	for (i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].key, t->view == REP_PROCS ? "comm" :
					    "exporter"))
			return i;
	return -1;
}

/* Sums of the numbers a group row shows: sizes, counts, growth. */
static bool summed(const struct rep_col *c)
{
	return !(c->flags & REP_ID) &&
	       (c->type == REP_U64 || c->type == REP_SIZE ||
		c->type == REP_DELTA || c->type == REP_RATE);
}

/* Column by key, sortable or not (a list); -1 if none. */
static int col_by_key(const struct rep_table *t, const char *key)
{
	int c;

	for (c = 0; c < t->ncols; c++)
		if (!strcmp(t->cols[c].key, key))
			return c;
	return -1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * A buffers group's PROCS: the processes that hold any of its buffers,
 * each once (a sum would count a process once per buffer it holds).
 */
static int distinct_holders(struct rep_table *t, const struct rep_row *members,
			    size_t nr, int key, const char *name)
{
	int procs = col_by_key(t, "procs"), pids = col_by_key(t, "pids");
	union rep_cell *g = NULL;
	size_t i, n = 0, k, cap = 0;
	uint64_t *all = NULL;

	if (procs < 0 || pids < 0)
		return 0;
	for (k = nr; k < t->nr; k++)
		if (!strcmp(rep_cells(t, &t->rows[k])[key].s, name))
			g = rep_cells(t, &t->rows[k]);
	for (i = 0; i < nr; i++) {
		const union rep_cell *m = rep_cells(t, &members[i]);

		if (strcmp(m[key].s ?: "", name))
			continue;
		cap += m[pids].l.n;
	}
	if (!g || !cap)
		return 0;
	all = malloc(cap * sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		const union rep_cell *m = rep_cells(t, &members[i]);

		if (strcmp(m[key].s ?: "", name))
			continue;
		memcpy(all + n, rep_list_u64_items(t, &m[pids]),
		       m[pids].l.n * sizeof(*all));
		n += m[pids].l.n;
	}
	qsort(all, n, sizeof(*all), cmp_u64);
	for (i = 0, k = 0; i < n; i++)
		k += !i || all[i] != all[i - 1];
	g[procs].u = k;
	free(all);
	return 0;
}

/*
 * Tree mode (H): each group row (its first cell [N], the number of
 * members) sums its members and comes before them; groups sorted as the
 * rows are, members in their order. A group of one is its member alone,
 * no group row above it.
 */
static int table_tree(struct rep_table *t, int sort_col, bool reverse)
{
	int key = tree_col(t), c;
	size_t nr = t->nr, nr_groups, i, k, out = 0;
	struct rep_row *members, *rows;

	if (key < 0 || !nr)
		return 0;
	members = malloc(nr * sizeof(*members));
	if (!members)
		goto nomem;
	memcpy(members, t->rows, nr * sizeof(*members));
	for (i = 0; i < nr; i++) {
		const char *name = rep_cells(t, &members[i])[key].s ?: "";
		union rep_cell *g = NULL, *m;
		struct rep_row *r;

		for (k = nr; k < t->nr; k++)
			if (!strcmp(rep_cells(t, &t->rows[k])[key].s, name))
				break;
		if (k == t->nr) {
			r = rep_row_add(t, -1);
			if (!r)
				goto nomem;
			r->flags = REP_ROW_GROUP;
			rep_cells(t, r)[key].s = name;
		}
		g = rep_cells(t, &t->rows[k]);
		m = rep_cells(t, &members[i]);
		g[0].u++;	/* shown as [N] */
		for (c = 1; c < t->ncols; c++)
			if (summed(&t->cols[c]) && c != key) {
				if (t->cols[c].type == REP_DELTA ||
				    t->cols[c].type == REP_RATE)
					g[c].i += m[c].i;
				else
					g[c].u += m[c].u;
			}
	}
	nr_groups = t->nr - nr;
	if (t->view == REP_BUFFERS) {
		for (k = nr; k < nr + nr_groups; k++)
			if (distinct_holders(t, members, nr, key,
					     rep_cells(t, &t->rows[k])[key].s))
				goto nomem;
	}
	/* the groups among themselves: sorted as a table of their own */
	{
		struct rep_table groups = *t;

		groups.rows = t->rows + nr;
		groups.nr = nr_groups;
		rep_sort(&groups, sort_col, reverse);
	}
	rows = malloc(t->nr * sizeof(*rows));
	if (!rows)
		goto nomem;
	for (k = nr; k < nr + nr_groups; k++) {
		const char *name = rep_cells(t, &t->rows[k])[key].s;
		bool alone = rep_cells(t, &t->rows[k])[0].u == 1;

		if (!alone)
			rows[out++] = t->rows[k];
		for (i = 0; i < nr; i++) {
			if (strcmp(rep_cells(t, &members[i])[key].s ?: "", name))
				continue;
			rows[out] = members[i];
			if (!alone)
				rows[out].flags |= REP_ROW_CHILD;
			out++;
		}
	}
	free(t->rows);
	t->rows = rows;
	t->nr = out;
	t->cap = nr + nr_groups;
	t->indent_col = key;
	free(members);
	return 0;
nomem:
	free(members);
	return -ENOMEM;
}

int table_build(struct model *m, const struct top_opts *o,
		struct rep_table *t, bool limit)
{
	struct growth g = { .m = m, .o = o };
	struct rep_ext ext = top_growth_cols;
	struct rep_filter f = o->filter.f;

	int err, col;

	/* 'p' follows one process; '/' filters by text */
	if (o->follow) {
		f.pids = &o->follow;
		f.nr_pids = 1;
	}
	f.text = o->text;
	ext.fill = fill_growth;
	ext.ctx = &g;
	if (!m->snap) {
		rep_table_init(t, o->view, &ext);
		return 0;
	}
	err = rep_build(t, o->view, m->snap, &f, &ext);
	if (err)
		return err;
	col = rep_sort_col(t, o->sort ?: rep_view_default_sort(o->view));
	if (col < 0)
		col = rep_sort_col(t, rep_view_default_sort(o->view));
	if (col >= 0 && (t->cols[col].flags & REP_LAZY))
		rep_fill_lazy(t, 0, t->nr);	/* sorted by cmdline, path */
	rep_sort(t, col, o->reverse);
	/* -r N: the N top rows, then grouped (not the first group's rows) */
	if (limit) {
		rep_limit(t, o->rows);
		/* batch: every row is shown (the screen reads its own) */
		rep_fill_lazy(t, 0, t->nr);
	}
	if (o->tree && (o->view == REP_PROCS || o->view == REP_BUFFERS)) {
		err = table_tree(t, col, o->reverse);
		if (err) {
			rep_table_free(t);
			return err;
		}
	}
	return 0;
}
