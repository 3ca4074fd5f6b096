// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-top's interactive mode (ncurses): header with totals, a sparkline
 * of total exported bytes and per-exporter bars, a tab line of views, the
 * table with a selection that stays on its entity, a details pane, help,
 * a filter prompt. Every way out goes through endwin().
 */
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curses.h>

#include "cli.h"
#include "opts.h"
#include "text.h"
#include "top.h"

static bool curses_on;

static void ui_end(void)
{
	if (curses_on) {
		curses_on = false;
		endwin();
	}
}

struct ui {
	struct model *m;
	struct top_opts *o;
	double interval;
	struct rep_table t;
	struct rep_table colset[REP_NR_VIEWS];	/* each view's columns */
	int sort[REP_NR_VIEWS];	/* column per view */
	bool shown[REP_MAX_COLS];	/* columns that fit the screen */
	int width[REP_MAX_COLS];
	char sel_id[64];	/* the selected entity, kept across refreshes */
	size_t sel, top;
	struct {		/* the same, kept per view while it is hidden */
		char sel_id[64];
		size_t sel, top;
	} saved[REP_NR_VIEWS];
	bool details, help, editing, utf8;
	bool going;		/* 'i': the inode prompt is open */
	char go_text[24];	/* what it has read */
	uint64_t go_ino;	/* the buffer to select at the next redraw */
	bool menu;		/* F6's sort menu is open */
	int menu_sel;		/* its highlighted column */
	int table_y, table_h;	/* where the header and rows were drawn */
	struct {		/* the selected entity's usage since selected */
		char id[64];
		enum rep_view view;
		uint64_t gen;	/* the refresh last recorded */
		uint64_t v[TOP_HIST];
		size_t nr;
	} trend;
	char msg[160];
};

