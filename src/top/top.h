/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmabuf-top: live view of who holds DMA-BUF memory.
 *
 * model.c   snapshots, per-entity history (growth, leak streaks), the row
 *           tables of every view with their filters and sort order
 * batch.c   batch mode: plain text tables or JSON Lines
 * ui.c      interactive ncurses mode
 * main.c    options, signals, the refresh loop
 */
#ifndef __DMABUF_TOP_H
#define __DMABUF_TOP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libdmabufstat.h"

#define TOP_MAXCOL	14
#define TOP_MAX_PIDS	256
#define TOP_HIST	256	/* samples of total bytes kept (sparkline) */

enum top_view {
	TOP_PROCS,
	TOP_EXPORTERS,
	TOP_BUFFERS,
	TOP_DEVICES,
	TOP_UIDS,
	TOP_CGROUPS,
	TOP_NR_VIEWS,
};

/* "procs", "exporters", ... (-v) and the JSON array keys. */
extern const char *const top_view_names[TOP_NR_VIEWS];
extern const char *const top_view_keys[TOP_NR_VIEWS];

enum col_kind {
	COL_NUM,	/* unsigned count or id */
	COL_BYTES,	/* size */
	COL_DELTA,	/* signed bytes */
	COL_RATE,	/* signed bytes per second */
	COL_STR,
	COL_LEAK,	/* the leak mark */
};

struct col {
	const char *key;	/* -s name and JSON key */
	const char *title;	/* table header */
	enum col_kind kind;
	int width;
	bool left;
	int drop;	/* narrow screens hide it: 1 first, then 2, ...; 0 never */
};

struct row {
	char id[48];		/* identity: selection and history key */
	int64_t v[TOP_MAXCOL];
	char *s[TOP_MAXCOL];	/* COL_STR values (owned) */
	int streak;		/* refreshes in a row its usage grew */
	bool leak;		/* streak >= K */
	bool group;		/* a group (tree parent) row */
	int depth;		/* 1: child in tree mode */
	long idx;		/* index in the snapshot's array, -1: group */
};

struct table {
	enum top_view view;
	const struct col *cols;
	int ncols;
	struct row *rows;
	size_t nr, cap;
};

struct hist_ent;

struct top_opts {
	enum top_view view;
	const char *sort;	/* column key; NULL: the view's default */
	bool reverse;
	size_t rows;		/* 0: all */
	uint32_t pids[TOP_MAX_PIDS];
	size_t nr_pids;
	int leak_k;		/* -K */
	bool since_start;
	bool bytes;		/* exact byte counts in text */
	bool tree;		/* H */
	char filter[128];	/* interactive '/' text */
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
int model_refresh(struct model *m, const struct top_opts *o);
const struct col *view_cols(enum top_view v, int *ncols);
const char *view_default_sort(enum top_view v);
int view_col_index(enum top_view v, const char *key);
/* Builds the rows of o->view (filters, tree, sort); -ENOMEM. */
int table_build(struct model *m, const struct top_opts *o, struct table *t);
void table_free(struct table *t);
/* Text of a cell, width-independent ("4.0M", "+1.2K", "-"). */
void cell_text(const struct col *c, const struct row *r, int i, bool bytes,
	       char *buf, size_t len);
void fmt_size(uint64_t v, bool exact, char *buf, size_t len);
uint64_t model_interval_ns(const struct model *m);

/* batch.c */
int batch_print(struct model *m, const struct top_opts *o, bool json,
		double interval, uint64_t refresh);

/* ui.c */
int ui_run(struct model *m, struct top_opts *o, double interval,
	   uint64_t count);

/* main.c */
extern volatile sig_atomic_t top_exiting;

#endif /* __DMABUF_TOP_H */
