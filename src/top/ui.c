// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-top's interactive mode (ncurses): header with totals, a sparkline
 * of total exported bytes and per-exporter bars, a tab line of views, the
 * table with a selection that stays on its entity, a details pane, help,
 * a filter prompt. Every way out goes through endwin().
 */
#include <errno.h>
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curses.h>

#include "cli.h"
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
	struct table t;
	int sort[TOP_NR_VIEWS];	/* column per view */
	bool shown[TOP_MAXCOL];	/* columns that fit the screen */
	int width[TOP_MAXCOL];
	char sel_id[48];	/* the selected entity, kept across refreshes */
	size_t sel, top;
	struct {		/* the same, kept per view while it is hidden */
		char sel_id[48];
		size_t sel, top;
	} saved[TOP_NR_VIEWS];
	bool details, help, editing, utf8;
	struct {		/* the selected entity's usage since selected */
		char id[48];
		enum top_view view;
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

static int rebuild(struct ui *u)
{
	size_t i;
	int err;

	table_free(&u->t);
	u->o->sort = view_cols(u->o->view, &(int){ 0 })[u->sort[u->o->view]].key;
	err = table_build(u->m, u->o, &u->t);
	if (err)
		return err;
	for (i = 0; i < u->t.nr; i++)
		if (!strcmp(u->t.rows[i].id, u->sel_id)) {
			u->sel = i;
			return 0;
		}
	if (u->sel >= u->t.nr)
		u->sel = u->t.nr ? u->t.nr - 1 : 0;
	if (u->t.nr)
		snprintf(u->sel_id, sizeof(u->sel_id), "%s",
			 u->t.rows[u->sel].id);
	return 0;
}

/*
 * Records the selected row's usage (the view's default sort column: rss,
 * bytes or size) once per refresh; another selection starts anew.
 */
static void record_trend(struct ui *u)
{
	const struct row *r;
	int col;

	if (!u->t.nr)
		return;
	r = &u->t.rows[u->sel];
	if (strcmp(r->id, u->trend.id) || u->trend.view != u->o->view) {
		snprintf(u->trend.id, sizeof(u->trend.id), "%s", r->id);
		u->trend.view = u->o->view;
		u->trend.nr = 0;
		u->trend.gen = 0;
	}
	if (u->trend.gen == u->m->gen)
		return;
	u->trend.gen = u->m->gen;
	col = view_col_index(u->o->view, view_default_sort(u->o->view));
	if (u->trend.nr == TOP_HIST) {
		memmove(u->trend.v, u->trend.v + 1,
			sizeof(u->trend.v[0]) * (TOP_HIST - 1));
		u->trend.nr--;
	}
	u->trend.v[u->trend.nr++] = r->v[col] < 0 ? 0 : r->v[col];
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
	snprintf(u->sel_id, sizeof(u->sel_id), "%s", u->t.rows[i].id);
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
	char a[24], when[16];
	const struct col *cols;
	time_t now = time(NULL);
	struct tm tm;
	int y, n, i;

	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	cols = view_cols(u->o->view, &n);
	field(&f, "dmabuf-top %s", when);
	field(&f, "%s", dmabufstat_snapshot_backend_name(s));
	field(&f, "took %.1fms", u->m->took_ns / 1e6);
	field(&f, "every %gs", u->interval);
	field(&f, "sort %s %s", cols[u->sort[u->o->view]].key,
	      u->o->reverse ? "asc" : "desc");
	if (u->o->filter[0])
		field(&f, "filter '%s'", u->o->filter);
	if (u->o->follow)
		field(&f, "follow %u", u->o->follow);
	if (u->o->tree)
		field(&f, "grouped (H)");
	if (u->o->since_start)
		field(&f, "since start");
	f.y = fields_end(&f);
	f.attr = 0;
	field(&f, "Buffers %" PRIu64, tot->count);
	fmt_size(tot->bytes, u->o->bytes, a, sizeof(a));
	field(&f, "exported %s", a);
	fmt_size(tot->userspace_rss, u->o->bytes, a, sizeof(a));
	field(&f, "rss %s", a);
	fmt_size(tot->userspace_pss, u->o->bytes, a, sizeof(a));
	field(&f, "pss %s", a);
	fmt_size(tot->kernel_bytes, u->o->bytes, a, sizeof(a));
	field(&f, "kernel-only %s (%" PRIu64 ")", a, tot->kernel_count);
	field(&f, "procs %u", tot->nr_procs);
	y = fields_end(&f);

	/* sparkline of total exported bytes, newest right */
	if (LINES >= 12 && COLS >= 20) {
		fmt_size(max_of(u->m->spark, u->m->spark_nr, COLS - 21), false,
			 a, sizeof(a));
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
		char bar[512];

		if (w > (int)sizeof(bar) - 1)
			w = sizeof(bar) - 1;
		fill = tot->bytes ? (int)((double)e->bytes * w / tot->bytes) : 0;
		memset(bar, '#', fill);
		memset(bar + fill, ' ', w - fill);
		bar[w] = '\0';
		fmt_size(e->bytes, u->o->bytes, a, sizeof(a));
		put_line(y++, 0, "%-16.16s [%s] %7s %3d%% %5" PRIu64 " bufs",
			 e->name, bar, a,
			 tot->bytes ? (int)(e->bytes * 100 / tot->bytes) : 0,
			 e->count);
	}

	/* views */
	move(y, 0);
	for (i = 0; i < TOP_NR_VIEWS; i++) {
		char tab[24];

		snprintf(tab, sizeof(tab), " %d:%s ", i + 1, top_view_names[i]);
		if (getcurx(stdscr) + (int)strlen(tab) > COLS)
			break;
		if (i == (int)u->o->view)
			attron(A_REVERSE | A_BOLD);
		addstr(tab);
		if (i == (int)u->o->view)
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
	const struct table *t = &u->t;
	int k, used = -1, rank, last = -1;

	for (k = 0; k < t->ncols; k++) {
		u->shown[k] = true;
		u->width[k] = t->cols[k].width;
		used += u->width[k] + 1;
	}
	for (rank = 1; used > COLS && rank < 10; rank++)
		for (k = 0; k < t->ncols; k++)
			if (t->cols[k].drop == rank && u->shown[k]) {
				u->shown[k] = false;
				used -= u->width[k] + 1;
			}
	for (k = 0; k < t->ncols; k++)
		if (u->shown[k])
			last = k;
	if (last >= 0 && t->cols[last].left && used < COLS)
		u->width[last] += COLS - used;
}

static void row_text(struct ui *u, const struct row *r, char *line,
		     size_t len, bool header)
{
	const struct table *t = &u->t;
	size_t off = 0;
	char cell[512];
	int k, w;

	line[0] = '\0';
	for (k = 0; k < t->ncols && off + 1 < len; k++) {
		if (!u->shown[k])
			continue;
		w = u->width[k];
		if (header) {
			snprintf(cell, sizeof(cell), "%s%s", t->cols[k].title,
				 k == u->sort[t->view] ?
				 (u->o->reverse ? "^" : "v") : "");
		} else {
			cell_text(t->cols, r, k, u->o->bytes, cell, sizeof(cell));
		}
		if (t->cols[k].left && (int)strlen(cell) > w)
			cell[w] = '\0';	/* names are cut, numbers never */
		off += snprintf(line + off, len - off, off ? " %*s" : "%*s",
				t->cols[k].left ? -w : w, cell);
	}
}

static void draw_table(struct ui *u, int y, int h)
{
	char line[2048];
	size_t i;

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
	if (!u->t.nr) {
		put_line(y, 0, "  (no %s%s)", top_view_keys[u->o->view],
			 u->o->filter[0] || u->o->follow ? " match" : "");
		return;
	}
	for (i = u->top; i < u->t.nr && (int)(i - u->top) < h; i++) {
		const struct row *r = &u->t.rows[i];

		row_text(u, r, line, sizeof(line), false);
		put_line(y + i - u->top, i == u->sel ? A_REVERSE :
			 r->leak ? A_BOLD : 0, "%s", line);
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

static void name_of(const struct dmabufstat_buffer *b, char *out, size_t len)
{
	size_t i;

	for (i = 0; b->name[i] && i + 1 < len; i++)
		out[i] = (unsigned char)b->name[i] >= 0x20 &&
			 (unsigned char)b->name[i] < 0x7f ? b->name[i] : '?';
	out[i] = '\0';
}

static void details_buffer(struct ui *u, struct lines *l, size_t bi)
{
	const struct dmabufstat_snapshot *s = u->m->snap;
	const struct dmabufstat_buffer *b = dmabufstat_buffer(s, bi);
	char sz[24], name[DMABUFSTAT_BUFNAME_LEN], devs[256] = "";
	uint32_t j;

	fmt_size(b->size, u->o->bytes, sz, sizeof(sz));
	name_of(b, name, sizeof(name));
	dline(l, "buffer %" PRIu64 "  %s  exporter %s (exp_name %s)  name '%s'",
	      b->ino, sz, dmabufstat_buffer_exporter(b), b->exporter, name);
	for (j = 0; j < b->nr_attach_names; j++)
		snprintf(devs + strlen(devs), sizeof(devs) - strlen(devs),
			 "%s%s", j ? ", " : "", b->attach[j]);
	dline(l, "file refs %" PRId64 "  vmaps %d  attached devices (%u): %s",
	      b->file_count, b->vmap_count, b->nr_attach,
	      b->nr_attach ? devs : "none");
	dline(l, "holders (%u)%s", b->nr_procs, b->nr_procs ? ":" :
	      ": none (kernel-only)");
	for (j = 0; j < b->nr_procs; j++) {
		const struct dmabufstat_holder *h;
		const struct dmabufstat_process *p;

		h = dmabufstat_buffer_holder(s, bi, j);
		if (!h)
			continue;
		p = dmabufstat_process(s, h->proc);
		fmt_size(h->pss, u->o->bytes, sz, sizeof(sz));
		if (!dline(l, "  pid %-7u %-15s fds %u maps %u pss %s", p->pid,
			   p->comm, h->nr_fds, h->nr_maps, sz))
			break;
	}
}

static void details_process(struct ui *u, struct lines *l, size_t pi)
{
	const struct dmabufstat_snapshot *s = u->m->snap;
	const struct dmabufstat_process *p = dmabufstat_process(s, pi);
	char a[24], b2[24], name[DMABUFSTAT_BUFNAME_LEN], with[256];
	uint32_t j, k;

	fmt_size(p->rss, u->o->bytes, a, sizeof(a));
	fmt_size(p->pss, u->o->bytes, b2, sizeof(b2));
	dline(l, "process %u %s uid %u cgroup %" PRIu64 ": rss %s pss %s, %u buffers, %u fds, %u maps",
	      p->pid, p->comm, p->uid, p->cgroup_id, a, b2, p->nr_bufs,
	      p->nr_fds, p->nr_maps);
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
		fmt_size(b->size, u->o->bytes, a, sizeof(a));
		fmt_size(h->pss, u->o->bytes, b2, sizeof(b2));
		name_of(b, name, sizeof(name));
		if (!dline(l, "%8" PRIu64 " %7s %-12.12s %-14.14s %3u %4u %7s  %s",
			   b->ino, a, dmabufstat_buffer_exporter(b), name,
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
	char sz[24], bname[DMABUFSTAT_BUFNAME_LEN];
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
		fmt_size(b->size, u->o->bytes, sz, sizeof(sz));
		name_of(b, bname, sizeof(bname));
		if (!dline(l, "  %8" PRIu64 " %7s %-14s holders %u fds %u maps %u",
			   b->ino, sz, bname, b->nr_procs, b->nr_fds, b->nr_maps))
			break;
	}
}

static void details_group(struct ui *u, struct lines *l, uint64_t id,
			  bool uid)
{
	const struct dmabufstat_snapshot *s = u->m->snap;
	size_t i, n = dmabufstat_nr_processes(s);
	char a[24], b[24];

	dline(l, "%s %" PRIu64 ": processes", uid ? "uid" : "cgroup", id);
	for (i = 0; i < n; i++) {
		const struct dmabufstat_process *p = dmabufstat_process(s, i);

		if ((uid ? p->uid : p->cgroup_id) != id)
			continue;
		fmt_size(p->rss, u->o->bytes, a, sizeof(a));
		fmt_size(p->pss, u->o->bytes, b, sizeof(b));
		if (!dline(l, "  pid %-7u %-15s rss %7s pss %7s bufs %u",
			   p->pid, p->comm, a, b, p->nr_bufs))
			break;
	}
}

static void draw_details(struct ui *u, int y, int h)
{
	struct lines l = { .y = y + 1, .end = y + h };
	const struct row *r;

	if (h < 2)
		return;
	put_line(y, A_REVERSE, "details (d closes)");
	if (!u->t.nr) {
		dline(&l, "nothing selected");
		return;
	}
	r = &u->t.rows[u->sel];
	if (COLS >= 60 && u->trend.nr) {
		char a[24];

		fmt_size(u->trend.v[u->trend.nr - 1], u->o->bytes, a, sizeof(a));
		attron(A_REVERSE);
		mvprintw(y, 20, "%s %s, since selected: ",
			 view_default_sort(u->o->view), a);
		sparkline(u, u->trend.v, u->trend.nr, COLS - getcurx(stdscr));
		attroff(A_REVERSE);
	}
	if (r->group) {
		dline(&l, "group %s: %" PRId64 " members (H ungroups)",
		      u->o->view == TOP_PROCS ? r->s[2] : r->s[2], r->v[0]);
		return;
	}
	switch (u->o->view) {
	case TOP_PROCS:
		details_process(u, &l, r->idx);
		break;
	case TOP_BUFFERS:
		details_buffer(u, &l, r->idx);
		break;
	case TOP_EXPORTERS:
		details_bufs_of(u, &l, r->s[0], false);
		break;
	case TOP_DEVICES:
		details_bufs_of(u, &l, r->s[0], true);
		break;
	case TOP_UIDS:
		details_group(u, &l, r->v[0], true);
		break;
	default:
		details_group(u, &l, r->v[0], false);
		break;
	}
}

static const char *const help_lines[] = {
	"dmabuf-top keys",
	"",
	"  1-6 Tab Left Right  views: procs exporters buffers devices uids cgroups",
	"  Up Down PgUp PgDn Home End   move the selection (kept across refreshes)",
	"  < > s    pick the sort column        r   reverse the sort order",
	"  /        filter by text (Enter keeps, Esc clears)",
	"  p        follow the selected process (p again: stop)",
	"  H        group/tree: procs by command, buffers by exporter",
	"  d        details of the selection, with its usage since selected",
	"  Space    refresh now       + -  longer / shorter interval",
	"  ?        this help         q Esc  quit",
	"",
	"  L column '!': usage grew at each of the last K refreshes (-K)",
	"  DELTA since the previous refresh (--since-start: the first)",
	"",
	"  any key closes this help",
};

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
	if (u->editing)
		put_line(LINES - 1, 0, "/%s", u->o->filter);
	else if (u->msg[0])
		put_line(LINES - 1, A_BOLD, "%s", u->msg);
	else
		put_line(LINES - 1, 0, "q:quit ?:help /:filter d:details p:follow H:tree <>:sort r:reverse 1-6:views");
	if (u->editing) {
		curs_set(1);
		move(LINES - 1, 1 + (int)strlen(u->o->filter));
	} else {
		curs_set(0);
	}
	refresh();
}

/* ------------------------------------------------------------------ */
/* Keys                                                               */

static void set_view(struct ui *u, int v)
{
	v = (v + TOP_NR_VIEWS) % TOP_NR_VIEWS;
	if (v == (int)u->o->view)
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
	size_t n = strlen(u->o->filter);

	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		u->editing = false;
	} else if (ch == 27) {
		u->o->filter[0] = '\0';
		u->editing = false;
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (n)
			u->o->filter[n - 1] = '\0';
	} else if (ch >= 0x20 && ch < 0x7f && n + 1 < sizeof(u->o->filter)) {
		u->o->filter[n] = ch;
		u->o->filter[n + 1] = '\0';
	}
}

/* Returns false to quit. */
static bool key(struct ui *u, int ch)
{
	int n, page = LINES > 10 ? LINES - 10 : 1;
	const struct row *r;

	u->msg[0] = '\0';
	if (u->help) {
		u->help = false;
		return true;
	}
	if (u->editing) {
		edit_key(u, ch);
		return true;
	}
	view_cols(u->o->view, &n);
	switch (ch) {
	case 'q':
	case 'Q':
	case 27:
		return false;
	case '?':
	case 'h':
		u->help = true;
		break;
	case '1': case '2': case '3': case '4': case '5': case '6':
		set_view(u, ch - '1');
		break;
	case '\t':
	case KEY_RIGHT:
		set_view(u, u->o->view + 1);
		break;
	case KEY_BTAB:
	case KEY_LEFT:
		set_view(u, u->o->view - 1);
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
		u->sort[u->o->view] = (u->sort[u->o->view] + 1) % n;
		break;
	case '<':
		u->sort[u->o->view] = (u->sort[u->o->view] + n - 1) % n;
		break;
	case 'r':
		u->o->reverse = !u->o->reverse;
		break;
	case '/':
		u->editing = true;
		break;
	case 'H':
		u->o->tree = !u->o->tree;
		break;
	case 'd':
		u->details = !u->details;
		break;
	case 'p':
		if (u->o->follow) {
			snprintf(u->msg, sizeof(u->msg), "stopped following %u",
				 u->o->follow);
			u->o->follow = 0;
			break;
		}
		r = u->t.nr ? &u->t.rows[u->sel] : NULL;
		if (u->o->view != TOP_PROCS || !r || r->group) {
			snprintf(u->msg, sizeof(u->msg),
				 "p: select a process in the procs view first");
			break;
		}
		u->o->follow = r->v[0];
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

int ui_run(struct model *m, struct top_opts *o, double interval,
	   uint64_t count)
{
	struct ui u = { .m = m, .o = o, .interval = interval };
	uint64_t next, refreshes = 0, now;
	const char *what = NULL;
	int err = 0, i, ch;

	for (i = 0; i < TOP_NR_VIEWS; i++)
		u.sort[i] = view_col_index(i, view_default_sort(i));
	if (o->sort)
		u.sort[o->view] = view_col_index(o->view, o->sort);

	setlocale(LC_ALL, "");
	u.utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	/* the first snapshot before the screen changes: errors stay readable */
	err = model_refresh(m, o);
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
	curs_set(0);
	next = cli_now_ns() + (uint64_t)(u.interval * 1e9);
	if (rebuild(&u)) {
		what = "out of memory";
		goto out;
	}
	record_trend(&u);
	draw(&u);
	while (!top_exiting) {
		bool changed = false;
		int64_t left;

		now = cli_now_ns();
		left = (int64_t)(next - now) / 1000000;
		timeout(left < 0 ? 0 : left > 250 ? 250 : (int)left);
		ch = getch();
		if (top_exiting)
			break;
		changed = ch != ERR;	/* a key or a resize */
		if (ch != ERR && ch != KEY_RESIZE) {
			bool space = ch == ' ' && !u.editing && !u.help;

			if (!key(&u, ch))
				break;
			if (space)
				next = cli_now_ns();
		}
		if (cli_now_ns() >= next) {
			if (count && refreshes >= count)
				break;
			err = model_refresh(m, o);
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
		if (rebuild(&u)) {
			what = "out of memory";
			goto out;
		}
		record_trend(&u);
		draw(&u);
	}
out:
	ui_end();
	table_free(&u.t);
	if (what && err)
		cli_lib_error(m->ds, what, err);
	else if (what)
		fprintf(stderr, "dmabuf-top: error: %s\n", what);
	return what ? 1 : 0;
}
