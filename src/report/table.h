/* SPDX-License-Identifier: GPL-2.0 */
/*
 * table: the one column and row model of both tools.
 *
 * A table is a view's typed columns (struct rep_col) and its rows, each a
 * run of cells. The views (views.c) fill it from a snapshot; dmabuf-top
 * appends its growth columns to the same rows (struct rep_ext); the
 * writers (write.c) and dmabuf-top's screen turn cells into text with
 * rep_cell_text(). Strings in cells point into the snapshot or into the
 * table's own text store; lists live in the table's pools.
 *
 * Sort order (rep_sort()): identifiers (pid, inode, uid, cgroup id)
 * ascending, other numbers largest first, text in natural order ("leak-2"
 * before "leak-10"); ties fall back to the view's identifier; reverse
 * turns the first key around.
 */
#ifndef __DMABUFSTAT_REPORT_TABLE_H
#define __DMABUFSTAT_REPORT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libdmabufstat.h"

enum rep_type {
	REP_STR,
	REP_U64,	/* a count or an identifier */
	REP_S64,	/* may be -1: unknown ('?') */
	REP_SIZE,	/* bytes: rep_size() in tables */
	REP_BOOL,	/* "yes"/"no" in tables */
	REP_DELTA,	/* signed bytes */
	REP_RATE,	/* signed bytes per second */
	REP_AGE,	/* signed ns, -1 unknown ('?'): 45s, 3m12s, 2h05m */
	REP_MARK,	/* a flag shown as '!' (or nothing) */
	REP_STRLIST,
	REP_U64LIST,
};

/* column flags */
#define REP_WIDE	0x1	/* JSON and CSV only, not in tables */
#define REP_ID		0x2	/* an identifier: sorts ascending */
#define REP_LAZY	0x4	/* read from /proc for the rows shown only:
				 * "" until rep_fill_lazy() */

struct rep_col {
	const char *key;	/* JSON key, CSV header, -s name */
	const char *title;	/* table header */
	enum rep_type type;
	unsigned int flags;
	int width;		/* dmabuf-top's screen: the column's width */
	int drop;		/* narrow screens hide it: 1 first, ...; 0 never */
};

union rep_cell {
	uint64_t u;
	int64_t i;
	bool b;
	const char *s;
	struct {
		uint32_t off, n;	/* into the table's pool */
	} l;
};

/* row flags */
#define REP_ROW_GROUP	0x1	/* a group row (dmabuf-top's tree mode) */
#define REP_ROW_CHILD	0x2	/* a member under its group row */
#define REP_ROW_FILLED	0x4	/* its REP_LAZY cells are read */

struct rep_row {
	size_t cell;		/* its first cell in the table's cells */
	long idx;		/* the entity's index in the snapshot; -1 none */
	unsigned int flags;
	int streak;		/* dmabuf-top: refreshes in a row it grew */
};

/*
 * The views (views.c), in the order of dmabuf-top's keys 1-6; the totals
 * last. A view is a row of views.c's table and its name here: both tools
 * take it from there (dmabufstat as a command, dmabuf-top as a key).
 */
enum rep_view {
	REP_PROCS,
	REP_EXPORTERS,
	REP_BUFFERS,
	REP_DEVICES,
	REP_UIDS,
	REP_CGROUPS,
	REP_TOTALS,	/* one row: the system figures */
	REP_NR_VIEWS,
};

#define REP_MAX_COLS	40
#define REP_MAX_EXT	8	/* of them, for the extension's columns */

/* Which rows a view keeps. Processes match all of pids, uid and cgroup. */
struct rep_filter {
	const uint32_t *pids;	/* nr_pids of them; 0: any */
	size_t nr_pids;
	bool has_uid;
	uint32_t uid;
	bool has_cgroup;
	uint64_t cgroup;
	const char *exporter;	/* buffers of this exporter only; NULL any */
	const char *text;	/* rows with it in a text column (any case),
				 * or equal to an identifier; NULL or "" any */
	/* buffers: only leaks (tracking): orphans, and kernel-only
	 * buffers with the importer that keeps them */
	bool leaks;
};

struct rep_table;

/*
 * Columns added to every row of a view (dmabuf-top's growth columns):
 * fill() sets the cells from first on, given the row's usage figure (rss,
 * or bytes: the view's usage column).
 */
struct rep_ext {
	const struct rep_col *cols;
	int ncols;
	void (*fill)(void *ctx, struct rep_table *t, struct rep_row *r,
		     int first, uint64_t usage);
	void *ctx;
};

struct rep_text_chunk;

struct rep_table {
	enum rep_view view;
	const struct dmabufstat_snapshot *snap;
	struct rep_col cols[REP_MAX_COLS];
	int ncols;
	int nbase;		/* the view's own columns; ext after them */
	struct rep_row *rows;
	size_t nr, cap;
	union rep_cell *cells;
	size_t nr_cells, cap_cells;
	uint64_t *u64s;		/* REP_U64LIST items */
	size_t nr_u64s, cap_u64s;
	const char **strs;	/* REP_STRLIST items */
	size_t nr_strs, cap_strs;
	struct rep_text_chunk *text;	/* strings the table owns */
	int indent_col;		/* REP_ROW_CHILD rows indent it; -1 none */
	const char *default_sort;	/* the view's: size, bytes or rss */
};

/* The view's cells of row r (valid until the next row is added). */
static inline union rep_cell *rep_cells(const struct rep_table *t,
					const struct rep_row *r)
{
	return &t->cells[r->cell];
}

