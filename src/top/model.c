// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-top's model: one libdmabufstat snapshot per refresh, the history
 * of every entity's usage (previous and first value, growth streak) and the
 * row tables of the views.
 */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "top.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The decimal digits of v at buf, no NUL; returns how many (at most 20).
 * The per-row text of the big views is made with this and memcpy rather
 * than snprintf, which costs most of a table of 10,000 buffers.
 */
static size_t fmt_u64(char *buf, uint64_t v)
{
	char tmp[20];
	size_t n = 0, i;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

/* The same as "%" PRId64. */
static size_t fmt_i64(char *buf, int64_t v)
{
	if (v >= 0)
		return fmt_u64(buf, v);
	buf[0] = '-';
	return 1 + fmt_u64(buf + 1, -(uint64_t)v);
}

/* snprintf(buf, len, "%s%s", a, b), but quicker. */
static void copy2(char *buf, size_t len, const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	if (!len)
		return;
	if (na > len - 1)
		na = len - 1;
	memcpy(buf, a, na);
	if (nb > len - 1 - na)
		nb = len - 1 - na;
	memcpy(buf + na, b, nb);
	buf[na + nb] = '\0';
}

const char *const top_view_names[TOP_NR_VIEWS] = {
	"procs", "exporters", "buffers", "devices", "uids", "cgroups",
};

const char *const top_view_keys[TOP_NR_VIEWS] = {
	"processes", "exporters", "buffers", "devices", "uids", "cgroups",
};

/* Column sets. Growth columns come last but the leak mark. */
enum { P_PID, P_UID, P_COMM, P_RSS, P_PSS, P_BUFS, P_FDS, P_MAPS, P_DELTA,
       P_GROW, P_GROW_START, P_LEAK, P_NR };
static const struct col proc_cols[] = {
	[P_PID] = { "pid", "PID", COL_NUM, 7 },
	[P_UID] = { "uid", "UID", COL_NUM, 5, .drop = 2 },
	[P_COMM] = { "comm", "COMM", COL_STR, 15, true },
	[P_RSS] = { "rss", "RSS", COL_BYTES, 7 },
	[P_PSS] = { "pss", "PSS", COL_BYTES, 7 },
	[P_BUFS] = { "bufs", "BUFS", COL_NUM, 5 },
	[P_FDS] = { "fds", "FDS", COL_NUM, 5, .drop = 4 },
	[P_MAPS] = { "maps", "MAPS", COL_NUM, 5, .drop = 5 },
	[P_DELTA] = { "delta", "DELTA", COL_DELTA, 7 },
	[P_GROW] = { "grow", "GROW/s", COL_RATE, 7 },
	[P_GROW_START] = { "grow_start", "AVG/s", COL_RATE, 7, .drop = 1 },
	[P_LEAK] = { "leak", "L", COL_LEAK, 1 },
};

enum { E_NAME, E_EXP_NAME, E_COUNT, E_BYTES, E_DELTA, E_GROW, E_GROW_START,
       E_LEAK, E_NR };
static const struct col exp_cols[] = {
	[E_NAME] = { "exporter", "EXPORTER", COL_STR, 16, true },
	[E_EXP_NAME] = { "exp_name", "EXP_NAME", COL_STR, 12, true, .drop = 2 },
	[E_COUNT] = { "count", "COUNT", COL_NUM, 6 },
	[E_BYTES] = { "bytes", "BYTES", COL_BYTES, 7 },
	[E_DELTA] = { "delta", "DELTA", COL_DELTA, 7 },
	[E_GROW] = { "grow", "GROW/s", COL_RATE, 7 },
	[E_GROW_START] = { "grow_start", "AVG/s", COL_RATE, 7, .drop = 1 },
	[E_LEAK] = { "leak", "L", COL_LEAK, 1 },
};

enum { B_INO, B_SIZE, B_EXPORTER, B_NAME, B_PROCS, B_FDS, B_MAPS, B_HOLDERS,
       B_DEVICES, B_NR };
static const struct col buf_cols[] = {
	[B_INO] = { "ino", "INODE", COL_NUM, 8 },
	[B_SIZE] = { "size", "SIZE", COL_BYTES, 7 },
	[B_EXPORTER] = { "exporter", "EXPORTER", COL_STR, 12, true },
	[B_NAME] = { "name", "NAME", COL_STR, 14, true },
	[B_PROCS] = { "procs", "PROCS", COL_NUM, 5, .drop = 1 },
	[B_FDS] = { "fds", "FDS", COL_NUM, 4, .drop = 3 },
	[B_MAPS] = { "maps", "MAPS", COL_NUM, 4, .drop = 2 },
	[B_HOLDERS] = { "holders", "HOLDERS", COL_STR, 12, true },
	[B_DEVICES] = { "devices", "DEVICES", COL_STR, 8, true },
};

enum { D_NAME, D_COUNT, D_BYTES, D_DELTA, D_GROW, D_GROW_START, D_LEAK, D_NR };
static const struct col dev_cols[] = {
	[D_NAME] = { "device", "DEVICE", COL_STR, 20, true },
	[D_COUNT] = { "count", "COUNT", COL_NUM, 6 },
	[D_BYTES] = { "bytes", "BYTES", COL_BYTES, 7 },
	[D_DELTA] = { "delta", "DELTA", COL_DELTA, 7 },
	[D_GROW] = { "grow", "GROW/s", COL_RATE, 7 },
	[D_GROW_START] = { "grow_start", "AVG/s", COL_RATE, 7, .drop = 1 },
	[D_LEAK] = { "leak", "L", COL_LEAK, 1 },
};

enum { G_ID, G_NAME, G_PROCS, G_BUFS, G_RSS, G_PSS, G_DELTA, G_GROW,
       G_GROW_START, G_LEAK, G_NR };
static const struct col uid_cols[] = {
	[G_ID] = { "uid", "UID", COL_NUM, 6 },
	[G_NAME] = { "user", "USER", COL_STR, 12, true },
	[G_PROCS] = { "procs", "PROCS", COL_NUM, 5, .drop = 2 },
	[G_BUFS] = { "bufs", "BUFS", COL_NUM, 5 },
	[G_RSS] = { "rss", "RSS", COL_BYTES, 7 },
	[G_PSS] = { "pss", "PSS", COL_BYTES, 7 },
	[G_DELTA] = { "delta", "DELTA", COL_DELTA, 7 },
	[G_GROW] = { "grow", "GROW/s", COL_RATE, 7 },
	[G_GROW_START] = { "grow_start", "AVG/s", COL_RATE, 7, .drop = 1 },
	[G_LEAK] = { "leak", "L", COL_LEAK, 1 },
};

static const struct col cg_cols[] = {
	[G_ID] = { "cgroup", "CGROUP", COL_NUM, 8 },
	[G_NAME] = { "comms", "PROCESSES", COL_STR, 16, true },
	[G_PROCS] = { "procs", "PROCS", COL_NUM, 5, .drop = 2 },
	[G_BUFS] = { "bufs", "BUFS", COL_NUM, 5 },
	[G_RSS] = { "rss", "RSS", COL_BYTES, 7 },
	[G_PSS] = { "pss", "PSS", COL_BYTES, 7 },
	[G_DELTA] = { "delta", "DELTA", COL_DELTA, 7 },
	[G_GROW] = { "grow", "GROW/s", COL_RATE, 7 },
	[G_GROW_START] = { "grow_start", "AVG/s", COL_RATE, 7, .drop = 1 },
	[G_LEAK] = { "leak", "L", COL_LEAK, 1 },
};

static const struct {
	const struct col *cols;
	int ncols;
	const char *sort;
} views[TOP_NR_VIEWS] = {
	[TOP_PROCS] = { proc_cols, P_NR, "rss" },
	[TOP_EXPORTERS] = { exp_cols, E_NR, "bytes" },
	[TOP_BUFFERS] = { buf_cols, B_NR, "size" },
	[TOP_DEVICES] = { dev_cols, D_NR, "bytes" },
	[TOP_UIDS] = { uid_cols, G_NR, "rss" },
	[TOP_CGROUPS] = { cg_cols, G_NR, "rss" },
};

const struct col *view_cols(enum top_view v, int *ncols)
{
	*ncols = views[v].ncols;
	return views[v].cols;
}

const char *view_default_sort(enum top_view v)
{
	return views[v].sort;
}

int view_col_index(enum top_view v, const char *key)
{
	int i;

	for (i = 0; i < views[v].ncols; i++)
		if (!strcmp(views[v].cols[i].key, key))
			return i;
	return -1;
}

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

int model_refresh(struct model *m, const struct top_opts *o)
{
	struct dmabufstat_snapshot *snap;
	const struct dmabufstat_snapshot *s;
	uint64_t t0;
	char id[48];
	size_t i, n;
	int err;

	(void)o;
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
/* Tables                                                             */

void table_free(struct table *t)
{
	size_t i;
	int c;

	for (i = 0; i < t->nr; i++)
		for (c = 0; c < TOP_MAXCOL; c++)
			free(t->rows[i].s[c]);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

static struct row *row_add(struct table *t, const char *id, long idx)
{
	struct row *r;

	if (t->nr == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct row *rows = realloc(t->rows, cap * sizeof(*rows));

		if (!rows)
			return NULL;
		t->rows = rows;
		t->cap = cap;
	}
	r = &t->rows[t->nr++];
	memset(r, 0, sizeof(*r));
	copy2(r->id, sizeof(r->id), id, "");
	r->idx = idx;
	return r;
}

/* Room for n rows in all, so that row_add() need not grow the array. */
static int table_reserve(struct table *t, size_t n)
{
	struct row *rows;

	if (n <= t->cap)
		return 0;
	rows = realloc(t->rows, n * sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	t->rows = rows;
	t->cap = n;
	return 0;
}

static int row_str(struct row *r, int c, const char *s)
{
	free(r->s[c]);
	r->s[c] = strdup(s);
	return r->s[c] ? 0 : -ENOMEM;
}

/* Delta and growth columns from the history of id (val is current). */
static void row_growth(struct model *m, const struct top_opts *o,
		       struct row *r, int c_delta, int64_t val)
{
	struct hist_ent *h = hist_get(m, r->id);
	int64_t prev = val, first = val, dt, dts;

	if (h && h->seen == m->gen) {
		prev = h->prev;
		first = h->first;
		r->streak = h->streak;
	}
	dt = (int64_t)(m->t_cur - m->t_prev);
	dts = (int64_t)(m->t_cur - m->t_first);
	r->v[c_delta] = o->since_start ? val - first : val - prev;
	r->v[c_delta + 1] = dt > 0 ? (int64_t)((double)(val - prev) * 1e9 / dt) : 0;
	r->v[c_delta + 2] = dts > 0 ?
		(int64_t)((double)(val - first) * 1e9 / dts) : 0;
	r->leak = o->leak_k > 0 && r->streak >= o->leak_k;
	r->v[c_delta + 3] = r->leak;
}

static bool pid_wanted(const struct top_opts *o, uint32_t pid)
{
	size_t i;

	if (o->follow)
		return pid == o->follow;
	if (!o->nr_pids)
		return true;
	for (i = 0; i < o->nr_pids; i++)
		if (o->pids[i] == pid)
			return true;
	return false;
}

static bool pid_filtered(const struct top_opts *o)
{
	return o->follow || o->nr_pids;
}

/* Does some wanted process hold buffer i? */
static bool buf_wanted(const struct dmabufstat_snapshot *s,
		       const struct top_opts *o, size_t i)
{
	const struct dmabufstat_buffer *b = dmabufstat_buffer(s, i);
	uint32_t j;

	if (!pid_filtered(o))
		return true;
	for (j = 0; j < b->nr_procs; j++) {
		const struct dmabufstat_holder *h;

		h = dmabufstat_buffer_holder(s, i, j);
		if (h && pid_wanted(o, dmabufstat_process(s, h->proc)->pid))
			return true;
	}
	return false;
}

static int build_procs(struct model *m, const struct top_opts *o,
		       struct table *t)
{
	const struct dmabufstat_snapshot *s = m->snap;
	size_t i, n = dmabufstat_nr_processes(s);
	char id[48];

	for (i = 0; i < n; i++) {
		const struct dmabufstat_process *p = dmabufstat_process(s, i);
		struct row *r;

		if (!pid_wanted(o, p->pid))
			continue;
		snprintf(id, sizeof(id), "p:%u", p->pid);
		r = row_add(t, id, i);
		if (!r || row_str(r, P_COMM, p->comm))
			return -ENOMEM;
		r->v[P_PID] = p->pid;
		r->v[P_UID] = p->uid;
		r->v[P_RSS] = p->rss;
		r->v[P_PSS] = p->pss;
		r->v[P_BUFS] = p->nr_bufs;
		r->v[P_FDS] = p->nr_fds;
		r->v[P_MAPS] = p->nr_maps;
		row_growth(m, o, r, P_DELTA, p->rss);
	}
	return 0;
}

/* Per exporter or per device, recomputed over the wanted buffers. */
static int build_filtered_sums(struct model *m, const struct top_opts *o,
			       struct table *t, bool devices)
{
	const struct dmabufstat_snapshot *s = m->snap;
	size_t i, n = dmabufstat_nr_buffers(s), k;
	int c_name = devices ? D_NAME : E_NAME;
	int c_cnt = devices ? D_COUNT : E_COUNT;
	int c_bytes = devices ? D_BYTES : E_BYTES;
	char id[48];
	uint32_t a;

	for (i = 0; i < n; i++) {
		const struct dmabufstat_buffer *b = dmabufstat_buffer(s, i);
		uint32_t na = devices ? b->nr_attach_names : 1;

		if (!buf_wanted(s, o, i))
			continue;
		for (a = 0; a < na; a++) {
			const char *name = devices ? b->attach[a] :
					   dmabufstat_buffer_exporter(b);
			struct row *r = NULL;

			snprintf(id, sizeof(id), "%c:%.40s", devices ? 'd' : 'e',
				 name);
			for (k = 0; k < t->nr; k++)
				if (!strcmp(t->rows[k].id, id))
					r = &t->rows[k];
			if (!r) {
				r = row_add(t, id, -1);
				if (!r || row_str(r, c_name, name))
					return -ENOMEM;
				if (!devices &&
				    row_str(r, E_EXP_NAME, b->exporter))
					return -ENOMEM;
			}
			r->v[c_cnt]++;
			r->v[c_bytes] += b->size;
		}
	}
	for (k = 0; k < t->nr; k++)
		row_growth(m, o, &t->rows[k], devices ? D_DELTA : E_DELTA,
			   t->rows[k].v[c_bytes]);
	return 0;
}

static int build_exporters(struct model *m, const struct top_opts *o,
			   struct table *t)
{
	const struct dmabufstat_snapshot *s = m->snap;
	size_t i, n = dmabufstat_nr_exporters(s);
	char id[48];

	if (pid_filtered(o))
		return build_filtered_sums(m, o, t, false);
	for (i = 0; i < n; i++) {
		const struct dmabufstat_exporter *e = dmabufstat_exporter(s, i);
		struct row *r;

		snprintf(id, sizeof(id), "e:%.40s", e->name);
		r = row_add(t, id, i);
		if (!r || row_str(r, E_NAME, e->name) ||
		    row_str(r, E_EXP_NAME, e->exp_name))
			return -ENOMEM;
		r->v[E_COUNT] = e->count;
		r->v[E_BYTES] = e->bytes;
		row_growth(m, o, r, E_DELTA, e->bytes);
	}
	return 0;
}

static int build_devices(struct model *m, const struct top_opts *o,
			 struct table *t)
{
	const struct dmabufstat_snapshot *s = m->snap;
	size_t i, n = dmabufstat_nr_devices(s);
	char id[48];

	if (pid_filtered(o))
		return build_filtered_sums(m, o, t, true);
	for (i = 0; i < n; i++) {
		const struct dmabufstat_device *d = dmabufstat_device(s, i);
		struct row *r;

		snprintf(id, sizeof(id), "d:%.40s", d->name);
		r = row_add(t, id, i);
		if (!r || row_str(r, D_NAME, d->name))
			return -ENOMEM;
		r->v[D_COUNT] = d->count;
		r->v[D_BYTES] = d->bytes;
		row_growth(m, o, r, D_DELTA, d->bytes);
	}
	return 0;
}

/* Printable: bytes outside 0x20..0x7e shown as '?'. */
static void printable(char *dst, const char *src, size_t len)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < len; i++)
		dst[i] = (unsigned char)src[i] >= 0x20 &&
			 (unsigned char)src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
}

static int build_buffers(struct model *m, const struct top_opts *o,
			 struct table *t)
{
	const struct dmabufstat_snapshot *s = m->snap;
	size_t i, n = dmabufstat_nr_buffers(s), len;
	char id[48], text[512], name[DMABUFSTAT_BUFNAME_LEN];
	uint32_t j;

	if (!pid_filtered(o) && table_reserve(t, n))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct dmabufstat_buffer *b = dmabufstat_buffer(s, i);
		struct row *r;
		size_t off = 0;

		if (!buf_wanted(s, o, i))
			continue;
		/* "b:INO" */
		id[0] = 'b';
		id[1] = ':';
		id[2 + fmt_u64(id + 2, b->ino)] = '\0';
		r = row_add(t, id, i);
		printable(name, b->name, sizeof(name));
		if (!r || row_str(r, B_EXPORTER, dmabufstat_buffer_exporter(b)) ||
		    row_str(r, B_NAME, name))
			return -ENOMEM;
		r->v[B_INO] = b->ino;
		r->v[B_SIZE] = b->size;
		r->v[B_PROCS] = b->nr_procs;
		r->v[B_FDS] = b->nr_fds;
		r->v[B_MAPS] = b->nr_maps;
		/* "PID,PID,...": at most 11 bytes a pid, so never cut short */
		for (j = 0; j < b->nr_procs && off < sizeof(text) - 24; j++) {
			const struct dmabufstat_holder *h;

			h = dmabufstat_buffer_holder(s, i, j);
			if (!h)
				continue;
			if (off)
				text[off++] = ',';
			off += fmt_u64(text + off,
				       dmabufstat_process(s, h->proc)->pid);
		}
		text[off] = '\0';
		if (row_str(r, B_HOLDERS, off ? text : "-"))
			return -ENOMEM;
		/* "DEV,DEV,...[,+N]": at most 8 names of 31 bytes, no cut */
		off = 0;
		for (j = 0; j < b->nr_attach_names; j++) {
			if (j)
				text[off++] = ',';
			len = strnlen(b->attach[j], sizeof(b->attach[j]) - 1);
			memcpy(text + off, b->attach[j], len);
			off += len;
		}
		if (b->nr_attach > b->nr_attach_names) {
			if (off)
				text[off++] = ',';
			text[off++] = '+';
			off += fmt_u64(text + off,
				       b->nr_attach - b->nr_attach_names);
		}
		text[off] = '\0';
		if (row_str(r, B_DEVICES, text[0] ? text : "-"))
			return -ENOMEM;
	}
	return 0;
}

static bool group_has_wanted(const struct dmabufstat_snapshot *s,
			     const struct top_opts *o, bool uid, uint64_t id,
			     char *comms, size_t len)
{
	size_t i, n = dmabufstat_nr_processes(s), off = 0;
	bool found = false;

	comms[0] = '\0';
	for (i = 0; i < n; i++) {
		const struct dmabufstat_process *p = dmabufstat_process(s, i);

		if ((uid ? p->uid : p->cgroup_id) != id)
			continue;
		if (pid_wanted(o, p->pid))
			found = true;
		if (off + 2 < len)
			off += snprintf(comms + off, len - off, "%s%s",
					off ? "," : "", p->comm);
	}
	return found;
}

static int build_groups(struct model *m, const struct top_opts *o,
			struct table *t, bool uid)
{
	const struct dmabufstat_snapshot *s = m->snap;
	size_t i, n = uid ? dmabufstat_nr_uids(s) : dmabufstat_nr_cgroups(s);
	char id[48], comms[256];

	for (i = 0; i < n; i++) {
		const struct dmabufstat_group *g = uid ? dmabufstat_uid(s, i) :
						   dmabufstat_cgroup(s, i);
		struct row *r;

		if (!group_has_wanted(s, o, uid, g->id, comms, sizeof(comms)))
			continue;
		snprintf(id, sizeof(id), "%c:%" PRIu64, uid ? 'u' : 'c', g->id);
		r = row_add(t, id, i);
		if (!r)
			return -ENOMEM;
		if (uid) {
			struct passwd *pw = getpwuid(g->id);

			if (pw)
				snprintf(comms, sizeof(comms), "%s", pw->pw_name);
			else
				snprintf(comms, sizeof(comms), "%" PRIu64, g->id);
		}
		if (row_str(r, G_NAME, comms))
			return -ENOMEM;
		r->v[G_ID] = g->id;
		r->v[G_PROCS] = g->nr_procs;
		r->v[G_BUFS] = g->nr_bufs;
		r->v[G_RSS] = g->rss;
		r->v[G_PSS] = g->pss;
		row_growth(m, o, r, G_DELTA, g->rss);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Filter, tree, sort                                                 */

static bool row_matches(const struct table *t, const struct row *r,
			const char *filter)
{
	char num[32];
	int c;

	if (!filter[0])
		return true;
	for (c = 0; c < t->ncols; c++) {
		if (t->cols[c].kind == COL_STR) {
			if (r->s[c] && strcasestr(r->s[c], filter))
				return true;
		} else if (t->cols[c].kind == COL_NUM) {
			snprintf(num, sizeof(num), "%" PRId64, r->v[c]);
			if (!strcmp(num, filter))
				return true;
		}
	}
	return false;
}

static void row_free(struct row *r)
{
	int c;

	for (c = 0; c < TOP_MAXCOL; c++)
		free(r->s[c]);
}

static void table_filter(struct table *t, const char *filter)
{
	size_t i, k = 0;

	for (i = 0; i < t->nr; i++) {
		if (row_matches(t, &t->rows[i], filter))
			t->rows[k++] = t->rows[i];
		else
			row_free(&t->rows[i]);
	}
	t->nr = k;
}

static int sort_col;
static bool sort_rev;
static const struct col *sort_cols;

static int cmp_rows(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	const struct col *c = &sort_cols[sort_col];
	int r;

	if (c->kind == COL_STR) {
		r = strcmp(a->s[sort_col] ?: "", b->s[sort_col] ?: "");
	} else {
		/* numbers largest first */
		r = a->v[sort_col] > b->v[sort_col] ? -1 :
		    a->v[sort_col] < b->v[sort_col];
	}
	if (sort_rev)
		r = -r;
	if (!r)
		r = strcmp(a->id, b->id);
	return r;
}

static bool is_tree_col(const struct col *c, int i)
{
	return (c == proc_cols && i == P_COMM) ||
	       (c == buf_cols && i == B_EXPORTER);
}

static const char *group_key(const struct table *t, const struct row *r)
{
	return t->view == TOP_PROCS ? r->s[P_COMM] : r->s[B_EXPORTER];
}

/*
 * Tree mode (H): processes grouped by command name, buffers by exporter.
 * Each group row sums its members and is followed by them.
 */
static int table_tree(struct model *m, const struct top_opts *o,
		      struct table *t)
{
	struct table g = { .view = t->view, .cols = t->cols,
			   .ncols = t->ncols };
	struct table out = g;
	size_t i, k;
	char id[48];

	for (i = 0; i < t->nr; i++) {
		const char *key = group_key(t, &t->rows[i]);
		struct row *r = NULL;

		snprintf(id, sizeof(id), "g:%c:%.40s",
			 t->view == TOP_PROCS ? 'p' : 'b', key ?: "");
		for (k = 0; k < g.nr; k++)
			if (!strcmp(g.rows[k].id, id))
				r = &g.rows[k];
		if (!r) {
			r = row_add(&g, id, -1);
			if (!r)
				goto nomem;
			r->group = true;
			if (t->view == TOP_PROCS) {
				if (row_str(r, P_COMM, key))
					goto nomem;
			} else if (row_str(r, B_EXPORTER, key) ||
				   row_str(r, B_NAME, "") ||
				   row_str(r, B_HOLDERS, "") ||
				   row_str(r, B_DEVICES, "")) {
				goto nomem;
			}
		}
		if (t->view == TOP_PROCS) {
			r->v[P_PID]++;	/* shown as [N] processes */
			for (k = P_RSS; k <= P_MAPS; k++)
				r->v[k] += t->rows[i].v[k];
			r->v[P_DELTA] += t->rows[i].v[P_DELTA];
			r->v[P_GROW] += t->rows[i].v[P_GROW];
			r->v[P_GROW_START] += t->rows[i].v[P_GROW_START];
		} else {
			r->v[B_INO]++;	/* shown as [N] buffers */
			r->v[B_SIZE] += t->rows[i].v[B_SIZE];
			r->v[B_PROCS] += t->rows[i].v[B_PROCS];
			r->v[B_FDS] += t->rows[i].v[B_FDS];
			r->v[B_MAPS] += t->rows[i].v[B_MAPS];
		}
	}
	(void)m;
	(void)o;
	qsort(g.rows, g.nr, sizeof(g.rows[0]), cmp_rows);
	for (k = 0; k < g.nr; k++) {
		struct row *r = row_add(&out, g.rows[k].id, -1);

		if (!r)
			goto nomem;
		*r = g.rows[k];
		memset(g.rows[k].s, 0, sizeof(g.rows[k].s));
		for (i = 0; i < t->nr; i++) {
			const char *key = group_key(t, &t->rows[i]);

			if (strcmp(key ?: "", r->s[t->view == TOP_PROCS ?
						   P_COMM : B_EXPORTER] ?: ""))
				continue;
			r = row_add(&out, "", -1);
			if (!r)
				goto nomem;
			*r = t->rows[i];
			r->depth = 1;
			memset(t->rows[i].s, 0, sizeof(t->rows[i].s));
		}
	}
	table_free(&g);
	table_free(t);
	*t = out;
	return 0;
nomem:
	table_free(&g);
	table_free(&out);
	return -ENOMEM;
}

int table_build(struct model *m, const struct top_opts *o, struct table *t)
{
	const char *sort = o->sort ?: views[o->view].sort;
	int err;

	memset(t, 0, sizeof(*t));
	t->view = o->view;
	t->cols = views[o->view].cols;
	t->ncols = views[o->view].ncols;
	if (!m->snap)
		return 0;
	switch (o->view) {
	case TOP_PROCS:
		err = build_procs(m, o, t);
		break;
	case TOP_EXPORTERS:
		err = build_exporters(m, o, t);
		break;
	case TOP_BUFFERS:
		err = build_buffers(m, o, t);
		break;
	case TOP_DEVICES:
		err = build_devices(m, o, t);
		break;
	case TOP_UIDS:
		err = build_groups(m, o, t, true);
		break;
	default:
		err = build_groups(m, o, t, false);
		break;
	}
	if (err) {
		table_free(t);
		return err;
	}
	table_filter(t, o->filter);
	sort_col = view_col_index(o->view, sort);
	if (sort_col < 0)
		sort_col = view_col_index(o->view, views[o->view].sort);
	sort_rev = o->reverse;
	sort_cols = t->cols;
	qsort(t->rows, t->nr, sizeof(t->rows[0]), cmp_rows);
	if (o->tree && (o->view == TOP_PROCS || o->view == TOP_BUFFERS)) {
		err = table_tree(m, o, t);
		if (err)
			return err;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Cells                                                              */

void fmt_size(uint64_t v, bool exact, char *buf, size_t len)
{
	static const char units[] = "BKMGTP";
	/*
	 * The last texts made, by value: a table of buffers has few distinct
	 * sizes, and the floating-point printf is most of a text table's
	 * cost. Values >= 1024 only, so 0 marks a free slot.
	 */
	static struct {
		uint64_t v;
		char text[8];	/* "16384P" at most */
	} memo[64];
	double d = v;
	int u = 0, slot;

	if (exact || v < 1024) {
		char num[24];

		num[fmt_u64(num, v)] = '\0';
		copy2(buf, len, num, "");
		return;
	}
	slot = (int)((v * 0x9e3779b97f4a7c15ULL) >> 58);
	if (memo[slot].v != v) {
		while (d >= 1024 && u < 5) {
			d /= 1024;
			u++;
		}
		snprintf(memo[slot].text, sizeof(memo[slot].text),
			 d < 10 ? "%.1f%c" : "%.0f%c", d, units[u]);
		memo[slot].v = v;
	}
	copy2(buf, len, memo[slot].text, "");
}

static void fmt_signed(int64_t v, bool exact, char *buf, size_t len)
{
	char tmp[32];

	if (!v) {
		snprintf(buf, len, "0");
		return;
	}
	fmt_size(v < 0 ? -(uint64_t)v : (uint64_t)v, exact, tmp, sizeof(tmp));
	snprintf(buf, len, "%c%s", v < 0 ? '-' : '+', tmp);
}

void cell_text(const struct col *c, const struct row *r, int i, bool bytes,
	       char *buf, size_t len)
{
	char num[24];

	switch (c[i].kind) {
	case COL_NUM:
		if (r->group && i == 0) {
			snprintf(buf, len, "[%" PRId64 "]", r->v[i]);
		} else {
			num[fmt_i64(num, r->v[i])] = '\0';
			copy2(buf, len, num, "");
		}
		break;
	case COL_BYTES:
		fmt_size(r->v[i], bytes, buf, len);
		break;
	case COL_DELTA:
	case COL_RATE:
		fmt_signed(r->v[i], bytes, buf, len);
		break;
	case COL_STR:
		/* tree mode indents the column the rows are grouped by */
		copy2(buf, len, r->depth && is_tree_col(c, i) ? "  " : "",
		      r->s[i] ?: "");
		break;
	case COL_LEAK:
		copy2(buf, len, r->leak ? "!" : "", "");
		break;
	}
}