static void put_line(int y, int attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (y < 0 || y >= LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (attr)
		attron(attr);
	mvaddnstr(y, 0, buf, COLS);
	if (attr) {
		int x = (int)strlen(buf);

		/* a full-width bar */
		for (; x < COLS; x++)
			mvaddch(y, x, ' ');
		attroff(attr);
	}
}

/* A cell of text at (y, x), not the whole line (the sort menu's box). */
static void put_line_at(int y, int x, int attr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void put_line_at(int y, int x, int attr, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	attron(attr);
	mvaddnstr(y, x, buf, COLS - x);
	attroff(attr);
}

static const char *row_id(const struct ui *u, size_t i, char *buf,
			  size_t len)
{
	rep_row_id(&u->t, &u->t.rows[i], buf, len);
	return buf;
}

/*
 * Text escaped (report/text.h), cut to cols display columns and padded to
 * them, at out (len bytes).
 */
static const char *fit(char *out, size_t len, const char *s, size_t cols)
{
	char esc[512];
	size_t n, w;

	rep_escape(esc, sizeof(esc), s, &w);
	if (cols + 1 > len)
		cols = len - 1;
	n = rep_cut(out, esc, strlen(esc), &w, cols);
	/* padding: as many blanks as columns are left, room permitting */
	while (w < cols && n + 1 < len) {
		out[n++] = ' ';
		w++;
	}
	out[n] = '\0';
	return out;
}

static int rebuild(struct ui *u)
{
	char id[64];
	size_t i;
	int err;

	rep_table_free(&u->t);
	u->o->sort = u->colset[u->o->view].cols[u->sort[u->o->view]].key;
	err = table_build(u->m, u->o, &u->t, false);
	if (err)
		return err;
	for (i = 0; i < u->t.nr; i++)
		if (!strcmp(row_id(u, i, id, sizeof(id)), u->sel_id)) {
			u->sel = i;
			return 0;
		}
	if (u->sel >= u->t.nr)
		u->sel = u->t.nr ? u->t.nr - 1 : 0;
	if (u->t.nr)
		row_id(u, u->sel, u->sel_id, sizeof(u->sel_id));
	return 0;
}

/* The usage figure of a row: rss, bytes or size. */
static uint64_t row_usage(const struct ui *u, const struct rep_row *r)
{
	int col = rep_view_usage_col(u->t.view);

	if (col < 0)
		col = rep_sort_col(&u->t, rep_view_default_sort(u->t.view));
	return col < 0 ? 0 : rep_cells(&u->t, r)[col].u;
}

/*
 * Records the selected row's usage (the view's default sort column: rss,
 * bytes or size) once per refresh; another selection starts anew.
 */
static void record_trend(struct ui *u)
{
	const struct rep_row *r;
	char id[64];

	if (!u->t.nr)
		return;
	r = &u->t.rows[u->sel];
	row_id(u, u->sel, id, sizeof(id));
	if (strcmp(id, u->trend.id) || u->trend.view != u->o->view) {
		snprintf(u->trend.id, sizeof(u->trend.id), "%s", id);
		u->trend.view = u->o->view;
		u->trend.nr = 0;
		u->trend.gen = 0;
	}
	if (u->trend.gen == u->m->gen)
		return;
	u->trend.gen = u->m->gen;
	if (u->trend.nr == TOP_HIST) {
		memmove(u->trend.v, u->trend.v + 1,
			sizeof(u->trend.v[0]) * (TOP_HIST - 1));
		u->trend.nr--;
	}
	u->trend.v[u->trend.nr++] = row_usage(u, r);
}

static void select_row(struct ui *u, long i)
{
	if (!u->t.nr)
		return;
	if (i < 0)
		i = 0;
	if (i >= (long)u->t.nr)
		i = u->t.nr - 1;
	u->sel = i;
	row_id(u, i, u->sel_id, sizeof(u->sel_id));
}

/* ------------------------------------------------------------------ */
/* Header                                                             */

/* The largest of the last w of the nr values. */
static uint64_t max_of(const uint64_t *v, size_t nr, int w)
{
	size_t k = nr > (size_t)w ? nr - w : 0;
	uint64_t hi = 0;

	for (; k < nr; k++)
		hi = v[k] > hi ? v[k] : hi;
	return hi;
}

/*
 * The last w of nr values as block characters at the cursor, newest
 * right, scaled from their low to their high (a flat line is low).
 */
static void sparkline(struct ui *u, const uint64_t *v, size_t nr, int w)
{
	static const char *const blocks[] = {
		"\u2581", "\u2582", "\u2583", "\u2584",
		"\u2585", "\u2586", "\u2587", "\u2588",
	};
	static const char ascii[] = "_.-=+*#@";
	size_t k, first = nr > (size_t)w ? nr - w : 0;
	uint64_t lo = UINT64_MAX, hi = 0;

	for (k = first; k < nr; k++) {
		lo = v[k] < lo ? v[k] : lo;
		hi = v[k] > hi ? v[k] : hi;
	}
	for (k = first; k < nr; k++) {
		int lvl = hi > lo ? (int)((v[k] - lo) * 7 / (hi - lo)) : 0;

		if (u->utf8)
			addstr(blocks[lvl]);
		else
			addch(ascii[lvl]);
	}
}

/*
 * A header line made of fields: a field that does not fit starts the next
 * line, so narrow terminals lose no figure.
 */
struct fields {
	int y, attr;
	char line[512];
};

static void field(struct fields *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void field(struct fields *f, const char *fmt, ...)
{
	size_t used = strlen(f->line);
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (used && used + 2 + strlen(buf) > (size_t)COLS) {
		put_line(f->y++, f->attr, "%s", f->line);
		f->line[0] = '\0';
		used = 0;
	}
	snprintf(f->line + used, sizeof(f->line) - used, "%s%s",
		 used ? "  " : "", buf);
}

static int fields_end(struct fields *f)
{
	if (f->line[0])
		put_line(f->y++, f->attr, "%s", f->line);
	f->line[0] = '\0';
	return f->y;
}

static int draw_header(struct ui *u)
{
	const struct dmabufstat_snapshot *s = u->m->snap;
	const struct dmabufstat_system *tot = dmabufstat_totals(s);
	struct fields f = { .y = 0, .attr = A_REVERSE };
	const struct rep_col *sc = &u->colset[u->o->view].cols[u->sort[u->o->view]];
	char a[REP_SIZE_LEN], when[16];
	time_t now = time(NULL);
	struct tm tm;
	int y, n, i;

	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	field(&f, "dmabuf-top %s", when);
	field(&f, "%s", dmabufstat_snapshot_backend_name(s));
	field(&f, "took %.1fms", u->m->took_ns / 1e6);
	field(&f, "every %gs", u->interval);
	field(&f, "sort %s %s", sc->key,
	      rep_col_ascending(sc) != u->o->reverse ? "asc" : "desc");
	if (u->o->text[0])
		field(&f, "filter '%s'", u->o->text);
	if (u->o->follow)
		field(&f, "follow %u", u->o->follow);
	if (u->o->tree)
		field(&f, "grouped (H)");
	if (u->o->since_start)
		field(&f, "since start");
	f.y = fields_end(&f);
	f.attr = 0;
	field(&f, "Buffers %" PRIu64, tot->count);
	rep_size(a, tot->bytes, u->o->bytes);
	field(&f, "exported %s", a);
	rep_size(a, tot->userspace_rss, u->o->bytes);
	field(&f, "rss %s", a);
	rep_size(a, tot->userspace_pss, u->o->bytes);
	field(&f, "pss %s", a);
	rep_size(a, tot->kernel_bytes, u->o->bytes);
	field(&f, "kernel-only %s (%" PRIu64 ")", a, tot->kernel_count);
	field(&f, "procs %u", tot->nr_procs);
	y = fields_end(&f);

	/* sparkline of total exported bytes, newest right */
	if (LINES >= 12 && COLS >= 20) {
		rep_size(a, max_of(u->m->spark, u->m->spark_nr, COLS - 21),
			 false);
		mvprintw(y, 0, "history max %7s ", a);
		sparkline(u, u->m->spark, u->m->spark_nr, COLS - 21);
		y++;
	}

	/* per-exporter bars */
	n = dmabufstat_nr_exporters(s);
	if (LINES >= 24)
		n = n < 4 ? n : 4;
	else if (LINES >= 16)
		n = n < 2 ? n : 2;
	else
		n = 0;
	for (i = 0; i < n && COLS >= 50; i++) {
		const struct dmabufstat_exporter *e = dmabufstat_exporter(s, i);
		int w = COLS - 46, fill;
		char bar[512], name[128];

		if (w > (int)sizeof(bar) - 1)
			w = sizeof(bar) - 1;
		fill = tot->bytes ? (int)((double)e->bytes * w / tot->bytes) : 0;
		memset(bar, '#', fill);
		memset(bar + fill, ' ', w - fill);
		bar[w] = '\0';
		rep_size(a, e->bytes, u->o->bytes);
		fit(name, sizeof(name), e->name, 16);
		put_line(y++, 0, "%s [%s] %7s %3d%% %5" PRIu64 " bufs",
			 name, bar, a,
			 tot->bytes ? (int)(e->bytes * 100 / tot->bytes) : 0,
			 e->count);
	}

	/* views */
	move(y, 0);
	for (i = 0; i < TOP_NR_VIEWS; i++) {
		bool cur = i == (int)u->o->view;
		char tab[24];

		snprintf(tab, sizeof(tab), " %d:%s ", i + 1,
			 rep_view_name(i));
		if (getcurx(stdscr) + (int)strlen(tab) > COLS)
			break;
		if (cur)
			attron(A_REVERSE | A_BOLD);
		addstr(tab);
		if (cur)
			attroff(A_REVERSE | A_BOLD);
	}
	return y + 1;
}

/* ------------------------------------------------------------------ */
/* Table                                                              */

/*
 * Which columns fit the screen: the least needed go first (their drop
 * rank), and the last column, when it is text (names, devices), gets the
 * room left over.
 */
static void layout(struct ui *u)
{
	const struct rep_table *t = &u->t;
	int k, used = -1, rank, last = -1;

	for (k = 0; k < t->ncols; k++) {
		u->shown[k] = !(t->cols[k].flags & REP_WIDE);
		u->width[k] = t->cols[k].width;
		if (u->shown[k])
			used += u->width[k] + 1;
	}
	for (rank = 1; used > COLS && rank < 10; rank++)
		for (k = 0; k < t->ncols; k++)
			if (t->cols[k].drop == rank && u->shown[k]) {
				u->shown[k] = false;
				used -= u->width[k] + 1;
			}
	/*
	 * Still too wide: text columns give up room (their cells are cut),
	 * then the rightmost columns go; none is left half shown.
	 */
	for (k = 0; k < t->ncols && used > COLS; k++) {
		int min = (int)strlen(t->cols[k].title) + 1, give;

		if (!u->shown[k] || !rep_col_left(&t->cols[k]) ||
		    u->width[k] <= min)
			continue;
		give = u->width[k] - min < used - COLS ? u->width[k] - min :
							 used - COLS;
		u->width[k] -= give;
		used -= give;
	}
	for (k = t->ncols - 1; k > 0 && used > COLS; k--) {
		if (u->shown[k]) {
			u->shown[k] = false;
			used -= u->width[k] + 1;
		}
	}
	for (k = 0; k < t->ncols; k++)
		if (u->shown[k])
			last = k;
	if (last >= 0 && rep_col_left(&t->cols[last]) && used < COLS)
		u->width[last] += COLS - used;
}

/*
 * A row (or the header) as one line: cells padded to their columns by
 * display width, text left and cut to the column, numbers right and
 * never cut.
 */
static void row_text(struct ui *u, const struct rep_row *r, char *line,
		     size_t len, bool header)
{
	const struct rep_table *t = &u->t;
	char cell[512], cut[512];
	size_t off = 0, n, w;
	int k, width;

	line[0] = '\0';
	for (k = 0; k < t->ncols && off + 1 < len; k++) {
		bool left = rep_col_left(&t->cols[k]);

		if (!u->shown[k])
			continue;
		width = u->width[k];
		if (header) {
			n = snprintf(cell, sizeof(cell), "%s%s",
				     t->cols[k].title,
				     k == u->sort[t->view] ?
				     (u->o->reverse ? "^" : "v") : "");
			w = n;
		} else {
			n = rep_cell_text(t, r, k, u->o->bytes, cell,
					  sizeof(cell), &w);
		}
		if (left && w > (size_t)width) {
			n = rep_cut(cut, cell, n, &w, width);
			memcpy(cell, cut, n + 1);
		}
		if (off && off + 1 < len)
			line[off++] = ' ';
		for (; !left && w < (size_t)width && off + 1 < len; w++)
			line[off++] = ' ';
		if (off + n + 1 > len)
			n = len - off - 1;
		memcpy(line + off, cell, n);
		off += n;
		for (; left && w < (size_t)width && off + 1 < len; w++)
			line[off++] = ' ';
		line[off] = '\0';
	}
}

static void draw_table(struct ui *u, int y, int h)
{
	char line[2048];
	size_t i;
	int leak;

	u->table_y = y;
	u->table_h = 0;
	if (h < 1)
		return;
	layout(u);
	row_text(u, NULL, line, sizeof(line), true);
	put_line(y++, A_BOLD | A_UNDERLINE, "%s", line);
	h--;
	if (h < 1)
		return;
	if (u->sel < u->top)
		u->top = u->sel;
	if (u->sel >= u->top + h)
		u->top = u->sel - h + 1;
	if (u->top + h > u->t.nr)
		u->top = u->t.nr > (size_t)h ? u->t.nr - h : 0;
	u->table_h = h;
	if (!u->t.nr) {
		put_line(y, 0, "  (no %s%s)", rep_view_key(u->o->view),
			 u->o->text[0] || u->o->follow ? " match" : "");
		return;
	}
	/* cmdline, cgroup path: read for the rows on the screen only */
	rep_fill_lazy(&u->t, u->top, h);
	/* a row marked as growing (the leak mark) is bold */
	leak = rep_sort_col(&u->t, "leak");
	for (i = u->top; i < u->t.nr && (int)(i - u->top) < h; i++) {
		const struct rep_row *r = &u->t.rows[i];

		row_text(u, r, line, sizeof(line), false);
		put_line(y + i - u->top, i == u->sel ? A_REVERSE :
			 leak >= 0 && rep_cells(&u->t, r)[leak].b ? A_BOLD : 0,
			 "%s", line);
	}
}

/* ------------------------------------------------------------------ */
/* Details                                                            */

struct lines {
	int y, end;
};

static bool dline(struct lines *l, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (l->y >= l->end)
		return false;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	mvaddnstr(l->y++, 0, buf, COLS);
	return true;
}

/* With lifecycle tracking: who allocated it, when, who imported it. */
static void details_track(struct ui *u, struct lines *l, size_t bi)
{
	const struct dmabufstat_buffer_track *t;
	char age[32], imps[256] = "";
	uint32_t j;

	t = dmabufstat_buffer_track(u->m->snap, bi);
	if (!t)
		return;
	if (!(t->flags & DMABUFSTAT_TRK_EXPORT)) {
		dline(l, "allocated %s", t->flags & DMABUFSTAT_TRK_BEFORE ?
		      "before tracking started" : "by an unknown process (the tracking map was full)");
	} else {
		rep_age(age, sizeof(age), t->age_ns);
		dline(l, "allocated by %u %s%s, %s ago%s", t->alloc_pid,
		      t->alloc_comm,
		      t->flags & DMABUFSTAT_TRK_ALLOC_ALIVE ? "" : " (exited)",
		      age, t->flags & DMABUFSTAT_TRK_ORPHAN ? "  ORPHAN" : "");
	}
	for (j = 0; j < t->nr_importers; j++)
		snprintf(imps + strlen(imps), sizeof(imps) - strlen(imps),
			 "%s%u(%s)%s%s%s", j ? ", " : "", t->importers[j].pid,
			 t->importers[j].comm,
			 t->importers[j].device[0] ? ">" : "",
			 t->importers[j].device,
			 t->importers[j].flags & DMABUFSTAT_IMP_DETACHED ?
			 " detached" : "");
	if (t->keeper_pid)
		dline(l, "importers: %s; kept by %u %s", imps, t->keeper_pid,
		      t->keeper_comm);
	else
		dline(l, "importers: %s", t->nr_importers ? imps : "none");
}

static void details_buffer(struct ui *u, struct lines *l, size_t bi)
{
	const struct dmabufstat_snapshot *s = u->m->snap;
	const struct dmabufstat_buffer *b = dmabufstat_buffer(s, bi);
	char sz[REP_SIZE_LEN], name[4 * DMABUFSTAT_BUFNAME_LEN], devs[256] = "";
	char comm[64];
	uint32_t j;

	rep_size(sz, b->size, u->o->bytes);
	rep_escape(name, sizeof(name), b->name, NULL);
	dline(l, "buffer %" PRIu64 "  %s  exporter %s (exp_name %s)  name '%s'",
	      b->ino, sz, dmabufstat_buffer_exporter(b), b->exporter, name);
	for (j = 0; j < b->nr_attach_names; j++)
		snprintf(devs + strlen(devs), sizeof(devs) - strlen(devs),
			 "%s%s", j ? ", " : "", b->attach[j]);
	dline(l, "file refs %" PRId64 "  vmaps %d  attached devices (%u): %s",
	      b->file_count, b->vmap_count, b->nr_attach,
	      b->nr_attach ? devs : "none");
	details_track(u, l, bi);
	dline(l, "holders (%u)%s", b->nr_procs, b->nr_procs ? ":" :
	      ": none (kernel-only)");
	for (j = 0; j < b->nr_procs; j++) {
		const struct dmabufstat_holder *h;
		const struct dmabufstat_process *p;

		h = dmabufstat_buffer_holder(s, bi, j);
		if (!h)
			continue;
		p = dmabufstat_process(s, h->proc);
		rep_size(sz, h->pss, u->o->bytes);
		if (!dline(l, "  pid %-7u %s fds %u maps %u pss %s", p->pid,
			   fit(comm, sizeof(comm), p->comm, 15), h->nr_fds,
			   h->nr_maps, sz))
			break;
	}
}

static void details_process(struct ui *u, struct lines *l, size_t pi,
			    const char *cmdline)
{
	const struct dmabufstat_snapshot *s = u->m->snap;
	const struct dmabufstat_process *p = dmabufstat_process(s, pi);
	char a[REP_SIZE_LEN], b2[REP_SIZE_LEN], name[128], exp[128];
	char with[256], cmd[1024];
	uint32_t j, k;

	rep_size(a, p->rss, u->o->bytes);
	rep_size(b2, p->pss, u->o->bytes);
	/* three lines: at 80 columns one would be cut */
	dline(l, "process %u %s  uid %u  cgroup %" PRIu64, p->pid, p->comm,
	      p->uid, p->cgroup_id);
	rep_escape(cmd, sizeof(cmd), cmdline ?: "", NULL);
	dline(l, "cmdline %s", cmd[0] ? cmd : "-");
	dline(l, "rss %s  pss %s  %u buffers  %u fds  %u maps", a, b2,
	      p->nr_bufs, p->nr_fds, p->nr_maps);
	dline(l, "%8s %7s %-12s %-14s %3s %4s %7s  %s", "INODE", "SIZE",
	      "EXPORTER", "NAME", "FDS", "MAPS", "PSS", "SHARED WITH");
	for (j = 0; j < p->nr_bufs; j++) {
		const struct dmabufstat_holder *h = dmabufstat_process_holder(s, pi, j);
		const struct dmabufstat_buffer *b;

		if (!h)
			continue;
		b = dmabufstat_buffer(s, h->buf);
		with[0] = '\0';
		for (k = 0; k < b->nr_procs; k++) {
			const struct dmabufstat_holder *o;
			const struct dmabufstat_process *q;

			o = dmabufstat_buffer_holder(s, h->buf, k);
			if (!o || o->proc == h->proc)
				continue;
			q = dmabufstat_process(s, o->proc);
			snprintf(with + strlen(with), sizeof(with) - strlen(with),
				 "%s%u(%s)", with[0] ? "," : "", q->pid, q->comm);
		}
		rep_size(a, b->size, u->o->bytes);
		rep_size(b2, h->pss, u->o->bytes);
		if (!dline(l, "%8" PRIu64 " %7s %s %s %3u %4u %7s  %s",
			   b->ino, a,
			   fit(exp, sizeof(exp), dmabufstat_buffer_exporter(b), 12),
			   fit(name, sizeof(name), b->name, 14),
			   h->nr_fds, h->nr_maps, b2, with[0] ? with : "-"))
			break;
	}
}

/* Buffers whose exporter (or attached device) is name. */
static void details_bufs_of(struct ui *u, struct lines *l, const char *name,
			    bool device)
{
	const struct dmabufstat_snapshot *s = u->m->snap;
	size_t i, n = dmabufstat_nr_buffers(s);
	char sz[REP_SIZE_LEN], bname[128];
	uint32_t j;

	dline(l, "%s %s: buffers", device ? "device" : "exporter", name);
	for (i = 0; i < n; i++) {
		const struct dmabufstat_buffer *b = dmabufstat_buffer(s, i);
		bool match = false;

		if (device) {
			for (j = 0; j < b->nr_attach_names; j++)
				match |= !strcmp(b->attach[j], name);
		} else {
			match = !strcmp(dmabufstat_buffer_exporter(b), name);
		}
		if (!match)
			continue;
		rep_size(sz, b->size, u->o->bytes);
		if (!dline(l, "  %8" PRIu64 " %7s %s holders %u fds %u maps %u",
			   b->ino, sz, fit(bname, sizeof(bname), b->name, 14), b->nr_procs, b->nr_fds, b->nr_maps))
			break;
	}
}

static void details_group(struct ui *u, struct lines *l, uint64_t id,
			  bool uid, const char *path)
{
	const struct dmabufstat_snapshot *s = u->m->snap;
	size_t i, n = dmabufstat_nr_processes(s);
	char a[REP_SIZE_LEN], b[REP_SIZE_LEN], comm[64], where[1024] = "";

	if (path && *path) {
		where[0] = ' ';
		rep_escape(where + 1, sizeof(where) - 1, path, NULL);
	}
	dline(l, "%s %" PRIu64 "%s: processes", uid ? "uid" : "cgroup", id,
	      where);
	for (i = 0; i < n; i++) {
		const struct dmabufstat_process *p = dmabufstat_process(s, i);

		if ((uid ? p->uid : p->cgroup_id) != id)
			continue;
		rep_size(a, p->rss, u->o->bytes);
		rep_size(b, p->pss, u->o->bytes);
		if (!dline(l, "  pid %-7u %s rss %7s pss %7s bufs %u",
			   p->pid, fit(comm, sizeof(comm), p->comm, 15), a, b,
			   p->nr_bufs))
			break;
	}
}

static void draw_details(struct ui *u, int y, int h)
{
	struct lines l = { .y = y + 1, .end = y + h };
	const union rep_cell *c;
	const struct rep_row *r;
	int lazy;

	if (h < 2)
		return;
	put_line(y, A_REVERSE, "details (d closes)");
	if (!u->t.nr) {
		dline(&l, "nothing selected");
		return;
	}
	r = &u->t.rows[u->sel];
	c = rep_cells(&u->t, r);
	if (COLS >= 60 && u->trend.nr) {
		char a[REP_SIZE_LEN];

		rep_size(a, u->trend.v[u->trend.nr - 1], u->o->bytes);
		attron(A_REVERSE);
		mvprintw(y, 20, "%s %s, since selected: ",
			 rep_view_default_sort(u->o->view), a);
		sparkline(u, u->trend.v, u->trend.nr, COLS - getcurx(stdscr));
		attroff(A_REVERSE);
	}
	if (r->flags & REP_ROW_GROUP) {
		char name[128];

		dline(&l, "group %s: %" PRIu64 " members (H ungroups)",
		      u->t.indent_col >= 0 ?
		      (rep_escape(name, sizeof(name),
				  c[u->t.indent_col].s ?: "", NULL), name) : "",
		      c[0].u);
		return;
	}
	/* the row's cmdline or cgroup path, if the table has not read it */
	rep_fill_lazy(&u->t, u->sel, 1);
	lazy = rep_sort_col(&u->t, u->o->view == REP_PROCS ? "cmdline" : "path");
	switch (u->o->view) {
	case REP_PROCS:
		details_process(u, &l, r->idx, lazy >= 0 ? c[lazy].s : NULL);
		break;
	case REP_BUFFERS:
		details_buffer(u, &l, r->idx);
		break;
	case REP_EXPORTERS:
		details_bufs_of(u, &l, c[0].s, false);
		break;
	case REP_DEVICES:
		details_bufs_of(u, &l, c[0].s, true);
		break;
	case REP_UIDS:
		details_group(u, &l, c[0].u, true, NULL);
		break;
	default:
		details_group(u, &l, c[0].u, false,
			      lazy >= 0 ? c[lazy].s : NULL);
		break;
	}
}

static const char *const help_lines[] = {
	"dmabuf-top keys",
	"",
	"  1-6 Tab Left Right  views: procs exporters buffers devices uids cgroups",
	"  Up Down PgUp PgDn Home End   move the selection (kept across refreshes)",
	"  < > s    pick the sort column        r   reverse the sort order",
	"  F6       sort menu (Up Down, Enter picks, Esc closes)",
	"  / F3     filter by text (Enter keeps, Esc clears)",
	"  i        go to a buffer by inode (buffers view, it selected)",
	"  p        follow the selected process (p again: stop)",
	"  H F5     group/tree: procs by command, buffers by exporter",
	"  o        leaks: orphaned and kept buffers (tracking on)",
	"  d        details of the selection, with its usage since selected",
	"  Esc      close the details, the filter, the menu or this help",
	"  Space    refresh now       + -  longer / shorter interval",
	"  ?        this help         q F10  quit",
	"  mouse    a click selects a row; on a header, sorts by it",
	"",
	"  L column '!': usage grew at each of the last K refreshes (-K)",
	"  DELTA since the previous refresh (--since-start: the first)",
	"",
	"  any key closes this help",
};

/* Whether column c is one the table sorts by (lists are not). */
static bool sortable(const struct rep_table *cs, int c)
{
	return !(cs->cols[c].flags & REP_WIDE) &&
	       rep_sort_col(cs, cs->cols[c].key) == c;
}

/* F6: the view's sort keys in a box at the top left, the pick reversed. */
static void draw_menu(struct ui *u)
{
	const struct rep_table *cs = &u->colset[u->o->view];
	int c, y = 1;

	put_line_at(0, 0, A_REVERSE, " Sort by        ");
	for (c = 0; c < cs->ncols && y < LINES - 1; c++) {
		if (!sortable(cs, c))
			continue;
		put_line_at(y++, 0, c == u->menu_sel ? A_REVERSE : A_BOLD,
			    " %c %-12.12s ", c == u->sort[u->o->view] ? '*' : ' ',
			    cs->cols[c].key);
	}
}

static void draw(struct ui *u)
{
	int y, h, dh = 0, i;

	erase();
	if (LINES < 4 || COLS < 20) {
		mvaddnstr(0, 0, "dmabuf-top: terminal too small", COLS);
		refresh();
		return;
	}
	if (u->help) {
		for (i = 0; i < (int)(sizeof(help_lines) / sizeof(help_lines[0])); i++)
			put_line(i, i ? 0 : A_REVERSE, "%s", help_lines[i]);
		refresh();
		return;
	}
	y = u->m->snap ? draw_header(u) : 0;
	h = LINES - y - 1;
	if (u->details && h >= 6) {
		dh = h / 2;
		h -= dh;
	}
	draw_table(u, y, h);
	if (dh)
		draw_details(u, y + h, dh);
	if (u->menu)
		draw_menu(u);
	if (u->editing)
		put_line(LINES - 1, 0, "/%s", u->o->text);
	else if (u->going)
		put_line(LINES - 1, 0, "inode: %s", u->go_text);
	else if (u->msg[0])
		put_line(LINES - 1, A_BOLD, "%s", u->msg);
	else
		put_line(LINES - 1, 0, "q:quit ?:help /:filter d:details p:follow H:tree <>:sort r:reverse 1-6:views");
	if (u->editing) {
		curs_set(1);
		move(LINES - 1, 1 + (int)strlen(u->o->text));
	} else if (u->going) {
		curs_set(1);
		move(LINES - 1, 7 + (int)strlen(u->go_text));
	} else {
		curs_set(0);
	}
	refresh();
}

/* ------------------------------------------------------------------ */
/* Keys                                                               */

/* To the view of tab i (0..5, wrapping around). */
static void set_view(struct ui *u, int i)
{
	enum rep_view v = (i + TOP_NR_VIEWS) % TOP_NR_VIEWS;

	if (v == u->o->view)
		return;
	memcpy(u->saved[u->o->view].sel_id, u->sel_id, sizeof(u->sel_id));
	u->saved[u->o->view].sel = u->sel;
	u->saved[u->o->view].top = u->top;
	u->o->view = v;
	memcpy(u->sel_id, u->saved[v].sel_id, sizeof(u->sel_id));
	u->sel = u->saved[v].sel;
	u->top = u->saved[v].top;
}

static void edit_key(struct ui *u, int ch)
{
	size_t n = strlen(u->o->text);

	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		u->editing = false;
	} else if (ch == 27) {
		u->o->text[0] = '\0';
		u->editing = false;
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (n)
			u->o->text[n - 1] = '\0';
	} else if (ch >= 0x20 && ch < 0x7f && n + 1 < sizeof(u->o->text)) {
		u->o->text[n] = ch;
		u->o->text[n + 1] = '\0';
	}
}

/*
 * The inode prompt ('i'): digits, Backspace; Enter goes to the buffers
 * view with that buffer selected (redraw() finds it), Esc cancels.
 */
static void go_key(struct ui *u, int ch)
{
	size_t n = strlen(u->go_text);
	uint64_t ino;

	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		u->going = false;
		if (!cli_parse_u64(u->go_text, &ino) || !ino) {
			snprintf(u->msg, sizeof(u->msg), "inode: '%s' is no inode",
				 u->go_text);
			return;
		}
		set_view(u, REP_BUFFERS);
		snprintf(u->sel_id, sizeof(u->sel_id), "b:%" PRIu64, ino);
		u->go_ino = ino;
	} else if (ch == 27) {
		u->going = false;
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (n)
			u->go_text[n - 1] = '\0';
	} else if (ch >= '0' && ch <= '9' && n + 1 < sizeof(u->go_text)) {
		u->go_text[n] = ch;
		u->go_text[n + 1] = '\0';
	}
}

/*
 * After a jump: is the buffer selected? A filter or a followed process
 * may hide it: then they are cleared, said so, and it is looked for again.
 */
static int go_found(struct ui *u)
{
	char want[32], id[64];
	bool cleared = false;
	int err;

	snprintf(want, sizeof(want), "b:%" PRIu64, u->go_ino);
	for (;;) {
		if (u->t.nr && !strcmp(row_id(u, u->sel, id, sizeof(id)), want)) {
			snprintf(u->msg, sizeof(u->msg), "inode %" PRIu64 "%s",
				 u->go_ino, cleared ?
				 " (the filter and follow were cleared)" : "");
			break;
		}
		if (cleared || (!u->o->text[0] && !u->o->follow)) {
			snprintf(u->msg, sizeof(u->msg),
				 "no buffer with inode %" PRIu64, u->go_ino);
			break;
		}
		u->o->text[0] = '\0';
		u->o->follow = 0;
		cleared = true;
		snprintf(u->sel_id, sizeof(u->sel_id), "%s", want);
		err = rebuild(u);
		if (err)
			return err;
	}
	u->go_ino = 0;
	return 0;
}

/*
 * The next column (step 1 or -1) a table shows and sorts by: lists and
 * JSON-only columns are skipped.
 */
static int next_sort(const struct ui *u, int step)
{
	const struct rep_table *cs = &u->colset[u->o->view];
	int c = u->sort[u->o->view], k;

	for (k = 0; k < cs->ncols; k++) {
		c = (c + step + cs->ncols) % cs->ncols;
		if (sortable(cs, c))
			return c;
	}
	return u->sort[u->o->view];
}

/*
 * The rest of an escape sequence after a lone ESC (ncurses waited only
 * ESCDELAY for it): over a slow serial or adb link "[B" comes later, so
 * wait longer here and decode the common CSI and SS3 keys ourselves.
 * Returns the key, 27 for Esc alone (a key after it is read next), ERR
 * for a sequence we do not know.
 */
#define ESC_REST_MS	300

/*
 * A mouse report that came apart like the keys above: "[<B;X;YM" (SGR,
 * 1006) or "[M" and three bytes (X10). A press of button 1 is queued
 * for getmouse() (KEY_MOUSE next); the rest is dropped.
 */
static int mouse_escape(const char *seq)
{
	MEVENT ev = { 0 };
	int b, x, y, c[3], i;
	char fin = 0;

	if (seq[1] == 'M') {
		for (i = 0; i < 3; i++) {
			c[i] = getch();
			if (c[i] == ERR)
				return ERR;
		}
		b = c[0] - 32;
		x = c[1] - 32;
		y = c[2] - 32;
		fin = (b & 3) == 3 ? 'm' : 'M';
	} else if (sscanf(seq, "[<%d;%d;%d%c", &b, &x, &y, &fin) != 4) {
		return ERR;
	}
	if (fin != 'M' || (b & ~3) || (b & 3) || x < 1 || y < 1)
		return ERR;	/* only a press of button 1, not a drag */
	ev.x = x - 1;
	ev.y = y - 1;
	ev.bstate = BUTTON1_PRESSED;
	ungetmouse(&ev);
	return ERR;
}

static int read_escape(void)
{
	static const struct {
		const char *seq;
		int key;
	} seqs[] = {
		{ "[A", KEY_UP }, { "[B", KEY_DOWN }, { "[C", KEY_RIGHT },
		{ "[D", KEY_LEFT }, { "[H", KEY_HOME }, { "[F", KEY_END },
		{ "[Z", KEY_BTAB }, { "[1~", KEY_HOME }, { "[4~", KEY_END },
		{ "[5~", KEY_PPAGE }, { "[6~", KEY_NPAGE },
		{ "OA", KEY_UP }, { "OB", KEY_DOWN }, { "OC", KEY_RIGHT },
		{ "OD", KEY_LEFT }, { "OH", KEY_HOME }, { "OF", KEY_END },
		{ "OR", KEY_F(3) }, { "[13~", KEY_F(3) }, { "[15~", KEY_F(5) },
		{ "[17~", KEY_F(6) }, { "[21~", KEY_F(10) },
	};
	char seq[16];
	size_t n = 0, i;
	int ch;

	timeout(ESC_REST_MS);
	ch = getch();
	if (ch == ERR)
		return 27;
	if (ch != '[' && ch != 'O') {
		/* Esc, then a key typed soon after: both count */
		ungetch(ch);
		return 27;
	}
	seq[n++] = ch;
	/* parameters and intermediates, then a final byte 0x40-0x7e */
	while (n + 1 < sizeof(seq)) {
		ch = getch();
		if (ch == ERR || ch < 0x20 || ch > 0x7e)
			return ERR;
		seq[n++] = ch;
		if (ch >= 0x40 && !(n == 2 && seq[0] == '[' && ch == '['))
			break;
	}
	seq[n] = '\0';
	if (!strcmp(seq, "[M") || (seq[1] == '<' && (ch == 'M' || ch == 'm')))
		return mouse_escape(seq);
	for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++)
		if (!strcmp(seq, seqs[i].seq))
			return seqs[i].key;
	return ERR;
}