/* Text and lists are left-aligned, numbers right. */
bool rep_col_left(const struct rep_col *c);
/* Does the column sort ascending (identifiers, text) before reversing? */
bool rep_col_ascending(const struct rep_col *c);

/* "procs", "exporters", ...: -v words and the commands' names. */
const char *rep_view_name(enum rep_view v);
/* "processes", "exporters", ...: the JSON array's key. */
const char *rep_view_key(enum rep_view v);
/* By name (or JSON key); REP_NR_VIEWS if none. */
enum rep_view rep_view_find(const char *name);
/* The view's columns (ext excluded). */
const struct rep_col *rep_view_cols(enum rep_view v, int *ncols);
/* Its default sort column's key: size, bytes or rss. */
const char *rep_view_default_sort(enum rep_view v);
/* Its usage column (what growth is measured on), -1 for none. */
int rep_view_usage_col(enum rep_view v);

/*
 * An empty table of view v's columns (and ext's, where it applies), those
 * that need tracking included; rep_build() leaves them out when its
 * snapshot has no tracking (rep_view_tracked() says which it did).
 */
void rep_table_init(struct rep_table *t, enum rep_view v,
		    const struct rep_ext *ext);
/*
 * Builds view v of snap with filter f (may be NULL) and ext (may be NULL)
 * into t, in the snapshot's order. 0 or -ENOMEM (t then empty).
 */
int rep_build(struct rep_table *t, enum rep_view v,
	      const struct dmabufstat_snapshot *snap,
	      const struct rep_filter *f, const struct rep_ext *ext);
void rep_table_free(struct rep_table *t);
/* Has t the tracking columns (buffers, procs with tracking on)? */
bool rep_view_tracked(const struct rep_table *t);

/* A new row (zeroed cells) at the end; NULL when out of memory. */
struct rep_row *rep_row_add(struct rep_table *t, long idx);
/* Lists and owned strings for cells; -ENOMEM. */
int rep_list_u64(struct rep_table *t, union rep_cell *c, const uint64_t *v,
		 size_t n);
int rep_list_str(struct rep_table *t, union rep_cell *c,
		 const char *const *v, size_t n);
const uint64_t *rep_list_u64_items(const struct rep_table *t,
				   const union rep_cell *c);
const char *const *rep_list_str_items(const struct rep_table *t,
				      const union rep_cell *c);
/* A copy of s that lives as long as the table; NULL when out of memory. */
const char *rep_strdup(struct rep_table *t, const char *s);

/*
 * The REP_LAZY cells of rows first..first+n-1 (a process's cmdline, a
 * cgroup's path), read from /proc: a file read per row, so only for the
 * rows shown (after rep_limit(), or a screen's). Rows read once keep
 * theirs; a recording's snapshot (replay) has none to read.
 */
void rep_fill_lazy(struct rep_table *t, size_t first, size_t n);
/*
 * /proc/PID/cmdline at buf, its arguments joined by spaces ("" for a
 * kernel thread or a process gone); its length.
 */
size_t rep_cmdline(uint32_t pid, char *buf, size_t len);
/*
 * The cgroup v2 path (e.g. "/system.slice/x.service", "/" the root) of
 * process PID, at buf, if that is still cgroup id; else false and "".
 */
bool rep_cgroup_path(uint32_t pid, uint64_t id, char *buf, size_t len);

/*
 * dmabufstat diff's tables (diffview.c) from the library's diff of
 * old_snap and new_snap (which outlive the tables): tot, one row of the
 * totals then and now; bufs, the buffers new, resized and freed (SIZE:
 * now's, the saved one's if freed); procs, the processes new, grown,
 * shrunk, changed otherwise and gone (RSS ... MAPS: now's, the saved
 * ones if gone; DELTA: now - saved). 0 or -ENOMEM (the tables empty).
 */
int rep_diff_build(const struct dmabufstat_diff *d,
		   const struct dmabufstat_snapshot *old_snap,
		   const struct dmabufstat_snapshot *new_snap,
		   struct rep_table *tot, struct rep_table *bufs,
		   struct rep_table *procs);

/*
 * Column by key; "size" also names the view's size column. -1 if none,
 * or if it is a list (lists do not sort).
 */
int rep_sort_col(const struct rep_table *t, const char *key);
/* "ino, size, exporter, ...": the keys rep_sort_col() takes. */
void rep_sort_keys(const struct rep_table *t, char *buf, size_t len);
/*
 * Sorts the rows (the rule above). A REP_LAZY column sorts what is read:
 * rep_fill_lazy() every row first to sort by it.
 */
void rep_sort(struct rep_table *t, int col, bool reverse);
/* Keeps the first n rows (0: all). */
void rep_limit(struct rep_table *t, size_t n);

/*
 * A row's identity, "p:PID", "b:INO", "e:NAME", ... (groups "g:..."),
 * the same from one snapshot to the next; returns its length.
 */
size_t rep_row_id(const struct rep_table *t, const struct rep_row *r,
		  char *buf, size_t len);

/*
 * Cell c of row r as a table shows it: sizes per rep_size() (exact with
 * bytes), names escaped (text.h), "-" for nothing, '?' unknown. At buf
 * (len bytes); returns its length, its display width in *width.
 */
size_t rep_cell_text(const struct rep_table *t, const struct rep_row *r,
		     int c, bool bytes, char *buf, size_t len, size_t *width);

#endif /* __DMABUFSTAT_REPORT_TABLE_H */
