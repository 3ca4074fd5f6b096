// SPDX-License-Identifier: GPL-2.0
/*
 * The view commands: summary, buffers, exporters, procs, devices, uids,
 * cgroups. One snapshot, the view's table (report/views.c) with the
 * filters and the sort, written as a table, JSON or CSV; with --interval,
 * one document per sample.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cmd.h"
#include "opts.h"

static volatile sig_atomic_t exiting;

static void sig_handler(int sig)
{
	(void)sig;
	exiting = 1;
}

/* SIGINT/SIGTERM end a loop between samples (no SA_RESTART: sleeps wake). */
static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = sig_handler };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

struct meta {
	const char *view, *reason;
	const struct dmabufstat_snapshot *snap;
	bool filtered;
};

static void json_meta(struct jsonw *w, const void *ctx)
{
	const struct meta *m = ctx;

	jsonw_name(w, "version");
	jsonw_string(w, DMABUFSTAT_VERSION_STRING);
	jsonw_name(w, "view");
	jsonw_string(w, m->view);
	rep_json_snapshot(w, m->snap, m->reason);
	jsonw_bool_field(w, "filtered", m->filtered);
}

/* buffers INO...: the inodes asked for; none: every buffer. */
#define MAX_INOS 256
static uint64_t inos[MAX_INOS];
static size_t nr_inos;

/* Keeps the buffers rows of the inodes asked for (column 0 is ino). */
static void keep_inos(struct rep_table *t)
{
	size_t r, k, out = 0;

	for (r = 0; r < t->nr; r++) {
		uint64_t ino = rep_cells(t, &t->rows[r])[0].u;

		for (k = 0; k < nr_inos && inos[k] != ino; k++)
			;
		if (k < nr_inos)
			t->rows[out++] = t->rows[r];
	}
	t->nr = out;
}

/* Each inode asked for is a buffer of the snapshot; else an error. */
static bool inos_exist(const struct dmabufstat_snapshot *snap)
{
	size_t i, k, n = dmabufstat_nr_buffers(snap);

	for (k = 0; k < nr_inos; k++) {
		for (i = 0; i < n && dmabufstat_buffer(snap, i)->ino != inos[k];
		     i++)
			;
		if (i == n) {
			cli_error("no buffer with inode %" PRIu64, inos[k]);
			return false;
		}
	}
	return true;
}

/* The view's table, filtered, sorted and cut to rows. */
static int build(struct rep_table *t, enum rep_view v,
		 const struct dmabufstat_snapshot *snap, const char *sort,
		 size_t rows)
{
	int err, col;

	err = rep_build(t, v, snap, &env.filter.f, NULL);
	if (err)
		return err;
	if (v == REP_BUFFERS && nr_inos)
		keep_inos(t);
	col = rep_sort_col(t, sort ?: rep_view_default_sort(v));
	/* a tracking column while tracking is off: the view's default */
	if (col < 0)
		col = rep_sort_col(t, rep_view_default_sort(v));
	if (col >= 0 && (t->cols[col].flags & REP_LAZY))
		rep_fill_lazy(t, 0, t->nr);	/* sorted by cmdline, path */
	rep_sort(t, col, env.reverse);
	rep_limit(t, rows);
	rep_fill_lazy(t, 0, t->nr);	/* cmdline, cgroup path: shown rows */
	return 0;
}

static int view_once(struct dmabufstat *ds, const char *name, bool summary,
		     enum rep_view v, uint64_t sample)
{
	struct rep_style style = {
		.format = env.format,
		.bytes = env.bytes,
		.jsonl = env.interval > 0 || env.count > 0,
	};
	struct rep_table totals = { 0 }, main = { 0 }, procs = { 0 };
	struct dmabufstat_snapshot *snap = NULL;
	struct rep_doc doc = { 0 };
	char banner[512], title[64], when[48];
	struct meta m;
	int err, ret = 1;

	err = dmabufstat_snapshot(ds, &snap);
	if (err) {
		cli_lib_error(ds, "cannot take a snapshot", err);
		return 1;
	}
	if (!inos_exist(snap))
		goto out;
	if (env.filter.f.leaks && !dmabufstat_snapshot_track(snap)) {
		cli_error("%s --orphans: needs lifecycle tracking (dmabufstat track start; buffers from before it are never called orphans)",
			  name);
		goto out;
	}
	m.view = name;
	m.reason = dmabufstat_fallback_reason(ds);
	m.snap = snap;
	m.filtered = cli_filtered(&env.filter);
	if (env.format == REP_CSV) {
		/* no banner: the header first, each row its time and backend */
		rep_time_iso(dmabufstat_snapshot_realtime_ns(snap), when,
			     sizeof(when));
		doc.csv_time = when;
		doc.csv_backend = dmabufstat_snapshot_backend_name(snap);
		doc.no_csv_header = sample > 0;
	} else {
		const struct dmabufstat_track_status *ts;

		ts = dmabufstat_snapshot_track(snap);
		snprintf(banner, sizeof(banner), "Backend: %s%s%s%s%s%s",
			 dmabufstat_snapshot_backend_name(snap),
			 *m.reason ? " (fell back: " : "", m.reason,
			 *m.reason ? ")" : "", ts ? ", tracking: " : "",
			 ts ? dmabufstat_track_method_name(ts->method) : "");
		doc.banner = banner;
	}
	doc.meta = json_meta;
	doc.meta_ctx = &m;

