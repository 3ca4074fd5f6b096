// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-top's batch mode: per refresh, a header and one view through the
 * report layer's writers: a table, one JSON document on one line (JSON
 * Lines: the same objects as dmabufstat's, with the growth fields), or
 * CSV rows (the header row once).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "text.h"
#include "top.h"

static void time_text(const struct dmabufstat_snapshot *s, char *buf,
		      size_t len, bool iso)
{
	uint64_t ns = dmabufstat_snapshot_realtime_ns(s);
	time_t t = ns / 1000000000ULL;
	struct tm tm;

	if (iso) {
		rep_time_iso(ns, buf, len);
		return;
	}
	localtime_r(&t, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}

struct meta {
	struct model *m;
	const struct top_opts *o;
	double interval;
	uint64_t refresh;
};

static void json_meta(struct jsonw *w, const void *ctx)
{
	const struct meta *x = ctx;
	const struct top_opts *o = x->o;
	char buf[48];

	jsonw_name(w, "version");
	jsonw_string(w, DMABUFSTAT_VERSION_STRING);
	jsonw_name(w, "view");
	jsonw_string(w, rep_view_name(o->view));
	time_text(x->m->snap, buf, sizeof(buf), true);
	jsonw_name(w, "time");
	jsonw_string(w, buf);
	jsonw_uint_field(w, "refresh", x->refresh);
	snprintf(buf, sizeof(buf), "%g", x->interval);
	jsonw_name(w, "interval");
	jsonw_number_text(w, buf);
	jsonw_name(w, "sort");
	jsonw_string(w, o->sort ?: rep_view_default_sort(o->view));
	jsonw_bool_field(w, "reverse", o->reverse);
	jsonw_bool_field(w, "since_start", o->since_start);
	jsonw_int_field(w, "leak_k", o->leak_k);
	rep_json_snapshot(w, x->m->snap,
			  dmabufstat_fallback_reason(x->m->ds));
	jsonw_bool_field(w, "filtered", cli_filtered(&o->filter));
}

int batch_print(struct model *m, const struct top_opts *o,
		enum rep_format format, double interval, uint64_t refresh)
{
	const struct dmabufstat_system *tot = dmabufstat_totals(m->snap);
	struct rep_style style = {
		.format = format,
		.bytes = o->bytes,
		.jsonl = true,
	};
	struct meta x = { m, o, interval, refresh };
	struct rep_table totals, t;
	struct rep_doc doc = { 0 };
	char banner[1024], when[32], a[REP_SIZE_LEN], b[REP_SIZE_LEN];
	char c[REP_SIZE_LEN], d[REP_SIZE_LEN];
	int err;

	err = rep_build(&totals, REP_TOTALS, m->snap, NULL, NULL);
	if (err)
		return err;
	err = table_build(m, o, &t, true);
	if (err) {
		rep_table_free(&totals);
		return err;
	}
	time_text(m->snap, when, sizeof(when), format == REP_CSV);
	if (format == REP_CSV) {
		/* no banner: each row has its time and backend */
		doc.csv_time = when;
		doc.csv_backend = dmabufstat_snapshot_backend_name(m->snap);
	} else {
		rep_size(a, tot->bytes, o->bytes);
		rep_size(b, tot->userspace_rss, o->bytes);
		rep_size(c, tot->userspace_pss, o->bytes);
		rep_size(d, tot->kernel_bytes, o->bytes);
		snprintf(banner, sizeof(banner),
			 "dmabuf-top - %s  refresh %" PRIu64 "  backend %s  view %s\n"
			 "Buffers: %" PRIu64 "  exported %s  userspace rss %s  pss %s  kernel-only %s (%" PRIu64 " buffers)  processes %u%s",
			 when, refresh, dmabufstat_snapshot_backend_name(m->snap),
			 rep_view_name(o->view), tot->count, a, b, c, d,
			 tot->kernel_count, tot->nr_procs,
			 o->since_start ? "\nDeltas since the first refresh" :
					  "");
	}
	doc.banner = format == REP_CSV ? NULL : banner;
	doc.meta = json_meta;
	doc.meta_ctx = &x;
	doc.no_csv_header = refresh > 1;
	rep_doc_add(&doc, &totals, NULL, true, true);
	rep_doc_add(&doc, &t, NULL, false, false);
	err = rep_write(stdout, &doc, &style);
	if (!err && format == REP_TABLE && (putchar('\n') == EOF ||
					   fflush(stdout)))
		err = -errno;
	rep_table_free(&t);
	rep_table_free(&totals);
	return err;
}
