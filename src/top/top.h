/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmabuf-top: live view of who holds DMA-BUF memory.
 *
 * model.c   snapshots, per-entity history (growth, leak streaks), and the
 *           growth columns it adds to the report layer's views; tree mode
 * batch.c   batch mode: the report layer's table, JSON Lines or CSV writer
 * ui.c      interactive ncurses mode
 * main.c    options, signals, the refresh loop
 *
 * The views, their rows, filters, sort order, sizes and escapes are the
 * report layer's (src/report), the same as dmabufstat's.
 */
#ifndef __DMABUF_TOP_H
#define __DMABUF_TOP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libdmabufstat.h"
#include "opts.h"
#include "table.h"
#include "write.h"

#define TOP_HIST	256	/* samples of total bytes kept (sparkline) */
/* The views: keys 1-6, in the report layer's order. */
#define TOP_NR_VIEWS	REP_TOTALS

/* DELTA, GROW/s, AVG/s, L and (JSON, CSV) growth_streak. */
extern const struct rep_ext top_growth_cols;

struct hist_ent;

struct top_opts {
	enum rep_view view;
	const char *sort;	/* column key; NULL: the view's default */
	bool reverse;
	size_t rows;		/* 0: all */
	struct cli_filter filter;	/* -p, --uid, --cgroup */
	int leak_k;		/* -K */
	bool since_start;
	bool bytes;		/* exact byte counts in text */
	bool tree;		/* H */
	char text[128];		/* interactive '/' filter */
	uint32_t follow;	/* interactive 'p': 0 none */
};

struct model {
	struct dmabufstat *ds;
	struct dmabufstat_snapshot *snap, *first;
	uint64_t gen;		/* refreshes taken */
	uint64_t t_first, t_prev, t_cur;	/* monotonic ns */
	uint64_t took_ns;	/* how long the last snapshot took */
	/* per-entity history, open addressing */
	struct hist_ent *hist;
	size_t hist_cap, hist_nr;
	/* total bytes per refresh (ring) */
	uint64_t spark[TOP_HIST];
	size_t spark_nr;
};

/* model.c */
int model_init(struct model *m, const struct dmabufstat_opts *o);
void model_fini(struct model *m);
/* Takes a snapshot and updates history; -errno (message in m->ds). */
int model_refresh(struct model *m);
/*
 * The rows of o->view: the report layer's view with the filters and the
 * growth columns, sorted, grouped in tree mode, at most o->rows when
 * limit; -ENOMEM.
 */
int table_build(struct model *m, const struct top_opts *o,
		struct rep_table *t, bool limit);

/* batch.c */
int batch_print(struct model *m, const struct top_opts *o,
		enum rep_format format, double interval, uint64_t refresh);

/* ui.c */
/* Runs until q, count refreshes or *stop (set by a signal handler). */
int ui_run(struct model *m, struct top_opts *o, double interval,
	   uint64_t count, const volatile sig_atomic_t *stop);

#endif /* __DMABUF_TOP_H */