	err = build(&totals, REP_TOTALS, snap, NULL, 0);
	if (!err) {
		/* the totals are the system's: say so above filtered tables */
		rep_doc_add(&doc, &totals, m.filtered ?
			    "Totals (system-wide; the tables below are filtered)" :
			    "Totals", true, !summary);
		if (summary) {
			err = build(&main, REP_EXPORTERS, snap, NULL, 0);
			if (!err)
				err = build(&procs, REP_PROCS, snap, env.sort,
					    env.rows ?: 10);
			snprintf(title, sizeof(title), "Top processes (by %s%s)",
				 env.sort ?: "rss",
				 env.reverse ? ", reversed" : "");
			rep_doc_add(&doc, &main, "Exporters", false, false);
			rep_doc_add(&doc, &procs, title, false, false);
		} else {
			err = build(&main, v, snap, env.sort, env.rows);
			rep_doc_add(&doc, &main, NULL, false, false);
		}
	}
	if (err) {
		cli_error("%s: %s", name, strerror(-err));
		goto out;
	}
	err = rep_write(stdout, &doc, &style);
	if (err) {
		ret = cli_output_error(err);
		if (!ret)
			exiting = 1;	/* the reader went away: no more samples */
		goto out;
	}
	ret = 0;
out:
	rep_table_free(&totals);
	rep_table_free(&main);
	rep_table_free(&procs);
	dmabufstat_snapshot_free(snap);
	return ret;
}

/*
 * --interval: one JSON document per line, per sample (JSON Lines); or a
 * table per sample under a line with the time and the sample's number, as
 * vmstat-like tools scroll; or CSV rows under one header, each with its
 * sample's time.
 */
int cmd_view(struct dmabufstat *ds, const char *name, char **args, int nr)
{
	bool summary = !strcmp(name, "summary");
	enum rep_view v = summary ? REP_PROCS : rep_view_find(name);
	uint64_t n = 0, next;
	int i, ret;

	for (i = 0; i < nr; i++) {
		uint64_t ino;

		if (v == REP_BUFFERS && !summary) {
			if (!cli_parse_u64(args[i], &ino) || !ino)
				cli_usage_error("%s: bad inode '%s'", name,
						args[i]);
			if (nr_inos == MAX_INOS)
				cli_usage_error("%s: more than %d inodes", name,
						MAX_INOS);
			inos[nr_inos++] = ino;
			continue;
		}
		if (v != REP_PROCS || summary)
			cli_usage_error("%s: unexpected argument '%s'", name,
					args[i]);
		cli_filter_pids(&env.filter, args[i]);
	}
	if (env.filter.f.leaks && v != REP_BUFFERS)
		cli_usage_error("--orphans: a buffers option, not of %s", name);
	if (env.format == CLI_FORMAT_RAW)
		cli_usage_error("-o raw: the formats of %s are table, json and csv",
				name);
	if (env.sort)
		cli_check_sort(v, NULL, env.sort);
	if (!cli_pids_exist(&env.filter))
		return 1;
	if (!env.interval && !env.count)
		return view_once(ds, name, summary, v, 0);
	if (env.format == REP_CSV && summary)
		cli_usage_error("--interval and --count with -o csv: one view, not the summary (several tables)");
	if (!env.interval)
		env.interval = 1;
	/*
	 * Loaded before the grid starts: the first sample is then as quick
	 * as the rest, not the second one a moment after it.
	 */
	/* a signal while loading still ends the loop after one sample */
	catch_signals();
	ret = dmabufstat_probe(ds);
	if (ret) {
		cli_lib_error(ds, "cannot load", ret);
		return 1;
	}
	next = cli_now_ns();
	for (;;) {
		if (env.format == REP_TABLE) {
			char when[32];
			time_t now = time(NULL);
			struct tm tm;

			localtime_r(&now, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
			printf("%s%s  sample %" PRIu64 "\n", n ? "\n" : "", when,
			       n + 1);
		}
		ret = view_once(ds, name, summary, v, n);
		fflush(stdout);
		if (ret)
			return ret;
		if (++n >= env.count && env.count)
			break;
		next += (uint64_t)(env.interval * 1e9);
		if (!cli_sleep_until(next, &exiting))
			break;
	}
	return 0;
}