/* The table column under screen column x, or -1. */
static int col_at(const struct ui *u, int x)
{
	int k, left = 0;

	for (k = 0; k < u->t.ncols; k++) {
		if (!u->shown[k])
			continue;
		if (x >= left && x < left + u->width[k] + 1)
			return k;
		left += u->width[k] + 1;
	}
	return -1;
}

/* A click: on the header sorts by its column, on a row selects it. */
static void mouse_key(struct ui *u)
{
	MEVENT ev;
	int c;

	/* the press acts (mouseinterval(0): no click is made of it) */
	if (getmouse(&ev) != OK ||
	    !(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
		return;
	if (u->help || u->menu || u->editing || u->going)
		return;
	if (ev.y == u->table_y) {
		c = col_at(u, ev.x);
		if (c < 0 || !sortable(&u->t, c))
			return;
		/* the same column again reverses, as the headers of GUIs do */
		if (c == u->sort[u->o->view])
			u->o->reverse = !u->o->reverse;
		u->sort[u->o->view] = c;
	} else if (ev.y > u->table_y && ev.y <= u->table_y + u->table_h &&
		   u->top + (size_t)(ev.y - u->table_y - 1) < u->t.nr) {
		select_row(u, (long)(u->top + ev.y - u->table_y - 1));
	}
}

/* The sort menu's keys: Up/Down move, Enter picks, Esc (or F6) closes. */
static void menu_key(struct ui *u, int ch)
{
	const struct rep_table *cs = &u->colset[u->o->view];
	int c = u->menu_sel, k, step = 0;

	switch (ch) {
	case KEY_UP:
	case 'k':
		step = -1;
		break;
	case KEY_DOWN:
	case 'j':
		step = 1;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		u->sort[u->o->view] = u->menu_sel;
		u->menu = false;
		return;
	case 27:
	case 'q':
	case KEY_F(6):
		u->menu = false;
		return;
	default:
		return;
	}
	for (k = 0; k < cs->ncols; k++) {
		c = (c + step + cs->ncols) % cs->ncols;
		if (sortable(cs, c))
			break;
	}
	u->menu_sel = c;
}

/* Returns false to quit. */
static bool key(struct ui *u, int ch)
{
	int tab = u->o->view, page = LINES > 10 ? LINES - 10 : 1;
	const struct rep_row *r;

	u->msg[0] = '\0';
	if (ch == KEY_MOUSE) {
		mouse_key(u);
		return true;
	}
	if (u->help) {
		u->help = false;
		return true;
	}
	if (u->editing) {
		edit_key(u, ch);
		return true;
	}
	if (u->going) {
		go_key(u, ch);
		return true;
	}
	if (u->menu) {
		menu_key(u, ch);
		return true;
	}
	switch (ch) {
	case 'q':
	case 'Q':
	case KEY_F(10):
		return false;
	case 27:
		/* Esc backs out of something; it never quits */
		if (u->details)
			u->details = false;
		else
			snprintf(u->msg, sizeof(u->msg), "q or F10 quits");
		break;
	case KEY_F(6):
		u->menu = true;
		u->menu_sel = u->sort[u->o->view];
		break;
	case '?':
	case 'h':
		u->help = true;
		break;
	case '1': case '2': case '3': case '4': case '5': case '6':
		set_view(u, ch - '1');
		break;
	case '\t':
	case KEY_RIGHT:
		set_view(u, tab + 1);
		break;
	case KEY_BTAB:
	case KEY_LEFT:
		set_view(u, tab - 1);
		break;
	case KEY_UP:
	case 'k':
		select_row(u, (long)u->sel - 1);
		break;
	case KEY_DOWN:
	case 'j':
		select_row(u, (long)u->sel + 1);
		break;
	case KEY_PPAGE:
		select_row(u, (long)u->sel - page);
		break;
	case KEY_NPAGE:
		select_row(u, (long)u->sel + page);
		break;
	case KEY_HOME:
	case 'g':
		select_row(u, 0);
		break;
	case KEY_END:
	case 'G':
		select_row(u, (long)u->t.nr - 1);
		break;
	case '>':
	case 's':
		u->sort[u->o->view] = next_sort(u, 1);
		break;
	case '<':
		u->sort[u->o->view] = next_sort(u, -1);
		break;
	case 'r':
		u->o->reverse = !u->o->reverse;
		break;
	case '/':
	case KEY_F(3):
		u->editing = true;
		break;
	case 'i':
		u->going = true;
		u->go_text[0] = '\0';
		break;
	case 'H':
	case KEY_F(5):
		u->o->tree = !u->o->tree;
		break;
	case 'd':
		u->details = !u->details;
		break;
	case 'o':
		if (!u->o->filter.f.leaks && u->m->snap &&
		    !dmabufstat_snapshot_track(u->m->snap)) {
			snprintf(u->msg, sizeof(u->msg),
				 "o: the leaks view needs lifecycle tracking (dmabufstat track start)");
			break;
		}
		u->o->filter.f.leaks = !u->o->filter.f.leaks;
		if (u->o->filter.f.leaks)
			u->o->view = REP_BUFFERS;
		snprintf(u->msg, sizeof(u->msg), "%s",
			 u->o->filter.f.leaks ?
			 "leaks: orphans and kept buffers (o again: all)" :
			 "all buffers");
		break;
	case 'p':
		if (u->o->follow) {
			snprintf(u->msg, sizeof(u->msg), "stopped following %u",
				 u->o->follow);
			u->o->follow = 0;
			break;
		}
		r = u->t.nr ? &u->t.rows[u->sel] : NULL;
		if (u->o->view != REP_PROCS || !r ||
		    (r->flags & REP_ROW_GROUP)) {
			snprintf(u->msg, sizeof(u->msg),
				 "p: select a process in the procs view first");
			break;
		}
		u->o->follow = rep_cells(&u->t, r)[0].u;
		snprintf(u->msg, sizeof(u->msg), "following %u (p stops)",
			 u->o->follow);
		break;
	case '+':
		u->interval = u->interval < 3600 ? u->interval * 2 : u->interval;
		break;
	case '-':
		u->interval = u->interval > 0.1 ? u->interval / 2 : u->interval;
		break;
	default:
		break;
	}
	return true;
}

/* The table rebuilt, the selection's trend recorded, the screen drawn. */
static int redraw(struct ui *u)
{
	int err = rebuild(u);

	if (!err && u->go_ino)
		err = go_found(u);
	if (err)
		return err;
	record_trend(u);
	draw(u);
	return 0;
}

int ui_run(struct model *m, struct top_opts *o, double interval,
	   uint64_t count, const volatile sig_atomic_t *stop)
{
	struct ui u = { .m = m, .o = o, .interval = interval };
	uint64_t next, refreshes = 0, now;
	const char *what = NULL;
	int err = 0, i, ch;

	for (i = 0; i < REP_NR_VIEWS; i++) {
		rep_table_init(&u.colset[i], i, &top_growth_cols);
		u.sort[i] = rep_sort_col(&u.colset[i],
					 rep_view_default_sort(i));
	}
	if (o->sort)
		u.sort[o->view] = rep_sort_col(&u.colset[o->view], o->sort);

	setlocale(LC_ALL, "");
	u.utf8 = rep_locale_utf8();
	/* the first snapshot before the screen changes: errors stay readable */
	err = model_refresh(m);
	if (err) {
		cli_lib_error(m->ds, "cannot take a snapshot", err);
		return 1;
	}
	refreshes = 1;
	atexit(ui_end);
	if (!initscr()) {
		fprintf(stderr, "dmabuf-top: error: cannot initialise the terminal\n");
		return 1;
	}
	curses_on = true;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	/* clicks, where the terminal reports them; no drag, no menus */
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
	mouseinterval(0);
	curs_set(0);
	next = cli_now_ns() + (uint64_t)(u.interval * 1e9);
	if (redraw(&u)) {
		what = "out of memory";
		goto out;
	}
	while (!*stop) {
		bool changed = false;
		int64_t left;

		now = cli_now_ns();
		left = (int64_t)(next - now) / 1000000;
		timeout(left < 0 ? 0 : left > 250 ? 250 : (int)left);
		ch = getch();
		if (ch == 27)
			ch = read_escape();
		if (*stop)
			break;
		changed = ch != ERR;	/* a key or a resize */
		if (ch != ERR && ch != KEY_RESIZE) {
			bool space = ch == ' ' && !u.editing && !u.going &&
				     !u.help;

			if (!key(&u, ch))
				break;
			if (space)
				next = cli_now_ns();
		}
		if (cli_now_ns() >= next) {
			if (count && refreshes >= count)
				break;
			err = model_refresh(m);
			if (err) {
				what = "cannot take a snapshot";
				goto out;
			}
			refreshes++;
			next = cli_now_ns() + (uint64_t)(u.interval * 1e9);
			changed = true;
		}
		/* idle wake-ups (signal checks) leave the screen alone */
		if (!changed)
			continue;
		if (redraw(&u)) {
			what = "out of memory";
			goto out;
		}
	}
out:
	ui_end();
	rep_table_free(&u.t);
	if (what && err)
		cli_lib_error(m->ds, what, err);
	else if (what)
		fprintf(stderr, "dmabuf-top: error: %s\n", what);
	return what ? 1 : 0;
}
